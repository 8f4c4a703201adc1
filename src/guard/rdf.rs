//! Reading RDF within bounds: a cap on quads, on bytes read (after
//! decompression), on what RDF/XML entities expand to, and a way to stop
//! when the caller's deadline passes. Quads go to a sink one by one, so the
//! caller decides what to keep; nothing is written by this module.

use super::entities::{EntityGuard, EntityLimits, ExpansionError};
use oxigraph::io::{RdfFormat, RdfParseError, RdfParser};
use oxigraph::model::Quad;
use std::io::{self, Read};

/// The bounds of one read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RdfLimits {
    /// Most quads (or triples).
    pub max_quads: u64,
    /// Most bytes read from the input, and most bytes an RDF/XML document
    /// may expand to with its entities.
    pub max_bytes: u64,
    /// Most bytes the entities of one RDF/XML element (or the declarations
    /// together) may expand to.
    pub max_entity_expansion: u64,
}

impl RdfLimits {
    /// No cap on quads or bytes (a user's own file read from disk, streamed
    /// to the store), but RDF/XML entities still capped per element.
    pub fn streaming() -> Self {
        RdfLimits {
            max_quads: u64::MAX,
            max_bytes: u64::MAX,
            max_entity_expansion: DEFAULT_ENTITY_EXPANSION,
        }
    }
}

/// Default cap on what one RDF/XML element's entity references (or all
/// declarations together) expand to: 16 MiB.
pub const DEFAULT_ENTITY_EXPANSION: u64 = 16 << 20;

/// Why a read stopped.
#[derive(Debug, thiserror::Error)]
pub enum RdfInputError {
    /// More quads than [`RdfLimits::max_quads`].
    #[error("more than {limit} triples or quads (the cap on one input)")]
    TooManyQuads {
        /// The cap.
        limit: u64,
    },
    /// More bytes, or more expansion, than allowed.
    #[error("{0}")]
    TooLarge(String),
    /// The input is not valid in its syntax.
    #[error("{message}")]
    Syntax {
        /// The parser's message, with its position.
        message: String,
        /// 1-based line, when the parser gives one.
        line: Option<u64>,
    },
    /// The caller's deadline passed.
    #[error("cancelled: the deadline passed while reading")]
    Cancelled,
    /// Reading failed.
    #[error("{0}")]
    Io(io::Error),
    /// The sink refused a quad.
    #[error("{0}")]
    Sink(String),
}

impl RdfInputError {
    /// True when a cap was hit (an HTTP server answers 413).
    pub fn is_too_large(&self) -> bool {
        matches!(
            self,
            RdfInputError::TooManyQuads { .. } | RdfInputError::TooLarge(_)
        )
    }
}

/// The input, failing once more than `limit` bytes have been read.
pub struct Capped<R> {
    inner: R,
    left: u64,
    limit: u64,
}

impl<R: Read> Capped<R> {
    /// Caps `inner` at `limit` bytes.
    pub fn new(inner: R, limit: u64) -> Self {
        Capped {
            inner,
            left: limit,
            limit,
        }
    }
}

/// The error [`Capped`] fails with.
#[derive(Debug)]
pub struct CapError(pub u64);

impl std::fmt::Display for CapError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the input passes the {}-byte cap", self.0)
    }
}

impl std::error::Error for CapError {}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            // one byte more tells a input of exactly the cap from a longer one
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    CapError(self.limit),
                )),
            };
        }
        let want = buf.len().min(self.left.min(usize::MAX as u64) as usize);
        let n = self.inner.read(&mut buf[..want])?;
        self.left -= n as u64;
        Ok(n)
    }
}

fn io_error(e: io::Error) -> RdfInputError {
    if let Some(x) = ExpansionError::find(&e) {
        return RdfInputError::TooLarge(x.to_string());
    }
    if let Some(c) = e.get_ref().and_then(|i| i.downcast_ref::<CapError>()) {
        return RdfInputError::TooLarge(c.to_string());
    }
    RdfInputError::Io(e)
}

/// Parses `input` with `parser` (made for `format`), handing each quad to
/// `sink`, within `limits`; `cancelled` is asked every thousand quads.
/// Returns the number of quads read.
pub fn read_quads(
    parser: RdfParser,
    format: RdfFormat,
    input: impl Read,
    limits: &RdfLimits,
    cancelled: &dyn Fn() -> bool,
    sink: &mut dyn FnMut(Quad) -> Result<(), RdfInputError>,
) -> Result<u64, RdfInputError> {
    let capped = Capped::new(input, limits.max_bytes);
    let input: Box<dyn Read> = if format == RdfFormat::RdfXml {
        Box::new(EntityGuard::new(
            capped,
            EntityLimits {
                per_event: limits.max_entity_expansion,
                total: limits.max_bytes,
            },
        ))
    } else {
        Box::new(capped)
    };
    let mut n = 0u64;
    for q in parser.for_reader(input) {
        let q = q.map_err(|e| match e {
            RdfParseError::Io(e) => io_error(e),
            RdfParseError::Syntax(e) => RdfInputError::Syntax {
                line: e.location().map(|l| l.start.line + 1),
                message: e.to_string(),
            },
        })?;
        n += 1;
        if n > limits.max_quads {
            return Err(RdfInputError::TooManyQuads {
                limit: limits.max_quads,
            });
        }
        if n.is_multiple_of(1024) && cancelled() {
            return Err(RdfInputError::Cancelled);
        }
        sink(q)?;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(max_quads: u64, max_bytes: u64) -> RdfLimits {
        RdfLimits {
            max_quads,
            max_bytes,
            max_entity_expansion: 1 << 20,
        }
    }

    fn count(format: RdfFormat, doc: &[u8], l: RdfLimits) -> Result<u64, RdfInputError> {
        read_quads(
            RdfParser::from_format(format),
            format,
            doc,
            &l,
            &|| false,
            &mut |_| Ok(()),
        )
    }

    #[test]
    fn caps_quads_and_bytes() {
        let nt: String = (0..3000)
            .map(|i| format!("<http://e/s{i}> <http://e/p> \"{i}\" .\n"))
            .collect();
        let nt = nt.as_bytes();
        assert_eq!(
            count(RdfFormat::NTriples, nt, limits(3000, 1 << 20)).unwrap(),
            3000
        );
        let e = count(RdfFormat::NTriples, nt, limits(2999, 1 << 20)).unwrap_err();
        assert!(matches!(e, RdfInputError::TooManyQuads { limit: 2999 }));
        assert!(e.is_too_large());
        let e = count(RdfFormat::NTriples, nt, limits(10_000, 1000)).unwrap_err();
        assert!(e.is_too_large(), "{e}");
        assert_eq!(
            count(RdfFormat::NTriples, nt, limits(10_000, nt.len() as u64)).unwrap(),
            3000
        );
    }

    #[test]
    fn refuses_entity_bombs_and_reports_syntax_errors() {
        let doc = super::super::entities::tests::billion_laughs();
        let e = count(RdfFormat::RdfXml, doc.as_bytes(), limits(1000, 1 << 20)).unwrap_err();
        assert!(e.is_too_large(), "{e}");
        let e = count(RdfFormat::Turtle, b"<a> <b> .\n", limits(10, 1000)).unwrap_err();
        assert!(
            matches!(e, RdfInputError::Syntax { line: Some(1), .. }),
            "{e:?}"
        );
    }

    #[test]
    fn stops_when_cancelled() {
        let nt: String = (0..5000)
            .map(|i| format!("<http://e/s{i}> <http://e/p> \"{i}\" .\n"))
            .collect();
        let e = read_quads(
            RdfParser::from_format(RdfFormat::NTriples),
            RdfFormat::NTriples,
            nt.as_bytes(),
            &limits(u64::MAX, u64::MAX),
            &|| true,
            &mut |_| Ok(()),
        )
        .unwrap_err();
        assert!(matches!(e, RdfInputError::Cancelled));
    }
}
