//! Relations: what the linked mentions of each sentence say about each other.
//!
//! Cue- and pattern-based (no parser), precision first; each rule is measured on
//! the gold set in `tests/data/relations.jsonl`:
//!
//! - **position held** (`wdt:P39`): "Japan's prime minister, Shinzo Abe",
//!   "President Trump", "the then North Korean leader, Kim Jong-il" → the person
//!   holds that office of that country, the KB's position item where it has one,
//!   else a kglink position node;
//! - **affiliation**: "Tim Cook, chief executive of Apple", "Toyota chief executive
//!   Akio Toyoda", "Jeremy Corbyn of the Labour Party" → `wdt:P108` employer,
//!   `wdt:P102` party, `wdt:P463` member of;
//! - **nationality** (`wdt:P27`) from demonyms: "Japanese national Kenji Goto";
//! - **meetings**: "X met Y", "summit between X and Y", "X held talks with Y",
//!   "X and Y agreed" → one event per meeting with its participants, place and
//!   date (`schema:attendee`, `schema:location`);
//! - **statements**: "X said", "X told Y", attributed quotes → the span of what was
//!   said (`kgl:said`, `schema:recipient`);
//! - **co-mentions**: entities named in the same sentence, with the number of
//!   sentences per article.
//!
//! Offsets are bytes, like the rest of the pipeline; [`crate::rdf`] writes them
//! as characters.

mod dates;
mod meeting;
mod role;
mod sentence;
mod speech;

use crate::kb::{Kb, PartialDate};
use crate::model::{ids, Link, Target};
use crate::text::{self, Token};

/// The kinds of relation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RelationKind {
    /// A person holds an office (`wdt:P39`).
    Position,
    /// A person works for or belongs to an organization.
    Affiliation,
    /// A person's citizenship (`wdt:P27`).
    Nationality,
    /// A participant or the place of a meeting.
    Meeting,
    /// Someone said something (or said it to someone).
    Statement,
    /// Two entities named in the same sentences.
    CoMention,
}

impl RelationKind {
    /// All kinds, in report order.
    pub const ALL: [RelationKind; 6] = [
        RelationKind::Position,
        RelationKind::Affiliation,
        RelationKind::Nationality,
        RelationKind::Meeting,
        RelationKind::Statement,
        RelationKind::CoMention,
    ];

    /// The name used in the RDF (`kgl:relationKind`) and in the gold set.
    pub fn as_str(self) -> &'static str {
        match self {
            RelationKind::Position => "position",
            RelationKind::Affiliation => "affiliation",
            RelationKind::Nationality => "nationality",
            RelationKind::Meeting => "meeting",
            RelationKind::Statement => "statement",
            RelationKind::CoMention => "comention",
        }
    }
}

/// What a relation's plain triple says; [`crate::rdf`] writes it as a property
/// IRI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Predicate {
    /// `wdt:P39`: the person holds the office.
    PositionHeld,
    /// `wdt:P27`: the person is a citizen of the country.
    Citizenship,
    /// `wdt:P108`: the person works for the organization.
    Employer,
    /// `wdt:P102`: the person belongs to the party.
    Party,
    /// `wdt:P463`: the person is a member of the organization.
    MemberOf,
    /// `schema:attendee`: the meeting had the participant.
    Attendee,
    /// `schema:location`: the meeting took place there.
    Location,
    /// `kgl:said`: the speaker said the utterance.
    Said,
    /// `schema:recipient`: the utterance was said to someone.
    Recipient,
    /// `kgl:coMentionedWith`: two entities named in the same sentences.
    CoMentionedWith,
}

/// Whether a relation holds at the article's date or held before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tense {
    /// Holds at the time of the article (or of the date the sentence states).
    Present,
    /// Held before: "former", "then", "late", or a past date in the sentence.
    Past,
}

impl Tense {
    /// `present` or `past`.
    pub fn as_str(self) -> &'static str {
        match self {
            Tense::Present => "present",
            Tense::Past => "past",
        }
    }
}

/// An office: a Wikidata position item from the KB, or one the KB lacks.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Office {
    /// The KB's position item, by QID.
    Known(String),
    /// An office the KB has no item for: a title of a country.
    Local {
        /// QID of the country.
        country: String,
        /// The title, lower case ("foreign minister").
        title: String,
        /// A label ("foreign minister of Singapore").
        label: String,
    },
}

impl Office {
    /// The QID, or a local ID such as `local:position/Q334/foreign-minister`.
    pub fn id(&self) -> String {
        match self {
            Office::Known(q) => q.clone(),
            Office::Local { country, title, .. } => ids::local_position_id(country, title),
        }
    }

    /// The IRI: a Wikidata entity, or `https://w3id.org/kglink/entity/position/…`.
    pub fn iri(&self) -> String {
        match self {
            Office::Known(q) => ids::qid_iri(q),
            Office::Local { country, title, .. } => ids::local_position_iri(country, title),
        }
    }
}

/// One end of a relation.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// A linked entity.
    Entity(Target),
    /// An office.
    Office(Office),
    /// The `n`-th meeting of the article (0-based).
    Meeting(usize),
    /// A span of the text that someone said (bytes).
    Utterance {
        /// Start byte.
        start: usize,
        /// End byte (exclusive).
        end: usize,
    },
}

impl Node {
    /// The entity, if this is one.
    pub fn target(&self) -> Option<&Target> {
        match self {
            Node::Entity(t) => Some(t),
            _ => None,
        }
    }

    /// A short identifier: the QID or local ID, `meeting-N`, or `utterance-START-END`.
    pub fn id(&self) -> String {
        match self {
            Node::Entity(t) => t.id(),
            Node::Office(o) => o.id(),
            Node::Meeting(k) => format!("meeting-{k}"),
            Node::Utterance { start, end } => format!("utterance-{start}-{end}"),
        }
    }
}

/// A relation an article states, with its evidence and provenance.
#[derive(Debug, Clone, PartialEq)]
pub struct Relation {
    /// What kind of relation.
    pub kind: RelationKind,
    /// The subject: a person, a meeting or an utterance.
    pub subject: Node,
    /// What the relation says (`wdt:P39`, `schema:attendee`, `kgl:said`, …).
    pub predicate: Predicate,
    /// The object.
    pub object: Node,
    /// Index of the sentence that states it.
    pub sentence: usize,
    /// Start byte of the evidence: the sentence, or a quote and its attribution.
    pub start: usize,
    /// End byte of the evidence (exclusive).
    pub end: usize,
    /// Confidence in `[0, 1]`: the rule's precision times the weakest link's confidence.
    pub confidence: f32,
    /// The rule that found it.
    pub rule: &'static str,
    /// The article's date: the time of the statement.
    pub date: Option<PartialDate>,
    /// A date the sentence gives: when a meeting took place, when an office was held.
    pub when: Option<PartialDate>,
    /// Present, or past ("former", "then", a past date).
    pub tense: Tense,
    /// Co-mentions: the number of sentences naming both; 1 otherwise.
    pub count: usize,
}

/// What every rule needs.
pub(crate) struct Ctx<'a> {
    pub kb: &'a Kb,
    pub text: &'a str,
    pub date: Option<PartialDate>,
    pub titles: role::Titles,
}

/// The confidence of a relation: the rule's base times the weakest link's.
pub(crate) fn confidence(base: f32, links: &[&Link]) -> f32 {
    let weakest = links.iter().map(|l| l.confidence).fold(1.0f32, f32::min);
    ((base * weakest) * 1000.0).round() / 1000.0
}

/// The relations stated in `text`, from its `tokens` (with sentence numbers) and
/// its linked mentions. `date` is the article's date.
pub fn relate(
    kb: &Kb,
    text: &str,
    tokens: &[Token],
    links: &[Link],
    date: Option<PartialDate>,
) -> Vec<Relation> {
    let spans = sentence::sentence_spans(text, tokens);
    let sents: Vec<sentence::Sentence<'_>> = spans
        .iter()
        .enumerate()
        .map(|(i, &span)| sentence::build(text, tokens, links, i, span))
        .collect();
    let ctx = Ctx {
        kb,
        text,
        date,
        titles: role::Titles::new(kb),
    };
    let mut out = Vec::new();
    role::extract(&ctx, &sents, &mut out);
    meeting::extract(&ctx, &sents, &mut out);
    speech::extract(&ctx, &sents, &mut out);
    dedup(&mut out);
    co_mentions(&sents, date, &mut out);
    out
}

/// [`relate`] for a text that has not been tokenized yet.
pub fn relate_text(
    kb: &Kb,
    text: &str,
    links: &[Link],
    date: Option<PartialDate>,
) -> Vec<Relation> {
    relate(kb, text, &text::tokenize(text), links, date)
}

/// One relation per subject, predicate, object and sentence: the most confident.
fn dedup(out: &mut Vec<Relation>) {
    let mut kept: Vec<Relation> = Vec::with_capacity(out.len());
    for r in out.drain(..) {
        match kept.iter_mut().find(|k| {
            k.sentence == r.sentence
                && k.subject == r.subject
                && k.predicate == r.predicate
                && k.object == r.object
        }) {
            Some(k) if k.confidence < r.confidence => *k = r,
            Some(_) => {}
            None => kept.push(r),
        }
    }
    kept.sort_by_key(|r| (r.start, r.kind));
    *out = kept;
}

/// A pair of entities named together: its ends, sentences, first sentence and
/// the confidence of its weakest mention.
struct Pair {
    key: (String, String),
    ends: (Target, Target),
    count: usize,
    first: usize,
    confidence: f32,
}

/// Pairs of entities named in the same sentence, with the number of sentences.
fn co_mentions(
    sents: &[sentence::Sentence<'_>],
    date: Option<PartialDate>,
    out: &mut Vec<Relation>,
) {
    let mut pairs: Vec<Pair> = Vec::new();
    for s in sents {
        let mut ents: Vec<(&Target, f32)> = Vec::new();
        for i in 0..s.items.len() {
            if let Some(l) = s.link(i) {
                match ents.iter_mut().find(|e| *e.0 == l.target) {
                    Some(e) => e.1 = e.1.max(l.confidence),
                    None => ents.push((&l.target, l.confidence)),
                }
            }
        }
        for (x, &(a, ca)) in ents.iter().enumerate() {
            for &(b, cb) in &ents[x + 1..] {
                let (ka, kb) = (Node::Entity(a.clone()).id(), Node::Entity(b.clone()).id());
                let (key, ends) = if ka <= kb {
                    ((ka, kb), (a.clone(), b.clone()))
                } else {
                    ((kb, ka), (b.clone(), a.clone()))
                };
                let c = ca.min(cb);
                match pairs.iter_mut().find(|p| p.key == key) {
                    Some(p) => {
                        p.count += 1;
                        p.confidence = p.confidence.max(c);
                    }
                    None => pairs.push(Pair {
                        key,
                        ends,
                        count: 1,
                        first: s.index,
                        confidence: c,
                    }),
                }
            }
        }
    }
    pairs.sort_by(|x, y| x.key.cmp(&y.key));
    for p in pairs {
        let s = &sents[p.first];
        out.push(Relation {
            kind: RelationKind::CoMention,
            subject: Node::Entity(p.ends.0),
            predicate: Predicate::CoMentionedWith,
            object: Node::Entity(p.ends.1),
            sentence: p.first,
            start: s.start,
            end: s.end,
            confidence: (p.confidence * 1000.0).round() / 1000.0,
            rule: "same-sentence",
            date,
            when: None,
            tense: Tense::Present,
            count: p.count,
        });
    }
}
