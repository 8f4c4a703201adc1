//! Company names in their legal form: "Texaco Inc", "NV Philips", "Rolls Royce
//! Plc", "Morgan Stanley and Co Inc". News gives a company's legal form where the
//! KB lists the name people use; stripping the legal words finds the entity.

use crate::cues::{is_legal_form, LEGAL_WORDS};

/// `name` without the words of its legal form at either end ("NV Philips
/// Gloeilampenfabrieken" keeps "Philips Gloeilampenfabrieken"; "Morgan Stanley
/// and Co Inc" gives "Morgan Stanley"), or `None` when nothing was stripped or
/// nothing would be left.
pub fn core_name(name: &str) -> Option<String> {
    let words: Vec<&str> = name.split_whitespace().collect();
    let legal = |w: &str| {
        let w = w.trim_end_matches([',', '.']).to_lowercase();
        LEGAL_WORDS.contains(&w.as_str())
    };
    let connector = |w: &str| matches!(w, "and" | "&");
    let mut start = 0;
    let mut end = words.len();
    while start < end && legal(words[start]) {
        start += 1;
    }
    while end > start && (legal(words[end - 1]) || connector(words[end - 1])) {
        end -= 1;
    }
    if end == start || (start == 0 && end == words.len()) {
        return None;
    }
    let core = words[start..end].join(" ");
    Some(core.trim_end_matches(',').to_string())
}

/// The shorter forms of `name` to look up, longest first: one legal word off
/// the end at a time, then [`core_name`] ("Merck and Co Inc" gives "Merck and
/// Co", then "Merck").
pub fn core_names(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut words: Vec<&str> = name.split_whitespace().collect();
    while words.len() > 2 && is_legal_form(words[words.len() - 1]) {
        words.pop();
        let w = words.join(" ");
        let w = w.trim_end_matches(',').to_string();
        if !words.last().is_some_and(|l| matches!(*l, "and" | "&")) {
            out.push(w);
        }
    }
    if let Some(core) = core_name(name) {
        if !out.contains(&core) {
            out.push(core);
        }
    }
    out
}

/// The names of the company whose division `name` may be, longest first:
/// "Merrill Lynch Capital Markets Inc" gives "Merrill Lynch Capital" and
/// "Merrill Lynch"; empty when `name` does not end with a division's business.
pub fn parent_names(name: &str) -> Vec<String> {
    let base = core_names(name)
        .into_iter()
        .next()
        .unwrap_or_else(|| name.to_string());
    let mut words: Vec<&str> = base.split_whitespace().collect();
    let mut out = Vec::new();
    while words.len() > 1 && is_division_word(words[words.len() - 1]) {
        words.pop();
        out.push(words.join(" "));
    }
    out
}

/// Words that name what a company's division does, after the company's name.
const DIVISION_WORDS: &[&str] = &[
    "capital",
    "markets",
    "securities",
    "investment",
    "investments",
    "management",
    "asset",
    "assets",
    "cables",
    "tyres",
    "tires",
    "chemicals",
    "trading",
    "research",
    "services",
    "financial",
    "finance",
    "brokerage",
    "international",
];

fn is_division_word(w: &str) -> bool {
    DIVISION_WORDS.contains(&w.to_lowercase().as_str())
}

/// Legal forms that only companies of some countries have, with those
/// countries' QIDs: a public limited company ("Plc") is British or Irish.
const NATIONAL_FORMS: &[(&str, &[&str])] = &[("plc", &["Q145", "Q27", "Q22", "Q21", "Q25"])];

/// The QIDs of the countries whose companies may carry `name`'s legal form
/// ("Hanson Plc": the United Kingdom and Ireland); empty when the form says
/// nothing of the country.
pub fn legal_form_countries(name: &str) -> Vec<&'static str> {
    let last = name
        .split_whitespace()
        .last()
        .unwrap_or("")
        .trim_end_matches(['.', ','])
        .to_lowercase();
    NATIONAL_FORMS
        .iter()
        .find(|(form, _)| *form == last)
        .map(|(_, countries)| countries.to_vec())
        .unwrap_or_default()
}

/// Whether `word` is a legal form written with a final dot in news ("Inc.",
/// "Corp.", "Co.", "Ltd."), so a name ending in it takes the dot.
pub fn takes_dot(word: &str) -> bool {
    matches!(
        word.to_lowercase().as_str(),
        "inc" | "corp" | "co" | "ltd" | "bros" | "cos"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legal_forms_are_stripped() {
        assert_eq!(core_name("Texaco Inc").as_deref(), Some("Texaco"));
        assert_eq!(
            core_name("General Motors Corp.").as_deref(),
            Some("General Motors")
        );
        assert_eq!(
            core_name("Morgan Stanley and Co Inc").as_deref(),
            Some("Morgan Stanley")
        );
        assert_eq!(core_name("Rolls Royce Plc").as_deref(), Some("Rolls Royce"));
        assert_eq!(
            core_name("The Associated Press").as_deref(),
            Some("Associated Press")
        );
        assert_eq!(core_name("NV Philips").as_deref(), Some("Philips"));
        assert_eq!(
            core_name("Reuters Holdings Plc").as_deref(),
            Some("Reuters")
        );
    }

    #[test]
    fn shorter_forms_come_longest_first() {
        assert_eq!(core_names("Merck and Co Inc"), ["Merck and Co", "Merck"]);
        assert_eq!(core_names("Texaco Inc"), ["Texaco"]);
        assert_eq!(
            parent_names("Merrill Lynch Capital Markets Inc"),
            ["Merrill Lynch Capital", "Merrill Lynch"]
        );
        assert_eq!(parent_names("Pirelli Cables"), ["Pirelli"]);
        assert_eq!(parent_names("Pirelli"), Vec::<String>::new());
        assert_eq!(core_names("Texaco"), Vec::<String>::new());
    }

    #[test]
    fn national_legal_forms_name_their_countries() {
        assert_eq!(legal_form_countries("General Electric Co Plc")[0], "Q145");
        assert!(legal_form_countries("General Electric Co").is_empty());
        assert!(legal_form_countries("").is_empty());
    }

    #[test]
    fn legal_forms_split_from_other_words() {
        assert!(is_legal_form("Inc.,"));
        assert!(is_legal_form("AG"));
        assert!(!is_legal_form("Group"));
        assert!(!is_legal_form("Depot"));
    }

    #[test]
    fn names_without_a_legal_form_stay() {
        assert_eq!(core_name("Texaco"), None);
        assert_eq!(core_name("Inc"), None);
        assert_eq!(core_name("The Group"), None);
        assert_eq!(core_name(""), None);
    }
}
