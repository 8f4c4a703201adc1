//! Bounds on hostile input, shared by the server and the command line:
//! how deeply a SPARQL text may nest ([`nesting`]), the stack its evaluation
//! runs on ([`stack`]), RDF read within caps on quads, bytes and RDF/XML
//! entity expansion ([`rdf`], [`entities`]), lines of import sources
//! within a length cap ([`lines`]), and the heap requests may use
//! ([`memory`]).

pub mod entities;
pub mod lines;
pub mod memory;
pub mod nesting;
pub mod rdf;
pub mod stack;

pub use nesting::{NestingError, NestingLimits};
pub use rdf::{read_quads, RdfInputError, RdfLimits};
pub use stack::with_query_stack;
