//! HMAC signatures: signed URLs, client-upload authentication parameters and webhooks.

use hmac::{Hmac, Mac};
use sha1::Sha1;

use crate::api::{invalid_arg_type, Host, Kind, Validated};

type HmacSha1 = Hmac<Sha1>;

/// What `crypto.createHmac` takes as a key, in its error's words.
const HMAC_KEY_TYPES: &str =
    "of type string or an instance of ArrayBuffer, Buffer, TypedArray, DataView, KeyObject, or CryptoKey";

/// Lifetime of client-upload authentication parameters when no expiry is given.
const DEFAULT_AUTH_EXPIRY_SECONDS: f64 = 30.0 * 60.0;

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

/// v6's `getAuthenticationParameters(token, expire)` for a string or numeric `token` and
/// `expire` (`imagekit.js` takes any other input through v6's own steps in JavaScript, so
/// `token + expire` is concatenation here).
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
        let message = format!("{}{}", host.to_string(token)?, host.to_string(expire)?);
        authentication_signature(&hmac_key(host, private_key)?, &message)
    } else {
        String::new()
    };
    Ok(AuthenticationParameters {
        token,
        expire,
        signature,
    })
}

pub fn hmac_sha1_hex(key: &[u8], message: &[u8]) -> String {
    let mut mac = HmacSha1::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}

/// `encodeURI`, applied by v6 to a string to sign when it holds non-ASCII characters.
fn encode_uri(s: &str) -> String {
    const KEEP: &[u8] = b";,/?:@&=+$-_.!~*'()#";
    let mut out = String::with_capacity(s.len());
    for byte in s.bytes() {
        if byte.is_ascii_alphanumeric() || KEEP.contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// v6 encodes the part before the first `?` and keeps only the part up to a second `?`.
fn encode_string_if_required(s: &str) -> String {
    if s.is_ascii() {
        return s.to_owned();
    }
    match s.split('?').collect::<Vec<_>>().as_slice() {
        [before, after, ..] => format!("{}?{}", encode_uri(before), after),
        _ => encode_uri(s),
    }
}

/// `urlEndpoint` with the trailing slash v6 adds before stripping it from a URL to sign.
pub fn endpoint_prefix(url_endpoint: &str) -> String {
    if url_endpoint.ends_with('/') {
        url_endpoint.to_owned()
    } else {
        format!("{url_endpoint}/")
    }
}

/// Signature of a URL: HMAC-SHA1 over the URL with the first occurrence of `prefix`
/// (see [`endpoint_prefix`]) removed, followed by the expiry timestamp.
pub fn url_signature(private_key: &[u8], url: &str, prefix: &str, expiry: &str) -> String {
    let to_sign = format!("{}{expiry}", url.replacen(prefix, "", 1));
    hmac_sha1_hex(private_key, encode_string_if_required(&to_sign).as_bytes())
}

/// Webhook signature: hex HMAC-SHA256(secret, `<timestamp>.<body>`).
pub fn hmac_sha256_hex(key: &[u8], message: &[u8]) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}

/// Authentication parameters for client-side uploads: HMAC-SHA1 of `token + expire`.
pub fn authentication_signature(private_key: &[u8], token_and_expire: &str) -> String {
    hmac_sha1_hex(private_key, token_and_expire.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_signature_strips_the_endpoint_once() {
        let a = url_signature(
            b"k",
            "https://a.io/x/p.jpg?q=1",
            &endpoint_prefix("https://a.io/x"),
            "9999999999",
        );
        assert_eq!(a, hmac_sha1_hex(b"k", b"p.jpg?q=19999999999"));
    }

    #[test]
    fn non_ascii_is_encoded_before_signing() {
        assert_eq!(encode_string_if_required("ä b?c?d"), "%C3%A4%20b?c");
        assert_eq!(encode_string_if_required("plain?x"), "plain?x");
    }

    #[test]
    fn authentication_parameters_sign_token_and_expiry_with_the_key() {
        use crate::api::model::{Model, V};
        let model = Model::default();
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
    fn authentication_signature_is_hmac_sha1() {
        assert_eq!(
            authentication_signature(b"private_key_test", "your_token1582269249"),
            "e71bcd6031016b060d349d212e23e85c791decdd"
        );
    }
}
