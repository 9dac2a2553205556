//! What `imagekit.js`, the package entry, hands the native class at load: the functions
//! that are JavaScript by nature (reading a Node stream; `verifyWebhookEvent`, an own
//! property of every instance in v6; listening to an `AbortSignal`; logging) and the symbol under
//! which an instance made by `withOptions` keeps its signal.

use std::cell::Cell;

use napi::bindgen_prelude::{Env, Unknown};
use napi::Result;
use napi_derive::napi;

use super::ffi::{Js, Kept, Reference, Value};

/// References kept for the life of the environment.
#[derive(Clone, Copy)]
struct Shim {
    stream_reader: Kept,
    verify_webhook_event: Kept,
    signal_key: Kept,
    listen: Kept,
    log_sink: Kept,
    plus: Kept,
    progress_sink: Kept,
}

thread_local! {
    static SHIM: Cell<Option<Shim>> = const { Cell::new(None) };
}

/// Internal: registers `(stream, sink) => state`, which pumps a stream into an upload
/// sink; the `verifyWebhookEvent` function every instance gets; the symbol an instance's
/// signal is kept under; `(signal, handle) => unlisten`, which calls `handle.abort()`
/// when the signal aborts; `(logger) => (level, message, fields) => void`, which logs to
/// `logger` (or `console`); `(a, b) => a + b`, JavaScript's `+`; and `(onProgress) =>
/// (loaded, total, last) => void`, which reports an upload's progress until its last report.
#[napi(skip_typescript, catch_unwind)]
#[cfg_attr(test, allow(dead_code))] // only JavaScript calls it
pub fn register_shim<'s>(
    env: &'s Env,
    stream_reader: Unknown<'s>,
    verify_webhook_event: Unknown<'s>,
    signal_key: Unknown<'s>,
    listen: Unknown<'s>,
    log_sink: Unknown<'s>,
    plus: Unknown<'s>,
    progress_sink: Unknown<'s>,
) -> Result<()> {
    let js = Js::of(env);
    let shim = Shim {
        stream_reader: Reference::new(js, Value::of(&stream_reader))?.keep(),
        verify_webhook_event: Reference::new(js, Value::of(&verify_webhook_event))?.keep(),
        signal_key: Reference::new(js, Value::of(&signal_key))?.keep(),
        listen: Reference::new(js, Value::of(&listen))?.keep(),
        log_sink: Reference::new(js, Value::of(&log_sink))?.keep(),
        plus: Reference::new(js, Value::of(&plus))?.keep(),
        progress_sink: Reference::new(js, Value::of(&progress_sink))?.keep(),
    };
    SHIM.with(|cell| cell.set(Some(shim)));
    Ok(())
}

fn registered<'s>(js: Js<'s>, pick: fn(Shim) -> Kept) -> Result<Value<'s>> {
    match SHIM.with(Cell::get) {
        Some(shim) => pick(shim).value(js),
        None => Err(js.throw_error("the native class needs the package entry (imagekit.js)")),
    }
}

pub fn stream_reader<'s>(js: Js<'s>) -> Result<Value<'s>> {
    registered(js, |shim| shim.stream_reader)
}

pub fn verify_webhook_event<'s>(js: Js<'s>) -> Result<Value<'s>> {
    registered(js, |shim| shim.verify_webhook_event)
}

pub fn signal_key<'s>(js: Js<'s>) -> Result<Value<'s>> {
    registered(js, |shim| shim.signal_key)
}

pub fn listen<'s>(js: Js<'s>) -> Result<Value<'s>> {
    registered(js, |shim| shim.listen)
}

pub fn log_sink<'s>(js: Js<'s>) -> Result<Value<'s>> {
    registered(js, |shim| shim.log_sink)
}

pub fn progress_sink<'s>(js: Js<'s>) -> Result<Value<'s>> {
    registered(js, |shim| shim.progress_sink)
}

/// `left + right`, by JavaScript's own operator.
pub fn plus<'s>(js: Js<'s>, left: Value<'s>, right: Value<'s>) -> Result<Value<'s>> {
    let plus = registered(js, |shim| shim.plus)?;
    js.call(js.undefined()?, plus, &[left, right])
}
