//! The custom metadata field routes (see `library::custom_metadata_fields`).

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing;
use axum::{Json, Router};
use serde_json::{Map, Value};

use crate::app::App;
use crate::ids::new_id;
use crate::library::custom_metadata_fields::{self, bad, ordered_schema, validate_schema};
use crate::routes::error::ApiResult;
use crate::routes::extract::{parse_bool, JsonBody, Path, QueryMap};
use crate::storage::CustomField;

pub async fn create(
    State(app): State<Arc<App>>,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let name = body
        .get("name")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| bad("Missing name parameter for this request"))?;
    let label = body
        .get("label")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| bad("Missing label parameter for this request"))?;
    let schema = body
        .get("schema")
        .and_then(Value::as_object)
        .ok_or_else(|| bad("Missing schema parameter for this request"))?;
    if !name
        .chars()
        .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
    {
        return Err(bad("Invalid name. It may contain only letters, digits, '_' and '-'.").into());
    }
    validate_schema(schema)?;
    let kind = schema.get("type").and_then(Value::as_str).unwrap_or("");
    let field = CustomField {
        id: new_id(),
        name: name.to_string(),
        label: label.to_string(),
        schema: ordered_schema(kind, schema),
        deleted: false,
    };
    let shown = custom_metadata_fields::add(&app.store, field).await?;
    Ok((StatusCode::CREATED, Json(shown)))
}

pub async fn list(State(app): State<Arc<App>>, q: QueryMap) -> ApiResult<Json<Value>> {
    let include_deleted = match q.get("includeDeleted") {
        Some(v) if !v.is_empty() => parse_bool("includeDeleted", v)?,
        _ => false,
    };
    Ok(Json(Value::Array(custom_metadata_fields::list(
        &app.store.read(),
        include_deleted,
    ))))
}

pub async fn update(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    let label = match body.get("label") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(_) => return Err(bad("Invalid label. It should be a non-empty string.").into()),
    };
    let schema = match body.get("schema") {
        None | Some(Value::Null) => None,
        Some(Value::Object(s)) => Some(s.clone()),
        Some(_) => return Err(bad("Invalid schema. It should be an object.").into()),
    };
    if label.is_none() && schema.is_none() {
        return Err(bad("Both label and schema is missing").into());
    }
    let updated = custom_metadata_fields::update(&app.store, &id, label, schema).await?;
    Ok(Json(updated))
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
