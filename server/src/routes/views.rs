//! The JSON the media and upload APIs answer with, as `Serialize` views of
//! the stored records: a FileObject (a file or one of its versions), a
//! FolderObject, and the upload result. Field order is ImageKit's documented
//! order; `null` and absent keys are as ImageKit sends them.

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::app::App;
use crate::paths::encode_path;
use crate::storage::{CustomMetadataField, FileRecord, FolderRecord, Version};
use crate::timestamp::to_iso;

/// A view's JSON, serialized while the view can borrow (from the read-locked
/// state): straight to bytes, with no `serde_json::Value` in between.
pub struct JsonView(Vec<u8>);

impl JsonView {
    pub fn of(view: &impl Serialize) -> Self {
        // A view holds strings, numbers and JSON values only: it always serializes.
        JsonView(serde_json::to_vec(view).unwrap_or_else(|_| b"null".to_vec()))
    }
}

impl IntoResponse for JsonView {
    fn into_response(self) -> Response {
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            self.0,
        )
            .into_response()
    }
}

/// The file URL (with `ik-obj-version` for a non-current version).
pub fn file_url(app: &App, file: &FileRecord, version: &Version, thumbnail: bool) -> String {
    file_url_at(&app.url_endpoint, file, version, thumbnail)
}

/// [`file_url`] under the URL endpoint `url_endpoint`.
pub fn file_url_at(
    url_endpoint: &str,
    file: &FileRecord,
    version: &Version,
    thumbnail: bool,
) -> String {
    let transform = if thumbnail {
        "/tr:n-ik_ml_thumbnail"
    } else {
        ""
    };
    let query = if version.id == file.current {
        String::new()
    } else {
        format!("?ik-obj-version={}", version.id)
    };
    format!(
        "{}{}{}{}",
        url_endpoint,
        transform,
        encode_path(&file.path()),
        query
    )
}

/// An empty list is `null`, as ImageKit sends `tags` and `AITags`.
fn null_if_empty<T>(items: &[T]) -> Option<&[T]> {
    (!items.is_empty()).then_some(items)
}

fn file_type(version: &Version) -> &'static str {
    if version.image.is_some() {
        "image"
    } else {
        "non-image"
    }
}

#[derive(Serialize)]
pub struct VersionInfo {
    pub id: String,
    pub name: String,
}

impl VersionInfo {
    pub fn of(version: &Version) -> Self {
        VersionInfo {
            id: version.id.clone(),
            name: format!("Version {}", version.number),
        }
    }
}

/// A FileObject: the file with its current version (`"type": "file"`), or
/// one of its earlier versions (`"file-version"`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FileObject<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    name: &'a str,
    created_at: String,
    updated_at: String,
    file_id: &'a str,
    tags: Option<&'a [String]>,
    #[serde(rename = "AITags")]
    ai_tags: Option<&'a [Value]>,
    version_info: VersionInfo,
    embedded_metadata: &'a Map<String, Value>,
    is_published: bool,
    custom_coordinates: &'a Option<String>,
    custom_metadata: &'a Map<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    is_private_file: bool,
    url: String,
    thumbnail: String,
    file_type: &'static str,
    file_path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    height: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    width: Option<u32>,
    size: u64,
    has_alpha: bool,
    mime: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    extension_status: Option<&'a Map<String, Value>>,
}

impl<'a> FileObject<'a> {
    pub fn new(app: &App, file: &'a FileRecord, version: &'a Version) -> Self {
        FileObject::at(&app.url_endpoint, file, version)
    }

    /// [`FileObject::new`] under the URL endpoint `url_endpoint`.
    pub fn at(url_endpoint: &str, file: &'a FileRecord, version: &'a Version) -> Self {
        let current = version.id == file.current;
        let (created, updated) = if current {
            (file.created_at, file.updated_at)
        } else {
            (version.created_at, version.updated_at)
        };
        FileObject {
            kind: if current { "file" } else { "file-version" },
            name: &file.name,
            created_at: to_iso(created),
            updated_at: to_iso(updated),
            file_id: &file.id,
            tags: null_if_empty(&version.tags),
            ai_tags: null_if_empty(&version.ai_tags),
            version_info: VersionInfo::of(version),
            embedded_metadata: &version.embedded_metadata,
            is_published: version.is_published,
            custom_coordinates: &version.custom_coordinates,
            custom_metadata: &version.custom_metadata,
            description: version.description.as_deref(),
            is_private_file: version.is_private,
            url: file_url_at(url_endpoint, file, version, false),
            thumbnail: if version.image.is_some() {
                file_url_at(url_endpoint, file, version, true)
            } else {
                String::new()
            },
            file_type: file_type(version),
            file_path: file.path(),
            height: version.image.as_ref().map(|i| i.height),
            width: version.image.as_ref().map(|i| i.width),
            size: version.size,
            has_alpha: version.image.as_ref().is_some_and(|i| i.has_alpha),
            mime: &version.mime,
            extension_status: (!version.extension_status.is_empty())
                .then_some(&version.extension_status),
        }
    }
}

/// A FolderObject, as listings show folders.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FolderObject<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    name: &'a str,
    created_at: String,
    updated_at: String,
    folder_id: &'a str,
    folder_path: &'a str,
}

impl<'a> FolderObject<'a> {
    pub fn new(folder: &'a FolderRecord) -> Self {
        FolderObject {
            kind: "folder",
            name: &folder.name,
            created_at: to_iso(folder.created_at),
            updated_at: to_iso(folder.updated_at),
            folder_id: &folder.id,
            folder_path: folder.path.trim_end_matches('/'),
        }
    }
}

/// One row of a listing: a file or a folder.
#[derive(Serialize)]
#[serde(untagged)]
pub enum ListedObject<'a> {
    File(Box<FileObject<'a>>),
    Folder(FolderObject<'a>),
}

/// ImageKit's upload response: the fixed fields, then those asked for with
/// `responseFields` (a `Some` here).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadResult {
    file_id: String,
    name: String,
    size: u64,
    version_info: VersionInfo,
    file_path: String,
    url: String,
    file_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    height: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    width: Option<u32>,
    thumbnail_url: String,
    #[serde(rename = "AITags")]
    ai_tags: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tags: Option<Option<Vec<String>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    custom_coordinates: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    is_private_file: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    is_published: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    custom_metadata: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    embedded_metadata: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    metadata: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    extension_status: Option<Map<String, Value>>,
}

impl UploadResult {
    pub fn new(
        app: &App,
        file: &FileRecord,
        version: &Version,
        requested: &[String],
        metadata: Option<Value>,
    ) -> Self {
        UploadResult::at(&app.url_endpoint, file, version, requested, metadata)
    }

    /// [`UploadResult::new`] under the URL endpoint `url_endpoint`.
    pub fn at(
        url_endpoint: &str,
        file: &FileRecord,
        version: &Version,
        requested: &[String],
        metadata: Option<Value>,
    ) -> Self {
        let wants = |f: &str| requested.iter().any(|r| r == f);
        let non_empty = |items: &[String]| (!items.is_empty()).then(|| items.to_vec());
        UploadResult {
            file_id: file.id.clone(),
            name: file.name.clone(),
            size: version.size,
            version_info: VersionInfo::of(version),
            file_path: file.path(),
            url: file_url_at(url_endpoint, file, version, false),
            file_type: file_type(version),
            height: version.image.as_ref().map(|i| i.height),
            width: version.image.as_ref().map(|i| i.width),
            thumbnail_url: if version.image.is_some() {
                file_url_at(url_endpoint, file, version, true)
            } else {
                String::new()
            },
            ai_tags: (!version.ai_tags.is_empty()).then(|| version.ai_tags.clone()),
            tags: wants("tags").then(|| non_empty(&version.tags)),
            custom_coordinates: wants("customCoordinates")
                .then(|| version.custom_coordinates.clone()),
            is_private_file: wants("isPrivateFile").then_some(version.is_private),
            is_published: wants("isPublished").then_some(version.is_published),
            custom_metadata: wants("customMetadata").then(|| version.custom_metadata.clone()),
            embedded_metadata: wants("embeddedMetadata").then(|| version.embedded_metadata.clone()),
            metadata: if wants("metadata") { metadata } else { None },
            extension_status: (!version.extension_status.is_empty())
                .then(|| version.extension_status.clone()),
        }
    }
}

/// A custom metadata field; the admin page also sees whether it is deleted.
#[derive(Serialize)]
pub struct CustomFieldView<'a> {
    id: &'a str,
    name: &'a str,
    label: &'a str,
    schema: &'a Map<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    deleted: Option<bool>,
}

impl<'a> CustomFieldView<'a> {
    pub fn new(field: &'a CustomMetadataField) -> Self {
        CustomFieldView {
            id: &field.id,
            name: &field.name,
            label: &field.label,
            schema: &field.schema,
            deleted: None,
        }
    }

    pub fn with_deleted(field: &'a CustomMetadataField) -> Self {
        CustomFieldView {
            deleted: Some(field.deleted),
            ..CustomFieldView::new(field)
        }
    }
}

/// The views of webhook payloads: files as the media API shows them and
/// uploads as the upload API answers, under the server's URL endpoint.
pub struct WebhookViews {
    pub url_endpoint: String,
}

impl crate::webhooks::Render for WebhookViews {
    fn file(&self, file: &FileRecord, version: &Version) -> Value {
        serde_json::to_value(FileObject::at(&self.url_endpoint, file, version))
            .unwrap_or(Value::Null)
    }

    fn upload(&self, file: &FileRecord, version: &Version) -> Value {
        serde_json::to_value(UploadResult::at(
            &self.url_endpoint,
            file,
            version,
            &[],
            None,
        ))
        .unwrap_or(Value::Null)
    }

    fn url(&self, file: &FileRecord, version: &Version) -> String {
        file_url_at(&self.url_endpoint, file, version, false)
    }
}
