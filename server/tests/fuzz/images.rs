//! The images uploads pick from: tiny valid ones and broken ones.

use crate::common;

pub fn tiny_images() -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let mut images = vec![
        common::png(1, 1, false),
        common::png(8, 8, false),
        common::png(16, 12, true),
        common::png(32, 24, false),
    ];
    let rgb = image::RgbImage::from_fn(20, 10, |x, y| {
        image::Rgb([(x * 12) as u8, (y * 25) as u8, 7])
    });
    let mut jpeg = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(rgb)
        .write_to(&mut jpeg, image::ImageFormat::Jpeg)
        .unwrap();
    images.push(jpeg.into_inner());
    let png = common::png(16, 16, false);
    let broken = vec![
        png[..png.len() / 2].to_vec(),
        png[..8].to_vec(),
        {
            let mut p = png.clone();
            p[20] ^= 0xff;
            p
        },
        {
            // A PNG header announcing a huge image.
            let mut p = png.clone();
            p[16..24].copy_from_slice(&[0, 0, 0x7f, 0xff, 0, 0, 0x7f, 0xff]);
            p
        },
        b"GIF89a\x01\x00".to_vec(),
        b"\xff\xd8\xff\xe0".to_vec(),
    ];
    (images, broken)
}
