//! A request as generated ([`Req`]) and as rendered to bytes ([`Planned`]).

use std::fmt::Write as _;

use crate::SHOWN;

/// What a rendered request is, for the checks.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Kind {
    /// Complete and well-formed: must be answered; the connection may be
    /// reused afterwards.
    Answer,
    /// Complete and well-formed, but followed by bytes that are not (or
    /// framed so that reuse is pointless): must be answered, then dropped.
    AnswerOnce,
    /// The body is cut short and the socket half-closed.
    Truncated,
    /// Not valid HTTP/1.1: anything goes but a crash.
    Malformed,
}

pub struct Planned {
    pub index: u64,
    pub class: &'static str,
    pub framing: &'static str,
    pub bytes: Vec<u8>,
    pub kind: Kind,
    /// Dribble plan: (bytes, milliseconds to sleep after them).
    pub slow: Option<Vec<(u16, u16)>>,
    pub head: bool,
    /// An ImageKit route (not `/__admin`).
    pub app: bool,
    /// Set when a 2xx answer would be a bug (an abusive upload form).
    pub must_refuse: Option<String>,
    /// For malformed and truncated requests: close the socket right after
    /// sending instead of half-closing and reading the answer.
    pub abandon: bool,
}

impl Planned {
    pub fn describe(&self) -> String {
        format!(
            "request #{} (class {}, framing {}, {:?}{}): {}",
            self.index,
            self.class,
            self.framing,
            self.kind,
            if self.slow.is_some() { ", slow" } else { "" },
            show(&self.bytes, SHOWN)
        )
    }
}

/// A request before rendering to bytes.
pub struct Req {
    pub class: &'static str,
    pub method: String,
    pub natural_method: bool,
    pub path: String,
    pub query: Vec<String>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub content_type: Option<String>,
    /// `false` when the generator already decided about Authorization.
    pub basic_auth: bool,
    pub must_refuse: Option<String>,
}

pub fn req(class: &'static str, method: &str, path: String) -> Req {
    Req {
        class,
        method: method.to_string(),
        natural_method: true,
        path,
        query: Vec::new(),
        headers: Vec::new(),
        body: Vec::new(),
        content_type: None,
        basic_auth: true,
        must_refuse: None,
    }
}

pub fn show(bytes: &[u8], max: usize) -> String {
    let mut out = bytes[..bytes.len().min(max)].escape_ascii().to_string();
    if bytes.len() > max {
        let _ = write!(out, "... ({} bytes in all)", bytes.len());
    }
    out
}
