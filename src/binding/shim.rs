//! What `imagekit.js`, the package entry, hands the native class at load: the functions
//! that are JavaScript by nature (reading a Node stream; `verifyWebhookEvent`, an own
//! property of every instance in v6; listening to an `AbortSignal`; logging) and the symbol under
//! which an instance made by `withOptions` keeps its signal.

use std::cell::Cell;

use napi::bindgen_prelude::{Env, Unknown};
use napi::{sys, Result};
use napi_derive::napi;

use super::ffi::{Js, Value};

/// References kept for the life of the environment.
#[derive(Clone, Copy)]
struct Shim {
    stream_reader: sys::napi_ref,
    verify_webhook_event: sys::napi_ref,
    signal_key: sys::napi_ref,
    listen: sys::napi_ref,
    log_sink: sys::napi_ref,
    has_call_options: sys::napi_ref,
    plus: sys::napi_ref,
}

thread_local! {
    static SHIM: Cell<Option<Shim>> = const { Cell::new(None) };
}

/// Internal: registers `(stream, sink) => state`, which pumps a stream into an upload
/// sink; the `verifyWebhookEvent` function every instance gets; the symbol an instance's
/// signal is kept under; `(signal, handle) => unlisten`, which calls `handle.abort()`
/// when the signal aborts; `(logger) => (level, message, fields) => void`, which logs to
/// `logger` (or `console`); and `(options) => boolean`, whether `options` holds any of the
/// options v6 lacks that a call reads; and `(a, b) => a + b`, JavaScript's `+`.
#[napi(skip_typescript, catch_unwind)]
#[cfg_attr(test, allow(dead_code))] // only JavaScript calls it
pub fn register_shim(
    env: Env,
    stream_reader: Unknown,
    verify_webhook_event: Unknown,
    signal_key: Unknown,
    listen: Unknown,
    log_sink: Unknown,
    has_call_options: Unknown,
    plus: Unknown,
) -> Result<()> {
    let js = Js::of(&env);
    let shim = Shim {
        stream_reader: js.reference(Value::of(&stream_reader))?,
        verify_webhook_event: js.reference(Value::of(&verify_webhook_event))?,
        signal_key: js.reference(Value::of(&signal_key))?,
        listen: js.reference(Value::of(&listen))?,
        log_sink: js.reference(Value::of(&log_sink))?,
        has_call_options: js.reference(Value::of(&has_call_options))?,
        plus: js.reference(Value::of(&plus))?,
    };
    SHIM.with(|cell| cell.set(Some(shim)));
    Ok(())
}

fn registered(js: Js, pick: fn(Shim) -> sys::napi_ref) -> Result<Value> {
    match SHIM.with(Cell::get) {
        Some(shim) => js.reference_value(pick(shim)),
        None => Err(js.throw_error("the native class needs the package entry (imagekit.js)")),
    }
}

pub fn stream_reader(js: Js) -> Result<Value> {
    registered(js, |shim| shim.stream_reader)
}

pub fn verify_webhook_event(js: Js) -> Result<Value> {
    registered(js, |shim| shim.verify_webhook_event)
}

pub fn signal_key(js: Js) -> Result<Value> {
    registered(js, |shim| shim.signal_key)
}

pub fn listen(js: Js) -> Result<Value> {
    registered(js, |shim| shim.listen)
}

pub fn log_sink(js: Js) -> Result<Value> {
    registered(js, |shim| shim.log_sink)
}

/// Whether `options` holds an option v6 lacks that a call reads.
pub fn has_call_options(js: Js, options: Value) -> Result<bool> {
    let check = registered(js, |shim| shim.has_call_options)?;
    js.truthy(js.call(js.undefined()?, check, &[options])?)
}

/// `left + right`, by JavaScript's own operator.
pub fn plus(js: Js, left: Value, right: Value) -> Result<Value> {
    let plus = registered(js, |shim| shim.plus)?;
    js.call(js.undefined()?, plus, &[left, right])
}
