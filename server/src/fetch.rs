//! Downloads from URLs a client names (an upload's `file`, the metadata of a
//! remote URL), with the limits a server reachable by others needs: loopback,
//! private and link-local addresses are refused unless `--allow-private-urls`
//! is given (checked for IP literals before connecting, and for names when
//! they resolve, so a redirect or a rebinding name cannot slip through), at
//! most 10 redirects, and a total-time limit. Callers bound the size.
//!
//! The server's own delivery URLs are always allowed: they only read.
//!
//! The same rules guard the other requests to URLs a client names: the
//! webhooks POSTed to an upload's `webhookUrl` ([`Poster`]).

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::redirect::Policy;
use reqwest::Url;

use crate::config::Config;

const MAX_REDIRECTS: usize = 10;

/// A download that failed, in words naming the URL and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownloadError(pub String);

/// The URL-download client and its address policy.
pub struct Downloader {
    client: reqwest::Client,
    policy: UrlPolicy,
}

/// What may be fetched, shared by the pre-flight check and the redirect policy.
#[derive(Clone)]
struct UrlPolicy {
    allow_private: bool,
    /// `http://<bound host>:<port>/<imagekitId>/`: our delivery URLs.
    own_delivery: String,
    /// `--allow-private-host` values, lowercase.
    allowed_hosts: Vec<String>,
}

impl UrlPolicy {
    fn new(config: &Config, own_delivery: String) -> Self {
        UrlPolicy {
            allow_private: config.allow_private_urls,
            own_delivery,
            allowed_hosts: config
                .allowed_private_hosts
                .iter()
                .map(|h| h.to_ascii_lowercase())
                .collect(),
        }
    }

    /// The resolver enforcing the policy on names (none when private addresses are allowed).
    fn resolver(&self) -> Option<Arc<PublicOnly>> {
        (!self.allow_private).then(|| {
            Arc::new(PublicOnly {
                allowed: self.allowed_hosts.clone(),
            })
        })
    }

    /// Whether `--allow-private-host` names this URL's host (with or without its port).
    fn host_allowed(&self, url: &Url) -> bool {
        let Some(host) = url.host_str() else {
            return false;
        };
        let host = host.to_ascii_lowercase();
        let with_port = url.port_or_known_default().map(|p| format!("{host}:{p}"));
        self.allowed_hosts
            .iter()
            .any(|a| *a == host || Some(a) == with_port.as_ref())
    }

    fn check(&self, url: &Url) -> Result<(), String> {
        if !["http", "https"].contains(&url.scheme()) {
            return Err("only http and https URLs can be fetched".into());
        }
        if self.allow_private
            || url.as_str().starts_with(&self.own_delivery)
            || self.host_allowed(url)
        {
            return Ok(());
        }
        let ip = match url.host() {
            Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip),
            Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip),
            // Names are checked when they resolve (`PublicOnly`).
            Some(url::Host::Domain(_)) => return Ok(()),
            None => return Err("the URL has no host".into()),
        };
        if is_public(ip) {
            Ok(())
        } else {
            Err(private_refusal(&ip.to_string()))
        }
    }
}

fn private_refusal(what: &str) -> String {
    format!(
        "{what} is a loopback, private or link-local address, which this server does not download from unless started with --allow-private-urls"
    )
}

/// A resolver that keeps public addresses only (but for the names
/// `--allow-private-host` gives).
struct PublicOnly {
    allowed: Vec<String>,
}

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        let trusted = self
            .allowed
            .iter()
            .any(|a| a.split(':').next() == Some(host.to_ascii_lowercase().as_str()));
        Box::pin(async move {
            let all: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = all
                .into_iter()
                .filter(|a| trusted || is_public(a.ip()))
                .collect();
            if public.is_empty() {
                let refusal = private_refusal(&format!("{host} resolves to"));
                return Err(io::Error::new(io::ErrorKind::PermissionDenied, refusal).into());
            }
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}

impl Downloader {
    pub fn new(config: &Config, own_delivery: String) -> io::Result<Self> {
        let policy = UrlPolicy::new(config, own_delivery);
        let redirects = policy.clone();
        let mut builder = reqwest::Client::builder()
            .connect_timeout(std::time::Duration::from_secs(10))
            .timeout(config.download_timeout)
            .redirect(Policy::custom(move |attempt| {
                if attempt.previous().len() >= MAX_REDIRECTS {
                    return attempt.error(format!("more than {MAX_REDIRECTS} redirects"));
                }
                match redirects.check(attempt.url()) {
                    Ok(()) => attempt.follow(),
                    Err(refusal) => {
                        let message = format!("a redirect led to {}: {refusal}", attempt.url());
                        attempt.error(message)
                    }
                }
            }));
        if let Some(resolver) = policy.resolver() {
            builder = builder.dns_resolver(resolver);
        }
        let client = builder.build().map_err(io::Error::other)?;
        Ok(Downloader { client, policy })
    }

    /// Starts a download: the answer once its status is a success, or a 400
    /// naming the URL and why (refused address, unreachable, timed out, not 2xx).
    /// The total-time limit also covers reading the body.
    pub async fn get(&self, url: &str) -> Result<reqwest::Response, DownloadError> {
        let fail = |why: String| DownloadError(format!("Could not download {url}: {why}"));
        let parsed = Url::parse(url).map_err(|e| fail(format!("it is not a valid URL ({e})")))?;
        self.policy.check(&parsed).map_err(fail)?;
        let response = self
            .client
            .get(parsed)
            .send()
            .await
            .map_err(|e| fail(describe(&e)))?;
        if !response.status().is_success() {
            return Err(fail(format!(
                "the server answered {}",
                response.status().as_u16()
            )));
        }
        Ok(response)
    }
}

/// POSTs to URLs a client names (an upload's `webhookUrl`): the download
/// rules on addresses (checked before connecting and as names resolve), no
/// redirects followed, and a total-time limit per request.
pub struct Poster {
    client: reqwest::Client,
    policy: UrlPolicy,
}

impl Poster {
    pub fn new(config: &Config, own_delivery: String, timeout: Duration) -> io::Result<Self> {
        let policy = UrlPolicy::new(config, own_delivery);
        let mut builder = reqwest::Client::builder()
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .timeout(timeout)
            .redirect(Policy::none());
        if let Some(resolver) = policy.resolver() {
            builder = builder.dns_resolver(resolver);
        }
        let client = builder.build().map_err(io::Error::other)?;
        Ok(Poster { client, policy })
    }

    /// A POST to `url`, or why the address rules refuse it (in words).
    pub fn post(&self, url: &str) -> Result<reqwest::RequestBuilder, String> {
        let parsed = Url::parse(url).map_err(|e| format!("{url} is not a valid URL ({e})"))?;
        self.policy.check(&parsed)?;
        Ok(self.client.post(parsed))
    }
}

/// A download error in words: the innermost cause (a refusal reads best),
/// or that the time limit passed.
pub fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        return "the download took longer than this server allows (--download-timeout-ms)".into();
    }
    let mut innermost: &dyn std::error::Error = e;
    while let Some(source) = innermost.source() {
        innermost = source;
    }
    innermost.to_string()
}

/// Whether an address is on the public internet (not loopback, private,
/// link-local, shared, reserved, documentation or multicast).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => public_v4(v4),
        IpAddr::V6(v6) => public_v6(v6),
    }
}

fn public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240)
}

fn public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    if ip.is_loopback() || ip.is_unspecified() || ip.is_multicast() {
        return false;
    }
    // IPv4-mapped and -compatible addresses, and NAT64's well-known prefix.
    if let Some(v4) = ip.to_ipv4() {
        return public_v4(v4);
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        let [.., hi, lo] = s;
        return public_v4(Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo)));
    }
    !((s[0] & 0xfe00) == 0xfc00 // unique local
        || (s[0] & 0xffc0) == 0xfe80 // link-local
        || (s[0] & 0xffc0) == 0xfec0 // site-local
        || (s[0] == 0x2001 && s[1] == 0x0db8)) // documentation
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn policy(allow_private: bool) -> UrlPolicy {
        UrlPolicy {
            allow_private,
            own_delivery: "http://127.0.0.1:8080/local/".into(),
            allowed_hosts: vec!["10.0.0.7".into(), "127.0.0.1:9000".into()],
        }
    }

    fn check(p: &UrlPolicy, url: &str) -> Result<(), String> {
        p.check(&Url::parse(url).unwrap())
    }

    #[test]
    fn addresses() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in ["8.8.8.8", "1.1.1.1", "2606:4700::1111", "::ffff:8.8.8.8"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    /// The same check decides the first URL and every redirect target.
    #[test]
    fn url_policy() {
        let strict = policy(false);
        assert!(check(&strict, "http://127.0.0.1:9/x.png").is_err());
        assert!(check(&strict, "http://[::1]:9/x.png").is_err());
        assert!(check(&strict, "http://169.254.169.254/latest/meta-data").is_err());
        assert!(check(&strict, "http://10.0.0.1/x").is_err());
        assert!(check(&strict, "ftp://example.com/x").is_err());
        assert!(check(&strict, "file:///etc/passwd").is_err());
        assert!(check(&strict, "https://8.8.8.8/x.png").is_ok());
        // Names pass here and are checked as they resolve.
        assert!(check(&strict, "https://images.example/x.png").is_ok());
        // Our own delivery URLs only read.
        assert!(check(&strict, "http://127.0.0.1:8080/local/a.png").is_ok());
        assert!(check(&strict, "http://127.0.0.1:8080/v1/files").is_err());
        assert!(check(&strict, "http://127.0.0.1:8081/local/a.png").is_err());
        // --allow-private-host opens one host (and port), no more.
        assert!(check(&strict, "http://10.0.0.7/x").is_ok());
        assert!(check(&strict, "http://10.0.0.7:81/x").is_ok());
        assert!(check(&strict, "http://127.0.0.1:9000/x").is_ok());
        assert!(check(&strict, "http://127.0.0.1:9001/x").is_err());
        let open = policy(true);
        assert!(check(&open, "http://127.0.0.1:9/x.png").is_ok());
        assert!(check(&open, "ftp://127.0.0.1/x").is_err());
    }

    #[tokio::test]
    async fn names_that_resolve_to_private_addresses_are_refused() {
        let err = PublicOnly {
            allowed: Vec::new(),
        }
        .resolve(Name::from_str("localhost").unwrap())
        .await
        .err()
        .expect("localhost refused");
        assert!(err.to_string().contains("--allow-private-urls"), "{err}");
    }
}
