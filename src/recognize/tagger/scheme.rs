//! Tag schemes: how entity spans over tokens become one label per token and
//! back.
//!
//! Label 0 is `O`. With [`Scheme::Bilou`] each type has four labels, `B-` (first
//! of several tokens), `I-` (inside), `L-` (last) and `U-` (a one-token entity);
//! with [`Scheme::Bio`] two, `B-` and `I-`. A model trained with constraints
//! only decodes well-formed sequences ([`Scheme::allowed`],
//! [`Scheme::may_end`]); one trained without may produce any sequence, which
//! [`Scheme::decode`] reads leniently.

use super::NerLabel;

/// The labelling scheme of a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Begin, inside, outside.
    Bio,
    /// Begin, inside, last, outside, unit.
    Bilou,
}

/// The part of an entity a label stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Outside any entity.
    O,
    /// First token of an entity (of several tokens, with BILOU).
    B,
    /// Inside an entity.
    I,
    /// Last token of an entity (BILOU).
    L,
    /// A one-token entity (BILOU).
    U,
}

impl Scheme {
    /// The code stored in the model header.
    pub fn code(self) -> u8 {
        match self {
            Scheme::Bio => 1,
            Scheme::Bilou => 2,
        }
    }

    /// The scheme of a model-header code.
    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            1 => Some(Scheme::Bio),
            2 => Some(Scheme::Bilou),
            _ => None,
        }
    }

    /// `bio` or `bilou`.
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Bio => "bio",
            Scheme::Bilou => "bilou",
        }
    }

    fn parts(self) -> usize {
        match self {
            Scheme::Bio => 2,
            Scheme::Bilou => 4,
        }
    }

    /// Number of labels: `O` plus the parts of each of the four types.
    pub fn n_labels(self) -> usize {
        1 + NerLabel::ALL.len() * self.parts()
    }

    /// The part and type of label `i` (`None` type for `O`).
    pub fn label(self, i: usize) -> (Part, Option<NerLabel>) {
        if i == 0 {
            return (Part::O, None);
        }
        let (t, p) = ((i - 1) / self.parts(), (i - 1) % self.parts());
        let part = [Part::B, Part::I, Part::L, Part::U][p];
        (part, Some(NerLabel::ALL[t]))
    }

    /// The label of a part and type.
    pub fn index(self, part: Part, label: NerLabel) -> usize {
        let p = match (self, part) {
            (_, Part::O) => return 0,
            (_, Part::B) | (Scheme::Bio, Part::U) => 0,
            (_, Part::I) | (Scheme::Bio, Part::L) => 1,
            (Scheme::Bilou, Part::L) => 2,
            (Scheme::Bilou, Part::U) => 3,
        };
        1 + label.index() * self.parts() + p
    }

    /// The printable name of label `i`: `O`, `B-PER`, `U-LOC`, ...
    pub fn label_name(self, i: usize) -> String {
        match self.label(i) {
            (_, None) => "O".to_string(),
            (part, Some(t)) => format!("{part:?}-{}", t.as_str()),
        }
    }

    /// Whether label `next` may follow label `prev` (`None` at the start of a
    /// sentence) in a well-formed sequence.
    pub fn allowed(self, prev: Option<usize>, next: usize) -> bool {
        let (pp, pt) = prev.map_or((Part::O, None), |p| self.label(p));
        let (np, nt) = self.label(next);
        let open = matches!(pp, Part::B | Part::I);
        let continues = matches!(np, Part::I | Part::L);
        match self {
            Scheme::Bio => np != Part::I || (open && pt == nt),
            Scheme::Bilou => {
                if open {
                    continues && pt == nt
                } else {
                    !continues
                }
            }
        }
    }

    /// Whether label `l` may end a sentence in a well-formed sequence.
    pub fn may_end(self, l: usize) -> bool {
        !matches!(self.label(l).0, Part::B | Part::I) || self == Scheme::Bio
    }

    /// The index in [`NerLabel::ALL`] of label `i`'s type (`None` for `O`).
    pub fn type_index(self, i: usize) -> Option<usize> {
        self.label(i).1.map(|t| t.index())
    }

    /// Labels of `n` tokens carrying `spans` (first token, last token, type),
    /// which must be sorted and disjoint.
    pub fn encode(self, n: usize, spans: &[(usize, usize, NerLabel)]) -> Vec<u8> {
        let mut out = vec![0u8; n];
        for &(a, b, t) in spans {
            for (k, slot) in out.iter_mut().enumerate().take(b + 1).skip(a) {
                let part = match (k == a, k == b) {
                    (true, true) => Part::U,
                    (true, false) => Part::B,
                    (false, true) => Part::L,
                    (false, false) => Part::I,
                };
                *slot = self.index(part, t) as u8;
            }
        }
        out
    }

    /// Spans (first token, last token, type) of a label sequence, read
    /// leniently: `B-`/`U-` start an entity, `I-`/`L-` continue the open one
    /// whatever its type (or start one after `O`), `L-`/`U-`/`O` close it. The
    /// type of an entity is the one most of its tokens carry, the last token's
    /// on a tie.
    pub fn decode(self, labels: &[u8]) -> Vec<(usize, usize, NerLabel)> {
        let mut out = Vec::new();
        // first token and votes per type of the open entity
        let mut open: Option<(usize, [u16; 4], NerLabel)> = None;
        let close =
            |open: &mut Option<(usize, [u16; 4], NerLabel)>, end: usize, out: &mut Vec<_>| {
                if let Some((a, votes, last)) = open.take() {
                    let max = votes.iter().copied().max().unwrap_or(0);
                    let label = if votes[last.index()] == max {
                        last
                    } else {
                        NerLabel::ALL[votes.iter().position(|&v| v == max).unwrap_or(0)]
                    };
                    out.push((a, end, label));
                }
            };
        for (k, &l) in labels.iter().enumerate() {
            let (part, t) = self.label(l as usize);
            let Some(t) = t else {
                if k > 0 {
                    close(&mut open, k - 1, &mut out);
                }
                continue;
            };
            if matches!(part, Part::B | Part::U) && k > 0 {
                close(&mut open, k - 1, &mut out);
            }
            let entry = open.get_or_insert((k, [0; 4], t));
            entry.1[t.index()] += 1;
            entry.2 = t;
            if matches!(part, Part::L | Part::U) {
                close(&mut open, k, &mut out);
            }
        }
        if !labels.is_empty() {
            close(&mut open, labels.len() - 1, &mut out);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_decode_round_trip() {
        let spans = [
            (0, 1, NerLabel::Per),
            (2, 2, NerLabel::Org),
            (3, 3, NerLabel::Org),
            (5, 7, NerLabel::Loc),
        ];
        for scheme in [Scheme::Bio, Scheme::Bilou] {
            let labels = scheme.encode(9, &spans);
            assert_eq!(scheme.decode(&labels), spans, "{scheme:?}");
            for (k, &l) in labels.iter().enumerate() {
                let prev = k.checked_sub(1).map(|p| labels[p] as usize);
                assert!(scheme.allowed(prev, l as usize), "{scheme:?} {k}");
            }
            assert!(scheme.may_end(labels[8] as usize));
        }
    }

    #[test]
    fn lenient_decoding() {
        let s = Scheme::Bilou;
        let b_per = s.index(Part::B, NerLabel::Per) as u8;
        let i_per = s.index(Part::I, NerLabel::Per) as u8;
        let l_org = s.index(Part::L, NerLabel::Org) as u8;
        // B without L, I after O, L of another type: the type most tokens carry
        assert_eq!(
            s.decode(&[b_per, 0, i_per, i_per, l_org]),
            [(0, 0, NerLabel::Per), (2, 4, NerLabel::Per)]
        );
        // a tie goes to the last token's type
        assert_eq!(s.decode(&[b_per, l_org]), [(0, 1, NerLabel::Org)]);
    }

    #[test]
    fn label_names_and_indices_agree() {
        for scheme in [Scheme::Bio, Scheme::Bilou] {
            for i in 0..scheme.n_labels() {
                if let (part, Some(t)) = scheme.label(i) {
                    assert_eq!(scheme.index(part, t), i);
                }
            }
        }
        assert_eq!(Scheme::Bilou.label_name(4), "U-PER");
        assert_eq!(Scheme::Bio.label_name(3), "B-ORG");
        assert!(!Scheme::Bilou.allowed(None, 2)); // I-PER cannot start
        assert!(!Scheme::Bilou.allowed(Some(1), 0)); // B-PER must continue
        assert!(!Scheme::Bilou.may_end(1)); // nor end a sentence
        assert!(!Scheme::Bio.allowed(Some(0), 2)); // I-PER after O
        assert_eq!(Scheme::Bilou.type_index(7), Some(1));
        assert_eq!(Scheme::Bio.type_index(0), None);
    }
}
