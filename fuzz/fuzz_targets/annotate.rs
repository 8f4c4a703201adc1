//! Annotate arbitrary bytes (as UTF-8, lossily): never panics, and every span
//! lies on character boundaries inside the text, in order, without overlap.
#![no_main]

use kglink::annotate::Annotator;
use kglink::kb::Kb;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let kb = Kb::bundled().expect("bundled KB");
    let chars = text.chars().count();
    let links = Annotator::new(kb).links(&text, Some("2019-02-28"));
    let mut last = 0;
    for l in &links {
        let (s, e) = (l.mention.start, l.mention.end);
        assert!(s < e && e <= text.len(), "{s}..{e} outside the text");
        assert!(text.is_char_boundary(s) && text.is_char_boundary(e));
        assert!(s >= last, "overlapping spans");
        last = e;
        assert!((0.0..=1.0).contains(&l.confidence));
    }
    let ann = kglink::annotate::to_entities(&text, &links);
    assert!(ann.iter().all(|e| e.end <= chars));
});
