//! The SPARQL 1.1 Service Description answered by `GET /sparql` without a
//! query: the endpoint, the languages (update only with a token), the result
//! formats, and the union default graph.

use super::results;
use oxigraph::model::{
    BlankNode, Literal, NamedNode, NamedNodeRef, NamedOrBlankNode, Term, Triple,
};

/// The Service Description namespace.
pub const SD: &str = "http://www.w3.org/ns/sparql-service-description#";
const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";

fn sd(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{SD}{local}"))
}

/// The description's triples for the endpoint at `endpoint`.
pub fn triples(endpoint: &str, writable: bool) -> Vec<Triple> {
    let service = BlankNode::default();
    let s = |p: NamedNode, o: Term| Triple::new(NamedOrBlankNode::from(service.clone()), p, o);
    let a = NamedNode::new_unchecked(RDF_TYPE);
    let mut out = vec![
        s(a.clone(), sd("Service").into()),
        s(sd("endpoint"), NamedNode::new_unchecked(endpoint).into()),
        s(sd("supportedLanguage"), sd("SPARQL11Query").into()),
        s(sd("feature"), sd("UnionDefaultGraph").into()),
        s(
            NamedNodeRef::new_unchecked("http://www.w3.org/2000/01/rdf-schema#comment").into(),
            Literal::from(
                "kglink: news articles linked to Wikidata; one named graph per article, the KB in its own graph; the default graph is their union",
            )
            .into(),
        ),
    ];
    if writable {
        out.push(s(sd("supportedLanguage"), sd("SPARQL11Update").into()));
    }
    let mut formats: Vec<&str> = Vec::new();
    for f in results::SOLUTION_OFFERS.iter().map(|o| o.1.iri()) {
        if !formats.contains(&f) {
            formats.push(f);
        }
    }
    for f in results::GRAPH_OFFERS.iter().map(|o| o.1.iri()) {
        if !formats.contains(&f) {
            formats.push(f);
        }
    }
    for f in formats {
        out.push(s(sd("resultFormat"), NamedNode::new_unchecked(f).into()));
    }
    let dataset = BlankNode::default();
    let graph = BlankNode::default();
    out.push(s(sd("defaultDataset"), dataset.clone().into()));
    out.push(Triple::new(dataset.clone(), a.clone(), sd("Dataset")));
    out.push(Triple::new(dataset, sd("defaultGraph"), graph.clone()));
    out.push(Triple::new(graph, a, sd("Graph")));
    out
}
