//! Queries: saved queries by name (`queries/*.rq`, embedded in the binary),
//! parameters bound as SPARQL variables, and results written as a text table,
//! SPARQL JSON/XML/CSV/TSV, or Turtle/N-Triples for graphs.

use crate::embedded::SAVED_QUERIES;
use crate::error::{Error, Result};
use crate::guard::NestingLimits;
use crate::rdf::vocab;
use crate::store::Store;
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{Literal, NamedNode, Term, Variable};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use std::io::Write;

/// Output formats of `kglink query`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Aligned text table with prefixed names (default).
    Table,
    /// SPARQL 1.1 Query Results JSON.
    Json,
    /// SPARQL 1.1 Query Results CSV.
    Csv,
    /// SPARQL 1.1 Query Results TSV.
    Tsv,
    /// SPARQL Query Results XML.
    Xml,
    /// Turtle (CONSTRUCT / DESCRIBE).
    Ttl,
    /// N-Triples (CONSTRUCT / DESCRIBE).
    Nt,
}

/// A saved query: its name (file stem), header comment and text.
#[derive(Debug, Clone, Copy)]
pub struct SavedQuery {
    /// Name, as given to `kglink query NAME`.
    pub name: &'static str,
    /// The SPARQL text.
    pub text: &'static str,
}

impl SavedQuery {
    /// The first comment line of the header, without `# `.
    pub fn summary(&self) -> &'static str {
        self.text
            .lines()
            .find_map(|l| l.strip_prefix('#'))
            .map(str::trim)
            .unwrap_or("")
    }
}

/// All saved queries, by name.
pub fn saved_queries() -> impl Iterator<Item = SavedQuery> {
    SAVED_QUERIES
        .iter()
        .map(|&(name, text)| SavedQuery { name, text })
}

/// The saved query called `name`.
pub fn saved_query(name: &str) -> Result<SavedQuery> {
    saved_queries()
        .find(|q| q.name == name)
        .ok_or_else(|| Error::UnknownQuery {
            name: name.to_string(),
            known: saved_queries()
                .map(|q| q.name)
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// Turns `--param` values into RDF terms: `Q42` → `wd:Q42`, `<iri>` or `http…` →
/// IRI, integers → `xsd:integer`, other numbers → `xsd:double`, anything else →
/// a plain string.
pub fn param_term(value: &str) -> Term {
    if crate::kb::is_qid(value) {
        return NamedNode::new_unchecked(format!("{}{value}", vocab::WD)).into();
    }
    let iri = value
        .strip_prefix('<')
        .and_then(|v| v.strip_suffix('>'))
        .unwrap_or(value);
    if iri.starts_with("http://") || iri.starts_with("https://") {
        if let Ok(n) = NamedNode::new(iri) {
            return n.into();
        }
    }
    if let Ok(i) = value.parse::<i64>() {
        return Literal::from(i).into();
    }
    if let Ok(f) = value.parse::<f64>() {
        return Literal::from(f).into();
    }
    Literal::from(value).into()
}

/// Runs `sparql` on `store` with `params` bound (`name=value`), union default
/// graph. A query nested beyond [`NestingLimits::default`] is refused; call
/// it on a thread with the query stack ([`crate::guard::with_query_stack`]),
/// which evaluation (while the results are read) needs too.
pub fn run(
    store: &Store,
    sparql: &str,
    params: &[(String, String)],
) -> Result<QueryResults<'static>> {
    let nesting = crate::guard::nesting::check(sparql, NestingLimits::default())
        .map_err(|e| Error::Query(e.to_string()))?;
    let eval = if nesting.optimize {
        SparqlEvaluator::new()
    } else {
        SparqlEvaluator::new().without_optimizations()
    };
    let mut prepared = eval
        .parse_query(sparql)
        .map_err(|e| Error::Query(e.to_string()))?;
    if prepared.dataset().is_default_dataset() {
        prepared.dataset_mut().set_default_graph_as_union();
    }
    for (name, value) in params {
        let var = Variable::new(name.trim_start_matches(['?', '$']))
            .map_err(|e| Error::Query(format!("parameter {name:?}: {e}")))?;
        prepared = prepared.substitute_variable(var, param_term(value));
    }
    prepared
        .on_store(store.oxigraph())
        .execute()
        .map_err(|e| Error::Query(e.to_string()))
}

/// Writes query results in `format`.
pub fn write_results(
    results: QueryResults<'static>,
    format: OutputFormat,
    out: &mut dyn Write,
) -> Result<()> {
    let io = |e: std::io::Error| Error::io("<stdout>", e);
    let qe = |e: oxigraph::sparql::QueryEvaluationError| Error::Query(e.to_string());
    match results {
        QueryResults::Solutions(solutions) => {
            let rf = match format {
                OutputFormat::Table => {
                    let vars: Vec<Variable> = solutions.variables().to_vec();
                    let mut rows: Vec<Vec<String>> = Vec::new();
                    for s in solutions {
                        let s = s.map_err(qe)?;
                        rows.push(
                            vars.iter()
                                .map(|v| s.get(v).map(short_term).unwrap_or_default())
                                .collect(),
                        );
                    }
                    let header: Vec<String> = vars.iter().map(|v| v.as_str().to_string()).collect();
                    return write_table(&header, &rows, out).map_err(io);
                }
                OutputFormat::Json => QueryResultsFormat::Json,
                OutputFormat::Csv => QueryResultsFormat::Csv,
                OutputFormat::Tsv => QueryResultsFormat::Tsv,
                OutputFormat::Xml => QueryResultsFormat::Xml,
                OutputFormat::Ttl | OutputFormat::Nt => {
                    return Err(Error::Query(
                        "a SELECT query gives solutions: use --format table, json, csv, tsv or xml"
                            .into(),
                    ))
                }
            };
            let mut w = QueryResultsSerializer::from_format(rf)
                .serialize_solutions_to_writer(out, solutions.variables().to_vec())
                .map_err(io)?;
            for s in solutions {
                w.serialize(&s.map_err(qe)?).map_err(io)?;
            }
            w.finish().map_err(io)?;
        }
        QueryResults::Boolean(b) => match format {
            OutputFormat::Table => writeln!(out, "{b}").map_err(io)?,
            OutputFormat::Json | OutputFormat::Csv | OutputFormat::Tsv | OutputFormat::Xml => {
                let rf = match format {
                    OutputFormat::Json => QueryResultsFormat::Json,
                    OutputFormat::Csv => QueryResultsFormat::Csv,
                    OutputFormat::Tsv => QueryResultsFormat::Tsv,
                    _ => QueryResultsFormat::Xml,
                };
                QueryResultsSerializer::from_format(rf)
                    .serialize_boolean_to_writer(out, b)
                    .map_err(io)?;
            }
            _ => {
                return Err(Error::Query(
                    "an ASK query gives a boolean: use --format table, json, csv, tsv or xml"
                        .into(),
                ))
            }
        },
        QueryResults::Graph(triples) => {
            let rf = match format {
                OutputFormat::Nt => RdfFormat::NTriples,
                OutputFormat::Ttl | OutputFormat::Table => RdfFormat::Turtle,
                _ => {
                    return Err(Error::Query(
                        "a CONSTRUCT or DESCRIBE query gives a graph: use --format ttl or nt"
                            .into(),
                    ))
                }
            };
            let mut ser = RdfSerializer::from_format(rf);
            if rf == RdfFormat::Turtle {
                for (p, iri) in PREFIXES {
                    ser = ser
                        .with_prefix(*p, *iri)
                        .map_err(|e| Error::Query(e.to_string()))?;
                }
            }
            let mut w = ser.for_writer(out);
            for t in triples {
                w.serialize_triple(&t.map_err(qe)?).map_err(io)?;
            }
            w.finish().map_err(io)?;
        }
    }
    Ok(())
}

/// Prefixes used for short names in tables and Turtle output.
pub const PREFIXES: &[(&str, &str)] = &[
    ("wd", vocab::WD),
    ("wdt", vocab::WDT),
    ("kgl", vocab::KGL),
    ("schema", vocab::SCHEMA),
    ("nif", vocab::NIF),
    ("itsrdf", vocab::ITSRDF),
    ("rdfs", vocab::RDFS),
    ("skos", vocab::SKOS),
    ("rdf", vocab::RDF),
    ("prov", vocab::PROV),
    ("article", vocab::ARTICLE_BASE),
    ("local", vocab::ENTITY_BASE),
];

/// A term as a table cell: prefixed IRI, bare literal value.
pub fn short_term(t: &Term) -> String {
    match t {
        Term::NamedNode(n) => {
            let iri = n.as_str();
            for (p, ns) in PREFIXES {
                if let Some(local) = iri.strip_prefix(ns) {
                    if !local.is_empty() && !local.contains(['#', '/'])
                        || *p == "local"
                        || *p == "article"
                    {
                        return format!("{p}:{local}");
                    }
                }
            }
            format!("<{iri}>")
        }
        Term::Literal(l) => l.value().to_string(),
        other => other.to_string(),
    }
}

fn write_table(
    header: &[String],
    rows: &[Vec<String>],
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let clean = |s: &str| s.replace(['\n', '\t', '\r'], " ");
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(clean(c).chars().count().min(60));
        }
    }
    let line = |cells: &[String], out: &mut dyn Write| -> std::io::Result<()> {
        let mut s = String::new();
        for (i, (c, w)) in cells.iter().zip(&widths).enumerate() {
            let mut c = clean(c);
            if c.chars().count() > 60 {
                c = c.chars().take(59).collect::<String>() + "…";
            }
            if i > 0 {
                s.push_str("  ");
            }
            s.push_str(&c);
            if i + 1 < cells.len() {
                s.push_str(&" ".repeat(w - c.chars().count()));
            }
        }
        writeln!(out, "{}", s.trim_end())
    };
    line(header, out)?;
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    line(&rule, out)?;
    for r in rows {
        line(r, out)?;
    }
    writeln!(
        out,
        "({} row{})",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" }
    )
}
