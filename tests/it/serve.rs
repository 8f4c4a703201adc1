//! `kglink serve` beyond the W3C suites: limits (body size, timeout that
//! cancels, row cap, concurrency), outbound policy (a canary listener must
//! receive nothing), auth, CORS, health and metrics, annotation, NIF and
//! ingest, content negotiation, and SIGTERM.

use crate::http::{self, get, post, Resp};
use kglink::kb::Kb;
use kglink::server::{Running, ServerConfig};
use kglink::store::Store;
use std::io::Read;
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const TOKEN: &str = "test-token";

fn start(config: ServerConfig) -> (Running, Arc<Store>) {
    let kb = Kb::bundled().unwrap();
    let store = Arc::new(Store::memory().unwrap());
    store.put_kb(kb).unwrap();
    let s = Running::start("127.0.0.1:0".parse().unwrap(), store.clone(), kb, config).unwrap();
    (s, store)
}

fn enc(q: &str) -> String {
    form_urlencoded::byte_serialize(q.as_bytes()).collect()
}

fn query(s: &Running, q: &str, accept: &str) -> Resp {
    get(
        &format!("{}/sparql?query={}", s.url(), enc(q)),
        &[("accept", accept)],
    )
}

/// A query over the KB graph (about 28k triples squared) that takes far longer
/// than any test timeout, reading the store all along (Oxigraph checks the
/// cancellation token on each read).
const SLOW: &str =
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . OPTIONAL { ?d ?e ?f FILTER(?f != ?c) } }";

#[test]
fn serve_body_limit_gives_413() {
    let (s, _) = start(ServerConfig {
        max_body: 1000,
        ..ServerConfig::default()
    });
    let big = "a ".repeat(1000);
    let r = post(
        &format!("{}/annotate", s.url()),
        "text/plain",
        big.as_bytes(),
        &[],
    );
    assert_eq!(r.status, 413, "{}", r.text());
    let q = format!("ASK {{}} # {big}");
    let r = post(
        &format!("{}/sparql", s.url()),
        "application/sparql-query",
        q.as_bytes(),
        &[],
    );
    assert_eq!(r.status, 413);
    let r = post(
        &format!("{}/annotate", s.url()),
        "text/plain",
        b"Shinzo Abe",
        &[],
    );
    assert_eq!(r.status, 200);
}

#[test]
fn serve_timeout_cancels_the_evaluation() {
    let (s, _) = start(ServerConfig {
        query_timeout: Duration::from_millis(500),
        max_concurrent: 1,
        ..ServerConfig::default()
    });
    let t = Instant::now();
    let r = query(&s, SLOW, "application/sparql-results+json");
    assert_eq!(r.status, 503, "{}", r.text());
    assert!(r.text().contains("timed out"), "{}", r.text());
    assert!(t.elapsed() < Duration::from_secs(10));
    // the only permit comes back once the evaluation has really stopped: a
    // query that was left running would keep it and make this one 503
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let r = query(&s, "ASK {}", "application/sparql-results+json");
        if r.status == 200 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the timed-out query kept running"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let m = get(&format!("{}/metrics", s.url()), &[]).text();
    assert!(m.contains("kglink_query_timeouts_total 1"), "{m}");
}

#[test]
fn serve_row_cap_is_flagged() {
    let (s, _) = start(ServerConfig {
        max_rows: 5,
        ..ServerConfig::default()
    });
    let r = query(&s, "SELECT * WHERE { ?s ?p ?o }", "text/csv");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("x-kglink-truncated"), Some("true"));
    assert_eq!(r.header("x-kglink-row-limit"), Some("5"));
    assert_eq!(r.text().lines().count(), 6, "{}", r.text());
    let r = query(&s, "SELECT * WHERE { ?s ?p ?o } LIMIT 3", "text/csv");
    assert_eq!(r.header("x-kglink-truncated"), Some("false"));
    assert_eq!(r.text().lines().count(), 4);
    let r = query(&s, "CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples");
    assert_eq!(r.header("x-kglink-truncated"), Some("true"));
    assert_eq!(r.text().lines().count(), 5);
}

#[test]
fn serve_concurrency_limit_gives_503_with_retry_after() {
    let (s, _) = start(ServerConfig {
        max_concurrent: 1,
        query_timeout: Duration::from_secs(8),
        ..ServerConfig::default()
    });
    let url = s.url();
    let slow = std::thread::spawn(move || {
        get(
            &format!("{url}/sparql?query={}", enc(SLOW)),
            &[("accept", "application/json")],
        )
    });
    // wait until the slow query is in flight (the metrics request counts
    // itself too), then until it holds the only permit
    let deadline = Instant::now() + Duration::from_secs(8);
    loop {
        let m = get(&format!("{}/metrics", s.url()), &[]).text();
        if m.contains("kglink_http_requests_in_flight 2") {
            break;
        }
        assert!(Instant::now() < deadline, "the slow query never arrived");
        std::thread::sleep(Duration::from_millis(20));
    }
    let busy = loop {
        let r = post(
            &format!("{}/annotate", s.url()),
            "text/plain",
            b"Angela Merkel",
            &[],
        );
        if r.status == 503 {
            break r;
        }
        assert!(Instant::now() < deadline, "never saw 503");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(busy.header("retry-after"), Some("1"));
    assert!(busy.text().contains("too many requests"), "{}", busy.text());
    assert_eq!(slow.join().unwrap().status, 503);
}

/// A listener on loopback that counts the connections it gets.
fn canary() -> (u16, Arc<AtomicUsize>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    std::thread::spawn(move || {
        for c in l.incoming() {
            h.fetch_add(1, Ordering::SeqCst);
            if let Ok(mut c) = c {
                let mut buf = [0u8; 1024];
                let _ = c.set_read_timeout(Some(Duration::from_millis(200)));
                let _ = c.read(&mut buf);
            }
        }
    });
    (port, hits)
}

#[test]
fn serve_refuses_service_and_load_to_hosts_not_allowed() {
    let (port, hits) = canary();
    let (s, _) = start(ServerConfig {
        token: Some(TOKEN.into()),
        ..ServerConfig::default()
    });
    let q = format!("SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}");
    let r = query(&s, &q, "application/json");
    assert_eq!(r.status, 403, "{}", r.text());
    let q = format!(
        "SELECT * WHERE {{ SERVICE SILENT <http://localhost:{port}/sparql> {{ ?s ?p ?o }} }}"
    );
    let r = query(&s, &q, "text/csv");
    // SILENT turns the refusal into one solution without bindings
    assert_eq!(r.status, 200);
    assert_eq!(r.text().lines().skip(1).collect::<Vec<_>>(), vec![",,"]);
    let auth = format!("Bearer {TOKEN}");
    let r = post(
        &format!("{}/sparql", s.url()),
        "application/sparql-update",
        format!("LOAD <http://127.0.0.1:{port}/data.ttl>").as_bytes(),
        &[("authorization", &auth)],
    );
    assert_eq!(r.status, 403, "{}", r.text());
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(hits.load(Ordering::SeqCst), 0, "the canary was contacted");
    let m = get(&format!("{}/metrics", s.url()), &[]).text();
    assert!(m.contains("kglink_remote_refused_total"), "{m}");
}

#[test]
fn serve_service_and_load_reach_allowed_hosts() {
    // a second server plays the remote endpoint
    let (remote, remote_store) = start(ServerConfig::default());
    remote_store
        .oxigraph()
        .insert(oxigraph::model::QuadRef::new(
            oxigraph::model::NamedNodeRef::new_unchecked("http://example.org/remote"),
            oxigraph::model::NamedNodeRef::new_unchecked("http://example.org/p"),
            oxigraph::model::LiteralRef::new_simple_literal("from afar"),
            oxigraph::model::GraphNameRef::DefaultGraph,
        ))
        .unwrap();
    let (s, store) = start(ServerConfig {
        token: Some(TOKEN.into()),
        allow_remote: vec![remote.addr.to_string()],
        ..ServerConfig::default()
    });
    let q = format!(
        "SELECT ?o WHERE {{ SERVICE <{}/sparql> {{ <http://example.org/remote> ?p ?o }} }}",
        remote.url()
    );
    let r = query(&s, &q, "text/csv");
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().contains("from afar"), "{}", r.text());
    let auth = format!("Bearer {TOKEN}");
    let r = post(
        &format!("{}/sparql", s.url()),
        "application/sparql-update",
        format!(
            "LOAD <{}/store?default> INTO GRAPH <http://example.org/loaded>",
            remote.url()
        )
        .as_bytes(),
        &[("authorization", &auth)],
    );
    assert_eq!(r.status, 204, "{}", r.text());
    let n = store
        .oxigraph()
        .quads_for_pattern(
            None,
            None,
            None,
            Some(oxigraph::model::NamedNodeRef::new_unchecked("http://example.org/loaded").into()),
        )
        .count();
    assert_eq!(n, 1);
}

#[test]
fn serve_is_read_only_without_token_and_checks_it() {
    let (ro, _) = start(ServerConfig::default());
    let r = post(
        &format!("{}/sparql", ro.url()),
        "application/sparql-update",
        b"INSERT DATA { <http://a> <http://b> <http://c> }",
        &[("authorization", "Bearer anything")],
    );
    assert_eq!(r.status, 403);
    let r = http::send(
        &http::agent(Duration::from_secs(10)),
        "PUT",
        &format!("{}/store?graph=http%3A%2F%2Fa", ro.url()),
        &[("content-type", "text/turtle")],
        Some(b"<http://a> <http://b> <http://c> ."),
    )
    .unwrap();
    assert_eq!(r.status, 403);
    let (rw, _) = start(ServerConfig {
        token: Some(TOKEN.into()),
        ..ServerConfig::default()
    });
    let r = post(
        &format!("{}/sparql", rw.url()),
        "application/sparql-update",
        b"INSERT DATA { <http://a> <http://b> <http://c> }",
        &[("authorization", "Bearer wrong")],
    );
    assert_eq!(r.status, 401);
    assert!(r.header("www-authenticate").is_some());
}

#[test]
fn serve_cors_is_opt_in() {
    let (off, _) = start(ServerConfig::default());
    let r = get(
        &format!("{}/health", off.url()),
        &[("origin", "http://app.test")],
    );
    assert_eq!(r.text(), "ok\n");
    assert!(r.header("access-control-allow-origin").is_none());
    let (on, _) = start(ServerConfig {
        cors_origins: vec!["http://app.test".into()],
        ..ServerConfig::default()
    });
    let r = query(&on, "ASK {}", "application/json");
    assert!(r.header("access-control-allow-origin").is_none());
    let r = get(
        &format!("{}/sparql?query={}", on.url(), enc("ASK {}")),
        &[("origin", "http://app.test")],
    );
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("http://app.test")
    );
    let r = get(
        &format!("{}/sparql?query={}", on.url(), enc("ASK {}")),
        &[("origin", "http://other.test")],
    );
    assert!(r.header("access-control-allow-origin").is_none());
}

#[test]
fn serve_negotiates_formats_and_exposes_metrics() {
    let (s, _) = start(ServerConfig::default());
    let q = "SELECT ?l WHERE { <http://www.wikidata.org/entity/Q132345> <http://www.w3.org/2000/01/rdf-schema#label> ?l } LIMIT 1";
    for (accept, media, needle) in [
        (
            "application/sparql-results+json",
            "application/sparql-results+json",
            "\"bindings\"",
        ),
        (
            "application/sparql-results+xml",
            "application/sparql-results+xml",
            "<sparql",
        ),
        ("text/csv", "text/csv", "Shinzo Abe"),
        (
            "text/tab-separated-values",
            "text/tab-separated-values",
            "Shinzo Abe",
        ),
    ] {
        let r = query(&s, q, accept);
        assert_eq!(r.status, 200);
        assert_eq!(r.media_type(), media);
        assert!(r.text().contains(needle), "{accept}: {}", r.text());
    }
    let c = "CONSTRUCT WHERE { <http://www.wikidata.org/entity/Q132345> <http://www.w3.org/2000/01/rdf-schema#label> ?l }";
    for (accept, media) in [
        ("text/turtle", "text/turtle"),
        ("application/n-triples", "application/n-triples"),
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml", "application/rdf+xml"),
    ] {
        let r = query(&s, c, accept);
        assert_eq!(r.status, 200);
        assert_eq!(r.media_type(), media);
        assert!(r.text().contains("Shinzo Abe"), "{accept}: {}", r.text());
    }
    assert_eq!(query(&s, q, "image/png").status, 406);
    assert_eq!(query(&s, "SELECT * WHERE {", "text/csv").status, 400);
    let m = get(&format!("{}/metrics", s.url()), &[]);
    assert!(m.media_type().starts_with("text/plain"));
    assert!(m
        .text()
        .contains("kglink_http_requests_total{route=\"/sparql\",method=\"GET\",status=\"406\"} 1"));
    assert!(m
        .text()
        .contains("kglink_http_request_duration_seconds_bucket{route=\"/sparql\",le=\"+Inf\"}"));
}

#[test]
fn serve_annotate_nif_and_ingest() {
    let kb = Kb::bundled().unwrap();
    let (s, store) = start(ServerConfig {
        token: Some(TOKEN.into()),
        ..ServerConfig::default()
    });
    let text = "Shinzo Abe flew to Hanoi to meet Kim Jong Un.";
    let expected = serde_json::to_value(
        kglink::annotate::Annotator::new(kb).annotate(text, Some("2019-02-28")),
    )
    .unwrap();
    let r = post(
        &format!("{}/annotate?date=2019-02-28", s.url()),
        "text/plain",
        text.as_bytes(),
        &[],
    );
    assert_eq!(r.status, 200);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&r.body).unwrap(),
        expected
    );
    let body = serde_json::json!({"text": text, "date": "2019-02-28"}).to_string();
    let r = post(
        &format!("{}/annotate", s.url()),
        "application/json",
        body.as_bytes(),
        &[],
    );
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&r.body).unwrap(),
        expected
    );
    let r = post(
        &format!("{}/annotate", s.url()),
        "application/json",
        b"{\"txt\": 1}",
        &[],
    );
    assert_eq!(r.status, 400);
    assert!(r.text().contains("line 1"), "{}", r.text());

    // NIF, A2KB: kglink finds and links the mentions
    let doc = format!(
        "@prefix nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#> .\n\
         <http://ex.test/doc1#char=0,{n}> a nif:Context , nif:RFC5147String ;\n\
           nif:isString \"{text}\" ; nif:beginIndex 0 ; nif:endIndex {n} .\n",
        n = text.chars().count()
    );
    let r = post(
        &format!("{}/nif", s.url()),
        "application/x-turtle",
        doc.as_bytes(),
        &[],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let g = nif_graph(&r.body);
    assert!(g.contains("<http://ex.test/doc1#char=0,10> <http://www.w3.org/2005/11/its/rdf#taIdentRef> <http://www.wikidata.org/entity/Q132345>"), "{g}");
    assert!(g.contains("<http://ex.test/doc1#char=33,44> <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#anchorOf> \"Kim Jong Un\""), "{g}");
    // D2KB: only the given mention is linked
    let d2kb = format!(
        "{doc}<http://ex.test/doc1#char=19,24> a nif:Phrase ; nif:referenceContext <http://ex.test/doc1#char=0,{n}> ;\n\
           nif:anchorOf \"Hanoi\" ; nif:beginIndex 19 ; nif:endIndex 24 .\n",
        n = text.chars().count()
    );
    let r = post(
        &format!("{}/nif", s.url()),
        "application/x-turtle",
        d2kb.as_bytes(),
        &[],
    );
    let g = nif_graph(&r.body);
    assert!(g.contains("<http://ex.test/doc1#char=19,24> <http://www.w3.org/2005/11/its/rdf#taIdentRef> <http://www.wikidata.org/entity/Q1858>"), "{g}");
    assert!(!g.contains("char=0,10>"), "{g}");
    let r = post(
        &format!("{}/nif", s.url()),
        "application/x-turtle",
        b"<a> <b> .",
        &[],
    );
    assert_eq!(r.status, 400);

    // ingest: token needed, the graph appears
    let article =
        serde_json::json!({"id": "t-1", "title": "Visit", "text": text, "date": "2019-02-28"})
            .to_string();
    let r = post(
        &format!("{}/ingest", s.url()),
        "application/json",
        article.as_bytes(),
        &[],
    );
    assert_eq!(r.status, 401);
    let auth = format!("Bearer {TOKEN}");
    let r = post(
        &format!("{}/ingest", s.url()),
        "application/json",
        article.as_bytes(),
        &[("authorization", &auth)],
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    let iri = v["iri"].as_str().unwrap().to_string();
    assert_eq!(iri, kglink::rdf::article_iri("t-1"));
    assert!(store.article_hash(&iri).unwrap().is_some());
    let r = post(
        &format!("{}/ingest", s.url()),
        "application/json",
        article.as_bytes(),
        &[("authorization", &auth)],
    );
    assert_eq!(r.status, 200);
    assert!(r.text().contains("\"unchanged\""));
}

fn nif_graph(bytes: &[u8]) -> String {
    use oxigraph::io::{RdfFormat, RdfParser};
    RdfParser::from_format(RdfFormat::Turtle)
        .for_slice(bytes)
        .map(|q| format!("{}\n", oxigraph::model::Triple::from(q.unwrap())))
        .collect()
}

#[test]
fn serve_cli_stops_on_sigterm() {
    if !cfg!(unix) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    drop(l);
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_kglink"))
        .args(["serve", "--bind", &addr.to_string(), "--store"])
        .arg(dir.path().join("store"))
        .env_remove("KGLINK_STORE")
        .env_remove("KGLINK_KB")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let r = http::send(
            &http::agent(Duration::from_secs(2)),
            "GET",
            &format!("http://{addr}/health"),
            &[],
            None,
        );
        if matches!(r, Ok(ref r) if r.status == 200) {
            break;
        }
        assert!(Instant::now() < deadline, "server did not come up");
        std::thread::sleep(Duration::from_millis(100));
    }
    let r = get(
        &format!(
            "http://{addr}/sparql?query={}",
            enc("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        ),
        &[("accept", "text/csv")],
    );
    assert_eq!(r.status, 200);
    assert!(r.text().lines().nth(1).unwrap().parse::<u64>().unwrap() > 1000);
    let st = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(st.success());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("stopped"));
}

#[test]
fn serve_stop_drains_requests_in_flight() {
    let (s, _) = start(ServerConfig {
        query_timeout: Duration::from_millis(1500),
        ..ServerConfig::default()
    });
    let url = s.url();
    let slow = std::thread::spawn(move || {
        get(
            &format!("{url}/sparql?query={}", enc(SLOW)),
            &[("accept", "text/csv")],
        )
    });
    // wait until the slow request is being worked on (the metrics request
    // counts itself too)
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let m = get(&format!("{}/metrics", s.url()), &[]).text();
        if m.contains("kglink_http_requests_in_flight 2") {
            break;
        }
        assert!(Instant::now() < deadline, "the slow request never arrived");
        std::thread::sleep(Duration::from_millis(20));
    }
    let url = s.url();
    s.stop().unwrap();
    // the request in flight got its whole answer (here: its timeout), and the
    // server takes no new connections
    let r = slow.join().unwrap();
    assert_eq!(r.status, 503);
    assert!(r.text().contains("timed out"), "{}", r.text());
    assert!(http::send(
        &http::agent(Duration::from_secs(2)),
        "GET",
        &format!("{url}/health"),
        &[],
        None
    )
    .is_err());
}

#[test]
fn serve_survives_odd_hosts_and_bodies() {
    let (s, _) = start(ServerConfig {
        token: Some(TOKEN.into()),
        ..ServerConfig::default()
    });
    let a = http::agent(Duration::from_secs(10));
    // a Host that makes no IRI: the description falls back to localhost
    let r = http::send(
        &a,
        "GET",
        &format!("{}/sparql", s.url()),
        &[("host", "a b{c}")],
        None,
    )
    .unwrap();
    assert!(r.status == 200 || r.status == 400, "{}", r.status);
    let auth = format!("Bearer {TOKEN}");
    for (path, ct, body) in [
        ("/sparql", "application/sparql-query", &b"\xff\xfe"[..]),
        ("/sparql", "application/x-www-form-urlencoded", b"query=%FF"),
        ("/store?graph=http%3A%2F%2Fa", "text/turtle", b"<a> <b"),
        (
            "/store?graph=http%3A%2F%2Fa",
            "multipart/form-data; boundary=x",
            b"--x\r\nno end",
        ),
        ("/store?graph=not%20an%20iri", "text/turtle", b""),
        ("/store?graph=http%3A%2F%2Fa", "application/n-quads", b""),
        ("/nif", "text/turtle", b"\x00\x01"),
        ("/ingest", "application/json", b"{\"text\": 5}"),
        ("/annotate", "image/png", b"x"),
    ] {
        let method = if path.starts_with("/store") {
            "PUT"
        } else {
            "POST"
        };
        let r = http::send(
            &a,
            method,
            &format!("{}{path}", s.url()),
            &[("content-type", ct), ("authorization", &auth)],
            Some(body),
        )
        .unwrap();
        assert!(
            (400..500).contains(&r.status) && r.status != 404,
            "{method} {path} {ct}: {} {}",
            r.status,
            r.text()
        );
        assert!(!r.text().trim().is_empty(), "{path}: an error says why");
    }
    assert_eq!(get(&format!("{}/health", s.url()), &[]).text(), "ok\n");
}

#[test]
fn serve_cache_serves_repeats_until_a_write() {
    let (s, _) = start(ServerConfig {
        token: Some(TOKEN.into()),
        ..ServerConfig::default()
    });
    let count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <http://g> { ?s ?p ?o } }";
    let csv = "text/csv";
    let first = query(&s, count, csv);
    assert_eq!(first.status, 200);
    assert_eq!(first.header("x-kglink-cache"), Some("miss"));
    assert!(first.text().ends_with("0\r\n"), "{}", first.text());
    let again = query(&s, count, csv);
    assert_eq!(again.header("x-kglink-cache"), Some("hit"));
    assert_eq!(again.body, first.body);
    // another format is another answer
    let json = query(&s, count, "application/sparql-results+json");
    assert_eq!(json.header("x-kglink-cache"), Some("miss"));
    // a write through the server: the next answer is evaluated again
    let r = post(
        &format!("{}/sparql", s.url()),
        "application/sparql-update",
        b"INSERT DATA { GRAPH <http://g> { <http://a> <http://b> <http://c> } }",
        &[("authorization", &format!("Bearer {TOKEN}"))],
    );
    assert_eq!(r.status, 204, "{}", r.text());
    let after = query(&s, count, csv);
    assert_eq!(after.header("x-kglink-cache"), Some("miss"));
    assert!(after.text().ends_with("1\r\n"), "{}", after.text());
    // so does a Graph Store write
    let r = http::send(
        &http::agent(Duration::from_secs(10)),
        "PUT",
        &format!("{}/store?graph=http%3A%2F%2Fg", s.url()),
        &[
            ("content-type", "text/turtle"),
            ("authorization", &format!("Bearer {TOKEN}")),
        ],
        Some(b"<http://a> <http://b> <http://c>, <http://d> ."),
    )
    .unwrap();
    assert!(r.status < 300, "{}", r.status);
    let after = query(&s, count, csv);
    assert!(after.text().ends_with("2\r\n"), "{}", after.text());
    // Cache-Control: no-cache evaluates afresh; NOW() is never cached
    let fresh = get(
        &format!("{}/sparql?query={}", s.url(), enc(count)),
        &[("accept", csv), ("cache-control", "no-cache")],
    );
    assert_eq!(fresh.header("x-kglink-cache"), Some("bypass"));
    let now = query(&s, "SELECT (NOW() AS ?t) {}", csv);
    assert_eq!(now.header("x-kglink-cache"), Some("off"));
    let metrics = get(&format!("{}/metrics", s.url()), &[]).text();
    assert!(metrics.contains("kglink_cache_hits_total 1"), "{metrics}");
}
