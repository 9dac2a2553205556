//! The plan of a folder upload: every file under the local folder that the globs let
//! through, with its size and the remote folder and name it goes to, sorted by remote
//! folder so that each is listed once. Two local files that map to one remote name are
//! refused, both of them; so is an entry the walk could not read.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use glob::{MatchOptions, Pattern};

use super::names;
use super::{FileError, FileReport};
use crate::error::Error;

/// A file to upload.
#[derive(Debug)]
pub struct Entry {
    /// Relative to the local folder.
    pub local: PathBuf,
    /// The remote folder (`/a/b/`), shared by the entries it holds.
    pub folder: Arc<str>,
    /// The remote name.
    pub name: String,
    pub size: u64,
}

impl Entry {
    /// The local path as reports name it: relative, `/`-separated.
    pub fn shown(&self) -> String {
        shown(&self.local)
    }

    pub fn remote_path(&self) -> String {
        format!("{}{}", self.folder, self.name)
    }
}

fn shown(relative: &Path) -> String {
    relative
        .components()
        .map(|part| part.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The include and exclude globs, matched against a file's relative path (`a/b/c.jpg`).
/// `*` crosses `/`, so `*.jpg` matches in every folder.
pub struct Filter {
    include: Vec<Pattern>,
    exclude: Vec<Pattern>,
}

const MATCHING: MatchOptions = MatchOptions {
    case_sensitive: true,
    require_literal_separator: false,
    require_literal_leading_dot: false,
};

impl Filter {
    pub fn new(include: &[String], exclude: &[String]) -> Result<Self, Error> {
        let patterns = |globs: &[String]| -> Result<Vec<Pattern>, Error> {
            globs
                .iter()
                .map(|glob| {
                    Pattern::new(glob).map_err(|error| Error::Invalid {
                        message: format!("invalid glob {glob:?}: {}", error.msg),
                        help: String::new(),
                    })
                })
                .collect()
        };
        Ok(Self {
            include: patterns(include)?,
            exclude: patterns(exclude)?,
        })
    }

    fn admits(&self, relative: &str) -> bool {
        let matches = |patterns: &[Pattern]| {
            patterns
                .iter()
                .any(|pattern| pattern.matches_with(relative, MATCHING))
        };
        (self.include.is_empty() || matches(&self.include)) && !matches(&self.exclude)
    }
}

/// What the walk found.
pub struct Plan {
    /// Sorted by remote folder, then name.
    pub entries: Vec<Entry>,
    /// Files refused before any request: unreadable, or one of several with one remote name.
    pub refused: Vec<FileReport>,
}

/// Walks `root` (following links; a loop is reported, not followed).
pub fn plan(root: &Path, remote_root: &str, filter: &Filter) -> Result<Plan, Error> {
    let metadata = std::fs::metadata(root).map_err(|error| Error::Invalid {
        message: format!("{} cannot be read: {error}", root.display()),
        help: String::new(),
    })?;
    if !metadata.is_dir() {
        return Err(Error::Invalid {
            message: format!("{} is not a folder", root.display()),
            help: String::new(),
        });
    }
    let mut folders: HashMap<PathBuf, Arc<str>> = HashMap::new();
    let mut entries = Vec::new();
    let mut refused = Vec::new();
    for item in walkdir::WalkDir::new(root).follow_links(true) {
        let item = match item {
            Ok(item) => item,
            Err(error) => {
                let relative = error
                    .path()
                    .and_then(|path| path.strip_prefix(root).ok())
                    .map(shown)
                    .unwrap_or_default();
                refused.push(FileReport::failed(
                    relative,
                    String::new(),
                    0,
                    FileError::new("ERR_READ", error.to_string()),
                ));
                continue;
            }
        };
        if !item.file_type().is_file() {
            continue;
        }
        let Ok(relative) = item.path().strip_prefix(root) else {
            continue;
        };
        if !filter.admits(&shown(relative)) {
            continue;
        }
        let size = match item.metadata() {
            Ok(metadata) => metadata.len(),
            Err(error) => {
                refused.push(FileReport::failed(
                    shown(relative),
                    String::new(),
                    0,
                    FileError::new("ERR_READ", error.to_string()),
                ));
                continue;
            }
        };
        let parent = relative.parent().unwrap_or(Path::new("")).to_path_buf();
        let folder = folders
            .entry(parent)
            .or_insert_with_key(|parent| {
                let local_names = parent
                    .components()
                    .map(|part| part.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>();
                let mut path = remote_root.trim_end_matches('/').to_owned();
                path.push_str(&names::folder_path(local_names.iter().map(String::as_str)));
                Arc::from(path)
            })
            .clone();
        let name = names::file_name(&item.file_name().to_string_lossy());
        entries.push(Entry {
            local: relative.to_path_buf(),
            folder,
            name,
            size,
        });
    }
    entries.sort_unstable_by(|a, b| (&a.folder, &a.name).cmp(&(&b.folder, &b.name)));
    let entries = refuse_collisions(entries, &mut refused);
    Ok(Plan { entries, refused })
}

/// Entries whose remote path is another's are refused, each naming the others.
fn refuse_collisions(entries: Vec<Entry>, refused: &mut Vec<FileReport>) -> Vec<Entry> {
    let mut kept = Vec::with_capacity(entries.len());
    let mut group: Vec<Entry> = Vec::new();
    let mut flush = |group: &mut Vec<Entry>, kept: &mut Vec<Entry>| {
        if group.len() == 1 {
            kept.append(group);
            return;
        }
        let all: Vec<String> = group.iter().map(Entry::shown).collect();
        for entry in group.drain(..) {
            let path = entry.shown();
            let others: Vec<&str> = all
                .iter()
                .filter(|other| **other != path)
                .map(String::as_str)
                .collect();
            let remote = entry.remote_path();
            refused.push(FileReport::failed(
                path,
                remote.clone(),
                entry.size,
                FileError::new(
                    "ERR_NAME_COLLISION",
                    format!(
                        "{} and {} would both be stored as {remote}; neither is uploaded",
                        entry.shown(),
                        others.join(", ")
                    ),
                ),
            ));
        }
    };
    for entry in entries {
        let same = group
            .last()
            .is_some_and(|last| last.folder == entry.folder && last.name == entry.name);
        if !same && !group.is_empty() {
            flush(&mut group, &mut kept);
        }
        group.push(entry);
    }
    if !group.is_empty() {
        flush(&mut group, &mut kept);
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, usize)]) -> PathBuf {
        let root = std::env::temp_dir().join(format!("ik-walk-{}", uuid::Uuid::new_v4()));
        for (path, size) in files {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, vec![b'x'; *size]).unwrap();
        }
        root
    }

    fn names(plan: &Plan) -> Vec<String> {
        plan.entries.iter().map(Entry::remote_path).collect()
    }

    #[test]
    fn keeps_the_tree_under_the_remote_folder_with_the_names_imagekit_stores() {
        let root = tree(&[("a b.jpg", 3), ("sub dir/c.png", 5), ("v1.0/d.txt", 1)]);
        let filter = Filter::new(&[], &[]).unwrap();
        let plan = plan(&root, "/up/", &filter).unwrap();
        assert_eq!(
            names(&plan),
            ["/up/a_b.jpg", "/up/sub_dir/c.png", "/up/v1_0/d.txt"]
        );
        assert_eq!(plan.entries[1].shown(), "sub dir/c.png");
        assert_eq!(plan.entries[1].size, 5);
        std::fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn globs_include_then_exclude() {
        let root = tree(&[
            ("a.jpg", 1),
            ("b.png", 1),
            ("x/c.jpg", 1),
            ("x/skip.jpg", 1),
        ]);
        let filter = Filter::new(&["*.jpg".into()], &["**/skip*".into()]).unwrap();
        let plan = plan(&root, "/", &filter).unwrap();
        assert_eq!(names(&plan), ["/a.jpg", "/x/c.jpg"]);
        std::fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn two_files_with_one_remote_name_are_both_refused() {
        let root = tree(&[("a b.jpg", 1), ("a_b.jpg", 2), ("c.jpg", 1)]);
        let plan = plan(&root, "/", &Filter::new(&[], &[]).unwrap()).unwrap();
        assert_eq!(names(&plan), ["/c.jpg"]);
        let mut refused: Vec<_> = plan.refused.iter().map(|r| r.path.as_str()).collect();
        refused.sort_unstable();
        assert_eq!(refused, ["a b.jpg", "a_b.jpg"]);
        let error = plan.refused[0].error.as_ref().unwrap();
        assert_eq!(error.code, "ERR_NAME_COLLISION");
        assert!(error.message.contains("/a_b.jpg"), "{}", error.message);
        std::fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn a_missing_folder_or_a_bad_glob_is_an_error() {
        let filter = Filter::new(&[], &[]).unwrap();
        assert!(plan(Path::new("/no/such/dir"), "/", &filter).is_err());
        assert!(Filter::new(&["a[".into()], &[]).is_err());
    }
}
