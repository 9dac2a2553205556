//! The media and upload API methods of the class: each converts nothing and names no
//! route; it hands its arguments to the operation the core declares under its name.
//!
//! The typings are v6's declarations, word for word, so code that compiled against v6
//! compiles here: each `ts_type` holds the Promise overload and, after a line break, the
//! callback overload with its name (napi-rs emits one declaration per method otherwise).
//! `imagekit.js` puts each method behind a function of v6's arity that reads
//! `this.options` as v6 does and passes it first, then the instance's `AbortSignal`, if any.

use std::collections::HashMap;

use napi::bindgen_prelude::{Env, Unknown};
use napi::Result;
use napi_derive::napi;

use super::call::{self, Invocation};
use super::class::ImageKit;
use super::ffi::Value;
use imagekit::api;

/// Internal: each API method's name and its number of arguments before the callback.
#[napi(skip_typescript, catch_unwind)]
#[cfg_attr(test, allow(dead_code))] // only JavaScript calls it
pub fn api_methods() -> HashMap<String, u32> {
    api::operations()
        .map(|operation| (operation.name.to_owned(), operation.arity as u32))
        .collect()
}

// Doc comments are passed as `#[doc = "..."]`: napi-rs copies a doc attribute's text
// into the typings as written, and `///` inside a macro arrives as a raw string.
macro_rules! api_methods {
    ($(
        $(#[doc = $doc:literal])*
        #[napi($($attr:tt)*)]
        fn $name:ident($($arg:ident),*) => $js:literal;
    )*) => {
        #[napi]
        impl ImageKit {
            $(
                $(#[doc = $doc])*
                #[napi(catch_unwind, $($attr)*)]
                pub fn $name<'s>(
                    &self,
                    env: &'s Env,
                    options: Unknown<'s>,
                    signal: Unknown<'s>,
                    $($arg: Unknown<'s>,)*
                    callback: Unknown<'s>,
                ) -> Result<Value<'s>> {
                    // Bound while compiling: a name no operation declares fails the build.
                    const OPERATION: &api::Operation = api::declared($js);
                    let call = Invocation {
                        options: Value::of(&options),
                        signal: Value::of(&signal),
                        args: &[$(Value::of(&$arg)),*],
                        callback: Value::of(&callback),
                    };
                    call::run(env, &self.client, OPERATION, call)
                }
            )*
        }
    };
}

api_methods! {
    #[doc = "Uploads a file (URL, base64 string, Buffer, Uint8Array or readable stream)."]
    #[napi(ts_type = "(uploadOptions: UploadOptions): Promise<IKResponse<UploadResponse>>\nupload(uploadOptions: UploadOptions, callback: IKCallback<IKResponse<UploadResponse>>): void")]
    fn upload(upload_options) => "upload";
    #[doc = "Lists and searches files and folders."]
    #[napi(ts_type = "(listOptions: ListFileOptions): Promise<IKResponse<ListFileResponse>>\nlistFiles(listOptions: ListFileOptions, callback: IKCallback<IKResponse<ListFileResponse>>): void")]
    fn list_files(list_options) => "listFiles";
    #[doc = "Details of one file."]
    #[napi(ts_type = "(fileId: string): Promise<IKResponse<FileObject>>\ngetFileDetails(fileId: string, callback: IKCallback<IKResponse<FileObject>>): void")]
    fn get_file_details(file_id) => "getFileDetails";
    #[doc = "Every version of a file."]
    #[napi(ts_type = "(fileId: string): Promise<IKResponse<FileObject>>\ngetFileVersions(fileId: string, callback: IKCallback<IKResponse<FileObject>>): void")]
    fn get_file_versions(file_id) => "getFileVersions";
    #[doc = "Details of one version of a file."]
    #[napi(ts_type = "(fileVersionDetailsOptions: FileVersionDetailsOptions): Promise<IKResponse<FileObject>>\ngetFileVersionDetails(fileVersionDetailsOptions: FileVersionDetailsOptions, callback: IKCallback<IKResponse<FileObject>>): void")]
    fn get_file_version_details(method_options) => "getFileVersionDetails";
    #[doc = "Metadata (dimensions, EXIF, pHash...) of a stored file or of a remote URL."]
    #[napi(ts_type = "(fileIdOrURL: string): Promise<IKResponse<FileMetadataResponse>>\ngetFileMetadata(fileIdOrURL: string, callback: IKCallback<IKResponse<FileMetadataResponse>>): void")]
    fn get_file_metadata(file_id_or_url) => "getFileMetadata";
    #[doc = "Updates tags, custom coordinates, extensions, custom metadata or publication status."]
    #[napi(ts_type = "(fileId: string, updateData: FileDetailsOptions): Promise<IKResponse<FileObject>>\nupdateFileDetails(fileId: string, updateData: FileDetailsOptions, callback: IKCallback<IKResponse<FileObject>>): void")]
    fn update_file_details(file_id, update_data) => "updateFileDetails";
    #[doc = "Adds tags to several files."]
    #[napi(ts_type = "(fileIds: string[], tags: string[]): Promise<IKResponse<void>>\nbulkAddTags(fileIds: string[], tags: string[], callback: IKCallback<IKResponse<void>>): void")]
    fn bulk_add_tags(file_ids, tags) => "bulkAddTags";
    #[doc = "Removes tags from several files."]
    #[napi(ts_type = "(fileIds: string[], tags: string[]): Promise<IKResponse<void>>\nbulkRemoveTags(fileIds: string[], tags: string[], callback: IKCallback<IKResponse<void>>): void")]
    fn bulk_remove_tags(file_ids, tags) => "bulkRemoveTags";
    #[doc = "Removes AI tags from several files."]
    #[napi(js_name = "bulkRemoveAITags", ts_type = "(fileIds: string[], tags: string[]): Promise<IKResponse<void>>\nbulkRemoveAITags(fileIds: string[], tags: string[], callback: IKCallback<IKResponse<void>>): void")]
    fn bulk_remove_ai_tags(file_ids, tags) => "bulkRemoveAITags";
    #[doc = "Deletes a file and all its versions."]
    #[napi(ts_type = "(fileId: string): Promise<IKResponse<void>>\ndeleteFile(fileId: string, callback: IKCallback<IKResponse<void>>): void")]
    fn delete_file(file_id) => "deleteFile";
    #[doc = "Deletes a version that is not the current one."]
    #[napi(ts_type = "(deleteFileVersionOptions: DeleteFileVersionOptions): Promise<IKResponse<void>>\ndeleteFileVersion(deleteFileVersionOptions: DeleteFileVersionOptions, callback: IKCallback<IKResponse<void>>): void")]
    fn delete_file_version(method_options) => "deleteFileVersion";
    #[doc = "Makes a version the current one."]
    #[napi(ts_type = "(restoreFileVersionOptions: RestoreFileVersionOptions): Promise<IKResponse<FileObject>>\nrestoreFileVersion(restoreFileVersionOptions: RestoreFileVersionOptions, callback: IKCallback<IKResponse<FileObject>>): void")]
    fn restore_file_version(method_options) => "restoreFileVersion";
    #[doc = "Purges a URL from the CDN cache."]
    #[napi(ts_type = "(url: string): Promise<IKResponse<PurgeCacheResponse>>\npurgeCache(url: string, callback: IKCallback<IKResponse<PurgeCacheResponse>>): void")]
    fn purge_cache(url) => "purgeCache";
    #[doc = "Status of a purge request."]
    #[napi(ts_type = "(requestId: string, callback: IKCallback<IKResponse<PurgeCacheStatusResponse>>): void\ngetPurgeCacheStatus(requestId: string): Promise<IKResponse<PurgeCacheStatusResponse>>")]
    fn get_purge_cache_status(request_id) => "getPurgeCacheStatus";
    #[doc = "Deletes several files; the answer lists the ids deleted and the ids not found."]
    #[napi(ts_args_type = "fileIdArray: string[], callback?: IKCallback<IKResponse<BulkDeleteFilesResponse>, IKResponse<BulkDeleteFilesError>>", ts_return_type = "void | Promise<IKResponse<BulkDeleteFilesResponse>>")]
    fn bulk_delete_files(file_ids) => "bulkDeleteFiles";
    #[doc = "Copies a file (optionally with its versions) to a folder."]
    #[napi(ts_type = "(copyFileOptions: CopyFileOptions): Promise<IKResponse<void>>\ncopyFile(copyFileOptions: CopyFileOptions, callback: IKCallback<IKResponse<void>>): void")]
    fn copy_file(method_options) => "copyFile";
    #[doc = "Moves a file to a folder."]
    #[napi(ts_type = "(moveFileOptions: MoveFileOptions): Promise<IKResponse<void>>\nmoveFile(moveFileOptions: MoveFileOptions, callback: IKCallback<IKResponse<void>>): void")]
    fn move_file(method_options) => "moveFile";
    #[doc = "Renames a file, optionally purging the old URL from the cache."]
    #[napi(ts_type = "(renameFileOptions: RenameFileOptions): Promise<IKResponse<RenameFileResponse>>\nrenameFile(renameFileOptions: RenameFileOptions, callback: IKCallback<IKResponse<RenameFileResponse>>): void")]
    fn rename_file(method_options) => "renameFile";
    #[doc = "Creates a folder."]
    #[napi(ts_type = "(createFolderOptions: CreateFolderOptions): Promise<IKResponse<void>>\ncreateFolder(createFolderOptions: CreateFolderOptions, callback: IKCallback<IKResponse<void>>): void")]
    fn create_folder(method_options) => "createFolder";
    #[doc = "Deletes a folder and everything in it."]
    #[napi(ts_type = "(folderPath: string): Promise<IKResponse<void>>\ndeleteFolder(folderPath: string, callback: IKCallback<IKResponse<void>>): void")]
    fn delete_folder(folder_path) => "deleteFolder";
    #[doc = "Starts a bulk job copying a folder."]
    #[napi(ts_type = "(copyFolderOptions: CopyFolderOptions): Promise<IKResponse<CopyFolderResponse>>\ncopyFolder(copyFolderOptions: CopyFolderOptions, callback: IKCallback<IKResponse<CopyFolderResponse>, IKResponse<CopyFolderError>>): void")]
    fn copy_folder(method_options) => "copyFolder";
    #[doc = "Starts a bulk job moving a folder."]
    #[napi(ts_type = "(moveFolderOptions: MoveFolderOptions): Promise<IKResponse<MoveFolderResponse>>\nmoveFolder(moveFolderOptions: MoveFolderOptions, callback: IKCallback<IKResponse<MoveFolderResponse>, IKResponse<MoveFolderError>>): void")]
    fn move_folder(method_options) => "moveFolder";
    #[doc = "Status of a copy or move folder job."]
    #[napi(ts_type = "(jobId: string): Promise<IKResponse<void>>\ngetBulkJobStatus(jobId: string, callback: IKCallback<IKResponse<void>>): Promise<IKResponse<void>>")]
    fn get_bulk_job_status(job_id) => "getBulkJobStatus";
    #[doc = "Defines a custom metadata field."]
    #[napi(ts_type = "(createCustomMetadataFieldOptions: CreateCustomMetadataFieldOptions): Promise<IKResponse<CustomMetadataField>>\ncreateCustomMetadataField(createCustomMetadataFieldOptions: CreateCustomMetadataFieldOptions, callback: IKCallback<IKResponse<CustomMetadataField>>): Promise<IKResponse<CustomMetadataField>>")]
    fn create_custom_metadata_field(method_options) => "createCustomMetadataField";
    #[doc = "Lists custom metadata fields (deleted ones too with `includeDeleted`)."]
    #[napi(ts_type = "(getCustomMetadataFieldsOptions: GetCustomMetadataFieldsOptions): Promise<IKResponse<CustomMetadataField[]>>\ngetCustomMetadataFields(getCustomMetadataFieldsOptions: GetCustomMetadataFieldsOptions, callback: IKCallback<IKResponse<CustomMetadataField[]>>): Promise<IKResponse<CustomMetadataField[]>>")]
    fn get_custom_metadata_fields(method_options) => "getCustomMetadataFields";
    #[doc = "Changes the label or schema of a custom metadata field."]
    #[napi(ts_type = "(fieldId: string, updateCustomMetadataFieldOptions: UpdateCustomMetadataFieldOptions): Promise<IKResponse<CustomMetadataField>>\nupdateCustomMetadataField(fieldId: string, updateCustomMetadataFieldOptions: UpdateCustomMetadataFieldOptions, callback: IKCallback<IKResponse<CustomMetadataField>>): Promise<IKResponse<CustomMetadataField>>")]
    fn update_custom_metadata_field(field_id, method_options) => "updateCustomMetadataField";
    #[doc = "Deletes a custom metadata field (ImageKit keeps it, marked deleted)."]
    #[napi(ts_type = "(fieldId: string): Promise<IKResponse<void>>\ndeleteCustomMetadataField(fieldId: string, callback: IKCallback<IKResponse<void>>): void")]
    fn delete_custom_metadata_field(field_id) => "deleteCustomMetadataField";
    #[doc = "Renames a folder in a bulk job; everything in it keeps its place under the new path."]
    #[napi(ts_type = "(renameFolderOptions: RenameFolderOptions): Promise<IKResponse<RenameFolderResponse>>\nrenameFolder(renameFolderOptions: RenameFolderOptions, callback: IKCallback<IKResponse<RenameFolderResponse>>): void")]
    fn rename_folder(method_options) => "renameFolder";
    #[doc = "Every saved extension of the account."]
    #[napi(ts_type = "(): Promise<IKResponse<SavedExtension[]>>\nlistSavedExtensions(callback: IKCallback<IKResponse<SavedExtension[]>>): void")]
    fn list_saved_extensions() => "listSavedExtensions";
    #[doc = "Saves an extension configuration under a name."]
    #[napi(ts_type = "(createSavedExtensionOptions: CreateSavedExtensionOptions): Promise<IKResponse<SavedExtension>>\ncreateSavedExtension(createSavedExtensionOptions: CreateSavedExtensionOptions, callback: IKCallback<IKResponse<SavedExtension>>): void")]
    fn create_saved_extension(method_options) => "createSavedExtension";
    #[doc = "One saved extension."]
    #[napi(ts_type = "(id: string): Promise<IKResponse<SavedExtension>>\ngetSavedExtension(id: string, callback: IKCallback<IKResponse<SavedExtension>>): void")]
    fn get_saved_extension(id) => "getSavedExtension";
    #[doc = "Changes the name, description or config of a saved extension."]
    #[napi(ts_type = "(id: string, updateSavedExtensionOptions: UpdateSavedExtensionOptions): Promise<IKResponse<SavedExtension>>\nupdateSavedExtension(id: string, updateSavedExtensionOptions: UpdateSavedExtensionOptions, callback: IKCallback<IKResponse<SavedExtension>>): void")]
    fn update_saved_extension(id, method_options) => "updateSavedExtension";
    #[doc = "Deletes a saved extension."]
    #[napi(ts_type = "(id: string): Promise<IKResponse<void>>\ndeleteSavedExtension(id: string, callback: IKCallback<IKResponse<void>>): void")]
    fn delete_saved_extension(id) => "deleteSavedExtension";
    #[doc = "Every named transformation of the account."]
    #[napi(ts_type = "(): Promise<IKResponse<NamedTransformation[]>>\nlistNamedTransformations(callback: IKCallback<IKResponse<NamedTransformation[]>>): void")]
    fn list_named_transformations() => "listNamedTransformations";
    #[doc = "Names a transformation string, for URLs to apply as `tr:n-<name>`."]
    #[napi(ts_type = "(createNamedTransformationOptions: CreateNamedTransformationOptions): Promise<IKResponse<NamedTransformation>>\ncreateNamedTransformation(createNamedTransformationOptions: CreateNamedTransformationOptions, callback: IKCallback<IKResponse<NamedTransformation>>): void")]
    fn create_named_transformation(method_options) => "createNamedTransformation";
    #[doc = "One named transformation."]
    #[napi(ts_type = "(id: string): Promise<IKResponse<NamedTransformation>>\ngetNamedTransformation(id: string, callback: IKCallback<IKResponse<NamedTransformation>>): void")]
    fn get_named_transformation(id) => "getNamedTransformation";
    #[doc = "Changes the name, transformation or enabled state of a named transformation."]
    #[napi(ts_type = "(id: string, updateNamedTransformationOptions: UpdateNamedTransformationOptions): Promise<IKResponse<NamedTransformation>>\nupdateNamedTransformation(id: string, updateNamedTransformationOptions: UpdateNamedTransformationOptions, callback: IKCallback<IKResponse<NamedTransformation>>): void")]
    fn update_named_transformation(id, method_options) => "updateNamedTransformation";
    #[doc = "Deletes a named transformation."]
    #[napi(ts_type = "(id: string): Promise<IKResponse<void>>\ndeleteNamedTransformation(id: string, callback: IKCallback<IKResponse<void>>): void")]
    fn delete_named_transformation(id) => "deleteNamedTransformation";
    #[doc = "Every origin of the account."]
    #[napi(ts_type = "(): Promise<IKResponse<Origin[]>>\nlistOrigins(callback: IKCallback<IKResponse<Origin[]>>): void")]
    fn list_origins() => "listOrigins";
    #[doc = "Adds an origin: storage ImageKit fetches files from."]
    #[napi(ts_type = "(createOriginOptions: CreateOriginOptions): Promise<IKResponse<Origin>>\ncreateOrigin(createOriginOptions: CreateOriginOptions, callback: IKCallback<IKResponse<Origin>>): void")]
    fn create_origin(method_options) => "createOrigin";
    #[doc = "One origin."]
    #[napi(ts_type = "(id: string): Promise<IKResponse<Origin>>\ngetOrigin(id: string, callback: IKCallback<IKResponse<Origin>>): void")]
    fn get_origin(id) => "getOrigin";
    #[doc = "Replaces the whole of an origin."]
    #[napi(ts_type = "(id: string, updateOriginOptions: UpdateOriginOptions): Promise<IKResponse<Origin>>\nupdateOrigin(id: string, updateOriginOptions: UpdateOriginOptions, callback: IKCallback<IKResponse<Origin>>): void")]
    fn update_origin(id, method_options) => "updateOrigin";
    #[doc = "Deletes an origin."]
    #[napi(ts_type = "(id: string): Promise<IKResponse<void>>\ndeleteOrigin(id: string, callback: IKCallback<IKResponse<void>>): void")]
    fn delete_origin(id) => "deleteOrigin";
    #[doc = "Every URL endpoint of the account, the default one included."]
    #[napi(ts_type = "(): Promise<IKResponse<UrlEndpoint[]>>\nlistUrlEndpoints(callback: IKCallback<IKResponse<UrlEndpoint[]>>): void")]
    fn list_url_endpoints() => "listUrlEndpoints";
    #[doc = "Adds a URL endpoint."]
    #[napi(ts_type = "(createUrlEndpointOptions: CreateUrlEndpointOptions): Promise<IKResponse<UrlEndpoint>>\ncreateUrlEndpoint(createUrlEndpointOptions: CreateUrlEndpointOptions, callback: IKCallback<IKResponse<UrlEndpoint>>): void")]
    fn create_url_endpoint(method_options) => "createUrlEndpoint";
    #[doc = "One URL endpoint."]
    #[napi(ts_type = "(id: string): Promise<IKResponse<UrlEndpoint>>\ngetUrlEndpoint(id: string, callback: IKCallback<IKResponse<UrlEndpoint>>): void")]
    fn get_url_endpoint(id) => "getUrlEndpoint";
    #[doc = "Replaces the whole of a URL endpoint."]
    #[napi(ts_type = "(id: string, updateUrlEndpointOptions: UpdateUrlEndpointOptions): Promise<IKResponse<UrlEndpoint>>\nupdateUrlEndpoint(id: string, updateUrlEndpointOptions: UpdateUrlEndpointOptions, callback: IKCallback<IKResponse<UrlEndpoint>>): void")]
    fn update_url_endpoint(id, method_options) => "updateUrlEndpoint";
    #[doc = "Deletes a URL endpoint (not the default one)."]
    #[napi(ts_type = "(id: string): Promise<IKResponse<void>>\ndeleteUrlEndpoint(id: string, callback: IKCallback<IKResponse<void>>): void")]
    fn delete_url_endpoint(id) => "deleteUrlEndpoint";
    #[doc = "Billed usage from `startDate` up to, not including, `endDate`."]
    #[napi(ts_type = "(usageOptions: UsageOptions): Promise<IKResponse<UsageResponse>>\ngetUsage(usageOptions: UsageOptions, callback: IKCallback<IKResponse<UsageResponse>>): void")]
    fn get_usage(method_options) => "getUsage";
    #[doc = "CDN traffic analytics from `startDate` to `endDate`, both included."]
    #[napi(ts_type = "(usageOptions: UsageOptions): Promise<IKResponse<UsageAnalyticsResponse>>\ngetUsageAnalytics(usageOptions: UsageOptions, callback: IKCallback<IKResponse<UsageAnalyticsResponse>>): void")]
    fn get_usage_analytics(method_options) => "getUsageAnalytics";
}
