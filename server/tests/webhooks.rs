//! Webhooks end to end, in process: a receiver (axum on loopback) records
//! what the server POSTs for the changes the Node tests leave out (folder
//! jobs, bulk tags, publication, version restore), checks the `x-ik-signature`
//! against an HMAC computed here, and sees the deliveries in the admin API.
//! The official verifiers are exercised by `__test__/server-webhooks.test.js`.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode as AxumStatus};
use common::{png, spawn_with, start_job, wait_for_job, Server};
use hmac::{Hmac, Mac};
use imagekit_local_server::webhooks::signing::DEFAULT_SECRET;
use imagekit_local_server::webhooks::Endpoint;
use imagekit_local_server::Config;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// What the receiver got: headers and body of each request.
type Received = Arc<Mutex<Vec<(HeaderMap, String)>>>;

/// A receiver answering 200 at `http://127.0.0.1:<port>/hook`.
async fn receiver() -> (String, Received) {
    let got: Received = Arc::default();
    let store = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let store = store.clone();
            async move {
                store.lock().unwrap().push((headers, body));
                AxumStatus::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, got)
}

/// The events received so far, each checked against its `x-ik-signature`.
fn events(got: &Received) -> Vec<Value> {
    got.lock()
        .unwrap()
        .iter()
        .map(|(headers, body)| {
            let signature = headers["x-ik-signature"].to_str().unwrap();
            let (t, v1) = signature
                .strip_prefix("t=")
                .and_then(|rest| rest.split_once(",v1="))
                .expect("t=...,v1=...");
            let mut mac = Hmac::<sha2::Sha256>::new_from_slice(DEFAULT_SECRET.as_bytes()).unwrap();
            mac.update(format!("{t}.{body}").as_bytes());
            assert_eq!(hex::encode(mac.finalize().into_bytes()), v1, "{body}");
            serde_json::from_str(body).unwrap()
        })
        .collect()
}

/// Waits until the received events of `kind` about files under `prefix` (a
/// path) or with id `id` number `n`; returns them.
async fn wait_for(
    got: &Received,
    kind: &str,
    matches: impl Fn(&Value) -> bool,
    n: usize,
) -> Vec<Value> {
    for _ in 0..250 {
        let found: Vec<Value> = events(got)
            .into_iter()
            .filter(|e| e["type"] == kind && matches(e))
            .collect();
        if found.len() >= n {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{n} {kind} events never came; got {:#?}", events(got));
}

async fn hooked() -> (Server, Received) {
    let (url, got) = receiver().await;
    let server = spawn_with(Config {
        webhooks: vec![Endpoint::parse(&url).unwrap()],
        webhook_retry_delay: Duration::from_millis(20),
        ..Config::default()
    })
    .await;
    (server, got)
}

async fn upload(server: &Server, name: &str, folder: &str) -> Value {
    let (status, body) = server
        .upload_bytes(
            name,
            png(8, 8, false),
            &[("folder", folder), ("useUniqueFileName", "false")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

#[tokio::test]
async fn folder_jobs_create_and_move_files() {
    let (server, got) = hooked().await;
    let a = upload(&server, "a.png", "/src/").await;
    let b = upload(&server, "b.png", "/src/deep/").await;

    let job = start_job(
        &server,
        "copyFolder",
        json!({"sourceFolderPath": "/src", "destinationPath": "/dst"}),
    )
    .await;
    wait_for_job(&server, &job).await;
    let copies = wait_for(
        &got,
        "file.created",
        |e| {
            e["data"]["filePath"]
                .as_str()
                .unwrap()
                .starts_with("/dst/src/")
        },
        2,
    )
    .await;
    let mut paths: Vec<&str> = copies
        .iter()
        .map(|e| e["data"]["filePath"].as_str().unwrap())
        .collect();
    paths.sort();
    assert_eq!(paths, ["/dst/src/a.png", "/dst/src/deep/b.png"]);

    let job = start_job(
        &server,
        "moveFolder",
        json!({"sourceFolderPath": "/src", "destinationPath": "/moved"}),
    )
    .await;
    wait_for_job(&server, &job).await;
    for (file, path) in [(&a, "/moved/src/a.png"), (&b, "/moved/src/deep/b.png")] {
        let moved = wait_for(
            &got,
            "file.updated",
            |e| e["data"]["fileId"] == file["fileId"],
            1,
        )
        .await;
        assert_eq!(moved[0]["data"]["filePath"], path);
    }

    // Every delivery is recorded as delivered.
    let deliveries: Value = server
        .client
        .get(format!("{}/__admin/webhooks/deliveries", server.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let deliveries = deliveries["deliveries"].as_array().unwrap();
    assert!(deliveries.len() >= 6, "{deliveries:#?}");
    assert!(deliveries
        .iter()
        .all(|d| d["state"] == "delivered" && d["attempts"] == 1));
}

#[tokio::test]
async fn tags_publication_and_restores_update_files() {
    let (server, got) = hooked().await;
    let first = upload(&server, "t.png", "/t/").await;
    let second = upload(&server, "t.png", "/t/").await;
    let id = first["fileId"].as_str().unwrap();
    let about = |e: &Value| e["data"]["fileId"] == id;

    let version = wait_for(&got, "file-version.created", about, 1).await;
    assert_eq!(
        version[0]["data"]["versionInfo"]["id"],
        second["versionInfo"]["id"]
    );

    let (status, _) = server
        .call(
            Method::POST,
            "/v1/files/addTags",
            Some(json!({"fileIds": [id], "tags": ["x"]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let tagged = wait_for(&got, "file.updated", about, 1).await;
    assert_eq!(tagged[0]["data"]["tags"], json!(["x"]));

    let (status, _) = server
        .call(
            Method::PATCH,
            &format!("/v1/files/{id}/details"),
            Some(json!({"publish": {"isPublished": false}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let unpublished = wait_for(&got, "file.updated", about, 2).await;
    assert!(unpublished
        .iter()
        .any(|e| e["data"]["isPublished"] == false));

    let old = first["versionInfo"]["id"].as_str().unwrap();
    let (status, _) = server
        .call(
            Method::PUT,
            &format!("/v1/files/{id}/versions/{old}/restore"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let restored = wait_for(&got, "file.updated", about, 3).await;
    assert!(restored
        .iter()
        .any(|e| e["data"]["versionInfo"]["id"] == old));

    // A request refused by the library changes nothing and tells nobody.
    let before = events(&got).len();
    let (status, _) = server
        .call(
            Method::DELETE,
            &format!("/v1/files/{id}/versions/{old}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "the current version");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(events(&got).len(), before);
}
