//! `kglink stats`, `dump` / `load`, `backup` / `restore`: the same content after a
//! round trip; a bad file loads nothing.

use crate::{kglink, stderr, stdout, synthetic};

fn sorted_dump(store: &str) -> Vec<String> {
    let o = kglink(&["dump", "--store", store], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut lines: Vec<String> = stdout(&o).lines().map(String::from).collect();
    lines.sort();
    lines
}

#[test]
fn stats_dump_load_backup_restore() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n).to_str().unwrap().to_string();
    std::fs::write(p("in.jsonl"), synthetic::jsonl(5, 12)).unwrap();
    let o = kglink(&["ingest", &p("in.jsonl"), "--store", &p("a")], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = kglink(&["stats", "--store", &p("a"), "--format", "json"], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let s: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(s["articles"], 12);
    assert!(s["entities"].as_u64().unwrap() > 5);
    assert!(s["kb_triples"].as_u64().unwrap() > 1000);
    assert_eq!(
        s["triples"].as_u64().unwrap(),
        s["kb_triples"].as_u64().unwrap() + s["article_triples"].as_u64().unwrap()
    );
    assert!(s["size_bytes"].as_u64().unwrap() > 0);
    let original = sorted_dump(&p("a"));
    assert_eq!(original.len() as u64, s["triples"].as_u64().unwrap());

    // dump, load into a new store
    let o = kglink(&["dump", "--store", &p("a"), "-o", &p("a.nq")], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = kglink(&["load", &p("a.nq"), "--store", &p("b")], None);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(sorted_dump(&p("b")) == original);

    // a file with a bad line loads nothing
    std::fs::write(
        p("bad.nq"),
        "<http://e.x/s> <http://e.x/p> <http://e.x/o> <http://e.x/g> .\n<oops\n",
    )
    .unwrap();
    let o = kglink(&["load", &p("bad.nq"), "--store", &p("b")], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("bad.nq:2"), "{}", stderr(&o));
    assert!(sorted_dump(&p("b")) == original);

    // backup, restore
    let o = kglink(&["backup", &p("bk"), "--store", &p("a")], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = kglink(&["backup", &p("bk"), "--store", &p("a")], None);
    assert_eq!(
        o.status.code(),
        Some(1),
        "an existing backup folder is refused"
    );
    let o = kglink(&["restore", &p("bk"), "--store", &p("c")], None);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(sorted_dump(&p("c")) == original);
    let o = kglink(&["restore", &p("bk"), "--store", &p("c")], None);
    assert_eq!(
        o.status.code(),
        Some(1),
        "a non-empty store folder is refused"
    );
}
