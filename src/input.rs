//! Reading articles: plain text files, JSON Lines records, folders of them, and
//! standard input, with every problem reported as a located error so that one bad
//! input never stops the others.
//!
//! JSONL records are objects with `text` (required) and `id`, `title`, `date`,
//! `url`, `source` (optional). An article's ID is its `id`, else its `url`, else
//! the SHA-256 of its text (first 16 hex digits).

use crate::error::{Error, Result};
use crate::model::Article;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// Articles larger than this are refused (a clear error, not an out-of-memory).
pub const MAX_ARTICLE_BYTES: usize = 16 * 1024 * 1024;

/// How to read an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    /// Guess from the extension: `.jsonl`/`.ndjson` are records, the rest text.
    Auto,
    /// The whole input is one article.
    Text,
    /// One JSON record a line.
    Jsonl,
}

/// One article read, or the error that replaced it, with where it came from.
#[derive(Debug)]
pub struct Item {
    /// `path` or `path:line`.
    pub location: String,
    /// The article, or why there is none.
    pub article: Result<Article>,
}

/// Checks that `bytes` are usable text: not binary, valid UTF-8, not too large.
pub fn decode(path: &Path, bytes: Vec<u8>) -> Result<String> {
    let bad = |message: String| Error::BadInput {
        path: path.to_path_buf(),
        message,
    };
    if bytes.len() > MAX_ARTICLE_BYTES {
        return Err(bad(format!(
            "{} bytes is more than the {} MiB limit for one article",
            bytes.len(),
            MAX_ARTICLE_BYTES >> 20
        )));
    }
    if let Some(i) = bytes.iter().position(|&b| b == 0) {
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
pub fn read_input(path: &Path, format: InputFormat, f: &mut dyn FnMut(Item)) -> Result<()> {
    let stdin = path == Path::new("-");
    let format = match format {
        InputFormat::Auto if is_jsonl(path) => InputFormat::Jsonl,
        InputFormat::Auto => InputFormat::Text,
        other => other,
    };
    let name = if stdin {
        PathBuf::from("<stdin>")
    } else {
        path.to_path_buf()
    };
    if format == InputFormat::Jsonl {
        return if stdin {
            read_jsonl(&name, std::io::stdin().lock(), f)
        } else {
            let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
            read_jsonl(&name, file, f)
        };
    }
    let mut bytes = Vec::new();
    let read = if stdin {
        std::io::stdin()
            .lock()
            .take(MAX_ARTICLE_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path).and_then(|file| {
            file.take(MAX_ARTICLE_BYTES as u64 + 1)
                .read_to_end(&mut bytes)
        })
    };
    read.map_err(|e| Error::io(&name, e))?;
    let article = decode(&name, bytes).map(|text| Article {
        id: if stdin {
            default_id(None, &text)
        } else {
            path.to_string_lossy().trim_start_matches("./").to_string()
        },
        text,
        ..Article::default()
    });
    f(Item {
        location: name.display().to_string(),
        article,
    });
    Ok(())
}

/// True for `.jsonl` / `.ndjson` files.
pub fn is_jsonl(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("jsonl") || e.eq_ignore_ascii_case("ndjson"))
}

/// Expands folders (recursively, sorted) into the files kglink reads from them:
/// `.txt`, `.text`, `.md`, `.jsonl`, `.ndjson`. Files named directly are kept whatever
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
                        matches!(ext.as_str(), "txt" | "text" | "md" | "jsonl" | "ndjson")
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
}
