//! Abbreviations in running text.
//!
//! **Sentence-final dots.** "... talks with the U.S. And Japan said ..." : when an
//! abbreviation ending in a dot ("U.S.", "Ore.", "Calif.") is followed on the
//! same line by a word that starts sentences and never continues a name ("The",
//! "And", "He", "Last"), its dot also ends the sentence, and news annotation (as
//! the CoNLL and Reuters tokenizers do) leaves that dot out of the mention:
//! [`sentence_final_dot`].
//!
//! **Defined common nouns.** Abbreviations a text defines for common nouns:
//! "artificial pancreas (AP)", "non-governmental organisations (NGOs)". Within such a text the abbreviation means the thing, not the organization
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

/// Capitalized words that start sentences and do not continue a name.
const SENTENCE_STARTERS: &[&str] = &[
    "The",
    "A",
    "An",
    "And",
    "But",
    "Or",
    "So",
    "Yet",
    "He",
    "She",
    "It",
    "They",
    "We",
    "I",
    "You",
    "This",
    "That",
    "These",
    "Those",
    "There",
    "Its",
    "His",
    "Her",
    "Their",
    "Our",
    "In",
    "On",
    "At",
    "As",
    "For",
    "If",
    "When",
    "While",
    "After",
    "Before",
    "Since",
    "Last",
    "Next",
    "Some",
    "Most",
    "Many",
    "All",
    "No",
    "Other",
    "Such",
    "Meanwhile",
    "However",
    "Also",
    "Earlier",
    "Later",
];

/// Whether the mention ending at byte `end` of `text` ends with an
/// abbreviation's dot that also ends the sentence ("the U.S. And Japan",
/// "Salem, Ore. The acquisition"). Only dots of abbreviations count: a word of
/// at most five letters before the dot, or dotted initials ("U.K.").
pub fn sentence_final_dot(text: &str, start: usize, end: usize) -> bool {
    let surface = &text[start..end];
    let Some(body) = surface.strip_suffix('.') else {
        return false;
    };
    let last = body.rsplit([' ', '.']).next().unwrap_or("");
    let abbreviation = body.contains('.')
        || (!last.is_empty() && last.chars().count() <= 5 && last.chars().all(char::is_alphabetic));
    if !abbreviation {
        return false;
    }
    let Some(rest) = text[end..].strip_prefix(' ') else {
        return false;
    };
    let word: &str = rest
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or("");
    SENTENCE_STARTERS.contains(&word)
}

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
    fn abbreviation_dots_that_end_sentences() {
        let end = |t: &str, m: &str| {
            let s = t.find(m).unwrap();
            sentence_final_dot(t, s, s + m.len())
        };
        assert!(end("talks with the U.S. And Japan went on", "U.S."));
        assert!(end("of Salem, Ore. The deal closed", "Ore."));
        assert!(end("met in the U.K. Last December", "U.K."));
        // the name goes on, or the next word is not a sentence starter
        assert!(!end("the U.S. Labor Day weekend", "U.S."));
        assert!(!end("the U.S. economy", "U.S."));
        // not at the end of the text, no dot, not an abbreviation, a new line
        assert!(!end("the U.S.", "U.S."));
        assert!(!end("the US And Japan", "US"));
        assert!(!end("in Washington. The deal", "Washington."));
        assert!(!end("BUCKHANNON, W. Va.\nThe miners", "W. Va."));
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
