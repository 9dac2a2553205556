//! Millisecond UTC timestamps and the ISO 8601 forms ImageKit prints and the
//! search language accepts. Hand-rolled (a few lines of civil-calendar math)
//! instead of pulling a date crate into a server that only needs UTC.

use std::time::{SystemTime, UNIX_EPOCH};

pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `2024-05-01T10:20:30.123Z`, the form every ImageKit date field uses.
pub fn to_iso(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        y,
        m,
        d,
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000
    )
}

/// The UTC calendar date of a timestamp: `2024-05-01`.
pub fn utc_date(ms: i64) -> String {
    let (y, m, d) = civil_from_days(ms.div_euclid(86_400_000));
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since the epoch of a strict `YYYY-MM-DD` date that exists (no
/// February 30th); `None` for anything else.
pub fn parse_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shaped {
        return None;
    }
    let ms = parse_iso(s)?;
    (utc_date(ms) == s).then(|| ms.div_euclid(86_400_000))
}

/// The date `days` days after the epoch: `YYYY-MM-DD`.
pub fn date_from_days(days: i64) -> String {
    utc_date(days.saturating_mul(86_400_000))
}

fn digits(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parses `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.fff]]` with an optional `Z` or
/// `±HH:MM` offset; no offset means UTC, as ImageKit documents.
pub fn parse_iso(s: &str) -> Option<i64> {
    let s = s.trim();
    let (date, time) = match s.find(['T', ' ']) {
        Some(i) => (s.get(..i)?, Some(s.get(i + 1..)?)),
        None => (s, None),
    };
    let mut parts = date.split('-');
    let y = digits(parts.next()?)?;
    let m = digits(parts.next()?)?;
    let d = digits(parts.next()?)?;
    if parts.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let mut ms = days_from_civil(y, m, d) * 86_400_000;
    if let Some(time) = time {
        let (clock, offset_ms) = split_offset(time)?;
        let mut fields = clock.split(':');
        let h = digits(fields.next()?)?;
        let min = digits(fields.next()?)?;
        let (sec, frac) = match fields.next() {
            Some(sec) => match sec.split_once('.') {
                Some((whole, frac)) => (digits(whole)?, frac),
                None => (digits(sec)?, ""),
            },
            None => (0, ""),
        };
        if fields.next().is_some() || h > 23 || min > 59 || sec > 60 {
            return None;
        }
        let frac_ms = if frac.is_empty() {
            0
        } else {
            let padded: String = frac.chars().chain("000".chars()).take(3).collect();
            digits(&padded)?
        };
        ms += h * 3_600_000 + min * 60_000 + sec * 1000 + frac_ms - offset_ms;
    }
    Some(ms)
}

fn split_offset(time: &str) -> Option<(&str, i64)> {
    if let Some(clock) = time.strip_suffix('Z') {
        return Some((clock, 0));
    }
    if let Some(i) = time.rfind(['+', '-']) {
        let (clock, offset) = time.split_at(i);
        let sign = if offset.starts_with('-') { -1 } else { 1 };
        let (h, m) = offset.get(1..)?.split_once(':')?;
        return Some((clock, sign * (digits(h)? * 3_600_000 + digits(m)? * 60_000)));
    }
    Some((time, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let ms = parse_iso("2024-02-29T13:14:15.678Z").unwrap();
        assert_eq!(to_iso(ms), "2024-02-29T13:14:15.678Z");
        assert_eq!(parse_iso("1970-01-01"), Some(0));
        assert_eq!(
            parse_iso("2020-01-01T00:00:00+01:00"),
            Some(parse_iso("2019-12-31T23:00:00Z").unwrap())
        );
        assert_eq!(parse_iso("2020-13-01"), None);
        assert_eq!(parse_iso("yesterday"), None);
        assert_eq!(
            utc_date(parse_iso("2024-02-29T23:59:59.999Z").unwrap()),
            "2024-02-29"
        );
        assert_eq!(parse_date("2024-02-29"), Some(19_782));
        assert_eq!(date_from_days(19_782), "2024-02-29");
        for bad in [
            "2023-02-29",
            "2024-2-29",
            "2024-02-29T00:00",
            "x",
            "",
            "2024-13-01",
            "+024-01-01",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }
}
