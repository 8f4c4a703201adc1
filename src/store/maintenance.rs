//! Store maintenance: statistics, N-Quads dump and load, backup and restore.
//!
//! - A dump is the whole store (article graphs and the KB graph) as N-Quads,
//!   the format every SPARQL store's bulk loader reads.
//! - A backup is Oxigraph's (a RocksDB checkpoint: hard links where it can, so
//!   cheap on the same file system); it opens like any store, and restoring it
//!   copies it to a new store folder.

use crate::error::{Error, Result};
use crate::rdf::vocab::{KB_GRAPH, SCHEMA_MENTIONS};
use crate::store::Store;
use oxigraph::io::{RdfFormat, RdfParseError, RdfParser};
use oxigraph::model::{GraphName, NamedNodeRef};
use serde::Serialize;
use std::collections::HashSet;
use std::io::{Read, Write};
use std::path::Path;

/// What a store holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Article graphs.
    pub articles: usize,
    /// Distinct entities the articles mention (`schema:mentions`).
    pub entities: usize,
    /// Quads in article graphs.
    pub article_triples: usize,
    /// Quads in the KB graph.
    pub kb_triples: usize,
    /// All quads.
    pub triples: usize,
    /// Bytes on disk (`None` for an in-memory store).
    pub size_bytes: Option<u64>,
}

/// Counts what `store` holds; `dir` is its folder (for the size on disk).
pub fn stats(store: &Store, dir: Option<&Path>) -> Result<Stats> {
    let mut s = Stats::default();
    let mentions = NamedNodeRef::new_unchecked(SCHEMA_MENTIONS);
    let mut entities = HashSet::new();
    let mut graphs = HashSet::new();
    for q in store.oxigraph().iter() {
        let q = q?;
        s.triples += 1;
        match &q.graph_name {
            GraphName::NamedNode(g) if g.as_str() == KB_GRAPH => s.kb_triples += 1,
            GraphName::NamedNode(g) => {
                s.article_triples += 1;
                if !graphs.contains(g.as_str()) {
                    graphs.insert(g.as_str().to_string());
                }
                if q.predicate.as_ref() == mentions {
                    entities.insert(q.object.to_string());
                }
            }
            _ => {}
        }
    }
    s.articles = store.article_count()?;
    s.entities = entities.len();
    s.size_bytes = match dir {
        Some(d) => Some(dir_size(d)?),
        None => None,
    };
    Ok(s)
}

fn dir_size(dir: &Path) -> Result<u64> {
    let mut n = 0;
    for e in walkdir::WalkDir::new(dir) {
        let e = e.map_err(|e| Error::BadInput {
            path: dir.to_path_buf(),
            message: e.to_string(),
        })?;
        if e.file_type().is_file() {
            n += e.metadata().map(|m| m.len()).unwrap_or(0);
        }
    }
    Ok(n)
}

/// Writes the whole store as N-Quads; returns the number of quads.
pub fn dump(store: &Store, out: impl Write) -> Result<usize> {
    let mut w = oxigraph::io::RdfSerializer::from_format(RdfFormat::NQuads).for_writer(out);
    let mut n = 0;
    for q in store.oxigraph().iter() {
        w.serialize_quad(&q?)
            .map_err(|e| Error::io("<output>", e))?;
        n += 1;
    }
    w.finish().map_err(|e| Error::io("<output>", e))?;
    Ok(n)
}

/// Loads N-Quads (or any RDF `format`) into the store with Oxigraph's bulk
/// loader, committed in one atomic step at the end: a syntax error stops the
/// load before anything is stored and names the line. `name` is used in errors.
/// Returns the number of quads read.
/// RDF/XML is read within the entity-expansion caps of
/// [`crate::guard::entities`].
pub fn load<'r>(
    store: &Store,
    name: &Path,
    format: RdfFormat,
    input: impl Read + 'r,
) -> Result<u64> {
    let input: Box<dyn Read + 'r> = if format == RdfFormat::RdfXml {
        let limits = crate::guard::RdfLimits::streaming();
        Box::new(crate::guard::entities::EntityGuard::new(
            input,
            crate::guard::entities::EntityLimits {
                per_event: limits.max_entity_expansion,
                total: limits.max_bytes,
            },
        ))
    } else {
        Box::new(input)
    };
    let mut n = 0u64;
    let mut loader = store.oxigraph().bulk_loader();
    let located = |e: RdfParseError| match e {
        RdfParseError::Syntax(e) => Error::parse(
            name,
            e.location().map_or(0, |l| l.start.line as usize + 1),
            e.to_string(),
        ),
        RdfParseError::Io(e) => Error::io(name, e),
    };
    let mut err = None;
    loader.load_quads(
        RdfParser::from_format(format)
            .for_reader(input)
            .map_while(|q| match q {
                Ok(q) => {
                    n += 1;
                    Some(q)
                }
                Err(e) => {
                    err = Some(located(e));
                    None
                }
            }),
    )?;
    if let Some(e) = err {
        // the loader is dropped without commit: nothing stored
        return Err(e);
    }
    loader.commit()?;
    Ok(n)
}

/// Backs up an on-disk store into `target` (which must not exist).
pub fn backup(store: &Store, target: &Path) -> Result<()> {
    if target.exists() {
        return Err(Error::BadInput {
            path: target.to_path_buf(),
            message: "the backup folder exists already; give a new one".into(),
        });
    }
    #[cfg(feature = "rocksdb")]
    {
        store
            .oxigraph()
            .backup(target)
            .map_err(|e| Error::Store(format!("backup to {}: {e}", target.display())))
    }
    #[cfg(not(feature = "rocksdb"))]
    {
        let _ = store;
        Err(Error::Store("backups need the `rocksdb` feature".into()))
    }
}

/// Restores a backup into a new store folder `target` (which must not exist,
/// or be empty): checks that the backup opens, then copies it.
pub fn restore(backup: &Path, target: &Path) -> Result<()> {
    if target.exists()
        && std::fs::read_dir(target)
            .map_err(|e| Error::io(target, e))?
            .next()
            .is_some()
    {
        return Err(Error::BadInput {
            path: target.to_path_buf(),
            message: "the store folder is not empty; restore into a new one".into(),
        });
    }
    #[cfg(feature = "rocksdb")]
    {
        let check = oxigraph::store::Store::open_read_only(backup).map_err(|e| {
            Error::Store(format!("{} is not a usable backup: {e}", backup.display()))
        })?;
        drop(check);
    }
    std::fs::create_dir_all(target).map_err(|e| Error::io(target, e))?;
    for e in walkdir::WalkDir::new(backup).min_depth(1) {
        let e = e.map_err(|e| Error::BadInput {
            path: backup.to_path_buf(),
            message: e.to_string(),
        })?;
        let rel = e.path().strip_prefix(backup).unwrap_or(e.path());
        let to = target.join(rel);
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&to).map_err(|err| Error::io(&to, err))?;
        } else {
            std::fs::copy(e.path(), &to).map_err(|err| Error::io(&to, err))?;
        }
    }
    Ok(())
}
