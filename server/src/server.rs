//! Shared application state, the route table and the connection loop.
//!
//! The server runs its own accept loop (instead of `axum::serve`) so that a
//! fault rule can drop a connection without answering: each connection gets a
//! kill switch that the fault middleware can pull.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use axum::routing::{get, post, put};
use axum::Router;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::{watch, Notify};
use tokio::task::JoinSet;
use tower::ServiceExt;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowHeaders, AllowOrigin, CorsLayer};

use crate::access::{self, AllowedHosts};
use crate::auth::UsedTokens;
use crate::config::Config;
use crate::error::ApiError;
use crate::faults::FaultSet;
use crate::fetch::Downloader;
use crate::rate_limit::RateLimiter;
use crate::request_log::{self, RequestLog};
use crate::storage::Store;
use crate::{
    admin, auth, bulk_jobs, custom_metadata, delivery, faults, files, folders,
    named_transformations, origins, purge, rate_limit, saved_extensions, upload, url_endpoints,
    usage,
};

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
    /// `http://127.0.0.1:<port>`
    pub origin: String,
    /// `http://127.0.0.1:<port>/<imagekitId>`
    pub url_endpoint: String,
}

/// The connection buffer, which bounds the request head hyper will read.
pub const MAX_BUFFERED_HEAD: usize = 256 * 1024;

/// Per-connection facts, attached to every request on that connection.
#[derive(Clone)]
pub struct ConnectionContext {
    pub peer: SocketAddr,
    /// Notified to close the connection without a response.
    pub kill: Arc<Notify>,
}

pub fn router(app: Arc<App>) -> Router {
    let media = Router::new()
        .route("/v1/files", get(files::list))
        .route("/v1/files/", get(files::list))
        .route("/v1/files/{id}", axum::routing::delete(files::delete))
        .route(
            "/v1/files/{id}/details",
            get(files::details).patch(files::update_details),
        )
        .route("/v1/files/{id}/versions", get(files::versions))
        .route(
            "/v1/files/{id}/versions/{version_id}",
            get(files::version_details).delete(files::delete_version),
        )
        .route(
            "/v1/files/{id}/versions/{version_id}/restore",
            put(files::restore_version),
        )
        .route("/v1/files/{id}/metadata", get(files::metadata))
        .route("/v1/metadata", get(files::remote_metadata))
        .route("/v1/files/addTags", post(files::add_tags))
        .route("/v1/files/removeTags", post(files::remove_tags))
        .route("/v1/files/removeAITags", post(files::remove_ai_tags))
        .route("/v1/files/batch/deleteByFileIds", post(files::bulk_delete))
        .route("/v1/files/copy", post(files::copy))
        .route("/v1/files/move", post(files::move_file))
        .route("/v1/files/rename", put(files::rename))
        .route("/v1/files/purge", post(purge::create))
        .route("/v1/files/purge/{request_id}", get(purge::status))
        .route("/v1/folder", post(folders::create).delete(folders::delete))
        .route("/v1/bulkJobs/copyFolder", post(bulk_jobs::copy_folder))
        .route("/v1/bulkJobs/moveFolder", post(bulk_jobs::move_folder))
        .route("/v1/bulkJobs/renameFolder", post(bulk_jobs::rename_folder))
        .route("/v1/bulkJobs/{job_id}", get(bulk_jobs::status))
        .route(
            "/v1/customMetadataFields",
            get(custom_metadata::list).post(custom_metadata::create),
        )
        .route(
            "/v1/customMetadataFields/{id}",
            axum::routing::patch(custom_metadata::update).delete(custom_metadata::delete),
        )
        .route(
            "/v1/saved-extensions",
            get(saved_extensions::list).post(saved_extensions::create),
        )
        .route(
            "/v1/saved-extensions/{id}",
            get(saved_extensions::get)
                .patch(saved_extensions::update)
                .delete(saved_extensions::delete),
        )
        .route(
            "/v1/named-transformations",
            get(named_transformations::list).post(named_transformations::create),
        )
        .route(
            "/v1/named-transformations/{id}",
            get(named_transformations::get)
                .patch(named_transformations::update)
                .delete(named_transformations::delete),
        )
        .route(
            "/v1/accounts/origins",
            get(origins::list).post(origins::create),
        )
        .route(
            "/v1/accounts/origins/{id}",
            get(origins::get)
                .put(origins::update)
                .delete(origins::delete),
        )
        .route(
            "/v1/accounts/url-endpoints",
            get(url_endpoints::list).post(url_endpoints::create),
        )
        .route(
            "/v1/accounts/url-endpoints/{id}",
            get(url_endpoints::get)
                .put(url_endpoints::update)
                .delete(url_endpoints::delete),
        )
        .route("/v1/accounts/usage", get(usage::usage))
        .route("/v1/accounts/usage-analytics", get(usage::analytics))
        .route_layer(from_fn_with_state(app.clone(), auth::require_private_key))
        .route_layer(from_fn_with_state(app.clone(), rate_limit::enforce));

    // The upload authenticates inside the handler: client-side uploads carry
    // their credentials as form fields. Browsers upload from other origins,
    // so it answers CORS as ImageKit does. The body is bounded by the file
    // limit (base64 is 4/3 of it) plus the form fields.
    let body_limit = app
        .config
        .max_upload_bytes
        .saturating_mul(4)
        .saturating_div(3)
        .saturating_add(16 << 20);
    let upload = Router::new()
        .route(
            "/api/v1/files/upload",
            // The CORS layer answers preflights; OPTIONS is routed so it gets them.
            post(upload::upload).options(|| async { axum::http::StatusCode::NO_CONTENT }),
        )
        .route_layer(from_fn_with_state(app.clone(), rate_limit::enforce))
        .layer(DefaultBodyLimit::max(
            usize::try_from(body_limit).unwrap_or(usize::MAX),
        ))
        .layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::any())
                .allow_methods([Method::POST])
                .allow_headers(AllowHeaders::mirror_request())
                .max_age(Duration::from_secs(86_400)),
        );

    let delivery = Router::new().route(
        &format!("/{}/{{*path}}", app.config.imagekit_id),
        get(delivery::serve),
    );

    let imagekit = media
        .merge(upload)
        .merge(delivery)
        .fallback(|| async { ApiError::not_found("The requested route does not exist.") })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed.into_response() })
        .layer(axum::middleware::from_fn(run_to_completion))
        .layer(from_fn_with_state(app.clone(), faults::inject));

    Router::new()
        .merge(admin::router(app.clone()))
        .merge(imagekit)
        .layer(from_fn_with_state(app.clone(), request_log::record))
        .layer(from_fn_with_state(app.clone(), access::require_own_host))
        .layer(axum::middleware::from_fn(access::limit_head))
        .layer(CatchPanicLayer::custom(
            |_: Box<dyn std::any::Any + Send>| {
                ApiError::internal("The server failed on this request (a bug: please report it).")
                    .into_response()
            },
        ))
        .with_state(app)
}

/// Runs each request's handler as its own task, so a client that goes away
/// mid-request (hyper then drops the response future) cannot cut a change in
/// half: an upload whose bytes all arrived is stored, a delete removes its
/// blobs after the state is saved. A panic in the handler is a 500.
async fn run_to_completion(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    match tokio::spawn(next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            ApiError::internal("The server failed on this request (a bug: please report it).")
                .into_response()
        }
    }
}

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
    let app = Arc::new(App {
        downloader: Downloader::new(&config, format!("{url_endpoint}/"))?,
        hosts: AllowedHosts::new(&config, addr.ip(), addr.port()),
        tokens: UsedTokens::default(),
        requests: RequestLog::default(),
        url_endpoint,
        origin,
        faults: FaultSet::new(config.faults.clone()),
        rate_limit: RateLimiter::new(config.rate_limit),
        store: store.clone(),
        config,
    });
    bulk_jobs::resume(&app);
    tokio::spawn(store.clone().storage_loop());
    tokio::spawn(store.clone().save_soon_loop());
    tokio::spawn(store.persist_loop());
    let (shutdown, shutdown_rx) = watch::channel(false);
    let task = tokio::spawn(accept_loop(listener, router(app.clone()), shutdown_rx));
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
