//! The folder routes: creation and recursive deletion (see `library::folders`).

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::app::App;
use crate::library;
use crate::paths::{normalize_folder, sanitize_folder_name};
use crate::routes::error::{ApiError, ApiResult};
use crate::routes::extract::JsonBody;
use axum::routing;
use axum::Router;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateBody {
    folder_name: Option<String>,
    parent_folder_path: Option<String>,
}

pub async fn create(
    State(app): State<Arc<App>>,
    JsonBody(body): JsonBody<CreateBody>,
) -> ApiResult<(StatusCode, Json<Created>)> {
    create_named(&app, body, sanitize_folder_name).await
}

/// Creates the folder the body names, its name kept as `name_rule` keeps it.
pub async fn create_named(
    app: &App,
    body: CreateBody,
    name_rule: fn(&str) -> String,
) -> ApiResult<(StatusCode, Json<Created>)> {
    let name = body
        .folder_name
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(name_rule)
        .ok_or_else(|| ApiError::bad_request("Invalid folderName value"))?;
    let parent = body
        .parent_folder_path
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(normalize_folder)
        .ok_or_else(|| {
            ApiError::bad_request(
                "Invalid parentFolderPath value. It should be a string like '/path/to/folder'",
            )
        })?;
    library::folders::create(&app.store, &parent, &name).await?;
    Ok((StatusCode::CREATED, Json(Created {})))
}

/// A folder's creation answers `{}`.
#[derive(Serialize)]
pub struct Created {}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteBody {
    folder_path: Option<String>,
}

pub async fn delete(
    State(app): State<Arc<App>>,
    JsonBody(body): JsonBody<DeleteBody>,
) -> ApiResult<StatusCode> {
    let folder = body
        .folder_path
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(normalize_folder)
        .filter(|f| f != "/")
        .ok_or_else(|| {
            ApiError::bad_request(
                "Invalid folderPath value. It should be a string like '/path/to/folder'",
            )
        })?;
    library::folders::delete(&app.store, &app.events, &folder).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The folder routes.
pub fn router() -> Router<Arc<App>> {
    Router::new().route("/v1/folder", routing::post(create).delete(delete))
}
