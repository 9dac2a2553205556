//! JSON values and bodies: plausible objects, any value, and bodies too deep,
//! cut short or mislabelled.

use serde_json::{json, Map, Value};

use super::Gen;
use crate::plan::Req;

impl Gen<'_> {
    pub(super) fn number(&mut self) -> Value {
        match self.rng.u32(0..8) {
            0..=3 => json!(self.rng.i64(-5..200)),
            4 => json!(self.rng.i64(..)),
            5 => json!(u64::MAX),
            6 => json!(self.rng.f64() * 1e6),
            _ => json!(self.pick(&[1e308, -1e308, 0.5, -0.0, 1e-300])),
        }
    }

    pub(super) fn json(&mut self, depth: u32) -> Value {
        match self.rng.u32(0..12) {
            0 => Value::Null,
            1 => json!(self.p(0.5)),
            2 | 3 => self.number(),
            7 | 8 if depth < 3 => {
                Value::Array((0..self.n(0..4)).map(|_| self.json(depth + 1)).collect())
            }
            9 | 10 if depth < 3 => {
                let mut o = Map::new();
                for _ in 0..self.n(0..4) {
                    let k = self.text();
                    let v = self.json(depth + 1);
                    o.insert(k, v);
                }
                Value::Object(o)
            }
            _ => json!(self.text()),
        }
    }

    /// `plausible` most of the time, any JSON value otherwise.
    pub(super) fn or_json(&mut self, plausible: Value) -> Value {
        if self.p(0.85) {
            plausible
        } else {
            self.json(0)
        }
    }

    /// An object of the given (key, plausible value) pairs, each present
    /// with probability `p`, sometimes with extra random keys.
    pub(super) fn object(&mut self, fields: Vec<(&str, Value)>, p: f64) -> Value {
        let mut o = Map::new();
        for (k, v) in fields {
            if self.p(p) {
                let v = self.or_json(v);
                o.insert(k.to_string(), v);
            }
        }
        if self.p(0.1) {
            let k = self.text();
            let v = self.json(0);
            o.insert(k, v);
        }
        Value::Object(o)
    }

    pub(super) fn deep_json(&mut self) -> Vec<u8> {
        let n = self.log(5000) + 100;
        let mut out = Vec::new();
        match self.rng.u32(0..4) {
            0 => {
                out.extend(std::iter::repeat_n(b'[', n));
                out.extend(std::iter::repeat_n(b']', n));
            }
            1 => {
                for _ in 0..n {
                    out.extend_from_slice(b"{\"a\":");
                }
                out.push(b'1');
                out.extend(std::iter::repeat_n(b'}', n));
            }
            2 => {
                out.extend_from_slice(b"{\"fileIds\":");
                out.extend(std::iter::repeat_n(b'[', n));
                out.extend(std::iter::repeat_n(b']', n));
                out.push(b'}');
            }
            _ => out.extend(std::iter::repeat_n(b'[', n)),
        }
        out
    }

    /// Sets a JSON body (usually `value`, sometimes mangled).
    pub(super) fn json_body(&mut self, r: &mut Req, value: Value) {
        let mut body = match self.rng.u32(0..1000) {
            0..=9 if !self.skipping("deep-json") => {
                r.class = "deep-json";
                self.deep_json()
            }
            10..=39 => Vec::new(),
            40..=59 => {
                let v = self.json(0);
                serde_json::to_vec(&v).unwrap()
            }
            _ => serde_json::to_vec(&value).unwrap(),
        };
        match self.rng.u32(0..100) {
            0..=3 if !body.is_empty() => {
                let at = self.n(0..body.len());
                body.truncate(at);
            }
            4 | 5 if !body.is_empty() => {
                let at = self.n(0..body.len());
                body[at] = self.rng.u8(..);
            }
            6 => body.extend_from_slice(b"}garbage"),
            7 => {
                let mut b = b"\xEF\xBB\xBF".to_vec();
                b.extend_from_slice(&body);
                body = b;
            }
            8 => body = b"{\"a\":\"\xff\xfe\"}".to_vec(),
            9 => body = b"  \r\n\t ".to_vec(),
            _ => {}
        }
        r.body = body;
        r.content_type = Some(
            match self.rng.u32(0..100) {
                0..=84 => "application/json",
                85..=89 => "application/json; charset=utf-8",
                90..=92 => "",
                93..=95 => "text/plain",
                96 => "application/x-www-form-urlencoded",
                97 => "multipart/form-data",
                98 => "a/b/c",
                _ => "application/json; charset=\"\u{0}\"",
            }
            .to_string(),
        );
    }
}
