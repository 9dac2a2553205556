//! The native half of `imagekit.uploadFolder` (see `folder.js`): the core's folder upload
//! ([`imagekit::folder_upload`]) run on the instance's connection pool, with its limits and
//! logger, cancelled by its `AbortSignal`.
//!
//! Reports reach JavaScript in batches: every [`EVERY`] a ticker wakes a threadsafe
//! function, which on the JavaScript thread drains the file reports queued since and passes
//! them with the current totals to the sink `folder.js` gave. The settling callback drains
//! what is left and makes the last call, with the final totals, just before the promise
//! settles; the sink ignores anything after that, so no report arrives once it has settled.

use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::FutureExt;
use napi::bindgen_prelude::{Env, FnArgs, Unknown};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Result, Status, ValueType};
use napi_derive::napi;
use serde_json::Value as Json;

use super::call::{self, panic_error, panic_message};
use super::class::ImageKit as JsImageKit;
use super::class::SharedClient;
use super::ffi::{Js, Reference, Value};
use super::host::Node;
use super::outcome::throw_invalid;
use super::{abort, logging};
use imagekit::api::{self, Invalid, Thrown};
use imagekit::folder_upload::{self, FileReport, FolderUpload, Tally};
use imagekit::log::Log;
use imagekit::{ImageKit, Options, UploadOptions};

/// The shortest time between two batches of reports.
const EVERY: Duration = Duration::from_millis(100);

/// What `folder.js` read and checked of `uploadFolder`'s options, sent as JSON.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct FolderJob {
    local_dir: String,
    folder: String,
    concurrency: u32,
    include: Vec<String>,
    exclude: Vec<String>,
    overwrite: bool,
    dry_run: bool,
    /// The upload options every file gets, as JSON.
    upload: String,
}

/// `(reports, totals, last)`: the file reports since the last call, the totals, and
/// whether this is the last call.
type Args = FnArgs<(Json, Json, bool)>;
type Wake = ThreadsafeFunction<(), Unknown<'static>, Args, Status, false, true>;

/// File reports waiting for the JavaScript thread.
#[derive(Default)]
struct Queue(Mutex<Vec<FileReport>>);

impl Queue {
    fn push(&self, report: &FileReport) {
        self.lock().push(report.clone());
    }

    fn drain(&self) -> Json {
        let reports = std::mem::take(&mut *self.lock());
        serde_json::to_value(reports).unwrap_or(Json::Null)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<FileReport>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Internal: runs a folder upload for `imagekit.uploadFolder` (`folder.js`), with the
/// instance's `options`, reporting to `sink(reports, totals, last)` (or nothing when it is
/// undefined) and cancelled by `signal` (an `AbortSignal`, or undefined).
#[napi(skip_typescript, catch_unwind)]
#[cfg_attr(test, allow(dead_code))] // only JavaScript calls it
pub fn upload_folder<'s>(
    env: &'s Env,
    instance: &JsImageKit,
    options: Unknown<'s>,
    job: String,
    sink: Unknown<'s>,
    signal: Unknown<'s>,
) -> Result<Value<'s>> {
    let js = Js::of(env);
    let node = Node::new(js);
    let options = Value::of(&options);
    let job: FolderJob = serde_json::from_str(&job)
        .map_err(|error| js.throw_type_error(&format!("uploadFolder's job: {error}"), None))?;
    let pool = &instance.client;
    let (client, log) = match client(js, &node, pool, options) {
        Ok(made) => made,
        Err(invalid) => return Err(throw_invalid(js, invalid)),
    };
    let client = match log {
        Some(log) => client.with_log(log),
        None => client,
    };
    let upload: serde_json::Map<String, Json> =
        serde_json::from_str(&job.upload).unwrap_or_default();
    let mut upload_options = UploadOptions::default();
    for (name, value) in upload {
        // The engine's own fields.
        if !matches!(
            name.as_str(),
            "file" | "fileName" | "folder" | "useUniqueFileName" | "overwriteFile" | "onProgress"
        ) {
            upload_options.other.insert(name, value);
        }
    }
    let mut engine_job = FolderUpload::new(job.local_dir, job.folder);
    engine_job.concurrency = job.concurrency.max(1) as usize;
    engine_job.include = job.include;
    engine_job.exclude = job.exclude;
    engine_job.overwrite = job.overwrite;
    engine_job.dry_run = job.dry_run;
    engine_job.options = upload_options;

    let signal = Value::of(&signal);
    let listening = match js.type_of(signal)? {
        ValueType::Object => Some(abort::listen(js, signal)?),
        _ => None,
    };
    let token = listening
        .as_ref()
        .map(|listening| listening.token.clone())
        .unwrap_or_default();
    if listening.is_some() && abort::is_aborted(js, signal)? {
        // Aborted already: the summary says so, and no file is sent.
        token.cancel();
    }
    let unlisten = match listening {
        Some(listening) => Some(Reference::new(js, listening.unlisten)?),
        None => None,
    };

    let sink = Value::of(&sink);
    let reporting = js.type_of(sink)? == ValueType::Function;
    let queue = Arc::new(Queue::default());
    let tally = Arc::new(Tally::new());
    let wake: Option<Wake> = if reporting {
        let (queue, tally) = (Arc::clone(&queue), Arc::clone(&tally));
        Some(
            js.function::<Args>(sink)?
                .build_threadsafe_function::<()>()
                .callee_handled::<false>()
                .weak::<true>()
                .build_callback(move |_| {
                    let totals = serde_json::to_value(tally.totals()).unwrap_or(Json::Null);
                    Ok(FnArgs::from((queue.drain(), totals, false)))
                })?,
        )
    } else {
        None
    };
    let sink = if reporting {
        Some(Reference::new(js, sink)?)
    } else {
        None
    };

    let on_file: folder_upload::OnFile = if reporting {
        let queue = Arc::clone(&queue);
        Arc::new(move |report: &FileReport| queue.push(report))
    } else {
        Arc::new(|_: &FileReport| {})
    };
    let running = Arc::clone(&tally);
    let future = async move {
        let work = folder_upload::run(Arc::new(client), engine_job, running, on_file, token);
        let mut work = std::pin::pin!(AssertUnwindSafe(work).catch_unwind());
        loop {
            tokio::select! {
                outcome = &mut work => return Ok(outcome),
                () = tokio::time::sleep(EVERY) => {
                    if let Some(wake) = &wake {
                        // Dropped rather than waited for when the environment is closing.
                        let _ = wake.call((), ThreadsafeFunctionCallMode::NonBlocking);
                    }
                }
            }
        }
    };
    let promise = env.spawn_future_with_callback(future, move |env, outcome| {
        let js = Js::of(env);
        if let Some(unlisten) = unlisten {
            let unlisten = unlisten.take(js)?;
            js.call(js.undefined()?, unlisten, &[])?;
        }
        if let Some(sink) = sink {
            let last = (|| -> Result<()> {
                let totals = serde_json::to_value(tally.totals()).unwrap_or(Json::Null);
                let reports = js.json_parse(&queue.drain().to_string())?;
                let totals = js.json_parse(&totals.to_string())?;
                js.call(
                    js.undefined()?,
                    sink.take(js)?,
                    &[reports, totals, js.boolean(true)?],
                )?;
                Ok(())
            })();
            if last.is_err() {
                let _ = js.take_exception();
            }
        }
        let settled = match outcome {
            Ok(Ok(summary)) => serde_json::to_string(&summary)
                .map_err(|error| error.to_string())
                .and_then(|text| js.json_parse(&text).map_err(|error| error.reason)),
            Ok(Err(error)) => {
                let error_value = js.error(&error.to_string())?;
                js.set(error_value, c"code", js.string("ERR_INVALID_ARG_VALUE")?)?;
                return Err(js.rejection(error_value));
            }
            Err(panic) => Err(panic_message(&*panic)),
        };
        match settled {
            Ok(summary) => Ok(summary),
            Err(message) => Err(js.rejection(panic_error(js, &message)?)),
        }
    })?;
    Ok(Value::of(&promise))
}

/// The typed client for the instance: its keys and endpoints, its limits, its connection
/// pool (made now if no call has made it) and its logger.
fn client<'s>(
    js: Js<'s>,
    node: &Node<'s>,
    pool: &SharedClient,
    options: Value<'s>,
) -> std::result::Result<(ImageKit, Option<Arc<dyn Log>>), Invalid> {
    let context = api::policy::call_context(node, options, pool.get().is_none())?;
    let http = call::client(pool, context.pool.as_ref())?;
    // As every call reads them (`api::option`); the public key and the URL endpoint are
    // not used by uploads and listings.
    let read = |name, default| api::option(node, options, name, default).map_err(Invalid::from);
    let mut made = Options::new(
        read(c"publicKey", "-")?,
        context.private_key,
        read(c"urlEndpoint", "-")?,
    );
    made.api_endpoint = Some(read(c"apiEndpoint", api::DEFAULT_API_ENDPOINT)?);
    made.upload_endpoint = Some(read(c"uploadEndpoint", api::DEFAULT_UPLOAD_ENDPOINT)?);
    made.limits = context.policy;
    let log = match context.log {
        Some((level, logger)) => Some(logging::for_call(js, level, logger)? as Arc<dyn Log>),
        None => None,
    };
    let client = ImageKit::with_pool(made, http)
        .map_err(|error| Invalid::Thrown(Thrown::error(error.to_string())))?;
    Ok((client, log))
}
