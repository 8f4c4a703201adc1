//! The knowledge base: entities with typed aliases, priors, relations and
//! time-scoped positions, and the alias index the recognizer and linker use.
//!
//! A KB is always read through its compiled form ([`disk`]): an FST of names
//! and the entities' records, with the tables linking derives from them. The
//! bundled KB is compiled from `data/kb/*.tsv` (see `data/kb/README.md` for the
//! format) into memory on first use, and keeps its entities decoded;
//! [`Kb::load_dir`] reads another directory of files in the same format, and
//! a KB directory built by `kglink kb build` is opened through the memory map
//! of its `index.kgi` ([`Kb::open_index`]), whose entities are decoded when
//! linking asks for them, so a KB of millions of entities opens at once and
//! costs memory in proportion to the text, not to the KB.

pub mod build;
pub mod bundle;
pub mod disk;
pub mod generic;
pub mod import;
mod index;
mod load;
pub mod names;
pub mod online;
pub mod variants;

pub use disk::{AliasHit, CaseShape};
pub use index::{AliasIndex, Found, MAX_CANDIDATES};
pub use load::is_qid;

use crate::error::{Error, Result};
use crate::model::EntityType;
use disk::DiskIndex;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

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
pub struct Kb {
    disk: Arc<DiskIndex>,
    index: AliasIndex,
    /// Every entity, decoded (a KB compiled in memory); `None` for an opened
    /// index file, whose entities are decoded on demand into `cache`.
    entities: Option<Vec<Arc<KbEntity>>>,
    cache: EntityCache,
    position_by_qid: HashMap<String, usize>,
}

impl std::fmt::Debug for Kb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kb")
            .field("entities", &self.disk.len())
            .field("keys", &self.disk.keys())
            .field("in_memory", &self.entities.is_some())
            .finish()
    }
}

/// Entities decoded from an index file, kept while they are used: a few
/// thousand per shard, a shard emptied when full.
struct EntityCache {
    shards: Vec<Mutex<HashMap<EntityId, Arc<KbEntity>, BuildIdHasher>>>,
}

/// Entity ids are dense integers chosen by the KB, not by the text: they need
/// no hash that resists flooding, only one that spreads them (a multiply).
#[derive(Default, Clone, Copy)]
struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = u64::from(n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type BuildIdHasher = std::hash::BuildHasherDefault<IdHasher>;

const CACHE_SHARDS: usize = 16;
const CACHE_PER_SHARD: usize = 4096;

impl EntityCache {
    fn new() -> Self {
        EntityCache {
            shards: (0..CACHE_SHARDS).map(|_| Mutex::default()).collect(),
        }
    }
}

impl Kb {
    /// The knowledge base bundled with the binary (`data/kb/`), built on first use.
    pub fn bundled() -> Result<&'static Kb> {
        static KB: OnceLock<std::result::Result<Kb, String>> = OnceLock::new();
        KB.get_or_init(|| Kb::from_sources(BUNDLED_KB.iter().copied()).map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|e| Error::Kb(format!("bundled: {e}")))
    }

    /// Reads a KB directory: its `index.kgi` when it is there and newer than
    /// every `*.tsv` (a directory built by `kglink kb build`), else every
    /// `*.tsv` (format of `data/kb/README.md`), compiled in memory.
    pub fn load_dir(dir: &Path) -> Result<Kb> {
        let mut files = Vec::new();
        let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
        let index = dir.join(disk::INDEX_FILE);
        let index_time = std::fs::metadata(&index).and_then(|m| m.modified()).ok();
        let mut tables_newer = false;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(dir, e))?;
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "tsv") {
                let modified = entry.metadata().and_then(|m| m.modified()).ok();
                if let (Some(i), Some(m)) = (index_time, modified) {
                    tables_newer |= m > i;
                }
                files.push(path);
            }
        }
        if index_time.is_some() && !tables_newer {
            return Kb::open_index(&index);
        }
        if files.is_empty() {
            return Err(Error::Kb(format!(
                "{}: no .tsv files and no {}",
                dir.display(),
                disk::INDEX_FILE
            )));
        }
        files.sort();
        let mut contents = Vec::with_capacity(files.len());
        for path in &files {
            let content = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            contents.push((name, content));
        }
        Kb::from_sources(contents.iter().map(|(n, c)| (n.as_str(), c.as_str())))
    }

    /// Opens a compiled KB file (`index.kgi`) through a memory map: entities
    /// are decoded when asked for.
    pub fn open_index(path: &Path) -> Result<Kb> {
        Ok(Kb::over(Arc::new(DiskIndex::open(path)?), None))
    }

    /// Builds a KB from `(file name, content)` pairs.
    pub fn from_sources<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Kb> {
        let raw = load::parse_files(files)?;
        load::assemble(raw)
    }

    /// Compiles resolved entities and positions in memory.
    pub(crate) fn from_parts(entities: Vec<KbEntity>, positions: Vec<Position>) -> Result<Kb> {
        let (bytes, _) = disk::index_bytes(&entities, &positions)?;
        let disk = Arc::new(DiskIndex::from_bytes(bytes)?);
        Ok(Kb::over(
            disk,
            Some(entities.into_iter().map(Arc::new).collect()),
        ))
    }

    fn over(disk: Arc<DiskIndex>, entities: Option<Vec<Arc<KbEntity>>>) -> Kb {
        let position_by_qid = disk
            .positions()
            .iter()
            .enumerate()
            .map(|(i, p)| (p.qid.clone(), i))
            .collect();
        Kb {
            index: AliasIndex::new(disk.clone()),
            disk,
            entities,
            cache: EntityCache::new(),
            position_by_qid,
        }
    }

    /// The compiled form (to write it to a file, or for `kb stats`).
    pub fn compiled(&self) -> &DiskIndex {
        &self.disk
    }

    /// Number of entities.
    pub fn len(&self) -> usize {
        self.disk.len() as usize
    }

    /// True when the KB holds no entity.
    pub fn is_empty(&self) -> bool {
        self.disk.is_empty()
    }

    /// One entity. A record an index file cannot decode (a damaged file)
    /// reads as an entity of prior 0 named "(damaged record)".
    pub fn entity(&self, id: EntityId) -> Arc<KbEntity> {
        if let Some(v) = &self.entities {
            if let Some(e) = v.get(id as usize) {
                return e.clone();
            }
        }
        let shard = &self.cache.shards[id as usize % CACHE_SHARDS];
        if let Some(e) = shard.lock().ok().and_then(|m| m.get(&id).cloned()) {
            return e;
        }
        let e = Arc::new(self.disk.entity(id).unwrap_or_else(|_| damaged(id)));
        if let Ok(mut m) = shard.lock() {
            if m.len() >= CACHE_PER_SHARD {
                m.clear();
            }
            m.insert(id, e.clone());
        }
        e
    }

    /// The type of an entity, read without decoding its record.
    pub fn etype(&self, id: EntityId) -> EntityType {
        match &self.entities {
            Some(v) => v.get(id as usize).map_or(EntityType::Org, |e| e.etype),
            None => self.disk.brief(id).map_or(EntityType::Org, |b| b.0),
        }
    }

    /// The prior of an entity, read without decoding its record.
    pub fn prior(&self, id: EntityId) -> u8 {
        match &self.entities {
            Some(v) => v.get(id as usize).map_or(0, |e| e.prior),
            None => self.disk.brief(id).map_or(0, |b| b.1),
        }
    }

    /// Every entity with its id, in id order.
    pub fn iter(&self) -> impl Iterator<Item = (EntityId, Arc<KbEntity>)> + '_ {
        (0..self.len() as EntityId).map(|id| (id, self.entity(id)))
    }

    /// The entity with this QID.
    pub fn by_qid(&self, qid: &str) -> Option<EntityId> {
        let n: u32 = qid.strip_prefix('Q')?.parse().ok()?;
        self.disk.by_qid(n)
    }

    /// All positions.
    pub fn positions(&self) -> &[Position] {
        self.disk.positions()
    }

    /// The position with this QID.
    pub fn position_by_qid(&self, qid: &str) -> Option<&Position> {
        self.position_by_qid
            .get(qid)
            .map(|&i| &self.disk.positions()[i])
    }

    /// The alias index.
    pub fn index(&self) -> &AliasIndex {
        &self.index
    }

    /// The institutions a country-relative name ("Treasury") may stand for
    /// (see [`generic`]).
    pub fn generic_candidates(&self, key: &str) -> Vec<EntityId> {
        self.disk.generic(key)
    }

    /// The sports teams a short name (a key of [`crate::text::name_key`], with
    /// [`crate::link::clubs::ALIAS_TIER`] for names from aliases) may stand for
    /// ("newcastle", "australia"; see [`crate::link::clubs`]).
    pub fn teams_by_name(&self, key: &str) -> Vec<EntityId> {
        self.disk.teams(key)
    }

    /// Candidates for a name, best prior first (`kb lookup`).
    pub fn lookup(&self, name: &str) -> Vec<(EntityId, AliasKind, f32)> {
        let mut out: Vec<(EntityId, AliasKind, f32)> = self
            .index
            .hits(&crate::text::name_key(name))
            .into_iter()
            .map(|h| (h.entity, h.kind, f32::from(h.prior) / 100.0))
            .collect();
        out.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.1.cmp(&b.1)));
        out.dedup_by_key(|x| x.0);
        out
    }

    /// Counts by type, for `kb stats` and the README.
    pub fn counts(&self) -> HashMap<EntityType, usize> {
        self.disk
            .counts()
            .into_iter()
            .map(|(t, n)| (t, n as usize))
            .collect()
    }

    /// The people who held the position `position_qid` on `date`, per the KB.
    pub fn holders_at(&self, position_qid: &str, date: PartialDate) -> Vec<EntityId> {
        let Some(&p) = self.position_by_qid.get(position_qid) else {
            return Vec::new();
        };
        self.disk
            .holders(p)
            .into_iter()
            .filter(|&id| self.entity(id).holds_at(p, date))
            .collect()
    }

    /// Words that start a person's name in the KB ("Donald", "Shinzo"): a cue
    /// that an unknown capitalized pair is a person.
    pub fn is_given_name(&self, word: &str) -> bool {
        self.index.is_given_name(word)
    }
}

/// What [`Kb::entity`] answers for a record it cannot decode.
fn damaged(id: EntityId) -> KbEntity {
    KbEntity {
        qid: format!("Q{}", u64::from(id) + 4_000_000_000),
        etype: EntityType::Org,
        kind: String::new(),
        label: "(damaged record)".into(),
        description: None,
        prior: 0,
        names: Vec::new(),
        country: None,
        citizenship: Vec::new(),
        capital: None,
        memberships: Vec::new(),
        iso: Vec::new(),
        positions: Vec::new(),
    }
}
