//! Origins: the storage ImageKit fetches files from that are not in the media library
//! (S3 and compatible buckets, Cloudinary backups, web folders and proxies, Google Cloud
//! Storage, Azure Blob Storage, Akeneo PIM). An update replaces the whole origin.

use super::{resource, Operation};
use crate::messages;

pub const OPERATIONS: &[Operation] = &resource! {
    route: "accounts/origins",
    id: &messages::ORIGIN_ID_MISSING,
    data: &messages::ORIGIN_DATA_MISSING,
    list: "listOrigins",
    create: "createOrigin" {
        c"type": NonEmptyString => &messages::ORIGIN_TYPE_MISSING,
        c"name": NonEmptyString => &messages::ORIGIN_NAME_MISSING,
    },
    get: "getOrigin",
    update: "updateOrigin" Put {
        c"type": NonEmptyString => &messages::ORIGIN_TYPE_MISSING,
        c"name": NonEmptyString => &messages::ORIGIN_NAME_MISSING,
    },
    delete: "deleteOrigin",
};

#[cfg(test)]
mod tests {
    use super::super::values::{Sent, Values, V};
    use super::super::Invalid;
    use crate::http::Method;
    use crate::messages;

    const ROOT: &str = "http://api.test/v1/accounts/origins";

    fn web_folder() -> V {
        V::object([
            ("type", V::str("WEB_FOLDER")),
            ("name", V::str("site")),
            ("baseUrl", V::str("https://example.com/images")),
        ])
    }

    #[test]
    fn listed_created_read_replaced_and_deleted() {
        let model = Values::default();
        assert_eq!(
            model.call("listOrigins", []).unwrap(),
            Sent::new(Method::Get, ROOT, None)
        );
        let body = r#"{"type":"WEB_FOLDER","name":"site","baseUrl":"https://example.com/images"}"#;
        assert_eq!(
            model.call("createOrigin", [web_folder()]).unwrap(),
            Sent::new(Method::Post, ROOT, Some(body))
        );
        assert_eq!(
            model.call("getOrigin", [V::str("o1")]).unwrap(),
            Sent::new(Method::Get, &format!("{ROOT}/o1"), None)
        );
        assert_eq!(
            model
                .call("updateOrigin", [V::str("o1"), web_folder()])
                .unwrap(),
            Sent::new(Method::Put, &format!("{ROOT}/o1"), Some(body))
        );
        assert_eq!(
            model.call("deleteOrigin", [V::str("o1")]).unwrap(),
            Sent::new(Method::Delete, &format!("{ROOT}/o1"), None)
        );
    }

    #[test]
    fn required_values_in_the_order_of_the_parameters() {
        let model = Values::default();
        assert_eq!(
            model.call("createOrigin", [V::object([("name", V::str("n"))])]),
            Err(Invalid::Argument(&messages::ORIGIN_TYPE_MISSING))
        );
        assert_eq!(
            model.call(
                "updateOrigin",
                [V::str("o1"), V::object([("type", V::str("S3"))])]
            ),
            Err(Invalid::Argument(&messages::ORIGIN_NAME_MISSING))
        );
        assert_eq!(
            model.call("updateOrigin", [V::str(""), web_folder()]),
            Err(Invalid::Argument(&messages::ORIGIN_ID_MISSING))
        );
    }
}
