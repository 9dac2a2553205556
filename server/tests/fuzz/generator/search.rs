//! The file list (`GET /v1/files`) and its search queries: valid, broken,
//! very deep and very long.

use super::pools::{SEARCH_FIELDS, SEARCH_OPS, SORTS};
use super::Gen;
use crate::plan::{req, Req};

impl Gen<'_> {
    pub(super) fn list(&mut self) -> Req {
        let path = if self.p(0.9) {
            "/v1/files"
        } else {
            "/v1/files/"
        };
        let mut r = req("list", "GET", path.into());
        // Without a limit a list holds up to 1000 files: costly, so rare.
        if self.p(0.93) {
            let limit = match self.rng.u32(0..20) {
                0..=15 => self.rng.u32(1..=20).to_string(),
                16 => self.rng.u32(1..=1000).to_string(),
                _ => self
                    .pick(&[
                        "0",
                        "-1",
                        "abc",
                        "1e3",
                        "99999999999999999999",
                        "",
                        "1001",
                        " 5",
                    ])
                    .into(),
            };
            self.query(&mut r, "limit", &limit);
        }
        if self.p(0.3) {
            let skip = match self.rng.u32(0..6) {
                0..=3 => self.rng.u32(0..50).to_string(),
                4 => "18446744073709551616".into(),
                _ => self.pick(&["-1", "x", "", "1.5"]).into(),
            };
            self.query(&mut r, "skip", &skip);
        }
        let mut keys: Vec<(&str, String)> = Vec::new();
        if self.p(0.3) {
            keys.push(("sort", self.pick(SORTS).into()));
        }
        if self.p(0.2) {
            let v = if self.p(0.8) {
                self.pick(&["file", "folder", "all", "file-version"]).into()
            } else {
                self.junk()
            };
            keys.push(("type", v));
        }
        if self.p(0.2) {
            let v = if self.p(0.8) {
                self.pick(&["image", "non-image", "all"]).into()
            } else {
                self.junk()
            };
            keys.push(("fileType", v));
        }
        if self.p(0.2) {
            keys.push(("path", self.folder()));
        }
        if self.p(0.15) {
            keys.push(("tags", format!("{},{}", self.word(), self.word())));
        }
        if self.p(0.1) {
            keys.push(("includeFolder", self.bool_text()));
        }
        if self.p(0.1) {
            keys.push(("name", self.file_name()));
        }
        if self.p(0.05) {
            keys.push(("includeDeleted", self.bool_text()));
        }
        let roll = self.rng.u32(0..1000);
        if roll < 15 && !self.skipping("deep-search") {
            r.class = "deep-search";
            keys.push(("searchQuery", self.deep_search()));
        } else if roll < 25 && !self.skipping("long-search") {
            r.class = "long-search";
            keys.push(("searchQuery", self.long_search()));
        } else if roll < 500 {
            keys.push(("searchQuery", self.search(0)));
        }
        if self.p(0.05) {
            keys.push(("searchQuery", self.search(0)));
        }
        if self.p(0.05) {
            let k = self.text();
            let v = self.text();
            self.query(&mut r, &k, &v);
        }
        for (k, v) in keys {
            self.query(&mut r, k, &v);
        }
        if self.p(0.02) {
            r.query.push(
                self.pick(&["&", "=", "==&&", "a", "searchQuery", "%", "limit=5&"])
                    .into(),
            );
        }
        r
    }

    pub(super) fn search_value(&mut self) -> String {
        match self.rng.u32(0..16) {
            0..=2 => format!("\"{}\"", self.word().replace('"', "")),
            3 => self.rng.i64(-10..100_000).to_string(),
            4 => self
                .pick(&["1mb", "500kb", "10gb", "1.5mb", "mb", "-1kb", "1e3kb"])
                .into(),
            5 => self
                .pick(&[
                    "\"2020-01-01\"",
                    "\"2020-13-45\"",
                    "\"2024-01-01T00:00:00Z\"",
                    "\"2024-01-01T00:00:00.000+05:30\"",
                    "2020-01-01",
                ])
                .into(),
            6 => self
                .pick(&[
                    "\"7d\"",
                    "\"2w\"",
                    "\"1h\"",
                    "\"3m\"",
                    "\"1y\"",
                    "\"-7d\"",
                    "\"99999999999y\"",
                    "7d",
                ])
                .into(),
            7 => self.pick(&["true", "false", "\"true\"", "TRUE"]).into(),
            8 => self
                .pick(&[
                    "\"image\"",
                    "\"non-image\"",
                    "\"file\"",
                    "\"folder\"",
                    "\"png\"",
                    "\"image/png\"",
                ])
                .into(),
            9 => format!("[{}, {}]", self.search_value(), self.search_value()),
            10 => "\"unterminated".into(),
            11 => "\"\"".into(),
            12 => format!("\"{}\"", "x".repeat(self.log(5000))),
            13 => "'single'".into(),
            14 => "\"esc\\\"aped\"".into(),
            _ => self.word(),
        }
    }

    pub(super) fn predicate(&mut self) -> String {
        let field = self.pick(SEARCH_FIELDS);
        match self.rng.u32(0..10) {
            0 => {
                let values: Vec<String> = (0..self.n(0..4)).map(|_| self.search_value()).collect();
                format!("{field} IN [{}]", values.join(", "))
            }
            1 => format!("{field} NOT IN [{}]", self.search_value()),
            _ => {
                let op = self.pick(SEARCH_OPS);
                let sp = if self.p(0.5) { " " } else { "" };
                format!("{field}{sp}{op}{sp}{}", self.search_value())
            }
        }
    }

    pub(super) fn search_term(&mut self, depth: u32) -> String {
        match self.rng.u32(0..10) {
            0 if depth < 4 => format!("NOT {}", self.search_term(depth + 1)),
            1 | 2 if depth < 4 => format!("({})", self.search(depth + 1)),
            _ => self.predicate(),
        }
    }

    pub(super) fn search(&mut self, depth: u32) -> String {
        let mut s = self.search_term(depth);
        for _ in 0..self.n(0..3) {
            let joiner = self.pick(&[" AND ", " OR ", " and ", " or ", " AND NOT ", " ", " && "]);
            s.push_str(joiner);
            s.push_str(&self.search_term(depth));
        }
        if self.p(0.1) && !s.is_empty() {
            let mut chars: Vec<char> = s.chars().collect();
            match self.rng.u32(0..3) {
                0 => chars.truncate(self.n(0..chars.len())),
                1 => {
                    let at = self.n(0..=chars.len());
                    let c =
                        self.pick(&['(', ')', '[', ']', ',', '"', '\'', '=', '<', '>', ':', '\\']);
                    chars.insert(at, c);
                }
                _ => {
                    let at = self.n(0..chars.len());
                    chars.remove(at);
                }
            }
            s = chars.into_iter().collect();
        }
        s
    }

    /// Very deep nesting: parentheses or NOT chains up to 20,000 levels (the
    /// `http` crate refuses URIs over 64 KiB with a 414, so the deepest ones
    /// only arrive with unencoded parentheses).
    pub(super) fn deep_search(&mut self) -> String {
        let n = self.log(20_000);
        let pred = self.predicate();
        match self.rng.u32(0..5) {
            0 | 1 => format!("{}{pred}{}", "(".repeat(n), ")".repeat(n)),
            2 => format!("{}{pred}", "NOT ".repeat(n)),
            3 => format!("{}{pred}{}", "(NOT ".repeat(n), ")".repeat(n)),
            _ => "(".repeat(n),
        }
    }

    /// A long flat chain of AND/OR (deep trees from a loop), short enough
    /// for the 64 KiB URI limit of the `http` crate most of the time.
    pub(super) fn long_search(&mut self) -> String {
        let n = self.log(4000);
        let joiner = self.pick(&[" AND ", " OR "]);
        (0..n)
            .map(|i| format!("size>{i}"))
            .collect::<Vec<_>>()
            .join(joiner)
    }
}
