//! Every change to the media library, in terms of the store and its state
//! alone: no HTTP here (nothing of axum is imported below this module). The
//! route modules parse a request, call one of these, and render the result;
//! each function here takes its change through `Store::begin` and saves it
//! with `Change::commit` before it returns.
//!
//! This module holds what several areas share: placing versions at a path,
//! moving files, recording purges, and the checks of tag, coordinate and
//! extension values. The areas' own operations are in the submodules.

pub mod account_records;
pub mod custom_metadata_fields;
pub mod error;
pub mod events;
pub mod files;
pub mod folders;
pub mod jobs;
pub mod search_query;
pub mod uploads;
pub mod usage;

use std::time::Duration;

use serde_json::{json, Map, Value};

use crate::ids::new_id;
use crate::library::error::{LibraryError, LibraryResult};
use crate::library::events::Outbox;
use crate::storage::{FileRecord, PurgeRequest, State as Library, Store, Version};
use crate::timestamp::now_ms;

// ------------------------------------------------------------- values

/// Reads a `true`/`false` string as ImageKit does (case-insensitively).
pub fn parse_bool(name: &str, value: &str) -> LibraryResult<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(LibraryError::invalid(format!(
            "Invalid value for {name}: it should be true or false."
        ))),
    }
}

/// `x,y,width,height` with non-negative integers.
pub fn validate_coordinates(value: &str) -> LibraryResult<()> {
    let parts: Vec<&str> = value.split(',').collect();
    if parts.len() == 4 && parts.iter().all(|p| p.trim().parse::<u64>().is_ok()) {
        Ok(())
    } else {
        Err(LibraryError::invalid(
            "Invalid customCoordinates parameter. It should be a string like 'x,y,width,height'.",
        ))
    }
}

pub fn validate_tags(tags: &[String]) -> LibraryResult<()> {
    if tags.iter().any(|t| t.contains('%')) {
        return Err(LibraryError::invalid(
            "Tags cannot contain the '%' character.",
        ));
    }
    if tags.iter().map(|t| t.chars().count()).sum::<usize>() > 500 {
        return Err(LibraryError::invalid(
            "The total length of tags must not exceed 500 characters.",
        ));
    }
    Ok(())
}

/// Extensions are recorded; their status is reported as ImageKit reports
/// asynchronous extensions at first: pending.
pub fn extension_status(extensions: &[Value]) -> LibraryResult<Map<String, Value>> {
    let mut status = Map::new();
    for extension in extensions {
        let name = extension
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                LibraryError::invalid("Invalid extensions parameter: every extension needs a name.")
            })?;
        status.insert(name.to_string(), json!("pending"));
    }
    Ok(status)
}

// ------------------------------------------------------------- files

/// Adds `versions` (oldest first, the one to become current last) at
/// `folder` + `name`: as new versions of the file already there, or as a new
/// file, noting `file-version.created` for each or `file.created`. Returns
/// the file id.
pub fn place_versions(
    state: &mut Library,
    folder: &str,
    name: &str,
    versions: Vec<Version>,
    now: i64,
    outbox: &mut Outbox,
) -> Option<String> {
    let last = versions.last()?.id.clone();
    let path = format!("{folder}{name}");
    state.ensure_folders(folder, now);
    if let Some(id) = state.paths.get(&path).cloned() {
        let added: Vec<String> = versions.iter().map(|v| v.id.clone()).collect();
        let file = state.files.get_mut(&id)?;
        for mut version in versions {
            version.number = file.next_version_number();
            file.versions.push(version);
        }
        file.current = last;
        file.updated_at = now;
        for version_id in &added {
            outbox.version_created(state, &id, version_id);
        }
        return Some(id);
    }
    let seq = state.next_seq();
    let id = new_id();
    let versions: Vec<Version> = versions
        .into_iter()
        .zip(1..)
        .map(|(mut v, n)| {
            v.number = n;
            v
        })
        .collect();
    state.insert_file(FileRecord {
        id: id.clone(),
        folder: folder.to_string(),
        name: name.to_string(),
        created_at: now,
        updated_at: now,
        seq,
        current: last,
        versions,
    });
    outbox.file_created(state, &id);
    Some(id)
}

/// The versions to carry over, oldest first with the current one last.
pub fn ordered_versions(file: &FileRecord, all: bool) -> Vec<Version> {
    let mut versions: Vec<Version> = if all {
        file.versions
            .iter()
            .filter(|v| v.id != file.current)
            .cloned()
            .collect()
    } else {
        Vec::new()
    };
    versions.extend(file.current_version().cloned());
    versions
}

/// Fresh ids and blob copies for versions being copied.
pub async fn duplicate_versions(
    store: &Store,
    versions: Vec<Version>,
    now: i64,
) -> LibraryResult<Vec<Version>> {
    let mut copies = Vec::with_capacity(versions.len());
    for mut version in versions {
        version.blob = store
            .duplicate(&version.blob)
            .await
            .map_err(LibraryError::broken)?;
        version.id = new_id();
        version.created_at = now;
        version.updated_at = now;
        copies.push(version);
    }
    Ok(copies)
}

/// Moves a file: a plain path change (`file.updated`), or (when a file
/// already sits at the destination) its versions join that file's history
/// (`file.deleted` of the moved file, `file-version.created` of each version).
pub fn relocate(
    state: &mut Library,
    id: &str,
    folder: &str,
    name: &str,
    now: i64,
    outbox: &mut Outbox,
) {
    let target = format!("{folder}{name}");
    match state.paths.get(&target).cloned() {
        Some(existing) if existing == id => {}
        Some(_) => {
            let Some(file) = state.files.get(id) else {
                return;
            };
            let versions = ordered_versions(file, true);
            // The blobs now belong to the destination's versions.
            let _ = state.remove_file(id);
            outbox.file_deleted(id);
            place_versions(state, folder, name, versions, now, outbox);
        }
        None => {
            state.ensure_folders(folder, now);
            state.relocate_file(id, folder, name, now);
            outbox.file_updated(state, id);
        }
    }
}

// ------------------------------------------------------------- folders

// ------------------------------------------------------------- purges

/// Records a purge request of `url`, completing after `delay`, in the change
/// under way; returns its id.
pub fn submit_purge(state: &mut Library, delay: Duration, url: &str) -> String {
    let id = new_id();
    let delay = i64::try_from(delay.as_millis()).unwrap_or(i64::MAX);
    state.purges.insert(
        id.clone(),
        PurgeRequest {
            id: id.clone(),
            url: url.to_string(),
            completes_at: now_ms().saturating_add(delay),
        },
    );
    id
}

/// Records (and saves) a purge request of `url`; returns its id.
/// A purge request's status at `now`: `Pending` until its delay has passed.
pub fn purge_status(state: &Library, request_id: &str, now: i64) -> LibraryResult<&'static str> {
    let request = state
        .purges
        .get(request_id)
        .ok_or_else(|| LibraryError::not_found("No purge request found with this requestId."))?;
    Ok(if now >= request.completes_at {
        "Completed"
    } else {
        "Pending"
    })
}

pub async fn purge(store: &Store, delay: Duration, url: &str) -> LibraryResult<String> {
    let mut state = store.begin();
    let id = submit_purge(&mut state, delay, url);
    state.commit().await?;
    Ok(id)
}
