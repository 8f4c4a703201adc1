//! `kglink kb build|update|stats|lookup|export` and the importers, on the real
//! Wikidata samples of `../shared/reference/wikidata-samples/`.

use crate::{kglink, shared, stderr, stdout};
use kglink::kb::build::read_manifest;
use kglink::kb::disk::{DiskIndex, INDEX_FILE};
use kglink::kb::import::{self, ImportOptions, Record};
use kglink::kb::Kb;
use kglink::model::EntityType;
use std::io::Write;
use std::path::{Path, PathBuf};

fn samples() -> Option<PathBuf> {
    shared("reference/wikidata-samples")
}

fn records(path: &Path) -> Result<Vec<Record>, String> {
    let mut out = Vec::new();
    import::import(
        path,
        &ImportOptions::default(),
        &mut |r| out.push(r),
        &mut |_| {},
    )
    .map_err(|e| e.to_string())?;
    Ok(out)
}

fn dump_lines(s: &Path) -> Vec<String> {
    let f = std::fs::File::open(s.join("sample_wikidata_items.json.bz2")).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut bzip2::read::BzDecoder::new(f), &mut text).unwrap();
    text.lines().map(String::from).collect()
}

fn build(args: &[&str]) -> std::process::Output {
    let mut a = vec!["kb", "build"];
    a.extend_from_slice(args);
    kglink(&a, None)
}

#[test]
fn dump_and_documents_build_a_kb_that_loads() {
    let Some(s) = samples() else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("kb");
    let o = build(&[
        "--from",
        s.join("sample_wikidata_items.json.bz2").to_str().unwrap(),
        s.join("Q42.json").to_str().unwrap(),
        s.join("Q45.json").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let kb = Kb::load_dir(&out).unwrap();
    let pt = kb.entity(kb.by_qid("Q45").unwrap());
    assert_eq!(
        (pt.label.as_str(), pt.etype),
        ("Portugal", EntityType::Country)
    );
    assert!(pt.iso.contains(&"PT".to_string()) && pt.iso.contains(&"PRT".to_string()));
    assert_eq!(
        kb.entity(pt.capital.unwrap()).qid,
        "Q597",
        "P36 preferred value"
    );
    assert!(
        pt.names.iter().any(|(n, _)| n == "Portuguese"),
        "P1549 demonym"
    );
    assert!(!pt.names.iter().any(|(n, _)| n == "pt" || n.contains('🇵')));
    let lisbon = kb.entity(kb.by_qid("Q597").unwrap());
    assert_eq!(lisbon.kind, "capital");
    assert_eq!(kb.entity(lisbon.country.unwrap()).qid, "Q45");
    let adams = kb.entity(kb.by_qid("Q42").unwrap());
    assert_eq!(adams.etype, EntityType::Per);
    assert!(
        kb.by_qid("Q2013").is_none(),
        "Wikidata (a website) is no kept class"
    );
    // the football club is an ORG with its headquarters in the TSV
    assert_eq!(
        kb.entity(kb.by_qid("Q2756").unwrap()).etype,
        EntityType::Org
    );
    let orgs = std::fs::read_to_string(out.join("organizations.tsv")).unwrap();
    assert!(orgs
        .lines()
        .any(|l| l.starts_with("Q2756\t") && l.contains("\tQ2751\t")));
    // the index and the manifest
    let idx = DiskIndex::open(&out.join(INDEX_FILE)).unwrap();
    assert_eq!(idx.len() as usize, kb.len());
    let m = read_manifest(&out).unwrap();
    assert_eq!(m.version, 1);
    assert_eq!(m.sources.len(), 3);
    assert_eq!(m.counts["COUNTRY"], kb.counts()[&EntityType::Country]);
    // lookup through the index, and stats
    let o = kglink(
        &["kb", "lookup", "Portuguese", "--kb", out.to_str().unwrap()],
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("Q45\tCOUNTRY\tdemonym\t"),
        "{}",
        stdout(&o)
    );
    let o = kglink(
        &[
            "kb",
            "lookup",
            "Nowhere Land",
            "--kb",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    let o = kglink(
        &[
            "kb",
            "stats",
            "--verify",
            "--json",
            "--kb",
            out.to_str().unwrap(),
        ],
        None,
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["entities"].as_u64().unwrap() as usize, kb.len());
    // annotate with it
    let o = kglink(
        &["annotate", "--kb", out.to_str().unwrap(), "-"],
        Some(b"Douglas Adams flew from Lisbon to Oslo."),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("Q597") && text.contains("Q585"), "{text}");
}

#[test]
fn truncated_and_corrupt_dumps_are_located_errors_and_write_nothing() {
    let Some(s) = samples() else { return };
    let dir = tempfile::tempdir().unwrap();
    let lines = dump_lines(&s);
    let out = dir.path().join("kb");
    let run = |name: &str, content: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, content).unwrap();
        let o = build(&[
            "--from",
            p.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(!o.status.success());
        assert!(!out.exists(), "nothing written for {name}");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
            .collect();
        assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
        stderr(&o)
    };
    // cut before the closing bracket
    let cut = lines[..50].join("\n");
    let err = run("cut.json", cut.as_bytes());
    assert!(
        err.contains("truncated dump") && err.contains("cut.json:50"),
        "{err}"
    );
    // cut in the middle of an entity
    let all = lines.join("\n");
    let half = &all.as_bytes()[..all.len() / 2];
    let err = run("half.json", half);
    assert!(
        err.contains("byte offset") && err.contains("bad entity JSON"),
        "{err}"
    );
    // garbage line 3
    let mut bad = lines.clone();
    bad[2] = "{\"id\": \"Q1\", \"labels\": [}".into();
    let err = run("bad.json", bad.join("\n").as_bytes());
    let offset = lines[0].len() + 1 + lines[1].len() + 1;
    assert!(err.contains("bad.json:3"), "{err}");
    assert!(
        err.contains(&format!("byte offset {}", offset + 24)),
        "{err}"
    );
    // a truncated bz2 stream
    let bz = std::fs::read(s.join("sample_wikidata_items.json.bz2")).unwrap();
    let err = run("cut.json.bz2", &bz[..bz.len() / 2]);
    assert!(err.contains("byte offset"), "{err}");
    // gzip works, a truncated gzip does not
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(all.as_bytes()).unwrap();
    let gz = gz.finish().unwrap();
    let p = dir.path().join("ok.json.gz");
    std::fs::write(&p, &gz).unwrap();
    assert_eq!(
        records(&p).unwrap(),
        records(&s.join("sample_wikidata_items.json.bz2")).unwrap()
    );
    let err = run("cut.json.gz", &gz[..gz.len() - 100]);
    assert!(err.contains("byte offset"), "{err}");
    // standard input
    let o = kglink(
        &["kb", "build", "--from", "-", "--out", out.to_str().unwrap()],
        Some(all.as_bytes()),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(Kb::load_dir(&out).unwrap().by_qid("Q45").is_some());
}

/// Writes Q45.json as truthy N-Triples (what the truthy dump says about it).
fn q45_as_ntriples(s: &Path) -> String {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(s.join("Q45.json")).unwrap()).unwrap();
    let e = &v["entities"]["Q45"];
    let lit = |t: &str| serde_json::to_string(t).unwrap();
    let subj = "<http://www.wikidata.org/entity/Q45>";
    let mut nt = String::new();
    for (lang, l) in e["labels"].as_object().unwrap() {
        let val = lit(l["value"].as_str().unwrap());
        nt += &format!("{subj} <http://www.w3.org/2000/01/rdf-schema#label> {val}@{lang} .\n");
    }
    for (lang, l) in e["descriptions"].as_object().unwrap() {
        let val = lit(l["value"].as_str().unwrap());
        nt += &format!("{subj} <http://schema.org/description> {val}@{lang} .\n");
    }
    for (lang, list) in e["aliases"].as_object().unwrap() {
        for a in list.as_array().unwrap() {
            let val = lit(a["value"].as_str().unwrap());
            nt +=
                &format!("{subj} <http://www.w3.org/2004/02/skos/core#altLabel> {val}@{lang} .\n");
        }
    }
    for (p, stmts) in e["claims"].as_object().unwrap() {
        let stmts = stmts.as_array().unwrap();
        let preferred = stmts.iter().any(|s| s["rank"] == "preferred");
        for st in stmts {
            let rank = st["rank"].as_str().unwrap();
            if rank == "deprecated" || (preferred && rank != "preferred") {
                continue;
            }
            let dv = &st["mainsnak"]["datavalue"]["value"];
            let obj = if let Some(id) = dv.get("id").and_then(|i| i.as_str()) {
                format!("<http://www.wikidata.org/entity/{id}>")
            } else if let Some(t) = dv.as_str() {
                lit(t)
            } else if let (Some(text), Some(lang)) = (dv.get("text"), dv.get("language")) {
                format!("{}@{}", lit(text.as_str().unwrap()), lang.as_str().unwrap())
            } else {
                continue;
            };
            nt += &format!("{subj} <http://www.wikidata.org/prop/direct/{p}> {obj} .\n");
        }
    }
    for (site, l) in e["sitelinks"].as_object().unwrap() {
        let title = l["title"].as_str().unwrap().replace(' ', "_");
        let host = if site == "enwiki" {
            "en.wikipedia.org".to_string()
        } else {
            format!("{site}.example.org")
        };
        nt += &format!("<https://{host}/wiki/{title}> <http://schema.org/about> {subj} .\n");
    }
    nt
}

#[test]
fn ntriples_and_json_agree() {
    let Some(s) = samples() else { return };
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("q45.nt");
    std::fs::write(&p, q45_as_ntriples(&s)).unwrap();
    let from_nt = records(&p).unwrap();
    let from_json = records(&s.join("Q45.json")).unwrap();
    assert_eq!(from_nt.len(), 1);
    let (a, b) = (&from_nt[0], &from_json[0]);
    assert_eq!((a.qid.as_str(), a.name.as_str()), ("Q45", "Portugal"));
    assert_eq!(a.name, b.name);
    assert_eq!(a.capital, b.capital);
    assert_eq!((&a.iso2, &a.iso3), (&b.iso2, &b.iso3));
    assert_eq!(a.demonyms, b.demonyms);
    assert_eq!(a.sitelinks, b.sitelinks);
    assert_eq!(a.enwiki.as_deref(), Some("Portugal"));
    let (mut am, mut bm) = (a.memberships.clone(), b.memberships.clone());
    am.sort();
    bm.sort();
    assert_eq!(am, bm);
    // a syntax error names its line
    let bad = format!("{}<broken\n", q45_as_ntriples(&s));
    let lines = bad.lines().count();
    std::fs::write(&p, bad).unwrap();
    let err = records(&p).unwrap_err();
    assert!(
        err.contains(&format!("q45.nt:{lines}")) && err.contains("byte offset"),
        "{err}"
    );
}

#[test]
fn wdqs_results_import() {
    let Some(s) = samples() else { return };
    // the dump sample as a WDQS answer to
    // SELECT ?item ?itemLabel ?class ?sitelinks WHERE { ... }
    let mut bindings = Vec::new();
    for l in dump_lines(&s) {
        let t = l.trim().trim_end_matches(',');
        if t == "[" || t == "]" {
            continue;
        }
        let e: serde_json::Value = serde_json::from_str(t).unwrap();
        let Some(label) = e["labels"]["en"]["value"].as_str() else {
            continue;
        };
        let id = e["id"].as_str().unwrap();
        for c in e["claims"]["P31"].as_array().into_iter().flatten() {
            let class = c["mainsnak"]["datavalue"]["value"]["id"].as_str().unwrap();
            bindings.push(serde_json::json!({
                "item": {"type": "uri", "value": format!("http://www.wikidata.org/entity/{id}")},
                "itemLabel": {"type": "literal", "xml:lang": "en", "value": label},
                "class": {"type": "uri", "value": format!("http://www.wikidata.org/entity/{class}")},
                "sitelinks": {"type": "literal", "value": e["sitelinks"].as_object().map_or(0, |m| m.len()).to_string()},
            }));
        }
    }
    let doc = serde_json::json!({
        "head": {"vars": ["item", "itemLabel", "class", "sitelinks"]},
        "results": {"bindings": bindings},
    });
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("wdqs.json");
    std::fs::write(&p, doc.to_string()).unwrap();
    let from_wdqs = records(&p).unwrap();
    let from_dump = records(&{
        let d = dir.path().join("dump.json");
        std::fs::write(&d, dump_lines(&s).join("\n")).unwrap();
        d
    })
    .unwrap();
    let ids = |v: &[Record]| {
        let mut x: Vec<(String, Option<EntityType>, u32)> = v
            .iter()
            .map(|r| (r.qid.clone(), r.etype, r.sitelinks.unwrap()))
            .collect();
        x.sort();
        x
    };
    assert_eq!(ids(&from_wdqs), ids(&from_dump));
    // a result without type or class is refused
    std::fs::write(
        &p,
        r#"{"head":{"vars":["item"]},"results":{"bindings":[]}}"#,
    )
    .unwrap();
    assert!(records(&p)
        .unwrap_err()
        .contains("neither a `type` nor a `class`"));
}

#[test]
fn own_tables_tsv_and_jsonl() {
    let dir = tempfile::tempdir().unwrap();
    let tsv = dir.path().join("mine.tsv");
    std::fs::write(
        &tsv,
        "# my entities\nqid\ttype\tname\taliases\tcountry\tprior\tkind\n\
         Q597\tLOC\tLisbon\tLisboa\tQ45\t70\tcapital\n\
         Q45\tCOUNTRY\tPortugal\tPortuguese Republic\t\t80\tstate\n",
    )
    .unwrap();
    let jsonl = dir.path().join("mine.jsonl");
    std::fs::write(
        &jsonl,
        r#"{"qid":"Q42","type":"PER","name":"Douglas Adams","aliases":["Douglas Noël Adams"],"citizenship":["Q145"],"prior":60}
"#,
    )
    .unwrap();
    let out = dir.path().join("kb");
    let o = build(&[
        "--from",
        tsv.to_str().unwrap(),
        jsonl.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let kb = Kb::load_dir(&out).unwrap();
    assert_eq!(kb.len(), 3);
    let lisbon = kb.entity(kb.by_qid("Q597").unwrap());
    assert_eq!((lisbon.prior, lisbon.kind.as_str()), (70, "capital"));
    assert_eq!(kb.entity(lisbon.country.unwrap()).qid, "Q45");
    // Q145 (United Kingdom) is not in this KB: the reference is dropped
    assert!(kb.entity(kb.by_qid("Q42").unwrap()).citizenship.is_empty());
    assert_eq!(read_manifest(&out).unwrap().dropped_references, 1);
    // bad rows name their line
    std::fs::write(&tsv, "qid\ttype\tname\nQ1\tPER\tA\nQ2\tTHING\tB\n").unwrap();
    let err = records(&tsv).unwrap_err();
    assert!(
        err.contains("mine.tsv:3") && err.contains("unknown type"),
        "{err}"
    );
    std::fs::write(&tsv, "qid\ttype\tname\tcolour\n").unwrap();
    assert!(records(&tsv)
        .unwrap_err()
        .contains("unknown column `colour`"));
    std::fs::write(&jsonl, "{\"qid\":\"Q1\",\"type\":\"PER\",\"name\":\"A\"}\n{\"qid\":\"X\",\"type\":\"PER\",\"name\":\"B\"}\n").unwrap();
    let err = records(&jsonl).unwrap_err();
    assert!(
        err.contains("mine.jsonl:2") && err.contains("not a QID"),
        "{err}"
    );
}

#[test]
fn update_applies_changes_and_records_history() {
    let Some(s) = samples() else { return };
    let dir = tempfile::tempdir().unwrap();
    let kb = dir.path().join("kb");
    let o = build(&[
        "--from",
        s.join("sample_wikidata_items.json.bz2").to_str().unwrap(),
        "--out",
        kb.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let before = Kb::load_dir(&kb).unwrap();
    assert!(before.by_qid("Q456").is_none());
    // a dump slice renaming Portugal's alias list and the wbgetentities answer (Lyon is new)
    let mut slice = vec!["[".to_string()];
    for l in dump_lines(&s) {
        if l.starts_with("{\"type\": \"item\", \"id\": \"Q45\",") {
            let mut e: serde_json::Value = serde_json::from_str(l.trim_end_matches(',')).unwrap();
            e["aliases"]["en"]
                .as_array_mut()
                .unwrap()
                .push(serde_json::json!({"language": "en", "value": "Lusitania Nova"}));
            slice.push(e.to_string());
        }
    }
    slice.push("]".into());
    let slice_path = dir.path().join("slice.json");
    std::fs::write(&slice_path, slice.join("\n")).unwrap();
    let store = dir.path().join("store");
    let o = kglink(
        &[
            "kb",
            "update",
            "--kb",
            kb.to_str().unwrap(),
            "--from",
            s.join("wbgetentities_response.json").to_str().unwrap(),
            slice_path.to_str().unwrap(),
            "--sync-store",
            "--store",
            store.to_str().unwrap(),
        ],
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("1 added, 0 changed"), "{err}");
    assert!(err.contains("0 added, 1 changed"), "{err}");
    let after = Kb::load_dir(&kb).unwrap();
    assert_eq!(after.len(), before.len() + 1);
    assert_eq!(after.entity(after.by_qid("Q456").unwrap()).label, "Lyon");
    let pt = after.entity(after.by_qid("Q45").unwrap());
    assert!(pt.names.iter().any(|(n, _)| n == "Lusitania Nova"));
    // the capital, not in the slice's change, is kept
    assert_eq!(after.entity(pt.capital.unwrap()).qid, "Q597");
    let m = read_manifest(&kb).unwrap();
    assert_eq!(m.version, 2);
    assert_eq!(m.updates.len(), 2);
    assert!(m.updates[0].time.ends_with('Z'));
    assert_eq!(
        stdout(&kglink(
            &[
                "kb",
                "lookup",
                "lusitania nova",
                "--kb",
                kb.to_str().unwrap()
            ],
            None
        ))
        .split('\t')
        .next(),
        Some("Q45")
    );
    // the store's KB graph has the new alias
    let o = kglink(
        &[
            "query",
            "--store",
            store.to_str().unwrap(),
            "SELECT ?s WHERE { ?s ?p \"Lusitania Nova\"@en }",
        ],
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("Q45"), "{}", stdout(&o));
    // a failed update leaves the KB as it was
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "[\n{\"id\": \"Q45\",\n").unwrap();
    let o = kglink(
        &[
            "kb",
            "update",
            "--kb",
            kb.to_str().unwrap(),
            "--from",
            bad.to_str().unwrap(),
        ],
        None,
    );
    assert!(!o.status.success());
    assert_eq!(read_manifest(&kb).unwrap().version, 2);
}

#[test]
fn bundled_kb_round_trips_through_build_and_export() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("kb");
    // a directory that is not a KB is never replaced
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    let o = build(&["--from", "bundled", "--out", out.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("not a KB directory"), "{}", stderr(&o));
    assert!(out.join("notes.txt").exists());
    std::fs::remove_dir_all(&out).unwrap();
    let o = build(&["--from", "bundled", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    // rebuilding over a KB directory replaces it; a KB directory is a source
    let again = dir.path().join("again");
    let o = build(&[
        "--from",
        out.to_str().unwrap(),
        "--out",
        again.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = build(&[
        "--from",
        again.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // `kb update` refuses a hand-made TSV directory
    let plain = dir.path().join("plain");
    std::fs::create_dir(&plain).unwrap();
    std::fs::copy(out.join("countries.tsv"), plain.join("countries.tsv")).unwrap();
    let o = kglink(
        &[
            "kb",
            "update",
            "--kb",
            plain.to_str().unwrap(),
            "--from",
            "x.json",
        ],
        None,
    );
    assert!(stderr(&o).contains("no kb.json"), "{}", stderr(&o));
    let a = Kb::bundled().unwrap();
    let b = Kb::load_dir(&out).unwrap();
    assert_eq!(a.len(), b.len());
    assert_eq!(a.positions().len(), b.positions().len());
    for (_, e) in a.iter() {
        let f = b.entity(b.by_qid(&e.qid).unwrap());
        assert_eq!(
            (&e.label, &e.names, e.prior, &e.kind),
            (&f.label, &f.names, f.prior, &f.kind)
        );
        assert_eq!(e.positions.len(), f.positions.len(), "{}", e.qid);
        let q = |k: &Kb, id: Option<u32>| id.map(|i| k.entity(i).qid.clone());
        assert_eq!(q(a, e.country), q(&b, f.country), "{}", e.qid);
        assert_eq!(q(a, e.capital), q(&b, f.capital), "{}", e.qid);
    }
    assert_eq!(read_manifest(&out).unwrap().dropped_references, 0);
    // same annotation
    let text = "Prime Minister Shinzo Abe met Donald Trump in Hanoi; NATO and the EU watched.";
    let ann = |kb: &Kb| {
        serde_json::to_string(
            &kglink::annotate::Annotator::new(kb).annotate(text, Some("2019-02-28")),
        )
        .unwrap()
    };
    assert_eq!(ann(a), ann(&b));
    // export as N-Triples parses and holds the KB
    let o = kglink(
        &[
            "kb",
            "export",
            "--format",
            "nt",
            "--kb",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let nt = stdout(&o);
    let n = oxigraph::io::RdfParser::from_format(oxigraph::io::RdfFormat::NTriples)
        .for_slice(nt.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
        .len();
    assert_eq!(n, kglink::rdf::kb_quads(a).len());
    let o = kglink(&["kb", "export", "--format", "ttl"], None);
    assert!(stdout(&o).contains("wd:Q17"), "bundled KB export");
}

#[test]
fn filters_languages_types_sitelinks_and_classes() {
    let Some(s) = samples() else { return };
    let dir = tempfile::tempdir().unwrap();
    let dump = s.join("sample_wikidata_items.json.bz2");
    let out = dir.path().join("kb");
    let o = build(&[
        "--from",
        dump.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--types",
        "country",
        "--min-sitelinks",
        "300",
        "--lang",
        "de,en",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let kb = Kb::load_dir(&out).unwrap();
    assert!(!kb.is_empty());
    assert!(kb.iter().all(|(_, e)| e.etype == EntityType::Country));
    let all = records(&dump).unwrap();
    for (_, e) in kb.iter() {
        let r = all.iter().find(|r| r.qid == e.qid).unwrap();
        assert!(r.sitelinks.unwrap() >= 300, "{}", e.qid);
    }
    let few = all
        .iter()
        .filter(|r| r.etype == Some(EntityType::Country) && r.sitelinks.unwrap() >= 300)
        .count();
    assert_eq!(kb.len(), few);
    // German names first
    let de = kb.entity(kb.by_qid("Q183").unwrap());
    assert_eq!(de.label, "Deutschland");
    assert!(de.names.iter().any(|(n, _)| n == "Germany"));
    // an extra class: Q2013 (Wikidata) is an instance of Q593744 (knowledge base)
    let o = build(&[
        "--from",
        dump.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--class",
        "Q593744=ORG",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let kb = Kb::load_dir(&out).unwrap();
    assert_eq!(
        kb.entity(kb.by_qid("Q2013").unwrap()).etype,
        EntityType::Org
    );
    let o = build(&[
        "--from",
        dump.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--class",
        "X1=ORG",
    ]);
    assert!(stderr(&o).contains("not a QID"), "{}", stderr(&o));
}
