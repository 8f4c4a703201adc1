//! Limits on the work of one request: it runs on the blocking pool (whose
//! threads have a stack large enough for any query within the nesting
//! limits) under a concurrency cap (503 with `Retry-After` when full), and
//! with a deadline that cancels it through Oxigraph's
//! [`CancellationToken`].
//!
//! Writes pass through a [`Work::commit`] gate: once the deadline has passed
//! a write may no longer commit, and once it has begun to commit the
//! deadline waits for it. So a write answered 503 has left the store as it
//! was, and a write that committed is never answered 503.

use super::response::ApiError;
use super::AppState;
use crate::guard::memory::Budget;
use axum::http::StatusCode;
use oxigraph::sparql::CancellationToken;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Cancels the token when dropped: a request whose client went away, or that
/// timed out, stops its evaluation.
struct CancelOnDrop(CancellationToken);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

const RUNNING: u8 = 0;
const COMMITTING: u8 = 1;
const TIMED_OUT: u8 = 2;

/// What the work of one request sees: its cancellation token and its commit
/// gate.
#[derive(Clone)]
pub struct Work {
    /// Cancelled when the deadline passes or the client goes away.
    pub token: CancellationToken,
    state: Arc<AtomicU8>,
}

impl Work {
    /// True once the request has been cancelled.
    pub fn cancelled(&self) -> bool {
        self.token.is_cancelled() || self.state.load(Ordering::Acquire) == TIMED_OUT
    }

    /// Runs `commit` (the step that changes the store) unless the deadline
    /// has passed, in which case nothing is written and the answer is 503.
    pub fn commit<T>(&self, commit: impl FnOnce() -> Result<T, ApiError>) -> Result<T, ApiError> {
        if self.token.is_cancelled()
            || self
                .state
                .compare_exchange(RUNNING, COMMITTING, Ordering::AcqRel, Ordering::Acquire)
                .is_err()
        {
            return Err(timed_out_write());
        }
        commit()
    }
}

/// 503: stopped work holds more memory than the cap; restart the server.
pub fn degraded_error() -> ApiError {
    let (threads, bytes) = crate::guard::memory::parked();
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        format!(
            "degraded: {threads} request(s) that could not be cancelled were stopped and hold {} MiB until the server restarts; restart it",
            bytes >> 20
        ),
    )
}

fn timed_out_write() -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "the request timed out before its write was committed; the store is unchanged (see --query-timeout)",
    )
}

/// Runs `work` on the blocking pool while holding one of the server's
/// concurrency permits. With a `deadline`, the work is cancelled when it
/// passes and the request fails with 503 (never a truncated 200), unless it
/// is committing a write, which is then waited for.
pub async fn run_blocking<T, F>(
    state: &AppState,
    deadline: Option<Duration>,
    work: F,
) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(Work) -> Result<T, ApiError> + Send + 'static,
{
    if crate::guard::memory::degraded() {
        return Err(degraded_error());
    }
    let permit = match state.permits.clone().try_acquire_owned() {
        Ok(p) => p,
        Err(_) => {
            state.metrics.busy();
            return Err(ApiError::busy(1));
        }
    };
    let token = CancellationToken::new();
    let guard = CancelOnDrop(token.clone());
    let w = Work {
        token,
        state: Arc::new(AtomicU8::new(RUNNING)),
    };
    let gate = w.state.clone();
    let budget = Budget::new(w.token.clone());
    let charged = budget.clone();
    let mut handle = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let _entered = Budget::enter(&charged);
        work(w)
    });
    let joined = match deadline {
        None => (&mut handle).await,
        Some(d) => match tokio::time::timeout(d, &mut handle).await {
            Ok(r) => r,
            Err(_) => {
                let timed_out = gate
                    .compare_exchange(RUNNING, TIMED_OUT, Ordering::AcqRel, Ordering::Acquire)
                    .is_ok();
                if timed_out {
                    drop(guard);
                    if budget.exceeded() {
                        state.metrics.memory_cancelled();
                        return Err(memory_error());
                    }
                    state.metrics.timeout();
                    return Err(ApiError::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        format!(
                            "timed out after {} s and was cancelled (see --query-timeout)",
                            d.as_secs_f64()
                        ),
                    ));
                }
                // the work is committing a write: its answer is the truth
                handle.await
            }
        },
    };
    drop(guard);
    let result = joined.map_err(|e| ApiError::internal(format!("worker failed: {e}")))?;
    if result.is_err() && budget.exceeded() {
        state.metrics.memory_cancelled();
        return Err(memory_error());
    }
    result
}

fn memory_error() -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "cancelled: the server's requests passed its memory cap (see --max-memory-mb); nothing was written",
    )
}

/// Maps an evaluation error raised after cancellation to the timeout status.
pub fn evaluation_error(token: &CancellationToken, message: String) -> ApiError {
    if token.is_cancelled() {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "query timed out and was cancelled",
        )
    } else {
        ApiError::internal(message)
    }
}
