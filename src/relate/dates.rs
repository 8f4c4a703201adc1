//! Calendar dates stated in a sentence: "on June 27, 2019", "27 June 2019",
//! "in June 2018", "in June last year", "in 2002". Weekdays and other relative
//! expressions ("on Thursday", "last week") are left alone: they need the
//! article's tense to resolve, and a wrong date is worse than none.

use super::sentence::Sentence;
use crate::kb::PartialDate;

use crate::cues::MONTHS;

fn month(w: &str) -> Option<u8> {
    let w = w.trim_end_matches('.');
    if let Some(i) = MONTHS.iter().position(|m| *m == w) {
        return Some(i as u8 + 1);
    }
    // abbreviations, but not "may" (a verb) nor "mar"/"jun" alone in prose
    const ABBR: &[(&str, u8)] = &[
        ("jan", 1),
        ("feb", 2),
        ("apr", 4),
        ("aug", 8),
        ("sept", 9),
        ("sep", 9),
        ("oct", 10),
        ("nov", 11),
        ("dec", 12),
    ];
    ABBR.iter().find(|(a, _)| *a == w).map(|(_, m)| *m)
}

fn year(w: &str) -> Option<i32> {
    if w.len() != 4 || !w.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    w.parse().ok().filter(|y| (1900..=2100).contains(y))
}

fn day(w: &str) -> Option<u8> {
    let w = w
        .trim_end_matches("st")
        .trim_end_matches("nd")
        .trim_end_matches("rd")
        .trim_end_matches("th");
    if w.is_empty() || w.len() > 2 || !w.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    w.parse().ok().filter(|d| (1..=31).contains(d))
}

/// A date found in a sentence: the items it spans and the date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Found {
    /// First item.
    pub first: usize,
    /// Last item.
    pub last: usize,
    /// The date, as precise as stated.
    pub date: PartialDate,
}

/// The dates stated in sentence `s`; `article` resolves "last year" and "this year".
pub(crate) fn find(s: &Sentence<'_>, article: Option<PartialDate>) -> Vec<Found> {
    let mut out = Vec::new();
    let n = s.items.len();
    let w = |i: usize| s.word(i).unwrap_or("");
    let mut i = 0;
    while i < n {
        // Month D, YYYY | Month D YYYY | Month YYYY | Month last/this year
        if let Some(m) = month(w(i)) {
            // "may" as a month needs a day or year after it
            let mut d = 0u8;
            let mut j = i + 1;
            if let Some(x) = day(w(j)) {
                d = x;
                j += 1;
            }
            if let Some(y) = year(w(j)) {
                out.push(Found {
                    first: i,
                    last: j,
                    date: PartialDate {
                        year: y,
                        month: m,
                        day: d,
                    },
                });
                i = j + 1;
                continue;
            }
            if d == 0 && i >= 1 && matches!(w(i - 1), "in" | "since" | "by" | "until") {
                let rel = match (w(j), w(j + 1)) {
                    ("last", "year") => Some(-1),
                    ("this", "year") => Some(0),
                    ("next", "year") => Some(1),
                    _ => None,
                };
                if let (Some(k), Some(a)) = (rel, article) {
                    out.push(Found {
                        first: i,
                        last: j + 1,
                        date: PartialDate {
                            year: a.year + k,
                            month: m,
                            day: 0,
                        },
                    });
                    i = j + 2;
                    continue;
                }
            }
        }
        // D Month YYYY
        if let (Some(d), Some(m), Some(y)) = (day(w(i)), month(w(i + 1)), year(w(i + 2))) {
            out.push(Found {
                first: i,
                last: i + 2,
                date: PartialDate {
                    year: y,
                    month: m,
                    day: d,
                },
            });
            i += 3;
            continue;
        }
        // in YYYY
        if let Some(y) = year(w(i)) {
            if i >= 1 && w(i - 1) == "in" {
                out.push(Found {
                    first: i - 1,
                    last: i,
                    date: PartialDate {
                        year: y,
                        month: 0,
                        day: 0,
                    },
                });
            }
        }
        i += 1;
    }
    out
}

/// The one date a sentence states, if it states exactly one (distinct) date.
pub(crate) fn only(s: &Sentence<'_>, article: Option<PartialDate>) -> Option<PartialDate> {
    let found = find(s, article);
    let first = found.first()?.date;
    found.iter().all(|f| f.date == first).then_some(first)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::relate::sentence;
    use crate::text::tokenize;

    fn dates(text: &str, article: &str) -> Vec<String> {
        let tokens = tokenize(text);
        let spans = sentence::sentence_spans(text, &tokens);
        let s = sentence::build(text, &tokens, &[], 0, spans[0]);
        find(&s, PartialDate::parse(article))
            .iter()
            .map(|f| f.date.to_iso())
            .collect()
    }

    #[test]
    fn calendar_dates_at_their_precision() {
        assert_eq!(
            dates("They met on June 27, 2019 in Osaka", "2019-06-28"),
            ["2019-06-27"]
        );
        assert_eq!(
            dates("They met on 12 June 2018.", "2019-01-01"),
            ["2018-06-12"]
        );
        assert_eq!(dates("They met in April 2018.", "2019-01-01"), ["2018-04"]);
        assert_eq!(dates("They met in 2002.", "2019-01-01"), ["2002"]);
        assert_eq!(
            dates("The summit in June last year.", "2019-02-28"),
            ["2018-06"]
        );
    }

    #[test]
    fn no_dates_from_weekdays_decades_ranges_or_may() {
        assert!(dates("They met on Thursday.", "2019-02-28").is_empty());
        assert!(dates("It happened in the 1970s and 80s.", "2019-02-28").is_empty());
        assert!(dates("The 1950-53 Korean War.", "2019-02-28").is_empty());
        assert!(dates("Talks may resume in June.", "2019-02-28").is_empty());
        assert!(dates("They met in 12 places.", "2019-02-28").is_empty());
    }
}
