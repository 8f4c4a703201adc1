//! `POST /annotate` (plain text, or JSON `{"text", "date"?}`; answered with
//! the JSON of `kglink annotate`: `{"entities": [...]}`, offsets in Unicode
//! scalar values) and `POST /ingest` (with the token: an article as JSON
//! `{"id"?, "title"?, "text", "date"?, "url"?}` → its named graph, answered
//! with `{"iri", "outcome", "mentions"}`).

use super::limits::run_blocking;
use super::response::{body, ApiError};
use super::sparql::{content_type, form_pairs, utf8_body};
use super::{auth, AppState};
use crate::annotate::to_entities;
use crate::store::PutOutcome;
use crate::{ingest::input, rdf};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

#[derive(Deserialize)]
struct TextRequest {
    text: String,
    #[serde(default)]
    date: Option<String>,
}

/// The text and date of an annotation request.
pub fn text_and_date(
    headers: &HeaderMap,
    uri: &Uri,
    bytes: &[u8],
) -> Result<(String, Option<String>), ApiError> {
    let date = form_pairs(uri.query().unwrap_or("").as_bytes())
        .into_iter()
        .find(|(k, _)| k == "date")
        .map(|(_, v)| v);
    let (media, charset) =
        content_type(headers).unwrap_or_else(|| ("text/plain".to_string(), None));
    let text = utf8_body(bytes, charset.as_deref())?;
    match media.as_str() {
        "application/json" => {
            let r: TextRequest = serde_json::from_str(&text).map_err(|e| {
                ApiError::bad_request(format!(
                    "JSON body at line {} column {}: {e} (expected {{\"text\": ..., \"date\"?: \"YYYY-MM-DD\"}})",
                    e.line(),
                    e.column()
                ))
            })?;
            Ok((r.text, r.date.or(date)))
        }
        "text/plain" => Ok((text, date)),
        other => Err(ApiError::unsupported_media_type(format!(
            "Content-Type {other}: send text/plain or application/json"
        ))),
    }
}

/// `POST /annotate`.
pub async fn annotate(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    bytes: Result<Bytes, BytesRejection>,
) -> Response {
    let bytes = match bytes {
        Ok(b) => b,
        Err(e) => return ApiError::new(e.status(), e.body_text()).into_response(),
    };
    let (text, date) = match text_and_date(&headers, &uri, &bytes) {
        Ok(t) => t,
        Err(e) => return e.into_response(),
    };
    let annotator = state.annotator.clone();
    let r = run_blocking(&state, Some(state.config.query_timeout), move |_| {
        let a = annotator.annotate(&text, date.as_deref());
        serde_json::to_vec(&a).map_err(|e| ApiError::internal(e.to_string()))
    })
    .await;
    match r {
        Ok(b) => body("application/json", b),
        Err(e) => e.into_response(),
    }
}

/// `POST /ingest`.
pub async fn ingest(
    State(state): State<AppState>,
    headers: HeaderMap,
    bytes: Result<Bytes, BytesRejection>,
) -> Response {
    if let Err(e) = auth::require_writer(&state, &headers) {
        return e.into_response();
    }
    let bytes = match bytes {
        Ok(b) => b,
        Err(e) => return ApiError::new(e.status(), e.body_text()).into_response(),
    };
    let r = (|| {
        let (media, charset) = content_type(&headers)
            .ok_or_else(|| ApiError::unsupported_media_type("send application/json"))?;
        if media != "application/json" {
            return Err(ApiError::unsupported_media_type(format!(
                "Content-Type {media}: send an article as application/json"
            )));
        }
        let text = utf8_body(&bytes, charset.as_deref())?;
        input::parse_record(text.trim()).map_err(ApiError::bad_request)
    })();
    let article = match r {
        Ok(a) => a,
        Err(e) => return e.into_response(),
    };
    let annotator = state.annotator.clone();
    let store = state.store.clone();
    let guard = state.cache.writing();
    let r = run_blocking(&state, Some(state.config.query_timeout), move |work| {
        let _writing = &guard;
        let annotated = annotator.article(&article);
        let (links, quads) = (annotated.links, annotated.quads);
        let iri = rdf::article_iri(&article.id);
        let outcome = work.commit(|| {
            store
                .put_article(&iri, &rdf::content_hash(&article.text), &quads)
                .map_err(|e| ApiError::internal(e.to_string()))
        })?;
        let outcome = match outcome {
            PutOutcome::New => "new",
            PutOutcome::Replaced => "replaced",
            PutOutcome::Unchanged => "unchanged",
        };
        let v = serde_json::json!({
            "iri": iri,
            "id": article.id,
            "outcome": outcome,
            "mentions": links.len(),
            "entities": to_entities(&article.text, &links),
        });
        Ok((outcome, serde_json::to_vec(&v).unwrap_or_default()))
    })
    .await;
    match r {
        Ok((outcome, b)) => {
            let mut resp = body("application/json", b);
            if outcome == "new" {
                *resp.status_mut() = StatusCode::CREATED;
            }
            resp
        }
        Err(e) => e.into_response(),
    }
}
