//! Raw N-API access with JavaScript's own conversion rules (`String()`, truthiness, `for…in`
//! keys): the binding's only `unsafe` code, for what napi-rs's safe API lacks or makes
//! slow (lifetime-free handles, conversions without copies). Every call checks its
//! status; a JavaScript exception (a throwing getter or `toString`) stays pending and
//! surfaces as the caller's exception, and a failed status becomes a JavaScript error.

use std::ffi::{c_char, CStr};
use std::ptr;

use bytes::Bytes;
use napi::bindgen_prelude::{Env, FromNapiValue, ToNapiValue, TypeName, Uint8Array, Unknown};
use napi::{sys, Error, JsValue, Result, Status, ValueType};

/// A value handle, valid while the native call that received or made it runs (N-API's
/// handle scope): it is never stored across calls (see [`Js::reference`] for that).
#[derive(Clone, Copy)]
pub struct Value(sys::napi_value);

impl Value {
    pub fn of<'env>(value: &impl JsValue<'env>) -> Self {
        Value(value.raw())
    }
}

impl ToNapiValue for Value {
    unsafe fn to_napi_value(_env: sys::napi_env, value: Self) -> Result<sys::napi_value> {
        Ok(value.0)
    }
}

impl TypeName for Value {
    fn type_name() -> &'static str {
        "unknown"
    }

    fn value_type() -> ValueType {
        ValueType::Unknown
    }
}

#[derive(Clone, Copy)]
pub struct Js(sys::napi_env);

/// Strings up to this many bytes are read with a single N-API call.
const STACK_STRING: usize = 256;

impl Js {
    pub fn of(env: &Env) -> Self {
        Js(env.raw())
    }

    fn check(&self, status: sys::napi_status) -> Result<()> {
        if status == sys::Status::napi_ok {
            return Ok(());
        }
        let mut pending = false;
        // SAFETY: `self.0` is the env of the current call.
        let queried = unsafe { sys::napi_is_exception_pending(self.0, &mut pending) };
        if queried == sys::Status::napi_ok && pending {
            Err(Error::new(Status::PendingException, ""))
        } else {
            Err(Error::new(Status::from(status), "N-API call failed"))
        }
    }

    pub fn type_of(&self, value: Value) -> Result<ValueType> {
        let mut kind = 0;
        self.check(unsafe { sys::napi_typeof(self.0, value.0, &mut kind) })?;
        Ok(ValueType::from(kind))
    }

    /// `!!value`.
    pub fn truthy(&self, value: Value) -> Result<bool> {
        let mut coerced = ptr::null_mut();
        self.check(unsafe { sys::napi_coerce_to_bool(self.0, value.0, &mut coerced) })?;
        let mut result = false;
        self.check(unsafe { sys::napi_get_value_bool(self.0, coerced, &mut result) })?;
        Ok(result)
    }

    /// The UTF-8 contents of a string value (lone surrogates become U+FFFD, as in
    /// `Buffer.from(string)` and the WHATWG URL parser).
    pub fn string_value(&self, value: Value) -> Result<String> {
        let mut buffer = [0u8; STACK_STRING];
        let mut len = 0;
        self.check(unsafe {
            sys::napi_get_value_string_utf8(
                self.0,
                value.0,
                buffer.as_mut_ptr().cast::<c_char>(),
                STACK_STRING,
                &mut len,
            )
        })?;
        // A multi-byte character that does not fit is left out whole, so only a result
        // well short of the buffer is known to be complete.
        if len + 4 < STACK_STRING {
            return Ok(String::from_utf8_lossy(buffer.get(..len).unwrap_or_default()).into_owned());
        }
        self.check(unsafe {
            sys::napi_get_value_string_utf8(self.0, value.0, ptr::null_mut(), 0, &mut len)
        })?;
        let mut heap = vec![0u8; len + 1];
        self.check(unsafe {
            sys::napi_get_value_string_utf8(
                self.0,
                value.0,
                heap.as_mut_ptr().cast::<c_char>(),
                heap.len(),
                &mut len,
            )
        })?;
        heap.truncate(len);
        Ok(String::from_utf8(heap)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
    }

    /// The UTF-16 contents of a string value, read into `buffer` (reused across calls and
    /// kept at its full length, so it is not zeroed again); returns the number of units.
    pub fn utf16_value(&self, value: Value, buffer: &mut Vec<u16>) -> Result<usize> {
        // Give back what one huge string took rather than keep it for the thread's life.
        if buffer.len() > 1 << 16 {
            buffer.truncate(STACK_STRING);
            buffer.shrink_to(STACK_STRING);
        }
        if buffer.len() < STACK_STRING {
            buffer.resize(STACK_STRING, 0);
        }
        let mut len = 0;
        self.check(unsafe {
            sys::napi_get_value_string_utf16(
                self.0,
                value.0,
                buffer.as_mut_ptr(),
                buffer.len(),
                &mut len,
            )
        })?;
        if len + 1 < buffer.len() {
            return Ok(len);
        }
        self.check(unsafe {
            sys::napi_get_value_string_utf16(self.0, value.0, ptr::null_mut(), 0, &mut len)
        })?;
        buffer.resize(len + 1, 0);
        self.check(unsafe {
            sys::napi_get_value_string_utf16(
                self.0,
                value.0,
                buffer.as_mut_ptr(),
                buffer.len(),
                &mut len,
            )
        })?;
        Ok(len)
    }

    /// ECMAScript `ToString`: what template literals, `concat` and `new URL()` apply.
    /// Throws the engine's own TypeError for a Symbol.
    pub fn js_to_string(&self, value: Value) -> Result<String> {
        if self.type_of(value)? == ValueType::String {
            return self.string_value(value);
        }
        let mut coerced = ptr::null_mut();
        self.check(unsafe { sys::napi_coerce_to_string(self.0, value.0, &mut coerced) })?;
        self.string_value(Value(coerced))
    }

    /// `String(value)`, which, unlike `ToString`, describes a Symbol instead of throwing.
    pub fn string_of(&self, value: Value) -> Result<String> {
        if self.type_of(value)? != ValueType::Symbol {
            return self.js_to_string(value);
        }
        let description = self.get(value, c"description")?;
        Ok(match self.type_of(description)? {
            ValueType::Undefined => "Symbol()".to_owned(),
            _ => format!("Symbol({})", self.string_value(description)?),
        })
    }

    /// `object[name]`, getters and prototype included. `object` must not be null or undefined.
    pub fn get(&self, object: Value, name: &CStr) -> Result<Value> {
        let mut result = ptr::null_mut();
        self.check(unsafe {
            sys::napi_get_named_property(self.0, object.0, name.as_ptr(), &mut result)
        })?;
        Ok(Value(result))
    }

    pub fn get_key(&self, object: Value, key: Value) -> Result<Value> {
        let mut result = ptr::null_mut();
        self.check(unsafe { sys::napi_get_property(self.0, object.0, key.0, &mut result) })?;
        Ok(Value(result))
    }

    /// The keys `for (key in value)` visits, as key values; none for null and undefined.
    pub fn for_in_keys(&self, value: Value) -> Result<Vec<Value>> {
        let object = match self.type_of(value)? {
            ValueType::Undefined | ValueType::Null => return Ok(Vec::new()),
            ValueType::Object | ValueType::Function => value,
            _ => {
                let mut object = ptr::null_mut();
                self.check(unsafe { sys::napi_coerce_to_object(self.0, value.0, &mut object) })?;
                Value(object)
            }
        };
        self.enumerable_names(object, sys::KeyCollectionMode::include_prototypes)
    }

    /// Enumerable string keys of an object, own only or with its prototypes'.
    fn enumerable_names(
        &self,
        object: Value,
        mode: sys::napi_key_collection_mode,
    ) -> Result<Vec<Value>> {
        let mut names = ptr::null_mut();
        self.check(unsafe {
            sys::napi_get_all_property_names(
                self.0,
                object.0,
                mode,
                sys::KeyFilter::enumerable | sys::KeyFilter::skip_symbols,
                sys::KeyConversion::numbers_to_strings,
                &mut names,
            )
        })?;
        self.elements(Value(names))
    }

    /// `value === globalThis`.
    pub fn is_global(&self, value: Value) -> Result<bool> {
        let mut global = ptr::null_mut();
        self.check(unsafe { sys::napi_get_global(self.0, &mut global) })?;
        let mut equal = false;
        self.check(unsafe { sys::napi_strict_equals(self.0, value.0, global, &mut equal) })?;
        Ok(equal)
    }

    /// `name in object`.
    pub fn has(&self, object: Value, name: &CStr) -> Result<bool> {
        let mut result = false;
        self.check(unsafe {
            sys::napi_has_named_property(self.0, object.0, name.as_ptr(), &mut result)
        })?;
        Ok(result)
    }

    pub fn is_array(&self, value: Value) -> Result<bool> {
        let mut result = false;
        self.check(unsafe { sys::napi_is_array(self.0, value.0, &mut result) })?;
        Ok(result)
    }

    /// Whether the object's prototype is not null.
    pub fn has_prototype(&self, object: Value) -> Result<bool> {
        let mut prototype = ptr::null_mut();
        self.check(unsafe { sys::napi_get_prototype(self.0, object.0, &mut prototype) })?;
        Ok(self.type_of(Value(prototype))? != ValueType::Null)
    }

    /// Whether the object has an own enumerable property, symbols included.
    pub fn has_own_enumerable_keys(&self, object: Value) -> Result<bool> {
        let mut names = ptr::null_mut();
        self.check(unsafe {
            sys::napi_get_all_property_names(
                self.0,
                object.0,
                sys::KeyCollectionMode::own_only,
                sys::KeyFilter::enumerable,
                sys::KeyConversion::keep_numbers,
                &mut names,
            )
        })?;
        let mut len = 0;
        self.check(unsafe { sys::napi_get_array_length(self.0, names, &mut len) })?;
        Ok(len > 0)
    }

    /// The elements of an array (holes read as undefined).
    pub fn elements(&self, array: Value) -> Result<Vec<Value>> {
        let mut len = 0;
        self.check(unsafe { sys::napi_get_array_length(self.0, array.0, &mut len) })?;
        (0..len)
            .map(|i| {
                let mut element = ptr::null_mut();
                self.check(unsafe { sys::napi_get_element(self.0, array.0, i, &mut element) })?;
                Ok(Value(element))
            })
            .collect()
    }

    /// A typed array's element type, element count and data; `None` for any other value.
    fn typed_array(
        &self,
        value: Value,
    ) -> Result<Option<(sys::napi_typedarray_type, usize, *mut std::ffi::c_void)>> {
        let mut is_typed_array = false;
        self.check(unsafe { sys::napi_is_typedarray(self.0, value.0, &mut is_typed_array) })?;
        if !is_typed_array {
            return Ok(None);
        }
        let mut kind = 0;
        let mut length = 0;
        let mut data = ptr::null_mut();
        let mut buffer = ptr::null_mut();
        let mut offset = 0;
        self.check(unsafe {
            sys::napi_get_typedarray_info(
                self.0,
                value.0,
                &mut kind,
                &mut length,
                &mut data,
                &mut buffer,
                &mut offset,
            )
        })?;
        Ok(Some((kind, length, data)))
    }

    /// Whether the value is a Uint8Array (a Buffer among them).
    pub fn is_uint8_array(&self, value: Value) -> Result<bool> {
        Ok(
            matches!(self.typed_array(value)?, Some((kind, _, _)) if kind == sys::TypedarrayType::uint8_array),
        )
    }

    /// The bytes of a Buffer, another ArrayBuffer view or an ArrayBuffer; `None` otherwise.
    pub fn view_bytes(&self, value: Value) -> Result<Option<Vec<u8>>> {
        if let Some((kind, length, data)) = self.typed_array(value)? {
            let width = typed_array_element_size(kind);
            return Ok(Some(copy_bytes(data, length * width)));
        }
        let mut is_array_buffer = false;
        self.check(unsafe { sys::napi_is_arraybuffer(self.0, value.0, &mut is_array_buffer) })?;
        if is_array_buffer {
            let mut data = ptr::null_mut();
            let mut length = 0;
            self.check(unsafe {
                sys::napi_get_arraybuffer_info(self.0, value.0, &mut data, &mut length)
            })?;
            return Ok(Some(copy_bytes(data, length)));
        }
        let mut is_data_view = false;
        self.check(unsafe { sys::napi_is_dataview(self.0, value.0, &mut is_data_view) })?;
        if is_data_view {
            let mut length = 0;
            let mut data = ptr::null_mut();
            let mut buffer = ptr::null_mut();
            let mut offset = 0;
            self.check(unsafe {
                sys::napi_get_dataview_info(
                    self.0,
                    value.0,
                    &mut length,
                    &mut data,
                    &mut buffer,
                    &mut offset,
                )
            })?;
            return Ok(Some(copy_bytes(data, length)));
        }
        Ok(None)
    }

    pub fn string(&self, s: &str) -> Result<Value> {
        let mut result = ptr::null_mut();
        self.check(unsafe {
            sys::napi_create_string_utf8(
                self.0,
                s.as_ptr().cast::<c_char>(),
                s.len() as isize,
                &mut result,
            )
        })?;
        Ok(Value(result))
    }

    pub fn number(&self, n: f64) -> Result<Value> {
        let mut result = ptr::null_mut();
        self.check(unsafe { sys::napi_create_double(self.0, n, &mut result) })?;
        Ok(Value(result))
    }

    pub fn object(&self) -> Result<Value> {
        let mut result = ptr::null_mut();
        self.check(unsafe { sys::napi_create_object(self.0, &mut result) })?;
        Ok(Value(result))
    }

    pub fn set(&self, object: Value, name: &CStr, value: Value) -> Result<()> {
        self.check(unsafe {
            sys::napi_set_named_property(self.0, object.0, name.as_ptr(), value.0)
        })
    }

    pub fn set_key(&self, object: Value, key: Value, value: Value) -> Result<()> {
        self.check(unsafe { sys::napi_set_property(self.0, object.0, key.0, value.0) })
    }

    /// `new Error(message)`, without the `code` napi-rs would add.
    pub fn error(&self, message: &str) -> Result<Value> {
        let message = self.string(message)?;
        let mut result = ptr::null_mut();
        self.check(unsafe {
            sys::napi_create_error(self.0, ptr::null_mut(), message.0, &mut result)
        })?;
        Ok(Value(result))
    }

    /// Throws `value` and returns the error that lets it propagate to JavaScript.
    pub fn throw(&self, value: Value) -> Error {
        match self.check(unsafe { sys::napi_throw(self.0, value.0) }) {
            Ok(()) => Error::new(Status::PendingException, ""),
            Err(e) => e,
        }
    }

    /// Makes sure `error` is pending as a JavaScript exception: an N-API failure that
    /// raised none becomes an `Error` with its message.
    pub fn raise(&self, error: Error) -> Error {
        if error.status == Status::PendingException {
            return error;
        }
        self.throw_error(&format!("{} ({})", error.reason, error.status))
    }

    /// The pending JavaScript exception, cleared.
    pub fn take_exception(&self) -> Result<Option<Value>> {
        let mut pending = false;
        self.check(unsafe { sys::napi_is_exception_pending(self.0, &mut pending) })?;
        if !pending {
            return Ok(None);
        }
        let mut exception = ptr::null_mut();
        self.check(unsafe { sys::napi_get_and_clear_last_exception(self.0, &mut exception) })?;
        Ok(Some(Value(exception)))
    }

    /// A promise already rejected with `reason`.
    pub fn rejected(&self, reason: Value) -> Result<Value> {
        let mut deferred = ptr::null_mut();
        let mut promise = ptr::null_mut();
        self.check(unsafe { sys::napi_create_promise(self.0, &mut deferred, &mut promise) })?;
        self.check(unsafe { sys::napi_reject_deferred(self.0, deferred, reason.0) })?;
        Ok(Value(promise))
    }

    /// The error that rejects a promise napi-rs settles with `reason` itself.
    pub fn rejection(&self, reason: Value) -> Error {
        Error::from_unknown_without_coercion(unsafe {
            Unknown::from_raw_unchecked(self.0, reason.0)
        })
    }

    /// `Object(value)` for a primitive.
    pub fn coerce_to_object(&self, value: Value) -> Result<Value> {
        let mut object = ptr::null_mut();
        self.check(unsafe { sys::napi_coerce_to_object(self.0, value.0, &mut object) })?;
        Ok(Value(object))
    }

    /// `Object.getPrototypeOf(object)`.
    pub fn prototype(&self, object: Value) -> Result<Value> {
        let mut prototype = ptr::null_mut();
        self.check(unsafe { sys::napi_get_prototype(self.0, object.0, &mut prototype) })?;
        Ok(Value(prototype))
    }

    pub fn is_date(&self, value: Value) -> Result<bool> {
        let mut is_date = false;
        self.check(unsafe { sys::napi_is_date(self.0, value.0, &mut is_date) })?;
        Ok(is_date)
    }

    /// `Object.prototype.hasOwnProperty.call(object, name)`.
    pub fn has_own(&self, object: Value, name: &str) -> Result<bool> {
        let key = self.string(name)?;
        let mut own = false;
        self.check(unsafe { sys::napi_has_own_property(self.0, object.0, key.0, &mut own) })?;
        Ok(own)
    }

    /// The value of a number.
    pub fn double(&self, value: Value) -> Result<f64> {
        let mut number = 0.0;
        self.check(unsafe { sys::napi_get_value_double(self.0, value.0, &mut number) })?;
        Ok(number)
    }

    /// A Uint8Array's bytes (a Buffer's), shared with JavaScript rather than copied.
    pub fn uint8_bytes(&self, value: Value) -> Result<Option<Bytes>> {
        if !self.is_uint8_array(value)? {
            return Ok(None);
        }
        let array = unsafe { Uint8Array::from_napi_value(self.0, value.0)? };
        Ok(Some(Bytes::from_owner(array)))
    }

    /// A native class instance (or any Rust value napi-rs converts) as a JavaScript value.
    pub fn native<T: ToNapiValue>(&self, value: T) -> Result<Value> {
        Ok(Value(unsafe { T::to_napi_value(self.0, value)? }))
    }

    /// Throws `new Error(message)`.
    pub fn throw_error(&self, message: &str) -> Error {
        match self.error(message) {
            Ok(error) => self.throw(error),
            Err(e) => e,
        }
    }

    /// A strong reference to `value`, which keeps it alive across calls.
    pub fn reference(&self, value: Value) -> Result<sys::napi_ref> {
        let mut reference = ptr::null_mut();
        self.check(unsafe { sys::napi_create_reference(self.0, value.0, 1, &mut reference) })?;
        Ok(reference)
    }

    /// The value a reference keeps.
    pub fn reference_value(&self, reference: sys::napi_ref) -> Result<Value> {
        let mut value = ptr::null_mut();
        self.check(unsafe { sys::napi_get_reference_value(self.0, reference, &mut value) })?;
        if value.is_null() {
            return Err(Error::new(
                Status::InvalidArg,
                "the referenced value is gone",
            ));
        }
        Ok(Value(value))
    }

    pub fn delete_reference(&self, reference: sys::napi_ref) -> Result<()> {
        self.check(unsafe { sys::napi_delete_reference(self.0, reference) })
    }

    /// `new TypeError(message)`, with a Node-style `code` when one is given.
    pub fn type_error(&self, message: &str, code: Option<&str>) -> Result<Value> {
        let message = self.string(message)?;
        let code = match code {
            Some(code) => self.string(code)?.0,
            None => ptr::null_mut(),
        };
        let mut result = ptr::null_mut();
        self.check(unsafe { sys::napi_create_type_error(self.0, code, message.0, &mut result) })?;
        Ok(Value(result))
    }

    /// Throws a `TypeError`, with a Node-style `code` when one is given.
    pub fn throw_type_error(&self, message: &str, code: Option<&str>) -> Error {
        match self.type_error(message, code) {
            Ok(error) => self.throw(error),
            Err(e) => e,
        }
    }

    fn json_function(&self, name: &CStr) -> Result<(Value, Value)> {
        let mut global = ptr::null_mut();
        self.check(unsafe { sys::napi_get_global(self.0, &mut global) })?;
        let json = self.get(Value(global), c"JSON")?;
        Ok((json, self.get(json, name)?))
    }

    /// `JSON.stringify(value)`; `None` where JavaScript gives `undefined`.
    pub fn json_stringify(&self, value: Value) -> Result<Option<String>> {
        let (json, stringify) = self.json_function(c"stringify")?;
        let result = self.call(json, stringify, &[value])?;
        match self.type_of(result)? {
            ValueType::String => Ok(Some(self.string_value(result)?)),
            _ => Ok(None),
        }
    }

    /// `JSON.parse(text)`, or `None` (and no pending exception) when it throws.
    pub fn try_json_parse(&self, text: &str) -> Result<Option<Value>> {
        match self.json_parse(text) {
            Ok(value) => Ok(Some(value)),
            Err(e) if e.status == Status::PendingException => {
                self.take_exception()?;
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    pub fn call(&self, this: Value, function: Value, args: &[Value]) -> Result<Value> {
        let args: Vec<sys::napi_value> = args.iter().map(|a| a.0).collect();
        let mut result = ptr::null_mut();
        self.check(unsafe {
            sys::napi_call_function(
                self.0,
                this.0,
                function.0,
                args.len(),
                args.as_ptr(),
                &mut result,
            )
        })?;
        Ok(Value(result))
    }

    pub fn undefined(&self) -> Result<Value> {
        let mut result = ptr::null_mut();
        self.check(unsafe { sys::napi_get_undefined(self.0, &mut result) })?;
        Ok(Value(result))
    }

    pub fn null(&self) -> Result<Value> {
        let mut result = ptr::null_mut();
        self.check(unsafe { sys::napi_get_null(self.0, &mut result) })?;
        Ok(Value(result))
    }

    pub fn boolean(&self, b: bool) -> Result<Value> {
        let mut result = ptr::null_mut();
        self.check(unsafe { sys::napi_get_boolean(self.0, b, &mut result) })?;
        Ok(Value(result))
    }

    /// `Object.keys(value)` of an object.
    pub fn own_keys(&self, object: Value) -> Result<Vec<Value>> {
        self.enumerable_names(object, sys::KeyCollectionMode::own_only)
    }

    /// Defines a non-enumerable, read-only property (as `Object.defineProperty` with
    /// only a value does).
    pub fn define_hidden(&self, object: Value, name: &CStr, value: Value) -> Result<()> {
        self.define(
            object,
            Key::Name(name),
            value,
            sys::PropertyAttributes::default,
        )
    }

    /// Defines `object[key] = value` (`key` a string or a symbol), neither enumerable nor
    /// writable.
    pub fn define_hidden_key(&self, object: Value, key: Value, value: Value) -> Result<()> {
        self.define(
            object,
            Key::Value(key),
            value,
            sys::PropertyAttributes::default,
        )
    }

    /// Defines `object.name = value` as JavaScript defines an error's `cause`: writable and
    /// configurable, not enumerable.
    pub fn define_quiet(&self, object: Value, name: &CStr, value: Value) -> Result<()> {
        let attributes = sys::PropertyAttributes::writable | sys::PropertyAttributes::configurable;
        self.define(object, Key::Name(name), value, attributes)
    }

    fn define(
        &self,
        object: Value,
        key: Key,
        value: Value,
        attributes: sys::napi_property_attributes,
    ) -> Result<()> {
        let (utf8name, name) = match key {
            Key::Name(name) => (name.as_ptr(), ptr::null_mut()),
            Key::Value(key) => (ptr::null(), key.0),
        };
        let descriptor = sys::napi_property_descriptor {
            utf8name,
            name,
            method: None,
            getter: None,
            setter: None,
            value: value.0,
            attributes,
            data: ptr::null_mut(),
        };
        self.check(unsafe { sys::napi_define_properties(self.0, object.0, 1, &descriptor) })
    }

    /// `value` as a typed function, to make a threadsafe function from.
    pub fn function<Args: napi::bindgen_prelude::JsValuesTupleIntoVec>(
        &self,
        value: Value,
    ) -> Result<napi::bindgen_prelude::Function<'static, Args, Unknown<'static>>> {
        unsafe { napi::bindgen_prelude::FromNapiValue::from_napi_value(self.0, value.0) }
    }

    /// Calls `JSON.parse(text)`, so the result and its errors are exactly JavaScript's.
    pub fn json_parse(&self, text: &str) -> Result<Value> {
        let mut global = ptr::null_mut();
        self.check(unsafe { sys::napi_get_global(self.0, &mut global) })?;
        let json = self.get(Value(global), c"JSON")?;
        let parse = self.get(json, c"parse")?;
        let argument = self.string(text)?;
        let mut result = ptr::null_mut();
        self.check(unsafe {
            sys::napi_call_function(self.0, json.0, parse.0, 1, &argument.0, &mut result)
        })?;
        Ok(Value(result))
    }
}

fn typed_array_element_size(kind: sys::napi_typedarray_type) -> usize {
    match kind {
        sys::TypedarrayType::int16_array | sys::TypedarrayType::uint16_array => 2,
        sys::TypedarrayType::int32_array
        | sys::TypedarrayType::uint32_array
        | sys::TypedarrayType::float32_array => 4,
        sys::TypedarrayType::float64_array
        | sys::TypedarrayType::bigint64_array
        | sys::TypedarrayType::biguint64_array => 8,
        _ => 1,
    }
}

fn copy_bytes(data: *mut std::ffi::c_void, len: usize) -> Vec<u8> {
    if data.is_null() || len == 0 {
        return Vec::new();
    }
    // SAFETY: N-API reported `len` readable bytes at `data` for a live view.
    unsafe { std::slice::from_raw_parts(data.cast::<u8>(), len) }.to_vec()
}

/// A property's key: a name known in Rust, or a JavaScript string or symbol.
enum Key<'a> {
    Name(&'a CStr),
    Value(Value),
}
