//! The relation gold set (`tests/data/relations.jsonl`, news-style sentences written
//! for kglink) scored per kind, with the bundled KB and the annotator: precision
//! must stay at 0.9 or more for every kind. And the seed article (read from
//! ../shared, never committed) yields the relations its text states.
//!
//! Scoring, per item, on sets of tuples:
//! - position: (person, office, tense); affiliation: (person, property, organization);
//!   nationality: (person, country);
//! - meeting: the set of participants; meeting-place: (participants, place) where
//!   a place is predicted or expected; meeting-date likewise;
//! - statement: (speaker, addressee) and the said span overlapping the expected
//!   one (the span's exact ends are not scored);
//! - comention: (a, b, count), only on items that list their co-mentions.
//!
//! Items are `dev` (written while the rules were designed) or `heldout` (written
//! after they were frozen, to measure them on text they were not shaped by); the
//! figures are printed for each split and asserted on all. Recall must stay at
//! 0.7 or more per kind, so that a rule cannot die silently.
//!
//! `KGLINK_RELATIONS_DEBUG=1` prints every miss and every false relation.

use kglink::annotate::Annotator;
use kglink::kb::{Kb, PartialDate};
use kglink::model::Target;
use kglink::rdf::vocab;
use kglink::relate::{self, Node, Relation, RelationKind};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Default, Clone, Copy)]
struct Score {
    tp: usize,
    predicted: usize,
    gold: usize,
}

impl Score {
    fn precision(&self) -> f64 {
        if self.predicted == 0 {
            1.0
        } else {
            self.tp as f64 / self.predicted as f64
        }
    }
    fn recall(&self) -> f64 {
        if self.gold == 0 {
            1.0
        } else {
            self.tp as f64 / self.gold as f64
        }
    }
}

fn id(n: &Node) -> String {
    n.id()
}

fn short(p: &str) -> String {
    p.rsplit(['/', '#']).next().unwrap_or(p).to_string()
}

/// Tuples per scored kind.
type Tuples = BTreeMap<&'static str, BTreeSet<String>>;

/// A statement: speaker, addressee, byte span of what was said.
type Said = (String, String, usize, usize);

/// A meeting: participants, place, date.
type Meeting = (BTreeSet<String>, Option<String>, Option<String>);

fn predicted(rels: &[Relation]) -> (Tuples, Vec<Said>) {
    let mut t: Tuples = BTreeMap::new();
    let mut meetings: BTreeMap<usize, Meeting> = BTreeMap::new();
    let mut recipients: BTreeMap<String, String> = BTreeMap::new();
    let mut said: Vec<(String, usize, usize)> = Vec::new();
    for r in rels {
        match r.kind {
            RelationKind::Position => {
                t.entry("position").or_default().insert(format!(
                    "{} {} {}",
                    id(&r.subject),
                    id(&r.object),
                    r.tense.as_str()
                ));
            }
            RelationKind::Affiliation => {
                t.entry("affiliation").or_default().insert(format!(
                    "{} {} {}",
                    id(&r.subject),
                    short(kglink::rdf::predicate_iri(r.predicate)),
                    id(&r.object)
                ));
            }
            RelationKind::Nationality => {
                t.entry("nationality").or_default().insert(format!(
                    "{} {}",
                    id(&r.subject),
                    id(&r.object)
                ));
            }
            RelationKind::Meeting => {
                let Node::Meeting(k) = r.subject else {
                    panic!("{r:?}")
                };
                let m = meetings.entry(k).or_default();
                if kglink::rdf::predicate_iri(r.predicate) == vocab::SCHEMA_ATTENDEE {
                    m.0.insert(id(&r.object));
                } else {
                    m.1 = Some(id(&r.object));
                }
                m.2 = r.when.map(|d| d.to_iso());
            }
            RelationKind::Statement => {
                if kglink::rdf::predicate_iri(r.predicate) == vocab::SCHEMA_RECIPIENT {
                    recipients.insert(id(&r.subject), id(&r.object));
                } else if let Node::Utterance { start, end } = r.object {
                    said.push((id(&r.subject), start, end));
                }
            }
            RelationKind::CoMention => {
                t.entry("comention").or_default().insert(format!(
                    "{} {} {}",
                    id(&r.subject),
                    id(&r.object),
                    r.count
                ));
            }
        }
    }
    for (parts, place, date) in meetings.values() {
        let p = parts.iter().cloned().collect::<Vec<_>>().join("+");
        t.entry("meeting").or_default().insert(p.clone());
        if let Some(pl) = place {
            t.entry("meeting-place")
                .or_default()
                .insert(format!("{p} @{pl}"));
        }
        if let Some(d) = date {
            t.entry("meeting-date")
                .or_default()
                .insert(format!("{p} @{d}"));
        }
    }
    let said = said
        .into_iter()
        .map(|(sp, s, e)| {
            let to = recipients
                .get(&format!("utterance-{s}-{e}"))
                .cloned()
                .unwrap_or_default();
            (sp, to, s, e)
        })
        .collect();
    (t, said)
}

fn expected(item: &Value, text: &str) -> (Tuples, Vec<Said>) {
    let mut t: Tuples = BTreeMap::new();
    let mut said = Vec::new();
    let s = |v: &Value, k: &str| v[k].as_str().unwrap_or_default().to_string();
    for r in item["relations"].as_array().unwrap() {
        match r["kind"].as_str().unwrap() {
            "position" => {
                let tense = r["tense"].as_str().unwrap_or("present");
                t.entry("position").or_default().insert(format!(
                    "{} {} {tense}",
                    s(r, "subject"),
                    s(r, "object")
                ));
            }
            "affiliation" => {
                t.entry("affiliation").or_default().insert(format!(
                    "{} {} {}",
                    s(r, "subject"),
                    s(r, "predicate"),
                    s(r, "object")
                ));
            }
            "nationality" => {
                t.entry("nationality").or_default().insert(format!(
                    "{} {}",
                    s(r, "subject"),
                    s(r, "object")
                ));
            }
            "meeting" => {
                let parts: BTreeSet<String> = r["participants"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p.as_str().unwrap().to_string())
                    .collect();
                let p = parts.into_iter().collect::<Vec<_>>().join("+");
                t.entry("meeting").or_default().insert(p.clone());
                if let Some(pl) = r["place"].as_str() {
                    t.entry("meeting-place")
                        .or_default()
                        .insert(format!("{p} @{pl}"));
                }
                if let Some(d) = r["date"].as_str() {
                    t.entry("meeting-date")
                        .or_default()
                        .insert(format!("{p} @{d}"));
                }
            }
            "statement" => {
                let u = s(r, "utterance");
                let start = text
                    .find(&u)
                    .unwrap_or_else(|| panic!("{}: {u:?} not in the text", item["id"]));
                said.push((s(r, "speaker"), s(r, "to"), start, start + u.len()));
            }
            k => panic!("{}: unknown kind {k}", item["id"]),
        }
    }
    if let Some(pairs) = item["comentions"].as_array() {
        let set = t.entry("comention").or_default();
        for p in pairs {
            let (a, b) = (p[0].as_str().unwrap(), p[1].as_str().unwrap());
            let (a, b) = if a <= b { (a, b) } else { (b, a) };
            set.insert(format!("{a} {b} {}", p[2]));
        }
    }
    (t, said)
}

const KINDS: &[&str] = &[
    "position",
    "affiliation",
    "nationality",
    "meeting",
    "meeting-place",
    "meeting-date",
    "statement",
    "comention",
];

fn load_gold() -> Vec<Value> {
    let path = crate::root().join("tests/data/relations.jsonl");
    std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| serde_json::from_str(l).unwrap_or_else(|e| panic!("line {}: {e}", i + 1)))
        .collect()
}

/// Scores every item of `split` (all when `None`).
fn score(gold: &[Value], split: Option<&str>, debug: bool) -> BTreeMap<&'static str, Score> {
    let kb = Kb::bundled().unwrap();
    let annotator = Annotator::new(kb);
    let mut scores: BTreeMap<&'static str, Score> =
        KINDS.iter().map(|k| (*k, Score::default())).collect();
    for item in gold {
        if split.is_some_and(|s| item["split"].as_str() != Some(s)) {
            continue;
        }
        let text = item["text"].as_str().unwrap();
        let date = item["date"].as_str();
        let links = annotator.links(text, date);
        let rels = relate::relate_text(kb, text, &links, date.and_then(PartialDate::parse));
        let (pred, pred_said) = predicted(&rels);
        let (gold_t, gold_said) = expected(item, text);
        let with_comentions = item.get("comentions").is_some();
        for k in KINDS {
            if *k == "statement" || (*k == "comention" && !with_comentions) {
                continue;
            }
            let empty = BTreeSet::new();
            let p = pred.get(k).unwrap_or(&empty);
            let g = gold_t.get(k).unwrap_or(&empty);
            let sc = scores.get_mut(k).unwrap();
            sc.predicted += p.len();
            sc.gold += g.len();
            sc.tp += p.intersection(g).count();
            if debug {
                for x in p.difference(g) {
                    eprintln!("  FALSE {} {k}: {x}", item["id"]);
                }
                for x in g.difference(p) {
                    eprintln!("  MISS  {} {k}: {x}", item["id"]);
                }
            }
        }
        let sc = scores.get_mut("statement").unwrap();
        sc.predicted += pred_said.len();
        sc.gold += gold_said.len();
        let mut matched = vec![false; gold_said.len()];
        for p in &pred_said {
            let hit = gold_said.iter().enumerate().position(|(i, g)| {
                !matched[i] && g.0 == p.0 && g.1 == p.1 && p.2 < g.3 && g.2 < p.3
            });
            match hit {
                Some(i) => {
                    matched[i] = true;
                    sc.tp += 1;
                }
                None if debug => eprintln!(
                    "  FALSE {} statement: {} to {:?}: {:?}",
                    item["id"],
                    p.0,
                    p.1,
                    &text[p.2..p.3]
                ),
                None => {}
            }
        }
        if debug {
            for (g, m) in gold_said.iter().zip(&matched) {
                if !m {
                    eprintln!(
                        "  MISS  {} statement: {} to {:?}: {:?}",
                        item["id"],
                        g.0,
                        g.1,
                        &text[g.2..g.3]
                    );
                }
            }
        }
    }
    scores
}

fn report(name: &str, scores: &BTreeMap<&'static str, Score>) {
    eprintln!("relation gold set, {name}:");
    eprintln!(
        "  {:<14} {:>9} {:>9} {:>6} {:>6} {:>4}",
        "kind", "precision", "recall", "pred", "gold", "tp"
    );
    for k in KINDS {
        let s = scores[k];
        eprintln!(
            "  {:<14} {:>9.3} {:>9.3} {:>6} {:>6} {:>4}",
            k,
            s.precision(),
            s.recall(),
            s.predicted,
            s.gold,
            s.tp
        );
    }
}

#[test]
fn relation_gold_set_precision_per_kind() {
    let gold = load_gold();
    assert!(gold.len() >= 40, "the gold set has {} items", gold.len());
    let debug = std::env::var_os("KGLINK_RELATIONS_DEBUG").is_some();
    for split in ["dev", "heldout"] {
        if gold.iter().any(|g| g["split"] == split) {
            report(split, &score(&gold, Some(split), false));
        }
    }
    let all = score(&gold, None, debug);
    report("all", &all);
    for k in KINDS {
        let s = all[k];
        assert!(s.gold > 0, "the gold set has no {k} relation");
        assert!(
            s.precision() >= 0.9,
            "{k}: precision {:.3} < 0.9 (run with KGLINK_RELATIONS_DEBUG=1)",
            s.precision()
        );
        assert!(
            s.recall() >= 0.7,
            "{k}: recall {:.3} < 0.7 (run with KGLINK_RELATIONS_DEBUG=1)",
            s.recall()
        );
    }
}

/// Every relation kind of the gold set covers a kind of [`RelationKind`].
#[test]
fn gold_set_covers_every_relation_kind() {
    let gold = load_gold();
    let kinds: BTreeSet<&str> = gold
        .iter()
        .flat_map(|g| g["relations"].as_array().unwrap().iter())
        .filter_map(|r| r["kind"].as_str())
        .chain(
            gold.iter()
                .any(|g| g.get("comentions").is_some())
                .then_some("comention"),
        )
        .collect();
    for k in RelationKind::ALL {
        assert!(kinds.contains(k.as_str()), "no gold {}", k.as_str());
    }
}

fn has(rels: &[Relation], subject: &str, predicate: &str, object: &str) -> bool {
    rels.iter().any(|r| {
        id(&r.subject) == subject
            && kglink::rdf::predicate_iri(r.predicate) == predicate
            && id(&r.object) == object
    })
}

#[test]
fn seed_article_relations() {
    let Some(path) = crate::shared("seed/article.txt") else {
        return;
    };
    let text = std::fs::read_to_string(path).unwrap();
    let kb = Kb::bundled().unwrap();
    let date = "2019-02-28";
    let links = Annotator::new(kb).links(&text, Some(date));
    let rels = relate::relate_text(kb, &text, &links, PartialDate::parse(date));
    let office_of = |person: &str, country: &str| {
        rels.iter().any(|r| {
            id(&r.subject) == person
                && kglink::rdf::predicate_iri(r.predicate) == vocab::WDT_POSITION_HELD
                && match &r.object {
                    Node::Office(relate::Office::Known(q)) => kb
                        .position_by_qid(q)
                        .is_some_and(|p| p.country.as_deref() == Some(country)),
                    Node::Office(relate::Office::Local { country: c, .. }) => c == country,
                    _ => false,
                }
        })
    };
    assert!(
        office_of("Q132345", "Q17"),
        "Shinzo Abe — prime minister of Japan"
    );
    assert!(
        has(&rels, "Q132345", vocab::WDT_POSITION_HELD, "Q274948"),
        "Shinzo Abe — Q274948"
    );
    assert!(
        office_of("Q10665", "Q423"),
        "Kim Jong-il — leader of North Korea"
    );
    assert!(
        has(&rels, "Q130852", vocab::WDT_POSITION_HELD, "Q274948"),
        "Junichiro Koizumi — prime minister of Japan"
    );
    let meeting = rels.iter().find_map(|r| match r.subject {
        Node::Meeting(k)
            if r.object == Node::Entity(Target::Known("Q1858".into()))
                && kglink::rdf::predicate_iri(r.predicate) == vocab::SCHEMA_LOCATION =>
        {
            Some(k)
        }
        _ => None,
    });
    let k = meeting.expect("a meeting in Hanoi");
    for who in ["Q22686", "Q56226"] {
        assert!(
            has(&rels, &format!("meeting-{k}"), vocab::SCHEMA_ATTENDEE, who),
            "{who} attends the Hanoi meeting"
        );
    }
    let abe_said: Vec<&str> = rels
        .iter()
        .filter(|r| {
            id(&r.subject) == "Q132345"
                && kglink::rdf::predicate_iri(r.predicate) == vocab::KGL_SAID
        })
        .filter_map(|r| match r.object {
            Node::Utterance { start, end } => Some(&text[start..end]),
            _ => None,
        })
        .collect();
    assert!(
        abe_said
            .iter()
            .any(|u| u.starts_with("I am confident that President Trump")),
        "Abe's statement: {abe_said:?}"
    );
}

/// Random sequences of cue words, names and punctuation never make `relate`
/// panic, and every relation's offsets lie on character boundaries of the text.
#[test]
fn random_inputs_never_panic() {
    const PIECES: &[&str] = &[
        "Kim",
        "Jong-un",
        "Trump",
        "Shinzo Abe",
        "Japan",
        "Japan's",
        "Japan’s",
        "North Korean",
        "Hanoi",
        "Apple",
        "Labour Party",
        "President",
        "prime minister",
        "leader",
        "former",
        "then",
        "vice",
        "chief executive",
        "of",
        "the",
        "a",
        "met",
        "talks",
        "with",
        "summit",
        "between",
        "and",
        "hosted",
        "agreed",
        "said",
        "told",
        "that",
        "warned",
        "national",
        "in",
        "at",
        "2002",
        "June",
        "27",
        "last",
        "year",
        ",",
        ", ",
        ".",
        ":",
        "“",
        "”",
        "\"",
        "'",
        "’s",
        "-",
        "–",
        "\n",
        " ",
        "  ",
        "é",
        "🙂",
        "\u{301}",
    ];
    let kb = Kb::bundled().unwrap();
    let annotator = Annotator::new(kb);
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for round in 0..400 {
        let n = 1 + (next() % 40) as usize;
        let mut text = String::new();
        for _ in 0..n {
            text.push_str(PIECES[(next() % PIECES.len() as u64) as usize]);
            if next().is_multiple_of(2) {
                text.push(' ');
            }
        }
        let links = annotator.links(&text, Some("2019-02-28"));
        let rels = relate::relate_text(kb, &text, &links, PartialDate::parse("2019-02-28"));
        for r in &rels {
            assert!(
                r.start <= r.end && text.is_char_boundary(r.start) && text.is_char_boundary(r.end),
                "round {round}: {r:?} in {text:?}"
            );
            if let Node::Utterance { start, end } = r.object {
                assert!(
                    start < end && text.get(start..end).is_some(),
                    "round {round}: {r:?}"
                );
            }
            assert!((0.0..=1.0).contains(&r.confidence));
        }
        let article = kglink::model::Article {
            id: format!("r{round}"),
            text: text.clone(),
            ..Default::default()
        };
        kglink::rdf::article_quads(&article, &links, &rels);
    }
}

/// `kglink ingest --date` dates a text file's relations, and the relation
/// queries answer from the store.
#[test]
fn ingest_with_a_date_then_query_relations() {
    use crate::{kglink, stderr, stdout};
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path().join("store");
    let s = s.to_str().unwrap();
    let input = dir.path().join("a.txt");
    std::fs::write(
        &input,
        "Japan's prime minister voiced concern on Monday.\n\nShinzo Abe said talks would continue. Donald Trump met Kim Jong-un in Hanoi.\n",
    )
    .unwrap();
    let path = input.to_str().unwrap();
    let o = kglink(
        &["ingest", path, "--store", s, "--date", "2019-02-25"],
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let q = |args: &[&str]| {
        let mut all = vec!["query"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--store", s, "--format", "csv"]);
        let o = kglink(&all, None);
        assert!(o.status.success(), "{}", stderr(&o));
        stdout(&o)
    };
    let out = q(&["offices-held", "--param", "person=Q132345"]);
    assert!(
        out.contains("Prime Minister of Japan") && out.contains("2019-02-25"),
        "{out}"
    );
    let out = q(&["meetings"]);
    assert!(
        out.contains("Hanoi") && out.contains("Kim Jong-un"),
        "{out}"
    );
    let out = q(&["entity-relations", "--param", "entity=Q132345"]);
    assert!(out.contains("talks would continue"), "{out}");
}
