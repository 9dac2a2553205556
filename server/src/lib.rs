//! A local, offline stand-in for ImageKit's upload API, media API and
//! delivery CDN, faithful enough that a program tested against it behaves the
//! same against ImageKit. See README.md for the endpoints and the admin API.

pub mod access;
pub mod account_records;
pub mod admin;
pub mod admin_page;
pub mod app;
pub mod auth;
pub mod bulk_jobs;
pub mod config;
pub mod custom_metadata;
pub mod delivery;
pub mod error;
pub mod extract;
pub mod faults;
pub mod fetch;
pub mod files;
pub mod folders;
pub mod ids;
pub mod imaging;
pub mod layers;
pub mod library;
pub mod paths;
pub mod purge;
pub mod rate_limit;
pub mod request_log;
pub mod search_query;
pub mod server;
pub mod storage;
pub mod timestamp;
pub mod upload;
pub mod usage;

pub use config::Config;
pub use server::{start, ServerHandle};
