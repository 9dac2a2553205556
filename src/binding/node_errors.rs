//! How Node's own errors describe a value they received, for the TypeErrors its APIs
//! (`crypto.createHmac`, `Buffer.from`) throw where v6 hands them a value of the wrong type.

use napi::{Result, ValueType};

use super::ffi::{Js, Value};

/// Node's description of a received value (`determineSpecificType`).
pub fn describe<'s>(js: Js<'s>, value: Value<'s>) -> Result<String> {
    let kind = js.type_of(value)?;
    let inspected = match kind {
        ValueType::Undefined => return Ok("undefined".to_owned()),
        ValueType::Null => return Ok("null".to_owned()),
        ValueType::Function => {
            let name = js.get(value, c"name")?;
            return Ok(format!("function {}", js.js_to_string(name)?));
        }
        ValueType::Object => {
            // `value.constructor && 'name' in value.constructor`, with the TypeError `in`
            // throws for a primitive constructor.
            let constructor = js.get(value, c"constructor")?;
            if js.truthy(constructor)? {
                return match js.type_of(constructor)? {
                    ValueType::Object | ValueType::Function => {
                        if js.has(constructor, c"name")? {
                            let name = js.get(constructor, c"name")?;
                            Ok(format!("an instance of {}", js.js_to_string(name)?))
                        } else {
                            Ok(inspect_shallow(js, value)?.to_owned())
                        }
                    }
                    _ => {
                        let message = format!(
                            "Cannot use 'in' operator to search for 'name' in {}",
                            js.string_of(constructor)?
                        );
                        Err(js.throw_type_error(&message, None))
                    }
                };
            }
            return Ok(inspect_shallow(js, value)?.to_owned());
        }
        ValueType::String => format!("'{}'", js.string_value(value)?),
        ValueType::BigInt => format!("{}n", js.js_to_string(value)?),
        ValueType::Number => {
            let n = js.double(value)?;
            if n == 0.0 && n.is_sign_negative() {
                "-0".to_owned()
            } else {
                imagekit::ecma::number_to_string(n)
            }
        }
        _ => js.string_of(value)?,
    };
    let inspected = if inspected.chars().count() > 28 {
        format!("{}...", inspected.chars().take(25).collect::<String>())
    } else {
        inspected
    };
    Ok(format!("type {} ({inspected})", type_name(kind)))
}

/// `util.inspect(value, { depth: -1 })` for an object without a named constructor.
fn inspect_shallow<'s>(js: Js<'s>, value: Value<'s>) -> Result<&'static str> {
    Ok(if js.is_array(value)? {
        "[Array]"
    } else if !js.has_prototype(value)? {
        if js.has_own_enumerable_keys(value)? {
            "[Object: null prototype]"
        } else {
            "[Object: null prototype] {}"
        }
    } else {
        "[Object]"
    })
}

fn type_name(kind: ValueType) -> &'static str {
    match kind {
        ValueType::Boolean => "boolean",
        ValueType::Number => "number",
        ValueType::String => "string",
        ValueType::Symbol => "symbol",
        ValueType::BigInt => "bigint",
        _ => "object",
    }
}
