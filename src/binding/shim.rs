//! What `imagekit.js`, the package entry, hands the native class at load: the functions
//! that are JavaScript by nature (reading a Node stream; `verifyWebhookEvent`, an own
//! property of every instance in v6; listening to an `AbortSignal`; logging) and the symbol under
//! which an instance made by `withOptions` keeps its signal.

use std::cell::Cell;
use std::ffi::CStr;

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

/// Internal: registers, from one object, `streamReader: (stream, sink) => state`, which
/// pumps a stream into an upload sink; `verifyWebhookEvent`, the function every instance
/// gets; `signalKey`, the symbol an instance's signal is kept under; `listen: (signal,
/// handle) => unlisten`, which calls `handle.abort()` when the signal aborts; `logSink:
/// (logger) => (level, message, fields) => void`, which logs to `logger` (or `console`);
/// `plus: (a, b) => a + b`, JavaScript's `+`; and `progressSink: (onProgress) => (loaded,
/// total, last) => void`, which reports an upload's progress until its last report.
#[napi(skip_typescript, catch_unwind)]
#[cfg_attr(test, allow(dead_code))] // only JavaScript calls it
pub fn register_shim<'s>(env: &'s Env, shims: Unknown<'s>) -> Result<()> {
    let js = Js::of(env);
    let shims = Value::of(&shims);
    let kept =
        |name: &CStr| -> Result<Kept> { Ok(Reference::new(js, js.get(shims, name)?)?.keep()) };
    let shim = Shim {
        stream_reader: kept(c"streamReader")?,
        verify_webhook_event: kept(c"verifyWebhookEvent")?,
        signal_key: kept(c"signalKey")?,
        listen: kept(c"listen")?,
        log_sink: kept(c"logSink")?,
        plus: kept(c"plus")?,
        progress_sink: kept(c"progressSink")?,
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
