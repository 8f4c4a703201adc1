//! The web page: `/` (annotate text, run SPARQL with the saved queries) and
//! `/entity/Q…` (mentions, articles over time, co-mention network). HTML, CSS
//! and JavaScript are embedded in the binary; no external resources.

use super::AppState;
use crate::query::saved_queries;
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::Router;

const INDEX: &str = include_str!("assets/index.html");
const ENTITY: &str = include_str!("assets/entity.html");
const STYLE: &str = include_str!("assets/style.css");
const SCRIPT: &str = include_str!("assets/app.js");

/// Routes of the page.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Html(INDEX) }))
        .route("/entity/{*id}", get(|| async { Html(ENTITY) }))
        .route(
            "/assets/style.css",
            get(|| async { ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE) }),
        )
        .route(
            "/assets/app.js",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
                    SCRIPT,
                )
            }),
        )
        .route("/queries.json", get(queries_json))
}

/// The saved queries, `[{"name", "summary", "text"}]`, for the editor.
async fn queries_json() -> impl IntoResponse {
    let list: Vec<serde_json::Value> = saved_queries()
        .map(|q| serde_json::json!({"name": q.name, "summary": q.summary(), "text": q.text}))
        .collect();
    (
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::Value::Array(list).to_string(),
    )
}
