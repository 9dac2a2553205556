//! The data directory's journal: changes of every kind survive a crash (the
//! directory copied while the server runs, as a SIGKILL leaves it) and a
//! restart, with compaction or without; a data directory from before the
//! journal (state.json alone) still loads; a torn last write is dropped and a
//! damaged journal refused.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::dates::{today, tomorrow};
use common::{
    assert_consistent, on_disk, png, spawn_with, start_job, temp_dir, wait_for_job, Server,
};
use imagekit_local_server::start;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// What a SIGKILL would leave: the directory's files as they are now (the
/// lock and partial uploads aside).
fn crash_copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to.join("blobs")).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if entry.file_type().unwrap().is_file() && name != ".lock" {
            std::fs::copy(entry.path(), to.join(&name)).unwrap();
        }
    }
    for entry in std::fs::read_dir(from.join("blobs")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join("blobs").join(entry.file_name())).unwrap();
    }
}

async fn ok(server: &Server, method: Method, path: &str, body: Value) -> Value {
    let (status, answer) = server.call(method, path, Some(body)).await;
    assert!(status.is_success(), "{path}: {status} {answer}");
    answer
}

async fn upload(server: &Server, name: &str, bytes: &[u8], fields: &[(&str, &str)]) -> Value {
    let mut all = vec![("useUniqueFileName", "false")];
    all.extend_from_slice(fields);
    let (status, body) = server.upload_bytes(name, bytes.to_vec(), &all).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// Changes of every kind: uploads and versions, details, tags, publication,
/// copies, moves, renames, deletes, folders, bulk jobs, purges, custom
/// metadata fields, the account's records and deliveries. Returns the ids of
/// the jobs and purges, to look at after the restart.
async fn every_kind_of_change(server: &Server) -> Vec<String> {
    let mut looked_at = Vec::new();
    let field = ok(
        server,
        Method::POST,
        "/v1/customMetadataFields",
        json!({"name": "price", "label": "Price", "schema": {"type": "Number", "maxValue": 100}}),
    )
    .await;
    let doomed_field = ok(
        server,
        Method::POST,
        "/v1/customMetadataFields",
        json!({"name": "gone", "label": "Gone", "schema": {"type": "Text"}}),
    )
    .await;
    ok(
        server,
        Method::PATCH,
        &format!("/v1/customMetadataFields/{}", field["id"].as_str().unwrap()),
        json!({"label": "Cost", "schema": {"maxValue": 500}}),
    )
    .await;
    server
        .call(
            Method::DELETE,
            &format!(
                "/v1/customMetadataFields/{}",
                doomed_field["id"].as_str().unwrap()
            ),
            None,
        )
        .await;

    let doc = upload(
        server,
        "doc.txt",
        b"version one",
        &[
            ("folder", "/docs"),
            ("tags", "a,b"),
            ("customMetadata", r#"{"price": 10}"#),
        ],
    )
    .await;
    let id = doc["fileId"].as_str().unwrap().to_string();
    let v1 = doc["versionInfo"]["id"].as_str().unwrap().to_string();
    let v2 = upload(server, "doc.txt", b"version two!", &[("folder", "/docs")]).await
        ["versionInfo"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    upload(server, "doc.txt", b"version 3", &[("folder", "/docs")]).await;
    let status = server
        .request(Method::DELETE, &format!("/v1/files/{id}/versions/{v2}"))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, StatusCode::NO_CONTENT);
    ok(
        server,
        Method::PUT,
        &format!("/v1/files/{id}/versions/{v1}/restore"),
        json!({}),
    )
    .await;
    ok(
        server,
        Method::PATCH,
        &format!("/v1/files/{id}/details"),
        json!({"tags": ["x", "y"], "customCoordinates": "0,0,10,10", "customMetadata": {"price": 250}, "description": "d"}),
    )
    .await;

    let image = upload(
        server,
        "img.png",
        &png(20, 10, false),
        &[("folder", "/img")],
    )
    .await;
    let image_id = image["fileId"].as_str().unwrap().to_string();
    let other = upload(server, "other.txt", b"other", &[]).await;
    let other_id = other["fileId"].as_str().unwrap().to_string();
    ok(
        server,
        Method::PATCH,
        &format!("/v1/files/{other_id}/details"),
        json!({"publish": {"isPublished": false}}),
    )
    .await;
    ok(
        server,
        Method::POST,
        "/v1/files/addTags",
        json!({"fileIds": [image_id, other_id], "tags": ["new"]}),
    )
    .await;
    ok(
        server,
        Method::POST,
        "/v1/files/removeTags",
        json!({"fileIds": [id], "tags": ["x"]}),
    )
    .await;
    ok(
        server,
        Method::POST,
        "/v1/files/removeAITags",
        json!({"fileIds": [id], "AITags": ["car"]}),
    )
    .await;

    ok(
        server,
        Method::POST,
        "/v1/files/copy",
        json!({"sourceFilePath": "/docs/doc.txt", "destinationPath": "/copies", "includeFileVersions": true}),
    )
    .await;
    ok(
        server,
        Method::POST,
        "/v1/files/move",
        json!({"sourceFilePath": "/img/img.png", "destinationPath": "/moved"}),
    )
    .await;
    let renamed = ok(
        server,
        Method::PUT,
        "/v1/files/rename",
        json!({"filePath": "/moved/img.png", "newFileName": "pic.png", "purgeCache": true}),
    )
    .await;
    looked_at.push(format!(
        "/v1/files/purge/{}",
        renamed["purgeRequestId"].as_str().unwrap()
    ));
    let purge = ok(
        server,
        Method::POST,
        "/v1/files/purge",
        json!({"url": "http://x/a.jpg"}),
    )
    .await;
    looked_at.push(format!(
        "/v1/files/purge/{}",
        purge["requestId"].as_str().unwrap()
    ));

    let doomed = upload(server, "doomed.txt", b"doomed", &[]).await;
    let status = server
        .request(
            Method::DELETE,
            &format!("/v1/files/{}", doomed["fileId"].as_str().unwrap()),
        )
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, StatusCode::NO_CONTENT);
    let batch = upload(server, "batch.txt", b"batch", &[]).await;
    ok(
        server,
        Method::POST,
        "/v1/files/batch/deleteByFileIds",
        json!({"fileIds": [batch["fileId"]]}),
    )
    .await;

    ok(
        server,
        Method::POST,
        "/v1/folder",
        json!({"folderName": "empty", "parentFolderPath": "/made/deep"}),
    )
    .await;
    upload(server, "in.txt", b"inside", &[("folder", "/gone/inner")]).await;
    let status = server
        .request(Method::DELETE, "/v1/folder")
        .json(&json!({"folderPath": "/gone"}))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, StatusCode::NO_CONTENT);

    upload(server, "1.txt", b"one", &[("folder", "/src/inner")]).await;
    upload(server, "2.txt", b"two", &[("folder", "/src")]).await;
    for (kind, body) in [
        (
            "copyFolder",
            json!({"sourceFolderPath": "/src", "destinationPath": "/copy", "includeVersions": true}),
        ),
        (
            "moveFolder",
            json!({"sourceFolderPath": "/copy", "destinationPath": "/moved"}),
        ),
        (
            "renameFolder",
            json!({"folderPath": "/src", "newFolderName": "renamed", "purgeCache": true}),
        ),
    ] {
        let job = start_job(server, kind, body).await;
        wait_for_job(server, &job).await;
        looked_at.push(format!("/v1/bulkJobs/{job}"));
    }

    ok(
        server,
        Method::POST,
        "/v1/saved-extensions",
        json!({"name": "bg", "description": "", "config": {"name": "remove-bg"}}),
    )
    .await;
    let gone = ok(
        server,
        Method::POST,
        "/v1/saved-extensions",
        json!({"name": "gone", "description": "", "config": {"name": "remove-bg"}}),
    )
    .await;
    server
        .call(
            Method::DELETE,
            &format!("/v1/saved-extensions/{}", gone["id"].as_str().unwrap()),
            None,
        )
        .await;
    let named = ok(
        server,
        Method::POST,
        "/v1/named-transformations",
        json!({"name": "small", "transformation": "w-10"}),
    )
    .await;
    ok(
        server,
        Method::PATCH,
        &format!(
            "/v1/named-transformations/{}",
            named["id"].as_str().unwrap()
        ),
        json!({"transformation": "w-8"}),
    )
    .await;
    let origin = ok(
        server,
        Method::POST,
        "/v1/accounts/origins",
        json!({"type": "WEB_PROXY", "name": "proxy"}),
    )
    .await;
    ok(
        server,
        Method::POST,
        "/v1/accounts/url-endpoints",
        json!({"description": "e", "urlPrefix": "e", "origins": [origin["id"]]}),
    )
    .await;
    ok(
        server,
        Method::PUT,
        "/v1/accounts/url-endpoints/default",
        json!({"description": "mine", "origins": [origin["id"]]}),
    )
    .await;

    for path in [
        "/docs/doc.txt",
        "/tr:n-small/moved/pic.png",
        "/moved/pic.png",
        "/missing.txt",
    ] {
        let response = server
            .client
            .get(format!("{}{path}", server.url_endpoint))
            .send()
            .await
            .unwrap();
        response.bytes().await.unwrap();
    }
    // Delivery records are saved within a second, not per request.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    looked_at
}

/// Every answer a restart must keep, as one value.
async fn everything(server: &Server, also: &[String]) -> Value {
    let mut seen = serde_json::Map::new();
    let (_, files) = server.get("/v1/files?type=all&limit=1000").await;
    let mut paths: Vec<String> = vec![
        "/v1/files?type=all&limit=1000".into(),
        "/v1/files?type=file-version&limit=1000".into(),
        "/v1/customMetadataFields?includeDeleted=true".into(),
        "/v1/saved-extensions".into(),
        "/v1/named-transformations".into(),
        "/v1/accounts/origins".into(),
        "/v1/accounts/url-endpoints".into(),
        format!(
            "/v1/accounts/usage?startDate={}&endDate={}",
            today(),
            tomorrow()
        ),
        format!(
            "/v1/accounts/usage-analytics?startDate={}&endDate={}",
            today(),
            today()
        ),
    ];
    for file in files.as_array().unwrap() {
        if let Some(id) = file["fileId"].as_str() {
            paths.push(format!("/v1/files/{id}/details"));
            paths.push(format!("/v1/files/{id}/versions"));
        }
    }
    paths.extend(also.iter().cloned());
    for path in paths {
        let (status, mut body) = server.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        if let Some(analytics) = body.as_object_mut() {
            analytics.remove("generatedAt");
        }
        // Each server has its own port.
        let body = body.to_string().replace(&server.base, "http://server");
        seen.insert(path, serde_json::from_str(&body).unwrap());
    }
    assert_consistent(&server.client, &server.base).await;
    Value::Object(seen)
}

fn epoch(dir: &Path) -> u64 {
    let state: Value =
        serde_json::from_slice(&std::fs::read(dir.join("state.json")).unwrap()).unwrap();
    state["epoch"].as_u64().unwrap()
}

/// A directory of this suite's.
fn temp_dir_of(tag: &str) -> PathBuf {
    temp_dir(&format!("journal-{tag}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_of_change_survives_a_crash_and_a_restart() {
    let dir = temp_dir_of("kinds");
    let server = spawn_with(on_disk(&dir)).await;
    let also = every_kind_of_change(&server).await;
    let before = everything(&server, &also).await;
    assert!(
        !dir.join("state.json").exists(),
        "no snapshot yet: it is all in the journal"
    );
    let crashed = temp_dir_of("kinds-crashed");
    crash_copy(&dir, &crashed);

    // A clean shutdown, and the copy as a crash left it: the same library.
    server.handle.shutdown().await;
    for dir in [&dir, &crashed] {
        let server = spawn_with(on_disk(dir)).await;
        assert_eq!(everything(&server, &also).await, before);
        server.handle.shutdown().await;
    }

    // Changes after the restart go on in the same journal.
    let server = spawn_with(on_disk(&crashed)).await;
    upload(&server, "later.txt", b"later", &[]).await;
    let after = everything(&server, &also).await;
    let again = temp_dir_of("kinds-again");
    crash_copy(&crashed, &again);
    server.handle.shutdown().await;
    let server = spawn_with(on_disk(&again)).await;
    assert_eq!(everything(&server, &also).await, after);

    // A reset is a change like any other.
    assert_eq!(
        server
            .admin(Method::POST, "/__admin/reset", None)
            .await
            .as_u16(),
        204
    );
    let reset = temp_dir_of("kinds-reset");
    crash_copy(&again, &reset);
    server.handle.shutdown().await;
    let server = spawn_with(on_disk(&reset)).await;
    assert_eq!(server.get("/v1/files?type=all").await.1, json!([]));
    assert_eq!(server.get("/v1/saved-extensions").await.1, json!([]));
    server.handle.shutdown().await;
    for dir in [dir, crashed, again, reset] {
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compaction_keeps_the_state() {
    let dir = temp_dir_of("compact");
    let server = spawn_with(on_disk(&dir)).await;
    // Compacted whenever the journal outgrows a kilobyte: many times over.
    server.handle.app.store.compact_after(1024);
    let also = every_kind_of_change(&server).await;
    server.handle.app.store.flush().await.unwrap();
    let before = everything(&server, &also).await;
    let compactions = epoch(&dir);
    assert!(compactions > 5, "compacted {compactions} times");
    assert!(std::fs::metadata(dir.join("journal")).unwrap().len() < 64 * 1024);

    let crashed = temp_dir_of("compact-crashed");
    crash_copy(&dir, &crashed);
    server.handle.shutdown().await;
    for dir in [&dir, &crashed] {
        let server = spawn_with(on_disk(dir)).await;
        assert_eq!(everything(&server, &also).await, before);
        server.handle.shutdown().await;
    }
    for dir in [dir, crashed] {
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[tokio::test]
async fn a_data_dir_from_before_the_journal_loads() {
    let dir = temp_dir_of("old");
    std::fs::create_dir_all(dir.join("blobs")).unwrap();
    std::fs::write(
        dir.join("blobs").join("b0b0b0b0b0b0b0b0b0b0b0b0"),
        b"old bytes",
    )
    .unwrap();
    // state.json as the server wrote it before the journal: no epoch.
    let version = json!({
        "id": "7e7e7e7e7e7e7e7e7e7e7e7e", "number": 1, "blob": "b0b0b0b0b0b0b0b0b0b0b0b0",
        "created_at": 1_700_000_000_000_i64, "updated_at": 1_700_000_000_000_i64, "size": 9,
        "mime": "text/plain", "image": null, "tags": ["t"], "ai_tags": [],
        "custom_coordinates": null, "custom_metadata": {}, "embedded_metadata": {},
        "is_private": false, "is_published": true, "extensions": [], "extension_status": {},
        "webhook_url": null, "transformation": null, "checks": null, "description": null
    });
    let state = json!({
        "files": {"f1f1f1f1f1f1f1f1f1f1f1f1": {
            "id": "f1f1f1f1f1f1f1f1f1f1f1f1", "folder": "/old/", "name": "kept.txt",
            "created_at": 1_700_000_000_000_i64, "updated_at": 1_700_000_000_000_i64,
            "seq": 2, "current": "7e7e7e7e7e7e7e7e7e7e7e7e", "versions": [version]
        }},
        "folders": {"/old/": {"id": "f0f0f0f0f0f0f0f0f0f0f0f0", "name": "old", "path": "/old/",
            "created_at": 1_700_000_000_000_i64, "updated_at": 1_700_000_000_000_i64, "seq": 1}},
        "custom_fields": [], "jobs": {}, "purges": {}, "seq": 2
    });
    std::fs::write(dir.join("state.json"), state.to_string()).unwrap();

    let server = spawn_with(on_disk(&dir)).await;
    let (_, files) = server.get("/v1/files").await;
    assert_eq!(files[0]["filePath"], "/old/kept.txt");
    assert_eq!(files[0]["tags"], json!(["t"]));
    let served = common::bytes_of(
        &server.client,
        &format!("{}/old/kept.txt", server.url_endpoint),
    )
    .await;
    assert_eq!(served.as_ref(), b"old bytes");
    upload(&server, "new.txt", b"new", &[("folder", "/old")]).await;
    let before = everything(&server, &[]).await;
    let crashed = temp_dir_of("old-crashed");
    crash_copy(&dir, &crashed);
    server.handle.shutdown().await;
    // The old state.json is the snapshot the journal continues.
    assert_eq!(
        std::fs::read(dir.join("state.json")).unwrap(),
        state.to_string().as_bytes()
    );
    let server = spawn_with(on_disk(&crashed)).await;
    assert_eq!(everything(&server, &[]).await, before);
    server.handle.shutdown().await;
    for dir in [dir, crashed] {
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[tokio::test]
async fn a_torn_last_write_is_dropped_and_a_damaged_journal_refused() {
    let dir = temp_dir_of("torn");
    let server = spawn_with(on_disk(&dir)).await;
    upload(&server, "a.txt", b"a", &[]).await;
    upload(&server, "b.txt", b"b", &[]).await;
    server.handle.shutdown().await;
    let journal = dir.join("journal");
    let good = std::fs::read(&journal).unwrap();

    // A write the process died in the middle of: never acknowledged.
    let mut torn = good.clone();
    torn.extend_from_slice(b"0badc0de [{\"seq\":9,\"files\":{\"x\":{\"id\"");
    std::fs::write(&journal, &torn).unwrap();
    let server = spawn_with(on_disk(&dir)).await;
    let (_, files) = server.get("/v1/files").await;
    assert_eq!(files.as_array().unwrap().len(), 2);
    assert_eq!(
        std::fs::read(&journal).unwrap(),
        good,
        "cut back to the good part"
    );
    upload(&server, "c.txt", b"c", &[]).await;
    server.handle.shutdown().await;
    let server = spawn_with(on_disk(&dir)).await;
    assert_eq!(server.get("/v1/files").await.1.as_array().unwrap().len(), 3);
    server.handle.shutdown().await;

    // A bad line with good ones after it is damage, not a torn write.
    let mut damaged = std::fs::read(&journal).unwrap();
    let second_line = damaged.iter().position(|b| *b == b'\n').unwrap() + 1;
    damaged[second_line + 12] ^= 0x20;
    std::fs::write(&journal, &damaged).unwrap();
    let message = start(on_disk(&dir))
        .await
        .err()
        .expect("refused")
        .to_string();
    assert!(
        message.contains("journal") && message.contains("damaged"),
        "{message}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
