//! Rendering a request to bytes: request line, head and body framing
//! (length, chunked, or wrong on purpose).

use std::io::Write as _;

use super::Gen;
use crate::plan::{Kind, Planned, Req};

impl Gen<'_> {
    pub(super) fn render(&mut self, r: Req, index: u64) -> Planned {
        let mut kind = Kind::Answer;
        let mut framing = "length";
        let mut target = r.path.clone();
        if !r.query.is_empty() {
            target.push('?');
            target.push_str(&r.query.join("&"));
        } else if self.p(0.01) {
            target.push('?');
        }
        if self.p(0.01) {
            target = format!("http://127.0.0.1:{}{target}", self.ctx.port);
        }
        let mut version = "HTTP/1.1";
        if self.p(0.01) {
            version = "HTTP/1.0";
            kind = Kind::AnswerOnce;
        }
        let mut line = format!("{} {target} {version}\r\n", r.method);
        if self.p(0.01) {
            kind = Kind::Malformed;
            framing = "bad-request-line";
            line = match self.rng.u32(0..8) {
                0 => format!("{} {target} HTTP/9.9\r\n", r.method),
                1 => format!("{} {target}\r\n", r.method),
                2 => format!("{} {target} HTTP/1.1 extra\r\n", r.method),
                3 => format!("{}\t{target}\tHTTP/1.1\r\n", r.method),
                4 => format!("{} /a b{target} HTTP/1.1\r\n", r.method),
                5 => format!("G@T {target} HTTP/1.1\r\n"),
                6 => format!("{} {target}\u{1} HTTP/1.1\r\n", r.method),
                _ => format!("{} {target} http/1.1\r\n", r.method),
            };
        }
        let mut head = line.into_bytes();
        let mut headers = r.headers;
        let body = r.body;
        let mut tail: Vec<u8> = Vec::new();
        let roll = self.rng.u32(0..1000);
        let mut wire_body = body.clone();
        let chunked = |b: &[u8], g: &mut Self| -> Vec<u8> {
            let mut out = Vec::new();
            let mut pos = 0;
            while pos < b.len() {
                let n = g.log(b.len() - pos + 1).min(b.len() - pos).max(1);
                let _ = write!(out, "{n:x}\r\n");
                out.extend_from_slice(&b[pos..pos + n]);
                out.extend_from_slice(b"\r\n");
                pos += n;
            }
            out.extend_from_slice(b"0\r\n\r\n");
            out
        };
        if body.is_empty() {
            let m = r.method.as_str();
            if matches!(m, "POST" | "PUT" | "PATCH") && self.p(0.6) || self.p(0.05) {
                headers.push(("Content-Length".into(), "0".into()));
            } else if self.p(0.01) {
                framing = "chunked";
                headers.push(("Transfer-Encoding".into(), "chunked".into()));
                wire_body = b"0\r\n\r\n".to_vec();
            } else {
                framing = "none";
            }
        } else {
            match roll {
                0..=899 => headers.push(("Content-Length".into(), body.len().to_string())),
                900..=949 => {
                    framing = "chunked";
                    headers.push(("Transfer-Encoding".into(), "chunked".into()));
                    wire_body = chunked(&body, self);
                }
                950..=964 => {
                    framing = "length-too-large";
                    kind = Kind::Truncated;
                    let extra = self.log(100_000);
                    headers.push(("Content-Length".into(), (body.len() + extra).to_string()));
                }
                965..=974 => {
                    framing = "length-too-small";
                    if kind == Kind::Answer {
                        kind = Kind::AnswerOnce;
                    }
                    let n = self.n(0..body.len());
                    headers.push(("Content-Length".into(), n.to_string()));
                }
                975..=984 => {
                    framing = "bad-chunked";
                    kind = Kind::Malformed;
                    headers.push(("Transfer-Encoding".into(), "chunked".into()));
                    let mut c = chunked(&body, self);
                    match self.rng.u32(0..4) {
                        0 => c.splice(0..0, b"zz\r\n".iter().copied()).for_each(drop),
                        1 => c
                            .splice(0..0, b"ffffffffffffffffffff\r\n".iter().copied())
                            .for_each(drop),
                        2 => {
                            // Announce one byte more than sent.
                            let mut out = format!("{:x}\r\n", body.len() + 1).into_bytes();
                            out.extend_from_slice(&body);
                            out.extend_from_slice(b"\r\n0\r\n\r\n");
                            c = out;
                        }
                        _ => c.retain(|b| *b != b'\r'),
                    }
                    wire_body = c;
                }
                985..=989 => {
                    framing = "length-and-chunked";
                    kind = Kind::Malformed;
                    headers.push(("Content-Length".into(), body.len().to_string()));
                    headers.push(("Transfer-Encoding".into(), "chunked".into()));
                    wire_body = chunked(&body, self);
                }
                990..=994 => {
                    framing = "chunked-truncated";
                    kind = Kind::Truncated;
                    headers.push(("Transfer-Encoding".into(), "chunked".into()));
                    let c = chunked(&body, self);
                    wire_body = c[..self.n(0..c.len() - 5)].to_vec();
                }
                _ => {
                    // A body without framing: read as the next request.
                    framing = "unframed-body";
                    if kind == Kind::Answer {
                        kind = Kind::AnswerOnce;
                    }
                }
            }
        }
        if self.p(0.005) {
            framing = "two-lengths";
            kind = Kind::Malformed;
            headers.push(("Content-Length".into(), (body.len() + 1).to_string()));
        }
        let bad_header = self.p(0.01);
        for (name, value) in &headers {
            head.extend_from_slice(name.as_bytes());
            head.extend_from_slice(b": ");
            head.extend_from_slice(value.as_bytes());
            head.extend_from_slice(b"\r\n");
        }
        if bad_header {
            kind = Kind::Malformed;
            framing = "bad-header";
            let bad: &[u8] = self.pick(&[
                &b"NoColonHeader\r\n"[..],
                b"Bad Name: v\r\n",
                b"X-Ctl: a\x01b\r\n",
                b" folded continuation\r\n",
                b"X-A : v\r\n",
                b"X-Nul: \x00\r\n",
                b": empty-name\r\n",
            ]);
            let at = if self.p(0.5) {
                head.len()
            } else {
                head.iter().position(|b| *b == b'\n').unwrap() + 1
            };
            head.splice(at..at, bad.iter().copied()).for_each(drop);
        }
        head.extend_from_slice(b"\r\n");
        if self.p(0.01) && kind != Kind::Malformed {
            // Bare LF line endings in the head.
            head = String::from_utf8_lossy(&head)
                .replace("\r\n", "\n")
                .into_bytes();
            framing = "lf-only";
        }
        if framing == "length-too-small" {
            tail = b"\x00garbage after the body\r\n\r\n".to_vec();
        }
        let mut bytes = head;
        bytes.extend_from_slice(&wire_body);
        bytes.extend_from_slice(&tail);
        if bytes.len() > 380_000 && kind != Kind::Malformed && kind != Kind::Truncated {
            // Whether hyper answers a head over its buffer before resetting
            // the connection is a race; treat as malformed.
            let head_len = bytes.len() - wire_body.len() - tail.len();
            if head_len > 380_000 {
                kind = Kind::Malformed;
                framing = "oversized-head";
            }
        }
        let slow = self.p(0.002).then(|| {
            (0..self.n(5..40))
                .map(|_| (self.rng.u16(1..=16), self.rng.u16(1..=12)))
                .collect()
        });
        Planned {
            index,
            class: r.class,
            framing,
            bytes,
            kind,
            slow,
            head: r.method == "HEAD",
            app: !r.path.starts_with("/__admin"),
            must_refuse: r.must_refuse,
            abandon: self.p(0.3),
        }
    }
}
