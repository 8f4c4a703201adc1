//! `kglink query`: a SPARQL query given inline, in a `.rq` file, or by the name of
//! a saved query; `--list` shows the saved ones.

use super::StoreArgs;
use anyhow::Context;
use clap::Args;
use kglink::query::{self, OutputFormat};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct QueryArgs {
    /// SPARQL text, a path to a .rq file, or a saved query's name (see --list).
    #[arg(required_unless_present = "list")]
    query: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    format: OutputFormat,
    /// Bind a query variable: `--param entity=Q22686` (QIDs become Wikidata IRIs,
    /// http(s) values IRIs, integers numbers, the rest strings). Repeatable.
    #[arg(long = "param", value_name = "NAME=VALUE")]
    params: Vec<String>,
    /// List the saved queries and exit.
    #[arg(long)]
    list: bool,
    #[command(flatten)]
    store: StoreArgs,
}

pub fn run(args: QueryArgs) -> anyhow::Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if args.list {
        for q in query::saved_queries() {
            writeln!(out, "{:<20} {}", q.name, q.summary())?;
        }
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    let q = args.query.expect("required unless --list");
    let text = if q.ends_with(".rq") && Path::new(&q).is_file() {
        std::fs::read_to_string(&q).map_err(|e| kglink::error::Error::io(&q, e))?
    } else if q
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        query::saved_query(&q)?.text.to_string()
    } else {
        q
    };
    let mut params = Vec::new();
    for p in &args.params {
        let (k, v) = p.split_once('=').ok_or_else(|| {
            kglink::error::Error::Query(format!("--param {p:?}: expected NAME=VALUE"))
        })?;
        params.push((k.to_string(), v.to_string()));
    }
    drop(out);
    let store = args.store.open()?;
    let format = args.format;
    // parsed and evaluated (lazily, while the results are written) on a
    // thread with the query stack
    kglink::guard::with_query_stack(move || -> anyhow::Result<()> {
        let results = query::run(&store, &text, &params)?;
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        query::write_results(results, format, &mut out).context("writing results")?;
        out.flush()?;
        Ok(())
    })
    .context("starting the query thread")??;
    Ok(ExitCode::SUCCESS)
}
