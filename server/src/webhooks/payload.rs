//! An event as the JSON body ImageKit POSTs: `type`, `id`, `created_at`,
//! `request` (the `upload.*` events) and `data`, in that order (ImageKit's
//! example payloads), each shape as `@imagekit/nodejs` 7.11 types it
//! (`resources/webhooks.d.ts`). The files in `data` are drawn by the HTTP
//! layer's views, through [`Render`].

use serde::Serialize;
use serde_json::{json, Value};

use crate::library::events::{Event, EventKind, FileSnapshot, PostStep};
use crate::storage::{FileRecord, Version};
use crate::timestamp::to_iso;

/// How the API shows files, provided by the HTTP layer (its views).
pub trait Render: Send + Sync {
    /// A file or file version as the media API shows it (v7's `FilesAPI.File`).
    fn file(&self, file: &FileRecord, version: &Version) -> Value;
    /// The upload API's answer for this version (no `responseFields` asked).
    fn upload(&self, file: &FileRecord, version: &Version) -> Value;
    /// The delivery URL of this version of the file.
    fn url(&self, file: &FileRecord, version: &Version) -> String;
}

#[derive(Serialize)]
struct Body<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    id: &'a str,
    created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    request: Option<Value>,
    data: Value,
}

/// The URL of a post-transformation of `file`, in ImageKit's forms: `?tr=` for
/// a `transformation`, `/ik-thumbnail.jpg`, `/ik-master.m3u8` (HLS) or
/// `/ik-master.mpd` (DASH) for `abs`, `/ik-gif-video.mp4` for `gif-to-video`.
fn post_url(render: &dyn Render, file: &FileSnapshot, step: &PostStep) -> String {
    let base = render.url(&file.file, &file.version);
    let (base, query) = match base.split_once('?') {
        Some((path, query)) => (path.to_string(), Some(query.to_string())),
        None => (base, None),
    };
    let path = match step.kind.as_str() {
        "thumbnail" => format!("{base}/ik-thumbnail.jpg"),
        "gif-to-video" => format!("{base}/ik-gif-video.mp4"),
        "abs" if step.protocol.as_deref() == Some("dash") => format!("{base}/ik-master.mpd"),
        "abs" => format!("{base}/ik-master.m3u8"),
        _ => base,
    };
    let params: Vec<String> = query
        .into_iter()
        .chain(
            step.value
                .as_ref()
                .filter(|v| !v.is_empty())
                .map(|v| format!("tr={v}")),
        )
        .collect();
    if params.is_empty() {
        path
    } else {
        format!("{path}?{}", params.join("&"))
    }
}

fn post_request(request_id: &str, step: &PostStep) -> Value {
    let mut transformation = json!({ "type": step.kind });
    if let Some(value) = &step.value {
        transformation["value"] = json!(value);
    }
    if let Some(protocol) = &step.protocol {
        transformation["protocol"] = json!(protocol);
    }
    json!({ "x_request_id": request_id, "transformation": transformation })
}

/// The JSON body of `event`, whose id is `id`.
pub fn body(render: &dyn Render, event: &Event, id: &str) -> Vec<u8> {
    let (request, data) = match &event.kind {
        EventKind::FileCreated(s)
        | EventKind::FileUpdated(s)
        | EventKind::FileVersionCreated(s) => (None, render.file(&s.file, &s.version)),
        EventKind::FileDeleted { file_id } => (None, json!({ "fileId": file_id })),
        EventKind::FileVersionDeleted {
            file_id,
            version_id,
        } => (None, json!({ "fileId": file_id, "versionId": version_id })),
        EventKind::PreTransformSuccess {
            request,
            transformation,
            upload,
        } => (
            Some(json!({ "x_request_id": request.request_id, "transformation": transformation })),
            render.upload(&upload.file, &upload.version),
        ),
        EventKind::PreTransformError {
            request,
            transformation,
            name,
            path,
            reason,
        } => (
            Some(json!({ "x_request_id": request.request_id, "transformation": transformation })),
            json!({ "name": name, "path": path, "transformation": { "error": { "reason": reason } } }),
        ),
        EventKind::PostTransformSuccess {
            request,
            step,
            file,
        } => (
            Some(post_request(&request.request_id, step)),
            json!({
                "fileId": file.file.id,
                "url": post_url(render, file, step),
                "name": file.file.name,
            }),
        ),
        EventKind::PostTransformError {
            request,
            step,
            file,
            reason,
        } => (
            Some(post_request(&request.request_id, step)),
            json!({
                "fileId": file.file.id,
                "url": post_url(render, file, step),
                "name": file.file.name,
                "path": file.file.path(),
                "transformation": { "error": { "reason": reason } },
            }),
        ),
    };
    let body = Body {
        kind: event.type_name(),
        id,
        created_at: to_iso(event.at),
        request,
        data,
    };
    serde_json::to_vec(&body).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::events::UploadRequest;

    struct Plain;

    impl Render for Plain {
        fn file(&self, file: &FileRecord, version: &Version) -> Value {
            json!({ "fileId": file.id, "versionInfo": { "id": version.id } })
        }
        fn upload(&self, file: &FileRecord, _: &Version) -> Value {
            json!({ "fileId": file.id, "name": file.name })
        }
        fn url(&self, file: &FileRecord, _: &Version) -> String {
            format!("http://127.0.0.1:1/local{}", file.path())
        }
    }

    fn snapshot() -> FileSnapshot {
        FileSnapshot {
            file: FileRecord {
                id: "f1".into(),
                folder: "/a/".into(),
                name: "v.mp4".into(),
                created_at: 0,
                updated_at: 0,
                seq: 1,
                current: "v1".into(),
                versions: Vec::new(),
            },
            version: Version::blank("v1"),
        }
    }

    fn parsed(kind: EventKind) -> Value {
        let event = Event { at: 0, kind };
        serde_json::from_slice(&body(&Plain, &event, "evt")).unwrap()
    }

    fn step(kind: &str, value: Option<&str>, protocol: Option<&str>) -> PostStep {
        PostStep {
            kind: kind.into(),
            value: value.map(String::from),
            protocol: protocol.map(String::from),
        }
    }

    #[test]
    fn file_events() {
        let created = parsed(EventKind::FileCreated(snapshot()));
        let keys: Vec<&String> = created.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["type", "id", "created_at", "data"]);
        assert_eq!(created["type"], "file.created");
        assert_eq!(created["created_at"], "1970-01-01T00:00:00.000Z");
        assert_eq!(created["data"]["fileId"], "f1");
        let deleted = parsed(EventKind::FileVersionDeleted {
            file_id: "f1".into(),
            version_id: "v0".into(),
        });
        assert_eq!(deleted["data"], json!({"fileId": "f1", "versionId": "v0"}));
    }

    #[test]
    fn upload_events() {
        let request = UploadRequest {
            request_id: "r1".into(),
            webhook_url: None,
        };
        let pre = parsed(EventKind::PreTransformError {
            request: request.clone(),
            transformation: "w-10".into(),
            name: "v.mp4".into(),
            path: "/a/v.mp4".into(),
            reason: "no".into(),
        });
        let keys: Vec<&String> = pre.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["type", "id", "created_at", "request", "data"]);
        assert_eq!(
            pre["request"],
            json!({"x_request_id": "r1", "transformation": "w-10"})
        );
        assert_eq!(pre["data"]["transformation"]["error"]["reason"], "no");

        let post = parsed(EventKind::PostTransformSuccess {
            request: request.clone(),
            step: step("transformation", Some("h-300"), None),
            file: snapshot(),
        });
        assert_eq!(
            post["request"]["transformation"],
            json!({"type": "transformation", "value": "h-300"})
        );
        assert_eq!(
            post["data"],
            json!({"fileId": "f1", "url": "http://127.0.0.1:1/local/a/v.mp4?tr=h-300", "name": "v.mp4"})
        );

        let base = "http://127.0.0.1:1/local/a/v.mp4";
        for (step, url) in [
            (
                step("thumbnail", None, None),
                format!("{base}/ik-thumbnail.jpg"),
            ),
            (
                step("abs", Some("sr-240_360"), Some("hls")),
                format!("{base}/ik-master.m3u8?tr=sr-240_360"),
            ),
            (
                step("abs", Some("sr-240"), Some("dash")),
                format!("{base}/ik-master.mpd?tr=sr-240"),
            ),
            (
                step("gif-to-video", Some("q-80"), None),
                format!("{base}/ik-gif-video.mp4?tr=q-80"),
            ),
        ] {
            let error = parsed(EventKind::PostTransformError {
                request: request.clone(),
                step,
                file: snapshot(),
                reason: "video".into(),
            });
            assert_eq!(error["data"]["url"], url);
            assert_eq!(error["data"]["path"], "/a/v.mp4");
        }
    }
}
