//! Linking: each recognized mention gets a QID from the KB or a stable local ID.
//!
//! Candidates come from the alias index. They are scored by prior, the kind of name
//! matched, type agreement with a title cue, coherence with the other entities of
//! the document (shared countries), positions held at the article's date, and
//! in-document coreference: a bare "Kim" or "Abe" is the person named in full
//! elsewhere in the text. Unknown names get a local ID minted from type and
//! normalized name, so one unknown person is one node across articles.

pub(crate) mod abbrev;
pub(crate) mod address;
pub mod clubs;
pub(crate) mod company;
pub(crate) mod sports;

use crate::kb::{generic, AliasKind, EntityId, Kb, PartialDate};
use crate::link::clubs::Sport;
use crate::model::ids::LocalId;
use crate::model::{EntityType, Link, Mention, Origin, Target};
use crate::recognize::{Recognized, Span};
use crate::text::name_key;
use std::collections::HashSet;

/// The local ID of an unknown entity: `local:per/kim-jong-chol`.
pub fn local_id(etype: EntityType, name: &str) -> LocalId {
    LocalId::new(etype, name)
}

/// Links the mentions of one document.
pub fn link(kb: &Kb, text: &str, rec: &Recognized, date: Option<PartialDate>) -> Vec<Link> {
    let spans = &rec.spans;
    // entities named unambiguously somewhere in the document
    let mut anchored: HashSet<EntityId> = HashSet::new();
    for s in spans {
        let mut ids: Vec<EntityId> = s
            .candidates
            .iter()
            .filter(|c| c.1 != AliasKind::Surname)
            .map(|c| c.0)
            .collect();
        ids.dedup();
        if ids.len() == 1 {
            anchored.insert(ids[0]);
        }
    }
    let doc_countries: HashSet<EntityId> = anchored
        .iter()
        .flat_map(|&e| kb.entity(e).countries(e).collect::<Vec<_>>())
        .collect();

    // words of the names of people given in full (two words or more)
    let full_person_words: HashSet<String> = spans
        .iter()
        .filter(|s| s.mention.etype == EntityType::Per)
        .map(|s| name_words(&text[s.mention.start..s.mention.end]))
        .filter(|w| w.len() >= 2)
        .flatten()
        .collect();
    let is_short = |s: &Span| -> bool {
        let words = name_words(&text[s.mention.start..s.mention.end]);
        s.surname_only()
            || (words.len() <= 2 && s.mention.etype == EntityType::Per && s.candidates.is_empty())
            || (words.len() == 1 && full_person_words.contains(&words[0]))
    };

    // an organization the KB knows under the name without its legal form
    let company = |s: &Span| -> Option<Span> {
        if s.mention.etype != EntityType::Org || !s.candidates.is_empty() {
            return None;
        }
        let name = &text[s.mention.start..s.mention.end];
        let org = |c: &(EntityId, AliasKind, f32)| {
            c.1 != AliasKind::Surname && kb.etype(c.0) == EntityType::Org
        };
        // "Merrill Lynch Capital Markets": a division, named by its company's
        // full name (not an acronym: "PNC Financial" is no Palestinian council)
        let parent = |c: &(EntityId, AliasKind, f32)| {
            matches!(c.1, AliasKind::Label | AliasKind::Alias) && kb.entity(c.0).kind == "company"
        };
        let forms = crate::link::company::core_names(name)
            .into_iter()
            .map(|n| (n, false))
            .chain(
                crate::link::company::parent_names(name)
                    .into_iter()
                    .map(|n| (n, true)),
            );
        // "General Electric Co Plc" is the British GEC, not the American GE: a
        // legal form of one country does not fit a company of another
        let legal_countries = crate::link::company::legal_form_countries(name);
        let fits = |c: &(EntityId, AliasKind, f32)| {
            legal_countries.is_empty()
                || kb
                    .entity(c.0)
                    .country
                    .is_none_or(|k| legal_countries.contains(&kb.entity(k).qid.as_str()))
        };
        let candidates: Vec<(EntityId, AliasKind)> = forms
            .map(|(form, division)| {
                kb.lookup(&form)
                    .into_iter()
                    .filter(|c| org(c) && fits(c) && (!division || parent(c)))
                    .map(|c| (c.0, c.1))
                    .collect::<Vec<_>>()
            })
            .find(|c| !c.is_empty())?;
        (!candidates.is_empty()).then(|| Span {
            candidates,
            ..s.clone()
        })
    };

    // 1. KB names, and unknown names of several words
    let mut links: Vec<Option<Link>> = spans
        .iter()
        .map(|s| {
            if is_short(s) {
                None
            } else if let Some(c) = company(s) {
                let scored = score(kb, &c, &anchored, &doc_countries, date);
                Some(best_link(kb, &c.mention, &scored))
            } else if s.candidates.is_empty() {
                Some(unknown_link(
                    &s.mention,
                    &text[s.mention.start..s.mention.end],
                    s.mention.etype,
                    s.tagger_score,
                ))
            } else {
                let scored = score(kb, s, &anchored, &doc_countries, date);
                Some(best_link(kb, &s.mention, &scored))
            }
        })
        .collect();

    // 2. short names: the person named in full elsewhere, else the KB, else unknown
    let mut persons: Vec<(usize, Vec<String>)> = links
        .iter()
        .enumerate()
        .filter_map(|(i, l)| {
            let l = l.as_ref()?;
            let words = name_words(&text[l.mention.start..l.mention.end]);
            (l.etype == EntityType::Per && words.len() >= 2).then_some((i, words))
        })
        .collect();
    for (i, s) in spans.iter().enumerate() {
        if links[i].is_some() {
            continue;
        }
        let m = &s.mention;
        let surface = &text[m.start..m.end];
        if let Some(j) = resolve_short(&persons, &links, &name_words(surface), i) {
            let l = links[j].as_ref().expect("persons are linked");
            let follows = j < i;
            links[i] = Some(Link {
                mention: Mention {
                    origin: Origin::Coreference,
                    etype: l.etype,
                    ..m.clone()
                },
                target: l.target.clone(),
                etype: l.etype,
                label: l.label.clone(),
                confidence: (l.confidence * if follows { 0.95 } else { 0.9 }).min(0.95),
            });
            continue;
        }
        if s.surname_only() {
            links[i] = surname_link(kb, s, &doc_countries, date);
            if links[i].is_none() && m.title.is_some() {
                links[i] = Some(unknown_link(m, surface, EntityType::Per, s.tagger_score));
            }
            continue; // a bare surname we cannot place is not reported
        }
        let l = if s.candidates.is_empty() {
            unknown_link(m, surface, m.etype, s.tagger_score)
        } else {
            best_link(kb, m, &score(kb, s, &anchored, &doc_countries, date))
        };
        // a full name settled here ("Neil Jordan") is what a later bare
        // "Jordan" refers to, before any place of that name
        let words = name_words(surface);
        if l.etype == EntityType::Per && words.len() >= 2 {
            persons.push((i, words));
        }
        links[i] = Some(l);
    }
    let mut links: Vec<Link> = links.into_iter().flatten().collect();
    // "Home Depot Inc. rose" ends with its dot; "... by Avco Corp. The" does not,
    // the dot ends the sentence
    for l in &mut links {
        let m = &mut l.mention;
        let ends_sentence = || {
            text[m.end + 1..]
                .trim_start()
                .chars()
                .next()
                .is_none_or(|c| c.is_uppercase() || c == '"')
        };
        if m.etype == EntityType::Org
            && text[m.end..].starts_with('.')
            && !ends_sentence()
            && text[m.start..m.end]
                .rsplit(' ')
                .next()
                .is_some_and(crate::link::company::takes_dot)
        {
            m.end += 1;
        }
    }
    // "the U.S. And Japan": the dot ends the sentence, not the name
    for l in &mut links {
        if crate::link::abbrev::sentence_final_dot(text, l.mention.start, l.mention.end) {
            l.mention.end -= 1;
        }
    }
    crate::link::address::unlink_towns_of_other_states(kb, text, &mut links);
    crate::link::address::join_postal_codes(kb, text, &mut links);
    extend_regnal_numbers(kb, text, &mut links);
    resolve_defined_acronyms(text, &mut links);
    // "artificial pancreas (AP)": here AP is not the news agency
    let common = crate::link::abbrev::common_noun_abbreviations(text);
    if !common.is_empty() {
        links.retain(|l| !common.contains(&text[l.mention.start..l.mention.end]));
    }
    resolve_short_orgs(text, &mut links);
    resolve_generic_institutions(kb, text, &mut links);
    for l in &mut links {
        if !l.is_nil() {
            l.confidence = calibrate(l.confidence, l.etype, &text[l.mention.start..l.mention.end]);
        }
    }
    let sport = page_sport(kb, text, rec, &links);
    // "Italy coach Cesare Prandelli": a place's name before a sports role and a
    // person's name is a team, on any page
    for l in &mut links {
        let place = matches!(l.etype, EntityType::Country | EntityType::Loc)
            && l.mention.origin == Origin::Gazetteer
            && !l.is_nil();
        if place
            && crate::link::sports::is_team_by_role(
                text,
                &rec.tokens,
                l.mention.start,
                l.mention.end,
            )
        {
            *l = team_link(kb, sport, l, &text[l.mention.start..l.mention.end]);
        }
    }
    if crate::link::sports::is_sports_text(text, &rec.tokens) {
        // a company's name in a results table is its team ("Samsung 49 5 56")
        let company = |l: &Link| match &l.target {
            Target::Known(q) => kb
                .by_qid(q)
                .is_some_and(|e| kb.etype(e) == EntityType::Org && kb.entity(e).kind == "company"),
            Target::Unknown(_) => false,
        };
        let candidate = |l: &Link| {
            (matches!(l.etype, EntityType::Country | EntityType::Loc) || company(l))
                && matches!(l.mention.origin, Origin::Gazetteer)
                && !l.is_nil()
        };
        let surface = |l: &Link| text[l.mention.start..l.mention.end].to_lowercase();
        let teams: Vec<bool> = links
            .iter()
            .map(|l| {
                candidate(l)
                    && crate::link::sports::is_team_mention(
                        text,
                        &rec.tokens,
                        l.mention.start,
                        l.mention.end,
                        l.etype == EntityType::Country,
                    )
            })
            .collect();
        // one sense per page: a city that is a team once ("CLEVELAND AT TEXAS")
        // is the team elsewhere too ("homered for Cleveland"), unless the text
        // says it is the place ("in Cleveland")
        let team_names: HashSet<String> = links
            .iter()
            .zip(&teams)
            .filter(|(_, &t)| t)
            .map(|(l, _)| surface(l))
            .collect();
        // "The Irish , under new manager", "the Turkish goal": a demonym for the
        // national team
        for l in links.iter_mut().filter(|l| {
            l.mention.origin == Origin::Demonym && l.etype == EntityType::Country && !l.is_nil()
        }) {
            if crate::link::sports::is_team_demonym(
                text,
                &rec.tokens,
                l.mention.start,
                l.mention.end,
            ) {
                let label = l.label.clone();
                *l = team_link(kb, sport, l, &label);
            }
        }
        for (l, team) in links.iter_mut().zip(teams) {
            let team = team
                || candidate(l)
                    && team_names.contains(&surface(l))
                    && !crate::link::sports::is_place_context(
                        text,
                        &rec.tokens,
                        l.mention.start,
                        l.mention.end,
                    );
            if team {
                *l = team_link(kb, sport, l, &text[l.mention.start..l.mention.end]);
            }
        }
        // a bare family name on a sports page is a player's: not the politician
        // the KB knows by it, unless the KB says they are a sportsperson
        links.retain(|l| {
            let Target::Known(q) = &l.target else {
                return true;
            };
            let bare = l.etype == EntityType::Per
                && l.mention.origin != Origin::Coreference
                && l.mention.title.is_none()
                && name_words(&text[l.mention.start..l.mention.end]).len() == 1;
            !bare
                || kb.by_qid(q).is_some_and(|id| {
                    kb.entity(id)
                        .description
                        .as_deref()
                        .is_some_and(crate::link::sports::is_sportsperson)
                })
        });
        // "joined Newcastle": the club the KB knows by its town's name
        for l in links
            .iter_mut()
            .filter(|l| l.is_nil() && l.etype == EntityType::Org)
        {
            let surface = &text[l.mention.start..l.mention.end];
            if let Some(id) = crate::link::clubs::team_by_short_name(kb, surface, None, sport) {
                let e = kb.entity(id);
                l.target = Target::Known(e.qid.clone());
                l.label = e.label.clone();
                l.mention.etype = EntityType::Org;
                l.confidence = 0.7;
            }
        }
    }
    links
}

/// Scales a KB link's raw confidence by how often links of its kind were right
/// on the development sets (`kglink eval` over `../shared/eval/*.jsonl`, links
/// counted as for linking precision, November 2026): people 0.94, organizations
/// 0.88, countries 0.87, other places 0.77, and names in capitals about 0.1
/// lower. The factors map the raw scores (about 0.95 for a clear match) to those
/// rates, so that a confidence of 0.9 or more means right nine times in ten.
fn calibrate(raw: f32, etype: EntityType, surface: &str) -> f32 {
    let by_type = match etype {
        EntityType::Per => 1.0,
        EntityType::Org => 0.93,
        EntityType::Country => 0.92,
        EntityType::Loc => 0.82,
    };
    let caps = surface.chars().filter(|c| c.is_alphabetic()).count() > 3
        && !surface.chars().any(char::is_lowercase);
    let by_case = if caps { 0.9 } else { 1.0 };
    (raw * by_type * by_case).clamp(0.0, 1.0)
}

/// "International Atomic Energy Agency (IAEA)": an acronym defined in the text
/// after a name stands for that name's entity everywhere in the text.
fn resolve_defined_acronyms(text: &str, links: &mut [Link]) {
    let mut defined: Vec<(String, Link)> = Vec::new();
    for l in links.iter() {
        let rest = &text[l.mention.end..];
        let Some(inner) = rest.trim_start().strip_prefix('(') else {
            continue;
        };
        let Some(close) = inner.find(')') else {
            continue;
        };
        let acronym = inner[..close].trim();
        let surface = &text[l.mention.start..l.mention.end];
        if acronym.len() <= 10 && is_acronym_of(acronym, surface) {
            defined.push((acronym.to_string(), l.clone()));
        }
    }
    for (acronym, long) in defined {
        for l in links.iter_mut() {
            if text[l.mention.start..l.mention.end] == acronym && l.target != long.target {
                l.target = long.target.clone();
                l.etype = long.etype;
                l.mention.etype = long.etype;
                l.label = long.label.clone();
                l.confidence = long.confidence.min(0.9);
            }
        }
    }
}

/// "the Treasury", "the Finance Ministry": an unknown organization whose name is
/// a country-relative institution name (see [`crate::kb::generic`]) is the
/// institution of that name named in full earlier in the text, else that
/// institution of the document's country, when the KB has it.
///
/// A name only the generic step of recognition found (gazetteer origin, no
/// candidates) that does not resolve is dropped.
fn resolve_generic_institutions(kb: &Kb, text: &str, links: &mut Vec<Link>) {
    let named: Vec<(usize, EntityId)> = links
        .iter()
        .filter_map(|l| match &l.target {
            Target::Known(q) => kb.by_qid(q).map(|id| (l.mention.start, id)),
            Target::Unknown(_) => None,
        })
        .collect();
    let country = generic::document_country(kb, named.iter().map(|n| n.1));
    // "the Supreme Court in Florida": another place's institution
    let places: Vec<(usize, Target)> = links
        .iter()
        .filter(|l| matches!(l.etype, EntityType::Loc | EntityType::Country))
        .map(|l| (l.mention.start, l.target.clone()))
        .collect();
    let own = country.map(|c| Target::Known(kb.entity(c).qid.clone()));
    let elsewhere = |end: usize| {
        let rest = &text[end..];
        let Some(after) = rest
            .strip_prefix(" in ")
            .or_else(|| rest.strip_prefix(" of "))
        else {
            return false;
        };
        let at = text.len() - after.len();
        places
            .iter()
            .any(|(s, t)| *s == at && Some(t) != own.as_ref())
    };
    for l in links
        .iter_mut()
        .filter(|l| l.is_nil() && l.etype == EntityType::Org)
    {
        let (start, end) = (l.mention.start, l.mention.end);
        if generic::is_security(&text[..start], &text[end..]) {
            continue; // "the 30-year Treasury"
        }
        let surface = &text[start..end];
        // "Japan's Finance Ministry ... the Finance Ministry": the institution
        // named in full before, else the one of the document's country
        let antecedent = named.iter().rev().find_map(|&(at, id)| {
            let same = kb
                .entity(id)
                .country
                .and_then(|c| generic::resolve(kb, surface, c));
            (at < start && same == Some(id)).then_some(id)
        });
        let of_country = || {
            country
                .filter(|_| !elsewhere(end))
                .and_then(|c| generic::resolve(kb, surface, c))
        };
        if let Some(id) = antecedent.or_else(of_country) {
            let e = kb.entity(id);
            l.target = Target::Known(e.qid.clone());
            l.label = e.label.clone();
            l.confidence = 0.8;
        }
    }
    // a name only the generic step of recognition found, left unresolved
    links.retain(|l| {
        !(l.is_nil()
            && l.mention.origin == Origin::Gazetteer
            && generic::is_generic_name(kb, &text[l.mention.start..l.mention.end]))
    });
}

/// Whether the capitals of `acronym` are the initials of (some of) the
/// capitalized words of `name`, in order, starting with the first.
/// First words of organizations' names that are not short forms of them.
const GENERIC_FIRST_WORDS: &[&str] = &[
    "federal",
    "national",
    "general",
    "united",
    "international",
    "first",
    "new",
    "royal",
    "central",
    "state",
    "world",
    "european",
    "american",
    "british",
    "global",
    "standard",
    "north",
    "south",
    "east",
    "west",
    "southern",
    "northern",
    "western",
    "eastern",
];

/// Short forms of an organization named in full earlier in the text and not
/// known alone: "Rolls" after "Rolls Royce Plc", "BA" after "British Airways".
fn resolve_short_orgs(text: &str, links: &mut [Link]) {
    let mut named: Vec<(String, String, Link)> = Vec::new(); // first word, initials, link
    for l in links.iter_mut() {
        let surface = &text[l.mention.start..l.mention.end];
        if l.etype == EntityType::Org && !l.is_nil() {
            let words: Vec<&str> = surface.split_whitespace().collect();
            if words.len() >= 2 {
                let first = words[0].to_lowercase();
                let initials: String = crate::link::company::core_name(surface)
                    .unwrap_or_else(|| surface.to_string())
                    .split(|c: char| c.is_whitespace() || c == '-')
                    .filter_map(|w| w.chars().next())
                    .filter(|c| c.is_uppercase())
                    .collect();
                named.push((first, initials, l.clone()));
            }
            continue;
        }
        if !l.is_nil() || l.etype != EntityType::Org || surface.contains(char::is_whitespace) {
            continue;
        }
        let word = surface
            .trim_end_matches("'s")
            .trim_end_matches("’s")
            .to_string();
        let acronym = word.len() >= 2 && word.chars().all(|c| c.is_ascii_uppercase());
        let lower = word.to_lowercase();
        // "Federal funds" is not the Federal Reserve
        let generic = GENERIC_FIRST_WORDS.contains(&lower.as_str())
            || crate::cues::ORG_KEYWORDS.contains(&lower.as_str());
        let full = named.iter().rev().find(|(first, initials, _)| {
            (word.chars().count() >= 3 && !generic && *first == lower)
                || (acronym && *initials == word)
        });
        if let Some((_, _, full)) = full {
            l.target = full.target.clone();
            l.label = full.label.clone();
            l.mention.origin = Origin::Coreference;
            l.confidence = (full.confidence * 0.9).min(0.9);
        }
    }
}

fn is_acronym_of(acronym: &str, name: &str) -> bool {
    let letters: Vec<char> = acronym.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.len() < 2 || !letters.iter().all(|c| c.is_uppercase()) {
        return false;
    }
    let initials: Vec<char> = name
        .split(|c: char| c.is_whitespace() || c == '-')
        .filter_map(|w| w.chars().next())
        .filter(|c| c.is_uppercase())
        .collect();
    if initials.first() != letters.first() || initials.len() < letters.len() {
        return false;
    }
    let mut it = initials.iter();
    letters.iter().all(|l| it.any(|i| i == l))
}

/// "Queen Elizabeth I": a regnal number right after a person's name joins the
/// mention, and names another holder of the name unless the linked entity's
/// own name has it ("Queen Elizabeth II").
fn extend_regnal_numbers(kb: &Kb, text: &str, links: &mut [Link]) {
    for l in links.iter_mut() {
        if l.etype != EntityType::Per {
            continue;
        }
        let Some(end) = regnal_suffix(text, l.mention.start, l.mention.end) else {
            continue;
        };
        let named = name_key(&text[l.mention.start..end]);
        let known = match &l.target {
            Target::Known(q) => kb.by_qid(q).is_some_and(|id| {
                kb.entity(id)
                    .names
                    .iter()
                    .any(|(n, _)| named.ends_with(&name_key(n)))
            }),
            Target::Unknown(_) => false,
        };
        l.mention.end = end;
        if !known {
            *l = unknown_link(
                &l.mention,
                &text[l.mention.start..end],
                EntityType::Per,
                None,
            );
        }
    }
}

/// The end of a regnal number right after the name at `start..end` ("Queen
/// Elizabeth I", "Pope John Paul II") that the name does not include. "I" counts
/// only after a monarch's or pope's title, where it cannot be the pronoun.
fn regnal_suffix(text: &str, start: usize, end: usize) -> Option<usize> {
    let rest = text[end..].strip_prefix(' ')?;
    let len = rest
        .find(|c: char| !c.is_alphanumeric())
        .unwrap_or(rest.len());
    let word = &rest[..len];
    if word.is_empty() || !word.chars().all(|c| matches!(c, 'I' | 'V' | 'X')) || len > 5 {
        return None;
    }
    let first = text[start..end].split(' ').next().unwrap_or("");
    if word == "I" && !crate::cues::ROYAL_TITLES.contains(&first) {
        return None;
    }
    Some(end + 1 + len)
}

/// A place's name standing for a team on a sports page: the team the KB knows
/// by that short name in the page's sport (see [`crate::link::clubs`]), else an
/// unknown organization. A country's name keeps the country type, as news
/// annotation does.
fn team_link(kb: &Kb, sport: Option<Sport>, l: &Link, surface: &str) -> Link {
    let m = &l.mention;
    let place = match &l.target {
        Target::Known(_) => Some(l.label.as_str()),
        Target::Unknown(_) => None,
    };
    let etype = if l.etype == EntityType::Country {
        EntityType::Country
    } else {
        EntityType::Org
    };
    if let Some(id) = crate::link::clubs::team_by_short_name(kb, surface, place, sport) {
        let e = kb.entity(id);
        return Link {
            mention: Mention { etype, ..m.clone() },
            target: Target::Known(e.qid.clone()),
            etype,
            label: e.label.clone(),
            confidence: 0.7,
        };
    }
    let name = if l.etype == EntityType::Country {
        format!("{surface} national team")
    } else {
        format!("{surface} team")
    };
    Link {
        mention: Mention { etype, ..m.clone() },
        target: Target::Unknown(local_id(EntityType::Org, &name)),
        etype,
        label: name,
        confidence: 0.6,
    }
}

/// The sport a page is about (see [`Sport::of_text`]): its words and the
/// teams it names in full.
fn page_sport(kb: &Kb, text: &str, rec: &Recognized, links: &[Link]) -> Option<Sport> {
    let named = links.iter().filter_map(|l| match &l.target {
        Target::Known(q) => kb.by_qid(q).and_then(|id| {
            if kb.etype(id) != EntityType::Org {
                return None;
            }
            let e = kb.entity(id);
            crate::link::clubs::is_team(&e)
                .then(|| Sport::of_entity(&e))
                .flatten()
        }),
        Target::Unknown(_) => None,
    });
    Sport::of_text(rec.tokens.iter().map(|t| t.text(text)), named)
}

/// A bare family name linked to the KB person when one is prominent enough (or
/// the title says so) and clearly ahead of the others with that name.
fn surname_link(
    kb: &Kb,
    s: &Span,
    doc_countries: &HashSet<EntityId>,
    date: Option<PartialDate>,
) -> Option<Link> {
    let m = &s.mention;
    let mut c: Vec<(EntityId, u8)> = s.candidates.iter().map(|c| (c.0, kb.prior(c.0))).collect();
    c.sort_by_key(|x| std::cmp::Reverse(x.1));
    c.dedup_by_key(|x| x.0);
    let top = *c.first()?;
    let margin = c.get(1).map_or(100, |x| top.1.saturating_sub(x.1));
    // "Prime Minister Abe" with the article's date: the one who held such an
    // office then
    if let (Some(title), Some(d)) = (&m.title, date) {
        let holders: Vec<EntityId> = c
            .iter()
            .map(|x| x.0)
            .filter(|&id| {
                let e = kb.entity(id);
                e.positions.iter().any(|t| {
                    kb.positions()[t.position].titles.iter().any(|x| x == title)
                        && e.holds_at(t.position, d)
                })
            })
            .collect();
        if let [only] = holders[..] {
            return Some(person_link(m, &kb.entity(only), 0.9));
        }
    }
    let e = kb.entity(top.0);
    // common family names ("Johnson", "Khan") need more than a prior: the person's
    // country named in the text, or a title, and a time when they were active
    let ties = e.citizenship.iter().any(|c| doc_countries.contains(c));
    let active = date.is_none_or(|d| active_at(&e, d));
    let strong = top.1 >= 90 || (top.1 >= 75 && ties) || (m.title.is_some() && ties);
    if !(strong && margin >= 15 && active) {
        return None;
    }
    Some(person_link(
        m,
        &e,
        if m.title.is_some() { 0.85 } else { 0.8 },
    ))
}

/// A mention linked to a KB person.
fn person_link(m: &Mention, e: &crate::kb::KbEntity, confidence: f32) -> Link {
    Link {
        mention: Mention {
            etype: EntityType::Per,
            ..m.clone()
        },
        target: Target::Known(e.qid.clone()),
        etype: EntityType::Per,
        label: e.label.clone(),
        confidence,
    }
}

/// Whether a person was in public life at `d`: from ten years before their first
/// position to ten years after their last (people without positions: always).
fn active_at(e: &crate::kb::KbEntity, d: PartialDate) -> bool {
    let starts = e.positions.iter().filter_map(|t| t.start).min();
    let open = e.positions.iter().any(|t| t.end.is_none());
    let last_end = e.positions.iter().filter_map(|t| t.end).max();
    let after_start = starts.is_none_or(|s| d.year >= s.year - 10);
    let before_end = open || last_end.is_none_or(|x| d.year <= x.year + 10);
    after_start && before_end
}

/// The link of a name the KB does not know.
pub(crate) fn unknown_link(
    m: &Mention,
    surface: &str,
    etype: EntityType,
    tagger_score: Option<f32>,
) -> Link {
    let words = name_words(surface);
    let confidence = match (m.origin, tagger_score) {
        (Origin::TitleCue, _) => 0.8,
        (_, Some(score)) => 0.9 * score,
        (Origin::Capitalized, None) if words.len() >= 2 => 0.7,
        _ => 0.5,
    };
    Link {
        mention: Mention { etype, ..m.clone() },
        target: Target::Unknown(local_id(etype, surface)),
        etype,
        label: surface.to_string(),
        confidence,
    }
}

fn name_words(s: &str) -> Vec<String> {
    s.split(|c: char| c.is_whitespace())
        .filter(|w| !w.is_empty())
        .map(name_key)
        .collect()
}

/// The index of the full-name person mention a short name refers to: one before
/// it whose name contains all its words (a KB person first, else the nearest),
/// else the most confident one after it.
fn resolve_short(
    persons: &[(usize, Vec<String>)],
    links: &[Option<Link>],
    words: &[String],
    i: usize,
) -> Option<usize> {
    if words.is_empty() {
        return None;
    }
    let matching = persons
        .iter()
        .filter(|(_, w)| w.len() > words.len() && words.iter().all(|x| w.contains(x)));
    // before it: a person the KB knows, else the nearest ("Boris Yeltsin ...
    // Naina Yeltsin ... Yeltsin" is the president)
    let known = |j: usize| links[j].as_ref().is_some_and(|l| !l.is_nil());
    let before = matching
        .clone()
        .filter(|(j, _)| *j < i)
        .max_by_key(|(j, _)| (known(*j), *j));
    if let Some((j, _)) = before {
        return Some(*j);
    }
    // after: prefer the most confident (most prominent) entity
    matching
        .filter(|(j, _)| *j > i)
        .max_by(|a, b| {
            let ca = links[a.0].as_ref().map_or(0.0, |l| l.confidence);
            let cb = links[b.0].as_ref().map_or(0.0, |l| l.confidence);
            ca.total_cmp(&cb).then(b.0.cmp(&a.0))
        })
        .map(|(j, _)| *j)
}

/// Candidates with their scores, best first.
/// How many of a name's candidates are scored: the first, by kind of name
/// and prior (the order of the index's postings). The bonuses of the context
/// (a title, a country of the document, an office held) bring a candidate
/// this far down to the top, hardly further.
const MAX_SCORED: usize = 8;

fn score(
    kb: &Kb,
    s: &Span,
    anchored: &HashSet<EntityId>,
    doc_countries: &HashSet<EntityId>,
    date: Option<PartialDate>,
) -> Vec<(EntityId, AliasKind, f32)> {
    let m = &s.mention;
    let mut out: Vec<(EntityId, AliasKind, f32)> = Vec::new();
    for &(id, kind) in s.candidates.iter().take(MAX_SCORED) {
        let e = kb.entity(id);
        let mut v = f32::from(e.prior) / 100.0;
        v += match kind {
            AliasKind::Label | AliasKind::Official => 0.3,
            AliasKind::Alias | AliasKind::Demonym => 0.2,
            AliasKind::Acronym => 0.15,
            AliasKind::Surname => 0.0,
        };
        if m.title.is_some() {
            v += if e.etype == EntityType::Per {
                0.5
            } else {
                -0.5
            };
        }
        if anchored.contains(&id) {
            // named in full elsewhere: a bare family name is that person
            v += if kind == AliasKind::Surname { 1.0 } else { 0.4 };
        }
        let ties = e
            .countries(id)
            .filter(|c| *c != id)
            .any(|c| doc_countries.contains(&c));
        if ties {
            v += 0.25;
        }
        if let (Some(d), true) = (date, e.etype == EntityType::Per) {
            if e.positions
                .iter()
                .any(|t| t.start.is_none_or(|s| s <= d) && t.end.is_none_or(|x| d <= x))
            {
                v += 0.2;
            }
        }
        if let Some(title) = &m.title {
            if e.positions.iter().any(|t| {
                kb.positions()[t.position]
                    .titles
                    .iter()
                    .any(|x| x.ends_with(title.as_str()))
            }) {
                v += 0.2;
            }
        }
        match out.iter_mut().find(|x| x.0 == id) {
            Some(x) if x.2 < v => *x = (id, kind, v),
            Some(_) => {}
            None => out.push((id, kind, v)),
        }
    }
    out.sort_by(|a, b| b.2.total_cmp(&a.2));
    out
}

fn best_link(kb: &Kb, m: &Mention, scored: &[(EntityId, AliasKind, f32)]) -> Link {
    let (id, kind, top) = scored[0];
    let z: f32 = scored.iter().map(|x| ((x.2 - top) / 0.1).exp()).sum();
    let p = 1.0 / z;
    let base = match kind {
        AliasKind::Label | AliasKind::Official => 0.97,
        AliasKind::Alias => 0.93,
        AliasKind::Demonym => 0.92,
        AliasKind::Acronym => 0.9,
        AliasKind::Surname => 0.8,
    };
    let e = kb.entity(id);
    Link {
        mention: Mention {
            etype: e.etype,
            ..m.clone()
        },
        target: Target::Known(e.qid.clone()),
        etype: e.etype,
        label: e.label.clone(),
        confidence: (base * p).clamp(0.0, 1.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acronyms_match_initials() {
        assert!(is_acronym_of("IAEA", "International Atomic Energy Agency"));
        assert!(is_acronym_of(
            "RDR",
            "Rally for the Return of Refugees and Democracy in Rwanda"
        ));
        assert!(!is_acronym_of("UN", "International Atomic Energy Agency"));
        assert!(!is_acronym_of("I", "Iran"));
        assert!(!is_acronym_of("Iran", "International Atomic Energy Agency"));
    }
}
