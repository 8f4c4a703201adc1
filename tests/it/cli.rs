//! The binary end to end: output shapes, exit codes, located errors on bad input,
//! ingest that skips unchanged articles, queries on the result.

use crate::{kglink, stderr, stdout};
use serde_json::Value;

#[test]
fn annotate_prints_the_documented_json() {
    let o = kglink(
        &["annotate", "-"],
        Some("Japan’s prime minister met officials in Hanoi.".as_bytes()),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let ents = v["entities"].as_array().unwrap();
    let japan = &ents[0];
    for k in [
        "start",
        "end",
        "text",
        "type",
        "id",
        "iri",
        "label",
        "confidence",
        "nil",
    ] {
        assert!(japan.get(k).is_some(), "missing {k}");
    }
    assert_eq!(japan["text"], "Japan");
    assert_eq!(japan["id"], "Q17");
    assert_eq!(japan["type"], "COUNTRY");
    assert_eq!(japan["iri"], "http://www.wikidata.org/entity/Q17");
    let hanoi = ents.iter().find(|e| e["text"] == "Hanoi").unwrap();
    // offsets count characters: the typographic apostrophe is one
    assert_eq!(hanoi["start"], 40);
    assert_eq!(hanoi["type"], "LOC");
}

#[test]
fn annotate_jsonl_keeps_order_and_reports_bad_lines() {
    let input = "{\"id\":\"b\",\"text\":\"Angela Merkel spoke.\"}\n{oops\n{\"id\":\"a\",\"text\":\"Nothing here.\"}\n";
    let o = kglink(
        &["annotate", "-", "--input-format", "jsonl"],
        Some(input.as_bytes()),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let lines: Vec<Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["id"], "b");
    assert_eq!(lines[0]["entities"][0]["type"], "PER");
    assert_eq!(lines[1]["id"], "a");
    assert_eq!(lines[1]["entities"].as_array().unwrap().len(), 0);
    let err = stderr(&o);
    assert!(err.contains("<stdin>:2"), "{err}");
}

#[test]
fn bad_inputs_give_located_errors_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, b"Tokyo \xff\xfe").unwrap();
    let o = kglink(&["annotate", bad.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("bad.txt") && stderr(&o).contains("invalid UTF-8 at byte offset 6"),
        "{}",
        stderr(&o)
    );
    let bin = dir.path().join("bin.txt");
    std::fs::write(&bin, b"\x7fELF\0\0\x01").unwrap();
    let o = kglink(&["annotate", bin.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("binary"), "{}", stderr(&o));
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, b"").unwrap();
    let o = kglink(&["annotate", empty.to_str().unwrap()], None);
    assert!(o.status.success());
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["entities"].as_array().unwrap().len(), 0);
    let o = kglink(
        &["annotate", dir.path().join("missing.txt").to_str().unwrap()],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("missing.txt"));
}

#[test]
fn ingest_then_query_and_reingest() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let s = store.to_str().unwrap();
    let input = dir.path().join("in.jsonl");
    std::fs::write(
        &input,
        "{\"id\":\"one\",\"date\":\"2019-02-27\",\"text\":\"Donald Trump met Kim Jong-un in Hanoi.\"}\n\
         not json\n\
         {\"id\":\"two\",\"text\":\"Donald Trump flew to Tokyo.\"}\n",
    )
    .unwrap();
    let o = kglink(&["ingest", input.to_str().unwrap(), "--store", s], None);
    assert_eq!(o.status.code(), Some(1), "one line is bad: {}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("in.jsonl:2"), "{err}");
    assert!(err.contains("2 new") && err.contains("1 failed"), "{err}");
    let o = kglink(
        &["query", "top-people", "--store", s, "--format", "csv"],
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("http://www.wikidata.org/entity/Q22686,Donald Trump,2,2"),
        "{out}"
    );
    // unchanged articles are skipped; a changed one replaces its graph
    std::fs::write(&input, "{\"id\":\"one\",\"text\":\"Shinzo Abe met Donald Trump.\"}\n{\"id\":\"two\",\"text\":\"Donald Trump flew to Tokyo.\"}\n").unwrap();
    let o = kglink(&["ingest", input.to_str().unwrap(), "--store", s], None);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("0 new, 1 replaced, 1 unchanged"),
        "{}",
        stderr(&o)
    );
    let o = kglink(&["query", "SELECT (COUNT(*) AS ?n) WHERE { ?m <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#anchorOf> \"Hanoi\" }", "--store", s, "--format", "tsv"], None);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).lines().nth(1).unwrap().starts_with('0'),
        "the old graph is gone: {}",
        stdout(&o)
    );
}

#[test]
fn bad_queries_are_input_errors() {
    let o = kglink(&["query", "SELECT WHERE {", "--memory"], None);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.starts_with("error: query:"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    let o = kglink(&["query", "no-such-query", "--memory"], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("top-people"),
        "lists the known names: {}",
        stderr(&o)
    );
    let o = kglink(&["query", "--list"], None);
    assert!(stdout(&o).contains("top-people"));
}

#[test]
fn an_overlong_jsonl_line_is_reported_and_the_rest_processed() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("big.jsonl");
    let mut data =
        String::from("{\"id\":\"first\",\"text\":\"Japan.\"}\n{\"id\":\"huge\",\"text\":\"");
    data.push_str(&"x".repeat(17 * 1024 * 1024));
    data.push_str("\"}\n{\"id\":\"last\",\"text\":\"Tokyo.\"}\n");
    std::fs::write(&input, data).unwrap();
    let o = kglink(&["annotate", input.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("big.jsonl:2: line longer than the 16 MiB limit"),
        "{}",
        stderr(&o)
    );
    let ids: Vec<String> = stdout(&o)
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(ids, ["first", "last"]);
}

#[test]
fn cli_reference_matches_the_binary() {
    // docs/cli.md is `kglink help-markdown`; regenerate it with
    // `cargo run --release -- help-markdown > docs/cli.md`
    let out = crate::kglink(&["help-markdown"], None);
    assert!(out.status.success(), "{}", crate::stderr(&out));
    let generated = crate::stdout(&out);
    let path = crate::root().join("docs/cli.md");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        generated == committed,
        "docs/cli.md is stale: run `cargo run --release -- help-markdown > docs/cli.md` (first difference at line {})",
        generated
            .lines()
            .zip(committed.lines())
            .position(|(a, b)| a != b)
            .map_or(generated.lines().count().min(committed.lines().count()) + 1, |i| i + 1)
    );
    for flag in [
        "--max-query-depth",
        "--shutdown-grace",
        "--min-sitelinks",
        "--shard",
    ] {
        assert!(
            generated.contains(flag),
            "{flag} missing from the reference"
        );
    }
}
