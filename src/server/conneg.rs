//! Content negotiation: picks the response format from the `Accept` header
//! (media ranges with q-values, `type/*` and `*/*` wildcards).

/// Media ranges of an `Accept` header, best first (stable for equal q), with
/// q=0 ranges dropped. Parameters other than `q` are ignored.
pub fn accepted(accept: &str) -> Vec<String> {
    let mut ranges: Vec<(String, f32, usize)> = Vec::new();
    for (i, part) in accept.split(',').enumerate() {
        let mut it = part.split(';');
        let range = it.next().unwrap_or("").trim().to_ascii_lowercase();
        if range.is_empty() {
            continue;
        }
        let mut q = 1.0f32;
        for p in it {
            if let Some((k, v)) = p.split_once('=') {
                if k.trim().eq_ignore_ascii_case("q") {
                    q = v.trim().parse().unwrap_or(0.0);
                }
            }
        }
        if q > 0.0 {
            ranges.push((range, q, i));
        }
    }
    ranges.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.2.cmp(&b.2)));
    ranges.into_iter().map(|r| r.0).collect()
}

/// The offer (media type, value) the client prefers; the first offer when the
/// header is absent or empty; `None` when nothing offered is acceptable (406).
pub fn choose<T: Copy>(accept: Option<&str>, offers: &[(&str, T)]) -> Option<T> {
    let first = offers.first()?.1;
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
        return Some(first);
    };
    for range in accepted(accept) {
        if range == "*/*" || range == "*" {
            return Some(first);
        }
        if let Some(kind) = range.strip_suffix("/*") {
            if let Some((_, v)) = offers
                .iter()
                .find(|(m, _)| m.split('/').next() == Some(kind))
            {
                return Some(*v);
            }
            continue;
        }
        if let Some((_, v)) = offers.iter().find(|(m, _)| *m == range) {
            return Some(*v);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const OFFERS: &[(&str, u8)] = &[("application/json", 1), ("text/csv", 2), ("text/turtle", 3)];

    #[test]
    fn picks_by_q_then_order() {
        assert_eq!(choose(None, OFFERS), Some(1));
        assert_eq!(choose(Some("text/csv"), OFFERS), Some(2));
        assert_eq!(choose(Some("text/csv;q=0.5, text/turtle"), OFFERS), Some(3));
        assert_eq!(choose(Some("text/*"), OFFERS), Some(2));
        assert_eq!(choose(Some("image/png, */*;q=0.1"), OFFERS), Some(1));
        assert_eq!(choose(Some("image/png"), OFFERS), None);
        assert_eq!(choose(Some("text/csv;q=0"), OFFERS), None);
    }
}
