//! Bulk operations on files: deletion by ids, adding and removing tags and AI tags.

use super::{check, field, Field, Method, Operation, Payload, Query, Read, Segment, Step, Test};
use crate::messages;

/// `(fileIds, tags)`: two non-empty arrays of strings.
const IDS_AND_TAGS: &[Step] = &[
    Step::Read(Read::arg(0)),
    Step::Read(Read::arg(1)),
    check(0, Test::StringArray, &messages::INVALID_FILEIDS_VALUE),
    check(1, Test::StringArray, &messages::BULK_ADD_TAGS_INVALID),
];
const TAGS: &[Field] = &[field(c"fileIds", 0), field(c"tags", 1)];
const AI_TAGS: &[Field] = &[field(c"fileIds", 0), field(c"AITags", 1)];

const fn tags(name: &'static str, route: &'static [Segment], body: &'static [Field]) -> Operation {
    Operation::table(
        name,
        2,
        Method::Post,
        IDS_AND_TAGS,
        route,
        Query::None,
        Payload::Json(body),
    )
    .idempotent()
}

pub const OPERATIONS: &[Operation] = &[
    Operation::table(
        "bulkDeleteFiles",
        1,
        Method::Post,
        &[
            Step::Read(Read::arg(0)),
            check(0, Test::StringArray, &messages::INVALID_FILEIDS_VALUE),
        ],
        &[Segment::Literal("files/batch/deleteByFileIds")],
        Query::None,
        Payload::Json(&[field(c"fileIds", 0)]),
    ),
    tags("bulkAddTags", &[Segment::Literal("files/addTags")], TAGS),
    tags(
        "bulkRemoveTags",
        &[Segment::Literal("files/removeTags")],
        TAGS,
    ),
    tags(
        "bulkRemoveAITags",
        &[Segment::Literal("files/removeAITags")],
        AI_TAGS,
    ),
];

#[cfg(test)]
mod tests {
    use super::super::values::{Sent, Values, V};
    use super::super::Invalid;
    use crate::http::Method;
    use crate::messages;

    #[test]
    fn tags_go_to_their_route_under_their_name() {
        let model = Values::default();
        let ids = V::array([V::str("a"), V::str("b")]);
        let tags = V::array([V::str("t")]);
        assert_eq!(
            model
                .call("bulkAddTags", [ids.clone(), tags.clone()])
                .unwrap(),
            Sent::new(
                Method::Post,
                "http://api.test/v1/files/addTags",
                Some(r#"{"fileIds":["a","b"],"tags":["t"]}"#)
            )
        );
        assert_eq!(
            model
                .call("bulkRemoveTags", [ids.clone(), tags.clone()])
                .unwrap()
                .url,
            "http://api.test/v1/files/removeTags"
        );
        assert_eq!(
            model.call("bulkRemoveAITags", [ids.clone(), tags]).unwrap(),
            Sent::new(
                Method::Post,
                "http://api.test/v1/files/removeAITags",
                Some(r#"{"fileIds":["a","b"],"AITags":["t"]}"#)
            )
        );
        assert_eq!(
            model.call("bulkDeleteFiles", [ids]).unwrap(),
            Sent::new(
                Method::Post,
                "http://api.test/v1/files/batch/deleteByFileIds",
                Some(r#"{"fileIds":["a","b"]}"#)
            )
        );
    }

    #[test]
    fn ids_and_tags_must_be_non_empty_string_arrays() {
        let model = Values::default();
        assert_eq!(
            model.call("bulkAddTags", [V::array([]), V::array([V::str("t")])]),
            Err(Invalid::Argument(&messages::INVALID_FILEIDS_VALUE))
        );
        assert_eq!(
            model.call(
                "bulkAddTags",
                [V::array([V::str("a")]), V::array([V::Number(1.0)])]
            ),
            Err(Invalid::Argument(&messages::BULK_ADD_TAGS_INVALID))
        );
        assert_eq!(
            model.call("bulkDeleteFiles", [V::str("a")]),
            Err(Invalid::Argument(&messages::INVALID_FILEIDS_VALUE))
        );
    }
}
