//! Start-up configuration: the command line (declared once with clap, which
//! also writes `--help` and `--version` from it) and its defaults.

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

use crate::faults::FaultRule;
use crate::rate_limit::RateLimitSettings;
use crate::webhooks::Endpoint;

/// The public and private key every server starts with unless told otherwise.
pub const DEFAULT_PUBLIC_KEY: &str = "public_local_test_key";
pub const DEFAULT_PRIVATE_KEY: &str = "private_local_test_key";

/// A local, offline stand-in for ImageKit's upload API, media API and delivery CDN.
#[derive(Debug, Parser)]
#[command(name = "imagekit-local-server", version, about, max_term_width = 100)]
struct Cli {
    /// TCP port to listen on (0: a free port)
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Address to bind; a non-loopback address needs --public-key and --private-key
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Another name clients reach the server by (its Host header), repeatable;
    /// loopback names and the bound address are always accepted
    #[arg(long = "public-host", value_name = "NAME")]
    public_hosts: Vec<String>,
    /// Public API key
    #[arg(long, default_value = DEFAULT_PUBLIC_KEY, value_parser = non_empty)]
    public_key: String,
    /// Private API key, the basic-auth user name
    #[arg(long, default_value = DEFAULT_PRIVATE_KEY, value_parser = non_empty)]
    private_key: String,
    /// First path segment of the URL endpoint
    #[arg(long, default_value = "local", value_parser = imagekit_id)]
    imagekit_id: String,
    /// Keep files and state on disk there (default: in memory)
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Largest accepted upload, in bytes
    #[arg(long, default_value_t = 4 << 30, value_name = "N")]
    max_upload_bytes: u64,
    /// Let uploads and metadata requests download from loopback, private and
    /// link-local addresses (refused by default)
    #[arg(long)]
    allow_private_urls: bool,
    /// Let URL downloads reach this one private host (`host` or `host:port`),
    /// repeatable; narrower than --allow-private-urls
    #[arg(long = "allow-private-host", value_name = "HOST[:PORT]")]
    allowed_private_hosts: Vec<String>,
    /// Longest time a URL download may take, in milliseconds
    #[arg(long, default_value_t = 30_000, value_name = "MS")]
    download_timeout_ms: u64,
    /// How long bulk jobs stay Pending, in milliseconds
    #[arg(long, default_value_t = 100, value_name = "MS")]
    job_delay_ms: u64,
    /// How long purge requests stay Pending, in milliseconds
    #[arg(long, default_value_t = 100, value_name = "MS")]
    purge_delay_ms: u64,
    /// Allow N API requests per MS-long window, e.g. 100/1000 (default: off)
    #[arg(long, value_name = "N/MS", value_parser = rate_limit)]
    rate_limit: Option<RateLimitSettings>,
    /// A fault rule as JSON (see README), repeatable
    #[arg(long = "fault", value_name = "JSON", value_parser = fault)]
    faults: Vec<FaultRule>,
    /// A webhook endpoint, repeatable: URL (every event), or URL=EVENTS with
    /// EVENTS event types or patterns, comma-separated (file.created,upload.*)
    #[arg(long = "webhook", value_name = "URL[=EVENTS]", value_parser = webhook)]
    webhooks: Vec<Endpoint>,
    /// The secret webhooks are signed with (default: a new one each start; a
    /// fixed one with the default keys)
    #[arg(long, value_name = "SECRET", value_parser = non_empty)]
    webhook_secret: Option<String>,
    /// Tries per webhook delivery, the first included
    #[arg(long, default_value_t = 5, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=100))]
    webhook_attempts: u32,
    /// Wait after a webhook's first failed try, in milliseconds; doubled
    /// after each further one
    #[arg(long, default_value_t = 1000, value_name = "MS")]
    webhook_retry_delay_ms: u64,
    /// Longest time one webhook try may take, in milliseconds
    #[arg(long, default_value_t = 10_000, value_name = "MS",
          value_parser = clap::value_parser!(u64).range(1..))]
    webhook_timeout_ms: u64,
    /// Shut down when standard input reaches end of file
    #[arg(long)]
    exit_on_stdin_close: bool,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub host: String,
    pub port: u16,
    /// Host names accepted besides loopback names and the bound address.
    pub public_hosts: Vec<String>,
    pub public_key: String,
    pub private_key: String,
    pub imagekit_id: String,
    pub data_dir: Option<PathBuf>,
    pub max_upload_bytes: u64,
    pub allow_private_urls: bool,
    /// Private hosts (`host` or `host:port`) URL downloads may reach anyway.
    pub allowed_private_hosts: Vec<String>,
    pub download_timeout: Duration,
    pub job_delay: Duration,
    pub purge_delay: Duration,
    pub rate_limit: Option<RateLimitSettings>,
    pub faults: Vec<FaultRule>,
    /// Webhook endpoints given with `--webhook`.
    pub webhooks: Vec<Endpoint>,
    /// `--webhook-secret`; `None`: see `webhooks::signing`.
    pub webhook_secret: Option<String>,
    pub webhook_attempts: u32,
    pub webhook_retry_delay: Duration,
    pub webhook_timeout: Duration,
    pub exit_on_stdin_close: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config::from(Cli::parse_from(["imagekit-local-server"]))
    }
}

impl From<Cli> for Config {
    fn from(cli: Cli) -> Self {
        Config {
            host: cli.host,
            port: cli.port,
            public_hosts: cli.public_hosts,
            public_key: cli.public_key,
            private_key: cli.private_key,
            imagekit_id: cli.imagekit_id,
            data_dir: cli.data_dir,
            max_upload_bytes: cli.max_upload_bytes,
            allow_private_urls: cli.allow_private_urls,
            allowed_private_hosts: cli.allowed_private_hosts,
            download_timeout: Duration::from_millis(cli.download_timeout_ms),
            job_delay: Duration::from_millis(cli.job_delay_ms),
            purge_delay: Duration::from_millis(cli.purge_delay_ms),
            rate_limit: cli.rate_limit,
            faults: cli.faults,
            webhooks: cli.webhooks,
            webhook_secret: cli.webhook_secret,
            webhook_attempts: cli.webhook_attempts,
            webhook_retry_delay: Duration::from_millis(cli.webhook_retry_delay_ms),
            webhook_timeout: Duration::from_millis(cli.webhook_timeout_ms),
            exit_on_stdin_close: cli.exit_on_stdin_close,
        }
    }
}

impl Config {
    /// Parses the command line (without the program name). `--help`,
    /// `--version` and errors come back as clap's error, which prints itself
    /// and knows its exit code (`Error::exit`).
    pub fn try_from_args<I: IntoIterator<Item = String>>(args: I) -> Result<Config, clap::Error> {
        let argv = std::iter::once("imagekit-local-server".to_string()).chain(args);
        Cli::try_parse_from(argv).map(Config::from)
    }

    /// The origin clients use: `http://<host>:<port>`, IPv6 in brackets.
    pub fn origin(&self, port: u16) -> String {
        if self.host.contains(':') && !self.host.starts_with('[') {
            format!("http://[{}]:{port}", self.host)
        } else {
            format!("http://{}:{port}", self.host)
        }
    }

    /// Whether the server keeps the keys anyone can read in this repository.
    pub fn uses_default_keys(&self) -> bool {
        self.public_key == DEFAULT_PUBLIC_KEY || self.private_key == DEFAULT_PRIVATE_KEY
    }
}

fn non_empty(s: &str) -> Result<String, String> {
    if s.is_empty() {
        Err("must not be empty".into())
    } else {
        Ok(s.to_string())
    }
}

fn imagekit_id(s: &str) -> Result<String, String> {
    let id = non_empty(s)?;
    if !id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err("may hold only letters, digits, '_' and '-'".into());
    }
    if ["v1", "api", "__admin"].contains(&id.as_str()) {
        return Err("must not collide with the API paths (v1, api, __admin)".into());
    }
    Ok(id)
}

fn rate_limit(spec: &str) -> Result<RateLimitSettings, String> {
    let (limit, interval) = spec
        .split_once('/')
        .ok_or("takes <requests>/<interval-ms>, e.g. 100/1000")?;
    let number = |s: &str| {
        s.trim()
            .parse::<u64>()
            .map_err(|_| format!("{s:?} is not a valid number"))
    };
    RateLimitSettings::new(number(limit)?, number(interval)?)
}

fn webhook(spec: &str) -> Result<Endpoint, String> {
    Endpoint::parse(spec)
}

fn fault(json: &str) -> Result<FaultRule, String> {
    let rule: FaultRule = serde_json::from_str(json).map_err(|e| format!("invalid rule: {e}"))?;
    rule.validated()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<Config, String> {
        Config::try_from_args(args.iter().map(|s| s.to_string())).map_err(|e| e.to_string())
    }

    #[test]
    fn parses_flags() {
        let c = run(&[
            "--port",
            "8080",
            "--private-key=pk",
            "--rate-limit",
            "5/1000",
            "--exit-on-stdin-close",
            "--public-host",
            "a.test",
            "--public-host=b.test",
            "--allow-private-urls",
        ])
        .unwrap();
        assert_eq!(c.port, 8080);
        assert_eq!(c.private_key, "pk");
        assert_eq!(c.rate_limit.map(|r| r.limit), Some(5));
        assert!(c.exit_on_stdin_close && c.allow_private_urls);
        assert_eq!(c.public_hosts, ["a.test", "b.test"]);
        assert!(run(&["--port"]).is_err());
        assert!(run(&["--port", "x"]).is_err());
        assert!(run(&["--bogus"]).is_err());
        assert!(run(&["--private-key", ""]).is_err());
        assert!(run(&["--imagekit-id", "v1"]).is_err());
        assert!(run(&["--imagekit-id", "a/b"]).is_err());
        assert!(run(&["--fault", r#"{"path":"/v1/*","status":503}"#]).is_ok());
        assert!(run(&["--fault", "{"]).is_err());
        assert!(run(&["--rate-limit", "5"]).is_err());
        let hooks = run(&[
            "--webhook",
            "http://127.0.0.1:9000/hook",
            "--webhook=http://127.0.0.1:9001/x=file.created,upload.*",
            "--webhook-secret",
            "whsec_abc",
            "--webhook-attempts",
            "3",
            "--webhook-retry-delay-ms",
            "20",
        ])
        .unwrap();
        assert_eq!(hooks.webhooks.len(), 2);
        assert_eq!(hooks.webhooks[1].events, ["file.created", "upload.*"]);
        assert_eq!(hooks.webhook_secret.as_deref(), Some("whsec_abc"));
        assert_eq!(hooks.webhook_attempts, 3);
        assert_eq!(hooks.webhook_retry_delay, Duration::from_millis(20));
        assert!(run(&["--webhook", "http://h/x=file.nope"]).is_err());
        assert!(run(&["--webhook-attempts", "0"]).is_err());
        assert!(run(&["--webhook-timeout-ms", "0"]).is_err());
        assert!(run(&["--webhook-secret", ""]).is_err());
    }

    #[test]
    fn defaults_match_the_documented_ones() {
        let c = Config::default();
        assert_eq!(
            (c.host.as_str(), c.port, c.max_upload_bytes),
            ("127.0.0.1", 0, 4 << 30)
        );
        assert!(c.uses_default_keys() && !c.allow_private_urls);
        assert_eq!(c.job_delay, Duration::from_millis(100));
        assert!(c.webhooks.is_empty() && c.webhook_secret.is_none());
        assert_eq!(
            (c.webhook_attempts, c.webhook_retry_delay, c.webhook_timeout),
            (5, Duration::from_secs(1), Duration::from_secs(10))
        );
    }

    #[test]
    fn help_and_version_come_from_the_declaration() {
        let help = Config::try_from_args(["--help".to_string()]).unwrap_err();
        assert_eq!(help.kind(), clap::error::ErrorKind::DisplayHelp);
        let text = help.to_string();
        for flag in [
            "--allow-private-urls",
            "--public-host",
            "--data-dir",
            "--fault",
            "--webhook",
            "--webhook-secret",
        ] {
            assert!(text.contains(flag), "{flag} missing from --help:\n{text}");
        }
        let version = Config::try_from_args(["--version".to_string()]).unwrap_err();
        assert_eq!(version.kind(), clap::error::ErrorKind::DisplayVersion);
        assert!(version.to_string().contains(env!("CARGO_PKG_VERSION")));
    }
}
