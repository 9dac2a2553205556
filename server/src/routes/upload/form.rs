//! Reading an upload's multipart body: the text fields (bounded in number
//! and size), and the `file` part streamed into the blob (binary as it
//! arrives, base64 decoded on the fly), or into a spool file while the
//! request is not yet authenticated; a URL is only noted, to be downloaded
//! once the request is authenticated and its options are valid.

use axum::extract::multipart::{Field, Multipart, MultipartError};
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;
use futures_util::StreamExt;
use serde_json::Value;

use crate::app::App;
use crate::auth::ClientUploadAuth;
use crate::fetch;
use crate::ids::new_id;
use crate::library::uploads::options::Fields;
use crate::routes::error::{ApiError, ApiResult};
use crate::routes::upload::authenticate;
use crate::storage::BlobWriter;

/// The non-file form fields, as sent, and the client-side credentials.
#[derive(Default)]
pub struct Form {
    pub fields: Fields,
    pub auth: ClientUploadAuth,
}

/// Largest accepted non-file form field (tags, customMetadata JSON...).
const MAX_FIELD_BYTES: usize = 1 << 20;

/// Base64 as sent by browsers and SDKs: padding optional.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

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
pub struct Spool {
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
    pub async fn copy_into(mut self, writer: &mut BlobWriter) -> std::io::Result<()> {
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

pub async fn download_into(app: &App, url: &str, writer: &mut BlobWriter) -> ApiResult<()> {
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
pub enum Incoming {
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
pub async fn receive(
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
                form.fields.0.insert(name, Value::String(value));
            }
        }
    }
    Ok((form, incoming))
}
