//! Where an ingest job writes: the [`Sink`] trait and the article it writes.

use crate::store::PutOutcome;
use oxigraph::model::Quad;

/// An annotated article ready to be written: its graph's quads and what the
/// summary counts.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// Where it was read (`file:line`, a path or a URL).
    pub location: String,
    /// The article ID.
    pub id: String,
    /// The IRI of the article and of its named graph.
    pub graph: String,
    /// The content hash of its text.
    pub hash: String,
    /// The quads of its graph.
    pub quads: Vec<Quad>,
    /// Mentions found.
    pub mentions: usize,
    /// The entities (QIDs and local IDs) mentioned.
    pub entities: Vec<String>,
}

/// A destination for article graphs. Implementations are shared between the
/// thread that annotates (which asks for stored hashes to skip unchanged
/// articles before annotating them) and the thread that writes.
pub trait Sink: Sync {
    /// The content hashes stored for these graphs (`None`: not stored, or the
    /// sink cannot tell). Used to skip unchanged articles before annotation;
    /// [`Sink::write`] decides for good.
    fn stored_hashes(&self, graphs: &[&str]) -> crate::error::Result<Vec<Option<String>>>;

    /// Writes a batch. Each article appears whole or not at all; the result
    /// gives, per article in order, what happened or why it failed. An article
    /// stored with the same hash is left alone ([`PutOutcome::Unchanged`]); when
    /// an ID occurs twice in a batch the later one wins.
    fn write(&self, batch: &[Prepared]) -> Vec<Result<PutOutcome, String>>;

    /// Makes everything written durable (called once at the end).
    fn finish(&self) -> crate::error::Result<()>;

    /// A short name for the summary (`store ./kglink-data`, `http://…`).
    fn describe(&self) -> String;
}
