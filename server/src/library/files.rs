//! Changes to files: details, publication, versions, bulk tag edits,
//! deletion, copy, move and rename, each saved before it returns, and its
//! events (`file.updated`, `file.deleted`, ...) published once saved.

use std::time::Duration;

use serde_json::{Map, Value};

use crate::library::custom_metadata_fields;
use crate::library::error::{LibraryError, LibraryResult};
use crate::library::events::{Events, Outbox};
use crate::library::{
    duplicate_versions, ordered_versions, place_versions, relocate, submit_purge, validate_tags,
};
use std::cmp::Ordering;

use crate::library::search_query::{Candidate, Query};
use crate::storage::{FileRecord, State as Library, Store, Version};

/// What a details update asks for; `None` leaves that attribute as it is.
#[derive(Debug, Default)]
pub struct DetailsUpdate {
    pub tags: Option<Vec<String>>,
    /// `Some(None)` clears them.
    pub custom_coordinates: Option<Option<String>>,
    /// `Some(None)` removes every AI tag, `Some(Some(names))` those named.
    pub remove_ai_tags: Option<Option<Vec<String>>>,
    /// The extensions and their status.
    pub extensions: Option<(Vec<Value>, Map<String, Value>)>,
    pub webhook_url: Option<String>,
    /// Merged into the current values; a null value removes its key.
    pub custom_metadata: Option<Map<String, Value>>,
    pub description: Option<String>,
}

pub fn version_not_found() -> LibraryError {
    LibraryError::not_found("The requested file version does not exist.")
}

/// Applies a details update to the file's current version.
pub async fn update_details(
    store: &Store,
    events: &Events,
    id: &str,
    update: DetailsUpdate,
    now: i64,
) -> LibraryResult<()> {
    let mut state = store.begin();
    let fields = state.custom_metadata_fields.clone();
    let file = state
        .files
        .get_mut(id)
        .ok_or_else(LibraryError::file_not_found)?;
    let version = file
        .current_version_mut()
        .ok_or_else(LibraryError::file_not_found)?;
    if let Some(patch) = update.custom_metadata {
        let mut merged = version.custom_metadata.clone();
        for (key, value) in patch {
            if value.is_null() {
                merged.remove(&key);
            } else {
                merged.insert(key, value);
            }
        }
        custom_metadata_fields::validate_values(&fields, &merged)?;
        version.custom_metadata = merged;
    }
    if let Some(tags) = update.tags {
        version.tags = tags;
    }
    if let Some(coordinates) = update.custom_coordinates {
        version.custom_coordinates = coordinates;
    }
    match update.remove_ai_tags {
        Some(None) => version.ai_tags.clear(),
        Some(Some(names)) => version.ai_tags.retain(|t| {
            !t.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| names.iter().any(|x| x == n))
        }),
        None => {}
    }
    if let Some((items, status)) = update.extensions {
        version.extensions = items;
        version.extension_status = status;
    }
    if update.webhook_url.is_some() {
        version.webhook_url = update.webhook_url;
    }
    if update.description.is_some() {
        version.description = update.description;
    }
    version.updated_at = now;
    file.updated_at = now;
    let mut outbox = Outbox::default();
    outbox.file_updated(&state, id);
    state.commit().await?;
    events.publish(outbox);
    Ok(())
}

/// Publishes or unpublishes the current version (or every version).
pub async fn set_published(
    store: &Store,
    events: &Events,
    id: &str,
    is_published: bool,
    all_versions: bool,
    now: i64,
) -> LibraryResult<()> {
    let mut state = store.begin();
    let file = state
        .files
        .get_mut(id)
        .ok_or_else(LibraryError::file_not_found)?;
    let current = file.current.clone();
    for version in file
        .versions
        .iter_mut()
        .filter(|v| all_versions || v.id == current)
    {
        version.is_published = is_published;
        version.updated_at = now;
    }
    file.updated_at = now;
    let mut outbox = Outbox::default();
    outbox.file_updated(&state, id);
    state.commit().await?;
    events.publish(outbox);
    Ok(())
}

/// The file `id`, which must have the version `version_id`.
fn file_with_version<'a>(
    state: &'a mut Library,
    id: &str,
    version_id: &str,
) -> LibraryResult<&'a mut FileRecord> {
    let file = state
        .files
        .get_mut(id)
        .ok_or_else(LibraryError::file_not_found)?;
    if file.version(version_id).is_none() {
        return Err(version_not_found());
    }
    Ok(file)
}

/// Deletes a version other than the current one.
pub async fn delete_version(
    store: &Store,
    events: &Events,
    id: &str,
    version_id: &str,
) -> LibraryResult<()> {
    let mut state = store.begin();
    let file = file_with_version(&mut state, id, version_id)?;
    if file.current == version_id {
        return Err(LibraryError::invalid(
            "You cannot delete current version of a file.",
        ));
    }
    let index = file
        .versions
        .iter()
        .position(|v| v.id == version_id)
        .ok_or_else(version_not_found)?;
    let blob = file.versions.remove(index).blob;
    let mut outbox = Outbox::default();
    outbox.version_deleted(id, version_id);
    state.commit().await?;
    events.publish(outbox);
    store.remove_blobs(vec![blob]).await;
    Ok(())
}

/// Makes `version_id` the current version.
pub async fn restore_version(
    store: &Store,
    events: &Events,
    id: &str,
    version_id: &str,
    now: i64,
) -> LibraryResult<()> {
    let mut state = store.begin();
    let file = file_with_version(&mut state, id, version_id)?;
    file.current = version_id.to_string();
    file.updated_at = now;
    let mut outbox = Outbox::default();
    outbox.file_updated(&state, id);
    state.commit().await?;
    events.publish(outbox);
    Ok(())
}

/// The 404 of the bulk APIs when any of `ids` names no file.
pub fn missing_ids(state: &Library, ids: &[String]) -> LibraryResult<()> {
    let missing: Vec<String> = ids
        .iter()
        .filter(|id| !state.files.contains_key(*id))
        .cloned()
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(LibraryError::MissingFiles(missing))
    }
}

/// A change the bulk tag operations make to each file's current version.
pub enum TagChange {
    /// Adds the tags a version lacks (the result checked as tags are).
    Add(Vec<String>),
    /// Removes these tags.
    Remove(Vec<String>),
    /// Removes the AI tags of these names.
    RemoveAi(Vec<String>),
}

/// Applies a bulk tag change to the current version of each file of `ids`
/// (all must exist).
pub async fn change_tags(
    store: &Store,
    events: &Events,
    ids: &[String],
    change: &TagChange,
    now: i64,
) -> LibraryResult<()> {
    if let TagChange::Add(tags) = change {
        validate_tags(tags)?;
    }
    update_current_versions(store, events, ids, now, |version| match change {
        TagChange::Add(tags) => {
            for tag in tags {
                if !version.tags.contains(tag) {
                    version.tags.push(tag.clone());
                }
            }
            validate_tags(&version.tags)
        }
        TagChange::Remove(tags) => {
            version.tags.retain(|t| !tags.contains(t));
            Ok(())
        }
        TagChange::RemoveAi(names) => {
            version.ai_tags.retain(|t| {
                !t.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| names.iter().any(|x| x == n))
            });
            Ok(())
        }
    })
    .await
}

/// Applies `change` to the current version of each file of `ids` (all must exist).
async fn update_current_versions(
    store: &Store,
    events: &Events,
    ids: &[String],
    now: i64,
    mut change: impl FnMut(&mut Version) -> LibraryResult<()>,
) -> LibraryResult<()> {
    let mut state = store.begin();
    missing_ids(&state, ids)?;
    for id in ids {
        if let Some(file) = state.files.get_mut(id) {
            if let Some(version) = file.current_version_mut() {
                change(version)?;
                version.updated_at = now;
            }
            file.updated_at = now;
        }
    }
    let mut outbox = Outbox::default();
    for id in ids {
        outbox.file_updated(&state, id);
    }
    state.commit().await?;
    events.publish(outbox);
    Ok(())
}

/// Deletes the files of `ids` (all must exist) with every version.
pub async fn delete_files(store: &Store, events: &Events, ids: &[String]) -> LibraryResult<()> {
    let mut state = store.begin();
    missing_ids(&state, ids)?;
    let mut outbox = Outbox::default();
    let mut blobs: Vec<String> = Vec::new();
    for id in ids {
        if state.files.contains_key(id) {
            outbox.file_deleted(id);
        }
        blobs.extend(state.remove_file(id));
    }
    state.commit().await?;
    events.publish(outbox);
    store.remove_blobs(blobs).await;
    Ok(())
}

/// Copies the file at `source` into `destination` (a new file, or new
/// versions of the one there), with its older versions when `all_versions`.
pub async fn copy_file(
    store: &Store,
    events: &Events,
    source: &str,
    destination: &str,
    all_versions: bool,
    now: i64,
    source_missing: impl FnOnce() -> LibraryError,
) -> LibraryResult<()> {
    let (name, versions) = {
        let state = store.read();
        let file = state.file_by_path(source).ok_or_else(source_missing)?;
        (file.name.clone(), ordered_versions(file, all_versions))
    };
    let versions = duplicate_versions(store, versions, now).await?;
    let mut state = store.begin();
    let mut outbox = Outbox::default();
    place_versions(&mut state, destination, &name, versions, now, &mut outbox);
    state.commit().await?;
    events.publish(outbox);
    Ok(())
}

/// Moves the file at `source` into `destination`.
pub async fn move_file(
    store: &Store,
    events: &Events,
    source: &str,
    destination: &str,
    now: i64,
    source_missing: impl FnOnce() -> LibraryError,
) -> LibraryResult<()> {
    let mut state = store.begin();
    let file = state.file_by_path(source).ok_or_else(source_missing)?;
    let (id, name) = (file.id.clone(), file.name.clone());
    let mut outbox = Outbox::default();
    relocate(&mut state, &id, destination, &name, now, &mut outbox);
    state.commit().await?;
    events.publish(outbox);
    Ok(())
}

/// Renames `<folder><name>` to `<folder><new_name>`; with `purge`, records a
/// purge of `old_url` (completing after `purge_delay`) and returns its id.
pub async fn rename_file(
    store: &Store,
    events: &Events,
    folder: &str,
    name: &str,
    new_name: &str,
    now: i64,
    purge: Option<(&str, Duration)>,
) -> LibraryResult<Option<String>> {
    let mut state = store.begin();
    let file = state
        .file_by_path(&format!("{folder}{name}"))
        .ok_or_else(LibraryError::file_not_found)?;
    let id = file.id.clone();
    let mut outbox = Outbox::default();
    if name != new_name {
        if state.paths.contains_key(&format!("{folder}{new_name}")) {
            return Err(LibraryError::Conflict {
                message: "File with the same name already exists at the destination.".into(),
                reason: "FILE_ALREADY_EXISTS".into(),
            });
        }
        state.relocate_file(&id, folder, new_name, now);
        outbox.file_updated(&state, &id);
    }
    let purge_request = purge.map(|(url, delay)| submit_purge(&mut state, delay, url));
    state.commit().await?;
    events.publish(outbox);
    Ok(purge_request)
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Name,
    Created,
    Updated,
    Height,
    Width,
    Size,
    Relevance,
}

/// A listing or search of the media library, its parameters validated.
pub struct Listing {
    pub limit: usize,
    pub skip: usize,
    pub sort_key: SortKey,
    pub descending: bool,
    /// `all`, `image` or `non-image`.
    pub file_type: String,
    /// `file`, `file-version`, `folder`, `all` or `any`.
    pub item_type: String,
    pub search: Option<Query>,
    pub tags: Vec<String>,
    pub name: Option<String>,
    /// Only what is directly in this folder.
    pub folder: Option<String>,
}

struct Row<'a> {
    candidate: Candidate<'a>,
    seq: u64,
    /// Position among the rows as gathered: the last tie-breaker, so the
    /// order is total and a page comes out as a stable sort would order it.
    index: usize,
}

impl Row<'_> {
    fn name(&self) -> &str {
        match &self.candidate {
            Candidate::File { file, .. } => &file.name,
            Candidate::Folder(f) => &f.name,
        }
    }

    fn number(&self, key: SortKey) -> i64 {
        match &self.candidate {
            Candidate::File {
                file,
                version,
                is_current,
            } => match key {
                SortKey::Created if *is_current => file.created_at,
                SortKey::Created => version.created_at,
                SortKey::Updated if *is_current => file.updated_at,
                SortKey::Updated => version.updated_at,
                SortKey::Height => version.image.as_ref().map_or(0, |i| i64::from(i.height)),
                SortKey::Width => version.image.as_ref().map_or(0, |i| i64::from(i.width)),
                SortKey::Size => i64::try_from(version.size).unwrap_or(i64::MAX),
                SortKey::Name | SortKey::Relevance => 0,
            },
            Candidate::Folder(f) => match key {
                SortKey::Created => f.created_at,
                SortKey::Updated => f.updated_at,
                _ => 0,
            },
        }
    }
}

/// The page of files, versions and folders a listing asks for, sorted.
pub fn list<'a>(state: &'a Library, listing: &Listing) -> Vec<Candidate<'a>> {
    let mut rows: Vec<Row> = Vec::new();
    let wants_files = listing.item_type != "folder";
    let wants_folders = matches!(listing.item_type.as_str(), "folder" | "all" | "any");
    if wants_files {
        for file in state.files.values() {
            if listing.folder.as_ref().is_some_and(|f| *f != file.folder) {
                continue;
            }
            for version in &file.versions {
                let is_current = version.id == file.current;
                let wanted = match listing.item_type.as_str() {
                    "file" | "all" => is_current,
                    "file-version" => !is_current,
                    _ => true,
                };
                if !wanted {
                    continue;
                }
                let is_image = version.image.is_some();
                if (listing.file_type == "image" && !is_image)
                    || (listing.file_type == "non-image" && is_image)
                {
                    continue;
                }
                if !listing.tags.is_empty()
                    && !version.tags.iter().any(|t| listing.tags.contains(t))
                {
                    continue;
                }
                if listing.name.as_deref().is_some_and(|n| n != file.name) {
                    continue;
                }
                rows.push(Row {
                    candidate: Candidate::File {
                        file,
                        version,
                        is_current,
                    },
                    seq: file.seq,
                    index: rows.len(),
                });
            }
        }
    }
    if wants_folders {
        for record in state.folders.values() {
            let parent = crate::paths::parent_folder(&record.path);
            if listing.folder.as_ref().is_some_and(|f| *f != parent)
                || listing.name.as_deref().is_some_and(|n| n != record.name)
            {
                continue;
            }
            rows.push(Row {
                candidate: Candidate::Folder(record),
                seq: record.seq,
                index: rows.len(),
            });
        }
    }
    if let Some(query) = &listing.search {
        rows.retain(|row| query.matches(&row.candidate));
    }
    let order = |a: &Row, b: &Row| {
        let primary = match listing.sort_key {
            SortKey::Name => a.name().cmp(b.name()),
            SortKey::Relevance => Ordering::Equal,
            key => a.number(key).cmp(&b.number(key)),
        };
        let primary = if listing.descending {
            primary.reverse()
        } else {
            primary
        };
        primary.then(a.seq.cmp(&b.seq)).then(a.index.cmp(&b.index))
    };
    // Only the page is sorted: the rows before and after it are partitioned
    // off (linear), so a page of a large folder costs one pass over it, not
    // a sort of all of it.
    let end = listing.skip.saturating_add(listing.limit).min(rows.len());
    if listing.skip >= end {
        return Vec::new();
    }
    if end < rows.len() {
        rows.select_nth_unstable_by(end, order);
        rows.truncate(end);
    }
    if listing.skip > 0 {
        rows.select_nth_unstable_by(listing.skip, order);
    }
    let mut page = rows.split_off(listing.skip);
    page.sort_unstable_by(order);
    page.into_iter().map(|row| row.candidate).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn library() -> Library {
        let mut state = Library::default();
        for i in 0..300u32 {
            let seq = state.next_seq();
            let versions = (0..1 + i % 3)
                .map(|v| Version {
                    number: v + 1,
                    created_at: i64::from(i % 7),
                    updated_at: i64::from(v),
                    size: u64::from(i % 5),
                    ..Version::blank(&format!("v{i}-{v}"))
                })
                .collect();
            state.insert_file(FileRecord {
                id: format!("f{i}"),
                folder: "/x/".into(),
                // Many equal names, sizes and dates: ties everywhere.
                name: format!("n{}", i % 11),
                created_at: i64::from(i % 7),
                updated_at: 0,
                seq,
                current: format!("v{i}-0"),
                versions,
            });
        }
        state.ensure_folders("/x/a/b/", 0);
        state
    }

    fn ids(page: &[Candidate]) -> Vec<String> {
        page.iter()
            .map(|c| match c {
                Candidate::File { version, .. } => version.id.clone(),
                Candidate::Folder(f) => f.path.clone(),
            })
            .collect()
    }

    #[test]
    fn pages_are_slices_of_the_whole_order() {
        let state = library();
        for (sort_key, descending) in [
            (SortKey::Relevance, false),
            (SortKey::Name, false),
            (SortKey::Name, true),
            (SortKey::Created, true),
            (SortKey::Size, false),
        ] {
            for item_type in ["file", "any", "all"] {
                let listing = |skip, limit| Listing {
                    limit,
                    skip,
                    sort_key,
                    descending,
                    file_type: "all".into(),
                    item_type: item_type.into(),
                    search: None,
                    tags: Vec::new(),
                    name: None,
                    folder: None,
                };
                let all = ids(&list(&state, &listing(0, usize::MAX)));
                assert!(all.len() >= 300);
                for (skip, limit) in [(0, 1), (0, 50), (7, 13), (290, 1000), (599, 5), (10_000, 3)]
                {
                    let page = ids(&list(&state, &listing(skip, limit)));
                    let end = skip.saturating_add(limit).min(all.len());
                    assert_eq!(page, all[skip.min(end)..end], "{item_type} {skip} {limit}");
                }
                assert!(list(&state, &listing(3, 0)).is_empty());
            }
        }
    }
}
