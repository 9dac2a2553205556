//! Who may talk to the server: the `Host` every request must name (so a web
//! page cannot reach it through DNS rebinding), and the admin API's extra
//! rules (a loopback peer, no foreign `Origin`, JSON bodies on the calls that
//! change something, so a cross-site form or `text/plain` fetch cannot).

use std::net::IpAddr;

use http::{header, HeaderMap};

use crate::config::Config;

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
