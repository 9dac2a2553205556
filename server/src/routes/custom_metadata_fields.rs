//! The custom metadata field routes (see `library::custom_metadata_fields`).

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing;
use axum::{Json, Router};
use serde_json::{Map, Value};

use crate::app::App;
use crate::library::custom_metadata_fields;
use crate::routes::error::{ApiError, ApiResult};
use crate::routes::extract::{parse_bool, JsonBody, Path, QueryMap};
use crate::routes::views::CustomFieldView;
use crate::storage::CustomMetadataField;

pub async fn create(
    State(app): State<Arc<App>>,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let field = custom_metadata_fields::create(
        &app.store,
        body.get("name").and_then(Value::as_str),
        body.get("label").and_then(Value::as_str),
        body.get("schema").and_then(Value::as_object),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(view(&field))))
}

fn view(field: &CustomMetadataField) -> Value {
    serde_json::to_value(CustomFieldView::new(field)).unwrap_or(Value::Null)
}

pub async fn list(State(app): State<Arc<App>>, q: QueryMap) -> ApiResult<Json<Value>> {
    let include_deleted = match q.get("includeDeleted") {
        Some(v) if !v.is_empty() => parse_bool("includeDeleted", v)?,
        _ => false,
    };
    let fields = custom_metadata_fields::list(&app.store.read(), include_deleted);
    Ok(Json(Value::Array(fields.iter().map(view).collect())))
}

pub async fn update(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    let label = match body.get("label") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(_) => {
            return Err(ApiError::bad_request(
                "Invalid label. It should be a non-empty string.",
            ))
        }
    };
    let schema = match body.get("schema") {
        None | Some(Value::Null) => None,
        Some(Value::Object(s)) => Some(s.clone()),
        Some(_) => {
            return Err(ApiError::bad_request(
                "Invalid schema. It should be an object.",
            ))
        }
    };
    let updated = custom_metadata_fields::update(&app.store, &id, label, schema).await?;
    Ok(Json(view(&updated)))
}

pub async fn delete(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult<StatusCode> {
    custom_metadata_fields::remove(&app.store, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The custom metadata field routes.
pub fn router() -> Router<Arc<App>> {
    Router::new()
        .route("/v1/customMetadataFields", routing::get(list).post(create))
        .route(
            "/v1/customMetadataFields/{id}",
            routing::patch(update).delete(delete),
        )
}
