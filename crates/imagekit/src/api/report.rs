//! What a call settles with, in the shape v6 gives it, for the binding to make into
//! JavaScript values: a result is the answer's parsed body with `$ResponseMetadata`; a
//! failure is v6's `{ message, help }`, the exception reading the arguments threw, an
//! `Error` with a Node-style `code`, or ImageKit's error body with `$ResponseMetadata` (and
//! the rate limit's fields after a 429).

use std::borrow::Cow;
use std::ffi::CStr;

use super::{Failure, Invalid, Thrown};
use crate::http::ApiResponse;
use crate::messages::ErrorMessage;

/// Where v6 puts an answer's status and headers: a property that is neither enumerable nor
/// writable, on the result or the error.
pub const RESPONSE_METADATA: &CStr = c"$ResponseMetadata";
/// `$ResponseMetadata`'s fields: the status, and the headers by lower-cased name.
pub const STATUS_CODE: &CStr = c"statusCode";
pub const HEADERS: &CStr = c"headers";
/// An error status's text body (not JSON) becomes `{ help: text }`.
pub const TEXT_BODY: &CStr = c"help";

/// A body as axios parses it: JSON when it parses (the host parses it, so the result is
/// exactly JavaScript's), else its text; `None` when empty.
pub fn body_text(response: &ApiResponse) -> Option<Cow<'_, str>> {
    let text = String::from_utf8_lossy(&response.body);
    (!text.is_empty()).then_some(text)
}

/// How a failure is reported.
#[derive(Debug)]
pub enum Report<'a> {
    /// v6's `{ message, help }`, a fresh object each time.
    Message(&'static ErrorMessage),
    /// An `Error` (or `TypeError`) with a Node-style `code` when it has one.
    Thrown(&'a Thrown),
    /// The exception the host left pending while it read the arguments.
    Pending,
    /// No answer: an `Error` with Node's `code`, and no `$ResponseMetadata`.
    NoAnswer {
        message: &'a str,
        code: &'static str,
    },
    /// ImageKit's error answer: its body (an object as parsed; a text body as
    /// `{ help }`; anything else `{}`), then, after a 429, v6's copy of the body's own
    /// properties with these fields after them; `$ResponseMetadata` on it.
    Answer {
        response: &'a ApiResponse,
        rate_limit: Option<[(&'static CStr, f64); 3]>,
    },
}

impl Failure {
    /// How v6 reports this failure.
    pub fn report(&self) -> Report<'_> {
        match self {
            Failure::Invalid(Invalid::Argument(message)) => Report::Message(message),
            Failure::Invalid(Invalid::Host) => Report::Pending,
            Failure::Invalid(Invalid::Thrown(thrown) | Invalid::Deferred(thrown)) => {
                Report::Thrown(thrown)
            }
            Failure::Transport(error) => Report::NoAnswer {
                message: &error.message,
                code: error.code,
            },
            Failure::Status(response) => Report::Answer {
                response,
                rate_limit: None,
            },
            Failure::RateLimited {
                response,
                limit,
                reset,
                interval,
            } => Report::Answer {
                response,
                rate_limit: Some([
                    (c"X-RateLimit-Limit", *limit),
                    (c"X-RateLimit-Reset", *reset),
                    (c"X-RateLimit-Interval", *interval),
                ]),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::{Stage, TransportError};

    #[test]
    fn each_failure_in_v6s_shape() {
        let message = Failure::Invalid(Invalid::Argument(&crate::messages::FILE_ID_MISSING));
        assert!(
            matches!(message.report(), Report::Message(m) if m.message.starts_with("Missing fileId"))
        );
        let refused = Failure::Transport(TransportError {
            code: "ECONNREFUSED",
            message: "connect ECONNREFUSED".into(),
            stage: Stage::NotSent,
        });
        assert!(matches!(
            refused.report(),
            Report::NoAnswer {
                code: "ECONNREFUSED",
                ..
            }
        ));
        let limited = super::super::answer(Ok(ApiResponse::with_headers(
            429,
            &[("x-ratelimit-limit", "10"), ("x-ratelimit-reset", "1500")],
        )))
        .unwrap_err();
        let Report::Answer {
            response,
            rate_limit: Some(fields),
        } = limited.report()
        else {
            panic!("an answer with the rate limit's fields");
        };
        assert_eq!(response.status, 429);
        let names: Vec<_> = fields
            .iter()
            .map(|(name, _)| name.to_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "X-RateLimit-Limit",
                "X-RateLimit-Reset",
                "X-RateLimit-Interval"
            ]
        );
        assert_eq!((fields[0].1, fields[1].1), (10.0, 1500.0));
        assert!(fields[2].1.is_nan());
        assert_eq!(body_text(response), None);
    }
}
