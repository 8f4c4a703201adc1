//! A cache of rendered query answers, for endpoints that are read far more than
//! they are written (dashboards polling the same saved query).
//!
//! Every write through the server (SPARQL Update, Graph Store writes, `/ingest`)
//! holds a [`WriteGuard`], which bumps the store's generation when it starts and
//! when it ends. An answer is stored with the generation its evaluation started
//! in, only if no write started or ended meanwhile, and served only while the
//! generation is unchanged; so a cached answer is always what evaluating the
//! query again would give. The server holds the store's only handle (RocksDB
//! admits one writer process), so no write goes around it. Queries whose answer
//! can change without a write (`SERVICE`, `NOW()`, `RAND()`, `UUID()`,
//! `STRUUID()`, `BNODE()`) are never cached, and a request with
//! `Cache-Control: no-cache` is evaluated afresh.

use super::results::Rendered;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// The answers cached, up to a byte budget, oldest evicted first.
#[derive(Debug)]
pub struct ResultCache {
    generation: AtomicU64,
    budget: usize,
    inner: Mutex<Inner>,
    hits: AtomicU64,
    misses: AtomicU64,
}

#[derive(Debug, Default)]
struct Inner {
    entries: HashMap<String, (u64, Arc<Rendered>)>,
    order: VecDeque<String>,
    bytes: usize,
}

/// Held by a write while it runs; see the module docs.
#[derive(Debug)]
pub struct WriteGuard(Arc<ResultCache>);

impl Drop for WriteGuard {
    fn drop(&mut self) {
        self.0.bump();
    }
}

/// Words that make an answer depend on more than the store.
const VOLATILE: &[&str] = &["SERVICE", "NOW", "RAND", "UUID", "STRUUID", "BNODE"];

impl ResultCache {
    /// A cache of at most `budget` bytes of answers; 0 turns it off.
    pub fn new(budget: usize) -> Self {
        ResultCache {
            generation: AtomicU64::new(0),
            budget,
            inner: Mutex::new(Inner::default()),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// The current generation of the store.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    fn bump(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut inner) = self.inner.lock() {
            *inner = Inner::default();
        }
    }

    /// Marks a write as running until the guard is dropped.
    pub fn writing(self: &Arc<Self>) -> WriteGuard {
        self.bump();
        WriteGuard(self.clone())
    }

    /// Whether the answer to `query` may be cached at all.
    pub fn cacheable(&self, query: &str) -> bool {
        if self.budget == 0 {
            return false;
        }
        let upper = query.to_ascii_uppercase();
        !VOLATILE.iter().any(|w| {
            upper.match_indices(w).any(|(i, _)| {
                let before = upper[..i].chars().next_back();
                let after = upper[i + w.len()..].chars().next();
                !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
                    && !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
            })
        })
    }

    /// The cached answer for `key`, if it is still current.
    pub fn get(&self, key: &str) -> Option<Arc<Rendered>> {
        let generation = self.generation();
        let found = self.inner.lock().ok().and_then(|inner| {
            inner
                .entries
                .get(key)
                .filter(|(g, _)| *g == generation)
                .map(|(_, r)| r.clone())
        });
        let counter = if found.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    /// Stores the answer evaluated from generation `started`, unless a write
    /// happened since or it is larger than a quarter of the budget.
    pub fn put(&self, key: String, started: u64, answer: Arc<Rendered>) {
        let size = answer.body.len() + key.len();
        if size > self.budget / 4 {
            return;
        }
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        // checked under the lock: a write clears the map under it too
        if self.generation() != started {
            return;
        }
        if let Some((_, old)) = inner.entries.insert(key.clone(), (started, answer)) {
            inner.bytes -= old.body.len() + key.len();
        } else {
            inner.order.push_back(key);
        }
        inner.bytes += size;
        while inner.bytes > self.budget {
            let Some(oldest) = inner.order.pop_front() else {
                break;
            };
            if let Some((_, r)) = inner.entries.remove(&oldest) {
                inner.bytes -= r.body.len() + oldest.len();
            }
        }
    }

    /// Answers served from the cache and answers looked for and not found.
    pub fn counts(&self) -> (u64, u64) {
        (
            self.hits.load(Ordering::Relaxed),
            self.misses.load(Ordering::Relaxed),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(body: &str) -> Arc<Rendered> {
        Arc::new(Rendered {
            content_type: "text/csv".into(),
            body: body.as_bytes().to_vec(),
            truncated: false,
        })
    }

    #[test]
    fn a_write_invalidates_and_a_write_in_flight_blocks_storing() {
        let c = Arc::new(ResultCache::new(1 << 20));
        let g = c.generation();
        c.put("q".into(), g, answer("a"));
        assert_eq!(c.get("q").unwrap().body, b"a");
        {
            let _w = c.writing();
            assert!(c.get("q").is_none(), "a write clears the cache");
            // evaluated while the write runs: not stored after it ends
            let during = c.generation();
            drop(_w);
            c.put("q".into(), during, answer("stale"));
        }
        assert!(c.get("q").is_none());
        assert_eq!(c.counts(), (1, 2));
    }

    #[test]
    fn oldest_answers_leave_first_and_volatile_queries_are_not_cached() {
        let c = ResultCache::new(100);
        for k in ["a", "b", "c", "d", "e"] {
            c.put(k.into(), 0, answer(&"x".repeat(20)));
        }
        // 5 x 21 bytes > 100: the first one left
        assert!(c.get("a").is_none());
        assert!(c.get("b").is_some());
        assert!(c.get("e").is_some());
        // larger than a quarter of the budget: not kept
        c.put("big".into(), 0, answer(&"x".repeat(30)));
        assert!(c.get("big").is_none());
        assert!(c.cacheable("SELECT * { ?s ?p ?o }"));
        assert!(!c.cacheable("SELECT (now() AS ?t) {}"));
        assert!(!c.cacheable("SELECT * { SERVICE <http://x/> { ?s ?p ?o } }"));
        assert!(c.cacheable("SELECT ?service_now { ?s <http://x/random> ?service_now }"));
        assert!(!ResultCache::new(0).cacheable("SELECT * {}"));
    }
}
