//! The route table (each area's routes come from its own module's
//! `router()`), start-up, and the connection loop. `App` lives in `app`, the
//! middleware in `layers`.
//!
//! The server runs its own accept loop (instead of `axum::serve`) so that a
//! fault rule can drop a connection without answering: each connection gets a
//! kill switch that the fault middleware can pull.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::{watch, Notify};
use tokio::task::JoinSet;
use tower::ServiceExt;

use crate::access::{self, AllowedHosts};
use crate::app::{App, ConnectionContext};
use crate::auth::UsedTokens;
use crate::config::Config;
use crate::faults::FaultSet;
use crate::fetch::{Downloader, Poster};
use crate::library::events::Events;
use crate::rate_limit::RateLimiter;
use crate::request_log::RequestLog;
use crate::storage::Store;
use crate::webhooks::{self, signing, Webhooks};
use crate::{library, routes};

/// The connection buffer, which bounds the request head hyper will read.
pub const MAX_BUFFERED_HEAD: usize = 256 * 1024;

/// A running server.
pub struct ServerHandle {
    pub addr: SocketAddr,
    pub app: Arc<App>,
    shutdown: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl ServerHandle {
    /// The JSON object printed as the first line of stdout.
    pub fn endpoints(&self) -> serde_json::Value {
        json!({
            "apiEndpoint": self.app.origin,
            "uploadEndpoint": format!("{}/api/v1/files/upload", self.app.origin),
            "urlEndpoint": self.app.url_endpoint,
            "publicKey": self.app.config.public_key,
            "privateKey": self.app.config.private_key,
            "webhookSecret": self.app.webhooks.secret(),
        })
    }

    /// Stops accepting, lets in-flight requests finish (briefly), saves state.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        let _ = self.task.await;
        if let Err(e) = self.app.store.close().await {
            eprintln!("imagekit-local-server: could not save state: {e}");
        }
    }
}

pub async fn start(config: Config) -> io::Result<ServerHandle> {
    let loopback = config
        .host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<std::net::IpAddr>()
        .map_or(config.host.eq_ignore_ascii_case("localhost"), |ip| {
            ip.is_loopback()
        });
    if !loopback && config.uses_default_keys() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "--host {} is reachable from other machines, and the default keys are public: give your own --public-key and --private-key",
                config.host
            ),
        ));
    }
    let store = Arc::new(match &config.data_dir {
        Some(dir) => Store::open(dir)
            .map_err(|e| io::Error::new(e.kind(), format!("--data-dir {}: {e}", dir.display())))?,
        None => Store::memory(),
    });
    let bind = (
        config.host.trim_start_matches('[').trim_end_matches(']'),
        config.port,
    );
    let listener = TcpListener::bind(bind).await.map_err(|e| {
        io::Error::new(
            e.kind(),
            format!("could not listen on {}:{}: {e}", config.host, config.port),
        )
    })?;
    let addr = listener.local_addr()?;
    let origin = config.origin(addr.port());
    let url_endpoint = format!("{origin}/{}", config.imagekit_id);
    let (events, published) = Events::channel();
    let webhooks = Arc::new(Webhooks::new(
        webhooks::Settings {
            secret: config.webhook_secret.clone().unwrap_or_else(|| {
                if config.uses_default_keys() {
                    signing::DEFAULT_SECRET.to_string()
                } else {
                    signing::generate_secret()
                }
            }),
            endpoints: config.webhooks.clone(),
            attempts: config.webhook_attempts,
            retry_delay: config.webhook_retry_delay,
            timeout: config.webhook_timeout,
        },
        Poster::new(&config, format!("{url_endpoint}/"), config.webhook_timeout)?,
        Box::new(routes::views::WebhookViews {
            url_endpoint: url_endpoint.clone(),
        }),
    )?);
    webhooks.listen(published);
    let app = Arc::new(App {
        downloader: Downloader::new(&config, format!("{url_endpoint}/"))?,
        hosts: AllowedHosts::new(&config, addr.ip(), addr.port()),
        tokens: UsedTokens::default(),
        requests: RequestLog::default(),
        events,
        webhooks,
        url_endpoint,
        origin,
        faults: FaultSet::new(config.faults.clone()),
        rate_limit: RateLimiter::new(config.rate_limit),
        store: store.clone(),
        config,
    });
    library::jobs::resume(&app.store, &app.events, app.config.job_delay)
        .await
        .map_err(|e| io::Error::other(format!("could not resume the pending bulk jobs: {e}")))?;
    tokio::spawn(store.clone().save_soon_loop());
    tokio::spawn(store.persist_loop());
    let (shutdown, shutdown_rx) = watch::channel(false);
    let task = tokio::spawn(accept_loop(
        listener,
        routes::router(app.clone()),
        shutdown_rx,
    ));
    Ok(ServerHandle {
        addr,
        app,
        shutdown,
        task,
    })
}

async fn accept_loop(listener: TcpListener, router: Router, mut shutdown: watch::Receiver<bool>) {
    let mut connections = JoinSet::new();
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                // Out of file descriptors and the like: back off, keep serving.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = shutdown.changed() => break,
        };
        let _ = stream.set_nodelay(true);
        // Reap finished connection tasks so the set does not grow forever.
        while connections.try_join_next().is_some() {}
        let context = ConnectionContext {
            peer,
            kill: Arc::new(Notify::new()),
        };
        let kill = context.kill.clone();
        let service = router.clone().map_request(
            move |mut request: hyper::Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(context.clone());
                request
            },
        );
        let mut stop = shutdown.clone();
        connections.spawn(async move {
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(Duration::from_secs(30))
                // A client that shuts down its sending side still gets its answer.
                .half_close(true)
                // Above `access::limit_head`'s limits, so those get ImageKit's shape.
                .max_buf_size(MAX_BUFFERED_HEAD)
                .max_headers(4 * access::MAX_HEADERS)
                .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
            tokio::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                // Dropping the connection closes the socket with no answer.
                _ = kill.notified() => {}
                _ = stop.changed() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = tokio::time::timeout(Duration::from_secs(5), connection).await;
                }
            }
        });
    }
    // Give in-flight requests a moment, then abandon the rest.
    let _ = tokio::time::timeout(Duration::from_secs(6), async {
        while connections.join_next().await.is_some() {}
    })
    .await;
}
