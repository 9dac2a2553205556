//! Saved extensions: named, reusable extension configurations
//! (`/v1/saved-extensions`), at most [`MAX_SAVED_EXTENSIONS`] per account.

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
use crate::routes::extract::{opt_string, req_string, JsonObject};
use crate::storage::SavedExtension;
use crate::timestamp::{now_ms, to_iso};
use axum::routing;
use axum::Router;

pub const MAX_SAVED_EXTENSIONS: usize = 100;

const EXTENSIONS: [&str; 5] = [
    "remove-bg",
    "google-auto-tagging",
    "aws-auto-tagging",
    "ai-auto-description",
    "ai-tasks",
];

const TASK_TYPES: [&str; 3] = ["select_tags", "select_metadata", "yes_no"];

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::bad_request(message)
}

fn extension_json(extension: &SavedExtension) -> Value {
    json!({
        "id": extension.id,
        "name": extension.name,
        "description": extension.description,
        "config": extension.config,
        "createdAt": to_iso(extension.created_at),
        "updatedAt": to_iso(extension.updated_at),
    })
}

fn is_number(config: &Map<String, Value>, key: &str) -> bool {
    config.get(key).is_some_and(Value::is_number)
}

/// Checks an extension configuration as the upload API's `extensions` items
/// are shaped.
fn validate_config(config: &Value) -> ApiResult<()> {
    let config = config
        .as_object()
        .ok_or_else(|| bad("Invalid config. It should be an object."))?;
    let name = config.get("name").and_then(Value::as_str).unwrap_or("");
    if !EXTENSIONS.contains(&name) {
        return Err(bad(format!(
            "Invalid config.name. It should be one of {}.",
            EXTENSIONS.join(", ")
        )));
    }
    match name {
        "remove-bg" => match config.get("options") {
            None | Some(Value::Null) => {}
            Some(Value::Object(options)) => {
                for key in ["add_shadow", "semitransparency"] {
                    if options.get(key).is_some_and(|v| !v.is_boolean()) {
                        return Err(bad(format!(
                            "Invalid config.options.{key}. It should be a boolean."
                        )));
                    }
                }
                for key in ["bg_color", "bg_image_url"] {
                    if options.get(key).is_some_and(|v| !v.is_string()) {
                        return Err(bad(format!(
                            "Invalid config.options.{key}. It should be a string."
                        )));
                    }
                }
            }
            Some(_) => return Err(bad("Invalid config.options. It should be an object.")),
        },
        "google-auto-tagging" | "aws-auto-tagging" => {
            for key in ["minConfidence", "maxTags"] {
                if !is_number(config, key) {
                    return Err(bad(format!(
                        "Invalid config.{key}. It is required for {name} and should be a number."
                    )));
                }
            }
        }
        "ai-tasks" => {
            let tasks = config
                .get("tasks")
                .and_then(Value::as_array)
                .filter(|t| !t.is_empty())
                .ok_or_else(|| bad("Invalid config.tasks. It should be a non-empty array."))?;
            for (i, task) in tasks.iter().enumerate() {
                let task = task.as_object().ok_or_else(|| {
                    bad(format!(
                        "Invalid config.tasks[{i}]. It should be an object."
                    ))
                })?;
                let kind = task.get("type").and_then(Value::as_str).unwrap_or("");
                if !TASK_TYPES.contains(&kind) {
                    return Err(bad(format!(
                        "Invalid config.tasks[{i}].type. It should be one of {}.",
                        TASK_TYPES.join(", ")
                    )));
                }
                if task
                    .get("instruction")
                    .and_then(Value::as_str)
                    .is_none_or(|s| s.trim().is_empty())
                {
                    return Err(bad(format!(
                        "Invalid config.tasks[{i}].instruction. It should be a non-empty string."
                    )));
                }
                if kind == "select_metadata"
                    && task
                        .get("field")
                        .and_then(Value::as_str)
                        .is_none_or(str::is_empty)
                {
                    return Err(bad(format!(
                        "Invalid config.tasks[{i}].field. It is required for select_metadata tasks."
                    )));
                }
            }
        }
        _ => {}
    }
    Ok(())
}

pub async fn list(State(app): State<Arc<App>>) -> Json<Value> {
    let state = app.store.read();
    Json(Value::Array(
        state.saved_extensions.iter().map(extension_json).collect(),
    ))
}

pub async fn create(
    State(app): State<Arc<App>>,
    JsonObject(body): JsonObject,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let name = req_string(&body, "name", true)?;
    let description = req_string(&body, "description", false)?;
    let config = body
        .get("config")
        .filter(|c| !c.is_null())
        .ok_or_else(|| bad("Missing config parameter for this request"))?;
    validate_config(config)?;
    let now = now_ms();
    let extension = SavedExtension {
        id: new_id(),
        name,
        description,
        config: config.clone(),
        created_at: now,
        updated_at: now,
    };
    let extension = records::add(
        &app.store,
        |s| &mut s.saved_extensions,
        |state| {
            if state.saved_extensions.len() >= MAX_SAVED_EXTENSIONS {
                return Err(bad(format!(
                    "You can create at most {MAX_SAVED_EXTENSIONS} saved extensions per account."
                )));
            }
            Ok(extension)
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(extension_json(&extension))))
}

pub async fn get(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let state = app.store.read();
    let extension = records::find(&state.saved_extensions, &id)?;
    Ok(Json(extension_json(extension)))
}

pub async fn update(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    JsonObject(body): JsonObject,
) -> ApiResult<Json<Value>> {
    let name = opt_string(&body, "name", true)?;
    let description = opt_string(&body, "description", false)?;
    let config = body.get("config").filter(|c| !c.is_null());
    if let Some(config) = config {
        validate_config(config)?;
    }
    let updated = records::change(
        &app.store,
        |s| &mut s.saved_extensions,
        &id,
        |_, old| {
            let mut extension = old.clone();
            if let Some(name) = name {
                extension.name = name;
            }
            if let Some(description) = description {
                extension.description = description;
            }
            if let Some(config) = config {
                extension.config = config.clone();
            }
            extension.updated_at = now_ms().max(extension.updated_at.saturating_add(1));
            Ok::<_, ApiError>(extension)
        },
    )
    .await?;
    let updated = extension_json(&updated);
    Ok(Json(updated))
}

pub async fn delete(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult<StatusCode> {
    records::delete(
        &app.store,
        |s| &mut s.saved_extensions,
        &id,
        |_| Ok::<(), ApiError>(()),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The saved extension routes.
pub fn router() -> Router<Arc<App>> {
    Router::new()
        .route("/v1/saved-extensions", routing::get(list).post(create))
        .route(
            "/v1/saved-extensions/{id}",
            routing::get(get).patch(update).delete(delete),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configs() {
        for good in [
            json!({"name": "remove-bg"}),
            json!({"name": "remove-bg", "options": {"add_shadow": true, "bg_color": "fff"}}),
            json!({"name": "google-auto-tagging", "minConfidence": 80, "maxTags": 5}),
            json!({"name": "ai-auto-description"}),
            json!({"name": "ai-tasks", "tasks": [{"type": "yes_no", "instruction": "Is it red?"}]}),
        ] {
            assert!(validate_config(&good).is_ok(), "{good}");
        }
        for bad in [
            json!("remove-bg"),
            json!({"name": "nope"}),
            json!({"name": "remove-bg", "options": []}),
            json!({"name": "aws-auto-tagging", "minConfidence": 80}),
            json!({"name": "aws-auto-tagging", "minConfidence": "80", "maxTags": 5}),
            json!({"name": "ai-tasks", "tasks": []}),
            json!({"name": "ai-tasks", "tasks": [{"type": "yes_no"}]}),
            json!({"name": "ai-tasks", "tasks": [{"type": "select_metadata", "instruction": "x"}]}),
            json!({"name": "ai-tasks", "tasks": [1]}),
        ] {
            assert!(validate_config(&bad).is_err(), "{bad}");
        }
    }
}
