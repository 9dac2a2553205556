//! The core's records sent to the JavaScript logger (`logger`, or `console`), from any
//! thread: a call that logs gets a threadsafe function for its lifetime, so a call with
//! `logLevel: 'off'` (the default) pays nothing.

use std::sync::Arc;

use napi::bindgen_prelude::{FnArgs, Unknown};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::Status;

use super::ffi::{Js, Value};
use super::shim;
use imagekit::api::Invalid;
use imagekit::log::{Level, Log, Record};

/// The record's level, message and fields, as three arguments.
type Args = FnArgs<(String, String, serde_json::Value)>;
type Emit = ThreadsafeFunction<Record, Unknown<'static>, Args, Status, false, true>;

/// A call's logger.
pub struct JsLog {
    level: Level,
    emit: Emit,
}

impl Log for JsLog {
    fn level(&self) -> Level {
        self.level
    }

    fn record(&self, record: Record) {
        // Dropped rather than waited for when the queue is full or the environment closing.
        let _ = self
            .emit
            .call(record, ThreadsafeFunctionCallMode::NonBlocking);
    }
}

/// The call's logger at `level`, writing to `logger` (`None`: `console`).
pub fn for_call<'s>(
    js: Js<'s>,
    level: Level,
    logger: Option<Value<'s>>,
) -> std::result::Result<Arc<JsLog>, Invalid> {
    let made = (|| -> napi::Result<Arc<JsLog>> {
        let logger = match logger {
            Some(logger) => logger,
            None => js.undefined()?,
        };
        // `(level, message, fields) => logger[level](message, fields)`, from `imagekit.js`.
        let sink = js.call(js.undefined()?, shim::log_sink(js)?, &[logger])?;
        let function = js.function::<Args>(sink)?;
        let emit = function
            .build_threadsafe_function::<Record>()
            .callee_handled::<false>()
            .weak::<true>()
            .build_callback(|context| {
                let record = context.value;
                let fields = record.fields();
                Ok(FnArgs::from((
                    record.level.name().to_owned(),
                    record.message,
                    fields,
                )))
            })?;
        Ok(Arc::new(JsLog { level, emit }))
    })();
    made.map_err(|error| {
        // Reported as the call's error: the exception, left pending.
        js.raise(error);
        Invalid::Host
    })
}
