//! The one error type every handler returns (rendered by `layers`) the way ImageKit renders
//! errors: a JSON object with `message` and `help`, plus a few endpoint-specific
//! keys (`reason`, `missingFileIds`) that the reference SDK's typings expose.

use http::StatusCode;
use serde::Serialize;

use crate::auth::AuthError;
use crate::fetch::DownloadError;
use crate::library::error::LibraryError;
use crate::rate_limit::Limited;
use crate::storage::SaveError;

/// ImageKit's constant `help` text on every error body.
pub const HELP: &str = "For support kindly contact us at support@imagekit.io .";

#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// 400: the request is malformed or fails validation.
    BadRequest(String),
    /// 400 with a machine-readable `reason`, as the folder and copy APIs answer.
    BadRequestReason { message: String, reason: String },
    /// 401: credentials missing, or a delivery URL without a valid signature.
    Unauthorized(String),
    /// 403: credentials present but wrong.
    Forbidden(String),
    /// 404: an unknown id or path.
    NotFound(String),
    /// 404 with a machine-readable `reason`.
    NotFoundReason { message: String, reason: String },
    /// 404 from the bulk APIs, naming the ids that do not exist.
    MissingFileIds(Vec<String>),
    /// 405: the path exists but not for this method.
    MethodNotAllowed,
    /// 409: the target already exists.
    Conflict { message: String, reason: String },
    /// 413: a request body over the configured limit.
    PayloadTooLarge(String),
    /// 415: a body of a content type the route does not take.
    UnsupportedMediaType(String),
    /// 429 with ImageKit's rate-limit headers (all in milliseconds but the limit).
    RateLimited {
        limit: u64,
        reset_ms: u64,
        interval_ms: u64,
    },
    /// Any status requested by an injected fault.
    Injected(StatusCode),
    /// 500: a storage failure on this machine (permissions, I/O...).
    Internal(String),
    /// 507: the disk is full.
    InsufficientStorage(String),
}

impl ApiError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::BadRequest(message.into())
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError::NotFound(message.into())
    }

    pub fn internal(message: impl std::fmt::Display) -> Self {
        ApiError::Internal(message.to_string())
    }

    pub fn file_not_found() -> Self {
        ApiError::NotFound("The requested file does not exist.".into())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) | ApiError::BadRequestReason { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_)
            | ApiError::NotFoundReason { .. }
            | ApiError::MissingFileIds(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Injected(status) => *status,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::InsufficientStorage(_) => StatusCode::INSUFFICIENT_STORAGE,
        }
    }

    pub fn message(&self) -> String {
        match self {
            ApiError::BadRequest(m)
            | ApiError::Unauthorized(m)
            | ApiError::Forbidden(m)
            | ApiError::NotFound(m)
            | ApiError::PayloadTooLarge(m)
            | ApiError::UnsupportedMediaType(m)
            | ApiError::Internal(m)
            | ApiError::InsufficientStorage(m) => m.clone(),
            ApiError::BadRequestReason { message, .. }
            | ApiError::NotFoundReason { message, .. }
            | ApiError::Conflict { message, .. } => message.clone(),
            ApiError::MissingFileIds(_) => "The requested file(s) does not exist.".into(),
            ApiError::MethodNotAllowed => "Method not allowed for this route.".into(),
            ApiError::RateLimited { .. } => "Too many requests".into(),
            ApiError::Injected(status) => format!(
                "Injected fault: {}",
                status.canonical_reason().unwrap_or("error")
            ),
        }
    }

    /// The JSON body, in ImageKit's key order: message, help, then extras.
    pub fn body(&self) -> ErrorBody<'_> {
        let (reason, missing_file_ids) = match self {
            ApiError::BadRequestReason { reason, .. }
            | ApiError::NotFoundReason { reason, .. }
            | ApiError::Conflict { reason, .. } => (Some(reason.as_str()), None),
            ApiError::MissingFileIds(ids) => (None, Some(ids.as_slice())),
            _ => (None, None),
        };
        ErrorBody {
            message: self.message(),
            help: HELP,
            reason,
            missing_file_ids,
        }
    }
}

/// ImageKit's error body.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody<'a> {
    pub message: String,
    pub help: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing_file_ids: Option<&'a [String]>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status().as_u16(), self.message())
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// The library's refusals as ImageKit answers them.
impl From<LibraryError> for ApiError {
    fn from(error: LibraryError) -> Self {
        match error {
            LibraryError::Invalid(message) => ApiError::BadRequest(message),
            LibraryError::InvalidBecause { message, reason } => {
                ApiError::BadRequestReason { message, reason }
            }
            LibraryError::NotFound(message) => ApiError::NotFound(message),
            LibraryError::NotFoundBecause { message, reason } => {
                ApiError::NotFoundReason { message, reason }
            }
            LibraryError::MissingFiles(ids) => ApiError::MissingFileIds(ids),
            LibraryError::Conflict { message, reason } => ApiError::Conflict { message, reason },
            LibraryError::Broken(message) => ApiError::Internal(message),
            LibraryError::Unsaved { message, disk_full } => {
                if disk_full {
                    ApiError::InsufficientStorage(message)
                } else {
                    ApiError::Internal(message)
                }
            }
        }
    }
}

/// A change the store could not save.
impl From<SaveError> for ApiError {
    fn from(error: SaveError) -> Self {
        LibraryError::from(error).into()
    }
}

/// Refused credentials.
impl From<AuthError> for ApiError {
    fn from(error: AuthError) -> Self {
        match error {
            AuthError::Missing(message) => ApiError::Unauthorized(message),
            AuthError::Wrong(message) => ApiError::Forbidden(message),
            AuthError::Invalid(message) => ApiError::BadRequest(message),
        }
    }
}

/// A request over the rate limit.
impl From<Limited> for ApiError {
    fn from(limited: Limited) -> Self {
        ApiError::RateLimited {
            limit: limited.limit,
            reset_ms: limited.reset_ms,
            interval_ms: limited.interval_ms,
        }
    }
}

/// A URL that could not be downloaded.
impl From<DownloadError> for ApiError {
    fn from(error: DownloadError) -> Self {
        ApiError::BadRequest(error.0)
    }
}
