//! A small `multipart/form-data` reader (RFC 7578) for Graph Store POSTs that
//! send several RDF files at once.

/// One part: its `Content-Type` (if given) and its bytes.
#[derive(Debug, PartialEq, Eq)]
pub struct Part<'a> {
    /// The part's media type, if it declares one.
    pub content_type: Option<String>,
    /// The part's content.
    pub body: &'a [u8],
}

/// The `boundary` parameter of a `Content-Type` value.
pub fn boundary(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_string())
    })
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || from > hay.len() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// Splits `body` into its parts; an error names the byte offset where the
/// structure broke.
pub fn parts<'a>(body: &'a [u8], boundary: &str) -> Result<Vec<Part<'a>>, String> {
    let delim = format!("--{boundary}");
    let delim = delim.as_bytes();
    let mut pos = find(body, delim, 0).ok_or("multipart body: no opening boundary")?;
    let mut out = Vec::new();
    loop {
        pos += delim.len();
        if body[pos..].starts_with(b"--") {
            return Ok(out);
        }
        // skip the rest of the boundary line
        let line_end = find(body, b"\n", pos)
            .ok_or_else(|| format!("multipart body: boundary line at byte {pos} has no end"))?;
        let head_start = line_end + 1;
        let (head_end, content_start) = match find(body, b"\r\n\r\n", head_start) {
            Some(i) => (i, i + 4),
            None => match find(body, b"\n\n", head_start) {
                Some(i) => (i, i + 2),
                None => {
                    return Err(format!(
                        "multipart body: part at byte {head_start} has no end of headers"
                    ))
                }
            },
        };
        let head = String::from_utf8_lossy(&body[head_start..head_end]);
        let content_type = head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case("content-type")
                .then(|| v.trim().to_string())
        });
        let next = find(body, delim, content_start).ok_or_else(|| {
            format!("multipart body: part at byte {content_start} has no closing boundary")
        })?;
        let mut end = next;
        if end >= 2 && &body[end - 2..end] == b"\r\n" {
            end -= 2;
        } else if end >= 1 && body[end - 1] == b'\n' {
            end -= 1;
        }
        out.push(Part {
            content_type,
            body: &body[content_start..end.max(content_start)],
        });
        pos = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_parts_with_their_types() {
        let body = b"--XY\r\nContent-Disposition: form-data; name=\"a\"\r\nContent-Type: text/turtle\r\n\r\n<a> <b> <c> .\r\n--XY\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\nplain\r\n--XY--\r\n";
        let p = parts(body, "XY").unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].content_type.as_deref(), Some("text/turtle"));
        assert_eq!(p[0].body, b"<a> <b> <c> .");
        assert_eq!(p[1].content_type, None);
        assert_eq!(p[1].body, b"plain");
        assert_eq!(
            boundary("multipart/form-data; boundary=\"XY\"").as_deref(),
            Some("XY")
        );
        assert!(parts(b"--XY\r\nContent-Type: a\r\n\r\nno end", "XY").is_err());
        assert!(parts(b"garbage", "XY").is_err());
    }
}
