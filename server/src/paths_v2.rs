//! File and folder names as the v2 routes keep them.
//!
//! v1 documents that a file name keeps letters, digits, `.` and `-` and that
//! "any other character including space will be replaced by `_`" (and folder
//! names likewise: `paths::sanitize_file_name`, `sanitize_folder`,
//! `sanitize_folder_name`). The v2 API keeps far more: rclone's imagekit
//! backend, a v2 client, passes rclone's integration tests against ImageKit
//! (its test_all configuration skips only the zero-length upload) with names
//! such as `file name.txt` and folders `Hello, 世界` and
//! `" ' @ < > & ? + ≠` (FsPutFiles), and every ASCII punctuation character
//! (FsEncoding), after its default encoding for this backend has replaced the
//! characters ImageKit cannot take: `/`, control characters and DEL, `"`,
//! `<`, `>`, `$`, `?`, `#`, `%`, `\`, `[`, `]`, and the names `.` and `..`.
//! So on v2 a name keeps everything but those, which become `_` as on v1.
//! (Folder path segments are still trimmed, as everywhere in this server.)

use crate::paths::normalize_folder;

/// A character rclone's encoding for ImageKit keeps away from the service.
fn refused(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '/' | '\\' | '"' | '<' | '>' | '$' | '?' | '#' | '%' | '[' | ']'
        )
}

/// A file or folder name on v2: refused characters become `_`, and so does
/// a name of dots alone (`.`, `..`), which would read as a path step.
pub fn name(name: &str) -> String {
    if !name.is_empty() && name.chars().all(|c| c == '.') {
        return "_".repeat(name.len());
    }
    name.chars()
        .map(|c| if refused(c) { '_' } else { c })
        .collect()
}

/// The v2 upload's `folder` parameter: each segment as `name` keeps it,
/// normalised to `/a/b/`.
pub fn folder(path: &str) -> String {
    let segments: Vec<String> = path
        .split('/')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(name)
        .collect();
    normalize_folder(&segments.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_what_v2_keeps() {
        assert_eq!(name("file name.txt"), "file name.txt");
        assert_eq!(name("Hello, 世界"), "Hello, 世界");
        assert_eq!(name("＂ ' @ ＜ ＞ & ？ + ≠"), "＂ ' @ ＜ ＞ & ？ + ≠");
        assert_eq!(
            name("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"),
            "!____&'()*+,-._:;_=__@___^_`{|}~"
        );
        assert_eq!(name("a\tb\u{7f}c"), "a_b_c");
        assert_eq!(name(".."), "__");
        assert_eq!(name(".leading dot"), ".leading dot");
        assert_eq!(folder("/a b/c,d//e?/"), "/a b/c,d/e_/");
        assert_eq!(folder(""), "/");
        assert_eq!(folder("/x/../y"), "/x/__/y/");
    }
}
