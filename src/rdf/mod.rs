//! RDF: an annotated article becomes the quads of its own named graph; the KB
//! becomes the quads of the KB graph. See `ontology/kglink.ttl` for the terms and
//! `ontology/example.trig` for a worked example.

pub mod vocab;

use crate::kb::Kb;
use crate::kb::PartialDate;
use crate::model::ids::span_iri;
use crate::model::{Article, Link, Origin, Target};
use crate::rdf::vocab::*;
use crate::relate::{Node, Office, Predicate, Relation, RelationKind};
use crate::text::CharIndex;
use oxigraph::model::{GraphName, Literal, NamedNode, NamedOrBlankNode, Quad, Term};
use std::collections::{BTreeMap, BTreeSet};

pub use crate::model::ids::{article_iri, content_hash};

fn nn(iri: &str) -> NamedNode {
    NamedNode::new_unchecked(iri)
}

fn origin_str(o: Origin) -> &'static str {
    match o {
        Origin::Gazetteer => "gazetteer",
        Origin::Demonym => "demonym",
        Origin::TitleCue => "title_cue",
        Origin::Capitalized => "capitalized",
        Origin::Tagger => "tagger",
        Origin::Coreference => "coreference",
    }
}

/// Collects quads of one graph.
struct Graph {
    name: GraphName,
    quads: Vec<Quad>,
}

impl Graph {
    fn add(&mut self, s: impl Into<NamedOrBlankNode>, p: &str, o: impl Into<Term>) {
        self.quads.push(Quad::new(s, nn(p), o, self.name.clone()));
    }
}

/// A date as a literal typed by its precision (`xsd:date`, `xsd:gYearMonth`, `xsd:gYear`).
fn date_literal(d: PartialDate) -> Literal {
    Literal::new_typed_literal(d.to_iso(), nn(&format!("{XSD}{}", d.xsd_type())))
}

/// The quads of an article's graph: the article node (a `nif:Context` holding the
/// text), one node per mention, unknown entities, `schema:mentions`, same-sentence
/// co-mentions, and the relations (see [`crate::relate`]): each as a plain triple
/// plus a `kgl:RelationStatement` with its evidence and provenance, meetings,
/// utterances and co-mention counts.
pub fn article_quads(article: &Article, links: &[Link], relations: &[Relation]) -> Vec<Quad> {
    let a_iri = article_iri(&article.id);
    let a = nn(&a_iri);
    let mut g = Graph {
        name: GraphName::NamedNode(a.clone()),
        quads: Vec::new(),
    };
    g.add(a.clone(), RDF_TYPE, nn(SCHEMA_NEWS_ARTICLE));
    g.add(a.clone(), RDF_TYPE, nn(NIF_CONTEXT));
    g.add(a.clone(), KGL_SOURCE_ID, Literal::from(article.id.as_str()));
    g.add(
        a.clone(),
        NIF_IS_STRING,
        Literal::from(article.text.as_str()),
    );
    g.add(
        a.clone(),
        KGL_CONTENT_HASH,
        Literal::from(content_hash(&article.text)),
    );
    if let Some(t) = &article.title {
        g.add(a.clone(), SCHEMA_HEADLINE, Literal::from(t.as_str()));
    }
    if let Some(u) = &article.url {
        g.add(a.clone(), SCHEMA_URL, Literal::from(u.as_str()));
    }
    if let Some(s) = &article.source {
        g.add(a.clone(), DCTERMS_SOURCE, Literal::from(s.as_str()));
    }
    if let Some(d) = article
        .date
        .as_deref()
        .and_then(crate::kb::PartialDate::parse)
    {
        g.add(a.clone(), SCHEMA_DATE_PUBLISHED, date_literal(d));
    }
    let ix = CharIndex::new(&article.text);
    let mut counts: BTreeSet<String> = BTreeSet::new();
    let mut by_sentence: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
    let mut unknown: BTreeMap<String, (String, &'static str)> = BTreeMap::new();
    for l in links {
        let (s, e) = (ix.char_of(l.mention.start), ix.char_of(l.mention.end));
        let m = nn(&span_iri(&a_iri, s, e));
        let target = l.target.iri();
        g.add(m.clone(), RDF_TYPE, nn(NIF_PHRASE));
        g.add(m.clone(), RDF_TYPE, nn(KGL_MENTION));
        g.add(m.clone(), NIF_REFERENCE_CONTEXT, a.clone());
        let nonneg = nn(XSD_NON_NEGATIVE_INTEGER);
        g.add(
            m.clone(),
            NIF_BEGIN_INDEX,
            Literal::new_typed_literal(s.to_string(), nonneg.clone()),
        );
        g.add(
            m.clone(),
            NIF_END_INDEX,
            Literal::new_typed_literal(e.to_string(), nonneg),
        );
        g.add(
            m.clone(),
            NIF_ANCHOR_OF,
            Literal::from(&article.text[l.mention.start..l.mention.end]),
        );
        g.add(m.clone(), ITSRDF_TA_IDENT_REF, nn(&target));
        let conf = f64::from((l.confidence * 1000.0).round()) / 1000.0;
        g.add(m.clone(), ITSRDF_TA_CONFIDENCE, Literal::from(conf));
        g.add(m.clone(), ITSRDF_TA_CLASS_REF, nn(class_of(l.etype)));
        g.add(m.clone(), KGL_ENTITY_TYPE, Literal::from(l.etype.as_str()));
        g.add(
            m.clone(),
            KGL_SENTENCE,
            Literal::from(l.mention.sentence as i64),
        );
        g.add(
            m.clone(),
            KGL_ORIGIN,
            Literal::from(origin_str(l.mention.origin)),
        );
        if let Some(t) = &l.mention.title {
            g.add(m.clone(), KGL_TITLE, Literal::from(t.as_str()));
        }
        counts.insert(target.clone());
        by_sentence
            .entry(l.mention.sentence)
            .or_default()
            .insert(target.clone());
        if let Target::Unknown(id) = &l.target {
            // the local ID says what the entity is (a national team named like
            // its country is still an organization)
            unknown
                .entry(target)
                .or_insert_with(|| (l.label.clone(), class_of(id.kind())));
        }
    }
    for (iri, (label, class)) in &unknown {
        let e = nn(iri);
        g.add(e.clone(), RDF_TYPE, nn(class));
        g.add(e.clone(), RDF_TYPE, nn(KGL_UNKNOWN_ENTITY));
        g.add(
            e,
            RDFS_LABEL,
            Literal::new_language_tagged_literal_unchecked(label.as_str(), "en"),
        );
    }
    for iri in &counts {
        g.add(a.clone(), SCHEMA_MENTIONS, nn(iri));
    }
    let mut pairs: BTreeSet<(&String, &String)> = BTreeSet::new();
    for set in by_sentence.values() {
        for x in set {
            for y in set {
                if x != y {
                    pairs.insert((x, y));
                }
            }
        }
    }
    for (x, y) in pairs {
        g.add(nn(x), KGL_CO_MENTIONED_WITH, nn(y));
    }
    relation_quads(&mut g, &a_iri, &article.text, &ix, relations);
    g.quads
}

/// The property IRI of a relation's plain triple.
pub fn predicate_iri(p: Predicate) -> &'static str {
    match p {
        Predicate::PositionHeld => WDT_POSITION_HELD,
        Predicate::Citizenship => WDT_CITIZENSHIP,
        Predicate::Employer => WDT_EMPLOYER,
        Predicate::Party => WDT_PARTY,
        Predicate::MemberOf => WDT_MEMBER_OF,
        Predicate::Attendee => SCHEMA_ATTENDEE,
        Predicate::Location => SCHEMA_LOCATION,
        Predicate::Said => KGL_SAID,
        Predicate::Recipient => SCHEMA_RECIPIENT,
        Predicate::CoMentionedWith => KGL_CO_MENTIONED_WITH,
    }
}

/// The relations of an article into its graph.
///
/// Each relation is a plain triple (`?person wdt:P39 ?office`, `?meeting
/// schema:attendee ?person`, `?speaker kgl:said ?utterance`) and a statement node
/// `<article#relation-N>` (`kgl:RelationStatement`: `rdf:subject`, `rdf:predicate`,
/// `rdf:object`, `kgl:relationKind`, `itsrdf:taConfidence`, `kgl:rule`,
/// `kgl:statedOn` (the article's date), `kgl:tense` and `kgl:holdsAt` for offices,
/// and `prov:wasDerivedFrom` the evidence span `<article#char=S,E>`, a `nif:String`
/// with offsets in characters and its text). Meetings are `<article#meeting-N>`
/// (`kgl:Meeting`, `schema:startDate`), utterances `<article#char=S,E>`
/// (`kgl:Utterance`), offices the KB lacks `local:position/…` (`kgl:Position`), and
/// co-mentions `<article#comention-N>` (`kgl:CoMention`, `kgl:entity` ×2, `kgl:count`).
fn relation_quads(g: &mut Graph, a_iri: &str, text: &str, ix: &CharIndex, relations: &[Relation]) {
    let a = nn(a_iri);
    let nonneg = |n: usize| Literal::new_typed_literal(n.to_string(), nn(XSD_NON_NEGATIVE_INTEGER));
    let span_iri = |s: usize, e: usize| span_iri(a_iri, ix.char_of(s), ix.char_of(e));
    let node_iri = |n: &Node| -> String {
        match n {
            Node::Entity(t) => t.iri(),
            Node::Office(o) => o.iri(),
            Node::Meeting(k) => format!("{a_iri}#meeting-{k}"),
            Node::Utterance { start, end } => span_iri(*start, *end),
        }
    };
    let mut described: BTreeSet<String> = BTreeSet::new();
    let mut span = |g: &mut Graph, iri: &str, s: usize, e: usize, class: &str| {
        let n = nn(iri);
        g.add(n.clone(), RDF_TYPE, nn(class));
        if described.insert(iri.to_string()) {
            g.add(n.clone(), NIF_REFERENCE_CONTEXT, a.clone());
            g.add(n.clone(), NIF_BEGIN_INDEX, nonneg(ix.char_of(s)));
            g.add(n.clone(), NIF_END_INDEX, nonneg(ix.char_of(e)));
            g.add(n, NIF_ANCHOR_OF, Literal::from(&text[s..e]));
        }
    };
    let mut statement = 0usize;
    let mut comention = 0usize;
    for r in relations {
        if r.kind == RelationKind::CoMention {
            let c = nn(&format!("{a_iri}#comention-{comention}"));
            comention += 1;
            g.add(c.clone(), RDF_TYPE, nn(KGL_CO_MENTION));
            g.add(c.clone(), KGL_ENTITY, nn(&node_iri(&r.subject)));
            g.add(c.clone(), KGL_ENTITY, nn(&node_iri(&r.object)));
            g.add(c, KGL_COUNT, Literal::from(r.count as i64));
            continue;
        }
        let (s, o) = (nn(&node_iri(&r.subject)), nn(&node_iri(&r.object)));
        g.add(s.clone(), predicate_iri(r.predicate), o.clone());
        for n in [&r.subject, &r.object] {
            match n {
                Node::Meeting(_) => {
                    let m = nn(&node_iri(n));
                    g.add(m.clone(), RDF_TYPE, nn(KGL_MEETING));
                    if let Some(d) = r.when {
                        g.add(m, SCHEMA_START_DATE, date_literal(d));
                    }
                }
                Node::Office(Office::Local {
                    country,
                    title,
                    label,
                }) => {
                    let p = nn(&node_iri(n));
                    g.add(p.clone(), RDF_TYPE, nn(KGL_POSITION));
                    g.add(
                        p.clone(),
                        RDFS_LABEL,
                        Literal::new_language_tagged_literal_unchecked(label.as_str(), "en"),
                    );
                    g.add(p.clone(), KGL_TITLE_WORD, Literal::from(title.as_str()));
                    g.add(p, &format!("{WDT}P1001"), nn(&format!("{WD}{country}")));
                }
                Node::Utterance { start, end } => {
                    span(g, &node_iri(n), *start, *end, KGL_UTTERANCE);
                }
                Node::Entity(_) | Node::Office(Office::Known(_)) => {}
            }
        }
        let st = nn(&format!("{a_iri}#relation-{statement}"));
        statement += 1;
        g.add(st.clone(), RDF_TYPE, nn(KGL_RELATION_STATEMENT));
        g.add(st.clone(), RDF_SUBJECT, s);
        g.add(st.clone(), RDF_PREDICATE, nn(predicate_iri(r.predicate)));
        g.add(st.clone(), RDF_OBJECT, o);
        g.add(
            st.clone(),
            KGL_RELATION_KIND,
            Literal::from(r.kind.as_str()),
        );
        let conf = f64::from((r.confidence * 1000.0).round()) / 1000.0;
        g.add(st.clone(), ITSRDF_TA_CONFIDENCE, Literal::from(conf));
        g.add(st.clone(), KGL_RULE, Literal::from(r.rule));
        if let Some(d) = r.date {
            g.add(st.clone(), KGL_STATED_ON, date_literal(d));
        }
        if r.kind == RelationKind::Position {
            g.add(st.clone(), KGL_TENSE, Literal::from(r.tense.as_str()));
            if let Some(d) = r.when {
                g.add(st.clone(), KGL_HOLDS_AT, date_literal(d));
            }
        }
        let ev = span_iri(r.start, r.end);
        span(g, &ev, r.start, r.end, NIF_STRING);
        g.add(st, PROV_WAS_DERIVED_FROM, nn(&ev));
    }
}

/// The quads of the KB graph: every entity with its type, labels, aliases,
/// description, prior, relations (P17, P27, P36, P463, ISO codes) and positions
/// held as Wikidata-style statements with start and end qualifiers.
pub fn kb_quads(kb: &Kb) -> Vec<Quad> {
    let mut g = Graph {
        name: GraphName::NamedNode(nn(KB_GRAPH)),
        quads: Vec::new(),
    };
    let en = |s: &str| Literal::new_language_tagged_literal_unchecked(s, "en");
    let wd = |q: &str| nn(&format!("{WD}{q}"));
    let wdt = |p: &str| format!("{WDT}{p}");
    for p in kb.positions() {
        let s = wd(&p.qid);
        g.add(s.clone(), RDF_TYPE, nn(KGL_POSITION));
        g.add(s.clone(), RDFS_LABEL, en(&p.label));
        g.add(s.clone(), KGL_ROLE, Literal::from(p.role.as_str()));
        for t in &p.titles {
            g.add(s.clone(), KGL_TITLE_WORD, Literal::from(t.as_str()));
        }
        if let Some(c) = &p.country {
            g.add(s.clone(), &wdt("P1001"), wd(c));
        }
    }
    for (_, e) in kb.iter() {
        let s = wd(&e.qid);
        g.add(s.clone(), RDF_TYPE, nn(class_of(e.etype)));
        g.add(s.clone(), RDFS_LABEL, en(&e.label));
        for (name, kind) in e.names.iter().skip(1) {
            let p = if *kind == crate::kb::AliasKind::Demonym {
                KGL_DEMONYM
            } else {
                SKOS_ALT_LABEL
            };
            g.add(s.clone(), p, en(name));
        }
        if let Some(d) = &e.description {
            g.add(s.clone(), SCHEMA_DESCRIPTION, en(d));
        }
        g.add(s.clone(), KGL_PRIOR, Literal::from(i64::from(e.prior)));
        if !e.kind.is_empty() {
            g.add(s.clone(), KGL_KIND, Literal::from(e.kind.as_str()));
        }
        if let Some(c) = e.country {
            g.add(s.clone(), &wdt("P17"), wd(&kb.entity(c).qid));
        }
        for &c in &e.citizenship {
            g.add(s.clone(), &wdt("P27"), wd(&kb.entity(c).qid));
        }
        if let Some(c) = e.capital {
            g.add(s.clone(), &wdt("P36"), wd(&kb.entity(c).qid));
        }
        for &m in &e.memberships {
            g.add(s.clone(), &wdt("P463"), wd(&kb.entity(m).qid));
        }
        for code in &e.iso {
            let p = if code.len() == 2 { "P297" } else { "P298" };
            g.add(s.clone(), &wdt(p), Literal::from(code.as_str()));
        }
        for (i, t) in e.positions.iter().enumerate() {
            let pos = &kb.positions()[t.position];
            g.add(s.clone(), &wdt("P39"), wd(&pos.qid));
            let st = nn(&format!("{KB_STATEMENT_BASE}{}-P39-{i}", e.qid));
            g.add(s.clone(), &format!("{P}P39"), st.clone());
            g.add(st.clone(), &format!("{PS}P39"), wd(&pos.qid));
            for (q, d) in [("P580", t.start), ("P582", t.end)] {
                if let Some(d) = d {
                    let dt = nn(&format!("{XSD}{}", d.xsd_type()));
                    g.add(
                        st.clone(),
                        &format!("{PQ}{q}"),
                        Literal::new_typed_literal(d.to_iso(), dt),
                    );
                }
            }
        }
    }
    g.quads
}
