//! `kglink train ner`: trains the named-entity tagger on CoNLL-2003 column files
//! and writes the model; per-epoch development scores go to stderr.

use super::KbArgs;
use clap::{Args, Subcommand, ValueEnum};
use kglink::error::Error;
use kglink::tagger::conll;
use kglink::tagger::scheme::Scheme;
use kglink::tagger::train::{self, Counts, Event, TrainOptions};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct TrainArgs {
    #[command(subcommand)]
    what: TrainCommand,
}

#[derive(Debug, Subcommand)]
enum TrainCommand {
    /// Train the named-entity tagger (PER, ORG, LOC, MISC) on CoNLL-2003 files.
    ///
    /// Prints the development precision, recall and F1 (exact span and type over
    /// PER, ORG and LOC) after each epoch to stderr, keeps the best epoch, and
    /// writes it as a compact model. The same data, options and seed give the
    /// same model, byte for byte.
    Ner(NerArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SchemeArg {
    /// Begin, inside, outside.
    Bio,
    /// Begin, inside, last, outside, unit.
    Bilou,
}

#[derive(Debug, Args)]
struct NerArgs {
    /// Training data: a CoNLL-2003 column file (`WORD POS CHUNK NER`, IOB tags,
    /// `-DOCSTART-` between documents, blank lines between sentences).
    #[arg(long)]
    train: PathBuf,
    /// Development data in the same format, scored after each epoch.
    #[arg(long)]
    dev: PathBuf,
    /// Where to write the model (the bundled one is `data/model/ner.bin`).
    #[arg(long)]
    out: PathBuf,
    /// Passes over the training data.
    #[arg(long, default_value_t = 15)]
    epochs: usize,
    /// Seed of the order in which documents are visited.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Tag scheme.
    #[arg(long, value_enum, default_value = "bilou")]
    scheme: SchemeArg,
    /// Averaged weights smaller than this in magnitude are left out of the model.
    #[arg(long, default_value_t = 0.05)]
    min_weight: f32,
    #[command(flatten)]
    kb: KbArgs,
}

pub fn run(args: TrainArgs) -> anyhow::Result<ExitCode> {
    match args.what {
        TrainCommand::Ner(a) => ner(a),
    }
}

fn pct(x: f64) -> String {
    format!("{:.2}", 100.0 * x)
}

fn prf(c: &Counts) -> String {
    format!(
        "P {} R {} F1 {}",
        pct(c.precision()),
        pct(c.recall()),
        pct(c.f1())
    )
}

fn ner(args: NerArgs) -> anyhow::Result<ExitCode> {
    let kb = args.kb.load()?;
    let train_docs = conll::read_file(&args.train)?;
    let dev_docs = conll::read_file(&args.dev)?;
    if train_docs.is_empty() {
        return Err(Error::parse(&args.train, 1, "no sentences").into());
    }
    let opts = TrainOptions {
        epochs: args.epochs.max(1),
        seed: args.seed,
        scheme: match args.scheme {
            SchemeArg::Bio => Scheme::Bio,
            SchemeArg::Bilou => Scheme::Bilou,
        },
        min_weight: args.min_weight,
        ..TrainOptions::default()
    };
    eprintln!(
        "training on {} documents, scoring on {} ({} scheme, {} epochs, seed {})",
        train_docs.len(),
        dev_docs.len(),
        opts.scheme.name(),
        opts.epochs,
        opts.seed
    );
    let mut bar = None;
    let trained = train::train(
        kb,
        &train_docs,
        &dev_docs,
        &opts,
        &mut |event| match event {
            Event::Ready {
                documents,
                sentences,
                tokens,
                ceiling,
            } => {
                eprintln!(
                "{sentences} sentences, {tokens} tokens; gold projected on kglink tokens scores F1 {} on dev",
                pct(ceiling.overall.f1())
            );
                bar = Some(super::progress(Some(documents as u64), "documents"));
            }
            Event::Progress(done) => {
                if let Some(b) = &bar {
                    b.set_position(done as u64);
                }
            }
            Event::Epoch(r) => {
                if let Some(b) = &bar {
                    b.set_position(0);
                }
                let [per, org, loc] = r.dev.by_type;
                eprintln!(
                "epoch {:>2}/{}: train errors {:.2}%  dev {}  (PER {} ORG {} LOC {})  {} features, {:.1} MB, {:.1}s",
                r.epoch,
                opts.epochs,
                100.0 * r.train_error,
                prf(&r.dev.overall),
                pct(per.f1()),
                pct(org.f1()),
                pct(loc.f1()),
                r.features,
                r.bytes as f64 / 1e6,
                r.seconds
            );
            }
        },
    );
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let bytes = trained.tagger.to_bytes();
    if let Some(dir) = args.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    std::fs::write(&args.out, &bytes).map_err(|e| Error::io(&args.out, e))?;
    let kept = trained
        .epochs
        .iter()
        .find(|r| r.epoch == trained.best)
        .map_or_else(String::new, |r| format!(" (dev {})", prf(&r.dev.overall)));
    eprintln!(
        "kept epoch {}{kept}; temperature {:.2}; wrote {} ({} bytes, {} features)",
        trained.best,
        trained.tagger.model().temperature(),
        args.out.display(),
        bytes.len(),
        trained.tagger.model().len()
    );
    Ok(ExitCode::SUCCESS)
}
