//! Batch ingestion: many articles from files, folders, globs or standard input,
//! annotated on all cores and written in batches to the embedded store, to
//! N-Quads files for another store's bulk loader, or to a remote SPARQL 1.1
//! store ([`remote`]).
//!
//! - An article's ID is its `id`, else its URL, else a hash of its text; its
//!   graph is [`crate::rdf::article_iri`] of the ID.
//! - An article stored with the same content hash is skipped (before it is even
//!   annotated); one stored with another text is replaced whole.
//! - Each article appears whole or not at all: the embedded store writes a batch
//!   in atomic steps and N-Quads files are renamed into place when complete. So
//!   a job killed at any
//!   moment and run again ends with the same store as an uninterrupted run.
//! - Bad input (a malformed line, an unreadable file) is a [`report::Failure`]
//!   with its location; the rest of the batch goes on.

pub mod fetch;
pub mod html;
pub mod input;
pub mod local;
pub mod nquads;
pub mod pipeline;
pub mod remote;
pub mod report;
pub mod shard;
pub mod sink;
pub mod source;

pub use pipeline::{run, Options};
pub use report::{Failure, Summary};
pub use shard::Shard;
pub use sink::{Prepared, Sink};
