//! The media library's state: every collection of records (`records`), the
//! path index derived from the files, and the storage total kept up to date
//! as files change, with the helpers handlers change it through.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::records::{
    BulkJob, CustomMetadataField, DayUsage, FileRecord, FolderRecord, NamedTransformation, Origin,
    PurgeRequest, SavedExtension, UrlEndpoint,
};
use super::tracked::{Listed, Tracked};
use crate::ids::new_id;
use crate::timestamp::utc_date;

/// The state's collections remember what changed (`tracked`), so the journal
/// records only that; they read like the maps and lists they wrap.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct State {
    pub files: Tracked<HashMap<String, FileRecord>>,
    /// filePath -> fileId; derived from `files`, rebuilt on load.
    #[serde(skip)]
    pub paths: HashMap<String, String>,
    /// Keyed by folder path with trailing slash.
    pub folders: Tracked<BTreeMap<String, FolderRecord>>,
    /// `custom_fields` on disk, as before the resource had one name everywhere.
    #[serde(rename = "custom_fields")]
    pub custom_metadata_fields: Listed<CustomMetadataField>,
    pub jobs: Tracked<HashMap<String, BulkJob>>,
    pub purges: Tracked<HashMap<String, PurgeRequest>>,
    pub seq: u64,
    #[serde(default)]
    pub saved_extensions: Listed<SavedExtension>,
    #[serde(default)]
    pub named_transformations: Listed<NamedTransformation>,
    #[serde(default)]
    pub origins: Listed<Origin>,
    /// Created endpoints, plus the default one once it has been replaced;
    /// see `UrlEndpoint::listed` in `library::account_records` for the list with the default.
    #[serde(default)]
    pub url_endpoints: Listed<UrlEndpoint>,
    /// Keyed by UTC date, `YYYY-MM-DD`.
    #[serde(default)]
    pub usage: Tracked<BTreeMap<String, DayUsage>>,
    /// The snapshot (state.json) this state was loaded from, which the
    /// journal continues; written by `Store` beside the state, not with it.
    #[serde(default, skip_serializing)]
    pub(super) epoch: u64,
    #[serde(skip)]
    pub(super) books: Books,
}

/// What the state keeps about itself, derived and rebuilt on load.
#[derive(Debug, Default)]
pub(super) struct Books {
    /// Bytes of every version of each file, as of the last `settle_sizes`.
    sizes: HashMap<String, u64>,
    /// Their sum.
    stored: u64,
    /// `seq` as the journal last recorded it.
    pub(super) journaled_seq: u64,
}

/// Bytes of every version of a file.
pub(super) fn file_bytes(file: &FileRecord) -> u64 {
    file.versions.iter().map(|v| v.size).sum()
}

impl State {
    pub fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    pub fn file_by_path(&self, path: &str) -> Option<&FileRecord> {
        self.paths.get(path).and_then(|id| self.files.get(id))
    }

    pub fn insert_file(&mut self, file: FileRecord) {
        self.paths.insert(file.path(), file.id.clone());
        self.files.insert(file.id.clone(), file);
    }

    /// Removes a file, returning the blob keys it owned.
    pub fn remove_file(&mut self, id: &str) -> Vec<String> {
        match self.files.remove(id) {
            Some(file) => {
                self.paths.remove(&file.path());
                file.versions.into_iter().map(|v| v.blob).collect()
            }
            None => Vec::new(),
        }
    }

    /// Moves a file to a new folder and/or name, keeping the path index right.
    pub fn relocate_file(&mut self, id: &str, folder: &str, name: &str, now: i64) {
        if let Some(file) = self.files.get_mut(id) {
            self.paths.remove(&file.path());
            file.folder = folder.to_string();
            file.name = name.to_string();
            file.updated_at = now;
            self.paths.insert(file.path(), id.to_string());
        }
    }

    /// Creates `folder` (`/a/b/`) and all its ancestors if missing.
    pub fn ensure_folders(&mut self, folder: &str, now: i64) {
        let mut path = String::from("/");
        for segment in folder.split('/').filter(|s| !s.is_empty()) {
            path.push_str(segment);
            path.push('/');
            if !self.folders.contains_key(&path) {
                let seq = self.next_seq();
                self.folders.insert(
                    path.clone(),
                    FolderRecord {
                        id: new_id(),
                        name: segment.to_string(),
                        path: path.clone(),
                        created_at: now,
                        updated_at: now,
                        seq,
                    },
                );
            }
        }
    }

    /// Whether anything (a folder record or a file) lives at or under `folder`.
    pub fn folder_exists(&self, folder: &str) -> bool {
        folder == "/"
            || self.folders.contains_key(folder)
            || self.files.values().any(|f| f.folder.starts_with(folder))
    }

    /// Bytes stored in the media library: every version of every file. Kept
    /// up to date as files change, so it costs what changed since the last
    /// save, not a walk over the library.
    pub fn stored_bytes(&self) -> u64 {
        let cleared = self.files.was_cleared();
        let mut total = if cleared { 0 } else { self.books.stored };
        for key in self.files.changed_keys() {
            let before = match cleared {
                true => 0,
                false => self.books.sizes.get(key).copied().unwrap_or(0),
            };
            total = total - before + self.files.get(key).map_or(0, file_bytes);
        }
        total
    }

    /// Brings the per-file sizes behind `stored_bytes` up to date with the
    /// files changed since; the journal calls it before it takes the marks.
    pub(super) fn settle_sizes(&mut self) {
        let books = &mut self.books;
        if self.files.was_cleared() {
            books.sizes.clear();
            books.stored = 0;
        }
        for key in self.files.changed_keys() {
            let now = self.files.get(key).map_or(0, file_bytes);
            let before = if now == 0 {
                books.sizes.remove(key)
            } else {
                books.sizes.insert(key.clone(), now)
            };
            books.stored = books.stored - before.unwrap_or(0) + now;
        }
    }

    /// Empties the library and the account's records (the admin reset).
    pub fn reset(&mut self) {
        let State {
            files,
            paths,
            folders,
            custom_metadata_fields,
            jobs,
            purges,
            seq,
            saved_extensions,
            named_transformations,
            origins,
            url_endpoints,
            usage,
            epoch: _,
            books: _,
        } = self;
        files.clear();
        paths.clear();
        folders.clear();
        custom_metadata_fields.clear();
        jobs.clear();
        purges.clear();
        *seq = 0;
        saved_extensions.clear();
        named_transformations.clear();
        origins.clear();
        url_endpoints.clear();
        usage.clear();
    }

    /// The storage figure in force on `date`: that day's, or the latest
    /// earlier day's; 0 before any record.
    pub fn storage_on(&self, date: &str) -> u64 {
        self.usage
            .range(..=date.to_string())
            .rev()
            .find_map(|(_, day)| day.storage_bytes)
            .unwrap_or(0)
    }

    /// Updates today's storage figure when storage changed.
    pub fn record_storage(&mut self, now: i64) {
        let total = self.stored_bytes();
        let today = utc_date(now);
        if self.storage_on(&today) != total {
            self.usage.entry_or_default(today).storage_bytes = Some(total);
        }
    }

    /// Rebuilds what is derived from the loaded records: the path index and
    /// the sizes behind `stored_bytes`.
    pub(super) fn rebuild_index(&mut self) {
        self.paths = self
            .files
            .values()
            .map(|f| (f.path(), f.id.clone()))
            .collect();
        let sizes: HashMap<String, u64> = self
            .files
            .values()
            .map(|f| (f.id.clone(), file_bytes(f)))
            .filter(|(_, n)| *n > 0)
            .collect();
        self.books = Books {
            stored: sizes.values().sum(),
            sizes,
            journaled_seq: self.seq,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_files_from_before_the_account_areas_still_load() {
        let old = r#"{"files":{},"folders":{},"custom_fields":[],"jobs":{},"purges":{},"seq":3}"#;
        let state: State = serde_json::from_str(old).expect("old state loads");
        assert_eq!(state.seq, 3);
        assert!(state.named_transformations.is_empty() && state.usage.is_empty());
    }

    #[test]
    fn storage_figures_carry_forward() {
        let mut state = State::default();
        state.record_storage(0);
        assert!(state.usage.is_empty(), "no record while nothing is stored");
        state
            .usage
            .entry_or_default("2024-01-02".into())
            .storage_bytes = Some(7);
        state.usage.entry_or_default("2024-01-05".into());
        assert_eq!(state.storage_on("2024-01-01"), 0);
        assert_eq!(state.storage_on("2024-01-02"), 7);
        assert_eq!(state.storage_on("2024-01-09"), 7);
    }
}
