//! Query results as HTTP bodies: the format picked from `Accept`, the whole
//! result serialized before the status is sent (so a cancelled or failed
//! evaluation is an error status, never a truncated 200), and at most
//! `max_rows` solutions or triples, with the cut made visible in the
//! `X-Kglink-Truncated` header.

use super::conneg;
use super::limits::evaluation_error;
use super::response::ApiError;
use oxigraph::io::{JsonLdProfileSet, RdfFormat, RdfSerializer};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{CancellationToken, QueryResults};

/// Header set to `true` when the result was cut at the row cap.
pub const TRUNCATED_HEADER: &str = "x-kglink-truncated";
/// Header giving the row cap in force.
pub const ROW_LIMIT_HEADER: &str = "x-kglink-row-limit";

/// Media types offered for solutions and booleans, the default first.
pub const SOLUTION_OFFERS: &[(&str, QueryResultsFormat)] = &[
    ("application/sparql-results+json", QueryResultsFormat::Json),
    ("application/json", QueryResultsFormat::Json),
    ("application/sparql-results+xml", QueryResultsFormat::Xml),
    ("application/xml", QueryResultsFormat::Xml),
    ("text/xml", QueryResultsFormat::Xml),
    ("text/csv", QueryResultsFormat::Csv),
    ("text/tab-separated-values", QueryResultsFormat::Tsv),
];

/// Media types offered for graphs (CONSTRUCT, DESCRIBE, Graph Store GET), the
/// default first.
pub const GRAPH_OFFERS: &[(&str, RdfFormat)] = &[
    ("text/turtle", RdfFormat::Turtle),
    ("application/x-turtle", RdfFormat::Turtle),
    ("application/n-triples", RdfFormat::NTriples),
    ("text/plain", RdfFormat::NTriples),
    (
        "application/ld+json",
        RdfFormat::JsonLd {
            profile: JsonLdProfileSet::empty(),
        },
    ),
    ("application/rdf+xml", RdfFormat::RdfXml),
];

/// A serialized result.
#[derive(Debug)]
pub struct Rendered {
    /// `Content-Type` of the body.
    pub content_type: String,
    /// The body.
    pub body: Vec<u8>,
    /// True when rows were left out at the cap.
    pub truncated: bool,
}

/// The graph format for `accept`, or 406.
pub fn graph_format(accept: Option<&str>) -> Result<RdfFormat, ApiError> {
    conneg::choose(accept, GRAPH_OFFERS).ok_or_else(|| {
        ApiError::not_acceptable(format!(
            "no acceptable graph format; offered: {}",
            offered(GRAPH_OFFERS)
        ))
    })
}

fn offered<T>(offers: &[(&str, T)]) -> String {
    offers.iter().map(|o| o.0).collect::<Vec<_>>().join(", ")
}

/// The `Content-Type` of an RDF format (UTF-8 for the text ones).
pub fn rdf_content_type(format: RdfFormat) -> String {
    match format {
        RdfFormat::Turtle | RdfFormat::NTriples | RdfFormat::NQuads | RdfFormat::TriG => {
            format!("{}; charset=utf-8", format.media_type())
        }
        _ => format.media_type().to_string(),
    }
}

/// A Turtle serializer with kglink's prefixes, or a plain one for other formats.
pub fn rdf_serializer(format: RdfFormat) -> RdfSerializer {
    let mut ser = RdfSerializer::from_format(format);
    if format == RdfFormat::Turtle {
        for (p, iri) in crate::query::PREFIXES {
            ser = match ser.clone().with_prefix(*p, *iri) {
                Ok(s) => s,
                Err(_) => ser,
            };
        }
    }
    ser
}

/// Serializes `results` for `accept`, with at most `max_rows` rows.
pub fn render(
    results: QueryResults<'static>,
    accept: Option<&str>,
    max_rows: usize,
    token: &CancellationToken,
) -> Result<Rendered, ApiError> {
    let ee = |e: &dyn std::fmt::Display| evaluation_error(token, e.to_string());
    let io = |e: std::io::Error| ApiError::internal(format!("serializing: {e}"));
    match results {
        QueryResults::Solutions(solutions) => {
            let format = conneg::choose(accept, SOLUTION_OFFERS).ok_or_else(|| {
                ApiError::not_acceptable(format!(
                    "no acceptable result format for a SELECT query; offered: {}",
                    offered(SOLUTION_OFFERS)
                ))
            })?;
            let mut w = QueryResultsSerializer::from_format(format)
                .serialize_solutions_to_writer(Vec::new(), solutions.variables().to_vec())
                .map_err(io)?;
            let mut truncated = false;
            for (rows, s) in solutions.enumerate() {
                let s = s.map_err(|e| ee(&e))?;
                if rows == max_rows {
                    truncated = true;
                    break;
                }
                w.serialize(&s).map_err(io)?;
            }
            Ok(Rendered {
                content_type: format!("{}; charset=utf-8", format.media_type()),
                body: w.finish().map_err(io)?,
                truncated,
            })
        }
        QueryResults::Boolean(b) => {
            let format = conneg::choose(accept, SOLUTION_OFFERS).ok_or_else(|| {
                ApiError::not_acceptable(format!(
                    "no acceptable result format for an ASK query; offered: {}",
                    offered(SOLUTION_OFFERS)
                ))
            })?;
            let body = QueryResultsSerializer::from_format(format)
                .serialize_boolean_to_writer(Vec::new(), b)
                .map_err(io)?;
            Ok(Rendered {
                content_type: format!("{}; charset=utf-8", format.media_type()),
                body,
                truncated: false,
            })
        }
        QueryResults::Graph(triples) => {
            let format = graph_format(accept)?;
            let mut w = rdf_serializer(format).for_writer(Vec::new());
            let mut truncated = false;
            for (rows, t) in triples.enumerate() {
                let t = t.map_err(|e| ee(&e))?;
                if rows == max_rows {
                    truncated = true;
                    break;
                }
                w.serialize_triple(&t).map_err(io)?;
            }
            Ok(Rendered {
                content_type: rdf_content_type(format),
                body: w.finish().map_err(io)?,
                truncated,
            })
        }
    }
}
