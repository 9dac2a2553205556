//! `POST /api/v1/files/upload`: multipart uploads with every parameter of the
//! reference SDK's `UploadOptions` (and `/api/v2/files/upload`, the same
//! with a JWT for client-side uploads: `v2`).
//!
//! The `file` part is streamed straight into blob storage (binary parts as
//! they arrive, base64 text decoded on the fly, URLs downloaded chunk by
//! chunk), so an upload is held at most once: in the memory store, or not at
//! all with a data directory. The body is read in `form`; the options are
//! checked, the bytes analysed and the upload recorded by
//! `library::uploads`; the answer is `views::UploadResult`.

pub mod body;
mod form;
mod v2;

use std::sync::Arc;

use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::DefaultBodyLimit;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::Method;
use axum::middleware::from_fn_with_state;
use axum::routing::post;
use axum::{Json, Router};
use tower_http::cors::{AllowHeaders, AllowOrigin, CorsLayer};

use crate::app::App;
use crate::auth::{check_basic, ClientUploadAuth};
use crate::library::uploads::{self, analysis::analyse, Options};
use crate::routes::error::{ApiError, ApiResult};
use crate::routes::layers;
use crate::routes::views::UploadResult;
use crate::storage::BlobWriter;
use form::{download_into, receive, Incoming};

/// Checks client-side credentials and uses their token up.
pub(crate) fn authenticate(app: &App, auth: &ClientUploadAuth) -> ApiResult<()> {
    if !auth.is_present() {
        return Err(ApiError::Unauthorized(
            "Your request does not contain private API key.".into(),
        ));
    }
    auth.verify(&app.config.public_key, &app.config.private_key)?;
    Ok(app.tokens.claim(auth)?)
}

/// Which upload API a request came to: they share the form, the options
/// and the answer, and differ in client-side authentication and names.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Api {
    /// `/api/v1/files/upload`: publicKey, signature, expire and token fields.
    V1,
    /// `/api/v2/files/upload`: a JWT in `token` (see `v2`).
    V2,
}

pub async fn upload(
    state: State<Arc<App>>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<Json<UploadResult>> {
    upload_to(Api::V1, state, headers, multipart).await
}

async fn upload_to(
    api: Api,
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<Json<UploadResult>> {
    let basic = headers.contains_key(axum::http::header::AUTHORIZATION);
    if basic {
        check_basic(&headers, &app.config.private_key)?;
    }
    let mut multipart = multipart.map_err(|e| {
        ApiError::bad_request(format!(
            "The upload must be multipart/form-data: {}",
            e.body_text()
        ))
    })?;
    let mut writer = app.store.writer().await.map_err(ApiError::internal)?;
    match receive_file(api, &app, &mut multipart, &mut writer, basic).await {
        Ok(options) => finish_upload(&app, writer, options).await,
        Err(e) => {
            app.store.discard(writer).await;
            Err(e)
        }
    }
}

/// Reads the form, authenticates, validates the options, then moves the
/// file into `writer` (from the spool, or downloading its URL). Nothing is
/// downloaded or written to the blob before the request is authenticated.
async fn receive_file(
    api: Api,
    app: &App,
    multipart: &mut Multipart,
    writer: &mut BlobWriter,
    basic: bool,
) -> ApiResult<Options> {
    let mut authenticated = basic;
    let (form, incoming) = receive(app, multipart, writer, &mut authenticated).await?;
    match api {
        Api::V1 if !authenticated => authenticate(app, &form.auth)?,
        // v2 always checks its token, whatever client-side v1 fields came.
        Api::V2 if !basic => v2::authenticate(app, &form)?,
        _ => {}
    }
    if matches!(incoming, Incoming::Missing) {
        return Err(ApiError::bad_request("Missing file parameter for upload"));
    }
    let mut options = Options::parse(&form.fields)?;
    if api == Api::V2 {
        v2::keep_names(&mut options, &form);
    }
    match incoming {
        Incoming::Spooled(spool) => spool.copy_into(writer).await.map_err(ApiError::internal)?,
        Incoming::Url(url) => download_into(app, &url, writer).await?,
        Incoming::Missing | Incoming::Stored => {}
    }
    Ok(options)
}

async fn finish_upload(
    app: &App,
    writer: BlobWriter,
    options: Options,
) -> ApiResult<Json<UploadResult>> {
    let size = writer.written();
    let key = app.store.commit(writer).await.map_err(ApiError::internal)?;
    let pre = options.pre_transformation.clone();
    let analysis = match analyse(&app.store, key.clone(), size, &options.file_name, pre).await {
        Ok(a) => a,
        Err(e) => {
            app.store.remove_blobs(vec![key]).await;
            uploads::pre_transform_failed(&app.events, &options, &e);
            return Err(e.into());
        }
    };
    let response_fields = options.response_fields.clone();
    let metadata = analysis.metadata.clone();
    let (file, version) = uploads::record(&app.store, &app.events, options, analysis).await?;
    Ok(Json(UploadResult::new(
        app,
        &file,
        &version,
        &response_fields,
        metadata,
    )))
}

/// The upload route. It authenticates inside the handler (client-side
/// uploads carry their credentials as form fields) and answers CORS as
/// ImageKit does, since browsers upload from other origins. The body is
/// bounded by the file limit (base64 is 4/3 of it) plus the form fields.
pub fn router(app: &Arc<App>) -> Router<Arc<App>> {
    let body_limit = app
        .config
        .max_upload_bytes
        .saturating_mul(4)
        .saturating_div(3)
        .saturating_add(16 << 20);
    Router::new()
        .route(
            "/api/v1/files/upload",
            // The CORS layer answers preflights; OPTIONS is routed so it gets them.
            post(upload).options(|| async { axum::http::StatusCode::NO_CONTENT }),
        )
        .route(
            "/api/v2/files/upload",
            post(v2::upload).options(|| async { axum::http::StatusCode::NO_CONTENT }),
        )
        .route_layer(from_fn_with_state(app.clone(), layers::rate_limit))
        .layer(DefaultBodyLimit::max(
            usize::try_from(body_limit).unwrap_or(usize::MAX),
        ))
        .layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::any())
                .allow_methods([Method::POST])
                .allow_headers(AllowHeaders::mirror_request())
                .max_age(std::time::Duration::from_secs(86_400)),
        )
}
