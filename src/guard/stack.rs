//! A stack large enough for any query that passes the nesting limits.
//!
//! SPARQL parsing, optimization and evaluation recurse over the query's
//! algebra. The nesting limits of [`super::nesting`] bound that recursion;
//! this is the stack it needs at those limits, with room to spare (measured
//! by the `deep_queries_fit_the_query_stack` test). Only the pages a thread
//! touches are committed, so a large reservation costs address space, not
//! memory.

/// Stack size of every thread that parses or evaluates SPARQL: 256 MiB.
pub const QUERY_STACK: usize = 256 << 20;

/// Runs `f` on a new thread with a [`QUERY_STACK`] stack and returns what
/// it returns (an error when the thread cannot be started); a panic in `f`
/// is resumed on the caller's thread.
pub fn with_query_stack<T: Send>(f: impl FnOnce() -> T + Send) -> std::io::Result<T> {
    std::thread::scope(|s| {
        let handle = std::thread::Builder::new()
            .name("kglink-query".into())
            .stack_size(QUERY_STACK)
            .spawn_scoped(s, f)?;
        match handle.join() {
            Ok(v) => Ok(v),
            Err(p) => std::panic::resume_unwind(p),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guard::nesting::{check, NestingLimits};
    use oxigraph::model::{GraphNameRef, NamedNodeRef, QuadRef};
    use oxigraph::sparql::{QueryResults, SparqlEvaluator};

    /// The deepest queries the default limits let through, of every shape
    /// that recurses, parse and evaluate on the query stack.
    #[test]
    fn deep_queries_fit_the_query_stack() {
        let limits = NestingLimits::default();
        let n = limits.max_chain - 10;
        let d = limits.max_depth - 1;
        let shapes = [
            format!(
                "SELECT * WHERE {{ {} }}",
                vec!["{ ?s ?p ?o }"; n / 2].join(" UNION ")
            ),
            format!(
                "SELECT * WHERE {{ ?s ?p ?o {} }}",
                "OPTIONAL { ?s ?p ?o } ".repeat(n / 2)
            ),
            format!(
                "SELECT * WHERE {{ ?s ?p ?o {} }}",
                "MINUS { ?s ?p ?o } ".repeat(n / 2)
            ),
            format!("SELECT * WHERE {{ {} }}", "{ ?s ?p ?o } ".repeat(n)),
            format!("SELECT * WHERE {{ ?s ?p ?o {} }}", "FILTER(?o) ".repeat(n)),
            format!(
                "SELECT * WHERE {{ ?s ?p ?o {} }}",
                (0..n)
                    .map(|i| format!("BIND(1 AS ?v{i}) "))
                    .collect::<String>()
            ),
            format!(
                "SELECT * WHERE {{ ?s ?p ?o FILTER({}) }}",
                vec!["?o"; n].join(" || ")
            ),
            format!(
                "SELECT * WHERE {{ ?s ?p ?o FILTER({} = 3) }}",
                vec!["1"; n].join(" + ")
            ),
            format!(
                "SELECT * WHERE {{ ?s {} ?o }}",
                vec!["<http://p>"; n].join("/")
            ),
            format!(
                "SELECT * WHERE {{ ?s {} ?o }}",
                vec!["<http://p>"; n].join("|")
            ),
            format!(
                "SELECT * WHERE {}{}{}",
                "{".repeat(d),
                "?s ?p ?o",
                "}".repeat(d)
            ),
            format!(
                "SELECT * WHERE {}{}",
                "{ SELECT * WHERE ".repeat(d / 2) + "{ ?s ?p ?o }",
                "}".repeat(d / 2)
            ),
            format!(
                "SELECT * WHERE {{ ?s {}<http://p>{} ?o }}",
                "(".repeat(d),
                ")".repeat(d)
            ),
        ];
        let store = oxigraph::store::Store::new().unwrap();
        let p = NamedNodeRef::new("http://p").unwrap();
        store
            .insert(QuadRef::new(p, p, p, GraphNameRef::DefaultGraph))
            .unwrap();
        for q in shapes {
            let nesting = check(&q, limits).unwrap_or_else(|e| panic!("{e}: {}", &q[..80]));
            let rows = with_query_stack(|| {
                let eval = if nesting.optimize {
                    SparqlEvaluator::new()
                } else {
                    SparqlEvaluator::new().without_optimizations()
                };
                let prepared = eval.parse_query(&q).unwrap();
                match prepared.on_store(&store).execute().unwrap() {
                    QueryResults::Solutions(s) => {
                        let mut rows = 0;
                        for r in s {
                            r.unwrap();
                            rows += 1;
                        }
                        rows
                    }
                    _ => unreachable!(),
                }
            })
            .unwrap();
            // every shape matches the one triple, or nothing (UNION: each branch)
            assert!(rows <= n / 2, "{rows} rows for {}", &q[..80]);
        }
    }
}
