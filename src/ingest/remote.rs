//! `--store http://…`: a remote SPARQL 1.1 store as a [`Sink`]. Each article
//! graph is sent whole in one request, by the Graph Store Protocol
//! (`PUT <endpoint>?graph=IRI`, body N-Triples: the store replaces the graph as
//! one unit) or by SPARQL Update (`DROP SILENT GRAPH <g> ; INSERT DATA { GRAPH
//! <g> { … } }` in one request, which a SPARQL 1.1 store applies as one unit).
//! Requests that fail for a reason that may pass (connection error, timeout,
//! HTTP 408, 429 or 5xx) are retried with exponential backoff; other answers
//! fail the article at once. With a query endpoint, the stored content hashes
//! are asked for (one query a batch), so unchanged articles are skipped and new
//! ones told from replaced ones.
//!
//! `http://` and `https://` (rustls, with the Mozilla root certificates; a
//! private CA is added with [`RemoteOptions::ca_certs`]).

use super::sink::{Prepared, Sink};
use crate::error::{error_chain, Error, Result};
use crate::rdf::vocab::KGL_CONTENT_HASH;
use crate::store::PutOutcome;
use oxigraph::model::{Quad, Triple};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// How article graphs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Protocol {
    /// Graph Store Protocol: `PUT` of the graph.
    Gsp,
    /// SPARQL 1.1 Update: `DROP SILENT GRAPH` + `INSERT DATA` in one request.
    Update,
}

/// Credentials sent with every request.
#[derive(Debug, Clone, Default)]
pub enum Auth {
    /// None.
    #[default]
    None,
    /// `Authorization: Bearer TOKEN`.
    Bearer(String),
    /// HTTP basic authentication.
    Basic {
        /// User name.
        user: String,
        /// Password (empty if none).
        password: String,
    },
}

impl Auth {
    /// The `Authorization` header value, if any.
    fn header(&self) -> Option<String> {
        match self {
            Auth::None => None,
            Auth::Bearer(t) => Some(format!("Bearer {t}")),
            Auth::Basic { user, password } => Some(format!(
                "Basic {}",
                base64(format!("{user}:{password}").as_bytes())
            )),
        }
    }
}

/// Standard base64 with padding (for basic authentication).
fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Where and how to write.
#[derive(Debug, Clone)]
pub struct RemoteOptions {
    /// The GSP endpoint (e.g. Oxigraph `http://host:7878/store`) or the update
    /// endpoint (`…/update`), per `protocol`.
    pub endpoint: String,
    /// GSP or Update.
    pub protocol: Protocol,
    /// The query parameter naming the graph in a GSP request: `graph` (the
    /// standard), Virtuoso's `graph-uri`.
    pub graph_param: String,
    /// A SPARQL query endpoint (`…/query`), to skip unchanged articles.
    pub query_endpoint: Option<String>,
    /// Credentials.
    pub auth: Auth,
    /// Retries after the first attempt.
    pub retries: u32,
    /// The wait before the first retry; doubled for each next one (at most 30 s).
    pub backoff: Duration,
    /// Timeout of one request (connecting, sending and reading the answer).
    pub timeout: Duration,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// PEM files of extra root certificates to trust (a private CA).
    pub ca_certs: Vec<std::path::PathBuf>,
}

/// Writes to a remote store over HTTP.
pub struct RemoteSink {
    http: reqwest::blocking::Client,
    options: RemoteOptions,
}

/// The User-Agent of kglink's requests.
pub fn user_agent() -> String {
    format!(
        "kglink/{} (knowledge-graph entity linker; batch ingest)",
        crate::VERSION
    )
}

/// At most `limit` bytes of a response body, as text (lossy); an answer that
/// cannot be read is empty.
fn read_limited(resp: reqwest::blocking::Response, limit: u64) -> String {
    use std::io::Read;
    let mut buf = Vec::new();
    let _ = resp.take(limit).read_to_end(&mut buf);
    String::from_utf8_lossy(&buf).into_owned()
}

/// `url` with `key=value` appended to its query, percent-encoded.
fn with_query(url: &str, key: &str, value: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    let v: String = form_urlencoded::byte_serialize(value.as_bytes()).collect();
    format!("{url}{sep}{key}={v}")
}

impl RemoteSink {
    /// A sink for `options`. Refuses URLs that are not `http://` or
    /// `https://`, and CA files that cannot be read.
    pub fn new(options: RemoteOptions) -> Result<RemoteSink> {
        for url in std::iter::once(&options.endpoint).chain(options.query_endpoint.as_ref()) {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(Error::Store(format!(
                    "{url}: a remote store's URL starts with http:// or https://"
                )));
            }
        }
        let mut builder = reqwest::blocking::Client::builder()
            .timeout(options.timeout)
            .connect_timeout(options.timeout)
            .user_agent(user_agent())
            // a redirect would turn a PUT into something else: refuse them
            .redirect(reqwest::redirect::Policy::none());
        for path in &options.ca_certs {
            let pem = std::fs::read(path).map_err(|e| Error::io(path.clone(), e))?;
            let certs =
                reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| Error::BadInput {
                    path: path.clone(),
                    message: format!("not a PEM certificate: {e}"),
                })?;
            if certs.is_empty() {
                return Err(Error::BadInput {
                    path: path.clone(),
                    message: "no PEM certificate in this file".into(),
                });
            }
            for c in certs {
                builder = builder.add_root_certificate(c);
            }
        }
        let http = builder.build().map_err(|e| {
            Error::Store(format!("cannot make an HTTP client: {}", error_chain(&e)))
        })?;
        Ok(RemoteSink { http, options })
    }

    /// Sends a request, retrying what may pass. `body` is sent with a POST or
    /// PUT as `content_type`. Returns the status and body of the first success.
    fn send(
        &self,
        method: &str,
        url: &str,
        content_type: &str,
        accept: Option<&str>,
        body: &str,
    ) -> std::result::Result<(u16, String), String> {
        let what = format!("{method} {url}");
        let auth = self.options.auth.header();
        let mut attempt = 0;
        loop {
            let mut req = if method == "PUT" {
                self.http.put(url)
            } else {
                self.http.post(url)
            }
            .header("Content-Type", content_type)
            .body(body.to_owned());
            if let Some(a) = &auth {
                req = req.header("Authorization", a);
            }
            if let Some(a) = accept {
                req = req.header("Accept", a);
            }
            let error = match req.send() {
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let text = read_limited(resp, 64 << 20);
                    if (200..300).contains(&status) {
                        return Ok((status, text));
                    }
                    let msg = format!(
                        "{what}: HTTP {status}: {}",
                        text.chars().take(300).collect::<String>().trim()
                    );
                    if !(status == 408 || status == 429 || status >= 500) {
                        return Err(msg);
                    }
                    msg
                }
                Err(e) => format!("{what}: {}", error_chain(&e)),
            };
            if attempt >= self.options.retries {
                return Err(format!("{error} (after {} attempt(s))", attempt + 1));
            }
            let wait = self.options.backoff.saturating_mul(1 << attempt.min(16));
            std::thread::sleep(wait.min(Duration::from_secs(30)));
            attempt += 1;
        }
    }

    /// Writes one graph whole, replacing what it held. Returns the HTTP status.
    fn put_graph(&self, graph: &str, quads: &[Quad]) -> std::result::Result<u16, String> {
        let mut triples = String::new();
        for q in quads {
            let t = Triple::from(q.clone());
            let _ = writeln!(triples, "{t} .");
        }
        let url = &self.options.endpoint;
        let (status, _) = match self.options.protocol {
            Protocol::Gsp => self.send(
                "PUT",
                &with_query(url, &self.options.graph_param, graph),
                "application/n-triples",
                None,
                &triples,
            )?,
            Protocol::Update => {
                let update = format!(
                    "DROP SILENT GRAPH <{graph}> ;\nINSERT DATA {{ GRAPH <{graph}> {{\n{triples}}} }}"
                );
                self.send("POST", url, "application/sparql-update", None, &update)?
            }
        };
        Ok(status)
    }

    /// Writes the KB graph ([`crate::rdf::vocab::KB_GRAPH`]) whole.
    pub fn put_kb(&self, quads: &[Quad]) -> Result<()> {
        self.put_graph(crate::rdf::vocab::KB_GRAPH, quads)
            .map(|_| ())
            .map_err(Error::Store)
    }

    fn query_hashes(&self, url: &str, graphs: &[&str]) -> Result<HashMap<String, String>> {
        let mut q = String::from("SELECT ?g ?h WHERE { VALUES ?g {");
        for g in graphs {
            let _ = write!(q, " <{g}>");
        }
        let _ = write!(q, " }} GRAPH ?g {{ ?g <{KGL_CONTENT_HASH}> ?h }} }}");
        let (_, body) = self
            .send(
                "POST",
                url,
                "application/sparql-query",
                Some("application/sparql-results+json"),
                &q,
            )
            .map_err(Error::Store)?;
        let v: serde_json::Value = serde_json::from_str(&body)
            .map_err(|e| Error::Store(format!("{url}: not SPARQL JSON results: {e}")))?;
        let mut out = HashMap::new();
        for b in v["results"]["bindings"].as_array().into_iter().flatten() {
            if let (Some(g), Some(h)) = (b["g"]["value"].as_str(), b["h"]["value"].as_str()) {
                out.insert(g.to_string(), h.to_string());
            }
        }
        Ok(out)
    }
}

impl Sink for RemoteSink {
    fn stored_hashes(&self, graphs: &[&str]) -> Result<Vec<Option<String>>> {
        let Some(url) = &self.options.query_endpoint else {
            return Ok(vec![None; graphs.len()]);
        };
        if graphs.is_empty() {
            return Ok(Vec::new());
        }
        let found = self.query_hashes(url, graphs)?;
        Ok(graphs.iter().map(|g| found.get(*g).cloned()).collect())
    }

    fn write(&self, batch: &[Prepared]) -> Vec<std::result::Result<PutOutcome, String>> {
        let graphs: Vec<&str> = batch.iter().map(|a| a.graph.as_str()).collect();
        let stored = match self.stored_hashes(&graphs) {
            Ok(s) => s,
            Err(e) => return vec![Err(e.to_string()); batch.len()],
        };
        let known = self.options.query_endpoint.is_some();
        // a repeated ID in a batch: only its last occurrence is sent
        let mut last: HashMap<&str, usize> = HashMap::new();
        for (i, g) in graphs.iter().enumerate() {
            last.insert(g, i);
        }
        let one = |i: usize| -> std::result::Result<PutOutcome, String> {
            let a = &batch[i];
            if stored[i].as_deref() == Some(a.hash.as_str()) || last[a.graph.as_str()] != i {
                return Ok(PutOutcome::Unchanged);
            }
            let status = self.put_graph(&a.graph, &a.quads)?;
            Ok(match (known, &stored[i], self.options.protocol) {
                (true, Some(_), _) => PutOutcome::Replaced,
                (true, None, _) => PutOutcome::New,
                // without a query endpoint, GSP answers 201 Created for a new graph
                (false, _, Protocol::Gsp) if status != 201 => PutOutcome::Replaced,
                (false, _, _) => PutOutcome::New,
            })
        };
        let out: Vec<Mutex<Option<std::result::Result<PutOutcome, String>>>> =
            (0..batch.len()).map(|_| Mutex::new(None)).collect();
        let next = AtomicUsize::new(0);
        let workers = self.options.concurrency.clamp(1, batch.len().max(1));
        std::thread::scope(|s| {
            for _ in 0..workers {
                s.spawn(|| loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= batch.len() {
                        break;
                    }
                    let r = one(i);
                    *out[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
                });
            }
        });
        out.into_iter()
            .map(|m| {
                m.into_inner()
                    .unwrap_or_else(|e| e.into_inner())
                    .unwrap_or_else(|| Err("not written (a writer thread failed)".into()))
            })
            .collect()
    }

    fn finish(&self) -> Result<()> {
        Ok(())
    }

    fn describe(&self) -> String {
        let p = match self.options.protocol {
            Protocol::Gsp => "Graph Store Protocol",
            Protocol::Update => "SPARQL Update",
        };
        format!("{} ({p})", self.options.endpoint)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648() {
        for (i, o) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(i.as_bytes()), o);
        }
        let a = Auth::Basic {
            user: "u".into(),
            password: "p".into(),
        };
        assert_eq!(a.header().unwrap(), "Basic dTpw");
    }

    #[test]
    fn query_is_appended_and_encoded() {
        assert_eq!(
            with_query("http://h/store", "graph", "https://x/a%20b"),
            "http://h/store?graph=https%3A%2F%2Fx%2Fa%2520b"
        );
        assert_eq!(
            with_query("http://h/crud?x=1", "graph", "g"),
            "http://h/crud?x=1&graph=g"
        );
    }
}
