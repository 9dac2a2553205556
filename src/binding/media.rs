//! The asynchronous methods: upload and the media API, with v6's argument checks in v6's
//! order. Each builds an `ApiRequest` and hands it to `Call::dispatch`.

use std::ffi::CStr;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use napi::bindgen_prelude::{Env, FromNapiValue, This, Uint8Array, Unknown};
use napi::{JsValue, Result, ValueType};
use napi_derive::napi;

use super::imagekit::ImageKit;
use super::js::{Js, Value};
use super::request::{Call, Invalid, Validated};
use super::upload_stream;
use crate::errors::{self, ErrorMessage};
use crate::http::{ApiRequest, Body, Client, FileData, FormField, Method};
use crate::media::{self, DEFAULT_UPLOAD_ENDPOINT};

/// Clients are created on first use and shared by every call of one `ImageKit`.
pub type SharedClient = OnceLock<std::result::Result<Arc<Client>, String>>;

fn client(this: &ImageKit, js: Js) -> Result<Arc<Client>> {
    match this
        .client
        .get_or_init(|| Client::new().map(Arc::new).map_err(|e| e.message))
    {
        Ok(client) => Ok(client.clone()),
        Err(message) => Err(js.throw_error(message)),
    }
}

impl ImageKit {
    /// Sends a validated request on this instance's client (or reports why it is invalid).
    fn send(&self, call: Call, request: Validated<ApiRequest>) -> Result<Unknown<'static>> {
        let client = client(self, call.js)?;
        call.dispatch(client, request)
    }
}

fn value(raw: &Unknown) -> Value {
    Value(raw.raw())
}

/// `object.name`, with V8's TypeError when `object` is null or undefined.
fn prop(js: Js, object: Value, name: &CStr) -> Result<Value> {
    match js.type_of(object)? {
        kind @ (ValueType::Undefined | ValueType::Null) => {
            let what = if kind == ValueType::Null {
                "null"
            } else {
                "undefined"
            };
            let name = name.to_string_lossy();
            Err(js.throw_type_error(
                &format!("Cannot read properties of {what} (reading '{name}')"),
                None,
            ))
        }
        ValueType::Object | ValueType::Function => js.get(object, name),
        _ => {
            let mut boxed = std::ptr::null_mut();
            unsafe { napi::sys::napi_coerce_to_object(js.0, object.0, &mut boxed) };
            js.get(Value(boxed), name)
        }
    }
}

/// `(value || {}).name`.
fn prop_or_empty(js: Js, object: Value, name: &CStr) -> Result<Value> {
    if js.truthy(object)? {
        prop(js, object, name)
    } else {
        js.undefined()
    }
}

/// lodash `isObject`: an object or a function.
fn is_object(js: Js, value: Value) -> Result<bool> {
    Ok(matches!(
        js.type_of(value)?,
        ValueType::Object | ValueType::Function
    ))
}

fn is_string(js: Js, value: Value) -> Result<bool> {
    Ok(js.type_of(value)? == ValueType::String)
}

/// `typeof value === "string" && value.length > 0`.
fn non_empty_string(js: Js, value: Value) -> Result<bool> {
    Ok(is_string(js, value)? && !js.string_value(value)?.is_empty())
}

/// A non-empty array holding only strings.
fn string_array(js: Js, value: Value) -> Result<bool> {
    if !js.is_array(value)? {
        return Ok(false);
    }
    let elements = js.elements(value)?;
    if elements.is_empty() {
        return Ok(false);
    }
    for element in elements {
        if !is_string(js, element)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// `value === undefined ? fallback : value`.
fn defaulted(js: Js, value: Value, fallback: bool) -> Result<Value> {
    if js.type_of(value)? == ValueType::Undefined {
        js.boolean(fallback)
    } else {
        Ok(value)
    }
}

fn require(condition: bool, message: &'static ErrorMessage) -> Validated<()> {
    if condition {
        Ok(())
    } else {
        Err(Invalid::Message(message))
    }
}

fn json_request(method: Method, url: String, body: String) -> ApiRequest {
    ApiRequest {
        method,
        url,
        body: Body::Json(body),
    }
}

fn plain_request(method: Method, url: String) -> ApiRequest {
    ApiRequest {
        method,
        url,
        body: Body::Empty,
    }
}

/// `Array.prototype.join(",")`.
fn join(js: Js, array: Value) -> Result<String> {
    let mut parts = Vec::new();
    for element in js.elements(array)? {
        parts.push(match js.type_of(element)? {
            ValueType::Undefined | ValueType::Null => String::new(),
            _ => js.js_to_string(element)?,
        });
    }
    Ok(parts.join(","))
}

/// axios's serialisation of `params` (its `toFormData` visitor): own keys, null and
/// undefined skipped, flat arrays as `key[]`, nested objects as `key[sub]`.
fn axios_params(js: Js, params: Value, tags_joined: bool) -> Result<Vec<(String, String)>> {
    let mut pairs = Vec::new();
    if is_object(js, params)? {
        collect_params(js, params, &[], tags_joined, &mut pairs, 0)?;
    }
    Ok(pairs)
}

fn is_visitable(js: Js, value: Value) -> Result<bool> {
    if js.is_array(value)? {
        return Ok(true);
    }
    if js.type_of(value)? != ValueType::Object {
        return Ok(false);
    }
    let mut prototype = std::ptr::null_mut();
    unsafe { napi::sys::napi_get_prototype(js.0, value.0, &mut prototype) };
    let prototype = Value(prototype);
    if js.type_of(prototype)? == ValueType::Null {
        return Ok(true);
    }
    let mut grand = std::ptr::null_mut();
    unsafe { napi::sys::napi_get_prototype(js.0, prototype.0, &mut grand) };
    Ok(js.type_of(Value(grand))? == ValueType::Null)
}

fn convert_value(js: Js, value: Value) -> Result<String> {
    match js.type_of(value)? {
        ValueType::Null => Ok(String::new()),
        ValueType::Boolean => Ok(if js.truthy(value)? { "true" } else { "false" }.to_owned()),
        ValueType::Object => {
            let mut is_date = false;
            unsafe { napi::sys::napi_is_date(js.0, value.0, &mut is_date) };
            if is_date {
                let to_iso = js.get(value, c"toISOString")?;
                js.js_to_string(js.call(value, to_iso, &[])?)
            } else {
                js.js_to_string(value)
            }
        }
        _ => js.js_to_string(value),
    }
}

/// axios's `renderKey`: `a[b][c]` for the key `c` under the path `a`, `b`.
fn render_key(path: &[String], key: &str) -> String {
    let strip = |token: &str| token.strip_suffix("[]").unwrap_or(token).to_owned();
    let mut tokens = path.iter().map(String::as_str).chain(std::iter::once(key));
    let Some(first) = tokens.next().filter(|_| !path.is_empty()) else {
        return key.to_owned();
    };
    let mut out = strip(first);
    for token in tokens {
        out.push('[');
        out.push_str(&strip(token));
        out.push(']');
    }
    out
}

fn collect_params(
    js: Js,
    object: Value,
    path: &[String],
    tags_joined: bool,
    pairs: &mut Vec<(String, String)>,
    depth: usize,
) -> Result<()> {
    if depth > 100 {
        return Err(js.throw_error("Object is too deeply nested"));
    }
    let keys = if js.is_array(object)? {
        (0..js.elements(object)?.len())
            .map(|i| js.string(&i.to_string()))
            .collect::<Result<Vec<_>>>()?
    } else {
        js.own_keys(object)?
    };
    for key_value in keys {
        let value = js.get_key(object, key_value)?;
        if matches!(js.type_of(value)?, ValueType::Undefined | ValueType::Null) {
            continue;
        }
        let key = js.string_value(key_value)?.trim().to_owned();
        // v6 turns a non-empty `tags` array of list options into one comma-joined value.
        if tags_joined
            && path.is_empty()
            && key == "tags"
            && js.is_array(value)?
            && !js.elements(value)?.is_empty()
        {
            pairs.push((key, join(js, value)?));
            continue;
        }
        if path.is_empty() && js.type_of(value)? == ValueType::Object {
            if key.ends_with("{}") {
                pairs.push((key.clone(), js.json_stringify(value)?.unwrap_or_default()));
                continue;
            }
            if js.is_array(value)? {
                let elements = js.elements(value)?;
                let mut flat = true;
                for element in &elements {
                    if is_visitable(js, *element)? {
                        flat = false;
                    }
                }
                if flat {
                    let name = format!("{}[]", key.strip_suffix("[]").unwrap_or(&key));
                    for element in elements {
                        if !matches!(js.type_of(element)?, ValueType::Undefined | ValueType::Null) {
                            pairs.push((name.clone(), convert_value(js, element)?));
                        }
                    }
                    continue;
                }
            }
        }
        if is_visitable(js, value)? {
            let mut nested = path.to_vec();
            nested.push(key);
            collect_params(js, value, &nested, false, pairs, depth + 1)?;
            continue;
        }
        pairs.push((render_key(path, &key), convert_value(js, value)?));
    }
    Ok(())
}

fn file_and_version(call: &Call, options: Value) -> Validated<(String, String)> {
    let js = call.js;
    let file_id = prop_or_empty(js, options, c"fileId")?;
    let version_id = prop_or_empty(js, options, c"versionId")?;
    require(js.truthy(file_id)?, &errors::FILE_ID_MISSING)?;
    require(js.truthy(version_id)?, &errors::FILE_VERSION_ID_MISSING)?;
    Ok((
        call.segment(file_id, &errors::FILE_ID_MISSING)?,
        call.segment(version_id, &errors::FILE_VERSION_ID_MISSING)?,
    ))
}

fn file_ids_and_tags(
    call: &Call,
    file_ids: Value,
    tags: Value,
    tags_name: &CStr,
    path: &str,
) -> Validated<ApiRequest> {
    let js = call.js;
    require(string_array(js, file_ids)?, &errors::INVALID_FILEIDS_VALUE)?;
    require(string_array(js, tags)?, &errors::BULK_ADD_TAGS_INVALID)?;
    let body = call.json(&[(c"fileIds", Some(file_ids)), (tags_name, Some(tags))])?;
    Ok(json_request(Method::Post, call.api_url(path)?, body))
}

fn single_id(
    call: &Call,
    id: Value,
    missing: &'static ErrorMessage,
    method: Method,
    path: impl Fn(&str) -> String,
) -> Validated<ApiRequest> {
    require(call.js.truthy(id)?, missing)?;
    let segment = call.segment(id, missing)?;
    Ok(plain_request(method, call.api_url(&path(&segment))?))
}

/// `!value && !value.length` as v6's cache methods test it.
fn missing_with_length(js: Js, value: Value, name: &CStr) -> Result<bool> {
    if js.truthy(value)? {
        return Ok(false);
    }
    let length = prop(js, value, name)?;
    Ok(!js.truthy(length)?)
}

/// `!id || typeof id !== "string" || !id.length`, for custom metadata field ids.
fn field_id(call: &Call, id: Value) -> Validated<String> {
    require(
        non_empty_string(call.js, id)?,
        &errors::CMF_FIELD_ID_MISSING,
    )?;
    call.segment(id, &errors::CMF_FIELD_ID_MISSING)
}

// The typings are v6's declarations, word for word, so code that compiled against v6
// compiles here: each `ts_type` holds the Promise overload and, after a line break, the
// callback overload with its name (napi-rs emits one declaration per method otherwise).
#[napi]
impl ImageKit {
    /// Uploads a file (URL, base64 string, Buffer, Uint8Array or readable stream).
    #[napi(
        ts_type = "(uploadOptions: UploadOptions): Promise<IKResponse<UploadResponse>>\nupload(uploadOptions: UploadOptions, callback: IKCallback<IKResponse<UploadResponse>>): void"
    )]
    pub fn upload(
        &self,
        env: Env,
        this: This,
        upload_options: Unknown,
        callback: Unknown,
    ) -> Result<Unknown<'static>> {
        let call = Call::new(&env, &this, callback)?;
        let request = upload_request(&call, value(&upload_options));
        self.send(call, request)
    }

    /// Lists and searches files and folders.
    #[napi(
        ts_type = "(listOptions: ListFileOptions): Promise<IKResponse<ListFileResponse>>\nlistFiles(listOptions: ListFileOptions, callback: IKCallback<IKResponse<ListFileResponse>>): void"
    )]
    pub fn list_files(
        &self,
        env: Env,
        this: This,
        list_options: Unknown,
        callback: Unknown,
    ) -> Result<Unknown<'static>> {
        let call = Call::new(&env, &this, callback)?;
        let js = call.js;
        let options = value(&list_options);
        let request = (|| {
            require(
                !js.truthy(options)? || is_object(js, options)?,
                &errors::INVALID_LIST_OPTIONS,
            )?;
            let pairs = axios_params(js, options, true)?;
            Ok(plain_request(
                Method::Get,
                media::with_query(&call.api_url("files/")?, &pairs),
            ))
        })();
        self.send(call, request)
    }

    /// Details of one file.
    #[napi(
        ts_type = "(fileId: string): Promise<IKResponse<FileObject>>\ngetFileDetails(fileId: string, callback: IKCallback<IKResponse<FileObject>>): void"
    )]
    pub fn get_file_details(
        &self,
        env: Env,
        this: This,
        file_id: Unknown,
        callback: Unknown,
    ) -> Result<Unknown<'static>> {
        let call = Call::new(&env, &this, callback)?;
        let request = single_id(
            &call,
            value(&file_id),
            &errors::FILE_ID_MISSING,
            Method::Get,
            |id| format!("files/{id}/details"),
        );
        self.send(call, request)
    }

    /// Every version of a file.
    #[napi(
        ts_type = "(fileId: string): Promise<IKResponse<FileObject>>\ngetFileVersions(fileId: string, callback: IKCallback<IKResponse<FileObject>>): void"
    )]
    pub fn get_file_versions(
        &self,
        env: Env,
        this: This,
        file_id: Unknown,
        callback: Unknown,
    ) -> Result<Unknown<'static>> {
        let call = Call::new(&env, &this, callback)?;
        let request = single_id(
            &call,
            value(&file_id),
            &errors::FILE_ID_MISSING,
            Method::Get,
            |id| format!("files/{id}/versions"),
        );
        self.send(call, request)
    }

    /// Details of one version of a file.
    #[napi(
        ts_type = "(fileVersionDetailsOptions: FileVersionDetailsOptions): Promise<IKResponse<FileObject>>\ngetFileVersionDetails(fileVersionDetailsOptions: FileVersionDetailsOptions, callback: IKCallback<IKResponse<FileObject>>): void"
    )]
    pub fn get_file_version_details(
        &self,
        env: Env,
        this: This,
        options: Unknown,
        callback: Unknown,
    ) -> Result<Unknown<'static>> {
        let call = Call::new(&env, &this, callback)?;
        let request = file_and_version(&call, value(&options)).and_then(|(file, version)| {
            Ok(plain_request(
                Method::Get,
                call.api_url(&format!("files/{file}/versions/{version}"))?,
            ))
        });
        self.send(call, request)
    }

    /// Metadata (dimensions, EXIF, pHash...) of a stored file or of a remote URL.
    #[napi(
        ts_type = "(fileIdOrURL: string): Promise<IKResponse<FileMetadataResponse>>\ngetFileMetadata(fileIdOrURL: string, callback: IKCallback<IKResponse<FileMetadataResponse>>): void"
    )]
    pub fn get_file_metadata(
        &self,
        env: Env,
        this: This,
        file_id_or_url: Unknown,
        callback: Unknown,
    ) -> Result<Unknown<'static>> {
        let call = Call::new(&env, &this, callback)?;
        let js = call.js;
        let target = value(&file_id_or_url);
        let request = (|| {
            require(js.truthy(target)?, &errors::FILE_ID_OR_URL_MISSING)?;
            if !is_string(js, target)? {
                return Err(Invalid::Thrown(
                    js.throw_type_error("fileIdOrURL.trim is not a function", None),
                ));
            }
            let text = js.string_value(target)?;
            require(
                !text.trim_matches(crate::js::is_js_whitespace).is_empty(),
                &errors::FILE_ID_OR_URL_MISSING,
            )?;
            if text.starts_with("http") {
                // v6 appends the URL unencoded; the URL parser then normalises it.
                return Ok(plain_request(
                    Method::Get,
                    format!("{}?url={text}", call.api_url("metadata")?),
                ));
            }
            let id = media::path_segment(&text)
                .ok_or(Invalid::Message(&errors::FILE_ID_OR_URL_MISSING))?;
            Ok(plain_request(
                Method::Get,
                call.api_url(&format!("files/{id}/metadata"))?,
            ))
        })();
        self.send(call, request)
    }

    /// Updates tags, custom coordinates, extensions, custom metadata or publication status.
    #[napi(
        ts_type = "(fileId: string, updateData: FileDetailsOptions): Promise<IKResponse<FileObject>>\nupdateFileDetails(fileId: string, updateData: FileDetailsOptions, callback: IKCallback<IKResponse<FileObject>>): void"
    )]
    pub fn update_file_details(
        &self,
        env: Env,
        this: This,
        file_id: Unknown,
        update_data: Unknown,
        callback: Unknown,
    ) -> Result<Unknown<'static>> {
        let call = Call::new(&env, &this, callback)?;
        let js = call.js;
        let (file_id, data) = (value(&file_id), value(&update_data));
        let request = (|| {
            require(js.truthy(file_id)?, &errors::FILE_ID_MISSING)?;
            require(is_object(js, data)?, &errors::UPDATE_DATA_MISSING)?;
            let publish = js.get(data, c"publish")?;
            let body = call.json(&[
                (c"tags", Some(js.get(data, c"tags")?)),
                (
                    c"customCoordinates",
                    Some(js.get(data, c"customCoordinates")?),
                ),
                (c"extensions", Some(js.get(data, c"extensions")?)),
                (c"webhookUrl", Some(js.get(data, c"webhookUrl")?)),
                (c"customMetadata", Some(js.get(data, c"customMetadata")?)),
                (c"publish", js.truthy(publish)?.then_some(publish)),
            ])?;
            let id = call.segment(file_id, &errors::FILE_ID_MISSING)?;
            Ok(json_request(
                Method::Patch,
                call.api_url(&format!("files/{id}/details"))?,
                body,
            ))
        })();
        self.send(call, request)
    }

    /// Adds tags to several files.
    #[napi(
        ts_type = "(fileIds: string[], tags: string[]): Promise<IKResponse<void>>\nbulkAddTags(fileIds: string[], tags: string[], callback: IKCallback<IKResponse<void>>): void"
    )]
    pub fn bulk_add_tags(
        &self,
        env: Env,
        this: This,
        file_ids: Unknown,
        tags: Unknown,
        callback: Unknown,
    ) -> Result<Unknown<'static>> {
        let call = Call::new(&env, &this, callback)?;
        let request = file_ids_and_tags(
            &call,
            value(&file_ids),
            value(&tags),
            c"tags",
            "files/addTags",
        );
        self.send(call, request)
    }

    /// Removes tags from several files.
    #[napi(
        ts_type = "(fileIds: string[], tags: string[]): Promise<IKResponse<void>>\nbulkRemoveTags(fileIds: string[], tags: string[], callback: IKCallback<IKResponse<void>>): void"
    )]
    pub fn bulk_remove_tags(
        &self,
        env: Env,
        this: This,
        file_ids: Unknown,
        tags: Unknown,
        callback: Unknown,
    ) -> Result<Unknown<'static>> {
        let call = Call::new(&env, &this, callback)?;
        let request = file_ids_and_tags(
            &call,
            value(&file_ids),
            value(&tags),
            c"tags",
            "files/removeTags",
        );
        self.send(call, request)
    }

    /// Removes AI tags from several files.
    #[napi(
        js_name = "bulkRemoveAITags",
        ts_type = "(fileIds: string[], tags: string[]): Promise<IKResponse<void>>\nbulkRemoveAITags(fileIds: string[], tags: string[], callback: IKCallback<IKResponse<void>>): void"
    )]
    pub fn bulk_remove_ai_tags(
        &self,
        env: Env,
        this: This,
        file_ids: Unknown,
        tags: Unknown,
        callback: Unknown,
    ) -> Result<Unknown<'static>> {
        let call = Call::new(&env, &this, callback)?;
        let request = file_ids_and_tags(
            &call,
            value(&file_ids),
            value(&tags),
            c"AITags",
            "files/removeAITags",
        );
        self.send(call, request)
    }

    /// Deletes a file and all its versions.
    #[napi(
        ts_type = "(fileId: string): Promise<IKResponse<void>>\ndeleteFile(fileId: string, callback: IKCallback<IKResponse<void>>): void"
    )]
    pub fn delete_file(
        &self,
        env: Env,
        this: This,
        file_id: Unknown,
        callback: Unknown,
    ) -> Result<Unknown<'static>> {
        let call = Call::new(&env, &this, callback)?;
        let request = single_id(
            &call,
            value(&file_id),
            &errors::FILE_ID_MISSING,
            Method::Delete,
            |id| format!("files/{id}"),
        );
        self.send(call, request)
    }

    /// Deletes a version that is not the current one.
    #[napi(
        ts_type = "(deleteFileVersionOptions: DeleteFileVersionOptions): Promise<IKResponse<void>>\ndeleteFileVersion(deleteFileVersionOptions: DeleteFileVersionOptions, callback: IKCallback<IKResponse<void>>): void"
    )]
    pub fn delete_file_version(
        &self,
        env: Env,
        this: This,
        options: Unknown,
        callback: Unknown,
    ) -> Result<Unknown<'static>> {
        let call = Call::new(&env, &this, callback)?;
        let request = file_and_version(&call, value(&options)).and_then(|(file, version)| {
            Ok(plain_request(
                Method::Delete,
                call.api_url(&format!("files/{file}/versions/{version}"))?,
            ))
        });
        self.send(call, request)
    }

    /// Makes a version the current one.
    #[napi(
        ts_type = "(restoreFileVersionOptions: RestoreFileVersionOptions): Promise<IKResponse<FileObject>>\nrestoreFileVersion(restoreFileVersionOptions: RestoreFileVersionOptions, callback: IKCallback<IKResponse<FileObject>>): void"
    )]
    pub fn restore_file_version(
        &self,
        env: Env,
        this: This,
        options: Unknown,
        callback: Unknown,
    ) -> Result<Unknown<'static>> {
        let call = Call::new(&env, &this, callback)?;
        let request = file_and_version(&call, value(&options)).and_then(|(file, version)| {
            Ok(plain_request(
                Method::Put,
                call.api_url(&format!("files/{file}/versions/{version}/restore"))?,
            ))
        });
        self.send(call, request)
    }

    /// Purges a URL from the CDN cache.
    #[napi(
        ts_type = "(url: string): Promise<IKResponse<PurgeCacheResponse>>\npurgeCache(url: string, callback: IKCallback<IKResponse<PurgeCacheResponse>>): void"
    )]
    pub fn purge_cache(
        &self,
        env: Env,
        this: This,
        url: Unknown,
        callback: Unknown,
    ) -> Result<Unknown<'static>> {
        let call = Call::new(&env, &this, callback)?;
        let url = value(&url);
        let request = (|| {
            require(
                !missing_with_length(call.js, url, c"length")?,
                &errors::CACHE_PURGE_URL_MISSING,
            )?;
            let body = call.json(&[(c"url", Some(url))])?;
            Ok(json_request(
                Method::Post,
                call.api_url("files/purge")?,
                body,
            ))
        })();
        self.send(call, request)
    }

    /// Status of a purge request.
    #[napi(
        ts_type = "(requestId: string, callback: IKCallback<IKResponse<PurgeCacheStatusResponse>>): void\ngetPurgeCacheStatus(requestId: string): Promise<IKResponse<PurgeCacheStatusResponse>>"
    )]
    pub fn get_purge_cache_status(
        &self,
        env: Env,
        this: This,
        request_id: Unknown,
        callback: Unknown,
    ) -> Result<Unknown<'static>> {
        let call = Call::new(&env, &this, callback)?;
        let id = value(&request_id);
        let request = (|| {
            require(
                !missing_with_length(call.js, id, c"length")?,
                &errors::CACHE_PURGE_STATUS_ID_MISSING,
            )?;
            let id = call.segment(id, &errors::CACHE_PURGE_STATUS_ID_MISSING)?;
            Ok(plain_request(
                Method::Get,
                call.api_url(&format!("files/purge/{id}"))?,
            ))
        })();
        self.send(call, request)
    }

    /// Deletes several files; the answer lists the ids deleted and the ids not found.
    #[napi(
        ts_args_type = "fileIdArray: string[], callback?: IKCallback<IKResponse<BulkDeleteFilesResponse>, IKResponse<BulkDeleteFilesError>>",
        ts_return_type = "void | Promise<IKResponse<BulkDeleteFilesResponse>>"
    )]
    pub fn bulk_delete_files(
        &self,
        env: Env,
        this: This,
        file_ids: Unknown,
        callback: Unknown,
    ) -> Result<Unknown<'static>> {
        let call = Call::new(&env, &this, callback)?;
        let ids = value(&file_ids);
        let request = (|| {
            require(string_array(call.js, ids)?, &errors::INVALID_FILEIDS_VALUE)?;
            let body = call.json(&[(c"fileIds", Some(ids))])?;
            Ok(json_request(
                Method::Post,
                call.api_url("files/batch/deleteByFileIds")?,
                body,
            ))
        })();
        self.send(call, request)
    }

    /// Copies a file (optionally with its versions) to a folder.
    #[napi(
        ts_type = "(copyFileOptions: CopyFileOptions): Promise<IKResponse<void>>\ncopyFile(copyFileOptions: CopyFileOptions, callback: IKCallback<IKResponse<void>>): void"
    )]
    pub fn copy_file(
        &self,
        env: Env,
        this: This,
        options: Unknown,
        callback: Unknown,
    ) -> Result<Unknown<'static>> {
        let call = Call::new(&env, &this, callback)?;
        let request = copy_or_move(
            &call,
            value(&options),
            c"sourceFilePath",
            &errors::INVALID_SOURCE_FILE_PATH,
            true,
            "files/copy",
        );
        self.send(call, request)
    }

    /// Moves a file to a folder.
    #[napi(
        ts_type = "(moveFileOptions: MoveFileOptions): Promise<IKResponse<void>>\nmoveFile(moveFileOptions: MoveFileOptions, callback: IKCallback<IKResponse<void>>): void"
    )]
    pub fn move_file(
        &self,
        env: Env,
        this: This,
        options: Unknown,
        callback: Unknown,
    ) -> Result<Unknown<'static>> {
        let call = Call::new(&env, &this, callback)?;
        let request = copy_or_move(
            &call,
            value(&options),
            c"sourceFilePath",
            &errors::INVALID_SOURCE_FILE_PATH,
            false,
            "files/move",
        );
        self.send(call, request)
    }

    /// Renames a file, optionally purging the old URL from the cache.
    #[napi(
        ts_type = "(renameFileOptions: RenameFileOptions): Promise<IKResponse<RenameFileResponse>>\nrenameFile(renameFileOptions: RenameFileOptions, callback: IKCallback<IKResponse<RenameFileResponse>>): void"
    )]
    pub fn rename_file(
        &self,
        env: Env,
        this: This,
        options: Unknown,
        callback: Unknown,
    ) -> Result<Unknown<'static>> {
        let call = Call::new(&env, &this, callback)?;
        let js = call.js;
        let options = value(&options);
        let request = (|| {
            let file_path = prop(js, options, c"filePath")?;
            let new_file_name = prop(js, options, c"newFileName")?;
            let purge_cache = defaulted(js, prop(js, options, c"purgeCache")?, false)?;
            require(non_empty_string(js, file_path)?, &errors::INVALID_FILE_PATH)?;
            require(
                non_empty_string(js, new_file_name)?,
                &errors::INVALID_NEW_FILE_NAME,
            )?;
            require(
                js.type_of(purge_cache)? == ValueType::Boolean,
                &errors::INVALID_PURGE_CACHE,
            )?;
            let body = call.json(&[
                (c"filePath", Some(file_path)),
                (c"newFileName", Some(new_file_name)),
                (c"purgeCache", Some(purge_cache)),
            ])?;
            Ok(json_request(
                Method::Put,
                call.api_url("files/rename")?,
                body,
            ))
        })();
        self.send(call, request)
    }

    /// Creates a folder.
    #[napi(
        ts_type = "(createFolderOptions: CreateFolderOptions): Promise<IKResponse<void>>\ncreateFolder(createFolderOptions: CreateFolderOptions, callback: IKCallback<IKResponse<void>>): void"
    )]
    pub fn create_folder(
        &self,
        env: Env,
        this: This,
        options: Unknown,
        callback: Unknown,
    ) -> Result<Unknown<'static>> {
        let call = Call::new(&env, &this, callback)?;
        let js = call.js;
        let options = value(&options);
        let request = (|| {
            let folder_name = prop(js, options, c"folderName")?;
            let parent = prop(js, options, c"parentFolderPath")?;
            require(
                non_empty_string(js, folder_name)?,
                &errors::INVALID_FOLDER_NAME,
            )?;
            require(
                non_empty_string(js, parent)?,
                &errors::INVALID_PARENT_FOLDER_PATH,
            )?;
            let body = call.json(&[
                (c"folderName", Some(folder_name)),
                (c"parentFolderPath", Some(parent)),
            ])?;
            Ok(json_request(Method::Post, call.api_url("folder")?, body))
        })();
        self.send(call, request)
    }

    /// Deletes a folder and everything in it.
    #[napi(
        ts_type = "(folderPath: string): Promise<IKResponse<void>>\ndeleteFolder(folderPath: string, callback: IKCallback<IKResponse<void>>): void"
    )]
    pub fn delete_folder(
        &self,
        env: Env,
        this: This,
        folder_path: Unknown,
        callback: Unknown,
    ) -> Result<Unknown<'static>> {
        let call = Call::new(&env, &this, callback)?;
        let path = value(&folder_path);
        let request = (|| {
            require(
                non_empty_string(call.js, path)?,
                &errors::INVALID_FOLDER_PATH,
            )?;
            let body = call.json(&[(c"folderPath", Some(path))])?;
            Ok(json_request(Method::Delete, call.api_url("folder")?, body))
        })();
        self.send(call, request)
    }

    /// Starts a bulk job copying a folder.
    #[napi(
        ts_type = "(copyFolderOptions: CopyFolderOptions): Promise<IKResponse<CopyFolderResponse>>\ncopyFolder(copyFolderOptions: CopyFolderOptions, callback: IKCallback<IKResponse<CopyFolderResponse>, IKResponse<CopyFolderError>>): void"
    )]
    pub fn copy_folder(
        &self,
        env: Env,
        this: This,
        options: Unknown,
        callback: Unknown,
    ) -> Result<Unknown<'static>> {
        let call = Call::new(&env, &this, callback)?;
        let request = copy_or_move(
            &call,
            value(&options),
            c"sourceFolderPath",
            &errors::INVALID_SOURCE_FOLDER_PATH,
            true,
            "bulkJobs/copyFolder",
        );
        self.send(call, request)
    }

    /// Starts a bulk job moving a folder.
    #[napi(
        ts_type = "(moveFolderOptions: MoveFolderOptions): Promise<IKResponse<MoveFolderResponse>>\nmoveFolder(moveFolderOptions: MoveFolderOptions, callback: IKCallback<IKResponse<MoveFolderResponse>, IKResponse<MoveFolderError>>): void"
    )]
    pub fn move_folder(
        &self,
        env: Env,
        this: This,
        options: Unknown,
        callback: Unknown,
    ) -> Result<Unknown<'static>> {
        let call = Call::new(&env, &this, callback)?;
        let request = copy_or_move(
            &call,
            value(&options),
            c"sourceFolderPath",
            &errors::INVALID_SOURCE_FOLDER_PATH,
            false,
            "bulkJobs/moveFolder",
        );
        self.send(call, request)
    }

    /// Status of a copy or move folder job.
    #[napi(
        ts_type = "(jobId: string): Promise<IKResponse<void>>\ngetBulkJobStatus(jobId: string, callback: IKCallback<IKResponse<void>>): Promise<IKResponse<void>>"
    )]
    pub fn get_bulk_job_status(
        &self,
        env: Env,
        this: This,
        job_id: Unknown,
        callback: Unknown,
    ) -> Result<Unknown<'static>> {
        let call = Call::new(&env, &this, callback)?;
        let request = single_id(
            &call,
            value(&job_id),
            &errors::JOB_ID_MISSING,
            Method::Get,
            |id| format!("bulkJobs/{id}"),
        );
        self.send(call, request)
    }

    /// Defines a custom metadata field.
    #[napi(
        ts_type = "(createCustomMetadataFieldOptions: CreateCustomMetadataFieldOptions): Promise<IKResponse<CustomMetadataField>>\ncreateCustomMetadataField(createCustomMetadataFieldOptions: CreateCustomMetadataFieldOptions, callback: IKCallback<IKResponse<CustomMetadataField>>): Promise<IKResponse<CustomMetadataField>>"
    )]
    pub fn create_custom_metadata_field(
        &self,
        env: Env,
        this: This,
        options: Unknown,
        callback: Unknown,
    ) -> Result<Unknown<'static>> {
        let call = Call::new(&env, &this, callback)?;
        let js = call.js;
        let options = value(&options);
        let request = (|| {
            let name = prop(js, options, c"name")?;
            let label = prop(js, options, c"label")?;
            let schema = prop(js, options, c"schema")?;
            require(
                js.truthy(name)? && js.truthy(prop(js, name, c"length")?)?,
                &errors::CMF_NAME_MISSING,
            )?;
            require(
                js.truthy(label)? && js.truthy(prop(js, label, c"length")?)?,
                &errors::CMF_LABEL_MISSING,
            )?;
            require(js.truthy(schema)?, &errors::CMF_SCHEMA_MISSING)?;
            require(
                js.truthy(prop(js, schema, c"type")?)?,
                &errors::CMF_SCHEMA_INVALID,
            )?;
            let body = call.json(&[
                (c"name", Some(name)),
                (c"label", Some(label)),
                (c"schema", Some(schema)),
            ])?;
            Ok(json_request(
                Method::Post,
                call.api_url("customMetadataFields")?,
                body,
            ))
        })();
        self.send(call, request)
    }

    /// Lists custom metadata fields (deleted ones too with `includeDeleted`).
    #[napi(
        ts_type = "(getCustomMetadataFieldsOptions: GetCustomMetadataFieldsOptions): Promise<IKResponse<CustomMetadataField[]>>\ngetCustomMetadataFields(getCustomMetadataFieldsOptions: GetCustomMetadataFieldsOptions, callback: IKCallback<IKResponse<CustomMetadataField[]>>): Promise<IKResponse<CustomMetadataField[]>>"
    )]
    pub fn get_custom_metadata_fields(
        &self,
        env: Env,
        this: This,
        options: Unknown,
        callback: Unknown,
    ) -> Result<Unknown<'static>> {
        let call = Call::new(&env, &this, callback)?;
        let js = call.js;
        let options = value(&options);
        let request = (|| {
            let include_deleted =
                defaulted(js, prop_or_empty(js, options, c"includeDeleted")?, false)?;
            let params = js.object()?;
            js.set(params, c"includeDeleted", include_deleted)?;
            let pairs = axios_params(js, params, false)?;
            Ok(plain_request(
                Method::Get,
                media::with_query(&call.api_url("customMetadataFields")?, &pairs),
            ))
        })();
        self.send(call, request)
    }

    /// Changes the label or schema of a custom metadata field.
    #[napi(
        ts_type = "(fieldId: string, updateCustomMetadataFieldOptions: UpdateCustomMetadataFieldOptions): Promise<IKResponse<CustomMetadataField>>\nupdateCustomMetadataField(fieldId: string, updateCustomMetadataFieldOptions: UpdateCustomMetadataFieldOptions, callback: IKCallback<IKResponse<CustomMetadataField>>): Promise<IKResponse<CustomMetadataField>>"
    )]
    pub fn update_custom_metadata_field(
        &self,
        env: Env,
        this: This,
        field_id: Unknown,
        options: Unknown,
        callback: Unknown,
    ) -> Result<Unknown<'static>> {
        let call = Call::new(&env, &this, callback)?;
        let js = call.js;
        let (id, options) = (value(&field_id), value(&options));
        let request = (|| {
            let id = self::field_id(&call, id)?;
            let label = prop(js, options, c"label")?;
            let schema = prop(js, options, c"schema")?;
            require(
                js.truthy(label)? || js.truthy(schema)?,
                &errors::CMF_LABEL_SCHEMA_MISSING,
            )?;
            let body = call.json(&[
                (c"label", js.truthy(label)?.then_some(label)),
                (c"schema", js.truthy(schema)?.then_some(schema)),
            ])?;
            Ok(json_request(
                Method::Patch,
                call.api_url(&format!("customMetadataFields/{id}"))?,
                body,
            ))
        })();
        self.send(call, request)
    }

    /// Deletes a custom metadata field (ImageKit keeps it, marked deleted).
    #[napi(
        ts_type = "(fieldId: string): Promise<IKResponse<void>>\ndeleteCustomMetadataField(fieldId: string, callback: IKCallback<IKResponse<void>>): void"
    )]
    pub fn delete_custom_metadata_field(
        &self,
        env: Env,
        this: This,
        field_id: Unknown,
        callback: Unknown,
    ) -> Result<Unknown<'static>> {
        let call = Call::new(&env, &this, callback)?;
        let request = self::field_id(&call, value(&field_id)).and_then(|id| {
            Ok(plain_request(
                Method::Delete,
                call.api_url(&format!("customMetadataFields/{id}"))?,
            ))
        });
        self.send(call, request)
    }
}

/// copyFile, moveFile, copyFolder and moveFolder share their shape and checks.
fn copy_or_move(
    call: &Call,
    options: Value,
    source_name: &'static CStr,
    source_invalid: &'static ErrorMessage,
    with_versions: bool,
    path: &str,
) -> Validated<ApiRequest> {
    let js = call.js;
    let source = prop(js, options, source_name)?;
    let destination = prop(js, options, c"destinationPath")?;
    let versions = if with_versions {
        Some(defaulted(
            js,
            prop(js, options, c"includeFileVersions")?,
            false,
        )?)
    } else {
        None
    };
    require(non_empty_string(js, source)?, source_invalid)?;
    require(
        non_empty_string(js, destination)?,
        &errors::INVALID_DESTINATION_FOLDER_PATH,
    )?;
    if let Some(versions) = versions {
        require(
            js.type_of(versions)? == ValueType::Boolean,
            &errors::INVALID_INCLUDE_VERSION,
        )?;
    }
    let body = call.json(&[
        (source_name, Some(source)),
        (c"destinationPath", Some(destination)),
        (c"includeFileVersions", versions),
    ])?;
    Ok(json_request(Method::Post, call.api_url(path)?, body))
}

/// v6's upload checks, then one form field per option in `for…in` order.
fn upload_request(call: &Call, options: Value) -> Validated<ApiRequest> {
    let js = call.js;
    require(is_object(js, options)?, &errors::MISSING_UPLOAD_DATA)?;
    let file = js.get(options, c"file")?;
    require(js.truthy(file)?, &errors::MISSING_UPLOAD_FILE_PARAMETER)?;
    let file_name = js.get(options, c"fileName")?;
    require(
        js.truthy(file_name)?,
        &errors::MISSING_UPLOAD_FILENAME_PARAMETER,
    )?;
    check_upload_transformation(js, js.get(options, c"transformation")?)?;

    let mut fields = Vec::new();
    for key_value in js.for_in_keys(options)? {
        let key = js.string_value(key_value)?;
        if key.is_empty() {
            continue;
        }
        let value = js.get_key(options, key_value)?;
        let kind = js.type_of(value)?;
        let text = match key.as_str() {
            "file" if kind != ValueType::String => {
                fields.push(file_field(call, value, file_name)?);
                continue;
            }
            "tags" | "responseFields" if js.is_array(value)? => join(js, value)?,
            "extensions" if js.is_array(value)? => js.json_stringify(value)?.unwrap_or_default(),
            "customMetadata" if kind == ValueType::Object && !js.is_array(value)? => {
                js.json_stringify(value)?.unwrap_or_default()
            }
            "transformation" if kind == ValueType::Object => {
                js.json_stringify(value)?.unwrap_or_default()
            }
            "checks" if js.truthy(value)? => js.js_to_string(value)?,
            _ => js.string_of(value)?,
        };
        fields.push(FormField::Text {
            name: key,
            value: text,
        });
    }
    let url = call.option(c"uploadEndpoint", DEFAULT_UPLOAD_ENDPOINT)?;
    Ok(ApiRequest {
        method: Method::Post,
        url,
        body: Body::Multipart(fields),
    })
}

/// `transformation` must name `pre` and/or `post`; `pre` must be truthy and `post` an
/// array whose `abs` steps carry a protocol or value and whose other steps a value.
fn check_upload_transformation(js: Js, transformation: Value) -> Validated<()> {
    if !js.truthy(transformation)? {
        return Ok(());
    }
    let keys: Vec<String> = if is_object(js, transformation)? {
        js.own_keys(transformation)?
            .into_iter()
            .map(|k| js.string_value(k))
            .collect::<Result<_>>()?
    } else if js.type_of(transformation)? == ValueType::String {
        (0..js.string_value(transformation)?.encode_utf16().count())
            .map(|i| i.to_string())
            .collect()
    } else {
        Vec::new()
    };
    let has = |name: &str| keys.iter().any(|k| k == name);
    require(has("pre") || has("post"), &errors::INVALID_TRANSFORMATION)?;
    if has("pre") {
        require(
            js.truthy(js.get(transformation, c"pre")?)?,
            &errors::INVALID_PRE_TRANSFORMATION,
        )?;
    }
    if has("post") {
        let post = js.get(transformation, c"post")?;
        require(js.is_array(post)?, &errors::INVALID_POST_TRANSFORMATION)?;
        for step in js.elements(post)? {
            let kind = prop(js, step, c"type")?;
            let kind = if is_string(js, kind)? {
                js.string_value(kind)?
            } else {
                String::new()
            };
            let value = prop(js, step, c"value")?;
            if kind == "abs" {
                let protocol = prop(js, step, c"protocol")?;
                require(
                    js.truthy(protocol)? || js.truthy(value)?,
                    &errors::INVALID_POST_TRANSFORMATION,
                )?;
            } else if kind == "transformation" {
                require(js.truthy(value)?, &errors::INVALID_POST_TRANSFORMATION)?;
            }
        }
    }
    Ok(())
}

/// The `file` part for binary input, as form-data builds it from `append("file", file,
/// String(fileName))`: named after `basename(String(fileName))`, typed from the value's
/// `name` or `path`, an HTTP response's own Content-Type, or the file name, in that order.
/// A value form-data cannot send gets v6's error, never a part holding its text.
fn file_field(call: &Call, file: Value, file_name: Value) -> Validated<FormField> {
    let js = call.js;
    let file_name = js.string_of(file_name)?;
    let name = media::basename(&file_name).to_owned();
    let is_object = is_object(js, file)?;
    let mut content_type = None;
    if is_object {
        for property in [c"name", c"path"] {
            let value = js.get(file, property)?;
            if content_type.is_none() && is_string(js, value)? {
                content_type = media::media_type(&js.string_value(value)?).map(str::to_owned);
            }
        }
        if content_type.is_none() && js.truthy(js.get(file, c"readable")?)? {
            content_type = response_content_type(js, file)?;
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
    match js.type_of(file)? {
        // form-data appends a number as its text.
        ValueType::Number => {
            let text = js.string_of(file)?;
            return Ok(part(FileData::Bytes(Bytes::from(text.into_bytes()))));
        }
        // v6's request fails once under way, where Node's stream refuses the value.
        ValueType::Boolean => {
            let error = js.type_error(
                &format!(
                    "The \"chunk\" argument must be of type string or an instance of Buffer, \
                     TypedArray, or DataView. Received type boolean ({})",
                    js.string_of(file)?
                ),
                Some("ERR_INVALID_ARG_TYPE"),
            )?;
            return Err(Invalid::Deferred(error));
        }
        // form-data calls a function for the value to send, which v6 never gets: its
        // call never settles. Refused here instead.
        ValueType::Function => {
            let error = js.type_error(
                "The \"file\" option must be a string (a URL or base64 data), a Buffer, a \
                 Uint8Array or a readable stream. Received a function",
                Some("ERR_INVALID_ARG_TYPE"),
            )?;
            return Err(Invalid::Deferred(error));
        }
        _ => {}
    }
    if js.is_array(file)? {
        return Err(js.throw_error("Arrays are not supported.").into());
    }
    if js.is_uint8_array(file)? {
        // Shared with JavaScript, not copied: the part streams from the Buffer's memory.
        let bytes = unsafe { Uint8Array::from_napi_value(js.0, file.0)? };
        return Ok(part(FileData::Bytes(Bytes::from_owner(bytes))));
    }
    // Anything else is a stream to form-data, which subscribes to it and pauses it: the
    // TypeErrors v6 throws for a value without those methods (an ArrayBuffer, a DataView,
    // a Blob, a plain object, a web stream, a Symbol...).
    for (method, message) in [
        (c"on", "source.on is not a function"),
        (c"pause", "source.pause is not a function"),
    ] {
        if !js.is_function(prop(js, file, method)?)? {
            return Err(js.throw_type_error(message, None).into());
        }
    }
    let length = if is_object {
        stream_length(js, file)?
    } else {
        None
    };
    let (body, source) = upload_stream::prepare(js, file)?;
    call.read_source(source);
    Ok(part(FileData::Stream(body, length)))
}

fn has_own(js: Js, object: Value, name: &str) -> Result<bool> {
    let mut own = false;
    let key = js.string(name)?;
    unsafe { napi::sys::napi_has_own_property(js.0, object.0, key.0, &mut own) };
    Ok(own)
}

/// A stream's size as form-data measures it, so the request carries the Content-Length
/// v6's does: a file stream's range or its file's size less `start`, or an HTTP response's
/// Content-Length. None (a chunked body) for any other stream or when that fails.
fn stream_length(js: Js, stream: Value) -> Result<Option<u64>> {
    let number = |name: &CStr| -> Result<Option<f64>> {
        let value = js.get(stream, name)?;
        if js.type_of(value)? != ValueType::Number {
            return Ok(None);
        }
        let mut number = 0.0;
        unsafe { napi::sys::napi_get_value_double(js.0, value.0, &mut number) };
        Ok(Some(number))
    };
    let whole = |n: f64| (n.is_finite() && n >= 0.0 && n.fract() == 0.0).then_some(n as u64);
    if has_own(js, stream, "fd")? {
        let start = number(c"start")?.unwrap_or(0.0);
        if let Some(end) = number(c"end")?.filter(|end| end.is_finite()) {
            return Ok(whole(end + 1.0 - start));
        }
        let path = js.get(stream, c"path")?;
        if !is_string(js, path)? {
            return Ok(None);
        }
        let size = std::fs::metadata(js.string_value(path)?).map(|m| m.len() as f64);
        return Ok(size.ok().and_then(|size| whole(size - start)));
    }
    if has_own(js, stream, "httpVersion")? {
        let headers = js.get(stream, c"headers")?;
        if is_object(js, headers)? {
            let length = js.get(headers, c"content-length")?;
            if is_string(js, length)? {
                return Ok(js.string_value(length)?.trim().parse::<u64>().ok());
            }
        }
    }
    Ok(None)
}

/// The Content-Type of an `http.IncomingMessage` (a readable with its own `httpVersion`).
fn response_content_type(js: Js, file: Value) -> Result<Option<String>> {
    if !has_own(js, file, "httpVersion")? {
        return Ok(None);
    }
    let headers = js.get(file, c"headers")?;
    if !is_object(js, headers)? {
        return Ok(None);
    }
    let value = js.get(headers, c"content-type")?;
    Ok(if js.truthy(value)? {
        Some(js.js_to_string(value)?)
    } else {
        None
    })
}
