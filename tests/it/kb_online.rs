//! `annotate --online` against a local server on 127.0.0.1 that replays the
//! recorded `wbgetentities` answer of `../shared/reference/wikidata-samples/` and
//! a `wbsearchentities` answer of the same shape as Wikidata's.

use crate::{kglink, shared, stderr, stdout};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

/// What the server saw: (request line, User-Agent).
type Seen = Arc<Mutex<Vec<(String, String)>>>;

/// Serves until the test process ends: the first request gets a 503 (to
/// exercise the retry), then search and entity answers.
fn serve(entities: String) -> (String, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let seen: Seen = Arc::default();
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            if reader.read_line(&mut request).is_err() {
                continue;
            }
            let mut agent = String::new();
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
                    break;
                }
                if let Some(v) = h.to_ascii_lowercase().strip_prefix("user-agent:") {
                    agent = v.trim().to_string();
                }
            }
            let first = {
                let mut l = log.lock().unwrap();
                l.push((request.clone(), agent));
                l.len() == 1
            };
            let (status, body) = if first {
                ("503 Service Unavailable", "{}".to_string())
            } else if request.contains("action=wbsearchentities") {
                let hits = if request.contains("search=Lyon") {
                    r#"[{"id":"Q456","title":"Q456","label":"Lyon","description":"city in France","match":{"type":"label","language":"en","text":"Lyon"}}]"#
                } else {
                    "[]"
                };
                (
                    "200 OK",
                    format!(r#"{{"searchinfo":{{"search":"x"}},"search":{hits},"success":1}}"#),
                )
            } else if request.contains("action=wbgetentities") {
                ("200 OK", entities.clone())
            } else {
                ("400 Bad Request", "{}".to_string())
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nRetry-After: 0\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (format!("http://{addr}/w/api.php"), seen)
}

#[test]
fn online_lookup_fills_the_overlay_then_links_offline() {
    let Some(s) = shared("reference/wikidata-samples") else {
        return;
    };
    let entities = std::fs::read_to_string(s.join("wbgetentities_response.json")).unwrap();
    let (endpoint, seen) = serve(entities);
    let dir = tempfile::tempdir().unwrap();
    let kb = dir.path().join("kb");
    let o = kglink(
        &[
            "kb",
            "build",
            "--from",
            s.join("sample_wikidata_items.json.bz2").to_str().unwrap(),
            "--out",
            kb.to_str().unwrap(),
        ],
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = b"Thousands of people marched through Lyon on Saturday, the police said.";
    let annotate = |extra: &[&str]| {
        let mut a = vec!["annotate", "--kb", kb.to_str().unwrap()];
        a.extend_from_slice(extra);
        a.push("-");
        let o = kglink(&a, Some(text));
        assert!(o.status.success(), "{}", stderr(&o));
        stdout(&o)
    };
    // offline: Lyon is not in this KB
    assert!(!annotate(&[]).contains("Q456"));
    assert!(
        seen.lock().unwrap().is_empty(),
        "nothing online without --online"
    );
    // online: searched, fetched, linked, cached
    let out = annotate(&[
        "--online",
        "--online-endpoint",
        &endpoint,
        "--online-interval-ms",
        "10",
    ]);
    assert!(out.contains("\"Q456\""), "{out}");
    {
        let seen = seen.lock().unwrap();
        assert!(seen.len() >= 3, "{seen:?}");
        assert!(seen[0].0.contains("wbsearchentities"));
        assert_eq!(seen[0].0, seen[1].0, "the 503 is retried");
        assert!(seen
            .iter()
            .any(|(r, _)| r.contains("action=wbgetentities") && r.contains("ids=Q456")));
        assert!(
            seen.iter().all(|(_, ua)| ua.starts_with("kglink/")),
            "{seen:?}"
        );
    }
    let m = kglink::kb::build::read_manifest(&kb).unwrap();
    assert_eq!(m.version, 2);
    assert!(m.updates[0].source.starts_with("online: "));
    assert_eq!(m.updates[0].added, 1);
    // offline again: linked from the overlay without a request
    let before = seen.lock().unwrap().len();
    assert!(annotate(&[]).contains("\"Q456\""));
    assert_eq!(seen.lock().unwrap().len(), before);
    // --online without --kb is refused
    let o = kglink(&["annotate", "--online", "-"], Some(text));
    assert!(!o.status.success());
}
