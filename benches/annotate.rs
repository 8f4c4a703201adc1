//! Annotation throughput on the Reuters-21578 corpus (read from
//! `../shared/corpus/reuters21578.jsonl`; skipped with a message when absent).
//!
//! Reports, for one thread, the median over rounds of words/s and articles/s for
//! (a) the baseline, tokenization alone, (b) full annotation (recognition and
//! linking), and (c) the statistical tagger alone (tokenization, features and
//! decoding, [`kglink::recognize::tagger::Tagger::tag`]), and their ratios — all measured in
//! this run, so machine noise cancels out. Every round checks its answer (the
//! number of entities found must be the same each round and non-zero).
//!
//! With `KGLINK_BENCH_BASELINE_MODEL` naming another tagger model file (an
//! older `ner.bin`, e.g. `git show HEAD~1:data/model/ner.bin > /tmp/old.bin`),
//! that model is timed in the same rounds too and the ratio of the two medians
//! printed.
//!
//! `cargo bench --bench annotate [-- ROUNDS [LIMIT]]`

use kglink::annotate::Annotator;
use kglink::kb::Kb;
use kglink::recognize::tagger::Tagger;
use std::path::PathBuf;
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let rounds: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(5);
    let limit: usize = args
        .get(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(usize::MAX);
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/reuters21578.jsonl");
    let Ok(data) = std::fs::read_to_string(&path) else {
        eprintln!("skipped: {} is absent", path.display());
        return;
    };
    let texts: Vec<(String, Option<String>)> = data
        .lines()
        .take(limit)
        .map(|l| {
            let a = kglink::ingest::input::parse_record(l).expect("corpus records parse");
            (a.text, a.date)
        })
        .collect();
    let words: usize = texts.iter().map(|t| t.0.split_whitespace().count()).sum();
    let t0 = Instant::now();
    let kb = Kb::bundled().expect("bundled KB loads");
    let kb_secs = t0.elapsed().as_secs_f64();
    let annotator = Annotator::new(kb);
    let t0 = Instant::now();
    let tagger = Tagger::bundled().expect("bundled tagger model loads");
    let tagger_secs = t0.elapsed().as_secs_f64();
    let baseline: Option<(String, Tagger)> =
        std::env::var("KGLINK_BENCH_BASELINE_MODEL").ok().map(|p| {
            let bytes = std::fs::read(&p).expect("baseline model reads");
            (p, Tagger::from_bytes(&bytes).expect("baseline model loads"))
        });
    println!(
        "corpus: {} articles, {} words; KB load + index: {:.3}s; tagger model load: {:.3}s; {} rounds, one thread",
        texts.len(),
        words,
        kb_secs,
        tagger_secs,
        rounds
    );
    let mut base = Vec::new();
    let mut full = Vec::new();
    let mut tag = Vec::new();
    let mut old_tag = Vec::new();
    let mut expected_entities = None;
    let mut expected_spans = None;
    let mut tokens_total = 0usize;
    for _ in 0..rounds {
        let t = Instant::now();
        let mut tokens = 0usize;
        for (text, _) in &texts {
            tokens += kglink::text::tokenize(text).len();
        }
        assert!(tokens > words / 2);
        base.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let mut entities = 0usize;
        for (text, date) in &texts {
            entities += annotator.links(text, date.as_deref()).len();
        }
        full.push(t.elapsed().as_secs_f64());
        assert!(entities > 0);
        assert_eq!(
            *expected_entities.get_or_insert(entities),
            entities,
            "annotation is deterministic"
        );
        let t = Instant::now();
        let mut spans = 0usize;
        tokens_total = 0;
        for (text, _) in &texts {
            let tokens = kglink::text::tokenize(text);
            tokens_total += tokens.len();
            spans += tagger.tag(kb, text, &tokens).len();
        }
        tag.push(t.elapsed().as_secs_f64());
        if let Some((_, old)) = &baseline {
            let t = Instant::now();
            let mut old_spans = 0usize;
            for (text, _) in &texts {
                let tokens = kglink::text::tokenize(text);
                old_spans += old.tag(kb, text, &tokens).len();
            }
            old_tag.push(t.elapsed().as_secs_f64());
            assert!(old_spans > 0);
        }
        assert!(spans > 0);
        assert_eq!(
            *expected_spans.get_or_insert(spans),
            spans,
            "tagging is deterministic"
        );
    }
    let (b, f, g) = (median(base), median(full), median(tag));
    let n = texts.len() as f64;
    println!(
        "baseline tokenize: median {:.3}s = {:.0} words/s, {:.0} articles/s",
        b,
        words as f64 / b,
        n / b
    );
    println!(
        "annotate:          median {:.3}s = {:.0} words/s, {:.0} articles/s",
        f,
        words as f64 / f,
        n / f
    );
    println!(
        "tagger only:       median {:.3}s = {:.0} words/s, {:.0} articles/s, {:.2} µs/token",
        g,
        words as f64 / g,
        n / g,
        1e6 * g / tokens_total as f64
    );
    println!(
        "annotate / tokenize time ratio: {:.1}x; entities found: {}",
        f / b,
        expected_entities.unwrap_or(0)
    );
    println!(
        "tagger / tokenize time ratio: {:.1}x; tagger spans: {}",
        g / b,
        expected_spans.unwrap_or(0)
    );
    if let Some((path, _)) = &baseline {
        let o = median(old_tag);
        println!(
            "baseline tagger ({path}): median {:.3}s = {:.0} words/s; bundled / baseline speed: {:.2}",
            o,
            words as f64 / o,
            o / g
        );
    }
}
