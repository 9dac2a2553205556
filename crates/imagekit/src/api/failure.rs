//! How a call fails: one model for every endpoint, mapped to JavaScript in one place by
//! the binding.

use super::Invalid;
use crate::http::{ApiResponse, TransportError};

/// Why a call did not succeed.
#[derive(Debug)]
pub enum Failure {
    /// Its arguments: nothing was sent.
    Invalid(Invalid),
    /// No answer: the request could not be sent or its answer not read. Carries a
    /// Node-style `code` (`ECONNREFUSED`, `ENOTFOUND`, `ERR_STREAM_PREMATURE_CLOSE`...).
    Transport(TransportError),
    /// ImageKit answered with an error status.
    Status(ApiResponse),
    /// ImageKit refused the request for its rate limit (429), with the limit headers
    /// parsed as v6 parses them (`parseInt`, NaN when absent).
    RateLimited {
        response: ApiResponse,
        limit: f64,
        reset: f64,
        interval: f64,
    },
}

/// A response with a 2xx status, or the failure it means.
pub fn answer(result: Result<ApiResponse, TransportError>) -> Result<ApiResponse, Failure> {
    let response = result.map_err(Failure::Transport)?;
    if (200..300).contains(&response.status) {
        return Ok(response);
    }
    if response.status != 429 {
        return Err(Failure::Status(response));
    }
    let header = |name: &str| {
        response
            .headers
            .iter()
            .find(|(n, _)| n == name)
            .map_or(f64::NAN, |(_, v)| crate::ecma::parse_int(v))
    };
    Err(Failure::RateLimited {
        limit: header("x-ratelimit-limit"),
        reset: header("x-ratelimit-reset"),
        interval: header("x-ratelimit-interval"),
        response,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, headers: &[(&str, &str)]) -> ApiResponse {
        ApiResponse::with_headers(status, headers)
    }

    #[test]
    fn statuses_and_rate_limits() {
        assert!(answer(Ok(response(204, &[]))).is_ok());
        assert!(
            matches!(answer(Ok(response(404, &[]))), Err(Failure::Status(r)) if r.status == 404)
        );
        match answer(Ok(response(
            429,
            &[("x-ratelimit-limit", "10"), ("x-ratelimit-reset", "1500ms")],
        ))) {
            Err(Failure::RateLimited {
                limit,
                reset,
                interval,
                ..
            }) => {
                assert_eq!((limit, reset), (10.0, 1500.0));
                assert!(interval.is_nan());
            }
            other => panic!("a rate limit, not {other:?}"),
        }
        let refused = TransportError {
            code: "ECONNREFUSED",
            message: "connect ECONNREFUSED 127.0.0.1:9".into(),
            stage: crate::http::Stage::NotSent,
        };
        assert!(
            matches!(answer(Err(refused)), Err(Failure::Transport(t)) if t.code == "ECONNREFUSED")
        );
    }
}
