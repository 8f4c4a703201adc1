//! `kglink train ner`: trains the named-entity tagger on CoNLL-2003 column files
//! and writes the model; per-epoch development scores go to stderr.
//! `kglink train clusters`: learns the word clusters the tagger's features read.

use super::KbArgs;
use clap::{Args, Subcommand, ValueEnum};
use kglink::error::Error;
use kglink::recognize::tagger::clusters::{self, ClusterOptions, Clusters};
use kglink::recognize::tagger::conll;
use kglink::recognize::tagger::scheme::Scheme;
use kglink::recognize::tagger::train::{self, Counts, Event, TrainOptions};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

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
    /// Learn word clusters from unlabeled text, for the tagger's features.
    ///
    /// Reads the `text` (and `title`) of JSON Lines records and the text of
    /// CoNLL training files (without their held-out fold), and writes one word
    /// a line with its path in a binary tree of clusters (exchange algorithm on
    /// the class-bigram likelihood, split top down). The same input and options
    /// give the same file, byte for byte.
    Clusters(ClusterArgs),
}

#[derive(Debug, Args)]
struct ClusterArgs {
    /// Unlabeled text: JSON Lines records with a `text` field (the format of
    /// `kglink annotate --input jsonl`).
    #[arg(long)]
    corpus: Vec<PathBuf>,
    /// CoNLL-2003 training files whose text is added (the held-out fold left
    /// out). Never give development or test files. The bundled clusters leave
    /// the training text out: clusters learned on the text the tagger trains on
    /// fit its names too well, and scored lower on the held-out fold.
    #[arg(long)]
    conll: Vec<PathBuf>,
    /// Hold out every Nth document of the CoNLL files, as `train ner` does.
    #[arg(long, default_value_t = conll::HELDOUT_EVERY)]
    heldout_every: usize,
    /// Where to write the clusters (the bundled ones are `data/model/clusters.tsv`).
    #[arg(long)]
    out: PathBuf,
    /// Words seen fewer times get no cluster.
    #[arg(long, default_value_t = 5)]
    min_count: u64,
    /// Length of the cluster paths in bits (at most 2^depth clusters; 1 to 11).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u8).range(1..=11))]
    depth: u8,
    /// Exchange passes per depth, at most.
    #[arg(long, default_value_t = 20)]
    iterations: usize,
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
    /// Hold out every Nth document of the training data (the 10th, 20th, …):
    /// never trained on, scored at the end. 0 trains on every document.
    #[arg(long, default_value_t = conll::HELDOUT_EVERY)]
    heldout_every: usize,
    /// Word clusters for the cluster features (`kglink train clusters`); the
    /// model records their checksum and runs only with them.
    #[arg(long)]
    clusters: Option<PathBuf>,
    /// Where to write the model (the bundled one is `data/model/ner.bin`).
    #[arg(long)]
    out: PathBuf,
    /// Passes over the training data.
    #[arg(long, default_value_t = 15)]
    epochs: usize,
    /// Seed of the order in which documents are visited.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Train this many times, with seeds `seed`, `seed + 1`, …, each keeping
    /// its best epoch, and write the mean of their weights.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=20))]
    runs: u64,
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
        TrainCommand::Clusters(a) => learn_clusters(a),
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
    let (train_docs, heldout) =
        conll::split_heldout(conll::read_file(&args.train)?, args.heldout_every);
    let dev_docs = conll::read_file(&args.dev)?;
    if train_docs.is_empty() {
        return Err(Error::parse(&args.train, 1, "no sentences").into());
    }
    let clusters = match &args.clusters {
        Some(path) => {
            let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
            let c =
                Clusters::parse(&bytes).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            eprintln!(
                "word clusters: {} words, {} bits, checksum {:016x}",
                c.len(),
                c.depth(),
                c.checksum()
            );
            Some(Arc::new(c))
        }
        None => None,
    };
    let opts = TrainOptions {
        epochs: args.epochs.max(1),
        seed: args.seed,
        scheme: match args.scheme {
            SchemeArg::Bio => Scheme::Bio,
            SchemeArg::Bilou => Scheme::Bilou,
        },
        min_weight: args.min_weight,
        clusters,
        ..TrainOptions::default()
    };
    eprintln!(
        "training on {} documents ({} held out), scoring on {} ({} scheme, {} epochs, seed {}, {} run(s))",
        train_docs.len(),
        heldout.len(),
        dev_docs.len(),
        opts.scheme.name(),
        opts.epochs,
        opts.seed,
        args.runs
    );
    let mut runs = Vec::new();
    for r in 0..args.runs {
        let opts = TrainOptions {
            seed: args.seed + r,
            ..opts.clone()
        };
        if args.runs > 1 {
            eprintln!("run {}/{} (seed {})", r + 1, args.runs, opts.seed);
        }
        runs.push(train_once(kb, &train_docs, &dev_docs, &opts));
    }
    let (tagger, kept) = if runs.len() == 1 {
        let t = runs.pop().expect("one run");
        let kept = t
            .epochs
            .iter()
            .find(|r| r.epoch == t.best)
            .map_or_else(String::new, |r| format!(" (dev {})", prf(&r.dev.overall)));
        (t.tagger, format!("kept epoch {}{kept}", t.best))
    } else {
        let epochs: Vec<String> = runs.iter().map(|t| t.best.to_string()).collect();
        let taggers: Vec<_> = runs.into_iter().map(|t| t.tagger).collect();
        let tagger = train::average(kb, &taggers, &dev_docs, &opts);
        let s = train::evaluate(&tagger, kb, &dev_docs);
        (
            tagger,
            format!(
                "averaged {} runs (epochs {}; dev {})",
                taggers.len(),
                epochs.join(", "),
                prf(&s.overall)
            ),
        )
    };
    if !heldout.is_empty() {
        let s = train::evaluate(&tagger, kb, &heldout);
        let [per, org, loc] = s.by_type;
        eprintln!(
            "held-out fold ({} documents): {}  (PER {} ORG {} LOC {})",
            heldout.len(),
            prf(&s.overall),
            pct(per.f1()),
            pct(org.f1()),
            pct(loc.f1())
        );
    }
    let bytes = tagger.to_bytes();
    if let Some(dir) = args.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    std::fs::write(&args.out, &bytes).map_err(|e| Error::io(&args.out, e))?;
    eprintln!(
        "{kept}; temperature {:.2}; wrote {} ({} bytes, {} features)",
        tagger.model().temperature(),
        args.out.display(),
        bytes.len(),
        tagger.model().len()
    );
    Ok(ExitCode::SUCCESS)
}

/// One training run, its progress on stderr.
fn train_once(
    kb: &kglink::kb::Kb,
    train_docs: &[conll::Document],
    dev_docs: &[conll::Document],
    opts: &TrainOptions,
) -> train::Trained {
    let mut bar = None;
    let trained = train::train(kb, train_docs, dev_docs, opts, &mut |event| match event {
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
    });
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    trained
}

/// Sentences of words in cluster-key form from a text, as the tagger's
/// tokenizer splits it.
fn sentences_of(text: &str, out: &mut Vec<Vec<String>>) {
    let tokens = kglink::text::tokenize(text);
    let mut current: Vec<String> = Vec::new();
    let mut sentence = None;
    for t in &tokens {
        if sentence != Some(t.sentence) && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        sentence = Some(t.sentence);
        let mut k = String::new();
        clusters::key(t.text(text), &mut k);
        current.push(k);
    }
    if !current.is_empty() {
        out.push(current);
    }
}

fn read_corpus(path: &Path, out: &mut Vec<Vec<String>>) -> anyhow::Result<usize> {
    let data = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut n = 0;
    for (i, line) in data.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(line)
            .map_err(|e| Error::parse(path, i + 1, format!("bad JSON record: {e}")))?;
        for field in ["title", "text"] {
            if let Some(t) = v.get(field).and_then(|t| t.as_str()) {
                sentences_of(t, out);
            }
        }
        n += 1;
    }
    Ok(n)
}

fn learn_clusters(args: ClusterArgs) -> anyhow::Result<ExitCode> {
    let mut sentences = Vec::new();
    let mut sources = Vec::new();
    for path in &args.corpus {
        let n = read_corpus(path, &mut sentences)?;
        sources.push(format!("{} records of {}", n, file_name(path)));
    }
    for path in &args.conll {
        let (docs, heldout) = conll::split_heldout(conll::read_file(path)?, args.heldout_every);
        for d in &docs {
            sentences_of(&d.text_and_spans().0, &mut sentences);
        }
        sources.push(format!(
            "{} documents of {} ({} held out, unread)",
            docs.len(),
            file_name(path),
            heldout.len()
        ));
    }
    if sentences.is_empty() {
        anyhow::bail!("no text: give --corpus or --conll files");
    }
    let words: usize = sentences.iter().map(Vec::len).sum();
    eprintln!(
        "{} sentences, {words} words from {}",
        sentences.len(),
        sources.join(", ")
    );
    let opts = ClusterOptions {
        min_count: args.min_count,
        depth: args.depth,
        iterations: args.iterations,
    };
    let t0 = std::time::Instant::now();
    let learned = clusters::learn(&sentences, &opts, &mut |d, moves| {
        eprintln!(
            "depth {d:>2}: {moves} moves ({:.1}s)",
            t0.elapsed().as_secs_f64()
        );
    });
    let header = format!(
        "Word clusters for the kglink tagger (kglink train clusters; format in src/tagger/clusters.rs).\n\
         From {}: {words} words.\n\
         min count {}, depth {}, at most {} exchange passes per depth; {} words.",
        sources.join(", "),
        opts.min_count,
        opts.depth,
        opts.iterations,
        learned.len()
    );
    let text = clusters::to_text(&learned, &header);
    if let Some(dir) = args.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    std::fs::write(&args.out, &text).map_err(|e| Error::io(&args.out, e))?;
    let c = Clusters::parse(text.as_bytes())?;
    eprintln!(
        "wrote {} ({} words, {} bytes, checksum {:016x})",
        args.out.display(),
        c.len(),
        text.len(),
        c.checksum()
    );
    Ok(ExitCode::SUCCESS)
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}
