//! DCT-based 64-bit perceptual hash, the kind ImageKit returns as `pHash`.
//!
//! The hash keeps only the lowest spatial frequencies of a 32x32 grayscale
//! thumbnail, so resizing, re-encoding or mild filtering barely change it,
//! while different pictures differ in about half of the bits. The SDK's
//! `pHashDistance` helper compares two such hashes by Hamming distance.

use image::imageops::FilterType;
use image::DynamicImage;

/// Side of the grayscale thumbnail the DCT runs on.
const SIZE: usize = 32;
/// Frequencies kept per axis: the top-left 8x8 block of the DCT.
const LOW: usize = 8;

/// Median margin as a share of the strongest non-DC coefficient.
const RELATIVE_MARGIN: f64 = 3e-3;
/// Smallest median margin, in unnormalised DCT units of luma in 0..=1.
const MIN_MARGIN: f64 = 0.05;

/// 16 lowercase hex digits, 64-bit perceptual hash; `None` when the bytes are
/// not a decodable image.
pub fn phash(bytes: &[u8]) -> Option<String> {
    let decoded = super::decode(bytes).ok()?;
    Some(format!("{:016x}", hash_image(&decoded.image)))
}

/// Hash of already-decoded pixels: the top-left 8x8 block of the 2D DCT of
/// the 32x32 luma thumbnail, one bit per coefficient, set when it is above the
/// median of the 63 non-DC coefficients (the DC term only measures overall
/// brightness, so it would skew the median). Most significant bit first, in
/// row-major order.
pub(crate) fn hash_image(image: &DynamicImage) -> u64 {
    // The triangle filter widens with the scale factor, i.e. area-averages
    // when shrinking, which is what makes the hash resize-tolerant.
    let small = image
        .resize_exact(SIZE as u32, SIZE as u32, FilterType::Triangle)
        .to_luma32f();
    let pixels: Vec<f64> = small.pixels().map(|p| f64::from(p.0[0])).collect();
    let coefficients = low_frequency_dct(&pixels);
    let mut ac: Vec<f64> = coefficients.iter().skip(1).copied().collect();
    ac.sort_by(f64::total_cmp);
    let median = ac.get(ac.len() / 2).copied().unwrap_or(0.0);
    // Images varying along one axis only (plain gradients, stripes) have most
    // coefficients zero up to 8-bit rounding noise, and so does their median;
    // a margin keeps those bits from flipping between copies. It is relative
    // to the strongest coefficient, with a floor of a few one-level (1/255)
    // pixel changes so a flat image hashes stably too.
    let strongest = ac.iter().fold(0.0f64, |m, c| m.max(c.abs()));
    let margin = (strongest * RELATIVE_MARGIN).max(MIN_MARGIN);
    coefficients
        .iter()
        .fold(0u64, |acc, &c| (acc << 1) | u64::from(c > median + margin))
}

/// The top-left 8x8 block of the DCT-II (unnormalised: the scale factors do
/// not matter for a comparison with the median) of a 32x32 image given
/// row-major.
fn low_frequency_dct(pixels: &[f64]) -> [f64; LOW * LOW] {
    let cos: Vec<[f64; SIZE]> = (0..LOW)
        .map(|u| {
            std::array::from_fn(|x| {
                ((2 * x + 1) as f64 * u as f64 * std::f64::consts::PI / (2 * SIZE) as f64).cos()
            })
        })
        .collect();
    // Rows first: for each image row, its LOW horizontal frequencies.
    let rows: Vec<[f64; LOW]> = pixels
        .chunks_exact(SIZE)
        .map(|row| std::array::from_fn(|u| dot(&cos[u], row)))
        .collect();
    std::array::from_fn(|i| {
        let (v, u) = (i / LOW, i % LOW);
        rows.iter().zip(cos[v].iter()).map(|(r, c)| r[u] * c).sum()
    })
}

fn dot(a: &[f64; SIZE], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
mod tests {
    use super::super::test_images::*;
    use super::*;
    use image::{DynamicImage, RgbImage};

    fn distance(a: &str, b: &str) -> u32 {
        let a = u64::from_str_radix(a, 16).expect("hex");
        let b = u64::from_str_radix(b, 16).expect("hex");
        (a ^ b).count_ones()
    }

    fn hash_png(img: &RgbImage) -> String {
        phash(&png(&DynamicImage::ImageRgb8(img.clone()))).expect("hash")
    }

    fn originals() -> Vec<(&'static str, RgbImage)> {
        vec![
            ("scene", scene(256, 192, 1)),
            ("corner gradient", corner_gradient(256, 192)),
            ("radial gradient", radial_gradient(256, 192)),
            ("rings", rings(256, 192)),
            ("checkerboard 40", checkerboard(256, 192, 40)),
            ("checkerboard 72", checkerboard(256, 192, 72)),
            ("noise", noise(256, 192, 3)),
            ("noise other seed", noise(256, 192, 4)),
        ]
    }

    #[test]
    fn format_is_16_lowercase_hex_digits() {
        let h = hash_png(&scene(64, 48, 1));
        assert_eq!(h.len(), 16);
        assert!(
            h.chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)),
            "{h}"
        );
    }

    #[test]
    fn non_images_have_no_hash() {
        assert_eq!(phash(b"not an image"), None);
        assert_eq!(phash(&[]), None);
    }

    #[test]
    fn resized_and_reencoded_copies_are_close() {
        for (name, img) in originals() {
            let original = hash_png(&img);
            let half = image::imageops::resize(
                &img,
                img.width() / 2,
                img.height() / 2,
                FilterType::Triangle,
            );
            let d_half = distance(&original, &hash_png(&half));
            assert!(d_half <= 6, "{name}: 50% resize is {d_half} bits away");
            let reencoded = phash(&jpeg(&img, 60)).expect("jpeg hash");
            let d_jpeg = distance(&original, &reencoded);
            assert!(d_jpeg <= 6, "{name}: JPEG q=60 is {d_jpeg} bits away");
        }
    }

    #[test]
    fn different_images_are_far_apart() {
        let all = originals();
        let hashes: Vec<(&str, String)> = all.iter().map(|(n, i)| (*n, hash_png(i))).collect();
        for (i, (name_a, a)) in hashes.iter().enumerate() {
            for (name_b, b) in hashes.iter().skip(i + 1) {
                let d = distance(a, b);
                assert!(
                    d >= 15,
                    "{name_a} ({a}) vs {name_b} ({b}): only {d} bits apart"
                );
            }
        }
    }

    /// Images that vary along one axis only, or checkerboards aligned with the
    /// thumbnail grid, keep nearly all their energy in a few coefficients, so
    /// their hashes are sparse (and therefore also close to one another, which
    /// is why the separation test uses non-separable patterns); copies must
    /// still agree exactly rather than differ by rounding noise.
    #[test]
    fn one_dimensional_images_hash_stably() {
        for img in [
            horizontal_gradient(256, 192),
            vertical_gradient(300, 200),
            checkerboard(256, 192, 64),
        ] {
            let original = hash_png(&img);
            let half = image::imageops::resize(
                &img,
                img.width() / 2,
                img.height() / 2,
                FilterType::Triangle,
            );
            assert_eq!(hash_png(&half), original);
            assert_eq!(phash(&jpeg(&img, 60)).expect("hash"), original);
        }
    }

    #[test]
    fn flat_image_hashes_to_dc_bit_only() {
        let flat = RgbImage::from_pixel(50, 40, image::Rgb([90, 90, 90]));
        assert_eq!(hash_png(&flat), "8000000000000000");
    }

    #[test]
    fn hash_is_deterministic() {
        let bytes = png(&DynamicImage::ImageRgb8(scene(120, 90, 5)));
        assert_eq!(phash(&bytes), phash(&bytes));
    }
}
