//! Web input is untrusted: arbitrary bytes go through the charset decoding of
//! a fetched body, format sniffing, HTML extraction and date normalization.
//! None may panic; a page that extracts gives a non-empty text and a date, if
//! any, of the form `YYYY-MM-DD`.
#![no_main]

use kglink::ingest::html;
use kglink::ingest::input::{self, InputFormat};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let format = input::sniff(data);
    assert!(format != InputFormat::Auto, "sniffing decides");
    // the first byte picks the Content-Type the body came with
    let content_type = match data.first().map(|b| b % 4) {
        Some(0) => "text/html; charset=iso-8859-1",
        Some(1) => "text/html; charset=windows-1252",
        Some(2) => "text/html; charset=utf-8",
        _ => "text/html",
    };
    let Ok(text) = html::decode(data.to_vec(), content_type, true) else {
        return;
    };
    let _ = html::normalize_date(&text);
    if let Ok(a) = html::extract(&text, Some("https://example.org/news/1")) {
        assert!(!a.text.trim().is_empty(), "an extracted article has text");
        if let Some(d) = &a.date {
            let b = d.as_bytes();
            assert!(
                b.len() == 10 && b[4] == b'-' && b[7] == b'-',
                "date {d:?} is not YYYY-MM-DD"
            );
        }
    }
});
