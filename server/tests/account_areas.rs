//! End-to-end tests of the newer API areas: renameFolder, saved extensions,
//! named transformations (and their delivery), origins, URL endpoints and
//! usage.

mod common;

use common::dates::{today, tomorrow};
use common::{assert_error, keys, png, read, spawn, spawn_with, wait_for_job, Server};
use imagekit_local_server::auth::hmac_sha1_hex;
use imagekit_local_server::timestamp::{now_ms, utc_date};
use imagekit_local_server::Config;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn post(server: &Server, path: &str, body: Value) -> (StatusCode, Value) {
    server.call(Method::POST, path, Some(body)).await
}

/// Creates and returns the body, asserting 201.
async fn created(server: &Server, path: &str, body: Value) -> Value {
    let (status, created) = post(server, path, body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created
}

async fn delete(server: &Server, path: &str) -> (StatusCode, Value) {
    server.call(Method::DELETE, path, None).await
}

/// 401 without credentials, 403 with a wrong key.
async fn assert_auth_required(server: &Server, method: Method, path: &str) {
    let url = format!("{}{path}", server.base);
    let (status, body) = read(
        server
            .client
            .request(method.clone(), &url)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(status, &body, 401);
    let (status, body) = read(
        server
            .client
            .request(method, &url)
            .basic_auth("wrong", Some(""))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(status, &body, 403);
}

async fn fetch(server: &Server, url: &str) -> (StatusCode, Vec<u8>) {
    let response = server.client.get(url).send().await.unwrap();
    let status = response.status();
    (status, response.bytes().await.unwrap().to_vec())
}

async fn upload_png(server: &Server, name: &str, folder: &str, w: u32, h: u32) -> Value {
    let (status, body) = server
        .upload_bytes(
            name,
            png(w, h, false),
            &[("useUniqueFileName", "false"), ("folder", folder)],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

// ------------------------------------------------------------------ saved extensions

#[tokio::test]
async fn saved_extensions_lifecycle() {
    let server = spawn().await;
    assert_eq!(server.get("/v1/saved-extensions").await.1, json!([]));
    let config = json!({"name": "google-auto-tagging", "minConfidence": 80, "maxTags": 5});
    let first = created(
        &server,
        "/v1/saved-extensions",
        json!({"name": "Tagger", "description": "tags things", "config": config}),
    )
    .await;
    assert_eq!(
        keys(&first),
        [
            "id",
            "name",
            "description",
            "config",
            "createdAt",
            "updatedAt"
        ]
    );
    assert_eq!(first["config"], config);
    assert_eq!(first["id"].as_str().unwrap().len(), 24);
    let id = first["id"].as_str().unwrap().to_string();
    let second = created(
        &server,
        "/v1/saved-extensions",
        json!({"name": "Bg", "description": "", "config": {"name": "remove-bg", "options": {"add_shadow": true}}}),
    )
    .await;

    let (status, got) = server.get(&format!("/v1/saved-extensions/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got, first);

    let (status, patched) = server
        .call(
            Method::PATCH,
            &format!("/v1/saved-extensions/{id}"),
            Some(json!({"description": "better", "config": {"name": "ai-tasks", "tasks": [{"type": "yes_no", "instruction": "Is it a cat?"}]}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(patched["name"], "Tagger");
    assert_eq!(patched["description"], "better");
    assert_eq!(patched["config"]["name"], "ai-tasks");
    assert_eq!(patched["createdAt"], first["createdAt"]);
    assert_ne!(patched["updatedAt"], first["updatedAt"]);

    let (_, list) = server.get("/v1/saved-extensions").await;
    let ids: Vec<&Value> = list.as_array().unwrap().iter().map(|e| &e["id"]).collect();
    assert_eq!(ids, [&first["id"], &second["id"]], "creation order");

    // Validation.
    for (body, field) in [
        (
            json!({"description": "d", "config": {"name": "remove-bg"}}),
            "name",
        ),
        (
            json!({"name": "", "description": "d", "config": {"name": "remove-bg"}}),
            "name",
        ),
        (
            json!({"name": "n", "description": 5, "config": {"name": "remove-bg"}}),
            "description",
        ),
        (
            json!({"name": "n", "description": "d", "config": {"name": "nope"}}),
            "config.name",
        ),
        (
            json!({"name": "n", "description": "d", "config": {"name": "ai-tasks", "tasks": []}}),
            "config.tasks",
        ),
        (
            json!({"name": "n", "description": "d", "config": {"name": "aws-auto-tagging", "maxTags": 5}}),
            "config.minConfidence",
        ),
    ] {
        let (status, error) = post(&server, "/v1/saved-extensions", body.clone()).await;
        assert_error(status, &error, 400);
        assert!(
            error["message"].as_str().unwrap().contains(field),
            "{body} -> {error}"
        );
    }
    let (status, error) = post(&server, "/v1/saved-extensions", json!([1, 2])).await;
    assert_error(status, &error, 400);
    let (status, error) = server
        .call(
            Method::PATCH,
            &format!("/v1/saved-extensions/{id}"),
            Some(json!({"config": {"name": "remove-bg", "options": 3}})),
        )
        .await;
    assert_error(status, &error, 400);

    // Unknown ids.
    let unknown = "/v1/saved-extensions/000000000000000000000000";
    for (status, error) in [
        server.get(unknown).await,
        server
            .call(Method::PATCH, unknown, Some(json!({"name": "x"})))
            .await,
        delete(&server, unknown).await,
    ] {
        assert_error(status, &error, 404);
        assert_eq!(
            error["message"],
            "The requested saved extension does not exist."
        );
    }

    let (status, body) = delete(&server, &format!("/v1/saved-extensions/{id}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(body, Value::Null);
    assert_error(
        server.get(&format!("/v1/saved-extensions/{id}")).await.0,
        &server.get(&format!("/v1/saved-extensions/{id}")).await.1,
        404,
    );
    assert_eq!(
        server
            .get("/v1/saved-extensions")
            .await
            .1
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // At most 100 per account.
    for i in 1..100 {
        created(
            &server,
            "/v1/saved-extensions",
            json!({"name": format!("e{i}"), "description": "", "config": {"name": "ai-auto-description"}}),
        )
        .await;
    }
    let (status, error) = post(
        &server,
        "/v1/saved-extensions",
        json!({"name": "one too many", "description": "", "config": {"name": "ai-auto-description"}}),
    )
    .await;
    assert_error(status, &error, 400);

    assert_auth_required(&server, Method::GET, "/v1/saved-extensions").await;
    assert_auth_required(
        &server,
        Method::DELETE,
        &format!("/v1/saved-extensions/{id}"),
    )
    .await;
}

// ------------------------------------------------------------------ named transformations

#[tokio::test]
async fn named_transformations_lifecycle() {
    let server = spawn().await;
    let small = created(
        &server,
        "/v1/named-transformations",
        json!({"name": "small_thumb", "transformation": "w-40"}),
    )
    .await;
    assert_eq!(
        keys(&small),
        [
            "id",
            "name",
            "transformation",
            "enabled",
            "createdAt",
            "updatedAt"
        ]
    );
    assert_eq!(small["enabled"], true, "enabled defaults to true");
    let id = small["id"].as_str().unwrap().to_string();
    let other = created(
        &server,
        "/v1/named-transformations",
        json!({"name": "Small_Thumb", "transformation": "w-10", "enabled": false}),
    )
    .await;
    assert_eq!(other["enabled"], false, "names are case-sensitive");

    let (status, error) = post(
        &server,
        "/v1/named-transformations",
        json!({"name": "small_thumb", "transformation": "w-20"}),
    )
    .await;
    assert_error(status, &error, 409);
    assert_eq!(
        error["message"],
        "A named transformation with the name \"small_thumb\" already exists."
    );
    for body in [
        json!({"name": "bad-name", "transformation": "w-20"}),
        json!({"name": "", "transformation": "w-20"}),
        json!({"transformation": "w-20"}),
        json!({"name": "ok", "transformation": ""}),
        json!({"name": "ok", "transformation": 5}),
        json!({"name": "ok", "transformation": "w-20", "enabled": "yes"}),
    ] {
        let (status, error) = post(&server, "/v1/named-transformations", body.clone()).await;
        assert_error(status, &error, 400);
    }

    assert_eq!(
        server
            .get(&format!("/v1/named-transformations/{id}"))
            .await
            .1,
        small
    );
    let (status, patched) = server
        .call(
            Method::PATCH,
            &format!("/v1/named-transformations/{id}"),
            Some(json!({"transformation": "w-30,h-30", "enabled": false})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(patched["name"], "small_thumb");
    assert_eq!(patched["transformation"], "w-30,h-30");
    assert_eq!(patched["enabled"], false);
    let (status, error) = server
        .call(
            Method::PATCH,
            &format!("/v1/named-transformations/{id}"),
            Some(json!({"name": "Small_Thumb"})),
        )
        .await;
    assert_error(status, &error, 409);
    let (status, error) = server
        .call(
            Method::PATCH,
            &format!("/v1/named-transformations/{id}"),
            Some(json!({"name": "no spaces"})),
        )
        .await;
    assert_error(status, &error, 400);
    let (status, renamed) = server
        .call(
            Method::PATCH,
            &format!("/v1/named-transformations/{id}"),
            Some(json!({"name": "small_thumb"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "renaming to its own name is fine");
    assert_eq!(renamed["name"], "small_thumb");

    let (_, list) = server.get("/v1/named-transformations").await;
    assert_eq!(list.as_array().unwrap().len(), 2);

    let unknown = "/v1/named-transformations/000000000000000000000000";
    for (status, error) in [
        server.get(unknown).await,
        server
            .call(Method::PATCH, unknown, Some(json!({"enabled": true})))
            .await,
        delete(&server, unknown).await,
    ] {
        assert_error(status, &error, 404);
        assert_eq!(
            error["message"],
            "The requested named transformation does not exist."
        );
    }
    let (status, _) = delete(&server, &format!("/v1/named-transformations/{id}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        server
            .get(&format!("/v1/named-transformations/{id}"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_auth_required(&server, Method::GET, "/v1/named-transformations").await;
    assert_auth_required(&server, Method::POST, "/v1/named-transformations").await;
}

fn dimensions(bytes: &[u8]) -> (u32, u32) {
    let image = image::load_from_memory(bytes).expect("an image");
    (image.width(), image.height())
}

#[tokio::test]
async fn named_transformations_apply_at_delivery() {
    let server = spawn().await;
    upload_png(&server, "img.png", "/pics", 100, 50).await;
    let small = created(
        &server,
        "/v1/named-transformations",
        json!({"name": "small", "transformation": "w-40"}),
    )
    .await;
    created(
        &server,
        "/v1/named-transformations",
        json!({"name": "turned", "transformation": "w-50:rt-90"}),
    )
    .await;
    created(
        &server,
        "/v1/named-transformations",
        json!({"name": "off", "transformation": "w-10", "enabled": false}),
    )
    .await;
    let endpoint = &server.url_endpoint;
    for (url, expected) in [
        (format!("{endpoint}/tr:n-small/pics/img.png"), (40, 20)),
        (format!("{endpoint}/pics/img.png?tr=n-small"), (40, 20)),
        (
            format!("{endpoint}/tr:n-small:rt-90/pics/img.png"),
            (20, 40),
        ),
        (format!("{endpoint}/tr:n-turned/pics/img.png"), (25, 50)),
        (
            format!("{endpoint}/tr:n-turned,f-jpg/pics/img.png"),
            (25, 50),
        ),
        (
            format!("{endpoint}/tr:w-80/pics/img.png?tr=n-small"),
            (40, 20),
        ),
        (
            format!("{endpoint}/tr:n-ik_ml_thumbnail/pics/img.png"),
            (100, 50),
        ),
    ] {
        let (status, bytes) = fetch(&server, &url).await;
        assert_eq!(status, StatusCode::OK, "{url}");
        assert_eq!(dimensions(&bytes), expected, "{url}");
    }

    let (status, body) = read(
        server
            .client
            .get(format!("{endpoint}/tr:n-nope/pics/img.png"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(status, &body, 400);
    assert_eq!(
        body["message"],
        "Named transformation \"nope\" does not exist"
    );
    let (status, body) = read(
        server
            .client
            .get(format!("{endpoint}/pics/img.png?tr=w-20:n-off"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(status, &body, 400);
    assert_eq!(body["message"], "Named transformation \"off\" is disabled");

    // Updating the named transformation changes what existing URLs serve.
    let (status, _) = server
        .call(
            Method::PATCH,
            &format!(
                "/v1/named-transformations/{}",
                small["id"].as_str().unwrap()
            ),
            Some(json!({"transformation": "w-60"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, bytes) = fetch(&server, &format!("{endpoint}/tr:n-small/pics/img.png")).await;
    assert_eq!(dimensions(&bytes), (60, 30));

    // Signed URLs sign the URL as written, before expansion.
    let (status, private) = server
        .upload_bytes(
            "secret.png",
            png(100, 50, false),
            &[("useUniqueFileName", "false"), ("isPrivateFile", "true")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{private}");
    let url = format!("{endpoint}/tr:n-small/secret.png");
    assert_eq!(fetch(&server, &url).await.0, StatusCode::UNAUTHORIZED);
    let signature = hmac_sha1_hex(&server.private_key, "tr:n-small/secret.png9999999999");
    let (status, bytes) = fetch(&server, &format!("{url}?ik-s={signature}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(dimensions(&bytes), (60, 30));
}

// ------------------------------------------------------------------ origins & URL endpoints

#[tokio::test]
async fn origins_lifecycle() {
    let server = spawn().await;
    let s3 = created(
        &server,
        "/v1/accounts/origins",
        json!({"type": "S3", "name": "Bucket", "bucket": "b", "accessKey": "AK", "secretKey": "SK"}),
    )
    .await;
    assert_eq!(
        keys(&s3),
        [
            "id",
            "type",
            "name",
            "bucket",
            "prefix",
            "useIAMRole",
            "includeCanonicalHeader"
        ]
    );
    assert_eq!(s3["prefix"], "");
    assert_eq!(s3["useIAMRole"], false);
    assert_eq!(s3["includeCanonicalHeader"], false);
    let id = s3["id"].as_str().unwrap().to_string();
    let iam = created(
        &server,
        "/v1/accounts/origins",
        json!({"type": "CLOUDINARY_BACKUP", "name": "C", "bucket": "b", "accessKey": "", "secretKey": "", "useIAMRole": true, "prefix": "p/"}),
    )
    .await;
    assert_eq!(iam["useIAMRole"], true);
    assert_eq!(iam["prefix"], "p/");
    let compatible = created(
        &server,
        "/v1/accounts/origins",
        json!({"type": "S3_COMPATIBLE", "name": "Minio", "bucket": "b", "accessKey": "k", "secretKey": "s", "endpoint": "https://minio.local"}),
    )
    .await;
    assert_eq!(compatible["s3ForcePathStyle"], false);
    assert_eq!(compatible["endpoint"], "https://minio.local");
    for body in [
        json!({"type": "GCS", "name": "g", "bucket": "b", "clientEmail": "e@x", "privateKey": "KEY"}),
        json!({"type": "AZURE_BLOB", "name": "a", "accountName": "acc", "container": "c", "sasToken": "TOKEN"}),
        json!({"type": "AKENEO_PIM", "name": "p", "baseUrl": "https://pim.example.com", "clientId": "CID", "clientSecret": "CS", "username": "U", "password": "PW"}),
        json!({"type": "WEB_PROXY", "name": "proxy", "includeCanonicalHeader": true, "baseUrlForCanonicalHeader": "https://x.example.com"}),
    ] {
        let origin = created(&server, "/v1/accounts/origins", body).await;
        let text = origin.to_string();
        for secret in [
            "KEY",
            "TOKEN",
            "CID",
            "\"CS\"",
            "\"U\"",
            "PW",
            "privateKey",
            "password",
        ] {
            assert!(!text.contains(secret), "{secret} leaked in {text}");
        }
    }
    assert!(!s3.to_string().contains("SK") && !s3.to_string().contains("AK"));

    assert_eq!(
        server.get(&format!("/v1/accounts/origins/{id}")).await.1,
        s3
    );
    let (status, replaced) = server
        .call(
            Method::PUT,
            &format!("/v1/accounts/origins/{id}"),
            Some(json!({"type": "WEB_FOLDER", "name": "Web", "baseUrl": "https://images.example.com"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{replaced}");
    assert_eq!(
        replaced,
        json!({"id": id, "type": "WEB_FOLDER", "name": "Web", "baseUrl": "https://images.example.com",
               "forwardHostHeaderToOrigin": false, "includeCanonicalHeader": false})
    );
    let (_, list) = server.get("/v1/accounts/origins").await;
    assert_eq!(list.as_array().unwrap().len(), 7);
    assert_eq!(list[0], replaced);

    for body in [
        json!({"type": "S3", "name": "x", "accessKey": "k", "secretKey": "s"}),
        json!({"type": "S3", "name": "x", "bucket": "b", "accessKey": "", "secretKey": "s"}),
        json!({"type": "S3", "bucket": "b", "accessKey": "k", "secretKey": "s"}),
        json!({"type": "FTP", "name": "x"}),
        json!({"name": "x"}),
        json!({"type": "WEB_FOLDER", "name": "x", "baseUrl": "not a url"}),
        json!({"type": "S3_COMPATIBLE", "name": "x", "bucket": "b", "accessKey": "k", "secretKey": "s"}),
        json!({"type": "WEB_PROXY", "name": "x", "includeCanonicalHeader": "true"}),
    ] {
        let (status, error) = post(&server, "/v1/accounts/origins", body.clone()).await;
        assert_error(status, &error, 400);
    }
    let (status, error) = server
        .call(
            Method::PUT,
            &format!("/v1/accounts/origins/{id}"),
            Some(json!({"type": "GCS", "name": "g"})),
        )
        .await;
    assert_error(status, &error, 400);

    let unknown = "/v1/accounts/origins/000000000000000000000000";
    for (status, error) in [
        server.get(unknown).await,
        server
            .call(
                Method::PUT,
                unknown,
                Some(json!({"type": "WEB_PROXY", "name": "x"})),
            )
            .await,
        delete(&server, unknown).await,
    ] {
        assert_error(status, &error, 404);
        assert_eq!(error["message"], "The requested origin does not exist.");
    }

    // An origin in use by a URL endpoint cannot be deleted.
    let endpoint = created(
        &server,
        "/v1/accounts/url-endpoints",
        json!({"description": "uses web", "urlPrefix": "web", "origins": [id]}),
    )
    .await;
    let (status, error) = delete(&server, &format!("/v1/accounts/origins/{id}")).await;
    assert_error(status, &error, 409);
    assert!(error["message"].as_str().unwrap().contains("uses web"));
    let endpoint_path = format!(
        "/v1/accounts/url-endpoints/{}",
        endpoint["id"].as_str().unwrap()
    );
    assert_eq!(
        delete(&server, &endpoint_path).await.0,
        StatusCode::NO_CONTENT
    );
    let (status, body) = delete(&server, &format!("/v1/accounts/origins/{id}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(body, Value::Null);
    assert_eq!(
        server.get(&format!("/v1/accounts/origins/{id}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_auth_required(&server, Method::GET, "/v1/accounts/origins").await;
    assert_auth_required(&server, Method::PUT, &format!("/v1/accounts/origins/{id}")).await;
}

#[tokio::test]
async fn url_endpoints_lifecycle() {
    let server = spawn().await;
    let default = json!({"id": "default", "description": "Default URL endpoint", "urlPrefix": "", "origins": []});
    assert_eq!(
        server.get("/v1/accounts/url-endpoints").await.1,
        json!([default])
    );
    assert_eq!(
        server.get("/v1/accounts/url-endpoints/default").await.1,
        default
    );
    let origin = created(
        &server,
        "/v1/accounts/origins",
        json!({"type": "WEB_PROXY", "name": "proxy"}),
    )
    .await;
    let origin_id = origin["id"].as_str().unwrap();
    let endpoint = created(
        &server,
        "/v1/accounts/url-endpoints",
        json!({"description": "Product images", "urlPrefix": "product-images", "origins": [origin_id],
               "urlRewriter": {"type": "CLOUDINARY"}}),
    )
    .await;
    assert_eq!(
        keys(&endpoint),
        ["id", "description", "urlPrefix", "origins", "urlRewriter"]
    );
    assert_eq!(endpoint["origins"], json!([origin_id]));
    assert_eq!(
        endpoint["urlRewriter"],
        json!({"type": "CLOUDINARY", "preserveAssetDeliveryTypes": false})
    );
    let id = endpoint["id"].as_str().unwrap().to_string();
    let path = format!("/v1/accounts/url-endpoints/{id}");
    assert_eq!(server.get(&path).await.1, endpoint);

    let (status, error) = post(
        &server,
        "/v1/accounts/url-endpoints",
        json!({"description": "again", "urlPrefix": "product-images"}),
    )
    .await;
    assert_error(status, &error, 409);
    let (status, error) = post(
        &server,
        "/v1/accounts/url-endpoints",
        json!({"description": "no prefix collides with the default endpoint"}),
    )
    .await;
    assert_error(status, &error, 409);
    for body in [
        json!({"urlPrefix": "x"}),
        json!({"description": "", "urlPrefix": "x"}),
        json!({"description": "d", "urlPrefix": "has space"}),
        json!({"description": "d", "urlPrefix": "a/b"}),
        json!({"description": "d", "urlPrefix": "x", "origins": ["000000000000000000000000"]}),
        json!({"description": "d", "urlPrefix": "x", "origins": "abc"}),
        json!({"description": "d", "urlPrefix": "x", "urlRewriter": {"type": "FASTLY"}}),
        json!({"description": "d", "urlPrefix": "x", "urlRewriter": {"type": "CLOUDINARY", "preserveAssetDeliveryTypes": 1}}),
    ] {
        let (status, error) = post(&server, "/v1/accounts/url-endpoints", body.clone()).await;
        assert_error(status, &error, 400);
    }

    // PUT replaces everything; description is required.
    let (status, replaced) = server
        .call(
            Method::PUT,
            &path,
            Some(json!({"description": "Renamed", "urlPrefix": "imgix-images", "urlRewriter": {"type": "IMGIX", "preserveAssetDeliveryTypes": true}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{replaced}");
    assert_eq!(
        replaced,
        json!({"id": id, "description": "Renamed", "urlPrefix": "imgix-images", "origins": [],
               "urlRewriter": {"type": "IMGIX"}})
    );
    let (status, error) = server
        .call(Method::PUT, &path, Some(json!({"urlPrefix": "z"})))
        .await;
    assert_error(status, &error, 400);
    let (status, updated_default) = server
        .call(
            Method::PUT,
            "/v1/accounts/url-endpoints/default",
            Some(json!({"description": "Main", "origins": [origin_id]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated_default}");
    assert_eq!(updated_default["urlPrefix"], "");
    let (_, list) = server.get("/v1/accounts/url-endpoints").await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[0], updated_default);

    let (status, error) = delete(&server, "/v1/accounts/url-endpoints/default").await;
    assert_error(status, &error, 400);
    assert_eq!(
        error["message"],
        "The default URL endpoint cannot be deleted."
    );
    let unknown = "/v1/accounts/url-endpoints/000000000000000000000000";
    for (status, error) in [
        server.get(unknown).await,
        server
            .call(Method::PUT, unknown, Some(json!({"description": "x"})))
            .await,
        delete(&server, unknown).await,
    ] {
        assert_error(status, &error, 404);
        assert_eq!(
            error["message"],
            "The requested URL endpoint does not exist."
        );
    }
    let (status, body) = delete(&server, &path).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(body, Value::Null);
    assert_eq!(server.get(&path).await.0, StatusCode::NOT_FOUND);

    // A reset brings back the untouched default endpoint.
    assert_eq!(
        server.admin(Method::POST, "/__admin/reset", None).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        server.get("/v1/accounts/url-endpoints").await.1,
        json!([default])
    );
    assert_eq!(server.get("/v1/accounts/origins").await.1, json!([]));
    assert_auth_required(&server, Method::GET, "/v1/accounts/url-endpoints").await;
    assert_auth_required(
        &server,
        Method::DELETE,
        "/v1/accounts/url-endpoints/default",
    )
    .await;
}

// ------------------------------------------------------------------ renameFolder

#[tokio::test]
async fn rename_folder_job() {
    let server = spawn().await;
    for (name, folder) in [
        ("a.txt", "/src"),
        ("b.txt", "/src/inner"),
        ("c.txt", "/other"),
    ] {
        let (status, body) = server
            .upload_bytes(
                name,
                name.as_bytes().to_vec(),
                &[("useUniqueFileName", "false"), ("folder", folder)],
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    // A second version travels with its file.
    server
        .upload_bytes(
            "a.txt",
            b"a v2".to_vec(),
            &[("useUniqueFileName", "false"), ("folder", "/src")],
        )
        .await;

    let (status, body) = post(
        &server,
        "/v1/bulkJobs/renameFolder",
        json!({"folderPath": "/src", "newFolderName": "new name!"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(keys(&body), ["jobId"]);
    let job = body["jobId"].as_str().unwrap().to_string();
    assert_eq!(
        server.get(&format!("/v1/bulkJobs/{job}")).await.1,
        json!({"jobId": job, "type": "RENAME_FOLDER", "status": "Pending"})
    );
    let done = wait_for_job(&server, &job).await;
    assert_eq!(done["type"], "RENAME_FOLDER");

    let (_, files) = server.get("/v1/files?type=file").await;
    let mut paths: Vec<&str> = files
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["filePath"].as_str().unwrap())
        .collect();
    paths.sort();
    assert_eq!(
        paths,
        ["/new_name_/a.txt", "/new_name_/inner/b.txt", "/other/c.txt"]
    );
    let moved = files
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["filePath"] == "/new_name_/a.txt")
        .unwrap();
    assert_eq!(
        moved["url"],
        format!("{}/new_name_/a.txt", server.url_endpoint)
    );
    let (_, versions) = server
        .get(&format!(
            "/v1/files/{}/versions",
            moved["fileId"].as_str().unwrap()
        ))
        .await;
    assert_eq!(versions.as_array().unwrap().len(), 2);
    let (status, bytes) = fetch(
        &server,
        &format!("{}/new_name_/inner/b.txt", server.url_endpoint),
    )
    .await;
    assert_eq!((status, bytes), (StatusCode::OK, b"b.txt".to_vec()));
    assert_eq!(
        fetch(&server, &format!("{}/src/a.txt", server.url_endpoint))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let (_, folders) = server.get("/v1/files?type=folder").await;
    let folder_paths: Vec<&str> = folders
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["folderPath"].as_str())
        .collect();
    assert!(
        !folder_paths.iter().any(|p| p.starts_with("/src")),
        "{folders}"
    );

    // Missing folder: the move job's 404.
    let (status, error) = post(
        &server,
        "/v1/bulkJobs/renameFolder",
        json!({"folderPath": "/src", "newFolderName": "x"}),
    )
    .await;
    assert_error(status, &error, 404);
    assert_eq!(error["reason"], "NO_FILES_FOLDER");
    // A sibling with the new name.
    let (status, error) = post(
        &server,
        "/v1/bulkJobs/renameFolder",
        json!({"folderPath": "/other", "newFolderName": "new_name_"}),
    )
    .await;
    assert_error(status, &error, 409);
    for body in [
        json!({"newFolderName": "x"}),
        json!({"folderPath": "", "newFolderName": "x"}),
        json!({"folderPath": "/other"}),
        json!({"folderPath": "/other", "newFolderName": "  "}),
        json!({"folderPath": "/other", "newFolderName": 3}),
        json!({"folderPath": "/other", "newFolderName": "x", "purgeCache": "yes"}),
        json!({"folderPath": "/", "newFolderName": "x"}),
        json!("not an object"),
    ] {
        let (status, error) = post(&server, "/v1/bulkJobs/renameFolder", body.clone()).await;
        assert_error(status, &error, 400);
    }
    let (status, body) = post(
        &server,
        "/v1/bulkJobs/renameFolder",
        json!({"folderPath": "/other/", "newFolderName": "Café-2", "purgeCache": true}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    wait_for_job(&server, body["jobId"].as_str().unwrap()).await;
    assert_eq!(
        server.get("/v1/files?path=/Café-2").await.1[0]["filePath"],
        "/Café-2/c.txt"
    );
    assert_auth_required(&server, Method::POST, "/v1/bulkJobs/renameFolder").await;
}

// ------------------------------------------------------------------ usage

#[tokio::test]
async fn usage_reflects_uploads_and_deliveries() {
    let server = spawn().await;
    let range = format!("startDate={}&endDate={}", today(), tomorrow());
    let empty = server.get(&format!("/v1/accounts/usage?{range}")).await;
    assert_eq!(empty.0, StatusCode::OK);
    assert_eq!(
        empty.1,
        json!({"bandwidthBytes": 0, "mediaLibraryStorageBytes": 0, "videoProcessingUnitsCount": 0,
               "extensionUnitsCount": 0, "originalCacheStorageBytes": 0})
    );

    let image = upload_png(&server, "img.png", "/pics", 100, 50).await;
    let text = server
        .upload_bytes(
            "notes.txt",
            b"hello usage".to_vec(),
            &[("useUniqueFileName", "false")],
        )
        .await
        .1;
    let stored = image["size"].as_u64().unwrap() + text["size"].as_u64().unwrap();
    let (_, usage) = server.get(&format!("/v1/accounts/usage?{range}")).await;
    assert_eq!(usage["mediaLibraryStorageBytes"], stored);
    assert_eq!(usage["bandwidthBytes"], 0);

    let endpoint = &server.url_endpoint;
    let mut delivered = 0u64;
    for url in [
        format!("{endpoint}/pics/img.png"),
        format!("{endpoint}/pics/img.png"),
        format!("{endpoint}/tr:w-20/pics/img.png"),
        format!("{endpoint}/notes.txt"),
        format!("{endpoint}/missing.png"),
    ] {
        let (_, bytes) = fetch(&server, &url).await;
        delivered += bytes.len() as u64;
    }
    let (_, usage) = server.get(&format!("/v1/accounts/usage?{range}")).await;
    assert_eq!(usage["bandwidthBytes"], delivered);
    assert_eq!(usage["mediaLibraryStorageBytes"], stored);
    // A range ending today excludes today; a later one carries storage forward.
    let (_, before) = server
        .get(&format!(
            "/v1/accounts/usage?startDate={}&endDate={}",
            utc_date(now_ms() - 5 * 86_400_000),
            today()
        ))
        .await;
    assert_eq!(before["bandwidthBytes"], 0);
    assert_eq!(before["mediaLibraryStorageBytes"], 0);
    let (_, later) = server
        .get(&format!(
            "/v1/accounts/usage?startDate={}&endDate={}",
            tomorrow(),
            utc_date(now_ms() + 3 * 86_400_000)
        ))
        .await;
    assert_eq!(later["bandwidthBytes"], 0);
    assert_eq!(later["mediaLibraryStorageBytes"], stored);

    let (status, analytics) = server
        .get(&format!(
            "/v1/accounts/usage-analytics?startDate={0}&endDate={0}",
            today()
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{analytics}");
    assert_eq!(analytics["startDate"], today());
    assert_eq!(analytics["endDate"], today());
    assert!(analytics["generatedAt"].as_str().unwrap().ends_with('Z'));
    assert_eq!(analytics["bandwidthBytes"], delivered);
    assert_eq!(analytics["requestCount"], 5);
    assert_eq!(
        analytics["cache"],
        json!({"hitCount": 1, "missCount": 3, "errorCount": 1})
    );
    assert_eq!(
        analytics["statusCodes"],
        json!([{"name": "200", "requestCount": 4}, {"name": "404", "requestCount": 1}])
    );
    assert_eq!(
        analytics["topImages"]["byRequests"][0]["name"],
        "/pics/img.png"
    );
    assert_eq!(analytics["topImages"]["byRequests"][0]["requestCount"], 3);
    assert_eq!(
        analytics["topOtherAssets"]["byRequests"][0]["name"],
        "/notes.txt"
    );
    assert_eq!(
        analytics["topImageTransforms"]["byRequests"],
        json!([{"name": "w-20", "bandwidthBytes": analytics["topImageTransforms"]["byRequests"][0]["bandwidthBytes"], "requestCount": 1}])
    );
    assert_eq!(
        analytics["top404Assets"],
        json!([{"name": "/missing.png", "requestCount": 1}])
    );
    assert_eq!(
        analytics["urlEndpoints"]["byRequests"][0]["name"],
        "Default"
    );
    assert_eq!(
        analytics["urlEndpoints"]["byRequests"][0]["requestCount"],
        5
    );
    assert_eq!(analytics["format"]["byRequests"][0]["name"], "image/png");
    assert_eq!(
        analytics["topVideos"],
        json!({"byBandwidth": [], "byRequests": []})
    );
    for key in ["browser", "country", "device"] {
        assert_eq!(
            analytics[key],
            json!({"byBandwidth": [], "byRequests": []}),
            "{key}"
        );
    }
    for key in ["errorReasons", "extensions", "videoProcessing"] {
        assert_eq!(analytics[key], json!([]), "{key}");
    }
    let by_bandwidth = analytics["topImages"]["byBandwidth"].as_array().unwrap();
    assert!(by_bandwidth
        .windows(2)
        .all(|w| w[0]["bandwidthBytes"].as_u64() >= w[1]["bandwidthBytes"].as_u64()));

    // Deleting a file lowers today's storage figure.
    server
        .call(
            Method::DELETE,
            &format!("/v1/files/{}", text["fileId"].as_str().unwrap()),
            None,
        )
        .await;
    let (_, usage) = server.get(&format!("/v1/accounts/usage?{range}")).await;
    assert_eq!(usage["mediaLibraryStorageBytes"], image["size"]);

    // A URL endpoint's prefix selects it for analytics and serves the library.
    created(
        &server,
        "/v1/accounts/url-endpoints",
        json!({"description": "cdn", "urlPrefix": "cdn"}),
    )
    .await;
    let (status, bytes) = fetch(&server, &format!("{endpoint}/cdn/tr:w-10/pics/img.png")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(dimensions(&bytes), (10, 5));
    let (_, analytics) = server
        .get(&format!(
            "/v1/accounts/usage-analytics?startDate={0}&endDate={0}",
            today()
        ))
        .await;
    let names: Vec<&str> = analytics["urlEndpoints"]["byRequests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Default", "cdn"]);

    // The admin reset clears usage.
    server.admin(Method::POST, "/__admin/reset", None).await;
    let (_, usage) = server.get(&format!("/v1/accounts/usage?{range}")).await;
    assert_eq!(usage["bandwidthBytes"], 0);
    assert_eq!(usage["mediaLibraryStorageBytes"], 0);
    assert_auth_required(&server, Method::GET, &format!("/v1/accounts/usage?{range}")).await;
    assert_auth_required(
        &server,
        Method::GET,
        &format!("/v1/accounts/usage-analytics?{range}"),
    )
    .await;
}

#[tokio::test]
async fn usage_date_validation() {
    let server = spawn().await;
    let far = utc_date(now_ms() + 90 * 86_400_000);
    let just_in = utc_date(now_ms() + 89 * 86_400_000);
    for path in ["/v1/accounts/usage", "/v1/accounts/usage-analytics"] {
        for (query, needle) in [
            (String::new(), "startDate"),
            (format!("startDate={}", today()), "endDate"),
            (format!("endDate={}", today()), "startDate"),
            (
                format!("startDate=2024-02-30&endDate={}", today()),
                "startDate",
            ),
            (
                format!("startDate=2024-02-31&endDate={}", today()),
                "startDate",
            ),
            (
                format!("startDate={}&endDate=2023-02-29", today()),
                "endDate",
            ),
            (format!("startDate={}&endDate=tomorrow", today()), "endDate"),
            (
                format!("startDate=2024-1-01&endDate={}", today()),
                "startDate",
            ),
            (
                format!("startDate={}&endDate={}", tomorrow(), today()),
                "before",
            ),
            (format!("startDate={}&endDate={far}", today()), "90 days"),
        ] {
            let (status, error) = server.get(&format!("{path}?{query}")).await;
            assert_error(status, &error, 400);
            let message = error["message"].as_str().unwrap();
            assert!(
                message.contains(needle) || (needle == "before" && message.contains("after")),
                "{path}?{query} -> {message}"
            );
        }
        let (status, body) = server
            .get(&format!("{path}?startDate={}&endDate={just_in}", today()))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        // A date that does not exist is refused, not read as the next one.
        let (status, error) = server
            .get(&format!("{path}?startDate=2024-02-31&endDate=2024-03-05"))
            .await;
        assert_error(status, &error, 400);
        assert_eq!(
            error["message"],
            "Invalid startDate: \"2024-02-31\". It should be a valid date in YYYY-MM-DD format."
        );
        let (status, body) = server
            .get(&format!("{path}?startDate=2024-02-29&endDate=2024-03-05"))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    // The same day is an empty range for usage (end excluded), one day for analytics.
    let same_day = format!("startDate={0}&endDate={0}", today());
    let (status, error) = server.get(&format!("/v1/accounts/usage?{same_day}")).await;
    assert_error(status, &error, 400);
    let (status, _) = server
        .get(&format!("/v1/accounts/usage-analytics?{same_day}"))
        .await;
    assert_eq!(status, StatusCode::OK);
}

// ------------------------------------------------------------------ layers & persistence

#[tokio::test]
async fn new_routes_sit_behind_faults_and_rate_limits() {
    let server = spawn().await;
    let rules = json!({"rules": [
        {"method": "GET", "path": "/v1/named-transformations", "status": 503, "times": 1}
    ]});
    assert_eq!(
        server
            .admin(Method::POST, "/__admin/faults", Some(rules))
            .await,
        StatusCode::OK
    );
    let (status, error) = server.get("/v1/named-transformations").await;
    assert_error(status, &error, 503);
    assert_eq!(
        server.get("/v1/named-transformations").await.0,
        StatusCode::OK
    );
    server
        .admin(
            Method::POST,
            "/__admin/rate-limit",
            Some(json!({"limit": 1, "intervalMs": 60000})),
        )
        .await;
    assert_eq!(server.get("/v1/accounts/origins").await.0, StatusCode::OK);
    let (status, error) = server.get("/v1/accounts/url-endpoints").await;
    assert_error(status, &error, 429);
}

#[tokio::test]
async fn restart_with_data_dir_keeps_new_areas() {
    let dir = std::env::temp_dir().join(format!("ik-local-areas-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let config = || Config {
        data_dir: Some(dir.clone()),
        ..Config::default()
    };
    let server = spawn_with(config()).await;
    let image = upload_png(&server, "img.png", "/p", 100, 50).await;
    let named = created(
        &server,
        "/v1/named-transformations",
        json!({"name": "small", "transformation": "w-40"}),
    )
    .await;
    let extension = created(
        &server,
        "/v1/saved-extensions",
        json!({"name": "bg", "description": "", "config": {"name": "remove-bg"}}),
    )
    .await;
    let origin = created(
        &server,
        "/v1/accounts/origins",
        json!({"type": "WEB_PROXY", "name": "proxy"}),
    )
    .await;
    let endpoint = created(
        &server,
        "/v1/accounts/url-endpoints",
        json!({"description": "e", "urlPrefix": "e", "origins": [origin["id"]]}),
    )
    .await;
    let (_, delivered) = fetch(
        &server,
        &format!("{}/tr:n-small/p/img.png", server.url_endpoint),
    )
    .await;
    let range = format!("startDate={}&endDate={}", today(), tomorrow());
    let usage = server.get(&format!("/v1/accounts/usage?{range}")).await.1;
    assert_eq!(usage["bandwidthBytes"], delivered.len() as u64);
    server.handle.shutdown().await;

    let server = spawn_with(config()).await;
    assert_eq!(
        server.get("/v1/named-transformations").await.1,
        json!([named])
    );
    assert_eq!(
        server.get("/v1/saved-extensions").await.1,
        json!([extension])
    );
    assert_eq!(server.get("/v1/accounts/origins").await.1, json!([origin]));
    assert_eq!(
        server.get("/v1/accounts/url-endpoints").await.1[1],
        endpoint
    );
    assert_eq!(
        server.get(&format!("/v1/accounts/usage?{range}")).await.1,
        usage
    );
    assert_eq!(usage["mediaLibraryStorageBytes"], image["size"]);
    let (status, bytes) = fetch(
        &server,
        &format!("{}/tr:n-small/p/img.png", server.url_endpoint),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(dimensions(&bytes), (40, 20));
    server.handle.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
