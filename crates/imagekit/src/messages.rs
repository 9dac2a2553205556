//! v6's table of error messages: every message the SDK reports, with its help text.

#[derive(Debug, PartialEq, Eq)]
pub struct ErrorMessage {
    pub message: &'static str,
    pub help: &'static str,
}

macro_rules! messages {
    ($($name:ident: $message:literal, $help:literal;)*) => {
        $(pub const $name: ErrorMessage = ErrorMessage { message: $message, help: $help };)*
    };
}

messages! {
    MANDATORY_PUBLIC_KEY_MISSING: "Missing publicKey during ImageKit initialization", "";
    MANDATORY_PRIVATE_KEY_MISSING: "Missing privateKey during ImageKit initialization", "";
    MANDATORY_URL_ENDPOINT_KEY_MISSING: "Missing urlEndpoint during ImageKit initialization", "";
    INVALID_PHASH_VALUE: "Invalid pHash value", "Both pHash strings must be valid hexadecimal numbers";
    MISSING_PHASH_VALUE: "Missing pHash value", "Please pass two pHash values";
    UNEQUAL_STRING_LENGTH: "Unequal pHash string length", "For distance calucation, the two pHash strings must have equal length";
    VERIFY_WEBHOOK_EVENT_SIGNATURE_INCORRECT: "Incorrect signature", "Please pass x-ik-signature header as utf8 string";
    VERIFY_WEBHOOK_EVENT_SIGNATURE_MISSING: "Signature missing", "Please pass x-ik-signature header as utf8 string";
    VERIFY_WEBHOOK_EVENT_TIMESTAMP_MISSING: "Timestamp missing", "Please pass x-ik-signature header as utf8 string";
    VERIFY_WEBHOOK_EVENT_TIMESTAMP_INVALID: "Timestamp invalid", "Please pass x-ik-signature header as utf8 string";
    CACHE_PURGE_URL_MISSING: "Missing URL parameter for this request", "";
    CACHE_PURGE_STATUS_ID_MISSING: "Missing Request ID parameter for this request", "";
    FILE_ID_MISSING: "Missing fileId parameter for this request", "";
    FILE_VERSION_ID_MISSING: "Missing versionId parameter for this request", "";
    FILE_ID_OR_URL_MISSING: "Pass either fileId or remote URL of the image as first parameter", "";
    INVALID_LIST_OPTIONS: "Pass a valid JSON list options e.g. {skip: 10, limit: 100}.", "";
    UPDATE_DATA_MISSING: "Missing file update data for this request", "";
    MISSING_UPLOAD_DATA: "Missing data for upload", "";
    MISSING_UPLOAD_FILE_PARAMETER: "Missing file parameter for upload", "";
    MISSING_UPLOAD_FILENAME_PARAMETER: "Missing fileName parameter for upload", "";
    JOB_ID_MISSING: "Missing jobId parameter", "";
    INVALID_DESTINATION_FOLDER_PATH: "Invalid destinationPath value", "It should be a string like '/path/to/folder'";
    INVALID_INCLUDE_VERSION: "Invalid includeFileVersions value", "It should be a boolean";
    INVALID_SOURCE_FILE_PATH: "Invalid sourceFilePath value", "It should be a string like /path/to/file.jpg'";
    INVALID_SOURCE_FOLDER_PATH: "Invalid sourceFolderPath value", "It should be a string like '/path/to/folder'";
    INVALID_FOLDER_NAME: "Invalid folderName value", "";
    INVALID_PARENT_FOLDER_PATH: "Invalid parentFolderPath value", "It should be a string like '/path/to/folder'";
    INVALID_FOLDER_PATH: "Invalid folderPath value", "It should be a string like '/path/to/folder'";
    INVALID_FILEIDS_VALUE: "Invalid value for fileIds", "fileIds should be an array of fileId of the files. The array should have atleast one fileId.";
    BULK_ADD_TAGS_INVALID: "Invalid value for tags", "tags should be a non empty array of string like ['tag1', 'tag2'].";
    CMF_NAME_MISSING: "Missing name parameter for this request", "";
    CMF_LABEL_MISSING: "Missing label parameter for this request", "";
    CMF_SCHEMA_MISSING: "Missing schema parameter for this request", "";
    CMF_SCHEMA_INVALID: "Invalid value for schema", "schema should have a mandatory type field.";
    CMF_LABEL_SCHEMA_MISSING: "Both label and schema is missing", "";
    CMF_FIELD_ID_MISSING: "Missing fieldId parameter for this request", "";
    INVALID_FILE_PATH: "Invalid value for filePath", "Pass the full path of the file. For example - /path/to/file.jpg";
    INVALID_NEW_FILE_NAME: "Invalid value for newFileName. It should be a string.", "";
    INVALID_PURGE_CACHE: "Invalid value for purgeCache. It should be boolean.", "";
    INVALID_TRANSFORMATION: "Invalid transformation parameter. Please include at least pre, post, or both.", "";
    INVALID_PRE_TRANSFORMATION: "Invalid pre transformation parameter.", "";
    INVALID_POST_TRANSFORMATION: "Invalid post transformation parameter.", "";
    // The API areas v6 lacks, in the style of v6's table.
    INVALID_NEW_FOLDER_NAME: "Invalid newFolderName value", "It should be the folder's new name, like 'summer-2026'";
    SAVED_EXTENSION_ID_MISSING: "Missing id for the saved extension", "Pass the saved extension's id as the first parameter";
    SAVED_EXTENSION_DATA_MISSING: "Missing update data for the saved extension", "Pass an object with the fields to change, like { description: '...' }";
    SAVED_EXTENSION_NAME_MISSING: "Missing name for the saved extension", "";
    SAVED_EXTENSION_DESCRIPTION_MISSING: "Missing description for the saved extension", "";
    SAVED_EXTENSION_CONFIG_MISSING: "Missing config for the saved extension", "config should be an extension object like { name: 'remove-bg' }";
    NAMED_TRANSFORMATION_ID_MISSING: "Missing id for the named transformation", "Pass the named transformation's id as the first parameter";
    NAMED_TRANSFORMATION_DATA_MISSING: "Missing update data for the named transformation", "Pass an object with the fields to change, like { transformation: 'w-200' }";
    NAMED_TRANSFORMATION_NAME_MISSING: "Missing name for the named transformation", "It is used in URLs as tr:n-<name>: letters, digits and underscores";
    NAMED_TRANSFORMATION_TRANSFORMATION_MISSING: "Missing transformation for the named transformation", "It should be a transformation string like 'w-150,h-150'";
    ORIGIN_ID_MISSING: "Missing id for the origin", "Pass the origin's id as the first parameter";
    ORIGIN_DATA_MISSING: "Missing data for the origin", "Pass the origin's settings, like { type: 'WEB_FOLDER', name: '...', baseUrl: '...' }";
    ORIGIN_TYPE_MISSING: "Missing type for the origin", "type should be one of S3, S3_COMPATIBLE, CLOUDINARY_BACKUP, WEB_FOLDER, WEB_PROXY, GCS, AZURE_BLOB, AKENEO_PIM";
    ORIGIN_NAME_MISSING: "Missing name for the origin", "";
    URL_ENDPOINT_ID_MISSING: "Missing id for the URL endpoint", "Pass the URL endpoint's id as the first parameter";
    URL_ENDPOINT_DATA_MISSING: "Missing data for the URL endpoint", "Pass the URL endpoint's settings, like { description: '...' }";
    URL_ENDPOINT_DESCRIPTION_MISSING: "Missing description for the URL endpoint", "";
    INVALID_USAGE_START_DATE: "Invalid startDate value", "It should be a date string in YYYY-MM-DD format, like '2026-11-01'";
    INVALID_USAGE_END_DATE: "Invalid endDate value", "It should be a date string in YYYY-MM-DD format, like '2026-12-01'";
}
