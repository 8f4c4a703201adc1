//! The averaged perceptron: the weights being trained.
//!
//! One row of integer weights per feature hash (one weight per label), created
//! on the first update that touches it. When the decoded label sequence of a
//! sentence differs from the gold one, the features of the gold sequence gain
//! one on their labels and those of the decoded sequence lose one (Collins'
//! structured perceptron, 2002). The model kept is the average of the weights over all training steps
//! (which generalizes much better than the last weights), computed without
//! storing every step: each update at step `c` also adds `c·δ` to an
//! accumulator, and the average after `n` steps is `w − acc / n`.

use super::features::IdMap;

/// Weights under training.
#[derive(Debug)]
pub struct Perceptron {
    n_labels: usize,
    index: IdMap<u32>,
    keys: Vec<u64>,
    weights: Vec<i32>,
    acc: Vec<i64>,
    steps: i64,
}

impl Perceptron {
    /// Empty weights for `n_labels` labels.
    pub fn new(n_labels: usize) -> Self {
        Perceptron {
            n_labels,
            index: IdMap::default(),
            keys: Vec::new(),
            weights: Vec::new(),
            acc: Vec::new(),
            steps: 0,
        }
    }

    /// Adds the current weights of `features` to `scores`.
    pub fn score(&self, features: &[u64], scores: &mut [f32]) {
        for f in features {
            if let Some(&r) = self.index.get(f) {
                let row = &self.weights[r as usize * self.n_labels..][..self.n_labels];
                for (s, &w) in scores.iter_mut().zip(row) {
                    *s += w as f32;
                }
            }
        }
    }

    /// Learns from one token: `gold` was right, `guess` was chosen.
    pub fn update(&mut self, features: &[u64], gold: usize, guess: usize) {
        if gold != guess {
            self.add(features, gold, 1);
            self.add(features, guess, -1);
        }
    }

    /// Adds `delta` to the weights of `label` for `features`.
    pub fn add(&mut self, features: &[u64], label: usize, delta: i32) {
        let n = self.n_labels;
        for &f in features {
            let r = *self.index.entry(f).or_insert_with(|| {
                self.keys.push(f);
                self.weights.extend(std::iter::repeat_n(0, n));
                self.acc.extend(std::iter::repeat_n(0, n));
                (self.keys.len() - 1) as u32
            }) as usize;
            self.weights[r * n + label] += delta;
            self.acc[r * n + label] += self.steps * i64::from(delta);
        }
    }

    /// Counts one training step (one token), after its update.
    pub fn step(&mut self) {
        self.steps += 1;
    }

    /// Number of features with weights.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True before the first update.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The averaged weights, sorted by feature hash; weights below `min_abs` in
    /// magnitude become zero and rows left all zero are dropped.
    pub fn averaged(&self, min_abs: f32) -> Vec<(u64, Vec<f32>)> {
        let n = self.n_labels;
        let steps = self.steps.max(1) as f64;
        let mut rows: Vec<(u64, Vec<f32>)> = self
            .keys
            .iter()
            .enumerate()
            .filter_map(|(r, &key)| {
                let row: Vec<f32> = (0..n)
                    .map(|l| {
                        let avg =
                            f64::from(self.weights[r * n + l]) - self.acc[r * n + l] as f64 / steps;
                        let avg = avg as f32;
                        if avg.abs() < min_abs {
                            0.0
                        } else {
                            avg
                        }
                    })
                    .collect();
                row.iter().any(|&w| w != 0.0).then_some((key, row))
            })
            .collect();
        rows.sort_unstable_by_key(|r| r.0);
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn averaging_weighs_updates_by_how_long_they_lasted() {
        let mut p = Perceptron::new(2);
        // step 0: a mistake on feature 7 (gold 1, guessed 0)
        p.update(&[7], 1, 0);
        p.step();
        // three more steps without mistakes
        for _ in 0..3 {
            p.step();
        }
        // the update was in force for all four steps
        assert_eq!(p.averaged(0.0), vec![(7, vec![-1.0, 1.0])]);
        // a late opposite update cancels only a quarter of it on average
        p.update(&[7], 0, 1);
        p.step();
        let avg = p.averaged(0.0);
        assert!((avg[0].1[1] - 0.8).abs() < 1e-6, "{avg:?}");
        assert!(p.averaged(0.9).is_empty());
        let mut s = [0.0f32; 2];
        p.score(&[7, 8], &mut s);
        assert_eq!(s, [0.0, 0.0]);
    }
}
