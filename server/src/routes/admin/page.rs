//! `GET /__admin/`: the media library as a web page (folders, files with
//! thumbnails from the server's own delivery, a file's details and versions,
//! the custom metadata fields, the recent requests, the webhook deliveries,
//! the fault rules and rate limit), and the read-only JSON it is drawn from. One static HTML file, no
//! build step and no framework; behind the admin guard like the rest of
//! `/__admin`.

use std::sync::Arc;

use crate::routes::extract::Path;
use axum::extract::State;
use axum::response::{Html, IntoResponse};
use axum::Json;
use serde::Serialize;
use serde_json::Value;

use crate::app::App;
use crate::auth::hmac_sha1_hex;
use crate::library::folders;
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

/// A file as a row of the page's folder view.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Summary<'a> {
    file_id: &'a str,
    name: &'a str,
    file_path: String,
    size: u64,
    mime: &'a str,
    width: Option<u32>,
    height: Option<u32>,
    is_private_file: bool,
    is_published: bool,
    tags: &'a [String],
    versions: usize,
    url: String,
    thumbnail: Option<String>,
}

fn summary<'a>(app: &App, file: &'a FileRecord) -> Option<Summary<'a>> {
    let version = file.current_version()?;
    Some(Summary {
        file_id: &file.id,
        name: &file.name,
        file_path: file.path(),
        size: version.size,
        mime: &version.mime,
        width: version.image.as_ref().map(|i| i.width),
        height: version.image.as_ref().map(|i| i.height),
        is_private_file: version.is_private,
        is_published: version.is_published,
        tags: &version.tags,
        versions: file.versions.len(),
        url: viewable(app, version, file_url(app, file, version, false)),
        thumbnail: version
            .image
            .as_ref()
            .map(|_| viewable(app, version, file_url(app, file, version, true))),
    })
}

#[derive(Serialize)]
struct FolderLink<'a> {
    name: Option<&'a str>,
    path: &'a str,
    /// Files anywhere below it.
    files: usize,
}

/// A folder's page: its subfolders and files.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FolderPage<'a> {
    folder: &'a str,
    folders: Vec<FolderLink<'a>>,
    files: Vec<Summary<'a>>,
    /// Files anywhere below this folder.
    files_below: usize,
    total_files: usize,
    stored_bytes: u64,
}

/// `GET /__admin/library?folder=/a/`: the folder's subfolders and files.
pub async fn library(State(app): State<Arc<App>>, q: QueryMap) -> Json<Value> {
    let folder = normalize_folder(q.get("folder").unwrap_or("/"));
    let state = app.store.read();
    let children = folders::children(&state, &folder);
    let page = FolderPage {
        folder: &folder,
        folders: children
            .folders
            .iter()
            .map(|(p, files)| FolderLink {
                name: p.trim_end_matches('/').rsplit('/').next(),
                path: p,
                files: *files,
            })
            .collect(),
        files: children
            .files
            .iter()
            .filter_map(|f| summary(&app, f))
            .collect(),
        files_below: children.files_below(),
        total_files: state.files.len(),
        stored_bytes: state.stored_bytes(),
    };
    Json(to_json(page))
}

fn to_json(view: impl Serialize) -> Value {
    serde_json::to_value(view).unwrap_or(Value::Null)
}

/// A version, as the page lists them.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VersionRow<'a> {
    version_id: &'a str,
    name: String,
    current: bool,
    size: u64,
    url: String,
}

#[derive(Serialize)]
struct FilePage<'a> {
    summary: Option<Summary<'a>>,
    details: FileObject<'a>,
    versions: Vec<VersionRow<'a>>,
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
    let page = FilePage {
        summary: summary(&app, file),
        details: FileObject::new(&app, file, current),
        versions: versions
            .iter()
            .map(|v| VersionRow {
                version_id: &v.id,
                name: format!("Version {}", v.number),
                current: v.id == file.current,
                size: v.size,
                url: viewable(&app, v, file_url(&app, file, v, false)),
            })
            .collect(),
    };
    Ok(Json(to_json(page)))
}

/// `GET /__admin/custom-metadata-fields`: every field, deleted ones included.
pub async fn custom_metadata_fields(State(app): State<Arc<App>>) -> Json<Value> {
    #[derive(Serialize)]
    struct Fields<'a> {
        fields: Vec<CustomFieldView<'a>>,
    }
    let state = app.store.read();
    Json(to_json(Fields {
        fields: state
            .custom_metadata_fields
            .iter()
            .map(CustomFieldView::with_deleted)
            .collect(),
    }))
}

/// `GET /__admin/requests`: the recent requests, newest first.
pub async fn requests(State(app): State<Arc<App>>) -> Json<Value> {
    #[derive(Serialize)]
    struct Requests<T> {
        requests: T,
    }
    Json(to_json(Requests {
        requests: app.requests.recent(),
    }))
}
