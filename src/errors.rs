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
}
