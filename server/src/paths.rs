//! ImageKit's path rules: folder normalisation, name sanitising and URL
//! building for file paths.

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};

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

/// The upload `folder` parameter: letters, digits, `/`, `_` and `-` survive,
/// anything else becomes `_`.
pub fn sanitize_folder(path: &str) -> String {
    let cleaned: String = path
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '/' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    normalize_folder(&cleaned)
}

/// File names: letters and digits (any script), `.`, `_` and `-` survive,
/// anything else (spaces included) becomes `_`.
pub fn sanitize_file_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Folder names in the create-folder API: letters and digits survive, as do
/// `_` and `-`; anything else becomes `_`.
pub fn sanitize_folder_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A new folder name as renameFolder keeps it: letters, marks and numerals
/// of any script and `-` survive, every other character becomes `_`.
pub fn sanitize_new_folder_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || is_combining_mark(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The combining-mark blocks (`is_alphanumeric` already covers the marks
/// Unicode counts as alphabetic, such as most Indic vowel signs).
fn is_combining_mark(c: char) -> bool {
    matches!(
        u32::from(c),
        0x0300..=0x036F
            | 0x0483..=0x0489
            | 0x0591..=0x05BD
            | 0x0610..=0x061A
            | 0x064B..=0x065F
            | 0x0900..=0x0903
            | 0x093A..=0x094F
            | 0x1AB0..=0x1AFF
            | 0x1DC0..=0x1DFF
            | 0x20D0..=0x20FF
            | 0x3099..=0x309A
            | 0xFE00..=0xFE0F
            | 0xFE20..=0xFE2F
    )
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
