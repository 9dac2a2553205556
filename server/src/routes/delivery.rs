//! The delivery CDN: `GET <urlEndpoint>/[<urlPrefix>/][tr:…/]path/to/file[?tr=…]`
//! serves stored files, applies URL transformations (expanding named ones,
//! `n-<name>`), enforces signed URLs for private files with the algorithm the
//! SDK signs with, and records every request in the usage records.

use std::sync::Arc;

use axum::body::{Body, HttpBody};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use percent_encoding::percent_decode_str;

use crate::app::App;
use crate::auth::{hmac_sha1_hex, signature_matches};
use crate::imaging::{self, MAX_DECODE_BYTES};
use crate::library::account_records::{named_transformations, url_endpoints};
use crate::library::usage::{self, Delivery};
use crate::routes::error::{ApiError, ApiResult};
use crate::storage::{Blob, DeliveryKind};
use crate::timestamp::now_ms;

/// The expiry the SDK signs with when a URL has no `ik-t`.
const DEFAULT_EXPIRY: &str = "9999999999";

fn decode(s: &str) -> String {
    percent_decode_str(&s.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

/// The parts of a delivery request.
struct Request<'a> {
    /// Everything after `<urlEndpoint>/`, exactly as sent (still encoded).
    signed_path: &'a str,
    transformation: Option<&'a str>,
    file_path: String,
    /// Raw `key=value` pairs of the query, in order.
    query: Vec<&'a str>,
}

impl<'a> Request<'a> {
    fn parse(app: &App, uri: &'a Uri) -> ApiResult<Self> {
        let prefix_len = app.config.imagekit_id.len() + 2;
        let signed_path = uri.path().get(prefix_len..).unwrap_or("");
        let not_found = || ApiError::not_found("The requested file does not exist.");
        // `tr:` comes first, or right after a URL endpoint's urlPrefix.
        let (prefix, after_prefix) = match signed_path.split_once('/') {
            Some((first, rest)) if rest.starts_with("tr:") && !first.starts_with("tr:") => {
                (Some(first), rest)
            }
            _ => (None, signed_path),
        };
        let (transformation, rest) = match after_prefix.strip_prefix("tr:") {
            Some(tr) => match tr.split_once('/') {
                Some((tr, rest)) => (Some(tr), rest),
                None => return Err(not_found()),
            },
            None => (None, after_prefix),
        };
        let decoded = |s: &str| {
            percent_decode_str(s)
                .decode_utf8()
                .map(|d| d.into_owned())
                .map_err(|_| not_found())
        };
        let file_path = match prefix {
            Some(prefix) => format!("{}/{}", decoded(prefix)?, decoded(rest)?),
            None => decoded(rest)?,
        };
        Ok(Request {
            signed_path,
            transformation,
            file_path: format!("/{}", file_path.trim_start_matches('/')),
            query: uri
                .query()
                .unwrap_or("")
                .split('&')
                .filter(|p| !p.is_empty())
                .collect(),
        })
    }

    fn param(&self, key: &str) -> Option<String> {
        self.query.iter().rev().find_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k) == key).then(|| decode(v))
        })
    }

    /// Checks `ik-s`/`ik-t`. Ok(true) for a valid signature, Ok(false) when
    /// the URL is unsigned.
    fn verify_signature(&self, private_key: &str) -> ApiResult<bool> {
        let Some(signature) = self.param("ik-s") else {
            return Ok(false);
        };
        let expiry = self.param("ik-t");
        if let Some(expiry) = &expiry {
            let expires: i64 = expiry.parse().map_err(|_| {
                ApiError::Unauthorized("The ik-t parameter is not a valid timestamp.".into())
            })?;
            if expires < now_ms() / 1000 {
                return Err(ApiError::Unauthorized(
                    "This signed URL has expired.".into(),
                ));
            }
        }
        // The SDK signs the URL before adding ik-t and ik-s, so both are left out.
        let unsigned: Vec<&str> = self
            .query
            .iter()
            .copied()
            .filter(|pair| {
                let key = decode(pair.split_once('=').map_or(*pair, |(k, _)| k));
                key != "ik-s" && key != "ik-t"
            })
            .collect();
        let mut message = self.signed_path.to_string();
        if !unsigned.is_empty() {
            message.push('?');
            message.push_str(&unsigned.join("&"));
        }
        message.push_str(expiry.as_deref().unwrap_or(DEFAULT_EXPIRY));
        if signature_matches(&hmac_sha1_hex(private_key, &message), &signature) {
            Ok(true)
        } else {
            Err(ApiError::Unauthorized(
                "The signature in this URL is not valid.".into(),
            ))
        }
    }

    /// The path transformation chained with the `tr` query parameter, as
    /// written (named transformations not yet expanded).
    fn transformation(&self) -> Option<String> {
        let steps: Vec<String> = self
            .transformation
            .map(decode)
            .into_iter()
            .chain(self.param("tr"))
            .filter(|s| !s.is_empty())
            .collect();
        (!steps.is_empty()).then(|| steps.join(":"))
    }
}

/// What the usage records keep about a request, filled in as it is served.
struct Facts {
    path: String,
    transformation: Option<String>,
    endpoint: String,
}

fn respond(body: Body, content_type: &str, length: u64) -> Response {
    let mut response = Response::new(body);
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    response
}

pub async fn serve(
    State(app): State<Arc<App>>,
    method: Method,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let mut facts = Facts {
        path: uri.path().to_string(),
        transformation: None,
        endpoint: "Default".into(),
    };
    let response = match deliver(&app, &uri, &headers, &mut facts).await {
        Ok(response) => response,
        Err(e) => e.into_response(),
    };
    let header_text = |name: header::HeaderName| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let bytes = if method == Method::HEAD {
        0
    } else {
        response
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .or_else(|| response.body().size_hint().exact())
            .unwrap_or(0)
    };
    usage::record(
        &app.store,
        Delivery {
            kind: DeliveryKind {
                path: facts.path,
                transformation: facts.transformation,
                status: response.status().as_u16(),
                content_type: response
                    .headers()
                    .get(header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string(),
                endpoint: facts.endpoint,
                referrer: header_text(header::REFERER),
                user_agent: header_text(header::USER_AGENT),
            },
            bytes,
        },
    );
    response
}

/// The response header naming the transformation parameters this server
/// accepted but did not apply (overlays, most effects, ...), comma-separated
/// as written; absent when everything asked for was applied.
pub const UNAPPLIED_HEADER: &str = "x-unapplied-transformation";

/// What the client says about itself, for `f-auto` and `dpr-auto`.
fn client_of(headers: &HeaderMap) -> imaging::Client {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    imaging::Client {
        accepts_webp: text("accept").is_some_and(|accept| {
            accept.split(',').any(|t| {
                t.split(';')
                    .next()
                    .is_some_and(|m| m.trim().eq_ignore_ascii_case("image/webp"))
            })
        }),
        dpr: text("dpr")
            .or_else(|| text("sec-ch-dpr"))
            .and_then(|d| d.trim().parse().ok()),
    }
}

fn name_unapplied(response: &mut Response, unapplied: &[String]) {
    if unapplied.is_empty() {
        return;
    }
    if let Ok(value) = HeaderValue::from_str(&unapplied.join(", ")) {
        response.headers_mut().insert(UNAPPLIED_HEADER, value);
    }
}

async fn deliver(
    app: &App,
    uri: &Uri,
    headers: &HeaderMap,
    facts: &mut Facts,
) -> ApiResult<Response> {
    let request = Request::parse(app, uri)?;
    facts.path = request.file_path.clone();
    facts.transformation = request.transformation();
    let signed = request.verify_signature(&app.config.private_key)?;
    let not_found = || ApiError::not_found("The requested file does not exist.");
    let wanted_version = request.param("ik-obj-version");
    let (key, mime, is_image, expanded) = {
        let state = app.store.read();
        let (path, endpoint) = url_endpoints::resolve(&state, &request.file_path);
        facts.path = path;
        facts.endpoint = endpoint;
        let file = state.file_by_path(&facts.path).ok_or_else(not_found)?;
        let version = match &wanted_version {
            Some(id) => file.version(id),
            None => file.current_version(),
        }
        .ok_or_else(not_found)?;
        if !version.is_published {
            return Err(not_found());
        }
        if version.is_private && !signed {
            return Err(ApiError::Unauthorized(
                "This file is private; request it with a signed URL.".into(),
            ));
        }
        let expanded = facts
            .transformation
            .as_deref()
            .map(|tr| named_transformations::expand(&state, tr))
            .transpose()?;
        (
            version.blob.clone(),
            version.mime.clone(),
            version.image.is_some(),
            expanded,
        )
    };
    let blob = app.store.blob(&key).await.ok_or_else(not_found)?;
    let transformation = match expanded {
        Some(tr) => Some(
            imaging::parse_transformation(&tr)
                .map_err(|e| ApiError::bad_request(format!("Invalid transformation {tr}: {e}")))?,
        ),
        None => None,
    };
    let decodable = is_image || imaging::RASTER_TYPES.contains(&mime.as_str());
    let original = |blob: Blob| async move {
        let length = blob.size();
        let body = Body::from_stream(blob.into_stream().await.map_err(ApiError::internal)?);
        Ok::<_, ApiError>(respond(body, &mime, length))
    };
    match transformation {
        // `orig-true`: the stored bytes, whatever else is asked.
        Some(tr) if tr.original() => original(blob).await,
        // A file stored as a JPEG/PNG/GIF/WebP that did not decode at upload
        // (over the pixel limit, say) is tried again, so the refusal is a 400.
        Some(tr) if decodable && blob.size() <= MAX_DECODE_BYTES => {
            let bytes = blob.read_all().await.map_err(ApiError::internal)?;
            let client = client_of(headers);
            let negotiates = tr.negotiates_format();
            let unapplied = tr.unapplied().to_vec();
            let (output, content_type) =
                imaging::blocking(move || imaging::apply(&bytes, &tr, client))
                    .await
                    .map_err(ApiError::internal)?
                    .map_err(|e| {
                        ApiError::bad_request(format!("Could not apply the transformation: {e}"))
                    })?;
            let length = output.len() as u64;
            let mut response = respond(Body::from(output), content_type, length);
            if negotiates {
                response
                    .headers_mut()
                    .insert(header::VARY, HeaderValue::from_static("Accept"));
            }
            name_unapplied(&mut response, &unapplied);
            Ok(response)
        }
        Some(_) => {
            // Not an image this server decodes (or too large to): nothing applied.
            let mut response = original(blob).await?;
            let all = facts.transformation.clone().unwrap_or_default();
            name_unapplied(&mut response, &[all]);
            Ok(response)
        }
        None => original(blob).await,
    }
}

/// The delivery route: everything under `/<imagekitId>/`.
pub fn router(app: &App) -> Router<Arc<App>> {
    Router::new().route(
        &format!("/{}/{{*path}}", app.config.imagekit_id),
        get(serve),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_query_components() {
        assert_eq!(decode("a%20b+c"), "a b c");
    }
}
