//! Who said what: a person, organization or country that said or told something,
//! with the span of what was said (the quote, or the reported clause) and whom it
//! was told to. The span is kept, never its meaning.
//!
//! Quotes are attributed by the name right after the closing mark ("…,” Abe
//! said", "…,” said Moon Jae-in") or right before the opening one ("Trump told
//! reporters: “…”"); reported speech by "X said (that) …", "X told Y (that) …",
//! "X warned that …" and "…, X said." Pronouns ("he said") are left alone.

use super::sentence::Sentence;
use super::{Ctx, Node, Predicate, Relation, RelationKind, Tense};
use crate::model::{EntityType, Link};

/// Verbs that report speech with or without "that".
const SAY: &[&str] = &[
    "said",
    "says",
    "told",
    "tells",
    "added",
    "insisted",
    "stated",
    "declared",
    "explained",
    "replied",
    "wrote",
    "tweeted",
];
/// Verbs that report speech only with "that" or a quote.
const SAY_THAT: &[&str] = &[
    "warned",
    "announced",
    "argued",
    "noted",
    "claimed",
    "stressed",
    "confirmed",
    "acknowledged",
    "admitted",
    "insists",
    "warns",
    "argues",
    "claims",
];
/// Words allowed between a speaker and the verb ("North Korea has said").
const GAP: &[&str] = &[
    "has",
    "had",
    "have",
    "also",
    "later",
    "earlier",
    "previously",
    "again",
    "repeatedly",
    "then",
];

/// A pair of quote marks: the byte offsets of the opening and closing marks.
#[derive(Debug, Clone, Copy)]
struct Quote {
    open: usize,
    close: usize,
}

impl Quote {
    /// The quoted text, without the marks and a trailing comma.
    fn inner(&self, text: &str) -> (usize, usize) {
        let start = self.open + text[self.open..].chars().next().map_or(1, char::len_utf8);
        let inner = &text[start..self.close];
        let trimmed = inner.trim_end_matches([',', ' ']);
        let lead = inner.len() - inner.trim_start().len();
        (start + lead, start + trimmed.len())
    }

    fn end(&self, text: &str) -> usize {
        self.close + text[self.close..].chars().next().map_or(1, char::len_utf8)
    }
}

/// The quotes of `text`: curly pairs, and straight double quotes paired within a line.
fn quotes(text: &str) -> Vec<Quote> {
    let mut out = Vec::new();
    let mut curly: Option<usize> = None;
    let mut straight: Option<usize> = None;
    for (i, c) in text.char_indices() {
        match c {
            '“' => curly = Some(i),
            '”' => {
                if let Some(o) = curly.take() {
                    out.push(Quote { open: o, close: i });
                }
            }
            '"' => match straight.take() {
                Some(o) => out.push(Quote { open: o, close: i }),
                None => straight = Some(i),
            },
            '\n' => {
                curly = None;
                straight = None;
            }
            _ => {}
        }
    }
    out.sort_by_key(|q| q.open);
    out
}

/// Extracts statements from `sents`.
pub(crate) fn extract(ctx: &Ctx<'_>, sents: &[Sentence<'_>], out: &mut Vec<Relation>) {
    // (sentence, verb item) already used by a quote
    let mut used: Vec<(usize, usize)> = Vec::new();
    for q in quotes(ctx.text) {
        let (us, ue) = q.inner(ctx.text);
        if ue <= us {
            continue;
        }
        if let Some((si, verb, speaker, to)) =
            after_quote(ctx, sents, q.end(ctx.text)).or_else(|| before_quote(sents, q.open))
        {
            used.push((si, verb));
            let s = &sents[si];
            let start = s.start.min(q.open);
            let end = s.end.max(q.end(ctx.text));
            emit(
                ctx,
                s,
                (start, end),
                speaker,
                to,
                (us, ue),
                "quote-attribution",
                0.9,
                out,
            );
        }
    }
    for s in sents {
        for v in 0..s.items.len() {
            if used.contains(&(s.index, v)) {
                continue;
            }
            reported(ctx, s, v, out);
        }
    }
}

/// The speaker of a quote that closes at `after`: "…,” Abe said" or "…,” said Abe".
/// Returns (sentence, verb item, speaker, addressee).
fn after_quote<'a>(
    _ctx: &Ctx<'_>,
    sents: &[Sentence<'a>],
    after: usize,
) -> Option<(usize, usize, &'a Link, Option<&'a Link>)> {
    let (si, i) = item_after(sents, after)?;
    let s = &sents[si];
    let gap = &s.text[after..s.items[i].start];
    if !gap.trim_start_matches([',', ' ']).is_empty() || gap.contains('\n') {
        return None;
    }
    // "Abe said", "North Korea has said"
    if let Some(sp) = speaker_link(s, i) {
        let mut v = i + 1;
        while s.is_any(v, GAP) && s.gap(v) == " " {
            v += 1;
        }
        if s.is_any(v, SAY) || s.is_any(v, SAY_THAT) {
            if s.gap(v) != " " {
                return None;
            }
            return Some((si, v, sp, addressee(s, v).map(|a| a.0)));
        }
        return None;
    }
    // "said Moon Jae-in", "said President Moon"
    if s.is_any(i, SAY) {
        let mut p = i + 1;
        while p < s.items.len() && p <= i + 3 && s.gap(p) == " " {
            if let Some(sp) = speaker_link(s, p) {
                if sp.etype == EntityType::Per {
                    return Some((si, i, sp, None));
                }
            }
            if !s.word(p).is_some_and(|w| {
                crate::cues::contains(crate::cues::TITLES, w) || w == "the" || w == "prime"
            }) {
                return None;
            }
            p += 1;
        }
    }
    None
}

/// The speaker of a quote that opens at `open`: "Trump told reporters: “…”".
fn before_quote<'a>(
    sents: &[Sentence<'a>],
    open: usize,
) -> Option<(usize, usize, &'a Link, Option<&'a Link>)> {
    // the last item ending before the quote, on the same line
    let (si, last) = sents
        .iter()
        .enumerate()
        .rev()
        .find_map(|(si, s)| s.items.iter().rposition(|x| x.end <= open).map(|i| (si, i)))?;
    let s = &sents[si];
    let between = &s.text[s.items[last].end..open];
    if between.contains('\n') || !between.trim_matches([' ', ':', ',']).is_empty() {
        return None;
    }
    // the verb within the last four items
    let v = (last.saturating_sub(3)..=last)
        .rev()
        .find(|&v| s.is_any(v, SAY) || s.is_any(v, SAY_THAT))?;
    let speaker = speaker_before(s, v)?;
    Some((si, v, speaker, addressee(s, v).map(|a| a.0)))
}

/// The sentence and item that start at byte `at` (after spaces and commas).
fn item_after(sents: &[Sentence<'_>], at: usize) -> Option<(usize, usize)> {
    for (si, s) in sents.iter().enumerate() {
        if s.end < at {
            continue;
        }
        let i = s.items.iter().position(|x| x.start >= at)?;
        return Some((si, i));
    }
    None
}

/// A mention at item `i` that can speak: a person, an organization or a country,
/// not a possessive.
fn speaker_link<'a>(s: &Sentence<'a>, i: usize) -> Option<&'a Link> {
    let l = s.link(i)?;
    (matches!(
        l.etype,
        EntityType::Per | EntityType::Org | EntityType::Country
    ) && !s.possessive(i)
        && l.mention.origin != crate::model::Origin::Demonym)
        .then_some(l)
}

/// The speaker before the verb at item `v`: "Abe said", "North Korea has said",
/// "Taro Kono, Japan's foreign minister, told".
fn speaker_before<'a>(s: &Sentence<'a>, v: usize) -> Option<&'a Link> {
    let mut i = v;
    loop {
        if i == 0 {
            return None;
        }
        let gap = s.gap(i);
        let j = i - 1;
        if gap == " " {
            if let Some(l) = speaker_link(s, j) {
                return head_of(s, j, l);
            }
            if s.is_any(j, GAP) {
                i = j;
                continue;
            }
            return None;
        }
        if gap == ", " {
            // "Japan's prime minister, Shinzo Abe, said"
            if s.is_person(j) && j > 0 && s.gap(j) == ", " {
                return speaker_link(s, j);
            }
            // the end of an appositive
            let mut k = j;
            while k > 0 && i - k <= 8 {
                if s.is_person(k) {
                    return None;
                }
                if s.gap(k) == ", " {
                    return speaker_link(s, k - 1).filter(|l| l.etype == EntityType::Per);
                }
                k -= 1;
            }
        }
        return None;
    }
}

/// The speaker when the mention at item `j` ends a phrase: "Nancy Pelosi of the
/// Democratic Party said" is Pelosi; "the head of NATO said" is nobody we know.
fn head_of<'a>(s: &Sentence<'a>, j: usize, l: &'a Link) -> Option<&'a Link> {
    let mut k = j;
    if k > 0 && s.is_word(k - 1, "the") && s.gap(k) == " " {
        k -= 1;
    }
    if k == 0 || !s.is_word(k - 1, "of") || s.gap(k) != " " {
        return Some(l);
    }
    let p = (k - 1).checked_sub(1)?;
    (s.gap(k - 1) == " " && s.is_person(p) && !s.possessive(p))
        .then(|| s.link(p))
        .flatten()
}

/// "told Moon Jae-in", "told the United Nations": the mention right after a verb
/// of telling, and the item after it.
fn addressee<'a>(s: &Sentence<'a>, v: usize) -> Option<(&'a Link, usize)> {
    if !s.is_any(v, &["told", "tells"]) || s.gap(v + 1) != " " {
        return None;
    }
    let mut i = v + 1;
    if s.is_word(i, "the") && s.gap(i + 1) == " " {
        i += 1;
    }
    speaker_link(s, i).map(|l| (l, i + 1))
}

/// "X said (that) …", "X told Y (that) …", "…, X said."
fn reported(ctx: &Ctx<'_>, s: &Sentence<'_>, v: usize, out: &mut Vec<Relation>) {
    let say = s.is_any(v, SAY);
    if !say && !s.is_any(v, SAY_THAT) {
        return;
    }
    let Some(speaker) = speaker_before(s, v) else {
        return;
    };
    let (to, after) = match addressee(s, v) {
        Some((l, next)) => (Some(l), next),
        None => (None, v + 1),
    };
    let mut u = after;
    // "said on Monday that", "told reporters that"
    if let Some(t) = (u..(u + 6).min(s.items.len())).find(|&k| s.is_word(k, "that")) {
        if !(u..t).any(|k| s.gap(k).contains(['“', '"', ',']) || s.link(k).is_some()) {
            u = t + 1;
        }
    } else if !say {
        return;
    }
    if u < s.items.len() {
        if s.gap(u).contains(['“', '"', ':']) {
            return; // a quote: attributed by the quote rule
        }
        let start = s.items[u].start;
        let end = s.end;
        let text = &s.text[start..end];
        let trimmed = text.trim_end_matches(['.', '!', '?', ',', ';', ' ', '”', '"']);
        if trimmed.is_empty() {
            return;
        }
        let (rule, base) = if u == after && s.word(v) == Some("told") && to.is_none() {
            ("x-told", 0.7)
        } else {
            ("x-said-clause", 0.85)
        };
        emit(
            ctx,
            s,
            (s.start, s.end),
            speaker,
            to,
            (start, start + trimmed.len()),
            rule,
            base,
            out,
        );
        return;
    }
    // "…, the State Department said."
    if v == s.items.len() - 1 && !s.tail().trim_start().starts_with(['“', '"']) {
        let Some(sp) = (0..v)
            .rev()
            .find(|&k| s.link(k).is_some_and(|l| std::ptr::eq(l, speaker)))
        else {
            return;
        };
        let mut first = sp;
        if first > 0 && s.is_word(first - 1, "the") {
            first -= 1;
        }
        if first < 3 || s.gap(first) != ", " {
            return;
        }
        let start = s.items[0].start;
        let end = s.items[first - 1].end;
        emit(
            ctx,
            s,
            (s.start, s.end),
            speaker,
            None,
            (start, end),
            "clause-x-said",
            0.85,
            out,
        );
    }
}

#[allow(clippy::too_many_arguments)]
fn emit(
    ctx: &Ctx<'_>,
    s: &Sentence<'_>,
    (start, end): (usize, usize),
    speaker: &Link,
    to: Option<&Link>,
    (us, ue): (usize, usize),
    rule: &'static str,
    base: f32,
    out: &mut Vec<Relation>,
) {
    let utterance = Node::Utterance { start: us, end: ue };
    let rel = Relation {
        kind: RelationKind::Statement,
        subject: Node::Entity(speaker.target.clone()),
        predicate: Predicate::Said,
        object: utterance.clone(),
        sentence: s.index,
        start,
        end,
        confidence: super::confidence(base, &[speaker]),
        rule,
        date: ctx.date,
        when: None,
        tense: Tense::Present,
        count: 1,
    };
    let recipient = to.map(|t| Relation {
        subject: utterance,
        predicate: Predicate::Recipient,
        object: Node::Entity(t.target.clone()),
        confidence: super::confidence(base, &[speaker, t]),
        ..rel.clone()
    });
    out.push(rel);
    out.extend(recipient);
}
