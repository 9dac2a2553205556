//! ImageKit's metadata-API object (`GET /v1/files/:id/metadata`, and the
//! `metadata` upload response field), computed from the stored bytes.
//!
//! Container facts the decoded pixels no longer carry (PNG bit depth, density,
//! JPEG quality) are read by small bounds-checked walkers over the JPEG
//! segments and PNG chunks; EXIF comes from `kamadak-exif`.

use exif::{Context, In, Tag};
use image::{DynamicImage, GenericImageView};
use serde_json::{json, Map, Number, Value};

use super::{decode, Format};

/// Density ImageKit reports when a file declares none.
const DEFAULT_DENSITY: u64 = 72;

/// ImageKit's metadata-API JSON object, or `None` when not an image.
///
/// Keys come in the order ImageKit sends them: `height, width, bitDepth,
/// colorType` (PNG only), `density, hasColorProfile, quality,
/// hasTransparency, format, size, pHash, exif`. `quality` is an estimate of
/// the JPEG encoder setting and 0 for other formats; `exif` is `{}` when the
/// file carries none.
pub fn metadata(bytes: &[u8]) -> Option<Value> {
    let decoded = decode(bytes).ok()?;
    let image = &decoded.image;
    let exif = read_exif(bytes);
    let mut out = Map::new();
    out.insert("height".into(), image.height().into());
    out.insert("width".into(), image.width().into());
    let ihdr = (decoded.format == Format::Png)
        .then(|| png_ihdr(bytes))
        .flatten();
    match ihdr {
        Some((bit_depth, color_type)) => {
            out.insert("bitDepth".into(), bit_depth.into());
            out.insert("colorType".into(), color_type.into());
        }
        None => {
            let color = image.color();
            let depth = color.bits_per_pixel() / u16::from(color.channel_count().max(1));
            out.insert("bitDepth".into(), depth.into());
        }
    }
    let density = container_density(bytes, decoded.format)
        .or_else(|| exif.as_ref().and_then(exif_density))
        .unwrap_or(DEFAULT_DENSITY);
    out.insert("density".into(), density.into());
    out.insert("hasColorProfile".into(), decoded.has_icc_profile.into());
    let quality = match decoded.format {
        Format::Jpeg => jpeg_quality(bytes).unwrap_or(0),
        _ => 0,
    };
    out.insert("quality".into(), quality.into());
    out.insert("hasTransparency".into(), has_transparency(image).into());
    out.insert("format".into(), decoded.format.ext().into());
    out.insert("size".into(), bytes.len().into());
    let hash = super::phash::hash_image(image);
    out.insert("pHash".into(), format!("{hash:016x}").into());
    out.insert(
        "exif".into(),
        exif.as_ref().map_or_else(|| json!({}), exif_json),
    );
    Some(Value::Object(out))
}

/// True when some pixel is not fully opaque; an alpha channel alone is not
/// transparency.
fn has_transparency(image: &DynamicImage) -> bool {
    image.color().has_alpha() && image.pixels().any(|(_, _, p)| p.0[3] < u8::MAX)
}

/// Segments of a JPEG file before the image data, as (marker, payload).
fn jpeg_segments(bytes: &[u8]) -> Vec<(u8, &[u8])> {
    let mut segments = Vec::new();
    let mut pos = 2; // after SOI
    while bytes.get(pos) == Some(&0xFF) {
        let Some(&marker) = bytes.get(pos + 1) else {
            break;
        };
        match marker {
            0xFF => pos += 1, // fill byte
            0x01 | 0xD0..=0xD7 => pos += 2,
            0xD9 | 0xDA => break,
            _ => {
                let Some(len) = read_u16_be(bytes, pos + 2) else {
                    break;
                };
                let end = pos + 2 + usize::from(len);
                let Some(payload) = bytes.get(pos + 4..end) else {
                    break;
                };
                segments.push((marker, payload));
                pos = end;
            }
        }
    }
    segments
}

/// Chunks of a PNG file, as (type, data).
fn png_chunks(bytes: &[u8]) -> Vec<(&[u8], &[u8])> {
    let mut chunks = Vec::new();
    let mut pos = 8; // after the signature
    while let (Some(len), Some(kind)) = (read_u32_be(bytes, pos), bytes.get(pos + 4..pos + 8)) {
        let Some(start) = pos.checked_add(8) else {
            break;
        };
        let Some(end) = usize::try_from(len).ok().and_then(|l| start.checked_add(l)) else {
            break;
        };
        let Some(data) = bytes.get(start..end) else {
            break;
        };
        chunks.push((kind, data));
        if kind == b"IEND" {
            break;
        }
        pos = end + 4; // skip the CRC
    }
    chunks
}

/// PNG bit depth and colour type (0 grey, 2 RGB, 3 palette, 4 grey+alpha,
/// 6 RGBA) as declared in IHDR; decoding expands palettes and low depths.
fn png_ihdr(bytes: &[u8]) -> Option<(u8, u8)> {
    let (_, data) = png_chunks(bytes)
        .into_iter()
        .find(|(kind, _)| kind == b"IHDR")?;
    Some((*data.get(8)?, *data.get(9)?))
}

/// Dots per inch declared by the container: JFIF density for JPEG, pHYs for PNG.
fn container_density(bytes: &[u8], format: Format) -> Option<u64> {
    match format {
        Format::Jpeg => jpeg_segments(bytes)
            .into_iter()
            .find_map(|(marker, payload)| {
                let jfif = payload.strip_prefix(b"JFIF\0").filter(|_| marker == 0xE0)?;
                let x = f64::from(read_u16_be(jfif, 3)?);
                match jfif.get(2)? {
                    1 => Some(x),
                    2 => Some(x * 2.54),
                    _ => None, // 0 means aspect ratio only
                }
            }),
        Format::Png => png_chunks(bytes).into_iter().find_map(|(kind, data)| {
            let per_metre = read_u32_be(data, 0).filter(|_| kind == b"pHYs")?;
            (data.get(8) == Some(&1)).then(|| f64::from(per_metre) * 0.0254)
        }),
        Format::Webp | Format::Gif => None,
    }
    .filter(|dpi| *dpi >= 1.0)
    .map(|dpi| dpi.round() as u64)
}

/// Dots per inch from EXIF XResolution and ResolutionUnit (2 inch, 3 cm).
fn exif_density(exif: &exif::Exif) -> Option<u64> {
    let x = exif.get_field(Tag::XResolution, In::PRIMARY)?;
    let exif::Value::Rational(ref r) = x.value else {
        return None;
    };
    let value = r.first().filter(|r| r.denom != 0)?.to_f64();
    let unit = exif
        .get_field(Tag::ResolutionUnit, In::PRIMARY)
        .and_then(|f| f.value.get_uint(0))
        .unwrap_or(2);
    let dpi = if unit == 3 { value * 2.54 } else { value };
    (dpi.is_finite() && dpi >= 1.0).then(|| dpi.round() as u64)
}

/// The luminance quantisation table of ITU T.81 Annex K, which libjpeg-style
/// encoders scale by the quality setting.
const STD_LUMA_TABLE: [u16; 64] = [
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
    14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113,
    92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];

/// Estimates the libjpeg quality (1-100) from quantisation table 0 by
/// inverting libjpeg's scaling: table = standard * S / 100, where S is
/// 5000 / q below 50 and 200 - 2q above.
fn jpeg_quality(bytes: &[u8]) -> Option<u64> {
    let table_sum = jpeg_segments(bytes)
        .into_iter()
        .filter(|(marker, _)| *marker == 0xDB)
        .find_map(|(_, payload)| luma_table_sum(payload))?;
    let std_sum: u64 = STD_LUMA_TABLE.iter().map(|&v| u64::from(v)).sum();
    let scale = table_sum as f64 * 100.0 / std_sum as f64;
    let quality = if scale <= 100.0 {
        (200.0 - scale) / 2.0
    } else {
        5000.0 / scale
    };
    Some(quality.round().clamp(1.0, 100.0) as u64)
}

/// Sum of the entries of table 0 in a DQT payload, which may hold several
/// tables of 8- or 16-bit entries.
fn luma_table_sum(mut payload: &[u8]) -> Option<u64> {
    while let Some((&header, rest)) = payload.split_first() {
        let wide = header >> 4 != 0;
        let len = if wide { 128 } else { 64 };
        let table = rest.get(..len)?;
        if header & 0x0F == 0 {
            let sum = if wide {
                (0..64)
                    .filter_map(|i| read_u16_be(table, 2 * i))
                    .map(u64::from)
                    .sum()
            } else {
                table.iter().map(|&v| u64::from(v)).sum()
            };
            return Some(sum);
        }
        payload = rest.get(len..)?;
    }
    None
}

/// `N` bytes at `pos`, or `None` past the end.
fn array_at<const N: usize>(bytes: &[u8], pos: usize) -> Option<[u8; N]> {
    bytes.get(pos..pos.checked_add(N)?)?.try_into().ok()
}

fn read_u16_be(bytes: &[u8], pos: usize) -> Option<u16> {
    array_at(bytes, pos).map(u16::from_be_bytes)
}

fn read_u32_be(bytes: &[u8], pos: usize) -> Option<u32> {
    array_at(bytes, pos).map(u32::from_be_bytes)
}

/// Parses EXIF from any container kamadak-exif knows (JPEG, PNG, WebP),
/// keeping whatever was readable from a partly corrupt block.
fn read_exif(bytes: &[u8]) -> Option<exif::Exif> {
    std::panic::catch_unwind(|| {
        let mut reader = exif::Reader::new();
        reader.continue_on_error(true);
        reader
            .read_from_container(&mut std::io::Cursor::new(bytes))
            .or_else(|e| e.distill_partial_result(|_| ()))
            .ok()
    })
    .ok()
    .flatten()
}

/// The EXIF groups in ImageKit's order.
const GROUPS: [&str; 6] = [
    "image",
    "thumbnail",
    "exif",
    "gps",
    "interoperability",
    "makernote",
];

/// ImageKit's `exif` object: fields grouped by IFD and named as ImageKit
/// (after ExifTool) names them, in tag-number order within each group.
/// Maker notes are vendor-specific binary blobs that kamadak-exif does not
/// decode, so `makernote` stays empty.
fn exif_json(exif: &exif::Exif) -> Value {
    let mut groups: [Vec<(u16, String, Value)>; 6] = Default::default();
    for field in exif.fields() {
        let group = match (field.tag.context(), field.ifd_num) {
            (Context::Tiff, In::PRIMARY) => 0,
            (Context::Tiff, In::THUMBNAIL) => 1,
            (Context::Exif, In::PRIMARY) => 2,
            (Context::Gps, In::PRIMARY) => 3,
            (Context::Interop, In::PRIMARY) => 4,
            _ => continue,
        };
        if field.tag == Tag::MakerNote {
            continue;
        }
        let (Some(name), Some(value)) = (tag_name(field.tag), exif_value(&field.value)) else {
            continue;
        };
        if let Some(list) = groups.get_mut(group) {
            list.push((field.tag.number(), name, value));
        }
    }
    // kamadak-exif follows the IFD pointers but does not list them as fields;
    // ImageKit reports their offsets.
    let pointers = ifd_pointers(exif.buf(), exif.little_endian());
    for (group, number, name, offset) in pointers {
        if let Some(list) = groups.get_mut(group) {
            list.push((number, name.to_string(), offset.into()));
        }
    }
    let mut out = Map::new();
    for (name, mut fields) in GROUPS.into_iter().zip(groups) {
        fields.sort_by_key(|(number, _, _)| *number);
        let object: Map<String, Value> = fields.into_iter().map(|(_, k, v)| (k, v)).collect();
        out.insert(name.into(), Value::Object(object));
    }
    Value::Object(out)
}

/// ExifTool's name for a tag where it differs from the Exif specification's
/// name that kamadak-exif uses; `None` for tags kamadak-exif does not know.
fn tag_name(tag: Tag) -> Option<String> {
    let renamed = match (tag.context(), tag.number()) {
        (Context::Tiff, 0x0101) => "ImageHeight",
        (Context::Tiff, 0x0132) => "ModifyDate",
        (Context::Tiff, 0x0201) => "ThumbnailOffset",
        (Context::Tiff, 0x0202) => "ThumbnailLength",
        (Context::Exif, 0x8827) => "ISO",
        (Context::Exif, 0x9004) => "CreateDate",
        (Context::Exif, 0x9204) => "ExposureCompensation",
        (Context::Exif, 0xA002) => "ExifImageWidth",
        (Context::Exif, 0xA003) => "ExifImageHeight",
        (Context::Exif, 0xA430) => "OwnerName",
        (Context::Exif, 0xA431) => "SerialNumber",
        (Context::Exif, 0xA432) => "LensInfo",
        (Context::Interop, 0x0001) => "InteropIndex",
        (Context::Interop, 0x0002) => "InteropVersion",
        _ => {
            let name = tag.to_string();
            return (!name.starts_with("Tag(")).then_some(name);
        }
    };
    Some(renamed.to_string())
}

/// JSON for an EXIF value: one number or string when there is one, an array
/// otherwise; rationals become decimals; byte blobs of printable text (e.g.
/// ExifVersion "0221") become strings. `None` for values JSON cannot carry
/// (zero denominators, unknown types).
fn exif_value(value: &exif::Value) -> Option<Value> {
    use exif::Value as V;
    let items: Vec<Value> = match value {
        V::Byte(v) => v.iter().map(|&x| x.into()).collect(),
        V::SByte(v) => v.iter().map(|&x| x.into()).collect(),
        V::Short(v) => v.iter().map(|&x| x.into()).collect(),
        V::SShort(v) => v.iter().map(|&x| x.into()).collect(),
        V::Long(v) => v.iter().map(|&x| x.into()).collect(),
        V::SLong(v) => v.iter().map(|&x| x.into()).collect(),
        V::Rational(v) => v
            .iter()
            .map(|r| (r.denom != 0).then(|| r.to_f64()).and_then(number))
            .collect::<Option<_>>()?,
        V::SRational(v) => v
            .iter()
            .map(|r| (r.denom != 0).then(|| r.to_f64()).and_then(number))
            .collect::<Option<_>>()?,
        V::Float(v) => v
            .iter()
            .map(|&x| number(f64::from(x)))
            .collect::<Option<_>>()?,
        V::Double(v) => v.iter().map(|&x| number(x)).collect::<Option<_>>()?,
        V::Ascii(strings) => strings.iter().map(|s| ascii(s).into()).collect(),
        V::Undefined(bytes, _) => {
            let text = trim_nuls(bytes);
            if !text.is_empty() && text.iter().all(|b| b.is_ascii_graphic() || *b == b' ') {
                return Some(ascii(text).into());
            }
            bytes.iter().map(|&x| x.into()).collect()
        }
        V::Unknown(..) => return None,
    };
    match <[Value; 1]>::try_from(items) {
        Ok([single]) => Some(single),
        Err(items) if items.is_empty() => None,
        Err(items) => Some(Value::Array(items)),
    }
}

/// A JSON number, integral values without a fraction as JavaScript prints them.
fn number(x: f64) -> Option<Value> {
    if x.fract() == 0.0 && x.abs() < 9e15 {
        Some((x as i64).into())
    } else {
        Number::from_f64(x).map(Value::Number)
    }
}

fn trim_nuls(bytes: &[u8]) -> &[u8] {
    let end = bytes.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    bytes.get(..end).unwrap_or_default()
}

fn ascii(bytes: &[u8]) -> String {
    String::from_utf8_lossy(trim_nuls(bytes))
        .trim_end()
        .to_string()
}

/// The IFD pointer entries (group index, tag number, ImageKit name, offset):
/// ExifOffset and GPSInfo from IFD0, InteropOffset from the Exif IFD.
fn ifd_pointers(tiff: &[u8], little_endian: bool) -> Vec<(usize, u16, &'static str, u32)> {
    let u16_at = |pos: usize| {
        let b = array_at(tiff, pos)?;
        Some(if little_endian {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        })
    };
    let u32_at = |pos: usize| {
        let b = array_at(tiff, pos)?;
        Some(if little_endian {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    };
    // Value of a LONG (type 4) entry with the given tag in the IFD at `ifd`.
    let find = |ifd: u32, wanted: u16| -> Option<u32> {
        let ifd = usize::try_from(ifd).ok()?;
        let count = usize::from(u16_at(ifd)?);
        (0..count).find_map(|i| {
            let entry = ifd.checked_add(2 + 12 * i)?;
            (u16_at(entry)? == wanted && u16_at(entry + 2)? == 4).then(|| u32_at(entry + 8))?
        })
    };
    let mut out = Vec::new();
    let Some(ifd0) = u32_at(4) else { return out };
    if let Some(exif_ifd) = find(ifd0, 0x8769) {
        out.push((0, 0x8769, "ExifOffset", exif_ifd));
        if let Some(interop) = find(exif_ifd, 0xA005) {
            out.push((2, 0xA005, "InteropOffset", interop));
        }
    }
    if let Some(gps) = find(ifd0, 0x8825) {
        out.push((0, 0x8825, "GPSInfo", gps));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::test_images::*;
    use super::*;
    use exif::experimental::Writer;
    use exif::{Field, Rational};
    use image::DynamicImage;

    fn ascii_field(tag: Tag, text: &str) -> Field {
        Field {
            tag,
            ifd_num: In::PRIMARY,
            value: exif::Value::Ascii(vec![text.as_bytes().to_vec()]),
        }
    }

    fn rational_field(tag: Tag, num: u32, denom: u32, ifd_num: In) -> Field {
        Field {
            tag,
            ifd_num,
            value: exif::Value::Rational(vec![Rational { num, denom }]),
        }
    }

    fn short_field(tag: Tag, value: u16, ifd_num: In) -> Field {
        Field {
            tag,
            ifd_num,
            value: exif::Value::Short(vec![value]),
        }
    }

    /// A camera-like EXIF block (TIFF bytes) covering every group.
    fn camera_exif(little_endian: bool) -> Vec<u8> {
        let fields = [
            ascii_field(Tag::Make, "Canon"),
            ascii_field(Tag::Model, "Canon EOS 40D"),
            short_field(Tag::Orientation, 1, In::PRIMARY),
            rational_field(Tag::XResolution, 300, 1, In::PRIMARY),
            rational_field(Tag::YResolution, 300, 1, In::PRIMARY),
            short_field(Tag::ResolutionUnit, 2, In::PRIMARY),
            ascii_field(Tag::DateTime, "2008:07:31 10:38:11"),
            rational_field(Tag::ExposureTime, 1, 160, In::PRIMARY),
            rational_field(Tag::FNumber, 71, 10, In::PRIMARY),
            short_field(Tag::PhotographicSensitivity, 100, In::PRIMARY),
            Field {
                tag: Tag::ExifVersion,
                ifd_num: In::PRIMARY,
                value: exif::Value::Undefined(b"0221".to_vec(), 0),
            },
            ascii_field(Tag::DateTimeOriginal, "2008:05:30 15:56:01"),
            ascii_field(Tag::DateTimeDigitized, "2008:05:30 15:56:01"),
            Field {
                tag: Tag::GPSVersionID,
                ifd_num: In::PRIMARY,
                value: exif::Value::Byte(vec![2, 2, 0, 0]),
            },
            ascii_field(Tag::InteroperabilityIndex, "R98"),
            short_field(Tag::Compression, 6, In::THUMBNAIL),
            rational_field(Tag::XResolution, 72, 1, In::THUMBNAIL),
        ];
        let mut writer = Writer::new();
        for field in &fields {
            writer.push_field(field);
        }
        let mut out = std::io::Cursor::new(Vec::new());
        writer.write(&mut out, little_endian).expect("write exif");
        out.into_inner()
    }

    fn keys(v: &Value) -> Vec<&str> {
        v.as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect()
    }

    #[test]
    fn jpeg_with_exif_has_imagekit_shape() {
        for little_endian in [false, true] {
            let bytes = with_exif(&jpeg(&scene(100, 68, 1), 90), &camera_exif(little_endian));
            let m = metadata(&bytes).expect("metadata");
            assert_eq!(
                keys(&m),
                [
                    "height",
                    "width",
                    "bitDepth",
                    "density",
                    "hasColorProfile",
                    "quality",
                    "hasTransparency",
                    "format",
                    "size",
                    "pHash",
                    "exif"
                ]
            );
            assert_eq!(m["height"], 68);
            assert_eq!(m["width"], 100);
            assert_eq!(m["bitDepth"], 8);
            assert_eq!(m["format"], "jpg");
            assert_eq!(m["size"], bytes.len());
            assert_eq!(m["hasTransparency"], false);
            assert_eq!(m["hasColorProfile"], false);
            assert_eq!(m["pHash"].as_str().map(str::len), Some(16));
            let exif = &m["exif"];
            assert_eq!(keys(exif), GROUPS);
            let image = &exif["image"];
            assert_eq!(image["Make"], "Canon");
            assert_eq!(image["Model"], "Canon EOS 40D");
            assert_eq!(image["Orientation"], 1);
            assert_eq!(image["XResolution"], 300);
            assert_eq!(image["ResolutionUnit"], 2);
            assert_eq!(image["ModifyDate"], "2008:07:31 10:38:11");
            assert!(image["ExifOffset"].as_u64().is_some(), "{image}");
            assert!(image["GPSInfo"].as_u64().is_some(), "{image}");
            assert_eq!(keys(image).last(), Some(&"GPSInfo"), "tag-number order");
            assert_eq!(exif["thumbnail"]["Compression"], 6);
            assert_eq!(exif["thumbnail"]["XResolution"], 72);
            let e = &exif["exif"];
            assert_eq!(e["ExposureTime"], 0.00625);
            assert_eq!(e["FNumber"], 7.1);
            assert_eq!(e["ISO"], 100);
            assert_eq!(e["ExifVersion"], "0221");
            assert_eq!(e["DateTimeOriginal"], "2008:05:30 15:56:01");
            assert_eq!(e["CreateDate"], "2008:05:30 15:56:01");
            assert!(e["InteropOffset"].as_u64().is_some(), "{e}");
            assert_eq!(exif["gps"]["GPSVersionID"], json!([2, 2, 0, 0]));
            assert_eq!(exif["interoperability"]["InteropIndex"], "R98");
            assert_eq!(exif["makernote"], json!({}));
        }
    }

    #[test]
    fn exif_offsets_point_into_the_tiff_block() {
        let tiff = camera_exif(false);
        let bytes = with_exif(&jpeg(&scene(20, 20, 1), 90), &tiff);
        let m = metadata(&bytes).expect("metadata");
        let offset = m["exif"]["image"]["ExifOffset"].as_u64().expect("offset") as usize;
        // The Exif IFD starts with its entry count: the 6 Exif fields pushed
        // above plus the Interop pointer.
        assert_eq!(tiff.get(offset..offset + 2), Some(&[0u8, 7][..]));
    }

    #[test]
    fn density_comes_from_jfif_then_exif_then_default() {
        let plain = jpeg(&scene(20, 20, 1), 90);
        let m = metadata(&plain).expect("metadata");
        let jfif = container_density(&plain, Format::Jpeg);
        assert_eq!(m["density"], jfif.unwrap_or(DEFAULT_DENSITY));
        // Without a JFIF density, EXIF XResolution (300 dpi) is used.
        let stripped: Vec<u8> = {
            let app0_len = usize::from(read_u16_be(&plain, 4).expect("len"));
            let mut v = plain[..2].to_vec();
            if plain[3] == 0xE0 {
                v.extend(&plain[4 + app0_len..]);
            } else {
                v.extend(&plain[2..]);
            }
            v
        };
        let m = metadata(&with_exif(&stripped, &camera_exif(true))).expect("metadata");
        assert_eq!(m["density"], 300);
        let m = metadata(&stripped).expect("metadata");
        assert_eq!(m["density"], DEFAULT_DENSITY);
    }

    #[test]
    fn png_reports_colour_type_transparency_and_empty_exif() {
        let rgba = DynamicImage::ImageRgba8(half_transparent(10, 4));
        let m = metadata(&png(&rgba)).expect("metadata");
        assert_eq!(
            keys(&m),
            [
                "height",
                "width",
                "bitDepth",
                "colorType",
                "density",
                "hasColorProfile",
                "quality",
                "hasTransparency",
                "format",
                "size",
                "pHash",
                "exif"
            ]
        );
        assert_eq!(m["format"], "png");
        assert_eq!(m["bitDepth"], 8);
        assert_eq!(m["colorType"], 6);
        assert_eq!(m["hasTransparency"], true);
        assert_eq!(m["quality"], 0);
        assert_eq!(m["density"], DEFAULT_DENSITY);
        assert_eq!(m["exif"], json!({}));

        // An alpha channel with every pixel opaque is not transparency.
        let opaque = DynamicImage::ImageRgba8(DynamicImage::ImageRgb8(scene(10, 4, 1)).to_rgba8());
        let m = metadata(&png(&opaque)).expect("metadata");
        assert_eq!(m["hasTransparency"], false);
        let grey = DynamicImage::ImageLuma16(DynamicImage::ImageRgb8(scene(10, 4, 1)).to_luma16());
        let m = metadata(&png(&grey)).expect("metadata");
        assert_eq!(
            (m["bitDepth"].as_u64(), m["colorType"].as_u64()),
            (Some(16), Some(0))
        );
    }

    #[test]
    fn embedded_icc_profile_is_reported() {
        use image::ImageEncoder;
        let img = scene(8, 8, 1);
        // The decoders only check that a profile is present, not its contents.
        let profile = vec![0u8; 128];
        let mut with_profile = Vec::new();
        let mut encoder = image::codecs::png::PngEncoder::new(&mut with_profile);
        encoder.set_icc_profile(profile.clone()).expect("png icc");
        encoder
            .write_image(&img, 8, 8, image::ExtendedColorType::Rgb8)
            .expect("png");
        let mut jpeg_with_profile = Vec::new();
        let mut encoder = image::codecs::jpeg::JpegEncoder::new(&mut jpeg_with_profile);
        encoder.set_icc_profile(profile).expect("jpeg icc");
        encoder
            .write_image(&img, 8, 8, image::ExtendedColorType::Rgb8)
            .expect("jpeg");
        for bytes in [with_profile, jpeg_with_profile] {
            let m = metadata(&bytes).expect("metadata");
            assert_eq!(m["hasColorProfile"], true, "{}", m["format"]);
        }
    }

    #[test]
    fn jpeg_quality_is_estimated() {
        for q in [30u8, 60, 75, 90, 100] {
            let m = metadata(&jpeg(&scene(64, 64, 2), q)).expect("metadata");
            let estimate = m["quality"].as_u64().expect("quality");
            assert!(
                estimate.abs_diff(u64::from(q)) <= 2,
                "q={q} estimated {estimate}"
            );
        }
    }

    #[test]
    fn gif_and_webp_are_described() {
        let rgba = DynamicImage::ImageRgba8(half_transparent(6, 6));
        let mut gif = Vec::new();
        rgba.write_with_encoder(image::codecs::gif::GifEncoder::new(&mut gif))
            .expect("gif");
        let m = metadata(&gif).expect("gif metadata");
        assert_eq!(
            (m["format"].as_str(), m["hasTransparency"].as_bool()),
            (Some("gif"), Some(true))
        );
        let mut webp = Vec::new();
        rgba.write_with_encoder(image::codecs::webp::WebPEncoder::new_lossless(&mut webp))
            .expect("webp");
        let m = metadata(&webp).expect("webp metadata");
        assert_eq!(
            (m["format"].as_str(), m["width"].as_u64()),
            (Some("webp"), Some(6))
        );
    }

    #[test]
    fn non_images_and_corrupt_exif_do_not_panic() {
        assert_eq!(metadata(b"plain text"), None);
        let good = jpeg(&scene(16, 16, 1), 80);
        let tiff = camera_exif(false);
        let mut rng = Rng::new(5);
        for _ in 0..200 {
            let mut broken = tiff.clone();
            for _ in 0..4 {
                let i = (rng.next() % broken.len() as u64) as usize;
                broken[i] = rng.byte();
            }
            broken.truncate((rng.next() % (tiff.len() as u64 + 1)) as usize);
            if let Some(m) = metadata(&with_exif(&good, &broken)) {
                assert!(m["exif"].is_object());
            }
        }
    }
}
