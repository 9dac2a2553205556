//! The limits of a call against scripted loopback servers: the connect, idle and whole-call
//! timeouts, the cap on an answer's size, and which outcomes are tried again.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use imagekit::http::limits::{Policy, PoolSettings};
use imagekit::http::retry::Repeat;
use imagekit::http::{
    ApiRequest, ApiResponse, Body, Client, FileData, FormField, Method, Stage, TransportError,
};
use imagekit::log::{Level, Log, Record};

/// A server on a free loopback port: `serve(n, socket)` answers its `n`th request (from 0),
/// one connection per request. Returns the port and the count of requests read.
fn server(
    serve: impl Fn(usize, &mut TcpStream) + Send + Sync + 'static,
) -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    let count = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&count);
    let serve = Arc::new(serve);
    std::thread::spawn(move || {
        for socket in listener.incoming() {
            let Ok(mut socket) = socket else { return };
            let serve = Arc::clone(&serve);
            let seen = Arc::clone(&seen);
            std::thread::spawn(move || {
                socket
                    .set_read_timeout(Some(Duration::from_secs(20)))
                    .expect("timeout");
                if read_request(&mut socket) {
                    let n = seen.fetch_add(1, Ordering::SeqCst);
                    serve(n, &mut socket);
                }
            });
        }
    });
    (port, count)
}

/// Reads a request's head and its Content-Length body; false if the connection ended first.
fn read_request(socket: &mut TcpStream) -> bool {
    let mut data = Vec::new();
    let mut buffer = [0u8; 4096];
    let head_end = loop {
        if let Some(at) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        match socket.read(&mut buffer) {
            Ok(0) | Err(_) => return false,
            Ok(n) => data.extend_from_slice(&buffer[..n]),
        }
    };
    let head = String::from_utf8_lossy(&data[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while data.len() < head_end + length {
        match socket.read(&mut buffer) {
            Ok(0) | Err(_) => return false,
            Ok(n) => data.extend_from_slice(&buffer[..n]),
        }
    }
    true
}

fn answer(socket: &mut TcpStream, status: &str, headers: &[&str], body: &str) {
    let mut text = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for header in headers {
        text.push_str(header);
        text.push_str("\r\n");
    }
    text.push_str("\r\n");
    text.push_str(body);
    let _ = socket.write_all(text.as_bytes());
}

/// Keeps the connection open without a word, until the client goes away.
fn hang(socket: &mut TcpStream) {
    let mut buffer = [0u8; 64];
    while matches!(socket.read(&mut buffer), Ok(n) if n > 0) {}
}

fn request(method: Method, port: u16, body: Body) -> ApiRequest {
    ApiRequest {
        method,
        url: format!("http://127.0.0.1:{port}/v1/files"),
        body,
    }
}

fn client() -> Client {
    Client::new(&PoolSettings {
        connect_timeout: None,
    })
    .expect("client")
}

async fn send(
    client: &Client,
    request: ApiRequest,
    policy: &Policy,
    repeat: Repeat,
) -> (Result<ApiResponse, TransportError>, Duration) {
    let started = Instant::now();
    let sending = client.send(request, "private_key", policy, repeat, None, None);
    match tokio::time::timeout(Duration::from_secs(30), sending).await {
        Ok(outcome) => (outcome, started.elapsed()),
        Err(_) => panic!("no outcome within 30 s"),
    }
}

/// A GET of a read (so retried as `policy` allows) from the server on `port`.
async fn get(port: u16, policy: &Policy) -> (Result<ApiResponse, TransportError>, Duration) {
    send(
        &client(),
        request(Method::Get, port, Body::Empty),
        policy,
        Repeat::Idempotent,
    )
    .await
}

fn policy(timeout: Option<u64>, retries: u32, idle: Option<u64>) -> Policy {
    Policy {
        timeout: timeout.map(Duration::from_millis),
        max_retries: retries,
        idle_timeout: idle.map(Duration::from_millis),
        ..Policy::default()
    }
}

#[tokio::test]
async fn a_server_that_never_answers_trips_the_idle_timeout() {
    let (port, count) = server(|_, socket| hang(socket));
    let (outcome, took) = get(port, &policy(None, 0, Some(300))).await;
    let error = outcome.expect_err("no answer");
    assert_eq!(error.code, "ETIMEDOUT", "{}", error.message);
    assert_eq!(error.stage, Stage::Sent);
    assert!(
        error.message.starts_with("idle timeout of 300ms exceeded"),
        "{}",
        error.message
    );
    assert!(
        took >= Duration::from_millis(300) && took < Duration::from_millis(1300),
        "{took:?}"
    );
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn an_answer_trickling_in_is_not_idle_but_the_call_timeout_ends_it() {
    let (port, _) = server(|_, socket| {
        let _ = socket.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
        for _ in 0..1000 {
            if socket.write_all(b"x").is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    });
    // Idle would never trip (a byte every 50 ms); the whole call is limited to 700 ms.
    let (outcome, took) = get(port, &policy(Some(700), 0, Some(300))).await;
    let error = outcome.expect_err("too slow");
    assert_eq!(error.code, "ETIMEDOUT");
    assert_eq!(error.stage, Stage::Final);
    assert_eq!(
        error.message,
        format!("timeout of 700ms exceeded (GET http://127.0.0.1:{port}/v1/files)")
    );
    assert!(
        took >= Duration::from_millis(700) && took < Duration::from_millis(1700),
        "{took:?}"
    );
}

#[tokio::test]
async fn a_large_upload_to_a_slow_reader_keeps_moving_and_is_not_idle() {
    // 16 MiB read at about 4 MiB/s takes about 4 s, against an idle timeout of 1.5 s. What
    // the client sees moving is what the OS takes from it: the reader's buffer is kept
    // small, and the sender's (at most 4 MiB on Linux) drains within a second.
    const SIZE: usize = 16 * 1024 * 1024;
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(64 * 1024).expect("buffer");
    socket.bind("127.0.0.1:0".parse().unwrap()).expect("bind");
    let port = socket.local_addr().expect("address").port();
    let listener = socket.listen(8).expect("listen").into_std().expect("std");
    listener.set_nonblocking(false).expect("blocking");
    std::thread::spawn(move || {
        let Ok((mut socket, _)) = listener.accept() else {
            return;
        };
        socket.set_nonblocking(false).expect("blocking");
        let mut buffer = [0u8; 16 * 1024];
        let mut total = 0;
        while total < SIZE {
            match socket.read(&mut buffer) {
                Ok(0) | Err(_) => return,
                Ok(n) => total += n,
            }
            std::thread::sleep(Duration::from_millis(4));
        }
        answer(&mut socket, "200 OK", &[], "{}");
    });
    let file = FormField::File {
        name: "file".into(),
        file_name: "a.bin".into(),
        content_type: None,
        data: FileData::Bytes(vec![b'x'; SIZE].into()),
    };
    let (outcome, took) = send(
        &client(),
        request(Method::Post, port, Body::Multipart(vec![file])),
        &policy(None, 0, Some(1500)),
        Repeat::Once,
    )
    .await;
    assert_eq!(outcome.expect("the upload arrives").status, 200);
    assert!(
        took > Duration::from_millis(1500),
        "the reader was not slow: {took:?}"
    );
}

#[tokio::test]
async fn an_answer_past_the_cap_is_refused() {
    let big = "y".repeat(10_000);
    let announced = big.clone();
    let (port, _) = server(move |_, socket| answer(socket, "200 OK", &[], &announced));
    let capped = Policy {
        max_response_bytes: 9_999,
        ..Policy::default()
    };
    let (outcome, _) = get(port, &capped).await;
    let error = outcome.expect_err("too large");
    assert_eq!(error.code, "ERR_RESPONSE_TOO_LARGE");
    assert_eq!(error.stage, Stage::Final);
    assert!(
        error.message.contains("maxResponseBytes (9999 bytes)"),
        "{}",
        error.message
    );

    // Without a Content-Length, counted as it arrives.
    let (port, _) = server(move |_, socket| {
        let mut text = String::from(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        );
        for _ in 0..10 {
            text.push_str(&format!("{:x}\r\n{}\r\n", 1000, &big[..1000]));
        }
        text.push_str("0\r\n\r\n");
        let _ = socket.write_all(text.as_bytes());
    });
    let (outcome, _) = get(port, &capped).await;
    assert_eq!(
        outcome.expect_err("too large").code,
        "ERR_RESPONSE_TOO_LARGE"
    );
    let exact = Policy {
        max_response_bytes: 10_000,
        ..Policy::default()
    };
    let (port, _) = server(move |_, socket| answer(socket, "200 OK", &[], &"z".repeat(10_000)));
    let (outcome, _) = get(port, &exact).await;
    assert_eq!(outcome.expect("at the cap").body.len(), 10_000);
}

/// Serves `script` on a fresh server and sends it one call: the outcome, the requests the
/// server read, and how long the call took.
async fn exercise(
    script: impl Fn(usize, &mut TcpStream) + Send + Sync + 'static,
    method: Method,
    body: Body,
    policy: &Policy,
    repeat: Repeat,
) -> (Result<ApiResponse, TransportError>, usize, Duration) {
    let (port, count) = server(script);
    let (outcome, took) = send(&client(), request(method, port, body), policy, repeat).await;
    (outcome, count.load(Ordering::SeqCst), took)
}

fn json() -> Body {
    Body::Json("{}".into())
}

#[tokio::test]
async fn a_5xx_is_retried_for_a_read_and_not_for_a_create() {
    let script = |n: usize, socket: &mut TcpStream| {
        if n < 2 {
            answer(
                socket,
                "503 Service Unavailable",
                &["retry-after-ms: 20"],
                "{}",
            );
        } else {
            answer(socket, "200 OK", &[], r#"{"ok":true}"#);
        }
    };
    let retries = policy(None, 3, None);
    let (outcome, requests, _) = exercise(
        script,
        Method::Get,
        Body::Empty,
        &retries,
        Repeat::Idempotent,
    )
    .await;
    assert_eq!((outcome.expect("third try").status, requests), (200, 3));
    let (outcome, requests, _) =
        exercise(script, Method::Post, json(), &retries, Repeat::Once).await;
    assert_eq!((outcome.expect("an answer").status, requests), (503, 1));
    // Retries off (v6's default): one try whatever the answer.
    let once = policy(None, 0, None);
    let (outcome, requests, _) =
        exercise(script, Method::Get, Body::Empty, &once, Repeat::Idempotent).await;
    assert_eq!((outcome.expect("an answer").status, requests), (503, 1));
}

#[tokio::test]
async fn a_429_is_retried_for_every_call_after_the_wait_it_names() {
    let limited_once = |n: usize, socket: &mut TcpStream| {
        if n == 0 {
            let headers = ["X-RateLimit-Reset: 300", "X-RateLimit-Limit: 10"];
            answer(socket, "429 Too Many Requests", &headers, "{}");
        } else {
            answer(socket, "200 OK", &[], "{}");
        }
    };
    let retries = policy(None, 2, None);
    let (outcome, requests, took) =
        exercise(limited_once, Method::Post, json(), &retries, Repeat::Once).await;
    assert_eq!((outcome.expect("second try").status, requests), (200, 2));
    assert!(took >= Duration::from_millis(300), "waited {took:?}");

    // A wait past the maximum is not taken: the 429 is the call's answer, at once.
    let too_long = |_: usize, socket: &mut TcpStream| {
        answer(
            socket,
            "429 Too Many Requests",
            &["Retry-After: 3600"],
            "{}",
        );
    };
    let (outcome, requests, took) = exercise(
        too_long,
        Method::Get,
        Body::Empty,
        &retries,
        Repeat::Idempotent,
    )
    .await;
    assert_eq!((outcome.expect("an answer").status, requests), (429, 1));
    assert!(took < Duration::from_secs(2), "{took:?}");

    // Nor one that would outlast the call's timeout.
    let past_timeout = |_: usize, socket: &mut TcpStream| {
        answer(
            socket,
            "429 Too Many Requests",
            &["retry-after-ms: 5000"],
            "{}",
        );
    };
    let bounded = policy(Some(2000), 2, None);
    let (outcome, requests, _) = exercise(
        past_timeout,
        Method::Get,
        Body::Empty,
        &bounded,
        Repeat::Idempotent,
    )
    .await;
    assert_eq!((outcome.expect("an answer").status, requests), (429, 1));
}

#[tokio::test]
async fn a_reset_is_retried_only_where_a_repeat_changes_nothing() {
    let reset_once = |n: usize, socket: &mut TcpStream| {
        if n == 0 {
            let _ = socket.shutdown(std::net::Shutdown::Both);
        } else {
            answer(socket, "200 OK", &[], "{}");
        }
    };
    let retries = policy(None, 1, None);
    let (outcome, requests, _) = exercise(
        reset_once,
        Method::Patch,
        json(),
        &retries,
        Repeat::Idempotent,
    )
    .await;
    assert_eq!((outcome.expect("second try").status, requests), (200, 2));
    let (outcome, requests, _) = exercise(
        reset_once,
        Method::Delete,
        Body::Empty,
        &retries,
        Repeat::Once,
    )
    .await;
    let error = outcome.expect_err("the reset");
    assert_eq!(
        (error.code, error.stage, requests),
        ("ECONNRESET", Stage::Sent, 1)
    );
}

#[tokio::test]
async fn a_refused_connection_is_retried_for_every_call() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("address").port()
    };
    // Nothing listens for the first try; the server starts before the first backoff ends
    // (at least 375 ms).
    let count = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&count);
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("rebind");
        if let Ok((mut socket, _)) = listener.accept() {
            if read_request(&mut socket) {
                seen.fetch_add(1, Ordering::SeqCst);
                answer(&mut socket, "200 OK", &[], "{}");
            }
        }
    });
    let file = FormField::Text {
        name: "fileName".into(),
        value: "a.txt".into(),
    };
    let (outcome, _) = send(
        &client(),
        request(Method::Post, port, Body::Multipart(vec![file])),
        &policy(None, 2, None),
        Repeat::Once,
    )
    .await;
    assert_eq!(outcome.expect("the second try").status, 200);
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_connect_that_never_completes_trips_the_connect_timeout() {
    // A listener whose accept queue is full: further SYNs are dropped, so a connect hangs.
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.bind("127.0.0.1:0".parse().unwrap()).expect("bind");
    let port = socket.local_addr().expect("address").port();
    let _listener = socket.listen(0).expect("listen");
    let mut held = Vec::new();
    let full = loop {
        let attempt = tokio::time::timeout(
            Duration::from_millis(200),
            tokio::net::TcpStream::connect(("127.0.0.1", port)),
        )
        .await;
        match attempt {
            Ok(Ok(stream)) if held.len() < 64 => held.push(stream),
            Ok(Ok(_)) => break false,
            Ok(Err(_)) => break false,
            Err(_) => break true,
        }
    };
    assert!(full, "the accept queue never filled");
    let client = Client::new(&PoolSettings {
        connect_timeout: Some(Duration::from_millis(300)),
    })
    .expect("client");
    let (outcome, took) = send(
        &client,
        request(Method::Get, port, Body::Empty),
        &policy(None, 0, None),
        Repeat::Idempotent,
    )
    .await;
    let error = outcome.expect_err("no connection");
    assert_eq!(error.code, "ETIMEDOUT", "{}", error.message);
    assert_eq!(error.stage, Stage::NotSent);
    assert!(took < Duration::from_millis(1300), "{took:?}");
}

/// Keeps every record.
#[derive(Default)]
struct Kept(std::sync::Mutex<Vec<Record>>, Option<Level>);

impl Log for Kept {
    fn level(&self) -> Level {
        self.1.unwrap_or(Level::Debug)
    }

    fn record(&self, record: Record) {
        self.0.lock().unwrap().push(record);
    }
}

#[tokio::test]
async fn each_try_and_retry_is_recorded_at_its_level() {
    let (port, _) = server(|n, socket| {
        if n == 0 {
            answer(socket, "502 Bad Gateway", &["retry-after-ms: 10"], "{}");
        } else {
            answer(socket, "404 Not Found", &[], "{}");
        }
    });
    let kept = Kept::default();
    let outcome = client()
        .send(
            request(Method::Get, port, Body::Empty),
            "private_key",
            &policy(None, 2, None),
            Repeat::Idempotent,
            Some(&kept),
            None,
        )
        .await;
    assert_eq!(outcome.expect("an answer").status, 404);
    let records = kept.0.into_inner().unwrap();
    let summary: Vec<_> = records
        .iter()
        .map(|r| (r.level, r.status, r.try_number, r.wait))
        .collect();
    assert_eq!(
        summary,
        [
            (Level::Debug, Some(502), 1, None),
            (Level::Info, Some(502), 1, Some(Duration::from_millis(10))),
            (Level::Debug, Some(404), 2, None),
            (Level::Warn, Some(404), 2, None),
        ]
    );
    assert!(records
        .iter()
        .all(|r| r.path == "/v1/files" && r.method == "GET"));
    assert!(records[0].duration.is_some());

    // Only the levels asked for.
    let quiet = Kept(Default::default(), Some(Level::Warn));
    let refused = request(Method::Get, 9, Body::Empty);
    let outcome = client()
        .send(
            refused,
            "private_key",
            &policy(None, 0, None),
            Repeat::Idempotent,
            Some(&quiet),
            None,
        )
        .await;
    assert!(outcome.is_err());
    let records = quiet.0.into_inner().unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(
        (records[0].level, records[0].code),
        (Level::Error, Some("ECONNREFUSED"))
    );
}

#[tokio::test]
async fn a_retry_past_the_timeout_is_not_made_and_the_last_record_says_why() {
    let (port, _) = server(|_, socket| {
        answer(
            socket,
            "503 Service Unavailable",
            &["retry-after-ms: 5000"],
            "{}",
        );
    });
    let kept = Kept(Default::default(), Some(Level::Warn));
    let outcome = client()
        .send(
            request(Method::Get, port, Body::Empty),
            "private_key",
            &policy(Some(2000), 2, None),
            Repeat::Idempotent,
            Some(&kept),
            None,
        )
        .await;
    assert_eq!(outcome.expect("an answer").status, 503);
    let records = kept.0.into_inner().unwrap();
    assert_eq!(records.len(), 1);
    let record = &records[0];
    assert_eq!(
        (
            record.level,
            record.try_number,
            record.retry_stopped,
            record.wait
        ),
        (
            Level::Warn,
            1,
            Some("timeout"),
            Some(Duration::from_millis(5000))
        )
    );
    assert!(
        record.message.ends_with(
            "; not retried: the next try, in 5000.0 ms, would begin after the call's 2000 ms timeout"
        ),
        "{}",
        record.message
    );
    assert_eq!(record.fields()["retryStopped"], "timeout");
}
