//! The knowledge base: entities with typed aliases, priors, relations and
//! time-scoped positions, and the alias index the recognizer and linker use.
//!
//! The bundled KB is compiled from `data/kb/*.tsv` (see `data/kb/README.md` for the
//! format) into memory on first use; [`Kb::load_dir`] reads another directory of
//! files in the same format.

pub mod build;
pub mod bundle;
pub mod disk;
pub mod generic;
pub mod import;
mod index;
mod load;
pub mod online;
pub mod variants;

pub use index::{AliasHit, AliasIndex, Found};
pub use load::is_qid;

use crate::error::{Error, Result};
use crate::model::EntityType;
use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

pub use crate::embedded::BUNDLED_KB;

/// The dense index of an entity inside one [`Kb`].
pub type EntityId = u32;

/// How a name belongs to an entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AliasKind {
    /// The preferred label.
    Label,
    /// The official name of a country.
    Official,
    /// Another full name.
    Alias,
    /// An acronym or abbreviation, matched case-sensitively.
    Acronym,
    /// A demonym or adjectival of a country ("Japanese").
    Demonym,
    /// A person's family name alone, derived from the label ("Trump").
    Surname,
}

impl AliasKind {
    /// The name used in `kb lookup` output.
    pub fn as_str(self) -> &'static str {
        match self {
            AliasKind::Label => "label",
            AliasKind::Official => "official",
            AliasKind::Alias => "alias",
            AliasKind::Acronym => "acronym",
            AliasKind::Demonym => "demonym",
            AliasKind::Surname => "surname",
        }
    }
}

/// A date with optional month and day, as the KB states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PartialDate {
    /// Year.
    pub year: i32,
    /// Month 1–12, 0 when unknown.
    pub month: u8,
    /// Day 1–31, 0 when unknown.
    pub day: u8,
}

impl PartialDate {
    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (a longer timestamp is cut to its date).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.get(..10.min(s.len()))?;
        let mut parts = s.split('-');
        let year: i32 = parts.next()?.parse().ok()?;
        let month: u8 = match parts.next() {
            Some(m) => m.parse().ok().filter(|m| (1..=12).contains(m))?,
            None => 0,
        };
        let day: u8 = match parts.next() {
            Some(d) => d.parse().ok().filter(|d| (1..=31).contains(d))?,
            None => 0,
        };
        if parts.next().is_some() || !(1000..=2999).contains(&year) {
            return None;
        }
        Some(PartialDate { year, month, day })
    }

    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub fn to_iso(self) -> String {
        match (self.month, self.day) {
            (0, _) => format!("{:04}", self.year),
            (m, 0) => format!("{:04}-{:02}", self.year, m),
            (m, d) => format!("{:04}-{:02}-{:02}", self.year, m, d),
        }
    }

    /// The XSD datatype that fits the precision: `gYear`, `gYearMonth` or `date`.
    pub fn xsd_type(self) -> &'static str {
        match (self.month, self.day) {
            (0, _) => "gYear",
            (_, 0) => "gYearMonth",
            _ => "date",
        }
    }
}

/// An office, such as "Prime Minister of Japan".
#[derive(Debug, Clone, PartialEq)]
pub struct Position {
    /// Wikidata item of the position.
    pub qid: String,
    /// English label.
    pub label: String,
    /// QID of the country or organization it belongs to.
    pub country: Option<String>,
    /// `head_of_state`, `head_of_government`, `foreign_minister`, ...
    pub role: String,
    /// Title words used before a name ("prime minister").
    pub titles: Vec<String>,
}

/// A position held for a time.
#[derive(Debug, Clone, PartialEq)]
pub struct Tenure {
    /// Index into [`Kb::positions`].
    pub position: usize,
    /// Start, if known.
    pub start: Option<PartialDate>,
    /// End; `None` = still held (or unknown).
    pub end: Option<PartialDate>,
}

/// One entity of the knowledge base.
#[derive(Debug, Clone, PartialEq)]
pub struct KbEntity {
    /// Wikidata QID.
    pub qid: String,
    /// Type.
    pub etype: EntityType,
    /// Finer kind from the source file (`state`, `capital`, `party`, ...).
    pub kind: String,
    /// Preferred English label.
    pub label: String,
    /// Short description.
    pub description: Option<String>,
    /// Prominence prior, 1–100.
    pub prior: u8,
    /// Every name with its kind, the label first.
    pub names: Vec<(String, AliasKind)>,
    /// Country it belongs to (places, organizations), P17.
    pub country: Option<EntityId>,
    /// Citizenships (people), P27.
    pub citizenship: Vec<EntityId>,
    /// Capital (countries), P36.
    pub capital: Option<EntityId>,
    /// Memberships (countries), P463.
    pub memberships: Vec<EntityId>,
    /// ISO 3166-1 alpha-2 and alpha-3 codes (countries).
    pub iso: Vec<String>,
    /// Positions held (people), P39.
    pub positions: Vec<Tenure>,
}

impl KbEntity {
    /// The countries this entity is tied to: itself for a country, its country,
    /// its citizenships.
    pub fn countries(&self, me: EntityId) -> impl Iterator<Item = EntityId> + '_ {
        let own = (self.etype == EntityType::Country).then_some(me);
        own.into_iter()
            .chain(self.country)
            .chain(self.citizenship.iter().copied())
    }
}

impl KbEntity {
    /// Whether the entity held the position (an index into [`Kb::positions`]) on
    /// `date`: a start on or before it and no end before it. Dates known only to
    /// the year or month count the whole year or month.
    pub fn holds_at(&self, position: usize, date: PartialDate) -> bool {
        self.positions.iter().any(|t| {
            t.position == position
                && t.start.is_none_or(|s| s.covers_or_before(date))
                && t.end.is_none_or(|e| date.covers_or_before(e))
        })
    }
}

impl PartialDate {
    /// `self <= other`, where a year or month without its day counts as its
    /// whole span (so 2019 ≤ 2019-05-01 and 2019-05-01 ≤ 2019).
    pub fn covers_or_before(self, other: PartialDate) -> bool {
        if self.year != other.year {
            return self.year < other.year;
        }
        if self.month == 0 || other.month == 0 || self.month != other.month {
            return self.month == 0 || other.month == 0 || self.month < other.month;
        }
        self.day == 0 || other.day == 0 || self.day <= other.day
    }
}

/// A loaded knowledge base.
#[derive(Debug)]
pub struct Kb {
    entities: Vec<KbEntity>,
    by_qid: HashMap<String, EntityId>,
    positions: Vec<Position>,
    position_by_qid: HashMap<String, usize>,
    index: AliasIndex,
    generic: OnceLock<generic::GenericNames>,
}

impl Kb {
    /// The knowledge base bundled with the binary (`data/kb/`), built on first use.
    pub fn bundled() -> Result<&'static Kb> {
        static KB: OnceLock<std::result::Result<Kb, String>> = OnceLock::new();
        KB.get_or_init(|| Kb::from_sources(BUNDLED_KB.iter().copied()).map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|e| Error::Kb(format!("bundled: {e}")))
    }

    /// Reads every `*.tsv` of `dir` (format of `data/kb/README.md`).
    pub fn load_dir(dir: &Path) -> Result<Kb> {
        let mut files = Vec::new();
        let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(dir, e))?;
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "tsv") {
                let content = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
                let name = entry.file_name().to_string_lossy().into_owned();
                files.push((name, content));
            }
        }
        if files.is_empty() {
            return Err(Error::Kb(format!("{}: no .tsv files", dir.display())));
        }
        files.sort();
        Kb::from_sources(files.iter().map(|(n, c)| (n.as_str(), c.as_str())))
    }

    /// Builds a KB from `(file name, content)` pairs.
    pub fn from_sources<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Kb> {
        let raw = load::parse_files(files)?;
        load::assemble(raw)
    }

    /// All entities.
    pub fn entities(&self) -> &[KbEntity] {
        &self.entities
    }

    /// One entity.
    pub fn entity(&self, id: EntityId) -> &KbEntity {
        &self.entities[id as usize]
    }

    /// The entity with this QID.
    pub fn by_qid(&self, qid: &str) -> Option<EntityId> {
        self.by_qid.get(qid).copied()
    }

    /// All positions.
    pub fn positions(&self) -> &[Position] {
        &self.positions
    }

    /// The position with this QID.
    pub fn position_by_qid(&self, qid: &str) -> Option<&Position> {
        self.position_by_qid.get(qid).map(|&i| &self.positions[i])
    }

    /// The alias index.
    pub fn index(&self) -> &AliasIndex {
        &self.index
    }

    /// The country-relative names of institutions ("Treasury"), derived on
    /// first use (see [`generic`]).
    pub fn generic_names(&self) -> &generic::GenericNames {
        self.generic.get_or_init(|| generic::derive(self))
    }

    /// Candidates for a name, best prior first (`kb lookup`).
    pub fn lookup(&self, name: &str) -> Vec<(EntityId, AliasKind, f32)> {
        let mut out: Vec<(EntityId, AliasKind, f32)> = self
            .index
            .hits(&crate::text::name_key(name))
            .iter()
            .map(|h| {
                let e = self.entity(h.entity);
                (h.entity, h.kind, f32::from(e.prior) / 100.0)
            })
            .collect();
        out.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.1.cmp(&b.1)));
        out.dedup_by_key(|x| x.0);
        out
    }

    /// Counts by type, for `kb stats` and the README.
    pub fn counts(&self) -> HashMap<EntityType, usize> {
        let mut m = HashMap::new();
        for e in &self.entities {
            *m.entry(e.etype).or_insert(0) += 1;
        }
        m
    }

    /// The people who held the position `position_qid` on `date`, per the KB.
    pub fn holders_at(&self, position_qid: &str, date: PartialDate) -> Vec<EntityId> {
        let Some(&p) = self.position_by_qid.get(position_qid) else {
            return Vec::new();
        };
        (0..self.entities.len() as EntityId)
            .filter(|&id| self.entity(id).holds_at(p, date))
            .collect()
    }

    /// Words that start a person's name in the KB ("Donald", "Shinzo"): a cue
    /// that an unknown capitalized pair is a person.
    pub fn is_given_name(&self, word: &str) -> bool {
        self.index.is_given_name(word)
    }
}
