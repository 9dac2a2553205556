//! URL endpoints (`/v1/accounts/url-endpoints`). The default endpoint (id
//! `default`, urlPrefix `""`) always exists and cannot be deleted. Delivery
//! URLs whose first path segment is another endpoint's urlPrefix are served
//! from the media library under that endpoint (see `delivery`).

use std::sync::Arc;

use crate::routes::extract::Path;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Map, Value};

use crate::app::App;
use crate::ids::new_id;
use crate::library::records::{self, DEFAULT_ENDPOINT_ID};
use crate::routes::error::{ApiError, ApiResult};
use crate::routes::extract::{opt_bool, opt_string, req_string, JsonObject};
use crate::storage::{State as Library, UrlEndpoint};
use axum::routing;
use axum::Router;

const REWRITERS: [&str; 3] = ["CLOUDINARY", "IMGIX", "AKAMAI"];

pub fn endpoint_json(endpoint: &UrlEndpoint) -> Value {
    let mut o = Map::new();
    o.insert("id".into(), json!(endpoint.id));
    o.insert("description".into(), json!(endpoint.description));
    o.insert("urlPrefix".into(), json!(endpoint.url_prefix));
    o.insert("origins".into(), json!(endpoint.origins));
    if let Some(rewriter) = &endpoint.url_rewriter {
        o.insert("urlRewriter".into(), rewriter.clone());
    }
    Value::Object(o)
}

/// Validates a full endpoint body against the current state: origins must
/// exist, the urlPrefix must be free (other than on endpoint `id` itself).
fn parse(body: &Map<String, Value>, id: &str, state: &Library) -> ApiResult<UrlEndpoint> {
    let description = req_string(body, "description", true)?;
    let url_prefix = opt_string(body, "urlPrefix", false)?.unwrap_or_default();
    if !url_prefix
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(ApiError::bad_request(
            "Invalid urlPrefix. It may contain only letters, digits and hyphens.",
        ));
    }
    if id == DEFAULT_ENDPOINT_ID && !url_prefix.is_empty() {
        return Err(ApiError::bad_request(
            "The urlPrefix of the default URL endpoint cannot be changed.",
        ));
    }
    let origins = match body.get("origins") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => {
            let mut origins: Vec<String> = Vec::with_capacity(items.len());
            for item in items {
                let origin = item.as_str().ok_or_else(|| {
                    ApiError::bad_request("Invalid origins. It should be an array of origin ids.")
                })?;
                if !state.origins.iter().any(|o| o.id == origin) {
                    return Err(ApiError::bad_request(format!(
                        "Invalid origins: no origin exists with id {origin}."
                    )));
                }
                if origins.iter().any(|o| o == origin) {
                    return Err(ApiError::bad_request(format!(
                        "Invalid origins: {origin} is listed more than once."
                    )));
                }
                origins.push(origin.to_string());
            }
            origins
        }
        Some(_) => {
            return Err(ApiError::bad_request(
                "Invalid origins. It should be an array of origin ids.",
            ))
        }
    };
    let url_rewriter = match body.get("urlRewriter") {
        None | Some(Value::Null) => None,
        Some(Value::Object(rewriter)) => {
            let kind = rewriter.get("type").and_then(Value::as_str).unwrap_or("");
            if !REWRITERS.contains(&kind) {
                return Err(ApiError::bad_request(format!(
                    "Invalid urlRewriter.type. It should be one of {}.",
                    REWRITERS.join(", ")
                )));
            }
            if kind == "CLOUDINARY" {
                let preserve = opt_bool(rewriter, "preserveAssetDeliveryTypes")
                    .map_err(|_| {
                        ApiError::bad_request(
                            "Invalid urlRewriter.preserveAssetDeliveryTypes. It should be a boolean.",
                        )
                    })?
                    .unwrap_or(false);
                Some(json!({ "type": kind, "preserveAssetDeliveryTypes": preserve }))
            } else {
                Some(json!({ "type": kind }))
            }
        }
        Some(_) => {
            return Err(ApiError::bad_request(
                "Invalid urlRewriter. It should be an object with a type.",
            ))
        }
    };
    if let Some(other) = records::url_endpoints(state)
        .into_iter()
        .find(|e| e.id != id && e.url_prefix == url_prefix)
    {
        return Err(ApiError::Conflict {
            message: format!(
                "A URL endpoint with the urlPrefix \"{url_prefix}\" already exists (id {}).",
                other.id
            ),
            reason: "URL_PREFIX_ALREADY_EXISTS".into(),
        });
    }
    Ok(UrlEndpoint {
        id: id.to_string(),
        description,
        url_prefix,
        origins,
        url_rewriter,
    })
}

pub async fn list(State(app): State<Arc<App>>) -> Json<Value> {
    let state = app.store.read();
    Json(Value::Array(
        records::url_endpoints(&state)
            .iter()
            .map(endpoint_json)
            .collect(),
    ))
}

pub async fn create(
    State(app): State<Arc<App>>,
    JsonObject(body): JsonObject,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let created = records::add(
        &app.store,
        |s| &mut s.url_endpoints,
        |state| parse(&body, &new_id(), state),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(endpoint_json(&created))))
}

pub async fn get(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let state = app.store.read();
    Ok(Json(endpoint_json(records::find(
        &records::url_endpoints(&state),
        &id,
    )?)))
}

pub async fn update(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    JsonObject(body): JsonObject,
) -> ApiResult<Json<Value>> {
    let updated =
        records::put_url_endpoint(&app.store, &id, |state| parse(&body, &id, state)).await?;
    Ok(Json(endpoint_json(&updated)))
}

pub async fn delete(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult<StatusCode> {
    if id == DEFAULT_ENDPOINT_ID {
        return Err(ApiError::bad_request(
            "The default URL endpoint cannot be deleted.",
        ));
    }
    records::delete(
        &app.store,
        |s| &mut s.url_endpoints,
        &id,
        |_| Ok::<(), ApiError>(()),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The URL endpoint routes.
pub fn router() -> Router<Arc<App>> {
    Router::new()
        .route(
            "/v1/accounts/url-endpoints",
            routing::get(list).post(create),
        )
        .route(
            "/v1/accounts/url-endpoints/{id}",
            routing::get(get).put(update).delete(delete),
        )
}
