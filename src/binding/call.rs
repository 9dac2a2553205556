//! Running an API call from JavaScript: v6's calling convention (a Promise, or a callback
//! taking `(error, result)`), the core's request sent on the instance's client, and the
//! outcome turned into v6's results and errors, in one place, on the JavaScript thread.

use std::sync::Arc;

use napi::bindgen_prelude::Env;
use napi::Result;

use super::host::Node;
use super::js::{Js, Value};
use super::outcome::{error_value, pending, result, throw_invalid};
use super::upload_stream;
use crate::api::{self, Endpoint, Failure, Invalid};
use crate::http::Client;

/// Calls `endpoint` with `args` and the instance's `options`; `callback` is the argument
/// after them. Returns the call's promise, or undefined in callback mode.
pub fn run(
    env: &Env,
    client: Arc<Client>,
    endpoint: &Endpoint,
    options: Value,
    args: &[Value],
    callback: Value,
) -> Result<Value> {
    let js = Js::of(env);
    let node = Node::new(js);
    let callback = match api::callback_mode(&node, callback) {
        Ok(mode) => mode.then_some(callback),
        Err(invalid) => return Err(throw_invalid(js, invalid)),
    };
    let request = match api::request(&node, endpoint, options, args) {
        Ok(request) => request,
        Err(invalid) => return refuse(env, callback, invalid),
    };
    let private_key = api::private_key(&node, options).map_err(|_| pending(js))?;
    let source = match node.take_source() {
        Some(source) => Some(Persistent::new(js, upload_stream::start(js, source)?)?),
        None => None,
    };
    let callback = Persistent::optional(js, callback)?;
    let returns_promise = callback.is_none();
    let future = async move { Ok(client.send(request, &private_key).await) };
    let promise = env.spawn_future_with_callback(future, move |env, outcome| {
        let js = Js::of(env);
        // A source that failed is the call's error, whatever the server made of the
        // aborted body.
        let failure = match source {
            Some(state) => upload_stream::failure(js, state.take(js)?)?,
            None => None,
        };
        let settled = match failure {
            Some(error) => Err(error),
            None => match api::answer(outcome) {
                Ok(response) => Ok(result(js, &response)?),
                Err(failure) => Err(error_value(js, failure)?),
            },
        };
        deliver(js, callback, settled)
    })?;
    returned(js, returns_promise, Value::of(&promise))
}

/// A call whose arguments fail: v6 reports `{ message, help }` synchronously (to the
/// callback, or as a rejected promise), throws what reading the arguments threw (or
/// rejects with it: v6 reads them inside the Promise executor), and reports a deferred
/// error asynchronously.
fn refuse(env: &Env, callback: Option<Value>, invalid: Invalid) -> Result<Value> {
    let js = Js::of(env);
    let deferred = matches!(invalid, Invalid::Deferred(_));
    let synchronous_callback = matches!(invalid, Invalid::Argument(_));
    let error = error_value(js, Failure::Invalid(invalid))?;
    if deferred {
        let error = Persistent::new(js, error)?;
        let callback = Persistent::optional(js, callback)?;
        let returns_promise = callback.is_none();
        let promise = env.spawn_future_with_callback(async { Ok(()) }, move |env, ()| {
            let js = Js::of(env);
            let error = error.take(js)?;
            deliver(js, callback, Err(error))
        })?;
        return returned(js, returns_promise, Value::of(&promise));
    }
    match callback {
        None => js.rejected(error),
        Some(callback) if synchronous_callback => {
            js.call(js.undefined()?, callback, &[error, js.null()?])?;
            js.undefined()
        }
        Some(_) => Err(js.throw(error)),
    }
}

/// Settles a call on the JavaScript thread: the callback gets `(error, null)` or
/// `(null, result)`; without one, the call's promise rejects or resolves.
fn deliver(
    js: Js,
    callback: Option<Persistent>,
    settled: std::result::Result<Value, Value>,
) -> Result<Value> {
    match callback {
        Some(callback) => {
            let function = callback.take(js)?;
            let (first, second) = match settled {
                Err(error) => (error, js.null()?),
                Ok(result) => (js.null()?, result),
            };
            js.call(js.undefined()?, function, &[first, second])?;
            js.undefined()
        }
        None => settled.map_err(|error| js.rejection(error)),
    }
}

/// The call's return value: the promise, or undefined in callback mode.
fn returned(js: Js, returns_promise: bool, promise: Value) -> Result<Value> {
    if returns_promise {
        Ok(promise)
    } else {
        js.undefined()
    }
}

/// A value (a callback, an error, a stream's state) kept alive until the call settles.
struct Persistent(napi::sys::napi_ref);

impl Persistent {
    fn new(js: Js, value: Value) -> Result<Self> {
        Ok(Self(js.reference(value)?))
    }

    fn optional(js: Js, value: Option<Value>) -> Result<Option<Self>> {
        value.map(|value| Self::new(js, value)).transpose()
    }

    /// The value, with the reference released.
    fn take(self, js: Js) -> Result<Value> {
        let value = js.reference_value(self.0);
        js.delete_reference(self.0)?;
        value
    }
}
