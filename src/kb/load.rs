//! Parsing of the KB's TSV files and assembly of a [`Kb`]: records are read by
//! column name, references between entities are resolved, and every problem is
//! reported with its file and line.

use super::{AliasKind, EntityId, Kb, KbEntity, PartialDate, Position, Tenure};
use crate::error::{Error, Result};
use crate::model::EntityType;
use std::collections::HashMap;

/// A record before references are resolved.
#[derive(Debug, Default)]
pub(super) struct RawEntity {
    file: String,
    line: usize,
    qid: String,
    etype: Option<EntityType>,
    kind: String,
    label: String,
    official: Option<String>,
    description: Option<String>,
    prior: u8,
    aliases: Vec<String>,
    acronyms: Vec<String>,
    demonyms: Vec<String>,
    country: Option<String>,
    citizenship: Vec<String>,
    capital: Option<String>,
    memberships: Vec<String>,
    iso: Vec<String>,
    positions: Vec<(String, Option<PartialDate>, Option<PartialDate>)>,
}

#[derive(Debug, Default)]
pub(super) struct RawKb {
    entities: Vec<RawEntity>,
    positions: Vec<(String, usize, Position)>,
}

/// One parsed line with access by column name.
struct Row<'a> {
    file: &'a str,
    line: usize,
    header: &'a HashMap<&'a str, usize>,
    cells: Vec<&'a str>,
}

impl<'a> Row<'a> {
    fn get(&self, col: &str) -> Option<&'a str> {
        let i = *self.header.get(col)?;
        self.cells
            .get(i)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
    }

    fn required(&self, col: &str) -> Result<&'a str> {
        self.get(col)
            .ok_or_else(|| Error::parse(self.file, self.line, format!("empty column `{col}`")))
    }

    fn list(&self, col: &str) -> Vec<String> {
        self.get(col)
            .map(|s| {
                s.split('|')
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default()
    }

    fn qid(&self, col: &str) -> Result<Option<String>> {
        match self.get(col) {
            None => Ok(None),
            Some(q) if is_qid(q) => Ok(Some(q.to_string())),
            Some(q) => Err(Error::parse(
                self.file,
                self.line,
                format!("column `{col}`: {q:?} is not a QID"),
            )),
        }
    }

    fn qids(&self, col: &str) -> Result<Vec<String>> {
        let v = self.list(col);
        if let Some(bad) = v.iter().find(|q| !is_qid(q)) {
            return Err(Error::parse(
                self.file,
                self.line,
                format!("column `{col}`: {bad:?} is not a QID"),
            ));
        }
        Ok(v)
    }

    fn prior(&self) -> Result<u8> {
        match self.get("prior") {
            None => Ok(10),
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| (1..=100).contains(p))
                .ok_or_else(|| {
                    Error::parse(self.file, self.line, format!("prior {p:?} is not 1–100"))
                }),
        }
    }
}

/// True for `Q` followed by digits without a leading zero.
pub fn is_qid(s: &str) -> bool {
    s.len() >= 2
        && s.starts_with('Q')
        && s[1..].bytes().all(|b| b.is_ascii_digit())
        && !s[1..].starts_with('0')
}

/// Which table a file holds, from its name.
#[derive(Clone, Copy)]
enum Table {
    Countries,
    Places,
    Organizations,
    People,
    Positions,
    Ignored,
}

fn table_of(name: &str) -> Option<Table> {
    let stem = name.strip_suffix(".tsv")?;
    Some(if stem == "countries" {
        Table::Countries
    } else if stem.starts_with("places") {
        Table::Places
    } else if stem.starts_with("organizations") {
        Table::Organizations
    } else if stem.starts_with("people") {
        Table::People
    } else if stem.starts_with("positions") {
        Table::Positions
    } else if stem == "reference-exceptions" {
        Table::Ignored
    } else {
        return None;
    })
}

pub(super) fn parse_files<'a>(
    files: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<RawKb> {
    let mut raw = RawKb::default();
    for (name, content) in files {
        let table = table_of(name).ok_or_else(|| {
            Error::Kb(format!(
                "{name}: unknown table (expected countries, places*, organizations*, people*, positions*)"
            ))
        })?;
        if matches!(table, Table::Ignored) {
            continue;
        }
        parse_table(&mut raw, name, content, table)?;
    }
    Ok(raw)
}

fn parse_table(raw: &mut RawKb, file: &str, content: &str, table: Table) -> Result<()> {
    let mut lines = content
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'));
    let Some((_, head)) = lines.next() else {
        return Ok(());
    };
    let header: HashMap<&str, usize> = head
        .split('\t')
        .enumerate()
        .map(|(i, h)| (h.trim(), i))
        .collect();
    for col in ["qid"].iter().chain(match table {
        Table::Positions => ["label", "role"].iter(),
        _ => ["name", "prior"].iter(),
    }) {
        if !header.contains_key(col) {
            return Err(Error::parse(
                file,
                1,
                format!("header lacks column `{col}`"),
            ));
        }
    }
    for (i, line) in lines {
        let row = Row {
            file,
            line: i + 1,
            header: &header,
            cells: line.split('\t').collect(),
        };
        if row.cells.len() > header.len() {
            return Err(Error::parse(
                file,
                row.line,
                format!("{} cells for {} columns", row.cells.len(), header.len()),
            ));
        }
        let qid = row.required("qid")?;
        if !is_qid(qid) {
            return Err(Error::parse(
                file,
                row.line,
                format!("{qid:?} is not a QID"),
            ));
        }
        if let Table::Positions = table {
            raw.positions.push((
                file.to_string(),
                row.line,
                Position {
                    qid: qid.to_string(),
                    label: row.required("label")?.to_string(),
                    country: row.qid("country")?,
                    role: row.required("role")?.to_string(),
                    titles: row
                        .list("title")
                        .into_iter()
                        .map(|t| t.to_lowercase())
                        .collect(),
                },
            ));
            continue;
        }
        let mut e = RawEntity {
            file: file.to_string(),
            line: row.line,
            qid: qid.to_string(),
            label: row.required("name")?.to_string(),
            kind: row.get("kind").unwrap_or("").to_string(),
            description: row.get("description").map(String::from),
            prior: row.prior()?,
            aliases: row.list("aliases"),
            acronyms: row.list("acronyms"),
            demonyms: row.list("demonyms"),
            country: row.qid("country")?,
            ..RawEntity::default()
        };
        match table {
            Table::Countries => {
                e.etype = Some(EntityType::Country);
                e.official = row.get("official_name").map(String::from);
                e.capital = row.qid("capital")?;
                e.memberships = row.qids("memberships")?;
                e.iso = ["iso2", "iso3"]
                    .iter()
                    .filter_map(|c| row.get(c))
                    .map(String::from)
                    .collect();
            }
            Table::Places => e.etype = Some(EntityType::Loc),
            Table::Organizations => e.etype = Some(EntityType::Org),
            Table::People => {
                e.etype = Some(EntityType::Per);
                e.citizenship = row.qids("citizenship")?;
                for p in row.list("positions") {
                    e.positions.push(parse_tenure(&p).ok_or_else(|| {
                        Error::parse(
                            file,
                            row.line,
                            format!("position {p:?} is not QID@START..END"),
                        )
                    })?);
                }
            }
            Table::Positions | Table::Ignored => unreachable!("handled above"),
        }
        raw.entities.push(e);
    }
    Ok(())
}

fn parse_tenure(s: &str) -> Option<(String, Option<PartialDate>, Option<PartialDate>)> {
    let (qid, dates) = match s.split_once('@') {
        Some((q, d)) => (q.trim(), Some(d.trim())),
        None => (s.trim(), None),
    };
    if !is_qid(qid) {
        return None;
    }
    let (start, end) = match dates {
        None | Some("") => (None, None),
        Some(d) => {
            let (a, b) = d.split_once("..")?;
            let date = |x: &str| -> Option<Option<PartialDate>> {
                if x.is_empty() {
                    Some(None)
                } else {
                    PartialDate::parse(x).map(Some)
                }
            };
            (date(a.trim())?, date(b.trim())?)
        }
    };
    Some((qid.to_string(), start, end))
}

/// Resolves references and compiles the KB.
pub(super) fn assemble(raw: RawKb) -> Result<Kb> {
    let mut problems = Vec::new();
    let mut by_qid: HashMap<String, EntityId> = HashMap::new();
    for (i, e) in raw.entities.iter().enumerate() {
        if let Some(&prev) = by_qid.get(&e.qid) {
            let p = &raw.entities[prev as usize];
            problems.push(format!(
                "{}:{}: {} already defined at {}:{}",
                e.file, e.line, e.qid, p.file, p.line
            ));
        } else {
            by_qid.insert(e.qid.clone(), i as EntityId);
        }
    }
    let mut positions = Vec::new();
    let mut position_by_qid = HashMap::new();
    for (file, line, p) in raw.positions {
        if position_by_qid.contains_key(&p.qid) || by_qid.contains_key(&p.qid) {
            problems.push(format!("{file}:{line}: position {} defined twice", p.qid));
            continue;
        }
        if let Some(c) = &p.country {
            if !by_qid.contains_key(c) {
                problems.push(format!("{file}:{line}: unknown country {c}"));
            }
        }
        position_by_qid.insert(p.qid.clone(), positions.len());
        positions.push(p);
    }
    let mut entities = Vec::with_capacity(raw.entities.len());
    for e in raw.entities {
        let mut resolve = |q: &String, what: &str| -> Option<EntityId> {
            let id = by_qid.get(q).copied();
            if id.is_none() {
                problems.push(format!(
                    "{}:{}: {what} {q} is not in the KB",
                    e.file, e.line
                ));
            }
            id
        };
        let country = e.country.as_ref().and_then(|q| resolve(q, "country"));
        let capital = e.capital.as_ref().and_then(|q| resolve(q, "capital"));
        let citizenship = e
            .citizenship
            .iter()
            .filter_map(|q| resolve(q, "citizenship"))
            .collect();
        let memberships = e
            .memberships
            .iter()
            .filter_map(|q| resolve(q, "membership"))
            .collect();
        let mut tenures = Vec::new();
        for (q, start, end) in &e.positions {
            match position_by_qid.get(q) {
                Some(&position) => tenures.push(Tenure {
                    position,
                    start: *start,
                    end: *end,
                }),
                None => problems.push(format!(
                    "{}:{}: position {q} is not defined",
                    e.file, e.line
                )),
            }
        }
        let mut names = vec![(e.label.clone(), AliasKind::Label)];
        names.extend(e.official.iter().map(|n| (n.clone(), AliasKind::Official)));
        names.extend(e.aliases.iter().map(|n| (n.clone(), AliasKind::Alias)));
        names.extend(e.acronyms.iter().map(|n| (n.clone(), AliasKind::Acronym)));
        names.extend(e.demonyms.iter().map(|n| (n.clone(), AliasKind::Demonym)));
        entities.push(KbEntity {
            qid: e.qid,
            etype: e.etype.expect("set for every entity table"),
            kind: e.kind,
            label: e.label,
            description: e.description,
            prior: e.prior,
            names,
            country,
            citizenship,
            capital,
            memberships,
            iso: e.iso,
            positions: tenures,
        });
    }
    if !problems.is_empty() {
        let n = problems.len();
        problems.truncate(10);
        return Err(Error::Kb(format!(
            "{n} problem(s): {}{}",
            problems.join("; "),
            if n > 10 { "; ..." } else { "" }
        )));
    }
    Kb::from_parts(entities, positions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenure_syntax() {
        let (q, s, e) = parse_tenure("Q11696@2017-01-20..2021-01-20").unwrap();
        assert_eq!(q, "Q11696");
        assert_eq!(s.unwrap().to_iso(), "2017-01-20");
        assert_eq!(e.unwrap().to_iso(), "2021-01-20");
        let (_, s, e) = parse_tenure("Q11696@2025..").unwrap();
        assert_eq!(s.unwrap().to_iso(), "2025");
        assert!(e.is_none());
        assert!(parse_tenure("Q11696@2025-13..").is_none());
        assert!(parse_tenure("X1@2025..").is_none());
    }

    #[test]
    fn errors_name_file_and_line() {
        let files = [(
            "countries.tsv",
            "qid\tname\tprior\nQ17\tJapan\t90\nQ017\tBad\t5\n",
        )];
        let err = Kb::from_sources(files).unwrap_err().to_string();
        assert!(err.contains("countries.tsv:3"), "{err}");
        let files = [(
            "places.tsv",
            "qid\tname\tcountry\tprior\nQ1490\tTokyo\tQ17\t80\n",
        )];
        let err = Kb::from_sources(files).unwrap_err().to_string();
        assert!(err.contains("places.tsv:2") && err.contains("Q17"), "{err}");
    }

    #[test]
    fn qid_syntax() {
        assert!(is_qid("Q42"));
        assert!(!is_qid("Q"));
        assert!(!is_qid("Q042"));
        assert!(!is_qid("P31"));
    }
}

#[cfg(test)]
mod date_tests {
    use super::*;

    #[test]
    fn holders_at_a_date() {
        let kb = Kb::from_sources([
            ("countries.tsv", "qid\tname\tprior\nQ17\tJapan\t90\n"),
            ("positions.tsv", "qid\tlabel\tcountry\trole\ttitle\nQ274948\tPrime Minister of Japan\tQ17\thead_of_government\tprime minister\n"),
            (
                "people.tsv",
                "qid\tname\tcitizenship\tpositions\tprior\n\
                 Q132345\tShinzo Abe\tQ17\tQ274948@2006-09-26..2007-09-26|Q274948@2012-12-26..2020-09-16\t80\n\
                 Q130852\tJunichiro Koizumi\tQ17\tQ274948@2001-04-26..2006-09-26\t70\n",
            ),
        ])
        .unwrap();
        let at = |d: &str| -> Vec<String> {
            kb.holders_at("Q274948", PartialDate::parse(d).unwrap())
                .into_iter()
                .map(|id| kb.entity(id).label.clone())
                .collect()
        };
        assert_eq!(at("2019-02-28"), ["Shinzo Abe"]);
        assert_eq!(at("2002-09-17"), ["Junichiro Koizumi"]);
        assert_eq!(at("2006-09-26"), ["Shinzo Abe", "Junichiro Koizumi"]);
        assert!(at("2010-01-01").is_empty());
        assert_eq!(at("2007"), ["Shinzo Abe"]);
    }
}
