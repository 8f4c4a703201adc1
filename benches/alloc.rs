//! What the server's counting allocator ([`kglink::guard::memory::CountingAlloc`],
//! the binary's global allocator) costs annotation: the same articles of
//! Reuters-21578 (`../shared/corpus/reuters21578.jsonl`; skipped with a message
//! when absent) annotated on one thread with every allocation counted and with
//! the system allocator alone, in alternating rounds of one process (a switch
//! in front of both, whose branch both modes pay). Reports the median words/s
//! of each and their ratio.
//!
//! `cargo bench --bench alloc [-- ROUNDS [LIMIT]]`

use kglink::annotate::Annotator;
use kglink::guard::memory::CountingAlloc;
use kglink::kb::Kb;
use std::alloc::{GlobalAlloc, Layout, System};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

static COUNTING: AtomicBool = AtomicBool::new(false);

/// The counting allocator or the system one, as [`COUNTING`] says. A block
/// is freed by the allocator that gave it: both free through `System`, and
/// the counter's bookkeeping only drifts (it is not read here).
struct Switch;

unsafe impl GlobalAlloc for Switch {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            unsafe { CountingAlloc.alloc(layout) }
        } else {
            unsafe { System.alloc(layout) }
        }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if COUNTING.load(Ordering::Relaxed) {
            unsafe { CountingAlloc.dealloc(ptr, layout) }
        } else {
            unsafe { System.dealloc(ptr, layout) }
        }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            unsafe { CountingAlloc.realloc(ptr, layout, new_size) }
        } else {
            unsafe { System.realloc(ptr, layout, new_size) }
        }
    }
}

#[global_allocator]
static ALLOC: Switch = Switch;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let rounds: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(7);
    let limit: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(4000);
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/reuters21578.jsonl");
    let Ok(data) = std::fs::read_to_string(&path) else {
        eprintln!("skipped: {} is absent", path.display());
        return;
    };
    let texts: Vec<(String, Option<String>)> = data
        .lines()
        .take(limit)
        .map(|l| {
            let a = kglink::ingest::input::parse_record(l).expect("corpus records parse");
            (a.text, a.date)
        })
        .collect();
    let words: usize = texts.iter().map(|t| t.0.split_whitespace().count()).sum();
    kglink::guard::memory::install(None);
    let annotator = Annotator::new(Kb::bundled().expect("bundled KB loads"));
    let run = |counting: bool| -> (f64, usize) {
        COUNTING.store(counting, Ordering::Relaxed);
        let t = Instant::now();
        let mut n = 0;
        for (text, date) in &texts {
            n += annotator.links(text, date.as_deref()).len();
        }
        COUNTING.store(false, Ordering::Relaxed);
        (t.elapsed().as_secs_f64(), n)
    };
    run(false); // warm up
    let (mut plain, mut counted) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let (a, n) = run(false);
        let (b, m) = run(true);
        assert_eq!(n, m, "the same links either way");
        assert!(n > 0);
        plain.push(a);
        counted.push(b);
    }
    let (a, b) = (median(plain), median(counted));
    println!(
        "{} articles, {} words, {} rounds, one thread\nsystem allocator:   median {:.3}s = {:.0} words/s\ncounting allocator: median {:.3}s = {:.0} words/s\ncounting / system throughput: {:.3}",
        texts.len(),
        words,
        rounds,
        a,
        words as f64 / a,
        b,
        words as f64 / b,
        a / b
    );
}
