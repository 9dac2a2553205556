//! Copy, move and rename folder, run as bulk jobs: the request answers with a
//! job id at once, the work happens after the configured delay, and the job
//! status moves from Pending to Completed when it is done, or to Failed (with
//! its reason) when it cannot be. A job records its work, and marks itself
//! done in the same state change that does the work, so a job pending at
//! shutdown resumes after a restart with `--data-dir`, and runs once.

use std::sync::Arc;

use crate::routes::extract::Path;
use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::app::App;
use crate::library::jobs;
use crate::paths::{encode_path, folder_name, normalize_folder, parent_folder};
use crate::routes::error::{ApiError, ApiResult};
use crate::routes::extract::{JsonBody, JsonObject};
use crate::storage::JobWork;
use axum::routing;
use axum::Router;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FolderJobBody {
    source_folder_path: Option<String>,
    destination_path: Option<String>,
    #[serde(default)]
    include_file_versions: Option<bool>,
    /// The newer API's spelling of includeFileVersions.
    #[serde(default)]
    include_versions: Option<bool>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Copy,
    Move,
}

/// Validated paths: the source folder and the folder it becomes.
fn plan(body: &FolderJobBody, app: &App, kind: Kind) -> ApiResult<(String, String)> {
    let source = body
        .source_folder_path
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(normalize_folder)
        .ok_or_else(|| {
            ApiError::bad_request(
                "Invalid sourceFolderPath value. It should be a string like '/path/to/folder'",
            )
        })?;
    let destination = body
        .destination_path
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(normalize_folder)
        .ok_or_else(|| {
            ApiError::bad_request(
                "Invalid destinationPath value. It should be a string like '/path/to/folder'",
            )
        })?;
    if source == "/" {
        return Err(ApiError::bad_request(
            "The root folder cannot be copied or moved.",
        ));
    }
    let target = format!("{destination}{}/", folder_name(&source));
    if target.starts_with(&source) && (target != source || kind == Kind::Copy) {
        return Err(ApiError::BadRequestReason {
            message: "The destination cannot be inside the source folder.".into(),
            reason: "INVALID_DESTINATION".into(),
        });
    }
    if !app.store.read().folder_exists(&source) {
        return Err(ApiError::NotFoundReason {
            message: format!(
                "No files & folder found at sourceFolderPath {}",
                source.trim_end_matches('/')
            ),
            reason: "NO_FILES_FOLDER".into(),
        });
    }
    Ok((source, target))
}

fn delays(app: &App) -> jobs::Delays {
    jobs::Delays {
        job: app.config.job_delay,
        purge: app.config.purge_delay,
    }
}

async fn submit(app: Arc<App>, body: FolderJobBody, kind: Kind) -> ApiResult<Json<Value>> {
    let (source, target) = plan(&body, &app, kind)?;
    let all_versions = body
        .include_file_versions
        .or(body.include_versions)
        .unwrap_or(false);
    let id = match kind {
        Kind::Copy => {
            jobs::spawn_job(
                &app.store,
                delays(&app),
                "COPY_FOLDER",
                JobWork::Copy {
                    source,
                    target,
                    all_versions,
                },
                None,
            )
            .await?
        }
        Kind::Move => {
            let work = JobWork::Move { source, target };
            jobs::spawn_job(&app.store, delays(&app), "MOVE_FOLDER", work, None).await?
        }
    };
    Ok(Json(json!({ "jobId": id })))
}

pub async fn copy_folder(
    State(app): State<Arc<App>>,
    JsonBody(body): JsonBody<FolderJobBody>,
) -> ApiResult<Json<Value>> {
    submit(app, body, Kind::Copy).await
}

pub async fn move_folder(
    State(app): State<Arc<App>>,
    JsonBody(body): JsonBody<FolderJobBody>,
) -> ApiResult<Json<Value>> {
    submit(app, body, Kind::Move).await
}

/// A new folder name as renameFolder keeps it: letters, marks and numerals
/// of any script and `-` survive, every other character becomes `_`.
pub fn sanitize_new_folder_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || is_combining_mark(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The combining-mark blocks (`is_alphanumeric` already covers the marks
/// Unicode counts as alphabetic, such as most Indic vowel signs).
fn is_combining_mark(c: char) -> bool {
    matches!(
        u32::from(c),
        0x0300..=0x036F
            | 0x0483..=0x0489
            | 0x0591..=0x05BD
            | 0x0610..=0x061A
            | 0x064B..=0x065F
            | 0x0900..=0x0903
            | 0x093A..=0x094F
            | 0x1AB0..=0x1AFF
            | 0x1DC0..=0x1DFF
            | 0x20D0..=0x20FF
            | 0x3099..=0x309A
            | 0xFE00..=0xFE0F
            | 0xFE20..=0xFE2F
    )
}

/// `POST /v1/bulkJobs/renameFolder`: `{folderPath, newFolderName, purgeCache?}`.
pub async fn rename_folder(
    State(app): State<Arc<App>>,
    JsonObject(body): JsonObject,
) -> ApiResult<Json<Value>> {
    let source = match body.get("folderPath") {
        Some(Value::String(s)) if !s.trim().is_empty() => normalize_folder(s),
        _ => {
            return Err(ApiError::bad_request(
                "Invalid folderPath value. It should be a string like '/path/to/folder'",
            ))
        }
    };
    let new_name = match body.get("newFolderName") {
        Some(Value::String(s)) if !s.trim().is_empty() => sanitize_new_folder_name(s.trim()),
        _ => {
            return Err(ApiError::bad_request(
                "Invalid newFolderName value. It should be a non-empty string.",
            ))
        }
    };
    let purge_cache = match body.get("purgeCache") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            return Err(ApiError::bad_request(
                "Invalid purgeCache value. It should be a boolean.",
            ))
        }
    };
    if source == "/" {
        return Err(ApiError::bad_request("The root folder cannot be renamed."));
    }
    let parent = parent_folder(&source);
    let target = format!("{parent}{new_name}/");
    {
        let state = app.store.read();
        if !state.folder_exists(&source) {
            return Err(ApiError::NotFoundReason {
                message: format!(
                    "No files & folder found at sourceFolderPath {}",
                    source.trim_end_matches('/')
                ),
                reason: "NO_FILES_FOLDER".into(),
            });
        }
        let taken = state.folder_exists(&target)
            || state.paths.contains_key(&format!("{parent}{new_name}"));
        if target != source && taken {
            return Err(ApiError::Conflict {
                message: format!(
                    "A folder or file named {new_name} already exists in {}.",
                    parent
                ),
                reason: "FOLDER_ALREADY_EXISTS".into(),
            });
        }
    }
    let purge_url = purge_cache.then(|| {
        let old = encode_path(source.trim_end_matches('/'));
        format!("{}{old}*", app.url_endpoint)
    });
    let id = jobs::spawn_job(
        &app.store,
        delays(&app),
        "RENAME_FOLDER",
        JobWork::Move { source, target },
        purge_url,
    )
    .await?;
    Ok(Json(json!({ "jobId": id })))
}

pub async fn status(
    State(app): State<Arc<App>>,
    Path(job_id): Path<String>,
) -> ApiResult<Json<Value>> {
    let state = app.store.read();
    let job = state
        .jobs
        .get(&job_id)
        .ok_or_else(|| ApiError::not_found("No bulk job found with this jobId."))?;
    let mut answer = json!({
        "jobId": job.id,
        "type": job.kind,
        "status": match (job.completed, &job.failure) {
            (true, _) => "Completed",
            (false, Some(_)) => "Failed",
            (false, None) => "Pending",
        },
    });
    if let Some(reason) = &job.failure {
        answer["reason"] = json!(reason);
    }
    if let Some(purge) = &job.purge_request_id {
        answer["purgeRequestId"] = json!(purge);
    }
    Ok(Json(answer))
}

/// The bulk job routes: copy, move and rename folder, and a job's status.
pub fn router() -> Router<Arc<App>> {
    Router::new()
        .route("/v1/bulkJobs/copyFolder", routing::post(copy_folder))
        .route("/v1/bulkJobs/moveFolder", routing::post(move_folder))
        .route("/v1/bulkJobs/renameFolder", routing::post(rename_folder))
        .route("/v1/bulkJobs/{job_id}", routing::get(status))
}
