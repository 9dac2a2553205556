//! ImageKit's Lucene-like `searchQuery` language: parsing into a typed tree
//! (so a malformed query is a 400 naming the problem) and evaluation against
//! files, file versions and folders.
//!
//! Grammar (keywords are case-insensitive):
//! ```text
//! query     := or
//! or        := and ("OR" and)*
//! and       := unary ("AND" unary)*
//! unary     := "NOT" unary | "(" or ")" | predicate
//! predicate := field op value | field ["NOT"] "IN" "[" value ("," value)* "]"
//! op        := "=" | ":" | "<" | "<=" | ">" | ">="
//! field     := name | size | createdAt | updatedAt | format | width | height | tags
//!            | type | fileType | isPrivateFile | isPublished | mime | path
//!            | customMetadata.<key> | embeddedMetadata.<key>   (optionally quoted)
//! value     := "double" | 'single' | bare-word
//! ```

use serde_json::Value;

use crate::paths::{normalize_folder, parent_folder};
use crate::storage::{FileRecord, FolderRecord, Version};
use crate::timestamp::parse_iso;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Colon,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    Name,
    Path,
    Size,
    CreatedAt,
    UpdatedAt,
    Format,
    Width,
    Height,
    Tags,
    Type,
    FileType,
    IsPrivateFile,
    IsPublished,
    Mime,
    CustomMetadata(String),
    EmbeddedMetadata(String),
}

/// A literal already converted to what its field compares against.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Text(String),
    Number(f64),
    /// Milliseconds since the epoch; `day` when only a date was given.
    Time {
        ms: i64,
        day: bool,
    },
    Bool(bool),
    /// customMetadata/embeddedMetadata values keep their JSON form.
    Json(Value),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Query {
    And(Box<Query>, Box<Query>),
    Or(Box<Query>, Box<Query>),
    Not(Box<Query>),
    Compare {
        field: Field,
        op: Op,
        value: Literal,
    },
    In {
        field: Field,
        values: Vec<Literal>,
        negated: bool,
    },
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Op(Op),
    /// A quoted string.
    Quoted(String),
    /// A bare word (field name, keyword, unquoted value).
    Word(String),
}

fn tokenize(input: &str) -> Result<Vec<(Token, usize)>, String> {
    let chars: Vec<char> = input.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let start = i;
        match c {
            c if c.is_whitespace() => {
                i += 1;
                continue;
            }
            '(' => tokens.push((Token::LParen, start)),
            ')' => tokens.push((Token::RParen, start)),
            '[' => tokens.push((Token::LBracket, start)),
            ']' => tokens.push((Token::RBracket, start)),
            ',' => tokens.push((Token::Comma, start)),
            '=' => tokens.push((Token::Op(Op::Eq), start)),
            ':' => tokens.push((Token::Op(Op::Colon), start)),
            '<' | '>' => {
                let or_equal = chars.get(i + 1) == Some(&'=');
                let op = match (c, or_equal) {
                    ('<', true) => Op::Le,
                    ('<', false) => Op::Lt,
                    (_, true) => Op::Ge,
                    (_, false) => Op::Gt,
                };
                if or_equal {
                    i += 1;
                }
                tokens.push((Token::Op(op), start));
            }
            '"' | '\'' => {
                let quote = c;
                let mut text = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => {
                            return Err(format!("unterminated string starting at position {start}"))
                        }
                        Some('\\') => {
                            if let Some(&escaped) = chars.get(i + 1) {
                                text.push(escaped);
                            }
                            i += 2;
                        }
                        Some(&ch) if ch == quote => break,
                        Some(&ch) => {
                            text.push(ch);
                            i += 1;
                        }
                    }
                }
                tokens.push((Token::Quoted(text), start));
            }
            _ => {
                let mut word = String::new();
                while let Some(&ch) = chars.get(i) {
                    if ch.is_whitespace() || "()[],=:<>\"'".contains(ch) {
                        break;
                    }
                    word.push(ch);
                    i += 1;
                }
                tokens.push((Token::Word(word), start));
                continue;
            }
        }
        i += 1;
    }
    Ok(tokens)
}

/// Deepest nesting of parentheses and `NOT`s a query may have.
pub const MAX_DEPTH: usize = 32;
/// Most `AND`/`OR` operators a query may have (each one adds a level to the
/// tree that evaluating and dropping it walk recursively).
pub const MAX_OPERATORS: usize = 100;

struct Parser {
    tokens: Vec<(Token, usize)>,
    pos: usize,
    now_ms: i64,
    end: usize,
    depth: usize,
    operators: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos).map(|(t, _)| t)
    }

    fn position(&self) -> usize {
        self.tokens.get(self.pos).map_or(self.end, |(_, p)| *p)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.pos).map(|(t, _)| t.clone());
        self.pos += 1;
        token
    }

    fn keyword(&self, kw: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(kw))
    }

    fn error<T>(&self, what: &str) -> Result<T, String> {
        match self.peek() {
            Some(token) => Err(format!(
                "{what} at position {}, found {}",
                self.position(),
                describe(token)
            )),
            None => Err(format!(
                "{what} at position {}, found end of query",
                self.position()
            )),
        }
    }

    fn operator(&mut self) -> Result<(), String> {
        self.operators += 1;
        if self.operators > MAX_OPERATORS {
            return Err(format!(
                "the query has more than {MAX_OPERATORS} AND/OR operators"
            ));
        }
        self.pos += 1;
        Ok(())
    }

    fn or(&mut self) -> Result<Query, String> {
        let mut left = self.and()?;
        while self.keyword("OR") {
            self.operator()?;
            left = Query::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Query, String> {
        let mut left = self.unary()?;
        while self.keyword("AND") {
            self.operator()?;
            left = Query::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Query, String> {
        let not = self.keyword("NOT");
        if !not && self.peek() != Some(&Token::LParen) {
            return self.predicate();
        }
        if self.depth == MAX_DEPTH {
            return Err(format!(
                "the query nests parentheses and NOTs deeper than {MAX_DEPTH} levels at position {}",
                self.position()
            ));
        }
        self.depth += 1;
        self.pos += 1;
        let result = if not {
            self.unary().map(|q| Query::Not(Box::new(q)))
        } else {
            self.or().and_then(|inner| {
                if self.peek() != Some(&Token::RParen) {
                    return self.error("expected ')'");
                }
                self.pos += 1;
                Ok(inner)
            })
        };
        self.depth -= 1;
        result
    }

    fn predicate(&mut self) -> Result<Query, String> {
        let field_pos = self.position();
        let name = match self.peek() {
            Some(Token::Word(w)) if !is_keyword(w) => w.clone(),
            Some(Token::Quoted(q)) => q.clone(),
            _ => return self.error("expected a field name"),
        };
        self.pos += 1;
        let field = parse_field(&name).map_err(|e| format!("{e} at position {field_pos}"))?;
        let negated = self.keyword("NOT");
        if negated {
            self.pos += 1;
            if !self.keyword("IN") {
                return self.error("expected IN after NOT");
            }
        }
        if self.keyword("IN") {
            self.pos += 1;
            if self.peek() != Some(&Token::LBracket) {
                return self.error("expected '[' after IN");
            }
            self.pos += 1;
            let mut values = Vec::new();
            loop {
                values.push(self.value(&field, Op::Eq)?);
                match self.next() {
                    Some(Token::Comma) => continue,
                    Some(Token::RBracket) => break,
                    _ => {
                        self.pos -= 1;
                        return self.error("expected ',' or ']' in the IN list");
                    }
                }
            }
            return Ok(Query::In {
                field,
                values,
                negated,
            });
        }
        let op = match self.peek() {
            Some(Token::Op(op)) => *op,
            _ => {
                return self.error(&format!(
                    "expected an operator (=, :, <, <=, >, >=, IN) after {name}"
                ))
            }
        };
        self.pos += 1;
        check_operator(&field, op).map_err(|e| format!("{e} at position {field_pos}"))?;
        let value = self.value(&field, op)?;
        Ok(Query::Compare { field, op, value })
    }

    fn value(&mut self, field: &Field, op: Op) -> Result<Literal, String> {
        let pos = self.position();
        let (raw, quoted) = match self.peek() {
            Some(Token::Quoted(q)) => (q.clone(), true),
            Some(Token::Word(w)) if !is_keyword(w) => (w.clone(), false),
            _ => return self.error("expected a value"),
        };
        self.pos += 1;
        convert_value(field, op, &raw, quoted, self.now_ms)
            .map_err(|e| format!("{e} at position {pos}"))
    }
}

fn is_keyword(word: &str) -> bool {
    ["AND", "OR", "NOT", "IN"]
        .iter()
        .any(|k| k.eq_ignore_ascii_case(word))
}

fn describe(token: &Token) -> String {
    match token {
        Token::LParen => "'('".into(),
        Token::RParen => "')'".into(),
        Token::LBracket => "'['".into(),
        Token::RBracket => "']'".into(),
        Token::Comma => "','".into(),
        Token::Op(op) => format!("operator {op:?}"),
        Token::Quoted(s) => format!("\"{s}\""),
        Token::Word(w) => format!("'{w}'"),
    }
}

fn parse_field(name: &str) -> Result<Field, String> {
    Ok(match name {
        "name" => Field::Name,
        "path" => Field::Path,
        "size" => Field::Size,
        "createdAt" => Field::CreatedAt,
        "updatedAt" => Field::UpdatedAt,
        "format" => Field::Format,
        "width" => Field::Width,
        "height" => Field::Height,
        "tags" | "AITags" => Field::Tags,
        "type" => Field::Type,
        "fileType" => Field::FileType,
        "isPrivateFile" | "private" => Field::IsPrivateFile,
        "isPublished" => Field::IsPublished,
        "mime" => Field::Mime,
        other => match other.split_once('.') {
            Some(("customMetadata", key)) if !key.is_empty() => {
                Field::CustomMetadata(key.to_string())
            }
            Some(("embeddedMetadata", key)) if !key.is_empty() => {
                Field::EmbeddedMetadata(key.to_string())
            }
            _ => return Err(format!("unknown field '{other}'")),
        },
    })
}

fn check_operator(field: &Field, op: Op) -> Result<(), String> {
    let ordered = matches!(op, Op::Lt | Op::Le | Op::Gt | Op::Ge);
    let orderable = matches!(
        field,
        Field::Size
            | Field::CreatedAt
            | Field::UpdatedAt
            | Field::Width
            | Field::Height
            | Field::Name
            | Field::CustomMetadata(_)
            | Field::EmbeddedMetadata(_)
    );
    if ordered && !orderable {
        return Err(format!(
            "operator {op:?} is not supported for field {field:?}"
        ));
    }
    Ok(())
}

fn parse_size(raw: &str) -> Option<f64> {
    let lower = raw.trim().to_ascii_lowercase();
    let (number, multiplier) = [
        ("gb", 1u64 << 30),
        ("mb", 1 << 20),
        ("kb", 1 << 10),
        ("b", 1),
    ]
    .iter()
    .find_map(|(unit, m)| lower.strip_suffix(unit).map(|n| (n.trim().to_string(), *m)))
    .unwrap_or((lower.clone(), 1));
    let n: f64 = number.parse().ok()?;
    (n.is_finite() && n >= 0.0).then_some(n * multiplier as f64)
}

/// Relative times (`7d`) mean "that long before now"; m is months, as ImageKit documents.
fn parse_relative(raw: &str, now_ms: i64) -> Option<i64> {
    let raw = raw.trim();
    let unit = raw.chars().last()?;
    let amount: i64 = raw.get(..raw.len() - unit.len_utf8())?.parse().ok()?;
    let unit_ms: i64 = match unit {
        'h' => 3_600_000,
        'd' => 86_400_000,
        'w' => 7 * 86_400_000,
        'm' => 30 * 86_400_000,
        'y' => 365 * 86_400_000,
        _ => return None,
    };
    Some(now_ms - amount.checked_mul(unit_ms)?)
}

fn convert_value(
    field: &Field,
    op: Op,
    raw: &str,
    quoted: bool,
    now_ms: i64,
) -> Result<Literal, String> {
    match field {
        Field::Size => parse_size(raw)
            .map(Literal::Number)
            .ok_or_else(|| format!("invalid size '{raw}' (use bytes or a unit like 500kb, 1mb)")),
        Field::Width | Field::Height => raw
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .map(Literal::Number)
            .ok_or_else(|| format!("invalid number '{raw}'")),
        Field::CreatedAt | Field::UpdatedAt => {
            if let Some(ms) = parse_relative(raw, now_ms) {
                return Ok(Literal::Time { ms, day: false });
            }
            parse_iso(raw)
                .map(|ms| Literal::Time {
                    ms,
                    day: !raw.contains(['T', ' ']),
                })
                .ok_or_else(|| format!("invalid date '{raw}' (use YYYY-MM-DD, an ISO 8601 time, or 1h/2d/3w/4m/5y)"))
        }
        Field::IsPrivateFile | Field::IsPublished => match raw.trim().to_ascii_lowercase().as_str()
        {
            "true" => Ok(Literal::Bool(true)),
            "false" => Ok(Literal::Bool(false)),
            _ => Err(format!("invalid boolean '{raw}'")),
        },
        Field::CustomMetadata(_) | Field::EmbeddedMetadata(_) => {
            if quoted {
                return Ok(Literal::Json(Value::String(raw.to_string())));
            }
            Ok(Literal::Json(match raw {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => serde_json::from_str::<serde_json::Number>(raw)
                    .map(Value::Number)
                    .unwrap_or_else(|_| Value::String(raw.to_string())),
            }))
        }
        Field::Tags
        | Field::Name
        | Field::Path
        | Field::Format
        | Field::Type
        | Field::FileType
        | Field::Mime => {
            let _ = op;
            Ok(Literal::Text(raw.to_string()))
        }
    }
}

pub fn parse(input: &str, now_ms: i64) -> Result<Query, String> {
    let tokens = tokenize(input)?;
    if tokens.is_empty() {
        return Err("the query is empty".into());
    }
    let mut parser = Parser {
        tokens,
        pos: 0,
        now_ms,
        end: input.chars().count(),
        depth: 0,
        operators: 0,
    };
    let query = parser.or()?;
    if parser.peek().is_some() {
        return parser.error("expected AND, OR or the end of the query");
    }
    Ok(query)
}

/// Something a query can match: a file (current or older version) or a folder.
pub enum Candidate<'a> {
    File {
        file: &'a FileRecord,
        version: &'a Version,
        is_current: bool,
    },
    Folder(&'a FolderRecord),
}

/// A field's value on a candidate.
enum Actual {
    Missing,
    Text(String),
    Number(f64),
    Time(i64),
    Bool(bool),
    Tags(Vec<String>),
    Json(Value),
}

impl Candidate<'_> {
    fn actual(&self, field: &Field) -> Actual {
        match self {
            Candidate::Folder(folder) => match field {
                Field::Name => Actual::Text(folder.name.clone()),
                Field::Path => Actual::Text(parent_folder(&folder.path)),
                Field::Type => Actual::Text("folder".into()),
                Field::CreatedAt => Actual::Time(folder.created_at),
                Field::UpdatedAt => Actual::Time(folder.updated_at),
                _ => Actual::Missing,
            },
            Candidate::File {
                file,
                version,
                is_current,
            } => match field {
                Field::Name => Actual::Text(file.name.clone()),
                Field::Path => Actual::Text(file.folder.clone()),
                Field::Size => Actual::Number(version.size as f64),
                Field::CreatedAt => Actual::Time(if *is_current {
                    file.created_at
                } else {
                    version.created_at
                }),
                Field::UpdatedAt => Actual::Time(if *is_current {
                    file.updated_at
                } else {
                    version.updated_at
                }),
                Field::Format => Actual::Text(match &version.image {
                    Some(image) => image.format.clone(),
                    None => file
                        .name
                        .rsplit_once('.')
                        .map(|(_, ext)| ext.to_ascii_lowercase())
                        .unwrap_or_default(),
                }),
                Field::Width => version
                    .image
                    .as_ref()
                    .map_or(Actual::Missing, |i| Actual::Number(f64::from(i.width))),
                Field::Height => version
                    .image
                    .as_ref()
                    .map_or(Actual::Missing, |i| Actual::Number(f64::from(i.height))),
                Field::Tags => Actual::Tags(
                    version
                        .tags
                        .iter()
                        .cloned()
                        .chain(
                            version
                                .ai_tags
                                .iter()
                                .filter_map(|t| t.get("name")?.as_str().map(String::from)),
                        )
                        .collect(),
                ),
                Field::Type => {
                    Actual::Text(if *is_current { "file" } else { "file-version" }.into())
                }
                Field::FileType => Actual::Text(
                    if version.image.is_some() {
                        "image"
                    } else {
                        "non-image"
                    }
                    .into(),
                ),
                Field::IsPrivateFile => Actual::Bool(version.is_private),
                Field::IsPublished => Actual::Bool(version.is_published),
                Field::Mime => Actual::Text(version.mime.clone()),
                Field::CustomMetadata(key) => version
                    .custom_metadata
                    .get(key)
                    .cloned()
                    .map_or(Actual::Missing, Actual::Json),
                Field::EmbeddedMetadata(key) => version
                    .embedded_metadata
                    .get(key)
                    .cloned()
                    .map_or(Actual::Missing, Actual::Json),
            },
        }
    }
}

fn order<T: PartialOrd>(a: &T, b: &T, op: Op) -> bool {
    match op {
        Op::Eq | Op::Colon => a == b,
        Op::Lt => a < b,
        Op::Le => a <= b,
        Op::Gt => a > b,
        Op::Ge => a >= b,
    }
}

fn json_matches(actual: &Value, op: Op, expected: &Value) -> bool {
    if let Value::Array(items) = actual {
        return items.iter().any(|item| json_matches(item, op, expected));
    }
    match (actual, expected) {
        (Value::Number(a), Value::Number(b)) => match (a.as_f64(), b.as_f64()) {
            (Some(a), Some(b)) => order(&a, &b, op),
            _ => false,
        },
        // Numbers may be written quoted in queries.
        (Value::Number(a), Value::String(b)) => match (a.as_f64(), b.trim().parse::<f64>().ok()) {
            (Some(a), Some(b)) => order(&a, &b, op),
            _ => false,
        },
        (Value::String(a), Value::String(b)) => match (parse_iso(a), parse_iso(b)) {
            (Some(a), Some(b)) if op != Op::Colon => order(&a, &b, op),
            _ if op == Op::Colon => a.starts_with(b.as_str()),
            _ => order(a, b, op),
        },
        (Value::Bool(a), Value::Bool(b)) => matches!(op, Op::Eq | Op::Colon) && a == b,
        (Value::Bool(a), Value::String(b)) => {
            matches!(op, Op::Eq | Op::Colon) && a.to_string() == *b
        }
        _ => false,
    }
}

fn compare(actual: &Actual, field: &Field, op: Op, expected: &Literal) -> bool {
    match (actual, expected) {
        (Actual::Missing, _) => false,
        (Actual::Text(a), Literal::Text(b)) => match (field, op) {
            (Field::Name, Op::Colon) => a.starts_with(b.as_str()),
            (Field::Path, Op::Colon) => a.starts_with(&normalize_folder(b)),
            (Field::Path, _) => *a == normalize_folder(b),
            (Field::Format, _) => order(&a.to_ascii_lowercase(), &b.to_ascii_lowercase(), op),
            _ => order(a, b, op),
        },
        (Actual::Number(a), Literal::Number(b)) => order(a, b, op),
        (Actual::Time(a), Literal::Time { ms, day }) => match op {
            Op::Eq | Op::Colon if *day => a.div_euclid(86_400_000) == ms.div_euclid(86_400_000),
            _ => order(a, ms, op),
        },
        (Actual::Bool(a), Literal::Bool(b)) => a == b,
        (Actual::Tags(tags), Literal::Text(b)) => tags.iter().any(|t| t == b),
        (Actual::Json(a), Literal::Json(b)) => json_matches(a, op, b),
        _ => false,
    }
}

impl Query {
    pub fn matches(&self, candidate: &Candidate<'_>) -> bool {
        match self {
            Query::And(a, b) => a.matches(candidate) && b.matches(candidate),
            Query::Or(a, b) => a.matches(candidate) || b.matches(candidate),
            Query::Not(inner) => !inner.matches(candidate),
            Query::Compare { field, op, value } => {
                compare(&candidate.actual(field), field, *op, value)
            }
            Query::In {
                field,
                values,
                negated,
            } => {
                let actual = candidate.actual(field);
                // A field the item does not have (a folder's tags) never matches.
                if matches!(actual, Actual::Missing) {
                    return false;
                }
                let any = values.iter().any(|v| compare(&actual, field, Op::Eq, v));
                any != *negated
            }
        }
    }

    /// Whether the query constrains the item type (files vs folders).
    pub fn mentions_type(&self) -> bool {
        match self {
            Query::And(a, b) | Query::Or(a, b) => a.mentions_type() || b.mentions_type(),
            Query::Not(inner) => inner.mentions_type(),
            Query::Compare { field, .. } | Query::In { field, .. } => *field == Field::Type,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000_000;

    #[test]
    fn parses_documented_examples() {
        for q in [
            r#"createdAt > "7d""#,
            r#"createdAt > "7d" AND name: "file-name""#,
            r#"(size < "1mb" AND width > 500) OR (tags IN ["summer-sale","banner"])"#,
            r#"name = "red-dress-summer.jpg""#,
            "createdAt < 2020-01-01",
            r#"createdAt < "2020-01-01T12:12:12""#,
            "createdAt < 2d",
            r#""customMetadata.brand" = "Nike""#,
            r#"format NOT IN ["png", "jpg"]"#,
            r#"NOT (isPrivateFile = true) and type = "file""#,
            "size >= 1.5mb",
            r#"tags : 'x'"#,
        ] {
            assert!(parse(q, NOW).is_ok(), "{q}: {:?}", parse(q, NOW));
        }
    }

    #[test]
    fn rejects_malformed_queries_with_a_reason() {
        for (q, needle) in [
            ("", "empty"),
            ("name =", "expected a value"),
            ("name", "expected an operator"),
            ("bogus = 1", "unknown field 'bogus'"),
            (r#"name = "unterminated"#, "unterminated string"),
            ("(name = a", "expected ')'"),
            ("size < lots", "invalid size"),
            ("createdAt > soon", "invalid date"),
            ("tags < a", "not supported"),
            ("name = a b", "expected AND, OR"),
            ("tags IN [a, b", "expected ',' or ']'"),
            ("name NOT = a", "expected IN"),
            ("isPrivateFile = maybe", "invalid boolean"),
        ] {
            let err = parse(q, NOW).unwrap_err();
            assert!(err.contains(needle), "{q}: {err}");
        }
    }

    #[test]
    fn units_and_relative_times() {
        assert_eq!(parse_size("1mb"), Some(1_048_576.0));
        assert_eq!(parse_size("2KB"), Some(2048.0));
        assert_eq!(parse_size("10"), Some(10.0));
        assert_eq!(parse_relative("7d", NOW), Some(NOW - 7 * 86_400_000));
        assert_eq!(parse_relative("x", NOW), None);
        assert_eq!(
            parse("createdAt > 1h", NOW).unwrap(),
            Query::Compare {
                field: Field::CreatedAt,
                op: Op::Gt,
                value: Literal::Time {
                    ms: NOW - 3_600_000,
                    day: false
                }
            }
        );
    }

    #[test]
    fn nesting_and_length_are_bounded() {
        let nested = |n: usize| format!("{}name = \"a\"{}", "(".repeat(n), ")".repeat(n));
        assert!(parse(&nested(MAX_DEPTH), 0).is_ok());
        let err = parse(&nested(MAX_DEPTH + 1), 0).unwrap_err();
        assert!(err.contains("deeper than 32"), "{err}");
        // Deep enough to overflow the stack without the limit.
        assert!(parse(&"(".repeat(20_000), 0).is_err());
        assert!(parse(&format!("{}name = \"a\"", "NOT ".repeat(20_000)), 0).is_err());
        let chain = |n: usize| vec![r#"name = "a""#; n + 1].join(" AND ");
        assert!(parse(&chain(MAX_OPERATORS), 0).is_ok());
        assert!(parse(&chain(MAX_OPERATORS + 1), 0)
            .unwrap_err()
            .contains("more than 100"));
    }

    #[test]
    fn precedence_and_binds_tighter_than_or() {
        let q = parse("name = a OR name = b AND size > 1", NOW).unwrap();
        assert!(matches!(q, Query::Or(_, _)));
    }
}
