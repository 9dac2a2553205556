//! An upload's body that is read to its end even when the request is refused
//! early. When the handler (or a layer before it: the Host guard, the rate
//! limit, an injected fault) answers without reading everything (too many
//! fields, a file over the limit, bad credentials), the unread rest is read
//! and thrown away by a task of its own, bounded in bytes and time, while the
//! answer goes out. Closing a connection with unread request bytes makes the
//! kernel reset it, and a client still sending (a streamed `FormData`, a
//! browser) would lose the answer to the reset.
//!
//! Until then the body is the request's own, polled by the handler as before.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use bytes::Bytes;
use http_body::{Frame, SizeHint};
use http_body_util::BodyExt;
use tokio::time::Instant;

/// Most bytes read and thrown away after the handler stopped reading.
pub const DRAIN_BYTES: u64 = 256 << 20;
/// Longest time spent reading them.
pub const DRAIN_TIME: Duration = Duration::from_secs(120);
/// Longest wait for the client's next bytes while draining.
pub const DRAIN_IDLE: Duration = Duration::from_secs(10);

/// A body whose unread rest is drained when it is dropped.
struct DrainedOnDrop {
    inner: Option<Body>,
    ended: bool,
}

impl http_body::Body for DrainedOnDrop {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = self.get_mut();
        let Some(inner) = this.inner.as_mut() else {
            return Poll::Ready(None);
        };
        let polled = Pin::new(inner).poll_frame(cx);
        if matches!(polled, Poll::Ready(None) | Poll::Ready(Some(Err(_)))) {
            this.ended = true;
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner
            .as_ref()
            .is_none_or(http_body::Body::is_end_stream)
    }

    fn size_hint(&self) -> SizeHint {
        self.inner
            .as_ref()
            .map_or_else(|| SizeHint::with_exact(0), http_body::Body::size_hint)
    }
}

impl Drop for DrainedOnDrop {
    fn drop(&mut self) {
        let Some(inner) = self.inner.take() else {
            return;
        };
        if self.ended || http_body::Body::is_end_stream(&inner) {
            return;
        }
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(drain(inner));
        }
    }
}

/// Reads and drops the rest of a body: at most [`DRAIN_BYTES`], for at
/// most [`DRAIN_TIME`], as long as the client sends something every
/// [`DRAIN_IDLE`].
async fn drain(mut body: Body) {
    let deadline = Instant::now() + DRAIN_TIME;
    let mut drained = 0u64;
    while drained <= DRAIN_BYTES {
        let wait = deadline.min(Instant::now() + DRAIN_IDLE);
        match tokio::time::timeout_at(wait, body.frame()).await {
            Ok(Some(Ok(frame))) => {
                drained += frame.data_ref().map_or(0, |d| d.len() as u64);
            }
            _ => return,
        }
    }
}

/// The upload routes' paths (every version's).
fn is_upload(request: &Request) -> bool {
    request.uri().path().starts_with("/api/")
}

/// A layer, outside every other, giving each upload request a body that is
/// drained when left unread.
pub async fn drain_unread_uploads(request: Request, next: Next) -> Response {
    if !is_upload(&request) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let body = Body::new(DrainedOnDrop {
        inner: Some(body),
        ended: false,
    });
    next.run(Request::from_parts(parts, body)).await
}
