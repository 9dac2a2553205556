//! Reading an HTTP/1.1 response off a raw connection, strictly: a response
//! that is not well-formed is an error of its own.

use tokio::io::{AsyncRead, AsyncReadExt};

use crate::plan::show;
use crate::{ANSWER_TIMEOUT, MAX_RESPONSE_BODY, SHOWN};

pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub close: bool,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub enum ReadError {
    /// Closed (or reset) before a single byte arrived.
    Nothing(String),
    Malformed(String),
    Timeout,
}

impl ReadError {
    pub fn describe(&self) -> String {
        match self {
            ReadError::Nothing(how) => format!("no answer: the connection was {how}"),
            ReadError::Malformed(why) => format!("malformed response: {why}"),
            ReadError::Timeout => format!("no answer within {} s (hang)", ANSWER_TIMEOUT.as_secs()),
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Reads more into `buf`; Ok(0) at EOF.
async fn fill<R: AsyncRead + Unpin>(rd: &mut R, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    buf.reserve(16 * 1024);
    rd.read_buf(buf).await
}

pub async fn read_response<R: AsyncRead + Unpin>(
    rd: &mut R,
    buf: &mut Vec<u8>,
    head_request: bool,
) -> Result<Response, ReadError> {
    let mut got_any = !buf.is_empty();
    let malformed = |s: String| ReadError::Malformed(s);
    loop {
        let end = loop {
            if let Some(p) = find(buf, b"\r\n\r\n") {
                break p + 4;
            }
            if buf.len() > 1 << 20 {
                return Err(malformed("response head over 1 MiB".into()));
            }
            match fill(rd, buf).await {
                Ok(0) if !got_any => return Err(ReadError::Nothing("closed".into())),
                Ok(0) => {
                    return Err(malformed(format!(
                        "connection closed inside the head: {}",
                        show(buf, SHOWN)
                    )))
                }
                Ok(_) => got_any = true,
                Err(e) if !got_any => return Err(ReadError::Nothing(format!("reset ({e})"))),
                Err(e) => return Err(malformed(format!("read error inside the head: {e}"))),
            }
        };
        let head = String::from_utf8_lossy(&buf[..end - 4]).into_owned();
        buf.drain(..end);
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap_or("");
        let version_ok =
            status_line.starts_with("HTTP/1.1 ") || status_line.starts_with("HTTP/1.0 ");
        let code = status_line.get(9..12).unwrap_or("");
        let rest = status_line.get(12..).unwrap_or("");
        if !version_ok
            || code.len() != 3
            || !code.bytes().all(|b| b.is_ascii_digit())
            || !(rest.is_empty() || rest.starts_with(' '))
        {
            return Err(malformed(format!("bad status line {status_line:?}")));
        }
        let status: u16 = code.parse().unwrap();
        let mut headers = Vec::new();
        for line in lines {
            let Some((name, value)) = line.split_once(':') else {
                return Err(malformed(format!("bad header line {line:?}")));
            };
            if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(malformed(format!("bad header name {name:?}")));
            }
            headers.push((name.to_string(), value.trim().to_string()));
        }
        if (100..200).contains(&status) && status != 101 {
            continue;
        }
        let mut response = Response {
            status,
            headers,
            body: Vec::new(),
            close: status_line.starts_with("HTTP/1.0"),
        };
        let connection = response
            .header("connection")
            .unwrap_or("")
            .to_ascii_lowercase();
        if connection.contains("close") {
            response.close = true;
        } else if connection.contains("keep-alive") {
            response.close = false;
        }
        let lengths: Vec<&str> = response
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("content-length"))
            .map(|(_, v)| v.as_str())
            .collect();
        let chunked = response
            .header("transfer-encoding")
            .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
        if head_request || status == 204 || status == 304 || status == 101 {
            return Ok(response);
        }
        if chunked {
            let mut body = Vec::new();
            loop {
                let line_end = loop {
                    if let Some(p) = find(buf, b"\r\n") {
                        break p;
                    }
                    if fill(rd, buf).await.unwrap_or(0) == 0 {
                        return Err(malformed("connection closed inside a chunked body".into()));
                    }
                };
                let size_text = String::from_utf8_lossy(&buf[..line_end]).into_owned();
                let size_hex = size_text.split(';').next().unwrap_or("").trim();
                let size = usize::from_str_radix(size_hex, 16)
                    .map_err(|_| malformed(format!("bad chunk size {size_text:?}")))?;
                buf.drain(..line_end + 2);
                if size == 0 {
                    // Trailers, then an empty line.
                    loop {
                        let p = loop {
                            if let Some(p) = find(buf, b"\r\n") {
                                break p;
                            }
                            if fill(rd, buf).await.unwrap_or(0) == 0 {
                                return Err(malformed("connection closed in the trailers".into()));
                            }
                        };
                        buf.drain(..p + 2);
                        if p == 0 {
                            break;
                        }
                    }
                    break;
                }
                if body.len() + size > MAX_RESPONSE_BODY {
                    return Err(malformed("response body over 64 MiB".into()));
                }
                while buf.len() < size + 2 {
                    if fill(rd, buf).await.unwrap_or(0) == 0 {
                        return Err(malformed("connection closed inside a chunk".into()));
                    }
                }
                if &buf[size..size + 2] != b"\r\n" {
                    return Err(malformed("chunk not followed by CRLF".into()));
                }
                body.extend_from_slice(&buf[..size]);
                buf.drain(..size + 2);
            }
            response.body = body;
        } else if let Some(first) = lengths.first() {
            if lengths.iter().any(|l| l != first) {
                return Err(malformed(format!("conflicting Content-Length {lengths:?}")));
            }
            let n: usize = first
                .parse()
                .map_err(|_| malformed(format!("bad Content-Length {first:?}")))?;
            if n > MAX_RESPONSE_BODY {
                return Err(malformed(format!("Content-Length {n} over 64 MiB")));
            }
            while buf.len() < n {
                if fill(rd, buf).await.unwrap_or(0) == 0 {
                    return Err(malformed(format!(
                        "connection closed after {} of {n} body bytes (status {status})",
                        buf.len()
                    )));
                }
            }
            response.body = buf.drain(..n).collect();
        } else {
            // Delimited by the end of the connection.
            while fill(rd, buf).await.unwrap_or(0) > 0 {
                if buf.len() > MAX_RESPONSE_BODY {
                    return Err(malformed("response body over 64 MiB".into()));
                }
            }
            response.body = std::mem::take(buf);
            response.close = true;
        }
        return Ok(response);
    }
}
