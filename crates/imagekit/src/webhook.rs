//! Webhook verification: the `x-ik-signature` header is `t=<ms>,v1=<hex>`, and v1 is
//! HMAC-SHA256(secret, `<t>.<raw body>`).

use subtle::ConstantTimeEq;

use crate::ecma;
use crate::messages::{self, ErrorMessage};
use crate::signature::hmac_sha256_hex;

/// The largest time value a JavaScript `Date` holds; v6 signs `NaN` past it.
const MAX_DATE_MS: f64 = 8.64e15;

pub struct SignatureHeader<'a> {
    timestamp: f64,
    v1: &'a str,
}

/// The value of the first `key=value` item whose key matches, as v6's split reads it.
fn item<'a>(header: &'a str, key: &str) -> Option<Option<&'a str>> {
    header.split(',').find_map(|item| {
        let mut parts = item.split('=');
        (parts.next() == Some(key)).then(|| parts.next())
    })
}

pub fn parse_header(header: &str) -> Result<SignatureHeader<'_>, &'static ErrorMessage> {
    let timestamp = item(header, "t")
        .flatten()
        .ok_or(&messages::VERIFY_WEBHOOK_EVENT_TIMESTAMP_MISSING)?;
    let timestamp = ecma::parse_int(timestamp);
    if timestamp.is_nan() || timestamp < 0.0 {
        return Err(&messages::VERIFY_WEBHOOK_EVENT_TIMESTAMP_INVALID);
    }
    let v1 = item(header, "v1")
        .flatten()
        .ok_or(&messages::VERIFY_WEBHOOK_EVENT_SIGNATURE_MISSING)?;
    Ok(SignatureHeader { timestamp, v1 })
}

/// Checks the signature (in constant time) and returns the timestamp it carries.
pub fn verify(body: &str, header: &str, secret: &[u8]) -> Result<f64, &'static ErrorMessage> {
    let SignatureHeader { timestamp, v1 } = parse_header(header)?;
    let signed_time = if timestamp <= MAX_DATE_MS {
        ecma::number_to_string(timestamp)
    } else {
        "NaN".to_owned()
    };
    let expected = hmac_sha256_hex(secret, format!("{signed_time}.{body}").as_bytes());
    if v1.len() != expected.len() || !bool::from(v1.as_bytes().ct_eq(expected.as_bytes())) {
        return Err(&messages::VERIFY_WEBHOOK_EVENT_SIGNATURE_INCORRECT);
    }
    Ok(timestamp)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(t: &str, body: &str, secret: &str) -> String {
        format!(
            "t={t},v1={}",
            hmac_sha256_hex(secret.as_bytes(), format!("{t}.{body}").as_bytes())
        )
    }

    #[test]
    fn accepts_a_valid_signature() {
        let h = header("1655788406333", "{\"a\":1}", "whsec_x");
        assert_eq!(verify("{\"a\":1}", &h, b"whsec_x"), Ok(1655788406333.0));
    }

    #[test]
    fn rejects_tampering_and_malformed_headers() {
        let h = header("1655788406333", "{\"a\":1}", "whsec_x");
        let err = |r: Result<f64, &ErrorMessage>| r.unwrap_err().message;
        assert_eq!(
            err(verify("{\"a\":2}", &h, b"whsec_x")),
            "Incorrect signature"
        );
        assert_eq!(err(verify("{}", "v1=ab", b"s")), "Timestamp missing");
        assert_eq!(err(verify("{}", "t,v1=ab", b"s")), "Timestamp missing");
        assert_eq!(err(verify("{}", "t=x,v1=ab", b"s")), "Timestamp invalid");
        assert_eq!(err(verify("{}", "t=-1,v1=ab", b"s")), "Timestamp invalid");
        assert_eq!(err(verify("{}", "t=1", b"s")), "Signature missing");
    }
}
