//! The W3C SPARQL 1.1 Protocol, Graph Store Protocol and Service Description
//! tests (`../shared/w3c-protocol/`, see its README) run against `kglink
//! serve` started in-process on 127.0.0.1. Prints `N passed, N failed` per
//! suite and fails on any failure.

use crate::http::{self, Resp};
use kglink::kb::Kb;
use kglink::server::{Running, ServerConfig};
use kglink::store::Store;
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{Graph, NamedNode, Term, Triple};
use oxigraph::sparql::results::{
    QueryResultsFormat, QueryResultsParser, SliceQueryResultsParserOutput,
};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

const MF: &str = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#";
const HT: &str = "http://www.w3.org/2011/http#";
const HTS: &str = "http://www.w3.org/2011/http-statusCodes#";
const CNT: &str = "http://www.w3.org/2011/content#";
const UT: &str = "http://www.w3.org/2009/sparql/tests/test-update#";
const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
const RDFS: &str = "http://www.w3.org/2000/01/rdf-schema#";
const SD: &str = "http://www.w3.org/ns/sparql-service-description#";
const TOKEN: &str = "w3c-test-token";

/// Triples of the manifests, with lookups.
struct Manifest {
    triples: Vec<Triple>,
}

impl Manifest {
    fn load(path: &Path) -> Manifest {
        let mut m = Manifest {
            triples: Vec::new(),
        };
        m.add(path);
        m
    }

    fn add(&mut self, path: &Path) {
        let base = format!("file://{}", path.display());
        let bytes = std::fs::read(path).unwrap();
        let new: Vec<Triple> = RdfParser::from_format(RdfFormat::Turtle)
            .with_base_iri(&base)
            .unwrap()
            .for_slice(&bytes)
            .map(|q| Triple::from(q.unwrap_or_else(|e| panic!("{}: {e}", path.display()))))
            .collect();
        self.triples.extend(new);
    }

    fn objects(&self, s: &Term, p: &str) -> Vec<Term> {
        self.triples
            .iter()
            .filter(|t| Term::from(t.subject.clone()) == *s && t.predicate.as_str() == p)
            .map(|t| t.object.clone())
            .collect()
    }

    fn object(&self, s: &Term, p: &str) -> Option<Term> {
        self.objects(s, p).into_iter().next()
    }

    fn string(&self, s: &Term, p: &str) -> Option<String> {
        match self.object(s, p)? {
            Term::Literal(l) => Some(l.value().to_string()),
            Term::NamedNode(n) => Some(n.as_str().to_string()),
            _ => None,
        }
    }

    fn list(&self, head: &Term) -> Vec<Term> {
        let mut out = Vec::new();
        let mut cur = head.clone();
        while cur != Term::from(NamedNode::new_unchecked(format!("{RDF}nil"))) {
            match self.object(&cur, &format!("{RDF}first")) {
                Some(x) => out.push(x),
                None => break,
            }
            match self.object(&cur, &format!("{RDF}rest")) {
                Some(r) => cur = r,
                None => break,
            }
        }
        out
    }

    /// Entries of all manifests (following `mf:include`), in order.
    fn entries(&mut self, path: &Path) -> Vec<Term> {
        let manifest = Term::from(NamedNode::new_unchecked(format!(
            "file://{}",
            path.display()
        )));
        let mut out = Vec::new();
        if let Some(includes) = self.object(&manifest, &format!("{MF}include")) {
            for inc in self.list(&includes) {
                if let Term::NamedNode(n) = &inc {
                    let p = n.as_str().strip_prefix("file://").unwrap().to_string();
                    self.add(Path::new(&p));
                    out.extend(self.entries(Path::new(&p)));
                }
            }
        }
        if let Some(e) = self.object(&manifest, &format!("{MF}entries")) {
            out.extend(self.list(&e));
        }
        out
    }
}

struct Suite {
    server: Running,
    store: Arc<Store>,
}

impl Suite {
    fn start() -> Suite {
        let store = Arc::new(Store::memory().unwrap());
        let config = ServerConfig {
            token: Some(TOKEN.into()),
            ..ServerConfig::default()
        };
        let server = Running::start(
            "127.0.0.1:0".parse().unwrap(),
            store.clone(),
            Kb::bundled().unwrap(),
            config,
        )
        .unwrap();
        Suite { server, store }
    }
}

fn encode(chars: &str, encoding: &str) -> Vec<u8> {
    if encoding.eq_ignore_ascii_case("UTF-16") {
        let mut out = vec![0xFE, 0xFF];
        for u in chars.encode_utf16() {
            out.extend_from_slice(&u.to_be_bytes());
        }
        out
    } else {
        chars.as_bytes().to_vec()
    }
}

fn map_path(p: &str) -> String {
    if let Some(rest) = p.strip_prefix("/sparql/") {
        format!("/sparql{}", if rest.is_empty() { "" } else { rest })
    } else if let Some(rest) = p.strip_prefix("/sparql") {
        format!("/sparql{rest}")
    } else if let Some(rest) = p.strip_prefix("/gsp") {
        format!("/store{rest}")
    } else {
        p.to_string()
    }
}

fn status_ok(m: &Manifest, resp_node: &Term, status: u16) -> Result<(), String> {
    let expected = m.objects(resp_node, &format!("{MF}expectedStatus"));
    if expected.is_empty() {
        return if (200..300).contains(&status) {
            Ok(())
        } else {
            Err(format!("status {status}, expected 2xx"))
        };
    }
    let mut names = Vec::new();
    for e in &expected {
        let Term::NamedNode(n) = e else { continue };
        let name = n.as_str().strip_prefix(HTS).unwrap_or(n.as_str());
        names.push(name.to_string());
        let ok = match name {
            "StatusCode2xx" => (200..300).contains(&status),
            "StatusCode3xx" => (300..400).contains(&status),
            "StatusCode4xx" => (400..500).contains(&status) && status != 404,
            "StatusCode5xx" => (500..600).contains(&status),
            "OK" => status == 200,
            "Created" => status == 201,
            "NoContent" => status == 204,
            "NotFound" => status == 404,
            other => return Err(format!("unknown expected status {other}")),
        };
        if ok {
            return Ok(());
        }
    }
    Err(format!("status {status}, expected {}", names.join(" or ")))
}

fn parse_graph(bytes: &[u8], media: &str, base: &str) -> Result<Graph, String> {
    let format = RdfFormat::from_media_type(media).ok_or(format!("not RDF: {media}"))?;
    let mut g = Graph::new();
    for q in RdfParser::from_format(format)
        .with_base_iri(base)
        .map_err(|e| e.to_string())?
        .for_slice(bytes)
    {
        g.insert(&Triple::from(q.map_err(|e| e.to_string())?));
    }
    Ok(g)
}

fn check_response(m: &Manifest, resp_node: &Term, r: &Resp, url: &str) -> Result<(), String> {
    status_ok(m, resp_node, r.status).map_err(|e| format!("{e}: {}", r.text().trim()))?;
    let media = r.media_type();
    let results_format = QueryResultsFormat::from_media_type(&media);
    if let Some(f) = m.string(resp_node, &format!("{MF}expectedFormat")) {
        let ok = match f.as_str() {
            "boolean" | "tabular" => results_format.is_some(),
            "RDF" => RdfFormat::from_media_type(&media).is_some(),
            _ => false,
        };
        if !ok {
            return Err(format!("format {f} expected, got {media}"));
        }
    }
    if let Some(Term::Literal(b)) = m.object(resp_node, &format!("{MF}expectedBoolean")) {
        let want = b.value() == "true";
        let fmt = results_format.ok_or(format!("boolean expected, got {media}"))?;
        match QueryResultsParser::from_format(fmt).for_slice(&r.body) {
            Ok(SliceQueryResultsParserOutput::Boolean(got)) if got == want => {}
            Ok(SliceQueryResultsParserOutput::Boolean(got)) => {
                return Err(format!("boolean {got}, expected {want}"))
            }
            _ => return Err(format!("not a boolean result: {}", r.text())),
        }
    }
    for h in m
        .object(resp_node, &format!("{HT}headers"))
        .map(|l| m.list(&l))
        .unwrap_or_default()
    {
        let name = m.string(&h, &format!("{HT}fieldName")).unwrap_or_default();
        let value = m.string(&h, &format!("{HT}fieldValue")).unwrap_or_default();
        if name.eq_ignore_ascii_case("content-type") {
            let want = value
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            if media != want {
                return Err(format!("Content-Type {media}, expected {want}"));
            }
        }
    }
    if let Some(body) = m.object(resp_node, &format!("{HT}body")) {
        let chars = m.string(&body, &format!("{CNT}chars")).unwrap_or_default();
        let mut expected = parse_graph(chars.as_bytes(), "text/turtle", url)?;
        let mut got = parse_graph(&r.body, &media, url)?;
        expected.canonicalize(oxigraph::model::graph::CanonicalizationAlgorithm::Unstable);
        got.canonicalize(oxigraph::model::graph::CanonicalizationAlgorithm::Unstable);
        if expected != got {
            return Err(format!("graph differs: expected\n{expected}\ngot\n{got}"));
        }
    }
    Ok(())
}

fn run_test(m: &Manifest, suite: &Suite, test: &Term) -> Result<(), String> {
    suite.store.oxigraph().clear().map_err(|e| e.to_string())?;
    for gd in m.objects(test, &format!("{UT}graphData")) {
        let file = m
            .string(&gd, &format!("{UT}graph"))
            .ok_or("graphData without ut:graph")?;
        let label = m
            .string(&gd, &format!("{RDFS}label"))
            .ok_or("graphData without label")?;
        let path = file.strip_prefix("file://").unwrap();
        let bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
        let g = NamedNode::new(label).map_err(|e| e.to_string())?;
        for q in RdfParser::from_format(RdfFormat::NTriples)
            .with_default_graph(g)
            .for_slice(&bytes)
        {
            suite
                .store
                .oxigraph()
                .insert(&q.map_err(|e| e.to_string())?)
                .map_err(|e| e.to_string())?;
        }
    }
    let action = m
        .object(test, &format!("{MF}action"))
        .ok_or("no mf:action")?;
    let requests = m
        .object(&action, &format!("{HT}requests"))
        .map(|l| m.list(&l))
        .ok_or("no ht:requests")?;
    let agent = http::agent(Duration::from_secs(30));
    let mut location: Option<String> = None;
    for (i, req) in requests.iter().enumerate() {
        let subst = |s: String| match &location {
            Some(l) => s.replace("$LOCATION$", l),
            None => s,
        };
        let method = m
            .string(req, &format!("{HT}methodName"))
            .ok_or("no method")?;
        let path = subst(
            m.string(req, &format!("{HT}absolutePath"))
                .ok_or("no path")?,
        );
        let url = format!("{}{}", suite.server.url(), map_path(&path));
        let mut headers: Vec<(String, String)> = m
            .object(req, &format!("{HT}headers"))
            .map(|l| m.list(&l))
            .unwrap_or_default()
            .iter()
            .map(|h| {
                (
                    m.string(h, &format!("{HT}fieldName")).unwrap_or_default(),
                    m.string(h, &format!("{HT}fieldValue")).unwrap_or_default(),
                )
            })
            .collect();
        headers.push(("authorization".into(), format!("Bearer {TOKEN}")));
        let body = m.object(req, &format!("{HT}body")).map(|b| {
            let chars = subst(m.string(&b, &format!("{CNT}chars")).unwrap_or_default());
            let enc = m
                .string(&b, &format!("{CNT}characterEncoding"))
                .unwrap_or_else(|| "UTF-8".into());
            encode(&chars, &enc)
        });
        let h: Vec<(&str, &str)> = headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let r = http::send(&agent, &method, &url, &h, body.as_deref())?;
        let resp_node = m.object(req, &format!("{HT}resp")).ok_or("no ht:resp")?;
        check_response(m, &resp_node, &r, &url)
            .map_err(|e| format!("request {} ({method} {path}): {e}", i + 1))?;
        if m.object(&resp_node, &format!("{MF}expectedLocation"))
            .is_some()
        {
            location = Some(
                r.header("location")
                    .ok_or(format!("request {}: no Location header", i + 1))?
                    .to_string(),
            );
        }
    }
    Ok(())
}

fn run_suite(name: &str, manifest: &Path) -> (usize, Vec<String>) {
    let mut m = Manifest::load(manifest);
    let entries = m.entries(manifest);
    let suite = Suite::start();
    let mut passed = 0;
    let mut failed = Vec::new();
    for test in &entries {
        let label = m
            .string(test, &format!("{MF}name"))
            .unwrap_or_else(|| test.to_string());
        match run_test(&m, &suite, test) {
            Ok(()) => passed += 1,
            Err(e) => failed.push(format!("{test} ({label}): {e}")),
        }
    }
    for f in &failed {
        eprintln!("FAILED {name}: {f}");
    }
    println!("{name}: {passed} passed, {} failed", failed.len());
    (passed, failed)
}

#[test]
fn w3c_sparql_protocol() {
    let Some(dir) = crate::shared("w3c-protocol/protocol") else {
        return;
    };
    let (passed, failed) = run_suite(
        "SPARQL 1.1 Protocol",
        &dir.join("manifest.ttl").canonicalize().unwrap(),
    );
    assert!(failed.is_empty(), "{failed:#?}");
    assert_eq!(passed, 34);
}

#[test]
fn w3c_graph_store_protocol() {
    let Some(dir) = crate::shared("w3c-protocol/graph-store-protocol") else {
        return;
    };
    let (passed, failed) = run_suite(
        "Graph Store Protocol",
        &dir.join("manifest.ttl").canonicalize().unwrap(),
    );
    assert!(failed.is_empty(), "{failed:#?}");
    assert_eq!(passed, 13);
}

#[test]
fn w3c_service_description() {
    let Some(dir) = crate::shared("w3c-protocol/service-description") else {
        return;
    };
    let mut m = Manifest::load(&dir.join("manifest.ttl").canonicalize().unwrap());
    let entries = m.entries(&dir.join("manifest.ttl").canonicalize().unwrap());
    let suite = Suite::start();
    let endpoint = format!("{}/sparql", suite.server.url());
    let r = http::get(&endpoint, &[("accept", "text/turtle")]);
    let mut passed = 0;
    let mut failed = Vec::new();
    for test in &entries {
        let Term::NamedNode(n) = test else { continue };
        let name = n.as_str().rsplit('#').next().unwrap_or("");
        let graph = parse_graph(&r.body, &r.media_type(), &endpoint);
        let result: Result<(), String> = match name {
            "returns-rdf" => graph.map(|_| ()).and_then(|_| {
                (r.status == 200)
                    .then_some(())
                    .ok_or(format!("status {}", r.status))
            }),
            "has-endpoint-triple" => graph.and_then(|g| {
                let p = NamedNode::new_unchecked(format!("{SD}endpoint"));
                let o = NamedNode::new_unchecked(&endpoint);
                g.triples_for_predicate(&p)
                    .any(|t| t.object == o.as_ref().into())
                    .then_some(())
                    .ok_or(format!("no ?s sd:endpoint <{endpoint}>"))
            }),
            "conforms-to-schema" => graph.and_then(|g| {
                let a = NamedNode::new_unchecked(format!("{RDF}type"));
                let ng = NamedNode::new_unchecked(format!("{SD}NamedGraph"));
                let name = NamedNode::new_unchecked(format!("{SD}name"));
                let svc = NamedNode::new_unchecked(format!("{SD}Service"));
                let bad: Vec<String> = g
                    .subjects_for_predicate_object(&a, &ng)
                    .filter(|s| g.object_for_subject_predicate(*s, &name).is_none())
                    .map(|s| s.to_string())
                    .collect();
                if !bad.is_empty() {
                    Err(format!("sd:NamedGraph without sd:name: {bad:?}"))
                } else if g.subjects_for_predicate_object(&a, &svc).next().is_none() {
                    Err("no sd:Service".into())
                } else {
                    Ok(())
                }
            }),
            other => Err(format!("unknown service description test {other}")),
        };
        match result {
            Ok(()) => passed += 1,
            Err(e) => failed.push(format!("{name}: {e}")),
        }
    }

    println!(
        "Service Description: {passed} passed, {} failed",
        failed.len()
    );
    assert!(failed.is_empty(), "{failed:#?}");
    assert_eq!(passed, 3);
}
