//! HMAC signatures: signed URLs, client-upload authentication parameters and webhooks.

use hmac::{Hmac, Mac};
use sha1::Sha1;

type HmacSha1 = Hmac<Sha1>;

pub fn hmac_sha1_hex(key: &[u8], message: &[u8]) -> String {
    let mut mac = HmacSha1::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(message);
    lower_hex(&mac.finalize().into_bytes())
}

/// Bytes as lower-case hex, as `digest('hex')` writes them.
fn lower_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 15)] as char);
    }
    out
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
    lower_hex(&mac.finalize().into_bytes())
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
    fn authentication_signature_is_hmac_sha1() {
        assert_eq!(
            authentication_signature(b"private_key_test", "your_token1582269249"),
            "e71bcd6031016b060d349d212e23e85c791decdd"
        );
    }
}
