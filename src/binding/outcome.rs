//! v6's results and errors, made from the core's outcome in one place: a response's parsed
//! body with `$ResponseMetadata`, or the JavaScript value each [`Failure`] is reported as.

use napi::{Result, ValueType};

use super::ffi::{Js, Value};
use imagekit::api::{Failure, Invalid, Thrown};
use imagekit::errors::ErrorMessage;
use imagekit::http::ApiResponse;

/// The error a failure is reported with: v6's `{ message, help }` for its argument errors,
/// the very exception reading the arguments threw, an `Error` with a Node-style `code` when
/// no answer came, and for an error status the answer's body (a text body as `{ help }`)
/// with `$ResponseMetadata`, plus the rate-limit fields on a 429.
pub fn error_value(js: Js, failure: Failure) -> Result<Value> {
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
pub fn pending(js: Js) -> napi::Error {
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
pub fn result(js: Js, response: &ApiResponse) -> Result<Value> {
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

/// Throws what an invalid call reports: the pending exception itself, or a new error.
pub fn throw_invalid(js: Js, invalid: Invalid) -> napi::Error {
    match error_value(js, Failure::Invalid(invalid)) {
        Ok(error) => js.throw(error),
        Err(e) => e,
    }
}
