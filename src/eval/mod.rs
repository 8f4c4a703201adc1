//! Scoring against gold-standard entity-linking sets: what `kglink eval` measures.
//!
//! # Gold files
//!
//! A gold file is JSON Lines, one document a line (empty lines are skipped):
//!
//! ```json
//! {"id": "doc-1", "text": "Ms Tanaka visited Osaka.",
//!  "mentions": [{"start": 3, "end": 9, "surface": "Tanaka", "type": "PER",
//!                "wikidata": null, "wikipedia": null}]}
//! ```
//!
//! * `start`/`end` count Unicode scalar values (not bytes), end exclusive, and
//!   `surface` must equal that slice of `text`.
//! * `type` is `PER`, `ORG`, `LOC`, `COUNTRY`, `MISC` or `null`.
//! * `wikidata` is a QID (`Q` followed by digits) or `null` (NIL / unknown).
//! * Optional fields: `source`, `date` (passed to the annotator), `wikipedia`.
//!
//! A malformed line (bad JSON, unknown type, bad QID, offsets past the end of the
//! text, a surface that is not the text at the offsets) is an error naming the file
//! and the 1-based line.
//!
//! # Scoring rules
//!
//! Every document's text is annotated once; only the time spent inside
//! [`Annotator::annotate`] is measured. Spans are compared exactly (same `start`
//! and `end`); there is no partial credit.
//!
//! **Type comparison.** By default COUNTRY and LOC are one class (LOC), so types
//! are PER, ORG and LOC; with [`EvalOptions::fine_types`] the four types are kept
//! apart.
//!
//! **Ignored predictions.** A prediction is *ignored* (counted neither right nor
//! wrong) when it would otherwise be a false positive and
//!
//! 1. it overlaps (shares at least one character with) a gold mention whose type
//!    is `MISC` or `null`: the gold set says nothing about the type of such a span
//!    and kglink has no MISC class; or
//! 2. the file is **not exhaustive** and the prediction overlaps no gold mention at
//!    all: such sets do not annotate every entity, so an unannotated prediction may
//!    well be right.
//!
//! A prediction that is correct is never ignored.
//!
//! **Exhaustive files.** A file is exhaustive unless its file name starts with
//! `rss500`, `ace2004` or `aquaint` (these sets annotate only some entities). For a
//! non-exhaustive file the report has `exhaustive: false` and recognition precision
//! and F1 are not meaningful (the text table prints `-` for them), even though the
//! JSON still holds the numbers computed under rule 2.
//!
//! **Recognition** (span and type). Gold: the mentions typed PER, ORG, LOC or
//! COUNTRY. Predicted: every predicted entity (linked or NIL) that is not ignored.
//! A true positive is a prediction with the same span and the same type as a gold
//! mention (each gold mention matches at most once). Precision = TP / predicted,
//! recall = TP / gold, F1 their harmonic mean. `recognition_by_type` splits the
//! counts by type: true and false positives under the predicted type, false
//! negatives under the gold type (keys `LOC`, `ORG`, `PER`, plus `COUNTRY` with
//! fine types; every key is always present).
//!
//! **Linking** (end to end, strong match). Gold: the mentions with a QID, whatever
//! their type (MISC included). Predicted: the predicted entities with `nil ==
//! false` that are not ignored. A true positive has the same span and the same
//! QID as a gold mention.
//!
//! **In-KB accuracy.** Among the gold mentions whose QID is in the loaded knowledge
//! base, the share that has a prediction with the same span and QID: `in_kb_correct
//! / in_kb`. It separates linking quality from KB coverage.
//!
//! All ratios are 0 when their denominator is 0. The `overall` report is the micro
//! average: counts of all files are summed and the ratios recomputed; it is
//! exhaustive only when every file is.
//!
//! # JSON report (`kglink eval --format json`)
//!
//! A [`Report`]: `{"files": [FileReport, ...], "overall": FileReport}`. A
//! [`FileReport`] has the fields
//!
//! | field | meaning |
//! |---|---|
//! | `file` | file name (`overall` for the total) |
//! | `docs` | number of documents |
//! | `exhaustive` | whether recognition precision is meaningful |
//! | `gold_mentions` | all gold mentions, any type |
//! | `predicted` | all predicted entities, ignored ones included |
//! | `words` | whitespace-separated tokens of the texts |
//! | `seconds` | time spent annotating |
//! | `recognition` | [`Scores`] of recognition |
//! | `recognition_by_type` | type code → [`Scores`] |
//! | `linking` | [`Scores`] of linking |
//! | `in_kb`, `in_kb_correct`, `in_kb_accuracy` | in-KB accuracy and its counts |
//! | `on_gold_links`, `on_gold_correct`, `on_gold_precision` | linking precision counted only on spans where the gold has a QID (`P@gold`) |
//!
//! and [`Scores`] is `{"tp", "fp", "fn", "precision", "recall", "f1"}` with the
//! ratios in `[0, 1]`.
//!
//! # Error analysis
//!
//! [`evaluate_file_with_errors`] also returns one [`EvalError`] per mistake
//! (serializable as one JSON object a line), with a `kind`:
//!
//! * `span`: a gold mention (typed, or with a QID) with no prediction of the same
//!   span, or a counted prediction with no gold mention of the same span;
//! * `type`: same span, different type (under the type comparison above);
//! * `wrong_entity`: same span, both linked, different QIDs;
//! * `nil`: same span, the gold mention has a QID and the prediction is NIL, or the
//!   gold mention (typed PER/ORG/LOC/COUNTRY) has no QID and the prediction links
//!   one.
//!
//! A pair with both a type and a linking mistake is reported once, as `type`.

use crate::annotate::{Annotator, Entity};
use crate::error::{Error, Result};
use crate::kb::{is_qid, Kb};
use crate::model::EntityType;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

/// File-name prefixes of the gold sets that do not annotate every entity.
pub const NON_EXHAUSTIVE_PREFIXES: [&str; 3] = ["rss500", "ace2004", "aquaint"];

/// Characters of context on each side of a mistake in [`EvalError::context`].
pub const CONTEXT_CHARS: usize = 60;

/// How to score.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EvalOptions {
    /// Keep COUNTRY and LOC apart (by default they are one class, LOC).
    pub fine_types: bool,
}

impl EvalOptions {
    /// The type under which `t` is compared and counted.
    fn key(&self, t: EntityType) -> EntityType {
        if self.fine_types {
            t
        } else {
            t.coarse()
        }
    }

    /// The types reported in [`FileReport::recognition_by_type`].
    fn types(&self) -> Vec<EntityType> {
        let mut v: Vec<EntityType> = EntityType::ALL.iter().map(|&t| self.key(t)).collect();
        v.sort();
        v.dedup();
        v
    }
}

/// The type of a gold mention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum GoldType {
    /// A person.
    #[serde(rename = "PER")]
    Per,
    /// An organization.
    #[serde(rename = "ORG")]
    Org,
    /// A place other than a country.
    #[serde(rename = "LOC")]
    Loc,
    /// A sovereign state.
    #[serde(rename = "COUNTRY")]
    Country,
    /// Any other entity (events, works, products, common nouns); not scored for
    /// recognition.
    #[serde(rename = "MISC")]
    Misc,
}

impl GoldType {
    /// The short code: `PER`, `ORG`, `LOC`, `COUNTRY` or `MISC`.
    pub fn as_str(self) -> &'static str {
        match self {
            GoldType::Per => "PER",
            GoldType::Org => "ORG",
            GoldType::Loc => "LOC",
            GoldType::Country => "COUNTRY",
            GoldType::Misc => "MISC",
        }
    }

    /// The kglink type, or `None` for MISC.
    pub fn entity_type(self) -> Option<EntityType> {
        match self {
            GoldType::Per => Some(EntityType::Per),
            GoldType::Org => Some(EntityType::Org),
            GoldType::Loc => Some(EntityType::Loc),
            GoldType::Country => Some(EntityType::Country),
            GoldType::Misc => None,
        }
    }
}

/// One gold mention.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoldMention {
    /// Start offset in characters, inclusive.
    pub start: usize,
    /// End offset in characters, exclusive.
    pub end: usize,
    /// The text at the offsets.
    pub surface: String,
    /// The type, or `None` (`null`) when unknown.
    #[serde(rename = "type", default)]
    pub etype: Option<GoldType>,
    /// The QID, or `None` for NIL / unknown.
    #[serde(default)]
    pub wikidata: Option<String>,
    /// The English Wikipedia title, if given.
    #[serde(default)]
    pub wikipedia: Option<String>,
}

impl GoldMention {
    /// The kglink type of the mention: `None` for MISC and `null`, which are not
    /// scored for recognition.
    pub fn entity_type(&self) -> Option<EntityType> {
        self.etype.and_then(GoldType::entity_type)
    }
}

/// One gold document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoldDoc {
    /// Document identifier.
    pub id: String,
    /// The data set it comes from, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Publication date (`YYYY-MM-DD…`), passed to the annotator, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// The text.
    pub text: String,
    /// The gold mentions.
    #[serde(default)]
    pub mentions: Vec<GoldMention>,
}

/// Checks the offsets, surfaces and QIDs of one document.
fn check_doc(doc: &GoldDoc) -> std::result::Result<(), String> {
    let chars: Vec<char> = doc.text.chars().collect();
    for (i, m) in doc.mentions.iter().enumerate() {
        let n = i + 1;
        if m.start >= m.end {
            return Err(format!("mention {n}: empty span {}..{}", m.start, m.end));
        }
        if m.end > chars.len() {
            return Err(format!(
                "mention {n}: end {} is past the end of the text ({} characters)",
                m.end,
                chars.len()
            ));
        }
        let slice: String = chars[m.start..m.end].iter().collect();
        if slice != m.surface {
            return Err(format!(
                "mention {n}: text at {}..{} is {slice:?}, not the surface {:?}",
                m.start, m.end, m.surface
            ));
        }
        if let Some(q) = &m.wikidata {
            if !is_qid(q) {
                return Err(format!("mention {n}: {q:?} is not a QID"));
            }
        }
    }
    Ok(())
}

/// Reads a gold file (JSON Lines, one [`GoldDoc`] a line; empty lines skipped).
///
/// Errors name the file and the 1-based line: bad JSON, unknown type, bad QID,
/// offsets out of range, or a surface that differs from the text at its offsets.
pub fn load_gold(path: &Path) -> Result<Vec<GoldDoc>> {
    let content = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse_gold(path, &content)
}

/// Parses gold JSON Lines; `path` is only used in error messages.
pub fn parse_gold(path: &Path, content: &str) -> Result<Vec<GoldDoc>> {
    let mut docs = Vec::new();
    for (i, line) in content.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let doc: GoldDoc =
            serde_json::from_str(line).map_err(|e| Error::parse(path, i + 1, e.to_string()))?;
        check_doc(&doc)
            .map_err(|m| Error::parse(path, i + 1, format!("document {:?}: {m}", doc.id)))?;
        docs.push(doc);
    }
    Ok(docs)
}

/// Gold documents from CoNLL-2003 documents: the text rebuilt as
/// [`crate::recognize::tagger::conll::Document::text_and_spans`] does (tokens joined by
/// spaces, sentences by `\n`, as in `conll2003-testa.jsonl`), the entities
/// with their CoNLL type and no QID. Ids are `{name}-{n}` with `n` the
/// document's 1-based position in `docs`.
pub fn gold_from_conll(
    name: &str,
    docs: &[crate::recognize::tagger::conll::Document],
) -> Vec<GoldDoc> {
    use crate::recognize::tagger::NerLabel;
    docs.iter()
        .enumerate()
        .map(|(i, d)| {
            let (text, spans) = d.text_and_spans();
            let chars = crate::text::CharIndex::new(&text);
            let mentions = spans
                .iter()
                .map(|g| GoldMention {
                    start: chars.char_of(g.start),
                    end: chars.char_of(g.end),
                    surface: text[g.start..g.end].to_string(),
                    etype: Some(match g.label {
                        NerLabel::Per => GoldType::Per,
                        NerLabel::Org => GoldType::Org,
                        NerLabel::Loc => GoldType::Loc,
                        NerLabel::Misc => GoldType::Misc,
                    }),
                    wikidata: None,
                    wikipedia: None,
                })
                .collect();
            GoldDoc {
                id: format!("{name}-{}", i + 1),
                source: Some(name.to_string()),
                date: None,
                text,
                mentions,
            }
        })
        .collect()
}

/// True unless the file name starts with one of [`NON_EXHAUSTIVE_PREFIXES`].
pub fn is_exhaustive(file_name: &str) -> bool {
    !NON_EXHAUSTIVE_PREFIXES
        .iter()
        .any(|p| file_name.starts_with(p))
}

/// Counts and ratios of one comparison.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Scores {
    /// True positives.
    pub tp: usize,
    /// False positives.
    pub fp: usize,
    /// False negatives (serialized as `fn`).
    #[serde(rename = "fn")]
    pub fn_: usize,
    /// `tp / (tp + fp)`, 0 when nothing was predicted.
    pub precision: f64,
    /// `tp / (tp + fn)`, 0 when there is no gold.
    pub recall: f64,
    /// Harmonic mean of precision and recall, 0 when both are 0.
    pub f1: f64,
}

impl Scores {
    /// Scores from counts.
    pub fn new(tp: usize, fp: usize, fn_: usize) -> Self {
        let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        let precision = ratio(tp, tp + fp);
        let recall = ratio(tp, tp + fn_);
        let f1 = if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        Scores {
            tp,
            fp,
            fn_,
            precision,
            recall,
            f1,
        }
    }

    /// The sum of the counts of two scores, ratios recomputed.
    pub fn merge(&self, other: &Scores) -> Scores {
        Scores::new(self.tp + other.tp, self.fp + other.fp, self.fn_ + other.fn_)
    }
}

/// The scores of one gold file (or of all files, as `overall`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FileReport {
    /// The file name, or `overall`.
    pub file: String,
    /// Number of documents.
    pub docs: usize,
    /// Whether the file annotates every entity (recognition precision is
    /// meaningful).
    pub exhaustive: bool,
    /// All gold mentions, of any type.
    pub gold_mentions: usize,
    /// All predicted entities, ignored ones included.
    pub predicted: usize,
    /// Whitespace-separated tokens of the texts.
    pub words: usize,
    /// Seconds spent annotating.
    pub seconds: f64,
    /// Recognition: exact span and type.
    pub recognition: Scores,
    /// Recognition per type code (`PER`, `ORG`, `LOC`, and `COUNTRY` with fine
    /// types).
    pub recognition_by_type: BTreeMap<String, Scores>,
    /// Linking: exact span and QID.
    pub linking: Scores,
    /// Gold mentions whose QID is in the knowledge base.
    pub in_kb: usize,
    /// Of those, the ones with a prediction of the same span and QID.
    pub in_kb_correct: usize,
    /// `in_kb_correct / in_kb`, 0 when `in_kb` is 0.
    pub in_kb_accuracy: f64,
    /// Predicted links on the span of a gold mention that has a QID: where the
    /// gold says which entity is meant. Links elsewhere (names the gold leaves
    /// out, such as "U.S." in parts of Reuters-128) are not counted.
    pub on_gold_links: usize,
    /// Of those, the ones with the gold QID.
    pub on_gold_correct: usize,
    /// `on_gold_correct / on_gold_links`: how often a link is right where the gold
    /// has an answer. 0 when there are none.
    pub on_gold_precision: f64,
    /// Linking precision by confidence bucket (see [`CALIBRATION_EDGES`]): does a
    /// confidence of 0.9 mean 90% right?
    pub calibration: Vec<CalibrationBucket>,
}

/// Lower edges of the confidence buckets of [`FileReport::calibration`].
pub const CALIBRATION_EDGES: [f64; 5] = [0.0, 0.5, 0.7, 0.8, 0.9];

/// Links whose confidence falls in `[min, max)` (the last bucket includes 1) and
/// how many of them are right, counted like linking precision.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CalibrationBucket {
    /// Lower edge.
    pub min: f64,
    /// Upper edge.
    pub max: f64,
    /// Links counted for linking precision with a confidence in the bucket.
    pub links: usize,
    /// Of those, the right ones.
    pub correct: usize,
    /// `correct / links`, 0 when there are none.
    pub precision: f64,
}

impl CalibrationBucket {
    fn buckets(counts: &[(usize, usize)]) -> Vec<CalibrationBucket> {
        CALIBRATION_EDGES
            .iter()
            .enumerate()
            .map(|(i, &min)| {
                let (correct, links) = counts.get(i).copied().unwrap_or_default();
                CalibrationBucket {
                    min,
                    max: CALIBRATION_EDGES.get(i + 1).copied().unwrap_or(1.0),
                    links,
                    correct,
                    precision: if links == 0 {
                        0.0
                    } else {
                        correct as f64 / links as f64
                    },
                }
            })
            .collect()
    }
}

impl FileReport {
    /// Annotation speed in words per second, `None` when no time was measured.
    pub fn words_per_second(&self) -> Option<f64> {
        if self.seconds > 0.0 {
            Some(self.words as f64 / self.seconds)
        } else {
            None
        }
    }

    fn set_on_gold(&mut self, links: usize, correct: usize) {
        self.on_gold_links = links;
        self.on_gold_correct = correct;
        self.on_gold_precision = if links == 0 {
            0.0
        } else {
            correct as f64 / links as f64
        };
    }

    fn set_in_kb(&mut self, in_kb: usize, in_kb_correct: usize) {
        self.in_kb = in_kb;
        self.in_kb_correct = in_kb_correct;
        self.in_kb_accuracy = if in_kb == 0 {
            0.0
        } else {
            in_kb_correct as f64 / in_kb as f64
        };
    }
}

/// The scores of several files and their micro average.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    /// One report per file, in the given order.
    pub files: Vec<FileReport>,
    /// Micro average over all files (counts summed), with `file` = `overall`.
    pub overall: FileReport,
}

impl Report {
    /// Adds the files up into `overall`.
    pub fn new(files: Vec<FileReport>) -> Report {
        let mut o = FileReport {
            file: "overall".to_string(),
            exhaustive: files.iter().all(|f| f.exhaustive),
            ..FileReport::default()
        };
        let (mut in_kb, mut in_kb_correct) = (0, 0);
        let (mut on_gold, mut on_gold_correct) = (0, 0);
        let mut calib: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
        for f in &files {
            o.docs += f.docs;
            o.gold_mentions += f.gold_mentions;
            o.predicted += f.predicted;
            o.words += f.words;
            o.seconds += f.seconds;
            o.recognition = o.recognition.merge(&f.recognition);
            o.linking = o.linking.merge(&f.linking);
            for (t, s) in &f.recognition_by_type {
                let e = o.recognition_by_type.entry(t.clone()).or_default();
                *e = e.merge(s);
            }
            in_kb += f.in_kb;
            in_kb_correct += f.in_kb_correct;
            on_gold += f.on_gold_links;
            on_gold_correct += f.on_gold_correct;
            for (i, b) in f.calibration.iter().enumerate() {
                let c = calib.entry(i).or_insert((0, 0));
                c.0 += b.correct;
                c.1 += b.links;
            }
        }
        o.set_in_kb(in_kb, in_kb_correct);
        o.set_on_gold(on_gold, on_gold_correct);
        let counts: Vec<(usize, usize)> = (0..CALIBRATION_EDGES.len())
            .map(|i| calib.get(&i).copied().unwrap_or_default())
            .collect();
        o.calibration = CalibrationBucket::buckets(&counts);
        Report { files, overall: o }
    }
}

/// What kind of mistake an [`EvalError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// A gold mention without a prediction of the same span, or a prediction
    /// without a gold mention of the same span.
    Span,
    /// Same span, different type.
    Type,
    /// Same span, both linked, different QIDs.
    WrongEntity,
    /// Same span; gold linked and prediction NIL, or gold NIL and prediction linked.
    Nil,
}

impl ErrorKind {
    /// The code used in JSON: `span`, `type`, `wrong_entity`, `nil`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Span => "span",
            ErrorKind::Type => "type",
            ErrorKind::WrongEntity => "wrong_entity",
            ErrorKind::Nil => "nil",
        }
    }
}

/// One mistake, for error analysis (one JSON object a line).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvalError {
    /// The gold file name.
    pub file: String,
    /// The document id.
    pub doc: String,
    /// What went wrong.
    pub kind: ErrorKind,
    /// Start offset in characters (of the gold mention when there is one, else
    /// of the prediction).
    pub start: usize,
    /// End offset in characters, exclusive.
    pub end: usize,
    /// The text of the span.
    pub surface: String,
    /// Gold type code (`PER` … `MISC`), `None` when there is no gold mention or it
    /// has no type.
    pub gold_type: Option<String>,
    /// Gold QID, `None` when there is no gold mention or it is NIL.
    pub gold_qid: Option<String>,
    /// Predicted type code, `None` when there is no prediction.
    pub pred_type: Option<String>,
    /// Predicted QID, `None` when there is no prediction or it is NIL.
    pub pred_qid: Option<String>,
    /// Label of the predicted entity, `None` when there is no prediction.
    pub pred_label: Option<String>,
    /// Up to 60 characters either side, the span marked `[[…]]`, line breaks as
    /// spaces.
    pub context: String,
}

/// Text around `start..end` (characters) with the span marked.
fn context(chars: &[char], start: usize, end: usize) -> String {
    let end = end.min(chars.len());
    let start = start.min(end);
    let lo = start.saturating_sub(CONTEXT_CHARS);
    let hi = (end + CONTEXT_CHARS).min(chars.len());
    let s = |a: usize, b: usize| -> String {
        chars[a..b]
            .iter()
            .map(|&c| {
                if c == '\n' || c == '\r' || c == '\t' {
                    ' '
                } else {
                    c
                }
            })
            .collect()
    };
    format!("{}[[{}]]{}", s(lo, start), s(start, end), s(end, hi))
}

fn overlaps(a: (usize, usize), b: (usize, usize)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// Counts summed over the documents of one file.
#[derive(Default)]
struct Tally {
    rec_tp: usize,
    rec_pred: usize,
    rec_gold: usize,
    /// Per type key: (tp, predicted, gold).
    by_type: BTreeMap<EntityType, (usize, usize, usize)>,
    link_tp: usize,
    link_pred: usize,
    link_gold: usize,
    in_kb: usize,
    in_kb_correct: usize,
    on_gold: usize,
    on_gold_correct: usize,
    /// Per calibration bucket: (correct, links).
    calib: [(usize, usize); CALIBRATION_EDGES.len()],
}

/// What one file is scored with.
struct Scorer<'a> {
    kb: &'a Kb,
    opts: &'a EvalOptions,
    exhaustive: bool,
    file: &'a str,
}

impl Scorer<'_> {
    fn score_doc(
        &self,
        doc: &GoldDoc,
        preds: &[Entity],
        t: &mut Tally,
        errors: &mut Vec<EvalError>,
    ) {
        let key = |e: EntityType| self.opts.key(e);
        let gold = &doc.mentions;
        let span = |g: &GoldMention| (g.start, g.end);
        for g in gold {
            if let Some(e) = g.entity_type() {
                t.rec_gold += 1;
                t.by_type.entry(key(e)).or_default().2 += 1;
            }
            if let Some(q) = &g.wikidata {
                t.link_gold += 1;
                if self.kb.by_qid(q).is_some() {
                    t.in_kb += 1;
                }
            }
        }
        let mut rec_matched = vec![false; gold.len()];
        let mut link_matched = vec![false; gold.len()];
        // Whether each prediction counts for recognition.
        let mut counted = Vec::with_capacity(preds.len());
        for p in preds {
            let ps = (p.start, p.end);
            let outside = !self.exhaustive && !gold.iter().any(|g| overlaps(span(g), ps));
            let untyped = gold
                .iter()
                .any(|g| g.entity_type().is_none() && overlaps(span(g), ps));
            let ignorable = outside || untyped;

            let rec_hit = gold.iter().enumerate().position(|(i, g)| {
                !rec_matched[i] && span(g) == ps && g.entity_type().map(key) == Some(key(p.etype))
            });
            let rec_counted = rec_hit.is_some() || !ignorable;
            counted.push(rec_counted);
            if rec_counted {
                t.rec_pred += 1;
                let e = t.by_type.entry(key(p.etype)).or_default();
                e.1 += 1;
                if let Some(i) = rec_hit {
                    rec_matched[i] = true;
                    t.rec_tp += 1;
                    e.0 += 1;
                }
            }

            if !p.nil {
                let link_hit = gold.iter().enumerate().position(|(i, g)| {
                    !link_matched[i]
                        && span(g) == ps
                        && g.wikidata.as_deref() == Some(p.id.as_str())
                });
                if gold.iter().any(|g| span(g) == ps && g.wikidata.is_some()) {
                    t.on_gold += 1;
                    t.on_gold_correct += usize::from(link_hit.is_some());
                }
                if link_hit.is_some() || !ignorable {
                    t.link_pred += 1;
                    let b = CALIBRATION_EDGES
                        .iter()
                        .rposition(|&edge| p.confidence >= edge)
                        .unwrap_or(0);
                    t.calib[b].1 += 1;
                    t.calib[b].0 += usize::from(link_hit.is_some());
                    if let Some(i) = link_hit {
                        link_matched[i] = true;
                        t.link_tp += 1;
                        if self.kb.by_qid(&p.id).is_some() {
                            t.in_kb_correct += 1;
                        }
                    }
                }
            }
        }

        // Error analysis.
        let chars: Vec<char> = doc.text.chars().collect();
        let mut errs = Vec::new();
        let mut push =
            |kind, start, end, surface: &str, g: Option<&GoldMention>, p: Option<&Entity>| {
                errs.push(EvalError {
                    file: self.file.to_string(),
                    doc: doc.id.clone(),
                    kind,
                    start,
                    end,
                    surface: surface.to_string(),
                    gold_type: g.and_then(|g| g.etype).map(|t| t.as_str().to_string()),
                    gold_qid: g.and_then(|g| g.wikidata.clone()),
                    pred_type: p.map(|p| p.etype.as_str().to_string()),
                    pred_qid: p.filter(|p| !p.nil).map(|p| p.id.clone()),
                    pred_label: p.map(|p| p.label.clone()),
                    context: context(&chars, start, end),
                });
            };
        for g in gold {
            let typed = g.entity_type();
            if typed.is_none() && g.wikidata.is_none() {
                continue;
            }
            let kind = match preds.iter().find(|p| (p.start, p.end) == span(g)) {
                None => Some((ErrorKind::Span, None)),
                Some(p) => {
                    let kind = if typed.is_some_and(|e| key(e) != key(p.etype)) {
                        Some(ErrorKind::Type)
                    } else {
                        match (&g.wikidata, p.nil) {
                            (Some(_), true) => Some(ErrorKind::Nil),
                            (Some(q), false) if *q != p.id => Some(ErrorKind::WrongEntity),
                            (None, false) if typed.is_some() => Some(ErrorKind::Nil),
                            _ => None,
                        }
                    };
                    kind.map(|k| (k, Some(p)))
                }
            };
            if let Some((k, p)) = kind {
                push(k, g.start, g.end, &g.surface, Some(g), p);
            }
        }
        for (p, &c) in preds.iter().zip(&counted) {
            if c && !gold.iter().any(|g| span(g) == (p.start, p.end)) {
                push(ErrorKind::Span, p.start, p.end, &p.text, None, Some(p));
            }
        }
        errs.sort_by_key(|e| (e.start, e.end));
        errors.extend(errs);
    }
}

/// Scores given predictions against gold documents: `predicted[i]` are the
/// entities found in `docs[i]` (a missing entry counts as no entities). `name` is
/// the file name; it decides exhaustiveness ([`is_exhaustive`]). `seconds` is 0.
pub fn score_predictions(
    name: &str,
    docs: &[GoldDoc],
    predicted: &[Vec<Entity>],
    kb: &Kb,
    opts: &EvalOptions,
) -> (FileReport, Vec<EvalError>) {
    let scorer = Scorer {
        kb,
        opts,
        exhaustive: is_exhaustive(name),
        file: name,
    };
    let mut t = Tally::default();
    for ty in opts.types() {
        t.by_type.insert(ty, (0, 0, 0));
    }
    let mut errors = Vec::new();
    let mut report = FileReport {
        file: name.to_string(),
        docs: docs.len(),
        exhaustive: scorer.exhaustive,
        ..FileReport::default()
    };
    for (i, doc) in docs.iter().enumerate() {
        let preds = predicted.get(i).map(Vec::as_slice).unwrap_or(&[]);
        report.gold_mentions += doc.mentions.len();
        report.predicted += preds.len();
        report.words += doc.text.split_whitespace().count();
        scorer.score_doc(doc, preds, &mut t, &mut errors);
    }
    report.recognition = Scores::new(t.rec_tp, t.rec_pred - t.rec_tp, t.rec_gold - t.rec_tp);
    report.recognition_by_type = t
        .by_type
        .iter()
        .map(|(ty, &(tp, pred, gold))| {
            (
                ty.as_str().to_string(),
                Scores::new(tp, pred - tp, gold - tp),
            )
        })
        .collect();
    report.linking = Scores::new(t.link_tp, t.link_pred - t.link_tp, t.link_gold - t.link_tp);
    report.set_in_kb(t.in_kb, t.in_kb_correct);
    report.set_on_gold(t.on_gold, t.on_gold_correct);
    report.calibration = CalibrationBucket::buckets(&t.calib);
    (report, errors)
}

/// Annotates every document and scores the result, with the list of mistakes.
/// `name` is the file name (decides exhaustiveness).
pub fn evaluate_docs_with_errors(
    annotator: &Annotator,
    name: &str,
    docs: &[GoldDoc],
    opts: &EvalOptions,
) -> (FileReport, Vec<EvalError>) {
    let mut predicted = Vec::with_capacity(docs.len());
    let mut seconds = 0.0;
    for doc in docs {
        let t0 = Instant::now();
        let annotation = annotator.annotate(&doc.text, doc.date.as_deref());
        seconds += t0.elapsed().as_secs_f64();
        predicted.push(annotation.entities);
    }
    let (mut report, errors) = score_predictions(name, docs, &predicted, annotator.kb(), opts);
    report.seconds = seconds;
    (report, errors)
}

/// Annotates every document and scores the result. `name` is the file name
/// (decides exhaustiveness).
pub fn evaluate_docs(
    annotator: &Annotator,
    name: &str,
    docs: &[GoldDoc],
    opts: &EvalOptions,
) -> FileReport {
    evaluate_docs_with_errors(annotator, name, docs, opts).0
}

/// The file name of `path`, as used in reports.
fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Loads a gold file, annotates and scores it, and lists the mistakes.
pub fn evaluate_file_with_errors(
    annotator: &Annotator,
    path: &Path,
    opts: &EvalOptions,
) -> Result<(FileReport, Vec<EvalError>)> {
    let docs = load_gold(path)?;
    Ok(evaluate_docs_with_errors(
        annotator,
        &file_name(path),
        &docs,
        opts,
    ))
}

/// Loads a gold file, annotates and scores it.
pub fn evaluate_file(annotator: &Annotator, path: &Path, opts: &EvalOptions) -> Result<FileReport> {
    evaluate_file_with_errors(annotator, path, opts).map(|(r, _)| r)
}

/// The report as one aligned text table: a row per file and one for `overall`,
/// with recognition and linking precision/recall/F1 in percent, in-KB accuracy
/// with its count, and annotation speed. Recognition precision and F1 print as
/// `-` for files that are not exhaustive.
pub fn render_text(report: &Report) -> String {
    let pct = |x: f64| format!("{:.1}", x * 100.0);
    let header = [
        "file",
        "docs",
        "rec P",
        "rec R",
        "rec F1",
        "link P",
        "link R",
        "link F1",
        "in-KB acc (n)",
        "P@gold (n)",
        "words/s",
    ];
    let row = |f: &FileReport| -> Vec<String> {
        let (rp, rf) = if f.exhaustive {
            (pct(f.recognition.precision), pct(f.recognition.f1))
        } else {
            ("-".to_string(), "-".to_string())
        };
        vec![
            f.file.clone(),
            f.docs.to_string(),
            rp,
            pct(f.recognition.recall),
            rf,
            pct(f.linking.precision),
            pct(f.linking.recall),
            pct(f.linking.f1),
            format!("{} ({})", pct(f.in_kb_accuracy), f.in_kb),
            format!("{} ({})", pct(f.on_gold_precision), f.on_gold_links),
            f.words_per_second()
                .map_or_else(|| "-".to_string(), |w| format!("{w:.0}")),
        ]
    };
    let mut rows: Vec<Vec<String>> = vec![header.iter().map(|s| s.to_string()).collect()];
    rows.extend(report.files.iter().map(row));
    rows.push(row(&report.overall));
    let widths: Vec<usize> = (0..header.len())
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for r in &rows {
        let mut line = String::new();
        for (c, cell) in r.iter().enumerate() {
            let pad = widths[c] - cell.chars().count();
            if c == 0 {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            } else {
                line.push_str("  ");
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let calib: Vec<String> = report
        .overall
        .calibration
        .iter()
        .filter(|b| b.links > 0)
        .map(|b| {
            format!(
                "[{:.1},{:.1}) {} ({})",
                b.min,
                b.max,
                pct(b.precision),
                b.links
            )
        })
        .collect();
    if !calib.is_empty() {
        out.push_str(&format!(
            "link precision by confidence: {}\n",
            calib.join("  ")
        ));
    }
    if report.files.iter().any(|f| !f.exhaustive) || !report.overall.exhaustive {
        out.push_str(
            "-: recognition precision not measured (the set does not annotate every entity)\n",
        );
    }
    out
}

/// Recognition precision, recall and F1 per type, one row per file and type
/// (and the overall rows), in percent.
pub fn render_by_type(report: &Report) -> String {
    let pct = |x: f64| format!("{:.1}", x * 100.0);
    let mut rows = vec![["file", "type", "P", "R", "F1", "gold"]
        .map(String::from)
        .to_vec()];
    for f in report.files.iter().chain([&report.overall]) {
        for (ty, s) in &f.recognition_by_type {
            rows.push(vec![
                f.file.clone(),
                ty.clone(),
                pct(s.precision),
                pct(s.recall),
                pct(s.f1),
                (s.tp + s.fn_).to_string(),
            ]);
        }
    }
    let widths: Vec<usize> = (0..6)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for r in &rows {
        let mut line = String::new();
        for (c, cell) in r.iter().enumerate() {
            let pad = " ".repeat(widths[c] - cell.chars().count());
            if c < 2 {
                line.push_str(cell);
                line.push_str(&pad);
                line.push_str("  ");
            } else {
                line.push_str(&pad);
                line.push_str(cell);
                line.push_str("  ");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kb() -> Kb {
        Kb::from_sources([
            (
                "countries.tsv",
                "qid\tname\tprior\tdemonyms\nQ17\tJapan\t90\tJapanese\nQ38\tItaly\t85\tItalian\n",
            ),
            (
                "places.tsv",
                "qid\tname\tcountry\tprior\nQ220\tRome\tQ38\t85\n",
            ),
            (
                "organizations.tsv",
                "qid\tname\tprior\tacronyms\nQ7817\tWorld Health Organization\t80\tWHO\n",
            ),
        ])
        .unwrap()
    }

    fn gm(
        start: usize,
        end: usize,
        text: &str,
        ty: Option<GoldType>,
        qid: Option<&str>,
    ) -> GoldMention {
        let surface: String = text.chars().skip(start).take(end - start).collect();
        GoldMention {
            start,
            end,
            surface,
            etype: ty,
            wikidata: qid.map(String::from),
            wikipedia: None,
        }
    }

    fn doc(id: &str, text: &str, mentions: Vec<GoldMention>) -> GoldDoc {
        GoldDoc {
            id: id.to_string(),
            source: None,
            date: None,
            text: text.to_string(),
            mentions,
        }
    }

    /// A prediction; `id` None means NIL.
    fn pe(text: &str, start: usize, end: usize, ty: EntityType, id: Option<&str>) -> Entity {
        Entity {
            start,
            end,
            text: text.chars().skip(start).take(end - start).collect(),
            etype: ty,
            id: id.map_or_else(|| "local:x/y".to_string(), String::from),
            iri: String::new(),
            label: "label".to_string(),
            confidence: 1.0,
            nil: id.is_none(),
        }
    }

    fn counts(s: &Scores) -> (usize, usize, usize) {
        (s.tp, s.fp, s.fn_)
    }

    use EntityType::{Country, Loc, Org, Per};
    use GoldType as G;

    // "Mr Sato met WHO staff in Rome, Italy, on Monday."
    //  0123456789012345678901234567890123456789
    const T1: &str = "Mr Sato met WHO staff in Rome, Italy, on Monday.";

    fn gold1() -> Vec<GoldDoc> {
        vec![doc(
            "d1",
            T1,
            vec![
                gm(3, 7, T1, Some(G::Per), None),
                gm(12, 15, T1, Some(G::Org), Some("Q7817")),
                gm(25, 29, T1, Some(G::Loc), Some("Q220")),
                gm(31, 36, T1, Some(G::Country), Some("Q38")),
                gm(41, 47, T1, Some(G::Misc), Some("Q105")),
            ],
        )]
    }

    #[test]
    fn exact_match_scoring() {
        let kb = kb();
        let docs = gold1();
        let preds = vec![vec![
            pe(T1, 3, 7, Per, None),              // rec TP, NIL correct
            pe(T1, 12, 15, Org, Some("Q7817")),   // rec TP, link TP
            pe(T1, 25, 29, Loc, Some("Q38")),     // rec TP, link FP (wrong entity)
            pe(T1, 31, 35, Country, Some("Q38")), // wrong span: rec FP, link FP
        ]];
        let (r, errs) =
            score_predictions("test.jsonl", &docs, &preds, &kb, &EvalOptions::default());
        assert!(r.exhaustive);
        assert_eq!(
            (r.docs, r.gold_mentions, r.predicted, r.words),
            (1, 5, 4, 10)
        );
        assert_eq!(counts(&r.recognition), (3, 1, 1));
        assert_eq!(r.recognition.precision, 0.75);
        assert_eq!(r.recognition.recall, 0.75);
        assert!((r.recognition.f1 - 0.75).abs() < 1e-12);
        // Linking: gold with QID = 4 (MISC included); predicted linked = 3.
        assert_eq!(counts(&r.linking), (1, 2, 3));
        assert!((r.linking.precision - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(r.linking.recall, 0.25);
        // In KB: Q7817, Q220, Q38 (Q105 is not).
        assert_eq!((r.in_kb, r.in_kb_correct), (3, 1));
        assert!((r.in_kb_accuracy - 1.0 / 3.0).abs() < 1e-12);
        // On gold-linked spans: WHO (right) and Rome (wrong); "Italy" with the
        // wrong span is not on a gold span.
        assert_eq!((r.on_gold_links, r.on_gold_correct), (2, 1));
        assert_eq!(r.on_gold_precision, 0.5);
        let keys: Vec<&str> = r.recognition_by_type.keys().map(String::as_str).collect();
        assert_eq!(keys, ["LOC", "ORG", "PER"]);
        assert_eq!(counts(&r.recognition_by_type["LOC"]), (1, 1, 1));
        assert_eq!(counts(&r.recognition_by_type["PER"]), (1, 0, 0));
        let kinds: Vec<(ErrorKind, usize)> = errs.iter().map(|e| (e.kind, e.start)).collect();
        assert_eq!(
            kinds,
            [
                (ErrorKind::WrongEntity, 25),
                (ErrorKind::Span, 31),
                (ErrorKind::Span, 31),
                (ErrorKind::Span, 41)
            ]
        );
        let gold_miss = errs.iter().find(|e| e.start == 31 && e.end == 36).unwrap();
        assert_eq!(gold_miss.pred_type, None);
        assert_eq!(gold_miss.gold_type.as_deref(), Some("COUNTRY"));
        let pred_only = errs.iter().find(|e| e.start == 31 && e.end == 35).unwrap();
        assert_eq!(pred_only.gold_qid, None);
        assert_eq!(pred_only.pred_qid.as_deref(), Some("Q38"));
        assert_eq!(
            errs[0].context,
            "Mr Sato met WHO staff in [[Rome]], Italy, on Monday."
        );
    }

    #[test]
    fn misc_and_null_overlaps_are_ignored() {
        let kb = kb();
        // "Italian Open" is MISC, "the Rome Club" untyped, no QID.
        let t = "The Italian Open and the Rome Club.";
        let docs = vec![doc(
            "d",
            t,
            vec![
                gm(4, 16, t, Some(G::Misc), Some("Q1")),
                gm(21, 34, t, None, None),
            ],
        )];
        let preds = vec![vec![
            pe(t, 4, 11, Country, Some("Q38")), // inside MISC: ignored
            pe(t, 25, 29, Loc, Some("Q220")),   // inside null: ignored
        ]];
        let (r, errs) = score_predictions("x.jsonl", &docs, &preds, &kb, &EvalOptions::default());
        assert_eq!(counts(&r.recognition), (0, 0, 0));
        assert_eq!(counts(&r.linking), (0, 0, 1));
        assert_eq!(r.predicted, 2);
        // Only the missed MISC link is an error; ignored predictions are not.
        assert_eq!(errs.len(), 1);
        assert_eq!((errs[0].kind, errs[0].start), (ErrorKind::Span, 4));

        // A correct link on a MISC mention still counts.
        let preds = vec![vec![pe(t, 4, 16, Org, Some("Q1"))]];
        let (r, errs) = score_predictions("x.jsonl", &docs, &preds, &kb, &EvalOptions::default());
        assert_eq!(counts(&r.recognition), (0, 0, 0));
        assert_eq!(counts(&r.linking), (1, 0, 0));
        assert!(errs.is_empty());
    }

    #[test]
    fn non_exhaustive_files_ignore_unannotated_predictions() {
        let kb = kb();
        let docs = vec![doc(
            "d",
            T1,
            vec![gm(25, 29, T1, Some(G::Loc), Some("Q220"))],
        )];
        let preds = vec![vec![
            pe(T1, 12, 15, Org, Some("Q7817")), // overlaps no gold
            pe(T1, 25, 29, Loc, Some("Q220")),  // correct
            pe(T1, 25, 36, Loc, Some("Q38")),   // overlaps gold, wrong span: counted
        ]];
        let (r, errs) =
            score_predictions("rss500.jsonl", &docs, &preds, &kb, &EvalOptions::default());
        assert!(!r.exhaustive);
        assert_eq!(counts(&r.recognition), (1, 1, 0));
        assert_eq!(counts(&r.linking), (1, 1, 0));
        assert_eq!(errs.len(), 1);
        assert_eq!(
            (errs[0].kind, errs[0].start, errs[0].end),
            (ErrorKind::Span, 25, 36)
        );

        let (r, _) = score_predictions("news.jsonl", &docs, &preds, &kb, &EvalOptions::default());
        assert!(r.exhaustive);
        assert_eq!(counts(&r.recognition), (1, 2, 0));
        assert_eq!(counts(&r.linking), (1, 2, 0));
        assert!(is_exhaustive("aida-conll-testa.jsonl"));
        assert!(!is_exhaustive("ace2004.jsonl"));
        assert!(!is_exhaustive("aquaint.jsonl"));
    }

    #[test]
    fn country_and_loc_merge_unless_fine_types() {
        let kb = kb();
        let docs = gold1();
        let preds = vec![vec![
            pe(T1, 25, 29, Country, Some("Q220")), // gold LOC
            pe(T1, 31, 36, Loc, Some("Q38")),      // gold COUNTRY
        ]];
        let (r, errs) = score_predictions("t.jsonl", &docs, &preds, &kb, &EvalOptions::default());
        assert_eq!(counts(&r.recognition), (2, 0, 2));
        assert_eq!(r.recognition_by_type.len(), 3);
        assert_eq!(counts(&r.recognition_by_type["LOC"]), (2, 0, 0));
        assert!(errs.iter().all(|e| e.kind == ErrorKind::Span));

        let fine = EvalOptions { fine_types: true };
        let (r, errs) = score_predictions("t.jsonl", &docs, &preds, &kb, &fine);
        assert_eq!(counts(&r.recognition), (0, 2, 4));
        let keys: Vec<&str> = r.recognition_by_type.keys().map(String::as_str).collect();
        assert_eq!(keys, ["COUNTRY", "LOC", "ORG", "PER"]);
        assert_eq!(counts(&r.recognition_by_type["COUNTRY"]), (0, 1, 1));
        assert_eq!(counts(&r.recognition_by_type["LOC"]), (0, 1, 1));
        // Linking does not depend on types.
        assert_eq!(counts(&r.linking), (2, 0, 2));
        let types: Vec<usize> = errs
            .iter()
            .filter(|e| e.kind == ErrorKind::Type)
            .map(|e| e.start)
            .collect();
        assert_eq!(types, [25, 31]);
    }

    #[test]
    fn nil_error_kinds() {
        let kb = kb();
        let t = "Ms Ito and Mr Rossi spoke.";
        let docs = vec![doc(
            "d",
            t,
            vec![
                gm(3, 6, t, Some(G::Per), Some("Q11")),
                gm(14, 19, t, Some(G::Per), None),
            ],
        )];
        let preds = vec![vec![
            pe(t, 3, 6, Per, None),
            pe(t, 14, 19, Per, Some("Q12")),
        ]];
        let (r, errs) = score_predictions("t.jsonl", &docs, &preds, &kb, &EvalOptions::default());
        assert_eq!(counts(&r.recognition), (2, 0, 0));
        assert_eq!(counts(&r.linking), (0, 1, 1));
        assert_eq!((r.in_kb, r.in_kb_correct, r.in_kb_accuracy), (0, 0, 0.0));
        let kinds: Vec<&str> = errs.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["nil", "nil"]);
        assert_eq!(errs[0].gold_qid.as_deref(), Some("Q11"));
        assert_eq!(errs[0].pred_qid, None);
        assert_eq!(errs[1].pred_qid.as_deref(), Some("Q12"));
        let line = serde_json::to_string(&errs[0]).unwrap();
        assert!(line.contains("\"kind\":\"nil\""), "{line}");
    }

    #[test]
    fn report_json_and_micro_average() {
        let kb = kb();
        let docs = gold1();
        let preds = vec![vec![pe(T1, 12, 15, Org, Some("Q7817"))]];
        let (a, _) = score_predictions("a.jsonl", &docs, &preds, &kb, &EvalOptions::default());
        let (b, _) = score_predictions("rss500.jsonl", &docs, &[], &kb, &EvalOptions::default());
        let report = Report::new(vec![a, b]);
        let o = &report.overall;
        assert_eq!(o.file, "overall");
        assert!(!o.exhaustive);
        assert_eq!((o.docs, o.words), (2, 20));
        assert_eq!(counts(&o.recognition), (1, 0, 7));
        assert_eq!(counts(&o.linking), (1, 0, 7));
        assert_eq!((o.in_kb, o.in_kb_correct), (6, 1));
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["overall"]["linking"]["fn"], 7);
        assert_eq!(json["files"][0]["recognition"]["precision"], 1.0);
        let text = render_text(&report);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 6, "{text}");
        assert_eq!(
            lines[4], "link precision by confidence: [0.9,1.0) 100.0 (1)",
            "{text}"
        );
        let calib = &o.calibration;
        assert_eq!(calib.len(), CALIBRATION_EDGES.len());
        assert_eq!((calib[4].links, calib[4].correct), (1, 1));
        assert!(lines[0].starts_with("file "), "{text}");
        assert!(lines[1].starts_with("a.jsonl "), "{text}");
        // rec P, R, F1 of a.jsonl: 100.0, 25.0, 40.0; in-KB 1 of 3.
        assert!(lines[1].contains("100.0   25.0    40.0"), "{text}");
        assert!(lines[1].contains("33.3 (3)"), "{text}");
        assert!(lines[2].contains(" -"), "{text}");
        assert_eq!(lines[0].len(), lines[1].len(), "{text}");
    }

    #[test]
    fn gold_errors_name_file_and_line() {
        let p = Path::new("gold.jsonl");
        let good = r#"{"id": "a", "text": "Tokyo é Japan", "mentions": [{"start": 8, "end": 13, "surface": "Japan", "type": "COUNTRY", "wikidata": "Q17", "wikipedia": null}]}"#;
        let docs = parse_gold(p, &format!("\n{good}\n\n")).unwrap();
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].mentions[0].etype, Some(GoldType::Country));
        let bad_surface = good.replace("\"start\": 8", "\"start\": 7");
        let err = parse_gold(p, &format!("{good}\n{bad_surface}\n"))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("gold.jsonl:2:"), "{err}");
        let past_end = good.replace("\"end\": 13", "\"end\": 14");
        let err = parse_gold(p, &format!("{good}\n\n{past_end}\n"))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("gold.jsonl:3:") && err.contains("past the end"),
            "{err}"
        );
        let err = parse_gold(p, "{\"id\": 1}\n").unwrap_err().to_string();
        assert!(err.starts_with("gold.jsonl:1:"), "{err}");
        let bad_type = good.replace("COUNTRY", "THING");
        assert!(parse_gold(p, &bad_type).is_err());
        let bad_qid = good.replace("Q17", "17");
        assert!(parse_gold(p, &bad_qid)
            .unwrap_err()
            .to_string()
            .contains("not a QID"));
    }

    #[test]
    fn evaluate_through_the_annotator() {
        let kb = kb();
        let annotator = Annotator::new(&kb);
        let t = "Japan and Italy signed a deal.";
        let docs = vec![doc(
            "d",
            t,
            vec![
                gm(0, 5, t, Some(G::Country), Some("Q17")),
                gm(10, 15, t, Some(G::Country), Some("Q38")),
            ],
        )];
        let (r, errs) =
            evaluate_docs_with_errors(&annotator, "t.jsonl", &docs, &EvalOptions::default());
        assert_eq!(counts(&r.linking), (2, 0, 0), "{errs:?}");
        assert_eq!(counts(&r.recognition), (2, 0, 0));
        assert_eq!((r.in_kb, r.in_kb_correct), (2, 2));
        assert!(r.seconds > 0.0);
        assert_eq!(
            evaluate_docs(&annotator, "t.jsonl", &docs, &EvalOptions::default())
                .linking
                .tp,
            2
        );
    }
}
