//! `kglink ingest`: batch ingestion (see [`kglink::ingest`]): read articles from
//! files, folders, globs or standard input, annotate them and find their relations
//! on all cores, and write each as its own named graph to the store (replaced whole
//! when its text changed, skipped when unchanged), to N-Quads files, or to a
//! remote SPARQL 1.1 store (`--store http://…`, see [`kglink::ingest::remote`]).

use super::{progress, AnnotateArgs, StoreArgs};
use clap::Args;
use kglink::ingest::fetch::FetchArgs;
use kglink::ingest::input::InputFormat;
use kglink::ingest::remote::{Auth, Protocol, RemoteOptions, RemoteSink};
use kglink::ingest::{self, local::LocalSink, nquads::NQuadsSink, Shard, Sink};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Text files, JSONL files (a record a line: {"id", "title", "text", "date",
    /// "url", "source"}), HTML pages, URL lists (`.urls`: a URL a line, each
    /// fetched), folders of them (read recursively), glob patterns (quoted:
    /// 'news/*.jsonl'); `-` for standard input.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// How to read files: `auto` (by extension, else by content), `text`,
    /// `jsonl`, `html` or `urls` (a list of URLs to fetch).
    #[arg(long, visible_alias = "format", value_enum, default_value = "auto")]
    input_format: InputFormat,
    /// Articles annotated together and written in one transaction.
    #[arg(long, default_value_t = 256)]
    batch: usize,
    /// Take only part I of N of the input (0 <= I < N), split by a hash of the
    /// article ID: N jobs with 0/N … N-1/N together take everything once.
    #[arg(long, value_name = "I/N")]
    shard: Option<Shard>,
    /// Write a JSON Lines report of the failures here: {"location", "file",
    /// "line", "id", "stage", "reason"} a line.
    #[arg(long, value_name = "FILE")]
    failures: Option<PathBuf>,
    /// Write N-Quads files into DIR (one per batch) instead of a store:
    /// `--emit nquads DIR`.
    #[arg(long, num_args = 2, value_names = ["FORMAT", "DIR"])]
    emit: Option<Vec<String>>,
    #[command(flatten)]
    fetch: Box<FetchArgs>,
    #[command(flatten)]
    remote: RemoteArgs,
    #[command(flatten)]
    store: StoreArgs,
    #[command(flatten)]
    annotate: AnnotateArgs,
}

/// Options of `--store http://…` (a remote SPARQL 1.1 store).
#[derive(Debug, Args)]
struct RemoteArgs {
    /// With `--store http://…`: write each article graph by the Graph Store
    /// Protocol (`gsp`: PUT ?graph=IRI) or by SPARQL Update (`update`: DROP
    /// SILENT GRAPH + INSERT DATA in one request).
    #[arg(long, value_enum, default_value = "gsp")]
    remote_protocol: Protocol,
    /// The Graph Store Protocol endpoint (default: the `--store` URL).
    #[arg(long, value_name = "URL")]
    gsp_endpoint: Option<String>,
    /// The query parameter naming the graph in a GSP PUT: `graph` (the
    /// standard) or, for Virtuoso, `graph-uri`.
    #[arg(long, default_value = "graph", value_name = "NAME")]
    gsp_graph_param: String,
    /// The SPARQL Update endpoint (default: the `--store` URL).
    #[arg(long, value_name = "URL")]
    update_endpoint: Option<String>,
    /// A SPARQL query endpoint of the same store: stored content hashes are
    /// asked there, so unchanged articles are skipped (not re-sent) and new
    /// ones told from replaced ones.
    #[arg(long, value_name = "URL")]
    remote_query: Option<String>,
    /// Send `Authorization: Bearer` with the token in this file (first line);
    /// or set KGLINK_REMOTE_TOKEN.
    #[arg(long, value_name = "FILE")]
    remote_token_file: Option<PathBuf>,
    /// Basic authentication as this user; the password is read from
    /// KGLINK_REMOTE_PASSWORD.
    #[arg(long, value_name = "USER")]
    remote_user: Option<String>,
    /// Retries of a request after a connection error, a timeout, HTTP 408, 429
    /// or 5xx (with exponential backoff from 0.5 s).
    #[arg(long, default_value_t = 5)]
    remote_retries: u32,
    /// Timeout of one request, in seconds.
    #[arg(long, default_value_t = 60.0)]
    remote_timeout: f64,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 4)]
    remote_concurrency: usize,
    /// A PEM file of root certificates to trust besides the Mozilla roots, for
    /// an `https://` store behind a private CA (repeatable).
    #[arg(long, value_name = "FILE")]
    remote_ca: Vec<PathBuf>,
    /// Also write the KB graph (entities, labels, offices) to the remote store,
    /// replacing it whole.
    #[arg(long)]
    remote_kb: bool,
}

impl RemoteArgs {
    fn options(&self, url: &str) -> anyhow::Result<RemoteOptions> {
        let token = match &self.remote_token_file {
            Some(f) => Some(
                std::fs::read_to_string(f)
                    .map_err(|e| anyhow::anyhow!("--remote-token-file {}: {e}", f.display()))?
                    .lines()
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_string(),
            ),
            None => std::env::var("KGLINK_REMOTE_TOKEN").ok(),
        }
        .filter(|t| !t.is_empty());
        let auth = match (&self.remote_user, token) {
            (Some(_), Some(_)) => {
                anyhow::bail!("give a bearer token or --remote-user, not both")
            }
            (Some(user), None) => Auth::Basic {
                user: user.clone(),
                password: std::env::var("KGLINK_REMOTE_PASSWORD").unwrap_or_default(),
            },
            (None, Some(t)) => Auth::Bearer(t),
            (None, None) => Auth::None,
        };
        let endpoint = match self.remote_protocol {
            Protocol::Gsp => self.gsp_endpoint.clone(),
            Protocol::Update => self.update_endpoint.clone(),
        }
        .unwrap_or_else(|| url.to_string());
        if !(self.remote_timeout > 0.0 && self.remote_timeout.is_finite()) {
            anyhow::bail!("--remote-timeout must be a positive number of seconds");
        }
        Ok(RemoteOptions {
            endpoint,
            protocol: self.remote_protocol,
            graph_param: self.gsp_graph_param.clone(),
            query_endpoint: self.remote_query.clone(),
            auth,
            retries: self.remote_retries,
            backoff: std::time::Duration::from_millis(500),
            timeout: std::time::Duration::from_secs_f64(self.remote_timeout),
            concurrency: self.remote_concurrency.max(1),
            ca_certs: self.remote_ca.clone(),
        })
    }
}

pub fn run(args: IngestArgs) -> anyhow::Result<ExitCode> {
    let shard = args.shard.unwrap_or(Shard::ALL);
    let options = ingest::Options {
        paths: args.paths.clone(),
        format: args.input_format,
        annotate: args.annotate.options(),
        batch: args.batch,
        shard,
        failures: args.failures.clone(),
        fetch: args.fetch.options().map_err(anyhow::Error::msg)?,
    };
    let kb = args.annotate.kb.load()?;

    let store;
    let url = args.store.store.to_str().unwrap_or("").to_string();
    let remote = !args.store.memory
        && args.emit.is_none()
        && (url.starts_with("http://") || url.starts_with("https://"));
    if !args.store.memory && !remote {
        if let Some((scheme, _)) = url.split_once("://") {
            if !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
            {
                anyhow::bail!(
                    "--store {url}: a remote store's URL starts with http:// or https://; a local store is a folder path"
                );
            }
        }
    }
    let sink: Box<dyn Sink> = match &args.emit {
        _ if remote => {
            let sink = RemoteSink::new(args.remote.options(&url)?)?;
            if args.remote.remote_kb {
                sink.put_kb(&kglink::rdf::kb_quads(kb))?;
            }
            Box::new(sink)
        }
        Some(emit) => {
            let (format, dir) = (&emit[0], &emit[1]);
            if format != "nquads" {
                anyhow::bail!("--emit {format:?}: the only format is `nquads`");
            }
            Box::new(NQuadsSink::new(PathBuf::from(dir), shard)?)
        }
        None => {
            store = args.store.open()?;
            if !args.store.memory {
                // left by a job killed in the middle of a bulk load
                ingest::local::remove_stale_bulk_files(&args.store.store)?;
            }
            store.put_kb(kb)?;
            let name = if args.store.memory {
                "memory".to_string()
            } else {
                args.store.store.display().to_string()
            };
            Box::new(LocalSink::new(&store, name)?)
        }
    };
    let total = ingest::source::count_records(
        &ingest::source::expand(&args.paths)
            .into_iter()
            .filter_map(Result::ok)
            .collect::<Vec<_>>(),
        args.input_format,
    );
    let pb = progress(total, "records");
    let summary = ingest::run(kb, sink.as_ref(), &options, &|n| pb.inc(n))?;
    pb.finish_and_clear();
    eprintln!("{}; into {}", summary.line(), sink.describe());
    Ok(if summary.failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
