//! Writing a KB directory from imported [`Record`]s: `kglink kb build` and
//! `kglink kb update`.
//!
//! A KB directory holds the TSV tables of `data/kb/README.md` (`countries.tsv`,
//! `places.tsv`, `organizations.tsv`, `people.tsv`, `positions.tsv`, with the extra
//! columns `sitelinks`, `enwiki` and `headquarters` that the loader ignores), a
//! manifest `kb.json` ([`Manifest`]) and the memory-mapped alias index
//! `index.kgi` (see [`super::disk`]). It is written to a temporary directory
//! beside the target and renamed into place at the end, so a failed build or
//! update leaves nothing half-written.
//!
//! When a QID comes twice, the later record replaces the earlier one, except that
//! fields the later one leaves empty keep their earlier value (so an update from
//! Wikidata changes names and statements but keeps a hand-set prior or kind).
//! References to entities or positions that are not in the KB are dropped
//! (counted in the manifest).

use super::import::{Record, Tenure};
use super::{AliasKind, Kb, PartialDate};
use crate::error::{Error, Result};
use crate::model::EntityType;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The manifest file name inside a KB directory.
pub const MANIFEST: &str = "kb.json";

/// `kb.json`: what the KB is and how it was made.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    /// Always `kglink-kb`.
    pub format: String,
    /// Layout version of the directory (1).
    pub layout: u32,
    /// The KB's own version: 1 when built, +1 for every update.
    pub version: u64,
    /// When it was built (UTC, RFC 3339).
    pub built: String,
    /// The sources it was built from.
    pub sources: Vec<SourceNote>,
    /// Every update applied since, oldest first.
    pub updates: Vec<UpdateNote>,
    /// Entities per type (`PER`, `ORG`, `COUNTRY`, `LOC`) and `positions`.
    pub counts: std::collections::BTreeMap<String, usize>,
    /// References dropped because their target is not in the KB.
    pub dropped_references: usize,
}

/// One source of a build.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SourceNote {
    /// The path as given (or `bundled`).
    pub path: String,
    /// Entities of a kept class or offices (or table rows) read, before the
    /// type and sitelink filters.
    pub read: u64,
    /// Records kept.
    pub kept: u64,
}

/// One applied update.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct UpdateNote {
    /// When (UTC, RFC 3339).
    pub time: String,
    /// The file applied.
    pub source: String,
    /// New entities.
    pub added: usize,
    /// Entities whose record changed.
    pub changed: usize,
    /// Entities present with the same record.
    pub unchanged: usize,
}

/// What adding a record did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    /// A new QID.
    New,
    /// The QID was there with another record.
    Changed,
    /// The QID was there with the same record.
    Unchanged,
}

/// Records by QID, in insertion order.
#[derive(Debug, Default)]
pub struct Builder {
    records: Vec<Record>,
    by_qid: HashMap<String, usize>,
}

impl Builder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of records (entities and positions).
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The records.
    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// Adds a record; a QID already present is merged (see the module docs).
    pub fn add(&mut self, r: Record) -> Added {
        match self.by_qid.get(&r.qid) {
            None => {
                self.by_qid.insert(r.qid.clone(), self.records.len());
                self.records.push(r);
                Added::New
            }
            Some(&i) => {
                let old = &self.records[i];
                let merged = merge(old, r);
                if merged == *old {
                    Added::Unchanged
                } else {
                    self.records[i] = merged;
                    Added::Changed
                }
            }
        }
    }

    /// Adds every entity and position of a loaded KB.
    pub fn add_kb(&mut self, kb: &Kb) {
        for r in records_of(kb) {
            self.add(r);
        }
    }

    /// Writes the KB directory `out` (replacing it atomically) and returns its
    /// manifest. `manifest` gives the version, sources and updates; counts are
    /// filled in here.
    pub fn write(&self, out: &Path, mut manifest: Manifest) -> Result<Manifest> {
        // only an empty directory or a KB directory is ever replaced
        if out.exists() {
            let empty = std::fs::read_dir(out)
                .map(|mut d| d.next().is_none())
                .unwrap_or(false);
            if !out.join(MANIFEST).is_file() && !empty {
                return Err(Error::Kb(format!(
                    "{}: exists and is not a KB directory (no {MANIFEST}); refusing to replace it",
                    out.display()
                )));
            }
        }
        let tables = self.tables(&mut manifest);
        let parent = out
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        let name = out
            .file_name()
            .ok_or_else(|| Error::Kb(format!("{}: not a directory name", out.display())))?
            .to_string_lossy();
        let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        let result = (|| {
            std::fs::create_dir(&tmp).map_err(|e| Error::io(&tmp, e))?;
            for (file, content) in &tables {
                let p = tmp.join(file);
                std::fs::write(&p, content).map_err(|e| Error::io(&p, e))?;
            }
            // the tables as the loader reads them, compiled: checks them too
            let kb = Kb::load_dir(&tmp)?;
            kb.compiled().save(&tmp.join(super::disk::INDEX_FILE))?;
            let p = tmp.join(MANIFEST);
            let json = serde_json::to_string_pretty(&manifest).expect("manifest serializes");
            std::fs::write(&p, json + "\n").map_err(|e| Error::io(&p, e))?;
            replace_dir(&tmp, out)
        })();
        if result.is_err() {
            let _ = std::fs::remove_dir_all(&tmp);
        }
        result.map(|()| manifest)
    }

    /// The TSV tables, with references to absent entities dropped.
    fn tables(&self, manifest: &mut Manifest) -> Vec<(&'static str, String)> {
        let entities: HashSet<&str> = self
            .records
            .iter()
            .filter(|r| r.etype.is_some())
            .map(|r| r.qid.as_str())
            .collect();
        let positions: HashSet<&str> = self
            .records
            .iter()
            .filter(|r| r.etype.is_none())
            .map(|r| r.qid.as_str())
            .collect();
        let dropped = std::cell::Cell::new(0usize);
        let keep = |q: &Option<String>| -> String {
            match q {
                Some(q) if entities.contains(q.as_str()) => q.clone(),
                Some(_) => {
                    dropped.set(dropped.get() + 1);
                    String::new()
                }
                None => String::new(),
            }
        };
        let mut sorted: Vec<&Record> = self.records.iter().collect();
        sorted.sort_by_key(|r| r.qid[1..].parse::<u64>().unwrap_or(u64::MAX));
        let mut countries = String::from("qid\tname\tofficial_name\tiso2\tiso3\tcapital\tkind\taliases\tacronyms\tdemonyms\tmemberships\tdescription\tprior\tsitelinks\tenwiki\n");
        let mut places = String::from("qid\tname\tcountry\tkind\taliases\tacronyms\tdemonyms\tdescription\tprior\tsitelinks\tenwiki\n");
        let mut orgs = String::from("qid\tname\tkind\tcountry\taliases\tacronyms\tdescription\tprior\theadquarters\tsitelinks\tenwiki\n");
        let mut people = String::from("qid\tname\taliases\tacronyms\tcitizenship\tpositions\tdescription\tprior\tsitelinks\tenwiki\n");
        let mut offices = String::from("qid\tlabel\tcountry\trole\ttitle\n");
        let mut counts = std::collections::BTreeMap::new();
        for r in sorted {
            let list = |v: &[String]| v.join("|");
            let opt = |v: &Option<String>| v.clone().unwrap_or_default();
            let refs = |v: &[String]| {
                let kept: Vec<&str> = v
                    .iter()
                    .filter(|q| entities.contains(q.as_str()))
                    .map(String::as_str)
                    .collect();
                dropped.set(dropped.get() + v.len() - kept.len());
                kept.join("|")
            };
            let sitelinks = r.sitelinks.map(|n| n.to_string()).unwrap_or_default();
            let prior = r.effective_prior();
            let desc = opt(&r.description);
            let enwiki = opt(&r.enwiki);
            let Some(etype) = r.etype else {
                if entities.contains(r.qid.as_str()) {
                    dropped.set(dropped.get() + 1);
                    continue;
                }
                let country = keep(&r.country);
                let role = if r.kind.is_empty() { "other" } else { &r.kind };
                let titles = if r.titles.is_empty() {
                    derive_title(&r.name)
                } else {
                    r.titles.clone()
                };
                let _ = writeln!(
                    offices,
                    "{}\t{}\t{country}\t{role}\t{}",
                    r.qid,
                    r.name,
                    titles.join("|")
                );
                *counts.entry("positions".to_string()).or_insert(0) += 1;
                continue;
            };
            *counts.entry(etype.as_str().to_string()).or_insert(0) += 1;
            match etype {
                EntityType::Country => {
                    let capital = keep(&r.capital);
                    let kind = if r.kind.is_empty() { "state" } else { &r.kind };
                    let _ = writeln!(
                        countries,
                        "{}\t{}\t{}\t{}\t{}\t{capital}\t{kind}\t{}\t{}\t{}\t{}\t{desc}\t{prior}\t{sitelinks}\t{enwiki}",
                        r.qid,
                        r.name,
                        opt(&r.official_name),
                        opt(&r.iso2),
                        opt(&r.iso3),
                        list(&r.aliases),
                        list(&r.acronyms),
                        list(&r.demonyms),
                        refs(&r.memberships),
                    );
                }
                EntityType::Loc => {
                    let country = keep(&r.country);
                    let kind = if r.kind.is_empty() { "other" } else { &r.kind };
                    let _ = writeln!(
                        places,
                        "{}\t{}\t{country}\t{kind}\t{}\t{}\t{}\t{desc}\t{prior}\t{sitelinks}\t{enwiki}",
                        r.qid,
                        r.name,
                        list(&r.aliases),
                        list(&r.acronyms),
                        list(&r.demonyms),
                    );
                }
                EntityType::Org => {
                    let country = keep(&r.country);
                    let hq = keep(&r.headquarters);
                    let kind = if r.kind.is_empty() { "other" } else { &r.kind };
                    let _ = writeln!(
                        orgs,
                        "{}\t{}\t{kind}\t{country}\t{}\t{}\t{desc}\t{prior}\t{hq}\t{sitelinks}\t{enwiki}",
                        r.qid,
                        r.name,
                        list(&r.aliases),
                        list(&r.acronyms),
                    );
                }
                EntityType::Per => {
                    let mut tenures = Vec::new();
                    for t in &r.positions {
                        if !positions.contains(t.position.as_str()) {
                            dropped.set(dropped.get() + 1);
                            continue;
                        }
                        tenures.push(tenure_cell(t));
                    }
                    let _ = writeln!(
                        people,
                        "{}\t{}\t{}\t{}\t{}\t{}\t{desc}\t{prior}\t{sitelinks}\t{enwiki}",
                        r.qid,
                        r.name,
                        list(&r.aliases),
                        list(&r.acronyms),
                        refs(&r.citizenship),
                        tenures.join("|"),
                    );
                }
            }
        }
        manifest.counts = counts;
        manifest.dropped_references = dropped.get();
        vec![
            ("countries.tsv", countries),
            ("places.tsv", places),
            ("organizations.tsv", orgs),
            ("people.tsv", people),
            ("positions.tsv", offices),
        ]
    }
}

/// `Q1@START..END` with dates the loader accepts (others left empty).
fn tenure_cell(t: &Tenure) -> String {
    let d = |x: &Option<String>| {
        x.as_deref()
            .and_then(PartialDate::parse)
            .map(|d| d.to_iso())
            .unwrap_or_default()
    };
    if t.start.is_none() && t.end.is_none() {
        t.position.clone()
    } else {
        format!("{}@{}..{}", t.position, d(&t.start), d(&t.end))
    }
}

/// "President of the United States" → `president`; no title without " of ".
fn derive_title(label: &str) -> Vec<String> {
    label
        .split_once(" of ")
        .map(|(t, _)| t.trim().to_lowercase())
        .filter(|t| !t.is_empty() && t.split_whitespace().count() <= 3)
        .into_iter()
        .collect()
}

/// `new` over `old`: fields `new` leaves empty keep `old`'s value.
fn merge(old: &Record, new: Record) -> Record {
    fn pick<T>(new: Option<T>, old: &Option<T>) -> Option<T>
    where
        T: Clone,
    {
        new.or_else(|| old.clone())
    }
    fn list(new: Vec<String>, old: &[String]) -> Vec<String> {
        if new.is_empty() {
            old.to_vec()
        } else {
            new
        }
    }
    let generic = |k: &str| k.is_empty() || k == "other" || k == "person";
    Record {
        kind: if generic(&new.kind) && !generic(&old.kind) {
            old.kind.clone()
        } else {
            new.kind
        },
        etype: new.etype.or(old.etype),
        name: if new.name.is_empty() {
            old.name.clone()
        } else {
            new.name
        },
        official_name: pick(new.official_name, &old.official_name),
        aliases: list(new.aliases, &old.aliases),
        acronyms: list(new.acronyms, &old.acronyms),
        demonyms: list(new.demonyms, &old.demonyms),
        description: pick(new.description, &old.description),
        prior: pick(new.prior, &old.prior),
        sitelinks: pick(new.sitelinks, &old.sitelinks),
        enwiki: pick(new.enwiki, &old.enwiki),
        country: pick(new.country, &old.country),
        citizenship: list(new.citizenship, &old.citizenship),
        capital: pick(new.capital, &old.capital),
        headquarters: pick(new.headquarters, &old.headquarters),
        memberships: list(new.memberships, &old.memberships),
        iso2: pick(new.iso2, &old.iso2),
        iso3: pick(new.iso3, &old.iso3),
        positions: if new.positions.is_empty() {
            old.positions.clone()
        } else {
            new.positions
        },
        titles: list(new.titles, &old.titles),
        qid: new.qid,
    }
}

/// Every entity and position of a loaded KB as records.
pub fn records_of(kb: &Kb) -> Vec<Record> {
    let mut out = Vec::with_capacity(kb.len() + kb.positions().len());
    for p in kb.positions() {
        out.push(Record {
            qid: p.qid.clone(),
            etype: None,
            kind: p.role.clone(),
            name: p.label.clone(),
            country: p.country.clone(),
            titles: p.titles.clone(),
            ..Record::default()
        });
    }
    let qid = |id: u32| kb.entity(id).qid.clone();
    for (_, e) in kb.iter() {
        let names = |k: AliasKind| -> Vec<String> {
            e.names
                .iter()
                .skip(1)
                .filter(|(_, kind)| *kind == k)
                .map(|(n, _)| n.clone())
                .collect()
        };
        let iso = |len: usize| e.iso.iter().find(|c| c.len() == len).cloned();
        out.push(Record {
            qid: e.qid.clone(),
            etype: Some(e.etype),
            kind: e.kind.clone(),
            name: e.label.clone(),
            official_name: names(AliasKind::Official).into_iter().next(),
            aliases: names(AliasKind::Alias),
            acronyms: names(AliasKind::Acronym),
            demonyms: names(AliasKind::Demonym),
            description: e.description.clone(),
            prior: Some(e.prior),
            country: e.country.map(qid),
            citizenship: e.citizenship.iter().map(|&c| qid(c)).collect(),
            capital: e.capital.map(qid),
            memberships: e.memberships.iter().map(|&c| qid(c)).collect(),
            iso2: iso(2),
            iso3: iso(3),
            positions: e
                .positions
                .iter()
                .map(|t| Tenure {
                    position: kb.positions()[t.position].qid.clone(),
                    start: t.start.map(|d| d.to_iso()),
                    end: t.end.map(|d| d.to_iso()),
                })
                .collect(),
            ..Record::default()
        });
    }
    out
}

/// `sitelinks`, `enwiki`, `headquarters` of a TSV row.
type Extra = (Option<u32>, Option<String>, Option<String>);

/// Reads the records of a KB directory: its TSV tables, plus the extra columns
/// (`sitelinks`, `enwiki`, `headquarters`) the loader does not keep.
pub fn read_dir_records(dir: &Path) -> Result<Vec<Record>> {
    let kb = Kb::load_dir(dir)?;
    let mut records = records_of(&kb);
    let mut extra: HashMap<String, Extra> = HashMap::new();
    for file in [
        "countries.tsv",
        "places.tsv",
        "organizations.tsv",
        "people.tsv",
    ] {
        let path = dir.join(file);
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let mut lines = text.lines();
        let Some(head) = lines.next() else { continue };
        let cols: Vec<&str> = head.split('\t').collect();
        let at = |c: &str| cols.iter().position(|x| *x == c);
        let (q, s, w, h) = (at("qid"), at("sitelinks"), at("enwiki"), at("headquarters"));
        for line in lines {
            let cells: Vec<&str> = line.split('\t').collect();
            let cell = |i: Option<usize>| {
                i.and_then(|i| cells.get(i))
                    .map(|s| s.trim())
                    .filter(|s| !s.is_empty())
            };
            if let Some(qid) = cell(q) {
                extra.insert(
                    qid.to_string(),
                    (
                        cell(s).and_then(|n| n.parse().ok()),
                        cell(w).map(String::from),
                        cell(h).map(String::from),
                    ),
                );
            }
        }
    }
    for r in &mut records {
        if let Some((s, w, h)) = extra.remove(&r.qid) {
            r.sitelinks = s;
            r.enwiki = w;
            r.headquarters = h;
        }
    }
    Ok(records)
}

/// Reads `kb.json` of a KB directory.
pub fn read_manifest(dir: &Path) -> Result<Manifest> {
    let p = dir.join(MANIFEST);
    let text = std::fs::read_to_string(&p).map_err(|e| Error::io(&p, e))?;
    serde_json::from_str(&text).map_err(|e| Error::parse(&p, e.line(), e.to_string()))
}

impl Manifest {
    /// A manifest for a fresh build.
    pub fn new(sources: Vec<SourceNote>) -> Self {
        Manifest {
            format: "kglink-kb".into(),
            layout: 1,
            version: 1,
            built: now_rfc3339(),
            sources,
            updates: Vec::new(),
            counts: Default::default(),
            dropped_references: 0,
        }
    }
}

/// Replaces directory `out` by `tmp`: the old one is moved aside, the new one
/// renamed into place, then the old one removed.
fn replace_dir(tmp: &Path, out: &Path) -> Result<()> {
    let old: Option<PathBuf> = if out.exists() {
        let o = out.with_file_name(format!(
            ".{}.old-{}",
            out.file_name().unwrap_or_default().to_string_lossy(),
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&o);
        std::fs::rename(out, &o).map_err(|e| Error::io(out, e))?;
        Some(o)
    } else {
        None
    };
    if let Err(e) = std::fs::rename(tmp, out) {
        if let Some(o) = &old {
            let _ = std::fs::rename(o, out);
        }
        return Err(Error::io(out, e));
    }
    if let Some(o) = old {
        let _ = std::fs::remove_dir_all(o);
    }
    Ok(())
}

/// The current UTC time as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // civil date from days since 1970-01-01 (H. Hinnant's algorithm)
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_keeps_what_the_new_record_lacks() {
        let old = Record {
            qid: "Q1".into(),
            etype: Some(EntityType::Org),
            kind: "party".into(),
            name: "Old".into(),
            prior: Some(70),
            acronyms: vec!["OP".into()],
            ..Record::default()
        };
        let new = Record {
            qid: "Q1".into(),
            etype: Some(EntityType::Org),
            kind: "other".into(),
            name: "New".into(),
            aliases: vec!["Newer".into()],
            sitelinks: Some(3),
            ..Record::default()
        };
        let m = merge(&old, new);
        assert_eq!((m.name.as_str(), m.kind.as_str()), ("New", "party"));
        assert_eq!(m.prior, Some(70));
        assert_eq!(m.acronyms, ["OP"]);
        assert_eq!(m.aliases, ["Newer"]);
    }

    #[test]
    fn titles_from_labels() {
        assert_eq!(
            derive_title("President of the United States"),
            ["president"]
        );
        assert!(derive_title("Chancellor").is_empty());
    }

    #[test]
    fn rfc3339_shape() {
        let t = now_rfc3339();
        assert_eq!(t.len(), 20, "{t}");
        assert!(t.starts_with("20") && t.ends_with('Z'));
    }
}
