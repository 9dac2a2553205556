//! Ids (learned or made up), folders, file paths and names, URLs, tags.

use serde_json::{json, Value};

use super::pools::{FILE_NAMES, FOLDERS};
use super::Gen;
use crate::learned::Pool;

impl Gen<'_> {
    pub(super) fn random_id(&mut self) -> String {
        match self.rng.u32(0..20) {
            0..=7 => self.hex(24),
            8 => format!(
                "{}-{}-{}-{}-{}",
                self.hex(8),
                self.hex(4),
                self.hex(4),
                self.hex(4),
                self.hex(12)
            ),
            9 => String::new(),
            10 => self.junk(),
            11 => {
                let n = self.log(20_000);
                "a".repeat(n)
            }
            12 => "..".into(),
            13 => "default".into(),
            14 => self.rng.u64(..).to_string(),
            15 => "ファイル".into(),
            16 => " ".into(),
            _ => {
                let n = self.n(1..40);
                self.alnum(n)
            }
        }
    }

    pub(super) fn learned_or_random(&mut self, pool: Pool, p: f64) -> String {
        if self.p(p) {
            if let Some(v) = self.ctx.learned_pick(&mut self.rng, pool) {
                return v;
            }
        }
        self.random_id()
    }

    pub(super) fn file_id(&mut self) -> String {
        self.learned_or_random(Pool::FileId, 0.65)
    }

    pub(super) fn folder(&mut self) -> String {
        if self.p(0.8) {
            self.pick(FOLDERS).to_string()
        } else if self.p(0.5) {
            format!("/{}/{}", self.word(), self.word())
        } else {
            self.junk()
        }
    }

    pub(super) fn file_path(&mut self) -> String {
        if self.p(0.7) {
            if let Some(p) = self.ctx.learned_pick(&mut self.rng, Pool::FilePath) {
                return p;
            }
        }
        match self.rng.u32(0..4) {
            0 => format!(
                "{}/{}",
                self.folder().trim_end_matches('/'),
                self.file_name()
            ),
            1 => format!("/{}", self.file_name()),
            2 => self.junk(),
            _ => format!("/{}/{}", self.word(), self.alnum(8)),
        }
    }

    pub(super) fn file_name(&mut self) -> String {
        if self.p(0.85) {
            self.pick(FILE_NAMES).to_string()
        } else {
            self.junk()
        }
    }

    pub(super) fn own_url(&mut self) -> String {
        let path = self.file_path();
        let tr = if self.p(0.3) {
            format!("/tr:{}", self.transformation())
        } else {
            String::new()
        };
        let path = self.enc_path(&path);
        format!(
            "http://127.0.0.1:{}/local{tr}/{}",
            self.ctx.port,
            path.trim_start_matches('/')
        )
    }

    pub(super) fn closed_url(&mut self) -> String {
        format!(
            "http://127.0.0.1:{}/{}",
            self.ctx.closed_port,
            self.alnum(6)
        )
    }

    /// A URL for the server to fetch: its own delivery URLs, a closed port,
    /// or not a URL at all.
    pub(super) fn fetch_url(&mut self) -> String {
        match self.rng.u32(0..10) {
            0..=4 => self.own_url(),
            5..=7 => self.closed_url(),
            _ => self
                .pick(&[
                    "",
                    "abc",
                    "http://",
                    "http:///x",
                    "https://127.0.0.1:1/x",
                    "ftp://127.0.0.1:1/x",
                    "http://[::1",
                ])
                .to_string(),
        }
    }

    pub(super) fn tags(&mut self) -> Value {
        match self.rng.u32(0..12) {
            0..=7 => Value::Array((0..self.n(0..5)).map(|_| json!(self.text())).collect()),
            8 => json!(self.text()),
            9 => Value::Array((0..self.log(3000)).map(|_| json!(self.word())).collect()),
            10 => Value::Null,
            _ => self.json(0),
        }
    }

    pub(super) fn file_ids(&mut self) -> Value {
        match self.rng.u32(0..12) {
            0..=8 => Value::Array((0..self.n(0..5)).map(|_| json!(self.file_id())).collect()),
            9 => Value::Array((0..self.log(3000)).map(|_| json!(self.file_id())).collect()),
            10 => json!(self.file_id()),
            _ => self.json(0),
        }
    }
}
