//! Pairing a crate's removed items with its added items. Pure.
//!
//! 1. **Moves**: a removed and an added item of the same kind and name whose signatures are equal
//!    once the old path reads as the new one. Pairs that agree on a container prefix (`a::x` →
//!    `a::y`, `a::Foo` → `a::Bar`) vote for it; a prefix with votes maps the container itself too
//!    (the module or type renamed) and is substituted in the other items' signatures.
//! 2. **Renames**: same kind, same (mapped) parent, a new name, the signature equal modulo the name,
//!    and the only such pair on both sides.
//! 3. **Notes**: a doc comment of an added item, or a `#[deprecated]` note / doc comment of the
//!    removed one, that names the other. With equal signatures this is a rename; otherwise the
//!    successor is reported as *named in a note* at medium confidence, never as a rename.

use super::notes::Note;
use super::{Relation, Successor, SuccessorConfidence};
use crate::api::diff::{ChangeKind, CrateDiff};
use crate::api::model::{ApiItem, ItemKind};
use std::collections::{BTreeMap, BTreeSet};

/// One side's item: kind, path, comparison key.
#[derive(Debug, Clone)]
struct Entry {
    kind: ItemKind,
    path: String,
    key: String,
}

impl Entry {
    fn name(&self) -> &str {
        self.path.rsplit("::").next().unwrap_or(&self.path)
    }
    fn parent(&self) -> &str {
        self.path.rsplit_once("::").map_or("", |(p, _)| p)
    }
}

fn eligible(kind: ItemKind) -> bool {
    !matches!(kind, ItemKind::TraitImpl | ItemKind::Feature)
}

fn entries(diff: &CrateDiff, change: ChangeKind) -> Vec<Entry> {
    diff.changes
        .iter()
        .filter(|c| c.change == change && eligible(c.kind))
        .filter_map(|c| {
            let line = if change == ChangeKind::Removed {
                c.before.as_deref()
            } else {
                c.after.as_deref()
            }?;
            Some(Entry {
                kind: c.kind,
                path: c.path.clone(),
                key: ApiItem::parse(line).key,
            })
        })
        .collect()
}

/// Whether the crate has both a removed and an added item that could pair.
pub(crate) fn has_candidates(diff: &CrateDiff) -> bool {
    let any = |kind: ChangeKind| {
        diff.changes
            .iter()
            .any(|c| c.change == kind && eligible(c.kind))
    };
    any(ChangeKind::Removed) && any(ChangeKind::Added)
}

/// The successors of `diff`'s removed items. `base_notes`/`head_notes`: the crate's notes at the
/// base and at the head.
pub(crate) fn detect(diff: &CrateDiff, base_notes: &[Note], head_notes: &[Note]) -> Vec<Successor> {
    let removed = entries(diff, ChangeKind::Removed);
    let added = entries(diff, ChangeKind::Added);
    let mut by_kind_name: BTreeMap<(ItemKind, &str), Vec<&Entry>> = BTreeMap::new();
    for a in &added {
        by_kind_name.entry((a.kind, a.name())).or_default().push(a);
    }
    let prefixes = container_prefixes(&removed, &by_kind_name);
    let mut found: Vec<Successor> = Vec::new();
    let mut claimed: BTreeSet<&str> = BTreeSet::new();
    let make = |r: &Entry,
                a: &Entry,
                confidence: SuccessorConfidence,
                same_signature: bool,
                evidence: Vec<String>| {
        let by_note = evidence
            .iter()
            .any(|e| e.starts_with("the doc") || e.starts_with("the note"));
        let relation = if by_note && !same_signature {
            Relation::NamedInNote
        } else if r.name() == a.name() {
            Relation::Moved
        } else if r.parent() == a.parent() {
            Relation::Renamed
        } else {
            Relation::RenamedAndMoved
        };
        Successor {
            package: diff.package.clone(),
            kind: r.kind,
            removed: r.path.clone(),
            successor: a.path.clone(),
            relation,
            confidence,
            same_signature,
            evidence,
        }
    };
    let added_at: BTreeMap<(ItemKind, &str), &Entry> = added
        .iter()
        .map(|a| ((a.kind, a.path.as_str()), a))
        .collect();
    // 1. Moves, and containers mapped by their members' votes.
    for r in &removed {
        let mapped = map_path(&r.path, &prefixes);
        if let Some((a, (from, to, votes))) = mapped.as_ref().and_then(|(p, why)| {
            added_at
                .get(&(r.kind, p.as_str()))
                .map(|a| (*a, why.clone()))
        }) {
            let same = same_signature(r, a, &prefixes);
            let mut evidence = vec![format!(
                "{votes} member(s) moved from `{from}` to `{to}` with unchanged signatures"
            )];
            let confidence = if same {
                evidence.push("same signature at the new path".into());
                SuccessorConfidence::High
            } else {
                evidence.push("the signature at the new path differs".into());
                SuccessorConfidence::Medium
            };
            claimed.insert(&a.path);
            found.push(make(r, a, confidence, same, evidence));
            continue;
        }
        let candidates: Vec<&&Entry> = by_kind_name
            .get(&(r.kind, r.name()))
            .into_iter()
            .flatten()
            .filter(|a| same_signature(r, a, &prefixes))
            .collect();
        if let [a] = candidates.as_slice() {
            claimed.insert(&a.path);
            let evidence = vec![format!(
                "the only added {} named `{}`, with the same signature",
                r.kind.describe(),
                r.name()
            )];
            found.push(make(r, a, SuccessorConfidence::High, true, evidence));
        }
    }
    // 2. Renames within the same (mapped) parent, unique on both sides.
    let done: BTreeSet<String> = found.iter().map(|s| s.removed.clone()).collect();
    let open: Vec<&Entry> = removed.iter().filter(|r| !done.contains(&r.path)).collect();
    let rename_candidates = |r: &Entry| -> Vec<&Entry> {
        let parent = map_path(r.parent(), &prefixes).map_or_else(|| r.parent().to_owned(), |m| m.0);
        added
            .iter()
            .filter(|a| a.kind == r.kind && a.parent() == parent && a.name() != r.name())
            .filter(|a| !claimed.contains(a.path.as_str()))
            .filter(|a| same_signature(r, a, &prefixes))
            .collect()
    };
    let mut renamed = Vec::new();
    for r in &open {
        let candidates = rename_candidates(r);
        let [a] = candidates.as_slice() else { continue };
        let rivals = open
            .iter()
            .filter(|other| rename_candidates(other).iter().any(|c| c.path == a.path))
            .count();
        if rivals == 1 {
            let evidence = vec![format!(
                "the only removed and the only added {} of `{}` with this signature",
                r.kind.describe(),
                r.parent()
            )];
            renamed.push(make(r, a, SuccessorConfidence::High, true, evidence));
        }
    }
    for s in &renamed {
        claimed.insert(
            added
                .iter()
                .find(|a| a.path == s.successor)
                .map_or("", |a| a.path.as_str()),
        );
    }
    found.extend(renamed);
    // 3. Notes naming the other side.
    let done: BTreeSet<String> = found.iter().map(|s| s.removed.clone()).collect();
    for r in removed.iter().filter(|r| !done.contains(&r.path)) {
        let parent = map_path(r.parent(), &prefixes).map_or_else(|| r.parent().to_owned(), |m| m.0);
        let mut hits: Vec<(&Entry, String)> = Vec::new();
        for a in added
            .iter()
            .filter(|a| a.kind == r.kind && a.parent() == parent)
        {
            let owner = owner_of(a);
            if let Some(note) = head_notes.iter().find(|n| {
                n.name == a.name() && owner_matches(n, owner) && mentions(&n.text, r.name())
            }) {
                hits.push((
                    a,
                    format!(
                        "the doc comment of `{}` names `{}`: \"{}\"",
                        a.path,
                        r.name(),
                        clip(&note.text)
                    ),
                ));
            } else if let Some(note) = base_notes.iter().find(|n| {
                n.name == r.name() && owner_matches(n, owner_of(r)) && mentions(&n.text, a.name())
            }) {
                hits.push((
                    a,
                    format!(
                        "the note on `{}` names `{}`: \"{}\"",
                        r.path,
                        a.name(),
                        clip(&note.text)
                    ),
                ));
            }
        }
        if let [(a, why)] = hits.as_slice() {
            let same = same_signature(r, a, &prefixes);
            let confidence = if same {
                SuccessorConfidence::High
            } else {
                SuccessorConfidence::Medium
            };
            let mut evidence = vec![why.clone()];
            if !same {
                evidence.push("the signatures differ, so this is not a plain rename".into());
            }
            found.push(make(r, a, confidence, same, evidence));
        }
    }
    found.sort();
    found
}

/// Container prefixes (`from` → `to`, votes) agreed on by same-name pairs with equal signatures;
/// a `from` with rival `to`s keeps none.
fn container_prefixes(
    removed: &[Entry],
    by_kind_name: &BTreeMap<(ItemKind, &str), Vec<&Entry>>,
) -> Vec<(String, String, usize)> {
    let mut votes: BTreeMap<(String, String), usize> = BTreeMap::new();
    for r in removed {
        for a in by_kind_name.get(&(r.kind, r.name())).into_iter().flatten() {
            let Some((from, to)) = differing_prefix(&r.path, &a.path) else {
                continue;
            };
            // A crate-root prefix would rewrite every path: the item alone is substituted.
            let map = if from.contains("::") {
                vec![(from.clone(), to.clone(), 0)]
            } else {
                vec![(r.path.clone(), a.path.clone(), 0)]
            };
            if substitute(&r.key, &map) == a.key && from.contains("::") {
                *votes.entry((from, to)).or_default() += 1;
            }
        }
    }
    let mut best: BTreeMap<String, Vec<(String, usize)>> = BTreeMap::new();
    for ((from, to), n) in votes {
        best.entry(from).or_default().push((to, n));
    }
    let mut prefixes = Vec::new();
    for (from, mut tos) in best {
        tos.sort_by_key(|t| std::cmp::Reverse(t.1));
        if tos.len() == 1 || tos[0].1 > tos[1].1 {
            let (to, n) = tos.swap_remove(0);
            prefixes.push((from, to, n));
        }
    }
    prefixes
}

/// `a::x::Foo`, `a::y::Foo` → (`a::x`, `a::y`): the paths without their common trailing segments.
fn differing_prefix(old: &str, new: &str) -> Option<(String, String)> {
    let o: Vec<&str> = old.split("::").collect();
    let n: Vec<&str> = new.split("::").collect();
    let common = o
        .iter()
        .rev()
        .zip(n.iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    if common == 0 || common == o.len() || common == n.len() {
        return None;
    }
    Some((
        o[..o.len() - common].join("::"),
        n[..n.len() - common].join("::"),
    ))
}

/// `path` under the longest matching prefix, with that prefix's mapping.
fn map_path(
    path: &str,
    prefixes: &[(String, String, usize)],
) -> Option<(String, (String, String, usize))> {
    prefixes
        .iter()
        .filter(|(from, _, _)| {
            path == from
                || path
                    .strip_prefix(from.as_str())
                    .is_some_and(|r| r.starts_with("::"))
        })
        .max_by_key(|(from, _, _)| from.len())
        .map(|(from, to, n)| {
            (
                format!("{to}{}", &path[from.len()..]),
                (from.clone(), to.clone(), *n),
            )
        })
}

/// The signatures are equal once the old paths read as the new ones.
fn same_signature(r: &Entry, a: &Entry, prefixes: &[(String, String, usize)]) -> bool {
    let mut map = prefixes.to_vec();
    map.push((r.path.clone(), a.path.clone(), 0));
    substitute(&r.key, &map) == a.key
}

/// Replaces each mapped path (longest first) where it stands as a whole path or path prefix.
fn substitute(key: &str, map: &[(String, String, usize)]) -> String {
    let mut sorted: Vec<&(String, String, usize)> = map.iter().collect();
    sorted.sort_by_key(|m| std::cmp::Reverse(m.0.len()));
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = String::with_capacity(key.len());
    let mut i = 0;
    while i < key.len() {
        let before = key[..i].chars().next_back();
        let boundary = !before.is_some_and(|c| is_ident(c) || c == ':');
        let hit = boundary
            .then(|| {
                sorted.iter().find(|(from, _, _)| {
                    key[i..].starts_with(from.as_str())
                        && !key[i + from.len()..].chars().next().is_some_and(is_ident)
                })
            })
            .flatten();
        if let Some((from, to, _)) = hit {
            out.push_str(to);
            i += from.len();
        } else {
            let c = key[i..].chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// The type or trait a member item belongs to (its parent's last segment), for matching notes.
fn owner_of(e: &Entry) -> Option<&str> {
    matches!(
        e.kind,
        ItemKind::Method
            | ItemKind::TraitMethod
            | ItemKind::StructField
            | ItemKind::Variant
            | ItemKind::AssocConst
            | ItemKind::TraitAssocConst
            | ItemKind::TraitAssocType
    )
    .then(|| e.parent().rsplit("::").next().unwrap_or(""))
}

fn owner_matches(note: &Note, owner: Option<&str>) -> bool {
    note.owner.as_deref() == owner
}

/// `text` names `name` as a whole word.
fn mentions(text: &str, name: &str) -> bool {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(name).any(|(i, _)| {
        !text[..i].chars().next_back().is_some_and(is_ident)
            && !text[i + name.len()..].chars().next().is_some_and(is_ident)
    })
}

fn clip(text: &str) -> String {
    let clipped: String = text.chars().take(120).collect();
    if clipped.len() < text.len() {
        format!("{clipped}…")
    } else {
        clipped
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::diff::diff_crate;
    use crate::api::model::CrateApi;

    fn crate_diff(base: &str, head: &str) -> CrateDiff {
        let b = CrateApi::from_lines("c", "c", base.lines());
        let h = CrateApi::from_lines("c", "c", head.lines());
        let mut d = diff_crate(&b, &h);
        d.package = "c".into();
        d
    }

    fn note(name: &str, owner: Option<&str>, text: &str) -> Note {
        Note {
            name: name.into(),
            owner: owner.map(Into::into),
            text: text.into(),
        }
    }

    #[test]
    fn renamed_field_is_high_and_a_different_signature_is_only_named() {
        let base =
            "pub struct c::E\npub c::E::message: String\npub c::E::code: u16\npub struct c::Q\n\
                    pub fn c::Q::rows(&self) -> &[c::Row]\npub struct c::Row\n";
        let head =
            "pub struct c::E\npub c::E::detail: String\npub c::E::code: u16\npub struct c::Q\n\
                    pub fn c::Q::iter(&self) -> std::slice::Iter<'_, c::Row>\npub struct c::Row\n";
        let d = crate_diff(base, head);
        let notes = [note("iter", Some("Q"), "Iterates. (Replaces `rows()`.)")];
        let found = detect(&d, &[], &notes);
        assert_eq!(found.len(), 2, "{found:#?}");
        let by = |p: &str| found.iter().find(|s| s.removed == p).expect(p);
        let field = by("c::E::message");
        assert_eq!(
            (field.removed.as_str(), field.successor.as_str()),
            ("c::E::message", "c::E::detail")
        );
        assert_eq!(
            (field.relation, field.confidence),
            (Relation::Renamed, SuccessorConfidence::High)
        );
        let method = by("c::Q::rows");
        assert_eq!(method.successor, "c::Q::iter");
        assert_eq!(method.relation, Relation::NamedInNote);
        assert_eq!(method.confidence, SuccessorConfidence::Medium);
        assert!(!method.same_signature);
        // Without the note there is no pairing for `rows`.
        assert_eq!(detect(&d, &[], &[]).len(), 1);
    }

    #[test]
    fn moved_module_and_renamed_type_carry_their_members() {
        let base = "pub mod c::old\npub fn c::old::f(x: u8) -> c::old::Foo\npub struct c::old::Foo\n\
                    pub fn c::old::Foo::new() -> Self\npub struct c::Bar\npub fn c::Bar::get(&self) -> u8\n\
                    pub fn c::make() -> c::Bar\n";
        let head = "pub mod c::new\npub fn c::new::f(x: u8) -> c::new::Foo\npub struct c::new::Foo\n\
                    pub fn c::new::Foo::new() -> Self\npub struct c::Baz\npub fn c::Baz::get(&self) -> u8\n\
                    pub fn c::make() -> c::Baz\n";
        let d = crate_diff(base, head);
        let found = detect(&d, &[], &[]);
        let pairs: Vec<(&str, &str, Relation)> = found
            .iter()
            .filter(|s| s.confidence == SuccessorConfidence::High)
            .map(|s| (s.removed.as_str(), s.successor.as_str(), s.relation))
            .collect();
        assert!(
            pairs.contains(&("c::old", "c::new", Relation::Renamed)),
            "{found:#?}"
        );
        assert!(pairs.contains(&("c::old::f", "c::new::f", Relation::Moved)));
        assert!(pairs.contains(&("c::old::Foo::new", "c::new::Foo::new", Relation::Moved)));
        assert!(pairs.contains(&("c::Bar", "c::Baz", Relation::Renamed)));
        assert!(pairs.contains(&("c::Bar::get", "c::Baz::get", Relation::Moved)));
    }

    #[test]
    fn ambiguous_renames_are_not_paired() {
        let d = crate_diff(
            "pub struct c::S\npub c::S::a: u8\npub c::S::b: u8\n",
            "pub struct c::S\npub c::S::x: u8\npub c::S::y: u8\n",
        );
        assert!(detect(&d, &[], &[]).is_empty());
    }
}
