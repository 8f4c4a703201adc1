//! Plain data passed between the stages: articles in, typed and linked mentions out.
//!
//! Offsets inside the library are byte offsets into the article text (cheap to
//! slice); the JSON output converts them to Unicode scalar values (see
//! [`crate::text::CharIndex`]), the unit of the NIF and JSON formats.

pub mod ids;

use ids::LocalId;
use serde::{Deserialize, Serialize};

/// The entity types kglink recognizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EntityType {
    /// A person.
    #[serde(rename = "PER")]
    Per,
    /// An organization.
    #[serde(rename = "ORG")]
    Org,
    /// A sovereign state or territory.
    #[serde(rename = "COUNTRY")]
    Country,
    /// Any other place: city, region, sea, continent.
    #[serde(rename = "LOC")]
    Loc,
}

impl EntityType {
    /// All types, in output order.
    pub const ALL: [EntityType; 4] = [
        EntityType::Per,
        EntityType::Org,
        EntityType::Country,
        EntityType::Loc,
    ];

    /// The short code used in JSON and in gold files: `PER`, `ORG`, `COUNTRY`, `LOC`.
    pub fn as_str(self) -> &'static str {
        match self {
            EntityType::Per => "PER",
            EntityType::Org => "ORG",
            EntityType::Country => "COUNTRY",
            EntityType::Loc => "LOC",
        }
    }

    /// Parses the short code.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "PER" => Some(EntityType::Per),
            "ORG" => Some(EntityType::Org),
            "COUNTRY" => Some(EntityType::Country),
            "LOC" => Some(EntityType::Loc),
            _ => None,
        }
    }

    /// Lower-case form used in local IRIs.
    pub fn slug(self) -> &'static str {
        match self {
            EntityType::Per => "per",
            EntityType::Org => "org",
            EntityType::Country => "country",
            EntityType::Loc => "loc",
        }
    }

    /// COUNTRY and LOC are one class for coarse scoring.
    pub fn coarse(self) -> Self {
        match self {
            EntityType::Country => EntityType::Loc,
            t => t,
        }
    }
}

impl std::fmt::Display for EntityType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An article to annotate or ingest.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Article {
    /// Stable identifier: the given `id`, else the URL, else a hash of the text.
    pub id: String,
    /// Headline, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The body text.
    pub text: String,
    /// Publication date, ISO 8601 (`YYYY-MM-DD` or a full timestamp).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Where the article was published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The feed, agency or file it came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// How a mention was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// A name from the knowledge base's alias index.
    Gazetteer,
    /// A demonym or adjectival ("Japanese") standing for its country.
    Demonym,
    /// A name after a title cue ("President", "Mr").
    TitleCue,
    /// A capitalized sequence the knowledge base does not know.
    Capitalized,
    /// A name found by the trained tagger.
    Tagger,
    /// A short form of a name given in full elsewhere in the document.
    Coreference,
}

/// A typed span of the text, before linking. Offsets are bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    /// Start byte offset (inclusive).
    pub start: usize,
    /// End byte offset (exclusive).
    pub end: usize,
    /// The type the recognizer gave.
    pub etype: EntityType,
    /// How it was found.
    pub origin: Origin,
    /// Index of the sentence it lies in.
    pub sentence: usize,
    /// A title word right before it ("president"), lower case.
    pub title: Option<String>,
}

/// What a mention is linked to.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// A knowledge-base entity, by its QID.
    Known(String),
    /// An entity the knowledge base does not know, by its local ID.
    Unknown(LocalId),
}

impl Target {
    /// The QID, or the local ID (`local:per/kim-yong-chol`).
    pub fn id(&self) -> String {
        match self {
            Target::Known(q) => q.clone(),
            Target::Unknown(l) => l.to_string(),
        }
    }

    /// The entity's IRI: Wikidata's, or kglink's for an unknown entity.
    pub fn iri(&self) -> String {
        match self {
            Target::Known(q) => ids::qid_iri(q),
            Target::Unknown(l) => l.iri(),
        }
    }
}

/// A linked mention. Offsets are bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// The mention.
    pub mention: Mention,
    /// The entity.
    pub target: Target,
    /// The entity's type (may refine the mention's: LOC → COUNTRY).
    pub etype: EntityType,
    /// The entity's preferred label.
    pub label: String,
    /// Confidence in `[0, 1]` that the link (or, for unknowns, the typed span) is right.
    pub confidence: f32,
}

impl Link {
    /// The QID or local ID.
    pub fn id(&self) -> String {
        self.target.id()
    }

    /// True when the entity is not in the knowledge base.
    pub fn is_nil(&self) -> bool {
        matches!(self.target, Target::Unknown(_))
    }
}
