//! `GET /healthz` and `GET /readyz`, for load balancers and orchestrators: cheap,
//! unauthenticated, never cached.
//!
//! - `/healthz`: the process is alive and serving — `200 ok`, always.
//! - `/readyz`: the issuer can do its work — the store answers a ping
//!   ([`IssuerStore::ping`](crate::store::IssuerStore::ping), within
//!   [`READY_TIMEOUT`]) and a signing key is loaded: `200 ready`; otherwise
//!   `503 not ready` (the reason goes to the log, not to the prober).

use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http::{HeaderValue, StatusCode, header};

use crate::store::StoreError;
use crate::{Issuer, IssuerError};

/// The longest `/readyz` waits for the store's answer before it says `503`.
pub const READY_TIMEOUT: Duration = Duration::from_secs(2);

impl Issuer {
    /// Whether the issuer can serve now: its store answers a ping within
    /// [`READY_TIMEOUT`] and it holds a signing key. What `GET /readyz` answers.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// let issuer = jot_issuer::Issuer::builder("https://auth.example.com").build().await?;
    /// issuer.ready().await?;
    /// # Ok::<(), jot_issuer::IssuerError>(()) }).unwrap();
    /// ```
    pub async fn ready(&self) -> Result<(), IssuerError> {
        match tokio::time::timeout(READY_TIMEOUT, self.inner.store.ping()).await {
            Ok(result) => result?,
            Err(_) => {
                return Err(StoreError::Unavailable {
                    source: format!("no answer to a ping within {READY_TIMEOUT:?}").into(),
                }
                .into());
            }
        }
        if self.ring().published.is_empty() {
            return Err(IssuerError::NoSigningKey);
        }
        Ok(())
    }

    /// A router with only `GET /healthz` and `GET /readyz` (both are in
    /// [`Issuer::router`] already): for a separate admin listener.
    pub fn health_router(&self) -> Router {
        Router::new()
            .route("/healthz", get(healthz))
            .route("/readyz", get(readyz))
            .with_state(self.clone())
    }
}

async fn healthz() -> Response {
    plain(StatusCode::OK, "ok\n")
}

async fn readyz(State(issuer): State<Issuer>) -> Response {
    match issuer.ready().await {
        Ok(()) => plain(StatusCode::OK, "ready\n"),
        Err(error) => {
            tracing::warn!(target: "jot_issuer", %error, "not ready");
            plain(StatusCode::SERVICE_UNAVAILABLE, "not ready\n")
        }
    }
}

fn plain(status: StatusCode, body: &'static str) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
