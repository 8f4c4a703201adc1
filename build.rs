//! Embeds the bundled knowledge base (`data/kb/*.tsv`) and the saved queries
//! (`queries/*.rq`) into the library.
use std::{env, fs, path::Path};

fn main() {
    let dir = Path::new("data/kb");
    println!("cargo:rerun-if-changed=data/kb");
    let mut files: Vec<String> = fs::read_dir(dir)
        .expect("data/kb exists")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tsv"))
        .collect();
    files.sort();
    let mut out = String::from("/// The bundled knowledge-base files, as `(file name, content)`.\npub static BUNDLED_KB: &[(&str, &str)] = &[\n");
    for f in &files {
        println!("cargo:rerun-if-changed=data/kb/{f}");
        out.push_str(&format!(
            "    ({f:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/data/kb/{f}\"))),\n"
        ));
    }
    out.push_str("];\n");
    println!("cargo:rerun-if-changed=queries");
    let mut queries: Vec<String> = fs::read_dir("queries")
        .expect("queries exists")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".rq"))
        .collect();
    queries.sort();
    out.push_str("/// The saved queries, as `(name, text)`.\npub static SAVED_QUERIES: &[(&str, &str)] = &[\n");
    for f in &queries {
        println!("cargo:rerun-if-changed=queries/{f}");
        let name = f.trim_end_matches(".rq");
        out.push_str(&format!(
            "    ({name:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/queries/{f}\"))),\n"
        ));
    }
    out.push_str("];\n");
    let dest = Path::new(&env::var("OUT_DIR").unwrap()).join("embedded.rs");
    fs::write(dest, out).unwrap();
}
