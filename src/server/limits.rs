//! Limits: work runs on the blocking pool under a concurrency cap (503 with
//! `Retry-After` when full) and, for queries, a deadline that cancels the
//! evaluation through Oxigraph's [`CancellationToken`].

use super::response::ApiError;
use super::AppState;
use axum::http::StatusCode;
use oxigraph::sparql::CancellationToken;
use std::time::Duration;

/// Cancels the token when dropped: a request whose client went away, or that
/// timed out, stops its evaluation.
struct CancelOnDrop(CancellationToken);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

/// Runs `work` on the blocking pool while holding one of the server's
/// concurrency permits. With a `deadline`, the evaluation is cancelled when it
/// passes and the request fails with 503 (never a truncated 200).
pub async fn run_blocking<T, F>(
    state: &AppState,
    deadline: Option<Duration>,
    work: F,
) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(CancellationToken) -> Result<T, ApiError> + Send + 'static,
{
    let permit = match state.permits.clone().try_acquire_owned() {
        Ok(p) => p,
        Err(_) => {
            state.metrics.busy();
            return Err(ApiError::busy(1));
        }
    };
    let token = CancellationToken::new();
    let guard = CancelOnDrop(token.clone());
    let handle = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        work(token)
    });
    let joined = match deadline {
        None => handle.await,
        Some(d) => match tokio::time::timeout(d, handle).await {
            Ok(r) => r,
            Err(_) => {
                drop(guard);
                state.metrics.timeout();
                return Err(ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!(
                        "query timed out after {} s and was cancelled (see --query-timeout)",
                        d.as_secs_f64()
                    ),
                ));
            }
        },
    };
    drop(guard);
    joined.map_err(|e| ApiError::internal(format!("worker failed: {e}")))?
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
