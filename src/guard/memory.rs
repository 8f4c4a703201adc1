//! A cap on the heap the server's requests may use together.
//!
//! [`CountingAlloc`] wraps the system allocator and keeps the bytes live on
//! the heap. Work that a request runs (a query, a write, an annotation)
//! enters a [`Budget`] on its thread; when an allocation of that thread finds
//! the heap over the cap, the work's cancellation token is cancelled, which
//! Oxigraph honours at its next read of the store, and the request is
//! answered 503. Some evaluation never reads the store (a cross product of
//! `VALUES` blocks, strings doubled by `BIND`), and some goes on reading
//! after it was cancelled, turning each read into an error it keeps (a hash
//! join over the whole store), which ends when its scans end. If such work
//! allocates as much again as the cap after it was cancelled (so the heap
//! never passes twice the cap), its thread is parked for good inside the
//! allocator, before the allocation: it takes no more memory or CPU, its
//! request gets its 503 at the deadline, and the memory it holds is set
//! aside (counted apart, not against the cap) so the server goes on serving.
//! That memory is lost until the server restarts; once it passes the cap
//! too, the server is [`degraded`]: it refuses new work and `/health`
//! answers 503, so a supervisor restarts it (`/metrics` shows both). Only the binary
//! installs the allocator (`#[global_allocator]` in `main.rs`); without it
//! nothing is counted and no work is cancelled for memory.

use oxigraph::sparql::CancellationToken;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static INSTALLED: AtomicBool = AtomicBool::new(false);
/// The cap in bytes; `usize::MAX` when none is set.
static CAP: AtomicUsize = AtomicUsize::new(usize::MAX);
/// Threads parked for good because their work could not be stopped.
static PARKED: AtomicUsize = AtomicUsize::new(0);
/// Bytes those threads hold.
static PARKED_BYTES: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static WORK: Cell<*const Budget> = const { Cell::new(std::ptr::null()) };
}

/// The system allocator, counting the bytes live.
pub struct CountingAlloc;

unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        admit(layout.size());
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            added(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        admit(layout.size());
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            added(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        removed(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            admit(new_size - layout.size());
        }
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                added(new_size - layout.size());
            } else {
                removed(layout.size() - new_size);
            }
        }
        p
    }
}

#[inline]
fn added(bytes: usize) {
    LIVE.fetch_add(bytes, Ordering::Relaxed);
    let work = WORK.with(Cell::get);
    if !work.is_null() {
        // SAFETY: see `over_cap`
        unsafe { &*work }
            .used
            .fetch_add(bytes as isize, Ordering::Relaxed);
    }
}

#[inline]
fn removed(bytes: usize) {
    LIVE.fetch_sub(bytes, Ordering::Relaxed);
    let work = WORK.with(Cell::get);
    if !work.is_null() {
        // SAFETY: see `over_cap`
        unsafe { &*work }
            .used
            .fetch_sub(bytes as isize, Ordering::Relaxed);
    }
}

/// Called before `bytes` more are allocated.
#[inline]
fn admit(bytes: usize) {
    let after = counted().saturating_add(bytes);
    if after > CAP.load(Ordering::Relaxed) {
        over_cap(after);
    }
}

/// Bytes live, less those held by parked threads.
#[inline]
fn counted() -> usize {
    LIVE.load(Ordering::Relaxed)
        .saturating_sub(PARKED_BYTES.load(Ordering::Relaxed))
}

#[cold]
fn over_cap(after: usize) {
    let work = WORK.with(Cell::get);
    if work.is_null() {
        return;
    }
    // SAFETY: the pointer is set by `Budget::enter` from an `Arc` the
    // entered guard keeps alive, and cleared when the guard drops.
    let budget = unsafe { &*work };
    if !budget.exceeded.swap(true, Ordering::Relaxed) {
        budget.at_cancel.store(after, Ordering::Relaxed);
        budget.token.cancel();
        return;
    }
    let cap = CAP.load(Ordering::Relaxed);
    let at_cancel = budget.at_cancel.load(Ordering::Relaxed);
    if after > at_cancel.saturating_add(cap) {
        // the work ignored its cancellation and still grows: park it for
        // good, before the allocation (nothing here allocates), and set
        // aside what it holds
        let held = budget.used.load(Ordering::Relaxed).max(0) as usize;
        PARKED_BYTES.fetch_add(held, Ordering::Relaxed);
        PARKED.fetch_add(1, Ordering::Relaxed);
        loop {
            std::thread::sleep(Duration::from_secs(3600));
        }
    }
}

/// Bytes live on the heap (0 unless [`CountingAlloc`] is the global
/// allocator and [`install`] was called).
pub fn live() -> usize {
    if INSTALLED.load(Ordering::Relaxed) {
        LIVE.load(Ordering::Relaxed)
    } else {
        0
    }
}

/// Threads parked because their work could not be stopped, and the bytes
/// they hold.
pub fn parked() -> (usize, usize) {
    (
        PARKED.load(Ordering::Relaxed),
        PARKED_BYTES.load(Ordering::Relaxed),
    )
}

/// True when parked threads hold more than the cap: the server should
/// refuse new work and be restarted.
pub fn degraded() -> bool {
    PARKED_BYTES.load(Ordering::Relaxed) > CAP.load(Ordering::Relaxed)
}

/// Says that [`CountingAlloc`] is the global allocator and sets the cap
/// (`None`: count, but never cancel).
pub fn install(cap: Option<usize>) {
    INSTALLED.store(true, Ordering::Relaxed);
    CAP.store(cap.unwrap_or(usize::MAX), Ordering::Relaxed);
}

/// True when the counting allocator was installed.
pub fn installed() -> bool {
    INSTALLED.load(Ordering::Relaxed)
}

/// The work of one request, as the allocator sees it.
pub struct Budget {
    token: CancellationToken,
    exceeded: AtomicBool,
    /// The heap when the work was cancelled.
    at_cancel: AtomicUsize,
    /// Bytes allocated less bytes freed by the work's thread while it ran.
    used: std::sync::atomic::AtomicIsize,
}

impl Budget {
    /// A budget that cancels `token` when the heap passes the cap.
    pub fn new(token: CancellationToken) -> Arc<Budget> {
        Arc::new(Budget {
            token,
            exceeded: AtomicBool::new(false),
            at_cancel: AtomicUsize::new(0),
            used: std::sync::atomic::AtomicIsize::new(0),
        })
    }

    /// True once the work was cancelled because the heap passed the cap.
    pub fn exceeded(&self) -> bool {
        self.exceeded.load(Ordering::Relaxed)
    }

    /// Charges the allocations of this thread to `budget` until the guard
    /// drops.
    pub fn enter(budget: &Arc<Budget>) -> Entered {
        let b = budget.clone();
        WORK.with(|w| w.set(Arc::as_ptr(&b)));
        Entered { _budget: b }
    }
}

/// Clears the thread's budget when dropped.
pub struct Entered {
    /// Kept alive while the thread points to it.
    _budget: Arc<Budget>,
}

impl Drop for Entered {
    fn drop(&mut self) {
        WORK.with(|w| w.set(std::ptr::null()));
    }
}
