//! Country-relative names of institutions: "the Treasury", "the Finance
//! Ministry", "the Supreme Court", "the Air Force".
//!
//! News names a country's own institutions without the country when the article
//! is about that country. Such a name is not an alias of any one entity (every
//! country has a Finance Ministry), so it is not in the alias index. It is
//! derived from the KB's own names instead: a name of a government body, court,
//! legislature, central bank, armed force or party that starts with a qualifier
//! of the entity's own country ("U.S. Treasury", "Japanese Finance Ministry",
//! "Japan's Finance Ministry") or ends with one ("Supreme Court of the United
//! States", "Ministry of Finance of Japan") gives the generic name without it
//! ("Treasury", "Finance Ministry", "Supreme Court", "Ministry of Finance").
//!
//! The linker resolves a generic name to the entity of the document's country
//! (see [`document_country`]) when the KB has one, and leaves it unknown
//! otherwise: a Finance Ministry in an article about Brazil is not Japan's.

use super::{AliasKind, EntityId, Kb, KbEntity};
use crate::model::EntityType;
use crate::text::name_key;
use std::collections::HashMap;

/// Kinds of organizations that are a country's own institutions.
const INSTITUTION_KINDS: &[&str] = &[
    "government",
    "court",
    "legislature",
    "central_bank",
    "military",
    "party",
];

/// Generic name key → the entities (of different countries) it may stand for.
pub type GenericNames = HashMap<String, Vec<EntityId>>;

/// Derives the generic names of the institutions among `entities` (see the
/// module docs); compiled into the KB's index.
pub fn derive(entities: &[KbEntity]) -> GenericNames {
    let mut out: GenericNames = HashMap::new();
    for (id, e) in entities.iter().enumerate() {
        let id = id as EntityId;
        if e.etype != EntityType::Org || !INSTITUTION_KINDS.contains(&e.kind.as_str()) {
            continue;
        }
        let Some(country) = e.country else {
            continue;
        };
        let Some(c) = entities.get(country as usize) else {
            continue;
        };
        let qualifiers = qualifiers(c);
        for (name, kind) in &e.names {
            if !matches!(kind, AliasKind::Label | AliasKind::Alias) {
                continue;
            }
            for rest in strip_qualifier(name, &qualifiers) {
                let key = name_key(rest);
                let v = out.entry(key).or_default();
                if !v.contains(&id) {
                    v.push(id);
                }
            }
        }
    }
    // a generic name that is also some country's name or qualifier is not one
    for c in entities.iter().filter(|c| c.etype == EntityType::Country) {
        for q in qualifiers(c) {
            out.remove(&name_key(q));
        }
    }
    out
}

/// The names of a country that qualify an institution's name: its names,
/// abbreviations and demonyms ("United States", "U.S.", "American").
fn qualifiers(country: &KbEntity) -> Vec<&str> {
    country
        .names
        .iter()
        .filter(|(_, k)| *k != AliasKind::Surname)
        .map(|(n, _)| n.as_str())
        .collect()
}

/// The generic rests of `name` once a leading or trailing qualifier is removed:
/// "U.S. Treasury" → "Treasury", "Japan's Finance Ministry" → "Finance
/// Ministry", "Supreme Court of the United States" → "Supreme Court". A rest must
/// start with a capital letter.
pub fn strip_qualifier<'n>(name: &'n str, qualifiers: &[&str]) -> Vec<&'n str> {
    let mut out: Vec<&'n str> = Vec::new();
    for q in qualifiers {
        if q.is_empty() {
            continue;
        }
        if let Some(after) = name.strip_prefix(q) {
            let after = after
                .strip_prefix("'s ")
                .or_else(|| after.strip_prefix("\u{2019}s "))
                .or_else(|| after.strip_prefix(' '));
            if let Some(rest) = after {
                out.push(rest.trim());
            }
        }
        if let Some(before) = name.strip_suffix(q) {
            let before = before
                .strip_suffix(" of the ")
                .or_else(|| before.strip_suffix(" of "));
            if let Some(rest) = before {
                out.push(rest.trim());
            }
        }
    }
    out.retain(|r| r.starts_with(|c: char| c.is_uppercase()));
    out.sort_unstable();
    out.dedup();
    out
}

/// The country a document is about: the one most of its linked entities belong
/// to (a country counts itself, a place or organization its country, a person
/// each citizenship), when it is named at least twice and strictly more often
/// than any other.
pub fn document_country(kb: &Kb, entities: impl IntoIterator<Item = EntityId>) -> Option<EntityId> {
    let mut counts: HashMap<EntityId, usize> = HashMap::new();
    for e in entities {
        for c in kb.entity(e).countries(e) {
            *counts.entry(c).or_insert(0) += 1;
        }
    }
    let mut v: Vec<(EntityId, usize)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    match v[..] {
        [(c, n), ..] if n >= 2 && v.get(1).is_none_or(|x| x.1 < n) => Some(c),
        _ => None,
    }
}

/// The lookup key of a generic name ("the Treasury" → "treasury").
fn generic_key(name: &str) -> String {
    let key = name_key(name);
    key.strip_prefix("the ").map(str::to_string).unwrap_or(key)
}

/// Whether `name` is one of the KB's generic institution names.
pub fn is_generic_name(kb: &Kb, name: &str) -> bool {
    !kb.generic_candidates(&generic_key(name)).is_empty()
}

/// The institution of `country` that the generic `name` stands for, if the KB
/// has exactly one.
pub fn resolve(kb: &Kb, name: &str, country: EntityId) -> Option<EntityId> {
    let hits = kb.generic_candidates(&generic_key(name));
    let mut of_country = hits
        .iter()
        .copied()
        .filter(|&e| kb.entity(e).country == Some(country));
    let first = of_country.next()?;
    of_country.next().is_none().then_some(first)
}

/// Words after "Treasury" that make it a debt security ("10-year Treasury
/// notes"), not the institution.
const SECURITY_WORDS: &[&str] = &[
    "note",
    "notes",
    "bond",
    "bonds",
    "bill",
    "bills",
    "yield",
    "yields",
    "securities",
    "issue",
    "issues",
    "futures",
];

/// Whether a name between `before` and `after` names a debt security: followed
/// by a security word ("Treasury bonds") or preceded by a maturity ("the
/// 30-year Treasury").
pub fn is_security(before: &str, after: &str) -> bool {
    let next = after
        .trim_start_matches([' ', '\u{a0}'])
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or("");
    if !after.starts_with(|c: char| c.is_alphanumeric())
        && SECURITY_WORDS.contains(&next.to_lowercase().as_str())
    {
        return true;
    }
    let prev = before
        .trim_end()
        .rsplit(|c: char| c.is_whitespace())
        .next()
        .unwrap_or("");
    let prev = prev.to_lowercase();
    ["-year", "-month", "-week", "-day"]
        .iter()
        .any(|u| prev.strip_suffix(u).is_some_and(|n| !n.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kb() -> Kb {
        Kb::from_sources([
            (
                "countries.tsv",
                "qid\tname\tofficial_name\tiso2\tiso3\tcapital\tkind\taliases\tdemonyms\tmemberships\tprior\n\
                 Q30\tUnited States\tUnited States of America\tUS\tUSA\t\tstate\tU.S.\tAmerican\t\t95\n\
                 Q17\tJapan\t\tJP\tJPN\t\tstate\t\tJapanese\t\t85\n\
                 Q155\tBrazil\t\tBR\tBRA\t\tstate\t\tBrazilian\t\t70\n",
            ),
            (
                "organizations.tsv",
                "qid\tname\tkind\tcountry\taliases\tacronyms\tdescription\tprior\n\
                 Q648666\tUnited States Department of the Treasury\tgovernment\tQ30\tU.S. Treasury\t\tx\t75\n\
                 Q1322605\tMinistry of Finance of Japan\tgovernment\tQ17\tJapanese Finance Ministry|Japan's Finance Ministry\t\tx\t40\n\
                 Q11201\tSupreme Court of the United States\tcourt\tQ30\tU.S. Supreme Court\t\tx\t80\n\
                 Q3001105\tSupreme Court of Florida\tcourt\tQ30\tFlorida Supreme Court\t\tx\t20\n\
                 Q95\tGoogle\tcompany\tQ30\tU.S. Google\t\tx\t80\n",
            ),
        ])
        .unwrap()
    }

    #[test]
    fn qualifiers_are_stripped_at_either_end() {
        let q = ["United States", "U.S.", "American", "Japan", "Japanese"];
        assert_eq!(strip_qualifier("U.S. Treasury", &q), ["Treasury"]);
        assert_eq!(
            strip_qualifier("Japan's Finance Ministry", &q),
            ["Finance Ministry"]
        );
        assert_eq!(
            strip_qualifier("Supreme Court of the United States", &q),
            ["Supreme Court"]
        );
        assert_eq!(
            strip_qualifier("Ministry of Finance of Japan", &q),
            ["Ministry of Finance"]
        );
        // no qualifier, or a qualifier that is only part of a word
        assert!(strip_qualifier("Florida Supreme Court", &q).is_empty());
        assert!(strip_qualifier("Japanesque Treasury", &q).is_empty());
        assert!(strip_qualifier("American", &q).is_empty());
    }

    #[test]
    fn generic_names_of_institutions_only() {
        let kb = kb();
        let entities: Vec<KbEntity> = kb.iter().map(|(_, e)| (*e).clone()).collect();
        let names = derive(&entities);
        let qids = |k: &str| -> Vec<String> {
            names
                .get(k)
                .map(|v| v.iter().map(|&e| kb.entity(e).qid.clone()).collect())
                .unwrap_or_default()
        };
        assert_eq!(qids("treasury"), ["Q648666"]);
        assert_eq!(qids("finance ministry"), ["Q1322605"]);
        assert_eq!(qids("ministry of finance"), ["Q1322605"]);
        assert_eq!(qids("supreme court"), ["Q11201"]);
        // a company is not a country's institution
        assert!(qids("google").is_empty());
    }

    #[test]
    fn securities_are_not_institutions() {
        assert!(is_security("the benchmark 10-year ", " note slipped"));
        assert!(is_security("all maturities of ", " notes and bonds"));
        assert!(is_security("The 30-year ", " fell almost a point"));
        assert!(!is_security("He added the ", " was aware of it"));
        assert!(!is_security(
            "convince Wall Street that the ",
            " 's 30-year bond"
        ));
        assert!(!is_security("the ", "Notes"));
    }

    #[test]
    fn the_document_country_decides() {
        let kb = kb();
        let id = |q: &str| kb.by_qid(q).unwrap();
        let (us, japan, brazil) = (id("Q30"), id("Q17"), id("Q155"));
        assert_eq!(
            resolve(&kb, "Finance Ministry", japan)
                .map(|e| kb.entity(e).qid.clone())
                .as_deref(),
            Some("Q1322605")
        );
        assert_eq!(
            resolve(&kb, "the Treasury", us)
                .map(|e| kb.entity(e).qid.clone())
                .as_deref(),
            Some("Q648666")
        );
        // the KB has no Brazilian Treasury: no link rather than another country's
        assert_eq!(resolve(&kb, "Treasury", brazil), None);
        assert_eq!(resolve(&kb, "Finance Ministry", us), None);

        // Japan named twice (once through its ministry), the U.S. once
        let treasury = id("Q648666");
        let mof = id("Q1322605");
        assert_eq!(document_country(&kb, [japan, mof, us]), Some(japan));
        // a tie, or a single mention, settles nothing
        assert_eq!(document_country(&kb, [japan, us]), None);
        assert_eq!(document_country(&kb, [japan, mof, us, treasury]), None);
        assert_eq!(document_country(&kb, []), None);
    }
}
