//! The on-disk alias index of a KB directory (`index.kgi`): an FST from
//! normalized name to a postings list, plus compact entity records, read through
//! a memory map so opening costs a few page faults whatever the KB's size.
//!
//! Layout (all integers little-endian; version 1):
//!
//! | bytes | content |
//! |---|---|
//! | 0..8 | magic `KGLINKKB` |
//! | 8..12 | format version (`1`) |
//! | 12..16 | reserved (0) |
//! | 16..24 | number of entities `n` |
//! | 24..32 | number of keys |
//! | 32..40 | offset of the record offset table (`n` × u64) |
//! | 40..48 | offset of the entity records |
//! | 48..56 | offset of the postings |
//! | 56..64 | offset of the FST |
//! | 64..72 | length of the FST |
//! | 72..80 | total file length |
//!
//! An entity record is `qid number (u32) · type (u8: 0 PER, 1 ORG, 2 COUNTRY,
//! 3 LOC) · prior (u8) · label length (u16) · label · description length (u16) ·
//! description`. A postings list is `count (LEB128) · count × (entity u32 · alias
//! kind u8)`. The FST maps each key ([`crate::text::name_key`] of a name, plus its
//! diacritics-folded variant and, for people, the family name alone) to the
//! offset of its postings list relative to the postings section.
//!
//! [`DiskIndex::open`] checks the magic, the version, the file length and that
//! every section lies inside the file, reading only the header and the FST's
//! root (so opening costs the same for any size); every read checks its bounds
//! and a walk of the FST that meets a damaged node is caught, and
//! [`DiskIndex::verify`] (`kb stats --verify`) checks the FST's checksum and reads
//! everything, so a wrong,
//! truncated or corrupt file gives an error, not a crash.

use super::{AliasKind, EntityId};
use crate::error::{Error, Result};
use crate::model::EntityType;
use crate::text::{fold_diacritics, name_key};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The index file name inside a KB directory.
pub const INDEX_FILE: &str = "index.kgi";
const MAGIC: &[u8; 8] = b"KGLINKKB";
const VERSION: u32 = 1;
const HEADER: usize = 80;

/// One entity handed to [`write_index`].
#[derive(Debug, Clone)]
pub struct IndexEntity<'a> {
    /// Wikidata QID.
    pub qid: &'a str,
    /// Type.
    pub etype: EntityType,
    /// Prior 1–100.
    pub prior: u8,
    /// Preferred name.
    pub label: &'a str,
    /// Short description (may be empty).
    pub description: &'a str,
    /// Every name with its kind.
    pub names: Vec<(&'a str, AliasKind)>,
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
    /// File size in bytes.
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

/// Name parts that are never a family name alone.
const PARTICLES: &[&str] = &[
    "jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "de", "da", "van", "von", "bin", "al", "el", "la",
    "le", "del", "der", "di", "du", "dos", "ibn", "abu", "bint",
];

/// The keys of one entity: every name, its folded variant, a person's family name.
fn keys_of(e: &IndexEntity<'_>, mut add: impl FnMut(String, AliasKind)) {
    for (name, kind) in &e.names {
        add(name_key(name), *kind);
        if let Some(f) = fold_diacritics(name) {
            add(name_key(&f), *kind);
        }
    }
    if e.etype == EntityType::Per {
        let words: Vec<&str> = e.label.split_whitespace().collect();
        let regnal = words.contains(&"of")
            || words
                .iter()
                .any(|w| w.chars().all(|c| matches!(c, 'I' | 'V' | 'X' | 'L')));
        if words.len() >= 2 && !regnal {
            if let Some(last) = words
                .iter()
                .rev()
                .find(|w| !PARTICLES.contains(&w.to_lowercase().as_str()))
            {
                let family = last.trim_end_matches(',');
                if family.chars().count() >= 3
                    && family.chars().next().is_some_and(char::is_uppercase)
                {
                    add(name_key(family), AliasKind::Surname);
                    if let Some(f) = fold_diacritics(family) {
                        add(name_key(&f), AliasKind::Surname);
                    }
                }
            }
        }
    }
}

fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Writes the index file at `path` (through a temporary file renamed at the end).
pub fn write_index(path: &Path, entities: Vec<IndexEntity<'_>>) -> Result<IndexSize> {
    let n = entities.len();
    if n > u32::MAX as usize {
        return Err(Error::Kb("more than 2^32 entities".into()));
    }
    // (key, entity, kind), sorted, one per (key, entity) with its strongest kind
    let mut pairs: Vec<(String, u32, u8)> = Vec::with_capacity(n * 4);
    for (i, e) in entities.iter().enumerate() {
        keys_of(e, |key, kind| {
            if key.chars().count() >= 2 {
                pairs.push((key, i as u32, kind_code(kind)));
            }
        });
    }
    pairs.sort_unstable();
    pairs.dedup_by(|b, a| a.0 == b.0 && a.1 == b.1);

    let mut offsets: Vec<u8> = Vec::with_capacity(n * 8);
    let mut records: Vec<u8> = Vec::with_capacity(n * 40);
    for e in &entities {
        offsets.extend_from_slice(&(records.len() as u64).to_le_bytes());
        let qnum: u32 = e
            .qid
            .strip_prefix('Q')
            .and_then(|d| d.parse().ok())
            .ok_or_else(|| Error::Kb(format!("{:?} is not a QID", e.qid)))?;
        records.extend_from_slice(&qnum.to_le_bytes());
        records.push(type_code(e.etype));
        records.push(e.prior);
        for s in [e.label, e.description] {
            let s = cut(s, u16::MAX as usize);
            records.extend_from_slice(&(s.len() as u16).to_le_bytes());
            records.extend_from_slice(s.as_bytes());
        }
    }
    let mut postings: Vec<u8> = Vec::with_capacity(pairs.len() * 6);
    let mut fst = fst::MapBuilder::memory();
    let mut keys = 0u64;
    let mut i = 0;
    while i < pairs.len() {
        let mut j = i;
        while j < pairs.len() && pairs[j].0 == pairs[i].0 {
            j += 1;
        }
        fst.insert(pairs[i].0.as_bytes(), postings.len() as u64)
            .map_err(|e| Error::Kb(format!("index: {e}")))?;
        keys += 1;
        let mut count = (j - i) as u64;
        loop {
            let b = (count & 0x7f) as u8;
            count >>= 7;
            if count == 0 {
                postings.push(b);
                break;
            }
            postings.push(b | 0x80);
        }
        for (_, entity, kind) in &pairs[i..j] {
            postings.extend_from_slice(&entity.to_le_bytes());
            postings.push(*kind);
        }
        i = j;
    }
    let fst = fst
        .into_inner()
        .map_err(|e| Error::Kb(format!("index: {e}")))?;
    let off_table = HEADER as u64;
    let off_records = off_table + offsets.len() as u64;
    let off_postings = off_records + records.len() as u64;
    let off_fst = off_postings + postings.len() as u64;
    let total = off_fst + fst.len() as u64;
    let mut header = Vec::with_capacity(HEADER);
    header.extend_from_slice(MAGIC);
    header.extend_from_slice(&VERSION.to_le_bytes());
    header.extend_from_slice(&0u32.to_le_bytes());
    for v in [
        n as u64,
        keys,
        off_table,
        off_records,
        off_postings,
        off_fst,
        fst.len() as u64,
        total,
    ] {
        header.extend_from_slice(&v.to_le_bytes());
    }
    debug_assert_eq!(header.len(), HEADER);
    let tmp: PathBuf = path.with_extension(format!("tmp-{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        for part in [&header, &offsets, &records, &postings, &fst] {
            f.write_all(part)?;
        }
        f.into_inner()?.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(path, e)
    })?;
    Ok(IndexSize {
        entities: n as u64,
        keys,
        postings: pairs.len() as u64,
        bytes: total,
    })
}

/// A slice of the memory map, for the FST.
#[derive(Clone)]
struct Slice {
    map: Arc<memmap2::Mmap>,
    start: usize,
    end: usize,
}

impl AsRef<[u8]> for Slice {
    fn as_ref(&self) -> &[u8] {
        &self.map[self.start..self.end]
    }
}

/// An entity as the index stores it.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexedEntity<'a> {
    /// QID.
    pub qid: String,
    /// Type.
    pub etype: EntityType,
    /// Prior 1–100.
    pub prior: u8,
    /// Preferred name.
    pub label: &'a str,
    /// Description (may be empty).
    pub description: &'a str,
}

/// An opened `index.kgi`.
pub struct DiskIndex {
    path: PathBuf,
    map: Arc<memmap2::Mmap>,
    fst: fst::Map<Slice>,
    entities: u64,
    keys: u64,
    off_table: usize,
    off_records: usize,
    off_postings: usize,
    off_fst: usize,
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

impl DiskIndex {
    /// Opens and checks an index file.
    pub fn open(path: &Path) -> Result<DiskIndex> {
        let bad = |m: String| Error::Kb(format!("{}: {m}", path.display()));
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        // SAFETY: the map is read-only and kglink never writes an index in
        // place (it writes a new file and renames it); a file truncated by
        // another process while mapped is outside what we can guard against.
        let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| Error::io(path, e))?;
        if map.len() < HEADER {
            return Err(bad(format!(
                "truncated: {} bytes, shorter than the {HEADER}-byte header",
                map.len()
            )));
        }
        if &map[..8] != MAGIC {
            return Err(bad("not a kglink KB index (wrong magic)".into()));
        }
        let u32_at = |o: usize| u32::from_le_bytes(map[o..o + 4].try_into().expect("4 bytes"));
        let u64_at = |o: usize| u64::from_le_bytes(map[o..o + 8].try_into().expect("8 bytes"));
        let version = u32_at(8);
        if version != VERSION {
            return Err(bad(format!(
                "index format version {version}, this kglink reads version {VERSION} (rebuild with `kglink kb build`)"
            )));
        }
        let [entities, keys, off_table, off_records, off_postings, off_fst, fst_len, total] =
            [16, 24, 32, 40, 48, 56, 64, 72].map(u64_at);
        if total != map.len() as u64 {
            return Err(bad(format!(
                "truncated or padded: header says {total} bytes, file has {}",
                map.len()
            )));
        }
        let ordered = off_table == HEADER as u64
            && entities
                .checked_mul(8)
                .and_then(|t| t.checked_add(off_table))
                == Some(off_records)
            && off_records <= off_postings
            && off_postings <= off_fst
            && off_fst.checked_add(fst_len) == Some(total);
        if !ordered {
            return Err(bad(
                "corrupt header: sections out of order or out of the file".into(),
            ));
        }
        let map = Arc::new(map);
        let slice = Slice {
            map: map.clone(),
            start: off_fst as usize,
            end: total as usize,
        };
        let fst = fst::Map::new(slice).map_err(|e| bad(format!("corrupt alias map: {e}")))?;
        if fst.len() as u64 != keys {
            return Err(bad(format!(
                "corrupt: {} keys in the alias map, header says {keys}",
                fst.len()
            )));
        }
        Ok(DiskIndex {
            path: path.to_path_buf(),
            map,
            fst,
            entities,
            keys,
            off_table: off_table as usize,
            off_records: off_records as usize,
            off_postings: off_postings as usize,
            off_fst: off_fst as usize,
        })
    }

    fn corrupt(&self, what: &str) -> Error {
        Error::Kb(format!("{}: corrupt index ({what})", self.path.display()))
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

    /// File size in bytes.
    pub fn bytes(&self) -> u64 {
        self.map.len() as u64
    }

    /// The entities under a name (normalized with [`name_key`]), with the kind of
    /// the name.
    pub fn lookup(&self, name: &str) -> Result<Vec<(EntityId, AliasKind)>> {
        self.lookup_key(&name_key(name))
    }

    /// The entities under an already normalized key.
    pub fn lookup_key(&self, key: &str) -> Result<Vec<(EntityId, AliasKind)>> {
        let found = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.fst.get(key)))
            .map_err(|_| self.corrupt("alias map"))?;
        let Some(off) = found else {
            return Ok(Vec::new());
        };
        let mut p = self
            .off_postings
            .checked_add(off as usize)
            .filter(|&p| p < self.off_fst)
            .ok_or_else(|| self.corrupt("postings offset"))?;
        let mut count = 0u64;
        let mut shift = 0;
        loop {
            if p >= self.off_fst || shift > 28 {
                return Err(self.corrupt("postings count"));
            }
            let b = self.map[p];
            p += 1;
            count |= u64::from(b & 0x7f) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                break;
            }
        }
        let end = (count as usize)
            .checked_mul(5)
            .and_then(|l| l.checked_add(p))
            .filter(|&e| e <= self.off_fst)
            .ok_or_else(|| self.corrupt("postings length"))?;
        self.map[p..end]
            .chunks_exact(5)
            .map(|c| {
                let id = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
                let kind = kind_of(c[4]).ok_or_else(|| self.corrupt("alias kind"))?;
                if u64::from(id) >= self.entities {
                    return Err(self.corrupt("entity id"));
                }
                Ok((id, kind))
            })
            .collect()
    }

    /// The record of entity `id`.
    pub fn entity(&self, id: EntityId) -> Result<IndexedEntity<'_>> {
        if u64::from(id) >= self.entities {
            return Err(self.corrupt("entity id"));
        }
        let t = self.off_table + id as usize * 8;
        let rel = u64::from_le_bytes(self.map[t..t + 8].try_into().expect("8 bytes"));
        let rec = &self.map[self.off_records..self.off_postings];
        let mut p = usize::try_from(rel).map_err(|_| self.corrupt("record offset"))?;
        let mut take = |n: usize| -> Result<&[u8]> {
            let s = rec
                .get(p..p.checked_add(n).ok_or_else(|| self.corrupt("record"))?)
                .ok_or_else(|| self.corrupt("record out of bounds"))?;
            p += n;
            Ok(s)
        };
        let qnum = u32::from_le_bytes(take(4)?.try_into().expect("4 bytes"));
        let etype = type_of(take(1)?[0]).ok_or_else(|| self.corrupt("entity type"))?;
        let prior = take(1)?[0];
        let mut text = || -> Result<&str> {
            let len = u16::from_le_bytes(take(2)?.try_into().expect("2 bytes")) as usize;
            std::str::from_utf8(take(len)?).map_err(|_| self.corrupt("text not UTF-8"))
        };
        let label = text()?;
        let description = text()?;
        Ok(IndexedEntity {
            qid: format!("Q{qnum}"),
            etype,
            prior,
            label,
            description,
        })
    }

    /// Candidates for a name, best prior first: `(entity, kind, score)` with the
    /// prior as score (0–1), as [`super::Kb::lookup`] ranks them.
    pub fn candidates(&self, name: &str) -> Result<Vec<(IndexedEntity<'_>, AliasKind, f32)>> {
        let mut out = Vec::new();
        for (id, kind) in self.lookup(name)? {
            let e = self.entity(id)?;
            let score = f32::from(e.prior) / 100.0;
            out.push((e, kind, score));
        }
        out.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.1.cmp(&b.1)));
        Ok(out)
    }

    /// Reads every postings list and record: a full check of the file
    /// (`kb stats --verify`).
    pub fn verify(&self) -> Result<()> {
        use fst::Streamer;
        self.fst
            .as_fst()
            .verify()
            .map_err(|e| self.corrupt(&format!("alias map: {e}")))?;
        let mut stream = self.fst.stream();
        let mut keys = Vec::new();
        while let Some((k, _)) = stream.next() {
            keys.push(k.to_vec());
        }
        for k in keys {
            let k = std::str::from_utf8(&k).map_err(|_| self.corrupt("key not UTF-8"))?;
            self.lookup_key(k)?;
        }
        for id in 0..self.entities {
            self.entity(id as EntityId)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(dir: &Path) -> PathBuf {
        let p = dir.join(INDEX_FILE);
        write_index(
            &p,
            vec![
                IndexEntity {
                    qid: "Q45",
                    etype: EntityType::Country,
                    prior: 80,
                    label: "Portugal",
                    description: "country in Europe",
                    names: vec![
                        ("Portugal", AliasKind::Label),
                        ("Portuguese", AliasKind::Demonym),
                    ],
                },
                IndexEntity {
                    qid: "Q42",
                    etype: EntityType::Per,
                    prior: 60,
                    label: "Douglas Adams",
                    description: "",
                    names: vec![
                        ("Douglas Adams", AliasKind::Label),
                        ("Douglas Noël Adams", AliasKind::Alias),
                    ],
                },
            ],
        )
        .unwrap();
        p
    }

    #[test]
    fn round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let idx = DiskIndex::open(&sample(dir.path())).unwrap();
        assert_eq!(idx.len(), 2);
        let hits = idx.lookup("PORTUGUESE").unwrap();
        assert_eq!(hits, [(0, AliasKind::Demonym)]);
        assert_eq!(idx.lookup("Adams").unwrap(), [(1, AliasKind::Surname)]);
        assert_eq!(
            idx.lookup("douglas noel adams").unwrap(),
            [(1, AliasKind::Alias)]
        );
        assert!(idx.lookup("Lisbon").unwrap().is_empty());
        let e = idx.entity(1).unwrap();
        assert_eq!(
            (e.qid.as_str(), e.label, e.prior),
            ("Q42", "Douglas Adams", 60)
        );
        assert!(idx.entity(2).is_err());
        idx.verify().unwrap();
    }

    #[test]
    fn damaged_files_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let p = sample(dir.path());
        let good = std::fs::read(&p).unwrap();
        let q = dir.path().join("bad.kgi");
        // every truncation
        for len in 0..good.len() {
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
        for i in HEADER..good.len() {
            let mut b = good.clone();
            b[i] ^= 0xff;
            std::fs::write(&q, &b).unwrap();
            if let Ok(idx) = DiskIndex::open(&q) {
                for name in ["portugal", "portuguese", "adams", "douglas adams"] {
                    let _ = idx.lookup(name);
                }
                let _ = idx.entity(0);
                let _ = idx.entity(1);
                let _ = idx.verify();
            }
        }
    }
}
