//! Opt-in online lookup (`--online`): a mention the KB cannot link is searched
//! on Wikidata (`wbsearchentities`), the candidates are fetched
//! (`wbgetentities`), and those of a kept class that carry the mention as a
//! name are added to the KB directory — the overlay — with an update note in
//! its `kb.json`, so the next article links them offline. Names that found
//! nothing are remembered in `online-tried.txt` and not asked again.
//!
//! Requests (reqwest, HTTPS by rustls) carry a descriptive User-Agent, are
//! spaced by a minimum interval (the rate limit), time out, and are retried with
//! a growing pause on connection errors, timeouts, HTTP 429 and 5xx. Nothing here runs unless the
//! user asked for it.

use super::build::{self, Builder, UpdateNote};
use super::import::{wikidata, ImportOptions, Record};
use super::Kb;
use crate::error::{error_chain, Error, Result};
use crate::text::name_key;
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Wikidata's API endpoint.
pub const WIKIDATA_API: &str = "https://www.wikidata.org/w/api.php";
/// The file of names already searched without a result.
pub const TRIED_FILE: &str = "online-tried.txt";

/// How to reach the API.
#[derive(Debug, Clone)]
pub struct OnlineConfig {
    /// The `api.php` URL.
    pub endpoint: String,
    /// The User-Agent header.
    pub user_agent: String,
    /// Minimum pause between two requests.
    pub min_interval: Duration,
    /// Timeout of one request.
    pub timeout: Duration,
    /// Retries after the first attempt.
    pub retries: u32,
    /// Candidates fetched per name.
    pub candidates: usize,
}

impl Default for OnlineConfig {
    fn default() -> Self {
        OnlineConfig {
            endpoint: WIKIDATA_API.into(),
            user_agent: format!(
                "kglink/{} (knowledge-graph entity linker; online KB lookup)",
                crate::VERSION
            ),
            min_interval: Duration::from_millis(500),
            timeout: Duration::from_secs(15),
            retries: 3,
            candidates: 3,
        }
    }
}

/// A rate-limited, retrying client of the Wikidata API.
pub struct WikidataClient {
    cfg: OnlineConfig,
    http: reqwest::blocking::Client,
    last: Option<Instant>,
    /// Requests sent (attempts included).
    pub requests: u64,
}

/// `application/x-www-form-urlencoded` escaping of a query value.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl WikidataClient {
    /// A client with `cfg`.
    pub fn new(cfg: OnlineConfig) -> Result<Self> {
        let http = reqwest::blocking::Client::builder()
            .user_agent(cfg.user_agent.clone())
            .timeout(cfg.timeout)
            .connect_timeout(cfg.timeout)
            .redirect(reqwest::redirect::Policy::limited(5))
            .build()
            .map_err(|e| Error::Kb(format!("online: cannot make an HTTP client: {e}")))?;
        Ok(WikidataClient {
            cfg,
            http,
            last: None,
            requests: 0,
        })
    }

    fn get(&mut self, params: &[(&str, &str)]) -> Result<Vec<u8>> {
        let query: Vec<String> = params
            .iter()
            .chain(&[("format", "json")])
            .map(|(k, v)| format!("{k}={}", escape(v)))
            .collect();
        let url = format!("{}?{}", self.cfg.endpoint, query.join("&"));
        let mut pause = Duration::from_millis(500);
        let mut attempt = 0;
        loop {
            if let Some(last) = self.last {
                let since = last.elapsed();
                if since < self.cfg.min_interval {
                    std::thread::sleep(self.cfg.min_interval - since);
                }
            }
            self.last = Some(Instant::now());
            self.requests += 1;
            let failure = match self.http.get(&url).send().and_then(|r| {
                let status = r.status().as_u16();
                r.bytes().map(|b| (status, b))
            }) {
                Ok((200..=299, body)) => return Ok(body.to_vec()),
                Ok((code @ (429 | 500..=599), _)) => format!("HTTP {code}"),
                Ok((code, _)) => {
                    return Err(Error::Kb(format!(
                        "online: HTTP {code} from {}",
                        self.cfg.endpoint
                    )))
                }
                // timeouts, refused connections, DNS and TLS failures
                Err(e) => error_chain(&e),
            };
            if attempt >= self.cfg.retries {
                return Err(Error::Kb(format!(
                    "online: {failure} after {} attempts",
                    attempt + 1
                )));
            }
            attempt += 1;
            std::thread::sleep(pause);
            pause *= 2;
        }
    }

    /// The item IDs `wbsearchentities` proposes for `name`, best first.
    pub fn search(&mut self, name: &str, lang: &str) -> Result<Vec<String>> {
        let limit = self.cfg.candidates.to_string();
        let body = self.get(&[
            ("action", "wbsearchentities"),
            ("search", name),
            ("language", lang),
            ("uselang", lang),
            ("type", "item"),
            ("limit", &limit),
        ])?;
        let v: serde_json::Value = serde_json::from_slice(&body)
            .map_err(|e| Error::Kb(format!("online: wbsearchentities answer: {e}")))?;
        if let Some(err) = v.get("error") {
            return Err(Error::Kb(format!("online: wbsearchentities: {err}")));
        }
        Ok(v["search"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s["id"].as_str())
            .filter(|q| super::is_qid(q))
            .map(String::from)
            .collect())
    }

    /// The records of `ids` (`wbgetentities`), those of a kept class only.
    pub fn entities(&mut self, ids: &[String], opts: &ImportOptions) -> Result<Vec<Record>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let joined = ids.join("|");
        let langs = opts.langs.join("|");
        let body = self.get(&[
            ("action", "wbgetentities"),
            ("ids", &joined),
            ("props", "labels|aliases|descriptions|claims|sitelinks"),
            ("languages", &langs),
        ])?;
        let records = wikidata::records_from_document("wbgetentities answer", &body, opts)?;
        Ok(records.into_iter().filter(|r| opts.keeps(r)).collect())
    }
}

/// A KB directory that grows with what online lookup finds.
pub struct Overlay {
    dir: PathBuf,
    kb: Kb,
    tried: HashSet<String>,
    client: WikidataClient,
    opts: ImportOptions,
    /// Entities added in this run.
    pub added: usize,
}

impl Overlay {
    /// Opens the KB directory `dir` (built with `kb build`) for online lookup.
    pub fn open(dir: &Path, cfg: OnlineConfig, opts: ImportOptions) -> Result<Overlay> {
        let kb = Kb::load_dir(dir)?;
        let tried = std::fs::read_to_string(dir.join(TRIED_FILE))
            .map(|t| t.lines().map(String::from).collect())
            .unwrap_or_default();
        Ok(Overlay {
            dir: dir.to_path_buf(),
            kb,
            tried,
            client: WikidataClient::new(cfg)?,
            opts,
            added: 0,
        })
    }

    /// The KB as it is now.
    pub fn kb(&self) -> &Kb {
        &self.kb
    }

    /// Requests sent so far.
    pub fn requests(&self) -> u64 {
        self.client.requests
    }

    /// Looks up `names` the KB cannot link (each once per overlay), adds what is
    /// found to the directory and reloads the KB. Returns the number of entities
    /// added.
    pub fn resolve(&mut self, names: &[String]) -> Result<usize> {
        let lang = self
            .opts
            .langs
            .first()
            .cloned()
            .unwrap_or_else(|| "en".into());
        let mut found: Vec<Record> = Vec::new();
        let mut tried_now = Vec::new();
        for name in names {
            let key = name_key(name);
            if key.chars().count() < 2 || !self.tried.insert(key.clone()) {
                continue;
            }
            let ids: Vec<String> = self
                .client
                .search(name, &lang)?
                .into_iter()
                .filter(|q| self.kb.by_qid(q).is_none())
                .collect();
            let records = self.client.entities(&ids, &self.opts)?;
            let named: Vec<Record> = records
                .into_iter()
                .filter(|r| {
                    std::iter::once(&r.name)
                        .chain(&r.aliases)
                        .chain(&r.acronyms)
                        .chain(&r.official_name)
                        .any(|n| name_key(n) == key)
                })
                .collect();
            if named.is_empty() {
                tried_now.push(key);
            }
            found.extend(named);
        }
        if !tried_now.is_empty() {
            let p = self.dir.join(TRIED_FILE);
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&p)
                .map_err(|e| Error::io(&p, e))?;
            for k in &tried_now {
                writeln!(f, "{k}").map_err(|e| Error::io(&p, e))?;
            }
        }
        if found.is_empty() {
            return Ok(0);
        }
        let mut manifest = build::read_manifest(&self.dir)?;
        let mut builder = Builder::new();
        for r in build::read_dir_records(&self.dir)? {
            builder.add(r);
        }
        let mut added = 0;
        for r in found {
            if builder.add(r) == build::Added::New {
                added += 1;
            }
        }
        manifest.version += 1;
        manifest.updates.push(UpdateNote {
            time: build::now_rfc3339(),
            source: format!("online: {}", self.client.cfg.endpoint),
            added,
            changed: 0,
            unchanged: 0,
        });
        builder.write(&self.dir, manifest)?;
        self.kb = Kb::load_dir(&self.dir)?;
        self.added += added;
        Ok(added)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn query_escaping() {
        assert_eq!(super::escape("Q1|Q2"), "Q1%7CQ2");
        assert_eq!(super::escape("São Paulo"), "S%C3%A3o%20Paulo");
    }
}
