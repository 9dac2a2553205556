//! Start-up configuration: command-line flags and their defaults.

use std::path::PathBuf;
use std::time::Duration;

use crate::faults::FaultRule;
use crate::rate_limit::RateLimitSettings;

pub const USAGE: &str = "\
imagekit-local-server: a local, offline stand-in for ImageKit's upload API, media API and delivery CDN

USAGE:
    imagekit-local-server [OPTIONS]

OPTIONS:
    --port <n>                 TCP port on 127.0.0.1 (default: 0, a free port)
    --host <ip>                address to bind (default: 127.0.0.1)
    --public-key <k>           public API key (default: public_local_test_key)
    --private-key <k>          private API key, the basic-auth user (default: private_local_test_key)
    --imagekit-id <id>         first path segment of the URL endpoint (default: local)
    --data-dir <dir>           keep files and state on disk there (default: in memory)
    --max-upload-bytes <n>     largest accepted upload (default: 4294967296)
    --job-delay-ms <n>         how long bulk jobs stay Pending (default: 100)
    --purge-delay-ms <n>       how long purge requests stay Pending (default: 100)
    --rate-limit <n>/<ms>      allow n API requests per ms-long window (default: off)
    --fault <json>             a fault rule (see README), repeatable
    --exit-on-stdin-close      shut down when standard input reaches end of file
    -h, --help                 print this help
";

#[derive(Debug, Clone)]
pub struct Config {
    pub host: String,
    pub port: u16,
    pub public_key: String,
    pub private_key: String,
    pub imagekit_id: String,
    pub data_dir: Option<PathBuf>,
    pub max_upload_bytes: u64,
    pub job_delay: Duration,
    pub purge_delay: Duration,
    pub rate_limit: Option<RateLimitSettings>,
    pub faults: Vec<FaultRule>,
    pub exit_on_stdin_close: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            host: "127.0.0.1".into(),
            port: 0,
            public_key: "public_local_test_key".into(),
            private_key: "private_local_test_key".into(),
            imagekit_id: "local".into(),
            data_dir: None,
            max_upload_bytes: 4 << 30,
            job_delay: Duration::from_millis(100),
            purge_delay: Duration::from_millis(100),
            rate_limit: None,
            faults: Vec::new(),
            exit_on_stdin_close: false,
        }
    }
}

/// What the command line asks for: run with a configuration, or print help.
#[derive(Debug)]
pub enum Command {
    Run(Box<Config>),
    Help,
}

impl Config {
    pub fn from_args<I: IntoIterator<Item = String>>(args: I) -> Result<Command, String> {
        let mut config = Config::default();
        let mut args = args.into_iter();
        while let Some(flag) = args.next() {
            // Accept both `--flag value` and `--flag=value`.
            let (flag, inline) = match flag.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
                _ => (flag, None),
            };
            let mut value = |name: &str| -> Result<String, String> {
                inline
                    .clone()
                    .or_else(|| args.next())
                    .ok_or_else(|| format!("{name} needs a value"))
            };
            match flag.as_str() {
                "-h" | "--help" => return Ok(Command::Help),
                "--port" => config.port = parse_num(&value("--port")?, "--port")?,
                "--host" => config.host = value("--host")?,
                "--public-key" => {
                    config.public_key = non_empty(value("--public-key")?, "--public-key")?
                }
                "--private-key" => {
                    config.private_key = non_empty(value("--private-key")?, "--private-key")?
                }
                "--imagekit-id" => {
                    let id = non_empty(value("--imagekit-id")?, "--imagekit-id")?;
                    if !id
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
                    {
                        return Err(
                            "--imagekit-id may hold only letters, digits, '_' and '-'".into()
                        );
                    }
                    config.imagekit_id = id;
                }
                "--data-dir" => config.data_dir = Some(PathBuf::from(value("--data-dir")?)),
                "--max-upload-bytes" => {
                    config.max_upload_bytes =
                        parse_num(&value("--max-upload-bytes")?, "--max-upload-bytes")?
                }
                "--job-delay-ms" => {
                    config.job_delay = Duration::from_millis(parse_num(
                        &value("--job-delay-ms")?,
                        "--job-delay-ms",
                    )?)
                }
                "--purge-delay-ms" => {
                    config.purge_delay = Duration::from_millis(parse_num(
                        &value("--purge-delay-ms")?,
                        "--purge-delay-ms",
                    )?)
                }
                "--rate-limit" => {
                    let spec = value("--rate-limit")?;
                    let (limit, interval) = spec
                        .split_once('/')
                        .ok_or("--rate-limit takes <requests>/<interval-ms>, e.g. 100/1000")?;
                    config.rate_limit = Some(RateLimitSettings::new(
                        parse_num(limit, "--rate-limit")?,
                        parse_num(interval, "--rate-limit")?,
                    )?);
                }
                "--fault" => {
                    let rule: FaultRule = serde_json::from_str(&value("--fault")?)
                        .map_err(|e| format!("--fault: invalid rule: {e}"))?;
                    config.faults.push(rule.validated()?);
                }
                "--exit-on-stdin-close" => config.exit_on_stdin_close = true,
                other => return Err(format!("unknown argument {other:?} (try --help)")),
            }
        }
        Ok(Command::Run(Box::new(config)))
    }

    pub fn origin(&self, port: u16) -> String {
        format!("http://{}:{}", self.host, port)
    }
}

fn parse_num<T: std::str::FromStr>(s: &str, flag: &str) -> Result<T, String> {
    s.trim()
        .parse()
        .map_err(|_| format!("{flag}: {s:?} is not a valid number"))
}

fn non_empty(s: String, flag: &str) -> Result<String, String> {
    if s.is_empty() {
        Err(format!("{flag} must not be empty"))
    } else {
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<Config, String> {
        match Config::from_args(args.iter().map(|s| s.to_string()))? {
            Command::Run(c) => Ok(*c),
            Command::Help => Err("help".into()),
        }
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
        ])
        .unwrap();
        assert_eq!(c.port, 8080);
        assert_eq!(c.private_key, "pk");
        assert_eq!(c.rate_limit.map(|r| r.limit), Some(5));
        assert!(c.exit_on_stdin_close);
        assert!(run(&["--port"]).is_err());
        assert!(run(&["--port", "x"]).is_err());
        assert!(run(&["--bogus"]).is_err());
        assert!(run(&["--fault", r#"{"path":"/v1/*","status":503}"#]).is_ok());
        assert!(run(&["--fault", "{"]).is_err());
    }
}
