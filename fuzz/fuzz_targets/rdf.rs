//! Arbitrary bytes as an RDF upload in each syntax the server reads
//! (Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD, N3), through the
//! bounded reader every upload takes: caps on triples, bytes and RDF/XML
//! entity expansion. Nothing may panic, and no read may pass its caps.
#![no_main]

use kglink::guard::{read_quads, RdfLimits};
use libfuzzer_sys::fuzz_target;
use oxigraph::io::{RdfFormat, RdfParser};

const MEDIA_TYPES: [&str; 7] = [
    "text/turtle",
    "application/n-triples",
    "application/n-quads",
    "application/trig",
    "application/rdf+xml",
    "application/ld+json",
    "text/n3",
];

fuzz_target!(|data: &[u8]| {
    let limits = RdfLimits {
        max_quads: 10_000,
        max_bytes: 1 << 20,
        max_entity_expansion: 1 << 16,
    };
    for format in MEDIA_TYPES.iter().filter_map(|m| RdfFormat::from_media_type(m)) {
        let Ok(parser) = RdfParser::from_format(format).with_base_iri("http://e/") else {
            continue;
        };
        let mut n = 0u64;
        let _ = read_quads(parser, format, data, &limits, &|| false, &mut |_| {
            n += 1;
            Ok(())
        });
        assert!(n <= limits.max_quads);
    }
});
