//! `--emit nquads DIR`: article graphs as N-Quads files for a store's bulk loader
//! (Oxigraph `load`, Fuseki `tdb2.tdbloader`, GraphDB `importrdf`, Virtuoso
//! `ld_dir`). Each batch becomes one file, `part-NNNNNN.nq` (with `--shard i/n`,
//! `shard-i-of-n-NNNNNN.nq`), written under a temporary name and renamed when
//! complete, so a killed job leaves no partial file and a rerun rewrites the same
//! files with the same content.

use super::shard::Shard;
use super::sink::{Prepared, Sink};
use crate::error::{Error, Result};
use crate::store::PutOutcome;
use oxigraph::io::{RdfFormat, RdfSerializer};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Writes N-Quads files into a folder.
pub struct NQuadsSink {
    dir: PathBuf,
    prefix: String,
    next: AtomicUsize,
}

impl NQuadsSink {
    /// A sink writing into `dir` (created if missing).
    pub fn new(dir: PathBuf, shard: Shard) -> Result<NQuadsSink> {
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let prefix = if shard.count > 1 {
            format!("shard-{}-of-{}", shard.index, shard.count)
        } else {
            "part".to_string()
        };
        Ok(NQuadsSink {
            dir,
            prefix,
            next: AtomicUsize::new(0),
        })
    }

    fn write_file(&self, batch: &[Prepared]) -> Result<()> {
        let n = self.next.fetch_add(1, Ordering::SeqCst);
        let path = self.dir.join(format!("{}-{n:06}.nq", self.prefix));
        let tmp = self.dir.join(format!(".{}-{n:06}.nq.tmp", self.prefix));
        let file = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        let mut w =
            RdfSerializer::from_format(RdfFormat::NQuads).for_writer(std::io::BufWriter::new(file));
        for a in batch {
            for q in &a.quads {
                w.serialize_quad(q).map_err(|e| Error::io(&tmp, e))?;
            }
        }
        let buf = w.finish().map_err(|e| Error::io(&tmp, e))?;
        let file = buf
            .into_inner()
            .map_err(|e| Error::io(&tmp, e.into_error()))?;
        file.sync_all().map_err(|e| Error::io(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| Error::io(&path, e))?;
        Ok(())
    }
}

impl Sink for NQuadsSink {
    fn stored_hashes(&self, graphs: &[&str]) -> Result<Vec<Option<String>>> {
        Ok(vec![None; graphs.len()])
    }

    fn write(&self, batch: &[Prepared]) -> Vec<std::result::Result<PutOutcome, String>> {
        if batch.is_empty() {
            return Vec::new();
        }
        match self.write_file(batch) {
            Ok(()) => vec![Ok(PutOutcome::New); batch.len()],
            Err(e) => vec![Err(e.to_string()); batch.len()],
        }
    }

    fn finish(&self) -> Result<()> {
        Ok(())
    }

    fn describe(&self) -> String {
        format!("N-Quads files in {}", self.dir.display())
    }
}
