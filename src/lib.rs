//! ImageKit's Node.js SDK (`imagekit@6.0.0`) as a native addon: a pure-Rust core (one
//! module per domain) and a thin N-API layer in `binding`.

pub mod api;
pub mod errors;
pub mod http;
pub mod js;
pub mod log;
pub mod media;
pub mod phash;
pub mod retry;
pub mod signature;
pub mod tls;
pub mod transformation;
pub mod upload_source;
pub mod url;
pub mod webhook;

mod binding;
