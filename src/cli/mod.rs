//! Command-line interface: argument definitions (clap derive, help from doc
//! comments) and one module per subcommand, each with a `run`.

mod annotate;
mod backup;
mod docs;
mod dump;
mod eval;
mod ingest;
mod kb;
mod online;
mod query;
mod serve;
mod stats;
mod train;

use clap::{Args, Parser, Subcommand};
use kglink::annotate::AnnotateOptions;
use kglink::kb::Kb;
use std::path::PathBuf;
use std::process::ExitCode;

/// Knowledge-graph entity linker for news: tags people, countries, organizations
/// and places, links them to Wikidata, and stores them as RDF you can query with
/// SPARQL.
#[derive(Debug, Parser)]
#[command(name = "kglink", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Annotate text: print the entities found, with offsets and links.
    Annotate(annotate::AnnotateCommand),
    /// Annotate articles and store them, one named graph each.
    Ingest(ingest::IngestArgs),
    /// Run a SPARQL query, a .rq file, or a saved query by name.
    Query(query::QueryArgs),
    /// Serve SPARQL (Protocol, Graph Store), annotation and a web page over HTTP.
    Serve(serve::ServeArgs),
    /// Score annotation against gold JSONL files.
    Eval(eval::EvalArgs),
    /// Train a model (`train ner`: the named-entity tagger).
    Train(train::TrainArgs),
    /// Build, update, inspect and export knowledge bases.
    Kb(kb::KbCommand),
    /// What the store holds: articles, entities, triples, size on disk.
    Stats(stats::StatsArgs),
    /// Write the whole store as N-Quads.
    Dump(dump::DumpArgs),
    /// Load N-Quads files (e.g. a dump, or `ingest --emit nquads` output) into the store.
    Load(dump::LoadArgs),
    /// Back up the store into a new folder (Oxigraph's backup).
    Backup(backup::BackupArgs),
    /// Restore a backup into a new store folder.
    Restore(backup::RestoreArgs),
    /// Print every command's help as Markdown (docs/cli.md).
    #[command(hide = true)]
    HelpMarkdown,
}

/// Where the store is.
#[derive(Debug, Clone, Args)]
pub struct StoreArgs {
    /// Store directory (created if missing).
    #[arg(
        long,
        env = "KGLINK_STORE",
        default_value = "./kglink-data",
        global = true
    )]
    pub store: PathBuf,
    /// Use a throw-away in-memory store instead.
    #[arg(long, global = true)]
    pub memory: bool,
}

impl StoreArgs {
    /// Opens the store.
    pub fn open(&self) -> anyhow::Result<kglink::store::Store> {
        Ok(if self.memory {
            kglink::store::Store::memory()?
        } else {
            kglink::store::Store::open(&self.store)?
        })
    }
}

/// How articles are annotated: the same options for `annotate`, `ingest` and
/// `serve`.
#[derive(Debug, Clone, Args)]
pub struct AnnotateArgs {
    /// The date (YYYY-MM-DD) of articles that give none (text files): picks who
    /// held an office then, and dates the relations they state.
    #[arg(long)]
    pub date: Option<String>,
    /// Leave out links below this confidence (0–1).
    #[arg(long, default_value_t = 0.0)]
    pub min_confidence: f32,
    #[command(flatten)]
    pub kb: KbArgs,
}

impl AnnotateArgs {
    /// The library's options.
    pub fn options(&self) -> AnnotateOptions {
        AnnotateOptions {
            min_confidence: self.min_confidence,
            default_date: self.date.clone(),
        }
    }
}

/// Which knowledge base to use.
#[derive(Debug, Clone, Args)]
pub struct KbArgs {
    /// Knowledge-base directory of TSV files (default: the bundled KB).
    #[arg(long, env = "KGLINK_KB")]
    pub kb: Option<PathBuf>,
}

impl KbArgs {
    /// Loads the KB.
    pub fn load(&self) -> anyhow::Result<&'static Kb> {
        Ok(match &self.kb {
            None => Kb::bundled()?,
            Some(dir) => Box::leak(Box::new(Kb::load_dir(dir)?)),
        })
    }
}

/// Parses the command line and runs the subcommand.
pub fn run() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Command::Annotate(a) => annotate::run(a),
        Command::Ingest(a) => ingest::run(a),
        Command::Query(a) => query::run(a),
        Command::Serve(a) => serve::run(a),
        Command::Eval(a) => eval::run(a),
        Command::Train(a) => train::run(a),
        Command::Kb(a) => kb::run(a),
        Command::Stats(a) => stats::run(a),
        Command::Dump(a) => dump::run_dump(a),
        Command::Load(a) => dump::run_load(a),
        Command::Backup(a) => backup::run_backup(a),
        Command::Restore(a) => backup::run_restore(a),
        Command::HelpMarkdown => docs::run(),
    }
}

/// A progress bar on a terminal, hidden in a pipe or with `NO_COLOR`-style quiet.
pub fn progress(len: Option<u64>, what: &str) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let pb = match len {
        Some(n) => indicatif::ProgressBar::new(n),
        None => indicatif::ProgressBar::new_spinner(),
    };
    let template = if len.is_some() {
        format!("{{spinner}} {what} {{pos}}/{{len}} [{{bar:30}}] {{per_sec}} eta {{eta}}")
    } else {
        format!("{{spinner}} {what} {{pos}} {{per_sec}}")
    };
    if let Ok(style) = indicatif::ProgressStyle::with_template(&template) {
        pb.set_style(style.progress_chars("=> "));
    }
    pb
}
