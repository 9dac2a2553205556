//! The options of `new ImageKit(options)`: v6's defaults, the caller's options copied over
//! them (`for…in`), and the three that must be given, checked in v6's order; then the
//! options v6 lacks (`src/api/policy.rs`).

use std::ffi::CStr;

use super::{is_object, Invalid, Thrown, Validated, DEFAULT_UPLOAD_ENDPOINT};
use crate::js::{Host, HostResult};
use crate::messages::{self, ErrorMessage};

/// What the options start from.
pub const DEFAULTS: &[(&CStr, &str)] = &[
    (c"uploadEndpoint", DEFAULT_UPLOAD_ENDPOINT),
    (c"publicKey", ""),
    (c"privateKey", ""),
    (c"urlEndpoint", ""),
    (c"transformationPosition", "path"),
];

const REQUIRED: &[(&CStr, &ErrorMessage)] = &[
    (c"publicKey", &messages::MANDATORY_PUBLIC_KEY_MISSING),
    (c"privateKey", &messages::MANDATORY_PRIVATE_KEY_MISSING),
    (
        c"urlEndpoint",
        &messages::MANDATORY_URL_ENDPOINT_KEY_MISSING,
    ),
];

/// `ImageKit(options)` without `new`: the receiver is the global object, where v6 (a
/// strict-mode function, whose `this` is then undefined) fails with V8's TypeError.
pub fn called_without_new() -> Invalid {
    Invalid::Thrown(Thrown::type_error(
        "Cannot set properties of undefined (setting 'options')",
    ))
}

/// `new ImageKit(opts)`'s options: v6's defaults, then every key `for…in` visits in
/// `opts`, copied over them.
pub fn merged<H: Host>(host: &H, opts: H::Value) -> HostResult<H::Value> {
    let options = host.new_object()?;
    for (name, value) in DEFAULTS {
        host.set(options, name, host.new_string(value)?)?;
    }
    copy_into(host, options, opts)?;
    Ok(options)
}

/// The options of the instance `withOptions(given)` makes: a copy of the current ones (when
/// they are an object) with the limits `given` names.
pub fn derived<H: Host>(
    host: &H,
    current: H::Value,
    given: H::Value,
    named: &[&CStr],
) -> HostResult<H::Value> {
    let copy = host.new_object()?;
    if is_object(host, current)? {
        copy_into(host, copy, current)?;
    }
    for name in named {
        host.set(copy, name, host.get(given, name)?)?;
    }
    Ok(copy)
}

/// `for (key in source) target[key] = source[key]`.
fn copy_into<H: Host>(host: &H, target: H::Value, source: H::Value) -> HostResult<()> {
    for key in host.keys(source, true)? {
        host.set_key(target, key, host.get_key(source, key)?)?;
    }
    Ok(())
}

/// The merged options must hold a truthy `publicKey`, `privateKey` and `urlEndpoint`; the
/// constructor throws an `Error` naming the first one missing.
pub fn check<H: Host>(host: &H, options: H::Value) -> Validated<()> {
    for (name, message) in REQUIRED {
        if !host.truthy(host.get(options, name)?)? {
            return Err(Invalid::Thrown(Thrown::error(message.message)));
        }
    }
    // The options v6 lacks are checked once v6's own have passed.
    super::policy::policy(host, options)?;
    super::policy::pool_settings(host, options)?;
    let level = super::policy::log_level(host, options)?;
    super::policy::logger(host, options, level)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::values::{Values, V};
    use super::*;

    #[test]
    fn the_first_missing_option_is_the_error() {
        let model = Values::default();
        let options = model.put(V::object([
            ("publicKey", V::str("p")),
            ("privateKey", V::str("")),
        ]));
        assert_eq!(
            check(&model, options),
            Err(Invalid::Thrown(Thrown::error(
                "Missing privateKey during ImageKit initialization"
            )))
        );
        let complete = V::object([
            ("publicKey", V::str("p")),
            ("privateKey", V::str("k")),
            ("urlEndpoint", V::str("https://ik.imagekit.io/demo")),
        ]);
        assert_eq!(check(&model, model.put(complete)), Ok(()));
    }

    #[test]
    fn defaults_then_the_callers_keys_and_a_derived_copy() {
        let model = Values::default();
        let given = model.put(V::object([
            ("publicKey", V::str("p")),
            ("transformationPosition", V::str("query")),
        ]));
        let options = merged(&model, given).unwrap();
        let text = |value, name: &CStr| model.to_string(model.get(value, name).unwrap()).unwrap();
        assert_eq!(text(options, c"publicKey"), "p");
        assert_eq!(text(options, c"transformationPosition"), "query");
        assert_eq!(text(options, c"uploadEndpoint"), DEFAULT_UPLOAD_ENDPOINT);
        let limits = model.put(V::object([
            ("timeout", V::Number(5.0)),
            ("maxRetries", V::Number(2.0)),
        ]));
        let copy = derived(&model, options, limits, &[c"timeout"]).unwrap();
        assert_eq!(text(copy, c"publicKey"), "p");
        assert_eq!(text(copy, c"timeout"), "5");
        assert_eq!(text(copy, c"maxRetries"), "undefined");
        assert_eq!(
            text(options, c"timeout"),
            "undefined",
            "the original is untouched"
        );
    }
}
