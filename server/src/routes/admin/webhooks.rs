//! The admin API of webhooks: the endpoints (as `/__admin/faults` keeps
//! its rules: `GET` lists, `POST` replaces, `DELETE` removes all) and the
//! record of deliveries.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::app::App;
use crate::routes::error::ApiError;
use crate::routes::extract::JsonBody;
use crate::webhooks::deliveries::DeliveryView;
use crate::webhooks::{Endpoint, EndpointSpec, Schedule};

/// The endpoints and how deliveries are retried (never the secret).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Hooks {
    endpoints: Vec<Endpoint>,
    #[serde(flatten)]
    schedule: Schedule,
}

fn hooks(app: &App) -> Json<Hooks> {
    Json(Hooks {
        endpoints: app.webhooks.endpoints(),
        schedule: app.webhooks.schedule(),
    })
}

/// `GET /__admin/webhooks`
pub async fn list(State(app): State<Arc<App>>) -> Json<Hooks> {
    hooks(&app)
}

/// Either `{"endpoints": [...]}` or a bare array; each endpoint
/// `{"url": ..., "events": [...]}` or a string as `--webhook` takes it.
#[derive(Deserialize)]
#[serde(untagged)]
pub enum EndpointsBody {
    Wrapped { endpoints: Vec<EndpointSpec> },
    Bare(Vec<EndpointSpec>),
}

/// `POST /__admin/webhooks`: replaces the endpoints.
pub async fn set(
    State(app): State<Arc<App>>,
    JsonBody(body): JsonBody<EndpointsBody>,
) -> Result<Json<Hooks>, ApiError> {
    let specs = match body {
        EndpointsBody::Wrapped { endpoints } | EndpointsBody::Bare(endpoints) => endpoints,
    };
    let endpoints = specs
        .into_iter()
        .map(EndpointSpec::validated)
        .collect::<Result<Vec<_>, _>>()
        .map_err(ApiError::BadRequest)?;
    app.webhooks.set_endpoints(endpoints);
    Ok(hooks(&app))
}

/// `DELETE /__admin/webhooks`: removes every endpoint.
pub async fn clear(State(app): State<Arc<App>>) -> StatusCode {
    app.webhooks.set_endpoints(Vec::new());
    StatusCode::NO_CONTENT
}

#[derive(Serialize)]
pub struct Deliveries {
    deliveries: Vec<DeliveryView>,
}

/// `GET /__admin/webhooks/deliveries`: the recent deliveries, newest first.
pub async fn deliveries(State(app): State<Arc<App>>) -> Json<Deliveries> {
    Json(Deliveries {
        deliveries: app.webhooks.deliveries(),
    })
}

/// `DELETE /__admin/webhooks/deliveries`: forgets them (pending ones stop).
pub async fn clear_deliveries(State(app): State<Arc<App>>) -> StatusCode {
    app.webhooks.clear_deliveries();
    StatusCode::NO_CONTENT
}
