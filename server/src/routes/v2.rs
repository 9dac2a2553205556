//! The media API's `/v2` routes for files, folders and bulk jobs.
//!
//! ImageKit answers these under `https://api.imagekit.io/v2` as under `/v1`:
//! rclone's imagekit backend (`backend/imagekit/client/`, rclone v1.75) is a
//! client of them and reads the same shapes as v1's (its `File`, `Folder`,
//! `JobIDResponse` and `JobStatus` structs mirror v1's FileObject, folder
//! object and bulk job answers), so each v2 route is served by the v1
//! handler, but for two differences:
//!
//! * A new folder's name keeps what v2 keeps of names (`paths_v2`: spaces
//!   and most punctuation), as uploads to v2 do.
//! * rclone's client (`MoveFolder`) moves a folder with
//!   `PUT bulkJobs/moveFolder` where v1 documents `POST`, so both are taken.
//!   (rclone's backend never calls it, nor `BulkJobStatus`, and it joins that
//!   path to the root without a `/`.)
//!
//! The upload API's v2 route lives with the upload (`upload::v2`).

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};

use crate::app::App;
use crate::paths_v2;
use crate::routes::error::ApiResult;
use crate::routes::extract::JsonBody;
use crate::routes::folders::Created;
use crate::routes::{bulk_jobs, files, folders};

/// `POST /v2/folder`: v1's folder creation (the same body, checks, errors
/// and answer), with the name kept as v2 keeps names (`paths_v2`).
pub async fn create_folder(
    State(app): State<Arc<App>>,
    JsonBody(body): JsonBody<folders::CreateBody>,
) -> ApiResult<(StatusCode, Json<Created>)> {
    folders::create_named(&app, body, paths_v2::name).await
}

/// The v2 files, folder and bulk job routes (behind the private key and the
/// rate limit, as the v1 media routes).
pub fn router() -> Router<Arc<App>> {
    Router::new()
        // Files: list and search (rclone: GET /files with path, skip,
        // limit and searchQuery), details, versions, metadata, tags,
        // deletes (rclone: DELETE /files/{id}), copy, move and rename.
        .route("/v2/files", get(files::list))
        .route("/v2/files/", get(files::list))
        .route("/v2/files/{id}", delete(files::delete))
        .route(
            "/v2/files/{id}/details",
            get(files::details).patch(files::update_details),
        )
        .route("/v2/files/{id}/versions", get(files::versions))
        .route(
            "/v2/files/{id}/versions/{version_id}",
            get(files::version_details).delete(files::delete_version),
        )
        .route(
            "/v2/files/{id}/versions/{version_id}/restore",
            put(files::restore_version),
        )
        .route("/v2/files/{id}/metadata", get(files::metadata))
        .route("/v2/metadata", get(files::remote_metadata))
        .route("/v2/files/addTags", post(files::add_tags))
        .route("/v2/files/removeTags", post(files::remove_tags))
        .route("/v2/files/removeAITags", post(files::remove_ai_tags))
        .route("/v2/files/batch/deleteByFileIds", post(files::bulk_delete))
        .route("/v2/files/copy", post(files::copy))
        .route("/v2/files/move", post(files::move_file))
        .route("/v2/files/rename", put(files::rename))
        // Folders (rclone: POST and DELETE /folder).
        .route("/v2/folder", post(create_folder).delete(folders::delete))
        // Bulk jobs (rclone's client: PUT bulkJobs/moveFolder, GET
        // bulkJobs/{jobId}).
        .route("/v2/bulkJobs/copyFolder", post(bulk_jobs::copy_folder))
        .route(
            "/v2/bulkJobs/moveFolder",
            post(bulk_jobs::move_folder).put(bulk_jobs::move_folder),
        )
        .route("/v2/bulkJobs/renameFolder", post(bulk_jobs::rename_folder))
        .route("/v2/bulkJobs/{job_id}", get(bulk_jobs::status))
}
