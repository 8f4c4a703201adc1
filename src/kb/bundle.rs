//! Conversion of the open entity sources into the generated tables of the
//! bundled KB (`data/kb/*-open.tsv`): the FB15k entities mapped to Wikidata
//! (with the FB15k validation and test triples, which say what an entity is and
//! how entities relate) and the Natural Earth populated places.
//!
//! Types come from the data: the Freebase types an entity is the subject of
//! (`/people/person/…` → PER, `/sports/sports_team/…` → ORG `sports`, …), the
//! relations it is the object of (a `place_of_birth` is a place), and its
//! Wikidata description as a fallback ("English football club", "city in Ohio").
//! Entities of other kinds (films, awards, genres, bands, …) are left out, and so
//! is every QID the hand-kept tables already define: they win. The rules and the
//! prior formula are documented in `data/kb/README.md`.
//!
//! The output is deterministic (rows sorted by QID number), so the committed
//! files can be checked against a fresh conversion.

use super::{AliasKind, Kb, KbEntity};
use crate::cues;
use crate::error::{Error, Result};
use crate::model::EntityType;
use crate::text::{fold_diacritics, name_key};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

/// The generated files, in the order [`bundle`] returns them.
pub const FILES: [&str; 3] = [
    "people-open.tsv",
    "organizations-open.tsv",
    "places-open.tsv",
];

/// The source files read from the `open-kb` directory.
pub const FB15K_ENTITIES: &str = "fb15k_entity2wikidata.json";
/// FB15k triple files (subject, relation, object as Freebase MIDs).
pub const FB15K_TRIPLES: [&str; 3] = ["fb15k_valid.txt", "fb15k237_test.txt", "fb15k237_valid.txt"];
/// Natural Earth populated places with QIDs.
pub const NATURAL_EARTH: &str = "natural_earth_populated_places.tsv";

/// True for a file name this module generates (`*-open.tsv`).
pub fn is_generated(name: &str) -> bool {
    name.ends_with("-open.tsv")
}

/// Highest prior a converted entity gets: the upper end of "known in their
/// region", below the hand-set well-known names (60+).
const MAX_PRIOR: u8 = 50;
/// How far below a hand-kept entity that shares one of its names a converted
/// entity stays (the linker's margin for bare family names is 15).
const BELOW_HAND: u8 = 15;
/// Longest alias kept, in characters.
const MAX_ALIAS_CHARS: usize = 60;

/// Freebase types whose subjects are people.
const PER_TYPES: &[&str] = &[
    "/people/person",
    "/people/deceased_person",
    "/film/actor",
    "/film/director",
    "/film/producer",
    "/film/writer",
    "/tv/tv_actor",
    "/tv/tv_producer",
    "/tv/tv_writer",
    "/tv/tv_personality",
    "/music/group_member",
    "/sports/pro_athlete",
    "/soccer/football_player",
    "/american_football/football_player",
    "/basketball/basketball_player",
    "/baseball/baseball_player",
    "/ice_hockey/hockey_player",
    "/olympics/olympic_athlete",
    "/government/politician",
    "/celebrities/celebrity",
    "/royalty/monarch",
    "/royalty/noble_person",
];
/// Freebase types whose subjects are sports teams, national teams and leagues.
const SPORTS_TYPES: &[&str] = &[
    "/sports/sports_team",
    "/sports/professional_sports_team",
    "/sports/sports_league",
    "/soccer/football_team",
    "/american_football/football_team",
    "/baseball/baseball_team",
    "/basketball/basketball_team",
    "/ice_hockey/hockey_team",
];
/// Freebase types of universities, colleges and schools.
const EDUCATION_TYPES: &[&str] = &[
    "/education/educational_institution",
    "/education/university",
];
/// Freebase types of broadcasters.
const MEDIA_TYPES: &[&str] = &[
    "/tv/tv_network",
    "/broadcast/broadcaster",
    "/broadcast/tv_station",
];
/// Freebase types of companies.
const COMPANY_TYPES: &[&str] = &[
    "/business/business_operation",
    "/business/consumer_company",
    "/film/production_company",
    "/film/film_distributor",
    "/music/record_label",
    "/aviation/airline",
];
/// Freebase types of organizations in general (the kind from the description).
const ORG_TYPES: &[&str] = &[
    "/organization/organization",
    "/organization/organization_member",
    "/organization/non_profit_organization",
    "/organization/membership_organization",
    "/organization/endowed_organization",
    "/business/employer",
    "/government/governmental_body",
];
/// Freebase types of places.
const LOC_TYPES: &[&str] = &[
    "/location/location",
    "/location/citytown",
    "/location/hud_county_place",
    "/location/hud_foreclosure_area",
    "/location/us_county",
    "/location/us_state",
    "/location/administrative_division",
    "/location/capital_of_administrative_division",
    "/location/statistical_region",
    "/location/dated_location",
    "/government/governmental_jurisdiction",
];
/// Freebase types of cities and towns.
const CITY_TYPES: &[&str] = &["/location/citytown", "/location/hud_county_place"];
/// Freebase types of regions.
const REGION_TYPES: &[&str] = &[
    "/location/us_county",
    "/location/us_state",
    "/location/administrative_division",
];
/// Subject types that say nothing about the kind of entity: an entity with only
/// these is typed by the relations it is the object of, or its description.
const NEUTRAL_TYPES: &[&str] = &[
    "/common/topic",
    "/award/award_nominee",
    "/award/award_winner",
    "/award/ranked_item",
    "/influence/influence_node",
    "/music/artist",
    "/travel/travel_destination",
];

/// Relations whose object is a place.
const LOC_OBJECT: &[&str] = &[
    "/location/location/contains",
    "/location/location/containedby",
    "/people/person/place_of_birth",
    "/people/person/places_lived./people/place_lived/location",
    "/people/deceased_person/place_of_death",
    "/sports/sports_team/location",
    "/organization/organization/headquarters./location/mailing_address/citytown",
    "/organization/organization/place_founded",
];
/// Relations whose object is a person.
const PER_OBJECT: &[&str] = &[
    "/people/person/spouse_s./people/marriage/spouse",
    "/people/person/sibling_s./people/sibling_relationship/sibling",
    "/people/person/children",
    "/people/person/parents",
    "/influence/influence_node/influenced_by",
    "/film/film/starring./film/performance/actor",
    "/tv/tv_program/regular_cast./tv/regular_tv_appearance/actor",
];
/// Relations whose object is a school.
const EDUCATION_OBJECT: &[&str] = &["/people/person/education./education/education/institution"];

/// Description words of things that are none of the KB's kinds.
const THING_WORDS: &[&str] = &[
    "film",
    "films",
    "series",
    "album",
    "song",
    "single",
    "novel",
    "book",
    "band",
    "duo",
    "trio",
    "group",
    "award",
    "prize",
    "genre",
    "character",
    "episode",
    "programme",
    "program",
    "show",
    "game",
    "festival",
    "ceremony",
    "disease",
    "language",
    "religion",
    "sitcom",
    "soundtrack",
    "musical",
    "opera",
    "play",
    "magazine",
    "video",
    "franchise",
    "season",
    "tournament",
    "championship",
    "competition",
    "cup",
    "war",
    "battle",
    "ethnic",
    "species",
    "breed",
    "instrument",
    "compound",
    "dish",
    "food",
    "drink",
    "style",
    "movement",
    "profession",
    "occupation",
    "position",
    "title",
    "degree",
    "event",
];
/// Description words of people, beside the professions the triples name.
const PERSON_WORDS: &[&str] = &[
    "actor",
    "actress",
    "singer",
    "songwriter",
    "rapper",
    "musician",
    "composer",
    "guitarist",
    "drummer",
    "pianist",
    "footballer",
    "player",
    "cricketer",
    "athlete",
    "boxer",
    "wrestler",
    "golfer",
    "cyclist",
    "swimmer",
    "sprinter",
    "runner",
    "skier",
    "jockey",
    "coach",
    "manager",
    "politician",
    "statesman",
    "diplomat",
    "minister",
    "president",
    "senator",
    "governor",
    "mayor",
    "judge",
    "lawyer",
    "monarch",
    "king",
    "queen",
    "prince",
    "princess",
    "emperor",
    "writer",
    "author",
    "novelist",
    "poet",
    "playwright",
    "screenwriter",
    "journalist",
    "director",
    "filmmaker",
    "producer",
    "comedian",
    "presenter",
    "host",
    "businessman",
    "businesswoman",
    "businessperson",
    "entrepreneur",
    "philosopher",
    "scientist",
    "physicist",
    "chemist",
    "mathematician",
    "economist",
    "historian",
    "engineer",
    "inventor",
    "architect",
    "painter",
    "sculptor",
    "artist",
    "designer",
    "model",
    "dancer",
    "choreographer",
    "officer",
    "general",
    "soldier",
    "astronaut",
    "activist",
    "theologian",
    "priest",
    "bishop",
    "pope",
    "personality",
    "performer",
    "entertainer",
    "photographer",
    "cinematographer",
    "animator",
    "editor",
    "critic",
    "philanthropist",
    "physician",
    "psychologist",
    "sociologist",
    "explorer",
    "aviator",
    "chef",
    "lyricist",
    "conductor",
    "violinist",
    "cellist",
    "bassist",
    "dj",
];
/// Description phrases of sports clubs and teams.
const SPORTS_PHRASES: &[&str] = &[
    "football club",
    "soccer club",
    "sports club",
    "rugby club",
    "football team",
    "soccer team",
    "basketball team",
    "baseball team",
    "hockey team",
    "cricket team",
    "rugby team",
    "sports team",
    "national team",
    "rugby union club",
    "rugby league club",
    "sports league",
    "football league",
];
/// Description words of companies.
const COMPANY_WORDS: &[&str] = &[
    "company",
    "corporation",
    "manufacturer",
    "airline",
    "bank",
    "conglomerate",
    "retailer",
    "publisher",
    "label",
    "brand",
    "studio",
    "studios",
    "automaker",
    "carmaker",
    "subsidiary",
    "firm",
    "chain",
    "insurer",
    "operator",
    "multinational",
    "business",
    "enterprise",
];
/// Description words of broadcasters and newspapers.
const MEDIA_WORDS: &[&str] = &["network", "broadcaster", "channel", "newspaper", "station"];
/// Description words of schools.
const EDUCATION_WORDS: &[&str] = &[
    "university",
    "college",
    "school",
    "academy",
    "institute",
    "polytechnic",
    "conservatory",
];
/// Description words of cities and towns.
const CITY_WORDS: &[&str] = &[
    "city",
    "town",
    "village",
    "municipality",
    "capital",
    "seat",
    "borough",
    "suburb",
    "commune",
    "comune",
    "neighborhood",
    "neighbourhood",
    "metropolis",
    "port",
    "hamlet",
    "township",
];
/// Description words of regions.
const REGION_WORDS: &[&str] = &[
    "state",
    "province",
    "county",
    "region",
    "department",
    "prefecture",
    "oblast",
    "governorate",
    "district",
    "canton",
    "emirate",
    "territory",
    "voivodeship",
    "krai",
];
/// Description words of other places.
const PLACE_WORDS: &[&str] = &[
    "island",
    "islands",
    "archipelago",
    "peninsula",
    "river",
    "lake",
    "mountain",
    "mountains",
    "sea",
    "ocean",
    "bay",
    "valley",
    "desert",
    "area",
    "place",
];

/// One entity of the FB15k mapping.
#[derive(serde::Deserialize)]
struct FbEntity {
    wikidata_id: String,
    label: Option<String>,
    #[serde(default)]
    alternatives: Vec<String>,
    description: Option<String>,
}

/// A converted entity before it is written.
#[derive(Debug, Clone)]
struct Record {
    qid: String,
    etype: EntityType,
    kind: &'static str,
    label: String,
    aliases: Vec<String>,
    acronyms: Vec<String>,
    description: Option<String>,
    country: Option<String>,
    citizenship: Vec<String>,
    prior: u8,
}

/// What the hand-kept tables already say.
struct Hand<'k> {
    kb: &'k Kb,
    /// Normalized name → highest prior of a hand-kept entity with that name.
    names: HashMap<String, u8>,
    /// Normalized family name → highest prior of a hand-kept person with it.
    surnames: HashMap<String, u8>,
    /// Normalized country name or alias → country QID.
    country_names: HashMap<String, String>,
    /// Normalized demonym → country QID.
    demonyms: HashMap<String, String>,
    /// Normalized place name → the place's country QID (hand-kept places).
    place_country: HashMap<String, String>,
}

fn keys(name: &str) -> Vec<String> {
    let mut out = vec![name_key(name)];
    if let Some(f) = fold_diacritics(name) {
        out.push(name_key(&f));
    }
    out
}

impl<'k> Hand<'k> {
    fn new(kb: &'k Kb) -> Self {
        let mut names: HashMap<String, u8> = HashMap::new();
        let mut surnames: HashMap<String, u8> = HashMap::new();
        let mut country_names = HashMap::new();
        let mut demonyms = HashMap::new();
        let mut place_country = HashMap::new();
        for (_, e) in kb.iter() {
            for (n, kind) in &e.names {
                for k in keys(n) {
                    let p = names.entry(k.clone()).or_insert(e.prior);
                    *p = (*p).max(e.prior);
                    if e.etype == EntityType::Country {
                        if *kind == AliasKind::Demonym {
                            demonyms.entry(k).or_insert_with(|| e.qid.clone());
                        } else {
                            country_names.entry(k).or_insert_with(|| e.qid.clone());
                        }
                    } else if e.etype == EntityType::Loc {
                        if let Some(c) = e.country {
                            place_country
                                .entry(k)
                                .or_insert_with(|| kb.entity(c).qid.clone());
                        }
                    }
                }
            }
            if e.etype == EntityType::Per {
                if let Some(last) = family_name(&e.label) {
                    for k in keys(last) {
                        let p = surnames.entry(k).or_insert(e.prior);
                        *p = (*p).max(e.prior);
                    }
                }
            }
        }
        Hand {
            kb,
            names,
            surnames,
            country_names,
            demonyms,
            place_country,
        }
    }

    fn is_country(&self, qid: &str) -> bool {
        self.kb
            .by_qid(qid)
            .is_some_and(|id| self.kb.etype(id) == EntityType::Country)
    }

    /// The country a hand-kept entity is or lies in.
    fn country_of(&self, qid: &str) -> Option<String> {
        let id = self.kb.by_qid(qid)?;
        let e = self.kb.entity(id);
        match e.etype {
            EntityType::Country => Some(e.qid.clone()),
            _ => e.country.map(|c| self.kb.entity(c).qid.clone()),
        }
    }

    /// Countries named by demonym at the start of a description ("English
    /// football club", "US-American keyboardist", "South Korean singer").
    fn demonym_countries(&self, description: &str) -> Vec<String> {
        let head = description.split([',', '(', ';']).next().unwrap_or("");
        let words: Vec<&str> = head.split_whitespace().collect();
        let mut out = Vec::new();
        let mut i = 0;
        'words: while i < words.len().min(4) {
            for len in (1..=3).rev() {
                if i + len > words.len() {
                    continue;
                }
                let phrase = words[i..i + len].join(" ");
                // "British–American", "US-American": each part
                for part in phrase.split(['-', '–', '/']) {
                    if let Some(q) = self.demonyms.get(&name_key(part)) {
                        if !out.contains(q) {
                            out.push(q.clone());
                        }
                    }
                }
                if self.demonyms.contains_key(&name_key(&phrase)) {
                    let q = &self.demonyms[&name_key(&phrase)];
                    if !out.contains(q) {
                        out.push(q.clone());
                    }
                    i += len;
                    continue 'words;
                }
            }
            if !out.is_empty() {
                break;
            }
            i += 1;
        }
        out
    }

    /// The country a national body is named after ("Belgium national football team").
    fn national_country(&self, label: &str) -> Option<String> {
        let (country, _) = label.split_once(" national ")?;
        self.country_names.get(&name_key(country)).cloned()
    }

    /// The country a description places its entity in: the last part after
    /// " in " or " from " that is a hand-kept country or place ("city in
    /// Texas, United States" → the United States).
    fn described_country(&self, description: &str) -> Option<String> {
        let tail = [" in ", " from ", " of "]
            .iter()
            .filter_map(|p| description.rfind(p).map(|i| &description[i + p.len()..]))
            .min_by_key(|t| t.len())?;
        let tail = tail.split(['(', ';']).next().unwrap_or("");
        for part in tail.rsplit(',') {
            let k = name_key(part.trim().trim_start_matches("the "));
            if let Some(q) = self.country_names.get(&k) {
                return Some(q.clone());
            }
            if let Some(q) = self.place_country.get(&k) {
                return Some(q.clone());
            }
        }
        None
    }
}

/// The family name the index derives from a person's label: the last word
/// that is not a particle (close enough to compare against hand-kept people).
fn family_name(label: &str) -> Option<&str> {
    label
        .split_whitespace()
        .rev()
        .map(|w| w.trim_end_matches(','))
        .find(|w| {
            w.chars().count() >= 3
                && w.chars().next().is_some_and(char::is_uppercase)
                && !w.chars().all(|c| matches!(c, 'I' | 'V' | 'X' | 'L' | '.'))
                && !matches!(w.to_lowercase().as_str(), "jr." | "sr.")
        })
        .filter(|_| label.split_whitespace().count() >= 2)
}

fn words_lower(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The first clause of a description: before a comma, a bracket or a preposition
/// that starts a complement ("1994 film by …", "city in Texas").
fn first_clause(description: &str) -> String {
    let d = description.to_lowercase();
    let mut end = d.len();
    for stop in [
        ",",
        "(",
        ";",
        " by ",
        " of ",
        " from ",
        " in ",
        " for ",
        " based ",
        " directed ",
        " who ",
        " that ",
        " located ",
        " born ",
    ] {
        if let Some(i) = d.find(stop) {
            end = end.min(i);
        }
    }
    d[..end].to_string()
}

fn contains_any(words: &[String], list: &[&str]) -> bool {
    words.iter().any(|w| list.contains(&w.as_str()))
}

/// Type and kind from a description alone.
fn type_from_description(
    description: &str,
    professions: &HashSet<String>,
) -> Option<(EntityType, &'static str)> {
    let lower = description.to_lowercase();
    let clause = first_clause(description);
    let words = words_lower(&clause);
    if words.is_empty() {
        return None;
    }
    if SPORTS_PHRASES.iter().any(|p| lower.contains(p)) {
        return Some((EntityType::Org, "sports"));
    }
    if clause.contains("political party") || lower.starts_with("political party") {
        return Some((EntityType::Org, "party"));
    }
    if contains_any(&words, THING_WORDS) {
        return None;
    }
    if contains_any(&words, EDUCATION_WORDS) {
        return Some((EntityType::Org, "education"));
    }
    if contains_any(&words, MEDIA_WORDS) {
        return Some((EntityType::Org, "media"));
    }
    if contains_any(&words, COMPANY_WORDS) {
        return Some((EntityType::Org, "company"));
    }
    if contains_any(&words, PERSON_WORDS)
        || professions.iter().any(|p| {
            clause == *p
                || clause.ends_with(&format!(" {p}"))
                || clause.contains(&format!(" {p} "))
                || clause.starts_with(&format!("{p} "))
        })
    {
        return Some((EntityType::Per, ""));
    }
    if contains_any(&words, CITY_WORDS) {
        return Some((EntityType::Loc, "city"));
    }
    if contains_any(&words, REGION_WORDS) {
        return Some((EntityType::Loc, "region"));
    }
    if contains_any(&words, PLACE_WORDS) {
        return Some((EntityType::Loc, "other"));
    }
    None
}

/// The kind of a place from its Freebase types and description.
fn place_kind(types: &BTreeSet<String>, description: &str) -> &'static str {
    let has = |list: &[&str]| types.iter().any(|t| list.contains(&t.as_str()));
    let words = words_lower(&first_clause(description));
    if has(CITY_TYPES) || contains_any(&words, CITY_WORDS) {
        "city"
    } else if has(REGION_TYPES) || contains_any(&words, REGION_WORDS) {
        "region"
    } else {
        "other"
    }
}

/// The kind of an organization of a general Freebase type, from its description.
fn org_kind(description: &str) -> &'static str {
    let lower = description.to_lowercase();
    let words = words_lower(&first_clause(description));
    if SPORTS_PHRASES.iter().any(|p| lower.contains(p)) {
        "sports"
    } else if lower.contains("political party") {
        "party"
    } else if contains_any(&words, EDUCATION_WORDS) {
        "education"
    } else if contains_any(&words, MEDIA_WORDS) {
        "media"
    } else if contains_any(&words, COMPANY_WORDS) {
        "company"
    } else {
        "other"
    }
}

/// What the triples say about one entity.
#[derive(Default)]
struct Facts {
    /// `/domain/type` of every relation it is the subject of.
    subject_types: BTreeSet<String>,
    /// Relations it is the object of.
    object_relations: BTreeSet<String>,
    /// How many triples mention it.
    triples: u32,
}

fn classify(
    facts: &Facts,
    description: &str,
    professions: &HashSet<String>,
) -> Option<(EntityType, &'static str)> {
    let has = |list: &[&str]| {
        facts
            .subject_types
            .iter()
            .any(|t| list.contains(&t.as_str()))
    };
    if has(PER_TYPES) {
        return Some((EntityType::Per, ""));
    }
    if has(SPORTS_TYPES) {
        return Some((EntityType::Org, "sports"));
    }
    if facts.subject_types.contains("/government/political_party") {
        return Some((EntityType::Org, "party"));
    }
    if has(EDUCATION_TYPES) {
        return Some((EntityType::Org, "education"));
    }
    if has(MEDIA_TYPES) {
        return Some((EntityType::Org, "media"));
    }
    if has(COMPANY_TYPES) {
        return Some((EntityType::Org, "company"));
    }
    if has(ORG_TYPES) {
        return Some((EntityType::Org, org_kind(description)));
    }
    if facts.subject_types.contains("/location/country") {
        // countries are the hand-kept table's: a country it lacks (a former
        // state, a kingdom item) is left out
        return None;
    }
    if has(LOC_TYPES) {
        // a campus is a location too: the description says it is a school
        if let Some((EntityType::Org, kind)) = type_from_description(description, professions) {
            return Some((EntityType::Org, kind));
        }
        return Some((
            EntityType::Loc,
            place_kind(&facts.subject_types, description),
        ));
    }
    // any other subject type (film, award, genre, profession, …) is not ours
    let neutral = facts.subject_types.iter().all(|t| {
        NEUTRAL_TYPES.contains(&t.as_str()) || t.starts_with("/base/") || t.starts_with("/user/")
    });
    if !neutral {
        return None;
    }
    let object = |list: &[&str]| {
        facts
            .object_relations
            .iter()
            .any(|r| list.contains(&r.as_str()))
    };
    let described = type_from_description(description, professions);
    if object(PER_OBJECT) {
        return Some((EntityType::Per, ""));
    }
    if facts.object_relations.iter().any(|r| {
        let domain = r.split('/').nth(1).unwrap_or("");
        r.ends_with("/team")
            && matches!(
                domain,
                "sports"
                    | "soccer"
                    | "american_football"
                    | "basketball"
                    | "baseball"
                    | "ice_hockey"
            )
    }) {
        return Some((EntityType::Org, "sports"));
    }
    if object(EDUCATION_OBJECT) {
        return Some((EntityType::Org, "education"));
    }
    if object(LOC_OBJECT) {
        return match described {
            Some((EntityType::Loc, kind)) => Some((EntityType::Loc, kind)),
            Some(_) => None,
            None => Some((
                EntityType::Loc,
                place_kind(&facts.subject_types, description),
            )),
        };
    }
    described
}

/// An alias that is usable: has letters, is not too long, no separators or
/// quotes, not a common noun (lower-case start), not a function word.
fn clean_alias(a: &str) -> Option<String> {
    let a = a.trim();
    if a.is_empty()
        || a.chars().count() > MAX_ALIAS_CHARS
        || !a.chars().any(char::is_alphabetic)
        || a.contains(['|', '\t', '\n', '\r', '"'])
        || a.contains("''")
        || a.chars().next().is_some_and(char::is_lowercase)
    {
        return None;
    }
    if !a.chars().all(is_latin) {
        return None;
    }
    if !a.contains(' ')
        && (cues::contains(cues::NOT_NAMES, a) || cues::contains(cues::AMBIGUOUS_LOWER, a))
    {
        return None;
    }
    Some(a.to_string())
}

/// Letters of the Latin script (Basic Latin to Latin Extended-B, Latin
/// Extended Additional).
fn is_latin(c: char) -> bool {
    !c.is_alphabetic() || (c as u32) < 0x250 || (0x1E00..0x1F00).contains(&(c as u32))
}

/// "NATO", "U.N.", "AT&T": an acronym (2–6 letters, all capitals).
fn is_acronym(a: &str) -> bool {
    let letters = a.chars().filter(|c| c.is_alphabetic()).count();
    (2..=6).contains(&letters)
        && a.chars()
            .all(|c| c.is_uppercase() || c.is_ascii_digit() || matches!(c, '.' | '&'))
}

fn qid_number(q: &str) -> u64 {
    q[1..].parse().unwrap_or(u64::MAX)
}

/// `10 + 20·log10(1 + n)` for an entity in `n` FB15k triples, at most [`MAX_PRIOR`].
fn fb15k_prior(triples: u32) -> u8 {
    let p = 10.0 + 20.0 * (1.0 + f64::from(triples)).log10();
    (p.round() as u32).min(u32::from(MAX_PRIOR)) as u8
}

/// `10·log10(population) − 30` clamped to 5–40, plus 10 for a national capital
/// and 5 for a regional one, at most [`MAX_PRIOR`].
fn natural_earth_prior(population: f64, feature: &str) -> u8 {
    let base = (10.0 * population.max(1.0).log10() - 30.0)
        .round()
        .clamp(5.0, 40.0) as u8;
    let bonus = match feature {
        "Admin-0 capital" | "Admin-0 capital alt" => 10,
        "Admin-1 capital" | "Admin-1 region capital" | "Admin-0 region capital" => 5,
        _ => 0,
    };
    (base + bonus).min(MAX_PRIOR)
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::Kb(format!("{}: {e}", path.display())))
}

/// Converts the sources in `open_kb` into the generated tables, given the
/// hand-kept tables in `hand_files` (`(file name, content)`, the generated
/// files among them are skipped). Returns `(file name, content)` for
/// [`FILES`].
pub fn bundle<'a>(
    open_kb: &Path,
    hand_files: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<Vec<(&'static str, String)>> {
    let hand_kb = Kb::from_sources(hand_files.into_iter().filter(|(n, _)| !is_generated(n)))?;
    let hand = Hand::new(&hand_kb);

    let fb: BTreeMap<String, FbEntity> =
        serde_json::from_str(&read(&open_kb.join(FB15K_ENTITIES))?)
            .map_err(|e| Error::Kb(format!("{FB15K_ENTITIES}: {e}")))?;
    let mut facts: HashMap<String, Facts> = HashMap::new();
    let mut triples: Vec<(String, String, String)> = Vec::new();
    for file in FB15K_TRIPLES {
        for (i, line) in read(&open_kb.join(file))?.lines().enumerate() {
            let mut cells = line.split('\t');
            let (Some(s), Some(r), Some(o)) = (cells.next(), cells.next(), cells.next()) else {
                return Err(Error::parse(
                    file,
                    i + 1,
                    "expected subject, relation, object",
                ));
            };
            let domain_type = r.split('/').take(3).collect::<Vec<_>>().join("/");
            let f = facts.entry(s.to_string()).or_default();
            f.subject_types.insert(domain_type);
            f.triples += 1;
            let f = facts.entry(o.to_string()).or_default();
            f.object_relations.insert(r.to_string());
            f.triples += 1;
            triples.push((s.to_string(), r.to_string(), o.to_string()));
        }
    }
    // professions named by the data: objects of /people/person/profession
    let professions: HashSet<String> = triples
        .iter()
        .filter(|t| t.1 == "/people/person/profession")
        .filter_map(|t| fb.get(&t.2)?.label.as_ref())
        .map(|l| l.to_lowercase())
        .collect();
    let qid_of_mid = |mid: &str| fb.get(mid).map(|e| e.wikidata_id.as_str());

    // FB15k entities of the KB's kinds
    let empty = Facts::default();
    let mut records: BTreeMap<u64, Record> = BTreeMap::new();
    for (mid, e) in &fb {
        let qid = e.wikidata_id.trim();
        if !super::is_qid(qid) || hand_kb.by_qid(qid).is_some() {
            continue;
        }
        let Some(label) = e.label.as_deref().map(str::trim).filter(|l| !l.is_empty()) else {
            continue;
        };
        let description = e.description.as_deref().unwrap_or("").trim();
        let f = facts.get(mid).unwrap_or(&empty);
        let Some((etype, kind)) = classify(f, description, &professions) else {
            continue;
        };
        let prior = fb15k_prior(f.triples);
        match records.get_mut(&qid_number(qid)) {
            Some(r) => {
                r.prior = r.prior.max(prior);
                r.aliases.extend(e.alternatives.iter().cloned());
            }
            None => {
                records.insert(
                    qid_number(qid),
                    Record {
                        qid: qid.to_string(),
                        etype,
                        kind,
                        label: label.to_string(),
                        aliases: e.alternatives.clone(),
                        acronyms: Vec::new(),
                        description: Some(description.to_string()).filter(|d| !d.is_empty()),
                        country: None,
                        citizenship: Vec::new(),
                        prior,
                    },
                );
            }
        }
    }

    // Natural Earth populated places
    let ne = read(&open_kb.join(NATURAL_EARTH))?;
    let mut lines = ne.lines();
    let header: HashMap<&str, usize> = lines
        .next()
        .unwrap_or("")
        .split('\t')
        .enumerate()
        .map(|(i, h)| (h, i))
        .collect();
    let col = |name: &str| -> Result<usize> {
        header
            .get(name)
            .copied()
            .ok_or_else(|| Error::Kb(format!("{NATURAL_EARTH}: no column {name}")))
    };
    let (c_qid, c_name, c_ascii, c_alt, c_en, c_adm0, c_a3, c_feature, c_pop) = (
        col("wikidataid")?,
        col("name")?,
        col("nameascii")?,
        col("namealt")?,
        col("name_en")?,
        col("adm0name")?,
        col("adm0_a3")?,
        col("featurecla")?,
        col("pop_max")?,
    );
    let hand_entities: Vec<std::sync::Arc<KbEntity>> = hand_kb.iter().map(|(_, e)| e).collect();
    let iso3: HashMap<&str, &str> = hand_entities
        .iter()
        .filter(|e| e.etype == EntityType::Country)
        .flat_map(|e| e.iso.iter().map(move |i| (i.as_str(), e.qid.as_str())))
        .collect();
    // the most populous row of a QID
    let mut places: BTreeMap<u64, (f64, Vec<&str>)> = BTreeMap::new();
    for line in lines {
        let cells: Vec<&str> = line.split('\t').collect();
        let get = |i: usize| cells.get(i).map(|s| s.trim()).unwrap_or("");
        let qid = get(c_qid);
        if !super::is_qid(qid) || hand_kb.by_qid(qid).is_some() {
            continue;
        }
        let feature = get(c_feature);
        if feature == "Scientific station" {
            continue;
        }
        let pop: f64 = get(c_pop).parse().unwrap_or(0.0);
        match places.get(&qid_number(qid)) {
            Some((p, _)) if *p >= pop => {}
            _ => {
                places.insert(qid_number(qid), (pop, cells.clone()));
            }
        }
    }
    for (n, (pop, cells)) in &places {
        let get = |i: usize| cells.get(i).map(|s| s.trim()).unwrap_or("");
        let feature = get(c_feature);
        let label = if get(c_en).is_empty() {
            get(c_name)
        } else {
            get(c_en)
        };
        // other spellings of the same name (not of a neighbouring place: the
        // same first three letters, folded)
        let stem = |s: &str| -> String {
            let f = fold_diacritics(s).unwrap_or_else(|| s.to_string());
            f.to_lowercase()
                .chars()
                .filter(|c| c.is_alphanumeric())
                .take(3)
                .collect()
        };
        let mut aliases: Vec<String> = [get(c_name), get(c_ascii)]
            .into_iter()
            .chain(get(c_alt).split(','))
            .map(str::trim)
            .filter(|a| !a.is_empty() && stem(a) == stem(label))
            .map(String::from)
            .collect();
        let country = iso3
            .get(get(c_a3))
            .map(|q| q.to_string())
            .or_else(|| hand.country_names.get(&name_key(get(c_adm0))).cloned());
        let kind = match feature {
            "Admin-0 capital" | "Admin-0 capital alt" => "capital",
            "Historic place" => "other",
            _ => "city",
        };
        let prior = natural_earth_prior(*pop, feature);
        match records.get_mut(n) {
            Some(r) if r.etype == EntityType::Loc => {
                r.prior = r.prior.max(prior);
                r.kind = kind;
                r.aliases.append(&mut aliases);
                r.aliases.push(label.to_string());
                if country.is_some() {
                    r.country = country;
                }
            }
            Some(_) => {}
            None => {
                records.insert(
                    *n,
                    Record {
                        qid: get(c_qid).to_string(),
                        etype: EntityType::Loc,
                        kind,
                        label: label.to_string(),
                        aliases,
                        acronyms: Vec::new(),
                        description: None,
                        country,
                        citizenship: Vec::new(),
                        prior,
                    },
                );
            }
        }
    }

    // relations: citizenship, the country of places and organizations
    let by_qid: HashMap<String, u64> = records.iter().map(|(n, r)| (r.qid.clone(), *n)).collect();
    let country_of = |records: &BTreeMap<u64, Record>, qid: &str| -> Option<String> {
        if let Some(c) = hand.country_of(qid) {
            return Some(c);
        }
        records.get(by_qid.get(qid)?)?.country.clone()
    };
    // a place inside a country (or inside a place with a known country),
    // settled in rounds so that containment chains resolve
    for _ in 0..3 {
        let mut found: BTreeMap<u64, BTreeSet<String>> = BTreeMap::new();
        for (s, r, o) in &triples {
            let (outer, inner) = match r.as_str() {
                "/location/location/contains" => (s, o),
                "/location/location/containedby"
                | "/location/administrative_division/country"
                | "/base/biblioness/bibs_location/country" => (o, s),
                _ => continue,
            };
            let (Some(outer), Some(inner)) = (qid_of_mid(outer), qid_of_mid(inner)) else {
                continue;
            };
            let Some(&n) = by_qid.get(inner) else {
                continue;
            };
            if records[&n].etype != EntityType::Loc || records[&n].country.is_some() {
                continue;
            }
            if let Some(c) = country_of(&records, outer) {
                found.entry(n).or_default().insert(c);
            }
        }
        if found.is_empty() {
            break;
        }
        for (n, cs) in found {
            // several countries (the United Kingdom and England): a constituent
            // country or territory before a sovereign state, then the lowest QID
            let c = cs
                .iter()
                .min_by_key(|c| {
                    (
                        hand_kb
                            .by_qid(c)
                            .is_some_and(|id| hand_kb.entity(id).kind == "state"),
                        qid_number(c),
                    )
                })
                .cloned();
            if let Some(r) = records.get_mut(&n) {
                r.country = c;
            }
        }
    }
    let mut citizenship: BTreeMap<u64, BTreeSet<String>> = BTreeMap::new();
    let mut org_country: BTreeMap<u64, BTreeSet<String>> = BTreeMap::new();
    for (s, r, o) in &triples {
        let (Some(sq), Some(oq)) = (qid_of_mid(s), qid_of_mid(o)) else {
            continue;
        };
        let Some(&n) = by_qid.get(sq) else {
            continue;
        };
        match (records[&n].etype, r.as_str()) {
            (EntityType::Per, "/people/person/nationality") if hand.is_country(oq) => {
                citizenship.entry(n).or_default().insert(oq.to_string());
            }
            (
                EntityType::Org,
                "/sports/sports_team/location"
                | "/organization/organization/headquarters./location/mailing_address/country"
                | "/organization/organization/headquarters./location/mailing_address/citytown"
                | "/organization/organization/place_founded",
            ) => {
                if let Some(c) = country_of(&records, oq) {
                    org_country.entry(n).or_default().insert(c);
                }
            }
            _ => {}
        }
    }
    for (n, r) in records.iter_mut() {
        let description = r.description.clone().unwrap_or_default();
        match r.etype {
            EntityType::Per => {
                r.citizenship = match citizenship.remove(n) {
                    Some(c) => c.into_iter().collect(),
                    None => hand.demonym_countries(&description),
                };
                r.citizenship.sort_by_key(|q| qid_number(q));
            }
            EntityType::Org => {
                r.country = org_country
                    .remove(n)
                    .and_then(|cs| (cs.len() == 1).then(|| cs.into_iter().next()).flatten())
                    .or_else(|| {
                        let d = hand.demonym_countries(&description);
                        (d.len() == 1).then(|| d[0].clone())
                    })
                    .or_else(|| hand.described_country(&description))
                    .or_else(|| hand.national_country(&r.label));
            }
            _ => {
                if r.country.is_none() {
                    r.country = hand.described_country(&description);
                }
            }
        }
    }
    // people without a known citizenship are left out (every person in the KB has one)
    records.retain(|_, r| r.etype != EntityType::Per || !r.citizenship.is_empty());
    // an entity named like a hand-kept country ("Denmark" for the Kingdom of
    // Denmark) would compete with it: left out
    records.retain(|_, r| {
        !keys(&r.label)
            .iter()
            .any(|k| hand.country_names.contains_key(k) || hand.demonyms.contains_key(k))
    });
    records.retain(|_, r| clean_alias(&r.label).is_some() || r.label.contains(' '));
    // one-word names that are something else in news: a word of the lexicon's
    // lists ("Bishop", "Club", "Prince") or a person's given or family name
    // ("Nancy", "Jackson": a bare family name is read as the person's). Such a
    // place or organization keeps its qualified name ("Jackson, Mississippi")
    // as label when it has one, else it is left out.
    let mut clash: HashSet<String> = HashSet::new();
    for (_, e) in hand_kb.iter().filter(|(_, e)| e.etype == EntityType::Per) {
        clash.extend(family_name(&e.label).map(name_key));
    }
    for r in records.values().filter(|r| r.etype == EntityType::Per) {
        clash.extend(family_name(&r.label).map(name_key));
    }
    let lexicon_word = |w: &str| {
        [
            cues::NOT_NAMES,
            cues::AMBIGUOUS_LOWER,
            cues::TITLES,
            cues::ROYAL_TITLES,
            cues::PERSONAL_TITLES,
            cues::ORG_KEYWORDS,
            cues::LOC_KEYWORDS,
            cues::MISC_KEYWORDS,
            cues::MONTHS,
            cues::GIVEN_NAMES,
        ]
        .iter()
        .any(|l| cues::contains(l, w))
    };
    records.retain(|_, r| {
        if r.label.contains(' ') {
            return true;
        }
        if lexicon_word(&r.label) {
            return false;
        }
        if r.etype == EntityType::Per {
            return true;
        }
        let k = name_key(&r.label);
        if !clash.contains(&k) && !hand_kb.is_given_name(&r.label) {
            return true;
        }
        let qualified = format!("{}, ", r.label);
        match r.aliases.iter().position(|a| a.starts_with(&qualified)) {
            Some(i) => {
                r.label = r.aliases.remove(i);
                true
            }
            None => false,
        }
    });

    // names: labels of converted entities, to keep another's alias off them
    let mut label_count: HashMap<String, usize> = HashMap::new();
    for r in records.values() {
        for k in keys(&r.label) {
            *label_count.entry(k).or_default() += 1;
        }
    }
    let mut acronym_count: HashMap<String, usize> = HashMap::new();
    for r in records.values() {
        if r.etype == EntityType::Org {
            let mut seen = HashSet::new();
            for a in r.aliases.iter().map(|a| a.trim()).filter(|a| is_acronym(a)) {
                if seen.insert(a.to_string()) {
                    *acronym_count.entry(a.to_string()).or_default() += 1;
                }
            }
        }
    }
    for r in records.values_mut() {
        let own: HashSet<String> = keys(&r.label).into_iter().collect();
        let mut aliases = Vec::new();
        let mut acronyms = Vec::new();
        let mut seen = own.clone();
        for a in std::mem::take(&mut r.aliases) {
            let a = a.trim();
            if r.etype == EntityType::Org && is_acronym(a) {
                // unique among the converted organizations and no hand-kept name
                if acronym_count.get(a) == Some(&1)
                    && !hand.names.contains_key(&name_key(a))
                    && !acronyms.iter().any(|x: &String| x == a)
                {
                    acronyms.push(a.to_string());
                }
                continue;
            }
            let Some(a) = clean_alias(a) else {
                continue;
            };
            // no one-word alias ("Penn", "Duke"; "The Millers" counts as one
            // word): short forms and nicknames name other things as well; a
            // person's family name is derived by the index. A team keeps the
            // word of its name that sports pages use alone ("Mets" for the New
            // York Mets)
            let core = a.strip_prefix("The ").unwrap_or(&a);
            let nickname = r.kind == "sports"
                && r.label.contains(' ')
                && r.label.split_whitespace().any(|w| w == core);
            if !core.contains(' ') && !nickname {
                continue;
            }
            // a person's other names carry the family name ("Mohandas Gandhi"),
            // not pen names or catalogue forms ("Bapu ji", "Lennon, John")
            if r.etype == EntityType::Per
                && (a.contains(',')
                    || !family_name(&r.label).is_some_and(|f| {
                        let f = name_key(f);
                        a.split_whitespace().any(|w| name_key(w) == f)
                    }))
            {
                continue;
            }
            // nor a generic institution name the hand-kept records give
            // ("Marines" is the US Marine Corps in an American article)
            if super::generic::is_generic_name(&hand_kb, &a) {
                continue;
            }
            let ks = keys(&a);
            if ks.iter().any(|k| {
                seen.contains(k) || hand.names.contains_key(k) || label_count.contains_key(k)
            }) {
                continue;
            }
            seen.extend(ks);
            aliases.push(a);
        }
        r.aliases = aliases;
        r.acronyms = acronyms;
        // below any hand-kept entity that shares a name, or a person's family name
        let mut cap = MAX_PRIOR;
        let names = std::iter::once(&r.label)
            .chain(&r.aliases)
            .chain(&r.acronyms);
        for n in names {
            for k in keys(n) {
                if let Some(&p) = hand.names.get(&k) {
                    cap = cap.min(p.saturating_sub(BELOW_HAND));
                }
            }
        }
        if r.etype == EntityType::Per {
            if let Some(last) = family_name(&r.label) {
                for k in keys(last) {
                    if let Some(&p) = hand.surnames.get(&k).or_else(|| hand.names.get(&k)) {
                        cap = cap.min(p.saturating_sub(BELOW_HAND));
                    }
                }
            }
        }
        r.prior = r.prior.min(cap).max(1);
    }

    let cell = |s: &str| s.replace(['\t', '\n', '\r'], " ");
    let list = |v: &[String]| v.iter().map(|s| cell(s)).collect::<Vec<_>>().join("|");
    let head = |file: &str| {
        format!(
            "# {file}: generated by `kglink kb bundle --open-kb ../shared/reference/open-kb --out data/kb` \
             from FB15k (MIT) and Natural Earth (public domain), see README.md; do not edit by hand\n"
        )
    };
    let mut people = head(FILES[0]);
    people.push_str("qid\tname\taliases\tcitizenship\tpositions\tdescription\tprior\n");
    let mut orgs = head(FILES[1]);
    orgs.push_str("qid\tname\tkind\tcountry\taliases\tacronyms\tdescription\tprior\n");
    let mut locs = head(FILES[2]);
    locs.push_str("qid\tname\tcountry\tkind\taliases\tprior\tdemonyms\n");
    // administrative regions are left out: on sports pages their names are
    // mostly teams ("Essex", "Surrey" for county cricket clubs), and the
    // regions news names most are in the hand-kept places.tsv
    for r in records
        .values()
        .filter(|r| !(r.etype == EntityType::Loc && r.kind == "region"))
    {
        let desc = cell(r.description.as_deref().unwrap_or(""));
        let country = r.country.as_deref().unwrap_or("");
        match r.etype {
            EntityType::Per => people.push_str(&format!(
                "{}\t{}\t{}\t{}\t\t{}\t{}\n",
                r.qid,
                cell(&r.label),
                list(&r.aliases),
                list(&r.citizenship),
                desc,
                r.prior
            )),
            EntityType::Org => orgs.push_str(&format!(
                "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
                r.qid,
                cell(&r.label),
                r.kind,
                country,
                list(&r.aliases),
                list(&r.acronyms),
                desc,
                r.prior
            )),
            _ => locs.push_str(&format!(
                "{}\t{}\t{}\t{}\t{}\t{}\t\n",
                r.qid,
                cell(&r.label),
                country,
                r.kind,
                list(&r.aliases),
                r.prior
            )),
        }
    }
    Ok(vec![(FILES[0], people), (FILES[1], orgs), (FILES[2], locs)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priors_are_monotone_and_capped() {
        assert_eq!(fb15k_prior(0), 10);
        assert!(fb15k_prior(7) < fb15k_prior(21));
        assert_eq!(fb15k_prior(100_000), MAX_PRIOR);
        assert!(
            natural_earth_prior(10_000.0, "Populated place")
                < natural_earth_prior(1e6, "Populated place")
        );
        assert!(
            natural_earth_prior(1e6, "Populated place")
                < natural_earth_prior(1e6, "Admin-0 capital")
        );
        assert!(natural_earth_prior(4e7, "Admin-0 capital") <= MAX_PRIOR);
    }

    #[test]
    fn descriptions_type_entities() {
        let none = HashSet::new();
        let t = |d: &str| type_from_description(d, &none);
        assert_eq!(
            t("English football club"),
            Some((EntityType::Org, "sports"))
        );
        assert_eq!(
            t("national association football team"),
            Some((EntityType::Org, "sports"))
        );
        assert_eq!(t("American basketball player"), Some((EntityType::Per, "")));
        assert_eq!(
            t("city in Texas, United States"),
            Some((EntityType::Loc, "city"))
        );
        assert_eq!(
            t("public university in Ohio"),
            Some((EntityType::Org, "education"))
        );
        assert_eq!(
            t("major political party in India"),
            Some((EntityType::Org, "party"))
        );
        assert_eq!(t("1994 film by Richard Rush"), None);
        assert_eq!(t("American Motown vocal group"), None);
        assert_eq!(t("sub-genre of heavy metal music"), None);
    }

    #[test]
    fn aliases_are_cleaned() {
        assert_eq!(
            clean_alias(" Denton, Texas ").as_deref(),
            Some("Denton, Texas")
        );
        assert!(clean_alias("death penalty").is_none());
        assert!(clean_alias("'' Invictus ''").is_none());
        assert!(clean_alias("1999").is_none());
        assert!(clean_alias(&"A".repeat(61)).is_none());
        assert!(is_acronym("INC") && is_acronym("U.N.") && !is_acronym("Inc"));
    }
}
