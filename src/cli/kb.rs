//! `kglink kb`: build, update, inspect and export knowledge bases.

use super::{progress, KbArgs, StoreArgs};
use anyhow::{bail, Context};
use clap::{Args, Subcommand, ValueEnum};
use kglink::kb::build::{self, Added, Builder, Manifest, SourceNote, UpdateNote};
use kglink::kb::disk::{DiskIndex, INDEX_FILE};
use kglink::kb::import::{self, ImportOptions};
use kglink::kb::Kb;
use kglink::model::EntityType;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct KbCommand {
    #[command(subcommand)]
    command: KbSub,
}

#[derive(Debug, Subcommand)]
enum KbSub {
    /// Build a KB directory from Wikidata exports and tables.
    Build(BuildArgs),
    /// Apply entity JSON (a wbgetentities answer or a dump slice) to a KB directory.
    Update(UpdateArgs),
    /// Counts, version and update history of a KB.
    Stats(StatsArgs),
    /// The candidates for a name, with their scores.
    Lookup(LookupArgs),
    /// The KB as RDF (the triples `ingest` stores in the KB graph).
    Export(ExportArgs),
    /// Convert the open sources (FB15k, Natural Earth) into the generated
    /// tables of the bundled KB (`*-open.tsv`, see data/kb/README.md).
    Bundle(BundleArgs),
}

/// Filters shared by `build` and `update`.
#[derive(Debug, Args)]
struct FilterArgs {
    /// Languages of labels, aliases and descriptions, in order of preference.
    #[arg(long, value_delimiter = ',', default_value = "en")]
    lang: Vec<String>,
    /// Types to keep: per, org, country, loc.
    #[arg(long, value_delimiter = ',', default_value = "per,org,country,loc")]
    types: Vec<String>,
    /// Keep only entities with at least this many sitelinks.
    #[arg(long, default_value_t = 0)]
    min_sitelinks: u32,
    /// Extra P31 classes to keep, as `QID=TYPE` (`Q4438121=ORG`), on top of the
    /// built-in list.
    #[arg(long = "class", value_name = "QID=TYPE")]
    classes: Vec<String>,
}

impl FilterArgs {
    fn options(&self) -> anyhow::Result<ImportOptions> {
        let mut types = Vec::new();
        for t in &self.types {
            let parsed = EntityType::parse(&t.to_uppercase())
                .with_context(|| format!("--types: unknown type {t:?} (per, org, country, loc)"))?;
            types.push(parsed);
        }
        let mut extra = Vec::new();
        for c in &self.classes {
            let (q, t) = c
                .split_once('=')
                .with_context(|| format!("--class {c:?}: expected QID=TYPE"))?;
            if !kglink::kb::is_qid(q) {
                bail!("--class {c:?}: {q:?} is not a QID");
            }
            let t = EntityType::parse(&t.to_uppercase())
                .with_context(|| format!("--class {c:?}: unknown type {t:?}"))?;
            extra.push((q.to_string(), t));
        }
        Ok(ImportOptions {
            langs: self.lang.clone(),
            types,
            min_sitelinks: self.min_sitelinks,
            extra_classes: extra,
            positions: true,
        })
    }
}

#[derive(Debug, Args)]
struct BuildArgs {
    /// Sources: Wikidata JSON dumps or entity documents (.json, .json.gz,
    /// .json.bz2), truthy N-Triples (.nt[.gz|.bz2]), WDQS JSON results, TSV or
    /// JSONL tables; `bundled` for the bundled KB; `-` for Wikidata entity JSON
    /// on standard input (e.g. from a parallel decompressor); a directory for a
    /// KB directory (the TSV tables of data/kb/README.md).
    #[arg(long, required = true, num_args = 1..)]
    from: Vec<String>,
    /// The KB directory to write (replaced atomically if it exists).
    #[arg(long)]
    out: PathBuf,
    /// Apply the bundled KB last, so its hand-checked records win for the QIDs it has.
    #[arg(long)]
    with_bundled: bool,
    #[command(flatten)]
    filter: FilterArgs,
}

#[derive(Debug, Args)]
struct UpdateArgs {
    /// The KB directory to update.
    #[arg(long, required = true)]
    kb: PathBuf,
    /// Entity JSON files: wbgetentities answers, Special:EntityData documents or
    /// dump slices (or any other source `kb build` reads).
    #[arg(long, required = true, num_args = 1..)]
    from: Vec<PathBuf>,
    /// Also replace the KB graph of this store with the updated KB.
    #[arg(long)]
    sync_store: bool,
    #[command(flatten)]
    store: StoreArgs,
    #[command(flatten)]
    filter: FilterArgs,
}

#[derive(Debug, Args)]
struct StatsArgs {
    /// Read every record and postings list of the index (a full check).
    #[arg(long)]
    verify: bool,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    kb: KbArgs,
}

#[derive(Debug, Args)]
struct LookupArgs {
    /// The name to look up.
    name: String,
    /// Print JSON Lines.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    kb: KbArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum RdfOut {
    /// Turtle.
    Ttl,
    /// N-Triples.
    Nt,
}

#[derive(Debug, Args)]
struct BundleArgs {
    /// The directory of the open sources (`reference/open-kb` in ../shared).
    #[arg(long)]
    open_kb: PathBuf,
    /// Where to write people-open.tsv, organizations-open.tsv and places-open.tsv
    /// (data/kb to update the bundled KB).
    #[arg(long)]
    out: PathBuf,
}

#[derive(Debug, Args)]
struct ExportArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "ttl")]
    format: RdfOut,
    /// Output file (default: standard output).
    #[arg(long, short)]
    output: Option<PathBuf>,
    #[command(flatten)]
    kb: KbArgs,
}

pub fn run(args: KbCommand) -> anyhow::Result<ExitCode> {
    match args.command {
        KbSub::Build(a) => build_cmd(a),
        KbSub::Update(a) => update_cmd(a),
        KbSub::Stats(a) => stats_cmd(a),
        KbSub::Lookup(a) => lookup_cmd(a),
        KbSub::Export(a) => export_cmd(a),
        KbSub::Bundle(a) => bundle_cmd(a),
    }
}

/// Writes the generated tables; the hand-kept tables are the bundled ones.
fn bundle_cmd(a: BundleArgs) -> anyhow::Result<ExitCode> {
    let files = kglink::kb::bundle::bundle(&a.open_kb, kglink::kb::BUNDLED_KB.iter().copied())?;
    std::fs::create_dir_all(&a.out).with_context(|| format!("creating {}", a.out.display()))?;
    for (name, content) in files {
        let path = a.out.join(name);
        std::fs::write(&path, &content).with_context(|| format!("writing {}", path.display()))?;
        let rows = content.lines().filter(|l| !l.starts_with('#')).count() - 1;
        eprintln!("wrote {}: {rows} entities", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Imports one source into the builder, with a progress spinner.
fn import_into(
    builder: &mut Builder,
    path: &Path,
    opts: &ImportOptions,
    counts: &mut [usize; 3],
) -> anyhow::Result<SourceNote> {
    let pb = progress(None, &format!("reading {}", path.display()));
    let stats = import::import(
        path,
        opts,
        &mut |r| {
            let i = match builder.add(r) {
                Added::New => 0,
                Added::Changed => 1,
                Added::Unchanged => 2,
            };
            counts[i] += 1;
        },
        &mut |n| {
            if n % 1024 == 0 {
                pb.set_position(n);
            }
        },
    )?;
    pb.finish_and_clear();
    eprintln!(
        "{}: {} read, {} kept",
        path.display(),
        stats.read,
        stats.kept
    );
    Ok(SourceNote {
        path: path.display().to_string(),
        read: stats.read,
        kept: stats.kept,
    })
}

fn build_cmd(a: BuildArgs) -> anyhow::Result<ExitCode> {
    let opts = a.filter.options()?;
    let mut builder = Builder::new();
    let mut notes = Vec::new();
    let mut counts = [0usize; 3];
    for src in &a.from {
        if src == "bundled" {
            builder.add_kb(Kb::bundled()?);
            notes.push(bundled_note()?);
        } else if Path::new(src).is_dir() {
            // a KB directory (TSV tables of data/kb/README.md, or one made by `kb build`)
            let records = build::read_dir_records(Path::new(src))?;
            let n = records.len() as u64;
            for r in records {
                builder.add(r);
            }
            eprintln!("{src}: {n} entities and positions");
            notes.push(SourceNote {
                path: src.clone(),
                read: n,
                kept: n,
            });
        } else {
            notes.push(import_into(
                &mut builder,
                Path::new(src),
                &opts,
                &mut counts,
            )?);
        }
    }
    if a.with_bundled {
        builder.add_kb(Kb::bundled()?);
        notes.push(bundled_note()?);
    }
    if builder.is_empty() {
        bail!("no entity passed the filters; nothing to build");
    }
    let pb = progress(None, "writing the KB");
    let manifest = builder.write(&a.out, Manifest::new(notes))?;
    pb.finish_and_clear();
    eprintln!(
        "wrote {}: {} ({} references to absent entities dropped)",
        a.out.display(),
        counts_line(&manifest),
        manifest.dropped_references
    );
    Ok(ExitCode::SUCCESS)
}

fn bundled_note() -> anyhow::Result<SourceNote> {
    let kb = Kb::bundled()?;
    let n = (kb.len() + kb.positions().len()) as u64;
    Ok(SourceNote {
        path: "bundled".into(),
        read: n,
        kept: n,
    })
}

fn counts_line(m: &Manifest) -> String {
    m.counts
        .iter()
        .map(|(k, v)| format!("{v} {k}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn update_cmd(a: UpdateArgs) -> anyhow::Result<ExitCode> {
    let opts = a.filter.options()?;
    if a.kb.is_dir() && !a.kb.join(build::MANIFEST).is_file() {
        bail!(
            "{}: no {} — `kb update` works on directories made by `kglink kb build`; make one with `kglink kb build --from {} --out NEW_DIR`",
            a.kb.display(),
            build::MANIFEST,
            a.kb.display()
        );
    }
    let mut manifest = build::read_manifest(&a.kb)?;
    let mut builder = Builder::new();
    for r in build::read_dir_records(&a.kb)? {
        builder.add(r);
    }
    for src in &a.from {
        let mut counts = [0usize; 3];
        import_into(&mut builder, src, &opts, &mut counts)?;
        manifest.updates.push(UpdateNote {
            time: build::now_rfc3339(),
            source: src.display().to_string(),
            added: counts[0],
            changed: counts[1],
            unchanged: counts[2],
        });
        eprintln!(
            "{}: {} added, {} changed, {} unchanged",
            src.display(),
            counts[0],
            counts[1],
            counts[2]
        );
    }
    manifest.version += 1;
    let manifest = builder.write(&a.kb, manifest)?;
    eprintln!(
        "{} is at version {}: {}",
        a.kb.display(),
        manifest.version,
        counts_line(&manifest)
    );
    if a.sync_store {
        let kb = Kb::load_dir(&a.kb)?;
        let store = a.store.open()?;
        let changed = store.sync_kb(&kb)?;
        store.flush()?;
        eprintln!(
            "store KB graph {}",
            if changed {
                "replaced"
            } else {
                "already current"
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn stats_cmd(a: StatsArgs) -> anyhow::Result<ExitCode> {
    let mut out = serde_json::Map::new();
    let index = match &a.kb.kb {
        Some(dir) if dir.join(INDEX_FILE).exists() => Some(DiskIndex::open(&dir.join(INDEX_FILE))?),
        _ => None,
    };
    let manifest =
        a.kb.kb
            .as_deref()
            .and_then(|d| build::read_manifest(d).ok());
    match (&index, &manifest) {
        (Some(idx), Some(m)) => {
            // a built KB: the manifest and the index say everything without
            // loading the tables
            out.insert("counts".into(), serde_json::to_value(&m.counts)?);
            if a.verify {
                idx.verify()?;
            }
        }
        _ => {
            let kb = a.kb.load()?;
            let mut counts = serde_json::Map::new();
            let by_type = kb.counts();
            for t in EntityType::ALL {
                let n = by_type.get(&t).copied().unwrap_or(0);
                counts.insert(t.as_str().into(), n.into());
            }
            counts.insert("positions".into(), kb.positions().len().into());
            out.insert("counts".into(), counts.into());
            out.insert("keys".into(), kb.index().len().into());
        }
    }
    if let Some(idx) = &index {
        out.insert("entities".into(), idx.len().into());
        out.insert("keys".into(), idx.keys().into());
        out.insert("index_bytes".into(), idx.bytes().into());
    }
    if let Some(m) = &manifest {
        out.insert("version".into(), m.version.into());
        out.insert("built".into(), m.built.clone().into());
        out.insert("sources".into(), serde_json::to_value(&m.sources)?);
        out.insert("updates".into(), serde_json::to_value(&m.updates)?);
        out.insert("dropped_references".into(), m.dropped_references.into());
    }
    let stdout = std::io::stdout();
    let mut w = stdout.lock();
    if a.json {
        serde_json::to_writer_pretty(&mut w, &out)?;
        writeln!(w)?;
    } else {
        for (k, v) in &out {
            match v {
                serde_json::Value::Object(o) => {
                    let parts: Vec<String> = o.iter().map(|(k, v)| format!("{k} {v}")).collect();
                    writeln!(w, "{k}: {}", parts.join(", "))?;
                }
                serde_json::Value::Array(items) => {
                    writeln!(w, "{k}: {}", items.len())?;
                    for i in items {
                        writeln!(w, "  {i}")?;
                    }
                }
                serde_json::Value::String(s) => writeln!(w, "{k}: {s}")?,
                v => writeln!(w, "{k}: {v}")?,
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn lookup_cmd(a: LookupArgs) -> anyhow::Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut w = stdout.lock();
    let mut rows: Vec<serde_json::Value> = Vec::new();
    // a built KB directory is read through its index, the bundled KB and
    // bare tables are compiled in memory: the same lookup either way
    let kb = a.kb.load()?;
    for (id, kind, score) in kb.lookup(&a.name) {
        let e = kb.entity(id);
        rows.push(serde_json::json!({
            "qid": e.qid, "type": e.etype.as_str(), "alias_kind": kind.as_str(),
            "score": round3(score), "label": e.label,
            "description": e.description.clone().unwrap_or_default(),
        }));
    }
    for r in &rows {
        if a.json {
            writeln!(w, "{r}")?;
        } else {
            writeln!(
                w,
                "{}\t{}\t{}\t{:.2}\t{}\t{}",
                r["qid"].as_str().unwrap_or(""),
                r["type"].as_str().unwrap_or(""),
                r["alias_kind"].as_str().unwrap_or(""),
                r["score"].as_f64().unwrap_or(0.0),
                r["label"].as_str().unwrap_or(""),
                r["description"].as_str().unwrap_or("")
            )?;
        }
    }
    if rows.is_empty() {
        eprintln!("no candidates for {:?}", a.name);
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

fn export_cmd(a: ExportArgs) -> anyhow::Result<ExitCode> {
    use oxigraph::io::{RdfFormat, RdfSerializer};
    let kb = a.kb.load()?;
    let quads = kglink::rdf::kb_quads(kb);
    let out: Box<dyn Write> = match &a.output {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("{}", p.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let mut ser = match a.format {
        RdfOut::Ttl => {
            let mut s = RdfSerializer::from_format(RdfFormat::Turtle);
            for (p, iri) in kglink::query::PREFIXES {
                s = s.with_prefix(*p, *iri)?;
            }
            s
        }
        RdfOut::Nt => RdfSerializer::from_format(RdfFormat::NTriples),
    }
    .for_writer(out);
    for q in quads {
        ser.serialize_triple(&oxigraph::model::Triple::from(q))?;
    }
    ser.finish()?.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// A score for JSON: three decimals, not the f32's binary noise.
fn round3(x: f32) -> f64 {
    (f64::from(x) * 1000.0).round() / 1000.0
}
