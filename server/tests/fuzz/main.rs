//! A fuzz test of the local ImageKit server: one in-process server, at least
//! 100,000 random requests across every route, then checks that the server
//! is alive and its state consistent.
//!
//! Requests are hand-built HTTP/1.1 bytes written to raw `TcpStream`s (so
//! malformed input is possible) by several concurrent workers that keep
//! connections alive while the server does. Every complete, well-formed
//! request must be answered within [`ANSWER_TIMEOUT`] with a well-formed
//! response that is not a 5xx, and a 4xx body from an ImageKit route must be
//! ImageKit's JSON error (`message` and `help` strings); truncated and
//! malformed requests only must not bring the server down.
//!
//! Environment:
//! * `FUZZ_SEED`: the seed (default: from the clock), printed first. Request
//!   `i` is generated from its own generator seeded with (seed, i), so a seed
//!   and an index name the same request shape on every run; the ids it uses
//!   that were learned from earlier answers (fileIds, versionIds, paths...)
//!   depend on timing.
//! * `FUZZ_REQUESTS`: how many requests (default 100000).
//! * `FUZZ_SECONDS`: a deadline; the test fails when the count was not
//!   reached by then (default 240).
//! * `FUZZ_WORKERS`: concurrent connections (default 16).
//! * `FUZZ_CHECK_EVERY=n`: also ask `/__admin/check` after every n-th
//!   request and stop at the first inconsistency (with `FUZZ_WORKERS=1`
//!   this names the request that broke the store).
//! * `FUZZ_ONLY=i,j-k,...`: send only these requests, one after the
//!   other, printing each request and its answer (to replay a reproducer).
//! * `FUZZ_SKIP=class,...`: leave out some of the rarer input classes
//!   (`deep-search`, `long-search`, `deep-json`, `upload-many-fields`,
//!   `upload-big-fields`), to explore past a known crash; never set in CI.
//!
//! The server shares this process, so a crash of the server (a stack
//! overflow aborts the process) kills the test without a panic message.
//! Each worker therefore writes the request it is about to send into its own
//! slot of a small file named at start: after such a death, the requests
//! listed there are the suspects; replay them with `FUZZ_SEED` and
//! `FUZZ_ONLY`. The file is removed when the test ends without dying.

#[path = "../common/mod.rs"]
mod common;

mod check;
mod conn;
mod generator;
mod images;
mod in_flight;
mod learned;
mod plan;
mod response;
mod settings;
mod worker;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use fastrand::Rng;
use imagekit_local_server::Config;
use serde_json::json;

use conn::RETRIES;
use generator::generate;
use images::tiny_images;
use in_flight::InFlight;
use learned::{Ctx, Learned};
use plan::show;
use settings::Settings;
use worker::{run_one, status_line, store_problems, worker, Counts, Shared};

// The test's limits, used across its modules.

/// The server's upload cap in this test.
const MAX_UPLOAD_BYTES: usize = 1 << 20;
/// How long a well-formed request may wait for its answer.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(15);
/// How long to wait for whatever a malformed request gets back.
const MALFORMED_TIMEOUT: Duration = Duration::from_secs(5);
/// An upload form with more parts than this must not be accepted: the
/// upload API has about 30 parameters and every part is held in memory.
const MAX_FORM_FIELDS: usize = 1000;
/// Nor one whose non-file parts add up to more than this (the file itself
/// is capped at `MAX_UPLOAD_BYTES`; the server takes up to 8 MiB of fields).
const MAX_FORM_BYTES: usize = 12 << 20;
/// Largest response body read.
const MAX_RESPONSE_BODY: usize = 64 << 20;
/// Stop early after this many hangs or refused connections: the server is
/// wedged or gone, and each further hang costs `ANSWER_TIMEOUT`.
const MAX_HANGS: u64 = 10;
/// Examples kept per distinct failure.
const EXAMPLES: usize = 3;
/// Bytes of a request shown in a reproducer.
const SHOWN: usize = 300;
const HELP: &str = "For support kindly contact us at support@imagekit.io .";

/// Writes straight to the process's stderr, bypassing the test harness's
/// output capture, which a process abort would throw away.
fn say(text: &str) {
    let _ = std::io::stderr().write_all(format!("{text}\n").as_bytes());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fuzz_every_route() {
    let settings = Settings::from_env();
    let server = common::spawn_with(Config {
        max_upload_bytes: MAX_UPLOAD_BYTES as u64,
        ..Config::default()
    })
    .await;
    let port = server.handle.addr.port();
    let closed_port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let (images, broken_images) = tiny_images();
    let in_flight = InFlight::new(settings.workers);
    let replay = !settings.only.is_empty();
    let total = if replay {
        settings.only.len() as u64
    } else {
        settings.requests
    };
    eprintln!(
        "fuzz: FUZZ_SEED={} FUZZ_REQUESTS={} FUZZ_SECONDS={} FUZZ_WORKERS={}",
        settings.seed, total, settings.seconds, settings.workers
    );
    say(&format!(
        "fuzz: seed {seed} (replay: FUZZ_SEED={seed}); if the process dies, the requests in flight \
         are in {}; replay one with FUZZ_SEED={seed} FUZZ_ONLY=<index>",
        in_flight.path.display(),
        seed = settings.seed,
    ));
    let shared = Arc::new(Shared {
        ctx: Ctx {
            seed: settings.seed,
            port,
            closed_port,
            auth: format!("Basic {}", B64.encode(format!("{}:", server.private_key))),
            private_key: server.private_key.clone(),
            images,
            broken_images,
            learned: Mutex::new(Learned::default()),
            skip: settings.skip.clone(),
        },
        total,
        verbose: replay,
        started: Instant::now(),
        check_every: settings.check_every,
        next: AtomicU64::new(0),
        deadline: Instant::now() + Duration::from_secs(settings.seconds),
        stop: AtomicBool::new(false),
        failures: Mutex::new(Vec::new()),
        failure_count: AtomicU64::new(0),
        hangs: AtomicU64::new(0),
        notes: Mutex::new(Vec::new()),
        in_flight,
    });
    let start = Instant::now();
    let mut per_class: HashMap<&'static str, Counts> = HashMap::new();
    if replay {
        let mut slot = None;
        let mut rng = Rng::with_seed(settings.seed);
        for &index in &settings.only {
            let p = generate(&shared.ctx, index);
            eprintln!("fuzz: replaying {}", p.describe());
            eprintln!("fuzz: full request: {}", show(&p.bytes, 4000));
            let before = shared.failure_count.load(Ordering::SeqCst);
            let status = run_one(&shared, &mut slot, &p, &mut rng).await;
            eprintln!(
                "fuzz: -> status {status:?}{}",
                if shared.failure_count.load(Ordering::SeqCst) > before {
                    " (FAILED)"
                } else {
                    ""
                }
            );
            per_class.entry(p.class).or_default().add(status);
            if settings.check_every > 0 {
                if let Some(problems) = store_problems(port).await {
                    eprintln!("fuzz: the store is inconsistent after #{index}: {problems}");
                    break;
                }
            }
        }
    } else {
        let handles: Vec<_> = (0..settings.workers)
            .map(|w| tokio::spawn(worker(shared.clone(), w)))
            .collect();
        for h in handles {
            for (class, c) in h.await.expect("fuzz worker panicked") {
                per_class.entry(class).or_default().merge(&c);
            }
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    let mut all = Counts::default();
    for c in per_class.values() {
        all.merge(c);
    }
    let mut classes: Vec<_> = per_class.iter().collect();
    classes.sort_by_key(|(k, _)| *k);
    for (class, c) in classes {
        eprintln!(
            "fuzz:   {class:<22} {} ({:.1} ms each)",
            status_line(c),
            c.seconds * 1000.0 / c.sent.max(1) as f64
        );
    }
    eprintln!(
        "fuzz: summary: {} in {elapsed:.1} s ({:.0} requests/s), seed {}",
        status_line(&all),
        all.sent as f64 / elapsed.max(1e-9),
        settings.seed
    );
    let mut files = 0;
    for page in 0..100 {
        let (_, list) = server
            .get(&format!("/v1/files?limit=1000&skip={}", page * 1000))
            .await;
        let n = list.as_array().map_or(0, Vec::len);
        files += n;
        if n < 1000 {
            break;
        }
    }
    eprintln!(
        "fuzz: the library holds {files} files afterwards; {} requests were resent \
         because a kept-alive connection had been closed",
        RETRIES.load(Ordering::Relaxed)
    );
    for note in shared.notes.lock().unwrap().iter() {
        eprintln!("fuzz: note: 5xx to a malformed request: {note}");
    }

    let mut problems: Vec<String> = Vec::new();
    {
        let failures = shared.failures.lock().unwrap();
        for f in failures.iter() {
            let mut text = format!(
                "{} x {} (classes: {})",
                f.count,
                f.what,
                f.classes.join(", ")
            );
            for r in &f.requests {
                let _ = write!(text, "\n      seed {} {r}", settings.seed);
            }
            problems.push(text);
        }
    }
    if !replay && all.sent < settings.requests {
        problems.push(format!(
            "only {} of {} requests were sent before the {} s deadline{}",
            all.sent,
            settings.requests,
            settings.seconds,
            if shared.stop.load(Ordering::SeqCst) {
                " (stopped early: hangs or lost connections)"
            } else {
                ""
            }
        ));
    }
    let (status, body) = server.get("/__admin/health").await;
    if status != 200 || body["status"] != "ok" {
        problems.push(format!("GET /__admin/health answered {status} {body}"));
    }
    // A request abandoned mid-way may still be winding down on the server:
    // give the store a moment to settle before calling it inconsistent.
    let mut check = server.get("/__admin/check").await;
    for _ in 0..10 {
        if check.0 == 200 && check.1 == json!({"consistent": true, "problems": []}) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        check = server.get("/__admin/check").await;
    }
    let (status, body) = check;
    if status != 200 || body != json!({"consistent": true, "problems": []}) {
        problems.push(format!(
            "GET /__admin/check answered {status} {body} (still after 3 s)"
        ));
    }
    let folder = format!("/fuzz-final-{}", settings.seed);
    let (status, body) = server
        .upload_bytes(
            "final.png",
            common::png(4, 4, false),
            &[("folder", folder.as_str()), ("useUniqueFileName", "false")],
        )
        .await;
    if status != 200 || !body["fileId"].is_string() {
        problems.push(format!(
            "a normal upload after the fuzzing answered {status} {body}"
        ));
    } else {
        let id = body["fileId"].as_str().unwrap().to_string();
        let (status, list) = server.get(&format!("/v1/files?path={folder}")).await;
        let listed = list
            .as_array()
            .is_some_and(|a| a.iter().any(|f| f["fileId"] == id.as_str()));
        if status != 200 || !listed {
            problems.push(format!(
                "GET /v1/files?path={folder} after the upload answered {status} {list}"
            ));
        }
        let (status, details) = server.get(&format!("/v1/files/{id}/details")).await;
        if status != 200 || details["fileId"] != id.as_str() {
            problems.push(format!(
                "GET /v1/files/{id}/details answered {status} {details}"
            ));
        }
    }
    shared.in_flight.remove();
    if !problems.is_empty() {
        panic!(
            "fuzz found {} problem(s) (seed {}):\n  - {}",
            problems.len(),
            settings.seed,
            problems.join("\n  - ")
        );
    }
}
