//! `--shard i/n`: a deterministic split of the input by article ID, so that `n`
//! jobs (on one machine or many) each take their part and together take all.

use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;

/// Part `index` (0-based) of `count` parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This job's part, `0..count`.
    pub index: u64,
    /// How many parts.
    pub count: u64,
}

impl Shard {
    /// The whole input.
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    /// The part an article ID falls in: the first 8 bytes of the SHA-256 of the
    /// ID (big-endian) modulo the number of parts. The same on every machine.
    pub fn of(id: &str, count: u64) -> u64 {
        let d = Sha256::digest(id.as_bytes());
        let mut b = [0u8; 8];
        b.copy_from_slice(&d[..8]);
        u64::from_be_bytes(b) % count.max(1)
    }

    /// True when the article with this ID belongs to this part.
    pub fn takes(&self, id: &str) -> bool {
        self.count <= 1 || Shard::of(id, self.count) == self.index
    }
}

impl FromStr for Shard {
    type Err = String;

    /// Parses `i/n` with `0 <= i < n`.
    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("shard {s:?}: expected i/n with 0 <= i < n (e.g. 0/4)");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u64 = i.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_ids() {
        let ids: Vec<String> = (0..1000).map(|i| format!("article-{i}")).collect();
        let mut sizes = [0usize; 4];
        for id in &ids {
            let takers: Vec<u64> = (0..4)
                .filter(|&i| Shard { index: i, count: 4 }.takes(id))
                .collect();
            assert_eq!(takers.len(), 1, "{id} taken by {takers:?}");
            sizes[takers[0] as usize] += 1;
        }
        // roughly even
        assert!(sizes.iter().all(|&n| (200..300).contains(&n)), "{sizes:?}");
        assert!(Shard::ALL.takes("anything"));
    }

    #[test]
    fn parses_and_refuses() {
        assert_eq!("1/3".parse::<Shard>(), Ok(Shard { index: 1, count: 3 }));
        for bad in ["3/3", "1", "a/2", "0/0", "-1/2"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        // the split is fixed: a known ID stays in its part across versions
        assert_eq!(Shard::of("abc", 1), 0);
        assert_eq!(Shard::of("abc", 7), Shard::of("abc", 7));
    }
}
