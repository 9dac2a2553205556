//! Copy and move folder, run as bulk jobs: the request answers with a job id
//! at once, the work happens after the configured delay, and the job status
//! moves from Pending to Completed when it is done.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::{ApiError, ApiResult};
use crate::extract::JsonBody;
use crate::files::{duplicate_versions, ordered_versions, place_versions, relocate};
use crate::ids::new_id;
use crate::paths::{folder_name, normalize_folder};
use crate::server::App;
use crate::storage::{BulkJob, Version};
use crate::timestamp::now_ms;

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

/// A file to copy: destination folder, name, versions.
type PlannedCopy = (String, String, Vec<Version>);

async fn run_copy(app: &App, source: &str, target: &str, all_versions: bool) -> ApiResult<()> {
    let now = now_ms();
    let (folders, files): (Vec<String>, Vec<PlannedCopy>) = {
        let state = app.store.read();
        let folders = state
            .folders
            .keys()
            .filter(|p| p.starts_with(source))
            .map(|p| format!("{target}{}", &p[source.len()..]))
            .collect();
        let files = state
            .files
            .values()
            .filter(|f| f.folder.starts_with(source))
            .map(|f| {
                (
                    format!("{target}{}", &f.folder[source.len()..]),
                    f.name.clone(),
                    ordered_versions(f, all_versions),
                )
            })
            .collect();
        (folders, files)
    };
    let mut copies = Vec::with_capacity(files.len());
    for (folder, name, versions) in files {
        copies.push((folder, name, duplicate_versions(app, versions, now).await?));
    }
    {
        let mut state = app.store.write();
        state.ensure_folders(target, now);
        for folder in folders {
            state.ensure_folders(&folder, now);
        }
        for (folder, name, versions) in copies {
            place_versions(&mut state, &folder, &name, versions, now);
        }
    }
    app.store.changed();
    Ok(())
}

fn run_move(app: &App, source: &str, target: &str) {
    if source == target {
        return;
    }
    let now = now_ms();
    {
        let mut state = app.store.write();
        let folders: Vec<String> = state
            .folders
            .keys()
            .filter(|p| p.starts_with(source))
            .cloned()
            .collect();
        let files: Vec<(String, String, String)> = state
            .files
            .values()
            .filter(|f| f.folder.starts_with(source))
            .map(|f| {
                (
                    f.id.clone(),
                    format!("{target}{}", &f.folder[source.len()..]),
                    f.name.clone(),
                )
            })
            .collect();
        state.ensure_folders(target, now);
        for folder in &folders {
            state.ensure_folders(&format!("{target}{}", &folder[source.len()..]), now);
        }
        for (id, folder, name) in files {
            relocate(&mut state, &id, &folder, &name, now);
        }
        state.folders.retain(|p, _| !p.starts_with(source));
    }
    app.store.changed();
}

async fn submit(app: Arc<App>, body: FolderJobBody, kind: Kind) -> ApiResult<Json<Value>> {
    let (source, target) = plan(&body, &app, kind)?;
    let all_versions = body
        .include_file_versions
        .or(body.include_versions)
        .unwrap_or(false);
    let id = new_id();
    let kind_name = match kind {
        Kind::Copy => "COPY_FOLDER",
        Kind::Move => "MOVE_FOLDER",
    };
    app.store.write().jobs.insert(
        id.clone(),
        BulkJob {
            id: id.clone(),
            kind: kind_name.into(),
            completed: false,
        },
    );
    app.store.changed();
    let job_id = id.clone();
    tokio::spawn(async move {
        tokio::time::sleep(app.config.job_delay).await;
        let outcome = match kind {
            Kind::Copy => run_copy(&app, &source, &target, all_versions).await,
            Kind::Move => {
                run_move(&app, &source, &target);
                Ok(())
            }
        };
        if let Err(e) = outcome {
            eprintln!("imagekit-local-server: bulk job {job_id} failed: {e}");
        }
        if let Some(job) = app.store.write().jobs.get_mut(&job_id) {
            job.completed = true;
        }
        app.store.changed();
    });
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

pub async fn status(
    State(app): State<Arc<App>>,
    Path(job_id): Path<String>,
) -> ApiResult<Json<Value>> {
    let state = app.store.read();
    let job = state
        .jobs
        .get(&job_id)
        .ok_or_else(|| ApiError::not_found("No bulk job found with this jobId."))?;
    Ok(Json(json!({
        "jobId": job.id,
        "type": job.kind,
        "status": if job.completed { "Completed" } else { "Pending" },
    })))
}
