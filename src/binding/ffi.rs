//! Raw N-API access with JavaScript's own conversion rules (`String()`, truthiness, `for…in`
//! keys): the binding's only `unsafe` code, for what napi-rs's safe API lacks or makes
//! slow (conversions without copies, reads that keep JavaScript's semantics). Every call
//! checks its status; a JavaScript exception (a throwing getter or `toString`) stays
//! pending and surfaces as the caller's exception, and a failed status becomes a
//! JavaScript error.
//!
//! The invariants every `unsafe` block here relies on, kept by the types:
//! - a [`Js<'s>`] is made only from the `Env` of the native call running now (or of the
//!   callback napi-rs runs on the JavaScript thread), and its lifetime `'s` is that call's:
//!   it cannot be kept beyond it;
//! - a [`Value<'s>`] is a handle made in that call's handle scope, so it cannot outlive the
//!   scope either; a value kept across calls is a [`Reference`], which owns an N-API
//!   reference and deletes it when dropped, on every path.

use std::ffi::{c_char, CStr};
use std::marker::PhantomData;
use std::ptr;

use bytes::Bytes;
use napi::bindgen_prelude::{Env, FromNapiValue, ToNapiValue, TypeName, Uint8Array, Unknown};
use napi::{sys, Error, JsValue, Result, Status, ValueType};

/// Calls the N-API function `$f` with the env of `$js` first and checks its status.
macro_rules! napi {
    ($js:expr, $f:ident($($arg:expr),* $(,)?)) => {{
        let js: &Js = $js;
        // SAFETY: the env is the running call's (a `Js<'s>` cannot outlive it); every
        // `napi_value` passed is a `Value<'s>` of the same call's scope, or a handle N-API
        // just returned in it; every other pointer is to a live local (or a `CStr`) that
        // the function reads or writes once before it returns.
        js.check(unsafe { sys::$f(js.0, $($arg),*) })
    }};
}

/// [`napi!`] for a function whose last argument is where it writes its result: the result.
macro_rules! napi_out {
    ($js:expr, $f:ident($($arg:expr),* $(,)?) => $init:expr) => {{
        let mut out = $init;
        napi!($js, $f($($arg,)* &mut out)).map(|()| out)
    }};
}

/// A value handle, valid while the native call that received or made it runs (N-API's
/// handle scope), which its lifetime `'s` stands for.
#[derive(Clone, Copy)]
pub struct Value<'s>(sys::napi_value, PhantomData<&'s ()>);

impl<'s> Value<'s> {
    pub fn of(value: &impl JsValue<'s>) -> Self {
        Value(value.raw(), PhantomData)
    }
}

impl ToNapiValue for Value<'_> {
    /// # Safety
    /// napi-rs calls it with the env of the call that made the handle, which it returns.
    unsafe fn to_napi_value(_env: sys::napi_env, value: Self) -> Result<sys::napi_value> {
        Ok(value.0)
    }
}

impl TypeName for Value<'_> {
    fn type_name() -> &'static str {
        "unknown"
    }

    fn value_type() -> ValueType {
        ValueType::Unknown
    }
}

/// The running call's environment.
#[derive(Clone, Copy)]
pub struct Js<'s>(sys::napi_env, PhantomData<&'s ()>);

/// A value kept alive across calls: a strong N-API reference, deleted when this is
/// dropped. Dropped only on the JavaScript thread: it is neither `Send` nor `Sync`, and
/// napi-rs runs and drops a settling callback on that thread.
pub struct Reference {
    env: sys::napi_env,
    raw: sys::napi_ref,
}

impl Reference {
    pub fn new(js: Js, value: Value) -> Result<Self> {
        let mut raw = ptr::null_mut();
        napi!(&js, napi_create_reference(value.0, 1, &mut raw))?;
        Ok(Self { env: js.0, raw })
    }

    pub fn optional(js: Js, value: Option<Value>) -> Result<Option<Self>> {
        value.map(|value| Self::new(js, value)).transpose()
    }

    /// The value kept, as a handle of the running call.
    pub fn value<'s>(&self, js: Js<'s>) -> Result<Value<'s>> {
        referenced(js, self.raw)
    }

    /// The value kept; the reference is released.
    pub fn take<'s>(self, js: Js<'s>) -> Result<Value<'s>> {
        self.value(js)
    }

    /// Kept for the environment's life: the environment deletes the reference when it is
    /// torn down (a thread-local's destructor, which may run after that, must not).
    pub fn keep(self) -> Kept {
        let kept = Kept(self.raw);
        std::mem::forget(self);
        kept
    }
}

/// A reference kept for the environment's life (see [`Reference::keep`]).
#[derive(Clone, Copy)]
pub struct Kept(sys::napi_ref);

impl Kept {
    pub fn value<'s>(self, js: Js<'s>) -> Result<Value<'s>> {
        referenced(js, self.0)
    }
}

fn referenced<'s>(js: Js<'s>, raw: sys::napi_ref) -> Result<Value<'s>> {
    let mut value = ptr::null_mut();
    napi!(&js, napi_get_reference_value(raw, &mut value))?;
    if value.is_null() {
        return Err(Error::new(
            Status::InvalidArg,
            "the referenced value is gone",
        ));
    }
    Ok(Value(value, PhantomData))
}

impl Drop for Reference {
    fn drop(&mut self) {
        // SAFETY: `env` made `raw` and is alive: a reference lives in a call's settling
        // state or in the environment's registered functions, both dropped on the
        // JavaScript thread before the environment is torn down.
        let status = unsafe { sys::napi_delete_reference(self.env, self.raw) };
        // Checked, and not reported: a drop has no caller to report to (and must not
        // panic on the JavaScript thread); a reference that could not be deleted only
        // keeps its value alive until the environment ends.
        let _kept_alive = status != sys::Status::napi_ok;
    }
}

/// Strings up to this many bytes are read with a single N-API call.
const STACK_STRING: usize = 256;

impl<'s> Js<'s> {
    pub fn of(env: &'s Env) -> Self {
        Js(env.raw(), PhantomData)
    }

    fn value(&self, raw: sys::napi_value) -> Value<'s> {
        Value(raw, PhantomData)
    }

    fn check(&self, status: sys::napi_status) -> Result<()> {
        if status == sys::Status::napi_ok {
            return Ok(());
        }
        let mut pending = false;
        // SAFETY: `self.0` is the env of the current call; `pending` is a live local.
        let queried = unsafe { sys::napi_is_exception_pending(self.0, &mut pending) };
        if queried == sys::Status::napi_ok && pending {
            Err(Error::new(Status::PendingException, ""))
        } else {
            Err(Error::new(Status::from(status), "N-API call failed"))
        }
    }

    pub fn type_of(&self, value: Value<'s>) -> Result<ValueType> {
        let kind = napi_out!(self, napi_typeof(value.0) => 0)?;
        Ok(ValueType::from(kind))
    }

    /// `!!value`.
    pub fn truthy(&self, value: Value<'s>) -> Result<bool> {
        let coerced = napi_out!(self, napi_coerce_to_bool(value.0) => ptr::null_mut())?;
        napi_out!(self, napi_get_value_bool(coerced) => false)
    }

    /// The UTF-8 contents of a string value (lone surrogates become U+FFFD, as in
    /// `Buffer.from(string)` and the WHATWG URL parser).
    pub fn string_value(&self, value: Value<'s>) -> Result<String> {
        let mut buffer = [0u8; STACK_STRING];
        let mut len = 0;
        // SAFETY: the env and `value` are this call's (see the module's invariants); `buffer`
        // is a live local of STACK_STRING bytes, the size passed, and N-API writes at most
        // that many, the terminating NUL included.
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
        // SAFETY: as above; a null buffer asks only for the length, written to a live local.
        self.check(unsafe {
            sys::napi_get_value_string_utf8(self.0, value.0, ptr::null_mut(), 0, &mut len)
        })?;
        let mut heap = vec![0u8; len + 1];
        // SAFETY: as above; `heap` holds `heap.len()` bytes, the size passed.
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
    pub fn utf16_value(&self, value: Value<'s>, buffer: &mut Vec<u16>) -> Result<usize> {
        // Give back what one huge string took rather than keep it for the thread's life.
        if buffer.len() > 1 << 16 {
            buffer.truncate(STACK_STRING);
            buffer.shrink_to(STACK_STRING);
        }
        if buffer.len() < STACK_STRING {
            buffer.resize(STACK_STRING, 0);
        }
        let mut len = 0;
        // SAFETY: the env and `value` are this call's; `buffer` holds `buffer.len()` units, the
        // size passed, and N-API writes at most that many, the terminating NUL included.
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
        // SAFETY: as above; a null buffer asks only for the length, written to a live local.
        self.check(unsafe {
            sys::napi_get_value_string_utf16(self.0, value.0, ptr::null_mut(), 0, &mut len)
        })?;
        buffer.resize(len + 1, 0);
        // SAFETY: as above; `buffer` was just resized to hold the string and its NUL.
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
    pub fn js_to_string(&self, value: Value<'s>) -> Result<String> {
        if self.type_of(value)? == ValueType::String {
            return self.string_value(value);
        }
        let coerced = napi_out!(self, napi_coerce_to_string(value.0) => ptr::null_mut())?;
        self.string_value(self.value(coerced))
    }

    /// `String(value)`, which, unlike `ToString`, describes a Symbol instead of throwing.
    pub fn string_of(&self, value: Value<'s>) -> Result<String> {
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
    pub fn get(&self, object: Value<'s>, name: &CStr) -> Result<Value<'s>> {
        napi_out!(self, napi_get_named_property(object.0, name.as_ptr()) => ptr::null_mut())
            .map(|raw| self.value(raw))
    }

    pub fn get_key(&self, object: Value<'s>, key: Value<'s>) -> Result<Value<'s>> {
        napi_out!(self, napi_get_property(object.0, key.0) => ptr::null_mut())
            .map(|raw| self.value(raw))
    }

    /// The keys `for (key in value)` visits, as key values; none for null and undefined.
    pub fn for_in_keys(&self, value: Value<'s>) -> Result<Vec<Value<'s>>> {
        let object = match self.type_of(value)? {
            ValueType::Undefined | ValueType::Null => return Ok(Vec::new()),
            ValueType::Object | ValueType::Function => value,
            _ => {
                let object = napi_out!(self, napi_coerce_to_object(value.0) => ptr::null_mut())?;
                self.value(object)
            }
        };
        self.enumerable_names(object, sys::KeyCollectionMode::include_prototypes)
    }

    /// Enumerable string keys of an object, own only or with its prototypes'.
    fn enumerable_names(
        &self,
        object: Value<'s>,
        mode: sys::napi_key_collection_mode,
    ) -> Result<Vec<Value<'s>>> {
        let filter = sys::KeyFilter::enumerable | sys::KeyFilter::skip_symbols;
        let numbers = sys::KeyConversion::numbers_to_strings;
        let names = napi_out!(self, napi_get_all_property_names(object.0, mode, filter, numbers) => ptr::null_mut())?;
        self.elements(self.value(names))
    }

    /// `value === globalThis`.
    pub fn is_global(&self, value: Value<'s>) -> Result<bool> {
        let global = napi_out!(self, napi_get_global() => ptr::null_mut())?;
        napi_out!(self, napi_strict_equals(value.0, global) => false)
    }

    /// `name in object`.
    pub fn has(&self, object: Value<'s>, name: &CStr) -> Result<bool> {
        napi_out!(self, napi_has_named_property(object.0, name.as_ptr()) => false)
    }

    pub fn is_array(&self, value: Value<'s>) -> Result<bool> {
        napi_out!(self, napi_is_array(value.0) => false)
    }

    /// Whether the object's prototype is not null.
    pub fn has_prototype(&self, object: Value<'s>) -> Result<bool> {
        let prototype = napi_out!(self, napi_get_prototype(object.0) => ptr::null_mut())?;
        Ok(self.type_of(self.value(prototype))? != ValueType::Null)
    }

    /// Whether the object has an own enumerable property, symbols included.
    pub fn has_own_enumerable_keys(&self, object: Value<'s>) -> Result<bool> {
        let (own, numbers) = (
            sys::KeyCollectionMode::own_only,
            sys::KeyConversion::keep_numbers,
        );
        let all = sys::KeyFilter::enumerable;
        let names = napi_out!(self, napi_get_all_property_names(object.0, own, all, numbers) => ptr::null_mut())?;
        napi_out!(self, napi_get_array_length(names) => 0).map(|out| out > 0)
    }

    /// The elements of an array (holes read as undefined).
    pub fn elements(&self, array: Value<'s>) -> Result<Vec<Value<'s>>> {
        let len = napi_out!(self, napi_get_array_length(array.0) => 0)?;
        (0..len)
            .map(|i| {
                napi_out!(self, napi_get_element(array.0, i) => ptr::null_mut())
                    .map(|raw| self.value(raw))
            })
            .collect()
    }

    /// A typed array's element type, element count and data; `None` for any other value.
    fn typed_array(
        &self,
        value: Value<'s>,
    ) -> Result<Option<(sys::napi_typedarray_type, usize, *mut std::ffi::c_void)>> {
        let is_typed_array = napi_out!(self, napi_is_typedarray(value.0) => false)?;
        if !is_typed_array {
            return Ok(None);
        }
        let mut kind = 0;
        let mut length = 0;
        let mut data = ptr::null_mut();
        let mut buffer = ptr::null_mut();
        let mut offset = 0;
        let info = (&mut kind, &mut length, &mut data, &mut buffer, &mut offset);
        napi!(
            self,
            napi_get_typedarray_info(value.0, info.0, info.1, info.2, info.3, info.4)
        )?;
        Ok(Some((kind, length, data)))
    }

    /// Whether the value is a Uint8Array (a Buffer among them).
    pub fn is_uint8_array(&self, value: Value<'s>) -> Result<bool> {
        Ok(
            matches!(self.typed_array(value)?, Some((kind, _, _)) if kind == sys::TypedarrayType::uint8_array),
        )
    }

    /// The bytes of a Buffer, another ArrayBuffer view or an ArrayBuffer; `None` otherwise.
    pub fn view_bytes(&self, value: Value<'s>) -> Result<Option<Vec<u8>>> {
        if let Some((kind, length, data)) = self.typed_array(value)? {
            let width = typed_array_element_size(kind);
            return Ok(Some(copy_bytes(data, length * width)));
        }
        let is_array_buffer = napi_out!(self, napi_is_arraybuffer(value.0) => false)?;
        if is_array_buffer {
            let mut data = ptr::null_mut();
            let length = napi_out!(self, napi_get_arraybuffer_info(value.0, &mut data) => 0)?;
            return Ok(Some(copy_bytes(data, length)));
        }
        let is_data_view = napi_out!(self, napi_is_dataview(value.0) => false)?;
        if is_data_view {
            let mut length = 0;
            let mut data = ptr::null_mut();
            let mut buffer = ptr::null_mut();
            let mut offset = 0;
            let info = (&mut length, &mut data, &mut buffer, &mut offset);
            napi!(
                self,
                napi_get_dataview_info(value.0, info.0, info.1, info.2, info.3)
            )?;
            return Ok(Some(copy_bytes(data, length)));
        }
        Ok(None)
    }

    pub fn string(&self, s: &str) -> Result<Value<'s>> {
        let mut result = ptr::null_mut();
        // SAFETY: the env is this call's; the pointer and length are those of `s`, valid UTF-8
        // that N-API copies before it returns.
        self.check(unsafe {
            sys::napi_create_string_utf8(
                self.0,
                s.as_ptr().cast::<c_char>(),
                s.len() as isize,
                &mut result,
            )
        })?;
        Ok(self.value(result))
    }

    pub fn number(&self, n: f64) -> Result<Value<'s>> {
        napi_out!(self, napi_create_double(n) => ptr::null_mut()).map(|raw| self.value(raw))
    }

    pub fn object(&self) -> Result<Value<'s>> {
        napi_out!(self, napi_create_object() => ptr::null_mut()).map(|raw| self.value(raw))
    }

    pub fn set(&self, object: Value<'s>, name: &CStr, value: Value<'s>) -> Result<()> {
        napi!(
            self,
            napi_set_named_property(object.0, name.as_ptr(), value.0)
        )
    }

    pub fn set_key(&self, object: Value<'s>, key: Value<'s>, value: Value<'s>) -> Result<()> {
        napi!(self, napi_set_property(object.0, key.0, value.0))
    }

    /// `new Error(message)`, without the `code` napi-rs would add.
    pub fn error(&self, message: &str) -> Result<Value<'s>> {
        let message = self.string(message)?;
        napi_out!(self, napi_create_error(ptr::null_mut(), message.0) => ptr::null_mut())
            .map(|raw| self.value(raw))
    }

    /// Throws `value` and returns the error that lets it propagate to JavaScript.
    pub fn throw(&self, value: Value<'s>) -> Error {
        match napi!(self, napi_throw(value.0)) {
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
    pub fn take_exception(&self) -> Result<Option<Value<'s>>> {
        let pending = napi_out!(self, napi_is_exception_pending() => false)?;
        if !pending {
            return Ok(None);
        }
        let exception = napi_out!(self, napi_get_and_clear_last_exception() => ptr::null_mut())?;
        Ok(Some(self.value(exception)))
    }

    /// A promise already rejected with `reason`.
    pub fn rejected(&self, reason: Value<'s>) -> Result<Value<'s>> {
        let mut deferred = ptr::null_mut();
        let promise = napi_out!(self, napi_create_promise(&mut deferred) => ptr::null_mut())?;
        napi!(self, napi_reject_deferred(deferred, reason.0))?;
        Ok(self.value(promise))
    }

    /// The error that rejects a promise napi-rs settles with `reason` itself.
    pub fn rejection(&self, reason: Value<'s>) -> Error {
        // SAFETY: `reason` is a handle of this call's scope in this env, which is what
        // `from_raw_unchecked` requires; the error takes a reference to it.
        Error::from_unknown_without_coercion(unsafe {
            Unknown::from_raw_unchecked(self.0, reason.0)
        })
    }

    /// `Object(value)` for a primitive.
    pub fn coerce_to_object(&self, value: Value<'s>) -> Result<Value<'s>> {
        napi_out!(self, napi_coerce_to_object(value.0) => ptr::null_mut())
            .map(|raw| self.value(raw))
    }

    /// `Object.getPrototypeOf(object)`.
    pub fn prototype(&self, object: Value<'s>) -> Result<Value<'s>> {
        napi_out!(self, napi_get_prototype(object.0) => ptr::null_mut()).map(|raw| self.value(raw))
    }

    pub fn is_date(&self, value: Value<'s>) -> Result<bool> {
        napi_out!(self, napi_is_date(value.0) => false)
    }

    /// `Object.prototype.hasOwnProperty.call(object, name)`.
    pub fn has_own(&self, object: Value<'s>, name: &str) -> Result<bool> {
        let key = self.string(name)?;
        napi_out!(self, napi_has_own_property(object.0, key.0) => false)
    }

    /// The value of a number.
    pub fn double(&self, value: Value<'s>) -> Result<f64> {
        napi_out!(self, napi_get_value_double(value.0) => 0.0)
    }

    /// A Uint8Array's bytes (a Buffer's), shared with JavaScript rather than copied.
    pub fn uint8_bytes(&self, value: Value<'s>) -> Result<Option<Bytes>> {
        if !self.is_uint8_array(value)? {
            return Ok(None);
        }
        // SAFETY: `value` is a Uint8Array of this call (checked just above); napi-rs keeps a
        // reference to it, so the bytes stay valid for the `Bytes` that owns the array.
        let array = unsafe { Uint8Array::from_napi_value(self.0, value.0)? };
        Ok(Some(Bytes::from_owner(array)))
    }

    /// A native class instance (or any Rust value napi-rs converts) as a JavaScript value.
    pub fn native<T: ToNapiValue>(&self, value: T) -> Result<Value<'s>> {
        // SAFETY: the env is this call's, which is all `to_napi_value` requires.
        Ok(self.value(unsafe { T::to_napi_value(self.0, value)? }))
    }

    /// Throws `new Error(message)`.
    pub fn throw_error(&self, message: &str) -> Error {
        match self.error(message) {
            Ok(error) => self.throw(error),
            Err(e) => e,
        }
    }

    /// `new TypeError(message)`, with a Node-style `code` when one is given.
    pub fn type_error(&self, message: &str, code: Option<&str>) -> Result<Value<'s>> {
        let message = self.string(message)?;
        let code = match code {
            Some(code) => self.string(code)?.0,
            None => ptr::null_mut(),
        };
        napi_out!(self, napi_create_type_error(code, message.0) => ptr::null_mut())
            .map(|raw| self.value(raw))
    }

    /// Throws a `TypeError`, with a Node-style `code` when one is given.
    pub fn throw_type_error(&self, message: &str, code: Option<&str>) -> Error {
        match self.type_error(message, code) {
            Ok(error) => self.throw(error),
            Err(e) => e,
        }
    }

    /// Throws `new globalThis[constructor](message)`: an engine error class N-API has no
    /// function for, such as `URIError`.
    pub fn throw_global_error(&self, constructor: &CStr, message: &str) -> Error {
        let made = (|| {
            let global = napi_out!(self, napi_get_global() => ptr::null_mut())?;
            let class = self.get(self.value(global), constructor)?;
            let message = self.string(message)?;
            let args = [message.0];
            let mut error = ptr::null_mut();
            // SAFETY: the env, the constructor and the argument are this call's handles;
            // `args` is a live array whose pointer and length are passed together.
            self.check(unsafe {
                sys::napi_new_instance(self.0, class.0, args.len(), args.as_ptr(), &mut error)
            })?;
            Ok::<_, Error>(self.value(error))
        })();
        match made {
            Ok(error) => self.throw(error),
            Err(e) => e,
        }
    }

    fn json_function(&self, name: &CStr) -> Result<(Value<'s>, Value<'s>)> {
        let global = napi_out!(self, napi_get_global() => ptr::null_mut())?;
        let json = self.get(self.value(global), c"JSON")?;
        Ok((json, self.get(json, name)?))
    }

    /// `JSON.stringify(value)`; `None` where JavaScript gives `undefined`.
    pub fn json_stringify(&self, value: Value<'s>) -> Result<Option<String>> {
        let (json, stringify) = self.json_function(c"stringify")?;
        let result = self.call(json, stringify, &[value])?;
        match self.type_of(result)? {
            ValueType::String => Ok(Some(self.string_value(result)?)),
            _ => Ok(None),
        }
    }

    /// `JSON.parse(text)`, or `None` (and no pending exception) when it throws.
    pub fn try_json_parse(&self, text: &str) -> Result<Option<Value<'s>>> {
        match self.json_parse(text) {
            Ok(value) => Ok(Some(value)),
            Err(e) if e.status == Status::PendingException => {
                self.take_exception()?;
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    pub fn call(
        &self,
        this: Value<'s>,
        function: Value<'s>,
        args: &[Value<'s>],
    ) -> Result<Value<'s>> {
        let args: Vec<sys::napi_value> = args.iter().map(|a| a.0).collect();
        let mut result = ptr::null_mut();
        // SAFETY: the env, `this`, `function` and every argument are this call's handles;
        // `args` is a live vector whose pointer and length are passed together.
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
        Ok(self.value(result))
    }

    pub fn undefined(&self) -> Result<Value<'s>> {
        napi_out!(self, napi_get_undefined() => ptr::null_mut()).map(|raw| self.value(raw))
    }

    pub fn null(&self) -> Result<Value<'s>> {
        napi_out!(self, napi_get_null() => ptr::null_mut()).map(|raw| self.value(raw))
    }

    pub fn boolean(&self, b: bool) -> Result<Value<'s>> {
        napi_out!(self, napi_get_boolean(b) => ptr::null_mut()).map(|raw| self.value(raw))
    }

    /// `Object.keys(value)` of an object.
    pub fn own_keys(&self, object: Value<'s>) -> Result<Vec<Value<'s>>> {
        self.enumerable_names(object, sys::KeyCollectionMode::own_only)
    }

    /// Defines a non-enumerable, read-only property (as `Object.defineProperty` with
    /// only a value does).
    pub fn define_hidden(&self, object: Value<'s>, name: &CStr, value: Value<'s>) -> Result<()> {
        self.define(
            object,
            Key::Name(name),
            value,
            sys::PropertyAttributes::default,
        )
    }

    /// Defines `object[key] = value` (`key` a string or a symbol), neither enumerable nor
    /// writable.
    pub fn define_hidden_key(
        &self,
        object: Value<'s>,
        key: Value<'s>,
        value: Value<'s>,
    ) -> Result<()> {
        self.define(
            object,
            Key::Value(key),
            value,
            sys::PropertyAttributes::default,
        )
    }

    /// Defines `object.name = value` as JavaScript defines an error's `cause`: writable and
    /// configurable, not enumerable.
    pub fn define_quiet(&self, object: Value<'s>, name: &CStr, value: Value<'s>) -> Result<()> {
        let attributes = sys::PropertyAttributes::writable | sys::PropertyAttributes::configurable;
        self.define(object, Key::Name(name), value, attributes)
    }

    fn define(
        &self,
        object: Value<'s>,
        key: Key<'_, 's>,
        value: Value<'s>,
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
        // SAFETY: the env, `object` and the descriptor's value and key are this call's;
        // `descriptor` is one live local, the count passed, and its name a `CStr` or null.
        self.check(unsafe { sys::napi_define_properties(self.0, object.0, 1, &descriptor) })
    }

    /// `value` as a typed function, to make a threadsafe function from.
    pub fn function<Args: napi::bindgen_prelude::JsValuesTupleIntoVec>(
        &self,
        value: Value<'s>,
    ) -> Result<napi::bindgen_prelude::Function<'static, Args, Unknown<'static>>> {
        // SAFETY: the env and `value` are this call's; the function is checked to be one and
        // held by the threadsafe function made from it, not by this handle.
        unsafe { napi::bindgen_prelude::FromNapiValue::from_napi_value(self.0, value.0) }
    }

    /// Calls `JSON.parse(text)`, so the result and its errors are exactly JavaScript's.
    pub fn json_parse(&self, text: &str) -> Result<Value<'s>> {
        let (json, parse) = self.json_function(c"parse")?;
        let argument = self.string(text)?;
        self.call(json, parse, &[argument])
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
enum Key<'a, 's> {
    Name(&'a CStr),
    Value(Value<'s>),
}
