//! A bigger KB for measurement: `kglink kb build` from the reference tables of
//! `../shared/reference/` (world leaders, the current US Congress, international
//! organisations, the name-suggestion-index companies) plus the bundled KB, then
//! `kglink eval` on the dev sets with it and with the bundled KB, side by side.
//! The tables are converted here into the JSONL table shape of
//! `kglink::kb::import::table` in a temporary directory; nothing built is kept.
//! Skipped with a message when `../shared` is absent.
//!
//! The bundled KB is applied last (`--with-bundled`): for the QIDs it has, its
//! hand-checked records win. Four KBs are compared: the bundled one, the bundled
//! one rebuilt by `kb build --from bundled` (must score exactly the same), the
//! bigger one, and the bigger one without the companies.
//!
//! `cargo bench --bench kb_bigger`

use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const DEV: &[&str] = &[
    "conll2003-testa.jsonl",
    "aida-conll-testa.jsonl",
    "msnbc.jsonl",
    "reuters128.jsonl",
    "news-fair-dev.jsonl",
];

fn kglink(args: &[&str]) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_kglink"))
        .args(args)
        .env_remove("KGLINK_KB")
        .output()
        .expect("kglink runs");
    assert!(
        out.status.success(),
        "kglink {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn write_jsonl(path: &Path, rows: &[Value]) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    for r in rows {
        writeln!(f, "{r}").expect("write");
    }
}

fn is_qid(s: &str) -> bool {
    kglink::kb::is_qid(s)
}

fn latin(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_ascii() || ('\u{00C0}'..='\u{024F}').contains(&c))
}

/// world_leaders_wikidata.csv: `countryid,country,position,positionLabel,officeholder,officeholderLabel,start_year,end_year`.
fn leaders(reference: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(reference.join("people/world_leaders_wikidata.csv"))
        .expect("leaders");
    let mut rows: Vec<Value> = Vec::new();
    for line in text.lines().skip(1) {
        // labels may be quoted and hold commas
        let mut cells = Vec::new();
        let (mut cur, mut quoted) = (String::new(), false);
        for c in line.chars() {
            match c {
                '"' => quoted = !quoted,
                ',' if !quoted => cells.push(std::mem::take(&mut cur)),
                c => cur.push(c),
            }
        }
        cells.push(cur);
        if cells.len() < 8 || !is_qid(&cells[4]) || !is_qid(&cells[0]) {
            continue;
        }
        let name = cells[5].trim();
        if name.is_empty() || name == cells[4] {
            continue;
        }
        let tenure = json!({
            "position": cells[2],
            "start": (!cells[6].is_empty()).then(|| cells[6].clone()),
            "end": (!cells[7].is_empty()).then(|| cells[7].clone()),
        });
        if let Some(r) = rows.iter_mut().find(|r| r["qid"] == cells[4].as_str()) {
            r["positions"].as_array_mut().expect("list").push(tenure);
            continue;
        }
        rows.push(json!({
            "qid": cells[4], "type": "PER", "name": name,
            "citizenship": [cells[0]], "positions": [tenure],
            "description": format!("{} ({})", cells[3], cells[1]),
            "prior": 50,
        }));
    }
    rows
}

/// us_legislators_current.yaml: the fields we need, read line by line.
fn congress(reference: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(reference.join("people/us_legislators_current.yaml"))
        .expect("congress");
    let mut rows = Vec::new();
    let (mut qid, mut full, mut first, mut last) = (None, None, None, None);
    let mut flush = |qid: &mut Option<String>,
                     full: &mut Option<String>,
                     first: &mut Option<String>,
                     last: &mut Option<String>| {
        if let (Some(q), Some(f)) = (qid.take(), full.take()) {
            let mut aliases = Vec::new();
            if let (Some(a), Some(b)) = (first.take(), last.take()) {
                let short = format!("{a} {b}");
                if short != f {
                    aliases.push(short);
                }
            }
            rows.push(json!({
                "qid": q, "type": "PER", "name": f, "aliases": aliases,
                "citizenship": ["Q30"], "description": "member of the United States Congress",
                "prior": 35,
            }));
        }
        *first = None;
        *last = None;
    };
    for line in text.lines() {
        if line.starts_with("- id:") {
            flush(&mut qid, &mut full, &mut first, &mut last);
        }
        let t = line.trim();
        let val = |k: &str| {
            t.strip_prefix(k)
                .map(|v| v.trim().trim_matches('\'').trim_matches('"').to_string())
        };
        if let Some(v) = val("wikidata:") {
            qid = Some(v).filter(|q| is_qid(q));
        } else if let Some(v) = val("official_full:") {
            full = Some(v);
        } else if let Some(v) = val("first:") {
            first = Some(v);
        } else if let Some(v) = val("last:") {
            last = Some(v);
        }
    }
    flush(&mut qid, &mut full, &mut first, &mut last);
    rows
}

/// supraverden_general_list.yaml: `Wikidata_code`, `Name_en`, `Name_other_en`, `Abbreviation_en`.
fn igos(reference: &Path) -> Vec<Value> {
    let text =
        std::fs::read_to_string(reference.join("organisations/supraverden_general_list.yaml"))
            .expect("organisations");
    let mut rows: Vec<Value> = Vec::new();
    let mut cur: Option<Value> = None;
    let mut push = |cur: Option<Value>| {
        if let Some(r) = cur {
            if is_qid(r["qid"].as_str().unwrap_or(""))
                && r["name"].as_str().is_some_and(|n| !n.is_empty())
            {
                rows.push(r);
            }
        }
    };
    for line in text.lines() {
        if !line.starts_with(' ') && line.ends_with(':') {
            push(cur.take());
            cur = Some(
                json!({"qid": "", "type": "ORG", "kind": "igo", "name": "", "aliases": [], "acronyms": [], "prior": 30}),
            );
            continue;
        }
        let Some(r) = cur.as_mut() else { continue };
        let t = line.trim();
        let Some((k, v)) = t.split_once(": ") else {
            continue;
        };
        let v = v.trim().trim_matches('\'').trim_matches('"').to_string();
        if v.is_empty() || v.starts_with('[') || v.contains(['|', '\t']) {
            continue;
        }
        match k {
            "Wikidata_code" => r["qid"] = json!(v),
            "Name_en" => r["name"] = json!(v),
            "Abbreviation_en" => r["acronyms"].as_array_mut().expect("list").push(json!(v)),
            k if k.starts_with("Name_other") && k.ends_with("_en") => {
                r["aliases"].as_array_mut().expect("list").push(json!(v))
            }
            _ => {}
        }
    }
    push(cur.take());
    rows
}

/// nsi_wikidata_entities.tsv: brands and operators (not flags or subjects).
fn companies(reference: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(reference.join("companies/nsi_wikidata_entities.tsv"))
        .expect("companies");
    let mut rows = Vec::new();
    for line in text.lines().skip(1) {
        let c: Vec<&str> = line.split('\t').collect();
        if c.len() < 5 || !is_qid(c[0]) || c[1].is_empty() {
            continue;
        }
        let roles = c[3];
        if !(roles.contains("brand") || roles.contains("operator")) {
            continue;
        }
        let name = c[1].trim();
        if name.contains('|') || c[2].contains('|') {
            continue;
        }
        let aliases: Vec<&str> = c[4]
            .split('|')
            .map(str::trim)
            .filter(|a| !a.is_empty() && *a != name && latin(a) && !a.contains(" - "))
            .collect();
        rows.push(json!({
            "qid": c[0], "type": "ORG", "kind": "company", "name": name,
            "aliases": aliases, "description": c[2], "prior": 5,
        }));
    }
    rows
}

fn main() {
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared");
    let reference = shared.join("reference");
    if !reference.exists() {
        eprintln!("skipped: {} is absent", reference.display());
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let mut sources = Vec::new();
    for (name, rows) in [
        ("leaders.jsonl", leaders(&reference)),
        ("congress.jsonl", congress(&reference)),
        ("igos.jsonl", igos(&reference)),
        ("companies.jsonl", companies(&reference)),
    ] {
        assert!(!rows.is_empty(), "{name}: no rows");
        println!("{name}: {} entities", rows.len());
        let p = dir.path().join(name);
        write_jsonl(&p, &rows);
        sources.push(p.to_string_lossy().into_owned());
    }
    let build_kb = |name: &str, from: &[String]| -> PathBuf {
        let kb = dir.path().join(name);
        let mut args = vec![
            "kb",
            "build",
            "--out",
            kb.to_str().expect("utf-8"),
            "--from",
        ];
        if from.is_empty() {
            args.push("bundled");
        } else {
            args.extend(from.iter().map(String::as_str));
            args.push("--with-bundled");
        }
        let t0 = Instant::now();
        kglink(&args);
        let build = t0.elapsed().as_secs_f64();
        let stats: Value = serde_json::from_slice(&kglink(&[
            "kb",
            "stats",
            "--json",
            "--kb",
            kb.to_str().expect("utf-8"),
        ]))
        .expect("stats JSON");
        println!(
            "{name}: {} entities ({}), {} keys, built in {build:.1} s; dropped references {}",
            stats["entities"], stats["counts"], stats["keys"], stats["dropped_references"]
        );
        kb
    };
    let rebuilt = build_kb("rebuilt", &[]);
    let bigger = build_kb("bigger", &sources);
    let no_companies = build_kb("bigger-no-companies", &sources[..3]);

    let files: Vec<String> = DEV
        .iter()
        .map(|f| shared.join("eval").join(f))
        .filter(|p| p.exists())
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let eval = |kb: Option<&Path>| -> Value {
        let mut a: Vec<&str> = vec!["eval", "--format", "json"];
        if let Some(k) = kb {
            a.extend(["--kb", k.to_str().expect("utf-8")]);
        }
        a.extend(files.iter().map(String::as_str));
        serde_json::from_slice(&kglink(&a)).expect("eval JSON")
    };
    let runs = [
        ("bundled", eval(None)),
        ("rebuilt", eval(Some(&rebuilt))),
        ("bigger", eval(Some(&bigger))),
        ("bigger-no-companies", eval(Some(&no_companies))),
    ];
    assert_eq!(
        runs[0].1["overall"]["linking"], runs[1].1["overall"]["linking"],
        "the bundled KB rebuilt by `kb build` links exactly as the bundled KB"
    );
    println!();
    println!("| file | KB | rec F1 | link P | link R | link F1 | in-KB acc (n) |");
    println!("|---|---|---|---|---|---|---|");
    let rows = |r: &Value| -> Vec<Value> {
        let mut v = r["files"].as_array().cloned().unwrap_or_default();
        v.push(r["overall"].clone());
        v
    };
    let n = rows(&runs[0].1).len();
    for i in 0..n {
        for (label, report) in &runs {
            let r = &rows(report)[i];
            let pct = |v: &Value| v.as_f64().unwrap_or(0.0) * 100.0;
            println!(
                "| {} | {label} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} ({}) |",
                r["file"].as_str().unwrap_or(""),
                pct(&r["recognition"]["f1"]),
                pct(&r["linking"]["precision"]),
                pct(&r["linking"]["recall"]),
                pct(&r["linking"]["f1"]),
                pct(&r["in_kb_accuracy"]),
                r["in_kb"],
            );
        }
    }
}
