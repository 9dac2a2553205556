//! What `imagekit.js`, the package entry, hands the native class at load: the functions
//! that are JavaScript by nature (reading a Node stream; `verifyWebhookEvent`, an own
//! property of every instance in v6).

use std::cell::Cell;

use napi::bindgen_prelude::{Env, Unknown};
use napi::{sys, Result};
use napi_derive::napi;

use super::js::{Js, Value};

thread_local! {
    /// References kept for the life of the environment: the stream reader and the
    /// webhook verifier.
    static SHIM: Cell<Option<(sys::napi_ref, sys::napi_ref)>> = const { Cell::new(None) };
}

/// Internal: registers `(stream, sink) => state`, which pumps a stream into an upload
/// sink, and the `verifyWebhookEvent` function every instance gets.
#[napi(skip_typescript, catch_unwind)]
#[cfg_attr(test, allow(dead_code))] // only JavaScript calls it
pub fn register_shim(
    env: Env,
    stream_reader: Unknown,
    verify_webhook_event: Unknown,
) -> Result<()> {
    let js = Js::of(&env);
    let reader = js.reference(Value::of(&stream_reader))?;
    let verifier = js.reference(Value::of(&verify_webhook_event))?;
    SHIM.with(|shim| shim.set(Some((reader, verifier))));
    Ok(())
}

fn registered(js: Js, pick: fn((sys::napi_ref, sys::napi_ref)) -> sys::napi_ref) -> Result<Value> {
    match SHIM.with(Cell::get) {
        Some(shim) => js.reference_value(pick(shim)),
        None => Err(js.throw_error("the native class needs the package entry (imagekit.js)")),
    }
}

pub fn stream_reader(js: Js) -> Result<Value> {
    registered(js, |(reader, _)| reader)
}

pub fn verify_webhook_event(js: Js) -> Result<Value> {
    registered(js, |(_, verifier)| verifier)
}
