//! JavaScript's semantics as v6's checks and results depend on them: the [`Host`] trait,
//! through which the API layer reads JavaScript values (the binding implements it over
//! Node's values, the tests over a small model), and the few ECMAScript conversions done
//! the way JavaScript does them. Nothing else in the core knows what a JavaScript value is.

use std::ffi::CStr;

use crate::upload_source::SourceBody;

/// `typeof`, with `null` apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Undefined,
    Null,
    Boolean,
    Number,
    String,
    Symbol,
    BigInt,
    Object,
    Function,
}

/// The host has a JavaScript exception pending: a getter or a `toString` threw, or a
/// host call failed (the host turns such a failure into an exception).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exception;

pub type HostResult<T> = std::result::Result<T, Exception>;

/// JavaScript values as v6's checks and conversions see them.
pub trait Host {
    type Value: Copy;

    fn kind(&self, value: Self::Value) -> HostResult<Kind>;
    /// `!!value`.
    fn truthy(&self, value: Self::Value) -> HostResult<bool>;
    /// `value[name]`, getters and prototypes included; a primitive is boxed. Never called
    /// for null or undefined.
    fn get(&self, value: Self::Value, name: &CStr) -> HostResult<Self::Value>;
    /// `value[key]` for a key value from [`Host::keys`].
    fn get_key(&self, value: Self::Value, key: Self::Value) -> HostResult<Self::Value>;
    /// Whether `name` is an own property.
    fn has_own(&self, value: Self::Value, name: &CStr) -> HostResult<bool>;
    /// The contents of a string value.
    fn text(&self, value: Self::Value) -> HostResult<String>;
    /// ECMAScript `ToString` (what template literals apply; throws for a Symbol).
    fn to_string(&self, value: Self::Value) -> HostResult<String>;
    /// `String(value)` (describes a Symbol instead of throwing).
    fn string_of(&self, value: Self::Value) -> HostResult<String>;
    fn number(&self, value: Self::Value) -> HostResult<f64>;
    fn boolean(&self, value: bool) -> HostResult<Self::Value>;
    fn undefined(&self) -> HostResult<Self::Value>;
    fn new_string(&self, value: &str) -> HostResult<Self::Value>;
    fn new_number(&self, value: f64) -> HostResult<Self::Value>;
    /// `{}`.
    fn new_object(&self) -> HostResult<Self::Value>;
    /// `object[name] = value`.
    fn set(&self, object: Self::Value, name: &CStr, value: Self::Value) -> HostResult<()>;
    /// `object[key] = value` for a key value from [`Host::keys`].
    fn set_key(&self, object: Self::Value, key: Self::Value, value: Self::Value) -> HostResult<()>;
    fn is_array(&self, value: Self::Value) -> HostResult<bool>;
    /// An array's elements, holes as undefined.
    fn elements(&self, value: Self::Value) -> HostResult<Vec<Self::Value>>;
    /// Own enumerable string keys (`Object.keys`), or with `inherited` the keys `for…in`
    /// visits.
    fn keys(&self, value: Self::Value, inherited: bool) -> HostResult<Vec<Self::Value>>;
    /// An array, or an object whose prototype is null or has a null prototype: what
    /// axios's form serialiser walks into.
    fn is_plain(&self, value: Self::Value) -> HostResult<bool>;
    /// `value.toISOString()` for a Date.
    fn date_iso(&self, value: Self::Value) -> HostResult<Option<String>>;
    /// `JSON.stringify(value)`; None where JavaScript gives undefined.
    fn stringify(&self, value: Self::Value) -> HostResult<Option<String>>;
    /// `JSON.stringify` of an object with these properties, in this order.
    fn stringify_fields(&self, fields: &[(&CStr, Self::Value)]) -> HostResult<String>;
    /// The bytes of any ArrayBuffer view or ArrayBuffer, copied.
    fn view_bytes(&self, value: Self::Value) -> HostResult<Option<Vec<u8>>>;
    /// `name in value`; throws JavaScript's TypeError for a primitive.
    fn has(&self, value: Self::Value, name: &CStr) -> HostResult<bool>;
    /// Whether an object's prototype is not null.
    fn has_prototype(&self, object: Self::Value) -> HostResult<bool>;
    /// Whether an object has an own enumerable property, symbols included.
    fn has_own_enumerable_keys(&self, object: Self::Value) -> HostResult<bool>;
    /// A Uint8Array's bytes (a Buffer's among them), shared rather than copied.
    fn bytes(&self, value: Self::Value) -> HostResult<Option<bytes::Bytes>>;
    /// `left + right`, JavaScript's operator (`ToPrimitive`, then concatenation or
    /// addition; throws for a Symbol, or for a BigInt beside a Number).
    fn plus(&self, left: Self::Value, right: Self::Value) -> HostResult<Self::Value>;
    /// The body a readable stream is uploaded as; reading starts once the request is sent.
    fn stream(&self, value: Self::Value) -> HostResult<SourceBody>;
}

/// How Node's own errors describe a value they received (`determineSpecificType`), for
/// the TypeErrors its APIs (`crypto.createHmac`, `Buffer.from`) throw where v6 hands them
/// a value of the wrong type.
pub fn describe<H: Host>(host: &H, value: H::Value) -> HostResult<String> {
    let kind = host.kind(value)?;
    let inspected = match kind {
        Kind::Undefined => return Ok("undefined".to_owned()),
        Kind::Null => return Ok("null".to_owned()),
        Kind::Function => {
            let name = host.get(value, c"name")?;
            return Ok(format!("function {}", host.to_string(name)?));
        }
        Kind::Object => {
            // `value.constructor && 'name' in value.constructor`, with the TypeError `in`
            // throws for a primitive constructor.
            let constructor = host.get(value, c"constructor")?;
            if host.truthy(constructor)? && host.has(constructor, c"name")? {
                let name = host.get(constructor, c"name")?;
                return Ok(format!("an instance of {}", host.to_string(name)?));
            }
            return Ok(inspect_shallow(host, value)?.to_owned());
        }
        Kind::String => format!("'{}'", host.text(value)?),
        Kind::BigInt => format!("{}n", host.to_string(value)?),
        Kind::Number => {
            let n = host.number(value)?;
            if n == 0.0 && n.is_sign_negative() {
                "-0".to_owned()
            } else {
                crate::ecma::number_to_string(n)
            }
        }
        Kind::Boolean | Kind::Symbol => host.string_of(value)?,
    };
    let inspected = if inspected.chars().count() > 28 {
        format!("{}...", inspected.chars().take(25).collect::<String>())
    } else {
        inspected
    };
    let type_name = match kind {
        Kind::Boolean => "boolean",
        Kind::Number => "number",
        Kind::String => "string",
        Kind::Symbol => "symbol",
        Kind::BigInt => "bigint",
        _ => "object",
    };
    Ok(format!("type {type_name} ({inspected})"))
}

/// `util.inspect(value, { depth: -1 })` for an object without a named constructor.
fn inspect_shallow<H: Host>(host: &H, value: H::Value) -> HostResult<&'static str> {
    Ok(if host.is_array(value)? {
        "[Array]"
    } else if !host.has_prototype(value)? {
        if host.has_own_enumerable_keys(value)? {
            "[Object: null prototype]"
        } else {
            "[Object: null prototype] {}"
        }
    } else {
        "[Object]"
    })
}
