//! The bundled KB: it loads, it is as large as promised, and its QIDs agree with
//! the Wikidata-derived reference tables in ../shared (read there, never copied).
//! Known, intended disagreements are listed with a reason in
//! data/kb/reference-exceptions.tsv.

use kglink::kb::Kb;
use kglink::model::EntityType;
use kglink::text::fold_diacritics;
use std::collections::{HashMap, HashSet};

fn norm(s: &str) -> String {
    let s = fold_diacritics(s).unwrap_or_else(|| s.to_string());
    s.to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn exceptions() -> HashSet<String> {
    let text =
        std::fs::read_to_string(crate::root().join("data/kb/reference-exceptions.tsv")).unwrap();
    let mut out = HashSet::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        let cells: Vec<&str> = line.split('\t').collect();
        assert!(
            cells.len() >= 3 && !cells[2].trim().is_empty(),
            "reference-exceptions.tsv:{}: every exception needs a qid, a source and a reason",
            i + 1
        );
        out.insert(cells[0].trim().to_string());
    }
    out
}

/// True when one of our names and the reference name plausibly name the same thing.
fn names_agree(ours: &[String], theirs: &str) -> bool {
    let t = norm(theirs);
    let t_words: HashSet<&str> = t.split(' ').collect();
    ours.iter().map(|o| norm(o)).any(|o| {
        o == t
            || o.contains(&t)
            || t.contains(&o)
            || o.split(' ')
                .filter(|w| w.len() > 2)
                .any(|w| t_words.contains(w))
    })
}

struct Checker<'k> {
    kb: &'k Kb,
    exceptions: HashSet<String>,
    by_label: HashMap<(String, EntityType), Vec<String>>,
    problems: Vec<String>,
    checked: usize,
}

impl<'k> Checker<'k> {
    fn new(kb: &'k Kb) -> Self {
        let mut by_label: HashMap<(String, EntityType), Vec<String>> = HashMap::new();
        for (_, e) in kb.iter() {
            by_label
                .entry((norm(&e.label), e.etype.coarse()))
                .or_default()
                .push(e.qid.clone());
        }
        Checker {
            kb,
            exceptions: exceptions(),
            by_label,
            problems: Vec::new(),
            checked: 0,
        }
    }

    /// The reference says `qid` is named `name` (an entity of type `t`).
    fn check(&mut self, source: &str, qid: &str, name: &str, t: EntityType) {
        if self.exceptions.contains(qid) {
            return;
        }
        if let Some(id) = self.kb.by_qid(qid) {
            self.checked += 1;
            let e = self.kb.entity(id);
            let names: Vec<String> = e.names.iter().map(|n| n.0.clone()).collect();
            if !names_agree(&names, name) {
                self.problems.push(format!(
                    "{source}: {qid} is {name:?} there, {:?} here",
                    e.label
                ));
            }
        } else if let Some(ours) = self.by_label.get(&(norm(name), t.coarse())) {
            let ours: Vec<&String> = ours
                .iter()
                .filter(|q| !self.exceptions.contains(*q))
                .collect();
            if !ours.is_empty() {
                self.checked += 1;
                self.problems
                    .push(format!("{source}: {name:?} is {qid} there, {ours:?} here"));
            }
        }
    }
}

#[test]
fn bundled_kb_loads_and_is_large_enough() {
    let kb = Kb::bundled().unwrap();
    let c = kb.counts();
    let n = |t| c.get(&t).copied().unwrap_or(0);
    assert!(
        n(EntityType::Country) >= 240,
        "{} countries",
        n(EntityType::Country)
    );
    assert!(
        n(EntityType::Org) >= 300,
        "{} organizations",
        n(EntityType::Org)
    );
    assert!(n(EntityType::Per) >= 1500, "{} people", n(EntityType::Per));
    assert!(n(EntityType::Loc) >= 500, "{} places", n(EntityType::Loc));
    // every person has a nationality; every state a capital or a reason not to
    for (_, e) in kb.iter() {
        if e.etype == EntityType::Per {
            assert!(
                !e.citizenship.is_empty(),
                "{} {} has no citizenship",
                e.qid,
                e.label
            );
        }
    }
    // the explicit rules of data/kb/README.md
    let label = |q: &str| kb.entity(kb.by_qid(q).unwrap()).label.clone();
    assert_eq!(label("Q35"), "Denmark");
    assert_eq!(label("Q55"), "Netherlands");
    assert!(kb
        .lookup("Congo")
        .iter()
        .all(|c| !["Q974", "Q971"].contains(&kb.entity(c.0).qid.as_str())));
    assert!(kb
        .lookup("Korea")
        .iter()
        .all(|c| !["Q884", "Q423"].contains(&kb.entity(c.0).qid.as_str())));
    assert_eq!(kb.entity(kb.lookup("China")[0].0).qid, "Q148");
    assert_eq!(kb.entity(kb.lookup("Georgia")[0].0).qid, "Q230");
    assert_eq!(kb.entity(kb.lookup("Republic of China")[0].0).qid, "Q865");
    assert_eq!(kb.entity(kb.lookup("Hanoi")[0].0).etype, EntityType::Loc);
    assert_eq!(
        kb.entity(kb.lookup("Pyongyang")[0].0).etype,
        EntityType::Loc
    );
}

#[test]
fn bundled_kb_agrees_with_reference_tables() {
    let Some(reference) = crate::shared("reference") else {
        return;
    };
    let kb = Kb::bundled().unwrap();
    let mut ck = Checker::new(kb);

    // countries: rigour (is_country rows) and country-coder
    let rigour =
        std::fs::read_to_string(reference.join("countries/rigour_territories.jsonl")).unwrap();
    for line in rigour.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        if v["is_country"] == true && v["is_historical"] != true {
            if let (Some(q), Some(n)) = (v["qid"].as_str(), v["name"].as_str()) {
                ck.check("rigour", q, n, EntityType::Country);
            }
        }
    }
    let cc: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(reference.join("countries/country_coder_features.json")).unwrap(),
    )
    .unwrap();
    for f in cc.as_array().unwrap() {
        if f["iso1A2"].is_string() {
            if let (Some(q), Some(n)) = (f["wikidata"].as_str(), f["nameEn"].as_str()) {
                ck.check("country-coder", q, n, EntityType::Country);
            }
        }
    }
    // leaders (CSV with quoted names)
    for file in [
        "people/world_leaders_wikidata.csv",
        "people/world_leaders_wikipedia.csv",
    ] {
        let text = std::fs::read_to_string(reference.join(file)).unwrap();
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let col = |n: &str| {
            header
                .iter()
                .position(|h| h.eq_ignore_ascii_case(n))
                .unwrap()
        };
        let (pq, pl, oq, ol) = (
            col("position"),
            col("positionLabel"),
            col("officeholder"),
            col("officeholderLabel"),
        );
        for line in lines {
            let cells = split_csv(line);
            if cells.len() < header.len() {
                continue;
            }
            ck.check(file, &cells[oq], &cells[ol], EntityType::Per);
            if let Some(p) = kb.position_by_qid(&cells[pq]) {
                if !names_agree(std::slice::from_ref(&p.label), &cells[pl])
                    && !ck.exceptions.contains(&cells[pq])
                {
                    ck.problems.push(format!(
                        "{file}: position {} is {:?} there, {:?} here",
                        cells[pq], cells[pl], p.label
                    ));
                }
            }
        }
    }
    // US Congress: wikidata id and official full name
    let yaml =
        std::fs::read_to_string(reference.join("people/us_legislators_current.yaml")).unwrap();
    let mut qid = None;
    for line in yaml.lines() {
        let t = line.trim();
        if let Some(q) = t.strip_prefix("wikidata: ") {
            qid = Some(q.trim().to_string());
        } else if let Some(n) = t.strip_prefix("official_full: ") {
            if let Some(q) = qid.take() {
                ck.check(
                    "us_legislators",
                    &q,
                    n.trim_matches(['\'', '"']),
                    EntityType::Per,
                );
            }
        }
    }
    // international organisations
    let orgs =
        std::fs::read_to_string(reference.join("organisations/supraverden_general_list.yaml"))
            .unwrap();
    let mut qid = None;
    for line in orgs.lines() {
        let t = line.trim();
        if !line.starts_with(' ') {
            qid = None;
        }
        if let Some(q) = t.strip_prefix("Wikidata_code: ") {
            let q = q.trim().trim_matches('\'');
            qid = q.starts_with('Q').then(|| q.to_string());
        } else if let Some(n) = t.strip_prefix("Name_en: ") {
            if let Some(q) = &qid {
                let q = q.clone();
                ck.check(
                    "supraverden",
                    &q,
                    n.trim_matches(['\'', '"']),
                    EntityType::Org,
                );
            }
        }
    }
    // gold titles: a KB entity whose label is the title must carry the title's QID
    if let Some(titles) = crate::shared("eval/wikipedia_title_to_wikidata.tsv") {
        let text = std::fs::read_to_string(titles).unwrap();
        for line in text.lines().skip(1) {
            let c: Vec<&str> = line.split('\t').collect();
            if c.len() < 2 {
                continue;
            }
            let (title, q) = (c[0].replace('_', " "), c[1]);
            if ck.exceptions.contains(q) {
                continue;
            }
            if let Some(id) = kb.by_qid(q) {
                ck.checked += 1;
                let e = kb.entity(id);
                let names: Vec<String> = e.names.iter().map(|n| n.0.clone()).collect();
                let bare = title
                    .split(" (")
                    .next()
                    .unwrap_or(&title)
                    .split(',')
                    .next()
                    .unwrap_or(&title)
                    .to_string();
                if !names_agree(&names, &bare) {
                    ck.problems.push(format!(
                        "titles: {q} is {title:?} there, {:?} here",
                        e.label
                    ));
                }
            } else {
                for t in EntityType::ALL {
                    if let Some(ours) = ck.by_label.get(&(norm(&title), t.coarse())) {
                        let ours: Vec<&String> = ours
                            .iter()
                            .filter(|x| !ck.exceptions.contains(*x))
                            .collect();
                        if !ours.is_empty() {
                            ck.problems
                                .push(format!("titles: {title:?} is {q} there, {ours:?} here"));
                        }
                    }
                }
            }
        }
    }
    ck.problems.sort();
    ck.problems.dedup();
    eprintln!(
        "checked {} QIDs against the reference tables, {} exceptions listed",
        ck.checked,
        ck.exceptions.len()
    );
    assert!(ck.checked > 500, "only {} QIDs checked", ck.checked);
    assert!(
        ck.problems.is_empty(),
        "{} disagreement(s) with ../shared/reference (fix the KB, or list the QID with a reason in data/kb/reference-exceptions.tsv):\n{}",
        ck.problems.len(),
        ck.problems.join("\n")
    );
}

/// Splits one CSV line with double-quoted fields.
fn split_csv(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out
}
