//! The journal: `<data-dir>/journal`, the changes made since `state.json`
//! (the snapshot) was written, appended and synced before the requests that
//! made them are answered, replayed on top of the snapshot at start-up.
//!
//! Each line is `<crc32 of the rest, 8 hex digits> <JSON>`. The first line,
//! `{"version":1,"epoch":E}`, names the snapshot it continues: state.json
//! carries the same `"epoch"` (absent, as in data directories from before the
//! journal, means 0). Every later line is one write, the changes of one or
//! more requests saved together (group commit): a JSON array of entries, each
//! `{"seq":N, "clear":[...], "files":{id: record or null}, "folders":{...},
//! "jobs":{...}, "purges":{...}, "usage":{date: day}, "custom_fields":[...],
//! ...}` with only what changed: a record by key (null for a removed one), a
//! list (custom metadata fields, saved extensions, named transformations,
//! origins, URL endpoints) as a whole, a usage day as its totals and the
//! delivery records that changed. Replaying puts the records in place, in
//! order.
//!
//! A line that is cut short or fails its checksum can only be the last
//! write, unacknowledged when the process died: it and anything after it are
//! dropped. A bad line followed by a good one is damage, and the data
//! directory is refused rather than silently losing what follows.

use std::collections::BTreeMap;
use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::tracked::Changes;
use super::{
    BulkJob, CustomMetadataField, DayUsage, DeliveryStat, FileRecord, FolderRecord,
    NamedTransformation, Origin, PurgeRequest, SavedExtension, State, UrlEndpoint,
};

pub const FILE: &str = "journal";
const VERSION: u64 = 1;

fn is_false(b: &bool) -> bool {
    !*b
}

/// One day of usage as an entry records it: the totals, and the delivery
/// records that changed (all of them, after `replace_deliveries`).
#[derive(Serialize)]
struct DayOut<'a> {
    bandwidth_bytes: u64,
    request_count: u64,
    storage_bytes: Option<u64>,
    #[serde(skip_serializing_if = "is_false")]
    replace_deliveries: bool,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    deliveries: BTreeMap<String, Option<&'a DeliveryStat>>,
}

#[derive(Deserialize)]
struct DayIn {
    bandwidth_bytes: u64,
    request_count: u64,
    storage_bytes: Option<u64>,
    #[serde(default)]
    replace_deliveries: bool,
    #[serde(default)]
    deliveries: BTreeMap<String, Option<DeliveryStat>>,
}

type Puts<'a, T> = BTreeMap<String, Option<&'a T>>;

#[derive(Serialize)]
struct EntryOut<'a> {
    seq: u64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    clear: Vec<&'static str>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    files: Puts<'a, FileRecord>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    folders: Puts<'a, FolderRecord>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    jobs: Puts<'a, BulkJob>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    purges: Puts<'a, PurgeRequest>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    usage: BTreeMap<String, Option<DayOut<'a>>>,
    /// Named as before the resource had one name everywhere: the format stays.
    #[serde(skip_serializing_if = "Option::is_none", rename = "custom_fields")]
    custom_metadata_fields: Option<&'a [CustomMetadataField]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    saved_extensions: Option<&'a [SavedExtension]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    named_transformations: Option<&'a [NamedTransformation]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    origins: Option<&'a [Origin]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url_endpoints: Option<&'a [UrlEndpoint]>,
}

#[derive(Deserialize)]
struct EntryIn {
    seq: u64,
    #[serde(default)]
    clear: Vec<String>,
    #[serde(default)]
    files: BTreeMap<String, Option<FileRecord>>,
    #[serde(default)]
    folders: BTreeMap<String, Option<FolderRecord>>,
    #[serde(default)]
    jobs: BTreeMap<String, Option<BulkJob>>,
    #[serde(default)]
    purges: BTreeMap<String, Option<PurgeRequest>>,
    #[serde(default)]
    usage: BTreeMap<String, Option<DayIn>>,
    #[serde(rename = "custom_fields")]
    custom_metadata_fields: Option<Vec<CustomMetadataField>>,
    saved_extensions: Option<Vec<SavedExtension>>,
    named_transformations: Option<Vec<NamedTransformation>>,
    origins: Option<Vec<Origin>>,
    url_endpoints: Option<Vec<UrlEndpoint>>,
}

/// The records named by `keys`, as they are now (None: removed).
fn puts<'a, V>(keys: Vec<String>, get: impl Fn(&str) -> Option<&'a V>) -> Puts<'a, V> {
    keys.into_iter()
        .map(|k| {
            let value = get(&k);
            (k, value)
        })
        .collect()
}

/// Takes what changed in `state` since the last call, as one entry (the
/// JSON of one element of a line's array); `None` when nothing did.
pub fn take_entry(state: &mut State) -> Option<serde_json::Result<Vec<u8>>> {
    state.settle_sizes();
    // Every field is named, so a field added to the state is a compile error
    // here until the journal records it.
    let State {
        files,
        paths: _,
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
        books,
    } = state;
    let maps = [
        ("files", files.take_changes()),
        ("folders", folders.take_changes()),
        ("jobs", jobs.take_changes()),
        ("purges", purges.take_changes()),
        ("usage", usage.take_changes()),
    ];
    let clear: Vec<&'static str> = maps
        .iter()
        .filter(|(_, changes)| changes.cleared)
        .map(|(name, _)| *name)
        .collect();
    let [files_changed, folders_changed, jobs_changed, purges_changed, usage_changed] =
        maps.map(|(_, changes)| changes.keys);
    let days: Vec<(String, Option<Changes>)> = usage_changed
        .into_iter()
        .map(|date| {
            let deliveries = usage
                .get_mut_unmarked(&date)
                .map(|day| day.deliveries.take_changes());
            (date, deliveries)
        })
        .collect();
    let lists = [
        custom_metadata_fields.take_changed(),
        saved_extensions.take_changed(),
        named_transformations.take_changed(),
        origins.take_changed(),
        url_endpoints.take_changed(),
    ];
    let entry = EntryOut {
        seq: *seq,
        clear,
        files: puts(files_changed, |k| files.get(k)),
        folders: puts(folders_changed, |k| folders.get(k)),
        jobs: puts(jobs_changed, |k| jobs.get(k)),
        purges: puts(purges_changed, |k| purges.get(k)),
        usage: days
            .into_iter()
            .map(|(date, deliveries)| {
                let out = usage
                    .get(&date)
                    .zip(deliveries)
                    .map(|(day, changes)| DayOut {
                        bandwidth_bytes: day.bandwidth_bytes,
                        request_count: day.request_count,
                        storage_bytes: day.storage_bytes,
                        replace_deliveries: changes.cleared,
                        deliveries: puts(changes.keys, |k| day.deliveries.get(k)),
                    });
                (date, out)
            })
            .collect(),
        custom_metadata_fields: lists[0].then_some(&custom_metadata_fields[..]),
        saved_extensions: lists[1].then_some(&saved_extensions[..]),
        named_transformations: lists[2].then_some(&named_transformations[..]),
        origins: lists[3].then_some(&origins[..]),
        url_endpoints: lists[4].then_some(&url_endpoints[..]),
    };
    let empty = entry.clear.is_empty()
        && entry.files.is_empty()
        && entry.folders.is_empty()
        && entry.jobs.is_empty()
        && entry.purges.is_empty()
        && entry.usage.is_empty()
        && !lists.contains(&true);
    if empty && *seq == books.journaled_seq {
        return None;
    }
    books.journaled_seq = *seq;
    Some(serde_json::to_vec(&entry))
}

/// Forgets what changed in `state` (the memory store, which has no journal).
pub fn forget(state: &mut State) {
    state.settle_sizes();
    let State {
        files,
        paths: _,
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
        books,
    } = state;
    files.take_changes();
    folders.take_changes();
    jobs.take_changes();
    purges.take_changes();
    for date in usage.take_changes().keys {
        if let Some(day) = usage.get_mut_unmarked(&date) {
            day.deliveries.take_changes();
        }
    }
    custom_metadata_fields.take_changed();
    saved_extensions.take_changed();
    named_transformations.take_changed();
    origins.take_changed();
    url_endpoints.take_changed();
    books.journaled_seq = *seq;
}

/// Replays one entry onto the state (marking nothing).
fn apply(state: &mut State, entry: EntryIn) -> Result<(), String> {
    state.seq = entry.seq;
    for name in &entry.clear {
        match name.as_str() {
            "files" => state.files.restore_clear(),
            "folders" => state.folders.restore_clear(),
            "jobs" => state.jobs.restore_clear(),
            "purges" => state.purges.restore_clear(),
            "usage" => state.usage.restore_clear(),
            other => return Err(format!("an entry clears {other:?}, which is unknown")),
        }
    }
    for (key, value) in entry.files {
        state.files.restore(key, value);
    }
    for (key, value) in entry.folders {
        state.folders.restore(key, value);
    }
    for (key, value) in entry.jobs {
        state.jobs.restore(key, value);
    }
    for (key, value) in entry.purges {
        state.purges.restore(key, value);
    }
    for (date, day) in entry.usage {
        let Some(day) = day else {
            state.usage.restore(date, None);
            continue;
        };
        let slot = state.usage.restore_entry(date, DayUsage::default);
        slot.bandwidth_bytes = day.bandwidth_bytes;
        slot.request_count = day.request_count;
        slot.storage_bytes = day.storage_bytes;
        if day.replace_deliveries {
            slot.deliveries.restore_clear();
        }
        for (key, stat) in day.deliveries {
            slot.deliveries.restore(key, stat);
        }
    }
    if let Some(list) = entry.custom_metadata_fields {
        state.custom_metadata_fields.restore(list);
    }
    if let Some(list) = entry.saved_extensions {
        state.saved_extensions.restore(list);
    }
    if let Some(list) = entry.named_transformations {
        state.named_transformations.restore(list);
    }
    if let Some(list) = entry.origins {
        state.origins.restore(list);
    }
    if let Some(list) = entry.url_endpoints {
        state.url_endpoints.restore(list);
    }
    Ok(())
}

/// `payload` framed as a line: its checksum, a space, itself, a newline.
pub fn line(payload: &[u8]) -> Vec<u8> {
    let mut line = Vec::with_capacity(payload.len() + 10);
    line.extend_from_slice(format!("{:08x} ", crc32fast::hash(payload)).as_bytes());
    line.extend_from_slice(payload);
    line.push(b'\n');
    line
}

/// A journal's first line, naming the snapshot it continues.
pub fn header(epoch: u64) -> Vec<u8> {
    line(format!(r#"{{"version":{VERSION},"epoch":{epoch}}}"#).as_bytes())
}

/// The line holding `entries` (entries separated by commas, as queued).
pub fn batch(entries: &[u8]) -> Vec<u8> {
    let mut payload = Vec::with_capacity(entries.len() + 2);
    payload.push(b'[');
    payload.extend_from_slice(entries);
    payload.push(b']');
    line(&payload)
}

/// The payload of a well-formed line (the bytes before the newline).
fn checked(raw: &[u8]) -> Option<&[u8]> {
    let (crc, rest) = (raw.get(..8)?, raw.get(8..)?);
    let payload = rest.strip_prefix(b" ")?;
    let crc = u32::from_str_radix(std::str::from_utf8(crc).ok()?, 16).ok()?;
    (crc32fast::hash(payload) == crc).then_some(payload)
}

#[derive(Deserialize)]
struct Header {
    version: u64,
    epoch: u64,
}

/// What opening the journal found.
#[derive(Debug, PartialEq)]
pub enum Found {
    /// No journal, an empty one, or one whose header never made it to disk.
    Nothing,
    /// A journal of an older snapshot (the process stopped between writing
    /// a snapshot and starting its journal): already in state.json.
    Stale,
    /// The journal of this snapshot, replayed: its good length (a torn last
    /// write beyond it is to be cut off), and the number of writes replayed.
    Replayed { len: u64, writes: usize },
}

/// Replays the journal at `path` onto `state` (loaded from the snapshot of
/// `epoch`).
pub fn replay(path: &Path, state: &mut State, epoch: u64) -> io::Result<Found> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Found::Nothing),
        Err(e) => return Err(e),
    };
    let invalid = |what: String| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{} {what}", path.display()),
        )
    };
    let mut lines = bytes.split_inclusive(|b| *b == b'\n');
    let Some(first) = lines.next() else {
        return Ok(Found::Nothing);
    };
    let header: Header = match first
        .strip_suffix(b"\n")
        .and_then(checked)
        .and_then(|p| serde_json::from_slice(p).ok())
    {
        Some(header) => header,
        // Written and synced before any entry: a torn one means nothing was.
        None => return Ok(Found::Nothing),
    };
    if header.version != VERSION {
        return Err(invalid(format!(
            "is a journal of version {}, this server reads version {VERSION}",
            header.version
        )));
    }
    if header.epoch < epoch {
        return Ok(Found::Stale);
    }
    if header.epoch > epoch {
        return Err(invalid(format!(
            "continues snapshot {}, but state.json is snapshot {epoch}: they do not belong together",
            header.epoch
        )));
    }
    let mut len = first.len();
    let mut writes = 0;
    let mut torn_at: Option<usize> = None;
    for (number, raw) in lines.enumerate() {
        let entries = raw
            .strip_suffix(b"\n")
            .and_then(checked)
            .and_then(|p| serde_json::from_slice::<Vec<EntryIn>>(p).ok());
        match (entries, torn_at) {
            (Some(_), Some(line)) => {
                return Err(invalid(format!(
                    "is damaged: line {line} is unreadable but later lines are not"
                )))
            }
            (Some(entries), None) => {
                for entry in entries {
                    apply(state, entry)
                        .map_err(|e| invalid(format!("line {}: {e}", number + 2)))?;
                }
                len += raw.len();
                writes += 1;
            }
            (None, _) => {
                torn_at.get_or_insert(number + 2);
            }
        }
    }
    Ok(Found::Replayed {
        len: len as u64,
        writes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::{DeliveryKind, JobWork, Version};

    fn file(id: &str, folder: &str, size: u64) -> FileRecord {
        FileRecord {
            id: id.into(),
            folder: folder.into(),
            name: format!("{id}.bin"),
            created_at: 1,
            updated_at: 2,
            seq: 3,
            current: "v".into(),
            versions: vec![Version {
                id: "v".into(),
                number: 1,
                blob: format!("blob-{id}"),
                created_at: 1,
                updated_at: 2,
                size,
                mime: "application/octet-stream".into(),
                image: None,
                tags: vec!["t".into()],
                ai_tags: Vec::new(),
                custom_coordinates: None,
                custom_metadata: Default::default(),
                embedded_metadata: Default::default(),
                is_private: false,
                is_published: true,
                extensions: Vec::new(),
                extension_status: Default::default(),
                webhook_url: None,
                transformation: None,
                checks: None,
                description: None,
            }],
        }
    }

    /// Writes the entries `state` has taken so far as one journal, replays it
    /// onto a fresh state, and compares the two as state.json would hold them.
    fn replays_to_the_same(state: &mut State, journal: &mut Vec<u8>) {
        if let Some(entry) = take_entry(state) {
            journal.extend(batch(&entry.unwrap()));
        }
        let path = std::env::temp_dir().join(format!("ik-journal-unit-{}", fastrand::u64(..)));
        std::fs::write(&path, journal).unwrap();
        let mut replayed = State::default();
        let found = replay(&path, &mut replayed, 0).unwrap();
        let _ = std::fs::remove_file(&path);
        assert!(matches!(found, Found::Replayed { .. }), "{found:?}");
        replayed.rebuild_index();
        assert_eq!(
            serde_json::to_value(&replayed).unwrap(),
            serde_json::to_value(&*state).unwrap()
        );
        assert_eq!(replayed.stored_bytes(), state.stored_bytes());
        assert_eq!(replayed.paths, state.paths);
    }

    #[test]
    fn changes_of_every_field_replay_to_the_same_state() {
        let mut state = State::default();
        let mut journal = header(0);
        for i in 0..5 {
            state.next_seq();
            state.insert_file(file(&format!("f{i}"), "/a/", 10 + i));
        }
        state.ensure_folders("/a/b/", 5);
        state.jobs.insert(
            "j".into(),
            BulkJob {
                id: "j".into(),
                kind: "COPY_FOLDER".into(),
                completed: false,
                failure: None,
                work: Some(JobWork::Move {
                    source: "/a/".into(),
                    target: "/c/".into(),
                }),
                purge_request_id: None,
            },
        );
        state.purges.insert(
            "p".into(),
            PurgeRequest {
                id: "p".into(),
                url: "http://x".into(),
                completes_at: 9,
            },
        );
        state.custom_metadata_fields.push(CustomMetadataField {
            id: "c".into(),
            name: "n".into(),
            label: "N".into(),
            schema: Default::default(),
            deleted: false,
        });
        state.named_transformations.push(NamedTransformation {
            id: "n".into(),
            name: "small".into(),
            transformation: "w-10".into(),
            enabled: true,
            created_at: 0,
            updated_at: 0,
        });
        let day = state.usage.entry_or_default("2026-01-01".into());
        day.bandwidth_bytes = 7;
        day.deliveries.insert(
            "k1".into(),
            DeliveryStat {
                kind: DeliveryKind::default(),
                requests: 1,
                bytes: 7,
            },
        );
        state.record_storage(0);
        replays_to_the_same(&mut state, &mut journal);

        // Updates, removals, a relocation, a second delivery of the day.
        state.files.get_mut("f1").unwrap().versions[0].size = 99;
        state.remove_file("f2");
        state.relocate_file("f3", "/a/b/", "moved.bin", 6);
        state.folders.retain(|path, _| path != "/a/b/");
        state.jobs.get_mut("j").unwrap().completed = true;
        state.purges.remove("p");
        state.custom_metadata_fields[0].label = "Renamed".into();
        let day = state.usage.entry_or_default("2026-01-01".into());
        day.request_count = 2;
        day.deliveries.insert(
            "k2".into(),
            DeliveryStat {
                kind: DeliveryKind::default(),
                requests: 1,
                bytes: 1,
            },
        );
        replays_to_the_same(&mut state, &mut journal);

        // A reset, then a new file.
        state.reset();
        state.next_seq();
        state.insert_file(file("after", "/", 5));
        replays_to_the_same(&mut state, &mut journal);
        assert!(take_entry(&mut state).is_none(), "nothing left to record");
    }

    #[test]
    fn a_journal_belongs_to_one_snapshot() {
        let path = std::env::temp_dir().join(format!("ik-journal-epoch-{}", fastrand::u64(..)));
        let mut state = State::default();
        state.next_seq();
        state.insert_file(file("f", "/", 1));
        let mut bytes = header(3);
        bytes.extend(batch(&take_entry(&mut state).unwrap().unwrap()));
        std::fs::write(&path, &bytes).unwrap();
        // Written before the snapshot of epoch 4 replaced it: already in it.
        assert_eq!(
            replay(&path, &mut State::default(), 4).unwrap(),
            Found::Stale
        );
        // Newer than state.json: they do not belong together.
        let err = replay(&path, &mut State::default(), 2).unwrap_err();
        assert!(err.to_string().contains("do not belong together"), "{err}");
        let mut loaded = State::default();
        assert_eq!(
            replay(&path, &mut loaded, 3).unwrap(),
            Found::Replayed {
                len: bytes.len() as u64,
                writes: 1
            }
        );
        assert!(loaded.files.contains_key("f"));
        // A header cut short: the journal was being started, nothing in it.
        std::fs::write(&path, &header(3)[..10]).unwrap();
        assert_eq!(
            replay(&path, &mut State::default(), 3).unwrap(),
            Found::Nothing
        );
        let _ = std::fs::remove_file(&path);
    }
}
