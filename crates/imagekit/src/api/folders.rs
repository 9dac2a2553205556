//! Folders and the bulk jobs that copy, move and rename them.

use super::{check, field, transfer, Operation, Payload, Query, Read, Segment, Step, Test};
use crate::http::Method;
use crate::messages;

pub const OPERATIONS: &[Operation] = &[
    Operation::table(
        "createFolder",
        1,
        Method::Post,
        &[
            Step::Read(Read::field(0, c"folderName")),
            Step::Read(Read::field(0, c"parentFolderPath")),
            check(0, Test::NonEmptyString, &messages::INVALID_FOLDER_NAME),
            check(
                1,
                Test::NonEmptyString,
                &messages::INVALID_PARENT_FOLDER_PATH,
            ),
        ],
        &[Segment::Literal("folder")],
        Query::None,
        Payload::Json(&[field(c"folderName", 0), field(c"parentFolderPath", 1)]),
    ),
    Operation::table(
        "deleteFolder",
        1,
        Method::Delete,
        &[
            Step::Read(Read::arg(0)),
            check(0, Test::NonEmptyString, &messages::INVALID_FOLDER_PATH),
        ],
        &[Segment::Literal("folder")],
        Query::None,
        Payload::Json(&[field(c"folderPath", 0)]),
    ),
    transfer!(
        "copyFolder",
        "bulkJobs/copyFolder",
        c"sourceFolderPath",
        &messages::INVALID_SOURCE_FOLDER_PATH,
        copy
    ),
    transfer!(
        "moveFolder",
        "bulkJobs/moveFolder",
        c"sourceFolderPath",
        &messages::INVALID_SOURCE_FOLDER_PATH,
        move
    ),
    // Not in v6: its options are read as `(options || {})`, and sent as written.
    Operation::table(
        "renameFolder",
        1,
        Method::Post,
        &[
            Step::Read(Read::arg(0)),
            Step::Read(Read::field_or_empty(0, c"folderPath")),
            Step::Read(Read::field_or_empty(0, c"newFolderName")),
            Step::Read(Read::field_or_empty(0, c"purgeCache")),
            check(1, Test::NonEmptyString, &messages::INVALID_FOLDER_PATH),
            check(2, Test::NonEmptyString, &messages::INVALID_NEW_FOLDER_NAME),
            check(3, Test::OptionalBoolean, &messages::INVALID_PURGE_CACHE),
        ],
        &[Segment::Literal("bulkJobs/renameFolder")],
        Query::None,
        Payload::Whole(0),
    ),
    Operation::by_id(
        "getBulkJobStatus",
        Method::Get,
        &[
            Step::Read(Read::arg(0)),
            check(0, Test::Truthy, &messages::JOB_ID_MISSING),
        ],
        &[
            Segment::Literal("bulkJobs/"),
            Segment::Id(0, &messages::JOB_ID_MISSING),
        ],
    ),
];

#[cfg(test)]
mod tests {
    use super::super::values::{Sent, Values, V};
    use super::super::Invalid;
    use crate::http::Method;
    use crate::messages;

    #[test]
    fn folders_and_jobs() {
        let model = Values::default();
        let create = V::object([
            ("folderName", V::str("new")),
            ("parentFolderPath", V::str("/")),
        ]);
        assert_eq!(
            model.call("createFolder", [create]).unwrap(),
            Sent::new(
                Method::Post,
                "http://api.test/v1/folder",
                Some(r#"{"folderName":"new","parentFolderPath":"/"}"#)
            )
        );
        assert_eq!(
            model.call("deleteFolder", [V::str("/old")]).unwrap(),
            Sent::new(
                Method::Delete,
                "http://api.test/v1/folder",
                Some(r#"{"folderPath":"/old"}"#)
            )
        );
        let job = V::object([
            ("sourceFolderPath", V::str("/a")),
            ("destinationPath", V::str("/b")),
        ]);
        assert_eq!(
            model.call("copyFolder", [job.clone()]).unwrap(),
            Sent::new(
                Method::Post,
                "http://api.test/v1/bulkJobs/copyFolder",
                Some(
                    r#"{"sourceFolderPath":"/a","destinationPath":"/b","includeFileVersions":false}"#
                )
            )
        );
        assert_eq!(
            model.call("moveFolder", [job]).unwrap(),
            Sent::new(
                Method::Post,
                "http://api.test/v1/bulkJobs/moveFolder",
                Some(r#"{"sourceFolderPath":"/a","destinationPath":"/b"}"#)
            )
        );
        assert_eq!(
            model.call("getBulkJobStatus", [V::str("j1")]).unwrap(),
            Sent::new(Method::Get, "http://api.test/v1/bulkJobs/j1", None)
        );
    }

    #[test]
    fn rename_folder_job() {
        let model = Values::default();
        let rename = V::object([
            ("folderPath", V::str("/a/b")),
            ("newFolderName", V::str("c")),
            ("purgeCache", V::Bool(true)),
        ]);
        assert_eq!(
            model.call("renameFolder", [rename]).unwrap(),
            Sent::new(
                Method::Post,
                "http://api.test/v1/bulkJobs/renameFolder",
                Some(r#"{"folderPath":"/a/b","newFolderName":"c","purgeCache":true}"#)
            )
        );
        assert_eq!(
            model.call("renameFolder", [V::Undefined]),
            Err(Invalid::Argument(&messages::INVALID_FOLDER_PATH))
        );
        assert_eq!(
            model.call("renameFolder", [V::object([("folderPath", V::str("/a"))])]),
            Err(Invalid::Argument(&messages::INVALID_NEW_FOLDER_NAME))
        );
        let bad_purge = V::object([
            ("folderPath", V::str("/a")),
            ("newFolderName", V::str("b")),
            ("purgeCache", V::str("yes")),
        ]);
        assert_eq!(
            model.call("renameFolder", [bad_purge]),
            Err(Invalid::Argument(&messages::INVALID_PURGE_CACHE))
        );
    }

    #[test]
    fn folder_checks() {
        let model = Values::default();
        assert_eq!(
            model.call("createFolder", [V::object([("folderName", V::str("n"))])]),
            Err(Invalid::Argument(&messages::INVALID_PARENT_FOLDER_PATH))
        );
        assert_eq!(
            model.call("deleteFolder", [V::Number(1.0)]),
            Err(Invalid::Argument(&messages::INVALID_FOLDER_PATH))
        );
        assert_eq!(
            model.call(
                "moveFolder",
                [V::object([("sourceFolderPath", V::str("/a"))])]
            ),
            Err(Invalid::Argument(
                &messages::INVALID_DESTINATION_FOLDER_PATH
            ))
        );
        assert_eq!(
            model.call("getBulkJobStatus", [V::Number(0.0)]),
            Err(Invalid::Argument(&messages::JOB_ID_MISSING))
        );
    }
}
