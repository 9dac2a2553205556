//! Percent-encoding, correct and not, of paths, path segments and queries.

use std::fmt::Write as _;

use super::pools::BAD_ESCAPES;
use super::Gen;
use crate::plan::Req;

fn unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

fn pchar_loose(b: u8) -> bool {
    unreserved(b)
        || matches!(
            b,
            b'!' | b'$' | b'\'' | b'(' | b')' | b'*' | b',' | b';' | b'=' | b':' | b'@'
        )
}

fn qchar_loose(b: u8) -> bool {
    unreserved(b)
        || matches!(
            b,
            b'!' | b'$' | b'\'' | b'(' | b')' | b'*' | b',' | b';' | b':' | b'@' | b'/' | b'?'
        )
}

fn pct(bytes: &[u8], keep: fn(u8) -> bool, lower: bool) -> String {
    let mut out = String::with_capacity(bytes.len() * 3);
    for &b in bytes {
        if keep(b) {
            out.push(b as char);
        } else if lower {
            let _ = write!(out, "%{b:02x}");
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

impl Gen<'_> {
    pub(super) fn enc_seg(&mut self, raw: &str) -> String {
        let b = raw.as_bytes();
        match self.rng.u32(0..100) {
            0..=59 => pct(b, unreserved, false),
            60..=84 => pct(b, pchar_loose, false),
            85..=89 => pct(b, |_| false, false),
            90..=93 => pct(b, unreserved, true),
            _ => {
                let mut e = pct(b, unreserved, false);
                let at = self.rng.usize(..=e.len());
                let bad = self.pick(BAD_ESCAPES);
                e.insert_str(at, bad);
                e
            }
        }
    }

    pub(super) fn enc_q(&mut self, raw: &str) -> String {
        let b = raw.as_bytes();
        let mut e = match self.rng.u32(0..100) {
            0..=49 => pct(b, unreserved, false),
            50..=84 => pct(b, qchar_loose, false),
            85..=89 => pct(b, |_| false, false),
            90..=93 => pct(b, unreserved, true),
            _ => {
                let mut e = pct(b, unreserved, false);
                let at = self.rng.usize(..=e.len());
                let bad = self.pick(BAD_ESCAPES);
                e.insert_str(at, bad);
                e
            }
        };
        if self.p(0.3) {
            e = e.replace("%20", "+");
        }
        e
    }

    /// An encoded path (segments encoded one by one).
    pub(super) fn enc_path(&mut self, raw: &str) -> String {
        raw.split('/')
            .map(|s| self.enc_seg(s))
            .collect::<Vec<_>>()
            .join("/")
    }

    pub(super) fn query(&mut self, r: &mut Req, key: &str, value: &str) {
        let k = if self.p(0.97) {
            key.to_string()
        } else {
            self.enc_q(key)
        };
        let v = self.enc_q(value);
        r.query.push(format!("{k}={v}"));
    }

    pub(super) fn id_seg(&mut self, raw: &str) -> String {
        if self.p(0.03) {
            // Unencoded: a '/' inside changes the route.
            raw.replace(' ', "%20")
                .chars()
                .filter(|c| c.is_ascii_graphic())
                .collect()
        } else {
            self.enc_seg(raw)
        }
    }
}
