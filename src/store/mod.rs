//! The store: an embedded Oxigraph (RocksDB on disk, or in memory) holding one
//! named graph per article and the KB graph. Articles are replaced atomically;
//! queries see the union of all graphs as their default graph.

pub mod maintenance;

use crate::error::{Error, Result};
use crate::kb::Kb;
use crate::rdf;
use crate::rdf::vocab::{KB_GRAPH, KGL_CONTENT_HASH};
use oxigraph::model::{NamedNode, NamedNodeRef, Quad, Term};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use std::path::Path;

/// What happened to an article on [`Store::put_article`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutOutcome {
    /// It was not in the store.
    New,
    /// It was there with another text and has been replaced.
    Replaced,
    /// It was there with the same text: nothing written.
    Unchanged,
}

/// An Oxigraph store with kglink's layout.
pub struct Store {
    inner: oxigraph::store::Store,
}

impl Store {
    /// Opens (or creates) an on-disk store in `dir`.
    #[cfg(feature = "rocksdb")]
    pub fn open(dir: &Path) -> Result<Store> {
        let inner = oxigraph::store::Store::open(dir)
            .map_err(|e| Error::Store(format!("cannot open {}: {e}", dir.display())))?;
        Ok(Store { inner })
    }

    /// Opens (or creates) an on-disk store in `dir` (this build has no RocksDB).
    #[cfg(not(feature = "rocksdb"))]
    pub fn open(dir: &Path) -> Result<Store> {
        Err(Error::Store(format!(
            "cannot open {}: kglink was built without the `rocksdb` feature (use --memory)",
            dir.display()
        )))
    }

    /// A throw-away in-memory store.
    pub fn memory() -> Result<Store> {
        Ok(Store {
            inner: oxigraph::store::Store::new()?,
        })
    }

    /// The Oxigraph store, for direct use.
    pub fn oxigraph(&self) -> &oxigraph::store::Store {
        &self.inner
    }

    /// The content hash stored for an article graph, if the article is there.
    pub fn article_hash(&self, graph: &str) -> Result<Option<String>> {
        let g = NamedNode::new_unchecked(graph);
        let p = NamedNodeRef::new_unchecked(KGL_CONTENT_HASH);
        for q in self.inner.quads_for_pattern(
            Some(g.as_ref().into()),
            Some(p),
            None,
            Some(g.as_ref().into()),
        ) {
            if let Term::Literal(l) = q?.object {
                return Ok(Some(l.value().to_string()));
            }
        }
        Ok(None)
    }

    /// Writes an article's graph: in one transaction, the old graph (if any) is
    /// dropped and the new quads inserted, so the article appears whole or not at all.
    /// Skips the write when the stored content hash equals `hash`.
    pub fn put_article(&self, graph: &str, hash: &str, quads: &[Quad]) -> Result<PutOutcome> {
        let old = self.article_hash(graph)?;
        if old.as_deref() == Some(hash) {
            return Ok(PutOutcome::Unchanged);
        }
        let g = NamedNode::new_unchecked(graph);
        let mut t = self.inner.start_transaction()?;
        t.clear_graph(g.as_ref())?;
        t.insert_named_graph(g.as_ref());
        t.extend(quads.iter());
        t.commit()?;
        Ok(if old.is_some() {
            PutOutcome::Replaced
        } else {
            PutOutcome::New
        })
    }

    /// Replaces the KB graph with `kb` (one transaction). Skipped when the graph
    /// already holds exactly as many quads (the KB is built from the same files).
    pub fn put_kb(&self, kb: &Kb) -> Result<bool> {
        let quads = rdf::kb_quads(kb);
        let g = NamedNode::new_unchecked(KB_GRAPH);
        let have = self
            .inner
            .quads_for_pattern(None, None, None, Some(g.as_ref().into()))
            .count();
        // kb_quads may state a quad twice; the store holds it once
        let distinct = quads.iter().collect::<std::collections::HashSet<_>>().len();
        if have == distinct {
            return Ok(false);
        }
        let mut t = self.inner.start_transaction()?;
        t.clear_graph(g.as_ref())?;
        t.extend(quads.iter());
        t.commit()?;
        Ok(true)
    }

    /// Replaces the KB graph with `kb` when its triples differ in any way (not
    /// only in number, as [`Store::put_kb`] checks): used after `kb update`.
    pub fn sync_kb(&self, kb: &Kb) -> Result<bool> {
        let quads = rdf::kb_quads(kb);
        let g = NamedNode::new_unchecked(KB_GRAPH);
        let mut have = std::collections::HashSet::new();
        for q in self
            .inner
            .quads_for_pattern(None, None, None, Some(g.as_ref().into()))
        {
            have.insert(q?);
        }
        if have.len() == quads.len() && quads.iter().all(|q| have.contains(q)) {
            return Ok(false);
        }
        let mut t = self.inner.start_transaction()?;
        t.clear_graph(g.as_ref())?;
        t.extend(quads.iter());
        t.commit()?;
        Ok(true)
    }

    /// Removes an article's graph.
    pub fn delete_article(&self, graph: &str) -> Result<()> {
        let g = NamedNode::new_unchecked(graph);
        self.inner.remove_named_graph(g.as_ref())?;
        Ok(())
    }

    /// Number of quads.
    pub fn len(&self) -> Result<usize> {
        Ok(self.inner.len()?)
    }

    /// True when the store holds no quads.
    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.inner.is_empty()?)
    }

    /// Number of article graphs (named graphs other than the KB's).
    pub fn article_count(&self) -> Result<usize> {
        let mut n = 0;
        for g in self.inner.named_graphs() {
            if g?.to_string() != format!("<{KB_GRAPH}>") {
                n += 1;
            }
        }
        Ok(n)
    }

    /// Runs a SPARQL query with the union of all graphs as default graph. A
    /// query nested beyond the default limits of [`crate::guard::nesting`]
    /// is refused.
    pub fn query(&self, sparql: &str) -> Result<QueryResults<'static>> {
        let nesting = crate::guard::nesting::check(sparql, crate::guard::NestingLimits::default())
            .map_err(|e| Error::Query(e.to_string()))?;
        let eval = if nesting.optimize {
            SparqlEvaluator::new()
        } else {
            SparqlEvaluator::new().without_optimizations()
        };
        let mut prepared = eval
            .parse_query(sparql)
            .map_err(|e| Error::Query(e.to_string()))?;
        // no FROM / FROM NAMED in the query: the default graph is the union
        if prepared.dataset().is_default_dataset() {
            prepared.dataset_mut().set_default_graph_as_union();
        }
        prepared
            .on_store(&self.inner)
            .execute()
            .map_err(|e| Error::Query(e.to_string()))
    }

    /// Flushes to disk.
    pub fn flush(&self) -> Result<()> {
        #[cfg(feature = "rocksdb")]
        self.inner.flush()?;
        Ok(())
    }
}
