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

use crate::config::Config;
use crate::error::ApiError;
use crate::faults::FaultSet;
use crate::rate_limit::RateLimiter;
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
    pub http: reqwest::Client,
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
    // their credentials as form fields.
    let upload = Router::new()
        .route("/api/v1/files/upload", post(upload::upload))
        .route_layer(from_fn_with_state(app.clone(), rate_limit::enforce))
        .layer(DefaultBodyLimit::disable());

    let delivery = Router::new().route(
        &format!("/{}/{{*path}}", app.config.imagekit_id),
        get(delivery::serve),
    );

    let imagekit = media
        .merge(upload)
        .merge(delivery)
        .fallback(|| async { ApiError::not_found("The requested route does not exist.") })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed.into_response() })
        .layer(from_fn_with_state(app.clone(), faults::inject));

    Router::new()
        .merge(admin::router())
        .merge(imagekit)
        .with_state(app)
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
        if let Err(e) = self.app.store.flush().await {
            eprintln!("imagekit-local-server: could not save state: {e}");
        }
    }
}

pub async fn start(config: Config) -> io::Result<ServerHandle> {
    if ["v1", "api", "__admin"].contains(&config.imagekit_id.as_str()) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "--imagekit-id must not collide with the API paths (v1, api, __admin)",
        ));
    }
    let store = Arc::new(match &config.data_dir {
        Some(dir) => Store::open(dir)?,
        None => Store::memory(),
    });
    let listener = TcpListener::bind((config.host.as_str(), config.port)).await?;
    let addr = listener.local_addr()?;
    let origin = config.origin(addr.port());
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .build()
        .map_err(io::Error::other)?;
    let app = Arc::new(App {
        url_endpoint: format!("{origin}/{}", config.imagekit_id),
        origin,
        faults: FaultSet::new(config.faults.clone()),
        rate_limit: RateLimiter::new(config.rate_limit),
        http,
        store: store.clone(),
        config,
    });
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
