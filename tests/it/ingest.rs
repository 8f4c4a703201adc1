//! `kglink ingest` as a batch job: failure report and exit code, skipping and
//! replacing, shards that split the input exactly, N-Quads files equal to the store.

use crate::{kglink, stderr, synthetic};
use kglink::store::Store;
use std::collections::BTreeSet;
use std::path::Path;

/// The article graphs of a store, and its quads (KB graph left out) as sorted lines.
fn article_quads(store: &Store) -> (BTreeSet<String>, Vec<String>) {
    let mut graphs = BTreeSet::new();
    let mut lines = Vec::new();
    for q in store.oxigraph().iter() {
        let q = q.unwrap();
        let g = q.graph_name.to_string();
        if g.contains("/article/") {
            graphs.insert(g);
            lines.push(q.to_string());
        }
    }
    lines.sort();
    (graphs, lines)
}

fn run(args: &[&str]) -> std::process::Output {
    kglink(args, None)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn failures_are_reported_and_the_rest_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let good = synthetic::jsonl(1, 3);
    let lines: Vec<&str> = good.lines().collect();
    std::fs::write(
        &input,
        format!(
            "{}\n{{\"id\": \"x\", \"text\": 5}}\n{}\nnot json\n{}\n",
            lines[0], lines[1], lines[2]
        ),
    )
    .unwrap();
    let bad_file = dir.path().join("bad.txt");
    std::fs::write(&bad_file, b"Tokyo \xff").unwrap();
    let store = dir.path().join("store");
    let report = dir.path().join("failures.jsonl");
    let missing = dir.path().join("missing.jsonl");
    let o = run(&[
        "ingest",
        s(&input),
        s(&bad_file),
        s(&missing),
        "--store",
        s(&store),
        "--failures",
        s(&report),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("3 new") && err.contains("4 failed"), "{err}");
    let failures: Vec<serde_json::Value> = std::fs::read_to_string(&report)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(failures.len(), 4, "{failures:?}");
    let lines: Vec<u64> = failures.iter().filter_map(|f| f["line"].as_u64()).collect();
    assert_eq!(lines, [2, 4]);
    assert!(failures
        .iter()
        .all(|f| !f["reason"].as_str().unwrap().is_empty()));
    assert!(failures
        .iter()
        .any(|f| f["file"].as_str().unwrap().ends_with("bad.txt")
            && f["reason"].as_str().unwrap().contains("UTF-8")));
    assert!(failures
        .iter()
        .any(|f| f["file"].as_str().unwrap().ends_with("missing.jsonl")));
    let st = Store::open(&store).unwrap();
    assert_eq!(st.article_count().unwrap(), 3);
}

#[test]
fn reruns_skip_unchanged_and_replace_changed_articles() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let v1 = synthetic::jsonl(2, 20);
    std::fs::write(&input, &v1).unwrap();
    let store = dir.path().join("store");
    let o = run(&["ingest", s(&input), "--store", s(&store)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("20 new"), "{}", stderr(&o));
    // two changed, one repeated with a third text: the later one wins
    let mut lines: Vec<String> = v1.lines().map(String::from).collect();
    for i in [3, 7] {
        lines[i] = lines[i].replace("\"text\":\"", "\"text\":\"Norway agreed. ");
    }
    lines.push(lines[3].replace("Norway agreed.", "Chile agreed."));
    std::fs::write(&input, lines.join("\n")).unwrap();
    let o = run(&["ingest", s(&input), "--store", s(&store), "--batch", "4"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("0 new, 3 replaced, 18 unchanged"), "{err}");
    let st = Store::open(&store).unwrap();
    assert_eq!(st.article_count().unwrap(), 20);
    let text = |id: &str| -> String {
        let q = format!(
            "SELECT ?t WHERE {{ GRAPH ?g {{ ?a <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#isString> ?t ; <https://w3id.org/kglink/ns#sourceId> \"{id}\" }} }}"
        );
        match st.query(&q).unwrap() {
            oxigraph::sparql::QueryResults::Solutions(sol) => {
                let rows: Vec<_> = sol.map(|r| r.unwrap()).collect();
                assert_eq!(rows.len(), 1, "{id}");
                rows[0].get("t").unwrap().to_string()
            }
            _ => unreachable!(),
        }
    };
    assert!(text("syn-3").contains("Chile agreed."));
    assert!(text("syn-7").contains("Norway agreed."));
}

#[test]
fn shards_split_the_input_exactly_and_nquads_files_hold_the_same_graphs() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    std::fs::write(&input, synthetic::jsonl(3, 60)).unwrap();
    let whole = dir.path().join("whole");
    let o = run(&["ingest", s(&input), "--store", s(&whole)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (all_graphs, all_lines) = article_quads(&Store::open(&whole).unwrap());
    assert_eq!(all_graphs.len(), 60);

    let mut union = BTreeSet::new();
    let mut lines = Vec::new();
    for i in 0..3 {
        let part = dir.path().join(format!("part{i}"));
        let shard = format!("{i}/3");
        let o = run(&[
            "ingest",
            s(&input),
            "--shard",
            &shard,
            "--emit",
            "nquads",
            s(&part),
            "--batch",
            "8",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(
            stderr(&o).contains("left to other shards"),
            "{}",
            stderr(&o)
        );
        let mem = Store::memory().unwrap();
        let mut files: Vec<_> = std::fs::read_dir(&part)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        assert!(!files.is_empty());
        for f in &files {
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            assert!(
                name.starts_with(&format!("shard-{i}-of-3-")) && name.ends_with(".nq"),
                "{name}"
            );
            mem.oxigraph()
                .load_from_reader(
                    oxigraph::io::RdfFormat::NQuads,
                    std::fs::File::open(f).unwrap(),
                )
                .unwrap();
        }
        let (graphs, l) = article_quads(&mem);
        assert!(!graphs.is_empty());
        assert!(union.is_disjoint(&graphs), "shard {i} overlaps another");
        union.extend(graphs);
        lines.extend(l);
    }
    assert_eq!(union, all_graphs);
    lines.sort();
    assert!(
        lines == all_lines,
        "the N-Quads files differ from the store"
    );
}
