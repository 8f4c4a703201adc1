//! The annotation pipeline: text in, linked entities out, in the JSON shape of
//! `kglink annotate`.
//!
//! Offsets in [`Entity`] count Unicode scalar values (Python `str` indices), end
//! exclusive.

use crate::kb::{Kb, PartialDate};
use crate::link;
use crate::model::{Article, EntityType, Link};
use crate::rdf;
use crate::recognize::tagger::Tagger;
use crate::recognize::{self, Recognized};
use crate::relate::{self, Relation};
use crate::text::CharIndex;
use oxigraph::model::Quad;
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

/// What annotation needs besides the KB and the tagger: the same for ingest,
/// the server and `kglink annotate`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AnnotateOptions {
    /// Links below this confidence (0–1) are left out.
    pub min_confidence: f32,
    /// The date (`YYYY-MM-DD`) of articles that give none: picks who held an
    /// office then, and dates the relations they state.
    pub default_date: Option<String>,
}

/// An annotated article: its links, the relations they state and the quads of
/// its named graph.
#[derive(Debug, Clone, Default)]
pub struct Annotated {
    /// Linked mentions in text order (byte offsets).
    pub links: Vec<Link>,
    /// Relations the text states between them.
    pub relations: Vec<Relation>,
    /// The article's graph (see [`crate::rdf::article_quads`]).
    pub quads: Vec<Quad>,
}

/// Recognizes and links the entities of texts against one knowledge base.
///
/// [`Annotator::article`] is the one path from an article to its quads:
/// ingest, the server's `/annotate`, `/ingest` and `/nif`, `kglink annotate`,
/// the benchmarks and the tests all go through it (or through
/// [`Annotator::links`], its first half).
#[derive(Debug, Clone)]
pub struct Annotator<'k> {
    kb: &'k Kb,
    tagger: Option<&'k Tagger>,
    options: AnnotateOptions,
}

impl<'k> Annotator<'k> {
    /// An annotator over `kb` with the bundled tagger and default options.
    pub fn new(kb: &'k Kb) -> Self {
        Annotator {
            kb,
            tagger: Tagger::bundled().ok(),
            options: AnnotateOptions::default(),
        }
    }

    /// Uses another tagger, or none (`None`: capitalized names typed by cues
    /// stand in for it, as in kglink's first version).
    pub fn with_tagger(mut self, tagger: Option<&'k Tagger>) -> Self {
        self.tagger = tagger;
        self
    }

    /// Uses these options.
    pub fn with_options(mut self, options: AnnotateOptions) -> Self {
        self.options = options;
        self
    }

    /// Drops links below this confidence.
    pub fn with_min_confidence(mut self, c: f32) -> Self {
        self.options.min_confidence = c;
        self
    }

    /// The knowledge base.
    pub fn kb(&self) -> &'k Kb {
        self.kb
    }

    /// The options.
    pub fn options(&self) -> &AnnotateOptions {
        &self.options
    }

    /// An article's links, relations and quads. An article without a date takes
    /// the options' default date.
    pub fn article(&self, article: &Article) -> Annotated {
        let dated;
        let article = match (&article.date, &self.options.default_date) {
            (None, Some(d)) => {
                dated = Article {
                    date: Some(d.clone()),
                    ..article.clone()
                };
                &dated
            }
            _ => article,
        };
        let date = article.date.as_deref().and_then(PartialDate::parse);
        let rec = recognize::recognize(self.kb, self.tagger, &article.text);
        let links = self.link(&article.text, &rec, date);
        let relations = relate::relate(self.kb, &article.text, &rec.tokens, &links, date);
        let quads = rdf::article_quads(article, &links, &relations);
        Annotated {
            links,
            relations,
            quads,
        }
    }

    /// Links of `text` with byte offsets (the pipeline's own form).
    /// `date` is the article's date (`YYYY-MM-DD…`), used for positions held;
    /// without one, the options' default date.
    pub fn links(&self, text: &str, date: Option<&str>) -> Vec<Link> {
        let rec = recognize::recognize(self.kb, self.tagger, text);
        let date = date
            .or(self.options.default_date.as_deref())
            .and_then(PartialDate::parse);
        self.link(text, &rec, date)
    }

    fn link(&self, text: &str, rec: &Recognized, date: Option<PartialDate>) -> Vec<Link> {
        let mut links = link::link(self.kb, text, rec, date);
        links.retain(|l| l.confidence >= self.options.min_confidence);
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
