//! Cache purge requests. There is no cache here, so a purge only records the
//! request; it reports Pending until the configured delay has passed, like
//! ImageKit's asynchronous purges.

use std::sync::Arc;

use crate::routes::extract::Path;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::app::App;
use crate::library;
use crate::routes::error::{ApiError, ApiResult};
use crate::routes::extract::JsonBody;
use crate::timestamp::now_ms;
use axum::routing;
use axum::Router;

#[derive(Deserialize)]
pub struct PurgeBody {
    url: Option<Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Submitted {
    request_id: String,
}

#[derive(Serialize)]
pub struct PurgeStatus {
    status: &'static str,
}

pub async fn create(
    State(app): State<Arc<App>>,
    JsonBody(body): JsonBody<PurgeBody>,
) -> ApiResult<(StatusCode, Json<Submitted>)> {
    let url = body
        .url
        .as_ref()
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
        .ok_or_else(|| {
            ApiError::bad_request("Invalid url parameter. It should be the full URL to purge.")
        })?;
    let request_id = library::purge(&app.store, app.config.purge_delay, url).await?;
    Ok((StatusCode::CREATED, Json(Submitted { request_id })))
}

pub async fn status(
    State(app): State<Arc<App>>,
    Path(request_id): Path<String>,
) -> ApiResult<Json<PurgeStatus>> {
    let status = library::purge_status(&app.store.read(), &request_id, now_ms())?;
    Ok(Json(PurgeStatus { status }))
}

/// The cache purge routes.
pub fn router() -> Router<Arc<App>> {
    Router::new()
        .route("/v1/files/purge", routing::post(create))
        .route("/v1/files/purge/{request_id}", routing::get(status))
}
