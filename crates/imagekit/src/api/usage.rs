//! The account's usage: billed totals over a range of days (`getUsage`, end date
//! excluded) and the CDN's traffic analytics (`getUsageAnalytics`, both dates included).

use super::{check, field, Method, Operation, Payload, Query, Read, Segment, Step, Test};
use crate::messages;

/// `{ startDate, endDate }`, each a `YYYY-MM-DD` string, checked in that order.
const RANGE: &[Step] = &[
    Step::Read(Read::field_or_empty(0, c"startDate")),
    Step::Read(Read::field_or_empty(0, c"endDate")),
    check(0, Test::CalendarDate, &messages::INVALID_USAGE_START_DATE),
    check(1, Test::CalendarDate, &messages::INVALID_USAGE_END_DATE),
];

const DATES: Query = Query::Fields(&[field(c"startDate", 0), field(c"endDate", 1)]);

pub const OPERATIONS: &[Operation] = &[
    Operation::table(
        "getUsage",
        1,
        Method::Get,
        RANGE,
        &[Segment::Literal("accounts/usage")],
        DATES,
        Payload::None,
    ),
    Operation::table(
        "getUsageAnalytics",
        1,
        Method::Get,
        RANGE,
        &[Segment::Literal("accounts/usage-analytics")],
        DATES,
        Payload::None,
    ),
];

#[cfg(test)]
mod tests {
    use super::super::values::{Sent, Values, V};
    use super::super::Invalid;
    use crate::http::Method;
    use crate::messages;

    fn range(start: &str, end: &str) -> V {
        V::object([("startDate", V::str(start)), ("endDate", V::str(end))])
    }

    #[test]
    fn a_range_of_days_in_the_query() {
        let model = Values::default();
        assert_eq!(
            model
                .call("getUsage", [range("2026-11-01", "2026-12-01")])
                .unwrap(),
            Sent::new(
                Method::Get,
                "http://api.test/v1/accounts/usage?startDate=2026-11-01&endDate=2026-12-01",
                None
            )
        );
        assert_eq!(
            model
                .call("getUsageAnalytics", [range("2026-11-01", "2026-11-30")])
                .unwrap()
                .url,
            "http://api.test/v1/accounts/usage-analytics?startDate=2026-11-01&endDate=2026-11-30"
        );
    }

    #[test]
    fn dates_are_checked_in_order() {
        let model = Values::default();
        assert_eq!(
            model.call("getUsage", [V::Undefined]),
            Err(Invalid::Argument(&messages::INVALID_USAGE_START_DATE))
        );
        for bad in [
            "2026-11-1",
            "2026/11/01",
            "2026-13-01",
            "2026-11-00",
            "yesterday",
        ] {
            assert_eq!(
                model.call("getUsage", [range("2026-11-01", bad)]),
                Err(Invalid::Argument(&messages::INVALID_USAGE_END_DATE)),
                "{bad}"
            );
        }
        assert_eq!(
            model.call(
                "getUsageAnalytics",
                [V::object([("startDate", V::Number(20261101.0))])]
            ),
            Err(Invalid::Argument(&messages::INVALID_USAGE_START_DATE))
        );
    }
}
