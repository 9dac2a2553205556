//! An upload's options: the form's text fields read, checked and turned
//! into [`Options`], with ImageKit's messages for each bad value.

use serde_json::{Map, Value};

use crate::imaging;
use crate::library::error::{LibraryError, LibraryResult};
use crate::library::uploads::Options;
use crate::library::{parse_bool, validate_coordinates, validate_tags};
use crate::paths::{sanitize_file_name, sanitize_folder};

/// The upload form's text fields, as sent (the client-side credentials are
/// read apart).
#[derive(Default)]
pub struct Fields(pub Map<String, Value>);

impl Fields {
    fn text(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(Value::as_str)
    }

    fn flag(&self, key: &str, default: bool) -> LibraryResult<bool> {
        match self.text(key).map(str::trim).filter(|s| !s.is_empty()) {
            Some(v) => parse_bool(key, v),
            None => Ok(default),
        }
    }

    fn json(&self, key: &str) -> LibraryResult<Option<Value>> {
        match self.text(key).map(str::trim).filter(|s| !s.is_empty()) {
            Some(raw) => serde_json::from_str(raw).map(Some).map_err(|e| {
                LibraryError::invalid(format!(
                    "Invalid {key} parameter: it must be valid JSON ({e})."
                ))
            }),
            None => Ok(None),
        }
    }
}

const RESPONSE_FIELDS: [&str; 8] = [
    "tags",
    "customCoordinates",
    "isPrivateFile",
    "embeddedMetadata",
    "isPublished",
    "customMetadata",
    "metadata",
    "selectedFieldsSchema",
];

pub fn validate_transformation(value: &Value) -> LibraryResult<Option<imaging::Transformation>> {
    let object = value
        .as_object()
        .filter(|o| o.contains_key("pre") || o.contains_key("post"))
        .ok_or_else(|| {
            LibraryError::invalid(
                "Invalid transformation parameter. Please include at least pre, post, or both.",
            )
        })?;
    let pre = match object.get("pre") {
        None => None,
        Some(Value::String(s)) if !s.trim().is_empty() => {
            Some(imaging::parse_transformation(s).map_err(|e| {
                LibraryError::invalid(format!("Invalid pre transformation parameter: {e}"))
            })?)
        }
        Some(_) => {
            return Err(LibraryError::invalid(
                "Invalid pre transformation parameter.",
            ))
        }
    };
    if let Some(post) = object.get("post") {
        let steps = post
            .as_array()
            .ok_or_else(|| LibraryError::invalid("Invalid post transformation parameter."))?;
        for step in steps {
            let kind = step.get("type").and_then(Value::as_str).unwrap_or("");
            let has_value = step
                .get("value")
                .and_then(Value::as_str)
                .is_some_and(|v| !v.is_empty());
            let valid = match kind {
                "transformation" => has_value,
                "abs" => has_value && step.get("protocol").and_then(Value::as_str).is_some(),
                "gif-to-video" | "thumbnail" => true,
                _ => false,
            };
            if !valid {
                return Err(LibraryError::invalid(
                    "Invalid post transformation parameter.",
                ));
            }
        }
    }
    Ok(pre)
}

impl Options {
    /// Reads and checks the options from the form's text fields.
    pub fn parse(form: &Fields) -> LibraryResult<Options> {
        let raw_name = form
            .text("fileName")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| LibraryError::invalid("Missing fileName parameter for upload"))?;
        let tags = match form.text("tags") {
            None => None,
            Some(t) => {
                let tags: Vec<String> = t
                    .split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(String::from)
                    .collect();
                validate_tags(&tags)?;
                Some(tags)
            }
        };
        let custom_coordinates = match form
            .text("customCoordinates")
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(c) => {
                validate_coordinates(c)?;
                Some(c.to_string())
            }
            None => None,
        };
        let response_fields: Vec<String> = form
            .text("responseFields")
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        if let Some(bad) = response_fields
            .iter()
            .find(|f| !RESPONSE_FIELDS.contains(&f.as_str()))
        {
            return Err(LibraryError::invalid(format!(
                "Invalid responseFields value: {bad}"
            )));
        }
        let custom_metadata = match form.json("customMetadata")? {
            None => None,
            Some(Value::Object(m)) => Some(m),
            Some(_) => {
                return Err(LibraryError::invalid(
                    "Invalid customMetadata parameter: it must be a JSON object.",
                ))
            }
        };
        let extensions = match form.json("extensions")? {
            None => Vec::new(),
            Some(Value::Array(items)) => items,
            Some(_) => {
                return Err(LibraryError::invalid(
                    "Invalid extensions parameter: it must be a JSON array.",
                ))
            }
        };
        let transformation = form.json("transformation")?;
        let pre_transformation = match &transformation {
            Some(t) => validate_transformation(t)?,
            None => None,
        };
        let webhook_url = form
            .text("webhookUrl")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from);
        if let Some(url) = &webhook_url {
            if reqwest::Url::parse(url).is_err() {
                return Err(LibraryError::invalid(
                    "Invalid webhookUrl parameter: it must be a URL.",
                ));
            }
        }
        Ok(Options {
            file_name: sanitize_file_name(raw_name),
            use_unique_file_name: form.flag("useUniqueFileName", true)?,
            folder: sanitize_folder(form.text("folder").unwrap_or("/")),
            tags,
            is_private: form.flag("isPrivateFile", false)?,
            is_published: form.flag("isPublished", true)?,
            custom_coordinates,
            response_fields,
            custom_metadata,
            extensions,
            webhook_url,
            overwrite_file: form.flag("overwriteFile", true)?,
            overwrite_ai_tags: form.flag("overwriteAITags", true)?,
            overwrite_tags: form.flag("overwriteTags", true)?,
            overwrite_custom_metadata: form.flag("overwriteCustomMetadata", true)?,
            transformation,
            pre_transformation,
            checks: form
                .text("checks")
                .map(String::from)
                .filter(|s| !s.trim().is_empty()),
            description: form.text("description").map(String::from),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn transformation_rules() {
        assert!(validate_transformation(&json!({})).is_err());
        assert!(validate_transformation(&json!({"post": [{"type": "thumbnail"}]})).is_ok());
        assert!(validate_transformation(&json!({"post": [{"type": "transformation"}]})).is_err());
        assert!(validate_transformation(&json!({"post": {}})).is_err());
        assert!(validate_transformation(&json!({"pre": ""})).is_err());
    }
}
