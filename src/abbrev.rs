//! Abbreviations a text defines for common nouns: "artificial pancreas (AP)",
//! "non-governmental organisations (NGOs)".
//!
//! Within such a text the abbreviation means the thing, not the organization
//! the KB knows under the same letters (AP is also the Associated Press), so the
//! linker drops those mentions. A definition is a parenthesized run of two to
//! six capitals (an optional plural `s` after them) whose letters are the
//! initials of the words just before it, the first of them in lower case; small
//! words ("of", "and", "the") may sit between them without an initial.

use std::collections::HashSet;

/// Words that may appear inside a defined phrase without giving a letter.
const SMALL_WORDS: &[&str] = &[
    "of", "and", "for", "the", "in", "on", "to", "a", "an", "with", "by",
];

/// The abbreviations `text` defines for common-noun phrases.
pub fn common_noun_abbreviations(text: &str) -> HashSet<String> {
    let mut out = HashSet::new();
    let mut rest = text;
    while let Some(open) = rest.find('(') {
        let before = &text[..text.len() - rest.len() + open];
        rest = &rest[open + 1..];
        let Some(close) = rest.find(')') else {
            break;
        };
        let inner = rest[..close].trim();
        let letters = inner.strip_suffix('s').unwrap_or(inner);
        if !(2..=6).contains(&letters.len()) || !letters.bytes().all(|b| b.is_ascii_uppercase()) {
            continue;
        }
        if defines(before, letters) {
            out.insert(inner.to_string());
            out.insert(letters.to_string());
        }
    }
    out
}

/// Whether the words at the end of `before` are a lower-case phrase with the
/// initials `letters` (each part of a hyphenated word gives one).
fn defines(before: &str, letters: &str) -> bool {
    let words: Vec<&str> = before
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .filter(|w| !w.is_empty())
        .collect();
    let letters: Vec<char> = letters.chars().collect();
    matches_initials(&words, &letters)
}

/// Whether `letters` are the initials of a tail of `words` that starts with a
/// lower-case word; a small word may give its letter or be skipped.
fn matches_initials(words: &[&str], letters: &[char]) -> bool {
    let (Some((&w, rest_words)), Some((&l, rest_letters))) =
        (words.split_last(), letters.split_last())
    else {
        return false;
    };
    let small = SMALL_WORDS.contains(&w.to_lowercase().as_str());
    let gives = w
        .chars()
        .next()
        .is_some_and(|c| c.to_ascii_uppercase() == l);
    if gives {
        let done = rest_letters.is_empty() && w.starts_with(|c: char| c.is_lowercase()) && !small;
        if done || (!rest_letters.is_empty() && matches_initials(rest_words, rest_letters)) {
            return true;
        }
    }
    small && matches_initials(rest_words, letters)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_case_phrases_define_abbreviations() {
        let t = "Work on the artificial pancreas (AP) goes on; AP devices help.";
        assert!(common_noun_abbreviations(t).contains("AP"));
        let t = "aid from non-governmental organisations (NGOs) and the state";
        let a = common_noun_abbreviations(t);
        assert!(a.contains("NGOs") && a.contains("NGO"), "{a:?}");
        let t = "the rate of return on equity (ROE) rose";
        assert!(common_noun_abbreviations(t).contains("ROE"));
    }

    #[test]
    fn names_and_mismatches_define_nothing() {
        // a proper name's acronym is the organization
        assert!(common_noun_abbreviations("the Associated Press (AP) said").is_empty());
        // letters that are not the initials
        assert!(common_noun_abbreviations("the ruling party (LDP) won").is_empty());
        // not capitals, too long, unclosed
        assert!(common_noun_abbreviations("a big deal (bd) now").is_empty());
        assert!(common_noun_abbreviations("x (ABCDEFGH) y").is_empty());
        assert!(common_noun_abbreviations("artificial pancreas (AP").is_empty());
        assert!(common_noun_abbreviations("(AP)").is_empty());
    }
}
