//! The server reached by hostile input: parser limits, the Host and admin
//! guards, uploads authenticated before anything is downloaded or stored,
//! client-side tokens used once, and URL downloads kept off private addresses.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::dates::now_secs;
use common::{assert_error, bytes_of, png, read, spawn, spawn_with, Server};
use imagekit_local_server::auth::hmac_sha1_hex;
use imagekit_local_server::{start, Config};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Sends raw request bytes; the status and the JSON body (or `Null`).
async fn raw(server: &Server, request: &[u8]) -> (u16, Value) {
    let addr = server.handle.addr;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer)).await;
    let text = String::from_utf8_lossy(&answer);
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no HTTP answer: {text:?}"));
    let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

fn get_with_host(host: &str) -> Vec<u8> {
    format!("GET /__admin/health HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")
        .into_bytes()
}

fn shaped(status: u16, body: &Value, expected: u16) {
    assert_error(StatusCode::from_u16(status).unwrap(), body, expected);
}

/// A loopback HTTP server that counts connections and answers with `body`.
async fn origin_server(body: &'static [u8]) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf).await;
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes()).await;
                let _ = stream.write_all(body).await;
            });
        }
    });
    (base, hits)
}

fn expire_in(seconds: u64) -> String {
    (now_secs() + seconds).to_string()
}

/// Client-side credentials as form fields, for `token`.
fn credentials(server: &Server, token: &str, good: bool) -> Vec<(&'static str, String)> {
    let expire = expire_in(600);
    let signature = if good {
        hmac_sha1_hex(&server.private_key, &format!("{token}{expire}"))
    } else {
        "0".repeat(40)
    };
    vec![
        ("publicKey", "public_local_test_key".to_string()),
        ("signature", signature),
        ("expire", expire),
        ("token", token.to_string()),
    ]
}

/// A client-side upload (no Authorization header) of `form`.
async fn client_upload(server: &Server, form: Form) -> (StatusCode, Value) {
    let response = server
        .client
        .post(format!("{}/api/v1/files/upload", server.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    read(response).await
}

async fn assert_library_empty(server: &Server) {
    let (status, files) = server.get("/v1/files").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(files, json!([]), "nothing may be stored");
    let (_, check) = server.get("/__admin/check").await;
    assert_eq!(check, json!({"consistent": true, "problems": []}));
}

// ------------------------------------------------------------------ limits

#[tokio::test]
async fn deeply_nested_search_queries_get_a_400_and_the_server_lives() {
    let server = spawn().await;
    for query in [
        "(".repeat(20_000),
        format!("{}name = \"a\"", "NOT ".repeat(5_000)),
        vec!["name = \"a\""; 2_000].join(" AND "),
    ] {
        let response = server
            .request(Method::GET, "/v1/files")
            .query(&[("searchQuery", query.as_str())])
            .send()
            .await
            .unwrap();
        let (status, body) = read(response).await;
        assert_error(status, &body, 400);
    }
    let (status, _) = server.get("/__admin/health").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn request_heads_over_the_limits_get_imagekit_shaped_400s() {
    let server = spawn().await;
    let port = server.handle.addr.port();
    let mut many = format!("GET /v1/files HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n");
    for i in 0..150 {
        many.push_str(&format!("X-Filler-{i}: x\r\n"));
    }
    many.push_str("Connection: close\r\n\r\n");
    let (status, body) = raw(&server, many.as_bytes()).await;
    shaped(status, &body, 400);
    assert!(body["message"].as_str().unwrap().contains("at most 100"));

    let big = format!(
        "GET /v1/files HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Big: {}\r\nConnection: close\r\n\r\n",
        "x".repeat(40 * 1024)
    );
    let (status, body) = raw(&server, big.as_bytes()).await;
    shaped(status, &body, 400);
}

#[tokio::test]
async fn json_bodies_are_bounded_in_depth_and_size() {
    let server = spawn().await;
    let deep = format!("{}1{}", "[".repeat(5_000), "]".repeat(5_000));
    let response = server
        .request(Method::POST, "/v1/files/addTags")
        .header("content-type", "application/json")
        .body(deep)
        .send()
        .await
        .unwrap();
    let (status, body) = read(response).await;
    assert_error(status, &body, 400);
    let huge = json!({ "fileIds": ["x"], "tags": ["t".repeat(3 << 20)] });
    let (status, body) = server
        .call(Method::POST, "/v1/files/addTags", Some(huge))
        .await;
    assert_error(status, &body, 413);
}

#[tokio::test]
async fn multipart_field_count_and_total_size_are_bounded() {
    let server = spawn().await;
    let mut form = Form::new()
        .part("file", Part::bytes(b"hi".to_vec()).file_name("a.txt"))
        .text("fileName", "a.txt");
    for i in 0..1_000 {
        form = form.text(format!("f{i}"), "x");
    }
    let (status, body) = server.upload(form).await;
    assert_error(status, &body, 400);
    assert!(body["message"].as_str().unwrap().contains("at most 256"));

    let mut form = Form::new().text("fileName", "a.txt");
    for i in 0..9 {
        form = form.text(format!("f{i}"), "y".repeat((1 << 20) - 16));
    }
    let form = form.part("file", Part::bytes(b"hi".to_vec()).file_name("a.txt"));
    let (status, body) = server.upload(form).await;
    assert_error(status, &body, 413);
    assert_library_empty(&server).await;
}

// -------------------------------------------------------------- host guard

#[tokio::test]
async fn requests_must_name_one_of_the_servers_hosts() {
    let server = spawn_with(Config {
        public_hosts: vec!["ik.test".into()],
        ..Config::default()
    })
    .await;
    let port = server.handle.addr.port();
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("ik.test:{port}"),
    ] {
        let (status, body) = raw(&server, &get_with_host(&host)).await;
        assert_eq!((status, &body["status"]), (200, &json!("ok")), "{host}");
    }
    // DNS rebinding: a page on evil.example whose name now points at 127.0.0.1.
    for host in [format!("evil.example:{port}"), "attacker.test".to_string()] {
        let (status, body) = raw(&server, &get_with_host(&host)).await;
        shaped(status, &body, 403);
        assert!(body["message"].as_str().unwrap().contains("--public-host"));
    }
    let upload = format!(
        "POST /api/v1/files/upload HTTP/1.1\r\nHost: evil.example:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    let (status, body) = raw(&server, upload.as_bytes()).await;
    shaped(status, &body, 403);
    let (status, body) = raw(
        &server,
        b"GET /__admin/health HTTP/1.1\r\nConnection: close\r\n\r\n",
    )
    .await;
    shaped(status, &body, 400);
}

// ------------------------------------------------------------- admin guard

#[tokio::test]
async fn the_admin_api_refuses_cross_site_requests() {
    let server = spawn().await;
    let (status, _) = server.upload_bytes("keep.txt", b"keep".to_vec(), &[]).await;
    assert_eq!(status, StatusCode::OK);
    let admin = |method: Method, path: &str| {
        server
            .client
            .request(method, format!("{}{path}", server.base))
    };
    let json = Some("application/json");
    for (method, path, content_type, origin, expected) in [
        // What a web page can send without a preflight: a text/plain POST.
        (
            Method::POST,
            "/__admin/reset",
            Some("text/plain"),
            None,
            415,
        ),
        (Method::DELETE, "/__admin/faults", None, None, 415),
        // A foreign Origin, even with JSON, even to read.
        (
            Method::POST,
            "/__admin/reset",
            json,
            Some("http://evil.example"),
            403,
        ),
        (
            Method::GET,
            "/__admin/faults",
            None,
            Some("http://127.0.0.1:1"),
            403,
        ),
    ] {
        let mut request = admin(method.clone(), path).body("{}");
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        let (status, body) = read(request.send().await.unwrap()).await;
        assert_error(status, &body, expected);
    }
    assert_eq!(server.get("/v1/files").await.1.as_array().unwrap().len(), 1);

    // The server's own page (same origin) may.
    let own = format!("http://127.0.0.1:{}", server.handle.addr.port());
    let response = admin(Method::POST, "/__admin/reset")
        .header("content-type", "application/json")
        .header("origin", own)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(server.get("/v1/files").await.1, json!([]));
}

#[tokio::test]
async fn a_non_loopback_host_with_the_default_keys_refuses_to_start() {
    let refused = start(Config {
        host: "0.0.0.0".into(),
        ..Config::default()
    })
    .await
    .err()
    .expect("refused");
    let message = refused.to_string();
    assert!(
        message.contains("--host 0.0.0.0") && message.contains("--private-key"),
        "{message}"
    );
    let own_keys = start(Config {
        host: "0.0.0.0".into(),
        public_key: "pub_mine".into(),
        private_key: "priv_mine".into(),
        ..Config::default()
    })
    .await
    .expect("starts with its own keys");
    own_keys.shutdown().await;
}

#[tokio::test]
async fn start_up_errors_name_the_port_and_the_path() {
    let taken = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = taken.local_addr().unwrap().port();
    let err = start(Config {
        port,
        ..Config::default()
    })
    .await
    .err()
    .expect("port taken");
    assert!(
        err.to_string().contains(&format!("127.0.0.1:{port}")),
        "{err}"
    );

    let file = std::env::temp_dir().join(format!("ik-not-a-dir-{port}"));
    std::fs::write(&file, b"x").unwrap();
    let err = start(Config {
        data_dir: Some(file.clone()),
        ..Config::default()
    })
    .await
    .err()
    .expect("data dir is a file");
    assert!(
        err.to_string().contains(&file.display().to_string()),
        "{err}"
    );
    let _ = std::fs::remove_file(file);
}

// ------------------------------------------------------ upload credentials

#[tokio::test]
async fn a_url_upload_is_not_downloaded_before_it_is_authenticated() {
    let server = spawn_with(Config {
        allow_private_urls: true,
        ..Config::default()
    })
    .await;
    let (origin, hits) = origin_server(b"remote bytes").await;
    let url = format!("{origin}/file.txt");
    for good in [false, true] {
        // The URL comes first, the credentials after it.
        let mut form = Form::new()
            .text("file", url.clone())
            .text("fileName", "remote.txt");
        for (k, v) in credentials(&server, &format!("url-token-{good}"), good) {
            form = form.text(k, v);
        }
        let (status, body) = client_upload(&server, form).await;
        if good {
            assert_eq!(status, StatusCode::OK, "{body}");
            assert_eq!(body["size"], 12);
            assert_eq!(hits.load(Ordering::SeqCst), 1);
        } else {
            assert_error(status, &body, 400);
            assert_eq!(hits.load(Ordering::SeqCst), 0, "downloaded before auth");
            assert_library_empty(&server).await;
        }
    }
    // Basic auth with the wrong key: nothing downloaded either.
    let response = server
        .client
        .post(format!("{}/api/v1/files/upload", server.base))
        .basic_auth("wrong", Some(""))
        .multipart(Form::new().text("file", url).text("fileName", "x.txt"))
        .send()
        .await
        .unwrap();
    let (status, body) = read(response).await;
    assert_error(status, &body, 403);
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_file_before_its_credentials_is_spooled_then_stored_or_discarded() {
    let server = spawn().await;
    let bytes: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let form = |token: &str, good: bool| {
        let mut form = Form::new()
            .part("file", Part::bytes(bytes.clone()).file_name("big.bin"))
            .text("fileName", "big.bin");
        for (k, v) in credentials(&server, token, good) {
            form = form.text(k, v);
        }
        form
    };
    let (status, body) = client_upload(&server, form("spool-bad", false)).await;
    assert_error(status, &body, 400);
    assert_library_empty(&server).await;

    let (status, body) = client_upload(&server, form("spool-good", true)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let served = bytes_of(&server.client, body["url"].as_str().unwrap()).await;
    assert_eq!(served.as_ref(), bytes.as_slice(), "stored byte for byte");
    let (_, check) = server.get("/__admin/check").await;
    assert_eq!(check["consistent"], true, "{check}");
}

#[tokio::test]
async fn a_client_side_token_is_accepted_once() {
    let server = spawn().await;
    let fields = credentials(&server, "once-only", true);
    let form = || {
        let mut form = Form::new()
            .text("file", "aGVsbG8=")
            .text("fileName", "once.txt");
        for (k, v) in &fields {
            form = form.text(*k, v.clone());
        }
        form
    };
    let (status, body) = client_upload(&server, form()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = client_upload(&server, form()).await;
    assert_error(status, &body, 400);
    assert!(body["message"]
        .as_str()
        .unwrap()
        .contains("already been used"));
    assert_eq!(server.get("/v1/files").await.1.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn browsers_may_upload_cross_origin() {
    let server = spawn().await;
    let url = format!("{}/api/v1/files/upload", server.base);
    let preflight = server
        .client
        .request(Method::OPTIONS, &url)
        .header("origin", "https://shop.example")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "x-custom")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success(), "{}", preflight.status());
    let allow = |r: &reqwest::Response, h: &str| {
        r.headers().get(h).map(|v| v.to_str().unwrap().to_string())
    };
    assert_eq!(
        allow(&preflight, "access-control-allow-origin").as_deref(),
        Some("*")
    );
    assert!(allow(&preflight, "access-control-allow-methods")
        .unwrap()
        .contains("POST"));
    let mut form = Form::new()
        .text("file", "aGVsbG8=")
        .text("fileName", "cors.txt");
    for (k, v) in credentials(&server, "cors-token", true) {
        form = form.text(k, v);
    }
    let response = server
        .client
        .post(&url)
        .header("origin", "https://shop.example")
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(
        allow(&response, "access-control-allow-origin").as_deref(),
        Some("*")
    );
    assert_eq!(response.status(), StatusCode::OK);
}

// ---------------------------------------------------------- URL downloads

#[tokio::test]
async fn url_downloads_refuse_private_addresses_by_default() {
    let server = spawn().await;
    let (origin, hits) = origin_server(b"secret").await;
    let port = origin.rsplit(':').next().unwrap().to_string();
    for url in [
        format!("{origin}/x.png"),
        format!("http://localhost:{port}/x.png"),
        format!("http://[::ffff:127.0.0.1]:{port}/x.png"),
        "http://169.254.169.254/latest/meta-data/".to_string(),
    ] {
        let (status, body) = server
            .upload(
                Form::new()
                    .text("file", url.clone())
                    .text("fileName", "x.png"),
            )
            .await;
        assert_error(status, &body, 400);
        let message = body["message"].as_str().unwrap();
        assert!(message.contains("--allow-private-urls"), "{url}: {message}");
        let response = server
            .request(Method::GET, "/v1/metadata")
            .query(&[("url", url.as_str())])
            .send()
            .await
            .unwrap();
        let (status, body) = read(response).await;
        assert_error(status, &body, 400);
        assert!(body["message"]
            .as_str()
            .unwrap()
            .contains("--allow-private-urls"));
    }
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "no private address was contacted"
    );
    assert_library_empty(&server).await;

    // The server's own delivery URLs only read, so they stay allowed.
    let (status, uploaded) = server.upload_bytes("own.png", png(4, 4, false), &[]).await;
    assert_eq!(status, StatusCode::OK);
    let response = server
        .request(Method::GET, "/v1/metadata")
        .query(&[("url", uploaded["url"].as_str().unwrap())])
        .send()
        .await
        .unwrap();
    let (status, body) = read(response).await;
    assert_eq!((status, body["width"].as_u64()), (StatusCode::OK, Some(4)));
}

#[tokio::test]
async fn url_downloads_have_a_total_time_limit() {
    let server = spawn_with(Config {
        allow_private_urls: true,
        download_timeout: Duration::from_millis(500),
        ..Config::default()
    })
    .await;
    // Answers the head at once, then trickles the body forever.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/slow.bin", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf).await;
                let _ = stream
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\n")
                    .await;
                while stream.write_all(b"x").await.is_ok() {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            });
        }
    });
    let started = Instant::now();
    let (status, body) = server
        .upload(Form::new().text("file", url).text("fileName", "slow.bin"))
        .await;
    assert_error(status, &body, 400);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("--download-timeout-ms"),
        "{body}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_library_empty(&server).await;
}

/// A client that sends a whole upload and goes away without waiting for the
/// answer: the upload is stored whole, and no blob is left without its file.
#[tokio::test]
async fn an_upload_whose_client_leaves_is_stored_whole() {
    let server = spawn().await;
    let port = server.handle.addr.port();
    let image = png(64, 64, false);
    for (i, half_close) in [(0, false), (1, true), (2, false), (3, true)] {
        let boundary = "cut-off-boundary";
        let name = format!("left-{i}.png");
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"fileName\"\r\n\r\n{name}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
             Content-Type: image/png\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(&image);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let auth = base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            format!("{}:", server.private_key),
        );
        let head = format!(
            "POST /api/v1/files/upload HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Basic {auth}\r\n\
             Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        let mut stream = TcpStream::connect(server.handle.addr).await.unwrap();
        stream.write_all(head.as_bytes()).await.unwrap();
        stream.write_all(&body).await.unwrap();
        if half_close {
            stream.shutdown().await.unwrap();
            let mut answer = Vec::new();
            let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
                .await;
            assert!(
                answer.starts_with(b"HTTP/1.1 200"),
                "a half-closed client still gets its answer: {:?}",
                String::from_utf8_lossy(&answer[..answer.len().min(200)])
            );
        } else {
            drop(stream);
        }
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (_, files) = server.get("/v1/files").await;
        if files.as_array().map_or(0, Vec::len) == 4 {
            for file in files.as_array().unwrap() {
                assert_eq!(file["size"], image.len(), "{file}");
            }
            break;
        }
        assert!(Instant::now() < deadline, "uploads missing: {files}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (_, check) = server.get("/__admin/check").await;
    assert_eq!(check, json!({"consistent": true, "problems": []}));
}

#[tokio::test]
async fn undecodable_path_segments_get_imagekit_shaped_400s() {
    let server = spawn().await;
    for path in [
        "/v1/files/%ff/details",
        "/v1/files/abc/versions/%ff",
        "/v1/bulkJobs/%ff",
        "/v1/files/purge/%c3%28",
        "/v1/accounts/origins/%c3%28",
    ] {
        let (status, body) = server.get(path).await;
        assert_error(status, &body, 400);
    }
}

/// A loopback server answering `/final` with `final` and any other path with a
/// redirect to `to` (`"self"`: its own `/final`).
async fn redirecting_server(to: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let own = base.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let (to, own) = (to.clone(), own.clone());
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let n = stream.read(&mut buf).await.unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..n]);
                let answer = if request.starts_with("GET /final") {
                    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nfinal"
                        .to_string()
                } else {
                    let location = if to == "self" {
                        format!("{own}/final")
                    } else {
                        to
                    };
                    format!("HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                };
                let _ = stream.write_all(answer.as_bytes()).await;
            });
        }
    });
    base
}

/// Uploads `<origin>/start` through a server that lets only `origin` through.
async fn upload_via(origin: &str) -> (Server, StatusCode, Value) {
    let server = spawn_with(Config {
        allowed_private_hosts: vec![origin.trim_start_matches("http://").to_string()],
        ..Config::default()
    })
    .await;
    let (status, body) = server
        .upload(
            Form::new()
                .text("file", format!("{origin}/start"))
                .text("fileName", "r.txt"),
        )
        .await;
    (server, status, body)
}

#[tokio::test]
async fn redirects_are_followed_only_to_allowed_addresses() {
    let (target, hits) = origin_server(b"private").await;
    let target_port = target.rsplit(':').next().unwrap().to_string();
    for (to, refusal) in [
        (format!("{target}/x"), "a redirect led to"),
        (
            format!("http://localhost:{target_port}/x"),
            "localhost resolves to",
        ),
        (
            "http://169.254.169.254/latest/meta-data/".to_string(),
            "a redirect led to",
        ),
    ] {
        let (server, status, body) = upload_via(&redirecting_server(to.clone()).await).await;
        assert_error(status, &body, 400);
        let message = body["message"].as_str().unwrap();
        assert!(
            message.contains(refusal) && message.contains("--allow-private-urls"),
            "{to}: {message}"
        );
        assert_library_empty(&server).await;
    }
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "no redirect reached the private server"
    );

    // A redirect to an allowed address is followed.
    let (_, status, body) = upload_via(&redirecting_server("self".into()).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["size"], 5);
}
