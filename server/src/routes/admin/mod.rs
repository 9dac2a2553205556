//! The admin API for test harnesses: fault rules, rate limits, webhook
//! endpoints and deliveries (`webhooks`), and a full reset at run time. Not behind ImageKit auth, but refused to non-loopback peers,
//! to foreign origins, and (when it changes something) to non-JSON requests.

pub mod page;
pub mod webhooks;

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::app::App;
use crate::faults::FaultRule;
use crate::rate_limit::RateLimitSettings;
use crate::routes::error::ApiError;
use crate::routes::extract::JsonBody;
use crate::routes::layers;

pub fn router(app: &Arc<App>) -> Router<Arc<App>> {
    Router::new()
        .route("/__admin/", get(page::page))
        .route("/__admin/library", get(page::library))
        .route("/__admin/files/{id}", get(page::file))
        .route(
            "/__admin/custom-metadata-fields",
            get(page::custom_metadata_fields),
        )
        .route("/__admin/requests", get(page::requests))
        .route("/__admin/health", get(health))
        .route("/__admin/check", get(check))
        .route(
            "/__admin/faults",
            get(list_faults).post(set_faults).delete(clear_faults),
        )
        .route(
            "/__admin/rate-limit",
            get(get_rate_limit)
                .post(set_rate_limit)
                .delete(clear_rate_limit),
        )
        .route(
            "/__admin/webhooks",
            get(webhooks::list)
                .post(webhooks::set)
                .delete(webhooks::clear),
        )
        .route(
            "/__admin/webhooks/deliveries",
            get(webhooks::deliveries).delete(webhooks::clear_deliveries),
        )
        .route("/__admin/reset", post(reset))
        .route_layer(from_fn_with_state(app.clone(), layers::admin_guard))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Health {
    status: &'static str,
    api_endpoint: String,
    url_endpoint: String,
    storage: &'static str,
}

async fn health(State(app): State<Arc<App>>) -> Json<Health> {
    Json(Health {
        status: "ok",
        api_endpoint: app.origin.clone(),
        url_endpoint: app.url_endpoint.clone(),
        storage: if app.config.data_dir.is_some() {
            "disk"
        } else {
            "memory"
        },
    })
}

#[derive(Serialize)]
struct Check {
    consistent: bool,
    problems: Vec<String>,
}

#[derive(Serialize)]
struct Rules {
    rules: Vec<FaultRule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RateLimit {
    rate_limit: Option<RateLimitSettings>,
}

/// The store's invariants: `{"consistent": bool, "problems": [..]}`.
async fn check(State(app): State<Arc<App>>) -> Json<Check> {
    let problems = app.store.check().await;
    Json(Check {
        consistent: problems.is_empty(),
        problems,
    })
}

async fn list_faults(State(app): State<Arc<App>>) -> Json<Rules> {
    Json(Rules {
        rules: app.faults.list(),
    })
}

/// Either `{"rules": [...]}` or a bare array of rules.
#[derive(Deserialize)]
#[serde(untagged)]
enum FaultsBody {
    Wrapped { rules: Vec<FaultRule> },
    Bare(Vec<FaultRule>),
}

async fn set_faults(
    State(app): State<Arc<App>>,
    JsonBody(body): JsonBody<FaultsBody>,
) -> Result<Json<Rules>, ApiError> {
    let rules = match body {
        FaultsBody::Wrapped { rules } | FaultsBody::Bare(rules) => rules,
    };
    let rules = rules
        .into_iter()
        .map(FaultRule::validated)
        .collect::<Result<Vec<_>, _>>()
        .map_err(ApiError::BadRequest)?;
    app.faults.replace(rules);
    Ok(Json(Rules {
        rules: app.faults.list(),
    }))
}

async fn clear_faults(State(app): State<Arc<App>>) -> StatusCode {
    app.faults.replace(Vec::new());
    StatusCode::NO_CONTENT
}

async fn get_rate_limit(State(app): State<Arc<App>>) -> Json<RateLimit> {
    Json(RateLimit {
        rate_limit: app.rate_limit.settings(),
    })
}

/// `{"limit": n, "intervalMs": ms}` turns limiting on; `null` turns it off.
async fn set_rate_limit(
    State(app): State<Arc<App>>,
    JsonBody(body): JsonBody<Option<RateLimitSettings>>,
) -> Result<Json<RateLimit>, ApiError> {
    let settings = body
        .map(RateLimitSettings::validated)
        .transpose()
        .map_err(ApiError::BadRequest)?;
    app.rate_limit.set(settings);
    Ok(Json(RateLimit {
        rate_limit: app.rate_limit.settings(),
    }))
}

async fn clear_rate_limit(State(app): State<Arc<App>>) -> StatusCode {
    app.rate_limit.set(None);
    StatusCode::NO_CONTENT
}

/// Empties the media library, turns faults and rate limits off and forgets
/// the webhook deliveries (pending ones stop); the webhook endpoints stay.
async fn reset(State(app): State<Arc<App>>) -> Result<StatusCode, ApiError> {
    app.faults.replace(Vec::new());
    app.rate_limit.set(None);
    app.requests.clear();
    app.webhooks.clear_deliveries();
    app.store.reset().await?;
    Ok(StatusCode::NO_CONTENT)
}
