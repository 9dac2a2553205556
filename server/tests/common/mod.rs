//! Shared helpers: start a server in-process and talk to it over loopback;
//! [`dates`] for the clock and the calendar, [`launch`] for the server binary
//! as a child process.
//!
//! Every test target compiles all of this, using some: hence the
//! `allow(dead_code)`, which covers the submodules too.

#![allow(dead_code)]

pub mod dates;
pub mod launch;

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::time::Duration;

use imagekit_local_server::{start, Config, ServerHandle};
use reqwest::multipart::{Form, Part};
use reqwest::{Client, Method, RequestBuilder, StatusCode};
use serde_json::{json, Value};

pub struct Server {
    pub handle: ServerHandle,
    pub base: String,
    pub url_endpoint: String,
    pub client: Client,
    pub private_key: String,
}

pub async fn spawn() -> Server {
    spawn_with(Config::default()).await
}

pub async fn spawn_with(mut config: Config) -> Server {
    config.job_delay = Duration::from_millis(150);
    config.purge_delay = Duration::from_millis(150);
    let handle = start(config).await.expect("server starts");
    let endpoints = handle.endpoints();
    Server {
        base: endpoints["apiEndpoint"].as_str().unwrap().to_string(),
        url_endpoint: endpoints["urlEndpoint"].as_str().unwrap().to_string(),
        private_key: endpoints["privateKey"].as_str().unwrap().to_string(),
        handle,
        client: Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap(),
    }
}

impl Server {
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, format!("{}{}", self.base, path))
            .basic_auth(&self.private_key, Some(""))
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.request(method, path);
        if let Some(body) = body {
            request = request.json(&body);
        }
        read(request.send().await.expect("request sent")).await
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None).await
    }

    pub async fn upload(&self, form: Form) -> (StatusCode, Value) {
        let response = self
            .request(Method::POST, "/api/v1/files/upload")
            .multipart(form)
            .send()
            .await
            .expect("upload sent");
        read(response).await
    }

    /// Uploads bytes as a binary part with the given extra text fields.
    pub async fn upload_bytes(
        &self,
        name: &str,
        bytes: Vec<u8>,
        fields: &[(&str, &str)],
    ) -> (StatusCode, Value) {
        let mut form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_string()));
        form = form.text("fileName", name.to_string());
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        self.upload(form).await
    }

    pub async fn admin(&self, method: Method, path: &str, body: Option<Value>) -> StatusCode {
        let changes = method != Method::GET;
        let mut request = self
            .client
            .request(method, format!("{}{}", self.base, path));
        if let Some(body) = body {
            request = request.json(&body);
        } else if changes {
            // The admin API takes its changes as JSON only.
            request = request.header("content-type", "application/json");
        }
        request.send().await.expect("admin call").status()
    }
}

pub async fn read(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    let value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, value)
}

/// A small RGB(A) PNG with a gradient (so pHash has structure).
pub fn png(width: u32, height: u32, alpha: bool) -> Vec<u8> {
    let image = image::RgbaImage::from_fn(width, height, |x, y| {
        let a = if alpha { ((x + y) % 256) as u8 } else { 255 };
        image::Rgba([
            (x * 255 / width.max(1)) as u8,
            (y * 255 / height.max(1)) as u8,
            90,
            a,
        ])
    });
    let mut out = Cursor::new(Vec::new());
    if alpha {
        image::DynamicImage::ImageRgba8(image)
            .write_to(&mut out, image::ImageFormat::Png)
            .unwrap();
    } else {
        image::DynamicImage::ImageRgba8(image)
            .to_rgb8()
            .write_to(&mut out, image::ImageFormat::Png)
            .unwrap();
    }
    out.into_inner()
}

pub fn assert_error(status: StatusCode, body: &Value, expected: u16) {
    assert_eq!(status.as_u16(), expected, "body: {body}");
    assert!(body["message"].is_string(), "no message in {body}");
    assert_eq!(
        body["help"],
        "For support kindly contact us at support@imagekit.io ."
    );
}

pub fn keys(value: &Value) -> Vec<String> {
    value
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

/// Polls a bulk job until it completes (2 s at most).
pub async fn wait_for_job(server: &Server, job_id: &str) -> Value {
    wait_for_job_status(server, job_id, "Completed").await
}

/// Polls a bulk job until its status is `want`.
pub async fn wait_for_job_status(server: &Server, job_id: &str, want: &str) -> Value {
    for _ in 0..200 {
        let (status, body) = server.get(&format!("/v1/bulkJobs/{job_id}")).await;
        assert_eq!(status, StatusCode::OK);
        if body["status"] == want {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("job {job_id} never became {want}");
}

/// Starts a bulk job (`/v1/bulkJobs/<kind>`); its id.
pub async fn start_job(server: &Server, kind: &str, body: Value) -> String {
    let (status, answer) = server
        .call(Method::POST, &format!("/v1/bulkJobs/{kind}"), Some(body))
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer["jobId"].as_str().expect("a jobId").to_string()
}

/// The body of a GET of `url`.
pub async fn bytes_of(client: &Client, url: &str) -> bytes::Bytes {
    client
        .get(url)
        .send()
        .await
        .expect("request sent")
        .bytes()
        .await
        .expect("body read")
}

/// A fresh, absent directory for a test's data: `ik-<tag>-<pid>-<random>` under the
/// system's temporary directory.
pub fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "ik-{tag}-{}-{}",
        std::process::id(),
        fastrand::u64(..)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// The default configuration, keeping its data in `dir`.
pub fn on_disk(dir: &Path) -> Config {
    Config {
        data_dir: Some(dir.to_path_buf()),
        ..Config::default()
    }
}

/// Asserts that `GET /__admin/check` at `base` finds the store consistent.
pub async fn assert_consistent(client: &Client, base: &str) {
    let check: Value = client
        .get(format!("{base}/__admin/check"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(check, json!({"consistent": true, "problems": []}));
}
