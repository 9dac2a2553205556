//! Named transformations: a transformation string under a name, applied by delivery
//! URLs as `tr:n-<name>`.

use super::{resource, Operation};
use crate::messages;

pub const OPERATIONS: &[Operation] = &resource! {
    route: "named-transformations",
    id: &messages::NAMED_TRANSFORMATION_ID_MISSING,
    data: &messages::NAMED_TRANSFORMATION_DATA_MISSING,
    list: "listNamedTransformations",
    create: "createNamedTransformation" {
        c"name": NonEmptyString => &messages::NAMED_TRANSFORMATION_NAME_MISSING,
        c"transformation": NonEmptyString => &messages::NAMED_TRANSFORMATION_TRANSFORMATION_MISSING,
    },
    get: "getNamedTransformation",
    update: "updateNamedTransformation" Patch {},
    delete: "deleteNamedTransformation",
};

#[cfg(test)]
mod tests {
    use super::super::values::{Sent, Values, V};
    use super::super::Invalid;
    use crate::http::Method;
    use crate::messages;

    const ROOT: &str = "http://api.test/v1/named-transformations";

    #[test]
    fn listed_created_read_updated_and_deleted() {
        let model = Values::default();
        assert_eq!(
            model.call("listNamedTransformations", []).unwrap(),
            Sent::new(Method::Get, ROOT, None)
        );
        let create = V::object([
            ("name", V::str("thumb")),
            ("transformation", V::str("w-150,h-150")),
            ("enabled", V::Bool(true)),
        ]);
        assert_eq!(
            model.call("createNamedTransformation", [create]).unwrap(),
            Sent::new(
                Method::Post,
                ROOT,
                Some(r#"{"name":"thumb","transformation":"w-150,h-150","enabled":true}"#)
            )
        );
        assert_eq!(
            model
                .call("getNamedTransformation", [V::str("t 1")])
                .unwrap(),
            Sent::new(Method::Get, &format!("{ROOT}/t%201"), None)
        );
        assert_eq!(
            model
                .call(
                    "updateNamedTransformation",
                    [V::str("t1"), V::object([("enabled", V::Bool(false))])]
                )
                .unwrap(),
            Sent::new(
                Method::Patch,
                &format!("{ROOT}/t1"),
                Some(r#"{"enabled":false}"#)
            )
        );
        assert_eq!(
            model
                .call("deleteNamedTransformation", [V::str("t1")])
                .unwrap(),
            Sent::new(Method::Delete, &format!("{ROOT}/t1"), None)
        );
    }

    #[test]
    fn required_values_in_the_order_of_the_parameters() {
        let model = Values::default();
        assert_eq!(
            model.call(
                "createNamedTransformation",
                [V::object([("transformation", V::str("w-1"))])]
            ),
            Err(Invalid::Argument(
                &messages::NAMED_TRANSFORMATION_NAME_MISSING
            ))
        );
        assert_eq!(
            model.call(
                "createNamedTransformation",
                [V::object([
                    ("name", V::str("n")),
                    ("transformation", V::str(""))
                ])]
            ),
            Err(Invalid::Argument(
                &messages::NAMED_TRANSFORMATION_TRANSFORMATION_MISSING
            ))
        );
        assert_eq!(
            model.call("updateNamedTransformation", [V::str("t1"), V::str("w-1")]),
            Err(Invalid::Argument(
                &messages::NAMED_TRANSFORMATION_DATA_MISSING
            ))
        );
    }
}
