//! URL transformations (`/tr:w-300,h-200:rt-90/path` or `?tr=...`), rendered
//! with the `image` crate.
//!
//! # What is rendered, what is ignored, what is an error
//!
//! Rendered: `w`, `h` (pixels, or a share of the current width/height when
//! below 1), `ar` (`ar-4-3`; used with exactly one of `w`/`h`), `c`
//! (`maintain_ratio`, `force`, `at_least`, `at_max`, `at_max_enlarge`), `cm`
//! (`pad_resize`, `extract`, `pad_extract`), `fo` (`center`, `top`, `left`,
//! `bottom`, `right`, `top_left`, `top_right`, `bottom_left`, `bottom_right`;
//! `auto`, `face` and `custom` fall back to `center` as there is no subject
//! detection), `x`/`y` (top-left corner for `cm-extract`/`cm-pad_extract`),
//! `q` (1-100, JPEG only: the `image` crate writes WebP losslessly), `f`
//! (`jpg`, `jpeg`, `png`, `webp`, `gif`; `orig` keeps the stored format,
//! `auto` gives WebP to a client whose `Accept` names `image/webp` and the
//! stored format to others), `dpr` (0.1-5, or `auto` from the client's `DPR`
//! hint: multiplies the step's `w` and `h`), `orig-true` (the stored bytes,
//! untouched; delivery handles it), `rt` (`0`, `90`, `180`, `270`, `360`,
//! `auto` = EXIF orientation), `bl` (1-100, a box-filter approximation of a
//! Gaussian blur with sigma = value / 2, whose cost does not grow with the
//! radius), `e-grayscale` (also `e-grayscale-true` as the SDK writes it) and
//! `bg` (`RRGGBB` or `RRGGBBAA` hex, the padding and JPEG flattening colour).
//! Steps joined by `:` apply in order; within a step the geometry
//! (resize/crop/pad) comes first, then rotation, blur and grayscale. `f`,
//! `q` and `bg` describe the output, so the last one given wins. With a
//! single dimension, `c-force` keeps the aspect ratio like the default.
//!
//! Accepted but not applied, and listed in [`Transformation::unapplied`] (which
//! delivery sends as the `x-unapplied-transformation` header, so nothing is
//! dropped without a word): the other keys ImageKit knows (`pr`, `lo`, `t`,
//! `md`, `cp`, `di`, `r`, `b`, `o`, `z`, `fl`, every `e-` effect but
//! grayscale...), keys unknown here (`raw` transformations pass arbitrary
//! keys through), named `bg` values such as `blurred` or `dominant`, `fo-auto`,
//! `fo-face` and `fo-custom` (rendered as `center`: there is no subject
//! detection), `dpr` without `w` or `h`, and overlay layers (`l-text,...,l-end`
//! is listed as `l-text`; the parameters inside a layer describe the overlay).
//!
//! Errors, so a broken URL is not silently served as the original: a
//! malformed key (not lowercase letters and digits), a malformed or
//! out-of-range value of an applied key (`w-abc`, `w-0`, `q-101`, `rt-45`,
//! `c-stretch`, `bg-12345`, `f-avif`, `dpr-9`), an applied key given without
//! a value, a layer without its `l-end`, more than [`MAX_STEPS`] steps, and
//! outputs larger than the server's size caps (16384 pixels a side, 40
//! megapixels), as inputs are.

use image::imageops::FilterType;
use image::metadata::Orientation;
use image::{DynamicImage, GenericImageView, Rgba, RgbaImage};

use super::{decode, Format, MAX_DIMENSION, MAX_PIXELS};

/// Longest accepted chain; each step may resize, so the chain length bounds
/// the work one URL can ask for.
pub const MAX_STEPS: usize = 16;
/// JPEG quality when the URL gives none (ImageKit's default setting).
const DEFAULT_QUALITY: u8 = 80;
/// Padding and JPEG flattening colour when the URL gives none.
const DEFAULT_BACKGROUND: Rgba<u8> = Rgba([255, 255, 255, 255]);

/// A parsed chain of transformation steps, applied in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Transformation {
    steps: Vec<Step>,
    /// Parameters accepted but not applied, as written (`e-sharpen-10`,
    /// `l-text`, ...): delivery names them in a response header.
    unapplied: Vec<String>,
}

/// A requested width or height.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Dim {
    Pixels(u32),
    /// Share (0 < f < 1) of the current image's size.
    Fraction(f64),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Crop {
    MaintainRatio,
    Force,
    AtLeast,
    AtMax,
    AtMaxEnlarge,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum CropMode {
    PadResize,
    Extract,
    PadExtract,
}

/// Where content is anchored: horizontal and vertical position, each 0
/// (start), 1 (centre) or 2 (end), in halves of the free space.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Focus(u32, u32);

impl Default for Focus {
    fn default() -> Self {
        Focus(1, 1)
    }
}

/// The output format a step asks for.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Output {
    Fixed(Format),
    /// `f-auto`: WebP for a client that accepts it, else the stored format.
    Auto,
    /// `f-orig`: the stored format.
    Stored,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Dpr {
    Factor(f64),
    /// `dpr-auto`: the client's `DPR` (or `Sec-CH-DPR`) hint, else 1.
    Auto,
}

/// Smallest and largest `dpr` ImageKit accepts.
const DPR_RANGE: std::ops::RangeInclusive<f64> = 0.1..=5.0;

/// What the client told about itself, for `f-auto` and `dpr-auto`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Client {
    /// Its `Accept` header names `image/webp`.
    pub accepts_webp: bool,
    /// Its device-pixel-ratio hint.
    pub dpr: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Rotation {
    Degrees(u32),
    Auto,
}

#[derive(Debug, Clone, Default, PartialEq)]
struct Step {
    width: Option<Dim>,
    height: Option<Dim>,
    aspect_ratio: Option<(f64, f64)>,
    crop: Option<Crop>,
    crop_mode: Option<CropMode>,
    focus: Focus,
    x: Option<u32>,
    y: Option<u32>,
    format: Option<Output>,
    /// `dpr-<n>` or `dpr-auto`: scales this step's `w` and `h`.
    dpr: Option<Dpr>,
    /// `orig-true`: serve the stored bytes, whatever else is asked.
    original: bool,
    quality: Option<u8>,
    rotation: Option<Rotation>,
    blur: Option<u8>,
    grayscale: bool,
    background: Option<Rgba<u8>>,
}

/// Parses the value of a `tr:` path segment or `tr` query parameter: steps
/// joined by `:`, parameters within a step by `,`, key and value split at
/// the first `-` (so `ar-4-3` is key `ar`, value `4-3`). See the module
/// documentation for what is rendered, ignored or rejected.
pub fn parse_transformation(tr: &str) -> Result<Transformation, String> {
    let chain: Vec<&str> = tr.split(':').collect();
    if chain.len() > MAX_STEPS {
        return Err(format!(
            "too many chained transformations (at most {MAX_STEPS})"
        ));
    }
    let mut unapplied = Vec::new();
    let steps = chain
        .into_iter()
        .map(|step| parse_step(step, &mut unapplied))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Transformation { steps, unapplied })
}

/// A parameter key as ImageKit writes them: lowercase letters and digits,
/// starting with a letter.
fn well_formed_key(key: &str) -> bool {
    key.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

fn parse_step(step: &str, unapplied: &mut Vec<String>) -> Result<Step, String> {
    let mut parsed = Step::default();
    let mut layer_depth = 0u32;
    for param in step.split(',').filter(|p| !p.is_empty()) {
        let (key, value) = param.split_once('-').unwrap_or((param, ""));
        if key == "l" {
            if value == "end" {
                layer_depth = layer_depth.saturating_sub(1);
            } else {
                if layer_depth == 0 {
                    unapplied.push(format!("l-{value}"));
                }
                layer_depth = layer_depth.saturating_add(1);
            }
            continue;
        }
        if layer_depth > 0 {
            continue; // the overlay's own parameters
        }
        if !well_formed_key(key) {
            return Err(format!("malformed transformation parameter {param:?}"));
        }
        if !parsed.set(key, value)? {
            unapplied.push(param.to_string());
        }
    }
    if layer_depth > 0 {
        return Err("an overlay layer (l-...) is not closed with l-end".into());
    }
    if parsed.dpr.is_some() && parsed.width.is_none() && parsed.height.is_none() {
        unapplied.push("dpr (without w or h)".into());
    }
    Ok(parsed)
}

impl Step {
    /// Records one parameter: `Ok(true)` when it is applied, `Ok(false)`
    /// when accepted but not applied here, `Err` when its value is malformed.
    fn set(&mut self, key: &str, value: &str) -> Result<bool, String> {
        let bad = || format!("invalid value for transformation parameter {key}: {value:?}");
        let rendered = matches!(
            key,
            "w" | "h"
                | "ar"
                | "c"
                | "cm"
                | "fo"
                | "x"
                | "y"
                | "q"
                | "f"
                | "rt"
                | "bl"
                | "bg"
                | "dpr"
                | "orig"
        );
        if rendered && value.is_empty() {
            return Err(format!("transformation parameter {key} needs a value"));
        }
        match key {
            "w" => self.width = Some(parse_dim(value).ok_or_else(bad)?),
            "h" => self.height = Some(parse_dim(value).ok_or_else(bad)?),
            "ar" => {
                let (a, b) = value.split_once('-').ok_or_else(bad)?;
                let positive = |s: &str| parse_decimal(s).filter(|v| *v > 0.0);
                self.aspect_ratio =
                    Some((positive(a).ok_or_else(bad)?, positive(b).ok_or_else(bad)?));
            }
            "c" => {
                self.crop = Some(match value {
                    "maintain_ratio" => Crop::MaintainRatio,
                    "force" => Crop::Force,
                    "at_least" => Crop::AtLeast,
                    "at_max" => Crop::AtMax,
                    "at_max_enlarge" => Crop::AtMaxEnlarge,
                    _ => return Err(bad()),
                })
            }
            "cm" => {
                self.crop_mode = Some(match value {
                    "pad_resize" => CropMode::PadResize,
                    "extract" => CropMode::Extract,
                    "pad_extract" => CropMode::PadExtract,
                    _ => return Err(bad()),
                })
            }
            "fo" if matches!(value, "auto" | "face" | "custom") => {
                // No subject detection here: the centre stands in.
                self.focus = Focus(1, 1);
                return Ok(false);
            }
            "fo" => {
                self.focus = match value {
                    "center" => Focus(1, 1),
                    "top" => Focus(1, 0),
                    "bottom" => Focus(1, 2),
                    "left" => Focus(0, 1),
                    "right" => Focus(2, 1),
                    "top_left" => Focus(0, 0),
                    "top_right" => Focus(2, 0),
                    "bottom_left" => Focus(0, 2),
                    "bottom_right" => Focus(2, 2),
                    _ => return Err(bad()),
                }
            }
            "x" => self.x = Some(parse_integer(value).ok_or_else(bad)?),
            "y" => self.y = Some(parse_integer(value).ok_or_else(bad)?),
            "q" => self.quality = Some(parse_percent(value).ok_or_else(bad)?),
            "bl" => self.blur = Some(parse_percent(value).ok_or_else(bad)?),
            "f" => {
                self.format = Some(match value {
                    "jpg" | "jpeg" => Output::Fixed(Format::Jpeg),
                    "png" => Output::Fixed(Format::Png),
                    "webp" => Output::Fixed(Format::Webp),
                    "gif" => Output::Fixed(Format::Gif),
                    "auto" => Output::Auto,
                    "orig" => Output::Stored,
                    _ => return Err(bad()),
                })
            }
            "dpr" => {
                self.dpr = Some(match value {
                    "auto" => Dpr::Auto,
                    _ => Dpr::Factor(
                        parse_decimal(value)
                            .filter(|d| DPR_RANGE.contains(d))
                            .ok_or_else(bad)?,
                    ),
                })
            }
            "orig" => match value {
                "true" => self.original = true,
                "false" => {}
                _ => return Err(bad()),
            },
            "rt" => {
                self.rotation = Some(match value {
                    "auto" => Rotation::Auto,
                    "0" | "360" => Rotation::Degrees(0),
                    "90" => Rotation::Degrees(90),
                    "180" => Rotation::Degrees(180),
                    "270" => Rotation::Degrees(270),
                    _ => return Err(bad()),
                })
            }
            "bg" => match parse_colour(value)? {
                Some(colour) => self.background = Some(colour),
                None => return Ok(false),
            },
            "e" if value == "grayscale" || value == "grayscale-true" => self.grayscale = true,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// A plain decimal number: digits with at most one dot (no sign, exponent,
/// `inf` or `NaN`, which `f64::from_str` would accept).
fn parse_decimal(s: &str) -> Option<f64> {
    let digits = s.bytes().filter(u8::is_ascii_digit).count();
    let dots = s.bytes().filter(|&b| b == b'.').count();
    (digits > 0 && digits + dots == s.len() && dots <= 1).then(|| s.parse().ok())?
}

fn parse_integer(s: &str) -> Option<u32> {
    s.bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| s.parse().ok())?
}

fn parse_percent(s: &str) -> Option<u8> {
    parse_integer(s)
        .filter(|v| (1..=100).contains(v))
        .and_then(|v| u8::try_from(v).ok())
}

fn parse_dim(s: &str) -> Option<Dim> {
    let v = parse_decimal(s)?;
    if v <= 0.0 {
        None
    } else if v < 1.0 {
        Some(Dim::Fraction(v))
    } else if v <= f64::from(MAX_DIMENSION) {
        Some(Dim::Pixels(v.round() as u32))
    } else {
        None
    }
}

/// `Ok(None)` for named values (ImageKit's colour names, `blurred`,
/// `dominant`...), which are accepted but not rendered; `Err` for hex of the
/// wrong length.
fn parse_colour(s: &str) -> Result<Option<Rgba<u8>>, String> {
    if !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let byte = |i: usize| s.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok());
    let channels = match s.len() {
        6 => [byte(0), byte(2), byte(4), Some(255)],
        8 => [byte(0), byte(2), byte(4), byte(6)],
        _ => {
            return Err(format!(
                "invalid value for transformation parameter bg: {s:?}"
            ))
        }
    };
    match channels {
        [Some(r), Some(g), Some(b), Some(a)] => Ok(Some(Rgba([r, g, b, a]))),
        _ => Err(format!(
            "invalid value for transformation parameter bg: {s:?}"
        )),
    }
}

/// Applies `tr` to stored bytes; returns (encoded bytes, content type).
/// `Err` when the bytes are not a decodable image or the output would exceed
/// the size caps.
pub fn apply(
    bytes: &[u8],
    tr: &Transformation,
    client: Client,
) -> Result<(Vec<u8>, &'static str), String> {
    let decoded = decode(bytes)?;
    let mut image = decoded.image;
    for step in &tr.steps {
        let dpr = match step.dpr {
            Some(Dpr::Factor(d)) => d,
            Some(Dpr::Auto) => client.dpr.filter(|d| DPR_RANGE.contains(d)).unwrap_or(1.0),
            None => 1.0,
        };
        image = step.render(image, decoded.orientation, dpr)?;
    }
    let format = match tr.last(|s| s.format) {
        Some(Output::Fixed(format)) => format,
        Some(Output::Auto) if client.accepts_webp => Format::Webp,
        Some(Output::Auto | Output::Stored) | None => decoded.format,
    };
    let quality = tr.last(|s| s.quality).unwrap_or(DEFAULT_QUALITY);
    let background = tr.last(|s| s.background).unwrap_or(DEFAULT_BACKGROUND);
    let encoded = encode(&image, format, quality, background)?;
    Ok((encoded, format.content_type()))
}

impl Transformation {
    /// `orig-true`: the stored bytes are served untouched.
    pub fn original(&self) -> bool {
        self.steps.iter().any(|s| s.original)
    }

    /// Whether the output depends on the client's `Accept` header (`f-auto`).
    pub fn negotiates_format(&self) -> bool {
        self.last(|s| s.format) == Some(Output::Auto)
    }

    /// Parameters accepted but not applied, as written.
    pub fn unapplied(&self) -> &[String] {
        &self.unapplied
    }

    /// The value of an output setting given by the latest step that has one.
    fn last<T>(&self, get: impl Fn(&Step) -> Option<T>) -> Option<T> {
        self.steps.iter().rev().find_map(get)
    }
}

impl Step {
    fn render(
        &self,
        image: DynamicImage,
        orientation: Orientation,
        dpr: f64,
    ) -> Result<DynamicImage, String> {
        let mut image = self.geometry(image, dpr)?;
        match self.rotation {
            Some(Rotation::Degrees(90)) => image = image.rotate90(),
            Some(Rotation::Degrees(180)) => image = image.rotate180(),
            Some(Rotation::Degrees(270)) => image = image.rotate270(),
            Some(Rotation::Auto) => image.apply_orientation(orientation),
            Some(Rotation::Degrees(_)) | None => {}
        }
        if let Some(blur) = self.blur {
            image = image.fast_blur(f32::from(blur) / 2.0);
        }
        if self.grayscale {
            image = image.grayscale();
        }
        Ok(image)
    }

    /// Target size from `w`, `h` and `ar`, each side `None` when not given.
    /// The output size `w`/`h`/`ar` ask for, times the device pixel ratio.
    fn target(&self, width: u32, height: u32, dpr: f64) -> (Option<u32>, Option<u32>) {
        let resolve = |dim: Option<Dim>, current: u32| match dim? {
            Dim::Pixels(p) => Some(scaled(p, dpr)),
            Dim::Fraction(f) => Some(scaled(current, f * dpr)),
        };
        let (w, h) = (resolve(self.width, width), resolve(self.height, height));
        match (w, h, self.aspect_ratio) {
            (Some(w), None, Some((a, b))) => (Some(w), Some(scaled(w, b / a))),
            (None, Some(h), Some((a, b))) => (Some(scaled(h, a / b)), Some(h)),
            _ => (w, h),
        }
    }

    /// Resize, crop and pad as `w`, `h`, `ar`, `c`, `cm`, `fo`, `x`, `y` ask.
    fn geometry(&self, image: DynamicImage, dpr: f64) -> Result<DynamicImage, String> {
        let (width, height) = image.dimensions();
        let (tw, th) = self.target(width, height, dpr);
        if tw.is_none() && th.is_none() {
            return Ok(image);
        }
        let background = self.background.unwrap_or(DEFAULT_BACKGROUND);
        match self.crop_mode {
            Some(CropMode::Extract) => {
                let (w, h) = (
                    tw.unwrap_or(width).min(width),
                    th.unwrap_or(height).min(height),
                );
                let (x, y) = self.origin(width - w, height - h);
                return Ok(image.crop_imm(x, y, w, h));
            }
            Some(CropMode::PadExtract) => {
                let (w, h) = (tw.unwrap_or(width), th.unwrap_or(height));
                check_size(w, h)?;
                let (cw, ch) = (w.min(width), h.min(height));
                let (x, y) = self.origin(width - cw, height - ch);
                let part = image.crop_imm(x, y, cw, ch);
                return Ok(pad(&part, w, h, self.focus, background));
            }
            Some(CropMode::PadResize) => {
                if let (Some(w), Some(h)) = (tw, th) {
                    check_size(w, h)?;
                    let s = (f64::from(w) / f64::from(width)).min(f64::from(h) / f64::from(height));
                    let inner = (scaled(width, s).min(w), scaled(height, s).min(h));
                    let resized = resize(&image, inner.0, inner.1)?;
                    return Ok(pad(&resized, w, h, self.focus, background));
                }
            }
            None => {}
        }
        let ratio = |t: Option<u32>, current: u32| t.map(|t| f64::from(t) / f64::from(current));
        let (sx, sy) = (ratio(tw, width), ratio(th, height));
        let single = sx.or(sy).unwrap_or(1.0);
        let fit = |s: f64| (scaled(width, s), scaled(height, s));
        match (self.crop.unwrap_or(Crop::MaintainRatio), tw, th) {
            (Crop::Force, _, _) => {
                let (w, h) = fit(single);
                resize(&image, tw.unwrap_or(w), th.unwrap_or(h))
            }
            (Crop::AtMax | Crop::AtMaxEnlarge, _, _) => {
                let mut s = sx.unwrap_or(f64::INFINITY).min(sy.unwrap_or(f64::INFINITY));
                if self.crop == Some(Crop::AtMax) {
                    s = s.min(1.0);
                }
                let (w, h) = fit(s);
                resize(
                    &image,
                    tw.map_or(w, |t| w.min(t)),
                    th.map_or(h, |t| h.min(t)),
                )
            }
            (Crop::AtLeast, _, _) => {
                let (w, h) = fit(sx.unwrap_or(0.0).max(sy.unwrap_or(0.0)));
                resize(
                    &image,
                    tw.map_or(w, |t| w.max(t)),
                    th.map_or(h, |t| h.max(t)),
                )
            }
            (Crop::MaintainRatio, Some(w), Some(h)) => {
                check_size(w, h)?;
                // Crop the largest region of the target's aspect ratio, then
                // scale it: never builds an oversized intermediate image.
                let target_ratio = f64::from(w) / f64::from(h);
                let (cw, ch) = if f64::from(width) / f64::from(height) > target_ratio {
                    (scaled(height, target_ratio).min(width), height)
                } else {
                    (width, scaled(width, 1.0 / target_ratio).min(height))
                };
                let (x, y) = anchor(self.focus, width - cw, height - ch);
                resize(&image.crop_imm(x, y, cw, ch), w, h)
            }
            (Crop::MaintainRatio, _, _) => {
                let (w, h) = fit(single);
                resize(&image, tw.unwrap_or(w), th.unwrap_or(h))
            }
        }
    }

    /// Top-left corner of an extracted region: `x`/`y` when given (clamped
    /// so the region stays inside), otherwise placed by focus.
    fn origin(&self, slack_x: u32, slack_y: u32) -> (u32, u32) {
        let (fx, fy) = anchor(self.focus, slack_x, slack_y);
        (
            self.x.map_or(fx, |x| x.min(slack_x)),
            self.y.map_or(fy, |y| y.min(slack_y)),
        )
    }
}

/// Offset of content within `slack` free pixels per axis for a focus.
fn anchor(focus: Focus, slack_x: u32, slack_y: u32) -> (u32, u32) {
    (
        slack_x / 2 * focus.0 + slack_x % 2 * (focus.0 / 2),
        slack_y / 2 * focus.1 + slack_y % 2 * (focus.1 / 2),
    )
}

/// `size * factor`, rounded, at least 1 and saturating far above the caps.
fn scaled(size: u32, factor: f64) -> u32 {
    let v = (f64::from(size) * factor).round();
    if v.is_nan() || v < 1.0 {
        1
    } else if v > f64::from(u32::MAX) {
        u32::MAX
    } else {
        v as u32
    }
}

fn check_size(width: u32, height: u32) -> Result<(), String> {
    if width > MAX_DIMENSION
        || height > MAX_DIMENSION
        || u64::from(width) * u64::from(height) > MAX_PIXELS
    {
        return Err(format!("requested output {width}x{height} is too large"));
    }
    Ok(())
}

fn resize(image: &DynamicImage, width: u32, height: u32) -> Result<DynamicImage, String> {
    check_size(width, height)?;
    if image.dimensions() == (width, height) {
        return Ok(image.clone());
    }
    Ok(image.resize_exact(width, height, FilterType::CatmullRom))
}

/// Places `image` on a `width` x `height` canvas of `background`, anchored
/// by focus. Keeps an alpha channel only if the image or the colour has one.
fn pad(
    image: &DynamicImage,
    width: u32,
    height: u32,
    focus: Focus,
    background: Rgba<u8>,
) -> DynamicImage {
    let mut canvas = RgbaImage::from_pixel(width, height, background);
    let (x, y) = anchor(
        focus,
        width.saturating_sub(image.width()),
        height.saturating_sub(image.height()),
    );
    image::imageops::overlay(&mut canvas, &image.to_rgba8(), i64::from(x), i64::from(y));
    let padded = DynamicImage::ImageRgba8(canvas);
    if image.color().has_alpha() || background.0[3] < u8::MAX {
        padded
    } else {
        DynamicImage::ImageRgb8(padded.to_rgb8())
    }
}

/// Encodes in 8 bits per channel, the depth every target format supports.
/// JPEG has no alpha, so transparent pixels are flattened onto `background`.
/// GIF output is a single frame.
fn encode(
    image: &DynamicImage,
    format: Format,
    quality: u8,
    background: Rgba<u8>,
) -> Result<Vec<u8>, String> {
    let image = match image {
        DynamicImage::ImageLuma8(_) | DynamicImage::ImageLumaA8(_) => image.clone(),
        DynamicImage::ImageLuma16(_) => DynamicImage::ImageLuma8(image.to_luma8()),
        DynamicImage::ImageLumaA16(_) => DynamicImage::ImageLumaA8(image.to_luma_alpha8()),
        _ if image.color().has_alpha() => DynamicImage::ImageRgba8(image.to_rgba8()),
        _ => DynamicImage::ImageRgb8(image.to_rgb8()),
    };
    let mut out = Vec::new();
    let result = match format {
        Format::Jpeg => {
            let opaque = if image.color().has_alpha() {
                flatten(&image, background)
            } else {
                image
            };
            let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
            opaque.write_with_encoder(encoder)
        }
        Format::Png => image.write_with_encoder(image::codecs::png::PngEncoder::new(&mut out)),
        Format::Webp => {
            image.write_with_encoder(image::codecs::webp::WebPEncoder::new_lossless(&mut out))
        }
        Format::Gif => DynamicImage::ImageRgba8(image.to_rgba8())
            .write_with_encoder(image::codecs::gif::GifEncoder::new(&mut out)),
    };
    result.map_err(|e| e.to_string())?;
    Ok(out)
}

/// Composites an image with alpha over an opaque `background` colour.
fn flatten(image: &DynamicImage, background: Rgba<u8>) -> DynamicImage {
    let Rgba([r, g, b, _]) = background;
    let mut canvas = RgbaImage::from_pixel(image.width(), image.height(), Rgba([r, g, b, u8::MAX]));
    image::imageops::overlay(&mut canvas, &image.to_rgba8(), 0, 0);
    let flat = DynamicImage::ImageRgba8(canvas);
    if matches!(image, DynamicImage::ImageLumaA8(_)) {
        DynamicImage::ImageLuma8(flat.to_luma8())
    } else {
        DynamicImage::ImageRgb8(flat.to_rgb8())
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_images::*;
    use super::*;

    fn source(w: u32, h: u32) -> Vec<u8> {
        png(&DynamicImage::ImageRgb8(scene(w, h, 1)))
    }

    fn run(bytes: &[u8], tr: &str) -> (DynamicImage, &'static str) {
        let parsed = parse_transformation(tr).unwrap_or_else(|e| panic!("{tr}: {e}"));
        let (out, content_type) =
            apply(bytes, &parsed, Client::default()).unwrap_or_else(|e| panic!("{tr}: {e}"));
        (
            image::load_from_memory(&out).expect("decodable output"),
            content_type,
        )
    }

    fn dims(bytes: &[u8], tr: &str) -> (u32, u32) {
        run(bytes, tr).0.dimensions()
    }

    #[test]
    fn output_dimensions_are_exactly_as_asked() {
        let src = source(400, 300);
        let cases = [
            ("w-100", (100, 75)),
            ("h-150", (200, 150)),
            ("w-100,h-100", (100, 100)),
            ("w-120,h-30", (120, 30)),
            ("w-0.5", (200, 150)),
            ("w-0.5,h-0.1", (200, 30)),
            ("h-0.25", (100, 75)),
            ("w-640", (640, 480)),
            ("ar-4-3,w-200", (200, 150)),
            ("ar-16-9,h-90", (160, 90)),
            ("ar-1-1,w-0.5", (200, 200)),
            ("c-maintain_ratio,w-90,h-160", (90, 160)),
            ("c-force,w-50,h-200", (50, 200)),
            ("c-force,w-200", (200, 150)),
            ("c-at_max,w-100,h-100", (100, 75)),
            ("c-at_max,w-1000,h-1000", (400, 300)),
            ("c-at_max_enlarge,w-800,h-800", (800, 600)),
            ("c-at_least,w-100,h-100", (133, 100)),
            ("cm-pad_resize,w-100,h-100", (100, 100)),
            ("cm-pad_resize,w-100", (100, 75)),
            ("cm-extract,w-50,h-40", (50, 40)),
            ("cm-extract,w-1000,h-40", (400, 40)),
            ("cm-pad_extract,w-500,h-100", (500, 100)),
            ("w-200:rt-90", (150, 200)),
            ("rt-270", (300, 400)),
            ("rt-180,w-40", (40, 30)),
            ("bl-10,w-40", (40, 30)),
            ("w-200:w-0.5:h-20", (27, 20)),
        ];
        for (tr, expected) in cases {
            assert_eq!(dims(&src, tr), expected, "{tr}");
        }
    }

    #[test]
    fn focus_and_offsets_choose_the_extracted_region() {
        let img = scene(400, 300, 1);
        let src = png(&DynamicImage::ImageRgb8(img.clone()));
        let (out, _) = run(&src, "cm-extract,w-50,h-40,fo-top_left");
        assert_eq!(out.to_rgb8().get_pixel(0, 0), img.get_pixel(0, 0));
        let (out, _) = run(&src, "cm-extract,w-50,h-40,fo-bottom_right");
        assert_eq!(out.to_rgb8().get_pixel(49, 39), img.get_pixel(399, 299));
        let (out, _) = run(&src, "cm-extract,w-50,h-40,x-10,y-20");
        assert_eq!(out.to_rgb8().get_pixel(0, 0), img.get_pixel(10, 20));
        let (out, _) = run(&src, "cm-extract,w-50,h-40");
        assert_eq!(out.to_rgb8().get_pixel(0, 0), img.get_pixel(175, 130));
    }

    #[test]
    fn padding_uses_background_and_focus() {
        let src = source(400, 300);
        // 400x300 into 100x100: a 100x75 picture with 12/13 rows of padding.
        let (out, _) = run(&src, "cm-pad_resize,w-100,h-100");
        let out = out.to_rgb8();
        assert_eq!(out.get_pixel(50, 2).0, [255, 255, 255]);
        assert_eq!(out.get_pixel(50, 98).0, [255, 255, 255]);
        let (out, _) = run(&src, "cm-pad_resize,w-100,h-100,bg-FF0000,fo-top");
        let out = out.to_rgb8();
        assert_eq!(out.get_pixel(50, 99).0, [255, 0, 0]);
        assert_ne!(out.get_pixel(50, 2).0, [255, 0, 0]);
        let (out, _) = run(&src, "cm-pad_extract,w-500,h-100,bg-00FF0080");
        assert!(out.color().has_alpha());
        assert_eq!(out.to_rgba8().get_pixel(2, 50).0, [0, 255, 0, 128]);
    }

    #[test]
    fn grayscale_and_blur_change_pixels() {
        let src = source(64, 48);
        let (out, _) = run(&src, "e-grayscale");
        assert!(out
            .to_rgb8()
            .pixels()
            .all(|p| p.0[0] == p.0[1] && p.0[1] == p.0[2]));
        let (sdk_style, _) = run(&src, "e-grayscale-true");
        assert_eq!(sdk_style.to_rgb8(), out.to_rgb8());
        let (blurred, _) = run(&src, "bl-20");
        let (original, _) = run(&src, "");
        assert_ne!(blurred.to_rgb8(), original.to_rgb8());
    }

    #[test]
    fn formats_and_content_types() {
        let src = source(40, 30);
        for (tr, content_type, format) in [
            ("", "image/png", image::ImageFormat::Png),
            ("f-auto", "image/png", image::ImageFormat::Png),
            ("f-orig", "image/png", image::ImageFormat::Png),
            ("f-jpg", "image/jpeg", image::ImageFormat::Jpeg),
            ("f-jpeg", "image/jpeg", image::ImageFormat::Jpeg),
            ("f-webp", "image/webp", image::ImageFormat::WebP),
            ("f-gif", "image/gif", image::ImageFormat::Gif),
            ("f-gif:f-png", "image/png", image::ImageFormat::Png),
            ("e-grayscale,f-jpg", "image/jpeg", image::ImageFormat::Jpeg),
            ("e-grayscale,f-gif", "image/gif", image::ImageFormat::Gif),
        ] {
            let (out, ct) = apply(
                &src,
                &parse_transformation(tr).expect("parse"),
                Client::default(),
            )
            .expect("apply");
            assert_eq!(ct, content_type, "{tr}");
            assert_eq!(image::guess_format(&out).ok(), Some(format), "{tr}");
            assert_eq!(
                image::load_from_memory(&out).expect("decode").dimensions(),
                (40, 30),
                "{tr}"
            );
        }
        let jpeg_src = jpeg(&scene(40, 30, 1), 90);
        assert_eq!(run(&jpeg_src, "w-20").1, "image/jpeg");
    }

    #[test]
    fn quality_changes_jpeg_size() {
        let src = source(200, 150);
        let size = |tr: &str| {
            apply(
                &src,
                &parse_transformation(tr).expect("parse"),
                Client::default(),
            )
            .expect("apply")
            .0
            .len()
        };
        assert!(size("f-jpg,q-10") < size("f-jpg,q-95"));
    }

    #[test]
    fn transparency_is_flattened_for_jpeg_only() {
        let src = png(&DynamicImage::ImageRgba8(half_transparent(20, 10)));
        let (out, _) = run(&src, "f-jpg");
        let right = out.to_rgb8().get_pixel(17, 5).0;
        assert!(right.iter().all(|&c| c > 240), "{right:?}");
        let (out, _) = run(&src, "f-jpg,bg-000000");
        assert!(out.to_rgb8().get_pixel(17, 5).0.iter().all(|&c| c < 15));
        for tr in ["f-png", "f-webp", "f-gif"] {
            let (out, _) = run(&src, tr);
            assert_eq!(out.to_rgba8().get_pixel(17, 5).0[3], 0, "{tr}");
        }
    }

    #[test]
    fn rt_auto_applies_exif_orientation() {
        // Minimal big-endian TIFF block: IFD0 with Orientation = 6 (rotate 90).
        let mut tiff = b"MM\0*\0\0\0\x08\0\x01".to_vec();
        tiff.extend([0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0]);
        let src = with_exif(&jpeg(&scene(40, 20, 1), 90), &tiff);
        assert_eq!(dims(&src, "w-40"), (40, 20));
        assert_eq!(dims(&src, "rt-auto"), (20, 40));
    }

    #[test]
    fn parses_keys_values_and_chains() {
        let t = parse_transformation("w-300,h-200,ar-4-3:rt-90").expect("parse");
        assert_eq!(t.steps.len(), 2);
        assert_eq!(t.steps[0].width, Some(Dim::Pixels(300)));
        assert_eq!(t.steps[0].aspect_ratio, Some((4.0, 3.0)));
        assert_eq!(t.steps[1].rotation, Some(Rotation::Degrees(90)));
        let t = parse_transformation("w-0.25,bg-FFFFFF80,fo-bottom_left").expect("parse");
        assert_eq!(t.steps[0].width, Some(Dim::Fraction(0.25)));
        assert_eq!(t.steps[0].background, Some(Rgba([255, 255, 255, 128])));
        assert_eq!(t.steps[0].focus, Focus(0, 2));
    }

    #[test]
    fn unapplied_parameters_change_nothing_and_are_named() {
        let unapplied = "pr-true,lo-true,t-true,md-false,cp-true,di-folder@@default.jpg,n-thumb,\
                         r-max,b-5_FF0000,e-sharpen-10,e-usm-2-2-0.8-0.024,e-contrast,\
                         e-shadow,e-gradient,e-bgremove,unknown-xyz,raw,bg-blurred,bg-dominant,\
                         fo-face,l-image,i-logo.png,w-abc,l-end,l-text,i-Hi,l-end";
        let t = parse_transformation(unapplied).expect("parse");
        assert_eq!(t.steps, parse_transformation("").expect("parse").steps);
        assert_eq!(
            t.unapplied(),
            [
                "pr-true",
                "lo-true",
                "t-true",
                "md-false",
                "cp-true",
                "di-folder@@default.jpg",
                "n-thumb",
                "r-max",
                "b-5_FF0000",
                "e-sharpen-10",
                "e-usm-2-2-0.8-0.024",
                "e-contrast",
                "e-shadow",
                "e-gradient",
                "e-bgremove",
                "unknown-xyz",
                "raw",
                "bg-blurred",
                "bg-dominant",
                "fo-face",
                "l-image",
                "l-text",
            ]
        );
        // What is applied is not named.
        let t =
            parse_transformation("w-10,h-10,dpr-2,f-auto,orig-true,e-grayscale").expect("parse");
        assert!(t.unapplied().is_empty(), "{:?}", t.unapplied());
        assert_eq!(
            parse_transformation("dpr-2").expect("parse").unapplied(),
            ["dpr (without w or h)"]
        );
        // Parameters after a layer ends apply to the base image again.
        let t = parse_transformation("l-text,i-hi,w-5,l-end,w-50").expect("parse");
        assert_eq!(t.steps[0].width, Some(Dim::Pixels(50)));
    }

    #[test]
    fn dpr_scales_the_requested_size() {
        let src = source(400, 300);
        let size = |tr: &str, client: Client| {
            let (out, _) =
                apply(&src, &parse_transformation(tr).expect("parse"), client).expect(tr);
            image::load_from_memory(&out).expect("decodes").dimensions()
        };
        assert_eq!(size("w-100", Client::default()), (100, 75));
        assert_eq!(size("w-100,dpr-2", Client::default()), (200, 150));
        assert_eq!(
            size("w-100,h-50,c-force,dpr-1.5", Client::default()),
            (150, 75)
        );
        let retina = Client {
            dpr: Some(3.0),
            ..Client::default()
        };
        assert_eq!(size("w-100,dpr-auto", retina), (300, 225));
        assert_eq!(size("w-100,dpr-auto", Client::default()), (100, 75));
        for bad in ["dpr-0", "dpr-6", "dpr-x", "dpr-"] {
            assert!(
                parse_transformation(&format!("w-10,{bad}")).is_err(),
                "{bad}"
            );
        }
        // The caps apply after the ratio.
        assert!(apply(
            &src,
            &parse_transformation("w-10000,h-10000,c-force,dpr-5").expect("parse"),
            Client::default()
        )
        .is_err());
    }

    #[test]
    fn f_auto_chooses_webp_only_for_clients_that_accept_it() {
        let src = source(40, 30);
        let tr = parse_transformation("w-20,f-auto").expect("parse");
        assert!(tr.negotiates_format());
        let webp = Client {
            accepts_webp: true,
            ..Client::default()
        };
        assert_eq!(apply(&src, &tr, webp).expect("webp").1, "image/webp");
        assert_eq!(
            apply(&src, &tr, Client::default()).expect("png").1,
            "image/png"
        );
        let orig = parse_transformation("w-20,f-orig").expect("parse");
        assert_eq!(apply(&src, &orig, webp).expect("orig").1, "image/png");
        assert!(parse_transformation("orig-true").expect("parse").original());
        assert!(parse_transformation("orig-maybe").is_err());
    }

    #[test]
    fn malformed_keys_and_unclosed_layers_are_errors() {
        for tr in ["W-100", "-5", "w1-x,9x-1", "l-text,i-hi", "w-10,,%-3"] {
            assert!(parse_transformation(tr).is_err(), "{tr}");
        }
    }

    #[test]
    fn malformed_values_are_errors() {
        for tr in [
            "w-abc",
            "w-0",
            "w--5",
            "w-1e3",
            "w-inf",
            "w-NaN",
            "w-20000",
            "w",
            "h-",
            "ar-4",
            "ar-4-0",
            "ar-x-3",
            "c-stretch",
            "cm-fill",
            "fo-middle",
            "q-0",
            "q-101",
            "q-high",
            "f-avif",
            "f-",
            "rt-45",
            "rt-90.5",
            "bl-0",
            "bl-101",
            "bg-12345",
            "bg-",
            "x-1.5",
            "y--2",
            "w-100:h-abc",
        ] {
            assert!(parse_transformation(tr).is_err(), "{tr} should be rejected");
        }
        let too_many = vec!["w-10"; MAX_STEPS + 1].join(":");
        assert!(parse_transformation(&too_many).is_err());
    }

    #[test]
    fn oversized_outputs_and_non_images_are_errors() {
        let src = source(40, 30);
        for tr in [
            "w-16000,h-16000",
            "cm-pad_extract,w-16000,h-16000",
            "w-16000,c-force,h-10000",
        ] {
            let parsed = parse_transformation(tr).expect("parse");
            assert!(apply(&src, &parsed, Client::default()).is_err(), "{tr}");
        }
        assert!(apply(
            b"not an image",
            &parse_transformation("w-10").expect("parse"),
            Client::default(),
        )
        .is_err());
    }

    #[test]
    fn random_inputs_never_panic() {
        let src = source(24, 18);
        let pieces = [
            "w-",
            "h-",
            "ar-",
            "c-",
            "cm-",
            "fo-",
            "q-",
            "f-",
            "rt-",
            "bl-",
            "bg-",
            "x-",
            "y-",
            "e-",
            "l-",
            "0",
            "1",
            "0.5",
            "3",
            "100",
            "9999",
            "-",
            ",",
            ":",
            "at_max",
            "pad_resize",
            "extract",
            "pad_extract",
            "force",
            "at_least",
            "grayscale",
            "auto",
            "top",
            "png",
            "jpg",
            "end",
            "FF00FF",
            "90",
            "image",
            "",
        ];
        let mut rng = Rng::new(42);
        for _ in 0..400 {
            let tr: String = (0..rng.next() % 12)
                .map(|_| pieces[(rng.next() % pieces.len() as u64) as usize])
                .collect();
            if let Ok(parsed) = parse_transformation(&tr) {
                let _ = apply(&src, &parsed, Client::default());
            }
        }
        for _ in 0..200 {
            let bytes: Vec<u8> = (0..rng.next() % 64).map(|_| rng.byte()).collect();
            let s = String::from_utf8_lossy(&bytes);
            let _ = parse_transformation(&s);
        }
    }
}
