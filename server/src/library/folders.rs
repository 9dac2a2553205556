//! Folders: creating one (and its ancestors), deleting one with all it
//! holds, and what one holds.

use std::collections::BTreeSet;

use crate::library::error::{LibraryError, LibraryResult};
use crate::library::events::{Events, Outbox};
use crate::storage::{FileRecord, State as Library, Store};
use crate::timestamp::now_ms;

pub fn folder_not_found(path: &str) -> LibraryError {
    LibraryError::NotFoundBecause {
        message: format!(
            "No folder found with folderPath {}",
            path.trim_end_matches('/')
        ),
        reason: "FOLDER_NOT_FOUND".into(),
    }
}

/// Creates `<parent><name>/` and any missing ancestor.
pub async fn create(store: &Store, parent: &str, name: &str) -> LibraryResult<()> {
    let mut state = store.begin();
    state.ensure_folders(&format!("{parent}{name}/"), now_ms());
    state.commit().await?;
    Ok(())
}

/// Deletes `folder` (`/a/b/`), its subfolders and their files (`file.deleted`
/// each); the blobs go once the state without them is saved.
pub async fn delete(store: &Store, events: &Events, folder: &str) -> LibraryResult<()> {
    let mut state = store.begin();
    if !state.folder_exists(folder) {
        return Err(folder_not_found(folder));
    }
    let doomed: Vec<String> = state
        .files
        .values()
        .filter(|f| f.folder.starts_with(folder))
        .map(|f| f.id.clone())
        .collect();
    let blobs: Vec<String> = doomed.iter().flat_map(|id| state.remove_file(id)).collect();
    state.folders.retain(|path, _| !path.starts_with(folder));
    let mut outbox = Outbox::default();
    for id in &doomed {
        outbox.file_deleted(id);
    }
    state.commit().await?;
    events.publish(outbox);
    store.remove_blobs(blobs).await;
    Ok(())
}

/// The folder's subfolders (as folder paths, sorted; those that exist only
/// as the folder of a file too) and the files directly in it, by name.
pub fn children<'a>(state: &'a Library, folder: &str) -> (BTreeSet<String>, Vec<&'a FileRecord>) {
    let child = |path: &str| -> Option<String> {
        let rest = path.strip_prefix(folder)?;
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
    (folders, files)
}
