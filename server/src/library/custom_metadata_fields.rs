//! Custom metadata fields: adding, listing, updating and soft-deleting them,
//! schema validation per field type, and validation of the values files carry.

use serde_json::{json, Map, Value};

use crate::ids::new_id;
use crate::library::error::{LibraryError, LibraryResult};
use crate::storage::{CustomMetadataField, State as Library, Store};
use crate::timestamp::parse_iso;

const TYPES: [&str; 7] = [
    "Text",
    "Textarea",
    "Number",
    "Date",
    "Boolean",
    "SingleSelect",
    "MultiSelect",
];

pub fn bad(message: impl Into<String>) -> LibraryError {
    LibraryError::invalid(message)
}

fn number(schema: &Map<String, Value>, key: &str) -> LibraryResult<Option<f64>> {
    match schema.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64()),
        Some(Value::String(s)) => s
            .trim()
            .parse::<f64>()
            .map(Some)
            .map_err(|_| bad(format!("schema.{key} must be a number."))),
        Some(_) => Err(bad(format!("schema.{key} must be a number."))),
    }
}

fn date(schema: &Map<String, Value>, key: &str) -> LibraryResult<Option<i64>> {
    match schema.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => parse_iso(s)
            .map(Some)
            .ok_or_else(|| bad(format!("schema.{key} must be an ISO 8601 date."))),
        Some(Value::Number(n)) => Ok(n.as_i64()),
        Some(_) => Err(bad(format!("schema.{key} must be an ISO 8601 date."))),
    }
}

fn length(schema: &Map<String, Value>, key: &str) -> LibraryResult<Option<u64>> {
    match schema.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .map(Some)
            .ok_or_else(|| bad(format!("schema.{key} must be a non-negative integer."))),
    }
}

/// Checks a schema for its type: allowed keys, key types, consistent bounds,
/// options, and a default value that itself satisfies the schema.
pub fn validate_schema(schema: &Map<String, Value>) -> LibraryResult<()> {
    let kind = schema.get("type").and_then(Value::as_str).unwrap_or("");
    if !TYPES.contains(&kind) {
        return Err(bad(format!(
            "Invalid schema.type. It should be one of {}.",
            TYPES.join(", ")
        )));
    }
    let allowed: &[&str] = match kind {
        "Text" | "Textarea" => &["minLength", "maxLength"],
        "Number" | "Date" => &["minValue", "maxValue"],
        "SingleSelect" | "MultiSelect" => &["selectOptions"],
        _ => &[],
    };
    for key in schema.keys() {
        let common = ["type", "isValueRequired", "defaultValue"].contains(&key.as_str());
        if !common && !allowed.contains(&key.as_str()) {
            return Err(bad(format!(
                "schema.{key} is not allowed for fields of type {kind}."
            )));
        }
    }
    match schema.get("isValueRequired") {
        None | Some(Value::Null) | Some(Value::Bool(_)) => {}
        Some(_) => return Err(bad("schema.isValueRequired must be a boolean.")),
    }
    match kind {
        "Text" | "Textarea" => {
            if let (Some(min), Some(max)) =
                (length(schema, "minLength")?, length(schema, "maxLength")?)
            {
                if min > max {
                    return Err(bad(
                        "schema.minLength cannot be greater than schema.maxLength.",
                    ));
                }
            }
        }
        "Number" => {
            if let (Some(min), Some(max)) =
                (number(schema, "minValue")?, number(schema, "maxValue")?)
            {
                if min > max {
                    return Err(bad(
                        "schema.minValue cannot be greater than schema.maxValue.",
                    ));
                }
            }
        }
        "Date" => {
            if let (Some(min), Some(max)) = (date(schema, "minValue")?, date(schema, "maxValue")?) {
                if min > max {
                    return Err(bad(
                        "schema.minValue cannot be greater than schema.maxValue.",
                    ));
                }
            }
        }
        "SingleSelect" | "MultiSelect" => {
            let options = schema
                .get("selectOptions")
                .and_then(Value::as_array)
                .filter(|o| !o.is_empty())
                .ok_or_else(|| bad("schema.selectOptions must be a non-empty array."))?;
            if options
                .iter()
                .any(|o| !(o.is_string() || o.is_number() || o.is_boolean()))
            {
                return Err(bad(
                    "schema.selectOptions may only hold strings, numbers and booleans.",
                ));
            }
        }
        _ => {}
    }
    let required = schema
        .get("isValueRequired")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    match schema.get("defaultValue") {
        None | Some(Value::Null) if required => Err(bad(
            "schema.defaultValue is required when schema.isValueRequired is true.",
        )),
        None | Some(Value::Null) => Ok(()),
        Some(default) => {
            check_value(schema, default).map_err(|e| bad(format!("schema.defaultValue: {e}")))
        }
    }
}

/// Checks one value against a field schema; Err holds the reason.
fn check_value(schema: &Map<String, Value>, value: &Value) -> Result<(), String> {
    let kind = schema.get("type").and_then(Value::as_str).unwrap_or("");
    match kind {
        "Text" | "Textarea" => {
            let text = value.as_str().ok_or("value must be a string")?;
            let len = text.chars().count() as u64;
            if let Ok(Some(min)) = length(schema, "minLength") {
                if len < min {
                    return Err(format!("value must be at least {min} characters long"));
                }
            }
            if let Ok(Some(max)) = length(schema, "maxLength") {
                if len > max {
                    return Err(format!("value must be at most {max} characters long"));
                }
            }
            Ok(())
        }
        "Number" => {
            let n = value.as_f64().ok_or("value must be a number")?;
            if let Ok(Some(min)) = number(schema, "minValue") {
                if n < min {
                    return Err(format!("value must be at least {min}"));
                }
            }
            if let Ok(Some(max)) = number(schema, "maxValue") {
                if n > max {
                    return Err(format!("value must be at most {max}"));
                }
            }
            Ok(())
        }
        "Date" => {
            let ms = match value {
                Value::String(s) => parse_iso(s).ok_or("value must be an ISO 8601 date")?,
                _ => return Err("value must be an ISO 8601 date".into()),
            };
            if let Ok(Some(min)) = date(schema, "minValue") {
                if ms < min {
                    return Err("value is before the minimum date".into());
                }
            }
            if let Ok(Some(max)) = date(schema, "maxValue") {
                if ms > max {
                    return Err("value is after the maximum date".into());
                }
            }
            Ok(())
        }
        "Boolean" => value
            .as_bool()
            .map(|_| ())
            .ok_or_else(|| "value must be a boolean".into()),
        "SingleSelect" | "MultiSelect" => {
            let options = schema
                .get("selectOptions")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let values = match (kind, value) {
                ("MultiSelect", Value::Array(items)) => items.clone(),
                (_, Value::Array(_)) => return Err("value must be one of the selectOptions".into()),
                _ => vec![value.clone()],
            };
            if values.iter().all(|v| options.contains(v)) {
                Ok(())
            } else {
                Err("value must be one of the selectOptions".into())
            }
        }
        _ => Err("unknown field type".into()),
    }
}

/// Validates a file's complete custom metadata against the defined fields.
pub fn validate_values(
    fields: &[CustomMetadataField],
    values: &Map<String, Value>,
) -> LibraryResult<()> {
    for (key, value) in values {
        let field = fields
            .iter()
            .find(|f| !f.deleted && f.name == *key)
            .ok_or_else(|| {
                bad(format!(
                    "Invalid customMetadata: {key} is not a defined custom metadata field."
                ))
            })?;
        check_value(&field.schema, value)
            .map_err(|e| bad(format!("Invalid customMetadata.{key}: {e}.")))?;
    }
    Ok(())
}

/// Fills in default values for fields absent from a new file's metadata.
pub fn with_defaults(
    fields: &[CustomMetadataField],
    mut values: Map<String, Value>,
) -> Map<String, Value> {
    for field in fields.iter().filter(|f| !f.deleted) {
        if let Some(default) = field.schema.get("defaultValue").filter(|v| !v.is_null()) {
            if !values.contains_key(&field.name) {
                values.insert(field.name.clone(), default.clone());
            }
        }
    }
    values
}

/// Puts `type` first, as ImageKit echoes schemas.
pub fn ordered_schema(kind: &str, schema: &Map<String, Value>) -> Map<String, Value> {
    let mut ordered = Map::new();
    ordered.insert("type".into(), json!(kind));
    for (k, v) in schema {
        if k != "type" && !v.is_null() {
            ordered.insert(k.clone(), v.clone());
        }
    }
    ordered
}

fn field_not_found() -> LibraryError {
    LibraryError::not_found("No such custom metadata field exists.")
}

/// Creates a field from what the request gave (each present and non-empty;
/// `schema` an object), checked: the name, the schema for its type, the name
/// unique among all fields and the label among the live ones.
pub async fn create(
    store: &Store,
    name: Option<&str>,
    label: Option<&str>,
    schema: Option<&Map<String, Value>>,
) -> LibraryResult<CustomMetadataField> {
    let name = name
        .filter(|s| !s.is_empty())
        .ok_or_else(|| bad("Missing name parameter for this request"))?;
    let label = label
        .filter(|s| !s.is_empty())
        .ok_or_else(|| bad("Missing label parameter for this request"))?;
    let schema = schema.ok_or_else(|| bad("Missing schema parameter for this request"))?;
    if !name
        .chars()
        .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
    {
        return Err(bad(
            "Invalid name. It may contain only letters, digits, '_' and '-'.",
        ));
    }
    validate_schema(schema)?;
    let kind = schema.get("type").and_then(Value::as_str).unwrap_or("");
    let field = CustomMetadataField {
        id: new_id(),
        name: name.to_string(),
        label: label.to_string(),
        schema: ordered_schema(kind, schema),
        deleted: false,
    };
    let mut state = store.begin();
    if state
        .custom_metadata_fields
        .iter()
        .any(|f| f.name == field.name)
    {
        return Err(bad(
            "A custom metadata field with this name already exists.",
        ));
    }
    if state
        .custom_metadata_fields
        .iter()
        .any(|f| !f.deleted && f.label == field.label)
    {
        return Err(bad(
            "A custom metadata field with this label already exists.",
        ));
    }
    state.custom_metadata_fields.push(field.clone());
    state.commit().await?;
    Ok(field)
}

/// The fields, with the deleted ones when asked.
pub fn list(state: &Library, include_deleted: bool) -> Vec<CustomMetadataField> {
    state
        .custom_metadata_fields
        .iter()
        .filter(|f| include_deleted || !f.deleted)
        .cloned()
        .collect()
}

/// Changes a live field's label and/or schema (its type stays); at least one
/// must be given.
pub async fn update(
    store: &Store,
    id: &str,
    label: Option<String>,
    schema: Option<Map<String, Value>>,
) -> LibraryResult<CustomMetadataField> {
    if label.is_none() && schema.is_none() {
        return Err(bad("Both label and schema is missing"));
    }
    let mut state = store.begin();
    let index = state
        .custom_metadata_fields
        .iter()
        .position(|f| f.id == id && !f.deleted)
        .ok_or_else(field_not_found)?;
    if let Some(label) = &label {
        if state
            .custom_metadata_fields
            .iter()
            .any(|f| !f.deleted && f.id != id && f.label == *label)
        {
            return Err(bad(
                "A custom metadata field with this label already exists.",
            ));
        }
    }
    let field = state
        .custom_metadata_fields
        .get_mut(index)
        .ok_or_else(field_not_found)?;
    if let Some(schema) = schema {
        // The type cannot change; the new schema is validated as that type.
        let kind = field
            .schema
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let replaced = ordered_schema(&kind, &schema);
        validate_schema(&replaced)?;
        field.schema = replaced;
    }
    if let Some(label) = label {
        field.label = label;
    }
    let updated = field.clone();
    state.commit().await?;
    Ok(updated)
}

/// Soft-deletes a live field.
pub async fn remove(store: &Store, id: &str) -> LibraryResult<()> {
    let mut state = store.begin();
    let field = state
        .custom_metadata_fields
        .iter_mut()
        .find(|f| f.id == id && !f.deleted)
        .ok_or_else(field_not_found)?;
    field.deleted = true;
    state.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn schemas() {
        assert!(validate_schema(&schema(
            json!({"type": "Text", "minLength": 1, "maxLength": 5})
        ))
        .is_ok());
        assert!(validate_schema(&schema(
            json!({"type": "Text", "minLength": 6, "maxLength": 5})
        ))
        .is_err());
        assert!(validate_schema(&schema(json!({"type": "Text", "minValue": 1}))).is_err());
        assert!(
            validate_schema(&schema(json!({"type": "Number", "isValueRequired": true}))).is_err()
        );
        assert!(validate_schema(&schema(
            json!({"type": "Number", "isValueRequired": true, "defaultValue": 3, "maxValue": 10})
        ))
        .is_ok());
        assert!(validate_schema(&schema(
            json!({"type": "Number", "defaultValue": 30, "maxValue": 10})
        ))
        .is_err());
        assert!(validate_schema(&schema(
            json!({"type": "Date", "minValue": "2020-01-01", "maxValue": "2021-01-01"})
        ))
        .is_ok());
        assert!(validate_schema(&schema(json!({"type": "SingleSelect"}))).is_err());
        assert!(validate_schema(&schema(json!({"type": "MultiSelect", "selectOptions": ["a", 1, true], "defaultValue": ["a", 1]}))).is_ok());
        assert!(validate_schema(&schema(
            json!({"type": "SingleSelect", "selectOptions": ["a"], "defaultValue": "b"})
        ))
        .is_err());
        assert!(
            validate_schema(&schema(json!({"type": "Boolean", "defaultValue": "yes"}))).is_err()
        );
        assert!(validate_schema(&schema(json!({"type": "Nope"}))).is_err());
    }

    #[test]
    fn values() {
        let s = schema(json!({"type": "Date", "minValue": "2020-01-01"}));
        assert!(check_value(&s, &json!("2021-05-05")).is_ok());
        assert!(check_value(&s, &json!("2019-05-05")).is_err());
        assert!(check_value(&s, &json!(5)).is_err());
        let s = schema(json!({"type": "Textarea", "maxLength": 3}));
        assert!(check_value(&s, &json!("abcd")).is_err());
    }
}
