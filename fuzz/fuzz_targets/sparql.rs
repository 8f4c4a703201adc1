//! Arbitrary bytes as a SPARQL query and as an update, through the entry
//! every query of kglink takes: the nesting check, then (on the query
//! stack) parsing and evaluation on a small in-memory store. Nothing may
//! panic or overflow a stack.
#![no_main]

use kglink::guard::nesting::{check, NestingLimits};
use kglink::guard::with_query_stack;
use libfuzzer_sys::fuzz_target;
use oxigraph::model::{GraphNameRef, NamedNodeRef, QuadRef};
use oxigraph::sparql::{CancellationToken, QueryResults, SparqlEvaluator};
use std::sync::OnceLock;

fn store() -> &'static oxigraph::store::Store {
    static STORE: OnceLock<oxigraph::store::Store> = OnceLock::new();
    STORE.get_or_init(|| {
        let s = oxigraph::store::Store::new().unwrap();
        let p = NamedNodeRef::new("http://e/p").unwrap();
        for o in ["http://e/a", "http://e/b", "http://e/c"] {
            let o = NamedNodeRef::new(o).unwrap();
            s.insert(QuadRef::new(o, p, o, GraphNameRef::DefaultGraph)).unwrap();
        }
        s
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let limits = NestingLimits::default();
    let Ok(nesting) = check(text, limits) else {
        return;
    };
    with_query_stack(|| {
        let eval = if nesting.optimize {
            SparqlEvaluator::new()
        } else {
            SparqlEvaluator::new().without_optimizations()
        };
        // a deadline of its own: cancel at once after the first rows
        let token = CancellationToken::new();
        if let Ok(q) = eval.clone().with_cancellation_token(token.clone()).parse_query(text) {
            if let Ok(QueryResults::Solutions(s)) = q.on_store(store()).execute() {
                for (i, _) in s.enumerate() {
                    if i > 1000 {
                        token.cancel();
                        break;
                    }
                }
            }
        }
        // updates are parsed only (the store stays as seeded)
        let _ = eval.parse_update(text);
    })
    .unwrap();
});
