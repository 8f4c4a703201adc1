//! The generated tables of the bundled KB (`data/kb/*-open.tsv`): a fresh
//! `kglink kb bundle` over ../shared/reference/open-kb writes exactly the
//! committed files, and the converted entities leave the hand-kept ones first
//! under their own names.

use kglink::kb::{bundle, Kb, BUNDLED_KB};
use kglink::model::EntityType;

#[test]
fn open_tables_are_regenerated_byte_for_byte() {
    let Some(open_kb) = crate::shared("reference/open-kb") else {
        return;
    };
    let out = tempfile::tempdir().unwrap();
    let o = crate::kglink(
        &[
            "kb",
            "bundle",
            "--open-kb",
            open_kb.to_str().unwrap(),
            "--out",
            out.path().to_str().unwrap(),
        ],
        None,
    );
    assert!(o.status.success(), "{}", crate::stderr(&o));
    for name in bundle::FILES {
        let fresh = std::fs::read_to_string(out.path().join(name)).unwrap();
        let committed = std::fs::read_to_string(crate::root().join("data/kb").join(name)).unwrap();
        assert!(
            fresh == committed,
            "data/kb/{name} differs from a fresh conversion: run `cargo run --release -- kb bundle --open-kb ../shared/reference/open-kb --out data/kb`"
        );
    }
}

#[test]
fn hand_kept_entities_stay_first_under_their_names() {
    let hand = Kb::from_sources(
        BUNDLED_KB
            .iter()
            .copied()
            .filter(|(n, _)| !bundle::is_generated(n)),
    )
    .unwrap();
    let full = Kb::bundled().unwrap();
    assert!(full.len() > hand.len() + 5_000);
    let mut lost = Vec::new();
    for (_, e) in hand.iter() {
        for (name, _) in &e.names {
            let top = |kb: &Kb| kb.lookup(name).first().map(|c| kb.entity(c.0).qid.clone());
            let before = top(&hand);
            if before.as_deref() == Some(e.qid.as_str()) && top(full) != before {
                lost.push(format!("{name:?}: {} before, {:?} now", e.qid, top(full)));
            }
        }
    }
    assert!(
        lost.is_empty(),
        "converted entities outrank hand-kept ones:\n{}",
        lost.join("\n")
    );
    // every converted entity is below the hand-set well-known range
    let generated: Vec<_> = full
        .iter()
        .map(|(_, e)| e)
        .filter(|e| hand.by_qid(&e.qid).is_none())
        .collect();
    assert!(generated.iter().all(|e| e.prior <= 50));
    assert!(generated
        .iter()
        .filter(|e| e.etype == EntityType::Per)
        .all(|e| !e.citizenship.is_empty()));
}
