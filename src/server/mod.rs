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
//! No request can crash the server, take its memory or keep it from
//! stopping: connections are capped and must send their request head in
//! time (`listen`); bodies are read within a deadline, a size cap and a
//! server-wide memory budget, and decoded within the same cap (`body`);
//! queries and updates are refused beyond a nesting depth and run on
//! threads whose stack fits any query within it; RDF is read within caps on
//! triples, bytes and RDF/XML entity expansion (`crate::guard`); all work
//! runs on the blocking pool under a concurrency cap (503 + `Retry-After`
//! when full) and a deadline that cancels it, and a write that misses its
//! deadline commits nothing (`limits`); results are capped at a row count
//! (`X-Kglink-Truncated: true` when cut); SERVICE and LOAD reach only
//! allow-listed hosts; CORS is off unless origins are given; on SIGTERM or
//! SIGINT requests in flight get a grace period, then the server exits and
//! names the requests it cut (`listen`, `inflight`).

mod annotate;
mod auth;
mod body;
mod cache;
mod conneg;
mod description;
mod gsp;
mod inflight;
mod limits;
mod listen;
mod metrics;
mod multipart;
mod nif;
mod outbound;
mod page;

mod response;
mod results;
mod sparql;

pub use listen::Stopped;
pub use metrics::Metrics;
pub use outbound::AllowList;
pub use results::{ROW_LIMIT_HEADER, TRUNCATED_HEADER};

use crate::annotate::{AnnotateOptions, Annotator};
use crate::guard::nesting::Nesting;
use crate::guard::rdf::DEFAULT_ENTITY_EXPANSION;
use crate::guard::{NestingLimits, RdfLimits};
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
    /// How `/annotate`, `/ingest` and `/nif` annotate (minimum confidence,
    /// the date of texts that give none).
    pub annotate: AnnotateOptions,
    /// Bytes of query answers kept for repeated queries until the next write
    /// (see the `cache` module); 0 turns the cache off.
    pub cache_bytes: usize,
    /// Deepest bracket nesting of a query or update and the longest chain
    /// of operators (400 beyond), and the size beyond which a query is
    /// evaluated without Oxigraph's optimizer (see [`crate::guard::nesting`]).
    pub nesting: NestingLimits,
    /// Most triples one Graph Store write or LOAD may add (413 beyond).
    pub max_quads: u64,
    /// Bytes of request bodies held in memory at once, all requests
    /// together (503 beyond).
    pub max_buffered: usize,
    /// Time a request body has to arrive in (408 beyond).
    pub body_timeout: Duration,
    /// Time a client has to send a request head (the connection is closed
    /// beyond).
    pub header_timeout: Duration,
    /// Connections served at once (more are closed when accepted).
    pub max_connections: usize,
    /// Time requests in flight get to finish after SIGTERM or SIGINT.
    pub shutdown_grace: Duration,
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
            annotate: AnnotateOptions::default(),
            cache_bytes: 64 << 20,
            nesting: NestingLimits::default(),
            max_quads: 1_000_000,
            max_buffered: 256 << 20,
            body_timeout: Duration::from_secs(60),
            header_timeout: Duration::from_secs(10),
            max_connections: 512,
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

impl ServerConfig {
    /// The caps on RDF read from a request or fetched by LOAD.
    pub fn rdf_limits(&self) -> RdfLimits {
        RdfLimits {
            max_quads: self.max_quads,
            max_bytes: self.max_upload as u64,
            max_entity_expansion: DEFAULT_ENTITY_EXPANSION.min(self.max_upload as u64),
        }
    }

    fn listen(&self) -> listen::ListenConfig {
        listen::ListenConfig {
            max_connections: self.max_connections,
            header_timeout: self.header_timeout,
            shutdown_grace: self.shutdown_grace,
        }
    }

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
    annotator: Arc<Annotator<'static>>,
    config: Arc<ServerConfig>,
    permits: Arc<Semaphore>,
    metrics: Arc<Metrics>,
    cache: Arc<cache::ResultCache>,
    in_flight: Arc<inflight::InFlight>,
    bodies: Arc<Semaphore>,
}

impl AppState {
    /// State over `store` and `kb`.
    pub fn new(store: Arc<Store>, kb: &'static Kb, config: ServerConfig) -> Self {
        AppState {
            store,
            annotator: Arc::new(Annotator::new(kb).with_options(config.annotate.clone())),
            permits: Arc::new(Semaphore::new(config.max_concurrent.max(1))),
            cache: Arc::new(cache::ResultCache::new(config.cache_bytes)),
            bodies: Arc::new(Semaphore::new(
                config
                    .max_buffered
                    .div_ceil(1024)
                    .clamp(1, Semaphore::MAX_PERMITS),
            )),
            config: Arc::new(config),
            metrics: Arc::new(Metrics::default()),
            in_flight: Arc::default(),
        }
    }

    /// Refuses a query or update that nests deeper than the limits (400);
    /// says whether it may be optimized.
    fn check_nesting(&self, text: &str) -> Result<Nesting, response::ApiError> {
        crate::guard::nesting::check(text, self.config.nesting)
            .map_err(|e| response::ApiError::bad_request(e.to_string()))
    }

    fn body_rules(&self, max_bytes: usize) -> body::BodyRules {
        body::BodyRules {
            max_bytes,
            timeout: self.config.body_timeout,
            budget: self.bodies.clone(),
        }
    }
}

/// The application's routes.
pub fn router(state: AppState) -> Router {
    let small = (
        DefaultBodyLimit::max(state.config.max_body),
        axum::middleware::from_fn_with_state(state.body_rules(state.config.max_body), body::read),
    );
    let large = (
        DefaultBodyLimit::max(state.config.max_upload),
        axum::middleware::from_fn_with_state(state.body_rules(state.config.max_upload), body::read),
    );
    let gsp = get(gsp::read)
        .put(gsp::write)
        .post(gsp::write)
        .delete(gsp::write)
        .layer(large.clone());
    let mut app = Router::new()
        .route(
            "/sparql",
            get(sparql::get).post(sparql::post).layer(small.clone()),
        )
        .route("/store", gsp.clone())
        .route("/store/{*path}", gsp)
        .route("/annotate", post(annotate::annotate).layer(small.clone()))
        .route("/nif", post(nif::nif).layer(small))
        .route("/ingest", post(annotate::ingest).layer(large))
        .route("/health", get(health))
        .route("/metrics", get(metrics_text))
        .route("/query/{name}", get(sparql::saved))
        .merge(page::routes())
        .layer(axum::middleware::from_fn_with_state(
            state.metrics.clone(),
            metrics::track,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.in_flight.clone(),
            inflight::track,
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

/// `ok`, or 503 when the server is degraded (see [`crate::guard::memory`]).
async fn health() -> axum::response::Response {
    use axum::response::IntoResponse;
    if crate::guard::memory::degraded() {
        limits::degraded_error().into_response()
    } else {
        "ok\n".into_response()
    }
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
/// gives the requests in flight the configured grace period; what still runs
/// then is cut and listed in the answer.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<Stopped> {
    let config = state.config.listen();
    let in_flight = state.in_flight.clone();
    listen::serve(listener, router(state), config, in_flight, shutdown).await
}

/// The runtime the server runs on: its blocking threads, where queries are
/// parsed and evaluated, get the query stack
/// ([`crate::guard::stack::QUERY_STACK`]).
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(crate::guard::stack::QUERY_STACK)
        .build()
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
    thread: Option<std::thread::JoinHandle<std::io::Result<Stopped>>>,
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
                let rt = runtime()?;
                let stopped = rt.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(std_listener)?;
                    serve(listener, state, async {
                        let _ = rx.await;
                    })
                    .await
                });
                // blocking work that outlived the grace period is left behind
                rt.shutdown_background();
                stopped
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

    /// Stops: waits for the requests in flight up to the grace period, and
    /// says which were cut.
    pub fn stop(mut self) -> std::io::Result<Stopped> {
        self.shutdown()
    }

    fn shutdown(&mut self) -> std::io::Result<Stopped> {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        match self.thread.take() {
            Some(t) => t
                .join()
                .unwrap_or_else(|_| Err(std::io::Error::other("server thread panicked"))),
            None => Ok(Stopped::default()),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.shutdown();
    }
}
