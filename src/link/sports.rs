//! Sports pages: where a country or city name stands for a team.
//!
//! In "England beat Pakistan by 5 wickets" or a standings row "CHICAGO 74 59",
//! the place names name national or club teams, not the places. Linking them to
//! the country or city would be a confident wrong link, so the linker turns such
//! mentions into unknown organizations (`local:org/england-team`). A text counts
//! as a sports text when it has several sports words; within it, a name is a team
//! when it is next to a score ("3-1"), a result word ("beat", "v"), or it is
//! followed by numbers as in a table; a name after "in", "at" or "from" stays a
//! place. National teams keep the country type (the convention of CoNLL and of
//! most news annotation); clubs named after their city become organizations.

use crate::text::Token;
use std::collections::HashSet;

/// Sports words that other news also uses ("the final quarter", "the planting
/// season", "the inflation goal"): they count towards a sports page but do not
/// make one alone (see [`STRONG_SPORTS_WORDS`]).
const SPORTS_WORDS: &[&str] = &[
    "league",
    "championship",
    "championships",
    "goal",
    "goals",
    "scored",
    "cup",
    "cups",
    "medal",
    "match",
    "matches",
    "batting",
    "bowling",
    "final",
    "coach",
    "squad",
    "captain",
    "season",
    "overs",
    "defender",
    "penalty",
    "one-day",
    "one-dayer",
    "racing",
    "kicked",
];

/// Sports words that economic and political news hardly uses: a sports page
/// has one of them.
const STRONG_SPORTS_WORDS: &[&str] = &[
    "soccer",
    "football",
    "cricket",
    "tennis",
    "golf",
    "baseball",
    "basketball",
    "rugby",
    "hockey",
    "cycling",
    "athletics",
    "swimming",
    "innings",
    "inning",
    "wicket",
    "wickets",
    "halftime",
    "half-time",
    "striker",
    "midfielder",
    "midfield",
    "goalkeeper",
    "batsman",
    "batsmen",
    "bowler",
    "bowled",
    "homer",
    "homered",
    "homers",
    "touchdown",
    "pitcher",
    "rbi",
    "quarterback",
    "referee",
    "scoreboard",
    "olympic",
    "olympics",
    "playoff",
    "playoffs",
    "semifinal",
    "quarterfinal",
    "semi-final",
    "quarter-final",
    "test-match",
    "grand-prix",
    "scorer",
    "scorers",
    "standings",
    "seeded",
    "singles",
    "doubles",
    "qualifier",
    "tournament",
    "tournaments",
];

/// True when `text` reads like a sports page: at least three sports words, two
/// of them different, one of them a word only sports pages use.
pub fn is_sports_text(text: &str, tokens: &[Token]) -> bool {
    let mut distinct = HashSet::new();
    let mut total = 0;
    for t in tokens {
        let w = t.text(text).to_lowercase();
        if SPORTS_WORDS.contains(&w.as_str()) || STRONG_SPORTS_WORDS.contains(&w.as_str()) {
            total += 1;
            distinct.insert(w);
        }
    }
    distinct.len() >= 2
        && total >= 3
        && distinct
            .iter()
            .any(|w| STRONG_SPORTS_WORDS.contains(&w.as_str()))
}

/// Words right before or after a team's name in results ("England beat", "lost to
/// Poland", "Brazil v Chile").
const RESULT_WORDS: &[&str] = &[
    "beat",
    "beats",
    "beaten",
    "drew",
    "lost",
    "defeated",
    "defeat",
    "v",
    "vs",
    "versus",
    "won",
    "against",
    "thrashed",
    "edged",
    "routed",
    "overcame",
    "trail",
    "trailed",
    "lead",
    "led",
    "lose",
    "beating",
    "draw",
    "snapped",
    "swept",
    "blanked",
    "clinched",
    "rallied",
    "hammered",
    "crushed",
    "downed",
    "stunned",
    "outscored",
    "whipped",
];

/// Words right before a club's name in transfer and match reports ("joined
/// Milan", "played for Nice", "homered for Cleveland").
const CLUB_WORDS: &[&str] = &[
    "for", "joined", "joins", "signed", "join", "coach", "coaches",
];

/// Words before a place name that make it a place ("in London").
const PLACE_WORDS: &[&str] = &[
    "in", "at", "from", "near", "into", "outside", "of", "across",
];

/// Words that make a following "from X" the club a player left ("joined Milan
/// from Torino"), not a place.
const TRANSFER_WORDS: &[&str] = &[
    "joined",
    "joins",
    "join",
    "signed",
    "signs",
    "sign",
    "moved",
    "move",
    "transfer",
    "transferred",
    "bought",
    "loan",
    "loaned",
];

/// Nouns after a town's name that make it the town's team ("Florida manager",
/// "all Chicago starters").
const SQUAD_WORDS: &[&str] = &[
    "manager",
    "starters",
    "starter",
    "fans",
    "supporters",
    "pitcher",
    "pitchers",
    "striker",
    "strikers",
    "defender",
    "defenders",
    "midfielder",
    "midfielders",
    "players",
    "bullpen",
    "lineup",
    "line-up",
    "side",
    "squad",
];

/// Nouns after a demonym that make it the national team ("the Turkish goal",
/// "the Austrian defence"); "Austrian coach Herbert Prohaska" stays the country.
const TEAM_PARTS: &[&str] = &[
    "defence",
    "defense",
    "goal",
    "goals",
    "penalty",
    "attack",
    "midfield",
    "side",
    "team",
    "fans",
    "supporters",
    "crowd",
    "hopes",
    "rearguard",
    "offence",
    "offense",
    "forwards",
    "bench",
    "lineup",
    "line-up",
];

/// Words after a demonym used as a noun for a team ("The Irish , under new
/// manager", "give the Irish their biggest win", "The Indians had").
const AFTER_TEAM_NOUN: &[&str] = &[
    "are", "were", "is", "was", "have", "had", "has", "will", "would", "could", "can", "must",
    "need", "needed", "their", "who", "and", "to", "in", "on", "at", "with", "by", "for", "a",
    "an", "the", "under", "won", "lost", "beat", "drew", "took", "led", "made", "scored", "did",
    "went", "came", "still", "now", "then",
];

/// The word tokens of the sentence around bytes `start..end`: the index of the
/// first and one past the last token of the name, if it has any.
fn token_range(tokens: &[Token], start: usize, end: usize) -> Option<(usize, usize)> {
    let first = tokens.partition_point(|t| t.end <= start);
    let last = tokens.partition_point(|t| t.start < end);
    (first < last).then_some((first, last))
}

/// "joined Milan from Torino": the token before the name is "from" and a
/// transfer word comes shortly before it in the same sentence.
fn transfer_from(text: &str, tokens: &[Token], first: usize) -> bool {
    let Some(from) = first.checked_sub(1) else {
        return false;
    };
    if !tokens[from].text(text).eq_ignore_ascii_case("from") {
        return false;
    }
    let sentence = tokens[from].sentence;
    tokens[from.saturating_sub(6)..from]
        .iter()
        .filter(|t| t.sentence == sentence)
        .any(|t| TRANSFER_WORDS.contains(&t.text(text).to_lowercase().as_str()))
}

/// "Baltimore 's Eddie Murray", "Boston 's seventh loss": the town's name takes a
/// possessive followed by a person's name or a count, as a team's does.
fn team_possessive(text: &str, tokens: &[Token], last: usize) -> bool {
    let Some(after_at) = possessive_end(text, tokens[last - 1].end) else {
        return false;
    };
    let sentence = tokens[last - 1].sentence;
    let i = tokens.partition_point(|t| t.start < after_at);
    let Some(next) = tokens.get(i).filter(|t| t.sentence == sentence) else {
        return false;
    };
    let w = next.text(text);
    let count =
        w.chars().all(|c| c.is_ascii_digit()) || COUNT_WORDS.contains(&w.to_lowercase().as_str());
    let venue = tokens
        .get(i + 1)
        .is_some_and(|t| VENUE_WORDS.contains(&t.text(text).to_lowercase().as_str()));
    (is_name_word(w) && !venue) || count
}

/// Nouns after a country's name that make it the country even on a sports
/// page ("U.S. citizen", "the French government").
const NATIONALITY_NOUNS: &[&str] = &[
    "citizen",
    "citizens",
    "citizenship",
    "passport",
    "government",
    "embassy",
    "officials",
    "authorities",
    "nationality",
];

/// The byte right after the possessive ("India 's", "Jamaica’s") that the name
/// ending at byte `end` takes, if it takes one.
fn possessive_end(text: &str, end: usize) -> Option<usize> {
    let rest = text[end..].trim_start();
    let after = rest
        .strip_prefix("'s")
        .or_else(|| rest.strip_prefix("\u{2019}s"))?;
    (!after.starts_with(|c: char| c.is_alphanumeric())).then_some(text.len() - after.len())
}

/// A capitalized word with lower-case letters after the first: a name's word,
/// not an initialism or a word in capitals.
fn is_name_word(w: &str) -> bool {
    w.starts_with(|c: char| c.is_uppercase()) && w.chars().skip(1).any(char::is_lowercase)
}

/// "India 's Leander Paes": the name ending at byte `end` takes a possessive
/// followed by a capitalized word, as a person's country does; "Ireland 's
/// fifth goal" and "Ireland 's new-look side" are the team's.
fn possessive_before_name(text: &str, tokens: &[Token], end: usize) -> bool {
    possessive_end(text, end).is_some_and(|at| {
        tokens
            .get(tokens.partition_point(|t| t.start < at))
            .is_some_and(|t| is_name_word(t.text(text)))
    })
}

/// Counts and ranks after a team's possessive ("Boston 's seventh loss",
/// "Chicago 's four errors").
const COUNT_WORDS: &[&str] = &[
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "first",
    "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "last",
    "latest", "only", "lone",
];

/// Words that end the name of a place in a town ("London 's Wembley Stadium").
const VENUE_WORDS: &[&str] = &[
    "stadium", "park", "field", "arena", "ground", "airport", "road", "street", "square", "hall",
    "bridge", "lane",
];

/// Sports roles written between a team's name and a person's ("Italy coach
/// Cesare Prandelli", "England captain Andrew Strauss").
const TEAM_ROLES: &[&str] = &[
    "coach",
    "captain",
    "manager",
    "skipper",
    "striker",
    "midfielder",
    "goalkeeper",
    "defender",
    "winger",
    "quarterback",
    "pitcher",
    "batsman",
    "bowler",
    "fly-half",
    "scrum-half",
];

/// Whether the name spanning bytes `start..end` is a team by the words after
/// it, on any page: a sports role and a capitalized name ("Italy coach Cesare
/// Prandelli", "Cleveland coach Romeo Crennel"), or a result word with a score
/// later in the sentence ("Boston beat the Minnesota Twins 6-4").
pub fn is_team_by_role(text: &str, tokens: &[Token], start: usize, end: usize) -> bool {
    let Some((first, last)) = token_range(tokens, start, end) else {
        return false;
    };
    let sentence = tokens[first].sentence;
    let (Some(role), Some(name)) = (tokens.get(last), tokens.get(last + 1)) else {
        return false;
    };
    if role.sentence != sentence || name.sentence != sentence {
        return false;
    }
    if is_place_context(text, tokens, start, end) {
        return false;
    }
    let role_cue = TEAM_ROLES.contains(&role.text(text).to_lowercase().as_str())
        && is_name_word(name.text(text));
    // "Boston beat the Minnesota Twins 6-4": a result word, then a score
    let result_cue = RESULT_WORDS.contains(&role.text(text).to_lowercase().as_str())
        && tokens[last..]
            .iter()
            .take_while(|t| t.sentence == sentence)
            .any(|t| is_score(t.text(text)));
    role_cue || result_cue
}

/// Whether the demonym spanning bytes `start..end` stands for a national team on
/// a sports page: a noun after "the" ("The Irish , under new manager"), or an
/// adjective before a part of a team ("the Turkish goal", "the Austrian
/// defence"). Before a person's name or a role ("Austrian coach Herbert
/// Prohaska") it stays the country.
pub fn is_team_demonym(text: &str, tokens: &[Token], start: usize, end: usize) -> bool {
    let Some((first, last)) = token_range(tokens, start, end) else {
        return false;
    };
    if is_place_context(text, tokens, start, end) {
        return false;
    }
    let sentence = tokens[first].sentence;
    let before = first
        .checked_sub(1)
        .map(|i| &tokens[i])
        .filter(|t| t.sentence == sentence);
    let after = tokens.get(last).filter(|t| t.sentence == sentence);
    let word = |t: &Token| t.text(text).to_lowercase();
    if after.is_some_and(|t| TEAM_PARTS.contains(&word(t).as_str())) {
        return true;
    }
    let the = before.is_some_and(|t| word(t) == "the");
    let noun_follows = match after {
        None => true,
        Some(t) => {
            let w = t.text(text);
            !w.chars().any(char::is_alphanumeric)
                || AFTER_TEAM_NOUN.contains(&w.to_lowercase().as_str())
        }
    };
    // "the Irish", "the Indians"; "the Brazilian" is rather one player
    let lower = text[start..end].to_lowercase();
    let plural = ["s", "sh", "ch", "ese"].iter().any(|e| lower.ends_with(e));
    let result = |t: Option<&Token>| t.is_some_and(|t| RESULT_WORDS.contains(&word(t).as_str()));
    plural && (the && noun_follows || result(before) || result(after))
}

/// Words of a description that make a person a sportsperson.
const SPORTSPERSON_WORDS: &[&str] = &[
    "footballer",
    "football",
    "cricketer",
    "tennis",
    "golfer",
    "athlete",
    "racing",
    "driver",
    "cyclist",
    "boxer",
    "player",
    "swimmer",
    "skier",
    "runner",
    "sprinter",
    "jockey",
    "coach",
    "rugby",
    "baseball",
    "basketball",
    "hockey",
    "olympic",
    "sport",
];

/// Whether a KB description ("Brazilian footballer") is a sportsperson's.
pub fn is_sportsperson(description: &str) -> bool {
    description
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| SPORTSPERSON_WORDS.contains(&w.to_lowercase().as_str()))
}

/// Whether the name spanning bytes `start..end` reads as a team: a number or a
/// result word next to it, or a score in its sentence within three words of it;
/// never after "in", "at", "from".
pub fn is_team_mention(
    text: &str,
    tokens: &[Token],
    start: usize,
    end: usize,
    country: bool,
) -> bool {
    let first = tokens.partition_point(|t| t.end <= start);
    let last = tokens.partition_point(|t| t.start < end);
    if first >= last {
        return false;
    }
    let sentence = tokens[first].sentence;
    let same = |t: &&Token| t.sentence == sentence;
    let word = |t: &Token| t.text(text).to_lowercase();
    let numeric = |t: &Token| t.text(text).chars().all(|c| c.is_ascii_digit());
    let before = first.checked_sub(1).map(|i| &tokens[i]).filter(same);
    let after = tokens.get(last).filter(same);
    // a schedule row in capitals, "KANSAS CITY AT DETROIT": both are teams
    let capitals = |t: &Token| {
        let w = t.text(text);
        w.chars().any(char::is_alphabetic) && !w.chars().any(char::is_lowercase)
    };
    let schedule = tokens[first..last].iter().all(capitals)
        && (before.is_some_and(|t| t.text(text) == "AT")
            || after.is_some_and(|t| t.text(text) == "AT"));
    if schedule {
        return true;
    }
    if is_place_context(text, tokens, start, end) {
        return false;
    }
    // "India 's Leander Paes", "a naturalised U.S. citizen": the country of a
    // person, not the team
    if country
        && (possessive_before_name(text, tokens, end)
            || after.is_some_and(|t| NATIONALITY_NOUNS.contains(&word(t).as_str())))
    {
        return false;
    }
    let result_next =
        |t: Option<&Token>| t.is_some_and(|t| RESULT_WORDS.contains(&word(t).as_str()));
    let near_score = (first.saturating_sub(3)..(last + 3).min(tokens.len())).any(|i| {
        let t = &tokens[i];
        t.sentence == sentence
            && (is_score(t.text(text))
                || numeric(t)
                    && tokens
                        .get(i + 1)
                        .is_some_and(|n| numeric(n) && &text[t.end..n.start] == "-"))
    });
    // on a sports page a country's name is its national team unless it says where
    let club_cue = before.is_some_and(|t| CLUB_WORDS.contains(&word(t).as_str()))
        || transfer_from(text, tokens, first)
        || !country
            && (after.is_some_and(|t| SQUAD_WORDS.contains(&word(t).as_str()))
                || team_possessive(text, tokens, last));
    country
        || after.is_some_and(numeric)
        || result_next(after)
        || result_next(before)
        || near_score
        || club_cue
}

/// Whether the name spanning bytes `start..end` is plainly a place: after "in",
/// "at" or "from", in a dateline ("WIGAN , England 1996-08-31"), or a player's
/// nationality in brackets ("Tim Henman ( Britain )").
pub fn is_place_context(text: &str, tokens: &[Token], start: usize, end: usize) -> bool {
    let first = tokens.partition_point(|t| t.end <= start);
    let last = tokens.partition_point(|t| t.start < end);
    if first >= last {
        return false;
    }
    let sentence = tokens[first].sentence;
    let same = |t: &&Token| t.sentence == sentence;
    let before = first.checked_sub(1).map(|i| &tokens[i]).filter(same);
    let after = tokens.get(last).filter(same);
    if before.is_some_and(|t| PLACE_WORDS.contains(&t.text(text).to_lowercase().as_str()))
        && !transfer_from(text, tokens, first)
    {
        return true;
    }
    // a dateline, "WIGAN , England 1996-08-31": where the story was filed
    let comma_before = before.is_some_and(|t| text[t.end..start].trim() == ",");
    let city_before = before.is_some_and(|t| {
        let w = t.text(text);
        w.chars().any(char::is_alphabetic)
            && !w.chars().any(char::is_lowercase)
            && w.chars().count() > 1
    });
    let dated = after.is_some_and(|t| is_iso_date(t.text(text)));
    if comma_before && (city_before || dated) || dated && tokens[first].sentence_start {
        return true;
    }
    // the city of a dateline, "NICE , France 1996-08-30"
    if tokens[first].sentence_start
        && tokens[last..]
            .iter()
            .take(4)
            .take_while(|t| t.sentence == sentence)
            .any(|t| is_iso_date(t.text(text)))
    {
        return true;
    }
    // "Tim Henman ( Britain ) beat ...": a player's nationality
    if text[..start].trim_end().ends_with('(') && text[end..].trim_start().starts_with(')') {
        return true;
    }
    false
}

/// `3-1`, `292-8`: a score.
fn is_score(w: &str) -> bool {
    let mut parts = w.split('-');
    let digits = |p: Option<&str>| {
        p.is_some_and(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()))
    };
    digits(parts.next()) && digits(parts.next()) && parts.next().is_none()
}

/// `1996-08-31`: the date of a dateline.
fn is_iso_date(w: &str) -> bool {
    let b = w.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tokenize;

    #[test]
    fn results_and_tables_are_team_contexts() {
        let t = "SOCCER - LEAGUE RESULTS.\nEngland beat Poland 2-1 in the World Cup qualifier.\nCHICAGO 74 59\nThe match was played in London on Sunday.\nFans flew home to Warsaw.";
        let toks = tokenize(t);
        assert!(is_sports_text(t, &toks));
        let team = |w: &str| {
            let b = t.find(w).unwrap();
            is_team_mention(t, &toks, b, b + w.len(), false)
        };
        assert!(team("England"));
        assert!(team("Poland"));
        assert!(team("CHICAGO"));
        assert!(!team("London"));
        assert!(!team("Warsaw"));
        let t = "CRICKET - ENGLAND V PAKISTAN ONE-DAY MATCH SCOREBOARD .\nBIRMINGHAM , England 1996-08-31\nPakistan won the toss and put England in to bat in the match .";
        let toks = tokenize(t);
        assert!(is_sports_text(t, &toks));
        let b = t.find("England").unwrap();
        assert!(
            !is_team_mention(t, &toks, b, b + 7, true),
            "a dateline names a place"
        );
        let b = t.rfind("England").unwrap();
        assert!(is_team_mention(t, &toks, b, b + 7, true));
        let t = "TENNIS - RESULTS.\nTim Henman ( Britain ) beat Doug Flach ( U.S. ) 6-3 6-4 in the first round of the singles tournament .";
        let toks = tokenize(t);
        assert!(is_sports_text(t, &toks));
        let b = t.find("Britain").unwrap();
        assert!(!is_team_mention(t, &toks, b, b + 7, true));
    }

    #[test]
    fn news_is_not_sports() {
        let t = "Japan and China agreed on trade. The match between their positions was close.";
        assert!(!is_sports_text(t, &tokenize(t)));
        let t = "The final figures for the season show the inflation goal was missed. \
                 The final crop estimate for Japan and France is due; the season ends in May.";
        assert!(
            !is_sports_text(t, &tokenize(t)),
            "no word only sports pages use"
        );
    }
}
