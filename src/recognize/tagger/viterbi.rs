//! Viterbi decoding: the best label sequence of one sentence under a
//! first-order model.
//!
//! A path's score is the sum over its tokens of three parts: the token's own
//! score for its label (`local`), the score of moving from the previous label
//! to it (`trans`), and the scores of features that pair the previous label
//! with the token (`pair`, such as "previous label B-PER and this word"). A
//! transition scored `-inf` is forbidden, which is how a tag scheme's
//! well-formedness is enforced.

/// The scores of one sentence's lattice.
pub struct Lattice<'a> {
    /// Number of labels.
    pub n: usize,
    /// `local[k · n + l]`: label `l` at token `k`, whatever came before.
    pub local: &'a [f32],
    /// `trans[(p + 1) · n + l]`: label `l` after label `p`; row 0 is the
    /// sentence start.
    pub trans: &'a [f32],
    /// `end[l]`: label `l` on the last token.
    pub end: &'a [f32],
}

impl Lattice<'_> {
    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.local.len() / self.n
    }

    /// True for an empty sentence.
    pub fn is_empty(&self) -> bool {
        self.local.is_empty()
    }

    /// The scores of every label at token `k` after label `prev`, into
    /// `out`; `pairs` holds token `k`'s pair scores, as [`Lattice::best_path`]
    /// describes.
    pub fn scores_after(&self, k: usize, prev: Option<usize>, pairs: &[f32], out: &mut [f32]) {
        let n = self.n;
        let row = prev.map_or(0, |p| p + 1) * n;
        let local = &self.local[k * n..][..n];
        for (l, o) in out.iter_mut().enumerate() {
            *o = local[l] + self.trans[row + l] + pairs[row + l];
        }
        if k + 1 == self.len() {
            for (o, &e) in out.iter_mut().zip(self.end) {
                *o += e;
            }
        }
    }

    /// The best path. `pair(k, pairs)` adds to `pairs` (zeroed, `(n + 1) · n`
    /// long, laid out like `trans`) the scores of the features that pair
    /// token `k` with each previous label.
    pub fn best_path(&self, mut pair: impl FnMut(usize, &mut [f32])) -> Vec<usize> {
        let (n, len) = (self.n, self.len());
        if len == 0 {
            return Vec::new();
        }
        let mut pairs = vec![0f32; (n + 1) * n];
        let mut delta = vec![0f32; n];
        let mut next = vec![0f32; n];
        let mut scores = vec![0f32; n];
        let mut back = vec![0u8; len * n];
        pair(0, &mut pairs);
        self.scores_after(0, None, &pairs, &mut delta);
        for k in 1..len {
            pairs.fill(0.0);
            pair(k, &mut pairs);
            next.fill(f32::NEG_INFINITY);
            for (p, &dp) in delta.iter().enumerate() {
                if dp == f32::NEG_INFINITY {
                    continue;
                }
                self.scores_after(k, Some(p), &pairs, &mut scores);
                let back = &mut back[k * n..][..n];
                for ((&s, best), from) in scores.iter().zip(next.iter_mut()).zip(back) {
                    if dp + s > *best {
                        *best = dp + s;
                        *from = p as u8;
                    }
                }
            }
            std::mem::swap(&mut delta, &mut next);
        }
        let mut path = vec![0usize; len];
        path[len - 1] = super::argmax(&delta);
        for k in (1..len).rev() {
            path[k - 1] = usize::from(back[k * n + path[k]]);
        }
        path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// xorshift64*, for reproducible random lattices.
    fn rand(state: &mut u64) -> f32 {
        *state ^= *state >> 12;
        *state ^= *state << 25;
        *state ^= *state >> 27;
        (state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 40) as f32 / (1u64 << 24) as f32 - 0.5
    }

    #[test]
    fn finds_the_best_of_all_paths() {
        let mut s = 0x9e37_79b9_7f4a_7c15u64;
        let (n, len) = (3, 4);
        for _ in 0..50 {
            let local: Vec<f32> = (0..n * len).map(|_| rand(&mut s)).collect();
            let mut trans: Vec<f32> = (0..(n + 1) * n).map(|_| rand(&mut s)).collect();
            trans[n + 2] = f32::NEG_INFINITY; // label 2 never follows label 0
            let end: Vec<f32> = (0..n).map(|_| rand(&mut s)).collect();
            let pairw: Vec<f32> = (0..len * (n + 1) * n).map(|_| rand(&mut s)).collect();
            let pair = |k: usize, out: &mut [f32]| {
                for (o, w) in out.iter_mut().zip(&pairw[k * (n + 1) * n..]) {
                    *o += w;
                }
            };
            let lattice = Lattice {
                n,
                local: &local,
                trans: &trans,
                end: &end,
            };
            let score = |path: &[usize]| -> f32 {
                let mut total = 0.0;
                for (k, &l) in path.iter().enumerate() {
                    let mut pairs = vec![0f32; (n + 1) * n];
                    pair(k, &mut pairs);
                    let mut v = vec![0f32; n];
                    let prev = k.checked_sub(1).map(|j| path[j]);
                    lattice.scores_after(k, prev, &pairs, &mut v);
                    total += v[l];
                }
                total
            };
            let mut best = (f32::NEG_INFINITY, vec![]);
            for code in 0..n.pow(len as u32) {
                let path: Vec<usize> = (0..len).map(|k| code / n.pow(k as u32) % n).collect();
                let v = score(&path);
                if v > best.0 {
                    best = (v, path);
                }
            }
            let found = lattice.best_path(pair);
            assert!(
                (score(&found) - best.0).abs() < 1e-4,
                "{found:?} vs {best:?}"
            );
            assert!(found.windows(2).all(|w| !(w[0] == 0 && w[1] == 2)));
        }
    }
}
