//! `kglink ingest`: read articles from files and folders, annotate them and find
//! their relations on all cores, and store each as its own named graph (replaced whole when its text
//! changed, skipped when unchanged).

use super::{progress, KbArgs, StoreArgs};
use clap::Args;
use kglink::annotate::Annotator;
use kglink::input::{self, InputFormat};
use kglink::kb::PartialDate;
use kglink::model::Article;
use kglink::rdf;
use kglink::relate;
use kglink::store::PutOutcome;
use rayon::prelude::*;
use std::collections::HashSet;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Text files, JSONL files (a record a line: {"id", "title", "text", "date",
    /// "url"}), or folders of them (read recursively); `-` for standard input.
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
    /// Articles annotated together before they are written.
    #[arg(long, default_value_t = 512)]
    batch: usize,
    #[command(flatten)]
    store: StoreArgs,
    #[command(flatten)]
    kb: KbArgs,
}

#[derive(Default)]
struct Summary {
    new: usize,
    replaced: usize,
    unchanged: usize,
    failed: usize,
    mentions: usize,
    quads: usize,
    entities: HashSet<String>,
}

pub fn run(args: IngestArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let kb = args.kb.load()?;
    let store = args.store.open()?;
    store.put_kb(kb)?;
    let annotator = Annotator::new(kb).with_min_confidence(args.min_confidence);
    let mut summary = Summary::default();
    let pb = progress(None, "articles");
    let mut batch: Vec<(String, Article)> = Vec::new();
    let flush = |batch: &mut Vec<(String, Article)>, summary: &mut Summary| -> anyhow::Result<()> {
        let done: Vec<_> = batch
            .par_iter()
            .map(|(loc, a)| {
                let links = annotator.links(&a.text, a.date.as_deref());
                let date = a.date.as_deref().and_then(PartialDate::parse);
                let relations = relate::relate_text(kb, &a.text, &links, date);
                let quads = rdf::article_quads(a, &links, &relations);
                let ids: Vec<String> = links.iter().map(|l| l.id().to_string()).collect();
                (loc, a, links.len(), ids, quads)
            })
            .collect();
        for (loc, a, n, ids, quads) in done {
            let graph = rdf::article_iri(&a.id);
            match store.put_article(&graph, &rdf::content_hash(&a.text), &quads) {
                Ok(PutOutcome::New) => summary.new += 1,
                Ok(PutOutcome::Replaced) => summary.replaced += 1,
                Ok(PutOutcome::Unchanged) => {
                    summary.unchanged += 1;
                    pb.inc(1);
                    continue;
                }
                Err(e) => {
                    eprintln!("error: {loc}: {e}");
                    summary.failed += 1;
                    continue;
                }
            }
            summary.mentions += n;
            summary.quads += quads.len();
            summary.entities.extend(ids);
            pb.inc(1);
        }
        batch.clear();
        Ok(())
    };
    let mut seen_ids: HashSet<String> = HashSet::new();
    for path in input::expand_paths(&args.paths) {
        let path = match path {
            Ok(p) => p,
            Err(e) => {
                eprintln!("error: {e}");
                summary.failed += 1;
                continue;
            }
        };
        let mut items = Vec::new();
        if let Err(e) = input::read_input(&path, args.input_format, &mut |item| items.push(item)) {
            eprintln!("error: {e}");
            summary.failed += 1;
        }
        for item in items {
            match item.article {
                Ok(mut a) => {
                    if a.date.is_none() {
                        a.date.clone_from(&args.date);
                    }
                    if !seen_ids.insert(a.id.clone()) {
                        eprintln!("warning: {}: article ID {:?} seen before in this run; the later one wins", item.location, a.id);
                    }
                    batch.push((item.location, a));
                    if batch.len() >= args.batch {
                        flush(&mut batch, &mut summary)?;
                    }
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    summary.failed += 1;
                }
            }
        }
    }
    flush(&mut batch, &mut summary)?;
    store.flush()?;
    pb.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    let total = summary.new + summary.replaced + summary.unchanged;
    eprintln!(
        "ingested {total} article(s) in {secs:.2}s: {} new, {} replaced, {} unchanged, {} failed; {} mentions of {} entities, {} quads written; store: {}",
        summary.new,
        summary.replaced,
        summary.unchanged,
        summary.failed,
        summary.mentions,
        summary.entities.len(),
        summary.quads,
        if args.store.memory { "memory".to_string() } else { args.store.store.display().to_string() },
    );
    Ok(if summary.failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
