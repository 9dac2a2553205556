//! The workers: each takes the next request index, generates, sends and
//! checks it; and the counts and distinct failures they keep.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fastrand::Rng;
use serde_json::Value;

use crate::check::check;
use crate::conn::{fire, perform, Conn};
use crate::generator::generate;
use crate::in_flight::InFlight;
use crate::learned::Ctx;
use crate::plan::{show, Kind, Planned};
use crate::settings::mix;
use crate::{EXAMPLES, MAX_HANGS};

#[derive(Default, Clone, Copy)]
pub struct Counts {
    pub sent: u64,
    /// Seconds spent on these requests (summed over workers).
    pub seconds: f64,
    /// [no answer, 1xx, 2xx, 3xx, 4xx, 5xx]
    pub by_status: [u64; 6],
}

impl Counts {
    pub fn add(&mut self, status: Option<u16>) {
        self.sent += 1;
        let i = status.map_or(0, |s| usize::from(s / 100).clamp(1, 5));
        self.by_status[i] += 1;
    }

    pub fn merge(&mut self, other: &Counts) {
        self.sent += other.sent;
        self.seconds += other.seconds;
        for i in 0..6 {
            self.by_status[i] += other.by_status[i];
        }
    }
}

/// One distinct failure: its first description, how often, and examples.
pub struct Failure {
    pub key: String,
    pub what: String,
    pub count: u64,
    pub classes: Vec<&'static str>,
    pub requests: Vec<String>,
}

pub struct Shared {
    pub ctx: Ctx,
    pub total: u64,
    /// Print every answer (replays).
    pub verbose: bool,
    pub started: Instant,
    pub check_every: u64,
    pub next: AtomicU64,
    pub deadline: Instant,
    pub stop: AtomicBool,
    pub failures: Mutex<Vec<Failure>>,
    pub failure_count: AtomicU64,
    pub hangs: AtomicU64,
    pub notes: Mutex<Vec<String>>,
    pub in_flight: InFlight,
}

impl Shared {
    pub fn fail(&self, p: &Planned, what: String) {
        self.failure_count.fetch_add(1, Ordering::SeqCst);
        if (what.contains("(hang)") || what.starts_with("cannot connect"))
            && self.hangs.fetch_add(1, Ordering::SeqCst) + 1 >= MAX_HANGS
        {
            self.stop.store(true, Ordering::SeqCst);
        }
        // Distinct failures: the reason without digits and `quoted` names.
        let mut key = String::new();
        let mut quoted = false;
        for c in what.chars().take(120) {
            if c == '`' {
                quoted = !quoted;
            } else if !quoted && !c.is_ascii_digit() {
                key.push(c);
            }
        }
        let mut failures = self.failures.lock().unwrap();
        let entry = match failures.iter().position(|f| f.key == key) {
            Some(i) => &mut failures[i],
            None => {
                failures.push(Failure {
                    key,
                    what,
                    count: 0,
                    classes: Vec::new(),
                    requests: Vec::new(),
                });
                failures.last_mut().unwrap()
            }
        };
        entry.count += 1;
        if !entry.classes.contains(&p.class) {
            entry.classes.push(p.class);
        }
        if entry.requests.len() < EXAMPLES {
            entry.requests.push(p.describe());
        }
    }
}

/// Runs one planned request; the status it got, if any.
pub async fn run_one(
    shared: &Shared,
    slot: &mut Option<Conn>,
    p: &Planned,
    rng: &mut Rng,
) -> Option<u16> {
    let port = shared.ctx.port;
    match p.kind {
        Kind::Answer | Kind::AnswerOnce => match perform(slot, p, port).await {
            Ok(r) => {
                if shared.verbose {
                    eprintln!(
                        "fuzz: answer {} {:?}: {}",
                        r.status,
                        r.headers,
                        show(&r.body, 2000)
                    );
                }
                match check(p, &r) {
                    Err(what) => shared.fail(p, what),
                    Ok(Some(v)) => shared.ctx.learn(rng, &v),
                    Ok(None) => {}
                }
                Some(r.status)
            }
            Err(what) => {
                shared.fail(p, what);
                None
            }
        },
        Kind::Truncated | Kind::Malformed => match fire(slot, p, port).await {
            Ok(r) => {
                if let (true, Some(r)) = (shared.verbose, &r) {
                    eprintln!(
                        "fuzz: answer {} {:?}: {}",
                        r.status,
                        r.headers,
                        show(&r.body, 2000)
                    );
                }
                let status = r.map(|r| r.status);
                if status.is_some_and(|s| s >= 500) {
                    let mut notes = shared.notes.lock().unwrap();
                    if notes.len() < 20 {
                        notes.push(format!("status {status:?} to {}", p.describe()));
                    }
                }
                status
            }
            Err(what) => {
                shared.fail(p, what);
                None
            }
        },
    }
}

pub async fn worker(shared: Arc<Shared>, worker: usize) -> HashMap<&'static str, Counts> {
    let mut counts: HashMap<&'static str, Counts> = HashMap::new();
    let mut slot: Option<Conn> = None;
    let mut rng = Rng::with_seed(mix(shared.ctx.seed ^ worker as u64));
    loop {
        if shared.stop.load(Ordering::SeqCst) || Instant::now() >= shared.deadline {
            break;
        }
        let index = shared.next.fetch_add(1, Ordering::SeqCst);
        if index >= shared.total {
            break;
        }
        let p = generate(&shared.ctx, index);
        shared.in_flight.note(
            worker,
            &format!(
                "worker {worker:02} seed {} {}",
                shared.ctx.seed,
                p.describe()
            ),
        );
        let began = Instant::now();
        let status = run_one(&shared, &mut slot, &p, &mut rng).await;
        let c = counts.entry(p.class).or_default();
        c.add(status);
        c.seconds += began.elapsed().as_secs_f64();
        if (index + 1).is_multiple_of(10_000) {
            eprintln!(
                "fuzz: {} requests after {:.1} s",
                index + 1,
                shared.started.elapsed().as_secs_f64()
            );
        }
        if shared.check_every > 0 && (index + 1).is_multiple_of(shared.check_every) {
            if let Some(problems) = store_problems(shared.ctx.port).await {
                shared.fail(
                    &p,
                    format!("the store is inconsistent after this request: {problems}"),
                );
                shared.stop.store(true, Ordering::SeqCst);
            }
        }
    }
    counts
}

/// `GET /__admin/check` until it is consistent (1 s at most): None when it
/// is, the last answer otherwise.
pub async fn store_problems(port: u16) -> Option<String> {
    let mut last = None;
    for _ in 0..5 {
        last = store_problems_now(port).await;
        if last.is_none() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    last
}

/// `GET /__admin/check` on a fresh connection: None when consistent.
async fn store_problems_now(port: u16) -> Option<String> {
    let p = Planned {
        index: u64::MAX,
        class: "check",
        framing: "none",
        bytes: format!("GET /__admin/check HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n")
            .into_bytes(),
        kind: Kind::AnswerOnce,
        slow: None,
        head: false,
        app: false,
        must_refuse: None,
        abandon: false,
    };
    match perform(&mut None, &p, port).await {
        Ok(r) => match serde_json::from_slice::<Value>(&r.body) {
            Ok(v) if r.status == 200 && v["consistent"] == true => None,
            _ => Some(format!("{} {}", r.status, show(&r.body, 1000))),
        },
        Err(e) => Some(e),
    }
}

pub fn status_line(c: &Counts) -> String {
    format!(
        "{} sent: {} 1xx, {} 2xx, {} 3xx, {} 4xx, {} 5xx, {} without answer",
        c.sent,
        c.by_status[1],
        c.by_status[2],
        c.by_status[3],
        c.by_status[4],
        c.by_status[5],
        c.by_status[0]
    )
}
