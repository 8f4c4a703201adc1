//! The requests being answered, so a shutdown that cuts some can name them.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Requests in flight: method, path and start.
#[derive(Debug, Default)]
pub struct InFlight {
    next: AtomicU64,
    running: Mutex<HashMap<u64, (String, Instant)>>,
}

/// Removes its request from the registry when the request ends (answered,
/// or dropped because the client went away).
struct Entry(Arc<InFlight>, u64);

impl Drop for Entry {
    fn drop(&mut self) {
        if let Ok(mut m) = self.0.running.lock() {
            m.remove(&self.1);
        }
    }
}

impl InFlight {
    fn enter(self: &Arc<Self>, what: String) -> Entry {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut m) = self.running.lock() {
            m.insert(id, (what, Instant::now()));
        }
        Entry(self.clone(), id)
    }

    /// The requests running now, oldest first: `METHOD /path (N.N s)`.
    pub fn describe(&self) -> Vec<String> {
        let Ok(m) = self.running.lock() else {
            return Vec::new();
        };
        let mut v: Vec<_> = m.values().collect();
        v.sort_by_key(|(_, started)| *started);
        v.iter()
            .map(|(what, started)| format!("{what} ({:.1} s)", started.elapsed().as_secs_f64()))
            .collect()
    }
}

/// Middleware: registers each request while it runs.
pub async fn track(State(reg): State<Arc<InFlight>>, req: Request, next: Next) -> Response {
    let entry = reg.enter(format!("{} {}", req.method(), req.uri().path()));
    let r = next.run(req).await;
    drop(entry);
    r
}
