//! The store: articles replaced atomically, unchanged ones skipped, the KB graph
//! written once.

use kglink::kb::Kb;
use kglink::model::{Article, EntityType, Link, Mention, Origin, Target};
use kglink::rdf;
use kglink::store::{PutOutcome, Store};

fn link(start: usize, end: usize, qid: &str) -> Link {
    Link {
        mention: Mention {
            start,
            end,
            etype: EntityType::Country,
            origin: Origin::Gazetteer,
            sentence: 0,
            title: None,
        },
        target: Target::Known(qid.into()),
        etype: EntityType::Country,
        label: "Japan".into(),
        confidence: 0.9,
    }
}

fn put(store: &Store, a: &Article, links: &[Link]) -> PutOutcome {
    store
        .put_article(
            &rdf::article_iri(&a.id),
            &rdf::content_hash(&a.text),
            &rdf::article_quads(a, links, &[]),
        )
        .unwrap()
}

#[test]
fn articles_are_new_unchanged_or_replaced_whole() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut a = Article {
        id: "a/1".into(),
        text: "Japan won.".into(),
        ..Article::default()
    };
    assert_eq!(put(&store, &a, &[link(0, 5, "Q17")]), PutOutcome::New);
    let n1 = store.len().unwrap();
    assert_eq!(put(&store, &a, &[link(0, 5, "Q17")]), PutOutcome::Unchanged);
    assert_eq!(store.len().unwrap(), n1);
    a.text = "Japan lost.".into();
    assert_eq!(put(&store, &a, &[]), PutOutcome::Replaced);
    // the old mention is gone with the old graph
    assert!(store.len().unwrap() < n1);
    assert_eq!(store.article_count().unwrap(), 1);
    store.delete_article(&rdf::article_iri("a/1")).unwrap();
    assert_eq!(store.article_count().unwrap(), 0);
    assert!(store.is_empty().unwrap());
}

#[test]
fn kb_graph_is_written_once() {
    let store = Store::memory().unwrap();
    let kb = Kb::from_sources([
        ("countries.tsv", "qid\tname\tprior\nQ17\tJapan\t90\n"),
        (
            "places.tsv",
            "qid\tname\tcountry\tprior\nQ1490\tTokyo\tQ17\t80\n",
        ),
    ])
    .unwrap();
    assert!(store.put_kb(&kb).unwrap());
    assert!(!store.put_kb(&kb).unwrap());
    assert_eq!(store.article_count().unwrap(), 0);
}

#[test]
fn article_iris_are_safe_for_any_id() {
    assert_eq!(
        rdf::article_iri("http://x.org/a b?c"),
        "https://w3id.org/kglink/article/http%3A%2F%2Fx.org%2Fa%20b%3Fc"
    );
    assert!(oxigraph::model::NamedNode::new(rdf::article_iri("ünï/\"<>")).is_ok());
}
