//! Feature extraction: what the tagger sees of each token.
//!
//! The same function, [`extract`], runs in training and at run time, on a text
//! and its tokens from [`crate::text::tokenize`] (in training the text is a
//! CoNLL document rebuilt with single spaces and `\n`). Features are 64-bit
//! hashes of a template and a value, so the model stores no strings. Per token:
//!
//! * the word lower-cased (digits as `0`), the word as written, its shape
//!   (`Xxxx`, `XX`, `dddd`, `X.X.`; runs cut at four) and short shape (runs
//!   collapsed: `Xx`), prefixes and suffixes of one to four characters;
//! * the words and short shapes two tokens to each side within the sentence,
//!   the word bigrams and the shape trigram around it;
//! * the punctuation between it and its neighbours (tokens hold no
//!   punctuation, so `(`, `,` or `'` before `s` show up here);
//! * first token of a sentence; the case of its line (all upper, all lower),
//!   alone and with the shape;
//! * cue words of [`crate::cues`] (titles, organization and place keywords,
//!   common words that are not names, speech verbs, place prepositions), for
//!   the token and its neighbours;
//! * the knowledge base: whether the token lies in a name of the alias index
//!   (longest non-overlapping matches of [`crate::kb::AliasIndex::find_all`]),
//!   of which entity type (PER, ORG, COUNTRY, LOC) and kind of name (name,
//!   acronym, demonym, surname), at the first token or inside, written with the
//!   KB's own case or not; and the same summary for the neighbouring tokens;
//! * with word clusters ([`super::clusters`], feature version 4): prefixes of
//!   4, 6, 8 and all bits of the token's cluster path, prefixes of 4 and 8 bits
//!   of its neighbours' paths, and in a line of capitals the 6-bit prefix with
//!   the line's case. A word in capitals ("JAPAN", "AL-AIN") takes the cluster
//!   of its title-case form, else of its lower-case form, so headlines and
//!   datelines read like prose; a word without a cluster of its own as written
//!   takes that of its lower-case form ("Markets" at a sentence start).
//!
//! The features that depend on labels are apart, for the decoder:
//! [`transition`] (the previous label alone, whose weights are the transition
//! scores), [`TextFeatures::pair`] (the previous label with the word, with the
//! shape and with the punctuation before the token), and
//! [`TextFeatures::history`] (the types this word got earlier in the text, the
//! "extended prediction history" of Ratinov and Roth, 2009, alone and with the
//! shape).
//!
//! Measured on CoNLL-2003 dev with the bundled settings (F1 93.0): without the
//! KB features F1 falls to 92.0, without the history to 91.2. With an earlier
//! greedy decoder the lexicon cues added 0.3 (mean of three seeds) and a "how
//! is this word cased elsewhere in the text" feature cost 0.3 (dropped).
//!
//! Changing any template changes the model's meaning: bump [`FEATURE_VERSION`]
//! so that old models are refused at load. Version 4 without clusters extracts
//! exactly version 3, so models of version 3 still load.

use super::clusters::{self, Clusters, Path};
use crate::kb::{AliasKind, Found, Kb};
use crate::model::EntityType;
use crate::text::{self, CaseMode, Token};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Version of the feature templates; stored in the model and checked at load.
pub const FEATURE_VERSION: u32 = 4;

/// Number of features from [`TextFeatures::pair`].
pub const N_PAIR: usize = 3;

/// Static features of every token of a text.
#[derive(Debug, Default)]
pub struct TextFeatures {
    hashes: Vec<u64>,
    offsets: Vec<u32>,
    word: Vec<u64>,
    shape: Vec<u64>,
    gap: Vec<u64>,
}

impl TextFeatures {
    /// The static features of token `i`.
    pub fn of(&self, i: usize) -> &[u64] {
        &self.hashes[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.word.len()
    }

    /// True for a text without tokens.
    pub fn is_empty(&self) -> bool {
        self.word.is_empty()
    }

    /// The features that pair token `i` with the previous label `prev`
    /// (`None` at a sentence start): the label with the word, with the shape
    /// and with the punctuation before the token. Their keys are
    /// [`TextFeatures::pair_bases`] with [`prev_code`] in the low byte.
    pub fn pair(&self, i: usize, prev: Option<usize>) -> [u64; N_PAIR] {
        self.pair_bases(i).map(|b| b | prev_code(prev))
    }

    /// The keys of token `i`'s pair features without the previous label: the
    /// [`PAIR_BIT`] set and the low byte zero, so a model can fetch the
    /// weights for every previous label with one lookup.
    pub fn pair_bases(&self, i: usize) -> [u64; N_PAIR] {
        [
            mix(T::PrevWord as u64, self.word[i]),
            mix(T::PrevShape as u64, self.shape[i]),
            mix(T::PrevGap as u64, self.gap[i]),
        ]
        .map(|k| (k | PAIR_BIT) & !0xff)
    }

    /// The features of token `i` from the labels its word got earlier in the
    /// text (see [`History`]): the set alone and with the shape.
    pub fn history(&self, i: usize, bits: u8) -> [u64; 2] {
        let h = u64::from(bits);
        [
            mix(T::History as u64, h),
            mix(mix(T::HistoryShape as u64, h), self.shape[i]),
        ]
        .map(|k| k & !PAIR_BIT)
    }
}

/// The feature of moving from label `prev` (`None` at a sentence start) to
/// any label: its weights are the transition scores.
pub fn transition(prev: Option<usize>) -> u64 {
    mix(T::Prev as u64, prev_code(prev)) & !PAIR_BIT
}

/// The code of a previous label in a feature key: 0 at a sentence start, the
/// label plus one otherwise.
pub fn prev_code(prev: Option<usize>) -> u64 {
    prev.map_or(0, |p| p as u64 + 1)
}

/// The top bit of a key marks a pair feature; other keys have it clear.
pub const PAIR_BIT: u64 = 1 << 63;

/// The entity types (and `O`) each word got earlier in a text, as a bit set
/// per word: bit `t` for type index `t`, bit 4 for outside. Decoding reads it
/// before a sentence and records the sentence's labels after.
#[derive(Debug, Default)]
pub struct History(IdMap<u8>);

impl History {
    /// The bits of token `i`'s word.
    pub fn get(&self, f: &TextFeatures, i: usize) -> u8 {
        self.0.get(&f.word[i]).copied().unwrap_or(0)
    }

    /// Records that token `i` got type index `t` (`None` for outside).
    pub fn record(&mut self, f: &TextFeatures, i: usize, t: Option<usize>) {
        *self.0.entry(f.word[i]).or_insert(0) |= 1 << t.unwrap_or(4);
    }
}

/// Feature templates; the discriminant is hashed with the value.
#[derive(Clone, Copy)]
enum T {
    Bias = 1,
    Word,
    Form,
    Shape,
    ShortShape,
    Prefix,
    Suffix,
    WordAt,
    ShapeAt,
    Bigram,
    ShapeTrigram,
    GapBefore,
    GapAfter,
    First,
    FirstShape,
    LineCase,
    LineCaseShape,
    Kb,
    KbType,
    KbPrev,
    KbNext,
    Prev,
    PrevWord,
    PrevShape,
    PrevGap,
    History,
    HistoryShape,
    Lexicon,
    LexiconAt,
    Cluster,
    ClusterAt,
    ClusterCase,
}

/// Prefix lengths of the token's own cluster path (cut to the path's length).
const CLUSTER_PREFIXES: [u8; 4] = [4, 6, 8, 32];
/// Prefix lengths of the neighbours' cluster paths.
const CLUSTER_AT_PREFIXES: [u8; 2] = [4, 8];
/// Value of a cluster feature for a word without a cluster.
const NO_CLUSTER: u64 = 0x5eed_0000_0000_0003;

/// The cluster path of a word: as written; for a word in capitals, of its
/// title-case form, then of its lower-case form; else of its lower-case form.
fn cluster_of(c: &Clusters, w: &str, buf: &mut String) -> Option<Path> {
    buf.clear();
    clusters::key(w, buf);
    let letters = || w.chars().filter(|c| c.is_alphabetic());
    let capitals = letters().count() >= 2 && letters().all(char::is_uppercase);
    if !capitals {
        if let Some(p) = c.get_key(buf) {
            return Some(p);
        }
    }
    if capitals {
        // title case, each part after a hyphen or apostrophe too ("Al-Ain")
        let mut title = String::with_capacity(buf.len());
        let mut start = true;
        for ch in buf.chars() {
            if start {
                title.push(ch);
            } else {
                title.extend(ch.to_lowercase());
            }
            start = !ch.is_alphanumeric();
        }
        if let Some(p) = c.get_key(&title) {
            return Some(p);
        }
    }
    let lower = buf.to_lowercase();
    if let Some(p) = c.get_key(&lower) {
        return Some(p);
    }
    if capitals {
        return c.get_key(buf);
    }
    None
}

/// Mixes two 64-bit values (splitmix64's finalizer over `a + b·φ`): stable
/// across platforms and Rust versions, as the model's hashes must be.
pub fn mix(a: u64, b: u64) -> u64 {
    let mut z = a
        .wrapping_add(b.wrapping_mul(0x9e37_79b9_7f4a_7c15))
        .wrapping_add(0x632b_e59b_d9b4_e019);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// FNV-1a over bytes.
pub fn fnv(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// A hasher for keys that are already hashes.
#[derive(Default, Clone, Copy)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // only u64 keys are used; fold anything else
        self.0 = bytes.iter().fold(self.0, |h, &b| mix(h, u64::from(b)));
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Hash maps keyed by feature hashes.
pub type IdMap<V> = HashMap<u64, V, BuildHasherDefault<IdHasher>>;

/// Sentinels for positions outside the sentence.
const BEFORE: u64 = 0x5eed_0000_0000_0001;
const AFTER: u64 = 0x5eed_0000_0000_0002;

/// Extracts the static features of `tokens` of `text`, with word-cluster
/// features when `clusters` are given.
pub fn extract(kb: &Kb, clusters: Option<&Clusters>, text: &str, tokens: &[Token]) -> TextFeatures {
    extract_found(kb, clusters, text, tokens, kb.index().find_all(text))
}

/// [`extract`] with the alias index's matches of `text` already found.
pub fn extract_found(
    kb: &Kb,
    clusters: Option<&Clusters>,
    text: &str,
    tokens: &[Token],
    found: Vec<Found>,
) -> TextFeatures {
    let n = tokens.len();
    let word_of = |t: &Token| text.get(t.start..t.end).unwrap_or("");
    // per-token values reused by the neighbours
    let mut lower = String::new();
    let mut buf = String::new();
    let mut word = Vec::with_capacity(n);
    let mut shape = Vec::with_capacity(n);
    let mut long_shape = Vec::with_capacity(n);
    let mut lower_ranges = Vec::with_capacity(n);
    for t in tokens {
        let w = word_of(t);
        let a = lower.len();
        normalize(w, &mut lower);
        lower_ranges.push((a, lower.len()));
        word.push(fnv(&lower.as_bytes()[a..]));
        buf.clear();
        shapes(w, &mut buf);
        let cut = buf.find('|').unwrap_or(buf.len());
        long_shape.push(fnv(&buf.as_bytes()[..cut]));
        shape.push(fnv(&buf.as_bytes()[(cut + 1).min(buf.len())..]));
    }
    let modes = line_cases(text, tokens);
    let kb_bits = kb_cover_found(kb, text, tokens, found);
    let paths: Vec<Option<Path>> = match clusters {
        Some(c) => tokens
            .iter()
            .map(|t| cluster_of(c, word_of(t), &mut buf))
            .collect(),
        None => Vec::new(),
    };
    let mut out = TextFeatures {
        hashes: Vec::with_capacity(n * 40),
        offsets: Vec::with_capacity(n + 1),
        word,
        shape,
        gap: Vec::with_capacity(n),
    };
    let lexicon = lexicon_bits();
    let lex: Vec<u64> = out
        .word
        .iter()
        .map(|w| u64::from(lexicon.get(w).copied().unwrap_or(0)))
        .collect();
    out.offsets.push(0);
    let same_sentence = |i: usize, j: usize| tokens[i].sentence == tokens[j].sentence;
    for i in 0..n {
        let h = &mut out.hashes;
        let f = |t: T, v: u64| mix(t as u64, v);
        let at = |v: &[u64], d: isize| -> u64 {
            let j = i as isize + d;
            if j < 0 {
                BEFORE
            } else if j as usize >= n {
                AFTER
            } else if !same_sentence(i, j as usize) {
                if d < 0 {
                    BEFORE
                } else {
                    AFTER
                }
            } else {
                v[j as usize]
            }
        };
        let w0 = out.word[i];
        let s0 = out.shape[i];
        let first = i == 0 || tokens[i].sentence_start || !same_sentence(i, i - 1);
        h.push(f(T::Bias, 0));
        h.push(f(T::Word, w0));
        h.push(f(T::Form, fnv(word_of(&tokens[i]).as_bytes())));
        h.push(f(T::Shape, long_shape[i]));
        h.push(f(T::ShortShape, s0));
        // affixes of the normalized word
        let (a, b) = lower_ranges[i];
        let lw = &lower[a..b];
        let bounds: Vec<usize> = lw
            .char_indices()
            .map(|(k, _)| k)
            .chain([lw.len()])
            .collect();
        let chars = bounds.len() - 1;
        for k in 1..=4.min(chars) {
            h.push(mix(
                f(T::Prefix, k as u64),
                fnv(&lw.as_bytes()[..bounds[k]]),
            ));
            h.push(mix(
                f(T::Suffix, k as u64),
                fnv(&lw.as_bytes()[bounds[chars - k]..]),
            ));
        }
        // window
        let words = &out.word;
        let shapes_ = &out.shape;
        for d in [-2isize, -1, 1, 2] {
            h.push(mix(f(T::WordAt, d as u64), at(words, d)));
            h.push(mix(f(T::ShapeAt, d as u64), at(shapes_, d)));
        }
        h.push(mix(f(T::Bigram, 0), mix(at(words, -1), w0)));
        h.push(mix(f(T::Bigram, 1), mix(w0, at(words, 1))));
        h.push(mix(
            f(T::ShapeTrigram, 0),
            mix(mix(at(shapes_, -1), s0), at(shapes_, 1)),
        ));
        // punctuation around
        let gap_before = if first {
            BEFORE
        } else {
            gap_hash(text, tokens[i - 1].end, tokens[i].start)
        };
        let gap_after = if i + 1 >= n || !same_sentence(i, i + 1) {
            AFTER
        } else {
            gap_hash(text, tokens[i].end, tokens[i + 1].start)
        };
        h.push(f(T::GapBefore, gap_before));
        out.gap.push(gap_before);
        h.push(f(T::GapAfter, gap_after));
        // position and case
        let mode = modes[i] as u64;
        if first {
            h.push(f(T::First, 0));
            h.push(f(T::FirstShape, s0));
        }
        if modes[i] != CaseMode::Mixed {
            h.push(f(T::LineCase, mode));
            h.push(mix(f(T::LineCaseShape, mode), s0));
        }
        // cue words
        let mut rest = lex[i];
        while rest != 0 {
            let b = rest.trailing_zeros();
            rest &= rest - 1;
            h.push(f(T::Lexicon, u64::from(b)));
        }
        h.push(mix(f(T::LexiconAt, 0), at(&lex, -1)));
        h.push(mix(f(T::LexiconAt, 1), at(&lex, 1)));
        // knowledge base
        let bits = kb_bits[i];
        let mut rest = bits & KB_NAME_BITS;
        while rest != 0 {
            let b = rest.trailing_zeros();
            rest &= rest - 1;
            h.push(f(T::Kb, u64::from(b)));
        }
        if bits != 0 {
            h.push(f(T::KbType, kb_summary(bits)));
        }
        if i > 0 && !first {
            h.push(f(T::KbPrev, kb_summary(kb_bits[i - 1])));
        }
        if i + 1 < n && same_sentence(i, i + 1) {
            h.push(f(T::KbNext, kb_summary(kb_bits[i + 1])));
        }
        // word clusters
        if !paths.is_empty() {
            match paths[i] {
                Some(p) => {
                    for k in CLUSTER_PREFIXES {
                        h.push(f(T::Cluster, p.prefix(k)));
                    }
                    if modes[i] == CaseMode::Upper {
                        h.push(mix(f(T::ClusterCase, mode), p.prefix(6)));
                    }
                }
                None => h.push(f(T::Cluster, NO_CLUSTER)),
            }
            for d in [-1isize, 1] {
                let j = i as isize + d;
                let v = if j < 0 || j as usize >= n || !same_sentence(i, j as usize) {
                    if d < 0 {
                        BEFORE
                    } else {
                        AFTER
                    }
                } else {
                    match paths[j as usize] {
                        Some(p) => {
                            for k in CLUSTER_AT_PREFIXES {
                                h.push(mix(f(T::ClusterAt, d as u64), p.prefix(k)));
                            }
                            continue;
                        }
                        None => NO_CLUSTER,
                    }
                };
                h.push(mix(f(T::ClusterAt, d as u64), v));
            }
        }
        let start = out.offsets[i] as usize;
        for k in &mut h[start..] {
            *k &= !PAIR_BIT;
        }
        out.offsets.push(h.len() as u32);
    }
    out
}

/// The cue-word lists of [`crate::cues`] by word hash, as bit sets.
fn lexicon_bits() -> &'static IdMap<u8> {
    static LEXICON: std::sync::OnceLock<IdMap<u8>> = std::sync::OnceLock::new();
    LEXICON.get_or_init(|| {
        use crate::cues as l;
        let lists: [&[&str]; 8] = [
            l::TITLES,
            l::PERSONAL_TITLES,
            l::ORG_KEYWORDS,
            l::LOC_KEYWORDS,
            l::MISC_KEYWORDS,
            l::NOT_NAMES,
            l::SPEECH_VERBS,
            l::LOC_PREPOSITIONS,
        ];
        let mut map = IdMap::default();
        let mut buf = String::new();
        for (b, list) in lists.iter().enumerate() {
            for w in *list {
                buf.clear();
                normalize(w, &mut buf);
                *map.entry(fnv(buf.as_bytes())).or_insert(0) |= 1 << b;
            }
        }
        map
    })
}

/// Lower case, typographic apostrophes plain, digits as `0`.
fn normalize(w: &str, out: &mut String) {
    for c in w.chars() {
        match c {
            '0'..='9' => out.push('0'),
            '’' | '‘' => out.push('\''),
            c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
            c => out.extend(c.to_lowercase()),
        }
    }
}

/// Writes `long|short` shapes of `w` into `out`.
fn shapes(w: &str, out: &mut String) {
    let class = |c: char| {
        if c.is_uppercase() {
            'X'
        } else if c.is_lowercase() {
            'x'
        } else if c.is_numeric() {
            'd'
        } else if c.is_alphabetic() {
            'a'
        } else if c == '’' {
            '\''
        } else {
            c
        }
    };
    let mut short = String::new();
    let (mut prev, mut run) = ('\0', 0);
    for c in w.chars().map(class) {
        if c == prev {
            run += 1;
        } else {
            prev = c;
            run = 1;
            short.push(c);
        }
        if run <= 4 {
            out.push(c);
        }
    }
    out.push('|');
    out.push_str(&short);
}

/// Hash of the non-space characters between two tokens (at most four).
fn gap_hash(text: &str, a: usize, b: usize) -> u64 {
    let gap = text.get(a..b).unwrap_or("");
    let mut h: u64 = 0x6a09_e667_f3bc_c908;
    for c in gap.chars().filter(|c| !c.is_whitespace()).take(4) {
        h = mix(h, u64::from(c));
    }
    h
}

/// The case mode of each token's line.
fn line_cases(text: &str, tokens: &[Token]) -> Vec<CaseMode> {
    let lines = text::line_modes(text);
    let mut l = 0;
    tokens
        .iter()
        .map(|t| {
            while l + 1 < lines.len() && lines[l].1 < t.start {
                l += 1;
            }
            lines[l].2
        })
        .collect()
}

/// Bits of [`kb_cover`]: `(type · 4 + kind) · 2 + inside` for the 32 name
/// bits, then whether the text has the KB's own case.
const KB_NAME_BITS: u64 = 0xffff_ffff;
const KB_EXACT: u64 = 1 << 32;

fn type_code(t: EntityType) -> u64 {
    match t {
        EntityType::Per => 0,
        EntityType::Org => 1,
        EntityType::Country => 2,
        EntityType::Loc => 3,
    }
}

fn kind_code(k: AliasKind) -> u64 {
    match k {
        AliasKind::Label | AliasKind::Official | AliasKind::Alias => 0,
        AliasKind::Acronym => 1,
        AliasKind::Demonym => 2,
        AliasKind::Surname => 3,
    }
}

/// Types and positions only, with the case bit: the neighbours' view.
fn kb_summary(bits: u64) -> u64 {
    let mut s = 0u64;
    let mut rest = bits & KB_NAME_BITS;
    while rest != 0 {
        let b = u64::from(rest.trailing_zeros());
        rest &= rest - 1;
        let (t, inside) = (b / 8, b % 2);
        s |= 1 << (t * 2 + inside);
    }
    s | u64::from(bits & KB_EXACT != 0) << 8
}

/// For each token, the KB names covering it: the longest non-overlapping
/// matches of the alias index, as a bit set: bit `(type · 4 + kind) · 2` for
/// the first token of a name, the next bit for the others (types PER, ORG,
/// COUNTRY, LOC; kinds name, acronym, demonym, surname), and bit 32 when the
/// text has the KB's own case.
pub fn kb_cover(kb: &Kb, text: &str, tokens: &[Token]) -> Vec<u64> {
    kb_cover_found(kb, text, tokens, kb.index().find_all(text))
}

/// [`kb_cover`] from the alias index's matches of `text`, already found
/// ([`crate::kb::AliasIndex::find_all`]), so recognition and tagging search once.
pub fn kb_cover_found(kb: &Kb, text: &str, tokens: &[Token], mut found: Vec<Found>) -> Vec<u64> {
    let mut bits = vec![0u64; tokens.len()];
    let index = kb.index();
    found.sort_by_key(|f| (std::cmp::Reverse(f.end - f.start), f.start));
    let mut taken = vec![false; tokens.len()];
    for m in found {
        let a = tokens.partition_point(|t| t.end <= m.start);
        let b = tokens.partition_point(|t| t.start < m.end);
        if a >= b || taken[a..b].iter().any(|&x| x) {
            continue;
        }
        let surface = &text[m.start..m.end];
        let mut name = 0u64;
        let mut exact = false;
        let shape = crate::kb::CaseShape::of(surface);
        for hit in index.hits_of(m.key) {
            name |= 1 << ((type_code(hit.etype) * 4 + kind_code(hit.kind)) * 2);
            exact |= hit.case.matches_shape(shape);
        }
        for (k, slot) in bits.iter_mut().enumerate().take(b).skip(a) {
            taken[k] = true;
            *slot = if k == a { name } else { name << 1 };
            if exact {
                *slot |= KB_EXACT;
            }
        }
    }
    bits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_and_normal_forms() {
        let mut s = String::new();
        shapes("Merkel", &mut s);
        assert_eq!(s, "Xxxxx|Xx");
        s.clear();
        shapes("U.S.", &mut s);
        assert_eq!(s, "X.X.|X.X.");
        s.clear();
        shapes("1996-08-22", &mut s);
        assert_eq!(s, "dddd-dd-dd|d-d-d");
        let mut n = String::new();
        normalize("Jong-Un’s 1996", &mut n);
        assert_eq!(n, "jong-un's 0000");
    }

    #[test]
    fn kb_cover_marks_longest_names() {
        let kb = Kb::bundled().unwrap();
        let text = "Angela Merkel flew to Japan.";
        let tokens = text::tokenize(text);
        let bits = kb_cover(kb, text, &tokens);
        let per_b = 1 << ((type_code(EntityType::Per) * 4) * 2);
        let per_i = per_b << 1;
        assert_ne!(bits[0] & per_b, 0, "{:x}", bits[0]);
        assert_ne!(bits[1] & per_i, 0, "{:x}", bits[1]);
        assert_eq!(bits[2], 0);
        assert_ne!(bits[4] & (1 << (type_code(EntityType::Country) * 8)), 0);
        assert_ne!(bits[4] & KB_EXACT, 0);
    }

    #[test]
    fn features_are_stable_and_sentence_bounded() {
        let kb = Kb::bundled().unwrap();
        let text = "Kim met Abe.\nKim left.";
        let tokens = text::tokenize(text);
        let f = extract(kb, None, text, &tokens);
        assert_eq!(f.len(), 5);
        // the same word in the same position gets the same window features
        let a: std::collections::HashSet<u64> = f.of(0).iter().copied().collect();
        let b: std::collections::HashSet<u64> = f.of(3).iter().copied().collect();
        assert!(a.intersection(&b).count() > 10);
        assert_ne!(f.pair(1, Some(0)), f.pair(1, Some(1)));
        assert_ne!(f.pair(1, None), f.pair(4, None));
        assert_ne!(transition(None), transition(Some(0)));
        assert!(f.of(1).iter().all(|k| k & PAIR_BIT == 0));
        for (b, k) in f.pair_bases(1).iter().zip(f.pair(1, Some(3))) {
            assert_eq!(k, b | 4);
            assert_ne!(b & PAIR_BIT, 0);
        }
    }
}
