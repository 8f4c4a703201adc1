//! Wikidata Query Service results in the SPARQL 1.1 JSON format
//! (`{"head":{"vars":[...]},"results":{"bindings":[...]}}`).
//!
//! Variables read (others are ignored): `item` (required, the entity IRI),
//! `itemLabel` or `label` or `name`, `itemDescription` or `description`,
//! `itemAltLabel` or `aliases` (WDQS joins them with `, `), and for the type either
//! `type` (`PER`, `ORG`, `COUNTRY`, `LOC`) or `class` (a `P31` value, mapped as in
//! the JSON dump); `sitelinks`, `prior`, `country`, `article` (an
//! `en.wikipedia.org` URL) are optional. Several rows for one item (one per class,
//! say) merge into one record. A row with neither a known type nor a known class
//! is skipped.

use super::wikidata::{alias_ok, clean, CLASSES};
use super::{ImportOptions, Record};
use crate::error::{Error, Result};
use crate::model::EntityType;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

#[derive(Deserialize)]
struct Results {
    head: Head,
    results: Bindings,
}

#[derive(Deserialize)]
struct Head {
    vars: Vec<String>,
}

#[derive(Deserialize)]
struct Bindings {
    bindings: Vec<HashMap<String, Value>>,
}

#[derive(Deserialize)]
struct Value {
    value: String,
}

fn qid_of(iri: &str) -> Option<&str> {
    let q = iri.rsplit('/').next()?;
    super::super::is_qid(q).then_some(q)
}

/// Reads WDQS JSON results, calling `sink` for every typed item.
pub fn read(path: &Path, opts: &ImportOptions, sink: &mut dyn FnMut(Record)) -> Result<()> {
    let reader = super::open(path)?;
    let res: Results = serde_json::from_reader(reader).map_err(|e| {
        Error::parse(
            path,
            e.line(),
            format!("column {}: not SPARQL JSON results: {e}", e.column()),
        )
    })?;
    let has = |v: &str| res.head.vars.iter().any(|x| x == v);
    if !has("item") {
        return Err(Error::parse(path, 1, "results have no `item` variable"));
    }
    if !has("type") && !has("class") {
        return Err(Error::parse(
            path,
            1,
            "results have neither a `type` nor a `class` variable",
        ));
    }
    let mut order: Vec<String> = Vec::new();
    let mut records: HashMap<String, Record> = HashMap::new();
    for (i, row) in res.results.bindings.iter().enumerate() {
        let get = |names: &[&str]| {
            names
                .iter()
                .find_map(|n| row.get(*n))
                .map(|v| v.value.as_str())
        };
        let row_no = i + 1;
        let item = get(&["item"]).ok_or_else(|| {
            Error::parse(path, 1, format!("result row {row_no}: no `item` binding"))
        })?;
        let qid = qid_of(item).ok_or_else(|| {
            Error::parse(
                path,
                1,
                format!("result row {row_no}: `item` {item:?} is not a Wikidata item"),
            )
        })?;
        let typed = match get(&["type"]) {
            Some(t) => Some((
                EntityType::parse(t).ok_or_else(|| {
                    Error::parse(path, 1, format!("result row {row_no}: unknown type {t:?}"))
                })?,
                "other",
            )),
            None => get(&["class"]).and_then(qid_of).and_then(|c| {
                opts.extra_classes
                    .iter()
                    .find(|(q, _)| q == c)
                    .map(|(_, t)| (*t, "other"))
                    .or_else(|| {
                        CLASSES
                            .iter()
                            .find(|(q, _, _)| *q == c)
                            .map(|(_, t, k)| (*t, *k))
                    })
            }),
        };
        let Some((etype, kind)) = typed else { continue };
        let name = get(&["itemLabel", "label", "name"]).map(clean);
        let Some(name) = name.filter(|n| !n.is_empty() && n != qid) else {
            continue;
        };
        let r = records.entry(qid.to_string()).or_insert_with(|| {
            order.push(qid.to_string());
            Record {
                qid: qid.to_string(),
                etype: Some(etype),
                kind: kind.to_string(),
                name: name.clone(),
                ..Record::default()
            }
        });
        if let Some(d) = get(&["itemDescription", "description"]) {
            r.description.get_or_insert_with(|| clean(d));
        }
        for a in get(&["itemAltLabel", "aliases"])
            .into_iter()
            .flat_map(|s| s.split(", "))
        {
            let a = clean(a);
            if !alias_ok(&a) || a == r.name || r.aliases.contains(&a) || r.acronyms.contains(&a) {
                continue;
            }
            if super::looks_like_acronym(&a) {
                r.acronyms.push(a);
            } else {
                r.aliases.push(a);
            }
        }
        if let Some(n) = get(&["sitelinks"]) {
            r.sitelinks = Some(n.parse().map_err(|_| {
                Error::parse(path, 1, format!("result row {row_no}: sitelinks {n:?}"))
            })?);
        }
        if let Some(p) = get(&["prior"]) {
            r.prior = Some(
                p.parse()
                    .ok()
                    .filter(|p| (1..=100).contains(p))
                    .ok_or_else(|| {
                        Error::parse(path, 1, format!("result row {row_no}: prior {p:?}"))
                    })?,
            );
        }
        if let Some(c) = get(&["country"]).and_then(qid_of) {
            if r.country.is_none() && c != qid && etype != EntityType::Country {
                r.country = Some(c.to_string());
            }
        }
        if let Some(a) = get(&["article"]) {
            if let Some(t) = a.strip_prefix("https://en.wikipedia.org/wiki/") {
                r.enwiki = Some(t.replace('_', " "));
            }
        }
    }
    for q in order {
        if let Some(r) = records.remove(&q) {
            sink(r);
        }
    }
    Ok(())
}
