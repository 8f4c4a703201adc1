//! Wikidata's truthy N-Triples (`latest-truthy.nt[.gz|.bz2]`): the best-rank
//! statements as `wdt:` triples plus labels, aliases, descriptions and sitelinks.
//!
//! Triples are grouped by entity as the dump writes them (one block per entity);
//! when the subject changes, the block is turned into a record with the same
//! rules as the JSON dump (see [`super::wikidata`]). Truthy triples have no
//! qualifiers, so positions come without dates. Sitelinks are counted from
//! `schema:about` triples (or taken from `wikibase:sitelinks`), the English
//! Wikipedia title from the `en.wikipedia.org` article IRI.

use super::wikidata::Entity;
use super::{ImportOptions, Record};
use crate::error::{Error, Result};
use oxigraph::io::{RdfFormat, RdfParseError, RdfParser};
use oxigraph::model::{Literal, Term};
use std::path::Path;

const ENTITY: &str = "http://www.wikidata.org/entity/";
const DIRECT: &str = "http://www.wikidata.org/prop/direct/";
const LABEL: &str = "http://www.w3.org/2000/01/rdf-schema#label";
const ALT_LABEL: &str = "http://www.w3.org/2004/02/skos/core#altLabel";
const DESCRIPTION: &str = "http://schema.org/description";
const ABOUT: &str = "http://schema.org/about";
const SITELINKS: &str = "http://wikiba.se/ontology#sitelinks";
const ENWIKI: &str = "https://en.wikipedia.org/wiki/";

/// The triples of one entity.
#[derive(Default)]
struct Block {
    id: String,
    labels: Vec<(String, String)>,
    descriptions: Vec<(String, String)>,
    aliases: Vec<(String, String)>,
    claims: Vec<(String, serde_json::Value)>,
    sitelinks: Vec<(String, String)>,
    sitelink_count: Option<u32>,
}

impl Block {
    fn finish(self, opts: &ImportOptions, sink: &mut dyn FnMut(Record)) {
        if self.id.is_empty() {
            return;
        }
        let count = self.sitelink_count;
        let entity = Entity::from_parts(
            self.id,
            self.labels,
            self.descriptions,
            self.aliases,
            self.claims,
            self.sitelinks,
        );
        if let Some(mut r) = entity.to_record(opts) {
            if let Some(n) = count {
                r.sitelinks = Some(n.max(r.sitelinks.unwrap_or(0)));
            }
            sink(r);
        }
    }
}

fn lang_text(l: &Literal) -> Option<(String, String)> {
    Some((l.language()?.to_string(), l.value().to_string()))
}

/// Reads truthy N-Triples, calling `sink` for every entity kept by its class.
pub fn read(path: &Path, opts: &ImportOptions, sink: &mut dyn FnMut(Record)) -> Result<()> {
    let reader = super::open(path)?;
    let parser = RdfParser::from_format(RdfFormat::NTriples).for_reader(reader);
    let mut block = Block::default();
    for quad in parser {
        let quad = quad.map_err(|e| match e {
            RdfParseError::Syntax(s) => match s.location() {
                Some(loc) => super::located(
                    path,
                    loc.start.line as usize + 1,
                    loc.start.offset,
                    format!("bad N-Triples: {s}"),
                ),
                None => Error::BadInput {
                    path: path.into(),
                    message: format!("bad N-Triples: {s}"),
                },
            },
            RdfParseError::Io(e) => Error::BadInput {
                path: path.into(),
                message: format!("read error: {e}"),
            },
        })?;
        let predicate = quad.predicate.as_str();
        // the entity this triple is about
        let (id, about_article) = if predicate == ABOUT {
            match &quad.object {
                Term::NamedNode(o) => match o.as_str().strip_prefix(ENTITY) {
                    Some(q) => (q, quad.subject.to_string()),
                    None => continue,
                },
                _ => continue,
            }
        } else {
            match &quad.subject {
                oxigraph::model::NamedOrBlankNode::NamedNode(s) => {
                    match s.as_str().strip_prefix(ENTITY) {
                        Some(q) => (q, String::new()),
                        None => continue,
                    }
                }
                _ => continue,
            }
        };
        if id != block.id {
            let done = std::mem::take(&mut block);
            done.finish(opts, sink);
            block.id = id.to_string();
        }
        match (predicate, &quad.object) {
            (ABOUT, _) => {
                let iri = about_article.trim_start_matches('<').trim_end_matches('>');
                let site = iri
                    .split("//")
                    .nth(1)
                    .and_then(|h| h.split('/').next())
                    .unwrap_or(iri)
                    .to_string();
                let title = iri
                    .strip_prefix(ENWIKI)
                    .map(|t| percent_decode(t).replace('_', " "))
                    .unwrap_or_default();
                let site = if iri.starts_with(ENWIKI) {
                    "enwiki".to_string()
                } else {
                    site
                };
                block.sitelinks.push((site, title));
            }
            (LABEL, Term::Literal(l)) => block.labels.extend(lang_text(l)),
            (ALT_LABEL, Term::Literal(l)) => block.aliases.extend(lang_text(l)),
            (DESCRIPTION, Term::Literal(l)) => block.descriptions.extend(lang_text(l)),
            (SITELINKS, Term::Literal(l)) => block.sitelink_count = l.value().parse().ok(),
            (p, o) => {
                let Some(prop) = p.strip_prefix(DIRECT) else {
                    continue;
                };
                let value = match o {
                    Term::NamedNode(n) => match n.as_str().strip_prefix(ENTITY) {
                        Some(q) => serde_json::json!({ "id": q }),
                        None => continue,
                    },
                    Term::Literal(l) => match l.language() {
                        Some(lang) => serde_json::json!({ "language": lang, "text": l.value() }),
                        None => serde_json::Value::String(l.value().to_string()),
                    },
                    _ => continue,
                };
                block.claims.push((prop.to_string(), value));
            }
        }
    }
    block.finish(opts, sink);
    Ok(())
}

/// Decodes `%XX` escapes of an article IRI (invalid escapes stay as written).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = &b[i + 1..i + 3];
            if hex.iter().all(u8::is_ascii_hexdigit) {
                let v = hex.iter().fold(0u8, |acc, h| {
                    acc * 16 + (*h as char).to_digit(16).unwrap_or(0) as u8
                });
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::percent_decode;

    #[test]
    fn decodes_titles() {
        assert_eq!(percent_decode("S%C3%A3o_Paulo"), "São_Paulo");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("a%zzb"), "a%zzb");
    }
}
