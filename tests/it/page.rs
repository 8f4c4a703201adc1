//! The web page in headless Chromium, driven through ChromeDriver's WebDriver
//! HTTP API: annotate a text and read the highlighted links, run a saved query
//! and read the results table, open an entity page and read its timeline,
//! network and mentions; screenshots go to the target directory. Skips with a
//! message when `chromium` or `chromedriver` is missing.

use crate::http::{self, Resp};
use kglink::annotate::Annotator;
use kglink::kb::Kb;
use kglink::model::Article;
use kglink::server::{Running, ServerConfig};
use kglink::store::Store;
use serde_json::{json, Value};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

fn find_tool(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for n in names {
            let p = dir.join(n);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// ChromeDriver with one browser session; both end on drop.
struct Browser {
    driver: Child,
    base: String,
    session: String,
    _profile: tempfile::TempDir,
}

impl Browser {
    fn start(chromium: &Path, chromedriver: &Path) -> Browser {
        let port = free_port();
        let driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        while http::send(
            &http::agent(Duration::from_secs(2)),
            "GET",
            &format!("{base}/status"),
            &[],
            None,
        )
        .map(|r| r.status != 200)
        .unwrap_or(true)
        {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = tempfile::tempdir().unwrap();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium.display().to_string(),
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                         "--no-first-run", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync",
                         "--disable-dev-shm-usage", "--window-size=1200,1600",
                         format!("--user-data-dir={}", profile.path().display())]
            }
        }}});
        let mut b = Browser {
            driver,
            base,
            session: String::new(),
            _profile: profile,
        };
        let v = b.call("POST", "/session", Some(caps));
        b.session = v["sessionId"].as_str().expect("session id").to_string();
        b
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = if path == "/session" {
            format!("{}{path}", self.base)
        } else {
            format!("{}/session/{}{path}", self.base, self.session)
        };
        let bytes = body.map(|b| b.to_string().into_bytes());
        let r: Resp = http::send(
            &http::agent(Duration::from_secs(60)),
            method,
            &url,
            &[("content-type", "application/json")],
            bytes.as_deref(),
        )
        .unwrap();
        let v: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
        assert_eq!(r.status, 200, "WebDriver {method} {path}: {v}");
        v["value"].clone()
    }

    fn goto(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": url })));
    }

    fn element(&self, css: &str) -> String {
        let v = self.call(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        );
        v[ELEMENT].as_str().unwrap().to_string()
    }

    fn type_into(&self, css: &str, text: &str) {
        let e = self.element(css);
        self.call(
            "POST",
            &format!("/element/{e}/value"),
            Some(json!({ "text": text })),
        );
    }

    fn click(&self, css: &str) {
        let e = self.element(css);
        self.call("POST", &format!("/element/{e}/click"), Some(json!({})));
    }

    fn script(&self, js: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": js, "args": []})),
        )
    }

    /// Runs `js` until it returns something truthy.
    fn wait_for(&self, js: &str, what: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let v = self.script(js);
            let truthy = match &v {
                Value::Null | Value::Bool(false) => false,
                Value::Number(n) => n.as_f64() != Some(0.0),
                Value::String(s) => !s.is_empty(),
                Value::Array(a) => !a.is_empty(),
                _ => true,
            };
            if truthy {
                return v;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn screenshot(&self, path: &Path) {
        let v = self.call("GET", "/screenshot", None);
        let png = base64_decode(v.as_str().unwrap());
        assert!(png.starts_with(b"\x89PNG"), "not a PNG");
        std::fs::write(path, png).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = http::send(
                &http::agent(Duration::from_secs(10)),
                "DELETE",
                &format!("{}/session/{}", self.base, self.session),
                &[],
                None,
            );
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes().filter_map(val) {
        acc = (acc << 6) | c;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

/// Stores a few short articles (written for this test) about Merkel and Macron.
fn ingest(store: &Store, kb: &Kb) {
    let texts = [
        ("p-1", "2019-03-01", "Angela Merkel met Emmanuel Macron in Berlin. Merkel said Germany and France would work together."),
        ("p-2", "2019-03-04", "Angela Merkel spoke with Emmanuel Macron about the European Union budget."),
        ("p-3", "2019-03-04", "Angela Merkel visited Japan, where she met Shinzo Abe in Tokyo."),
        ("p-4", "2019-03-09", "Emmanuel Macron travelled to Germany to meet Angela Merkel and Olaf Scholz."),
        ("p-5", "2019-06-29", "At the summit in Osaka, Angela Merkel spoke with Donald Trump, Xi Jinping, Vladimir Putin, Narendra Modi, Justin Trudeau, Theresa May, Giuseppe Conte, Mark Rutte, Pedro Sánchez, Jair Bolsonaro, Recep Tayyip Erdoğan, Moon Jae-in and Scott Morrison. Angela Merkel said the International Monetary Fund, the World Bank, the United Nations and the World Trade Organization backed the plan for Italy, Spain, Poland, Greece and Portugal. Merkel and Macron met again later."),
    ];
    let annotator = Annotator::new(kb);
    for (id, date, text) in texts {
        let a = Article {
            id: id.into(),
            title: Some(format!("Story {id}")),
            text: text.into(),
            date: Some(date.into()),
            url: None,
            source: None,
        };
        let quads = annotator.article(&a).quads;
        store
            .put_article(
                &kglink::rdf::article_iri(id),
                &kglink::rdf::content_hash(text),
                &quads,
            )
            .unwrap();
    }
}

#[test]
fn page_in_headless_chromium() {
    let Some(chromium) = find_tool(&["chromium", "chromium-browser"]) else {
        eprintln!("skipped: chromium is not installed (scripts/test-tools.sh installs it)");
        return;
    };
    let Some(chromedriver) = find_tool(&["chromedriver"]) else {
        eprintln!("skipped: chromedriver is not installed (scripts/test-tools.sh installs chromium-driver)");
        return;
    };
    let kb = Kb::bundled().unwrap();
    let store = Arc::new(Store::memory().unwrap());
    store.put_kb(kb).unwrap();
    ingest(&store, kb);
    let server = Running::start(
        "127.0.0.1:0".parse().unwrap(),
        store,
        kb,
        ServerConfig::default(),
    )
    .unwrap();
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let b = Browser::start(&chromium, &chromedriver);

    // annotate: type, click, read the highlighted links
    b.goto(&format!("{}/", server.url()));
    b.type_into(
        "#text",
        "Angela Merkel flew to Paris to meet Emmanuel Macron.",
    );
    b.click("#annotate-btn");
    let links = b.wait_for(
        "return Array.from(document.querySelectorAll('#highlighted a.ent')).map(a => [a.childNodes[0].textContent, a.dataset.id, a.getAttribute('href')]);",
        "highlighted entities",
    );
    let links: Vec<Vec<String>> = serde_json::from_value(links).unwrap();
    assert!(
        links.contains(&vec![
            "Angela Merkel".into(),
            "Q567".into(),
            "/entity/Q567".into()
        ]),
        "{links:?}"
    );
    assert!(
        links
            .iter()
            .any(|l| l[0] == "Emmanuel Macron" && l[1] == "Q3052772"),
        "{links:?}"
    );
    let status = b.script("return document.getElementById('annotate-status').textContent;");
    assert!(status.as_str().unwrap().contains("entities"), "{status}");

    // SPARQL: pick a saved query, run it, read the table
    b.wait_for(
        "return document.querySelectorAll('#saved option').length > 1;",
        "saved queries",
    );
    b.script("const s = document.getElementById('saved'); s.value = 'top-people'; s.dispatchEvent(new Event('change')); return true;");
    let text = b.script("return document.getElementById('query').value;");
    assert_eq!(
        text.as_str().unwrap(),
        kglink::query::saved_query("top-people").unwrap().text
    );
    b.click("#run-btn");
    let table = b.wait_for(
        "const rows = Array.from(document.querySelectorAll('#results tr')); return rows.length > 1 ? rows.map(r => r.innerText) : null;",
        "query results",
    );
    let table = serde_json::to_string(&table).unwrap();
    assert!(table.contains("Angela Merkel"), "{table}");
    let status = b.script("return document.getElementById('query-status').textContent;");
    assert!(status.as_str().unwrap().contains("rows"), "{status}");
    b.screenshot(&shots.join("page-index.png"));

    // entity page: timeline bars, network nodes, mentions
    b.goto(&format!("{}/entity/Q567", server.url()));
    b.wait_for(
        "return document.body.dataset.loaded === 'true';",
        "entity page",
    );
    let title = b.script("return document.getElementById('entity-title').textContent;");
    assert_eq!(title.as_str().unwrap(), "Angela Merkel (Q567)");
    let bars = b.script("return document.querySelectorAll('#timeline rect.bar').length;");
    assert_eq!(bars.as_u64(), Some(4), "four dates mention Merkel");
    // a network of more than 15 nodes keeps every label readable: no two
    // label boxes overlap, and each lies inside the drawing
    let labels = b.script(
        "const svg = document.getElementById('network'); const vb = svg.viewBox.baseVal; \
         return { nodes: svg.querySelectorAll('circle').length, \
                  vb: [vb.x, vb.y, vb.width, vb.height], \
                  boxes: Array.from(svg.querySelectorAll('.labels text')).map(t => { const b = t.getBBox(); return [b.x, b.y, b.width, b.height, t.textContent]; }) };",
    );
    let nodes = labels["nodes"].as_u64().unwrap();
    assert!(nodes > 15, "{nodes} nodes: the test needs a large network");
    let vb: Vec<f64> = serde_json::from_value(labels["vb"].clone()).unwrap();
    let boxes: Vec<(f64, f64, f64, f64, String)> =
        serde_json::from_value(labels["boxes"].clone()).unwrap();
    assert_eq!(boxes.len() as u64, nodes, "a label per node");
    for (i, p) in boxes.iter().enumerate() {
        assert!(
            p.0 >= vb[0]
                && p.1 >= vb[1]
                && p.0 + p.2 <= vb[0] + vb[2]
                && p.1 + p.3 <= vb[1] + vb[3],
            "{p:?} outside {vb:?}"
        );
        for q in &boxes[i + 1..] {
            let apart =
                p.0 + p.2 <= q.0 || q.0 + q.2 <= p.0 || p.1 + p.3 <= q.1 || q.1 + q.3 <= p.1;
            assert!(apart, "labels overlap: {p:?} and {q:?}");
        }
    }
    let nodes = b.script(
        "return Array.from(document.querySelectorAll('#network circle')).map(c => c.dataset.iri);",
    );
    let nodes: Vec<String> = serde_json::from_value(nodes).unwrap();
    assert!(
        nodes.contains(&"http://www.wikidata.org/entity/Q3052772".to_string()),
        "{nodes:?}"
    );
    let articles = b.script("return document.querySelectorAll('#articles tr').length;");
    assert_eq!(articles.as_u64(), Some(6), "a header and five articles");
    let surfaces = b.script("return document.getElementById('surfaces').innerText;");
    assert!(surfaces.as_str().unwrap().contains("Merkel"), "{surfaces}");
    b.screenshot(&shots.join("page-entity.png"));
    eprintln!("screenshots: {}", shots.display());
}
