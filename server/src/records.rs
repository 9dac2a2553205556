//! The account's records kept as lists with ids (saved extensions, named
//! transformations, origins, URL endpoints): each is looked up, changed and
//! removed by id here, and an unknown id is the same 404 for all of them.

use crate::error::{ApiError, ApiResult};
use crate::storage::{NamedTransformation, Origin, SavedExtension, UrlEndpoint};

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
pub fn missing<T: Record>() -> ApiError {
    ApiError::not_found(format!("The requested {} does not exist.", T::WHAT))
}

pub fn index_of<T: Record>(records: &[T], id: &str) -> ApiResult<usize> {
    records
        .iter()
        .position(|r| r.id() == id)
        .ok_or_else(missing::<T>)
}

pub fn find<'a, T: Record>(records: &'a [T], id: &str) -> ApiResult<&'a T> {
    records
        .iter()
        .find(|r| r.id() == id)
        .ok_or_else(missing::<T>)
}

pub fn find_mut<'a, T: Record>(records: &'a mut [T], id: &str) -> ApiResult<&'a mut T> {
    records
        .iter_mut()
        .find(|r| r.id() == id)
        .ok_or_else(missing::<T>)
}

pub fn remove<T: Record>(records: &mut Vec<T>, id: &str) -> ApiResult<T> {
    let index = index_of(records, id)?;
    Ok(records.remove(index))
}
