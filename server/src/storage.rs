//! The media library's state (files, versions, folders, custom metadata
//! fields, jobs, purge requests, account settings, usage records) and the
//! bytes behind every file version.
//!
//! State lives in one `RwLock` because every operation is short and CPU-bound;
//! blobs live in memory or under `<data-dir>/blobs`. With a data directory
//! every change is appended to `<data-dir>/journal` (the records it changed,
//! see `journal`) before its request is answered, and the whole state is
//! written to `<data-dir>/state.json` (the snapshot the journal continues)
//! when the journal has grown past it, so a change costs the same in a large
//! library as in an empty one.

mod journal;
pub mod tracked;

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use parking_lot::{RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt, BufWriter};
use tokio::sync::Notify;

use crate::ids::new_id;
use crate::timestamp::{now_ms, utc_date};
use tracked::{Listed, Tracked};

/// Facts about an image file version, from `imaging::probe`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageFacts {
    pub width: u32,
    pub height: u32,
    pub has_alpha: bool,
    pub format: String,
}

/// One stored version of a file, with the attributes ImageKit keeps per version.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Version {
    pub id: String,
    pub number: u32,
    pub blob: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub size: u64,
    pub mime: String,
    pub image: Option<ImageFacts>,
    pub tags: Vec<String>,
    pub ai_tags: Vec<Value>,
    pub custom_coordinates: Option<String>,
    pub custom_metadata: Map<String, Value>,
    pub embedded_metadata: Map<String, Value>,
    pub is_private: bool,
    pub is_published: bool,
    pub extensions: Vec<Value>,
    pub extension_status: Map<String, Value>,
    pub webhook_url: Option<String>,
    pub transformation: Option<Value>,
    pub checks: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileRecord {
    pub id: String,
    /// Folder with leading and trailing slash: `/` or `/a/b/`.
    pub folder: String,
    pub name: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// Creation order, the tie-breaker of every sort.
    pub seq: u64,
    pub current: String,
    pub versions: Vec<Version>,
}

impl FileRecord {
    pub fn path(&self) -> String {
        format!("{}{}", self.folder, self.name)
    }

    pub fn current_version(&self) -> Option<&Version> {
        self.versions.iter().find(|v| v.id == self.current)
    }

    pub fn current_version_mut(&mut self) -> Option<&mut Version> {
        let current = self.current.clone();
        self.versions.iter_mut().find(|v| v.id == current)
    }

    pub fn version(&self, id: &str) -> Option<&Version> {
        self.versions.iter().find(|v| v.id == id)
    }

    pub fn next_version_number(&self) -> u32 {
        self.versions.iter().map(|v| v.number).max().unwrap_or(0) + 1
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FolderRecord {
    pub id: String,
    pub name: String,
    /// With leading and trailing slash, like `FileRecord::folder`.
    pub path: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub seq: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CustomField {
    pub id: String,
    pub name: String,
    pub label: String,
    pub schema: Map<String, Value>,
    pub deleted: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BulkJob {
    pub id: String,
    pub kind: String,
    pub completed: bool,
    /// Why the job failed; `None` while pending and once completed.
    #[serde(default)]
    pub failure: Option<String>,
    /// What the job does, kept so a job pending at shutdown resumes.
    #[serde(default)]
    pub work: Option<JobWork>,
    /// The purge a rename folder job with `purgeCache` started.
    #[serde(default)]
    pub purge_request_id: Option<String>,
}

/// A bulk job's work, in terms of folder paths (with trailing slashes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "camelCase")]
pub enum JobWork {
    /// Copy `source` (and what it holds) to `target`.
    Copy {
        source: String,
        target: String,
        all_versions: bool,
    },
    /// Move or rename `source` to `target`.
    Move { source: String, target: String },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PurgeRequest {
    pub id: String,
    pub url: String,
    /// When the request counts as completed (ms since the epoch).
    pub completes_at: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SavedExtension {
    pub id: String,
    pub name: String,
    pub description: String,
    pub config: Value,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NamedTransformation {
    pub id: String,
    pub name: String,
    pub transformation: String,
    pub enabled: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Origin {
    pub id: String,
    /// `S3`, `WEB_FOLDER`...
    pub kind: String,
    pub name: String,
    /// The validated type-specific fields (secrets included), defaults
    /// applied, in the order responses list them.
    pub fields: Map<String, Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UrlEndpoint {
    pub id: String,
    pub description: String,
    pub url_prefix: String,
    pub origins: Vec<String>,
    /// The response's `urlRewriter` object, defaults applied.
    pub url_rewriter: Option<Value>,
}

/// What a delivery request is grouped by in the analytics.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DeliveryKind {
    pub path: String,
    /// The `tr` string as written in the URL (path segment and query joined).
    pub transformation: Option<String>,
    pub status: u16,
    pub content_type: String,
    /// `Default` or the urlPrefix of the endpoint the URL matched.
    pub endpoint: String,
    pub referrer: Option<String>,
    pub user_agent: Option<String>,
}

/// Delivery requests of one day of one kind.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DeliveryStat {
    #[serde(flatten)]
    pub kind: DeliveryKind,
    pub requests: u64,
    pub bytes: u64,
}

/// Usage of one UTC day.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct DayUsage {
    pub bandwidth_bytes: u64,
    pub request_count: u64,
    /// Media library storage at the end of the day (its latest figure);
    /// `None` when storage did not change that day.
    pub storage_bytes: Option<u64>,
    /// Keyed by all the attributes of a `DeliveryStat` joined.
    pub deliveries: Tracked<HashMap<String, DeliveryStat>>,
}

/// The state's collections remember what changed (`tracked`), so the journal
/// records only that; they read like the maps and lists they wrap.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct State {
    pub files: Tracked<HashMap<String, FileRecord>>,
    /// filePath -> fileId; derived from `files`, rebuilt on load.
    #[serde(skip)]
    pub paths: HashMap<String, String>,
    /// Keyed by folder path with trailing slash.
    pub folders: Tracked<BTreeMap<String, FolderRecord>>,
    pub custom_fields: Listed<CustomField>,
    pub jobs: Tracked<HashMap<String, BulkJob>>,
    pub purges: Tracked<HashMap<String, PurgeRequest>>,
    pub seq: u64,
    #[serde(default)]
    pub saved_extensions: Listed<SavedExtension>,
    #[serde(default)]
    pub named_transformations: Listed<NamedTransformation>,
    #[serde(default)]
    pub origins: Listed<Origin>,
    /// Created endpoints, plus the default one once it has been replaced;
    /// see `library::records::url_endpoints` for the list with the default.
    #[serde(default)]
    pub url_endpoints: Listed<UrlEndpoint>,
    /// Keyed by UTC date, `YYYY-MM-DD`.
    #[serde(default)]
    pub usage: Tracked<BTreeMap<String, DayUsage>>,
    /// The snapshot (state.json) this state was loaded from, which the
    /// journal continues; written by `Store` beside the state, not with it.
    #[serde(default, skip_serializing)]
    epoch: u64,
    #[serde(skip)]
    books: Books,
}

/// What the state keeps about itself, derived and rebuilt on load.
#[derive(Debug, Default)]
struct Books {
    /// Bytes of every version of each file, as of the last `settle_sizes`.
    sizes: HashMap<String, u64>,
    /// Their sum.
    stored: u64,
    /// `seq` as the journal last recorded it.
    journaled_seq: u64,
}

/// Bytes of every version of a file.
fn file_bytes(file: &FileRecord) -> u64 {
    file.versions.iter().map(|v| v.size).sum()
}

impl State {
    pub fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    pub fn file_by_path(&self, path: &str) -> Option<&FileRecord> {
        self.paths.get(path).and_then(|id| self.files.get(id))
    }

    pub fn insert_file(&mut self, file: FileRecord) {
        self.paths.insert(file.path(), file.id.clone());
        self.files.insert(file.id.clone(), file);
    }

    /// Removes a file, returning the blob keys it owned.
    pub fn remove_file(&mut self, id: &str) -> Vec<String> {
        match self.files.remove(id) {
            Some(file) => {
                self.paths.remove(&file.path());
                file.versions.into_iter().map(|v| v.blob).collect()
            }
            None => Vec::new(),
        }
    }

    /// Moves a file to a new folder and/or name, keeping the path index right.
    pub fn relocate_file(&mut self, id: &str, folder: &str, name: &str, now: i64) {
        if let Some(file) = self.files.get_mut(id) {
            self.paths.remove(&file.path());
            file.folder = folder.to_string();
            file.name = name.to_string();
            file.updated_at = now;
            self.paths.insert(file.path(), id.to_string());
        }
    }

    /// Creates `folder` (`/a/b/`) and all its ancestors if missing.
    pub fn ensure_folders(&mut self, folder: &str, now: i64) {
        let mut path = String::from("/");
        for segment in folder.split('/').filter(|s| !s.is_empty()) {
            path.push_str(segment);
            path.push('/');
            if !self.folders.contains_key(&path) {
                let seq = self.next_seq();
                self.folders.insert(
                    path.clone(),
                    FolderRecord {
                        id: new_id(),
                        name: segment.to_string(),
                        path: path.clone(),
                        created_at: now,
                        updated_at: now,
                        seq,
                    },
                );
            }
        }
    }

    /// Whether anything (a folder record or a file) lives at or under `folder`.
    pub fn folder_exists(&self, folder: &str) -> bool {
        folder == "/"
            || self.folders.contains_key(folder)
            || self.files.values().any(|f| f.folder.starts_with(folder))
    }

    /// Bytes stored in the media library: every version of every file. Kept
    /// up to date as files change, so it costs what changed since the last
    /// save, not a walk over the library.
    pub fn stored_bytes(&self) -> u64 {
        let cleared = self.files.was_cleared();
        let mut total = if cleared { 0 } else { self.books.stored };
        for key in self.files.changed_keys() {
            let before = match cleared {
                true => 0,
                false => self.books.sizes.get(key).copied().unwrap_or(0),
            };
            total = total - before + self.files.get(key).map_or(0, file_bytes);
        }
        total
    }

    /// Brings the per-file sizes behind `stored_bytes` up to date with the
    /// files changed since; the journal calls it before it takes the marks.
    fn settle_sizes(&mut self) {
        let books = &mut self.books;
        if self.files.was_cleared() {
            books.sizes.clear();
            books.stored = 0;
        }
        for key in self.files.changed_keys() {
            let now = self.files.get(key).map_or(0, file_bytes);
            let before = if now == 0 {
                books.sizes.remove(key)
            } else {
                books.sizes.insert(key.clone(), now)
            };
            books.stored = books.stored - before.unwrap_or(0) + now;
        }
    }

    /// Empties the library and the account's records (the admin reset).
    pub fn reset(&mut self) {
        let State {
            files,
            paths,
            folders,
            custom_fields,
            jobs,
            purges,
            seq,
            saved_extensions,
            named_transformations,
            origins,
            url_endpoints,
            usage,
            epoch: _,
            books: _,
        } = self;
        files.clear();
        paths.clear();
        folders.clear();
        custom_fields.clear();
        jobs.clear();
        purges.clear();
        *seq = 0;
        saved_extensions.clear();
        named_transformations.clear();
        origins.clear();
        url_endpoints.clear();
        usage.clear();
    }

    /// The storage figure in force on `date`: that day's, or the latest
    /// earlier day's; 0 before any record.
    pub fn storage_on(&self, date: &str) -> u64 {
        self.usage
            .range(..=date.to_string())
            .rev()
            .find_map(|(_, day)| day.storage_bytes)
            .unwrap_or(0)
    }

    /// Updates today's storage figure when storage changed.
    pub fn record_storage(&mut self, now: i64) {
        let total = self.stored_bytes();
        let today = utc_date(now);
        if self.storage_on(&today) != total {
            self.usage.entry_or_default(today).storage_bytes = Some(total);
        }
    }

    /// Rebuilds what is derived from the loaded records: the path index and
    /// the sizes behind `stored_bytes`.
    fn rebuild_index(&mut self) {
        self.paths = self
            .files
            .values()
            .map(|f| (f.path(), f.id.clone()))
            .collect();
        let sizes: HashMap<String, u64> = self
            .files
            .values()
            .map(|f| (f.id.clone(), file_bytes(f)))
            .filter(|(_, n)| *n > 0)
            .collect();
        self.books = Books {
            stored: sizes.values().sum(),
            sizes,
            journaled_seq: self.seq,
        };
    }
}

/// Where blobs live.
enum Blobs {
    Memory(Mutex<HashMap<String, Arc<Vec<Bytes>>>>),
    Disk(PathBuf),
}

/// A readable blob.
pub enum Blob {
    Memory(Arc<Vec<Bytes>>),
    Disk(PathBuf, u64),
}

impl Blob {
    pub fn size(&self) -> u64 {
        match self {
            Blob::Memory(segments) => segments.iter().map(|s| s.len() as u64).sum(),
            Blob::Disk(_, len) => *len,
        }
    }

    /// The whole blob as one buffer, for decoding. Callers bound the size first.
    pub async fn read_all(&self) -> io::Result<Bytes> {
        match self {
            Blob::Memory(segments) => Ok(match segments.as_slice() {
                [] => Bytes::new(),
                [one] => one.clone(),
                many => {
                    let mut all = BytesMut::with_capacity(many.iter().map(|s| s.len()).sum());
                    for s in many {
                        all.extend_from_slice(s);
                    }
                    all.freeze()
                }
            }),
            Blob::Disk(path, _) => tokio::fs::read(path).await.map(Bytes::from),
        }
    }

    /// The first bytes (for content sniffing) without reading the whole blob.
    pub async fn head(&self, n: usize) -> io::Result<Vec<u8>> {
        match self {
            Blob::Memory(segments) => Ok(segments
                .iter()
                .flat_map(|s| s.iter().copied())
                .take(n)
                .collect()),
            Blob::Disk(path, _) => {
                let mut file = tokio::fs::File::open(path).await?;
                let mut buf = vec![0; n];
                let mut filled = 0;
                while filled < n {
                    let read = file.read(&mut buf[filled..]).await?;
                    if read == 0 {
                        break;
                    }
                    filled += read;
                }
                buf.truncate(filled);
                Ok(buf)
            }
        }
    }

    /// The bytes as a stream of chunks, so large files are never buffered whole.
    pub async fn into_stream(
        self,
    ) -> io::Result<futures_util::stream::BoxStream<'static, io::Result<Bytes>>> {
        use futures_util::StreamExt;
        Ok(match self {
            Blob::Memory(segments) => {
                let chunks: Vec<Result<Bytes, io::Error>> =
                    segments.iter().cloned().map(Ok).collect();
                futures_util::stream::iter(chunks).boxed()
            }
            Blob::Disk(path, _) => file_chunks(tokio::fs::File::open(path).await?).boxed(),
        })
    }
}

fn file_chunks(
    file: tokio::fs::File,
) -> impl futures_util::Stream<Item = io::Result<Bytes>> + Send {
    futures_util::stream::unfold(Some(file), |state| async move {
        let mut file = state?;
        let mut buf = BytesMut::zeroed(256 * 1024);
        match file.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(buf.freeze()), Some(file)))
            }
            Err(e) => Some((Err(e), None)),
        }
    })
}

/// Size of the segments memory blobs are assembled from: big enough that a
/// 1 GiB upload is a few hundred allocations, small enough that no segment is
/// ever reallocated (each upload byte is copied exactly once).
const SEGMENT: usize = 4 << 20;

enum Sink {
    Memory {
        done: Vec<Bytes>,
        current: BytesMut,
    },
    Disk {
        file: BufWriter<tokio::fs::File>,
        tmp: PathBuf,
        dest: PathBuf,
    },
}

/// Receives an upload chunk by chunk and stores it under a fresh key.
pub struct BlobWriter {
    key: String,
    sink: Sink,
    len: u64,
}

impl BlobWriter {
    pub fn written(&self) -> u64 {
        self.len
    }

    pub async fn write(&mut self, mut chunk: &[u8]) -> io::Result<()> {
        self.len += chunk.len() as u64;
        match &mut self.sink {
            Sink::Memory { done, current } => {
                while !chunk.is_empty() {
                    if current.capacity() == current.len() {
                        if !current.is_empty() {
                            done.push(std::mem::take(current).freeze());
                        }
                        // Geometric growth keeps small files small and big ones
                        // in SEGMENT-sized pieces.
                        let stored: usize = done.iter().map(|s| s.len()).sum();
                        *current = BytesMut::with_capacity(stored.clamp(64 * 1024, SEGMENT));
                    }
                    let room = current.capacity() - current.len();
                    let (now, rest) = chunk.split_at(room.min(chunk.len()));
                    current.extend_from_slice(now);
                    chunk = rest;
                }
                Ok(())
            }
            Sink::Disk { file, .. } => file.write_all(chunk).await,
        }
    }

    /// Makes the blob readable under its key.
    async fn finish(self, blobs: &Blobs) -> io::Result<String> {
        match (self.sink, blobs) {
            (Sink::Memory { mut done, current }, Blobs::Memory(map)) => {
                if !current.is_empty() {
                    done.push(current.freeze());
                }
                map.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(self.key.clone(), Arc::new(done));
                Ok(self.key)
            }
            (
                Sink::Disk {
                    mut file,
                    tmp,
                    dest,
                },
                Blobs::Disk(_),
            ) => {
                file.flush().await?;
                file.into_inner().sync_all().await?;
                tokio::fs::rename(&tmp, &dest).await?;
                // Durable before any state that names it is saved.
                if let Some(dir) = dest.parent() {
                    sync_dir(dir).await?;
                }
                Ok(self.key)
            }
            _ => Err(io::Error::other("blob writer used with the wrong store")),
        }
    }

    async fn abort(self) {
        if let Sink::Disk { file, tmp, .. } = self.sink {
            drop(file);
            let _ = tokio::fs::remove_file(tmp).await;
        }
    }
}

/// A change that could not be saved to the data directory: it stays in
/// memory, and the request that made it fails (507 when the disk is full).
#[derive(Debug, Clone, PartialEq)]
pub struct SaveError {
    pub message: String,
    pub disk_full: bool,
}

impl std::fmt::Display for SaveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

pub struct Store {
    /// The data directory's lock, held until `close`.
    lock: Mutex<Option<std::fs::File>>,
    state: RwLock<State>,
    blobs: Blobs,
    data_dir: Option<PathBuf>,
    dirty: Notify,
    /// The journal; held by each write to it or to state.json, so writes land
    /// in the order their changes were made.
    journal: tokio::sync::Mutex<Journal>,
    /// The entries of changes not yet written to the journal, separated by
    /// commas, in the order they were made: `queue` adds to it under the
    /// state's write lock, a journal write takes it all (group commit).
    pending: parking_lot::Mutex<Vec<u8>>,
    /// Queued changes were lost (a failed write took them, or one could not
    /// be serialised): the next save writes a whole snapshot instead.
    needs_snapshot: AtomicBool,
    /// A change that may wait to be saved (usage statistics) is pending.
    save_due: Notify,
    /// Bumped by every queued change: the generation of the state's changes.
    generation: AtomicU64,
    /// The generation the last successful write covered.
    saved_generation: AtomicU64,
    /// Test hook: the error the next save fails with.
    fail_next_save: Mutex<Option<io::ErrorKind>>,
    /// The journal length that, once the snapshot is shorter, calls for a
    /// compaction: `COMPACT_AFTER` but in tests.
    compact_after: AtomicU64,
}

/// The journal file, and what saving needs to know about it.
#[derive(Default)]
struct Journal {
    /// Open for appending; `None` in memory, or when starting the journal of
    /// a new snapshot failed (the next save writes a snapshot again).
    file: Option<Arc<std::fs::File>>,
    /// Its length, all of it well-formed.
    len: u64,
    /// The size of state.json when it was last written or read.
    snapshot_len: u64,
    /// The snapshot the journal continues (state.json's `epoch`).
    epoch: u64,
    /// The journal has outgrown the snapshot: the persister compacts it.
    compact_due: bool,
}

/// The journal is compacted (state.json rewritten, the journal emptied) when
/// it is longer than the snapshot and than this: so a restart replays at most
/// about twice the state, and each change's share of the rewrites stays the
/// same whatever the library's size.
const COMPACT_AFTER: u64 = 4 << 20;

impl Journal {
    fn outgrown(&self, floor: u64) -> bool {
        self.len > floor.max(self.snapshot_len)
    }
}

/// What state.json holds: the state, and the epoch its journal will carry.
#[derive(Serialize)]
struct Snapshot<'a> {
    epoch: u64,
    #[serde(flatten)]
    state: &'a State,
}

/// A change to the library in progress: the write-locked state (see
/// `Store::begin`).
#[must_use = "a change is saved only by commit()"]
pub struct Change<'a> {
    store: &'a Store,
    guard: RwLockWriteGuard<'a, State>,
}

impl std::ops::Deref for Change<'_> {
    type Target = State;

    fn deref(&self) -> &State {
        &self.guard
    }
}

impl std::ops::DerefMut for Change<'_> {
    fn deref_mut(&mut self) -> &mut State {
        &mut self.guard
    }
}

impl<'a> Change<'a> {
    /// Queues what changed for the journal, releases the lock, then saves
    /// (with a data directory, to disk before the returned future completes:
    /// an answer sent after it reports a saved change). A failed save is the
    /// request's error: 507 when the disk is full, else 500.
    pub fn commit(self) -> impl std::future::Future<Output = Result<(), SaveError>> + 'a {
        let Change { store, mut guard } = self;
        let generation = store.queue(&mut guard);
        drop(guard);
        store.persist(generation)
    }
}

/// Replaces `dir/name` atomically and durably: a temporary file written and
/// synced, renamed into place, and the directory synced so the rename holds.
async fn write_durably(dir: &Path, name: &str, bytes: &[u8]) -> io::Result<()> {
    let tmp = dir.join(format!("{name}.tmp"));
    let mut file = tokio::fs::File::create(&tmp).await?;
    file.write_all(bytes).await?;
    file.sync_all().await?;
    drop(file);
    tokio::fs::rename(&tmp, dir.join(name)).await?;
    sync_dir(dir).await
}

/// Syncs a directory's entries (a rename, link or delete in it) to disk.
async fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        tokio::fs::File::open(dir).await?.sync_all().await
    }
    // Windows cannot open a directory as a file; NTFS journals renames.
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// `sync_dir`, blocking.
fn sync_dir_now(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        std::fs::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// Starts the journal of snapshot `epoch` (empty but for its header, synced),
/// replacing what `<dir>/journal` held; returns it open for appending.
fn start_journal(dir: &Path, epoch: u64) -> io::Result<(std::fs::File, u64)> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join(journal::FILE))?;
    file.set_len(0)?;
    let header = journal::header(epoch);
    file.write_all(&header)?;
    file.sync_all()?;
    sync_dir_now(dir)?;
    Ok((file, header.len() as u64))
}

/// Runs blocking file work off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> io::Result<T> + Send + 'static,
) -> io::Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(io::Error::other)?
}

/// Takes the data directory's advisory lock (`<dir>/.lock`), so a second
/// server on the same directory refuses to start. The OS releases it when the
/// process ends, however it ends.
fn lock_data_dir(dir: &Path) -> io::Result<std::fs::File> {
    let path = dir.join(".lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(io::Error::new(
            io::ErrorKind::AddrInUse,
            format!(
                "another imagekit-local-server uses this directory (it holds {})",
                path.display()
            ),
        )),
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
}

impl Store {
    fn new(
        state: State,
        blobs: Blobs,
        data_dir: Option<PathBuf>,
        lock: Option<std::fs::File>,
        journal: Journal,
    ) -> Self {
        Store {
            lock: Mutex::new(lock),
            state: RwLock::new(state),
            blobs,
            data_dir,
            dirty: Notify::new(),
            journal: tokio::sync::Mutex::new(journal),
            pending: parking_lot::Mutex::new(Vec::new()),
            needs_snapshot: AtomicBool::new(false),
            save_due: Notify::new(),
            generation: AtomicU64::new(0),
            saved_generation: AtomicU64::new(0),
            fail_next_save: Mutex::new(None),
            compact_after: AtomicU64::new(COMPACT_AFTER),
        }
    }

    pub fn memory() -> Self {
        Store::new(
            State::default(),
            Blobs::Memory(Mutex::new(HashMap::new())),
            None,
            None,
            Journal::default(),
        )
    }

    /// Opens (or creates) an on-disk store: loads state.json and replays the
    /// journal onto it, and deletes what a crash may have left: partial
    /// uploads, a torn last journal write, and blobs that no saved state names
    /// (written before a change that never got saved, or dropped by a saved
    /// change before they were removed). A data directory from before the
    /// journal (state.json alone) loads as the snapshot of epoch 0.
    pub fn open(dir: &Path) -> io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let lock = lock_data_dir(dir)?;
        let blobs = dir.join("blobs");
        std::fs::create_dir_all(&blobs)?;
        let tmp = dir.join("tmp");
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(&tmp)?;
        let state_file = dir.join("state.json");
        let (mut state, snapshot_len) = match std::fs::read(&state_file) {
            Ok(bytes) => (
                serde_json::from_slice::<State>(&bytes).map_err(|e| {
                    io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("{} is not a valid state file: {e}", state_file.display()),
                    )
                })?,
                bytes.len() as u64,
            ),
            Err(e) if e.kind() == io::ErrorKind::NotFound => (State::default(), 0),
            Err(e) => return Err(e),
        };
        let epoch = state.epoch;
        let journal_path = dir.join(journal::FILE);
        let (file, len) = match journal::replay(&journal_path, &mut state, epoch)? {
            journal::Found::Replayed { len, .. } => {
                let file = std::fs::OpenOptions::new()
                    .append(true)
                    .open(&journal_path)?;
                if file.metadata()?.len() > len {
                    // A torn last write, never acknowledged.
                    file.set_len(len)?;
                    file.sync_all()?;
                }
                (file, len)
            }
            journal::Found::Nothing | journal::Found::Stale => start_journal(dir, epoch)?,
        };
        state.rebuild_index();
        let named: std::collections::HashSet<&str> = state
            .files
            .values()
            .flat_map(|f| f.versions.iter().map(|v| v.blob.as_str()))
            .collect();
        for entry in std::fs::read_dir(&blobs)? {
            let entry = entry?;
            if !named.contains(entry.file_name().to_string_lossy().as_ref()) {
                std::fs::remove_file(entry.path())?;
            }
        }
        let journal = Journal {
            file: Some(Arc::new(file)),
            len,
            snapshot_len,
            epoch,
            compact_due: false,
        };
        let store = Store::new(
            state,
            Blobs::Disk(blobs),
            Some(dir.to_path_buf()),
            Some(lock),
            journal,
        );
        // Test hook (the kill test compacts often): see `compact_after`.
        if let Some(bytes) = std::env::var("IMAGEKIT_LOCAL_SERVER_COMPACT_AFTER")
            .ok()
            .and_then(|v| v.parse().ok())
        {
            store.compact_after(bytes);
        }
        Ok(store)
    }

    pub fn read(&self) -> RwLockReadGuard<'_, State> {
        self.state.read()
    }

    fn write(&self) -> RwLockWriteGuard<'_, State> {
        self.state.write()
    }

    /// The one way to change the library: the state, write-locked, until
    /// `Change::commit` releases it and saves. Dropping the change without
    /// committing leaves what it did unsaved (until the next commit), so
    /// handlers validate before they mutate.
    pub fn begin(&self) -> Change<'_> {
        Change {
            store: self,
            guard: self.write(),
        }
    }

    /// A change that may be saved a second later (a delivery's usage record,
    /// which would otherwise be written to the journal on every request).
    pub fn change_soon(&self, change: impl FnOnce(&mut State)) {
        change(&mut self.write());
        self.touched_soon();
    }

    /// Under the state's write lock, after a change: brings today's storage
    /// figure up to date and queues what changed for the next journal write.
    /// Returns the change's generation, which a save must cover.
    fn queue(&self, state: &mut State) -> u64 {
        state.record_storage(now_ms());
        if self.data_dir.is_none() {
            journal::forget(state);
            return 0;
        }
        let entry = journal::take_entry(state);
        let mut pending = self.pending.lock();
        match entry {
            Some(Ok(bytes)) => {
                if !pending.is_empty() {
                    pending.push(b',');
                }
                pending.extend_from_slice(&bytes);
            }
            Some(Err(e)) => {
                eprintln!("imagekit-local-server: could not record a change ({e}); the next save writes the whole state");
                self.needs_snapshot.store(true, Ordering::SeqCst);
            }
            None => {}
        }
        self.generation.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// Saves a change a request made (call it after releasing the guard, before
    /// answering): with a data directory, the journal is written and synced
    /// before this returns, so a 2xx answer means the change survives a crash.
    /// Concurrent saves share writes. A failed save is the request's error: 507
    /// when the disk is full, else 500.
    async fn persist(&self, generation: u64) -> Result<(), SaveError> {
        if self.data_dir.is_none() {
            return Ok(());
        }
        self.save_covering(generation, false).await.map_err(|e| {
            let message = format!(
                "The change could not be saved to the data directory ({e}); it stays in memory but may be lost when the server stops."
            );
            SaveError {
                message,
                disk_full: e.kind() == io::ErrorKind::StorageFull,
            }
        })
    }

    /// Saves the state a last time and releases the data directory: nothing is
    /// written to it afterwards (late background work is dropped), so another
    /// server may take it over.
    pub async fn close(&self) -> io::Result<()> {
        let saved = self.flush().await;
        let _guard = self.journal.lock().await;
        if let Some(lock) = self.lock.lock().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = lock.unlock();
        }
        saved
    }

    /// Test hook: the next save fails with `kind`.
    #[doc(hidden)]
    pub fn fail_next_save(&self, kind: io::ErrorKind) {
        *self
            .fail_next_save
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(kind);
    }

    /// Test hook: compact the journal once it is longer than `bytes` (and
    /// than the snapshot) instead of `COMPACT_AFTER`.
    #[doc(hidden)]
    pub fn compact_after(&self, bytes: u64) {
        self.compact_after.store(bytes, Ordering::Relaxed);
    }

    /// Signals the persister (changes saved soon, compaction).
    fn touched(&self) {
        if self.data_dir.is_some() {
            self.dirty.notify_one();
        }
    }

    /// Signals the persister for a change that may wait a second: each delivery's
    /// usage record, which would otherwise be written (and synced) for every
    /// request. Shutdown saves the rest.
    fn touched_soon(&self) {
        if self.data_dir.is_some() {
            self.save_due.notify_one();
        }
    }

    /// Background task passing `touched_soon` changes on to the persister, at most
    /// once a second (notifications during the wait coalesce into one).
    pub async fn save_soon_loop(self: Arc<Self>) {
        if self.data_dir.is_none() {
            return;
        }
        loop {
            self.save_due.notified().await;
            tokio::time::sleep(Duration::from_secs(1)).await;
            self.touched();
        }
    }

    /// Background task saving changes made outside requests and compacting
    /// the journal when it has outgrown the snapshot.
    pub async fn persist_loop(self: Arc<Self>) {
        if self.data_dir.is_none() {
            return;
        }
        loop {
            self.dirty.notified().await;
            if self
                .lock
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .is_none()
            {
                return; // closed
            }
            if let Err(e) = self.flush().await {
                eprintln!("imagekit-local-server: could not save state: {e}");
            }
        }
    }

    /// Saves every change made so far now (and compacts the journal if due).
    pub async fn flush(&self) -> io::Result<()> {
        if self.data_dir.is_none() {
            return Ok(());
        }
        let generation = self.queue(&mut self.write());
        self.save_covering(generation, true).await
    }

    /// Writes the queued changes to the journal, unless a write since
    /// `generation` was queued covered them already (it took every entry
    /// queued before it). With `compact` (the persister), a journal that
    /// has outgrown the snapshot is compacted.
    async fn save_covering(&self, generation: u64, compact: bool) -> io::Result<()> {
        let Some(dir) = &self.data_dir else {
            return Ok(());
        };
        let mut journal = self.journal.lock().await;
        if self
            .lock
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_none()
        {
            return Err(io::Error::other("the server has shut down"));
        }
        let compact = compact && journal.compact_due;
        if self.saved_generation.load(Ordering::SeqCst) >= generation && !compact {
            return Ok(());
        }
        let injected = self
            .fail_next_save
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(kind) = injected {
            self.needs_snapshot.store(true, Ordering::SeqCst);
            return Err(io::Error::new(kind, "injected save failure"));
        }
        if compact || self.needs_snapshot.load(Ordering::SeqCst) || journal.file.is_none() {
            return self.write_snapshot(dir, &mut journal).await;
        }
        let (entries, covers) = {
            let mut pending = self.pending.lock();
            (
                std::mem::take(&mut *pending),
                self.generation.load(Ordering::SeqCst),
            )
        };
        if !entries.is_empty() {
            let line = journal::batch(&entries);
            let added = line.len() as u64;
            let file = journal.file.clone().expect("checked above");
            let written = blocking(move || {
                use std::io::Write;
                (&*file).write_all(&line)?;
                file.sync_data()
            })
            .await;
            if let Err(e) = written {
                // The entries it held are gone from the queue, and the
                // journal may end in part of them: a snapshot replaces both.
                self.needs_snapshot.store(true, Ordering::SeqCst);
                return Err(e);
            }
            journal.len += added;
            if journal.outgrown(self.compact_after.load(Ordering::Relaxed)) && !journal.compact_due
            {
                journal.compact_due = true;
                self.touched();
            }
        }
        self.saved_generation.fetch_max(covers, Ordering::SeqCst);
        Ok(())
    }

    /// Writes the whole state as a new snapshot (state.json, replaced
    /// atomically and durably) and starts its journal empty. Covers every
    /// change made before it, queued ones included.
    async fn write_snapshot(&self, dir: &Path, journal: &mut Journal) -> io::Result<()> {
        let epoch = journal.epoch + 1;
        let (snapshot, covers) = {
            let state = self.read();
            // No change is queued while the state is read-locked: the
            // snapshot holds exactly the queued changes and those before.
            let snapshot = serde_json::to_vec(&Snapshot {
                epoch,
                state: &state,
            });
            self.pending.lock().clear();
            self.needs_snapshot.store(false, Ordering::SeqCst);
            (snapshot, self.generation.load(Ordering::SeqCst))
        };
        let written = match snapshot {
            Ok(snapshot) => write_durably(dir, "state.json", &snapshot)
                .await
                .map(|()| snapshot.len() as u64),
            Err(e) => Err(io::Error::other(e)),
        };
        let snapshot_len = match written {
            Ok(len) => len,
            Err(e) => {
                self.needs_snapshot.store(true, Ordering::SeqCst);
                return Err(e);
            }
        };
        // The changes are on disk; the old journal is stale from here on.
        self.saved_generation.fetch_max(covers, Ordering::SeqCst);
        journal.epoch = epoch;
        journal.snapshot_len = snapshot_len;
        journal.compact_due = false;
        journal.file = None;
        let dir = dir.to_path_buf();
        match blocking(move || start_journal(&dir, epoch)).await {
            Ok((file, len)) => {
                journal.file = Some(Arc::new(file));
                journal.len = len;
            }
            // Saved all the same; the next save writes a snapshot again.
            Err(e) => eprintln!("imagekit-local-server: could not start a new journal: {e}"),
        }
        Ok(())
    }

    /// Where temporary files go: `<data-dir>/tmp` (emptied at start-up), or
    /// the system's temporary directory for the memory store.
    pub fn scratch_dir(&self) -> PathBuf {
        match &self.data_dir {
            Some(dir) => dir.join("tmp"),
            None => std::env::temp_dir(),
        }
    }

    pub async fn writer(&self) -> io::Result<BlobWriter> {
        let key = new_id();
        let sink = match &self.blobs {
            Blobs::Memory(_) => Sink::Memory {
                done: Vec::new(),
                current: BytesMut::new(),
            },
            Blobs::Disk(dir) => {
                let tmp = self
                    .data_dir
                    .as_ref()
                    .map(|d| d.join("tmp").join(&key))
                    .unwrap_or_else(|| dir.join(format!("{key}.part")));
                let file = tokio::fs::File::create(&tmp).await?;
                Sink::Disk {
                    file: BufWriter::with_capacity(1 << 20, file),
                    tmp,
                    dest: dir.join(&key),
                }
            }
        };
        Ok(BlobWriter { key, sink, len: 0 })
    }

    pub async fn commit(&self, writer: BlobWriter) -> io::Result<String> {
        writer.finish(&self.blobs).await
    }

    pub async fn discard(&self, writer: BlobWriter) {
        writer.abort().await
    }

    /// Stores a complete buffer (used for transformed uploads).
    pub async fn put(&self, bytes: &[u8]) -> io::Result<String> {
        let mut writer = self.writer().await?;
        writer.write(bytes).await?;
        self.commit(writer).await
    }

    pub async fn blob(&self, key: &str) -> Option<Blob> {
        match &self.blobs {
            Blobs::Memory(map) => map
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get(key)
                .cloned()
                .map(Blob::Memory),
            Blobs::Disk(dir) => {
                let path = dir.join(key);
                let meta = tokio::fs::metadata(&path).await.ok()?;
                Some(Blob::Disk(path, meta.len()))
            }
        }
    }

    /// A second key for the same bytes (copying a file version). Blobs are
    /// immutable, so sharing memory or hard-linking on disk is safe.
    pub async fn duplicate(&self, key: &str) -> io::Result<String> {
        let new_key = new_id();
        match &self.blobs {
            Blobs::Memory(map) => {
                let mut map = map.lock().unwrap_or_else(|e| e.into_inner());
                let blob = map
                    .get(key)
                    .cloned()
                    .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "blob missing"))?;
                map.insert(new_key.clone(), blob);
            }
            Blobs::Disk(dir) => {
                let (from, to) = (dir.join(key), dir.join(&new_key));
                if tokio::fs::hard_link(&from, &to).await.is_err() {
                    tokio::fs::copy(&from, &to).await?;
                    tokio::fs::File::open(&to).await?.sync_all().await?;
                }
                sync_dir(dir).await?;
            }
        }
        Ok(new_key)
    }

    pub async fn remove_blobs(&self, keys: Vec<String>) {
        match &self.blobs {
            Blobs::Memory(map) => {
                let mut map = map.lock().unwrap_or_else(|e| e.into_inner());
                for key in keys {
                    map.remove(&key);
                }
            }
            Blobs::Disk(dir) => {
                for key in keys {
                    let _ = tokio::fs::remove_file(dir.join(key)).await;
                }
            }
        }
    }

    /// Every blob key the store holds (committed blobs only).
    async fn blob_keys(&self) -> io::Result<Vec<String>> {
        match &self.blobs {
            Blobs::Memory(map) => Ok(map
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .keys()
                .cloned()
                .collect()),
            Blobs::Disk(dir) => {
                let mut keys = Vec::new();
                let mut entries = tokio::fs::read_dir(dir).await?;
                while let Some(entry) = entries.next_entry().await? {
                    keys.push(entry.file_name().to_string_lossy().into_owned());
                }
                Ok(keys)
            }
        }
    }

    /// The store's invariants, checked: each problem found, in words. Empty
    /// when consistent. Uploads in flight may show as orphan blobs, so the
    /// check is meant for a quiet server (the admin API's `check`).
    pub async fn check(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let versions: Vec<(String, String, String, u64)> = {
            let state = self.read();
            for (path, id) in &state.paths {
                match state.files.get(id) {
                    Some(file) if file.path() == *path => {}
                    _ => problems.push(format!("path index entry {path} names no file there")),
                }
            }
            for file in state.files.values() {
                if state.paths.get(&file.path()) != Some(&file.id) {
                    problems.push(format!("file {} is missing from the path index", file.id));
                }
                if file.current_version().is_none() {
                    problems.push(format!("file {} has no current version", file.id));
                }
                if file.folder != "/" && !state.folders.contains_key(&file.folder) {
                    problems.push(format!(
                        "file {} is in folder {}, which does not exist",
                        file.id, file.folder
                    ));
                }
            }
            let summed: u64 = state.files.values().map(file_bytes).sum();
            if state.stored_bytes() != summed {
                problems.push(format!(
                    "the storage total is {} bytes, the versions hold {summed}",
                    state.stored_bytes()
                ));
            }
            state
                .files
                .values()
                .flat_map(|f| {
                    f.versions
                        .iter()
                        .map(|v| (f.id.clone(), v.id.clone(), v.blob.clone(), v.size))
                })
                .collect()
        };
        let mut referenced = std::collections::HashSet::new();
        for (file, version, key, size) in versions {
            match self.blob(&key).await {
                Some(blob) if blob.size() == size => {}
                Some(blob) => problems.push(format!(
                    "version {version} of file {file} records {size} bytes, its blob holds {}",
                    blob.size()
                )),
                None => problems.push(format!("version {version} of file {file} has no blob")),
            }
            referenced.insert(key);
        }
        match self.blob_keys().await {
            Ok(keys) => {
                for key in keys.into_iter().filter(|k| !referenced.contains(k)) {
                    problems.push(format!("blob {key} belongs to no file version"));
                }
            }
            Err(e) => problems.push(format!("could not list the blobs: {e}")),
        }
        problems
    }

    /// Forgets everything (the admin reset).
    pub async fn reset(&self) -> Result<(), SaveError> {
        let mut state = self.begin();
        let keys: Vec<String> = state
            .files
            .values()
            .flat_map(|f| f.versions.iter().map(|v| v.blob.clone()))
            .collect();
        state.reset();
        // The emptied state is saved before the blobs go.
        state.commit().await?;
        self.remove_blobs(keys).await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_files_from_before_the_account_areas_still_load() {
        let old = r#"{"files":{},"folders":{},"custom_fields":[],"jobs":{},"purges":{},"seq":3}"#;
        let state: State = serde_json::from_str(old).expect("old state loads");
        assert_eq!(state.seq, 3);
        assert!(state.named_transformations.is_empty() && state.usage.is_empty());
    }

    #[test]
    fn storage_figures_carry_forward() {
        let mut state = State::default();
        state.record_storage(0);
        assert!(state.usage.is_empty(), "no record while nothing is stored");
        state
            .usage
            .entry_or_default("2024-01-02".into())
            .storage_bytes = Some(7);
        state.usage.entry_or_default("2024-01-05".into());
        assert_eq!(state.storage_on("2024-01-01"), 0);
        assert_eq!(state.storage_on("2024-01-02"), 7);
        assert_eq!(state.storage_on("2024-01-09"), 7);
    }
}
