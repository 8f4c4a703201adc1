//! Meetings: "X met Y", "X held talks with Y", "X hosted Y", "X and Y agreed",
//! "a summit between X and Y", "the Trump-Kim summit" → a meeting event with its
//! participants (people), its place ("in Hanoi", "at Panmunjom", "the Hanoi
//! talks") and its date when the sentence states one.
//!
//! Mentions of the same meeting in one article (same participants, no clash of
//! place or date) become one event. A definite reference that names only a place
//! ("the Hanoi talks") gives its place to the article's first meeting when that
//! has none and the article names no other such place.

use super::sentence::Sentence;
use super::{dates, Ctx, Node, Predicate, Relation, RelationKind, Tense};
use crate::kb::PartialDate;
use crate::model::{EntityType, Link, Origin, Target};

/// Verbs whose subject meets their object.
const MEET_VERBS: &[&str] = &["met", "meets", "meet", "meeting"];
/// Verbs whose subject receives their object.
const HOST_VERBS: &[&str] = &["hosted", "hosts", "host", "welcomed", "welcomes", "welcome"];
/// Nouns naming a meeting.
const NOUNS: &[&str] = &["summit", "talks", "meeting", "meetings"];
/// Verbs after "X and Y" that say they met.
const JOINT_VERBS: &[&str] = &["met", "meet", "agreed", "agree", "signed", "sign"];
/// Words allowed between a subject and its verb ("Trump will meet", "Putin held talks with").
const SUBJECT_GAP: &[&str] = &[
    "will",
    "also",
    "again",
    "first",
    "later",
    "finally",
    "briefly",
    "then",
    "is",
    "was",
    "are",
    "were",
    "has",
    "had",
    "have",
    "held",
    "hold",
    "holds",
    "holding",
    "due",
    "set",
    "expected",
    "scheduled",
    "to",
    "be",
    "who",
    "jointly",
];
/// Words allowed before a participant's name ("met his Japanese counterpart Shinzo Abe").
const OBJECT_GAP: &[&str] = &[
    "the",
    "his",
    "her",
    "their",
    "its",
    "a",
    "an",
    "former",
    "then",
    "late",
    "new",
    "visiting",
    "counterpart",
    "host",
];

/// A meeting found in one sentence.
#[derive(Debug, Clone)]
struct Found {
    sentence: usize,
    participants: Vec<usize>,
    place: Option<usize>,
    date: Option<PartialDate>,
    rule: &'static str,
    base: f32,
}

/// A meeting of the article, merged over its mentions.
#[derive(Debug)]
struct Event {
    participants: Vec<Target>,
    place: Option<Target>,
    date: Option<PartialDate>,
    found: Vec<usize>,
    /// A place given by a definite reference elsewhere: (sentence, link).
    place_ref: Option<(usize, usize)>,
}

/// Extracts meetings from `sents`.
pub(crate) fn extract(ctx: &Ctx<'_>, sents: &[Sentence<'_>], out: &mut Vec<Relation>) {
    let mut found: Vec<Found> = Vec::new();
    let mut place_refs: Vec<(usize, usize)> = Vec::new();
    for (si, s) in sents.iter().enumerate() {
        let before = found.len();
        in_sentence(ctx, s, si, &mut found);
        if found.len() == before {
            place_refs.extend(definite_place(s).map(|l| (si, l)));
        }
    }
    let links = sents.first().map_or(&[][..], |s| s.links);
    // merge mentions of one meeting
    let mut events: Vec<Event> = Vec::new();
    for (fi, f) in found.iter().enumerate() {
        let mut parts: Vec<Target> = f
            .participants
            .iter()
            .map(|&l| links[l].target.clone())
            .collect();
        sort_targets(&mut parts);
        parts.dedup();
        if parts.len() < 2 {
            continue;
        }
        let place = f.place.map(|l| links[l].target.clone());
        let same = events.iter_mut().find(|e| {
            e.participants == parts
                && (e.place.is_none() || place.is_none() || e.place == place)
                && (e.date.is_none() || f.date.is_none() || e.date == f.date)
        });
        match same {
            Some(e) => {
                e.place = e.place.take().or(place);
                e.date = e.date.or(f.date);
                e.found.push(fi);
            }
            None => events.push(Event {
                participants: parts,
                place,
                date: f.date,
                found: vec![fi],
                place_ref: None,
            }),
        }
    }
    // "the Hanoi talks": the place of the article's first meeting
    let mut places: Vec<&Target> = Vec::new();
    for r in &place_refs {
        if !places.contains(&&links[r.1].target) {
            places.push(&links[r.1].target);
        }
    }
    if places.len() == 1 {
        if let Some(e) = events.first_mut() {
            if e.place.is_none() {
                e.place = Some(places[0].clone());
                e.place_ref = Some(place_refs[0]);
            }
        }
    }
    for (k, e) in events.iter().enumerate() {
        for &fi in &e.found {
            let f = &found[fi];
            let s = &sents[f.sentence];
            let mut involved: Vec<&Link> = f.participants.iter().map(|&l| &links[l]).collect();
            let mut seen: Vec<&Target> = Vec::new();
            for &l in &f.participants {
                let t = &links[l].target;
                if seen.contains(&t) {
                    continue;
                }
                seen.push(t);
                out.push(relation(
                    ctx,
                    s,
                    k,
                    e,
                    Predicate::Attendee,
                    t,
                    f.rule,
                    f.base,
                    &involved,
                ));
            }
            if let Some(p) = f.place {
                involved.push(&links[p]);
                out.push(relation(
                    ctx,
                    s,
                    k,
                    e,
                    Predicate::Location,
                    &links[p].target,
                    f.rule,
                    f.base,
                    &involved,
                ));
            }
        }
        if let Some((si, l)) = e.place_ref {
            out.push(relation(
                ctx,
                &sents[si],
                k,
                e,
                Predicate::Location,
                &links[l].target,
                "definite-place-reference",
                0.6,
                &[&links[l]],
            ));
        }
    }
}

fn sort_targets(v: &mut [Target]) {
    v.sort_by_key(Target::id);
}

#[allow(clippy::too_many_arguments)]
fn relation(
    ctx: &Ctx<'_>,
    s: &Sentence<'_>,
    k: usize,
    e: &Event,
    predicate: Predicate,
    object: &Target,
    rule: &'static str,
    base: f32,
    involved: &[&Link],
) -> Relation {
    Relation {
        kind: RelationKind::Meeting,
        subject: Node::Meeting(k),
        predicate,
        object: Node::Entity(object.clone()),
        sentence: s.index,
        start: s.start,
        end: s.end,
        confidence: super::confidence(base, involved),
        rule,
        date: ctx.date,
        when: e.date,
        tense: Tense::Present,
        count: 1,
    }
}

/// The meetings one sentence states.
fn in_sentence(ctx: &Ctx<'_>, s: &Sentence<'_>, si: usize, out: &mut Vec<Found>) {
    let date = dates::only(s, ctx.date);
    let n = s.items.len();
    let mut push = |participants: Vec<usize>, place: Option<usize>, rule, base| {
        out.push(Found {
            sentence: si,
            participants,
            place,
            date,
            rule,
            base,
        });
    };
    for c in 0..n {
        let Some(w) = s.word(c) else { continue };
        // "X met Y", "X hosted Y", "X held talks with Y", "X's talks with Y"
        let noun_with = NOUNS.contains(&w) && s.is_word(c + 1, "with");
        let verb = MEET_VERBS.contains(&w) || HOST_VERBS.contains(&w);
        if verb || noun_with {
            if w == "meeting" && !noun_with {
                continue;
            }
            let Some(subject) = subject_of(s, c, noun_with) else {
                continue;
            };
            let mut o = c + 1;
            if s.is_word(o, "with") {
                o += 1;
            }
            let objects = persons_from(s, o, 3);
            if objects.is_empty() {
                continue;
            }
            let last = objects.last().map_or(c, |x| x.0);
            let to = HOST_VERBS.contains(&w);
            let place = place_after(s, last, to);
            let mut parts = vec![s.link_index(subject).expect("a mention")];
            parts.extend(objects.iter().map(|x| x.1));
            let (rule, base) = if noun_with {
                ("x-talks-with-y", 0.9)
            } else if to {
                ("x-hosted-y", 0.85)
            } else {
                ("x-met-y", 0.95)
            };
            push(parts, place, rule, base);
            continue;
        }
        // "X and Y met", "X and Y agreed", "X and Y held talks"
        if w == "and" && c > 0 && s.gap(c) == " " && s.is_person(c - 1) && !s.possessive(c - 1) {
            let Some(&(q, ql)) = persons_from(s, c + 1, 1).first() else {
                continue;
            };
            let mut v = q + 1;
            while s.is_any(v, SUBJECT_GAP) && s.gap(v) == " " {
                v += 1;
            }
            let joint = s.gap(v) == " "
                && (s.is_any(v, JOINT_VERBS)
                    || (s.is_any(v - 1, &["held", "hold", "holding"]) && s.is_any(v, NOUNS))
                    || (s.is_any(v - 1, &["held", "hold", "holding"])
                        && s.is_any(v, &["a"])
                        && s.is_any(v + 1, NOUNS)));
            if !joint {
                continue;
            }
            let p = s.link_index(c - 1).expect("a mention");
            let place = place_after(s, v, false);
            push(vec![p, ql], place, "x-and-y-met", 0.9);
            continue;
        }
        // "a summit (in Pyongyang) between X and Y"
        if w == "between" && (c.saturating_sub(5)..c).any(|k| s.is_any(k, NOUNS)) {
            let objects = persons_from(s, c + 1, 3);
            if objects.len() < 2 {
                continue;
            }
            let noun = (c.saturating_sub(5)..c)
                .rev()
                .find(|&k| s.is_any(k, NOUNS))
                .unwrap_or(c);
            let last = objects.last().map_or(c, |x| x.0);
            let place = place_before_noun(s, noun)
                .or_else(|| place_after(s, noun, false))
                .or_else(|| place_after(s, last, false));
            push(
                objects.iter().map(|x| x.1).collect(),
                place,
                "meeting-between",
                0.9,
            );
            continue;
        }
        // "the summit brought together X and Y"
        if matches!(w, "brought" | "brings" | "bring")
            && s.is_word(c + 1, "together")
            && (c.saturating_sub(6)..c).any(|k| s.is_any(k, NOUNS))
        {
            let objects = persons_from(s, c + 2, 3);
            if objects.len() >= 2 {
                let noun = (c.saturating_sub(6)..c)
                    .rev()
                    .find(|&k| s.is_any(k, NOUNS))
                    .unwrap_or(c);
                let place = place_before_noun(s, noun).or_else(|| place_after(s, noun, false));
                push(
                    objects.iter().map(|x| x.1).collect(),
                    place,
                    "meeting-brought-together",
                    0.85,
                );
            }
            continue;
        }
        // "the Trump-Kim summit", "Trump Kim summit"
        if NOUNS.contains(&w) && c >= 2 && s.gap(c) == " " {
            let (a, b) = (c - 2, c - 1);
            let gap = s.gap(b);
            if s.is_person(a)
                && s.is_person(b)
                && !s.possessive(a)
                && matches!(gap, "-" | "–" | "—" | " " | "/")
            {
                let place = place_after(s, c, false);
                let parts = vec![
                    s.link_index(a).expect("a mention"),
                    s.link_index(b).expect("a mention"),
                ];
                push(parts, place, "x-y-summit", 0.9);
            }
        }
    }
}

/// The person who is the subject of the meeting word at item `c`.
fn subject_of(s: &Sentence<'_>, c: usize, noun: bool) -> Option<usize> {
    let mut i = c;
    loop {
        if i == 0 {
            return None;
        }
        let gap = s.gap(i);
        let j = i - 1;
        if gap == " " || (gap == ", " && s.is_word(i, "who")) {
            if s.is_person(j) {
                // "Pompeo's talks with": a possessive only before a noun
                return (s.possessive(j) == (noun && i == c)).then_some(j);
            }
            if s.is_any(j, SUBJECT_GAP) {
                i = j;
                continue;
            }
            return None;
        }
        if gap == ", " {
            // "Singapore's foreign minister, Vivian Balakrishnan, met"
            if s.is_person(j) && !s.possessive(j) && j > 0 && s.gap(j) == ", " {
                return Some(j);
            }
            // the end of an appositive: "Abe, Japan's prime minister, met Trump"
            let mut k = j;
            while k > 0 && i - k <= 8 {
                if s.is_person(k) {
                    return None;
                }
                if s.gap(k) == ", " {
                    return (s.is_person(k - 1) && !s.possessive(k - 1)).then_some(k - 1);
                }
                k -= 1;
            }
        }
        return None;
    }
}

/// People named from item `i` on, past titles and countries before each name and
/// joined by "and": `(item, link)` pairs, at most `max`.
fn persons_from(s: &Sentence<'_>, mut i: usize, max: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    loop {
        let mut skipped = 0;
        loop {
            if i >= s.items.len() || skipped > 6 {
                return out;
            }
            let gap_ok = skipped == 0 || s.gap(i) == " " || s.gap(i) == ", ";
            if !gap_ok {
                return out;
            }
            if s.is_person(i) {
                break;
            }
            let descriptor = s.is_any(i, OBJECT_GAP)
                || s.word(i).is_some_and(is_title_word)
                || s.link(i).is_some_and(|l| {
                    matches!(l.etype, EntityType::Country | EntityType::Org)
                        && s.gap(i + 1).trim() != ","
                });
            if !descriptor {
                return out;
            }
            skipped += 1;
            i += 1;
        }
        if s.possessive(i) {
            return out;
        }
        out.push((i, s.link_index(i).expect("a mention")));
        if out.len() >= max {
            return out;
        }
        let g = s.gap(i + 1);
        if s.is_word(i + 1, "and") && (g == " " || g == ", ") {
            i += 2;
        } else {
            return out;
        }
    }
}

/// Words of titles that may stand before a participant's name.
fn is_title_word(w: &str) -> bool {
    crate::cues::contains(crate::cues::TITLES, w)
        || matches!(
            w,
            "prime" | "foreign" | "supreme" | "state" | "of" | "general" | "chief"
        )
}

/// "in Hanoi", "at Panmunjom", "to Paris" (after a host verb) within a few items
/// after item `from`, in the same clause.
fn place_after(s: &Sentence<'_>, from: usize, to: bool) -> Option<usize> {
    let mut i = from + 1;
    while i < s.items.len() && i <= from + 5 {
        if s.gap(i).contains([';', ':', '–', '—', '(', '“', '"']) {
            return None;
        }
        let prep = s.word(i);
        let at = prep == Some("at");
        if prep == Some("in") || at || (to && prep == Some("to")) {
            let mut p = i + 1;
            if s.is_word(p, "the") {
                p += 1;
            }
            if is_place(s, p, at) {
                return s.link_index(p);
            }
        }
        i += 1;
    }
    None
}

/// "the Hanoi summit": a place right before the meeting noun at item `noun`.
fn place_before_noun(s: &Sentence<'_>, noun: usize) -> Option<usize> {
    (noun > 0 && s.gap(noun) == " " && is_place(s, noun - 1, false))
        .then(|| s.link_index(noun - 1))
        .flatten()
}

/// A place mention at item `i`: a place or country named as such (not a
/// demonym, not a possessive); after "at", also an organization's seat.
fn is_place(s: &Sentence<'_>, i: usize, at: bool) -> bool {
    s.link(i).is_some_and(|l| {
        (matches!(l.etype, EntityType::Loc | EntityType::Country)
            || (at && l.etype == EntityType::Org))
            && l.mention.origin != Origin::Demonym
            && !s.possessive(i)
    })
}

/// "the Hanoi talks": a definite reference to a meeting by its place alone.
fn definite_place(s: &Sentence<'_>) -> Option<usize> {
    (1..s.items.len().saturating_sub(1)).find_map(|i| {
        let ok = s.is_word(i - 1, "the")
            && s.gap(i) == " "
            && is_place(s, i, false)
            && s.gap(i + 1) == " "
            && s.is_any(i + 1, NOUNS);
        ok.then(|| s.link_index(i)).flatten()
    })
}
