//! Where each media and upload API call goes: endpoint paths with identifiers encoded as
//! one segment, query strings serialised as v6 (axios) serialises them, and the content
//! type a file part gets from its name.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

mod mime_db;

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

/// The media type `mime-types` finds for a name or path (`lookup`): the extension that
/// `path.extname("x." + name)` gives, lower-cased, looked up in mime-db. A bare extension
/// (`"png"`) counts, as it does there.
pub fn media_type(name: &str) -> Option<&'static str> {
    let extension = extname(&format!("x.{name}")).get(1..)?.to_lowercase();
    mime_db::TYPES
        .binary_search_by(|(known, _)| (*known).cmp(extension.as_str()))
        .ok()
        .map(|i| mime_db::TYPES[i].1)
}

/// Node's `path.posix.extname`: from the last `.` of the last segment, except for names
/// that only start with a dot (`.bashrc`) or are `..`.
fn extname(path: &str) -> &str {
    let bytes = path.as_bytes();
    let mut start_dot = None;
    let mut start_part = 0;
    let mut end = None;
    // 0: no dot seen before the extension's dot; 1: only dots; -1: something else.
    let mut pre_dot_state = 0;
    for i in (0..bytes.len()).rev() {
        if bytes[i] == b'/' {
            if end.is_some() {
                start_part = i + 1;
                break;
            }
            continue;
        }
        if end.is_none() {
            end = Some(i + 1);
        }
        if bytes[i] == b'.' {
            if start_dot.is_none() {
                start_dot = Some(i);
            } else if pre_dot_state != 1 {
                pre_dot_state = 1;
            }
        } else if start_dot.is_some() {
            pre_dot_state = -1;
        }
    }
    match (start_dot, end) {
        (Some(dot), Some(end))
            if pre_dot_state != 0
                && !(pre_dot_state == 1 && dot + 1 == end && dot == start_part + 1) =>
        {
            &path[dot..end]
        }
        _ => "",
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
    fn media_types_and_basenames() {
        assert_eq!(media_type("a.JPG"), Some("image/jpeg"));
        assert_eq!(media_type("dir/a.wav"), Some("audio/wave"));
        assert_eq!(media_type("png"), Some("image/png"));
        assert_eq!(media_type(".png"), Some("image/png"));
        assert_eq!(media_type("a.png/"), Some("image/png"));
        assert_eq!(media_type("dir.png/a"), None);
        assert_eq!(media_type("noext"), None);
        assert_eq!(media_type("a.unknownext"), None);
        assert_eq!(extname("x..."), ".");
        assert_eq!(extname(".."), "");
        assert_eq!(extname("x/.bashrc"), "");
        assert_eq!(extname("a.b.c"), ".c");
        assert_eq!(basename("folder/a.jpg"), "a.jpg");
        assert_eq!(basename("a/"), "a");
    }
}
