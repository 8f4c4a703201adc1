//! `kglink stats`: what the store holds (articles, entities, triples, size).

use super::StoreArgs;
use clap::Args;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// `text` (one `name: value` a line) or `json`.
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    format: String,
    #[command(flatten)]
    store: StoreArgs,
}

pub fn run(args: StatsArgs) -> anyhow::Result<ExitCode> {
    let store = args.store.open()?;
    let dir = (!args.store.memory).then_some(args.store.store.as_path());
    let s = kglink::store::maintenance::stats(&store, dir)?;
    if args.format == "json" {
        println!("{}", serde_json::to_string_pretty(&s)?);
    } else {
        println!("articles: {}", s.articles);
        println!("entities: {}", s.entities);
        println!("article_triples: {}", s.article_triples);
        println!("kb_triples: {}", s.kb_triples);
        println!("triples: {}", s.triples);
        if let Some(b) = s.size_bytes {
            println!("size_bytes: {b}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
