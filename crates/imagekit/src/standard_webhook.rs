//! Standard Webhooks verification, as v7's `webhooks.unwrap` applies it: the
//! `webhook-signature` header holds space-separated `v1,<base64>` signatures, each
//! HMAC-SHA256(key, `<webhook-id>.<timestamp>.<body>`), and `webhook-timestamp` must be
//! within five minutes of now.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use subtle::ConstantTimeEq;

use crate::ecma;

/// How far `webhook-timestamp` may be from now, either way.
pub const TOLERANCE_SECONDS: f64 = 5.0 * 60.0;

/// Why a webhook was refused, in the words of the `standardwebhooks` package's
/// `WebhookVerificationError` (except [`Refusal::PayloadType`], a plain `Error` there).
#[derive(Debug, PartialEq, Clone, Copy)]
pub enum Refusal {
    MissingHeaders,
    InvalidTimestamp,
    TooOld,
    TooNew,
    /// The body is neither a string nor a `Buffer`.
    PayloadType,
    NoMatch,
}

impl Refusal {
    pub fn message(self) -> &'static str {
        match self {
            Refusal::MissingHeaders => "Missing required headers",
            Refusal::InvalidTimestamp => "Invalid Signature Headers",
            Refusal::TooOld => "Message timestamp too old",
            Refusal::TooNew => "Message timestamp too new",
            Refusal::PayloadType => "Expected payload to be of type string or Buffer.",
            Refusal::NoMatch => "No matching signature found",
        }
    }
}

/// The three headers, as text (absent ones empty).
pub struct Headers<'a> {
    pub id: &'a str,
    pub timestamp: &'a str,
    pub signature: &'a str,
}

/// `v1,` and the base64 HMAC-SHA256 of `<id>.<timestamp>.<body>`.
pub fn sign(key: &[u8], id: &str, timestamp: &str, body: &str) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    )
}

/// Verifies a webhook: the headers present, the timestamp within the tolerance of
/// `now_seconds`, then a `v1` signature that matches (compared in constant time). `body`
/// is `None` when it is neither a string nor a `Buffer`, which is refused once the
/// timestamp passed, as v7 refuses it.
pub fn verify(
    key: &[u8],
    headers: &Headers,
    body: Option<&str>,
    now_seconds: f64,
) -> Result<(), Refusal> {
    if headers.id.is_empty() || headers.timestamp.is_empty() || headers.signature.is_empty() {
        return Err(Refusal::MissingHeaders);
    }
    let timestamp = ecma::parse_int(headers.timestamp);
    if timestamp.is_nan() {
        return Err(Refusal::InvalidTimestamp);
    }
    let now = now_seconds.floor();
    if now - timestamp > TOLERANCE_SECONDS {
        return Err(Refusal::TooOld);
    }
    if timestamp > now + TOLERANCE_SECONDS {
        return Err(Refusal::TooNew);
    }
    let body = body.ok_or(Refusal::PayloadType)?;
    let expected = sign(key, headers.id, &ecma::number_to_string(timestamp), body);
    let expected = expected.as_bytes().get(3..).unwrap_or_default();
    for versioned in headers.signature.split(' ') {
        let mut parts = versioned.split(',');
        if parts.next() != Some("v1") {
            continue;
        }
        let given = parts.next().unwrap_or_default().as_bytes();
        if given.len() == expected.len() && bool::from(given.ct_eq(expected)) {
            return Ok(());
        }
    }
    Err(Refusal::NoMatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers<'a>(id: &'a str, timestamp: &'a str, signature: &'a str) -> Headers<'a> {
        Headers {
            id,
            timestamp,
            signature,
        }
    }

    #[test]
    fn accepts_any_matching_v1_signature() {
        let good = sign(b"secret", "msg_1", "1700000000", "{}");
        let list = format!("v2,abc v1,bad {good}");
        assert_eq!(
            verify(
                b"secret",
                &headers("msg_1", "1700000000", &list),
                Some("{}"),
                1_700_000_100.0
            ),
            Ok(())
        );
        // parseInt reads the timestamp: the text signed is the number's.
        assert_eq!(
            verify(
                b"secret",
                &headers("msg_1", "01700000000x", &good),
                Some("{}"),
                1_700_000_000.0
            ),
            Ok(())
        );
    }

    #[test]
    fn refuses_in_the_order_v7_checks() {
        let good = sign(b"secret", "msg_1", "1700000000", "{}");
        let check = |h: Headers, body: Option<&str>, now: f64| verify(b"secret", &h, body, now);
        assert_eq!(
            check(headers("", "1", "v1,x"), Some("{}"), 0.0),
            Err(Refusal::MissingHeaders)
        );
        assert_eq!(
            check(headers("a", "x1", "v1,x"), Some("{}"), 0.0),
            Err(Refusal::InvalidTimestamp)
        );
        assert_eq!(
            check(
                headers("msg_1", "1700000000", &good),
                Some("{}"),
                1_700_000_301.0
            ),
            Err(Refusal::TooOld)
        );
        assert_eq!(
            check(
                headers("msg_1", "1700000000", &good),
                Some("{}"),
                1_699_999_699.0
            ),
            Err(Refusal::TooNew)
        );
        assert_eq!(
            check(headers("msg_1", "1700000000", &good), None, 1_700_000_000.0),
            Err(Refusal::PayloadType)
        );
        assert_eq!(
            check(
                headers("msg_1", "1700000000", &good),
                Some("{ }"),
                1_700_000_000.0
            ),
            Err(Refusal::NoMatch)
        );
    }
}
