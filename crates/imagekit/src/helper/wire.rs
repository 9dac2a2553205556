//! The form in which the helper's options cross from JavaScript: the length-prefixed
//! UTF-16 fields of [`crate::url::wire`], written by `imagekit.js`'s helper, which reads
//! the options and converts every value as JavaScript does (catching what a conversion
//! throws), so that one string crosses instead of a property read per value.
//!
//! - A value is one field, its tag then its text: `u` (undefined or null), `s` string,
//!   `n` number or bigint, `t` true, `f` false; or `a` (array) followed by two conversion
//!   fields (`String(value)` and `value.join('_')`), `o` (object or function) or `y`
//!   (symbol) followed by one. A conversion field is `=` and the text, or `!` and the
//!   index of the exception it threw.
//! - A transformation is `-` (not an array), or its step count and per step a parameter
//!   count and parameters: `k` followed by the key, then the value; or `o`, then an overlay.
//! - An overlay: the type (`''` when falsy, a string, or U+0001 for another value), then
//!   the count of the fields present and each one's letter and content: `t` the text (the
//!   value, then `Buffer.from(value)`'s base64 as a conversion field for a value other than
//!   a string, else empty), `i` the input (the same), `c` the colour, `e` the encoding (a
//!   string), `m` the layer mode, `p` the position and `g` the timing (the count of their
//!   fields present and each one's letter, `xyXYfa` and `sed`, and value; or `!` and the
//!   index of what reading them threw), `r` its transformation.
//! - `buildSrc`'s options: `a` (absolute `src`) or `r`, the base URL text, the relative
//!   `src`, `q` when transformations go to the query, the query parameter count and
//!   pairs (a name, then `String(value)` as a conversion field), the transformation, then `0`, or `1` (signed) with the expiry, the endpoint
//!   to strip (`0`, `s` and a string endpoint, or `1` and another value's text) and the
//!   key (`0`, `1` and a string key, or `v`: a key given beside the wire).

use std::borrow::Cow;

use super::{
    Conv, Encoding, Fields, Overlay, OverlayType, Param, Payload, SrcRequest, SrcSigning, Step, Val,
};
use crate::url::wire::{Reader, WireError};

fn conversion<'a>(field: &'a str) -> Result<Conv<'a>, WireError> {
    match field.split_at_checked(1) {
        Some(("=", text)) => Ok(Conv::Text(text)),
        Some(("!", index)) => index.parse().map(Conv::Throws).map_err(|_| WireError),
        _ => Err(WireError),
    }
}

fn value<'a>(r: &Reader<'a>) -> Result<Val<'a>, WireError> {
    let (field, lossy) = r.field_checked()?;
    let (tag, text) = field.split_at_checked(1).ok_or(WireError)?;
    Ok(match tag {
        "u" => Val::Missing,
        "s" => Val::Str { text, lossy },
        "n" => Val::Num(text),
        "t" => Val::Bool(true),
        "f" => Val::Bool(false),
        "a" => Val::Array {
            text: conversion(r.field()?)?,
            joined: conversion(r.field()?)?,
        },
        "o" => Val::Object(conversion(r.field()?)?),
        "y" => Val::Symbol(conversion(r.field()?)?),
        _ => return Err(WireError),
    })
}

fn payload<'a>(r: &Reader<'a>) -> Result<Payload<'a>, WireError> {
    let value = value(r)?;
    let base64 = match r.field()? {
        "" => None,
        field => Some(conversion(field)?),
    };
    Ok(Payload { value, base64 })
}

/// A position's or timing's fields that are present, each a one-letter name of `names`
/// and a value; or `!` and the index of what reading them threw.
fn fields<'a, const N: usize>(r: &Reader<'a>, names: &[u8; N]) -> Result<Fields<'a, N>, WireError> {
    let field = r.field()?;
    if let Some(index) = field.strip_prefix('!') {
        return index.parse().map(Fields::Throws).map_err(|_| WireError);
    }
    let count: usize = field.parse().map_err(|_| WireError)?;
    let mut values: [Val<'a>; N] = std::array::from_fn(|_| Val::Missing);
    for _ in 0..count {
        let name = r.field()?.as_bytes();
        let slot = names.iter().position(|n| name == [*n]).ok_or(WireError)?;
        values[slot] = value(r)?;
    }
    Ok(Fields::Values(values))
}

fn overlay<'a>(r: &Reader<'a>) -> Result<Overlay<'a>, WireError> {
    let mut overlay = Overlay::new(OverlayType::of(r.field()?));
    for _ in 0..r.count()? {
        match r.field()? {
            "t" => overlay.text = payload(r)?,
            "i" => overlay.input = payload(r)?,
            "c" => overlay.color = value(r)?,
            "e" => overlay.encoding = Encoding::of(r.field()?),
            "m" => overlay.layer_mode = value(r)?,
            "p" => overlay.position = fields(r, b"xyXYfa")?,
            "g" => overlay.timing = fields(r, b"sed")?,
            "r" => overlay.transformation = transformation(r)?,
            _ => return Err(WireError),
        }
    }
    Ok(overlay)
}

/// A transformation: `None` when it is not an array.
pub fn transformation<'a>(r: &Reader<'a>) -> Result<Option<Vec<Step<'a>>>, WireError> {
    let count = r.field()?;
    if count == "-" {
        return Ok(None);
    }
    let count: usize = count.parse().map_err(|_| WireError)?;
    let mut steps = Vec::with_capacity(count.min(1024));
    for _ in 0..count {
        let params = r.count()?;
        let mut step = Step {
            params: Vec::with_capacity(params.min(1024)),
        };
        for _ in 0..params {
            let head = r.field()?;
            step.params.push(match head.split_at_checked(1) {
                Some(("k", key)) => Param::Value {
                    key,
                    value: value(r)?,
                },
                Some(("o", "")) => Param::Overlay(Box::new(overlay(r)?)),
                _ => return Err(WireError),
            });
        }
        steps.push(step);
    }
    Ok(Some(steps))
}

/// `buildSrc`'s options, with `key_beside`, a key given beside the wire.
pub fn src_request<'a>(
    r: &Reader<'a>,
    key_beside: Option<&'a [u8]>,
) -> Result<SrcRequest<'a>, WireError> {
    let absolute = r.flag("a")?;
    let base = r.field()?;
    let src = r.field()?;
    let transformation_in_query = r.flag("q")?;
    let query_parameters = (0..r.count()?)
        .map(|_| Ok((r.field()?, conversion(r.field()?)?)))
        .collect::<Result<Vec<_>, WireError>>()?;
    let transformation = transformation(r)?;
    let signing = if r.flag("1")? {
        let expiry = r.field()?;
        let endpoint_prefix = match r.field()?.split_at_checked(1) {
            Some(("s", endpoint)) if endpoint.ends_with('/') => Some(Cow::Borrowed(endpoint)),
            Some(("s", endpoint)) => Some(Cow::Owned(format!("{endpoint}/"))),
            Some(("1", text)) => Some(Cow::Borrowed(text)),
            _ => None,
        };
        let key = r.field()?;
        let key = match key.strip_prefix('1') {
            Some(key) => Some(key.as_bytes()),
            None if key == "v" => key_beside,
            None => None,
        };
        Some(SrcSigning {
            expiry,
            key,
            endpoint_prefix,
        })
    } else {
        None
    };
    Ok(SrcRequest {
        absolute,
        base,
        src,
        transformation_in_query,
        query_parameters,
        transformation,
        signing,
    })
}
