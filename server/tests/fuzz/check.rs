//! The checks on an answer to a well-formed request.

use serde_json::Value;

use crate::plan::{show, Planned};
use crate::response::Response;
use crate::{HELP, SHOWN};

/// The checks on an answer to a well-formed request; the JSON of a 2xx
/// answer, when small enough to parse.
pub fn check(p: &Planned, r: &Response) -> Result<Option<Value>, String> {
    let body = || show(&r.body, SHOWN);
    if r.status >= 500 {
        return Err(format!("status {} with body {}", r.status, body()));
    }
    let content_type = r.header("content-type").unwrap_or("").to_ascii_lowercase();
    let json = content_type.starts_with("application/json");
    if p.app && (400..500).contains(&r.status) && !r.body.is_empty() {
        if !json {
            return Err(format!(
                "status {} with a non-JSON body (content-type {content_type:?}): {}",
                r.status,
                body()
            ));
        }
        let v: Value = serde_json::from_slice(&r.body)
            .map_err(|e| format!("status {} with invalid JSON ({e}): {}", r.status, body()))?;
        if !v["message"].is_string() || !v["help"].is_string() {
            return Err(format!(
                "status {} error body without string message and help: {}",
                r.status,
                body()
            ));
        }
        if v["help"] != HELP {
            return Err(format!(
                "status {} error body with another help: {}",
                r.status,
                body()
            ));
        }
    }
    if (200..300).contains(&r.status) {
        if let Some(what) = &p.must_refuse {
            return Err(format!("accepted {what} (status {})", r.status));
        }
        if json && !r.body.is_empty() {
            if r.body.len() < 256 << 10 {
                let v = serde_json::from_slice::<Value>(&r.body).map_err(|e| {
                    format!("status {} with invalid JSON ({e}): {}", r.status, body())
                })?;
                return Ok(Some(v));
            }
            // Too big to parse on every answer (lists of 1000 files): the
            // ends must still be those of an array or object.
            let trimmed = r.body.trim_ascii();
            let ends = (trimmed.first(), trimmed.last());
            if !matches!(ends, (Some(b'['), Some(b']')) | (Some(b'{'), Some(b'}'))) {
                return Err(format!(
                    "status {} with a body that is not JSON: {}",
                    r.status,
                    body()
                ));
            }
        }
    }
    Ok(None)
}
