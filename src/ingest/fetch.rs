//! Lists of URLs fetched as articles: reqwest on a tokio runtime owned by the
//! reading thread, results handed on **in the order of the list**.
//!
//! A list has one URL a line; blank lines and `#` comments are ignored. Each
//! URL is fetched with
//!
//! - bounded concurrency ([`FetchOptions::concurrency`] requests in flight)
//!   and at most [`FetchOptions::per_host`] at once to one host (`host:port`);
//! - a connect timeout and a total timeout per attempt (headers and body);
//! - retries with exponential backoff and jitter after a connection error, a
//!   timeout, HTTP 408, 429 or 5xx; a `Retry-After` (seconds or HTTP date) is
//!   honoured up to [`FetchOptions::max_retry_after`];
//! - a size cap: a `Content-Length` above [`FetchOptions::max_bytes`] is
//!   refused before the body is read, and a body that passes the cap is
//!   dropped mid-stream (gzip is counted decompressed);
//! - at most [`FetchOptions::max_redirects`] redirects, only to `http(s)`
//!   URLs, loops refused;
//! - a content-type check: `text/html` and `application/xhtml+xml` go to
//!   [`crate::ingest::html::extract`], `text/plain` is the article text, no type at
//!   all is sniffed, any other type is a failure naming it;
//! - a descriptive `User-Agent` ([`user_agent`]).
//!
//! The article's ID and URL are the URL as listed (stable across redirects;
//! the page's canonical URL does not replace it). A URL that fails is an
//! [`Item`] with an error located at `LIST:LINE` that names the URL and the
//! reason: `HTTP 500 Internal Server Error (after 4 attempts)`, `timed out
//! after 30s`, `too large: …`, `content type image/png is not HTML or plain
//! text`, `not HTML: …`, `redirect: …`, `cannot connect: …`.
//!
//! Memory stays flat: at most a window of `4 × concurrency + 16` URLs is
//! between being read from the list and being handed on.

use crate::error::{Error, Result};
use crate::ingest::input::{self, InputFormat, Item};
use crate::ingest::Shard;
use crate::model::Article;
use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Semaphore;

/// How URLs are fetched.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// Requests in flight at once (all hosts).
    pub concurrency: usize,
    /// Requests in flight at once to one host (`host:port`).
    pub per_host: usize,
    /// Time allowed for one attempt: connecting, headers and body.
    pub timeout: Duration,
    /// Time allowed for connecting (capped by `timeout`).
    pub connect_timeout: Duration,
    /// Retries of a URL after a connection error, a timeout, HTTP 408, 429 or
    /// 5xx.
    pub retries: u32,
    /// The first retry's delay; it doubles each retry (with jitter).
    pub backoff: Duration,
    /// The longest `Retry-After` honoured.
    pub max_retry_after: Duration,
    /// The largest body read (decompressed), in bytes.
    pub max_bytes: u64,
    /// Redirects followed.
    pub max_redirects: usize,
    /// The `User-Agent` header.
    pub user_agent: String,
    /// URLs whose ID (the URL) another shard takes are not fetched; they are
    /// handed on as articles without text, which the ingest pipeline counts as
    /// left to other shards.
    pub shard: Shard,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            concurrency: 16,
            per_host: 2,
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            retries: 3,
            backoff: Duration::from_millis(500),
            max_retry_after: Duration::from_secs(60),
            max_bytes: 10 * 1024 * 1024,
            max_redirects: 10,
            user_agent: user_agent(),
            shard: Shard::ALL,
        }
    }
}

/// The command-line options of fetching (for `kglink ingest` and `kglink
/// annotate`).
#[derive(Debug, Clone, clap::Args)]
pub struct FetchArgs {
    /// URL lists: requests in flight at once.
    #[arg(long, default_value_t = 16, value_name = "N")]
    pub fetch_concurrency: usize,
    /// URL lists: requests in flight at once to one host.
    #[arg(long, default_value_t = 2, value_name = "N")]
    pub per_host: usize,
    /// URL lists: seconds allowed for one request (connecting, headers, body).
    #[arg(long, default_value_t = 30.0, value_name = "SECONDS")]
    pub fetch_timeout: f64,
    /// URL lists: retries after a connection error, a timeout, HTTP 408, 429 or
    /// 5xx (exponential backoff with jitter; Retry-After honoured up to 60 s).
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub retries: u32,
    /// URL lists: the first retry's delay in seconds (doubling each retry).
    #[arg(long, default_value_t = 0.5, value_name = "SECONDS")]
    pub fetch_backoff: f64,
    /// URL lists: the largest body read, in bytes (larger pages fail).
    #[arg(long, default_value_t = 10 * 1024 * 1024, value_name = "BYTES")]
    pub max_bytes: u64,
    /// URL lists: the User-Agent header sent.
    #[arg(long, value_name = "TEXT")]
    pub user_agent: Option<String>,
}

impl FetchArgs {
    /// The options these arguments ask for (the rest default).
    pub fn options(&self) -> std::result::Result<FetchOptions, String> {
        let secs = |name: &str, v: f64| {
            if (0.0..1e9).contains(&v) {
                Ok(Duration::from_secs_f64(v))
            } else {
                Err(format!("--{name} {v}: give a number of seconds"))
            }
        };
        let timeout = secs("fetch-timeout", self.fetch_timeout)?;
        if timeout.is_zero() {
            return Err("--fetch-timeout must be more than 0".into());
        }
        Ok(FetchOptions {
            concurrency: self.fetch_concurrency.max(1),
            per_host: self.per_host.max(1),
            timeout,
            retries: self.retries,
            backoff: secs("fetch-backoff", self.fetch_backoff)?,
            max_bytes: self.max_bytes,
            user_agent: self.user_agent.clone().unwrap_or_else(user_agent),
            ..FetchOptions::default()
        })
    }
}

/// The default `User-Agent`: `kglink/<version> (+https://github.com/kglink/kglink)`.
pub fn user_agent() -> String {
    format!(
        "kglink/{} (+https://github.com/kglink/kglink; news entity linker)",
        env!("CARGO_PKG_VERSION")
    )
}

/// Lines of a URL list longer than this are errors.
const MAX_LINE: usize = 64 * 1024;

/// Reads the URL list `reader` (named `name` in locations), fetches each URL
/// and calls `f` with each article or located error, in list order. Must not
/// be called from inside a tokio runtime (it runs its own). The error returned
/// is the list's own (the HTTP client cannot be made).
pub fn read_url_list(
    name: &Path,
    reader: impl Read,
    options: &FetchOptions,
    f: &mut dyn FnMut(Item),
) -> Result<()> {
    let client = client(options).map_err(|e| Error::BadInput {
        path: name.to_path_buf(),
        message: format!("cannot make the HTTP client: {e}"),
    })?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("kglink-fetch")
        .enable_all()
        .build()
        .map_err(|e| Error::io(name, e))?;
    let lines = Lines {
        name,
        reader: BufReader::new(reader),
        line_no: 0,
    };
    runtime.block_on(fetch_in_order(client, lines, options, f));
    Ok(())
}

/// One entry of a list: its line and the URL, or why the line is not one.
type Entry = (usize, std::result::Result<String, String>);

/// The entries of a URL list, read as needed.
struct Lines<'a, R> {
    name: &'a Path,
    reader: BufReader<R>,
    line_no: usize,
}

impl<R: Read> Lines<'_, R> {
    /// The next URL line, a bad line, or `Err` when the list cannot be read on.
    fn next(&mut self) -> Option<std::result::Result<Entry, Error>> {
        let mut buf = Vec::new();
        loop {
            buf.clear();
            let n = match self
                .reader
                .by_ref()
                .take(MAX_LINE as u64 + 1)
                .read_until(b'\n', &mut buf)
            {
                Ok(n) => n,
                Err(e) => return Some(Err(Error::io(self.name, e))),
            };
            if n == 0 {
                return None;
            }
            self.line_no += 1;
            if buf.len() > MAX_LINE && !buf.ends_with(b"\n") {
                let mut sink = Vec::new();
                if let Err(e) = self.reader.read_until(b'\n', &mut sink) {
                    return Some(Err(Error::io(self.name, e)));
                }
                return Some(Ok((
                    self.line_no,
                    Err(format!("line longer than {MAX_LINE} bytes")),
                )));
            }
            let line = match std::str::from_utf8(&buf) {
                Ok(l) => l.trim(),
                Err(e) => {
                    return Some(Ok((
                        self.line_no,
                        Err(format!(
                            "invalid UTF-8 at byte {} of the line",
                            e.valid_up_to()
                        )),
                    )))
                }
            };
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let entry = if input::is_url(line) {
                Ok(line.to_string())
            } else {
                let shown: String = line.chars().take(80).collect();
                Err(format!("not an http(s) URL: {shown:?}"))
            };
            return Some(Ok((self.line_no, entry)));
        }
    }
}

/// The URLs of a list file that are not comments or blank (for progress bars).
pub fn count_urls(path: &Path) -> Option<u64> {
    let file = std::fs::File::open(path).ok()?;
    let mut n = 0;
    for line in BufReader::new(file).split(b'\n') {
        let line = line.ok()?;
        let line = line.trim_ascii();
        if !line.is_empty() && !line.starts_with(b"#") {
            n += 1;
        }
    }
    Some(n)
}

/// Limits on requests in flight.
struct Limits {
    all: Semaphore,
    per_host: usize,
    hosts: Mutex<HashMap<String, Arc<Semaphore>>>,
}

impl Limits {
    fn host(&self, key: &str) -> Arc<Semaphore> {
        let mut hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
        hosts
            .entry(key.to_string())
            .or_insert_with(|| Arc::new(Semaphore::new(self.per_host.max(1))))
            .clone()
    }
}

async fn fetch_in_order<R: Read>(
    client: reqwest::Client,
    mut lines: Lines<'_, R>,
    options: &FetchOptions,
    f: &mut dyn FnMut(Item),
) {
    let name = lines.name.to_path_buf();
    let options = Arc::new(options.clone());
    let limits = Arc::new(Limits {
        all: Semaphore::new(options.concurrency.max(1)),
        per_host: options.per_host,
        hosts: Mutex::new(HashMap::new()),
    });
    let window = options.concurrency.max(1) * 4 + 16;
    let mut tasks = tokio::task::JoinSet::new();
    // task ID -> (sequence number, location, URL), to place a task that panicked
    let mut running = HashMap::new();
    let mut done: BTreeMap<usize, Item> = BTreeMap::new();
    let (mut next, mut emitted, mut end) = (0usize, 0usize, false);
    loop {
        while !end && next - emitted < window {
            let seq = next;
            let entry = match lines.next() {
                None => {
                    end = true;
                    break;
                }
                Some(Err(e)) => {
                    // the list cannot be read on: one error, and the end
                    end = true;
                    Err(e)
                }
                Some(Ok(entry)) => Ok(entry),
            };
            next += 1;
            let (line, url) = match entry {
                Err(e) => {
                    let location = name.display().to_string();
                    done.insert(
                        seq,
                        Item {
                            location,
                            article: Err(e),
                        },
                    );
                    continue;
                }
                Ok((line, Err(why))) => {
                    done.insert(
                        seq,
                        Item {
                            location: format!("{}:{line}", name.display()),
                            article: Err(Error::parse(&name, line, why)),
                        },
                    );
                    continue;
                }
                Ok((line, Ok(url))) => (line, url),
            };
            let location = format!("{}:{line}", name.display());
            if !options.shard.takes(&url) {
                done.insert(
                    seq,
                    Item {
                        location,
                        article: Ok(Article {
                            id: url.clone(),
                            url: Some(url),
                            ..Article::default()
                        }),
                    },
                );
                continue;
            }
            let (client, limits, options, path) = (
                client.clone(),
                limits.clone(),
                options.clone(),
                name.clone(),
            );
            let u = url.clone();
            let handle = tasks.spawn(async move {
                fetch_article(&client, &limits, &options, &u)
                    .await
                    .map_err(|why| Error::parse(&path, line, format!("{u}: {why}")))
            });
            running.insert(handle.id(), (seq, line, location, url));
        }
        while let Some(item) = done.remove(&emitted) {
            f(item);
            emitted += 1;
        }
        if end && emitted == next {
            return;
        }
        let (id, article) = match tasks.join_next_with_id().await {
            Some(Ok((id, article))) => (id, Ok(article)),
            Some(Err(e)) => (e.id(), Err(e.is_panic())),
            None => continue,
        };
        if let Some((seq, line, location, url)) = running.remove(&id) {
            let article = article.unwrap_or_else(|panicked| {
                let why = if panicked {
                    "internal error while fetching"
                } else {
                    "fetch cancelled"
                };
                Err(Error::parse(&name, line, format!("{url}: {why}")))
            });
            done.insert(seq, Item { location, article });
        }
    }
}

/// Why an attempt failed, and whether (after how long, if the server said) it
/// is worth another.
struct Failed {
    reason: String,
    retry: Option<Option<Duration>>,
}

impl Failed {
    fn fatal(reason: impl Into<String>) -> Failed {
        Failed {
            reason: reason.into(),
            retry: None,
        }
    }
    fn transient(reason: impl Into<String>) -> Failed {
        Failed {
            reason: reason.into(),
            retry: Some(None),
        }
    }
}

/// Fetches `url` with retries and reads it as an article.
async fn fetch_article(
    client: &reqwest::Client,
    limits: &Limits,
    options: &FetchOptions,
    url: &str,
) -> std::result::Result<Article, String> {
    let host = reqwest::Url::parse(url)
        .ok()
        .and_then(|u| {
            let host = u.host_str()?.to_ascii_lowercase();
            Some(format!("{host}:{}", u.port_or_known_default()?))
        })
        .ok_or_else(|| "not a valid URL".to_string())?;
    let host_limit = limits.host(&host);
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        let outcome = {
            // the host's permit first: a busy host holds no global permit
            let _host = host_limit
                .acquire()
                .await
                .map_err(|_| "fetcher closed".to_string())?;
            let _all = limits
                .all
                .acquire()
                .await
                .map_err(|_| "fetcher closed".to_string())?;
            fetch_once(client, options, url).await
        };
        let (kind, body, content_type) = match outcome {
            Ok(page) => page,
            Err(Failed {
                retry: Some(after), ..
            }) if attempt <= options.retries => {
                tokio::time::sleep(delay(options, attempt, after, url)).await;
                continue;
            }
            Err(Failed { reason, .. }) => {
                return Err(if attempt > 1 {
                    format!("{reason} (after {attempt} attempts)")
                } else {
                    reason
                })
            }
        };
        // parsing is CPU work: off the runtime's threads
        let u = url.to_string();
        return tokio::task::spawn_blocking(move || read_page(&u, kind, body, &content_type))
            .await
            .map_err(|_| "internal error while reading the page".to_string())?;
    }
}

/// The delay before retry `attempt` (1-based): the server's `Retry-After`
/// (capped), else `backoff × 2^(attempt-1)` (at most 60 s) with ±50 % jitter.
fn delay(options: &FetchOptions, attempt: u32, after: Option<Duration>, url: &str) -> Duration {
    if let Some(after) = after {
        return after.min(options.max_retry_after);
    }
    let base = options
        .backoff
        .saturating_mul(1u32 << (attempt - 1).min(16))
        .min(Duration::from_secs(60));
    use std::hash::BuildHasher;
    let h = std::collections::hash_map::RandomState::new().hash_one((url, attempt));
    let unit = (h % 1000) as f64 / 1000.0; // [0, 1)
    base.mul_f64(0.5 + unit)
}

/// How a body is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Html,
    Text,
    /// No content type: decided from the body.
    Unknown,
}

/// One attempt: the body and its kind, or why not.
async fn fetch_once(
    client: &reqwest::Client,
    options: &FetchOptions,
    url: &str,
) -> std::result::Result<(Kind, Vec<u8>, String), Failed> {
    let mut response = client
        .get(url)
        .send()
        .await
        .map_err(|e| describe(&e, options))?;
    let status = response.status();
    if !status.is_success() {
        let reason = format!("HTTP {status}");
        let code = status.as_u16();
        if code == 408 || code == 429 || status.is_server_error() {
            return Err(Failed {
                reason,
                retry: Some(retry_after(response.headers())),
            });
        }
        return Err(Failed::fatal(reason));
    }
    let scheme = response.url().scheme();
    if scheme != "http" && scheme != "https" {
        return Err(Failed::fatal(format!(
            "redirected to a non-http(s) URL {}",
            response.url()
        )));
    }
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).to_ascii_lowercase())
        .unwrap_or_default();
    let mime = content_type.split(';').next().unwrap_or("").trim();
    let kind = match mime {
        "text/html" | "application/xhtml+xml" => Kind::Html,
        "text/plain" => Kind::Text,
        "" => Kind::Unknown,
        other => {
            return Err(Failed::fatal(format!(
                "content type {other} is not HTML or plain text"
            )))
        }
    };
    if let Some(len) = response.content_length() {
        if len > options.max_bytes {
            return Err(Failed::fatal(format!(
                "too large: Content-Length {len} is more than the {}-byte cap",
                options.max_bytes
            )));
        }
    }
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if (body.len() + chunk.len()) as u64 > options.max_bytes {
                    return Err(Failed::fatal(format!(
                        "too large: the body passed the {}-byte cap (stopped reading)",
                        options.max_bytes
                    )));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(e) => return Err(describe(&e, options)),
        }
    }
    Ok((kind, body, content_type))
}

/// A reqwest error as a reason, transient or not.
fn describe(e: &reqwest::Error, options: &FetchOptions) -> Failed {
    let mut inner = String::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        inner = s.to_string();
        source = s.source();
    }
    if e.is_timeout() {
        Failed::transient(format!(
            "timed out after {}s",
            options.timeout.as_secs_f64()
        ))
    } else if e.is_redirect() {
        Failed::fatal(format!("redirect: {inner}"))
    } else if e.is_connect() {
        Failed::transient(format!("cannot connect: {inner}"))
    } else if e.is_body() || e.is_request() || e.is_decode() {
        Failed::transient(if inner.is_empty() {
            e.to_string()
        } else {
            format!("{e}: {inner}")
        })
    } else {
        Failed::fatal(e.to_string())
    }
}

/// `Retry-After` as a duration: delta-seconds or an HTTP date.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let v = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = http_date(v)?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs() as i64;
    Some(Duration::from_secs((at - now).max(0) as u64))
}

/// Seconds since 1970 of an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`).
fn http_date(s: &str) -> Option<i64> {
    let parts: Vec<&str> = s.split_whitespace().collect();
    let [_, day, month, year, time, "GMT"] = parts[..] else {
        return None;
    };
    let day: i64 = day.parse().ok()?;
    let year: i64 = year.parse().ok()?;
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    .iter()
    .position(|m| *m == month)? as i64
        + 1;
    let hms: Vec<i64> = time
        .split(':')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let [h, m, sec] = hms[..] else {
        return None;
    };
    // days from civil (Howard Hinnant)
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h * 3600 + m * 60 + sec)
}

/// The HTTP client: timeouts, redirect policy, User-Agent, gzip.
fn client(options: &FetchOptions) -> reqwest::Result<reqwest::Client> {
    let max = options.max_redirects;
    let policy = reqwest::redirect::Policy::custom(move |attempt| {
        let next = attempt.url().clone();
        if next.scheme() != "http" && next.scheme() != "https" {
            attempt.error(format!("redirected to a non-http(s) URL {next}"))
        } else if attempt.previous().contains(&next) {
            attempt.error(format!("redirect loop (back to {next})"))
        } else if attempt.previous().len() > max {
            attempt.error(format!("more than {max} redirects"))
        } else {
            attempt.follow()
        }
    });
    reqwest::Client::builder()
        .user_agent(options.user_agent.clone())
        .timeout(options.timeout)
        .connect_timeout(options.connect_timeout.min(options.timeout))
        .redirect(policy)
        .gzip(true)
        .default_headers({
            let mut h = reqwest::header::HeaderMap::new();
            h.insert(
                reqwest::header::ACCEPT,
                reqwest::header::HeaderValue::from_static(
                    "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.1",
                ),
            );
            h
        })
        .build()
}

/// A fetched body as an article whose ID and URL are `url`.
fn read_page(
    url: &str,
    kind: Kind,
    body: Vec<u8>,
    content_type: &str,
) -> std::result::Result<Article, String> {
    let kind = match kind {
        Kind::Unknown
            if input::sniff(&body[..body.len().min(input::SNIFF_BYTES)]) == InputFormat::Html =>
        {
            Kind::Html
        }
        Kind::Unknown => Kind::Text,
        k => k,
    };
    if let Some(i) = body.iter().position(|&b| b == 0) {
        return Err(match kind {
            Kind::Html => format!("not HTML: binary data (NUL byte at byte offset {i})"),
            _ => format!("binary data (NUL byte at byte offset {i})"),
        });
    }
    let text = crate::ingest::html::decode(body, content_type, kind == Kind::Html)?;
    match kind {
        Kind::Html => {
            let page = crate::ingest::html::extract(&text, Some(url))?;
            Ok(Article {
                id: url.to_string(),
                title: page.title,
                text: page.text,
                date: page.date,
                url: Some(url.to_string()),
                source: page.source,
            })
        }
        _ => {
            if text.trim().is_empty() {
                return Err("empty text".into());
            }
            Ok(Article {
                id: url.to_string(),
                text,
                url: Some(url.to_string()),
                ..Article::default()
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_lines_comments_and_bad_lines() {
        let list = b"# news\n\nhttps://a.example/1\n  http://b.example/x?y=1  \nftp://c.example/\nnot a url\n\xff\n";
        let mut lines = Lines {
            name: Path::new("l.urls"),
            reader: BufReader::new(&list[..]),
            line_no: 0,
        };
        let mut got = Vec::new();
        while let Some(e) = lines.next() {
            got.push(e.unwrap());
        }
        assert_eq!(got.len(), 5);
        assert_eq!(got[0], (3, Ok("https://a.example/1".to_string())));
        assert_eq!(got[1], (4, Ok("http://b.example/x?y=1".to_string())));
        assert!(got[2]
            .1
            .as_ref()
            .unwrap_err()
            .contains("not an http(s) URL"));
        assert_eq!(got[3].0, 6);
        assert!(got[4].1.as_ref().unwrap_err().contains("UTF-8"));
    }

    #[test]
    fn retry_delays_grow_and_honour_retry_after() {
        let o = FetchOptions {
            backoff: Duration::from_millis(100),
            max_retry_after: Duration::from_secs(5),
            ..FetchOptions::default()
        };
        for attempt in 1..=4 {
            let d = delay(&o, attempt, None, "u");
            let base = 100u64 << (attempt - 1);
            assert!(
                d >= Duration::from_millis(base / 2) && d < Duration::from_millis(base * 3 / 2),
                "{attempt}: {d:?}"
            );
        }
        assert_eq!(
            delay(&o, 1, Some(Duration::from_secs(2)), "u"),
            Duration::from_secs(2)
        );
        assert_eq!(
            delay(&o, 1, Some(Duration::from_secs(3600)), "u"),
            Duration::from_secs(5)
        );
        assert_eq!(
            http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(http_date("tomorrow"), None);
    }
}
