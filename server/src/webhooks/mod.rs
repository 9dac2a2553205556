//! Webhooks: the library's events, POSTed as ImageKit POSTs them (body
//! shapes in `payload`, signatures in `signing`) to the configured endpoints
//! that want them (`endpoints`) and, for an upload's `upload.*` events, to
//! its `webhookUrl`. Asynchronous: the request that caused an event only
//! queues it. Each delivery is tried up to `attempts` times, waiting
//! `retry_delay`, then twice that, and so on between tries, until a 2xx
//! answer, and recorded (`deliveries`) for the admin API and page.
//!
//! An upload's `webhookUrl` is named by an API client, so it obeys the URL
//! download rules (`fetch::Poster`: no loopback or private addresses unless
//! `--allow-private-urls` or `--allow-private-host`); the configured
//! endpoints are the operator's and may be anywhere. No redirect is followed.

pub mod deliveries;
pub mod endpoints;
pub mod payload;
pub mod signing;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::{Mutex, RwLock};
use serde::Serialize;
use tokio::sync::mpsc::UnboundedReceiver;

use crate::fetch::Poster;
use crate::library::events::Event;
use crate::timestamp::now_ms;
use deliveries::{Deliveries, Delivery, DeliveryState, DeliveryView, Target};
pub use endpoints::{Endpoint, EndpointSpec, EVENT_TYPES};
pub use payload::Render;

/// How webhooks are signed and sent.
#[derive(Debug, Clone)]
pub struct Settings {
    pub secret: String,
    pub endpoints: Vec<Endpoint>,
    /// Tries per delivery, the first included (at least 1).
    pub attempts: u32,
    /// The wait after the first failed try; doubled after each further one.
    pub retry_delay: Duration,
    /// The longest one try may take (connecting, sending, the answer's head).
    pub timeout: Duration,
}

/// The retry settings, as the admin API shows them.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Schedule {
    pub attempts: u32,
    pub retry_delay_ms: u64,
    pub timeout_ms: u64,
}

pub struct Webhooks {
    secret: String,
    endpoints: RwLock<Vec<Endpoint>>,
    attempts: u32,
    retry_delay: Duration,
    timeout: Duration,
    deliveries: Deliveries,
    /// For the configured endpoints.
    trusted: reqwest::Client,
    /// For the `webhookUrl`s clients name.
    guarded: Poster,
    render: Box<dyn Render>,
    /// Bumped when the deliveries are cleared: earlier ones stop retrying.
    epoch: AtomicU64,
}

/// The wait before try `attempt + 1` after try `attempt` failed: `base`,
/// then doubling.
pub fn backoff(base: Duration, attempt: u32) -> Duration {
    base.saturating_mul(1u32 << attempt.saturating_sub(1).min(20))
}

/// What one try came to.
enum Outcome {
    /// Answered with this status.
    Answered(u16),
    /// No answer: why.
    Failed(String),
}

impl Webhooks {
    pub fn new(
        settings: Settings,
        guarded: Poster,
        render: Box<dyn Render>,
    ) -> std::io::Result<Webhooks> {
        let trusted = reqwest::Client::builder()
            .connect_timeout(settings.timeout.min(Duration::from_secs(10)))
            .timeout(settings.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(std::io::Error::other)?;
        Ok(Webhooks {
            secret: settings.secret,
            endpoints: RwLock::new(settings.endpoints),
            attempts: settings.attempts.max(1),
            retry_delay: settings.retry_delay,
            timeout: settings.timeout,
            deliveries: Deliveries::default(),
            trusted,
            guarded,
            render,
            epoch: AtomicU64::new(0),
        })
    }

    /// The secret both signatures are made with.
    pub fn secret(&self) -> &str {
        &self.secret
    }

    pub fn endpoints(&self) -> Vec<Endpoint> {
        self.endpoints.read().clone()
    }

    pub fn set_endpoints(&self, endpoints: Vec<Endpoint>) {
        *self.endpoints.write() = endpoints;
    }

    pub fn schedule(&self) -> Schedule {
        Schedule {
            attempts: self.attempts,
            retry_delay_ms: u64::try_from(self.retry_delay.as_millis()).unwrap_or(u64::MAX),
            timeout_ms: u64::try_from(self.timeout.as_millis()).unwrap_or(u64::MAX),
        }
    }

    /// The recent deliveries, newest first.
    pub fn deliveries(&self) -> Vec<DeliveryView> {
        self.deliveries.recent()
    }

    /// Forgets the deliveries; those still pending are not tried again.
    pub fn clear_deliveries(&self) {
        self.epoch.fetch_add(1, Ordering::SeqCst);
        self.deliveries.clear();
    }

    /// Delivers the events that arrive on `events`, in order, until the
    /// channel closes.
    pub fn listen(self: &Arc<Self>, mut events: UnboundedReceiver<Event>) {
        let hooks = self.clone();
        tokio::spawn(async move {
            while let Some(event) = events.recv().await {
                hooks.dispatch(&event);
            }
        });
    }

    /// Starts a delivery of `event` to each URL that wants it: the endpoints
    /// whose filter matches, and the upload's `webhookUrl` (once per URL).
    fn dispatch(self: &Arc<Self>, event: &Event) {
        let event_type = event.type_name();
        let mut targets: Vec<(String, Target)> = Vec::new();
        for endpoint in self.endpoints.read().iter() {
            if endpoint.wants(event_type) && !targets.iter().any(|(url, _)| *url == endpoint.url) {
                targets.push((endpoint.url.clone(), Target::Endpoint));
            }
        }
        if let Some(url) = event.upload_request().and_then(|r| r.webhook_url.as_ref()) {
            if !targets.iter().any(|(u, _)| u == url) {
                targets.push((url.clone(), Target::WebhookUrl));
            }
        }
        if targets.is_empty() {
            return;
        }
        let id = uuid::Uuid::new_v4().to_string();
        let body = bytes::Bytes::from(payload::body(&*self.render, event, &id));
        let epoch = self.epoch.load(Ordering::SeqCst);
        for (url, target) in targets {
            let record =
                self.deliveries
                    .add(Delivery::new(&id, event_type, &url, target, self.attempts));
            let hooks = self.clone();
            let (id, body) = (id.clone(), body.clone());
            tokio::spawn(async move { hooks.deliver(record, epoch, &id, body).await });
        }
    }

    fn cancelled(&self, epoch: u64) -> bool {
        self.epoch.load(Ordering::SeqCst) != epoch
    }

    /// Tries one delivery until it is answered with a 2xx, its tries run
    /// out, or the deliveries are cleared.
    async fn deliver(
        &self,
        record: Arc<Mutex<Delivery>>,
        epoch: u64,
        id: &str,
        body: bytes::Bytes,
    ) {
        let (url, target) = {
            let r = record.lock();
            (r.url.clone(), r.target)
        };
        for attempt in 1..=self.attempts {
            if self.cancelled(epoch) {
                return;
            }
            let request = match target {
                Target::Endpoint => Ok(self.trusted.post(&url)),
                Target::WebhookUrl => self.guarded.post(&url),
            };
            let request = match request {
                Ok(request) => request,
                Err(refusal) => {
                    let mut r = record.lock();
                    r.state = DeliveryState::Failed;
                    r.last_error = Some(format!("not sent: {refusal}"));
                    r.next_attempt_at = None;
                    r.updated_at = now_ms();
                    return;
                }
            };
            let outcome = self.send(request, id, &body).await;
            let Some(wait) = self.note(&mut record.lock(), attempt, outcome) else {
                return;
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// Records what try `attempt` came to; the wait before the next try,
    /// or `None` when the delivery is over (delivered, or out of tries).
    fn note(&self, r: &mut Delivery, attempt: u32, outcome: Outcome) -> Option<Duration> {
        r.attempts = attempt;
        r.updated_at = now_ms();
        r.next_attempt_at = None;
        match outcome {
            Outcome::Answered(status) => {
                r.last_status = Some(status);
                r.last_error = None;
                if (200..300).contains(&status) {
                    r.state = DeliveryState::Delivered;
                    return None;
                }
            }
            Outcome::Failed(why) => r.last_error = Some(why),
        }
        if attempt >= self.attempts {
            r.state = DeliveryState::Failed;
            return None;
        }
        let wait = backoff(self.retry_delay, attempt);
        let wait_ms = i64::try_from(wait.as_millis()).unwrap_or(i64::MAX);
        r.next_attempt_at = Some(r.updated_at.saturating_add(wait_ms));
        Some(wait)
    }

    /// One try: the body with both signatures, made now.
    async fn send(
        &self,
        request: reqwest::RequestBuilder,
        id: &str,
        body: &bytes::Bytes,
    ) -> Outcome {
        let mut request = request
            .header("content-type", "application/json")
            .header("user-agent", "imagekit-local-server webhooks")
            .body(body.clone());
        for (name, value) in signing::headers(&self.secret, id, now_ms(), body) {
            request = request.header(name, value);
        }
        match request.send().await {
            Ok(response) => Outcome::Answered(response.status().as_u16()),
            Err(e) if e.is_timeout() => Outcome::Failed(format!(
                "no answer within {} ms (--webhook-timeout-ms)",
                self.timeout.as_millis()
            )),
            Err(e) => {
                let mut innermost: &dyn std::error::Error = &e;
                while let Some(source) = innermost.source() {
                    innermost = source;
                }
                Outcome::Failed(innermost.to_string())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::{FileRecord, Version};
    use serde_json::Value;

    struct NoViews;

    impl Render for NoViews {
        fn file(&self, _: &FileRecord, _: &Version) -> Value {
            Value::Null
        }
        fn upload(&self, _: &FileRecord, _: &Version) -> Value {
            Value::Null
        }
        fn url(&self, _: &FileRecord, _: &Version) -> String {
            String::new()
        }
    }

    fn with_attempts(attempts: u32) -> Webhooks {
        let config = crate::Config::default();
        let timeout = Duration::from_secs(1);
        Webhooks::new(
            Settings {
                secret: "whsec_x".into(),
                endpoints: Vec::new(),
                attempts,
                retry_delay: Duration::from_millis(100),
                timeout,
            },
            Poster::new(&config, "http://127.0.0.1:1/local/".into(), timeout).unwrap(),
            Box::new(NoViews),
        )
        .unwrap()
    }

    #[test]
    fn tries_until_a_2xx_or_the_last_try() {
        let hooks = with_attempts(3);
        let mut d = Delivery::new("e", "file.created", "http://h/", Target::Endpoint, 3);
        let wait = hooks.note(&mut d, 1, Outcome::Answered(503));
        assert_eq!(wait, Some(Duration::from_millis(100)));
        assert_eq!(
            (d.state, d.attempts, d.last_status),
            (DeliveryState::Pending, 1, Some(503))
        );
        assert_eq!(d.next_attempt_at, Some(d.updated_at + 100));
        let wait = hooks.note(&mut d, 2, Outcome::Failed("refused".into()));
        assert_eq!(wait, Some(Duration::from_millis(200)));
        assert_eq!(d.last_error.as_deref(), Some("refused"));
        assert_eq!(hooks.note(&mut d, 3, Outcome::Answered(204)), None);
        assert_eq!(
            (d.state, d.attempts, d.last_error.clone()),
            (DeliveryState::Delivered, 3, None)
        );
        assert_eq!(d.next_attempt_at, None);

        let mut d = Delivery::new("e", "file.created", "http://h/", Target::Endpoint, 3);
        for attempt in 1..=2 {
            assert!(hooks
                .note(&mut d, attempt, Outcome::Answered(500))
                .is_some());
        }
        assert_eq!(hooks.note(&mut d, 3, Outcome::Answered(500)), None);
        assert_eq!((d.state, d.attempts), (DeliveryState::Failed, 3));
        // A redirect is not followed, and not a success.
        let mut d = Delivery::new("e", "file.created", "http://h/", Target::Endpoint, 1);
        assert_eq!(
            with_attempts(1).note(&mut d, 1, Outcome::Answered(302)),
            None
        );
        assert_eq!(d.state, DeliveryState::Failed);
    }

    #[test]
    fn backoff_doubles() {
        let base = Duration::from_millis(100);
        let waits: Vec<u128> = (1..=4).map(|a| backoff(base, a).as_millis()).collect();
        assert_eq!(waits, [100, 200, 400, 800]);
        assert_eq!(
            backoff(Duration::from_secs(1), 200),
            Duration::from_secs(1 << 20)
        );
    }
}
