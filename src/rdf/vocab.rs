//! IRI constants: kglink's own vocabulary (declared in `ontology/kglink.ttl`; a test
//! checks every `KGL_*` constant is declared there) and the reused vocabularies.

/// kglink's vocabulary namespace.
pub const KGL: &str = "https://w3id.org/kglink/ns#";
/// Bases of the IRIs of articles, unknown entities and Wikidata entities
/// (minted in [`crate::model::ids`]).
pub use crate::model::ids::{ARTICLE_BASE, ENTITY_BASE, WD};
/// The named graph that holds the knowledge base.
pub const KB_GRAPH: &str = "https://w3id.org/kglink/graph/kb";
/// Base of KB statement nodes (positions held with dates).
pub const KB_STATEMENT_BASE: &str = "https://w3id.org/kglink/kb/statement/";

/// Wikidata direct (truthy) properties.
pub const WDT: &str = "http://www.wikidata.org/prop/direct/";
/// Wikidata statement properties.
pub const P: &str = "http://www.wikidata.org/prop/";
/// Wikidata statement values.
pub const PS: &str = "http://www.wikidata.org/prop/statement/";
/// Wikidata qualifiers.
pub const PQ: &str = "http://www.wikidata.org/prop/qualifier/";
/// schema.org.
pub const SCHEMA: &str = "http://schema.org/";
/// NIF 2.0 core.
pub const NIF: &str = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#";
/// ITS 2.0 RDF.
pub const ITSRDF: &str = "http://www.w3.org/2005/11/its/rdf#";
/// RDF.
pub const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
/// RDFS.
pub const RDFS: &str = "http://www.w3.org/2000/01/rdf-schema#";
/// SKOS.
pub const SKOS: &str = "http://www.w3.org/2004/02/skos/core#";
/// PROV-O.
pub const PROV: &str = "http://www.w3.org/ns/prov#";
/// Dublin Core terms.
pub const DCTERMS: &str = "http://purl.org/dc/terms/";
/// XML Schema datatypes.
pub const XSD: &str = "http://www.w3.org/2001/XMLSchema#";
/// OWL.
pub const OWL: &str = "http://www.w3.org/2002/07/owl#";

macro_rules! iri {
    ($(#[$doc:meta])* $name:ident = $ns:literal, $local:literal) => {
        $(#[$doc])*
        pub const $name: &str = concat!($ns, $local);
    };
}

// kglink's own terms
iri!(/// Class: a span of an article that names an entity.
    KGL_MENTION = "https://w3id.org/kglink/ns#", "Mention");
iri!(/// Class: an entity the knowledge base does not know, with a local IRI.
    KGL_UNKNOWN_ENTITY = "https://w3id.org/kglink/ns#", "UnknownEntity");
iri!(/// Class: an office (a Wikidata position item) in the KB graph.
    KGL_POSITION = "https://w3id.org/kglink/ns#", "Position");
iri!(/// Property: index of the sentence a mention lies in (0-based).
    KGL_SENTENCE = "https://w3id.org/kglink/ns#", "sentence");
iri!(/// Property: how a mention was found (gazetteer, demonym, title_cue, capitalized, coreference).
    KGL_ORIGIN = "https://w3id.org/kglink/ns#", "origin");
iri!(/// Property: the title word before a person mention ("president").
    KGL_TITLE = "https://w3id.org/kglink/ns#", "title");
iri!(/// Property: the type code of a mention (PER, ORG, COUNTRY, LOC).
    KGL_ENTITY_TYPE = "https://w3id.org/kglink/ns#", "entityType");
iri!(/// Property: SHA-256 of an article's text.
    KGL_CONTENT_HASH = "https://w3id.org/kglink/ns#", "contentHash");
iri!(/// Property: the article's identifier as given in the input.
    KGL_SOURCE_ID = "https://w3id.org/kglink/ns#", "sourceId");
iri!(/// Property: two entities named in the same sentence of an article.
    KGL_CO_MENTIONED_WITH = "https://w3id.org/kglink/ns#", "coMentionedWith");
iri!(/// Property: prominence prior of a KB entity, 1–100.
    KGL_PRIOR = "https://w3id.org/kglink/ns#", "prior");
iri!(/// Property: the finer kind of a KB entity (state, capital, party, ...).
    KGL_KIND = "https://w3id.org/kglink/ns#", "kind");
iri!(/// Property: a demonym or adjectival of a country ("Japanese").
    KGL_DEMONYM = "https://w3id.org/kglink/ns#", "demonym");
iri!(/// Property: the role of a position (head_of_state, head_of_government, ...).
    KGL_ROLE = "https://w3id.org/kglink/ns#", "role");
iri!(/// Property: a title word of a position ("prime minister").
    KGL_TITLE_WORD = "https://w3id.org/kglink/ns#", "titleWord");

iri!(/// Class: a relation an article states, reified: its subject, predicate and object (`rdf:subject`, `rdf:predicate`, `rdf:object`) with the evidence span, confidence, rule and date.
    KGL_RELATION_STATEMENT = "https://w3id.org/kglink/ns#", "RelationStatement");
iri!(/// Class: a meeting, summit or talks an article reports, with `schema:attendee`, `schema:location` and `schema:startDate`.
    KGL_MEETING = "https://w3id.org/kglink/ns#", "Meeting");
iri!(/// Class: what someone said, as a span of the article (the quote or the reported clause), not its meaning.
    KGL_UTTERANCE = "https://w3id.org/kglink/ns#", "Utterance");
iri!(/// Class: two entities named together in sentences of one article, with the number of sentences.
    KGL_CO_MENTION = "https://w3id.org/kglink/ns#", "CoMention");
iri!(/// Property: an entity said an utterance.
    KGL_SAID = "https://w3id.org/kglink/ns#", "said");
iri!(/// Property: the kind of a relation statement (position, affiliation, nationality, meeting, statement).
    KGL_RELATION_KIND = "https://w3id.org/kglink/ns#", "relationKind");
iri!(/// Property: the extraction rule that produced a relation statement.
    KGL_RULE = "https://w3id.org/kglink/ns#", "rule");
iri!(/// Property: the date of the article that states a relation (the time of the statement).
    KGL_STATED_ON = "https://w3id.org/kglink/ns#", "statedOn");
iri!(/// Property: a date the sentence gives for the relation ("in 2002").
    KGL_HOLDS_AT = "https://w3id.org/kglink/ns#", "holdsAt");
iri!(/// Property: whether a relation holds at the time of the article (present) or held before it (past).
    KGL_TENSE = "https://w3id.org/kglink/ns#", "tense");
iri!(/// Property: one of the two entities of a co-mention.
    KGL_ENTITY = "https://w3id.org/kglink/ns#", "entity");
iri!(/// Property: the number of sentences of the article that name both entities of a co-mention.
    KGL_COUNT = "https://w3id.org/kglink/ns#", "count");

/// Every kglink term, for the ontology test.
pub const KGL_TERMS: &[&str] = &[
    KGL_MENTION,
    KGL_UNKNOWN_ENTITY,
    KGL_POSITION,
    KGL_SENTENCE,
    KGL_ORIGIN,
    KGL_TITLE,
    KGL_ENTITY_TYPE,
    KGL_CONTENT_HASH,
    KGL_SOURCE_ID,
    KGL_CO_MENTIONED_WITH,
    KGL_PRIOR,
    KGL_KIND,
    KGL_DEMONYM,
    KGL_ROLE,
    KGL_TITLE_WORD,
    KGL_RELATION_STATEMENT,
    KGL_MEETING,
    KGL_UTTERANCE,
    KGL_CO_MENTION,
    KGL_SAID,
    KGL_RELATION_KIND,
    KGL_RULE,
    KGL_STATED_ON,
    KGL_HOLDS_AT,
    KGL_TENSE,
    KGL_ENTITY,
    KGL_COUNT,
];

// reused terms
iri!(/// rdf:type.
    RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "type");
iri!(/// rdfs:label.
    RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#", "label");
iri!(/// skos:altLabel.
    SKOS_ALT_LABEL = "http://www.w3.org/2004/02/skos/core#", "altLabel");
iri!(/// schema:NewsArticle.
    SCHEMA_NEWS_ARTICLE = "http://schema.org/", "NewsArticle");
iri!(/// schema:Person.
    SCHEMA_PERSON = "http://schema.org/", "Person");
iri!(/// schema:Organization.
    SCHEMA_ORGANIZATION = "http://schema.org/", "Organization");
iri!(/// schema:Country.
    SCHEMA_COUNTRY = "http://schema.org/", "Country");
iri!(/// schema:Place.
    SCHEMA_PLACE = "http://schema.org/", "Place");
iri!(/// schema:headline.
    SCHEMA_HEADLINE = "http://schema.org/", "headline");
iri!(/// schema:url.
    SCHEMA_URL = "http://schema.org/", "url");
iri!(/// schema:datePublished.
    SCHEMA_DATE_PUBLISHED = "http://schema.org/", "datePublished");
iri!(/// schema:mentions: article → entity.
    SCHEMA_MENTIONS = "http://schema.org/", "mentions");
iri!(/// schema:description.
    SCHEMA_DESCRIPTION = "http://schema.org/", "description");
iri!(/// dcterms:source.
    DCTERMS_SOURCE = "http://purl.org/dc/terms/", "source");
iri!(/// nif:Context.
    NIF_CONTEXT = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#", "Context");
iri!(/// nif:Phrase.
    NIF_PHRASE = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#", "Phrase");
iri!(/// nif:isString.
    NIF_IS_STRING = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#", "isString");
iri!(/// nif:beginIndex.
    NIF_BEGIN_INDEX = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#", "beginIndex");
iri!(/// nif:endIndex.
    NIF_END_INDEX = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#", "endIndex");
iri!(/// nif:anchorOf.
    NIF_ANCHOR_OF = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#", "anchorOf");
iri!(/// nif:referenceContext.
    NIF_REFERENCE_CONTEXT = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#", "referenceContext");
iri!(/// itsrdf:taIdentRef.
    ITSRDF_TA_IDENT_REF = "http://www.w3.org/2005/11/its/rdf#", "taIdentRef");
iri!(/// itsrdf:taConfidence.
    ITSRDF_TA_CONFIDENCE = "http://www.w3.org/2005/11/its/rdf#", "taConfidence");
iri!(/// itsrdf:taClassRef.
    ITSRDF_TA_CLASS_REF = "http://www.w3.org/2005/11/its/rdf#", "taClassRef");
iri!(/// rdf:Statement.
    RDF_STATEMENT = "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "Statement");
iri!(/// rdf:subject (of a reified statement).
    RDF_SUBJECT = "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "subject");
iri!(/// rdf:predicate (of a reified statement).
    RDF_PREDICATE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "predicate");
iri!(/// rdf:object (of a reified statement).
    RDF_OBJECT = "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "object");
iri!(/// schema:Event.
    SCHEMA_EVENT = "http://schema.org/", "Event");
iri!(/// schema:attendee: event → person.
    SCHEMA_ATTENDEE = "http://schema.org/", "attendee");
iri!(/// schema:location: event → place.
    SCHEMA_LOCATION = "http://schema.org/", "location");
iri!(/// schema:startDate.
    SCHEMA_START_DATE = "http://schema.org/", "startDate");
iri!(/// schema:recipient: utterance → whom it was said to.
    SCHEMA_RECIPIENT = "http://schema.org/", "recipient");
iri!(/// nif:String (an evidence span).
    NIF_STRING = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#", "String");
iri!(/// prov:wasDerivedFrom: relation statement → evidence span.
    PROV_WAS_DERIVED_FROM = "http://www.w3.org/ns/prov#", "wasDerivedFrom");
iri!(/// wdt:P39, position held.
    WDT_POSITION_HELD = "http://www.wikidata.org/prop/direct/", "P39");
iri!(/// wdt:P27, country of citizenship.
    WDT_CITIZENSHIP = "http://www.wikidata.org/prop/direct/", "P27");
iri!(/// wdt:P108, employer.
    WDT_EMPLOYER = "http://www.wikidata.org/prop/direct/", "P108");
iri!(/// wdt:P463, member of.
    WDT_MEMBER_OF = "http://www.wikidata.org/prop/direct/", "P463");
iri!(/// wdt:P102, member of political party.
    WDT_PARTY = "http://www.wikidata.org/prop/direct/", "P102");
iri!(/// wdt:P1001, applies to jurisdiction (the country of a position).
    WDT_JURISDICTION = "http://www.wikidata.org/prop/direct/", "P1001");
iri!(/// prov:generatedAtTime.
    PROV_GENERATED_AT_TIME = "http://www.w3.org/ns/prov#", "generatedAtTime");
iri!(/// xsd:integer.
    XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#", "integer");
iri!(/// xsd:double.
    XSD_DOUBLE = "http://www.w3.org/2001/XMLSchema#", "double");
iri!(/// xsd:nonNegativeInteger (NIF offsets).
    XSD_NON_NEGATIVE_INTEGER = "http://www.w3.org/2001/XMLSchema#", "nonNegativeInteger");

/// The schema.org class of an entity type.
pub fn class_of(t: crate::model::EntityType) -> &'static str {
    use crate::model::EntityType::*;
    match t {
        Per => SCHEMA_PERSON,
        Org => SCHEMA_ORGANIZATION,
        Country => SCHEMA_COUNTRY,
        Loc => SCHEMA_PLACE,
    }
}
