//! The usage records: each delivery request recorded in today's (saved within
//! a second, not per request), aggregated per distinct combination of its
//! attributes so the records stay small; and the totals and analytics the
//! usage endpoints answer with.

use std::cmp::Reverse;
use std::collections::{HashMap, HashSet};

use serde_json::{json, Value};

use crate::library::error::{LibraryError, LibraryResult};
use crate::storage::{DeliveryKind, DeliveryStat, State as Library, Store};
use crate::timestamp::{now_ms, parse_date, to_iso, utc_date};

/// Distinct delivery combinations kept per day; beyond it only the day's
/// totals grow.
const MAX_COMBINATIONS: usize = 10_000;
/// Longest referrer or user agent kept.
const MAX_HEADER_CHARS: usize = 200;

/// One delivery request, as `delivery` reports it.
pub struct Delivery {
    pub kind: DeliveryKind,
    pub bytes: u64,
}

fn clip(s: Option<String>) -> Option<String> {
    s.map(|s| s.chars().take(MAX_HEADER_CHARS).collect())
}

/// Adds one delivery request to today's record.
pub fn record(store: &Store, delivery: Delivery) {
    let Delivery { mut kind, bytes } = delivery;
    kind.referrer = clip(kind.referrer);
    kind.user_agent = clip(kind.user_agent);
    let key = [
        kind.status.to_string().as_str(),
        &kind.endpoint,
        &kind.content_type,
        kind.transformation.as_deref().unwrap_or("\u{0}"),
        kind.referrer.as_deref().unwrap_or("\u{0}"),
        kind.user_agent.as_deref().unwrap_or("\u{0}"),
        &kind.path,
    ]
    .join("\u{1f}");
    store.change_soon(|state| {
        let day = state.usage.entry_or_default(utc_date(now_ms()));
        day.bandwidth_bytes = day.bandwidth_bytes.saturating_add(bytes);
        day.request_count = day.request_count.saturating_add(1);
        if day.deliveries.len() < MAX_COMBINATIONS || day.deliveries.contains_key(&key) {
            let stat = day.deliveries.entry_or_insert_with(key, || DeliveryStat {
                kind,
                requests: 0,
                bytes: 0,
            });
            stat.requests = stat.requests.saturating_add(1);
            stat.bytes = stat.bytes.saturating_add(bytes);
        }
    });
}

/// Entries of each `by*` list.
const TOP: usize = 10;

/// Longest range, in days, either endpoint accepts (exclusive bound).
const MAX_RANGE_DAYS: i64 = 90;

/// A checked date range, as days since the epoch.
pub struct Range {
    pub start: i64,
    pub end: i64,
}

fn date(key: &str, value: Option<&str>) -> LibraryResult<i64> {
    let value = value.filter(|v| !v.is_empty()).ok_or_else(|| {
        LibraryError::invalid(format!("Missing {key} parameter for this request"))
    })?;
    parse_date(value).ok_or_else(|| {
        LibraryError::invalid(format!(
            "Invalid {key}: \"{value}\". It should be a valid date in YYYY-MM-DD format."
        ))
    })
}

/// Both dates given and valid (`YYYY-MM-DD`), `start` before `end` (or on the same
/// day when `same_day_ok`), less than 90 days apart.
pub fn range(start: Option<&str>, end: Option<&str>, same_day_ok: bool) -> LibraryResult<Range> {
    let start = date("startDate", start)?;
    let end = date("endDate", end)?;
    if end < start || (end == start && !same_day_ok) {
        return Err(LibraryError::invalid(if same_day_ok {
            "Invalid date range: startDate should not be after endDate."
        } else {
            "Invalid date range: startDate should be before endDate."
        }));
    }
    if end - start >= MAX_RANGE_DAYS {
        return Err(LibraryError::invalid(format!(
            "Invalid date range: the difference between startDate and endDate should be less than {MAX_RANGE_DAYS} days."
        )));
    }
    Ok(Range { start, end })
}

/// The bandwidth of the days `[from, to)` and the media library's storage
/// figure on `last_day`.
pub fn totals(state: &Library, from: &str, to: &str, last_day: &str) -> (u64, u64) {
    let bandwidth = state
        .usage
        .range(from.to_string()..to.to_string())
        .map(|(_, day)| day.bandwidth_bytes)
        .fold(0, u64::saturating_add);
    (bandwidth, state.storage_on(last_day))
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

/// The usage-analytics answer for the days `start` to `end`, both included.
pub fn analytics(state: &Library, start: &str, end: &str) -> Value {
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
