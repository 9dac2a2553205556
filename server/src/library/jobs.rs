//! Bulk jobs: recording one, running its work after the configured delay
//! (copying or moving a folder, marking the job done in the same saved
//! change), recording a failure with its reason, and resuming the jobs a
//! restart finds pending.

use std::sync::Arc;
use std::time::Duration;

use crate::ids::new_id;
use crate::library::error::{LibraryError, LibraryResult};
use crate::library::events::{Events, Outbox};
use crate::library::{
    duplicate_versions, ordered_versions, place_versions, relocate, submit_purge,
};
use crate::paths::{folder_name, parent_folder, sanitize_new_folder_name};
use crate::storage::{BulkJob, JobWork, State as Library, Store, Version};
use crate::timestamp::now_ms;

/// How long jobs and purges stay pending.
#[derive(Debug, Clone, Copy)]
pub struct Delays {
    pub job: Duration,
    pub purge: Duration,
}

/// What a copy or move of a folder does.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum FolderJob {
    Copy,
    Move,
}

fn no_such_folder(source: &str) -> LibraryError {
    LibraryError::NotFoundBecause {
        message: format!(
            "No files & folder found at sourceFolderPath {}",
            source.trim_end_matches('/')
        ),
        reason: "NO_FILES_FOLDER".into(),
    }
}

/// Checks a copy or move of the folder `source` into `destination` (both
/// normalised folder paths) and returns the folder it becomes.
pub fn plan_folder_job(
    state: &Library,
    source: &str,
    destination: &str,
    job: FolderJob,
) -> LibraryResult<String> {
    if source == "/" {
        return Err(LibraryError::invalid(
            "The root folder cannot be copied or moved.",
        ));
    }
    let target = format!("{destination}{}/", folder_name(source));
    if target.starts_with(source) && (target != source || job == FolderJob::Copy) {
        return Err(LibraryError::InvalidBecause {
            message: "The destination cannot be inside the source folder.".into(),
            reason: "INVALID_DESTINATION".into(),
        });
    }
    if !state.folder_exists(source) {
        return Err(no_such_folder(source));
    }
    Ok(target)
}

/// Checks a rename of the folder `source` to `new_name` (as sent) and
/// returns the folder it becomes.
pub fn plan_rename(state: &Library, source: &str, new_name: &str) -> LibraryResult<String> {
    let new_name = sanitize_new_folder_name(new_name);
    if source == "/" {
        return Err(LibraryError::invalid("The root folder cannot be renamed."));
    }
    let parent = parent_folder(source);
    let target = format!("{parent}{new_name}/");
    if !state.folder_exists(source) {
        return Err(no_such_folder(source));
    }
    let taken =
        state.folder_exists(&target) || state.paths.contains_key(&format!("{parent}{new_name}"));
    if target != source && taken {
        return Err(LibraryError::Conflict {
            message: format!("A folder or file named {new_name} already exists in {parent}."),
            reason: "FOLDER_ALREADY_EXISTS".into(),
        });
    }
    Ok(target)
}

/// Marks the job completed, inside the state change that did its work.
fn complete(state: &mut Library, job_id: &str) {
    if let Some(job) = state.jobs.get_mut(job_id) {
        job.completed = true;
        job.failure = None;
    }
}

/// A file to copy: destination folder, name, versions.
type PlannedCopy = (String, String, Vec<Version>);

/// Copies `source` (its folders, files and, with `all_versions`, every
/// version) to `target` for the bulk job `job_id`, completing the job in the
/// same saved change.
pub async fn copy_folder(
    store: &Store,
    events: &Events,
    job_id: &str,
    source: &str,
    target: &str,
    all_versions: bool,
) -> LibraryResult<()> {
    let now = now_ms();
    let (folders, files): (Vec<String>, Vec<PlannedCopy>) = {
        let state = store.read();
        let folders = state
            .folders
            .keys()
            .filter(|p| p.starts_with(source))
            .map(|p| format!("{target}{}", &p[source.len()..]))
            .collect();
        let files = state
            .files
            .values()
            .filter(|f| f.folder.starts_with(source))
            .map(|f| {
                (
                    format!("{target}{}", &f.folder[source.len()..]),
                    f.name.clone(),
                    ordered_versions(f, all_versions),
                )
            })
            .collect();
        (folders, files)
    };
    let mut copies = Vec::with_capacity(files.len());
    for (folder, name, versions) in files {
        copies.push((
            folder,
            name,
            duplicate_versions(store, versions, now).await?,
        ));
    }
    let mut state = store.begin();
    state.ensure_folders(target, now);
    for folder in folders {
        state.ensure_folders(&folder, now);
    }
    let mut outbox = Outbox::default();
    for (folder, name, versions) in copies {
        place_versions(&mut state, &folder, &name, versions, now, &mut outbox);
    }
    complete(&mut state, job_id);
    state.commit().await?;
    events.publish(outbox);
    Ok(())
}

/// Moves (or renames) `source` to `target` for the bulk job `job_id`,
/// completing the job in the same saved change.
pub async fn move_folder(
    store: &Store,
    events: &Events,
    job_id: &str,
    source: &str,
    target: &str,
) -> LibraryResult<()> {
    let now = now_ms();
    let mut state = store.begin();
    let mut outbox = Outbox::default();
    {
        let folders: Vec<String> = state
            .folders
            .keys()
            .filter(|p| p.starts_with(source))
            .cloned()
            .collect();
        let files: Vec<(String, String, String)> = state
            .files
            .values()
            .filter(|f| f.folder.starts_with(source))
            .map(|f| {
                (
                    f.id.clone(),
                    format!("{target}{}", &f.folder[source.len()..]),
                    f.name.clone(),
                )
            })
            .collect();
        state.ensure_folders(target, now);
        for folder in &folders {
            state.ensure_folders(&format!("{target}{}", &folder[source.len()..]), now);
        }
        if source != target {
            for (id, folder, name) in files {
                relocate(&mut state, &id, &folder, &name, now, &mut outbox);
            }
            state.folders.retain(|p, _| !p.starts_with(source));
        }
        complete(&mut state, job_id);
    }
    state.commit().await?;
    events.publish(outbox);
    Ok(())
}

/// Records a pending job of `kind` (and the purge of `purge_url`, which the
/// job names), saves it and schedules its work. Returns the job id (or the
/// save's error; the job still runs).
pub async fn spawn_job(
    store: &Arc<Store>,
    events: &Events,
    delays: Delays,
    kind: &str,
    work: JobWork,
    purge_url: Option<String>,
) -> LibraryResult<String> {
    let id = new_id();
    let mut state = store.begin();
    let purge_request_id = purge_url.map(|url| submit_purge(&mut state, delays.purge, &url));
    state.jobs.insert(
        id.clone(),
        BulkJob {
            id: id.clone(),
            kind: kind.into(),
            completed: false,
            failure: None,
            work: Some(work.clone()),
            purge_request_id,
        },
    );
    let saved = state.commit().await;
    schedule(store.clone(), events.clone(), delays.job, id.clone(), work);
    saved?;
    Ok(id)
}

/// Runs a job's work after the configured delay; a failure is recorded on the
/// job with its reason.
fn schedule(store: Arc<Store>, events: Events, delay: Duration, job_id: String, work: JobWork) {
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        let result = match &work {
            JobWork::Copy {
                source,
                target,
                all_versions,
            } => copy_folder(&store, &events, &job_id, source, target, *all_versions).await,
            JobWork::Move { source, target } => {
                move_folder(&store, &events, &job_id, source, target).await
            }
        };
        if let Err(e) = result {
            let mut state = store.begin();
            if let Some(job) = state.jobs.get_mut(&job_id) {
                job.failure = Some(e.to_string());
            }
            if let Err(e) = state.commit().await {
                eprintln!("imagekit-local-server: bulk job {job_id}: {e}");
            }
        }
    });
}

/// Schedules again every job still pending in a loaded state (a restart with
/// `--data-dir`). A pending job from a state file older than recorded work
/// cannot resume and is marked failed.
pub async fn resume(store: &Arc<Store>, events: &Events, job_delay: Duration) -> LibraryResult<()> {
    let pending: Vec<(String, Option<JobWork>)> = store
        .read()
        .jobs
        .values()
        .filter(|j| !j.completed && j.failure.is_none())
        .map(|j| (j.id.clone(), j.work.clone()))
        .collect();
    let mut state = store.begin();
    for (id, work) in pending {
        match work {
            Some(work) => schedule(store.clone(), events.clone(), job_delay, id, work),
            None => {
                if let Some(job) = state.jobs.get_mut(&id) {
                    job.failure = Some("The server stopped before the job ran.".into());
                }
            }
        }
    }
    state.commit().await?;
    Ok(())
}
