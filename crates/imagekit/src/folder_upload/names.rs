//! The names ImageKit stores: a file name in Unicode's composed form (NFC) with every
//! character other than a letter, a mark, a digit, `.`, `_` or `-` (a space included)
//! written `_`; a folder name the same, `.` included. A folder upload compares local files
//! with the library under these names, and sends them, so what it asks for is what is stored.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

fn kept(c: char) -> bool {
    c.is_alphanumeric() || is_combining_mark(c) || matches!(c, '_' | '-')
}

/// A file's name as ImageKit stores it.
pub fn file_name(name: &str) -> String {
    name.nfc()
        .map(|c| if kept(c) || c == '.' { c } else { '_' })
        .collect()
}

/// A folder's name as ImageKit stores it.
pub fn folder_name(name: &str) -> String {
    name.nfc().map(|c| if kept(c) { c } else { '_' }).collect()
}

/// A remote folder path as ImageKit writes it: `/`, or `/a/b/` with each name as
/// [`folder_name`] keeps it and empty names dropped.
pub fn folder_path<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let mut path = String::from("/");
    for name in names {
        let name = name.trim();
        if name.is_empty() {
            continue;
        }
        path.push_str(&folder_name(name));
        path.push('/');
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_and_punctuation_become_underscores() {
        assert_eq!(file_name("my photo (1).JPG"), "my_photo__1_.JPG");
        assert_eq!(folder_name("v1.2 final"), "v1_2_final");
        assert_eq!(file_name("a+b&c=d.png"), "a_b_c_d.png");
    }

    #[test]
    fn letters_marks_and_digits_of_any_script_are_kept_composed() {
        // `e` + U+0301 (as macOS writes names) is stored as the composed `é`.
        assert_eq!(file_name("cafe\u{301}.jpg"), "caf\u{e9}.jpg");
        assert_eq!(file_name("日本語_٣.png"), "日本語_٣.png");
        // A mark with no composed form stays a mark.
        assert_eq!(file_name("q\u{307}.png"), "q\u{307}.png");
        assert_eq!(folder_name("हिन्दी"), "हिन्दी");
    }

    #[test]
    fn folder_paths_are_rooted_and_end_with_a_slash() {
        assert_eq!(folder_path([]), "/");
        assert_eq!(folder_path(["", "a b", "c.d", " "]), "/a_b/c_d/");
    }
}
