//! The compiled form of a knowledge base (`index.kgi` in a KB directory, or
//! the same bytes in memory for the bundled KB): an FST from normalized name
//! to a postings list, every entity's full record, and the tables derived from
//! the entities that linking needs (given names, generic institution names,
//! teams by short name, the holders of each position). It is read in place, through
//! a memory map for a file, so opening costs a few page faults whatever the
//! KB's size, and memory grows with the names and entities a text touches,
//! not with the KB.
//!
//! Layout (all integers little-endian; version 2):
//!
//! | bytes | content |
//! |---|---|
//! | 0..8 | magic `KGLINKKB` |
//! | 8..12 | format version (`2`) |
//! | 12..16 | reserved (0) |
//! | 16..24 | entities `n` |
//! | 24..32 | distinct alias keys |
//! | 32..40 | total file length |
//! | 40..232 | 12 sections, each `offset (u64) · length (u64)` |
//!
//! Sections, in order: 0 the alias FST (key → offset of its postings list in
//! section 1); 1 postings: `count (LEB128)` then per hit `entity (u32) ·
//! kind (u8, bit 7 set when the name must match with its exact case) · type
//! (u8) · prior (u8) · case shape (u8: 0 lower, 1 title, 2 upper, 3 other, 4
//! mask)` and for a mask `length (u8) · bytes` (bit `i` set when the `i`-th
//! letter is upper case); hits are in order of kind, then prior (highest
//! first), so the strongest candidates of a common name come first;
//! 2 `n` record offsets (u64, relative to section 3); 3 records (below); 4 the
//! QIDs, `n` × `qid number (u32) · entity (u32)` sorted by QID; 5 an FST set
//! of given names; 6 an FST map from generic institution name to an offset in
//! section 7; 7 entity lists `count (LEB128) · entities (u32)`; 8 an FST map
//! from a team's short name (town or country) to an offset in section 7; 9 positions; 10 the holders of each
//! position (a `count (LEB128) · entities` list per position, in order); 11
//! entities per type (4 × u64: PER, ORG, COUNTRY, LOC).
//!
//! A record is `qid number (u32) · type (u8) · prior (u8) · kind · label ·
//! description · names (LEB128 count, each kind (u8) · text) · country ·
//! citizenship · capital · memberships · ISO codes · positions held (LEB128
//! count, each position (u32) · start · end)`, where a text is `length
//! (LEB128) · UTF-8`, an optional entity is `entity + 1 (u32, 0 for none)`, a
//! list of entities is `count (LEB128) · entities (u32)` and a date is
//! `year · 10000 + month · 100 + day` (u32, 0 for none). A position is
//! `qid · label · country (QID text, may be empty) · role · titles (LEB128
//! count of texts)`.
//!
//! [`DiskIndex::open`] checks the magic, the version, the file length and
//! that every section lies inside the file, reading only the header and the
//! FSTs' roots; every later read checks its bounds, and a walk of an FST that
//! meets a damaged node is caught, so a wrong, truncated or corrupt file gives
//! an error, not a crash. [`DiskIndex::verify`] (`kb stats --verify`) reads
//! everything.

use super::{AliasKind, EntityId, KbEntity, PartialDate, Position, Tenure};
use crate::error::{Error, Result};
use crate::model::EntityType;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The index file name inside a KB directory.
pub const INDEX_FILE: &str = "index.kgi";
const MAGIC: &[u8; 8] = b"KGLINKKB";
const VERSION: u32 = 3;
const SECTIONS: usize = 12;
const HEADER: usize = 40 + SECTIONS * 16;

const S_ALIASES: usize = 0;
const S_POSTINGS: usize = 1;
const S_OFFSETS: usize = 2;
const S_RECORDS: usize = 3;
const S_QIDS: usize = 4;
const S_GIVEN: usize = 5;
const S_GENERIC: usize = 6;
const S_LISTS: usize = 7;
const S_CLUBS: usize = 8;
const S_POSITIONS: usize = 9;
const S_HOLDERS: usize = 10;
const S_COUNTS: usize = 11;

/// How a KB name is written, for the case rules of recognition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaseShape {
    /// No upper-case letter.
    Lower,
    /// Upper case exactly at the start of each word ("Rolls-Royce", "O'Brien").
    Title,
    /// Every letter upper case.
    Upper,
    /// Upper case at the letters whose bit is set (the first 128 letters).
    Mask(u128),
    /// A longer name of another shape: it equals no written surface.
    Other,
}

impl CaseShape {
    /// The shape of `name`.
    pub fn of(name: &str) -> CaseShape {
        let (mut lower, mut title, mut upper) = (true, true, true);
        let mut mask = 0u128;
        let mut letters = 0usize;
        let mut prev_letter = false;
        for c in name.chars() {
            if c.is_alphabetic() {
                let up = c.is_uppercase();
                lower &= !up;
                upper &= up;
                title &= up != prev_letter;
                if up && letters < 128 {
                    mask |= 1 << letters;
                }
                letters += 1;
                prev_letter = true;
            } else {
                prev_letter = c.is_alphanumeric();
            }
        }
        if letters == 0 || lower {
            CaseShape::Lower
        } else if upper {
            CaseShape::Upper
        } else if title {
            CaseShape::Title
        } else if letters <= 128 {
            CaseShape::Mask(mask)
        } else {
            CaseShape::Other
        }
    }

    /// Whether `surface` (a text that matched the name's key) is written with
    /// exactly this shape.
    pub fn matches(self, surface: &str) -> bool {
        self.matches_shape(CaseShape::of(surface))
    }

    /// Whether a surface of shape `surface` (see [`CaseShape::of`]) is written
    /// with exactly this shape.
    pub fn matches_shape(self, surface: CaseShape) -> bool {
        self != CaseShape::Other && surface == self
    }
}

/// One entity reachable under a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AliasHit {
    /// The entity.
    pub entity: EntityId,
    /// How the name belongs to it.
    pub kind: AliasKind,
    /// The entity's type.
    pub etype: EntityType,
    /// The entity's prior, 1–100.
    pub prior: u8,
    /// The name must match the text with its exact case (short names,
    /// acronyms, names all in capitals: see [`super::names::exact_case`]).
    pub exact: bool,
    /// How the name is written in the KB.
    pub case: CaseShape,
}

/// What [`write_index`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexSize {
    /// Entities.
    pub entities: u64,
    /// Distinct keys.
    pub keys: u64,
    /// (key, entity) pairs.
    pub postings: u64,
    /// Size in bytes.
    pub bytes: u64,
}

fn type_code(t: EntityType) -> u8 {
    match t {
        EntityType::Per => 0,
        EntityType::Org => 1,
        EntityType::Country => 2,
        EntityType::Loc => 3,
    }
}

fn type_of(c: u8) -> Option<EntityType> {
    Some(match c {
        0 => EntityType::Per,
        1 => EntityType::Org,
        2 => EntityType::Country,
        3 => EntityType::Loc,
        _ => return None,
    })
}

fn kind_code(k: AliasKind) -> u8 {
    match k {
        AliasKind::Label => 0,
        AliasKind::Official => 1,
        AliasKind::Alias => 2,
        AliasKind::Acronym => 3,
        AliasKind::Demonym => 4,
        AliasKind::Surname => 5,
    }
}

fn kind_of(c: u8) -> Option<AliasKind> {
    Some(match c {
        0 => AliasKind::Label,
        1 => AliasKind::Official,
        2 => AliasKind::Alias,
        3 => AliasKind::Acronym,
        4 => AliasKind::Demonym,
        5 => AliasKind::Surname,
        _ => return None,
    })
}

// ---------- writing ----------

fn leb(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn text(out: &mut Vec<u8>, s: &str) {
    leb(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

fn opt_id(out: &mut Vec<u8>, id: Option<EntityId>) {
    out.extend_from_slice(&id.map_or(0, |i| i + 1).to_le_bytes());
}

fn ids(out: &mut Vec<u8>, v: &[EntityId]) {
    leb(out, v.len() as u64);
    for i in v {
        out.extend_from_slice(&i.to_le_bytes());
    }
}

fn date_code(d: Option<PartialDate>) -> u32 {
    d.map_or(0, |d| {
        (d.year.max(0) as u32) * 10_000 + u32::from(d.month) * 100 + u32::from(d.day)
    })
}

fn code_date(c: u32) -> Option<PartialDate> {
    (c != 0).then_some(PartialDate {
        year: (c / 10_000) as i32,
        month: ((c / 100) % 100) as u8,
        day: (c % 100) as u8,
    })
}

fn qid_number(qid: &str) -> Result<u32> {
    qid.strip_prefix('Q')
        .and_then(|d| d.parse().ok())
        .ok_or_else(|| Error::Kb(format!("{qid:?} is not a QID")))
}

fn record(out: &mut Vec<u8>, e: &KbEntity) -> Result<()> {
    out.extend_from_slice(&qid_number(&e.qid)?.to_le_bytes());
    out.push(type_code(e.etype));
    out.push(e.prior);
    text(out, &e.kind);
    text(out, &e.label);
    text(out, e.description.as_deref().unwrap_or(""));
    leb(out, e.names.len() as u64);
    for (n, k) in &e.names {
        out.push(kind_code(*k));
        text(out, n);
    }
    opt_id(out, e.country);
    ids(out, &e.citizenship);
    opt_id(out, e.capital);
    ids(out, &e.memberships);
    leb(out, e.iso.len() as u64);
    for c in &e.iso {
        text(out, c);
    }
    leb(out, e.positions.len() as u64);
    for t in &e.positions {
        out.extend_from_slice(&(t.position as u32).to_le_bytes());
        out.extend_from_slice(&date_code(t.start).to_le_bytes());
        out.extend_from_slice(&date_code(t.end).to_le_bytes());
    }
    Ok(())
}

fn position_bytes(out: &mut Vec<u8>, p: &Position) {
    text(out, &p.qid);
    text(out, &p.label);
    text(out, p.country.as_deref().unwrap_or(""));
    text(out, &p.role);
    leb(out, p.titles.len() as u64);
    for t in &p.titles {
        text(out, t);
    }
}

fn fst_error(e: fst::Error) -> Error {
    Error::Kb(format!("index: {e}"))
}

/// Compiles `entities` and `positions` (references already resolved to
/// entity ids and position indexes) into the index's bytes.
pub fn index_bytes(entities: &[KbEntity], positions: &[Position]) -> Result<(Vec<u8>, IndexSize)> {
    let n = entities.len();
    if n >= u32::MAX as usize {
        return Err(Error::Kb("more than 2^32 - 1 entities".into()));
    }
    let family_first = |e: &KbEntity| {
        e.citizenship.iter().any(|&c| {
            entities
                .get(c as usize)
                .is_some_and(|c| super::names::FAMILY_FIRST.contains(&c.qid.as_str()))
        })
    };
    // (key, entity, kind | exact, case); one per (key, entity, case) with its
    // strongest kind
    let mut pairs: Vec<(String, u32, u8, CaseShape)> = Vec::with_capacity(n * 4);
    let mut given: Vec<String> = Vec::new();
    for (i, e) in entities.iter().enumerate() {
        let ff = family_first(e);
        super::names::names_of(e, ff, &mut |name, kind| {
            let key = crate::text::name_key(name);
            if key.chars().count() < 2 {
                return;
            }
            let mut k = kind_code(kind);
            if super::names::exact_case(name, kind) {
                k |= 0x80;
            }
            pairs.push((key, i as u32, k, CaseShape::of(name)));
        });
        if let Some(g) = super::names::given_name(e, ff) {
            given.push(crate::text::name_key(g));
        }
    }
    pairs.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then(a.1.cmp(&b.1))
            .then((a.2 & 0x7f).cmp(&(b.2 & 0x7f)))
    });
    // the same name in two cases ("Ra" and "RA") stays twice
    pairs.dedup_by(|b, a| a.0 == b.0 && a.1 == b.1 && a.3 == b.3);
    // within a key: strongest kind first, then highest prior
    let prior_of = |i: u32| entities[i as usize].prior;
    pairs.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then((a.2 & 0x7f).cmp(&(b.2 & 0x7f)))
            .then(prior_of(b.1).cmp(&prior_of(a.1)))
            .then(a.1.cmp(&b.1))
    });

    let mut postings: Vec<u8> = Vec::with_capacity(pairs.len() * 7);
    let mut aliases = fst::MapBuilder::memory();
    let mut keys = 0u64;
    let mut i = 0;
    while i < pairs.len() {
        let mut j = i;
        while j < pairs.len() && pairs[j].0 == pairs[i].0 {
            j += 1;
        }
        aliases
            .insert(pairs[i].0.as_bytes(), postings.len() as u64)
            .map_err(fst_error)?;
        keys += 1;
        leb(&mut postings, (j - i) as u64);
        for (_, entity, kind, case) in &pairs[i..j] {
            let e = &entities[*entity as usize];
            postings.extend_from_slice(&entity.to_le_bytes());
            postings.push(*kind);
            postings.push(type_code(e.etype));
            postings.push(e.prior);
            match case {
                CaseShape::Lower => postings.push(0),
                CaseShape::Title => postings.push(1),
                CaseShape::Upper => postings.push(2),
                CaseShape::Other => postings.push(3),
                CaseShape::Mask(m) => {
                    postings.push(4);
                    let bytes = m.to_le_bytes();
                    let len = 16 - bytes.iter().rev().take_while(|&&b| b == 0).count();
                    postings.push(len as u8);
                    postings.extend_from_slice(&bytes[..len]);
                }
            }
        }
        i = j;
    }
    let aliases = aliases.into_inner().map_err(fst_error)?;
    let n_postings = pairs.len() as u64;
    drop(pairs);

    let mut offsets = Vec::with_capacity(n * 8);
    let mut records = Vec::with_capacity(n * 64);
    let mut qids: Vec<(u32, u32)> = Vec::with_capacity(n);
    let mut counts = [0u64; 4];
    for (i, e) in entities.iter().enumerate() {
        offsets.extend_from_slice(&(records.len() as u64).to_le_bytes());
        record(&mut records, e)?;
        qids.push((qid_number(&e.qid)?, i as u32));
        counts[type_code(e.etype) as usize] += 1;
    }
    qids.sort_unstable();
    let mut qid_table = Vec::with_capacity(n * 8);
    for (q, i) in qids {
        qid_table.extend_from_slice(&q.to_le_bytes());
        qid_table.extend_from_slice(&i.to_le_bytes());
    }

    given.sort_unstable();
    given.dedup();
    let given = fst::Set::from_iter(given.iter())
        .map_err(fst_error)?
        .into_fst()
        .into_inner();

    let mut generic_list: Vec<(String, Vec<EntityId>)> =
        super::generic::derive(entities).into_iter().collect();
    generic_list.sort();
    let mut lists = Vec::new();
    let mut generic = fst::MapBuilder::memory();
    for (k, v) in &generic_list {
        generic
            .insert(k.as_bytes(), lists.len() as u64)
            .map_err(fst_error)?;
        ids(&mut lists, v);
    }
    let generic = generic.into_inner().map_err(fst_error)?;

    let mut clubs = fst::MapBuilder::memory();
    for (k, v) in crate::link::clubs::teams_by_short_name(entities) {
        clubs
            .insert(k.as_bytes(), lists.len() as u64)
            .map_err(fst_error)?;
        ids(&mut lists, &v);
    }
    let clubs = clubs.into_inner().map_err(fst_error)?;

    let mut position_table = Vec::new();
    leb(&mut position_table, positions.len() as u64);
    for p in positions {
        position_bytes(&mut position_table, p);
    }
    let mut holders: Vec<Vec<EntityId>> = vec![Vec::new(); positions.len()];
    for (i, e) in entities.iter().enumerate() {
        for t in &e.positions {
            if let Some(h) = holders.get_mut(t.position) {
                if !h.contains(&(i as u32)) {
                    h.push(i as u32);
                }
            }
        }
    }
    let mut holder_table = Vec::new();
    for h in &holders {
        ids(&mut holder_table, h);
    }
    let mut count_table = Vec::with_capacity(32);
    for c in counts {
        count_table.extend_from_slice(&c.to_le_bytes());
    }

    let sections: [&[u8]; SECTIONS] = [
        &aliases,
        &postings,
        &offsets,
        &records,
        &qid_table,
        &given,
        &generic,
        &lists,
        &clubs,
        &position_table,
        &holder_table,
        &count_table,
    ];
    let total: usize = HEADER + sections.iter().map(|s| s.len()).sum::<usize>();
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    for v in [n as u64, keys, total as u64] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    let mut at = HEADER as u64;
    for s in &sections {
        out.extend_from_slice(&at.to_le_bytes());
        out.extend_from_slice(&(s.len() as u64).to_le_bytes());
        at += s.len() as u64;
    }
    debug_assert_eq!(out.len(), HEADER);
    for s in sections {
        out.extend_from_slice(s);
    }
    let size = IndexSize {
        entities: n as u64,
        keys,
        postings: n_postings,
        bytes: total as u64,
    };
    Ok((out, size))
}

/// Writes the index file at `path` (through a temporary file renamed at the
/// end).
pub fn write_index(
    path: &Path,
    entities: &[KbEntity],
    positions: &[Position],
) -> Result<IndexSize> {
    let (bytes, size) = index_bytes(entities, positions)?;
    let tmp: PathBuf = path.with_extension(format!("tmp-{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        std::fs::write(&tmp, &bytes)?;
        std::fs::File::open(&tmp)?.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(path, e)
    })?;
    Ok(size)
}

// ---------- reading ----------

enum Backing {
    Map(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl AsRef<[u8]> for Backing {
    fn as_ref(&self) -> &[u8] {
        match self {
            Backing::Map(m) => m,
            Backing::Owned(v) => v,
        }
    }
}

/// A section of the index, for the FSTs.
#[derive(Clone)]
pub struct Slice {
    backing: Arc<Backing>,
    start: usize,
    end: usize,
}

impl AsRef<[u8]> for Slice {
    fn as_ref(&self) -> &[u8] {
        &(*self.backing).as_ref()[self.start..self.end]
    }
}

/// A compiled KB, opened.
pub struct DiskIndex {
    path: Option<PathBuf>,
    backing: Arc<Backing>,
    sections: [(usize, usize); SECTIONS],
    aliases: fst::Map<Slice>,
    given: fst::Set<Slice>,
    generic: fst::Map<Slice>,
    clubs: fst::Map<Slice>,
    entities: u64,
    keys: u64,
    positions: Vec<Position>,
    holder_offsets: Vec<usize>,
}

impl std::fmt::Debug for DiskIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DiskIndex")
            .field("path", &self.path)
            .field("entities", &self.entities)
            .field("keys", &self.keys)
            .finish()
    }
}

/// Reads from a byte slice with bounds checks.
struct Reader<'a> {
    b: &'a [u8],
    p: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.b.get(self.p..self.p.checked_add(n)?)?;
        self.p += n;
        Some(s)
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn leb(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.u8()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }
    fn len(&mut self) -> Option<usize> {
        let n = usize::try_from(self.leb()?).ok()?;
        // no count can pass what is left to read
        (n <= self.b.len().saturating_sub(self.p)).then_some(n)
    }
    fn text(&mut self) -> Option<&'a str> {
        let n = self.len()?;
        std::str::from_utf8(self.take(n)?).ok()
    }
}

impl DiskIndex {
    /// Opens and checks an index file.
    pub fn open(path: &Path) -> Result<DiskIndex> {
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        // SAFETY: the map is read-only and kglink never writes an index in
        // place (it writes a new file and renames it); a file truncated by
        // another process while mapped is outside what we can guard against.
        let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| Error::io(path, e))?;
        Self::from_backing(Backing::Map(map), Some(path.to_path_buf()))
    }

    /// Opens index bytes held in memory.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<DiskIndex> {
        Self::from_backing(Backing::Owned(bytes), None)
    }

    fn name(path: &Option<PathBuf>) -> String {
        path.as_ref().map_or_else(
            || "knowledge base index".into(),
            |p| p.display().to_string(),
        )
    }

    fn from_backing(backing: Backing, path: Option<PathBuf>) -> Result<DiskIndex> {
        let bad = |m: String| Error::Kb(format!("{}: {m}", Self::name(&path)));
        let b = backing.as_ref();
        if b.len() < HEADER {
            return Err(bad(format!(
                "truncated: {} bytes, shorter than the {HEADER}-byte header",
                b.len()
            )));
        }
        if &b[..8] != MAGIC {
            return Err(bad("not a kglink KB index (wrong magic)".into()));
        }
        let u32_at = |o: usize| u32::from_le_bytes(b[o..o + 4].try_into().expect("4 bytes"));
        let u64_at = |o: usize| u64::from_le_bytes(b[o..o + 8].try_into().expect("8 bytes"));
        let version = u32_at(8);
        if version != VERSION {
            return Err(bad(format!(
                "index format version {version}, this kglink reads version {VERSION} (rebuild with `kglink kb build` or `kglink kb update`)"
            )));
        }
        let (entities, keys, total) = (u64_at(16), u64_at(24), u64_at(32));
        if total != b.len() as u64 {
            return Err(bad(format!(
                "truncated or padded: header says {total} bytes, file has {}",
                b.len()
            )));
        }
        let mut sections = [(0usize, 0usize); SECTIONS];
        let mut expect = HEADER as u64;
        for (i, s) in sections.iter_mut().enumerate() {
            let (off, len) = (u64_at(40 + i * 16), u64_at(48 + i * 16));
            let end = off.checked_add(len);
            if off != expect || end.is_none_or(|e| e > total) {
                return Err(bad(format!(
                    "corrupt header: section {i} out of order or out of the file"
                )));
            }
            expect = end.expect("checked");
            *s = (off as usize, (off + len) as usize);
        }
        if expect != total
            || entities
                .checked_mul(8)
                .is_none_or(|l| l != (sections[S_OFFSETS].1 - sections[S_OFFSETS].0) as u64)
            || entities
                .checked_mul(8)
                .is_none_or(|l| l != (sections[S_QIDS].1 - sections[S_QIDS].0) as u64)
            || sections[S_COUNTS].1 - sections[S_COUNTS].0 != 32
        {
            return Err(bad("corrupt header: section sizes".into()));
        }
        let backing = Arc::new(backing);
        let slice = |i: usize| Slice {
            backing: backing.clone(),
            start: sections[i].0,
            end: sections[i].1,
        };
        let aliases =
            fst::Map::new(slice(S_ALIASES)).map_err(|e| bad(format!("corrupt alias map: {e}")))?;
        if aliases.len() as u64 != keys {
            return Err(bad(format!(
                "corrupt: {} keys in the alias map, header says {keys}",
                aliases.len()
            )));
        }
        let given = fst::Set::new(slice(S_GIVEN)).map_err(|e| bad(format!("corrupt: {e}")))?;
        let generic = fst::Map::new(slice(S_GENERIC)).map_err(|e| bad(format!("corrupt: {e}")))?;
        let clubs = fst::Map::new(slice(S_CLUBS)).map_err(|e| bad(format!("corrupt: {e}")))?;
        let mut idx = DiskIndex {
            path,
            backing,
            sections,
            aliases,
            given,
            generic,
            clubs,
            entities,
            keys,
            positions: Vec::new(),
            holder_offsets: Vec::new(),
        };
        idx.positions = idx
            .read_positions()
            .ok_or_else(|| idx.corrupt("positions"))?;
        idx.holder_offsets = idx
            .read_holder_offsets()
            .ok_or_else(|| idx.corrupt("position holders"))?;
        Ok(idx)
    }

    fn section(&self, i: usize) -> &[u8] {
        &(*self.backing).as_ref()[self.sections[i].0..self.sections[i].1]
    }

    fn corrupt(&self, what: &str) -> Error {
        Error::Kb(format!(
            "{}: corrupt index ({what})",
            Self::name(&self.path)
        ))
    }

    fn read_positions(&self) -> Option<Vec<Position>> {
        let mut r = Reader {
            b: self.section(S_POSITIONS),
            p: 0,
        };
        let n = r.len()?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let qid = r.text()?.to_string();
            let label = r.text()?.to_string();
            let country = r.text()?;
            let role = r.text()?.to_string();
            let k = r.len()?;
            let mut titles = Vec::with_capacity(k);
            for _ in 0..k {
                titles.push(r.text()?.to_string());
            }
            out.push(Position {
                qid,
                label,
                country: (!country.is_empty()).then(|| country.to_string()),
                role,
                titles,
            });
        }
        (r.p == r.b.len()).then_some(out)
    }

    fn read_holder_offsets(&self) -> Option<Vec<usize>> {
        let mut r = Reader {
            b: self.section(S_HOLDERS),
            p: 0,
        };
        let mut out = Vec::with_capacity(self.positions.len());
        for _ in 0..self.positions.len() {
            out.push(r.p);
            let n = r.len()?;
            r.take(n.checked_mul(4)?)?;
        }
        (r.p == r.b.len()).then_some(out)
    }

    /// Number of entities.
    pub fn len(&self) -> u64 {
        self.entities
    }

    /// True when it holds no entity.
    pub fn is_empty(&self) -> bool {
        self.entities == 0
    }

    /// Number of distinct keys.
    pub fn keys(&self) -> u64 {
        self.keys
    }

    /// Writes the compiled KB to `path` (through a temporary file renamed at
    /// the end).
    pub fn save(&self, path: &Path) -> Result<()> {
        let tmp: PathBuf = path.with_extension(format!("tmp-{}", std::process::id()));
        let write = || -> std::io::Result<()> {
            std::fs::write(&tmp, (*self.backing).as_ref())?;
            std::fs::File::open(&tmp)?.sync_all()?;
            std::fs::rename(&tmp, path)
        };
        write().map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            Error::io(path, e)
        })
    }

    /// Size in bytes.
    pub fn bytes(&self) -> u64 {
        (*self.backing).as_ref().len() as u64
    }

    /// The alias FST (key → postings offset), for matching names in a text.
    pub fn aliases(&self) -> &fst::Map<Slice> {
        &self.aliases
    }

    /// Runs `f`, turning a panic of the `fst` crate on a damaged node into a
    /// corruption error.
    pub fn guarded<T>(&self, what: &str, f: impl FnOnce() -> T) -> Result<T> {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|_| self.corrupt(what))
    }

    /// The postings list at `offset` (a value of the alias FST).
    pub fn postings(&self, offset: u64) -> Result<Vec<AliasHit>> {
        self.postings_top(offset, usize::MAX)
    }

    /// The first `limit` postings at `offset` (they are sorted by kind of
    /// name, then prior, highest first).
    pub fn postings_top(&self, offset: u64, limit: usize) -> Result<Vec<AliasHit>> {
        let b = self.section(S_POSTINGS);
        let mut r = Reader {
            b,
            p: usize::try_from(offset).map_err(|_| self.corrupt("postings offset"))?,
        };
        let read = |r: &mut Reader<'_>| -> Option<Vec<AliasHit>> {
            let n = r.len()?.min(limit);
            let mut out = Vec::with_capacity(n);
            for _ in 0..n {
                let entity = r.u32()?;
                let k = r.u8()?;
                let kind = kind_of(k & 0x7f)?;
                let etype = type_of(r.u8()?)?;
                let prior = r.u8()?;
                let case = match r.u8()? {
                    0 => CaseShape::Lower,
                    1 => CaseShape::Title,
                    2 => CaseShape::Upper,
                    3 => CaseShape::Other,
                    4 => {
                        let len = r.u8()? as usize;
                        if len > 16 {
                            return None;
                        }
                        let mut m = [0u8; 16];
                        m[..len].copy_from_slice(r.take(len)?);
                        CaseShape::Mask(u128::from_le_bytes(m))
                    }
                    _ => return None,
                };
                if u64::from(entity) >= self.entities {
                    return None;
                }
                out.push(AliasHit {
                    entity,
                    kind,
                    etype,
                    prior,
                    exact: k & 0x80 != 0,
                    case,
                });
            }
            Some(out)
        };
        read(&mut r).ok_or_else(|| self.corrupt("postings"))
    }

    /// The entities under an already normalized key.
    pub fn lookup_key(&self, key: &str) -> Result<Vec<AliasHit>> {
        match self.guarded("alias map", || self.aliases.get(key))? {
            Some(off) => self.postings(off),
            None => Ok(Vec::new()),
        }
    }

    /// The entities under a name (normalized with [`crate::text::name_key`]).
    pub fn lookup(&self, name: &str) -> Result<Vec<AliasHit>> {
        self.lookup_key(&crate::text::name_key(name))
    }

    /// The type and prior of entity `id`, from the head of its record.
    pub fn brief(&self, id: EntityId) -> Option<(EntityType, u8)> {
        if u64::from(id) >= self.entities {
            return None;
        }
        let at = self
            .section(S_OFFSETS)
            .get(id as usize * 8..id as usize * 8 + 8)?;
        let at = usize::try_from(u64::from_le_bytes(at.try_into().ok()?)).ok()?;
        let head = self.section(S_RECORDS).get(at + 4..at + 6)?;
        Some((type_of(head[0])?, head[1]))
    }

    /// The full record of entity `id`.
    pub fn entity(&self, id: EntityId) -> Result<KbEntity> {
        if u64::from(id) >= self.entities {
            return Err(self.corrupt("entity id"));
        }
        let t = id as usize * 8;
        let offs = self.section(S_OFFSETS);
        let rel = u64::from_le_bytes(offs[t..t + 8].try_into().expect("8 bytes"));
        let mut r = Reader {
            b: self.section(S_RECORDS),
            p: usize::try_from(rel).map_err(|_| self.corrupt("record offset"))?,
        };
        self.read_record(&mut r)
            .ok_or_else(|| self.corrupt("entity record"))
    }

    fn read_record(&self, r: &mut Reader<'_>) -> Option<KbEntity> {
        let n = self.entities;
        let id = |v: u32| (u64::from(v) < n).then_some(v);
        let opt = |r: &mut Reader<'_>| -> Option<Option<EntityId>> {
            match r.u32()? {
                0 => Some(None),
                v => id(v - 1).map(Some),
            }
        };
        let list = |r: &mut Reader<'_>| -> Option<Vec<EntityId>> {
            let k = r.len()?;
            (0..k).map(|_| r.u32().and_then(id)).collect()
        };
        let qnum = r.u32()?;
        let etype = type_of(r.u8()?)?;
        let prior = r.u8()?;
        let kind = r.text()?.to_string();
        let label = r.text()?.to_string();
        let description = r.text()?;
        let k = r.len()?;
        let mut names = Vec::with_capacity(k);
        for _ in 0..k {
            let kind = kind_of(r.u8()?)?;
            names.push((r.text()?.to_string(), kind));
        }
        let country = opt(r)?;
        let citizenship = list(r)?;
        let capital = opt(r)?;
        let memberships = list(r)?;
        let k = r.len()?;
        let mut iso = Vec::with_capacity(k);
        for _ in 0..k {
            iso.push(r.text()?.to_string());
        }
        let k = r.len()?;
        let mut positions = Vec::with_capacity(k);
        for _ in 0..k {
            let position = r.u32()? as usize;
            if position >= self.positions.len() {
                return None;
            }
            let start = code_date(r.u32()?);
            let end = code_date(r.u32()?);
            positions.push(Tenure {
                position,
                start,
                end,
            });
        }
        Some(KbEntity {
            qid: format!("Q{qnum}"),
            etype,
            kind,
            label,
            description: (!description.is_empty()).then(|| description.to_string()),
            prior,
            names,
            country,
            citizenship,
            capital,
            memberships,
            iso,
            positions,
        })
    }

    /// The entity with QID number `qnum`.
    pub fn by_qid(&self, qnum: u32) -> Option<EntityId> {
        let t = self.section(S_QIDS);
        let at = |i: usize| {
            let q = u32::from_le_bytes(t[i * 8..i * 8 + 4].try_into().expect("4 bytes"));
            let e = u32::from_le_bytes(t[i * 8 + 4..i * 8 + 8].try_into().expect("4 bytes"));
            (q, e)
        };
        let (mut lo, mut hi) = (0usize, self.entities as usize);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let (q, e) = at(mid);
            match q.cmp(&qnum) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => {
                    return (u64::from(e) < self.entities).then_some(e);
                }
            }
        }
        None
    }

    /// Whether `key` (normalized) is a given name of a KB person.
    pub fn is_given_name(&self, key: &str) -> bool {
        self.guarded("given names", || self.given.contains(key))
            .unwrap_or(false)
    }

    /// The institutions a generic name (normalized) may stand for.
    pub fn generic(&self, key: &str) -> Vec<EntityId> {
        self.list(&self.generic, "generic names", key)
    }

    /// The institutions a generic name or the teams a short name stands for:
    /// a list of the lists section.
    fn list(&self, map: &fst::Map<Slice>, what: &str, key: &str) -> Vec<EntityId> {
        let Ok(Some(off)) = self.guarded(what, || map.get(key)) else {
            return Vec::new();
        };
        self.ids_at(S_LISTS, off as usize)
    }

    /// The `count (LEB128) · entities (u32)` list at `off` in section
    /// `section`; empty when it is damaged.
    fn ids_at(&self, section: usize, off: usize) -> Vec<EntityId> {
        let mut r = Reader {
            b: self.section(section),
            p: off,
        };
        let n = self.entities;
        r.len()
            .and_then(|k| {
                (0..k)
                    .map(|_| r.u32().filter(|&v| u64::from(v) < n))
                    .collect::<Option<Vec<_>>>()
            })
            .unwrap_or_default()
    }

    /// The sports teams a short name (normalized) may stand for ("newcastle",
    /// "australia"; see [`crate::link::clubs`]).
    pub fn teams(&self, key: &str) -> Vec<EntityId> {
        self.list(&self.clubs, "teams", key)
    }

    /// The positions.
    pub fn positions(&self) -> &[Position] {
        &self.positions
    }

    /// The people who ever held position `p`.
    pub fn holders(&self, p: usize) -> Vec<EntityId> {
        match self.holder_offsets.get(p) {
            Some(&off) => self.ids_at(S_HOLDERS, off),
            None => Vec::new(),
        }
    }

    /// Entities per type.
    pub fn counts(&self) -> [(EntityType, u64); 4] {
        let t = self.section(S_COUNTS);
        let c = |i: usize| u64::from_le_bytes(t[i * 8..i * 8 + 8].try_into().expect("8 bytes"));
        [
            (EntityType::Per, c(0)),
            (EntityType::Org, c(1)),
            (EntityType::Country, c(2)),
            (EntityType::Loc, c(3)),
        ]
    }

    /// Candidates for a name, best prior first: `(entity, kind, score)` with the
    /// prior as score (0–1), as [`super::Kb::lookup`] ranks them.
    pub fn candidates(&self, name: &str) -> Result<Vec<(KbEntity, AliasKind, f32)>> {
        let mut out: Vec<(KbEntity, AliasKind, f32)> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for h in self.lookup(name)? {
            if !seen.insert(h.entity) {
                continue;
            }
            let e = self.entity(h.entity)?;
            let score = f32::from(e.prior) / 100.0;
            out.push((e, h.kind, score));
        }
        out.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.1.cmp(&b.1)));
        Ok(out)
    }

    /// Reads every postings list, record and table: a full check of the
    /// file (`kb stats --verify`).
    pub fn verify(&self) -> Result<()> {
        use fst::Streamer;
        for (what, f) in [
            ("alias map", self.aliases.as_fst()),
            ("given names", self.given.as_fst()),
            ("generic names", self.generic.as_fst()),
            ("clubs", self.clubs.as_fst()),
        ] {
            f.verify()
                .map_err(|e| self.corrupt(&format!("{what}: {e}")))?;
        }
        let offsets = self.guarded("alias map", || {
            let mut v = Vec::new();
            let mut s = self.aliases.stream();
            while let Some((_, off)) = s.next() {
                v.push(off);
            }
            v
        })?;
        for off in offsets {
            self.postings(off)?;
        }
        for id in 0..self.entities {
            self.entity(id as EntityId)?;
        }
        let mut last = None;
        for i in 0..self.entities as usize {
            let t = self.section(S_QIDS);
            let q = u32::from_le_bytes(t[i * 8..i * 8 + 4].try_into().expect("4 bytes"));
            if last.is_some_and(|l| l >= q) {
                return Err(self.corrupt("QID table out of order"));
            }
            last = Some(q);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kb::Kb;

    fn sample() -> Kb {
        Kb::from_sources([
            (
                "countries.tsv",
                "qid\tname\tofficial_name\tiso2\tiso3\tcapital\tkind\taliases\tdemonyms\tmemberships\tprior\n\
                 Q45\tPortugal\tPortuguese Republic\tPT\tPRT\tQ597\tstate\t\tPortuguese\t\t80\n\
                 Q17\tJapan\tJapan\tJP\tJPN\t\tstate\tNippon\tJapanese\t\t92\n",
            ),
            (
                "places.tsv",
                "qid\tname\tcountry\tkind\taliases\tprior\tdemonyms\n\
                 Q597\tLisbon\tQ45\tcapital\tLisboa\t60\t\n",
            ),
            (
                "organizations.tsv",
                "qid\tname\tkind\tcountry\taliases\tacronyms\tdescription\tprior\n\
                 Q1322605\tJapanese Finance Ministry\tgovernment\tQ17\tMinistry of Finance of Japan\tMOF\tministry\t60\n\
                 Q18716\tNewcastle United F.C.\tsports\tQ45\t\t\tclub\t40\n",
            ),
            (
                "positions.tsv",
                "qid\tlabel\tcountry\trole\ttitle\n\
                 Q274948\tPrime Minister of Japan\tQ17\thead_of_government\tprime minister\n",
            ),
            (
                "people.tsv",
                "qid\tname\taliases\tcitizenship\tpositions\tdescription\tprior\n\
                 Q132345\tShinzo Abe\tAbe Shinzō\tQ17\tQ274948@2012-12-26..2020-09-16\tpolitician\t85\n\
                 Q42\tDouglas Adams\tDouglas Noël Adams\tQ45\t\twriter\t60\n",
            ),
        ])
        .unwrap()
    }

    fn saved(kb: &Kb, dir: &Path) -> PathBuf {
        let p = dir.join(INDEX_FILE);
        kb.compiled().save(&p).unwrap();
        p
    }

    #[test]
    fn an_opened_file_reads_as_the_kb_it_was_saved_from() {
        let kb = sample();
        let dir = tempfile::tempdir().unwrap();
        let p = saved(&kb, dir.path());
        let opened = Kb::open_index(&p).unwrap();
        assert_eq!(opened.len(), kb.len());
        for (id, e) in kb.iter() {
            assert_eq!(*opened.entity(id), *e, "{}", e.qid);
            assert_eq!(opened.by_qid(&e.qid), Some(id));
        }
        assert_eq!(opened.positions(), kb.positions());
        let abe = opened.by_qid("Q132345").unwrap();
        let date = PartialDate::parse("2015-01-01").unwrap();
        assert_eq!(opened.holders_at("Q274948", date), [abe]);
        assert!(opened
            .holders_at("Q274948", PartialDate::parse("2021-01-01").unwrap())
            .is_empty());
        // Abe is family-first: "Shinzo" is his given name, "Abe" his surname
        assert!(opened.is_given_name("Shinzo"));
        let hits = opened.index().hits("abe");
        assert!(hits
            .iter()
            .any(|h| h.entity == abe && h.kind == AliasKind::Surname));
        let mof = opened.by_qid("Q1322605").unwrap();
        assert_eq!(opened.generic_candidates("finance ministry"), [mof]);
        assert_eq!(
            opened.teams_by_name("newcastle"),
            opened.by_qid("Q18716").into_iter().collect::<Vec<_>>()
        );
        let idx = DiskIndex::open(&p).unwrap();
        idx.verify().unwrap();
        let c = idx.counts();
        assert_eq!(c.iter().map(|x| x.1).sum::<u64>(), kb.len() as u64);
    }

    #[test]
    fn hits_carry_type_prior_and_case() {
        let kb = sample();
        let hits = kb.index().hits("mof");
        assert_eq!(hits.len(), 1);
        let h = hits[0];
        assert_eq!(
            (h.kind, h.etype, h.prior),
            (AliasKind::Acronym, EntityType::Org, 60)
        );
        assert!(h.exact && h.case == CaseShape::Upper);
        assert!(h.case.matches("MOF") && !h.case.matches("Mof"));
        let lisbon = kb.index().hits("lisbon")[0];
        assert!(!lisbon.exact && lisbon.case == CaseShape::Title);
        assert_eq!(CaseShape::of("McDonald's"), CaseShape::Mask(0b101));
        assert_eq!(CaseShape::of("Rolls-Royce"), CaseShape::Title);
        assert_eq!(CaseShape::of("eBay"), CaseShape::Mask(0b10));
    }

    #[test]
    fn names_are_found_in_text_at_word_boundaries() {
        let kb = sample();
        let text = "Shinzo Abe flew from Lisboa to Japan’s capital; abed and MOFs did not match. The MOF said so.";
        let found: Vec<&str> = kb
            .index()
            .find_all(text)
            .iter()
            .map(|f| &text[f.start..f.end])
            .collect();
        assert!(
            found.contains(&"Shinzo Abe") && found.contains(&"Abe"),
            "{found:?}"
        );
        assert!(
            found.contains(&"Lisboa") && found.contains(&"Japan"),
            "{found:?}"
        );
        assert_eq!(
            found.iter().filter(|f| **f == "MOF").count(),
            1,
            "{found:?}"
        );
        assert!(!found.iter().any(|f| f.starts_with("abed")), "{found:?}");
    }

    #[test]
    fn damaged_files_are_errors() {
        let kb = sample();
        let dir = tempfile::tempdir().unwrap();
        let p = saved(&kb, dir.path());
        let good = std::fs::read(&p).unwrap();
        let q = dir.path().join("bad.kgi");
        // every truncation
        for len in (0..good.len()).step_by(7) {
            std::fs::write(&q, &good[..len]).unwrap();
            let err = DiskIndex::open(&q).unwrap_err().to_string();
            assert!(
                err.contains("truncated") || err.contains("corrupt"),
                "{len}: {err}"
            );
        }
        // wrong magic, wrong version
        let mut b = good.clone();
        b[0] = b'X';
        std::fs::write(&q, &b).unwrap();
        assert!(DiskIndex::open(&q)
            .unwrap_err()
            .to_string()
            .contains("magic"));
        let mut b = good.clone();
        b[8] = 9;
        std::fs::write(&q, &b).unwrap();
        assert!(DiskIndex::open(&q)
            .unwrap_err()
            .to_string()
            .contains("version"));
        // any single flipped byte: open and use it without a panic
        for i in (HEADER..good.len()).step_by(3) {
            let mut b = good.clone();
            b[i] ^= 0xff;
            std::fs::write(&q, &b).unwrap();
            if let Ok(kb) = Kb::open_index(&q) {
                for name in ["portugal", "portuguese", "abe", "shinzo abe", "mof"] {
                    let _ = kb.index().hits(name);
                }
                let _ = kb.index().find_all("Shinzo Abe met the MOF in Lisbon.");
                for (_, e) in kb.iter() {
                    let _ = e.label.len();
                }
                let _ = kb.generic_candidates("finance ministry");
                let _ = kb.teams_by_name("newcastle");
                let _ = kb.holders_at("Q274948", PartialDate::parse("2015").unwrap());
                let _ = DiskIndex::open(&q).map(|d| d.verify());
            }
        }
    }
}
