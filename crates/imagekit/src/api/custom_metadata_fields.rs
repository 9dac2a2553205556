//! Custom metadata fields: their definitions, listed, created, updated and deleted.

use super::{
    check, field, Field, FieldValue, Method, Operation, Payload, Query, Read, Segment, Step, Test,
    When,
};
use crate::messages;

/// One argument, a field id that must be a non-empty string.
const FIELD_ID: &[Step] = &[
    Step::Read(Read::arg(0)),
    check(0, Test::NonEmptyString, &messages::CMF_FIELD_ID_MISSING),
];

const FIELD: &[Segment] = &[
    Segment::Literal("customMetadataFields/"),
    Segment::Id(0, &messages::CMF_FIELD_ID_MISSING),
];

const fn if_truthy(name: &'static std::ffi::CStr, read: usize) -> Field {
    Field {
        name,
        from: FieldValue::Read(read),
        when: When::Truthy,
    }
}

pub const OPERATIONS: &[Operation] = &[
    Operation::table(
        "createCustomMetadataField",
        1,
        Method::Post,
        &[
            Step::Read(Read::field(0, c"name")),
            Step::Read(Read::field(0, c"label")),
            Step::Read(Read::field(0, c"schema")),
            check(0, Test::HasLength, &messages::CMF_NAME_MISSING),
            check(1, Test::HasLength, &messages::CMF_LABEL_MISSING),
            check(2, Test::Truthy, &messages::CMF_SCHEMA_MISSING),
            check(2, Test::HasTruthy(c"type"), &messages::CMF_SCHEMA_INVALID),
        ],
        &[Segment::Literal("customMetadataFields")],
        Query::None,
        Payload::Json(&[field(c"name", 0), field(c"label", 1), field(c"schema", 2)]),
    ),
    Operation::table(
        "getCustomMetadataFields",
        1,
        Method::Get,
        &[Step::Read(
            Read::field_or_empty(0, c"includeDeleted").or_false(),
        )],
        &[Segment::Literal("customMetadataFields")],
        Query::Fields(&[field(c"includeDeleted", 0)]),
        Payload::None,
    ),
    Operation::table(
        "updateCustomMetadataField",
        2,
        Method::Patch,
        &[
            Step::Read(Read::arg(0)),
            check(0, Test::NonEmptyString, &messages::CMF_FIELD_ID_MISSING),
            Step::Read(Read::field(1, c"label")),
            Step::Read(Read::field(1, c"schema")),
            check(
                1,
                Test::EitherTruthy(2),
                &messages::CMF_LABEL_SCHEMA_MISSING,
            ),
        ],
        FIELD,
        Query::None,
        Payload::Json(&[if_truthy(c"label", 1), if_truthy(c"schema", 2)]),
    )
    .idempotent(),
    Operation::by_id("deleteCustomMetadataField", Method::Delete, FIELD_ID, FIELD),
];

#[cfg(test)]
mod tests {
    use super::super::values::{Sent, Values, V};
    use super::super::{Invalid, Thrown};
    use crate::http::Method;
    use crate::messages;

    fn schema() -> V {
        V::object([("type", V::str("Number"))])
    }

    #[test]
    fn fields_are_created_listed_updated_and_deleted() {
        let model = Values::default();
        let create = V::object([
            ("name", V::str("price")),
            ("label", V::str("Price")),
            ("schema", schema()),
        ]);
        assert_eq!(
            model.call("createCustomMetadataField", [create]).unwrap(),
            Sent::new(
                Method::Post,
                "http://api.test/v1/customMetadataFields",
                Some(r#"{"name":"price","label":"Price","schema":{"type":"Number"}}"#)
            )
        );
        assert_eq!(
            model
                .call("getCustomMetadataFields", [V::Undefined])
                .unwrap()
                .url,
            "http://api.test/v1/customMetadataFields?includeDeleted=false"
        );
        assert_eq!(
            model
                .call(
                    "getCustomMetadataFields",
                    [V::object([("includeDeleted", V::Bool(true))])]
                )
                .unwrap()
                .url,
            "http://api.test/v1/customMetadataFields?includeDeleted=true"
        );
        assert_eq!(
            model
                .call(
                    "updateCustomMetadataField",
                    [V::str("f1"), V::object([("label", V::str("New"))])]
                )
                .unwrap(),
            Sent::new(
                Method::Patch,
                "http://api.test/v1/customMetadataFields/f1",
                Some(r#"{"label":"New"}"#)
            )
        );
        assert_eq!(
            model
                .call("deleteCustomMetadataField", [V::str("f1")])
                .unwrap(),
            Sent::new(
                Method::Delete,
                "http://api.test/v1/customMetadataFields/f1",
                None
            )
        );
    }

    #[test]
    fn field_checks_in_v6s_order() {
        let model = Values::default();
        assert_eq!(
            model.call(
                "createCustomMetadataField",
                [V::object([("name", V::str("n"))])]
            ),
            Err(Invalid::Argument(&messages::CMF_LABEL_MISSING))
        );
        let no_type = V::object([
            ("name", V::str("n")),
            ("label", V::str("l")),
            ("schema", V::object([])),
        ]);
        assert_eq!(
            model.call("createCustomMetadataField", [no_type]),
            Err(Invalid::Argument(&messages::CMF_SCHEMA_INVALID))
        );
        assert_eq!(
            model.call("updateCustomMetadataField", [V::Number(1.0), V::object([])]),
            Err(Invalid::Argument(&messages::CMF_FIELD_ID_MISSING))
        );
        assert_eq!(
            model.call("updateCustomMetadataField", [V::str("f1"), V::object([])]),
            Err(Invalid::Argument(&messages::CMF_LABEL_SCHEMA_MISSING))
        );
        assert_eq!(
            model.call("updateCustomMetadataField", [V::str("f1"), V::Undefined]),
            Err(Invalid::Thrown(Thrown::type_error(
                "Cannot read properties of undefined (reading 'label')"
            )))
        );
    }
}
