//! The job: one thread reads, the main thread annotates each batch on all cores
//! (rayon), one thread writes. Bounded channels between them keep memory flat.

use super::report::{Failure, FailureLog, Summary};
use super::shard::Shard;
use super::sink::{Prepared, Sink};
use super::source;
use crate::annotate::{AnnotateOptions, Annotator};
use crate::error::Result;
use crate::ingest::input::{FetchOptions, InputFormat, Item};
use crate::kb::Kb;
use crate::model::{Article, Link};
use crate::rdf;
use crate::store::PutOutcome;
use rayon::prelude::*;
use std::path::PathBuf;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::time::Instant;

/// What to ingest and how.
#[derive(Debug, Clone)]
pub struct Options {
    /// Files, folders, glob patterns, `-` for standard input.
    pub paths: Vec<PathBuf>,
    /// How to read files.
    pub format: InputFormat,
    /// How articles are annotated (minimum confidence, the date of articles
    /// that give none).
    pub annotate: AnnotateOptions,
    /// Articles annotated and written together.
    pub batch: usize,
    /// This job's part of the input.
    pub shard: Shard,
    /// Where to write the failure report (JSON Lines), if anywhere.
    pub failures: Option<PathBuf>,
    /// How URL lists are fetched (its shard is set from `shard`).
    pub fetch: FetchOptions,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            paths: Vec::new(),
            format: InputFormat::Auto,
            annotate: AnnotateOptions::default(),
            batch: 256,
            shard: Shard::ALL,
            failures: None,
            fetch: FetchOptions::default(),
        }
    }
}

/// What the annotating thread hands the writer.
#[derive(Default)]
struct Work {
    prepared: Vec<Prepared>,
    /// Articles found unchanged before annotation.
    skipped: usize,
    failures: Vec<Failure>,
    /// Records left to other shards.
    other_shards: usize,
    /// Records read for this batch (for the progress bar).
    records: u64,
}

/// What the reader hands on.
enum Read {
    Item(Item),
    /// A record left to another shard.
    OtherShard,
}

/// Runs a job into `sink`. `progress` is called with the number of input
/// records done since its last call. Failures never stop the job; they are
/// counted, printed and written to the report. Errors returned are the job's
/// own (the report file cannot be written, the sink cannot be made durable).
pub fn run(
    kb: &Kb,
    sink: &dyn Sink,
    options: &Options,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Summary> {
    let started = Instant::now();
    let mut log = FailureLog::new(options.failures.as_deref())?;
    let annotator = Annotator::new(kb).with_options(options.annotate.clone());
    let batch_size = options.batch.max(1);
    let paths = source::expand(&options.paths);
    let (read_tx, read_rx) = sync_channel::<Read>(batch_size * 2);
    let (work_tx, work_rx) = sync_channel::<Work>(1);
    let summary = std::thread::scope(|scope| {
        let reader = scope.spawn(|| reader(&paths, options, read_tx));
        let writer = scope.spawn(|| writer(sink, work_rx, &mut log, progress));
        annotate_batches(&annotator, sink, batch_size, read_rx, work_tx);
        // the reader ends at the end of its input, or when its channel closes
        if let Err(p) = reader.join() {
            std::panic::resume_unwind(p);
        }
        match writer.join() {
            Ok(s) => s,
            Err(p) => std::panic::resume_unwind(p),
        }
    });
    let mut summary = summary?;
    sink.finish()?;
    log.finish()
        .map_err(|e| crate::error::Error::io(options.failures.clone().unwrap_or_default(), e))?;
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

fn reader(
    paths: &[std::result::Result<PathBuf, crate::error::Error>],
    options: &Options,
    tx: SyncSender<Read>,
) {
    let mut open = true;
    let fetch = FetchOptions {
        shard: options.shard,
        ..options.fetch.clone()
    };
    source::read_all_with(paths, options.format, &fetch, &mut |mut item| {
        if !open {
            return;
        }
        let msg = match &mut item.article {
            Ok(a) if !options.shard.takes(&a.id) => Read::OtherShard,
            Ok(_) => Read::Item(item),
            Err(_) => Read::Item(item),
        };
        open = tx.send(msg).is_ok();
    });
}

/// Collects batches of articles, annotates each on all cores, hands them on.
fn annotate_batches(
    annotator: &Annotator<'_>,
    sink: &dyn Sink,
    batch_size: usize,
    rx: Receiver<Read>,
    tx: SyncSender<Work>,
) {
    let mut articles: Vec<(String, Article)> = Vec::with_capacity(batch_size);
    let mut work = Work::default();
    let mut input = rx.into_iter();
    loop {
        let next = input.next();
        let end = next.is_none();
        match next {
            Some(Read::OtherShard) => {
                work.other_shards += 1;
                work.records += 1;
            }
            Some(Read::Item(item)) => {
                work.records += 1;
                match item.article {
                    Ok(a) => articles.push((item.location, a)),
                    Err(e) => work.failures.push(Failure::read(&item.location, &e)),
                }
            }
            None => {}
        }
        if articles.len() < batch_size && !end {
            continue;
        }
        let mut done = std::mem::take(&mut work);
        prepare(annotator, sink, &mut articles, &mut done);
        if tx.send(done).is_err() || end {
            return;
        }
    }
}

/// Annotates `articles` (draining it) into `work`, leaving out those stored
/// unchanged.
fn prepare(
    annotator: &Annotator<'_>,
    sink: &dyn Sink,
    articles: &mut Vec<(String, Article)>,
    work: &mut Work,
) {
    if articles.is_empty() {
        return;
    }
    let graphs: Vec<String> = articles
        .iter()
        .map(|(_, a)| rdf::article_iri(&a.id))
        .collect();
    let refs: Vec<&str> = graphs.iter().map(String::as_str).collect();
    // a sink that cannot answer is asked again when writing: annotate everything
    let stored = sink
        .stored_hashes(&refs)
        .unwrap_or_else(|_| vec![None; refs.len()]);
    let todo: Vec<(String, Article, String, String)> = articles
        .drain(..)
        .zip(graphs)
        .zip(stored)
        .filter_map(|(((loc, a), graph), old)| {
            let hash = rdf::content_hash(&a.text);
            if old.as_deref() == Some(hash.as_str()) {
                work.skipped += 1;
                None
            } else {
                Some((loc, a, graph, hash))
            }
        })
        .collect();
    let results: Vec<std::result::Result<Prepared, Box<Failure>>> = todo
        .into_par_iter()
        .map(|(location, a, graph, hash)| {
            let annotated = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let annotated = annotator.article(&a);
                let entities: Vec<String> = annotated.links.iter().map(Link::id).collect();
                (annotated.quads, annotated.links.len(), entities)
            }));
            match annotated {
                Ok((quads, mentions, entities)) => Ok(Prepared {
                    location,
                    id: a.id,
                    graph,
                    hash,
                    quads,
                    mentions,
                    entities,
                }),
                Err(p) => {
                    let why = p
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| p.downcast_ref::<String>().cloned())
                        .unwrap_or_default();
                    Err(Box::new(Failure::article(
                        &location,
                        &a.id,
                        "annotate",
                        format!("internal error while annotating: {why}"),
                    )))
                }
            }
        })
        .collect();
    for r in results {
        match r {
            Ok(p) => work.prepared.push(p),
            Err(f) => work.failures.push(*f),
        }
    }
}

/// Writes batches as they come, keeps the summary and the failure log.
fn writer(
    sink: &dyn Sink,
    rx: Receiver<Work>,
    log: &mut FailureLog,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Summary> {
    let mut s = Summary::default();
    for work in rx {
        let outcomes = sink.write(&work.prepared);
        for (a, outcome) in work.prepared.iter().zip(outcomes) {
            match outcome {
                Ok(PutOutcome::Unchanged) => s.skipped += 1,
                Ok(o) => {
                    if o == PutOutcome::New {
                        s.new += 1;
                    } else {
                        s.replaced += 1;
                    }
                    s.mentions += a.mentions;
                    s.triples += a.quads.len();
                    s.entities.extend(a.entities.iter().cloned());
                }
                Err(reason) => {
                    s.failed += 1;
                    log.record(&Failure::article(&a.location, &a.id, "write", reason))
                        .map_err(|e| crate::error::Error::io("failure report", e))?;
                }
            }
        }
        for f in &work.failures {
            s.failed += 1;
            log.record(f)
                .map_err(|e| crate::error::Error::io("failure report", e))?;
        }
        s.skipped += work.skipped;
        s.other_shards += work.other_shards;
        progress(work.records);
    }
    Ok(s)
}
