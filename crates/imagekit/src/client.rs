//! The typed client: ImageKit from a Rust program, with no JavaScript in sight.
//!
//! Every request is built by the same operation declarations the Node addon calls
//! ([`crate::api`]), with the same checks, routes and bodies, and sent on the same
//! transport ([`crate::http`]) with its timeouts, retries and logs. The typed methods
//! cover what a program needs most; [`ImageKit::call`] reaches every other operation by
//! the Node SDK's method name, with JSON arguments.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::{Bytes, BytesMut};
use serde::{Deserialize, Serialize};

use crate::api::values::{Values, V};
use crate::api::{self, Operation};
use crate::error::Error;
use crate::http::limits::{Policy, PoolSettings, DEFAULT_CONNECT_TIMEOUT};
use crate::http::{self, ApiRequest, ApiResponse};
use crate::log::Log;
use crate::transformation::{self, Step};
use crate::upload_source::{self, SourceWriter};
use crate::{messages, phash, signature, url, webhook};

const UPLOAD: &Operation = api::declared("upload");
const LIST_FILES: &Operation = api::declared("listFiles");
const GET_FILE_DETAILS: &Operation = api::declared("getFileDetails");
const DELETE_FILE: &Operation = api::declared("deleteFile");
const CREATE_FOLDER: &Operation = api::declared("createFolder");

/// Chunks of a file read ahead of the connection while it uploads.
const FILE_CHUNK: usize = 256 * 1024;
const FILE_CHUNKS_AHEAD: usize = 4;

/// What a client is made with: the account's keys and URL endpoint, where the APIs are,
/// and the limits every call keeps.
#[derive(Debug, Clone)]
pub struct Options {
    pub public_key: String,
    pub private_key: String,
    /// `https://ik.imagekit.io/your_id`: where [`ImageKit::url`] builds URLs.
    pub url_endpoint: String,
    /// The media API; `None`: `https://api.imagekit.io`.
    pub api_endpoint: Option<String>,
    /// The upload API; `None`: `https://upload.imagekit.io/api/v1/files/upload`.
    pub upload_endpoint: Option<String>,
    /// Each call's timeout, retries, idle limit and largest answer.
    pub limits: Policy,
    /// `None`: no limit on a connection's TCP connect and TLS handshake.
    pub connect_timeout: Option<Duration>,
}

impl Options {
    /// Options with the account's keys and URL endpoint, ImageKit's APIs and the default
    /// limits (no call timeout, no retries, 10 minutes idle, 64 MiB answers, 30 s connect).
    pub fn new(
        public_key: impl Into<String>,
        private_key: impl Into<String>,
        url_endpoint: impl Into<String>,
    ) -> Self {
        Self {
            public_key: public_key.into(),
            private_key: private_key.into(),
            url_endpoint: url_endpoint.into(),
            api_endpoint: None,
            upload_endpoint: None,
            limits: Policy::default(),
            connect_timeout: Some(DEFAULT_CONNECT_TIMEOUT),
        }
    }
}

/// An ImageKit account's client: one connection pool, shared by every call.
pub struct ImageKit {
    options: Options,
    /// The options as the operation declarations read them.
    declared: V,
    http: Arc<http::Client>,
    log: Option<Arc<dyn Log>>,
}

/// A file or folder of the media library, a file's version, or an uploaded file, as
/// ImageKit describes it. The fields the API does not always send are options; every
/// field not named here is in `other`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileObject {
    /// `file`, `file-version` or `folder` (absent in an upload's answer).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_private_file: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub folder_path: Option<String>,
    /// Every other field, as ImageKit sent it.
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

/// What a file is uploaded from.
#[derive(Debug, Clone)]
pub enum UploadFile {
    /// The bytes themselves.
    Bytes(Bytes),
    /// A URL ImageKit fetches the file from, or the file as base64.
    Text(String),
    /// A local file, streamed from disk as it is sent, with its size as the
    /// Content-Length.
    Path(PathBuf),
}

/// The upload API's options: each one given is a field of the form, as the Node SDK
/// sends it (arrays of tags joined with commas, `customMetadata` and `extensions` as
/// JSON). `other` adds any field not named here.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadOptions {
    /// The name to store the file under (required).
    pub file_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_unique_file_name: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub folder: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_private_file: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_published: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overwrite_file: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_coordinates: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_metadata: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_url: Option<String>,
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

/// `listFiles`' filters, sent as its query string.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListFiles {
    /// The folder to list (`/` for the root).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// `file`, `file-version`, `folder` or `all`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// ImageKit's search language: `size > 1024 AND name : "a"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub search_query: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// `ASC_CREATED`, `DESC_NAME`...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sort: Option<String>,
    /// At most 1000 a page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip: Option<u32>,
}

/// What [`ImageKit::url`] builds.
#[derive(Debug, Clone, Default)]
pub struct UrlOptions<'a> {
    /// A path under the URL endpoint (ignored when `src` is given).
    pub path: &'a str,
    /// An absolute URL instead of a path; transformations then go to the query.
    pub src: Option<&'a str>,
    /// The chained steps, each `:`-separated in the URL.
    pub transformation: Vec<Step<'a>>,
    /// Transformations as `?tr=` rather than a `tr:` path segment.
    pub transformation_in_query: bool,
    pub query_parameters: Vec<(&'a str, &'a str)>,
    /// Signed with the private key; with `expire_seconds`, valid that long.
    pub signed: bool,
    pub expire_seconds: Option<u64>,
}

/// A client-side upload's authentication: a token, its expiry in Unix seconds, and their
/// signature with the private key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticationParameters {
    pub token: String,
    pub expire: u64,
    pub signature: String,
}

/// An answer as it came, for [`ImageKit::call`].
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub status: u16,
    /// Lower-cased names, in the order received.
    pub headers: Vec<(String, String)>,
    /// The JSON body; `null` for an empty one.
    pub body: serde_json::Value,
}

impl ImageKit {
    /// A client with `options`: the keys and URL endpoint are required, as in the Node SDK.
    pub fn new(options: Options) -> Result<Self, Error> {
        Self::check(&options)?;
        let http = http::Client::new(&PoolSettings {
            connect_timeout: options.connect_timeout,
        })
        .map_err(|error| Error::Transport {
            code: error.code.to_owned(),
            message: error.message,
        })?;
        Self::with_pool(options, Arc::new(http))
    }

    fn check(options: &Options) -> Result<(), Error> {
        for (value, missing) in [
            (&options.public_key, &messages::MANDATORY_PUBLIC_KEY_MISSING),
            (
                &options.private_key,
                &messages::MANDATORY_PRIVATE_KEY_MISSING,
            ),
            (
                &options.url_endpoint,
                &messages::MANDATORY_URL_ENDPOINT_KEY_MISSING,
            ),
        ] {
            if value.is_empty() {
                return Err(api::Invalid::Argument(missing).into());
            }
        }
        Ok(())
    }

    /// A client with `options` sending on an existing connection pool (the Node SDK's
    /// instance's, for a folder upload); `options.connect_timeout` is the pool's own.
    pub fn with_pool(options: Options, http: Arc<http::Client>) -> Result<Self, Error> {
        Self::check(&options)?;
        let mut declared = vec![("privateKey".to_owned(), V::str(&options.private_key))];
        for (name, value) in [
            ("apiEndpoint", &options.api_endpoint),
            ("uploadEndpoint", &options.upload_endpoint),
        ] {
            if let Some(value) = value {
                declared.push((name.to_owned(), V::str(value)));
            }
        }
        Ok(Self {
            options,
            declared: V::Object(declared),
            http,
            log: None,
        })
    }

    /// Records every request (method, path, status, time, tries; never a key or a query)
    /// to `log`.
    pub fn with_log(mut self, log: Arc<dyn Log>) -> Self {
        self.log = Some(log);
        self
    }

    pub fn options(&self) -> &Options {
        &self.options
    }

    /// A delivery URL: the path (or `src`) with its transformations, signed when asked.
    pub fn url(&self, options: &UrlOptions) -> Result<String, Error> {
        let invalid = |input: url::InvalidUrl| Error::Invalid {
            message: format!("Invalid URL: {}", input.0),
            help: String::new(),
        };
        let source = match options.src {
            Some(src) => url::Source::Src(url::parse(src).map_err(invalid)?),
            None => url::Source::Path {
                url_endpoint: url::parse(&self.options.url_endpoint).map_err(invalid)?,
                path: options.path,
            },
        };
        let prefix = signature::endpoint_prefix(&self.options.url_endpoint);
        let transformation = transformation::build(&options.transformation);
        Ok(url::build(url::UrlRequest {
            source,
            transformation: &transformation,
            transformation_in_query: options.transformation_in_query,
            query_parameters: &options.query_parameters,
            signing: options.signed.then(|| url::Signing {
                private_key: Some(self.options.private_key.as_bytes()),
                endpoint_prefix: Some(&prefix),
                expire_seconds: options.expire_seconds.map_or(0.0, |s| s as f64),
                now_seconds: now_seconds(),
            }),
        }))
    }

    /// Authentication for a client-side upload: `token` (else a random UUID) valid until
    /// `expire` (else 30 minutes from now), signed with the private key.
    pub fn authentication_parameters(
        &self,
        token: Option<&str>,
        expire: Option<u64>,
    ) -> AuthenticationParameters {
        let token = token.map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned);
        let expire = expire.unwrap_or(now_seconds() as u64 + 30 * 60);
        let signature = signature::authentication_signature(
            self.options.private_key.as_bytes(),
            &format!("{token}{expire}"),
        );
        AuthenticationParameters {
            token,
            expire,
            signature,
        }
    }

    /// Verifies a webhook's `x-ik-signature` header against its raw body with the
    /// endpoint's secret: the event's timestamp in milliseconds, or the reason it fails.
    pub fn verify_webhook_event(body: &str, signature: &str, secret: &str) -> Result<f64, Error> {
        webhook::verify(body, signature, secret.as_bytes())
            .map_err(|message| api::Invalid::Argument(message).into())
    }

    /// The Hamming distance between two perceptual hashes written in hex.
    pub fn phash_distance(first: &str, second: &str) -> Result<u32, Error> {
        phash::distance(Some(first), Some(second))
            .map_err(|message| api::Invalid::Argument(message).into())
    }

    /// Uploads a file; the answer describes it as stored.
    pub async fn upload(
        &self,
        file: UploadFile,
        options: &UploadOptions,
    ) -> Result<FileObject, Error> {
        self.upload_counted(file, options, None).await
    }

    /// Uploads a file, counting the request body's bytes in `progress` as they are sent.
    pub async fn upload_counted(
        &self,
        file: UploadFile,
        options: &UploadOptions,
        progress: Option<&Arc<http::Progress>>,
    ) -> Result<FileObject, Error> {
        let (file, values, reader) = match file {
            UploadFile::Bytes(bytes) => (V::Bytes(bytes), Values::default(), None),
            UploadFile::Text(text) => (V::Str(text), Values::default(), None),
            UploadFile::Path(path) => {
                let opened =
                    tokio::fs::File::open(&path)
                        .await
                        .map_err(|error| Error::Invalid {
                            message: format!("{} cannot be read: {error}", path.display()),
                            help: String::new(),
                        })?;
                let (writer, body) = upload_source::channel(FILE_CHUNKS_AHEAD);
                let file = V::Stream(Some(path.to_string_lossy().into_owned()));
                (file, Values::with_source(body), Some((opened, writer)))
            }
        };
        let mut form = vec![("file".to_owned(), file)];
        if let V::Object(fields) = json_value(options)? {
            form.extend(fields);
        }
        let request = self.request(UPLOAD, &values, [V::Object(form)])?;
        drop(values);
        // Read only once the request is built: a refused upload never reads the file.
        if let Some((opened, writer)) = reader {
            tokio::spawn(read_into(opened, writer));
        }
        decode(self.send_counted(UPLOAD, request, progress).await?)
    }

    /// One page of files and folders.
    pub async fn list_files(&self, options: &ListFiles) -> Result<Vec<FileObject>, Error> {
        let request = self.request(LIST_FILES, &Values::default(), [json_value(options)?])?;
        decode(self.send(LIST_FILES, request).await?)
    }

    /// One file's details.
    pub async fn get_file_details(&self, file_id: &str) -> Result<FileObject, Error> {
        let request = self.request(GET_FILE_DETAILS, &Values::default(), [V::str(file_id)])?;
        decode(self.send(GET_FILE_DETAILS, request).await?)
    }

    /// Deletes a file and all its versions.
    pub async fn delete_file(&self, file_id: &str) -> Result<(), Error> {
        let request = self.request(DELETE_FILE, &Values::default(), [V::str(file_id)])?;
        self.send(DELETE_FILE, request).await.map(drop)
    }

    /// Creates `folder_name` under `parent_folder_path` (`/` for the root).
    pub async fn create_folder(
        &self,
        folder_name: &str,
        parent_folder_path: &str,
    ) -> Result<(), Error> {
        let options = V::object([
            ("folderName", V::str(folder_name)),
            ("parentFolderPath", V::str(parent_folder_path)),
        ]);
        let request = self.request(CREATE_FOLDER, &Values::default(), [options])?;
        self.send(CREATE_FOLDER, request).await.map(drop)
    }

    /// Any operation, by the Node SDK's method name (`"getFileVersions"`,
    /// `"bulkAddTags"`, `"createUrlEndpoint"`...), with its arguments as JSON.
    pub async fn call(&self, method: &str, args: &[serde_json::Value]) -> Result<Response, Error> {
        let operation = api::operation(method).ok_or_else(|| Error::Invalid {
            message: format!("no method is named {method}"),
            help: String::new(),
        })?;
        let request = {
            let values = Values::default();
            let args: Vec<V> = args.iter().map(V::from_json).collect();
            self.request_with(operation, &values, args)?
        };
        let response = self.send(operation, request).await?;
        let body = if response.body.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_slice(&response.body).map_err(|error| Error::Decode {
                message: error.to_string(),
            })?
        };
        Ok(Response {
            status: response.status,
            headers: response.headers,
            body,
        })
    }

    fn request<const N: usize>(
        &self,
        operation: &Operation,
        values: &Values,
        args: [V; N],
    ) -> Result<ApiRequest, Error> {
        self.request_with(operation, values, args.into())
    }

    /// The request `operation` makes for `args`: checked and built by its declaration.
    fn request_with(
        &self,
        operation: &Operation,
        values: &Values,
        args: Vec<V>,
    ) -> Result<ApiRequest, Error> {
        let options = values.put(self.declared.clone());
        let args: Vec<usize> = args.into_iter().map(|arg| values.put(arg)).collect();
        api::request(values, operation, options, &args).map_err(Error::from)
    }

    async fn send(&self, operation: &Operation, request: ApiRequest) -> Result<ApiResponse, Error> {
        self.send_counted(operation, request, None).await
    }

    async fn send_counted(
        &self,
        operation: &Operation,
        request: ApiRequest,
        progress: Option<&Arc<http::Progress>>,
    ) -> Result<ApiResponse, Error> {
        let outcome = self
            .http
            .send(
                request,
                &self.options.private_key,
                &self.options.limits,
                operation.repeat,
                self.log.as_deref(),
                progress,
            )
            .await;
        api::answer(outcome).map_err(Error::from)
    }
}

/// Options as the JavaScript object the Node SDK would be given.
fn json_value(options: &impl Serialize) -> Result<V, Error> {
    serde_json::to_value(options)
        .map(|json| V::from_json(&json))
        .map_err(|error| Error::Invalid {
            message: error.to_string(),
            help: String::new(),
        })
}

fn decode<T: serde::de::DeserializeOwned>(response: ApiResponse) -> Result<T, Error> {
    serde_json::from_slice(&response.body).map_err(|error| Error::Decode {
        message: error.to_string(),
    })
}

/// Streams a file into an upload's body; a read that fails fails the upload (the body is
/// never completed, so a truncated file is never stored).
async fn read_into(mut file: tokio::fs::File, mut writer: SourceWriter) {
    use tokio::io::AsyncReadExt;
    let Some(chunks) = writer.chunks() else {
        return;
    };
    loop {
        // Read into spare capacity: nothing is zeroed first, and each chunk is handed on
        // without a copy.
        let mut buffer = BytesMut::with_capacity(FILE_CHUNK);
        match file.read_buf(&mut buffer).await {
            Ok(0) => return writer.end(),
            Ok(_) => {
                if !chunks.send(buffer.freeze()).await {
                    // The request is gone (failed or aborted): nothing to read for.
                    return;
                }
            }
            Err(_) => return writer.fail(),
        }
    }
}

fn now_seconds() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs() as f64)
}
