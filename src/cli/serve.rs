//! `kglink serve`: the SPARQL endpoint, annotation API and web page over HTTP.

use super::{KbArgs, StoreArgs};
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
    /// Annotation drops links below this confidence (0–1).
    #[arg(long, default_value_t = 0.0)]
    min_confidence: f32,
    /// Megabytes of query answers kept for repeated queries until the next
    /// write (answers carry `X-Kglink-Cache: hit|miss|bypass|off`; a request
    /// with `Cache-Control: no-cache` is evaluated afresh). 0 turns it off.
    #[arg(long, default_value_t = 64)]
    cache_mb: usize,
    #[command(flatten)]
    store: StoreArgs,
    #[command(flatten)]
    kb: KbArgs,
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
    if !(args.query_timeout > 0.0 && args.query_timeout.is_finite()) {
        anyhow::bail!("--query-timeout must be a positive number of seconds");
    }
    let kb = args.kb.load()?;
    let store = args.store.open()?;
    if store.is_empty()? {
        store.put_kb(kb)?;
    }
    let config = ServerConfig {
        token,
        max_body: args.max_body,
        max_upload: args.max_upload,
        query_timeout: Duration::from_secs_f64(args.query_timeout),
        max_rows: args.max_rows,
        max_concurrent: args.max_concurrent,
        cors_origins: args.cors_origins,
        allow_remote: args.allow_remote,
        min_confidence: args.min_confidence,
        cache_bytes: args.cache_mb.saturating_mul(1 << 20),
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    rt.block_on(async move {
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
        server::serve(listener, state, async {
            server::shutdown_signal().await;
            eprintln!("kglink serve: shutting down, finishing requests in flight");
        })
        .await
        .context("serving")
    })?;
    eprintln!("kglink serve: stopped");
    Ok(ExitCode::SUCCESS)
}
