//! The HTTP layer's middleware, in the order a request meets it: the head
//! limits, the Host guard, the request log, the fault rules, each handler run
//! to completion as a task; and per route group the rate limit, the private
//! key (media API) and the admin guard.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;

use crate::access::{is_json, MAX_HEADERS, MAX_HEAD_BYTES};
use crate::app::{App, ConnectionContext};
use crate::auth::check_basic;
use crate::request_log::{redact, Entry};
use crate::routes::error::ApiError;
use crate::timestamp::{now_ms, to_iso};

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
    // A webhook this server sends (to a URL a client named) is no admin call.
    if headers.contains_key("x-ik-signature") {
        return Err(ApiError::Forbidden(
            "The admin API refuses webhook deliveries.".into(),
        ));
    }
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

/// Middleware guarding the media API.
pub async fn require_private_key(
    State(app): State<Arc<App>>,
    request: Request,
    next: Next,
) -> Response {
    match check_basic(request.headers(), &app.config.private_key) {
        Ok(()) => next.run(request).await,
        Err(err) => ApiError::from(err).into_response(),
    }
}

/// Middleware for the upload and media API routes.
pub async fn rate_limit(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    match app.rate_limit.check() {
        Ok(()) => next.run(request).await,
        Err(err) => ApiError::from(err).into_response(),
    }
}

/// Middleware recording every request but the admin API's own.
pub async fn record_request(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let uri = request.uri().clone();
    if uri.path().starts_with("/__admin") {
        return next.run(request).await;
    }
    let method = request.method().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    app.requests.push(Entry {
        at: to_iso(now_ms()),
        method,
        path: redact(uri.path(), uri.query()),
        status: response.status().as_u16(),
        latency_ms: (started.elapsed().as_secs_f64() * 10_000.0).round() / 10.0,
    });
    response
}

/// Runs each request's handler as its own task, so a client that goes away
/// mid-request (hyper then drops the response future) cannot cut a change in
/// half: an upload whose bytes all arrived is stored, a delete removes its
/// blobs after the state is saved. A panic in the handler is a 500.
pub async fn run_to_completion(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    match tokio::spawn(next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            ApiError::internal("The server failed on this request (a bug: please report it).")
                .into_response()
        }
    }
}

/// Middleware in front of every ImageKit route (never the admin routes).
pub async fn inject_faults(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let Some(rule) = app
        .faults
        .take(request.method().as_str(), request.uri().path())
    else {
        return next.run(request).await;
    };
    if rule.delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(rule.delay_ms)).await;
    }
    let request = if rule.read_delay_ms > 0 {
        slow_body(request, Duration::from_millis(rule.read_delay_ms))
    } else {
        request
    };
    if rule.drop_connection {
        let connection = request.extensions().get::<ConnectionContext>().cloned();
        if rule.after_handler {
            // The work is done (an upload stored, a delete made); the answer never leaves.
            drop(next.run(request).await);
        }
        if let Some(connection) = connection {
            connection.kill.notify_one();
            // The connection task drops the socket; this future is dropped with it.
            std::future::pending::<()>().await;
        }
        return truncated(StatusCode::INTERNAL_SERVER_ERROR, Bytes::new());
    }
    if let Some(status) = rule.status.and_then(|s| StatusCode::from_u16(s).ok()) {
        let mut response = ApiError::Injected(status).into_response();
        for (name, value) in &rule.headers {
            if let (Ok(name), Ok(value)) = (
                axum::http::HeaderName::from_bytes(name.as_bytes()),
                axum::http::HeaderValue::from_str(value),
            ) {
                response.headers_mut().insert(name, value);
            }
        }
        return if rule.truncate_body {
            truncate(response).await
        } else {
            response
        };
    }
    let response = next.run(request).await;
    if rule.truncate_body {
        truncate(response).await
    } else {
        response
    }
}

/// The request with a body that waits `delay` before each chunk: a slow reader.
fn slow_body(request: Request, delay: Duration) -> Request {
    let (parts, body) = request.into_parts();
    let chunks = futures_util::StreamExt::then(body.into_data_stream(), move |chunk| async move {
        tokio::time::sleep(delay).await;
        chunk
    });
    Request::from_parts(parts, Body::from_stream(chunks))
}

async fn truncate(response: Response) -> Response {
    let (parts, body) = response.into_parts();
    let full = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let mut response = truncated(parts.status, full);
    let status = response.status();
    *response.headers_mut() = parts.headers;
    *response.status_mut() = status;
    response
}

/// A response announcing `full.len()` bytes but delivering half, then failing
/// the body so hyper closes the connection mid-message.
fn truncated(status: StatusCode, full: Bytes) -> Response {
    let half = full.slice(..full.len() / 2);
    // The error comes after a pause so hyper flushes the headers and the half
    // body first; then it aborts the connection.
    let failure = futures_util::stream::once(async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        Err::<Bytes, _>(std::io::Error::other("injected truncation"))
    });
    let chunks = futures_util::StreamExt::chain(futures_util::stream::iter([Ok(half)]), failure);
    let mut response = Response::new(Body::from_stream(chunks));
    *response.status_mut() = status;
    if let Ok(len) = axum::http::HeaderValue::from_str(&full.len().to_string()) {
        response
            .headers_mut()
            .insert(axum::http::header::CONTENT_LENGTH, len);
    }
    response
}

/// An error as ImageKit sends it: its status, the JSON body, and for a 429
/// the rate-limit headers.
impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status(), axum::Json(self.body())).into_response();
        if let ApiError::RateLimited {
            limit,
            reset_ms,
            interval_ms,
        } = self
        {
            let headers = response.headers_mut();
            headers.insert("X-RateLimit-Limit", HeaderValue::from(limit));
            headers.insert("X-RateLimit-Reset", HeaderValue::from(reset_ms));
            headers.insert("X-RateLimit-Interval", HeaderValue::from(interval_ms));
        }
        response
    }
}
