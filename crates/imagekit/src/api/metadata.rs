//! File metadata (dimensions, EXIF, pHash...) of a stored file, or of any remote image.

use super::{api_url, is_string, Build, Invalid, Operation, Repeat, Thrown, Validated};
use crate::http::{ApiRequest, Body, Method};
use crate::js::Host;
use crate::media;
use crate::messages;

pub const OPERATIONS: &[Operation] = &[Operation {
    name: "getFileMetadata",
    arity: 1,
    build: Build::FileMetadata,
    repeat: Repeat::Idempotent,
}];

/// `fileIdOrURL`: a URL (it starts with `http`) goes to `/metadata?url=`, appended
/// unencoded as v6 does (the URL parser then normalises it); anything else is a file id.
pub fn request<H: Host>(host: &H, options: H::Value, target: H::Value) -> Validated<ApiRequest> {
    if !host.truthy(target)? {
        return Err(Invalid::Argument(&messages::FILE_ID_OR_URL_MISSING));
    }
    if !is_string(host, target)? {
        return Err(Invalid::Thrown(Thrown::type_error(
            "fileIdOrURL.trim is not a function",
        )));
    }
    let text = host.text(target)?;
    if text.trim_matches(crate::ecma::is_js_whitespace).is_empty() {
        return Err(Invalid::Argument(&messages::FILE_ID_OR_URL_MISSING));
    }
    let url = if text.starts_with("http") {
        format!("{}?url={text}", api_url(host, options, "metadata")?)
    } else {
        let id = media::path_segment(&text)
            .ok_or(Invalid::Argument(&messages::FILE_ID_OR_URL_MISSING))?;
        api_url(host, options, &format!("files/{id}/metadata"))?
    };
    Ok(ApiRequest {
        method: Method::Get,
        url,
        body: Body::Empty,
    })
}

#[cfg(test)]
mod tests {
    use super::super::values::{Sent, Values, V};
    use super::super::{Invalid, Thrown};
    use crate::http::Method;
    use crate::messages;

    #[test]
    fn a_url_or_a_file_id() {
        let model = Values::default();
        assert_eq!(
            model
                .call(
                    "getFileMetadata",
                    [V::str("https://ik.imagekit.io/demo/a b.jpg")]
                )
                .unwrap(),
            Sent::new(
                Method::Get,
                "http://api.test/v1/metadata?url=https://ik.imagekit.io/demo/a b.jpg",
                None
            )
        );
        assert_eq!(
            model.call("getFileMetadata", [V::str("f 1")]).unwrap(),
            Sent::new(Method::Get, "http://api.test/v1/files/f%201/metadata", None)
        );
        assert_eq!(
            model.call("getFileMetadata", [V::str("  ")]),
            Err(Invalid::Argument(&messages::FILE_ID_OR_URL_MISSING))
        );
        assert_eq!(
            model.call("getFileMetadata", [V::Number(5.0)]),
            Err(Invalid::Thrown(Thrown::type_error(
                "fileIdOrURL.trim is not a function"
            )))
        );
    }
}
