//! Integration tests, one binary with a module per area.

mod cli;
mod crash;
mod fetch;
mod hostile;
mod http;
mod ingest;
mod kb_build;
mod kb_bundle;
mod kb_online;
mod kb_reference;
mod linking;
mod maintenance;
mod ontology;
mod page;
mod queries;
mod relations;
mod remote;
mod robustness;
mod seed;
mod serve;
mod store;
mod synthetic;
mod tagger;
mod w3c_protocol;

use std::path::PathBuf;
use std::process::{Command, Output};

/// `../shared` beside the project, or `None` (the caller skips with a message).
pub fn shared(rel: &str) -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(rel);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipped: {} is absent", p.display());
        None
    }
}

/// The project root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the `kglink` binary with `args` and optional stdin.
pub fn kglink(args: &[&str], stdin: Option<&[u8]>) -> Output {
    use std::io::Write;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kglink"));
    cmd.args(args)
        .env_remove("KGLINK_STORE")
        .env_remove("KGLINK_KB")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .stdin(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("kglink runs");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input).unwrap();
    } else {
        drop(child.stdin.take());
    }
    child.wait_with_output().unwrap()
}

/// stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
