//! `pHashDistance`: the Hamming distance between two perceptual hashes written in hex.

use crate::messages::ErrorMessage;

/// Distance in bits, or v6's error for missing, non-hex or unequal-length input.
/// `None` stands for a value that is missing (falsy in JavaScript).
pub fn distance(first: Option<&str>, second: Option<&str>) -> Result<u32, &'static ErrorMessage> {
    let (Some(first), Some(second)) = (first, second) else {
        return Err(&crate::messages::MISSING_PHASH_VALUE);
    };
    if !is_hex(first) || !is_hex(second) {
        return Err(&crate::messages::INVALID_PHASH_VALUE);
    }
    // JavaScript compares lengths in UTF-16 units; for hex digits that is the byte count.
    if first.len() != second.len() {
        return Err(&crate::messages::UNEQUAL_STRING_LENGTH);
    }
    Ok(first
        .bytes()
        .zip(second.bytes())
        .map(|(a, b)| (hex_value(a) ^ hex_value(b)).count_ones())
        .sum())
}

/// v6's check: one or more hex digits and nothing else.
pub fn is_hex(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn hex_value(digit: u8) -> u8 {
    match digit {
        b'0'..=b'9' => digit - b'0',
        b'a'..=b'f' => digit - b'a' + 10,
        b'A'..=b'F' => digit - b'A' + 10,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_differing_bits() {
        assert_eq!(
            distance(Some("f06830ca9f1e3e90"), Some("f06830ca9f1e3e90")),
            Ok(0)
        );
        assert_eq!(distance(Some("0"), Some("F")), Ok(4));
        assert_eq!(
            distance(Some("2d5ad3936d2e015b"), Some("2d6ed293db36a4fb")),
            Ok(17)
        );
    }

    #[test]
    fn reports_v6_errors() {
        assert_eq!(
            distance(None, Some("a")).unwrap_err().message,
            "Missing pHash value"
        );
        assert_eq!(
            distance(Some("g"), Some("a")).unwrap_err().message,
            "Invalid pHash value"
        );
        assert_eq!(
            distance(Some("ab"), Some("a")).unwrap_err().message,
            "Unequal pHash string length"
        );
    }
}
