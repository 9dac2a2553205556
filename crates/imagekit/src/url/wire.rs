//! The form in which `url()` options cross from JavaScript: one UTF-16 string of
//! length-prefixed fields, built by `url()` in `imagekit.js`. A field's length (in UTF-16
//! units) is one unit, or U+FFFF followed by two units (high and low half) for 65535 and
//! more; then come its units. Numbers travel as their decimal text.
//!
//! Why: reading the options object from Rust through N-API (key enumeration, property
//! reads, string conversions) made `url()` slower than v6's whole call — 0.74× v6's ops/s
//! for `{ path, transformation: [{ height, width }] }`, 0.64× chained. Reading them in
//! JavaScript and handing Rust one string made it 1.5–1.7× v6 through a class method, and,
//! through the binding's free function `buildUrl` with this wire form, 2.0–2.9×
//! (`node bench/index.js sync`).
//!
//! Fields, in order: source (`p` path, `s` src), base URL, path, `q` when transformations
//! go to the query, `1` when signed, `parseInt(expireSeconds)` as JavaScript prints it,
//! the URL endpoint to sign with (`0` none, `s` followed by a string endpoint, to which
//! the core adds v6's trailing slash, `1` followed by another value's text, used as it
//! is), private key (`0` none, `1` followed by a string key, `v` for a key of another type
//! passed beside the string, converted as `crypto.createHmac` converts it), query parameter count
//! and pairs, step count and per step a parameter count and parameters (a `d` field and
//! the key, `r` and the value, or `n`, the key and the value).

use super::{parse_cached, InvalidUrl, Signing, Source, UrlRequest};
use crate::signature;
use crate::transformation::{self, Param};

/// A malformed wire string: only reachable by calling the native method directly.
#[derive(Debug)]
pub struct WireError;

/// Appends UTF-16 as UTF-8; lone surrogates become U+FFFD, as in Node's URL and crypto.
/// Returns whether there was one.
fn push_utf16(out: &mut Vec<u8>, units: &[u16]) -> bool {
    // The common all-ASCII field narrows in one vectorised pass.
    if units.iter().fold(0, |acc, &u| acc | u) < 0x80 {
        out.extend(units.iter().map(|&u| u as u8));
        return false;
    }
    let mut buffer = [0u8; 4];
    let mut lossy = false;
    for c in char::decode_utf16(units.iter().copied()) {
        lossy |= c.is_err();
        out.extend_from_slice(c.unwrap_or('\u{fffd}').encode_utf8(&mut buffer).as_bytes());
    }
    lossy
}

/// Buffers a `Reader` decodes into, kept between calls so that a call allocates nothing
/// for them.
#[derive(Default)]
pub struct Scratch {
    text: Vec<u8>,
    fields: Vec<(usize, usize)>,
    /// The fields that held a lone surrogate.
    lossy: Vec<usize>,
}

/// The wire decoded once into UTF-8 text, read field by field.
pub struct Reader<'a> {
    text: &'a str,
    /// Byte ranges of the fields in `text`.
    fields: &'a [(usize, usize)],
    lossy: &'a [usize],
    next: std::cell::Cell<usize>,
}

impl<'a> Reader<'a> {
    pub fn new(units: &[u16], scratch: &'a mut Scratch) -> Result<Self, WireError> {
        let Scratch {
            text,
            fields,
            lossy,
        } = scratch;
        text.clear();
        fields.clear();
        lossy.clear();
        let mut at = 0;
        while let Some(&first) = units.get(at) {
            let (len, header) = if first == 0xffff {
                let high = *units.get(at + 1).ok_or(WireError)?;
                let low = *units.get(at + 2).ok_or(WireError)?;
                ((usize::from(high) << 16) | usize::from(low), 3)
            } else {
                (usize::from(first), 1)
            };
            let start_unit = at + header;
            let end_unit = start_unit.checked_add(len).ok_or(WireError)?;
            let field = units.get(start_unit..end_unit).ok_or(WireError)?;
            let start = text.len();
            if push_utf16(text, field) {
                lossy.push(fields.len());
            }
            fields.push((start, text.len()));
            at = end_unit;
        }
        // Give back what one huge wire took rather than keep it for the thread's life.
        if text.capacity() > 1 << 16 && text.len() < 1 << 12 {
            text.shrink_to(1 << 12);
        }
        let text = std::str::from_utf8(text).map_err(|_| WireError)?;
        Ok(Self {
            text,
            fields,
            lossy,
            next: std::cell::Cell::new(0),
        })
    }

    /// The next field, and whether it held a lone surrogate (now U+FFFD).
    pub fn field_checked(&self) -> Result<(&'a str, bool), WireError> {
        let index = self.next.get();
        let field = self.field()?;
        Ok((field, self.lossy.contains(&index)))
    }

    pub fn field(&self) -> Result<&'a str, WireError> {
        let next = self.next.get();
        let (start, end) = *self.fields.get(next).ok_or(WireError)?;
        self.next.set(next + 1);
        self.text.get(start..end).ok_or(WireError)
    }

    pub fn count(&self) -> Result<usize, WireError> {
        self.field()?.parse().map_err(|_| WireError)
    }

    pub fn flag(&self, expected: &str) -> Result<bool, WireError> {
        Ok(self.field()? == expected)
    }

    pub fn pairs(&self) -> Result<Vec<(&'a str, &'a str)>, WireError> {
        (0..self.count()?)
            .map(|_| Ok((self.field()?, self.field()?)))
            .collect()
    }

    /// The transformation steps, written straight into their URL form.
    pub fn transformation(&self) -> Result<String, WireError> {
        let mut out = String::with_capacity(64);
        for step in 0..self.count()? {
            if step > 0 {
                out.push(':');
            }
            for param in 0..self.count()? {
                if param > 0 {
                    out.push(',');
                }
                let param = match self.field()? {
                    "d" => Param::Flag(self.field()?),
                    "r" => Param::Raw(self.field()?),
                    "n" => Param::Value(self.field()?, self.field()?),
                    _ => return Err(WireError),
                };
                transformation::push_param(&mut out, &param);
            }
        }
        Ok(out)
    }
}

/// The URL the wire describes: the options `url()` read, in v6's order of conversion,
/// built and signed (with `key_beside`, a key given beside the wire) as v6 builds them.
pub fn build(
    units: &[u16],
    scratch: &mut Scratch,
    key_beside: Option<&[u8]>,
    now_seconds: f64,
) -> Result<Result<String, InvalidUrl>, WireError> {
    let wire = Reader::new(units, scratch)?;
    let from_path = wire.flag("p")?;
    let base = wire.field()?;
    let path = wire.field()?;
    let transformation_in_query = wire.flag("q")?;
    let signed = wire.flag("1")?;
    let expire_seconds = wire.field()?.parse::<f64>().unwrap_or(f64::NAN);
    let endpoint = wire.field()?;
    let prefix = match endpoint.split_at_checked(1) {
        Some(("s", endpoint)) => Some(signature::endpoint_prefix(endpoint)),
        Some(("1", prefix)) => Some(prefix.to_owned()),
        _ => None,
    };
    let key = wire.field()?;
    let private_key = match key.strip_prefix('1') {
        Some(key) => Some(key.as_bytes()),
        None if key == "v" => key_beside,
        None => None,
    };
    let query_parameters = wire.pairs()?;
    let transformation = wire.transformation()?;

    let base_url = match parse_cached(base) {
        Ok(url) => url,
        Err(e) => return Ok(Err(e)),
    };
    let source = if from_path {
        Source::Path {
            url_endpoint: base_url,
            path,
        }
    } else {
        Source::Src(base_url)
    };
    Ok(Ok(super::build(UrlRequest {
        source,
        transformation: &transformation,
        transformation_in_query,
        query_parameters: &query_parameters,
        signing: signed.then_some(Signing {
            private_key,
            endpoint_prefix: prefix.as_deref(),
            expire_seconds,
            now_seconds,
        }),
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The wire as `imagekit.js` writes it.
    fn wire(fields: &[&str]) -> Vec<u16> {
        let mut units = Vec::new();
        for field in fields {
            let text: Vec<u16> = field.encode_utf16().collect();
            if text.len() < 0xffff {
                units.push(text.len() as u16);
            } else {
                units.extend([0xffff, (text.len() >> 16) as u16, text.len() as u16]);
            }
            units.extend(text);
        }
        units
    }

    #[test]
    fn reads_fields_and_steps() {
        let wire = wire(&[
            "p", "ab", "2", "2", "n", "width", "300", "d", "x", "1", "r", "a:b",
        ]);
        let mut scratch = Scratch::default();
        let r = Reader::new(&wire, &mut scratch).unwrap();
        assert!(r.flag("p").unwrap());
        assert_eq!(r.field().unwrap(), "ab");
        assert_eq!(r.transformation().unwrap(), "w-300,x:a:b");
    }

    #[test]
    fn long_and_non_ascii_fields() {
        let long = "é".repeat(70_000);
        let wire = wire(&[&long, "ü\u{1F600}"]);
        let mut scratch = Scratch::default();
        let r = Reader::new(&wire, &mut scratch).unwrap();
        assert_eq!(r.field().unwrap(), long);
        assert_eq!(r.field().unwrap(), "ü\u{1F600}");
        // A lone surrogate becomes U+FFFD, as Node's URL parser and crypto make it.
        let lone = [1u16, 0xd800];
        assert_eq!(
            Reader::new(&lone, &mut Scratch::default())
                .unwrap()
                .field()
                .unwrap(),
            "\u{fffd}"
        );
    }

    #[test]
    fn rejects_malformed_input_without_panicking() {
        for bad in [
            vec![5u16, 97, 98],
            vec![0xffff],
            vec![0xffff, 1, 0, 97],
            vec![2, 112],
        ] {
            assert!(Reader::new(&bad, &mut Scratch::default()).is_err());
        }
        // Well-formed fields that do not follow the grammar are errors too.
        let wrong = wire(&["p", "x", "1", "z"]);
        let mut scratch = Scratch::default();
        let r = Reader::new(&wrong, &mut scratch).unwrap();
        assert!(r
            .flag("p")
            .and_then(|_| r.field())
            .and_then(|_| r.transformation())
            .is_err());
    }

    #[test]
    fn builds_and_signs_what_the_wire_describes() {
        let mut scratch = Scratch::default();
        let unsigned = wire(&[
            "p",
            "https://ik.imagekit.io/demo",
            "/a.jpg",
            "",
            "0",
            "NaN",
            "0",
            "0",
            "1",
            "v",
            "1",
            "1",
            "2",
            "n",
            "width",
            "300",
            "n",
            "height",
            "200",
        ]);
        assert_eq!(
            build(&unsigned, &mut scratch, None, 0.0).unwrap().unwrap(),
            "https://ik.imagekit.io/demo/tr:w-300,h-200/a.jpg?v=1"
        );
        let signed = |endpoint: &str, key: &str, key_beside: Option<&[u8]>| {
            let units = wire(&[
                "p",
                "https://ik.imagekit.io/demo",
                "/a.jpg",
                "",
                "1",
                "0",
                endpoint,
                key,
                "0",
                "0",
            ]);
            build(&units, &mut Scratch::default(), key_beside, 0.0)
                .unwrap()
                .unwrap()
        };
        let expected = format!(
            "https://ik.imagekit.io/demo/a.jpg?ik-s={}",
            signature::url_signature(
                b"k",
                "https://ik.imagekit.io/demo/a.jpg",
                "https://ik.imagekit.io/demo/",
                "9999999999"
            )
        );
        // A string endpoint gets v6's trailing slash; a key given beside the wire signs too.
        assert_eq!(signed("shttps://ik.imagekit.io/demo", "1k", None), expected);
        assert_eq!(
            signed("shttps://ik.imagekit.io/demo", "v", Some(b"k")),
            expected
        );
        assert_eq!(
            signed("1https://ik.imagekit.io/demo/", "1k", None),
            expected
        );
        assert!(build(&wire(&["p"]), &mut scratch, None, 0.0).is_err());
    }
}
