//! Roles around a person's name: the office they hold (`wdt:P39`), the
//! organization they work for or belong to (`wdt:P108`, `wdt:P102`, `wdt:P463`),
//! and their nationality (`wdt:P27`).
//!
//! The cues are the words right before the name ("Japanese prime minister
//! Junichiro Koizumi", "Japan's prime minister, Shinzo Abe", "President Trump",
//! "Toyota chief executive Akio Toyoda", "Japanese national Kenji Goto") and right
//! after it ("Taro Kono, Japan's foreign minister,", "Tim Cook, chief executive of
//! Apple,", "Jeremy Corbyn of the Labour Party", "Otto Warmbier, an American
//! student,"). An office needs its country (or organization) in the text, or the
//! KB must know the person held an office with that title; "vice", "deputy",
//! "acting" and "-elect" titles are left alone, "former", "then" and "late" make
//! the relation past.

use super::sentence::Sentence;
use super::{Ctx, Node, Office, Predicate, Relation, RelationKind, Tense};
use crate::kb::PartialDate;
use crate::model::{EntityType, Link, Target};

/// Title words of offices that the KB may lack for some country.
const EXTRA_OFFICES: &[&str] = &[
    "leader",
    "supreme leader",
    "president",
    "prime minister",
    "premier",
    "chancellor",
    "foreign minister",
    "defence minister",
    "defense minister",
    "finance minister",
    "interior minister",
    "trade minister",
    "economy minister",
    "justice minister",
    "health minister",
    "unification minister",
    "foreign secretary",
    "home secretary",
    "secretary of state",
    "king",
    "queen",
    "emperor",
    "head of state",
    "speaker",
];

/// Roles in an organization ("chief executive of Apple").
const ORG_ROLES: &[&str] = &[
    "chief executive",
    "chief executive officer",
    "ceo",
    "chief financial officer",
    "cfo",
    "chief operating officer",
    "chief economist",
    "chairman",
    "chairwoman",
    "chair",
    "president",
    "vice president",
    "vice chairman",
    "director",
    "director general",
    "director-general",
    "managing director",
    "executive director",
    "head",
    "leader",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "secretary general",
    "secretary-general",
    "general secretary",
    "governor",
    "member",
    "official",
    "executive",
    "economist",
    "analyst",
    "editor",
    "correspondent",
    "reporter",
    "adviser",
    "advisor",
    "boss",
    "lawmaker",
    "legislator",
];

/// Nouns that describe a person of a nationality ("Japanese national",
/// "an American student").
const DESCRIPTORS: &[&str] = &[
    "national",
    "citizen",
    "defector",
    "student",
    "businessman",
    "businesswoman",
    "journalist",
    "reporter",
    "photographer",
    "schoolgirl",
    "schoolboy",
    "tourist",
    "activist",
    "missionary",
    "soldier",
    "dissident",
    "worker",
    "pastor",
    "billionaire",
    "entrepreneur",
    "writer",
    "author",
    "novelist",
    "artist",
    "singer",
    "actor",
    "actress",
    "footballer",
    "player",
    "athlete",
    "scientist",
    "engineer",
    "doctor",
    "professor",
    "academic",
    "scholar",
    "lawyer",
    "diplomat",
    "envoy",
    "counterpart",
    "politician",
    "abductee",
    "hostage",
    "detainee",
    "prisoner",
    "teenager",
    "spy",
    "investor",
    "banker",
    "tycoon",
    "filmmaker",
    "musician",
    "volunteer",
    "veteran",
    "pilot",
    "fisherman",
    "teacher",
    "nurse",
];

/// Words before a title that make the relation past.
const PAST: &[&str] = &["former", "then", "late", "onetime", "one-time", "erstwhile"];
/// Words before a title that change the office ("vice president" is not "president").
const BLOCK: &[&str] = &[
    "vice",
    "deputy",
    "assistant",
    "acting",
    "interim",
    "shadow",
    "junior",
    "associate",
    "under",
    "incoming",
    "prospective",
    "would-be",
    "future",
    "first",
];
/// Words before a title that change nothing.
const NEUTRAL: &[&str] = &["the", "a", "an", "current", "incumbent", "new", "veteran"];

/// The title lexicon of one KB.
pub(crate) struct Titles {
    /// Office titles: the KB's position titles and [`EXTRA_OFFICES`].
    offices: Vec<String>,
    /// Every phrase, as words, longest first.
    phrases: Vec<Vec<String>>,
}

impl Titles {
    pub(crate) fn new(kb: &crate::kb::Kb) -> Self {
        let mut offices: Vec<String> = kb
            .positions()
            .iter()
            .flat_map(|p| p.titles.iter().cloned())
            .chain(EXTRA_OFFICES.iter().map(|s| s.to_string()))
            .collect();
        offices.sort();
        offices.dedup();
        let mut phrases: Vec<Vec<String>> = offices
            .iter()
            .map(String::as_str)
            .chain(ORG_ROLES.iter().copied())
            .map(|t| t.split(' ').map(str::to_string).collect())
            .collect();
        phrases.sort_by(|a: &Vec<String>, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        phrases.dedup();
        Titles { offices, phrases }
    }

    fn is_office(&self, t: &str) -> bool {
        self.offices.iter().any(|o| o == t)
    }
}

fn is_role(t: &str) -> bool {
    ORG_ROLES.contains(&t)
}

/// A title phrase found in a sentence.
#[derive(Debug, Clone)]
struct Title {
    /// First item.
    first: usize,
    /// Last item.
    last: usize,
    /// The phrase, lower case.
    text: String,
    /// Written "ex-president".
    ex: bool,
}

/// The longest title phrase that ends at item `last`.
fn title_ending_at(ctx: &Ctx<'_>, s: &Sentence<'_>, last: usize) -> Option<Title> {
    'phrase: for p in &ctx.titles.phrases {
        let k = p.len();
        if k > last + 1 {
            continue;
        }
        let first = last + 1 - k;
        let mut ex = false;
        for (j, w) in p.iter().enumerate() {
            let i = first + j;
            let Some(word) = s.word(i) else {
                continue 'phrase;
            };
            let word = match word.strip_prefix("ex-") {
                Some(rest) if j == 0 => {
                    ex = true;
                    rest
                }
                _ => word,
            };
            if word.trim_end_matches('.') != w || (j > 0 && s.gap(i) != " ") {
                continue 'phrase;
            }
        }
        return Some(Title {
            first,
            last,
            text: p.join(" "),
            ex,
        });
    }
    None
}

/// The longest title phrase that starts at item `first`.
fn title_starting_at(ctx: &Ctx<'_>, s: &Sentence<'_>, first: usize) -> Option<Title> {
    'phrase: for p in &ctx.titles.phrases {
        for (j, w) in p.iter().enumerate() {
            let i = first + j;
            match s.word(i) {
                Some(word) if word.trim_end_matches('.') == w => {}
                _ => continue 'phrase,
            }
            if j > 0 && s.gap(i) != " " {
                continue 'phrase;
            }
        }
        return Some(Title {
            first,
            last: first + p.len() - 1,
            text: p.join(" "),
            ex: false,
        });
    }
    None
}

/// What the words before a title said about it.
#[derive(Debug, Default, Clone, Copy)]
struct Mods {
    past: bool,
    blocked: bool,
}

/// Skips modifier words backwards from item `i` (inclusive); returns the first
/// item before them.
fn mods_before(s: &Sentence<'_>, mut i: usize, mods: &mut Mods) -> Option<usize> {
    loop {
        let Some(w) = s.word(i) else {
            return Some(i);
        };
        if PAST.contains(&w) {
            mods.past = true;
        } else if BLOCK.contains(&w) {
            mods.blocked = true;
        } else if !NEUTRAL.contains(&w) {
            return Some(i);
        }
        if s.gap(i) != " " || i == 0 {
            return None;
        }
        i -= 1;
    }
}

/// The organization or country a title belongs to.
#[derive(Debug, Clone, Copy)]
struct Owner<'a> {
    link: &'a Link,
}

/// Extracts roles for every person in `sents`.
pub(crate) fn extract(ctx: &Ctx<'_>, sents: &[Sentence<'_>], out: &mut Vec<Relation>) {
    for s in sents {
        for i in 0..s.items.len() {
            if !s.is_person(i) {
                continue;
            }
            before(ctx, s, i, out);
            after(ctx, s, i, out);
        }
    }
    office_then_holder(ctx, sents, out);
}

/// Cues before person `p`.
fn before(ctx: &Ctx<'_>, s: &Sentence<'_>, p: usize, out: &mut Vec<Relation>) {
    if p == 0 {
        return;
    }
    let person = s.link(p).expect("a person");
    let gap = s.gap(p);
    let comma = gap == ", ";
    if gap != " " && !comma {
        return;
    }
    if let Some(t) = title_ending_at(ctx, s, p - 1) {
        let mut mods = Mods {
            past: t.ex,
            ..Mods::default()
        };
        let owner_at = if t.first == 0 || s.gap(t.first) != " " {
            None
        } else {
            mods_before(s, t.first - 1, &mut mods)
        };
        let owner = owner_at.and_then(|o| owner_of(s, o));
        if let Some(o) = owner_at.filter(|_| owner.is_some()) {
            // "the then North Korean leader": modifiers before the owner too
            if o > 0 && s.gap(o) == " " {
                mods_before(s, o - 1, &mut mods);
            }
        }
        match owner {
            Some(o) => {
                with_owner(ctx, s, person, o, &t.text, mods, "owner-title-name", out);
            }
            None if !comma && !mods.blocked => {
                if let Some(office) = held_office(ctx, person, &t.text, when(ctx, s, mods)) {
                    push_office(
                        ctx,
                        s,
                        person,
                        None,
                        office,
                        mods,
                        "title-name-kb",
                        0.9,
                        out,
                    );
                }
            }
            None => {}
        }
        return;
    }
    if comma {
        return;
    }
    // "Japan's Shinzo Abe", "Microsoft's Satya Nadella"
    if let Some(o) = owner_of(s, p - 1).filter(|_| s.possessive(p - 1)) {
        push_owner(ctx, s, person, o.link, "possessive-owner-name", out);
        return;
    }
    // "Japanese national Kenji Goto", "Japanese tennis player Naomi Osaka"
    if s.is_any(p - 1, DESCRIPTORS) {
        let mut first = p - 1;
        if first > 0 && s.gap(first) == " " && s.word(first - 1).is_some_and(is_plain_word) {
            first -= 1;
        }
        for f in [p - 1, first] {
            if f == 0 || s.gap(f) != " " {
                continue;
            }
            let mut mods = Mods::default();
            let Some(o) = mods_before(s, f - 1, &mut mods) else {
                continue;
            };
            if let Some(owner) = owner_of(s, o).filter(|x| x.link.etype == EntityType::Country) {
                push(
                    ctx,
                    s,
                    RelationKind::Nationality,
                    person,
                    Predicate::Citizenship,
                    Node::Entity(owner.link.target.clone()),
                    &[person, owner.link],
                    0.95,
                    "demonym-descriptor-name",
                    Mods::default(),
                    out,
                );
                return;
            }
        }
    }
}

/// A lower-case word that may qualify a descriptor ("tennis player").
fn is_plain_word(w: &str) -> bool {
    w.chars().all(|c| c.is_lowercase() || c == '-')
        && !NEUTRAL.contains(&w)
        && !PAST.contains(&w)
        && !BLOCK.contains(&w)
        && !matches!(w, "and" | "or" | "of" | "to" | "in" | "by" | "with" | "for")
}

/// Cues after person `p`: an appositive ("X, Japan's foreign minister,") or
/// "X of the Labour Party".
fn after(ctx: &Ctx<'_>, s: &Sentence<'_>, p: usize, out: &mut Vec<Relation>) {
    let person = s.link(p).expect("a person");
    if s.possessive(p) || p + 1 >= s.items.len() {
        return;
    }
    let gap = s.gap(p + 1);
    if gap == " " && s.is_word(p + 1, "of") {
        let mut o = p + 2;
        if s.is_word(o, "the") {
            o += 1;
        }
        let Some(owner) = owner_of(s, o).filter(|_| !s.possessive(o)) else {
            return;
        };
        push_owner(ctx, s, person, owner.link, "name-of-owner", out);
        return;
    }
    if gap != ", " {
        return;
    }
    // the appositive: [the|a|an] [owner ['s] | demonym] [mods] (title | descriptor) [of [the] owner]
    let mut i = p + 1;
    let mut mods = Mods::default();
    while s
        .word(i)
        .is_some_and(|w| NEUTRAL.contains(&w) || PAST.contains(&w) || BLOCK.contains(&w))
    {
        let w = s.word(i).unwrap_or("");
        mods.past |= PAST.contains(&w);
        mods.blocked |= BLOCK.contains(&w);
        i += 1;
    }
    let mut owner = None;
    if let Some(o) = owner_of(s, i) {
        owner = Some(o);
        i += 1;
        while s
            .word(i)
            .is_some_and(|w| PAST.contains(&w) || BLOCK.contains(&w))
        {
            let w = s.word(i).unwrap_or("");
            mods.past |= PAST.contains(&w);
            mods.blocked |= BLOCK.contains(&w);
            i += 1;
        }
    }
    if let Some(t) = title_starting_at(ctx, s, i) {
        let mut end = t.last + 1;
        if owner.is_none() && s.is_word(end, "of") {
            let mut o = end + 1;
            if s.is_word(o, "the") {
                o += 1;
            }
            if let Some(x) = owner_of(s, o).filter(|_| !s.possessive(o)) {
                owner = Some(x);
                end = o + 1;
            }
        }
        let closes = end >= s.items.len() || s.gap(end).trim_start().starts_with([',', ';', '.']);
        if let (Some(o), true) = (owner, closes) {
            with_owner(
                ctx,
                s,
                person,
                o,
                &t.text,
                mods,
                "name-appositive-title",
                out,
            );
        }
        return;
    }
    // "Otto Warmbier, an American student"
    if let Some(o) = owner.filter(|o| o.link.etype == EntityType::Country) {
        let mut d = i;
        if !s.is_any(d, DESCRIPTORS) && s.word(d).is_some_and(is_plain_word) {
            d += 1;
        }
        if s.is_any(d, DESCRIPTORS) {
            push(
                ctx,
                s,
                RelationKind::Nationality,
                person,
                Predicate::Citizenship,
                Node::Entity(o.link.target.clone()),
                &[person, o.link],
                0.95,
                "name-appositive-descriptor",
                Mods::default(),
                out,
            );
        }
    }
}

/// The country or organization at item `i`, if there is one.
fn owner_of<'a>(s: &Sentence<'a>, i: usize) -> Option<Owner<'a>> {
    let l = s.link(i)?;
    matches!(l.etype, EntityType::Country | EntityType::Org).then_some(Owner { link: l })
}

/// A title with its owner: an office of a country, an office or role in an
/// organization, or (for a country and a descriptor) nationality.
#[allow(clippy::too_many_arguments)]
fn with_owner(
    ctx: &Ctx<'_>,
    s: &Sentence<'_>,
    person: &Link,
    owner: Owner<'_>,
    title: &str,
    mods: Mods,
    rule: &'static str,
    out: &mut Vec<Relation>,
) {
    let at = when(ctx, s, mods);
    if !mods.blocked && ctx.titles.is_office(title) {
        if let Some(office) = office_of(ctx, owner.link, title, person, at) {
            push_office(
                ctx,
                s,
                person,
                Some(owner.link),
                office,
                mods,
                rule,
                0.95,
                out,
            );
            return;
        }
    }
    if owner.link.etype == EntityType::Org && is_role(title) {
        push_affiliation(ctx, s, person, owner.link, Some(title), rule, 0.9, out);
    }
}

/// The office with `title` of the country or organization `owner`: the KB's
/// position item when there is one, else (for a country) our own position node.
fn office_of(
    ctx: &Ctx<'_>,
    owner: &Link,
    title: &str,
    person: &Link,
    at: Option<PartialDate>,
) -> Option<Office> {
    let Target::Known(q) = &owner.target else {
        return None;
    };
    let positions = ctx.kb.positions();
    let of_owner = || positions.iter().filter(|p| p.country.as_deref() == Some(q));
    let suffix = format!(" {title}");
    let mut cands: Vec<&crate::kb::Position> = of_owner()
        .filter(|p| p.titles.iter().any(|t| t == title))
        .collect();
    if cands.is_empty() {
        cands = of_owner()
            .filter(|p| p.titles.iter().any(|t| t.ends_with(&suffix)))
            .collect();
    }
    match cands.len() {
        0 if owner.etype == EntityType::Country => {
            let country = ctx
                .kb
                .by_qid(q)
                .map_or_else(|| q.clone(), |e| ctx.kb.entity(e).label.clone());
            Some(Office::Local {
                country: q.clone(),
                title: title.to_string(),
                label: format!("{title} of {country}"),
            })
        }
        0 => None,
        1 => Some(Office::Known(cands[0].qid.clone())),
        _ => {
            // several offices share the title: the one the KB says the person held
            let held: Vec<&&crate::kb::Position> = cands
                .iter()
                .filter(|p| holds(ctx, person, &p.qid, at).is_some())
                .collect();
            (held.len() == 1).then(|| Office::Known(held[0].qid.clone()))
        }
    }
}

/// Whether the KB says `person` held the position `qid`: `Some(true)` when a
/// tenure covers `at` (or `at` is unknown), `Some(false)` when only other tenures.
fn holds(ctx: &Ctx<'_>, person: &Link, qid: &str, at: Option<PartialDate>) -> Option<bool> {
    let Target::Known(pq) = &person.target else {
        return None;
    };
    let e = ctx.kb.entity(ctx.kb.by_qid(pq)?);
    let mut any = None;
    for t in &e.positions {
        if ctx.kb.positions()[t.position].qid != qid {
            continue;
        }
        let covers = at.is_none_or(|d| covers(t.start, t.end, d));
        any = Some(any.unwrap_or(false) || covers);
    }
    any
}

/// Whether a tenure from `start` to `end` covers `d`, compared at the precision
/// both state.
pub(crate) fn covers(start: Option<PartialDate>, end: Option<PartialDate>, d: PartialDate) -> bool {
    let key = |x: PartialDate, prec: PartialDate| {
        (
            x.year,
            if prec.month == 0 { 0 } else { x.month },
            if prec.day == 0 || prec.month == 0 {
                0
            } else {
                x.day
            },
        )
    };
    let after_start = start.is_none_or(|s| key(s, d) <= key(d, s));
    let before_end = end.is_none_or(|e| key(d, e) <= key(e, d));
    after_start && before_end
}

/// The office with `title` that the KB says `person` held ("President Trump").
fn held_office(
    ctx: &Ctx<'_>,
    person: &Link,
    title: &str,
    at: Option<PartialDate>,
) -> Option<Office> {
    let Target::Known(pq) = &person.target else {
        return None;
    };
    let e = ctx.kb.entity(ctx.kb.by_qid(pq)?);
    let suffix = format!(" {title}");
    let mut cands: Vec<(&str, bool)> = Vec::new();
    for t in &e.positions {
        let p = &ctx.kb.positions()[t.position];
        if p.titles.iter().any(|x| x == title || x.ends_with(&suffix)) {
            let c = at.is_none_or(|d| covers(t.start, t.end, d));
            match cands.iter_mut().find(|x| x.0 == p.qid) {
                Some(x) => x.1 |= c,
                None => cands.push((&p.qid, c)),
            }
        }
    }
    if cands.len() > 1 {
        cands.retain(|x| x.1);
    }
    (cands.len() == 1).then(|| Office::Known(cands[0].0.to_string()))
}

/// The date the relation holds at: the one date the sentence states when it is
/// before the article's, else the article's date.
fn when(ctx: &Ctx<'_>, s: &Sentence<'_>, mods: Mods) -> Option<PartialDate> {
    stated_past(ctx, s).or(if mods.past { None } else { ctx.date })
}

/// The one date the sentence states, when it lies before the article's year.
fn stated_past(ctx: &Ctx<'_>, s: &Sentence<'_>) -> Option<PartialDate> {
    let d = super::dates::only(s, ctx.date)?;
    ctx.date.is_none_or(|a| d.year < a.year).then_some(d)
}

#[allow(clippy::too_many_arguments)]
fn push_office(
    ctx: &Ctx<'_>,
    s: &Sentence<'_>,
    person: &Link,
    owner: Option<&Link>,
    office: Office,
    mods: Mods,
    rule: &'static str,
    base: f32,
    out: &mut Vec<Relation>,
) {
    let base = if matches!(office, Office::Local { .. }) {
        base * 0.9
    } else {
        base
    };
    let links: Vec<&Link> = std::iter::once(person).chain(owner).collect();
    push(
        ctx,
        s,
        RelationKind::Position,
        person,
        Predicate::PositionHeld,
        Node::Office(office),
        &links,
        base,
        rule,
        mods,
        out,
    );
}

/// Person works for or belongs to an organization: `wdt:P102` for a party,
/// `wdt:P463` for a member, else `wdt:P108`.
/// A person tied to an owner ("Japan's Shinzo Abe", "Satya Nadella of
/// Microsoft"): a country gives the person's nationality, anything else an
/// affiliation.
fn push_owner(
    ctx: &Ctx<'_>,
    s: &Sentence<'_>,
    person: &Link,
    owner: &Link,
    rule: &'static str,
    out: &mut Vec<Relation>,
) {
    match owner.etype {
        EntityType::Country => push(
            ctx,
            s,
            RelationKind::Nationality,
            person,
            Predicate::Citizenship,
            Node::Entity(owner.target.clone()),
            &[person, owner],
            0.85,
            rule,
            Mods::default(),
            out,
        ),
        _ => push_affiliation(ctx, s, person, owner, None, rule, 0.85, out),
    }
}

#[allow(clippy::too_many_arguments)]
fn push_affiliation(
    ctx: &Ctx<'_>,
    s: &Sentence<'_>,
    person: &Link,
    org: &Link,
    role: Option<&str>,
    rule: &'static str,
    base: f32,
    out: &mut Vec<Relation>,
) {
    let party = match &org.target {
        Target::Known(q) => ctx
            .kb
            .by_qid(q)
            .is_some_and(|e| ctx.kb.entity(e).kind == "party"),
        Target::Unknown(_) => org.label.to_lowercase().ends_with(" party"),
    };
    let predicate = if party {
        Predicate::Party
    } else if matches!(role, Some("member" | "lawmaker" | "legislator")) {
        Predicate::MemberOf
    } else {
        Predicate::Employer
    };
    push(
        ctx,
        s,
        RelationKind::Affiliation,
        person,
        predicate,
        Node::Entity(org.target.clone()),
        &[person, org],
        base,
        rule,
        Mods::default(),
        out,
    );
}

#[allow(clippy::too_many_arguments)]
fn push(
    ctx: &Ctx<'_>,
    s: &Sentence<'_>,
    kind: RelationKind,
    subject: &Link,
    predicate: Predicate,
    object: Node,
    links: &[&Link],
    base: f32,
    rule: &'static str,
    mods: Mods,
    out: &mut Vec<Relation>,
) {
    if let Node::Entity(t) = &object {
        if *t == subject.target {
            return;
        }
    }
    let stated = stated_past(ctx, s);
    let past = mods.past || stated.is_some();
    out.push(Relation {
        kind,
        subject: Node::Entity(subject.target.clone()),
        predicate,
        object,
        sentence: s.index,
        start: s.start,
        end: s.end,
        confidence: super::confidence(base, links),
        rule,
        date: ctx.date,
        when: if kind == RelationKind::Position {
            stated
        } else {
            None
        },
        tense: if past && kind == RelationKind::Position {
            Tense::Past
        } else {
            Tense::Present
        },
        count: 1,
    });
}

/// "Japan's prime minister voiced hope ... . Shinzo Abe told ...": an office named
/// without its holder, and the next sentence opening with a person the KB says
/// held that office at the article's date.
fn office_then_holder(ctx: &Ctx<'_>, sents: &[Sentence<'_>], out: &mut Vec<Relation>) {
    for w in sents.windows(2) {
        let (s, next) = (&w[0], &w[1]);
        let Some(holder) = next.link(0).filter(|l| l.etype == EntityType::Per) else {
            continue;
        };
        if next.gap(0).trim().chars().any(char::is_alphanumeric) {
            continue;
        }
        for o in 0..s.items.len() {
            let Some(owner) = owner_of(s, o).filter(|x| x.link.etype == EntityType::Country) else {
                continue;
            };
            if !s.possessive(o) || s.gap(o + 1) != " " {
                continue;
            }
            let Some(t) = title_starting_at(ctx, s, o + 1) else {
                continue;
            };
            if !ctx.titles.is_office(&t.text) {
                continue;
            }
            // the title must not introduce a name of its own
            if s.is_person(t.last + 1) {
                continue;
            }
            let Some(Office::Known(q)) = office_of(ctx, owner.link, &t.text, holder, ctx.date)
            else {
                continue;
            };
            if ctx.date.is_none() || holds(ctx, holder, &q, ctx.date) != Some(true) {
                continue;
            }
            out.push(Relation {
                kind: RelationKind::Position,
                subject: Node::Entity(holder.target.clone()),
                predicate: Predicate::PositionHeld,
                object: Node::Office(Office::Known(q)),
                sentence: next.index,
                start: s.start,
                end: next.end,
                confidence: super::confidence(0.6, &[holder, owner.link]),
                rule: "office-then-holder",
                date: ctx.date,
                when: None,
                tense: Tense::Present,
                count: 1,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::covers;
    use crate::kb::PartialDate;

    fn d(s: &str) -> Option<PartialDate> {
        PartialDate::parse(s)
    }

    #[test]
    fn tenures_cover_dates_at_the_precision_both_state() {
        let (s, e) = (d("2012-12-26"), d("2020-09-16"));
        assert!(covers(s, e, d("2019-02-28").unwrap()));
        assert!(!covers(s, e, d("2008").unwrap()));
        assert!(
            covers(s, e, d("2012").unwrap()),
            "2012 overlaps the start year"
        );
        assert!(covers(s, e, d("2020-09").unwrap()));
        assert!(!covers(s, e, d("2020-10").unwrap()));
        assert!(covers(d("2011-12-17"), None, d("2019-02-28").unwrap()));
        assert!(covers(None, None, d("1990").unwrap()));
    }
}
