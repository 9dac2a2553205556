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
use serde_json::{json, Value};

use crate::app::App;
use crate::library::usage;
use crate::routes::error::{ApiError, ApiResult};
use crate::routes::extract::QueryMap;
use crate::timestamp::{date_from_days, parse_date};
use axum::routing;
use axum::Router;

/// Longest range, in days, either endpoint accepts (exclusive bound).
const MAX_RANGE_DAYS: i64 = 90;

/// A validated date range, as days since the epoch.
struct Range {
    start: i64,
    end: i64,
}

fn date_param(q: &QueryMap, key: &str) -> ApiResult<i64> {
    let value = q.get(key).filter(|v| !v.is_empty()).ok_or_else(|| {
        ApiError::bad_request(format!("Missing {key} parameter for this request"))
    })?;
    parse_date(value).ok_or_else(|| {
        ApiError::bad_request(format!(
            "Invalid {key}: \"{value}\". It should be a valid date in YYYY-MM-DD format."
        ))
    })
}

/// Both dates required and valid, `startDate` before `endDate` (or on the
/// same day when `same_day_ok`), less than 90 days apart.
fn range(q: &QueryMap, same_day_ok: bool) -> ApiResult<Range> {
    let start = date_param(q, "startDate")?;
    let end = date_param(q, "endDate")?;
    if end < start || (end == start && !same_day_ok) {
        return Err(ApiError::bad_request(if same_day_ok {
            "Invalid date range: startDate should not be after endDate."
        } else {
            "Invalid date range: startDate should be before endDate."
        }));
    }
    if end - start >= MAX_RANGE_DAYS {
        return Err(ApiError::bad_request(format!(
            "Invalid date range: the difference between startDate and endDate should be less than {MAX_RANGE_DAYS} days."
        )));
    }
    Ok(Range { start, end })
}

/// `GET /v1/accounts/usage?startDate&endDate`, endDate excluded.
pub async fn usage(State(app): State<Arc<App>>, q: QueryMap) -> ApiResult<Json<Value>> {
    let Range { start, end } = range(&q, false)?;
    let (from, to) = (date_from_days(start), date_from_days(end));
    let last_day = date_from_days(end - 1);
    let (bandwidth, storage) = usage::totals(&app.store.read(), &from, &to, &last_day);
    Ok(Json(json!({
        "bandwidthBytes": bandwidth,
        "mediaLibraryStorageBytes": storage,
        "videoProcessingUnitsCount": 0,
        "extensionUnitsCount": 0,
        "originalCacheStorageBytes": 0,
    })))
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
