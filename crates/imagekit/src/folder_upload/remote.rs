//! What the library already holds in a folder, listed page by page, and the rule for
//! trying a request again: a 429 after the wait its `X-RateLimit-Reset` names, a 5xx or a
//! failure without an answer after a growing, jittered wait.

use std::collections::HashMap;
use std::time::Duration;

use crate::client::{FileObject, ImageKit, ListFiles};
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
            if let Some((name, found)) = directly_in(folder, file) {
                stored.insert(name, found);
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
        .filter_map(|file| directly_in(folder, file))
        .find_map(|(found, stored)| (found == name).then_some(stored)))
}

/// A listed file's name and what it holds, when it is directly in `folder` (a listing that
/// also held a subfolder's files would otherwise pass them off as this folder's).
fn directly_in(folder: &str, file: FileObject) -> Option<(String, Stored)> {
    let (name, file_id) = (file.name?, file.file_id?);
    if file
        .file_path
        .is_some_and(|path| path.strip_prefix(folder) != Some(name.as_str()))
    {
        return None;
    }
    let size = file.size.unwrap_or(0);
    Some((name, Stored { size, file_id }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(name: &str, path: Option<&str>) -> FileObject {
        FileObject {
            name: Some(name.into()),
            file_id: Some("id".into()),
            file_path: path.map(str::to_owned),
            size: Some(3),
            ..Default::default()
        }
    }

    #[test]
    fn only_the_files_directly_in_the_folder_count() {
        let here = directly_in("/a/", listed("x.jpg", Some("/a/x.jpg")));
        assert_eq!(here.map(|(name, _)| name).as_deref(), Some("x.jpg"));
        assert!(directly_in("/a/", listed("x.jpg", Some("/a/sub/x.jpg"))).is_none());
        // No path in the answer: the name is taken as the folder's.
        assert!(directly_in("/a/", listed("x.jpg", None)).is_some());
    }

    #[test]
    fn a_429_waits_its_reset_and_a_4xx_is_final() {
        let limited = Error::Api {
            status: 429,
            message: String::new(),
            body: Box::new(serde_json::Value::Null),
            rate_limit: Some(crate::RateLimit {
                limit: 10.0,
                reset: 1200.0,
                interval: 1000.0,
            }),
        };
        assert_eq!(
            wait_before_retry(&limited, 0),
            Some(Duration::from_millis(1250))
        );
        let refused = Error::Api {
            status: 400,
            message: String::new(),
            body: Box::new(serde_json::Value::Null),
            rate_limit: None,
        };
        assert_eq!(wait_before_retry(&refused, 1), None);
        let reset = Error::Transport {
            code: "ECONNRESET".into(),
            message: String::new(),
        };
        let wait = wait_before_retry(&reset, 1).unwrap();
        assert!(wait >= Duration::from_millis(125) && wait <= Duration::from_millis(250));
        assert_eq!(wait_before_retry(&reset, MAX_TRIES), None);
    }
}
