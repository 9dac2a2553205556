//! A local, offline stand-in for ImageKit's upload API, media API and
//! delivery CDN, faithful enough that a program tested against it behaves the
//! same against ImageKit. See README.md for the endpoints and the admin API.

pub mod access;
pub mod app;
pub mod auth;
pub mod config;
pub mod faults;
pub mod fetch;
pub mod ids;
pub mod imaging;
pub mod library;
pub mod paths;
pub mod paths_v2;
pub mod rate_limit;
pub mod request_log;
pub mod routes;
pub mod server;
pub mod storage;
pub mod timestamp;
pub mod webhooks;

pub use config::Config;
pub use server::{start, ServerHandle};
