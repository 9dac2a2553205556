//! Running an API call from JavaScript: v6's calling convention (a Promise, or a callback
//! taking `(error, result)`), the core's request sent on the instance's client, and the
//! outcome turned into v6's results and errors, in one place, on the JavaScript thread.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use futures_util::FutureExt;
use napi::bindgen_prelude::Env;
use napi::{Result, ValueType};

use super::ffi::{Js, Value};
use super::host::Node;
use super::methods::SharedClient;
use super::outcome::{error_value, pending, result, throw_invalid};
use super::{abort, logging, panic_probe, shim, upload_stream};
use imagekit::api::{self, Failure, Invalid, Operation, Thrown};
use imagekit::http::Client;
use imagekit::log::Log;

/// What a method was called with: the instance's `options`, its `AbortSignal` (undefined
/// unless it was made by `withOptions({ signal })`), the arguments before the callback, and
/// the argument after them.
pub struct Invocation<'a> {
    pub options: Value,
    pub signal: Value,
    pub args: &'a [Value],
    pub callback: Value,
}

/// Calls `operation` as invoked. Returns the call's promise, or undefined in callback mode.
///
/// The call settles exactly once: whatever goes wrong after it is sent (an answer that
/// cannot become a JavaScript value, a panic while sending or settling) becomes its
/// error, and an exception the callback throws becomes an unhandled rejection, as it is
/// when v6 calls the callback from a promise reaction.
pub fn run(
    env: &Env,
    pool: &SharedClient,
    operation: &Operation,
    call: Invocation,
) -> Result<Value> {
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
    // The options v6 lacks are read only when one of them is there (one call into
    // JavaScript, where a property read costs far less than through N-API).
    let extended = match shim::has_call_options(js, options) {
        Ok(extended) => extended,
        // A getter that threw: reported as v6 reports an exception reading the options.
        Err(error) => {
            js.raise(error);
            return refuse(env, callback, Invalid::Host);
        }
    };
    let policy = match extended {
        false => Ok(imagekit::http::limits::Policy::default()),
        true => api::policy::policy(&node, options),
    };
    let policy = match policy {
        Ok(policy) => policy,
        Err(invalid) => return refuse(env, callback, invalid),
    };
    let client = match client(&node, pool, options) {
        Ok(client) => client,
        Err(invalid) => return refuse(env, callback, invalid),
    };
    let log = match extended
        .then(|| logging::for_call(&node, options))
        .transpose()
    {
        Ok(log) => log.flatten(),
        Err(invalid) => return refuse(env, callback, invalid),
    };
    let private_key = api::private_key(&node, options).map_err(|_| pending(js))?;
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
                Persistent::new(js, signal)?,
                Persistent::new(js, listening.unlisten)?,
            );
            Some((token, kept))
        }
        None => None,
    };
    let (token, listening) = listening.unzip();
    let source = match node.take_source() {
        Some(source) => Some(Persistent::new(js, upload_stream::start(js, source)?)?),
        None => None,
    };
    let callback = Persistent::optional(js, callback)?;
    let returns_promise = callback.is_none();
    let repeat = operation.repeat;
    let future = async move {
        // On the heap: the sending state machine is large, and is moved several times on
        // its way to the runtime.
        let sent = Box::pin(async move {
            panic_probe::at(panic_probe::Stage::Send);
            let log = log.as_deref().map(|log| log as &dyn Log);
            client
                .send(request, &private_key, &policy, repeat, log)
                .await
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
fn client(
    node: &Node,
    pool: &SharedClient,
    options: Value,
) -> std::result::Result<Arc<Client>, Invalid> {
    if let Some(made) = pool.get() {
        return made
            .clone()
            .map_err(|message| Invalid::Thrown(Thrown::error(message)));
    }
    let settings = api::policy::pool_settings(node, options)?;
    pool.get_or_init(|| Client::new(&settings).map(Arc::new).map_err(|e| e.message))
        .clone()
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
fn guarded(
    js: Js,
    settle: impl FnOnce() -> std::result::Result<std::result::Result<Value, Value>, Broken>,
) -> Result<std::result::Result<Value, Value>> {
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
pub fn panic_error(js: Js, message: &str) -> Result<Value> {
    let error = js.error(&format!("internal error in the imagekit addon: {message}"))?;
    js.set(error, c"code", js.string("ERR_IMAGEKIT_INTERNAL")?)?;
    Ok(error)
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
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
fn refuse(env: &Env, callback: Option<Value>, invalid: Invalid) -> Result<Value> {
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
fn defer(env: &Env, callback: Option<Value>, error: Value) -> Result<Value> {
    let js = Js::of(env);
    let error = Persistent::new(js, error)?;
    let callback = Persistent::optional(js, callback)?;
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
fn deliver(
    js: Js,
    callback: Option<Persistent>,
    settled: Result<std::result::Result<Value, Value>>,
) -> Result<Value> {
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
fn returned(js: Js, returns_promise: bool, promise: Value) -> Result<Value> {
    if returns_promise {
        Ok(promise)
    } else {
        js.undefined()
    }
}

/// A value (a callback, an error, a stream's state) kept alive until the call settles.
struct Persistent(napi::sys::napi_ref);

impl Persistent {
    fn new(js: Js, value: Value) -> Result<Self> {
        Ok(Self(js.reference(value)?))
    }

    fn optional(js: Js, value: Option<Value>) -> Result<Option<Self>> {
        value.map(|value| Self::new(js, value)).transpose()
    }

    /// The value, with the reference released.
    fn take(self, js: Js) -> Result<Value> {
        let value = js.reference_value(self.0);
        js.delete_reference(self.0)?;
        value
    }
}
