//! Running an API call from JavaScript: v6's calling convention (Promise, or a callback
//! taking `(error, result)`), validation errors delivered as `{ message, help }`, and
//! responses turned into v6's results and errors on the JavaScript thread.

use std::cell::Cell;
use std::sync::Arc;

use napi::bindgen_prelude::{Env, This, Unknown};
use napi::{sys, JsValue, Result, ValueType};

use super::js::{Js, Value};
use super::upload_stream::{self, PendingSource};
use crate::errors::ErrorMessage;
use crate::http::{ApiRequest, ApiResponse, Client, TransportError};
use crate::media::{self, DEFAULT_API_ENDPOINT};

/// Why a call ends before anything is sent.
pub enum Invalid {
    /// One of v6's argument errors.
    Message(&'static ErrorMessage),
    /// A JavaScript exception is pending (a getter or `toString` threw).
    Thrown(napi::Error),
    /// An error v6 only reports once the request is under way: rejected, or passed to
    /// the callback, asynchronously; nothing is sent.
    Deferred(Value),
}

impl From<&'static ErrorMessage> for Invalid {
    fn from(message: &'static ErrorMessage) -> Self {
        Invalid::Message(message)
    }
}

impl From<napi::Error> for Invalid {
    fn from(error: napi::Error) -> Self {
        Invalid::Thrown(error)
    }
}

pub type Validated<T> = std::result::Result<T, Invalid>;

/// One asynchronous method call, from its arguments to its settlement.
pub struct Call {
    pub js: Js,
    env: sys::napi_env,
    pub options: Value,
    callback: Option<Value>,
    /// The stream an upload reads, started once the request is sent.
    source: Cell<Option<PendingSource>>,
}

impl Call {
    /// v6's `promisify`: a callback that is given must be a function.
    pub fn new(env: &Env, this: &This, callback: Unknown) -> Result<Self> {
        let js = Js(env.raw());
        let callback = Value(callback.raw());
        let callback = match js.type_of(callback)? {
            ValueType::Undefined => None,
            ValueType::Function => Some(callback),
            _ => return Err(js.throw_error("Callback must be a function.")),
        };
        let options = js.get(Value(this.object.raw()), c"options")?;
        let options = match js.type_of(options)? {
            ValueType::Object | ValueType::Function => options,
            _ => js.object()?,
        };
        Ok(Self {
            js,
            env: env.raw(),
            options,
            callback,
            source: Cell::new(None),
        })
    }

    /// The call uploads from `source`: it is read once the request is sent, and its own
    /// error, if reading fails, is the call's error.
    pub fn read_source(&self, source: PendingSource) {
        self.source.set(Some(source));
    }

    /// `options[name]` converted to a string when truthy, else `default`.
    pub fn option(&self, name: &std::ffi::CStr, default: &str) -> Result<String> {
        let value = self.js.get(self.options, name)?;
        if self.js.truthy(value)? {
            self.js.js_to_string(value)
        } else {
            Ok(default.to_owned())
        }
    }

    pub fn api_url(&self, path: &str) -> Result<String> {
        Ok(media::api_url(
            &self.option(c"apiEndpoint", DEFAULT_API_ENDPOINT)?,
            path,
        ))
    }

    /// An identifier for a path: `String(value)`, encoded as one segment.
    pub fn segment(&self, value: Value, missing: &'static ErrorMessage) -> Validated<String> {
        let text = self.js.js_to_string(value)?;
        media::path_segment(&text).ok_or(Invalid::Message(missing))
    }

    /// `JSON.stringify` of an object built from `(name, value)` pairs, skipping `None`.
    pub fn json(&self, fields: &[(&std::ffi::CStr, Option<Value>)]) -> Result<String> {
        let object = self.js.object()?;
        for (name, value) in fields {
            if let Some(value) = value {
                self.js.set(object, name, *value)?;
            }
        }
        Ok(self.js.json_stringify(object)?.unwrap_or_default())
    }

    /// Sends the request (or reports the validation error) and settles the call.
    pub fn dispatch(
        self,
        client: Arc<Client>,
        request: Validated<ApiRequest>,
    ) -> Result<Unknown<'static>> {
        let js = self.js;
        let request = match request {
            Ok(request) => request,
            // v6 reads its arguments inside the Promise executor: in promise mode what they
            // throw (a TypeError from a missing options object) rejects instead.
            Err(Invalid::Thrown(error)) => {
                return match (self.callback, take_exception(js)) {
                    (None, Some(exception)) => self.unknown(rejected(js, exception)?),
                    (_, Some(exception)) => Err(js.throw(exception)),
                    (_, None) => Err(error),
                };
            }
            Err(Invalid::Message(message)) => {
                let error = error_object(js, message)?;
                return match self.callback {
                    Some(callback) => {
                        // v6 answers argument errors synchronously.
                        js.call(js.undefined()?, callback, &[error, js.null()?])?;
                        self.unknown(js.undefined()?)
                    }
                    None => self.unknown(rejected(js, error)?),
                };
            }
            Err(Invalid::Deferred(error)) => {
                let error = Persistent::new(js, error)?;
                let callback = self.persistent_callback()?;
                let env = Env::from_raw(self.env);
                let promise =
                    env.spawn_future_with_callback(async { Ok(()) }, move |env, ()| {
                        let js = Js(env.raw());
                        let error = error.take(js)?;
                        deliver(js, callback, Some(error), js.undefined()?)
                    })?;
                return self.returned(promise.raw());
            }
        };
        let private_key = self.option(c"privateKey", "")?;
        let source = match self.source.take() {
            Some(source) => Some(Persistent::new(js, upload_stream::start(js, source)?)?),
            None => None,
        };
        let callback = self.persistent_callback()?;
        let env = Env::from_raw(self.env);
        let future = async move { Ok(client.send(request, &private_key).await) };
        let promise = env.spawn_future_with_callback(future, move |env, outcome| {
            let js = Js(env.raw());
            // A source that failed is the call's error, whatever the server made of the
            // aborted body.
            let failure = match source {
                Some(state) => upload_stream::failure(js, state.take(js)?)?,
                None => None,
            };
            let (error, result) = match failure {
                Some(error) => (Some(error), js.undefined()?),
                None => settle(js, outcome)?,
            };
            deliver(js, callback, error, result)
        })?;
        self.returned(promise.raw())
    }

    fn persistent_callback(&self) -> Result<Option<Persistent>> {
        match self.callback {
            Some(callback) => Ok(Some(Persistent::new(self.js, callback)?)),
            None => Ok(None),
        }
    }

    /// The call's return value: undefined in callback mode, else the promise.
    fn returned(&self, promise: sys::napi_value) -> Result<Unknown<'static>> {
        if self.callback.is_some() {
            return self.unknown(self.js.undefined()?);
        }
        Ok(unsafe { Unknown::from_raw_unchecked(self.env, promise) })
    }

    fn unknown(&self, value: Value) -> Result<Unknown<'static>> {
        Ok(unsafe { Unknown::from_raw_unchecked(self.env, value.0) })
    }
}

/// A value (a callback, an error, a stream's state) kept alive until the call settles.
struct Persistent(sys::napi_ref);

impl Persistent {
    fn new(js: Js, value: Value) -> Result<Self> {
        Ok(Self(js.reference(value)?))
    }

    /// The value, with the reference released.
    fn take(self, js: Js) -> Result<Value> {
        let value = js.reference_value(self.0);
        js.delete_reference(self.0)?;
        value
    }
}

/// Settles a call on the JavaScript thread: the callback gets `(error, null)` or
/// `(null, result)`; without one, the call's promise rejects or resolves.
fn deliver(
    js: Js,
    callback: Option<Persistent>,
    error: Option<Value>,
    result: Value,
) -> Result<Unknown<'static>> {
    match callback {
        Some(callback) => {
            let function = callback.take(js)?;
            let (first, second) = match error {
                Some(error) => (error, js.null()?),
                None => (js.null()?, result),
            };
            js.call(js.undefined()?, function, &[first, second])?;
            Ok(unsafe { Unknown::from_raw_unchecked(js.0, js.undefined()?.0) })
        }
        None => match error {
            Some(error) => Err(napi::Error::from_unknown_without_coercion(unsafe {
                Unknown::from_raw_unchecked(js.0, error.0)
            })),
            None => Ok(unsafe { Unknown::from_raw_unchecked(js.0, result.0) }),
        },
    }
}

/// `{ message, help }`, a fresh object each time (v6 hands out its shared constants).
pub fn error_object(js: Js, message: &ErrorMessage) -> Result<Value> {
    let object = js.object()?;
    js.set(object, c"message", js.string(message.message)?)?;
    js.set(object, c"help", js.string(message.help)?)?;
    Ok(object)
}

/// The pending JavaScript exception, cleared.
fn take_exception(js: Js) -> Option<Value> {
    let mut pending = false;
    unsafe { sys::napi_is_exception_pending(js.0, &mut pending) };
    if !pending {
        return None;
    }
    let mut exception = std::ptr::null_mut();
    unsafe { sys::napi_get_and_clear_last_exception(js.0, &mut exception) };
    Some(Value(exception))
}

fn rejected(js: Js, reason: Value) -> Result<Value> {
    let mut deferred = std::ptr::null_mut();
    let mut promise = std::ptr::null_mut();
    unsafe {
        sys::napi_create_promise(js.0, &mut deferred, &mut promise);
        sys::napi_reject_deferred(js.0, deferred, reason.0);
    }
    Ok(Value(promise))
}

/// v6's results: the parsed body (or `{}`) with `$ResponseMetadata`; for HTTP errors the
/// body (a string body as `{ help }`), plus the rate-limit fields on a 429; an `Error`
/// when no response came.
fn settle(
    js: Js,
    outcome: std::result::Result<ApiResponse, TransportError>,
) -> Result<(Option<Value>, Value)> {
    let response = match outcome {
        Ok(response) => response,
        Err(transport) => {
            let error = js.error(&transport.message)?;
            js.set(error, c"code", js.string(transport.code)?)?;
            return Ok((Some(error), js.undefined()?));
        }
    };
    let text = String::from_utf8_lossy(&response.body);
    // axios parses any non-empty body that is JSON and keeps other text as a string.
    let data = if text.is_empty() {
        None
    } else {
        Some(
            js.try_json_parse(&text)?
                .map_or_else(|| js.string(&text), Ok)?,
        )
    };
    let metadata = metadata(js, &response)?;
    let success = (200..300).contains(&response.status);
    if success {
        // `data || {}`: an empty body, and JSON null, false, 0 or "", give `{}`.
        let result = match data {
            Some(data) if js.truthy(data)? => data,
            _ => js.object()?,
        };
        if matches!(js.type_of(result)?, ValueType::Object) {
            js.define_hidden(result, c"$ResponseMetadata", metadata)?;
        }
        return Ok((None, result));
    }
    let mut result = match data {
        Some(data) if js.type_of(data)? == ValueType::Object => data,
        Some(data) if js.type_of(data)? == ValueType::String => {
            let object = js.object()?;
            js.set(object, c"help", data)?;
            object
        }
        _ => js.object()?,
    };
    if response.status == 429 {
        let copy = js.object()?;
        for key in js.own_keys(result)? {
            js.set_key(copy, key, js.get_key(result, key)?)?;
        }
        for (name, header) in [
            (c"X-RateLimit-Limit", "x-ratelimit-limit"),
            (c"X-RateLimit-Reset", "x-ratelimit-reset"),
            (c"X-RateLimit-Interval", "x-ratelimit-interval"),
        ] {
            let value = response
                .headers
                .iter()
                .find(|(n, _)| n == header)
                .map_or(f64::NAN, |(_, v)| crate::js::parse_int(v));
            js.set(copy, name, js.number(value)?)?;
        }
        result = copy;
    }
    js.define_hidden(result, c"$ResponseMetadata", metadata)?;
    Ok((Some(result), js.undefined()?))
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
