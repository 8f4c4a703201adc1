//! The seed article (read from ../shared, never committed) comes out with its
//! people, countries and places linked and typed.

use kglink::annotate::Annotator;
use kglink::kb::Kb;
use kglink::model::EntityType;

#[test]
fn seed_article_is_linked() {
    let Some(path) = crate::shared("seed/article.txt") else {
        return;
    };
    let text = std::fs::read_to_string(path).unwrap();
    let kb = Kb::bundled().unwrap();
    let ann = Annotator::new(kb).annotate(&text, Some("2019-02-28"));
    let ids: Vec<&str> = ann.entities.iter().map(|e| e.id.as_str()).collect();
    for (qid, who) in [
        ("Q22686", "Donald Trump"),
        ("Q56226", "Kim Jong-un"),
        ("Q423", "North Korea"),
        ("Q30", "United States"),
        ("Q17", "Japan"),
        ("Q334", "Singapore"),
    ] {
        assert!(ids.contains(&qid), "{who} ({qid}) not linked: {ids:?}");
    }
    for name in ["Shinzo Abe", "Kim Jong-il", "Junichiro Koizumi"] {
        let e = ann
            .entities
            .iter()
            .find(|e| e.text == name)
            .unwrap_or_else(|| panic!("{name} not found"));
        assert!(!e.nil, "{name} not linked to the KB: {e:?}");
        assert_eq!(e.etype, EntityType::Per);
        assert_eq!(kb.entity(kb.by_qid(&e.id).unwrap()).label, name);
    }
    for place in ["Hanoi", "Pyongyang", "Washington"] {
        let found: Vec<_> = ann.entities.iter().filter(|e| e.text == place).collect();
        assert!(!found.is_empty(), "{place} not found");
        for e in found {
            assert_eq!(e.etype, EntityType::Loc, "{place} typed {:?}", e.etype);
            assert!(!e.nil, "{place} not linked");
        }
    }
    // no person tagged as an organization
    for e in &ann.entities {
        if let Some(id) = kb.by_qid(&e.id) {
            if kb.entity(id).etype == EntityType::Per {
                assert_eq!(e.etype, EntityType::Per, "{e:?}");
            }
        }
        if ["Trump", "Kim", "Abe", "Trump’s"].contains(&e.text.as_str()) {
            assert_eq!(e.etype, EntityType::Per, "{e:?}");
        }
    }
    // every mention's text is what its offsets say
    let chars: Vec<char> = text.chars().collect();
    for e in &ann.entities {
        assert_eq!(chars[e.start..e.end].iter().collect::<String>(), e.text);
    }
}
