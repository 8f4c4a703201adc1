//! `kglink serve`: the HTTP endpoint.
//!
//! | path | what |
//! |---|---|
//! | `/sparql` | SPARQL 1.1 Protocol: query (GET, form POST, direct POST), update (POST, token), service description (GET without query) |
//! | `/store` | SPARQL 1.1 Graph Store Protocol (`?graph=IRI`, `?default`, or `/store/path` directly); writes need the token |
//! | `/annotate` | `POST` text or `{"text","date"?}` → `{"entities": [...]}` |
//! | `/nif` | `POST` NIF 2.0 Turtle (GERBIL's annotator contract, A2KB and D2KB) → NIF Turtle |
//! | `/ingest` | `POST` an article as JSON (token) → its graph IRI |
//! | `/query/NAME` | a saved query by name, `?param=value` bound (as `kglink query --param`) |
//! | `/`, `/entity/Q…` | the web page |
//! | `/health`, `/metrics` | liveness (`ok`) and Prometheus text metrics |
//!
//! Store and annotation work runs on Tokio's blocking pool under a
//! concurrency cap (503 + `Retry-After` when full); queries have a deadline
//! that cancels their evaluation; bodies are size-limited (413); results are
//! capped at a row count (`X-Kglink-Truncated: true` when cut); SERVICE and LOAD
//! reach only allow-listed hosts; CORS is off unless origins are given.

mod annotate;
mod auth;
mod cache;
mod conneg;
mod description;
mod gsp;
mod limits;
mod metrics;
mod multipart;
mod nif;
mod outbound;
mod page;

mod response;
mod results;
mod sparql;

pub use metrics::Metrics;
pub use outbound::AllowList;
pub use results::{ROW_LIMIT_HEADER, TRUNCATED_HEADER};

use crate::kb::Kb;
use crate::store::Store;
use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, Method};
use axum::routing::{get, post};
use axum::Router;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// Settings of the server.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Bearer token that allows writes; `None`: read-only.
    pub token: Option<String>,
    /// Largest body of a query, update or annotation request (bytes) → 413.
    pub max_body: usize,
    /// Largest body of a Graph Store write or an ingested article (bytes) → 413.
    pub max_upload: usize,
    /// Query deadline; the evaluation is cancelled when it passes.
    pub query_timeout: Duration,
    /// Most solutions (or triples) in one answer.
    pub max_rows: usize,
    /// Requests worked on at once; more get 503 with `Retry-After`.
    pub max_concurrent: usize,
    /// Origins allowed by CORS (`*` for any); empty: no CORS headers.
    pub cors_origins: Vec<String>,
    /// Hosts (`host` or `host:port`) SERVICE and LOAD may reach.
    pub allow_remote: Vec<String>,
    /// Annotation drops links below this confidence.
    pub min_confidence: f32,
    /// Bytes of query answers kept for repeated queries until the next write
    /// (see the `cache` module); 0 turns the cache off.
    pub cache_bytes: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            token: None,
            max_body: 1 << 20,
            max_upload: 64 << 20,
            query_timeout: Duration::from_secs(30),
            max_rows: 100_000,
            max_concurrent: 128,
            cors_origins: Vec::new(),
            allow_remote: Vec::new(),
            min_confidence: 0.0,
            cache_bytes: 64 << 20,
        }
    }
}

impl ServerConfig {
    /// The outbound allow-list.
    pub fn allow_list(&self) -> AllowList {
        AllowList {
            hosts: self.allow_remote.clone(),
            timeout: self.query_timeout,
            max_bytes: self.max_upload as u64,
        }
    }
}

/// What every handler sees.
#[derive(Clone)]
pub struct AppState {
    store: Arc<Store>,
    kb: &'static Kb,
    config: Arc<ServerConfig>,
    permits: Arc<Semaphore>,
    metrics: Arc<Metrics>,
    cache: Arc<cache::ResultCache>,
}

impl AppState {
    /// State over `store` and `kb`.
    pub fn new(store: Arc<Store>, kb: &'static Kb, config: ServerConfig) -> Self {
        AppState {
            store,
            kb,
            permits: Arc::new(Semaphore::new(config.max_concurrent.max(1))),
            cache: Arc::new(cache::ResultCache::new(config.cache_bytes)),
            config: Arc::new(config),
            metrics: Arc::new(Metrics::default()),
        }
    }
}

/// The application's routes.
pub fn router(state: AppState) -> Router {
    let small = DefaultBodyLimit::max(state.config.max_body);
    let large = DefaultBodyLimit::max(state.config.max_upload);
    let gsp = get(gsp::read)
        .put(gsp::write)
        .post(gsp::write)
        .delete(gsp::write)
        .layer(large);
    let mut app = Router::new()
        .route("/sparql", get(sparql::get).post(sparql::post).layer(small))
        .route("/store", gsp.clone())
        .route("/store/{*path}", gsp)
        .route("/annotate", post(annotate::annotate).layer(small))
        .route("/nif", post(nif::nif).layer(small))
        .route("/ingest", post(annotate::ingest).layer(large))
        .route("/health", get(|| async { "ok\n" }))
        .route("/metrics", get(metrics_text))
        .route("/query/{name}", get(sparql::saved))
        .merge(page::routes())
        .layer(axum::middleware::from_fn_with_state(
            state.metrics.clone(),
            metrics::track,
        ));
    if !state.config.cors_origins.is_empty() {
        let origins = if state.config.cors_origins.iter().any(|o| o == "*") {
            AllowOrigin::any()
        } else {
            AllowOrigin::list(
                state
                    .config
                    .cors_origins
                    .iter()
                    .filter_map(|o| HeaderValue::from_str(o).ok()),
            )
        };
        app = app.layer(
            CorsLayer::new()
                .allow_origin(origins)
                .allow_methods([
                    Method::GET,
                    Method::HEAD,
                    Method::POST,
                    Method::PUT,
                    Method::DELETE,
                ])
                .allow_headers([header::CONTENT_TYPE, header::ACCEPT, header::AUTHORIZATION])
                .expose_headers([
                    header::HeaderName::from_static(TRUNCATED_HEADER),
                    header::HeaderName::from_static(ROW_LIMIT_HEADER),
                    header::LOCATION,
                ]),
        );
    }
    app.with_state(state)
}

async fn metrics_text(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> impl axum::response::IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        {
            let (hits, misses) = state.cache.counts();
            format!(
                "{}# HELP kglink_cache_hits_total Query answers served from the cache.\n# TYPE kglink_cache_hits_total counter\nkglink_cache_hits_total {hits}\n# HELP kglink_cache_misses_total Cacheable queries evaluated because no current answer was cached.\n# TYPE kglink_cache_misses_total counter\nkglink_cache_misses_total {misses}\n",
                state.metrics.render()
            )
        },
    )
}

/// Serves on `listener` until `shutdown` resolves, then stops accepting and
/// lets the requests in flight finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// A server running on its own thread (for tests, benchmarks and embedding):
/// stops, draining requests in flight, when dropped or [`Running::stop`]ped.
pub struct Running {
    /// Where it listens.
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<std::io::Result<()>>>,
}

impl Running {
    /// Starts a server on `bind` (port 0: any free port).
    pub fn start(
        bind: SocketAddr,
        store: Arc<Store>,
        kb: &'static Kb,
        config: ServerConfig,
    ) -> std::io::Result<Running> {
        let std_listener = std::net::TcpListener::bind(bind)?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let state = AppState::new(store, kb, config);
        let thread = std::thread::Builder::new()
            .name("kglink-serve".into())
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .enable_all()
                    .build()?;
                rt.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(std_listener)?;
                    serve(listener, state, async {
                        let _ = rx.await;
                    })
                    .await
                })
            })?;
        Ok(Running {
            addr,
            stop: Some(tx),
            thread: Some(thread),
        })
    }

    /// The base URL, `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops and waits for the requests in flight.
    pub fn stop(mut self) -> std::io::Result<()> {
        self.shutdown()
    }

    fn shutdown(&mut self) -> std::io::Result<()> {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        match self.thread.take() {
            Some(t) => t
                .join()
                .unwrap_or_else(|_| Err(std::io::Error::other("server thread panicked"))),
            None => Ok(()),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.shutdown();
    }
}
