//! Copy, move and rename folder, run as bulk jobs: the request answers with a
//! job id at once, the work happens after the configured delay, and the job
//! status moves from Pending to Completed when it is done, or to Failed (with
//! its reason) when it cannot be. A job records its work, and marks itself
//! done in the same state change that does the work, so a job pending at
//! shutdown resumes after a restart with `--data-dir`, and runs once.

use std::sync::Arc;

use crate::routes::extract::Path;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::app::App;
use crate::library::jobs::{self, FolderJob};
use crate::paths::{encode_path, normalize_folder};
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

/// The folder and destination of a copy or move, normalised.
fn paths(body: &FolderJobBody) -> ApiResult<(String, String)> {
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
    Ok((source, destination))
}

/// `{"jobId": …}`, the answer to a job's submission.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Submitted {
    job_id: String,
}

/// A job's status.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobStatus<'a> {
    job_id: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    purge_request_id: Option<&'a str>,
}

fn delays(app: &App) -> jobs::Delays {
    jobs::Delays {
        job: app.config.job_delay,
        purge: app.config.purge_delay,
    }
}

async fn submit(app: Arc<App>, body: FolderJobBody, job: FolderJob) -> ApiResult<Json<Submitted>> {
    let (source, destination) = paths(&body)?;
    let target = jobs::plan_folder_job(&app.store.read(), &source, &destination, job)?;
    let all_versions = body
        .include_file_versions
        .or(body.include_versions)
        .unwrap_or(false);
    let id = match job {
        FolderJob::Copy => {
            jobs::spawn_job(
                &app.store,
                &app.events,
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
        FolderJob::Move => {
            let work = JobWork::Move { source, target };
            jobs::spawn_job(
                &app.store,
                &app.events,
                delays(&app),
                "MOVE_FOLDER",
                work,
                None,
            )
            .await?
        }
    };
    Ok(Json(Submitted { job_id: id }))
}

pub async fn copy_folder(
    State(app): State<Arc<App>>,
    JsonBody(body): JsonBody<FolderJobBody>,
) -> ApiResult<Json<Submitted>> {
    submit(app, body, FolderJob::Copy).await
}

pub async fn move_folder(
    State(app): State<Arc<App>>,
    JsonBody(body): JsonBody<FolderJobBody>,
) -> ApiResult<Json<Submitted>> {
    submit(app, body, FolderJob::Move).await
}

/// `POST /v1/bulkJobs/renameFolder`: `{folderPath, newFolderName, purgeCache?}`.
pub async fn rename_folder(
    State(app): State<Arc<App>>,
    JsonObject(body): JsonObject,
) -> ApiResult<Json<Submitted>> {
    let source = match body.get("folderPath") {
        Some(Value::String(s)) if !s.trim().is_empty() => normalize_folder(s),
        _ => {
            return Err(ApiError::bad_request(
                "Invalid folderPath value. It should be a string like '/path/to/folder'",
            ))
        }
    };
    let new_name = match body.get("newFolderName") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim(),
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
    let target = jobs::plan_rename(&app.store.read(), &source, new_name)?;
    let purge_url = purge_cache.then(|| {
        let old = encode_path(source.trim_end_matches('/'));
        format!("{}{old}*", app.url_endpoint)
    });
    let id = jobs::spawn_job(
        &app.store,
        &app.events,
        delays(&app),
        "RENAME_FOLDER",
        JobWork::Move { source, target },
        purge_url,
    )
    .await?;
    Ok(Json(Submitted { job_id: id }))
}

pub async fn status(
    State(app): State<Arc<App>>,
    Path(job_id): Path<String>,
) -> ApiResult<Response> {
    let state = app.store.read();
    let job = state
        .jobs
        .get(&job_id)
        .ok_or_else(|| ApiError::not_found("No bulk job found with this jobId."))?;
    Ok(Json(JobStatus {
        job_id: &job.id,
        kind: &job.kind,
        status: match (job.completed, &job.failure) {
            (true, _) => "Completed",
            (false, Some(_)) => "Failed",
            (false, None) => "Pending",
        },
        reason: job.failure.as_deref(),
        purge_request_id: job.purge_request_id.as_deref(),
    })
    .into_response())
}

/// The bulk job routes: copy, move and rename folder, and a job's status.
pub fn router() -> Router<Arc<App>> {
    Router::new()
        .route("/v1/bulkJobs/copyFolder", routing::post(copy_folder))
        .route("/v1/bulkJobs/moveFolder", routing::post(move_folder))
        .route("/v1/bulkJobs/renameFolder", routing::post(rename_folder))
        .route("/v1/bulkJobs/{job_id}", routing::get(status))
}
