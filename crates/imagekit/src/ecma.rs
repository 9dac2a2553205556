//! The few ECMAScript conversions v6's results depend on (`String(number)`, `parseInt`),
//! done the way JavaScript does them, on Rust values.

/// `String(number)`.
pub fn number_to_string(n: f64) -> String {
    // Integers (breakpoints, widths, timestamps) print their digits, as below 1e21 ryu-js
    // would; -0 prints as 0.
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        return (n as i64).to_string();
    }
    let mut buffer = ryu_js::Buffer::new();
    buffer.format(n).to_owned()
}

/// ECMAScript `StrWhiteSpaceChar`: what `parseInt` skips before the digits.
pub fn is_js_whitespace(c: char) -> bool {
    matches!(
        c,
        '\u{9}' | '\u{a}' | '\u{b}' | '\u{c}' | '\u{d}' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
}

/// `parseInt(s, 10)`: NaN when no digit follows the optional sign.
pub fn parse_int(s: &str) -> f64 {
    let s = s.trim_start_matches(is_js_whitespace);
    let (negative, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return f64::NAN;
    }
    let magnitude: f64 = rest[..digits].parse().unwrap_or(f64::NAN);
    if negative {
        -magnitude
    } else {
        magnitude
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_int_follows_javascript() {
        assert_eq!(parse_int("  42px"), 42.0);
        assert_eq!(parse_int("\u{feff}-7"), -7.0);
        assert_eq!(parse_int("1e+21"), 1.0);
        assert!(parse_int("abc").is_nan());
        assert!(parse_int("-").is_nan());
        assert_eq!(parse_int(&format!("1{}", "0".repeat(400))), f64::INFINITY);
    }

    #[test]
    fn numbers_print_like_javascript() {
        assert_eq!(number_to_string(1764000300.0), "1764000300");
        assert_eq!(number_to_string(1e21), "1e+21");
        assert_eq!(number_to_string(f64::INFINITY), "Infinity");
        assert_eq!(number_to_string(-0.0), "0");
    }
}
