//! Plain tables of your own entities, TSV or JSONL, one entity a row.
//!
//! **TSV**: UTF-8, tab-separated, a header line naming the columns, `#` lines
//! and blank lines ignored. Columns (any order, only `qid`, `type` and `name`
//! required, unknown columns are an error):
//!
//! | column | meaning |
//! |---|---|
//! | `qid` | Wikidata item (`Q` + digits) |
//! | `type` | `PER`, `ORG`, `COUNTRY` or `LOC` |
//! | `name` | preferred name |
//! | `kind` | finer kind (`state`, `city`, `party`, `company`, ...; see `data/kb/README.md`) |
//! | `official_name` | official name (countries) |
//! | `aliases`, `acronyms`, `demonyms` | other names, `\|`-separated |
//! | `description` | short description |
//! | `prior` | prominence 1–100 (default: from `sitelinks`, else 10) |
//! | `sitelinks` | sitelink count |
//! | `enwiki` | English Wikipedia title |
//! | `country`, `capital`, `headquarters` | a QID each |
//! | `citizenship`, `memberships` | QIDs, `\|`-separated |
//! | `iso2`, `iso3` | ISO 3166-1 codes |
//! | `positions` | `POSITION_QID@START..END`, `\|`-separated (dates `YYYY[-MM[-DD]]`, either may be empty) |
//!
//! **JSONL**: one JSON object a line with the same field names; the lists are
//! JSON arrays and `positions` is `[{"position":"Q11696","start":"2017-01-20","end":"2021-01-20"}]`.

use super::{located, Record, Tenure};
use crate::error::Result;
use crate::kb::{is_qid, PartialDate};
use crate::model::EntityType;
use std::path::Path;

const COLUMNS: &[&str] = &[
    "qid",
    "type",
    "name",
    "kind",
    "official_name",
    "aliases",
    "acronyms",
    "demonyms",
    "description",
    "prior",
    "sitelinks",
    "enwiki",
    "country",
    "capital",
    "headquarters",
    "citizenship",
    "memberships",
    "iso2",
    "iso3",
    "positions",
];

/// Checks what the type system does not: QIDs, names, priors, dates.
fn validate(r: &Record) -> std::result::Result<(), String> {
    if !is_qid(&r.qid) {
        return Err(format!("{:?} is not a QID", r.qid));
    }
    if r.etype.is_none() {
        return Err("no `type` (PER, ORG, COUNTRY or LOC)".into());
    }
    if r.name.trim().is_empty() {
        return Err("empty `name`".into());
    }
    if let Some(p) = r.prior {
        if !(1..=100).contains(&p) {
            return Err(format!("prior {p} is not 1–100"));
        }
    }
    let refs = r
        .country
        .iter()
        .chain(&r.capital)
        .chain(&r.headquarters)
        .chain(&r.citizenship)
        .chain(&r.memberships)
        .chain(r.positions.iter().map(|t| &t.position));
    for q in refs {
        if !is_qid(q) {
            return Err(format!("{q:?} is not a QID"));
        }
    }
    for t in &r.positions {
        for d in t.start.iter().chain(&t.end) {
            if PartialDate::parse(d).is_none() {
                return Err(format!("date {d:?} is not YYYY[-MM[-DD]]"));
            }
        }
    }
    let names = std::iter::once(&r.name)
        .chain(&r.official_name)
        .chain(&r.aliases)
        .chain(&r.acronyms)
        .chain(&r.demonyms)
        .chain(&r.description);
    for n in names {
        if n.contains(['\t', '\n', '|']) {
            return Err(format!("{n:?} holds a tab, newline or `|`"));
        }
    }
    Ok(())
}

/// Parses `POSITION_QID@START..END` (or a bare QID).
fn parse_tenure(s: &str) -> Option<Tenure> {
    let (q, dates) = match s.split_once('@') {
        Some((q, d)) => (q.trim(), Some(d.trim())),
        None => (s.trim(), None),
    };
    let (start, end) = match dates {
        None => (None, None),
        Some(d) => {
            let (a, b) = d.split_once("..")?;
            let f = |x: &str| (!x.trim().is_empty()).then(|| x.trim().to_string());
            (f(a), f(b))
        }
    };
    Some(Tenure {
        position: q.to_string(),
        start,
        end,
    })
}

/// Reads a TSV table.
pub fn read_tsv(path: &Path, sink: &mut dyn FnMut(Record)) -> Result<()> {
    let reader = super::open(path)?;
    let mut header: Option<Vec<String>> = None;
    super::for_each_line(path, reader, &mut |line, offset, bytes| {
        let text = std::str::from_utf8(bytes)
            .map_err(|e| located(path, line, offset + e.valid_up_to() as u64, "not UTF-8"))?;
        if text.trim().is_empty() || text.starts_with('#') {
            return Ok(());
        }
        let cells: Vec<&str> = text.split('\t').map(str::trim).collect();
        let Some(cols) = &header else {
            for c in &cells {
                if !COLUMNS.contains(c) {
                    return Err(located(
                        path,
                        line,
                        offset,
                        format!("unknown column `{c}` (known: {})", COLUMNS.join(", ")),
                    ));
                }
            }
            for need in ["qid", "type", "name"] {
                if !cells.contains(&need) {
                    return Err(located(path, line, offset, format!("no column `{need}`")));
                }
            }
            header = Some(cells.iter().map(|c| c.to_string()).collect());
            return Ok(());
        };
        if cells.len() > cols.len() {
            return Err(located(
                path,
                line,
                offset,
                format!("{} cells for {} columns", cells.len(), cols.len()),
            ));
        }
        let mut r = Record::default();
        for (col, cell) in cols.iter().zip(&cells) {
            if cell.is_empty() {
                continue;
            }
            let list = || -> Vec<String> {
                cell.split('|')
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(String::from)
                    .collect()
            };
            let one = Some(cell.to_string());
            let bad = |what: &str| located(path, line, offset, format!("{col}: {what} {cell:?}"));
            match col.as_str() {
                "qid" => r.qid = cell.to_string(),
                "type" => {
                    r.etype = Some(EntityType::parse(cell).ok_or_else(|| bad("unknown type"))?)
                }
                "name" => r.name = cell.to_string(),
                "kind" => r.kind = cell.to_string(),
                "official_name" => r.official_name = one,
                "aliases" => r.aliases = list(),
                "acronyms" => r.acronyms = list(),
                "demonyms" => r.demonyms = list(),
                "description" => r.description = one,
                "prior" => r.prior = Some(cell.parse().map_err(|_| bad("bad number"))?),
                "sitelinks" => r.sitelinks = Some(cell.parse().map_err(|_| bad("bad number"))?),
                "enwiki" => r.enwiki = one,
                "country" => r.country = one,
                "capital" => r.capital = one,
                "headquarters" => r.headquarters = one,
                "citizenship" => r.citizenship = list(),
                "memberships" => r.memberships = list(),
                "iso2" => r.iso2 = one,
                "iso3" => r.iso3 = one,
                "positions" => {
                    for p in list() {
                        r.positions
                            .push(parse_tenure(&p).ok_or_else(|| bad("bad position"))?);
                    }
                }
                _ => unreachable!("columns are checked against COLUMNS"),
            }
        }
        validate(&r).map_err(|m| located(path, line, offset, m))?;
        sink(r);
        Ok(())
    })?;
    if header.is_none() {
        return Err(located(path, 1, 0, "empty table: no header line"));
    }
    Ok(())
}

/// Reads a JSONL table.
pub fn read_jsonl(path: &Path, sink: &mut dyn FnMut(Record)) -> Result<()> {
    let reader = super::open(path)?;
    super::for_each_line(path, reader, &mut |line, offset, bytes| {
        if bytes.trim_ascii().is_empty() {
            return Ok(());
        }
        let r: Record = serde_json::from_slice(bytes).map_err(|e| {
            located(
                path,
                line,
                offset + e.column().saturating_sub(1) as u64,
                format!("bad record: {e}"),
            )
        })?;
        validate(&r).map_err(|m| located(path, line, offset, m))?;
        sink(r);
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenures() {
        let t = parse_tenure("Q11696@2017-01-20..").unwrap();
        assert_eq!(t.start.as_deref(), Some("2017-01-20"));
        assert!(t.end.is_none());
        assert!(parse_tenure("Q1@2017").is_none());
        assert_eq!(parse_tenure("Q1").unwrap().position, "Q1");
    }
}
