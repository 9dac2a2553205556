//! Request extractors that turn every malformed input into an ImageKit-shaped
//! 4xx instead of axum's plain-text rejections.

use std::collections::HashMap;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::routes::error::ApiError;

/// A JSON request body. An empty body reads as `{}` because the SDK sends no
/// body for some optional-argument calls.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::PayloadTooLarge("Request body is too large.".into())
                } else {
                    ApiError::bad_request(format!(
                        "Could not read the request body: {}",
                        rejection.body_text()
                    ))
                }
            })?;
        let slice: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else {
            &bytes
        };
        serde_json::from_slice(slice)
            .map(JsonBody)
            .map_err(|e| ApiError::bad_request(format!("Your request contains invalid JSON: {e}")))
    }
}

/// A JSON request body that must be an object (an empty body reads as `{}`).
pub struct JsonObject(pub Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for JsonObject {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        match JsonBody::<Value>::from_request(request, state).await?.0 {
            Value::Object(map) => Ok(JsonObject(map)),
            _ => Err(ApiError::bad_request(
                "The request body should be a JSON object.",
            )),
        }
    }
}

/// A JSON object body read into a typed struct of named fields. The body is
/// first read as an object (so a body that is not one gets the same answer
/// as an untyped object body); the struct's fields are then taken from it.
/// Fields whose wrong types ImageKit answers with its own messages are
/// `Field`s (or `serde_json::Value`s), checked by the handler.
pub struct JsonFields<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonFields<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let JsonBody(object) = JsonBody::<Map<String, Value>>::from_request(request, state).await?;
        serde_json::from_value(Value::Object(object))
            .map(JsonFields)
            .map_err(|e| ApiError::bad_request(format!("Your request contains invalid JSON: {e}")))
    }
}

/// A body field that may be absent, `null`, or a value (JSON `null` and a
/// missing key mean different things in a PATCH).
#[derive(Debug, Default, Clone, PartialEq)]
pub enum Field {
    #[default]
    Absent,
    Null,
    Value(Value),
}

impl<'de> serde::Deserialize<'de> for Field {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Value::deserialize(deserializer)? {
            Value::Null => Field::Null,
            value => Field::Value(value),
        })
    }
}

impl Field {
    /// Absent or `null`.
    pub fn is_empty(&self) -> bool {
        !matches!(self, Field::Value(_))
    }

    pub fn value(&self) -> Option<&Value> {
        match self {
            Field::Value(value) => Some(value),
            _ => None,
        }
    }
}

/// Path parameters, like axum's `Path`, but a segment that does not decode
/// (invalid UTF-8 such as `%ff`) is ImageKit's JSON 400, not plain text.
pub struct Path<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| Path(value))
            .map_err(|rejection| {
                ApiError::bad_request(format!(
                    "The request path is malformed: {}",
                    rejection.body_text()
                ))
            })
    }
}

/// The decoded query string; the last occurrence of a repeated key wins.
pub struct QueryMap(pub HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for QueryMap {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or("");
        Ok(QueryMap(
            form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect(),
        ))
    }
}

impl QueryMap {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }
}

/// Reads a `true`/`false` string as ImageKit does (case-insensitively).
pub fn parse_bool(name: &str, value: &str) -> Result<bool, ApiError> {
    Ok(crate::library::parse_bool(name, value)?)
}
