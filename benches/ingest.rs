//! Batch ingestion throughput on the Reuters-21578 corpus (read from
//! `../shared/corpus/reuters21578.jsonl`, else `/work/shared/corpus/…`; skipped
//! with a message when absent).
//!
//! Runs the `kglink ingest` pipeline ([`kglink::ingest::run`]) on all cores, in
//! this order, ROUNDS times each: (a) the baseline, annotate-only: reading,
//! annotation, relations and RDF generation with a sink that stores nothing;
//! (b) the same into a fresh on-disk store; (c) the store's floor: the quads of
//! the same articles, made beforehand and held in memory, written into a fresh
//! store in one Oxigraph bulk load on all cores, with no annotation beside it.
//! Reports the median articles/s and triples/s of each, the ratios of their
//! times to the baseline, and the peak resident memory (VmHWM) after each phase.
//! (b) is timed as `kglink ingest` reports it, and also up to the store being
//! closed (RocksDB finishes its running compactions then); (c) is timed up to
//! the store being closed. Every round checks its answer (same article and
//! triple counts each round, none failed).
//!
//! `cargo bench --bench ingest [-- ROUNDS [LIMIT]]`

use kglink::ingest::{self, local::LocalSink, Prepared, Sink};
use kglink::kb::Kb;
use kglink::store::{PutOutcome, Store};
use oxigraph::model::Quad;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

/// Annotates and builds the quads, stores nothing.
struct Discard;

impl Sink for Discard {
    fn stored_hashes(&self, graphs: &[&str]) -> kglink::error::Result<Vec<Option<String>>> {
        Ok(vec![None; graphs.len()])
    }
    fn write(&self, batch: &[Prepared]) -> Vec<Result<PutOutcome, String>> {
        vec![Ok(PutOutcome::New); batch.len()]
    }
    fn finish(&self) -> kglink::error::Result<()> {
        Ok(())
    }
    fn describe(&self) -> String {
        "nothing".into()
    }
}

/// Annotates and keeps every quad in memory (for the store-floor phase).
struct Collect(Mutex<Vec<Quad>>);

impl Sink for Collect {
    fn stored_hashes(&self, graphs: &[&str]) -> kglink::error::Result<Vec<Option<String>>> {
        Ok(vec![None; graphs.len()])
    }
    fn write(&self, batch: &[Prepared]) -> Vec<Result<PutOutcome, String>> {
        let mut all = self.0.lock().expect("not poisoned");
        for a in batch {
            all.extend(a.quads.iter().cloned());
        }
        vec![Ok(PutOutcome::New); batch.len()]
    }
    fn finish(&self) -> kglink::error::Result<()> {
        Ok(())
    }
    fn describe(&self) -> String {
        "memory".into()
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn vm_hwm_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let rounds: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(1);
    let limit: usize = args
        .get(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(usize::MAX);
    let rel = "corpus/reuters21578.jsonl";
    let Some(path) = [
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../shared")
            .join(rel),
        PathBuf::from("/work/shared").join(rel),
    ]
    .into_iter()
    .find(|p| p.exists()) else {
        eprintln!("skipped: ../shared/{rel} is absent");
        return;
    };
    let tmp = tempfile::tempdir().expect("temporary folder");
    let input = if limit == usize::MAX {
        path
    } else {
        let data = std::fs::read_to_string(&path).expect("corpus reads");
        let cut: String = data.lines().take(limit).map(|l| format!("{l}\n")).collect();
        let p = tmp.path().join("input.jsonl");
        std::fs::write(&p, cut).expect("input written");
        p
    };
    let kb = Kb::bundled().expect("bundled KB loads");
    let options = ingest::Options {
        paths: vec![input],
        ..ingest::Options::default()
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "ingest benchmark: {rounds} round(s), batch {}, {cores} core(s)",
        options.batch
    );
    let mut expect: Option<(usize, usize)> = None;
    let mut check = |s: &ingest::Summary| {
        assert_eq!(s.failed, 0, "articles failed");
        let got = (s.articles(), s.triples);
        assert!(got.0 > 0 && got.1 > 0);
        assert_eq!(*expect.get_or_insert(got), got, "a round gave other counts");
    };
    let mut base = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let s = ingest::run(kb, &Discard, &options, &|_| {}).expect("runs");
        check(&s);
        base.0.push(s.articles() as f64 / s.seconds);
        base.1.push(s.triples as f64 / s.seconds);
    }
    let base_hwm = vm_hwm_mb();
    let mut stored = (Vec::new(), Vec::new(), Vec::new());
    let mut size = 0u64;
    for r in 0..rounds {
        let dir = tmp.path().join(format!("store{r}"));
        let store = Store::open(&dir).expect("store opens");
        store.put_kb(kb).expect("KB stored");
        let sink = LocalSink::new(&store, "bench").expect("sink");
        let s = ingest::run(kb, &sink, &options, &|_| {}).expect("runs");
        let closing = Instant::now();
        drop(sink);
        drop(store);
        let closed = s.seconds + closing.elapsed().as_secs_f64();
        check(&s);
        assert_eq!(s.new, s.articles());
        stored.0.push(s.articles() as f64 / s.seconds);
        stored.1.push(s.triples as f64 / s.seconds);
        stored.2.push(s.articles() as f64 / closed);
        size = walk_size(&dir);
    }
    let stored_hwm = vm_hwm_mb();
    let mut floor = Vec::new();
    for r in 0..rounds {
        let collect = Collect(Mutex::new(Vec::new()));
        let s = ingest::run(kb, &collect, &options, &|_| {}).expect("runs");
        check(&s);
        let quads = collect.0.into_inner().expect("not poisoned");
        assert_eq!(quads.len(), s.triples);
        let dir = tmp.path().join(format!("floor{r}"));
        let store = Store::open(&dir).expect("store opens");
        store.put_kb(kb).expect("KB stored");
        let started = Instant::now();
        let mut loader = store.oxigraph().bulk_loader();
        loader.load_quads(quads).expect("bulk load");
        loader.commit().expect("bulk load commits");
        store.flush().expect("flushed");
        drop(store);
        floor.push(started.elapsed().as_secs_f64());
    }
    let (n, t) = expect.unwrap_or_default();
    let (ba, bt) = (median(base.0), median(base.1));
    let (sa, st, sc) = (median(stored.0), median(stored.1), median(stored.2));
    let fs = median(floor);
    let base_secs = n as f64 / ba;
    println!("articles: {n}, triples: {t}");
    println!("annotate only (baseline): {ba:>8.0} articles/s {bt:>10.0} triples/s; peak memory {base_hwm:.0} MB");
    println!(
        "ingest into a fresh store: {sa:>7.0} articles/s {st:>10.0} triples/s; peak memory {stored_hwm:.0} MB; store {:.0} MB",
        size as f64 / 1e6
    );
    println!("ratio ingest / annotate-only time: {:.2}x", ba / sa);
    println!(
        "ingest, up to the store closed: {sc:>7.0} articles/s; ratio {:.2}x",
        ba / sc
    );
    println!(
        "store floor (one bulk load of the same quads, no annotation, up to closed): {:.1} s, {:.0} triples/s = {:.2}x the annotate-only time",
        fs,
        t as f64 / fs,
        fs / base_secs
    );
}

fn walk_size(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}
