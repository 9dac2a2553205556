//! Each Node-style code a failed request can carry, from a real fault on the loopback
//! interface (or a name that can never resolve): the code is derived from the error's
//! types, so these are the faults whose types must be recognised.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use imagekit::http::limits::{Policy, PoolSettings};
use imagekit::http::retry::Repeat;
use imagekit::http::{ApiRequest, Body, Client, Method, TransportError};

/// A GET of `url`, bounded in time so a fault that is never reported fails the test.
async fn get(url: &str) -> TransportError {
    let client = Client::new(&PoolSettings {
        connect_timeout: None,
    })
    .expect("client");
    let request = ApiRequest {
        method: Method::Get,
        url: url.to_owned(),
        body: Body::Empty,
    };
    let policy = Policy::default();
    let sending = client.send(request, "private_key", &policy, Repeat::Once, None, None);
    match tokio::time::timeout(Duration::from_secs(15), sending).await {
        Ok(Ok(response)) => panic!("{url} answered {}", response.status),
        Ok(Err(error)) => error,
        Err(_) => panic!("{url}: no outcome within 15 s"),
    }
}

/// A server on a free loopback port that does `serve` with its first connection.
fn server(serve: impl FnOnce(TcpStream) + Send + 'static) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    std::thread::spawn(move || {
        if let Ok((socket, _)) = listener.accept() {
            socket
                .set_read_timeout(Some(Duration::from_secs(10)))
                .expect("timeout");
            serve(socket);
        }
    });
    port
}

/// Reads until the request's head is complete (a GET has no body).
fn read_head(socket: &mut TcpStream) {
    let mut head = Vec::new();
    let mut buffer = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match socket.read(&mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buffer[..n]),
        }
    }
}

/// Waits for the client to close its side.
fn drain(socket: &mut TcpStream) {
    let mut buffer = [0u8; 1024];
    while matches!(socket.read(&mut buffer), Ok(n) if n > 0) {}
}

#[tokio::test]
async fn a_closed_port_is_econnrefused() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("address").port()
    };
    let error = get(&format!("http://127.0.0.1:{port}/v1/files")).await;
    assert_eq!(error.code, "ECONNREFUSED", "{}", error.message);
    assert_eq!(
        error.message,
        format!("connect ECONNREFUSED 127.0.0.1:{port} (GET http://127.0.0.1:{port}/v1/files)")
    );
}

#[tokio::test]
async fn a_connection_closed_without_an_answer_is_econnreset() {
    let port = server(drop);
    let error = get(&format!("http://127.0.0.1:{port}/")).await;
    assert_eq!(error.code, "ECONNRESET", "{}", error.message);
    assert!(
        error.message.starts_with("ECONNRESET: "),
        "{}",
        error.message
    );
}

#[tokio::test]
async fn a_connection_closed_after_reading_the_request_is_econnreset() {
    // Nothing left unread, so the client sees a clean end rather than a reset: hyper's
    // incomplete message, Node's "socket hang up".
    let port = server(|mut socket| read_head(&mut socket));
    let error = get(&format!("http://127.0.0.1:{port}/")).await;
    assert_eq!(error.code, "ECONNRESET", "{}", error.message);
}

#[tokio::test]
async fn a_response_cut_short_is_econnreset() {
    let port = server(|mut socket| {
        read_head(&mut socket);
        let _ = socket.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789");
        // Closed with nothing unread, so the ten bytes are delivered before the end.
    });
    let error = get(&format!("http://127.0.0.1:{port}/half")).await;
    assert_eq!(error.code, "ECONNRESET", "{}", error.message);
    assert!(
        error
            .message
            .ends_with(&format!("(GET http://127.0.0.1:{port}/half)")),
        "{}",
        error.message
    );
}

#[tokio::test]
async fn a_name_that_cannot_resolve_is_enotfound() {
    // .invalid is reserved (RFC 6761): no resolver ever answers it with an address.
    let error = get("http://no-such-host.invalid/").await;
    assert_eq!(error.code, "ENOTFOUND", "{}", error.message);
    assert_eq!(
        error.message,
        "getaddrinfo ENOTFOUND no-such-host.invalid (GET http://no-such-host.invalid:80/)"
    );
}

#[tokio::test]
async fn garbage_instead_of_a_tls_handshake_is_eproto() {
    let port = server(|mut socket| {
        // Take the ClientHello, answer with plain text, and keep the socket open until
        // the client gives up, so the text is what it reads rather than a reset.
        let mut hello = [0u8; 4096];
        let _ = socket.read(&mut hello);
        let _ = socket.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        drain(&mut socket);
    });
    let error = get(&format!("https://127.0.0.1:{port}/")).await;
    assert_eq!(error.code, "EPROTO", "{}", error.message);
    assert!(error.message.starts_with("EPROTO: "), "{}", error.message);
}
