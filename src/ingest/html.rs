//! Articles from HTML pages: the main text found by a Readability port
//! ([`dom_smoothie`]), the title, date, canonical URL and site name from the
//! page's meta tags.
//!
//! - **Text**: Readability's main content, as formatted text (paragraphs
//!   separated by blank lines).
//! - **Title**: `og:title`, else `twitter:title`, else `<title>`, else the title
//!   Readability finds (JSON-LD `headline`, first `<h1>`).
//! - **Date** (`YYYY-MM-DD`): the first of `article:published_time`,
//!   `og:article:published_time`, `datePublished` (an `itemprop` or JSON-LD),
//!   `date`, `pubdate`, `DC.date.issued`, `dcterms.created`, then the first
//!   `<time datetime>`, that reads as a date (ISO 8601, `YYYY/MM/DD`,
//!   `YYYYMMDD`, `5 March 2024`, `March 5, 2024`, RFC 2822).
//! - **URL**: the URL given, else `<link rel=canonical>`, else `og:url`.
//! - **Source**: `og:site_name`.
//!
//! A page that is not HTML (NUL bytes, no markup, no text that reads as an
//! article) is an error saying why, never a panic.

use dom_smoothie::{Config, Readability, TextMode};

/// Pages larger than this are refused before parsing.
pub const MAX_HTML_BYTES: usize = crate::ingest::input::MAX_ARTICLE_BYTES;

/// What [`extract`] finds in a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HtmlArticle {
    /// The headline.
    pub title: Option<String>,
    /// The main text.
    pub text: String,
    /// The publication date, `YYYY-MM-DD`.
    pub date: Option<String>,
    /// The URL given, else the page's canonical URL.
    pub url: Option<String>,
    /// The site's name (`og:site_name`).
    pub source: Option<String>,
}

/// Meta tags naming the publication date, in order of preference (names
/// compared without case).
const DATE_KEYS: [&str; 8] = [
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "date",
    "pubdate",
    "dc.date.issued",
    "dcterms.created",
    "publishdate",
];

/// Tags that make a document HTML; one of them must appear.
const HTML_TAGS: [&str; 14] = [
    "<html", "<head", "<body", "<title", "<p>", "<p ", "<div", "<article", "<main", "<h1", "<h2",
    "<meta", "<section", "<br",
];

/// Extracts the article of an HTML page. `url` is where it was found (an
/// absolute `http(s)` URL makes links absolute and is the article's URL).
pub fn extract(html: &str, url: Option<&str>) -> Result<HtmlArticle, String> {
    check_markup(html)?;
    let url = url.filter(|u| u.starts_with("http://") || u.starts_with("https://"));
    let config = Config {
        text_mode: TextMode::Formatted,
        // a page of more elements than this is not a news article
        max_elements_to_parse: 200_000,
        ..Config::default()
    };
    let mut readability = Readability::new(html, url, Some(config))
        .or_else(|_| Readability::new(html, None, None))
        .map_err(|e| format!("not HTML: {e}"))?;
    let meta = Meta::read(&readability);
    let parsed = readability.parse().map_err(|e| match e {
        dom_smoothie::ReadabilityError::GrabFailed => {
            "not HTML: no article text found in the page".to_string()
        }
        other => format!("not HTML: {other}"),
    })?;
    let text = clean_text(&parsed.text_content);
    if text.is_empty() {
        return Err("not HTML: no article text found in the page".into());
    }
    let title = meta
        .title
        .or_else(|| Some(squash(&parsed.title)).filter(|t| !t.is_empty()));
    let date = meta
        .date
        .or_else(|| parsed.published_time.as_deref().and_then(normalize_date))
        .or(meta.time_element);
    let source = meta.site_name.or_else(|| {
        parsed
            .site_name
            .as_deref()
            .map(squash)
            .filter(|s| !s.is_empty())
    });
    Ok(HtmlArticle {
        title,
        text,
        date,
        url: url.map(str::to_string).or(meta.canonical),
        source,
    })
}

/// Refuses what cannot be an HTML page: too large, NUL bytes, no markup.
fn check_markup(html: &str) -> Result<(), String> {
    if html.len() > MAX_HTML_BYTES {
        return Err(format!(
            "not HTML: {} bytes is more than the {} MiB limit for one page",
            html.len(),
            MAX_HTML_BYTES >> 20
        ));
    }
    if let Some(i) = html.bytes().position(|b| b == 0) {
        return Err(format!(
            "not HTML: binary data (NUL byte at byte offset {i})"
        ));
    }
    let control = html
        .bytes()
        .take(4096)
        .filter(|b| b.is_ascii_control() && !b.is_ascii_whitespace())
        .count();
    if control > 8 {
        return Err(format!(
            "not HTML: binary data ({control} control bytes in the first 4 KiB)"
        ));
    }
    let depth = nesting_depth(html);
    if depth > MAX_NESTING {
        return Err(format!(
            "not HTML: elements nested {depth} deep (more than {MAX_NESTING}; main-text extraction would take too long)"
        ));
    }
    let head = lower_prefix(html, 1 << 20);
    if !HTML_TAGS.iter().any(|t| head.contains(t)) {
        return Err("not HTML: no HTML markup (no <html>, <body>, <p> or similar tag)".into());
    }
    Ok(())
}

/// Pages whose elements nest deeper than this are refused: Readability's
/// work grows with the square of the depth (4,000 nested `<div>`s take seconds),
/// and real articles nest a few dozen deep.
pub const MAX_NESTING: usize = 1000;

/// Container elements that a page must close itself (the parser closes `<p>`,
/// `<li>`, `<td>` and the like on its own), for [`nesting_depth`].
const CONTAINERS: [&str; 15] = [
    "div",
    "span",
    "section",
    "article",
    "main",
    "aside",
    "table",
    "ul",
    "ol",
    "blockquote",
    "b",
    "i",
    "em",
    "strong",
    "font",
];

/// The deepest nesting of [`CONTAINERS`] in the markup, counted from open and
/// close tags without parsing (a cheap upper bound of the tree's depth).
fn nesting_depth(html: &str) -> usize {
    let b = html.as_bytes();
    let (mut depth, mut max) = (0usize, 0usize);
    let mut i = 0;
    while let Some(off) = b[i..].iter().position(|&c| c == b'<') {
        i += off + 1;
        let close = b.get(i) == Some(&b'/');
        let start = i + usize::from(close);
        let end = start
            + b[start..]
                .iter()
                .take(16)
                .take_while(|c| c.is_ascii_alphanumeric())
                .count();
        let name = &b[start..end];
        if name.is_empty()
            || !CONTAINERS
                .iter()
                .any(|c| c.as_bytes().eq_ignore_ascii_case(name))
        {
            continue;
        }
        if close {
            depth = depth.saturating_sub(1);
        } else {
            depth += 1;
            max = max.max(depth);
        }
        i = end;
    }
    max
}

/// The first `n` bytes (at most) of `s`, lower-cased.
fn lower_prefix(s: &str, n: usize) -> String {
    let mut end = n.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_ascii_lowercase()
}

/// What the page's meta tags say.
#[derive(Default)]
struct Meta {
    title: Option<String>,
    date: Option<String>,
    time_element: Option<String>,
    canonical: Option<String>,
    site_name: Option<String>,
}

impl Meta {
    fn read(r: &Readability) -> Meta {
        let doc = &r.doc;
        // key (lower case) -> first non-empty value
        let mut values: Vec<(String, String)> = Vec::new();
        for node in doc.select("meta").nodes() {
            let Some(content) = node.attr("content") else {
                continue;
            };
            let content = squash(&content);
            if content.is_empty() {
                continue;
            }
            for attr in ["property", "name", "itemprop", "http-equiv"] {
                if let Some(key) = node.attr(attr) {
                    values.push((key.trim().to_ascii_lowercase(), content.clone()));
                }
            }
        }
        let get = |key: &str| {
            values
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        };
        let title = get("og:title")
            .or_else(|| get("twitter:title"))
            .or_else(|| {
                doc.select("head title")
                    .nodes()
                    .first()
                    .map(|n| squash(&n.text()))
                    .filter(|t| !t.is_empty())
            });
        let mut date = None;
        for key in DATE_KEYS {
            let found = if key == "datepublished" {
                get(key)
                    .and_then(|v| normalize_date(&v))
                    .or_else(|| {
                        // <time itemprop=datePublished datetime=…>
                        doc.select("[itemprop=datePublished]")
                            .nodes()
                            .iter()
                            .find_map(|n| n.attr("datetime").and_then(|d| normalize_date(&d)))
                    })
                    .or_else(|| json_ld_date(r))
            } else {
                values
                    .iter()
                    .filter(|(k, _)| k == key)
                    .find_map(|(_, v)| normalize_date(v))
            };
            if found.is_some() {
                date = found;
                break;
            }
        }
        let time_element = doc
            .select("time[datetime]")
            .nodes()
            .iter()
            .find_map(|n| n.attr("datetime").and_then(|d| normalize_date(&d)));
        let canonical = doc
            .select("link[rel=canonical]")
            .nodes()
            .iter()
            .filter_map(|n| n.attr("href"))
            .map(|h| h.trim().to_string())
            .find(|h| h.starts_with("http://") || h.starts_with("https://"))
            .or_else(|| {
                get("og:url").filter(|u| u.starts_with("http://") || u.starts_with("https://"))
            });
        Meta {
            title,
            date,
            time_element,
            canonical,
            site_name: get("og:site_name"),
        }
    }
}

/// `datePublished` of the page's JSON-LD blocks (an object, an array of them,
/// or an `@graph`).
fn json_ld_date(r: &Readability) -> Option<String> {
    fn find(v: &serde_json::Value, depth: usize) -> Option<String> {
        if depth > 8 {
            return None;
        }
        match v {
            serde_json::Value::Object(m) => m
                .get("datePublished")
                .and_then(|d| d.as_str())
                .and_then(normalize_date)
                .or_else(|| m.get("@graph").and_then(|g| find(g, depth + 1))),
            serde_json::Value::Array(a) => a.iter().find_map(|x| find(x, depth + 1)),
            _ => None,
        }
    }
    r.doc
        .select("script[type=\"application/ld+json\"]")
        .nodes()
        .iter()
        .find_map(|n| {
            let text = n.text();
            serde_json::from_str::<serde_json::Value>(text.trim())
                .ok()
                .and_then(|v| find(&v, 0))
        })
}

/// Whitespace runs as one space, trimmed.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text with each line's spaces squashed, at most one blank line between
/// paragraphs.
fn clean_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut blank = false;
    for line in s.lines() {
        let line = squash(line);
        if line.is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank { "\n\n" } else { "\n" });
        }
        blank = false;
        out.push_str(&line);
    }
    out
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// Reads a date as pages write it and gives `YYYY-MM-DD`: ISO 8601
/// (`2024-03-05`, `2024-03-05T10:00:00+01:00`), `2024/03/05`, `20240305`,
/// `5 March 2024`, `March 5, 2024`, `Tue, 05 Mar 2024 10:00:00 GMT`. The date
/// is the one written (a time zone does not move it).
pub fn normalize_date(s: &str) -> Option<String> {
    let s = s.trim();
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    // YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD, then anything (a time)
    if b.len() >= 10 && matches!(b[4], b'-' | b'/' | b'.') && b[7] == b[4] {
        let (y, m, d) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
        if b.len() == 10 || !b[10].is_ascii_digit() {
            return ymd(y, m, d);
        }
    }
    // YYYYMMDD
    if b.len() >= 8
        && b[..8].iter().all(u8::is_ascii_digit)
        && b.get(8).is_none_or(|c| !c.is_ascii_digit())
    {
        return ymd(digits(0..4)?, digits(4..6)?, digits(6..8)?);
    }
    // words: day, month name, year in either order
    let words: Vec<String> = s
        .split(|c: char| c.is_whitespace() || c == ',' || c == '.')
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let mut day = None;
    let mut month = None;
    let mut year = None;
    for w in &words {
        if let Some(i) = MONTHS.iter().position(|m| w.starts_with(m)) {
            if month.is_none() {
                month = Some(i as u32 + 1);
            }
        } else if w.len() == 4 && w.bytes().all(|c| c.is_ascii_digit()) && year.is_none() {
            year = w.parse().ok();
        } else if day.is_none() {
            // `5`, `05`, `5th`
            let n = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
            if (1..=2).contains(&n.len()) && n.bytes().all(|c| c.is_ascii_digit()) {
                day = n.parse().ok();
            }
        }
    }
    ymd(year?, month?, day?)
}

/// `YYYY-MM-DD` when the three make a date of years 1000–2999.
fn ymd(y: u32, m: u32, d: u32) -> Option<String> {
    let leap = (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    ((1000..=2999).contains(&y) && (1..=days).contains(&d)).then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// A body as text in its charset (from `content_type`, else, for an `html`
/// page, its `<meta charset>`): UTF-8 (the default), ASCII, ISO-8859-1 or
/// windows-1252.
pub fn decode(
    body: Vec<u8>,
    content_type: &str,
    html: bool,
) -> std::result::Result<String, String> {
    let param = |s: &str| -> Option<String> {
        let i = s.find("charset=")?;
        let v = s[i + 8..]
            .trim_start_matches(['"', '\''])
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .next()?
            .to_ascii_lowercase();
        (!v.is_empty()).then_some(v)
    };
    let charset = param(content_type).or_else(|| {
        html.then(|| {
            param(&String::from_utf8_lossy(&body[..body.len().min(2048)]).to_ascii_lowercase())
        })
        .flatten()
    });
    match charset.as_deref() {
        None | Some("utf-8" | "utf8" | "us-ascii" | "ascii") => {
            String::from_utf8(body).map_err(|e| {
                let at = e.utf8_error().valid_up_to();
                if html {
                    format!("not HTML: invalid UTF-8 at byte offset {at}")
                } else {
                    format!("invalid UTF-8 at byte offset {at}")
                }
            })
        }
        Some("iso-8859-1" | "latin1" | "latin-1" | "l1") => {
            Ok(body.iter().map(|&b| b as char).collect())
        }
        Some("windows-1252" | "cp1252" | "x-cp1252") => {
            Ok(body.iter().map(|&b| cp1252(b)).collect())
        }
        Some(other) => Err(format!("unsupported charset {other}")),
    }
}

/// A windows-1252 byte as a char.
fn cp1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9f => HIGH[(b - 0x80) as usize],
        _ => b as char,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = include_str!("../../examples/html/harbour-talks.html");

    #[test]
    fn page_title_date_url_source() {
        let a = extract(PAGE, None).unwrap();
        assert_eq!(
            a.title.as_deref(),
            Some("Ministers agree harbour plan in Lisbon")
        );
        assert_eq!(a.date.as_deref(), Some("2023-06-14"));
        assert_eq!(
            a.url.as_deref(),
            Some("https://news.example.org/2023/06/harbour-talks")
        );
        assert_eq!(a.source.as_deref(), Some("Example Harbour News"));
        assert!(a.text.contains("Antonio Costa"), "{}", a.text);
        // navigation and footer are not article text
        assert!(
            !a.text.contains("Subscribe to our newsletter"),
            "{}",
            a.text
        );
        let given = extract(PAGE, Some("https://mirror.example.net/a")).unwrap();
        assert_eq!(given.url.as_deref(), Some("https://mirror.example.net/a"));
    }

    #[test]
    fn dates_in_many_spellings() {
        for (s, want) in [
            ("2024-03-05", "2024-03-05"),
            ("2024-03-05T23:10:00-05:00", "2024-03-05"),
            ("2024/03/05 10:00", "2024-03-05"),
            ("20240305", "2024-03-05"),
            ("5 March 2024", "2024-03-05"),
            ("March 5, 2024", "2024-03-05"),
            ("Tue, 05 Mar 2024 10:00:00 GMT", "2024-03-05"),
            ("2024-02-29", "2024-02-29"),
        ] {
            assert_eq!(normalize_date(s).as_deref(), Some(want), "{s}");
        }
        for s in [
            "",
            "2023-02-29",
            "2024-13-01",
            "yesterday",
            "12345",
            "March 2024",
        ] {
            assert_eq!(normalize_date(s), None, "{s}");
        }
    }

    #[test]
    fn date_sources_in_order() {
        let body = "<body><article><p>The finance ministers of France and Germany met in Paris on Monday to discuss the budget, officials said. They agreed to meet again.</p></article>";
        let with = |head: &str| {
            extract(
                &format!("<html><head>{head}</head>{body}</body></html>"),
                None,
            )
            .unwrap()
            .date
        };
        assert_eq!(with(""), None);
        assert_eq!(
            with(r#"<meta name="date" content="2021-01-02"><meta property="article:published_time" content="2021-05-06T08:00:00Z">"#).as_deref(),
            Some("2021-05-06")
        );
        assert_eq!(
            with(r#"<meta name="DC.date.issued" content="2020-07-08">"#).as_deref(),
            Some("2020-07-08")
        );
        assert_eq!(
            with(r#"<script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"NewsArticle","datePublished":"2019-09-10T10:00:00+02:00"}]}</script>"#).as_deref(),
            Some("2019-09-10")
        );
        let timed = extract(
            &format!("<html><body><article><p><time datetime=\"2018-11-12\">Monday</time></p>{}</article></body></html>", &body[15..body.len() - 10]),
            None,
        )
        .unwrap();
        assert_eq!(timed.date.as_deref(), Some("2018-11-12"));
    }

    #[test]
    fn what_is_not_html_is_refused() {
        for (input, why) in [
            ("just some words, no markup at all", "no HTML markup"),
            ("<html><body>\0\0\0</body></html>", "NUL byte"),
            (
                "<html><head><title>x</title></head><body></body></html>",
                "no article text",
            ),
            ("{\"text\": \"json\"}", "no HTML markup"),
        ] {
            let e = extract(input, None).unwrap_err();
            assert!(e.contains(why), "{input:?}: {e}");
        }
        let binary: String = (1u8..=40).cycle().take(5000).map(char::from).collect();
        let e = extract(&format!("<html>{binary}"), None).unwrap_err();
        assert!(e.contains("binary"), "{e}");
    }

    #[test]
    fn hostile_markup_does_not_panic() {
        let deep = "<div>".repeat(20_000);
        let cases = [
            deep.as_str(),
            "<html><body><p>unclosed <b><i><u> tags <table><tr><td>in a cell",
            "<html><head><meta property=og:title><meta name=date content=\"\"></head><body><p>Text of the page here.</p>",
            "<p><script>document.write('<p>')</script><style>p{}</style></p>",
            "<html><body><p>\u{202e}\u{feff}\u{fffd} ☃ <a href=\"javascript:x\">a</a></p></body></html>",
            "<html><head><script type=\"application/ld+json\">{\"@graph\":[[[[[[[[[[[[1]]]]]]]]]]]}</script></head><body><p>Body text</p></body></html>",
        ];
        let e = extract(&deep, None).unwrap_err();
        assert!(e.contains("nested 20000 deep"), "{e}");
        let sloppy = format!("<html><body>{}", "<p>unclosed paragraph".repeat(5000));
        assert!(extract(&sloppy, None).is_ok());
        let cells = format!(
            "<html><body><p>A table of results follows, as the agency published it on Monday.</p><table><tr>{}</table>",
            "<td>cell".repeat(3000)
        );
        let r = extract(&cells, None);
        assert!(
            r.as_ref().map_or_else(|e| !e.contains("nested"), |_| true),
            "{r:?}"
        );
        for c in cases {
            let _ = extract(c, Some("https://example.org/x"));
            let _ = extract(c, Some("not a url"));
        }
    }

    #[test]
    fn random_tag_soup_does_not_panic() {
        let pieces = ["<div>", "</div>", "<p>", "</p>", "<b>", "</i>", "<table>", "<td>", "<tr>", "<script>", "</script>", "<!--", "-->", "<meta property=og:title content=\"x\">", "<time datetime=\"2020-01-01\">", "<a href=\"http://x/\u{1F600}\">", "&amp;", "&#xD800;", "&#0;", "\u{FFFD}", "text ", "Paris ", "<h1>", "<img src=\"data:x\">", "<svg><math>", "<select><option>", "<frameset>", "<template>", "<noscript>", "<html>", "<body>", "<head>", "<title>", "<![CDATA[", "]]>", "<?php ?>", "<br/>", "<li>", "<ul>", "\n", "<style>", "</style>", "<base href=\"javascript:\">", "<link rel=canonical href=\"https://q/\">", "<script type=\"application/ld+json\">{\"@context\":\"https://schema.org\",\"@type\":\"NewsArticle\",\"datePublished\":5,\"author\":[{},{\"name\":[]}]}</script>"];
        let mut x: u64 = 0x9E3779B97F4A7C15;
        // random soups of tags, entities and metadata
        for _ in 0..2000 {
            let mut s = String::new();
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let n = (x % 200) as usize;
            for _ in 0..n {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                s.push_str(pieces[(x % pieces.len() as u64) as usize]);
            }
            let _ = extract(&s, Some("https://example.org/a/b"));
        }
    }

    #[test]
    fn charsets() {
        assert_eq!(
            decode(b"caf\xe9".to_vec(), "text/plain; charset=ISO-8859-1", false).unwrap(),
            "café"
        );
        assert_eq!(
            decode(
                b"\x93q\x94".to_vec(),
                "text/html; charset=windows-1252",
                true
            )
            .unwrap(),
            "\u{201c}q\u{201d}"
        );
        assert_eq!(
            decode(b"<meta charset=\"latin1\">\xe9".to_vec(), "", true).unwrap(),
            "<meta charset=\"latin1\">é"
        );
        let e = decode(b"ab\xff".to_vec(), "text/html", true).unwrap_err();
        assert!(e.contains("not HTML") && e.contains("offset 2"), "{e}");
        let e = decode(b"x".to_vec(), "text/plain; charset=koi8-r", false).unwrap_err();
        assert!(e.contains("koi8-r"), "{e}");
    }
}
