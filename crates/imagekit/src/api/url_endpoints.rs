//! URL endpoints: the URL prefixes files are delivered under, each with the origins it
//! tries in order and an optional rewriter of another CDN's URLs. An update replaces the
//! whole endpoint.

use super::{resource, Operation};
use crate::messages;

pub const OPERATIONS: &[Operation] = &resource! {
    route: "accounts/url-endpoints",
    id: &messages::URL_ENDPOINT_ID_MISSING,
    data: &messages::URL_ENDPOINT_DATA_MISSING,
    list: "listUrlEndpoints",
    create: "createUrlEndpoint" {
        c"description": NonEmptyString => &messages::URL_ENDPOINT_DESCRIPTION_MISSING,
    },
    get: "getUrlEndpoint",
    update: "updateUrlEndpoint" Put {
        c"description": NonEmptyString => &messages::URL_ENDPOINT_DESCRIPTION_MISSING,
    },
    delete: "deleteUrlEndpoint",
};

#[cfg(test)]
mod tests {
    use super::super::values::{Sent, Values, V};
    use super::super::Invalid;
    use crate::http::Method;
    use crate::messages;

    const ROOT: &str = "http://api.test/v1/accounts/url-endpoints";

    #[test]
    fn listed_created_read_replaced_and_deleted() {
        let model = Values::default();
        assert_eq!(
            model.call("listUrlEndpoints", []).unwrap(),
            Sent::new(Method::Get, ROOT, None)
        );
        let endpoint = V::object([
            ("description", V::str("Shop")),
            ("urlPrefix", V::str("shop")),
            ("origins", V::array([V::str("o1")])),
        ]);
        let body = r#"{"description":"Shop","urlPrefix":"shop","origins":["o1"]}"#;
        assert_eq!(
            model.call("createUrlEndpoint", [endpoint.clone()]).unwrap(),
            Sent::new(Method::Post, ROOT, Some(body))
        );
        assert_eq!(
            model.call("getUrlEndpoint", [V::str("default")]).unwrap(),
            Sent::new(Method::Get, &format!("{ROOT}/default"), None)
        );
        assert_eq!(
            model
                .call("updateUrlEndpoint", [V::str("u1"), endpoint])
                .unwrap(),
            Sent::new(Method::Put, &format!("{ROOT}/u1"), Some(body))
        );
        assert_eq!(
            model.call("deleteUrlEndpoint", [V::str("u1")]).unwrap(),
            Sent::new(Method::Delete, &format!("{ROOT}/u1"), None)
        );
    }

    #[test]
    fn description_is_required() {
        let model = Values::default();
        assert_eq!(
            model.call("createUrlEndpoint", [V::object([])]),
            Err(Invalid::Argument(
                &messages::URL_ENDPOINT_DESCRIPTION_MISSING
            ))
        );
        assert_eq!(
            model.call("updateUrlEndpoint", [V::str("u1"), V::object([])]),
            Err(Invalid::Argument(
                &messages::URL_ENDPOINT_DESCRIPTION_MISSING
            ))
        );
        assert_eq!(
            model.call("getUrlEndpoint", [V::Null]),
            Err(Invalid::Argument(&messages::URL_ENDPOINT_ID_MISSING))
        );
    }
}
