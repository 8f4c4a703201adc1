//! Candidate lookup at Wikidata scale: a synthetic KB of 5,000,000 entities
//! and 15,000,000 names, compiled into `index.kgi` ([`kglink::kb::disk`]),
//! opened through its memory map, and used to annotate Reuters-21578
//! (`../shared/corpus/reuters21578.jsonl`; skipped with a message when absent).
//!
//! The names collide the way real ones do: people are a given name from a
//! pool of 2,000 and a family name from the corpus's own capitalized words
//! (so "Smith" or "Baker" in the text has dozens of candidates), with a middle
//! name in an alias; places are one such word (a town name shared by many
//! places); organizations are two words and a legal form, with the acronym of
//! their initials as an alias (three or four letters: hundreds share one).
//!
//! Reports: the time to compile the index from the entities; the open time
//! (median of 21 opens); and, in fresh processes on one thread each, the
//! annotation of the corpus with the synthetic KB and with the bundled KB
//! (the baseline of the same run), as words/s, with the peak resident memory
//! of each process (`VmHWM`, sampled from `/proc` until it exits).
//!
//! `cargo bench --bench kb_index [-- ENTITIES [ARTICLES]]` (`KGLINK_BENCH_KEEP=DIR`
//! keeps the index in `DIR`)

use kglink::annotate::Annotator;
use kglink::kb::{AliasKind, Kb, KbEntity};
use kglink::model::EntityType;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// xorshift64*: deterministic picks.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn pick<'a>(&mut self, v: &'a [String]) -> &'a str {
        &v[(self.next() % v.len() as u64) as usize]
    }
}

fn corpus() -> Option<Vec<(String, Option<String>)>> {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/reuters21578.jsonl");
    let data = std::fs::read_to_string(&path).ok()?;
    Some(
        data.lines()
            .filter_map(|l| kglink::ingest::input::parse_record(l).ok())
            .map(|a| (a.text, a.date))
            .collect(),
    )
}

/// The 50,000 most frequent capitalized words of the corpus.
fn vocabulary(texts: &[(String, Option<String>)]) -> Vec<String> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for (t, _) in texts {
        for w in t.split(|c: char| !c.is_alphanumeric()) {
            let mut cs = w.chars();
            if w.len() >= 3
                && cs.next().is_some_and(|c| c.is_ascii_uppercase())
                && cs.all(|c| c.is_ascii_lowercase())
            {
                *counts.entry(w).or_insert(0) += 1;
            }
        }
    }
    let mut v: Vec<(&str, usize)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    v.into_iter()
        .take(50_000)
        .map(|(w, _)| w.to_string())
        .collect()
}

/// A syllable name ("Kanomi"): the given-name pool.
fn syllables(rng: &mut Rng) -> String {
    const S: [&str; 24] = [
        "ka", "no", "mi", "ra", "lu", "te", "so", "vin", "da", "re", "an", "el", "mar", "jo", "si",
        "ben", "tor", "li", "ne", "ha", "gor", "pa", "us", "is",
    ];
    let n = 2 + rng.next() % 2;
    let mut s = String::new();
    for _ in 0..n {
        s.push_str(S[(rng.next() % S.len() as u64) as usize]);
    }
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

fn entity(qid: usize, etype: EntityType, prior: u8, names: Vec<(String, AliasKind)>) -> KbEntity {
    KbEntity {
        qid: format!("Q{qid}"),
        etype,
        kind: String::new(),
        label: names[0].0.clone(),
        description: None,
        prior,
        names,
        country: None,
        citizenship: Vec::new(),
        capital: None,
        memberships: Vec::new(),
        iso: Vec::new(),
        positions: Vec::new(),
    }
}

fn synthetic(n: usize, vocab: &[String]) -> Vec<KbEntity> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let given: Vec<String> = (0..2_000).map(|_| syllables(&mut rng)).collect();
    let forms = [
        "Corporation",
        "Group",
        "Holdings",
        "Bank",
        "Industries",
        "Party",
    ];
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let prior = (1 + rng.next() % 60) as u8;
        let e = match rng.next() % 20 {
            // 45 % people: "Given Family", "Given Middle Family", "G. Family"
            0..=8 => {
                let (g, m, f) = (rng.pick(&given), rng.pick(&given), rng.pick(vocab));
                entity(
                    i + 1,
                    EntityType::Per,
                    prior,
                    vec![
                        (format!("{g} {f}"), AliasKind::Label),
                        (format!("{g} {m} {f}"), AliasKind::Alias),
                        (format!("{}. {f}", &g[..1]), AliasKind::Alias),
                    ],
                )
            }
            // 30 % organizations: "A B Form", "A B", acronym
            9..=14 => {
                let (a, b) = (rng.pick(vocab), rng.pick(vocab));
                let form = forms[(rng.next() % forms.len() as u64) as usize];
                let acronym: String = [a, b, form]
                    .iter()
                    .filter_map(|w| w.chars().next())
                    .collect();
                entity(
                    i + 1,
                    EntityType::Org,
                    prior,
                    vec![
                        (format!("{a} {b} {form}"), AliasKind::Label),
                        (format!("{a} {b}"), AliasKind::Alias),
                        (acronym, AliasKind::Acronym),
                    ],
                )
            }
            // 25 % places: a town name many places share, "Town, Region"
            _ => {
                let (t, r) = (rng.pick(vocab), rng.pick(vocab));
                entity(
                    i + 1,
                    EntityType::Loc,
                    prior,
                    vec![
                        (t.to_string(), AliasKind::Label),
                        (format!("{t}, {r}"), AliasKind::Alias),
                        (format!("{t} City"), AliasKind::Alias),
                    ],
                )
            }
        };
        out.push(e);
    }
    out
}

/// The child: annotate the corpus with the KB in `kb` (or the bundled one),
/// one thread; print words, seconds, entities.
fn child(kb: Option<&Path>, limit: usize) {
    let texts = corpus().expect("corpus");
    let texts = &texts[..limit.min(texts.len())];
    let kb: &'static Kb = match kb {
        Some(p) => Box::leak(Box::new(Kb::open_index(p).expect("index opens"))),
        None => Kb::bundled().expect("bundled KB"),
    };
    let annotator = Annotator::new(kb);
    let words: usize = texts.iter().map(|t| t.0.split_whitespace().count()).sum();
    let t0 = Instant::now();
    let mut entities = 0usize;
    for (text, date) in texts {
        entities += annotator.links(text, date.as_deref()).len();
    }
    println!("{words} {} {entities}", t0.elapsed().as_secs_f64());
}

/// Runs the child, sampling its resident memory; `(words/s, entities, peak
/// MiB, peak anonymous MiB)`. The peak (`VmHWM`) counts the pages of the
/// memory-mapped index the OS has read in, which it may drop at any time; the
/// anonymous part (`RssAnon`, sampled every 20 ms) is what the process itself
/// holds.
fn measure(kb: Option<&Path>, limit: usize) -> (f64, usize, f64, f64) {
    let mut cmd = Command::new(std::env::current_exe().expect("exe"));
    cmd.arg("child").arg(limit.to_string());
    if let Some(p) = kb {
        cmd.arg(p);
    }
    let mut c = cmd.stdout(Stdio::piped()).spawn().expect("child runs");
    let mut peak = 0u64;
    let mut anon = 0u64;
    let status = loop {
        if let Ok(s) = std::fs::read_to_string(format!("/proc/{}/status", c.id())) {
            let field = |name: &str| {
                s.lines()
                    .find_map(|l| l.strip_prefix(name))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            };
            peak = peak.max(field("VmHWM:").unwrap_or(0));
            anon = anon.max(field("RssAnon:").unwrap_or(0));
        }
        if let Ok(Some(s)) = c.try_wait() {
            break s;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert!(status.success(), "child failed");
    let mut out = String::new();
    std::io::Read::read_to_string(c.stdout.as_mut().expect("stdout"), &mut out).expect("read");
    let v: Vec<f64> = out
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    (
        v[0] / v[1],
        v[2] as usize,
        peak as f64 / 1024.0,
        anon as f64 / 1024.0,
    )
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if args.first().map(String::as_str) == Some("child") {
        let limit = args[1].parse().expect("limit");
        child(args.get(2).map(Path::new), limit);
        return;
    }
    let n: usize = args
        .first()
        .and_then(|a| a.parse().ok())
        .unwrap_or(5_000_000);
    let limit: usize = args
        .get(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(usize::MAX);
    let Some(texts) = corpus() else {
        eprintln!("skipped: ../shared/corpus/reuters21578.jsonl is absent");
        return;
    };
    let vocab = vocabulary(&texts);
    drop(texts);
    let t0 = Instant::now();
    let entities = synthetic(n, &vocab);
    let generate = t0.elapsed().as_secs_f64();
    let names: usize = entities.iter().map(|e| e.names.len()).sum();
    // KGLINK_BENCH_KEEP=DIR keeps the index in DIR (to profile the child:
    // `kb_index-* child ARTICLES DIR/index.kgi`)
    let dir = tempfile::tempdir().expect("temp dir");
    let keep = std::env::var_os("KGLINK_BENCH_KEEP").map(PathBuf::from);
    let path = keep
        .as_deref()
        .unwrap_or(dir.path())
        .join(kglink::kb::disk::INDEX_FILE);
    let t0 = Instant::now();
    let size = kglink::kb::disk::write_index(&path, &entities, &[]).expect("index builds");
    let build = t0.elapsed().as_secs_f64();
    drop(entities);
    let mut opens = Vec::new();
    for _ in 0..21 {
        let t0 = Instant::now();
        let kb = Kb::open_index(&path).expect("opens");
        opens.push(t0.elapsed().as_secs_f64());
        drop(kb);
    }
    println!(
        "synthetic KB: {} entities, {names} names ({} distinct keys, {} postings with variants), family, town and company words from the corpus's {} most frequent capitalized words (generated in {generate:.1} s)",
        size.entities,
        size.keys,
        size.postings,
        vocab.len()
    );
    println!(
        "build:    {build:.1} s, {:.0} MB on disk ({:.1} bytes per name)",
        size.bytes as f64 / 1e6,
        size.bytes as f64 / names as f64
    );
    println!(
        "open:     median {:.3} ms over 21 opens (page cache warm)",
        median(opens) * 1e3
    );
    let (base_wps, base_ents, base_peak, base_anon) = measure(None, limit);
    let (wps, ents, peak, anon) = measure(Some(&path), limit);
    println!(
        "annotate, one thread: bundled KB {base_wps:.0} words/s ({base_ents} entities, peak {base_peak:.0} MiB, anonymous {base_anon:.0} MiB); synthetic KB {wps:.0} words/s ({ents} entities, peak {peak:.0} MiB with the mapped index, anonymous {anon:.0} MiB); ratio {:.2}",
        wps / base_wps
    );
}
