//! Matching the items of one path group (same kind, same path) between base and head, in time
//! linear in the group's size: identical lines are unchanged, the rest pair by equal cfgs first
//! (a `#[cfg(unix)]` and a `#[cfg(windows)]` variant of one fn), then in order; what is left over
//! was removed (base) or added (head). Pure.

use crate::api::model::{ApiItem, ItemKind};
use std::collections::{HashMap, HashSet, VecDeque};

/// Every `(line, kind)` of the base crate: a head item whose line is among them is unchanged.
pub(super) type BaseLines<'a> = HashSet<(&'a str, ItemKind)>;

/// The outcome of matching one group.
#[derive(Debug, Default)]
pub(super) struct Pairing<'a> {
    /// (base, head) items that are the same item changed, in matching order.
    pub(super) pairs: Vec<(&'a ApiItem, &'a ApiItem)>,
    pub(super) removed: Vec<&'a ApiItem>,
    pub(super) added: Vec<&'a ApiItem>,
}

/// The `(line, kind)` set of `items`, built once per crate.
pub(super) fn base_lines(items: &[ApiItem]) -> BaseLines<'_> {
    items.iter().map(|i| (i.line.as_str(), i.kind)).collect()
}

/// Matches one group's base items (`before`) with its head items (`after`).
pub(super) fn pair_group<'a>(
    before: Vec<&'a ApiItem>,
    after: Vec<&'a ApiItem>,
    base_lines: &BaseLines<'_>,
) -> Pairing<'a> {
    // Identical lines on both sides are unchanged.
    let after_lines: HashSet<&str> = after.iter().map(|a| a.line.as_str()).collect();
    let before: Vec<&ApiItem> = before
        .into_iter()
        .filter(|b| !after_lines.contains(b.line.as_str()))
        .collect();
    let after: Vec<&ApiItem> = after
        .into_iter()
        .filter(|a| !base_lines.contains(&(a.line.as_str(), a.kind)))
        .collect();

    // Each base item takes the first head item not yet taken with the same cfgs.
    let mut by_cfgs: HashMap<&[String], VecDeque<usize>> = HashMap::new();
    for (index, a) in after.iter().enumerate() {
        by_cfgs
            .entry(a.attrs.cfgs.as_slice())
            .or_default()
            .push_back(index);
    }
    let mut taken = vec![false; after.len()];
    let mut pairing = Pairing::default();
    let mut unpaired_before = Vec::new();
    for b in before {
        match by_cfgs
            .get_mut(b.attrs.cfgs.as_slice())
            .and_then(VecDeque::pop_front)
        {
            Some(index) => {
                taken[index] = true;
                pairing.pairs.push((b, after[index]));
            }
            None => unpaired_before.push(b),
        }
    }
    let unpaired_after: Vec<&ApiItem> = after
        .into_iter()
        .zip(taken)
        .filter(|(_, taken)| !taken)
        .map(|(a, _)| a)
        .collect();

    // The rest pair in order; the longer side's tail was removed or added.
    let paired = unpaired_before.len().min(unpaired_after.len());
    pairing.pairs.extend(
        unpaired_before[..paired]
            .iter()
            .copied()
            .zip(unpaired_after[..paired].iter().copied()),
    );
    pairing.removed = unpaired_before[paired..].to_vec();
    pairing.added = unpaired_after[paired..].to_vec();
    pairing
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The matching as it was first written (quadratic: a scan of the other side per item), kept
    /// as the oracle the linear version must agree with.
    fn quadratic_oracle<'a>(
        base: &'a [ApiItem],
        mut before: Vec<&'a ApiItem>,
        mut after: Vec<&'a ApiItem>,
    ) -> Pairing<'a> {
        before.retain(|b| !after.iter().any(|a| a.line == b.line));
        after.retain(|a| !base.iter().any(|b| b.line == a.line && b.kind == a.kind));
        let mut pairs = Vec::new();
        before.retain(|b| {
            if let Some(pos) = after.iter().position(|a| a.attrs.cfgs == b.attrs.cfgs) {
                pairs.push((*b, after.remove(pos)));
                false
            } else {
                true
            }
        });
        while let (Some(b), Some(a)) = (before.first().copied(), after.first().copied()) {
            pairs.push((b, a));
            before.remove(0);
            after.remove(0);
        }
        Pairing {
            pairs,
            removed: before,
            added: after,
        }
    }

    /// Lines of one path group: few cfgs and parameter types (`variety` array lengths), so lines
    /// and cfgs collide often.
    fn random_group(seed: &mut u64, len: usize, variety: usize) -> Vec<ApiItem> {
        const CFGS: [&str; 4] = ["", "#[cfg(unix)] ", "#[cfg(windows)] ", "#[cfg(test)] "];
        const TYPES: [&str; 5] = ["u8", "u16", "String", "&str", "Vec<u8>"];
        (0..len)
            .map(|_| {
                let cfg = CFGS[next(seed) % CFGS.len()];
                let ty = TYPES[next(seed) % TYPES.len()];
                let n = next(seed) % variety;
                ApiItem::parse(&format!("{cfg}pub fn k::f(x: {ty}, y: [u8; {n}])"))
            })
            .collect()
    }

    /// xorshift64: deterministic, no dependency.
    fn next(seed: &mut u64) -> usize {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        (*seed % 1_000_003) as usize
    }

    fn identities(items: &[&ApiItem]) -> Vec<*const ApiItem> {
        items.iter().map(|i| *i as *const ApiItem).collect()
    }

    fn same(linear: &Pairing<'_>, oracle: &Pairing<'_>) -> bool {
        let pair_ids = |p: &Pairing<'_>| -> Vec<(*const ApiItem, *const ApiItem)> {
            p.pairs
                .iter()
                .map(|(b, a)| (*b as *const ApiItem, *a as *const ApiItem))
                .collect()
        };
        pair_ids(linear) == pair_ids(oracle)
            && identities(&linear.removed) == identities(&oracle.removed)
            && identities(&linear.added) == identities(&oracle.added)
    }

    #[test]
    fn agrees_with_the_quadratic_matching_on_random_groups() {
        let mut seed = 0x9e37_79b9_7f4a_7c15;
        for round in 0..400 {
            let (base_len, head_len) = (next(&mut seed) % 12, next(&mut seed) % 12);
            let base = random_group(&mut seed, base_len, 2);
            let head = random_group(&mut seed, head_len, 2);
            let linear = pair_group(
                base.iter().collect(),
                head.iter().collect(),
                &base_lines(&base),
            );
            let oracle = quadratic_oracle(&base, base.iter().collect(), head.iter().collect());
            assert!(
                same(&linear, &oracle),
                "round {round}: {linear:#?} vs {oracle:#?}"
            );
        }
    }

    #[test]
    fn agrees_with_the_quadratic_matching_on_a_large_group() {
        let mut seed = 42;
        let base = random_group(&mut seed, 3_000, 10_000);
        let head = random_group(&mut seed, 3_000, 10_000);
        let linear = pair_group(
            base.iter().collect(),
            head.iter().collect(),
            &base_lines(&base),
        );
        let oracle = quadratic_oracle(&base, base.iter().collect(), head.iter().collect());
        assert!(same(&linear, &oracle));
        assert!(!linear.pairs.is_empty());
    }

    #[test]
    fn pairs_by_cfg_first_then_in_order() {
        let base = [
            ApiItem::parse("#[cfg(unix)] pub fn k::f(x: u8)"),
            ApiItem::parse("#[cfg(windows)] pub fn k::f(x: u8)"),
            ApiItem::parse("pub fn k::f(x: u16)"),
        ];
        let head = [
            ApiItem::parse("#[cfg(windows)] pub fn k::f(x: u32)"),
            ApiItem::parse("#[cfg(unix)] pub fn k::f(x: u32)"),
        ];
        let p = pair_group(
            base.iter().collect(),
            head.iter().collect(),
            &base_lines(&base),
        );
        let lines = |pairs: &[(&ApiItem, &ApiItem)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(b, a)| (b.line.clone(), a.line.clone()))
                .collect()
        };
        assert_eq!(
            lines(&p.pairs),
            vec![
                (base[0].line.clone(), head[1].line.clone()),
                (base[1].line.clone(), head[0].line.clone()),
            ]
        );
        assert_eq!(identities(&p.removed), vec![&base[2] as *const ApiItem]);
        assert!(p.added.is_empty());
    }
}
