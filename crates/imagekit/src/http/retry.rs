//! When a call is tried again, and after how long: pure decisions over one try's outcome,
//! so the rules can be tested without a network.
//!
//! - A request that never reached the server (refused, DNS, TLS handshake, connect
//!   timeout) is retried for every method, and so is a 429 (ImageKit refused it unread).
//! - A 408, a 5xx, a reset or truncated answer and an idle timeout leave it unknown
//!   whether the server acted, so they are retried only for calls whose repeat changes
//!   nothing ([`Repeat::Idempotent`]: reads and updates that set a state).
//! - The wait is what the answer names (`retry-after-ms`, `Retry-After`, ImageKit's
//!   `X-RateLimit-Reset`), up to [`MAX_NAMED_WAIT`]; past that the call ends with the
//!   answer. Otherwise an exponential backoff with jitter, capped at [`MAX_BACKOFF`].

use std::time::{Duration, SystemTime};

use crate::http::{ApiResponse, Stage, TransportError};

/// Whether sending a call twice can do anything that sending it once does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeat {
    /// Reads, and updates that set a state: a repeat leaves everything as one try does.
    Idempotent,
    /// Uploads, creates, copies, moves, renames, deletes, purges, folder jobs, restores:
    /// a repeat after the request went out could do the work twice, or report a done
    /// delete as a 404.
    Once,
}

/// The longest wait an answer may ask for that is honoured.
pub const MAX_NAMED_WAIT: Duration = Duration::from_secs(60);
/// The first backoff; each retry doubles it.
pub const FIRST_BACKOFF: Duration = Duration::from_millis(500);
/// The longest backoff.
pub const MAX_BACKOFF: Duration = Duration::from_secs(8);

/// One try's outcome, as far as retrying goes.
pub enum Outcome<'a> {
    Answer(&'a ApiResponse),
    Failed(&'a TransportError),
}

/// What to do after a try.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Decision {
    /// The outcome is the call's.
    Done,
    /// Try again after this long.
    RetryAfter(Duration),
}

/// After try number `tries` (1 for the first) with `max_retries` allowed: retry, and
/// when. `jitter` is a random number in `[0, 1)`; `now` reads an HTTP-date `Retry-After`.
pub fn decide(
    repeat: Repeat,
    outcome: Outcome<'_>,
    tries: u32,
    max_retries: u32,
    jitter: f64,
    now: SystemTime,
) -> Decision {
    if tries > max_retries {
        return Decision::Done;
    }
    let retryable = match &outcome {
        Outcome::Failed(error) => match error.stage {
            Stage::NotSent => true,
            Stage::Sent => repeat == Repeat::Idempotent,
            Stage::Final => false,
        },
        Outcome::Answer(response) => match response.status {
            429 => true,
            408 | 500..=599 => repeat == Repeat::Idempotent,
            _ => false,
        },
    };
    if !retryable {
        return Decision::Done;
    }
    if let Outcome::Answer(response) = outcome {
        if let Some(named) = named_wait(response, now) {
            return if named <= MAX_NAMED_WAIT {
                Decision::RetryAfter(named)
            } else {
                Decision::Done
            };
        }
    }
    Decision::RetryAfter(backoff(tries, jitter))
}

/// The wait an answer names, in order: `retry-after-ms` (milliseconds), `Retry-After`
/// (seconds, or an HTTP date), `X-RateLimit-Reset` (milliseconds, per ImageKit's docs).
/// A header that does not parse, or is negative, names nothing.
pub fn named_wait(response: &ApiResponse, now: SystemTime) -> Option<Duration> {
    let header = |name: &str| {
        response
            .headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim())
    };
    let millis = |text: &str| {
        text.parse::<f64>()
            .ok()
            .filter(|ms| ms.is_finite() && *ms >= 0.0)
            .map(|ms| Duration::from_secs_f64(ms / 1000.0))
    };
    if let Some(wait) = header("retry-after-ms").and_then(millis) {
        return Some(wait);
    }
    if let Some(text) = header("retry-after") {
        let seconds = text
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map(Duration::from_secs_f64);
        let date = || {
            httpdate::parse_http_date(text)
                .ok()
                .map(|at| at.duration_since(now).unwrap_or(Duration::ZERO))
        };
        if let Some(wait) = seconds.or_else(date) {
            return Some(wait);
        }
    }
    header("x-ratelimit-reset").and_then(millis)
}

/// `FIRST_BACKOFF × 2^(tries − 1)`, capped, of which the last quarter is random.
pub fn backoff(tries: u32, jitter: f64) -> Duration {
    let doublings = tries.saturating_sub(1).min(16);
    let base = FIRST_BACKOFF
        .saturating_mul(1u32 << doublings)
        .min(MAX_BACKOFF);
    base.mul_f64(1.0 - 0.25 * jitter.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, headers: &[(&str, &str)]) -> ApiResponse {
        ApiResponse::with_headers(status, headers)
    }

    fn failed(stage: Stage) -> TransportError {
        TransportError {
            code: "ECONNRESET",
            message: String::new(),
            stage,
        }
    }

    fn decide_now(repeat: Repeat, outcome: Outcome<'_>, tries: u32) -> Decision {
        decide(repeat, outcome, tries, 3, 0.0, SystemTime::now())
    }

    #[test]
    fn what_is_retried_for_which_calls() {
        use Repeat::{Idempotent, Once};
        let retried = |d: Decision| matches!(d, Decision::RetryAfter(_));
        for repeat in [Idempotent, Once] {
            // Never reached the server, or refused unread: every method.
            assert!(retried(decide_now(
                repeat,
                Outcome::Failed(&failed(Stage::NotSent)),
                1
            )));
            assert!(retried(decide_now(
                repeat,
                Outcome::Answer(&answer(429, &[])),
                1
            )));
            // Final failures and answers that a repeat would not change: none.
            assert!(!retried(decide_now(
                repeat,
                Outcome::Failed(&failed(Stage::Final)),
                1
            )));
            for status in [200, 400, 401, 403, 404, 409, 422] {
                assert!(!retried(decide_now(
                    repeat,
                    Outcome::Answer(&answer(status, &[])),
                    1
                )));
            }
        }
        // Maybe acted on: only where a repeat changes nothing.
        for status in [408, 500, 502, 503, 504] {
            assert!(retried(decide_now(
                Idempotent,
                Outcome::Answer(&answer(status, &[])),
                1
            )));
            assert!(!retried(decide_now(
                Once,
                Outcome::Answer(&answer(status, &[])),
                1
            )));
        }
        assert!(retried(decide_now(
            Idempotent,
            Outcome::Failed(&failed(Stage::Sent)),
            1
        )));
        assert!(!retried(decide_now(
            Once,
            Outcome::Failed(&failed(Stage::Sent)),
            1
        )));
        // The last try's outcome is the call's.
        assert_eq!(
            decide_now(Idempotent, Outcome::Answer(&answer(503, &[])), 4),
            Decision::Done
        );
        assert_eq!(
            decide(
                Idempotent,
                Outcome::Answer(&answer(503, &[])),
                1,
                0,
                0.0,
                SystemTime::now()
            ),
            Decision::Done
        );
    }

    #[test]
    fn named_waits_in_order_and_up_to_the_maximum() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let wait = |headers: &[(&str, &str)]| named_wait(&answer(429, headers), now);
        assert_eq!(
            wait(&[
                ("retry-after-ms", "250"),
                ("retry-after", "9"),
                ("x-ratelimit-reset", "5")
            ]),
            Some(Duration::from_millis(250))
        );
        assert_eq!(
            wait(&[("retry-after", "2"), ("x-ratelimit-reset", "5")]),
            Some(Duration::from_secs(2))
        );
        let later = httpdate::fmt_http_date(now + Duration::from_secs(7));
        assert_eq!(
            wait(&[("retry-after", &later)]),
            Some(Duration::from_secs(7))
        );
        let past = httpdate::fmt_http_date(now - Duration::from_secs(7));
        assert_eq!(wait(&[("retry-after", &past)]), Some(Duration::ZERO));
        assert_eq!(
            wait(&[("retry-after", "soon"), ("x-ratelimit-reset", "1500")]),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(wait(&[("retry-after-ms", "-1")]), None);
        assert_eq!(wait(&[]), None);

        let over = answer(429, &[("x-ratelimit-reset", "60001")]);
        assert_eq!(
            decide(Repeat::Once, Outcome::Answer(&over), 1, 3, 0.0, now),
            Decision::Done
        );
        let at_most = answer(429, &[("x-ratelimit-reset", "60000")]);
        assert_eq!(
            decide(Repeat::Once, Outcome::Answer(&at_most), 1, 3, 0.0, now),
            Decision::RetryAfter(MAX_NAMED_WAIT)
        );
    }

    #[test]
    fn backoff_doubles_up_to_its_cap_with_a_quarter_of_jitter() {
        assert_eq!(backoff(1, 0.0), Duration::from_millis(500));
        assert_eq!(backoff(2, 0.0), Duration::from_secs(1));
        assert_eq!(backoff(4, 0.0), Duration::from_secs(4));
        assert_eq!(backoff(5, 0.0), MAX_BACKOFF);
        assert_eq!(backoff(u32::MAX, 0.0), MAX_BACKOFF);
        assert_eq!(backoff(1, 1.0), Duration::from_millis(375));
        assert!(backoff(3, 0.5) < backoff(3, 0.0));
    }
}
