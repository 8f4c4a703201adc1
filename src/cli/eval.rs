//! `kglink eval`: recognition and linking scores against gold JSONL files.

use super::KbArgs;
use clap::{Args, ValueEnum};
use kglink::annotate::Annotator;
use kglink::eval::{self, EvalOptions, Report};
use kglink::recognize::tagger::clusters::Clusters;
use kglink::recognize::tagger::model::Model;
use kglink::recognize::tagger::Tagger;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EvalFormat {
    /// An aligned table.
    Text,
    /// The report as JSON (see the `eval` module docs for the fields).
    Json,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Gold files in the JSONL format of shared/eval/README.md.
    #[arg(required_unless_present = "heldout")]
    gold: Vec<PathBuf>,
    /// A CoNLL-2003 training file: also score recognition on its held-out fold
    /// (every 10th document, never trained on; see docs/evaluation.md). The
    /// fold has no links, so only its recognition figures mean anything.
    #[arg(long, value_name = "CONLL_TRAIN")]
    heldout: Option<PathBuf>,
    /// Also print recognition precision, recall and F1 per type.
    #[arg(long)]
    by_type: bool,
    /// Tag with this tagger model instead of the bundled one (to compare models).
    #[arg(long, value_name = "NER_BIN")]
    model: Option<PathBuf>,
    /// The word clusters `--model` was trained with (default: the bundled ones).
    #[arg(long, requires = "model")]
    clusters: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: EvalFormat,
    /// Score COUNTRY and LOC as different types.
    #[arg(long)]
    fine_types: bool,
    /// Write every miss and false link, with context, as JSON Lines to this file.
    #[arg(long)]
    errors: Option<PathBuf>,
    #[command(flatten)]
    kb: KbArgs,
}

pub fn run(args: EvalArgs) -> anyhow::Result<ExitCode> {
    let kb = args.kb.load()?;
    let mut annotator = Annotator::new(kb);
    if let Some(path) = &args.model {
        let bytes = std::fs::read(path).map_err(|e| kglink::error::Error::io(path, e))?;
        let tagger = match &args.clusters {
            None => Tagger::from_bytes(&bytes)?,
            Some(c) => {
                let cb = std::fs::read(c).map_err(|e| kglink::error::Error::io(c, e))?;
                let clusters = Clusters::parse(&cb)?;
                Tagger::with_clusters(Model::from_bytes(&bytes)?, Some(Arc::new(clusters)))?
            }
        };
        annotator = annotator.with_tagger(Some(Box::leak(Box::new(tagger))));
    }
    let opts = EvalOptions {
        fine_types: args.fine_types,
    };
    let mut files = Vec::new();
    let mut all_errors = Vec::new();
    let mut failed = false;
    for path in &args.gold {
        match eval::evaluate_file_with_errors(&annotator, path, &opts) {
            Ok((report, errors)) => {
                files.push(report);
                all_errors.extend(errors);
            }
            Err(e) => {
                eprintln!("error: {e}");
                failed = true;
            }
        }
    }
    if let Some(path) = &args.heldout {
        let docs = kglink::recognize::tagger::conll::read_file(path)?;
        let (_, fold) = kglink::recognize::tagger::conll::split_heldout(
            docs,
            kglink::recognize::tagger::conll::HELDOUT_EVERY,
        );
        let name = format!(
            "{} (held-out fold)",
            path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned()
            )
        );
        let gold = eval::gold_from_conll(&name, &fold);
        let (report, errors) = eval::evaluate_docs_with_errors(&annotator, &name, &gold, &opts);
        files.push(report);
        all_errors.extend(errors);
    }
    let report = Report::new(files);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match args.format {
        EvalFormat::Text => {
            write!(out, "{}", eval::render_text(&report))?;
            if args.by_type {
                write!(out, "{}", eval::render_by_type(&report))?;
            }
        }
        EvalFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    if let Some(path) = &args.errors {
        let mut w = std::io::BufWriter::new(
            std::fs::File::create(path).map_err(|e| kglink::error::Error::io(path, e))?,
        );
        for e in &all_errors {
            serde_json::to_writer(&mut w, e)?;
            writeln!(w)?;
        }
        w.flush()?;
        eprintln!("wrote {} error(s) to {}", all_errors.len(), path.display());
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
