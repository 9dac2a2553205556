//! What the library already holds in a folder, listed page by page, and the rule for
//! trying a request again: a 429 after the wait its `X-RateLimit-Reset` names, a 5xx or a
//! failure without an answer after a growing, jittered wait.

use std::collections::HashMap;
use std::time::Duration;

use crate::client::{ImageKit, ListFiles};
use crate::error::Error;

/// Tries of one request before its error is the file's.
pub const MAX_TRIES: u32 = 5;
/// Waits for a rate limit, which do not count as tries.
const MAX_RATE_LIMIT_WAITS: u32 = 20;
const PAGE: u32 = 1000;

/// A file the library holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored {
    pub size: u64,
    pub file_id: String,
}

/// How long to wait before trying again after `error` (the `tries`th failure, 429s not
/// counted), or `None` when it is final.
pub fn wait_before_retry(error: &Error, tries: u32) -> Option<Duration> {
    let backoff = || {
        let base = 250u64 << (tries.clamp(1, 6) - 1);
        let jittered = base as f64 * (0.5 + fastrand::f64() / 2.0);
        Duration::from_millis(jittered.min(10_000.0) as u64)
    };
    match error {
        Error::Api {
            status: 429,
            rate_limit,
            ..
        } => {
            let reset = rate_limit.map_or(f64::NAN, |limit| limit.reset);
            Some(if reset.is_finite() && reset > 0.0 {
                // ImageKit's reset is in milliseconds; a little more, so the window has ended.
                Duration::from_millis(reset.min(60_000.0) as u64 + 50)
            } else {
                backoff()
            })
        }
        Error::Api { status, .. } if *status >= 500 => (tries < MAX_TRIES).then(backoff),
        Error::Transport { .. } => (tries < MAX_TRIES).then(backoff),
        _ => None,
    }
}

/// Whether `error` is a rate limit (its waits are counted apart).
pub fn is_rate_limit(error: &Error) -> bool {
    matches!(error, Error::Api { status: 429, .. })
}

/// Runs `request` until it succeeds or fails for good.
pub async fn retried<T, F, Fut>(mut request: F) -> Result<T, Error>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, Error>>,
{
    let (mut tries, mut waits) = (0, 0);
    loop {
        let error = match request().await {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        if is_rate_limit(&error) {
            waits += 1;
            if waits > MAX_RATE_LIMIT_WAITS {
                return Err(error);
            }
        } else {
            tries += 1;
        }
        match wait_before_retry(&error, tries) {
            Some(wait) => tokio::time::sleep(wait).await,
            None => return Err(error),
        }
    }
}

/// The files directly in `folder`, by name.
pub async fn list(client: &ImageKit, folder: &str) -> Result<HashMap<String, Stored>, Error> {
    let mut stored = HashMap::new();
    let mut skip = 0;
    loop {
        let query = ListFiles {
            path: Some(folder.to_owned()),
            kind: Some("file".to_owned()),
            sort: Some("ASC_CREATED".to_owned()),
            limit: Some(PAGE),
            skip: Some(skip),
            ..Default::default()
        };
        let page = retried(|| client.list_files(&query)).await?;
        let count = page.len() as u32;
        for file in page {
            if let (Some(name), Some(file_id)) = (file.name, file.file_id) {
                let size = file.size.unwrap_or(0);
                stored.insert(name, Stored { size, file_id });
            }
        }
        if count < PAGE {
            return Ok(stored);
        }
        skip += count;
    }
}

/// The file named `name` directly in `folder`, if the library holds one.
pub async fn find(client: &ImageKit, folder: &str, name: &str) -> Result<Option<Stored>, Error> {
    let query = ListFiles {
        path: Some(folder.to_owned()),
        kind: Some("file".to_owned()),
        // Stored names hold no quote (they are written as `names` keeps them).
        search_query: Some(format!("name = \"{name}\"")),
        ..Default::default()
    };
    let page = retried(|| client.list_files(&query)).await?;
    Ok(page
        .into_iter()
        .find_map(|file| match (file.name, file.file_id) {
            (Some(found), Some(file_id)) if found == name => Some(Stored {
                size: file.size.unwrap_or(0),
                file_id,
            }),
            _ => None,
        }))
}
