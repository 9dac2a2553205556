//! Identifier generation: ImageKit ids are 24 lowercase hex digits.

/// A fresh 24-hex-digit id (96 random bits, so collisions are not a concern).
pub fn new_id() -> String {
    let bytes = uuid::Uuid::new_v4().into_bytes();
    hex::encode(&bytes[..12])
}

/// The random suffix `useUniqueFileName` appends: ImageKit uses short
/// alphanumeric strings like `_bL4TRhfqc`.
pub fn unique_suffix() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    uuid::Uuid::new_v4()
        .into_bytes()
        .iter()
        .take(9)
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect()
}
