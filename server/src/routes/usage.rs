//! The usage endpoints, over the per-day usage records.
//!
//! Every delivery request is recorded on its UTC day (response body bytes,
//! status, content type, file path, `tr` string, URL endpoint, referrer and
//! user agent) by `library::usage`, aggregated per distinct combination so
//! the records stay small. The media library's storage figure of the day is
//! kept up to date by the store after every change. `GET /v1/accounts/usage` sums a `[startDate, endDate)`
//! range; `GET /v1/accounts/usage-analytics` breaks an inclusive range down.
//!
//! There is no CDN cache here: within a day, the first successful request
//! for a path and transformation counts as a cache miss and later ones as
//! hits; requests answered with a status of 400 or more count as errors.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde::Serialize;
use serde_json::Value;

use crate::app::App;
use crate::library::usage::{self, Range};
use crate::routes::error::ApiResult;
use crate::routes::extract::QueryMap;
use crate::timestamp::date_from_days;
use axum::routing;
use axum::Router;

fn range(q: &QueryMap, same_day_ok: bool) -> ApiResult<Range> {
    Ok(usage::range(
        q.get("startDate"),
        q.get("endDate"),
        same_day_ok,
    )?)
}

/// The usage totals of a range.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Usage {
    bandwidth_bytes: u64,
    media_library_storage_bytes: u64,
    video_processing_units_count: u64,
    extension_units_count: u64,
    original_cache_storage_bytes: u64,
}

/// `GET /v1/accounts/usage?startDate&endDate`, endDate excluded.
pub async fn usage(State(app): State<Arc<App>>, q: QueryMap) -> ApiResult<Json<Usage>> {
    let Range { start, end } = range(&q, false)?;
    let (from, to) = (date_from_days(start), date_from_days(end));
    let last_day = date_from_days(end - 1);
    let (bandwidth, storage) = usage::totals(&app.store.read(), &from, &to, &last_day);
    Ok(Json(Usage {
        bandwidth_bytes: bandwidth,
        media_library_storage_bytes: storage,
        video_processing_units_count: 0,
        extension_units_count: 0,
        original_cache_storage_bytes: 0,
    }))
}

/// `GET /v1/accounts/usage-analytics?startDate&endDate`, both included.
pub async fn analytics(State(app): State<Arc<App>>, q: QueryMap) -> ApiResult<Json<Value>> {
    let Range { start, end } = range(&q, true)?;
    Ok(Json(usage::analytics(
        &app.store.read(),
        &date_from_days(start),
        &date_from_days(end),
    )))
}

/// The usage routes.
pub fn router() -> Router<Arc<App>> {
    Router::new()
        .route("/v1/accounts/usage", routing::get(usage))
        .route("/v1/accounts/usage-analytics", routing::get(analytics))
}
