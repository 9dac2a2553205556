//! Folders and the bulk jobs that copy and move them.

use super::{
    check, field, Build, Endpoint, Field, Payload, Query, Read, Segment, Step, Table, Test,
};
use crate::errors;
use crate::http::Method;

/// copyFolder and moveFolder: bulk jobs over `{ sourceFolderPath, destinationPath }`, and
/// for a copy `includeFileVersions` (default false).
const fn folder_job(name: &'static str, route: &'static [Segment], copy: bool) -> Endpoint {
    const COPY: &[Step] = &[
        Step::Read(Read::field(0, c"sourceFolderPath")),
        Step::Read(Read::field(0, c"destinationPath")),
        Step::Read(Read::field(0, c"includeFileVersions").or_false()),
        check(0, Test::NonEmptyString, &errors::INVALID_SOURCE_FOLDER_PATH),
        check(
            1,
            Test::NonEmptyString,
            &errors::INVALID_DESTINATION_FOLDER_PATH,
        ),
        check(2, Test::Boolean, &errors::INVALID_INCLUDE_VERSION),
    ];
    const MOVE: &[Step] = &[
        Step::Read(Read::field(0, c"sourceFolderPath")),
        Step::Read(Read::field(0, c"destinationPath")),
        check(0, Test::NonEmptyString, &errors::INVALID_SOURCE_FOLDER_PATH),
        check(
            1,
            Test::NonEmptyString,
            &errors::INVALID_DESTINATION_FOLDER_PATH,
        ),
    ];
    const BODY: &[Field] = &[
        field(c"sourceFolderPath", 0),
        field(c"destinationPath", 1),
        field(c"includeFileVersions", 2),
    ];
    Endpoint {
        name,
        arity: 1,
        build: Build::Table(Table {
            method: Method::Post,
            steps: if copy { COPY } else { MOVE },
            route,
            query: Query::None,
            body: Payload::Json(if copy { BODY } else { BODY.split_at(2).0 }),
        }),
    }
}

pub static ENDPOINTS: &[Endpoint] = &[
    Endpoint {
        name: "createFolder",
        arity: 1,
        build: Build::Table(Table {
            method: Method::Post,
            steps: &[
                Step::Read(Read::field(0, c"folderName")),
                Step::Read(Read::field(0, c"parentFolderPath")),
                check(0, Test::NonEmptyString, &errors::INVALID_FOLDER_NAME),
                check(1, Test::NonEmptyString, &errors::INVALID_PARENT_FOLDER_PATH),
            ],
            route: &[Segment::Literal("folder")],
            query: Query::None,
            body: Payload::Json(&[field(c"folderName", 0), field(c"parentFolderPath", 1)]),
        }),
    },
    Endpoint {
        name: "deleteFolder",
        arity: 1,
        build: Build::Table(Table {
            method: Method::Delete,
            steps: &[
                Step::Read(Read::arg(0)),
                check(0, Test::NonEmptyString, &errors::INVALID_FOLDER_PATH),
            ],
            route: &[Segment::Literal("folder")],
            query: Query::None,
            body: Payload::Json(&[field(c"folderPath", 0)]),
        }),
    },
    folder_job(
        "copyFolder",
        &[Segment::Literal("bulkJobs/copyFolder")],
        true,
    ),
    folder_job(
        "moveFolder",
        &[Segment::Literal("bulkJobs/moveFolder")],
        false,
    ),
    Endpoint {
        name: "getBulkJobStatus",
        arity: 1,
        build: Build::Table(Table {
            method: Method::Get,
            steps: &[
                Step::Read(Read::arg(0)),
                check(0, Test::Truthy, &errors::JOB_ID_MISSING),
            ],
            route: &[
                Segment::Literal("bulkJobs/"),
                Segment::Id(0, &errors::JOB_ID_MISSING),
            ],
            query: Query::None,
            body: Payload::None,
        }),
    },
];

#[cfg(test)]
mod tests {
    use super::super::model::{Model, Sent, V};
    use super::super::Invalid;
    use crate::errors;
    use crate::http::Method;

    #[test]
    fn folders_and_jobs() {
        let model = Model::default();
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
    fn folder_checks() {
        let model = Model::default();
        assert_eq!(
            model.call("createFolder", [V::object([("folderName", V::str("n"))])]),
            Err(Invalid::Argument(&errors::INVALID_PARENT_FOLDER_PATH))
        );
        assert_eq!(
            model.call("deleteFolder", [V::Number(1.0)]),
            Err(Invalid::Argument(&errors::INVALID_FOLDER_PATH))
        );
        assert_eq!(
            model.call(
                "moveFolder",
                [V::object([("sourceFolderPath", V::str("/a"))])]
            ),
            Err(Invalid::Argument(&errors::INVALID_DESTINATION_FOLDER_PATH))
        );
        assert_eq!(
            model.call("getBulkJobStatus", [V::Number(0.0)]),
            Err(Invalid::Argument(&errors::JOB_ID_MISSING))
        );
    }
}
