//! Folders: creating one (and its ancestors), deleting one with all it
//! holds, and what one holds.

use std::collections::BTreeMap;

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

/// What a folder holds: its subfolders (as folder paths, sorted; those that
/// exist only as the folder of a file too), each with the number of files
/// anywhere below it, and the files directly in it, by name.
pub struct Children<'a> {
    pub folders: BTreeMap<String, usize>,
    pub files: Vec<&'a FileRecord>,
}

impl Children<'_> {
    /// Every file below the folder, directly in it or in a subfolder.
    pub fn files_below(&self) -> usize {
        self.files.len() + self.folders.values().sum::<usize>()
    }
}

pub fn children<'a>(state: &'a Library, folder: &str) -> Children<'a> {
    let child = |path: &str| -> Option<String> {
        let rest = path.strip_prefix(folder)?;
        let name = rest.split('/').next().filter(|n| !n.is_empty())?;
        Some(format!("{folder}{name}/"))
    };
    let mut folders: BTreeMap<String, usize> = state
        .folders
        .keys()
        .filter_map(|p| child(p))
        .map(|p| (p, 0))
        .collect();
    let mut files = Vec::new();
    for file in state.files.values() {
        if file.folder == folder {
            files.push(file);
        } else if let Some(path) = child(&file.folder) {
            *folders.entry(path).or_insert(0) += 1;
        }
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Children { folders, files }
}
