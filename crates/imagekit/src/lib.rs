//! ImageKit.io's client in Rust, the core of the `imagekit` Node.js SDK's native addon.

pub mod api;
pub mod ecma;
pub mod errors;
pub mod http;
pub mod js;
pub mod log;
pub mod media;
pub mod phash;
pub mod signature;
pub mod transformation;
pub mod upload_source;
pub mod url;
pub mod webhook;
