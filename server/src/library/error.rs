//! Why the library refused a change or a look-up, in its own terms: the
//! route layer (`routes::error`) maps each kind to ImageKit's status and body.

use std::fmt;

use crate::storage::SaveError;

/// A refusal from the library. Messages are ImageKit's, word for word.
#[derive(Debug, Clone, PartialEq)]
pub enum LibraryError {
    /// A value breaks a rule (a tag with a comma, a schema without a type...).
    Invalid(String),
    /// A value breaks a rule, with a machine-readable reason.
    InvalidBecause { message: String, reason: String },
    /// What the request names does not exist.
    NotFound(String),
    /// What the request names does not exist, with a machine-readable reason.
    NotFoundBecause { message: String, reason: String },
    /// Files named by id that do not exist (the bulk operations name them all).
    MissingFiles(Vec<String>),
    /// The target exists already.
    Conflict { message: String, reason: String },
    /// The store holds something it should not (a bug, or a damaged store).
    Broken(String),
    /// The change could not be saved; `disk_full` when that is why.
    Unsaved { message: String, disk_full: bool },
}

pub type LibraryResult<T> = Result<T, LibraryError>;

impl LibraryError {
    pub fn invalid(message: impl Into<String>) -> Self {
        LibraryError::Invalid(message.into())
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        LibraryError::NotFound(message.into())
    }

    pub fn broken(message: impl fmt::Display) -> Self {
        LibraryError::Broken(message.to_string())
    }

    pub fn file_not_found() -> Self {
        LibraryError::NotFound("The requested file does not exist.".into())
    }
}

impl fmt::Display for LibraryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LibraryError::Invalid(m)
            | LibraryError::NotFound(m)
            | LibraryError::Broken(m)
            | LibraryError::InvalidBecause { message: m, .. }
            | LibraryError::NotFoundBecause { message: m, .. }
            | LibraryError::Conflict { message: m, .. }
            | LibraryError::Unsaved { message: m, .. } => f.write_str(m),
            LibraryError::MissingFiles(_) => f.write_str("The requested file(s) does not exist."),
        }
    }
}

impl std::error::Error for LibraryError {}

impl From<SaveError> for LibraryError {
    fn from(error: SaveError) -> Self {
        LibraryError::Unsaved {
            message: error.message,
            disk_full: error.disk_full,
        }
    }
}
