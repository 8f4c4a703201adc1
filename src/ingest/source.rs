//! The inputs of a job: files, folders (recursive), glob patterns and standard
//! input, read in order by one thread and handed on as [`Item`]s.

use crate::error::Error;
use crate::ingest::input::{self, FetchOptions, InputFormat, Item};
use std::io::Read;
use std::path::{Path, PathBuf};

/// True when `p` is a glob pattern rather than a path: it does not exist and has
/// `*`, `?` or `[` in it.
fn is_pattern(p: &Path) -> bool {
    !p.exists() && p.to_string_lossy().contains(['*', '?', '['])
}

/// Expands glob patterns (sorted matches; a pattern matching nothing is an
/// error), then folders (see [`input::expand_paths`]).
pub fn expand(paths: &[PathBuf]) -> Vec<Result<PathBuf, Error>> {
    let mut plain = Vec::new();
    let mut out = Vec::new();
    let flush = |plain: &mut Vec<PathBuf>, out: &mut Vec<Result<PathBuf, Error>>| {
        out.extend(input::expand_paths(plain));
        plain.clear();
    };
    for p in paths {
        if !is_pattern(p) {
            plain.push(p.clone());
            continue;
        }
        flush(&mut plain, &mut out);
        let pattern = p.to_string_lossy();
        match glob::glob(&pattern) {
            Err(e) => out.push(Err(Error::BadInput {
                path: p.clone(),
                message: format!("bad glob pattern: {e}"),
            })),
            Ok(matches) => {
                let mut found: Vec<PathBuf> = Vec::new();
                for m in matches {
                    match m {
                        Ok(path) => found.push(path),
                        Err(e) => {
                            let path = e.path().to_path_buf();
                            out.push(Err(Error::io(path, e.into())));
                        }
                    }
                }
                if found.is_empty() {
                    out.push(Err(Error::BadInput {
                        path: p.clone(),
                        message: "no file matches this pattern".into(),
                    }));
                }
                found.sort();
                // a matched folder is read recursively like a folder given directly
                out.extend(input::expand_paths(&found));
            }
        }
    }
    flush(&mut plain, &mut out);
    out
}

/// How many records the inputs hold (a JSONL file: its non-empty lines; a URL
/// list: its URLs; any other file: one), for the progress bar; `None` when
/// standard input is read.
pub fn count_records(paths: &[PathBuf], format: InputFormat) -> Option<u64> {
    let mut n = 0u64;
    for p in paths {
        if p == Path::new("-") {
            return None;
        }
        let format = input::open(p, format).map_or(InputFormat::Text, |o| o.format);
        if format == InputFormat::Urls {
            n += super::fetch::count_urls(p).unwrap_or(1);
            continue;
        }
        if format != InputFormat::Jsonl {
            n += 1;
            continue;
        }
        let Ok(mut f) = std::fs::File::open(p) else {
            n += 1;
            continue;
        };
        let mut buf = vec![0u8; 1 << 16];
        let mut last = b'\n';
        loop {
            match f.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(k) => {
                    for &b in &buf[..k] {
                        if b == b'\n' && last != b'\n' {
                            n += 1;
                        }
                        last = b;
                    }
                }
            }
        }
        if last != b'\n' {
            n += 1;
        }
    }
    Some(n)
}

/// Reads every input in order, calling `f` with each item (article or located
/// error). An input that cannot be read at all is one error item.
pub fn read_all(paths: &[Result<PathBuf, Error>], format: InputFormat, f: &mut dyn FnMut(Item)) {
    read_all_with(paths, format, &FetchOptions::default(), f)
}

/// [`read_all`], fetching URL lists with `fetch`.
pub fn read_all_with(
    paths: &[Result<PathBuf, Error>],
    format: InputFormat,
    fetch: &FetchOptions,
    f: &mut dyn FnMut(Item),
) {
    for p in paths {
        match p {
            Err(e) => f(Item {
                location: match e {
                    Error::Io { path, .. } | Error::BadInput { path, .. } => {
                        path.display().to_string()
                    }
                    other => other.to_string(),
                },
                article: Err(clone_error(e)),
            }),
            Ok(path) => {
                if let Err(e) = input::read_input_with(path, format, fetch, f) {
                    f(Item {
                        location: path.display().to_string(),
                        article: Err(e),
                    });
                }
            }
        }
    }
}

/// Errors are not `Clone`; the reader needs its own copy of an expansion error.
fn clone_error(e: &Error) -> Error {
    match e {
        Error::Io { path, source } => Error::io(
            path.clone(),
            std::io::Error::new(source.kind(), source.to_string()),
        ),
        Error::BadInput { path, message } => Error::BadInput {
            path: path.clone(),
            message: message.clone(),
        },
        Error::Parse {
            path,
            line,
            message,
        } => Error::parse(path.clone(), *line, message.clone()),
        other => Error::Store(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_expand_sorted_and_empty_ones_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["b.jsonl", "a.jsonl", "c.txt"] {
            std::fs::write(
                dir.path().join(name),
                "{\"text\":\"x\"}\n\n{\"text\":\"y\"}",
            )
            .unwrap();
        }
        let pattern = dir.path().join("*.jsonl");
        let none = dir.path().join("*.xml");
        let got = expand(&[pattern, none]);
        assert_eq!(got.len(), 3);
        assert!(got[0].as_ref().unwrap().ends_with("a.jsonl"));
        assert!(got[1].as_ref().unwrap().ends_with("b.jsonl"));
        let e = got[2].as_ref().unwrap_err().to_string();
        assert!(e.contains("no file matches"), "{e}");
        let files: Vec<PathBuf> = expand(&[dir.path().to_path_buf()])
            .into_iter()
            .map(Result::unwrap)
            .collect();
        assert_eq!(count_records(&files, InputFormat::Auto), Some(5));
        // URL lists count their URLs, by extension or by content
        let named = dir.path().join("news.urls");
        std::fs::write(&named, "# list\nhttps://a.example/1\n\nnot a url\n").unwrap();
        let sniffed = dir.path().join("list");
        std::fs::write(&sniffed, "https://a.example/1\nhttps://a.example/2\n").unwrap();
        assert_eq!(
            count_records(&[named.clone(), sniffed.clone()], InputFormat::Auto),
            Some(4)
        );
        assert_eq!(count_records(&[named, sniffed], InputFormat::Text), Some(2));
    }
}
