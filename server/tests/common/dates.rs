//! Dates and times for the tests: the clock in seconds, the civil calendar,
//! and today's and tomorrow's UTC dates as the server prints them.

use std::time::{SystemTime, UNIX_EPOCH};

use imagekit_local_server::timestamp::{now_ms, utc_date};

/// Seconds since the Unix epoch.
pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// (year, month, day) of a count of days since 1970-01-01, computed here
/// rather than by the server's own code.
pub fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Today's UTC date: `2024-05-01`.
pub fn today() -> String {
    utc_date(now_ms())
}

/// Tomorrow's UTC date.
pub fn tomorrow() -> String {
    utc_date(now_ms() + 86_400_000)
}
