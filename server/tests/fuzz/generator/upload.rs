//! Uploads: multipart forms of every shape, files as bytes, base64, data
//! URLs or URLs, client-side credentials, and abusive forms.

use std::fmt::Write as _;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use imagekit_local_server::auth::hmac_sha1_hex;
use serde_json::{json, Map};

use super::Gen;
use crate::common::dates::now_secs;
use crate::learned::Pool;
use crate::plan::{req, Req};
use crate::{MAX_FORM_BYTES, MAX_FORM_FIELDS, MAX_UPLOAD_BYTES};

impl Gen<'_> {
    pub(super) fn image(&mut self) -> Vec<u8> {
        let images = &self.ctx.images;
        images[self.rng.usize(..images.len())].clone()
    }

    pub(super) fn upload_fields(&mut self) -> Vec<(String, String)> {
        let mut f: Vec<(String, String)> = Vec::new();
        let mut add = |g: &mut Self, p: f64, k: &str, v: &dyn Fn(&mut Self) -> String| {
            if g.p(p) {
                let v = v(g);
                f.push((k.to_string(), v));
            }
        };
        add(self, 0.9, "fileName", &|g| g.file_name());
        add(self, 0.4, "useUniqueFileName", &|g| g.bool_text());
        add(self, 0.5, "folder", &|g| g.folder());
        add(self, 0.4, "tags", &|g| {
            if g.p(0.8) {
                (0..g.n(0..4))
                    .map(|_| g.word())
                    .collect::<Vec<_>>()
                    .join(",")
            } else {
                g.junk()
            }
        });
        add(self, 0.15, "isPrivateFile", &|g| g.bool_text());
        add(self, 0.15, "isPublished", &|g| g.bool_text());
        add(self, 0.15, "customCoordinates", &|g| {
            g.pick(&["10,10,20,20", "1,2,3,4", "a,b,c,d", "", "-1,0,5,5", "1,2,3"])
                .into()
        });
        add(self, 0.2, "responseFields", &|g| {
            let fields = [
                "tags",
                "customCoordinates",
                "isPrivateFile",
                "embeddedMetadata",
                "customMetadata",
                "isPublished",
                "metadata",
                "nope",
            ];
            (0..g.n(0..4))
                .map(|_| g.pick(&fields))
                .collect::<Vec<_>>()
                .join(",")
        });
        add(self, 0.15, "customMetadata", &|g| {
            let field = g
                .ctx
                .learned_pick(&mut g.rng, Pool::FieldName)
                .unwrap_or_else(|| "price".into());
            let mut m = Map::new();
            m.insert(field, g.json(1));
            if g.p(0.8) {
                serde_json::to_string(&m).unwrap()
            } else {
                g.junk()
            }
        });
        for key in [
            "overwriteFile",
            "overwriteTags",
            "overwriteAITags",
            "overwriteCustomMetadata",
        ] {
            add(self, 0.1, key, &|g| g.bool_text());
        }
        add(self, 0.1, "extensions", &|g| {
            let e = g.extensions();
            serde_json::to_string(&e).unwrap()
        });
        add(self, 0.1, "transformation", &|g| {
            let pre = json!(g.transformation());
            let kind = g.pick(&["thumbnail", "transformation", "abs", "gif-to-video", "nope"]);
            let protocol = g.pick(&["hls", "dash", "rtmp"]);
            let post = json!([{"type": kind, "value": g.transformation(), "protocol": protocol}]);
            let t = g.object(vec![("pre", pre), ("post", post)], 0.6);
            if g.p(0.9) {
                serde_json::to_string(&t).unwrap()
            } else {
                g.junk()
            }
        });
        add(self, 0.05, "webhookUrl", &|g| g.closed_url());
        add(self, 0.05, "checks", &|g| g.search(0));
        add(self, 0.1, "description", &|g| g.text());
        add(self, 0.05, "isTemporary", &|g| g.bool_text());
        if self.p(0.1) {
            let (k, v) = (self.text(), self.text());
            f.push((k, v));
        }
        f
    }

    pub(super) fn upload(&mut self) -> Req {
        let mut r = req("upload", "POST", "/api/v1/files/upload".into());
        let boundary = match self.rng.u32(0..20) {
            0 => format!("b{}", self.alnum(70)),
            1 => "-".repeat(self.n(1..40)),
            _ => format!("----fuzz{}", self.alnum_in(4..30)),
        };
        let mut parts: Vec<(String, Option<String>, Vec<u8>)> = Vec::new();
        let file_part = |g: &mut Self| -> (Option<String>, Vec<u8>) {
            match g.rng.u32(0..100) {
                0..=29 => {
                    let len = if g.p(0.003) {
                        MAX_UPLOAD_BYTES + g.n(1..65_536)
                    } else {
                        g.log(4096) - 1
                    };
                    let mut bytes = vec![0u8; len];
                    g.rng.fill(&mut bytes);
                    (Some(g.file_name()), bytes)
                }
                30..=54 => (Some(g.file_name()), g.image()),
                55..=62 => {
                    let images = &g.ctx.broken_images;
                    let b = images[g.rng.usize(..images.len())].clone();
                    (Some(g.file_name()), b)
                }
                63..=72 => {
                    let bytes = if g.p(0.7) {
                        g.image()
                    } else {
                        let mut b = vec![0u8; g.log(2048)];
                        g.rng.fill(&mut b);
                        b
                    };
                    let mut text = B64.encode(bytes);
                    if g.p(0.2) {
                        text = text.trim_end_matches('=').to_string();
                    }
                    if g.p(0.05) {
                        text.insert_str(g.n(0..text.len().max(1)), "\r\n");
                    }
                    (None, text.into_bytes())
                }
                73..=77 => {
                    let img = g.image();
                    let mime = g.pick(&["image/png", "text/plain", "", "x"]);
                    (
                        None,
                        format!("data:{mime};base64,{}", B64.encode(img)).into_bytes(),
                    )
                }
                78..=83 => {
                    let url = if g.p(0.6) {
                        g.own_url()
                    } else {
                        g.closed_url()
                    };
                    (None, url.into_bytes())
                }
                84..=88 => (None, g.junk().into_bytes()),
                _ => (
                    if g.p(0.5) { Some(g.file_name()) } else { None },
                    Vec::new(),
                ),
            }
        };
        let roll = self.rng.u32(0..100);
        if roll < 94 {
            let (name, bytes) = file_part(self);
            parts.push(("file".into(), name, bytes));
            if roll >= 92 {
                let (name, bytes) = file_part(self);
                parts.push(("file".into(), name, bytes));
            }
        }
        let mut client_side = false;
        if self.p(0.08) {
            client_side = true;
            let expire = match self.rng.u32(0..6) {
                0..=3 => (now_secs() + 600).to_string(),
                4 => (now_secs() - 10).to_string(),
                _ => self.pick(&["", "abc", "99999999999"]).to_string(),
            };
            let token = self.alnum(12);
            let signature = if self.p(0.7) {
                hmac_sha1_hex(&self.ctx.private_key, &format!("{token}{expire}"))
            } else {
                self.hex(40)
            };
            let key = if self.p(0.9) {
                "public_local_test_key".to_string()
            } else {
                self.text()
            };
            for (k, v) in [
                ("publicKey", key),
                ("signature", signature),
                ("expire", expire),
                ("token", token),
            ] {
                if self.p(0.95) {
                    parts.push((k.into(), None, v.into_bytes()));
                }
            }
        }
        for (k, v) in self.upload_fields() {
            parts.push((k, None, v.into_bytes()));
        }
        let abuse = self.rng.u32(0..1000);
        if abuse < 6 && !self.skipping("upload-many-fields") {
            r.class = "upload-many-fields";
            let n = self.n(2000..8000);
            let repeat = self.p(0.3);
            for i in 0..n {
                let name = if repeat {
                    "tags".to_string()
                } else {
                    format!("f{i}")
                };
                parts.push((name, None, self.alnum_in(1..16).into_bytes()));
            }
        } else if abuse < 7 && !self.skipping("upload-big-fields") {
            r.class = "upload-big-fields";
            let n = self.n(13..17);
            for i in 0..n {
                let value = "x".repeat((1 << 20) - 64);
                parts.push((format!("big{i}"), None, value.into_bytes()));
            }
        }
        let form_bytes: usize = parts
            .iter()
            .filter(|(name, _, _)| name != "file")
            .map(|(_, _, v)| v.len())
            .sum();
        if parts.len() > MAX_FORM_FIELDS {
            r.must_refuse = Some(format!("an upload form of {} parts", parts.len()));
        } else if form_bytes > MAX_FORM_BYTES {
            r.must_refuse = Some(format!(
                "an upload form with {form_bytes} bytes of non-file parts"
            ));
        }
        self.rng.shuffle(&mut parts[..]);

        // Render the multipart body.
        let lf_only = self.p(0.01);
        let nl: &[u8] = if lf_only { b"\n" } else { b"\r\n" };
        let mut body = Vec::new();
        if self.p(0.02) {
            body.extend_from_slice(b"preamble junk\r\n");
        }
        for (name, file_name, content) in &parts {
            body.extend_from_slice(b"--");
            body.extend_from_slice(boundary.as_bytes());
            body.extend_from_slice(nl);
            match self.rng.u32(0..200) {
                0 => {}
                1 => {
                    body.extend_from_slice(
                        format!("Content-Disposition: form-data; name={name}").as_bytes(),
                    );
                    body.extend_from_slice(nl);
                }
                2 => {
                    body.extend_from_slice(b"Content-Disposition: attachment");
                    body.extend_from_slice(nl);
                }
                _ => {
                    let mut disp = format!("Content-Disposition: form-data; name=\"{name}\"");
                    if let Some(f) = file_name {
                        let f = f.replace(['"', '\r', '\n'], "_");
                        let _ = write!(disp, "; filename=\"{f}\"");
                    }
                    body.extend_from_slice(disp.as_bytes());
                    body.extend_from_slice(nl);
                }
            }
            if file_name.is_some() && self.p(0.5) {
                let ct = self.pick(&[
                    "image/png",
                    "application/octet-stream",
                    "text/plain",
                    "",
                    "x/y",
                ]);
                body.extend_from_slice(format!("Content-Type: {ct}").as_bytes());
                body.extend_from_slice(nl);
            }
            body.extend_from_slice(nl);
            body.extend_from_slice(content);
            body.extend_from_slice(nl);
        }
        match self.rng.u32(0..100) {
            0 => {}
            1 => {
                let at = self.n(0..body.len().max(1));
                body.truncate(at);
            }
            _ => {
                body.extend_from_slice(b"--");
                body.extend_from_slice(boundary.as_bytes());
                body.extend_from_slice(b"--");
                body.extend_from_slice(nl);
            }
        }
        r.body = body;
        r.content_type = Some(match self.rng.u32(0..100) {
            0..=89 => format!("multipart/form-data; boundary={boundary}"),
            90..=92 => format!("multipart/form-data; boundary=\"{boundary}\""),
            93 => "multipart/form-data".into(),
            94 => format!("multipart/form-data; boundary={}", self.alnum(10)),
            95 => "application/json".into(),
            96 => String::new(),
            97 => format!("multipart/mixed; boundary={boundary}"),
            98 => "text/plain".into(),
            _ => format!("multipart/form-data; boundary={boundary}; boundary=x"),
        });
        if client_side && self.p(0.8) {
            r.basic_auth = false;
        }
        r
    }
}
