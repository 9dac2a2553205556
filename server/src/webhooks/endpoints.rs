//! Configured webhook endpoints: a URL and the events it receives, from the
//! `--webhook URL[=EVENTS]` flag or the admin API.

use serde::{Deserialize, Serialize};

/// Every event type ImageKit sends, as `@imagekit/nodejs` 7.11 types them
/// (`resources/webhooks.d.ts`, `UnwrapWebhookEvent`). The server sends all
/// but the `video.transformation.*` ones (it does not transcode video).
pub const EVENT_TYPES: [&str; 12] = [
    "video.transformation.accepted",
    "video.transformation.ready",
    "video.transformation.error",
    "upload.pre-transform.success",
    "upload.pre-transform.error",
    "upload.post-transform.success",
    "upload.post-transform.error",
    "file.created",
    "file.updated",
    "file.deleted",
    "file-version.created",
    "file-version.deleted",
];

/// A webhook endpoint: where events go, and which.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Endpoint {
    pub url: String,
    /// Event patterns: a type name, `<prefix>.*` (e.g. `upload.*`,
    /// `upload.pre-transform.*`) or `*`; `["*"]` when no filter was given.
    pub events: Vec<String>,
}

/// An endpoint as the admin API takes it: `{"url": ..., "events": [...]}`
/// (events absent: all), or a string in the flag's syntax.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum EndpointSpec {
    Object {
        url: String,
        #[serde(default)]
        events: Option<Vec<String>>,
    },
    Flag(String),
}

impl EndpointSpec {
    pub fn validated(self) -> Result<Endpoint, String> {
        match self {
            EndpointSpec::Flag(spec) => Endpoint::parse(&spec),
            EndpointSpec::Object { url, events } => {
                Endpoint::new(url, events.unwrap_or_else(|| vec!["*".into()]))
            }
        }
    }
}

/// Whether `pattern` names some event type: `*`, a type, or `<prefix>.*`.
fn known_pattern(pattern: &str) -> bool {
    EVENT_TYPES.iter().any(|t| pattern_matches(pattern, t))
}

fn pattern_matches(pattern: &str, event_type: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some("") => true,
        Some(prefix) => prefix.ends_with('.') && event_type.starts_with(prefix),
        None => pattern == event_type,
    }
}

/// Whether the text after a URL's last `=` is meant as an event filter: a
/// comma-separated list of patterns, each lowercase letters, `-`, `.` and
/// `*` with at least one `.` or `*` (a query value like `abc` or `42` is not).
fn looks_like_filter(list: &str) -> bool {
    list.split(',').all(|item| {
        let item = item.trim();
        item.contains(['.', '*'])
            && item
                .chars()
                .all(|c| c.is_ascii_lowercase() || matches!(c, '.' | '-' | '*'))
    })
}

impl Endpoint {
    /// An endpoint of an http(s) URL and known event patterns.
    pub fn new(url: String, events: Vec<String>) -> Result<Endpoint, String> {
        let parsed =
            url::Url::parse(&url).map_err(|e| format!("{url} is not a valid URL ({e})"))?;
        if !["http", "https"].contains(&parsed.scheme()) || parsed.host_str().is_none() {
            return Err(format!("{url} is not an http or https URL"));
        }
        let events: Vec<String> = events.iter().map(|e| e.trim().to_string()).collect();
        if events.is_empty() {
            return Err(format!(
                "the webhook {url} names no events (leave the filter out to receive all)"
            ));
        }
        if let Some(unknown) = events.iter().find(|e| !known_pattern(e)) {
            return Err(format!(
                "{unknown:?} is not an ImageKit event type or pattern (a type such as file.created, a prefix such as upload.*, or *); the types are {}",
                EVENT_TYPES.join(", ")
            ));
        }
        Ok(Endpoint { url, events })
    }

    /// The `--webhook` syntax: `URL` (every event) or `URL=PATTERN,PATTERN`.
    /// A URL whose query ends in a dotted value (`?host=a.example`) takes an
    /// explicit filter after it: `...?host=a.example=*`.
    pub fn parse(spec: &str) -> Result<Endpoint, String> {
        let spec = spec.trim();
        match spec.rsplit_once('=') {
            Some((url, list)) if looks_like_filter(list) => {
                Endpoint::new(url.to_string(), list.split(',').map(String::from).collect())
            }
            _ => Endpoint::new(spec.to_string(), vec!["*".into()]),
        }
    }

    /// Whether this endpoint receives events of `event_type`.
    pub fn wants(&self, event_type: &str) -> bool {
        self.events.iter().any(|p| pattern_matches(p, event_type))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_syntax() {
        let all = Endpoint::parse("http://127.0.0.1:9000/hook").unwrap();
        assert_eq!(all.events, ["*"]);
        assert!(all.wants("file.created") && all.wants("upload.pre-transform.error"));

        let some = Endpoint::parse("http://127.0.0.1:9000/hook=file.created,upload.*").unwrap();
        assert_eq!(some.url, "http://127.0.0.1:9000/hook");
        assert!(some.wants("file.created"));
        assert!(some.wants("upload.post-transform.success"));
        assert!(!some.wants("file.deleted") && !some.wants("file-version.created"));

        let nested = Endpoint::parse("http://h/x=upload.pre-transform.*").unwrap();
        assert!(nested.wants("upload.pre-transform.error"));
        assert!(!nested.wants("upload.post-transform.error"));

        // A query string stays part of the URL...
        let query = Endpoint::parse("http://h/hook?token=abc&n=42").unwrap();
        assert_eq!(query.url, "http://h/hook?token=abc&n=42");
        assert_eq!(query.events, ["*"]);
        // ...and one ending in a dotted value takes an explicit filter.
        assert!(Endpoint::parse("http://h/hook?host=a.example").is_err());
        let explicit = Endpoint::parse("http://h/hook?host=a.example=*").unwrap();
        assert_eq!(explicit.url, "http://h/hook?host=a.example");

        for bad in [
            "http://h/hook=file.craeted",
            "ftp://h/hook",
            "not a url",
            "http://h/hook=fi*",
        ] {
            assert!(Endpoint::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn admin_specs() {
        let spec: EndpointSpec =
            serde_json::from_str(r#"{"url": "http://h/a", "events": ["file.*"]}"#).unwrap();
        let endpoint = spec.validated().unwrap();
        assert!(endpoint.wants("file.updated") && !endpoint.wants("file-version.deleted"));
        let spec: EndpointSpec = serde_json::from_str(r#""http://h/a=file.deleted""#).unwrap();
        assert_eq!(spec.validated().unwrap().events, ["file.deleted"]);
        let spec: EndpointSpec = serde_json::from_str(r#"{"url": "http://h/a"}"#).unwrap();
        assert_eq!(spec.validated().unwrap().events, ["*"]);
        let spec: EndpointSpec =
            serde_json::from_str(r#"{"url": "http://h/a", "events": []}"#).unwrap();
        assert!(spec.validated().is_err());
    }
}
