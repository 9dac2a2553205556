//! What an upload's bytes are: sniffed, decoded when they are an image
//! (with the `pre` transformation applied), and described for the record.

use crate::imaging::{self, MAX_DECODE_BYTES};
use crate::library::error::{LibraryError, LibraryResult};
use crate::library::uploads::Analysis;
use crate::storage::{ImageFacts, Store};

/// Whether the first bytes are a format `imaging` decodes (so bytes that are
/// obviously not an image are never loaded whole).
fn looks_like_image(head: &[u8]) -> bool {
    head.starts_with(&[0xFF, 0xD8, 0xFF])
        || head.starts_with(b"\x89PNG\r\n\x1a\n")
        || head.starts_with(b"GIF87a")
        || head.starts_with(b"GIF89a")
        || (head.starts_with(b"RIFF") && head.get(8..12) == Some(b"WEBP"))
}

/// How the refusal of a `pre` transformation that could not be applied begins.
const PRE_FAILED: &str = "Could not apply the pre transformation: ";

/// Whether `analyse` failed because the `pre` transformation could not be applied.
pub fn is_pre_transformation_error(error: &LibraryError) -> bool {
    matches!(error, LibraryError::Invalid(m) if m.starts_with(PRE_FAILED))
}

/// MIME type from the file name, for files that are not decodable images.
fn mime_from_name(name: &str) -> &'static str {
    mime_guess::from_path(name)
        .first_raw()
        .unwrap_or("application/octet-stream")
}

/// MIME type of a decoded image's format (`jpg`, `png`, `gif`, `webp`).
fn mime_for_format(format: &str) -> &'static str {
    mime_guess::from_ext(format)
        .first_raw()
        .unwrap_or("application/octet-stream")
}

pub async fn analyse(
    store: &Store,
    key: String,
    size: u64,
    name: &str,
    pre: Option<imaging::Transformation>,
) -> LibraryResult<Analysis> {
    let blob = store
        .blob(&key)
        .await
        .ok_or_else(|| LibraryError::broken("stored upload vanished"))?;
    let head = blob.head(16).await.map_err(LibraryError::broken)?;
    let mut analysis = Analysis {
        blob: key,
        size,
        image: None,
        metadata: None,
        mime: mime_from_name(name).to_string(),
        pre_applied: false,
    };
    if !looks_like_image(&head) || size > MAX_DECODE_BYTES {
        return Ok(analysis);
    }
    let bytes = blob.read_all().await.map_err(LibraryError::broken)?;
    let decoded = imaging::blocking(move || -> Result<_, String> {
        let transformed = match &pre {
            Some(tr) if imaging::probe(&bytes).is_some() => {
                Some(imaging::apply(&bytes, tr, imaging::Client::default())?.0)
            }
            _ => None,
        };
        let final_bytes: &[u8] = transformed.as_deref().unwrap_or(&bytes);
        let info = imaging::probe(final_bytes);
        let metadata = info.as_ref().and_then(|_| imaging::metadata(final_bytes));
        Ok((transformed, info, metadata))
    })
    .await
    .map_err(LibraryError::broken)?
    .map_err(|e| LibraryError::invalid(format!("{PRE_FAILED}{e}")))?;
    let (transformed, info, metadata) = decoded;
    if let Some(bytes) = transformed {
        let new_key = store.put(&bytes).await.map_err(LibraryError::broken)?;
        store
            .remove_blobs(vec![std::mem::replace(&mut analysis.blob, new_key)])
            .await;
        analysis.size = bytes.len() as u64;
        analysis.pre_applied = true;
    }
    if let Some(info) = info {
        analysis.mime = mime_for_format(info.format).to_string();
        analysis.image = Some(ImageFacts {
            width: info.width,
            height: info.height,
            has_alpha: info.has_alpha,
            format: info.format.to_string(),
        });
    }
    analysis.metadata = metadata;
    Ok(analysis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing_and_mime() {
        assert!(looks_like_image(b"\x89PNG\r\n\x1a\n...."));
        assert!(looks_like_image(b"RIFF\0\0\0\0WEBPVP8 "));
        assert!(!looks_like_image(b"%PDF-1.4"));
        assert_eq!(mime_from_name("a.PDF"), "application/pdf");
        assert_eq!(mime_from_name("noext"), "application/octet-stream");
        assert_eq!(mime_from_name("a.JPEG"), "image/jpeg");
        assert_eq!(mime_for_format("jpg"), "image/jpeg");
        assert_eq!(mime_for_format("webp"), "image/webp");
    }
}
