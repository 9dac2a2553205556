//! Uploads from a Node stream: the stream is read in JavaScript (`for await`, in
//! `imagekit.js`) and each chunk is handed to an `UploadSink`, whose `write` resolves
//! only when the request body has room for it, so a large file never piles up in memory.
//!
//! The body is `imagekit::upload_source`: only `end()` completes it. A failing source, a chunk
//! that is not bytes, or a sink garbage-collected before the end aborts the request. The
//! reader records the source's own error on the state object it returns, and the call
//! settles with that error (see `request.rs`).

use std::sync::{Mutex, MutexGuard};

use bytes::Bytes;
use napi::bindgen_prelude::Uint8Array;
use napi::Result;
use napi_derive::napi;

use super::ffi::{Js, Value};
use super::shim;
use imagekit::upload_source::{self, SourceBody, SourceWriter};

/// Chunks buffered between the stream and the socket (64 KiB each from `fs` streams).
const BUFFERED_CHUNKS: usize = 16;

/// A stream to read once the call is sent, and the sink its chunks go to.
#[derive(Clone, Copy)]
pub struct PendingSource<'s> {
    stream: Value<'s>,
    sink: Value<'s>,
}

/// The body for `stream`, which is read only when [`start`] is called: a call that fails
/// validation never touches the stream.
pub fn prepare<'s>(js: Js<'s>, stream: Value<'s>) -> Result<(SourceBody, PendingSource<'s>)> {
    shim::stream_reader(js)?;
    let (writer, body) = upload_source::channel(BUFFERED_CHUNKS);
    let sink = js.native(UploadSink {
        writer: Mutex::new(writer),
    })?;
    Ok((body, PendingSource { stream, sink }))
}

/// Starts reading; returns the reader's state object.
pub fn start<'s>(js: Js<'s>, source: PendingSource<'s>) -> Result<Value<'s>> {
    let reader = shim::stream_reader(js)?;
    js.call(js.undefined()?, reader, &[source.stream, source.sink])
}

/// The source's own error, when reading it failed.
pub fn failure<'s>(js: Js<'s>, state: Value<'s>) -> Result<Option<Value<'s>>> {
    if js.truthy(js.get(state, c"failed")?)? {
        Ok(Some(js.get(state, c"error")?))
    } else {
        Ok(None)
    }
}

/// Internal: where `imagekit.js` writes the chunks of a stream being uploaded.
#[napi]
pub struct UploadSink {
    writer: Mutex<SourceWriter>,
}

impl UploadSink {
    fn writer(&self) -> MutexGuard<'_, SourceWriter> {
        // A poisoned lock still holds a usable writer: its state is one atomic.
        self.writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[napi]
impl UploadSink {
    /// Queues a chunk once there is room: true, or false when the request no longer
    /// reads the body (it has ended), so the reader stops.
    #[napi(catch_unwind)]
    pub async fn write(&self, chunk: Uint8Array) -> bool {
        let chunks = self.writer().chunks();
        match chunks {
            Some(chunks) => chunks.send(Bytes::from_owner(chunk)).await,
            None => false,
        }
    }

    /// The stream ended: the body is complete.
    #[napi(catch_unwind)]
    pub fn end(&self) {
        self.writer().end();
    }

    /// The stream failed: the request is aborted.
    #[napi(catch_unwind)]
    pub fn fail(&self) {
        self.writer().fail();
    }
}
