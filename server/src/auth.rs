//! ImageKit authentication: HTTP basic auth with the private key as user name
//! and an empty password, or (uploads only) the client-side
//! publicKey/signature/expire/token quadruple.

pub mod jwt;

use std::collections::hash_map::{Entry, HashMap};

use base64::Engine;
use hmac::{Hmac, Mac};
use http::{header, HeaderMap};
use sha1::Sha1;
use subtle::ConstantTimeEq;

use crate::timestamp::now_ms;

/// Why a request's credentials were refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthError {
    /// None given, or unreadable (ImageKit's 401).
    Missing(String),
    /// Given but wrong (403).
    Wrong(String),
    /// Malformed client-side fields, or a token used before (400).
    Invalid(String),
}

impl AuthError {
    fn invalid(message: impl Into<String>) -> Self {
        AuthError::Invalid(message.into())
    }
}

/// Checks the `Authorization` header: 401 when absent or unreadable, 403 when
/// the key is not the configured private key.
pub fn check_basic(headers: &HeaderMap, private_key: &str) -> Result<(), AuthError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(AuthError::Missing(
            "Your request does not contain private API key.".into(),
        ));
    };
    let credentials = value
        .to_str()
        .ok()
        .and_then(|v| {
            let (scheme, encoded) = v.trim().split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("basic")
                .then_some(encoded.trim())
        })
        .and_then(|encoded| {
            base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .ok()
        })
        .and_then(|decoded| String::from_utf8(decoded).ok());
    let Some(credentials) = credentials else {
        return Err(AuthError::Missing(
            "Your request contains an invalid Authorization header.".into(),
        ));
    };
    let user = credentials
        .split_once(':')
        .map_or(credentials.as_str(), |(u, _)| u);
    if constant_time_eq(user.as_bytes(), private_key.as_bytes()) {
        Ok(())
    } else {
        Err(AuthError::Wrong(
            "Your account cannot be authenticated.".into(),
        ))
    }
}

/// Equal in time independent of where the bytes differ (the length may show).
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

/// Hex HMAC-SHA1 of `message` keyed with `key`: ImageKit's signature for both
/// client-side uploads and signed URLs.
pub fn hmac_sha1_hex(key: &str, message: &str) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = match Hmac::<Sha1>::new_from_slice(key.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(message.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

pub fn signature_matches(expected_hex: &str, given: &str) -> bool {
    constant_time_eq(
        expected_hex.as_bytes(),
        given.to_ascii_lowercase().as_bytes(),
    )
}

/// Client-side upload credentials, sent as form fields instead of a header.
#[derive(Debug, Default)]
pub struct ClientUploadAuth {
    pub public_key: Option<String>,
    pub signature: Option<String>,
    pub expire: Option<String>,
    pub token: Option<String>,
}

impl ClientUploadAuth {
    pub fn is_present(&self) -> bool {
        self.public_key.is_some() || self.signature.is_some()
    }

    /// All four fields given (so they can be checked before the file part).
    pub fn is_complete(&self) -> bool {
        self.public_key.is_some()
            && self.signature.is_some()
            && self.expire.is_some()
            && self.token.is_some()
    }

    /// Validates the fields as ImageKit does: the public key must match, the
    /// expiry must be in the future but at most an hour away, and the
    /// signature must be HMAC-SHA1(privateKey, token + expire).
    pub fn verify(&self, public_key: &str, private_key: &str) -> Result<(), AuthError> {
        let missing =
            |what: &str| AuthError::invalid(format!("Missing {what} for client-side upload."));
        let given_key = self
            .public_key
            .as_deref()
            .ok_or_else(|| missing("publicKey"))?;
        let signature = self
            .signature
            .as_deref()
            .ok_or_else(|| missing("signature"))?;
        let expire = self.expire.as_deref().ok_or_else(|| missing("expire"))?;
        let token = self.token.as_deref().ok_or_else(|| missing("token"))?;
        if !constant_time_eq(given_key.as_bytes(), public_key.as_bytes()) {
            return Err(AuthError::Wrong(
                "Your account cannot be authenticated.".into(),
            ));
        }
        let expire_s: i64 = expire.trim().parse().map_err(|_| {
            AuthError::invalid("The expire parameter must be a Unix time in seconds.")
        })?;
        let now_s = now_ms() / 1000;
        if expire_s < now_s {
            return Err(AuthError::invalid("The expire parameter is in the past."));
        }
        if expire_s > now_s + 3600 {
            return Err(AuthError::invalid(
                "The expire parameter must be less than 1 hour into the future.",
            ));
        }
        if !signature_matches(
            &hmac_sha1_hex(private_key, &format!("{token}{expire}")),
            signature,
        ) {
            return Err(AuthError::invalid("Invalid signature."));
        }
        Ok(())
    }
}

/// The client-side upload tokens already used, each kept until its expiry
/// (at most an hour), since ImageKit accepts a token once.
#[derive(Default)]
pub struct UsedTokens(std::sync::Mutex<HashMap<String, i64>>);

impl UsedTokens {
    /// Records the (verified) credentials' token; a 400 if it was used before.
    pub fn claim(&self, auth: &ClientUploadAuth) -> Result<(), AuthError> {
        let token = auth.token.clone().unwrap_or_default();
        let expire: i64 = auth
            .expire
            .as_deref()
            .and_then(|e| e.trim().parse().ok())
            .unwrap_or(0);
        let now_s = now_ms() / 1000;
        let mut used = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if used.len() >= 4096 {
            used.retain(|_, expire| *expire >= now_s);
        }
        match used.entry(token) {
            Entry::Occupied(_) => Err(AuthError::invalid(
                "The token has already been used. Generate a new token, signature and expire for every upload.",
            )),
            Entry::Vacant(slot) => {
                slot.insert(expire);
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn basic_auth() {
        let good = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("pk:")
        );
        assert!(check_basic(&headers(&good), "pk").is_ok());
        let wrong = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("nope:")
        );
        assert!(matches!(
            check_basic(&headers(&wrong), "pk"),
            Err(AuthError::Wrong(_))
        ));
        assert!(matches!(
            check_basic(&HeaderMap::new(), "pk"),
            Err(AuthError::Missing(_))
        ));
        assert!(matches!(
            check_basic(&headers("Basic !!!"), "pk"),
            Err(AuthError::Missing(_))
        ));
    }

    #[test]
    fn hmac_matches_known_vector() {
        // RFC 2202 test case 2.
        assert_eq!(
            hmac_sha1_hex("Jefe", "what do ya want for nothing?"),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"
        );
    }
}
