//! # kglink
//!
//! kglink reads news articles, finds the people, countries, organizations and
//! places in them, links each mention to a Wikidata QID (or a stable local ID when
//! the knowledge base does not know the entity), and stores articles, mentions and
//! entities as RDF in an embedded [Oxigraph](https://oxigraph.org) store that
//! answers SPARQL.
//!
//! The stages are plain functions over plain data, so each can be used alone:
//!
//! ```text
//! text ─ text::tokenize ─ recognize::recognize ─ link::link ─ relate::relate ─ rdf::article_quads ─ store::Store
//! ```
//!
//! ```
//! use kglink::{annotate::Annotator, kb::Kb};
//!
//! let kb = Kb::bundled()?;
//! let annotation = Annotator::new(kb).annotate("Shinzo Abe flew to Hanoi.", Some("2019-02-28"));
//! let abe = &annotation.entities[0];
//! assert_eq!((abe.start, abe.end, abe.id.as_str()), (0, 10, "Q132345"));
//! assert!(annotation.entities.iter().any(|e| e.text == "Hanoi" && e.etype.as_str() == "LOC"));
//! # Ok::<(), kglink::error::Error>(())
//! ```

pub mod annotate;
pub mod cues;
pub mod error;
pub mod eval;
pub mod guard;
pub mod ingest;
pub mod kb;
pub mod link;
pub mod model;
pub mod query;
pub mod rdf;
pub mod recognize;
pub mod relate;
pub mod server;
pub mod store;
pub mod text;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

/// The version of kglink.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
