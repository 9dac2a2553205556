//! The record of webhook deliveries, for the admin API and page: each with
//! its event, endpoint, attempts, last status or error and state, the most
//! recent few hundred kept (in memory only).

use std::collections::VecDeque;
use std::sync::Arc;

use parking_lot::Mutex;
use serde::Serialize;

use crate::request_log::redact;
use crate::timestamp::{now_ms, to_iso};

/// How many deliveries the record keeps.
pub const CAPACITY: usize = 200;

/// Where a delivery goes, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Target {
    /// A configured endpoint (`--webhook`, the admin API) that wants the event.
    Endpoint,
    /// The `webhookUrl` of the upload the event is about.
    WebhookUrl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum DeliveryState {
    /// Not yet answered with a 2xx; another attempt is due.
    Pending,
    /// Answered with a 2xx.
    Delivered,
    /// Every attempt failed, or the URL was refused.
    Failed,
}

/// One event on its way to one URL.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub id: String,
    pub event_id: String,
    pub event_type: &'static str,
    pub url: String,
    pub target: Target,
    pub state: DeliveryState,
    pub attempts: u32,
    pub max_attempts: u32,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub next_attempt_at: Option<i64>,
}

impl Delivery {
    pub fn new(
        event_id: &str,
        event_type: &'static str,
        url: &str,
        target: Target,
        max_attempts: u32,
    ) -> Delivery {
        let now = now_ms();
        Delivery {
            id: crate::ids::new_id(),
            event_id: event_id.to_string(),
            event_type,
            url: url.to_string(),
            target,
            state: DeliveryState::Pending,
            attempts: 0,
            max_attempts,
            last_status: None,
            last_error: None,
            created_at: now,
            updated_at: now,
            next_attempt_at: Some(now),
        }
    }
}

/// A delivery as the admin API shows it: times in ISO 8601, and the values
/// of secret-bearing query parameters of the URL replaced by `…`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryView {
    id: String,
    event_id: String,
    event_type: &'static str,
    url: String,
    target: Target,
    state: DeliveryState,
    attempts: u32,
    max_attempts: u32,
    last_status: Option<u16>,
    last_error: Option<String>,
    created_at: String,
    updated_at: String,
    next_attempt_at: Option<String>,
}

impl From<&Delivery> for DeliveryView {
    fn from(d: &Delivery) -> Self {
        DeliveryView {
            id: d.id.clone(),
            event_id: d.event_id.clone(),
            event_type: d.event_type,
            url: redacted(&d.url),
            target: d.target,
            state: d.state,
            attempts: d.attempts,
            max_attempts: d.max_attempts,
            last_status: d.last_status,
            last_error: d.last_error.clone(),
            created_at: to_iso(d.created_at),
            updated_at: to_iso(d.updated_at),
            next_attempt_at: d.next_attempt_at.map(to_iso),
        }
    }
}

/// A URL with the values of secret-bearing query parameters replaced.
pub fn redacted(url: &str) -> String {
    match url.split_once('?') {
        Some((path, query)) => redact(path, Some(query)),
        None => url.to_string(),
    }
}

/// The recent deliveries, oldest first; each shared with the task sending it.
#[derive(Default)]
pub struct Deliveries(Mutex<VecDeque<Arc<Mutex<Delivery>>>>);

impl Deliveries {
    /// Records a new delivery, dropping the oldest beyond [`CAPACITY`] (a
    /// dropped one still being sent carries on, unlisted).
    pub fn add(&self, delivery: Delivery) -> Arc<Mutex<Delivery>> {
        let entry = Arc::new(Mutex::new(delivery));
        let mut list = self.0.lock();
        if list.len() == CAPACITY {
            list.pop_front();
        }
        list.push_back(entry.clone());
        entry
    }

    /// Newest first.
    pub fn recent(&self) -> Vec<DeliveryView> {
        self.0
            .lock()
            .iter()
            .rev()
            .map(|d| DeliveryView::from(&*d.lock()))
            .collect()
    }

    pub fn clear(&self) {
        self.0.lock().clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_most_recent_and_hides_secrets() {
        let deliveries = Deliveries::default();
        for i in 0..CAPACITY + 5 {
            deliveries.add(Delivery::new(
                &format!("e{i}"),
                "file.created",
                "http://h/hook?token=secret&x=1",
                Target::Endpoint,
                3,
            ));
        }
        let recent = deliveries.recent();
        assert_eq!(recent.len(), CAPACITY);
        let newest = serde_json::to_value(&recent[0]).unwrap();
        assert_eq!(newest["eventId"], format!("e{}", CAPACITY + 4));
        assert_eq!(newest["url"], "http://h/hook?token=…&x=1");
        assert_eq!(newest["state"], "pending");
        assert_eq!(newest["target"], "endpoint");
        deliveries.clear();
        assert!(deliveries.recent().is_empty());
    }
}
