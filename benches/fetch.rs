//! Sources: fetching a URL list and extracting HTML pages.
//!
//! 1. **Fetch**: a local axum server answers each of URLS pages (the example page
//!    `examples/html/harbour-talks.html`) after a simulated network latency of
//!    LATENCY ms. The list is fetched (and every page extracted) by
//!    [`kglink::ingest::fetch::read_url_list`] with the defaults (16 in flight;
//!    the per-host limit raised to 16, all URLs being on one host) and, as the
//!    baseline in the same run, one request at a time. Reports the median URLs/s
//!    of each and their ratio; every round checks that all pages came back in
//!    list order.
//! 2. **Extract**: the median time of [`kglink::ingest::html::extract`] on the example
//!    page, and on the same article inside a heavy page (300 navigation links,
//!    60 sidebar teasers, 60 KB of inline script: about 85 KB, like a news
//!    site's), against, as the baseline, annotating the extracted text
//!    ([`kglink::annotate::Annotator::links`], bundled KB) in the same run.
//!
//! `cargo bench --bench fetch [-- ROUNDS [URLS [LATENCY]]]` (defaults 3, 200, 20)

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use kglink::ingest::fetch::{read_url_list, FetchOptions};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

struct Page {
    html: String,
    latency: Duration,
}

async fn page(State(p): State<Arc<Page>>) -> axum::response::Response {
    tokio::time::sleep(p.latency).await;
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        p.html.clone(),
    )
        .into_response()
}

/// Serves every path with the page after `latency`; returns the base URL.
fn serve(html: String, latency: Duration) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            tx.send(listener.local_addr().expect("address"))
                .expect("send");
            let app = axum::Router::new()
                .fallback(page)
                .with_state(Arc::new(Page { html, latency }));
            axum::serve(listener, app).await.expect("serve");
        });
    });
    format!("http://{}", rx.recv().expect("server address"))
}

fn fetch_round(list: &str, urls: &[String], options: &FetchOptions) -> f64 {
    let started = Instant::now();
    let mut ids = Vec::with_capacity(urls.len());
    read_url_list(
        Path::new("bench.urls"),
        list.as_bytes(),
        options,
        &mut |item| match item.article {
            Ok(a) => ids.push(a.id),
            Err(e) => panic!("{}: {e}", item.location),
        },
    )
    .expect("list read");
    let secs = started.elapsed().as_secs_f64();
    assert!(ids == urls, "pages out of order or missing");
    urls.len() as f64 / secs
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let arg = |i: usize, default: u64| -> u64 {
        args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default)
    };
    let (rounds, n, latency) = (arg(0, 3).max(1), arg(1, 200).max(1), arg(2, 20));
    let html = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/html/harbour-talks.html"),
    )
    .expect("example page");
    let base = serve(html.clone(), Duration::from_millis(latency));
    let urls: Vec<String> = (0..n).map(|i| format!("{base}/news/{i}")).collect();
    let list = urls.join("\n");
    let parallel = FetchOptions {
        per_host: 16,
        ..FetchOptions::default()
    };
    let sequential = FetchOptions {
        concurrency: 1,
        per_host: 1,
        ..FetchOptions::default()
    };
    println!("fetch benchmark: {rounds} round(s), {n} URLs, {latency} ms latency");
    let (mut seq, mut par) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        seq.push(fetch_round(&list, &urls, &sequential));
        par.push(fetch_round(&list, &urls, &parallel));
    }
    let (seq, par) = (median(seq), median(par));
    println!("  one at a time (baseline): {seq:8.1} URLs/s");
    println!(
        "  16 in flight:             {par:8.1} URLs/s  ({:.1}x the baseline)",
        par / seq
    );

    let kb = kglink::kb::Kb::bundled().expect("bundled KB");
    let annotator = kglink::annotate::Annotator::new(kb);
    let page = kglink::ingest::html::extract(&html, None).expect("example page extracts");
    let heavy = heavy_page(&html);
    let heavy_page = kglink::ingest::html::extract(&heavy, None).expect("heavy page extracts");
    assert_eq!(
        heavy_page.text, page.text,
        "the heavy page's article differs"
    );
    let reps = 100;
    let time = |f: &dyn Fn()| {
        let t = Instant::now();
        for _ in 0..reps {
            f();
        }
        t.elapsed().as_secs_f64() / reps as f64 * 1e6
    };
    let (mut small, mut big, mut annotate) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        small.push(time(&|| {
            std::hint::black_box(
                kglink::ingest::html::extract(std::hint::black_box(&html), None).ok(),
            );
        }));
        big.push(time(&|| {
            std::hint::black_box(
                kglink::ingest::html::extract(std::hint::black_box(&heavy), None).ok(),
            );
        }));
        annotate.push(time(&|| {
            std::hint::black_box(annotator.links(std::hint::black_box(&page.text), None));
        }));
    }
    let (small, big, annotate) = (median(small), median(big), median(annotate));
    println!(
        "extract benchmark: {} byte text from a {} byte page and a {} byte page, {reps} repetitions a round",
        page.text.len(),
        html.len(),
        heavy.len()
    );
    println!("  annotating the text (baseline): {annotate:8.1} µs");
    println!(
        "  html::extract, example page:    {small:8.1} µs  ({:.2}x the baseline)",
        small / annotate
    );
    println!(
        "  html::extract, heavy page:      {big:8.1} µs  ({:.2}x the baseline)",
        big / annotate
    );
}

/// The example page's article inside navigation, teasers and script.
fn heavy_page(html: &str) -> String {
    let nav: String = (0..300)
        .map(|i| format!("<li><a href=\"/section/{i}\">Section {i}</a></li>"))
        .collect();
    let teasers: String = (0..60)
        .map(|i| {
            format!(
                "<div class=\"teaser\"><a href=\"/story/{i}\"><img src=\"/img/{i}.jpg\" alt=\"\">\
                 <h3>Another headline number {i}</h3></a><p class=\"meta\">{i} minutes ago</p></div>"
            )
        })
        .collect();
    let script = format!("<script>var data = \"{}\";</script>", "x".repeat(60_000));
    html.replacen(
        "<body>",
        &format!("<body>{script}<header><nav class=\"menu\"><ul>{nav}</ul></nav></header>"),
        1,
    )
    .replacen(
        "</main>",
        &format!("</main><aside class=\"related\">{teasers}</aside>"),
        1,
    )
}
