//! What an operator of `jot serve` gets besides the issuer: the log format
//! ([`LogFormat`], [`init_logging`]), the Prometheus metrics (`/metrics`, off by
//! default, [`Metrics`]) and the admin listener ([`admin_router`]: `/metrics`,
//! `/healthz`, `/readyz` on an address of their own).

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jot_issuer::Issuer;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;

use super::ServeError;

/// How often histogram samples are folded into their buckets between scrapes.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);
/// The buckets of every `_seconds` histogram: 0.5 ms to 10 s.
const SECONDS_BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// The content type of the Prometheus text format.
const PROMETHEUS_TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// How `jot serve` writes its logs to stderr.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum LogFormat {
    /// One human-readable line per event.
    #[default]
    Text,
    /// One JSON object per line (`timestamp`, `level`, `target`, `fields`), for
    /// log shippers.
    Json,
}

/// Logs to stderr in `format`; `RUST_LOG` picks the level (default `info`).
/// Colour only on a terminal, never in JSON.
pub(crate) fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // A second initialisation (in-process tests) keeps the first: nothing to report.
    let _ = match format {
        LogFormat::Text => builder
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .try_init(),
        LogFormat::Json => builder.json().with_ansi(false).try_init(),
    };
}

/// The process's Prometheus recorder: installed as the `metrics` recorder on
/// first use (once per process), then shared.
#[derive(Clone, Debug)]
pub(crate) struct Metrics {
    handle: PrometheusHandle,
}

impl Metrics {
    /// Installs the recorder (first call) and describes jot's metrics.
    pub(crate) fn install() -> Result<Metrics, ServeError> {
        static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
        if let Some(handle) = HANDLE.get() {
            return Ok(Metrics {
                handle: handle.clone(),
            });
        }
        let failed = |e: metrics_exporter_prometheus::BuildError| ServeError::Setting {
            setting: "metrics",
            reason: e.to_string(),
        };
        let handle = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &SECONDS_BUCKETS)
            .map_err(failed)?
            .install_recorder()
            .map_err(failed)?;
        jot_issuer::describe_metrics();
        jot_axum::describe_metrics();
        let handle = HANDLE.get_or_init(|| handle).clone();
        Ok(Metrics { handle })
    }

    /// Folds histogram samples into their buckets every few seconds, so that
    /// memory stays bounded between scrapes (spawn it; abort it to stop).
    pub(crate) async fn run_upkeep(self) {
        let mut ticks = tokio::time::interval(UPKEEP_EVERY);
        loop {
            ticks.tick().await;
            self.handle.run_upkeep();
        }
    }

    /// `GET /metrics`: the Prometheus text format.
    pub(crate) fn router(&self) -> Router {
        Router::new()
            .route("/metrics", get(scrape))
            .with_state(self.clone())
    }
}

async fn scrape(State(metrics): State<Metrics>) -> Response {
    (
        [
            (axum::http::header::CONTENT_TYPE, PROMETHEUS_TEXT),
            (axum::http::header::CACHE_CONTROL, "no-store"),
        ],
        metrics.handle.render(),
    )
        .into_response()
}

/// What the admin listener serves: `/metrics`, `/healthz` and `/readyz`.
pub(crate) fn admin_router(issuer: &Issuer, metrics: &Metrics) -> Router {
    issuer.health_router().merge(metrics.router())
}

/// The operator's side of one `jot serve`: the metrics recorder when metrics are
/// on, whether `/metrics` is served on the main address, and the admin listener.
#[derive(Debug, Default)]
pub(crate) struct Operate {
    metrics: Option<Metrics>,
    metrics_on_main: bool,
    admin: Option<TcpListener>,
}

impl Operate {
    /// Installs the recorder if `metrics` or `admin_addr` asks for metrics, and
    /// binds the admin address.
    pub(crate) async fn bind(
        metrics: bool,
        admin_addr: Option<SocketAddr>,
    ) -> Result<Operate, ServeError> {
        let recorder = if metrics || admin_addr.is_some() {
            Some(Metrics::install()?)
        } else {
            None
        };
        let admin = match admin_addr {
            Some(addr) => {
                Some(
                    TcpListener::bind(addr)
                        .await
                        .map_err(|source| ServeError::Listen {
                            addr: addr.to_string(),
                            source,
                        })?,
                )
            }
            None => None,
        };
        Ok(Operate {
            metrics: recorder,
            metrics_on_main: metrics,
            admin,
        })
    }

    /// The main router, with `/metrics` when `--metrics` asked for it there.
    pub(crate) fn main_router(&self, app: Router) -> Router {
        match &self.metrics {
            Some(metrics) if self.metrics_on_main => app.merge(metrics.router()),
            _ => app,
        }
    }

    /// Starts the background work: histogram upkeep, the admin listener. The
    /// tasks end when the returned guard is dropped.
    pub(crate) fn start(self, issuer: &Issuer) -> Running {
        let mut tasks = Vec::new();
        if let Some(metrics) = &self.metrics {
            tasks.push(tokio::spawn(metrics.clone().run_upkeep()));
        }
        if let (Some(listener), Some(metrics)) = (self.admin, &self.metrics) {
            let addr = listener
                .local_addr()
                .map(|a| a.to_string())
                .unwrap_or_default();
            tracing::info!(target: "jot::serve", %addr, "admin listener: /metrics, /healthz, /readyz");
            let app = admin_router(issuer, metrics);
            tasks.push(tokio::spawn(async move {
                if let Err(error) = axum::serve(listener, app).await {
                    tracing::error!(target: "jot::serve", %addr, %error, "admin listener failed");
                }
            }));
        }
        Running(tasks)
    }
}

/// The background tasks of [`Operate::start`], aborted when dropped.
#[derive(Debug)]
pub(crate) struct Running(Vec<tokio::task::JoinHandle<()>>);

impl Drop for Running {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}
