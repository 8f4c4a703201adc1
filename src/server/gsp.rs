//! The SPARQL 1.1 Graph Store HTTP Protocol at `/store`: indirect graph
//! identification (`/store?graph=IRI`, `/store?default`) and direct
//! (`/store/some/path` names the graph `http://HOST/store/some/path`).
//! GET and HEAD for anyone; PUT, POST and DELETE with the token. A POST to
//! `/store` without a graph creates a new graph and answers 201 with its IRI in
//! `Location`. Bodies may be any RDF triple syntax Oxigraph reads, or
//! `multipart/form-data` with one RDF file per part.

use super::limits::run_blocking;
use super::multipart;
use super::outbound::rdf_input_error;
use super::response::{body, ApiError};
use super::results::{self, ROW_LIMIT_HEADER, TRUNCATED_HEADER};
use super::sparql::{content_type, endpoint_url, form_pairs};
use super::{auth, AppState};
use crate::guard::{read_quads, RdfLimits};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{GraphName, GraphNameRef, NamedNode, Quad};
use std::sync::atomic::{AtomicU64, Ordering};

/// Which graph a request is about.
#[derive(Debug, Clone)]
enum Target {
    Default,
    Named(NamedNode),
    /// `POST /store` without a graph: a new graph.
    New,
}

fn target(uri: &Uri, headers: &HeaderMap) -> Result<Target, ApiError> {
    let path = uri.path();
    if path != "/store" && path != "/store/" {
        let iri = endpoint_url(headers, path);
        return NamedNode::new(&iri)
            .map(Target::Named)
            .map_err(|e| ApiError::bad_request(format!("graph IRI {iri:?}: {e}")));
    }
    let pairs = form_pairs(uri.query().unwrap_or("").as_bytes());
    let graph: Vec<&String> = pairs
        .iter()
        .filter(|(k, _)| k == "graph")
        .map(|(_, v)| v)
        .collect();
    let default = pairs.iter().any(|(k, _)| k == "default");
    match (graph.as_slice(), default) {
        ([], true) => Ok(Target::Default),
        ([g], false) => NamedNode::new(g.as_str())
            .map(Target::Named)
            .map_err(|e| ApiError::bad_request(format!("graph IRI {g:?}: {e}"))),
        ([], false) => Ok(Target::New),
        _ => Err(ApiError::bad_request(
            "give exactly one of `graph=IRI` or `default`",
        )),
    }
}

fn graph_name(t: &Target) -> GraphName {
    match t {
        Target::Named(n) => GraphName::NamedNode(n.clone()),
        _ => GraphName::DefaultGraph,
    }
}

/// GET and HEAD.
pub async fn read(State(state): State<AppState>, headers: HeaderMap, uri: Uri) -> Response {
    let t = match target(&uri, &headers) {
        Ok(Target::New) => {
            return ApiError::bad_request("give `graph=IRI` or `default`").into_response()
        }
        Ok(t) => t,
        Err(e) => return e.into_response(),
    };
    let format =
        match results::graph_format(headers.get(header::ACCEPT).and_then(|v| v.to_str().ok())) {
            Ok(f) => f,
            Err(e) => return e.into_response(),
        };
    let store = state.store.clone();
    let max_rows = state.config.max_rows;
    let r = run_blocking(&state, Some(state.config.query_timeout), move |work| {
        let token = work.token;
        let s = store.oxigraph();
        if let Target::Named(n) = &t {
            if !s
                .contains_named_graph(n)
                .map_err(|e| ApiError::internal(e.to_string()))?
            {
                return Err(ApiError::new(
                    StatusCode::NOT_FOUND,
                    format!("no graph <{}>", n.as_str()),
                ));
            }
        }
        let g = graph_name(&t);
        let mut w = results::rdf_serializer(format).for_writer(Vec::new());
        let mut truncated = false;
        for (n, q) in s
            .quads_for_pattern(None, None, None, Some(g.as_ref()))
            .enumerate()
        {
            if token.is_cancelled() {
                return Err(ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "timed out and cancelled",
                ));
            }
            let q = q.map_err(|e| ApiError::internal(e.to_string()))?;
            if n == max_rows {
                truncated = true;
                break;
            }
            w.serialize_triple(q.as_ref())
                .map_err(|e| ApiError::internal(e.to_string()))?;
        }
        let bytes = w.finish().map_err(|e| ApiError::internal(e.to_string()))?;
        Ok((bytes, truncated))
    })
    .await;
    match r {
        Ok((bytes, truncated)) => {
            if truncated {
                state.metrics.truncated();
            }
            let mut r = body(&results::rdf_content_type(format), bytes);
            r.headers_mut().insert(
                TRUNCATED_HEADER,
                HeaderValue::from_static(if truncated { "true" } else { "false" }),
            );
            r.headers_mut()
                .insert(ROW_LIMIT_HEADER, HeaderValue::from(max_rows));
            r
        }
        Err(e) => e.into_response(),
    }
}

/// Parses one RDF document of media type `media` into `graph`, handing each
/// triple to `sink`; `read` counts the triples of the request so far, for its
/// cap.
#[allow(clippy::too_many_arguments)]
fn parse_rdf(
    media: &str,
    bytes: &[u8],
    graph: &GraphName,
    base: &str,
    limits: &RdfLimits,
    read: &mut u64,
    cancelled: &dyn Fn() -> bool,
    sink: &mut dyn FnMut(Quad),
) -> Result<(), ApiError> {
    let format = RdfFormat::from_media_type(media).ok_or_else(|| {
        ApiError::unsupported_media_type(format!(
            "Content-Type {media} is not an RDF syntax kglink reads (Turtle, N-Triples, RDF/XML, JSON-LD, N3)"
        ))
    })?;
    if matches!(format, RdfFormat::NQuads | RdfFormat::TriG) {
        return Err(ApiError::unsupported_media_type(format!(
            "{media} holds quads; send triples to a graph"
        )));
    }
    let parser = RdfParser::from_format(format)
        .with_base_iri(base)
        .map_err(|e| ApiError::bad_request(e.to_string()))?
        .without_named_graphs()
        .with_default_graph(graph.clone());
    let limits = RdfLimits {
        max_quads: limits.max_quads.saturating_sub(*read),
        ..*limits
    };
    let n = read_quads(parser, format, bytes, &limits, cancelled, &mut |q| {
        sink(q);
        Ok(())
    })
    .map_err(|e| rdf_input_error("body", e))?;
    *read += n;
    Ok(())
}

/// Parses the body (one RDF document, or `multipart/form-data` with one a
/// part) into `graph` within `limits`, handing each triple to `sink`.
fn body_quads(
    headers: &HeaderMap,
    bytes: &[u8],
    graph: &GraphName,
    base: &str,
    limits: &RdfLimits,
    cancelled: &dyn Fn() -> bool,
    sink: &mut dyn FnMut(Quad),
) -> Result<(), ApiError> {
    let raw = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let Some((media, charset)) = content_type(headers) else {
        return Err(ApiError::unsupported_media_type(
            "a Content-Type is needed (e.g. text/turtle)",
        ));
    };
    if let Some(c) = charset {
        if c != "utf-8" && c != "utf8" {
            return Err(ApiError::unsupported_media_type(format!(
                "charset {c} is not supported: send UTF-8"
            )));
        }
    }
    let mut read = 0u64;
    if media == "multipart/form-data" {
        let b = multipart::boundary(&raw)
            .ok_or_else(|| ApiError::bad_request("multipart/form-data without a boundary"))?;
        for part in multipart::parts(bytes, &b).map_err(ApiError::bad_request)? {
            let ct = part.content_type.as_deref().unwrap_or("text/turtle");
            let m = ct
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            parse_rdf(
                &m, part.body, graph, base, limits, &mut read, cancelled, sink,
            )?;
        }
        return Ok(());
    }
    parse_rdf(
        &media, bytes, graph, base, limits, &mut read, cancelled, sink,
    )
}

static NEW_GRAPHS: AtomicU64 = AtomicU64::new(0);

/// PUT, POST and DELETE.
pub async fn write(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    uri: Uri,
    bytes: Result<Bytes, BytesRejection>,
) -> Response {
    if let Err(e) = auth::require_writer(&state, &headers) {
        return e.into_response();
    }
    let bytes = match bytes {
        Ok(b) => b,
        Err(e) => return ApiError::new(e.status(), e.body_text()).into_response(),
    };
    let t = match target(&uri, &headers) {
        Ok(Target::New) if method == Method::POST => {
            let stamp = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0);
            let n = NEW_GRAPHS.fetch_add(1, Ordering::Relaxed);
            let iri = endpoint_url(&headers, &format!("/store/graph-{stamp:x}-{n}"));
            match NamedNode::new(iri) {
                Ok(n) => {
                    return create(state, headers, bytes, n).await;
                }
                Err(e) => return ApiError::internal(e.to_string()).into_response(),
            }
        }
        Ok(Target::New) => {
            return ApiError::bad_request("give `graph=IRI` or `default`").into_response()
        }
        Ok(t) => t,
        Err(e) => return e.into_response(),
    };
    let store = state.store.clone();
    let guard = state.cache.writing();
    let limits = state.config.rdf_limits();
    let r = run_blocking(&state, Some(state.config.query_timeout), move |work| {
        let _writing = &guard;
        let s = store.oxigraph();
        let g = graph_name(&t);
        let existed = match &t {
            Target::Named(n) => s
                .contains_named_graph(n)
                .map_err(|e| ApiError::internal(e.to_string()))?,
            _ => true,
        };
        let base = match &t {
            Target::Named(n) => n.as_str().to_string(),
            _ => endpoint_url(&headers, "/store"),
        };
        let ie = |e: &dyn std::fmt::Display| ApiError::internal(e.to_string());
        if method == Method::DELETE {
            return match &t {
                Target::Named(n) if existed => work.commit(|| {
                    s.remove_named_graph(n).map_err(|e| ie(&e))?;
                    Ok(StatusCode::NO_CONTENT)
                }),
                Target::Named(n) => Err(ApiError::new(
                    StatusCode::NOT_FOUND,
                    format!("no graph <{}>", n.as_str()),
                )),
                _ => work.commit(|| {
                    s.clear_graph(GraphNameRef::DefaultGraph)
                        .map_err(|e| ie(&e))?;
                    Ok(StatusCode::NO_CONTENT)
                }),
            };
        }
        let mut tx = s.start_transaction().map_err(|e| ie(&e))?;
        if method == Method::PUT {
            tx.clear_graph(g.as_ref()).map_err(|e| ie(&e))?;
        }
        if let Target::Named(n) = &t {
            tx.insert_named_graph(n.as_ref());
        }
        body_quads(
            &headers,
            &bytes,
            &g,
            &base,
            &limits,
            &|| work.cancelled(),
            &mut |q| tx.insert(q.as_ref()),
        )?;
        work.commit(|| tx.commit().map_err(|e| ie(&e)))?;
        Ok(if existed {
            StatusCode::NO_CONTENT
        } else {
            StatusCode::CREATED
        })
    })
    .await;
    match r {
        Ok(status) => status.into_response(),
        Err(e) => e.into_response(),
    }
}

async fn create(state: AppState, headers: HeaderMap, bytes: Bytes, graph: NamedNode) -> Response {
    let store = state.store.clone();
    let g = graph.clone();
    let guard = state.cache.writing();
    let limits = state.config.rdf_limits();
    let r = run_blocking(&state, Some(state.config.query_timeout), move |work| {
        let _writing = &guard;
        let ie = |e: &dyn std::fmt::Display| ApiError::internal(e.to_string());
        let mut tx = store.oxigraph().start_transaction().map_err(|e| ie(&e))?;
        tx.insert_named_graph(g.as_ref());
        body_quads(
            &headers,
            &bytes,
            &GraphName::NamedNode(g.clone()),
            g.as_str(),
            &limits,
            &|| work.cancelled(),
            &mut |q| tx.insert(q.as_ref()),
        )?;
        work.commit(|| tx.commit().map_err(|e| ie(&e)))
    })
    .await;
    match r {
        Ok(()) => {
            let mut resp = StatusCode::CREATED.into_response();
            if let Ok(v) = HeaderValue::from_str(graph.as_str()) {
                resp.headers_mut().insert(header::LOCATION, v);
            }
            resp
        }
        Err(e) => e.into_response(),
    }
}
