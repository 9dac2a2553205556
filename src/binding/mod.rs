//! The N-API layer: converts JavaScript values with JavaScript's rules and calls the core.
//! `ffi` holds all of its raw N-API access.

mod abort;
mod account_types;
mod call;
mod class;
mod ffi;
mod folder;
mod folder_types;
mod helper;
mod helper_types;
mod host;
mod logging;
mod media_types;
mod methods;
mod outcome;
mod panic_probe;
mod progress;
mod shim;
mod types;
mod upload_stream;
