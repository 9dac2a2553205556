//! TypeScript declarations of the API areas v6 lacks (folder rename, saved extensions,
//! named transformations, origins, URL endpoints, usage), named in v6's style
//! (`CreateXOptions`, `UpdateXOptions`, `XResponse`) and shaped like ImageKit's API.
//!
//! Declarations only, like `media_types.rs`: arguments are read by the core and results
//! are the server's JSON, so napi-rs's conversions are switched off. Unions of object
//! types are `Either`s, which napi-rs declares as TypeScript unions.

// Nothing constructs or reads these items: they exist for their declarations.
#![allow(dead_code)]

use napi::bindgen_prelude::{Either4, Either7};
use napi_derive::napi;

/// The folder to rename and its new name.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct RenameFolderOptions {
    /// Full path of the folder, like `/products/summer`.
    pub folder_path: String,
    /// The new name: characters other than letters, digits and `-` become `_`.
    pub new_folder_name: String,
    /// Purges the CDN cache of every file under the old path (one purge request).
    pub purge_cache: Option<bool>,
}

/// The bulk job renaming a folder; `getBulkJobStatus(jobId)` follows it.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct RenameFolderResponse {
    pub job_id: String,
}

/// Options of a saved background removal: any of them may be left out.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct SavedBgRemovalOptions {
    #[napi(js_name = "add_shadow")]
    pub add_shadow: Option<bool>,
    #[napi(js_name = "bg_color")]
    pub bg_color: Option<String>,
    #[napi(js_name = "bg_image_url")]
    pub bg_image_url: Option<String>,
    pub semitransparency: Option<bool>,
}

/// Background removal (`remove-bg`).
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct SavedBgRemoval {
    #[napi(ts_type = "'remove-bg'")]
    pub name: String,
    pub options: Option<SavedBgRemovalOptions>,
}

/// Auto-tagging (`google-auto-tagging`, `aws-auto-tagging`).
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct SavedAutoTag {
    #[napi(ts_type = "'google-auto-tagging' | 'aws-auto-tagging'")]
    pub name: String,
    pub max_tags: f64,
    pub min_confidence: f64,
}

/// An AI-written description (`ai-auto-description`).
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct SavedAutoDescription {
    #[napi(ts_type = "'ai-auto-description'")]
    pub name: String,
}

/// What an AI task does to the file after a yes/no answer.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct AiTaskActions {
    #[napi(js_name = "add_tags")]
    pub add_tags: Option<Vec<String>>,
    #[napi(js_name = "remove_tags")]
    pub remove_tags: Option<Vec<String>>,
    #[napi(
        js_name = "set_metadata",
        ts_type = "Array<{ field: string; value: string | number | boolean | Array<string | number | boolean> }>"
    )]
    pub set_metadata: Option<Vec<String>>,
    #[napi(js_name = "unset_metadata", ts_type = "Array<{ field: string }>")]
    pub unset_metadata: Option<Vec<String>>,
}

/// One task of the `ai-tasks` extension: pick tags or a custom metadata value from a
/// vocabulary, or answer a yes/no question and act on the answer.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct AiTask {
    #[napi(ts_type = "'select_tags' | 'select_metadata' | 'yes_no'")]
    pub r#type: String,
    pub instruction: String,
    /// The custom metadata field a `select_metadata` task sets.
    pub field: Option<String>,
    #[napi(ts_type = "Array<string | number | boolean>")]
    pub vocabulary: Option<Vec<String>>,
    #[napi(js_name = "min_selections")]
    pub min_selections: Option<f64>,
    #[napi(js_name = "max_selections")]
    pub max_selections: Option<f64>,
    #[napi(js_name = "on_yes")]
    pub on_yes: Option<AiTaskActions>,
    #[napi(js_name = "on_no")]
    pub on_no: Option<AiTaskActions>,
    #[napi(js_name = "on_unknown")]
    pub on_unknown: Option<AiTaskActions>,
}

/// AI tasks (`ai-tasks`).
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct SavedAiTasks {
    #[napi(ts_type = "'ai-tasks'")]
    pub name: String,
    pub tasks: Vec<AiTask>,
}

/// The extension a saved extension holds.
#[napi]
pub type SavedExtensionConfig =
    Either4<SavedBgRemoval, SavedAutoTag, SavedAutoDescription, SavedAiTasks>;

/// An extension configuration saved under a name, referred to by its id on upload.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct SavedExtension {
    pub id: String,
    pub name: String,
    pub description: String,
    pub config: SavedExtensionConfig,
    pub created_at: String,
    pub updated_at: String,
}

#[napi(object, object_to_js = false, object_from_js = false)]
pub struct CreateSavedExtensionOptions {
    pub name: String,
    pub description: String,
    pub config: SavedExtensionConfig,
}

/// The fields to change; the others stay.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct UpdateSavedExtensionOptions {
    pub name: Option<String>,
    pub description: Option<String>,
    pub config: Option<SavedExtensionConfig>,
}

/// A transformation string under a name, applied by URLs as `tr:n-<name>`.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct NamedTransformation {
    pub id: String,
    /// Letters, digits and underscores; unique in the account.
    pub name: String,
    /// Like `w-150,h-150,fo-center`.
    pub transformation: String,
    /// A disabled one fails delivery.
    pub enabled: bool,
    pub created_at: String,
}

#[napi(object, object_to_js = false, object_from_js = false)]
pub struct CreateNamedTransformationOptions {
    pub name: String,
    pub transformation: String,
    /// Default true.
    pub enabled: Option<bool>,
}

/// The fields to change; the others stay.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct UpdateNamedTransformationOptions {
    pub name: Option<String>,
    pub transformation: Option<String>,
    pub enabled: Option<bool>,
}

/// An S3 bucket (`S3`), or a Cloudinary backup bucket (`CLOUDINARY_BACKUP`).
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct S3OriginOptions {
    #[napi(ts_type = "'S3' | 'CLOUDINARY_BACKUP'")]
    pub r#type: String,
    pub name: String,
    pub bucket: String,
    /// Empty with `useIAMRole`.
    pub access_key: String,
    /// Empty with `useIAMRole`.
    pub secret_key: String,
    pub prefix: Option<String>,
    #[napi(js_name = "useIAMRole")]
    pub use_iam_role: Option<bool>,
    pub include_canonical_header: Option<bool>,
    pub base_url_for_canonical_header: Option<String>,
}

/// A bucket of an S3-compatible store (`S3_COMPATIBLE`).
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct S3CompatibleOriginOptions {
    #[napi(ts_type = "'S3_COMPATIBLE'")]
    pub r#type: String,
    pub name: String,
    pub bucket: String,
    pub endpoint: String,
    pub access_key: String,
    pub secret_key: String,
    pub prefix: Option<String>,
    pub s3_force_path_style: Option<bool>,
    pub include_canonical_header: Option<bool>,
    pub base_url_for_canonical_header: Option<String>,
}

/// A web server's folder (`WEB_FOLDER`).
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct WebFolderOriginOptions {
    #[napi(ts_type = "'WEB_FOLDER'")]
    pub r#type: String,
    pub name: String,
    pub base_url: String,
    pub forward_host_header_to_origin: Option<bool>,
    pub include_canonical_header: Option<bool>,
    pub base_url_for_canonical_header: Option<String>,
}

/// Any public URL (`WEB_PROXY`).
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct WebProxyOriginOptions {
    #[napi(ts_type = "'WEB_PROXY'")]
    pub r#type: String,
    pub name: String,
    pub include_canonical_header: Option<bool>,
    pub base_url_for_canonical_header: Option<String>,
}

/// A Google Cloud Storage bucket (`GCS`).
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct GcsOriginOptions {
    #[napi(ts_type = "'GCS'")]
    pub r#type: String,
    pub name: String,
    pub bucket: String,
    pub client_email: String,
    pub private_key: String,
    pub prefix: Option<String>,
    pub include_canonical_header: Option<bool>,
    pub base_url_for_canonical_header: Option<String>,
}

/// An Azure Blob Storage container (`AZURE_BLOB`).
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct AzureBlobOriginOptions {
    #[napi(ts_type = "'AZURE_BLOB'")]
    pub r#type: String,
    pub name: String,
    pub account_name: String,
    pub container: String,
    pub sas_token: String,
    pub prefix: Option<String>,
    pub include_canonical_header: Option<bool>,
    pub base_url_for_canonical_header: Option<String>,
}

/// An Akeneo PIM instance (`AKENEO_PIM`).
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct AkeneoPimOriginOptions {
    #[napi(ts_type = "'AKENEO_PIM'")]
    pub r#type: String,
    pub name: String,
    pub base_url: String,
    pub client_id: String,
    pub client_secret: String,
    pub username: String,
    pub password: String,
    pub include_canonical_header: Option<bool>,
    pub base_url_for_canonical_header: Option<String>,
}

/// An origin to create, or the whole of one to replace (`updateOrigin`).
#[napi]
pub type CreateOriginOptions = Either7<
    S3OriginOptions,
    S3CompatibleOriginOptions,
    WebFolderOriginOptions,
    WebProxyOriginOptions,
    GcsOriginOptions,
    AzureBlobOriginOptions,
    AkeneoPimOriginOptions,
>;

/// `updateOrigin` replaces the whole origin.
#[napi]
pub type UpdateOriginOptions = CreateOriginOptions;

/// An origin as ImageKit gives it back: its settings without keys, tokens or passwords.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct Origin {
    pub id: String,
    #[napi(
        ts_type = "'S3' | 'S3_COMPATIBLE' | 'CLOUDINARY_BACKUP' | 'WEB_FOLDER' | 'WEB_PROXY' | 'GCS' | 'AZURE_BLOB' | 'AKENEO_PIM'"
    )]
    pub r#type: String,
    pub name: String,
    pub include_canonical_header: bool,
    pub base_url_for_canonical_header: Option<String>,
    /// Buckets (S3, S3_COMPATIBLE, CLOUDINARY_BACKUP, GCS).
    pub bucket: Option<String>,
    /// Buckets and containers.
    pub prefix: Option<String>,
    /// S3_COMPATIBLE.
    pub endpoint: Option<String>,
    /// S3_COMPATIBLE.
    pub s3_force_path_style: Option<bool>,
    /// S3, CLOUDINARY_BACKUP.
    #[napi(js_name = "useIAMRole")]
    pub use_iam_role: Option<bool>,
    /// WEB_FOLDER, AKENEO_PIM.
    pub base_url: Option<String>,
    /// WEB_FOLDER.
    pub forward_host_header_to_origin: Option<bool>,
    /// GCS.
    pub client_email: Option<String>,
    /// AZURE_BLOB.
    pub account_name: Option<String>,
    /// AZURE_BLOB.
    pub container: Option<String>,
}

/// A rewriter of another CDN's URLs into ImageKit's.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct UrlRewriter {
    #[napi(ts_type = "'CLOUDINARY' | 'IMGIX' | 'AKAMAI'")]
    pub r#type: String,
    /// CLOUDINARY only: keep `<asset_type>/<delivery_type>` in the rewritten URL.
    pub preserve_asset_delivery_types: Option<bool>,
}

/// A URL endpoint: a prefix files are delivered under, and the origins it tries in order.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct UrlEndpoint {
    /// `default` for the endpoint every account has.
    pub id: String,
    pub description: String,
    /// Letters, digits and hyphens; empty for the default endpoint.
    pub url_prefix: String,
    /// Origin ids.
    pub origins: Vec<String>,
    pub url_rewriter: Option<UrlRewriter>,
}

/// A URL endpoint to create, or the whole of one to replace (`updateUrlEndpoint`).
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct CreateUrlEndpointOptions {
    pub description: String,
    pub url_prefix: Option<String>,
    pub origins: Option<Vec<String>>,
    pub url_rewriter: Option<UrlRewriter>,
}

/// `updateUrlEndpoint` replaces the whole endpoint.
#[napi]
pub type UpdateUrlEndpointOptions = CreateUrlEndpointOptions;

/// A range of days, each `YYYY-MM-DD` (UTC), less than 90 days apart.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct UsageOptions {
    pub start_date: String,
    pub end_date: String,
}

/// Billed usage from `startDate` up to, not including, `endDate`.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct UsageResponse {
    pub bandwidth_bytes: Option<f64>,
    pub media_library_storage_bytes: Option<f64>,
    pub original_cache_storage_bytes: Option<f64>,
    pub video_processing_units_count: Option<f64>,
    pub extension_units_count: Option<f64>,
}

/// One row of a ranking: a name (a URL, a content type, a country...) and its traffic.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct UsageEntry {
    pub name: String,
    /// Countries only: the ISO code.
    pub code: Option<String>,
    pub bandwidth_bytes: f64,
    pub request_count: f64,
}

/// The top entries of one grouping, by bandwidth and by requests.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct UsageRanking {
    pub by_bandwidth: Vec<UsageEntry>,
    pub by_requests: Vec<UsageEntry>,
}

/// A count of requests under a name (a status code, an error reason, a URL).
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct UsageCount {
    pub name: String,
    pub request_count: f64,
}

#[napi(object, object_to_js = false, object_from_js = false)]
pub struct UsageCacheCounts {
    pub hit_count: f64,
    pub miss_count: f64,
    pub error_count: f64,
}

#[napi(object, object_to_js = false, object_from_js = false)]
pub struct UsageExtensionCount {
    pub name: String,
    pub operation_count: f64,
}

#[napi(object, object_to_js = false, object_from_js = false)]
pub struct UsageVideoProcessing {
    pub codec: String,
    pub resolution: String,
    pub duration_seconds: f64,
}

/// CDN traffic from `startDate` to `endDate`, both included.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct UsageAnalyticsResponse {
    pub start_date: String,
    pub end_date: String,
    /// When the figures were computed (ISO 8601).
    pub generated_at: String,
    pub bandwidth_bytes: f64,
    pub request_count: f64,
    pub cache: UsageCacheCounts,
    pub status_codes: Vec<UsageCount>,
    pub error_reasons: Vec<UsageCount>,
    pub top404_assets: Vec<UsageCount>,
    pub extensions: Vec<UsageExtensionCount>,
    pub video_processing: Vec<UsageVideoProcessing>,
    pub browser: UsageRanking,
    pub country: UsageRanking,
    pub device: UsageRanking,
    pub format: UsageRanking,
    pub top_images: UsageRanking,
    pub top_image_transforms: UsageRanking,
    pub top_other_assets: UsageRanking,
    pub top_referrers: UsageRanking,
    pub top_user_agents: UsageRanking,
    pub top_videos: UsageRanking,
    pub top_video_transforms: UsageRanking,
    pub url_endpoints: UsageRanking,
}
