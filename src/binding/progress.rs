//! An upload's `onProgress`: the core counts the body's bytes as the connection takes them
//! ([`imagekit::http::Progress`]); a ticker on the runtime reports a changed count at most
//! every [`EVERY`], through a threadsafe function, and the settling callback makes the last
//! report, with the final count, on the JavaScript thread just before the call settles.
//! The JavaScript side (`progressSink` in `imagekit.js`) drops any report queued after
//! that last one, so none arrives once the call has settled.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use napi::bindgen_prelude::{FnArgs, Unknown};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Result, Status, ValueType};

use super::ffi::{Js, Reference, Value};
use super::shim;
use imagekit::api::upload::PROGRESS_OPTION;
use imagekit::http::Progress;

/// The shortest time between two reports.
const EVERY: Duration = Duration::from_millis(100);

/// `(loaded, total, last)`: the count, the body's size (`null` when unknown), and whether
/// this is the last report.
type Args = FnArgs<(f64, Option<f64>, bool)>;
type Emit = ThreadsafeFunction<(u64, Option<u64>), Unknown<'static>, Args, Status, false, true>;

/// A call's progress as the core counts it, reported while the call is sent.
pub struct Reporter {
    pub progress: Arc<Progress>,
    emit: Emit,
}

/// The last report, made on the JavaScript thread.
pub struct Last {
    progress: Arc<Progress>,
    report: Reference,
}

/// The reporter for an upload whose options hold an `onProgress` function, and its last
/// report; `None` for any other call.
pub fn for_call<'s>(js: Js<'s>, upload: Option<Value<'s>>) -> Result<Option<(Reporter, Last)>> {
    let Some(upload) = upload else {
        return Ok(None);
    };
    if js.type_of(upload)? != ValueType::Object {
        return Ok(None);
    }
    let on_progress = js.get(upload, c"onProgress")?;
    debug_assert_eq!(PROGRESS_OPTION, "onProgress");
    if js.type_of(on_progress)? != ValueType::Function {
        return Ok(None);
    }
    let report = js.call(js.undefined()?, shim::progress_sink(js)?, &[on_progress])?;
    let emit = js
        .function::<Args>(report)?
        .build_threadsafe_function::<(u64, Option<u64>)>()
        .callee_handled::<false>()
        .weak::<true>()
        .build_callback(|context| {
            let (loaded, total) = context.value;
            Ok(FnArgs::from((
                loaded as f64,
                total.map(|t| t as f64),
                false,
            )))
        })?;
    let progress = Arc::new(Progress::new());
    let last = Last {
        progress: Arc::clone(&progress),
        report: Reference::new(js, report)?,
    };
    Ok(Some((Reporter { progress, emit }, last)))
}

impl Reporter {
    /// Reports a changed count every [`EVERY`] while `work` runs; `work`'s outcome.
    pub async fn during<T>(&self, work: impl Future<Output = T>) -> T {
        let mut work = std::pin::pin!(work);
        let mut reported = None;
        loop {
            tokio::select! {
                outcome = &mut work => return outcome,
                () = tokio::time::sleep(EVERY) => {
                    let now = (self.progress.loaded(), self.progress.total());
                    if reported != Some(now) && now.0 > 0 {
                        reported = Some(now);
                        // Dropped rather than waited for when the environment is closing.
                        let _ = self.emit.call(now, ThreadsafeFunctionCallMode::NonBlocking);
                    }
                }
            }
        }
    }
}

/// The last report, with the final count, on the JavaScript thread. It never fails the
/// call: the report function catches what `onProgress` throws, and anything else is
/// cleared.
pub fn finish(last: Last, js: Js<'_>) {
    let loaded = last.progress.loaded() as f64;
    let total = last.progress.total().map(|t| t as f64);
    let reported = (|| -> Result<()> {
        let report = last.report.take(js)?;
        let total = match total {
            Some(total) => js.number(total)?,
            None => js.null()?,
        };
        js.call(
            js.undefined()?,
            report,
            &[js.number(loaded)?, total, js.boolean(true)?],
        )?;
        Ok(())
    })();
    if reported.is_err() {
        let _ = js.take_exception();
    }
}
