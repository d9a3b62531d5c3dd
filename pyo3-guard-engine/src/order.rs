//! One sort for the whole of pyo3-guard's run-time code. The standard library's sorts are
//! instantiated once per element type and comparison, 3 to 10 KiB of machine code each, in
//! every extension; this one is compiled once (not generic) and is small.

/// The stable order of `0..len` by `less(a, b)` ("a sorts before b").
pub fn order(len: usize, less: &mut dyn FnMut(usize, usize) -> bool) -> Vec<usize> {
    order_by_key(&vec![0; len], less)
}

/// The stable order of `0..keys.len()` by `keys`, then by `tie_less(a, b)` among equal keys:
/// most comparisons then end at the integer, without a call. A bottom-up merge sort, O(n log n)
/// comparisons.
fn order_by_key(keys: &[u64], tie_less: &mut dyn FnMut(usize, usize) -> bool) -> Vec<usize> {
    // Each index beside its key: one load per comparison, not two.
    let mut from: Vec<(u64, usize)> = keys.iter().copied().zip(0..).collect();
    let mut to = from.clone();
    let mut width = 1;
    while width < from.len() {
        for (runs, merged) in from.chunks(2 * width).zip(to.chunks_mut(2 * width)) {
            let (left, right) = runs.split_at(width.min(runs.len()));
            let (mut l, mut r) = (0, 0);
            for slot in merged {
                // The right run's element goes first only when strictly less: stable.
                let take_right = match (left.get(l), right.get(r)) {
                    (Some(a), Some(b)) => b.0 < a.0 || (b.0 == a.0 && tie_less(b.1, a.1)),
                    (_, right) => right.is_some(),
                };
                *slot = if take_right {
                    r += 1;
                    right[r - 1]
                } else {
                    l += 1;
                    left[l - 1]
                };
            }
        }
        std::mem::swap(&mut from, &mut to);
        width *= 2;
    }
    from.into_iter().map(|(_, i)| i).collect()
}

/// Sorts `items` stably by `less(a, b)` ("a sorts before b").
pub fn sort_by<T>(items: &mut Vec<T>, mut less: impl FnMut(&T, &T) -> bool) {
    let order = order(items.len(), &mut |a, b| less(&items[a], &items[b]));
    let mut slots: Vec<Option<T>> = items.drain(..).map(Some).collect();
    items.extend(order.into_iter().filter_map(|i| slots[i].take()));
}

#[cfg(test)]
mod tests {
    use super::{order_by_key, sort_by};

    /// Every length up to 70 (runs of every width, odd tails), many keys equal: the same
    /// result as the standard library's stable sort.
    #[test]
    fn matches_the_stable_sort_of_the_standard_library() {
        for len in 0..70usize {
            let items: Vec<(u32, usize)> =
                (0..len).map(|i| (((i * 7919) % 13) as u32, i)).collect();
            let mut ours = items.clone();
            sort_by(&mut ours, |a, b| a.0 < b.0);
            let mut expected = items;
            expected.sort_by_key(|item| item.0);
            assert_eq!(ours, expected, "length {len}");

            let keys: Vec<u64> = (0..len).map(|i| ((i * 31) % 5) as u64).collect();
            let by_key = order_by_key(&keys, &mut |a, b| a % 3 < b % 3);
            let mut expected: Vec<usize> = (0..len).collect();
            expected.sort_by_key(|&i| (keys[i], i % 3));
            assert_eq!(by_key, expected, "keyed, length {len}");
        }
    }
}
