//! Running an API call from JavaScript: v6's calling convention (a Promise, or a callback
//! taking `(error, result)`), the core's request sent on the instance's client, and the
//! outcome turned into v6's results and errors, in one place, on the JavaScript thread.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use futures_util::FutureExt;
use napi::bindgen_prelude::Env;
use napi::{Result, ValueType};

use super::class::SharedClient;
use super::ffi::{Js, Reference, Value};
use super::host::Node;
use super::outcome::{error_value, result, throw_invalid};
use super::{abort, logging, panic_probe, progress, upload_stream};
use imagekit::api::{self, Failure, Invalid, Operation, Thrown};
use imagekit::http::limits::PoolSettings;
use imagekit::http::Client;
use imagekit::log::Log;

/// What a method was called with: the instance's `options`, its `AbortSignal` (undefined
/// unless it was made by `withOptions({ signal })`), the arguments before the callback, and
/// the argument after them.
pub struct Invocation<'a, 's> {
    pub options: Value<'s>,
    pub signal: Value<'s>,
    pub args: &'a [Value<'s>],
    pub callback: Value<'s>,
}

/// Calls `operation` as invoked. Returns the call's promise, or undefined in callback mode.
///
/// The call settles exactly once: whatever goes wrong after it is sent (an answer that
/// cannot become a JavaScript value, a panic while sending or settling) becomes its
/// error, and an exception the callback throws becomes an unhandled rejection, as it is
/// when v6 calls the callback from a promise reaction.
pub fn run<'s>(
    env: &'s Env,
    pool: &SharedClient,
    operation: &Operation,
    call: Invocation<'_, 's>,
) -> Result<Value<'s>> {
    panic_probe::at(panic_probe::Stage::Export);
    let Invocation {
        options,
        signal,
        args,
        callback,
    } = call;
    let js = Js::of(env);
    let node = Node::new(js);
    let callback = match api::callback_mode(&node, callback) {
        Ok(mode) => mode.then_some(callback),
        Err(invalid) => return Err(throw_invalid(js, invalid)),
    };
    let request = match api::request(&node, operation, options, args) {
        Ok(request) => request,
        Err(invalid) => return refuse(env, callback, invalid),
    };
    let context = match api::policy::call_context(&node, options, pool.get().is_none()) {
        Ok(context) => context,
        Err(invalid) => return refuse(env, callback, invalid),
    };
    let client = match client(pool, context.pool.as_ref()) {
        Ok(client) => client,
        Err(invalid) => return refuse(env, callback, invalid),
    };
    let log = match context
        .log
        .map(|(level, logger)| logging::for_call(js, level, logger))
    {
        Some(Ok(log)) => Some(log),
        Some(Err(invalid)) => return refuse(env, callback, invalid),
        None => None,
    };
    let (policy, private_key) = (context.policy, context.private_key);
    let signal = match js.type_of(signal)? {
        ValueType::Object => Some(signal),
        _ => None,
    };
    if let Some(signal) = signal {
        if abort::is_aborted(js, signal)? {
            // Nothing is sent and no stream is read.
            return defer(env, callback, abort::abort_error(js, signal)?);
        }
    }
    let listening = match signal {
        Some(signal) => {
            let listening = abort::listen(js, signal)?;
            let token = listening.token.clone();
            let kept = (
                Reference::new(js, signal)?,
                Reference::new(js, listening.unlisten)?,
            );
            Some((token, kept))
        }
        None => None,
    };
    let (token, listening) = listening.unzip();
    let source = match node.take_source() {
        Some(source) => Some(Reference::new(js, upload_stream::start(js, source)?)?),
        None => None,
    };
    let (reporter, last_report) = match operation.build {
        api::Build::Upload => progress::for_call(js, args.first().copied())?,
        _ => None,
    }
    .unzip();
    let callback = Reference::optional(js, callback)?;
    let returns_promise = callback.is_none();
    let repeat = operation.repeat;
    let future = async move {
        // On the heap: the sending state machine is large, and is moved several times on
        // its way to the runtime.
        let sent = Box::pin(async move {
            panic_probe::at(panic_probe::Stage::Send);
            let log = log.as_deref().map(|log| log as &dyn Log);
            let counted = reporter.as_ref().map(|reporter| &reporter.progress);
            let send = client.send(request, &private_key, &policy, repeat, log, counted);
            match &reporter {
                Some(reporter) => reporter.during(send).await,
                None => send.await,
            }
        });
        let sent = AssertUnwindSafe(sent).catch_unwind();
        // None: the signal aborted, and the request was dropped wherever it was.
        Ok(match token {
            None => Some(sent.await),
            Some(token) => token.run_until_cancelled(sent).await,
        })
    };
    let promise = env.spawn_future_with_callback(future, move |env, outcome| {
        let js = Js::of(env);
        if let Some(last) = last_report {
            progress::finish(last, js);
        }
        let settled = guarded(js, || {
            panic_probe::at(panic_probe::Stage::Settle);
            let signal = match listening {
                Some((signal, unlisten)) => {
                    let unlisten = unlisten.take(js)?;
                    js.call(js.undefined()?, unlisten, &[])?;
                    Some(signal.take(js)?)
                }
                None => None,
            };
            // An abort that came after the answer but before this settles still wins, as
            // with fetch: the caller aborted a call that had not settled.
            let aborted = match signal {
                Some(signal) => abort::is_aborted(js, signal)?,
                None => false,
            };
            let Some(outcome) = outcome.filter(|_| !aborted) else {
                let signal = signal.ok_or_else(|| "aborted without a signal".to_owned())?;
                return Ok(Err(abort::abort_error(js, signal)?));
            };
            let outcome = outcome.map_err(|panic| panic_message(&*panic))?;
            // A source that failed is the call's error, whatever the server made of the
            // aborted body.
            let failure = match source {
                Some(state) => upload_stream::failure(js, state.take(js)?)?,
                None => None,
            };
            Ok(match failure {
                Some(error) => Err(error),
                None => match api::answer(outcome) {
                    Ok(response) => Ok(result(js, &response)?),
                    Err(failure) => Err(error_value(js, failure)?),
                },
            })
        });
        deliver(js, callback, settled)
    })?;
    returned(js, returns_promise, Value::of(&promise))
}

/// The instance's connection pool, made on its first call with the `connectTimeout` its
/// options have then.
pub fn client(
    pool: &SharedClient,
    settings: Option<&PoolSettings>,
) -> std::result::Result<Arc<Client>, Invalid> {
    let made = match (pool.get(), settings) {
        (Some(made), _) => made,
        (None, settings) => {
            let settings = settings.cloned().unwrap_or_default();
            pool.get_or_init(|| Client::new(&settings).map(Arc::new).map_err(|e| e.message))
        }
    };
    made.clone()
        .map_err(|message| Invalid::Thrown(Thrown::error(message)))
}

/// Why settling failed, when it did not leave its own exception.
enum Broken {
    Napi(napi::Error),
    Panic(String),
}

impl From<napi::Error> for Broken {
    fn from(error: napi::Error) -> Self {
        Broken::Napi(error)
    }
}

impl From<String> for Broken {
    fn from(message: String) -> Self {
        Broken::Panic(message)
    }
}

/// What `settle` made of the call, a JavaScript result or error either way: a step that
/// failed (a value N-API could not make, a panic) becomes the call's error.
fn guarded<'s>(
    js: Js<'s>,
    settle: impl FnOnce() -> std::result::Result<std::result::Result<Value<'s>, Value<'s>>, Broken>,
) -> Result<std::result::Result<Value<'s>, Value<'s>>> {
    let broken = match catch_unwind(AssertUnwindSafe(settle)) {
        Ok(Ok(settled)) => return Ok(settled),
        Ok(Err(broken)) => broken,
        Err(panic) => Broken::Panic(panic_message(&*panic)),
    };
    // The exception a failed step left is the error; otherwise one naming the failure.
    if let Some(exception) = js.take_exception()? {
        return Ok(Err(exception));
    }
    let error = match broken {
        Broken::Napi(error) => {
            let error_value = js.error(&format!(
                "the answer could not be turned into a JavaScript value: {}",
                error.reason
            ))?;
            js.set(error_value, c"code", js.string("ERR_IMAGEKIT_INTERNAL")?)?;
            error_value
        }
        Broken::Panic(message) => panic_error(js, &message)?,
    };
    Ok(Err(error))
}

/// The `Error` a panic is reported as: the process goes on.
pub fn panic_error<'s>(js: Js<'s>, message: &str) -> Result<Value<'s>> {
    let error = js.error(&format!("internal error in the imagekit addon: {message}"))?;
    js.set(error, c"code", js.string("ERR_IMAGEKIT_INTERNAL")?)?;
    Ok(error)
}

pub fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".to_owned())
}

/// A call whose arguments fail: v6 reports `{ message, help }` synchronously (to the
/// callback, or as a rejected promise), throws what reading the arguments threw (or
/// rejects with it: v6 reads them inside the Promise executor), and reports a deferred
/// error asynchronously.
fn refuse<'s>(env: &'s Env, callback: Option<Value<'s>>, invalid: Invalid) -> Result<Value<'s>> {
    let js = Js::of(env);
    let deferred = matches!(invalid, Invalid::Deferred(_));
    let synchronous_callback = matches!(invalid, Invalid::Argument(_));
    let error = error_value(js, Failure::Invalid(invalid))?;
    if deferred {
        return defer(env, callback, error);
    }
    match callback {
        None => js.rejected(error),
        Some(callback) if synchronous_callback => {
            js.call(js.undefined()?, callback, &[error, js.null()?])?;
            js.undefined()
        }
        Some(_) => Err(js.throw(error)),
    }
}

/// Reports `error` asynchronously, as a rejection or to the callback.
fn defer<'s>(env: &'s Env, callback: Option<Value<'s>>, error: Value<'s>) -> Result<Value<'s>> {
    let js = Js::of(env);
    let error = Reference::new(js, error)?;
    let callback = Reference::optional(js, callback)?;
    let returns_promise = callback.is_none();
    let promise = env.spawn_future_with_callback(async { Ok(()) }, move |env, ()| {
        let js = Js::of(env);
        let settled = guarded(js, || Ok(Err(error.take(js)?)))?;
        deliver(js, callback, Ok(settled))
    })?;
    returned(js, returns_promise, Value::of(&promise))
}

/// Settles a call on the JavaScript thread: the callback gets `(error, null)` or
/// `(null, result)`; without one, the call's promise rejects or resolves. An exception
/// the callback throws rejects the call's own promise, which nothing handles: Node
/// reports it as an unhandled rejection carrying that error, as with v6.
fn deliver<'s>(
    js: Js<'s>,
    callback: Option<Reference>,
    settled: Result<std::result::Result<Value<'s>, Value<'s>>>,
) -> Result<Value<'s>> {
    let settled = settled?;
    match callback {
        Some(callback) => {
            let function = callback.take(js)?;
            let (first, second) = match settled {
                Err(error) => (error, js.null()?),
                Ok(result) => (js.null()?, result),
            };
            match js.call(js.undefined()?, function, &[first, second]) {
                Ok(_) => js.undefined(),
                Err(error) => match js.take_exception()? {
                    Some(exception) => Err(js.rejection(exception)),
                    None => Err(error),
                },
            }
        }
        None => settled.map_err(|error| js.rejection(error)),
    }
}

/// The call's return value: the promise, or undefined in callback mode.
fn returned<'s>(js: Js<'s>, returns_promise: bool, promise: Value<'s>) -> Result<Value<'s>> {
    if returns_promise {
        Ok(promise)
    } else {
        js.undefined()
    }
}
