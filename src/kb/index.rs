//! The alias index: every name of every entity under a normalized key, and one
//! Aho-Corasick automaton that finds all of them in a text in a single pass.
//!
//! Variants are added at build time: diacritics folded (`Erdogan`), umlauts
//! transliterated (`Ruehe`), a family name without its Arabic article
//! (`Maliki`), hyphens in
//! people's names spaced (`Kim Jong Un`), typographic apostrophes, and a person's
//! family name alone as a weak [`AliasKind::Surname`] alias.

use super::{AliasKind, EntityId, KbEntity};
use crate::model::EntityType;
use crate::text::{fold_diacritics, name_key};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use std::collections::{HashMap, HashSet};

/// One entity reachable under a key.
#[derive(Debug, Clone, PartialEq)]
pub struct AliasHit {
    /// The entity.
    pub entity: EntityId,
    /// How the name belongs to it.
    pub kind: AliasKind,
    /// The name as written in the KB (for case checks).
    pub surface: Box<str>,
}

/// A name found in a text: byte span and the key's hits.
#[derive(Debug, Clone, Copy)]
pub struct Found {
    /// Start byte.
    pub start: usize,
    /// End byte (exclusive).
    pub end: usize,
    /// Key id, for [`AliasIndex::hits_of`].
    pub key: u32,
}

/// Normalized name → entities, plus the automaton over all names.
#[derive(Debug)]
pub struct AliasIndex {
    keys: HashMap<String, u32>,
    hits: Vec<Vec<AliasHit>>,
    matcher: AhoCorasick,
    pattern_key: Vec<u32>,
    given_names: HashSet<String>,
}

/// Countries whose people are named family name first in English news.
const FAMILY_FIRST: &[&str] = &["Q148", "Q865", "Q423", "Q884", "Q8646"];
/// Name parts that are never a surname alone.
const PARTICLES: &[&str] = &[
    "jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "de", "da", "van", "von", "bin", "al", "el", "la",
    "le", "del", "der", "di", "du", "dos", "ibn", "abu", "bint",
];

/// "II", "XVI": a regnal number.
fn is_roman_numeral(w: &str) -> bool {
    !w.is_empty() && w.chars().all(|c| matches!(c, 'I' | 'V' | 'X' | 'L'))
}

impl AliasIndex {
    pub(super) fn build(entities: &[KbEntity]) -> crate::error::Result<Self> {
        let mut keys: HashMap<String, u32> = HashMap::new();
        let mut hits: Vec<Vec<AliasHit>> = Vec::new();
        let mut given_names = HashSet::new();
        let mut add = |name: &str, entity: EntityId, kind: AliasKind| {
            let key = name_key(name);
            if key.chars().count() < 2 {
                return;
            }
            let k = *keys.entry(key).or_insert_with(|| {
                hits.push(Vec::new());
                (hits.len() - 1) as u32
            });
            let list = &mut hits[k as usize];
            if !list
                .iter()
                .any(|h| h.entity == entity && h.surface.as_ref() == name)
            {
                list.push(AliasHit {
                    entity,
                    kind,
                    surface: name.into(),
                });
            }
        };
        let qid_of = |id: EntityId| entities[id as usize].qid.as_str();
        for (i, e) in entities.iter().enumerate() {
            let id = i as EntityId;
            for (name, kind) in &e.names {
                add(name, id, *kind);
                if let Some(f) = fold_diacritics(name) {
                    add(&f, id, *kind);
                }
                // "Rühe" is "Ruehe" in English news
                if let Some(t) = super::variants::german_transliteration(name) {
                    add(&t, id, *kind);
                }
                // "the Labour party", "the Indian army"
                if e.kind == "party" || e.kind == "military" {
                    if let Some(p) = super::variants::lower_case_head(name) {
                        add(&p, id, *kind);
                    }
                }
                // "Moody's", "McDonald's" lose their apostrophe in plain-text feeds
                if e.etype != EntityType::Per {
                    if let Some(plain) = super::variants::without_possessive_apostrophe(name) {
                        add(&plain, id, *kind);
                    }
                }
                // "Rolls-Royce", "Toronto-Dominion Bank" are also written with
                // a space (people's double names with any hyphen)
                if name.contains('-')
                    && (e.etype == EntityType::Per || super::variants::hyphen_joins_capitals(name))
                {
                    add(&name.replace('-', " "), id, *kind);
                }
            }
            if e.etype == EntityType::Per {
                let words: Vec<&str> = e.label.split_whitespace().collect();
                // regnal names ("Charles III", "Abdullah II of Jordan") have no surname
                let regnal = words.iter().any(|w| is_roman_numeral(w)) || words.contains(&"of");
                if words.len() >= 2 && !regnal {
                    let family_first = e
                        .citizenship
                        .iter()
                        .any(|&c| FAMILY_FIRST.contains(&qid_of(c)));
                    let (given, family) = if family_first {
                        (words[1], words[0])
                    } else {
                        let last = words
                            .iter()
                            .rev()
                            .find(|w| !PARTICLES.contains(&w.to_lowercase().as_str()))
                            .copied()
                            .unwrap_or(words[words.len() - 1]);
                        (words[0], last)
                    };
                    let family = family.trim_end_matches(',');
                    if family.chars().count() >= 3
                        && family.chars().next().is_some_and(char::is_uppercase)
                    {
                        add(family, id, AliasKind::Surname);
                        if let Some(f) = fold_diacritics(family) {
                            add(&f, id, AliasKind::Surname);
                        }
                        // "al-Maliki" is also "Maliki"
                        if let Some(stem) = super::variants::without_arabic_article(family) {
                            add(stem, id, AliasKind::Surname);
                        }
                    }
                    if given.chars().count() >= 3 && !given.ends_with('.') {
                        given_names.insert(name_key(given));
                    }
                }
            }
        }
        // one pattern per key, plus a variant with a typographic apostrophe
        let mut patterns: Vec<String> = Vec::with_capacity(keys.len());
        let mut pattern_key = Vec::with_capacity(keys.len());
        let mut sorted: Vec<(&String, &u32)> = keys.iter().collect();
        sorted.sort();
        for (key, &k) in sorted {
            patterns.push(key.clone());
            pattern_key.push(k);
            if key.contains('\'') {
                patterns.push(key.replace('\'', "’"));
                pattern_key.push(k);
            }
        }
        // keys are lower case; `find_all` lower-cases the text's ASCII letters
        // (same bytes, same offsets), which builds much faster than an
        // ASCII-case-insensitive automaton
        let matcher = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .map_err(|e| crate::error::Error::Kb(format!("alias index: {e}")))?;
        Ok(AliasIndex {
            keys,
            hits,
            matcher,
            pattern_key,
            given_names,
        })
    }

    /// The entities under a normalized key (see [`crate::text::name_key`]).
    pub fn hits(&self, key: &str) -> &[AliasHit] {
        self.keys
            .get(key)
            .map(|&k| self.hits[k as usize].as_slice())
            .unwrap_or(&[])
    }

    /// The entities under a key id from [`AliasIndex::find_all`].
    pub fn hits_of(&self, key: u32) -> &[AliasHit] {
        &self.hits[key as usize]
    }

    /// Every occurrence of every name in `text`, overlapping, ignoring ASCII case,
    /// at word boundaries. The caller decides which to keep.
    pub fn find_all(&self, text: &str) -> Vec<Found> {
        let mut out = Vec::new();
        let lowered = text.to_ascii_lowercase();
        for m in self.matcher.find_overlapping_iter(&lowered) {
            let (start, end) = (m.start(), m.end());
            if !text.is_char_boundary(start) || !text.is_char_boundary(end) {
                continue;
            }
            let before = text[..start].chars().next_back();
            let after = text[end..].chars().next();
            if before.is_some_and(char::is_alphanumeric) || after.is_some_and(char::is_alphanumeric)
            {
                continue;
            }
            // "U.S" inside "U.S.A." is not a match of "U.S"
            if text[start..end].ends_with(|c: char| c.is_alphabetic())
                && after == Some('.')
                && text[end + 1..].starts_with(|c: char| c.is_alphabetic())
            {
                continue;
            }
            out.push(Found {
                start,
                end,
                key: self.pattern_key[m.pattern().as_usize()],
            });
        }
        out
    }

    /// Number of distinct keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when there are no names.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub(super) fn is_given_name(&self, word: &str) -> bool {
        let key = name_key(word);
        self.given_names.contains(&key) || crate::lexicon::GIVEN_NAMES.contains(&key.as_str())
    }
}
