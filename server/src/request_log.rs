//! The recent API and delivery requests, for the admin page: method, path,
//! status and latency of the last few hundred, never a header or a body, and
//! with the values of secret-bearing query parameters (`ik-s`, `signature`,
//! `token`...) replaced, so the page shows no key or signature.

use std::collections::VecDeque;
use std::sync::Mutex;

use serde::Serialize;

/// How many requests the log keeps.
pub const CAPACITY: usize = 200;

/// Query parameters whose values are never logged.
const SECRET_PARAMS: [&str; 8] = [
    "ik-s",
    "signature",
    "token",
    "publickey",
    "privatekey",
    "private_key",
    "key",
    "password",
];

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    pub at: String,
    pub method: String,
    /// Path and query, secrets replaced by `…`.
    pub path: String,
    pub status: u16,
    pub latency_ms: f64,
}

#[derive(Default)]
pub struct RequestLog(Mutex<VecDeque<Entry>>);

impl RequestLog {
    pub fn push(&self, entry: Entry) {
        let mut log = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if log.len() == CAPACITY {
            log.pop_front();
        }
        log.push_back(entry);
    }

    /// Newest first.
    pub fn recent(&self) -> Vec<Entry> {
        let log = self.0.lock().unwrap_or_else(|e| e.into_inner());
        log.iter().rev().cloned().collect()
    }

    pub fn clear(&self) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

/// The path and query with the values of secret parameters replaced.
pub fn redact(path: &str, query: Option<&str>) -> String {
    let Some(query) = query.filter(|q| !q.is_empty()) else {
        return path.to_string();
    };
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| {
            let key = pair.split_once('=').map_or(pair, |(k, _)| k);
            let name = percent_encoding::percent_decode_str(key)
                .decode_utf8_lossy()
                .to_ascii_lowercase();
            if SECRET_PARAMS.contains(&name.as_str()) {
                format!("{key}=…")
            } else {
                pair.to_string()
            }
        })
        .collect();
    format!("{path}?{}", pairs.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted() {
        assert_eq!(
            redact("/local/a.png", Some("ik-t=99&ik-s=abc123&tr=w-10")),
            "/local/a.png?ik-t=99&ik-s=…&tr=w-10"
        );
        assert_eq!(
            redact("/v1/files", Some("Signature=x&TOKEN")),
            "/v1/files?Signature=…&TOKEN=…"
        );
        assert_eq!(redact("/v1/files", None), "/v1/files");
    }
}
