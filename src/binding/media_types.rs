//! TypeScript declarations of upload and the media API: the argument and result types the
//! asynchronous methods name in `media.rs`, shaped like v6's `dist/libs/interfaces` so code
//! type-checked against v6 compiles unchanged.
//!
//! Declarations only: these items exist for the generated `index.d.ts` and convert no values
//! (`media.rs` reads arguments with JavaScript's rules and results are the server's JSON), so
//! the conversions napi-rs would derive are switched off. Literal types napi-rs cannot infer
//! are spelled with `ts_type`; string unions are `string_enum`s, which `index.d.ts` declares
//! as type-only unions (`constEnum: false` in package.json).
//!
//! `IKResponse<T>` is the one type napi-rs cannot declare: it is a conditional type over an
//! intersection (`T & { $ResponseMetadata: ResponseMetadata }`), and napi-rs's type
//! generator has neither. It lives in `index.d.header.ts`, which napi-rs puts at the top of
//! `index.d.ts`.

// Nothing constructs or reads these items: they exist for their declarations.
#![allow(dead_code)]

use std::collections::HashMap;

use napi::bindgen_prelude::{Date, Either, Either3, Either4, Either5, FnArgs, Function, Null};
use napi_derive::napi;

/// The HTTP status and headers of the response a result or an API error came from.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct ResponseMetadata {
    pub status_code: f64,
    /// Header names in lower case.
    #[napi(ts_type = "Record<string, string | number | boolean>")]
    pub headers: HashMap<String, String>,
}

/// The callback every asynchronous method takes last: an error, or the result.
#[napi(js_name = "IKCallback<T, E extends Error = Error>")]
pub type IKCallback<T, E> = Function<'static, FnArgs<(Either<E, Null>, Either<T, Null>)>, ()>;

/// Kind of file: `all` (a `listFiles` filter only), `image` or `non-image`.
#[napi(string_enum)]
pub enum FileType {
    #[napi(value = "all")]
    All,
    #[napi(value = "image")]
    Image,
    #[napi(value = "non-image")]
    NonImage,
}

/// A file format such as `jpg`, `png`, `webp`, `pdf` or `mp4`; any other string may come too.
#[napi]
pub type FileFormat = String;

/// Metadata embedded in the file (EXIF, IPTC, XMP...), by field name.
#[napi]
pub type EmbeddedMetadataValues = HashMap<
    String,
    Either5<String, f64, bool, Date<'static>, Vec<Either4<String, f64, bool, Date<'static>>>>,
>;

/// Custom metadata values, by field name.
#[napi]
pub type CMValues = HashMap<String, Either4<String, f64, bool, Vec<Either3<String, f64, bool>>>>;

/// Who assigned an AI tag.
#[napi(string_enum)]
pub enum AITagSource {
    #[napi(value = "google-auto-tagging")]
    GoogleAutoTagging,
    #[napi(value = "aws-auto-tagging")]
    AwsAutoTagging,
}

/// A tag assigned by an auto-tagging extension.
#[napi(
    object,
    object_to_js = false,
    object_from_js = false,
    js_name = "AITagItem"
)]
pub struct AITagItem {
    pub name: String,
    pub confidence: f64,
    pub source: AITagSource,
}

/// Options of the background-removal extension.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct BgRemovalOptions {
    #[napi(js_name = "bg_color")]
    pub bg_color: Option<String>,
    #[napi(js_name = "bg_image_url")]
    pub bg_image_url: Option<String>,
    #[napi(js_name = "add_shadow")]
    pub add_shadow: bool,
    pub semitransparency: bool,
}

/// The background-removal extension (`remove-bg`).
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct BgRemoval {
    pub name: String,
    pub options: BgRemovalOptions,
}

/// An auto-tagging extension (`google-auto-tagging`, `aws-auto-tagging`).
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct AutoTag {
    pub name: String,
    pub max_tags: f64,
    pub min_confidence: f64,
}

/// Extensions to apply on upload or update.
#[napi]
pub type Extension = Vec<Either<BgRemoval, AutoTag>>;

/// Publication status to set with `updateFileDetails`.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct PublishOptions {
    pub is_published: bool,
    pub include_file_versions: Option<bool>,
}

/// What `updateFileDetails` changes.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct FileDetailsOptions {
    pub tags: Option<Vec<String>>,
    /// An area of interest as `x,y,width,height`.
    pub custom_coordinates: Option<String>,
    pub extensions: Option<Extension>,
    pub webhook_url: Option<String>,
    #[napi(js_name = "removeAITags")]
    pub remove_ai_tags: Option<Vec<String>>,
    pub custom_metadata: Option<CMValues>,
    pub publish: Option<PublishOptions>,
}

/// Name and id of a file version.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct VersionInfo {
    pub name: String,
    pub id: String,
}

/// A file (or one version of it) in the media library. `type` tells it from a `FolderObject`.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct FileObject {
    pub file_id: String,
    #[napi(ts_type = "\"file\" | \"file-version\"")]
    pub r#type: String,
    pub name: String,
    pub file_path: String,
    #[napi(ts_type = "string[] | null")]
    pub tags: Option<Vec<String>>,
    pub is_private_file: bool,
    /// `x,y,width,height`, or null when none is set.
    #[napi(ts_type = "string | null")]
    pub custom_coordinates: String,
    pub url: String,
    pub thumbnail: String,
    pub file_type: FileType,
    #[napi(js_name = "AITags")]
    pub ai_tags: Option<Vec<AITagItem>>,
    pub extension_status: Option<HashMap<String, String>>,
    #[napi(ts_type = "EmbeddedMetadataValues | null")]
    pub embedded_metadata: Option<EmbeddedMetadataValues>,
    pub custom_metadata: Option<CMValues>,
    pub size: f64,
    pub created_at: String,
    pub updated_at: String,
    pub height: f64,
    pub width: f64,
    pub has_alpha: bool,
    pub mime: Option<String>,
    pub version_info: Option<VersionInfo>,
}

/// A folder in the media library (`listFiles` with folders included).
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct FolderObject {
    pub folder_id: String,
    #[napi(ts_type = "\"folder\"")]
    pub r#type: String,
    pub name: String,
    pub folder_path: String,
    pub created_at: String,
    pub updated_at: String,
}

/// One version of a file, as `getFileVersions`, `getFileVersionDetails` and
/// `restoreFileVersion` give it.
#[napi]
pub type FileVersionDetailsResponse = FileObject;

/// Which version `getFileVersionDetails` describes.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct FileVersionDetailsOptions {
    pub file_id: String,
    pub version_id: String,
}

/// Which version `deleteFileVersion` deletes.
#[napi]
pub type DeleteFileVersionOptions = FileVersionDetailsOptions;

/// Which version `restoreFileVersion` makes the current one.
#[napi]
pub type RestoreFileVersionOptions = FileVersionDetailsOptions;

/// Filters, search and paging of `listFiles`.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct ListFileOptions {
    /// Folder to search in, e.g. `/sales-banner/`.
    pub path: Option<String>,
    pub file_type: Option<FileType>,
    /// Files with any of these tags (an array or a comma-separated string).
    pub tags: Option<Either<String, Vec<String>>>,
    pub include_folder: Option<bool>,
    pub name: Option<String>,
    /// 1 to 1000 (the default).
    pub limit: Option<f64>,
    pub skip: Option<f64>,
    /// `ASC_NAME`, `DESC_CREATED`, `ASC_SIZE`...
    pub sort: Option<String>,
    /// `file` (the default), `file-version`, `folder` or `all`.
    pub r#type: Option<String>,
    /// A Lucene-like query; `tags`, `type` and `name` are then ignored.
    pub search_query: Option<String>,
}

/// What `listFiles` finds: files and, when asked for, folders.
#[napi]
pub type ListFileResponse = Vec<Either<FileObject, FolderObject>>;

/// EXIF `image` block (IFD0).
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct ExifImage {
    #[napi(js_name = "Make")]
    pub make: String,
    #[napi(js_name = "Model")]
    pub model: String,
    #[napi(js_name = "Orientation")]
    pub orientation: f64,
    #[napi(js_name = "XResolution")]
    pub x_resolution: f64,
    #[napi(js_name = "YResolution")]
    pub y_resolution: f64,
    #[napi(js_name = "ResolutionUnit")]
    pub resolution_unit: f64,
    #[napi(js_name = "Software")]
    pub software: String,
    #[napi(js_name = "ModifyDate")]
    pub modify_date: String,
    #[napi(js_name = "YCbCrPositioning")]
    pub y_cb_cr_positioning: f64,
    #[napi(js_name = "ExifOffset")]
    pub exif_offset: f64,
    #[napi(js_name = "GPSInfo")]
    pub gps_info: f64,
}

/// EXIF `thumbnail` block (IFD1).
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct ExifThumbnail {
    #[napi(js_name = "Compression")]
    pub compression: f64,
    #[napi(js_name = "XResolution")]
    pub x_resolution: f64,
    #[napi(js_name = "YResolution")]
    pub y_resolution: f64,
    #[napi(js_name = "ResolutionUnit")]
    pub resolution_unit: f64,
    #[napi(js_name = "ThumbnailOffset")]
    pub thumbnail_offset: f64,
    #[napi(js_name = "ThumbnailLength")]
    pub thumbnail_length: f64,
}

/// EXIF `exif` block (the Exif IFD).
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct ExifDetails {
    #[napi(js_name = "ExposureTime")]
    pub exposure_time: f64,
    #[napi(js_name = "FNumber")]
    pub f_number: f64,
    #[napi(js_name = "ExposureProgram")]
    pub exposure_program: f64,
    #[napi(js_name = "ISO")]
    pub iso: f64,
    #[napi(js_name = "ExifVersion")]
    pub exif_version: String,
    #[napi(js_name = "DateTimeOriginal")]
    pub date_time_original: String,
    #[napi(js_name = "CreateDate")]
    pub create_date: String,
    #[napi(js_name = "ShutterSpeedValue")]
    pub shutter_speed_value: f64,
    #[napi(js_name = "ApertureValue")]
    pub aperture_value: f64,
    #[napi(js_name = "ExposureCompensation")]
    pub exposure_compensation: f64,
    #[napi(js_name = "MeteringMode")]
    pub metering_mode: f64,
    #[napi(js_name = "Flash")]
    pub flash: f64,
    #[napi(js_name = "FocalLength")]
    pub focal_length: f64,
    #[napi(js_name = "SubSecTime")]
    pub sub_sec_time: String,
    #[napi(js_name = "SubSecTimeOriginal")]
    pub sub_sec_time_original: String,
    #[napi(js_name = "SubSecTimeDigitized")]
    pub sub_sec_time_digitized: String,
    #[napi(js_name = "FlashpixVersion")]
    pub flashpix_version: String,
    #[napi(js_name = "ColorSpace")]
    pub color_space: f64,
    #[napi(js_name = "ExifImageWidth")]
    pub exif_image_width: f64,
    #[napi(js_name = "ExifImageHeight")]
    pub exif_image_height: f64,
    #[napi(js_name = "InteropOffset")]
    pub interop_offset: f64,
    #[napi(js_name = "FocalPlaneXResolution")]
    pub focal_plane_x_resolution: f64,
    #[napi(js_name = "FocalPlaneYResolution")]
    pub focal_plane_y_resolution: f64,
    #[napi(js_name = "FocalPlaneResolutionUnit")]
    pub focal_plane_resolution_unit: f64,
    #[napi(js_name = "CustomRendered")]
    pub custom_rendered: f64,
    #[napi(js_name = "ExposureMode")]
    pub exposure_mode: f64,
    #[napi(js_name = "WhiteBalance")]
    pub white_balance: f64,
    #[napi(js_name = "SceneCaptureType")]
    pub scene_capture_type: f64,
}

/// EXIF `gps` block.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct ExifGps {
    #[napi(js_name = "GPSVersionID")]
    pub gps_version_id: Vec<f64>,
}

/// EXIF `interoperability` block.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct ExifInteroperability {
    #[napi(js_name = "InteropIndex")]
    pub interop_index: String,
    #[napi(js_name = "InteropVersion")]
    pub interop_version: String,
}

/// The EXIF data of an image, by block.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct Exif {
    pub image: ExifImage,
    pub thumbnail: ExifThumbnail,
    pub exif: ExifDetails,
    pub gps: ExifGps,
    pub interoperability: ExifInteroperability,
    pub makernote: HashMap<String, String>,
}

/// Dimensions, format, pHash and EXIF of a file (`getFileMetadata`, `responseFields: "metadata"`).
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct FileMetadataResponse {
    pub height: f64,
    pub width: f64,
    pub size: f64,
    pub format: FileFormat,
    pub has_color_profile: bool,
    pub quality: f64,
    pub density: f64,
    pub has_transparency: bool,
    /// Perceptual hash, for `pHashDistance`.
    #[napi(js_name = "pHash")]
    pub p_hash: String,
    pub exif: Exif,
}

/// A `post` transformation that produces a named transformation.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct TransformationObject {
    #[napi(ts_type = "\"transformation\"")]
    pub r#type: String,
    pub value: String,
}

/// A `post` transformation turning a GIF into a video, or making a thumbnail.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct GifToVideoOrThumbnailObject {
    #[napi(ts_type = "\"gif-to-video\" | \"thumbnail\"")]
    pub r#type: String,
    pub value: Option<String>,
}

/// A `post` transformation producing adaptive-bitrate streams.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct AbsObject {
    #[napi(ts_type = "\"abs\"")]
    pub r#type: String,
    pub value: String,
    #[napi(ts_type = "\"hls\" | \"dash\"")]
    pub protocol: String,
}

/// A transformation ImageKit runs after an upload.
#[napi]
pub type PostTransformation = Either3<TransformationObject, GifToVideoOrThumbnailObject, AbsObject>;

/// Transformations applied on upload: `pre` before storing, `post` afterwards.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct UploadTransformation {
    pub pre: Option<String>,
    pub post: Option<Vec<PostTransformation>>,
}

/// The file to upload and how to store it.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct UploadOptions {
    /// A URL or base64 string, a Buffer or Uint8Array, or a readable stream.
    #[napi(ts_type = "string | Buffer | Uint8Array | import('stream').Readable")]
    pub file: String,
    pub file_name: String,
    pub use_unique_file_name: Option<bool>,
    /// An array or a comma-separated string.
    pub tags: Option<Either<String, Vec<String>>>,
    /// Folder to upload into, created when missing; `/` by default.
    pub folder: Option<String>,
    pub is_private_file: Option<bool>,
    /// An area of interest as `x,y,width,height`.
    pub custom_coordinates: Option<String>,
    /// Fields to include in the response (`tags`, `metadata`...).
    pub response_fields: Option<Either<String, Vec<String>>>,
    pub extensions: Option<Extension>,
    pub webhook_url: Option<String>,
    pub overwrite_file: Option<bool>,
    #[napi(js_name = "overwriteAITags")]
    pub overwrite_ai_tags: Option<bool>,
    pub overwrite_tags: Option<bool>,
    pub overwrite_custom_metadata: Option<bool>,
    pub custom_metadata: Option<CMValues>,
    pub transformation: Option<UploadTransformation>,
    /// Server-side checks the upload must pass.
    pub checks: Option<String>,
    pub is_published: Option<bool>,
    /// Called with the request body's bytes the connection has taken so far and the body's
    /// size (`null` for a stream of unknown length), at most every 100 ms while the upload
    /// is sent, and once more with the final count just before the call settles; never
    /// after it. A retried upload counts again from 0. Not sent to ImageKit.
    #[napi(ts_type = "(progress: UploadProgress) => void")]
    pub on_progress: Option<String>,
}

/// How much of an upload has been sent.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct UploadProgress {
    /// Bytes of the request body handed to the connection (the file and the form around it).
    pub loaded: f64,
    /// The body's size; `null` when the file is a stream of unknown length.
    #[napi(ts_type = "number | null")]
    pub total: f64,
}

/// The uploaded file.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct UploadResponse {
    pub file_id: String,
    pub name: String,
    pub url: String,
    pub thumbnail_url: String,
    pub height: f64,
    pub width: f64,
    pub size: f64,
    pub file_type: FileType,
    pub file_path: String,
    pub tags: Option<Vec<String>>,
    pub is_private_file: bool,
    #[napi(ts_type = "string | null")]
    pub custom_coordinates: String,
    /// Present when `responseFields` asks for `metadata`.
    pub metadata: Option<FileMetadataResponse>,
    #[napi(js_name = "AITags")]
    pub ai_tags: Option<Vec<AITagItem>>,
    pub extension_status: Option<HashMap<String, String>>,
    #[napi(ts_type = "EmbeddedMetadataValues | null")]
    pub embedded_metadata: Option<EmbeddedMetadataValues>,
    pub custom_metadata: Option<CMValues>,
    pub is_published: Option<bool>,
}

/// A submitted cache purge.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct PurgeCacheResponse {
    /// For `getPurgeCacheStatus`.
    pub request_id: String,
}

/// Progress of a cache purge.
#[napi(string_enum)]
pub enum PurgeCacheStatus {
    Pending,
    Completed,
}

/// Progress of a cache purge.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct PurgeCacheStatusResponse {
    pub status: PurgeCacheStatus,
}

/// Files `bulkDeleteFiles` deleted.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct BulkDeleteFilesResponse {
    pub successfully_deleted_file_ids: Vec<String>,
}

/// `bulkDeleteFiles` found some of the files missing (an `Error`).
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct BulkDeleteFilesError {
    pub name: String,
    pub message: String,
    pub stack: Option<String>,
    pub help: String,
    pub missing_file_ids: Vec<String>,
}

/// Which file `copyFile` copies, and where.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct CopyFileOptions {
    /// e.g. `/path/to/file.jpg`.
    pub source_file_path: String,
    /// e.g. `/folder/to/copy/into/`.
    pub destination_path: String,
    /// Copy every version, not only the current one.
    pub include_file_versions: Option<bool>,
}

/// Which file `moveFile` moves, and where.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct MoveFileOptions {
    pub source_file_path: String,
    pub destination_path: String,
}

/// The file `renameFile` renames and its new name.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct RenameFileOptions {
    /// e.g. `/path/to/file.jpg`.
    pub file_path: String,
    pub new_file_name: String,
    /// Purge the old URL from the CDN cache.
    pub purge_cache: bool,
}

/// A renamed file.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct RenameFileResponse {
    /// Present when `purgeCache` was set.
    pub purge_request_id: Option<String>,
}

/// The folder `createFolder` creates.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct CreateFolderOptions {
    pub folder_name: String,
    /// `/` for the root; missing parents are created.
    pub parent_folder_path: String,
}

/// Which folder `copyFolder` copies, and where.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct CopyFolderOptions {
    pub source_folder_path: String,
    pub destination_path: String,
    pub include_file_versions: Option<bool>,
}

/// The bulk job copying or moving a folder.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct CopyFolderResponse {
    /// For `getBulkJobStatus`.
    pub job_id: String,
}

/// Nothing found to copy or move (an `Error`).
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct CopyFolderError {
    pub name: String,
    pub message: String,
    pub stack: Option<String>,
    pub help: String,
    pub reason: String,
}

/// Which folder `moveFolder` moves, and where.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct MoveFolderOptions {
    pub source_folder_path: String,
    pub destination_path: String,
}

/// The bulk job moving a folder.
#[napi]
pub type MoveFolderResponse = CopyFolderResponse;

/// Nothing found to move (an `Error`).
#[napi]
pub type MoveFolderError = CopyFolderError;

/// State of a copy or move folder job.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct BulkJobStatusResponse {
    pub job_id: String,
    /// `COPY_FOLDER` or `MOVE_FOLDER`.
    pub r#type: String,
    /// `Pending` or `Completed`.
    pub status: String,
}

/// A custom metadata field's schema when a value is required, by field type.
#[napi(discriminant = "type", object_to_js = false, object_from_js = false)]
pub enum RequiredCustomMetadataFieldSchema {
    Text {
        #[napi(ts_type = "true")]
        is_value_required: bool,
        default_value: String,
        min_length: Option<f64>,
        max_length: Option<f64>,
    },
    Textarea {
        #[napi(ts_type = "true")]
        is_value_required: bool,
        default_value: String,
        min_length: Option<f64>,
        max_length: Option<f64>,
    },
    Number {
        #[napi(ts_type = "true")]
        is_value_required: bool,
        default_value: f64,
        min_value: Option<Either<String, f64>>,
        max_value: Option<Either<String, f64>>,
    },
    Date {
        #[napi(ts_type = "true")]
        is_value_required: bool,
        default_value: f64,
        min_value: Option<Either<String, f64>>,
        max_value: Option<Either<String, f64>>,
    },
    Boolean {
        #[napi(ts_type = "true")]
        is_value_required: bool,
        #[napi(ts_type = "Boolean")]
        default_value: bool,
    },
    SingleSelect {
        #[napi(ts_type = "true")]
        is_value_required: bool,
        default_value: Vec<Either3<String, bool, f64>>,
        select_options: Vec<Either3<String, bool, f64>>,
    },
    MultiSelect {
        #[napi(ts_type = "true")]
        is_value_required: bool,
        default_value: Vec<Either3<String, bool, f64>>,
        select_options: Vec<Either3<String, bool, f64>>,
    },
}

/// A custom metadata field's schema when a value is optional, by field type.
#[napi(discriminant = "type", object_to_js = false, object_from_js = false)]
pub enum OptionalCustomMetadataFieldSchema {
    Text {
        #[napi(ts_type = "false")]
        is_value_required: Option<bool>,
        default_value: Option<String>,
        min_length: Option<f64>,
        max_length: Option<f64>,
    },
    Textarea {
        #[napi(ts_type = "false")]
        is_value_required: Option<bool>,
        default_value: Option<String>,
        min_length: Option<f64>,
        max_length: Option<f64>,
    },
    Number {
        #[napi(ts_type = "false")]
        is_value_required: Option<bool>,
        default_value: Option<f64>,
        min_value: Option<Either<String, f64>>,
        max_value: Option<Either<String, f64>>,
    },
    Date {
        #[napi(ts_type = "false")]
        is_value_required: Option<bool>,
        default_value: Option<f64>,
        min_value: Option<Either<String, f64>>,
        max_value: Option<Either<String, f64>>,
    },
    Boolean {
        #[napi(ts_type = "false")]
        is_value_required: Option<bool>,
        #[napi(ts_type = "Boolean")]
        default_value: Option<bool>,
    },
    SingleSelect {
        #[napi(ts_type = "false")]
        is_value_required: Option<bool>,
        default_value: Option<Vec<Either3<String, bool, f64>>>,
        select_options: Vec<Either3<String, bool, f64>>,
    },
    MultiSelect {
        #[napi(ts_type = "false")]
        is_value_required: Option<bool>,
        default_value: Option<Vec<Either3<String, bool, f64>>>,
        select_options: Vec<Either3<String, bool, f64>>,
    },
}

/// The rules of a custom metadata field: its `type` and the constraints on its values.
#[napi]
pub type CustomMetadataFieldSchema =
    Either<RequiredCustomMetadataFieldSchema, OptionalCustomMetadataFieldSchema>;

/// A schema change for `updateCustomMetadataField`: any rule of a schema but its `type`,
/// which cannot change.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct CustomMetadataFieldSchemaMinusType {
    pub is_value_required: Option<bool>,
    #[napi(ts_type = "string | number | Boolean | Array<string | boolean | number>")]
    pub default_value: Option<String>,
    pub min_length: Option<f64>,
    pub max_length: Option<f64>,
    pub min_value: Option<Either<String, f64>>,
    pub max_value: Option<Either<String, f64>>,
    pub select_options: Option<Vec<Either3<String, bool, f64>>>,
}

/// A custom metadata field to define.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct CreateCustomMetadataFieldOptions {
    /// Unique among all fields, deleted ones included.
    pub name: String,
    /// Unique among fields not deleted.
    pub label: String,
    pub schema: CustomMetadataFieldSchema,
}

/// A custom metadata field.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct CustomMetadataField {
    pub id: String,
    pub name: String,
    pub label: String,
    pub schema: CustomMetadataFieldSchema,
}

/// The new label and/or schema of a custom metadata field.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct UpdateCustomMetadataFieldOptions {
    pub label: Option<String>,
    pub schema: Option<CustomMetadataFieldSchemaMinusType>,
}

/// Whether `getCustomMetadataFields` includes deleted fields.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct GetCustomMetadataFieldsOptions {
    pub include_deleted: Option<bool>,
}
