//! Accepting connections: at most `--max-connections` at once (more are
//! closed as soon as they are accepted), a request head must arrive within
//! `--header-timeout` or the connection is closed (slow clients cannot hold
//! connections), and on shutdown the listener stops accepting, requests in
//! flight get `--shutdown-grace` to finish, and whatever is still running
//! then is cut and named.

use super::inflight::InFlight;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// How connections are accepted and closed.
#[derive(Debug, Clone, Copy)]
pub struct ListenConfig {
    /// Connections served at once.
    pub max_connections: usize,
    /// Time a client has to send a request head.
    pub header_timeout: Duration,
    /// Time requests in flight get to finish after the shutdown signal.
    pub shutdown_grace: Duration,
}

/// How the server stopped.
#[derive(Debug, Default)]
pub struct Stopped {
    /// Requests still running when the grace period ended
    /// (`METHOD /path (N.N s)`), cut by the shutdown.
    pub cut: Vec<String>,
}

/// Serves `app` on `listener` until `shutdown` resolves, then drains as
/// described in the module docs.
pub async fn serve(
    listener: TcpListener,
    app: axum::Router,
    config: ListenConfig,
    in_flight: Arc<InFlight>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<Stopped> {
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(config.max_connections.max(1)));
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = &mut shutdown => break,
        };
        let (stream, _peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                // out of file descriptors and the like: wait, do not spin
                eprintln!("kglink serve: accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            // over the connection cap: close at once
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(app.clone());
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(config.header_timeout)
            .keep_alive(true);
        let conn = builder.serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            let _ = conn.await;
            drop(slot);
        });
    }
    drop(listener);
    let drained = tokio::time::timeout(config.shutdown_grace, graceful.shutdown())
        .await
        .is_ok();
    let cut = if drained {
        Vec::new()
    } else {
        in_flight.describe()
    };
    Ok(Stopped { cut })
}
