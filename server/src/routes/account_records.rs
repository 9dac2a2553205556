//! The account records' routes: saved extensions, named transformations,
//! origins and URL endpoints, each declared once by `routes` over one
//! generic handler set. What differs per kind (checks, limits, uniqueness,
//! the JSON view) is its `AccountRecord` in `library::account_records`.

use std::sync::Arc;

use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{self, MethodFilter};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::app::App;
use crate::library::account_records::{self as records, AccountRecord};
use crate::routes::error::{ApiError, ApiResult};
use crate::routes::extract::{JsonObject, Path};
use crate::storage::{NamedTransformation, Origin, SavedExtension, UrlEndpoint};

/// Every account record route.
pub fn router() -> Router<Arc<App>> {
    Router::new()
        .merge(routes::<SavedExtension>(
            "/v1/saved-extensions",
            MethodFilter::PATCH,
        ))
        .merge(routes::<NamedTransformation>(
            "/v1/named-transformations",
            MethodFilter::PATCH,
        ))
        .merge(routes::<Origin>("/v1/accounts/origins", MethodFilter::PUT))
        .merge(routes::<UrlEndpoint>(
            "/v1/accounts/url-endpoints",
            MethodFilter::PUT,
        ))
}

/// One kind's routes: list and create at `base`; get, update (by
/// `update_method`) and delete at `base/{id}`.
fn routes<K: AccountRecord>(base: &str, update_method: MethodFilter) -> Router<Arc<App>> {
    Router::new()
        .route(base, routing::get(list::<K>).post(create::<K>))
        .route(
            &format!("{base}/{{id}}"),
            routing::get(get::<K>)
                .on(update_method, update::<K>)
                .delete(delete::<K>),
        )
}

/// A kind's create or update body: a JSON object (an empty body reads as
/// `{}`), each field kept as sent for the kind's checks.
struct Body<T>(T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let JsonObject(object) = JsonObject::from_request(request, state).await?;
        serde_json::from_value(Value::Object(object))
            .map(Body)
            .map_err(|e| ApiError::bad_request(format!("Your request contains invalid JSON: {e}")))
    }
}

async fn list<K: AccountRecord>(State(app): State<Arc<App>>) -> Response {
    let records = records::list::<K>(&app.store);
    Json(records.iter().map(K::view).collect::<Vec<_>>()).into_response()
}

async fn create<K: AccountRecord>(
    State(app): State<Arc<App>>,
    Body(body): Body<K::Body>,
) -> ApiResult<Response> {
    let record = records::create::<K>(&app.store, body).await?;
    Ok((StatusCode::CREATED, Json(record.view())).into_response())
}

async fn get<K: AccountRecord>(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let record = records::get::<K>(&app.store, &id)?;
    Ok(Json(record.view()).into_response())
}

async fn update<K: AccountRecord>(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    Body(body): Body<K::Body>,
) -> ApiResult<Response> {
    let record = records::update::<K>(&app.store, &id, body).await?;
    Ok(Json(record.view()).into_response())
}

async fn delete<K: AccountRecord>(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    records::delete::<K>(&app.store, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
