//! Outbound requests: SPARQL `SERVICE` and `LOAD` reach other hosts only when
//! the host is allow-listed (`--allow-remote HOST[:PORT]`); anything else is
//! refused before a connection is opened.

use super::metrics::Metrics;
use super::response::ApiError;
use crate::guard::{read_quads, RdfInputError, RdfLimits};
use axum::http::StatusCode;
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{GraphName, NamedNode, Quad};
use oxigraph::sparql::results::{
    QueryResultsFormat, QueryResultsParser, SliceQueryResultsParserOutput,
};
use oxigraph::sparql::{DefaultServiceHandler, QuerySolution, QuerySolutionIter};
use spargebra::algebra::GraphPattern;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The allow-list and the limits of outbound calls.
#[derive(Debug, Clone, Default)]
pub struct AllowList {
    /// `host` (any port) or `host:port` entries.
    pub hosts: Vec<String>,
    /// Timeout of one outbound call.
    pub timeout: Duration,
    /// Largest response body read from a remote host.
    pub max_bytes: u64,
}

impl AllowList {
    /// True when `iri` is an `http:` or `https:` IRI whose host (or
    /// host:port) is listed.
    pub fn allows(&self, iri: &str) -> bool {
        let Some(rest) = iri
            .strip_prefix("http://")
            .or_else(|| iri.strip_prefix("https://"))
        else {
            return false;
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        if authority.contains('@') || authority.is_empty() {
            return false;
        }
        let authority = authority.to_ascii_lowercase();
        let host = if authority.starts_with('[') {
            authority
                .split_inclusive(']')
                .next()
                .unwrap_or("")
                .to_string()
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) => h.to_string(),
                _ => authority.clone(),
            }
        };
        self.hosts
            .iter()
            .any(|a| a.eq_ignore_ascii_case(&authority) || a.eq_ignore_ascii_case(&host))
    }

    /// An HTTP client for one call: the timeout, no redirects (a redirect
    /// could lead off the allow-list).
    fn client(&self) -> Result<reqwest::blocking::Client, String> {
        reqwest::blocking::Client::builder()
            .timeout(self.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(format!("kglink/{} (SPARQL server)", crate::VERSION))
            .build()
            .map_err(|e| format!("cannot make an HTTP client: {e}"))
    }

    /// The body of `resp`, refused when longer than `max_bytes`.
    fn body(&self, resp: reqwest::blocking::Response) -> Result<Vec<u8>, String> {
        use std::io::Read;
        let mut bytes = Vec::new();
        resp.take(self.max_bytes.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| e.to_string())?;
        if bytes.len() as u64 > self.max_bytes {
            return Err(format!(
                "the answer is longer than {} bytes",
                self.max_bytes
            ));
        }
        Ok(bytes)
    }

    /// Fetches an RDF document for `LOAD`, parsed by its media type into quads
    /// of `destination` within `limits` (413 when a cap is hit, 503 when
    /// `cancelled` turns true, 400 for other failures).
    pub fn load(
        &self,
        source: &str,
        destination: &GraphName,
        limits: &RdfLimits,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Vec<Quad>, ApiError> {
        let failed = |e: String| ApiError::bad_request(format!("LOAD <{source}>: {e}"));
        let resp = self
            .client()
            .map_err(failed)?
            .get(source)
            .header(
                "Accept",
                "text/turtle, application/n-triples, application/rdf+xml;q=0.9, application/ld+json;q=0.8",
            )
            .send()
            .map_err(|e| failed(e.to_string()))?;
        if !resp.status().is_success() {
            return Err(failed(format!("HTTP {}", resp.status())));
        }
        let media = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("text/turtle")
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_string();
        let format = RdfFormat::from_media_type(&media)
            .ok_or_else(|| failed(format!("unsupported media type {media}")))?;
        let bytes = self.body(resp).map_err(|e| {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("LOAD <{source}>: {e}"),
            )
        })?;
        let parser = RdfParser::from_format(format)
            .with_base_iri(source)
            .map_err(|e| failed(e.to_string()))?
            .without_named_graphs()
            .with_default_graph(destination.clone());
        let mut quads = Vec::new();
        read_quads(
            parser,
            format,
            bytes.as_slice(),
            limits,
            cancelled,
            &mut |q| {
                quads.push(q);
                Ok(())
            },
        )
        .map_err(|e| rdf_input_error(&format!("LOAD <{source}>"), e))?;
        Ok(quads)
    }
}

/// The answer to a failed bounded RDF read: 413 for a cap, 503 for the
/// deadline, 400 for bad input.
pub fn rdf_input_error(what: &str, e: RdfInputError) -> ApiError {
    let status = if e.is_too_large() {
        StatusCode::PAYLOAD_TOO_LARGE
    } else if matches!(e, RdfInputError::Cancelled) {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::BAD_REQUEST
    };
    ApiError::new(status, format!("{what}: {e}"))
}

/// Error of a refused or failed SERVICE call.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ServiceError(String);

/// `SERVICE` handler: refuses hosts not in the allow-list (recording that it
/// did, so the request is answered 403), queries the others over HTTP.
pub struct RemoteService {
    /// The allow-list.
    pub allow: AllowList,
    /// Set when a call was refused.
    pub refused: Arc<AtomicBool>,
    /// Server metrics.
    pub metrics: Arc<Metrics>,
}

impl DefaultServiceHandler for RemoteService {
    type Error = ServiceError;

    fn handle(
        &self,
        service_name: &NamedNode,
        pattern: &GraphPattern,
        base_iri: Option<&oxiri::Iri<String>>,
    ) -> Result<QuerySolutionIter<'static>, ServiceError> {
        let name = service_name.as_str();
        if !self.allow.allows(name) {
            self.refused.store(true, Ordering::Relaxed);
            self.metrics.refused_remote();
            return Err(ServiceError(format!(
                "SERVICE <{name}> refused: its host is not allow-listed (see --allow-remote)"
            )));
        }
        let query = spargebra::Query::Select {
            dataset: None,
            pattern: pattern.clone(),
            base_iri: base_iri.cloned(),
        }
        .to_string();
        let resp = self
            .allow
            .client()
            .map_err(|e| ServiceError(format!("SERVICE <{name}>: {e}")))?
            .post(name)
            .header("Content-Type", "application/sparql-query")
            .header(
                "Accept",
                "application/sparql-results+json, application/sparql-results+xml;q=0.9",
            )
            .body(query)
            .send()
            .map_err(|e| ServiceError(format!("SERVICE <{name}>: {e}")))?;
        if !resp.status().is_success() {
            return Err(ServiceError(format!(
                "SERVICE <{name}>: HTTP {}",
                resp.status()
            )));
        }
        let media = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/sparql-results+json")
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_string();
        let format = QueryResultsFormat::from_media_type(&media).ok_or_else(|| {
            ServiceError(format!("SERVICE <{name}>: unsupported media type {media}"))
        })?;
        let bytes = self
            .allow
            .body(resp)
            .map_err(|e| ServiceError(format!("SERVICE <{name}>: {e}")))?;
        match QueryResultsParser::from_format(format)
            .for_slice(&bytes)
            .map_err(|e| ServiceError(format!("SERVICE <{name}>: {e}")))?
        {
            SliceQueryResultsParserOutput::Solutions(s) => {
                let variables: Arc<[oxigraph::sparql::Variable]> = s.variables().into();
                let rows: Vec<Result<QuerySolution, _>> = s
                    .map(|r| {
                        r.map_err(|e| {
                            oxigraph::sparql::QueryEvaluationError::Service(Box::new(ServiceError(
                                format!("SERVICE <{name}>: {e}"),
                            )))
                        })
                    })
                    .collect();
                Ok(QuerySolutionIter::new(variables, rows))
            }
            SliceQueryResultsParserOutput::Boolean(_) => Err(ServiceError(format!(
                "SERVICE <{name}>: answered a boolean, not solutions"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::AllowList;

    #[test]
    fn allow_list_matches_host_or_host_and_port() {
        let a = AllowList {
            hosts: vec!["example.org".into(), "127.0.0.1:9000".into()],
            ..AllowList::default()
        };
        assert!(a.allows("http://example.org/sparql"));
        assert!(a.allows("http://EXAMPLE.org:8080/x"));
        assert!(a.allows("http://127.0.0.1:9000/sparql"));
        assert!(!a.allows("http://127.0.0.1:9001/sparql"));
        assert!(!a.allows("http://example.org@evil.test/"));
        assert!(a.allows("https://example.org/sparql"));
        assert!(!a.allows("ftp://example.org/sparql"));
        assert!(!a.allows("http://evil.test/?example.org"));
    }
}
