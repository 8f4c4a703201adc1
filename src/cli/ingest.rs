//! `kglink ingest`: batch ingestion (see [`kglink::ingest`]): read articles from
//! files, folders, globs or standard input, annotate them and find their relations
//! on all cores, and write each as its own named graph to the store (replaced whole
//! when its text changed, skipped when unchanged), or to N-Quads files.

use super::{progress, KbArgs, StoreArgs};
use clap::Args;
use kglink::ingest::{self, local::LocalSink, nquads::NQuadsSink, Shard, Sink};
use kglink::input::InputFormat;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Text files, JSONL files (a record a line: {"id", "title", "text", "date",
    /// "url", "source"}), folders of them (read recursively), glob patterns
    /// (quoted: 'news/*.jsonl'); `-` for standard input.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// How to read files: `auto` (by extension), `text` or `jsonl`.
    #[arg(long, value_enum, default_value = "auto")]
    input_format: InputFormat,
    /// The date (YYYY-MM-DD) of articles that give none (text files): picks who
    /// held an office then, and dates the relations they state.
    #[arg(long)]
    date: Option<String>,
    /// Leave out links below this confidence (0–1).
    #[arg(long, default_value_t = 0.0)]
    min_confidence: f32,
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
    store: StoreArgs,
    #[command(flatten)]
    kb: KbArgs,
}

pub fn run(args: IngestArgs) -> anyhow::Result<ExitCode> {
    let shard = args.shard.unwrap_or(Shard::ALL);
    let options = ingest::Options {
        paths: args.paths.clone(),
        format: args.input_format,
        default_date: args.date.clone(),
        min_confidence: args.min_confidence,
        batch: args.batch,
        shard,
        failures: args.failures.clone(),
    };
    let kb = args.kb.load()?;

    let store;
    let sink: Box<dyn Sink> = match &args.emit {
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
