//! The core's records sent to the JavaScript logger (`logger`, or `console`), from any
//! thread: a call that logs gets a threadsafe function for its lifetime, so a call with
//! `logLevel: 'off'` (the default) pays nothing.

use std::sync::Arc;

use napi::bindgen_prelude::{FnArgs, Unknown};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::Status;

use super::ffi::Value;
use super::host::Node;
use super::shim;
use imagekit::api::{self, Invalid};
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

/// The call's logger, or `None` when `logLevel` is `'off'`.
pub fn for_call(node: &Node, options: Value) -> std::result::Result<Option<Arc<JsLog>>, Invalid> {
    let level = api::policy::log_level(node, options)?;
    if level == Level::Off {
        return Ok(None);
    }
    let logger = api::policy::logger(node, options, level)?;
    let js = node.js;
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
                let fields = fields(&record);
                Ok(FnArgs::from((
                    record.level.name().to_owned(),
                    record.message,
                    fields,
                )))
            })?;
        Ok(Arc::new(JsLog { level, emit }))
    })();
    made.map(Some).map_err(|error| {
        // Reported as the call's error: the exception, left pending.
        js.raise(error);
        Invalid::Host
    })
}

/// The record's facts, for structured loggers.
fn fields(record: &Record) -> serde_json::Value {
    let mut fields = serde_json::Map::new();
    fields.insert("method".into(), record.method.into());
    fields.insert("path".into(), record.path.clone().into());
    if let Some(status) = record.status {
        fields.insert("status".into(), status.into());
    }
    if let Some(code) = record.code {
        fields.insert("code".into(), code.into());
    }
    if let Some(duration) = record.duration {
        fields.insert(
            "durationMs".into(),
            round(duration.as_secs_f64() * 1000.0).into(),
        );
    }
    fields.insert("try".into(), record.try_number.into());
    if let Some(wait) = record.wait {
        fields.insert("waitMs".into(), round(wait.as_secs_f64() * 1000.0).into());
    }
    serde_json::Value::Object(fields)
}

fn round(ms: f64) -> f64 {
    (ms * 10.0).round() / 10.0
}
