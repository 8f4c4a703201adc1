//! Request bodies, read before any handler sees them: within
//! `--body-timeout` (408 when the client sends too slowly), within the
//! route's size cap (413), decoded from `Content-Encoding: gzip` or
//! `deflate` with the same cap on the decoded bytes (413; other codings are
//! 415), and within a server-wide budget of body bytes held in memory at
//! once (`--max-buffered-mb`; 503 with `Retry-After` when it is spent), so
//! many large uploads together cannot take the server's memory.

use super::response::ApiError;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use std::io::Read;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The body rules of one route.
#[derive(Clone)]
pub struct BodyRules {
    /// Largest body, before and after decoding.
    pub max_bytes: usize,
    /// Time the whole body has to arrive in.
    pub timeout: Duration,
    /// Bytes of bodies the server holds at once, in KiB permits.
    pub budget: Arc<Semaphore>,
}

/// Permits are KiB of the budget.
fn kib(bytes: usize) -> u32 {
    u32::try_from(bytes.div_ceil(1024)).unwrap_or(u32::MAX)
}

/// Holds budget for the bytes of a body while its request is answered.
struct Held(Vec<OwnedSemaphorePermit>);

impl Held {
    fn take(&mut self, budget: &Arc<Semaphore>, bytes: usize) -> Result<(), ApiError> {
        if bytes == 0 {
            return Ok(());
        }
        match budget.clone().try_acquire_many_owned(kib(bytes)) {
            Ok(p) => {
                self.0.push(p);
                Ok(())
            }
            Err(_) => {
                let mut e = ApiError::busy(1);
                e.message = "the server holds as many request bodies as it may (see --max-buffered-mb); retry later".into();
                Err(e)
            }
        }
    }
}

fn too_large(limit: usize, what: &str) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("the {what} is larger than the {limit}-byte cap of this route (see --max-body and --max-upload)"),
    )
}

/// Middleware: reads, checks and decodes the body, then runs the handler
/// with the bytes (the budget stays held until the answer is ready).
pub async fn read(State(rules): State<BodyRules>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let mut held = Held(Vec::new());
    let read = async {
        let mut body = body;
        let mut buf = Vec::new();
        while let Some(frame) = body.frame().await {
            let frame = frame
                .map_err(|e| ApiError::bad_request(format!("reading the request body: {e}")))?;
            if let Ok(data) = frame.into_data() {
                if buf.len() + data.len() > rules.max_bytes {
                    return Err(too_large(rules.max_bytes, "request body"));
                }
                held.take(&rules.budget, data.len())?;
                buf.extend_from_slice(&data);
            }
        }
        Ok(buf)
    };
    let bytes = match tokio::time::timeout(rules.timeout, read).await {
        Ok(Ok(b)) => b,
        Ok(Err(e)) => return e.into_response(),
        Err(_) => {
            return ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                format!(
                    "the request body did not arrive within {} s (see --body-timeout)",
                    rules.timeout.as_secs_f64()
                ),
            )
            .into_response()
        }
    };
    let coding = parts.headers.get(header::CONTENT_ENCODING).map(|v| {
        String::from_utf8_lossy(v.as_bytes())
            .trim()
            .to_ascii_lowercase()
    });
    let bytes = match coding.as_deref() {
        None | Some("") | Some("identity") => bytes,
        Some(c @ ("gzip" | "x-gzip" | "deflate")) => {
            let decoded = match decode(c, &bytes, rules.max_bytes) {
                Ok(d) => d,
                Err(e) => return e.into_response(),
            };
            if let Err(e) = held.take(&rules.budget, decoded.len()) {
                return e.into_response();
            }
            parts.headers.remove(header::CONTENT_ENCODING);
            parts.headers.remove(header::CONTENT_LENGTH);
            decoded
        }
        Some(other) => {
            return ApiError::unsupported_media_type(format!(
                "Content-Encoding {other} is not supported: send gzip, deflate or identity"
            ))
            .into_response()
        }
    };
    let req = Request::from_parts(parts, Body::from(Bytes::from(bytes)));
    let r = next.run(req).await;
    drop(held);
    r
}

/// Decodes `bytes`, refusing output longer than `max` (read in steps, so a
/// bomb costs at most `max` bytes).
fn decode(coding: &str, bytes: &[u8], max: usize) -> Result<Vec<u8>, ApiError> {
    let reader: Box<dyn Read + '_> = if coding == "deflate" {
        Box::new(flate2::read::ZlibDecoder::new(bytes))
    } else {
        Box::new(flate2::read::MultiGzDecoder::new(bytes))
    };
    let mut out = Vec::new();
    reader
        .take(max as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| ApiError::bad_request(format!("the {coding} body does not decode: {e}")))?;
    if out.len() > max {
        return Err(too_large(max, &format!("decoded {coding} body")));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn decodes_within_the_cap_and_refuses_bombs() {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(&vec![b'a'; 10 << 20]).unwrap();
        let bomb = e.finish().unwrap();
        assert!(bomb.len() < 20_000);
        let err = decode("gzip", &bomb, 1 << 20).unwrap_err();
        assert_eq!(err.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(decode("gzip", &bomb, 10 << 20).unwrap().len(), 10 << 20);
        let err = decode("gzip", b"not gzip", 100).unwrap_err();
        assert_eq!(err.status, StatusCode::BAD_REQUEST);
    }
}
