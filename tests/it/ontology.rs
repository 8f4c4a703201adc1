//! The ontology declares every term the code mints, and the worked example graph
//! parses and is exactly what the code writes for the example article.

use kglink::annotate::Annotator;
use kglink::kb::Kb;
use kglink::model::Article;
use kglink::rdf::vocab::{self, KGL};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{Dataset, Quad, Term};
use std::collections::BTreeSet;

fn load(path: &str, format: RdfFormat) -> Vec<Quad> {
    let data = std::fs::read(crate::root().join(path)).unwrap();
    RdfParser::from_format(format)
        .for_slice(&data)
        .collect::<Result<Vec<_>, _>>()
        .unwrap_or_else(|e| panic!("{path} does not parse: {e}"))
}

#[test]
fn every_vocab_term_is_declared_with_label_comment_and_kind() {
    let quads = load("ontology/kglink.ttl", RdfFormat::Turtle);
    let about = |iri: &str, p: &str| {
        quads
            .iter()
            .any(|q| q.subject.to_string() == format!("<{iri}>") && q.predicate.as_str() == p)
    };
    let declared: BTreeSet<String> = quads
        .iter()
        .filter(|q| q.predicate.as_str() == vocab::RDF_TYPE)
        .map(|q| q.subject.to_string())
        .filter(|s| s.starts_with(&format!("<{KGL}")) && s.len() > KGL.len() + 2)
        .map(|s| s.trim_matches(['<', '>']).to_string())
        .collect();
    for term in vocab::KGL_TERMS {
        assert!(
            declared.contains(*term),
            "{term} is not declared in ontology/kglink.ttl"
        );
        for p in [
            vocab::RDFS_LABEL,
            "http://www.w3.org/2000/01/rdf-schema#comment",
        ] {
            assert!(about(term, p), "{term} lacks {p}");
        }
    }
    let consts: BTreeSet<String> = vocab::KGL_TERMS.iter().map(|s| s.to_string()).collect();
    assert_eq!(declared, consts, "ontology and vocab.rs differ");
    // properties have a range
    for term in vocab::KGL_TERMS {
        let is_class = term[KGL.len()..].starts_with(char::is_uppercase);
        if !is_class {
            assert!(
                about(term, "http://www.w3.org/2000/01/rdf-schema#range"),
                "{term} lacks rdfs:range"
            );
        }
    }
}

fn example_article() -> Article {
    let text = std::fs::read_to_string(crate::root().join("ontology/example.txt")).unwrap();
    Article {
        id: "example".into(),
        title: Some("Abe meets Trump in Tokyo".into()),
        text,
        date: Some("2019-05-27".into()),
        url: Some("https://example.org/news/abe-trump".into()),
        source: Some("kglink example".into()),
    }
}

#[test]
fn worked_example_matches_what_the_code_writes() {
    let kb = Kb::bundled().unwrap();
    let article = example_article();
    let written: Dataset = Annotator::new(kb)
        .article(&article)
        .quads
        .into_iter()
        .collect();
    let path = crate::root().join("ontology/example.trig");
    if std::env::var_os("KGLINK_BLESS").is_some() {
        let mut ser = oxigraph::io::RdfSerializer::from_format(RdfFormat::TriG);
        for (p, iri) in kglink::query::PREFIXES {
            ser = ser.with_prefix(*p, *iri).unwrap();
        }
        let mut w = ser.for_writer(Vec::new());
        let mut quads: Vec<_> = written.iter().collect();
        quads.sort_by_key(|q| q.to_string());
        for q in quads {
            w.serialize_quad(q).unwrap();
        }
        let mut out = b"# A worked example: the graph kglink writes for ontology/example.txt (article id \"example\").\n# Regenerate with KGLINK_BLESS=1 cargo test --release worked_example\n".to_vec();
        out.extend(w.finish().unwrap());
        std::fs::write(&path, out).unwrap();
    }
    let expected: Dataset = load("ontology/example.trig", RdfFormat::TriG)
        .into_iter()
        .collect();
    let only_written: Vec<String> = written
        .iter()
        .filter(|q| !expected.contains(*q))
        .map(|q| q.to_string())
        .collect();
    let only_expected: Vec<String> = expected
        .iter()
        .filter(|q| !written.contains(*q))
        .map(|q| q.to_string())
        .collect();
    assert!(
        only_written.is_empty() && only_expected.is_empty(),
        "example.trig differs from what the code writes (KGLINK_BLESS=1 to regenerate after review)\nonly written: {only_written:#?}\nonly in file: {only_expected:#?}"
    );
    // every kgl: term the code uses is declared
    let onto = load("ontology/kglink.ttl", RdfFormat::Turtle);
    for q in &written {
        for t in [Term::from(q.predicate.into_owned()), q.object.into_owned()] {
            if let Term::NamedNode(n) = t {
                if n.as_str().starts_with(KGL) {
                    assert!(
                        onto.iter().any(|d| d.subject.to_string() == n.to_string()),
                        "{n} is not declared"
                    );
                }
            }
        }
    }
}
