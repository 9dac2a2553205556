//! URL endpoints. The default endpoint (id `default`, urlPrefix `""`) always
//! exists: it is listed first, stored from its first update on, its urlPrefix
//! cannot change and it cannot be deleted. urlPrefixes are unique. Delivery
//! URLs whose first path segment is another endpoint's urlPrefix are served
//! from the media library under that endpoint (see [`endpoint_by_prefix`]).

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::{conflict, flag, invalid, required, sent, string, AccountRecord, Mode, Sent};
use crate::ids::new_id;
use crate::library::error::LibraryResult;
use crate::storage::{State as Library, UrlEndpoint};

/// The id of the URL endpoint every account has.
pub const DEFAULT_ENDPOINT_ID: &str = "default";

const REWRITERS: [&str; 3] = ["CLOUDINARY", "IMGIX", "AKAMAI"];

/// A full endpoint (an update replaces it), checked against the state.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Body {
    description: Option<Sent<String>>,
    url_prefix: Option<Sent<String>>,
    origins: Option<Sent<Vec<Sent<String>>>>,
    /// An object with a `type` (and, for `CLOUDINARY`,
    /// `preserveAssetDeliveryTypes`); anything else in it is dropped.
    url_rewriter: Option<Sent<Map<String, Value>>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct View<'a> {
    id: &'a str,
    description: &'a str,
    url_prefix: &'a str,
    origins: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    url_rewriter: Option<&'a Value>,
}

impl AccountRecord for UrlEndpoint {
    const WHAT: &'static str = "URL endpoint";
    type Body = Body;
    /// Every check of an endpoint needs the state (its origins must exist).
    type Draft = Body;
    type View<'a> = View<'a>;

    fn id(&self) -> &str {
        &self.id
    }

    fn stored(state: &Library) -> &[Self] {
        &state.url_endpoints
    }

    fn stored_mut(state: &mut Library) -> &mut Vec<Self> {
        &mut state.url_endpoints
    }

    /// Every URL endpoint, the default one first.
    fn listed(state: &Library) -> Cow<'_, [Self]> {
        if state
            .url_endpoints
            .iter()
            .any(|e| e.id == DEFAULT_ENDPOINT_ID)
        {
            return Cow::Borrowed(&state.url_endpoints);
        }
        let mut endpoints = Vec::with_capacity(state.url_endpoints.len() + 1);
        endpoints.push(default_endpoint());
        endpoints.extend(state.url_endpoints.iter().cloned());
        Cow::Owned(endpoints)
    }

    fn view(&self) -> View<'_> {
        View {
            id: &self.id,
            description: &self.description,
            url_prefix: &self.url_prefix,
            origins: &self.origins,
            url_rewriter: self.url_rewriter.as_ref(),
        }
    }

    fn check(body: Body, _: Mode) -> LibraryResult<Body> {
        Ok(body)
    }

    fn build(body: Body, state: &Library) -> LibraryResult<Self> {
        parse(body, new_id(), state)
    }

    fn change(body: Body, old: &Self, state: &Library) -> LibraryResult<Self> {
        parse(body, old.id.clone(), state)
    }

    fn unique(&self, state: &Library) -> LibraryResult<()> {
        match Self::listed(state)
            .iter()
            .find(|e| e.id != self.id && e.url_prefix == self.url_prefix)
        {
            Some(other) => Err(conflict(
                format!(
                    "A URL endpoint with the urlPrefix \"{}\" already exists (id {}).",
                    self.url_prefix, other.id
                ),
                "URL_PREFIX_ALREADY_EXISTS",
            )),
            None => Ok(()),
        }
    }

    fn deletable(_: &Library, id: &str) -> LibraryResult<()> {
        if id == DEFAULT_ENDPOINT_ID {
            return Err(invalid("The default URL endpoint cannot be deleted."));
        }
        Ok(())
    }
}

fn default_endpoint() -> UrlEndpoint {
    UrlEndpoint {
        id: DEFAULT_ENDPOINT_ID.into(),
        description: "Default URL endpoint".into(),
        url_prefix: String::new(),
        origins: Vec::new(),
        url_rewriter: None,
    }
}

/// The non-default endpoint whose urlPrefix is `segment`, if any.
pub fn endpoint_by_prefix<'a>(state: &'a Library, segment: &str) -> Option<&'a UrlEndpoint> {
    state
        .url_endpoints
        .iter()
        .find(|e| !e.url_prefix.is_empty() && e.url_prefix == segment)
}

/// The media-library path and URL endpoint name a delivery path means: a
/// first segment that is another endpoint's urlPrefix selects that endpoint
/// when the rest names a file; anything else is the default endpoint's.
pub fn resolve(state: &Library, path: &str) -> (String, String) {
    let trimmed = path.trim_start_matches('/');
    if let Some((first, rest)) = trimmed.split_once('/') {
        if let Some(endpoint) = endpoint_by_prefix(state, first) {
            let rest = format!("/{rest}");
            if state.file_by_path(&rest).is_some() || state.file_by_path(path).is_none() {
                return (rest, endpoint.url_prefix.clone());
            }
        }
    }
    (path.to_string(), "Default".to_string())
}

/// Checks a full endpoint body against the state (its origins must exist)
/// into the endpoint `id`; the urlPrefix's uniqueness is `unique`'s.
fn parse(body: Body, id: String, state: &Library) -> LibraryResult<UrlEndpoint> {
    let description = required(body.description, "description", true)?;
    let url_prefix = string(body.url_prefix, "urlPrefix", false)?.unwrap_or_default();
    if !url_prefix
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(invalid(
            "Invalid urlPrefix. It may contain only letters, digits and hyphens.",
        ));
    }
    if id == DEFAULT_ENDPOINT_ID && !url_prefix.is_empty() {
        return Err(invalid(
            "The urlPrefix of the default URL endpoint cannot be changed.",
        ));
    }
    let not_ids = || invalid("Invalid origins. It should be an array of origin ids.");
    let origins = match body.origins {
        None => Vec::new(),
        Some(Sent::Typed(items)) => {
            let mut origins: Vec<String> = Vec::with_capacity(items.len());
            for item in items {
                let Sent::Typed(origin) = item else {
                    return Err(not_ids());
                };
                if !state.origins.iter().any(|o| o.id == origin) {
                    return Err(invalid(format!(
                        "Invalid origins: no origin exists with id {origin}."
                    )));
                }
                if origins.contains(&origin) {
                    return Err(invalid(format!(
                        "Invalid origins: {origin} is listed more than once."
                    )));
                }
                origins.push(origin);
            }
            origins
        }
        Some(Sent::Other(_)) => return Err(not_ids()),
    };
    let url_rewriter = match body.url_rewriter {
        None => None,
        Some(Sent::Typed(rewriter)) => {
            let kind = rewriter.get("type").and_then(Value::as_str).unwrap_or("");
            if !REWRITERS.contains(&kind) {
                return Err(invalid(format!(
                    "Invalid urlRewriter.type. It should be one of {}.",
                    REWRITERS.join(", ")
                )));
            }
            if kind == "CLOUDINARY" {
                let preserve = flag(
                    sent(&rewriter, "preserveAssetDeliveryTypes"),
                    "urlRewriter.preserveAssetDeliveryTypes",
                )?
                .unwrap_or(false);
                Some(json!({ "type": kind, "preserveAssetDeliveryTypes": preserve }))
            } else {
                Some(json!({ "type": kind }))
            }
        }
        Some(Sent::Other(_)) => {
            return Err(invalid(
                "Invalid urlRewriter. It should be an object with a type.",
            ))
        }
    };
    Ok(UrlEndpoint {
        id,
        description,
        url_prefix,
        origins,
        url_rewriter,
    })
}
