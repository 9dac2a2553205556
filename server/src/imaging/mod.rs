//! Image decoding, metadata, perceptual hashing and URL transformations for the
//! local ImageKit stand-in.
//!
//! Every function here is a pure function of its inputs so the HTTP layer can
//! call it from any thread, and none panics on untrusted bytes or strings:
//! stored files and URLs come straight from SDK users and tests.

mod metadata;
mod phash;
mod transform;

use std::io::Cursor;

/// Largest stored file that is decoded for metadata or transformations; bigger
/// files are served as they are.
pub const MAX_DECODE_BYTES: u64 = 256 << 20;

use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

pub use metadata::metadata;
pub use phash::phash;
pub use transform::{apply, parse_transformation, Client, Transformation};

/// Basic facts about an image, enough for the upload response and listings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageInfo {
    pub width: u32,
    pub height: u32,
    /// One of "jpg", "png", "webp", "gif" (ImageKit spells JPEG "jpg").
    pub format: &'static str,
    /// Whether the pixel format carries an alpha channel (ImageKit's `hasAlpha`),
    /// not whether any pixel is actually transparent.
    pub has_alpha: bool,
}

/// Returns `None` when the bytes are not a decodable image.
///
/// The whole image is decoded rather than only its header so that a truncated
/// or corrupt upload is reported as a non-image, as ImageKit does.
pub fn probe(bytes: &[u8]) -> Option<ImageInfo> {
    let decoded = decode(bytes).ok()?;
    Some(ImageInfo {
        width: decoded.image.width(),
        height: decoded.image.height(),
        format: decoded.format.ext(),
        has_alpha: decoded.image.color().has_alpha(),
    })
}

/// Runs image work (decoding, transforming, metadata) on the blocking pool,
/// at most as many at a time as there are cores: each may hold up to
/// `MAX_ALLOC` of pixels, so this bounds the memory concurrent requests for
/// large images can take.
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, tokio::task::JoinError> {
    static SLOTS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    let slots = SLOTS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        tokio::sync::Semaphore::new(cores.clamp(1, 8))
    });
    // The semaphore is never closed, so acquiring cannot fail.
    let _permit = slots.acquire().await.ok();
    tokio::task::spawn_blocking(work).await
}

/// The content types of the formats this server decodes.
pub const RASTER_TYPES: [&str; 4] = ["image/jpeg", "image/png", "image/gif", "image/webp"];

/// Largest width or height accepted, for decoding and for transformation
/// output alike.
pub(crate) const MAX_DIMENSION: u32 = 16_384;
/// Largest pixel count accepted, so that a small file declaring huge
/// dimensions (a decompression bomb) or a URL asking for a huge output cannot
/// exhaust memory.
pub(crate) const MAX_PIXELS: u64 = 40_000_000;
/// Largest decoder allocation accepted, in bytes.
const MAX_ALLOC: u64 = 256 * 1024 * 1024;

/// The encodings this server understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Jpeg,
    Png,
    Webp,
    Gif,
}

impl Format {
    /// ImageKit's name for the format, as used in `format` fields and `f-` values.
    pub(crate) fn ext(self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            Format::Png => "png",
            Format::Webp => "webp",
            Format::Gif => "gif",
        }
    }

    pub(crate) fn content_type(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Webp => "image/webp",
            Format::Gif => "image/gif",
        }
    }

    fn from_image(format: ImageFormat) -> Option<Self> {
        match format {
            ImageFormat::Jpeg => Some(Format::Jpeg),
            ImageFormat::Png => Some(Format::Png),
            ImageFormat::WebP => Some(Format::Webp),
            ImageFormat::Gif => Some(Format::Gif),
            _ => None,
        }
    }
}

/// A decoded image with the facts about its container that pixels lose.
pub(crate) struct Decoded {
    pub(crate) image: DynamicImage,
    pub(crate) format: Format,
    /// EXIF orientation, applied only on request (`rt-auto`).
    pub(crate) orientation: Orientation,
    pub(crate) has_icc_profile: bool,
}

/// Decodes with size limits. Every failure (unknown format, corrupt data,
/// dimensions over the caps) becomes `Err`, so callers never see a panic.
/// Animated GIF and WebP files decode to their first frame.
pub(crate) fn decode(bytes: &[u8]) -> Result<Decoded, String> {
    let guessed = image::guess_format(bytes).map_err(|e| e.to_string())?;
    let format = Format::from_image(guessed).ok_or("unsupported image format")?;
    // Decoders are third-party code parsing hostile input; should one panic
    // anyway, the request fails instead of the server thread.
    std::panic::catch_unwind(|| decode_as(bytes, guessed, format))
        .unwrap_or_else(|_| Err("image decoder failed".to_string()))
}

fn decode_as(bytes: &[u8], guessed: ImageFormat, format: Format) -> Result<Decoded, String> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), guessed);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DIMENSION);
    limits.max_image_height = Some(MAX_DIMENSION);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    let too_large = |what: String| {
        format!(
            "image too large ({what}): this server decodes images of at most {MAX_DIMENSION} pixels a side and {MAX_PIXELS} pixels in all"
        )
    };
    let mut decoder = reader.into_decoder().map_err(|e| match e {
        image::ImageError::Limits(limit) => too_large(limit.to_string()),
        other => other.to_string(),
    })?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_PIXELS || decoder.total_bytes() > MAX_ALLOC {
        return Err(too_large(format!("{width}x{height}")));
    }
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let has_icc_profile = matches!(decoder.icc_profile(), Ok(Some(p)) if !p.is_empty());
    let image = DynamicImage::from_decoder(decoder).map_err(|e| e.to_string())?;
    Ok(Decoded {
        image,
        format,
        orientation,
        has_icc_profile,
    })
}

#[cfg(test)]
pub(crate) mod test_images {
    //! Synthetic images shared by the tests of every submodule.

    use image::{DynamicImage, ImageEncoder, Rgb, RgbImage, Rgba, RgbaImage};

    /// Deterministic xorshift PRNG so "noise" images are reproducible.
    pub struct Rng(u64);

    impl Rng {
        pub fn new(seed: u64) -> Self {
            Rng(seed.max(1))
        }
        pub fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        pub fn byte(&mut self) -> u8 {
            (self.next() >> 56) as u8
        }
    }

    /// A "photo-like" scene: smooth background, a few shapes, mild noise.
    pub fn scene(w: u32, h: u32, seed: u64) -> RgbImage {
        let mut rng = Rng::new(seed);
        let cx = w as f32 * 0.35;
        let cy = h as f32 * 0.45;
        let r = w.min(h) as f32 * 0.22;
        RgbImage::from_fn(w, h, |x, y| {
            let (fx, fy) = (x as f32, y as f32);
            let mut v = [
                (60.0 + 120.0 * fx / w as f32) as i32,
                (40.0 + 150.0 * fy / h as f32) as i32,
                110,
            ];
            if (fx - cx).powi(2) + (fy - cy).powi(2) < r * r {
                v = [230, 200, 40];
            }
            if fx > w as f32 * 0.6 && fx < w as f32 * 0.85 && fy > h as f32 * 0.2 {
                v = [30, 30, 60];
            }
            let n = i32::from(rng.byte() % 17) - 8;
            Rgb(v.map(|c| (c + n).clamp(0, 255) as u8))
        })
    }

    pub fn horizontal_gradient(w: u32, h: u32) -> RgbImage {
        RgbImage::from_fn(w, h, |x, _| {
            let v = (x * 255 / w.max(1)) as u8;
            Rgb([v, v, v])
        })
    }

    /// Product of a horizontal and a vertical ramp: unlike a plain linear
    /// gradient its low-frequency DCT block is not confined to one row/column.
    pub fn corner_gradient(w: u32, h: u32) -> RgbImage {
        RgbImage::from_fn(w, h, |x, y| {
            let v = (255 * x * y / (w * h).max(1)) as u8;
            Rgb([v, 255 - v, v / 2])
        })
    }

    pub fn vertical_gradient(w: u32, h: u32) -> RgbImage {
        RgbImage::from_fn(w, h, |_, y| {
            let v = (y * 255 / h.max(1)) as u8;
            Rgb([v, 255 - v, 128])
        })
    }

    pub fn radial_gradient(w: u32, h: u32) -> RgbImage {
        let max = ((w * w + h * h) as f32).sqrt() / 2.0;
        RgbImage::from_fn(w, h, |x, y| {
            let dx = x as f32 - w as f32 * 0.65;
            let dy = y as f32 - h as f32 * 0.4;
            let v = (255.0 * (dx * dx + dy * dy).sqrt() / max) as u8;
            Rgb([v, v / 2, 255 - v])
        })
    }

    /// Concentric rings around an off-centre point.
    pub fn rings(w: u32, h: u32) -> RgbImage {
        RgbImage::from_fn(w, h, |x, y| {
            let dx = x as f32 - w as f32 * 0.3;
            let dy = y as f32 - h as f32 * 0.7;
            if (((dx * dx + dy * dy).sqrt() / 40.0) as u32).is_multiple_of(2) {
                Rgb([250, 250, 250])
            } else {
                Rgb([20, 60, 20])
            }
        })
    }

    pub fn checkerboard(w: u32, h: u32, cell: u32) -> RgbImage {
        RgbImage::from_fn(w, h, |x, y| {
            if (x / cell + y / cell).is_multiple_of(2) {
                Rgb([255, 255, 255])
            } else {
                Rgb([0, 0, 0])
            }
        })
    }

    pub fn noise(w: u32, h: u32, seed: u64) -> RgbImage {
        let mut rng = Rng::new(seed);
        RgbImage::from_fn(w, h, |_, _| Rgb([rng.byte(), rng.byte(), rng.byte()]))
    }

    /// Half transparent: left half opaque red, right half fully transparent.
    pub fn half_transparent(w: u32, h: u32) -> RgbaImage {
        RgbaImage::from_fn(w, h, |x, _| {
            if x < w / 2 {
                Rgba([255, 0, 0, 255])
            } else {
                Rgba([0, 0, 0, 0])
            }
        })
    }

    pub fn png(img: &DynamicImage) -> Vec<u8> {
        let mut out = Vec::new();
        img.write_with_encoder(image::codecs::png::PngEncoder::new(&mut out))
            .expect("encode png");
        out
    }

    /// Inserts an APP1 Exif segment holding `tiff` right after the SOI marker.
    pub fn with_exif(jpeg: &[u8], tiff: &[u8]) -> Vec<u8> {
        let len = u16::try_from(2 + 6 + tiff.len()).expect("small exif");
        let mut out = jpeg[..2].to_vec();
        out.extend([0xFF, 0xE1]);
        out.extend(len.to_be_bytes());
        out.extend(b"Exif\0\0");
        out.extend(tiff);
        out.extend(&jpeg[2..]);
        out
    }

    pub fn jpeg(img: &RgbImage, quality: u8) -> Vec<u8> {
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
            .write_image(
                img,
                img.width(),
                img.height(),
                image::ExtendedColorType::Rgb8,
            )
            .expect("encode jpeg");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::test_images::*;
    use super::*;
    use image::ImageEncoder;

    #[test]
    fn probe_reports_dimensions_format_and_alpha() {
        let rgb = DynamicImage::ImageRgb8(scene(40, 30, 1));
        let info = probe(&jpeg(&rgb.to_rgb8(), 90)).expect("jpeg");
        assert_eq!(
            (info.width, info.height, info.format, info.has_alpha),
            (40, 30, "jpg", false)
        );
        let rgba = DynamicImage::ImageRgba8(half_transparent(8, 6));
        let info = probe(&png(&rgba)).expect("png");
        assert_eq!(
            (info.width, info.height, info.format, info.has_alpha),
            (8, 6, "png", true)
        );
    }

    #[test]
    fn probe_rejects_non_images_and_garbage() {
        assert_eq!(probe(b""), None);
        assert_eq!(probe(b"hello world, not an image"), None);
        let mut truncated = png(&DynamicImage::ImageRgb8(scene(64, 64, 2)));
        truncated.truncate(truncated.len() / 2);
        assert_eq!(probe(&truncated), None);
        let mut rng = Rng::new(9);
        for prefix in [
            &b"\x89PNG\r\n\x1a\n"[..],
            b"\xff\xd8\xff",
            b"GIF89a",
            b"RIFF\0\0\0\0WEBPVP8 ",
        ] {
            for _ in 0..50 {
                let mut bytes = prefix.to_vec();
                bytes.extend((0..rng.next() % 200).map(|_| rng.byte()));
                assert_eq!(probe(&bytes), None);
            }
        }
    }

    #[test]
    fn decompression_bomb_is_rejected() {
        // A valid PNG header declaring 100000x100000 pixels with almost no data.
        let mut small = Vec::new();
        image::codecs::png::PngEncoder::new(&mut small)
            .write_image(&[0u8; 3], 1, 1, image::ExtendedColorType::Rgb8)
            .expect("encode");
        // IHDR data starts at byte 16 (width, height, big-endian); its CRC
        // follows the 13 data bytes and is fixed up so only the limits reject it.
        let with_size = |side: u32| {
            let mut bomb = small.clone();
            bomb[16..20].copy_from_slice(&side.to_be_bytes());
            bomb[20..24].copy_from_slice(&side.to_be_bytes());
            let crc = crc32fast::hash(&bomb[12..29]);
            bomb[29..33].copy_from_slice(&crc.to_be_bytes());
            bomb
        };
        assert!(decode(&with_size(100_000)).is_err());
        assert!(probe(&with_size(100_000)).is_none());
        // Under the per-side cap but over the pixel cap.
        let err = decode(&with_size(16_000)).err().expect("pixel cap");
        assert!(err.contains("too large"), "{err}");
    }
}
