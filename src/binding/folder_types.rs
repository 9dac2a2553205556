//! Type-only definitions of `imagekit.uploadFolder` (not in v6): its options besides the
//! upload options every file gets (the union is in `index.d.header.ts`), the totals it
//! reports, each file's outcome and the summary.

// Nothing constructs or reads these items: they exist for their declarations.
#![allow(dead_code)]

use napi::bindgen_prelude::Unknown;
use napi_derive::napi;

/// How `uploadFolder` runs.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct FolderUploadOptions {
    /// The remote folder the local tree goes under; `/` by default. Folder and file names
    /// are stored as ImageKit stores them (composed; `_` for a space or any character other
    /// than a letter, mark, digit, `.`, `_` or `-`; folders also lose `.`).
    pub folder: Option<String>,
    /// Uploads at once, 1 to 64; 8 by default.
    pub concurrency: Option<u32>,
    /// Globs a file's path relative to the local folder must match one of (`*` crosses
    /// `/`: `*.jpg` matches in every folder); all files by default.
    #[napi(ts_type = "string | string[]")]
    pub include: Option<Unknown<'static>>,
    /// Globs that leave a file out.
    #[napi(ts_type = "string | string[]")]
    pub exclude: Option<Unknown<'static>>,
    /// Replace a file already in the library with another size (by default it is reported
    /// as failed, `ERR_SIZE_MISMATCH`). A file with the same size is always skipped.
    pub overwrite: Option<bool>,
    /// Decide and report (`planned`, `skipped`, `failed`) without uploading.
    pub dry_run: Option<bool>,
    /// Stops the run: no new file is started, those under way are aborted (reported as
    /// failed with `ABORT_ERR`), and the promise resolves with the summary (`aborted: true`).
    /// By default, the signal of an instance made by `withOptions({ signal })`.
    #[napi(ts_type = "AbortSignal")]
    pub signal: Option<Unknown<'static>>,
    /// The totals, at most every 100 ms while the run goes on and once more, last, just
    /// before the promise settles; never after it.
    #[napi(ts_type = "(totals: FolderUploadTotals) => void")]
    pub on_progress: Option<Unknown<'static>>,
    /// Each file's outcome, as it comes (in batches, at most every 100 ms), all of them
    /// before the promise settles.
    #[napi(ts_type = "(file: FolderFileResult) => void")]
    pub on_file: Option<Unknown<'static>>,
}

/// The counts of a folder upload so far.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct FolderUploadTotals {
    /// Files found (after the globs).
    pub files_total: f64,
    /// Files with an outcome.
    pub files_done: f64,
    pub bytes_total: f64,
    /// Bytes of the files with an outcome, and of those under way as far as they are sent.
    pub bytes_done: f64,
    /// Request bytes sent by uploads (form fields included), those under way included.
    pub bytes_sent: f64,
    pub uploaded: f64,
    pub skipped: f64,
    pub failed: f64,
    /// Files a dry run would upload.
    pub planned: f64,
}

/// A file's outcome.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct FolderFileResult {
    /// Relative to the local folder, `/`-separated.
    pub path: String,
    /// Where it is (or would be) in the library.
    pub remote_path: String,
    pub size: f64,
    /// `uploaded`; `skipped` (already there with the same size); `failed`; `planned` (a
    /// dry run's).
    #[napi(ts_type = "'uploaded' | 'skipped' | 'failed' | 'planned'")]
    pub status: String,
    /// The library's file, when it is there.
    pub file_id: Option<String>,
    /// Why it failed: `code` is `ERR_IMAGEKIT_API` (with ImageKit's `status`), a transport
    /// code (`ECONNRESET`...), `ERR_SIZE_MISMATCH`, `ERR_NAME_COLLISION` (two local files
    /// with one remote name: neither is uploaded), `ERR_READ` or `ABORT_ERR`.
    #[napi(ts_type = "Error & { code: string, status?: number }")]
    pub error: Option<Unknown<'static>>,
}

/// How a folder upload ended, besides its totals (`FolderUploadSummary` is both).
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct FolderUploadOutcome {
    /// Cancelled before every file had an outcome.
    pub aborted: bool,
    pub dry_run: bool,
    pub elapsed_ms: f64,
    /// Every failed file.
    pub failures: Vec<FolderFileResult>,
}
