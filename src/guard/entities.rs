//! A cap on what DTD entities make of an RDF/XML document.
//!
//! RDF/XML may declare entities in its DOCTYPE (`<!ENTITY xsd
//! "http://www.w3.org/2001/XMLSchema#">`, then `&xsd;integer`), and Oxigraph's
//! reader expands them: each declaration when it is read, each reference where
//! it occurs. Ten nested declarations of ten references each ("billion
//! laughs") turn 700 bytes into gigabytes; one large entity referenced many
//! times does the same more slowly. [`EntityGuard`] reads the DOCTYPE first
//! with the reader's own rules, computes the expanded length of every
//! declaration, then passes the document through while adding up the expanded
//! length of every reference, per markup event (a text run, or one tag with
//! its attributes: what the reader expands into one string) and in all. When
//! the declarations, one event, or the document with all its expansions
//! would pass [`EntityLimits`], it fails with [`ExpansionError`] (as an I/O
//! error of kind `InvalidData`) before the reader has built anything that
//! large. A reference is counted wherever it appears (in a comment too), so
//! the estimate never falls short.

use std::collections::HashMap;
use std::fmt;
use std::io::{self, Read};

/// Largest DOCTYPE read ahead of the document.
const MAX_DOCTYPE: usize = 1 << 20;
/// Longest entity name looked up in a reference.
const MAX_NAME: usize = 256;

/// What entity expansion may cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntityLimits {
    /// Bytes the declarations expand to, together, and bytes the references
    /// of one markup event expand to.
    pub per_event: u64,
    /// Bytes of the whole document with every reference expanded.
    pub total: u64,
}

/// The document would expand past a cap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpansionError {
    /// The cap, in bytes.
    pub limit: u64,
    /// What passed it.
    pub what: String,
}

impl fmt::Display for ExpansionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "RDF/XML: {} would expand past the {}-byte cap on entity expansion",
            self.what, self.limit
        )
    }
}

impl std::error::Error for ExpansionError {}

impl ExpansionError {
    /// The guard's error inside `e`, if that is what `e` is.
    pub fn find(e: &io::Error) -> Option<&ExpansionError> {
        e.get_ref()?.downcast_ref::<ExpansionError>()
    }
}

fn refused(limit: u64, what: impl Into<String>) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        ExpansionError {
            limit,
            what: what.into(),
        },
    )
}

/// Reads an RDF/XML document from `inner`, failing once its entities would
/// expand it past `limit` bytes (the document's own bytes included).
pub struct EntityGuard<R> {
    inner: R,
    limits: EntityLimits,
    /// Bytes read ahead (the prologue and DOCTYPE), handed out first.
    ahead: Vec<u8>,
    ahead_pos: usize,
    started: bool,
    /// Expanded length of each declared entity.
    entities: HashMap<Vec<u8>, u64>,
    /// The document's length so far plus every expansion counted.
    total: u64,
    /// Bytes the declarations expand to.
    declared: u64,
    /// Bytes the references of the current markup event expand to.
    event: u64,
    /// Where the document is: text, or inside a tag (and in which quote).
    markup: Markup,
    /// A reference being read: `Some(name so far)` after `&`.
    name: Option<Vec<u8>>,
    /// The last bytes passed after the prologue, to find a later DOCTYPE
    /// across reads.
    tail: Vec<u8>,
    /// Length of the prologue (up to the end of the DOCTYPE).
    prologue: u64,
    /// Bytes handed out so far.
    passed: u64,
}

impl<R: Read> EntityGuard<R> {
    /// Guards `inner` with `limits`.
    pub fn new(inner: R, limits: EntityLimits) -> Self {
        EntityGuard {
            inner,
            limits,
            event: 0,
            declared: 0,
            markup: Markup::Text,
            ahead: Vec::new(),
            ahead_pos: 0,
            started: false,
            entities: HashMap::new(),
            total: 0,
            name: None,
            tail: Vec::new(),
            prologue: 0,
            passed: 0,
        }
    }

    /// Reads the prologue up to the end of the DOCTYPE (or to the first
    /// element when there is none) and takes the entity declarations from it.
    fn start(&mut self) -> io::Result<()> {
        self.started = true;
        let mut chunk = [0u8; 8192];
        loop {
            match prologue_end(&self.ahead) {
                Prologue::NoDoctype(at) => {
                    self.prologue = at as u64;
                    break;
                }
                Prologue::Doctype(start, end) => {
                    let doctype = self.ahead[start..end].to_vec();
                    self.declare(&doctype)?;
                    self.prologue = end as u64 + 1;
                    break;
                }
                Prologue::NeedMore => {}
            }
            if self.ahead.len() > MAX_DOCTYPE {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("RDF/XML: the prologue and DOCTYPE pass {MAX_DOCTYPE} bytes"),
                ));
            }
            let n = self.inner.read(&mut chunk)?;
            if n == 0 {
                self.prologue = self.ahead.len() as u64;
                break;
            }
            self.ahead.extend_from_slice(&chunk[..n]);
        }
        Ok(())
    }

    /// Records the expanded length of each `<!ENTITY name "value">`, read the
    /// way Oxigraph's RDF/XML reader reads them.
    fn declare(&mut self, doctype: &[u8]) -> io::Result<()> {
        for piece in doctype.split(|&c| c == b'<').skip(1) {
            let Some(rest) = piece.strip_prefix(b"!ENTITY") else {
                continue;
            };
            let rest = trim_start(rest);
            let rest = trim_start(rest.strip_prefix(b"%").unwrap_or(rest));
            let Some(space) = rest.iter().position(u8::is_ascii_whitespace) else {
                continue;
            };
            let (name, rest) = rest.split_at(space);
            let Some(value) = trim_start(rest).strip_prefix(b"\"") else {
                continue;
            };
            let Some(close) = value.iter().position(|&c| c == b'"') else {
                continue;
            };
            let len = self.expanded(&value[..close]);
            self.total = self.total.saturating_add(len);
            self.declared = self.declared.saturating_add(len);
            let limit = self.limits.per_event.min(self.limits.total);
            if self.declared > limit {
                return Err(refused(
                    limit,
                    format!("the entity {:?}", String::from_utf8_lossy(name)),
                ));
            }
            self.entities.insert(name.to_vec(), len);
        }
        Ok(())
    }

    /// The length of `value` with the entities declared so far expanded.
    fn expanded(&self, value: &[u8]) -> u64 {
        let mut len = 0u64;
        let mut i = 0;
        while i < value.len() {
            if value[i] == b'&' {
                if let Some(semi) = value[i + 1..].iter().position(|&c| c == b';') {
                    if let Some(&n) = self.entities.get(&value[i + 1..i + 1 + semi]) {
                        len = len.saturating_add(n);
                        i += semi + 2;
                        continue;
                    }
                }
            }
            len += 1;
            i += 1;
        }
        len
    }

    /// Counts `buf` (the next bytes of the document) and the references in
    /// it. A DOCTYPE after the prologue would declare entities the prologue
    /// did not show, so it is refused.
    fn count(&mut self, buf: &[u8]) -> io::Result<()> {
        self.total = self.total.saturating_add(buf.len() as u64);
        let skip = self
            .prologue
            .saturating_sub(self.passed)
            .min(buf.len() as u64) as usize;
        self.passed += buf.len() as u64;
        if skip < buf.len() {
            self.tail.extend_from_slice(&buf[skip..]);
            let found = self
                .tail
                .windows(DOCTYPE.len())
                .any(|w| w.eq_ignore_ascii_case(DOCTYPE));
            if found {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "RDF/XML: a DOCTYPE after the start of the document",
                ));
            }
            let cut = self.tail.len().saturating_sub(DOCTYPE.len() - 1);
            self.tail.drain(..cut);
        }
        if !self.entities.is_empty() {
            for &c in buf {
                self.markup = match (self.markup, c) {
                    (Markup::Text, b'<') => {
                        self.event = 0;
                        Markup::Tag
                    }
                    (Markup::Tag, b'"' | b'\'') => Markup::Quoted(c),
                    (Markup::Tag, b'>') => {
                        self.event = 0;
                        Markup::Text
                    }
                    (Markup::Quoted(q), c) if c == q => Markup::Tag,
                    (m, _) => m,
                };
                match (&mut self.name, c) {
                    (None, b'&') => self.name = Some(Vec::new()),
                    (None, _) => {}
                    (Some(name), b';') => {
                        if let Some(&n) = self.entities.get(name.as_slice()) {
                            self.total = self.total.saturating_add(n);
                            self.event = self.event.saturating_add(n);
                            if self.event > self.limits.per_event {
                                return Err(refused(
                                    self.limits.per_event,
                                    "one element's entity references",
                                ));
                            }
                        }
                        self.name = None;
                    }
                    (Some(_), b'&') => self.name = Some(Vec::new()),
                    (Some(name), c) if name.len() < MAX_NAME && !c.is_ascii_whitespace() => {
                        name.push(c)
                    }
                    (Some(_), _) => self.name = None,
                }
            }
        }
        if self.total > self.limits.total {
            return Err(refused(
                self.limits.total,
                "the document with its entity references",
            ));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Markup {
    Text,
    Tag,
    Quoted(u8),
}

impl<R: Read> Read for EntityGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if !self.started {
            self.start()?;
        }
        let n = if self.ahead_pos < self.ahead.len() {
            let n = buf.len().min(self.ahead.len() - self.ahead_pos);
            buf[..n].copy_from_slice(&self.ahead[self.ahead_pos..self.ahead_pos + n]);
            self.ahead_pos += n;
            if self.ahead_pos == self.ahead.len() {
                self.ahead = Vec::new();
                self.ahead_pos = 0;
            }
            n
        } else {
            self.inner.read(buf)?
        };
        self.count(&buf[..n])?;
        Ok(n)
    }
}

fn trim_start(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &s[n..]
}

enum Prologue {
    /// More bytes are needed to tell.
    NeedMore,
    /// The first element (at this index) comes before any DOCTYPE.
    NoDoctype(usize),
    /// The DOCTYPE's content is `ahead[start..end]`.
    Doctype(usize, usize),
}

/// Where the DOCTYPE of `b` is: skips a byte-order mark, the XML declaration,
/// processing instructions, comments and blanks; a DOCTYPE (any case, as the
/// XML reader Oxigraph uses accepts it) ends at the `>` that balances its
/// `<`s, as that reader ends it.
fn prologue_end(b: &[u8]) -> Prologue {
    let mut i = if b.starts_with(&[0xEF, 0xBB, 0xBF]) {
        3
    } else {
        0
    };
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let rest = &b[i..];
        if rest.starts_with(b"<?") {
            match find(rest, b"?>") {
                Some(e) => i += e + 2,
                None => return Prologue::NeedMore,
            }
        } else if rest.starts_with(b"<!--") {
            match find(&rest[4..], b"-->") {
                Some(e) => i += 4 + e + 3,
                None => return Prologue::NeedMore,
            }
        } else if rest.len() >= DOCTYPE.len() && rest[..DOCTYPE.len()].eq_ignore_ascii_case(DOCTYPE)
        {
            let start = i + DOCTYPE.len();
            let mut balance = 0i64;
            for (j, &c) in b[start..].iter().enumerate() {
                match c {
                    b'<' => balance += 1,
                    b'>' if balance == 0 => return Prologue::Doctype(start, start + j),
                    b'>' => balance -= 1,
                    _ => {}
                }
            }
            return Prologue::NeedMore;
        } else if rest.len() < DOCTYPE.len()
            && (DOCTYPE[..rest.len()].eq_ignore_ascii_case(rest) || b"<!--".starts_with(rest))
        {
            return Prologue::NeedMore;
        } else {
            return Prologue::NoDoctype(i);
        }
    }
}

const DOCTYPE: &[u8] = b"<!DOCTYPE";

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn read_all(doc: &[u8], limit: u64) -> io::Result<Vec<u8>> {
        read_with(
            doc,
            EntityLimits {
                per_event: limit,
                total: limit,
            },
        )
    }

    fn read_with(doc: &[u8], limits: EntityLimits) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        // small reads, so references straddle buffer ends
        let mut g = EntityGuard::new(doc, limits);
        let mut buf = [0u8; 7];
        loop {
            let n = g.read(&mut buf)?;
            if n == 0 {
                return Ok(out);
            }
            out.extend_from_slice(&buf[..n]);
        }
    }

    pub(crate) fn billion_laughs() -> String {
        let mut d =
            String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE rdf:RDF [\n <!ENTITY lol0 \"lol\">\n");
        for i in 1..10 {
            d.push_str(&format!(
                " <!ENTITY lol{i} \"{}\">\n",
                format!("&lol{};", i - 1).repeat(10)
            ));
        }
        d.push_str("]>\n<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns:ex=\"http://example.org/\"><rdf:Description rdf:about=\"http://example.org/a\"><ex:p>&lol9;</ex:p></rdf:Description></rdf:RDF>\n");
        d
    }

    #[test]
    fn refuses_billion_laughs_while_reading_the_doctype() {
        let doc = billion_laughs();
        let e = read_all(doc.as_bytes(), 1 << 20).unwrap_err();
        let x = ExpansionError::find(&e).expect("an expansion error");
        assert!(x.what.contains("lol"), "{x}");
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
    }

    #[test]
    fn refuses_many_references_to_one_large_entity() {
        let big = "x".repeat(10_000);
        let doc = format!(
            "<!DOCTYPE r [<!ENTITY big \"{big}\">]><r>{}</r>",
            "&big;".repeat(200)
        );
        let e = read_all(doc.as_bytes(), 1 << 20).unwrap_err();
        assert!(ExpansionError::find(&e)
            .unwrap()
            .what
            .contains("references"));
        // the same document passes under a cap it fits in
        assert_eq!(read_all(doc.as_bytes(), 3 << 20).unwrap(), doc.as_bytes());
        // one element's references count together, in text or attributes
        let limits = EntityLimits {
            per_event: 100_000,
            total: u64::MAX,
        };
        assert!(read_with(doc.as_bytes(), limits).is_err());
        let attr = format!(
            "<!DOCTYPE r [<!ENTITY big \"{big}\">]><r><x a=\"{}\" b='{}'/></r>",
            "&big;".repeat(6),
            "&big;".repeat(5)
        );
        assert!(read_with(attr.as_bytes(), limits).is_err());
        // many elements, each under the cap, pass when only events are capped
        let spread = format!(
            "<!DOCTYPE r [<!ENTITY big \"{big}\">]><r>{}</r>",
            "<x>&big;</x>".repeat(200)
        );
        assert!(read_with(spread.as_bytes(), limits).is_ok());
    }

    #[test]
    fn passes_ordinary_documents_unchanged() {
        let doc = "<?xml version=\"1.0\"?>\n<!-- a > comment -->\n<!DOCTYPE rdf:RDF [ <!ENTITY xsd \"http://www.w3.org/2001/XMLSchema#\"> ]>\n<rdf:RDF><x a=\"&xsd;int\"/>&amp;</rdf:RDF>";
        assert_eq!(read_all(doc.as_bytes(), 10_000).unwrap(), doc.as_bytes());
        let plain = "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"/>";
        assert_eq!(read_all(plain.as_bytes(), 100).unwrap(), plain.as_bytes());
        assert_eq!(read_all(b"", 100).unwrap(), b"");
        // the document itself counts
        assert!(read_all(plain.as_bytes(), 10).is_err());
    }

    #[test]
    fn refuses_a_doctype_after_the_first_element() {
        let doc = "<r><!doctype x [<!ENTITY a \"aaaa\">]>&a;&a;</r>";
        let e = read_all(doc.as_bytes(), 1 << 20).unwrap_err();
        assert!(e.to_string().contains("DOCTYPE after"), "{e}");
        // a lower-case DOCTYPE in the prologue is read like an upper-case one
        let doc = format!(
            "<!doctype r [<!ENTITY a \"{}\">]><r>&a;&a;</r>",
            "a".repeat(600)
        );
        assert!(read_all(doc.as_bytes(), 1000).is_err());
    }
}
