//! Optional fixed-window rate limiting of the API routes, answering 429 with the
//! `X-RateLimit-*` headers the reference SDK copies into its error object.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RateLimitSettings {
    /// Requests allowed per window.
    pub limit: u64,
    /// Window length in milliseconds.
    pub interval_ms: u64,
}

impl RateLimitSettings {
    pub fn new(limit: u64, interval_ms: u64) -> Result<Self, String> {
        RateLimitSettings { limit, interval_ms }.validated()
    }

    pub fn validated(self) -> Result<Self, String> {
        if self.limit == 0 || self.interval_ms == 0 {
            return Err("rate limit needs limit > 0 and intervalMs > 0".into());
        }
        Ok(self)
    }
}

struct Window {
    settings: RateLimitSettings,
    started: Instant,
    used: u64,
}

#[derive(Default)]
pub struct RateLimiter {
    window: Mutex<Option<Window>>,
}

impl RateLimiter {
    pub fn new(settings: Option<RateLimitSettings>) -> Self {
        let limiter = RateLimiter::default();
        limiter.set(settings);
        limiter
    }

    /// Replaces the settings and starts a fresh window (None turns limiting off).
    pub fn set(&self, settings: Option<RateLimitSettings>) {
        let mut window = self.window.lock().unwrap_or_else(|e| e.into_inner());
        *window = settings.map(|settings| Window {
            settings,
            started: Instant::now(),
            used: 0,
        });
    }

    pub fn settings(&self) -> Option<RateLimitSettings> {
        let window = self.window.lock().unwrap_or_else(|e| e.into_inner());
        window.as_ref().map(|w| w.settings)
    }

    /// Counts one request; Err when the window's budget is spent.
    pub fn check(&self) -> Result<(), Limited> {
        let mut guard = self.window.lock().unwrap_or_else(|e| e.into_inner());
        let Some(window) = guard.as_mut() else {
            return Ok(());
        };
        let interval = Duration::from_millis(window.settings.interval_ms);
        let now = Instant::now();
        if now.duration_since(window.started) >= interval {
            window.started = now;
            window.used = 0;
        }
        if window.used < window.settings.limit {
            window.used += 1;
            return Ok(());
        }
        let elapsed = now.duration_since(window.started);
        let reset = interval.saturating_sub(elapsed);
        Err(Limited {
            limit: window.settings.limit,
            reset_ms: u64::try_from(reset.as_millis()).unwrap_or(u64::MAX).max(1),
            interval_ms: window.settings.interval_ms,
        })
    }
}

/// A request over the limit: what ImageKit's 429 headers report (all in
/// milliseconds but the limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limited {
    pub limit: u64,
    pub reset_ms: u64,
    pub interval_ms: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_within_window() {
        let limiter = RateLimiter::new(Some(RateLimitSettings::new(2, 60_000).unwrap()));
        assert!(limiter.check().is_ok());
        assert!(limiter.check().is_ok());
        match limiter.check() {
            Err(Limited {
                limit,
                interval_ms,
                reset_ms,
            }) => {
                assert_eq!((limit, interval_ms), (2, 60_000));
                assert!(reset_ms > 0 && reset_ms <= 60_000);
            }
            other => panic!("expected 429, got {other:?}"),
        }
        limiter.set(None);
        assert!(limiter.check().is_ok());
        assert!(RateLimitSettings::new(0, 10).is_err());
    }
}
