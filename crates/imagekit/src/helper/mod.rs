//! v7's `helper` (`@imagekit/nodejs` 7.11): `buildSrc`, `buildTransformationString` and
//! the responsive image attributes of `@imagekit/javascript` 5.5, on the values JavaScript
//! gave them.
//!
//! The values are JavaScript's: a string, a number's text, a boolean, or an object,
//! array or symbol with the text JavaScript converted it to (or the exception converting
//! it threw, thrown here only where v7 converts it). [`wire`] reads them from the form in
//! which `imagekit.js` hands them over.

use url::{form_urlencoded, Url};

use crate::ecma::number_to_string;
use crate::signature::hmac_sha1_hex;

pub mod transformation;
pub mod wire;

pub use transformation::Encoding;

/// A JavaScript value as v7's helper reads it.
pub enum Val<'a> {
    /// `undefined` or `null`.
    Missing,
    /// A string; `lossy` when it held a lone surrogate (here U+FFFD).
    Str {
        text: &'a str,
        lossy: bool,
    },
    /// A number's or bigint's text, as `String()` writes it.
    Num(&'a str),
    Bool(bool),
    /// An array: its text (`join(',')`) and `join('_')`.
    Array {
        text: Conv<'a>,
        joined: Conv<'a>,
    },
    /// An object or function: its text.
    Object(Conv<'a>),
    /// A symbol: converting it to text throws.
    Symbol(Conv<'a>),
}

/// A conversion JavaScript made: its text, or the index of the exception it threw.
pub enum Conv<'a> {
    Text(&'a str),
    Throws(usize),
}

/// One step of a transformation: its keys in `for…in` order.
pub struct Step<'a> {
    pub params: Vec<Param<'a>>,
}

pub enum Param<'a> {
    /// An `overlay` key whose value is an object.
    Overlay(Box<Overlay<'a>>),
    /// Any other key with a value other than `undefined` or `null`.
    Value { key: &'a str, value: Val<'a> },
}

#[derive(Clone, Copy, PartialEq)]
pub enum OverlayType {
    /// A falsy `type`: no overlay.
    None,
    Text,
    Image,
    Video,
    Subtitle,
    SolidColor,
    /// Any other truthy `type`: v7 writes the layer's position, timing and steps alone.
    Other,
}

impl OverlayType {
    pub fn of(text: &str) -> Self {
        match text {
            "" => OverlayType::None,
            "text" => OverlayType::Text,
            "image" => OverlayType::Image,
            "video" => OverlayType::Video,
            "subtitle" => OverlayType::Subtitle,
            "solidColor" => OverlayType::SolidColor,
            _ => OverlayType::Other,
        }
    }
}

/// A text or path: the value, and for a value other than a string, the base64 of
/// `Buffer.from(value)` JavaScript made.
pub struct Payload<'a> {
    pub value: Val<'a>,
    pub base64: Option<Conv<'a>>,
}

/// An overlay's `position` or `timing`: its fields, or the exception reading them threw
/// (`null` cannot be destructured).
pub enum Fields<'a, const N: usize> {
    Values([Val<'a>; N]),
    Throws(usize),
}

impl<'a, const N: usize> Fields<'a, N> {
    fn values(&self) -> Result<&[Val<'a>; N], HelperError> {
        match self {
            Fields::Values(values) => Ok(values),
            Fields::Throws(index) => Err(HelperError::Captured(*index)),
        }
    }
}

pub struct Overlay<'a> {
    pub kind: OverlayType,
    pub text: Payload<'a>,
    pub input: Payload<'a>,
    pub color: Val<'a>,
    pub encoding: Encoding,
    pub layer_mode: Val<'a>,
    /// `x`, `y`, `xCenter`, `yCenter`, `focus`, `anchorPoint`.
    pub position: Fields<'a, 6>,
    /// `start`, `end`, `duration`.
    pub timing: Fields<'a, 3>,
    /// `None` when `transformation` is not an array.
    pub transformation: Option<Vec<Step<'a>>>,
}

impl<'a> Overlay<'a> {
    /// An overlay of this type with none of its fields given (v7's defaults: no position,
    /// no timing, an empty transformation).
    pub fn new(kind: OverlayType) -> Self {
        let missing = || Payload {
            value: Val::Missing,
            base64: None,
        };
        Overlay {
            kind,
            text: missing(),
            input: missing(),
            color: Val::Missing,
            encoding: Encoding::Auto,
            layer_mode: Val::Missing,
            position: Fields::Values(std::array::from_fn(|_| Val::Missing)),
            timing: Fields::Values(std::array::from_fn(|_| Val::Missing)),
            transformation: Some(Vec::new()),
        }
    }
}

/// What v7 throws.
#[derive(Debug, PartialEq)]
pub enum HelperError {
    /// The exception JavaScript threw converting a value, by index.
    Captured(usize),
    /// A `TypeError` with this message (a method called on a value that lacks it).
    Type(String),
    /// `encodeURIComponent`'s `URIError` on a lone surrogate.
    UriMalformed,
    /// `new URL()`'s `TypeError` on a URL it cannot parse.
    InvalidUrl(String),
}

const TRANSFORMATION_PLACEHOLDER: &str = "PLEASEREPLACEJUSTBEFORESIGN";
/// The expiry v7 signs a URL that never expires with.
pub const DEFAULT_TIMESTAMP: &str = "9999999999";

/// The transformation put where the placeholder was, as JavaScript's `replace` with a
/// string pattern puts a replacement (`GetSubstitution`, no groups): `$$` is `$`, `$&` the
/// placeholder, `` $` `` what precedes it and `$'` what follows it.
fn push_substitution(out: &mut String, replacement: &str, before: &str, after: &str) {
    let matched = TRANSFORMATION_PLACEHOLDER;
    let mut rest = replacement;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        let pattern = &rest[dollar..];
        let (expansion, taken) = match pattern.as_bytes().get(1) {
            Some(b'$') => ("$", 2),
            Some(b'&') => (matched, 2),
            Some(b'`') => (before, 2),
            Some(b'\'') => (after, 2),
            _ => ("$", 1),
        };
        out.push_str(expansion);
        rest = &pattern[taken..];
    }
    out.push_str(rest);
}

/// `buildSrc`'s options, as JavaScript converted them.
pub struct SrcRequest<'a> {
    /// `src` starts with `http://` or `https://`.
    pub absolute: bool,
    /// The `src` of an absolute URL, else `urlEndpoint`.
    pub base: &'a str,
    /// `src` under `urlEndpoint` (relative sources).
    pub src: &'a str,
    /// `transformationPosition` is `query` (its default).
    pub transformation_in_query: bool,
    /// Names and values (`String(value)`, or what converting it threw).
    pub query_parameters: Vec<(&'a str, Conv<'a>)>,
    pub transformation: Option<Vec<Step<'a>>>,
    pub signing: Option<SrcSigning<'a>>,
}

/// A signed URL's expiry (`9999999999` for none) and what it is signed with; no key or
/// no URL endpoint signs with an empty signature, as v7 does.
pub struct SrcSigning<'a> {
    pub expiry: &'a str,
    pub key: Option<&'a [u8]>,
    /// What is stripped from the URL before signing: `urlEndpoint` with a trailing slash.
    pub endpoint_prefix: Option<std::borrow::Cow<'a, str>>,
}

/// The URL with its query re-serialised as `URLSearchParams` does after `append`.
fn append_query(url: &mut Url, pairs: &[(&str, &str)]) {
    if pairs.is_empty() {
        return;
    }
    let existing: Vec<(String, String)> = url
        .query()
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    url.query_pairs_mut()
        .clear()
        .extend_pairs(existing.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .extend_pairs(pairs.iter().copied());
}

/// Whether `URLSearchParams` of the URL's query serialises to a non-empty string.
fn has_search_params(url: &Url) -> bool {
    url.query()
        .is_some_and(|q| form_urlencoded::parse(q.as_bytes()).next().is_some())
}

/// `parts.join('/')` with every run of slashes made one.
fn path_join(parts: &[&str]) -> String {
    let mut out = String::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.push_str(part);
    }
    let mut joined = String::with_capacity(out.len());
    let mut last_slash = false;
    for c in out.chars() {
        if c == '/' && last_slash {
            continue;
        }
        last_slash = c == '/';
        joined.push(c);
    }
    joined
}

/// The source URL, before its transformation: `None` when `new URL()` would refuse it
/// (v7 returns `''`).
struct Base {
    url: Url,
    /// The endpoint's path, for a relative source.
    endpoint_path: Option<String>,
}

fn base(request: &SrcRequest) -> Result<Option<Base>, HelperError> {
    let Ok(mut url) = crate::url::parse_cached(request.base) else {
        return Ok(None);
    };
    let endpoint_path = (!request.absolute).then(|| url.path().to_owned());
    let pairs = request
        .query_parameters
        .iter()
        .map(|(name, value)| Ok((*name, value.get()?)))
        .collect::<Result<Vec<_>, HelperError>>()?;
    append_query(&mut url, &pairs);
    Ok(Some(Base { url, endpoint_path }))
}

/// The URL before its transformation string goes in: v7's `href` with the placeholder where
/// the transformation goes (none when there is no transformation). It depends on nothing
/// else of the transformation, so one template serves every candidate of a responsive image.
fn template(base: &Base, request: &SrcRequest, has_transformation: bool) -> Template {
    let in_query = request.transformation_in_query || request.absolute;
    let Some(endpoint_path) = &base.endpoint_path else {
        return with_query_placeholder(
            base.url.as_str(),
            &base.url,
            has_transformation && in_query,
        );
    };
    let mut url = base.url.clone();
    let tr = format!("tr:{TRANSFORMATION_PLACEHOLDER}");
    let mut parts = [endpoint_path.as_str(), &tr, request.src].to_vec();
    if !has_transformation || in_query {
        parts.remove(1);
    }
    if !url.cannot_be_a_base() {
        url.set_path(&path_join(&parts));
    }
    with_query_placeholder(url.as_str(), &url, has_transformation && in_query)
}

fn with_query_placeholder(href: &str, url: &Url, in_query: bool) -> Template {
    let mut text = String::with_capacity(href.len() + 64);
    text.push_str(href);
    if in_query {
        text.push(if has_search_params(url) { '&' } else { '?' });
        text.push_str("tr=");
        text.push_str(TRANSFORMATION_PLACEHOLDER);
    }
    // The first occurrence, which is where v7's `replace` puts the transformation (an
    // endpoint or path may hold the placeholder's text before it).
    let placeholder = text.find(TRANSFORMATION_PLACEHOLDER);
    Template { text, placeholder }
}

/// A URL with the placeholder where its transformation goes.
struct Template {
    text: String,
    placeholder: Option<usize>,
}

/// Whether `new URL(url).searchParams` is not empty, read from the text where the URL
/// parser would not change it (no fragment, no whitespace or control character to strip).
fn final_url_has_search_params(url: &str) -> Result<bool, HelperError> {
    if !url.bytes().any(|b| b == b'#' || b <= b' ') {
        return Ok(match url.split_once('?') {
            Some((_, query)) => form_urlencoded::parse(query.as_bytes()).next().is_some(),
            None => false,
        });
    }
    let parsed = Url::parse(url).map_err(|_| HelperError::InvalidUrl(url.to_owned()))?;
    Ok(has_search_params(&parsed))
}

/// The URL from its template and transformation string, signed if asked.
fn complete(
    template: &Template,
    request: &SrcRequest,
    transformation: &str,
) -> Result<String, HelperError> {
    let mut out = match template.placeholder {
        Some(at) if !transformation.is_empty() => {
            let (before, after) = template.text.split_at(at);
            let after = &after[TRANSFORMATION_PLACEHOLDER.len()..];
            let mut out = String::with_capacity(template.text.len() + transformation.len() + 64);
            out.push_str(before);
            push_substitution(&mut out, transformation, before, after);
            out.push_str(after);
            out
        }
        _ => template.text.clone(),
    };
    let Some(signing) = &request.signing else {
        return Ok(out);
    };
    let signature = match (signing.key, &signing.endpoint_prefix) {
        (Some(key), Some(prefix)) => {
            let mut to_sign = out.replacen(prefix.as_ref(), "", 1);
            to_sign.push_str(signing.expiry);
            hmac_sha1_hex(key, to_sign.as_bytes())
        }
        _ => String::new(),
    };
    out.push(if final_url_has_search_params(&out)? {
        '&'
    } else {
        '?'
    });
    if signing.expiry != DEFAULT_TIMESTAMP {
        out.push_str("ik-t=");
        out.push_str(signing.expiry);
        out.push('&');
    }
    out.push_str("ik-s=");
    out.push_str(&signature);
    Ok(out)
}

/// v7's `buildSrc`.
pub fn build_src(request: &SrcRequest) -> Result<String, HelperError> {
    let Some(base) = base(request)? else {
        return Ok(String::new());
    };
    let transformation = transformation::build(request.transformation.as_deref())?;
    complete(
        &template(&base, request, !transformation.is_empty()),
        request,
        &transformation,
    )
}

/// How `srcSet` describes its candidates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Descriptor {
    /// `640w`: widths, for a `sizes` attribute.
    Width,
    /// `1x`, `2x`: densities, for an image of a known width.
    Density,
}

/// The candidate widths and their descriptor, as `@imagekit/javascript` 5.5 computes
/// them: from `sizes` (the smallest `vw` share of the smallest device), else around an
/// explicit `width` (1x and 2x), else the device breakpoints. A `None` candidate is
/// JavaScript's `undefined` (no breakpoints at all).
pub fn candidate_widths(
    device_breakpoints: &[f64],
    image_breakpoints: &[f64],
    width: Option<f64>,
    sizes: Option<&str>,
) -> (Vec<Option<f64>>, Descriptor) {
    let by_value = |a: &f64, b: &f64| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal);
    let mut devices = device_breakpoints.to_vec();
    devices.sort_by(by_value);
    let mut all = image_breakpoints.to_vec();
    all.sort_by(by_value);
    all.extend_from_slice(&devices);
    all.sort_by(by_value);
    if let Some(sizes) = sizes.filter(|s| !s.is_empty()) {
        let shares = vw_shares(sizes);
        let Some(smallest) = shares.iter().copied().min() else {
            return (all.into_iter().map(Some).collect(), Descriptor::Width);
        };
        let min_required =
            devices.first().copied().unwrap_or(f64::NAN) * (f64::from(smallest) / 100.0);
        return (
            all.into_iter()
                .filter(|&w| w >= min_required)
                .map(Some)
                .collect(),
            Descriptor::Width,
        );
    }
    let Some(width) = width else {
        return (devices.into_iter().map(Some).collect(), Descriptor::Width);
    };
    let nearest = |target: f64| {
        all.iter()
            .copied()
            .find(|&n| n >= target)
            .filter(|&n| n != 0.0 && !n.is_nan())
            .or_else(|| all.last().copied())
    };
    let first = nearest(width);
    let second = nearest(width * 2.0);
    let same = match (first, second) {
        (Some(a), Some(b)) => a == b || (a.is_nan() && b.is_nan()),
        (None, None) => true,
        _ => false,
    };
    let candidates = if same {
        vec![first]
    } else {
        vec![first, second]
    };
    (candidates, Descriptor::Density)
}

/// The numbers of `sizes`' `vw` tokens: `/(^|\s)(1?\d{1,2})vw/g`, read as `parseInt` reads
/// each match.
fn vw_shares(sizes: &str) -> Vec<u32> {
    let chars: Vec<char> = sizes.chars().collect();
    let mut shares = Vec::new();
    let mut at = 0;
    while at < chars.len() {
        // A token starts at the input's start (`^`, tried first) or after one whitespace
        // character, which the match takes in.
        let starts = [
            (at == 0).then_some(0),
            whitespace_at(&chars, at).then_some(at + 1),
        ];
        match starts
            .into_iter()
            .flatten()
            .find_map(|digits| vw_token(&chars, digits))
        {
            Some((value, end)) => {
                shares.push(value);
                at = end;
            }
            None => at += 1,
        }
    }
    shares
}

fn whitespace_at(chars: &[char], at: usize) -> bool {
    chars
        .get(at)
        .is_some_and(|&c| crate::ecma::is_js_whitespace(c))
}

/// `1?\d{1,2}vw` at `at`, with the regular expression's backtracking: the value and where
/// the match ends.
fn vw_token(chars: &[char], at: usize) -> Option<(u32, usize)> {
    let digit = |i: usize| chars.get(i).filter(|c| c.is_ascii_digit()).copied();
    let vw = |i: usize| chars.get(i) == Some(&'v') && chars.get(i + 1) == Some(&'w');
    let mut tries: Vec<(usize, usize)> = Vec::with_capacity(4);
    if chars.get(at) == Some(&'1') {
        tries.push((at + 1, 2));
        tries.push((at + 1, 1));
    }
    tries.push((at, 2));
    tries.push((at, 1));
    for (start, count) in tries {
        if (start..start + count).all(|i| digit(i).is_some()) && vw(start + count) {
            let text: String = chars[at..start + count].iter().collect();
            return text.parse().ok().map(|v| (v, start + count + 2));
        }
    }
    None
}

/// The attributes of an `<img>`: `src`, `srcSet` (`None` when there are no candidates)
/// and the descriptor kind.
pub struct Responsive {
    pub src: String,
    pub src_set: Option<String>,
    pub descriptor: Descriptor,
}

/// `getResponsiveImageAttributes`: each candidate is `buildSrc` of the request with one
/// more step, `{ width, crop: 'at_max' }`, signed if the request is.
pub fn responsive(
    request: &SrcRequest,
    device_breakpoints: &[f64],
    image_breakpoints: &[f64],
    width: Option<f64>,
    sizes: Option<&str>,
) -> Result<Responsive, HelperError> {
    let (candidates, descriptor) =
        candidate_widths(device_breakpoints, image_breakpoints, width, sizes);
    let base = base(request)?;
    let mut steps = String::new();
    let emitted = match &base {
        Some(_) => transformation::write(&mut steps, request.transformation.as_deref())?,
        None => 0,
    };
    // Every candidate has a transformation (its `c-at_max` at least).
    let template = base.as_ref().map(|base| template(base, request, true));
    let mut tr = String::with_capacity(steps.len() + 24);
    let mut url_for = |w: Option<f64>| -> Result<String, HelperError> {
        let Some(template) = &template else {
            return Ok(String::new());
        };
        tr.clear();
        tr.push_str(&steps);
        if emitted > 0 {
            tr.push(':');
        }
        if let Some(w) = w {
            tr.push_str("w-");
            tr.push_str(&number_to_string(w));
            tr.push(',');
        }
        tr.push_str("c-at_max");
        complete(template, request, &tr)
    };
    let mut src_set = String::new();
    for (i, &w) in candidates.iter().enumerate() {
        if i > 0 {
            src_set.push_str(", ");
        }
        src_set.push_str(&url_for(w)?);
        src_set.push(' ');
        match descriptor {
            Descriptor::Width => src_set.push_str(&w.map_or("undefined".into(), number_to_string)),
            Descriptor::Density => src_set.push_str(&(i + 1).to_string()),
        }
        src_set.push(match descriptor {
            Descriptor::Width => 'w',
            Descriptor::Density => 'x',
        });
    }
    let src = url_for(candidates.last().copied().flatten())?;
    Ok(Responsive {
        src,
        src_set: (!src_set.is_empty()).then_some(src_set),
        descriptor,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vw_tokens_as_the_regular_expression_reads_them() {
        assert_eq!(vw_shares("50vw"), vec![50]);
        assert_eq!(vw_shares("(min-width: 768px) 50vw, 100vw"), vec![50, 100]);
        assert_eq!(vw_shares("150vw 1vw 199vw"), vec![150, 1, 199]);
        assert_eq!(vw_shares("1000vw x50vw 10vw20vw"), vec![10]);
        assert_eq!(vw_shares(" 5vw"), vec![5]);
        assert_eq!(vw_shares(""), Vec::<u32>::new());
    }

    #[test]
    fn candidates_as_the_browser_sdk_chooses_them() {
        let device = [640.0, 750.0, 828.0, 1080.0, 1200.0, 1920.0, 2048.0, 3840.0];
        let image = [16.0, 32.0, 48.0, 64.0, 96.0, 128.0, 256.0, 384.0];
        let (c, d) = candidate_widths(&device, &image, Some(400.0), None);
        assert_eq!(
            (c, d),
            (vec![Some(640.0), Some(828.0)], Descriptor::Density)
        );
        let (c, _) = candidate_widths(&device, &image, None, Some("50vw"));
        assert_eq!(c.first(), Some(&Some(384.0)));
        let (c, d) = candidate_widths(&[], &[], Some(10.0), None);
        assert_eq!((c, d), (vec![None], Descriptor::Density));
        let (c, _) = candidate_widths(&[], &image, None, Some("10vw"));
        assert!(c.is_empty());
    }

    fn text_overlay<'a>(text: &'a str, nested: Vec<Step<'a>>) -> Param<'a> {
        let mut overlay = Overlay::new(OverlayType::Text);
        overlay.text.value = Val::Str { text, lossy: false };
        overlay.transformation = Some(nested);
        Param::Overlay(Box::new(overlay))
    }

    fn value<'a>(key: &'a str, value: Val<'a>) -> Param<'a> {
        Param::Value { key, value }
    }

    fn request<'a>(steps: Vec<Step<'a>>, in_query: bool) -> SrcRequest<'a> {
        SrcRequest {
            absolute: false,
            base: "https://ik.imagekit.io/demo",
            src: "/a.jpg",
            transformation_in_query: in_query,
            query_parameters: Vec::new(),
            transformation: Some(steps),
            signing: None,
        }
    }

    #[test]
    fn builds_v7s_url_for_a_text_overlay() {
        let steps = vec![Step {
            params: vec![
                value("width", Val::Num("300")),
                text_overlay(
                    "Hi there!",
                    vec![Step {
                        params: vec![value("fontSize", Val::Num("20"))],
                    }],
                ),
            ],
        }];
        assert_eq!(
            build_src(&request(steps, true)).unwrap(),
            "https://ik.imagekit.io/demo/a.jpg?tr=w-300,l-text,ie-SGkgdGhlcmUh,fs-20,l-end"
        );
    }

    #[test]
    fn the_transformation_goes_in_as_javascripts_replace_puts_it() {
        // `$&` is the placeholder and `$$` a dollar, as in v7's `finalUrl.replace(…)`.
        let steps = vec![Step {
            params: vec![value(
                "raw",
                Val::Str {
                    text: "a$$b$&",
                    lossy: false,
                },
            )],
        }];
        assert_eq!(
            build_src(&request(steps, false)).unwrap(),
            "https://ik.imagekit.io/demo/tr:a$bPLEASEREPLACEJUSTBEFORESIGN/a.jpg"
        );
        // A value that is not a string where v7 calls a string's method: its TypeError.
        let steps = vec![Step {
            params: vec![value("fontFamily", Val::Num("5"))],
        }];
        assert!(matches!(
            build_src(&request(steps, true)),
            Err(HelperError::Type(_))
        ));
    }

    #[test]
    fn paths_join_with_single_slashes() {
        assert_eq!(
            path_join(&["/demo/", "tr:x", "//a.jpg"]),
            "/demo/tr:x/a.jpg"
        );
    }
}
