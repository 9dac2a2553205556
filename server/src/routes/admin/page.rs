//! `GET /__admin/`: the media library as a web page (folders, files with
//! thumbnails from the server's own delivery, a file's details and versions,
//! the custom metadata fields, the recent requests, the fault rules and rate
//! limit), and the read-only JSON it is drawn from. One static HTML file, no
//! build step and no framework; behind the admin guard like the rest of
//! `/__admin`.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::routes::extract::Path;
use axum::extract::State;
use axum::response::{Html, IntoResponse};
use axum::Json;
use serde_json::{json, Value};

use crate::app::App;
use crate::auth::hmac_sha1_hex;
use crate::paths::normalize_folder;
use crate::routes::error::{ApiError, ApiResult};
use crate::routes::extract::QueryMap;
use crate::routes::views::{file_url, CustomFieldView, FileObject};
use crate::storage::{FileRecord, Version};

const PAGE: &str = include_str!("page.html");

pub async fn page() -> impl IntoResponse {
    Html(PAGE)
}

/// A delivery URL the page can load: signed (never expiring) for a private file.
fn viewable(app: &App, version: &Version, url: String) -> String {
    if !version.is_private {
        return url;
    }
    let rest = url
        .strip_prefix(&format!("{}/", app.url_endpoint))
        .unwrap_or(&url);
    let signature = hmac_sha1_hex(&app.config.private_key, &format!("{rest}9999999999"));
    let joiner = if url.contains('?') { '&' } else { '?' };
    format!("{url}{joiner}ik-s={signature}")
}

fn summary(app: &App, file: &FileRecord) -> Option<Value> {
    let version = file.current_version()?;
    let thumbnail = version
        .image
        .as_ref()
        .map(|_| viewable(app, version, file_url(app, file, version, true)));
    Some(json!({
        "fileId": file.id,
        "name": file.name,
        "filePath": file.path(),
        "size": version.size,
        "mime": version.mime,
        "width": version.image.as_ref().map(|i| i.width),
        "height": version.image.as_ref().map(|i| i.height),
        "isPrivateFile": version.is_private,
        "isPublished": version.is_published,
        "tags": version.tags,
        "versions": file.versions.len(),
        "url": viewable(app, version, file_url(app, file, version, false)),
        "thumbnail": thumbnail,
    }))
}

/// `GET /__admin/library?folder=/a/`: the folder's subfolders and files.
pub async fn library(State(app): State<Arc<App>>, q: QueryMap) -> Json<Value> {
    let folder = normalize_folder(q.get("folder").unwrap_or("/"));
    let state = app.store.read();
    let child = |path: &str| -> Option<String> {
        let rest = path.strip_prefix(folder.as_str())?;
        let name = rest.split('/').next().filter(|n| !n.is_empty())?;
        Some(format!("{folder}{name}/"))
    };
    let folders: BTreeSet<String> = state
        .folders
        .keys()
        .filter_map(|p| child(p))
        .chain(state.files.values().filter_map(|f| child(&f.folder)))
        .collect();
    let mut files: Vec<&FileRecord> = state
        .files
        .values()
        .filter(|f| f.folder == folder)
        .collect();
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Json(json!({
        "folder": folder,
        "folders": folders
            .iter()
            .map(|p| json!({ "name": p.trim_end_matches('/').rsplit('/').next(), "path": p }))
            .collect::<Vec<_>>(),
        "files": files.iter().filter_map(|f| summary(&app, f)).collect::<Vec<_>>(),
        "totalFiles": state.files.len(),
        "storedBytes": state.stored_bytes(),
    }))
}

/// `GET /__admin/files/{id}`: the file as the media API shows it, and its versions.
pub async fn file(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let state = app.store.read();
    let file = state.files.get(&id).ok_or_else(ApiError::file_not_found)?;
    let current = file
        .current_version()
        .ok_or_else(ApiError::file_not_found)?;
    let mut versions: Vec<&Version> = file.versions.iter().collect();
    versions.sort_by_key(|v| std::cmp::Reverse(v.number));
    Ok(Json(json!({
        "summary": summary(&app, file),
        "details": FileObject::new(&app, file, current),
        "versions": versions
            .iter()
            .map(|v| json!({
                "versionId": v.id,
                "name": format!("Version {}", v.number),
                "current": v.id == file.current,
                "size": v.size,
                "url": viewable(&app, v, file_url(&app, file, v, false)),
            }))
            .collect::<Vec<_>>(),
    })))
}

/// `GET /__admin/custom-metadata-fields`: every field, deleted ones included.
pub async fn custom_metadata_fields(State(app): State<Arc<App>>) -> Json<Value> {
    let state = app.store.read();
    Json(json!({
        "fields": state
            .custom_fields
            .iter()
            .map(CustomFieldView::with_deleted)
            .collect::<Vec<_>>(),
    }))
}

/// `GET /__admin/requests`: the recent requests, newest first.
pub async fn requests(State(app): State<Arc<App>>) -> Json<Value> {
    Json(json!({ "requests": app.requests.recent() }))
}
