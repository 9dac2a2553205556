//! Saved extensions: named, reusable extension configurations, at most
//! [`MAX_SAVED_EXTENSIONS`] per account. A configuration is checked as the
//! upload API's `extensions` items are shaped.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{invalid, missing, AccountRecord, Mode, Sent};
use crate::ids::new_id;
use crate::library::error::LibraryResult;
use crate::storage::{SavedExtension, State as Library};
use crate::timestamp::{now_ms, to_iso};

pub const MAX_SAVED_EXTENSIONS: usize = 100;

const EXTENSIONS: [&str; 5] = [
    "remove-bg",
    "google-auto-tagging",
    "aws-auto-tagging",
    "ai-auto-description",
    "ai-tasks",
];

const TASK_TYPES: [&str; 3] = ["select_tags", "select_metadata", "yes_no"];

#[derive(Deserialize)]
pub struct Body {
    name: Option<Sent<String>>,
    description: Option<Sent<String>>,
    /// Free-form: checked by `validate_config`.
    config: Option<Value>,
}

/// What a body sets (all of it on a create).
pub struct Draft {
    name: Option<String>,
    description: Option<String>,
    config: Option<Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct View<'a> {
    id: &'a str,
    name: &'a str,
    description: &'a str,
    config: &'a Value,
    created_at: String,
    updated_at: String,
}

impl AccountRecord for SavedExtension {
    const WHAT: &'static str = "saved extension";
    const LIMIT: Option<usize> = Some(MAX_SAVED_EXTENSIONS);
    type Body = Body;
    type Draft = Draft;
    type View<'a> = View<'a>;

    fn id(&self) -> &str {
        &self.id
    }

    fn stored(state: &Library) -> &[Self] {
        &state.saved_extensions
    }

    fn stored_mut(state: &mut Library) -> &mut Vec<Self> {
        &mut state.saved_extensions
    }

    fn view(&self) -> View<'_> {
        View {
            id: &self.id,
            name: &self.name,
            description: &self.description,
            config: &self.config,
            created_at: to_iso(self.created_at),
            updated_at: to_iso(self.updated_at),
        }
    }

    fn check(body: Body, mode: Mode) -> LibraryResult<Draft> {
        let name = mode.string(body.name, "name", true)?;
        let description = mode.string(body.description, "description", false)?;
        let config = match body.config {
            None if mode == Mode::Create => return Err(missing("config")),
            config => config,
        };
        if let Some(config) = &config {
            validate_config(config)?;
        }
        Ok(Draft {
            name,
            description,
            config,
        })
    }

    fn build(draft: Draft, _: &Library) -> LibraryResult<Self> {
        let now = now_ms();
        Ok(SavedExtension {
            id: new_id(),
            name: draft.name.unwrap_or_default(),
            description: draft.description.unwrap_or_default(),
            config: draft.config.unwrap_or_default(),
            created_at: now,
            updated_at: now,
        })
    }

    fn change(draft: Draft, old: &Self, _: &Library) -> LibraryResult<Self> {
        let mut extension = old.clone();
        if let Some(name) = draft.name {
            extension.name = name;
        }
        if let Some(description) = draft.description {
            extension.description = description;
        }
        if let Some(config) = draft.config {
            extension.config = config;
        }
        extension.updated_at = now_ms().max(extension.updated_at.saturating_add(1));
        Ok(extension)
    }
}

fn is_number(config: &Map<String, Value>, key: &str) -> bool {
    config.get(key).is_some_and(Value::is_number)
}

/// Checks an extension configuration as the upload API's `extensions` items
/// are shaped.
fn validate_config(config: &Value) -> LibraryResult<()> {
    let config = config
        .as_object()
        .ok_or_else(|| invalid("Invalid config. It should be an object."))?;
    let name = config.get("name").and_then(Value::as_str).unwrap_or("");
    if !EXTENSIONS.contains(&name) {
        return Err(invalid(format!(
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
                        return Err(invalid(format!(
                            "Invalid config.options.{key}. It should be a boolean."
                        )));
                    }
                }
                for key in ["bg_color", "bg_image_url"] {
                    if options.get(key).is_some_and(|v| !v.is_string()) {
                        return Err(invalid(format!(
                            "Invalid config.options.{key}. It should be a string."
                        )));
                    }
                }
            }
            Some(_) => return Err(invalid("Invalid config.options. It should be an object.")),
        },
        "google-auto-tagging" | "aws-auto-tagging" => {
            for key in ["minConfidence", "maxTags"] {
                if !is_number(config, key) {
                    return Err(invalid(format!(
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
                .ok_or_else(|| invalid("Invalid config.tasks. It should be a non-empty array."))?;
            for (i, task) in tasks.iter().enumerate() {
                let task = task.as_object().ok_or_else(|| {
                    invalid(format!(
                        "Invalid config.tasks[{i}]. It should be an object."
                    ))
                })?;
                let kind = task.get("type").and_then(Value::as_str).unwrap_or("");
                if !TASK_TYPES.contains(&kind) {
                    return Err(invalid(format!(
                        "Invalid config.tasks[{i}].type. It should be one of {}.",
                        TASK_TYPES.join(", ")
                    )));
                }
                if task
                    .get("instruction")
                    .and_then(Value::as_str)
                    .is_none_or(|s| s.trim().is_empty())
                {
                    return Err(invalid(format!(
                        "Invalid config.tasks[{i}].instruction. It should be a non-empty string."
                    )));
                }
                if kind == "select_metadata"
                    && task
                        .get("field")
                        .and_then(Value::as_str)
                        .is_none_or(str::is_empty)
                {
                    return Err(invalid(format!(
                        "Invalid config.tasks[{i}].field. It is required for select_metadata tasks."
                    )));
                }
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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

    #[test]
    fn a_create_needs_every_field_in_order() {
        let check = |body: Value| {
            let body: Body = serde_json::from_value(body).unwrap();
            SavedExtension::check(body, Mode::Create)
                .err()
                .map(|e| e.to_string())
        };
        assert_eq!(
            check(json!({"description": 5})).as_deref(),
            Some("Missing name parameter for this request")
        );
        assert_eq!(
            check(json!({"name": "n", "description": "", "config": null})).as_deref(),
            Some("Missing config parameter for this request")
        );
        assert_eq!(
            check(json!({"name": "n", "description": "", "config": {"name": "remove-bg"}})),
            None
        );
    }
}
