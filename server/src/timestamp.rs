//! Millisecond UTC timestamps and the ISO 8601 forms ImageKit prints and the
//! search language accepts.
//!
//! The calendar is the `time` crate's: which dates and clock times exist (no
//! February 30th, no 25th hour), days since the epoch, the date and time of
//! a timestamp. The forms read are matched here, as they are looser than
//! `time`'s well-known formats (`2024-5-1`, a space instead of the `T`, a
//! fraction of any length); the forms printed are written here, so they stay
//! `2024-05-01T10:20:30.123Z` for any year `time` holds (±999,999).

use std::time::{SystemTime, UNIX_EPOCH};

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

const MS_PER_DAY: i64 = 86_400_000;

/// The UTC date and time of a timestamp. One beyond the years `time` holds
/// (±999,999; a millisecond timestamp reaches ±292 million) is clamped to
/// its first or last millisecond.
fn utc(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).unwrap_or_else(|_| {
        if ms < 0 {
            Date::MIN.midnight().assume_utc()
        } else {
            PrimitiveDateTime::MAX.assume_utc()
        }
    })
}

/// Milliseconds since the epoch of a UTC date and time.
fn unix_ms(at: PrimitiveDateTime) -> i64 {
    let at = at.assume_utc();
    at.unix_timestamp() * 1000 + i64::from(at.millisecond())
}

/// `2024-05-01`: the year in at least 4 digits (`-001` before year 0).
fn ymd(date: Date) -> String {
    let (year, month, day) = date.to_calendar_date();
    format!("{year:04}-{:02}-{day:02}", u8::from(month))
}

/// `2024-05-01T10:20:30.123Z`, the form every ImageKit date field uses.
pub fn to_iso(ms: i64) -> String {
    let at = utc(ms);
    let (year, month, day) = at.to_calendar_date();
    format!(
        "{year:04}-{:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        u8::from(month),
        at.hour(),
        at.minute(),
        at.second(),
        at.millisecond()
    )
}

/// The UTC calendar date of a timestamp: `2024-05-01`.
pub fn utc_date(ms: i64) -> String {
    ymd(utc(ms).date())
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
    let date = calendar_date(s)?;
    Some((date - OffsetDateTime::UNIX_EPOCH.date()).whole_days())
}

/// The date `days` days after the epoch: `YYYY-MM-DD`.
pub fn date_from_days(days: i64) -> String {
    utc_date(days.saturating_mul(MS_PER_DAY))
}

fn digits(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// A number of 1 or more digits that fits a `u8` (a month, day, hour...).
fn small(s: &str) -> Option<u8> {
    u8::try_from(digits(s)?).ok()
}

/// `Y-M-D`, each part 1 or more digits, of a date that exists.
fn calendar_date(s: &str) -> Option<Date> {
    let mut parts = s.split('-');
    let year = i32::try_from(digits(parts.next()?)?).ok()?;
    let month = Month::try_from(small(parts.next()?)?).ok()?;
    let day = small(parts.next()?)?;
    if parts.next().is_some() {
        return None;
    }
    Date::from_calendar_date(year, month, day).ok()
}

/// Parses `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.fff]]` with an optional `Z` or
/// `±HH:MM` offset; no offset means UTC, as ImageKit documents. A space may
/// stand for the `T`; a fraction's digits past milliseconds are dropped.
/// The date and the time must exist: `2024-02-30`, `T24:00` and `T10:20:60`
/// are `None`.
pub fn parse_iso(s: &str) -> Option<i64> {
    let s = s.trim();
    let (date, time) = match s.find(['T', ' ']) {
        Some(i) => (s.get(..i)?, Some(s.get(i + 1..)?)),
        None => (s, None),
    };
    let date = calendar_date(date)?;
    let Some(time) = time else {
        return Some(unix_ms(date.midnight()));
    };
    let (clock, offset_ms) = split_offset(time)?;
    let mut fields = clock.split(':');
    let hour = small(fields.next()?)?;
    let minute = small(fields.next()?)?;
    let (second, fraction) = match fields.next() {
        Some(second) => match second.split_once('.') {
            Some((whole, fraction)) => (small(whole)?, fraction),
            None => (small(second)?, ""),
        },
        None => (0, ""),
    };
    if fields.next().is_some() {
        return None;
    }
    let time = Time::from_hms_milli(hour, minute, second, milliseconds(fraction)?).ok()?;
    Some(unix_ms(date.with_time(time)) - offset_ms)
}

/// The milliseconds of a fraction of a second's digits (none is 0).
fn milliseconds(fraction: &str) -> Option<u16> {
    if !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let padded: String = fraction.chars().chain("000".chars()).take(3).collect();
    padded.parse().ok()
}

/// The clock and the offset (in ms, east of UTC positive) of a time: `Z`,
/// `±HH:MM` (hours to 23, minutes to 59) or none (UTC).
fn split_offset(time: &str) -> Option<(&str, i64)> {
    if let Some(clock) = time.strip_suffix('Z') {
        return Some((clock, 0));
    }
    if let Some(i) = time.rfind(['+', '-']) {
        let (clock, offset) = time.split_at(i);
        let sign = if offset.starts_with('-') { -1 } else { 1 };
        let (h, m) = offset.get(1..)?.split_once(':')?;
        let (h, m) = (digits(h)?, digits(m)?);
        if h > 23 || m > 59 {
            return None;
        }
        return Some((clock, sign * (h * 3_600_000 + m * 60_000)));
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

    #[test]
    fn prints_the_same_forms() {
        for (ms, iso) in [
            (0, "1970-01-01T00:00:00.000Z"),
            (1_714_558_830_123, "2024-05-01T10:20:30.123Z"),
            (1_714_558_830_000, "2024-05-01T10:20:30.000Z"),
            (1_714_558_830_007, "2024-05-01T10:20:30.007Z"),
            (-1, "1969-12-31T23:59:59.999Z"),
            (-86_400_000, "1969-12-31T00:00:00.000Z"),
            (951_782_400_000, "2000-02-29T00:00:00.000Z"),
            (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
            (253_402_300_800_000, "10000-01-01T00:00:00.000Z"),
            (-62_167_219_200_000, "0000-01-01T00:00:00.000Z"),
            (-62_167_219_200_001, "-001-12-31T23:59:59.999Z"),
        ] {
            assert_eq!(to_iso(ms), iso, "{ms}");
            assert_eq!(utc_date(ms), iso[..iso.find('T').unwrap()], "{ms}");
            // Years before 0 print with a sign, which no form reads.
            let read = if iso.starts_with('-') { None } else { Some(ms) };
            assert_eq!(parse_iso(iso), read, "{iso}");
        }
        assert_eq!(date_from_days(0), "1970-01-01");
        assert_eq!(date_from_days(-1), "1969-12-31");
        assert_eq!(parse_date("1969-12-31"), Some(-1));
        assert_eq!(parse_date("0000-01-01"), Some(-719_528));
        assert_eq!(date_from_days(-719_528), "0000-01-01");
        assert_eq!(parse_date("9999-12-31"), Some(2_932_896));
        assert_eq!(date_from_days(2_932_896), "9999-12-31");
    }

    #[test]
    fn every_day_of_four_centuries_round_trips() {
        // 1900-01-01 to 2299-12-31: leap years by 4, 100 and 400.
        let mut day = parse_date("1900-01-01").unwrap();
        for year in 1900..2300 {
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
            let mut lengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
            lengths[1] += u8::from(leap);
            for (month, days) in lengths.into_iter().enumerate() {
                for d in 1..=days {
                    let date = format!("{year:04}-{:02}-{d:02}", month + 1);
                    assert_eq!(parse_date(&date), Some(day), "{date}");
                    assert_eq!(date_from_days(day), date);
                    assert_eq!(parse_iso(&date), Some(day * MS_PER_DAY), "{date}");
                    day += 1;
                }
                let past_end = format!("{year:04}-{:02}-{:02}", month + 1, days + 1);
                assert_eq!(parse_date(&past_end), None, "{past_end}");
                assert_eq!(parse_iso(&past_end), None, "{past_end}");
            }
        }
        assert_eq!(date_from_days(day), "2300-01-01");
    }

    #[test]
    fn leap_days() {
        assert_eq!(
            parse_iso("2024-02-29"),
            Some(parse_iso("2024-03-01").unwrap() - MS_PER_DAY)
        );
        assert!(parse_date("2000-02-29").is_some());
        for bad in ["2023-02-29", "2100-02-29", "2024-02-30", "2024-02-31"] {
            assert_eq!(parse_date(bad), None, "{bad}");
            assert_eq!(parse_iso(bad), None, "{bad}");
            assert_eq!(parse_iso(&format!("{bad}T12:00:00Z")), None, "{bad}");
        }
    }

    #[test]
    fn accepts_the_same_forms() {
        let at = 1_714_558_830_123;
        let minute = 1_714_558_800_000;
        for (form, ms) in [
            ("2024-05-01", 1_714_521_600_000),
            ("2024-5-1", 1_714_521_600_000),
            ("  2024-05-01  ", 1_714_521_600_000),
            ("2024-05-01T10:20", minute),
            ("2024-05-01 10:20", minute),
            ("2024-05-01T10:20Z", minute),
            ("2024-05-01T10:20:30", at - 123),
            ("2024-05-01T10:20:30.", at - 123),
            ("2024-05-01T10:20:30.1", at - 23),
            ("2024-05-01T10:20:30.123", at),
            ("2024-05-01T10:20:30.123999", at),
            ("2024-05-01T10:20:30.123Z", at),
            ("2024-05-01T12:20:30.123+02:00", at),
            ("2024-05-01T05:50:30.123-04:30", at),
            ("2024-05-01T10:20:30.123+00:00", at),
            ("2024-05-01T10:20:30.123-00:00", at),
            ("2024-05-02T00:20:30.123+14:00", at),
            ("2024-05-01T23:59:59.999Z", 1_714_607_999_999),
        ] {
            assert_eq!(parse_iso(form), Some(ms), "{form}");
        }
    }

    #[test]
    fn rejects_what_does_not_exist() {
        for bad in [
            "2024-00-01",
            "2024-13-01",
            "2024-04-31",
            "2024-02-31",
            "2024-01-00",
            "2024-01-32",
            "2024-01-01T24:00",
            "2024-01-01T25:00:00Z",
            "2024-01-01T10:60",
            "2024-01-01T10:20:60",
            "2024-01-01T23:59:60Z",
            "2024-01-01T10:20:30+24:00",
            "2024-01-01T10:20:30+01:60",
            "2024-01-01T10:20:30.12x",
            "2024-01-01T10:20:30.123xyz",
            "2024-01-01T",
            "2024-01-01T10",
            "2024-01-01T10:20:30:40",
            "2024-01-01T10:20:30+01",
            "2024-01-01Z",
            "-2024-01-01",
            "2024-01",
            "2024-01-01-01",
        ] {
            assert_eq!(parse_iso(bad), None, "{bad}");
        }
    }

    #[test]
    fn far_past_and_future() {
        // Years past 9999 read and print as before, up to `time`'s ±999,999.
        let far = parse_iso("275760-09-13T00:00:00Z").unwrap();
        assert_eq!(far, 8_640_000_000_000_000);
        assert_eq!(to_iso(far), "275760-09-13T00:00:00.000Z");
        assert_eq!(parse_date("99999-12-31"), None, "not YYYY-MM-DD");
        let last = parse_iso("999999-12-31T23:59:59.999Z").unwrap();
        assert_eq!(to_iso(last), "999999-12-31T23:59:59.999Z");
        // Beyond them (the old arithmetic overflowed there): not a date.
        for bad in [
            "1000000-01-01",
            "99999999999-01-01",
            "99999999999999999999-01-01",
        ] {
            assert_eq!(parse_iso(bad), None, "{bad}");
        }
        // Timestamps beyond them print as the first or last millisecond.
        assert_eq!(to_iso(last + 1), "999999-12-31T23:59:59.999Z");
        assert_eq!(to_iso(i64::MAX), "999999-12-31T23:59:59.999Z");
        assert_eq!(to_iso(i64::MIN), "-999999-01-01T00:00:00.000Z");
        assert_eq!(utc_date(i64::MAX), "999999-12-31");
        assert_eq!(date_from_days(i64::MAX), "999999-12-31");
        assert_eq!(date_from_days(i64::MIN), "-999999-01-01");
        // Now is a timestamp like any other.
        assert_eq!(parse_iso(&to_iso(now_ms())).map(|_| ()), Some(()));
    }
}
