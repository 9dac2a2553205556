//! What every handler shares: the configuration, the store, the fault rules
//! and rate limit, the URL downloader, the accepted host names, the used
//! upload tokens, the request log, the library's events and the webhooks;
//! and the facts of each connection.
//! Imports only the modules below the HTTP layer, so none of them imports it back.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::sync::Notify;

use crate::access::AllowedHosts;
use crate::auth::UsedTokens;
use crate::config::Config;
use crate::faults::FaultSet;
use crate::fetch::Downloader;
use crate::library::events::Events;
use crate::rate_limit::RateLimiter;
use crate::request_log::RequestLog;
use crate::storage::Store;
use crate::webhooks::Webhooks;

/// Everything a handler needs.
pub struct App {
    pub config: Config,
    pub store: Arc<Store>,
    pub faults: FaultSet,
    pub rate_limit: RateLimiter,
    /// URL downloads (uploads from a URL, metadata of a URL), address-checked.
    pub downloader: Downloader,
    /// The names requests may address the server by.
    pub hosts: AllowedHosts,
    /// Client-side upload tokens already used.
    pub tokens: UsedTokens,
    /// The recent requests, for the admin page.
    pub requests: RequestLog,
    /// Where the library publishes its events (the webhooks listen).
    pub events: Events,
    /// The webhook endpoints, secret and deliveries.
    pub webhooks: Arc<Webhooks>,
    /// `http://127.0.0.1:<port>`
    pub origin: String,
    /// `http://127.0.0.1:<port>/<imagekitId>`
    pub url_endpoint: String,
}

/// Per-connection facts, attached to every request on that connection.
#[derive(Clone)]
pub struct ConnectionContext {
    pub peer: SocketAddr,
    /// Notified to close the connection without a response.
    pub kill: Arc<Notify>,
}
