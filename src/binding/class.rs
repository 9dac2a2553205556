//! The `ImageKit` class. Configuration lives where v6 keeps it, in the plain
//! `imagekit.options` object, and every call reads it from there.

use std::sync::{Arc, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use napi::bindgen_prelude::{Env, This, Unknown};
use napi::{Result, ValueType};
use napi_derive::napi;

use super::ffi::{Js, Value};
use super::host::Node;
use super::outcome::{pending, throw_invalid};
use super::shim;
use imagekit::api::{self, sync_methods};
use imagekit::http::Client;
use imagekit::url::wire::{self, Scratch, WireError};
use imagekit::url::{self as ik_url};

fn now_seconds() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs() as f64)
}

/// Clients are created on first use and shared by every call of one `ImageKit`.
/// (`withOptions` makes instances that share it.)
pub type SharedClient = OnceLock<std::result::Result<Arc<Client>, String>>;

/// ImageKit.io SDK: URL generation and signing, upload and media management.
#[napi]
pub struct ImageKit {
    pub(super) client: Arc<SharedClient>,
}

#[napi]
impl ImageKit {
    /// Validates the options in v6's order and stores them, defaults merged, as `options`.
    #[napi(constructor, catch_unwind, ts_args_type = "opts?: ImageKitOptions")]
    pub fn new<'s>(env: &'s Env, this: This, opts: Unknown<'s>) -> Result<Self> {
        let js = Js::of(env);
        let instance = Value::of(&this.object);
        // Wrapping the global object would leak it, besides differing from v6.
        if js.is_global(instance)? {
            return Err(throw_invalid(js, api::options::called_without_new()));
        }
        let node = Node::new(js);
        let options = api::options::merged(&node, Value::of(&opts)).map_err(|_| pending(js))?;
        own_properties(js, instance, options)?;
        api::options::check(&node, options).map_err(|invalid| throw_invalid(js, invalid))?;
        Ok(ImageKit {
            client: Default::default(),
        })
    }

    /// An `ImageKit` that shares this one's configuration and connection pool, with these
    /// limits applied to its calls and, with `signal`, calls that the signal cancels. This
    /// instance is untouched; the new one's `options` are a copy of these with the limits
    /// given, and never hold the signal.
    #[napi(
        catch_unwind,
        ts_args_type = "options: CallOptions",
        ts_return_type = "ImageKit"
    )]
    pub fn with_options<'s>(
        &self,
        env: &'s Env,
        this: This,
        options: Unknown<'s>,
    ) -> Result<Value<'s>> {
        let js = Js::of(env);
        let node = Node::new(js);
        let given = Value::of(&options);
        let instance = Value::of(&this.object);
        let (named, signal) = api::policy::call_options(&node, given)
            .map_err(|invalid| throw_invalid(js, invalid))?;
        let current = js.get(instance, c"options")?;
        let copy = api::options::derived(&node, current, given, &named).map_err(|_| pending(js))?;
        let derived = js.native(ImageKit {
            client: Arc::clone(&self.client),
        })?;
        // Then the signal, under a symbol of its own.
        own_properties(js, derived, copy)?;
        let key = shim::signal_key(js)?;
        let signal = match signal {
            Some(signal) => signal,
            None => js.get_key(instance, key)?,
        };
        if js.type_of(signal)? == ValueType::Object {
            js.define_hidden_key(derived, key, signal)?;
        }
        Ok(derived)
    }

    /// Token, expiry and signature for client-side uploads.
    #[napi(
        catch_unwind,
        ts_args_type = "token?: string, expire?: number",
        ts_return_type = "{ token: string, expire: number, signature: string }"
    )]
    pub fn get_authentication_parameters<'s>(
        &self,
        env: &'s Env,
        key: Unknown<'s>,
        token: Unknown<'s>,
        expire: Unknown<'s>,
    ) -> Result<Value<'s>> {
        // `imagekit.js` reads `this.options.privateKey` (and a KeyObject's bytes) first.
        let js = Js::of(env);
        let key = Value::of(&key);
        let parameters = sync_methods::authentication_parameters(
            &Node::new(js),
            key,
            Value::of(&token),
            Value::of(&expire),
            now_seconds(),
        )
        .map_err(|invalid| throw_invalid(js, invalid))?;
        let result = js.object()?;
        js.set(result, c"token", parameters.token)?;
        js.set(result, c"expire", parameters.expire)?;
        js.set(result, c"signature", js.string(&parameters.signature)?)?;
        Ok(result)
    }
}

/// v6's own properties of an instance, in v6's order: the options, then the webhook
/// verifier.
fn own_properties<'s>(js: Js<'s>, instance: Value<'s>, options: Value<'s>) -> Result<()> {
    js.set(instance, c"options", options)?;
    js.set(
        instance,
        c"verifyWebhookEvent",
        shim::verify_webhook_event(js)?,
    )
}

/// Hamming distance between two hex pHash strings, or an `Error` (returned, not thrown).
#[napi(
    js_name = "pHashDistance",
    catch_unwind,
    ts_args_type = "firstPHash: string, secondPHash: string",
    ts_return_type = "number | Error"
)]
#[cfg_attr(test, allow(dead_code))] // only JavaScript calls it
pub fn p_hash_distance<'s>(
    env: &'s Env,
    first: Unknown<'s>,
    second: Unknown<'s>,
) -> Result<Value<'s>> {
    let js = Js::of(env);
    let distance =
        sync_methods::distance_between(&Node::new(js), Value::of(&first), Value::of(&second))
            .map_err(|_| pending(js))?;
    match distance {
        Ok(distance) => js.number(f64::from(distance)),
        Err(message) => js.error(&message),
    }
}

/// Verifies an `x-ik-signature` header against the raw body and returns the parsed event.
/// (Natively, the verified timestamp: the instance's `verifyWebhookEvent` in `imagekit.js`
/// parses the body itself, which JavaScript does without copying it back.)
#[napi(
    catch_unwind,
    ts_args_type = "payload: string | Uint8Array, signature: string, secret: string",
    ts_return_type = "{ timestamp: number, event: WebhookEvent }"
)]
#[cfg_attr(test, allow(dead_code))] // only JavaScript calls it
pub fn verify_webhook_event<'s>(
    env: &'s Env,
    payload: Unknown<'s>,
    signature_header: Unknown<'s>,
    secret: Unknown<'s>,
) -> Result<Value<'s>> {
    let js = Js::of(env);
    let (timestamp, _body) = sync_methods::verify_event(
        &Node::new(js),
        Value::of(&payload),
        Value::of(&signature_header),
        Value::of(&secret),
    )
    .map_err(|invalid| throw_invalid(js, invalid))?;
    js.number(timestamp)
}

/// HMAC-SHA1 of `data` with `key`, in hex: `getAuthenticationParameters`'s signature for
/// the call `imagekit.js` signs directly (a string key, token and expiry).
#[napi(js_name = "hmacSha1Hex", skip_typescript, catch_unwind)]
#[cfg_attr(test, allow(dead_code))] // only JavaScript calls it
pub fn hmac_sha1_hex(key: String, data: String) -> String {
    imagekit::signature::hmac_sha1_hex(key.as_bytes(), data.as_bytes())
}

/// v6's reading of the `x-ik-signature` header alone: throws what v6 throws for it, which
/// v6 reports before it converts a body of any other type (`imagekit.js` converts such a
/// body with `Buffer.from` once the header passed).
#[napi(skip_typescript, catch_unwind)]
#[cfg_attr(test, allow(dead_code))] // only JavaScript calls it
pub fn check_webhook_signature<'s>(env: &'s Env, signature_header: Unknown<'s>) -> Result<()> {
    let js = Js::of(env);
    sync_methods::signature_header(&Node::new(js), Value::of(&signature_header))
        .map(drop)
        .map_err(|invalid| throw_invalid(js, invalid))
}

/// `url()`'s native half: builds the URL from the options `imagekit.js` read, in the wire
/// form of `imagekit::url::wire` (with a private key that is not a string given beside it). A free function
/// rather than a method: napi-rs's per-call bookkeeping for `&self` methods cost a tenth
/// of the whole call, and the URL needs nothing from the instance.
#[napi(js_name = "buildUrl", skip_typescript, catch_unwind)]
#[cfg_attr(test, allow(dead_code))] // only JavaScript calls it
pub fn build_url_from_wire(env: Env, wire: Unknown, key: Unknown) -> Result<String> {
    thread_local! {
        static WIRE: std::cell::RefCell<(Vec<u16>, Scratch)> = std::cell::RefCell::new(Default::default());
    }
    let js = Js::of(&env);
    let key_bytes = match js.type_of(Value::of(&key))? {
        ValueType::Undefined => None,
        // Converted as `crypto.createHmac` converts a key, with its TypeError.
        _ => Some(
            sync_methods::hmac_key(&Node::new(js), Value::of(&key))
                .map_err(|invalid| throw_invalid(js, invalid))?,
        ),
    };
    let built = WIRE.with_borrow_mut(|(units, scratch)| {
        let len = js.utf16_value(Value::of(&wire), units)?;
        let units = units.get(..len).ok_or(WireError);
        Ok::<_, napi::Error>(
            units
                .and_then(|units| wire::build(units, scratch, key_bytes.as_deref(), now_seconds())),
        )
    })?;
    match built {
        Ok(Ok(url)) => Ok(url),
        Ok(Err(ik_url::InvalidUrl(input))) => Err(throw_invalid_url(js, &input)),
        Err(WireError) => Err(js.throw_type_error("url() options could not be read", None)),
    }
}

/// Node's `ERR_INVALID_URL` TypeError, as `new URL()` throws it.
#[cfg_attr(test, allow(dead_code))]
pub(super) fn throw_invalid_url<'s>(js: Js<'s>, input: &str) -> napi::Error {
    let error = match js.type_error("Invalid URL", Some("ERR_INVALID_URL")) {
        Ok(error) => error,
        Err(e) => return e,
    };
    match js
        .string(input)
        .and_then(|input| js.set(error, c"input", input))
    {
        Ok(()) => js.throw(error),
        Err(e) => e,
    }
}
