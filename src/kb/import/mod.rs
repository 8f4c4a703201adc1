//! Importers: read entities from Wikidata exports and from plain tables into
//! [`Record`]s, the flat shape `kb build` writes as a KB directory.
//!
//! Every importer streams its input (one line or one entity at a time, so memory
//! does not grow with the input) and reports a bad record with its file, line and
//! byte offset. Compressed input (`.gz`, `.bz2`) is decompressed on the fly; the
//! offsets are then in the decompressed stream.
//!
//! | source | detected by | module |
//! |---|---|---|
//! | Wikidata JSON dump (`[`, one entity a line, `]`) | `.json[.gz/.bz2]` starting with `[` | [`wikidata`] |
//! | `Special:EntityData` / `wbgetentities` answer | `.json` starting with `{"entities"` | [`wikidata`] |
//! | Wikidata truthy N-Triples | `.nt[.gz/.bz2]` | [`ntriples`] |
//! | WDQS SPARQL JSON results | `.json` with `"head"` and `"results"` | [`wdqs`] |
//! | plain table of your own entities | `.tsv` / `.jsonl` | [`table`] |
//!
//! `-` reads Wikidata entity JSON (a dump or an entity document) from standard
//! input, for a parallel decompressor: `lbzip2 -dc latest-all.json.bz2 | kglink kb
//! build --from - ...`.

pub mod ntriples;
pub mod table;
pub mod wdqs;
pub mod wikidata;

use super::PartialDate;
use crate::error::{Error, Result};
use crate::guard::lines::{LineCap, DEFAULT_MAX_LINE};
use crate::model::EntityType;
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// One entity as imported, before references are resolved.
///
/// It is also the shape of a JSONL table line (see [`table`]); every field but
/// `qid`, `type` and `name` may be left out.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Record {
    /// Wikidata QID.
    pub qid: String,
    /// `PER`, `ORG`, `COUNTRY` or `LOC`; `None` for an office (a position).
    #[serde(rename = "type")]
    pub etype: Option<EntityType>,
    /// Finer kind (`state`, `city`, `party`, `company`, ...; for a position its role).
    pub kind: String,
    /// Preferred name.
    pub name: String,
    /// Official name (countries).
    pub official_name: Option<String>,
    /// Other full names.
    pub aliases: Vec<String>,
    /// Acronyms, matched case-sensitively.
    pub acronyms: Vec<String>,
    /// Demonyms and adjectivals (P1549).
    pub demonyms: Vec<String>,
    /// Short description.
    pub description: Option<String>,
    /// Prominence 1–100; `None` = derived from `sitelinks`.
    pub prior: Option<u8>,
    /// Number of Wikipedia and sister-project sitelinks (the popularity prior).
    pub sitelinks: Option<u32>,
    /// English Wikipedia title.
    pub enwiki: Option<String>,
    /// Country, P17 (for a position: P1001, the jurisdiction).
    pub country: Option<String>,
    /// Citizenships, P27.
    pub citizenship: Vec<String>,
    /// Capital, P36.
    pub capital: Option<String>,
    /// Headquarters location, P159.
    pub headquarters: Option<String>,
    /// Memberships, P463.
    pub memberships: Vec<String>,
    /// ISO 3166-1 alpha-2, P297.
    pub iso2: Option<String>,
    /// ISO 3166-1 alpha-3, P298.
    pub iso3: Option<String>,
    /// Positions held, P39: `(position QID, start P580, end P582)`.
    pub positions: Vec<Tenure>,
    /// For a position: the title words used before a name ("prime minister").
    pub titles: Vec<String>,
}

/// A position held, as imported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tenure {
    /// The position's QID.
    pub position: String,
    /// Start (P580), `YYYY[-MM[-DD]]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// End (P582).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
}

impl Record {
    /// The prior to use: the stated one, else one derived from the sitelink count
    /// (`1 + 14·ln(1 + sitelinks)`, capped at 100: 0 → 1, 10 → 35, 100 → 66,
    /// 330 → 82), else 10.
    pub fn effective_prior(&self) -> u8 {
        if let Some(p) = self.prior {
            return p.clamp(1, 100);
        }
        match self.sitelinks {
            Some(n) => (1.0 + 14.0 * (1.0 + f64::from(n)).ln()).round().min(100.0) as u8,
            None => 10,
        }
    }

    /// True for an office rather than an entity.
    pub fn is_position(&self) -> bool {
        self.etype.is_none()
    }
}

/// Which entities to keep and which languages to read.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Languages whose labels, aliases and descriptions are kept, in order of
    /// preference (the first one present gives the name).
    pub langs: Vec<String>,
    /// Types to keep.
    pub types: Vec<EntityType>,
    /// Minimum number of sitelinks (entities without a count pass when it is 0).
    pub min_sitelinks: u32,
    /// Extra `P31` classes: `(class QID, type)`, on top of [`wikidata::CLASSES`].
    pub extra_classes: Vec<(String, EntityType)>,
    /// Keep offices (items that are a position) for the people's P39.
    pub positions: bool,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            langs: vec!["en".into()],
            types: EntityType::ALL.to_vec(),
            min_sitelinks: 0,
            extra_classes: Vec::new(),
            positions: true,
        }
    }
}

impl ImportOptions {
    /// Whether a record passes the type and sitelink filters.
    pub fn keeps(&self, r: &Record) -> bool {
        let typed = match r.etype {
            Some(t) => self.types.contains(&t),
            None => self.positions,
        };
        typed && r.sitelinks.unwrap_or(u32::MAX) >= self.min_sitelinks
    }
}

/// The kind of a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// A Wikidata JSON dump or an entity document.
    WikidataJson,
    /// Truthy N-Triples.
    NTriples,
    /// WDQS SPARQL JSON results.
    Wdqs,
    /// A TSV table.
    Tsv,
    /// A JSONL table.
    Jsonl,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportStats {
    /// Entities of a kept class or offices (or table rows) read, before the
    /// type and sitelink filters.
    pub read: u64,
    /// Records kept by the filters.
    pub kept: u64,
}

/// A reader over a file, decompressed when its name ends in `.gz` or `.bz2`;
/// `-` is standard input. Lines longer than
/// [`crate::guard::lines::DEFAULT_MAX_LINE`] fail.
pub fn open(path: &Path) -> Result<Box<dyn BufRead>> {
    if path == Path::new("-") {
        return Ok(Box::new(BufReader::with_capacity(
            1 << 16,
            LineCap::new(std::io::stdin(), DEFAULT_MAX_LINE),
        )));
    }
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let name = path.to_string_lossy();
    let inner: Box<dyn Read> = if name.ends_with(".gz") {
        Box::new(flate2::read::MultiGzDecoder::new(BufReader::new(file)))
    } else if name.ends_with(".bz2") {
        Box::new(bzip2::read::MultiBzDecoder::new(BufReader::new(file)))
    } else {
        Box::new(file)
    };
    // a line without end (a decompression bomb) fails at the cap
    let inner = LineCap::new(inner, DEFAULT_MAX_LINE);
    Ok(Box::new(BufReader::with_capacity(1 << 16, inner)))
}

/// The kind of `path`, from its name and, for `.json`, its first bytes.
pub fn detect(path: &Path) -> Result<SourceKind> {
    if path == Path::new("-") {
        // standard input cannot be peeked twice: Wikidata entity JSON (a dump
        // or an entity document, told apart by its first byte)
        return Ok(SourceKind::WikidataJson);
    }
    let name = path.to_string_lossy();
    let base = name
        .strip_suffix(".gz")
        .or_else(|| name.strip_suffix(".bz2"))
        .unwrap_or(&name);
    if base.ends_with(".nt") {
        return Ok(SourceKind::NTriples);
    }
    if base.ends_with(".tsv") {
        return Ok(SourceKind::Tsv);
    }
    if base.ends_with(".jsonl") {
        return Ok(SourceKind::Jsonl);
    }
    if base.ends_with(".json") {
        let mut head = Vec::new();
        open(path)?
            .take(4096)
            .read_to_end(&mut head)
            .map_err(|e| Error::io(path, e))?;
        let text = String::from_utf8_lossy(&head);
        let t = text.trim_start();
        if t.starts_with('[') {
            return Ok(SourceKind::WikidataJson);
        }
        if t.starts_with('{') && text.contains("\"head\"") && !text.contains("\"entities\"") {
            return Ok(SourceKind::Wdqs);
        }
        return Ok(SourceKind::WikidataJson);
    }
    Err(Error::BadInput {
        path: path.into(),
        message:
            "unknown source kind (expected .json, .nt, .tsv or .jsonl, optionally .gz or .bz2)"
                .into(),
    })
}

/// Reads `path` (kind detected) and hands every kept record to `sink`.
pub fn import(
    path: &Path,
    opts: &ImportOptions,
    sink: &mut dyn FnMut(Record),
    progress: &mut dyn FnMut(u64),
) -> Result<ImportStats> {
    let mut stats = ImportStats::default();
    let mut keep = |r: Record, stats: &mut ImportStats| {
        stats.read += 1;
        progress(stats.read);
        if opts.keeps(&r) {
            stats.kept += 1;
            sink(r);
        }
    };
    match detect(path)? {
        SourceKind::WikidataJson => wikidata::read(path, opts, &mut |r| keep(r, &mut stats))?,
        SourceKind::NTriples => ntriples::read(path, opts, &mut |r| keep(r, &mut stats))?,
        SourceKind::Wdqs => wdqs::read(path, opts, &mut |r| keep(r, &mut stats))?,
        SourceKind::Tsv => table::read_tsv(path, &mut |r| keep(r, &mut stats))?,
        SourceKind::Jsonl => table::read_jsonl(path, &mut |r| keep(r, &mut stats))?,
    }
    Ok(stats)
}

/// A line handler: `(1-based line, byte offset, bytes)`.
pub(crate) type LineFn<'a> = dyn FnMut(usize, u64, &[u8]) -> Result<()> + 'a;

/// Reads lines of `reader`, handing `(1-based line, byte offset of its start,
/// line without its end)` to `f`; an I/O or decompression error names the offset.
pub(crate) fn for_each_line(
    path: &Path,
    mut reader: impl BufRead,
    f: &mut LineFn<'_>,
) -> Result<()> {
    let mut buf = Vec::with_capacity(1 << 16);
    let mut offset = 0u64;
    let mut line = 0usize;
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| Error::BadInput {
                path: path.into(),
                message: format!("byte offset {offset} (line {}): {e}", line + 1),
            })?;
        if n == 0 {
            return Ok(());
        }
        line += 1;
        let mut l = buf.as_slice();
        while let [rest @ .., b'\n' | b'\r'] = l {
            l = rest;
        }
        f(line, offset, l)?;
        offset += n as u64;
    }
}

/// A parse error at `path:line` naming the byte offset too.
pub(crate) fn located(path: &Path, line: usize, offset: u64, msg: impl std::fmt::Display) -> Error {
    Error::parse(path, line, format!("byte offset {offset}: {msg}"))
}

/// Parses a Wikidata time (`+2017-01-20T00:00:00Z`, with `00` for unknown month or
/// day) cut to `precision` (9 year, 10 month, 11 day) into `YYYY[-MM[-DD]]`.
pub fn wikidata_date(time: &str, precision: u64) -> Option<String> {
    let t = time.strip_prefix('+')?;
    let date = t.get(..10)?;
    let (y, rest) = date.split_once('-')?;
    let (m, d) = rest.split_once('-')?;
    let s = match precision {
        p if p >= 11 && d != "00" && m != "00" => format!("{y}-{m}-{d}"),
        p if p >= 10 && m != "00" => format!("{y}-{m}"),
        9.. => y.to_string(),
        _ => return None,
    };
    PartialDate::parse(&s).map(|d| d.to_iso())
}

/// Guesses whether an alias is an acronym ("NATO", "U.N."): no lower-case letter,
/// at least two letters, at most eight characters, no space.
pub fn looks_like_acronym(s: &str) -> bool {
    let letters = s.chars().filter(|c| c.is_alphabetic()).count();
    letters >= 2 && s.chars().count() <= 8 && !s.contains(' ') && !s.chars().any(char::is_lowercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_follow_precision() {
        assert_eq!(
            wikidata_date("+2017-01-20T00:00:00Z", 11).unwrap(),
            "2017-01-20"
        );
        assert_eq!(
            wikidata_date("+2017-01-20T00:00:00Z", 10).unwrap(),
            "2017-01"
        );
        assert_eq!(wikidata_date("+1926-00-00T00:00:00Z", 9).unwrap(), "1926");
        assert_eq!(wikidata_date("+1926-00-00T00:00:00Z", 11).unwrap(), "1926");
        assert!(wikidata_date("-0500-00-00T00:00:00Z", 9).is_none());
        assert!(wikidata_date("+2000-01-01T00:00:00Z", 7).is_none());
    }

    #[test]
    fn priors_from_sitelinks() {
        let r = |n| Record {
            sitelinks: Some(n),
            ..Record::default()
        };
        assert_eq!(r(0).effective_prior(), 1);
        assert_eq!(r(10).effective_prior(), 35);
        assert_eq!(r(330).effective_prior(), 82);
        assert_eq!(r(100_000).effective_prior(), 100);
        assert_eq!(Record::default().effective_prior(), 10);
    }

    #[test]
    fn acronyms() {
        assert!(looks_like_acronym("NATO"));
        assert!(looks_like_acronym("U.N."));
        assert!(!looks_like_acronym("Nato"));
        assert!(!looks_like_acronym("I"));
        assert!(!looks_like_acronym("UNITED NATIONS"));
    }
}
