//! JavaScript values held in Rust: what the typed client hands an operation as its
//! arguments, and what the tests run every operation's checks on, without Node.

use std::cell::RefCell;
use std::ffi::CStr;

use bytes::Bytes;

#[cfg(test)]
use super::Validated;
#[cfg(test)]
use crate::http::{Body, Method};
use crate::js::{Exception, Host, HostResult, Kind};
use crate::upload_source::{self, SourceBody};

#[derive(Debug, Clone, PartialEq)]
pub enum V {
    Undefined,
    Null,
    Bool(bool),
    Number(f64),
    Str(String),
    Array(Vec<V>),
    Object(Vec<(String, V)>),
    Function,
    /// A Uint8Array.
    Bytes(Bytes),
    /// A readable stream (has `on` and `pause`); with a path, a file's stream (`fd` and
    /// `path` of its own), whose size is its length.
    Stream(Option<String>),
}

impl V {
    pub fn str(s: &str) -> V {
        V::Str(s.to_owned())
    }

    #[cfg(test)]
    pub fn array<const N: usize>(items: [V; N]) -> V {
        V::Array(items.into())
    }

    pub fn object<const N: usize>(entries: [(&str, V); N]) -> V {
        V::Object(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
        )
    }

    /// A JSON value as JavaScript holds it after `JSON.parse`.
    pub fn from_json(value: &serde_json::Value) -> V {
        match value {
            serde_json::Value::Null => V::Null,
            serde_json::Value::Bool(b) => V::Bool(*b),
            serde_json::Value::Number(n) => V::Number(n.as_f64().unwrap_or(f64::NAN)),
            serde_json::Value::String(s) => V::Str(s.clone()),
            serde_json::Value::Array(items) => V::Array(items.iter().map(V::from_json).collect()),
            serde_json::Value::Object(entries) => V::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), V::from_json(v)))
                    .collect(),
            ),
        }
    }
}

/// Values by handle; a handle stays valid for the host's life. A stream's body, when one
/// is given, is taken by the first request that reads the stream.
#[derive(Default)]
pub struct Values {
    values: RefCell<Vec<V>>,
    source: RefCell<Option<SourceBody>>,
}

impl Values {
    pub fn put(&self, value: V) -> usize {
        let mut values = self.values.borrow_mut();
        values.push(value);
        values.len() - 1
    }

    /// The body a [`V::Stream`] is uploaded as.
    pub fn with_source(source: SourceBody) -> Self {
        Self {
            source: RefCell::new(Some(source)),
            ..Self::default()
        }
    }

    fn value(&self, handle: usize) -> HostResult<V> {
        self.values.borrow().get(handle).cloned().ok_or(Exception)
    }

    /// The instance options: an `apiEndpoint` and `uploadEndpoint` on a test host.
    #[cfg(test)]
    pub fn options(&self) -> usize {
        self.put(V::object([
            ("apiEndpoint", V::str("http://api.test")),
            (
                "uploadEndpoint",
                V::str("http://upload.test/api/v1/files/upload"),
            ),
            ("privateKey", V::str("private_test")),
        ]))
    }

    /// The request a method makes for these arguments: method, URL and JSON body.
    #[cfg(test)]
    pub fn call<const N: usize>(&self, name: &str, args: [V; N]) -> Validated<Sent> {
        let operation = super::operation(name).expect("a declared operation");
        let args: Vec<usize> = args.into_iter().map(|v| self.put(v)).collect();
        let request = super::request(self, operation, self.options(), &args)?;
        Ok(Sent {
            method: request.method,
            url: request.url,
            json: match request.body {
                Body::Json(json) => Some(json),
                _ => None,
            },
        })
    }
}

/// What a request would send, in brief.
#[cfg(test)]
#[derive(Debug, PartialEq)]
pub struct Sent {
    pub method: Method,
    pub url: String,
    pub json: Option<String>,
}

#[cfg(test)]
impl Sent {
    pub fn new(method: Method, url: &str, json: Option<&str>) -> Self {
        Self {
            method,
            url: url.to_owned(),
            json: json.map(str::to_owned),
        }
    }
}

fn json(value: &V) -> Option<String> {
    Some(match value {
        V::Undefined | V::Function | V::Stream(_) => return None,
        V::Null => "null".to_owned(),
        V::Bool(b) => b.to_string(),
        V::Number(n) => crate::ecma::number_to_string(*n),
        V::Str(s) => serde_json::to_string(s).ok()?,
        V::Array(items) => format!(
            "[{}]",
            items
                .iter()
                .map(|item| json(item).unwrap_or_else(|| "null".to_owned()))
                .collect::<Vec<_>>()
                .join(",")
        ),
        V::Object(entries) => object_json(entries.iter().map(|(k, v)| (k.as_str(), v))),
        V::Bytes(bytes) => object_json(
            bytes
                .iter()
                .enumerate()
                .map(|(i, b)| (i.to_string(), V::Number(f64::from(*b))))
                .collect::<Vec<_>>()
                .iter()
                .map(|(k, v)| (k.as_str(), v)),
        ),
    })
}

fn object_json<'a>(entries: impl Iterator<Item = (&'a str, &'a V)>) -> String {
    let parts: Vec<String> = entries
        .filter_map(|(k, v)| Some(format!("{}:{}", serde_json::to_string(k).ok()?, json(v)?)))
        .collect();
    format!("{{{}}}", parts.join(","))
}

impl Host for Values {
    type Value = usize;

    fn kind(&self, value: usize) -> HostResult<Kind> {
        Ok(match self.value(value)? {
            V::Undefined => Kind::Undefined,
            V::Null => Kind::Null,
            V::Bool(_) => Kind::Boolean,
            V::Number(_) => Kind::Number,
            V::Str(_) => Kind::String,
            V::Function => Kind::Function,
            V::Array(_) | V::Object(_) | V::Bytes(_) | V::Stream(_) => Kind::Object,
        })
    }

    fn truthy(&self, value: usize) -> HostResult<bool> {
        Ok(match self.value(value)? {
            V::Undefined | V::Null => false,
            V::Bool(b) => b,
            V::Number(n) => n != 0.0 && !n.is_nan(),
            V::Str(s) => !s.is_empty(),
            _ => true,
        })
    }

    fn get(&self, value: usize, name: &CStr) -> HostResult<usize> {
        let name = name.to_str().map_err(|_| Exception)?;
        let found = match (self.value(value)?, name) {
            (V::Object(entries), _) => entries
                .into_iter()
                .find(|(k, _)| k == name)
                .map_or(V::Undefined, |(_, v)| v),
            (V::Str(s), "length") => V::Number(s.encode_utf16().count() as f64),
            (V::Array(items), "length") => V::Number(items.len() as f64),
            (V::Bytes(bytes), "length") => V::Number(bytes.len() as f64),
            (V::Stream(_), "on" | "pause") => V::Function,
            (V::Stream(Some(path)), "path") => V::Str(path),
            _ => V::Undefined,
        };
        Ok(self.put(found))
    }

    fn get_key(&self, value: usize, key: usize) -> HostResult<usize> {
        let key = self.text(key)?;
        let name = std::ffi::CString::new(key).map_err(|_| Exception)?;
        match self.value(value)? {
            V::Array(items) => {
                let index: usize = name
                    .to_str()
                    .ok()
                    .and_then(|k| k.parse().ok())
                    .ok_or(Exception)?;
                Ok(self.put(items.get(index).cloned().unwrap_or(V::Undefined)))
            }
            _ => self.get(value, &name),
        }
    }

    fn has_own(&self, value: usize, name: &CStr) -> HostResult<bool> {
        let name = name.to_str().map_err(|_| Exception)?;
        Ok(match self.value(value)? {
            V::Object(entries) => entries.iter().any(|(k, _)| k == name),
            V::Stream(Some(_)) => matches!(name, "fd" | "path"),
            _ => false,
        })
    }

    fn text(&self, value: usize) -> HostResult<String> {
        match self.value(value)? {
            V::Str(s) => Ok(s),
            _ => Err(Exception),
        }
    }

    fn to_string(&self, value: usize) -> HostResult<String> {
        Ok(match self.value(value)? {
            V::Undefined => "undefined".to_owned(),
            V::Null => "null".to_owned(),
            V::Bool(b) => b.to_string(),
            V::Number(n) => crate::ecma::number_to_string(n),
            V::Str(s) => s,
            V::Array(items) => {
                let mut parts = Vec::new();
                for item in items {
                    parts.push(match item {
                        V::Undefined | V::Null => String::new(),
                        other => self.to_string(self.put(other))?,
                    });
                }
                parts.join(",")
            }
            V::Object(_) | V::Stream(_) => "[object Object]".to_owned(),
            V::Function => "function () {}".to_owned(),
            V::Bytes(bytes) => bytes
                .iter()
                .map(u8::to_string)
                .collect::<Vec<_>>()
                .join(","),
        })
    }

    fn string_of(&self, value: usize) -> HostResult<String> {
        self.to_string(value)
    }

    fn number(&self, value: usize) -> HostResult<f64> {
        match self.value(value)? {
            V::Number(n) => Ok(n),
            _ => Err(Exception),
        }
    }

    fn boolean(&self, value: bool) -> HostResult<usize> {
        Ok(self.put(V::Bool(value)))
    }

    fn undefined(&self) -> HostResult<usize> {
        Ok(self.put(V::Undefined))
    }

    fn is_array(&self, value: usize) -> HostResult<bool> {
        Ok(matches!(self.value(value)?, V::Array(_)))
    }

    fn elements(&self, value: usize) -> HostResult<Vec<usize>> {
        match self.value(value)? {
            V::Array(items) => Ok(items.into_iter().map(|item| self.put(item)).collect()),
            _ => Err(Exception),
        }
    }

    fn keys(&self, value: usize, _inherited: bool) -> HostResult<Vec<usize>> {
        Ok(match self.value(value)? {
            V::Object(entries) => entries
                .into_iter()
                .map(|(k, _)| self.put(V::Str(k)))
                .collect(),
            V::Array(items) => (0..items.len())
                .map(|i| self.put(V::Str(i.to_string())))
                .collect(),
            _ => Vec::new(),
        })
    }

    fn is_plain(&self, value: usize) -> HostResult<bool> {
        Ok(matches!(self.value(value)?, V::Array(_) | V::Object(_)))
    }

    fn date_iso(&self, _value: usize) -> HostResult<Option<String>> {
        Ok(None)
    }

    fn stringify(&self, value: usize) -> HostResult<Option<String>> {
        Ok(json(&self.value(value)?))
    }

    fn stringify_fields(&self, fields: &[(&CStr, usize)]) -> HostResult<String> {
        let mut entries = Vec::new();
        for (name, value) in fields {
            entries.push((name.to_string_lossy().into_owned(), self.value(*value)?));
        }
        Ok(object_json(entries.iter().map(|(k, v)| (k.as_str(), v))))
    }

    fn new_string(&self, value: &str) -> HostResult<usize> {
        Ok(self.put(V::str(value)))
    }

    fn new_number(&self, value: f64) -> HostResult<usize> {
        Ok(self.put(V::Number(value)))
    }

    fn view_bytes(&self, value: usize) -> HostResult<Option<Vec<u8>>> {
        Ok(match self.value(value)? {
            V::Bytes(bytes) => Some(bytes.to_vec()),
            _ => None,
        })
    }

    fn new_object(&self) -> HostResult<usize> {
        Ok(self.put(V::Object(Vec::new())))
    }

    fn set(&self, object: usize, name: &CStr, value: usize) -> HostResult<()> {
        let name = name.to_str().map_err(|_| Exception)?.to_owned();
        let value = self.value(value)?;
        let mut values = self.values.borrow_mut();
        let Some(V::Object(entries)) = values.get_mut(object) else {
            return Err(Exception);
        };
        match entries.iter_mut().find(|(k, _)| *k == name) {
            Some(entry) => entry.1 = value,
            None => entries.push((name, value)),
        }
        Ok(())
    }

    fn set_key(&self, object: usize, key: usize, value: usize) -> HostResult<()> {
        let name = std::ffi::CString::new(self.text(key)?).map_err(|_| Exception)?;
        self.set(object, &name, value)
    }

    fn has(&self, value: usize, name: &CStr) -> HostResult<bool> {
        match self.value(value)? {
            V::Object(_) | V::Array(_) | V::Function | V::Bytes(_) | V::Stream(_) => {
                Ok(self.kind(self.get(value, name)?)? != Kind::Undefined)
            }
            _ => Err(Exception),
        }
    }

    fn has_prototype(&self, _object: usize) -> HostResult<bool> {
        Ok(true)
    }

    fn has_own_enumerable_keys(&self, object: usize) -> HostResult<bool> {
        Ok(!self.keys(object, false)?.is_empty())
    }

    fn bytes(&self, value: usize) -> HostResult<Option<Bytes>> {
        Ok(match self.value(value)? {
            V::Bytes(bytes) => Some(bytes),
            _ => None,
        })
    }

    fn plus(&self, left: usize, right: usize) -> HostResult<usize> {
        let number = |v: &V| match v {
            V::Number(n) => Some(*n),
            V::Bool(b) => Some(f64::from(u8::from(*b))),
            V::Null => Some(0.0),
            V::Undefined => Some(f64::NAN),
            _ => None,
        };
        let (a, b) = (self.value(left)?, self.value(right)?);
        Ok(match (number(&a), number(&b)) {
            (Some(a), Some(b)) => self.put(V::Number(a + b)),
            _ => self.put(V::Str(self.to_string(left)? + &self.to_string(right)?)),
        })
    }

    fn stream(&self, _value: usize) -> HostResult<SourceBody> {
        if let Some(source) = self.source.borrow_mut().take() {
            return Ok(source);
        }
        let (_writer, body) = upload_source::channel(1);
        Ok(body)
    }
}
