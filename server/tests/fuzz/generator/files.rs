//! A file's routes (details, versions, metadata, delete), tags, copies,
//! moves, renames and purges.

use serde_json::{json, Map, Value};

use super::pools::EXTENSION_NAMES;
use super::Gen;
use crate::learned::Pool;
use crate::plan::{req, Req};

impl Gen<'_> {
    pub(super) fn details_body(&mut self) -> Value {
        if self.p(0.15) {
            let publish = json!({"isPublished": self.p(0.5), "includeFileVersions": self.p(0.5)});
            let mut o = json!({"publish": self.or_json(publish)});
            if self.p(0.1) {
                o["tags"] = self.tags();
            }
            return o;
        }
        let meta = {
            let field = self
                .ctx
                .learned_pick(&mut self.rng, Pool::FieldName)
                .unwrap_or_else(|| "price".into());
            let mut m = Map::new();
            m.insert(field, self.json(1));
            if self.p(0.3) {
                m.insert("color".into(), Value::Null);
            }
            Value::Object(m)
        };
        let tags = self.tags();
        let ai = if self.p(0.2) {
            json!("all")
        } else {
            self.tags()
        };
        let ext = self.extensions();
        let webhook = json!(self.closed_url());
        let description = json!(self.text());
        let coords = json!(self.pick(&["10,10,20,20", "1,2,3", "a,b,c,d", "", "-1,0,5,5"]));
        self.object(
            vec![
                ("tags", tags),
                ("customCoordinates", coords),
                ("customMetadata", meta),
                ("removeAITags", ai),
                ("extensions", ext),
                ("webhookUrl", webhook),
                ("description", description),
            ],
            0.35,
        )
    }

    pub(super) fn extensions(&mut self) -> Value {
        Value::Array(
            (0..self.n(0..3))
                .map(|_| {
                    let name = json!(self.pick(EXTENSION_NAMES));
                    let n1 = self.number();
                    let n2 = self.number();
                    let options = json!({"add_shadow": self.p(0.5), "bg_color": "fff"});
                    self.object(
                        vec![
                            ("name", name),
                            ("maxTags", n1),
                            ("minConfidence", n2),
                            ("options", options),
                        ],
                        0.6,
                    )
                })
                .collect(),
        )
    }

    pub(super) fn file_routes(&mut self) -> Req {
        let id = self.file_id();
        let id_seg = self.id_seg(&id);
        let version = |g: &mut Self| -> (String, String) {
            match g.rng.u32(0..10) {
                0..=5 => g
                    .ctx
                    .version_pick(&mut g.rng)
                    .unwrap_or_else(|| (g.random_id(), g.random_id())),
                6 | 7 => (g.file_id(), g.random_id()),
                _ => (g.random_id(), g.random_id()),
            }
        };
        match self.rng.u32(0..16) {
            0..=2 => req("file", "GET", format!("/v1/files/{id_seg}/details")),
            3..=5 => {
                let mut r = req("file", "PATCH", format!("/v1/files/{id_seg}/details"));
                let body = self.details_body();
                self.json_body(&mut r, body);
                r
            }
            6 | 7 => req("file", "GET", format!("/v1/files/{id_seg}/versions")),
            8 | 9 => {
                let (f, v) = version(self);
                let (f, v) = (self.id_seg(&f), self.id_seg(&v));
                req("file", "GET", format!("/v1/files/{f}/versions/{v}"))
            }
            10 => {
                let (f, v) = version(self);
                let (f, v) = (self.id_seg(&f), self.id_seg(&v));
                req("file", "DELETE", format!("/v1/files/{f}/versions/{v}"))
            }
            11 | 12 => {
                let (f, v) = version(self);
                let (f, v) = (self.id_seg(&f), self.id_seg(&v));
                req("file", "PUT", format!("/v1/files/{f}/versions/{v}/restore"))
            }
            13 | 14 => req("file", "GET", format!("/v1/files/{id_seg}/metadata")),
            _ => req("file", "DELETE", format!("/v1/files/{id_seg}")),
        }
    }

    pub(super) fn tag_routes(&mut self) -> Req {
        let (path, key) = match self.rng.u32(0..5) {
            0 | 1 => ("/v1/files/addTags", "tags"),
            2 => ("/v1/files/removeTags", "tags"),
            3 => ("/v1/files/removeAITags", "AITags"),
            _ => ("/v1/files/batch/deleteByFileIds", ""),
        };
        let mut r = req("tags", "POST", path.into());
        let ids = self.file_ids();
        let tags = self.tags();
        let body = if key.is_empty() {
            self.object(vec![("fileIds", ids)], 0.95)
        } else {
            self.object(vec![("fileIds", ids), (key, tags)], 0.9)
        };
        self.json_body(&mut r, body);
        r
    }

    pub(super) fn copy_move(&mut self) -> Req {
        let source = json!(self.file_path());
        let dest = json!(self.folder());
        let mut r = match self.rng.u32(0..3) {
            0 => {
                let mut r = req("copy-move", "POST", "/v1/files/copy".into());
                let versions = json!(self.p(0.5));
                let body = self.object(
                    vec![
                        ("sourceFilePath", source),
                        ("destinationPath", dest),
                        ("includeFileVersions", versions),
                    ],
                    0.85,
                );
                self.json_body(&mut r, body);
                r
            }
            1 => {
                let mut r = req("copy-move", "POST", "/v1/files/move".into());
                let body = self.object(
                    vec![("sourceFilePath", source), ("destinationPath", dest)],
                    0.9,
                );
                self.json_body(&mut r, body);
                r
            }
            _ => {
                let mut r = req("copy-move", "PUT", "/v1/files/rename".into());
                let name = json!(self.file_name());
                let purge = json!(self.p(0.3));
                let body = self.object(
                    vec![
                        ("filePath", source),
                        ("newFileName", name),
                        ("purgeCache", purge),
                    ],
                    0.85,
                );
                self.json_body(&mut r, body);
                r
            }
        };
        r.class = "copy-move";
        r
    }

    pub(super) fn purge(&mut self) -> Req {
        if self.p(0.5) {
            let mut r = req("purge", "POST", "/v1/files/purge".into());
            let url = if self.p(0.7) {
                let mut u = self.own_url();
                if self.p(0.2) {
                    u.push('*');
                }
                json!(u)
            } else {
                json!(self.junk())
            };
            let body = self.object(vec![("url", url)], 0.95);
            self.json_body(&mut r, body);
            r
        } else {
            let id = self.learned_or_random(Pool::PurgeId, 0.7);
            let id = self.id_seg(&id);
            req("purge", "GET", format!("/v1/files/purge/{id}"))
        }
    }
}
