//! ImageKit's path rules: folder normalisation, name sanitising and URL
//! building for file paths.

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use unicode_normalization::char::is_combining_mark;

/// `folder/a//b` -> `/folder/a/b/`; empty or `/` -> `/`.
pub fn normalize_folder(path: &str) -> String {
    let inner: Vec<&str> = path
        .split('/')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if inner.is_empty() {
        "/".into()
    } else {
        format!("/{}/", inner.join("/"))
    }
}

/// Letters, marks and numerals of any script: what every name keeps as it
/// is (ImageKit's docs: "alphanumeric characters ... including Unicode
/// letters, marks, and numerals in other languages"). A mark written as a
/// separate character (`e` + U+0301, as macOS writes file names) is kept.
fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || is_combining_mark(c)
}

/// `name` with every character that is not a name character nor one of
/// `also` replaced by `_`.
fn sanitize(name: &str, also: &[char]) -> String {
    name.chars()
        .map(|c| {
            if is_name_char(c) || also.contains(&c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The upload `folder` parameter: each segment trimmed (as a `fileName` is),
/// then letters, marks, digits, `_` and `-` kept and anything else `_`.
pub fn sanitize_folder(path: &str) -> String {
    let segments: Vec<String> = path
        .split('/')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| sanitize(s, &['_', '-']))
        .collect();
    normalize_folder(&segments.join("/"))
}

/// File names (trimmed by the caller): letters, marks and digits of any
/// script, `.`, `_` and `-` kept; anything else (spaces included) becomes `_`.
pub fn sanitize_file_name(name: &str) -> String {
    sanitize(name, &['.', '_', '-'])
}

/// Folder names in the create-folder API: letters, marks and digits kept, as
/// are `_` and `-`; anything else becomes `_`.
pub fn sanitize_folder_name(name: &str) -> String {
    sanitize(name, &['_', '-'])
}

/// A new folder name as renameFolder keeps it: letters, marks and numerals
/// of any script and `-` kept, every other character becomes `_`.
pub fn sanitize_new_folder_name(name: &str) -> String {
    sanitize(name, &['-'])
}

/// `/a/b/c.jpg` -> (`/a/b/`, `c.jpg`); None when there is no file name.
pub fn split_file_path(path: &str) -> Option<(String, String)> {
    let trimmed = path.trim();
    let (folder, name) = trimmed.rsplit_once('/').unwrap_or(("", trimmed));
    if name.is_empty() {
        return None;
    }
    Some((normalize_folder(folder), name.to_string()))
}

/// The name with a unique suffix before the extension: `a.jpg` -> `a_XXXXXXXXX.jpg`.
pub fn with_suffix(name: &str, suffix: &str) -> String {
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => format!("{stem}_{suffix}.{ext}"),
        _ => format!("{name}_{suffix}"),
    }
}

/// Characters escaped in URL paths (what a WHATWG URL escapes in a path, plus `%`
/// so stored names round-trip).
const PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'%');

pub fn encode_path(path: &str) -> String {
    utf8_percent_encode(path, PATH).to_string()
}

/// The last segment of a folder path: `/a/b/` -> `b`.
pub fn folder_name(folder: &str) -> &str {
    folder
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("")
}

/// The parent of a folder path: `/a/b/` -> `/a/`.
pub fn parent_folder(folder: &str) -> String {
    let trimmed = folder.trim_end_matches('/');
    match trimmed.rsplit_once('/') {
        Some((parent, _)) => normalize_folder(parent),
        None => "/".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        assert_eq!(normalize_folder("a//b/"), "/a/b/");
        assert_eq!(normalize_folder(""), "/");
        assert_eq!(sanitize_folder("/my folder/x.y"), "/my_folder/x_y/");
        assert_eq!(sanitize_file_name("my file (1).jpg"), "my_file__1_.jpg");
        assert_eq!(sanitize_file_name("café.png"), "café.png");
        // A separate combining mark is kept, as ImageKit keeps marks.
        assert_eq!(sanitize_file_name("cafe\u{301}.png"), "cafe\u{301}.png");
        assert_eq!(
            sanitize_folder_name("re\u{301}sume\u{301}"),
            "re\u{301}sume\u{301}"
        );
        assert_eq!(sanitize_new_folder_name("a\u{308} b"), "a\u{308}_b");
        // Spaces around a folder segment are trimmed, as around a fileName.
        assert_eq!(sanitize_folder(" my folder / sub /"), "/my_folder/sub/");
        assert_eq!(sanitize_folder("/a\u{301}/"), "/a\u{301}/");
        assert_eq!(
            split_file_path("/a/b/c.jpg"),
            Some(("/a/b/".into(), "c.jpg".into()))
        );
        assert_eq!(split_file_path("c.jpg"), Some(("/".into(), "c.jpg".into())));
        assert_eq!(split_file_path("/a/"), None);
        assert_eq!(with_suffix("a.b.jpg", "X"), "a.b_X.jpg");
        assert_eq!(with_suffix("noext", "X"), "noext_X");
        assert_eq!(encode_path("/a b/é.jpg"), "/a%20b/%C3%A9.jpg");
        assert_eq!(folder_name("/a/b/"), "b");
        assert_eq!(parent_folder("/a/b/"), "/a/");
        assert_eq!(parent_folder("/a/"), "/");
    }
}
