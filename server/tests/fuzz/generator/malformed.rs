//! Requests to no route, and bytes that are not HTTP/1.1 at all.

use super::pools::METHODS;
use super::Gen;
use crate::plan::{req, Kind, Planned, Req};

impl Gen<'_> {
    pub(super) fn junk_route(&mut self) -> Req {
        let path = match self.rng.u32(0..12) {
            0 => "/".to_string(),
            1 => "/v2/x".into(),
            2 => "/v1".into(),
            3 => format!(
                "/v1/files/{}/{}/{}",
                self.alnum(3),
                self.alnum(3),
                self.alnum(3)
            ),
            4 => "/api/v1/files/upload/extra".into(),
            5 => "/%2e%2e/%2e%2e/etc/passwd".into(),
            6 => self
                .pick(&[
                    "/local",
                    "/local/",
                    "/local/tr:",
                    "/local//",
                    "//v1/files",
                    "/v1/files//details",
                ])
                .into(),
            7 => {
                // Very long.
                let n = self.log(200_000);
                let seg = self.alnum_in(1..20);
                let mut p = String::new();
                while p.len() < n {
                    p.push('/');
                    p.push_str(&seg);
                }
                p
            }
            8 => {
                let j = self.junk();
                format!("/{}", self.enc_seg(&j))
            }
            9 => format!(
                "/v1/files/{}",
                self.pick(&["addTags", "copy", "purge", "rename", "batch"])
            ),
            10 => format!(
                "/v1/{}",
                self.pick(&[
                    "folder/x",
                    "bulkJobs",
                    "accounts",
                    "accounts/usage/x",
                    "metadata/x"
                ])
            ),
            _ => {
                let p = self.file_path();
                format!("/{}", self.enc_path(&p))
            }
        };
        let method = self.pick(METHODS);
        let mut r = req("junk", method, path);
        r.natural_method = false;
        if self.p(0.3) {
            let v = self.json(0);
            self.json_body(&mut r, v);
        }
        r
    }

    pub(super) fn garbage(&mut self, index: u64) -> Planned {
        let port = self.ctx.port;
        let bytes: Vec<u8> = match self.rng.u32(0..9) {
            0 => {
                let mut b = vec![0u8; self.log(4096)];
                self.rng.fill(&mut b);
                b
            }
            1 => b"\x00\x01garbage\r\n\r\n".to_vec(),
            2 => format!("GET /v1/files HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n").into_bytes(),
            3 => b"\r\n\r\n\r\n".to_vec(),
            4 => b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03".to_vec(),
            5 => b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec(),
            6 => {
                let mut b = b"GET /".to_vec();
                b.extend(std::iter::repeat_n(b'a', self.log(500_000)));
                b
            }
            7 => format!("CONNECT 127.0.0.1:{port} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n")
                .into_bytes(),
            _ => {
                let mut b =
                    format!("GET /v1/files HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n").into_bytes();
                for _ in 0..self.n(1000..5000) {
                    b.extend_from_slice(b"X: y\r\n");
                }
                b.extend_from_slice(b"\r\n");
                b
            }
        };
        Planned {
            index,
            class: "garbage",
            framing: "garbage",
            bytes,
            kind: Kind::Malformed,
            slow: None,
            head: false,
            app: true,
            must_refuse: None,
            abandon: self.p(0.3),
        }
    }
}
