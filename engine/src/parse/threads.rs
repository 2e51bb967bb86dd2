//! Reading the parts of a big paste on several threads (natively; the wasm builds read on one).

/// How many runs a big block is cut into per thread reading it: a thread slowed down leaves
/// the runs it has not reached to the others ([`on_threads`]).
pub(crate) const RUNS_PER_THREAD: usize = 4;

/// How many threads a big paste is read on: this machine's CPUs, at most 8 (reading a paste is
/// bound by memory well before that).
pub(crate) fn thread_count() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()).min(8)
}

/// Calls `read` on each of `runs`, on up to `threads` threads (this one among them), each
/// thread taking the next run no thread has taken. With more runs than threads, a thread that
/// is slowed (its CPU shared, its pages slower to come) leaves the others the runs it has not
/// reached, instead of being waited for at the end.
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

#[cfg(test)]
mod tests {
    use super::on_threads;

    #[test]
    fn every_run_is_read_once() {
        for (runs, threads) in [(0, 2), (1, 4), (7, 2), (64, 3), (5, 1)] {
            let mut counts = vec![0u32; runs];
            on_threads(&mut counts, threads, |n| *n += 1);
            assert!(counts.iter().all(|&n| n == 1), "{runs} runs on {threads} threads: {counts:?}");
        }
    }
}
