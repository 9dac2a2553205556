//! The account's records kept as lists with ids (saved extensions, named
//! transformations, origins, URL endpoints): each is looked up, changed and
//! removed by id here (each change saved before it returns), and an unknown
//! id is the same 404 for all of them. The default URL endpoint, which is not
//! stored until it is first replaced, is here too.

use crate::library::error::{LibraryError, LibraryResult};
use crate::storage::{
    NamedTransformation, Origin, SaveError, SavedExtension, State as Library, Store, UrlEndpoint,
};

pub trait Record {
    /// What the record is called in an error message.
    const WHAT: &'static str;
    fn id(&self) -> &str;
}

macro_rules! records {
    ($($record:ty => $what:literal),* $(,)?) => {$(
        impl Record for $record {
            const WHAT: &'static str = $what;
            fn id(&self) -> &str {
                &self.id
            }
        }
    )*};
}

records! {
    SavedExtension => "saved extension",
    NamedTransformation => "named transformation",
    Origin => "origin",
    UrlEndpoint => "URL endpoint",
}

/// The 404 for an id no record of this kind has.
pub fn missing<T: Record>() -> LibraryError {
    LibraryError::not_found(format!("The requested {} does not exist.", T::WHAT))
}

pub fn index_of<T: Record>(records: &[T], id: &str) -> LibraryResult<usize> {
    records
        .iter()
        .position(|r| r.id() == id)
        .ok_or_else(missing::<T>)
}

pub fn find<'a, T: Record>(records: &'a [T], id: &str) -> LibraryResult<&'a T> {
    records
        .iter()
        .find(|r| r.id() == id)
        .ok_or_else(missing::<T>)
}

pub fn find_mut<'a, T: Record>(records: &'a mut [T], id: &str) -> LibraryResult<&'a mut T> {
    records
        .iter_mut()
        .find(|r| r.id() == id)
        .ok_or_else(missing::<T>)
}

pub fn remove<T: Record>(records: &mut Vec<T>, id: &str) -> LibraryResult<T> {
    let index = index_of(records, id)?;
    Ok(records.remove(index))
}

/// Which list of the state a kind of record lives in.
pub type List<T> = fn(&mut Library) -> &mut Vec<T>;

/// Adds the record `build` makes; it sees the state, to check the record
/// against the others.
pub async fn add<T: Clone, E: From<LibraryError> + From<SaveError>>(
    store: &Store,
    list: List<T>,
    build: impl FnOnce(&Library) -> Result<T, E>,
) -> Result<T, E> {
    let mut state = store.begin();
    let record = build(&state)?;
    list(&mut state).push(record.clone());
    state.commit().await?;
    Ok(record)
}

/// Replaces the record `id` by what `change` makes of it (seeing the state).
pub async fn change<T: Record + Clone, E: From<LibraryError> + From<SaveError>>(
    store: &Store,
    list: List<T>,
    id: &str,
    change: impl FnOnce(&Library, &T) -> Result<T, E>,
) -> Result<T, E> {
    let mut state = store.begin();
    let current = find(list(&mut state), id)?.clone();
    let changed = change(&state, &current)?;
    *find_mut(list(&mut state), id)? = changed.clone();
    state.commit().await?;
    Ok(changed)
}

/// Removes the record `id` once `check` (seeing the state) allows it.
pub async fn delete<T: Record, E: From<LibraryError> + From<SaveError>>(
    store: &Store,
    list: List<T>,
    id: &str,
    check: impl FnOnce(&Library) -> Result<(), E>,
) -> Result<(), E> {
    let mut state = store.begin();
    index_of(list(&mut state), id)?;
    check(&state)?;
    remove(list(&mut state), id)?;
    state.commit().await?;
    Ok(())
}

/// The id of the URL endpoint every account has.
pub const DEFAULT_ENDPOINT_ID: &str = "default";

fn default_endpoint() -> UrlEndpoint {
    UrlEndpoint {
        id: DEFAULT_ENDPOINT_ID.into(),
        description: "Default URL endpoint".into(),
        url_prefix: String::new(),
        origins: Vec::new(),
        url_rewriter: None,
    }
}

/// Every URL endpoint, the default one first.
pub fn url_endpoints(state: &Library) -> Vec<UrlEndpoint> {
    let mut endpoints = Vec::with_capacity(state.url_endpoints.len() + 1);
    if !state
        .url_endpoints
        .iter()
        .any(|e| e.id == DEFAULT_ENDPOINT_ID)
    {
        endpoints.push(default_endpoint());
    }
    endpoints.extend(state.url_endpoints.iter().cloned());
    endpoints
}

/// The non-default endpoint whose urlPrefix is `segment`, if any.
pub fn endpoint_by_prefix<'a>(state: &'a Library, segment: &str) -> Option<&'a UrlEndpoint> {
    state
        .url_endpoints
        .iter()
        .find(|e| !e.url_prefix.is_empty() && e.url_prefix == segment)
}

/// Replaces the URL endpoint `id` (the default one included: it is stored
/// from its first replacement on) by what `build` makes (seeing the state).
pub async fn put_url_endpoint<E: From<LibraryError> + From<SaveError>>(
    store: &Store,
    id: &str,
    build: impl FnOnce(&Library) -> Result<UrlEndpoint, E>,
) -> Result<UrlEndpoint, E> {
    let mut state = store.begin();
    index_of(&url_endpoints(&state), id)?;
    let endpoint = build(&state)?;
    match state.url_endpoints.iter_mut().find(|e| e.id == id) {
        Some(stored) => *stored = endpoint.clone(),
        None => state.url_endpoints.insert(0, endpoint.clone()),
    }
    state.commit().await?;
    Ok(endpoint)
}
