//! `--online` for `annotate`: unlinkable mentions looked up on Wikidata and
//! cached in the `--kb` directory (see `kglink::kb::online`).

use super::KbArgs;
use anyhow::{bail, Context};
use clap::Args;
use kglink::annotate::{to_entities, AnnotateOptions, Annotated, Annotator};
use kglink::kb::import::ImportOptions;
use kglink::kb::online::{OnlineConfig, Overlay, WIKIDATA_API};
use kglink::model::Article;
use std::time::Duration;

#[derive(Debug, Clone, Args)]
pub struct OnlineArgs {
    /// Look up mentions the KB cannot link on Wikidata (wbsearchentities +
    /// wbgetentities) and add what is found to the `--kb` directory, so later
    /// runs link them offline. Off unless given.
    #[arg(long, requires = "kb")]
    pub online: bool,
    /// The Wikidata API endpoint for `--online`.
    #[arg(long, default_value = WIKIDATA_API)]
    pub online_endpoint: String,
    /// Minimum pause between two online requests, in milliseconds.
    #[arg(long, default_value_t = 500)]
    pub online_interval_ms: u64,
    /// Timeout of one online request, in seconds.
    #[arg(long, default_value_t = 15)]
    pub online_timeout: u64,
}

impl OnlineArgs {
    /// The overlay when `--online` is on.
    pub fn overlay(&self, kb: &KbArgs) -> anyhow::Result<Option<Overlay>> {
        if !self.online {
            return Ok(None);
        }
        let Some(dir) = &kb.kb else {
            bail!("--online needs --kb DIR: a KB directory made by `kglink kb build` (e.g. `--from bundled`)");
        };
        let cfg = OnlineConfig {
            endpoint: self.online_endpoint.clone(),
            min_interval: Duration::from_millis(self.online_interval_ms),
            timeout: Duration::from_secs(self.online_timeout),
            ..OnlineConfig::default()
        };
        let o = Overlay::open(dir, cfg, ImportOptions::default())
            .with_context(|| format!("--online with --kb {}", dir.display()))?;
        Ok(Some(o))
    }
}

/// Annotates `article`; when mentions stay unlinked, looks them up and
/// annotates again.
pub fn article(
    overlay: &mut Overlay,
    article: &Article,
    options: &AnnotateOptions,
) -> anyhow::Result<Annotated> {
    let run = |o: &Overlay| {
        Annotator::new(o.kb())
            .with_options(options.clone())
            .article(article)
    };
    let annotated = run(overlay);
    let mut names: Vec<String> = to_entities(&article.text, &annotated.links)
        .into_iter()
        .filter(|e| e.nil)
        .map(|e| e.text)
        .collect();
    names.sort();
    names.dedup();
    if names.is_empty() {
        return Ok(annotated);
    }
    let added = overlay.resolve(&names)?;
    if added == 0 {
        return Ok(annotated);
    }
    eprintln!("online: {added} entities added to the KB");
    Ok(run(overlay))
}
