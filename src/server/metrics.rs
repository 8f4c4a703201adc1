//! `/metrics` in the Prometheus text exposition format (version 0.0.4):
//! request counts by route and status, request durations as a histogram,
//! requests in flight, and the limits that fired.

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// Upper bounds (seconds) of the duration histogram buckets.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0, 30.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// Counters shared by all requests.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    durations: Mutex<BTreeMap<String, Histogram>>,
    in_flight: AtomicU64,
    busy: AtomicU64,
    timeouts: AtomicU64,
    truncated: AtomicU64,
    refused_remote: AtomicU64,
    memory_cancelled: AtomicU64,
}

impl Metrics {
    /// A request refused by the concurrency limit.
    pub fn busy(&self) {
        self.busy.fetch_add(1, Ordering::Relaxed);
    }

    /// A query cancelled by its deadline.
    pub fn timeout(&self) {
        self.timeouts.fetch_add(1, Ordering::Relaxed);
    }

    /// A result cut at the row cap.
    pub fn truncated(&self) {
        self.truncated.fetch_add(1, Ordering::Relaxed);
    }

    /// A request cancelled because the heap passed the memory cap.
    pub fn memory_cancelled(&self) {
        self.memory_cancelled.fetch_add(1, Ordering::Relaxed);
    }

    /// A SERVICE or LOAD to a host that is not allow-listed.
    pub fn refused_remote(&self) {
        self.refused_remote.fetch_add(1, Ordering::Relaxed);
    }

    fn record(&self, route: &str, method: &str, status: u16, secs: f64) {
        if let Ok(mut m) = self.requests.lock() {
            *m.entry((route.to_string(), method.to_string(), status))
                .or_default() += 1;
        }
        if let Ok(mut d) = self.durations.lock() {
            let h = d.entry(route.to_string()).or_default();
            for (i, b) in BUCKETS.iter().enumerate() {
                if secs <= *b {
                    h.counts[i] += 1;
                }
            }
            h.count += 1;
            h.sum += secs;
        }
    }

    /// The exposition text.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let esc = |v: &str| v.replace('\\', "\\\\").replace('"', "\\\"");
        s.push_str("# HELP kglink_http_requests_total HTTP requests answered, by route, method and status.\n# TYPE kglink_http_requests_total counter\n");
        if let Ok(m) = self.requests.lock() {
            for ((route, method, status), n) in m.iter() {
                let _ = writeln!(
                    s,
                    "kglink_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{status}\"}} {n}",
                    esc(route),
                    esc(method)
                );
            }
        }
        s.push_str("# HELP kglink_http_request_duration_seconds Time to answer a request, by route.\n# TYPE kglink_http_request_duration_seconds histogram\n");
        if let Ok(d) = self.durations.lock() {
            for (route, h) in d.iter() {
                let r = esc(route);
                for (i, b) in BUCKETS.iter().enumerate() {
                    let _ = writeln!(
                        s,
                        "kglink_http_request_duration_seconds_bucket{{route=\"{r}\",le=\"{b}\"}} {}",
                        h.counts[i]
                    );
                }
                let _ = writeln!(
                    s,
                    "kglink_http_request_duration_seconds_bucket{{route=\"{r}\",le=\"+Inf\"}} {}\nkglink_http_request_duration_seconds_sum{{route=\"{r}\"}} {}\nkglink_http_request_duration_seconds_count{{route=\"{r}\"}} {}",
                    h.count, h.sum, h.count
                );
            }
        }
        let gauges = [
            (
                "kglink_http_requests_in_flight",
                "gauge",
                "Requests being answered now.",
                &self.in_flight,
            ),
            (
                "kglink_rejected_busy_total",
                "counter",
                "Requests refused with 503 by the concurrency limit.",
                &self.busy,
            ),
            (
                "kglink_query_timeouts_total",
                "counter",
                "Queries cancelled by the query timeout.",
                &self.timeouts,
            ),
            (
                "kglink_results_truncated_total",
                "counter",
                "Results cut at the row cap.",
                &self.truncated,
            ),
            (
                "kglink_remote_refused_total",
                "counter",
                "SERVICE or LOAD calls refused (host not allow-listed).",
                &self.refused_remote,
            ),
            (
                "kglink_memory_cancelled_total",
                "counter",
                "Requests cancelled because the heap passed --max-memory-mb.",
                &self.memory_cancelled,
            ),
        ];
        for (name, kind, help, v) in gauges {
            let _ = writeln!(
                s,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {}",
                v.load(Ordering::Relaxed)
            );
        }
        if crate::guard::memory::installed() {
            let parked = crate::guard::memory::parked();
            let _ = writeln!(
                s,
                "# HELP kglink_heap_bytes Bytes live on the heap.\n# TYPE kglink_heap_bytes gauge\nkglink_heap_bytes {}\n# HELP kglink_parked_threads Worker threads stopped for good because their work passed the memory cap and could not be cancelled.\n# TYPE kglink_parked_threads gauge\nkglink_parked_threads {}\n# HELP kglink_parked_bytes Heap bytes held by parked threads, lost until restart.\n# TYPE kglink_parked_bytes gauge\nkglink_parked_bytes {}",
                crate::guard::memory::live(),
                parked.0,
                parked.1
            );
        }
        s
    }
}

/// Middleware that counts every request.
pub async fn track(
    State(metrics): State<std::sync::Arc<Metrics>>,
    req: Request,
    next: Next,
) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let method = req.method().as_str().to_string();
    let started = Instant::now();
    metrics.in_flight.fetch_add(1, Ordering::Relaxed);
    let resp = next.run(req).await;
    metrics.in_flight.fetch_sub(1, Ordering::Relaxed);
    metrics.record(
        &route,
        &method,
        resp.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    resp
}
