//! A streamed upload whose source fails while every buffered slot is taken must never
//! reach the server as a complete body: the request is aborted instead. A raw TCP server
//! stands in for ImageKit, so what it received can be checked byte for byte.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::mpsc as std_mpsc;
use std::time::Duration;

use bytes::Bytes;
use imagekit::http::limits::{Policy, PoolSettings};
use imagekit::http::retry::Repeat;
use imagekit::http::{ApiRequest, Body, Client, FileData, FormField, Method};
use imagekit::upload_source::{self, SourceWriter};

const CHUNK: usize = 64 * 1024;
const CAPACITY: usize = 4;

/// A server that reads nothing until told to, then reads slowly until the body is complete
/// (and answers 200) or the client closes the connection. Returns its port, the go signal
/// and what it read.
fn slow_server() -> (u16, std_mpsc::Sender<()>, std_mpsc::Receiver<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    let (go, wait) = std_mpsc::channel::<()>();
    let (done, received) = std_mpsc::channel();
    std::thread::spawn(move || {
        let (mut socket, _) = listener.accept().expect("accept");
        let _ = wait.recv();
        socket
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        let mut all = Vec::new();
        let mut buffer = vec![0u8; 16 * 1024];
        loop {
            match socket.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(n) => all.extend_from_slice(&buffer[..n]),
            }
            if complete(&all) {
                let _ = socket.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}");
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        let _ = done.send(all);
    });
    (port, go, received)
}

fn request(port: u16, body: upload_source::SourceBody) -> ApiRequest {
    ApiRequest {
        method: Method::Post,
        url: format!("http://127.0.0.1:{port}/api/v1/files/upload"),
        body: Body::Multipart(vec![
            FormField::File {
                name: "file".into(),
                file_name: "big.bin".into(),
                content_type: Some("application/octet-stream".into()),
                data: FileData::Stream(body, None),
            },
            FormField::Text {
                name: "fileName".into(),
                value: "big.bin".into(),
            },
        ]),
    }
}

/// Queues chunks until one finds no room for a while: the socket is blocked and every
/// slot of the channel is taken.
async fn fill(writer: &SourceWriter) -> usize {
    let chunks = writer.chunks().expect("open");
    let mut sent = 0;
    loop {
        let send = chunks.send(Bytes::from(vec![b'x'; CHUNK]));
        match tokio::time::timeout(Duration::from_millis(300), send).await {
            Ok(true) => sent += 1,
            Ok(false) => panic!("the body stopped reading"),
            Err(_) => return sent,
        }
    }
}

/// A chunked request that completed: the closing boundary and the last chunk arrived.
fn complete(received: &[u8]) -> bool {
    let text = String::from_utf8_lossy(received);
    text.contains("Content-Disposition: form-data; name=\"fileName\"")
        && text.ends_with("0\r\n\r\n")
}

async fn upload(finish: impl FnOnce(&mut SourceWriter)) -> (Result<u16, String>, Vec<u8>, usize) {
    let (port, go, received) = slow_server();
    let (mut writer, body) = upload_source::channel(CAPACITY);
    let client = Client::new(&PoolSettings {
        connect_timeout: None,
    })
    .expect("client");
    let sending = tokio::spawn(async move {
        client
            .send(
                request(port, body),
                "private_key",
                &Policy::default(),
                Repeat::Once,
                None,
                None,
            )
            .await
            .map(|response| response.status)
            .map_err(|error| error.code.to_owned())
    });
    let queued = fill(&writer).await;
    finish(&mut writer);
    go.send(()).expect("server waiting");
    let outcome = tokio::time::timeout(Duration::from_secs(20), sending)
        .await
        .ok()
        .and_then(Result::ok);
    drop(writer);
    let received = received
        .recv_timeout(Duration::from_secs(20))
        .unwrap_or_default();
    (
        outcome.unwrap_or_else(|| Err("pending".into())),
        received,
        queued,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_failing_with_the_channel_full_aborts_the_request() {
    let (outcome, received, queued) = upload(SourceWriter::fail).await;
    assert!(
        queued >= CAPACITY,
        "the channel was full ({queued} chunks queued)"
    );
    assert_eq!(outcome, Err("ERR_STREAM_PREMATURE_CLOSE".to_owned()));
    assert!(!received.is_empty(), "the request had started");
    assert!(
        !complete(&received),
        "the server never gets a complete body"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_released_without_an_end_aborts_the_request() {
    let (outcome, received, _) = upload(|writer| {
        // What a garbage-collected sink does: the writer goes away unannounced.
        let (replacement, _) = upload_source::channel(1);
        drop(std::mem::replace(writer, replacement));
    })
    .await;
    assert_eq!(outcome, Err("ERR_STREAM_PREMATURE_CLOSE".to_owned()));
    assert!(!complete(&received));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_that_ends_sends_the_whole_body() {
    // The same detection on a body that did complete, so the checks above can fail.
    let (outcome, received, queued) = upload(SourceWriter::end).await;
    assert_eq!(outcome, Ok(200));
    assert!(complete(&received), "the whole body arrived");
    let payload = received.iter().filter(|&&b| b == b'x').count();
    assert!(payload >= queued * CHUNK, "every queued chunk arrived");
}
