//! Annotation never panics and its spans always lie on character boundaries
//! inside the text, whatever the input: random mixes of scripts, case, names,
//! punctuation and whitespace (a deterministic generator, so failures repeat).

use kglink::annotate::Annotator;
use kglink::kb::Kb;

/// xorshift64*: small, deterministic, good enough to mix test inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

const PIECES: &[&str] = &[
    "Kim",
    "Jong-un",
    "Trump",
    "TRUMP",
    "trump",
    "U.S.",
    "US",
    "us",
    "North Korean",
    "Japan",
    "Japan's",
    "Japan’s",
    "President",
    "Mr",
    "Mr.",
    "Chairman",
    "said",
    "the",
    "The",
    "of",
    "Bank",
    "Inc",
    ".",
    ",",
    "'",
    "’",
    "\"",
    "“",
    "-",
    "–",
    "(",
    ")",
    ":",
    "\n",
    "\n\n",
    " ",
    "  ",
    "\t",
    "é",
    "Erdoğan",
    "İstanbul",
    "ß",
    "Straße",
    "東京",
    "김정은",
    "🙂",
    "\u{301}",
    "\u{200d}",
    "A",
    "a",
    "ÉLYSÉE",
    "U.N",
    "N.",
    "Q42",
    "0",
    "1990",
    "New York",
    "Hanoi",
    "HANOI",
    "in",
    "at",
    "Washington",
    "'s",
    "’s",
    "Dr",
    "St.",
];

#[test]
fn random_inputs_never_panic_and_spans_are_well_formed() {
    let kb = Kb::bundled().unwrap();
    let annotator = Annotator::new(kb);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for round in 0..3000 {
        let n = (rng.next() % 40) as usize;
        let mut text = String::new();
        for _ in 0..n {
            text.push_str(rng.pick(PIECES));
            if rng.next().is_multiple_of(3) {
                text.push(' ');
            }
        }
        let chars: Vec<char> = text.chars().collect();
        let ann = annotator.annotate(&text, Some("2019-02-28"));
        let mut last_end = 0;
        for e in &ann.entities {
            assert!(
                e.start < e.end && e.end <= chars.len(),
                "round {round}: {e:?} in {text:?}"
            );
            assert!(
                e.start >= last_end,
                "round {round}: overlapping spans in {text:?}"
            );
            last_end = e.end;
            assert_eq!(
                chars[e.start..e.end].iter().collect::<String>(),
                e.text,
                "round {round}"
            );
            assert!((0.0..=1.0).contains(&e.confidence));
        }
    }
}

#[test]
fn pathological_inputs() {
    let kb = Kb::bundled().unwrap();
    let annotator = Annotator::new(kb);
    for text in [
        String::new(),
        " ".repeat(10_000),
        "A".repeat(100_000),
        "Kim ".repeat(20_000),
        "U.S. ".repeat(10_000),
        ".".repeat(10_000),
        "\u{301}".repeat(1000),
        "President ".repeat(5000),
    ] {
        let ann = annotator.annotate(&text, None);
        for e in &ann.entities {
            assert!(e.end <= text.chars().count());
        }
    }
}
