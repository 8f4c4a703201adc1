//! Spelling variants of KB names that news writes without the KB listing them:
//! German umlauts transliterated ("Rühe" → "Ruehe", "Düsseldorf" →
//! "Duesseldorf") and Arabic family names without their article ("al-Maliki"
//! → "Maliki", "el-Sisi" → "Sisi"), and parties with a lower-case "party"
//! ("the Labour party").

use crate::text::fold_diacritics;

/// `name` with German umlauts and ß transliterated (ä → ae, ö → oe, ü → ue, ß →
/// ss) and any other diacritics folded; `None` when it has no umlaut or ß.
pub fn german_transliteration(name: &str) -> Option<String> {
    if !name.contains(['ä', 'ö', 'ü', 'Ä', 'Ö', 'Ü', 'ß']) {
        return None;
    }
    let mut out = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        match c {
            'ä' => out.push_str("ae"),
            'ö' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'Ä' => out.push_str("Ae"),
            'Ö' => out.push_str("Oe"),
            'Ü' => out.push_str("Ue"),
            'ß' => out.push_str("ss"),
            c => out.push(c),
        }
    }
    Some(fold_diacritics(&out).unwrap_or(out))
}

/// The family name without its Arabic article ("al-Maliki" → "Maliki",
/// "El-Baradei" → "Baradei"), when the rest is a capitalized word of three
/// letters or more.
pub fn without_arabic_article(family: &str) -> Option<&str> {
    let lower = family.get(..3)?.to_lowercase();
    if lower != "al-" && lower != "el-" {
        return None;
    }
    let rest = &family[3..];
    (rest.chars().count() >= 3 && rest.chars().next().is_some_and(char::is_uppercase))
        .then_some(rest)
}

/// A party's name ending in "Party" as news also writes it, with a lower-case
/// "party" ("Labour party", "Communist Party of China" stays); `None` otherwise.
pub fn party_lower_case(name: &str) -> Option<String> {
    let stem = name.strip_suffix(" Party")?;
    (!stem.is_empty()).then(|| format!("{stem} party"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn umlauts_are_transliterated() {
        assert_eq!(
            german_transliteration("Volker Rühe").as_deref(),
            Some("Volker Ruehe")
        );
        assert_eq!(
            german_transliteration("Düsseldorf").as_deref(),
            Some("Duesseldorf")
        );
        assert_eq!(
            german_transliteration("Gerhard Schröder").as_deref(),
            Some("Gerhard Schroeder")
        );
        assert_eq!(german_transliteration("Straße").as_deref(), Some("Strasse"));
        // other diacritics are folded alongside
        assert_eq!(
            german_transliteration("Müller-Lüdenscheidt José").as_deref(),
            Some("Mueller-Luedenscheidt Jose")
        );
        assert_eq!(german_transliteration("Erdoğan"), None);
        assert_eq!(german_transliteration("Berlin"), None);
    }

    #[test]
    fn parties_with_lower_case_party() {
        assert_eq!(
            party_lower_case("Labour Party").as_deref(),
            Some("Labour party")
        );
        assert_eq!(party_lower_case("Communist Party of China"), None);
        assert_eq!(party_lower_case("Party"), None);
        assert_eq!(party_lower_case("Bundestag"), None);
    }

    #[test]
    fn arabic_articles_are_dropped() {
        assert_eq!(without_arabic_article("al-Maliki"), Some("Maliki"));
        assert_eq!(without_arabic_article("el-Sisi"), Some("Sisi"));
        assert_eq!(without_arabic_article("Al-Assad"), Some("Assad"));
        assert_eq!(without_arabic_article("al-Ab"), None);
        assert_eq!(without_arabic_article("al-qaeda"), None);
        assert_eq!(without_arabic_article("Alonso"), None);
        assert_eq!(without_arabic_article("al"), None);
    }
}
