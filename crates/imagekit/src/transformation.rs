//! Transformation strings: the one table of v6 parameter names and the rules that turn
//! chained steps into `w-300,h-200:rt-90`.

/// One parameter of a transformation step, as the caller wrote it.
#[derive(Debug, Clone, PartialEq)]
pub enum Param<'a> {
    /// `{ key: "-" }`: the key alone (e.g. `e-grayscale`).
    Flag(&'a str),
    /// `{ raw: "..." }`: the value verbatim.
    Raw(&'a str),
    /// `{ key: value }` with the value already converted to a string.
    Value(&'a str, &'a str),
}

/// A step is one `:`-separated part of the chain.
pub type Step<'a> = Vec<Param<'a>>;

/// v6's name table (`supportedTransforms`): friendly name to URL code.
const SUPPORTED: &[(&str, &str)] = &[
    ("width", "w"),
    ("height", "h"),
    ("aspectRatio", "ar"),
    ("quality", "q"),
    ("crop", "c"),
    ("cropMode", "cm"),
    ("focus", "fo"),
    ("x", "x"),
    ("y", "y"),
    ("format", "f"),
    ("radius", "r"),
    ("background", "bg"),
    ("border", "b"),
    ("rotation", "rt"),
    ("rotate", "rt"),
    ("blur", "bl"),
    ("named", "n"),
    ("progressive", "pr"),
    ("lossless", "lo"),
    ("trim", "t"),
    ("metadata", "md"),
    ("colorProfile", "cp"),
    ("defaultImage", "di"),
    ("dpr", "dpr"),
    ("effectSharpen", "e-sharpen"),
    ("effectUSM", "e-usm"),
    ("effectContrast", "e-contrast"),
    ("effectGray", "e-grayscale"),
    ("effectShadow", "e-shadow"),
    ("effectGradient", "e-gradient"),
    ("original", "orig"),
];

/// v6 looks names up on a plain object, so the names `Object.prototype` carries resolve to
/// those properties, stringified. Kept so that such keys produce the same URL as v6.
const OBJECT_PROTOTYPE: &[(&str, &str)] = &[
    ("constructor", "function Object() { [native code] }"),
    ("__proto__", "[object Object]"),
    (
        "__defineGetter__",
        "function __defineGetter__() { [native code] }",
    ),
    (
        "__defineSetter__",
        "function __defineSetter__() { [native code] }",
    ),
    (
        "hasOwnProperty",
        "function hasOwnProperty() { [native code] }",
    ),
    (
        "__lookupGetter__",
        "function __lookupGetter__() { [native code] }",
    ),
    (
        "__lookupSetter__",
        "function __lookupSetter__() { [native code] }",
    ),
    (
        "isPrototypeOf",
        "function isPrototypeOf() { [native code] }",
    ),
    (
        "propertyIsEnumerable",
        "function propertyIsEnumerable() { [native code] }",
    ),
    ("toString", "function toString() { [native code] }"),
    ("valueOf", "function valueOf() { [native code] }"),
    (
        "toLocaleString",
        "function toLocaleString() { [native code] }",
    ),
];

fn lookup_exact(name: &str) -> Option<&'static str> {
    SUPPORTED
        .iter()
        .chain(OBJECT_PROTOTYPE)
        .find(|(friendly, _)| *friendly == name)
        .map(|(_, code)| *code)
}

/// The URL code for a parameter name: the table, then the lower-cased name, then the
/// name itself (unknown keys pass through).
pub fn transform_key(name: &str) -> &str {
    if name.is_empty() {
        return name;
    }
    if let Some(code) = lookup_exact(name) {
        return code;
    }
    // Only all-lower-case table names can match a lower-cased key.
    if name.chars().any(|c| !c.is_ascii_lowercase()) {
        if let Some(code) = lookup_exact(&name.to_lowercase()) {
            return code;
        }
    }
    name
}

/// `defaultImage` paths lose one leading and one trailing slash, and `/` becomes `@@`.
fn default_image_value(value: &str) -> String {
    let value = value.strip_prefix('/').unwrap_or(value);
    let value = value.strip_suffix('/').unwrap_or(value);
    value.replace('/', "@@")
}

/// Joins steps with `:`, parameters with `,` and key and value with `-`.
pub fn build(steps: &[Step]) -> String {
    let mut out = String::with_capacity(64);
    for (i, step) in steps.iter().enumerate() {
        if i > 0 {
            out.push(':');
        }
        for (j, param) in step.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            push_param(&mut out, param);
        }
    }
    out
}

/// Appends one parameter as it appears within a step.
pub fn push_param(out: &mut String, param: &Param) {
    match param {
        Param::Flag(key) => out.push_str(transform_key(key)),
        Param::Raw(value) => out.push_str(value),
        Param::Value(key, value) => {
            let code = transform_key(key);
            out.push_str(code);
            out.push('-');
            if code == "di" {
                out.push_str(&default_image_value(value));
            } else {
                out.push_str(value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value<'a>(k: &'a str, v: &'a str) -> Param<'a> {
        Param::Value(k, v)
    }

    #[test]
    fn names_map_to_codes_and_unknown_keys_pass_through() {
        let steps = vec![
            vec![
                value("height", "300"),
                value("WIDTH", "400"),
                value("foo", "bar"),
            ],
            vec![value("rotation", "90"), Param::Flag("effectGray")],
        ];
        assert_eq!(build(&steps), "h-300,w-400,foo-bar:rt-90,e-grayscale");
    }

    #[test]
    fn camel_case_names_are_not_found_lower_cased() {
        assert_eq!(transform_key("aspectratio"), "aspectratio");
        assert_eq!(transform_key("AspectRatio"), "AspectRatio");
        assert_eq!(transform_key("Background"), "bg");
    }

    #[test]
    fn default_image_rewrites_slashes() {
        let steps = vec![vec![value("defaultImage", "/folder/default.jpg/")]];
        assert_eq!(build(&steps), "di-folder@@default.jpg");
        assert_eq!(build(&[vec![value("di", "//a//")]]), "di-@@a@@");
    }

    #[test]
    fn raw_and_empty_steps() {
        let steps = vec![
            vec![Param::Raw("l-text,i-x")],
            vec![],
            vec![value("x", "1")],
        ];
        assert_eq!(build(&steps), "l-text,i-x::x-1");
    }

    #[test]
    fn object_prototype_names_resolve_like_v6() {
        assert_eq!(
            transform_key("constructor"),
            "function Object() { [native code] }"
        );
        assert_eq!(
            transform_key("CONSTRUCTOR"),
            "function Object() { [native code] }"
        );
        assert_eq!(transform_key("__proto__"), "[object Object]");
    }
}
