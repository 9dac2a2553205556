//! Type-only definitions of v7's helper and Standard Webhooks (`imagekit.helper`,
//! `imagekit.webhooks`), as `@imagekit/nodejs` 7.11 declares them; the unions that
//! napi-rs cannot write are in `index.d.header.ts`.

// Nothing constructs or reads these items: they exist for their declarations.
#![allow(dead_code)]

use napi::bindgen_prelude::Unknown;
use napi_derive::napi;

/// One step of a transformation as v7 writes it (v7's `Transformation`): typed keys, each
/// written as ImageKit's short parameter. A key not listed here is written as it is.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct HelperTransformation {
    /// Width: `w`. A number, or an expression such as `iw_div_2`.
    #[napi(ts_type = "number | string")]
    pub width: Option<Unknown<'static>>,
    /// Height: `h`.
    #[napi(ts_type = "number | string")]
    pub height: Option<Unknown<'static>>,
    /// Aspect ratio, such as `4-3` or an expression: `ar`.
    #[napi(ts_type = "number | string")]
    pub aspect_ratio: Option<Unknown<'static>>,
    /// Background colour, blurred or generative fill for padding: `bg`.
    #[napi(ts_type = "string")]
    pub background: Option<Unknown<'static>>,
    /// Border, `<width>_<hex colour>`: `b`.
    #[napi(ts_type = "string")]
    pub border: Option<Unknown<'static>>,
    /// Crop strategy: `c`.
    #[napi(
        ts_type = "'force' | 'at_max' | 'at_max_enlarge' | 'at_least' | 'maintain_ratio' | 'maintain_ratio_no_enlarge'"
    )]
    pub crop: Option<Unknown<'static>>,
    /// Crop mode: `cm`.
    #[napi(
        ts_type = "'pad_resize' | 'extract' | 'pad_extract' | 'pad_resize_no_enlarge' | 'pad_extract_no_shrink'"
    )]
    pub crop_mode: Option<Unknown<'static>>,
    /// Device pixel ratio: `dpr`.
    #[napi(ts_type = "number")]
    pub dpr: Option<Unknown<'static>>,
    /// Focus point for crops (`center`, `face`, an object name…): `fo`.
    #[napi(ts_type = "string")]
    pub focus: Option<Unknown<'static>>,
    /// Quality, 1 to 100: `q`.
    #[napi(ts_type = "number")]
    pub quality: Option<Unknown<'static>>,
    /// Horizontal offset of a crop: `x`.
    #[napi(ts_type = "number | string")]
    pub x: Option<Unknown<'static>>,
    /// Horizontal centre of a crop: `xc`.
    #[napi(ts_type = "number | string")]
    pub x_center: Option<Unknown<'static>>,
    /// Vertical offset of a crop: `y`.
    #[napi(ts_type = "number | string")]
    pub y: Option<Unknown<'static>>,
    /// Vertical centre of a crop: `yc`.
    #[napi(ts_type = "number | string")]
    pub y_center: Option<Unknown<'static>>,
    /// Output format: `f`.
    #[napi(
        ts_type = "'auto' | 'webp' | 'jpg' | 'jpeg' | 'png' | 'gif' | 'svg' | 'mp4' | 'webm' | 'avif' | 'orig'"
    )]
    pub format: Option<Unknown<'static>>,
    /// Video codec: `vc`.
    #[napi(ts_type = "'h264' | 'vp9' | 'av1' | 'none'")]
    pub video_codec: Option<Unknown<'static>>,
    /// Audio codec: `ac`.
    #[napi(ts_type = "'aac' | 'opus' | 'none'")]
    pub audio_codec: Option<Unknown<'static>>,
    /// Corner radius: `r`.
    #[napi(ts_type = "number | 'max' | string")]
    pub radius: Option<Unknown<'static>>,
    /// Rotation in degrees, or `auto`: `rt`.
    #[napi(ts_type = "number | string")]
    pub rotation: Option<Unknown<'static>>,
    /// Gaussian blur: `bl`.
    #[napi(ts_type = "number")]
    pub blur: Option<Unknown<'static>>,
    /// A named transformation: `n`.
    #[napi(ts_type = "string")]
    pub named: Option<Unknown<'static>>,
    /// Image shown when the file is missing (its path; `/` is written `@@`): `di`.
    #[napi(ts_type = "string")]
    pub default_image: Option<Unknown<'static>>,
    /// Flip: `fl`.
    #[napi(ts_type = "'h' | 'v' | 'h_v' | 'v_h'")]
    pub flip: Option<Unknown<'static>>,
    /// Deliver the original file: `orig`.
    #[napi(ts_type = "boolean")]
    pub original: Option<Unknown<'static>>,
    /// Video start, in seconds: `so`.
    #[napi(ts_type = "number | string")]
    pub start_offset: Option<Unknown<'static>>,
    /// Video end, in seconds: `eo`.
    #[napi(ts_type = "number | string")]
    pub end_offset: Option<Unknown<'static>>,
    /// Video duration, in seconds: `du`.
    #[napi(ts_type = "number | string")]
    pub duration: Option<Unknown<'static>>,
    /// Adaptive streaming resolutions, joined with `_`: `sr`.
    #[napi(ts_type = "Array<StreamingResolution>")]
    pub streaming_resolutions: Option<Unknown<'static>>,
    /// Grayscale: `e-grayscale`.
    #[napi(ts_type = "true")]
    pub grayscale: Option<Unknown<'static>>,
    /// AI upscaling: `e-upscale`.
    #[napi(ts_type = "true")]
    pub ai_upscale: Option<Unknown<'static>>,
    /// AI retouch: `e-retouch`.
    #[napi(ts_type = "true")]
    pub ai_retouch: Option<Unknown<'static>>,
    /// AI variation: `e-genvar`.
    #[napi(ts_type = "true")]
    pub ai_variation: Option<Unknown<'static>>,
    /// AI drop shadow, with optional parameters: `e-dropshadow`.
    #[napi(ts_type = "true | string")]
    pub ai_drop_shadow: Option<Unknown<'static>>,
    /// AI background change from a prompt: `e-changebg`.
    #[napi(ts_type = "string")]
    pub ai_change_background: Option<Unknown<'static>>,
    /// AI background removal: `e-bgremove`.
    #[napi(ts_type = "true")]
    pub ai_remove_background: Option<Unknown<'static>>,
    /// Background removal by remove.bg: `e-removedotbg`.
    #[napi(ts_type = "true")]
    pub ai_remove_background_external: Option<Unknown<'static>>,
    /// AI edit from a prompt: `e-edit`.
    #[napi(ts_type = "string")]
    pub ai_edit: Option<Unknown<'static>>,
    /// Contrast stretch: `e-contrast`.
    #[napi(ts_type = "true")]
    pub contrast_stretch: Option<Unknown<'static>>,
    /// Shadow, with optional parameters: `e-shadow`.
    #[napi(ts_type = "true | string")]
    pub shadow: Option<Unknown<'static>>,
    /// Sharpen, with an optional amount: `e-sharpen`.
    #[napi(ts_type = "true | number")]
    pub sharpen: Option<Unknown<'static>>,
    /// Unsharp mask, with optional parameters: `e-usm`.
    #[napi(ts_type = "true | string")]
    pub unsharp_mask: Option<Unknown<'static>>,
    /// Gradient, with optional parameters: `e-gradient`.
    #[napi(ts_type = "true | string")]
    pub gradient: Option<Unknown<'static>>,
    /// Colour replacement: `cr`.
    #[napi(ts_type = "string")]
    pub color_replace: Option<Unknown<'static>>,
    /// Colourise: `e-colorize`.
    #[napi(ts_type = "string")]
    pub colorize: Option<Unknown<'static>>,
    /// Perspective or arc distortion: `e-distort`.
    #[napi(ts_type = "string")]
    pub distort: Option<Unknown<'static>>,
    /// Progressive JPEG: `pr`.
    #[napi(ts_type = "boolean")]
    pub progressive: Option<Unknown<'static>>,
    /// Lossless WebP or PNG: `lo`.
    #[napi(ts_type = "boolean")]
    pub lossless: Option<Unknown<'static>>,
    /// Keep the colour profile: `cp`.
    #[napi(ts_type = "boolean")]
    pub color_profile: Option<Unknown<'static>>,
    /// Keep the metadata: `md`.
    #[napi(ts_type = "boolean")]
    pub metadata: Option<Unknown<'static>>,
    /// Opacity, 0 to 100: `o`.
    #[napi(ts_type = "number")]
    pub opacity: Option<Unknown<'static>>,
    /// Trim a solid border, with an optional threshold: `t`.
    #[napi(ts_type = "true | number")]
    pub trim: Option<Unknown<'static>>,
    /// Zoom for face crops: `z`.
    #[napi(ts_type = "number")]
    pub zoom: Option<Unknown<'static>>,
    /// Page or layer of a PDF, PSD or AI file: `pg`.
    #[napi(ts_type = "number | string")]
    pub page: Option<Unknown<'static>>,
    /// Text overlay font size: `fs`.
    #[napi(ts_type = "number | string")]
    pub font_size: Option<Unknown<'static>>,
    /// Text overlay font (a name, or a font file's path): `ff`.
    #[napi(ts_type = "string")]
    pub font_family: Option<Unknown<'static>>,
    /// Text overlay colour: `co`.
    #[napi(ts_type = "string")]
    pub font_color: Option<Unknown<'static>>,
    /// Text overlay alignment: `ia`.
    #[napi(ts_type = "'left' | 'right' | 'center'")]
    pub inner_alignment: Option<Unknown<'static>>,
    /// Text overlay padding: `pa`.
    #[napi(ts_type = "number | string")]
    pub padding: Option<Unknown<'static>>,
    /// Text overlay transparency, 1 to 9: `al`.
    #[napi(ts_type = "number")]
    pub alpha: Option<Unknown<'static>>,
    /// Text overlay typography (`b`, `i`, `b_i`): `tg`.
    #[napi(ts_type = "string")]
    pub typography: Option<Unknown<'static>>,
    /// Text overlay line height: `lh`.
    #[napi(ts_type = "number | string")]
    pub line_height: Option<Unknown<'static>>,
    /// Subtitle outline: `fol`.
    #[napi(ts_type = "string")]
    pub font_outline: Option<Unknown<'static>>,
    /// Subtitle shadow: `fsh`.
    #[napi(ts_type = "string")]
    pub font_shadow: Option<Unknown<'static>>,
    /// Subtitle text colour: `co`.
    #[napi(ts_type = "string")]
    pub color: Option<Unknown<'static>>,
    /// Parameters written as they are, for what has no key here.
    #[napi(ts_type = "string")]
    pub raw: Option<Unknown<'static>>,
    /// A layer: text, image, video, subtitles or a solid colour.
    #[napi(ts_type = "Overlay")]
    pub overlay: Option<Unknown<'static>>,
}

/// Where a layer goes.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct OverlayPosition {
    /// From the left: `lx`.
    #[napi(ts_type = "number | string")]
    pub x: Option<Unknown<'static>>,
    /// From the top: `ly`.
    #[napi(ts_type = "number | string")]
    pub y: Option<Unknown<'static>>,
    /// Centre, horizontally: `lxc`.
    #[napi(ts_type = "number | string")]
    pub x_center: Option<Unknown<'static>>,
    /// Centre, vertically: `lyc`.
    #[napi(ts_type = "number | string")]
    pub y_center: Option<Unknown<'static>>,
    /// Position relative to the base: `lfo`.
    #[napi(
        ts_type = "'center' | 'top' | 'left' | 'bottom' | 'right' | 'top_left' | 'top_right' | 'bottom_left' | 'bottom_right'"
    )]
    pub focus: Option<String>,
    /// The layer's own point placed at the position: `lap`.
    #[napi(
        ts_type = "'top' | 'left' | 'right' | 'bottom' | 'top_left' | 'top_right' | 'bottom_left' | 'bottom_right' | 'center'"
    )]
    pub anchor_point: Option<String>,
}

/// When a layer shows, in a video.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct OverlayTiming {
    /// Start, in seconds: `lso`.
    #[napi(ts_type = "number | string")]
    pub start: Option<Unknown<'static>>,
    /// End, in seconds: `leo`.
    #[napi(ts_type = "number | string")]
    pub end: Option<Unknown<'static>>,
    /// Duration, in seconds: `ldu`.
    #[napi(ts_type = "number | string")]
    pub duration: Option<Unknown<'static>>,
}

/// A text layer.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct TextOverlay {
    #[napi(js_name = "type", ts_type = "'text'")]
    pub kind: String,
    /// The text.
    pub text: String,
    /// `plain` (`i-`, URI-encoded), `base64` (`ie-`), or `auto` (the default: plain for
    /// letters, digits, `-`, `.`, `_` and spaces).
    #[napi(ts_type = "'auto' | 'plain' | 'base64'")]
    pub encoding: Option<String>,
    #[napi(ts_type = "'multiply' | 'cutter' | 'cutout' | 'displace'")]
    pub layer_mode: Option<String>,
    pub position: Option<OverlayPosition>,
    pub timing: Option<OverlayTiming>,
    /// The layer's own transformation (font size, colour, padding…).
    #[napi(ts_type = "Array<HelperTransformation>")]
    pub transformation: Option<Unknown<'static>>,
}

/// An image layer: a file of the media library, by path.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct ImageOverlay {
    #[napi(js_name = "type", ts_type = "'image'")]
    pub kind: String,
    /// The file's path (`/` is written `@@`).
    pub input: String,
    /// `plain` (`i-`), `base64` (`ie-`), or `auto` (the default).
    #[napi(ts_type = "'auto' | 'plain' | 'base64'")]
    pub encoding: Option<String>,
    #[napi(ts_type = "'multiply' | 'cutter' | 'cutout' | 'displace'")]
    pub layer_mode: Option<String>,
    pub position: Option<OverlayPosition>,
    pub timing: Option<OverlayTiming>,
    #[napi(ts_type = "Array<HelperTransformation>")]
    pub transformation: Option<Unknown<'static>>,
}

/// A video layer, on a video.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct VideoOverlay {
    #[napi(js_name = "type", ts_type = "'video'")]
    pub kind: String,
    /// The file's path.
    pub input: String,
    #[napi(ts_type = "'auto' | 'plain' | 'base64'")]
    pub encoding: Option<String>,
    #[napi(ts_type = "'multiply' | 'cutter' | 'cutout' | 'displace'")]
    pub layer_mode: Option<String>,
    pub position: Option<OverlayPosition>,
    pub timing: Option<OverlayTiming>,
    #[napi(ts_type = "Array<HelperTransformation>")]
    pub transformation: Option<Unknown<'static>>,
}

/// A subtitles layer, on a video.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct SubtitleOverlay {
    #[napi(js_name = "type", ts_type = "'subtitle'")]
    pub kind: String,
    /// The subtitle file's path.
    pub input: String,
    #[napi(ts_type = "'auto' | 'plain' | 'base64'")]
    pub encoding: Option<String>,
    #[napi(ts_type = "'multiply' | 'cutter' | 'cutout' | 'displace'")]
    pub layer_mode: Option<String>,
    pub position: Option<OverlayPosition>,
    pub timing: Option<OverlayTiming>,
    /// Font, size, colours, outline and shadow of the subtitles.
    #[napi(ts_type = "Array<HelperTransformation>")]
    pub transformation: Option<Unknown<'static>>,
}

/// A solid colour block.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct SolidColorOverlay {
    #[napi(js_name = "type", ts_type = "'solidColor'")]
    pub kind: String,
    /// RGB or RGBA hex, or a colour name.
    pub color: String,
    #[napi(ts_type = "'multiply' | 'cutter' | 'cutout' | 'displace'")]
    pub layer_mode: Option<String>,
    pub position: Option<OverlayPosition>,
    pub timing: Option<OverlayTiming>,
    /// Size, radius, transparency or gradient of the block.
    #[napi(ts_type = "Array<HelperTransformation>")]
    pub transformation: Option<Unknown<'static>>,
}

/// `helper.buildSrc`'s options (v7's `SrcOptions`).
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct SrcOptions {
    /// A path under `urlEndpoint`, or an absolute URL (`http://` or `https://`).
    pub src: String,
    /// Defaults to the instance's `urlEndpoint` (v7 requires it).
    pub url_endpoint: Option<String>,
    #[napi(ts_type = "Array<HelperTransformation>")]
    pub transformation: Option<Unknown<'static>>,
    /// `query` (the default here, as in v7) or `path`; an absolute `src` always gets a query.
    pub transformation_position: Option<super::types::TransformationPosition>,
    #[napi(ts_type = "{ [key: string]: string | number | boolean }")]
    pub query_parameters: Option<Unknown<'static>>,
    /// Signs the URL with the instance's private key.
    pub signed: Option<bool>,
    /// Seconds until a signed URL expires (and signs it).
    pub expires_in: Option<f64>,
}

/// `helper.getResponsiveImageAttributes`'s options: `buildSrc`'s, and what the image is
/// shown at (`@imagekit/javascript`'s `GetImageAttributesOptions`).
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct GetImageAttributesOptions {
    pub src: String,
    pub url_endpoint: Option<String>,
    #[napi(ts_type = "Array<HelperTransformation>")]
    pub transformation: Option<Unknown<'static>>,
    pub transformation_position: Option<super::types::TransformationPosition>,
    #[napi(ts_type = "{ [key: string]: string | number | boolean }")]
    pub query_parameters: Option<Unknown<'static>>,
    /// Signs every candidate URL (not in `@imagekit/javascript`, which runs where no
    /// private key may be).
    pub signed: Option<bool>,
    pub expires_in: Option<f64>,
    /// The width the image is shown at, in CSS pixels: candidates for 1x and 2x screens.
    pub width: Option<f64>,
    /// The `<img>`'s `sizes`: candidates from the smallest `vw` share of the smallest device.
    pub sizes: Option<String>,
    /// Screen widths; defaults to `[640, 750, 828, 1080, 1200, 1920, 2048, 3840]`.
    pub device_breakpoints: Option<Vec<f64>>,
    /// Widths for small images; defaults to `[16, 32, 48, 64, 96, 128, 256, 384]`.
    pub image_breakpoints: Option<Vec<f64>>,
}

/// The attributes of an `<img>`.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct ResponsiveImageAttributes {
    /// The largest candidate's URL.
    pub src: String,
    /// `url 640w, …` or `url 1x, url 2x`; absent with no candidate.
    pub src_set: Option<String>,
    pub sizes: Option<String>,
    pub width: Option<f64>,
}

// The events v7 adds to v6's.

/// `file.created`: a file was added to the media library.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct WebhookEventFileCreated {
    #[napi(js_name = "type", ts_type = "'file.created'")]
    pub kind: String,
    pub id: String,
    #[napi(js_name = "created_at")]
    pub created_at: String,
    #[napi(ts_type = "FileObject")]
    pub data: serde_json::Value,
}

/// `file.updated`: a file's details changed.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct WebhookEventFileUpdated {
    #[napi(js_name = "type", ts_type = "'file.updated'")]
    pub kind: String,
    pub id: String,
    #[napi(js_name = "created_at")]
    pub created_at: String,
    #[napi(ts_type = "FileObject")]
    pub data: serde_json::Value,
}

/// `file.deleted`: a file was deleted.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct WebhookEventFileDeleted {
    #[napi(js_name = "type", ts_type = "'file.deleted'")]
    pub kind: String,
    pub id: String,
    #[napi(js_name = "created_at")]
    pub created_at: String,
    #[napi(ts_type = "{ fileId: string }")]
    pub data: serde_json::Value,
}

/// `file-version.created`: a file got a new version.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct WebhookEventFileVersionCreated {
    #[napi(js_name = "type", ts_type = "'file-version.created'")]
    pub kind: String,
    pub id: String,
    #[napi(js_name = "created_at")]
    pub created_at: String,
    #[napi(ts_type = "FileObject")]
    pub data: serde_json::Value,
}

/// `file-version.deleted`: a version of a file was deleted.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct WebhookEventFileVersionDeleted {
    #[napi(js_name = "type", ts_type = "'file-version.deleted'")]
    pub kind: String,
    pub id: String,
    #[napi(js_name = "created_at")]
    pub created_at: String,
    #[napi(ts_type = "{ fileId: string; versionId: string }")]
    pub data: serde_json::Value,
}
