//! The typed client against the local ImageKit server, started in-process: uploads from
//! bytes and from a file streamed off disk, listing, details, any operation by name, and
//! each kind of error.

use std::time::Duration;

use imagekit::{
    Error, FileObject, ImageKit, ListFiles, Options, UploadFile, UploadOptions, UrlOptions,
};
use imagekit_local_server::{start, Config, ServerHandle};
use serde_json::json;

async fn server() -> (ServerHandle, ImageKit) {
    let handle = start(Config::default()).await.expect("the server starts");
    let endpoints = handle.endpoints();
    let text = |name: &str| endpoints[name].as_str().unwrap().to_owned();
    let mut options = Options::new(text("publicKey"), text("privateKey"), text("urlEndpoint"));
    options.api_endpoint = Some(text("apiEndpoint"));
    options.upload_endpoint = Some(text("uploadEndpoint"));
    options.limits.timeout = Some(Duration::from_secs(30));
    (handle, ImageKit::new(options).expect("a client"))
}

/// A 1x1 transparent PNG.
fn png() -> Vec<u8> {
    base64_decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
    )
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_lists_reads_and_deletes() {
    let (_server, imagekit) = server().await;

    let uploaded = imagekit
        .upload(
            UploadFile::Bytes(png().into()),
            &UploadOptions {
                file_name: "dot.png".into(),
                folder: Some("/typed".into()),
                use_unique_file_name: Some(false),
                tags: Some(vec!["a".into(), "b".into()]),
                ..Default::default()
            },
        )
        .await
        .expect("uploaded");
    assert_eq!(uploaded.name.as_deref(), Some("dot.png"));
    assert_eq!(uploaded.file_path.as_deref(), Some("/typed/dot.png"));
    assert_eq!(uploaded.size, Some(png().len() as u64));
    let id = uploaded.file_id.clone().expect("an id");

    let details = imagekit.get_file_details(&id).await.expect("details");
    assert_eq!(details.kind.as_deref(), Some("file"));
    assert_eq!(details.file_id.as_deref(), Some(id.as_str()));
    assert_eq!(details.tags, Some(vec!["a".to_owned(), "b".to_owned()]));

    let listed = imagekit
        .list_files(&ListFiles {
            path: Some("/typed".into()),
            ..Default::default()
        })
        .await
        .expect("listed");
    let names: Vec<_> = listed.iter().filter_map(|f| f.name.as_deref()).collect();
    assert_eq!(names, ["dot.png"]);

    // Any other operation by its Node name, with JSON arguments.
    let versions = imagekit
        .call("getFileVersions", &[json!(id)])
        .await
        .expect("versions");
    assert_eq!(versions.status, 200);
    assert_eq!(versions.body.as_array().map(Vec::len), Some(1));
    let tagged = imagekit
        .call("bulkAddTags", &[json!([id]), json!(["c"])])
        .await
        .expect("tagged");
    assert_eq!(tagged.body["successfullyUpdatedFileIds"], json!([id]));

    imagekit.delete_file(&id).await.expect("deleted");
    match imagekit.get_file_details(&id).await {
        Err(Error::Api { status: 404, .. }) => {}
        other => panic!("expected a 404, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_on_disk_is_streamed_whole() {
    let (_server, imagekit) = server().await;
    let dir = std::env::temp_dir().join(format!("imagekit-typed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // Several read-ahead chunks, and not a multiple of one.
    let bytes: Vec<u8> = (0..1_500_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let path = dir.join("data.bin");
    std::fs::write(&path, &bytes).unwrap();
    imagekit
        .create_folder("disk", "/")
        .await
        .expect("folder made");
    let uploaded: FileObject = imagekit
        .upload(
            UploadFile::Path(path.clone()),
            &UploadOptions {
                file_name: "data.bin".into(),
                folder: Some("/disk".into()),
                use_unique_file_name: Some(false),
                ..Default::default()
            },
        )
        .await
        .expect("uploaded");
    assert_eq!(uploaded.size, Some(bytes.len() as u64));
    let url = uploaded.url.expect("a URL");
    let served = reqwest_get(&url).await;
    assert_eq!(served.len(), bytes.len());
    assert!(served == bytes, "the stored file is the file on disk");

    let missing = imagekit
        .upload(
            UploadFile::Path(dir.join("absent.bin")),
            &UploadOptions {
                file_name: "absent.bin".into(),
                ..Default::default()
            },
        )
        .await;
    assert!(
        matches!(&missing, Err(Error::Invalid { message, .. }) if message.contains("absent.bin")),
        "{missing:?}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The stored bytes, fetched over plain HTTP from the server's delivery.
async fn reqwest_get(url: &str) -> Vec<u8> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (host, path) = rest.split_at(rest.find('/').unwrap());
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    stream
        .write_all(
            format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .await
        .unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let head_end = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a head")
        + 4;
    let head = String::from_utf8_lossy(&answer[..head_end]).to_lowercase();
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(!head.contains("transfer-encoding: chunked"), "{head}");
    answer[head_end..].to_vec()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_and_failures_are_one_error_type() {
    let (_server, imagekit) = server().await;
    // v6's checks, before anything is sent.
    assert_eq!(
        imagekit.get_file_details("").await.unwrap_err(),
        Error::Invalid {
            message: "Missing fileId parameter for this request".into(),
            help: String::new(),
        }
    );
    let no_name = imagekit
        .upload(UploadFile::Text("aGk=".into()), &UploadOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(no_name, Error::Invalid { ref message, .. } if message == "Missing fileName parameter for upload"),
        "{no_name:?}"
    );
    assert!(matches!(
        imagekit.call("noSuchMethod", &[]).await,
        Err(Error::Invalid { .. })
    ));
    // ImageKit's answer, with its message.
    match imagekit.get_file_details("no-such-file").await {
        Err(Error::Api {
            status, message, ..
        }) => {
            assert_eq!(status, 404);
            assert!(!message.is_empty());
        }
        other => panic!("expected a 404, got {other:?}"),
    }
    // No answer at all.
    let mut options = imagekit.options().clone();
    options.api_endpoint = Some("http://127.0.0.1:9".into());
    let unreachable = ImageKit::new(options).unwrap();
    match unreachable.get_file_details("x").await {
        Err(Error::Transport { code, .. }) => assert_eq!(code, "ECONNREFUSED"),
        other => panic!("expected ECONNREFUSED, got {other:?}"),
    }
    assert!(matches!(
        ImageKit::new(Options::new("", "k", "https://ik.imagekit.io/x")),
        Err(Error::Invalid { ref message, .. }) if message == "Missing publicKey during ImageKit initialization"
    ));
}

#[test]
fn urls_signatures_and_hashes_without_a_network() {
    let imagekit = ImageKit::new(Options::new(
        "public_key_test",
        "private_key_test",
        "https://ik.imagekit.io/test_url_endpoint",
    ))
    .unwrap();
    use imagekit::transformation::Param;
    let url = imagekit
        .url(&UrlOptions {
            path: "/default-image.jpg",
            transformation: vec![vec![
                Param::Value("height", "300"),
                Param::Value("width", "400"),
            ]],
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        url,
        "https://ik.imagekit.io/test_url_endpoint/tr:h-300,w-400/default-image.jpg"
    );
    let signed = imagekit
        .url(&UrlOptions {
            path: "/default-image.jpg",
            signed: true,
            ..Default::default()
        })
        .unwrap();
    assert!(signed.contains("?ik-s="), "{signed}");
    let parameters = imagekit.authentication_parameters(Some("your_token"), Some(1582269249));
    assert_eq!(
        parameters.signature,
        "e71bcd6031016b060d349d212e23e85c791decdd"
    );
    assert_eq!(
        ImageKit::phash_distance("f06830ca9f1e3e90", "f06830ca9f1e3e91"),
        Ok(1)
    );
    assert!(matches!(
        ImageKit::verify_webhook_event("{}", "t=1,v1=00", "secret"),
        Err(Error::Invalid { ref message, .. }) if message == "Incorrect signature"
    ));
}

/// Every call's future can be spawned on a multi-threaded runtime (compiled, not run).
#[allow(dead_code)]
fn futures_are_send(imagekit: &ImageKit) {
    fn send<T: Send>(_: T) {}
    let options = UploadOptions::default();
    send(imagekit.upload(UploadFile::Path("a".into()), &options));
    send(imagekit.list_files(&ListFiles::default()));
    send(imagekit.get_file_details("id"));
    send(imagekit.delete_file("id"));
    send(imagekit.create_folder("a", "/"));
    send(imagekit.call("getFileVersions", &[]));
}
