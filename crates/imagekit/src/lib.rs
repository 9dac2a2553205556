//! ImageKit.io's client in Rust: delivery URLs and their signatures, the media and upload
//! APIs, and webhooks. It is the core of the `imagekit` Node.js SDK's native addon
//! (`imagekit-native`), which converts JavaScript values and delegates everything here,
//! and it is usable on its own from a Rust program:
//!
//! ```no_run
//! use imagekit::{ImageKit, ListFiles, Options, UploadFile, UploadOptions};
//!
//! # async fn run() -> Result<(), imagekit::Error> {
//! let imagekit = ImageKit::new(Options::new(
//!     "public_...",
//!     "private_...",
//!     "https://ik.imagekit.io/your_id",
//! ))?;
//! let uploaded = imagekit
//!     .upload(
//!         UploadFile::Path("photo.jpg".into()),
//!         &UploadOptions { file_name: "photo.jpg".into(), ..Default::default() },
//!     )
//!     .await?;
//! let listed = imagekit.list_files(&ListFiles { path: Some("/".into()), ..Default::default() }).await?;
//! # Ok(()) }
//! ```
//!
//! The layers, each depending only on those above it:
//! - domain: [`url`], [`transformation`], [`signature`], [`phash`], [`webhook`], [`media`],
//!   [`ecma`] (the ECMAScript conversions v6's strings depend on) and [`messages`] (v6's
//!   messages): pure functions of Rust values;
//! - transport: [`http`] (one client per account: TLS, retries, timeouts, limits),
//!   [`log`] and [`upload_source`] (an upload's body streamed from its source);
//! - the API: [`api`], every operation of the SDK declared as data, with v6's checks, read
//!   through [`js::Host`], the one trait that knows JavaScript's semantics;
//! - the typed client: [`ImageKit`] and its one error, [`Error`]; on it, [`folder_upload`],
//!   a local folder into the library.

pub mod api;
mod client;
pub mod ecma;
mod error;
pub mod folder_upload;
pub mod helper;
pub mod http;
pub mod js;
pub mod log;
pub mod media;
pub mod messages;
pub mod phash;
pub mod signature;
pub mod standard_webhook;
pub mod transformation;
pub mod upload_source;
pub mod url;
pub mod webhook;

pub use client::{
    AuthenticationParameters, FileObject, ImageKit, ListFiles, Options, Response, UploadFile,
    UploadOptions, UrlOptions,
};
pub use error::{Error, RateLimit};
pub use http::limits::Policy;
