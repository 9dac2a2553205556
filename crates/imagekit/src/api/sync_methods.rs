//! v6's synchronous helpers on JavaScript values: `pHashDistance`,
//! `getAuthenticationParameters(token, expire)` and `verifyWebhookEvent`, each read and
//! checked in v6's order, then handed to the domain module that computes it
//! ([`crate::phash`], [`crate::signature`], [`crate::webhook`]).

use super::{invalid_arg_type, Invalid, Thrown, Validated};
use crate::js::{Host, HostResult, Kind};
use crate::messages::ErrorMessage;
use crate::phash::{distance, is_hex};
use crate::signature::authentication_signature;
use crate::webhook::{parse_header, verify};

/// What `crypto.createHmac` takes as a key, in its error's words.
const HMAC_KEY_TYPES: &str =
    "of type string or an instance of ArrayBuffer, Buffer, TypedArray, DataView, KeyObject, or CryptoKey";

/// Lifetime of client-upload authentication parameters when no expiry is given.
const DEFAULT_AUTH_EXPIRY_SECONDS: f64 = 30.0 * 60.0;

/// What `hmac.update` takes, in its error's words.
const UPDATE_DATA_TYPES: &str = "of type string or an instance of Buffer, TypedArray, or DataView";

/// What `Buffer.from` takes, in its error's words.
const PAYLOAD_TYPES: &str =
    "of type string or an instance of Buffer, ArrayBuffer, or Array or an Array-like Object";

/// v6's `pHashDistance(first, second)` on JavaScript values: the distance, or the message
/// of the `Error` it returns (not throws). A missing value is a falsy one; the first is
/// checked for hex before the second is converted.
pub fn distance_between<H: Host>(
    host: &H,
    first: H::Value,
    second: H::Value,
) -> HostResult<Result<u32, String>> {
    let result = if !host.truthy(first)? || !host.truthy(second)? {
        distance(None, None)
    } else {
        let first = host.to_string(first)?;
        if is_hex(&first) {
            distance(Some(&first), Some(&host.to_string(second)?))
        } else {
            Err(&crate::messages::INVALID_PHASH_VALUE)
        }
    };
    Ok(result.map_err(|message| format!("{}: {}", message.message, message.help)))
}

/// Key bytes for an HMAC, with Node's TypeError for values `crypto` refuses.
pub fn hmac_key<H: Host>(host: &H, value: H::Value) -> Validated<Vec<u8>> {
    if host.kind(value)? == Kind::String {
        return Ok(host.text(value)?.into_bytes());
    }
    match host.view_bytes(value)? {
        Some(bytes) => Ok(bytes),
        None => Err(invalid_arg_type(host, "key", HMAC_KEY_TYPES, value)),
    }
}

/// Client-upload authentication parameters: the token and expiry given (when truthy),
/// else a random UUID and now plus 30 minutes, and their signature. Without a private key
/// v6 signs nothing and falls back to `""` and `0`.
pub struct AuthenticationParameters<V> {
    pub token: V,
    pub expire: V,
    pub signature: String,
}

/// v6's `getAuthenticationParameters(token, expire)`, in v6's order: the defaults for a
/// falsy token or expiry, the key as `crypto.createHmac` reads it, then `token + expire`
/// (JavaScript's `+`: concatenation for the strings and numbers almost every caller
/// passes, the host's own operator for anything else), which HMAC's `update` takes only
/// as a string.
pub fn authentication_parameters<H: Host>(
    host: &H,
    private_key: H::Value,
    token: H::Value,
    expire: H::Value,
    now_seconds: f64,
) -> Validated<AuthenticationParameters<H::Value>> {
    let signing = host.truthy(private_key)?;
    let token = if host.truthy(token)? {
        token
    } else if signing {
        host.new_string(&uuid::Uuid::new_v4().to_string())?
    } else {
        host.new_string("")?
    };
    let expire = if host.truthy(expire)? {
        expire
    } else if signing {
        host.new_number(now_seconds + DEFAULT_AUTH_EXPIRY_SECONDS)?
    } else {
        host.new_number(0.0)?
    };
    let signature = if signing {
        let key = hmac_key(host, private_key)?;
        authentication_signature(&key, &plus_as_data(host, token, expire)?)
    } else {
        String::new()
    };
    Ok(AuthenticationParameters {
        token,
        expire,
        signature,
    })
}

/// `token + expire` as the text `hmac.update` signs, or Node's TypeError for a sum that is
/// not a string (two numbers add up to a number).
fn plus_as_data<H: Host>(host: &H, token: H::Value, expire: H::Value) -> Validated<String> {
    let textual = |kind| matches!(kind, Kind::String | Kind::Number);
    let (left, right) = (host.kind(token)?, host.kind(expire)?);
    if textual(left) && textual(right) && (left == Kind::String || right == Kind::String) {
        return Ok(host.to_string(token)? + &host.to_string(expire)?);
    }
    let sum = host.plus(token, expire)?;
    if host.kind(sum)? == Kind::String {
        return Ok(host.text(sum)?);
    }
    Err(invalid_arg_type(host, "data", UPDATE_DATA_TYPES, sum))
}

/// The `x-ik-signature` header as v6 reads it before anything else: a string (v6 calls
/// its `split`) with a timestamp and a `v1` signature, or v6's error.
pub fn signature_header<H: Host>(host: &H, header: H::Value) -> Validated<String> {
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
    parse_header(&header).map_err(|message| Invalid::Thrown(Thrown::error(message.message)))?;
    Ok(header)
}

/// v6's `verifyWebhookEvent(payload, signature, secret)` on JavaScript values, in v6's
/// order (the header, the payload, the secret, the signature): the verified timestamp
/// and the body to parse as the event.
pub fn verify_event<H: Host>(
    host: &H,
    payload: H::Value,
    header: H::Value,
    secret: H::Value,
) -> Validated<(f64, String)> {
    let header = signature_header(host, header)?;
    let body = if host.kind(payload)? == Kind::String {
        host.text(payload)?
    } else {
        match host.view_bytes(payload)? {
            Some(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            None => return Err(invalid_arg_type(host, "first", PAYLOAD_TYPES, payload)),
        }
    };
    let thrown = |message: &ErrorMessage| Invalid::Thrown(Thrown::error(message.message));
    let secret = hmac_key(host, secret)?;
    let timestamp = verify(&body, &header, &secret).map_err(thrown)?;
    Ok((timestamp, body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::values::{Values, V};

    #[test]
    fn authentication_parameters_sign_token_and_expiry_with_the_key() {
        let model = Values::default();
        let (key, token, expire) = (
            model.put(V::str("private_key_test")),
            model.put(V::str("your_token")),
            model.put(V::Number(1582269249.0)),
        );
        let signed = authentication_parameters(&model, key, token, expire, 0.0).unwrap();
        assert_eq!(signed.signature, "e71bcd6031016b060d349d212e23e85c791decdd");
        assert_eq!((signed.token, signed.expire), (token, expire));
        let (no_key, none) = (model.put(V::str("")), model.put(V::Undefined));
        let unsigned = authentication_parameters(&model, no_key, none, none, 0.0).unwrap();
        assert_eq!(unsigned.signature, "");
        assert_eq!(model.to_string(unsigned.token).unwrap(), "");
        assert_eq!(model.number(unsigned.expire).unwrap(), 0.0);
        let fresh = authentication_parameters(&model, key, none, none, 100.0).unwrap();
        assert_eq!(model.number(fresh.expire).unwrap(), 1900.0);
        assert_eq!(model.to_string(fresh.token).unwrap().len(), 36);
    }

    #[test]
    fn events_from_javascript_values_in_v6s_order() {
        let model = Values::default();
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

    #[test]
    fn javascript_values_as_v6_reads_them() {
        let model = Values::default();
        let (a, b) = (
            model.put(V::str("f06830ca9f1e3e90")),
            model.put(V::str("f06830ca9f1e3e91")),
        );
        assert_eq!(distance_between(&model, a, b).unwrap(), Ok(1));
        let missing = model.put(V::Null);
        assert_eq!(
            distance_between(&model, a, missing).unwrap(),
            Err("Missing pHash value: Please pass two pHash values".to_owned())
        );
        let not_hex = model.put(V::str("xyz"));
        assert_eq!(
            distance_between(&model, not_hex, b).unwrap(),
            Err(
                "Invalid pHash value: Both pHash strings must be valid hexadecimal numbers"
                    .to_owned()
            )
        );
    }
}
