//! The names an entity is found under: every name the KB gives it, with the
//! spelling variants news uses without the KB listing them (diacritics
//! folded: `Erdogan`; umlauts transliterated: `Ruehe`; a family name without
//! its Arabic article: `Maliki`; hyphens in people's names spaced: `Kim Jong
//! Un`; possessives without their apostrophe: `Moodys`; parties and armed
//! services with a lower-case head: `the Labour party`), and a person's
//! family name alone as a weak [`AliasKind::Surname`].

use super::{AliasKind, KbEntity};
use crate::model::EntityType;
use crate::text::fold_diacritics;

/// Countries whose people are named family name first in English news.
pub const FAMILY_FIRST: &[&str] = &["Q148", "Q865", "Q423", "Q884", "Q8646"];

/// Name parts that are never a surname alone.
const PARTICLES: &[&str] = &[
    "jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "de", "da", "van", "von", "bin", "al", "el", "la",
    "le", "del", "der", "di", "du", "dos", "ibn", "abu", "bint",
];

/// "II", "XVI": a regnal number.
fn is_roman_numeral(w: &str) -> bool {
    !w.is_empty() && w.chars().all(|c| matches!(c, 'I' | 'V' | 'X' | 'L'))
}

/// Hands every name of `e` and its variants to `add`, with the kind of the
/// name they come from. `family_first`: the person is named family name
/// first (a citizen of one of [`FAMILY_FIRST`]).
pub fn names_of(e: &KbEntity, family_first: bool, add: &mut dyn FnMut(&str, AliasKind)) {
    for (name, kind) in &e.names {
        add(name, *kind);
        if let Some(f) = fold_diacritics(name) {
            add(&f, *kind);
        }
        // "Rühe" is "Ruehe" in English news
        if let Some(t) = super::variants::german_transliteration(name) {
            add(&t, *kind);
        }
        // "the Labour party", "the Indian army"
        if e.kind == "party" || e.kind == "military" {
            if let Some(p) = super::variants::lower_case_head(name) {
                add(&p, *kind);
            }
        }
        // "Moody's", "McDonald's" lose their apostrophe in plain-text feeds
        if e.etype != EntityType::Per {
            if let Some(plain) = super::variants::without_possessive_apostrophe(name) {
                add(&plain, *kind);
            }
        }
        // "Rolls-Royce", "Toronto-Dominion Bank" are also written with a space
        // (people's double names with any hyphen)
        if name.contains('-')
            && (e.etype == EntityType::Per || super::variants::hyphen_joins_capitals(name))
        {
            add(&name.replace('-', " "), *kind);
        }
    }
    if let Some((_, family)) = split_name(e, family_first) {
        if family.chars().count() >= 3 && family.chars().next().is_some_and(char::is_uppercase) {
            add(family, AliasKind::Surname);
            if let Some(f) = fold_diacritics(family) {
                add(&f, AliasKind::Surname);
            }
            // "al-Maliki" is also "Maliki"
            if let Some(stem) = super::variants::without_arabic_article(family) {
                add(stem, AliasKind::Surname);
            }
        }
    }
}

/// A person's given name ("Donald", "Shinzo"), a cue that an unknown
/// capitalized pair is a person; `None` when the label has none.
pub fn given_name(e: &KbEntity, family_first: bool) -> Option<&str> {
    let (given, _) = split_name(e, family_first)?;
    (given.chars().count() >= 3 && !given.ends_with('.')).then_some(given)
}

/// A person's label as (given name, family name), `None` for other entities
/// and for regnal names ("Charles III", "Abdullah II of Jordan").
fn split_name(e: &KbEntity, family_first: bool) -> Option<(&str, &str)> {
    if e.etype != EntityType::Per {
        return None;
    }
    let words: Vec<&str> = e.label.split_whitespace().collect();
    let regnal = words.iter().any(|w| is_roman_numeral(w)) || words.contains(&"of");
    if words.len() < 2 || regnal {
        return None;
    }
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
    Some((given, family.trim_end_matches(',')))
}

/// Whether a KB name must match the text with its exact case: three letters
/// or fewer, an acronym, or all upper case ("UN", "NATO", "Ra").
pub fn exact_case(name: &str, kind: AliasKind) -> bool {
    let mut letters = name.chars().filter(|c| c.is_alphabetic()).peekable();
    kind == AliasKind::Acronym
        || name.chars().filter(|c| c.is_alphabetic()).count() <= 3
        || (letters.peek().is_some() && letters.all(char::is_uppercase))
}
