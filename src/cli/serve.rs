//! `kglink serve`: the SPARQL endpoint, annotation API and web page over HTTP.

use super::{AnnotateArgs, StoreArgs};
use anyhow::Context;
use clap::Args;
use kglink::server::{self, ServerConfig};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:7878")]
    bind: SocketAddr,
    /// File holding the bearer token that allows writes (SPARQL update, Graph
    /// Store PUT/POST/DELETE, /ingest). Without it the server is read-only.
    #[arg(long, env = "KGLINK_TOKEN_FILE")]
    token_file: Option<PathBuf>,
    /// Largest body of a query, update or annotation request, in bytes (413 beyond).
    #[arg(long, default_value_t = 1 << 20)]
    max_body: usize,
    /// Largest body of a Graph Store write or /ingest, in bytes (413 beyond).
    #[arg(long, default_value_t = 64 << 20)]
    max_upload: usize,
    /// Query timeout in seconds: the evaluation is cancelled and the request fails with 503.
    #[arg(long, default_value_t = 30.0)]
    query_timeout: f64,
    /// Most solutions or triples in one answer; a cut answer has `X-Kglink-Truncated: true`.
    #[arg(long, default_value_t = 100_000)]
    max_rows: usize,
    /// Requests worked on at once; more are answered 503 with Retry-After.
    #[arg(long, default_value_t = 128)]
    max_concurrent: usize,
    /// Allow cross-origin requests from this origin (`*` for any). Repeatable. Off by default.
    #[arg(long = "cors-origin", value_name = "ORIGIN")]
    cors_origins: Vec<String>,
    /// Let SPARQL SERVICE and LOAD reach this host (`host` or `host:port`, http only).
    /// Repeatable. By default no outbound request is made.
    #[arg(long = "allow-remote", value_name = "HOST[:PORT]")]
    allow_remote: Vec<String>,
    /// Megabytes of query answers kept for repeated queries until the next
    /// write (answers carry `X-Kglink-Cache: hit|miss|bypass|off`; a request
    /// with `Cache-Control: no-cache` is evaluated afresh). 0 turns it off.
    #[arg(long, default_value_t = 64)]
    cache_mb: usize,
    /// Deepest nesting of brackets ({ }, ( ), [ ]) in a query or update (400 beyond).
    #[arg(long, default_value_t = 64)]
    max_query_depth: usize,
    /// Most chained operators in a query or update (UNION, OPTIONAL, MINUS,
    /// FILTER, BIND, VALUES, GRAPH, SERVICE, groups, '/', '|', '||', '&&',
    /// '+', '-', '*'; 400 beyond).
    #[arg(long, default_value_t = 10_000)]
    max_query_chain: usize,
    /// Queries larger than this (chained operators plus triple patterns) are
    /// evaluated as written, without Oxigraph's optimizer, whose time grows
    /// with the cube of the size and cannot be cancelled.
    #[arg(long, default_value_t = 64)]
    max_optimized: usize,
    /// Most triples one Graph Store write or SPARQL LOAD may add (413 beyond;
    /// nothing is written).
    #[arg(long, default_value_t = 1_000_000)]
    max_quads: u64,
    /// Megabytes of request bodies held in memory at once, all requests
    /// together (503 with Retry-After beyond).
    #[arg(long, default_value_t = 256)]
    max_buffered_mb: usize,
    /// Seconds a request body has to arrive in (408 beyond).
    #[arg(long, default_value_t = 60.0)]
    body_timeout: f64,
    /// Seconds a client has to send its request head (the connection is closed beyond).
    #[arg(long, default_value_t = 10.0)]
    header_timeout: f64,
    /// Connections served at once; more are closed as soon as they are accepted.
    #[arg(long, default_value_t = 512)]
    max_connections: usize,
    /// Megabytes of heap the server's requests may use together: beyond it
    /// the request that allocates is cancelled (503), and one that cannot be
    /// cancelled is stopped for good (see docs/server.md).
    #[arg(long, default_value_t = 2048)]
    max_memory_mb: usize,
    /// Seconds requests in flight get to finish after SIGTERM or SIGINT; what
    /// still runs then is cut (named on stderr, exit code 1).
    #[arg(long, default_value_t = 10.0)]
    shutdown_grace: f64,
    #[command(flatten)]
    store: StoreArgs,
    #[command(flatten)]
    annotate: AnnotateArgs,
}

pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let token = match &args.token_file {
        None => None,
        Some(p) => {
            let t = std::fs::read_to_string(p)
                .map_err(|e| kglink::error::Error::io(p.display().to_string(), e))?;
            let t = t.trim().to_string();
            if t.is_empty() || t.contains(char::is_whitespace) {
                anyhow::bail!(
                    "{}: the token file must hold one token without spaces",
                    p.display()
                );
            }
            Some(t)
        }
    };
    let seconds = |name: &str, v: f64| -> anyhow::Result<Duration> {
        if v > 0.0 && v.is_finite() && v < 1e9 {
            Ok(Duration::from_secs_f64(v))
        } else {
            anyhow::bail!("--{name} must be a positive number of seconds")
        }
    };
    let query_timeout = seconds("query-timeout", args.query_timeout)?;
    let body_timeout = seconds("body-timeout", args.body_timeout)?;
    let header_timeout = seconds("header-timeout", args.header_timeout)?;
    let shutdown_grace = seconds("shutdown-grace", args.shutdown_grace)?;
    let kb = args.annotate.kb.load()?;
    let store = args.store.open()?;
    if store.is_empty()? {
        store.put_kb(kb)?;
    }
    let config = ServerConfig {
        token,
        max_body: args.max_body,
        max_upload: args.max_upload,
        query_timeout,
        max_rows: args.max_rows,
        max_concurrent: args.max_concurrent,
        cors_origins: args.cors_origins,
        allow_remote: args.allow_remote,
        annotate: args.annotate.options(),
        cache_bytes: args.cache_mb.saturating_mul(1 << 20),
        nesting: kglink::guard::NestingLimits {
            max_depth: args.max_query_depth,
            max_chain: args.max_query_chain,
            max_optimized: args.max_optimized,
        },
        max_quads: args.max_quads,
        max_buffered: args.max_buffered_mb.saturating_mul(1 << 20),
        body_timeout,
        header_timeout,
        max_connections: args.max_connections,
        shutdown_grace,
    };
    let grace = config.shutdown_grace;
    kglink::guard::memory::install(Some(args.max_memory_mb.saturating_mul(1 << 20)));
    let rt = server::runtime().context("starting the runtime")?;
    let stopped = rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.bind)
            .await
            .with_context(|| format!("cannot listen on {}", args.bind))?;
        eprintln!(
            "kglink serve: http://{} ({}; SPARQL at /sparql, page at /)",
            listener.local_addr()?,
            if config.token.is_some() {
                "writes need the token"
            } else {
                "read-only"
            }
        );
        let state = server::AppState::new(Arc::new(store), kb, config);
        server::serve(listener, state, async move {
            server::shutdown_signal().await;
            eprintln!(
                "kglink serve: shutting down; requests in flight have {} s to finish",
                grace.as_secs_f64()
            );
        })
        .await
        .context("serving")
    })?;
    // blocking work cut by the grace period must not keep the process alive
    rt.shutdown_background();
    if stopped.cut.is_empty() {
        eprintln!("kglink serve: stopped");
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "kglink serve: stopped after the {} s grace period; cut {} request(s) still running: {}",
            grace.as_secs_f64(),
            stopped.cut.len(),
            stopped.cut.join(", ")
        );
        Ok(ExitCode::from(1))
    }
}
