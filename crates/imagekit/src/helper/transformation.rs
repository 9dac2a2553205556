//! v7's transformation strings: typed steps (`{ width: 300, overlay: { type: 'text', … } }`)
//! written as ImageKit's `w-300,l-text,i-…,l-end`, with v7 7.11's key table, effect flags,
//! overlay encodings and order of output.

use base64::Engine as _;

use super::{Conv, HelperError, Overlay, OverlayType, Param, Payload, Step, Val};
use crate::ecma::is_js_whitespace;

/// v7's table of transformation keys (`supportedTransforms`); a key not in it is written
/// as it is.
fn short_key(key: &str) -> Option<&'static str> {
    Some(match key {
        "width" => "w",
        "height" => "h",
        "aspectRatio" => "ar",
        "background" => "bg",
        "border" => "b",
        "crop" => "c",
        "cropMode" => "cm",
        "dpr" => "dpr",
        "focus" => "fo",
        "quality" => "q",
        "x" => "x",
        "xCenter" => "xc",
        "y" => "y",
        "yCenter" => "yc",
        "format" => "f",
        "videoCodec" => "vc",
        "audioCodec" => "ac",
        "radius" => "r",
        "rotation" => "rt",
        "blur" => "bl",
        "named" => "n",
        "defaultImage" => "di",
        "flip" => "fl",
        "original" => "orig",
        "startOffset" => "so",
        "endOffset" => "eo",
        "duration" => "du",
        "streamingResolutions" => "sr",
        "grayscale" => "e-grayscale",
        "aiUpscale" => "e-upscale",
        "aiRetouch" => "e-retouch",
        "aiVariation" => "e-genvar",
        "aiDropShadow" => "e-dropshadow",
        "aiChangeBackground" => "e-changebg",
        "aiRemoveBackground" => "e-bgremove",
        "aiRemoveBackgroundExternal" => "e-removedotbg",
        "aiEdit" => "e-edit",
        "contrastStretch" => "e-contrast",
        "shadow" => "e-shadow",
        "sharpen" => "e-sharpen",
        "unsharpMask" => "e-usm",
        "gradient" => "e-gradient",
        "colorReplace" => "cr",
        "colorize" => "e-colorize",
        "distort" => "e-distort",
        "progressive" => "pr",
        "lossless" => "lo",
        "colorProfile" => "cp",
        "metadata" => "md",
        "opacity" => "o",
        "trim" => "t",
        "zoom" => "z",
        "page" => "pg",
        "fontSize" => "fs",
        "fontFamily" => "ff",
        "fontColor" => "co",
        "innerAlignment" => "ia",
        "padding" => "pa",
        "alpha" => "al",
        "typography" => "tg",
        "lineHeight" => "lh",
        "fontOutline" => "fol",
        "fontShadow" => "fsh",
        "color" => "co",
        "raw" => "raw",
        // v7 looks keys up in a plain object, where Object.prototype's members are found
        // too; the key is then the member's text.
        "constructor" => "function Object() { [native code] }",
        "__defineGetter__" => "function __defineGetter__() { [native code] }",
        "__defineSetter__" => "function __defineSetter__() { [native code] }",
        "hasOwnProperty" => "function hasOwnProperty() { [native code] }",
        "__lookupGetter__" => "function __lookupGetter__() { [native code] }",
        "__lookupSetter__" => "function __lookupSetter__() { [native code] }",
        "isPrototypeOf" => "function isPrototypeOf() { [native code] }",
        "propertyIsEnumerable" => "function propertyIsEnumerable() { [native code] }",
        "toString" => "function toString() { [native code] }",
        "valueOf" => "function valueOf() { [native code] }",
        "toLocaleString" => "function toLocaleString() { [native code] }",
        "__proto__" => "[object Object]",
        _ => return None,
    })
}

/// The table's key for `key`, looked up as it is and then in lower case (v7 looks up
/// `key.toLowerCase()`, which matches the table's few all-lower-case names).
fn transform_key(key: &str) -> Option<&'static str> {
    short_key(key).or_else(|| {
        if key.bytes().any(|b| b.is_ascii_uppercase()) || !key.is_ascii() {
            short_key(&key.to_lowercase())
        } else {
            None
        }
    })
}

/// Effects that take no value: written when the value is `true`, `'-'` or `'true'`, left
/// out otherwise.
const FLAG_EFFECTS: [&str; 7] = [
    "e-grayscale",
    "e-contrast",
    "e-removedotbg",
    "e-bgremove",
    "e-upscale",
    "e-retouch",
    "e-genvar",
];

/// Effects with an optional value: written bare for `true`, `'true'` or a blank value.
const OPTIONAL_VALUE_EFFECTS: [&str; 5] =
    ["e-sharpen", "e-shadow", "e-gradient", "e-usm", "e-dropshadow"];

/// JavaScript's `String.prototype.trim`.
pub(super) fn js_trim(s: &str) -> &str {
    s.trim_matches(is_js_whitespace)
}

impl Val<'_> {
    /// JavaScript's truthiness of the value.
    pub fn truthy(&self) -> bool {
        match self {
            Val::Missing => false,
            Val::Str { text, .. } => !text.is_empty(),
            Val::Num(text) => !matches!(*text, "0" | "NaN" | "-0"),
            Val::Bool(b) => *b,
            Val::Array { .. } | Val::Object(_) | Val::Symbol(_) => true,
        }
    }

    /// The value as JavaScript's `String()` or a template literal converts it.
    pub fn text(&self) -> Result<&str, HelperError> {
        match self {
            Val::Missing => Ok("undefined"),
            Val::Str { text, .. } | Val::Num(text) => Ok(text),
            Val::Bool(true) => Ok("true"),
            Val::Bool(false) => Ok("false"),
            Val::Array { text, .. } | Val::Object(text) | Val::Symbol(text) => text.get(),
        }
    }

    /// `value.toString().trim() === ''`: a symbol's `toString()` is never blank, and any
    /// other value's is its text.
    fn blank(&self) -> Result<bool, HelperError> {
        match self {
            Val::Symbol(_) => Ok(false),
            other => Ok(js_trim(other.text()?).is_empty()),
        }
    }

    fn is_str(&self, expected: &str) -> bool {
        matches!(self, Val::Str { text, .. } if *text == expected)
    }
}

impl Conv<'_> {
    pub(super) fn get(&self) -> Result<&str, HelperError> {
        match self {
            Conv::Text(text) => Ok(text),
            Conv::Throws(index) => Err(HelperError::Captured(*index)),
        }
    }
}

/// `buildTransformationString`: `None` (not an array) is `''`.
pub fn build(steps: Option<&[Step]>) -> Result<String, HelperError> {
    let mut out = String::new();
    let Some(steps) = steps else {
        return Ok(out);
    };
    let mut first_step = true;
    let mut parts: Vec<String> = Vec::new();
    for step in steps {
        parts.clear();
        for param in &step.params {
            match param {
                Param::Overlay(overlay) => {
                    if let Some(overlay) = build_overlay(overlay)? {
                        if !js_trim(&overlay).is_empty() {
                            parts.push(overlay);
                        }
                    }
                }
                Param::Value { key, value } => {
                    if let Some(part) = build_param(key, value)? {
                        parts.push(part);
                    }
                }
            }
        }
        if !parts.is_empty() {
            if !first_step {
                out.push(':');
            }
            first_step = false;
            out.push_str(&parts.join(","));
        }
    }
    Ok(out)
}

fn build_param(key: &str, value: &Val) -> Result<Option<String>, HelperError> {
    let name = transform_key(key).unwrap_or(key);
    if name.is_empty() {
        return Ok(None);
    }
    let is_true = matches!(value, Val::Bool(true)) || value.is_str("true");
    if FLAG_EFFECTS.contains(&name) {
        return Ok((is_true || value.is_str("-")).then(|| name.to_owned()));
    }
    if OPTIONAL_VALUE_EFFECTS.contains(&name) && (value.blank()? || is_true) {
        return Ok(Some(name.to_owned()));
    }
    if key == "raw" {
        return Ok(Some(value.text()?.to_owned()));
    }
    let text = match name {
        "di" | "ff" => {
            if !value.truthy() {
                String::new()
            } else if let Val::Str { text, .. } = value {
                trim_slashes(text).replace('/', "@@")
            } else {
                return Err(HelperError::Type("value.replace is not a function".into()));
            }
        }
        "sr" => match value {
            Val::Array { joined, .. } => joined.get()?.to_owned(),
            other => other.text()?.to_owned(),
        },
        "t" if value.blank()? => "true".to_owned(),
        _ => value.text()?.to_owned(),
    };
    Ok(Some(format!("{name}-{text}")))
}

/// One leading and one trailing `/` removed.
fn trim_slashes(s: &str) -> &str {
    let s = s.strip_prefix('/').unwrap_or(s);
    s.strip_suffix('/').unwrap_or(s)
}

fn build_overlay(overlay: &Overlay) -> Result<Option<String>, HelperError> {
    let mut entries: Vec<String> = Vec::with_capacity(6);
    match overlay.kind {
        OverlayType::None => return Ok(None),
        OverlayType::Text => {
            if !overlay.text.value.truthy() {
                return Ok(None);
            }
            entries.push("l-text".into());
            entries.push(text_entry(&overlay.text, overlay.encoding)?);
        }
        OverlayType::Image | OverlayType::Video | OverlayType::Subtitle => {
            if !overlay.input.value.truthy() {
                return Ok(None);
            }
            entries.push(
                match overlay.kind {
                    OverlayType::Image => "l-image",
                    OverlayType::Video => "l-video",
                    _ => "l-subtitles",
                }
                .into(),
            );
            entries.push(input_entry(&overlay.input, overlay.encoding)?);
        }
        OverlayType::SolidColor => {
            if !overlay.color.truthy() {
                return Ok(None);
            }
            entries.push("l-image".into());
            entries.push("i-ik_canvas".into());
            entries.push(format!("bg-{}", overlay.color.text()?));
        }
        OverlayType::Other => {}
    }
    if overlay.layer_mode.truthy() {
        entries.push(format!("lm-{}", overlay.layer_mode.text()?));
    }
    let position = overlay.position.values()?;
    for (prefix, value) in ["lx", "ly", "lxc", "lyc", "lfo", "lap"].iter().zip(position) {
        if value.truthy() {
            entries.push(format!("{prefix}-{}", value.text()?));
        }
    }
    let timing = overlay.timing.values()?;
    for (prefix, value) in ["lso", "leo", "ldu"].iter().zip(timing) {
        if value.truthy() {
            entries.push(format!("{prefix}-{}", value.text()?));
        }
    }
    let nested = build(overlay.transformation.as_deref())?;
    if !js_trim(&nested).is_empty() {
        entries.push(nested);
    }
    entries.push("l-end".into());
    Ok(Some(entries.join(",")))
}

/// The overlay's encoding: `plain`, `base64`, or anything else (`auto`).
#[derive(Clone, Copy, PartialEq)]
pub enum Encoding {
    Plain,
    Base64,
    Auto,
}

impl Encoding {
    pub fn of(text: &str) -> Self {
        match text {
            "plain" => Encoding::Plain,
            "base64" => Encoding::Base64,
            _ => Encoding::Auto,
        }
    }
}

/// `[a-zA-Z0-9-._ ]`, and `/` for paths: what a text or path may hold to be written plain
/// under `auto`.
fn simple(s: &str, path: bool) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b' ') || (path && b == b'/'))
}

/// A text overlay's `i-` (URI-encoded) or `ie-` (base64) entry.
fn text_entry(payload: &Payload, encoding: Encoding) -> Result<String, HelperError> {
    let plain = match encoding {
        Encoding::Plain => true,
        Encoding::Base64 => false,
        Encoding::Auto => simple(payload.value.text()?, false),
    };
    if plain {
        Ok(format!("i-{}", encode_uri_component(&payload.value)?))
    } else {
        Ok(format!("ie-{}", base64_entry(payload, payload.value.text_if_str())?))
    }
}

/// An image, video or subtitle overlay's path: `i-` with `/` as `@@`, or `ie-` (base64).
fn input_entry(payload: &Payload, encoding: Encoding) -> Result<String, HelperError> {
    let path = payload.value.text_if_str().map(trim_slashes);
    let plain = match encoding {
        Encoding::Plain => true,
        Encoding::Base64 => false,
        Encoding::Auto => simple(
            match path {
                Some(path) => path,
                None => payload.value.text()?,
            },
            true,
        ),
    };
    if plain {
        match path {
            Some(path) => Ok(format!("i-{}", path.replace('/', "@@"))),
            None => Err(HelperError::Type("str.replace is not a function".into())),
        }
    } else {
        Ok(format!("ie-{}", base64_entry(payload, path)?))
    }
}

impl<'a> Val<'a> {
    fn text_if_str(&self) -> Option<&'a str> {
        match self {
            Val::Str { text, .. } => Some(text),
            _ => None,
        }
    }
}

/// `encodeURIComponent(Buffer.from(value).toString('base64'))`: a string's UTF-8 bytes,
/// or the bytes JavaScript made of another value.
fn base64_entry(payload: &Payload, text: Option<&str>) -> Result<String, HelperError> {
    let encoded = match text {
        Some(text) => base64::engine::general_purpose::STANDARD.encode(text.as_bytes()),
        None => match &payload.base64 {
            Some(conv) => conv.get()?.to_owned(),
            None => String::new(),
        },
    };
    Ok(encoded.replace('+', "%2B").replace('/', "%2F").replace('=', "%3D"))
}

/// JavaScript's `encodeURIComponent` of the value's text, with its `URIError` for a lone
/// surrogate.
fn encode_uri_component(value: &Val) -> Result<String, HelperError> {
    if matches!(value, Val::Str { lossy: true, .. }) {
        return Err(HelperError::UriMalformed);
    }
    let text = value.text()?;
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    Ok(out)
}
