//! Identities: who an entity is, and the IRIs kglink mints.
//!
//! A mention links to a Wikidata QID when the KB knows the entity, else to a
//! [`LocalId`]: its type and a slug of its name (`local:per/kim-yong-chol`), so
//! one unknown person is one node across articles. The IRIs of entities,
//! articles, spans and offices are made here and nowhere else; [`crate::rdf`]
//! only writes them.

use super::EntityType;
use crate::text::slug;
use sha2::{Digest, Sha256};
use std::fmt;

/// Wikidata entities: `wd:Q…`.
pub const WD: &str = "http://www.wikidata.org/entity/";
/// Articles and their named graphs.
pub const ARTICLE_BASE: &str = "https://w3id.org/kglink/article/";
/// Entities the KB does not know, and offices it lacks.
pub const ENTITY_BASE: &str = "https://w3id.org/kglink/entity/";
/// The prefix of local IDs in JSON output.
pub const LOCAL_PREFIX: &str = "local:";

/// The ID of an entity the KB does not know: its type and a slug of its name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocalId {
    kind: EntityType,
    slug: String,
}

impl LocalId {
    /// The local ID of an unknown entity of type `kind` named `name`:
    /// `local:per/kim-jong-chol`; a name with nothing to slug is `unnamed`.
    pub fn new(kind: EntityType, name: &str) -> Self {
        let s = slug(name);
        LocalId {
            kind,
            slug: if s.is_empty() { "unnamed".into() } else { s },
        }
    }

    /// Parses `local:per/kim-jong-chol` (the form [`fmt::Display`] writes).
    pub fn parse(s: &str) -> Option<Self> {
        let (kind, slug) = s.strip_prefix(LOCAL_PREFIX)?.split_once('/')?;
        let kind = EntityType::ALL.into_iter().find(|t| t.slug() == kind)?;
        (!slug.is_empty()).then(|| LocalId {
            kind,
            slug: slug.to_string(),
        })
    }

    /// The type the entity was given when the ID was minted (a national team
    /// named like its country is an organization).
    pub fn kind(&self) -> EntityType {
        self.kind
    }

    /// The slug of the name.
    pub fn slug(&self) -> &str {
        &self.slug
    }

    /// `https://w3id.org/kglink/entity/per/kim-jong-chol`.
    pub fn iri(&self) -> String {
        format!("{ENTITY_BASE}{}/{}", self.kind.slug(), self.slug)
    }
}

impl fmt::Display for LocalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{LOCAL_PREFIX}{}/{}", self.kind.slug(), self.slug)
    }
}

/// The IRI of a Wikidata entity: `http://www.wikidata.org/entity/Q…`.
pub fn qid_iri(qid: &str) -> String {
    format!("{WD}{qid}")
}

/// The ID of an office the KB has no item for: the title of a country,
/// `local:position/Q334/foreign-minister`.
pub fn local_position_id(country: &str, title: &str) -> String {
    format!("{LOCAL_PREFIX}position/{country}/{}", slug(title))
}

/// The IRI of [`local_position_id`]:
/// `https://w3id.org/kglink/entity/position/Q334/foreign-minister`.
pub fn local_position_iri(country: &str, title: &str) -> String {
    format!("{ENTITY_BASE}position/{country}/{}", slug(title))
}

/// The IRI a NIF request's given mention gets when neither kglink nor the KB
/// knows its entity: `https://w3id.org/kglink/entity/unknown/<slug>`.
pub fn unknown_mention_iri(surface: &str) -> String {
    let s = slug(surface);
    format!(
        "{ENTITY_BASE}unknown/{}",
        if s.is_empty() { "unnamed" } else { &s }
    )
}

/// The IRI of an article (and of its named graph): the ID, percent-encoded.
pub fn article_iri(id: &str) -> String {
    let mut s = String::from(ARTICLE_BASE);
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

/// The IRI of a span of an article: `<article>#char=S,E`, offsets in characters
/// (RFC 5147, as NIF writes them).
pub fn span_iri(article_iri: &str, start: usize, end: usize) -> String {
    format!("{article_iri}#char={start},{end}")
}

/// Hex SHA-256 of a text: the content hash that tells a changed article (and
/// the ID of an article that gives none).
pub fn content_hash(text: &str) -> String {
    let d = Sha256::digest(text.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_ids_are_stable_slugs() {
        let id = LocalId::new(EntityType::Per, "Kim Yong-chol");
        assert_eq!(id.to_string(), "local:per/kim-yong-chol");
        assert_eq!(id.iri(), "https://w3id.org/kglink/entity/per/kim-yong-chol");
        assert_eq!(
            LocalId::new(EntityType::Org, "!!").to_string(),
            "local:org/unnamed"
        );
    }

    #[test]
    fn local_ids_parse_back() {
        let id = LocalId::new(EntityType::Country, "Ruritania");
        assert_eq!(LocalId::parse(&id.to_string()), Some(id));
        assert_eq!(LocalId::parse("local:xyz/a"), None);
        assert_eq!(LocalId::parse("Q42"), None);
        assert_eq!(LocalId::parse("local:per/"), None);
    }

    #[test]
    fn article_iris_escape_what_an_iri_cannot_hold() {
        assert_eq!(
            article_iri("a b/ü"),
            "https://w3id.org/kglink/article/a%20b%2F%C3%BC"
        );
        assert_eq!(
            span_iri(&article_iri("a1"), 3, 9),
            "https://w3id.org/kglink/article/a1#char=3,9"
        );
    }

    #[test]
    fn local_offices_are_of_a_country() {
        assert_eq!(
            local_position_id("Q334", "Foreign Minister"),
            "local:position/Q334/foreign-minister"
        );
        assert_eq!(
            local_position_iri("Q334", "foreign minister"),
            "https://w3id.org/kglink/entity/position/Q334/foreign-minister"
        );
    }
}
