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
//!
//! The store's parts, by concern:
//! - this module: the `Store` (the locked state, its blobs, saving: the
//!   journal writes, snapshots and compaction) and the `Change` through
//!   which every request changes the state, and the re-exports that keep
//!   every record type at `storage::`;
//! - `records`: the record types the state holds;
//! - `state`: the `State` and the helpers that keep it consistent;
//! - `tracked`: the state's collections, remembering what changed;
//! - `journal`: the journal's format, what a change writes to it, replay;
//! - `blobs`: reading and writing the bytes of file versions (and the
//!   `Store`'s blob methods);
//! - `disk`: durable writes, directory syncs, the data directory's lock.

mod blobs;
mod disk;
mod journal;
mod records;
mod state;
pub mod tracked;

pub use blobs::{Blob, BlobWriter};
pub use records::{
    BulkJob, CustomMetadataField, DayUsage, DeliveryKind, DeliveryStat, FileRecord, FolderRecord,
    ImageFacts, JobWork, NamedTransformation, Origin, PurgeRequest, SavedExtension, UrlEndpoint,
    Version,
};
pub use state::State;

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use parking_lot::{RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use serde::Serialize;
use tokio::sync::Notify;

use crate::timestamp::now_ms;
use blobs::Blobs;
use disk::{blocking, lock_data_dir, sync_dir_now, write_durably};
use state::file_bytes;

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
