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
use crate::model::Link;
use crate::rdf::vocab::{ENTITY_BASE, ITSRDF, NIF, RDF, WD, XSD};
use crate::text::{slug, CharIndex};
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

/// Adds the annotations to `input` (Turtle) and returns the result as Turtle.
pub fn annotate_nif(
    annotator: &Annotator<'_>,
    input: &str,
    forced: Option<Task>,
) -> Result<Vec<u8>, ApiError> {
    let triples: Vec<Triple> = RdfParser::from_format(RdfFormat::Turtle)
        .with_base_iri("http://kglink.invalid/nif")
        .map_err(|e| ApiError::internal(e.to_string()))?
        .for_slice(input.as_bytes())
        .map(|q| {
            q.map(Triple::from)
                .map_err(|e| ApiError::bad_request(format!("NIF Turtle: {e}")))
        })
        .collect::<Result<_, _>>()?;
    let is_string = format!("{NIF}isString");
    let ref_ctx = format!("{NIF}referenceContext");
    let begin_p = format!("{NIF}beginIndex");
    let end_p = format!("{NIF}endIndex");
    let mut contexts: BTreeMap<String, (NamedOrBlankNode, String)> = BTreeMap::new();
    for t in &triples {
        if t.predicate.as_str() == is_string {
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
    // mentions given per context
    let mut given: BTreeMap<String, Vec<Given>> = BTreeMap::new();
    let mut seen: HashSet<String> = HashSet::new();
    for t in &triples {
        if t.predicate.as_str() != ref_ctx {
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
        if let (Some(b), Some(e)) = (get(&begin_p), get(&end_p)) {
            given.entry(ctx).or_default().push(Given {
                subject: t.subject.clone(),
                begin: b,
                end: e,
            });
        }
    }
    let mut out = triples.clone();
    let ident = nn(format!("{ITSRDF}taIdentRef"));
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
            Task::D2kb => {
                for m in mentions {
                    if out
                        .iter()
                        .any(|t| t.subject == m.subject && t.predicate == ident)
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
                    } else if let Some((id, _, _)) =
                        annotator.kb().lookup(&surface).first().copied()
                    {
                        format!("{WD}{}", annotator.kb().entity(id).qid)
                    } else {
                        let s = slug(&surface);
                        format!(
                            "{ENTITY_BASE}unknown/{}",
                            if s.is_empty() { "unnamed".into() } else { s }
                        )
                    };
                    out.push(Triple::new(m.subject.clone(), ident.clone(), nn(iri)));
                }
            }
            Task::A2kb => {
                let base = match ctx_subject {
                    NamedOrBlankNode::NamedNode(n) => {
                        n.as_str().split('#').next().unwrap_or("").to_string()
                    }
                    _ => "http://kglink.invalid/nif".to_string(),
                };
                for (b, e, l) in spans {
                    let m = nn(format!("{base}#char={b},{e}"));
                    let a = nn(format!("{RDF}type"));
                    for class in ["String", "Phrase", "RFC5147String"] {
                        out.push(Triple::new(
                            m.clone(),
                            a.clone(),
                            nn(format!("{NIF}{class}")),
                        ));
                    }
                    let nonneg = nn(format!("{XSD}nonNegativeInteger"));
                    out.push(Triple::new(
                        m.clone(),
                        nn(ref_ctx.clone()),
                        ctx_subject.clone(),
                    ));
                    out.push(Triple::new(
                        m.clone(),
                        nn(format!("{NIF}anchorOf")),
                        Literal::new_simple_literal(&text[l.mention.start..l.mention.end]),
                    ));
                    out.push(Triple::new(
                        m.clone(),
                        nn(begin_p.clone()),
                        Literal::new_typed_literal(b.to_string(), nonneg.clone()),
                    ));
                    out.push(Triple::new(
                        m.clone(),
                        nn(end_p.clone()),
                        Literal::new_typed_literal(e.to_string(), nonneg),
                    ));
                    out.push(Triple::new(m.clone(), ident.clone(), nn(l.target.iri())));
                    out.push(Triple::new(
                        m,
                        nn(format!("{ITSRDF}taConfidence")),
                        Literal::from(f64::from(l.confidence)),
                    ));
                }
            }
        }
    }
    let mut ser = RdfSerializer::from_format(RdfFormat::Turtle);
    for (p, iri) in [("nif", NIF), ("itsrdf", ITSRDF), ("xsd", XSD), ("wd", WD)] {
        ser = ser
            .with_prefix(p, iri)
            .map_err(|e| ApiError::internal(e.to_string()))?;
    }
    let mut w = ser.for_writer(Vec::new());
    for t in &out {
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
    let kb = state.kb;
    let min = state.config.min_confidence;
    let r = run_blocking(&state, Some(state.config.query_timeout), move |_| {
        annotate_nif(&Annotator::new(kb).with_min_confidence(min), &text, forced)
    })
    .await;
    match r {
        Ok(b) => body("text/turtle; charset=utf-8", b),
        Err(e) => e.into_response(),
    }
}
