//! Reading articles: plain text files, JSON Lines records, HTML pages, lists of
//! URLs to fetch, folders of them, and standard input, with every problem
//! reported as a located error so that one bad input never stops the others.
//!
//! The format of an input is its [`InputFormat`]; `Auto` decides by the
//! extension where it is decisive (`.jsonl`/`.ndjson`, `.html`/`.htm`/`.xhtml`,
//! `.urls`, `.txt`/`.text`/`.md`) and otherwise (other extensions, none,
//! standard input) by the first bytes ([`sniff`]).
//!
//! JSONL records are objects with `text` (required) and `id`, `title`, `date`,
//! `url`, `source` (optional). An article's ID is its `id`, else its `url`, else
//! the SHA-256 of its text (first 16 hex digits).

use crate::error::{Error, Result};
pub use crate::ingest::fetch::FetchOptions;
use crate::model::Article;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// Articles larger than this are refused (a clear error, not an out-of-memory).
pub const MAX_ARTICLE_BYTES: usize = 16 * 1024 * 1024;

/// How to read an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    /// By the extension where it is decisive (`.jsonl`/`.ndjson`,
    /// `.html`/`.htm`/`.xhtml`, `.urls`, `.txt`/`.text`/`.md`), else by the
    /// content: `{` is JSONL, `<html`/`<!doctype html` HTML, only URL lines a
    /// URL list, the rest text.
    Auto,
    /// The whole input is one article.
    Text,
    /// One JSON record a line.
    Jsonl,
    /// An HTML page: one article (main text, title and date from the page).
    Html,
    /// A list of URLs, one a line (`#` comments and blank lines ignored),
    /// each fetched and read as an article.
    Urls,
}

/// How many bytes of an input [`sniff`] looks at.
pub const SNIFF_BYTES: usize = 64 * 1024;

/// The format an extension decides, if it decides one.
pub fn format_of_extension(path: &Path) -> Option<InputFormat> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "jsonl" | "ndjson" => Some(InputFormat::Jsonl),
        "html" | "htm" | "xhtml" => Some(InputFormat::Html),
        "urls" => Some(InputFormat::Urls),
        "txt" | "text" | "md" => Some(InputFormat::Text),
        _ => None,
    }
}

/// Guesses the format of an input from its first bytes:
///
/// - `{` (after blanks) → [`InputFormat::Jsonl`];
/// - `<!doctype html`, `<html`, `<head` or `<body` (after blanks, an XML
///   declaration and comments; any case) → [`InputFormat::Html`];
/// - every non-blank line that is not a `#` comment an `http(s)://` URL (at
///   least one) → [`InputFormat::Urls`];
/// - anything else → [`InputFormat::Text`].
///
/// `prefix` may be cut anywhere: a last line without its end is not judged.
pub fn sniff(prefix: &[u8]) -> InputFormat {
    let p = prefix.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(prefix);
    let p = p.trim_ascii_start();
    if p.starts_with(b"{") {
        return InputFormat::Jsonl;
    }
    let mut head = p[..p.len().min(4096)].to_ascii_lowercase();
    loop {
        let skip = if head.starts_with(b"<?xml") {
            head.windows(2).position(|w| w == b"?>").map(|i| i + 2)
        } else if head.starts_with(b"<!--") {
            head.windows(3).position(|w| w == b"-->").map(|i| i + 3)
        } else {
            None
        };
        match skip {
            Some(n) => head = head[n..].trim_ascii_start().to_vec(),
            None => break,
        }
    }
    if [&b"<!doctype html"[..], b"<html", b"<head", b"<body"]
        .iter()
        .any(|t| head.starts_with(t))
    {
        return InputFormat::Html;
    }
    let complete = match p.iter().rposition(|&b| b == b'\n') {
        Some(i) if prefix.len() >= SNIFF_BYTES => &p[..i],
        _ if prefix.len() >= SNIFF_BYTES => &[][..],
        _ => p,
    };
    let mut urls = 0;
    for line in complete.split(|&b| b == b'\n') {
        let line = line.trim_ascii();
        if line.is_empty() || line.starts_with(b"#") {
            continue;
        }
        match std::str::from_utf8(line) {
            Ok(l) if is_url(l) => urls += 1,
            _ => return InputFormat::Text,
        }
    }
    if urls > 0 {
        InputFormat::Urls
    } else {
        InputFormat::Text
    }
}

/// True for an absolute `http://` or `https://` URL without blanks.
pub fn is_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("http://")
        .or_else(|| s.strip_prefix("https://"));
    rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/') && !r.contains(char::is_whitespace))
}

/// An input opened for reading, its format decided.
pub struct Opened {
    /// The name used in locations (`<stdin>` for standard input).
    pub name: PathBuf,
    /// The format (never `Auto`).
    pub format: InputFormat,
    /// The bytes (a sniffed prefix put back in front).
    pub reader: Box<dyn Read>,
    /// True for standard input.
    pub stdin: bool,
}

/// Opens `path` (`-` = standard input) and decides its format: `format` unless
/// it is `Auto`, else by [`format_of_extension`], else by [`sniff`]ing the first
/// [`SNIFF_BYTES`].
pub fn open(path: &Path, format: InputFormat) -> Result<Opened> {
    let stdin = path == Path::new("-");
    let name = if stdin {
        PathBuf::from("<stdin>")
    } else {
        path.to_path_buf()
    };
    let mut reader: Box<dyn Read> = if stdin {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::fs::File::open(path).map_err(|e| Error::io(path, e))?)
    };
    let format = match format {
        InputFormat::Auto => match format_of_extension(path) {
            Some(f) if !stdin => f,
            _ => {
                let mut prefix = Vec::with_capacity(SNIFF_BYTES);
                reader
                    .by_ref()
                    .take(SNIFF_BYTES as u64)
                    .read_to_end(&mut prefix)
                    .map_err(|e| Error::io(&name, e))?;
                let f = sniff(&prefix);
                reader = Box::new(std::io::Cursor::new(prefix).chain(reader));
                f
            }
        },
        other => other,
    };
    Ok(Opened {
        name,
        format,
        reader,
        stdin,
    })
}

/// One article read, or the error that replaced it, with where it came from.
#[derive(Debug)]
pub struct Item {
    /// `path` or `path:line`.
    pub location: String,
    /// The article, or why there is none.
    pub article: Result<Article>,
}

/// Why `bytes` are too large for one article, if they are.
fn too_large(bytes: &[u8]) -> Option<String> {
    (bytes.len() > MAX_ARTICLE_BYTES).then(|| {
        format!(
            "{} bytes is more than the {} MiB limit for one article",
            bytes.len(),
            MAX_ARTICLE_BYTES >> 20
        )
    })
}

/// The offset of the first NUL byte (binary data), if any.
fn nul_byte(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == 0)
}

/// Checks that `bytes` are usable text: not binary, valid UTF-8, not too large.
pub fn decode(path: &Path, bytes: Vec<u8>) -> Result<String> {
    let bad = |message: String| Error::BadInput {
        path: path.to_path_buf(),
        message,
    };
    if let Some(m) = too_large(&bytes) {
        return Err(bad(m));
    }
    if let Some(i) = nul_byte(&bytes) {
        return Err(bad(format!("binary data (NUL byte at byte offset {i})")));
    }
    String::from_utf8(bytes).map_err(|e| {
        bad(format!(
            "invalid UTF-8 at byte offset {}",
            e.utf8_error().valid_up_to()
        ))
    })
}

/// The ID of an article without one: its URL, else a hash of its text.
pub fn default_id(url: Option<&str>, text: &str) -> String {
    match url {
        Some(u) if !u.is_empty() => u.to_string(),
        _ => crate::rdf::content_hash(text)[..16].to_string(),
    }
}

#[derive(serde::Deserialize)]
struct Record {
    #[serde(default)]
    id: Option<serde_json::Value>,
    #[serde(default)]
    title: Option<String>,
    text: Option<String>,
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    source: Option<String>,
}

/// Parses one JSONL record.
pub fn parse_record(line: &str) -> std::result::Result<Article, String> {
    let r: Record = serde_json::from_str(line).map_err(|e| format!("bad JSON record: {e}"))?;
    let text = r.text.ok_or("record has no \"text\"")?;
    let id = match r.id {
        Some(serde_json::Value::String(s)) if !s.is_empty() => s,
        Some(serde_json::Value::Number(n)) => n.to_string(),
        Some(serde_json::Value::Null) | None => default_id(r.url.as_deref(), &text),
        Some(other) => return Err(format!("\"id\" must be a string or number, not {other}")),
    };
    Ok(Article {
        id,
        title: r.title,
        text,
        date: r.date,
        url: r.url,
        source: r.source,
    })
}

/// Reads JSONL records from `reader`, calling `f` for each (article or located
/// error). `name` is used in locations.
pub fn read_jsonl(name: &Path, reader: impl Read, f: &mut dyn FnMut(Item)) -> Result<()> {
    let mut reader = BufReader::new(reader);
    let mut buf = Vec::new();
    let mut line_no = 0;
    loop {
        buf.clear();
        let n = reader
            .by_ref()
            .take(MAX_ARTICLE_BYTES as u64 + 1)
            .read_until(b'\n', &mut buf)
            .map_err(|e| Error::io(name, e))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        let location = format!("{}:{line_no}", name.display());
        if buf.len() > MAX_ARTICLE_BYTES && !buf.ends_with(b"\n") {
            // skip the rest of an overlong line
            let mut sink = Vec::new();
            reader
                .read_until(b'\n', &mut sink)
                .map_err(|e| Error::io(name, e))?;
            f(Item {
                article: Err(Error::parse(
                    name,
                    line_no,
                    format!("line longer than the {} MiB limit", MAX_ARTICLE_BYTES >> 20),
                )),
                location,
            });
            continue;
        }
        let line = match std::str::from_utf8(&buf) {
            Ok(s) => s.trim(),
            Err(e) => {
                f(Item {
                    article: Err(Error::parse(
                        name,
                        line_no,
                        format!("invalid UTF-8 at byte {} of the line", e.valid_up_to()),
                    )),
                    location,
                });
                continue;
            }
        };
        if line.is_empty() {
            continue;
        }
        f(Item {
            article: parse_record(line).map_err(|m| Error::parse(name, line_no, m)),
            location,
        });
    }
    Ok(())
}

/// Reads one input (`-` = standard input) in `format`, calling `f` per article.
/// A text input is one article whose ID is the path (or the hash for stdin).
/// URL lists are fetched with the default [`FetchOptions`].
pub fn read_input(path: &Path, format: InputFormat, f: &mut dyn FnMut(Item)) -> Result<()> {
    read_input_with(path, format, &FetchOptions::default(), f)
}

/// [`read_input`], fetching URL lists with `fetch`.
pub fn read_input_with(
    path: &Path,
    format: InputFormat,
    fetch: &FetchOptions,
    f: &mut dyn FnMut(Item),
) -> Result<()> {
    read_opened(open(path, format)?, fetch, f)
}

/// Reads an [`open`]ed input, calling `f` per article. The ID of a text or
/// HTML file is its path; from standard input, its URL (an HTML page's
/// canonical URL) or else the hash of its text.
pub fn read_opened(input: Opened, fetch: &FetchOptions, f: &mut dyn FnMut(Item)) -> Result<()> {
    let Opened {
        name,
        format,
        reader,
        stdin,
    } = input;
    match format {
        InputFormat::Jsonl => return read_jsonl(&name, reader, f),
        InputFormat::Urls => return crate::ingest::fetch::read_url_list(&name, reader, fetch, f),
        _ => {}
    }
    let mut bytes = Vec::new();
    reader
        .take(MAX_ARTICLE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(&name, e))?;
    let article = if format == InputFormat::Html {
        html_article(&name, bytes, stdin)
    } else {
        decode(&name, bytes).map(|text| Article {
            id: if stdin {
                default_id(None, &text)
            } else {
                path_id(&name)
            },
            text,
            ..Article::default()
        })
    };
    f(Item {
        location: name.display().to_string(),
        article,
    });
    Ok(())
}

/// The ID of an article read from a file: its path as given, without `./`.
fn path_id(name: &Path) -> String {
    name.to_string_lossy().trim_start_matches("./").to_string()
}

/// An HTML page read from a file: in its charset (UTF-8 unless a
/// `<meta charset>` says ISO-8859-1 or windows-1252), then extracted.
fn html_article(name: &Path, bytes: Vec<u8>, stdin: bool) -> Result<Article> {
    let bad = |message: String| Error::BadInput {
        path: name.to_path_buf(),
        message,
    };
    if let Some(m) = too_large(&bytes) {
        return Err(bad(m));
    }
    if let Some(i) = nul_byte(&bytes) {
        return Err(bad(format!(
            "not HTML: binary data (NUL byte at byte offset {i})"
        )));
    }
    let text = crate::ingest::html::decode(bytes, "", true).map_err(bad)?;
    let page = crate::ingest::html::extract(&text, None).map_err(bad)?;
    Ok(Article {
        id: if stdin {
            default_id(page.url.as_deref(), &page.text)
        } else {
            path_id(name)
        },
        title: page.title,
        text: page.text,
        date: page.date,
        url: page.url,
        source: page.source,
    })
}

/// True for `.jsonl` / `.ndjson` files.
pub fn is_jsonl(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("jsonl") || e.eq_ignore_ascii_case("ndjson"))
}

/// Expands folders (recursively, sorted) into the files kglink reads from them:
/// `.txt`, `.text`, `.md`, `.jsonl`, `.ndjson`, `.html`, `.htm`, `.xhtml`,
/// `.urls`. Files named directly are kept whatever
/// their extension. A missing path is an error item.
pub fn expand_paths(paths: &[PathBuf]) -> Vec<std::result::Result<PathBuf, Error>> {
    let mut out = Vec::new();
    for p in paths {
        if p == Path::new("-") || p.is_file() {
            out.push(Ok(p.clone()));
        } else if p.is_dir() {
            let mut files: Vec<PathBuf> = walkdir::WalkDir::new(p)
                .follow_links(true)
                .into_iter()
                .filter_map(|e| match e {
                    Ok(e) if e.file_type().is_file() => Some(Ok(e.into_path())),
                    Ok(_) => None,
                    Err(err) => Some(Err(err)),
                })
                .filter_map(|r| match r {
                    Ok(path) => {
                        let ext = path
                            .extension()
                            .and_then(|e| e.to_str())
                            .unwrap_or("")
                            .to_ascii_lowercase();
                        matches!(
                            ext.as_str(),
                            "txt"
                                | "text"
                                | "md"
                                | "jsonl"
                                | "ndjson"
                                | "html"
                                | "htm"
                                | "xhtml"
                                | "urls"
                        )
                        .then_some(path)
                    }
                    Err(err) => {
                        out.push(Err(Error::BadInput {
                            path: err
                                .path()
                                .map(Path::to_path_buf)
                                .unwrap_or_else(|| p.clone()),
                            message: err.to_string(),
                        }));
                        None
                    }
                })
                .collect();
            files.sort();
            out.extend(files.into_iter().map(Ok));
        } else {
            out.push(Err(Error::io(
                p,
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or directory"),
            )));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_and_errors_are_located() {
        let data = b"{\"id\":\"a\",\"text\":\"Hello\"}\n\n{bad\n{\"text\":\"x\",\"url\":\"http://e.x/1\"}\n\xff\xfe\n{\"id\":7,\"text\":\"y\"}\n";
        let mut items = Vec::new();
        read_jsonl(Path::new("in.jsonl"), &data[..], &mut |i| items.push(i)).unwrap();
        assert_eq!(items.len(), 5);
        assert_eq!(items[0].article.as_ref().unwrap().id, "a");
        let e = items[1].article.as_ref().unwrap_err().to_string();
        assert!(e.starts_with("in.jsonl:3: bad JSON"), "{e}");
        assert_eq!(items[2].article.as_ref().unwrap().id, "http://e.x/1");
        let e = items[3].article.as_ref().unwrap_err().to_string();
        assert!(e.contains("in.jsonl:5") && e.contains("UTF-8"), "{e}");
        assert_eq!(items[4].article.as_ref().unwrap().id, "7");
    }

    #[test]
    fn binary_and_bad_utf8_are_refused() {
        let e = decode(Path::new("f"), b"ab\0c".to_vec())
            .unwrap_err()
            .to_string();
        assert!(e.contains("NUL byte at byte offset 2"), "{e}");
        let e = decode(Path::new("f"), b"abc\xffd".to_vec())
            .unwrap_err()
            .to_string();
        assert!(e.contains("byte offset 3"), "{e}");
    }

    #[test]
    fn formats_sniffed_from_content() {
        use InputFormat::*;
        for (bytes, want) in [
            (&b"  {\"text\": \"x\"}\n"[..], Jsonl),
            (b"\xEF\xBB\xBF<!DOCTYPE html><html>", Html),
            (
                b"<?xml version=\"1.0\"?>\n<!-- saved -->\n<html xmlns=\"x\">",
                Html,
            ),
            (b"\n<BODY><p>x", Html),
            (
                b"# my list\n\nhttps://a.example/1\nhttp://b.example/2\n",
                Urls,
            ),
            (b"https://a.example/1\nand some words\n", Text),
            (b"# only a comment\n", Text),
            (b"President Macron met ... <html> later", Text),
            (b"", Text),
        ] {
            assert_eq!(sniff(bytes), want, "{:?}", String::from_utf8_lossy(bytes));
        }
        // a cut prefix: the partial last line is not judged
        let mut long = b"https://a.example/1\n".repeat(SNIFF_BYTES / 20);
        long.truncate(SNIFF_BYTES);
        assert_eq!(sniff(&long), Urls);
    }

    #[test]
    fn extension_decides_then_content_then_override() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, body: &str| {
            let p = dir.path().join(name);
            std::fs::write(&p, body).unwrap();
            p
        };
        let list = write("list", "https://a.example/1\n");
        let page = write("page.dat", "<html><body><p>x</p></body></html>");
        let records = write("data", "{\"text\": \"x\"}\n");
        let htm = write("a.HTM", "not really html");
        let txt = write("a.txt", "{\"text\": \"x\"}\n");
        let fmt = |p: &Path, f| open(p, f).unwrap().format;
        assert_eq!(fmt(&list, InputFormat::Auto), InputFormat::Urls);
        assert_eq!(fmt(&page, InputFormat::Auto), InputFormat::Html);
        assert_eq!(fmt(&records, InputFormat::Auto), InputFormat::Jsonl);
        assert_eq!(fmt(&htm, InputFormat::Auto), InputFormat::Html);
        assert_eq!(fmt(&txt, InputFormat::Auto), InputFormat::Text);
        assert_eq!(fmt(&list, InputFormat::Text), InputFormat::Text);
        // what was sniffed is still read
        let mut items = Vec::new();
        read_input(&records, InputFormat::Auto, &mut |i| items.push(i)).unwrap();
        assert_eq!(items[0].article.as_ref().unwrap().text, "x");
        // a file named .htm that is not HTML is a located failure
        let mut items = Vec::new();
        read_input(&htm, InputFormat::Auto, &mut |i| items.push(i)).unwrap();
        let e = items[0].article.as_ref().unwrap_err().to_string();
        assert!(e.contains("a.HTM") && e.contains("not HTML"), "{e}");
        // a page saved in its own charset
        let latin = dir.path().join("latin.html");
        let mut page = b"<html><head><meta charset=\"iso-8859-1\"><title>Caf\xe9</title></head><body><p>The caf\xe9 in Lyon reopened on Monday after the mayor of the city visited it with the French minister of culture.</p></body></html>".to_vec();
        std::fs::write(&latin, &page).unwrap();
        let mut items = Vec::new();
        read_input(&latin, InputFormat::Auto, &mut |i| items.push(i)).unwrap();
        let a = items[0].article.as_ref().unwrap();
        assert_eq!(a.title.as_deref(), Some("Café"));
        assert!(a.text.starts_with("The café in Lyon"), "{}", a.text);
        page.insert(10, 0);
        std::fs::write(&latin, &page).unwrap();
        let mut items = Vec::new();
        read_input(&latin, InputFormat::Auto, &mut |i| items.push(i)).unwrap();
        let e = items[0].article.as_ref().unwrap_err().to_string();
        assert!(
            e.contains("not HTML: binary data (NUL byte at byte offset 10)"),
            "{e}"
        );
    }
}
