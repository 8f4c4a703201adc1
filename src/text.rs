//! Text utilities: offsets in two units, sentences, tokens, case modes and name keys.
//!
//! The pipeline works on byte offsets; [`CharIndex`] converts them to Unicode scalar
//! value offsets (Python's `str` indices), which is what the JSON and NIF outputs use.

use unicode_normalization::UnicodeNormalization;

/// Converts byte offsets of one text to character (scalar value) offsets and back.
#[derive(Debug, Clone)]
pub struct CharIndex {
    /// Byte offset of each char, plus the text length at the end.
    bytes: Vec<usize>,
}

impl CharIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> Self {
        let mut bytes: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        bytes.push(text.len());
        CharIndex { bytes }
    }

    /// Character offset of byte offset `b` (which must lie on a char boundary;
    /// otherwise the next boundary is used).
    pub fn char_of(&self, b: usize) -> usize {
        match self.bytes.binary_search(&b) {
            Ok(i) | Err(i) => i,
        }
    }

    /// Byte offset of character offset `c`, or `None` past the end.
    pub fn byte_of(&self, c: usize) -> Option<usize> {
        self.bytes.get(c).copied()
    }

    /// Number of characters.
    pub fn len(&self) -> usize {
        self.bytes.len() - 1
    }

    /// True for the empty text.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// How the letters of a line are cased: decides how strictly names must match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseMode {
    /// Ordinary prose with upper and lower case.
    Mixed,
    /// Everything lower case: URL slugs, chat, some headlines.
    Lower,
    /// Everything upper case: wire headlines.
    Upper,
}

/// The case mode of `s`: `Lower` or `Upper` when it has at least 3 letters
/// and all of one case.
pub fn case_mode(s: &str) -> CaseMode {
    let (mut upper, mut lower) = (0usize, 0usize);
    for c in s.chars() {
        if c.is_uppercase() {
            upper += 1;
        } else if c.is_lowercase() {
            lower += 1;
        }
    }
    if upper + lower < 3 {
        CaseMode::Mixed
    } else if upper == 0 {
        CaseMode::Lower
    } else if lower == 0 {
        CaseMode::Upper
    } else {
        CaseMode::Mixed
    }
}

/// Case modes per line, as `(line start byte, line end byte, mode)`.
pub fn line_modes(text: &str) -> Vec<(usize, usize, CaseMode)> {
    let mut out = Vec::new();
    let mut start = 0;
    for line in text.split('\n') {
        let end = start + line.len();
        out.push((start, end, case_mode(line)));
        start = end + 1;
    }
    out
}

/// A token: a run of letters and digits, with inner `-`, `'`, `’`, `&` and `.`
/// (in abbreviations like `U.S.`) kept. Offsets are bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// Start byte.
    pub start: usize,
    /// End byte (exclusive).
    pub end: usize,
    /// Index of its sentence.
    pub sentence: usize,
    /// First token of its sentence.
    pub sentence_start: bool,
}

impl Token {
    /// The token's text.
    pub fn text<'a>(&self, s: &'a str) -> &'a str {
        &s[self.start..self.end]
    }
}

/// True if the word starts with an upper-case letter.
pub fn is_capitalized(word: &str) -> bool {
    word.chars().next().is_some_and(|c| c.is_uppercase())
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Splits `text` into tokens and assigns each to a sentence.
///
/// Sentences end at `.`, `!` or `?` followed by a space and a capital letter or
/// quote (not after a known abbreviation or a single capital), and at line breaks.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let n = chars.len();
    let mut i = 0;
    let mut sentence = 0;
    let mut new_sentence = true;
    while i < n {
        let (b, c) = chars[i];
        if is_word_char(c) {
            let start = b;
            let mut j = i + 1;
            while j < n {
                let c = chars[j].1;
                if is_word_char(c) || joins_word(&chars, i, j) {
                    j += 1;
                } else {
                    break;
                }
            }
            // keep the final dot of an initialism such as U.S. or U.N.
            let mut end_j = j;
            if j < n && chars[j].1 == '.' && text[start..chars[j].0].contains('.') {
                end_j = j + 1;
            }
            let end = if end_j < n {
                chars[end_j].0
            } else {
                text.len()
            };
            tokens.push(Token {
                start,
                end,
                sentence,
                sentence_start: new_sentence,
            });
            new_sentence = false;
            i = end_j;
            continue;
        }
        if c == '\n' {
            if !new_sentence {
                sentence += 1;
                new_sentence = true;
            }
        } else if matches!(c, '.' | '!' | '?') && !new_sentence {
            // look ahead: space(s) then a capital, digit or opening quote
            let mut k = i + 1;
            while k < n && matches!(chars[k].1, '"' | '”' | '\'' | '’' | ')') {
                k += 1;
            }
            let spaced = k < n && chars[k].1.is_whitespace();
            while k < n && chars[k].1 == ' ' {
                k += 1;
            }
            let next_starts = k >= n
                || chars[k].1 == '\n'
                || chars[k].1.is_uppercase()
                || chars[k].1.is_numeric()
                || matches!(chars[k].1, '"' | '“' | '\'' | '‘' | '(');
            let abbreviation = c == '.'
                && tokens
                    .last()
                    .is_some_and(|t: &Token| t.end == b && is_abbreviation(&text[t.start..t.end]));
            if (spaced || k >= n) && next_starts && !abbreviation {
                sentence += 1;
                new_sentence = true;
            }
        }
        i += 1;
    }
    tokens
}

/// Whether the punctuation at `chars[j]` stays inside the token that started at
/// `chars[i]`: inner `-`, `'`, `’`, `&` before a letter or digit (but not a
/// possessive `'s`), and the dots of initialisms such as `U.S.`.
fn joins_word(chars: &[(usize, char)], i: usize, j: usize) -> bool {
    let n = chars.len();
    let c = chars[j].1;
    let next = chars.get(j + 1).map(|x| x.1);
    let after = chars.get(j + 2).map(|x| x.1);
    match c {
        '-' | '\'' | '’' | '&' => {
            let possessive = matches!(c, '\'' | '’')
                && matches!(next, Some('s' | 'S'))
                && !after.is_some_and(is_word_char);
            next.is_some_and(is_word_char) && !possessive
        }
        // U.S., U.N.: single letters separated by dots
        '.' => {
            j - i == 1 && j + 2 < n && next.is_some_and(char::is_alphabetic) && after == Some('.')
        }
        _ => false,
    }
}

/// Words after which a dot does not end a sentence.
fn is_abbreviation(word: &str) -> bool {
    const ABBR: &[&str] = &[
        "Mr", "Mrs", "Ms", "Dr", "St", "Sen", "Rep", "Gov", "Gen", "Lt", "Col", "Capt", "Sgt",
        "Prof", "Jr", "Sr", "No", "Co", "Corp", "Inc", "Ltd", "Jan", "Feb", "Mar", "Apr", "Jun",
        "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "vs", "Mt", "Ft", "Adm", "Pres", "Rev",
    ];
    let w = word.trim_end_matches('.');
    ABBR.contains(&w) || (w.chars().count() == 1 && w.chars().all(|c| c.is_uppercase()))
}

/// The lookup key of a name: lower case, typographic apostrophes and dashes made
/// plain, inner whitespace collapsed.
pub fn name_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        let c = match c {
            '’' | '‘' | '`' | '´' => '\'',
            '‐' | '‑' | '‒' | '–' | '—' => '-',
            c => c,
        };
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.extend(c.to_lowercase());
    }
    out
}

/// `s` with diacritics removed (`Erdoğan` → `Erdogan`); `None` when nothing changes.
pub fn fold_diacritics(s: &str) -> Option<String> {
    if s.is_ascii() {
        return None;
    }
    let folded: String = s
        .nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .collect();
    (folded != s).then_some(folded)
}

/// A slug for local IRIs: ASCII letters and digits, words joined by `-`.
pub fn slug(s: &str) -> String {
    let folded = fold_diacritics(s).unwrap_or_else(|| s.to_string());
    let mut out = String::new();
    let mut dash = false;
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c.to_ascii_lowercase());
        } else if c == '\'' || c == '’' || c == '.' {
            // "O'Brien" -> obrien, "U.S." -> us
        } else {
            dash = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_index_round_trips() {
        let t = "Trump’s café – Hanoi";
        let ix = CharIndex::new(t);
        let b = t.find("Hanoi").unwrap();
        let c = ix.char_of(b);
        assert_eq!(t.chars().skip(c).take(5).collect::<String>(), "Hanoi");
        assert_eq!(ix.byte_of(c), Some(b));
        assert_eq!(ix.len(), t.chars().count());
    }

    #[test]
    fn tokens_and_sentences() {
        let t = "Mr. Abe met U.S. officials in Hanoi. Kim Jong-un's aides said no.\nNext";
        let toks = tokenize(t);
        let words: Vec<&str> = toks.iter().map(|k| k.text(t)).collect();
        assert_eq!(
            words,
            [
                "Mr",
                "Abe",
                "met",
                "U.S.",
                "officials",
                "in",
                "Hanoi",
                "Kim",
                "Jong-un",
                "s",
                "aides",
                "said",
                "no",
                "Next"
            ]
        );
        let sents: Vec<usize> = toks.iter().map(|k| k.sentence).collect();
        assert_eq!(sents, [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2]);
        assert!(toks[7].sentence_start);
    }

    #[test]
    fn keys_and_slugs() {
        assert_eq!(name_key("Kim  Jong‑un’s"), "kim jong-un's");
        assert_eq!(fold_diacritics("Erdoğan").as_deref(), Some("Erdogan"));
        assert_eq!(slug("Kim Jong-chol"), "kim-jong-chol");
        assert_eq!(slug("O'Brien & Co."), "obrien-co");
    }

    #[test]
    fn case_modes() {
        assert_eq!(case_mode("trump kim summit"), CaseMode::Lower);
        assert_eq!(case_mode("SOCCER - JAPAN WIN"), CaseMode::Upper);
        assert_eq!(case_mode("Trump met Kim"), CaseMode::Mixed);
        assert_eq!(case_mode("1990"), CaseMode::Mixed);
    }
}
