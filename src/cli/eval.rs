//! `kglink eval`: recognition and linking scores against gold JSONL files.

use super::KbArgs;
use clap::{Args, ValueEnum};
use kglink::annotate::Annotator;
use kglink::eval::{self, EvalOptions, Report};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

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
    #[arg(required = true)]
    gold: Vec<PathBuf>,
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
    let annotator = Annotator::new(kb);
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
    let report = Report::new(files);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match args.format {
        EvalFormat::Text => write!(out, "{}", eval::render_text(&report))?,
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
