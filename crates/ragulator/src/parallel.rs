//! Work split into pieces, done on scoped threads, and merged in input
//! order: how reading a large table and judging a large batch use more
//! than one core and still give the one-thread result.
//!
//! The caller's thread does the first piece (give it a little less than an
//! even share), then merges the others as they arrive, doing unclaimed
//! pieces itself while it waits, so that merging (usually a copy into the
//! first piece's vector) overlaps the other threads' work. No pool and no
//! runtime: `std::thread::scope`, one call at a time. WebAssembly has no
//! threads: there the pieces are done one after the other.

/// Does `first` and every piece of `rest` with `work`, on up to `threads`
/// threads (the caller's included), and merges each piece's result into
/// the first's with `merge`, in the order of `rest`. `None` when a piece's
/// work panicked (nothing is merged after it).
///
/// ```
/// use ragulator::parallel::in_order;
/// let squares = in_order(vec![0], vec![vec![1, 2], vec![3]], 2, |v: Vec<i32>| {
///     v.into_iter().map(|x| x * x).collect::<Vec<_>>()
/// }, |all, more| all.extend(more));
/// assert_eq!(squares, Some(vec![0, 1, 4, 9]));
/// ```
#[cfg(not(target_arch = "wasm32"))]
pub fn in_order<W: Send, T: Send>(
    first: W,
    rest: Vec<W>,
    threads: usize,
    work: impl Fn(W) -> T + Sync,
    mut merge: impl FnMut(&mut T, T),
) -> Option<T> {
    use std::collections::BTreeMap;
    use std::panic::{catch_unwind, AssertUnwindSafe};
    use std::sync::{mpsc, Mutex};

    let count = rest.len();
    let queue = Mutex::new(rest.into_iter().enumerate());
    let claim = || queue.lock().ok().and_then(|mut q| q.next());
    let (done_tx, done_rx) = mpsc::channel::<(usize, Option<T>)>();
    // A piece whose work panicked gives None, on any thread.
    let work = |piece| catch_unwind(AssertUnwindSafe(|| work(piece))).ok();
    let work = &work;
    std::thread::scope(|scope| {
        for _ in 1..threads.min(count + 1) {
            let done = done_tx.clone();
            let claim = &claim;
            scope.spawn(move || {
                while let Some((i, piece)) = claim() {
                    if done.send((i, work(piece))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done_tx);
        let mut all = work(first)?;
        // Pieces done but not yet merged, by index.
        let mut waiting = BTreeMap::new();
        let mut next = 0;
        while next < count {
            if let Some(result) = waiting.remove(&next) {
                merge(&mut all, result?);
                next += 1;
            } else if let Some((i, piece)) = claim() {
                waiting.insert(i, work(piece));
            } else {
                let (i, result) = done_rx.recv().ok()?;
                waiting.insert(i, result);
            }
        }
        Some(all)
    })
}

/// WebAssembly has no threads: the pieces one after the other.
#[cfg(target_arch = "wasm32")]
pub fn in_order<W, T>(
    first: W,
    rest: Vec<W>,
    _threads: usize,
    work: impl Fn(W) -> T,
    mut merge: impl FnMut(&mut T, T),
) -> Option<T> {
    let mut all = work(first);
    for piece in rest {
        merge(&mut all, work(piece));
    }
    Some(all)
}

/// Splits `0..total` into a first share for the caller's thread (a little
/// under an even share among `threads`, since the caller also merges) and
/// pieces of about `piece` for whichever thread is free; one range when
/// `threads` is 1.
///
/// ```
/// use ragulator::parallel::shares;
/// assert_eq!(shares(10, 1, 4), vec![0..10]);
/// assert_eq!(shares(100, 2, 20), vec![0..45, 45..65, 65..85, 85..100]);
/// ```
pub fn shares(total: usize, threads: usize, piece: usize) -> Vec<std::ops::Range<usize>> {
    if threads <= 1 || total == 0 {
        let all = 0..total;
        return vec![all];
    }
    let head = (total * 9 / (10 * threads))
        .max(piece.min(total))
        .min(total);
    let piece = piece.max(1);
    std::iter::once(0..head)
        .chain(
            (head..total)
                .step_by(piece)
                .map(|from| from..(from + piece).min(total)),
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{in_order, shares};
    use proptest::prelude::*;

    proptest! {
        /// Merged in input order whatever the threads and piece sizes,
        /// and the shares cover the range once, in order.
        #[test]
        fn pieces_merge_in_order(total in 0usize..500, threads in 1usize..5, piece in 1usize..60) {
            let ranges = shares(total, threads, piece);
            prop_assert_eq!(ranges.iter().map(|r| r.len()).sum::<usize>(), total);
            prop_assert!(ranges.windows(2).all(|w| w[0].end == w[1].start));
            let mut ranges = ranges.into_iter();
            let first = ranges.next().unwrap_or(0..0);
            let all = in_order(first, ranges.collect(), threads, |r| r.collect::<Vec<_>>(), |a, b| a.extend(b));
            prop_assert_eq!(all, Some((0..total).collect::<Vec<_>>()));
        }
    }

    #[test]
    fn a_panicking_piece_is_none_not_a_panic() {
        let all = in_order(
            0,
            vec![1, 2, 3],
            2,
            |x: i32| {
                assert!(x != 2, "piece 2 fails");
                vec![x]
            },
            |a, b| a.extend(b),
        );
        assert_eq!(all, None);
    }
}
