//! Reading the parts of a big paste on several threads (natively; the wasm builds read on one).

/// How many runs a big block is cut into per thread reading it: a thread slowed down leaves
/// the runs it has not reached to the others ([`on_threads`]).
#[cfg(not(target_arch = "wasm32"))]
pub(crate) const RUNS_PER_THREAD: usize = 4;

/// How many threads a big paste is read on: this machine's CPUs, at most 8 (reading a paste is
/// bound by memory well before that).
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn thread_count() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()).min(8)
}

/// Calls `read` on each of `runs`, on up to `threads` threads (this one among them), each
/// thread taking the next run no thread has taken. With more runs than threads, a thread that
/// is slowed (its CPU shared, its pages slower to come) leaves the others the runs it has not
/// reached, instead of being waited for at the end.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn on_threads<R: Send>(runs: &mut [R], threads: usize, read: impl Fn(&mut R) + Sync) {
    let helpers = threads.min(runs.len()).saturating_sub(1);
    let queue = std::sync::Mutex::new(runs.iter_mut());
    let work = || loop {
        // The lock is held only while the next run is taken (to the end of this statement),
        // not while it is read.
        let next = queue.lock().unwrap_or_else(|e| e.into_inner()).next();
        let Some(run) = next else { break };
        read(run);
    };
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..helpers).map(|_| scope.spawn(work)).collect();
        work();
        for h in handles {
            h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        }
    });
}

/// Asks the kernel to back `room` (a big allocation about to be written) with huge pages: a
/// million routes are 88 MB, which in 4 KB pages is 22,000 page faults.
#[cfg(unix)]
pub(crate) fn advise_huge_pages<T>(room: &mut [std::mem::MaybeUninit<T>]) {
    const HUGE_PAGE: usize = 2 << 20;
    let start = (room.as_mut_ptr() as usize).next_multiple_of(HUGE_PAGE);
    let end = (room.as_mut_ptr() as usize + std::mem::size_of_val(room)) / HUGE_PAGE * HUGE_PAGE;
    if start < end {
        // SAFETY: the range lies inside `room`, memory this process owns; MADV_HUGEPAGE only
        // changes how its pages are backed, never what they hold.
        unsafe { libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE) };
    }
}

/// Room for runs to write into in place, one part per count of `counts`, in order: `v`'s
/// spare room past what it holds, grown to hold them all (and asked to be backed by huge
/// pages: a million routes are ~90 MB). Each part is then joined ([`join_parts`]) or, if what
/// was written there is not used, dropped ([`drop_written`]).
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn room_in_parts<T>(v: &mut Vec<T>, counts: impl Iterator<Item = usize> + Clone) -> Vec<&mut [std::mem::MaybeUninit<T>]> {
    let total = counts.clone().sum();
    v.reserve(total);
    #[cfg(unix)]
    advise_huge_pages(v.spare_capacity_mut());
    let mut room = &mut v.spare_capacity_mut()[..total];
    counts
        .map(|count| {
            let (part, rest) = std::mem::take(&mut room).split_at_mut(count);
            room = rest;
            part
        })
        .collect()
}

/// Drops the first `written` items of a part of room whose items are not used.
///
/// # Safety
///
/// They are initialised, and held by nothing else.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) unsafe fn drop_written<T>(part: &mut [std::mem::MaybeUninit<T>], written: usize) {
    for item in &mut part[..written] {
        // SAFETY: initialised and held by nothing else (the caller's promise); dropped once.
        unsafe { item.assume_init_drop() };
    }
}

/// Moves what runs read into `v`'s spare room together: the room past `v.len()` was cut into
/// parts of `room` slots, one per run, in order, and each run wrote `written` items at the
/// start of its part. Afterwards `v` holds them all, in order, after what it held. A part
/// whose every slot was written, after parts that were full too, is not moved at all (a
/// million routes read from a million route lines).
///
/// # Safety
///
/// `v`'s capacity holds every part, and each part's first `written` slots are initialised
/// (and held by nothing else).
#[cfg(not(target_arch = "wasm32"))]
pub(crate) unsafe fn join_parts<T>(v: &mut Vec<T>, parts: impl IntoIterator<Item = (usize, usize)>) {
    let start = v.as_mut_ptr();
    let (mut len, mut at) = (v.len(), v.len());
    for (room, written) in parts {
        if at != len {
            // SAFETY: the part's `written` items at `at..` are initialised and inside the
            // capacity (the caller's promise); moving them down to `len` (< at) keeps them in
            // order, each initialised once, and `ptr::copy` allows the ranges to overlap.
            unsafe { std::ptr::copy(start.add(at), start.add(len), written) };
        }
        len += written;
        at += room;
    }
    // SAFETY: `..len` now holds what `v` held and the parts' items, each initialised.
    unsafe { v.set_len(len) };
}

/// Below this many items, [`fold_parts`] folds a slice on this thread: starting threads costs
/// more than a pass over fewer. (Unit tests share slices of a few hundred, so that what the
/// shared folds give is compared with what one thread gives.)
#[cfg(not(target_arch = "wasm32"))]
pub(crate) const SHARED_ITEMS: usize = if cfg!(test) { 512 } else { 1 << 16 };

/// What `fold` makes of each part of `items` (given the part's first index and its items), in
/// order: one part when `items` is short, else parts folded on several threads. A pass over a
/// million routes (~90 MB) is bound by memory, which two threads read nearly twice as fast as
/// one.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn fold_parts<'a, T: Sync, A: Send>(items: &'a [T], fold: impl Fn(usize, &'a [T]) -> A + Sync) -> Vec<A> {
    if items.len() < SHARED_ITEMS {
        return vec![fold(0, items)];
    }
    let threads = thread_count();
    let size = items.len().div_ceil(threads * RUNS_PER_THREAD);
    let mut parts: Vec<(usize, &'a [T], Option<A>)> = items.chunks(size).enumerate().map(|(k, part)| (k * size, part, None)).collect();
    on_threads(&mut parts, threads, |(first, part, out)| *out = Some(fold(*first, part)));
    parts.into_iter().filter_map(|(_, _, out)| out).collect()
}

/// `fold(items, acc)`, natively in parts on several threads when `items` are many: each part
/// folded into an empty `A`, and those merged into `acc` in order by `merge`. (The wasm builds,
/// which have one thread, fold `items` into `acc` at once.)
pub(crate) fn fold_into<'a, T: Sync, A: Default + Send>(items: &'a [T], acc: &mut A, fold: impl Fn(&'a [T], &mut A) + Sync, mut merge: impl FnMut(&mut A, A)) {
    #[cfg(not(target_arch = "wasm32"))]
    if items.len() >= SHARED_ITEMS {
        for part in fold_parts(items, |_, part| {
            let mut folded = A::default();
            fold(part, &mut folded);
            folded
        }) {
            merge(acc, part);
        }
        return;
    }
    let _ = &mut merge;
    fold(items, acc);
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::{SHARED_ITEMS, fold_parts, on_threads};

    #[test]
    fn every_run_is_read_once() {
        for (runs, threads) in [(0, 2), (1, 4), (7, 2), (64, 3), (5, 1)] {
            let mut counts = vec![0u32; runs];
            on_threads(&mut counts, threads, |n| *n += 1);
            assert!(counts.iter().all(|&n| n == 1), "{runs} runs on {threads} threads: {counts:?}");
        }
    }

    #[test]
    fn parts_cover_the_items_in_order() {
        for n in [0, 1, SHARED_ITEMS - 1, SHARED_ITEMS, SHARED_ITEMS * 3 + 7] {
            let items: Vec<usize> = (0..n).collect();
            let parts = fold_parts(&items, |first, part| (first, part.to_vec()));
            assert!(parts.iter().all(|(first, part)| part.first().is_none_or(|x| x == first)), "{n}");
            assert_eq!(parts.into_iter().flat_map(|(_, part)| part).collect::<Vec<_>>(), items, "{n}");
        }
    }
}
