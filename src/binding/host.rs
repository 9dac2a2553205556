//! The core's [`Host`]: JavaScript's semantics over Node's values, implemented once for
//! every endpoint.

use std::cell::Cell;
use std::ffi::CStr;

use bytes::Bytes;
use napi::ValueType;

use super::ffi::{Js, Value};
use super::shim;
use super::upload_stream::{self, PendingSource};
use imagekit::js::{Exception, Host, HostResult, Kind};
use imagekit::upload_source::SourceBody;

/// The values of one call, and the stream it uploads from, if any.
pub struct Node<'s> {
    pub js: Js<'s>,
    source: Cell<Option<PendingSource<'s>>>,
}

impl<'s> Node<'s> {
    pub fn new(js: Js<'s>) -> Self {
        Self {
            js,
            source: Cell::new(None),
        }
    }

    /// The stream to read once the request is sent.
    pub fn take_source(&self) -> Option<PendingSource<'s>> {
        self.source.take()
    }

    fn host<T>(&self, result: napi::Result<T>) -> HostResult<T> {
        result.map_err(|error| {
            self.js.raise(error);
            Exception
        })
    }
}

impl<'s> Host for Node<'s> {
    type Value = Value<'s>;

    fn kind(&self, value: Value<'s>) -> HostResult<Kind> {
        Ok(match self.host(self.js.type_of(value))? {
            ValueType::Undefined => Kind::Undefined,
            ValueType::Null => Kind::Null,
            ValueType::Boolean => Kind::Boolean,
            ValueType::Number => Kind::Number,
            ValueType::String => Kind::String,
            ValueType::Symbol => Kind::Symbol,
            ValueType::BigInt => Kind::BigInt,
            ValueType::Function => Kind::Function,
            _ => Kind::Object,
        })
    }

    fn truthy(&self, value: Value<'s>) -> HostResult<bool> {
        self.host(self.js.truthy(value))
    }

    fn get(&self, value: Value<'s>, name: &CStr) -> HostResult<Value<'s>> {
        let object = match self.kind(value)? {
            Kind::Object | Kind::Function => value,
            _ => self.host(self.js.coerce_to_object(value))?,
        };
        self.host(self.js.get(object, name))
    }

    fn get_key(&self, value: Value<'s>, key: Value<'s>) -> HostResult<Value<'s>> {
        self.host(self.js.get_key(value, key))
    }

    fn has_own(&self, value: Value<'s>, name: &CStr) -> HostResult<bool> {
        self.host(self.js.has_own(value, &name.to_string_lossy()))
    }

    fn text(&self, value: Value<'s>) -> HostResult<String> {
        self.host(self.js.string_value(value))
    }

    fn to_string(&self, value: Value<'s>) -> HostResult<String> {
        self.host(self.js.js_to_string(value))
    }

    fn string_of(&self, value: Value<'s>) -> HostResult<String> {
        self.host(self.js.string_of(value))
    }

    fn number(&self, value: Value<'s>) -> HostResult<f64> {
        self.host(self.js.double(value))
    }

    fn boolean(&self, value: bool) -> HostResult<Value<'s>> {
        self.host(self.js.boolean(value))
    }

    fn undefined(&self) -> HostResult<Value<'s>> {
        self.host(self.js.undefined())
    }

    fn is_array(&self, value: Value<'s>) -> HostResult<bool> {
        self.host(self.js.is_array(value))
    }

    fn elements(&self, value: Value<'s>) -> HostResult<Vec<Value<'s>>> {
        self.host(self.js.elements(value))
    }

    fn keys(&self, value: Value<'s>, inherited: bool) -> HostResult<Vec<Value<'s>>> {
        self.host(if inherited {
            self.js.for_in_keys(value)
        } else {
            self.js.own_keys(value)
        })
    }

    fn is_plain(&self, value: Value<'s>) -> HostResult<bool> {
        if self.is_array(value)? {
            return Ok(true);
        }
        if self.kind(value)? != Kind::Object {
            return Ok(false);
        }
        let prototype = self.host(self.js.prototype(value))?;
        if self.kind(prototype)? == Kind::Null {
            return Ok(true);
        }
        let grand = self.host(self.js.prototype(prototype))?;
        Ok(self.kind(grand)? == Kind::Null)
    }

    fn date_iso(&self, value: Value<'s>) -> HostResult<Option<String>> {
        if !self.host(self.js.is_date(value))? {
            return Ok(None);
        }
        let to_iso = self.host(self.js.get(value, c"toISOString"))?;
        let iso = self.host(self.js.call(value, to_iso, &[]))?;
        Ok(Some(self.to_string(iso)?))
    }

    fn stringify(&self, value: Value<'s>) -> HostResult<Option<String>> {
        self.host(self.js.json_stringify(value))
    }

    fn stringify_fields(&self, fields: &[(&CStr, Value<'s>)]) -> HostResult<String> {
        let object = self.host(self.js.object())?;
        for (name, value) in fields {
            self.host(self.js.set(object, name, *value))?;
        }
        Ok(self.stringify(object)?.unwrap_or_default())
    }

    fn new_string(&self, value: &str) -> HostResult<Value<'s>> {
        self.host(self.js.string(value))
    }

    fn new_number(&self, value: f64) -> HostResult<Value<'s>> {
        self.host(self.js.number(value))
    }

    fn view_bytes(&self, value: Value<'s>) -> HostResult<Option<Vec<u8>>> {
        self.host(self.js.view_bytes(value))
    }

    fn new_object(&self) -> HostResult<Value<'s>> {
        self.host(self.js.object())
    }

    fn set(&self, object: Value<'s>, name: &CStr, value: Value<'s>) -> HostResult<()> {
        self.host(self.js.set(object, name, value))
    }

    fn set_key(&self, object: Value<'s>, key: Value<'s>, value: Value<'s>) -> HostResult<()> {
        self.host(self.js.set_key(object, key, value))
    }

    fn has(&self, value: Value<'s>, name: &CStr) -> HostResult<bool> {
        match self.kind(value)? {
            Kind::Object | Kind::Function => self.host(self.js.has(value, name)),
            _ => {
                let message = format!(
                    "Cannot use 'in' operator to search for '{}' in {}",
                    name.to_string_lossy(),
                    self.string_of(value)?
                );
                self.host(Err(self.js.throw_type_error(&message, None)))
            }
        }
    }

    fn has_prototype(&self, object: Value<'s>) -> HostResult<bool> {
        self.host(self.js.has_prototype(object))
    }

    fn has_own_enumerable_keys(&self, object: Value<'s>) -> HostResult<bool> {
        self.host(self.js.has_own_enumerable_keys(object))
    }

    fn bytes(&self, value: Value<'s>) -> HostResult<Option<Bytes>> {
        self.host(self.js.uint8_bytes(value))
    }

    fn plus(&self, left: Value<'s>, right: Value<'s>) -> HostResult<Value<'s>> {
        self.host(shim::plus(self.js, left, right))
    }

    fn stream(&self, value: Value<'s>) -> HostResult<SourceBody> {
        let (body, source) = self.host(upload_stream::prepare(self.js, value))?;
        self.source.set(Some(source));
        Ok(body)
    }
}
