//! Methods and headers: Host, Authorization (right and wrong), content
//! types, and many others.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;

use super::pools::METHODS;
use super::Gen;
use crate::plan::Req;

impl Gen<'_> {
    pub(super) fn auth_header(&mut self) -> Option<String> {
        let key = self.ctx.private_key.clone();
        let basic = |s: &[u8]| format!("Basic {}", B64.encode(s));
        Some(match self.rng.u32(0..100) {
            0..=81 => self.ctx.auth.clone(),
            82..=87 => return None,
            88 => basic(b"wrong:"),
            89 => basic(format!("{key}:password").as_bytes()),
            90 => "Basic !!!notbase64".into(),
            91 => format!("Bearer {key}"),
            92 => "Basic ".into(),
            93 => format!("basic {}", B64.encode(format!("{key}:"))),
            94 => basic(key.as_bytes()),
            95 => basic(format!(":{key}").as_bytes()),
            96 => basic(b"\xff\xfe:\x00"),
            97 => self
                .junk()
                .chars()
                .filter(|c| (' '..='~').contains(c))
                .collect(),
            98 => format!("{} extra", self.ctx.auth),
            _ => basic("k".repeat(self.log(60_000)).as_bytes()),
        })
    }

    pub(super) fn header_value(&mut self) -> String {
        let len = self.log(200);
        (0..len)
            .map(|_| {
                if self.p(0.97) {
                    char::from(self.rng.u8(0x20..0x7f))
                } else {
                    self.pick(&['ü', '日', '\t'])
                }
            })
            .collect::<String>()
            .trim()
            .to_string()
    }

    pub(super) fn std_headers(&mut self, r: &mut Req) {
        let port = self.ctx.port;
        let host = match self.rng.u32(0..100) {
            0..=79 => Some(format!("127.0.0.1:{port}")),
            80..=84 => Some(format!("localhost:{port}")),
            85..=88 => Some("evil.example".into()),
            89..=92 => None,
            93..=95 => Some("127.0.0.1".into()),
            96 => Some(format!("[::1]:{port}")),
            97 => Some(String::new()),
            98 => Some("a b c".into()),
            _ => {
                r.headers.push(("Host".into(), "evil.example".into()));
                Some(format!("127.0.0.1:{port}"))
            }
        };
        if let Some(h) = host {
            r.headers.insert(0, ("Host".into(), h));
        }
        if r.basic_auth {
            if let Some(a) = self.auth_header() {
                r.headers.push(("Authorization".into(), a));
            }
        } else if self.p(0.05) {
            r.headers
                .push(("Authorization".into(), self.ctx.auth.clone()));
        }
        if let Some(ct) = r.content_type.take() {
            if !ct.is_empty() || self.p(0.5) {
                r.headers.push(("Content-Type".into(), ct));
            }
        } else if self.p(0.03) {
            let ct = self.pick(&[
                "application/json",
                "text/plain",
                "multipart/form-data; boundary=x",
                "garbage",
            ]);
            r.headers.push(("Content-Type".into(), ct.into()));
        }
        if self.p(0.1) {
            let origin = self.pick(&["http://evil.example", "null", "http://127.0.0.1"]);
            r.headers.push(("Origin".into(), origin.into()));
        }
        if self.p(0.15) {
            let ua = self.header_value();
            r.headers.push(("User-Agent".into(), ua));
        }
        if self.p(0.05) {
            let v = self.pick(&[
                "bytes=0-10",
                "bytes=-5",
                "bytes=5-",
                "bytes=9-1",
                "bytes=0-0,2-3",
                "items=1",
            ]);
            r.headers.push(("Range".into(), v.into()));
        }
        if self.p(0.02) {
            let v = self.pick(&["close", "keep-alive", "Upgrade", "nope"]);
            r.headers.push(("Connection".into(), v.into()));
        }
        if self.p(0.01) && !r.body.is_empty() {
            r.headers.push(("Expect".into(), "100-continue".into()));
        }
        if self.p(0.01) {
            let v = self.pick(&["websocket", "h2c", "TLS/1.0"]);
            r.headers.push(("Upgrade".into(), v.into()));
        }
        const NAMES: &[&str] = &[
            "X-Foo",
            "Accept",
            "Accept-Encoding",
            "Cookie",
            "X-Forwarded-For",
            "X-Forwarded-Host",
            "Forwarded",
            "Cache-Control",
            "If-None-Match",
            "If-Modified-Since",
            "Accept-Language",
            "X-Real-IP",
            "X-HTTP-Method-Override",
            "Referer",
        ];
        for _ in 0..self.n(0..4) {
            let name = if self.p(0.7) {
                self.pick(NAMES).to_string()
            } else {
                format!("X-{}", self.alnum_in(1..20))
            };
            let v = self.header_value();
            r.headers.push((name, v));
        }
        match self.rng.u32(0..200) {
            0 | 1 => {
                r.class = "many-headers";
                for i in 0..self.n(100..400) {
                    let v = self.header_value();
                    r.headers.push((format!("X-Many-{i}"), v));
                }
            }
            2 | 3 => {
                r.class = "huge-header";
                let n = self.log(100_000);
                r.headers.push(("X-Huge".into(), "h".repeat(n)));
            }
            _ => {}
        }
        let first = 1.min(r.headers.len());
        self.rng.shuffle(&mut r.headers[first..]);
    }

    pub(super) fn method(&mut self, r: &mut Req) {
        if r.natural_method && self.p(0.1) {
            r.method = self.pick(METHODS).to_string();
        }
        // Never reset the store or set fault rules.
        let decoded = percent_encoding::percent_decode_str(&r.path)
            .decode_utf8_lossy()
            .to_ascii_lowercase();
        let m = r.method.to_ascii_uppercase();
        if decoded.contains("admin") && m != "GET" && m != "HEAD" {
            r.method = "GET".into();
        }
    }
}
