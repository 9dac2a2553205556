//! Running an API call from JavaScript: v6's calling convention (a Promise, or a callback
//! taking `(error, result)`), the core's request sent on the instance's client, and the
//! outcome turned into v6's results and errors, in one place, on the JavaScript thread.

use std::sync::Arc;

use napi::bindgen_prelude::Env;
use napi::{Result, ValueType};

use super::host::Node;
use super::js::{Js, Value};
use super::upload_stream;
use crate::api::{self, Endpoint, Failure, Invalid, Thrown};
use crate::errors::ErrorMessage;
use crate::http::{ApiResponse, Client};

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
    // v6's `promisify`: a callback that is given must be a function.
    let callback = match js.type_of(callback)? {
        ValueType::Undefined => None,
        ValueType::Function => Some(callback),
        _ => return Err(js.throw_error("Callback must be a function.")),
    };
    let node = Node::new(js);
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

/// The error a failure is reported with: v6's `{ message, help }` for its argument errors,
/// the very exception reading the arguments threw, an `Error` with a Node-style `code` when
/// no answer came, and for an error status the answer's body (a text body as `{ help }`)
/// with `$ResponseMetadata`, plus the rate-limit fields on a 429.
fn error_value(js: Js, failure: Failure) -> Result<Value> {
    match failure {
        Failure::Invalid(Invalid::Argument(message)) => message_object(js, message),
        Failure::Invalid(Invalid::Host) => pending_exception(js),
        Failure::Invalid(Invalid::Thrown(thrown) | Invalid::Deferred(thrown)) => {
            thrown_value(js, &thrown)
        }
        Failure::Transport(transport) => {
            let error = js.error(&transport.message)?;
            js.set(error, c"code", js.string(transport.code)?)?;
            Ok(error)
        }
        Failure::Status(response) => {
            let body = error_body(js, &response)?;
            js.define_hidden(body, c"$ResponseMetadata", metadata(js, &response)?)?;
            Ok(body)
        }
        Failure::RateLimited {
            response,
            limit,
            reset,
            interval,
        } => {
            let body = error_body(js, &response)?;
            // v6 copies the body's own properties into a new object beside the limits.
            let copy = js.object()?;
            for key in js.own_keys(body)? {
                js.set_key(copy, key, js.get_key(body, key)?)?;
            }
            js.set(copy, c"X-RateLimit-Limit", js.number(limit)?)?;
            js.set(copy, c"X-RateLimit-Reset", js.number(reset)?)?;
            js.set(copy, c"X-RateLimit-Interval", js.number(interval)?)?;
            js.define_hidden(copy, c"$ResponseMetadata", metadata(js, &response)?)?;
            Ok(copy)
        }
    }
}

/// `{ message, help }`, a fresh object each time (v6 hands out its shared constants).
fn message_object(js: Js, message: &ErrorMessage) -> Result<Value> {
    let object = js.object()?;
    js.set(object, c"message", js.string(message.message)?)?;
    js.set(object, c"help", js.string(message.help)?)?;
    Ok(object)
}

fn thrown_value(js: Js, thrown: &Thrown) -> Result<Value> {
    if thrown.type_error {
        js.type_error(&thrown.message, thrown.code)
    } else {
        let error = js.error(&thrown.message)?;
        if let Some(code) = thrown.code {
            js.set(error, c"code", js.string(code)?)?;
        }
        Ok(error)
    }
}

/// The exception the host left pending, cleared so the call can report it.
fn pending_exception(js: Js) -> Result<Value> {
    match js.take_exception()? {
        Some(exception) => Ok(exception),
        None => js.error("reading the arguments failed"),
    }
}

/// The host's exception as this call's own, left pending.
fn pending(js: Js) -> napi::Error {
    match pending_exception(js) {
        Ok(exception) => js.throw(exception),
        Err(e) => e,
    }
}

/// axios's parse of a body: any non-empty body that is JSON, else its text.
fn parsed(js: Js, response: &ApiResponse) -> Result<Option<Value>> {
    let text = String::from_utf8_lossy(&response.body);
    if text.is_empty() {
        return Ok(None);
    }
    Ok(Some(
        js.try_json_parse(&text)?
            .map_or_else(|| js.string(&text), Ok)?,
    ))
}

/// v6's result: the parsed body, or `{}` for an empty or falsy one (`data || {}`), with
/// `$ResponseMetadata` on an object.
fn result(js: Js, response: &ApiResponse) -> Result<Value> {
    let result = match parsed(js, response)? {
        Some(data) if js.truthy(data)? => data,
        _ => js.object()?,
    };
    if js.type_of(result)? == ValueType::Object {
        js.define_hidden(result, c"$ResponseMetadata", metadata(js, response)?)?;
    }
    Ok(result)
}

/// An error status's body: a JSON object, a text body as `{ help }`, or `{}`.
fn error_body(js: Js, response: &ApiResponse) -> Result<Value> {
    match parsed(js, response)? {
        Some(data) if js.type_of(data)? == ValueType::Object => Ok(data),
        Some(data) if js.type_of(data)? == ValueType::String => {
            let object = js.object()?;
            js.set(object, c"help", data)?;
            Ok(object)
        }
        _ => js.object(),
    }
}

fn metadata(js: Js, response: &ApiResponse) -> Result<Value> {
    let headers = js.object()?;
    for (name, value) in &response.headers {
        js.set_key(headers, js.string(name)?, js.string(value)?)?;
    }
    let metadata = js.object()?;
    js.set(
        metadata,
        c"statusCode",
        js.number(f64::from(response.status))?,
    )?;
    js.set(metadata, c"headers", headers)?;
    Ok(metadata)
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
