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
const OPTIONAL_VALUE_EFFECTS: [&str; 5] = [
    "e-sharpen",
    "e-shadow",
    "e-gradient",
    "e-usm",
    "e-dropshadow",
];

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
    let mut out = String::with_capacity(128);
    write(&mut out, steps)?;
    Ok(out)
}

/// [`build`], appended to `out`: every part is written in place, and a step, parameter or
/// overlay that comes to nothing is cut off again. Returns how many steps were written (a
/// step may be written as nothing, `{ raw: '' }`, and still take its `:`).
pub fn write(out: &mut String, steps: Option<&[Step]>) -> Result<usize, HelperError> {
    let Some(steps) = steps else {
        return Ok(0);
    };
    let mut emitted = 0;
    for step in steps {
        let step_start = out.len();
        if emitted > 0 {
            out.push(':');
        }
        let mut parts = 0;
        for param in &step.params {
            let mark = out.len();
            if parts > 0 {
                out.push(',');
            }
            let wrote = match param {
                Param::Overlay(overlay) => write_overlay(out, overlay)?,
                Param::Value { key, value } => write_param(out, key, value)?,
            };
            if wrote {
                parts += 1;
            } else {
                out.truncate(mark);
            }
        }
        if parts == 0 {
            out.truncate(step_start);
        } else {
            emitted += 1;
        }
    }
    Ok(emitted)
}

/// One parameter: `name` or `name-value`; `false` when it is left out.
fn write_param(out: &mut String, key: &str, value: &Val) -> Result<bool, HelperError> {
    let name = transform_key(key).unwrap_or(key);
    if name.is_empty() {
        return Ok(false);
    }
    let is_true = matches!(value, Val::Bool(true)) || value.is_str("true");
    if FLAG_EFFECTS.contains(&name) {
        if is_true || value.is_str("-") {
            out.push_str(name);
            return Ok(true);
        }
        return Ok(false);
    }
    if OPTIONAL_VALUE_EFFECTS.contains(&name) && (value.blank()? || is_true) {
        out.push_str(name);
        return Ok(true);
    }
    if key == "raw" {
        out.push_str(value.text()?);
        return Ok(true);
    }
    match name {
        "di" | "ff" => {
            let text = if !value.truthy() {
                ""
            } else if let Val::Str { text, .. } = value {
                trim_slashes(text)
            } else {
                return Err(HelperError::Type("value.replace is not a function".into()));
            };
            out.push_str(name);
            out.push('-');
            push_path(out, text);
        }
        "sr" => {
            let text = match value {
                Val::Array { joined, .. } => joined.get()?,
                other => other.text()?,
            };
            push_pair(out, name, text);
        }
        "t" if value.blank()? => push_pair(out, name, "true"),
        _ => push_pair(out, name, value.text()?),
    }
    Ok(true)
}

fn push_pair(out: &mut String, name: &str, text: &str) {
    out.push_str(name);
    out.push('-');
    out.push_str(text);
}

/// A path with every `/` written `@@`.
fn push_path(out: &mut String, path: &str) {
    for (i, piece) in path.split('/').enumerate() {
        if i > 0 {
            out.push_str("@@");
        }
        out.push_str(piece);
    }
}

/// One leading and one trailing `/` removed.
fn trim_slashes(s: &str) -> &str {
    let s = s.strip_prefix('/').unwrap_or(s);
    s.strip_suffix('/').unwrap_or(s)
}

/// An overlay's entries, joined with `,` and closed with `l-end`; `false` when v7 writes
/// no overlay (no type, or no text, input or colour).
fn write_overlay(out: &mut String, overlay: &Overlay) -> Result<bool, HelperError> {
    match overlay.kind {
        OverlayType::None => return Ok(false),
        OverlayType::Text => {
            if !overlay.text.value.truthy() {
                return Ok(false);
            }
            out.push_str("l-text,");
            write_text(out, &overlay.text, overlay.encoding)?;
            out.push(',');
        }
        OverlayType::Image | OverlayType::Video | OverlayType::Subtitle => {
            if !overlay.input.value.truthy() {
                return Ok(false);
            }
            out.push_str(match overlay.kind {
                OverlayType::Image => "l-image,",
                OverlayType::Video => "l-video,",
                _ => "l-subtitles,",
            });
            write_input(out, &overlay.input, overlay.encoding)?;
            out.push(',');
        }
        OverlayType::SolidColor => {
            if !overlay.color.truthy() {
                return Ok(false);
            }
            out.push_str("l-image,i-ik_canvas,bg-");
            out.push_str(overlay.color.text()?);
            out.push(',');
        }
        OverlayType::Other => {}
    }
    if overlay.layer_mode.truthy() {
        push_pair(out, "lm", overlay.layer_mode.text()?);
        out.push(',');
    }
    let position = overlay.position.values()?;
    for (prefix, value) in ["lx", "ly", "lxc", "lyc", "lfo", "lap"]
        .iter()
        .zip(position)
    {
        if value.truthy() {
            push_pair(out, prefix, value.text()?);
            out.push(',');
        }
    }
    let timing = overlay.timing.values()?;
    for (prefix, value) in ["lso", "leo", "ldu"].iter().zip(timing) {
        if value.truthy() {
            push_pair(out, prefix, value.text()?);
            out.push(',');
        }
    }
    let nested = out.len();
    write(out, overlay.transformation.as_deref())?;
    if js_trim(&out[nested..]).is_empty() {
        out.truncate(nested);
    } else {
        out.push(',');
    }
    out.push_str("l-end");
    Ok(true)
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
    s.bytes().all(|b| {
        b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b' ') || (path && b == b'/')
    })
}

/// A text overlay's `i-` (URI-encoded) or `ie-` (base64) entry.
fn write_text(out: &mut String, payload: &Payload, encoding: Encoding) -> Result<(), HelperError> {
    let plain = match encoding {
        Encoding::Plain => true,
        Encoding::Base64 => false,
        Encoding::Auto => simple(payload.value.text()?, false),
    };
    if plain {
        out.push_str("i-");
        encode_uri_component(out, &payload.value)
    } else {
        out.push_str("ie-");
        write_base64(out, payload, payload.value.text_if_str())
    }
}

/// An image, video or subtitle overlay's path: `i-` with `/` as `@@`, or `ie-` (base64).
fn write_input(out: &mut String, payload: &Payload, encoding: Encoding) -> Result<(), HelperError> {
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
        let path = path.ok_or_else(|| HelperError::Type("str.replace is not a function".into()))?;
        out.push_str("i-");
        push_path(out, path);
        Ok(())
    } else {
        out.push_str("ie-");
        write_base64(out, payload, path)
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
fn write_base64(
    out: &mut String,
    payload: &Payload,
    text: Option<&str>,
) -> Result<(), HelperError> {
    let owned;
    let encoded = match text {
        Some(text) => {
            owned = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
            owned.as_str()
        }
        None => match &payload.base64 {
            Some(conv) => conv.get()?,
            None => "",
        },
    };
    for c in encoded.chars() {
        match c {
            '+' => out.push_str("%2B"),
            '/' => out.push_str("%2F"),
            '=' => out.push_str("%3D"),
            c => out.push(c),
        }
    }
    Ok(())
}

/// JavaScript's `encodeURIComponent` of the value's text, with its `URIError` for a lone
/// surrogate.
fn encode_uri_component(out: &mut String, value: &Val) -> Result<(), HelperError> {
    if matches!(value, Val::Str { lossy: true, .. }) {
        return Err(HelperError::UriMalformed);
    }
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for byte in value.text()?.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(byte >> 4)] as char);
            out.push(HEX[usize::from(byte & 15)] as char);
        }
    }
    Ok(())
}
