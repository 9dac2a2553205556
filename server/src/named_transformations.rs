//! Named transformations (`/v1/named-transformations`): reusable aliases for
//! transformation strings, used in delivery URLs as `tr:n-<name>`. At most
//! [`MAX_NAMED_TRANSFORMATIONS`] per account; names are unique
//! (case-sensitively).

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
use crate::storage::{NamedTransformation, State as Library};
use crate::timestamp::{now_ms, to_iso};
use axum::routing;
use axum::Router;

pub const MAX_NAMED_TRANSFORMATIONS: usize = 250;
/// Longest transformation string a named transformation may hold.
pub const MAX_TRANSFORMATION_CHARS: usize = 4096;
/// Longest transformation a delivery URL may expand to.
const MAX_EXPANDED_BYTES: usize = 64 * 1024;

fn named_json(named: &NamedTransformation) -> Value {
    json!({
        "id": named.id,
        "name": named.name,
        "transformation": named.transformation,
        "enabled": named.enabled,
        "createdAt": to_iso(named.created_at),
        "updatedAt": to_iso(named.updated_at),
    })
}

fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn name_field(body: &Map<String, Value>, required: bool) -> ApiResult<Option<String>> {
    let name = if required {
        Some(req_string(body, "name", true)?)
    } else {
        opt_string(body, "name", true)?
    };
    match name {
        Some(name) if !valid_name(&name) => Err(ApiError::bad_request(
            "Invalid name. It may contain only letters, digits and '_'.",
        )),
        other => Ok(other),
    }
}

fn transformation_field(body: &Map<String, Value>, required: bool) -> ApiResult<Option<String>> {
    let value = if required {
        Some(req_string(body, "transformation", true)?)
    } else {
        opt_string(body, "transformation", true)?
    };
    match value.map(|tr| tr.trim().to_string()) {
        Some(tr) if tr.chars().count() > MAX_TRANSFORMATION_CHARS => Err(ApiError::bad_request(
            format!("Invalid transformation. It may be at most {MAX_TRANSFORMATION_CHARS} characters long."),
        )),
        other => Ok(other),
    }
}

fn duplicate(name: &str) -> ApiError {
    ApiError::Conflict {
        message: format!("A named transformation with the name \"{name}\" already exists."),
        reason: "NAMED_TRANSFORMATION_ALREADY_EXISTS".into(),
    }
}

pub async fn list(State(app): State<Arc<App>>) -> Json<Value> {
    let state = app.store.read();
    Json(Value::Array(
        state.named_transformations.iter().map(named_json).collect(),
    ))
}

pub async fn create(
    State(app): State<Arc<App>>,
    JsonObject(body): JsonObject,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let name = name_field(&body, true)?.unwrap_or_default();
    let transformation = transformation_field(&body, true)?.unwrap_or_default();
    let enabled = opt_bool(&body, "enabled")?.unwrap_or(true);
    let now = now_ms();
    let named = NamedTransformation {
        id: new_id(),
        name,
        transformation,
        enabled,
        created_at: now,
        updated_at: now,
    };
    let named = records::add(&app.store, |s| &mut s.named_transformations, |state| {
        if state
            .named_transformations
            .iter()
            .any(|n| n.name == named.name)
        {
            return Err(duplicate(&named.name));
        }
        if state.named_transformations.len() >= MAX_NAMED_TRANSFORMATIONS {
            return Err(ApiError::bad_request(format!(
                "You can create at most {MAX_NAMED_TRANSFORMATIONS} named transformations per account."
            )));
        }
        Ok(named)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(named_json(&named))))
}

pub async fn get(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let state = app.store.read();
    Ok(Json(named_json(records::find(
        &state.named_transformations,
        &id,
    )?)))
}

pub async fn update(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    JsonObject(body): JsonObject,
) -> ApiResult<Json<Value>> {
    let name = name_field(&body, false)?;
    let transformation = transformation_field(&body, false)?;
    let enabled = opt_bool(&body, "enabled")?;
    let updated = records::change(
        &app.store,
        |s| &mut s.named_transformations,
        &id,
        |state, old| {
            if let Some(name) = &name {
                if state
                    .named_transformations
                    .iter()
                    .any(|n| n.id != id && n.name == *name)
                {
                    return Err(duplicate(name));
                }
            }
            let mut named = old.clone();
            if let Some(name) = name {
                named.name = name;
            }
            if let Some(transformation) = transformation {
                named.transformation = transformation;
            }
            if let Some(enabled) = enabled {
                named.enabled = enabled;
            }
            named.updated_at = now_ms().max(named.updated_at.saturating_add(1));
            Ok(named)
        },
    )
    .await?;
    let updated = named_json(&updated);
    Ok(Json(updated))
}

pub async fn delete(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult<StatusCode> {
    records::delete(
        &app.store,
        |s| &mut s.named_transformations,
        &id,
        |_| Ok::<(), ApiError>(()),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Replaces every `n-<name>` parameter of a transformation string with the
/// named transformation's string, spliced in place (so its `:` steps become
/// steps of the chain). `builtin` answers names the server defines itself
/// (`ik_ml_thumbnail`); they win over account-defined ones. One level only:
/// an `n-` inside a named transformation's string is not expanded again.
/// An unknown or disabled name is a 400, as is an expansion over
/// [`MAX_EXPANDED_BYTES`].
pub fn expand(
    state: &Library,
    tr: &str,
    builtin: impl Fn(&str) -> Option<&'static str>,
) -> ApiResult<String> {
    let mut expanded = String::with_capacity(tr.len());
    for (i, step) in tr.split(':').enumerate() {
        if i > 0 {
            expanded.push(':');
        }
        for (j, param) in step.split(',').enumerate() {
            if j > 0 {
                expanded.push(',');
            }
            match param.strip_prefix("n-") {
                Some(name) => expanded.push_str(&lookup(state, name, &builtin)?),
                None => expanded.push_str(param),
            }
            if expanded.len() > MAX_EXPANDED_BYTES {
                return Err(ApiError::bad_request(format!(
                    "The transformation is too long once named transformations are expanded (at most {MAX_EXPANDED_BYTES} bytes)."
                )));
            }
        }
    }
    Ok(expanded)
}

fn lookup(
    state: &Library,
    name: &str,
    builtin: &impl Fn(&str) -> Option<&'static str>,
) -> ApiResult<String> {
    if let Some(equivalent) = builtin(name) {
        return Ok(equivalent.to_string());
    }
    match state.named_transformations.iter().find(|n| n.name == name) {
        Some(named) if named.enabled => Ok(named.transformation.clone()),
        Some(_) => Err(ApiError::bad_request(format!(
            "Named transformation \"{name}\" is disabled"
        ))),
        None => Err(ApiError::bad_request(format!(
            "Named transformation \"{name}\" does not exist"
        ))),
    }
}

/// The named transformation routes.
pub fn router() -> Router<Arc<App>> {
    Router::new()
        .route("/v1/named-transformations", routing::get(list).post(create))
        .route(
            "/v1/named-transformations/{id}",
            routing::get(get).patch(update).delete(delete),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn library() -> Library {
        let mut state = Library::default();
        for (name, tr, enabled) in [
            ("small", "w-50", true),
            ("chain", "w-100:rt-90", true),
            ("off", "w-10", false),
        ] {
            state.named_transformations.push(NamedTransformation {
                id: new_id(),
                name: name.into(),
                transformation: tr.into(),
                enabled,
                created_at: 0,
                updated_at: 0,
            });
        }
        state
    }

    fn none(_: &str) -> Option<&'static str> {
        None
    }

    #[test]
    fn expands_in_place() {
        let state = library();
        assert_eq!(expand(&state, "n-small", none).unwrap(), "w-50");
        assert_eq!(
            expand(&state, "h-20,n-small:rt-90", none).unwrap(),
            "h-20,w-50:rt-90"
        );
        assert_eq!(
            expand(&state, "n-chain,f-jpg", none).unwrap(),
            "w-100:rt-90,f-jpg"
        );
        assert_eq!(expand(&state, "w-5:h-5", none).unwrap(), "w-5:h-5");
        assert_eq!(
            expand(&state, "n-ik_ml_thumbnail", |n| (n == "ik_ml_thumbnail")
                .then_some("w-200"))
            .unwrap(),
            "w-200"
        );
        let unknown = expand(&state, "n-Small", none).unwrap_err();
        assert_eq!(
            unknown.message(),
            "Named transformation \"Small\" does not exist"
        );
        let disabled = expand(&state, "w-5:n-off", none).unwrap_err();
        assert_eq!(
            disabled.message(),
            "Named transformation \"off\" is disabled"
        );
        assert!(expand(&state, "n-", none).is_err());
        let many = vec!["n-chain"; 10_000].join(",");
        assert!(expand(&state, &many, none).is_err());
    }

    #[test]
    fn names() {
        assert!(valid_name("small_thumb_2"));
        assert!(!valid_name(""));
        assert!(!valid_name("a-b"));
        assert!(!valid_name("é"));
    }
}
