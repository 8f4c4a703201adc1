//! A sentence as the relation rules see it: a sequence of items, each either a
//! linked mention or a plain word, with the text between them kept (commas,
//! dashes, quote marks), and a possessive `'s` folded into the mention before it.

use crate::model::{EntityType, Link};
use crate::text::Token;

/// One item of a sentence.
#[derive(Debug, Clone)]
pub(crate) struct Item {
    /// Start byte.
    pub start: usize,
    /// End byte (after a folded possessive `'s`).
    pub end: usize,
    /// What it is.
    pub kind: ItemKind,
    /// The word in lower case (empty for mentions).
    pub lower: String,
}

/// A linked mention or a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ItemKind {
    /// A linked mention: the index into the document's links, whether a
    /// possessive `'s` follows it ("Japan's"), and whether more of a name follows
    /// it ("Lee" of "Lee Jae-yong", "Omar" of "Omar al-Bashir"): a mention cut
    /// short, most likely linked to someone else.
    Ent {
        link: usize,
        possessive: bool,
        truncated: bool,
    },
    /// A word that is not part of a mention.
    Word,
}

/// The items of one sentence.
#[derive(Debug)]
pub(crate) struct Sentence<'a> {
    /// The document text.
    pub text: &'a str,
    /// The document's links.
    pub links: &'a [Link],
    /// Index of the sentence.
    pub index: usize,
    /// Byte span of the sentence, with its opening quote and closing punctuation.
    pub start: usize,
    /// End byte (exclusive).
    pub end: usize,
    /// Items in text order.
    pub items: Vec<Item>,
}

impl<'a> Sentence<'a> {
    /// The link of item `i`, if it is a mention.
    pub fn link(&self, i: usize) -> Option<&'a Link> {
        match self.items.get(i)?.kind {
            ItemKind::Ent { link, .. } => Some(&self.links[link]),
            ItemKind::Word => None,
        }
    }

    /// The link index of item `i`, if it is a mention.
    pub fn link_index(&self, i: usize) -> Option<usize> {
        match self.items.get(i)?.kind {
            ItemKind::Ent { link, .. } => Some(link),
            ItemKind::Word => None,
        }
    }

    /// The lower-case word of item `i`, if it is a word.
    pub fn word(&self, i: usize) -> Option<&str> {
        let it = self.items.get(i)?;
        (it.kind == ItemKind::Word).then_some(it.lower.as_str())
    }

    /// True when item `i` is the word `w` (lower case).
    pub fn is_word(&self, i: usize, w: &str) -> bool {
        self.word(i) == Some(w)
    }

    /// True when item `i` is one of `words`.
    pub fn is_any(&self, i: usize, words: &[&str]) -> bool {
        self.word(i).is_some_and(|w| words.contains(&w))
    }

    /// True when item `i` is a mention followed by a possessive `'s`.
    pub fn possessive(&self, i: usize) -> bool {
        matches!(
            self.items.get(i).map(|x| x.kind),
            Some(ItemKind::Ent {
                possessive: true,
                ..
            })
        )
    }

    /// The text between item `i - 1` and item `i` (from the sentence start for
    /// the first item).
    pub fn gap(&self, i: usize) -> &'a str {
        if i > self.items.len() {
            return "";
        }
        let from = if i == 0 {
            self.start
        } else {
            self.items[i - 1].end
        };
        let to = self.items.get(i).map_or(self.end, |x| x.start);
        self.text.get(from..to.max(from)).unwrap_or("")
    }

    /// The text after the last item up to the sentence end.
    pub fn tail(&self) -> &'a str {
        let from = self.items.last().map_or(self.start, |x| x.end);
        self.text.get(from..self.end.max(from)).unwrap_or("")
    }

    /// True when item `i` is a person mention, and not one cut short.
    pub fn is_person(&self, i: usize) -> bool {
        let whole = !matches!(
            self.items.get(i).map(|x| x.kind),
            Some(ItemKind::Ent {
                truncated: true,
                ..
            })
        );
        whole && self.link(i).is_some_and(|l| l.etype == EntityType::Per)
    }
}

/// The byte span of each sentence: first token to last token, widened over an
/// opening quote or bracket and closing punctuation, quotes and brackets.
pub(crate) fn sentence_spans(text: &str, tokens: &[Token]) -> Vec<(usize, usize)> {
    let n = tokens.last().map_or(0, |t| t.sentence + 1);
    let mut spans = vec![(usize::MAX, 0usize); n];
    for t in tokens {
        let s = &mut spans[t.sentence];
        s.0 = s.0.min(t.start);
        s.1 = s.1.max(t.end);
    }
    for s in spans.iter_mut() {
        if s.0 == usize::MAX {
            *s = (0, 0);
            continue;
        }
        let before = &text[..s.0];
        let opening: usize = before
            .chars()
            .rev()
            .take_while(|c| matches!(c, '“' | '"' | '‘' | '(' | '\''))
            .map(char::len_utf8)
            .sum();
        s.0 -= opening;
        let after = &text[s.1..];
        let closing: usize = after
            .chars()
            .take_while(|c| {
                matches!(
                    c,
                    '.' | '!' | '?' | '”' | '"' | '’' | '\'' | ')' | ',' | ';'
                )
            })
            .map(char::len_utf8)
            .sum();
        s.1 += closing;
    }
    spans
}

/// Builds the items of sentence `index`.
pub(crate) fn build<'a>(
    text: &'a str,
    tokens: &[Token],
    links: &'a [Link],
    index: usize,
    span: (usize, usize),
) -> Sentence<'a> {
    let mut sent_links: Vec<usize> = (0..links.len())
        .filter(|&i| links[i].mention.sentence == index)
        .collect();
    sent_links.sort_by_key(|&i| links[i].mention.start);
    let toks: Vec<&Token> = tokens.iter().filter(|t| t.sentence == index).collect();
    let mut items: Vec<Item> = Vec::with_capacity(toks.len());
    let mut li = 0;
    let mut ti = 0;
    while ti < toks.len() || li < sent_links.len() {
        let next_link = sent_links.get(li).map(|&i| &links[i].mention);
        let tok = toks.get(ti);
        match (tok, next_link) {
            (Some(t), Some(m)) if t.end <= m.start => {
                items.push(word(text, t));
                ti += 1;
            }
            (_, Some(m)) => {
                // skip tokens inside (or overlapping) the mention
                while ti < toks.len() && toks[ti].start < m.end {
                    ti += 1;
                }
                let mut end = m.end;
                let mut possessive = false;
                let mut truncated = false;
                let next_start = sent_links.get(li + 1).map(|&i| links[i].mention.start);
                if let Some(t) = toks.get(ti) {
                    let gap = &text[m.end..t.start];
                    if (gap == "'" || gap == "’") && t.text(text).eq_ignore_ascii_case("s") {
                        possessive = true;
                        end = t.end;
                        ti += 1;
                    } else if gap == " " && next_start != Some(t.start) {
                        truncated = continues_name(t.text(text));
                    }
                }
                items.push(Item {
                    start: m.start,
                    end,
                    kind: ItemKind::Ent {
                        link: sent_links[li],
                        possessive,
                        truncated,
                    },
                    lower: String::new(),
                });
                li += 1;
            }
            (Some(t), None) => {
                items.push(word(text, t));
                ti += 1;
            }
            (None, None) => break,
        }
    }
    let start = span.0.min(items.first().map_or(span.0, |x| x.start));
    let end = span.1.max(items.last().map_or(span.1, |x| x.end));
    Sentence {
        text,
        links,
        index,
        start,
        end,
        items,
    }
}

/// A word that, right after a person's name, says the name goes on: a
/// capitalized word ("Jae-yong") or a particle ("al-Bashir", "bin").
fn continues_name(w: &str) -> bool {
    const PARTICLES: &[&str] = &["al-", "el-", "bin", "ibn", "van", "von", "da", "de", "di"];
    let capital = w.chars().next().is_some_and(char::is_uppercase)
        && w.chars().nth(1).is_some_and(char::is_lowercase);
    capital
        || PARTICLES
            .iter()
            .any(|p| w.starts_with(p) && (p.ends_with('-') || w == *p))
}

fn word(text: &str, t: &Token) -> Item {
    Item {
        start: t.start,
        end: t.end,
        kind: ItemKind::Word,
        lower: t.text(text).to_lowercase().replace('’', "'"),
    }
}
