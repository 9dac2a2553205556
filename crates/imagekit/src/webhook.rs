//! Webhook verification: the `x-ik-signature` header is `t=<ms>,v1=<hex>`, and v1 is
//! HMAC-SHA256(secret, `<t>.<raw body>`).

use subtle::ConstantTimeEq;

use crate::api::{invalid_arg_type, Host, Invalid, Kind, Thrown, Validated};
use crate::errors::{self, ErrorMessage};
use crate::js;
use crate::signature::{hmac_key, hmac_sha256_hex};

/// What `Buffer.from` takes, in its error's words.
const PAYLOAD_TYPES: &str =
    "of type string or an instance of Buffer, ArrayBuffer, or Array or an Array-like Object";

/// v6's `verifyWebhookEvent(payload, signature, secret)` on JavaScript values, in v6's
/// order (the header's type, the payload, the header's fields, the secret, the
/// signature): the verified timestamp and the body to parse as the event.
pub fn verify_event<H: Host>(
    host: &H,
    payload: H::Value,
    header: H::Value,
    secret: H::Value,
) -> Validated<(f64, String)> {
    let header = match host.kind(header)? {
        Kind::String => host.text(header)?,
        kind @ (Kind::Undefined | Kind::Null) => {
            let what = if kind == Kind::Null {
                "null"
            } else {
                "undefined"
            };
            return Err(Invalid::Thrown(Thrown::type_error(format!(
                "Cannot read properties of {what} (reading 'split')"
            ))));
        }
        _ => {
            return Err(Invalid::Thrown(Thrown::type_error(
                "signature.split is not a function",
            )))
        }
    };
    let body = if host.kind(payload)? == Kind::String {
        host.text(payload)?
    } else {
        match host.view_bytes(payload)? {
            Some(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            None => return Err(invalid_arg_type(host, "first", PAYLOAD_TYPES, payload)),
        }
    };
    let thrown = |message: &ErrorMessage| Invalid::Thrown(Thrown::error(message.message));
    // v6 reads the header before it looks at the secret.
    parse_header(&header).map_err(thrown)?;
    let secret = hmac_key(host, secret)?;
    let timestamp = verify(&body, &header, &secret).map_err(thrown)?;
    Ok((timestamp, body))
}

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
        .ok_or(&errors::VERIFY_WEBHOOK_EVENT_TIMESTAMP_MISSING)?;
    let timestamp = js::parse_int(timestamp);
    if timestamp.is_nan() || timestamp < 0.0 {
        return Err(&errors::VERIFY_WEBHOOK_EVENT_TIMESTAMP_INVALID);
    }
    let v1 = item(header, "v1")
        .flatten()
        .ok_or(&errors::VERIFY_WEBHOOK_EVENT_SIGNATURE_MISSING)?;
    Ok(SignatureHeader { timestamp, v1 })
}

/// Checks the signature (in constant time) and returns the timestamp it carries.
pub fn verify(body: &str, header: &str, secret: &[u8]) -> Result<f64, &'static ErrorMessage> {
    let SignatureHeader { timestamp, v1 } = parse_header(header)?;
    let signed_time = if timestamp <= MAX_DATE_MS {
        js::number_to_string(timestamp)
    } else {
        "NaN".to_owned()
    };
    let expected = hmac_sha256_hex(secret, format!("{signed_time}.{body}").as_bytes());
    if v1.len() != expected.len() || !bool::from(v1.as_bytes().ct_eq(expected.as_bytes())) {
        return Err(&errors::VERIFY_WEBHOOK_EVENT_SIGNATURE_INCORRECT);
    }
    Ok(timestamp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_from_javascript_values_in_v6s_order() {
        use crate::api::model::{Model, V};
        use crate::api::{Invalid, Thrown};
        let model = Model::default();
        let body = r#"{"type":"video.transformation.accepted"}"#;
        let v1 =
            crate::signature::hmac_sha256_hex(b"whsec", format!("1655788406333.{body}").as_bytes());
        let header = model.put(V::Str(format!("t=1655788406333,v1={v1}")));
        let (payload, secret) = (model.put(V::str(body)), model.put(V::str("whsec")));
        assert_eq!(
            verify_event(&model, payload, header, secret),
            Ok((1655788406333.0, body.to_owned()))
        );
        let missing = model.put(V::Undefined);
        assert_eq!(
            verify_event(&model, payload, missing, secret),
            Err(Invalid::Thrown(Thrown::type_error(
                "Cannot read properties of undefined (reading 'split')"
            )))
        );
        let number = model.put(V::Number(5.0));
        assert!(matches!(
            verify_event(&model, number, header, secret),
            Err(Invalid::Thrown(Thrown {
                code: Some("ERR_INVALID_ARG_TYPE"),
                ..
            }))
        ));
        let wrong = model.put(V::str("other"));
        assert_eq!(
            verify_event(&model, payload, header, wrong),
            Err(Invalid::Thrown(Thrown::error("Incorrect signature")))
        );
    }

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
