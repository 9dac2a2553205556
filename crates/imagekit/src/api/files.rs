//! Files: listing and search, details, updates, deletion, copy, move and rename.

use super::{
    check, field, transfer, Field, FieldValue, Operation, Payload, Query, Read, Segment, Step,
    Test, When,
};
use crate::http::Method;
use crate::messages;

/// One argument, a file id that must be truthy.
pub(super) const FILE_ID: &[Step] = &[
    Step::Read(Read::arg(0)),
    check(0, Test::Truthy, &messages::FILE_ID_MISSING),
];

const DETAILS: &[Segment] = &[
    Segment::Literal("files/"),
    Segment::Id(0, &messages::FILE_ID_MISSING),
    Segment::Literal("/details"),
];

/// `updateData[name]`, read once the arguments have passed.
const fn update(name: &'static std::ffi::CStr, when: When) -> Field {
    Field {
        name,
        from: FieldValue::FieldOf(1, name),
        when,
    }
}

pub const OPERATIONS: &[Operation] = &[
    Operation::table(
        "listFiles",
        1,
        Method::Get,
        &[
            Step::Read(Read::arg(0)),
            check(0, Test::FalsyOrObject, &messages::INVALID_LIST_OPTIONS),
        ],
        &[Segment::Literal("files/")],
        Query::ListOptions(0),
        Payload::None,
    ),
    Operation::by_id("getFileDetails", Method::Get, FILE_ID, DETAILS),
    Operation::table(
        "updateFileDetails",
        2,
        Method::Patch,
        &[
            Step::Read(Read::arg(0)),
            Step::Read(Read::arg(1)),
            check(0, Test::Truthy, &messages::FILE_ID_MISSING),
            check(1, Test::Object, &messages::UPDATE_DATA_MISSING),
        ],
        DETAILS,
        Query::None,
        Payload::Json(&[
            update(c"tags", When::Always),
            update(c"customCoordinates", When::Always),
            update(c"extensions", When::Always),
            update(c"webhookUrl", When::Always),
            update(c"customMetadata", When::Always),
            update(c"publish", When::Truthy),
        ]),
    )
    .idempotent(),
    Operation::by_id(
        "deleteFile",
        Method::Delete,
        FILE_ID,
        &[
            Segment::Literal("files/"),
            Segment::Id(0, &messages::FILE_ID_MISSING),
        ],
    ),
    transfer!(
        "copyFile",
        "files/copy",
        c"sourceFilePath",
        &messages::INVALID_SOURCE_FILE_PATH,
        copy
    ),
    transfer!(
        "moveFile",
        "files/move",
        c"sourceFilePath",
        &messages::INVALID_SOURCE_FILE_PATH,
        move
    ),
    Operation::table(
        "renameFile",
        1,
        Method::Put,
        &[
            Step::Read(Read::field(0, c"filePath")),
            Step::Read(Read::field(0, c"newFileName")),
            Step::Read(Read::field(0, c"purgeCache").or_false()),
            check(0, Test::NonEmptyString, &messages::INVALID_FILE_PATH),
            check(1, Test::NonEmptyString, &messages::INVALID_NEW_FILE_NAME),
            check(2, Test::Boolean, &messages::INVALID_PURGE_CACHE),
        ],
        &[Segment::Literal("files/rename")],
        Query::None,
        Payload::Json(&[
            field(c"filePath", 0),
            field(c"newFileName", 1),
            field(c"purgeCache", 2),
        ]),
    ),
];

#[cfg(test)]
mod tests {
    use super::super::values::{Sent, Values, V};
    use super::super::{Invalid, Thrown};
    use crate::http::Method;
    use crate::messages;

    #[test]
    fn list_files_sends_options_as_the_query() {
        let model = Values::default();
        let sent = model
            .call(
                "listFiles",
                [V::object([
                    ("tags", V::array([V::str("a"), V::str("b")])),
                    ("limit", V::Number(5.0)),
                ])],
            )
            .unwrap();
        assert_eq!(
            sent,
            Sent::new(
                Method::Get,
                "http://api.test/v1/files/?tags=a,b&limit=5",
                None
            )
        );
        assert_eq!(
            model.call("listFiles", [V::Undefined]).unwrap().url,
            "http://api.test/v1/files/"
        );
        assert_eq!(
            model.call("listFiles", [V::str("x")]),
            Err(Invalid::Argument(&messages::INVALID_LIST_OPTIONS))
        );
    }

    #[test]
    fn file_ids_are_one_encoded_segment() {
        let model = Values::default();
        assert_eq!(
            model.call("getFileDetails", [V::str("a/b?c")]).unwrap(),
            Sent::new(
                Method::Get,
                "http://api.test/v1/files/a%2Fb%3Fc/details",
                None
            )
        );
        assert_eq!(
            model.call("deleteFile", [V::str("f1")]).unwrap(),
            Sent::new(Method::Delete, "http://api.test/v1/files/f1", None)
        );
        assert_eq!(
            model.call("deleteFile", [V::str("..")]),
            Err(Invalid::Argument(&messages::FILE_ID_MISSING))
        );
        assert_eq!(
            model.call("getFileDetails", [V::str("")]),
            Err(Invalid::Argument(&messages::FILE_ID_MISSING))
        );
    }

    #[test]
    fn update_file_details_sends_the_update_fields_and_publish_only_when_truthy() {
        let model = Values::default();
        let data = V::object([
            ("tags", V::array([V::str("t")])),
            ("publish", V::Bool(false)),
            ("other", V::Number(1.0)),
        ]);
        assert_eq!(
            model
                .call("updateFileDetails", [V::str("f1"), data])
                .unwrap(),
            Sent::new(
                Method::Patch,
                "http://api.test/v1/files/f1/details",
                Some(r#"{"tags":["t"]}"#)
            )
        );
        assert_eq!(
            model.call("updateFileDetails", [V::str("f1"), V::str("x")]),
            Err(Invalid::Argument(&messages::UPDATE_DATA_MISSING))
        );
        assert_eq!(
            model.call("updateFileDetails", [V::Undefined, V::Undefined]),
            Err(Invalid::Argument(&messages::FILE_ID_MISSING))
        );
    }

    #[test]
    fn copy_and_move_check_in_v6s_order() {
        let model = Values::default();
        let options = V::object([
            ("sourceFilePath", V::str("/a.jpg")),
            ("destinationPath", V::str("/d")),
        ]);
        assert_eq!(
            model.call("copyFile", [options.clone()]).unwrap(),
            Sent::new(
                Method::Post,
                "http://api.test/v1/files/copy",
                Some(
                    r#"{"sourceFilePath":"/a.jpg","destinationPath":"/d","includeFileVersions":false}"#
                )
            )
        );
        assert_eq!(
            model.call("moveFile", [options]).unwrap(),
            Sent::new(
                Method::Post,
                "http://api.test/v1/files/move",
                Some(r#"{"sourceFilePath":"/a.jpg","destinationPath":"/d"}"#)
            )
        );
        let bad_versions = V::object([
            ("sourceFilePath", V::str("/a.jpg")),
            ("destinationPath", V::str("/d")),
            ("includeFileVersions", V::str("yes")),
        ]);
        assert_eq!(
            model.call("copyFile", [bad_versions.clone()]),
            Err(Invalid::Argument(&messages::INVALID_INCLUDE_VERSION))
        );
        // moveFile has no includeFileVersions to check.
        assert!(model.call("moveFile", [bad_versions]).is_ok());
        assert_eq!(
            model.call("moveFile", [V::object([("destinationPath", V::str("/d"))])]),
            Err(Invalid::Argument(&messages::INVALID_SOURCE_FILE_PATH))
        );
        assert_eq!(
            model.call("moveFile", [V::Null]),
            Err(Invalid::Thrown(Thrown::type_error(
                "Cannot read properties of null (reading 'sourceFilePath')"
            )))
        );
    }

    #[test]
    fn rename_file_defaults_purge_cache_to_false() {
        let model = Values::default();
        let options = V::object([
            ("filePath", V::str("/a.jpg")),
            ("newFileName", V::str("b.jpg")),
        ]);
        assert_eq!(
            model.call("renameFile", [options]).unwrap(),
            Sent::new(
                Method::Put,
                "http://api.test/v1/files/rename",
                Some(r#"{"filePath":"/a.jpg","newFileName":"b.jpg","purgeCache":false}"#)
            )
        );
        let options = V::object([
            ("filePath", V::str("/a.jpg")),
            ("newFileName", V::str("b.jpg")),
            ("purgeCache", V::Number(1.0)),
        ]);
        assert_eq!(
            model.call("renameFile", [options]),
            Err(Invalid::Argument(&messages::INVALID_PURGE_CACHE))
        );
    }
}
