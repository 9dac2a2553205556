//! The HTTP layer: each area's routes (thin handlers: typed bodies in,
//! `Serialize` views out, the library's errors mapped to ImageKit's), the
//! middleware (`layers`), the extractors (`extract`) and the error type every
//! handler returns (`error`). The domain rules live in `library`.

pub mod account_records;
pub mod admin;
pub mod bulk_jobs;
pub mod custom_metadata_fields;
pub mod delivery;
pub mod error;
pub mod extract;
pub mod files;
pub mod folders;
pub mod layers;
pub mod purge;
pub mod upload;
pub mod usage;
pub mod v2;
pub mod views;

use std::sync::Arc;

use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::IntoResponse;
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;

use crate::app::App;
use error::ApiError;

/// The whole route table: each area's routes from its module, the media API
/// behind the private key and the rate limit, and the layers every request
/// passes (see `layers`).
pub fn router(app: Arc<App>) -> Router {
    let media = Router::new()
        .merge(files::router())
        .merge(purge::router())
        .merge(folders::router())
        .merge(bulk_jobs::router())
        .merge(custom_metadata_fields::router())
        .merge(account_records::router())
        .merge(usage::router())
        .merge(v2::router())
        .route_layer(from_fn_with_state(app.clone(), layers::require_private_key))
        .route_layer(from_fn_with_state(app.clone(), layers::rate_limit));
    let imagekit = media
        .merge(upload::router(&app))
        .merge(delivery::router(&app))
        .fallback(|| async { ApiError::not_found("The requested route does not exist.") })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed.into_response() })
        .layer(from_fn(layers::run_to_completion))
        .layer(from_fn_with_state(app.clone(), layers::inject_faults));
    Router::new()
        .merge(admin::router(&app))
        .merge(imagekit)
        .layer(from_fn_with_state(app.clone(), layers::record_request))
        .layer(from_fn_with_state(app.clone(), layers::require_own_host))
        .layer(from_fn(layers::limit_head))
        .layer(from_fn(upload::body::drain_unread_uploads))
        .layer(CatchPanicLayer::custom(
            |_: Box<dyn std::any::Any + Send>| {
                ApiError::internal("The server failed on this request (a bug: please report it).")
                    .into_response()
            },
        ))
        .with_state(app)
}
