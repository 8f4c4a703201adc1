//! Linking cases as data (`tests/data/linking-cases.jsonl`), one runner: each case
//! is a text (and optional date) with the links it must have (`expect`: text and
//! QID), QIDs that must not appear (`absent`), texts that must not be entities
//! (`absent_text`), names that must be unknown entities (`expect_nil`) and types
//! (`expect_type`).

use kglink::annotate::Annotator;
use kglink::kb::Kb;
use serde_json::Value;

#[test]
fn linking_cases() {
    let kb = Kb::bundled().unwrap();
    let annotator = Annotator::new(kb);
    let data =
        std::fs::read_to_string(crate::root().join("tests/data/linking-cases.jsonl")).unwrap();
    let mut failures = Vec::new();
    let mut n = 0;
    for (i, line) in data.lines().enumerate() {
        let case: Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("line {}: {e}", i + 1));
        n += 1;
        let name = case["name"].as_str().unwrap();
        let text = case["text"].as_str().unwrap();
        let ann = annotator.annotate(text, case["date"].as_str());
        let found: Vec<(String, String, String, bool)> = ann
            .entities
            .iter()
            .map(|e| {
                (
                    e.text.clone(),
                    e.id.clone(),
                    e.etype.as_str().to_string(),
                    e.nil,
                )
            })
            .collect();
        let list = |k: &str| case[k].as_array().cloned().unwrap_or_default();
        for pair in list("expect") {
            let (t, q) = (pair[0].as_str().unwrap(), pair[1].as_str().unwrap());
            if !found.iter().any(|f| f.0 == t && f.1 == q) {
                failures.push(format!("{name}: expected {t:?} -> {q}, got {found:?}"));
            }
        }
        for q in list("absent") {
            let q = q.as_str().unwrap();
            if found.iter().any(|f| f.1 == q) {
                failures.push(format!("{name}: {q} must not be linked, got {found:?}"));
            }
        }
        for t in list("absent_text") {
            let t = t.as_str().unwrap();
            if found.iter().any(|f| f.0 == t) {
                failures.push(format!(
                    "{name}: {t:?} must not be an entity, got {found:?}"
                ));
            }
        }
        for t in list("expect_nil") {
            let t = t.as_str().unwrap();
            if !found.iter().any(|f| f.0 == t && f.3) {
                failures.push(format!(
                    "{name}: {t:?} must be an unknown entity, got {found:?}"
                ));
            }
        }
        for pair in list("expect_type") {
            let (t, ty) = (pair[0].as_str().unwrap(), pair[1].as_str().unwrap());
            if !found.iter().any(|f| f.0 == t && f.2 == ty) {
                failures.push(format!("{name}: {t:?} must be {ty}, got {found:?}"));
            }
        }
    }
    assert!(n >= 20, "only {n} cases");
    assert!(
        failures.is_empty(),
        "{} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
