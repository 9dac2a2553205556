//! Uploads from a Node `Readable`: the stream is read in JavaScript (`for await`, in
//! `imagekit.js`) and each chunk is handed to an `UploadSink`, whose `write` resolves
//! only when the request body has room for it, so a large file never piles up in memory.

use std::cell::Cell;
use std::sync::Mutex;

use bytes::Bytes;
use napi::bindgen_prelude::{Env, ToNapiValue, Uint8Array, Unknown};
use napi::{sys, JsValue, Result};
use napi_derive::napi;
use tokio::sync::mpsc;

use super::js::{Js, Value};
use crate::http::Chunk;

/// Chunks buffered between the stream and the socket (64 KiB each from `fs` streams).
const BUFFERED_CHUNKS: usize = 16;

thread_local! {
    /// The reader function `imagekit.js` registers, kept for the life of the environment.
    static READER: Cell<sys::napi_ref> = const { Cell::new(std::ptr::null_mut()) };
}

/// Registers the function that pumps a stream into a sink: `(stream, sink) => void`.
#[napi(skip_typescript)]
#[cfg_attr(test, allow(dead_code))] // only JavaScript calls it
pub fn register_stream_reader(env: Env, reader: Unknown) -> Result<()> {
    let mut reference = std::ptr::null_mut();
    let status = unsafe { sys::napi_create_reference(env.raw(), reader.raw(), 1, &mut reference) };
    if status != sys::Status::napi_ok {
        return Err(napi::Error::from_reason("could not keep the stream reader"));
    }
    READER.with(|reader| reader.set(reference));
    Ok(())
}

/// Starts reading `stream` and returns the receiving end of its chunks.
pub fn read_from_js(js: Js, stream: Value) -> Result<mpsc::Receiver<Chunk>> {
    let reference = READER.with(Cell::get);
    if reference.is_null() {
        return Err(js.throw_error("stream uploads need the package entry (imagekit.js)"));
    }
    let mut reader = std::ptr::null_mut();
    unsafe { sys::napi_get_reference_value(js.0, reference, &mut reader) };
    let (sender, receiver) = mpsc::channel(BUFFERED_CHUNKS);
    let sink = UploadSink {
        sender: Mutex::new(Some(sender)),
    };
    let sink = unsafe { UploadSink::to_napi_value(js.0, sink)? };
    js.call(js.undefined()?, Value(reader), &[stream, Value(sink)])?;
    Ok(receiver)
}

/// Internal: where `imagekit.js` writes the chunks of a stream being uploaded.
#[napi]
pub struct UploadSink {
    sender: Mutex<Option<mpsc::Sender<Chunk>>>,
}

#[napi]
impl UploadSink {
    fn sender(&self) -> Option<mpsc::Sender<Chunk>> {
        self.sender.lock().ok().and_then(|sender| sender.clone())
    }

    /// Queues a chunk; resolves once there is room, rejects when the upload has ended.
    #[napi]
    pub async fn write(&self, chunk: Uint8Array) -> Result<()> {
        let sender = self
            .sender()
            .ok_or_else(|| napi::Error::from_reason("upload ended"))?;
        sender
            .send(Ok(Bytes::from_owner(chunk)))
            .await
            .map_err(|_| napi::Error::from_reason("upload ended"))
    }

    /// The stream ended: the body is complete.
    #[napi]
    pub fn end(&self) {
        if let Ok(mut sender) = self.sender.lock() {
            sender.take();
        }
    }

    /// The stream failed: the request is aborted with this reason.
    #[napi]
    pub fn fail(&self, message: String) {
        if let Some(sender) = self.sender.lock().ok().and_then(|mut sender| sender.take()) {
            let _ = sender.try_send(Err(std::io::Error::other(message)));
        }
    }
}
