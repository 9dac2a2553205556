//! Named transformations: reusable aliases for transformation strings, used
//! in delivery URLs as `tr:n-<name>` (see [`expand`]). At most
//! [`MAX_NAMED_TRANSFORMATIONS`] per account; names are unique
//! (case-sensitively).

use serde::{Deserialize, Serialize};

use super::{conflict, flag, invalid, AccountRecord, Mode, Sent};
use crate::ids::new_id;
use crate::library::error::LibraryResult;
use crate::storage::{NamedTransformation, State as Library};
use crate::timestamp::{now_ms, to_iso};

pub const MAX_NAMED_TRANSFORMATIONS: usize = 250;
/// Longest transformation string a named transformation may hold.
pub const MAX_TRANSFORMATION_CHARS: usize = 4096;
/// Longest transformation a delivery URL may expand to.
const MAX_EXPANDED_BYTES: usize = 64 * 1024;

#[derive(Deserialize)]
pub struct Body {
    name: Option<Sent<String>>,
    transformation: Option<Sent<String>>,
    enabled: Option<Sent<bool>>,
}

/// What a body sets (name and transformation always on a create).
pub struct Draft {
    name: Option<String>,
    transformation: Option<String>,
    enabled: Option<bool>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct View<'a> {
    id: &'a str,
    name: &'a str,
    transformation: &'a str,
    enabled: bool,
    created_at: String,
    updated_at: String,
}

impl AccountRecord for NamedTransformation {
    const WHAT: &'static str = "named transformation";
    const LIMIT: Option<usize> = Some(MAX_NAMED_TRANSFORMATIONS);
    type Body = Body;
    type Draft = Draft;
    type View<'a> = View<'a>;

    fn id(&self) -> &str {
        &self.id
    }

    fn stored(state: &Library) -> &[Self] {
        &state.named_transformations
    }

    fn stored_mut(state: &mut Library) -> &mut Vec<Self> {
        &mut state.named_transformations
    }

    fn view(&self) -> View<'_> {
        View {
            id: &self.id,
            name: &self.name,
            transformation: &self.transformation,
            enabled: self.enabled,
            created_at: to_iso(self.created_at),
            updated_at: to_iso(self.updated_at),
        }
    }

    fn check(body: Body, mode: Mode) -> LibraryResult<Draft> {
        let name = mode.string(body.name, "name", true)?;
        if name.as_deref().is_some_and(|name| !valid_name(name)) {
            return Err(invalid(
                "Invalid name. It may contain only letters, digits and '_'.",
            ));
        }
        let transformation = mode
            .string(body.transformation, "transformation", true)?
            .map(|tr| tr.trim().to_string());
        if transformation
            .as_deref()
            .is_some_and(|tr| tr.chars().count() > MAX_TRANSFORMATION_CHARS)
        {
            return Err(invalid(format!(
                "Invalid transformation. It may be at most {MAX_TRANSFORMATION_CHARS} characters long."
            )));
        }
        let enabled = flag(body.enabled, "enabled")?;
        Ok(Draft {
            name,
            transformation,
            enabled,
        })
    }

    fn build(draft: Draft, _: &Library) -> LibraryResult<Self> {
        let now = now_ms();
        Ok(NamedTransformation {
            id: new_id(),
            name: draft.name.unwrap_or_default(),
            transformation: draft.transformation.unwrap_or_default(),
            enabled: draft.enabled.unwrap_or(true),
            created_at: now,
            updated_at: now,
        })
    }

    fn change(draft: Draft, old: &Self, _: &Library) -> LibraryResult<Self> {
        let mut named = old.clone();
        if let Some(name) = draft.name {
            named.name = name;
        }
        if let Some(transformation) = draft.transformation {
            named.transformation = transformation;
        }
        if let Some(enabled) = draft.enabled {
            named.enabled = enabled;
        }
        named.updated_at = now_ms().max(named.updated_at.saturating_add(1));
        Ok(named)
    }

    fn unique(&self, state: &Library) -> LibraryResult<()> {
        if state
            .named_transformations
            .iter()
            .any(|n| n.id != self.id && n.name == self.name)
        {
            return Err(conflict(
                format!(
                    "A named transformation with the name \"{}\" already exists.",
                    self.name
                ),
                "NAMED_TRANSFORMATION_ALREADY_EXISTS",
            ));
        }
        Ok(())
    }
}

fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Replaces every `n-<name>` parameter of a transformation string with the
/// named transformation's string, spliced in place (so its `:` steps become
/// steps of the chain). The names ImageKit defines itself
/// (`ik_ml_thumbnail`) win over account-defined ones. One level only:
/// an `n-` inside a named transformation's string is not expanded again.
/// An unknown or disabled name is a 400, as is an expansion over
/// [`MAX_EXPANDED_BYTES`].
pub fn expand(state: &Library, tr: &str) -> LibraryResult<String> {
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
                Some(name) => expanded.push_str(&lookup(state, name)?),
                None => expanded.push_str(param),
            }
            if expanded.len() > MAX_EXPANDED_BYTES {
                return Err(invalid(format!(
                    "The transformation is too long once named transformations are expanded (at most {MAX_EXPANDED_BYTES} bytes)."
                )));
            }
        }
    }
    Ok(expanded)
}

/// ImageKit's media-library thumbnail, a built-in named transformation.
const THUMBNAIL_NAME: &str = "ik_ml_thumbnail";
const THUMBNAIL_EQUIVALENT: &str = "w-200,h-200,c-at_max";

fn builtin(name: &str) -> Option<&'static str> {
    (name == THUMBNAIL_NAME).then_some(THUMBNAIL_EQUIVALENT)
}

fn lookup(state: &Library, name: &str) -> LibraryResult<String> {
    if let Some(equivalent) = builtin(name) {
        return Ok(equivalent.to_string());
    }
    match state.named_transformations.iter().find(|n| n.name == name) {
        Some(named) if named.enabled => Ok(named.transformation.clone()),
        Some(_) => Err(invalid(format!(
            "Named transformation \"{name}\" is disabled"
        ))),
        None => Err(invalid(format!(
            "Named transformation \"{name}\" does not exist"
        ))),
    }
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

    #[test]
    fn expands_in_place() {
        let state = library();
        assert_eq!(expand(&state, "n-small").unwrap(), "w-50");
        assert_eq!(
            expand(&state, "h-20,n-small:rt-90").unwrap(),
            "h-20,w-50:rt-90"
        );
        assert_eq!(
            expand(&state, "n-chain,f-jpg").unwrap(),
            "w-100:rt-90,f-jpg"
        );
        assert_eq!(expand(&state, "w-5:h-5").unwrap(), "w-5:h-5");
        assert_eq!(
            expand(&state, "n-ik_ml_thumbnail").unwrap(),
            "w-200,h-200,c-at_max"
        );
        let unknown = expand(&state, "n-Small").unwrap_err();
        assert_eq!(
            unknown.to_string(),
            "Named transformation \"Small\" does not exist"
        );
        let disabled = expand(&state, "w-5:n-off").unwrap_err();
        assert_eq!(
            disabled.to_string(),
            "Named transformation \"off\" is disabled"
        );
        assert!(expand(&state, "n-").is_err());
        let many = vec!["n-chain"; 10_000].join(",");
        assert!(expand(&state, &many).is_err());
    }

    #[test]
    fn names() {
        assert!(valid_name("small_thumb_2"));
        assert!(!valid_name(""));
        assert!(!valid_name("a-b"));
        assert!(!valid_name("é"));
    }
}
