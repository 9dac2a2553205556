//! Origins (`/v1/accounts/origins`): the external storages URL endpoints
//! fetch from. Nothing is ever fetched here; the server validates and keeps
//! the configuration, and never answers with a secret.

use std::sync::Arc;

use crate::routes::extract::Path;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Map, Value};

use crate::app::App;
use crate::ids::new_id;
use crate::library::records;
use crate::routes::error::{ApiError, ApiResult};
use crate::routes::extract::{opt_bool, opt_string, req_string, JsonObject};
use crate::storage::Origin;
use axum::routing;
use axum::Router;

const TYPES: [&str; 8] = [
    "S3",
    "S3_COMPATIBLE",
    "CLOUDINARY_BACKUP",
    "WEB_FOLDER",
    "WEB_PROXY",
    "GCS",
    "AZURE_BLOB",
    "AKENEO_PIM",
];

/// Fields never echoed in a response.
const SECRETS: [&str; 8] = [
    "accessKey",
    "secretKey",
    "privateKey",
    "sasToken",
    "clientId",
    "clientSecret",
    "username",
    "password",
];

/// One type-specific field.
enum Field {
    /// A required non-empty string.
    Required(&'static str),
    /// A required string that may be empty when `useIAMRole` is true.
    Credential(&'static str),
    /// A required http(s) URL.
    Url(&'static str),
    /// An optional string with a default.
    Text(&'static str, &'static str),
    /// An optional boolean with a default.
    Flag(&'static str, bool),
}

fn fields_of(kind: &str) -> &'static [Field] {
    use Field::*;
    match kind {
        "S3" | "CLOUDINARY_BACKUP" => &[
            Required("bucket"),
            Credential("accessKey"),
            Credential("secretKey"),
            Text("prefix", ""),
            Flag("useIAMRole", false),
        ],
        "S3_COMPATIBLE" => &[
            Required("bucket"),
            Required("accessKey"),
            Required("secretKey"),
            Required("endpoint"),
            Text("prefix", ""),
            Flag("s3ForcePathStyle", false),
        ],
        "WEB_FOLDER" => &[Url("baseUrl"), Flag("forwardHostHeaderToOrigin", false)],
        "GCS" => &[
            Required("bucket"),
            Required("clientEmail"),
            Required("privateKey"),
            Text("prefix", ""),
        ],
        "AZURE_BLOB" => &[
            Required("accountName"),
            Required("container"),
            Required("sasToken"),
            Text("prefix", ""),
        ],
        "AKENEO_PIM" => &[
            Url("baseUrl"),
            Required("clientId"),
            Required("clientSecret"),
            Required("username"),
            Required("password"),
        ],
        _ => &[],
    }
}

fn is_http_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or("");
        !host.is_empty() && !r.contains(char::is_whitespace)
    })
}

/// Validates a full origin body into a record (with a fresh or given id).
fn parse(body: &Map<String, Value>, id: String) -> ApiResult<Origin> {
    let kind = req_string(body, "type", true)?;
    if !TYPES.contains(&kind.as_str()) {
        return Err(ApiError::bad_request(format!(
            "Invalid type. It should be one of {}.",
            TYPES.join(", ")
        )));
    }
    let name = req_string(body, "name", true)?;
    let use_iam_role = opt_bool(body, "useIAMRole")?.unwrap_or(false);
    let mut fields = Map::new();
    for field in fields_of(&kind) {
        match field {
            Field::Required(key) => {
                fields.insert((*key).into(), json!(req_string(body, key, true)?));
            }
            Field::Credential(key) => {
                let value = if use_iam_role {
                    opt_string(body, key, false)?.unwrap_or_default()
                } else {
                    opt_string(body, key, true)?.ok_or_else(|| {
                        ApiError::bad_request(format!(
                            "Missing {key} parameter for this request (it may be empty only when useIAMRole is true)"
                        ))
                    })?
                };
                fields.insert((*key).into(), json!(value));
            }
            Field::Url(key) => {
                let url = req_string(body, key, true)?;
                if !is_http_url(url.trim()) {
                    return Err(ApiError::bad_request(format!(
                        "Invalid {key}. It should be an http(s) URL."
                    )));
                }
                fields.insert((*key).into(), json!(url.trim()));
            }
            Field::Text(key, default) => {
                let value = opt_string(body, key, false)?.unwrap_or_else(|| (*default).into());
                fields.insert((*key).into(), json!(value));
            }
            Field::Flag(key, default) => {
                let value = opt_bool(body, key)?.unwrap_or(*default);
                fields.insert((*key).into(), json!(value));
            }
        }
    }
    let canonical = opt_bool(body, "includeCanonicalHeader")?.unwrap_or(false);
    fields.insert("includeCanonicalHeader".into(), json!(canonical));
    if let Some(base) = opt_string(body, "baseUrlForCanonicalHeader", false)? {
        fields.insert("baseUrlForCanonicalHeader".into(), json!(base));
    }
    Ok(Origin {
        id,
        kind,
        name,
        fields,
    })
}

/// The response object: id, type, name and the non-secret fields.
pub fn origin_json(origin: &Origin) -> Value {
    let mut o = Map::new();
    o.insert("id".into(), json!(origin.id));
    o.insert("type".into(), json!(origin.kind));
    o.insert("name".into(), json!(origin.name));
    for (key, value) in &origin.fields {
        if !SECRETS.contains(&key.as_str()) {
            o.insert(key.clone(), value.clone());
        }
    }
    Value::Object(o)
}

pub async fn list(State(app): State<Arc<App>>) -> Json<Value> {
    let state = app.store.read();
    Json(Value::Array(
        state.origins.iter().map(origin_json).collect(),
    ))
}

pub async fn create(
    State(app): State<Arc<App>>,
    JsonObject(body): JsonObject,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let origin = parse(&body, new_id())?;
    let origin = records::add(
        &app.store,
        |s| &mut s.origins,
        |_| Ok::<_, ApiError>(origin),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(origin_json(&origin))))
}

pub async fn get(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let state = app.store.read();
    Ok(Json(origin_json(records::find(&state.origins, &id)?)))
}

pub async fn update(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    JsonObject(body): JsonObject,
) -> ApiResult<Json<Value>> {
    let replacement = parse(&body, id.clone())?;
    let updated = records::change(
        &app.store,
        |s| &mut s.origins,
        &id,
        |_, _| Ok::<_, ApiError>(replacement),
    )
    .await?;
    let updated = origin_json(&updated);
    Ok(Json(updated))
}

pub async fn delete(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult<StatusCode> {
    records::delete(&app.store, |s| &mut s.origins, &id, |state| {
        match records::url_endpoints(state)
            .into_iter()
            .find(|e| e.origins.contains(&id))
        {
            Some(endpoint) => Err(ApiError::Conflict {
                message: format!(
                    "The origin is used by the URL endpoint \"{}\" (id {}); remove it from that endpoint first.",
                    endpoint.description, endpoint.id
                ),
                reason: "ORIGIN_IN_USE".into(),
            }),
            None => Ok(()),
        }
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The origin routes.
pub fn router() -> Router<Arc<App>> {
    Router::new()
        .route("/v1/accounts/origins", routing::get(list).post(create))
        .route(
            "/v1/accounts/origins/{id}",
            routing::get(get).put(update).delete(delete),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn validates_per_type_and_hides_secrets() {
        let s3 = parse(
            &body(json!({"type": "S3", "name": "a", "bucket": "b", "accessKey": "k", "secretKey": "s"})),
            "1".into(),
        )
        .unwrap();
        assert_eq!(
            origin_json(&s3),
            json!({"id": "1", "type": "S3", "name": "a", "bucket": "b", "prefix": "",
                   "useIAMRole": false, "includeCanonicalHeader": false})
        );
        assert!(parse(
            &body(json!({"type": "S3", "name": "a", "bucket": "b", "accessKey": "", "secretKey": "", "useIAMRole": true})),
            "1".into()
        )
        .is_ok());
        for bad in [
            json!({"type": "S3", "name": "a", "bucket": "b", "accessKey": "", "secretKey": "s"}),
            json!({"type": "S3", "name": "", "bucket": "b", "accessKey": "k", "secretKey": "s"}),
            json!({"type": "FTP", "name": "a"}),
            json!({"type": "WEB_FOLDER", "name": "a", "baseUrl": "ftp://x"}),
            json!({"type": "WEB_FOLDER", "name": "a", "baseUrl": "https://"}),
            json!({"type": "WEB_PROXY", "name": "a", "includeCanonicalHeader": "yes"}),
            json!({"type": "GCS", "name": "a", "bucket": "b", "clientEmail": "e"}),
        ] {
            assert!(parse(&body(bad.clone()), "1".into()).is_err(), "{bad}");
        }
        let pim = parse(
            &body(
                json!({"type": "AKENEO_PIM", "name": "p", "baseUrl": "https://pim.example.com",
                         "clientId": "c", "clientSecret": "s", "username": "u", "password": "p"}),
            ),
            "2".into(),
        )
        .unwrap();
        assert_eq!(
            origin_json(&pim),
            json!({"id": "2", "type": "AKENEO_PIM", "name": "p",
                   "baseUrl": "https://pim.example.com", "includeCanonicalHeader": false})
        );
    }
}
