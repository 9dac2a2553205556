//! The account's records kept as lists with ids: saved extensions, named
//! transformations, origins and URL endpoints. They share one shape (list,
//! create, get, update, delete, every change saved before it returns), so
//! each kind declares only what differs, as an [`AccountRecord`], in its own
//! submodule, and the operations here are generic over it.
//!
//! A create or update body arrives typed ([`AccountRecord::Body`]), with every
//! field a [`Sent`]: a value of another type than expected is kept, not
//! refused by serde, so the kind's checks answer it with ImageKit's message,
//! in their own order.

pub mod named_transformations;
pub mod origins;
pub mod saved_extensions;
pub mod url_endpoints;

use std::borrow::Cow;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::library::error::{LibraryError, LibraryResult};
use crate::storage::{State as Library, Store};

/// What differs between the kinds of account records.
pub trait AccountRecord: Clone + Send + Sync + 'static {
    /// What one is called in a message ("saved extension"; plural with "s").
    const WHAT: &'static str;
    /// How many an account may have, if limited.
    const LIMIT: Option<usize> = None;

    /// A create or update request's body.
    type Body: DeserializeOwned + Send + 'static;
    /// A body that passed the checks needing no state.
    type Draft: Send;
    /// What a request answers for one record.
    type View<'a>: Serialize
    where
        Self: 'a;

    fn id(&self) -> &str;
    /// Where the records live in the state.
    fn stored(state: &Library) -> &[Self];
    fn stored_mut(state: &mut Library) -> &mut Vec<Self>;
    /// The records as the API lists them: those stored unless a kind has one
    /// the account always has (the default URL endpoint, stored from its first
    /// update on, at the front).
    fn listed(state: &Library) -> Cow<'_, [Self]> {
        Cow::Borrowed(Self::stored(state))
    }
    fn view(&self) -> Self::View<'_>;

    /// The checks of a body on its own, before the state is seen (so a body
    /// both malformed and naming an unknown id is a 400 for most kinds).
    fn check(body: Self::Body, mode: Mode) -> LibraryResult<Self::Draft>;
    /// A new record from a checked create body, checked against the state.
    fn build(draft: Self::Draft, state: &Library) -> LibraryResult<Self>;
    /// `old` as a checked update body changes it, checked against the state.
    fn change(draft: Self::Draft, old: &Self, state: &Library) -> LibraryResult<Self>;
    /// Whether `self` (new or changed) collides with another record of its kind.
    fn unique(&self, _state: &Library) -> LibraryResult<()> {
        Ok(())
    }
    /// Whether the (existing) record `id` may be deleted: nothing uses it.
    fn deletable(_state: &Library, _id: &str) -> LibraryResult<()> {
        Ok(())
    }
}

/// Which request a body came with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Create,
    Update,
}

impl Mode {
    /// A string field that a create must have and an update may leave out.
    pub fn string(
        self,
        field: Option<Sent<String>>,
        key: &str,
        non_empty: bool,
    ) -> LibraryResult<Option<String>> {
        match self {
            Mode::Create => required(field, key, non_empty).map(Some),
            Mode::Update => string(field, key, non_empty),
        }
    }
}

// ------------------------------------------------------------- operations

pub fn list<K: AccountRecord>(store: &Store) -> Vec<K> {
    K::listed(&store.read()).into_owned()
}

pub fn get<K: AccountRecord>(store: &Store, id: &str) -> LibraryResult<K> {
    find(&K::listed(&store.read()), id).cloned()
}

/// Adds the record a create body makes: its own checks, then those against
/// the others (uniqueness, then the limit).
pub async fn create<K: AccountRecord>(store: &Store, body: K::Body) -> LibraryResult<K> {
    let draft = K::check(body, Mode::Create)?;
    let mut state = store.begin();
    let record = K::build(draft, &state)?;
    record.unique(&state)?;
    if let Some(limit) = K::LIMIT {
        if K::stored(&state).len() >= limit {
            return Err(over_limit::<K>(limit));
        }
    }
    K::stored_mut(&mut state).push(record.clone());
    state.commit().await?;
    Ok(record)
}

/// Changes the record `id` as an update body says: the body's own checks, then
/// the id, then the checks against the others. A listed record not stored yet
/// (the default URL endpoint) is stored from then on, first.
pub async fn update<K: AccountRecord>(store: &Store, id: &str, body: K::Body) -> LibraryResult<K> {
    let draft = K::check(body, Mode::Update)?;
    let mut state = store.begin();
    let old = find(&K::listed(&state), id)?.clone();
    let record = K::change(draft, &old, &state)?;
    record.unique(&state)?;
    let stored = K::stored_mut(&mut state);
    match stored.iter_mut().find(|r| r.id() == id) {
        Some(slot) => *slot = record.clone(),
        None => stored.insert(0, record.clone()),
    }
    state.commit().await?;
    Ok(record)
}

/// Removes the record `id` once nothing uses it.
pub async fn delete<K: AccountRecord>(store: &Store, id: &str) -> LibraryResult<()> {
    let mut state = store.begin();
    find(&K::listed(&state), id)?;
    K::deletable(&state, id)?;
    K::stored_mut(&mut state).retain(|r| r.id() != id);
    state.commit().await?;
    Ok(())
}

fn find<'a, K: AccountRecord>(records: &'a [K], id: &str) -> LibraryResult<&'a K> {
    records
        .iter()
        .find(|r| r.id() == id)
        .ok_or_else(unknown::<K>)
}

// ------------------------------------------------------------- errors

/// 400: a body that fails a check.
pub fn invalid(message: impl Into<String>) -> LibraryError {
    LibraryError::invalid(message)
}

/// 400: a required field absent (or null).
pub fn missing(key: &str) -> LibraryError {
    invalid(format!("Missing {key} parameter for this request"))
}

/// 409: the record would collide with another, or is in use.
pub fn conflict(message: impl Into<String>, reason: &str) -> LibraryError {
    LibraryError::Conflict {
        message: message.into(),
        reason: reason.into(),
    }
}

/// 404: no record of this kind has the id.
fn unknown<K: AccountRecord>() -> LibraryError {
    LibraryError::not_found(format!("The requested {} does not exist.", K::WHAT))
}

fn over_limit<K: AccountRecord>(limit: usize) -> LibraryError {
    invalid(format!(
        "You can create at most {limit} {}s per account.",
        K::WHAT
    ))
}

// ------------------------------------------------------------- body fields

/// A body field as sent: of the expected type, or any other value (which the
/// checks answer). Absent and null are the `None` of an `Option<Sent<T>>`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Sent<T> {
    Typed(T),
    Other(Value),
}

/// The field `key` of a free-form object, as a typed body field would be.
pub fn sent<T: DeserializeOwned>(object: &Map<String, Value>, key: &str) -> Option<Sent<T>> {
    match object.get(key) {
        None | Some(Value::Null) => None,
        Some(value) => {
            Some(Sent::deserialize(value).unwrap_or_else(|_| Sent::Other(value.clone())))
        }
    }
}

/// An optional string field: a 400 naming it when it is not a string, or is
/// blank and `non_empty` is asked.
pub fn string(
    field: Option<Sent<String>>,
    key: &str,
    non_empty: bool,
) -> LibraryResult<Option<String>> {
    match field {
        None => Ok(None),
        Some(Sent::Typed(s)) if !non_empty || !s.trim().is_empty() => Ok(Some(s)),
        Some(_) if non_empty => Err(invalid(format!(
            "Invalid {key}. It should be a non-empty string."
        ))),
        Some(_) => Err(invalid(format!("Invalid {key}. It should be a string."))),
    }
}

/// A required string field: like `string`, absent is a 400 too.
pub fn required(field: Option<Sent<String>>, key: &str, non_empty: bool) -> LibraryResult<String> {
    string(field, key, non_empty)?.ok_or_else(|| missing(key))
}

/// An optional boolean field.
pub fn flag(field: Option<Sent<bool>>, key: &str) -> LibraryResult<Option<bool>> {
    match field {
        None => Ok(None),
        Some(Sent::Typed(b)) => Ok(Some(b)),
        Some(Sent::Other(_)) => Err(invalid(format!("Invalid {key}. It should be a boolean."))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Deserialize)]
    struct Body {
        name: Option<Sent<String>>,
        on: Option<Sent<bool>>,
    }

    fn body(v: Value) -> Body {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn fields_keep_what_was_sent() {
        let b = body(json!({"name": " ", "on": 1}));
        assert_eq!(
            string(b.name.clone(), "name", false).unwrap().as_deref(),
            Some(" ")
        );
        assert_eq!(
            string(b.name, "name", true).unwrap_err().to_string(),
            "Invalid name. It should be a non-empty string."
        );
        assert_eq!(
            flag(b.on, "on").unwrap_err().to_string(),
            "Invalid on. It should be a boolean."
        );
        let b = body(json!({"name": null, "on": true}));
        assert_eq!(
            required(b.name, "name", true).unwrap_err().to_string(),
            "Missing name parameter for this request"
        );
        assert_eq!(flag(b.on, "on").unwrap(), Some(true));
        let b = body(json!({"name": 5}));
        assert_eq!(
            string(b.name, "name", false).unwrap_err().to_string(),
            "Invalid name. It should be a string."
        );
        let object = json!({"a": "x", "b": [1], "c": null});
        let object = object.as_object().unwrap();
        assert!(matches!(sent::<String>(object, "a"), Some(Sent::Typed(s)) if s == "x"));
        assert!(matches!(sent::<String>(object, "b"), Some(Sent::Other(_))));
        assert!(sent::<String>(object, "c").is_none());
        assert!(sent::<String>(object, "d").is_none());
    }
}
