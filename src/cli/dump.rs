//! `kglink dump` and `kglink load`: the whole store as N-Quads, and back.

use super::StoreArgs;
use anyhow::Context;
use clap::Args;
use oxigraph::io::RdfFormat;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct DumpArgs {
    /// Write here instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
    #[command(flatten)]
    store: StoreArgs,
}

pub fn run_dump(args: DumpArgs) -> anyhow::Result<ExitCode> {
    let store = args.store.open()?;
    let n = match &args.output {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            let mut w = std::io::BufWriter::new(file);
            let n = kglink::store::maintenance::dump(&store, &mut w)?;
            w.flush()?;
            n
        }
        None => {
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::new(stdout.lock());
            let n = kglink::store::maintenance::dump(&store, &mut w)?;
            w.flush()?;
            n
        }
    };
    eprintln!("dumped {n} quads");
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct LoadArgs {
    /// N-Quads files (or TriG, Turtle, N-Triples: by extension); `-` for
    /// standard input (N-Quads). Each file is loaded whole or not at all.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    #[command(flatten)]
    store: StoreArgs,
}

pub fn run_load(args: LoadArgs) -> anyhow::Result<ExitCode> {
    let store = args.store.open()?;
    let mut failed = false;
    for f in &args.files {
        let result = if f.as_os_str() == "-" {
            kglink::store::maintenance::load(
                &store,
                std::path::Path::new("<stdin>"),
                RdfFormat::NQuads,
                std::io::stdin().lock(),
            )
        } else {
            let format = f
                .extension()
                .and_then(|e| e.to_str())
                .and_then(RdfFormat::from_extension)
                .unwrap_or(RdfFormat::NQuads);
            std::fs::File::open(f)
                .map_err(|e| kglink::error::Error::io(f, e))
                .and_then(|file| {
                    kglink::store::maintenance::load(
                        &store,
                        f,
                        format,
                        std::io::BufReader::new(file),
                    )
                })
        };
        match result {
            Ok(n) => eprintln!("{}: loaded {n} quads", f.display()),
            Err(e) => {
                eprintln!("error: {e}");
                failed = true;
            }
        }
    }
    store.flush()?;
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
