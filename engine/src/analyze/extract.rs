//! Moving some of a big Vec's elements out of it without holding them twice.

/// Moves the elements of `v` for which `take` is true into `sink`, in order, and keeps the
/// others in `v`, in order: `Vec::extract_if`, except that the room the moved elements leave
/// behind is given back to the kernel as it grows. A million routes of which a tenth go to
/// another table are then resident once, not once plus the tenth (the moved routes' new Vec
/// grows while the gap they left in the old one is released).
#[cfg(unix)]
pub(crate) fn extract_releasing<T>(v: &mut Vec<T>, mut take: impl FnMut(&T) -> bool, mut sink: impl FnMut(T)) {
    /// The gap is released once this much of it is unreleased, in whole huge pages: the
    /// parser asks for them for a big Vec of routes (parse::room_in_parts), and releasing
    /// part of one splits it, so that writing there again faults page by page (a million-route
    /// table: 0.03 s more than whole huge pages, for 2 MB less at the peak).
    const RELEASE: usize = 2 << 20;
    const UNIT: usize = 2 << 20;
    let len = v.len();
    let base = v.as_mut_ptr();
    let size = std::mem::size_of::<T>();
    // Should `take` or `sink` panic, the elements not yet moved leak instead of being dropped
    // twice.
    // SAFETY: 0 <= len; the elements stay initialised until moved below.
    unsafe { v.set_len(0) };
    let mut kept = 0;
    // Where the released room ends (an address): room released before need not be again.
    let mut released = 0usize;
    for i in 0..len {
        // SAFETY: i < len: the element is initialised and not yet moved.
        let here = unsafe { base.add(i) };
        if take(unsafe { &*here }) {
            // SAFETY: moved out once; its slot is not read again.
            sink(unsafe { std::ptr::read(here) });
        } else {
            if kept != i {
                // SAFETY: kept < i: slot `kept` was moved out of earlier (a gap), and the
                // element moves into it once.
                unsafe { std::ptr::copy_nonoverlapping(here, base.add(kept), 1) };
            }
            kept += 1;
        }
        // Slots kept..=i are the gap: nothing in them is read again before it is written.
        let unreleased = (base as usize + kept * size).max(released);
        let gap_end = base as usize + (i + 1) * size;
        if gap_end.saturating_sub(unreleased) >= RELEASE {
            let (start, end) = (unreleased.next_multiple_of(UNIT), gap_end / UNIT * UNIT);
            if start < end {
                // SAFETY: start..end is whole pages inside the gap, memory of `v`'s allocation
                // whose contents are dead; MADV_DONTNEED gives them back, and a later write
                // into them (as kept grows) faults in zeroed pages.
                unsafe { libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_DONTNEED) };
                released = end;
            }
        }
    }
    // SAFETY: slots 0..kept hold the kept elements, in order, each initialised once.
    unsafe { v.set_len(kept) };
}

#[cfg(not(unix))]
pub(crate) fn extract_releasing<T>(v: &mut Vec<T>, mut take: impl FnMut(&T) -> bool, sink: impl FnMut(T)) {
    v.extract_if(.., |x| take(x)).for_each(sink);
}

#[cfg(test)]
mod tests {
    use super::extract_releasing;

    #[test]
    fn moves_the_taken_out_and_keeps_the_rest_in_order() {
        // Big enough to release room (a gap of several huge pages).
        let mut v: Vec<[u64; 8]> = (0..200_000u64).map(|i| [i; 8]).collect();
        let mut taken = Vec::new();
        extract_releasing(&mut v, |x| x[0] % 3 != 0, |x| taken.push(x));
        assert!(v.iter().map(|x| x[0]).eq((0..200_000).filter(|i| i % 3 == 0)));
        assert!(taken.iter().map(|x| x[0]).eq((0..200_000).filter(|i| i % 3 != 0)));
        assert!(v.iter().chain(&taken).all(|x| x.iter().all(|&y| y == x[0])));
    }
}
