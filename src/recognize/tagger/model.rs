//! The tagger's model: weights per feature hash, and their compact, versioned
//! binary form (`data/model/ner.bin`).
//!
//! # File format
//!
//! All numbers little-endian.
//!
//! | bytes | field |
//! |---|---|
//! | 8 | magic `KGLNER\r\n` |
//! | 4 | format version, `u32` ([`FORMAT_VERSION`]) |
//! | 4 | feature version, `u32` ([`super::features::FEATURE_VERSION`]) |
//! | 1 | tag scheme (1 BIO, 2 BILOU) |
//! | 1 | number of labels |
//! | 1 | flags: bit 0 set when decoding keeps label sequences well formed |
//! | 1 | reserved, 0 |
//! | 4 | softmax temperature of the scores, `f32` |
//! | 4 | weight scale, `f32`: a stored weight `q` means `q · scale` |
//! | 8 | FNV-1a 64 checksum of the word-clusters file the features read ([`super::clusters`]), 0 for none |
//! | 4 | number of rows, `u32` |
//! | … | rows, by increasing feature hash: hash `u64`, label mask `u32` (bit `l` set when label `l` has a weight), then one `i16` per set bit |
//! | 8 | FNV-1a 64 checksum of everything before it |
//!
//! [`Model::from_bytes`] checks all of it (magic, versions, scheme, sizes, order,
//! checksum) and says what is wrong; it never panics on bad input. Format
//! version 1 (feature version 3, before word clusters) had no clusters field and
//! still reads, as a model without clusters. A model that names a clusters file
//! is only used with that file ([`super::Tagger::with_clusters`] refuses
//! another). Weights are
//! quantized to 16 bits against the largest weight and near-zero weights are
//! pruned before saving, so a model trained on CoNLL-2003 takes a few MB.

use super::features::{fnv, IdMap, FEATURE_VERSION, PAIR_BIT};
use super::scheme::Scheme;
use crate::error::{Error, Result};

/// The magic bytes at the start of a model file.
pub const MAGIC: [u8; 8] = *b"KGLNER\r\n";
/// The version of the file layout.
pub const FORMAT_VERSION: u32 = 2;
const HEADER: usize = 40;
const HEADER_V1: usize = 32;

/// Weights ready for tagging.
#[derive(Debug, Clone)]
pub struct Model {
    scheme: Scheme,
    constrained: bool,
    temperature: f32,
    scale: f32,
    /// Checksum of the word clusters the features were extracted with, 0 for none.
    clusters: u64,
    keys: Vec<u64>,
    /// Row of each key without the [`PAIR_BIT`].
    index: IdMap<u32>,
    /// Pair features by base key (see [`super::features::TextFeatures::pair_bases`]):
    /// a range of `pair_rows`.
    pairs: IdMap<(u32, u32)>,
    /// Previous-label code and row of each pair feature, grouped by base key.
    pair_rows: Vec<(u8, u32)>,
    /// Row-major, one row of `n_labels` weights per key.
    weights: Vec<f32>,
}

impl Model {
    /// A model from rows of weights sorted by feature hash (as
    /// [`super::perceptron::Perceptron::averaged`] gives them), quantized.
    pub fn from_rows(
        scheme: Scheme,
        constrained: bool,
        temperature: f32,
        rows: &[(u64, Vec<f32>)],
    ) -> Model {
        let n = scheme.n_labels();
        let max = rows
            .iter()
            .flat_map(|r| r.1.iter())
            .fold(0f32, |m, w| m.max(w.abs()));
        let scale = if max > 0.0 { max / 32767.0 } else { 1.0 };
        let mut model = Model {
            scheme,
            constrained,
            temperature,
            scale,
            clusters: 0,
            keys: Vec::with_capacity(rows.len()),
            index: IdMap::default(),
            pairs: IdMap::default(),
            pair_rows: Vec::new(),
            weights: Vec::with_capacity(rows.len() * n),
        };
        for (key, row) in rows {
            let q: Vec<f32> = row
                .iter()
                .map(|w| (w / scale).round().clamp(-32767.0, 32767.0) * scale)
                .collect();
            if q.iter().all(|&w| w == 0.0) {
                continue;
            }
            model.push(*key, &q);
        }
        model
    }

    /// Adds a row; keys must come in increasing order.
    fn push(&mut self, key: u64, row: &[f32]) {
        let r = self.keys.len() as u32;
        if key & PAIR_BIT == 0 {
            self.index.insert(key, r);
        } else {
            let base = key & !0xff;
            let start = self.pair_rows.len() as u32;
            self.pairs.entry(base).or_insert((start, 0)).1 += 1;
            self.pair_rows.push(((key & 0xff) as u8, r));
        }
        self.keys.push(key);
        self.weights.extend_from_slice(row);
    }

    /// The tag scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// Whether decoding keeps label sequences well formed.
    pub fn constrained(&self) -> bool {
        self.constrained
    }

    /// The temperature that turns scores into probabilities.
    pub fn temperature(&self) -> f32 {
        self.temperature
    }

    /// Sets the temperature (calibration after training).
    pub fn set_temperature(&mut self, t: f32) {
        self.temperature = t;
    }

    /// Checksum of the word-clusters file the model's features read
    /// ([`super::clusters::Clusters::checksum`]), 0 when it reads none.
    pub fn clusters_checksum(&self) -> u64 {
        self.clusters
    }

    /// Records the clusters the model was trained with.
    pub fn set_clusters_checksum(&mut self, checksum: u64) {
        self.clusters = checksum;
    }

    /// Number of features with weights.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when no feature has a weight.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The weights as rows sorted by feature hash (what
    /// [`Model::from_rows`] takes).
    pub fn rows(&self) -> Vec<(u64, Vec<f32>)> {
        let n = self.scheme.n_labels();
        self.keys
            .iter()
            .enumerate()
            .map(|(r, &k)| (k, self.weights[r * n..][..n].to_vec()))
            .collect()
    }

    /// Adds the weights of `features` to `scores`.
    #[inline]
    pub fn score(&self, features: &[u64], scores: &mut [f32]) {
        let n = scores.len();
        for f in features {
            if let Some(&r) = self.index.get(f) {
                let row = &self.weights[r as usize * n..][..n];
                for (s, &w) in scores.iter_mut().zip(row) {
                    *s += w;
                }
            }
        }
    }

    /// Adds the weights of the pair features with keys `bases` to `pairs`,
    /// laid out like [`super::viterbi::Lattice::trans`]: the row of
    /// previous-label code `c` starts at `c · n_labels`.
    #[inline]
    pub fn score_pairs(&self, bases: &[u64], pairs: &mut [f32]) {
        let n = self.scheme.n_labels();
        for b in bases {
            let Some(&(start, len)) = self.pairs.get(b) else {
                continue;
            };
            for &(code, r) in &self.pair_rows[start as usize..][..len as usize] {
                let row = &self.weights[r as usize * n..][..n];
                let at = usize::from(code) * n;
                let Some(out) = pairs.get_mut(at..at + n) else {
                    continue;
                };
                for (o, &w) in out.iter_mut().zip(row) {
                    *o += w;
                }
            }
        }
    }

    /// The model in the file format above.
    pub fn to_bytes(&self) -> Vec<u8> {
        let n = self.scheme.n_labels();
        let mut out = Vec::with_capacity(HEADER + self.keys.len() * 20 + 8);
        out.extend_from_slice(&MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&FEATURE_VERSION.to_le_bytes());
        out.push(self.scheme.code());
        out.push(n as u8);
        out.extend_from_slice(&[u8::from(self.constrained), 0]);
        out.extend_from_slice(&self.temperature.to_le_bytes());
        out.extend_from_slice(&self.scale.to_le_bytes());
        out.extend_from_slice(&self.clusters.to_le_bytes());
        out.extend_from_slice(&(self.keys.len() as u32).to_le_bytes());
        for (r, key) in self.keys.iter().enumerate() {
            let row = &self.weights[r * n..][..n];
            let q: Vec<i16> = row
                .iter()
                .map(|w| (w / self.scale).round() as i16)
                .collect();
            let mask = q
                .iter()
                .enumerate()
                .filter(|(_, &v)| v != 0)
                .fold(0u32, |m, (l, _)| m | 1 << l);
            out.extend_from_slice(&key.to_le_bytes());
            out.extend_from_slice(&mask.to_le_bytes());
            for v in q.into_iter().filter(|&v| v != 0) {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        let sum = fnv(&out);
        out.extend_from_slice(&sum.to_le_bytes());
        out
    }

    /// Reads a model written by [`Model::to_bytes`], checking everything.
    pub fn from_bytes(bytes: &[u8]) -> Result<Model> {
        let bad = |m: String| Error::Model(m);
        if bytes.is_empty() || !bytes.starts_with(&MAGIC[..bytes.len().min(MAGIC.len())]) {
            return Err(bad("not a kglink tagger model (bad magic bytes)".into()));
        }
        if bytes.len() < HEADER_V1 + 8 {
            return Err(bad(format!(
                "truncated: {} bytes, shorter than the {}-byte header",
                bytes.len(),
                HEADER + 8
            )));
        }
        let u32_at = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().expect("4 bytes"));
        let f32_at = |i: usize| f32::from_le_bytes(bytes[i..i + 4].try_into().expect("4 bytes"));
        let version = u32_at(8);
        let header = match version {
            1 => HEADER_V1,
            FORMAT_VERSION => HEADER,
            _ => {
                return Err(bad(format!(
                    "format version {version}, this kglink reads versions 1 and {FORMAT_VERSION}"
                )))
            }
        };
        if bytes.len() < header + 8 {
            return Err(bad(format!(
                "truncated: {} bytes, shorter than the {}-byte header",
                bytes.len(),
                header + 8
            )));
        }
        let features = u32_at(12);
        let clusters = if version == 1 {
            0
        } else {
            u64::from_le_bytes(bytes[28..36].try_into().expect("8 bytes"))
        };
        // feature version 3 is version 4 without word clusters
        let old_features = features == 3 && clusters == 0;
        if features != FEATURE_VERSION && !old_features {
            return Err(bad(format!(
                "trained with feature version {features}, this kglink extracts version {FEATURE_VERSION}: retrain the model"
            )));
        }
        let scheme = Scheme::from_code(bytes[16])
            .ok_or_else(|| bad(format!("unknown tag scheme {}", bytes[16])))?;
        let n = scheme.n_labels();
        if usize::from(bytes[17]) != n {
            return Err(bad(format!(
                "{} labels, the {} scheme has {n}",
                bytes[17],
                scheme.name()
            )));
        }
        if bytes[18] > 1 || bytes[19] != 0 {
            return Err(bad(format!(
                "unknown flags {:#x} {:#x}",
                bytes[18], bytes[19]
            )));
        }
        let constrained = bytes[18] == 1;
        let (temperature, scale) = (f32_at(20), f32_at(24));
        if !(temperature.is_finite() && temperature > 0.0 && scale.is_finite() && scale > 0.0) {
            return Err(bad(format!(
                "bad temperature {temperature} or scale {scale}"
            )));
        }
        let rows = u32_at(header - 4) as usize;
        let body = &bytes[..bytes.len() - 8];
        let truncated = || {
            bad(format!(
                "truncated: {} bytes do not hold the {rows} rows the header announces",
                bytes.len()
            ))
        };
        let mut model = Model {
            scheme,
            constrained,
            temperature,
            scale,
            clusters,
            keys: Vec::with_capacity(rows.min(body.len() / 12)),
            index: IdMap::default(),
            pairs: IdMap::default(),
            pair_rows: Vec::new(),
            weights: Vec::with_capacity(rows.min(body.len() / 12) * n),
        };
        model.index.reserve(rows.min(body.len() / 12));
        let mut pos = header;
        let mut row = vec![0f32; n];
        for r in 0..rows {
            let head = body.get(pos..pos + 12).ok_or_else(truncated)?;
            let key = u64::from_le_bytes(head[..8].try_into().expect("8 bytes"));
            let mask = u32::from_le_bytes(head[8..].try_into().expect("4 bytes"));
            pos += 12;
            if mask == 0 || mask >> n != 0 {
                return Err(bad(format!("row {r}: bad label mask {mask:#x}")));
            }
            if model.keys.last().is_some_and(|&k| k >= key) {
                return Err(bad(format!("row {r}: feature hashes out of order")));
            }
            if key & PAIR_BIT != 0 && (key & 0xff) as usize > n {
                return Err(bad(format!("row {r}: bad previous-label code")));
            }
            let count = mask.count_ones() as usize;
            let values = body.get(pos..pos + 2 * count).ok_or_else(truncated)?;
            pos += 2 * count;
            row.fill(0.0);
            let mut k = 0;
            for (l, w) in row.iter_mut().enumerate() {
                if mask & 1 << l != 0 {
                    let q = i16::from_le_bytes([values[2 * k], values[2 * k + 1]]);
                    *w = f32::from(q) * scale;
                    k += 1;
                }
            }
            model.push(key, &row);
        }
        if pos != body.len() {
            return Err(bad(format!(
                "{} bytes after the last row",
                body.len() - pos
            )));
        }
        let stored = u64::from_le_bytes(bytes[body.len()..].try_into().expect("8 bytes"));
        if stored != fnv(body) {
            return Err(bad("checksum mismatch: the file is corrupt".into()));
        }
        Ok(model)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Model {
        let n = Scheme::Bilou.n_labels();
        let mut a = vec![0.0; n];
        a[1] = 2.5;
        a[16] = -1.25;
        let mut b = vec![0.0; n];
        b[0] = 0.5;
        let mut c = vec![0.0; n];
        c[2] = 1.0;
        let pair = PAIR_BIT | 0x500;
        Model::from_rows(
            Scheme::Bilou,
            true,
            1.5,
            &[
                (3, a),
                (9, b),
                (12, vec![0.0; n]),
                (pair, c.clone()),
                (pair | 3, c),
            ],
        )
    }

    #[test]
    fn round_trip() {
        let m = sample();
        assert_eq!(m.len(), 4, "the all-zero row is dropped");
        let bytes = m.to_bytes();
        let back = Model::from_bytes(&bytes).unwrap();
        assert_eq!(back.to_bytes(), bytes);
        assert_eq!(back.temperature(), 1.5);
        assert!(back.constrained());
        let mut s = vec![0f32; 17];
        back.score(&[3, 9, 4], &mut s);
        assert!(
            (s[1] - 2.5).abs() < 1e-3 && (s[16] + 1.25).abs() < 1e-3 && (s[0] - 0.5).abs() < 1e-3
        );
    }

    #[test]
    fn bad_files_are_clear_errors() {
        let bytes = sample().to_bytes();
        let msg = |b: &[u8]| Model::from_bytes(b).unwrap_err().to_string();
        for cut in [0, 5, 20, 39, bytes.len() - 9, bytes.len() - 1] {
            let m = msg(&bytes[..cut]);
            assert!(
                m.contains("truncated") || m.contains("magic") || m.contains("checksum"),
                "{cut}: {m}"
            );
        }
        assert!(msg(&bytes[..bytes.len() - 9]).contains("truncated"));
        assert!(msg(b"PK\x03\x04 a zip file, not a model at all.........").contains("bad magic"));
        let mut v = bytes.clone();
        v[12] = 99;
        assert!(msg(&v).contains("feature version 99"));
        let mut v = bytes.clone();
        v[HEADER + 2] ^= 1;
        assert!(msg(&v).contains("checksum") || msg(&v).contains("order"));
        let mut v = bytes;
        v.push(0);
        assert!(Model::from_bytes(&v).is_err());
    }
}
