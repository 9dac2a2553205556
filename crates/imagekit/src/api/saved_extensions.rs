//! Saved extensions: extension configurations (AI tasks, auto-tagging, background
//! removal) stored under a name and referred to by id on upload or update.

use super::{resource, Operation};
use crate::messages;

pub const OPERATIONS: &[Operation] = &resource! {
    route: "saved-extensions",
    id: &messages::SAVED_EXTENSION_ID_MISSING,
    data: &messages::SAVED_EXTENSION_DATA_MISSING,
    list: "listSavedExtensions",
    create: "createSavedExtension" {
        c"name": NonEmptyString => &messages::SAVED_EXTENSION_NAME_MISSING,
        c"description": NonEmptyString => &messages::SAVED_EXTENSION_DESCRIPTION_MISSING,
        c"config": Object => &messages::SAVED_EXTENSION_CONFIG_MISSING,
    },
    get: "getSavedExtension",
    update: "updateSavedExtension" Patch {},
    delete: "deleteSavedExtension",
};

#[cfg(test)]
mod tests {
    use super::super::values::{Sent, Values, V};
    use super::super::Invalid;
    use crate::http::Method;
    use crate::messages;

    const ROOT: &str = "http://api.test/v1/saved-extensions";

    fn extension() -> V {
        V::object([
            ("name", V::str("Tags")),
            ("description", V::str("Tags clothing")),
            ("config", V::object([("name", V::str("remove-bg"))])),
        ])
    }

    #[test]
    fn listed_created_read_updated_and_deleted() {
        let model = Values::default();
        assert_eq!(
            model.call("listSavedExtensions", []).unwrap(),
            Sent::new(Method::Get, ROOT, None)
        );
        assert_eq!(
            model.call("createSavedExtension", [extension()]).unwrap(),
            Sent::new(
                Method::Post,
                ROOT,
                Some(
                    r#"{"name":"Tags","description":"Tags clothing","config":{"name":"remove-bg"}}"#
                )
            )
        );
        assert_eq!(
            model.call("getSavedExtension", [V::str("a/b")]).unwrap(),
            Sent::new(Method::Get, &format!("{ROOT}/a%2Fb"), None)
        );
        assert_eq!(
            model
                .call(
                    "updateSavedExtension",
                    [V::str("e1"), V::object([("description", V::str("new"))])]
                )
                .unwrap(),
            Sent::new(
                Method::Patch,
                &format!("{ROOT}/e1"),
                Some(r#"{"description":"new"}"#)
            )
        );
        assert_eq!(
            model.call("deleteSavedExtension", [V::str("e1")]).unwrap(),
            Sent::new(Method::Delete, &format!("{ROOT}/e1"), None)
        );
    }

    #[test]
    fn required_values_in_the_order_of_the_parameters() {
        let model = Values::default();
        assert_eq!(
            model.call("createSavedExtension", [V::Undefined]),
            Err(Invalid::Argument(&messages::SAVED_EXTENSION_NAME_MISSING))
        );
        assert_eq!(
            model.call(
                "createSavedExtension",
                [V::object([
                    ("name", V::str("n")),
                    ("description", V::str("d"))
                ])]
            ),
            Err(Invalid::Argument(&messages::SAVED_EXTENSION_CONFIG_MISSING))
        );
        assert_eq!(
            model.call("getSavedExtension", [V::str("")]),
            Err(Invalid::Argument(&messages::SAVED_EXTENSION_ID_MISSING))
        );
        assert_eq!(
            model.call("updateSavedExtension", [V::Undefined, V::Undefined]),
            Err(Invalid::Argument(&messages::SAVED_EXTENSION_ID_MISSING))
        );
        assert_eq!(
            model.call("updateSavedExtension", [V::str("e1"), V::Undefined]),
            Err(Invalid::Argument(&messages::SAVED_EXTENSION_DATA_MISSING))
        );
        assert_eq!(
            model.call("deleteSavedExtension", [V::Number(1.0)]),
            Err(Invalid::Argument(&messages::SAVED_EXTENSION_ID_MISSING))
        );
    }
}
