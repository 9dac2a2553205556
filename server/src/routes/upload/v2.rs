//! `POST /api/v2/files/upload`: the same form, options and answer as v1
//! ("Server side upload for API v2 is the same as API v1. The only
//! difference is the API endpoint."), but a client-side upload authenticates
//! with a JSON Web Token in the `token` field instead of
//! publicKey/signature/expire (see `auth::jwt`). Until the token is verified
//! the `file` part is spooled, never written to the library's storage. And
//! `fileName` and `folder` keep more characters than on v1 (`paths_v2`).

use std::sync::Arc;

use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;

use crate::app::App;
use crate::auth::{jwt, AuthError, ClientUploadAuth};
use crate::library::uploads::Options;
use crate::paths_v2;
use crate::routes::error::{ApiError, ApiResult};
use crate::routes::views::UploadResult;
use crate::timestamp::now_ms;

use super::form::Form;

pub async fn upload(
    state: State<Arc<App>>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<Json<UploadResult>> {
    super::upload_to(super::Api::V2, state, headers, multipart).await
}

/// v2 keeps more of the names than v1 (see `paths_v2`); `Options::parse`
/// has checked them.
pub(super) fn keep_names(options: &mut Options, form: &Form) {
    if let Some(raw) = form.fields.0.get("fileName").and_then(|v| v.as_str()) {
        options.file_name = paths_v2::name(raw.trim());
    }
    if let Some(raw) = form.fields.0.get("folder").and_then(|v| v.as_str()) {
        options.folder = paths_v2::folder(raw);
    }
}

/// Verifies the form's `token`, uses it up, then checks that the form sends
/// exactly the parameters it signs.
pub(super) fn authenticate(app: &App, form: &Form) -> ApiResult<()> {
    let Some(token) = form.auth.token.as_deref() else {
        return Err(ApiError::Unauthorized(
            "Your request does not contain private API key.".into(),
        ));
    };
    let verified = jwt::verify(
        token,
        &app.config.public_key,
        &app.config.private_key,
        now_ms() / 1000,
    )?;
    let used = ClientUploadAuth {
        token: Some(token.to_string()),
        expire: Some(verified.exp.to_string()),
        ..ClientUploadAuth::default()
    };
    app.tokens.claim(&used).map_err(|_| {
        AuthError::Invalid(
            "The token has already been used. Generate a new token for every upload.".into(),
        )
    })?;
    // The form reader sets the v1 client-side fields apart; here they are
    // parameters like any other.
    let auth = &form.auth;
    let v1_fields = [
        ("publicKey", &auth.public_key),
        ("signature", &auth.signature),
        ("expire", &auth.expire),
    ];
    let sent = form
        .fields
        .0
        .iter()
        .filter_map(|(name, value)| Some((name.as_str(), value.as_str()?)))
        .chain(
            v1_fields
                .iter()
                .filter_map(|(name, value)| Some((*name, value.as_deref()?))),
        );
    jwt::check_parameters(&verified, sent)?;
    Ok(())
}
