//! The `kglink` binary: parses the command line and maps errors to exit codes
//! (0 success, 1 bad input or a failed item, 2 internal error).

mod cli;

use std::process::ExitCode;

/// Counts the heap, so `kglink serve` can cap what requests use
/// (`--max-memory-mb`; see `kglink::guard::memory`).
#[global_allocator]
static ALLOC: kglink::guard::memory::CountingAlloc = kglink::guard::memory::CountingAlloc;

fn main() -> ExitCode {
    match cli::run() {
        Ok(code) => code,
        Err(e) => {
            // a closed pipe (`kglink query ... | head`) is not an error
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
                    || c.to_string().contains("Broken pipe")
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {e:#}");
            let input = e
                .downcast_ref::<kglink::error::Error>()
                .is_some_and(kglink::error::Error::is_input);
            ExitCode::from(if input { 1 } else { 2 })
        }
    }
}
