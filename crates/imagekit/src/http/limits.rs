//! One call's limits and the connection pool's settings, with their defaults: how long a
//! call may take, how often it is tried and how large an answer may be.

use std::time::Duration;

/// A TCP connect and TLS handshake that take longer have failed: Node itself has no
/// connect timeout (the OS gives up after about two minutes); 30 s is far above any
/// handshake with ImageKit's edge, even over a slow mobile link.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// No byte moving either way for this long ends the call. ImageKit's own newest SDK ends
/// every call after 60 s in all; the slowest answers (an upload from a remote URL, which
/// ImageKit downloads before it answers, or a large video's upload being processed) are
/// well inside 10 minutes, and a large upload keeps bytes moving.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(600);
/// Far above any answer ImageKit gives (1000 files listed with their metadata are a few
/// MB); a body past it ends the call with `ERR_RESPONSE_TOO_LARGE`.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;
/// At most this many retries may be asked for.
pub const MAX_RETRIES_LIMIT: u32 = 10;

/// One call's limits.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// The whole call, retries and their waits included; `None`: no limit (v6's).
    pub timeout: Option<Duration>,
    /// Tries after the first; 0 (v6's) sends every request once.
    pub max_retries: u32,
    /// `None`: no idle limit (`idleTimeout: 0`).
    pub idle_timeout: Option<Duration>,
    pub max_response_bytes: u64,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            timeout: None,
            max_retries: 0,
            idle_timeout: Some(DEFAULT_IDLE_TIMEOUT),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }
}

/// The connection pool's settings, read once when an instance's pool is made.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolSettings {
    /// `None`: no connect limit (`connectTimeout: 0`).
    pub connect_timeout: Option<Duration>,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            connect_timeout: Some(DEFAULT_CONNECT_TIMEOUT),
        }
    }
}
