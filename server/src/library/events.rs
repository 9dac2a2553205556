//! What happened to the media library, as domain events: a file created,
//! updated or deleted, a version created or deleted, an upload's pre- and
//! post-transformations done or failed. The library notes them in an
//! [`Outbox`] while it makes a change and publishes them to [`Events`] once
//! the change is saved (a change that fails to save tells nobody). Who
//! listens (the webhooks) is not the library's concern: nothing of HTTP here.

use serde_json::Value;
use tokio::sync::mpsc;

use crate::storage::{FileRecord, State as Library, Version};
use crate::timestamp::now_ms;

/// A file as it was when the event happened: the record (without its other
/// versions) and the version the event is about.
#[derive(Debug, Clone)]
pub struct FileSnapshot {
    pub file: FileRecord,
    pub version: Version,
}

impl FileSnapshot {
    /// `version_id` of the file `id` in `state` (the current one when `None`).
    pub fn of(state: &Library, id: &str, version_id: Option<&str>) -> Option<FileSnapshot> {
        let file = state.files.get(id)?;
        let version = match version_id {
            Some(v) => file.version(v)?,
            None => file.current_version()?,
        };
        Some(FileSnapshot {
            file: FileRecord {
                id: file.id.clone(),
                folder: file.folder.clone(),
                name: file.name.clone(),
                created_at: file.created_at,
                updated_at: file.updated_at,
                seq: file.seq,
                current: file.current.clone(),
                versions: Vec::new(),
            },
            version: version.clone(),
        })
    }
}

/// The upload request an `upload.*` event answers.
#[derive(Debug, Clone)]
pub struct UploadRequest {
    /// A unique id of the upload request (`request.x_request_id`).
    pub request_id: String,
    /// The upload's `webhookUrl`, which receives its `upload.*` events too.
    pub webhook_url: Option<String>,
}

impl UploadRequest {
    pub fn new(webhook_url: Option<String>) -> Self {
        UploadRequest {
            request_id: uuid::Uuid::new_v4().to_string(),
            webhook_url,
        }
    }
}

/// One post-transformation an upload asked for: `{"type", "value", "protocol"}`.
#[derive(Debug, Clone, PartialEq)]
pub struct PostStep {
    pub kind: String,
    pub value: Option<String>,
    pub protocol: Option<String>,
}

impl PostStep {
    /// The steps of an upload's `transformation.post` (validated already).
    pub fn all(transformation: Option<&Value>) -> Vec<PostStep> {
        let text =
            |step: &Value, key: &str| step.get(key).and_then(Value::as_str).map(String::from);
        transformation
            .and_then(|t| t.get("post"))
            .and_then(Value::as_array)
            .map(|steps| {
                steps
                    .iter()
                    .map(|step| PostStep {
                        kind: text(step, "type").unwrap_or_default(),
                        value: text(step, "value"),
                        protocol: text(step, "protocol"),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// What happened.
#[derive(Debug, Clone)]
pub enum EventKind {
    /// A new file (an upload to a new path, a copy to a free one).
    FileCreated(FileSnapshot),
    /// A file's details, publication, tags, current version, name or folder changed.
    FileUpdated(FileSnapshot),
    FileDeleted {
        file_id: String,
    },
    /// A version added to an existing file (an upload, copy or move onto its path).
    FileVersionCreated(FileSnapshot),
    FileVersionDeleted {
        file_id: String,
        version_id: String,
    },
    /// The upload's `pre` transformation was applied; the upload as stored.
    PreTransformSuccess {
        request: UploadRequest,
        transformation: String,
        upload: FileSnapshot,
    },
    /// The upload's `pre` transformation could not be applied (the upload
    /// failed, or was stored untransformed).
    PreTransformError {
        request: UploadRequest,
        transformation: String,
        name: String,
        path: String,
        reason: String,
    },
    /// A `post` transformation of the upload is ready.
    PostTransformSuccess {
        request: UploadRequest,
        step: PostStep,
        file: FileSnapshot,
    },
    /// A `post` transformation of the upload could not be made.
    PostTransformError {
        request: UploadRequest,
        step: PostStep,
        file: FileSnapshot,
        reason: String,
    },
}

/// An event and when it happened.
#[derive(Debug, Clone)]
pub struct Event {
    pub at: i64,
    pub kind: EventKind,
}

impl Event {
    pub fn now(kind: EventKind) -> Event {
        Event { at: now_ms(), kind }
    }

    /// ImageKit's name of the event type (`file.created`, ...).
    pub fn type_name(&self) -> &'static str {
        match &self.kind {
            EventKind::FileCreated(_) => "file.created",
            EventKind::FileUpdated(_) => "file.updated",
            EventKind::FileDeleted { .. } => "file.deleted",
            EventKind::FileVersionCreated(_) => "file-version.created",
            EventKind::FileVersionDeleted { .. } => "file-version.deleted",
            EventKind::PreTransformSuccess { .. } => "upload.pre-transform.success",
            EventKind::PreTransformError { .. } => "upload.pre-transform.error",
            EventKind::PostTransformSuccess { .. } => "upload.post-transform.success",
            EventKind::PostTransformError { .. } => "upload.post-transform.error",
        }
    }

    /// The upload request the event answers (`upload.*` events only).
    pub fn upload_request(&self) -> Option<&UploadRequest> {
        match &self.kind {
            EventKind::PreTransformSuccess { request, .. }
            | EventKind::PreTransformError { request, .. }
            | EventKind::PostTransformSuccess { request, .. }
            | EventKind::PostTransformError { request, .. } => Some(request),
            _ => None,
        }
    }
}

/// The events a change notes while it is made, published once it is saved.
#[derive(Debug, Default)]
#[must_use = "noted events reach nobody until published"]
pub struct Outbox(Vec<Event>);

impl Outbox {
    pub fn push(&mut self, kind: EventKind) {
        self.0.push(Event::now(kind));
    }

    pub fn file_created(&mut self, state: &Library, id: &str) {
        if let Some(snapshot) = FileSnapshot::of(state, id, None) {
            self.push(EventKind::FileCreated(snapshot));
        }
    }

    pub fn file_updated(&mut self, state: &Library, id: &str) {
        if let Some(snapshot) = FileSnapshot::of(state, id, None) {
            self.push(EventKind::FileUpdated(snapshot));
        }
    }

    pub fn version_created(&mut self, state: &Library, id: &str, version_id: &str) {
        if let Some(snapshot) = FileSnapshot::of(state, id, Some(version_id)) {
            self.push(EventKind::FileVersionCreated(snapshot));
        }
    }

    pub fn file_deleted(&mut self, id: &str) {
        self.push(EventKind::FileDeleted {
            file_id: id.to_string(),
        });
    }

    pub fn version_deleted(&mut self, id: &str, version_id: &str) {
        self.push(EventKind::FileVersionDeleted {
            file_id: id.to_string(),
            version_id: version_id.to_string(),
        });
    }

    pub fn events(&self) -> &[Event] {
        &self.0
    }
}

/// Where published events go: a channel to whoever listens (the webhooks),
/// or nowhere. Cheap to clone; publishing never waits.
#[derive(Debug, Clone, Default)]
pub struct Events(Option<mpsc::UnboundedSender<Event>>);

impl Events {
    /// A sink and the receiving end of its events.
    pub fn channel() -> (Events, mpsc::UnboundedReceiver<Event>) {
        let (sender, receiver) = mpsc::unbounded_channel();
        (Events(Some(sender)), receiver)
    }

    /// A sink that drops every event.
    pub fn none() -> Events {
        Events(None)
    }

    /// Publishes the events of a saved change, in the order they were noted.
    pub fn publish(&self, outbox: Outbox) {
        if let Some(sender) = &self.0 {
            for event in outbox.0 {
                // A closed channel means nobody listens any more.
                let _ = sender.send(event);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn post_steps_are_read_from_the_transformation() {
        let t = json!({"pre": "w-10", "post": [
            {"type": "transformation", "value": "h-20"},
            {"type": "abs", "value": "sr-240_360", "protocol": "hls"},
            {"type": "thumbnail"}
        ]});
        let steps = PostStep::all(Some(&t));
        assert_eq!(steps.len(), 3);
        assert_eq!(steps[0].kind, "transformation");
        assert_eq!(steps[0].value.as_deref(), Some("h-20"));
        assert_eq!(steps[1].protocol.as_deref(), Some("hls"));
        assert_eq!(steps[2].value, None);
        assert!(PostStep::all(None).is_empty());
        assert!(PostStep::all(Some(&json!({"pre": "w-1"}))).is_empty());
    }

    #[tokio::test]
    async fn published_events_arrive_in_order() {
        let (events, mut receiver) = Events::channel();
        let mut outbox = Outbox::default();
        outbox.file_deleted("a");
        outbox.version_deleted("b", "v");
        events.publish(outbox);
        assert_eq!(receiver.recv().await.unwrap().type_name(), "file.deleted");
        assert_eq!(
            receiver.recv().await.unwrap().type_name(),
            "file-version.deleted"
        );
        Events::none().publish(Outbox::default());
    }
}
