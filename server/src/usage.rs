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

use std::cmp::Reverse;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use crate::app::App;
use crate::error::{ApiError, ApiResult};
use crate::extract::QueryMap;
use crate::storage::{DeliveryStat, State as Library};
use crate::timestamp::{date_from_days, now_ms, parse_date, to_iso};
use axum::routing;
use axum::Router;

/// Longest range, in days, either endpoint accepts (exclusive bound).
const MAX_RANGE_DAYS: i64 = 90;
/// Entries of each `by*` list.
const TOP: usize = 10;

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
    app.store.settle_storage();
    let state = app.store.read();
    let bandwidth: u64 = state
        .usage
        .range(from..to)
        .map(|(_, day)| day.bandwidth_bytes)
        .fold(0, u64::saturating_add);
    let storage = state.storage_on(&date_from_days(end - 1));
    Ok(Json(json!({
        "bandwidthBytes": bandwidth,
        "mediaLibraryStorageBytes": storage,
        "videoProcessingUnitsCount": 0,
        "extensionUnitsCount": 0,
        "originalCacheStorageBytes": 0,
    })))
}

/// Bytes and requests per name, for a `{byBandwidth, byRequests}` group.
#[derive(Default)]
struct Tally(HashMap<String, (u64, u64)>);

impl Tally {
    fn add(&mut self, name: &str, stat: &DeliveryStat) {
        let entry = self.0.entry(name.to_string()).or_default();
        entry.0 = entry.0.saturating_add(stat.bytes);
        entry.1 = entry.1.saturating_add(stat.requests);
    }

    fn sorted(&self, by_bytes: bool) -> Vec<Value> {
        let mut rows: Vec<(&String, &(u64, u64))> = self.0.iter().collect();
        rows.sort_by_key(|(name, (bytes, requests))| {
            let primary = if by_bytes { *bytes } else { *requests };
            let secondary = if by_bytes { *requests } else { *bytes };
            (Reverse(primary), Reverse(secondary), (*name).clone())
        });
        rows.into_iter()
            .take(TOP)
            .map(|(name, (bytes, requests))| {
                json!({ "name": name, "bandwidthBytes": bytes, "requestCount": requests })
            })
            .collect()
    }

    fn group(&self) -> Value {
        json!({ "byBandwidth": self.sorted(true), "byRequests": self.sorted(false) })
    }

    /// `[{name, requestCount}]`, most requests first.
    fn counts(&self, limit: usize) -> Vec<Value> {
        let mut rows: Vec<(&String, u64)> = self.0.iter().map(|(n, (_, r))| (n, *r)).collect();
        rows.sort_by_key(|(name, requests)| (Reverse(*requests), (*name).clone()));
        rows.into_iter()
            .take(limit)
            .map(|(name, requests)| json!({ "name": name, "requestCount": requests }))
            .collect()
    }
}

fn empty_group() -> Value {
    json!({ "byBandwidth": [], "byRequests": [] })
}

fn analytics_json(state: &Library, start: &str, end: &str) -> Value {
    let mut bandwidth = 0u64;
    let mut requests = 0u64;
    let (mut hits, mut misses, mut errors) = (0u64, 0u64, 0u64);
    let mut statuses = Tally::default();
    let mut formats = Tally::default();
    let mut images = Tally::default();
    let mut videos = Tally::default();
    let mut others = Tally::default();
    let mut image_transforms = Tally::default();
    let mut video_transforms = Tally::default();
    let mut not_found = Tally::default();
    let mut endpoints = Tally::default();
    let mut referrers = Tally::default();
    let mut user_agents = Tally::default();
    for (_, day) in state.usage.range(start.to_string()..=end.to_string()) {
        bandwidth = bandwidth.saturating_add(day.bandwidth_bytes);
        requests = requests.saturating_add(day.request_count);
        let mut cached: HashSet<(&str, Option<&str>)> = HashSet::new();
        let mut stats: Vec<&DeliveryStat> = day.deliveries.values().collect();
        // A deterministic order for the first-request-is-a-miss rule.
        stats.sort_by(|a, b| {
            a.kind
                .path
                .cmp(&b.kind.path)
                .then(b.requests.cmp(&a.requests))
        });
        for stat in stats {
            let ok = stat.kind.status < 400;
            if ok {
                if cached.insert((&stat.kind.path, stat.kind.transformation.as_deref())) {
                    misses += 1;
                    hits += stat.requests.saturating_sub(1);
                } else {
                    hits += stat.requests;
                }
            } else {
                errors += stat.requests;
            }
            statuses.add(&stat.kind.status.to_string(), stat);
            formats.add(&stat.kind.content_type, stat);
            endpoints.add(&stat.kind.endpoint, stat);
            if let Some(referrer) = &stat.kind.referrer {
                referrers.add(referrer, stat);
            }
            if let Some(agent) = &stat.kind.user_agent {
                user_agents.add(agent, stat);
            }
            if stat.kind.status == 404 {
                not_found.add(&stat.kind.path, stat);
            }
            if !ok {
                continue;
            }
            let (assets, transforms) = if stat.kind.content_type.starts_with("image/") {
                (&mut images, Some(&mut image_transforms))
            } else if stat.kind.content_type.starts_with("video/") {
                (&mut videos, Some(&mut video_transforms))
            } else {
                (&mut others, None)
            };
            assets.add(&stat.kind.path, stat);
            if let (Some(transforms), Some(tr)) = (transforms, &stat.kind.transformation) {
                transforms.add(tr, stat);
            }
        }
    }
    json!({
        "startDate": start,
        "endDate": end,
        "generatedAt": to_iso(now_ms()),
        "bandwidthBytes": bandwidth,
        "requestCount": requests,
        "cache": { "hitCount": hits, "missCount": misses, "errorCount": errors },
        "statusCodes": statuses.counts(usize::MAX),
        "format": formats.group(),
        "topImages": images.group(),
        "topOtherAssets": others.group(),
        "topVideos": videos.group(),
        "topImageTransforms": image_transforms.group(),
        "topVideoTransforms": video_transforms.group(),
        "top404Assets": not_found.counts(TOP),
        "urlEndpoints": endpoints.group(),
        "browser": empty_group(),
        "country": empty_group(),
        "device": empty_group(),
        "topReferrers": referrers.group(),
        "topUserAgents": user_agents.group(),
        "errorReasons": [],
        "extensions": [],
        "videoProcessing": [],
    })
}

/// `GET /v1/accounts/usage-analytics?startDate&endDate`, both included.
pub async fn analytics(State(app): State<Arc<App>>, q: QueryMap) -> ApiResult<Json<Value>> {
    let Range { start, end } = range(&q, true)?;
    let state = app.store.read();
    Ok(Json(analytics_json(
        &state,
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
