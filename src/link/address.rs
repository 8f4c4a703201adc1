//! Places written as an address: a town and its state, "Houston, TX",
//! "Birmingham, Ala.", "London, Ontario".
//!
//! A US state's postal code after a US city is part of one address mention.
//! A town followed by a state or province of another country than the KB's
//! town of that name is another town, which the KB does not know: it stays an
//! unknown place instead of a confident wrong link.

use crate::kb::Kb;
use crate::model::{EntityType, Link, Target};

/// "BIRMINGHAM, Ala.", "London, Ontario": turns such towns into unknown places.
pub fn unlink_towns_of_other_states(kb: &Kb, text: &str, links: &mut [Link]) {
    for i in 1..links.len() {
        let (head, tail) = links.split_at_mut(i);
        let (town, region) = (&mut head[i - 1], &tail[0]);
        if town.etype != EntityType::Loc
            || text.get(town.mention.end..region.mention.start) != Some(", ")
        {
            continue;
        }
        let (Target::Known(t), Target::Known(r)) = (&town.target, &region.target) else {
            continue;
        };
        let (Some(t), Some(r)) = (kb.by_qid(t), kb.by_qid(r)) else {
            continue;
        };
        let r_entity = kb.entity(r);
        let country = (r_entity.etype == EntityType::Loc && r_entity.kind == "region")
            .then_some(r_entity.country)
            .flatten();
        // the state closes the address: "Ala., after", "Calif.-based",
        // "BIRMINGHAM, Ala. - For years", the end
        let rest = &text[region.mention.end..];
        let closes = (text[..region.mention.end].ends_with('.')
            || rest.trim_start_matches(' ').starts_with(['-', '\u{2014}'])
            || rest
                .chars()
                .next()
                .is_none_or(|c| matches!(c, ',' | '.' | ';' | ':' | ')' | '-' | '\n')))
            && !rest.starts_with(", and");
        let t_entity = kb.entity(t);
        if matches!(t_entity.kind.as_str(), "city" | "capital")
            && closes
            && country.is_some()
            && t_entity.country.is_some()
            && t_entity.country != country
        {
            let m = town.mention.clone();
            *town = crate::link::unknown_link(&m, &text[m.start..m.end], EntityType::Loc, None);
        }
    }
}

/// "Houston, TX": extends a US city's mention over its state's postal code
/// and drops any mention of the code itself.
pub fn join_postal_codes(kb: &Kb, text: &str, links: &mut Vec<Link>) {
    let mut codes = Vec::new();
    for l in links.iter_mut() {
        if let Some(end) = postal_code_after(kb, text, l) {
            codes.push(l.mention.end..end);
            l.mention.end = end;
        }
    }
    links.retain(|l| !codes.iter().any(|c| c.contains(&l.mention.start)));
}

/// The end of a US state's postal code right after the city `l` links to
/// ("Houston, TX"), if there is one.
fn postal_code_after(kb: &Kb, text: &str, l: &Link) -> Option<usize> {
    let Target::Known(q) = &l.target else {
        return None;
    };
    let e = kb.entity(kb.by_qid(q)?);
    let us = e.country.is_some_and(|c| kb.entity(c).qid == "Q30");
    if l.etype != EntityType::Loc || !us || !matches!(e.kind.as_str(), "city" | "capital") {
        return None;
    }
    let rest = text[l.mention.end..].strip_prefix(", ")?;
    let code = rest.get(..2)?;
    let ends = !rest[2..].starts_with(|c: char| c.is_alphanumeric());
    (ends && crate::cues::US_STATE_CODES.contains(&code)).then_some(l.mention.end + 4)
}
