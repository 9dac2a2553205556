//! The CDN cache: purging a URL and the status of a purge.

use super::{check, field, Method, Operation, Payload, Query, Read, Segment, Step, Test};
use crate::messages;

pub const OPERATIONS: &[Operation] = &[
    Operation::table(
        "purgeCache",
        1,
        Method::Post,
        &[
            Step::Read(Read::arg(0)),
            check(0, Test::TruthyOrLength, &messages::CACHE_PURGE_URL_MISSING),
        ],
        &[Segment::Literal("files/purge")],
        Query::None,
        Payload::Json(&[field(c"url", 0)]),
    ),
    Operation::by_id(
        "getPurgeCacheStatus",
        Method::Get,
        &[
            Step::Read(Read::arg(0)),
            check(
                0,
                Test::TruthyOrLength,
                &messages::CACHE_PURGE_STATUS_ID_MISSING,
            ),
        ],
        &[
            Segment::Literal("files/purge/"),
            Segment::Id(0, &messages::CACHE_PURGE_STATUS_ID_MISSING),
        ],
    ),
];

#[cfg(test)]
mod tests {
    use super::super::values::{Sent, Values, V};
    use super::super::{Invalid, Thrown};
    use crate::http::Method;
    use crate::messages;

    #[test]
    fn purge_and_its_status() {
        let model = Values::default();
        assert_eq!(
            model
                .call("purgeCache", [V::str("https://ik.imagekit.io/demo/a.jpg")])
                .unwrap(),
            Sent::new(
                Method::Post,
                "http://api.test/v1/files/purge",
                Some(r#"{"url":"https://ik.imagekit.io/demo/a.jpg"}"#)
            )
        );
        assert_eq!(
            model.call("getPurgeCacheStatus", [V::str("r1")]).unwrap(),
            Sent::new(Method::Get, "http://api.test/v1/files/purge/r1", None)
        );
    }

    #[test]
    fn a_missing_url_reads_its_length_as_v6_does() {
        let model = Values::default();
        assert_eq!(
            model.call("purgeCache", [V::str("")]),
            Err(Invalid::Argument(&messages::CACHE_PURGE_URL_MISSING))
        );
        assert_eq!(
            model.call("getPurgeCacheStatus", [V::Undefined]),
            Err(Invalid::Thrown(Thrown::type_error(
                "Cannot read properties of undefined (reading 'length')"
            )))
        );
    }
}
