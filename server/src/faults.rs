//! Fault injection for testing clients: per-route delays, error statuses,
//! dropped connections and truncated bodies. Off unless rules are configured.

use std::collections::BTreeMap;
use std::sync::Mutex;

use http::StatusCode;
use serde::{Deserialize, Serialize};

/// One rule. `path` is a glob over the request path where `*` matches any run
/// of characters (including `/`); `method` absent or `*` matches every method.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultRule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    pub path: String,
    /// Answer with this status and an ImageKit-shaped error body instead of
    /// running the handler.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Wait this long before acting (alone, it just slows the route down).
    #[serde(default)]
    pub delay_ms: u64,
    /// Close the TCP connection without answering.
    #[serde(default)]
    pub drop_connection: bool,
    /// Send the headers (with the full Content-Length) and half of the body,
    /// then close the connection.
    #[serde(default)]
    pub truncate_body: bool,
    /// Apply to this many matching requests, then retire; absent means forever.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u32>,
    /// Headers added to the injected `status` answer (a 429's `Retry-After`, ...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// With `dropConnection`: run the request first (an upload is stored, a delete done),
    /// then close the connection without answering.
    #[serde(default)]
    pub after_handler: bool,
    /// Read the request body slowly: wait this long before each chunk.
    #[serde(default)]
    pub read_delay_ms: u64,
    /// Apply to each matching request with this probability (0 to 1); absent means always.
    /// A request the dice spare neither consumes `times` nor stops at this rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chance: Option<f64>,
}

impl FaultRule {
    pub fn validated(self) -> Result<Self, String> {
        if self.path.is_empty() {
            return Err("fault rule needs a non-empty path".into());
        }
        if let Some(status) = self.status {
            if StatusCode::from_u16(status).is_err() || status < 100 {
                return Err(format!("fault rule status {status} is not an HTTP status"));
            }
        }
        if self.times == Some(0) {
            return Err("fault rule times must be at least 1".into());
        }
        if let Some(chance) = self.chance {
            if !(0.0..=1.0).contains(&chance) {
                return Err(format!("fault rule chance {chance} is not between 0 and 1"));
            }
        }
        for (name, value) in &self.headers {
            if http::HeaderName::from_bytes(name.as_bytes()).is_err()
                || http::HeaderValue::from_str(value).is_err()
            {
                return Err(format!(
                    "fault rule header {name}: {value} is not a valid header"
                ));
            }
        }
        Ok(self)
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        let method_ok = match self.method.as_deref() {
            None | Some("*") => true,
            Some(m) => m.eq_ignore_ascii_case(method),
        };
        method_ok
            && glob_match(
                without_slash(&self.path).as_bytes(),
                without_slash(path).as_bytes(),
            )
    }
}

/// A path without its trailing `/` (the root stays `/`): rule paths and
/// request paths match with or without one (`/v1/files` matches the
/// `/v1/files/` that `listFiles` sends, and the other way round).
fn without_slash(path: &str) -> &str {
    match path.strip_suffix('/') {
        Some("") | None => path,
        Some(trimmed) => trimmed,
    }
}

/// `*`-only glob matching, iterative with single-star backtracking.
fn glob_match(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(c) if *c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p.min(pattern.len())..].iter().all(|c| *c == b'*')
}

#[derive(Default)]
pub struct FaultSet {
    rules: Mutex<Vec<FaultRule>>,
}

impl FaultSet {
    pub fn new(rules: Vec<FaultRule>) -> Self {
        FaultSet {
            rules: Mutex::new(rules),
        }
    }

    pub fn replace(&self, rules: Vec<FaultRule>) {
        *self.rules.lock().unwrap_or_else(|e| e.into_inner()) = rules;
    }

    pub fn list(&self) -> Vec<FaultRule> {
        self.rules.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The first rule matching the request, consuming one of its `times`.
    pub fn take(&self, method: &str, path: &str) -> Option<FaultRule> {
        let mut rules = self.rules.lock().unwrap_or_else(|e| e.into_inner());
        let index = rules.iter().position(|r| {
            r.matches(method, path) && r.chance.is_none_or(|chance| fastrand::f64() < chance)
        })?;
        let rule = rules.get_mut(index)?;
        let taken = rule.clone();
        if let Some(times) = rule.times.as_mut() {
            *times -= 1;
            if *times == 0 {
                rules.remove(index);
            }
        }
        Some(taken)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globbing() {
        assert!(glob_match(b"/v1/files/*/details", b"/v1/files/abc/details"));
        assert!(glob_match(b"/v1/*", b"/v1/files/abc/details"));
        assert!(!glob_match(
            b"/v1/files/*/details",
            b"/v1/files/abc/versions"
        ));
        assert!(glob_match(b"*", b""));
        assert!(glob_match(b"/a*b*c", b"/aXbYbZc"));
        assert!(!glob_match(b"/exact", b"/exact/more"));
    }

    #[test]
    fn trailing_slash_either_way() {
        let rule = |path: &str| {
            super::FaultRule::validated(
                serde_json::from_value(serde_json::json!({"path": path, "status": 503})).unwrap(),
            )
            .unwrap()
        };
        for (rule_path, request) in [
            ("/v1/files", "/v1/files/"),
            ("/v1/files/", "/v1/files"),
            ("/v1/files", "/v1/files"),
            ("/v1/files/", "/v1/files/"),
            ("/", "/"),
        ] {
            assert!(
                rule(rule_path).matches("GET", request),
                "{rule_path} vs {request}"
            );
        }
        assert!(!rule("/v1/files").matches("GET", "/v1/files/abc"));
        assert!(rule("/v1/files/*").matches("GET", "/v1/files/abc/"));
    }

    fn rule(json: &str) -> Result<FaultRule, String> {
        serde_json::from_str::<FaultRule>(json)
            .map_err(|e| e.to_string())
            .and_then(FaultRule::validated)
    }

    #[test]
    fn times_retire_rules() {
        let set = FaultSet::new(vec![rule(
            r#"{"method":"GET","path":"/x","status":503,"times":1}"#,
        )
        .unwrap()]);
        assert!(set.take("POST", "/x").is_none());
        assert!(set.take("get", "/x").is_some());
        assert!(set.take("GET", "/x").is_none());
    }

    #[test]
    fn the_rule_fields_and_their_checks() {
        let full = rule(
            r#"{"path":"*","status":429,"headers":{"Retry-After":"1"},"chance":0.5,"readDelayMs":3}"#,
        )
        .expect("a valid rule");
        assert_eq!(
            full.headers.get("Retry-After").map(String::as_str),
            Some("1")
        );
        assert_eq!((full.chance, full.read_delay_ms), (Some(0.5), 3));
        assert!(rule(r#"{"path":"*","dropConnection":true,"afterHandler":true}"#).is_ok());
        assert!(rule(r#"{"path":"*","chance":1.5}"#).is_err());
        assert!(rule(r#"{"path":"*","headers":{"bad name":"x"}}"#).is_err());
    }

    #[test]
    fn a_rule_its_chance_spares_lets_the_next_rule_apply() {
        let set = FaultSet::new(vec![
            rule(r#"{"path":"*","status":500,"chance":0}"#).unwrap(),
            rule(r#"{"path":"*","status":503,"times":1}"#).unwrap(),
        ]);
        assert_eq!(
            set.take("GET", "/v1/files").and_then(|r| r.status),
            Some(503)
        );
        assert!(
            set.take("GET", "/v1/files").is_none(),
            "the 503 rule retired"
        );
    }
}
