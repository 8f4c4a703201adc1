//! A trained sequence tagger for names of people, organizations, places and
//! other entities (PER, ORG, LOC, MISC), in pure Rust.
//!
//! The tagger labels the tokens of [`crate::text::tokenize`] left to right
//! with an averaged perceptron over BIO labels ([`scheme`]). Greedy decoding
//! uses the two previous labels and the types the same word got earlier in the
//! text as features, next to the token features of [`features`]: word, shape,
//! affixes, neighbours, punctuation, sentence position, line case, cue words,
//! and membership in the knowledge base's alias index by type. It is trained on
//! CoNLL-2003 files with `kglink train ner` ([`train::train`]); the model
//! trained on the English CoNLL-2003 training set ships in the binary
//! (`data/model/ner.bin`, format in [`model`]) and is [`Tagger::bundled`].
//!
//! On the CoNLL-2003 development set (testa) the bundled model scores 92.5 F1
//! (exact span and type over PER, ORG and LOC; MISC left out), and tags about
//! 600,000 words a second on one core. The model's features read the alias
//! index and the cue words of [`crate::lexicon`]: after large changes to either,
//! retrain it (`kglink train ner`, see `data/model/README.md`).
//!
//! ```
//! use kglink::{kb::Kb, tagger::{NerLabel, Tagger}, text};
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

pub mod conll;
pub mod features;
pub mod model;
pub mod perceptron;
pub mod scheme;
pub mod train;

use crate::error::Result;
use crate::kb::Kb;
use crate::model::EntityType;
use crate::text::Token;
use features::TextFeatures;
use model::Model;
use scheme::Scheme;
use std::sync::OnceLock;

/// The model bundled with kglink, trained on CoNLL-2003 English.
static BUNDLED_MODEL: &[u8] =
    include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/data/model/ner.bin"));

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
    /// Confidence in `[0, 1]`: the lowest probability the model gives the
    /// chosen label of any token of the span (softmax of the scores with a
    /// temperature calibrated on the development set).
    pub score: f32,
}

/// A trained tagger: the model and its decoder.
#[derive(Debug, Clone)]
pub struct Tagger {
    model: Model,
}

impl Tagger {
    /// Reads a model (the format of [`model`]); a file that is not a model, is
    /// truncated, corrupt or from another feature version is an error.
    pub fn from_bytes(bytes: &[u8]) -> Result<Tagger> {
        Ok(Tagger::from_model(Model::from_bytes(bytes)?))
    }

    /// The tagger bundled with kglink, loaded on first use.
    pub fn bundled() -> Result<&'static Tagger> {
        static TAGGER: OnceLock<std::result::Result<Tagger, String>> = OnceLock::new();
        TAGGER
            .get_or_init(|| Tagger::from_bytes(BUNDLED_MODEL).map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|e| crate::error::Error::Model(format!("bundled: {e}")))
    }

    /// A tagger over a model.
    pub fn from_model(model: Model) -> Tagger {
        Tagger { model }
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
        let features = features::extract(kb, text, tokens);
        let mut probs = vec![0f32; tokens.len()];
        let labels = self.decode(&features, tokens, |i, scores, chosen| {
            if chosen != 0 {
                probs[i] = self.probability(scores, chosen);
            }
        });
        self.model
            .scheme()
            .decode(&labels)
            .into_iter()
            .map(|(a, b, label)| TaggedSpan {
                start: tokens[a].start,
                end: tokens[b].end,
                label,
                score: probs[a..=b].iter().copied().fold(1.0, f32::min),
            })
            .collect()
    }

    /// Softmax probability of label `chosen`.
    fn probability(&self, scores: &[f32], chosen: usize) -> f32 {
        let t = self.model.temperature();
        let top = scores[chosen];
        let z: f32 = scores.iter().map(|s| ((s - top) / t).exp()).sum();
        (1.0 / z).clamp(0.0, 1.0)
    }

    /// Greedy left-to-right decoding, sentence by sentence; calls `visit` with
    /// each token's index, scores and chosen label.
    pub(crate) fn decode(
        &self,
        features: &TextFeatures,
        tokens: &[Token],
        mut visit: impl FnMut(usize, &[f32], usize),
    ) -> Vec<u8> {
        let scheme = self.model.scheme();
        let mut labels = Vec::with_capacity(tokens.len());
        let mut scores = vec![0f32; scheme.n_labels()];
        let mut history = features::History::default();
        let (mut p1, mut p2): (Option<usize>, Option<usize>) = (None, None);
        for i in 0..tokens.len() {
            if i == 0 || tokens[i].sentence != tokens[i - 1].sentence {
                (p1, p2) = (None, None);
            }
            scores.fill(0.0);
            self.model.score(features.of(i), &mut scores);
            let dynamic = features.dynamic(i, p1, p2, history.get(features, i));
            self.model.score(&dynamic, &mut scores);
            let chosen = argmax(&scores);
            visit(i, &scores, chosen);
            history.record(features, i, scheme.type_index(chosen));
            labels.push(chosen as u8);
            (p1, p2) = (Some(chosen), p1);
        }
        labels
    }
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
