//! Hostile input against the real `kglink serve` on 127.0.0.1 (and against
//! `kglink ingest` and `kglink kb build`), with memory read from `/proc`.
//!
//! Each case checks that the server lives, that its peak resident memory
//! (`VmHWM`) stays under [`MEMORY_BOUND`] above what it used before the
//! case, that the answer is a clear 4xx/5xx with a message, and that a normal
//! request is answered afterwards. With `KGLINK_HOSTILE_REPORT=1` the cases
//! print their status and peak memory instead of asserting, and
//! `KGLINK_HOSTILE_BIN` names another binary to run them against (how the
//! before/after table of `docs/server.md` was made).

use super::http;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const TOKEN: &str = "hostile-test-token";
/// The caps the server runs with in this suite.
const MAX_BODY: usize = 256 << 10;
const MAX_UPLOAD: usize = 4 << 20;
const MAX_QUADS: u64 = 50_000;
const MAX_BUFFERED_MB: usize = 16;
const MAX_MEMORY_MB: u64 = 256;
/// Peak memory a case may add: twice the heap cap (a cancelled request may
/// take the heap to twice the cap while Oxigraph ends its scans).
const MEMORY_BOUND: u64 = 2 * (MAX_MEMORY_MB << 20);

fn report_mode() -> bool {
    std::env::var_os("KGLINK_HOSTILE_REPORT").is_some()
}

fn binary() -> PathBuf {
    std::env::var_os("KGLINK_HOSTILE_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_kglink")))
}

/// `args` without the flags (and their values) the binary's `serve` does not
/// know.
fn known_flags(args: Vec<String>) -> Vec<String> {
    let help = Command::new(binary())
        .args(["serve", "--help"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    let mut out = Vec::new();
    let mut skip_value = false;
    for a in args {
        if skip_value {
            skip_value = false;
            continue;
        }
        if a.starts_with("--")
            && !help.contains(&format!("{a} "))
            && !help.contains(&format!("{a}\n"))
        {
            skip_value = true;
            continue;
        }
        out.push(a);
    }
    out
}

/// A field of `/proc/PID/status` in KiB.
fn proc_kib(pid: u32, field: &str) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines()
        .find_map(|l| l.strip_prefix(field))?
        .trim_start_matches(':')
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

struct Server {
    child: Child,
    addr: String,
    extra: Vec<String>,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start(extra: &[&str]) -> Option<Server> {
        if !cfg!(target_os = "linux") {
            eprintln!("skipped: the hostile-input suite reads /proc (Linux only)");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let token = dir.path().join("token");
        std::fs::write(&token, TOKEN).unwrap();
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap().to_string();
        drop(l);
        let mut args: Vec<String> = [
            "serve",
            "--bind",
            &addr,
            "--token-file",
            token.to_str().unwrap(),
            "--max-body",
            &MAX_BODY.to_string(),
            "--max-upload",
            &MAX_UPLOAD.to_string(),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        {
            // flags the server of this tree has (a binary measured in report
            // mode may lack them)
            for a in [
                "--max-quads",
                &MAX_QUADS.to_string(),
                "--max-buffered-mb",
                &MAX_BUFFERED_MB.to_string(),
                "--body-timeout",
                "3",
                "--header-timeout",
                "2",
                "--max-connections",
                "64",
                "--max-memory-mb",
                &MAX_MEMORY_MB.to_string(),
            ] {
                args.push(a.to_string());
            }
        }
        args.extend(extra.iter().map(|s| s.to_string()));
        let mut args = known_flags(args);
        args.push("--store".into());
        args.push(dir.path().join("store").to_string_lossy().into_owned());
        // the hand-kept tables of the bundled KB, not the generated open ones:
        // the store (and the cost of the queries that scan it whole) stays the
        // size these cases were measured at, whatever the bundled KB grows to
        let kb = dir.path().join("kb");
        std::fs::create_dir(&kb).unwrap();
        let tables = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/kb");
        for f in std::fs::read_dir(&tables).unwrap() {
            let f = f.unwrap().path();
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            if name.ends_with(".tsv") && !name.ends_with("-open.tsv") {
                std::fs::copy(&f, kb.join(&name)).unwrap();
            }
        }
        args.push("--kb".into());
        args.push(kb.to_string_lossy().into_owned());
        let child = Command::new(binary())
            .args(&args)
            .env_remove("KGLINK_STORE")
            .env_remove("KGLINK_KB")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let s = Server {
            child,
            addr,
            extra: extra.iter().map(|s| s.to_string()).collect(),
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while !s.healthy() {
            assert!(Instant::now() < deadline, "the server did not come up");
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(s)
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn healthy(&self) -> bool {
        matches!(
            http::send(&http::agent(Duration::from_secs(5)), "GET", &self.url("/health"), &[], None),
            Ok(r) if r.status == 200
        )
    }

    fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    fn peak_kib(&self) -> u64 {
        proc_kib(self.child.id(), "VmHWM").unwrap_or(0)
    }

    fn rss_kib(&self) -> u64 {
        proc_kib(self.child.id(), "VmRSS").unwrap_or(0)
    }

    fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
        timeout: Duration,
    ) -> Result<http::Resp, String> {
        let auth = format!("Bearer {TOKEN}");
        let mut h: Vec<(&str, &str)> = headers.to_vec();
        h.push(("authorization", &auth));
        http::send(&http::agent(timeout), method, &self.url(path), &h, body)
    }

    /// A normal query is answered.
    fn answers_normally(&self) -> bool {
        let q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }";
        matches!(
            self.send(
                "POST",
                "/sparql",
                &[("content-type", "application/sparql-query"), ("accept", "text/csv")],
                Some(q.as_bytes()),
                Duration::from_secs(30),
            ),
            Ok(r) if r.status == 200 && r.text().starts_with("n")
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What one case saw.
struct Seen {
    case: &'static str,
    answer: String,
    peak_mib: f64,
}

/// Runs `case` against `s`: `request` sends it and gives the status and
/// message; the status must be one of `statuses`.
fn case(
    s: &mut Server,
    name: &'static str,
    statuses: &[u16],
    request: impl FnOnce(&Server) -> Result<http::Resp, String>,
) -> Seen {
    if report_mode() && !s.alive() {
        // the binary measured died in an earlier case: start it again
        let extra: Vec<String> = s.extra.clone();
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        if let Some(fresh) = Server::start(&extra) {
            *s = fresh;
        }
    }
    let before = s.peak_kib().max(s.rss_kib());
    let started = Instant::now();
    let r = request(s);
    let took = started.elapsed();
    // the work may go on after the answer: give it a moment, then read the peak
    std::thread::sleep(Duration::from_millis(300));
    let alive = s.alive();
    let peak = s.peak_kib();
    let answer = match &r {
        Ok(r) => format!(
            "{} {}",
            r.status,
            r.text()
                .lines()
                .next()
                .unwrap_or("")
                .chars()
                .take(90)
                .collect::<String>()
        ),
        Err(e) => format!("no answer: {}", e.chars().take(90).collect::<String>()),
    };
    let answer = if alive {
        answer
    } else {
        format!("server died ({answer})")
    };
    let seen = Seen {
        case: name,
        answer: format!("{answer} [{:.1} s]", took.as_secs_f64()),
        peak_mib: peak as f64 / 1024.0,
    };
    eprintln!(
        "hostile | {} | {} | peak {:.0} MiB (+{:.0})",
        seen.case,
        seen.answer,
        seen.peak_mib,
        (peak.saturating_sub(before)) as f64 / 1024.0
    );
    if report_mode() {
        return seen;
    }
    assert!(alive, "{name}: the server died");
    let r = r.unwrap_or_else(|e| panic!("{name}: no answer: {e}"));
    assert!(
        statuses.contains(&r.status),
        "{name}: status {} not in {statuses:?}: {}",
        r.status,
        r.text()
    );
    if r.status >= 400 {
        assert!(!r.text().trim().is_empty(), "{name}: an error says why");
    }
    let grew = (peak.saturating_sub(before)) << 10;
    assert!(
        grew <= MEMORY_BOUND,
        "{name}: peak memory grew by {} MiB (bound {} MiB)",
        grew >> 20,
        MEMORY_BOUND >> 20
    );
    assert!(
        s.answers_normally(),
        "{name}: later requests are not answered"
    );
    seen
}

fn sparql(s: &Server, q: &str) -> Result<http::Resp, String> {
    s.send(
        "POST",
        "/sparql",
        &[
            ("content-type", "application/sparql-query"),
            ("accept", "text/csv"),
        ],
        Some(q.as_bytes()),
        Duration::from_secs(60),
    )
}

fn update(s: &Server, u: &str) -> Result<http::Resp, String> {
    s.send(
        "POST",
        "/sparql",
        &[("content-type", "application/sparql-update")],
        Some(u.as_bytes()),
        Duration::from_secs(60),
    )
}

fn put(
    s: &Server,
    graph: &str,
    ct: &str,
    extra: &[(&str, &str)],
    body: &[u8],
) -> Result<http::Resp, String> {
    let mut h = vec![("content-type", ct)];
    h.extend_from_slice(extra);
    s.send(
        "PUT",
        &format!("/store?graph={}", enc(graph)),
        &h,
        Some(body),
        Duration::from_secs(60),
    )
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn nested(open: &str, close: &str, n: usize, core: &str) -> String {
    format!("{}{core}{}", open.repeat(n), close.repeat(n))
}

fn billion_laughs() -> String {
    let mut d =
        String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE rdf:RDF [\n <!ENTITY lol0 \"lol\">\n");
    for i in 1..10 {
        d.push_str(&format!(
            " <!ENTITY lol{i} \"{}\">\n",
            format!("&lol{};", i - 1).repeat(10)
        ));
    }
    d.push_str("]>\n<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns:ex=\"http://example.org/\"><rdf:Description rdf:about=\"http://example.org/a\"><ex:p>&lol9;</ex:p></rdf:Description></rdf:RDF>\n");
    d
}

/// `n` copies of `byte`, compressed with gzip, written in pieces.
fn gzip_run(byte: u8, n: usize) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let chunk = vec![byte; 1 << 20];
    let mut left = n;
    while left > 0 {
        let k = left.min(chunk.len());
        e.write_all(&chunk[..k]).unwrap();
        left -= k;
    }
    e.finish().unwrap()
}

/// `n` bytes of zeros, compressed with bzip2, written in pieces.
fn bzip2_zeros(n: usize) -> Vec<u8> {
    let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::best());
    let chunk = vec![0u8; 1 << 20];
    let mut left = n;
    while left > 0 {
        let k = left.min(chunk.len());
        e.write_all(&chunk[..k]).unwrap();
        left -= k;
    }
    e.finish().unwrap()
}

/// `[` and a line end, then `n` blanks without end, compressed with bzip2.
fn bzip2_dump_bomb(n: usize) -> Vec<u8> {
    let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::best());
    e.write_all(b"[\n").unwrap();
    let chunk = vec![b' '; 1 << 20];
    let mut left = n;
    while left > 0 {
        let k = left.min(chunk.len());
        e.write_all(&chunk[..k]).unwrap();
        left -= k;
    }
    e.finish().unwrap()
}

/// Graphs the store holds, by a query.
fn has_graph(s: &Server, g: &str) -> bool {
    let r = sparql(s, &format!("ASK {{ GRAPH <{g}> {{ ?s ?p ?o }} }}")).unwrap();
    r.text().contains("true")
}

#[test]
fn hostile_sparql_nesting_and_size() {
    let Some(mut s) = Server::start(&[]) else {
        return;
    };
    let mut seen = Vec::new();
    for n in [1_000, 3_000] {
        let q = format!("SELECT * WHERE {}", nested("{", "}", n, "?s ?p ?o"));
        seen.push(case(
            &mut s,
            if n == 1_000 {
                "1,000 nested groups"
            } else {
                "3,000 nested groups"
            },
            &[400],
            |s| sparql(s, &q),
        ));
    }
    let q = format!(
        "SELECT * WHERE {{ ?s ?p ?o FILTER{} }}",
        nested("(", ")", 5_000, "?o")
    );
    seen.push(case(&mut s, "5,000 nested parentheses", &[400], |s| {
        sparql(s, &q)
    }));
    let q = format!(
        "SELECT * WHERE {}{}",
        "{ SELECT * WHERE ".repeat(2_000) + "{ ?s ?p ?o }",
        "}".repeat(2_000)
    );
    seen.push(case(&mut s, "2,000 nested sub-selects", &[400], |s| {
        sparql(s, &q)
    }));
    let q = format!(
        "SELECT * WHERE {{ ?s {} ?o }}",
        nested("(", ")", 5_000, "<http://p>")
    );
    seen.push(case(&mut s, "5,000 nested property paths", &[400], |s| {
        sparql(s, &q)
    }));
    let u = format!(
        "INSERT {{ <a:s> <a:p> <a:o> }} WHERE {}",
        nested("{", "}", 3_000, "")
    );
    seen.push(case(
        &mut s,
        "update with 3,000 nested groups",
        &[400],
        |s| update(s, &u),
    ));
    // at the limits the server evaluates: the stack holds
    let q = format!("SELECT * WHERE {}", nested("{", "}", 64, "?s ?p ?o"));
    seen.push(case(&mut s, "64 nested groups (the limit)", &[200], |s| {
        sparql(s, &q)
    }));
    let q = format!(
        "SELECT * WHERE {{ ?s ?p ?o FILTER{} }}",
        nested("(", ")", 63, "?o")
    );
    seen.push(case(
        &mut s,
        "63 nested parentheses in a group (the limit)",
        &[200],
        |s| sparql(s, &q),
    ));
    let q = format!(
        "SELECT * WHERE {{ {} }}",
        vec!["{ ?s <http://e/none> ?o }"; 4_000].join(" UNION ")
    );
    seen.push(case(
        &mut s,
        "UNION chain of 4,000 (within the limit)",
        &[200],
        |s| sparql(s, &q),
    ));
    let q = format!(
        "SELECT * WHERE {{ ?s ?p ?o {} }}",
        "OPTIONAL { ?s ?p ?o } ".repeat(2_000)
    );
    let _ = q;
    let q = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f";
    seen.push(case(
        &mut s,
        "sorted cross product of the store",
        &[503],
        |s| sparql(s, q),
    ));
    let bgp: String = (0..2_000)
        .map(|i| format!("?s{i} ?p ?s{} . ", i + 1))
        .collect();
    let q = format!("SELECT * WHERE {{ {bgp} }}");
    seen.push(case(
        &mut s,
        "2,000 triple patterns (not optimized)",
        &[200, 503],
        |s| sparql(s, &q),
    ));
    let body = format!(
        "SELECT * WHERE {{ {} }}",
        vec!["{ ?s ?p ?o }"; 20_000].join(" UNION ")
    );
    let small = &body[..body.len().min(MAX_BODY - 1)];
    let q = format!("{}}}", &small[..small.rfind(" UNION").unwrap()]);
    seen.push(case(
        &mut s,
        "UNION chain filling the body cap",
        &[400],
        |s| sparql(s, &q),
    ));
    let q = format!(
        "SELECT * WHERE {{ ?s ?p ?o FILTER({}) }}",
        vec!["?o"; 40_000].join("||")
    );
    seen.push(case(&mut s, "40,000 chained ||", &[400], |s| sparql(s, &q)));
    let values: String = (0..40_000).map(|i| format!("{i} ")).collect();
    let q = format!("SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?x {{ {values} }} }}");
    seen.push(case(&mut s, "VALUES with 40,000 rows", &[200], |s| {
        sparql(s, &q)
    }));
    let q = "x".repeat(MAX_BODY + 1);
    seen.push(case(&mut s, "query over the body cap", &[413], |s| {
        sparql(s, &q)
    }));
    assert!(seen.len() > 10);
}

#[test]
fn hostile_rdf_uploads() {
    let Some(mut s) = Server::start(&[]) else {
        return;
    };
    let laughs = billion_laughs();
    case(&mut s, "billion laughs (RDF/XML, 675 bytes)", &[413], |s| {
        put(
            s,
            "http://g/laughs",
            "application/rdf+xml",
            &[],
            laughs.as_bytes(),
        )
    });
    assert!(report_mode() || !has_graph(&s, "http://g/laughs"));
    let big = "x".repeat(100_000);
    let quadratic = format!(
        "<!DOCTYPE rdf:RDF [<!ENTITY big \"{big}\">]>\n<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns:ex=\"http://example.org/\"><rdf:Description rdf:about=\"http://example.org/a\"><ex:p>{}</ex:p></rdf:Description></rdf:RDF>",
        "&big;".repeat(30_000)
    );
    case(&mut s, "quadratic blow-up (RDF/XML, 250 KB)", &[413], |s| {
        put(
            s,
            "http://g/quadratic",
            "application/rdf+xml",
            &[],
            quadratic.as_bytes(),
        )
    });
    let literal = format!(
        "<http://e/s> <http://e/p> \"{}\" .\n",
        "y".repeat(MAX_UPLOAD - 100)
    );
    case(
        &mut s,
        "long Turtle literal (under the upload cap)",
        &[201, 204],
        |s| {
            put(
                s,
                "http://g/literal",
                "text/turtle",
                &[],
                literal.as_bytes(),
            )
        },
    );
    let literal = format!(
        "<http://e/s> <http://e/p> \"{}\" .\n",
        "y".repeat(MAX_UPLOAD)
    );
    case(
        &mut s,
        "long Turtle literal (over the upload cap)",
        &[413],
        |s| {
            put(
                s,
                "http://g/literal2",
                "text/turtle",
                &[],
                literal.as_bytes(),
            )
        },
    );
    let many: String = (0..MAX_QUADS + 1)
        .map(|i| format!("<http://e/s{i}> <http://e/p> \"{i}\" .\n"))
        .collect();
    case(&mut s, "more triples than --max-quads", &[413], |s| {
        put(
            s,
            "http://g/many",
            "application/n-triples",
            &[],
            many.as_bytes(),
        )
    });
    assert!(report_mode() || !has_graph(&s, "http://g/many"));
    let bomb = gzip_run(b' ', 256 << 20);
    case(
        &mut s,
        "gzip bomb body (256 MiB of blanks, 250 KB sent)",
        &[413],
        |s| {
            put(
                s,
                "http://g/gzip",
                "text/turtle",
                &[("content-encoding", "gzip")],
                &bomb,
            )
        },
    );
    let bomb = bzip2_zeros(256 << 20);
    case(
        &mut s,
        "bzip2 bomb body (Content-Encoding: bzip2)",
        &[415],
        |s| {
            put(
                s,
                "http://g/bzip2",
                "text/turtle",
                &[("content-encoding", "bzip2")],
                &bomb,
            )
        },
    );
    case(&mut s, "bzip2 bomb body sent as Turtle", &[400], |s| {
        put(s, "http://g/bzip2", "text/turtle", &[], &bomb)
    });
    let deep_json: String = "[".repeat(100_000);
    case(
        &mut s,
        "100,000 nested JSON arrays to /annotate",
        &[400],
        |s| {
            s.send(
                "POST",
                "/annotate",
                &[("content-type", "application/json")],
                Some(format!("{{\"text\": {deep_json}").as_bytes()),
                Duration::from_secs(30),
            )
        },
    );
    let deep_jsonld = format!("{}{}", "{\"@list\": [".repeat(20_000), "]}".repeat(20_000));
    case(
        &mut s,
        "20,000 nested JSON-LD lists",
        &[201, 204, 400, 413],
        |s| {
            put(
                s,
                "http://g/jsonld",
                "application/ld+json",
                &[],
                deep_jsonld.as_bytes(),
            )
        },
    );
    let deep_turtle = format!(
        "<http://e/s> <http://e/p> {} .",
        nested("( ", " )", 200_000, "1")
    );
    case(
        &mut s,
        "200,000 nested Turtle collections",
        &[400, 413, 201, 204],
        |s| {
            put(
                s,
                "http://g/turtle",
                "text/turtle",
                &[],
                deep_turtle.as_bytes(),
            )
        },
    );
}

/// Opens a connection and sends `head` one byte at a time, `pause` apart,
/// until the server closes it; returns how long it stayed open.
fn slow_client(addr: &str, head: &[u8], pause: Duration, give_up: Duration) -> Duration {
    let started = Instant::now();
    let Ok(mut c) = TcpStream::connect(addr) else {
        return Duration::ZERO;
    };
    let _ = c.set_read_timeout(Some(Duration::from_millis(10)));
    for &b in head.iter().cycle() {
        if c.write_all(&[b]).is_err() || started.elapsed() > give_up {
            break;
        }
        let mut buf = [0u8; 256];
        match c.read(&mut buf) {
            Ok(0) => break,
            Ok(_) => break,
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(_) => break,
        }
        std::thread::sleep(pause);
    }
    started.elapsed()
}

#[test]
fn hostile_slow_clients_and_deadlines() {
    let Some(mut s) = Server::start(&["--query-timeout", "2"]) else {
        return;
    };
    // slow loris: more connections than --max-connections, each sending its
    // head a byte at a time; each is closed by the header timeout (2 s)
    let addr = s.addr.clone();
    let seen = case(&mut s, "100 slow-loris connections", &[200], move |s| {
        let loris: Vec<_> = (0..100)
            .map(|_| {
                let addr = addr.clone();
                std::thread::spawn(move || {
                    slow_client(
                        &addr,
                        b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaa",
                        Duration::from_millis(200),
                        Duration::from_secs(30),
                    )
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(500));
        let held: Vec<Duration> = loris.into_iter().map(|t| t.join().unwrap()).collect();
        let longest = held.iter().max().copied().unwrap_or_default();
        assert!(
            report_mode() || longest < Duration::from_secs(10),
            "a slow client held its connection for {longest:?}"
        );
        s.send("GET", "/health", &[], None, Duration::from_secs(10))
    });
    eprintln!("{}", seen.answer);
    // a body sent too slowly: 408 at the body timeout (3 s)
    let addr = s.addr.clone();
    case(&mut s, "slow request body", &[408], move |_| {
        let mut c = TcpStream::connect(&addr).map_err(|e| e.to_string())?;
        c.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let head = "POST /annotate HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n";
        c.write_all(head.as_bytes()).map_err(|e| e.to_string())?;
        let mut answer = Vec::new();
        for _ in 0..20 {
            if c.write_all(b"a").is_err() {
                break;
            }
            std::thread::sleep(Duration::from_millis(400));
            let _ = c.set_nonblocking(true);
            let mut buf = [0u8; 1024];
            if let Ok(n) = c.read(&mut buf) {
                answer.extend_from_slice(&buf[..n]);
                break;
            }
            let _ = c.set_nonblocking(false);
        }
        let _ = c.set_nonblocking(false);
        let _ = c.read_to_end(&mut answer);
        let text = String::from_utf8_lossy(&answer).into_owned();
        let status = text
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or(format!("no status in {text:?}"))?;
        Ok(http::Resp {
            status,
            headers: Vec::new(),
            body: text
                .split("\r\n\r\n")
                .nth(1)
                .unwrap_or("")
                .as_bytes()
                .to_vec(),
        })
    });
    // a write that runs out of time answers 503 and writes nothing
    case(&mut s, "update past the deadline", &[503], |s| {
        update(
            s,
            "INSERT { GRAPH <http://g/slow> { ?a <http://e/p> ?b } } WHERE { GRAPH ?g1 { ?a ?p1 ?o1 } GRAPH ?g2 { ?b ?p2 ?o2 } GRAPH ?g3 { ?c ?p3 ?o3 } }",
        )
    });
    assert!(report_mode() || !has_graph(&s, "http://g/slow"));
}

#[test]
fn hostile_shutdown_ends_within_the_grace_period() {
    let Some(mut s) = Server::start(&["--query-timeout", "120", "--shutdown-grace", "1"]) else {
        return;
    };
    let url = s.url("/sparql");
    let slow = std::thread::spawn(move || {
        let q = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p1 ?o1 . ?b ?p2 ?o2 . ?c ?p3 ?o3 }";
        http::send(
            &http::agent(Duration::from_secs(60)),
            "POST",
            &url,
            &[("content-type", "application/sparql-query")],
            Some(q.as_bytes()),
        )
    });
    std::thread::sleep(Duration::from_millis(700));
    let st = Command::new("kill")
        .args(["-TERM", &s.child.id().to_string()])
        .status()
        .unwrap();
    assert!(st.success());
    let started = Instant::now();
    let status = loop {
        if let Ok(Some(st)) = s.child.try_wait() {
            break Some(st);
        }
        if started.elapsed() > Duration::from_secs(20) {
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let took = started.elapsed();
    let mut err = String::new();
    if let Some(mut e) = s.child.stderr.take() {
        let _ = e.read_to_string(&mut err);
    }
    let _ = slow.join();
    eprintln!(
        "hostile | SIGTERM during a 2-minute query | exit {status:?} after {took:?} | {}",
        err.lines().last().unwrap_or("")
    );
    if report_mode() {
        return;
    }
    let status = status.expect("the server did not exit within 20 s of SIGTERM");
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert_eq!(status.code(), Some(1), "{err}");
    assert!(
        err.contains("cut 1 request(s)") && err.contains("POST /sparql"),
        "{err}"
    );
}

/// Peak memory of a process, sampled from `/proc` until it exits.
fn run_sampling(mut cmd: Command) -> (std::process::ExitStatus, String, u64) {
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut peak = 0;
    let status = loop {
        if let Some(k) = proc_kib(child.id(), "VmHWM") {
            peak = peak.max(k);
        }
        if let Ok(Some(st)) = child.try_wait() {
            break st;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut err);
    }
    (status, err, peak)
}

#[test]
fn hostile_bombs_to_ingest_and_kb_build() {
    if !cfg!(target_os = "linux") {
        return;
    }
    // a URL list whose page is a gzip bomb (Content-Encoding: gzip)
    let bomb = gzip_run(b'a', 512 << 20);
    let bomb_for_server = bomb.clone();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = std::thread::spawn(move || {
        for stream in listener.incoming().take(4) {
            let Ok(mut c) = stream else { continue };
            let mut head = [0u8; 4096];
            let _ = c.read(&mut head);
            let h = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                bomb_for_server.len()
            );
            let _ = c.write_all(h.as_bytes());
            let _ = c.write_all(&bomb_for_server);
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("bomb.urls");
    std::fs::write(&list, format!("http://{addr}/bomb.html\n")).unwrap();
    let mut cmd = Command::new(binary());
    cmd.args(["ingest", "--memory", "--retries", "0"])
        .arg(&list);
    let (status, err, peak) = run_sampling(cmd);
    let sent = bomb.len();
    eprintln!(
        "hostile | gzip bomb page in a .urls list (512 MiB in {} KB) | exit {:?}: {} | peak {} MiB",
        sent / 1024,
        status.code(),
        err.lines().find(|l| l.contains("bomb")).unwrap_or(""),
        peak / 1024
    );
    drop(server);
    if !report_mode() {
        assert_eq!(status.code(), Some(1), "{err}");
        assert!(err.contains("too large"), "{err}");
        assert!(peak < 400 << 10, "peak {peak} KiB");
    }
    // a Wikidata dump that is a bzip2 bomb: a dump's opening line, then
    // one endless line of blanks
    let dump = dir.path().join("bomb.json.bz2");
    std::fs::write(&dump, bzip2_dump_bomb(1 << 30)).unwrap();
    let mut cmd = Command::new(binary());
    cmd.args(["kb", "build", "--from"])
        .arg(&dump)
        .arg("--out")
        .arg(dir.path().join("kb"));
    let (status, err, peak) = run_sampling(cmd);
    eprintln!(
        "hostile | bzip2 bomb dump to kb build (1 GiB line of blanks in {} bytes) | exit {:?}: {} | peak {} MiB",
        std::fs::metadata(&dump).map(|m| m.len()).unwrap_or(0),
        status.code(),
        err.lines().last().unwrap_or(""),
        peak / 1024
    );
    if !report_mode() {
        assert_eq!(status.code(), Some(1), "{err}");
        assert!(err.contains("line passes"), "{err}");
        assert!(peak < 400 << 10, "peak {peak} KiB");
        assert!(!dir.path().join("kb").exists());
    }
}

#[test]
fn hostile_uncancellable_work_degrades_the_server() {
    let Some(mut s) = Server::start(&["--query-timeout", "20"]) else {
        return;
    };
    // each OPTIONAL builds a hash table from a scan of the whole store, and
    // Oxigraph goes on scanning after cancellation, keeping an error per
    // triple: the work is stopped for good, the memory it holds is lost,
    // and the server says it must be restarted
    let q = format!(
        "SELECT * WHERE {{ ?s ?p ?o {} }}",
        "OPTIONAL { ?s ?p ?o } ".repeat(2_000)
    );
    let before = s.peak_kib();
    let r = sparql(&s, &q);
    let peak = s.peak_kib();
    let health = s.send("GET", "/health", &[], None, Duration::from_secs(5));
    eprintln!(
        "hostile | 2,000 OPTIONALs over the store | {:?} | peak {} MiB (+{}) | health {:?}",
        r.as_ref().map(|r| (r.status, r.text())),
        peak / 1024,
        peak.saturating_sub(before) / 1024,
        health.as_ref().map(|r| (r.status, r.text()))
    );
    if report_mode() {
        return;
    }
    assert!(s.alive());
    assert_eq!(r.unwrap().status, 503);
    assert!((peak.saturating_sub(before) << 10) <= MEMORY_BOUND);
    let health = health.unwrap();
    assert_eq!(health.status, 503);
    assert!(health.text().contains("degraded"), "{}", health.text());
}
