//! What an ingest job reports: a failure record per article or input that could
//! not be stored (written as JSON Lines with `--failures FILE`), and the summary.

use crate::error::Error;
use serde::Serialize;
use std::collections::HashSet;
use std::io::Write;
use std::path::Path;

/// One failure, as a line of the failure report:
/// `{"location", "file", "line", "id", "stage", "reason"}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Failure {
    /// `file`, `file:line`, or a URL.
    pub location: String,
    /// The file (or `<stdin>`), when known.
    pub file: Option<String>,
    /// The 1-based line in a JSONL file, when known.
    pub line: Option<usize>,
    /// The article ID, when the article could be read.
    pub id: Option<String>,
    /// `read`, `annotate` or `write`.
    pub stage: &'static str,
    /// What went wrong.
    pub reason: String,
}

impl Failure {
    /// A failure to read an input, located from the error.
    pub fn read(location: &str, e: &Error) -> Failure {
        let (file, line, reason) = match e {
            Error::Parse {
                path,
                line,
                message,
            } => (
                Some(path.display().to_string()),
                Some(*line),
                message.clone(),
            ),
            Error::BadInput { path, message } => {
                (Some(path.display().to_string()), None, message.clone())
            }
            Error::Io { path, source } => {
                (Some(path.display().to_string()), None, source.to_string())
            }
            other => (None, None, other.to_string()),
        };
        Failure {
            location: location.to_string(),
            file,
            line,
            id: None,
            stage: "read",
            reason,
        }
    }

    /// A failure of an article that was read (annotating or writing it).
    pub fn article(location: &str, id: &str, stage: &'static str, reason: String) -> Failure {
        let (file, line) = split_location(location);
        Failure {
            location: location.to_string(),
            file,
            line,
            id: Some(id.to_string()),
            stage,
            reason,
        }
    }
}

/// `path:line` into its parts (a location without a line number is all file).
fn split_location(location: &str) -> (Option<String>, Option<usize>) {
    if location.starts_with("http://") || location.starts_with("https://") {
        return (None, None);
    }
    match location.rsplit_once(':') {
        Some((f, l)) if !f.is_empty() && l.bytes().all(|b| b.is_ascii_digit()) && !l.is_empty() => {
            (Some(f.to_string()), l.parse().ok())
        }
        _ => (Some(location.to_string()), None),
    }
}

/// Where failures go: stderr always (one line each, up to a limit), and the
/// JSONL report when one was asked for.
pub struct FailureLog {
    report: Option<std::io::BufWriter<std::fs::File>>,
    printed: usize,
}

/// Failures printed to stderr before the rest are only counted (the report has all).
const PRINT_LIMIT: usize = 50;

impl FailureLog {
    /// A log that writes the report to `path` (created or truncated) if given.
    pub fn new(path: Option<&Path>) -> crate::error::Result<FailureLog> {
        let report = match path {
            Some(p) => Some(std::io::BufWriter::new(
                std::fs::File::create(p).map_err(|e| Error::io(p, e))?,
            )),
            None => None,
        };
        Ok(FailureLog { report, printed: 0 })
    }

    /// Records one failure.
    pub fn record(&mut self, f: &Failure) -> std::io::Result<()> {
        if self.printed < PRINT_LIMIT {
            eprintln!("error: {}: {}", f.location, f.reason);
        } else if self.printed == PRINT_LIMIT {
            eprintln!("error: more failures; not printed (see --failures FILE)");
        }
        self.printed += 1;
        if let Some(w) = &mut self.report {
            serde_json::to_writer(&mut *w, f)?;
            w.write_all(b"\n")?;
        }
        Ok(())
    }

    /// Flushes the report.
    pub fn finish(&mut self) -> std::io::Result<()> {
        if let Some(w) = &mut self.report {
            w.flush()?;
        }
        Ok(())
    }
}

/// The counts of a job.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    /// Articles that were not in the store.
    pub new: usize,
    /// Articles whose text changed: their graph was replaced.
    pub replaced: usize,
    /// Articles already stored with the same text: nothing written.
    pub skipped: usize,
    /// Inputs or articles that failed (see the failure report).
    pub failed: usize,
    /// Articles left to other shards.
    pub other_shards: usize,
    /// Mentions in the articles written.
    pub mentions: usize,
    /// Distinct entities (QIDs and local IDs) in the articles written.
    pub entities: HashSet<String>,
    /// Quads (triples in their article's graph) written.
    pub triples: usize,
    /// Wall-clock seconds.
    pub seconds: f64,
}

impl Summary {
    /// Articles processed (new, replaced or skipped).
    pub fn articles(&self) -> usize {
        self.new + self.replaced + self.skipped
    }

    /// The one-line summary printed at the end of a job.
    pub fn line(&self) -> String {
        let rate = if self.seconds > 0.0 {
            self.articles() as f64 / self.seconds
        } else {
            0.0
        };
        let mut s = format!(
            "ingested {} article(s) in {:.2}s ({rate:.0}/s): {} new, {} replaced, {} unchanged (skipped), {} failed; {} mentions of {} entities; {} triples written",
            self.articles(),
            self.seconds,
            self.new,
            self.replaced,
            self.skipped,
            self.failed,
            self.mentions,
            self.entities.len(),
            self.triples,
        );
        if self.other_shards > 0 {
            s.push_str(&format!(
                "; {} article(s) left to other shards",
                self.other_shards
            ));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_located() {
        let e = Error::parse("in.jsonl", 7, "bad JSON record: x");
        let f = Failure::read("in.jsonl:7", &e);
        assert_eq!(f.file.as_deref(), Some("in.jsonl"));
        assert_eq!(f.line, Some(7));
        assert_eq!(f.reason, "bad JSON record: x");
        let f = Failure::article("dir/a.jsonl:12", "x1", "write", "disk full".into());
        assert_eq!(
            (f.file.as_deref(), f.line, f.id.as_deref()),
            (Some("dir/a.jsonl"), Some(12), Some("x1"))
        );
        let f = Failure::article("notes.txt", "notes.txt", "annotate", "boom".into());
        assert_eq!((f.file.as_deref(), f.line), (Some("notes.txt"), None));
        let v = serde_json::to_value(&f).unwrap();
        assert_eq!(v["stage"], "annotate");
    }
}
