//! The annotation pipeline: text in, linked entities out, in the JSON shape of
//! `kglink annotate`.
//!
//! Offsets in [`Entity`] count Unicode scalar values (Python `str` indices), end
//! exclusive.

use crate::kb::{Kb, PartialDate};
use crate::link;
use crate::model::{EntityType, Link};
use crate::recognize;
use crate::recognize::tagger::Tagger;
use crate::text::CharIndex;
use serde::Serialize;

/// One entity mention as `kglink annotate` prints it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entity {
    /// Start offset in characters (Unicode scalar values), inclusive.
    pub start: usize,
    /// End offset in characters, exclusive.
    pub end: usize,
    /// The text of the mention.
    pub text: String,
    /// `PER`, `ORG`, `COUNTRY` or `LOC`.
    #[serde(rename = "type")]
    pub etype: EntityType,
    /// The QID, or the local ID (`local:per/...`) of an unknown entity.
    pub id: String,
    /// The entity's IRI.
    pub iri: String,
    /// The entity's label.
    pub label: String,
    /// Confidence in `[0, 1]`, three decimals.
    pub confidence: f64,
    /// True when the entity is not in the knowledge base.
    pub nil: bool,
}

/// The result of annotating one text.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Annotation {
    /// Mentions in text order.
    pub entities: Vec<Entity>,
}

/// Recognizes and links the entities of texts against one knowledge base.
#[derive(Debug, Clone, Copy)]
pub struct Annotator<'k> {
    kb: &'k Kb,
    tagger: Option<&'k Tagger>,
    min_confidence: f32,
}

impl<'k> Annotator<'k> {
    /// An annotator over `kb` with the bundled tagger.
    pub fn new(kb: &'k Kb) -> Self {
        Annotator {
            kb,
            tagger: Tagger::bundled().ok(),
            min_confidence: 0.0,
        }
    }

    /// Uses another tagger, or none (`None`: capitalized names typed by cues
    /// stand in for it, as in kglink's first version).
    pub fn with_tagger(mut self, tagger: Option<&'k Tagger>) -> Self {
        self.tagger = tagger;
        self
    }

    /// Drops links below this confidence.
    pub fn with_min_confidence(mut self, c: f32) -> Self {
        self.min_confidence = c;
        self
    }

    /// The knowledge base.
    pub fn kb(&self) -> &'k Kb {
        self.kb
    }

    /// Links of `text` with byte offsets (the pipeline's own form).
    /// `date` is the article's date (`YYYY-MM-DD…`), used for positions held.
    pub fn links(&self, text: &str, date: Option<&str>) -> Vec<Link> {
        let rec = recognize::recognize(self.kb, self.tagger, text);
        let date = date.and_then(PartialDate::parse);
        let mut links = link::link(self.kb, text, &rec, date);
        links.retain(|l| l.confidence >= self.min_confidence);
        links
    }

    /// Annotates `text`; offsets in characters.
    pub fn annotate(&self, text: &str, date: Option<&str>) -> Annotation {
        let links = self.links(text, date);
        Annotation {
            entities: to_entities(text, &links),
        }
    }
}

/// Converts links to output entities with character offsets.
pub fn to_entities(text: &str, links: &[Link]) -> Vec<Entity> {
    let ix = CharIndex::new(text);
    links
        .iter()
        .map(|l| Entity {
            start: ix.char_of(l.mention.start),
            end: ix.char_of(l.mention.end),
            text: text[l.mention.start..l.mention.end].to_string(),
            etype: l.etype,
            id: l.id(),
            iri: l.target.iri(),
            label: l.label.clone(),
            confidence: (f64::from(l.confidence) * 1000.0).round() / 1000.0,
            nil: l.is_nil(),
        })
        .collect()
}
