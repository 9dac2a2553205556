//! The upload API: v6's checks, then a multipart form with one field per option in
//! `for…in` order, and the file as text (a URL or base64), bytes or a stream.

use std::ffi::CStr;

use bytes::Bytes;

use super::{
    is_object, is_string, join, option, prop, Build, Invalid, Operation, Repeat, Thrown, Validated,
    DEFAULT_UPLOAD_ENDPOINT,
};
use crate::http::{ApiRequest, Body, FileData, FormField, Method};
use crate::js::{Host, HostResult, Kind};
use crate::media;
use crate::messages;

pub const OPERATIONS: &[Operation] = &[Operation {
    name: "upload",
    arity: 1,
    build: Build::Upload,
    repeat: Repeat::Once,
}];

/// The upload option holding a progress callback (a function there is not sent; any other
/// value is a form field, as v6 sends it).
pub const PROGRESS_OPTION: &str = "onProgress";

pub fn request<H: Host>(host: &H, options: H::Value, upload: H::Value) -> Validated<ApiRequest> {
    if !is_object(host, upload)? {
        return Err(Invalid::Argument(&messages::MISSING_UPLOAD_DATA));
    }
    let file = host.get(upload, c"file")?;
    if !host.truthy(file)? {
        return Err(Invalid::Argument(&messages::MISSING_UPLOAD_FILE_PARAMETER));
    }
    let file_name = host.get(upload, c"fileName")?;
    if !host.truthy(file_name)? {
        return Err(Invalid::Argument(
            &messages::MISSING_UPLOAD_FILENAME_PARAMETER,
        ));
    }
    check_transformation(host, host.get(upload, c"transformation")?)?;

    let mut fields = Vec::new();
    for key_value in host.keys(upload, true)? {
        let key = host.text(key_value)?;
        if key.is_empty() {
            continue;
        }
        let value = host.get_key(upload, key_value)?;
        let kind = host.kind(value)?;
        if key == PROGRESS_OPTION && kind == Kind::Function {
            // The caller's progress callback: an option of this SDK, never a form field.
            continue;
        }
        let text = match key.as_str() {
            "file" if kind != Kind::String => {
                fields.push(file_field(host, value, file_name)?);
                continue;
            }
            "tags" | "responseFields" if host.is_array(value)? => join(host, value)?,
            "extensions" if host.is_array(value)? => host.stringify(value)?.unwrap_or_default(),
            "customMetadata" if kind == Kind::Object && !host.is_array(value)? => {
                host.stringify(value)?.unwrap_or_default()
            }
            "transformation" if kind == Kind::Object => host.stringify(value)?.unwrap_or_default(),
            "checks" if host.truthy(value)? => host.to_string(value)?,
            _ => host.string_of(value)?,
        };
        fields.push(FormField::Text {
            name: key,
            value: text,
        });
    }
    Ok(ApiRequest {
        method: Method::Post,
        url: option(host, options, c"uploadEndpoint", DEFAULT_UPLOAD_ENDPOINT)?,
        body: Body::Multipart(fields),
    })
}

/// `transformation` must name `pre` and/or `post`; `pre` must be truthy and `post` an
/// array whose `abs` steps carry a protocol or value and whose `transformation` steps a
/// value.
fn check_transformation<H: Host>(host: &H, transformation: H::Value) -> Validated<()> {
    if !host.truthy(transformation)? {
        return Ok(());
    }
    let keys: Vec<String> = if is_object(host, transformation)? {
        host.keys(transformation, false)?
            .into_iter()
            .map(|k| host.text(k))
            .collect::<HostResult<_>>()?
    } else if is_string(host, transformation)? {
        // A string's own keys are its indices.
        (0..host.text(transformation)?.encode_utf16().count())
            .map(|i| i.to_string())
            .collect()
    } else {
        Vec::new()
    };
    let has = |name: &str| keys.iter().any(|k| k == name);
    let require = |ok: bool, error| {
        if ok {
            Ok(())
        } else {
            Err(Invalid::Argument(error))
        }
    };
    require(has("pre") || has("post"), &messages::INVALID_TRANSFORMATION)?;
    if has("pre") {
        require(
            host.truthy(host.get(transformation, c"pre")?)?,
            &messages::INVALID_PRE_TRANSFORMATION,
        )?;
    }
    if has("post") {
        let post = host.get(transformation, c"post")?;
        require(host.is_array(post)?, &messages::INVALID_POST_TRANSFORMATION)?;
        for step in host.elements(post)? {
            let kind = prop(host, step, c"type")?;
            let kind = if is_string(host, kind)? {
                host.text(kind)?
            } else {
                String::new()
            };
            let value = prop(host, step, c"value")?;
            if kind == "abs" {
                let protocol = prop(host, step, c"protocol")?;
                require(
                    host.truthy(protocol)? || host.truthy(value)?,
                    &messages::INVALID_POST_TRANSFORMATION,
                )?;
            } else if kind == "transformation" {
                require(host.truthy(value)?, &messages::INVALID_POST_TRANSFORMATION)?;
            }
        }
    }
    Ok(())
}

/// The `file` part for binary input, as form-data builds it from `append("file", file,
/// String(fileName))`: named after `basename(String(fileName))`, typed from the value's
/// `name` or `path`, an HTTP response's own Content-Type, or the file name, in that order.
/// A value form-data cannot send gets v6's error, never a part holding its text.
fn file_field<H: Host>(host: &H, file: H::Value, file_name: H::Value) -> Validated<FormField> {
    let file_name = host.string_of(file_name)?;
    let name = media::basename(&file_name).to_owned();
    let is_object = is_object(host, file)?;
    let mut content_type = None;
    if is_object {
        for property in [c"name", c"path"] {
            let value = host.get(file, property)?;
            if content_type.is_none() && is_string(host, value)? {
                content_type = media::media_type(&host.text(value)?).map(str::to_owned);
            }
        }
        if content_type.is_none() && host.truthy(host.get(file, c"readable")?)? {
            content_type = response_content_type(host, file)?;
        }
    }
    let content_type = content_type
        .or_else(|| media::media_type(&file_name).map(str::to_owned))
        .or_else(|| is_object.then(|| "application/octet-stream".to_owned()));
    let part = |data| FormField::File {
        name: "file".to_owned(),
        file_name: name,
        content_type,
        data,
    };
    match host.kind(file)? {
        // form-data appends a number as its text.
        Kind::Number => {
            let text = host.string_of(file)?;
            return Ok(part(FileData::Bytes(Bytes::from(text.into_bytes()))));
        }
        // v6's request fails once under way, where Node's stream refuses the value.
        Kind::Boolean => {
            return Err(Invalid::Deferred(
                Thrown::type_error(format!(
                    "The \"chunk\" argument must be of type string or an instance of Buffer, \
                     TypedArray, or DataView. Received type boolean ({})",
                    host.string_of(file)?
                ))
                .with_code("ERR_INVALID_ARG_TYPE"),
            ));
        }
        // form-data calls a function for the value to send, which v6 never gets: its
        // call never settles. Refused here instead.
        Kind::Function => {
            return Err(Invalid::Deferred(
                Thrown::type_error(
                    "The \"file\" option must be a string (a URL or base64 data), a Buffer, a \
                     Uint8Array or a readable stream. Received a function",
                )
                .with_code("ERR_INVALID_ARG_TYPE"),
            ));
        }
        _ => {}
    }
    if host.is_array(file)? {
        return Err(Invalid::Thrown(Thrown::error("Arrays are not supported.")));
    }
    if let Some(bytes) = host.bytes(file)? {
        return Ok(part(FileData::Bytes(bytes)));
    }
    // Anything else is a stream to form-data, which subscribes to it and pauses it: the
    // TypeErrors v6 throws for a value without those methods (an ArrayBuffer, a DataView,
    // a Blob, a plain object, a web stream, a Symbol...).
    for (method, message) in [
        (c"on", "source.on is not a function"),
        (c"pause", "source.pause is not a function"),
    ] {
        if host.kind(prop(host, file, method)?)? != Kind::Function {
            return Err(Invalid::Thrown(Thrown::type_error(message)));
        }
    }
    let length = if is_object {
        stream_length(host, file)?
    } else {
        None
    };
    Ok(part(FileData::Stream(host.stream(file)?, length)))
}

/// A stream's size as form-data measures it, so the request carries the Content-Length
/// v6's does: a file stream's range or its file's size less `start`, or an HTTP response's
/// Content-Length. None (a chunked body) for any other stream or when that fails.
fn stream_length<H: Host>(host: &H, stream: H::Value) -> HostResult<Option<u64>> {
    let number = |name: &CStr| -> HostResult<Option<f64>> {
        let value = host.get(stream, name)?;
        if host.kind(value)? != Kind::Number {
            return Ok(None);
        }
        Ok(Some(host.number(value)?))
    };
    let whole = |n: f64| {
        (n.is_finite() && n >= 0.0 && n.fract() == 0.0 && n <= u64::MAX as f64).then_some(n as u64)
    };
    if host.has_own(stream, c"fd")? {
        let start = number(c"start")?.unwrap_or(0.0);
        if let Some(end) = number(c"end")?.filter(|end| end.is_finite()) {
            return Ok(whole(end + 1.0 - start));
        }
        let path = host.get(stream, c"path")?;
        if !is_string(host, path)? {
            return Ok(None);
        }
        let size = std::fs::metadata(host.text(path)?).map(|m| m.len() as f64);
        return Ok(size.ok().and_then(|size| whole(size - start)));
    }
    if host.has_own(stream, c"httpVersion")? {
        let headers = host.get(stream, c"headers")?;
        if is_object(host, headers)? {
            let length = host.get(headers, c"content-length")?;
            if is_string(host, length)? {
                return Ok(host.text(length)?.trim().parse::<u64>().ok());
            }
        }
    }
    Ok(None)
}

/// The Content-Type of an `http.IncomingMessage` (a readable with its own `httpVersion`).
fn response_content_type<H: Host>(host: &H, file: H::Value) -> HostResult<Option<String>> {
    if !host.has_own(file, c"httpVersion")? {
        return Ok(None);
    }
    let headers = host.get(file, c"headers")?;
    if !is_object(host, headers)? {
        return Ok(None);
    }
    let value = host.get(headers, c"content-type")?;
    Ok(if host.truthy(value)? {
        Some(host.to_string(value)?)
    } else {
        None
    })
}

#[cfg(test)]
mod tests {
    use super::super::values::{Values, V};
    use super::super::{operation, request, Invalid, Thrown};
    use crate::http::{Body, FileData, FormField};
    use crate::messages;

    fn fields(model: &Values, options: V) -> Result<Vec<FormField>, Invalid> {
        let args = [model.put(options)];
        match request(model, operation("upload").unwrap(), model.options(), &args)?.body {
            Body::Multipart(fields) => Ok(fields),
            _ => panic!("an upload is a multipart form"),
        }
    }

    fn texts(fields: &[FormField]) -> Vec<(String, String)> {
        fields
            .iter()
            .filter_map(|f| match f {
                FormField::Text { name, value } => Some((name.clone(), value.clone())),
                FormField::File { .. } => None,
            })
            .collect()
    }

    #[test]
    fn options_become_fields_in_order_with_v6s_conversions() {
        let model = Values::default();
        let upload = V::object([
            ("file", V::str("https://example.com/a.jpg")),
            ("fileName", V::str("a.jpg")),
            ("tags", V::array([V::str("x"), V::str("y")])),
            ("useUniqueFileName", V::Bool(false)),
            ("customMetadata", V::object([("price", V::Number(5.0))])),
            (
                "extensions",
                V::array([V::object([("name", V::str("google-auto-tagging"))])]),
            ),
        ]);
        let sent = fields(&model, upload).unwrap();
        assert_eq!(
            texts(&sent),
            vec![
                ("file".to_owned(), "https://example.com/a.jpg".to_owned()),
                ("fileName".to_owned(), "a.jpg".to_owned()),
                ("tags".to_owned(), "x,y".to_owned()),
                ("useUniqueFileName".to_owned(), "false".to_owned()),
                ("customMetadata".to_owned(), r#"{"price":5}"#.to_owned()),
                (
                    "extensions".to_owned(),
                    r#"[{"name":"google-auto-tagging"}]"#.to_owned()
                ),
            ]
        );
    }

    #[test]
    fn bytes_are_a_file_part_typed_from_the_file_name() {
        let model = Values::default();
        let upload = V::object([
            ("file", V::Bytes(vec![1, 2, 3].into())),
            ("fileName", V::str("dir/a.png")),
        ]);
        let sent = fields(&model, upload).unwrap();
        match &sent[0] {
            FormField::File {
                file_name,
                content_type,
                data: FileData::Bytes(bytes),
                ..
            } => {
                assert_eq!(file_name, "a.png");
                assert_eq!(content_type.as_deref(), Some("image/png"));
                assert_eq!(&bytes[..], &[1, 2, 3]);
            }
            _ => panic!("a file part from bytes"),
        }
    }

    #[test]
    fn v6s_checks_and_its_errors_for_unsendable_files() {
        let model = Values::default();
        let with_file = |file: V| V::object([("file", file), ("fileName", V::str("a"))]);
        assert_eq!(
            fields(&model, V::str("x")).err(),
            Some(Invalid::Argument(&messages::MISSING_UPLOAD_DATA))
        );
        assert_eq!(
            fields(&model, V::object([("fileName", V::str("a"))])).err(),
            Some(Invalid::Argument(&messages::MISSING_UPLOAD_FILE_PARAMETER))
        );
        assert_eq!(
            fields(&model, V::object([("file", V::str("x"))])).err(),
            Some(Invalid::Argument(
                &messages::MISSING_UPLOAD_FILENAME_PARAMETER
            ))
        );
        assert_eq!(
            fields(&model, with_file(V::array([V::Number(1.0)]))).err(),
            Some(Invalid::Thrown(Thrown::error("Arrays are not supported.")))
        );
        assert_eq!(
            fields(&model, with_file(V::object([]))).err(),
            Some(Invalid::Thrown(Thrown::type_error(
                "source.on is not a function"
            )))
        );
        assert!(matches!(
            fields(&model, with_file(V::Bool(true))).err(),
            Some(Invalid::Deferred(Thrown {
                code: Some("ERR_INVALID_ARG_TYPE"),
                ..
            }))
        ));
        assert!(matches!(
            fields(&model, with_file(V::Stream(None))).unwrap()[0],
            FormField::File {
                data: FileData::Stream(..),
                ..
            }
        ));
    }

    #[test]
    fn a_transformation_needs_pre_or_post() {
        let model = Values::default();
        let with = |t: V| {
            V::object([
                ("file", V::str("x")),
                ("fileName", V::str("a")),
                ("transformation", t),
            ])
        };
        assert_eq!(
            fields(&model, with(V::object([]))).err(),
            Some(Invalid::Argument(&messages::INVALID_TRANSFORMATION))
        );
        assert_eq!(
            fields(&model, with(V::object([("post", V::str("x"))]))).err(),
            Some(Invalid::Argument(&messages::INVALID_POST_TRANSFORMATION))
        );
        let abs = V::array([V::object([("type", V::str("abs"))])]);
        assert_eq!(
            fields(&model, with(V::object([("post", abs)]))).err(),
            Some(Invalid::Argument(&messages::INVALID_POST_TRANSFORMATION))
        );
        assert!(fields(&model, with(V::object([("pre", V::str("w-100"))]))).is_ok());
    }
}
