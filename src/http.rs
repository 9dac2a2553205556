//! The one request path of the media and upload APIs: a client with its own connection
//! pool, basic auth with the private key, and responses handed back as status, headers
//! and raw body. Everything about JavaScript values happens in the binding.

use std::time::Duration;

use base64::Engine;
use bytes::Bytes;
use futures_util::StreamExt;

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

pub struct ApiResponse {
    pub status: u16,
    /// Lower-cased names in the order received; repeated headers joined with ", ".
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

/// No response: the request could not be sent or its answer not read.
#[derive(Debug, Clone, PartialEq)]
pub struct TransportError {
    /// Node-style error code (`ECONNREFUSED`, `ENOTFOUND`, `ECONNRESET`, ...).
    pub code: &'static str,
    pub message: String,
}

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// One connection pool per `ImageKit` instance.
pub struct Client {
    inner: reqwest::Client,
}

impl Client {
    pub fn new() -> Result<Self, TransportError> {
        let inner = reqwest::Client::builder()
            .pool_idle_timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| TransportError {
                code: "ERR_CLIENT",
                message: e.to_string(),
            })?;
        Ok(Self { inner })
    }

    pub async fn send(
        &self,
        request: ApiRequest,
        private_key: &str,
    ) -> Result<ApiResponse, TransportError> {
        let url = reqwest::Url::parse(&request.url).map_err(|_| TransportError {
            code: "ERR_INVALID_URL",
            message: format!("Invalid URL: {}", request.url),
        })?;
        let credentials =
            base64::engine::general_purpose::STANDARD.encode(format!("{private_key}:"));
        let mut builder = self
            .inner
            .request(request.method.as_reqwest(), url.clone())
            .header(
                reqwest::header::AUTHORIZATION,
                format!("Basic {credentials}"),
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
                let form = Multipart::new(fields);
                let builder = builder.header(
                    reqwest::header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={}", form.boundary),
                );
                let builder = match form.length() {
                    Some(length) => builder.header(reqwest::header::CONTENT_LENGTH, length),
                    None => builder,
                };
                builder.body(form.into_body())
            }
        };
        let response = builder
            .send()
            .await
            .map_err(|e| transport_error(request.method, &url, &e))?;
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
        let body = response
            .bytes()
            .await
            .map_err(|e| transport_error(request.method, &url, &e))?;
        Ok(ApiResponse {
            status,
            headers,
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
    fn new(fields: Vec<FormField>) -> Self {
        // form-data's shape: 26 dashes and 24 random digits.
        let random = uuid::Uuid::new_v4().as_u128();
        let boundary = format!("{:-<26}{:024}", "", random % 10u128.pow(24));
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
        Self { boundary, segments }
    }

    /// The body's size, when no part is a stream.
    fn length(&self) -> Option<u64> {
        self.segments
            .iter()
            .try_fold(0u64, |total, segment| match segment {
                FileData::Bytes(bytes) => Some(total + bytes.len() as u64),
                FileData::Stream(_, length) => length.map(|length| total + length),
            })
    }

    fn into_body(self) -> reqwest::Body {
        let chunks = futures_util::stream::iter(self.segments)
            .map(|segment| match segment {
                FileData::Bytes(bytes) => {
                    futures_util::stream::once(async move { Ok::<_, SourceError>(bytes) }).boxed()
                }
                FileData::Stream(body, _) => body.into_stream().boxed(),
            })
            .flatten();
        reqwest::Body::wrap_stream(chunks)
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
/// ever put in it: the key travels in the Authorization header).
fn transport_error(method: Method, url: &reqwest::Url, error: &reqwest::Error) -> TransportError {
    let host = url.host_str().unwrap_or_default();
    let port = url.port_or_known_default().unwrap_or_default();
    if let Some(source) = source_error(error) {
        return TransportError {
            code: "ERR_STREAM_PREMATURE_CLOSE",
            message: format!(
                "{source}; the request was aborted before its body was complete ({} {}://{host}:{port}{})",
                method.as_str(),
                url.scheme(),
                url.path()
            ),
        };
    }
    let chain = error_chain(error);
    let lower = chain.to_lowercase();
    let code = if lower.contains("connection refused") {
        "ECONNREFUSED"
    } else if lower.contains("dns error") || lower.contains("failed to lookup address") {
        "ENOTFOUND"
    } else if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake")
    {
        "EPROTO"
    } else if error.is_timeout() || lower.contains("timed out") {
        "ETIMEDOUT"
    } else if lower.contains("reset")
        || lower.contains("closed")
        || lower.contains("incomplete")
        || lower.contains("eof")
    {
        "ECONNRESET"
    } else {
        "ERR_NETWORK"
    };
    let cause = match code {
        "ECONNREFUSED" => format!("connect ECONNREFUSED {host}:{port}"),
        "ENOTFOUND" => format!("getaddrinfo ENOTFOUND {host}"),
        _ => format!("{code}: {chain}"),
    };
    TransportError {
        code,
        message: format!(
            "{cause} ({} {}://{host}:{port}{})",
            method.as_str(),
            url.scheme(),
            url.path()
        ),
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
