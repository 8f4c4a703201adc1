//! A small blocking HTTP client for the server tests (ureq, loopback only).

use std::time::Duration;

/// A response: status, headers (lowercase names) and body.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The media type of `Content-Type`, lowercase, without parameters.
    pub fn media_type(&self) -> String {
        self.header("content-type")
            .unwrap_or("")
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// An agent that returns 4xx/5xx as responses, with a timeout.
pub fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(timeout))
        .max_redirects(0)
        .build()
        .into()
}

/// Sends one request.
pub fn send(
    agent: &ureq::Agent,
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> Result<Resp, String> {
    let mut b = ureq::http::Request::builder().method(method).uri(url);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    let result = match body {
        Some(bytes) => agent.run(b.body(bytes.to_vec()).map_err(|e| e.to_string())?),
        None => agent.run(b.body(()).map_err(|e| e.to_string())?),
    };
    let mut r = result.map_err(|e| format!("{method} {url}: {e}"))?;
    let status = r.status().as_u16();
    let headers = r
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_ascii_lowercase(),
                v.to_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let body = if method == "HEAD" {
        Vec::new()
    } else {
        r.body_mut()
            .with_config()
            .limit(256 << 20)
            .read_to_vec()
            .map_err(|e| format!("{method} {url}: reading the body: {e}"))?
    };
    Ok(Resp {
        status,
        headers,
        body,
    })
}

/// GET with headers.
pub fn get(url: &str, headers: &[(&str, &str)]) -> Resp {
    send(&agent(Duration::from_secs(60)), "GET", url, headers, None).unwrap()
}

/// POST a body with a content type and more headers.
pub fn post(url: &str, content_type: &str, body: &[u8], headers: &[(&str, &str)]) -> Resp {
    let mut h = vec![("content-type", content_type)];
    h.extend_from_slice(headers);
    send(&agent(Duration::from_secs(60)), "POST", url, &h, Some(body)).unwrap()
}
