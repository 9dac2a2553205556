//! Raw HTTP/1.1 connections to the server: requests written as the bytes
//! they were rendered to (slowly, sometimes), kept alive while the server
//! does.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::plan::{show, Kind, Planned};
use crate::response::{read_response, ReadError, Response};
use crate::{ANSWER_TIMEOUT, MALFORMED_TIMEOUT, SHOWN};

pub struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

async fn connect(port: u16) -> std::io::Result<Conn> {
    let stream = tokio::time::timeout(
        Duration::from_secs(5),
        TcpStream::connect(("127.0.0.1", port)),
    )
    .await
    .map_err(|_| std::io::Error::other("connect timed out"))??;
    stream.set_nodelay(true)?;
    Ok(Conn {
        stream,
        buf: Vec::new(),
    })
}

async fn send_bytes<W: AsyncWrite + Unpin>(
    wr: &mut W,
    bytes: &[u8],
    slow: &Option<Vec<(u16, u16)>>,
) -> std::io::Result<()> {
    let mut pos = 0;
    if let Some(plan) = slow {
        for &(n, ms) in plan {
            if pos >= bytes.len() {
                break;
            }
            let end = (pos + usize::from(n)).min(bytes.len());
            wr.write_all(&bytes[pos..end]).await?;
            pos = end;
            tokio::time::sleep(Duration::from_millis(u64::from(ms))).await;
        }
    }
    wr.write_all(&bytes[pos..]).await
}

/// Sends `p` on `conn` while reading the answer; Ok((answer, whole request
/// written)).
async fn exchange(conn: &mut Conn, p: &Planned) -> Result<(Response, bool), ReadError> {
    let Conn { stream, buf } = conn;
    let (mut rd, mut wr) = stream.split();
    let write = send_bytes(&mut wr, &p.bytes, &p.slow);
    let read = tokio::time::timeout(ANSWER_TIMEOUT, read_response(&mut rd, buf, p.head));
    tokio::pin!(write);
    tokio::pin!(read);
    let mut wrote: Option<bool> = None;
    loop {
        tokio::select! {
            w = &mut write, if wrote.is_none() => wrote = Some(w.is_ok()),
            r = &mut read => {
                let r = r.map_err(|_| ReadError::Timeout)??;
                return Ok((r, wrote == Some(true)));
            }
        }
    }
}

/// Requests sent again because a kept-alive connection turned out closed.
pub static RETRIES: AtomicU64 = AtomicU64::new(0);

/// Sends a request that must be answered, reusing `slot`'s connection (and
/// retrying once on a fresh one when a reused connection turns out closed).
pub async fn perform(slot: &mut Option<Conn>, p: &Planned, port: u16) -> Result<Response, String> {
    for attempt in 0..2 {
        let (mut conn, reused) = match slot.take() {
            Some(c) => (c, true),
            None => (
                connect(port)
                    .await
                    .map_err(|e| format!("cannot connect to the server: {e}"))?,
                false,
            ),
        };
        if !conn.buf.is_empty() {
            return Err(format!(
                "unexpected bytes after the previous response on this connection: {}",
                show(&conn.buf, SHOWN)
            ));
        }
        match exchange(&mut conn, p).await {
            Ok((response, wrote_all)) => {
                if wrote_all && p.kind == Kind::Answer && !response.close {
                    *slot = Some(conn);
                }
                return Ok(response);
            }
            Err(ReadError::Nothing(_)) if reused && attempt == 0 => {
                RETRIES.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            Err(e) => return Err(e.describe()),
        }
    }
    unreachable!()
}

/// Sends a malformed or truncated request, half-closes, and returns the
/// status of whatever came back.
pub async fn fire(
    slot: &mut Option<Conn>,
    p: &Planned,
    port: u16,
) -> Result<Option<Response>, String> {
    let mut conn = match slot.take() {
        Some(c) if c.buf.is_empty() => c,
        _ => connect(port)
            .await
            .map_err(|e| format!("cannot connect to the server: {e}"))?,
    };
    let Conn { stream, buf } = &mut conn;
    let (mut rd, mut wr) = stream.split();
    let _ = tokio::time::timeout(MALFORMED_TIMEOUT, async {
        let _ = send_bytes(&mut wr, &p.bytes, &p.slow).await;
        if !p.abandon {
            let _ = wr.shutdown().await;
        }
    })
    .await;
    if p.abandon {
        // Close the socket without reading anything.
        return Ok(None);
    }
    match tokio::time::timeout(MALFORMED_TIMEOUT, read_response(&mut rd, buf, p.head)).await {
        Ok(Ok(r)) => Ok(Some(r)),
        _ => Ok(None),
    }
}
