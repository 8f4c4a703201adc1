//! Errors of the library: one enum per failure family, each saying where.
//!
//! Errors about input name the file and the line (1-based) or the offset, so a user
//! can find the bad record. The binary maps them to exit codes: [`Error::is_input`]
//! errors exit with 1, the rest with 2.

use std::path::PathBuf;

/// The result type of the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in kglink.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating-system error.
        #[source]
        source: std::io::Error,
    },
    /// A record in a file is malformed.
    #[error("{path}:{line}: {message}")]
    Parse {
        /// The file (or `-` for standard input).
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// An input is not usable text (invalid UTF-8, binary, too long).
    #[error("{path}: {message}")]
    BadInput {
        /// The file (or `-` for standard input).
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The knowledge base is inconsistent (dangling reference, duplicate QID).
    #[error("knowledge base: {0}")]
    Kb(String),
    /// A SPARQL query could not be parsed or evaluated.
    #[error("query: {0}")]
    Query(String),
    /// A saved query was asked for by a name that does not exist.
    #[error("no saved query named {name:?} (known: {known})")]
    UnknownQuery {
        /// The name asked for.
        name: String,
        /// The names that exist, comma-separated.
        known: String,
    },
    /// The store failed.
    #[error("store: {0}")]
    Store(String),
    /// A tagger model is not usable (not a model, truncated, corrupt, or from
    /// another version).
    #[error("tagger model: {0}")]
    Model(String),
}

impl Error {
    /// True when the error is about the user's input (exit code 1), false when
    /// it is internal (exit code 2).
    pub fn is_input(&self) -> bool {
        matches!(
            self,
            Error::Parse { .. }
                | Error::BadInput { .. }
                | Error::Query(_)
                | Error::UnknownQuery { .. }
                | Error::Io { .. }
                | Error::Model(_)
        )
    }

    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// A parse error at `path:line`.
    pub fn parse(path: impl Into<PathBuf>, line: usize, message: impl Into<String>) -> Self {
        Error::Parse {
            path: path.into(),
            line,
            message: message.into(),
        }
    }
}

impl From<oxigraph::store::StorageError> for Error {
    fn from(e: oxigraph::store::StorageError) -> Self {
        Error::Store(e.to_string())
    }
}

/// An error with its causes, `outer: inner: …` (reqwest's own message hides
/// them: "error sending request" says nothing of a refused connection or a bad
/// certificate).
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}
