//! Synthetic news articles for the ingest tests: generated from a seed, built
//! from a few templates and well-known names, so no licensed text is needed.

/// A small deterministic generator (64-bit LCG), so tests need no crate.
pub struct Lcg(pub u64);

impl Lcg {
    /// The next number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
}

const PEOPLE: &[&str] = &[
    "Angela Merkel",
    "Emmanuel Macron",
    "Shinzo Abe",
    "Xi Jinping",
    "Vladimir Putin",
    "Justin Trudeau",
    "Narendra Modi",
    "Theresa May",
    "Antonio Guterres",
    "Jacinda Ardern",
];
const PLACES: &[&str] = &[
    "Tokyo", "Berlin", "Paris", "Hanoi", "Ottawa", "Vienna", "Brussels", "Geneva", "London",
    "Osaka",
];
const COUNTRIES: &[&str] = &[
    "Japan", "Germany", "France", "Canada", "India", "China", "Brazil", "Kenya", "Norway", "Chile",
];
const ORGS: &[&str] = &[
    "the United Nations",
    "NATO",
    "the European Union",
    "the World Trade Organization",
    "OPEC",
    "the World Bank",
];
const TOPICS: &[&str] = &[
    "trade",
    "energy",
    "climate",
    "security",
    "fisheries",
    "tariffs",
    "migration",
    "health",
];

/// Article `i` as a JSONL record with ID `syn-i`, 4–9 sentences.
pub fn article(rng: &mut Lcg, i: usize) -> String {
    let mut text = String::new();
    let n = 4 + rng.below(6);
    for _ in 0..n {
        let s = match rng.below(5) {
            0 => format!(
                "{} met {} in {} on Monday to discuss {}.",
                rng.pick(PEOPLE),
                rng.pick(PEOPLE),
                rng.pick(PLACES),
                rng.pick(TOPICS)
            ),
            1 => format!(
                "Officials from {} said {} would raise {} with {}.",
                rng.pick(COUNTRIES),
                rng.pick(COUNTRIES),
                rng.pick(TOPICS),
                rng.pick(ORGS)
            ),
            2 => format!(
                "\"We expect progress on {},\" {} told reporters in {}.",
                rng.pick(TOPICS),
                rng.pick(PEOPLE),
                rng.pick(PLACES)
            ),
            3 => format!(
                "Delegates of {} gathered in {}, where {} and {} signed an accord on {}.",
                rng.pick(ORGS),
                rng.pick(PLACES),
                rng.pick(COUNTRIES),
                rng.pick(COUNTRIES),
                rng.pick(TOPICS)
            ),
            _ => format!(
                "Markets in {} rose {} percent after the talks on {}.",
                rng.pick(PLACES),
                1 + rng.below(9),
                rng.pick(TOPICS)
            ),
        };
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(&s);
    }
    let day = 1 + rng.below(28);
    serde_json::json!({
        "id": format!("syn-{i}"),
        "title": format!("Talks on {}", rng.pick(TOPICS)),
        "date": format!("2019-03-{day:02}"),
        "text": text,
    })
    .to_string()
}

/// `n` articles as JSONL text.
pub fn jsonl(seed: u64, n: usize) -> String {
    let mut rng = Lcg(seed);
    let mut out = String::new();
    for i in 0..n {
        out.push_str(&article(&mut rng, i));
        out.push('\n');
    }
    out
}
