//! What a call logs, and where: the core decides the records (each try, each retry, each
//! failure), a [`Log`] (the binding's sends them to the JavaScript logger) receives them.
//! No record carries the private key, the Authorization header, a query string or a path
//! segment holding a URL signature (`ik-s`).

use std::time::Duration;

use percent_encoding::percent_decode_str;

/// How much is logged, from nothing to every try.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Off,
    /// Calls that ended without an answer.
    Error,
    /// Calls that ended with an error status.
    Warn,
    /// Retries and their waits.
    Info,
    /// Every try: method, path, status, duration, try number.
    Debug,
}

impl Level {
    pub const NAMES: [(&'static str, Level); 5] = [
        ("off", Level::Off),
        ("error", Level::Error),
        ("warn", Level::Warn),
        ("info", Level::Info),
        ("debug", Level::Debug),
    ];

    pub fn name(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(_, level)| *level == self)
            .map_or("off", |(name, _)| name)
    }
}

/// One record: a line for people, and its facts for structured loggers.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub level: Level,
    pub message: String,
    pub method: &'static str,
    pub path: String,
    pub status: Option<u16>,
    pub code: Option<&'static str>,
    pub duration: Option<Duration>,
    pub try_number: u32,
    /// The wait before the next try; on a call's last record, the wait that was not taken.
    pub wait: Option<Duration>,
    /// Why a call that could have been retried was not: `"timeout"` when the next try would
    /// have begun after the call's `timeout`.
    pub retry_stopped: Option<&'static str>,
}

impl Record {
    /// The record's facts, for structured loggers: `method`, `path`, `status`, `code`,
    /// `durationMs`, `try`, `waitMs` and `retryStopped`, those it has.
    pub fn fields(&self) -> serde_json::Value {
        let mut fields = serde_json::Map::new();
        fields.insert("method".into(), self.method.into());
        fields.insert("path".into(), self.path.clone().into());
        if let Some(status) = self.status {
            fields.insert("status".into(), status.into());
        }
        if let Some(code) = self.code {
            fields.insert("code".into(), code.into());
        }
        if let Some(duration) = self.duration {
            fields.insert(
                "durationMs".into(),
                round(duration.as_secs_f64() * 1000.0).into(),
            );
        }
        fields.insert("try".into(), self.try_number.into());
        if let Some(wait) = self.wait {
            fields.insert("waitMs".into(), round(wait.as_secs_f64() * 1000.0).into());
        }
        if let Some(why) = self.retry_stopped {
            fields.insert("retryStopped".into(), why.into());
        }
        serde_json::Value::Object(fields)
    }
}

fn round(ms: f64) -> f64 {
    (ms * 10.0).round() / 10.0
}

/// Where records go.
pub trait Log: Send + Sync {
    /// The most detailed level recorded.
    fn level(&self) -> Level;
    fn record(&self, record: Record);
}

/// A request's path as logged: no query, and `[redacted]` for a segment that holds a URL
/// signature (an identifier that is itself a signed URL).
pub fn loggable_path(url: &url::Url) -> String {
    let mut path = String::new();
    for segment in url.path().split('/').skip(1) {
        path.push('/');
        let decoded = percent_decode_str(segment)
            .decode_utf8_lossy()
            .to_ascii_lowercase();
        if decoded.contains("ik-s") {
            path.push_str("[redacted]");
        } else {
            path.push_str(segment);
        }
    }
    if path.is_empty() {
        path.push('/');
    }
    path
}

/// `12.3 ms`.
pub fn milliseconds(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_lose_their_query_and_signed_segments() {
        let url = |text: &str| url::Url::parse(text).unwrap();
        assert_eq!(
            loggable_path(&url("https://api.imagekit.io/v1/files/f1/details")),
            "/v1/files/f1/details"
        );
        assert_eq!(
            loggable_path(&url(
                "https://api.imagekit.io/v1/metadata?url=https://x/a.jpg%3Fik-s%3Dabc"
            )),
            "/v1/metadata"
        );
        assert_eq!(
            loggable_path(&url(
                "https://api.imagekit.io/v1/files/https%3A%2F%2Fx%2Fa.jpg%3FIK-S%3Dabc/details"
            )),
            "/v1/files/[redacted]/details"
        );
        assert_eq!(loggable_path(&url("https://api.imagekit.io")), "/");
        assert_eq!(Level::Info.name(), "info");
        assert!(Level::Debug > Level::Info && Level::Warn > Level::Error);
    }
}
