//! The alias index: every name of every entity under a normalized key
//! ([`crate::text::name_key`], with the variants of [`super::names`]), in the
//! FST of the compiled KB ([`super::disk`]). Names are found in a text by
//! walking the FST from each word's start, one character at a time, mapped as
//! keys are (letters lower-cased, typographic apostrophes and dashes made
//! plain), so the cost grows with the text and the length of the names in it,
//! not with the KB.

use super::disk::{AliasHit, DiskIndex};
use crate::text::name_key;
use std::sync::Arc;

/// How many of a name's entities recognition and linking consider.
pub const MAX_CANDIDATES: usize = 16;

/// A name found in a text: byte span and the key's postings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    /// Start byte.
    pub start: usize,
    /// End byte (exclusive).
    pub end: usize,
    /// The key's postings, for [`AliasIndex::hits_of`].
    pub key: u64,
}

/// Normalized name → entities, read from the compiled KB.
#[derive(Debug, Clone)]
pub struct AliasIndex {
    disk: Arc<DiskIndex>,
}

/// The character a key has for `c`, or `None` when no key goes on with it
/// (any blank but a plain space).
fn key_char(c: char) -> Option<char> {
    Some(match c {
        '’' | '‘' | '`' | '´' => '\'',
        '‐' | '‑' | '‒' | '–' | '—' => '-',
        ' ' => ' ',
        c if c.is_whitespace() => return None,
        c => c,
    })
}

impl AliasIndex {
    pub(super) fn new(disk: Arc<DiskIndex>) -> Self {
        AliasIndex { disk }
    }

    /// The entities under a normalized key (see [`crate::text::name_key`]).
    pub fn hits(&self, key: &str) -> Vec<AliasHit> {
        self.disk.lookup_key(key).unwrap_or_default()
    }

    /// The entities of a name found by [`AliasIndex::find_all`]: the first
    /// [`MAX_CANDIDATES`] of its postings (the strongest kinds of name first,
    /// then the highest priors), so a name thousands of entities share costs
    /// no more than one a few share.
    pub fn hits_of(&self, key: u64) -> Vec<AliasHit> {
        self.disk
            .postings_top(key, MAX_CANDIDATES)
            .unwrap_or_default()
    }

    /// Every occurrence of every name in `text`, overlapping, ignoring case,
    /// at word boundaries. The caller decides which to keep.
    pub fn find_all(&self, text: &str) -> Vec<Found> {
        self.disk
            .guarded("alias map", || self.walk(text))
            .unwrap_or_default()
    }

    fn walk(&self, text: &str) -> Vec<Found> {
        let fst = self.disk.aliases().as_fst();
        let root = fst.root();
        let mut out = Vec::new();
        let mut prev: Option<char> = None;
        let mut buf = [0u8; 4];
        for (start, first) in text.char_indices() {
            let at_word_start = first.is_alphanumeric() || !first.is_whitespace();
            let after_word = prev.is_some_and(char::is_alphanumeric);
            prev = Some(first);
            if !at_word_start || after_word {
                continue;
            }
            let mut node = root;
            let mut output = fst::raw::Output::zero();
            let mut dead = false;
            for (i, c) in text[start..].char_indices() {
                let Some(k) = key_char(c) else {
                    break;
                };
                for l in k.to_lowercase() {
                    for &byte in l.encode_utf8(&mut buf).as_bytes() {
                        match node.find_input(byte) {
                            Some(t) => {
                                let tr = node.transition(t);
                                output = output.cat(tr.out);
                                node = fst.node(tr.addr);
                            }
                            None => {
                                dead = true;
                                break;
                            }
                        }
                    }
                    if dead {
                        break;
                    }
                }
                if dead {
                    break;
                }
                if node.is_final() {
                    let end = start + i + c.len_utf8();
                    if word_ends(text, end) {
                        out.push(Found {
                            start,
                            end,
                            key: output.cat(node.final_output()).value(),
                        });
                    }
                }
            }
        }
        out
    }

    /// Number of distinct keys.
    pub fn len(&self) -> usize {
        self.disk.keys() as usize
    }

    /// True when there are no names.
    pub fn is_empty(&self) -> bool {
        self.disk.keys() == 0
    }

    pub(super) fn is_given_name(&self, word: &str) -> bool {
        let key = name_key(word);
        self.disk.is_given_name(&key) || crate::cues::GIVEN_NAMES.contains(&key.as_str())
    }
}

/// Whether a name may end at byte `end` of `text`: no letter or digit follows,
/// and "U.S" is not cut out of "U.S.A.".
fn word_ends(text: &str, end: usize) -> bool {
    let rest = &text[end..];
    let mut after = rest.chars();
    let next = after.next();
    if next.is_some_and(char::is_alphanumeric) {
        return false;
    }
    let last = text[..end].chars().next_back();
    !(last.is_some_and(char::is_alphabetic)
        && next == Some('.')
        && after.next().is_some_and(char::is_alphabetic))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kb::Kb;
    use std::collections::BTreeSet;

    /// Every (start, end) whose text, mapped as keys are, is a key: the walk
    /// must find exactly these (a slow reference).
    fn reference(kb: &Kb, text: &str) -> BTreeSet<(usize, usize)> {
        let mut out = BTreeSet::new();
        let starts: Vec<usize> = text
            .char_indices()
            .filter(|&(i, c)| {
                !c.is_whitespace()
                    && !text[..i]
                        .chars()
                        .next_back()
                        .is_some_and(char::is_alphanumeric)
            })
            .map(|(i, _)| i)
            .collect();
        for &s in &starts {
            let mut key = String::new();
            for (i, c) in text[s..].char_indices() {
                let Some(k) = key_char(c) else { break };
                key.extend(k.to_lowercase());
                let end = s + i + c.len_utf8();
                if word_ends(text, end) && !kb.index().hits(&key).is_empty() {
                    out.insert((s, end));
                }
            }
        }
        out
    }

    #[test]
    fn the_walk_finds_what_a_slow_search_finds() {
        let kb = Kb::bundled().unwrap();
        let texts = [
            "Shinzo Abe met Donald Trump in Tokyo; the U.S.A. and the U.S. agreed.",
            "KIM JONG UN, Kim Jong-un and kim jong un visited SOUTH KOREA’s Moody’s office.",
            "The European Union (EU) and the United Nations said Erdoğan and Erdogan spoke.",
            "New York-based Rolls Royce and Rolls-Royce — at the I.M.F. — in São Paulo\tBrazil.",
            "ABC abc AbC x-ray Xinhua’s correspondent in Beijing,China on 1996-08-30.",
        ];
        for t in texts {
            let walk: BTreeSet<(usize, usize)> = kb
                .index()
                .find_all(t)
                .iter()
                .map(|f| (f.start, f.end))
                .collect();
            assert_eq!(walk, reference(kb, t), "{t}");
            assert!(!walk.is_empty());
        }
    }
}
