//! The typed client end to end: upload a local file (streamed from disk), list its
//! folder, read its details, build a signed URL for it, and delete it.
//!
//! The account comes from the environment: `IMAGEKIT_PUBLIC_KEY`, `IMAGEKIT_PRIVATE_KEY`,
//! `IMAGEKIT_URL_ENDPOINT`, and optionally `IMAGEKIT_API_ENDPOINT` and
//! `IMAGEKIT_UPLOAD_ENDPOINT` (the local server's, say). The file is the first argument,
//! or this example's own source.
//!
//!     cargo run -p imagekit --example media_flow -- photo.jpg

use std::path::PathBuf;
use std::time::Duration;

use imagekit::{ImageKit, ListFiles, Options, UploadFile, UploadOptions, UrlOptions};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let env = |name: &str| std::env::var(name).map_err(|_| format!("{name} is not set"));
    let mut options = Options::new(
        env("IMAGEKIT_PUBLIC_KEY")?,
        env("IMAGEKIT_PRIVATE_KEY")?,
        env("IMAGEKIT_URL_ENDPOINT")?,
    );
    options.api_endpoint = env("IMAGEKIT_API_ENDPOINT").ok();
    options.upload_endpoint = env("IMAGEKIT_UPLOAD_ENDPOINT").ok();
    options.limits.timeout = Some(Duration::from_secs(60));
    options.limits.max_retries = 2;
    let imagekit = ImageKit::new(options)?;

    let file = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from(file!()), PathBuf::from);
    let file_name = file
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .ok_or("the file has no name")?;
    let uploaded = imagekit
        .upload(
            UploadFile::Path(file.clone()),
            &UploadOptions {
                file_name,
                folder: Some("/examples-rust".into()),
                tags: Some(vec!["example".into()]),
                ..Default::default()
            },
        )
        .await?;
    let file_id = uploaded.file_id.ok_or("the answer has no fileId")?;
    let file_path = uploaded.file_path.ok_or("the answer has no filePath")?;
    println!(
        "uploaded {} as {file_path} ({} bytes), fileId {file_id}",
        file.display(),
        uploaded.size.unwrap_or_default()
    );

    let listed = imagekit
        .list_files(&ListFiles {
            path: Some("/examples-rust".into()),
            ..Default::default()
        })
        .await?;
    let names: Vec<_> = listed.iter().filter_map(|f| f.name.as_deref()).collect();
    println!("listFiles /examples-rust: {}", names.join(", "));

    let details = imagekit.get_file_details(&file_id).await?;
    println!(
        "details: {} tagged {:?}",
        details.file_type.unwrap_or_default(),
        details.tags.unwrap_or_default()
    );

    let signed = imagekit.url(&UrlOptions {
        path: &file_path,
        signed: true,
        expire_seconds: Some(300),
        ..Default::default()
    })?;
    println!("signed URL, valid 5 minutes: {signed}");

    imagekit.delete_file(&file_id).await?;
    match imagekit.get_file_details(&file_id).await {
        Err(imagekit::Error::Api {
            status, message, ..
        }) => {
            println!("deleted; getFileDetails now answers {status}: {message}")
        }
        other => return Err(format!("expected the file gone, got {other:?}").into()),
    }
    Ok(())
}
