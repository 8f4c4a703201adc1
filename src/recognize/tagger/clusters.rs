//! Word clusters learned from unlabeled text: each frequent word gets a path
//! of bits in a binary tree of clusters, so that words used alike (days of the
//! week, surnames, place names, verbs of saying) share long prefixes. The
//! tagger reads prefixes of a token's path and its neighbours' paths as
//! features ([`super::features`]): they generalize from names seen in training
//! to names seen only in unlabeled news.
//!
//! # Learning
//!
//! [`learn`] builds the tree top down with the exchange algorithm (Kneser and
//! Ney, 1993; Martin, Liermann and Ney, 1998) on the class-bigram objective of
//! Brown et al. (1992): the likelihood of the text under a model where a word's
//! class predicts the next word's class, i.e. `Σ N(a,b) ln N(a,b) − Σ
//! N(a) ln N(a) − Σ N(b) ln N(b)` over class bigram counts. At depth `d` every
//! cluster is split in two: its words are first dealt to the two halves
//! alternately (by decreasing count), then each word in turn moves to its
//! sibling half when that raises the objective of the whole `2^(d+1)`-class
//! model, until no word moves or the iterations run out. A word's path is the
//! sequence of halves it ended in. Words below `min_count` share one
//! unknown-word class (not written out); bigrams do not cross sentences.
//!
//! Everything is counted in integers and visited in a fixed order, so the same
//! text and options give the same file byte for byte.
//!
//! # File format
//!
//! UTF-8 text, one word a line: `path<TAB>word<TAB>count`, where `path` is the
//! string of `0`/`1` bits (all of one length, at most 32), `word` the word
//! with digits written `0` ([`key`]), `count` its count in the training text.
//! Lines starting with `#` are comments. The model stores the FNV-1a 64
//! checksum of the whole file ([`Clusters::checksum`]) and refuses other
//! clusters.

use super::features::{fnv, IdMap};
use crate::error::{Error, Result};
use std::collections::HashMap;

/// A word's place in the cluster tree: the path bits, first split in the
/// highest of `len` bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Path {
    /// The bits, the first split the most significant of `len`.
    pub bits: u32,
    /// Number of bits.
    pub len: u8,
}

impl Path {
    /// The first `k` bits (all of them when `k` is longer), tagged with `k`.
    pub fn prefix(self, k: u8) -> u64 {
        let k = k.min(self.len);
        (u64::from(self.bits >> (self.len - k)) << 8) | u64::from(k)
    }
}

/// Word clusters loaded from their file.
#[derive(Debug, Clone)]
pub struct Clusters {
    paths: IdMap<Path>,
    checksum: u64,
    depth: u8,
}

/// The form under which a word is clustered and looked up: digits as `0`,
/// typographic apostrophes plain; case kept.
pub fn key(word: &str, out: &mut String) {
    for c in word.chars() {
        match c {
            '0'..='9' => out.push('0'),
            '’' | '‘' => out.push('\''),
            c => out.push(c),
        }
    }
}

impl Clusters {
    /// Reads a clusters file; errors say which line is wrong.
    pub fn parse(bytes: &[u8]) -> Result<Clusters> {
        let bad = |line: usize, m: &str| Error::Model(format!("word clusters, line {line}: {m}"));
        let text = std::str::from_utf8(bytes)
            .map_err(|_| Error::Model("word clusters: not UTF-8 text".into()))?;
        let mut paths = IdMap::default();
        let mut depth = None;
        for (i, line) in text.lines().enumerate() {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut cols = line.split('\t');
            let (Some(p), Some(w), Some(c), None) =
                (cols.next(), cols.next(), cols.next(), cols.next())
            else {
                return Err(bad(i + 1, "expected `path<TAB>word<TAB>count`"));
            };
            if p.is_empty() || p.len() > 32 || !p.bytes().all(|b| b == b'0' || b == b'1') {
                return Err(bad(i + 1, "the path must be 1 to 32 bits `0`/`1`"));
            }
            if *depth.get_or_insert(p.len()) != p.len() {
                return Err(bad(i + 1, "paths of different lengths"));
            }
            if w.is_empty() || c.parse::<u64>().is_err() {
                return Err(bad(i + 1, "empty word or bad count"));
            }
            let bits = u32::from_str_radix(p, 2).expect("checked bits");
            let path = Path {
                bits,
                len: p.len() as u8,
            };
            if paths.insert(fnv(w.as_bytes()), path).is_some() {
                return Err(bad(i + 1, &format!("{w:?} listed twice")));
            }
        }
        Ok(Clusters {
            paths,
            checksum: fnv(bytes),
            depth: depth.unwrap_or(0) as u8,
        })
    }

    /// FNV-1a 64 of the file the clusters were read from.
    pub fn checksum(&self) -> u64 {
        self.checksum
    }

    /// Number of words with a cluster.
    pub fn len(&self) -> usize {
        self.paths.len()
    }

    /// True when no word has a cluster.
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }

    /// Length of the paths.
    pub fn depth(&self) -> u8 {
        self.depth
    }

    /// The path of a word already in [`key`] form.
    pub fn get_key(&self, key: &str) -> Option<Path> {
        self.paths.get(&fnv(key.as_bytes())).copied()
    }

    /// The path of `word` as written (digits as `0`).
    pub fn get(&self, word: &str) -> Option<Path> {
        let mut k = String::with_capacity(word.len());
        key(word, &mut k);
        self.get_key(&k)
    }
}

/// How to learn clusters.
#[derive(Debug, Clone, Copy)]
pub struct ClusterOptions {
    /// Words seen fewer times share the unknown-word class.
    pub min_count: u64,
    /// Length of the paths: at most `2^depth` clusters (1 to 11).
    pub depth: u8,
    /// Passes of the exchange algorithm at each depth, at most.
    pub iterations: usize,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        ClusterOptions {
            min_count: 5,
            depth: 10,
            iterations: 20,
        }
    }
}

/// A learned word: its path (as `0`/`1` text), the word and its count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Learned {
    /// Path bits.
    pub path: String,
    /// The word, in [`key`] form.
    pub word: String,
    /// Its count.
    pub count: u64,
}

/// `x ln x`, 0 at 0.
fn xlogx(x: i64) -> f64 {
    if x <= 0 {
        0.0
    } else {
        let x = x as f64;
        x * x.ln()
    }
}

/// Learns clusters from sentences of words (already in [`key`] form), as
/// described in the module docs. `on_depth` is called after each depth with
/// the depth done and the number of moves made.
pub fn learn<S: AsRef<str>>(
    sentences: &[Vec<S>],
    opts: &ClusterOptions,
    on_depth: &mut dyn FnMut(u8, usize),
) -> Vec<Learned> {
    let depth = opts.depth.clamp(1, 11);
    // vocabulary by decreasing count, then word
    let mut counts: HashMap<&str, u64> = HashMap::new();
    for s in sentences {
        for w in s {
            *counts.entry(w.as_ref()).or_insert(0) += 1;
        }
    }
    let mut vocab: Vec<(&str, u64)> = counts
        .iter()
        .filter(|(_, &c)| c >= opts.min_count.max(1))
        .map(|(&w, &c)| (w, c))
        .collect();
    vocab.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let id: HashMap<&str, u32> = vocab
        .iter()
        .enumerate()
        .map(|(i, (w, _))| (*w, i as u32))
        .collect();
    let unk = vocab.len() as u32;
    let n_words = vocab.len() + 1;
    // bigram counts, as sorted neighbour lists per word
    let mut bigrams: HashMap<(u32, u32), i64> = HashMap::new();
    for s in sentences {
        let ids: Vec<u32> = s
            .iter()
            .map(|w| id.get(w.as_ref()).copied().unwrap_or(unk))
            .collect();
        for p in ids.windows(2) {
            *bigrams.entry((p[0], p[1])).or_insert(0) += 1;
        }
    }
    let mut pairs: Vec<((u32, u32), i64)> = bigrams.into_iter().collect();
    pairs.sort_unstable();
    let mut right: Vec<Vec<(u32, i64)>> = vec![Vec::new(); n_words];
    let mut left: Vec<Vec<(u32, i64)>> = vec![Vec::new(); n_words];
    let mut selfs = vec![0i64; n_words];
    let (mut as_left, mut as_right) = (vec![0i64; n_words], vec![0i64; n_words]);
    for &((a, b), n) in &pairs {
        as_left[a as usize] += n;
        as_right[b as usize] += n;
        if a == b {
            selfs[a as usize] += n;
        } else {
            right[a as usize].push((b, n));
            left[b as usize].push((a, n));
        }
    }
    drop(pairs);

    // class of each word at the current depth
    let mut class = vec![0u32; n_words];
    let mut cells: Vec<(usize, i64)> = Vec::new();
    for d in 0..depth {
        // deal each class's words to its two halves alternately
        let k = 1usize << (d + 1);
        let mut dealt = vec![0u32; k / 2];
        for c in class.iter_mut() {
            let parity = dealt[*c as usize] % 2;
            dealt[*c as usize] += 1;
            *c = *c * 2 + parity;
        }
        // class bigram counts and class totals
        let mut m = vec![0i64; k * k];
        let (mut nl, mut nr) = (vec![0i64; k], vec![0i64; k]);
        for w in 0..n_words {
            let a = class[w] as usize;
            for &(v, n) in &right[w] {
                m[a * k + class[v as usize] as usize] += n;
            }
            m[a * k + a] += selfs[w];
            nl[a] += as_left[w];
            nr[a] += as_right[w];
        }
        let mut moves = 0;
        for _ in 0..opts.iterations {
            let mut moved = 0;
            for w in 0..n_words {
                let a = class[w] as usize;
                let b = a ^ 1;
                // the cells that change when w moves from a to b
                cells.clear();
                for &(v, n) in &right[w] {
                    let c = class[v as usize] as usize;
                    cells.push((a * k + c, -n));
                    cells.push((b * k + c, n));
                }
                for &(u, n) in &left[w] {
                    let c = class[u as usize] as usize;
                    cells.push((c * k + a, -n));
                    cells.push((c * k + b, n));
                }
                cells.push((a * k + a, -selfs[w]));
                cells.push((b * k + b, selfs[w]));
                cells.sort_unstable_by_key(|c| c.0);
                let mut delta = 0.0;
                let mut i = 0;
                while i < cells.len() {
                    let cell = cells[i].0;
                    let mut change = 0;
                    while i < cells.len() && cells[i].0 == cell {
                        change += cells[i].1;
                        i += 1;
                    }
                    if change != 0 {
                        delta += xlogx(m[cell] + change) - xlogx(m[cell]);
                    }
                }
                let (l, r) = (as_left[w], as_right[w]);
                delta -= xlogx(nl[a] - l) - xlogx(nl[a]) + xlogx(nl[b] + l) - xlogx(nl[b]);
                delta -= xlogx(nr[a] - r) - xlogx(nr[a]) + xlogx(nr[b] + r) - xlogx(nr[b]);
                if delta > 1e-6 {
                    for &(cell, n) in &cells {
                        m[cell] += n;
                    }
                    nl[a] -= l;
                    nl[b] += l;
                    nr[a] -= r;
                    nr[b] += r;
                    class[w] = b as u32;
                    moved += 1;
                }
            }
            moves += moved;
            if moved == 0 {
                break;
            }
        }
        on_depth(d + 1, moves);
    }
    let mut out: Vec<Learned> = vocab
        .iter()
        .enumerate()
        .map(|(w, &(word, count))| Learned {
            path: format!("{:0width$b}", class[w], width = usize::from(depth)),
            word: word.to_string(),
            count,
        })
        .collect();
    out.sort_by(|a, b| {
        a.path
            .cmp(&b.path)
            .then(b.count.cmp(&a.count))
            .then(a.word.cmp(&b.word))
    });
    out
}

/// The clusters file of learned words, with a header comment.
pub fn to_text(learned: &[Learned], header: &str) -> String {
    let mut out = String::new();
    for line in header.lines() {
        out.push_str("# ");
        out.push_str(line);
        out.push('\n');
    }
    for l in learned {
        out.push_str(&l.path);
        out.push('\t');
        out.push_str(&l.word);
        out.push('\t');
        out.push_str(&l.count.to_string());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sentences where days and cities are each interchangeable.
    fn toy() -> Vec<Vec<String>> {
        let days = ["Monday", "Tuesday", "Friday", "Sunday"];
        let cities = ["Paris", "London", "Berlin", "Madrid"];
        let mut out = Vec::new();
        for (i, d) in days.iter().enumerate() {
            for (j, c) in cities.iter().enumerate() {
                let verb = ["met", "spoke", "left", "arrived"][(i + j) % 4];
                out.push(
                    format!("officials {verb} on {d} in {c} , sources said")
                        .split(' ')
                        .map(str::to_string)
                        .collect(),
                );
                out.push(
                    format!("the talks in {c} ended on {d} after a vote")
                        .split(' ')
                        .map(str::to_string)
                        .collect(),
                );
            }
        }
        out
    }

    fn common_prefix(a: &str, b: &str) -> usize {
        a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count()
    }

    #[test]
    fn interchangeable_words_share_clusters() {
        let opts = ClusterOptions {
            min_count: 1,
            depth: 4,
            iterations: 10,
        };
        let learned = learn(&toy(), &opts, &mut |_, _| {});
        let path = |w: &str| {
            learned
                .iter()
                .find(|l| l.word == w)
                .map(|l| l.path.clone())
                .unwrap()
        };
        let days = ["Monday", "Tuesday", "Friday", "Sunday"].map(path);
        let cities = ["Paris", "London", "Berlin", "Madrid"].map(path);
        for d in &days {
            for c in &cities {
                assert_ne!(d, c, "a day and a city share a cluster: {learned:?}");
                let across = common_prefix(d, c);
                for d2 in &days {
                    assert!(common_prefix(d, d2) > across, "{learned:?}");
                }
                for c2 in &cities {
                    assert!(common_prefix(c, c2) > across, "{learned:?}");
                }
            }
        }
    }

    #[test]
    fn learning_is_deterministic_and_the_file_reads_back() {
        let opts = ClusterOptions {
            min_count: 1,
            depth: 3,
            iterations: 5,
        };
        let a = to_text(&learn(&toy(), &opts, &mut |_, _| {}), "toy");
        let b = to_text(&learn(&toy(), &opts, &mut |_, _| {}), "toy");
        assert_eq!(a, b);
        let c = Clusters::parse(a.as_bytes()).unwrap();
        assert_eq!(c.depth(), 3);
        assert_eq!(c.checksum(), fnv(a.as_bytes()));
        assert!(c.get("Paris").is_some() && c.get("Tokyo").is_none());
        let p = c.get("Paris").unwrap();
        assert_eq!(p.prefix(3), p.prefix(9));
        assert_ne!(p.prefix(1), p.prefix(2));
    }

    #[test]
    fn bad_files_are_refused() {
        let err = |s: &str| Clusters::parse(s.as_bytes()).unwrap_err().to_string();
        assert!(err("0101\tParis\n").contains("line 1"));
        assert!(err("01\ta\t3\n011\tb\t2\n").contains("different lengths"));
        assert!(err("# c\n01\ta\t3\n10\ta\t2\n").contains("line 3"));
        assert!(err("0x\ta\t3\n").contains("bits"));
        assert_eq!(key_of("1996-08-22"), "0000-00-00");
    }

    fn key_of(w: &str) -> String {
        let mut s = String::new();
        key(w, &mut s);
        s
    }
}
