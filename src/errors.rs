//! v6's table of error messages: every message the SDK reports, with its help text.

#[derive(Debug, PartialEq)]
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
}
