//! Cancelling a call with an `AbortSignal` (from `imagekit.withOptions({ signal })`): a
//! signal already aborted stops the call before anything is sent; otherwise `imagekit.js`
//! listens to it for the call's lifetime and calls [`AbortHandle::abort`], which ends the
//! request wherever it is (connecting, streaming an upload, waiting for the answer or for a
//! retry). The call then rejects with an `Error` named `AbortError` whose `cause` is the
//! signal's reason.

use napi::Result;
use napi_derive::napi;
use tokio_util::sync::CancellationToken;

use super::ffi::{Js, Value};
use super::shim;

/// Internal: what `imagekit.js` calls when the signal aborts.
#[napi]
pub struct AbortHandle {
    token: CancellationToken,
}

#[napi]
impl AbortHandle {
    /// The signal aborted: the call ends.
    #[napi(catch_unwind)]
    pub fn abort(&self) {
        self.token.cancel();
    }
}

/// A call's signal, while it runs.
pub struct Listening<'s> {
    pub token: CancellationToken,
    /// `() => void`: stops listening.
    pub unlisten: Value<'s>,
}

/// Whether `signal` is already aborted.
pub fn is_aborted<'s>(js: Js<'s>, signal: Value<'s>) -> Result<bool> {
    js.truthy(js.get(signal, c"aborted")?)
}

/// Starts listening to `signal`.
pub fn listen<'s>(js: Js<'s>, signal: Value<'s>) -> Result<Listening<'s>> {
    let token = CancellationToken::new();
    let handle = js.native(AbortHandle {
        token: token.clone(),
    })?;
    let unlisten = js.call(js.undefined()?, shim::listen(js)?, &[signal, handle])?;
    Ok(Listening { token, unlisten })
}

/// The rejection of an aborted call: `AbortError`, with the signal's reason as `cause`
/// (Node's own AbortError has the same name and code).
pub fn abort_error<'s>(js: Js<'s>, signal: Value<'s>) -> Result<Value<'s>> {
    let error = js.error("The operation was aborted")?;
    js.define_quiet(error, c"name", js.string("AbortError")?)?;
    js.set(error, c"code", js.string("ABORT_ERR")?)?;
    js.define_quiet(error, c"cause", js.get(signal, c"reason")?)?;
    Ok(error)
}
