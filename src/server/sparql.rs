//! The SPARQL 1.1 Protocol at `/sparql`: queries by GET, form POST and direct
//! POST; updates by form or direct POST (with the token); the protocol's
//! `default-graph-uri` / `named-graph-uri` (`using-graph-uri` /
//! `using-named-graph-uri` for updates); the service description on a GET
//! without a query.
//!
//! Without protocol graphs and without FROM in the query, the default graph is
//! the union of all graphs, as in `kglink query`.

use super::limits::{evaluation_error, run_blocking};
use super::outbound::RemoteService;
use super::response::{body, ApiError};
use super::results::{self, ROW_LIMIT_HEADER, TRUNCATED_HEADER};
use super::{auth, description, AppState};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::Path;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use oxigraph::model::{GraphName, NamedNode, NamedOrBlankNode, Term};
use oxigraph::sparql::{QueryDatasetSpecification, SparqlEvaluator, Variable};
use spargebra::GraphUpdateOperation;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// What a request asks for.
#[derive(Debug, Default)]
struct Operation {
    query: Option<String>,
    update: Option<String>,
    default_graphs: Vec<String>,
    named_graphs: Vec<String>,
    using_graphs: Vec<String>,
    using_named_graphs: Vec<String>,
}

/// Decoded `application/x-www-form-urlencoded` pairs.
pub fn form_pairs(bytes: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(bytes).into_owned().collect()
}

fn collect(op: &mut Operation, pairs: &[(String, String)]) -> Result<(), ApiError> {
    for (k, v) in pairs {
        match k.as_str() {
            "query" => {
                if op.query.is_some() || op.update.is_some() {
                    return Err(ApiError::bad_request(
                        "a request carries exactly one `query` or `update`",
                    ));
                }
                op.query = Some(v.clone());
            }
            "update" => {
                if op.query.is_some() || op.update.is_some() {
                    return Err(ApiError::bad_request(
                        "a request carries exactly one `query` or `update`",
                    ));
                }
                op.update = Some(v.clone());
            }
            "default-graph-uri" => op.default_graphs.push(v.clone()),
            "named-graph-uri" => op.named_graphs.push(v.clone()),
            "using-graph-uri" => op.using_graphs.push(v.clone()),
            "using-named-graph-uri" => op.using_named_graphs.push(v.clone()),
            _ => {}
        }
    }
    Ok(())
}

/// The media type (lowercase, no parameters) and charset of `Content-Type`.
pub fn content_type(headers: &HeaderMap) -> Option<(String, Option<String>)> {
    let v = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let mut parts = v.split(';');
    let media = parts.next()?.trim().to_ascii_lowercase();
    let charset = parts.find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches('"').to_ascii_lowercase())
    });
    Some((media, charset))
}

/// Checks a declared charset is UTF-8 and the bytes are valid UTF-8.
pub fn utf8_body(bytes: &[u8], charset: Option<&str>) -> Result<String, ApiError> {
    if let Some(c) = charset {
        if c != "utf-8" && c != "utf8" {
            return Err(ApiError::unsupported_media_type(format!(
                "charset {c} is not supported: send UTF-8"
            )));
        }
    }
    String::from_utf8(bytes.to_vec()).map_err(|e| {
        ApiError::bad_request(format!(
            "the body is not valid UTF-8 (at byte {})",
            e.utf8_error().valid_up_to()
        ))
    })
}

/// The endpoint's own URL, from the `Host` header.
pub fn endpoint_url(headers: &HeaderMap, path: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && !h.contains(['/', '?', '#', '@']))
        .unwrap_or("localhost");
    let url = format!("http://{host}{path}");
    if NamedNode::new(&url).is_ok() {
        url
    } else {
        format!("http://localhost{path}")
    }
}

fn accept(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// `GET /sparql`.
pub async fn get(State(state): State<AppState>, headers: HeaderMap, uri: Uri) -> Response {
    let mut op = Operation::default();
    if let Err(e) = collect(&mut op, &form_pairs(uri.query().unwrap_or("").as_bytes())) {
        return e.into_response();
    }
    if op.update.is_some() {
        return ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "updates are sent by POST, not GET",
        )
        .into_response();
    }
    if op.query.is_none() {
        return service_description(&state, &headers);
    }
    execute(state, headers, op).await
}

/// `POST /sparql`.
pub async fn post(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    bytes: Result<Bytes, BytesRejection>,
) -> Response {
    let bytes = match bytes {
        Ok(b) => b,
        Err(e) => return ApiError::new(e.status(), e.body_text()).into_response(),
    };
    let mut op = Operation::default();
    let url_pairs = form_pairs(uri.query().unwrap_or("").as_bytes());
    let r = (|| {
        let Some((media, charset)) = content_type(&headers) else {
            return Err(ApiError::unsupported_media_type(
                "a POST needs a Content-Type: application/x-www-form-urlencoded, application/sparql-query or application/sparql-update",
            ));
        };
        match media.as_str() {
            "application/x-www-form-urlencoded" => {
                let text = utf8_body(&bytes, charset.as_deref())?;
                if url_pairs.iter().any(|(k, _)| k == "query" || k == "update") {
                    return Err(ApiError::bad_request(
                        "with a form POST, the query or update goes in the body",
                    ));
                }
                collect(&mut op, &url_pairs)?;
                collect(&mut op, &form_pairs(text.as_bytes()))?;
            }
            "application/sparql-query" | "application/sparql-update" => {
                let text = utf8_body(&bytes, charset.as_deref())?;
                if url_pairs.iter().any(|(k, _)| k == "query" || k == "update") {
                    return Err(ApiError::bad_request(
                        "with a direct POST, the query or update is the body, not a URL parameter",
                    ));
                }
                collect(&mut op, &url_pairs)?;
                if media == "application/sparql-query" {
                    op.query = Some(text);
                } else {
                    op.update = Some(text);
                }
            }
            other => {
                return Err(ApiError::unsupported_media_type(format!(
                    "Content-Type {other} is not supported: use application/x-www-form-urlencoded, application/sparql-query or application/sparql-update"
                )))
            }
        }
        if op.query.is_none() && op.update.is_none() {
            return Err(ApiError::bad_request("no `query` or `update` given"));
        }
        Ok(())
    })();
    if let Err(e) = r {
        return e.into_response();
    }
    execute(state, headers, op).await
}

fn service_description(state: &AppState, headers: &HeaderMap) -> Response {
    let format =
        match results::graph_format(headers.get(header::ACCEPT).and_then(|v| v.to_str().ok())) {
            Ok(f) => f,
            Err(e) => return e.into_response(),
        };
    let endpoint = endpoint_url(headers, "/sparql");
    let ser = results::rdf_serializer(format);
    let ser = ser
        .clone()
        .with_prefix("sd", description::SD)
        .unwrap_or(ser);
    let mut w = ser.for_writer(Vec::new());
    for t in description::triples(&endpoint, state.config.token.is_some()) {
        if let Err(e) = w.serialize_triple(&t) {
            return ApiError::internal(e.to_string()).into_response();
        }
    }
    match w.finish() {
        Ok(b) => body(&results::rdf_content_type(format), b),
        Err(e) => ApiError::internal(e.to_string()).into_response(),
    }
}

fn iri(kind: &str, v: &str) -> Result<NamedNode, ApiError> {
    NamedNode::new(v).map_err(|e| ApiError::bad_request(format!("{kind} {v:?}: {e}")))
}

/// Protocol graphs: the default graph's parts and the named graphs.
type Dataset = (Vec<GraphName>, Vec<NamedOrBlankNode>);

fn dataset(
    default: &[String],
    named: &[String],
    kind: (&str, &str),
) -> Result<Option<Dataset>, ApiError> {
    if default.is_empty() && named.is_empty() {
        return Ok(None);
    }
    let d = default
        .iter()
        .map(|g| iri(kind.0, g).map(GraphName::from))
        .collect::<Result<Vec<_>, _>>()?;
    let n = named
        .iter()
        .map(|g| iri(kind.1, g).map(NamedOrBlankNode::from))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some((d, n)))
}

fn apply(spec: &mut QueryDatasetSpecification, d: Vec<GraphName>, n: Vec<NamedOrBlankNode>) {
    spec.set_default_graph(d);
    spec.set_available_named_graphs(n);
}

async fn execute(state: AppState, headers: HeaderMap, op: Operation) -> Response {
    let base = endpoint_url(&headers, "/sparql");
    if let Some(update) = op.update {
        if let Err(e) = auth::require_writer(&state, &headers) {
            return e.into_response();
        }
        return run_update(state, update, base, op.using_graphs, op.using_named_graphs)
            .await
            .unwrap_or_else(IntoResponse::into_response);
    }
    let Some(query) = op.query else {
        return ApiError::bad_request("no `query` or `update` given").into_response();
    };
    run_query(
        state,
        headers,
        query,
        base,
        op.default_graphs,
        op.named_graphs,
        Vec::new(),
    )
    .await
    .unwrap_or_else(IntoResponse::into_response)
}

/// An evaluator with the server's SERVICE policy; `refused` is set when a
/// SERVICE call was refused. `optimize: false` evaluates as written (see
/// [`crate::guard::nesting`]).
pub fn evaluator(state: &AppState, refused: &Arc<AtomicBool>, optimize: bool) -> SparqlEvaluator {
    let eval = SparqlEvaluator::new().with_default_service_handler(RemoteService {
        allow: state.config.allow_list(),
        refused: refused.clone(),
        metrics: state.metrics.clone(),
    });
    if optimize {
        eval
    } else {
        eval.without_optimizations()
    }
}

fn refused_error() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "SERVICE to a host that is not allow-listed (see --allow-remote)",
    )
}

async fn run_query(
    state: AppState,
    headers: HeaderMap,
    query: String,
    base: String,
    default_graphs: Vec<String>,
    named_graphs: Vec<String>,
    substitutions: Vec<(Variable, Term)>,
) -> Result<Response, ApiError> {
    let nesting = state.check_nesting(&query)?;
    let protocol_dataset = dataset(
        &default_graphs,
        &named_graphs,
        ("default-graph-uri", "named-graph-uri"),
    )?;
    let accept = accept(&headers);
    let max_rows = state.config.max_rows;
    // the cache: the key is everything the answer depends on besides the store
    let cacheable = state.cache.cacheable(&query);
    let key = format!(
        "{accept:?}\n{base}\n{default_graphs:?}\n{named_graphs:?}\n{substitutions:?}\n{max_rows}\n{query}"
    );
    let fresh = headers
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().contains("no-cache"));
    if cacheable && !fresh {
        if let Some(hit) = state.cache.get(&key) {
            return Ok(rendered_response(&hit, max_rows, "hit"));
        }
    }
    let started = state.cache.generation();
    let store = state.store.clone();
    let metrics = state.metrics.clone();
    let refused = Arc::new(AtomicBool::new(false));
    let eval = evaluator(&state, &refused, nesting.optimize);
    let rendered = run_blocking(&state, Some(state.config.query_timeout), move |work| {
        let token = work.token;
        let mut prepared = eval
            .with_cancellation_token(token.clone())
            .with_base_iri(&base)
            .map_err(|e| ApiError::internal(e.to_string()))?
            .parse_query(&query)
            .map_err(|e| ApiError::bad_request(format!("query syntax: {e}")))?;
        for (var, value) in substitutions {
            prepared = prepared.substitute_variable(var, value);
        }
        match protocol_dataset {
            Some((d, n)) => apply(prepared.dataset_mut(), d, n),
            None => {
                if prepared.dataset().is_default_dataset() {
                    prepared.dataset_mut().set_default_graph_as_union();
                }
            }
        }
        let refused_or = |e: ApiError| {
            if refused.load(Ordering::Relaxed) {
                refused_error()
            } else {
                e
            }
        };
        let results = prepared
            .on_store(store.oxigraph())
            .execute()
            .map_err(|e| refused_or(evaluation_error(&token, format!("query evaluation: {e}"))))?;
        results::render(results, accept.as_deref(), max_rows, &token).map_err(refused_or)
    })
    .await?;
    if rendered.truncated {
        metrics.truncated();
    }
    let rendered = Arc::new(rendered);
    let status = if !cacheable {
        "off"
    } else if fresh {
        "bypass"
    } else {
        "miss"
    };
    if cacheable {
        state.cache.put(key, started, rendered.clone());
    }
    Ok(rendered_response(&rendered, max_rows, status))
}

/// The answer with its row-cap and cache headers.
fn rendered_response(
    rendered: &results::Rendered,
    max_rows: usize,
    cache: &'static str,
) -> Response {
    let mut r = body(&rendered.content_type, rendered.body.clone());
    r.headers_mut().insert(
        TRUNCATED_HEADER,
        HeaderValue::from_static(if rendered.truncated { "true" } else { "false" }),
    );
    r.headers_mut()
        .insert(ROW_LIMIT_HEADER, HeaderValue::from(max_rows));
    r.headers_mut()
        .insert(CACHE_HEADER, HeaderValue::from_static(cache));
    r
}

/// Response header telling whether the answer came from the cache: `hit`,
/// `miss` (evaluated and kept), `bypass` (`Cache-Control: no-cache`) or `off`
/// (never cached: the cache is off or the query is volatile).
pub const CACHE_HEADER: &str = "x-kglink-cache";

async fn run_update(
    state: AppState,
    update: String,
    base: String,
    using_graphs: Vec<String>,
    using_named_graphs: Vec<String>,
) -> Result<Response, ApiError> {
    let nesting = state.check_nesting(&update)?;
    let using = dataset(
        &using_graphs,
        &using_named_graphs,
        ("using-graph-uri", "using-named-graph-uri"),
    )?;
    let allow = state.config.allow_list();
    let load_limits = state.config.rdf_limits();
    let metrics = state.metrics.clone();
    let store = state.store.clone();
    let refused = Arc::new(AtomicBool::new(false));
    let eval = evaluator(&state, &refused, nesting.optimize);
    let guard = state.cache.writing();
    run_blocking(&state, Some(state.config.query_timeout), move |work| {
        let _writing = &guard;
        // parsed here, on a thread with the query stack
        let parsed = spargebra::SparqlParser::new()
            .with_base_iri(&base)
            .map_err(|e| ApiError::internal(e.to_string()))?
            .parse_update(&update)
            .map_err(|e| ApiError::bad_request(format!("update syntax: {e}")))?;
        for op in &parsed.operations {
            if let GraphUpdateOperation::Load { source, .. } = op {
                if !allow.allows(source.as_str()) {
                    metrics.refused_remote();
                    return Err(ApiError::new(
                        StatusCode::FORBIDDEN,
                        format!(
                            "LOAD <{}> refused: its host is not allow-listed (see --allow-remote)",
                            source.as_str()
                        ),
                    ));
                }
            }
        }
        if using.is_some()
            && parsed.operations.iter().any(|op| {
                matches!(
                    op,
                    GraphUpdateOperation::DeleteInsert { using: Some(_), .. }
                )
            })
        {
            return Err(ApiError::bad_request(
                "using-graph-uri / using-named-graph-uri conflict with USING / USING NAMED in the update",
            ));
        }
        let eval = eval.with_cancellation_token(work.token.clone());
        let ie = |e: &dyn std::fmt::Display| ApiError::internal(e.to_string());
        // every operation works on one transaction, committed at the end
        // unless the deadline has passed: all or nothing
        let mut tx = store.oxigraph().start_transaction().map_err(|e| ie(&e))?;
        for op in &parsed.operations {
            if let GraphUpdateOperation::Load {
                silent,
                source,
                destination,
            } = op
            {
                // LOAD is run here (oxigraph is built without an HTTP client)
                let destination = match destination {
                    spargebra::term::GraphName::NamedNode(n) => {
                        GraphName::NamedNode(NamedNode::new_unchecked(n.as_str()))
                    }
                    spargebra::term::GraphName::DefaultGraph => GraphName::DefaultGraph,
                };
                let loaded = allow.load(source.as_str(), &destination, &load_limits, &|| {
                    work.cancelled()
                });
                match loaded {
                    Ok(quads) => {
                        if let GraphName::NamedNode(n) = &destination {
                            tx.insert_named_graph(n.as_ref());
                        }
                        tx.extend(quads.iter());
                    }
                    Err(_) if *silent => {}
                    Err(e) => return Err(e),
                }
                continue;
            }
            let u = spargebra::Update {
                operations: vec![op.clone()],
                base_iri: parsed.base_iri.clone(),
            };
            let mut prepared = eval.clone().for_update(u);
            if let Some((d, n)) = using.clone() {
                for spec in prepared.using_datasets_mut() {
                    apply(spec, d.clone(), n.clone());
                }
            }
            prepared.on_transaction(&mut tx).execute().map_err(|e| {
                if refused.load(Ordering::Relaxed) {
                    refused_error()
                } else if work.cancelled() {
                    ApiError::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "the update timed out and was cancelled; the store is unchanged",
                    )
                } else {
                    ApiError::bad_request(format!("update: {e}"))
                }
            })?;
        }
        work.commit(|| tx.commit().map_err(|e| ie(&e)))
    })
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /query/{name}?param=value…`: a saved query (`kglink query --list`)
/// with its parameters bound as in `kglink query --param` (QIDs become
/// Wikidata IRIs, http(s) values IRIs, numbers numbers, the rest strings).
/// Same formats and limits as `/sparql`.
pub async fn saved(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let q = match crate::query::saved_query(&name) {
        Ok(q) => q,
        Err(e) => return ApiError::new(StatusCode::NOT_FOUND, e.to_string()).into_response(),
    };
    let mut subs = Vec::new();
    for (k, v) in form_pairs(uri.query().unwrap_or("").as_bytes()) {
        match Variable::new(k.trim_start_matches(['?', '$'])) {
            Ok(var) => subs.push((var, crate::query::param_term(&v))),
            Err(e) => {
                return ApiError::bad_request(format!("parameter {k:?}: {e}")).into_response()
            }
        }
    }
    let base = endpoint_url(&headers, "/sparql");
    run_query(
        state,
        headers,
        q.text.to_string(),
        base,
        Vec::new(),
        Vec::new(),
        subs,
    )
    .await
    .unwrap_or_else(IntoResponse::into_response)
}
