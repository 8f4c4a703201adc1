//! Recognition: finds typed mentions in a text.
//!
//! Four sources, in order of trust: names from the KB's alias index
//! (leftmost-longest, at word boundaries, with case rules that depend on whether
//! the line is ordinary prose, all lower case or all upper case); demonyms as
//! country mentions; names after a title cue ("President", "Mr"); and capitalized
//! sequences the KB does not know, typed by their cues.

pub mod tagger;

use crate::cues::{self, contains};
use crate::kb::{AliasHit, AliasKind, CaseShape, EntityId, Kb};
use crate::model::{EntityType, Mention, Origin};
use crate::recognize::tagger::{NerLabel, TaggedSpan, Tagger};
use crate::text::{self, CaseMode, Token};
use std::collections::HashSet;

/// A recognized mention and, for KB names, the candidate entities its surface
/// matched (with the kind of name).
#[derive(Debug, Clone)]
pub struct Span {
    /// The mention.
    pub mention: Mention,
    /// KB candidates; empty for unknown names.
    pub candidates: Vec<(EntityId, AliasKind)>,
    /// The tagger's confidence in the span and type, when it found the name.
    pub tagger_score: Option<f32>,
}

impl Span {
    /// True when every candidate is reached only through a bare family name.
    pub fn surname_only(&self) -> bool {
        !self.candidates.is_empty() && self.candidates.iter().all(|c| c.1 == AliasKind::Surname)
    }
}

/// The analysed text the linker also needs: tokens and the spans found.
#[derive(Debug, Clone)]
pub struct Recognized {
    /// Tokens with sentence numbers.
    pub tokens: Vec<Token>,
    /// Mentions, sorted by start, not overlapping.
    pub spans: Vec<Span>,
}

/// Recognizes mentions in `text` with the names of `kb` and, when given, the
/// trained `tagger` for the names the KB does not know; without a tagger,
/// capitalized sequences typed by cues stand in for it.
pub fn recognize(kb: &Kb, tagger: Option<&Tagger>, text: &str) -> Recognized {
    let tokens = text::tokenize(text);
    let lines = text::line_modes(text);
    let mode_at = |b: usize| -> CaseMode {
        let i = lines.partition_point(|l| l.1 < b);
        lines.get(i).map_or(CaseMode::Mixed, |l| l.2)
    };
    let token_at = |b: usize| -> Option<usize> {
        let i = tokens.partition_point(|t| t.end <= b);
        (i < tokens.len() && tokens[i].start <= b).then_some(i)
    };

    // 1. KB names
    let mut found: Vec<Span> = Vec::new();
    let all_found = kb.index().find_all(text);
    for &f in &all_found {
        let surface = &text[f.start..f.end];
        let mode = mode_at(f.start);
        let shape = CaseShape::of(surface);
        let hits: Vec<AliasHit> = kb
            .index()
            .hits_of(f.key)
            .into_iter()
            .filter(|h| accept_case(surface, shape, h, mode))
            .collect();
        let Some(best) = hits.iter().max_by_key(|h| (kind_rank(h.kind), h.prior)) else {
            continue;
        };
        let (best_kind, best_type) = (best.kind, best.etype);
        let candidates: Vec<(EntityId, AliasKind)> =
            hits.iter().map(|h| (h.entity, h.kind)).collect();
        let sentence = token_at(f.start).map_or(0, |t| tokens[t].sentence);
        found.push(Span {
            mention: Mention {
                start: f.start,
                end: f.end,
                etype: best_type,
                origin: if best_kind == AliasKind::Demonym {
                    Origin::Demonym
                } else {
                    Origin::Gazetteer
                },
                sentence,
                title: None,
            },
            candidates,
            tagger_score: None,
        });
    }
    // "the Gulf", "The New York Times": the article is not part of the name
    // (unless the entity's own label starts with it: "The Hague")
    for s in &mut found {
        let surface = &text[s.mention.start..s.mention.end];
        let has_article =
            surface.len() > 4 && (surface.starts_with("the ") || surface.starts_with("The "));
        if has_article
            && !s
                .candidates
                .iter()
                .any(|c| kb.entity(c.0).label.starts_with("The "))
        {
            s.mention.start += 4;
        }
    }
    // "Washington, D.C.": a name of two names separated by a comma is read as
    // both, as "Denver, Colorado" is
    let starts_ends: HashSet<(usize, usize)> = found
        .iter()
        .map(|s| (s.mention.start, s.mention.end))
        .collect();
    found.retain(|s| {
        let surface = &text[s.mention.start..s.mention.end];
        let Some(comma) = surface.find(", ") else {
            return true;
        };
        let left = (s.mention.start, s.mention.start + comma);
        let right = (s.mention.start + comma + 2, s.mention.end);
        !(starts_ends.contains(&left) && starts_ends.contains(&right))
    });
    // leftmost-longest, non-overlapping; a full name beats a bare surname
    found.sort_by_key(|s| {
        (
            std::cmp::Reverse(s.mention.end - s.mention.start),
            s.surname_only(),
            s.mention.start,
        )
    });
    let mut spans: Vec<Span> = Vec::new();
    for s in found {
        if !spans.iter().any(|t| overlaps(&t.mention, &s.mention)) {
            spans.push(s);
        }
    }
    spans.sort_by_key(|s| s.mention.start);

    // 2. a bare family name that is also a given name before another capitalized
    // word starts a longer name ("Henry Ford"): left to the capitalized-run step
    // "Cameron Diaz": any bare family name before a capitalized word that is
    // not a date or a common word is the first word of someone else's name,
    // unless that word is a KB name too and the text also uses the first one
    // alone ("Trump Kim summit ... Trump said")
    let kb_starts: HashSet<usize> = spans.iter().map(|s| s.mention.start).collect();
    let alone: HashSet<&str> = spans
        .iter()
        .filter(|s| next_capitalized(text, &tokens, s.mention.end).is_none())
        .map(|s| &text[s.mention.start..s.mention.end])
        .collect();
    spans.retain(|s| {
        let Some(next) = next_capitalized(text, &tokens, s.mention.end) else {
            return true;
        };
        let word = next.text(text);
        let surface = &text[s.mention.start..s.mention.end];
        let other_name = kb.is_given_name(surface)
            || !((alone.contains(surface) && kb_starts.contains(&next.start))
                || contains(cues::NOT_NAMES, word)
                || contains(cues::MONTHS, word)
                || contains(cues::TITLES, word));
        !(bare_family_name(kb, text, s)
            && mode_at(s.mention.start) == CaseMode::Mixed
            && other_name)
    });
    // a country name or demonym that is only the first word of a longer name
    let starts: HashSet<usize> = spans.iter().map(|s| s.mention.start).collect();
    // names dropped as parts of longer names: not to come back as unknown names
    let mut parts: Vec<(usize, usize)> = Vec::new();
    spans.retain(|s| {
        let keep = is_whole_name(kb, text, &tokens, s, &starts, &mode_at);
        if !keep {
            parts.push((s.mention.start, s.mention.end));
        }
        keep
    });

    // 3. names after title cues
    let covered = |spans: &[Span], t: &Token| {
        spans
            .iter()
            .any(|s| s.mention.start < t.end && t.start < s.mention.end)
    };
    let mut i = 0;
    while i + 1 < tokens.len() {
        let t = tokens[i];
        let word = t.text(text);
        let next = tokens[i + 1];
        let gap = &text[t.end..next.start];
        let title_ok = contains(cues::TITLES, word)
            && mode_at(t.start) == CaseMode::Mixed
            && (gap == " " || gap == ". " || gap == ", ")
            && next.sentence == t.sentence
            && text::is_capitalized(next.text(text))
            && !contains(cues::TITLES, next.text(text))
            && !contains(cues::NOT_NAMES, next.text(text));
        if !title_ok {
            i += 1;
            continue;
        }
        let title = title_phrase(text, &tokens, i);
        // an existing span starting at the name: tag it
        if let Some(s) = spans.iter_mut().find(|s| s.mention.start == next.start) {
            if s.mention.etype == EntityType::Per
                || s.candidates
                    .iter()
                    .any(|c| kb.etype(c.0) == EntityType::Per)
            {
                s.mention.title = Some(title);
                s.mention.etype = EntityType::Per;
                s.candidates.retain(|c| kb.etype(c.0) == EntityType::Per);
            } else if contains(cues::PERSONAL_TITLES, word) {
                s.mention.etype = EntityType::Per;
                s.mention.origin = Origin::TitleCue;
                s.mention.title = Some(title);
                s.candidates.clear();
            }
            i += 2;
            continue;
        }
        if covered(&spans, &next) {
            i += 1;
            continue;
        }
        let end_tok = name_run_end(text, &tokens, i + 1, &spans, 4);
        let (start, end) = (next.start, tokens[end_tok].end);
        spans.push(Span {
            mention: Mention {
                start,
                end,
                etype: EntityType::Per,
                origin: Origin::TitleCue,
                sentence: next.sentence,
                title: Some(title),
            },
            candidates: Vec::new(),
            tagger_score: None,
        });
        spans.sort_by_key(|s| s.mention.start);
        i = end_tok + 1;
    }

    // 4. names the KB does not know: from the tagger, else capitalized
    // sequences (names of several words first, then single words, which may be
    // short forms of those names)
    if let Some(tagger) = tagger {
        let tagged = tagger.tag_found(kb, text, &tokens, all_found);
        merge_tagged(kb, text, &tokens, &mut spans, &tagged, &mode_at);
        spans.retain(|s| {
            !(s.candidates.is_empty() && parts.contains(&(s.mention.start, s.mention.end)))
        });
        demonyms_as_names(text, &mut spans);
        generic_institutions(kb, text, &tokens, &mut spans, &mode_at);
        return Recognized { tokens, spans };
    }
    for single in [false, true] {
        let (extra, absorbed) = unknown_names(kb, text, &tokens, &spans, &mode_at, single);
        spans.retain(|s| !absorbed.contains(&s.mention.start));
        spans.extend(
            extra
                .into_iter()
                .filter(|s| !parts.contains(&(s.mention.start, s.mention.end))),
        );
        spans.sort_by_key(|s| s.mention.start);
    }
    generic_institutions(kb, text, &tokens, &mut spans, &mode_at);
    Recognized { tokens, spans }
}

/// "the Navy", "Homeland Security": a country-relative institution name (see
/// [`crate::kb::generic`]) that no other step found, standing alone (no
/// capitalized word right before or after it). It becomes an organization
/// without candidates and with the gazetteer origin; the linker resolves it to
/// the institution of the document's country or drops it.
fn generic_institutions(
    kb: &Kb,
    text: &str,
    tokens: &[Token],
    spans: &mut Vec<Span>,
    mode_at: &dyn Fn(usize) -> CaseMode,
) {
    let covered = |spans: &[Span], a: usize, b: usize| {
        spans
            .iter()
            .any(|s| s.mention.start < b && a < s.mention.end)
    };
    let joined = |a: &Token, b: &Token| text[a.end..b.start] == *" " && a.sentence == b.sentence;
    let mut added = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i];
        if !text::is_capitalized(t.text(text)) || mode_at(t.start) != CaseMode::Mixed {
            i += 1;
            continue;
        }
        let mut matched = None;
        for len in (1..=4).rev() {
            let j = i + len - 1;
            if j >= tokens.len() || !(i..j).all(|k| joined(&tokens[k], &tokens[k + 1])) {
                continue;
            }
            let (a, b) = (t.start, tokens[j].end);
            // every word capitalized but connectors ("Ministry of Finance")
            let proper = tokens[i..=j].iter().all(|w| {
                let w = w.text(text);
                text::is_capitalized(w) || contains(cues::CONNECTORS, w)
            });
            if proper
                && !covered(spans, a, b)
                && !kb
                    .generic_candidates(&text::name_key(&text[a..b]))
                    .is_empty()
            {
                matched = Some(j);
                break;
            }
        }
        let Some(j) = matched else {
            i += 1;
            continue;
        };
        let capital_next = tokens
            .get(j + 1)
            .is_some_and(|n| joined(&tokens[j], n) && text::is_capitalized(n.text(text)));
        let capital_before = i > 0
            && joined(&tokens[i - 1], &t)
            && text::is_capitalized(tokens[i - 1].text(text))
            && !contains(cues::NOT_NAMES, tokens[i - 1].text(text));
        if !capital_next && !capital_before {
            added.push(Span {
                mention: Mention {
                    start: t.start,
                    end: tokens[j].end,
                    etype: EntityType::Org,
                    origin: Origin::Gazetteer,
                    sentence: t.sentence,
                    title: None,
                },
                candidates: Vec::new(),
                tagger_score: None,
            });
        }
        i = j + 1;
    }
    if !added.is_empty() {
        spans.extend(added);
        spans.sort_by_key(|s| s.mention.start);
    }
}

/// Whether a KB name is a name of its own, not only the first word of a longer
/// name ("Korean War", "Japanese Red Cross", "Chicago Office of Emergency
/// Management", "Florida State").
fn is_whole_name(
    kb: &Kb,
    text: &str,
    tokens: &[Token],
    s: &Span,
    starts: &HashSet<usize>,
    mode_at: &impl Fn(usize) -> CaseMode,
) -> bool {
    if s.mention.etype == EntityType::Per || mode_at(s.mention.start) != CaseMode::Mixed {
        return true;
    }
    let Some(next) = next_capitalized(text, tokens, s.mention.end) else {
        return true;
    };
    let word = next.text(text);
    if contains(cues::MISC_KEYWORDS, word) {
        return false;
    }
    // "Chicago Office of Emergency Management", "Florida State", "Oklahoma
    // City": a place's name that starts an organization's or another
    // place's name
    if matches!(s.mention.etype, EntityType::Loc | EntityType::Country)
        && s.mention.origin == Origin::Gazetteer
        && (contains(cues::ORG_KEYWORDS, word) || contains(PLACE_NAME_HEADS, word))
    {
        return false;
    }
    // "American Dennis Mitchell", "Italian Foreign Minister Dini": a
    // nationality before a person's name or office
    let then_title = tokens
        .get(tokens.partition_point(|t| t.start <= next.start))
        .filter(|t| t.sentence == next.sentence && text[next.end..t.start].trim().is_empty())
        .is_some_and(|t| contains(cues::TITLES, t.text(text)));
    if s.mention.origin == Origin::Demonym
        && !contains(cues::TITLES, word)
        && !then_title
        && !kb.is_given_name(word)
        && !starts.contains(&next.start)
    {
        // "Korean War", "Japanese Red Cross": the pair is another name
        return false;
    }
    true
}

/// Whether the span is a person's family name alone: a surname alias, or a
/// one-word alias that is the last word of every candidate person's name
/// ("Cameron" listed for David Cameron).
fn bare_family_name(kb: &Kb, text: &str, s: &Span) -> bool {
    if s.surname_only() {
        return true;
    }
    let surface = &text[s.mention.start..s.mention.end];
    !surface.contains(' ')
        && !s.candidates.is_empty()
        && s.candidates.iter().all(|c| {
            let e = kb.entity(c.0);
            e.etype == EntityType::Per && e.label.rsplit(' ').next() == Some(surface)
        })
}

/// A person's name the tagger found with a courtesy title or a title of office
/// in front ("Mr. Maliki", "Chairman Kim Jong-un") starts after the title: the
/// title is not part of the name.
fn without_personal_title(text: &str, tokens: &[Token], t: TaggedSpan) -> TaggedSpan {
    if t.label.entity_type() != Some(EntityType::Per) {
        return t;
    }
    let i = tokens.partition_point(|x| x.start < t.start);
    let Some(first) = tokens.get(i).filter(|x| x.start == t.start) else {
        return t;
    };
    // "Mr", and the titles of offices ("Chairman Kim Jong-un"), not those of
    // kings and popes, which news annotation keeps with the name
    let w = first.text(text);
    let title = contains(cues::PERSONAL_TITLES, w)
        || (contains(cues::TITLES, w) && !contains(cues::ROYAL_TITLES, w));
    if !title || tokens.get(i + 1).is_none_or(|x| x.start >= t.end) {
        return t;
    }
    // the name goes on after the title (and its dot)
    let next = tokens[i + 1..]
        .iter()
        .find(|x| x.start < t.end && x.text(text) != ".");
    match next {
        Some(n) => TaggedSpan {
            start: n.start,
            ..t
        },
        None => t,
    }
}

/// Titles that, inside one run of capitalized words, end an organization's
/// name and start a person's ("Home Depot CEO Nardelli", "Homeland Security
/// Secretary Michael Chertoff").
const INNER_TITLES: &[&str] = &[
    "ceo",
    "chairman",
    "chairwoman",
    "president",
    "spokesman",
    "spokeswoman",
    "director",
    "secretary",
    "governor",
    "chief",
];

/// Words before a title that belong to it, not to an organization ("Trade
/// Secretary", "Vice President").
const TITLE_MODIFIERS: &[&str] = &[
    "prime",
    "foreign",
    "vice",
    "deputy",
    "finance",
    "defence",
    "defense",
    "interior",
    "acting",
    "former",
    "executive",
    "general",
    "trade",
    "state",
    "assistant",
    "senior",
    "first",
    "attorney",
    "managing",
    "press",
    "home",
    "treasury",
    "energy",
    "health",
    "labor",
    "labour",
];

/// One tagger name that is really two or more: "Home Depot Inc., Saks Inc." (a
/// legal form and a comma end a company's name) and "Home Depot CEO Nardelli"
/// (an organization, then a title and a person). Other names come back as
/// they are.
fn split_tagged(text: &str, tokens: &[Token], t: TaggedSpan) -> Vec<TaggedSpan> {
    let inner: Vec<&Token> = tokens
        .iter()
        .filter(|x| t.start <= x.start && x.end <= t.end)
        .filter(|x| x.text(text).chars().any(char::is_alphanumeric))
        .collect();
    if inner.len() < 3 || t.label == NerLabel::Misc {
        return vec![t];
    }
    // "Home Depot Inc., Saks Inc.": a comma after a legal form
    if t.label == NerLabel::Org {
        let cut = inner.windows(2).position(|w| {
            crate::cues::is_legal_form(w[0].text(text))
                && text[w[0].end..w[1].start].trim_start_matches('.').trim() == ","
        });
        if let Some(i) = cut {
            let left = TaggedSpan {
                end: inner[i].end,
                ..t
            };
            let right = TaggedSpan {
                start: inner[i + 1].start,
                ..t
            };
            let mut out = vec![left];
            out.extend(split_tagged(text, tokens, right));
            return out;
        }
    }
    // "Home Depot CEO Nardelli": an organization, a title, a person
    let word = |x: &Token| x.text(text).to_lowercase();
    let capitalized = |x: &Token| x.text(text).starts_with(|c: char| c.is_uppercase());
    for i in 1..inner.len() - 1 {
        if !INNER_TITLES.contains(&word(inner[i]).as_str()) {
            continue;
        }
        let left = &inner[..i];
        let right = &inner[i + 1..];
        let org_words = left.iter().all(|x| capitalized(x))
            && !TITLE_MODIFIERS.contains(&word(left[left.len() - 1]).as_str());
        let person = right.iter().all(|x| capitalized(x))
            && right.len() <= 3
            && !right.iter().any(|x| {
                contains(cues::ORG_KEYWORDS, x.text(text))
                    || contains(cues::LOC_KEYWORDS, x.text(text))
            });
        if org_words && person {
            return vec![
                TaggedSpan {
                    end: left[left.len() - 1].end,
                    label: NerLabel::Org,
                    ..t
                },
                TaggedSpan {
                    start: right[0].start,
                    label: NerLabel::Per,
                    ..t
                },
            ];
        }
    }
    vec![t]
}

/// Capitalized words after a place's name that make the pair another name
/// ("Oklahoma City", "Florida State").
const PLACE_NAME_HEADS: &[&str] = &["city", "state"];

/// Words before a singular demonym noun that make it one ("a Finn", "the
/// Dane", "every Pole").
const DEMONYM_DETERMINERS: &[&str] = &[
    "a", "an", "the", "one", "another", "every", "each", "this", "that", "no", "any", "young",
    "old", "fellow",
];

/// A singular demonym that takes a possessive without a determiner ("Finn's
/// feeling", "Dane's goal") is someone's name, not a nationality: adjectives
/// ("Finnish", "Japanese") never take one and a nationality noun needs an
/// article ("a Finn's"). Every occurrence of that word without a determiner in
/// the text becomes a person's name (the linker then looks for a KB person).
fn demonyms_as_names(text: &str, spans: &mut [Span]) {
    let bare = |s: &Span| {
        let before = text[..s.mention.start].trim_end();
        let prev = before
            .rsplit(|c: char| !c.is_alphanumeric())
            .next()
            .unwrap_or("");
        !DEMONYM_DETERMINERS.contains(&prev.to_lowercase().as_str())
    };
    let names: Vec<&str> = spans
        .iter()
        .filter(|s| s.mention.origin == Origin::Demonym)
        .filter(|s| {
            let after = &text[s.mention.end..];
            (after.starts_with("'s") || after.starts_with("\u{2019}s"))
                && !after[after.find('s').map_or(0, |i| i + 1)..]
                    .starts_with(|c: char| c.is_alphanumeric())
        })
        .filter(|s| bare(s))
        .map(|s| &text[s.mention.start..s.mention.end])
        .filter(|w| !w.ends_with('s') && !w.contains(' '))
        .collect();
    if names.is_empty() {
        return;
    }
    let names: Vec<String> = names.into_iter().map(str::to_string).collect();
    for s in spans.iter_mut() {
        if s.mention.origin == Origin::Demonym
            && names
                .iter()
                .any(|n| *n == text[s.mention.start..s.mention.end])
            && bare(s)
        {
            s.candidates.clear();
            s.mention.etype = EntityType::Per;
            s.mention.origin = Origin::Tagger;
        }
    }
}

/// Capitalized runs not covered by `spans`, typed by their cues: only runs of
/// several words when `single` is false, only single words when it is true.
fn unknown_names(
    kb: &Kb,
    text: &str,
    tokens: &[Token],
    spans: &[Span],
    mode_at: &dyn Fn(usize) -> CaseMode,
    single: bool,
) -> (Vec<Span>, Vec<usize>) {
    let covered = |t: &Token| {
        spans
            .iter()
            .any(|s| s.mention.start < t.end && t.start < s.mention.end)
    };
    let person_words: Vec<String> = spans
        .iter()
        .filter(|s| s.mention.etype == EntityType::Per)
        .flat_map(|s| {
            text[s.mention.start..s.mention.end]
                .split_whitespace()
                .map(text::name_key)
                .collect::<Vec<_>>()
        })
        .collect();
    let mut extra = Vec::new();
    let mut absorbed = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i];
        let w = t.text(text);
        if mode_at(t.start) != CaseMode::Mixed || !starts_name(w) || covered(&t) {
            i += 1;
            continue;
        }
        let mut end_tok = name_run_end(text, tokens, i, spans, 6);
        let mut first = i;
        // strip leading function words ("The", "But") and titles
        while first <= end_tok
            && (contains(cues::NOT_NAMES, tokens[first].text(text))
                || contains(cues::TITLES, tokens[first].text(text)))
        {
            first += 1;
        }
        if first > end_tok {
            i = end_tok + 1;
            continue;
        }
        // "Gerald R. Ford", "Henry Ford": a given name followed by a one-word KB
        // name of another type is a person's name
        if let Some(next) = tokens.get(end_tok + 1) {
            let gap = &text[tokens[end_tok].end..next.start];
            let one_word_kb = spans.iter().find(|s| {
                s.mention.start == next.start
                    && s.mention.end == next.end
                    && s.mention.etype != EntityType::Per
            });
            if let Some(kb_span) = one_word_kb {
                if next.sentence == t.sentence
                    && (gap == " " || gap == ". ")
                    && kb.is_given_name(tokens[first].text(text))
                    && !single
                {
                    absorbed.push(kb_span.mention.start);
                    end_tok += 1;
                }
            }
        }
        i = end_tok + 1;
        let n = end_tok - first + 1;
        if single != (n == 1) {
            continue;
        }
        let words: Vec<&str> = (first..=end_tok).map(|k| tokens[k].text(text)).collect();
        if words
            .iter()
            .all(|w| w.chars().all(|c| c.is_numeric() || c == '.'))
        {
            continue;
        }
        let prev = first
            .checked_sub(1)
            .map(|k| tokens[k])
            .filter(|p| p.sentence == tokens[first].sentence);
        let prev_word = prev.map(|p| p.text(text).to_lowercase());
        let next_word = tokens
            .get(end_tok + 1)
            .filter(|x| x.sentence == t.sentence)
            .map(|x| x.text(text).to_lowercase());
        let last = words[n - 1];
        let is_acronym = n == 1 && w_is_acronym(last);
        let sentence_initial = tokens[first].sentence_start
            || prev.is_some_and(|p| text[p.end..tokens[first].start].contains(['"', '“', ':']));
        let cues = Cues {
            words: &words,
            is_acronym,
            sentence_initial,
            person_word: n == 1 && person_words.contains(&text::name_key(last)),
            given_name: kb.is_given_name(words[0]),
            prev_word: prev_word.as_deref(),
            next_word: next_word.as_deref(),
        };
        let etype = cues.etype();
        let Some(etype) = etype else { continue };
        let (start, end) = (tokens[first].start, tokens[end_tok].end);
        extra.push(Span {
            mention: Mention {
                start,
                end,
                etype,
                origin: if n == 1 && etype == EntityType::Per {
                    Origin::Coreference
                } else {
                    Origin::Capitalized
                },
                sentence: tokens[first].sentence,
                title: None,
            },
            candidates: Vec::new(),
            tagger_score: None,
        });
    }
    (extra, absorbed)
}

/// Merges the tagger's names into the KB's: a known entity keeps its KB span; a
/// tagger name the KB does not cover becomes an unknown mention; a tagger name
/// that contains KB names ("Bank of Tokyo" around "Tokyo") replaces them; a
/// MISC name ("U.S. Open", "Korean War") removes the KB names inside it except
/// demonyms; where tagger and KB give the same span, the tagger's type selects
/// among the KB's candidates, and a confident tagger that reads a one-word KB
/// name as a person's name ("Jordan") overrules it. Lines in lower case are left
/// to the KB.
fn merge_tagged(
    kb: &Kb,
    text: &str,
    tokens: &[Token],
    spans: &mut Vec<Span>,
    tagged: &[TaggedSpan],
    mode_at: &dyn Fn(usize) -> CaseMode,
) {
    let sentence_of = |b: usize| {
        tokens
            .get(tokens.partition_point(|t| t.end <= b))
            .map_or(0, |t| t.sentence)
    };
    let one_word = |t: &TaggedSpan| {
        tokens
            .iter()
            .filter(|x| t.start <= x.start && x.end <= t.end)
            .count()
            == 1
    };
    let tagger_span =
        |start: usize, end: usize, etype: EntityType, title: Option<String>, score: f32| Span {
            mention: Mention {
                start,
                end,
                etype,
                origin: Origin::Tagger,
                sentence: sentence_of(start),
                title,
            },
            candidates: Vec::new(),
            tagger_score: Some(score),
        };
    let mut added = Vec::new();
    let mut removed = vec![false; spans.len()];
    let pieces: Vec<TaggedSpan> = tagged
        .iter()
        .flat_map(|t| split_tagged(text, tokens, *t))
        .collect();
    for t in &pieces {
        let t = &without_personal_title(text, tokens, *t);
        if mode_at(t.start) == CaseMode::Lower {
            continue;
        }
        let overlapping: Vec<usize> = (0..spans.len())
            .filter(|&k| {
                !removed[k] && spans[k].mention.start < t.end && t.start < spans[k].mention.end
            })
            .collect();
        let inside = |k: usize| t.start <= spans[k].mention.start && spans[k].mention.end <= t.end;
        let same = |k: usize| spans[k].mention.start == t.start && spans[k].mention.end == t.end;
        let Some(etype) = t.label.entity_type() else {
            // MISC: KB names inside it are parts of another name
            debug_assert_eq!(t.label, NerLabel::Misc);
            // except a place in a compound adjective: "Atlanta-based", "Texas-born"
            let compound = |k: usize| {
                let rest = &text[spans[k].mention.end..];
                rest.strip_prefix('-')
                    .is_some_and(|r| r.starts_with(|c: char| c.is_lowercase()))
            };
            // "the U.S. The trade gap": a KB name and function words after a
            // sentence end that the tokenizer missed are not a longer name
            let only_function_words = |k: usize| {
                tokens
                    .iter()
                    .filter(|x| t.start <= x.start && x.end <= t.end)
                    .filter(|x| x.end <= spans[k].mention.start || spans[k].mention.end <= x.start)
                    .all(|x| contains(cues::NOT_NAMES, x.text(text)))
            };
            for &k in &overlapping {
                if inside(k)
                    && !same(k)
                    && !only_function_words(k)
                    && spans[k].mention.origin != Origin::Demonym
                    && !compound(k)
                {
                    removed[k] = true;
                }
            }
            continue;
        };
        if overlapping.is_empty() {
            added.push(tagger_span(t.start, t.end, etype, None, t.score));
            continue;
        }
        if let [k] = overlapping[..] {
            if same(k) {
                let s = &mut spans[k];
                s.tagger_score = Some(t.score);
                let agree: Vec<(EntityId, AliasKind)> = s
                    .candidates
                    .iter()
                    .copied()
                    .filter(|c| kb.etype(c.0).coarse() == etype.coarse())
                    .collect();
                if !agree.is_empty() {
                    s.candidates = agree;
                    s.mention.etype = kb.etype(s.candidates[0].0);
                } else if etype == EntityType::Per
                    && t.score >= 0.9
                    && matches!(s.mention.origin, Origin::Gazetteer | Origin::Demonym)
                    && s.mention.title.is_none()
                    && one_word(t)
                {
                    // a one-word KB name used as a person's name: "Jordan", "Ford",
                    // "Finn"
                    s.candidates.clear();
                    s.mention.etype = etype;
                    s.mention.origin = Origin::Tagger;
                }
                continue;
            }
        }
        // a KB person's name (or family name) that starts a longer tagger name
        // and is not its given name: "Trump Kim summit" names two people
        let leading_person = |k: usize| {
            let m = &spans[k].mention;
            m.etype == EntityType::Per
                && !spans[k].candidates.is_empty()
                && m.start == t.start
                && m.end < t.end
        };
        if etype == EntityType::Per && overlapping.iter().any(|&k| leading_person(k)) {
            // the KB's person stays and the rest of the tagger's name becomes
            // names of their own
            let mut covered: Vec<(usize, usize)> = overlapping
                .iter()
                .map(|&k| (spans[k].mention.start, spans[k].mention.end))
                .collect();
            covered.sort_unstable();
            let rest: Vec<&Token> = tokens
                .iter()
                .filter(|x| t.start <= x.start && x.end <= t.end)
                .filter(|x| !covered.iter().any(|c| c.0 < x.end && x.start < c.1))
                .collect();
            for x in rest {
                added.push(tagger_span(x.start, x.end, etype, None, t.score));
            }
            continue;
        }
        // "Washington, D.C.": KB names joined only by a comma stay two names
        let comma_joined = overlapping.len() >= 2
            && overlapping.windows(2).all(|w| {
                text.get(spans[w[0]].mention.end..spans[w[1]].mention.start)
                    .is_some_and(|gap| gap.trim() == ",")
            });
        if overlapping.iter().all(|&k| inside(k))
            && !overlapping.iter().any(|&k| same(k))
            && !comma_joined
        {
            // a longer name around KB names: "Bank of Tokyo", "Kansas City"
            let title = overlapping
                .iter()
                .find_map(|&k| spans[k].mention.title.clone());
            for &k in &overlapping {
                removed[k] = true;
            }
            added.push(tagger_span(t.start, t.end, etype, title, t.score));
        }
        // otherwise tagger and KB cross: the KB's spans stay
    }
    let mut k = 0;
    spans.retain(|_| {
        k += 1;
        !removed[k - 1]
    });
    spans.extend(added);
    spans.sort_by_key(|s| s.mention.start);
}

/// What is known around an unknown capitalized name.
struct Cues<'a> {
    words: &'a [&'a str],
    is_acronym: bool,
    sentence_initial: bool,
    /// A single word that is part of a person's name elsewhere in the text.
    person_word: bool,
    /// The first word is a given name of a KB person.
    given_name: bool,
    prev_word: Option<&'a str>,
    next_word: Option<&'a str>,
}

impl Cues<'_> {
    /// The type the cues give, or `None` when the name is better left out.
    fn etype(&self) -> Option<EntityType> {
        let n = self.words.len();
        let last = self.words[n - 1];
        if self.words.iter().any(|w| contains(cues::MISC_KEYWORDS, w)) {
            return None; // "Korean War", "World Cup": a name, but of none of our types
        }
        if n == 1
            && !self.is_acronym
            && (contains(cues::ORG_KEYWORDS, last) || contains(cues::LOC_KEYWORDS, last))
        {
            return None; // "Police", "University", "City" alone are not names
        }
        if contains(cues::ORG_KEYWORDS, last) || self.is_acronym {
            return Some(EntityType::Org);
        }
        if contains(cues::LOC_KEYWORDS, last) {
            return Some(EntityType::Loc);
        }
        let speaks = self
            .next_word
            .is_some_and(|x| cues::SPEECH_VERBS.contains(&x));
        let plain_words = self.words.iter().all(|w| {
            w.chars()
                .all(|c| c.is_alphabetic() || c == '-' || c == '\'')
        });
        if self.person_word || ((2..=4).contains(&n) && self.given_name) {
            return Some(EntityType::Per);
        }
        if n == 1 && self.sentence_initial {
            return None;
        }
        if self
            .prev_word
            .is_some_and(|p| cues::LOC_PREPOSITIONS.contains(&p))
        {
            return Some(EntityType::Loc);
        }
        if speaks || ((2..=3).contains(&n) && plain_words) {
            return Some(EntityType::Per);
        }
        None
    }
}

/// The title ending at token `i`, with the modifiers before it, lower case:
/// "prime minister", "foreign minister", "vice president".
fn title_phrase(text: &str, tokens: &[Token], i: usize) -> String {
    const MODIFIERS: &[&str] = &[
        "prime", "foreign", "vice", "deputy", "crown", "supreme", "defence", "defense", "finance",
        "interior", "chief", "general", "first", "grand", "state", "attorney", "home", "trade",
    ];
    let mut first = i;
    while first > 0 {
        let p = tokens[first - 1];
        if p.sentence != tokens[i].sentence
            || &text[p.end..tokens[first].start] != " "
            || !MODIFIERS.contains(&p.text(text).to_lowercase().as_str())
        {
            break;
        }
        first -= 1;
    }
    text[tokens[first].start..tokens[i].end]
        .trim_end_matches('.')
        .to_lowercase()
}

fn overlaps(a: &Mention, b: &Mention) -> bool {
    a.start < b.end && b.start < a.end
}

fn kind_rank(k: AliasKind) -> u8 {
    match k {
        AliasKind::Label | AliasKind::Official => 4,
        AliasKind::Alias | AliasKind::Demonym => 3,
        AliasKind::Acronym => 2,
        AliasKind::Surname => 1,
    }
}

/// A token that can start a name: capitalized, not a bare number.
fn starts_name(w: &str) -> bool {
    text::is_capitalized(w) && w.chars().count() >= 2 || w_is_acronym(w)
}

fn w_is_acronym(w: &str) -> bool {
    let letters = w.chars().filter(|c| c.is_alphabetic()).count();
    (2..=6).contains(&letters) && w.chars().all(|c| c.is_uppercase() || c == '.' || c == '&')
}

/// The token after byte `end` when it is capitalized and directly follows.
fn next_capitalized(text: &str, tokens: &[Token], end: usize) -> Option<Token> {
    let i = tokens.partition_point(|t| t.start < end);
    let t = *tokens.get(i)?;
    (text[end..t.start] == *" " && text::is_capitalized(t.text(text))).then_some(t)
}

/// Index of the last token of the capitalized run starting at token `i`: tokens
/// joined by single spaces, connectors allowed inside, stopping at KB spans.
fn name_run_end(text: &str, tokens: &[Token], i: usize, spans: &[Span], max: usize) -> usize {
    let mut end = i;
    let mut k = i + 1;
    while k < tokens.len() && k - i < max {
        let prev = tokens[k - 1];
        let t = tokens[k];
        let gap = &text[prev.end..t.start];
        let initial =
            gap == ". " && prev.end - prev.start == 1 && text::is_capitalized(prev.text(text));
        if t.sentence != prev.sentence || (gap != " " && !initial) {
            break;
        }
        if spans
            .iter()
            .any(|s| s.mention.start < t.end && t.start < s.mention.end)
        {
            break;
        }
        let w = t.text(text);
        if text::is_capitalized(w) && !contains(cues::NOT_NAMES, w) {
            end = k;
            k += 1;
        } else if cues::CONNECTORS.contains(&w)
            && k + 1 < tokens.len()
            && w != "and"
            && w != "the"
            && w != "for"
        {
            k += 1;
        } else {
            break;
        }
    }
    end
}

/// Whether the KB name of `hit` may match `surface` in a line of `mode`.
fn accept_case(surface: &str, shape: CaseShape, hit: &AliasHit, mode: CaseMode) -> bool {
    let (kind, short) = (hit.kind, hit.exact);
    match mode {
        CaseMode::Mixed => {
            if hit.case.matches_shape(shape) {
                return kind != AliasKind::Surname || !contains(cues::NOT_NAMES, surface);
            }
            if short {
                return false;
            }
            // "KIM JONG UN", "Kim Jong Un": every word starts upper case
            surface
                .split([' ', '-'])
                .filter(|w| !w.is_empty())
                .all(|w| {
                    w.chars().next().is_some_and(|c| !c.is_lowercase())
                        || cues::CONNECTORS.contains(&w)
                })
                && kind != AliasKind::Surname
        }
        CaseMode::Upper => {
            if kind == AliasKind::Surname {
                return hit.prior >= 70;
            }
            !(short && contains(cues::NOT_NAMES, surface))
        }
        CaseMode::Lower => {
            if short || surface.chars().count() < 4 || contains(cues::AMBIGUOUS_LOWER, surface) {
                return false;
            }
            kind != AliasKind::Surname || hit.prior >= 80
        }
    }
}
