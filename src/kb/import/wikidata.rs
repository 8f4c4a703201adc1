//! Wikidata entity JSON: the JSON dump (`[`, one entity a line with a trailing
//! comma, `]`; plain, `.gz` or `.bz2`) and entity documents (`{"entities":{...}}`,
//! as `Special:EntityData/Q42.json` and the `wbgetentities` API return them).
//!
//! An entity is kept when one of its `P31` (instance of) values is a class of
//! [`CLASSES`] (or one given with `--class`); offices ([`POSITION_CLASSES`]) are
//! kept as positions. Deprecated statements are skipped, and a preferred statement
//! wins over normal ones for single-valued properties.

use super::{located, looks_like_acronym, wikidata_date, ImportOptions, Record, Tenure};
use crate::error::{Error, Result};
use crate::model::EntityType;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

/// `P31` classes mapped to a type and a kind. Direct instances only: the dump has
/// no class hierarchy, so a subclass counts only when it is listed here.
pub const CLASSES: &[(&str, EntityType, &str)] = &[
    ("Q5", EntityType::Per, "person"),
    ("Q6256", EntityType::Country, "state"),
    ("Q3624078", EntityType::Country, "state"),
    ("Q7275", EntityType::Country, "state"),
    ("Q112099", EntityType::Country, "state"),
    ("Q3024240", EntityType::Country, "historical"),
    ("Q1763527", EntityType::Country, "territory"),
    ("Q161243", EntityType::Country, "territory"),
    ("Q46395", EntityType::Country, "territory"),
    ("Q5119", EntityType::Loc, "capital"),
    ("Q515", EntityType::Loc, "city"),
    ("Q1549591", EntityType::Loc, "city"),
    ("Q1637706", EntityType::Loc, "city"),
    ("Q200250", EntityType::Loc, "city"),
    ("Q1093829", EntityType::Loc, "city"),
    ("Q22865", EntityType::Loc, "city"),
    ("Q3957", EntityType::Loc, "city"),
    ("Q486972", EntityType::Loc, "city"),
    ("Q15284", EntityType::Loc, "city"),
    ("Q484170", EntityType::Loc, "city"),
    ("Q747074", EntityType::Loc, "city"),
    ("Q2074737", EntityType::Loc, "city"),
    ("Q42744322", EntityType::Loc, "city"),
    ("Q262166", EntityType::Loc, "city"),
    ("Q755707", EntityType::Loc, "city"),
    ("Q1840161", EntityType::Loc, "city"),
    ("Q35657", EntityType::Loc, "region"),
    ("Q835714", EntityType::Loc, "region"),
    ("Q13390680", EntityType::Loc, "region"),
    ("Q10864048", EntityType::Loc, "region"),
    ("Q107390", EntityType::Loc, "region"),
    ("Q34876", EntityType::Loc, "region"),
    ("Q1221156", EntityType::Loc, "region"),
    ("Q5107", EntityType::Loc, "other"),
    ("Q23442", EntityType::Loc, "other"),
    ("Q165", EntityType::Loc, "other"),
    ("Q4022", EntityType::Loc, "other"),
    ("Q245065", EntityType::Org, "igo"),
    ("Q484652", EntityType::Org, "igo"),
    ("Q7278", EntityType::Org, "party"),
    ("Q327333", EntityType::Org, "government"),
    ("Q2659904", EntityType::Org, "government"),
    ("Q11204", EntityType::Org, "legislature"),
    ("Q1752346", EntityType::Org, "legislature"),
    ("Q1320047", EntityType::Org, "news_agency"),
    ("Q11032", EntityType::Org, "media"),
    ("Q1616075", EntityType::Org, "media"),
    ("Q1331793", EntityType::Org, "media"),
    ("Q4830453", EntityType::Org, "company"),
    ("Q783794", EntityType::Org, "company"),
    ("Q891723", EntityType::Org, "company"),
    ("Q6881511", EntityType::Org, "company"),
    ("Q66344", EntityType::Org, "central_bank"),
    ("Q476028", EntityType::Org, "sports"),
    ("Q847017", EntityType::Org, "sports"),
    ("Q6979593", EntityType::Org, "sports"),
    ("Q79913", EntityType::Org, "ngo"),
    ("Q163740", EntityType::Org, "ngo"),
    ("Q3918", EntityType::Org, "other"),
    ("Q43229", EntityType::Org, "other"),
];

/// `P31` classes of offices, with the role they give.
pub const POSITION_CLASSES: &[(&str, &str)] = &[
    ("Q48352", "head_of_state"),
    ("Q30461", "head_of_state"),
    ("Q2285706", "head_of_government"),
    ("Q14212", "head_of_government"),
    ("Q83307", "minister"),
    ("Q4164871", "other"),
    ("Q294414", "other"),
];

/// A JSON object, or `[]` where Wikidata writes an empty map as an empty list
/// (entities without aliases or sitelinks in the dumps).
fn map_or_empty_list<'de, D, V>(d: D) -> std::result::Result<HashMap<String, V>, D::Error>
where
    D: serde::Deserializer<'de>,
    V: Deserialize<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum MapOrList<V> {
        Map(HashMap<String, V>),
        List(Vec<serde::de::IgnoredAny>),
    }
    match MapOrList::<V>::deserialize(d)? {
        MapOrList::Map(m) => Ok(m),
        MapOrList::List(l) if l.is_empty() => Ok(HashMap::new()),
        MapOrList::List(_) => Err(serde::de::Error::custom("expected an object or []")),
    }
}

#[derive(Debug, Deserialize)]
struct Text {
    value: String,
}

#[derive(Debug, Deserialize)]
struct Sitelink {
    title: String,
}

#[derive(Debug, Deserialize)]
struct Snak {
    #[serde(default)]
    datavalue: Option<DataValue>,
}

#[derive(Debug, Deserialize)]
struct DataValue {
    value: serde_json::Value,
}

#[derive(Debug, Deserialize)]
struct Statement {
    mainsnak: Snak,
    #[serde(default)]
    rank: Option<String>,
    #[serde(default, deserialize_with = "map_or_empty_list")]
    qualifiers: HashMap<String, Vec<Snak>>,
}

/// One entity as Wikidata serializes it (the fields kglink reads).
#[derive(Debug, Deserialize)]
pub struct Entity {
    id: String,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default, deserialize_with = "map_or_empty_list")]
    labels: HashMap<String, Text>,
    #[serde(default, deserialize_with = "map_or_empty_list")]
    descriptions: HashMap<String, Text>,
    #[serde(default, deserialize_with = "map_or_empty_list")]
    aliases: HashMap<String, Vec<Text>>,
    #[serde(default, deserialize_with = "map_or_empty_list")]
    claims: HashMap<String, Vec<Statement>>,
    #[serde(default, deserialize_with = "map_or_empty_list")]
    sitelinks: HashMap<String, Sitelink>,
    /// Set on an entity `wbgetentities` did not find.
    #[serde(default)]
    missing: Option<serde_json::Value>,
}

impl Entity {
    /// An entity from parts (for importers of other formats): `claims` maps a
    /// property to the `datavalue.value`s of its (truthy) statements.
    pub(crate) fn from_parts(
        id: String,
        labels: Vec<(String, String)>,
        descriptions: Vec<(String, String)>,
        aliases: Vec<(String, String)>,
        claims: Vec<(String, serde_json::Value)>,
        sitelinks: Vec<(String, String)>,
    ) -> Entity {
        let text = |v: Vec<(String, String)>| {
            v.into_iter()
                .map(|(l, value)| (l, Text { value }))
                .collect::<HashMap<_, _>>()
        };
        let mut alias_map: HashMap<String, Vec<Text>> = HashMap::new();
        for (l, value) in aliases {
            alias_map.entry(l).or_default().push(Text { value });
        }
        let mut claim_map: HashMap<String, Vec<Statement>> = HashMap::new();
        for (p, value) in claims {
            claim_map.entry(p).or_default().push(Statement {
                mainsnak: Snak {
                    datavalue: Some(DataValue { value }),
                },
                rank: None,
                qualifiers: HashMap::new(),
            });
        }
        Entity {
            id,
            kind: None,
            labels: text(labels),
            descriptions: text(descriptions),
            aliases: alias_map,
            claims: claim_map,
            sitelinks: sitelinks
                .into_iter()
                .map(|(site, title)| (site, Sitelink { title }))
                .collect(),
            missing: None,
        }
    }
}

impl Snak {
    fn qid(&self) -> Option<&str> {
        self.datavalue.as_ref()?.value.get("id")?.as_str()
    }

    fn string(&self) -> Option<&str> {
        self.datavalue.as_ref()?.value.as_str()
    }

    fn monolingual(&self) -> Option<(&str, &str)> {
        let v = &self.datavalue.as_ref()?.value;
        Some((v.get("language")?.as_str()?, v.get("text")?.as_str()?))
    }

    fn date(&self) -> Option<String> {
        let v = &self.datavalue.as_ref()?.value;
        wikidata_date(v.get("time")?.as_str()?, v.get("precision")?.as_u64()?)
    }
}

impl Entity {
    /// Statements of `prop` that count: preferred ones if any, else normal
    /// ones; never deprecated ones.
    fn best(&self, prop: &str) -> Vec<&Statement> {
        let all: Vec<&Statement> = self
            .claims
            .get(prop)
            .map(|v| {
                v.iter()
                    .filter(|s| s.rank.as_deref() != Some("deprecated"))
                    .collect()
            })
            .unwrap_or_default();
        if all.iter().any(|s| s.rank.as_deref() == Some("preferred")) {
            all.into_iter()
                .filter(|s| s.rank.as_deref() == Some("preferred"))
                .collect()
        } else {
            all
        }
    }

    /// Every non-deprecated statement of `prop`.
    fn all(&self, prop: &str) -> impl Iterator<Item = &Statement> {
        self.claims
            .get(prop)
            .into_iter()
            .flatten()
            .filter(|s| s.rank.as_deref() != Some("deprecated"))
    }

    fn qids(&self, prop: &str) -> Vec<String> {
        let mut v: Vec<String> = self
            .best(prop)
            .iter()
            .filter_map(|s| s.mainsnak.qid())
            .map(String::from)
            .collect();
        v.dedup();
        v
    }

    fn first_qid(&self, prop: &str) -> Option<String> {
        self.qids(prop).into_iter().next()
    }

    fn first_string(&self, prop: &str) -> Option<String> {
        self.best(prop)
            .iter()
            .find_map(|s| s.mainsnak.string())
            .map(String::from)
    }

    /// The record for this entity, or `None` when its classes are not kept.
    pub fn to_record(&self, opts: &ImportOptions) -> Option<Record> {
        if self.missing.is_some() || self.kind.as_deref().is_some_and(|k| k != "item") {
            return None;
        }
        let classes: Vec<&str> = self.all("P31").filter_map(|s| s.mainsnak.qid()).collect();
        let class = classes.iter().find_map(|c| {
            opts.extra_classes
                .iter()
                .find(|(q, _)| q == c)
                .map(|(_, t)| (*t, "other"))
                .or_else(|| {
                    CLASSES
                        .iter()
                        .find(|(q, _, _)| q == c)
                        .map(|(_, t, k)| (*t, *k))
                })
        });
        let role = classes
            .iter()
            .find_map(|c| POSITION_CLASSES.iter().find(|(q, _)| q == c))
            .map(|(_, r)| *r);
        let (etype, kind) = match (class, role) {
            (Some((t, k)), _) => (Some(t), k.to_string()),
            (None, Some(r)) => (None, r.to_string()),
            (None, None) => return None,
        };
        let name = opts
            .langs
            .iter()
            .find_map(|l| self.labels.get(l))
            .map(|t| clean(&t.value))
            .filter(|n| !n.is_empty())?;
        let mut aliases = Vec::new();
        let mut acronyms = Vec::new();
        for lang in &opts.langs {
            if let Some(t) = self.labels.get(lang) {
                let v = clean(&t.value);
                if v != name && alias_ok(&v) && !aliases.contains(&v) {
                    aliases.push(v);
                }
            }
            for t in self.aliases.get(lang).into_iter().flatten() {
                let v = clean(&t.value);
                if !alias_ok(&v) || v == name || aliases.contains(&v) || acronyms.contains(&v) {
                    continue;
                }
                if looks_like_acronym(&v) {
                    acronyms.push(v);
                } else {
                    aliases.push(v);
                }
            }
        }
        let description = opts
            .langs
            .iter()
            .find_map(|l| self.descriptions.get(l))
            .map(|t| clean(&t.value))
            .filter(|d| !d.is_empty());
        let demonyms = {
            let mut v = Vec::new();
            for s in self.all("P1549") {
                if let Some((lang, text)) = s.mainsnak.monolingual() {
                    let text = clean(text);
                    if opts.langs.iter().any(|l| l == lang) && !v.contains(&text) {
                        v.push(text);
                    }
                }
            }
            v
        };
        let mut positions = Vec::new();
        for s in self.all("P39") {
            let Some(p) = s.mainsnak.qid() else { continue };
            let q = |prop: &str| s.qualifiers.get(prop)?.iter().find_map(Snak::date);
            positions.push(Tenure {
                position: p.to_string(),
                start: q("P580"),
                end: q("P582"),
            });
        }
        let country = if etype.is_none() {
            self.first_qid("P1001").or_else(|| self.first_qid("P17"))
        } else if etype == Some(EntityType::Country) {
            None
        } else {
            self.first_qid("P17").filter(|c| *c != self.id)
        };
        Some(Record {
            qid: self.id.clone(),
            etype,
            kind,
            name,
            official_name: None,
            aliases,
            acronyms,
            demonyms,
            description,
            prior: None,
            sitelinks: Some(self.sitelinks.len() as u32),
            enwiki: self.sitelinks.get("enwiki").map(|s| clean(&s.title)),
            country,
            citizenship: self.qids("P27"),
            capital: self.first_qid("P36"),
            headquarters: self.first_qid("P159"),
            memberships: self.qids("P463"),
            iso2: self.first_string("P297"),
            iso3: self.first_string("P298"),
            positions,
            titles: Vec::new(),
        })
    }
}

/// Whether an alias is worth matching in text: it has a letter, no `:` (not an
/// identifier like `UN/LOCODE:PTLIS`), and is not a short lower-case code
/// (`be`, `cn`) that would match ordinary words.
pub(crate) fn alias_ok(s: &str) -> bool {
    let letters = s.chars().filter(|c| c.is_alphabetic()).count();
    letters > 0 && !s.contains(':') && (s.chars().count() > 3 || s.chars().any(char::is_uppercase))
}

/// A name or description made safe for the TSV cells: tabs, newlines and bars
/// become spaces, runs of spaces one.
pub(crate) fn clean(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c == '|')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Reads a dump or an entity document, calling `sink` for every entity kept by
/// its class (the type and sitelink filters are the caller's).
pub fn read(path: &Path, opts: &ImportOptions, sink: &mut dyn FnMut(Record)) -> Result<()> {
    let mut reader = super::open(path)?;
    let first = {
        let buf = reader.fill_buf().map_err(|e| Error::io(path, e))?;
        buf.iter().find(|b| !b.is_ascii_whitespace()).copied()
    };
    match first {
        Some(b'[') => read_dump(path, reader, opts, sink),
        Some(b'{') => read_document(path, reader, opts, sink),
        _ => Err(Error::BadInput {
            path: path.into(),
            message:
                "not Wikidata entity JSON (expected `[` for a dump or `{` for an entity document)"
                    .into(),
        }),
    }
}

fn read_dump(
    path: &Path,
    reader: impl std::io::BufRead,
    opts: &ImportOptions,
    sink: &mut dyn FnMut(Record),
) -> Result<()> {
    let mut opened = false;
    let mut closed = false;
    let mut last = (0usize, 0u64);
    super::for_each_line(path, reader, &mut |line, offset, bytes| {
        last = (line, offset + bytes.len() as u64);
        let t = bytes.trim_ascii();
        if t.is_empty() {
            return Ok(());
        }
        if closed {
            return Err(located(path, line, offset, "data after the closing `]`"));
        }
        if !opened {
            if t != b"[" {
                return Err(located(path, line, offset, "a dump starts with a line `[`"));
            }
            opened = true;
            return Ok(());
        }
        if t == b"]" {
            closed = true;
            return Ok(());
        }
        let t = t.strip_suffix(b",").unwrap_or(t);
        let entity: Entity = serde_json::from_slice(t).map_err(|e| {
            located(
                path,
                line,
                offset + e.column().saturating_sub(1) as u64,
                format!("bad entity JSON: {e}"),
            )
        })?;
        if let Some(r) = entity.to_record(opts) {
            sink(r);
        }
        Ok(())
    })?;
    if !closed {
        return Err(located(
            path,
            last.0,
            last.1,
            "truncated dump: input ends before the closing `]`",
        ));
    }
    Ok(())
}

#[derive(Deserialize)]
struct Document {
    entities: HashMap<String, Entity>,
}

fn read_document(
    path: &Path,
    reader: impl std::io::Read,
    opts: &ImportOptions,
    sink: &mut dyn FnMut(Record),
) -> Result<()> {
    let doc: Document = serde_json::from_reader(reader).map_err(|e| {
        Error::parse(
            path,
            e.line(),
            format!("column {}: not an entity document: {e}", e.column()),
        )
    })?;
    let mut entities: Vec<Entity> = doc.entities.into_values().collect();
    entities.sort_by(|a, b| a.id.cmp(&b.id));
    for e in &entities {
        if let Some(r) = e.to_record(opts) {
            sink(r);
        }
    }
    Ok(())
}

/// The records of an entity document held in memory (a `wbgetentities` answer),
/// sorted by QID; `what` names it in errors.
pub fn records_from_document(
    what: &str,
    bytes: &[u8],
    opts: &ImportOptions,
) -> Result<Vec<Record>> {
    let mut out = Vec::new();
    read_document(Path::new(what), bytes, opts, &mut |r| out.push(r))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entity(json: &str) -> Entity {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn ranks_and_qualifiers() {
        let e = entity(
            r#"{"id":"Q1","type":"item","labels":{"en":{"value":"Ann Example"}},
            "claims":{
              "P31":[{"mainsnak":{"datavalue":{"value":{"id":"Q5"}}},"rank":"normal"}],
              "P27":[{"mainsnak":{"datavalue":{"value":{"id":"Q30"}}},"rank":"normal"},
                     {"mainsnak":{"datavalue":{"value":{"id":"Q16"}}},"rank":"preferred"},
                     {"mainsnak":{"datavalue":{"value":{"id":"Q17"}}},"rank":"deprecated"}],
              "P39":[{"mainsnak":{"datavalue":{"value":{"id":"Q11696"}}},"rank":"normal",
                      "qualifiers":{"P580":[{"datavalue":{"value":{"time":"+2017-01-20T00:00:00Z","precision":11}}}],
                                    "P582":[{"datavalue":{"value":{"time":"+2021-00-00T00:00:00Z","precision":9}}}]}},
                     {"mainsnak":{"datavalue":{"value":{"id":"Q1"}}},"rank":"deprecated"}]
            },
            "sitelinks":{"enwiki":{"title":"Ann Example"},"dewiki":{"title":"Ann"}}}"#,
        );
        let r = e.to_record(&ImportOptions::default()).unwrap();
        assert_eq!(r.etype, Some(EntityType::Per));
        assert_eq!(r.citizenship, ["Q16"]);
        assert_eq!(r.sitelinks, Some(2));
        assert_eq!(r.enwiki.as_deref(), Some("Ann Example"));
        assert_eq!(
            r.positions,
            [Tenure {
                position: "Q11696".into(),
                start: Some("2017-01-20".into()),
                end: Some("2021".into())
            }]
        );
    }

    #[test]
    fn empty_maps_written_as_lists() {
        let e = entity(
            r#"{"id":"Q9","labels":{"en":{"value":"X"}},"aliases":[],"sitelinks":[],"claims":{"P31":[{"mainsnak":{"datavalue":{"value":{"id":"Q5"}}},"qualifiers":[]}]}}"#,
        );
        assert_eq!(e.to_record(&ImportOptions::default()).unwrap().name, "X");
        assert!(serde_json::from_str::<Entity>(r#"{"id":"Q9","aliases":[1]}"#).is_err());
    }

    #[test]
    fn alias_hygiene() {
        assert!(alias_ok("Lisboa"));
        assert!(alias_ok("PT"));
        assert!(!alias_ok("pt"));
        assert!(!alias_ok("🇵🇹"));
        assert!(!alias_ok("UN/LOCODE:PTLIS"));
    }

    #[test]
    fn unknown_classes_and_missing_labels_are_skipped() {
        let opts = ImportOptions::default();
        let e = entity(
            r#"{"id":"Q2","claims":{"P31":[{"mainsnak":{"datavalue":{"value":{"id":"Q13442814"}}}}]},"labels":{"en":{"value":"A paper"}}}"#,
        );
        assert!(e.to_record(&opts).is_none());
        let e = entity(
            r#"{"id":"Q3","claims":{"P31":[{"mainsnak":{"datavalue":{"value":{"id":"Q5"}}}}]},"labels":{"de":{"value":"Jemand"}}}"#,
        );
        assert!(e.to_record(&opts).is_none());
        let opts = ImportOptions {
            langs: vec!["en".into(), "de".into()],
            ..ImportOptions::default()
        };
        assert_eq!(e.to_record(&opts).unwrap().name, "Jemand");
    }
}
