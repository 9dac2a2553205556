//! The one request path of the media and upload APIs: a client with its own connection
//! pool, basic auth with the private key, and responses handed back as status, headers
//! and raw body. Everything about JavaScript values happens in the binding.

pub mod limits;
pub mod retry;
pub mod tls;

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use base64::Engine;
use bytes::Bytes;
use futures_util::StreamExt;
use reqwest::header::HeaderValue;

use self::limits::{Policy, PoolSettings};
use self::retry::Repeat;
use crate::log::{self, Level, Log, Record};
use crate::upload_source::{SourceBody, SourceError};

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    fn as_reqwest(self) -> reqwest::Method {
        match self {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Patch => reqwest::Method::PATCH,
            Method::Delete => reqwest::Method::DELETE,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// The content of a file part.
pub enum FileData {
    /// Bytes in memory (a Buffer shared with JavaScript, never copied).
    Bytes(Bytes),
    /// Chunks pushed from a JavaScript stream as they are read, and the stream's size when
    /// it can be known beforehand (a file's, an HTTP response's Content-Length).
    Stream(SourceBody, Option<u64>),
}

pub enum FormField {
    Text {
        name: String,
        value: String,
    },
    File {
        name: String,
        file_name: String,
        /// None: the part gets no Content-Type header (form-data's case for a value it
        /// turned into a string and a name it has no type for).
        content_type: Option<String>,
        data: FileData,
    },
}

pub enum Body {
    Empty,
    /// A JSON document, already serialised (by `JSON.stringify`, as v6 sends it).
    Json(String),
    Multipart(Vec<FormField>),
}

/// A request described as data.
pub struct ApiRequest {
    pub method: Method,
    /// The complete URL, query string included.
    pub url: String,
    pub body: Body,
}

#[derive(Debug)]
pub struct ApiResponse {
    pub status: u16,
    /// Lower-cased names in the order received; repeated headers joined with ", ".
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

#[cfg(test)]
impl ApiResponse {
    /// An answer with `status` and `headers` and no body, for tests.
    pub fn with_headers(status: u16, headers: &[(&str, &str)]) -> Self {
        Self {
            status,
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            body: Bytes::new(),
        }
    }
}

/// No response: the request could not be sent or its answer not read.
#[derive(Debug, Clone, PartialEq)]
pub struct TransportError {
    /// Node-style error code (`ECONNREFUSED`, `ENOTFOUND`, `ECONNRESET`, ...).
    pub code: &'static str,
    pub message: String,
    /// How far the request got, which decides whether it may be retried.
    pub stage: Stage,
}

/// How far a failed request got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// It never reached the server (refused, DNS, TLS handshake, connect timeout).
    NotSent,
    /// It went out, and whether the server acted on it is unknown (a reset, a truncated
    /// answer, an idle timeout).
    Sent,
    /// A failure no retry can mend: the upload's source failed, the answer is too large,
    /// the call's own timeout passed, the URL is invalid.
    Final,
}

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl TransportError {
    fn new(code: &'static str, message: String, stage: Stage) -> Self {
        Self {
            code,
            message,
            stage,
        }
    }
}

/// Bytes of a body handed to the connection at a time, so that a large Buffer being
/// written counts as bytes moving for the idle timeout.
const BODY_CHUNK: usize = 64 * 1024;

/// How much of a multipart body the connection has taken, read while it is sent (an
/// upload's progress). Each try starts again from zero: a retried upload sends its body
/// again.
#[derive(Debug)]
pub struct Progress {
    loaded: AtomicU64,
    /// The body's size; [`UNKNOWN`] for a stream of unknown length or before the first try.
    total: AtomicU64,
}

const UNKNOWN: u64 = u64::MAX;

impl Default for Progress {
    fn default() -> Self {
        Self::new()
    }
}

impl Progress {
    pub fn new() -> Self {
        Self {
            loaded: AtomicU64::new(0),
            total: AtomicU64::new(UNKNOWN),
        }
    }

    /// Bytes of the body handed to the connection so far in this try.
    pub fn loaded(&self) -> u64 {
        self.loaded.load(Ordering::Relaxed)
    }

    /// The body's size, when it is known.
    pub fn total(&self) -> Option<u64> {
        Some(self.total.load(Ordering::Relaxed)).filter(|&total| total != UNKNOWN)
    }

    fn start(&self, total: Option<u64>) {
        self.loaded.store(0, Ordering::Relaxed);
        self.total
            .store(total.unwrap_or(UNKNOWN), Ordering::Relaxed);
    }

    fn add(&self, bytes: usize) {
        self.loaded.fetch_add(bytes as u64, Ordering::Relaxed);
    }
}

/// One connection pool per `ImageKit` instance.
pub struct Client {
    inner: reqwest::Client,
}

impl Client {
    pub fn new(settings: &PoolSettings) -> Result<Self, TransportError> {
        let tls = crate::http::tls::config()
            .map_err(|e| TransportError::new("ERR_CLIENT", e, Stage::Final))?;
        let mut builder = reqwest::Client::builder()
            .pool_idle_timeout(Duration::from_secs(30))
            .dns_resolver(Arc::new(Resolver))
            .use_preconfigured_tls(tls)
            // A redirect never says where it came from; reqwest already drops the
            // Authorization header when one leads to another origin.
            .referer(false);
        if let Some(connect) = settings.connect_timeout {
            builder = builder.connect_timeout(connect);
        }
        let inner = builder
            .build()
            .map_err(|e| TransportError::new("ERR_CLIENT", e.to_string(), Stage::Final))?;
        Ok(Self { inner })
    }

    /// Sends `request`, tried again as `policy` and `repeat` allow, within the policy's
    /// timeout. The outcome is the last try's. `progress`, when given, counts a multipart
    /// body's bytes as the connection takes them.
    pub async fn send(
        &self,
        request: ApiRequest,
        private_key: &str,
        policy: &Policy,
        repeat: Repeat,
        log: Option<&dyn Log>,
        progress: Option<&Arc<Progress>>,
    ) -> Result<ApiResponse, TransportError> {
        let url = reqwest::Url::parse(&request.url).map_err(|_| {
            TransportError::new(
                "ERR_INVALID_URL",
                format!("Invalid URL: {}", request.url),
                Stage::Final,
            )
        })?;
        let method = request.method;
        let log = log.filter(|log| log.level() > Level::Off);
        // One boundary for every try, so a retried upload is resent byte for byte.
        let boundary = match request.body {
            Body::Multipart(_) => boundary(),
            _ => String::new(),
        };
        let call = Call {
            url: &url,
            method,
            private_key,
            policy,
            boundary: &boundary,
            log,
            tries: AtomicU32::new(0),
            started: log.map(|_| std::time::Instant::now()),
            unretried: OnceLock::new(),
            progress,
        };
        let outcome = match policy.timeout {
            None => self.tries(request, &call, repeat, None).await,
            Some(timeout) => {
                let deadline = tokio::time::Instant::now() + timeout;
                let tries = self.tries(request, &call, repeat, Some(deadline));
                match tokio::time::timeout_at(deadline, tries).await {
                    Ok(outcome) => outcome,
                    Err(_) => Err(TransportError::new(
                        "ETIMEDOUT",
                        format!(
                            "timeout of {}ms exceeded ({})",
                            timeout.as_millis(),
                            described(method, &url)
                        ),
                        Stage::Final,
                    )),
                }
            }
        };
        call.log_end(&outcome);
        outcome
    }

    async fn tries(
        &self,
        request: ApiRequest,
        call: &Call<'_>,
        repeat: Repeat,
        deadline: Option<tokio::time::Instant>,
    ) -> Result<ApiResponse, TransportError> {
        let policy = call.policy;
        let mut request = request;
        let mut tries = 1;
        loop {
            // A stream cannot be read twice: its upload is tried once.
            let again = (tries <= policy.max_retries)
                .then(|| request.try_clone())
                .flatten();
            call.tries.store(tries, Ordering::Relaxed);
            let started = call.log.map(|_| std::time::Instant::now());
            let outcome = self.exchange(request, call).await;
            if let Some(started) = started {
                call.log_try(&outcome, started.elapsed());
            }
            let Some(next) = again else {
                return outcome;
            };
            let decided = retry::decide(
                repeat,
                match &outcome {
                    Ok(response) => retry::Outcome::Answer(response),
                    Err(error) => retry::Outcome::Failed(error),
                },
                tries,
                policy.max_retries,
                fastrand::f64(),
                std::time::SystemTime::now(),
            );
            let wait = match decided {
                retry::Decision::Done => return outcome,
                retry::Decision::RetryAfter(wait) => wait,
            };
            let resume = tokio::time::Instant::now() + wait;
            if deadline.is_some_and(|deadline| resume >= deadline) {
                // The wait would outlast the call's timeout: this answer is the call's, and
                // its record says why it was not retried.
                let _ = call.unretried.set(wait);
                return outcome;
            }
            call.log_retry(&outcome, wait);
            drop(outcome);
            tokio::time::sleep_until(resume).await;
            request = next;
            tries += 1;
        }
    }

    /// One try: the request, its answer's headers and its body (at most
    /// `max_response_bytes` of it), ended when no byte moves for the idle timeout.
    async fn exchange(
        &self,
        request: ApiRequest,
        call: &Call<'_>,
    ) -> Result<ApiResponse, TransportError> {
        let activity = Arc::new(Activity::new());
        let method = request.method;
        let work = self.exchange_active(request, call, &activity);
        let Some(idle) = call.policy.idle_timeout else {
            return work.await;
        };
        tokio::select! {
            outcome = work => outcome,
            () = activity.quiet_for(idle) => Err(TransportError::new(
                "ETIMEDOUT",
                format!(
                    "idle timeout of {}ms exceeded: no byte moved either way ({})",
                    idle.as_millis(),
                    described(method, call.url)
                ),
                Stage::Sent,
            )),
        }
    }

    async fn exchange_active(
        &self,
        request: ApiRequest,
        call: &Call<'_>,
        activity: &Arc<Activity>,
    ) -> Result<ApiResponse, TransportError> {
        let url = call.url;
        let credentials =
            base64::engine::general_purpose::STANDARD.encode(format!("{}:", call.private_key));
        let mut builder = self
            .inner
            .request(request.method.as_reqwest(), url.clone())
            .header(
                reqwest::header::AUTHORIZATION,
                format!("Basic {credentials}"),
            )
            .header(reqwest::header::ACCEPT, HeaderValue::from_static(ACCEPT))
            .header(
                reqwest::header::ACCEPT_ENCODING,
                HeaderValue::from_static(ACCEPT_ENCODING),
            )
            .header(
                reqwest::header::USER_AGENT,
                HeaderValue::from_static(USER_AGENT),
            );
        builder = match request.body {
            // axios sends a POST, PUT or PATCH without data as an empty form.
            Body::Empty if matches!(request.method, Method::Post | Method::Put | Method::Patch) => {
                builder
                    .header(
                        reqwest::header::CONTENT_TYPE,
                        "application/x-www-form-urlencoded",
                    )
                    .header(reqwest::header::CONTENT_LENGTH, 0)
                    .body(Bytes::new())
            }
            Body::Empty => builder,
            Body::Json(json) => builder
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(json),
            Body::Multipart(fields) => {
                let form = Multipart::new(fields, call.boundary);
                let builder = builder.header(
                    reqwest::header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={}", form.boundary),
                );
                let length = form.length();
                let builder = match length {
                    Some(length) => builder.header(reqwest::header::CONTENT_LENGTH, length),
                    None => builder,
                };
                let progress = call.progress.cloned();
                if let Some(progress) = &progress {
                    progress.start(length);
                }
                builder.body(form.into_body(Arc::clone(activity), progress))
            }
        };
        let failed = |e: reqwest::Error| transport_error(request.method, url, &e);
        let mut response = builder.send().await.map_err(failed)?;
        activity.touch();
        let status = response.status().as_u16();
        let mut headers: Vec<(String, String)> = Vec::with_capacity(response.headers().len());
        for (name, value) in response.headers() {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            match headers.iter_mut().find(|(n, _)| n == name.as_str()) {
                Some((_, existing)) => {
                    existing.push_str(", ");
                    existing.push_str(&value);
                }
                None => headers.push((name.as_str().to_owned(), value)),
            }
        }
        let cap = call.policy.max_response_bytes;
        let too_large = || {
            TransportError::new(
                "ERR_RESPONSE_TOO_LARGE",
                format!(
                    "the answer is larger than maxResponseBytes ({cap} bytes) ({})",
                    described(request.method, url)
                ),
                Stage::Final,
            )
        };
        let announced = response.content_length();
        if announced.is_some_and(|length| length > cap) {
            return Err(too_large());
        }
        // The chunks as they arrive, joined only when there are several (a small answer
        // is one chunk, handed on without a copy).
        let mut first: Option<Bytes> = None;
        let mut more: Vec<Bytes> = Vec::new();
        let mut length = 0u64;
        while let Some(chunk) = response.chunk().await.map_err(failed)? {
            activity.touch();
            length = length.saturating_add(chunk.len() as u64);
            if length > cap {
                return Err(too_large());
            }
            match first {
                None => first = Some(chunk),
                Some(_) => more.push(chunk),
            }
        }
        let body = match (first, more.is_empty()) {
            (None, _) => Bytes::new(),
            (Some(only), true) => only,
            (Some(first), false) => {
                let mut joined = Vec::with_capacity(length as usize);
                joined.extend_from_slice(&first);
                for chunk in &more {
                    joined.extend_from_slice(chunk);
                }
                Bytes::from(joined)
            }
        };
        // As axios does: the body decoded, and its Content-Encoding header dropped.
        let encoding = headers
            .iter()
            .position(|(name, _)| name == "content-encoding");
        let body = match encoding {
            Some(at) if body.is_empty() || status == 204 => {
                headers.remove(at);
                body
            }
            Some(at) => match decode(&headers[at].1, &body, cap) {
                Decoded::Identity => body,
                Decoded::Bytes(decoded) => {
                    headers.remove(at);
                    decoded
                }
                Decoded::TooLarge => return Err(too_large()),
                Decoded::Corrupt(reason) => {
                    return Err(TransportError::new(
                        "Z_DATA_ERROR",
                        format!(
                            "the answer's {} body could not be decoded: {reason} ({})",
                            headers[at].1,
                            described(request.method, url)
                        ),
                        Stage::Sent,
                    ))
                }
            },
            None => body,
        };
        Ok(ApiResponse {
            status,
            headers,
            body,
        })
    }
}

/// The encodings asked for; any answer is decoded whole once read (answers are small and
/// capped), so `$ResponseMetadata` keeps the Content-Length the server sent, as axios does.
const ACCEPT_ENCODING: &str = "gzip, deflate, br";
/// axios's Accept, which v6 sends.
const ACCEPT: &str = "application/json, text/plain, */*";
/// The package's name and version.
pub const USER_AGENT: &str = concat!(
    "imagekit-native/",
    env!("CARGO_PKG_VERSION"),
    " (Rust native addon)"
);

enum Decoded {
    /// Not an encoding asked for: the body as it came (axios leaves those too).
    Identity,
    Bytes(Bytes),
    TooLarge,
    Corrupt(String),
}

/// `body` decoded per `encoding`, at most `cap` bytes of it.
fn decode(encoding: &str, body: &[u8], cap: u64) -> Decoded {
    use std::io::Read;
    let reader: Box<dyn Read + '_> = match encoding.trim().to_ascii_lowercase().as_str() {
        "gzip" | "x-gzip" => Box::new(flate2::read::MultiGzDecoder::new(body)),
        // A zlib stream, or (as some servers send it, and axios accepts) raw deflate.
        "deflate" if body.first().is_some_and(|b| b & 0x0f == 8) => {
            Box::new(flate2::read::ZlibDecoder::new(body))
        }
        "deflate" => Box::new(flate2::read::DeflateDecoder::new(body)),
        "br" => Box::new(brotli_decompressor::Decompressor::new(body, 16 * 1024)),
        _ => return Decoded::Identity,
    };
    let mut decoded = Vec::with_capacity(body.len().saturating_mul(4).min(cap as usize));
    match reader.take(cap.saturating_add(1)).read_to_end(&mut decoded) {
        Ok(_) if decoded.len() as u64 > cap => Decoded::TooLarge,
        Ok(_) => Decoded::Bytes(Bytes::from(decoded)),
        Err(error) => Decoded::Corrupt(error.to_string()),
    }
}

/// What every try of one call shares.
struct Call<'a> {
    url: &'a reqwest::Url,
    method: Method,
    private_key: &'a str,
    policy: &'a Policy,
    boundary: &'a str,
    /// Where the call's records go; `None` when nothing is logged.
    log: Option<&'a dyn Log>,
    /// The try under way.
    tries: AtomicU32,
    /// When the call began, when it logs.
    started: Option<std::time::Instant>,
    /// The wait before a retry that was not made because it would have outlasted the
    /// call's timeout.
    unretried: OnceLock<Duration>,
    /// Where a multipart body's bytes are counted.
    progress: Option<&'a Arc<Progress>>,
}

impl Call<'_> {
    /// Records at `level`, when the log wants that level; `message` gets the facts and
    /// `what` adds its own.
    fn record(&self, level: Level, what: impl FnOnce(&mut Record)) {
        let Some(log) = self.log.filter(|log| log.level() >= level) else {
            return;
        };
        let mut record = Record {
            level,
            message: String::new(),
            method: self.method.as_str(),
            path: log::loggable_path(self.url),
            status: None,
            code: None,
            duration: None,
            try_number: self.tries.load(Ordering::Relaxed),
            wait: None,
            retry_stopped: None,
        };
        what(&mut record);
        log.record(record);
    }

    /// `debug`: each try, its status or failure code, and how long it took.
    fn log_try(&self, outcome: &Result<ApiResponse, TransportError>, took: Duration) {
        self.record(Level::Debug, |record| {
            record.duration = Some(took);
            let result = record.outcome(outcome, |status| status.to_string(), str::to_owned);
            record.message = format!(
                "{} {} {result} in {} (try {})",
                record.method,
                record.path,
                log::milliseconds(took),
                record.try_number
            );
        });
    }

    /// `info`: a retry, why, and the wait before it.
    fn log_retry(&self, outcome: &Result<ApiResponse, TransportError>, wait: Duration) {
        self.record(Level::Info, |record| {
            record.wait = Some(wait);
            let why = record.outcome(
                outcome,
                |status| format!("answered {status}"),
                |code| format!("failed with {code}"),
            );
            record.message = format!(
                "{} {} {why}; try {} in {}",
                record.method,
                record.path,
                record.try_number + 1,
                log::milliseconds(wait)
            );
        });
    }

    /// `error`: a call that ended without an answer; `warn`: one that ended with an
    /// error status.
    fn log_end(&self, outcome: &Result<ApiResponse, TransportError>) {
        let Some(started) = self.started else {
            return;
        };
        let took = started.elapsed();
        let level = match outcome {
            Ok(response) if response.status < 400 => return,
            Ok(_) => Level::Warn,
            Err(_) => Level::Error,
        };
        self.record(level, |record| {
            record.duration = Some(took);
            let how = record.outcome(
                outcome,
                |status| format!("answered {status}"),
                |code| format!("failed with {code}"),
            );
            record.message = format!(
                "{} {} {how} after {} try(s) in {}",
                record.method,
                record.path,
                record.try_number,
                log::milliseconds(took)
            );
            if let (Some(&wait), Some(timeout)) = (self.unretried.get(), self.policy.timeout) {
                record.wait = Some(wait);
                record.retry_stopped = Some("timeout");
                record.message.push_str(&format!(
                    "; not retried: the next try, in {}, would begin after the call's {} ms timeout",
                    log::milliseconds(wait),
                    timeout.as_millis()
                ));
            }
        });
    }
}

/// A multipart boundary of form-data's shape: 26 dashes and 24 random digits.
fn boundary() -> String {
    let random = uuid::Uuid::new_v4().as_u128();
    format!("{:-<26}{:024}", "", random % 10u128.pow(24))
}

impl Record {
    /// Notes a try's status or failure code, and says it as `answered` or `failed` would.
    fn outcome(
        &mut self,
        outcome: &Result<ApiResponse, TransportError>,
        answered: impl FnOnce(u16) -> String,
        failed: impl FnOnce(&'static str) -> String,
    ) -> String {
        match outcome {
            Ok(response) => {
                self.status = Some(response.status);
                answered(response.status)
            }
            Err(error) => {
                self.code = Some(error.code);
                failed(error.code)
            }
        }
    }
}

/// `GET https://host:443/path`, as transport errors name the request.
fn described(method: Method, url: &reqwest::Url) -> String {
    format!(
        "{} {}://{}:{}{}",
        method.as_str(),
        url.scheme(),
        url.host_str().unwrap_or_default(),
        url.port_or_known_default().unwrap_or_default(),
        url.path()
    )
}

/// When a byte last moved, either way, for the idle timeout.
struct Activity {
    start: std::time::Instant,
    /// Milliseconds from `start`.
    last: AtomicU64,
}

impl Activity {
    fn new() -> Self {
        Self {
            start: std::time::Instant::now(),
            last: AtomicU64::new(0),
        }
    }

    fn touch(&self) {
        let now = self.start.elapsed().as_millis() as u64;
        self.last.fetch_max(now, Ordering::Relaxed);
    }

    /// Resolves once nothing has moved for `idle`.
    async fn quiet_for(&self, idle: Duration) {
        loop {
            let last = Duration::from_millis(self.last.load(Ordering::Relaxed));
            let quiet = self.start.elapsed().saturating_sub(last);
            if quiet >= idle {
                return;
            }
            tokio::time::sleep(idle - quiet).await;
        }
    }
}

impl ApiRequest {
    /// The same request again, when its body can be sent twice (no stream in it).
    pub fn try_clone(&self) -> Option<ApiRequest> {
        let body = match &self.body {
            Body::Empty => Body::Empty,
            Body::Json(json) => Body::Json(json.clone()),
            Body::Multipart(fields) => {
                let mut copy = Vec::with_capacity(fields.len());
                for field in fields {
                    copy.push(match field {
                        FormField::Text { name, value } => FormField::Text {
                            name: name.clone(),
                            value: value.clone(),
                        },
                        FormField::File {
                            name,
                            file_name,
                            content_type,
                            data: FileData::Bytes(bytes),
                        } => FormField::File {
                            name: name.clone(),
                            file_name: file_name.clone(),
                            content_type: content_type.clone(),
                            data: FileData::Bytes(bytes.clone()),
                        },
                        FormField::File {
                            data: FileData::Stream(..),
                            ..
                        } => return None,
                    });
                }
                Body::Multipart(copy)
            }
        };
        Some(ApiRequest {
            method: self.method,
            url: self.url.clone(),
            body,
        })
    }
}

/// A multipart/form-data body laid out byte for byte as the form-data package writes it
/// (the encoder v6 uses): `--boundary`, the part's headers, a blank line, the data and a
/// line break per part, then `--boundary--`. Bytes are never copied; stream parts are
/// forwarded chunk by chunk as JavaScript reads them.
struct Multipart {
    boundary: String,
    segments: Vec<FileData>,
}

impl Multipart {
    fn new(fields: Vec<FormField>, boundary: &str) -> Self {
        let mut segments = Vec::with_capacity(fields.len() * 3 + 1);
        for field in fields {
            let (name, file_name, content_type, data) = match field {
                FormField::Text { name, value } => {
                    (name, None, None, FileData::Bytes(Bytes::from(value)))
                }
                FormField::File {
                    name,
                    file_name,
                    content_type,
                    data,
                } => (name, Some(file_name), content_type, data),
            };
            let mut head = format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"",
                escape_parameter(&name)
            );
            if let Some(file_name) = file_name.filter(|f| !f.is_empty()) {
                head.push_str(&format!("; filename=\"{}\"", escape_parameter(&file_name)));
            }
            head.push_str("\r\n");
            if let Some(content_type) = content_type {
                head.push_str(&format!("Content-Type: {content_type}\r\n"));
            }
            head.push_str("\r\n");
            segments.push(FileData::Bytes(Bytes::from(head)));
            segments.push(data);
            segments.push(FileData::Bytes(Bytes::from_static(b"\r\n")));
        }
        segments.push(FileData::Bytes(Bytes::from(format!("--{boundary}--\r\n"))));
        Self {
            boundary: boundary.to_owned(),
            segments,
        }
    }

    /// The body's size, when no part is a stream of unknown length (and the sum fits).
    fn length(&self) -> Option<u64> {
        self.segments
            .iter()
            .try_fold(0u64, |total, segment| match segment {
                FileData::Bytes(bytes) => total.checked_add(bytes.len() as u64),
                FileData::Stream(_, length) => total.checked_add((*length)?),
            })
    }

    /// The parts in order, a large one in [`BODY_CHUNK`]s (slices of the same bytes);
    /// each chunk the connection takes counts as activity, and as progress when asked.
    fn into_body(self, activity: Arc<Activity>, progress: Option<Arc<Progress>>) -> reqwest::Body {
        let chunks = futures_util::stream::iter(self.segments)
            .map(|segment| match segment {
                FileData::Bytes(bytes) => futures_util::stream::iter(Chunks(bytes))
                    .map(Ok::<_, SourceError>)
                    .boxed(),
                FileData::Stream(body, _) => body.into_stream().boxed(),
            })
            .flatten()
            .inspect(move |chunk| {
                activity.touch();
                if let (Some(progress), Ok(chunk)) = (&progress, chunk) {
                    progress.add(chunk.len());
                }
            });
        reqwest::Body::wrap_stream(chunks)
    }
}

/// A buffer as slices of at most [`BODY_CHUNK`] bytes, none copied.
struct Chunks(Bytes);

impl Iterator for Chunks {
    type Item = Bytes;

    fn next(&mut self) -> Option<Bytes> {
        if self.0.is_empty() {
            return None;
        }
        let size = self.0.len().min(BODY_CHUNK);
        Some(self.0.split_to(size))
    }
}

/// form-data's escaping of a `name` or `filename` parameter (the WHATWG one): CR, LF and
/// `"` percent-encoded, so no value can end the header line or the quoted string.
fn escape_parameter(value: &str) -> String {
    value
        .replace('\r', "%0D")
        .replace('\n', "%0A")
        .replace('"', "%22")
}

/// Names the cause the way Node's errors do, without the URL's credentials (none are
/// ever put in it: the key travels in the Authorization header). The code comes from the
/// types in the error's chain only; the chain's text goes into the message alone.
fn transport_error(method: Method, url: &reqwest::Url, error: &reqwest::Error) -> TransportError {
    let host = url.host_str().unwrap_or_default();
    let port = url.port_or_known_default().unwrap_or_default();
    if let Some(source) = source_error(error) {
        return TransportError {
            stage: Stage::Final,
            code: "ERR_STREAM_PREMATURE_CLOSE",
            message: format!(
                "{source}; the request was aborted before its body was complete ({} {}://{host}:{port}{})",
                method.as_str(),
                url.scheme(),
                url.path()
            ),
        };
    }
    let code = classify(error);
    let cause = match code {
        "ECONNREFUSED" => format!("connect ECONNREFUSED {host}:{port}"),
        "ENOTFOUND" => format!("getaddrinfo ENOTFOUND {host}"),
        _ => format!("{code}: {}", error_chain(error)),
    };
    TransportError {
        code,
        // reqwest marks everything up to a connection ready to write on as a connect
        // failure: name resolution, TCP, the TLS handshake, the connect timeout.
        stage: if error.is_connect() {
            Stage::NotSent
        } else {
            Stage::Sent
        },
        message: format!(
            "{cause} ({} {}://{host}:{port}{})",
            method.as_str(),
            url.scheme(),
            url.path()
        ),
    }
}

/// The Node-style code of a failed request: first the first cause, outermost first, whose
/// type names what went wrong (a failed lookup, a TLS error, an OS error of a known kind),
/// then reqwest's own timeout, then what hyper saw of the exchange (a connection that
/// ended before the whole response); `ERR_NETWORK` when no type says more.
fn classify(error: &reqwest::Error) -> &'static str {
    let chain = causes(error);
    chain
        .iter()
        .find_map(|cause| cause_code(*cause))
        .or_else(|| error.is_timeout().then_some("ETIMEDOUT"))
        .or_else(|| chain.iter().find_map(|cause| exchange_code(*cause)))
        .unwrap_or("ERR_NETWORK")
}

/// Every error in the chain, outermost first. An `io::Error` wrapping another error is
/// followed into that error (its own `source()` skips it: it answers the inner error's
/// source), which is where rustls's errors travel.
fn causes<'a>(
    error: &'a (dyn std::error::Error + 'static),
) -> Vec<&'a (dyn std::error::Error + 'static)> {
    let mut chain = Vec::new();
    let mut next = Some(error);
    while let Some(current) = next {
        chain.push(current);
        next = match current.downcast_ref::<std::io::Error>() {
            Some(io) => io
                .get_ref()
                .map(|inner| inner as &(dyn std::error::Error + 'static)),
            None => current.source(),
        };
    }
    chain
}

/// What one cause says by its type alone.
fn cause_code(cause: &(dyn std::error::Error + 'static)) -> Option<&'static str> {
    if cause.is::<LookupFailed>() {
        return Some("ENOTFOUND");
    }
    if let Some(tls) = cause.downcast_ref::<rustls::Error>() {
        return Some(tls_code(tls));
    }
    cause.downcast_ref::<std::io::Error>().and_then(io_code)
}

fn io_code(error: &std::io::Error) -> Option<&'static str> {
    use std::io::ErrorKind;
    Some(match error.kind() {
        ErrorKind::ConnectionRefused => "ECONNREFUSED",
        // A peer that closed mid-read: Node's `read ECONNRESET` / "socket hang up".
        ErrorKind::ConnectionReset | ErrorKind::UnexpectedEof => "ECONNRESET",
        ErrorKind::ConnectionAborted => "ECONNABORTED",
        ErrorKind::TimedOut => "ETIMEDOUT",
        ErrorKind::BrokenPipe => "EPIPE",
        ErrorKind::AddrNotAvailable => "EADDRNOTAVAIL",
        ErrorKind::AddrInUse => "EADDRINUSE",
        ErrorKind::HostUnreachable => "EHOSTUNREACH",
        ErrorKind::NetworkUnreachable => "ENETUNREACH",
        ErrorKind::NetworkDown => "ENETDOWN",
        // No kind of its own in std: by number.
        _ => return os_code(error.raw_os_error()?),
    })
}

fn os_code(errno: i32) -> Option<&'static str> {
    let ehostdown = if cfg!(any(target_os = "linux", target_os = "android")) {
        112
    } else if cfg!(any(
        target_vendor = "apple",
        target_os = "freebsd",
        target_os = "openbsd",
        target_os = "netbsd"
    )) {
        64
    } else if cfg!(windows) {
        10064 // WSAEHOSTDOWN
    } else {
        return None;
    };
    (errno == ehostdown).then_some("EHOSTDOWN")
}

/// OpenSSL's names, which Node reports, for the certificate failures rustls tells apart;
/// any other TLS failure is a protocol error.
fn tls_code(error: &rustls::Error) -> &'static str {
    use rustls::CertificateError;
    match error {
        rustls::Error::InvalidCertificate(certificate) => match certificate {
            CertificateError::UnknownIssuer => "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                "CERT_HAS_EXPIRED"
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                "CERT_NOT_YET_VALID"
            }
            CertificateError::Revoked => "CERT_REVOKED",
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                "ERR_TLS_CERT_ALTNAME_INVALID"
            }
            _ => "EPROTO",
        },
        _ => "EPROTO",
    }
}

/// What hyper says about the exchange when no cause below it said more.
fn exchange_code(cause: &(dyn std::error::Error + 'static)) -> Option<&'static str> {
    let error = cause.downcast_ref::<hyper::Error>()?;
    if error.is_timeout() {
        Some("ETIMEDOUT")
    } else if error.is_incomplete_message() || error.is_closed() || error.is_canceled() {
        // The connection ended before a whole response: Node's "socket hang up".
        Some("ECONNRESET")
    } else {
        None
    }
}

/// A name the resolver could not turn into any address.
#[derive(Debug)]
struct LookupFailed {
    host: String,
    cause: Option<std::io::Error>,
}

impl std::fmt::Display for LookupFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "no address found for {}", self.host)
    }
}

impl std::error::Error for LookupFailed {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause
            .as_ref()
            .map(|cause| cause as &(dyn std::error::Error + 'static))
    }
}

/// The system's resolver (getaddrinfo, as reqwest's default and Node use), whose failure
/// comes back as a `LookupFailed` instead of an io::Error with no usable kind.
struct Resolver;

impl reqwest::dns::Resolve for Resolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let failed = |cause| -> Box<dyn std::error::Error + Send + Sync> {
                Box::new(LookupFailed {
                    host: host.clone(),
                    cause,
                })
            };
            let addresses: Vec<std::net::SocketAddr> =
                match tokio::net::lookup_host((host.as_str(), 0)).await {
                    Ok(addresses) => addresses.collect(),
                    Err(cause) => return Err(failed(Some(cause))),
                };
            if addresses.is_empty() {
                return Err(failed(None));
            }
            Ok(Box::new(addresses.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The upload source's failure, when that is what ended the request.
fn source_error(error: &reqwest::Error) -> Option<SourceError> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = cause {
        if let Some(source) = current.downcast_ref::<SourceError>() {
            return Some(*source);
        }
        cause = current.source();
    }
    None
}

fn error_chain(error: &reqwest::Error) -> String {
    let mut text = error.without_url_ref().to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

trait WithoutUrl {
    fn without_url_ref(&self) -> String;
}

impl WithoutUrl for reqwest::Error {
    fn without_url_ref(&self) -> String {
        let text = self.to_string();
        match self.url() {
            Some(url) => text
                .replace(&format!(" ({url})"), "")
                .replace(url.as_str(), ""),
            None => text,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Error, ErrorKind};

    fn code(error: &(dyn std::error::Error + 'static)) -> Option<&'static str> {
        causes(error).into_iter().find_map(cause_code)
    }

    #[test]
    fn answers_are_decoded_as_axios_decodes_them() {
        use std::io::Write;
        let text = br#"{"files":["a","b","c"]}"#.repeat(100);
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gzip.write_all(&text).unwrap();
        let gzip = gzip.finish().unwrap();
        let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        zlib.write_all(&text).unwrap();
        let zlib = zlib.finish().unwrap();
        let mut raw =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        raw.write_all(&text).unwrap();
        let raw = raw.finish().unwrap();
        for (encoding, body) in [
            ("gzip", &gzip),
            ("X-Gzip", &gzip),
            ("deflate", &zlib),
            ("deflate", &raw),
        ] {
            match decode(encoding, body, 1 << 20) {
                Decoded::Bytes(decoded) => assert_eq!(&decoded[..], &text[..], "{encoding}"),
                _ => panic!("{encoding} not decoded"),
            }
        }
        assert!(matches!(
            decode("gzip", &gzip, text.len() as u64),
            Decoded::Bytes(_)
        ));
        assert!(matches!(
            decode("gzip", &gzip, text.len() as u64 - 1),
            Decoded::TooLarge
        ));
        assert!(matches!(
            decode("gzip", b"not gzip", 1 << 20),
            Decoded::Corrupt(_)
        ));
        assert!(matches!(
            decode("compress", &gzip, 1 << 20),
            Decoded::Identity
        ));
    }

    #[test]
    fn a_body_length_that_would_overflow_is_unknown() {
        let stream = |length| {
            let (_writer, body) = crate::upload_source::channel(1);
            FormField::File {
                name: "file".into(),
                file_name: "a".into(),
                content_type: None,
                data: FileData::Stream(body, Some(length)),
            }
        };
        let fits = Multipart::new(vec![stream(10)], "b");
        assert!(fits.length().is_some_and(|length| length > 10));
        let huge = Multipart::new(vec![stream(u64::MAX / 2), stream(u64::MAX / 2)], "b");
        assert_eq!(huge.length(), None);
    }

    #[test]
    fn large_buffers_are_sent_in_slices_of_the_same_bytes() {
        let bytes = Bytes::from(vec![7u8; BODY_CHUNK * 2 + 1]);
        let start = bytes.as_ptr();
        let slices: Vec<Bytes> = Chunks(bytes).collect();
        assert_eq!(
            slices.iter().map(Bytes::len).collect::<Vec<_>>(),
            [BODY_CHUNK, BODY_CHUNK, 1]
        );
        assert_eq!(slices[0].as_ptr(), start, "not copied");
    }

    #[test]
    fn os_errors_by_kind_and_number() {
        assert_eq!(
            code(&Error::from(ErrorKind::ConnectionRefused)),
            Some("ECONNREFUSED")
        );
        assert_eq!(
            code(&Error::from(ErrorKind::UnexpectedEof)),
            Some("ECONNRESET")
        );
        assert_eq!(code(&Error::from(ErrorKind::BrokenPipe)), Some("EPIPE"));
        assert_eq!(code(&Error::other("no kind")), None);
        #[cfg(target_os = "linux")]
        assert_eq!(code(&Error::from_raw_os_error(112)), Some("EHOSTDOWN"));
    }

    #[test]
    fn a_tls_error_is_found_inside_the_io_error_carrying_it() {
        // tokio-rustls's shape: io::Error's own source() would skip the rustls error.
        let expired = Error::new(
            ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(rustls::CertificateError::Expired),
        );
        assert!(std::error::Error::source(&expired).is_none());
        assert_eq!(code(&expired), Some("CERT_HAS_EXPIRED"));
        let garbage = Error::new(
            ErrorKind::InvalidData,
            rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType),
        );
        assert_eq!(code(&garbage), Some("EPROTO"));
        let name = rustls::Error::InvalidCertificate(rustls::CertificateError::NotValidForName);
        assert_eq!(tls_code(&name), "ERR_TLS_CERT_ALTNAME_INVALID");
        let issuer = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        assert_eq!(tls_code(&issuer), "UNABLE_TO_VERIFY_LEAF_SIGNATURE");
    }

    #[test]
    fn a_failed_lookup_is_enotfound_whatever_its_os_error() {
        // The outer fact wins over the timed-out io::Error it carries.
        let failed = LookupFailed {
            host: "example.invalid".into(),
            cause: Some(Error::from(ErrorKind::TimedOut)),
        };
        assert_eq!(causes(&failed).len(), 2);
        assert_eq!(code(&failed), Some("ENOTFOUND"));
    }
}
