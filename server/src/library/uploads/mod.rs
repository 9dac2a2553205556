//! Recording an upload: its options, validated, and the facts about its
//! bytes become a new file or a new version of the one at its path.

pub mod analysis;
pub mod options;

use serde_json::{Map, Value};

use crate::ids::{new_id, unique_suffix};
use crate::imaging;
use crate::library::custom_metadata_fields;
use crate::library::error::{LibraryError, LibraryResult};
use crate::library::{extension_status, place_versions};
use crate::paths::with_suffix;
use crate::storage::{FileRecord, ImageFacts, State as Library, Store, Version};
use crate::timestamp::now_ms;

/// What the upload asks for, validated.
pub struct Options {
    pub file_name: String,
    pub use_unique_file_name: bool,
    pub folder: String,
    pub tags: Option<Vec<String>>,
    pub is_private: bool,
    pub is_published: bool,
    pub custom_coordinates: Option<String>,
    pub response_fields: Vec<String>,
    pub custom_metadata: Option<Map<String, Value>>,
    pub extensions: Vec<Value>,
    pub webhook_url: Option<String>,
    pub overwrite_file: bool,
    pub overwrite_ai_tags: bool,
    pub overwrite_tags: bool,
    pub overwrite_custom_metadata: bool,
    pub transformation: Option<Value>,
    pub pre_transformation: Option<imaging::Transformation>,
    pub checks: Option<String>,
    pub description: Option<String>,
}

/// Facts computed from the stored bytes.
pub struct Analysis {
    pub blob: String,
    pub size: u64,
    pub image: Option<ImageFacts>,
    pub metadata: Option<Value>,
    pub mime: String,
}

/// Flattens EXIF groups into ImageKit's flat `embeddedMetadata` object.
pub fn embedded_from_metadata(metadata: &Value) -> Map<String, Value> {
    let mut flat = Map::new();
    if let Some(exif) = metadata.get("exif").and_then(Value::as_object) {
        for group in ["image", "exif", "gps", "interoperability"] {
            if let Some(entries) = exif.get(group).and_then(Value::as_object) {
                for (k, v) in entries {
                    flat.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
        }
    }
    for (source, target) in [("width", "ImageWidth"), ("height", "ImageHeight")] {
        if let Some(v) = metadata.get(source) {
            flat.entry(target.to_string()).or_insert_with(|| v.clone());
        }
    }
    flat
}

/// Records the upload as a new file or a new version, and saves it; returns
/// the file and its new current version. On any refusal the upload's blob
/// is removed.
pub async fn record(
    store: &Store,
    options: Options,
    analysis: Analysis,
) -> LibraryResult<(FileRecord, Version)> {
    let blob = analysis.blob.clone();
    let mut state = store.begin();
    match place(&mut state, options, analysis) {
        Ok(placed) => {
            state.commit().await?;
            Ok(placed)
        }
        Err(e) => {
            drop(state);
            store.remove_blobs(vec![blob]).await;
            Err(e)
        }
    }
}

fn place(
    state: &mut Library,
    options: Options,
    analysis: Analysis,
) -> LibraryResult<(FileRecord, Version)> {
    let now = now_ms();
    let fields = state.custom_metadata_fields.clone();
    let mut name = options.file_name.clone();
    if options.use_unique_file_name {
        while state
            .paths
            .contains_key(&format!("{}{}", options.folder, name))
            || name == options.file_name
        {
            name = with_suffix(&options.file_name, &unique_suffix());
        }
    }
    let path = format!("{}{}", options.folder, name);
    let existing = state.paths.get(&path).and_then(|id| state.files.get(id));
    if existing.is_some() && !options.overwrite_file {
        return Err(LibraryError::invalid(
            "A file with the same name already exists at the exact location. We could not overwrite it because both overwriteFile and useUniqueFileName are set to false.",
        ));
    }
    let previous = existing.and_then(FileRecord::current_version).cloned();
    let custom_metadata = match (&options.custom_metadata, &previous) {
        (Some(given), Some(prev)) if !options.overwrite_custom_metadata => {
            let mut merged = prev.custom_metadata.clone();
            merged.extend(given.clone());
            merged
        }
        (Some(given), _) => custom_metadata_fields::with_defaults(&fields, given.clone()),
        (None, Some(prev)) if !options.overwrite_custom_metadata => prev.custom_metadata.clone(),
        (None, _) => custom_metadata_fields::with_defaults(&fields, Map::new()),
    };
    custom_metadata_fields::validate_values(&fields, &custom_metadata)?;
    let tags = match (&options.tags, &previous) {
        (Some(tags), _) => tags.clone(),
        (None, Some(prev)) if !options.overwrite_tags => prev.tags.clone(),
        (None, _) => Vec::new(),
    };
    let ai_tags = match &previous {
        Some(prev) if !options.overwrite_ai_tags => prev.ai_tags.clone(),
        _ => Vec::new(),
    };
    let version = Version {
        id: new_id(),
        number: 1,
        blob: analysis.blob,
        created_at: now,
        updated_at: now,
        size: analysis.size,
        mime: analysis.mime,
        image: analysis.image,
        tags,
        ai_tags,
        custom_coordinates: options.custom_coordinates,
        custom_metadata,
        embedded_metadata: analysis
            .metadata
            .as_ref()
            .map(embedded_from_metadata)
            .unwrap_or_default(),
        is_private: options.is_private,
        is_published: options.is_published,
        extension_status: extension_status(&options.extensions)?,
        extensions: options.extensions,
        webhook_url: options.webhook_url,
        transformation: options.transformation,
        checks: options.checks,
        description: options.description,
    };
    let file_id = place_versions(state, &options.folder, &name, vec![version], now)
        .ok_or_else(|| LibraryError::broken("could not record the upload"))?;
    let file = state
        .files
        .get(&file_id)
        .ok_or_else(|| LibraryError::broken("upload vanished"))?;
    let version = file
        .current_version()
        .ok_or_else(|| LibraryError::broken("upload vanished"))?;
    Ok((file.clone(), version.clone()))
}
