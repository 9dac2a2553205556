//! The N-API layer: converts JavaScript values with JavaScript's rules and calls the core.

mod imagekit;
mod js;
mod media;
mod media_types;
mod node_errors;
mod request;
mod types;
mod upload_stream;
mod url_wire;
