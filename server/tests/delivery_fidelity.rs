//! Delivery as ImageKit does it for what the server claims to support: `dpr`,
//! `f-auto` from the `Accept` header, `orig-true`; malformed transformations
//! are 400s, unapplied ones are named in a header, and sizes are bounded.

mod common;

use std::time::Duration;

use common::launch::{launch, server_command};
use common::{assert_error, png, read, spawn, Server};
use reqwest::StatusCode;

async fn upload(server: &Server, name: &str, bytes: Vec<u8>) -> String {
    let (status, body) = server
        .upload_bytes(name, bytes, &[("useUniqueFileName", "false")])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["filePath"].as_str().unwrap().to_string()
}

async fn deliver(server: &Server, tr: &str, path: &str, accept: Option<&str>) -> reqwest::Response {
    let mut request = server
        .client
        .get(format!("{}/tr:{tr}{path}", server.url_endpoint));
    if let Some(accept) = accept {
        request = request.header("accept", accept);
    }
    request.send().await.unwrap()
}

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
}

async fn dimensions(response: reqwest::Response) -> (u32, u32) {
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = response.bytes().await.unwrap();
    let image = image::load_from_memory(&bytes).expect("an image");
    (image.width(), image.height())
}

#[tokio::test]
async fn dpr_multiplies_the_requested_size() {
    let server = spawn().await;
    let path = upload(&server, "photo.png", png(400, 300, false)).await;
    let at = |tr: &'static str| {
        let (server, path) = (&server, path.clone());
        async move { dimensions(deliver(server, tr, &path, None).await).await }
    };
    assert_eq!(at("w-100").await, (100, 75));
    assert_eq!(at("dpr-2,w-100").await, (200, 150));
    assert_eq!(at("w-100,h-50,c-force,dpr-1.5").await, (150, 75));
    let retina = server
        .client
        .get(format!("{}/tr:w-100,dpr-auto{path}", server.url_endpoint))
        .header("dpr", "2")
        .send()
        .await
        .unwrap();
    assert_eq!(dimensions(retina).await, (200, 150));
    let (status, body) = read(deliver(&server, "w-100,dpr-9", &path, None).await).await;
    assert_error(status, &body, 400);
}

#[tokio::test]
async fn f_auto_serves_webp_to_clients_that_accept_it() {
    let server = spawn().await;
    let path = upload(&server, "photo.png", png(40, 30, false)).await;
    let chrome = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8";
    let response = deliver(&server, "w-20,f-auto", &path, Some(chrome)).await;
    assert_eq!(
        header(&response, "content-type").as_deref(),
        Some("image/webp")
    );
    assert_eq!(header(&response, "vary").as_deref(), Some("Accept"));
    let bytes = response.bytes().await.unwrap();
    assert_eq!(
        image::guess_format(&bytes).ok(),
        Some(image::ImageFormat::WebP)
    );

    let old = deliver(
        &server,
        "w-20,f-auto",
        &path,
        Some("image/png,image/*;q=0.8"),
    )
    .await;
    assert_eq!(header(&old, "content-type").as_deref(), Some("image/png"));
    let bytes = old.bytes().await.unwrap();
    assert_eq!(
        image::guess_format(&bytes).ok(),
        Some(image::ImageFormat::Png)
    );
}

#[tokio::test]
async fn orig_true_serves_the_stored_bytes() {
    let server = spawn().await;
    let original = png(64, 48, true);
    let path = upload(&server, "keep.png", original.clone()).await;
    let response = deliver(&server, "orig-true,w-10,f-jpg", &path, None).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header(&response, "content-type").as_deref(),
        Some("image/png")
    );
    assert_eq!(
        response.bytes().await.unwrap().as_ref(),
        original.as_slice()
    );
}

#[tokio::test]
async fn malformed_transformations_are_imagekit_shaped_400s() {
    let server = spawn().await;
    let path = upload(&server, "a.png", png(20, 20, false)).await;
    for tr in [
        "w-abc",
        "W-10",
        "w-10,-5",
        "q-101",
        "l-text,i-Hi",
        "w-99999,h-99999",
    ] {
        let (status, body) = read(deliver(&server, tr, &path, None).await).await;
        assert_error(status, &body, 400);
        assert!(
            body["message"].as_str().unwrap().contains("transformation"),
            "{tr}: {body}"
        );
    }
}

#[tokio::test]
async fn transformations_not_applied_are_named_in_a_header() {
    let server = spawn().await;
    let path = upload(&server, "a.png", png(80, 60, false)).await;
    let response = deliver(
        &server,
        "w-40,l-text,i-Hello,fs-20,l-end,e-sharpen-10,r-max",
        &path,
        None,
    )
    .await;
    assert_eq!(
        header(&response, "x-unapplied-transformation").as_deref(),
        Some("l-text, e-sharpen-10, r-max")
    );
    assert_eq!(dimensions(response).await, (40, 30), "the rest applies");

    let applied = deliver(&server, "w-40,e-grayscale", &path, None).await;
    assert_eq!(header(&applied, "x-unapplied-transformation"), None);

    let text = upload(&server, "notes.txt", b"plain text".to_vec()).await;
    let response = deliver(&server, "w-40", &text, None).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header(&response, "x-unapplied-transformation").as_deref(),
        Some("w-40")
    );
    assert_eq!(response.bytes().await.unwrap().as_ref(), b"plain text");
}

// ------------------------------------------------------------ bombs

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32fast::hash(&body).to_be_bytes());
}

/// A small, valid-looking PNG declaring `width` x `height` RGB pixels.
fn png_bomb(width: u32, height: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    png_chunk(&mut out, b"IHDR", &ihdr);
    // A stored (uncompressed) zlib block of zeros: the start of the pixels.
    let mut idat = vec![0x78, 0x01, 0x00, 0x00, 0x10, 0xff, 0xef];
    idat.extend(std::iter::repeat_n(0u8, 4096));
    png_chunk(&mut out, b"IDAT", &idat);
    png_chunk(&mut out, b"IEND", &[]);
    out
}

/// A GIF whose logical screen and image are `width` x `height`.
fn gif_bomb(width: u16, height: u16) -> Vec<u8> {
    let mut out = b"GIF89a".to_vec();
    out.extend_from_slice(&width.to_le_bytes());
    out.extend_from_slice(&height.to_le_bytes());
    out.extend_from_slice(&[0x80, 0, 0, 0, 0, 0, 255, 255, 255]);
    out.push(0x2C);
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(&width.to_le_bytes());
    out.extend_from_slice(&height.to_le_bytes());
    out.push(0);
    out.extend_from_slice(&[2, 2, 0x4C, 0x01, 0, 0x3B]);
    out
}

fn peak_memory_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// In its own process, so the peak memory measured is the server's alone.
#[tokio::test]
async fn decompression_bombs_are_refused_with_memory_bounded() {
    let process = launch(&mut server_command());
    let (base, url_endpoint) = (process.base.clone(), process.url_endpoint.clone());
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let before = peak_memory_kib(process.child.id());

    let bombs = [
        ("png-100k.png", png_bomb(100_000, 100_000)),
        ("png-100mp.png", png_bomb(10_000, 10_000)),
        ("png-wide.png", png_bomb(1_000_000, 1)),
        ("gif-64k.gif", gif_bomb(65_535, 65_535)),
    ];
    let mut paths = Vec::new();
    for (name, bytes) in bombs {
        let form = reqwest::multipart::Form::new()
            .part(
                "file",
                reqwest::multipart::Part::bytes(bytes.clone()).file_name(name),
            )
            .text("fileName", name)
            .text("useUniqueFileName", "false");
        let response = client
            .post(format!("{base}/api/v1/files/upload"))
            .basic_auth("private_local_test_key", Some(""))
            .multipart(form)
            .send()
            .await
            .unwrap();
        let (status, body) = read(response).await;
        // Stored as sent (ImageKit keeps any file), never decoded.
        assert_eq!(status, StatusCode::OK, "{name}: {body}");
        assert_eq!(body["fileType"], "non-image", "{name}");
        paths.push(body["filePath"].as_str().unwrap().to_string());
    }
    // Many at once: each transformation must be refused before decoding.
    let requests = paths.iter().cycle().take(32).map(|path| {
        let url = format!("{url_endpoint}/tr:w-100{path}");
        let client = client.clone();
        async move { read(client.get(url).send().await.unwrap()).await }
    });
    for (status, body) in futures_util::future::join_all(requests).await {
        assert_error(status, &body, 400);
        let message = body["message"].as_str().unwrap();
        assert!(message.contains("too large"), "{message}");
    }
    let after = peak_memory_kib(process.child.id());
    eprintln!("server peak memory: {before} KiB before, {after} KiB after the bombs");
    assert!(
        after < before + 64 * 1024,
        "peak memory grew from {before} to {after} KiB"
    );
    process.kill();
}
