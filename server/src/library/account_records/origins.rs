//! Origins: the external storages URL endpoints fetch from. Nothing is ever
//! fetched here; the server checks and keeps the configuration, which an
//! update replaces whole, and never answers with a secret. An origin a URL
//! endpoint uses cannot be deleted.

use serde::ser::Serializer;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{conflict, flag, invalid, required, sent, string, AccountRecord, Mode, Sent};
use crate::ids::new_id;
use crate::library::error::LibraryResult;
use crate::storage::{Origin, State as Library, UrlEndpoint};

const TYPES: [&str; 8] = [
    "S3",
    "S3_COMPATIBLE",
    "CLOUDINARY_BACKUP",
    "WEB_FOLDER",
    "WEB_PROXY",
    "GCS",
    "AZURE_BLOB",
    "AKENEO_PIM",
];

/// Fields never echoed in a response.
const SECRETS: [&str; 8] = [
    "accessKey",
    "secretKey",
    "privateKey",
    "sasToken",
    "clientId",
    "clientSecret",
    "username",
    "password",
];

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Body {
    #[serde(rename = "type")]
    kind: Option<Sent<String>>,
    name: Option<Sent<String>>,
    #[serde(rename = "useIAMRole")]
    use_iam_role: Option<Sent<bool>>,
    include_canonical_header: Option<Sent<bool>>,
    base_url_for_canonical_header: Option<Sent<String>>,
    /// The type-specific fields, which depend on `type` (see `fields_of`).
    #[serde(flatten)]
    fields: Map<String, Value>,
}

/// The id, type, name and the non-secret fields.
#[derive(Serialize)]
pub struct View<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    name: &'a str,
    #[serde(flatten)]
    fields: NonSecret<'a>,
}

struct NonSecret<'a>(&'a Map<String, Value>);

impl Serialize for NonSecret<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(
            self.0
                .iter()
                .filter(|(key, _)| !SECRETS.contains(&key.as_str())),
        )
    }
}

impl AccountRecord for Origin {
    const WHAT: &'static str = "origin";
    type Body = Body;
    /// The whole origin but its id, which it gets when stored.
    type Draft = Origin;
    type View<'a> = View<'a>;

    fn id(&self) -> &str {
        &self.id
    }

    fn stored(state: &Library) -> &[Self] {
        &state.origins
    }

    fn stored_mut(state: &mut Library) -> &mut Vec<Self> {
        &mut state.origins
    }

    fn view(&self) -> View<'_> {
        View {
            id: &self.id,
            kind: &self.kind,
            name: &self.name,
            fields: NonSecret(&self.fields),
        }
    }

    /// The same checks for a create and an update, which replaces the origin.
    fn check(body: Body, _: Mode) -> LibraryResult<Origin> {
        parse(body)
    }

    fn build(draft: Origin, _: &Library) -> LibraryResult<Self> {
        Ok(Origin {
            id: new_id(),
            ..draft
        })
    }

    fn change(draft: Origin, old: &Self, _: &Library) -> LibraryResult<Self> {
        Ok(Origin {
            id: old.id.clone(),
            ..draft
        })
    }

    fn deletable(state: &Library, id: &str) -> LibraryResult<()> {
        match UrlEndpoint::listed(state)
            .iter()
            .find(|e| e.origins.iter().any(|o| o == id))
        {
            Some(endpoint) => Err(conflict(
                format!(
                    "The origin is used by the URL endpoint \"{}\" (id {}); remove it from that endpoint first.",
                    endpoint.description, endpoint.id
                ),
                "ORIGIN_IN_USE",
            )),
            None => Ok(()),
        }
    }
}

/// One type-specific field.
enum Field {
    /// A required non-empty string.
    Required(&'static str),
    /// A required string that may be empty when `useIAMRole` is true.
    Credential(&'static str),
    /// A required http(s) URL.
    Url(&'static str),
    /// An optional string with a default.
    Text(&'static str, &'static str),
    /// An optional boolean with a default.
    Flag(&'static str, bool),
    /// `useIAMRole` (read with the common fields, as `Credential` needs it).
    UseIamRole,
}

fn fields_of(kind: &str) -> &'static [Field] {
    use Field::*;
    match kind {
        "S3" | "CLOUDINARY_BACKUP" => &[
            Required("bucket"),
            Credential("accessKey"),
            Credential("secretKey"),
            Text("prefix", ""),
            UseIamRole,
        ],
        "S3_COMPATIBLE" => &[
            Required("bucket"),
            Required("accessKey"),
            Required("secretKey"),
            Required("endpoint"),
            Text("prefix", ""),
            Flag("s3ForcePathStyle", false),
        ],
        "WEB_FOLDER" => &[Url("baseUrl"), Flag("forwardHostHeaderToOrigin", false)],
        "GCS" => &[
            Required("bucket"),
            Required("clientEmail"),
            Required("privateKey"),
            Text("prefix", ""),
        ],
        "AZURE_BLOB" => &[
            Required("accountName"),
            Required("container"),
            Required("sasToken"),
            Text("prefix", ""),
        ],
        "AKENEO_PIM" => &[
            Url("baseUrl"),
            Required("clientId"),
            Required("clientSecret"),
            Required("username"),
            Required("password"),
        ],
        _ => &[],
    }
}

fn is_http_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or("");
        !host.is_empty() && !r.contains(char::is_whitespace)
    })
}

/// Checks a full origin body into a record (its id still empty).
fn parse(body: Body) -> LibraryResult<Origin> {
    let kind = required(body.kind, "type", true)?;
    if !TYPES.contains(&kind.as_str()) {
        return Err(invalid(format!(
            "Invalid type. It should be one of {}.",
            TYPES.join(", ")
        )));
    }
    let name = required(body.name, "name", true)?;
    let use_iam_role = flag(body.use_iam_role, "useIAMRole")?.unwrap_or(false);
    let given = &body.fields;
    let mut fields = Map::new();
    for field in fields_of(&kind) {
        let (key, value) = match *field {
            Field::Required(key) => (key, Value::from(required(sent(given, key), key, true)?)),
            Field::Credential(key) => {
                let value = if use_iam_role {
                    string(sent(given, key), key, false)?.unwrap_or_default()
                } else {
                    string(sent(given, key), key, true)?.ok_or_else(|| {
                        invalid(format!(
                            "Missing {key} parameter for this request (it may be empty only when useIAMRole is true)"
                        ))
                    })?
                };
                (key, Value::from(value))
            }
            Field::Url(key) => {
                let url = required(sent(given, key), key, true)?;
                if !is_http_url(url.trim()) {
                    return Err(invalid(format!(
                        "Invalid {key}. It should be an http(s) URL."
                    )));
                }
                (key, Value::from(url.trim()))
            }
            Field::Text(key, default) => {
                let value = string(sent(given, key), key, false)?;
                (key, Value::from(value.as_deref().unwrap_or(default)))
            }
            Field::Flag(key, default) => (
                key,
                Value::from(flag(sent(given, key), key)?.unwrap_or(default)),
            ),
            Field::UseIamRole => ("useIAMRole", Value::from(use_iam_role)),
        };
        fields.insert(key.into(), value);
    }
    let canonical = flag(body.include_canonical_header, "includeCanonicalHeader")?.unwrap_or(false);
    fields.insert("includeCanonicalHeader".into(), Value::from(canonical));
    if let Some(base) = string(
        body.base_url_for_canonical_header,
        "baseUrlForCanonicalHeader",
        false,
    )? {
        fields.insert("baseUrlForCanonicalHeader".into(), Value::from(base));
    }
    Ok(Origin {
        id: String::new(),
        kind,
        name,
        fields,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parsed(v: Value) -> LibraryResult<Origin> {
        parse(serde_json::from_value(v).unwrap())
    }

    fn shown(origin: &Origin) -> Value {
        serde_json::to_value(origin.view()).unwrap()
    }

    #[test]
    fn validates_per_type_and_hides_secrets() {
        let s3 = Origin {
            id: "1".into(),
            ..parsed(json!({"type": "S3", "name": "a", "bucket": "b", "accessKey": "k", "secretKey": "s"}))
                .unwrap()
        };
        assert_eq!(
            serde_json::to_string(&s3.view()).unwrap(),
            r#"{"id":"1","type":"S3","name":"a","bucket":"b","prefix":"","useIAMRole":false,"includeCanonicalHeader":false}"#
        );
        assert!(parsed(
            json!({"type": "S3", "name": "a", "bucket": "b", "accessKey": "", "secretKey": "", "useIAMRole": true})
        )
        .is_ok());
        for bad in [
            json!({"type": "S3", "name": "a", "bucket": "b", "accessKey": "", "secretKey": "s"}),
            json!({"type": "S3", "name": "", "bucket": "b", "accessKey": "k", "secretKey": "s"}),
            json!({"type": "FTP", "name": "a"}),
            json!({"type": "WEB_FOLDER", "name": "a", "baseUrl": "ftp://x"}),
            json!({"type": "WEB_FOLDER", "name": "a", "baseUrl": "https://"}),
            json!({"type": "WEB_PROXY", "name": "a", "includeCanonicalHeader": "yes"}),
            json!({"type": "GCS", "name": "a", "bucket": "b", "clientEmail": "e"}),
        ] {
            assert!(parsed(bad.clone()).is_err(), "{bad}");
        }
        let pim = Origin {
            id: "2".into(),
            ..parsed(json!({"type": "AKENEO_PIM", "name": "p", "baseUrl": "https://pim.example.com",
                            "clientId": "c", "clientSecret": "s", "username": "u", "password": "p"}))
            .unwrap()
        };
        assert_eq!(
            shown(&pim),
            json!({"id": "2", "type": "AKENEO_PIM", "name": "p",
                   "baseUrl": "https://pim.example.com", "includeCanonicalHeader": false})
        );
    }
}
