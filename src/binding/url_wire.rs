//! The form in which `url()` options cross from JavaScript: one UTF-16 string of
//! length-prefixed fields (`<length>:<text>`), built by `url()` in `imagekit.js`.
//!
//! Measured with `npm run bench`: reading the options object through N-API (key
//! enumeration, property reads, string conversions) cost more than the reference's whole
//! `url()`; reading JavaScript objects in JavaScript and handing over one string is what
//! makes the call faster than v6.
//!
//! Fields, in order: source (`p` path, `s` src), base URL, path, `q` when transformations
//! go to the query, `1` when signed, `parseInt(expireSeconds)` as JavaScript prints it,
//! endpoint prefix (`0`, or `1` followed by the prefix), private key (`0` none, `1`
//! followed by the key, `b` for the bytes passed beside the string), query parameter count
//! and pairs, step count and per step a parameter count and parameters (`d` key,
//! `r` value, or `n` key and value).

use crate::transformation::{Param, Step};

/// A malformed wire string: only reachable by calling the native method directly.
#[derive(Debug)]
pub struct WireError;

pub struct Reader<'a> {
    units: &'a [u16],
    at: usize,
}

impl<'a> Reader<'a> {
    pub fn new(units: &'a [u16]) -> Self {
        Self { units, at: 0 }
    }

    fn tag(&mut self) -> Result<u16, WireError> {
        let unit = *self.units.get(self.at).ok_or(WireError)?;
        self.at += 1;
        Ok(unit)
    }

    fn field_units(&mut self) -> Result<&'a [u16], WireError> {
        let mut len = 0usize;
        loop {
            let unit = self.tag()?;
            match unit {
                0x30..=0x39 => {
                    len = len.checked_mul(10).and_then(|l| l.checked_add(usize::from(unit - 0x30))).ok_or(WireError)?;
                }
                0x3a => break,
                _ => return Err(WireError),
            }
        }
        let end = self.at.checked_add(len).ok_or(WireError)?;
        let field = self.units.get(self.at..end).ok_or(WireError)?;
        self.at = end;
        Ok(field)
    }

    /// A field as UTF-8; lone surrogates become U+FFFD, as in Node's URL and crypto.
    pub fn field(&mut self) -> Result<String, WireError> {
        Ok(String::from_utf16_lossy(self.field_units()?))
    }

    pub fn count(&mut self) -> Result<usize, WireError> {
        self.field()?.parse().map_err(|_| WireError)
    }

    pub fn flag(&mut self, expected: &str) -> Result<bool, WireError> {
        Ok(self.field()? == expected)
    }

    pub fn pairs(&mut self) -> Result<Vec<(String, String)>, WireError> {
        (0..self.count()?).map(|_| Ok((self.field()?, self.field()?))).collect()
    }

    pub fn steps(&mut self) -> Result<Vec<Step>, WireError> {
        (0..self.count()?)
            .map(|_| {
                (0..self.count()?)
                    .map(|_| match self.tag()? {
                        0x64 => Ok(Param::Flag(self.field()?)),
                        0x72 => Ok(Param::Raw(self.field()?)),
                        0x6e => Ok(Param::Value(self.field()?, self.field()?)),
                        _ => Err(WireError),
                    })
                    .collect()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units(s: &str) -> Vec<u16> {
        s.encode_utf16().collect()
    }

    #[test]
    fn reads_fields_and_steps() {
        let wire = units("1:p2:ab1:21:2n5:width3:300d1:x1:1r3:a:b");
        let mut r = Reader::new(&wire);
        assert!(r.flag("p").unwrap());
        assert_eq!(r.field().unwrap(), "ab");
        let steps = r.steps().unwrap();
        assert_eq!(steps.len(), 2);
        assert_eq!(steps[0], vec![Param::Value("width".into(), "300".into()), Param::Flag("x".into())]);
        assert_eq!(steps[1], vec![Param::Raw("a:b".into())]);
    }

    #[test]
    fn rejects_malformed_input_without_panicking() {
        for bad in ["", "5:ab", "x:1", "99999999999999999999999:a", "1:p1:x1:1:z"] {
            let wire = units(bad);
            let mut r = Reader::new(&wire);
            let _ = r.flag("p").and_then(|_| r.field()).and_then(|_| r.steps());
        }
        assert!(Reader::new(&units("3:ab")).field().is_err());
    }
}
