//! End-to-end tests of the local ImageKit server over loopback HTTP.

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::dates::now_secs;
use common::launch::{launch, server_command, Process};
use common::{assert_error, keys, png, read, spawn, spawn_with, wait_for_job, Server};
use imagekit_local_server::auth::hmac_sha1_hex;
use imagekit_local_server::Config;
use reqwest::multipart::Form;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const FILE_KEYS: [&str; 22] = [
    "type",
    "name",
    "createdAt",
    "updatedAt",
    "fileId",
    "tags",
    "AITags",
    "versionInfo",
    "embeddedMetadata",
    "isPublished",
    "customCoordinates",
    "customMetadata",
    "isPrivateFile",
    "url",
    "thumbnail",
    "fileType",
    "filePath",
    "height",
    "width",
    "size",
    "hasAlpha",
    "mime",
];

async fn upload_text(server: &Server, name: &str, text: &str, fields: &[(&str, &str)]) -> Value {
    let (status, body) = server
        .upload_bytes(name, text.as_bytes().to_vec(), fields)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

// ------------------------------------------------------------------ auth

#[tokio::test]
async fn auth_missing_and_wrong_keys() {
    let server = spawn().await;
    let (status, body) = read(
        server
            .client
            .get(format!("{}/v1/files", server.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(status, &body, 401);
    let response = server
        .client
        .get(format!("{}/v1/files", server.base))
        .basic_auth("wrong", Some(""))
        .send()
        .await
        .unwrap();
    let (status, body) = read(response).await;
    assert_error(status, &body, 403);
    let response = server
        .client
        .post(format!("{}/api/v1/files/upload", server.base))
        .multipart(Form::new().text("file", "aGk=").text("fileName", "a.txt"))
        .send()
        .await
        .unwrap();
    let (status, body) = read(response).await;
    assert_error(status, &body, 401);
    let (status, body) = server.get("/v1/files").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!([]));
}

#[tokio::test]
async fn client_side_upload_signature() {
    let server = spawn().await;
    let expire = (now_secs() + 600).to_string();
    let token = "tok-123";
    let signature = hmac_sha1_hex(&server.private_key, &format!("{token}{expire}"));
    let form = |sig: &str| {
        Form::new()
            .text("file", "aGVsbG8=")
            .text("fileName", "client.txt")
            .text("publicKey", "public_local_test_key")
            .text("signature", sig.to_string())
            .text("expire", expire.clone())
            .text("token", token)
    };
    let send = |f: Form| {
        server
            .client
            .post(format!("{}/api/v1/files/upload", server.base))
            .multipart(f)
            .send()
    };
    let (status, body) = read(send(form(&signature)).await.unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = read(send(form("00")).await.unwrap()).await;
    assert_error(status, &body, 400);
}

// ------------------------------------------------------------------ upload

#[tokio::test]
async fn upload_shapes_and_parameters() {
    let server = spawn().await;
    let image = png(40, 30, true);
    let (status, body) = server
        .upload_bytes(
            "my photo (1).png",
            image.clone(),
            &[
                ("folder", "/shop//summer sale/"),
                ("tags", "a, b,,c"),
                ("customCoordinates", "1,2,3,4"),
                ("isPrivateFile", "false"),
                (
                    "responseFields",
                    "tags,customCoordinates,isPrivateFile,isPublished,customMetadata",
                ),
                (
                    "extensions",
                    r#"[{"name":"google-auto-tagging","maxTags":5,"minConfidence":90}]"#,
                ),
                ("webhookUrl", "http://127.0.0.1:9/hook"),
                (
                    "transformation",
                    r#"{"post":[{"type":"thumbnail","value":"w-100"}]}"#,
                ),
                ("checks", r#""file.size" < "1mb""#),
                ("overwriteTags", "true"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let name = body["name"].as_str().unwrap();
    assert!(
        name.starts_with("my_photo__1__") && name.ends_with(".png"),
        "{name}"
    );
    assert_eq!(body["filePath"], format!("/shop/summer_sale/{name}"));
    assert_eq!(body["fileType"], "image");
    assert_eq!(
        (body["width"].as_u64(), body["height"].as_u64()),
        (Some(40), Some(30))
    );
    assert_eq!(body["size"], image.len());
    assert_eq!(body["tags"], json!(["a", "b", "c"]));
    assert_eq!(body["customCoordinates"], "1,2,3,4");
    assert_eq!(body["isPrivateFile"], false);
    assert_eq!(body["isPublished"], true);
    assert_eq!(body["versionInfo"]["name"], "Version 1");
    assert_eq!(body["extensionStatus"]["google-auto-tagging"], "pending");
    assert_eq!(
        body["url"],
        format!(
            "{}{}",
            server.url_endpoint,
            body["filePath"].as_str().unwrap()
        )
    );
    assert_eq!(
        keys(&body)[..11],
        [
            "fileId",
            "name",
            "size",
            "versionInfo",
            "filePath",
            "url",
            "fileType",
            "height",
            "width",
            "thumbnailUrl",
            "AITags"
        ]
    );
    let id = body["fileId"].as_str().unwrap();
    assert_eq!(id.len(), 24);
    let (status, details) = server.get(&format!("/v1/files/{id}/details")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(keys(&details)[..FILE_KEYS.len()], FILE_KEYS);
    assert_eq!(details["hasAlpha"], true);
    assert_eq!(details["mime"], "image/png");
    assert_eq!(details["type"], "file");

    // The folders were created along the way.
    let (_, folders) = server.get("/v1/files?type=folder").await;
    let paths: Vec<&str> = folders
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["folderPath"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["/shop", "/shop/summer_sale"]);
}

#[tokio::test]
async fn upload_validation_errors() {
    let server = spawn().await;
    let (status, body) = server.upload(Form::new().text("fileName", "a.txt")).await;
    assert_error(status, &body, 400);
    let (status, body) = server.upload(Form::new().text("file", "aGk=")).await;
    assert_error(status, &body, 400);
    for (field, value) in [
        ("customCoordinates", "1,2,3"),
        ("tags", "50%off"),
        ("useUniqueFileName", "maybe"),
        ("responseFields", "everything"),
        ("customMetadata", "{not json"),
        ("customMetadata", r#"{"undefinedField": 1}"#),
        ("extensions", r#"{"name":"x"}"#),
        ("transformation", r#"{"pre":""}"#),
        ("transformation", r#"{"other":1}"#),
    ] {
        let (status, body) = server
            .upload_bytes("a.txt", b"x".to_vec(), &[(field, value)])
            .await;
        assert_error(status, &body, 400);
    }
    // Nothing was stored by the failed uploads.
    assert_eq!(server.get("/v1/files").await.1, json!([]));
}

#[tokio::test]
async fn upload_base64_data_uri_and_url() {
    let server = spawn().await;
    let (status, body) = server
        .upload(
            Form::new()
                .text("file", "aGVsbG8gd29y\nbGQ=")
                .text("fileName", "b64.txt")
                .text("useUniqueFileName", "false"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["size"], 11);
    let served = server
        .client
        .get(format!("{}/b64.txt", server.url_endpoint))
        .send()
        .await
        .unwrap();
    assert_eq!(served.text().await.unwrap(), "hello world");

    let image = png(8, 8, false);
    use base64::Engine;
    let data_uri = format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(&image)
    );
    let (status, body) = server
        .upload(Form::new().text("file", data_uri).text("fileName", "d.png"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["fileType"], "image");
    assert_eq!(body["size"], image.len());

    // A URL the server downloads: its own delivery URL (loopback).
    let url = format!("{}/b64.txt", server.url_endpoint);
    let (status, body) = server
        .upload(
            Form::new()
                .text("file", url)
                .text("fileName", "fetched.txt"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["size"], 11);
    let (status, body) = server
        .upload(
            Form::new()
                .text("file", format!("{}/missing.txt", server.url_endpoint))
                .text("fileName", "x.txt"),
        )
        .await;
    assert_error(status, &body, 400);
    let (status, body) = server
        .upload(
            Form::new()
                .text("file", "!!!not base64!!!")
                .text("fileName", "x.txt"),
        )
        .await;
    assert_error(status, &body, 400);
}

#[tokio::test]
async fn versions_lifecycle() {
    let server = spawn().await;
    let first = upload_text(
        &server,
        "v.txt",
        "one",
        &[("useUniqueFileName", "false"), ("tags", "t1")],
    )
    .await;
    let id = first["fileId"].as_str().unwrap().to_string();
    let v1 = first["versionInfo"]["id"].as_str().unwrap().to_string();
    let second = upload_text(
        &server,
        "v.txt",
        "two!",
        &[("useUniqueFileName", "false"), ("overwriteTags", "false")],
    )
    .await;
    assert_eq!(second["fileId"], id.as_str());
    assert_eq!(second["versionInfo"]["name"], "Version 2");
    let v2 = second["versionInfo"]["id"].as_str().unwrap().to_string();
    let (_, details) = server.get(&format!("/v1/files/{id}/details")).await;
    assert_eq!(
        details["tags"],
        json!(["t1"]),
        "overwriteTags=false keeps tags"
    );
    assert_eq!(details["size"], 4);

    let (status, conflict) = server
        .upload_bytes(
            "v.txt",
            b"three".to_vec(),
            &[("useUniqueFileName", "false"), ("overwriteFile", "false")],
        )
        .await;
    assert_error(status, &conflict, 400);

    let (status, versions) = server.get(&format!("/v1/files/{id}/versions")).await;
    assert_eq!(status, StatusCode::OK);
    let versions = versions.as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["type"], "file-version");
    assert_eq!(versions[1]["type"], "file");
    assert!(versions[0]["url"]
        .as_str()
        .unwrap()
        .ends_with(&format!("?ik-obj-version={v1}")));

    let (status, old) = server.get(&format!("/v1/files/{id}/versions/{v1}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(old["size"], 3);
    let old_url = old["url"].as_str().unwrap();
    assert_eq!(
        server
            .client
            .get(old_url)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "one"
    );
    let (status, body) = server
        .get(&format!("/v1/files/{id}/versions/{}", "f".repeat(24)))
        .await;
    assert_error(status, &body, 404);

    let (status, body) = server
        .call(
            Method::DELETE,
            &format!("/v1/files/{id}/versions/{v2}"),
            None,
        )
        .await;
    assert_error(status, &body, 400);

    let (status, restored) = server
        .call(
            Method::PUT,
            &format!("/v1/files/{id}/versions/{v1}/restore"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(restored["versionInfo"]["id"], v1.as_str());
    assert_eq!(restored["size"], 3);
    let current = server
        .client
        .get(format!("{}/v.txt", server.url_endpoint))
        .send()
        .await
        .unwrap();
    assert_eq!(current.text().await.unwrap(), "one");

    let (status, _) = server
        .call(
            Method::DELETE,
            &format!("/v1/files/{id}/versions/{v2}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, versions) = server.get(&format!("/v1/files/{id}/versions")).await;
    assert_eq!(versions.as_array().unwrap().len(), 1);
}

// ------------------------------------------------------------------ details & bulk

#[tokio::test]
async fn update_details_and_publish() {
    let server = spawn().await;
    let file = upload_text(&server, "d.txt", "x", &[]).await;
    let id = file["fileId"].as_str().unwrap();
    let path = format!("/v1/files/{id}/details");
    let (status, body) = server
        .call(Method::PATCH, &path, Some(json!({"tags": ["x", "y"], "customCoordinates": "0,0,10,10", "removeAITags": "all"})))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["tags"], json!(["x", "y"]));
    assert_eq!(body["customCoordinates"], "0,0,10,10");
    let (_, body) = server
        .call(
            Method::PATCH,
            &path,
            Some(json!({"tags": null, "customCoordinates": null})),
        )
        .await;
    assert_eq!(body["tags"], Value::Null);
    assert_eq!(body["customCoordinates"], Value::Null);
    let (status, body) = server
        .call(Method::PATCH, &path, Some(json!({"tags": "nope"})))
        .await;
    assert_error(status, &body, 400);
    let (status, body) = server
        .call(
            Method::PATCH,
            &path,
            Some(json!({"customMetadata": {"unknown": 1}})),
        )
        .await;
    assert_error(status, &body, 400);
    let (status, body) = server
        .call(
            Method::PATCH,
            &path,
            Some(json!({"publish": {"isPublished": false}, "tags": ["a"]})),
        )
        .await;
    assert_error(status, &body, 400);
    let (status, body) = server
        .call(
            Method::PATCH,
            &path,
            Some(json!({"publish": {"isPublished": false}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["isPublished"], false);
    let served = server
        .client
        .get(format!("{}/{}", server.url_endpoint, "d.txt"))
        .send()
        .await
        .unwrap();
    assert_eq!(served.status(), StatusCode::NOT_FOUND);
    let (status, body) = server
        .call(
            Method::PATCH,
            &format!("/v1/files/{}/details", "0".repeat(24)),
            Some(json!({"tags": []})),
        )
        .await;
    assert_error(status, &body, 404);
    let (status, body) = server
        .get(&format!("/v1/files/{}/details", "0".repeat(24)))
        .await;
    assert_error(status, &body, 404);
}

#[tokio::test]
async fn bulk_tags_and_delete() {
    let server = spawn().await;
    let a = upload_text(&server, "a.txt", "a", &[("tags", "keep")]).await["fileId"]
        .as_str()
        .unwrap()
        .to_string();
    let b = upload_text(&server, "b.txt", "b", &[]).await["fileId"]
        .as_str()
        .unwrap()
        .to_string();
    let missing = "1".repeat(24);
    let (status, body) = server
        .call(
            Method::POST,
            "/v1/files/addTags",
            Some(json!({"fileIds": [a, b], "tags": ["new"]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"successfullyUpdatedFileIds": [a, b]}));
    let (_, details) = server.get(&format!("/v1/files/{a}/details")).await;
    assert_eq!(details["tags"], json!(["keep", "new"]));
    let (status, body) = server
        .call(
            Method::POST,
            "/v1/files/removeTags",
            Some(json!({"fileIds": [a], "tags": ["keep"]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, details) = server.get(&format!("/v1/files/{a}/details")).await;
    assert_eq!(details["tags"], json!(["new"]));
    let (status, body) = server
        .call(
            Method::POST,
            "/v1/files/removeAITags",
            Some(json!({"fileIds": [a], "AITags": ["car"]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = server
        .call(
            Method::POST,
            "/v1/files/addTags",
            Some(json!({"fileIds": [a, missing], "tags": ["z"]})),
        )
        .await;
    assert_error(status, &body, 404);
    assert_eq!(body["missingFileIds"], json!([missing]));
    let (status, body) = server
        .call(
            Method::POST,
            "/v1/files/addTags",
            Some(json!({"fileIds": [], "tags": ["z"]})),
        )
        .await;
    assert_error(status, &body, 400);
    let (status, body) = server
        .call(
            Method::POST,
            "/v1/files/addTags",
            Some(json!({"fileIds": [a], "tags": []})),
        )
        .await;
    assert_error(status, &body, 400);

    let (status, body) = server
        .call(
            Method::POST,
            "/v1/files/batch/deleteByFileIds",
            Some(json!({"fileIds": [a, missing]})),
        )
        .await;
    assert_error(status, &body, 404);
    assert_eq!(body["missingFileIds"], json!([missing]));
    let (status, body) = server
        .call(
            Method::POST,
            "/v1/files/batch/deleteByFileIds",
            Some(json!({"fileIds": [a]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"successfullyDeletedFileIds": [a]}));
    let (status, _) = server
        .call(Method::DELETE, &format!("/v1/files/{b}"), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = server
        .call(Method::DELETE, &format!("/v1/files/{b}"), None)
        .await;
    assert_error(status, &body, 404);
    assert_eq!(server.get("/v1/files").await.1, json!([]));
}

// ------------------------------------------------------------------ copy, move, rename, folders

#[tokio::test]
async fn copy_move_rename() {
    let server = spawn().await;
    upload_text(
        &server,
        "f.txt",
        "v1",
        &[("useUniqueFileName", "false"), ("folder", "/src")],
    )
    .await;
    upload_text(
        &server,
        "f.txt",
        "v2",
        &[("useUniqueFileName", "false"), ("folder", "/src")],
    )
    .await;
    let copy = |src: &str, dst: &str, all: bool| json!({"sourceFilePath": src, "destinationPath": dst, "includeFileVersions": all});
    let (status, _) = server
        .call(
            Method::POST,
            "/v1/files/copy",
            Some(copy("/src/f.txt", "/dst", true)),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, listed) = server.get("/v1/files?path=/dst").await;
    let copied = &listed[0];
    assert_eq!(copied["filePath"], "/dst/f.txt");
    let (_, versions) = server
        .get(&format!(
            "/v1/files/{}/versions",
            copied["fileId"].as_str().unwrap()
        ))
        .await;
    assert_eq!(versions.as_array().unwrap().len(), 2);
    // Copying onto an existing file appends a version.
    let (status, _) = server
        .call(
            Method::POST,
            "/v1/files/copy",
            Some(copy("/src/f.txt", "/dst/", false)),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, versions) = server
        .get(&format!(
            "/v1/files/{}/versions",
            copied["fileId"].as_str().unwrap()
        ))
        .await;
    assert_eq!(versions.as_array().unwrap().len(), 3);
    let (status, body) = server
        .call(
            Method::POST,
            "/v1/files/copy",
            Some(copy("/nope.txt", "/dst", false)),
        )
        .await;
    assert_error(status, &body, 404);
    assert_eq!(body["reason"], "SOURCE_FILE_MISSING");
    let (status, body) = server
        .call(
            Method::POST,
            "/v1/files/copy",
            Some(json!({"sourceFilePath": "/src/f.txt"})),
        )
        .await;
    assert_error(status, &body, 400);

    let (status, _) = server
        .call(
            Method::POST,
            "/v1/files/move",
            Some(json!({"sourceFilePath": "/src/f.txt", "destinationPath": "/moved"})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(server.get("/v1/files?path=/src").await.1, json!([]));
    let served = server
        .client
        .get(format!("{}/moved/f.txt", server.url_endpoint))
        .send()
        .await
        .unwrap();
    assert_eq!(served.text().await.unwrap(), "v2");

    let rename = |path: &str, name: &str, purge: bool| json!({"filePath": path, "newFileName": name, "purgeCache": purge});
    let (status, body) = server
        .call(
            Method::PUT,
            "/v1/files/rename",
            Some(rename("/moved/f.txt", "g h.txt", false)),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({}));
    let (_, listed) = server.get("/v1/files?path=/moved").await;
    assert_eq!(listed[0]["name"], "g_h.txt");
    let (status, body) = server
        .call(
            Method::PUT,
            "/v1/files/rename",
            Some(rename("/moved/g_h.txt", "x.txt", true)),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["purgeRequestId"].is_string());
    upload_text(
        &server,
        "y.txt",
        "y",
        &[("useUniqueFileName", "false"), ("folder", "/moved")],
    )
    .await;
    let (status, body) = server
        .call(
            Method::PUT,
            "/v1/files/rename",
            Some(rename("/moved/x.txt", "y.txt", false)),
        )
        .await;
    assert_error(status, &body, 409);
    let (status, body) = server
        .call(
            Method::PUT,
            "/v1/files/rename",
            Some(rename("/moved/none.txt", "z.txt", false)),
        )
        .await;
    assert_error(status, &body, 404);
}

#[tokio::test]
async fn folders_create_and_recursive_delete() {
    let server = spawn().await;
    let (status, body) = server
        .call(
            Method::POST,
            "/v1/folder",
            Some(json!({"folderName": "new folder!", "parentFolderPath": "/a/b"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(body, json!({}));
    let (_, folders) = server.get("/v1/files?type=folder&path=/a/b").await;
    assert_eq!(folders[0]["folderPath"], "/a/b/new_folder_");
    assert_eq!(folders[0]["name"], "new_folder_");
    upload_text(&server, "in.txt", "x", &[("folder", "/a/b/new_folder_")]).await;
    let (status, body) = server
        .call(Method::POST, "/v1/folder", Some(json!({"folderName": ""})))
        .await;
    assert_error(status, &body, 400);
    let (status, _) = server
        .call(
            Method::DELETE,
            "/v1/folder",
            Some(json!({"folderPath": "/a"})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(server.get("/v1/files?type=all").await.1, json!([]));
    let (status, body) = server
        .call(
            Method::DELETE,
            "/v1/folder",
            Some(json!({"folderPath": "/a"})),
        )
        .await;
    assert_error(status, &body, 404);
    assert_eq!(body["reason"], "FOLDER_NOT_FOUND");
}

#[tokio::test]
async fn folder_bulk_jobs() {
    let server = spawn().await;
    upload_text(
        &server,
        "1.txt",
        "1",
        &[("useUniqueFileName", "false"), ("folder", "/src/inner")],
    )
    .await;
    upload_text(
        &server,
        "2.txt",
        "2",
        &[("useUniqueFileName", "false"), ("folder", "/src")],
    )
    .await;
    let (status, body) = server
        .call(
            Method::POST,
            "/v1/bulkJobs/copyFolder",
            Some(json!({"sourceFolderPath": "/src", "destinationPath": "/copy"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let job = body["jobId"].as_str().unwrap().to_string();
    let (_, pending) = server.get(&format!("/v1/bulkJobs/{job}")).await;
    assert_eq!(
        pending,
        json!({"jobId": job, "type": "COPY_FOLDER", "status": "Pending"})
    );
    wait_for_job(&server, &job).await;
    let (_, copied) = server
        .get("/v1/files?searchQuery=path%20%3A%20%22%2Fcopy%22")
        .await;
    let mut paths: Vec<&str> = copied
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["filePath"].as_str().unwrap())
        .collect();
    paths.sort();
    assert_eq!(paths, ["/copy/src/2.txt", "/copy/src/inner/1.txt"]);

    let (status, body) = server
        .call(
            Method::POST,
            "/v1/bulkJobs/moveFolder",
            Some(json!({"sourceFolderPath": "/src", "destinationPath": "/moved"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let done = wait_for_job(&server, body["jobId"].as_str().unwrap()).await;
    assert_eq!(done["type"], "MOVE_FOLDER");
    assert_eq!(server.get("/v1/files?path=/src").await.1, json!([]));
    let served = server
        .client
        .get(format!("{}/moved/src/inner/1.txt", server.url_endpoint))
        .send()
        .await
        .unwrap();
    assert_eq!(served.text().await.unwrap(), "1");

    let (status, body) = server
        .call(
            Method::POST,
            "/v1/bulkJobs/copyFolder",
            Some(json!({"sourceFolderPath": "/none", "destinationPath": "/x"})),
        )
        .await;
    assert_error(status, &body, 404);
    assert_eq!(body["reason"], "NO_FILES_FOLDER");
    let (status, body) = server
        .call(
            Method::POST,
            "/v1/bulkJobs/copyFolder",
            Some(json!({"sourceFolderPath": "/moved", "destinationPath": "/moved/src"})),
        )
        .await;
    assert_error(status, &body, 400);
    let (status, body) = server
        .get(&format!("/v1/bulkJobs/{}", "2".repeat(24)))
        .await;
    assert_error(status, &body, 404);
}

#[tokio::test]
async fn purge_requests() {
    let server = spawn().await;
    let (status, body) = server
        .call(
            Method::POST,
            "/v1/files/purge",
            Some(json!({"url": "http://x/a.jpg"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let id = body["requestId"].as_str().unwrap().to_string();
    assert_eq!(
        server.get(&format!("/v1/files/purge/{id}")).await.1,
        json!({"status": "Pending"})
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        server.get(&format!("/v1/files/purge/{id}")).await.1,
        json!({"status": "Completed"})
    );
    let (status, body) = server
        .call(Method::POST, "/v1/files/purge", Some(json!({})))
        .await;
    assert_error(status, &body, 400);
    let (status, body) = server.get("/v1/files/purge/unknown").await;
    assert_error(status, &body, 404);
}

// ------------------------------------------------------------------ custom metadata

#[tokio::test]
async fn custom_metadata_fields_lifecycle() {
    let server = spawn().await;
    let create = |name: &str, label: &str, schema: Value| json!({"name": name, "label": label, "schema": schema});
    let (status, price) = server
        .call(
            Method::POST,
            "/v1/customMetadataFields",
            Some(create(
                "price",
                "Price",
                json!({"type": "Number", "minValue": 0, "maxValue": 100}),
            )),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{price}");
    assert_eq!(keys(&price), ["id", "name", "label", "schema"]);
    assert_eq!(
        price["schema"],
        json!({"type": "Number", "minValue": 0, "maxValue": 100})
    );
    let price_id = price["id"].as_str().unwrap().to_string();
    for schema in [
        json!({"type": "Text", "minLength": 2, "maxLength": 5, "defaultValue": "abc"}),
        json!({"type": "Textarea"}),
        json!({"type": "Date", "minValue": "2020-01-01"}),
        json!({"type": "Boolean", "isValueRequired": true, "defaultValue": false}),
        json!({"type": "SingleSelect", "selectOptions": ["s", "m", "l"]}),
        json!({"type": "MultiSelect", "selectOptions": ["red", "blue", 3]}),
    ] {
        let kind = schema["type"].as_str().unwrap().to_lowercase();
        let (status, body) = server
            .call(
                Method::POST,
                "/v1/customMetadataFields",
                Some(create(&kind, &kind, schema)),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    for (body, why) in [
        (
            create("price", "Other", json!({"type": "Number"})),
            "duplicate name",
        ),
        (
            create("other", "Price", json!({"type": "Number"})),
            "duplicate label",
        ),
        (
            create("bad", "Bad", json!({"type": "Unknown"})),
            "unknown type",
        ),
        (
            create("bad", "Bad", json!({"type": "Number", "minLength": 1})),
            "wrong key for type",
        ),
        (
            create(
                "bad",
                "Bad",
                json!({"type": "Number", "isValueRequired": true}),
            ),
            "required without default",
        ),
        (
            json!({"label": "x", "schema": {"type": "Text"}}),
            "missing name",
        ),
    ] {
        let (status, err) = server
            .call(Method::POST, "/v1/customMetadataFields", Some(body))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{why}: {err}");
    }

    // Values on upload are validated against the schemas; defaults fill in.
    let (status, body) = server
        .upload_bytes(
            "m.txt",
            b"m".to_vec(),
            &[
                (
                    "customMetadata",
                    r#"{"price": 10, "multiselect": ["red", 3], "date": "2021-06-01"}"#,
                ),
                ("responseFields", "customMetadata"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["customMetadata"]["price"], 10);
    assert_eq!(body["customMetadata"]["text"], "abc");
    assert_eq!(body["customMetadata"]["boolean"], false);
    for bad in [
        r#"{"price": 1000}"#,
        r#"{"price": "ten"}"#,
        r#"{"singleselect": "xl"}"#,
        r#"{"text": "toolong"}"#,
        r#"{"date": "2019-01-01"}"#,
        r#"{"boolean": 1}"#,
    ] {
        let (status, err) = server
            .upload_bytes("m.txt", b"m".to_vec(), &[("customMetadata", bad)])
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {err}");
    }
    let id = body["fileId"].as_str().unwrap();
    let (status, updated) = server
        .call(
            Method::PATCH,
            &format!("/v1/files/{id}/details"),
            Some(json!({"customMetadata": {"price": 20, "text": null}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["customMetadata"]["price"], 20);
    assert!(updated["customMetadata"].get("text").is_none());
    let (_, found) = server
        .get("/v1/files?searchQuery=%22customMetadata.price%22%20%3E%2015")
        .await;
    assert_eq!(found.as_array().unwrap().len(), 1);

    let (status, body) = server
        .call(
            Method::PATCH,
            &format!("/v1/customMetadataFields/{price_id}"),
            Some(json!({"label": "Cost", "schema": {"maxValue": 500}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["label"], "Cost");
    assert_eq!(body["schema"], json!({"type": "Number", "maxValue": 500}));
    let (status, body) = server
        .call(
            Method::PATCH,
            &format!("/v1/customMetadataFields/{price_id}"),
            Some(json!({})),
        )
        .await;
    assert_error(status, &body, 400);
    let (status, body) = server
        .call(
            Method::PATCH,
            &format!("/v1/customMetadataFields/{price_id}"),
            Some(json!({"schema": {"minValue": 10, "maxValue": 1}})),
        )
        .await;
    assert_error(status, &body, 400);

    let (status, _) = server
        .call(
            Method::DELETE,
            &format!("/v1/customMetadataFields/{price_id}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = server
        .call(
            Method::DELETE,
            &format!("/v1/customMetadataFields/{price_id}"),
            None,
        )
        .await;
    assert_error(status, &body, 404);
    let (_, live) = server.get("/v1/customMetadataFields").await;
    assert_eq!(live.as_array().unwrap().len(), 6);
    let (_, all) = server
        .get("/v1/customMetadataFields?includeDeleted=true")
        .await;
    assert_eq!(all.as_array().unwrap().len(), 7);
    // Names stay reserved after deletion; labels are free again.
    let (status, _) = server
        .call(
            Method::POST,
            "/v1/customMetadataFields",
            Some(create("price", "P2", json!({"type": "Number"}))),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = server
        .call(
            Method::POST,
            "/v1/customMetadataFields",
            Some(create("price2", "Cost", json!({"type": "Number"}))),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
}

// ------------------------------------------------------------------ list & search

#[tokio::test]
async fn list_and_search() {
    let server = spawn().await;
    upload_text(
        &server,
        "red-dress-summer.txt",
        &"x".repeat(2048),
        &[
            ("useUniqueFileName", "false"),
            ("tags", "summer,sale"),
            ("folder", "/shop"),
        ],
    )
    .await;
    upload_text(
        &server,
        "red-dress-winter.txt",
        "x",
        &[
            ("useUniqueFileName", "false"),
            ("tags", "winter"),
            ("isPrivateFile", "true"),
        ],
    )
    .await;
    let (status, image) = server
        .upload_bytes(
            "pic.png",
            png(64, 32, false),
            &[("useUniqueFileName", "false")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{image}");

    let names = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap().to_string())
            .collect()
    };
    let q = |s: &str| {
        format!(
            "/v1/files?searchQuery={}",
            s.replace(' ', "%20")
                .replace('"', "%22")
                .replace('>', "%3E")
                .replace('<', "%3C")
                .replace('=', "%3D")
                .replace('[', "%5B")
                .replace(']', "%5D")
        )
    };

    assert_eq!(
        names(&server.get("/v1/files").await.1),
        ["red-dress-summer.txt", "red-dress-winter.txt", "pic.png"]
    );
    assert_eq!(
        names(&server.get("/v1/files?sort=DESC_NAME").await.1),
        ["red-dress-winter.txt", "red-dress-summer.txt", "pic.png"]
    );
    assert_eq!(
        names(&server.get("/v1/files?sort=DESC_SIZE&limit=1").await.1),
        ["red-dress-summer.txt"]
    );
    assert_eq!(names(&server.get("/v1/files?skip=2").await.1), ["pic.png"]);
    assert_eq!(
        names(&server.get("/v1/files?fileType=image").await.1),
        ["pic.png"]
    );
    assert_eq!(
        names(
            &server
                .get("/v1/files?fileType=non-image&tags=winter,none")
                .await
                .1
        ),
        ["red-dress-winter.txt"]
    );
    assert_eq!(
        names(&server.get("/v1/files?path=/shop").await.1),
        ["red-dress-summer.txt"]
    );
    assert_eq!(
        names(&server.get("/v1/files?name=pic.png").await.1),
        ["pic.png"]
    );
    assert_eq!(
        names(&server.get("/v1/files?type=all&path=/").await.1),
        ["shop", "red-dress-winter.txt", "pic.png"]
    );

    for (query, expected) in [
        (
            r#"name : "red-dress""#,
            vec!["red-dress-summer.txt", "red-dress-winter.txt"],
        ),
        (
            r#"name = "red-dress-summer.txt""#,
            vec!["red-dress-summer.txt"],
        ),
        (r#"size > "1kb""#, vec!["red-dress-summer.txt"]),
        (r#"size < 1kb AND format = "png""#, vec!["pic.png"]),
        (
            r#"(width >= 64 AND height < 40) OR tags IN ["winter"]"#,
            vec!["red-dress-winter.txt", "pic.png"],
        ),
        (r#"tags NOT IN ["summer", "winter"]"#, vec!["pic.png"]),
        (
            r#"NOT isPrivateFile = true AND fileType = "non-image""#,
            vec!["red-dress-summer.txt"],
        ),
        (
            r#"createdAt > "7d""#,
            vec!["red-dress-summer.txt", "red-dress-winter.txt", "pic.png"],
        ),
        (r#"createdAt < 7d"#, vec![]),
        (
            r#"createdAt > 2020-01-01 and updatedAt < "2999-01-01T00:00:00""#,
            vec!["red-dress-summer.txt", "red-dress-winter.txt", "pic.png"],
        ),
        (r#"type = "folder""#, vec!["shop"]),
        (r#"tags : "sale""#, vec!["red-dress-summer.txt"]),
        (
            r#"createdAt > "2024-02-29" AND updatedAt > "2024-02-29T23:59:59.999Z""#,
            vec!["red-dress-summer.txt", "red-dress-winter.txt", "pic.png"],
        ),
    ] {
        let (status, body) = server.get(&q(query)).await;
        assert_eq!(status, StatusCode::OK, "{query}: {body}");
        assert_eq!(names(&body), expected, "{query}");
    }
    for bad in [
        r#"name = "#,
        r#"colour = "red""#,
        r#"(name = "a""#,
        r#"size > big"#,
        r#"tags > "a""#,
    ] {
        let (status, body) = server.get(&q(bad)).await;
        assert_error(status, &body, 400);
        assert!(
            body["message"].as_str().unwrap().contains("searchQuery"),
            "{body}"
        );
    }
    // A date that does not exist is refused, not read as the next one
    // (2024-02-31 as 2 March).
    for (bad, date) in [
        (r#"createdAt > "2024-02-31""#, "2024-02-31"),
        (r#"createdAt < 2023-02-29"#, "2023-02-29"),
        (
            r#"updatedAt >= "2024-04-31T10:00:00Z""#,
            "2024-04-31T10:00:00Z",
        ),
        (
            r#"createdAt > "2024-01-01T10:20:60""#,
            "2024-01-01T10:20:60",
        ),
        (r#"createdAt > "2024-13-01""#, "2024-13-01"),
    ] {
        let (status, body) = server.get(&q(bad)).await;
        assert_error(status, &body, 400);
        // The value, quoted or not, ends the query.
        let at = bad.len() - date.len() - if bad.ends_with('"') { 2 } else { 0 };
        assert_eq!(
            body["message"],
            format!(
                "Your request contains invalid syntax for the searchQuery parameter: \
                 invalid date '{date}' (use YYYY-MM-DD, an ISO 8601 time, or 1h/2d/3w/4m/5y) \
                 at position {at}"
            ),
            "{bad}"
        );
    }
    for bad in [
        "limit=0",
        "limit=1001",
        "skip=-1",
        "sort=SIDEWAYS",
        "type=blob",
        "fileType=video",
        "includeFolder=perhaps",
    ] {
        let (status, body) = server.get(&format!("/v1/files?{bad}")).await;
        assert_error(status, &body, 400);
    }
}

// ------------------------------------------------------------------ metadata

#[tokio::test]
async fn metadata_endpoints_and_phash_stability() {
    let server = spawn().await;
    let image = png(64, 48, false);
    let (_, first) = server
        .upload_bytes("p.png", image.clone(), &[("responseFields", "metadata")])
        .await;
    let (_, second) = server.upload_bytes("p.png", image, &[]).await;
    let id1 = first["fileId"].as_str().unwrap();
    let id2 = second["fileId"].as_str().unwrap();
    let (status, m1) = server.get(&format!("/v1/files/{id1}/metadata")).await;
    assert_eq!(status, StatusCode::OK, "{m1}");
    let (_, m2) = server.get(&format!("/v1/files/{id2}/metadata")).await;
    assert_eq!(
        (m1["width"].as_u64(), m1["height"].as_u64()),
        (Some(64), Some(48))
    );
    assert_eq!(m1["format"], "png");
    let phash = m1["pHash"].as_str().unwrap();
    assert_eq!(phash.len(), 16);
    assert_eq!(m1["pHash"], m2["pHash"], "same bytes, same pHash");
    assert_eq!(first["metadata"]["pHash"], m1["pHash"]);

    let url = format!("{}/p.png", server.url_endpoint);
    let path = first["filePath"].as_str().unwrap();
    let (status, remote) = server
        .get(&format!("/v1/metadata?url={}{}", server.url_endpoint, path))
        .await;
    assert_eq!(status, StatusCode::OK, "{remote} {url}");
    assert_eq!(remote["pHash"], m1["pHash"]);

    let text = upload_text(&server, "t.txt", "not an image", &[]).await;
    let (status, body) = server
        .get(&format!(
            "/v1/files/{}/metadata",
            text["fileId"].as_str().unwrap()
        ))
        .await;
    assert_error(status, &body, 400);
    let (status, body) = server.get("/v1/metadata").await;
    assert_error(status, &body, 400);
    let (status, body) = server
        .get(&format!(
            "/v1/metadata?url={}/missing.png",
            server.url_endpoint
        ))
        .await;
    assert_error(status, &body, 400);
}

// ------------------------------------------------------------------ delivery

fn sign(server: &Server, url: &str, expiry: Option<u64>) -> String {
    let without_endpoint = url.replacen(&format!("{}/", server.url_endpoint), "", 1);
    let expiry_text = expiry.map_or("9999999999".to_string(), |e| e.to_string());
    let signature = hmac_sha1_hex(
        &server.private_key,
        &format!("{without_endpoint}{expiry_text}"),
    );
    let separator = if url.contains('?') { '&' } else { '?' };
    match expiry {
        Some(e) => format!("{url}{separator}ik-t={e}&ik-s={signature}"),
        None => format!("{url}{separator}ik-s={signature}"),
    }
}

#[tokio::test]
async fn delivery_and_transformations() {
    let server = spawn().await;
    let (status, body) = server
        .upload_bytes(
            "img.png",
            png(100, 50, false),
            &[("useUniqueFileName", "false"), ("folder", "/pics")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let url = format!("{}/pics/img.png", server.url_endpoint);
    let plain = server.client.get(&url).send().await.unwrap();
    assert_eq!(plain.status(), StatusCode::OK);
    assert_eq!(plain.headers()["content-type"], "image/png");
    assert_eq!(
        plain.bytes().await.unwrap().len() as u64,
        body["size"].as_u64().unwrap()
    );

    for transformed_url in [
        format!("{}/tr:w-50,h-25/pics/img.png", server.url_endpoint),
        format!("{url}?tr=w-50,h-25"),
    ] {
        let response = server.client.get(&transformed_url).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{transformed_url}");
        let bytes = response.bytes().await.unwrap();
        let decoded = image::load_from_memory(&bytes).unwrap();
        assert_eq!(
            (decoded.width(), decoded.height()),
            (50, 25),
            "{transformed_url}"
        );
    }
    let response = server
        .client
        .get(format!(
            "{}/tr:w-10,f-jpg/pics/img.png",
            server.url_endpoint
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "image/jpeg");
    let thumbnail = server
        .client
        .get(body["thumbnailUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(thumbnail.status(), StatusCode::OK);

    let bad = server
        .client
        .get(format!("{}/tr:w-abc/pics/img.png", server.url_endpoint))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let missing = server
        .client
        .get(format!("{}/pics/none.png", server.url_endpoint))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let head = server.client.head(&url).send().await.unwrap();
    assert_eq!(head.status(), StatusCode::OK);
}

#[tokio::test]
async fn signed_urls_for_private_files() {
    let server = spawn().await;
    let (status, body) = server
        .upload_bytes(
            "secret file.png",
            png(20, 20, false),
            &[("useUniqueFileName", "false"), ("isPrivateFile", "true")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let url = body["url"].as_str().unwrap().to_string();
    assert!(url.ends_with("/secret_file.png"));
    let get = |u: String| {
        let client = server.client.clone();
        async move { client.get(u).send().await.unwrap().status() }
    };
    assert_eq!(get(url.clone()).await, StatusCode::UNAUTHORIZED);
    assert_eq!(get(sign(&server, &url, None)).await, StatusCode::OK);
    let future = now_secs() + 300;
    assert_eq!(get(sign(&server, &url, Some(future))).await, StatusCode::OK);
    assert_eq!(
        get(sign(&server, &url, Some(1_000))).await,
        StatusCode::UNAUTHORIZED,
        "expired"
    );
    // Transformations and extra query parameters are part of what is signed.
    let transformed = format!(
        "{}/tr:w-10/secret_file.png?v=1&x=a%20b",
        server.url_endpoint
    );
    assert_eq!(get(sign(&server, &transformed, None)).await, StatusCode::OK);
    let tampered = sign(&server, &transformed, None).replace("v=1", "v=2");
    assert_eq!(get(tampered).await, StatusCode::UNAUTHORIZED);
    let wrong_key = format!(
        "{url}?ik-s={}",
        hmac_sha1_hex("other", "secret_file.png9999999999")
    );
    assert_eq!(get(wrong_key).await, StatusCode::UNAUTHORIZED);
    // A signed URL for a public file works too; a bad signature never does.
    upload_text(&server, "pub.txt", "p", &[("useUniqueFileName", "false")]).await;
    let public = format!("{}/pub.txt", server.url_endpoint);
    assert_eq!(get(sign(&server, &public, None)).await, StatusCode::OK);
    assert_eq!(
        get(format!("{public}?ik-s=deadbeef")).await,
        StatusCode::UNAUTHORIZED
    );
}

// ------------------------------------------------------------------ admin: rate limits & faults

#[tokio::test]
async fn rate_limits() {
    let server = spawn().await;
    assert_eq!(
        server
            .admin(
                Method::POST,
                "/__admin/rate-limit",
                Some(json!({"limit": 2, "intervalMs": 60000}))
            )
            .await,
        StatusCode::OK
    );
    assert_eq!(server.get("/v1/files").await.0, StatusCode::OK);
    assert_eq!(server.get("/v1/files").await.0, StatusCode::OK);
    let response = server
        .request(Method::GET, "/v1/files")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let header = |name: &str| {
        response.headers()[name]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
    };
    assert_eq!(header("x-ratelimit-limit"), 2);
    assert_eq!(header("x-ratelimit-interval"), 60000);
    assert!(header("x-ratelimit-reset") <= 60000);
    let (status, body) = read(response).await;
    assert_error(status, &body, 429);
    assert_eq!(
        server
            .admin(
                Method::POST,
                "/__admin/rate-limit",
                Some(json!({"limit": 0, "intervalMs": 1}))
            )
            .await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        server
            .admin(Method::DELETE, "/__admin/rate-limit", None)
            .await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(server.get("/v1/files").await.0, StatusCode::OK);

    let limited = spawn_with(Config {
        rate_limit: Some(
            imagekit_local_server::rate_limit::RateLimitSettings::new(1, 60_000).unwrap(),
        ),
        ..Config::default()
    })
    .await;
    assert_eq!(limited.get("/v1/files").await.0, StatusCode::OK);
    assert_eq!(
        limited.get("/v1/files").await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn fault_injection() {
    let server = spawn().await;
    let rules = json!({"rules": [
        {"method": "GET", "path": "/v1/files", "status": 503, "times": 1},
        {"path": "/v1/customMetadataFields", "delayMs": 300, "times": 1},
        {"path": "/v1/files/*/details", "dropConnection": true, "times": 1},
        {"path": "/v1/files/*/versions", "truncateBody": true, "times": 1}
    ]});
    assert_eq!(
        server
            .admin(Method::POST, "/__admin/faults", Some(rules))
            .await,
        StatusCode::OK
    );
    let (status, body) = server.get("/v1/files").await;
    assert_error(status, &body, 503);
    assert_eq!(
        server.get("/v1/files").await.0,
        StatusCode::OK,
        "times=1 retires the rule"
    );

    let started = std::time::Instant::now();
    assert_eq!(
        server.get("/v1/customMetadataFields").await.0,
        StatusCode::OK
    );
    assert!(started.elapsed() >= Duration::from_millis(300));

    let file = upload_text(&server, "f.txt", "data", &[]).await;
    let id = file["fileId"].as_str().unwrap();
    let dropped = server
        .request(Method::GET, &format!("/v1/files/{id}/details"))
        .send()
        .await;
    assert!(
        dropped.is_err(),
        "connection should be dropped: {dropped:?}"
    );
    assert_eq!(
        server.get(&format!("/v1/files/{id}/details")).await.0,
        StatusCode::OK
    );

    let truncated = server
        .request(Method::GET, &format!("/v1/files/{id}/versions"))
        .send()
        .await
        .unwrap();
    assert_eq!(truncated.status(), StatusCode::OK);
    assert!(truncated.bytes().await.is_err(), "body should be cut short");

    assert_eq!(
        server
            .admin(
                Method::POST,
                "/__admin/faults",
                Some(json!([{"path": "", "status": 500}]))
            )
            .await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        server
            .admin(
                Method::POST,
                "/__admin/faults",
                Some(json!([{"path": "/x", "status": 99}]))
            )
            .await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        server
            .admin(
                Method::POST,
                "/__admin/faults",
                Some(json!([{"path": "*", "status": 500}]))
            )
            .await,
        StatusCode::OK
    );
    assert_eq!(
        server.get("/v1/files").await.0,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(
        server.admin(Method::GET, "/__admin/health", None).await,
        StatusCode::OK,
        "admin is never faulted"
    );
    assert_eq!(
        server.admin(Method::POST, "/__admin/reset", None).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        server.get("/v1/files").await,
        (StatusCode::OK, json!([])),
        "reset clears faults and files"
    );
}

// ------------------------------------------------------------------ robustness

#[tokio::test]
async fn bad_input_gets_clean_4xx() {
    let server = spawn().await;
    let raw = |method: Method, path: &str, content_type: &str, body: &'static [u8]| {
        server
            .request(method, path)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let cases = [
        (
            raw(
                Method::POST,
                "/api/v1/files/upload",
                "multipart/form-data; boundary=XYZ",
                b"--XYZ\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc",
            )
            .await,
            400,
        ),
        (
            raw(
                Method::POST,
                "/api/v1/files/upload",
                "multipart/form-data",
                b"whatever",
            )
            .await,
            400,
        ),
        (
            raw(
                Method::POST,
                "/api/v1/files/upload",
                "application/json",
                b"{}",
            )
            .await,
            400,
        ),
        (
            raw(
                Method::POST,
                "/v1/files/addTags",
                "application/json",
                b"{not json",
            )
            .await,
            400,
        ),
        (
            raw(Method::POST, "/v1/folder", "application/json", b"[1,2,3]").await,
            400,
        ),
        (
            raw(
                Method::PATCH,
                "/v1/files/abc/details",
                "application/json",
                b"\"str\"",
            )
            .await,
            400,
        ),
        (
            raw(
                Method::POST,
                "/v1/customMetadataFields",
                "application/json",
                b"{\"name\": 5}",
            )
            .await,
            400,
        ),
        (
            raw(Method::GET, "/v2/unknown", "text/plain", b"").await,
            404,
        ),
        (
            raw(Method::DELETE, "/v1/files/addTags", "text/plain", b"").await,
            405,
        ),
        (raw(Method::PUT, "/v1/files", "text/plain", b"").await, 405),
    ];
    for (i, (response, expected)) in cases.into_iter().enumerate() {
        let (status, body) = read(response.unwrap()).await;
        assert_error(status, &body, expected);
        assert!(i < 100);
    }
    // A huge header is refused by the HTTP layer, and the server lives on.
    let huge = "x".repeat(1 << 20);
    let response = server
        .request(Method::GET, "/v1/files")
        .header("x-huge", huge)
        .send()
        .await;
    if let Ok(response) = response {
        assert!(response.status().is_client_error());
    }
    // Garbage on the socket (async I/O: the server shares this runtime).
    let mut stream = tokio::net::TcpStream::connect(server.handle.addr)
        .await
        .unwrap();
    stream.write_all(b"\x00\x01garbage\r\n\r\n").await.unwrap();
    let mut reply = Vec::new();
    let _ = stream.read_to_end(&mut reply).await;
    assert!(String::from_utf8_lossy(&reply).starts_with("HTTP/1.1 400"));
    assert_eq!(server.get("/v1/files").await.0, StatusCode::OK);
}

// ------------------------------------------------------------------ persistence & CLI

#[tokio::test]
async fn restart_with_data_dir_keeps_state() {
    let dir = std::env::temp_dir().join(format!("ik-local-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let config = || Config {
        data_dir: Some(dir.clone()),
        ..Config::default()
    };
    let server = spawn_with(config()).await;
    let file = upload_text(
        &server,
        "keep.txt",
        "persisted",
        &[("useUniqueFileName", "false"), ("tags", "t")],
    )
    .await;
    upload_text(
        &server,
        "keep.txt",
        "persisted v2",
        &[("useUniqueFileName", "false")],
    )
    .await;
    server
        .call(
            Method::POST,
            "/v1/customMetadataFields",
            Some(json!({"name": "n", "label": "N", "schema": {"type": "Text"}})),
        )
        .await;
    let id = file["fileId"].as_str().unwrap().to_string();
    server.handle.shutdown().await;

    let server = spawn_with(config()).await;
    let (status, details) = server.get(&format!("/v1/files/{id}/details")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(details["versionInfo"]["name"], "Version 2");
    let (_, versions) = server.get(&format!("/v1/files/{id}/versions")).await;
    assert_eq!(versions.as_array().unwrap().len(), 2);
    let served = server
        .client
        .get(format!("{}/keep.txt", server.url_endpoint))
        .send()
        .await
        .unwrap();
    assert_eq!(served.text().await.unwrap(), "persisted v2");
    assert_eq!(
        server.get("/v1/customMetadataFields").await.1[0]["name"],
        "n"
    );
    server.handle.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn binary_prints_endpoints_and_exits_when_stdin_closes() {
    let Process {
        mut child,
        endpoints: first,
        ..
    } = launch(
        server_command()
            .args([
                "--private-key",
                "pk_test",
                "--public-key",
                "pub_test",
                "--exit-on-stdin-close",
            ])
            .stdin(Stdio::piped())
            .stderr(Stdio::inherit()),
    );
    assert_eq!(
        keys(&first),
        [
            "apiEndpoint",
            "uploadEndpoint",
            "urlEndpoint",
            "publicKey",
            "privateKey",
            "webhookSecret"
        ]
    );
    assert_eq!(first["privateKey"], "pk_test");
    // Own keys: a secret of ImageKit's form, made at start.
    let secret = first["webhookSecret"].as_str().unwrap();
    assert!(
        secret.starts_with("whsec_") && secret.len() == 38,
        "{secret}"
    );
    let api = first["apiEndpoint"].as_str().unwrap();
    assert!(api.starts_with("http://127.0.0.1:"));
    assert_eq!(
        first["uploadEndpoint"],
        format!("{api}/api/v1/files/upload")
    );
    assert_eq!(first["urlEndpoint"], format!("{api}/local"));
    drop(child.stdin.take());
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success());
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "server did not exit after stdin closed"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let bad = server_command().arg("--nope").output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
}
