//! The one error of the typed client: every way a call of [`crate::ImageKit`] can fail.

use crate::api::{Failure, Invalid};

/// Why a call of [`crate::ImageKit`] failed.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// An argument was refused before anything was sent, with v6's message and help text
    /// (`"Missing fileId parameter for this request"`).
    Invalid { message: String, help: String },
    /// No answer: the request could not be sent, or its answer not read. `code` is the
    /// Node-style code the Node SDK reports (`ECONNREFUSED`, `ETIMEDOUT`,
    /// `ERR_RESPONSE_TOO_LARGE`...).
    Transport { code: String, message: String },
    /// ImageKit answered with an error status; `body` is its JSON (`{ "message": ... }`),
    /// or `null` when the answer was not JSON.
    Api {
        status: u16,
        message: String,
        body: Box<serde_json::Value>,
        /// Set on a 429: ImageKit's `X-RateLimit-*` headers.
        rate_limit: Option<RateLimit>,
    },
    /// A successful answer whose body is not the JSON this method returns.
    Decode { message: String },
}

/// ImageKit's rate-limit headers on a 429, as numbers (`NaN` when one is absent, as the
/// Node SDK parses them).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// `X-RateLimit-Limit`: requests allowed per interval.
    pub limit: f64,
    /// `X-RateLimit-Reset`: milliseconds until requests are accepted again.
    pub reset: f64,
    /// `X-RateLimit-Interval`: the interval's length in milliseconds.
    pub interval: f64,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Invalid { message, help } if help.is_empty() => f.write_str(message),
            Error::Invalid { message, help } => write!(f, "{message}: {help}"),
            Error::Transport { code, message } => write!(f, "{message} ({code})"),
            Error::Api {
                status, message, ..
            } => write!(f, "ImageKit answered {status}: {message}"),
            Error::Decode { message } => write!(f, "unexpected answer: {message}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<Failure> for Error {
    fn from(failure: Failure) -> Self {
        let (response, rate_limit) = match failure {
            Failure::Invalid(invalid) => return invalid.into(),
            Failure::Transport(error) => {
                return Error::Transport {
                    code: error.code.to_owned(),
                    message: error.message,
                }
            }
            Failure::Status(response) => (response, None),
            Failure::RateLimited {
                response,
                limit,
                reset,
                interval,
            } => (
                response,
                Some(RateLimit {
                    limit,
                    reset,
                    interval,
                }),
            ),
        };
        let body: serde_json::Value =
            serde_json::from_slice(&response.body).unwrap_or(serde_json::Value::Null);
        let message = match body.get("message").and_then(|m| m.as_str()) {
            Some(message) => message.to_owned(),
            None => String::from_utf8_lossy(&response.body).into_owned(),
        };
        Error::Api {
            status: response.status,
            message,
            body: Box::new(body),
            rate_limit,
        }
    }
}

impl From<Invalid> for Error {
    fn from(invalid: Invalid) -> Self {
        match invalid {
            Invalid::Argument(message) => Error::Invalid {
                message: message.message.to_owned(),
                help: message.help.to_owned(),
            },
            Invalid::Thrown(thrown) | Invalid::Deferred(thrown) => Error::Invalid {
                message: thrown.message,
                help: String::new(),
            },
            Invalid::Host => Error::Invalid {
                message: "an argument could not be read".to_owned(),
                help: String::new(),
            },
        }
    }
}
