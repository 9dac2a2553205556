//! The media library's state (files, versions, folders, custom metadata
//! fields, jobs, purge requests, account settings, usage records) and the
//! bytes behind every file version.
//!
//! State lives in one `RwLock` because every operation is short and CPU-bound;
//! blobs live in memory or under `<data-dir>/blobs`, and with a data directory
//! the state is also written to `<data-dir>/state.json` after every change so
//! it survives a restart.

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
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
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DayUsage {
    pub bandwidth_bytes: u64,
    pub request_count: u64,
    /// Media library storage at the end of the day (its latest figure);
    /// `None` when storage did not change that day.
    pub storage_bytes: Option<u64>,
    /// Keyed by all the attributes of a `DeliveryStat` joined.
    pub deliveries: HashMap<String, DeliveryStat>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct State {
    pub files: HashMap<String, FileRecord>,
    /// filePath -> fileId; derived from `files`, rebuilt on load.
    #[serde(skip)]
    pub paths: HashMap<String, String>,
    /// Keyed by folder path with trailing slash.
    pub folders: BTreeMap<String, FolderRecord>,
    pub custom_fields: Vec<CustomField>,
    pub jobs: HashMap<String, BulkJob>,
    pub purges: HashMap<String, PurgeRequest>,
    pub seq: u64,
    #[serde(default)]
    pub saved_extensions: Vec<SavedExtension>,
    #[serde(default)]
    pub named_transformations: Vec<NamedTransformation>,
    #[serde(default)]
    pub origins: Vec<Origin>,
    /// Created endpoints, plus the default one once it has been replaced;
    /// see `library::records::url_endpoints` for the list with the default.
    #[serde(default)]
    pub url_endpoints: Vec<UrlEndpoint>,
    /// Keyed by UTC date, `YYYY-MM-DD`.
    #[serde(default)]
    pub usage: BTreeMap<String, DayUsage>,
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

    /// Bytes stored in the media library: every version of every file.
    pub fn stored_bytes(&self) -> u64 {
        self.files
            .values()
            .flat_map(|f| f.versions.iter())
            .map(|v| v.size)
            .sum()
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
            self.usage.entry(today).or_default().storage_bytes = Some(total);
        }
    }

    fn rebuild_index(&mut self) {
        self.paths = self
            .files
            .values()
            .map(|f| (f.path(), f.id.clone()))
            .collect();
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

pub struct Store {
    /// The data directory's lock, held until `close`.
    lock: Mutex<Option<std::fs::File>>,
    state: RwLock<State>,
    blobs: Blobs,
    data_dir: Option<PathBuf>,
    dirty: Notify,
    /// Serialises state.json writes so an older snapshot never lands last.
    write_lock: tokio::sync::Mutex<()>,
    /// Storage changed since today's figure was last brought up to date: summing every
    /// version is left out of the request that changed it (see `settle_storage`).
    storage_stale: AtomicBool,
    /// When storage last changed (ms): the day its figure belongs to.
    storage_changed_at: AtomicI64,
    storage_due: Notify,
    /// A change that may wait to be saved (usage statistics) is pending.
    save_due: Notify,
    /// Bumped by every save request: the generation of the state's changes.
    generation: AtomicU64,
    /// The generation the last successful write of state.json covered.
    saved_generation: AtomicU64,
    /// Test hook: the error the next write of state.json fails with.
    fail_next_save: Mutex<Option<io::ErrorKind>>,
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
    /// Releases the lock, then saves the state (with a data directory, to disk
    /// before the returned future completes: an answer sent after it reports a
    /// saved change). A failed save is the request's error: 507 when the disk
    /// is full, else 500.
    pub fn commit(
        self,
    ) -> impl std::future::Future<Output = Result<(), crate::error::ApiError>> + 'a {
        let store = self.store;
        drop(self.guard);
        store.persist()
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
    ) -> Self {
        Store {
            lock: Mutex::new(lock),
            state: RwLock::new(state),
            blobs,
            data_dir,
            dirty: Notify::new(),
            write_lock: tokio::sync::Mutex::new(()),
            storage_stale: AtomicBool::new(false),
            storage_changed_at: AtomicI64::new(0),
            storage_due: Notify::new(),
            save_due: Notify::new(),
            generation: AtomicU64::new(0),
            saved_generation: AtomicU64::new(0),
            fail_next_save: Mutex::new(None),
        }
    }

    pub fn memory() -> Self {
        Store::new(
            State::default(),
            Blobs::Memory(Mutex::new(HashMap::new())),
            None,
            None,
        )
    }

    /// Opens (or creates) an on-disk store, loading the previous state and
    /// deleting what a crash may have left: partial uploads, and blobs that no
    /// saved state names (written before a state that never got saved, or
    /// dropped by a saved state before they were removed).
    pub fn open(dir: &Path) -> io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let lock = lock_data_dir(dir)?;
        let blobs = dir.join("blobs");
        std::fs::create_dir_all(&blobs)?;
        let tmp = dir.join("tmp");
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(&tmp)?;
        let state_file = dir.join("state.json");
        let mut state = match std::fs::read(&state_file) {
            Ok(bytes) => serde_json::from_slice::<State>(&bytes).map_err(|e| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("{} is not a valid state file: {e}", state_file.display()),
                )
            })?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => State::default(),
            Err(e) => return Err(e),
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
        Ok(Store::new(
            state,
            Blobs::Disk(blobs),
            Some(dir.to_path_buf()),
            Some(lock),
        ))
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
    /// which would otherwise rewrite state.json on every request).
    pub fn change_soon(&self, change: impl FnOnce(&mut State)) {
        change(&mut self.write());
        self.touched_soon();
    }

    fn storage_changed(&self) {
        self.storage_changed_at.store(now_ms(), Ordering::Relaxed);
        self.storage_stale.store(true, Ordering::Release);
        self.storage_due.notify_one();
    }

    /// Saves a change a request made (call it after releasing the guard, before
    /// answering): with a data directory, state.json is written and synced
    /// before this returns, so a 2xx answer means the change survives a crash.
    /// Concurrent saves share writes. A failed save is the request's error: 507
    /// when the disk is full, else 500.
    async fn persist(&self) -> Result<(), crate::error::ApiError> {
        self.storage_changed();
        if self.data_dir.is_none() {
            return Ok(());
        }
        let mine = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        self.save_covering(mine).await.map_err(|e| {
            let message = format!(
                "The change could not be saved to the data directory ({e}); it stays in memory but may be lost when the server stops."
            );
            if e.kind() == io::ErrorKind::StorageFull {
                crate::error::ApiError::InsufficientStorage(message)
            } else {
                crate::error::ApiError::Internal(message)
            }
        })
    }

    /// Saves the state a last time and releases the data directory: nothing is
    /// written to it afterwards (late background work is dropped), so another
    /// server may take it over.
    pub async fn close(&self) -> io::Result<()> {
        let saved = self.flush().await;
        let _guard = self.write_lock.lock().await;
        if let Some(lock) = self.lock.lock().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = lock.unlock();
        }
        saved
    }

    /// Test hook: the next write of state.json fails with `kind`.
    #[doc(hidden)]
    pub fn fail_next_save(&self, kind: io::ErrorKind) {
        *self
            .fail_next_save
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(kind);
    }

    /// Brings the storage figure up to date, under the day of the latest change: the
    /// usage API calls it before it reads, `storage_loop` soon after every change (so a
    /// figure lands on the day its change happened; only changes in the last 100 ms
    /// before midnight UTC can land on the next day), `flush` before it saves.
    pub fn settle_storage(&self) {
        if self.storage_stale.swap(false, Ordering::Acquire) {
            let at = self.storage_changed_at.load(Ordering::Relaxed);
            self.write().record_storage(at);
        }
    }

    /// Background task settling the storage figure after changes, at most every 100 ms.
    pub async fn storage_loop(self: Arc<Self>) {
        loop {
            self.storage_due.notified().await;
            tokio::time::sleep(Duration::from_millis(100)).await;
            self.settle_storage();
        }
    }

    /// Signals the persister only (for changes that cannot change storage).
    fn touched(&self) {
        if self.data_dir.is_some() {
            self.dirty.notify_one();
        }
    }

    /// Signals the persister for a change that may wait a second: each delivery's
    /// usage record, which would otherwise have state.json rewritten (and the state
    /// read-locked while it is serialised) for every request. Shutdown saves the rest.
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

    /// Background task writing state.json whenever the state changes.
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

    /// Writes state.json now.
    pub async fn flush(&self) -> io::Result<()> {
        if self.data_dir.is_none() {
            return Ok(());
        }
        let generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        self.save_covering(generation).await
    }

    /// Writes state.json unless a write since `generation` was bumped already
    /// covered it (its snapshot was taken after that change was made).
    async fn save_covering(&self, generation: u64) -> io::Result<()> {
        let Some(dir) = &self.data_dir else {
            return Ok(());
        };
        let _guard = self.write_lock.lock().await;
        if self
            .lock
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_none()
        {
            return Err(io::Error::other("the server has shut down"));
        }
        if self.saved_generation.load(Ordering::SeqCst) >= generation {
            return Ok(());
        }
        let covers = self.generation.load(Ordering::SeqCst);
        self.settle_storage();
        let snapshot = serde_json::to_vec(&*self.read()).map_err(io::Error::other)?;
        let injected = self
            .fail_next_save
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(kind) = injected {
            return Err(io::Error::new(kind, "injected save failure"));
        }
        write_durably(dir, "state.json", &snapshot).await?;
        self.saved_generation.fetch_max(covers, Ordering::SeqCst);
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
    pub async fn reset(&self) -> Result<(), crate::error::ApiError> {
        let keys: Vec<String> = {
            let mut state = self.write();
            let keys = state
                .files
                .values()
                .flat_map(|f| f.versions.iter().map(|v| v.blob.clone()))
                .collect();
            *state = State::default();
            keys
        };
        // The emptied state is saved before the blobs go.
        self.persist().await?;
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
            .entry("2024-01-02".into())
            .or_default()
            .storage_bytes = Some(7);
        state.usage.entry("2024-01-05".into()).or_default();
        assert_eq!(state.storage_on("2024-01-01"), 0);
        assert_eq!(state.storage_on("2024-01-02"), 7);
        assert_eq!(state.storage_on("2024-01-09"), 7);
    }
}
