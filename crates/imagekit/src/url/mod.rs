//! `url()`: WHATWG URL handling, POSIX path joining and `URLSearchParams` serialisation,
//! producing the same strings as v6 does with Node's `URL`, `path.posix.join` and
//! `URLSearchParams`.

use std::borrow::Cow;

use url::{form_urlencoded, Url};

use crate::signature;

pub mod wire;

const TRANSFORMATION_PARAMETER: &str = "tr";
const SIGNATURE_PARAMETER: &str = "ik-s";
const TIMESTAMP_PARAMETER: &str = "ik-t";
/// The expiry v6 signs with when a URL never expires.
pub const DEFAULT_TIMESTAMP: &str = "9999999999";

/// Where the file comes from: the parsed `urlEndpoint` with a `path` appended, or an
/// absolute `src` URL, for which transformations always go to the query.
pub enum Source<'a> {
    Path { url_endpoint: Url, path: &'a str },
    Src(Url),
}

/// What `signed: true` needs; `None` fields make v6 sign with an empty signature.
pub struct Signing<'a> {
    pub private_key: Option<&'a [u8]>,
    /// What v6 strips from the URL before signing (see [`signature::endpoint_prefix`]);
    /// `None` when `urlEndpoint` is falsy.
    pub endpoint_prefix: Option<&'a str>,
    /// `parseInt(expireSeconds)`; zero or NaN means "never expires".
    pub expire_seconds: f64,
    /// Current time in whole seconds.
    pub now_seconds: f64,
}

/// Parses an endpoint or `src` as `new URL()` does.
pub fn parse(input: &str) -> Result<Url, InvalidUrl> {
    Url::parse(input).map_err(|_| InvalidUrl(input.to_owned()))
}

thread_local! {
    /// The last URL parsed: almost every call of an application names the same
    /// `urlEndpoint`, and a clone costs a fraction of a parse.
    static LAST_PARSED: std::cell::RefCell<Option<(String, Url)>> = const { std::cell::RefCell::new(None) };
}

/// [`parse`], remembering the last input.
pub fn parse_cached(input: &str) -> Result<Url, InvalidUrl> {
    let cached = LAST_PARSED.with_borrow(|last| match last {
        Some((text, url)) if text == input => Some(url.clone()),
        _ => None,
    });
    if let Some(url) = cached {
        return Ok(url);
    }
    let url = parse(input)?;
    LAST_PARSED.with_borrow_mut(|last| *last = Some((input.to_owned(), url.clone())));
    Ok(url)
}

pub struct UrlRequest<'a> {
    pub source: Source<'a>,
    pub transformation: &'a str,
    pub transformation_in_query: bool,
    pub query_parameters: &'a [(&'a str, &'a str)],
    pub signing: Option<Signing<'a>>,
}

/// The URL (endpoint or `src`) could not be parsed; carries the input like Node's error.
#[derive(Debug, PartialEq)]
pub struct InvalidUrl(pub String);

/// Query parameters, borrowed from the request where they can be.
type Params<'a> = Vec<(Cow<'a, str>, Cow<'a, str>)>;

/// `URLSearchParams.set`: replaces the first pair with that name and drops the others.
fn set_param<'a>(params: &mut Params<'a>, name: &'a str, value: Cow<'a, str>) {
    match params.iter().position(|(n, _)| n == name) {
        Some(first) => {
            params[first].1 = value;
            let mut index = 0;
            params.retain(|(n, _)| {
                let keep = index <= first || n != name;
                index += 1;
                keep
            });
        }
        None => params.push((Cow::Borrowed(name), value)),
    }
}

/// `set` for each of `pairs` (distinct names, as `for…in` yields them) in one pass, so
/// that many parameters cost linear time, not one scan of the list per name.
fn set_params<'a>(params: &mut Params<'a>, pairs: &[(&'a str, &'a str)]) {
    // A handful of names (the usual case) is cheaper to scan than to hash.
    if pairs.len() * params.len().max(1) <= 64 {
        for &(name, value) in pairs {
            set_param(params, name, Cow::Borrowed(value));
        }
        return;
    }
    let mut pending: std::collections::HashMap<&str, Option<&str>> = pairs
        .iter()
        .map(|&(name, value)| (name, Some(value)))
        .collect();
    // Existing names keep their first position with the new value; later duplicates go.
    params.retain_mut(|(name, value)| match pending.get_mut(name.as_ref()) {
        Some(slot) => match slot.take() {
            Some(new_value) => {
                *value = Cow::Borrowed(new_value);
                true
            }
            None => false,
        },
        None => true,
    });
    // New names are appended in the order they were set.
    for &(name, _) in pairs {
        if let Some(Some(value)) = pending.remove(name) {
            params.push((Cow::Borrowed(name), Cow::Borrowed(value)));
        }
    }
}

/// Setting `URL.search` to the serialised parameters; none removes the query.
fn set_search(url: &mut Url, params: &Params) {
    if params.is_empty() {
        url.set_query(None);
    } else {
        // Serialised straight into the URL, as `URLSearchParams` would write it.
        url.query_pairs_mut().clear().extend_pairs(params);
    }
}

/// Setting `URL.pathname`, which WHATWG ignores for URLs with an opaque path.
fn set_pathname(url: &mut Url, pathname: &str) {
    if !url.cannot_be_a_base() {
        url.set_path(pathname);
    }
}

fn pathname(url: &Url) -> &str {
    url.path()
}

pub fn build(request: UrlRequest) -> String {
    let (mut url, path, from_src) = match request.source {
        Source::Path { url_endpoint, path } => (url_endpoint, path, false),
        Source::Src(src) => (src, "", true),
    };
    let existing_query = url.query().map(str::to_owned);
    let mut params: Params = match &existing_query {
        Some(query) => form_urlencoded::parse(query.as_bytes()).collect(),
        None => Vec::new(),
    };
    set_params(&mut params, request.query_parameters);

    let new_path = if request.transformation.is_empty() {
        format!("{}{}", pathname(&url), path)
    } else if request.transformation_in_query || from_src {
        set_param(
            &mut params,
            TRANSFORMATION_PARAMETER,
            Cow::Borrowed(request.transformation),
        );
        format!("{}{}", pathname(&url), path)
    } else {
        let segment = format!("{TRANSFORMATION_PARAMETER}:{}", request.transformation);
        posix_join(&[pathname(&url), &segment, path])
    };
    if let Some(prefix) = plain_prefix(&url, &new_path) {
        return build_plain(prefix, &new_path, params, request.signing.as_ref());
    }
    set_pathname(&mut url, &new_path);
    if !pathname(&url).starts_with('/') {
        let with_slash = format!("/{}", pathname(&url));
        set_pathname(&mut url, &with_slash);
    }
    set_search(&mut url, &params);

    if let Some(signing) = &request.signing {
        let expiry = expiry_timestamp(signing.expire_seconds, signing.now_seconds);
        let signature = match (signing.private_key, signing.endpoint_prefix) {
            (Some(key), Some(prefix)) => {
                signature::url_signature(key, url.as_str(), prefix, &expiry)
            }
            _ => String::new(),
        };
        if expiry != DEFAULT_TIMESTAMP {
            set_param(&mut params, TIMESTAMP_PARAMETER, Cow::Owned(expiry));
        }
        set_param(&mut params, SIGNATURE_PARAMETER, Cow::Owned(signature));
        set_search(&mut url, &params);
    }
    url.into()
}

/// The endpoint's text before its path (`https://host[:port]`) when setting `new_path` and
/// a query is plain text work: an `http` or `https` URL without a fragment, and a path the
/// URL parser would keep as it is but for the few characters it percent-encodes (every
/// byte ASCII and printable, no backslash, no dot segment, a leading `/`). Anything else
/// goes through the URL parser.
fn plain_prefix<'u>(url: &'u Url, new_path: &str) -> Option<&'u str> {
    if !matches!(url.scheme(), "http" | "https") || url.fragment().is_some() {
        return None;
    }
    let bytes = new_path.as_bytes();
    if bytes.first() != Some(&b'/')
        || bytes
            .iter()
            .any(|&b| !(0x20..0x7f).contains(&b) || b == b'\\')
        || new_path.contains("/.")
        || new_path.contains("%2e")
        || new_path.contains("%2E")
    {
        return None;
    }
    let text = url.as_str();
    let end = text.len() - url.query().map_or(0, |q| q.len() + 1);
    text.get(..end.checked_sub(url.path().len())?)
}

/// What the path percent-encode set changes in a printable ASCII path (`?` and `#` too, as
/// `URL.pathname`'s setter encodes them).
fn push_plain_path(out: &mut String, path: &str) {
    for c in path.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '"' => out.push_str("%22"),
            '#' => out.push_str("%23"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            '?' => out.push_str("%3F"),
            '`' => out.push_str("%60"),
            '{' => out.push_str("%7B"),
            '}' => out.push_str("%7D"),
            c => out.push(c),
        }
    }
}

fn push_search(out: &mut String, params: &Params) {
    if !params.is_empty() {
        out.push('?');
        let start = out.len();
        let mut query = form_urlencoded::Serializer::for_suffix(std::mem::take(out), start);
        query.extend_pairs(params);
        *out = query.finish();
    }
}

/// [`build`]'s URL from its parts as text, for a [`plain_prefix`].
fn build_plain(
    prefix: &str,
    new_path: &str,
    mut params: Params,
    signing: Option<&Signing>,
) -> String {
    let mut out = String::with_capacity(prefix.len() + new_path.len() + 64);
    out.push_str(prefix);
    push_plain_path(&mut out, new_path);
    let base = out.len();
    push_search(&mut out, &params);
    if let Some(signing) = signing {
        let expiry = expiry_timestamp(signing.expire_seconds, signing.now_seconds);
        let signature = match (signing.private_key, signing.endpoint_prefix) {
            (Some(key), Some(prefix)) => signature::url_signature(key, &out, prefix, &expiry),
            _ => String::new(),
        };
        if expiry != DEFAULT_TIMESTAMP {
            set_param(&mut params, TIMESTAMP_PARAMETER, Cow::Owned(expiry));
        }
        set_param(&mut params, SIGNATURE_PARAMETER, Cow::Owned(signature));
        out.truncate(base);
        push_search(&mut out, &params);
    }
    out
}

/// `now + expireSeconds`, printed as JavaScript prints the sum.
fn expiry_timestamp(expire_seconds: f64, now_seconds: f64) -> String {
    if expire_seconds == 0.0 || expire_seconds.is_nan() {
        return DEFAULT_TIMESTAMP.to_owned();
    }
    crate::ecma::number_to_string(now_seconds + expire_seconds)
}

/// `path.posix.join`: joins the non-empty parts with `/` and normalises the result
/// (`path.posix.normalize`).
pub fn posix_join(parts: &[&str]) -> String {
    let mut non_empty = parts.iter().filter(|p| !p.is_empty());
    let Some(first) = non_empty.clone().next() else {
        return ".".to_owned();
    };
    let absolute = first.starts_with('/');
    let trailing_separator = non_empty
        .clone()
        .next_back()
        .is_some_and(|p| p.ends_with('/'));
    let mut segments: Vec<&str> = Vec::with_capacity(16);
    for segment in non_empty.by_ref().flat_map(|p| p.split('/')) {
        match segment {
            "" | "." => {}
            ".." => {
                if segments.last().is_some_and(|s| *s != "..") {
                    segments.pop();
                } else if !absolute {
                    segments.push("..");
                }
            }
            other => segments.push(other),
        }
    }
    if segments.is_empty() {
        return if absolute {
            "/"
        } else if trailing_separator {
            "./"
        } else {
            "."
        }
        .to_owned();
    }
    let mut normalized = String::with_capacity(parts.iter().map(|p| p.len() + 1).sum());
    for (i, segment) in segments.iter().enumerate() {
        if absolute || i > 0 {
            normalized.push('/');
        }
        normalized.push_str(segment);
    }
    if trailing_separator {
        normalized.push('/');
    }
    normalized
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path_request<'a>(endpoint: &str, path: &'a str, tr: &'a str) -> UrlRequest<'a> {
        UrlRequest {
            source: Source::Path {
                url_endpoint: parse(endpoint).unwrap(),
                path,
            },
            transformation: tr,
            transformation_in_query: false,
            query_parameters: &[],
            signing: None,
        }
    }

    #[test]
    fn posix_join_matches_node() {
        assert_eq!(posix_join(&["/a/", "tr:w-1", "/b.jpg"]), "/a/tr:w-1/b.jpg");
        assert_eq!(posix_join(&["/", "tr:w-1", "../../x/"]), "/x/");
        assert_eq!(posix_join(&["a", "..", ".."]), "..");
        assert_eq!(posix_join(&["", ""]), ".");
        assert_eq!(posix_join(&["./", ""]), "./");
    }

    #[test]
    fn transformation_in_path_and_query() {
        let r = path_request("https://ik.imagekit.io/demo/", "/a b.jpg", "w-300,h-200");
        assert_eq!(
            build(r),
            "https://ik.imagekit.io/demo/tr:w-300,h-200/a%20b.jpg"
        );
        let mut r = path_request("https://ik.imagekit.io/demo", "/a.jpg?x=1", "w-300");
        r.transformation_in_query = true;
        assert_eq!(build(r), "https://ik.imagekit.io/demo/a.jpg%3Fx=1?tr=w-300");
    }

    #[test]
    fn src_keeps_its_query_and_takes_tr() {
        let r = UrlRequest {
            source: Source::Src(parse("https://example.com/a.jpg?b=1&b=2").unwrap()),
            transformation: "w-1:h-2",
            transformation_in_query: false,
            query_parameters: &[("b", "3"), ("c", "x y")],
            signing: None,
        };
        assert_eq!(build(r), "https://example.com/a.jpg?b=3&c=x+y&tr=w-1%3Ah-2");
    }

    #[test]
    fn setting_many_parameters_matches_one_set_at_a_time() {
        // Small lists take the scanning path, large ones the hashing path: both must agree
        // with setting one name at a time.
        for repeat in [1, 8] {
            let names = ["a", "b", "a", "c", "b"].repeat(repeat);
            let mut existing: Params = names
                .iter()
                .enumerate()
                .map(|(i, n)| (Cow::Borrowed(*n), Cow::Owned(i.to_string())))
                .collect();
            let mut one_by_one = existing.clone();
            let extra: Vec<String> = (0..repeat * 4).map(|i| format!("x{i}")).collect();
            let mut pairs = vec![("b", "B"), ("a", "A")];
            pairs.extend(extra.iter().map(|n| (n.as_str(), "X")));
            for &(name, value) in &pairs {
                set_param(&mut one_by_one, name, Cow::Borrowed(value));
            }
            set_params(&mut existing, &pairs);
            assert_eq!(existing, one_by_one);
            let names: Vec<&str> = existing.iter().take(3).map(|(n, _)| n.as_ref()).collect();
            assert_eq!(names, ["a", "b", "c"]);
        }
    }

    #[test]
    fn signed_without_expiry() {
        let r = UrlRequest {
            signing: Some(Signing {
                private_key: Some(b"private_key_test"),
                endpoint_prefix: Some("https://ik.imagekit.io/test_url_endpoint/"),
                expire_seconds: 0.0,
                now_seconds: 1.0,
            }),
            ..path_request(
                "https://ik.imagekit.io/test_url_endpoint",
                "/test-signed-url.png",
                "w-100",
            )
        };
        let url = build(r);
        assert!(url.starts_with(
            "https://ik.imagekit.io/test_url_endpoint/tr:w-100/test-signed-url.png?ik-s="
        ));
        assert!(!url.contains("ik-t"));
    }

    #[test]
    fn signed_with_expiry_adds_timestamp_before_signature() {
        let r = UrlRequest {
            signing: Some(Signing {
                private_key: Some(b"k"),
                endpoint_prefix: Some("https://a.io/x/"),
                expire_seconds: 100.0,
                now_seconds: 1_700_000_000.0,
            }),
            ..path_request("https://a.io/x", "/p.jpg", "")
        };
        let url = build(r);
        assert!(
            url.starts_with("https://a.io/x/p.jpg?ik-t=1700000100&ik-s="),
            "{url}"
        );
    }

    #[test]
    fn cached_parse_matches_parse() {
        for input in [
            "https://a.io/x",
            "https://b.io/y?z=1",
            "https://a.io/x",
            "nope",
        ] {
            assert_eq!(parse_cached(input), parse(input));
        }
    }

    #[test]
    fn invalid_endpoint_is_reported_with_its_input() {
        assert_eq!(
            parse("not a url").unwrap_err(),
            InvalidUrl("not a url".into())
        );
    }
}
