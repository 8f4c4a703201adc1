//! Teams named by their town or their country on sports pages: "joined
//! Newcastle", "Chelsea defender", "COLORADO AT ST LOUIS", "Australia were
//! all out for 240".
//!
//! Sports reports call a club by the town in its name and a national team by
//! its country. The KB lists them under their full names ("Newcastle United
//! F.C.", "Australia national cricket team"), so the short names are derived
//! from them: a team's names without club, sport and team words at either end
//! ("F.C.", "United", "County Cricket Club", "national football team"), and the
//! leading words of a name when they are a place the KB knows ("Blackburn" of
//! "Blackburn Rovers", "Colorado" of "Colorado Rockies"). Women's, youth and
//! reserve sides get no short name: a bare "England" is the first team.
//!
//! A short name may stand for several teams ("Colorado": the baseball and the
//! ice hockey team; "Australia": the cricket and the football team). The sport
//! of the page decides ([`Sport::of_text`]), from the words it uses and the
//! teams it names in full; a name that two teams of that sport share
//! ("Manchester": United and City) stands for neither. The linker asks only in
//! a sports text and only for a mention that is already a team or an unknown
//! organization, so "Chelsea" the person and "Milan" the city are unaffected.

use crate::kb::{AliasKind, EntityId, Kb, KbEntity};
use crate::model::EntityType;
use crate::text::name_key;
use std::collections::{BTreeMap, HashSet};

/// Words that a team's name may carry besides its town or country, at its
/// start or end.
const CLUB_WORDS: &[&str] = &[
    "f.c.",
    "fc",
    "a.f.c.",
    "afc",
    "cf",
    "c.f.",
    "ac",
    "a.c.",
    "united",
    "city",
    "sc",
    "s.c.",
    "club",
    "team",
    "national",
    "county",
    "cricket",
    "football",
    "soccer",
    "baseball",
    "basketball",
    "hockey",
    "ice",
    "rugby",
    "union",
    "league",
    "c.c.",
    "ccc",
    "rfc",
];

/// Words of a side that is not the first team.
const NOT_FIRST_TEAM: &[&str] = &[
    "women's", "women", "womens", "ladies", "youth", "junior", "juniors", "reserves", "under-21",
    "under-23", "under-20", "under-19", "under-17", "u21", "u-21", "u23", "u-23", "olympic", "b",
    "ii", "amateur",
];

/// A team sport, as far as telling teams of one town apart needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Sport {
    /// Association football.
    Football,
    /// Cricket.
    Cricket,
    /// Baseball.
    Baseball,
    /// Basketball.
    Basketball,
    /// Ice hockey.
    IceHockey,
    /// American football.
    AmericanFootball,
    /// Rugby union and league.
    Rugby,
    /// A sport of national sides the KB has no teams of (tennis, cycling,
    /// golf, athletics): a page about it names no team the KB knows.
    Other,
}

/// Words of a team's own name or description that give its sport, the more
/// specific first ("American football" before "football").
const ENTITY_SPORT_WORDS: &[(&str, Sport)] = &[
    ("american football", Sport::AmericanFootball),
    ("college football", Sport::AmericanFootball),
    ("national football league", Sport::AmericanFootball),
    ("ice hockey", Sport::IceHockey),
    ("hockey league", Sport::IceHockey),
    ("basketball", Sport::Basketball),
    ("baseball", Sport::Baseball),
    ("pacific league", Sport::Baseball),
    ("central league", Sport::Baseball),
    ("cricket", Sport::Cricket),
    ("rugby", Sport::Rugby),
    ("football", Sport::Football),
    ("soccer", Sport::Football),
    ("f.c.", Sport::Football),
];

/// Words of a report that only one sport uses.
const TEXT_SPORT_WORDS: &[(&str, Sport)] = &[
    ("soccer", Sport::Football),
    ("striker", Sport::Football),
    ("midfielder", Sport::Football),
    ("goalkeeper", Sport::Football),
    ("half-time", Sport::Football),
    ("halftime", Sport::Football),
    ("equaliser", Sport::Football),
    ("equalizer", Sport::Football),
    ("scorers", Sport::Football),
    ("uefa", Sport::Football),
    ("fifa", Sport::Football),
    ("cricket", Sport::Cricket),
    ("wicket", Sport::Cricket),
    ("wickets", Sport::Cricket),
    ("innings", Sport::Cricket),
    ("batsman", Sport::Cricket),
    ("bowled", Sport::Cricket),
    ("lbw", Sport::Cricket),
    ("overs", Sport::Cricket),
    ("baseball", Sport::Baseball),
    ("inning", Sport::Baseball),
    ("homered", Sport::Baseball),
    ("homer", Sport::Baseball),
    ("pitcher", Sport::Baseball),
    ("rbi", Sport::Baseball),
    ("bullpen", Sport::Baseball),
    ("basketball", Sport::Basketball),
    ("nba", Sport::Basketball),
    ("rebounds", Sport::Basketball),
    ("hockey", Sport::IceHockey),
    ("nhl", Sport::IceHockey),
    ("goaltender", Sport::IceHockey),
    ("power-play", Sport::IceHockey),
    ("nfl", Sport::AmericanFootball),
    ("touchdown", Sport::AmericanFootball),
    ("touchdowns", Sport::AmericanFootball),
    ("quarterback", Sport::AmericanFootball),
    ("rugby", Sport::Rugby),
    ("scrum", Sport::Rugby),
    ("fly-half", Sport::Rugby),
    ("tries", Sport::Rugby),
    ("tennis", Sport::Other),
    ("cycling", Sport::Other),
    ("cyclist", Sport::Other),
    ("golf", Sport::Other),
    ("athletics", Sport::Other),
];

impl Sport {
    /// The sport a team plays, from its label, aliases and description.
    pub fn of_entity(e: &KbEntity) -> Option<Sport> {
        let text = std::iter::once(e.description.as_deref().unwrap_or(""))
            .chain(e.names.iter().map(|(n, _)| n.as_str()))
            .collect::<Vec<_>>()
            .join(" | ")
            .to_lowercase();
        ENTITY_SPORT_WORDS
            .iter()
            .find(|(w, _)| text.contains(w))
            .map(|&(_, s)| s)
    }

    /// The sport a report is about: the one its words and the teams it names
    /// in full (`named`, each counting three words) point to most, when no
    /// other sport has as many.
    pub fn of_text<'a>(
        words: impl IntoIterator<Item = &'a str>,
        named: impl IntoIterator<Item = Sport>,
    ) -> Option<Sport> {
        let mut votes: BTreeMap<Sport, u32> = BTreeMap::new();
        for w in words {
            // the words are ASCII: no lower-cased copy of every token
            if let Some(&(_, s)) = TEXT_SPORT_WORDS
                .iter()
                .find(|(x, _)| x.eq_ignore_ascii_case(w))
            {
                *votes.entry(s).or_default() += 1;
            }
        }
        for s in named {
            *votes.entry(s).or_default() += 3;
        }
        let mut v: Vec<(u32, Sport)> = votes.into_iter().map(|(s, n)| (n, s)).collect();
        v.sort_by(|a, b| b.cmp(a));
        match v.as_slice() {
            [(_, s)] => Some(*s),
            [(n, s), (m, _), ..] if n > m => Some(*s),
            _ => None,
        }
    }
}

/// The forms of a team's name without club, sport and team words at either
/// end ("Newcastle United F.C." → "Newcastle", "Italy national football team"
/// → "Italy"); empty when the name has no such word.
pub fn short_forms(name: &str) -> Vec<String> {
    let mut words: Vec<&str> = name.split_whitespace().collect();
    let mut stripped = false;
    let club = |w: &str| CLUB_WORDS.contains(&w.to_lowercase().as_str()) || club_initials(w);
    loop {
        let before = words.len();
        if words.len() > 1 && club(words[words.len() - 1]) {
            words.pop();
        }
        if words.len() > 1 && club(words[0]) {
            words.remove(0);
        }
        if words.len() == before {
            break;
        }
        stripped = true;
    }
    if stripped {
        vec![words.join(" ")]
    } else {
        Vec::new()
    }
}

/// Whether a word of a team's name is the initials of a club form ("O.G.C.",
/// "PSV", "VfB"): two to five letters, at least two of them capitals and at
/// most one not.
fn club_initials(w: &str) -> bool {
    let letters: Vec<char> = w.chars().filter(|c| c.is_alphabetic()).collect();
    let upper = letters.iter().filter(|c| c.is_uppercase()).count();
    w.chars().all(|c| c.is_alphabetic() || c == '.')
        && (2..=5).contains(&letters.len())
        && upper >= 2
        && letters.len() - upper <= 1
}

/// Whether a team's name is that of a side other than the first team.
fn not_first_team(name: &str) -> bool {
    name.split_whitespace()
        .any(|w| NOT_FIRST_TEAM.contains(&w.to_lowercase().as_str()))
}

/// Whether an entity is a team the short names are derived for.
pub fn is_team(e: &KbEntity) -> bool {
    e.etype == EntityType::Org && e.kind == "sports"
}

/// Each short name of the sports teams among `entities`, with the teams that
/// have it, for the KB's index (see [`crate::kb::Kb::teams_by_name`]). A
/// name's leading words count as a short name when they are the name of a
/// place among `entities`.
pub fn teams_by_short_name(entities: &[KbEntity]) -> Vec<(String, Vec<EntityId>)> {
    let places: HashSet<String> = entities
        .iter()
        .filter(|e| matches!(e.etype, EntityType::Loc | EntityType::Country))
        .flat_map(|e| e.names.iter().map(|(n, _)| name_key(n)))
        .collect();
    let mut by_name: BTreeMap<String, Vec<EntityId>> = BTreeMap::new();
    for (id, e) in entities.iter().enumerate() {
        if !is_team(e) || not_first_team(&e.label) {
            continue;
        }
        // (form, from an alias): a former or other name ("Boston Braves" of
        // the Atlanta Braves) gives a weaker short name than the label
        let mut forms: Vec<(String, bool)> = Vec::new();
        for (n, kind) in e
            .names
            .iter()
            .filter(|(n, k)| matches!(k, AliasKind::Label | AliasKind::Alias) && !not_first_team(n))
        {
            let alias = *kind != AliasKind::Label;
            let short = short_forms(n);
            let base = short.first().map_or(n.as_str(), String::as_str);
            let words: Vec<&str> = base.split_whitespace().collect();
            for k in 1..words.len() {
                let prefix = name_key(&words[..k].join(" "));
                if places.contains(&prefix) {
                    forms.push((prefix, alias));
                }
            }
            forms.extend(short.iter().map(|s| (name_key(s), alias)));
        }
        forms.sort_unstable();
        forms.dedup_by(|b, a| a.0 == b.0); // the label's form first
        for (f, alias) in forms {
            let key = if alias { format!("{f}{ALIAS_TIER}") } else { f };
            by_name.entry(key).or_default().push(id as EntityId);
        }
    }
    by_name.into_iter().collect()
}

/// Appended to a short name taken from a team's alias rather than its label,
/// in the index's keys.
pub const ALIAS_TIER: char = '\u{1}';

/// The team that `surface` (or, for a place the linker settled, that place's
/// label `place_label`) stands for on a page about `sport`: the one team of
/// that sport with the short name (failing that, the one team whose sport the
/// KB does not say), or, when the page's sport is not known, the one team with
/// it at all, unless the name is a country's. Short names from labels come first; those from
/// aliases (former names) only when no label gives one.
pub fn team_by_short_name(
    kb: &Kb,
    surface: &str,
    place_label: Option<&str>,
    sport: Option<Sport>,
) -> Option<EntityId> {
    // a country's name is a national side of every sport: the page's sport
    // must say which
    if sport.is_none()
        && kb
            .lookup(surface)
            .iter()
            .any(|c| kb.etype(c.0) == EntityType::Country)
    {
        return None;
    }
    let names = std::iter::once(surface).chain(place_label);
    for tier in ["".to_string(), ALIAS_TIER.to_string()] {
        let mut teams: Vec<EntityId> = names
            .clone()
            .flat_map(|n| kb.teams_by_name(&format!("{}{tier}", name_key(n))))
            .collect();
        teams.sort_unstable();
        teams.dedup();
        if let Some(sport) = sport {
            // teams of that sport; failing those, teams whose sport the KB
            // does not say
            let of = |t: &EntityId| Sport::of_entity(&kb.entity(*t));
            let same: Vec<EntityId> = teams
                .iter()
                .copied()
                .filter(|t| of(t) == Some(sport))
                .collect();
            teams = if same.is_empty() {
                teams.into_iter().filter(|t| of(t).is_none()).collect()
            } else {
                same
            };
        }
        match teams.as_slice() {
            [] => continue,
            [one] => return Some(*one),
            _ => return None,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kb::Kb;

    #[test]
    fn club_words_are_dropped_at_either_end() {
        assert_eq!(short_forms("Newcastle United F.C."), ["Newcastle"]);
        assert_eq!(short_forms("Chelsea FC"), ["Chelsea"]);
        assert_eq!(short_forms("Sunderland A.F.C."), ["Sunderland"]);
        assert_eq!(short_forms("AC Milan"), ["Milan"]);
        assert_eq!(short_forms("Real Madrid CF"), ["Real Madrid"]);
        assert!(short_forms("Juventus").is_empty());
        assert!(short_forms("Inter Milan").is_empty());
        // a club word alone stays
        assert!(short_forms("United").is_empty());
    }

    #[test]
    fn a_shared_town_names_no_club() {
        let kb = Kb::from_sources([
            (
                "countries.tsv",
                "qid\tname\tofficial_name\tiso2\tiso3\tcapital\tkind\taliases\tdemonyms\tmemberships\tprior\n\
                 Q145\tUnited Kingdom\t\tGB\tGBR\t\tstate\tUK\tBritish\t\t90\n",
            ),
            (
                "organizations.tsv",
                "qid\tname\tkind\tcountry\taliases\tacronyms\tdescription\tprior\n\
                 Q18716\tNewcastle United F.C.\tsports\tQ145\tNewcastle United\t\tx\t40\n\
                 Q18656\tManchester United F.C.\tsports\tQ145\t\t\tx\t60\n\
                 Q50602\tManchester City F.C.\tsports\tQ145\tManchester City\t\tx\t50\n\
                 Q1\tNewport Holdings FC\tcompany\tQ145\t\t\tx\t10\n",
            ),
        ])
        .unwrap();
        let qid =
            |s: &str| team_by_short_name(&kb, s, None, None).map(|e| kb.entity(e).qid.clone());
        assert_eq!(qid("Newcastle").as_deref(), Some("Q18716"));
        assert_eq!(qid("NEWCASTLE").as_deref(), Some("Q18716"));
        assert_eq!(qid("Manchester"), None);
        // only sports clubs
        assert_eq!(qid("Newport Holdings"), None);
        assert_eq!(qid("Leeds"), None);
    }

    #[test]
    fn sport_and_team_words_are_dropped_too() {
        assert_eq!(short_forms("Italy national football team"), ["Italy"]);
        assert_eq!(
            short_forms("Leicestershire County Cricket Club"),
            ["Leicestershire"]
        );
        assert_eq!(short_forms("England cricket team"), ["England"]);
        // initials of a club form
        assert_eq!(short_forms("O.G.C. Nice"), ["Nice"]);
        assert_eq!(short_forms("PSV Eindhoven"), ["Eindhoven"]);
        assert_eq!(short_forms("VfB Stuttgart"), ["Stuttgart"]);
    }

    #[test]
    fn the_page_decides_the_sport() {
        let words = |s: &'static str| s.split_whitespace();
        assert_eq!(
            Sport::of_text(
                words("he took two wickets and batted through the innings"),
                []
            ),
            Some(Sport::Cricket)
        );
        assert_eq!(
            Sport::of_text(words("the pitcher gave up a homer in the ninth inning"), []),
            Some(Sport::Baseball)
        );
        // a tie is no answer
        assert_eq!(
            Sport::of_text(words("a soccer fan"), []),
            Some(Sport::Football)
        );
        assert_eq!(Sport::of_text(words("a cricket and soccer fan"), []), None);
        assert_eq!(
            Sport::of_text(words("soccer striker wickets innings"), []),
            None
        );
        // a team named in full counts for its sport
        assert_eq!(
            Sport::of_text(words("soccer"), [Sport::IceHockey]),
            Some(Sport::IceHockey)
        );
    }

    #[test]
    fn the_sport_picks_among_teams_of_one_name() {
        let kb = Kb::from_sources([
            (
                "countries.tsv",
                "qid\tname\tofficial_name\tiso2\tiso3\tcapital\tkind\taliases\tdemonyms\tmemberships\tprior\n\
                 Q408\tAustralia\t\tAU\tAUS\t\tstate\t\tAustralian\t\t90\n\
                 Q30\tUnited States\t\tUS\tUSA\t\tstate\t\t\t\t95\n\
                 Q145\tUnited Kingdom\t\tGB\tGBR\t\tstate\t\t\t\t90\n",
            ),
            (
                "places.tsv",
                "qid\tname\tcountry\tkind\taliases\tprior\tdemonyms\n\
                 Q1261\tColorado\tQ30\tregion\t\t60\t\n\
                 Q188313\tBlackburn\tQ145\tcity\t\t30\t\n",
            ),
            (
                "organizations.tsv",
                "qid\tname\tkind\tcountry\taliases\tacronyms\tdescription\tprior\n\
                 Q388858\tColorado Rockies\tsports\tQ30\tRockies\t\tMajor League Baseball franchise in Denver\t40\n\
                 Q221107\tColorado Avalanche\tsports\tQ30\t\t\tNational Hockey League team\t40\n\
                 Q172356\tAustralia national cricket team\tsports\tQ408\t\t\tnational sports team\t50\n\
                 Q268736\tAustralia national football team\tsports\tQ408\t\t\tmen's national association football team\t50\n\
                 Q1006\tAustralia women's national cricket team\tsports\tQ408\t\t\tnational sports team\t20\n\
                 Q19446\tBlackburn Rovers F.C.\tsports\tQ145\tBlackburn Rovers\t\tEnglish football club\t40\n",
            ),
        ])
        .unwrap();
        let team = |s: &str, sport| {
            team_by_short_name(&kb, s, None, sport).map(|e| kb.entity(e).qid.clone())
        };
        assert_eq!(
            team("COLORADO", Some(Sport::Baseball)).as_deref(),
            Some("Q388858")
        );
        assert_eq!(
            team("Colorado", Some(Sport::IceHockey)).as_deref(),
            Some("Q221107")
        );
        assert_eq!(team("Colorado", None), None);
        assert_eq!(
            team("Australia", Some(Sport::Cricket)).as_deref(),
            Some("Q172356")
        );
        assert_eq!(
            team("Australia", Some(Sport::Football)).as_deref(),
            Some("Q268736")
        );
        assert_eq!(team("Australia", Some(Sport::Rugby)), None);
        // a country's name with no sport: a side of which sport?
        assert_eq!(team("Australia", None), None);
        assert_eq!(team("Australia", Some(Sport::Other)), None);
        // the leading words of a name, when they are a place
        assert_eq!(team("Blackburn", None).as_deref(), Some("Q19446"));
        assert_eq!(team("Rovers", None), None);
    }
}
