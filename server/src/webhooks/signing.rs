//! The signatures on every webhook request, both as ImageKit sends them:
//!
//! * `x-ik-signature: t=<unix ms>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`,
//!   which `imagekit@6`'s `verifyWebhookEvent(body, signature, secret)`
//!   checks (`dist/utils/webhook-signature.js`; ImageKit's webhook docs,
//!   "Verify signature manually");
//! * the Standard Webhooks headers `webhook-id`, `webhook-timestamp` (unix
//!   seconds) and `webhook-signature: v1,<base64 HMAC-SHA256(key,
//!   "<id>.<timestamp>.<body>")>`, which `@imagekit/nodejs` 7's
//!   `client.webhooks.unwrap(body, {headers, key})` checks with the
//!   `standardwebhooks` package.
//!
//! Both HMAC keys are the UTF-8 bytes of the whole secret string, `whsec_`
//! prefix included: v6 passes the string to `createHmac`, and v7 hands
//! `standardwebhooks` the base64 of the string (`new Webhook(toBase64(key))`),
//! which decodes back to the same bytes.

use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The secret of a server started with the default (public) keys and no
/// `--webhook-secret`: as public as they are, and the same every run.
pub const DEFAULT_SECRET: &str = "whsec_bG9jYWxfdGVzdF93ZWJob29rX3NlY3JldA";

/// A fresh secret in ImageKit's form: `whsec_` and 32 base64 characters
/// (24 random bytes).
pub fn generate_secret() -> String {
    let mut bytes = [0u8; 24];
    bytes[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    bytes[16..].copy_from_slice(&uuid::Uuid::new_v4().as_bytes()[..8]);
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

fn hmac(secret: &str, parts: &[&[u8]]) -> Vec<u8> {
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().to_vec()
}

/// The `x-ik-signature` header value for a body sent at `timestamp_ms`.
pub fn ik_signature(secret: &str, timestamp_ms: i64, body: &[u8]) -> String {
    let t = timestamp_ms.to_string();
    let mac = hmac(secret, &[t.as_bytes(), b".", body]);
    format!("t={t},v1={}", hex::encode(mac))
}

/// The Standard Webhooks `webhook-signature` header value for message `id`
/// sent at `timestamp_s`.
pub fn standard_signature(secret: &str, id: &str, timestamp_s: i64, body: &[u8]) -> String {
    let t = timestamp_s.to_string();
    let mac = hmac(secret, &[id.as_bytes(), b".", t.as_bytes(), b".", body]);
    format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac)
    )
}

/// Every signature header of one attempt to send `body` (the event `id`) at
/// `now_ms`: the timestamps are the attempt's, the id the event's.
pub fn headers(secret: &str, id: &str, now_ms: i64, body: &[u8]) -> [(&'static str, String); 4] {
    let seconds = now_ms.div_euclid(1000);
    [
        ("x-ik-signature", ik_signature(secret, now_ms, body)),
        ("webhook-id", id.to_string()),
        ("webhook-timestamp", seconds.to_string()),
        (
            "webhook-signature",
            standard_signature(secret, id, seconds, body),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_dGhpcyBpcyBhIHRlc3Qgc2VjcmV0";
    const BODY: &str = r#"{"type":"file.deleted","id":"evt_1","created_at":"2026-01-01T00:00:00.000Z","data":{"fileId":"f1"}}"#;

    /// Computed in Node: `crypto.createHmac('sha256', SECRET)` over
    /// `` `${t}.${body}` `` (what imagekit@6's verifyWebhookEvent recomputes),
    /// which accepted the header.
    #[test]
    fn ik_signature_matches_imagekit_v6() {
        assert_eq!(
            ik_signature(SECRET, 1_765_000_000_123, BODY.as_bytes()),
            "t=1765000000123,v1=5ea29d2285d275cd51eb0400587bd845f8812d741ea41452b023f012e9c98873"
        );
    }

    /// Computed in Node with the `standardwebhooks` package keyed as
    /// @imagekit/nodejs 7 keys it: `new Webhook(Buffer.from(SECRET).toString('base64'))
    /// .sign('evt_1', new Date(1765000000 * 1000), body)`.
    #[test]
    fn standard_signature_matches_standardwebhooks() {
        assert_eq!(
            standard_signature(SECRET, "evt_1", 1_765_000_000, BODY.as_bytes()),
            "v1,xBaDDppvcIjt279ea0rWxMVN0YY8J3KmzpXsU9nTKvc="
        );
    }

    #[test]
    fn headers_share_the_attempt_time() {
        let headers = headers(SECRET, "evt_1", 1_765_000_000_123, BODY.as_bytes());
        let get = |name: &str| headers.iter().find(|(n, _)| *n == name).unwrap().1.clone();
        assert!(get("x-ik-signature").starts_with("t=1765000000123,v1="));
        assert_eq!(get("webhook-id"), "evt_1");
        assert_eq!(get("webhook-timestamp"), "1765000000");
        assert_eq!(
            get("webhook-signature"),
            "v1,xBaDDppvcIjt279ea0rWxMVN0YY8J3KmzpXsU9nTKvc="
        );
    }

    #[test]
    fn secrets() {
        let a = generate_secret();
        assert!(a.starts_with("whsec_") && a.len() == 6 + 32, "{a}");
        assert_ne!(a, generate_secret());
        assert!(base64::engine::general_purpose::STANDARD
            .decode(&a[6..])
            .is_ok());
        assert!(DEFAULT_SECRET.starts_with("whsec_"));
    }
}
