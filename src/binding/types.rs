//! Type-only definitions: they exist so that `napi build` writes v6's option and event
//! types into `index.d.ts` (the methods take raw values and convert them themselves, so
//! the conversions napi-rs would derive are switched off).

// Nothing constructs or reads these items: they exist for their declarations.
#![allow(dead_code)]

use std::collections::HashMap;

use napi::bindgen_prelude::{Either3, Either8, Object};
use napi_derive::napi;

/// One transformation step: parameter names (v6's table or any other) to values.
#[napi]
pub type Transformation = HashMap<String, Either3<String, bool, f64>>;

/// Options of `new ImageKit(options)`.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct ImageKitOptions {
    pub public_key: String,
    pub private_key: String,
    pub url_endpoint: String,
    pub upload_endpoint: Option<String>,
    /// Base of the media API URLs (not in v6); defaults to `https://api.imagekit.io`.
    pub api_endpoint: Option<String>,
    pub transformation_position: Option<TransformationPosition>,
    /// Milliseconds for a whole call, retries included (not in v6); none by default. A
    /// timed-out call rejects with an `Error` whose `code` is `'ETIMEDOUT'`.
    pub timeout: Option<f64>,
    /// Milliseconds to connect, TLS handshake included (not in v6); 30 000 by default.
    pub connect_timeout: Option<f64>,
    /// Milliseconds with no byte moving either way that end a call (not in v6); 600 000 by
    /// default.
    pub idle_timeout: Option<f64>,
    /// Tries after the first (not in v6), at most 10; 0 by default. Only failures a repeat
    /// cannot make worse are retried (see the README).
    pub max_retries: Option<u32>,
    /// The largest answer read, in bytes (not in v6); 64 MiB by default.
    pub max_response_bytes: Option<f64>,
    /// What is logged (not in v6): `'off'` (the default), `'error'` (calls that ended
    /// without an answer), `'warn'` (and calls that ended with an error status), `'info'`
    /// (and retries with their waits) or `'debug'` (and every try: method, path, status,
    /// duration, try number). No record holds the private key, a query string or a
    /// signature.
    #[napi(ts_type = "'off' | 'error' | 'warn' | 'info' | 'debug'")]
    pub log_level: Option<String>,
    /// Where records go (not in v6): `logger[level](message, fields)`, or `(fields, message)` to
    /// a pino or bunyan logger; `console` by default.
    #[napi(ts_type = "Pick<Console, 'error' | 'warn' | 'info' | 'debug'>")]
    pub logger: Option<napi::bindgen_prelude::Unknown<'static>>,
    /// The key `webhooks.unwrap` verifies Standard Webhooks with when none is given (not in
    /// v6; v7's option); else `IMAGEKIT_WEBHOOK_SECRET`.
    #[napi(ts_type = "string | null")]
    pub webhook_secret: Option<String>,
}

/// What `imagekit.withOptions()` applies to the calls of the instance it returns (not in
/// v6). Each limit is as in `ImageKitOptions`.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct CallOptions {
    /// Milliseconds for a whole call, retries included.
    pub timeout: Option<f64>,
    /// Tries after the first, at most 10.
    pub max_retries: Option<u32>,
    /// Milliseconds with no byte moving either way that end a call.
    pub idle_timeout: Option<f64>,
    /// The largest answer read, in bytes.
    pub max_response_bytes: Option<f64>,
    /// Cancels the calls at any stage: before they start, while connecting, while an upload
    /// streams (its source is no longer read), while waiting for a retry. An aborted call
    /// rejects with an `Error` named `AbortError` whose `cause` is the signal's reason.
    #[napi(ts_type = "AbortSignal")]
    pub signal: Option<napi::bindgen_prelude::Unknown<'static>>,
}

/// What every `url()` call may give besides its `path` or `src` (the union `UrlOptions` is
/// declared in `index.d.header.ts`).
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct UrlOptionsBase {
    pub url_endpoint: Option<String>,
    pub transformation: Option<Vec<Transformation>>,
    pub transformation_position: Option<TransformationPosition>,
    pub query_parameters: Option<HashMap<String, String>>,
    pub signed: Option<bool>,
    pub expire_seconds: Option<f64>,
}

/// Where `url()` puts the transformation: a `tr:` path segment or the `tr` query parameter.
#[napi(string_enum)]
pub enum TransformationPosition {
    #[napi(value = "path")]
    Path,
    #[napi(value = "query")]
    Query,
}

// The webhook events v6 declares, field for field. Nested shapes are written out with
// `ts_type`: they are declarations only, and naming each one would add no checked detail.

/// `video.transformation.accepted`: a video transformation was queued.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct WebhookEventVideoTransformationAccepted {
    #[napi(js_name = "type", ts_type = "'video.transformation.accepted'")]
    pub kind: String,
    pub id: String,
    #[napi(js_name = "created_at")]
    pub created_at: String,
    #[napi(ts_type = "{ x_request_id: string; url: string; user_agent: string }")]
    pub request: serde_json::Value,
    #[napi(
        ts_type = "{ asset: { url: string }; transformation: { type: string; options: { video_codec: string; audio_codec: string; auto_rotate: boolean; quality: number; format: string } } }"
    )]
    pub data: serde_json::Value,
}

/// `video.transformation.ready`: the transformed video can be fetched.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct WebhookEventVideoTransformationReady {
    #[napi(js_name = "type", ts_type = "'video.transformation.ready'")]
    pub kind: String,
    pub id: String,
    #[napi(js_name = "created_at")]
    pub created_at: String,
    #[napi(ts_type = "{ x_request_id: string; url: string; user_agent: string }")]
    pub request: serde_json::Value,
    #[napi(ts_type = "{ donwload_duration: number; encoding_duration: number }")]
    pub timings: serde_json::Value,
    #[napi(
        ts_type = "{ asset: { url: string }; transformation: { type: string; options: { video_codec: string; audio_codec: string; auto_rotate: boolean; quality: number; format: string }; output: { url: string; video_metadata: { duration: number; width: number; height: number; bitrate: number } } } }"
    )]
    pub data: serde_json::Value,
}

/// `video.transformation.error`: the video could not be transformed.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct WebhookEventVideoTransformationError {
    #[napi(js_name = "type", ts_type = "'video.transformation.error'")]
    pub kind: String,
    pub id: String,
    #[napi(js_name = "created_at")]
    pub created_at: String,
    #[napi(ts_type = "{ x_request_id: string; url: string; user_agent: string }")]
    pub request: serde_json::Value,
    #[napi(
        ts_type = "{ asset: { url: string }; transformation: { type: string; options: { video_codec: string; audio_codec: string; auto_rotate: boolean; quality: number; format: string }; error: { reason: string } } }"
    )]
    pub data: serde_json::Value,
}

/// `upload.pre-transform.success`: the upload's pre-transformation succeeded.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct WebhookEventUploadPreTransformationSuccess {
    #[napi(js_name = "type", ts_type = "'upload.pre-transform.success'")]
    pub kind: String,
    pub id: String,
    #[napi(js_name = "created_at")]
    pub created_at: String,
    #[napi(ts_type = "{ x_request_id: string; transformation: string }")]
    pub request: serde_json::Value,
    #[napi(ts_type = "UploadResponse")]
    pub data: serde_json::Value,
}

/// `upload.pre-transform.error`: the upload's pre-transformation failed.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct WebhookEventUploadPreTransformationError {
    #[napi(js_name = "type", ts_type = "'upload.pre-transform.error'")]
    pub kind: String,
    pub id: String,
    #[napi(js_name = "created_at")]
    pub created_at: String,
    #[napi(
        ts_type = "{ x_request_id: string; transformation: { type: 'transformation' | 'abs' | 'gif-to-video' | 'thumbnail'; value?: string; protocol?: 'hls' | 'dash' } }"
    )]
    pub request: serde_json::Value,
    #[napi(
        ts_type = "{ name: string; path: string; transformation: { error: { reason: string } } }"
    )]
    pub data: serde_json::Value,
}

/// `upload.post-transform.success`: a post-transformation of an upload is ready.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct WebhookEventUploadPostTransformationSuccess {
    #[napi(js_name = "type", ts_type = "'upload.post-transform.success'")]
    pub kind: String,
    pub id: String,
    #[napi(js_name = "created_at")]
    pub created_at: String,
    #[napi(
        ts_type = "{ x_request_id: string; transformation: { type: 'transformation' | 'abs' | 'gif-to-video' | 'thumbnail'; value?: string; protocol?: 'hls' | 'dash' } }"
    )]
    pub request: serde_json::Value,
    #[napi(ts_type = "{ fileId: string; url: string; name: string }")]
    pub data: serde_json::Value,
}

/// `upload.post-transform.error`: a post-transformation of an upload failed.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct WebhookEventUploadPostTransformationError {
    #[napi(js_name = "type", ts_type = "'upload.post-transform.error'")]
    pub kind: String,
    pub id: String,
    #[napi(js_name = "created_at")]
    pub created_at: String,
    #[napi(
        ts_type = "{ x_request_id: string; transformation: { type: 'transformation' | 'abs' | 'gif-to-video' | 'thumbnail'; value?: string; protocol?: 'hls' | 'dash' } }"
    )]
    pub request: serde_json::Value,
    #[napi(
        ts_type = "{ fileId: string; url: string; name: string; path: string; transformation: { error: { reason: string } } }"
    )]
    pub data: serde_json::Value,
}

/// A verified webhook event, as v6 declares it: one of the known events, or any object
/// (events ImageKit adds later).
#[napi]
pub type WebhookEvent = Either8<
    WebhookEventVideoTransformationAccepted,
    WebhookEventVideoTransformationReady,
    WebhookEventVideoTransformationError,
    WebhookEventUploadPreTransformationSuccess,
    WebhookEventUploadPreTransformationError,
    WebhookEventUploadPostTransformationSuccess,
    WebhookEventUploadPostTransformationError,
    Object<'static>,
>;
