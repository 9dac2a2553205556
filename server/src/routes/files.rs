//! The file endpoints of the media API: list/search, details, versions,
//! metadata, tags, delete, copy, move and rename.

use std::sync::Arc;

use crate::routes::extract::Path;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use bytes::Bytes;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::app::App;
use crate::fetch;
use crate::imaging::{self, MAX_DECODE_BYTES};
use crate::library::error::LibraryError;
use crate::library::files::{self, version_not_found, SortKey, TagChange};
use crate::library::search_query::{self, Candidate};
use crate::library::{extension_status, validate_coordinates, validate_tags};
use crate::paths::{encode_path, normalize_folder, sanitize_file_name, split_file_path};
use crate::routes::error::{ApiError, ApiResult};
use crate::routes::extract::{parse_bool, Field, JsonBody, JsonFields, QueryMap};
use crate::routes::views::{FileObject, FolderObject, JsonView, ListedObject};
use crate::timestamp::now_ms;
use axum::routing;
use axum::Router;

fn current_object(app: &App, id: &str) -> ApiResult<JsonView> {
    let state = app.store.read();
    let file = state.files.get(id).ok_or_else(ApiError::file_not_found)?;
    let version = file
        .current_version()
        .ok_or_else(ApiError::file_not_found)?;
    Ok(JsonView::of(&FileObject::new(app, file, version)))
}

// ---------------------------------------------------------------- list

fn parse_sort(sort: &str) -> ApiResult<(SortKey, bool)> {
    let (dir, key) = sort
        .split_once('_')
        .ok_or_else(|| ApiError::bad_request(format!("Invalid sort value: {sort}")))?;
    let descending = match dir {
        "ASC" => false,
        "DESC" => true,
        _ => return Err(ApiError::bad_request(format!("Invalid sort value: {sort}"))),
    };
    let key = match key {
        "NAME" => SortKey::Name,
        "CREATED" => SortKey::Created,
        "UPDATED" => SortKey::Updated,
        "HEIGHT" => SortKey::Height,
        "WIDTH" => SortKey::Width,
        "SIZE" => SortKey::Size,
        "RELEVANCE" => SortKey::Relevance,
        _ => return Err(ApiError::bad_request(format!("Invalid sort value: {sort}"))),
    };
    Ok((key, descending))
}

fn parse_count(
    q: &QueryMap,
    name: &str,
    default: usize,
    min: usize,
    max: usize,
) -> ApiResult<usize> {
    match q.get(name) {
        None | Some("") => Ok(default),
        Some(raw) => raw
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| (min..=max).contains(n))
            .ok_or_else(|| {
                ApiError::bad_request(format!(
                    "Invalid {name} value: it should be between {min} and {max}."
                ))
            }),
    }
}

pub async fn list(State(app): State<Arc<App>>, q: QueryMap) -> ApiResult<JsonView> {
    let limit = parse_count(&q, "limit", 1000, 1, 1000)?;
    let skip = parse_count(&q, "skip", 0, 0, usize::MAX)?;
    let (sort_key, descending) = parse_sort(
        q.get("sort")
            .filter(|s| !s.is_empty())
            .unwrap_or("ASC_CREATED"),
    )?;
    let file_type = q.get("fileType").filter(|s| !s.is_empty()).unwrap_or("all");
    if !["all", "image", "non-image"].contains(&file_type) {
        return Err(ApiError::bad_request(format!(
            "Invalid fileType value: {file_type}. It should be all, image or non-image."
        )));
    }
    let search = match q.get("searchQuery").filter(|s| !s.trim().is_empty()) {
        Some(text) => Some(search_query::parse(text, now_ms()).map_err(|e| {
            ApiError::bad_request(format!(
                "Your request contains invalid syntax for the searchQuery parameter: {e}"
            ))
        })?),
        None => None,
    };
    let include_folder = match q.get("includeFolder") {
        Some(v) if !v.is_empty() => parse_bool("includeFolder", v)?,
        _ => false,
    };
    // With a searchQuery, tags/type/name have no effect (ImageKit documents this).
    let item_type = match (&search, q.get("type").filter(|s| !s.is_empty())) {
        (Some(query), _) if query.mentions_type() => "any",
        // Files only, unless folders are asked for explicitly.
        (Some(_), _) if include_folder => "all",
        (Some(_), _) => "file",
        (None, Some(t)) => t,
        (None, None) if include_folder => "all",
        (None, None) => "file",
    };
    if !["file", "file-version", "folder", "all", "any"].contains(&item_type) {
        return Err(ApiError::bad_request(format!(
            "Invalid type value: {item_type}. It should be file, file-version, folder or all."
        )));
    }
    let tags: Vec<String> = match (&search, q.get("tags")) {
        (None, Some(t)) => t
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(String::from)
            .collect(),
        _ => Vec::new(),
    };
    let name = if search.is_none() {
        q.get("name").filter(|s| !s.is_empty())
    } else {
        None
    };
    let folder = q
        .get("path")
        .filter(|s| !s.is_empty())
        .map(normalize_folder);

    let listing = files::Listing {
        limit,
        skip,
        sort_key,
        descending,
        file_type: file_type.to_string(),
        item_type: item_type.to_string(),
        search,
        tags,
        name: name.map(String::from),
        folder,
    };
    let state = app.store.read();
    let items: Vec<ListedObject> = files::list(&state, &listing)
        .iter()
        .map(|candidate| match candidate {
            Candidate::File { file, version, .. } => {
                ListedObject::File(Box::new(FileObject::new(&app, file, version)))
            }
            Candidate::Folder(f) => ListedObject::Folder(FolderObject::new(f)),
        })
        .collect();
    Ok(JsonView::of(&items))
}

// ---------------------------------------------------------------- details

pub async fn details(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult<JsonView> {
    current_object(&app, &id)
}

fn string_array(value: &Value, message: &str) -> ApiResult<Vec<String>> {
    let items = value
        .as_array()
        .ok_or_else(|| ApiError::bad_request(message))?;
    items
        .iter()
        .map(|v| {
            v.as_str()
                .map(String::from)
                .ok_or_else(|| ApiError::bad_request(message))
        })
        .collect()
}

/// `PATCH /v1/files/{id}/details`: either `publish` alone, or the details.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DetailsBody {
    #[serde(default)]
    publish: Field,
    #[serde(default)]
    tags: Field,
    #[serde(default)]
    custom_coordinates: Field,
    #[serde(default, rename = "removeAITags")]
    remove_ai_tags: Field,
    #[serde(default)]
    extensions: Field,
    #[serde(default)]
    webhook_url: Field,
    #[serde(default)]
    custom_metadata: Field,
    #[serde(default)]
    description: Field,
    /// Any other key: with `publish`, nothing else may be given.
    #[serde(flatten)]
    other: Map<String, Value>,
}

impl DetailsBody {
    /// Whether anything but `publish` has a value.
    fn has_details(&self) -> bool {
        [
            &self.tags,
            &self.custom_coordinates,
            &self.remove_ai_tags,
            &self.extensions,
            &self.webhook_url,
            &self.custom_metadata,
            &self.description,
        ]
        .iter()
        .any(|f| !f.is_empty())
            || self.other.values().any(|v| !v.is_null())
    }
}

pub async fn update_details(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    JsonFields(body): JsonFields<DetailsBody>,
) -> ApiResult<JsonView> {
    let now = now_ms();
    if let Some(publish) = body.publish.value() {
        if body.has_details() {
            return Err(ApiError::bad_request(
                "Your request cannot contain any other parameters when publish is present.",
            ));
        }
        let is_published = publish
            .get("isPublished")
            .and_then(Value::as_bool)
            .ok_or_else(|| {
                ApiError::bad_request("Invalid publish parameter: isPublished must be a boolean.")
            })?;
        let all_versions = publish
            .get("includeFileVersions")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        files::set_published(
            &app.store,
            &app.events,
            &id,
            is_published,
            all_versions,
            now,
        )
        .await?;
        return current_object(&app, &id);
    }

    let tags = match &body.tags {
        Field::Absent => None,
        Field::Null => Some(Vec::new()),
        Field::Value(v) => {
            let tags = string_array(
                v,
                "Invalid tags parameter. It should be null or an array of strings.",
            )?;
            validate_tags(&tags)?;
            Some(tags)
        }
    };
    let coordinates = match &body.custom_coordinates {
        Field::Absent => None,
        Field::Null => Some(None),
        Field::Value(Value::String(s)) => {
            validate_coordinates(s)?;
            Some(Some(s.clone()))
        }
        Field::Value(_) => {
            return Err(ApiError::bad_request(
                "Invalid customCoordinates parameter. It should be null or a string like 'x,y,width,height'.",
            ))
        }
    };
    let remove_ai_tags = match body.remove_ai_tags.value() {
        None => None,
        Some(Value::String(s)) if s == "all" => Some(None),
        Some(v) => Some(Some(string_array(
            v,
            "Invalid removeAITags parameter. It should be \"all\" or an array of strings.",
        )?)),
    };
    let extensions = match body.extensions.value() {
        None => None,
        Some(Value::Array(items)) => Some((items.clone(), extension_status(items)?)),
        Some(_) => {
            return Err(ApiError::bad_request(
                "Invalid extensions parameter. It should be an array.",
            ))
        }
    };
    let webhook_url = match body.webhook_url.value() {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            return Err(ApiError::bad_request(
                "Invalid webhookUrl parameter. It should be a string.",
            ))
        }
    };
    let metadata_patch = match body.custom_metadata.value() {
        None => None,
        Some(Value::Object(m)) => Some(m.clone()),
        Some(_) => {
            return Err(ApiError::bad_request(
                "Invalid customMetadata parameter. It should be an object.",
            ))
        }
    };
    let description = match body.description.value() {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            return Err(ApiError::bad_request(
                "Invalid description parameter. It should be a string.",
            ))
        }
    };

    let update = files::DetailsUpdate {
        tags,
        custom_coordinates: coordinates,
        remove_ai_tags,
        extensions,
        webhook_url,
        custom_metadata: metadata_patch,
        description,
    };
    files::update_details(&app.store, &app.events, &id, update, now).await?;
    current_object(&app, &id)
}

// ---------------------------------------------------------------- versions

pub async fn versions(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult<JsonView> {
    let state = app.store.read();
    let file = state.files.get(&id).ok_or_else(ApiError::file_not_found)?;
    let versions: Vec<FileObject> = file
        .versions
        .iter()
        .map(|v| FileObject::new(&app, file, v))
        .collect();
    Ok(JsonView::of(&versions))
}

pub async fn version_details(
    State(app): State<Arc<App>>,
    Path((id, version_id)): Path<(String, String)>,
) -> ApiResult<JsonView> {
    let state = app.store.read();
    let file = state.files.get(&id).ok_or_else(ApiError::file_not_found)?;
    let version = file.version(&version_id).ok_or_else(version_not_found)?;
    Ok(JsonView::of(&FileObject::new(&app, file, version)))
}

pub async fn delete_version(
    State(app): State<Arc<App>>,
    Path((id, version_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    files::delete_version(&app.store, &app.events, &id, &version_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn restore_version(
    State(app): State<Arc<App>>,
    Path((id, version_id)): Path<(String, String)>,
) -> ApiResult<JsonView> {
    files::restore_version(&app.store, &app.events, &id, &version_id, now_ms()).await?;
    current_object(&app, &id)
}

// ---------------------------------------------------------------- metadata

/// The bytes of a file's current version, if small enough to decode.
pub async fn current_bytes(app: &App, id: &str) -> ApiResult<Option<Bytes>> {
    let key = {
        let state = app.store.read();
        let file = state.files.get(id).ok_or_else(ApiError::file_not_found)?;
        file.current_version()
            .ok_or_else(ApiError::file_not_found)?
            .blob
            .clone()
    };
    let blob = app
        .store
        .blob(&key)
        .await
        .ok_or_else(ApiError::file_not_found)?;
    if blob.size() > MAX_DECODE_BYTES {
        return Ok(None);
    }
    blob.read_all().await.map(Some).map_err(ApiError::internal)
}

fn metadata_of(bytes: &[u8]) -> ApiResult<Json<Value>> {
    imaging::metadata(bytes).map(Json).ok_or_else(|| {
        ApiError::bad_request(
            "The requested file is not an image; metadata is only available for images.",
        )
    })
}

pub async fn metadata(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let bytes = current_bytes(&app, &id).await?.unwrap_or_default();
    imaging::blocking(move || metadata_of(&bytes))
        .await
        .map_err(ApiError::internal)?
}

/// Downloads a URL with a size cap (used by the metadata API).
pub async fn download(app: &App, url: &str, max: u64) -> ApiResult<Bytes> {
    let response = app.downloader.get(url).await?;
    let mut body = Vec::new();
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::bad_request(format!("Could not download {url}: {}", fetch::describe(&e)))
        })?;
        if (body.len() + chunk.len()) as u64 > max {
            return Err(ApiError::bad_request(format!(
                "The file at {url} is too large."
            )));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(body))
}

pub async fn remote_metadata(State(app): State<Arc<App>>, q: QueryMap) -> ApiResult<Json<Value>> {
    let url = q
        .get("url")
        .filter(|u| !u.trim().is_empty())
        .ok_or_else(|| ApiError::bad_request("Missing url parameter."))?
        .to_string();
    let bytes = download(&app, &url, MAX_DECODE_BYTES).await?;
    imaging::blocking(move || metadata_of(&bytes))
        .await
        .map_err(ApiError::internal)?
}

// ---------------------------------------------------------------- bulk tags

/// The bulk tag operations' body.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TagsBody {
    #[serde(default)]
    file_ids: Field,
    #[serde(default)]
    tags: Field,
    #[serde(default, rename = "AITags")]
    ai_tags: Field,
}

/// The bulk delete's body.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileIdsBody {
    #[serde(default)]
    file_ids: Field,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdatedFiles {
    successfully_updated_file_ids: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeletedFiles {
    successfully_deleted_file_ids: Vec<String>,
}

fn file_ids(field: &Field, max: usize) -> ApiResult<Vec<String>> {
    let invalid = || {
        ApiError::bad_request(
            "Invalid value for fileIds. fileIds should be an array of fileId of the files. The array should have atleast one fileId.",
        )
    };
    let ids = string_array(
        field.value().ok_or_else(invalid)?,
        "Invalid value for fileIds.",
    )
    .map_err(|_| invalid())?;
    if ids.is_empty() {
        return Err(invalid());
    }
    if ids.len() > max {
        return Err(ApiError::bad_request(format!(
            "A maximum of {max} fileIds can be passed at a time."
        )));
    }
    Ok(ids)
}

fn tag_list(field: &Field, key: &str) -> ApiResult<Vec<String>> {
    let invalid = || {
        ApiError::bad_request(format!(
            "Invalid value for {key}. {key} should be a non empty array of string like ['tag1', 'tag2']."
        ))
    };
    let tags = string_array(field.value().ok_or_else(invalid)?, "").map_err(|_| invalid())?;
    if tags.is_empty() {
        return Err(invalid());
    }
    Ok(tags)
}

async fn change_tags(
    app: &App,
    ids: Vec<String>,
    change: TagChange,
) -> ApiResult<Json<UpdatedFiles>> {
    files::change_tags(&app.store, &app.events, &ids, &change, now_ms()).await?;
    Ok(Json(UpdatedFiles {
        successfully_updated_file_ids: ids,
    }))
}

pub async fn add_tags(
    State(app): State<Arc<App>>,
    JsonFields(body): JsonFields<TagsBody>,
) -> ApiResult<Json<UpdatedFiles>> {
    let ids = file_ids(&body.file_ids, 50)?;
    let tags = tag_list(&body.tags, "tags")?;
    change_tags(&app, ids, TagChange::Add(tags)).await
}

pub async fn remove_tags(
    State(app): State<Arc<App>>,
    JsonFields(body): JsonFields<TagsBody>,
) -> ApiResult<Json<UpdatedFiles>> {
    let ids = file_ids(&body.file_ids, 50)?;
    let tags = tag_list(&body.tags, "tags")?;
    change_tags(&app, ids, TagChange::Remove(tags)).await
}

pub async fn remove_ai_tags(
    State(app): State<Arc<App>>,
    JsonFields(body): JsonFields<TagsBody>,
) -> ApiResult<Json<UpdatedFiles>> {
    let ids = file_ids(&body.file_ids, 50)?;
    let names = tag_list(&body.ai_tags, "AITags")?;
    change_tags(&app, ids, TagChange::RemoveAi(names)).await
}

// ---------------------------------------------------------------- delete

pub async fn delete(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult<StatusCode> {
    if !app.store.read().files.contains_key(&id) {
        return Err(ApiError::file_not_found());
    }
    files::delete_files(&app.store, &app.events, &[id]).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn bulk_delete(
    State(app): State<Arc<App>>,
    JsonFields(body): JsonFields<FileIdsBody>,
) -> ApiResult<Json<DeletedFiles>> {
    let ids = file_ids(&body.file_ids, 100)?;
    files::delete_files(&app.store, &app.events, &ids).await?;
    Ok(Json(DeletedFiles {
        successfully_deleted_file_ids: ids,
    }))
}

// ---------------------------------------------------------------- copy / move / rename

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CopyBody {
    source_file_path: Option<String>,
    destination_path: Option<String>,
    #[serde(default)]
    include_file_versions: Option<bool>,
}

fn source_missing(path: &str) -> LibraryError {
    LibraryError::NotFoundBecause {
        message: format!("No file found with filePath {path}"),
        reason: "SOURCE_FILE_MISSING".into(),
    }
}

fn copy_paths(body: &CopyBody) -> ApiResult<(String, String)> {
    let source = body
        .source_file_path
        .clone()
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| {
            ApiError::bad_request(
                "Invalid sourceFilePath value. It should be a string like /path/to/file.jpg",
            )
        })?;
    let destination = body
        .destination_path
        .clone()
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| {
            ApiError::bad_request(
                "Invalid destinationPath value. It should be a string like '/path/to/folder'",
            )
        })?;
    let (folder, name) =
        split_file_path(&source).ok_or_else(|| ApiError::from(source_missing(&source)))?;
    Ok((format!("{folder}{name}"), normalize_folder(&destination)))
}

pub async fn copy(
    State(app): State<Arc<App>>,
    JsonBody(body): JsonBody<CopyBody>,
) -> ApiResult<StatusCode> {
    let (source, destination) = copy_paths(&body)?;
    let now = now_ms();
    let all_versions = body.include_file_versions.unwrap_or(false);
    files::copy_file(
        &app.store,
        &app.events,
        &source,
        &destination,
        all_versions,
        now,
        || source_missing(&source),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn move_file(
    State(app): State<Arc<App>>,
    JsonBody(body): JsonBody<CopyBody>,
) -> ApiResult<StatusCode> {
    let (source, destination) = copy_paths(&body)?;
    let now = now_ms();
    files::move_file(&app.store, &app.events, &source, &destination, now, || {
        source_missing(&source)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RenameBody {
    file_path: Option<String>,
    new_file_name: Option<String>,
    #[serde(default)]
    purge_cache: Option<bool>,
}

/// The rename's answer: `{}`, or the purge it started.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Renamed {
    #[serde(skip_serializing_if = "Option::is_none")]
    purge_request_id: Option<String>,
}

pub async fn rename(
    State(app): State<Arc<App>>,
    JsonBody(body): JsonBody<RenameBody>,
) -> ApiResult<Json<Renamed>> {
    let path = body
        .file_path
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| ApiError::bad_request("Invalid value for filePath. Pass the full path of the file. For example - /path/to/file.jpg"))?;
    let new_name = body
        .new_file_name
        .filter(|s| !s.trim().is_empty())
        .map(|s| sanitize_file_name(s.trim()))
        .ok_or_else(|| {
            ApiError::bad_request("Invalid value for newFileName. It should be a string.")
        })?;
    let (folder, name) = split_file_path(&path).ok_or_else(|| source_missing(&path))?;
    let now = now_ms();
    let old_url = format!(
        "{}{}",
        app.url_endpoint,
        encode_path(&format!("{folder}{name}"))
    );
    let purge = body
        .purge_cache
        .unwrap_or(false)
        .then_some((old_url.as_str(), app.config.purge_delay));
    let purge_request = files::rename_file(
        &app.store,
        &app.events,
        &folder,
        &name,
        &new_name,
        now,
        purge,
    )
    .await?;
    Ok(Json(Renamed {
        purge_request_id: purge_request,
    }))
}

/// The files routes: list and search, details, versions, metadata, bulk tags and deletes, copy, move, rename.
pub fn router() -> Router<Arc<App>> {
    Router::new()
        .route("/v1/files", routing::get(list))
        .route("/v1/files/", routing::get(list))
        .route("/v1/files/{id}", routing::delete(delete))
        .route(
            "/v1/files/{id}/details",
            routing::get(details).patch(update_details),
        )
        .route("/v1/files/{id}/versions", routing::get(versions))
        .route(
            "/v1/files/{id}/versions/{version_id}",
            routing::get(version_details).delete(delete_version),
        )
        .route(
            "/v1/files/{id}/versions/{version_id}/restore",
            routing::put(restore_version),
        )
        .route("/v1/files/{id}/metadata", routing::get(metadata))
        .route("/v1/metadata", routing::get(remote_metadata))
        .route("/v1/files/addTags", routing::post(add_tags))
        .route("/v1/files/removeTags", routing::post(remove_tags))
        .route("/v1/files/removeAITags", routing::post(remove_ai_tags))
        .route(
            "/v1/files/batch/deleteByFileIds",
            routing::post(bulk_delete),
        )
        .route("/v1/files/copy", routing::post(copy))
        .route("/v1/files/move", routing::post(move_file))
        .route("/v1/files/rename", routing::put(rename))
}
