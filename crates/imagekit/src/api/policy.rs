//! How long a call may take, how often it is tried and how large an answer may be: the
//! options v6 lacks, read from `imagekit.options` at each call like every other option.
//! None of them has a default in `options` (so `imagekit.options` stays v6's when none is
//! given); absent, `null` or `undefined`, each takes the default below.

use std::ffi::CStr;
use std::time::Duration;

use super::{is_object, Invalid, Thrown, Validated};
use crate::http::limits::{Policy, PoolSettings, MAX_RETRIES_LIMIT};
use crate::js::{Host, Kind};
use crate::log::Level;

/// The call's limits from `options`.
pub fn policy<H: Host>(host: &H, options: H::Value) -> Validated<Policy> {
    let mut policy = Policy::default();
    if !is_object(host, options)? {
        return Ok(policy);
    }
    if let Some(ms) = milliseconds(host, options, c"timeout")? {
        policy.timeout = (ms > 0.0).then(|| duration(ms));
    }
    if let Some(ms) = milliseconds(host, options, c"idleTimeout")? {
        policy.idle_timeout = (ms > 0.0).then(|| duration(ms));
    }
    if let Some(retries) = count(host, options, c"maxRetries", MAX_RETRIES_LIMIT)? {
        policy.max_retries = retries;
    }
    if let Some(bytes) = count(host, options, c"maxResponseBytes", u32::MAX)? {
        policy.max_response_bytes = u64::from(bytes).max(1);
    }
    Ok(policy)
}

/// The pool's settings from `options`.
pub fn pool_settings<H: Host>(host: &H, options: H::Value) -> Validated<PoolSettings> {
    let mut settings = PoolSettings::default();
    if is_object(host, options)? {
        if let Some(ms) = milliseconds(host, options, c"connectTimeout")? {
            settings.connect_timeout = (ms > 0.0).then(|| duration(ms));
        }
    }
    Ok(settings)
}

/// `logLevel`: `'off'` (the default), `'error'`, `'warn'`, `'info'` or `'debug'`.
pub fn log_level<H: Host>(host: &H, options: H::Value) -> Validated<Level> {
    if !is_object(host, options)? {
        return Ok(Level::Off);
    }
    let value = host.get(options, c"logLevel")?;
    match host.kind(value)? {
        Kind::Undefined | Kind::Null => return Ok(Level::Off),
        Kind::String => {
            let name = host.text(value)?;
            if let Some((_, level)) = Level::NAMES.iter().find(|(n, _)| *n == name) {
                return Ok(*level);
            }
        }
        _ => {}
    }
    Err(invalid(
        host,
        c"logLevel",
        value,
        "'off', 'error', 'warn', 'info' or 'debug'",
    ))
}

/// `logger`, when records at `level` are wanted: an object with a method for each level
/// up to it. `None`: not given (the binding logs to `console`).
pub fn logger<H: Host>(host: &H, options: H::Value, level: Level) -> Validated<Option<H::Value>> {
    if level == Level::Off || !is_object(host, options)? {
        return Ok(None);
    }
    let logger = host.get(options, c"logger")?;
    if matches!(host.kind(logger)?, Kind::Undefined | Kind::Null) {
        return Ok(None);
    }
    let methods: &[(&CStr, Level)] = &[
        (c"error", Level::Error),
        (c"warn", Level::Warn),
        (c"info", Level::Info),
        (c"debug", Level::Debug),
    ];
    let usable = is_object(host, logger)? && {
        let mut usable = true;
        for (name, needed) in methods {
            if *needed <= level && host.kind(host.get(logger, name)?)? != Kind::Function {
                usable = false;
                break;
            }
        }
        usable
    };
    if !usable {
        let expected = format!(
            "an object with a method for each level up to '{}' (error, warn, info, debug)",
            level.name()
        );
        return Err(invalid(host, c"logger", logger, &expected));
    }
    Ok(Some(logger))
}

/// What a call reads from the instance's options besides its request's endpoint, read once,
/// in one place, once the arguments have passed: its limits, the pool's settings when the
/// pool is still to be made, its logging, and the key it authenticates with.
#[derive(Debug)]
pub struct CallContext<V> {
    pub policy: Policy,
    /// Read only when asked for: an instance makes its pool on its first call.
    pub pool: Option<PoolSettings>,
    /// `None` when `logLevel` is `'off'`; else the level and the `logger` (`None`: not
    /// given, so `console`).
    pub log: Option<(Level, Option<V>)>,
    pub private_key: String,
}

/// The call's context from `options` (see [`CallContext`]).
pub fn call_context<H: Host>(
    host: &H,
    options: H::Value,
    with_pool: bool,
) -> Validated<CallContext<H::Value>> {
    let policy = policy(host, options)?;
    let pool = with_pool
        .then(|| pool_settings(host, options))
        .transpose()?;
    let level = log_level(host, options)?;
    let log = match level {
        Level::Off => None,
        _ => Some((level, logger(host, options, level)?)),
    };
    Ok(CallContext {
        policy,
        pool,
        log,
        private_key: super::private_key(host, options)?,
    })
}

/// The options `withOptions` takes: the per-call limits, and a signal.
pub const CALL_OPTIONS: &[&CStr] = &[
    c"timeout",
    c"maxRetries",
    c"idleTimeout",
    c"maxResponseBytes",
];

/// What `withOptions(given)` applies: the limits it names (checked as the constructor checks
/// them) and its `signal`, if any. Anything else is refused, so a mistyped name or an
/// option of the whole instance (`privateKey`, `connectTimeout`) is not silently ignored.
pub fn call_options<H: Host>(
    host: &H,
    given: H::Value,
) -> Validated<(Vec<&'static CStr>, Option<H::Value>)> {
    if !is_object(host, given)? {
        let received = crate::js::describe(host, given)?;
        return Err(Invalid::Thrown(
            Thrown::type_error(format!(
                "The \"options\" argument of withOptions must be an object. Received {received}"
            ))
            .with_code("ERR_INVALID_ARG_TYPE"),
        ));
    }
    let mut named = Vec::new();
    for key in host.keys(given, false)? {
        let key = host.to_string(key)?;
        if key == "signal" {
            continue;
        }
        let Some(name) = CALL_OPTIONS
            .iter()
            .find(|name| name.to_bytes() == key.as_bytes())
        else {
            return Err(Invalid::Thrown(
                Thrown::type_error(format!(
                    "withOptions takes timeout, maxRetries, idleTimeout, maxResponseBytes and signal, not \"{key}\" (options of the whole instance are given to its constructor)"
                ))
                .with_code("ERR_INVALID_ARG_VALUE"),
            ));
        };
        if host.kind(host.get(given, name)?)? != Kind::Undefined {
            named.push(*name);
        }
    }
    policy(host, given)?;
    let signal = host.get(given, c"signal")?;
    let signal = match host.kind(signal)? {
        Kind::Undefined => None,
        Kind::Object
            if host.kind(host.get(signal, c"aborted")?)? == Kind::Boolean
                && host.kind(host.get(signal, c"addEventListener")?)? == Kind::Function =>
        {
            Some(signal)
        }
        _ => {
            let received = crate::js::describe(host, signal)?;
            return Err(Invalid::Thrown(
                Thrown::type_error(format!(
                    "The \"signal\" option must be an AbortSignal. Received {received}"
                ))
                .with_code("ERR_INVALID_ARG_TYPE"),
            ));
        }
    };
    Ok((named, signal))
}

fn duration(ms: f64) -> Duration {
    Duration::try_from_secs_f64(ms / 1000.0).unwrap_or(Duration::MAX)
}

/// A number of milliseconds, non-negative; `None` when absent.
fn milliseconds<H: Host>(host: &H, options: H::Value, name: &CStr) -> Validated<Option<f64>> {
    let Some((value, number)) = number(host, options, name)? else {
        return Ok(None);
    };
    if number.is_nan() || number < 0.0 {
        return Err(invalid(
            host,
            name,
            value,
            "a number of milliseconds, 0 or more",
        ));
    }
    Ok(Some(number))
}

/// A whole number from 0 to `max`; `None` when absent.
fn count<H: Host>(host: &H, options: H::Value, name: &CStr, max: u32) -> Validated<Option<u32>> {
    let Some((value, number)) = number(host, options, name)? else {
        return Ok(None);
    };
    if number.fract() != 0.0 || !(0.0..=f64::from(max)).contains(&number) {
        let expected = format!("a whole number from 0 to {max}");
        return Err(invalid(host, name, value, &expected));
    }
    Ok(Some(number as u32))
}

/// The option and its number; `None` when absent; an error for any other type.
fn number<H: Host>(host: &H, options: H::Value, name: &CStr) -> Validated<Option<(H::Value, f64)>> {
    let value = host.get(options, name)?;
    match host.kind(value)? {
        Kind::Undefined | Kind::Null => Ok(None),
        Kind::Number => Ok(Some((value, host.number(value)?))),
        _ => Err(invalid(host, name, value, "a number")),
    }
}

/// Node's style of an invalid option: `ERR_INVALID_ARG_VALUE`, naming what was given.
fn invalid<H: Host>(host: &H, name: &CStr, value: H::Value, expected: &str) -> Invalid {
    let received = crate::js::describe(host, value).unwrap_or_default();
    Invalid::Thrown(
        Thrown::type_error(format!(
            "The \"{}\" option of ImageKit must be {expected}. Received {received}",
            name.to_string_lossy()
        ))
        .with_code("ERR_INVALID_ARG_VALUE"),
    )
}

#[cfg(test)]
mod tests {
    use super::super::values::{Values, V};
    use super::*;

    fn read(options: V) -> Validated<Policy> {
        let model = Values::default();
        let options = model.put(options);
        policy(&model, options)
    }

    #[test]
    fn defaults_when_absent() {
        assert_eq!(read(V::object([])), Ok(Policy::default()));
        assert_eq!(read(V::Undefined), Ok(Policy::default()));
        let none = read(V::object([
            ("timeout", V::Null),
            ("maxRetries", V::Undefined),
        ]));
        assert_eq!(none, Ok(Policy::default()));
    }

    #[test]
    fn values_and_zero_as_no_limit() {
        let policy = read(V::object([
            ("timeout", V::Number(1500.0)),
            ("maxRetries", V::Number(3.0)),
            ("idleTimeout", V::Number(0.0)),
            ("maxResponseBytes", V::Number(1024.0)),
        ]))
        .unwrap();
        assert_eq!(policy.timeout, Some(Duration::from_millis(1500)));
        assert_eq!(policy.max_retries, 3);
        assert_eq!(policy.idle_timeout, None);
        assert_eq!(policy.max_response_bytes, 1024);
        assert_eq!(
            read(V::object([("timeout", V::Number(0.0))]))
                .unwrap()
                .timeout,
            None
        );
        let huge = read(V::object([("timeout", V::Number(f64::INFINITY))])).unwrap();
        assert_eq!(huge.timeout, Some(Duration::MAX));
    }

    #[test]
    fn bad_values_are_type_errors_naming_the_option() {
        for (name, value) in [
            ("timeout", V::Number(-1.0)),
            ("timeout", V::str("100")),
            ("idleTimeout", V::Number(f64::NAN)),
            ("maxRetries", V::Number(1.5)),
            ("maxRetries", V::Number(11.0)),
            ("maxResponseBytes", V::Number(-5.0)),
        ] {
            match read(V::object([(name, value)])) {
                Err(Invalid::Thrown(thrown)) => {
                    assert!(thrown.type_error);
                    assert_eq!(thrown.code, Some("ERR_INVALID_ARG_VALUE"));
                    assert!(
                        thrown.message.contains(&format!("\"{name}\"")),
                        "{}",
                        thrown.message
                    );
                }
                other => panic!("{name}: {other:?}"),
            }
        }
    }

    #[test]
    fn log_levels_by_name() {
        let model = Values::default();
        let level = |value: V| log_level(&model, model.put(V::object([("logLevel", value)])));
        assert_eq!(level(V::Undefined), Ok(Level::Off));
        assert_eq!(level(V::str("debug")), Ok(Level::Debug));
        assert_eq!(level(V::str("warn")), Ok(Level::Warn));
        assert!(matches!(level(V::str("DEBUG")), Err(Invalid::Thrown(t)) if t.type_error));
        assert!(matches!(level(V::Number(1.0)), Err(Invalid::Thrown(t)) if t.type_error));
        let options = model.put(V::object([("logger", V::object([("error", V::Function)]))]));
        assert!(logger(&model, options, Level::Error).unwrap().is_some());
        assert!(logger(&model, options, Level::Warn).is_err());
        assert_eq!(logger(&model, options, Level::Off), Ok(None));
    }

    #[test]
    fn the_connect_timeout() {
        let model = Values::default();
        let given = model.put(V::object([("connectTimeout", V::Number(250.0))]));
        assert_eq!(
            pool_settings(&model, given).unwrap().connect_timeout,
            Some(Duration::from_millis(250))
        );
        let absent = model.put(V::object([]));
        assert_eq!(
            pool_settings(&model, absent).unwrap().connect_timeout,
            Some(crate::http::limits::DEFAULT_CONNECT_TIMEOUT)
        );
    }

    #[test]
    fn a_calls_context_is_read_once_with_the_pool_only_when_asked() {
        let model = Values::default();
        let options = model.put(V::object([
            ("privateKey", V::str("private_k")),
            ("timeout", V::Number(1500.0)),
            ("connectTimeout", V::Number(0.0)),
        ]));
        let context = call_context(&model, options, false).unwrap();
        assert_eq!(context.private_key, "private_k");
        assert_eq!(context.policy.timeout, Some(Duration::from_millis(1500)));
        assert!(context.pool.is_none() && context.log.is_none());
        let first = call_context(&model, options, true).unwrap();
        assert_eq!(
            first.pool,
            Some(PoolSettings {
                connect_timeout: None
            })
        );
        let logging = model.put(V::object([("logLevel", V::str("info"))]));
        let context = call_context(&model, logging, false).unwrap();
        assert!(matches!(context.log, Some((Level::Info, None))));
        let bad = model.put(V::object([("maxRetries", V::Number(99.0))]));
        assert!(matches!(
            call_context(&model, bad, false),
            Err(Invalid::Thrown(_))
        ));
    }
}
