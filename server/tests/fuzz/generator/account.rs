//! The account's records (custom metadata fields, saved extensions, named
//! transformations, origins, URL endpoints), usage, and remote metadata.

use serde_json::{json, Value};

use super::pools::{EXTENSION_NAMES, FIELD_TYPES, ORIGIN_TYPES};
use super::Gen;
use crate::common::dates::{civil, now_secs};
use crate::learned::Pool;
use crate::plan::{req, Req};

impl Gen<'_> {
    /// GET list, POST create, and GET/PATCH|PUT/DELETE by id of a resource.
    pub(super) fn resource(
        &mut self,
        class: &'static str,
        base: &str,
        update: &str,
        get_one: bool,
    ) -> (Req, bool) {
        let id = self.learned_or_random(Pool::Id, 0.6);
        let id = self.id_seg(&id);
        match self.rng.u32(0..10) {
            0 | 1 => (req(class, "GET", base.into()), false),
            2..=4 => (req(class, "POST", base.into()), true),
            5 if get_one => (req(class, "GET", format!("{base}/{id}")), false),
            5..=7 => (req(class, update, format!("{base}/{id}")), true),
            _ => (req(class, "DELETE", format!("{base}/{id}")), false),
        }
    }

    pub(super) fn custom_meta(&mut self) -> Req {
        let (mut r, body) = self.resource(
            "custom-metadata",
            "/v1/customMetadataFields",
            "PATCH",
            false,
        );
        if r.method == "GET" && self.p(0.5) {
            let v = self.bool_text();
            self.query(&mut r, "includeDeleted", &v);
        }
        if body {
            let ty = json!(self.pick(FIELD_TYPES));
            let options = Value::Array((0..self.n(0..4)).map(|_| json!(self.word())).collect());
            let (a, b, c, d, e) = (
                self.number(),
                self.number(),
                self.number(),
                self.number(),
                self.json(0),
            );
            let required = json!(self.p(0.3));
            let schema = self.object(
                vec![
                    ("type", ty),
                    ("minLength", a),
                    ("maxLength", b),
                    ("minValue", c),
                    ("maxValue", d),
                    ("selectOptions", options),
                    ("defaultValue", e),
                    ("isValueRequired", required),
                ],
                0.4,
            );
            let name = json!(if self.p(0.8) {
                self.alnum_in(1..10)
            } else {
                self.junk()
            });
            let label = json!(self.text());
            let body = self.object(
                vec![("name", name), ("label", label), ("schema", schema)],
                0.85,
            );
            self.json_body(&mut r, body);
        }
        r
    }

    pub(super) fn saved_ext(&mut self) -> Req {
        let (mut r, body) = self.resource("saved-extension", "/v1/saved-extensions", "PATCH", true);
        if body {
            let task = {
                let ty = json!(self.pick(&["yes_no", "select_tags", "select_metadata", "nope"]));
                let instruction = json!(self.text());
                let field = json!(self.word());
                self.object(
                    vec![("type", ty), ("instruction", instruction), ("field", field)],
                    0.7,
                )
            };
            let name = json!(self.pick(EXTENSION_NAMES));
            let (n1, n2) = (self.number(), self.number());
            let (shadow, semi) = (self.p(0.5), self.p(0.5));
            let options =
                json!({"add_shadow": shadow, "semitransparency": semi, "bg_color": "fff"});
            let config = self.object(
                vec![
                    ("name", name),
                    ("maxTags", n1),
                    ("minConfidence", n2),
                    ("options", options),
                    ("tasks", json!([task])),
                ],
                0.6,
            );
            let name = json!(self.text());
            let description = json!(self.text());
            let body = self.object(
                vec![
                    ("name", name),
                    ("description", description),
                    ("config", config),
                ],
                0.85,
            );
            self.json_body(&mut r, body);
        }
        r
    }

    pub(super) fn named_tr(&mut self) -> Req {
        let (mut r, body) = self.resource(
            "named-transformation",
            "/v1/named-transformations",
            "PATCH",
            true,
        );
        if body {
            let name = json!(if self.p(0.8) {
                format!("n_{}", self.alnum_in(1..8))
            } else {
                self.junk()
            });
            let tr = json!(self.transformation());
            let description = json!(self.text());
            let enabled = json!(self.p(0.8));
            let body = self.object(
                vec![
                    ("name", name),
                    ("transformation", tr),
                    ("description", description),
                    ("enabled", enabled),
                ],
                0.85,
            );
            self.json_body(&mut r, body);
        }
        r
    }

    pub(super) fn origins(&mut self) -> Req {
        let (mut r, body) = self.resource("origin", "/v1/accounts/origins", "PUT", true);
        if body {
            let ty = json!(self.pick(ORIGIN_TYPES));
            let closed = json!(self.closed_url());
            let mut fields = vec![("type", ty), ("name", json!(self.text()))];
            for key in [
                "bucket",
                "prefix",
                "accessKey",
                "secretKey",
                "clientEmail",
                "privateKey",
                "accountName",
                "container",
                "sasToken",
                "host",
                "username",
                "password",
                "clientId",
                "clientSecret",
            ] {
                fields.push((key, json!(self.text())));
            }
            for key in ["endpoint", "baseUrl", "baseUrlForCanonicalHeader"] {
                fields.push((key, closed.clone()));
            }
            for key in [
                "s3ForcePathStyle",
                "forwardHostHeaderToOrigin",
                "includeCanonicalHeader",
                "useIAMRole",
            ] {
                fields.push((key, json!(self.p(0.5))));
            }
            let body = self.object(fields, 0.5);
            self.json_body(&mut r, body);
        }
        r
    }

    pub(super) fn url_endpoints(&mut self) -> Req {
        let (mut r, body) =
            self.resource("url-endpoint", "/v1/accounts/url-endpoints", "PUT", true);
        if body {
            let origins = Value::Array(
                (0..self.n(0..3))
                    .map(|_| json!(self.learned_or_random(Pool::Id, 0.7)))
                    .collect(),
            );
            let prefix = json!(if self.p(0.7) {
                self.alnum_in(1..8)
            } else {
                self.junk()
            });
            let rewriter = json!({
                "type": self.pick(&["CLOUDINARY", "IMGIX", "AKAMAI", "NOPE"]),
                "preserveAssetDeliveryTypes": self.p(0.5),
            });
            let description = json!(self.text());
            let body = self.object(
                vec![
                    ("description", description),
                    ("urlPrefix", prefix),
                    ("origins", origins),
                    ("urlRewriter", rewriter),
                ],
                0.8,
            );
            self.json_body(&mut r, body);
        }
        r
    }

    pub(super) fn date(&mut self) -> String {
        if self.p(0.85) {
            let today = (now_secs() / 86_400) as i64;
            let (y, m, d) = civil(today - self.rng.i64(-3..120));
            format!("{y:04}-{m:02}-{d:02}")
        } else {
            self.pick(&[
                "2020-02-30",
                "2020-1-1",
                "yesterday",
                "",
                "9999-99-99",
                "-0001-01-01",
                "2024-01-01T00:00:00Z",
            ])
            .into()
        }
    }

    pub(super) fn usage(&mut self) -> Req {
        let path = if self.p(0.5) {
            "/v1/accounts/usage"
        } else {
            "/v1/accounts/usage-analytics"
        };
        let mut r = req("usage", "GET", path.into());
        if self.p(0.9) {
            let d = self.date();
            self.query(&mut r, "startDate", &d);
        }
        if self.p(0.9) {
            let d = self.date();
            self.query(&mut r, "endDate", &d);
        }
        r
    }

    pub(super) fn remote_meta(&mut self) -> Req {
        let mut r = req("remote-metadata", "GET", "/v1/metadata".into());
        if self.p(0.95) {
            let url = self.fetch_url();
            self.query(&mut r, "url", &url);
        }
        r
    }
}
