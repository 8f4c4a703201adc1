//! `kglink annotate`: entities of a text as JSON, JSON Lines or Turtle.

use super::AnnotateArgs;
use anyhow::Context;
use clap::{Args, ValueEnum};
use kglink::annotate::{to_entities, Annotator};
use kglink::ingest::input::{self, InputFormat};
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AnnotateFormat {
    /// One JSON object per input: {"entities": [...]} (pretty for a single text).
    Json,
    /// One JSON object per line: {"id", "entities"}.
    Jsonl,
    /// The article graph as Turtle (the triples `ingest` would store in the article's
    /// graph, relations included).
    Ttl,
}

#[derive(Debug, Args)]
pub struct AnnotateCommand {
    /// Input file, or `-` for standard input.
    #[arg(default_value = "-")]
    input: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "json")]
    format: AnnotateFormat,
    /// How to read the input: `text` (one article), `jsonl` (a record a line:
    /// {"id", "text", "date"?, "title"?}), `html` (a web page) or `urls` (a URL
    /// a line, each fetched); `auto` decides by the extension, else the content.
    #[arg(long, value_enum, default_value = "auto")]
    input_format: InputFormat,
    #[command(flatten)]
    annotate: AnnotateArgs,
    #[command(flatten)]
    online: super::online::OnlineArgs,
    #[command(flatten)]
    fetch: kglink::ingest::fetch::FetchArgs,
}

pub fn run(args: AnnotateCommand) -> anyhow::Result<ExitCode> {
    // with --online the overlay owns the KB (it grows); otherwise one annotator
    let mut overlay = args.online.overlay(&args.annotate.kb)?;
    let options = args.annotate.options();
    let annotator = match overlay {
        Some(_) => None,
        None => Some(Annotator::new(args.annotate.kb.load()?).with_options(options.clone())),
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut failed = 0usize;
    let mut result: anyhow::Result<()> = Ok(());
    let fetch = args.fetch.options().map_err(anyhow::Error::msg)?;
    let opened = input::open(&args.input, args.input_format)
        .with_context(|| format!("reading {}", args.input.display()))?;
    // inputs of many articles give a line per article
    let jsonl_input = matches!(opened.format, InputFormat::Jsonl | InputFormat::Urls);
    input::read_opened(opened, &fetch, &mut |item| {
        if result.is_err() {
            return;
        }
        let article = match item.article {
            Ok(a) => a,
            Err(e) => {
                eprintln!("error: {e}");
                failed += 1;
                return;
            }
        };
        let annotated = match (overlay.as_mut(), annotator.as_ref()) {
            (None, Some(a)) => a.article(&article),
            (None, None) => unreachable!("an annotator is made when there is no overlay"),
            (Some(o), _) => match super::online::article(o, &article, &options) {
                Ok(annotated) => annotated,
                Err(e) => {
                    result = Err(e);
                    return;
                }
            },
        };
        let links = &annotated.links;
        let r = match args.format {
            AnnotateFormat::Json if !jsonl_input => {
                let v = json!({ "entities": to_entities(&article.text, links) });
                serde_json::to_writer_pretty(&mut out, &v)
                    .map_err(anyhow::Error::from)
                    .and_then(|_| Ok(writeln!(out)?))
            }
            AnnotateFormat::Json | AnnotateFormat::Jsonl => {
                let v = json!({ "id": article.id, "entities": to_entities(&article.text, links) });
                serde_json::to_writer(&mut out, &v)
                    .map_err(anyhow::Error::from)
                    .and_then(|_| Ok(writeln!(out)?))
            }
            AnnotateFormat::Ttl => write_turtle(&mut out, annotated.quads),
        };
        if let Err(e) = r {
            result = Err(e);
        }
    })
    .with_context(|| format!("reading {}", args.input.display()))?;
    result?;
    out.flush()?;
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn write_turtle(out: &mut dyn Write, quads: Vec<oxigraph::model::Quad>) -> anyhow::Result<()> {
    use oxigraph::io::{RdfFormat, RdfSerializer};
    let mut ser = RdfSerializer::from_format(RdfFormat::Turtle);
    for (p, iri) in kglink::query::PREFIXES {
        ser = ser.with_prefix(*p, *iri)?;
    }
    let mut w = ser.for_writer(out);
    for q in quads {
        w.serialize_triple(&oxigraph::model::Triple::from(q))?;
    }
    w.finish()?;
    Ok(())
}
