//! A local folder into the media library: every file under it uploaded to the same place
//! under a remote folder, N at a time on one connection pool, each streamed from disk.
//!
//! It never stores a file twice. Each remote folder is listed (page by page) before its
//! files are sent: a file already there with the same size is skipped, one with another
//! size fails (or is replaced, with `overwrite`). Uploads go with `useUniqueFileName:
//! false` and `overwriteFile: false` (unless `overwrite`), so a file that landed anyway (a
//! run killed after ImageKit stored it, a retried upload whose first try was stored) is
//! refused by ImageKit and then found by name: that also makes it safe to retry an upload
//! after a 5xx, a reset or a timeout. A 429 is retried after its reset time. Re-running
//! resumes.
//!
//! Names are compared and sent as ImageKit stores them ([`remote_file_name`]); two local files that
//! map to one remote name are reported, and neither is uploaded. Cancelling stops new
//! files, aborts those under way (reported as failed with `ABORT_ERR`) and returns the
//! summary.

mod names;
mod remote;
mod walk;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

pub use names::{file_name as remote_file_name, folder_name as remote_folder_name};

use crate::client::{ImageKit, UploadFile, UploadOptions};
use crate::error::Error;
use crate::http::Progress;
use remote::Stored;
use walk::Entry;

/// The code of a file whose upload was cut short by cancelling.
const ABORTED: &str = "ABORT_ERR";

/// Uploads at once, unless told otherwise.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// What to upload, where, and how.
#[derive(Debug, Clone)]
pub struct FolderUpload {
    /// The local folder; every file under it is uploaded, its tree kept.
    pub local_dir: PathBuf,
    /// The remote folder the tree goes under (`/` for the root).
    pub folder: String,
    /// Uploads at once (at least 1).
    pub concurrency: usize,
    /// Globs a file's relative path must match one of (all files when empty).
    pub include: Vec<String>,
    /// Globs that leave a file out.
    pub exclude: Vec<String>,
    /// Replace a remote file of another size, rather than report it.
    pub overwrite: bool,
    /// Decide, and report, without uploading.
    pub dry_run: bool,
    /// The upload options every file gets (tags, privacy, custom metadata...); the file's
    /// name, folder, `useUniqueFileName` and `overwriteFile` are the engine's.
    pub options: UploadOptions,
}

impl FolderUpload {
    pub fn new(local_dir: impl Into<PathBuf>, folder: impl Into<String>) -> Self {
        Self {
            local_dir: local_dir.into(),
            folder: folder.into(),
            concurrency: DEFAULT_CONCURRENCY,
            include: Vec::new(),
            exclude: Vec::new(),
            overwrite: false,
            dry_run: false,
            options: UploadOptions::default(),
        }
    }
}

/// What became of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Status {
    /// Sent and stored.
    Uploaded,
    /// Already in the library with the same size.
    Skipped,
    /// Not in the library, or not as it is here: see the error.
    Failed,
    /// A dry run's "would be uploaded".
    Planned,
}

/// Why a file failed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileError {
    /// `ERR_IMAGEKIT_API` (ImageKit refused it: see `status`), a transport code
    /// (`ECONNRESET`, `ETIMEDOUT`...), `ERR_SIZE_MISMATCH` (a file of another size is
    /// there), `ERR_NAME_COLLISION`, `ERR_READ` (the local file could not be read),
    /// `ABORT_ERR` or `ERR_IMAGEKIT_INTERNAL`.
    pub code: String,
    pub message: String,
    /// ImageKit's status, when it answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
}

impl FileError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            message: message.into(),
            status: None,
        }
    }

    fn from_error(error: &Error) -> Self {
        match error {
            Error::Api {
                status, message, ..
            } => Self {
                code: "ERR_IMAGEKIT_API".to_owned(),
                message: format!("ImageKit answered {status}: {message}"),
                status: Some(*status),
            },
            Error::Transport { code, message } => Self::new(code, message.clone()),
            Error::Invalid { .. } => Self::new("ERR_READ", error.to_string()),
            Error::Decode { .. } => Self::new("ERR_IMAGEKIT_API", error.to_string()),
        }
    }
}

/// One file's outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FileReport {
    /// Relative to the local folder, `/`-separated.
    pub path: String,
    /// Where it is (or would be) in the library.
    pub remote_path: String,
    pub size: u64,
    pub status: Status,
    /// The library's file, when it is there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<FileError>,
}

impl FileReport {
    fn of(entry: &Entry, status: Status, file_id: Option<String>) -> Self {
        Self {
            path: entry.shown(),
            remote_path: entry.remote_path(),
            size: entry.size,
            status,
            file_id,
            error: None,
        }
    }

    fn failed(path: String, remote_path: String, size: u64, error: FileError) -> Self {
        Self {
            path,
            remote_path,
            size,
            status: Status::Failed,
            file_id: None,
            error: Some(error),
        }
    }

    fn entry_failed(entry: &Entry, error: FileError) -> Self {
        Self::failed(entry.shown(), entry.remote_path(), entry.size, error)
    }
}

/// The counts so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    /// Files found (after the globs).
    pub files_total: u64,
    /// Files with an outcome.
    pub files_done: u64,
    pub bytes_total: u64,
    /// Bytes of the files with an outcome, and of those under way as far as they are sent.
    pub bytes_done: u64,
    /// Bytes sent in uploads, those under way included.
    pub bytes_sent: u64,
    pub uploaded: u64,
    pub skipped: u64,
    pub failed: u64,
    pub planned: u64,
}

/// The counts of a run, read at any time from another task (a progress bar).
#[derive(Debug, Default)]
pub struct Tally {
    files_total: AtomicU64,
    files_done: AtomicU64,
    bytes_total: AtomicU64,
    bytes_done: AtomicU64,
    bytes_sent: AtomicU64,
    uploaded: AtomicU64,
    skipped: AtomicU64,
    failed: AtomicU64,
    planned: AtomicU64,
    next_key: AtomicU64,
    /// Uploads under way: how far each is, and its file's size.
    under_way: Mutex<HashMap<u64, (Arc<Progress>, u64)>>,
}

impl Tally {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn totals(&self) -> Totals {
        let (mut partial, mut sent) = (0, 0);
        for (progress, size) in self.under_way().values() {
            let loaded = progress.loaded();
            sent += loaded;
            partial += loaded.min(*size);
        }
        let get = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        Totals {
            files_total: get(&self.files_total),
            files_done: get(&self.files_done),
            bytes_total: get(&self.bytes_total),
            bytes_done: get(&self.bytes_done) + partial,
            bytes_sent: get(&self.bytes_sent) + sent,
            uploaded: get(&self.uploaded),
            skipped: get(&self.skipped),
            failed: get(&self.failed),
            planned: get(&self.planned),
        }
    }

    fn under_way(&self) -> std::sync::MutexGuard<'_, HashMap<u64, (Arc<Progress>, u64)>> {
        // A poisoned map still holds counts worth reading.
        self.under_way
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn begin(&self, size: u64) -> (u64, Arc<Progress>) {
        let key = self.next_key.fetch_add(1, Ordering::Relaxed);
        let progress = Arc::new(Progress::new());
        self.under_way().insert(key, (Arc::clone(&progress), size));
        (key, progress)
    }

    fn end(&self, key: u64) {
        if let Some((progress, _)) = self.under_way().remove(&key) {
            self.bytes_sent
                .fetch_add(progress.loaded(), Ordering::Relaxed);
        }
    }

    fn record(&self, report: &FileReport) {
        let counter = match report.status {
            Status::Uploaded => &self.uploaded,
            Status::Skipped => &self.skipped,
            Status::Failed => &self.failed,
            Status::Planned => &self.planned,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        self.bytes_done.fetch_add(report.size, Ordering::Relaxed);
        self.files_done.fetch_add(1, Ordering::Relaxed);
    }
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    #[serde(flatten)]
    pub totals: Totals,
    /// Cancelled before every file had an outcome.
    pub aborted: bool,
    pub dry_run: bool,
    pub elapsed_ms: u64,
    /// Every failed file, in the order they failed.
    pub failures: Vec<FileReport>,
}

/// Called with each file's outcome as it comes.
pub type OnFile = Arc<dyn Fn(&FileReport) + Send + Sync>;

/// Runs `job`: the summary, or the error that stopped it before any file (a local folder
/// that cannot be read, an invalid glob).
pub async fn run(
    client: Arc<ImageKit>,
    job: FolderUpload,
    tally: Arc<Tally>,
    on_file: OnFile,
    cancel: CancellationToken,
) -> Result<Summary, Error> {
    let started = std::time::Instant::now();
    let filter = walk::Filter::new(&job.include, &job.exclude)?;
    let remote_root = names::folder_path(job.folder.split('/'));
    let root = job.local_dir.clone();
    let plan = tokio::task::spawn_blocking(move || walk::plan(&root, &remote_root, &filter))
        .await
        .map_err(|error| Error::Invalid {
            message: format!("the walk of the local folder failed: {error}"),
            help: String::new(),
        })??;
    let count = (plan.entries.len() + plan.refused.len()) as u64;
    let bytes = plan.entries.iter().map(|entry| entry.size).sum::<u64>()
        + plan.refused.iter().map(|report| report.size).sum::<u64>();
    tally.files_total.store(count, Ordering::Relaxed);
    tally.bytes_total.store(bytes, Ordering::Relaxed);

    let mut failures = Vec::new();
    let mut record = |report: FileReport| {
        tally.record(&report);
        on_file(&report);
        if report.status == Status::Failed {
            failures.push(report);
        }
    };
    for report in plan.refused {
        record(report);
    }

    let job = Arc::new(job);
    let concurrency = job.concurrency.max(1);
    let mut running: JoinSet<FileReport> = JoinSet::new();
    let mut entries = plan.entries.into_iter().peekable();
    'folders: while let Some(first) = entries.next() {
        if cancel.is_cancelled() {
            break;
        }
        let mut group = vec![first];
        while let Some(next) = entries.next_if(|next| next.folder == group[0].folder) {
            group.push(next);
        }
        let listed = tokio::select! {
            listed = remote::list(&client, &group[0].folder) => listed,
            () = cancel.cancelled() => break,
        };
        let stored = match listed {
            Ok(stored) => stored,
            Err(error) => {
                for entry in &group {
                    record(FileReport::entry_failed(
                        entry,
                        FileError::from_error(&error),
                    ));
                }
                continue;
            }
        };
        for entry in group {
            match decide(&job, &entry, stored.get(&entry.name)) {
                Some(report) => record(report),
                None => {
                    while running.len() >= concurrency {
                        if let Some(done) = running.join_next().await {
                            record(joined(done));
                        }
                    }
                    if cancel.is_cancelled() {
                        break 'folders;
                    }
                    let replace = stored.contains_key(&entry.name);
                    running.spawn(upload(
                        Arc::clone(&client),
                        Arc::clone(&job),
                        entry,
                        replace,
                        Arc::clone(&tally),
                        cancel.clone(),
                    ));
                }
            }
        }
    }
    while let Some(done) = running.join_next().await {
        record(joined(done));
    }
    let totals = tally.totals();
    let cut_short = failures
        .iter()
        .any(|report| report.error.as_ref().is_some_and(|e| e.code == ABORTED));
    Ok(Summary {
        aborted: cancel.is_cancelled() && (totals.files_done < totals.files_total || cut_short),
        totals,
        dry_run: job.dry_run,
        elapsed_ms: started.elapsed().as_millis() as u64,
        failures,
    })
}

/// The outcome decided from the listing alone, or `None`: the file is to be sent.
fn decide(job: &FolderUpload, entry: &Entry, stored: Option<&Stored>) -> Option<FileReport> {
    match stored {
        Some(stored) if stored.size == entry.size => Some(FileReport::of(
            entry,
            Status::Skipped,
            Some(stored.file_id.clone()),
        )),
        Some(stored) if !job.overwrite => Some(FileReport::entry_failed(
            entry,
            size_mismatch(entry, stored),
        )),
        _ if job.dry_run => Some(FileReport::of(entry, Status::Planned, None)),
        _ => None,
    }
}

fn size_mismatch(entry: &Entry, stored: &Stored) -> FileError {
    FileError::new(
        "ERR_SIZE_MISMATCH",
        format!(
            "{} is already in the library with {} bytes, this file has {} (overwrite replaces it)",
            entry.remote_path(),
            stored.size,
            entry.size
        ),
    )
}

fn joined(done: Result<FileReport, tokio::task::JoinError>) -> FileReport {
    done.unwrap_or_else(|error| {
        FileReport::failed(
            String::new(),
            String::new(),
            0,
            FileError::new(
                "ERR_IMAGEKIT_INTERNAL",
                format!("an upload task ended without an outcome: {error}"),
            ),
        )
    })
}

/// Sends one file, tried again while that is safe; a refusal is checked against what the
/// library then holds under its name.
async fn upload(
    client: Arc<ImageKit>,
    job: Arc<FolderUpload>,
    entry: Entry,
    replace: bool,
    tally: Arc<Tally>,
    cancel: CancellationToken,
) -> FileReport {
    let (key, progress) = tally.begin(entry.size);
    let work = send(&client, &job, &entry, replace, &progress);
    let report = match cancel.run_until_cancelled(work).await {
        Some(report) => report,
        None => FileReport::entry_failed(
            &entry,
            FileError::new(ABORTED, "aborted while uploading; a re-run resumes"),
        ),
    };
    tally.end(key);
    report
}

async fn send(
    client: &ImageKit,
    job: &FolderUpload,
    entry: &Entry,
    replace: bool,
    progress: &Arc<Progress>,
) -> FileReport {
    let options = UploadOptions {
        file_name: entry.name.clone(),
        folder: Some(entry.folder.to_string()),
        use_unique_file_name: Some(false),
        overwrite_file: Some(job.overwrite && replace),
        ..job.options.clone()
    };
    let path = job.local_dir.join(&entry.local);
    // Failed tries other than rate limits: after one, the file may have been stored, and
    // finding it is then this run's doing.
    let failed_tries = AtomicU64::new(0);
    let sent = remote::retried(|| {
        let file = UploadFile::Path(path.clone());
        let (options, failed_tries) = (&options, &failed_tries);
        async move {
            let sent = client.upload_counted(file, options, Some(progress)).await;
            if sent
                .as_ref()
                .is_err_and(|error| !remote::is_rate_limit(error))
            {
                failed_tries.fetch_add(1, Ordering::Relaxed);
            }
            sent
        }
    })
    .await;
    let error = match sent {
        Ok(file) => return FileReport::of(entry, Status::Uploaded, file.file_id),
        Err(error) => error,
    };
    if !refused_as_present(&error) || options.overwrite_file == Some(true) {
        return FileReport::entry_failed(entry, FileError::from_error(&error));
    }
    match remote::find(client, &entry.folder, &entry.name).await {
        Ok(Some(stored)) if stored.size == entry.size => {
            let status = if failed_tries.load(Ordering::Relaxed) > 1 {
                Status::Uploaded
            } else {
                Status::Skipped
            };
            FileReport::of(entry, status, Some(stored.file_id))
        }
        Ok(Some(stored)) => FileReport::entry_failed(entry, size_mismatch(entry, &stored)),
        Ok(None) | Err(_) => FileReport::entry_failed(entry, FileError::from_error(&error)),
    }
}

/// A refusal that may mean the name is taken: a 4xx other than the key's or the rate limit's.
fn refused_as_present(error: &Error) -> bool {
    matches!(error, Error::Api { status, .. } if (400..500).contains(status) && !matches!(status, 401 | 403 | 429))
}
