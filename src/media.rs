//! Where each media and upload API call goes: endpoint paths with identifiers encoded as
//! one segment, query strings serialised as v6 (axios) serialises them, and the content
//! type a file part gets from its name.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

pub const DEFAULT_API_ENDPOINT: &str = "https://api.imagekit.io";
pub const DEFAULT_UPLOAD_ENDPOINT: &str = "https://upload.imagekit.io/api/v1/files/upload";

/// What `encodeURIComponent` leaves alone: ASCII letters, digits and `-_.!~*'()`.
const URI_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

pub fn encode_uri_component(s: &str) -> String {
    utf8_percent_encode(s, URI_COMPONENT).to_string()
}

/// An identifier as one path segment. `None` for `.` and `..`, which a URL parser
/// resolves as dot segments however they are encoded, so they can name no file.
pub fn path_segment(id: &str) -> Option<String> {
    let encoded = encode_uri_component(id);
    let lower = encoded.to_ascii_lowercase();
    match lower.as_str() {
        "." | ".." => None,
        _ => Some(encoded),
    }
}

/// `apiEndpoint` + `/v1/` + path (segments already encoded).
pub fn api_url(api_endpoint: &str, path: &str) -> String {
    format!("{}/v1/{path}", api_endpoint.trim_end_matches('/'))
}

/// axios's query encoding: `encodeURIComponent` with `:`, `$`, `,` kept and spaces as `+`.
pub fn encode_query_value(s: &str) -> String {
    encode_uri_component(s)
        .replace("%3A", ":")
        .replace("%24", "$")
        .replace("%2C", ",")
        .replace("%20", "+")
}

/// Appends `key=value` pairs (already converted to strings) the way axios does.
pub fn with_query(url: &str, pairs: &[(String, String)]) -> String {
    if pairs.is_empty() {
        return url.to_owned();
    }
    let query = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode_query_value(k), encode_query_value(v)))
        .collect::<Vec<_>>()
        .join("&");
    let base = url.split('#').next().unwrap_or(url);
    let separator = if base.contains('?') { '&' } else { '?' };
    format!("{base}{separator}{query}")
}

/// The content type form-data gives a file part, from the file's name.
pub fn content_type_for(name: &str) -> &'static str {
    let extension = name
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if !name.contains('.') {
        return "application/octet-stream";
    }
    match extension.as_str() {
        "jpg" | "jpeg" | "jpe" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "svg" | "svgz" => "image/svg+xml",
        "bmp" => "image/bmp",
        "ico" => "image/vnd.microsoft.icon",
        "tif" | "tiff" => "image/tiff",
        "heic" => "image/heic",
        "heif" => "image/heif",
        "mp4" | "mp4v" | "mpg4" => "video/mp4",
        "webm" => "video/webm",
        "mov" | "qt" => "video/quicktime",
        "mp3" => "audio/mpeg",
        "wav" => "audio/wav",
        "pdf" => "application/pdf",
        "json" => "application/json",
        "txt" | "text" => "text/plain",
        "html" | "htm" => "text/html",
        "css" => "text/css",
        "js" | "mjs" => "application/javascript",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

/// `path.basename`: the part after the last `/`, ignoring trailing slashes.
pub fn basename(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return if path.is_empty() { "" } else { "/" };
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_one_segment() {
        assert_eq!(
            path_segment("598821f949c0a938d57563bd").as_deref(),
            Some("598821f949c0a938d57563bd")
        );
        assert_eq!(path_segment("a/b?c#d").as_deref(), Some("a%2Fb%3Fc%23d"));
        assert_eq!(path_segment(".."), None);
        assert_eq!(path_segment("."), None);
    }

    #[test]
    fn query_like_axios() {
        let pairs = vec![
            ("tags".to_owned(), "a,b c".to_owned()),
            ("path".to_owned(), "/x:y$".to_owned()),
        ];
        assert_eq!(
            with_query("https://h/v1/files/", &pairs),
            "https://h/v1/files/?tags=a,b+c&path=%2Fx:y$"
        );
        assert_eq!(with_query("https://h/x", &[]), "https://h/x");
    }

    #[test]
    fn content_types_and_basenames() {
        assert_eq!(content_type_for("a.JPG"), "image/jpeg");
        assert_eq!(content_type_for("noext"), "application/octet-stream");
        assert_eq!(basename("folder/a.jpg"), "a.jpg");
        assert_eq!(basename("a/"), "a");
    }
}
