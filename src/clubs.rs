//! Clubs named by their town on sports pages: "joined Newcastle", "Chelsea
//! defender", "transferred to Milan".
//!
//! Sports reports call a club by the town in its name. The KB lists the club
//! under its full name ("Newcastle United F.C."), so the short name is derived
//! from it: the club's names without a legal or club word at either end ("F.C.",
//! "FC", "A.F.C.", "CF", "AC", "United", "City"). A short name that two clubs share
//! ("Manchester": United and City) stands for neither. The linker uses it only
//! in a sports text and only for a mention that is already an organization or a
//! town's team, so "Chelsea" the person and "Milan" the city are unaffected.

use crate::kb::{AliasKind, EntityId, KbEntity};
use crate::model::EntityType;
use crate::text::name_key;
use std::collections::HashMap;

/// Words that a club's name may carry besides its town, at its start or end.
const CLUB_WORDS: &[&str] = &[
    "f.c.", "fc", "a.f.c.", "afc", "cf", "c.f.", "ac", "a.c.", "united", "city", "sc", "s.c.",
];

/// The town-only forms of a club's name ("Newcastle United F.C." →
/// "Newcastle"); empty when the name has no club word.
pub fn short_forms(name: &str) -> Vec<String> {
    let mut words: Vec<&str> = name.split_whitespace().collect();
    let mut stripped = false;
    loop {
        let before = words.len();
        if words.len() > 1 && CLUB_WORDS.contains(&words[words.len() - 1].to_lowercase().as_str()) {
            words.pop();
        }
        if words.len() > 1 && CLUB_WORDS.contains(&words[0].to_lowercase().as_str()) {
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

/// Each town name that exactly one sports club among `entities` has as a
/// short form, with that club (compiled into the KB's index; see
/// [`crate::kb::Kb::club_by_town`]).
pub fn clubs_by_town(entities: &[KbEntity]) -> Vec<(String, EntityId)> {
    let mut by_town: HashMap<String, Option<EntityId>> = HashMap::new();
    for (id, e) in entities.iter().enumerate() {
        if e.etype != EntityType::Org || e.kind != "sports" {
            continue;
        }
        let mut towns: Vec<String> = e
            .names
            .iter()
            .filter(|(_, k)| matches!(k, AliasKind::Label | AliasKind::Alias))
            .flat_map(|(n, _)| short_forms(n))
            .map(|s| name_key(&s))
            .collect();
        towns.sort_unstable();
        towns.dedup();
        for t in towns {
            by_town
                .entry(t)
                .and_modify(|c| *c = None) // "Manchester": United or City
                .or_insert(Some(id as EntityId));
        }
    }
    by_town
        .into_iter()
        .filter_map(|(t, c)| Some((t, c?)))
        .collect()
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
        let qid = |s: &str| kb.club_by_town(s).map(|e| kb.entity(e).qid.clone());
        assert_eq!(qid("Newcastle").as_deref(), Some("Q18716"));
        assert_eq!(qid("NEWCASTLE").as_deref(), Some("Q18716"));
        assert_eq!(qid("Manchester"), None);
        // only sports clubs
        assert_eq!(qid("Newport Holdings"), None);
        assert_eq!(qid("Leeds"), None);
    }
}
