//! The records the state is made of (files and their versions, folders,
//! custom metadata fields, bulk jobs, purge requests, saved extensions, named
//! transformations, origins, URL endpoints, per-day usage), as state.json and
//! the journal serialise them.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::tracked::Tracked;

/// Facts about an image file version, from `imaging::probe`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageFacts {
    pub width: u32,
    pub height: u32,
    pub has_alpha: bool,
    pub format: String,
}

/// One stored version of a file, with the attributes ImageKit keeps per version.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Version {
    pub id: String,
    pub number: u32,
    pub blob: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub size: u64,
    pub mime: String,
    pub image: Option<ImageFacts>,
    pub tags: Vec<String>,
    pub ai_tags: Vec<Value>,
    pub custom_coordinates: Option<String>,
    pub custom_metadata: Map<String, Value>,
    pub embedded_metadata: Map<String, Value>,
    pub is_private: bool,
    pub is_published: bool,
    pub extensions: Vec<Value>,
    pub extension_status: Map<String, Value>,
    pub webhook_url: Option<String>,
    pub transformation: Option<Value>,
    pub checks: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileRecord {
    pub id: String,
    /// Folder with leading and trailing slash: `/` or `/a/b/`.
    pub folder: String,
    pub name: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// Creation order, the tie-breaker of every sort.
    pub seq: u64,
    pub current: String,
    pub versions: Vec<Version>,
}

#[cfg(test)]
impl Version {
    /// A published, public version `id`, number 1, of 1 byte, with nothing
    /// else set: for unit tests to change what they need.
    pub fn blank(id: &str) -> Version {
        Version {
            id: id.into(),
            number: 1,
            blob: String::new(),
            created_at: 0,
            updated_at: 0,
            size: 1,
            mime: String::new(),
            image: None,
            tags: Vec::new(),
            ai_tags: Vec::new(),
            custom_coordinates: None,
            custom_metadata: Map::new(),
            embedded_metadata: Map::new(),
            is_private: false,
            is_published: true,
            extensions: Vec::new(),
            extension_status: Map::new(),
            webhook_url: None,
            transformation: None,
            checks: None,
            description: None,
        }
    }
}

impl FileRecord {
    pub fn path(&self) -> String {
        format!("{}{}", self.folder, self.name)
    }

    pub fn current_version(&self) -> Option<&Version> {
        self.versions.iter().find(|v| v.id == self.current)
    }

    pub fn current_version_mut(&mut self) -> Option<&mut Version> {
        let current = self.current.clone();
        self.versions.iter_mut().find(|v| v.id == current)
    }

    pub fn version(&self, id: &str) -> Option<&Version> {
        self.versions.iter().find(|v| v.id == id)
    }

    pub fn next_version_number(&self) -> u32 {
        self.versions.iter().map(|v| v.number).max().unwrap_or(0) + 1
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FolderRecord {
    pub id: String,
    pub name: String,
    /// With leading and trailing slash, like `FileRecord::folder`.
    pub path: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub seq: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CustomMetadataField {
    pub id: String,
    pub name: String,
    pub label: String,
    pub schema: Map<String, Value>,
    pub deleted: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BulkJob {
    pub id: String,
    pub kind: String,
    pub completed: bool,
    /// Why the job failed; `None` while pending and once completed.
    #[serde(default)]
    pub failure: Option<String>,
    /// What the job does, kept so a job pending at shutdown resumes.
    #[serde(default)]
    pub work: Option<JobWork>,
    /// The purge a rename folder job with `purgeCache` started.
    #[serde(default)]
    pub purge_request_id: Option<String>,
}

/// A bulk job's work, in terms of folder paths (with trailing slashes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "camelCase")]
pub enum JobWork {
    /// Copy `source` (and what it holds) to `target`.
    Copy {
        source: String,
        target: String,
        all_versions: bool,
    },
    /// Move or rename `source` to `target`.
    Move { source: String, target: String },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PurgeRequest {
    pub id: String,
    pub url: String,
    /// When the request counts as completed (ms since the epoch).
    pub completes_at: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SavedExtension {
    pub id: String,
    pub name: String,
    pub description: String,
    pub config: Value,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NamedTransformation {
    pub id: String,
    pub name: String,
    pub transformation: String,
    pub enabled: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Origin {
    pub id: String,
    /// `S3`, `WEB_FOLDER`...
    pub kind: String,
    pub name: String,
    /// The validated type-specific fields (secrets included), defaults
    /// applied, in the order responses list them.
    pub fields: Map<String, Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UrlEndpoint {
    pub id: String,
    pub description: String,
    pub url_prefix: String,
    pub origins: Vec<String>,
    /// The response's `urlRewriter` object, defaults applied.
    pub url_rewriter: Option<Value>,
}

/// What a delivery request is grouped by in the analytics.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DeliveryKind {
    pub path: String,
    /// The `tr` string as written in the URL (path segment and query joined).
    pub transformation: Option<String>,
    pub status: u16,
    pub content_type: String,
    /// `Default` or the urlPrefix of the endpoint the URL matched.
    pub endpoint: String,
    pub referrer: Option<String>,
    pub user_agent: Option<String>,
}

/// Delivery requests of one day of one kind.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DeliveryStat {
    #[serde(flatten)]
    pub kind: DeliveryKind,
    pub requests: u64,
    pub bytes: u64,
}

/// Usage of one UTC day.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct DayUsage {
    pub bandwidth_bytes: u64,
    pub request_count: u64,
    /// Media library storage at the end of the day (its latest figure);
    /// `None` when storage did not change that day.
    pub storage_bytes: Option<u64>,
    /// Keyed by all the attributes of a `DeliveryStat` joined.
    pub deliveries: Tracked<HashMap<String, DeliveryStat>>,
}
