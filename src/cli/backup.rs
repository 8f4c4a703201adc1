//! `kglink backup` and `kglink restore`: Oxigraph's backup of the store folder.

use super::StoreArgs;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The backup folder to create (must not exist). On the same file system as
    /// the store it mostly holds hard links, so it is quick and small.
    dir: PathBuf,
    #[command(flatten)]
    store: StoreArgs,
}

pub fn run_backup(args: BackupArgs) -> anyhow::Result<ExitCode> {
    if args.store.memory {
        anyhow::bail!("an in-memory store cannot be backed up (use `kglink dump`)");
    }
    let store = args.store.open()?;
    kglink::store::maintenance::backup(&store, &args.dir)?;
    eprintln!(
        "backed up {} to {}",
        args.store.store.display(),
        args.dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// A folder made by `kglink backup`; it is copied into `--store DIR`, which
    /// must not exist or be empty.
    backup: PathBuf,
    #[command(flatten)]
    store: StoreArgs,
}

pub fn run_restore(args: RestoreArgs) -> anyhow::Result<ExitCode> {
    if args.store.memory {
        anyhow::bail!("restore needs an on-disk store: --store DIR");
    }
    kglink::store::maintenance::restore(&args.backup, &args.store.store)?;
    eprintln!(
        "restored {} into {}",
        args.backup.display(),
        args.store.store.display()
    );
    Ok(ExitCode::SUCCESS)
}
