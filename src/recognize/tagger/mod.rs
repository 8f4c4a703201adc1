//! A trained sequence tagger for names of people, organizations, places and
//! other entities (PER, ORG, LOC, MISC), in pure Rust.
//!
//! The tagger labels the tokens of [`crate::text::tokenize`] with BILOU labels
//! ([`scheme`]): a first-order linear model over the token features of
//! [`features`] (word, shape, affixes, neighbours, punctuation, sentence
//! position, line case, cue words, membership in the knowledge base's alias
//! index by type, the types the same word got earlier in the text, and the
//! word clusters of [`clusters`], learned from unlabeled news), decoded
//! sentence by sentence with Viterbi ([`viterbi`]) under the scheme's
//! well-formedness constraints, after which a name found several times in a
//! text takes one type at all its mentions (majority by score,
//! `consistent_types`). The weights are an averaged structured
//! perceptron, trained on CoNLL-2003 files with `kglink train ner`
//! ([`train::train`], several seeds averaged by [`train::average`]); the model
//! trained on the English CoNLL-2003 training set (without its held-out fold)
//! ships in the binary (`data/model/ner.bin`, format in [`model`], with
//! `data/model/clusters.tsv`) and is [`Tagger::bundled`].
//!
//! On the CoNLL-2003 development set (testa) the bundled model alone scores F1
//! 92.5 and 93.2 on the held-out fold of the training set (exact span and type
//! over PER, ORG and LOC; MISC left out; with the KB names and rules of
//! [`crate::recognize`]: 93.6 and 93.7), and tags 300,000 to 500,000 words a
//! second on one core (2 to 3 µs a token, most of it in memory lookups of
//! weights), 0.8 times the speed of the model before word clusters.
//! Measured on dev with an earlier feature set (three seeds each): greedy
//! left-to-right decoding with the previous two labels as features reached
//! 92.5 (BIO) at half the cost; Viterbi 92.6 (BIO) and 92.8 (BILOU) without
//! constraints, 93.0 (BILOU) with them.
//!
//! The model's features read the alias index, the cue words of
//! [`crate::cues`] and the word clusters: after large changes to any of
//! them, retrain it (`kglink train ner`, see `data/model/README.md`).
//!
//! ```
//! use kglink::{kb::Kb, recognize::tagger::{NerLabel, Tagger}, text};
//!
//! let kb = Kb::bundled()?;
//! let text = "Angela Merkel met officials of Siemens in Munich.";
//! let spans = Tagger::bundled()?.tag(kb, text, &text::tokenize(text));
//! let found: Vec<(&str, NerLabel)> = spans.iter().map(|s| (&text[s.start..s.end], s.label)).collect();
//! assert_eq!(found, [("Angela Merkel", NerLabel::Per), ("Siemens", NerLabel::Org), ("Munich", NerLabel::Loc)]);
//! # Ok::<(), kglink::error::Error>(())
//! ```
//!
//! Spans lie on token boundaries. MISC spans (nationalities, events, works)
//! are part of the output: the model learns MISC so as not to confuse it with
//! the other types, and the caller decides what to do with them.

pub mod clusters;
pub mod conll;
pub mod features;
pub mod model;
pub mod perceptron;
pub mod scheme;
pub mod train;
pub mod viterbi;

use crate::error::{Error, Result};
use crate::kb::{Found, Kb};
use crate::model::EntityType;
use crate::text::Token;
use clusters::Clusters;
use features::TextFeatures;
use model::Model;
use scheme::Scheme;
use std::sync::{Arc, OnceLock};

/// The model bundled with kglink, trained on CoNLL-2003 English.
static BUNDLED_MODEL: &[u8] =
    include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/data/model/ner.bin"));
/// Document-level consistency: a name the tagger found more than once in a
/// text with different types takes, at every mention, the type with the
/// highest summed score over its mentions (case ignored: "ROTOR" in a headline
/// votes with "Rotor"); a one-word name also counts the votes of the longer
/// names it is a word of ("Rotor" in "Rotor Volgograd", "Clinton" in "Bill
/// Clinton"). Spans stay where they are; only types change. Measured with
/// three seeds each on CoNLL-2003 dev and the held-out fold (whole pipeline),
/// the same names alone added 0.2 and 0.2 F1, the words of longer names another
/// 0.1 and 0.1.
fn consistent_types(text: &str, spans: &mut [TaggedSpan]) {
    if spans.len() < 2 {
        return;
    }
    let names: Vec<String> = spans
        .iter()
        .map(|s| text[s.start..s.end].to_lowercase())
        .collect();
    let mut votes: std::collections::HashMap<&str, [f32; 4]> = std::collections::HashMap::new();
    for (s, name) in spans.iter().zip(&names) {
        let l = s.label.index();
        votes.entry(name).or_default()[l] += s.score;
        if name.contains(' ') {
            for w in name.split(' ') {
                votes.entry(w).or_default()[l] += s.score;
            }
        }
    }
    for (s, name) in spans.iter_mut().zip(&names) {
        let v = votes[name.as_str()];
        let best = argmax(&v);
        if v[best] > v[s.label.index()] {
            s.label = NerLabel::ALL[best];
        }
    }
}

/// The word clusters bundled with kglink, which the bundled model reads.
static BUNDLED_CLUSTERS: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/data/model/clusters.tsv"
));

/// The types the tagger tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NerLabel {
    /// A person.
    Per,
    /// An organization.
    Org,
    /// A place, countries included.
    Loc,
    /// Any other name: nationalities, events, works, products.
    Misc,
}

impl NerLabel {
    /// All labels, in label-index order.
    pub const ALL: [NerLabel; 4] = [NerLabel::Per, NerLabel::Org, NerLabel::Loc, NerLabel::Misc];

    /// `PER`, `ORG`, `LOC` or `MISC`.
    pub fn as_str(self) -> &'static str {
        match self {
            NerLabel::Per => "PER",
            NerLabel::Org => "ORG",
            NerLabel::Loc => "LOC",
            NerLabel::Misc => "MISC",
        }
    }

    /// Parses `PER`, `ORG`, `LOC` or `MISC`.
    pub fn parse(s: &str) -> Option<Self> {
        NerLabel::ALL.into_iter().find(|l| l.as_str() == s)
    }

    /// The kglink entity type (LOC for places, countries included), or `None`
    /// for MISC.
    pub fn entity_type(self) -> Option<EntityType> {
        match self {
            NerLabel::Per => Some(EntityType::Per),
            NerLabel::Org => Some(EntityType::Org),
            NerLabel::Loc => Some(EntityType::Loc),
            NerLabel::Misc => None,
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// A name found by the tagger.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TaggedSpan {
    /// Start byte, the start of a token.
    pub start: usize,
    /// End byte (exclusive), the end of a token.
    pub end: usize,
    /// The type.
    pub label: NerLabel,
    /// Confidence in `[0, 1]`: over the tokens of the span, the lowest
    /// probability the model gives to the token being part of a name of this
    /// type (softmax of the token's label scores after the previous label,
    /// with a temperature calibrated on the development set). On CoNLL-2003
    /// dev, spans scored 0.9 or more are right 98% of the time (exact span
    /// and type).
    pub score: f32,
}

/// A trained tagger: the model and its decoder.
#[derive(Debug, Clone)]
pub struct Tagger {
    model: Model,
    /// The word clusters the model's features read, if any.
    clusters: Option<Arc<Clusters>>,
    /// Transition scores, as [`viterbi::Lattice::trans`].
    trans: Vec<f32>,
    /// End scores, as [`viterbi::Lattice::end`].
    end: Vec<f32>,
}

impl Tagger {
    /// Reads a model (the format of [`model`]); a file that is not a model, is
    /// truncated, corrupt or from another feature version is an error. A model
    /// trained with word clusters gets the bundled ones, and is refused when
    /// they are not the clusters it was trained with (see
    /// [`Tagger::with_clusters`]).
    pub fn from_bytes(bytes: &[u8]) -> Result<Tagger> {
        let model = Model::from_bytes(bytes)?;
        if model.clusters_checksum() == 0 {
            return Ok(Tagger::from_model(model));
        }
        let clusters = bundled_clusters()?;
        Tagger::with_clusters(model, Some(clusters))
    }

    /// A tagger over a model and the word clusters it was trained with; a
    /// model trained with other clusters (or with clusters, given none) is
    /// refused with an error that says so. Clusters given to a model trained
    /// without are left unused.
    pub fn with_clusters(model: Model, clusters: Option<Arc<Clusters>>) -> Result<Tagger> {
        let want = model.clusters_checksum();
        if want == 0 {
            return Ok(Tagger::from_model(model));
        }
        match clusters {
            Some(c) if c.checksum() == want => {
                let mut t = Tagger::from_model(model);
                t.clusters = Some(c);
                Ok(t)
            }
            Some(c) => Err(Error::Model(format!(
                "the model was trained with word clusters of checksum {want:016x}, these clusters have checksum {:016x}: use the clusters file the model was trained with, or retrain the model",
                c.checksum()
            ))),
            None => Err(Error::Model(format!(
                "the model was trained with word clusters (checksum {want:016x}) and none were given"
            ))),
        }
    }

    /// The word clusters the tagger reads, if any.
    pub fn clusters(&self) -> Option<&Clusters> {
        self.clusters.as_deref()
    }

    /// The tagger bundled with kglink, loaded on first use.
    pub fn bundled() -> Result<&'static Tagger> {
        static TAGGER: OnceLock<std::result::Result<Tagger, String>> = OnceLock::new();
        TAGGER
            .get_or_init(|| Tagger::from_bytes(BUNDLED_MODEL).map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|e| crate::error::Error::Model(format!("bundled: {e}")))
    }

    /// A tagger over a model, without word clusters.
    pub fn from_model(model: Model) -> Tagger {
        let (trans, end) = transitions(model.scheme(), model.constrained(), |f, row| {
            model.score(f, row)
        });
        Tagger {
            model,
            clusters: None,
            trans,
            end,
        }
    }

    /// The model in its file format.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.model.to_bytes()
    }

    /// The tag scheme of the model.
    pub fn scheme(&self) -> Scheme {
        self.model.scheme()
    }

    /// The model.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The names in `text`, whose `tokens` come from
    /// [`crate::text::tokenize`]: byte spans on token boundaries, in text
    /// order, not overlapping. `kb` supplies the alias-index features (use the
    /// KB the model was trained with for the best results).
    pub fn tag(&self, kb: &Kb, text: &str, tokens: &[Token]) -> Vec<TaggedSpan> {
        self.tag_found(kb, text, tokens, kb.index().find_all(text))
    }

    /// [`Tagger::tag`] with the alias index's matches of `text` already found
    /// ([`crate::kb::AliasIndex::find_all`]): recognition passes the matches it
    /// searched for, so the text is searched once.
    pub fn tag_found(
        &self,
        kb: &Kb,
        text: &str,
        tokens: &[Token],
        found: Vec<Found>,
    ) -> Vec<TaggedSpan> {
        let features = features::extract_found(kb, self.clusters(), text, tokens, found);
        let mut probs = vec![0f32; tokens.len()];
        let labels = self.decode(&features, tokens, |i, scores, chosen| {
            if chosen != 0 {
                probs[i] = type_probability(
                    self.model.scheme(),
                    scores,
                    chosen,
                    self.model.temperature(),
                );
            }
        });
        let mut spans: Vec<TaggedSpan> = self
            .model
            .scheme()
            .decode(&labels)
            .into_iter()
            .map(|(a, b, label)| TaggedSpan {
                start: tokens[a].start,
                end: tokens[b].end,
                label,
                score: probs[a..=b].iter().copied().fold(1.0, f32::min),
            })
            .collect();
        consistent_types(text, &mut spans);
        spans
    }

    /// Viterbi decoding, sentence by sentence; calls `visit` with each
    /// token's index, the scores of its labels after the label chosen before
    /// it, and its label.
    pub(crate) fn decode(
        &self,
        features: &TextFeatures,
        tokens: &[Token],
        mut visit: impl FnMut(usize, &[f32], usize),
    ) -> Vec<u8> {
        let scheme = self.model.scheme();
        let n = scheme.n_labels();
        let mut labels = Vec::with_capacity(tokens.len());
        let mut history = features::History::default();
        let mut local = Vec::new();
        let mut scores = vec![0f32; n];
        let mut pairs = vec![0f32; (n + 1) * n];
        for (a, b) in sentences(tokens) {
            local.clear();
            local.resize((b - a) * n, 0.0);
            for (i, row) in (a..b).zip(local.chunks_mut(n)) {
                self.model.score(features.of(i), row);
                self.model
                    .score(&features.history(i, history.get(features, i)), row);
            }
            let lattice = viterbi::Lattice {
                n,
                local: &local,
                trans: &self.trans,
                end: &self.end,
            };
            let pair = |k: usize, pairs: &mut [f32]| {
                self.model.score_pairs(&features.pair_bases(a + k), pairs)
            };
            let path = lattice.best_path(pair);
            for (k, &l) in path.iter().enumerate() {
                let prev = k.checked_sub(1).map(|j| path[j]);
                pairs.fill(0.0);
                pair(k, &mut pairs);
                lattice.scores_after(k, prev, &pairs, &mut scores);
                visit(a + k, &scores, l);
                labels.push(l as u8);
            }
            for (k, &l) in path.iter().enumerate() {
                history.record(features, a + k, scheme.type_index(l));
            }
        }
        labels
    }
}

/// The word clusters bundled with kglink (`data/model/clusters.tsv`), read on
/// first use.
pub fn bundled_clusters() -> Result<Arc<Clusters>> {
    static CLUSTERS: OnceLock<std::result::Result<Arc<Clusters>, String>> = OnceLock::new();
    CLUSTERS
        .get_or_init(|| {
            Clusters::parse(BUNDLED_CLUSTERS)
                .map(Arc::new)
                .map_err(|e| e.to_string())
        })
        .clone()
        .map_err(|e| Error::Model(format!("bundled: {e}")))
}

/// Softmax probability (at temperature `t`) that a token belongs to a name of
/// the type of label `chosen`: the mass of all labels of that type, since
/// whether the name goes on is the next token's question, not this one's.
pub(crate) fn type_probability(scheme: Scheme, scores: &[f32], chosen: usize, t: f32) -> f32 {
    let top = scores[chosen];
    let ty = scheme.type_index(chosen);
    let (mut same, mut all) = (0f32, 0f32);
    for (l, s) in scores.iter().enumerate() {
        let e = ((s - top) / t).exp();
        all += e;
        if scheme.type_index(l) == ty {
            same += e;
        }
    }
    (same / all).clamp(0.0, 1.0)
}

/// Token ranges `[a, b)` of the sentences of `tokens`.
pub(crate) fn sentences(tokens: &[Token]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut a = 0;
    (1..=tokens.len()).filter_map(move |i| {
        if i < tokens.len() && tokens[i].sentence == tokens[a].sentence {
            return None;
        }
        let range = (a, i);
        a = i;
        Some(range)
    })
}

/// Transition and end scores from the weights of the transition features
/// (`score` adds a feature's weights to a row); with `constrained`,
/// transitions that make an ill-formed sequence are `-inf`.
pub(crate) fn transitions(
    scheme: Scheme,
    constrained: bool,
    mut score: impl FnMut(&[u64], &mut [f32]),
) -> (Vec<f32>, Vec<f32>) {
    let n = scheme.n_labels();
    let mut trans = vec![0f32; (n + 1) * n];
    for (p, row) in trans.chunks_mut(n).enumerate() {
        let prev = p.checked_sub(1);
        score(&[features::transition(prev)], row);
        if constrained {
            for (l, t) in row.iter_mut().enumerate() {
                if !scheme.allowed(prev, l) {
                    *t = f32::NEG_INFINITY;
                }
            }
        }
    }
    let end = (0..n)
        .map(|l| {
            if constrained && !scheme.may_end(l) {
                f32::NEG_INFINITY
            } else {
                0.0
            }
        })
        .collect();
    (trans, end)
}

/// The label with the highest score (the first of equals).
pub(crate) fn argmax(scores: &[f32]) -> usize {
    let mut best = 0;
    for (l, &s) in scores.iter().enumerate() {
        if s > scores[best] {
            best = l;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(text: &str, word: &str, nth: usize, label: NerLabel, score: f32) -> TaggedSpan {
        let start = text.match_indices(word).nth(nth).unwrap().0;
        TaggedSpan {
            start,
            end: start + word.len(),
            label,
            score,
        }
    }

    #[test]
    fn a_name_takes_one_type_in_a_text() {
        let text = "ROTOR WIN .\nRotor Volgograd beat Lada . Rotor scored twice . Lada lost .";
        let mut spans = vec![
            span(text, "ROTOR", 0, NerLabel::Per, 0.4),
            span(text, "Rotor Volgograd", 0, NerLabel::Org, 0.9),
            span(text, "Lada", 0, NerLabel::Org, 0.8),
            span(text, "Rotor", 1, NerLabel::Per, 0.4),
            span(text, "Lada", 1, NerLabel::Loc, 0.5),
        ];
        consistent_types(text, &mut spans);
        let labels: Vec<NerLabel> = spans.iter().map(|s| s.label).collect();
        assert_eq!(
            labels,
            [
                NerLabel::Org,
                NerLabel::Org,
                NerLabel::Org,
                NerLabel::Org,
                NerLabel::Org
            ]
        );
        // a tie keeps each mention's own type
        let text = "Jordan met Jordan";
        let mut spans = vec![
            span(text, "Jordan", 0, NerLabel::Per, 0.5),
            span(text, "Jordan", 1, NerLabel::Loc, 0.5),
        ];
        consistent_types(text, &mut spans);
        assert_eq!(spans[0].label, NerLabel::Per);
        assert_eq!(spans[1].label, NerLabel::Loc);
    }
}
