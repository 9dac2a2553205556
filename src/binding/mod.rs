//! The N-API layer: converts JavaScript values with JavaScript's rules and calls the core.

mod imagekit;
mod js;
mod node_errors;
mod url_wire;
