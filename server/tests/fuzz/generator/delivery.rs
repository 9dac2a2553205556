//! Delivery URLs (`/local/...`, transformations, signatures) and the admin
//! API's read-only routes.

use std::fmt::Write as _;

use super::Gen;
use crate::learned::Pool;
use crate::plan::{req, Req};

impl Gen<'_> {
    pub(super) fn delivery(&mut self) -> Req {
        let mut path = String::from("/local");
        if self.p(0.1) {
            let prefix = self
                .ctx
                .learned_pick(&mut self.rng, Pool::UrlPrefix)
                .unwrap_or_else(|| self.word());
            let seg = self.enc_seg(&prefix);
            path.push('/');
            path.push_str(&seg);
        }
        if self.p(0.5) {
            let tr = self.transformation();
            let tr = self.enc_seg(&tr);
            match self.rng.u32(0..20) {
                0 => path.push_str("/tr:"),
                1 => {
                    let _ = write!(path, "/tr:{tr}/tr:{tr}");
                }
                _ => {
                    let _ = write!(path, "/tr:{tr}");
                }
            }
        }
        let file = self.file_path();
        let file = self.enc_path(&file);
        if !self.p(0.02) {
            path.push('/');
        }
        path.push_str(file.trim_start_matches('/'));
        let mut r = req("delivery", "GET", path);
        if self.p(0.15) {
            let tr = self.transformation();
            self.query(&mut r, "tr", &tr);
        }
        if self.p(0.1) {
            let v = if self.p(0.7) {
                self.ctx
                    .version_pick(&mut self.rng)
                    .map(|(_, v)| v)
                    .unwrap_or_else(|| self.random_id())
            } else {
                self.random_id()
            };
            self.query(&mut r, "ik-obj-version", &v);
        }
        if self.p(0.05) {
            let s = self.hex(40);
            self.query(&mut r, "ik-s", &s);
            if self.p(0.5) {
                let t = self.pick(&["9999999999", "1", "abc", "", "-5"]).to_string();
                self.query(&mut r, "ik-t", &t);
            }
        }
        if self.p(0.05) {
            let (k, v) = (self.text(), self.text());
            self.query(&mut r, &k, &v);
        }
        // Delivery needs no auth: send it less often.
        r.basic_auth = self.p(0.3);
        if self.p(0.2) {
            let referrer = format!("http://{}.example/{}", self.alnum(5), self.alnum(5));
            r.headers.push(("Referer".into(), referrer));
        }
        r
    }

    pub(super) fn admin(&mut self) -> Req {
        let path = self.pick(&[
            "/__admin/health",
            "/__admin/faults",
            "/__admin/rate-limit",
            "/__admin/check",
            "/__admin/nope",
            "/__admin",
        ]);
        let method = if self.p(0.9) { "GET" } else { "HEAD" };
        let mut r = req("admin", method, path.into());
        r.basic_auth = self.p(0.2);
        r
    }
}
