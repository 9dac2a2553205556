//! Query strings as v6 sends them: axios's serialisation of `params` (its `toFormData`
//! visitor): own keys, null and undefined skipped, flat arrays as `key[]`, nested objects
//! as `key[sub]`, dates as ISO strings.

use super::{is_object, join, Invalid, Thrown, Validated};
use crate::js::{Host, HostResult, Kind};

/// Nesting deeper than this is refused rather than walked.
const MAX_DEPTH: usize = 100;

/// listFiles' options as query pairs: v6 turns a non-empty `tags` array into one
/// comma-joined value.
pub fn list_options<H: Host>(host: &H, options: H::Value) -> Validated<Vec<(String, String)>> {
    let mut pairs = Vec::new();
    if is_object(host, options)? {
        collect(host, options, &[], true, &mut pairs, 0)?;
    }
    Ok(pairs)
}

/// A leaf value as axios writes it.
pub fn convert<H: Host>(host: &H, value: H::Value) -> HostResult<String> {
    match host.kind(value)? {
        Kind::Null => Ok(String::new()),
        Kind::Boolean => Ok(if host.truthy(value)? { "true" } else { "false" }.to_owned()),
        Kind::Object => match host.date_iso(value)? {
            Some(iso) => Ok(iso),
            None => host.to_string(value),
        },
        _ => host.to_string(value),
    }
}

/// axios's `renderKey`: `a[b][c]` for the key `c` under the path `a`, `b`.
fn render_key(path: &[String], key: &str) -> String {
    let strip = |token: &str| token.strip_suffix("[]").unwrap_or(token).to_owned();
    let mut tokens = path.iter().map(String::as_str).chain(std::iter::once(key));
    let Some(first) = tokens.next().filter(|_| !path.is_empty()) else {
        return key.to_owned();
    };
    let mut out = strip(first);
    for token in tokens {
        out.push('[');
        out.push_str(&strip(token));
        out.push(']');
    }
    out
}

fn nullish<H: Host>(host: &H, value: H::Value) -> HostResult<bool> {
    Ok(matches!(host.kind(value)?, Kind::Undefined | Kind::Null))
}

fn collect<H: Host>(
    host: &H,
    object: H::Value,
    path: &[String],
    tags_joined: bool,
    pairs: &mut Vec<(String, String)>,
    depth: usize,
) -> Validated<()> {
    if depth > MAX_DEPTH {
        return Err(Invalid::Thrown(Thrown::error(
            "Object is too deeply nested",
        )));
    }
    let entries: Vec<(String, H::Value)> = if host.is_array(object)? {
        host.elements(object)?
            .into_iter()
            .enumerate()
            .map(|(i, value)| (i.to_string(), value))
            .collect()
    } else {
        let mut entries = Vec::new();
        for key in host.keys(object, false)? {
            entries.push((host.text(key)?, host.get_key(object, key)?));
        }
        entries
    };
    for (key, value) in entries {
        if nullish(host, value)? {
            continue;
        }
        let key = key.trim().to_owned();
        if tags_joined
            && path.is_empty()
            && key == "tags"
            && host.is_array(value)?
            && !host.elements(value)?.is_empty()
        {
            pairs.push((key, join(host, value)?));
            continue;
        }
        if path.is_empty() && host.kind(value)? == Kind::Object {
            if key.ends_with("{}") {
                pairs.push((key.clone(), host.stringify(value)?.unwrap_or_default()));
                continue;
            }
            if host.is_array(value)? {
                let elements = host.elements(value)?;
                let mut flat = true;
                for element in &elements {
                    if host.is_plain(*element)? {
                        flat = false;
                    }
                }
                if flat {
                    let name = format!("{}[]", key.strip_suffix("[]").unwrap_or(&key));
                    for element in elements {
                        if !nullish(host, element)? {
                            pairs.push((name.clone(), convert(host, element)?));
                        }
                    }
                    continue;
                }
            }
        }
        if host.is_plain(value)? {
            let mut nested = path.to_vec();
            nested.push(key);
            collect(host, value, &nested, false, pairs, depth + 1)?;
            continue;
        }
        pairs.push((render_key(path, &key), convert(host, value)?));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::values::{Values, V};
    use super::*;

    #[test]
    fn keys_render_like_axios() {
        assert_eq!(render_key(&[], "a"), "a");
        assert_eq!(render_key(&["a".into(), "b[]".into()], "c"), "a[b][c]");
    }

    #[test]
    fn list_options_join_tags_and_nest_objects() {
        let model = Values::default();
        let options = V::object([
            ("tags", V::array([V::str("a"), V::str("b c")])),
            ("skip", V::Number(10.0)),
            ("none", V::Null),
            ("sort", V::object([("by", V::str("name"))])),
            ("ids", V::array([V::str("x"), V::Bool(true)])),
        ]);
        assert_eq!(
            list_options(&model, model.put(options)).unwrap(),
            vec![
                ("tags".to_owned(), "a,b c".to_owned()),
                ("skip".to_owned(), "10".to_owned()),
                ("sort[by]".to_owned(), "name".to_owned()),
                ("ids[]".to_owned(), "x".to_owned()),
                ("ids[]".to_owned(), "true".to_owned()),
            ]
        );
    }
}
