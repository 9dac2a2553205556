//! The client-side credential of the v2 upload API
//! (`POST /api/v2/files/upload`): a JSON Web Token in the `token` form field,
//! as ImageKit's "Secure client side file upload (V2)" page describes it:
//!
//! * header `{"alg": "HS256", "typ": "JWT", "kid": <public key>}`;
//! * payload: every upload parameter the request sends except `file` and
//!   `token` (values as strings), plus `iat` and `exp` (jsonwebtoken's
//!   `expiresIn`, "less than one hour (3600 seconds)");
//! * signature: HMAC-SHA256 of `base64url(header).base64url(payload)` keyed
//!   with the private key.
//!
//! A mismatch between the payload and the request's parameters fails the
//! upload, and a token is accepted once (`UsedTokens`), "even if your
//! previous request resulted in an error".

use std::collections::BTreeSet;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{Map, Value};
use sha2::Sha256;

use super::AuthError;

/// Longest a token may live: `exp` at most this long after `iat` (and after
/// now).
pub const MAX_LIFETIME_S: i64 = 3600;

/// The registered time claims: not upload parameters.
const TIME_CLAIMS: [&str; 3] = ["iat", "exp", "nbf"];

/// A token whose header and signature were verified and which is within its
/// lifetime: its upload parameters and expiry.
#[derive(Debug)]
pub struct VerifiedToken {
    /// The payload's claims but the time claims: the upload parameters it signs.
    pub parameters: Map<String, Value>,
    /// `exp`, Unix seconds.
    pub exp: i64,
}

fn invalid(why: &str) -> AuthError {
    AuthError::Invalid(format!("Your request contains an invalid token: {why}"))
}

fn decode_json(part: &str, what: &str) -> Result<Map<String, Value>, AuthError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| invalid(&format!("its {what} is not base64url.")))?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(invalid(&format!("its {what} is not a JSON object."))),
    }
}

/// A NumericDate claim (seconds; a fraction is cut off).
fn seconds(payload: &Map<String, Value>, claim: &str) -> Result<Option<i64>, AuthError> {
    match payload.get(claim) {
        None => Ok(None),
        Some(value) => value
            .as_f64()
            .filter(|s| s.is_finite() && s.abs() < 1e15)
            .map(|s| Some(s.floor() as i64))
            .ok_or_else(|| {
                invalid(&format!(
                    "its {claim} claim must be a Unix time in seconds."
                ))
            }),
    }
}

/// Checks a token's form, header, signature and times at `now_s` (Unix
/// seconds). A wrong `kid` is a 403, as a wrong public key is for the v1
/// client-side upload; everything else a 400.
pub fn verify(
    token: &str,
    public_key: &str,
    private_key: &str,
    now_s: i64,
) -> Result<VerifiedToken, AuthError> {
    let token = token.trim();
    let mut parts = token.split('.');
    let (Some(header_b64), Some(payload_b64), Some(signature_b64), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid(
            "it is not a JSON Web Token (base64url header, payload and signature joined by dots).",
        ));
    };
    let header = decode_json(header_b64, "header")?;
    if header.get("alg").and_then(Value::as_str) != Some("HS256") {
        return Err(invalid("its header's alg must be HS256."));
    }
    match header.get("typ") {
        None => {}
        Some(Value::String(t)) if t.eq_ignore_ascii_case("JWT") => {}
        Some(_) => return Err(invalid("its header's typ must be JWT.")),
    }
    let kid = header
        .get("kid")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("its header has no kid (your public API key)."))?;
    if !super::constant_time_eq(kid.as_bytes(), public_key.as_bytes()) {
        return Err(AuthError::Wrong(
            "Your account cannot be authenticated.".into(),
        ));
    }
    let given = URL_SAFE_NO_PAD
        .decode(signature_b64)
        .map_err(|_| invalid("its signature is not base64url."))?;
    // HMAC accepts keys of any length.
    let mut mac = Hmac::<Sha256>::new_from_slice(private_key.as_bytes())
        .map_err(|_| invalid("its signature does not match."))?;
    mac.update(header_b64.as_bytes());
    mac.update(b".");
    mac.update(payload_b64.as_bytes());
    if mac.verify_slice(&given).is_err() {
        return Err(invalid(
            "its signature does not match. Sign it with HMAC SHA256 and your private API key.",
        ));
    }

    let mut payload = decode_json(payload_b64, "payload")?;
    let iat = seconds(&payload, "iat")?
        .ok_or_else(|| invalid("its payload has no iat (issued at, Unix time in seconds)."))?;
    let exp = seconds(&payload, "exp")?
        .ok_or_else(|| invalid("its payload has no exp (expiry, Unix time in seconds)."))?;
    if now_s >= exp {
        return Err(AuthError::Invalid(
            "The token has expired. Generate a new token for every upload.".into(),
        ));
    }
    if exp.saturating_sub(iat) > MAX_LIFETIME_S || exp.saturating_sub(now_s) > MAX_LIFETIME_S {
        return Err(invalid(
            "its exp must be less than 1 hour (3600 seconds) after its iat, and less than 1 hour into the future.",
        ));
    }
    if let Some(nbf) = seconds(&payload, "nbf")? {
        if now_s < nbf {
            return Err(invalid("it is not valid yet (nbf)."));
        }
    }
    for claim in TIME_CLAIMS {
        payload.remove(claim);
    }
    Ok(VerifiedToken {
        parameters: payload,
        exp,
    })
}

/// Whether a form field's text is the value a payload claim signs: a string
/// claim is the text itself; any other JSON value (`false`, `5`, an object
/// for `customMetadata`) is the text read as JSON.
fn same_value(claim: &Value, sent: &str) -> bool {
    match claim {
        Value::String(s) => s == sent,
        other => serde_json::from_str::<Value>(sent).is_ok_and(|v| &v == other),
    }
}

/// Checks that the request sends exactly the parameters the token signs,
/// with the same values (`sent`: every form field but `file` and `token`).
pub fn check_parameters<'a>(
    token: &VerifiedToken,
    sent: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<(), AuthError> {
    let mismatch = |why: String| {
        AuthError::Invalid(format!(
            "The upload parameters do not match the token: {why} Sign every parameter of the request but file and token."
        ))
    };
    let mut seen = BTreeSet::new();
    let mut sent: Vec<(&str, &str)> = sent.into_iter().collect();
    sent.sort();
    for (name, value) in sent {
        seen.insert(name);
        match token.parameters.get(name) {
            None => return Err(mismatch(format!("{name} is sent but not in the token."))),
            Some(claim) if !same_value(claim, value) => {
                return Err(mismatch(format!("{name} is not the value in the token.")))
            }
            Some(_) => {}
        }
    }
    if let Some(name) = token
        .parameters
        .keys()
        .find(|name| !seen.contains(name.as_str()))
    {
        return Err(mismatch(format!("{name} is in the token but not sent.")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PUBLIC: &str = "public_k";
    const PRIVATE: &str = "private_k";
    const NOW: i64 = 1_700_000_000;

    fn sign(header: &Value, payload: &Value, key: &str) -> String {
        let h = URL_SAFE_NO_PAD.encode(header.to_string());
        let p = URL_SAFE_NO_PAD.encode(payload.to_string());
        let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
        mac.update(format!("{h}.{p}").as_bytes());
        let s = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{h}.{p}.{s}")
    }

    fn header() -> Value {
        serde_json::json!({"alg": "HS256", "typ": "JWT", "kid": PUBLIC})
    }

    #[test]
    fn accepts_a_documented_token_and_checks_its_parameters() {
        let payload = serde_json::json!({
            "fileName": "dress.jpg", "useUniqueFileName": "false", "isPrivateFile": false,
            "iat": NOW, "exp": NOW + 3600
        });
        let token = verify(&sign(&header(), &payload, PRIVATE), PUBLIC, PRIVATE, NOW).unwrap();
        assert_eq!(token.exp, NOW + 3600);
        let sent = [
            ("fileName", "dress.jpg"),
            ("useUniqueFileName", "false"),
            ("isPrivateFile", "false"),
        ];
        check_parameters(&token, sent).unwrap();
        let err = check_parameters(&token, [("fileName", "dress.jpg")]).unwrap_err();
        assert!(
            matches!(err, AuthError::Invalid(m) if m.contains("useUniqueFileName is in the token but not sent"))
        );
        let err = check_parameters(&token, sent.into_iter().chain([("tags", "a")])).unwrap_err();
        assert!(
            matches!(err, AuthError::Invalid(m) if m.contains("tags is sent but not in the token"))
        );
        let mut changed = sent;
        changed[0].1 = "other.jpg";
        let err = check_parameters(&token, changed).unwrap_err();
        assert!(matches!(err, AuthError::Invalid(m) if m.contains("fileName is not the value")));
    }

    #[test]
    fn refuses_bad_tokens() {
        let payload = serde_json::json!({"fileName": "a.jpg", "iat": NOW, "exp": NOW + 60});
        let good = sign(&header(), &payload, PRIVATE);
        let msg = |r: Result<VerifiedToken, AuthError>| match r.unwrap_err() {
            AuthError::Invalid(m) | AuthError::Wrong(m) | AuthError::Missing(m) => m,
        };
        assert!(msg(verify("abc", PUBLIC, PRIVATE, NOW)).contains("not a JSON Web Token"));
        assert!(msg(verify(
            &sign(&header(), &payload, "other"),
            PUBLIC,
            PRIVATE,
            NOW
        ))
        .contains("signature does not match"));
        let mut tampered: Vec<&str> = good.split('.').collect();
        let other = URL_SAFE_NO_PAD.encode(
            serde_json::json!({"fileName": "b.jpg", "iat": NOW, "exp": NOW + 60}).to_string(),
        );
        tampered[1] = &other;
        assert!(msg(verify(&tampered.join("."), PUBLIC, PRIVATE, NOW))
            .contains("signature does not match"));
        assert!(matches!(
            verify(&good, "public_other", PRIVATE, NOW),
            Err(AuthError::Wrong(_))
        ));
        let none = serde_json::json!({"alg": "none", "typ": "JWT", "kid": PUBLIC});
        assert!(msg(verify(
            &sign(&none, &payload, PRIVATE),
            PUBLIC,
            PRIVATE,
            NOW
        ))
        .contains("alg must be HS256"));
        assert!(msg(verify(&good, PUBLIC, PRIVATE, NOW + 60)).contains("expired"));
        let long = serde_json::json!({"iat": NOW, "exp": NOW + 3601});
        assert!(msg(verify(
            &sign(&header(), &long, PRIVATE),
            PUBLIC,
            PRIVATE,
            NOW
        ))
        .contains("less than 1 hour"));
        let no_exp = serde_json::json!({"iat": NOW});
        assert!(msg(verify(
            &sign(&header(), &no_exp, PRIVATE),
            PUBLIC,
            PRIVATE,
            NOW
        ))
        .contains("no exp"));
    }
}
