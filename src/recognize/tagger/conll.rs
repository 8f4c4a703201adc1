//! Reading CoNLL-2003 column files, the training and development data of the
//! tagger.
//!
//! One token a line, space- or tab-separated columns `WORD POS CHUNK NER` (only
//! the first and the last column are used, so two-column `WORD NER` files work
//! too), a blank line between sentences, and a `-DOCSTART-` line between
//! documents (anywhere: the common copy of `eng.train` has its first one at the
//! end). NER tags are IOB1 as in the original data (`I-PER` starts an entity
//! unless it follows the same type; `B-PER` only where two entities of one type
//! touch); IOB2 files (`B-` on every first token) read the same. Types are
//! `PER`, `ORG`, `LOC` and `MISC`.
//!
//! A [`Document`] is rebuilt as plain text the way the JSONL gold sets were:
//! tokens joined by single spaces, sentences by `\n`; its entities become byte
//! spans of that text.

use super::NerLabel;
use crate::error::{Error, Result};
use std::path::Path;

/// One token of a CoNLL file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConllToken {
    /// The word.
    pub word: String,
    /// The entity it belongs to: type and whether it must start a new entity
    /// (`B-`); `None` for `O`.
    pub tag: Option<(NerLabel, bool)>,
}

/// A document: sentences of tokens.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    /// Sentences, each a non-empty list of tokens.
    pub sentences: Vec<Vec<ConllToken>>,
}

/// An entity of a rebuilt document text: byte span and type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GoldSpan {
    /// Start byte.
    pub start: usize,
    /// End byte (exclusive).
    pub end: usize,
    /// The type.
    pub label: NerLabel,
}

impl Document {
    /// The text (tokens joined by spaces, sentences by `\n`) and its entities in
    /// text order, decoded from the IOB1 tags.
    pub fn text_and_spans(&self) -> (String, Vec<GoldSpan>) {
        let mut text = String::new();
        let mut spans: Vec<GoldSpan> = Vec::new();
        for (s, sentence) in self.sentences.iter().enumerate() {
            if s > 0 {
                text.push('\n');
            }
            let mut open: Option<GoldSpan> = None;
            for (t, tok) in sentence.iter().enumerate() {
                if t > 0 {
                    text.push(' ');
                }
                let start = text.len();
                text.push_str(&tok.word);
                let end = text.len();
                match (tok.tag, open.as_mut()) {
                    (None, _) => spans.extend(open.take()),
                    (Some((label, begin)), Some(cur)) if cur.label == label && !begin => {
                        cur.end = end;
                    }
                    (Some((label, _)), _) => {
                        spans.extend(open.take());
                        open = Some(GoldSpan { start, end, label });
                    }
                }
            }
            spans.extend(open);
        }
        (text, spans)
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.sentences.iter().map(Vec::len).sum()
    }

    /// True when the document has no token.
    pub fn is_empty(&self) -> bool {
        self.sentences.is_empty()
    }
}

/// One document in this many of a training file is held out: the held-out
/// fold ([`split_heldout`]).
pub const HELDOUT_EVERY: usize = 10;

/// Splits the documents of a training file (in file order, as [`parse`] reads
/// them) into those to train on and the held-out fold: the 10th, 20th, 30th …
/// document (1-based index a multiple of `every`) is held out. Whole documents
/// go one way or the other, so the same name in one article never sits on both
/// sides. `every` 0 holds nothing out.
pub fn split_heldout(docs: Vec<Document>, every: usize) -> (Vec<Document>, Vec<Document>) {
    let (mut train, mut fold) = (Vec::new(), Vec::new());
    for (i, d) in docs.into_iter().enumerate() {
        if every > 0 && (i + 1) % every == 0 {
            fold.push(d);
        } else {
            train.push(d);
        }
    }
    (train, fold)
}

/// Reads a CoNLL file; errors name the file and the line.
pub fn read_file(path: &Path) -> Result<Vec<Document>> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        Error::parse(path, line, "invalid UTF-8")
    })?;
    parse(&text, path)
}

/// Parses the content of a CoNLL file; `path` is only used in errors.
pub fn parse(content: &str, path: &Path) -> Result<Vec<Document>> {
    let mut docs: Vec<Document> = Vec::new();
    let mut doc = Document::default();
    let mut sentence: Vec<ConllToken> = Vec::new();
    for (i, line) in content.lines().enumerate() {
        let line_no = i + 1;
        let line = line.trim_end_matches('\r');
        let mut cols = line.split([' ', '\t']).filter(|c| !c.is_empty());
        let Some(word) = cols.next() else {
            if !sentence.is_empty() {
                doc.sentences.push(std::mem::take(&mut sentence));
            }
            continue;
        };
        if word == "-DOCSTART-" {
            if !sentence.is_empty() {
                doc.sentences.push(std::mem::take(&mut sentence));
            }
            if !doc.is_empty() {
                docs.push(std::mem::take(&mut doc));
            }
            continue;
        }
        let Some(tag) = cols.next_back() else {
            return Err(Error::parse(
                path,
                line_no,
                format!("expected columns `WORD ... NER`, found only {word:?}"),
            ));
        };
        let tag = parse_tag(tag).ok_or_else(|| {
            Error::parse(
                path,
                line_no,
                format!(
                    "bad NER tag {tag:?} (expected O, or I-/B- followed by PER, ORG, LOC or MISC)"
                ),
            )
        })?;
        sentence.push(ConllToken {
            word: word.to_string(),
            tag,
        });
    }
    if !sentence.is_empty() {
        doc.sentences.push(sentence);
    }
    if !doc.is_empty() {
        docs.push(doc);
    }
    Ok(docs)
}

/// `O` → `Some(None)`; `I-PER` → `Some(Some((Per, false)))`; `B-PER` → begin.
#[allow(clippy::option_option)]
fn parse_tag(tag: &str) -> Option<Option<(NerLabel, bool)>> {
    if tag == "O" {
        return Some(None);
    }
    let (prefix, label) = tag.split_once('-')?;
    let begin = match prefix {
        "I" => false,
        "B" => true,
        _ => return None,
    };
    Some(Some((NerLabel::parse(label)?, begin)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "-DOCSTART- -X- O O\n\nAngela NNP I-NP I-PER\nMerkel NNP I-NP I-PER\nmet VBD I-VP O\nSiemens NNP I-NP I-ORG\nofficials NNS I-NP O\n. . O O\n\nBonn NNP I-NP I-LOC\nParis NNP I-NP B-LOC\n\n-DOCSTART- -X- O O\n\nHi UH O O\n";

    #[test]
    fn documents_sentences_and_spans() {
        let docs = parse(SAMPLE, Path::new("x.conll")).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].sentences.len(), 2);
        assert_eq!(docs[0].len(), 8);
        let (text, spans) = docs[0].text_and_spans();
        assert_eq!(text, "Angela Merkel met Siemens officials .\nBonn Paris");
        let got: Vec<(&str, NerLabel)> = spans
            .iter()
            .map(|s| (&text[s.start..s.end], s.label))
            .collect();
        assert_eq!(
            got,
            [
                ("Angela Merkel", NerLabel::Per),
                ("Siemens", NerLabel::Org),
                ("Bonn", NerLabel::Loc),
                ("Paris", NerLabel::Loc)
            ]
        );
        assert_eq!(docs[1].text_and_spans().0, "Hi");
    }

    #[test]
    fn heldout_fold_is_every_tenth_document() {
        let mut text = String::new();
        for d in 0..25 {
            text.push_str(&format!(
                "-DOCSTART- -X- -X- O\n\nDoc{d} NNP I-NP I-ORG\nsaid VBD I-VP O\n\n"
            ));
        }
        let docs = parse(&text, Path::new("x")).unwrap();
        assert_eq!(docs.len(), 25);
        let name = |d: &Document| d.sentences[0][0].word.clone();
        let (train, fold) = split_heldout(docs.clone(), HELDOUT_EVERY);
        let fold_names: Vec<String> = fold.iter().map(name).collect();
        assert_eq!(fold_names, ["Doc9", "Doc19"]);
        assert_eq!(train.len(), 23);
        assert!(train.iter().all(|d| !fold_names.contains(&name(d))));
        // deterministic, and every document lands on exactly one side
        let (train2, fold2) = split_heldout(docs.clone(), HELDOUT_EVERY);
        assert_eq!((train2, fold2), (train.clone(), fold));
        assert_eq!(split_heldout(docs, 0).0.len(), 25);
    }

    #[test]
    fn errors_name_file_and_line() {
        let err = parse("A NNP I-NP O\nB NNP I-NP I-FOO\n", Path::new("bad.conll")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "bad.conll:2: bad NER tag \"I-FOO\" (expected O, or I-/B- followed by PER, ORG, LOC or MISC)"
        );
        let err = parse("\n\nlonely\n", Path::new("bad.conll")).unwrap_err();
        assert!(err.to_string().starts_with("bad.conll:3: "), "{err}");
    }
}
