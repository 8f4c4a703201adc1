//! The on-disk KB index (`index.kgi`, [`kglink::kb::disk`]) at Wikidata scale: a
//! synthetic KB of 1,000,000 entities and 3,000,000 names whose words come from the
//! real Wikidata dump sample (`../shared/reference/wikidata-samples/`, every label
//! and alias in every language; skipped with a message when absent).
//!
//! Reports the build time, the open time (median of 21 opens), the alias lookup
//! time (median of single lookups over 200,000 names, 10 % of them absent), the
//! size on disk per name, and the resident memory (anonymous, and file pages
//! mapped in) of a fresh process after it opened the index and after 10,000
//! lookups. The baseline, measured in the same
//! run on the same names, is an in-memory `HashMap<String, Vec<(u32, u8)>>`
//! (build and lookup); the ratios are index / baseline.
//!
//! `cargo bench --bench kb_index [-- ENTITIES]`

use kglink::kb::disk::{write_index, DiskIndex, IndexEntity};
use kglink::kb::AliasKind;
use kglink::model::EntityType;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
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

/// Every distinct word of every label and alias of the dump sample.
fn words(samples: &Path) -> Vec<String> {
    let f = std::fs::File::open(samples.join("sample_wikidata_items.json.bz2")).expect("sample");
    let mut text = String::new();
    std::io::Read::read_to_string(&mut bzip2::read::BzDecoder::new(f), &mut text).expect("bz2");
    let mut set = std::collections::BTreeSet::new();
    for line in text.lines() {
        let t = line.trim().trim_end_matches(',');
        let Ok(v) = serde_json::from_str::<serde_json::Value>(t) else {
            continue;
        };
        let mut add = |s: &str| {
            for w in s.split_whitespace() {
                if w.chars().count() >= 3 && w.chars().next().is_some_and(char::is_alphabetic) {
                    set.insert(w.to_string());
                }
            }
        };
        for l in v["labels"].as_object().into_iter().flat_map(|m| m.values()) {
            add(l["value"].as_str().unwrap_or(""));
        }
        for list in v["aliases"]
            .as_object()
            .into_iter()
            .flat_map(|m| m.values())
        {
            for a in list.as_array().into_iter().flatten() {
                add(a["value"].as_str().unwrap_or(""));
            }
        }
    }
    set.into_iter().collect()
}

/// `(RssAnon, RssFile)` in KiB: memory of the process, and file pages mapped in.
fn rss_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
            .unwrap_or(0)
    };
    (field("RssAnon:"), field("RssFile:"))
}

/// The child process: open, look up, print the resident memory.
fn child(path: &Path, names: &Path) {
    let before = rss_kib();
    let idx = DiskIndex::open(path).expect("index opens");
    let opened = rss_kib();
    let names = std::fs::read_to_string(names).expect("names");
    let mut hits = 0usize;
    for n in names.lines() {
        hits += idx.candidates(n).expect("lookup").len();
    }
    assert!(hits > 0);
    let after = rss_kib();
    println!(
        "{} {} {} {} {} {}",
        before.0, before.1, opened.0, opened.1, after.0, after.1
    );
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if args.first().map(String::as_str) == Some("child") {
        child(Path::new(&args[1]), Path::new(&args[2]));
        return;
    }
    let n: usize = args
        .first()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let samples =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/wikidata-samples");
    if !samples.exists() {
        eprintln!("skipped: {} is absent", samples.display());
        return;
    }
    let vocab = words(&samples);
    // entities: label "A B", alias "A C B", alias "B D"; 40 % people, 30 % ORG,
    // 25 % LOC, 5 % COUNTRY, as news KBs are
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut data: Vec<(String, EntityType, u8, String, [String; 3])> = Vec::with_capacity(n);
    for i in 0..n {
        let (a, b, c, d) = (
            rng.pick(&vocab),
            rng.pick(&vocab),
            rng.pick(&vocab),
            rng.pick(&vocab),
        );
        let etype = match rng.next() % 20 {
            0..=7 => EntityType::Per,
            8..=13 => EntityType::Org,
            14..=18 => EntityType::Loc,
            _ => EntityType::Country,
        };
        let prior = (1 + rng.next() % 100) as u8;
        let label = format!("{a} {b}");
        data.push((
            format!("Q{}", i + 1),
            etype,
            prior,
            format!("synthetic entity {i}"),
            [label, format!("{a} {c} {b}"), format!("{b} {d}")],
        ));
    }
    let names_total = data.len() * 3;
    let entities: Vec<IndexEntity<'_>> = data
        .iter()
        .map(|(q, t, p, desc, names)| IndexEntity {
            qid: q,
            etype: *t,
            prior: *p,
            label: &names[0],
            description: desc,
            names: vec![
                (&names[0], AliasKind::Label),
                (&names[1], AliasKind::Alias),
                (&names[2], AliasKind::Alias),
            ],
        })
        .collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("index.kgi");
    let t0 = Instant::now();
    let size = write_index(&path, entities).expect("index builds");
    let build = t0.elapsed().as_secs_f64();

    // baseline: an in-memory hash map over the same keys
    let t0 = Instant::now();
    let mut map: HashMap<String, Vec<(u32, u8)>> = HashMap::new();
    for (i, (_, _, _, _, names)) in data.iter().enumerate() {
        for (k, name) in names.iter().enumerate() {
            map.entry(kglink::text::name_key(name))
                .or_default()
                .push((i as u32, k as u8));
        }
    }
    let base_build = t0.elapsed().as_secs_f64();

    let mut opens = Vec::new();
    for _ in 0..21 {
        let t0 = Instant::now();
        let idx = DiskIndex::open(&path).expect("opens");
        opens.push(t0.elapsed().as_secs_f64());
        drop(idx);
    }
    let idx = DiskIndex::open(&path).expect("opens");

    // queries: names of random entities, 10 % absent
    let mut queries = Vec::with_capacity(200_000);
    for q in 0..200_000 {
        if q % 10 == 0 {
            queries.push(format!(
                "{} {} {}",
                rng.pick(&vocab),
                "Zzyzx",
                rng.pick(&vocab)
            ));
        } else {
            let e = &data[(rng.next() % n as u64) as usize];
            queries.push(e.4[(rng.next() % 3) as usize].clone());
        }
    }
    let mut found = 0usize;
    let mut times = Vec::with_capacity(queries.len());
    for q in &queries {
        let t0 = Instant::now();
        let hits = idx.lookup(q).expect("lookup");
        times.push(t0.elapsed().as_secs_f64());
        found += usize::from(!hits.is_empty());
    }
    let mut base_times = Vec::with_capacity(queries.len());
    let mut base_found = 0usize;
    for q in &queries {
        let t0 = Instant::now();
        let hit = map
            .get(&kglink::text::name_key(q))
            .is_some_and(|v| !v.is_empty());
        base_times.push(t0.elapsed().as_secs_f64());
        base_found += usize::from(hit);
    }
    assert_eq!(found, base_found, "index and baseline agree on what exists");
    let mut cand_times = Vec::with_capacity(20_000);
    for q in queries.iter().take(20_000) {
        let t0 = Instant::now();
        let c = idx.candidates(q).expect("candidates");
        cand_times.push(t0.elapsed().as_secs_f64());
        std::hint::black_box(c);
    }

    // resident memory of a fresh process that opens the index
    let names_file = dir.path().join("names.txt");
    std::fs::write(&names_file, queries[..10_000].join("\n")).expect("names");
    let out = std::process::Command::new(std::env::current_exe().expect("exe"))
        .args([
            "child",
            path.to_str().expect("utf-8"),
            names_file.to_str().expect("utf-8"),
        ])
        .output()
        .expect("child runs");
    let rss: Vec<f64> = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(|x| x.parse::<f64>().unwrap_or(0.0) / 1024.0)
        .collect();
    assert_eq!(
        rss.len(),
        6,
        "child output: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let us = 1e6;
    println!(
        "synthetic KB: {} entities, {} names ({} distinct keys, {} postings with surname and folded variants), words from {} sample words",
        size.entities, names_total, size.keys, size.postings, vocab.len()
    );
    println!(
        "build:   {build:.2} s (baseline hash map {base_build:.2} s, ratio {:.1})",
        build / base_build
    );
    println!(
        "open:    median {:.2} ms over 21 opens (page cache warm)",
        median(opens) * 1e3
    );
    println!(
        "lookup:  median {:.2} µs ({} of {} found; baseline hash map {:.2} µs, ratio {:.1}); with entity records (candidates) {:.2} µs",
        median(times.clone()) * us,
        found,
        queries.len(),
        median(base_times.clone()) * us,
        median(times) / median(base_times),
        median(cand_times) * us
    );
    println!(
        "size:    {} bytes, {:.1} bytes per name",
        size.bytes,
        size.bytes as f64 / names_total as f64
    );
    println!(
        "memory:  fresh process, anonymous RSS / file pages mapped in (MB): {:.1} / {:.1} before open, {:.1} / {:.1} after open, {:.1} / {:.1} after 10,000 lookups",
        rss[0], rss[1], rss[2], rss[3], rss[4], rss[5]
    );
}
