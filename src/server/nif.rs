//! `POST /nif`: GERBIL's NIF annotator contract. The request is a NIF 2.0
//! document in Turtle: one or more `nif:Context`s with their `nif:isString`,
//! and, for D2KB, the mentions to disambiguate (`nif:referenceContext`,
//! `nif:beginIndex`, `nif:endIndex`). The answer is the same document in
//! Turtle with `itsrdf:taIdentRef` added:
//!
//! - **D2KB** (the context has mentions): each given mention gets the entity
//!   kglink linked at that span (or the overlapping one, or the KB's most
//!   prominent candidate for its text), else a stable IRI for an unknown
//!   entity under `https://w3id.org/kglink/entity/unknown/`.
//! - **A2KB** (no mentions given): kglink's own mentions are added as
//!   `nif:Phrase` resources `<CONTEXT-BASE#char=B,E>` with `nif:anchorOf`,
//!   offsets, `itsrdf:taIdentRef` and `itsrdf:taConfidence`.
//!
//! `?task=a2kb` or `?task=d2kb` forces a mode. Offsets count Unicode scalar
//! values.

use super::limits::run_blocking;
use super::response::{body, ApiError};
use super::sparql::{content_type, form_pairs, utf8_body};
use super::AppState;
use crate::annotate::Annotator;
use crate::model::ids;
use crate::model::Link;
use crate::rdf::vocab::{ITSRDF, NIF, RDF, WD, XSD};
use crate::text::CharIndex;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use oxigraph::io::{RdfFormat, RdfParser, RdfSerializer};
use oxigraph::model::{Literal, NamedNode, NamedOrBlankNode, Term, Triple};
use std::collections::{BTreeMap, HashSet};

fn nn(iri: String) -> NamedNode {
    NamedNode::new_unchecked(iri)
}

fn int_value(t: &Term) -> Option<usize> {
    match t {
        Term::Literal(l) => l.value().trim().parse().ok(),
        _ => None,
    }
}

/// Which GERBIL task to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    /// Find and link mentions.
    A2kb,
    /// Link the mentions given.
    D2kb,
}

/// A given mention: its resource and character offsets.
struct Given {
    subject: NamedOrBlankNode,
    begin: usize,
    end: usize,
}

/// The NIF predicates read from a request.
struct Terms {
    is_string: String,
    ref_ctx: String,
    begin: String,
    end: String,
    ident: NamedNode,
}

impl Terms {
    fn new() -> Self {
        Terms {
            is_string: format!("{NIF}isString"),
            ref_ctx: format!("{NIF}referenceContext"),
            begin: format!("{NIF}beginIndex"),
            end: format!("{NIF}endIndex"),
            ident: nn(format!("{ITSRDF}taIdentRef")),
        }
    }
}

/// Adds the annotations to `input` (Turtle) and returns the result as Turtle.
pub fn annotate_nif(
    annotator: &Annotator<'_>,
    input: &str,
    forced: Option<Task>,
) -> Result<Vec<u8>, ApiError> {
    let triples = parse_turtle(input)?;
    let terms = Terms::new();
    let contexts = contexts(&triples, &terms)?;
    let given = given_mentions(&triples, &terms, &contexts);
    let mut out = triples.clone();
    for (key, (ctx_subject, text)) in &contexts {
        let links = annotator.links(text, None);
        let ix = CharIndex::new(text);
        let spans: Vec<(usize, usize, &Link)> = links
            .iter()
            .map(|l| (ix.char_of(l.mention.start), ix.char_of(l.mention.end), l))
            .collect();
        let mentions = given.get(key).map(Vec::as_slice).unwrap_or(&[]);
        let task = forced.unwrap_or(if mentions.is_empty() {
            Task::A2kb
        } else {
            Task::D2kb
        });
        match task {
            Task::D2kb => d2kb(annotator, &terms, text, &spans, mentions, &mut out),
            Task::A2kb => a2kb(&terms, ctx_subject, text, &spans, &mut out),
        }
    }
    write_turtle(&out)
}

fn parse_turtle(input: &str) -> Result<Vec<Triple>, ApiError> {
    RdfParser::from_format(RdfFormat::Turtle)
        .with_base_iri("http://kglink.invalid/nif")
        .map_err(|e| ApiError::internal(e.to_string()))?
        .for_slice(input.as_bytes())
        .map(|q| {
            q.map(Triple::from)
                .map_err(|e| ApiError::bad_request(format!("NIF Turtle: {e}")))
        })
        .collect()
}

/// The contexts of the document (by subject): their resource and text.
fn contexts(
    triples: &[Triple],
    terms: &Terms,
) -> Result<BTreeMap<String, (NamedOrBlankNode, String)>, ApiError> {
    let mut contexts = BTreeMap::new();
    for t in triples {
        if t.predicate.as_str() == terms.is_string {
            if let Term::Literal(l) = &t.object {
                contexts.insert(
                    t.subject.to_string(),
                    (t.subject.clone(), l.value().to_string()),
                );
            }
        }
    }
    if contexts.is_empty() {
        return Err(ApiError::bad_request(
            "NIF document without a nif:Context with nif:isString",
        ));
    }
    Ok(contexts)
}

/// The mentions given per context: those with a begin and an end index.
fn given_mentions(
    triples: &[Triple],
    terms: &Terms,
    contexts: &BTreeMap<String, (NamedOrBlankNode, String)>,
) -> BTreeMap<String, Vec<Given>> {
    let mut given: BTreeMap<String, Vec<Given>> = BTreeMap::new();
    let mut seen: HashSet<String> = HashSet::new();
    for t in triples {
        if t.predicate.as_str() != terms.ref_ctx {
            continue;
        }
        let ctx = t.object.to_string();
        if !contexts.contains_key(&ctx) || !seen.insert(t.subject.to_string()) {
            continue;
        }
        let get = |p: &str| {
            triples
                .iter()
                .find(|x| x.subject == t.subject && x.predicate.as_str() == p)
                .and_then(|x| int_value(&x.object))
        };
        if let (Some(b), Some(e)) = (get(&terms.begin), get(&terms.end)) {
            given.entry(ctx).or_default().push(Given {
                subject: t.subject.clone(),
                begin: b,
                end: e,
            });
        }
    }
    given
}

/// D2KB: each given mention without an `itsrdf:taIdentRef` gets the entity
/// linked at its span (or an overlapping one), else the KB's first candidate
/// for its text, else an IRI for an unknown entity.
fn d2kb(
    annotator: &Annotator<'_>,
    terms: &Terms,
    text: &str,
    spans: &[(usize, usize, &Link)],
    mentions: &[Given],
    out: &mut Vec<Triple>,
) {
    for m in mentions {
        if out
            .iter()
            .any(|t| t.subject == m.subject && t.predicate == terms.ident)
        {
            continue;
        }
        let surface: String = text
            .chars()
            .skip(m.begin)
            .take(m.end.saturating_sub(m.begin))
            .collect();
        let exact = spans.iter().find(|s| s.0 == m.begin && s.1 == m.end);
        let overlap = spans.iter().find(|s| s.0 < m.end && m.begin < s.1);
        let iri = if let Some((_, _, l)) = exact.or(overlap) {
            l.target.iri()
        } else if let Some((id, _, _)) = annotator.kb().lookup(&surface).first().copied() {
            ids::qid_iri(&annotator.kb().entity(id).qid)
        } else {
            ids::unknown_mention_iri(&surface)
        };
        out.push(Triple::new(m.subject.clone(), terms.ident.clone(), nn(iri)));
    }
}

/// A2KB: kglink's own mentions as `nif:Phrase` resources of the context.
fn a2kb(
    terms: &Terms,
    ctx_subject: &NamedOrBlankNode,
    text: &str,
    spans: &[(usize, usize, &Link)],
    out: &mut Vec<Triple>,
) {
    let base = match ctx_subject {
        NamedOrBlankNode::NamedNode(n) => n.as_str().split('#').next().unwrap_or("").to_string(),
        _ => "http://kglink.invalid/nif".to_string(),
    };
    let a = nn(format!("{RDF}type"));
    let nonneg = nn(format!("{XSD}nonNegativeInteger"));
    for &(b, e, l) in spans {
        let m = nn(ids::span_iri(&base, b, e));
        for class in ["String", "Phrase", "RFC5147String"] {
            out.push(Triple::new(
                m.clone(),
                a.clone(),
                nn(format!("{NIF}{class}")),
            ));
        }
        let mut add = |p: NamedNode, o: Term| out.push(Triple::new(m.clone(), p, o));
        add(nn(terms.ref_ctx.clone()), ctx_subject.clone().into());
        add(
            nn(format!("{NIF}anchorOf")),
            Literal::new_simple_literal(&text[l.mention.start..l.mention.end]).into(),
        );
        add(
            nn(terms.begin.clone()),
            Literal::new_typed_literal(b.to_string(), nonneg.clone()).into(),
        );
        add(
            nn(terms.end.clone()),
            Literal::new_typed_literal(e.to_string(), nonneg.clone()).into(),
        );
        add(terms.ident.clone(), nn(l.target.iri()).into());
        add(
            nn(format!("{ITSRDF}taConfidence")),
            Literal::from(f64::from(l.confidence)).into(),
        );
    }
}

fn write_turtle(out: &[Triple]) -> Result<Vec<u8>, ApiError> {
    let mut ser = RdfSerializer::from_format(RdfFormat::Turtle);
    for (p, iri) in [("nif", NIF), ("itsrdf", ITSRDF), ("xsd", XSD), ("wd", WD)] {
        ser = ser
            .with_prefix(p, iri)
            .map_err(|e| ApiError::internal(e.to_string()))?;
    }
    let mut w = ser.for_writer(Vec::new());
    for t in out {
        w.serialize_triple(t)
            .map_err(|e| ApiError::internal(e.to_string()))?;
    }
    w.finish().map_err(|e| ApiError::internal(e.to_string()))
}

/// `POST /nif`.
pub async fn nif(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    bytes: Result<Bytes, BytesRejection>,
) -> Response {
    let bytes = match bytes {
        Ok(b) => b,
        Err(e) => return ApiError::new(e.status(), e.body_text()).into_response(),
    };
    let forced = match form_pairs(uri.query().unwrap_or("").as_bytes())
        .into_iter()
        .find(|(k, _)| k == "task")
        .map(|(_, v)| v.to_ascii_lowercase())
        .as_deref()
    {
        None => None,
        Some("a2kb") => Some(Task::A2kb),
        Some("d2kb") => Some(Task::D2kb),
        Some(other) => {
            return ApiError::bad_request(format!("task {other:?}: use a2kb or d2kb"))
                .into_response()
        }
    };
    let charset = content_type(&headers).and_then(|c| c.1);
    let text = match utf8_body(&bytes, charset.as_deref()) {
        Ok(t) => t,
        Err(e) => return e.into_response(),
    };
    let annotator = state.annotator.clone();
    let r = run_blocking(&state, Some(state.config.query_timeout), move |_| {
        annotate_nif(&annotator, &text, forced)
    })
    .await;
    match r {
        Ok(b) => body("text/turtle; charset=utf-8", b),
        Err(e) => e.into_response(),
    }
}
