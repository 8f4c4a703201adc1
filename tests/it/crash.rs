//! Crash safety of `kglink ingest`: a job killed with SIGKILL at random moments
//! leaves a store that opens and holds no partial article, and a rerun ends with
//! the same content as an uninterrupted run.

use crate::synthetic;
use kglink::store::Store;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Rounds of kill and check.
const ROUNDS: usize = 20;
/// Rounds on one store before it is completed and compared.
const PER_GROUP: usize = 4;
/// Articles in the input.
const ARTICLES: usize = 400;

fn ingest(input: &Path, store: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kglink"));
    cmd.args(["ingest", "--batch", "16", "--store"])
        .arg(store)
        .arg(input)
        .env_remove("KGLINK_STORE")
        .env_remove("KGLINK_KB")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

/// Quads per named graph, and the whole store as sorted N-Quads lines.
fn contents(dir: &Path) -> (BTreeMap<String, usize>, Vec<String>) {
    contents_of(&Store::open(dir).expect("the store opens"))
}

fn contents_of(store: &Store) -> (BTreeMap<String, usize>, Vec<String>) {
    let mut per_graph = BTreeMap::new();
    let mut lines = Vec::new();
    for q in store.oxigraph().iter() {
        let q = q.expect("quads read");
        *per_graph.entry(q.graph_name.to_string()).or_insert(0) += 1;
        lines.push(q.to_string());
    }
    lines.sort();
    (per_graph, lines)
}

/// Every graph in `dir` has as many quads as in an uninterrupted run (of either
/// input version), and every article its content hash.
fn check_no_partial_article(
    dir: &Path,
    clean: &BTreeMap<String, Vec<usize>>,
    round: usize,
) -> usize {
    let store = Store::open(dir).expect("the store opens after a kill");
    let (per_graph, _) = contents_of(&store);
    let mut articles = 0;
    for (graph, n) in &per_graph {
        let want = clean
            .get(graph)
            .unwrap_or_else(|| panic!("round {round}: unknown graph {graph}"));
        assert!(
            want.contains(n),
            "round {round}: graph {graph} is partial: {n} quads, whole: {want:?}"
        );
        let iri = graph.trim_start_matches('<').trim_end_matches('>');
        if iri.contains("/article/") {
            assert!(
                store.article_hash(iri).unwrap().is_some(),
                "round {round}: {graph} has no content hash"
            );
            articles += 1;
        }
    }
    articles
}

/// Input v2: every third article of v1 with another text (to be replaced).
fn changed(v1: &str) -> String {
    let mut out = String::new();
    for (i, line) in v1.lines().enumerate() {
        if i % 3 == 0 {
            let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
            let text = format!(
                "{} Japan said it would reply on Friday.",
                v["text"].as_str().unwrap()
            );
            v["text"] = text.into();
            out.push_str(&v.to_string());
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// Copies a (closed) store folder.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

/// Runs `input` into `dir` to the end.
fn complete(input: &Path, dir: &Path) -> Duration {
    let t0 = Instant::now();
    let o = ingest(input, dir).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    t0.elapsed()
}

#[test]
fn ingest_killed_at_random_moments_leaves_whole_articles_and_resumes() {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let v1 = synthetic::jsonl(7, ARTICLES);
    let inputs = [dir.path().join("v1.jsonl"), dir.path().join("v2.jsonl")];
    std::fs::write(&inputs[0], &v1).unwrap();
    std::fs::write(&inputs[1], changed(&v1)).unwrap();
    // uninterrupted runs: v1 into a fresh store; v2 over v1 (a third replaced)
    let clean_dir = [dir.path().join("clean1"), dir.path().join("clean2")];
    let full = complete(&inputs[0], &clean_dir[0]);
    complete(&inputs[0], &clean_dir[1]);
    complete(&inputs[1], &clean_dir[1]);
    let clean = [contents(&clean_dir[0]), contents(&clean_dir[1])];
    for (per_graph, _) in &clean {
        assert_eq!(
            per_graph.keys().filter(|g| g.contains("/article/")).count(),
            ARTICLES
        );
    }
    assert_ne!(clean[0].1, clean[1].1);
    // graphs of either version may be seen after a kill during v2
    let mut either: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (per_graph, _) in &clean {
        for (g, n) in per_graph {
            either.entry(g.clone()).or_default().push(*n);
        }
    }

    let seed = 20261127u64;
    let mut rng = synthetic::Lcg(seed);
    let (mut killed, mut finished) = (0, 0);
    let mut seen = Vec::new();
    let mut kills = Vec::new();
    // groups of rounds, each from a fresh start: v1 into an empty store, or v2
    // into a copy of the clean v1 store
    for group in 0..ROUNDS / PER_GROUP {
        let crash_dir = dir.path().join(format!("crashed{group}"));
        let v = group % 2;
        let reset = || {
            let _ = std::fs::remove_dir_all(&crash_dir);
            if v == 1 {
                copy_dir(&clean_dir[0], &crash_dir);
            }
        };
        reset();
        let mut wait_max = full;
        let mut round = 0;
        while round < PER_GROUP {
            // a moment anywhere in a run (which includes loading the KB); a job
            // that ends first is not a round: the group starts again, waiting less
            let wait = Duration::from_millis(rng.below(wait_max.as_millis() as u64 + 1));
            let mut child = ingest(&inputs[v], &crash_dir).spawn().unwrap();
            std::thread::sleep(wait);
            let ended_first = child.try_wait().unwrap().is_some();
            if !ended_first {
                child.kill().unwrap(); // SIGKILL
            }
            child.wait().unwrap();
            if ended_first {
                finished += 1;
                wait_max = wait;
                reset();
                assert!(finished <= 3 * ROUNDS, "jobs keep ending before the kill");
                continue;
            }
            killed += 1;
            kills.push(wait.as_millis());
            seen.push(check_no_partial_article(
                &crash_dir,
                &either,
                group * PER_GROUP + round,
            ));
            round += 1;
        }
        complete(&inputs[v], &crash_dir);
        let (_, lines) = contents(&crash_dir);
        assert_eq!(lines.len(), clean[v].1.len(), "group {group}");
        assert!(
            lines == clean[v].1,
            "group {group}: the resumed store differs from the clean one"
        );
        let stale = std::fs::read_dir(&crash_dir)
            .unwrap()
            .filter(|e| {
                let n = e.as_ref().unwrap().file_name();
                n.to_string_lossy().starts_with("bulk-")
            })
            .count();
        assert_eq!(stale, 0, "temporary bulk-load files left in the store");
    }
    assert!(
        killed >= ROUNDS / 2,
        "only {killed} of {ROUNDS} rounds killed a job"
    );
    eprintln!(
        "crash test (seed {seed}): {killed} jobs killed (SIGKILL) after {kills:?} ms, {finished} more ended before their kill; \
         article graphs after each kill: {seen:?}; clean run {:.1}s; every resumed store identical to the clean one; total {:.1}s",
        full.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
}
