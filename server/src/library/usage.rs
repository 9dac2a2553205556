//! Recording each delivery request in today's usage record (saved within a
//! second, not per request), aggregated per distinct combination of its
//! attributes so the records stay small.

use crate::storage::{DeliveryKind, DeliveryStat, Store};
use crate::timestamp::{now_ms, utc_date};

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
        let day = state.usage.entry(utc_date(now_ms())).or_default();
        day.bandwidth_bytes = day.bandwidth_bytes.saturating_add(bytes);
        day.request_count = day.request_count.saturating_add(1);
        if day.deliveries.len() < MAX_COMBINATIONS || day.deliveries.contains_key(&key) {
            let stat = day.deliveries.entry(key).or_insert_with(|| DeliveryStat {
                kind,
                requests: 0,
                bytes: 0,
            });
            stat.requests = stat.requests.saturating_add(1);
            stat.bytes = stat.bytes.saturating_add(bytes);
        }
    });
}
