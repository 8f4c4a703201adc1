//! Load on `kglink serve` over loopback, beside Oxigraph's own server
//! (`oxigraph serve`, PyPI package `oxigraph`) answering the same query on the
//! same data in the same run.
//!
//! Data: the bundled KB plus the first ARTICLES Reuters-21578 articles
//! (`../shared/corpus/reuters21578.jsonl`) ingested as kglink does; the store
//! is dumped as N-Quads and loaded into Oxigraph's server, started with
//! `--union-default-graph` so the query means the same on both.
//!
//! For each client count (1, 8, 64), each server and each workload, ROUNDS
//! rounds of SECONDS seconds with that many client threads, each sending
//! requests back to back over keep-alive connections: reports the median
//! queries/s over rounds, the p50 and p99 latency over all requests, the
//! errors (any status but 200, or a body that differs from the first answer's
//! row count), and the ratio kglink/Oxigraph.
//!
//! Workloads: the saved query `top-people` (GET /sparql, SPARQL JSON) on
//! both servers, on kglink once as any client sends it (answered from the
//! result cache after the first time) and once with `Cache-Control: no-cache`
//! (evaluated every time, as Oxigraph does); `POST /annotate` on kglink (Oxigraph has no counterpart) with
//! a Reuters text.
//!
//! `cargo bench --bench serve_load [-- SECONDS ROUNDS ARTICLES]`
//! Skips with a message when the corpus or `oxigraph` is missing.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

fn wait_up(url: &str, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(r) = agent().get(format!("{url}/sparql?query=ASK%7B%7D")).call() {
            if r.status() == 200 {
                return;
            }
        }
        if let Ok(Some(st)) = child.try_wait() {
            panic!("server exited: {st}");
        }
        assert!(Instant::now() < deadline, "{url} did not come up");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

#[derive(Clone, Copy)]
enum Work<'a> {
    Get(&'a str),
    GetFresh(&'a str),
    Annotate(&'a str),
}

struct Cell {
    qps: f64,
    p50: f64,
    p99: f64,
    errors: usize,
}

/// `clients` threads for `secs` seconds; returns (requests, latencies in ms, errors).
fn round(
    url: &str,
    work: Work<'_>,
    clients: usize,
    secs: f64,
    expect_len: Option<usize>,
) -> (usize, Vec<f64>, usize) {
    let barrier = Arc::new(Barrier::new(clients));
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..clients)
            .map(|_| {
                let barrier = barrier.clone();
                s.spawn(move || {
                    let a = agent();
                    let mut lat = Vec::new();
                    let mut errors = 0usize;
                    barrier.wait();
                    let end = Instant::now() + Duration::from_secs_f64(secs);
                    while Instant::now() < end {
                        let t = Instant::now();
                        let r = match work {
                            Work::Get(u) => a
                                .get(format!("{url}{u}"))
                                .header("Accept", "application/sparql-results+json")
                                .call(),
                            Work::GetFresh(u) => a
                                .get(format!("{url}{u}"))
                                .header("Accept", "application/sparql-results+json")
                                .header("Cache-Control", "no-cache")
                                .call(),
                            Work::Annotate(text) => a
                                .post(format!("{url}/annotate"))
                                .header("Content-Type", "text/plain")
                                .send(text.as_bytes()),
                        };
                        let ok = match r {
                            Ok(mut r) => {
                                let status = r.status();
                                let body = r.body_mut().read_to_vec().unwrap_or_default();
                                status == 200 && expect_len.is_none_or(|n| count_rows(&body) == n)
                            }
                            Err(_) => false,
                        };
                        lat.push(t.elapsed().as_secs_f64() * 1000.0);
                        if !ok {
                            errors += 1;
                        }
                    }
                    (lat, errors)
                })
            })
            .collect();
        let mut all = Vec::new();
        let mut errors = 0;
        for h in handles {
            let (l, e) = h.join().unwrap();
            all.extend(l);
            errors += e;
        }
        (all.len(), all, errors)
    })
}

fn count_rows(body: &[u8]) -> usize {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["results"]["bindings"].as_array().map(Vec::len))
        .unwrap_or(usize::MAX)
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn cell(
    url: &str,
    work: Work<'_>,
    clients: usize,
    secs: f64,
    rounds: usize,
    expect_len: Option<usize>,
) -> Cell {
    // warm-up
    round(url, work, clients, 0.3, expect_len);
    let mut qps = Vec::new();
    let mut lat = Vec::new();
    let mut errors = 0;
    for _ in 0..rounds {
        let (n, l, e) = round(url, work, clients, secs, expect_len);
        qps.push(n as f64 / secs);
        lat.extend(l);
        errors += e;
    }
    qps.sort_by(f64::total_cmp);
    lat.sort_by(f64::total_cmp);
    Cell {
        qps: qps[qps.len() / 2],
        p50: pct(&lat, 0.5),
        p99: pct(&lat, 0.99),
        errors,
    }
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let secs: f64 = args.first().and_then(|a| a.parse().ok()).unwrap_or(2.0);
    let rounds: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(3);
    let limit: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let corpus = [
        manifest.join("../shared/corpus/reuters21578.jsonl"),
        PathBuf::from("/work/shared/corpus/reuters21578.jsonl"),
    ]
    .into_iter()
    .find(|p| p.is_file());
    let Some(corpus) = corpus else {
        eprintln!("skipped: ../shared/corpus/reuters21578.jsonl is absent");
        return;
    };
    let Some(oxigraph) = on_path("oxigraph") else {
        eprintln!(
            "skipped: the oxigraph server is not on PATH (scripts/test-tools.sh installs it)"
        );
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let kdir = tmp.path().join("kglink");
    let odir = tmp.path().join("oxigraph");
    let nq = tmp.path().join("data.nq");
    let (articles, text) = build_store(&corpus, limit, &kdir, &nq);
    let st = Command::new(&oxigraph)
        .args(["load", "--location"])
        .arg(&odir)
        .arg("--file")
        .arg(&nq)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(st.success(), "oxigraph load failed");

    let kport = free_port();
    let mut k = Server {
        child: Command::new(env!("CARGO_BIN_EXE_kglink"))
            .args(["serve", "--bind", &format!("127.0.0.1:{kport}"), "--store"])
            .arg(&kdir)
            .env_remove("KGLINK_STORE")
            .env_remove("KGLINK_KB")
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
        url: format!("http://127.0.0.1:{kport}"),
    };
    wait_up(&k.url.clone(), &mut k.child);
    let oport = free_port();
    let mut o = Server {
        child: Command::new(&oxigraph)
            .args(["serve", "--union-default-graph", "--location"])
            .arg(&odir)
            .args(["--bind", &format!("127.0.0.1:{oport}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
        url: format!("http://127.0.0.1:{oport}"),
    };
    wait_up(&o.url.clone(), &mut o.child);

    let q = kglink::query::saved_query("top-people").unwrap().text;
    let path = format!(
        "/sparql?query={}",
        form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
    );
    let rows = |url: &str| {
        let mut r = agent()
            .get(format!("{url}{path}"))
            .header("Accept", "application/sparql-results+json")
            .call()
            .unwrap();
        count_rows(&r.body_mut().read_to_vec().unwrap())
    };
    let (krows, orows) = (rows(&k.url), rows(&o.url));
    assert_eq!(krows, orows, "the two servers disagree on the query");
    println!(
        "data: bundled KB + {articles} Reuters articles; query `top-people`: {krows} rows on both; {rounds} rounds x {secs} s per cell, loopback, {} cores",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );
    println!(
        "{:<22} {:>7} {:>10} {:>9} {:>9} {:>7} {:>9}",
        "workload", "clients", "queries/s", "p50 ms", "p99 ms", "errors", "ratio"
    );
    for clients in [1, 8, 64] {
        let kc = cell(&k.url, Work::Get(&path), clients, secs, rounds, Some(krows));
        let kf = cell(
            &k.url,
            Work::GetFresh(&path),
            clients,
            secs,
            rounds,
            Some(krows),
        );
        let oc = cell(&o.url, Work::Get(&path), clients, secs, rounds, Some(orows));
        let line = |name: &str, c: &Cell, ratio: String| {
            println!(
                "{:<22} {:>7} {:>10.1} {:>9.2} {:>9.2} {:>7} {:>9}",
                name, clients, c.qps, c.p50, c.p99, c.errors, ratio
            )
        };
        line("top-people  kglink", &kc, format!("{:.2}", kc.qps / oc.qps));
        line(
            "  (no-cache) kglink",
            &kf,
            format!("{:.2}", kf.qps / oc.qps),
        );
        line("top-people  oxigraph", &oc, "1.00".into());
        let ac = cell(&k.url, Work::Annotate(&text), clients, secs, rounds, None);
        line("/annotate   kglink", &ac, "-".into());
    }
}

/// Ingests the first `limit` articles into an on-disk kglink store at `dir`
/// and dumps it to `nq`; returns the article count and a text for /annotate.
fn build_store(corpus: &Path, limit: usize, dir: &Path, nq: &Path) -> (usize, String) {
    use kglink::annotate::Annotator;
    use kglink::kb::Kb;
    let data = std::fs::read_to_string(corpus).unwrap();
    let kb = Kb::bundled().unwrap();
    let store = kglink::store::Store::open(dir).unwrap();
    store.put_kb(kb).unwrap();
    let annotator = Annotator::new(kb);
    let mut n = 0;
    let mut sample = String::new();
    for line in data.lines().take(limit) {
        let a = kglink::ingest::input::parse_record(line).expect("corpus record");
        let annotated = annotator.article(&a);
        let (links, quads) = (annotated.links, annotated.quads);
        store
            .put_article(
                &kglink::rdf::article_iri(&a.id),
                &kglink::rdf::content_hash(&a.text),
                &quads,
            )
            .unwrap();
        if sample.is_empty() && a.text.split_whitespace().count() > 150 && links.len() >= 3 {
            sample = a.text.clone();
        }
        n += 1;
    }
    let f = std::io::BufWriter::new(std::fs::File::create(nq).unwrap());
    store
        .oxigraph()
        .dump_to_writer(oxigraph::io::RdfFormat::NQuads, f)
        .unwrap();
    store.flush().unwrap();
    (n, sample)
}
