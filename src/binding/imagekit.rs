//! The `ImageKit` class. Configuration lives where v6 keeps it, in the plain
//! `imagekit.options` object, and every call reads it from there.

use std::time::{SystemTime, UNIX_EPOCH};

use napi::bindgen_prelude::{Env, This, Unknown};
use napi::{Result, ValueType};
use napi_derive::napi;

use super::js::{Js, Value};
use super::node_errors::{invalid_arg_type, HMAC_KEY_TYPES};
use super::shim;
use super::url_wire::{Reader, Scratch, WireError};
use crate::api::DEFAULT_UPLOAD_ENDPOINT;
use crate::errors::{self, ErrorMessage};
use crate::url::{self as ik_url, Signing, Source, UrlRequest};
use crate::{phash, signature, webhook};

/// Lifetime of client-upload authentication parameters when no expiry is given.
const DEFAULT_AUTH_EXPIRY_SECONDS: f64 = 30.0 * 60.0;

fn now_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as f64)
        .unwrap_or(0.0)
}

fn now_seconds() -> f64 {
    (now_ms() / 1000.0).trunc()
}

/// ImageKit.io SDK: URL generation and signing, upload and media management.
#[napi]
pub struct ImageKit {
    pub(super) client: super::methods::SharedClient,
}

impl ImageKit {
    fn options(js: Js, this: &This) -> Result<Value> {
        let options = js.get(Value::of(&this.object), c"options")?;
        match js.type_of(options)? {
            ValueType::Object | ValueType::Function => Ok(options),
            _ => {
                let empty = js.object()?;
                Ok(empty)
            }
        }
    }
}

fn throw_message(js: Js, message: &ErrorMessage) -> napi::Error {
    js.throw_error(message.message)
}

/// Key bytes for an HMAC, with Node's TypeError for values `crypto` refuses.
fn hmac_key(js: Js, value: Value) -> Result<Vec<u8>> {
    if js.type_of(value)? == ValueType::String {
        return Ok(js.string_value(value)?.into_bytes());
    }
    match js.view_bytes(value)? {
        Some(bytes) => Ok(bytes),
        None => Err(invalid_arg_type(js, "key", HMAC_KEY_TYPES, value)),
    }
}

/// JavaScript `a + b` for the token and expiry of authentication parameters.
fn concat_for_signature(js: Js, token: Value, expire: Value) -> Result<String> {
    // `imagekit.js` sends only a string token with a string or numeric expiry here (other
    // inputs follow v6 step by step in JavaScript), so `token + expire` is concatenation.
    Ok(format!(
        "{}{}",
        js.js_to_string(token)?,
        js.js_to_string(expire)?
    ))
}

#[napi]
impl ImageKit {
    /// Validates the options in v6's order and stores them, defaults merged, as `options`.
    #[napi(constructor, ts_args_type = "opts?: ImageKitOptions")]
    pub fn new(env: Env, this: This, opts: Unknown) -> Result<Self> {
        let js = Js::of(&env);
        // Called without `new`, the receiver is the global object: v6 (a strict-mode
        // function) fails there with this TypeError, and wrapping the global would leak.
        if js.is_global(Value::of(&this.object))? {
            return Err(js.throw_type_error(
                "Cannot set properties of undefined (setting 'options')",
                None,
            ));
        }
        let options = js.object()?;
        for (name, value) in [
            (c"uploadEndpoint", DEFAULT_UPLOAD_ENDPOINT),
            (c"publicKey", ""),
            (c"privateKey", ""),
            (c"urlEndpoint", ""),
            (c"transformationPosition", "path"),
        ] {
            js.set(options, name, js.string(value)?)?;
        }
        let opts = Value::of(&opts);
        for key in js.for_in_keys(opts)? {
            js.set_key(options, key, js.get_key(opts, key)?)?;
        }
        for (name, message) in [
            (c"publicKey", &errors::MANDATORY_PUBLIC_KEY_MISSING),
            (c"privateKey", &errors::MANDATORY_PRIVATE_KEY_MISSING),
            (c"urlEndpoint", &errors::MANDATORY_URL_ENDPOINT_KEY_MISSING),
        ] {
            if !js.truthy(js.get(options, name)?)? {
                return Err(throw_message(js, message));
            }
        }
        let instance = Value::of(&this.object);
        // v6's own properties, in v6's order: the options, then the webhook verifier.
        js.set(instance, c"options", options)?;
        js.set(
            instance,
            c"verifyWebhookEvent",
            shim::verify_webhook_event(js)?,
        )?;
        Ok(ImageKit {
            client: Default::default(),
        })
    }

    /// Token, expiry and signature for client-side uploads.
    #[napi(
        ts_args_type = "token?: string, expire?: number",
        ts_return_type = "{ token: string, expire: number, signature: string }"
    )]
    pub fn get_authentication_parameters(
        &self,
        env: Env,
        this: This,
        token: Unknown,
        expire: Unknown,
    ) -> Result<Value> {
        let js = Js::of(&env);
        let options = Self::options(js, &this)?;
        let (token, expire) = (Value::of(&token), Value::of(&expire));
        let result = js.object()?;
        let key = js.get(options, c"privateKey")?;
        let (token, expire, signature) = if !js.truthy(key)? {
            let token = if js.truthy(token)? {
                token
            } else {
                js.string("")?
            };
            let expire = if js.truthy(expire)? {
                expire
            } else {
                js.number(0.0)?
            };
            (token, expire, String::new())
        } else {
            let token = if js.truthy(token)? {
                token
            } else {
                js.string(&uuid::Uuid::new_v4().to_string())?
            };
            let expire = if js.truthy(expire)? {
                expire
            } else {
                js.number(now_seconds() + DEFAULT_AUTH_EXPIRY_SECONDS)?
            };
            let message = concat_for_signature(js, token, expire)?;
            let key = hmac_key(js, key)?;
            (
                token,
                expire,
                signature::authentication_signature(&key, &message),
            )
        };
        js.set(result, c"token", token)?;
        js.set(result, c"expire", expire)?;
        js.set(result, c"signature", js.string(&signature)?)?;
        Ok(result)
    }
}

/// Hamming distance between two hex pHash strings, or an `Error` (returned, not thrown).
#[napi(
    js_name = "pHashDistance",
    ts_args_type = "firstPHash: string, secondPHash: string",
    ts_return_type = "number | Error"
)]
#[cfg_attr(test, allow(dead_code))] // only JavaScript calls it
pub fn p_hash_distance(env: Env, first: Unknown, second: Unknown) -> Result<Value> {
    let js = Js::of(&env);
    let (first, second) = (Value::of(&first), Value::of(&second));
    let result = if !js.truthy(first)? || !js.truthy(second)? {
        phash::distance(None, None)
    } else {
        let first = js.js_to_string(first)?;
        if phash::is_hex(&first) {
            phash::distance(Some(&first), Some(&js.js_to_string(second)?))
        } else {
            Err(&errors::INVALID_PHASH_VALUE)
        }
    };
    let value = match result {
        Ok(distance) => js.number(f64::from(distance))?,
        Err(message) => js.error(&format!("{}: {}", message.message, message.help))?,
    };
    Ok(value)
}

/// Verifies an `x-ik-signature` header against the raw body and returns the parsed event.
#[napi(
    ts_args_type = "payload: string | Uint8Array, signature: string, secret: string",
    ts_return_type = "{ timestamp: number, event: WebhookEvent }"
)]
#[cfg_attr(test, allow(dead_code))] // only JavaScript calls it
pub fn verify_webhook_event(
    env: Env,
    payload: Unknown,
    signature_header: Unknown,
    secret: Unknown,
) -> Result<Value> {
    let js = Js::of(&env);
    let (payload, header, secret) = (
        Value::of(&payload),
        Value::of(&signature_header),
        Value::of(&secret),
    );
    let header = match js.type_of(header)? {
        ValueType::String => js.string_value(header)?,
        kind @ (ValueType::Undefined | ValueType::Null) => {
            let what = if kind == ValueType::Null {
                "null"
            } else {
                "undefined"
            };
            let message = format!("Cannot read properties of {what} (reading 'split')");
            return Err(js.throw_type_error(&message, None));
        }
        _ => return Err(js.throw_type_error("signature.split is not a function", None)),
    };
    let body = if js.type_of(payload)? == ValueType::String {
        js.string_value(payload)?
    } else {
        match js.view_bytes(payload)? {
            Some(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            None => {
                let expected = "of type string or an instance of Buffer, ArrayBuffer, or Array or an Array-like Object";
                return Err(invalid_arg_type(js, "first", expected, payload));
            }
        }
    };
    // v6 reads the header before it looks at the secret.
    if let Err(message) = webhook::parse_header(&header) {
        return Err(throw_message(js, message));
    }
    let secret = hmac_key(js, secret)?;
    let timestamp = match webhook::verify(&body, &header, &secret) {
        Ok(timestamp) => timestamp,
        Err(message) => return Err(throw_message(js, message)),
    };
    let result = js.object()?;
    js.set(result, c"timestamp", js.number(timestamp)?)?;
    js.set(result, c"event", js.json_parse(&body)?)?;
    Ok(result)
}

/// `url()`'s native half: builds the URL from the options `imagekit.js` read, in the wire
/// form of `url_wire` (with a private key given as bytes beside it). A free function
/// rather than a method: napi-rs's per-call bookkeeping for `&self` methods cost a tenth
/// of the whole call, and the URL needs nothing from the instance.
#[napi(js_name = "buildUrl", skip_typescript)]
#[cfg_attr(test, allow(dead_code))] // only JavaScript calls it
pub fn build_url_from_wire(env: Env, wire: Unknown, key_bytes: Unknown) -> Result<String> {
    thread_local! {
        static WIRE: std::cell::RefCell<(Vec<u16>, Scratch)> = std::cell::RefCell::new(Default::default());
    }
    let js = Js::of(&env);
    let key_bytes = match js.type_of(Value::of(&key_bytes))? {
        ValueType::Object => js.view_bytes(Value::of(&key_bytes))?,
        _ => None,
    };
    let built = WIRE.with_borrow_mut(|(units, scratch)| {
        let len = js.utf16_value(Value::of(&wire), units)?;
        let units = units.get(..len).ok_or(WireError);
        Ok::<_, napi::Error>(
            units.and_then(|units| build_url(units, scratch, key_bytes.as_deref())),
        )
    })?;
    match built {
        Ok(Ok(url)) => Ok(url),
        Ok(Err(ik_url::InvalidUrl(input))) => Err(throw_invalid_url(js, &input)),
        Err(WireError) => Err(js.throw_type_error("url() options could not be read", None)),
    }
}

#[cfg_attr(test, allow(dead_code))]
fn build_url(
    wire: &[u16],
    scratch: &mut Scratch,
    key_bytes: Option<&[u8]>,
) -> std::result::Result<std::result::Result<String, ik_url::InvalidUrl>, WireError> {
    let wire = Reader::new(wire, scratch)?;
    let from_path = wire.flag("p")?;
    let base = wire.field()?;
    let path = wire.field()?;
    let transformation_in_query = wire.flag("q")?;
    let signed = wire.flag("1")?;
    let expire_seconds = wire.field()?.parse::<f64>().unwrap_or(f64::NAN);
    let prefix = wire.field()?.strip_prefix('1');
    let key = wire.field()?;
    let private_key = match key.strip_prefix('1') {
        Some(key) => Some(key.as_bytes()),
        None if key == "b" => key_bytes,
        None => None,
    };
    let query_parameters = wire.pairs()?;
    let transformation = wire.transformation()?;

    let base_url = match ik_url::parse_cached(base) {
        Ok(url) => url,
        Err(e) => return Ok(Err(e)),
    };
    let source = if from_path {
        Source::Path {
            url_endpoint: base_url,
            path,
        }
    } else {
        Source::Src(base_url)
    };
    Ok(Ok(ik_url::build(UrlRequest {
        source,
        transformation: &transformation,
        transformation_in_query,
        query_parameters: &query_parameters,
        signing: signed.then(|| Signing {
            private_key,
            endpoint_prefix: prefix,
            expire_seconds,
            now_seconds: now_seconds(),
        }),
    })))
}

/// Node's `ERR_INVALID_URL` TypeError, as `new URL()` throws it.
#[cfg_attr(test, allow(dead_code))]
fn throw_invalid_url(js: Js, input: &str) -> napi::Error {
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
