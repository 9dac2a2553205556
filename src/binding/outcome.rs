//! v6's results and errors, made from the core's outcome in one place: a response's parsed
//! body with `$ResponseMetadata`, or the JavaScript value each [`Failure`] is reported as.

use napi::{Result, ValueType};

use super::ffi::{Js, Value};
use imagekit::api::report::{
    body_text, Report, HEADERS, RESPONSE_METADATA, STATUS_CODE, TEXT_BODY,
};
use imagekit::api::{Failure, Invalid, Thrown};
use imagekit::http::ApiResponse;
use imagekit::messages::ErrorMessage;

/// The error a failure is reported with: v6's `{ message, help }` for its argument errors,
/// the very exception reading the arguments threw, an `Error` with a Node-style `code` when
/// no answer came, and for an error status the answer's body (a text body as `{ help }`)
/// with `$ResponseMetadata`, plus the rate-limit fields on a 429.
pub fn error_value<'s>(js: Js<'s>, failure: Failure) -> Result<Value<'s>> {
    match failure.report() {
        Report::Message(message) => message_object(js, message),
        Report::Pending => pending_exception(js),
        Report::Thrown(thrown) => thrown_value(js, thrown),
        Report::NoAnswer { message, code } => {
            let error = js.error(message)?;
            js.set(error, c"code", js.string(code)?)?;
            Ok(error)
        }
        Report::Answer {
            response,
            rate_limit: None,
        } => {
            let body = error_body(js, response)?;
            js.define_hidden(body, RESPONSE_METADATA, metadata(js, response)?)?;
            Ok(body)
        }
        Report::Answer {
            response,
            rate_limit: Some(fields),
        } => {
            let body = error_body(js, response)?;
            let copy = js.object()?;
            for key in js.own_keys(body)? {
                js.set_key(copy, key, js.get_key(body, key)?)?;
            }
            for (name, value) in fields {
                js.set(copy, name, js.number(value)?)?;
            }
            js.define_hidden(copy, RESPONSE_METADATA, metadata(js, response)?)?;
            Ok(copy)
        }
    }
}

/// `{ message, help }`, a fresh object each time (v6 hands out its shared constants).
fn message_object<'s>(js: Js<'s>, message: &ErrorMessage) -> Result<Value<'s>> {
    let object = js.object()?;
    js.set(object, c"message", js.string(message.message)?)?;
    js.set(object, c"help", js.string(message.help)?)?;
    Ok(object)
}

fn thrown_value<'s>(js: Js<'s>, thrown: &Thrown) -> Result<Value<'s>> {
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
fn pending_exception<'s>(js: Js<'s>) -> Result<Value<'s>> {
    match js.take_exception()? {
        Some(exception) => Ok(exception),
        None => js.error("reading the arguments failed"),
    }
}

/// The host's exception as this call's own, left pending.
pub fn pending<'s>(js: Js<'s>) -> napi::Error {
    match pending_exception(js) {
        Ok(exception) => js.throw(exception),
        Err(e) => e,
    }
}

/// axios's parse of a body: any non-empty body that is JSON, else its text.
fn parsed<'s>(js: Js<'s>, response: &ApiResponse) -> Result<Option<Value<'s>>> {
    let Some(text) = body_text(response) else {
        return Ok(None);
    };
    Ok(Some(
        js.try_json_parse(&text)?
            .map_or_else(|| js.string(&text), Ok)?,
    ))
}

/// v6's result: the parsed body, or `{}` for an empty or falsy one (`data || {}`), with
/// `$ResponseMetadata` on an object.
pub fn result<'s>(js: Js<'s>, response: &ApiResponse) -> Result<Value<'s>> {
    let result = match parsed(js, response)? {
        Some(data) if js.truthy(data)? => data,
        _ => js.object()?,
    };
    if js.type_of(result)? == ValueType::Object {
        js.define_hidden(result, RESPONSE_METADATA, metadata(js, response)?)?;
    }
    Ok(result)
}

/// An error status's body: a JSON object, a text body as `{ help }`, or `{}`.
fn error_body<'s>(js: Js<'s>, response: &ApiResponse) -> Result<Value<'s>> {
    match parsed(js, response)? {
        Some(data) if js.type_of(data)? == ValueType::Object => Ok(data),
        Some(data) if js.type_of(data)? == ValueType::String => {
            let object = js.object()?;
            js.set(object, TEXT_BODY, data)?;
            Ok(object)
        }
        _ => js.object(),
    }
}

fn metadata<'s>(js: Js<'s>, response: &ApiResponse) -> Result<Value<'s>> {
    let headers = js.object()?;
    for (name, value) in &response.headers {
        js.set_key(headers, js.string(name)?, js.string(value)?)?;
    }
    let metadata = js.object()?;
    js.set(
        metadata,
        STATUS_CODE,
        js.number(f64::from(response.status))?,
    )?;
    js.set(metadata, HEADERS, headers)?;
    Ok(metadata)
}

/// Throws what an invalid call reports: the pending exception itself, or a new error.
pub fn throw_invalid<'s>(js: Js<'s>, invalid: Invalid) -> napi::Error {
    match error_value(js, Failure::Invalid(invalid)) {
        Ok(error) => js.throw(error),
        Err(e) => e,
    }
}
