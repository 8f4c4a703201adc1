//! Sources: URL lists fetched from a local axum server (retries, timeouts, size
//! cap, redirects, content types, per-host limit, order), HTML pages, format
//! detection, and `kglink ingest` of both end to end.

use crate::{kglink, root, stderr, stdout};
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use kglink::ingest::fetch::{read_url_list, FetchOptions};
use kglink::ingest::input::Item;
use kglink::model::Article;
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the server saw.
#[derive(Default)]
struct Seen {
    hits: Mutex<HashMap<String, usize>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    /// Bytes handed to the connection by the endless bodies.
    streamed: AtomicU64,
    user_agents: Mutex<Vec<String>>,
}

/// A test server on 127.0.0.1 (free port); it stops when dropped.
struct Server {
    base: String,
    seen: Arc<Seen>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Server {
    fn start() -> Server {
        let seen = Arc::new(Seen::default());
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let state = seen.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                addr_tx.send(listener.local_addr().unwrap()).unwrap();
                let app = axum::Router::new().fallback(handle).with_state(state);
                axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = stop_rx.await;
                    })
                    .await
                    .unwrap();
            });
            // endless bodies still being written are dropped with the runtime
            rt.shutdown_timeout(Duration::from_millis(100));
        });
        let addr = addr_rx.recv().unwrap();
        Server {
            base: format!("http://{addr}"),
            seen,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn hits(&self, path: &str) -> usize {
        self.seen
            .hits
            .lock()
            .unwrap()
            .get(path)
            .copied()
            .unwrap_or(0)
    }
}

fn page(title: &str, date: &str, body: &str) -> String {
    format!(
        "<!doctype html><html><head><title>{title}</title>\
         <meta property=\"article:published_time\" content=\"{date}\"></head>\
         <body><nav><a href=\"/\">Home</a></nav><article><h1>{title}</h1>\
         <p>{body} The ministers of Germany and France met in Berlin on Monday and agreed to meet again next month.</p>\
         </article></body></html>"
    )
}

fn html(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

fn redirect(to: &str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, to.to_string())]).into_response()
}

/// A body of `total` bytes (`u64::MAX`: endless), counted as it is handed on.
fn endless(seen: &Arc<Seen>, total: u64) -> Body {
    const CHUNK: usize = 64 * 1024;
    let seen = seen.clone();
    Body::from_stream(futures_util::stream::unfold(0u64, move |sent| {
        let seen = seen.clone();
        async move {
            if sent >= total {
                return None;
            }
            seen.streamed.fetch_add(CHUNK as u64, SeqCst);
            Some((
                Ok::<_, std::io::Error>(Bytes::from(vec![b'a'; CHUNK])),
                sent + CHUNK as u64,
            ))
        }
    }))
}

async fn handle(State(seen): State<Arc<Seen>>, uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path().to_string();
    let n = {
        let mut hits = seen.hits.lock().unwrap();
        let n = hits.entry(path.clone()).or_default();
        *n += 1;
        *n
    };
    if let Some(ua) = headers.get(header::USER_AGENT) {
        seen.user_agents
            .lock()
            .unwrap()
            .push(ua.to_str().unwrap_or("").to_string());
    }
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segments[..] {
        ["harbour"] => {
            html(std::fs::read_to_string(root().join("examples/html/harbour-talks.html")).unwrap())
        }
        ["text"] => (
            [(header::CONTENT_TYPE, "text/plain")],
            "The prime minister of Spain visited Lisbon on Friday.",
        )
            .into_response(),
        ["page", i] => {
            // later pages answer sooner, so completions come out of order
            let i: u64 = i.parse().unwrap_or(0);
            tokio::time::sleep(Duration::from_millis(5 * (10 - i % 10))).await;
            html(page(
                &format!("Page {i}"),
                &format!("2020-01-{:02}", i % 28 + 1),
                &format!("Story number {i}."),
            ))
        }
        ["fail500"] => (StatusCode::INTERNAL_SERVER_ERROR, "down").into_response(),
        ["flaky"] if n == 1 => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "0")],
            "try again",
        )
            .into_response(),
        ["flaky"] => html(page("Flaky", "2021-02-03", "Second time lucky.")),
        ["ratelimit"] if n == 1 => (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, "3600")],
            "slow down",
        )
            .into_response(),
        ["ratelimit"] => html(page("Limited", "2021-02-04", "Waited.")),
        ["notfound"] => (StatusCode::NOT_FOUND, "no").into_response(),
        ["slow"] => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            html(page("Slow", "2021-01-01", "Too late."))
        }
        ["claimed"] => Response::builder()
            .header(header::CONTENT_TYPE, "text/html")
            .header(header::CONTENT_LENGTH, "2147483648")
            .body(endless(&seen, 2 << 30))
            .unwrap(),
        ["endless"] => Response::builder()
            .header(header::CONTENT_TYPE, "text/html")
            .body(endless(&seen, u64::MAX))
            .unwrap(),
        ["gzip", what] => {
            use std::io::Write;
            let body = if what == "bomb" {
                // 8 MiB of blanks inside a page: about 8 KiB compressed
                format!("<html><body><p>{}</p></body></html>", " ".repeat(8 << 20))
            } else {
                std::fs::read_to_string(root().join("examples/html/harbour-talks.html")).unwrap()
            };
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(body.as_bytes()).unwrap();
            (
                [
                    (header::CONTENT_TYPE, "text/html"),
                    (header::CONTENT_ENCODING, "gzip"),
                ],
                gz.finish().unwrap(),
            )
                .into_response()
        }
        ["redirect", k] => match k.parse::<u32>().unwrap_or(0) {
            0 => redirect("/harbour"),
            k => redirect(&format!("/redirect/{}", k - 1)),
        },
        ["loop-a"] => redirect("/loop-b"),
        ["loop-b"] => redirect("/loop-a"),
        ["to-ftp"] => redirect("ftp://127.0.0.1/file"),
        ["png"] => (
            [(header::CONTENT_TYPE, "image/png")],
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec(),
        )
            .into_response(),
        ["binary-html"] => (
            [(header::CONTENT_TYPE, "text/html")],
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0".to_vec(),
        )
            .into_response(),
        ["busy", _] => {
            let now = seen.in_flight.fetch_add(1, SeqCst) + 1;
            seen.max_in_flight.fetch_max(now, SeqCst);
            tokio::time::sleep(Duration::from_millis(80)).await;
            seen.in_flight.fetch_sub(1, SeqCst);
            html(page("Busy", "2022-03-04", "Busy page."))
        }
        _ => (StatusCode::NOT_FOUND, "no such page").into_response(),
    }
}

/// Options for tests: short timeouts and backoff.
fn quick() -> FetchOptions {
    FetchOptions {
        timeout: Duration::from_secs(5),
        backoff: Duration::from_millis(10),
        max_retry_after: Duration::from_millis(50),
        ..FetchOptions::default()
    }
}

/// Fetches the list (one URL or other line a line) as `list.urls`.
fn fetch(lines: &[String], options: &FetchOptions) -> Vec<Item> {
    let list = lines.join("\n");
    let mut items = Vec::new();
    read_url_list(Path::new("list.urls"), list.as_bytes(), options, &mut |i| {
        items.push(i)
    })
    .unwrap();
    items
}

fn ok(item: &Item) -> &Article {
    match &item.article {
        Ok(a) => a,
        Err(e) => panic!("{}: {e}", item.location),
    }
}

fn err(item: &Item) -> String {
    match &item.article {
        Ok(a) => panic!("{}: fetched {:?}", item.location, a.id),
        Err(e) => e.to_string(),
    }
}

#[test]
fn pages_come_in_list_order_with_title_date_and_listed_url() {
    let server = Server::start();
    let mut lines = vec![
        "# morning news".to_string(),
        server.url("/harbour"),
        String::new(),
        server.url("/text"),
        "not a url".to_string(),
    ];
    let pages: Vec<String> = (0..30).map(|i| server.url(&format!("/page/{i}"))).collect();
    lines.extend(pages.iter().cloned());
    let items = fetch(
        &lines,
        &FetchOptions {
            concurrency: 8,
            per_host: 8,
            ..quick()
        },
    );
    assert_eq!(items.len(), 33);
    let harbour = ok(&items[0]);
    assert_eq!(items[0].location, "list.urls:2");
    assert_eq!(harbour.id, server.url("/harbour"));
    assert_eq!(harbour.url.as_deref(), Some(harbour.id.as_str()));
    assert_eq!(
        harbour.title.as_deref(),
        Some("Ministers agree harbour plan in Lisbon")
    );
    assert_eq!(harbour.date.as_deref(), Some("2023-06-14"));
    assert_eq!(harbour.source.as_deref(), Some("Example Harbour News"));
    assert!(harbour.text.contains("Antonio Costa"));
    let text = ok(&items[1]);
    assert_eq!((text.title.as_deref(), text.date.as_deref()), (None, None));
    assert!(text.text.starts_with("The prime minister of Spain"));
    let e = err(&items[2]);
    assert!(e.starts_with("list.urls:5: not an http(s) URL"), "{e}");
    let ids: Vec<&str> = items[3..].iter().map(|i| ok(i).id.as_str()).collect();
    assert_eq!(ids, pages.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(ok(&items[10]).title.as_deref(), Some("Page 7"));
    let agents = server.seen.user_agents.lock().unwrap();
    assert!(
        agents
            .iter()
            .all(|a| a.starts_with("kglink/") && a.contains("+https://")),
        "{agents:?}"
    );
}

#[test]
fn server_errors_are_retried_with_backoff_then_reported() {
    let server = Server::start();
    let lines = vec![
        server.url("/fail500"),
        server.url("/flaky"),
        server.url("/ratelimit"),
        server.url("/notfound"),
    ];
    let started = Instant::now();
    let items = fetch(
        &lines,
        &FetchOptions {
            retries: 2,
            ..quick()
        },
    );
    let e = err(&items[0]);
    assert!(
        e.starts_with("list.urls:1: ") && e.contains(&server.url("/fail500")),
        "{e}"
    );
    assert!(
        e.contains("HTTP 500") && e.contains("after 3 attempts"),
        "{e}"
    );
    assert_eq!(server.hits("/fail500"), 3);
    assert_eq!(ok(&items[1]).title.as_deref(), Some("Flaky"));
    assert_eq!(server.hits("/flaky"), 2);
    // Retry-After: 3600 is capped (here at 50 ms)
    assert_eq!(ok(&items[2]).title.as_deref(), Some("Limited"));
    assert!(started.elapsed() < Duration::from_secs(5));
    // a 404 is not retried
    let e = err(&items[3]);
    assert!(e.contains("HTTP 404") && !e.contains("attempts"), "{e}");
    assert_eq!(server.hits("/notfound"), 1);
}

#[test]
fn slow_and_huge_responses_fail_fast() {
    let server = Server::start();
    let options = FetchOptions {
        timeout: Duration::from_millis(300),
        retries: 1,
        max_bytes: 1 << 20,
        ..quick()
    };
    let started = Instant::now();
    let items = fetch(&[server.url("/slow")], &options);
    let e = err(&items[0]);
    assert!(
        e.contains("timed out after 0.3s") && e.contains("after 2 attempts"),
        "{e}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );

    let started = Instant::now();
    let items = fetch(&[server.url("/claimed"), server.url("/endless")], &options);
    let e = err(&items[0]);
    assert!(e.contains("too large: Content-Length 2147483648"), "{e}");
    let e = err(&items[1]);
    assert!(
        e.contains("too large: the body passed the 1048576-byte cap"),
        "{e}"
    );
    let took = started.elapsed();
    let streamed = server.seen.streamed.load(SeqCst);
    // 2 GB claimed and an endless body: a few MiB at most were handed on
    assert!(streamed < 32 << 20, "{streamed} bytes streamed");
    // the cap counts decompressed bytes: a small gzip body that inflates past it fails
    let items = fetch(
        &[server.url("/gzip/bomb"), server.url("/gzip/page")],
        &options,
    );
    let e = err(&items[0]);
    assert!(
        e.contains("too large: the body passed the 1048576-byte cap"),
        "{e}"
    );
    assert!(ok(&items[1]).text.contains("Antonio Costa"));
    println!("size cap: stopped after {streamed} bytes streamed in {took:?}");
}

#[test]
fn redirects_content_types_and_bodies_that_are_not_html() {
    let server = Server::start();
    let lines = vec![
        server.url("/redirect/3"),
        server.url("/loop-a"),
        server.url("/redirect/12"),
        server.url("/to-ftp"),
        server.url("/png"),
        server.url("/binary-html"),
    ];
    let items = fetch(&lines, &quick());
    let a = ok(&items[0]);
    // the listed URL stays the ID, not where the redirects led or the canonical URL
    assert_eq!(a.id, server.url("/redirect/3"));
    assert_eq!(a.url.as_deref(), Some(a.id.as_str()));
    assert_eq!(
        a.title.as_deref(),
        Some("Ministers agree harbour plan in Lisbon")
    );
    let e = err(&items[1]);
    assert!(e.contains("redirect loop"), "{e}");
    let e = err(&items[2]);
    assert!(e.contains("more than 10 redirects"), "{e}");
    let e = err(&items[3]);
    assert!(e.contains("non-http(s)"), "{e}");
    let e = err(&items[4]);
    assert!(e.contains("content type image/png"), "{e}");
    let e = err(&items[5]);
    assert!(
        e.starts_with("list.urls:6: ") && e.contains("not HTML: binary data"),
        "{e}"
    );
}

#[test]
fn requests_in_flight_stay_within_the_limits() {
    let server = Server::start();
    let lines: Vec<String> = (0..12).map(|i| server.url(&format!("/busy/{i}"))).collect();
    let items = fetch(
        &lines,
        &FetchOptions {
            per_host: 2,
            ..quick()
        },
    );
    assert!(items.iter().all(|i| i.article.is_ok()));
    // at most the limit, and requests did overlap
    assert_eq!(server.seen.max_in_flight.load(SeqCst), 2);
    server.seen.max_in_flight.store(0, SeqCst);
    let items = fetch(
        &lines,
        &FetchOptions {
            per_host: 16,
            concurrency: 3,
            ..quick()
        },
    );
    assert!(items.iter().all(|i| i.article.is_ok()));
    let max = server.seen.max_in_flight.load(SeqCst);
    assert!((2..=3).contains(&max), "{max} requests at once");
}

/// The failure report's lines.
fn report(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// `(headline, date)` of each article graph, sorted by source ID.
fn headlines(store: &Path) -> Vec<(String, String, String)> {
    let st = kglink::store::Store::open(store).unwrap();
    let q = "SELECT ?id ?h ?d WHERE { GRAPH ?g { ?a <https://w3id.org/kglink/ns#sourceId> ?id . \
             OPTIONAL { ?a <http://schema.org/headline> ?h } OPTIONAL { ?a <http://schema.org/datePublished> ?d } } } ORDER BY ?id";
    match st.query(q).unwrap() {
        oxigraph::sparql::QueryResults::Solutions(rows) => rows
            .map(|r| {
                let r = r.unwrap();
                let get = |k: &str| {
                    r.get(k).map_or(String::new(), |t| match t {
                        oxigraph::model::Term::Literal(l) => l.value().to_string(),
                        other => other.to_string(),
                    })
                };
                (get("id"), get("h"), get("d"))
            })
            .collect(),
        _ => unreachable!(),
    }
}

#[test]
fn ingest_of_a_url_list_and_an_html_folder() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let pages = dir.path().join("pages");
    std::fs::create_dir(&pages).unwrap();
    for name in ["harbour-talks.html", "rail-link.htm"] {
        std::fs::copy(root().join("examples/html").join(name), pages.join(name)).unwrap();
    }
    std::fs::write(pages.join("broken.html"), "no markup here, only words").unwrap();
    let list = dir.path().join("news.urls");
    std::fs::write(
        &list,
        format!(
            "# two good, two bad\n{}\n{}\n\n{}\n{}\n",
            server.url("/page/3"),
            server.url("/fail500"),
            server.url("/png"),
            server.url("/flaky"),
        ),
    )
    .unwrap();
    let store = dir.path().join("store");
    let failures = dir.path().join("failures.jsonl");
    let o = kglink(
        &[
            "ingest",
            list.to_str().unwrap(),
            pages.to_str().unwrap(),
            "--store",
            store.to_str().unwrap(),
            "--failures",
            failures.to_str().unwrap(),
            "--retries",
            "1",
            "--fetch-backoff",
            "0.01",
            "--fetch-timeout",
            "5",
        ],
        None,
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("4 new") && err.contains("3 failed"), "{err}");
    let got = headlines(&store);
    let harbour = pages.join("harbour-talks.html").display().to_string();
    let rail = pages.join("rail-link.htm").display().to_string();
    let mut want = vec![
        (
            harbour,
            "Ministers agree harbour plan in Lisbon".to_string(),
            "2023-06-14".to_string(),
        ),
        (
            rail,
            "Rail link opens between Vienna and Budapest".to_string(),
            "2022-09-01".to_string(),
        ),
        (
            server.url("/flaky"),
            "Flaky".to_string(),
            "2021-02-03".to_string(),
        ),
        (
            server.url("/page/3"),
            "Page 3".to_string(),
            "2020-01-04".to_string(),
        ),
    ];
    want.sort();
    assert_eq!(got, want);
    let report = report(&failures);
    let located: Vec<(String, Option<u64>)> = report
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap_or("").to_string(),
                f["line"].as_u64(),
            )
        })
        .collect();
    let list = list.display().to_string();
    assert_eq!(
        located,
        [
            (list.clone(), Some(3)),
            (list, Some(5)),
            (pages.join("broken.html").display().to_string(), None),
        ]
    );
    let reasons: Vec<&str> = report
        .iter()
        .map(|f| f["reason"].as_str().unwrap())
        .collect();
    assert!(
        reasons[0].contains("/fail500") && reasons[0].contains("HTTP 500"),
        "{reasons:?}"
    );
    assert!(reasons[1].contains("image/png"), "{reasons:?}");
    assert!(reasons[2].contains("not HTML"), "{reasons:?}");
}

#[test]
fn formats_are_detected_from_content_and_can_be_overridden() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    // no telling extensions: sniffed
    let list = dir.path().join("list");
    std::fs::write(&list, format!("{}\n", server.url("/page/1"))).unwrap();
    let page = dir.path().join("saved.page");
    std::fs::copy(root().join("examples/html/rail-link.htm"), &page).unwrap();
    let store = dir.path().join("store");
    let args = |extra: &[&str]| {
        let mut a = vec![
            "ingest",
            list.to_str().unwrap(),
            page.to_str().unwrap(),
            "--store",
            store.to_str().unwrap(),
        ];
        a.extend_from_slice(extra);
        a.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    let run = |a: Vec<String>| kglink(&a.iter().map(String::as_str).collect::<Vec<_>>(), None);
    let o = run(args(&[]));
    assert!(o.status.success(), "{}", stderr(&o));
    let got = headlines(&store);
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(got
        .iter()
        .any(|(id, h, _)| id == &server.url("/page/1") && h == "Page 1"));
    assert!(got
        .iter()
        .any(|(_, h, d)| h == "Rail link opens between Vienna and Budapest" && d == "2022-09-01"));
    // --format text: both read as plain text (no headline, the markup is the text)
    std::fs::remove_dir_all(&store).unwrap();
    let o = run(args(&["--format", "text"]));
    assert!(o.status.success(), "{}", stderr(&o));
    let got = headlines(&store);
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(got.iter().all(|(_, h, _)| h.is_empty()), "{got:?}");
    assert_eq!(server.hits("/page/1"), 1);

    // standard input is sniffed too: an HTML page annotated from stdin
    let html = std::fs::read(root().join("examples/html/harbour-talks.html")).unwrap();
    let o = kglink(&["annotate", "-"], Some(&html));
    assert!(o.status.success(), "{}", stderr(&o));
    let out: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let texts: Vec<&str> = out["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["text"].as_str().unwrap())
        .collect();
    assert!(
        texts.contains(&"Lisbon") && !texts.iter().any(|t| t.contains("Subscribe")),
        "{texts:?}"
    );
}

#[test]
fn urls_of_other_shards_are_not_fetched() {
    let server = Server::start();
    let lines: Vec<String> = (0..20).map(|i| server.url(&format!("/page/{i}"))).collect();
    let shard: kglink::ingest::Shard = "1/2".parse().unwrap();
    let items = fetch(&lines, &FetchOptions { shard, ..quick() });
    assert_eq!(items.len(), 20);
    let taken: Vec<&String> = lines.iter().filter(|u| shard.takes(u)).collect();
    assert!(!taken.is_empty() && taken.len() < 20);
    let fetched: Vec<&String> = items
        .iter()
        .map(ok)
        .filter(|a| !a.text.is_empty())
        .map(|a| &a.id)
        .collect();
    assert_eq!(fetched, taken);
    let hits: usize = (0..20).map(|i| server.hits(&format!("/page/{i}"))).sum();
    assert_eq!(hits, taken.len());
}
