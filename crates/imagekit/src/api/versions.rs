//! File versions: the list, one version's details, deletion and restore.

use super::files::FILE_ID;
use super::{check, Method, Operation, Read, Segment, Step, Test};
use crate::messages;

/// `(options || {}).fileId` and `.versionId`, each required.
const FILE_AND_VERSION: &[Step] = &[
    Step::Read(Read::field_or_empty(0, c"fileId")),
    Step::Read(Read::field_or_empty(0, c"versionId")),
    check(0, Test::Truthy, &messages::FILE_ID_MISSING),
    check(1, Test::Truthy, &messages::FILE_VERSION_ID_MISSING),
];

const VERSION: &[Segment] = &[
    Segment::Literal("files/"),
    Segment::Id(0, &messages::FILE_ID_MISSING),
    Segment::Literal("/versions/"),
    Segment::Id(1, &messages::FILE_VERSION_ID_MISSING),
];

pub const OPERATIONS: &[Operation] = &[
    Operation::by_id(
        "getFileVersions",
        Method::Get,
        FILE_ID,
        &[
            Segment::Literal("files/"),
            Segment::Id(0, &messages::FILE_ID_MISSING),
            Segment::Literal("/versions"),
        ],
    ),
    Operation::by_id(
        "getFileVersionDetails",
        Method::Get,
        FILE_AND_VERSION,
        VERSION,
    ),
    Operation::by_id(
        "deleteFileVersion",
        Method::Delete,
        FILE_AND_VERSION,
        VERSION,
    ),
    Operation::by_id(
        "restoreFileVersion",
        Method::Put,
        FILE_AND_VERSION,
        &[
            Segment::Literal("files/"),
            Segment::Id(0, &messages::FILE_ID_MISSING),
            Segment::Literal("/versions/"),
            Segment::Id(1, &messages::FILE_VERSION_ID_MISSING),
            Segment::Literal("/restore"),
        ],
    ),
];

#[cfg(test)]
mod tests {
    use super::super::values::{Sent, Values, V};
    use super::super::Invalid;
    use crate::http::Method;
    use crate::messages;

    fn ids(file: &str, version: &str) -> V {
        V::object([("fileId", V::str(file)), ("versionId", V::str(version))])
    }

    #[test]
    fn versions_routes() {
        let model = Values::default();
        assert_eq!(
            model.call("getFileVersions", [V::str("f")]).unwrap(),
            Sent::new(Method::Get, "http://api.test/v1/files/f/versions", None)
        );
        assert_eq!(
            model
                .call("getFileVersionDetails", [ids("f", "v")])
                .unwrap(),
            Sent::new(Method::Get, "http://api.test/v1/files/f/versions/v", None)
        );
        assert_eq!(
            model.call("deleteFileVersion", [ids("f", "v#1")]).unwrap(),
            Sent::new(
                Method::Delete,
                "http://api.test/v1/files/f/versions/v%231",
                None
            )
        );
        assert_eq!(
            model.call("restoreFileVersion", [ids("f", "v")]).unwrap(),
            Sent::new(
                Method::Put,
                "http://api.test/v1/files/f/versions/v/restore",
                None
            )
        );
    }

    #[test]
    fn a_missing_file_id_comes_before_a_missing_version_id() {
        let model = Values::default();
        assert_eq!(
            model.call("restoreFileVersion", [V::Undefined]),
            Err(Invalid::Argument(&messages::FILE_ID_MISSING))
        );
        assert_eq!(
            model.call("deleteFileVersion", [V::object([("fileId", V::str("f"))])]),
            Err(Invalid::Argument(&messages::FILE_VERSION_ID_MISSING))
        );
        assert_eq!(
            model.call("getFileVersionDetails", [ids("f", ".")]),
            Err(Invalid::Argument(&messages::FILE_VERSION_ID_MISSING))
        );
    }
}
