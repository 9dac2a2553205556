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

mod common;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use fastrand::Rng;
use hmac::{Hmac, Mac};
use imagekit_local_server::Config;
use serde_json::{json, Map, Value};
use sha1::Sha1;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

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

// ====================================================================== settings

struct Settings {
    seed: u64,
    requests: u64,
    seconds: u64,
    workers: usize,
    check_every: u64,
    only: Vec<u64>,
    skip: Vec<String>,
}

fn env_num(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v:?} is not a number")),
        _ => default,
    }
}

fn env_list(name: &str) -> Vec<String> {
    std::env::var(name)
        .unwrap_or_default()
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

impl Settings {
    fn from_env() -> Settings {
        let clock = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64;
        Settings {
            seed: env_num(
                "FUZZ_SEED",
                mix(clock ^ (u64::from(std::process::id()) << 32)),
            ),
            requests: env_num("FUZZ_REQUESTS", 100_000),
            seconds: env_num("FUZZ_SECONDS", 240),
            workers: env_num("FUZZ_WORKERS", 16).max(1) as usize,
            check_every: env_num("FUZZ_CHECK_EVERY", 0),
            only: env_list("FUZZ_ONLY")
                .iter()
                .flat_map(|s| {
                    let bad = || panic!("FUZZ_ONLY takes request indices (i or i-j): {s:?}");
                    let (a, b) = s.split_once('-').unwrap_or((s, s));
                    let (a, b): (u64, u64) = (
                        a.parse().unwrap_or_else(|_| bad()),
                        b.parse().unwrap_or_else(|_| bad()),
                    );
                    a..=b
                })
                .collect(),
            skip: env_list("FUZZ_SKIP"),
        }
    }
}

/// splitmix64's finaliser.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn request_seed(seed: u64, index: u64) -> u64 {
    mix(seed ^ mix(index.wrapping_add(1)))
}

/// Writes straight to the process's stderr, bypassing the test harness's
/// output capture, which a process abort would throw away.
fn say(text: &str) {
    let _ = std::io::stderr().write_all(format!("{text}\n").as_bytes());
}

fn show(bytes: &[u8], max: usize) -> String {
    let mut out = bytes[..bytes.len().min(max)].escape_ascii().to_string();
    if bytes.len() > max {
        let _ = write!(out, "... ({} bytes in all)", bytes.len());
    }
    out
}

// ====================================================================== in-flight file

/// One slot per worker holding the request it sent last, so that the
/// culprit of a process abort can be found afterwards.
struct InFlight {
    file: Option<std::fs::File>,
    path: PathBuf,
}

const SLOT: usize = 512;

impl InFlight {
    fn new(workers: usize) -> InFlight {
        let path = std::env::temp_dir().join(format!(
            "imagekit-fuzz-in-flight-{}.txt",
            std::process::id()
        ));
        let file = std::fs::File::create(&path).ok();
        if let Some(file) = &file {
            let _ = file.set_len((workers * SLOT) as u64);
        }
        InFlight { file, path }
    }

    fn note(&self, worker: usize, line: &str) {
        #[cfg(unix)]
        if let Some(file) = &self.file {
            use std::os::unix::fs::FileExt;
            let mut bytes = line.as_bytes()[..line.len().min(SLOT - 1)].to_vec();
            bytes.resize(SLOT - 1, b' ');
            bytes.push(b'\n');
            let _ = file.write_at(&bytes, (worker * SLOT) as u64);
        }
        #[cfg(not(unix))]
        let _ = (worker, line);
    }

    fn remove(&self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

// ====================================================================== learned state

#[derive(Clone, Copy)]
enum Pool {
    FileId,
    FilePath,
    Id,
    JobId,
    PurgeId,
    UrlPrefix,
    NamedName,
    FieldName,
}
const POOLS: usize = 8;
const POOL_SIZE: usize = 96;

#[derive(Default)]
struct Learned {
    pools: [Vec<String>; POOLS],
    versions: Vec<(String, String)>,
}

fn remember<T>(pool: &mut Vec<T>, value: T, rng: &mut Rng) {
    if pool.len() < POOL_SIZE {
        pool.push(value);
    } else {
        let at = rng.usize(..pool.len());
        pool[at] = value;
    }
}

/// What every generator needs: the server's coordinates and what was learned.
struct Ctx {
    seed: u64,
    port: u16,
    closed_port: u16,
    private_key: String,
    auth: String,
    images: Vec<Vec<u8>>,
    broken_images: Vec<Vec<u8>>,
    learned: Mutex<Learned>,
    skip: Vec<String>,
}

impl Ctx {
    fn learned_pick(&self, rng: &mut Rng, pool: Pool) -> Option<String> {
        let learned = self.learned.lock().unwrap();
        let v = &learned.pools[pool as usize];
        (!v.is_empty()).then(|| v[rng.usize(..v.len())].clone())
    }

    fn version_pick(&self, rng: &mut Rng) -> Option<(String, String)> {
        let learned = self.learned.lock().unwrap();
        let v = &learned.versions;
        (!v.is_empty()).then(|| v[rng.usize(..v.len())].clone())
    }

    fn learn(&self, rng: &mut Rng, value: &Value) {
        match value {
            Value::Array(items) => {
                for _ in 0..3.min(items.len()) {
                    let at = rng.usize(..items.len());
                    self.learn_one(rng, &items[at]);
                }
            }
            Value::Object(_) => self.learn_one(rng, value),
            _ => {}
        }
    }

    fn learn_one(&self, rng: &mut Rng, value: &Value) {
        let Some(o) = value.as_object() else { return };
        let s = |k: &str| o.get(k).and_then(Value::as_str).map(str::to_string);
        let mut l = self.learned.lock().unwrap();
        if let Some(id) = s("fileId") {
            if let Some(v) = o
                .get("versionInfo")
                .and_then(|v| v.get("id"))
                .and_then(Value::as_str)
            {
                remember(&mut l.versions, (id.clone(), v.to_string()), rng);
            }
            remember(&mut l.pools[Pool::FileId as usize], id, rng);
        }
        if let Some(p) = s("filePath") {
            remember(&mut l.pools[Pool::FilePath as usize], p, rng);
        }
        if let Some(id) = s("id") {
            remember(&mut l.pools[Pool::Id as usize], id, rng);
        }
        if let Some(id) = s("jobId") {
            remember(&mut l.pools[Pool::JobId as usize], id, rng);
        }
        for key in ["requestId", "purgeRequestId"] {
            if let Some(id) = s(key) {
                remember(&mut l.pools[Pool::PurgeId as usize], id, rng);
            }
        }
        if let Some(p) = s("urlPrefix").filter(|p| !p.is_empty()) {
            remember(&mut l.pools[Pool::UrlPrefix as usize], p, rng);
        }
        if let Some(name) = s("name") {
            if o.contains_key("schema") {
                remember(&mut l.pools[Pool::FieldName as usize], name, rng);
            } else if o.get("transformation").is_some_and(Value::is_string) {
                remember(&mut l.pools[Pool::NamedName as usize], name, rng);
            }
        }
    }
}

// ====================================================================== the request plan

/// What a rendered request is, for the checks.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Kind {
    /// Complete and well-formed: must be answered; the connection may be
    /// reused afterwards.
    Answer,
    /// Complete and well-formed, but followed by bytes that are not (or
    /// framed so that reuse is pointless): must be answered, then dropped.
    AnswerOnce,
    /// The body is cut short and the socket half-closed.
    Truncated,
    /// Not valid HTTP/1.1: anything goes but a crash.
    Malformed,
}

struct Planned {
    index: u64,
    class: &'static str,
    framing: &'static str,
    bytes: Vec<u8>,
    kind: Kind,
    /// Dribble plan: (bytes, milliseconds to sleep after them).
    slow: Option<Vec<(u16, u16)>>,
    head: bool,
    /// An ImageKit route (not `/__admin`).
    app: bool,
    /// Set when a 2xx answer would be a bug (an abusive upload form).
    must_refuse: Option<String>,
    /// For malformed and truncated requests: close the socket right after
    /// sending instead of half-closing and reading the answer.
    abandon: bool,
}

impl Planned {
    fn describe(&self) -> String {
        format!(
            "request #{} (class {}, framing {}, {:?}{}): {}",
            self.index,
            self.class,
            self.framing,
            self.kind,
            if self.slow.is_some() { ", slow" } else { "" },
            show(&self.bytes, SHOWN)
        )
    }
}

/// A request before rendering to bytes.
struct Req {
    class: &'static str,
    method: String,
    natural_method: bool,
    path: String,
    query: Vec<String>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    content_type: Option<String>,
    /// `false` when the generator already decided about Authorization.
    basic_auth: bool,
    must_refuse: Option<String>,
}

fn req(class: &'static str, method: &str, path: String) -> Req {
    Req {
        class,
        method: method.to_string(),
        natural_method: true,
        path,
        query: Vec::new(),
        headers: Vec::new(),
        body: Vec::new(),
        content_type: None,
        basic_auth: true,
        must_refuse: None,
    }
}

// ====================================================================== value pools

const WORDS: &[&str] = &[
    "a",
    "b",
    "tag",
    "red",
    "blue",
    "summer",
    "x1",
    "日本",
    "café",
    "with space",
    "comma,sep",
    "UPPER",
    "under_score",
    "dash-ed",
    "dot.ted",
    "🦀",
    "0",
    "-1",
    "true",
    "null",
];
const FOLDERS: &[&str] = &[
    "/",
    "/f0",
    "/f1",
    "/f0/a",
    "/f1/b",
    "/deep/x/y/z",
    "/shop/summer sale",
    "/f2/",
    "f0",
    "/f0/a/",
];
const FILE_NAMES: &[&str] = &[
    "a.png",
    "b.jpg",
    "photo (1).png",
    "x",
    "doc.txt",
    "über.png",
    "a b.gif",
    ".hidden",
    "name.with.dots.webp",
    "c.png",
    "d.jpeg",
];
const JUNK_PIECES: &[&str] = &[
    "", " ", "..", "/", "\\", "%", "%00", "\"", "'", "<script>", "\u{0}", "\u{1}", "\t", "\n",
    "\r\n", "ü", "日本", "🦀", "\u{202e}", "\u{feff}", "null", "true", "-1", "0", "1e309", "NaN",
    "{}", "[]", "a,b", "a b", "*", "?", "#", "&", "=", "+", ";", ":", "@", "~", "tr:", "ik-s",
    "..%2f", "../..", "//", "\u{7f}", "\u{ffff}", "AND", "OR", "(", ")",
];
const METHODS: &[&str] = &[
    "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "PROPFIND", "get", "post",
    "FOO", "X-Y_Z", "M-SEARCH", "GETX", "BREW",
];
const SORTS: &[&str] = &[
    "ASC_CREATED",
    "DESC_CREATED",
    "ASC_NAME",
    "DESC_NAME",
    "ASC_SIZE",
    "DESC_SIZE",
    "ASC_UPDATED",
    "DESC_UPDATED",
    "ASC_HEIGHT",
    "DESC_WIDTH",
    "ASC_RELEVANCE",
    "DESC_RELEVANCE",
    "asc_name",
    "ASC_",
    "_NAME",
    "DESC_NOPE",
];
const SEARCH_FIELDS: &[&str] = &[
    "name",
    "path",
    "size",
    "createdAt",
    "updatedAt",
    "format",
    "width",
    "height",
    "tags",
    "type",
    "fileType",
    "isPrivateFile",
    "isPublished",
    "mime",
    "customMetadata.price",
    "customMetadata.color",
    "embeddedMetadata.Make",
    "embeddedMetadata.DateTimeOriginal",
    "AITags",
    "nope",
    "\"name\"",
    "customMetadata.",
    "embeddedMetadata",
];
const SEARCH_OPS: &[&str] = &[
    "=", ":", "<", "<=", ">", ">=", "!=", "~", "==", "=<", " IN ", " NOT IN ", " in ", "",
];
const EXTENSION_NAMES: &[&str] = &[
    "remove-bg",
    "google-auto-tagging",
    "aws-auto-tagging",
    "ai-auto-description",
    "ai-tasks",
    "nope",
];
const ORIGIN_TYPES: &[&str] = &[
    "S3",
    "S3_COMPATIBLE",
    "CLOUDINARY_BACKUP",
    "WEB_FOLDER",
    "WEB_PROXY",
    "GCS",
    "AZURE_BLOB",
    "AKAMAI_NETSTORAGE",
    "s3",
    "FTP",
];
const FIELD_TYPES: &[&str] = &[
    "Text",
    "Textarea",
    "Number",
    "Date",
    "Boolean",
    "SingleSelect",
    "MultiSelect",
    "text",
    "Nope",
];
const BAD_ESCAPES: &[&str] = &[
    "%zz", "%", "%f", "%ff", "%c3%28", "%00", "%2F", "%25", "%e2%82", "%%", "%G0", "%fe%ff",
    "%C0%AF",
];

// ====================================================================== the generator

#[derive(Clone, Copy, PartialEq, Debug)]
enum Family {
    List,
    File,
    Tags,
    CopyMove,
    Purge,
    Folder,
    BulkJob,
    CustomMeta,
    SavedExt,
    NamedTr,
    Origins,
    UrlEndpoints,
    Usage,
    RemoteMeta,
    Upload,
    Delivery,
    Admin,
    Junk,
    Garbage,
}

const FAMILIES: &[(Family, u32)] = &[
    (Family::List, 110),
    (Family::File, 140),
    (Family::Tags, 60),
    (Family::CopyMove, 50),
    (Family::Purge, 20),
    (Family::Folder, 40),
    (Family::BulkJob, 30),
    (Family::CustomMeta, 45),
    (Family::SavedExt, 30),
    (Family::NamedTr, 35),
    (Family::Origins, 30),
    (Family::UrlEndpoints, 30),
    (Family::Usage, 15),
    (Family::RemoteMeta, 15),
    (Family::Upload, 140),
    (Family::Delivery, 150),
    (Family::Admin, 10),
    (Family::Junk, 40),
    (Family::Garbage, 15),
];

struct Gen<'a> {
    rng: Rng,
    ctx: &'a Ctx,
}

fn unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

fn pchar_loose(b: u8) -> bool {
    unreserved(b)
        || matches!(
            b,
            b'!' | b'$' | b'\'' | b'(' | b')' | b'*' | b',' | b';' | b'=' | b':' | b'@'
        )
}

fn qchar_loose(b: u8) -> bool {
    unreserved(b)
        || matches!(
            b,
            b'!' | b'$' | b'\'' | b'(' | b')' | b'*' | b',' | b';' | b':' | b'@' | b'/' | b'?'
        )
}

fn pct(bytes: &[u8], keep: fn(u8) -> bool, lower: bool) -> String {
    let mut out = String::with_capacity(bytes.len() * 3);
    for &b in bytes {
        if keep(b) {
            out.push(b as char);
        } else if lower {
            let _ = write!(out, "%{b:02x}");
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn hmac_hex(key: &str, message: &str) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(message.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// (year, month, day) of a count of days since 1970-01-01.
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

impl Gen<'_> {
    fn p(&mut self, p: f64) -> bool {
        self.rng.f64() < p
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.rng.usize(..items.len())]
    }

    fn n(&mut self, range: impl std::ops::RangeBounds<usize>) -> usize {
        self.rng.usize(range)
    }

    /// 1..=max, log-uniformly.
    fn log(&mut self, max: usize) -> usize {
        let max = max.max(1);
        ((max as f64).powf(self.rng.f64()) as usize).clamp(1, max)
    }

    fn skipping(&self, class: &str) -> bool {
        self.ctx.skip.iter().any(|s| s == class)
    }

    fn alnum_in(&mut self, len: std::ops::Range<usize>) -> String {
        let len = self.n(len);
        self.alnum(len)
    }

    fn alnum(&mut self, len: usize) -> String {
        (0..len).map(|_| self.rng.alphanumeric()).collect()
    }

    fn hex(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| char::from_digit(self.rng.u32(0..16), 16).unwrap())
            .collect()
    }

    fn word(&mut self) -> String {
        if self.p(0.7) {
            self.pick(WORDS).to_string()
        } else {
            let n = self.n(1..16);
            self.alnum(n)
        }
    }

    fn junk(&mut self) -> String {
        let mut s = String::new();
        for _ in 0..self.n(1..6) {
            match self.rng.u32(0..4) {
                0 | 1 => {
                    let piece = self.pick(JUNK_PIECES);
                    s.push_str(piece);
                }
                2 => {
                    let n = self.n(1..12);
                    s.push_str(&self.alnum(n));
                }
                _ => s.push(self.rng.char(..)),
            }
        }
        if self.p(0.02) {
            let n = self.log(2000);
            s = s.repeat(n);
        }
        s
    }

    /// A plausible value most of the time, junk otherwise.
    fn text(&mut self) -> String {
        if self.p(0.8) {
            self.word()
        } else {
            self.junk()
        }
    }

    fn bool_text(&mut self) -> String {
        match self.rng.u32(0..10) {
            0..=3 => "true".into(),
            4..=7 => "false".into(),
            8 => self
                .pick(&["TRUE", "False", "", "1", "yes", " true "])
                .into(),
            _ => self.junk(),
        }
    }

    fn enc_seg(&mut self, raw: &str) -> String {
        let b = raw.as_bytes();
        match self.rng.u32(0..100) {
            0..=59 => pct(b, unreserved, false),
            60..=84 => pct(b, pchar_loose, false),
            85..=89 => pct(b, |_| false, false),
            90..=93 => pct(b, unreserved, true),
            _ => {
                let mut e = pct(b, unreserved, false);
                let at = self.rng.usize(..=e.len());
                let bad = self.pick(BAD_ESCAPES);
                e.insert_str(at, bad);
                e
            }
        }
    }

    fn enc_q(&mut self, raw: &str) -> String {
        let b = raw.as_bytes();
        let mut e = match self.rng.u32(0..100) {
            0..=49 => pct(b, unreserved, false),
            50..=84 => pct(b, qchar_loose, false),
            85..=89 => pct(b, |_| false, false),
            90..=93 => pct(b, unreserved, true),
            _ => {
                let mut e = pct(b, unreserved, false);
                let at = self.rng.usize(..=e.len());
                let bad = self.pick(BAD_ESCAPES);
                e.insert_str(at, bad);
                e
            }
        };
        if self.p(0.3) {
            e = e.replace("%20", "+");
        }
        e
    }

    /// An encoded path (segments encoded one by one).
    fn enc_path(&mut self, raw: &str) -> String {
        raw.split('/')
            .map(|s| self.enc_seg(s))
            .collect::<Vec<_>>()
            .join("/")
    }

    fn query(&mut self, r: &mut Req, key: &str, value: &str) {
        let k = if self.p(0.97) {
            key.to_string()
        } else {
            self.enc_q(key)
        };
        let v = self.enc_q(value);
        r.query.push(format!("{k}={v}"));
    }

    fn random_id(&mut self) -> String {
        match self.rng.u32(0..20) {
            0..=7 => self.hex(24),
            8 => format!(
                "{}-{}-{}-{}-{}",
                self.hex(8),
                self.hex(4),
                self.hex(4),
                self.hex(4),
                self.hex(12)
            ),
            9 => String::new(),
            10 => self.junk(),
            11 => {
                let n = self.log(20_000);
                "a".repeat(n)
            }
            12 => "..".into(),
            13 => "default".into(),
            14 => self.rng.u64(..).to_string(),
            15 => "ファイル".into(),
            16 => " ".into(),
            _ => {
                let n = self.n(1..40);
                self.alnum(n)
            }
        }
    }

    fn learned_or_random(&mut self, pool: Pool, p: f64) -> String {
        if self.p(p) {
            if let Some(v) = self.ctx.learned_pick(&mut self.rng, pool) {
                return v;
            }
        }
        self.random_id()
    }

    fn file_id(&mut self) -> String {
        self.learned_or_random(Pool::FileId, 0.65)
    }

    fn id_seg(&mut self, raw: &str) -> String {
        if self.p(0.03) {
            // Unencoded: a '/' inside changes the route.
            raw.replace(' ', "%20")
                .chars()
                .filter(|c| c.is_ascii_graphic())
                .collect()
        } else {
            self.enc_seg(raw)
        }
    }

    fn folder(&mut self) -> String {
        if self.p(0.8) {
            self.pick(FOLDERS).to_string()
        } else if self.p(0.5) {
            format!("/{}/{}", self.word(), self.word())
        } else {
            self.junk()
        }
    }

    fn file_path(&mut self) -> String {
        if self.p(0.7) {
            if let Some(p) = self.ctx.learned_pick(&mut self.rng, Pool::FilePath) {
                return p;
            }
        }
        match self.rng.u32(0..4) {
            0 => format!(
                "{}/{}",
                self.folder().trim_end_matches('/'),
                self.file_name()
            ),
            1 => format!("/{}", self.file_name()),
            2 => self.junk(),
            _ => format!("/{}/{}", self.word(), self.alnum(8)),
        }
    }

    fn file_name(&mut self) -> String {
        if self.p(0.85) {
            self.pick(FILE_NAMES).to_string()
        } else {
            self.junk()
        }
    }

    fn own_url(&mut self) -> String {
        let path = self.file_path();
        let tr = if self.p(0.3) {
            format!("/tr:{}", self.transformation())
        } else {
            String::new()
        };
        let path = self.enc_path(&path);
        format!(
            "http://127.0.0.1:{}/local{tr}/{}",
            self.ctx.port,
            path.trim_start_matches('/')
        )
    }

    fn closed_url(&mut self) -> String {
        format!(
            "http://127.0.0.1:{}/{}",
            self.ctx.closed_port,
            self.alnum(6)
        )
    }

    /// A URL for the server to fetch: its own delivery URLs, a closed port,
    /// or not a URL at all.
    fn fetch_url(&mut self) -> String {
        match self.rng.u32(0..10) {
            0..=4 => self.own_url(),
            5..=7 => self.closed_url(),
            _ => self
                .pick(&[
                    "",
                    "abc",
                    "http://",
                    "http:///x",
                    "https://127.0.0.1:1/x",
                    "ftp://127.0.0.1:1/x",
                    "http://[::1",
                ])
                .to_string(),
        }
    }

    fn tags(&mut self) -> Value {
        match self.rng.u32(0..12) {
            0..=7 => Value::Array((0..self.n(0..5)).map(|_| json!(self.text())).collect()),
            8 => json!(self.text()),
            9 => Value::Array((0..self.log(3000)).map(|_| json!(self.word())).collect()),
            10 => Value::Null,
            _ => self.json(0),
        }
    }

    fn file_ids(&mut self) -> Value {
        match self.rng.u32(0..12) {
            0..=8 => Value::Array((0..self.n(0..5)).map(|_| json!(self.file_id())).collect()),
            9 => Value::Array((0..self.log(3000)).map(|_| json!(self.file_id())).collect()),
            10 => json!(self.file_id()),
            _ => self.json(0),
        }
    }

    fn number(&mut self) -> Value {
        match self.rng.u32(0..8) {
            0..=3 => json!(self.rng.i64(-5..200)),
            4 => json!(self.rng.i64(..)),
            5 => json!(u64::MAX),
            6 => json!(self.rng.f64() * 1e6),
            _ => json!(self.pick(&[1e308, -1e308, 0.5, -0.0, 1e-300])),
        }
    }

    fn json(&mut self, depth: u32) -> Value {
        match self.rng.u32(0..12) {
            0 => Value::Null,
            1 => json!(self.p(0.5)),
            2 | 3 => self.number(),
            7 | 8 if depth < 3 => {
                Value::Array((0..self.n(0..4)).map(|_| self.json(depth + 1)).collect())
            }
            9 | 10 if depth < 3 => {
                let mut o = Map::new();
                for _ in 0..self.n(0..4) {
                    let k = self.text();
                    let v = self.json(depth + 1);
                    o.insert(k, v);
                }
                Value::Object(o)
            }
            _ => json!(self.text()),
        }
    }

    /// `plausible` most of the time, any JSON value otherwise.
    fn or_json(&mut self, plausible: Value) -> Value {
        if self.p(0.85) {
            plausible
        } else {
            self.json(0)
        }
    }

    /// An object of the given (key, plausible value) pairs, each present
    /// with probability `p`, sometimes with extra random keys.
    fn object(&mut self, fields: Vec<(&str, Value)>, p: f64) -> Value {
        let mut o = Map::new();
        for (k, v) in fields {
            if self.p(p) {
                let v = self.or_json(v);
                o.insert(k.to_string(), v);
            }
        }
        if self.p(0.1) {
            let k = self.text();
            let v = self.json(0);
            o.insert(k, v);
        }
        Value::Object(o)
    }

    fn deep_json(&mut self) -> Vec<u8> {
        let n = self.log(5000) + 100;
        let mut out = Vec::new();
        match self.rng.u32(0..4) {
            0 => {
                out.extend(std::iter::repeat_n(b'[', n));
                out.extend(std::iter::repeat_n(b']', n));
            }
            1 => {
                for _ in 0..n {
                    out.extend_from_slice(b"{\"a\":");
                }
                out.push(b'1');
                out.extend(std::iter::repeat_n(b'}', n));
            }
            2 => {
                out.extend_from_slice(b"{\"fileIds\":");
                out.extend(std::iter::repeat_n(b'[', n));
                out.extend(std::iter::repeat_n(b']', n));
                out.push(b'}');
            }
            _ => out.extend(std::iter::repeat_n(b'[', n)),
        }
        out
    }

    /// Sets a JSON body (usually `value`, sometimes mangled).
    fn json_body(&mut self, r: &mut Req, value: Value) {
        let mut body = match self.rng.u32(0..1000) {
            0..=9 if !self.skipping("deep-json") => {
                r.class = "deep-json";
                self.deep_json()
            }
            10..=39 => Vec::new(),
            40..=59 => {
                let v = self.json(0);
                serde_json::to_vec(&v).unwrap()
            }
            _ => serde_json::to_vec(&value).unwrap(),
        };
        match self.rng.u32(0..100) {
            0..=3 if !body.is_empty() => {
                let at = self.n(0..body.len());
                body.truncate(at);
            }
            4 | 5 if !body.is_empty() => {
                let at = self.n(0..body.len());
                body[at] = self.rng.u8(..);
            }
            6 => body.extend_from_slice(b"}garbage"),
            7 => {
                let mut b = b"\xEF\xBB\xBF".to_vec();
                b.extend_from_slice(&body);
                body = b;
            }
            8 => body = b"{\"a\":\"\xff\xfe\"}".to_vec(),
            9 => body = b"  \r\n\t ".to_vec(),
            _ => {}
        }
        r.body = body;
        r.content_type = Some(
            match self.rng.u32(0..100) {
                0..=84 => "application/json",
                85..=89 => "application/json; charset=utf-8",
                90..=92 => "",
                93..=95 => "text/plain",
                96 => "application/x-www-form-urlencoded",
                97 => "multipart/form-data",
                98 => "a/b/c",
                _ => "application/json; charset=\"\u{0}\"",
            }
            .to_string(),
        );
    }

    // ------------------------------------------------------------ search queries

    fn search_value(&mut self) -> String {
        match self.rng.u32(0..16) {
            0..=2 => format!("\"{}\"", self.word().replace('"', "")),
            3 => self.rng.i64(-10..100_000).to_string(),
            4 => self
                .pick(&["1mb", "500kb", "10gb", "1.5mb", "mb", "-1kb", "1e3kb"])
                .into(),
            5 => self
                .pick(&[
                    "\"2020-01-01\"",
                    "\"2020-13-45\"",
                    "\"2024-01-01T00:00:00Z\"",
                    "\"2024-01-01T00:00:00.000+05:30\"",
                    "2020-01-01",
                ])
                .into(),
            6 => self
                .pick(&[
                    "\"7d\"",
                    "\"2w\"",
                    "\"1h\"",
                    "\"3m\"",
                    "\"1y\"",
                    "\"-7d\"",
                    "\"99999999999y\"",
                    "7d",
                ])
                .into(),
            7 => self.pick(&["true", "false", "\"true\"", "TRUE"]).into(),
            8 => self
                .pick(&[
                    "\"image\"",
                    "\"non-image\"",
                    "\"file\"",
                    "\"folder\"",
                    "\"png\"",
                    "\"image/png\"",
                ])
                .into(),
            9 => format!("[{}, {}]", self.search_value(), self.search_value()),
            10 => "\"unterminated".into(),
            11 => "\"\"".into(),
            12 => format!("\"{}\"", "x".repeat(self.log(5000))),
            13 => "'single'".into(),
            14 => "\"esc\\\"aped\"".into(),
            _ => self.word(),
        }
    }

    fn predicate(&mut self) -> String {
        let field = self.pick(SEARCH_FIELDS);
        match self.rng.u32(0..10) {
            0 => {
                let values: Vec<String> = (0..self.n(0..4)).map(|_| self.search_value()).collect();
                format!("{field} IN [{}]", values.join(", "))
            }
            1 => format!("{field} NOT IN [{}]", self.search_value()),
            _ => {
                let op = self.pick(SEARCH_OPS);
                let sp = if self.p(0.5) { " " } else { "" };
                format!("{field}{sp}{op}{sp}{}", self.search_value())
            }
        }
    }

    fn search_term(&mut self, depth: u32) -> String {
        match self.rng.u32(0..10) {
            0 if depth < 4 => format!("NOT {}", self.search_term(depth + 1)),
            1 | 2 if depth < 4 => format!("({})", self.search(depth + 1)),
            _ => self.predicate(),
        }
    }

    fn search(&mut self, depth: u32) -> String {
        let mut s = self.search_term(depth);
        for _ in 0..self.n(0..3) {
            let joiner = self.pick(&[" AND ", " OR ", " and ", " or ", " AND NOT ", " ", " && "]);
            s.push_str(joiner);
            s.push_str(&self.search_term(depth));
        }
        if self.p(0.1) && !s.is_empty() {
            let mut chars: Vec<char> = s.chars().collect();
            match self.rng.u32(0..3) {
                0 => chars.truncate(self.n(0..chars.len())),
                1 => {
                    let at = self.n(0..=chars.len());
                    let c =
                        self.pick(&['(', ')', '[', ']', ',', '"', '\'', '=', '<', '>', ':', '\\']);
                    chars.insert(at, c);
                }
                _ => {
                    let at = self.n(0..chars.len());
                    chars.remove(at);
                }
            }
            s = chars.into_iter().collect();
        }
        s
    }

    /// Very deep nesting: parentheses or NOT chains up to 20,000 levels (the
    /// `http` crate refuses URIs over 64 KiB with a 414, so the deepest ones
    /// only arrive with unencoded parentheses).
    fn deep_search(&mut self) -> String {
        let n = self.log(20_000);
        let pred = self.predicate();
        match self.rng.u32(0..5) {
            0 | 1 => format!("{}{pred}{}", "(".repeat(n), ")".repeat(n)),
            2 => format!("{}{pred}", "NOT ".repeat(n)),
            3 => format!("{}{pred}{}", "(NOT ".repeat(n), ")".repeat(n)),
            _ => "(".repeat(n),
        }
    }

    /// A long flat chain of AND/OR (deep trees from a loop), short enough
    /// for the 64 KiB URI limit of the `http` crate most of the time.
    fn long_search(&mut self) -> String {
        let n = self.log(4000);
        let joiner = self.pick(&[" AND ", " OR "]);
        (0..n)
            .map(|i| format!("size>{i}"))
            .collect::<Vec<_>>()
            .join(joiner)
    }

    // ------------------------------------------------------------ transformations

    fn dim(&mut self) -> String {
        match self.rng.u32(0..1000) {
            0..=799 => self.rng.u32(1..=200).to_string(),
            800..=849 => format!("0.{}", self.rng.u32(1..99)),
            850..=899 => self
                .pick(&[
                    "abc", "-5", "1e3", "", "0", "1.5.5", "00010", "0.0", " 5", "１",
                ])
                .into(),
            900..=947 => self.rng.u32(16_385..=99_999).to_string(),
            948..=949 => self
                .pick(&["99999", "4294967296", "99999999999999999999"])
                .into(),
            950..=951 => self.rng.u32(500..=2500).to_string(),
            _ => self.rng.u32(1..=64).to_string(),
        }
    }

    fn tr_param(&mut self) -> String {
        match self.rng.u32(0..26) {
            0..=4 => format!("w-{}", self.dim()),
            5..=8 => format!("h-{}", self.dim()),
            9 => format!(
                "ar-{}",
                self.pick(&["4-3", "1-1", "16-9", "0-1", "a-b", "1", "1-100", "100-1", "1.5-1"])
            ),
            10 => format!(
                "c-{}",
                self.pick(&[
                    "maintain_ratio",
                    "force",
                    "at_least",
                    "at_max",
                    "at_max_enlarge",
                    "stretch",
                    ""
                ])
            ),
            11 => format!(
                "cm-{}",
                self.pick(&["pad_resize", "extract", "pad_extract", "nope"])
            ),
            12 => format!(
                "fo-{}",
                self.pick(&[
                    "center",
                    "top",
                    "left",
                    "bottom",
                    "right",
                    "top_left",
                    "bottom_right",
                    "auto",
                    "face",
                    "custom",
                    "middle"
                ])
            ),
            13 => format!("x-{}", self.pick(&["0", "5", "150", "99999", "-1", "a"])),
            14 => format!("y-{}", self.pick(&["0", "5", "150", "99999", "-1", "a"])),
            15 => format!(
                "q-{}",
                self.pick(&["1", "50", "80", "100", "0", "101", "abc"])
            ),
            16 => format!(
                "f-{}",
                self.pick(&["jpg", "jpeg", "png", "webp", "gif", "auto", "orig", "avif", "JPG"])
            ),
            17 => format!(
                "rt-{}",
                self.pick(&["0", "90", "180", "270", "360", "auto", "45", "-90"])
            ),
            18 => format!("bl-{}", self.pick(&["1", "10", "100", "0", "101"])),
            19 => self
                .pick(&[
                    "e-grayscale",
                    "e-grayscale-true",
                    "e-sharpen",
                    "e-contrast",
                    "e-usm-2-2-0.8-0.024",
                ])
                .into(),
            20 => format!(
                "bg-{}",
                self.pick(&["FFFFFF", "00000080", "12345", "blurred", "dominant", "GGGGGG", "red"])
            ),
            21 => {
                let name = if self.p(0.6) {
                    self.ctx
                        .learned_pick(&mut self.rng, Pool::NamedName)
                        .unwrap_or_else(|| "ik_ml_thumbnail".into())
                } else {
                    self.pick(&["ik_ml_thumbnail", "nope", ""]).into()
                };
                format!("n-{name}")
            }
            22 => self
                .pick(&[
                    "l-image,i-x.png,w-10,l-end",
                    "l-text,i-hi,l-end",
                    "l-image",
                    "l-end",
                    "pr-true",
                    "lo-true",
                    "t-true",
                    "orig-true",
                    "dpr-2",
                    "r-max",
                ])
                .into(),
            23 => self
                .pick(&["w", "w-", "-", "", "h-", "zz-1", "w-10-10"])
                .into(),
            24 => self.junk().replace(['/', '?', '#'], ""),
            _ => format!("{}-{}", self.alnum(2), self.alnum(3)),
        }
    }

    fn transformation(&mut self) -> String {
        let steps = if self.p(0.03) {
            self.n(10..25)
        } else {
            self.n(1..4)
        };
        (0..steps)
            .map(|_| {
                (0..self.n(1..5))
                    .map(|_| self.tr_param())
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .collect::<Vec<_>>()
            .join(":")
    }

    // ------------------------------------------------------------ families

    fn family(&mut self) -> Family {
        let total: u32 = FAMILIES.iter().map(|(_, w)| w).sum();
        let mut x = self.rng.u32(0..total);
        for (f, w) in FAMILIES {
            if x < *w {
                return *f;
            }
            x -= w;
        }
        unreachable!()
    }

    fn list(&mut self) -> Req {
        let path = if self.p(0.9) {
            "/v1/files"
        } else {
            "/v1/files/"
        };
        let mut r = req("list", "GET", path.into());
        // Without a limit a list holds up to 1000 files: costly, so rare.
        if self.p(0.93) {
            let limit = match self.rng.u32(0..20) {
                0..=15 => self.rng.u32(1..=20).to_string(),
                16 => self.rng.u32(1..=1000).to_string(),
                _ => self
                    .pick(&[
                        "0",
                        "-1",
                        "abc",
                        "1e3",
                        "99999999999999999999",
                        "",
                        "1001",
                        " 5",
                    ])
                    .into(),
            };
            self.query(&mut r, "limit", &limit);
        }
        if self.p(0.3) {
            let skip = match self.rng.u32(0..6) {
                0..=3 => self.rng.u32(0..50).to_string(),
                4 => "18446744073709551616".into(),
                _ => self.pick(&["-1", "x", "", "1.5"]).into(),
            };
            self.query(&mut r, "skip", &skip);
        }
        let mut keys: Vec<(&str, String)> = Vec::new();
        if self.p(0.3) {
            keys.push(("sort", self.pick(SORTS).into()));
        }
        if self.p(0.2) {
            let v = if self.p(0.8) {
                self.pick(&["file", "folder", "all", "file-version"]).into()
            } else {
                self.junk()
            };
            keys.push(("type", v));
        }
        if self.p(0.2) {
            let v = if self.p(0.8) {
                self.pick(&["image", "non-image", "all"]).into()
            } else {
                self.junk()
            };
            keys.push(("fileType", v));
        }
        if self.p(0.2) {
            keys.push(("path", self.folder()));
        }
        if self.p(0.15) {
            keys.push(("tags", format!("{},{}", self.word(), self.word())));
        }
        if self.p(0.1) {
            keys.push(("includeFolder", self.bool_text()));
        }
        if self.p(0.1) {
            keys.push(("name", self.file_name()));
        }
        if self.p(0.05) {
            keys.push(("includeDeleted", self.bool_text()));
        }
        let roll = self.rng.u32(0..1000);
        if roll < 15 && !self.skipping("deep-search") {
            r.class = "deep-search";
            keys.push(("searchQuery", self.deep_search()));
        } else if roll < 25 && !self.skipping("long-search") {
            r.class = "long-search";
            keys.push(("searchQuery", self.long_search()));
        } else if roll < 500 {
            keys.push(("searchQuery", self.search(0)));
        }
        if self.p(0.05) {
            keys.push(("searchQuery", self.search(0)));
        }
        if self.p(0.05) {
            let k = self.text();
            let v = self.text();
            self.query(&mut r, &k, &v);
        }
        for (k, v) in keys {
            self.query(&mut r, k, &v);
        }
        if self.p(0.02) {
            r.query.push(
                self.pick(&["&", "=", "==&&", "a", "searchQuery", "%", "limit=5&"])
                    .into(),
            );
        }
        r
    }

    fn details_body(&mut self) -> Value {
        if self.p(0.15) {
            let publish = json!({"isPublished": self.p(0.5), "includeFileVersions": self.p(0.5)});
            let mut o = json!({"publish": self.or_json(publish)});
            if self.p(0.1) {
                o["tags"] = self.tags();
            }
            return o;
        }
        let meta = {
            let field = self
                .ctx
                .learned_pick(&mut self.rng, Pool::FieldName)
                .unwrap_or_else(|| "price".into());
            let mut m = Map::new();
            m.insert(field, self.json(1));
            if self.p(0.3) {
                m.insert("color".into(), Value::Null);
            }
            Value::Object(m)
        };
        let tags = self.tags();
        let ai = if self.p(0.2) {
            json!("all")
        } else {
            self.tags()
        };
        let ext = self.extensions();
        let webhook = json!(self.closed_url());
        let description = json!(self.text());
        let coords = json!(self.pick(&["10,10,20,20", "1,2,3", "a,b,c,d", "", "-1,0,5,5"]));
        self.object(
            vec![
                ("tags", tags),
                ("customCoordinates", coords),
                ("customMetadata", meta),
                ("removeAITags", ai),
                ("extensions", ext),
                ("webhookUrl", webhook),
                ("description", description),
            ],
            0.35,
        )
    }

    fn extensions(&mut self) -> Value {
        Value::Array(
            (0..self.n(0..3))
                .map(|_| {
                    let name = json!(self.pick(EXTENSION_NAMES));
                    let n1 = self.number();
                    let n2 = self.number();
                    let options = json!({"add_shadow": self.p(0.5), "bg_color": "fff"});
                    self.object(
                        vec![
                            ("name", name),
                            ("maxTags", n1),
                            ("minConfidence", n2),
                            ("options", options),
                        ],
                        0.6,
                    )
                })
                .collect(),
        )
    }

    fn file_routes(&mut self) -> Req {
        let id = self.file_id();
        let id_seg = self.id_seg(&id);
        let version = |g: &mut Self| -> (String, String) {
            match g.rng.u32(0..10) {
                0..=5 => g
                    .ctx
                    .version_pick(&mut g.rng)
                    .unwrap_or_else(|| (g.random_id(), g.random_id())),
                6 | 7 => (g.file_id(), g.random_id()),
                _ => (g.random_id(), g.random_id()),
            }
        };
        match self.rng.u32(0..16) {
            0..=2 => req("file", "GET", format!("/v1/files/{id_seg}/details")),
            3..=5 => {
                let mut r = req("file", "PATCH", format!("/v1/files/{id_seg}/details"));
                let body = self.details_body();
                self.json_body(&mut r, body);
                r
            }
            6 | 7 => req("file", "GET", format!("/v1/files/{id_seg}/versions")),
            8 | 9 => {
                let (f, v) = version(self);
                let (f, v) = (self.id_seg(&f), self.id_seg(&v));
                req("file", "GET", format!("/v1/files/{f}/versions/{v}"))
            }
            10 => {
                let (f, v) = version(self);
                let (f, v) = (self.id_seg(&f), self.id_seg(&v));
                req("file", "DELETE", format!("/v1/files/{f}/versions/{v}"))
            }
            11 | 12 => {
                let (f, v) = version(self);
                let (f, v) = (self.id_seg(&f), self.id_seg(&v));
                req("file", "PUT", format!("/v1/files/{f}/versions/{v}/restore"))
            }
            13 | 14 => req("file", "GET", format!("/v1/files/{id_seg}/metadata")),
            _ => req("file", "DELETE", format!("/v1/files/{id_seg}")),
        }
    }

    fn tag_routes(&mut self) -> Req {
        let (path, key) = match self.rng.u32(0..5) {
            0 | 1 => ("/v1/files/addTags", "tags"),
            2 => ("/v1/files/removeTags", "tags"),
            3 => ("/v1/files/removeAITags", "AITags"),
            _ => ("/v1/files/batch/deleteByFileIds", ""),
        };
        let mut r = req("tags", "POST", path.into());
        let ids = self.file_ids();
        let tags = self.tags();
        let body = if key.is_empty() {
            self.object(vec![("fileIds", ids)], 0.95)
        } else {
            self.object(vec![("fileIds", ids), (key, tags)], 0.9)
        };
        self.json_body(&mut r, body);
        r
    }

    fn copy_move(&mut self) -> Req {
        let source = json!(self.file_path());
        let dest = json!(self.folder());
        let mut r = match self.rng.u32(0..3) {
            0 => {
                let mut r = req("copy-move", "POST", "/v1/files/copy".into());
                let versions = json!(self.p(0.5));
                let body = self.object(
                    vec![
                        ("sourceFilePath", source),
                        ("destinationPath", dest),
                        ("includeFileVersions", versions),
                    ],
                    0.85,
                );
                self.json_body(&mut r, body);
                r
            }
            1 => {
                let mut r = req("copy-move", "POST", "/v1/files/move".into());
                let body = self.object(
                    vec![("sourceFilePath", source), ("destinationPath", dest)],
                    0.9,
                );
                self.json_body(&mut r, body);
                r
            }
            _ => {
                let mut r = req("copy-move", "PUT", "/v1/files/rename".into());
                let name = json!(self.file_name());
                let purge = json!(self.p(0.3));
                let body = self.object(
                    vec![
                        ("filePath", source),
                        ("newFileName", name),
                        ("purgeCache", purge),
                    ],
                    0.85,
                );
                self.json_body(&mut r, body);
                r
            }
        };
        r.class = "copy-move";
        r
    }

    fn purge(&mut self) -> Req {
        if self.p(0.5) {
            let mut r = req("purge", "POST", "/v1/files/purge".into());
            let url = if self.p(0.7) {
                let mut u = self.own_url();
                if self.p(0.2) {
                    u.push('*');
                }
                json!(u)
            } else {
                json!(self.junk())
            };
            let body = self.object(vec![("url", url)], 0.95);
            self.json_body(&mut r, body);
            r
        } else {
            let id = self.learned_or_random(Pool::PurgeId, 0.7);
            let id = self.id_seg(&id);
            req("purge", "GET", format!("/v1/files/purge/{id}"))
        }
    }

    fn folder_routes(&mut self) -> Req {
        if self.p(0.6) {
            let mut r = req("folder", "POST", "/v1/folder".into());
            let name = json!(if self.p(0.8) {
                self.word()
            } else {
                self.junk()
            });
            let parent = json!(self.folder());
            let body = self.object(
                vec![("folderName", name), ("parentFolderPath", parent)],
                0.9,
            );
            self.json_body(&mut r, body);
            r
        } else {
            let mut r = req("folder", "DELETE", "/v1/folder".into());
            let path = json!(self.folder());
            let body = self.object(vec![("folderPath", path)], 0.95);
            self.json_body(&mut r, body);
            r
        }
    }

    fn bulk_jobs(&mut self) -> Req {
        // Sources are mostly folders that do not exist, so that copies do
        // not grow the library exponentially.
        let source = |g: &mut Self| {
            if g.p(0.3) {
                json!(g.folder())
            } else {
                json!(format!("/{}", g.alnum(6)))
            }
        };
        match self.rng.u32(0..4) {
            0 | 1 => {
                let copy = self.p(0.5);
                let path = if copy {
                    "/v1/bulkJobs/copyFolder"
                } else {
                    "/v1/bulkJobs/moveFolder"
                };
                let mut r = req("bulk-job", "POST", path.into());
                let src = source(self);
                let dest = json!(self.folder());
                let v1 = json!(self.p(0.5));
                let v2 = json!(self.p(0.5));
                let body = self.object(
                    vec![
                        ("sourceFolderPath", src),
                        ("destinationPath", dest),
                        ("includeVersions", v1),
                        ("includeFileVersions", v2),
                    ],
                    0.8,
                );
                self.json_body(&mut r, body);
                r
            }
            2 => {
                let mut r = req("bulk-job", "POST", "/v1/bulkJobs/renameFolder".into());
                let src = source(self);
                let name = json!(self.text());
                let purge = json!(self.p(0.5));
                let body = self.object(
                    vec![
                        ("folderPath", src),
                        ("newFolderName", name),
                        ("purgeCache", purge),
                    ],
                    0.85,
                );
                self.json_body(&mut r, body);
                r
            }
            _ => {
                let id = self.learned_or_random(Pool::JobId, 0.7);
                let id = self.id_seg(&id);
                req("bulk-job", "GET", format!("/v1/bulkJobs/{id}"))
            }
        }
    }

    /// GET list, POST create, and GET/PATCH|PUT/DELETE by id of a resource.
    fn resource(
        &mut self,
        class: &'static str,
        base: &str,
        update: &str,
        get_one: bool,
    ) -> (Req, bool) {
        let id = self.learned_or_random(Pool::Id, 0.6);
        let id = self.id_seg(&id);
        match self.rng.u32(0..10) {
            0 | 1 => (req(class, "GET", base.into()), false),
            2..=4 => (req(class, "POST", base.into()), true),
            5 if get_one => (req(class, "GET", format!("{base}/{id}")), false),
            5..=7 => (req(class, update, format!("{base}/{id}")), true),
            _ => (req(class, "DELETE", format!("{base}/{id}")), false),
        }
    }

    fn custom_meta(&mut self) -> Req {
        let (mut r, body) = self.resource(
            "custom-metadata",
            "/v1/customMetadataFields",
            "PATCH",
            false,
        );
        if r.method == "GET" && self.p(0.5) {
            let v = self.bool_text();
            self.query(&mut r, "includeDeleted", &v);
        }
        if body {
            let ty = json!(self.pick(FIELD_TYPES));
            let options = Value::Array((0..self.n(0..4)).map(|_| json!(self.word())).collect());
            let (a, b, c, d, e) = (
                self.number(),
                self.number(),
                self.number(),
                self.number(),
                self.json(0),
            );
            let required = json!(self.p(0.3));
            let schema = self.object(
                vec![
                    ("type", ty),
                    ("minLength", a),
                    ("maxLength", b),
                    ("minValue", c),
                    ("maxValue", d),
                    ("selectOptions", options),
                    ("defaultValue", e),
                    ("isValueRequired", required),
                ],
                0.4,
            );
            let name = json!(if self.p(0.8) {
                self.alnum_in(1..10)
            } else {
                self.junk()
            });
            let label = json!(self.text());
            let body = self.object(
                vec![("name", name), ("label", label), ("schema", schema)],
                0.85,
            );
            self.json_body(&mut r, body);
        }
        r
    }

    fn saved_ext(&mut self) -> Req {
        let (mut r, body) = self.resource("saved-extension", "/v1/saved-extensions", "PATCH", true);
        if body {
            let task = {
                let ty = json!(self.pick(&["yes_no", "select_tags", "select_metadata", "nope"]));
                let instruction = json!(self.text());
                let field = json!(self.word());
                self.object(
                    vec![("type", ty), ("instruction", instruction), ("field", field)],
                    0.7,
                )
            };
            let name = json!(self.pick(EXTENSION_NAMES));
            let (n1, n2) = (self.number(), self.number());
            let (shadow, semi) = (self.p(0.5), self.p(0.5));
            let options =
                json!({"add_shadow": shadow, "semitransparency": semi, "bg_color": "fff"});
            let config = self.object(
                vec![
                    ("name", name),
                    ("maxTags", n1),
                    ("minConfidence", n2),
                    ("options", options),
                    ("tasks", json!([task])),
                ],
                0.6,
            );
            let name = json!(self.text());
            let description = json!(self.text());
            let body = self.object(
                vec![
                    ("name", name),
                    ("description", description),
                    ("config", config),
                ],
                0.85,
            );
            self.json_body(&mut r, body);
        }
        r
    }

    fn named_tr(&mut self) -> Req {
        let (mut r, body) = self.resource(
            "named-transformation",
            "/v1/named-transformations",
            "PATCH",
            true,
        );
        if body {
            let name = json!(if self.p(0.8) {
                format!("n_{}", self.alnum_in(1..8))
            } else {
                self.junk()
            });
            let tr = json!(self.transformation());
            let description = json!(self.text());
            let enabled = json!(self.p(0.8));
            let body = self.object(
                vec![
                    ("name", name),
                    ("transformation", tr),
                    ("description", description),
                    ("enabled", enabled),
                ],
                0.85,
            );
            self.json_body(&mut r, body);
        }
        r
    }

    fn origins(&mut self) -> Req {
        let (mut r, body) = self.resource("origin", "/v1/accounts/origins", "PUT", true);
        if body {
            let ty = json!(self.pick(ORIGIN_TYPES));
            let closed = json!(self.closed_url());
            let mut fields = vec![("type", ty), ("name", json!(self.text()))];
            for key in [
                "bucket",
                "prefix",
                "accessKey",
                "secretKey",
                "clientEmail",
                "privateKey",
                "accountName",
                "container",
                "sasToken",
                "host",
                "username",
                "password",
                "clientId",
                "clientSecret",
            ] {
                fields.push((key, json!(self.text())));
            }
            for key in ["endpoint", "baseUrl", "baseUrlForCanonicalHeader"] {
                fields.push((key, closed.clone()));
            }
            for key in [
                "s3ForcePathStyle",
                "forwardHostHeaderToOrigin",
                "includeCanonicalHeader",
                "useIAMRole",
            ] {
                fields.push((key, json!(self.p(0.5))));
            }
            let body = self.object(fields, 0.5);
            self.json_body(&mut r, body);
        }
        r
    }

    fn url_endpoints(&mut self) -> Req {
        let (mut r, body) =
            self.resource("url-endpoint", "/v1/accounts/url-endpoints", "PUT", true);
        if body {
            let origins = Value::Array(
                (0..self.n(0..3))
                    .map(|_| json!(self.learned_or_random(Pool::Id, 0.7)))
                    .collect(),
            );
            let prefix = json!(if self.p(0.7) {
                self.alnum_in(1..8)
            } else {
                self.junk()
            });
            let rewriter = json!({
                "type": self.pick(&["CLOUDINARY", "IMGIX", "AKAMAI", "NOPE"]),
                "preserveAssetDeliveryTypes": self.p(0.5),
            });
            let description = json!(self.text());
            let body = self.object(
                vec![
                    ("description", description),
                    ("urlPrefix", prefix),
                    ("origins", origins),
                    ("urlRewriter", rewriter),
                ],
                0.8,
            );
            self.json_body(&mut r, body);
        }
        r
    }

    fn date(&mut self) -> String {
        if self.p(0.85) {
            let today = (now_secs() / 86_400) as i64;
            let (y, m, d) = civil(today - self.rng.i64(-3..120));
            format!("{y:04}-{m:02}-{d:02}")
        } else {
            self.pick(&[
                "2020-02-30",
                "2020-1-1",
                "yesterday",
                "",
                "9999-99-99",
                "-0001-01-01",
                "2024-01-01T00:00:00Z",
            ])
            .into()
        }
    }

    fn usage(&mut self) -> Req {
        let path = if self.p(0.5) {
            "/v1/accounts/usage"
        } else {
            "/v1/accounts/usage-analytics"
        };
        let mut r = req("usage", "GET", path.into());
        if self.p(0.9) {
            let d = self.date();
            self.query(&mut r, "startDate", &d);
        }
        if self.p(0.9) {
            let d = self.date();
            self.query(&mut r, "endDate", &d);
        }
        r
    }

    fn remote_meta(&mut self) -> Req {
        let mut r = req("remote-metadata", "GET", "/v1/metadata".into());
        if self.p(0.95) {
            let url = self.fetch_url();
            self.query(&mut r, "url", &url);
        }
        r
    }

    fn delivery(&mut self) -> Req {
        let mut path = String::from("/local");
        if self.p(0.1) {
            let prefix = self
                .ctx
                .learned_pick(&mut self.rng, Pool::UrlPrefix)
                .unwrap_or_else(|| self.word());
            let seg = self.enc_seg(&prefix);
            path.push('/');
            path.push_str(&seg);
        }
        if self.p(0.5) {
            let tr = self.transformation();
            let tr = self.enc_seg(&tr);
            match self.rng.u32(0..20) {
                0 => path.push_str("/tr:"),
                1 => {
                    let _ = write!(path, "/tr:{tr}/tr:{tr}");
                }
                _ => {
                    let _ = write!(path, "/tr:{tr}");
                }
            }
        }
        let file = self.file_path();
        let file = self.enc_path(&file);
        if !self.p(0.02) {
            path.push('/');
        }
        path.push_str(file.trim_start_matches('/'));
        let mut r = req("delivery", "GET", path);
        if self.p(0.15) {
            let tr = self.transformation();
            self.query(&mut r, "tr", &tr);
        }
        if self.p(0.1) {
            let v = if self.p(0.7) {
                self.ctx
                    .version_pick(&mut self.rng)
                    .map(|(_, v)| v)
                    .unwrap_or_else(|| self.random_id())
            } else {
                self.random_id()
            };
            self.query(&mut r, "ik-obj-version", &v);
        }
        if self.p(0.05) {
            let s = self.hex(40);
            self.query(&mut r, "ik-s", &s);
            if self.p(0.5) {
                let t = self.pick(&["9999999999", "1", "abc", "", "-5"]).to_string();
                self.query(&mut r, "ik-t", &t);
            }
        }
        if self.p(0.05) {
            let (k, v) = (self.text(), self.text());
            self.query(&mut r, &k, &v);
        }
        // Delivery needs no auth: send it less often.
        r.basic_auth = self.p(0.3);
        if self.p(0.2) {
            let referrer = format!("http://{}.example/{}", self.alnum(5), self.alnum(5));
            r.headers.push(("Referer".into(), referrer));
        }
        r
    }

    fn admin(&mut self) -> Req {
        let path = self.pick(&[
            "/__admin/health",
            "/__admin/faults",
            "/__admin/rate-limit",
            "/__admin/check",
            "/__admin/nope",
            "/__admin",
        ]);
        let method = if self.p(0.9) { "GET" } else { "HEAD" };
        let mut r = req("admin", method, path.into());
        r.basic_auth = self.p(0.2);
        r
    }

    fn junk_route(&mut self) -> Req {
        let path = match self.rng.u32(0..12) {
            0 => "/".to_string(),
            1 => "/v2/x".into(),
            2 => "/v1".into(),
            3 => format!(
                "/v1/files/{}/{}/{}",
                self.alnum(3),
                self.alnum(3),
                self.alnum(3)
            ),
            4 => "/api/v1/files/upload/extra".into(),
            5 => "/%2e%2e/%2e%2e/etc/passwd".into(),
            6 => self
                .pick(&[
                    "/local",
                    "/local/",
                    "/local/tr:",
                    "/local//",
                    "//v1/files",
                    "/v1/files//details",
                ])
                .into(),
            7 => {
                // Very long.
                let n = self.log(200_000);
                let seg = self.alnum_in(1..20);
                let mut p = String::new();
                while p.len() < n {
                    p.push('/');
                    p.push_str(&seg);
                }
                p
            }
            8 => {
                let j = self.junk();
                format!("/{}", self.enc_seg(&j))
            }
            9 => format!(
                "/v1/files/{}",
                self.pick(&["addTags", "copy", "purge", "rename", "batch"])
            ),
            10 => format!(
                "/v1/{}",
                self.pick(&[
                    "folder/x",
                    "bulkJobs",
                    "accounts",
                    "accounts/usage/x",
                    "metadata/x"
                ])
            ),
            _ => {
                let p = self.file_path();
                format!("/{}", self.enc_path(&p))
            }
        };
        let method = self.pick(METHODS);
        let mut r = req("junk", method, path);
        r.natural_method = false;
        if self.p(0.3) {
            let v = self.json(0);
            self.json_body(&mut r, v);
        }
        r
    }

    // ------------------------------------------------------------ uploads

    fn image(&mut self) -> Vec<u8> {
        let images = &self.ctx.images;
        images[self.rng.usize(..images.len())].clone()
    }

    fn upload_fields(&mut self) -> Vec<(String, String)> {
        let mut f: Vec<(String, String)> = Vec::new();
        let mut add = |g: &mut Self, p: f64, k: &str, v: &dyn Fn(&mut Self) -> String| {
            if g.p(p) {
                let v = v(g);
                f.push((k.to_string(), v));
            }
        };
        add(self, 0.9, "fileName", &|g| g.file_name());
        add(self, 0.4, "useUniqueFileName", &|g| g.bool_text());
        add(self, 0.5, "folder", &|g| g.folder());
        add(self, 0.4, "tags", &|g| {
            if g.p(0.8) {
                (0..g.n(0..4))
                    .map(|_| g.word())
                    .collect::<Vec<_>>()
                    .join(",")
            } else {
                g.junk()
            }
        });
        add(self, 0.15, "isPrivateFile", &|g| g.bool_text());
        add(self, 0.15, "isPublished", &|g| g.bool_text());
        add(self, 0.15, "customCoordinates", &|g| {
            g.pick(&["10,10,20,20", "1,2,3,4", "a,b,c,d", "", "-1,0,5,5", "1,2,3"])
                .into()
        });
        add(self, 0.2, "responseFields", &|g| {
            let fields = [
                "tags",
                "customCoordinates",
                "isPrivateFile",
                "embeddedMetadata",
                "customMetadata",
                "isPublished",
                "metadata",
                "nope",
            ];
            (0..g.n(0..4))
                .map(|_| g.pick(&fields))
                .collect::<Vec<_>>()
                .join(",")
        });
        add(self, 0.15, "customMetadata", &|g| {
            let field = g
                .ctx
                .learned_pick(&mut g.rng, Pool::FieldName)
                .unwrap_or_else(|| "price".into());
            let mut m = Map::new();
            m.insert(field, g.json(1));
            if g.p(0.8) {
                serde_json::to_string(&m).unwrap()
            } else {
                g.junk()
            }
        });
        for key in [
            "overwriteFile",
            "overwriteTags",
            "overwriteAITags",
            "overwriteCustomMetadata",
        ] {
            add(self, 0.1, key, &|g| g.bool_text());
        }
        add(self, 0.1, "extensions", &|g| {
            let e = g.extensions();
            serde_json::to_string(&e).unwrap()
        });
        add(self, 0.1, "transformation", &|g| {
            let pre = json!(g.transformation());
            let kind = g.pick(&["thumbnail", "transformation", "abs", "gif-to-video", "nope"]);
            let protocol = g.pick(&["hls", "dash", "rtmp"]);
            let post = json!([{"type": kind, "value": g.transformation(), "protocol": protocol}]);
            let t = g.object(vec![("pre", pre), ("post", post)], 0.6);
            if g.p(0.9) {
                serde_json::to_string(&t).unwrap()
            } else {
                g.junk()
            }
        });
        add(self, 0.05, "webhookUrl", &|g| g.closed_url());
        add(self, 0.05, "checks", &|g| g.search(0));
        add(self, 0.1, "description", &|g| g.text());
        add(self, 0.05, "isTemporary", &|g| g.bool_text());
        if self.p(0.1) {
            let (k, v) = (self.text(), self.text());
            f.push((k, v));
        }
        f
    }

    fn upload(&mut self) -> Req {
        let mut r = req("upload", "POST", "/api/v1/files/upload".into());
        let boundary = match self.rng.u32(0..20) {
            0 => format!("b{}", self.alnum(70)),
            1 => "-".repeat(self.n(1..40)),
            _ => format!("----fuzz{}", self.alnum_in(4..30)),
        };
        let mut parts: Vec<(String, Option<String>, Vec<u8>)> = Vec::new();
        let file_part = |g: &mut Self| -> (Option<String>, Vec<u8>) {
            match g.rng.u32(0..100) {
                0..=29 => {
                    let len = if g.p(0.003) {
                        MAX_UPLOAD_BYTES + g.n(1..65_536)
                    } else {
                        g.log(4096) - 1
                    };
                    let mut bytes = vec![0u8; len];
                    g.rng.fill(&mut bytes);
                    (Some(g.file_name()), bytes)
                }
                30..=54 => (Some(g.file_name()), g.image()),
                55..=62 => {
                    let images = &g.ctx.broken_images;
                    let b = images[g.rng.usize(..images.len())].clone();
                    (Some(g.file_name()), b)
                }
                63..=72 => {
                    let bytes = if g.p(0.7) {
                        g.image()
                    } else {
                        let mut b = vec![0u8; g.log(2048)];
                        g.rng.fill(&mut b);
                        b
                    };
                    let mut text = B64.encode(bytes);
                    if g.p(0.2) {
                        text = text.trim_end_matches('=').to_string();
                    }
                    if g.p(0.05) {
                        text.insert_str(g.n(0..text.len().max(1)), "\r\n");
                    }
                    (None, text.into_bytes())
                }
                73..=77 => {
                    let img = g.image();
                    let mime = g.pick(&["image/png", "text/plain", "", "x"]);
                    (
                        None,
                        format!("data:{mime};base64,{}", B64.encode(img)).into_bytes(),
                    )
                }
                78..=83 => {
                    let url = if g.p(0.6) {
                        g.own_url()
                    } else {
                        g.closed_url()
                    };
                    (None, url.into_bytes())
                }
                84..=88 => (None, g.junk().into_bytes()),
                _ => (
                    if g.p(0.5) { Some(g.file_name()) } else { None },
                    Vec::new(),
                ),
            }
        };
        let roll = self.rng.u32(0..100);
        if roll < 94 {
            let (name, bytes) = file_part(self);
            parts.push(("file".into(), name, bytes));
            if roll >= 92 {
                let (name, bytes) = file_part(self);
                parts.push(("file".into(), name, bytes));
            }
        }
        let mut client_side = false;
        if self.p(0.08) {
            client_side = true;
            let expire = match self.rng.u32(0..6) {
                0..=3 => (now_secs() + 600).to_string(),
                4 => (now_secs() - 10).to_string(),
                _ => self.pick(&["", "abc", "99999999999"]).to_string(),
            };
            let token = self.alnum(12);
            let signature = if self.p(0.7) {
                hmac_hex(&self.ctx.private_key, &format!("{token}{expire}"))
            } else {
                self.hex(40)
            };
            let key = if self.p(0.9) {
                "public_local_test_key".to_string()
            } else {
                self.text()
            };
            for (k, v) in [
                ("publicKey", key),
                ("signature", signature),
                ("expire", expire),
                ("token", token),
            ] {
                if self.p(0.95) {
                    parts.push((k.into(), None, v.into_bytes()));
                }
            }
        }
        for (k, v) in self.upload_fields() {
            parts.push((k, None, v.into_bytes()));
        }
        let abuse = self.rng.u32(0..1000);
        if abuse < 6 && !self.skipping("upload-many-fields") {
            r.class = "upload-many-fields";
            let n = self.n(2000..8000);
            let repeat = self.p(0.3);
            for i in 0..n {
                let name = if repeat {
                    "tags".to_string()
                } else {
                    format!("f{i}")
                };
                parts.push((name, None, self.alnum_in(1..16).into_bytes()));
            }
        } else if abuse < 7 && !self.skipping("upload-big-fields") {
            r.class = "upload-big-fields";
            let n = self.n(13..17);
            for i in 0..n {
                let value = "x".repeat((1 << 20) - 64);
                parts.push((format!("big{i}"), None, value.into_bytes()));
            }
        }
        let form_bytes: usize = parts
            .iter()
            .filter(|(name, _, _)| name != "file")
            .map(|(_, _, v)| v.len())
            .sum();
        if parts.len() > MAX_FORM_FIELDS {
            r.must_refuse = Some(format!("an upload form of {} parts", parts.len()));
        } else if form_bytes > MAX_FORM_BYTES {
            r.must_refuse = Some(format!(
                "an upload form with {form_bytes} bytes of non-file parts"
            ));
        }
        self.rng.shuffle(&mut parts[..]);

        // Render the multipart body.
        let lf_only = self.p(0.01);
        let nl: &[u8] = if lf_only { b"\n" } else { b"\r\n" };
        let mut body = Vec::new();
        if self.p(0.02) {
            body.extend_from_slice(b"preamble junk\r\n");
        }
        for (name, file_name, content) in &parts {
            body.extend_from_slice(b"--");
            body.extend_from_slice(boundary.as_bytes());
            body.extend_from_slice(nl);
            match self.rng.u32(0..200) {
                0 => {}
                1 => {
                    body.extend_from_slice(
                        format!("Content-Disposition: form-data; name={name}").as_bytes(),
                    );
                    body.extend_from_slice(nl);
                }
                2 => {
                    body.extend_from_slice(b"Content-Disposition: attachment");
                    body.extend_from_slice(nl);
                }
                _ => {
                    let mut disp = format!("Content-Disposition: form-data; name=\"{name}\"");
                    if let Some(f) = file_name {
                        let f = f.replace(['"', '\r', '\n'], "_");
                        let _ = write!(disp, "; filename=\"{f}\"");
                    }
                    body.extend_from_slice(disp.as_bytes());
                    body.extend_from_slice(nl);
                }
            }
            if file_name.is_some() && self.p(0.5) {
                let ct = self.pick(&[
                    "image/png",
                    "application/octet-stream",
                    "text/plain",
                    "",
                    "x/y",
                ]);
                body.extend_from_slice(format!("Content-Type: {ct}").as_bytes());
                body.extend_from_slice(nl);
            }
            body.extend_from_slice(nl);
            body.extend_from_slice(content);
            body.extend_from_slice(nl);
        }
        match self.rng.u32(0..100) {
            0 => {}
            1 => {
                let at = self.n(0..body.len().max(1));
                body.truncate(at);
            }
            _ => {
                body.extend_from_slice(b"--");
                body.extend_from_slice(boundary.as_bytes());
                body.extend_from_slice(b"--");
                body.extend_from_slice(nl);
            }
        }
        r.body = body;
        r.content_type = Some(match self.rng.u32(0..100) {
            0..=89 => format!("multipart/form-data; boundary={boundary}"),
            90..=92 => format!("multipart/form-data; boundary=\"{boundary}\""),
            93 => "multipart/form-data".into(),
            94 => format!("multipart/form-data; boundary={}", self.alnum(10)),
            95 => "application/json".into(),
            96 => String::new(),
            97 => format!("multipart/mixed; boundary={boundary}"),
            98 => "text/plain".into(),
            _ => format!("multipart/form-data; boundary={boundary}; boundary=x"),
        });
        if client_side && self.p(0.8) {
            r.basic_auth = false;
        }
        r
    }

    // ------------------------------------------------------------ headers and rendering

    fn auth_header(&mut self) -> Option<String> {
        let key = self.ctx.private_key.clone();
        let basic = |s: &[u8]| format!("Basic {}", B64.encode(s));
        Some(match self.rng.u32(0..100) {
            0..=81 => self.ctx.auth.clone(),
            82..=87 => return None,
            88 => basic(b"wrong:"),
            89 => basic(format!("{key}:password").as_bytes()),
            90 => "Basic !!!notbase64".into(),
            91 => format!("Bearer {key}"),
            92 => "Basic ".into(),
            93 => format!("basic {}", B64.encode(format!("{key}:"))),
            94 => basic(key.as_bytes()),
            95 => basic(format!(":{key}").as_bytes()),
            96 => basic(b"\xff\xfe:\x00"),
            97 => self
                .junk()
                .chars()
                .filter(|c| (' '..='~').contains(c))
                .collect(),
            98 => format!("{} extra", self.ctx.auth),
            _ => basic("k".repeat(self.log(60_000)).as_bytes()),
        })
    }

    fn header_value(&mut self) -> String {
        let len = self.log(200);
        (0..len)
            .map(|_| {
                if self.p(0.97) {
                    char::from(self.rng.u8(0x20..0x7f))
                } else {
                    self.pick(&['ü', '日', '\t'])
                }
            })
            .collect::<String>()
            .trim()
            .to_string()
    }

    fn std_headers(&mut self, r: &mut Req) {
        let port = self.ctx.port;
        let host = match self.rng.u32(0..100) {
            0..=79 => Some(format!("127.0.0.1:{port}")),
            80..=84 => Some(format!("localhost:{port}")),
            85..=88 => Some("evil.example".into()),
            89..=92 => None,
            93..=95 => Some("127.0.0.1".into()),
            96 => Some(format!("[::1]:{port}")),
            97 => Some(String::new()),
            98 => Some("a b c".into()),
            _ => {
                r.headers.push(("Host".into(), "evil.example".into()));
                Some(format!("127.0.0.1:{port}"))
            }
        };
        if let Some(h) = host {
            r.headers.insert(0, ("Host".into(), h));
        }
        if r.basic_auth {
            if let Some(a) = self.auth_header() {
                r.headers.push(("Authorization".into(), a));
            }
        } else if self.p(0.05) {
            r.headers
                .push(("Authorization".into(), self.ctx.auth.clone()));
        }
        if let Some(ct) = r.content_type.take() {
            if !ct.is_empty() || self.p(0.5) {
                r.headers.push(("Content-Type".into(), ct));
            }
        } else if self.p(0.03) {
            let ct = self.pick(&[
                "application/json",
                "text/plain",
                "multipart/form-data; boundary=x",
                "garbage",
            ]);
            r.headers.push(("Content-Type".into(), ct.into()));
        }
        if self.p(0.1) {
            let origin = self.pick(&["http://evil.example", "null", "http://127.0.0.1"]);
            r.headers.push(("Origin".into(), origin.into()));
        }
        if self.p(0.15) {
            let ua = self.header_value();
            r.headers.push(("User-Agent".into(), ua));
        }
        if self.p(0.05) {
            let v = self.pick(&[
                "bytes=0-10",
                "bytes=-5",
                "bytes=5-",
                "bytes=9-1",
                "bytes=0-0,2-3",
                "items=1",
            ]);
            r.headers.push(("Range".into(), v.into()));
        }
        if self.p(0.02) {
            let v = self.pick(&["close", "keep-alive", "Upgrade", "nope"]);
            r.headers.push(("Connection".into(), v.into()));
        }
        if self.p(0.01) && !r.body.is_empty() {
            r.headers.push(("Expect".into(), "100-continue".into()));
        }
        if self.p(0.01) {
            let v = self.pick(&["websocket", "h2c", "TLS/1.0"]);
            r.headers.push(("Upgrade".into(), v.into()));
        }
        const NAMES: &[&str] = &[
            "X-Foo",
            "Accept",
            "Accept-Encoding",
            "Cookie",
            "X-Forwarded-For",
            "X-Forwarded-Host",
            "Forwarded",
            "Cache-Control",
            "If-None-Match",
            "If-Modified-Since",
            "Accept-Language",
            "X-Real-IP",
            "X-HTTP-Method-Override",
            "Referer",
        ];
        for _ in 0..self.n(0..4) {
            let name = if self.p(0.7) {
                self.pick(NAMES).to_string()
            } else {
                format!("X-{}", self.alnum_in(1..20))
            };
            let v = self.header_value();
            r.headers.push((name, v));
        }
        match self.rng.u32(0..200) {
            0 | 1 => {
                r.class = "many-headers";
                for i in 0..self.n(100..400) {
                    let v = self.header_value();
                    r.headers.push((format!("X-Many-{i}"), v));
                }
            }
            2 | 3 => {
                r.class = "huge-header";
                let n = self.log(100_000);
                r.headers.push(("X-Huge".into(), "h".repeat(n)));
            }
            _ => {}
        }
        let first = 1.min(r.headers.len());
        self.rng.shuffle(&mut r.headers[first..]);
    }

    fn method(&mut self, r: &mut Req) {
        if r.natural_method && self.p(0.1) {
            r.method = self.pick(METHODS).to_string();
        }
        // Never reset the store or set fault rules.
        let decoded = percent_encoding::percent_decode_str(&r.path)
            .decode_utf8_lossy()
            .to_ascii_lowercase();
        let m = r.method.to_ascii_uppercase();
        if decoded.contains("admin") && m != "GET" && m != "HEAD" {
            r.method = "GET".into();
        }
    }

    fn render(&mut self, r: Req, index: u64) -> Planned {
        let mut kind = Kind::Answer;
        let mut framing = "length";
        let mut target = r.path.clone();
        if !r.query.is_empty() {
            target.push('?');
            target.push_str(&r.query.join("&"));
        } else if self.p(0.01) {
            target.push('?');
        }
        if self.p(0.01) {
            target = format!("http://127.0.0.1:{}{target}", self.ctx.port);
        }
        let mut version = "HTTP/1.1";
        if self.p(0.01) {
            version = "HTTP/1.0";
            kind = Kind::AnswerOnce;
        }
        let mut line = format!("{} {target} {version}\r\n", r.method);
        if self.p(0.01) {
            kind = Kind::Malformed;
            framing = "bad-request-line";
            line = match self.rng.u32(0..8) {
                0 => format!("{} {target} HTTP/9.9\r\n", r.method),
                1 => format!("{} {target}\r\n", r.method),
                2 => format!("{} {target} HTTP/1.1 extra\r\n", r.method),
                3 => format!("{}\t{target}\tHTTP/1.1\r\n", r.method),
                4 => format!("{} /a b{target} HTTP/1.1\r\n", r.method),
                5 => format!("G@T {target} HTTP/1.1\r\n"),
                6 => format!("{} {target}\u{1} HTTP/1.1\r\n", r.method),
                _ => format!("{} {target} http/1.1\r\n", r.method),
            };
        }
        let mut head = line.into_bytes();
        let mut headers = r.headers;
        let body = r.body;
        let mut tail: Vec<u8> = Vec::new();
        let roll = self.rng.u32(0..1000);
        let mut wire_body = body.clone();
        let chunked = |b: &[u8], g: &mut Self| -> Vec<u8> {
            let mut out = Vec::new();
            let mut pos = 0;
            while pos < b.len() {
                let n = g.log(b.len() - pos + 1).min(b.len() - pos).max(1);
                let _ = write!(out, "{n:x}\r\n");
                out.extend_from_slice(&b[pos..pos + n]);
                out.extend_from_slice(b"\r\n");
                pos += n;
            }
            out.extend_from_slice(b"0\r\n\r\n");
            out
        };
        if body.is_empty() {
            let m = r.method.as_str();
            if matches!(m, "POST" | "PUT" | "PATCH") && self.p(0.6) || self.p(0.05) {
                headers.push(("Content-Length".into(), "0".into()));
            } else if self.p(0.01) {
                framing = "chunked";
                headers.push(("Transfer-Encoding".into(), "chunked".into()));
                wire_body = b"0\r\n\r\n".to_vec();
            } else {
                framing = "none";
            }
        } else {
            match roll {
                0..=899 => headers.push(("Content-Length".into(), body.len().to_string())),
                900..=949 => {
                    framing = "chunked";
                    headers.push(("Transfer-Encoding".into(), "chunked".into()));
                    wire_body = chunked(&body, self);
                }
                950..=964 => {
                    framing = "length-too-large";
                    kind = Kind::Truncated;
                    let extra = self.log(100_000);
                    headers.push(("Content-Length".into(), (body.len() + extra).to_string()));
                }
                965..=974 => {
                    framing = "length-too-small";
                    if kind == Kind::Answer {
                        kind = Kind::AnswerOnce;
                    }
                    let n = self.n(0..body.len());
                    headers.push(("Content-Length".into(), n.to_string()));
                }
                975..=984 => {
                    framing = "bad-chunked";
                    kind = Kind::Malformed;
                    headers.push(("Transfer-Encoding".into(), "chunked".into()));
                    let mut c = chunked(&body, self);
                    match self.rng.u32(0..4) {
                        0 => c.splice(0..0, b"zz\r\n".iter().copied()).for_each(drop),
                        1 => c
                            .splice(0..0, b"ffffffffffffffffffff\r\n".iter().copied())
                            .for_each(drop),
                        2 => {
                            // Announce one byte more than sent.
                            let mut out = format!("{:x}\r\n", body.len() + 1).into_bytes();
                            out.extend_from_slice(&body);
                            out.extend_from_slice(b"\r\n0\r\n\r\n");
                            c = out;
                        }
                        _ => c.retain(|b| *b != b'\r'),
                    }
                    wire_body = c;
                }
                985..=989 => {
                    framing = "length-and-chunked";
                    kind = Kind::Malformed;
                    headers.push(("Content-Length".into(), body.len().to_string()));
                    headers.push(("Transfer-Encoding".into(), "chunked".into()));
                    wire_body = chunked(&body, self);
                }
                990..=994 => {
                    framing = "chunked-truncated";
                    kind = Kind::Truncated;
                    headers.push(("Transfer-Encoding".into(), "chunked".into()));
                    let c = chunked(&body, self);
                    wire_body = c[..self.n(0..c.len() - 5)].to_vec();
                }
                _ => {
                    // A body without framing: read as the next request.
                    framing = "unframed-body";
                    if kind == Kind::Answer {
                        kind = Kind::AnswerOnce;
                    }
                }
            }
        }
        if self.p(0.005) {
            framing = "two-lengths";
            kind = Kind::Malformed;
            headers.push(("Content-Length".into(), (body.len() + 1).to_string()));
        }
        let bad_header = self.p(0.01);
        for (name, value) in &headers {
            head.extend_from_slice(name.as_bytes());
            head.extend_from_slice(b": ");
            head.extend_from_slice(value.as_bytes());
            head.extend_from_slice(b"\r\n");
        }
        if bad_header {
            kind = Kind::Malformed;
            framing = "bad-header";
            let bad: &[u8] = self.pick(&[
                &b"NoColonHeader\r\n"[..],
                b"Bad Name: v\r\n",
                b"X-Ctl: a\x01b\r\n",
                b" folded continuation\r\n",
                b"X-A : v\r\n",
                b"X-Nul: \x00\r\n",
                b": empty-name\r\n",
            ]);
            let at = if self.p(0.5) {
                head.len()
            } else {
                head.iter().position(|b| *b == b'\n').unwrap() + 1
            };
            head.splice(at..at, bad.iter().copied()).for_each(drop);
        }
        head.extend_from_slice(b"\r\n");
        if self.p(0.01) && kind != Kind::Malformed {
            // Bare LF line endings in the head.
            head = String::from_utf8_lossy(&head)
                .replace("\r\n", "\n")
                .into_bytes();
            framing = "lf-only";
        }
        if framing == "length-too-small" {
            tail = b"\x00garbage after the body\r\n\r\n".to_vec();
        }
        let mut bytes = head;
        bytes.extend_from_slice(&wire_body);
        bytes.extend_from_slice(&tail);
        if bytes.len() > 380_000 && kind != Kind::Malformed && kind != Kind::Truncated {
            // Whether hyper answers a head over its buffer before resetting
            // the connection is a race; treat as malformed.
            let head_len = bytes.len() - wire_body.len() - tail.len();
            if head_len > 380_000 {
                kind = Kind::Malformed;
                framing = "oversized-head";
            }
        }
        let slow = self.p(0.002).then(|| {
            (0..self.n(5..40))
                .map(|_| (self.rng.u16(1..=16), self.rng.u16(1..=12)))
                .collect()
        });
        Planned {
            index,
            class: r.class,
            framing,
            bytes,
            kind,
            slow,
            head: r.method == "HEAD",
            app: !r.path.starts_with("/__admin"),
            must_refuse: r.must_refuse,
            abandon: self.p(0.3),
        }
    }

    fn garbage(&mut self, index: u64) -> Planned {
        let port = self.ctx.port;
        let bytes: Vec<u8> = match self.rng.u32(0..9) {
            0 => {
                let mut b = vec![0u8; self.log(4096)];
                self.rng.fill(&mut b);
                b
            }
            1 => b"\x00\x01garbage\r\n\r\n".to_vec(),
            2 => format!("GET /v1/files HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n").into_bytes(),
            3 => b"\r\n\r\n\r\n".to_vec(),
            4 => b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03".to_vec(),
            5 => b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec(),
            6 => {
                let mut b = b"GET /".to_vec();
                b.extend(std::iter::repeat_n(b'a', self.log(500_000)));
                b
            }
            7 => format!("CONNECT 127.0.0.1:{port} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n")
                .into_bytes(),
            _ => {
                let mut b =
                    format!("GET /v1/files HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n").into_bytes();
                for _ in 0..self.n(1000..5000) {
                    b.extend_from_slice(b"X: y\r\n");
                }
                b.extend_from_slice(b"\r\n");
                b
            }
        };
        Planned {
            index,
            class: "garbage",
            framing: "garbage",
            bytes,
            kind: Kind::Malformed,
            slow: None,
            head: false,
            app: true,
            must_refuse: None,
            abandon: self.p(0.3),
        }
    }
}

fn generate(ctx: &Ctx, index: u64) -> Planned {
    let mut g = Gen {
        rng: Rng::with_seed(request_seed(ctx.seed, index)),
        ctx,
    };
    let mut r = match g.family() {
        Family::List => g.list(),
        Family::File => g.file_routes(),
        Family::Tags => g.tag_routes(),
        Family::CopyMove => g.copy_move(),
        Family::Purge => g.purge(),
        Family::Folder => g.folder_routes(),
        Family::BulkJob => g.bulk_jobs(),
        Family::CustomMeta => g.custom_meta(),
        Family::SavedExt => g.saved_ext(),
        Family::NamedTr => g.named_tr(),
        Family::Origins => g.origins(),
        Family::UrlEndpoints => g.url_endpoints(),
        Family::Usage => g.usage(),
        Family::RemoteMeta => g.remote_meta(),
        Family::Upload => g.upload(),
        Family::Delivery => g.delivery(),
        Family::Admin => g.admin(),
        Family::Junk => g.junk_route(),
        Family::Garbage => return g.garbage(index),
    };
    g.method(&mut r);
    if r.method != "POST" {
        // Not an upload (a CORS preflight, say): nothing to refuse.
        r.must_refuse = None;
    }
    g.std_headers(&mut r);
    g.render(r, index)
}

// ====================================================================== the client side

struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

async fn connect(port: u16) -> std::io::Result<Conn> {
    let stream = tokio::time::timeout(
        Duration::from_secs(5),
        TcpStream::connect(("127.0.0.1", port)),
    )
    .await
    .map_err(|_| std::io::Error::other("connect timed out"))??;
    stream.set_nodelay(true)?;
    Ok(Conn {
        stream,
        buf: Vec::new(),
    })
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    close: bool,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

enum ReadError {
    /// Closed (or reset) before a single byte arrived.
    Nothing(String),
    Malformed(String),
    Timeout,
}

impl ReadError {
    fn describe(&self) -> String {
        match self {
            ReadError::Nothing(how) => format!("no answer: the connection was {how}"),
            ReadError::Malformed(why) => format!("malformed response: {why}"),
            ReadError::Timeout => format!("no answer within {} s (hang)", ANSWER_TIMEOUT.as_secs()),
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Reads more into `buf`; Ok(0) at EOF.
async fn fill<R: AsyncRead + Unpin>(rd: &mut R, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    buf.reserve(16 * 1024);
    rd.read_buf(buf).await
}

async fn read_response<R: AsyncRead + Unpin>(
    rd: &mut R,
    buf: &mut Vec<u8>,
    head_request: bool,
) -> Result<Response, ReadError> {
    let mut got_any = !buf.is_empty();
    let malformed = |s: String| ReadError::Malformed(s);
    loop {
        let end = loop {
            if let Some(p) = find(buf, b"\r\n\r\n") {
                break p + 4;
            }
            if buf.len() > 1 << 20 {
                return Err(malformed("response head over 1 MiB".into()));
            }
            match fill(rd, buf).await {
                Ok(0) if !got_any => return Err(ReadError::Nothing("closed".into())),
                Ok(0) => {
                    return Err(malformed(format!(
                        "connection closed inside the head: {}",
                        show(buf, SHOWN)
                    )))
                }
                Ok(_) => got_any = true,
                Err(e) if !got_any => return Err(ReadError::Nothing(format!("reset ({e})"))),
                Err(e) => return Err(malformed(format!("read error inside the head: {e}"))),
            }
        };
        let head = String::from_utf8_lossy(&buf[..end - 4]).into_owned();
        buf.drain(..end);
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap_or("");
        let version_ok =
            status_line.starts_with("HTTP/1.1 ") || status_line.starts_with("HTTP/1.0 ");
        let code = status_line.get(9..12).unwrap_or("");
        let rest = status_line.get(12..).unwrap_or("");
        if !version_ok
            || code.len() != 3
            || !code.bytes().all(|b| b.is_ascii_digit())
            || !(rest.is_empty() || rest.starts_with(' '))
        {
            return Err(malformed(format!("bad status line {status_line:?}")));
        }
        let status: u16 = code.parse().unwrap();
        let mut headers = Vec::new();
        for line in lines {
            let Some((name, value)) = line.split_once(':') else {
                return Err(malformed(format!("bad header line {line:?}")));
            };
            if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(malformed(format!("bad header name {name:?}")));
            }
            headers.push((name.to_string(), value.trim().to_string()));
        }
        if (100..200).contains(&status) && status != 101 {
            continue;
        }
        let mut response = Response {
            status,
            headers,
            body: Vec::new(),
            close: status_line.starts_with("HTTP/1.0"),
        };
        let connection = response
            .header("connection")
            .unwrap_or("")
            .to_ascii_lowercase();
        if connection.contains("close") {
            response.close = true;
        } else if connection.contains("keep-alive") {
            response.close = false;
        }
        let lengths: Vec<&str> = response
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("content-length"))
            .map(|(_, v)| v.as_str())
            .collect();
        let chunked = response
            .header("transfer-encoding")
            .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
        if head_request || status == 204 || status == 304 || status == 101 {
            return Ok(response);
        }
        if chunked {
            let mut body = Vec::new();
            loop {
                let line_end = loop {
                    if let Some(p) = find(buf, b"\r\n") {
                        break p;
                    }
                    if fill(rd, buf).await.unwrap_or(0) == 0 {
                        return Err(malformed("connection closed inside a chunked body".into()));
                    }
                };
                let size_text = String::from_utf8_lossy(&buf[..line_end]).into_owned();
                let size_hex = size_text.split(';').next().unwrap_or("").trim();
                let size = usize::from_str_radix(size_hex, 16)
                    .map_err(|_| malformed(format!("bad chunk size {size_text:?}")))?;
                buf.drain(..line_end + 2);
                if size == 0 {
                    // Trailers, then an empty line.
                    loop {
                        let p = loop {
                            if let Some(p) = find(buf, b"\r\n") {
                                break p;
                            }
                            if fill(rd, buf).await.unwrap_or(0) == 0 {
                                return Err(malformed("connection closed in the trailers".into()));
                            }
                        };
                        buf.drain(..p + 2);
                        if p == 0 {
                            break;
                        }
                    }
                    break;
                }
                if body.len() + size > MAX_RESPONSE_BODY {
                    return Err(malformed("response body over 64 MiB".into()));
                }
                while buf.len() < size + 2 {
                    if fill(rd, buf).await.unwrap_or(0) == 0 {
                        return Err(malformed("connection closed inside a chunk".into()));
                    }
                }
                if &buf[size..size + 2] != b"\r\n" {
                    return Err(malformed("chunk not followed by CRLF".into()));
                }
                body.extend_from_slice(&buf[..size]);
                buf.drain(..size + 2);
            }
            response.body = body;
        } else if let Some(first) = lengths.first() {
            if lengths.iter().any(|l| l != first) {
                return Err(malformed(format!("conflicting Content-Length {lengths:?}")));
            }
            let n: usize = first
                .parse()
                .map_err(|_| malformed(format!("bad Content-Length {first:?}")))?;
            if n > MAX_RESPONSE_BODY {
                return Err(malformed(format!("Content-Length {n} over 64 MiB")));
            }
            while buf.len() < n {
                if fill(rd, buf).await.unwrap_or(0) == 0 {
                    return Err(malformed(format!(
                        "connection closed after {} of {n} body bytes (status {status})",
                        buf.len()
                    )));
                }
            }
            response.body = buf.drain(..n).collect();
        } else {
            // Delimited by the end of the connection.
            while fill(rd, buf).await.unwrap_or(0) > 0 {
                if buf.len() > MAX_RESPONSE_BODY {
                    return Err(malformed("response body over 64 MiB".into()));
                }
            }
            response.body = std::mem::take(buf);
            response.close = true;
        }
        return Ok(response);
    }
}

async fn send_bytes<W: AsyncWrite + Unpin>(
    wr: &mut W,
    bytes: &[u8],
    slow: &Option<Vec<(u16, u16)>>,
) -> std::io::Result<()> {
    let mut pos = 0;
    if let Some(plan) = slow {
        for &(n, ms) in plan {
            if pos >= bytes.len() {
                break;
            }
            let end = (pos + usize::from(n)).min(bytes.len());
            wr.write_all(&bytes[pos..end]).await?;
            pos = end;
            tokio::time::sleep(Duration::from_millis(u64::from(ms))).await;
        }
    }
    wr.write_all(&bytes[pos..]).await
}

/// Sends `p` on `conn` while reading the answer; Ok((answer, whole request
/// written)).
async fn exchange(conn: &mut Conn, p: &Planned) -> Result<(Response, bool), ReadError> {
    let Conn { stream, buf } = conn;
    let (mut rd, mut wr) = stream.split();
    let write = send_bytes(&mut wr, &p.bytes, &p.slow);
    let read = tokio::time::timeout(ANSWER_TIMEOUT, read_response(&mut rd, buf, p.head));
    tokio::pin!(write);
    tokio::pin!(read);
    let mut wrote: Option<bool> = None;
    loop {
        tokio::select! {
            w = &mut write, if wrote.is_none() => wrote = Some(w.is_ok()),
            r = &mut read => {
                let r = r.map_err(|_| ReadError::Timeout)??;
                return Ok((r, wrote == Some(true)));
            }
        }
    }
}

/// Requests sent again because a kept-alive connection turned out closed.
static RETRIES: AtomicU64 = AtomicU64::new(0);

/// Sends a request that must be answered, reusing `slot`'s connection (and
/// retrying once on a fresh one when a reused connection turns out closed).
async fn perform(slot: &mut Option<Conn>, p: &Planned, port: u16) -> Result<Response, String> {
    for attempt in 0..2 {
        let (mut conn, reused) = match slot.take() {
            Some(c) => (c, true),
            None => (
                connect(port)
                    .await
                    .map_err(|e| format!("cannot connect to the server: {e}"))?,
                false,
            ),
        };
        if !conn.buf.is_empty() {
            return Err(format!(
                "unexpected bytes after the previous response on this connection: {}",
                show(&conn.buf, SHOWN)
            ));
        }
        match exchange(&mut conn, p).await {
            Ok((response, wrote_all)) => {
                if wrote_all && p.kind == Kind::Answer && !response.close {
                    *slot = Some(conn);
                }
                return Ok(response);
            }
            Err(ReadError::Nothing(_)) if reused && attempt == 0 => {
                RETRIES.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            Err(e) => return Err(e.describe()),
        }
    }
    unreachable!()
}

/// Sends a malformed or truncated request, half-closes, and returns the
/// status of whatever came back.
async fn fire(slot: &mut Option<Conn>, p: &Planned, port: u16) -> Result<Option<Response>, String> {
    let mut conn = match slot.take() {
        Some(c) if c.buf.is_empty() => c,
        _ => connect(port)
            .await
            .map_err(|e| format!("cannot connect to the server: {e}"))?,
    };
    let Conn { stream, buf } = &mut conn;
    let (mut rd, mut wr) = stream.split();
    let _ = tokio::time::timeout(MALFORMED_TIMEOUT, async {
        let _ = send_bytes(&mut wr, &p.bytes, &p.slow).await;
        if !p.abandon {
            let _ = wr.shutdown().await;
        }
    })
    .await;
    if p.abandon {
        // Close the socket without reading anything.
        return Ok(None);
    }
    match tokio::time::timeout(MALFORMED_TIMEOUT, read_response(&mut rd, buf, p.head)).await {
        Ok(Ok(r)) => Ok(Some(r)),
        _ => Ok(None),
    }
}

/// The checks on an answer to a well-formed request; the JSON of a 2xx
/// answer, when small enough to parse.
fn check(p: &Planned, r: &Response) -> Result<Option<Value>, String> {
    let body = || show(&r.body, SHOWN);
    if r.status >= 500 {
        return Err(format!("status {} with body {}", r.status, body()));
    }
    let content_type = r.header("content-type").unwrap_or("").to_ascii_lowercase();
    let json = content_type.starts_with("application/json");
    if p.app && (400..500).contains(&r.status) && !r.body.is_empty() {
        if !json {
            return Err(format!(
                "status {} with a non-JSON body (content-type {content_type:?}): {}",
                r.status,
                body()
            ));
        }
        let v: Value = serde_json::from_slice(&r.body)
            .map_err(|e| format!("status {} with invalid JSON ({e}): {}", r.status, body()))?;
        if !v["message"].is_string() || !v["help"].is_string() {
            return Err(format!(
                "status {} error body without string message and help: {}",
                r.status,
                body()
            ));
        }
        if v["help"] != HELP {
            return Err(format!(
                "status {} error body with another help: {}",
                r.status,
                body()
            ));
        }
    }
    if (200..300).contains(&r.status) {
        if let Some(what) = &p.must_refuse {
            return Err(format!("accepted {what} (status {})", r.status));
        }
        if json && !r.body.is_empty() {
            if r.body.len() < 256 << 10 {
                let v = serde_json::from_slice::<Value>(&r.body).map_err(|e| {
                    format!("status {} with invalid JSON ({e}): {}", r.status, body())
                })?;
                return Ok(Some(v));
            }
            // Too big to parse on every answer (lists of 1000 files): the
            // ends must still be those of an array or object.
            let trimmed = r.body.trim_ascii();
            let ends = (trimmed.first(), trimmed.last());
            if !matches!(ends, (Some(b'['), Some(b']')) | (Some(b'{'), Some(b'}'))) {
                return Err(format!(
                    "status {} with a body that is not JSON: {}",
                    r.status,
                    body()
                ));
            }
        }
    }
    Ok(None)
}

// ====================================================================== workers and bookkeeping

#[derive(Default, Clone, Copy)]
struct Counts {
    sent: u64,
    /// Seconds spent on these requests (summed over workers).
    seconds: f64,
    /// [no answer, 1xx, 2xx, 3xx, 4xx, 5xx]
    by_status: [u64; 6],
}

impl Counts {
    fn add(&mut self, status: Option<u16>) {
        self.sent += 1;
        let i = status.map_or(0, |s| usize::from(s / 100).clamp(1, 5));
        self.by_status[i] += 1;
    }

    fn merge(&mut self, other: &Counts) {
        self.sent += other.sent;
        self.seconds += other.seconds;
        for i in 0..6 {
            self.by_status[i] += other.by_status[i];
        }
    }
}

/// One distinct failure: its first description, how often, and examples.
struct Failure {
    key: String,
    what: String,
    count: u64,
    classes: Vec<&'static str>,
    requests: Vec<String>,
}

struct Shared {
    ctx: Ctx,
    total: u64,
    /// Print every answer (replays).
    verbose: bool,
    started: Instant,
    check_every: u64,
    next: AtomicU64,
    deadline: Instant,
    stop: AtomicBool,
    failures: Mutex<Vec<Failure>>,
    failure_count: AtomicU64,
    hangs: AtomicU64,
    notes: Mutex<Vec<String>>,
    in_flight: InFlight,
}

impl Shared {
    fn fail(&self, p: &Planned, what: String) {
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
async fn run_one(
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

async fn worker(shared: Arc<Shared>, worker: usize) -> HashMap<&'static str, Counts> {
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
async fn store_problems(port: u16) -> Option<String> {
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

fn status_line(c: &Counts) -> String {
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

fn tiny_images() -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let mut images = vec![
        common::png(1, 1, false),
        common::png(8, 8, false),
        common::png(16, 12, true),
        common::png(32, 24, false),
    ];
    let rgb = image::RgbImage::from_fn(20, 10, |x, y| {
        image::Rgb([(x * 12) as u8, (y * 25) as u8, 7])
    });
    let mut jpeg = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(rgb)
        .write_to(&mut jpeg, image::ImageFormat::Jpeg)
        .unwrap();
    images.push(jpeg.into_inner());
    let png = common::png(16, 16, false);
    let broken = vec![
        png[..png.len() / 2].to_vec(),
        png[..8].to_vec(),
        {
            let mut p = png.clone();
            p[20] ^= 0xff;
            p
        },
        {
            // A PNG header announcing a huge image.
            let mut p = png.clone();
            p[16..24].copy_from_slice(&[0, 0, 0x7f, 0xff, 0, 0, 0x7f, 0xff]);
            p
        },
        b"GIF89a\x01\x00".to_vec(),
        b"\xff\xd8\xff\xe0".to_vec(),
    ];
    (images, broken)
}

// ====================================================================== the test

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

    // ------------------------------------------------------------ afterwards
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
