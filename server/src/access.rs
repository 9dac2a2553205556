//! Who may talk to the server: the `Host` every request must name (so a web
//! page cannot reach it through DNS rebinding), and the admin API's extra
//! rules (a loopback peer, no foreign `Origin`, JSON bodies on the calls that
//! change something, so a cross-site form or `text/plain` fetch cannot).

use std::net::IpAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::config::Config;
use crate::error::ApiError;
use crate::server::{App, ConnectionContext};

/// The host names a request may address the server by.
#[derive(Debug, Clone)]
pub struct AllowedHosts {
    names: Vec<String>,
    port: u16,
}

impl AllowedHosts {
    pub fn new(config: &Config, bound: IpAddr, port: u16) -> Self {
        let mut names = vec!["localhost".to_string(), bound.to_string()];
        names.push(unbracket(&config.host).to_ascii_lowercase());
        names.extend(
            config
                .public_hosts
                .iter()
                .map(|h| unbracket(h).to_ascii_lowercase()),
        );
        AllowedHosts { names, port }
    }

    /// Whether `name` (no port, IPv6 without brackets) is one of ours: a
    /// loopback address, `localhost`, the bound address or a `--public-host`.
    pub fn allows_name(&self, name: &str) -> bool {
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback()) || self.names.contains(&name)
    }

    /// Checks a `Host` header value (`name[:port]`).
    pub fn allows_host(&self, host: &str) -> bool {
        split_host_port(host).is_some_and(|(name, _)| self.allows_name(name))
    }

    /// Checks an `Origin` header value: one of our names on our port.
    pub fn allows_origin(&self, origin: &str) -> bool {
        let Some(rest) = origin.strip_prefix("http://") else {
            return false;
        };
        match split_host_port(rest) {
            Some((name, Some(port))) => port == self.port && self.allows_name(name),
            Some((name, None)) => self.port == 80 && self.allows_name(name),
            None => false,
        }
    }
}

fn unbracket(host: &str) -> &str {
    host.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host)
}

/// `name[:port]` or `[v6][:port]` into the bare name and the port.
fn split_host_port(value: &str) -> Option<(&str, Option<u16>)> {
    let value = value.trim();
    let (name, port) = if let Some(rest) = value.strip_prefix('[') {
        let (name, after) = rest.split_once(']')?;
        match after {
            "" => (name, None),
            _ => (name, Some(after.strip_prefix(':')?)),
        }
    } else {
        match value.rsplit_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (value, None),
        }
    };
    if name.is_empty() || name.contains(['/', '@', ' ']) {
        return None;
    }
    let port = match port {
        Some(p) => Some(p.parse().ok()?),
        None => None,
    };
    Some((name, port))
}

/// Most header fields a request may carry.
pub const MAX_HEADERS: usize = 100;
/// Most bytes the request line and header fields may hold together.
pub const MAX_HEAD_BYTES: usize = 32 * 1024;

/// Refuses a request head over the limits with ImageKit's shape (a 400, as
/// the nginx in front of ImageKit answers). Heads too big even for the
/// connection's buffer (`server::MAX_BUFFERED_HEAD`) get hyper's bodiless 431.
pub async fn limit_head(request: Request, next: Next) -> Response {
    let headers = request.headers();
    let bytes = request.uri().to_string().len()
        + headers
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len() + 4)
            .sum::<usize>();
    if headers.len() > MAX_HEADERS {
        return ApiError::bad_request(format!(
            "The request has {} header fields; this server accepts at most {MAX_HEADERS}.",
            headers.len()
        ))
        .into_response();
    }
    if bytes > MAX_HEAD_BYTES {
        return ApiError::bad_request(format!(
            "The request line and headers hold {bytes} bytes; this server accepts at most {MAX_HEAD_BYTES}."
        ))
        .into_response();
    }
    next.run(request).await
}

/// Refuses every request whose `Host` is not one of ours.
pub async fn require_own_host(
    State(app): State<Arc<App>>,
    request: Request,
    next: Next,
) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok());
    match host {
        Some(host) if app.hosts.allows_host(host) => next.run(request).await,
        Some(host) => ApiError::Forbidden(format!(
            "This server does not answer to the host {host:?} (a guard against DNS rebinding). Start it with --public-host <name> to accept another name."
        ))
        .into_response(),
        None => ApiError::bad_request("The request has no Host header.").into_response(),
    }
}

/// The admin API's guard: a loopback peer, no foreign `Origin`, and a JSON
/// content type on the requests that change something.
pub async fn admin_guard(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    match check_admin(&app, &request) {
        Ok(()) => next.run(request).await,
        Err(e) => e.into_response(),
    }
}

fn check_admin(app: &App, request: &Request) -> Result<(), ApiError> {
    let loopback = request
        .extensions()
        .get::<ConnectionContext>()
        .is_some_and(|c| c.peer.ip().is_loopback());
    if !loopback {
        return Err(ApiError::Forbidden(
            "The admin API is only available on loopback.".into(),
        ));
    }
    let headers = request.headers();
    if let Some(origin) = headers.get(header::ORIGIN) {
        let ours = origin.to_str().is_ok_and(|o| app.hosts.allows_origin(o));
        if !ours {
            return Err(ApiError::Forbidden(
                "The admin API refuses requests from other origins.".into(),
            ));
        }
    }
    let changes = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if changes && !is_json(headers) {
        return Err(ApiError::UnsupportedMediaType(
            "The admin API's POST and DELETE requests need Content-Type: application/json.".into(),
        ));
    }
    Ok(())
}

/// Whether the content type is `application/json` (parameters allowed).
pub fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(public: &[&str]) -> AllowedHosts {
        let config = Config {
            public_hosts: public.iter().map(|s| s.to_string()).collect(),
            ..Config::default()
        };
        AllowedHosts::new(&config, "127.0.0.1".parse().unwrap(), 8080)
    }

    #[test]
    fn hosts_are_loopback_bound_or_public() {
        let h = hosts(&["ik.test"]);
        for ok in [
            "127.0.0.1:8080",
            "127.0.0.1",
            "localhost:8080",
            "LOCALHOST",
            "[::1]:8080",
            "127.1.2.3:1",
            "ik.test:8080",
            "ik.test.",
        ] {
            assert!(h.allows_host(ok), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:8080",
            "localhost.evil.example",
            "10.0.0.1:8080",
            "",
            "127.0.0.1:x",
            "user@127.0.0.1",
            "[::1",
        ] {
            assert!(!h.allows_host(bad), "{bad}");
        }
    }

    #[test]
    fn origins_must_be_ours_on_our_port() {
        let h = hosts(&[]);
        assert!(h.allows_origin("http://127.0.0.1:8080"));
        assert!(h.allows_origin("http://localhost:8080"));
        assert!(!h.allows_origin("http://127.0.0.1:3000"));
        assert!(!h.allows_origin("https://127.0.0.1:8080"));
        assert!(!h.allows_origin("http://evil.example:8080"));
        assert!(!h.allows_origin("null"));
    }
}
