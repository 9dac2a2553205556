//! `POST /api/v1/files/upload`: multipart uploads with every parameter of the
//! reference SDK's `UploadOptions`.
//!
//! The `file` part is streamed straight into blob storage (binary parts as
//! they arrive, base64 text decoded on the fly, URLs downloaded chunk by
//! chunk), so an upload is held at most once: in the memory store, or not at
//! all with a data directory.

use std::sync::Arc;

use axum::extract::multipart::{Field, Multipart, MultipartError, MultipartRejection};
use axum::extract::DefaultBodyLimit;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::Method;
use axum::middleware::from_fn_with_state;
use axum::routing::post;
use axum::{Json, Router};
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;
use futures_util::StreamExt;
use serde_json::{json, Map, Value};
use tower_http::cors::{AllowHeaders, AllowOrigin, CorsLayer};

use crate::app::App;
use crate::auth::{check_basic, ClientUploadAuth};
use crate::fetch;
use crate::ids::new_id;
use crate::imaging;
use crate::library::uploads::{self, Analysis, Options};
use crate::library::{validate_coordinates, validate_tags};
use crate::paths::{sanitize_file_name, sanitize_folder};
use crate::routes::error::{ApiError, ApiResult};
use crate::routes::extract::parse_bool;
use crate::routes::files::{file_url, MAX_DECODE_BYTES};
use crate::routes::layers;
use crate::storage::{BlobWriter, FileRecord, ImageFacts, Version};

/// Largest accepted non-file form field (tags, customMetadata JSON...).
const MAX_FIELD_BYTES: usize = 1 << 20;

/// Base64 as sent by browsers and SDKs: padding optional.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The non-file form fields, as sent.
#[derive(Default)]
struct Form {
    fields: Map<String, Value>,
    auth: ClientUploadAuth,
}

impl Form {
    fn text(&self, key: &str) -> Option<&str> {
        self.fields.get(key).and_then(Value::as_str)
    }

    fn flag(&self, key: &str, default: bool) -> ApiResult<bool> {
        match self.text(key).map(str::trim).filter(|s| !s.is_empty()) {
            Some(v) => parse_bool(key, v),
            None => Ok(default),
        }
    }

    fn json(&self, key: &str) -> ApiResult<Option<Value>> {
        match self.text(key).map(str::trim).filter(|s| !s.is_empty()) {
            Some(raw) => serde_json::from_str(raw).map(Some).map_err(|e| {
                ApiError::bad_request(format!(
                    "Invalid {key} parameter: it must be valid JSON ({e})."
                ))
            }),
            None => Ok(None),
        }
    }
}

fn multipart_error(e: MultipartError) -> ApiError {
    let status = e.status();
    if status == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::PayloadTooLarge("The upload is larger than this server accepts.".into())
    } else {
        ApiError::bad_request(format!("Malformed multipart body: {}", e.body_text()))
    }
}

fn too_large(app: &App) -> ApiError {
    ApiError::PayloadTooLarge(format!(
        "The file is larger than the {} bytes this server accepts.",
        app.config.max_upload_bytes
    ))
}

/// Where the `file` part's bytes go while it is read: into the blob once the
/// request is authenticated, else into a spool file until it is.
enum Dest<'a> {
    Blob(&'a mut BlobWriter),
    Spool(&'a mut Spool),
}

impl Dest<'_> {
    fn written(&self) -> u64 {
        match self {
            Dest::Blob(w) => w.written(),
            Dest::Spool(s) => s.len,
        }
    }
}

async fn write_checked(app: &App, dest: &mut Dest<'_>, bytes: &[u8]) -> ApiResult<()> {
    if dest.written() + bytes.len() as u64 > app.config.max_upload_bytes {
        return Err(too_large(app));
    }
    match dest {
        Dest::Blob(writer) => writer.write(bytes).await.map_err(ApiError::internal),
        Dest::Spool(spool) => spool.write(bytes).await.map_err(ApiError::internal),
    }
}

/// A temporary file holding a `file` part that arrived before the client-side
/// credentials: never part of the library, removed when dropped.
struct Spool {
    path: std::path::PathBuf,
    file: Option<tokio::io::BufWriter<tokio::fs::File>>,
    len: u64,
}

impl Spool {
    async fn create(app: &App) -> std::io::Result<Spool> {
        let path = app
            .store
            .scratch_dir()
            .join(format!("imagekit-local-server-{}.spool", new_id()));
        let file = tokio::fs::File::create(&path).await?;
        Ok(Spool {
            path,
            file: Some(tokio::io::BufWriter::new(file)),
            len: 0,
        })
    }

    async fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        use tokio::io::AsyncWriteExt;
        let file = self
            .file
            .as_mut()
            .ok_or_else(|| std::io::Error::other("spool already read"))?;
        file.write_all(bytes).await?;
        self.len += bytes.len() as u64;
        Ok(())
    }

    /// Copies the spooled bytes into the blob (after authentication).
    async fn copy_into(mut self, writer: &mut BlobWriter) -> std::io::Result<()> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        if let Some(mut file) = self.file.take() {
            file.flush().await?;
        }
        let mut file = tokio::fs::File::open(&self.path).await?;
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = file.read(&mut buf).await?;
            if n == 0 {
                return Ok(());
            }
            writer.write(&buf[..n]).await?;
        }
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        drop(self.file.take());
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Streams a binary `file` part into `dest`.
async fn receive_binary(app: &App, field: &mut Field<'_>, mut dest: Dest<'_>) -> ApiResult<()> {
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        write_checked(app, &mut dest, &chunk).await?;
    }
    Ok(())
}

/// A text `file` part: an http(s) URL (returned, to be downloaded once the
/// request is authenticated and its options valid), or base64 (optionally a
/// data URI) decoded into `dest` while it streams in.
async fn receive_text(
    app: &App,
    field: &mut Field<'_>,
    mut dest: Dest<'_>,
) -> ApiResult<Option<String>> {
    let mut pending: Vec<u8> = Vec::new();
    let mut decided_base64 = false;
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        pending.extend(chunk.iter().filter(|b| !b.is_ascii_whitespace()));
        if !decided_base64 {
            if pending.len() < 8 {
                continue;
            }
            if pending.starts_with(b"http://") || pending.starts_with(b"https://") {
                if pending.len() > 16 * 1024 {
                    return Err(ApiError::bad_request("The file URL is too long."));
                }
                continue;
            }
            if pending.starts_with(b"data:") {
                match pending.iter().position(|b| *b == b',') {
                    Some(comma) => {
                        pending.drain(..=comma);
                    }
                    None if pending.len() > 1024 => {
                        return Err(ApiError::bad_request(
                            "Invalid data URI in the file parameter.",
                        ))
                    }
                    None => continue,
                }
            }
            decided_base64 = true;
        }
        // Decode whole 4-character groups; keep the remainder for later.
        let whole = pending.len() / 4 * 4;
        let decoded = BASE64.decode(&pending[..whole]).map_err(|_| {
            ApiError::bad_request("The file parameter is neither binary, a URL nor valid base64.")
        })?;
        write_checked(app, &mut dest, &decoded).await?;
        pending.drain(..whole);
    }
    if !decided_base64 && (pending.starts_with(b"http://") || pending.starts_with(b"https://")) {
        let url =
            String::from_utf8(pending).map_err(|_| ApiError::bad_request("Invalid file URL."))?;
        return Ok(Some(url));
    }
    if let Some(rest) = pending.strip_prefix(b"data:") {
        let comma = rest
            .iter()
            .position(|b| *b == b',')
            .ok_or_else(|| ApiError::bad_request("Invalid data URI in the file parameter."))?;
        pending = rest[comma + 1..].to_vec();
    }
    if !pending.is_empty() {
        let decoded = BASE64.decode(&pending).map_err(|_| {
            ApiError::bad_request("The file parameter is neither binary, a URL nor valid base64.")
        })?;
        write_checked(app, &mut dest, &decoded).await?;
    }
    Ok(None)
}

async fn download_into(app: &App, url: &str, writer: &mut BlobWriter) -> ApiResult<()> {
    let response = app.downloader.get(url).await?;
    let mut dest = Dest::Blob(writer);
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::bad_request(format!("Could not download {url}: {}", fetch::describe(&e)))
        })?;
        write_checked(app, &mut dest, &chunk).await?;
    }
    Ok(())
}

async fn read_small_field(field: &mut Field<'_>) -> ApiResult<String> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        if bytes.len() + chunk.len() > MAX_FIELD_BYTES {
            return Err(ApiError::bad_request(format!(
                "The {} parameter is too long.",
                field.name().unwrap_or("form")
            )));
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes).map_err(|_| ApiError::bad_request("Form fields must be UTF-8 text."))
}

/// Most form fields an upload may have (ImageKit's upload API has about 25).
const MAX_FIELDS: usize = 256;
/// Most bytes all non-file form fields may hold together.
const MAX_FIELDS_BYTES: usize = 8 << 20;

/// Where the `file` part went.
enum Incoming {
    /// No `file` part.
    Missing,
    /// Written into the blob writer (the request was authenticated first).
    Stored,
    /// Spooled before authentication.
    Spooled(Spool),
    /// A URL, not downloaded yet.
    Url(String),
}

/// Reads the whole form. The `file` part goes straight into `writer` when
/// the request is already authenticated (basic auth, or client-side fields
/// sent before it), else into a spool file; a URL is only noted.
async fn receive(
    app: &App,
    multipart: &mut Multipart,
    writer: &mut BlobWriter,
    authenticated: &mut bool,
) -> ApiResult<(Form, Incoming)> {
    let mut form = Form::default();
    let mut incoming = Incoming::Missing;
    let (mut count, mut field_bytes) = (0usize, 0usize);
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        count += 1;
        if count > MAX_FIELDS {
            return Err(ApiError::bad_request(format!(
                "Too many form fields: this server accepts at most {MAX_FIELDS} per upload."
            )));
        }
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            if !matches!(incoming, Incoming::Missing) {
                return Err(ApiError::bad_request(
                    "Only one file parameter is allowed per upload.",
                ));
            }
            if !*authenticated && form.auth.is_complete() {
                authenticate(app, &form.auth)?;
                *authenticated = true;
            }
            let mut spool = None;
            let dest = if *authenticated {
                Dest::Blob(writer)
            } else {
                Dest::Spool(spool.insert(Spool::create(app).await.map_err(ApiError::internal)?))
            };
            let url = if field.file_name().is_some() {
                receive_binary(app, &mut field, dest).await?;
                None
            } else {
                receive_text(app, &mut field, dest).await?
            };
            incoming = match (url, spool) {
                (Some(url), _) => Incoming::Url(url),
                (None, Some(spool)) => Incoming::Spooled(spool),
                (None, None) => Incoming::Stored,
            };
            continue;
        }
        let value = read_small_field(&mut field).await?;
        field_bytes += value.len();
        if field_bytes > MAX_FIELDS_BYTES {
            return Err(ApiError::PayloadTooLarge(format!(
                "The form fields hold more than the {MAX_FIELDS_BYTES} bytes this server accepts."
            )));
        }
        match name.as_str() {
            "publicKey" => form.auth.public_key = Some(value),
            "signature" => form.auth.signature = Some(value),
            "expire" => form.auth.expire = Some(value),
            "token" => form.auth.token = Some(value),
            _ => {
                form.fields.insert(name, Value::String(value));
            }
        }
    }
    Ok((form, incoming))
}

/// Checks client-side credentials and uses their token up.
fn authenticate(app: &App, auth: &ClientUploadAuth) -> ApiResult<()> {
    if !auth.is_present() {
        return Err(ApiError::Unauthorized(
            "Your request does not contain private API key.".into(),
        ));
    }
    auth.verify(&app.config.public_key, &app.config.private_key)?;
    app.tokens.claim(auth)
}

const RESPONSE_FIELDS: [&str; 8] = [
    "tags",
    "customCoordinates",
    "isPrivateFile",
    "embeddedMetadata",
    "isPublished",
    "customMetadata",
    "metadata",
    "selectedFieldsSchema",
];

fn validate_transformation(value: &Value) -> ApiResult<Option<imaging::Transformation>> {
    let object = value
        .as_object()
        .filter(|o| o.contains_key("pre") || o.contains_key("post"))
        .ok_or_else(|| {
            ApiError::bad_request(
                "Invalid transformation parameter. Please include at least pre, post, or both.",
            )
        })?;
    let pre = match object.get("pre") {
        None => None,
        Some(Value::String(s)) if !s.trim().is_empty() => {
            Some(imaging::parse_transformation(s).map_err(|e| {
                ApiError::bad_request(format!("Invalid pre transformation parameter: {e}"))
            })?)
        }
        Some(_) => {
            return Err(ApiError::bad_request(
                "Invalid pre transformation parameter.",
            ))
        }
    };
    if let Some(post) = object.get("post") {
        let steps = post
            .as_array()
            .ok_or_else(|| ApiError::bad_request("Invalid post transformation parameter."))?;
        for step in steps {
            let kind = step.get("type").and_then(Value::as_str).unwrap_or("");
            let has_value = step
                .get("value")
                .and_then(Value::as_str)
                .is_some_and(|v| !v.is_empty());
            let valid = match kind {
                "transformation" => has_value,
                "abs" => has_value && step.get("protocol").and_then(Value::as_str).is_some(),
                "gif-to-video" | "thumbnail" => true,
                _ => false,
            };
            if !valid {
                return Err(ApiError::bad_request(
                    "Invalid post transformation parameter.",
                ));
            }
        }
    }
    Ok(pre)
}

fn parse_options(form: &Form) -> ApiResult<Options> {
    let raw_name = form
        .text("fileName")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::bad_request("Missing fileName parameter for upload"))?;
    let tags = match form.text("tags") {
        None => None,
        Some(t) => {
            let tags: Vec<String> = t
                .split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(String::from)
                .collect();
            validate_tags(&tags)?;
            Some(tags)
        }
    };
    let custom_coordinates = match form
        .text("customCoordinates")
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(c) => {
            validate_coordinates(c)?;
            Some(c.to_string())
        }
        None => None,
    };
    let response_fields: Vec<String> = form
        .text("responseFields")
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect();
    if let Some(bad) = response_fields
        .iter()
        .find(|f| !RESPONSE_FIELDS.contains(&f.as_str()))
    {
        return Err(ApiError::bad_request(format!(
            "Invalid responseFields value: {bad}"
        )));
    }
    let custom_metadata = match form.json("customMetadata")? {
        None => None,
        Some(Value::Object(m)) => Some(m),
        Some(_) => {
            return Err(ApiError::bad_request(
                "Invalid customMetadata parameter: it must be a JSON object.",
            ))
        }
    };
    let extensions = match form.json("extensions")? {
        None => Vec::new(),
        Some(Value::Array(items)) => items,
        Some(_) => {
            return Err(ApiError::bad_request(
                "Invalid extensions parameter: it must be a JSON array.",
            ))
        }
    };
    let transformation = form.json("transformation")?;
    let pre_transformation = match &transformation {
        Some(t) => validate_transformation(t)?,
        None => None,
    };
    let webhook_url = form
        .text("webhookUrl")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from);
    if let Some(url) = &webhook_url {
        if reqwest::Url::parse(url).is_err() {
            return Err(ApiError::bad_request(
                "Invalid webhookUrl parameter: it must be a URL.",
            ));
        }
    }
    Ok(Options {
        file_name: sanitize_file_name(raw_name),
        use_unique_file_name: form.flag("useUniqueFileName", true)?,
        folder: sanitize_folder(form.text("folder").unwrap_or("/")),
        tags,
        is_private: form.flag("isPrivateFile", false)?,
        is_published: form.flag("isPublished", true)?,
        custom_coordinates,
        response_fields,
        custom_metadata,
        extensions,
        webhook_url,
        overwrite_file: form.flag("overwriteFile", true)?,
        overwrite_ai_tags: form.flag("overwriteAITags", true)?,
        overwrite_tags: form.flag("overwriteTags", true)?,
        overwrite_custom_metadata: form.flag("overwriteCustomMetadata", true)?,
        transformation,
        pre_transformation,
        checks: form
            .text("checks")
            .map(String::from)
            .filter(|s| !s.trim().is_empty()),
        description: form.text("description").map(String::from),
    })
}

/// Whether the first bytes are a format `imaging` decodes (so bytes that are
/// obviously not an image are never loaded whole).
fn looks_like_image(head: &[u8]) -> bool {
    head.starts_with(&[0xFF, 0xD8, 0xFF])
        || head.starts_with(b"\x89PNG\r\n\x1a\n")
        || head.starts_with(b"GIF87a")
        || head.starts_with(b"GIF89a")
        || (head.starts_with(b"RIFF") && head.get(8..12) == Some(b"WEBP"))
}

/// MIME type from the file name, for files that are not decodable images.
fn mime_from_name(name: &str) -> &'static str {
    mime_guess::from_path(name)
        .first_raw()
        .unwrap_or("application/octet-stream")
}

/// MIME type of a decoded image's format (`jpg`, `png`, `gif`, `webp`).
fn mime_for_format(format: &str) -> &'static str {
    mime_guess::from_ext(format)
        .first_raw()
        .unwrap_or("application/octet-stream")
}

async fn analyse(
    app: &App,
    key: String,
    size: u64,
    name: &str,
    pre: Option<imaging::Transformation>,
) -> ApiResult<Analysis> {
    let blob = app
        .store
        .blob(&key)
        .await
        .ok_or_else(|| ApiError::internal("stored upload vanished"))?;
    let head = blob.head(16).await.map_err(ApiError::internal)?;
    let mut analysis = Analysis {
        blob: key,
        size,
        image: None,
        metadata: None,
        mime: mime_from_name(name).to_string(),
    };
    if !looks_like_image(&head) || size > MAX_DECODE_BYTES {
        return Ok(analysis);
    }
    let bytes = blob.read_all().await.map_err(ApiError::internal)?;
    let decoded = imaging::blocking(move || -> Result<_, String> {
        let transformed = match &pre {
            Some(tr) if imaging::probe(&bytes).is_some() => {
                Some(imaging::apply(&bytes, tr, imaging::Client::default())?.0)
            }
            _ => None,
        };
        let final_bytes: &[u8] = transformed.as_deref().unwrap_or(&bytes);
        let info = imaging::probe(final_bytes);
        let metadata = info.as_ref().and_then(|_| imaging::metadata(final_bytes));
        Ok((transformed, info, metadata))
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(|e| ApiError::bad_request(format!("Could not apply the pre transformation: {e}")))?;
    let (transformed, info, metadata) = decoded;
    if let Some(bytes) = transformed {
        let new_key = app.store.put(&bytes).await.map_err(ApiError::internal)?;
        app.store
            .remove_blobs(vec![std::mem::replace(&mut analysis.blob, new_key)])
            .await;
        analysis.size = bytes.len() as u64;
    }
    if let Some(info) = info {
        analysis.mime = mime_for_format(info.format).to_string();
        analysis.image = Some(ImageFacts {
            width: info.width,
            height: info.height,
            has_alpha: info.has_alpha,
            format: info.format.to_string(),
        });
    }
    analysis.metadata = metadata;
    Ok(analysis)
}

pub async fn upload(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<Json<Value>> {
    let basic = headers.contains_key(axum::http::header::AUTHORIZATION);
    if basic {
        check_basic(&headers, &app.config.private_key)?;
    }
    let mut multipart = multipart.map_err(|e| {
        ApiError::bad_request(format!(
            "The upload must be multipart/form-data: {}",
            e.body_text()
        ))
    })?;
    let mut writer = app.store.writer().await.map_err(ApiError::internal)?;
    match receive_file(&app, &mut multipart, &mut writer, basic).await {
        Ok(options) => finish_upload(&app, writer, options).await,
        Err(e) => {
            app.store.discard(writer).await;
            Err(e)
        }
    }
}

/// Reads the form, authenticates, validates the options, then moves the
/// file into `writer` (from the spool, or downloading its URL). Nothing is
/// downloaded or written to the blob before the request is authenticated.
async fn receive_file(
    app: &App,
    multipart: &mut Multipart,
    writer: &mut BlobWriter,
    basic: bool,
) -> ApiResult<Options> {
    let mut authenticated = basic;
    let (form, incoming) = receive(app, multipart, writer, &mut authenticated).await?;
    if !authenticated {
        authenticate(app, &form.auth)?;
    }
    if matches!(incoming, Incoming::Missing) {
        return Err(ApiError::bad_request("Missing file parameter for upload"));
    }
    let options = parse_options(&form)?;
    match incoming {
        Incoming::Spooled(spool) => spool.copy_into(writer).await.map_err(ApiError::internal)?,
        Incoming::Url(url) => download_into(app, &url, writer).await?,
        Incoming::Missing | Incoming::Stored => {}
    }
    Ok(options)
}

async fn finish_upload(app: &App, writer: BlobWriter, options: Options) -> ApiResult<Json<Value>> {
    let size = writer.written();
    let key = app.store.commit(writer).await.map_err(ApiError::internal)?;
    let pre = options.pre_transformation.clone();
    let analysis = match analyse(app, key.clone(), size, &options.file_name, pre).await {
        Ok(a) => a,
        Err(e) => {
            app.store.remove_blobs(vec![key]).await;
            return Err(e);
        }
    };
    let response_fields = options.response_fields.clone();
    let metadata = analysis.metadata.clone();
    let (file, version) = uploads::record(&app.store, options, analysis).await?;
    Ok(Json(upload_response(
        app,
        &file,
        &version,
        &response_fields,
        metadata,
    )))
}

/// ImageKit's upload response: the fixed fields, then those requested through
/// `responseFields`.
fn upload_response(
    app: &App,
    file: &FileRecord,
    version: &Version,
    requested: &[String],
    metadata: Option<Value>,
) -> Value {
    let wants = |f: &str| requested.iter().any(|r| r == f);
    let mut o = Map::new();
    o.insert("fileId".into(), json!(file.id));
    o.insert("name".into(), json!(file.name));
    o.insert("size".into(), json!(version.size));
    o.insert(
        "versionInfo".into(),
        json!({ "id": version.id, "name": format!("Version {}", version.number) }),
    );
    o.insert("filePath".into(), json!(file.path()));
    o.insert("url".into(), json!(file_url(app, file, version, false)));
    o.insert(
        "fileType".into(),
        json!(if version.image.is_some() {
            "image"
        } else {
            "non-image"
        }),
    );
    if let Some(image) = &version.image {
        o.insert("height".into(), json!(image.height));
        o.insert("width".into(), json!(image.width));
        o.insert(
            "thumbnailUrl".into(),
            json!(file_url(app, file, version, true)),
        );
    } else {
        o.insert("thumbnailUrl".into(), json!(""));
    }
    o.insert(
        "AITags".into(),
        if version.ai_tags.is_empty() {
            Value::Null
        } else {
            json!(version.ai_tags)
        },
    );
    if wants("tags") {
        o.insert(
            "tags".into(),
            if version.tags.is_empty() {
                Value::Null
            } else {
                json!(version.tags)
            },
        );
    }
    if wants("customCoordinates") {
        o.insert(
            "customCoordinates".into(),
            json!(version.custom_coordinates),
        );
    }
    if wants("isPrivateFile") {
        o.insert("isPrivateFile".into(), json!(version.is_private));
    }
    if wants("isPublished") {
        o.insert("isPublished".into(), json!(version.is_published));
    }
    if wants("customMetadata") {
        o.insert(
            "customMetadata".into(),
            Value::Object(version.custom_metadata.clone()),
        );
    }
    if wants("embeddedMetadata") {
        o.insert(
            "embeddedMetadata".into(),
            Value::Object(version.embedded_metadata.clone()),
        );
    }
    if wants("metadata") {
        if let Some(metadata) = metadata {
            o.insert("metadata".into(), metadata);
        }
    }
    if !version.extension_status.is_empty() {
        o.insert(
            "extensionStatus".into(),
            Value::Object(version.extension_status.clone()),
        );
    }
    Value::Object(o)
}

/// The upload route. It authenticates inside the handler (client-side
/// uploads carry their credentials as form fields) and answers CORS as
/// ImageKit does, since browsers upload from other origins. The body is
/// bounded by the file limit (base64 is 4/3 of it) plus the form fields.
pub fn router(app: &Arc<App>) -> Router<Arc<App>> {
    let body_limit = app
        .config
        .max_upload_bytes
        .saturating_mul(4)
        .saturating_div(3)
        .saturating_add(16 << 20);
    Router::new()
        .route(
            "/api/v1/files/upload",
            // The CORS layer answers preflights; OPTIONS is routed so it gets them.
            post(upload).options(|| async { axum::http::StatusCode::NO_CONTENT }),
        )
        .route_layer(from_fn_with_state(app.clone(), layers::rate_limit))
        .layer(DefaultBodyLimit::max(
            usize::try_from(body_limit).unwrap_or(usize::MAX),
        ))
        .layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::any())
                .allow_methods([Method::POST])
                .allow_headers(AllowHeaders::mirror_request())
                .max_age(std::time::Duration::from_secs(86_400)),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing_and_mime() {
        assert!(looks_like_image(b"\x89PNG\r\n\x1a\n...."));
        assert!(looks_like_image(b"RIFF\0\0\0\0WEBPVP8 "));
        assert!(!looks_like_image(b"%PDF-1.4"));
        assert_eq!(mime_from_name("a.PDF"), "application/pdf");
        assert_eq!(mime_from_name("noext"), "application/octet-stream");
        assert_eq!(mime_from_name("a.JPEG"), "image/jpeg");
        assert_eq!(mime_for_format("jpg"), "image/jpeg");
        assert_eq!(mime_for_format("webp"), "image/webp");
    }

    #[test]
    fn transformation_rules() {
        assert!(validate_transformation(&json!({})).is_err());
        assert!(validate_transformation(&json!({"post": [{"type": "thumbnail"}]})).is_ok());
        assert!(validate_transformation(&json!({"post": [{"type": "transformation"}]})).is_err());
        assert!(validate_transformation(&json!({"post": {}})).is_err());
        assert!(validate_transformation(&json!({"pre": ""})).is_err());
    }
}
