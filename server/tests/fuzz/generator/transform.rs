//! Transformation strings (`w-100,h-50:rt-90`), mostly valid.

use super::Gen;
use crate::learned::Pool;

impl Gen<'_> {
    pub(super) fn dim(&mut self) -> String {
        match self.rng.u32(0..1000) {
            0..=799 => self.rng.u32(1..=200).to_string(),
            800..=849 => format!("0.{}", self.rng.u32(1..99)),
            850..=899 => self
                .pick(&[
                    "abc", "-5", "1e3", "", "0", "1.5.5", "00010", "0.0", " 5", "１",
                ])
                .into(),
            900..=947 => self.rng.u32(16_385..=99_999).to_string(),
            948..=949 => self
                .pick(&["99999", "4294967296", "99999999999999999999"])
                .into(),
            950..=951 => self.rng.u32(500..=2500).to_string(),
            _ => self.rng.u32(1..=64).to_string(),
        }
    }

    pub(super) fn tr_param(&mut self) -> String {
        match self.rng.u32(0..26) {
            0..=4 => format!("w-{}", self.dim()),
            5..=8 => format!("h-{}", self.dim()),
            9 => format!(
                "ar-{}",
                self.pick(&["4-3", "1-1", "16-9", "0-1", "a-b", "1", "1-100", "100-1", "1.5-1"])
            ),
            10 => format!(
                "c-{}",
                self.pick(&[
                    "maintain_ratio",
                    "force",
                    "at_least",
                    "at_max",
                    "at_max_enlarge",
                    "stretch",
                    ""
                ])
            ),
            11 => format!(
                "cm-{}",
                self.pick(&["pad_resize", "extract", "pad_extract", "nope"])
            ),
            12 => format!(
                "fo-{}",
                self.pick(&[
                    "center",
                    "top",
                    "left",
                    "bottom",
                    "right",
                    "top_left",
                    "bottom_right",
                    "auto",
                    "face",
                    "custom",
                    "middle"
                ])
            ),
            13 => format!("x-{}", self.pick(&["0", "5", "150", "99999", "-1", "a"])),
            14 => format!("y-{}", self.pick(&["0", "5", "150", "99999", "-1", "a"])),
            15 => format!(
                "q-{}",
                self.pick(&["1", "50", "80", "100", "0", "101", "abc"])
            ),
            16 => format!(
                "f-{}",
                self.pick(&["jpg", "jpeg", "png", "webp", "gif", "auto", "orig", "avif", "JPG"])
            ),
            17 => format!(
                "rt-{}",
                self.pick(&["0", "90", "180", "270", "360", "auto", "45", "-90"])
            ),
            18 => format!("bl-{}", self.pick(&["1", "10", "100", "0", "101"])),
            19 => self
                .pick(&[
                    "e-grayscale",
                    "e-grayscale-true",
                    "e-sharpen",
                    "e-contrast",
                    "e-usm-2-2-0.8-0.024",
                ])
                .into(),
            20 => format!(
                "bg-{}",
                self.pick(&["FFFFFF", "00000080", "12345", "blurred", "dominant", "GGGGGG", "red"])
            ),
            21 => {
                let name = if self.p(0.6) {
                    self.ctx
                        .learned_pick(&mut self.rng, Pool::NamedName)
                        .unwrap_or_else(|| "ik_ml_thumbnail".into())
                } else {
                    self.pick(&["ik_ml_thumbnail", "nope", ""]).into()
                };
                format!("n-{name}")
            }
            22 => self
                .pick(&[
                    "l-image,i-x.png,w-10,l-end",
                    "l-text,i-hi,l-end",
                    "l-image",
                    "l-end",
                    "pr-true",
                    "lo-true",
                    "t-true",
                    "orig-true",
                    "dpr-2",
                    "r-max",
                ])
                .into(),
            23 => self
                .pick(&["w", "w-", "-", "", "h-", "zz-1", "w-10-10"])
                .into(),
            24 => self.junk().replace(['/', '?', '#'], ""),
            _ => format!("{}-{}", self.alnum(2), self.alnum(3)),
        }
    }

    pub(super) fn transformation(&mut self) -> String {
        let steps = if self.p(0.03) {
            self.n(10..25)
        } else {
            self.n(1..4)
        };
        (0..steps)
            .map(|_| {
                (0..self.n(1..5))
                    .map(|_| self.tr_param())
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .collect::<Vec<_>>()
            .join(":")
    }
}
