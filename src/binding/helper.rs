//! The native half of `imagekit.helper` and `imagekit.webhooks` (v7's), free functions that
//! `imagekit.js` calls with the options it read, in the wire form of
//! `imagekit::helper::wire`. Free functions for the reason `buildUrl` is one (see
//! `class.rs`).

use std::cell::RefCell;

use napi::bindgen_prelude::{Env, Unknown};
use napi::{Result, ValueType};
use napi_derive::napi;

use super::ffi::{Js, Value};
use super::host::Node;
use super::outcome::throw_invalid;
use imagekit::api::sync_methods;
use imagekit::helper::{self, wire as helper_wire, Descriptor, HelperError};
use imagekit::standard_webhook::{self, Headers};
use imagekit::url::wire::{Reader, Scratch, WireError};

thread_local! {
    static WIRE: RefCell<(Vec<u16>, Scratch)> = RefCell::new(Default::default());
}

/// Reads the wire string and runs `f` on it; a malformed wire (only reachable by calling
/// the native function directly) is a TypeError.
fn with_wire<'s, T>(
    js: Js<'s>,
    wire: Unknown<'s>,
    f: impl FnOnce(&Reader) -> std::result::Result<T, WireError>,
) -> Result<T> {
    let read = WIRE.with_borrow_mut(|(units, scratch)| {
        let len = js.utf16_value(Value::of(&wire), units)?;
        let units = units.get(..len).ok_or(WireError);
        Ok::<_, napi::Error>(units.and_then(|units| f(&Reader::new(units, scratch)?)))
    })?;
    read.map_err(|WireError| js.throw_type_error("helper options could not be read", None))
}

/// The key given beside the wire (one that is not a string), converted as
/// `crypto.createHmac` converts it.
fn key_beside(js: Js, key: Unknown) -> Result<Option<Vec<u8>>> {
    match js.type_of(Value::of(&key))? {
        ValueType::Undefined => Ok(None),
        _ => sync_methods::hmac_key(&Node::new(js), Value::of(&key))
            .map(Some)
            .map_err(|invalid| throw_invalid(js, invalid)),
    }
}

/// Throws what v7 throws: a value's own exception from `errors`, or the engine's error.
fn throw_helper_error(js: Js, errors: Unknown, error: HelperError) -> napi::Error {
    match error {
        HelperError::Captured(index) => {
            let captured = js
                .elements(Value::of(&errors))
                .map(|errors| errors.get(index).copied());
            match captured {
                Ok(Some(error)) => js.throw(error),
                Ok(None) => js.throw_type_error("helper options could not be read", None),
                Err(e) => e,
            }
        }
        HelperError::Type(message) => js.throw_type_error(&message, None),
        HelperError::UriMalformed => js.throw_global_error(c"URIError", "URI malformed"),
        HelperError::InvalidUrl(input) => super::class::throw_invalid_url(js, &input),
    }
}

/// `helper.buildSrc`'s native half.
#[napi(js_name = "helperBuildSrc", skip_typescript, catch_unwind)]
#[cfg_attr(test, allow(dead_code))] // only JavaScript calls it
pub fn build_src(env: Env, wire: Unknown, key: Unknown, errors: Unknown) -> Result<String> {
    let js = Js::of(&env);
    let key = key_beside(js, key)?;
    let built = with_wire(js, wire, |r| {
        let request = helper_wire::src_request(r, key.as_deref())?;
        Ok(helper::build_src(&request))
    })?;
    built.map_err(|error| throw_helper_error(js, errors, error))
}

/// `helper.buildTransformationString`'s native half.
#[napi(js_name = "helperTransformation", skip_typescript, catch_unwind)]
#[cfg_attr(test, allow(dead_code))] // only JavaScript calls it
pub fn build_transformation(env: Env, wire: Unknown, errors: Unknown) -> Result<String> {
    let js = Js::of(&env);
    let built = with_wire(js, wire, |r| {
        let steps = helper_wire::transformation(r)?;
        Ok(helper::transformation::build(steps.as_deref()))
    })?;
    built.map_err(|error| throw_helper_error(js, errors, error))
}

/// Numbers as the wire carries them: a count, then each one's text.
fn numbers(r: &Reader) -> std::result::Result<Vec<f64>, WireError> {
    (0..r.count()?)
        .map(|_| r.field()?.parse().map_err(|_| WireError))
        .collect()
}

/// `helper.getResponsiveImageAttributes`'s native half: the `buildSrc` wire, then the
/// device and image breakpoints, the width (empty when it is not a number) and `sizes`
/// (empty when falsy). Returns one string, which `imagekit.js` makes the attributes of:
/// the descriptor (`w` or `x`), `1` when there is a `srcSet` (else `0`), the length of
/// `src` in UTF-16 units and `:`, `src`, then `srcSet`.
#[napi(js_name = "helperResponsive", skip_typescript, catch_unwind)]
#[cfg_attr(test, allow(dead_code))] // only JavaScript calls it
pub fn responsive(env: Env, wire: Unknown, key: Unknown, errors: Unknown) -> Result<String> {
    let js = Js::of(&env);
    let key = key_beside(js, key)?;
    let built = with_wire(js, wire, |r| {
        let request = helper_wire::src_request(r, key.as_deref())?;
        let devices = numbers(r)?;
        let images = numbers(r)?;
        let width = match r.field()? {
            "" => None,
            text => Some(text.parse().map_err(|_| WireError)?),
        };
        let sizes = r.field()?;
        Ok(helper::responsive(
            &request,
            &devices,
            &images,
            width,
            Some(sizes),
        ))
    })?;
    let attributes = built.map_err(|error| throw_helper_error(js, errors, error))?;
    let src_set = attributes.src_set.as_deref();
    let mut out = String::with_capacity(attributes.src.len() + src_set.map_or(0, str::len) + 8);
    out.push(match attributes.descriptor {
        Descriptor::Width => 'w',
        Descriptor::Density => 'x',
    });
    out.push(if src_set.is_some() { '1' } else { '0' });
    // Its length in UTF-16 units (JavaScript's), in decimal, and a colon.
    out.push_str(&attributes.src.encode_utf16().count().to_string());
    out.push(':');
    out.push_str(&attributes.src);
    out.push_str(src_set.unwrap_or_default());
    Ok(out)
}

/// `webhooks.unwrap`'s verification: `undefined` when the webhook is genuine, else the
/// message of the error v7 throws. `imagekit.js` reads the headers, the key and the clock.
#[napi(js_name = "verifyStandardWebhook", skip_typescript, catch_unwind)]
#[cfg_attr(test, allow(dead_code))] // only JavaScript calls it
#[allow(clippy::too_many_arguments)]
pub fn verify_standard_webhook<'s>(
    env: &'s Env,
    body: Unknown<'s>,
    id: String,
    timestamp: String,
    signature: String,
    key: Unknown<'s>,
    now_ms: f64,
) -> Result<Value<'s>> {
    let js = Js::of(env);
    let key = match js.type_of(Value::of(&key))? {
        ValueType::String => js.string_value(Value::of(&key))?.into_bytes(),
        _ => js.view_bytes(Value::of(&key))?.unwrap_or_default(),
    };
    let body = match js.type_of(Value::of(&body))? {
        ValueType::String => Some(js.string_value(Value::of(&body))?),
        ValueType::Object => js
            .view_bytes(Value::of(&body))?
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
        _ => None,
    };
    let headers = Headers {
        id: &id,
        timestamp: &timestamp,
        signature: &signature,
    };
    match standard_webhook::verify(&key, &headers, body.as_deref(), now_ms / 1000.0) {
        Ok(()) => js.undefined(),
        Err(refusal) => js.string(refusal.message()),
    }
}
