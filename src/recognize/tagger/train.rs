//! Training: epochs of the averaged perceptron over CoNLL documents, scored on
//! a development set after each epoch; the best epoch is kept.
//!
//! Each CoNLL document is rebuilt as text ([`Document::text_and_spans`]) and
//! tokenized with [`crate::text::tokenize`], exactly as text is at run time; the
//! gold entities are projected onto those tokens (a runtime token always lies
//! inside one CoNLL token). Training visits the documents in an order shuffled
//! by a small seeded generator (the sentences of a document in order, as the
//! history features need), so a seed gives the same model byte for byte.
//!
//! Each sentence is decoded as [`Tagger::tag`] does (Viterbi, with the labels
//! chosen for earlier sentences as history) and, where the decoded labels
//! differ from the gold ones, the weights are updated (structured perceptron).
//!
//! The development score is CoNLL-style entity F1: exact byte span and type,
//! over PER, ORG and LOC (MISC left out of gold and predictions), computed with
//! the saved, pruned and quantized model through [`Tagger::tag`], i.e. what
//! ships. After the last epoch the softmax temperature of the scores is fitted
//! on the development spans (lowest log loss of "this span is right" on a
//! grid), so that [`super::TaggedSpan::score`] reads like a probability.

use super::clusters::Clusters;
use super::conll::{Document, GoldSpan};
use super::features::{self, TextFeatures};
use super::model::Model;
use super::perceptron::Perceptron;
use super::scheme::Scheme;
use super::viterbi::Lattice;
use super::{NerLabel, Tagger};
use crate::kb::Kb;
use crate::text::{self, Token};
use std::sync::Arc;
use std::time::Instant;

/// How to train.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    /// Passes over the training data.
    pub epochs: usize,
    /// Seed of the sentence order.
    pub seed: u64,
    /// Tag scheme.
    pub scheme: Scheme,
    /// Averaged weights smaller than this in magnitude are dropped.
    pub min_weight: f32,
    /// Keep label sequences well formed in training and decoding (0.2 F1 on
    /// CoNLL-2003 dev with BILOU).
    pub constrained: bool,
    /// Word clusters for the cluster features; their checksum goes into the
    /// model, which then only runs with them.
    pub clusters: Option<Arc<Clusters>>,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            epochs: 15,
            seed: 1,
            scheme: Scheme::Bilou,
            min_weight: 0.05,
            constrained: true,
            clusters: None,
        }
    }
}

/// Counts of an entity-level comparison.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Predicted spans with the gold span and type.
    pub tp: usize,
    /// Predicted spans without.
    pub fp: usize,
    /// Gold spans not predicted.
    pub fn_: usize,
}

impl Counts {
    /// tp / (tp + fp).
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }

    /// tp / (tp + fn).
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }

    /// Harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn_)
    }

    fn add(&mut self, o: Counts) {
        self.tp += o.tp;
        self.fp += o.fp;
        self.fn_ += o.fn_;
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Scores of a tagger on a document set: overall and per type (PER, ORG, LOC).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DevScores {
    /// PER, ORG and LOC together.
    pub overall: Counts,
    /// PER, ORG, LOC in that order.
    pub by_type: [Counts; 3],
}

/// What one epoch gave.
#[derive(Debug, Clone)]
pub struct EpochReport {
    /// 1-based epoch number.
    pub epoch: usize,
    /// Share of training tokens mislabelled during the epoch.
    pub train_error: f64,
    /// Development scores of the averaged, pruned model.
    pub dev: DevScores,
    /// Features in the saved model.
    pub features: usize,
    /// Size of the saved model in bytes.
    pub bytes: usize,
    /// Seconds spent on the epoch, scoring included.
    pub seconds: f64,
}

/// What training reports while it runs.
#[derive(Debug)]
pub enum Event<'a> {
    /// Data prepared: its size, and the best development F1 the tokenization
    /// allows (gold entities projected on tokens and back).
    Ready {
        /// Training documents.
        documents: usize,
        /// Training sentences.
        sentences: usize,
        /// Training tokens.
        tokens: usize,
        /// Gold projected on runtime tokens, scored as a prediction.
        ceiling: DevScores,
    },
    /// Documents done in the current epoch.
    Progress(usize),
    /// An epoch finished.
    Epoch(&'a EpochReport),
}

/// The result of training.
#[derive(Debug)]
pub struct Trained {
    /// The tagger of the best epoch, temperature fitted.
    pub tagger: Tagger,
    /// Every epoch.
    pub epochs: Vec<EpochReport>,
    /// 1-based number of the kept epoch.
    pub best: usize,
}

/// A document ready for training or scoring.
struct Prepared {
    text: String,
    tokens: Vec<Token>,
    gold: Vec<GoldSpan>,
    labels: Vec<u8>,
}

impl Prepared {
    fn new(doc: &Document, scheme: Scheme) -> Prepared {
        let (text, gold) = doc.text_and_spans();
        let tokens = text::tokenize(&text);
        let spans = project(&tokens, &gold);
        let labels = scheme.encode(tokens.len(), &spans);
        Prepared {
            text,
            tokens,
            gold,
            labels,
        }
    }
}

/// Gold spans as token ranges (first, last, type); an entity that the runtime
/// sentence splitter cuts is split too, so every label sequence is well formed.
fn project(tokens: &[Token], gold: &[GoldSpan]) -> Vec<(usize, usize, NerLabel)> {
    let mut out = Vec::new();
    for g in gold {
        let a = tokens.partition_point(|t| t.end <= g.start);
        let b = tokens.partition_point(|t| t.start < g.end);
        let mut first = a;
        for k in a..b {
            if k + 1 == b || tokens[k + 1].sentence != tokens[k].sentence {
                out.push((first, k, g.label));
                first = k + 1;
            }
        }
    }
    out
}

/// Splitmix64: a small deterministic generator for the shuffles.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        features::mix(self.0, 0)
    }

    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

/// Trains a tagger on `train`, keeping the epoch that scores best on `dev`
/// (the last one when `dev` is empty).
pub fn train(
    kb: &Kb,
    train: &[Document],
    dev: &[Document],
    opts: &TrainOptions,
    on_event: &mut dyn FnMut(Event),
) -> Trained {
    let scheme = opts.scheme;
    let n = scheme.n_labels();
    let docs: Vec<Prepared> = train.iter().map(|d| Prepared::new(d, scheme)).collect();
    let feats: Vec<TextFeatures> = docs
        .iter()
        .map(|d| features::extract(kb, opts.clusters.as_deref(), &d.text, &d.tokens))
        .collect();
    let dev: Vec<Prepared> = dev.iter().map(|d| Prepared::new(d, scheme)).collect();
    let mut order: Vec<usize> = (0..docs.len()).collect();
    let ceiling = score_docs(&dev, |d| {
        scheme
            .decode(&d.labels)
            .into_iter()
            .map(|(a, b, label)| (d.tokens[a].start, d.tokens[b].end, label))
            .collect()
    });
    on_event(Event::Ready {
        documents: docs.len(),
        sentences: docs
            .iter()
            .map(|d| super::sentences(&d.tokens).count())
            .sum(),
        tokens: docs.iter().map(|d| d.tokens.len()).sum(),
        ceiling,
    });

    let mut rng = Rng(opts.seed);
    let mut weights = Perceptron::new(n);
    let mut reports: Vec<EpochReport> = Vec::new();
    let mut kept: Option<(usize, f64, Tagger)> = None;
    let mut local = Vec::new();
    for epoch in 1..=opts.epochs {
        let t0 = Instant::now();
        rng.shuffle(&mut order);
        let (mut errors, mut seen) = (0usize, 0usize);
        for (u, &k) in order.iter().enumerate() {
            let (doc, f) = (&docs[k], &feats[k]);
            let mut history = features::History::default();
            for (a, b) in super::sentences(&doc.tokens) {
                let hist: Vec<u8> = (a..b).map(|i| history.get(f, i)).collect();
                local.clear();
                local.resize((b - a) * n, 0.0);
                for ((i, row), &h) in (a..b).zip(local.chunks_mut(n)).zip(&hist) {
                    weights.score(f.of(i), row);
                    weights.score(&f.history(i, h), row);
                }
                let (trans, end) =
                    super::transitions(scheme, opts.constrained, |x, row| weights.score(x, row));
                let lattice = Lattice {
                    n,
                    local: &local,
                    trans: &trans,
                    end: &end,
                };
                let path = lattice.best_path(|k, pairs| {
                    for (p, row) in pairs.chunks_mut(n).enumerate() {
                        weights.score(&f.pair(a + k, p.checked_sub(1)), row);
                    }
                });
                for (k, &guess) in path.iter().enumerate() {
                    let i = a + k;
                    let gold = doc.labels[i] as usize;
                    let gold_prev = k.checked_sub(1).map(|j| doc.labels[a + j] as usize);
                    let guess_prev = k.checked_sub(1).map(|j| path[j]);
                    if guess != gold {
                        errors += 1;
                        weights.update(f.of(i), gold, guess);
                        weights.update(&f.history(i, hist[k]), gold, guess);
                    }
                    if guess != gold || gold_prev != guess_prev {
                        weights.add(&[features::transition(gold_prev)], gold, 1);
                        weights.add(&f.pair(i, gold_prev), gold, 1);
                        weights.add(&[features::transition(guess_prev)], guess, -1);
                        weights.add(&f.pair(i, guess_prev), guess, -1);
                    }
                    weights.step();
                    seen += 1;
                }
                for (k, &guess) in path.iter().enumerate() {
                    history.record(f, a + k, scheme.type_index(guess));
                }
            }
            on_event(Event::Progress(u + 1));
        }
        let tagger = finish(opts, &weights);
        let dev_scores = evaluate_prepared(&tagger, kb, &dev);
        let report = EpochReport {
            epoch,
            train_error: ratio(errors, seen),
            dev: dev_scores,
            features: tagger.model().len(),
            bytes: tagger.to_bytes().len(),
            seconds: t0.elapsed().as_secs_f64(),
        };
        on_event(Event::Epoch(&report));
        let f1 = dev_scores.overall.f1();
        if dev.is_empty() || kept.as_ref().is_none_or(|k| f1 > k.1) {
            kept = Some((epoch, f1, tagger));
        }
        reports.push(report);
    }
    let (best, _, mut tagger) = kept.unwrap_or_else(|| (0, 0.0, finish(opts, &weights)));
    if !dev.is_empty() {
        let t = fit_temperature(&tagger, kb, &dev);
        tagger.model.set_temperature(t);
    }
    Trained {
        tagger,
        epochs: reports,
        best,
    }
}

/// The tagger of the averaged, pruned and quantized weights, with the
/// clusters of `opts`.
fn finish(opts: &TrainOptions, weights: &Perceptron) -> Tagger {
    let mut model = Model::from_rows(
        opts.scheme,
        opts.constrained,
        1.0,
        &weights.averaged(opts.min_weight),
    );
    if let Some(c) = &opts.clusters {
        model.set_clusters_checksum(c.checksum());
    }
    Tagger::with_clusters(model, opts.clusters.clone()).expect("the model's own clusters")
}

/// One tagger from several trained with the same options and different
/// seeds: the mean of their weights (a feature missing from a model counts 0
/// there; means below the options' minimum weight are dropped), temperature
/// fitted on `dev`. Averaging the runs removes most of the difference between
/// seeds, which on CoNLL-2003 dev spans half a point of F1.
pub fn average(kb: &Kb, taggers: &[Tagger], dev: &[Document], opts: &TrainOptions) -> Tagger {
    let n = opts.scheme.n_labels();
    let mut sum: std::collections::BTreeMap<u64, Vec<f32>> = std::collections::BTreeMap::new();
    for t in taggers {
        for (key, row) in t.model().rows() {
            let acc = sum.entry(key).or_insert_with(|| vec![0.0; n]);
            for (a, w) in acc.iter_mut().zip(row) {
                *a += w;
            }
        }
    }
    let k = taggers.len().max(1) as f32;
    let rows: Vec<(u64, Vec<f32>)> = sum
        .into_iter()
        .map(|(key, row)| {
            let row = row
                .into_iter()
                .map(|w| {
                    let m = w / k;
                    if m.abs() < opts.min_weight {
                        0.0
                    } else {
                        m
                    }
                })
                .collect();
            (key, row)
        })
        .collect();
    let mut model = Model::from_rows(opts.scheme, opts.constrained, 1.0, &rows);
    if let Some(c) = &opts.clusters {
        model.set_clusters_checksum(c.checksum());
    }
    let mut tagger =
        Tagger::with_clusters(model, opts.clusters.clone()).expect("the model's own clusters");
    let dev: Vec<Prepared> = dev.iter().map(|d| Prepared::new(d, opts.scheme)).collect();
    if !dev.is_empty() {
        let t = fit_temperature(&tagger, kb, &dev);
        tagger.model.set_temperature(t);
    }
    tagger
}

/// Scores `tagger` on CoNLL documents (PER, ORG, LOC; exact spans).
pub fn evaluate(tagger: &Tagger, kb: &Kb, docs: &[Document]) -> DevScores {
    let prepared: Vec<Prepared> = docs
        .iter()
        .map(|d| Prepared::new(d, tagger.model().scheme()))
        .collect();
    evaluate_prepared(tagger, kb, &prepared)
}

fn evaluate_prepared(tagger: &Tagger, kb: &Kb, docs: &[Prepared]) -> DevScores {
    score_docs(docs, |d| {
        tagger
            .tag(kb, &d.text, &d.tokens)
            .into_iter()
            .map(|s| (s.start, s.end, s.label))
            .collect()
    })
}

/// Compares predicted spans with the gold ones, MISC left out of both.
fn score_docs(
    docs: &[Prepared],
    mut predict: impl FnMut(&Prepared) -> Vec<(usize, usize, NerLabel)>,
) -> DevScores {
    let mut out = DevScores::default();
    for d in docs {
        let gold: Vec<(usize, usize, NerLabel)> = d
            .gold
            .iter()
            .filter(|g| g.label != NerLabel::Misc)
            .map(|g| (g.start, g.end, g.label))
            .collect();
        let pred: Vec<(usize, usize, NerLabel)> = predict(d)
            .into_iter()
            .filter(|p| p.2 != NerLabel::Misc)
            .collect();
        for (t, counts) in out.by_type.iter_mut().enumerate() {
            let label = NerLabel::ALL[t];
            let g: Vec<_> = gold.iter().filter(|x| x.2 == label).collect();
            let p: Vec<_> = pred.iter().filter(|x| x.2 == label).collect();
            let tp = p.iter().filter(|x| g.contains(x)).count();
            counts.add(Counts {
                tp,
                fp: p.len() - tp,
                fn_: g.len() - tp,
            });
        }
    }
    for c in out.by_type {
        out.overall.add(c);
    }
    out
}

/// The softmax temperature that makes span scores ([`super::TaggedSpan::score`])
/// best predict whether a span is right (exact span and type, MISC included):
/// lowest log loss over the spans tagged in `docs`, on a geometric grid from
/// 0.1 to 100. Decoding does not depend on the temperature, so `docs` are
/// decoded once.
fn fit_temperature(tagger: &Tagger, kb: &Kb, docs: &[Prepared]) -> f32 {
    let scheme = tagger.scheme();
    // per tagged span: right or not, and each token's scores and label
    type Scored = (Vec<f32>, usize);
    let mut spans: Vec<(bool, Vec<Scored>)> = Vec::new();
    for d in docs {
        let f = features::extract(kb, tagger.clusters(), &d.text, &d.tokens);
        let mut tokens = Vec::with_capacity(d.tokens.len());
        let labels = tagger.decode(&f, &d.tokens, |_, scores, chosen| {
            tokens.push((scores.to_vec(), chosen));
        });
        for (a, b, label) in scheme.decode(&labels) {
            let (start, end) = (d.tokens[a].start, d.tokens[b].end);
            let right = d
                .gold
                .iter()
                .any(|g| (g.start, g.end, g.label) == (start, end, label));
            spans.push((right, tokens[a..=b].to_vec()));
        }
    }
    let loss = |t: f32| -> f64 {
        spans
            .iter()
            .map(|(right, tokens)| {
                let p = tokens
                    .iter()
                    .map(|(s, l)| super::type_probability(scheme, s, *l, t))
                    .fold(1.0f32, f32::min);
                let p = f64::from(p).clamp(1e-6, 1.0 - 1e-6);
                if *right {
                    -p.ln()
                } else {
                    -(1.0 - p).ln()
                }
            })
            .sum()
    };
    let mut best = (1.0f32, f64::INFINITY);
    for k in 0..=60 {
        let t = 0.1f32 * 1000f32.powf(k as f32 / 60.0);
        let v = loss(t);
        if v < best.1 {
            best = (t, v);
        }
    }
    best.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projection_follows_runtime_tokens() {
        let text = "Jones 's U.S. unit";
        let tokens = text::tokenize(text);
        let gold = [
            GoldSpan {
                start: 0,
                end: 5,
                label: NerLabel::Per,
            },
            GoldSpan {
                start: 9,
                end: 13,
                label: NerLabel::Loc,
            },
        ];
        // tokens: Jones, s, U.S., unit
        assert_eq!(
            project(&tokens, &gold),
            [(0, 0, NerLabel::Per), (2, 2, NerLabel::Loc)]
        );
    }

    #[test]
    fn shuffles_are_seeded() {
        let mut a: Vec<u32> = (0..50).collect();
        let mut b = a.clone();
        Rng(7).shuffle(&mut a);
        Rng(7).shuffle(&mut b);
        assert_eq!(a, b);
        let mut c: Vec<u32> = (0..50).collect();
        Rng(8).shuffle(&mut c);
        assert_ne!(a, c);
    }
}
