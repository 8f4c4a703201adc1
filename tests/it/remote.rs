//! `kglink ingest --store http://…` against a real Oxigraph server (the
//! `oxigraph` binary of the PyPI package, started here on 127.0.0.1; skipped
//! with a message when it is not installed), by the Graph Store Protocol and by
//! SPARQL Update; and against a tiny mock server for retries, credentials and
//! failures.

use crate::{kglink, stderr, synthetic};
use oxigraph::io::RdfFormat;
use oxigraph::model::{GraphName, Quad, Term};
use oxigraph::sparql::results::{
    QueryResultsFormat, QueryResultsParser, SliceQueryResultsParserOutput,
};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Graph IRI -> its quads as sorted N-Quads lines.
type Graphs = BTreeMap<String, Vec<String>>;

/// An Oxigraph server, killed when dropped.
struct Server {
    child: Child,
    base: String,
    _dir: tempfile::TempDir,
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

fn start_server() -> Option<Server> {
    if Command::new("oxigraph")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_err()
    {
        eprintln!(
            "skipped: the `oxigraph` server is not installed (pip install oxigraph; scripts/test-tools.sh)"
        );
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let addr = format!("127.0.0.1:{}", free_port());
    let child = Command::new("oxigraph")
        .args(["serve", "--location"])
        .arg(dir.path())
        .args(["--bind", &addr])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server {
        child,
        base: format!("http://{addr}"),
        _dir: dir,
    };
    let t0 = Instant::now();
    while TcpStream::connect(&addr).is_err() {
        assert!(
            t0.elapsed() < Duration::from_secs(20),
            "oxigraph did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(server)
}

fn add(graphs: &mut Graphs, q: Quad) {
    if let GraphName::NamedNode(g) = &q.graph_name {
        if g.as_str().contains("/article/") {
            graphs
                .entry(g.as_str().to_string())
                .or_default()
                .push(q.to_string());
        }
    }
}

/// The article graphs the server holds, by a GRAPH query on `/query`.
fn remote_graphs(base: &str) -> Graphs {
    let agent: ureq::Agent = ureq::Agent::config_builder().build().into();
    let mut resp = agent
        .post(format!("{base}/query"))
        .header("Content-Type", "application/sparql-query")
        .header("Accept", "application/sparql-results+json")
        .send("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
        .unwrap();
    let bytes = resp
        .body_mut()
        .with_config()
        .limit(1 << 30)
        .read_to_vec()
        .unwrap();
    let SliceQueryResultsParserOutput::Solutions(rows) =
        QueryResultsParser::from_format(QueryResultsFormat::Json)
            .for_slice(&bytes)
            .unwrap()
    else {
        panic!("not solutions")
    };
    let mut graphs = Graphs::new();
    for row in rows {
        let row = row.unwrap();
        let named = |v: &str| match row.get(v) {
            Some(Term::NamedNode(n)) => n.clone(),
            other => panic!("?{v} = {other:?}"),
        };
        let s = named("s");
        let q = Quad::new(s, named("p"), row.get("o").unwrap().clone(), named("g"));
        add(&mut graphs, q);
    }
    for v in graphs.values_mut() {
        v.sort();
    }
    graphs
}

/// The number of quads in the KB graph of the server.
fn remote_kb_len(base: &str) -> usize {
    let agent: ureq::Agent = ureq::Agent::config_builder().build().into();
    let body = agent
        .post(format!("{base}/query"))
        .header("Content-Type", "application/sparql-query")
        .header("Accept", "application/sparql-results+json")
        .send(format!(
            "SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{}> {{ ?s ?p ?o }} }}",
            kglink::rdf::vocab::KB_GRAPH
        ))
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    v["results"]["bindings"][0]["n"]["value"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// The article graphs a local `--emit nquads` run makes of `input`.
fn emitted_graphs(input: &Path, dir: &Path) -> Graphs {
    let out = dir.join("nq");
    let _ = std::fs::remove_dir_all(&out);
    let o = kglink(
        &[
            "ingest",
            input.to_str().unwrap(),
            "--emit",
            "nquads",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // Read back through an in-memory Oxigraph store: Oxigraph, embedded or
    // server, keeps derived integer types (the NIF offsets'
    // xsd:nonNegativeInteger) as xsd:integer, so both sides get the same terms.
    let mem = oxigraph::store::Store::new().unwrap();
    let mut files = 0;
    for e in std::fs::read_dir(&out).unwrap() {
        let bytes = std::fs::read(e.unwrap().path()).unwrap();
        mem.load_from_slice(RdfFormat::NQuads, &bytes).unwrap();
        files += 1;
    }
    assert!(files > 0);
    let mut graphs = Graphs::new();
    for q in mem.iter() {
        add(&mut graphs, q.unwrap());
    }
    for v in graphs.values_mut() {
        v.sort();
    }
    graphs
}

/// Fails with the differing lines (not both whole datasets).
fn assert_same(got: &Graphs, want: &Graphs) {
    let lines = |g: &Graphs| -> std::collections::BTreeSet<String> {
        g.values().flatten().cloned().collect()
    };
    let (g, w) = (lines(got), lines(want));
    let extra: Vec<_> = g.difference(&w).take(5).collect();
    let missing: Vec<_> = w.difference(&g).take(5).collect();
    assert!(
        got == want,
        "the remote store differs: {} vs {} quads; extra {extra:#?}, missing {missing:#?}",
        g.len(),
        w.len()
    );
}

#[test]
fn ingest_into_a_remote_oxigraph_by_gsp_and_by_update() {
    let Some(server) = start_server() else { return };
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let first = synthetic::jsonl(11, 6);
    std::fs::write(&input, &first).unwrap();
    let want1 = emitted_graphs(&input, dir.path());
    assert_eq!(want1.len(), 6);
    let inp = input.to_str().unwrap();
    let gsp = format!("{}/store", server.base);
    let query = format!("{}/query", server.base);
    let update = format!("{}/update", server.base);

    // by the Graph Store Protocol, without a query endpoint: 201 Created = new;
    // with the KB graph
    let o = kglink(&["ingest", inp, "--store", &gsp, "--remote-kb"], None);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("6 new, 0 replaced"), "{}", stderr(&o));
    assert_same(&remote_graphs(&server.base), &want1);
    let kb = oxigraph::store::Store::new().unwrap();
    kb.extend(kglink::rdf::kb_quads(kglink::kb::Kb::bundled().unwrap()))
        .unwrap();
    let kb_len = kb.len().unwrap();
    assert!(kb_len > 100);
    assert_eq!(remote_kb_len(&server.base), kb_len);

    // one article changed, by SPARQL Update, skipping unchanged ones
    let changed = first.replacen("\"text\":\"", "\"text\":\"Kenya objected. ", 1);
    assert_ne!(changed, first);
    std::fs::write(&input, &changed).unwrap();
    let want2 = emitted_graphs(&input, dir.path());
    assert_ne!(want2, want1);
    let o = kglink(
        &[
            "ingest",
            inp,
            "--store",
            &server.base,
            "--remote-protocol",
            "update",
            "--update-endpoint",
            &update,
            "--remote-query",
            &query,
        ],
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("0 new, 1 replaced, 5 unchanged"),
        "{}",
        stderr(&o)
    );
    let got = remote_graphs(&server.base);
    // the changed graph holds exactly its new quads
    assert_same(&got, &want2);

    // back to the first texts by GSP: every graph is re-sent and replaced
    std::fs::write(&input, &first).unwrap();
    let o = kglink(&["ingest", inp, "--store", &gsp], None);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("0 new, 6 replaced"), "{}", stderr(&o));
    assert_same(&remote_graphs(&server.base), &want1);

    // and by Update into a store that has them: all unchanged, nothing sent
    let o = kglink(
        &[
            "ingest",
            inp,
            "--store",
            &update,
            "--remote-protocol",
            "update",
            "--remote-query",
            &query,
        ],
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("0 new, 0 replaced, 6 unchanged"),
        "{}",
        stderr(&o)
    );
}

/// A mock store on 127.0.0.1 answering the n-th request with `statuses[n]`
/// (the last one repeated), one request a connection; hands back the requests.
struct Mock {
    url: String,
    stop: Arc<AtomicBool>,
    handle: std::thread::JoinHandle<Vec<String>>,
}

impl Mock {
    fn start(statuses: Vec<u16>) -> Mock {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}/store", listener.local_addr().unwrap());
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = stop.clone();
        let handle = std::thread::spawn(move || {
            let mut got = Vec::new();
            let t0 = Instant::now();
            while !stop2.load(Ordering::SeqCst) && t0.elapsed() < Duration::from_secs(30) {
                let Ok((mut s, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(5));
                    continue;
                };
                s.set_nonblocking(false).unwrap();
                s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                let req = read_request(&mut s);
                let status = statuses[got.len().min(statuses.len() - 1)];
                got.push(req);
                let _ = write!(
                    s,
                    "HTTP/1.1 {status} X\r\nContent-Length: 4\r\nConnection: close\r\n\r\nnope"
                );
            }
            got
        });
        Mock { url, stop, handle }
    }

    fn requests(self) -> Vec<String> {
        self.stop.store(true, Ordering::SeqCst);
        self.handle.join().unwrap()
    }
}

/// One HTTP request: headers, then a body by Content-Length or chunked.
fn read_request(s: &mut TcpStream) -> String {
    let mut req = Vec::new();
    let mut buf = [0u8; 65536];
    loop {
        let n = s.read(&mut buf).unwrap_or(0);
        req.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&req).to_string();
        if let Some(end) = text.find("\r\n\r\n") {
            let head = text[..end].to_ascii_lowercase();
            if head.contains("transfer-encoding: chunked") {
                if text[end..].contains("\r\n0\r\n\r\n") {
                    break;
                }
            } else {
                let len = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse::<usize>().ok())
                    .unwrap_or(0);
                if req.len() >= end + 4 + len {
                    break;
                }
            }
        }
        if n == 0 {
            break;
        }
    }
    String::from_utf8_lossy(&req).to_string()
}

#[test]
fn remote_writes_retry_503_send_credentials_and_report_failures() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    std::fs::write(&input, synthetic::jsonl(5, 1)).unwrap();
    let inp = input.to_str().unwrap();
    let token = dir.path().join("token");
    std::fs::write(&token, "s3cret-token\n").unwrap();

    // 503, then 201: retried, written, with the bearer token each time
    let mock = Mock::start(vec![503, 201]);
    let o = kglink(
        &[
            "ingest",
            inp,
            "--store",
            &mock.url,
            "--remote-token-file",
            token.to_str().unwrap(),
            "--gsp-graph-param",
            "graph-uri",
        ],
        None,
    );
    let got = mock.requests();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("1 new"), "{}", stderr(&o));
    assert_eq!(got.len(), 2, "{got:?}");
    for r in &got {
        assert!(
            r.starts_with(
                "PUT /store?graph-uri=https%3A%2F%2Fw3id.org%2Fkglink%2Farticle%2Fsyn-0 "
            ),
            "{r}"
        );
        let lower = r.to_ascii_lowercase();
        assert!(
            lower.contains("authorization: bearer s3cret-token\r\n"),
            "{r}"
        );
        assert!(lower.contains("content-type: application/n-triples"), "{r}");
        assert!(lower.contains("user-agent: kglink/"), "{r}");
        assert!(r.contains("<https://w3id.org/kglink/article/syn-0>"), "{r}");
    }

    // 400 is not retried: the article fails, into the failure report, exit 1;
    // basic auth by --remote-user and KGLINK_REMOTE_PASSWORD; SPARQL Update
    std::fs::write(&input, synthetic::jsonl(5, 2)).unwrap();
    let failures = dir.path().join("failures.jsonl");
    let mock = Mock::start(vec![400]);
    let o = Command::new(env!("CARGO_BIN_EXE_kglink"))
        .args([
            "ingest",
            inp,
            "--store",
            &mock.url,
            "--remote-protocol",
            "update",
        ])
        .args([
            "--remote-user",
            "ann",
            "--failures",
            failures.to_str().unwrap(),
        ])
        .env("KGLINK_REMOTE_PASSWORD", "pw")
        .env_remove("KGLINK_REMOTE_TOKEN")
        .env_remove("KGLINK_KB")
        .output()
        .unwrap();
    let got = mock.requests();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("2 failed"), "{}", stderr(&o));
    assert_eq!(got.len(), 2, "one request an article, no retry: {got:?}");
    for r in &got {
        assert!(r.starts_with("POST /store "), "{r}");
        let lower = r.to_ascii_lowercase();
        // base64("ann:pw")
        assert!(lower.contains("authorization: basic yw5uonb3\r\n"), "{r}");
        assert!(
            lower.contains("content-type: application/sparql-update"),
            "{r}"
        );
        assert!(
            r.contains("DROP SILENT GRAPH <https://w3id.org/kglink/article/syn-"),
            "{r}"
        );
        assert!(
            r.contains("INSERT DATA { GRAPH <https://w3id.org/kglink/article/syn-"),
            "{r}"
        );
    }
    let report = std::fs::read_to_string(&failures).unwrap();
    assert_eq!(report.lines().count(), 2, "{report}");
    for l in report.lines() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        assert_eq!(v["stage"], "write", "{l}");
        assert!(v["reason"].as_str().unwrap().contains("HTTP 400"), "{l}");
    }

    // nothing listening: connection errors are retried, then reported
    let dead = format!("http://127.0.0.1:{}/store", free_port());
    let o = kglink(
        &["ingest", inp, "--store", &dead, "--remote-retries", "1"],
        None,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("2 failed"), "{}", stderr(&o));

    // a URL that is neither http nor https is refused with a clear message
    let o = kglink(&["ingest", inp, "--store", "ftp://127.0.0.1:1/store"], None);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("http:// or https://"), "{}", stderr(&o));
}

/// The HTTPS store: a Python `http.server` wrapped in TLS with a leaf
/// certificate signed by a throwaway CA (made by `openssl`), answering 201 to
/// each PUT and logging `METHOD PATH AUTHORIZATION` lines.
const TLS_SERVER: &str = r#"
import http.server, ssl, sys
cert, key, log = sys.argv[1], sys.argv[2], sys.argv[3]
class H(http.server.BaseHTTPRequestHandler):
    def do_PUT(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        with open(log, "a") as f:
            f.write("%s %s %s %d\n" % (self.command, self.path, self.headers.get("Authorization"), body.count(b"\n")))
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *a):
        pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
s.socket = ctx.wrap_socket(s.socket, server_side=True)
print(s.server_address[1], flush=True)
s.serve_forever()
"#;

/// Makes a CA and a leaf certificate for 127.0.0.1 in `dir`; `None` (with a
/// message) when `openssl` is missing.
fn make_certs(dir: &Path) -> Option<()> {
    let run = |args: &[&str]| {
        Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
    };
    match run(&["version"]) {
        Ok(s) if s.success() => {}
        _ => {
            eprintln!("skipped: `openssl` is not installed (scripts/test-tools.sh installs it)");
            return None;
        }
    }
    std::fs::write(
        dir.join("leaf.ext"),
        "basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    for args in [
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=kglink test CA",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
        ][..],
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            "leaf.key",
            "-out",
            "leaf.csr",
        ],
        &[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "leaf.ext",
            "-out",
            "leaf.pem",
        ],
    ] {
        let st = run(args).unwrap();
        assert!(st.success(), "openssl {args:?} failed");
    }
    Some(())
}

#[test]
fn remote_https_store_with_a_private_ca() {
    let dir = tempfile::tempdir().unwrap();
    if make_certs(dir.path()).is_none() {
        return;
    }
    let log = dir.path().join("requests.log");
    let mut child = match Command::new("python3")
        .arg("-c")
        .arg(TLS_SERVER)
        .arg(dir.path().join("leaf.pem"))
        .arg(dir.path().join("leaf.key"))
        .arg(&log)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => {
            eprintln!("skipped: cannot run python3 for the TLS server: {e}");
            return;
        }
    };
    let mut port = String::new();
    {
        use std::io::BufRead;
        let out = child.stdout.take().unwrap();
        std::io::BufReader::new(out).read_line(&mut port).unwrap();
    }
    struct Kill(Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _server = Kill(child);
    let url = format!("https://127.0.0.1:{}/store", port.trim());
    let input = dir.path().join("in.jsonl");
    std::fs::write(&input, synthetic::jsonl(7, 3)).unwrap();
    let inp = input.to_str().unwrap();
    let ca = dir.path().join("ca.pem");

    // the Mozilla roots alone do not trust the test CA: every article fails, named
    let report = dir.path().join("failures.jsonl");
    let o = kglink(
        &[
            "ingest",
            inp,
            "--store",
            &url,
            "--remote-retries",
            "0",
            "--failures",
            report.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let failures = std::fs::read_to_string(&report).unwrap();
    assert_eq!(failures.lines().count(), 3, "{failures}");
    assert!(
        failures.to_lowercase().contains("certificate"),
        "{failures}"
    );
    assert!(!log.exists(), "nothing reached the server");

    // with --remote-ca: written over TLS, with the credentials
    let o = kglink(
        &[
            "ingest",
            inp,
            "--store",
            &url,
            "--remote-ca",
            ca.to_str().unwrap(),
            "--remote-user",
            "ann",
        ],
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("3 new"), "{}", stderr(&o));
    let got = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = got.lines().collect();
    assert_eq!(lines.len(), 3, "{got}");
    for l in &lines {
        assert!(
            l.starts_with("PUT /store?graph=https%3A%2F%2Fw3id.org%2Fkglink%2Farticle%2F"),
            "{l}"
        );
        assert!(l.contains(" Basic YW5uOg== "), "{l}");
        let triples: usize = l.rsplit(' ').next().unwrap().parse().unwrap();
        assert!(triples > 5, "{l}");
    }

    // a CA file that is not PEM is an error naming the file
    let bad = dir.path().join("leaf.csr.txt");
    std::fs::write(&bad, "not a certificate").unwrap();
    let o = kglink(
        &[
            "ingest",
            inp,
            "--store",
            &url,
            "--remote-ca",
            bad.to_str().unwrap(),
        ],
        None,
    );
    assert!(!o.status.success());
    assert!(stderr(&o).contains("leaf.csr.txt"), "{}", stderr(&o));
}
