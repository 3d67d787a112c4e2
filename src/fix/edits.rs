//! From use sites and successors to text edits. Pure: a site (file, line, column of the identifier
//! the usage index recorded), the removed path and its successor, and the file's text in; byte-range
//! replacements out. Only what is written is touched: the identifier at the site, the path segments
//! written before it (also across `use` groups: `use a::old::{X, Y}`), and a shorthand field
//! (`E { message }` becomes `E { detail: message }`).

use crate::usage::{UseKind, UseSite};

/// One replacement in a file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Edit {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// Why a site could not be rewritten.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Skipped {
    pub site: UseSite,
    pub reason: String,
}

/// The edits that make `site` (which names `removed`) name `successor` instead.
pub(crate) fn for_site(
    text: &str,
    site: &UseSite,
    removed: &str,
    successor: &str,
) -> Result<Vec<Edit>, String> {
    let start = offset_of(text, site.line, site.column).ok_or("the site is outside the file")?;
    let old_name = last(removed);
    let written = ident_at(text, start);
    if written != old_name {
        // An alias (`use x::Old as Local`): the local name stays; the import is rewritten instead.
        return Ok(Vec::new());
    }
    let old: Vec<&str> = removed.split("::").collect();
    let new: Vec<&str> = successor.split("::").collect();
    let segments = written_segments(text, start);
    let mut edits = Vec::new();
    let end = start + written.len();
    let shorthand = matches!(site.kind, UseKind::LiteralField | UseKind::PatternField)
        && next_non_space(text, end).is_none_or(|c| c != ':');
    let new_name = last(successor);
    if old.len() == new.len() {
        // Aligned from the end: each written segment that differs is replaced.
        if new_name != old_name {
            let replacement = if shorthand {
                format!("{new_name}: {old_name}")
            } else {
                new_name.to_owned()
            };
            edits.push(Edit {
                start,
                end,
                text: replacement,
            });
        }
        for (i, (seg_start, seg)) in segments.iter().enumerate() {
            let depth = i + 2;
            if depth > old.len() {
                break;
            }
            let (o, n) = (old[old.len() - depth], new[new.len() - depth]);
            if o != n {
                if *seg != o {
                    // The crate's extern name (or an alias) stands here: nothing to rename.
                    if depth == old.len() {
                        break;
                    }
                    return Err(format!("`{seg}` is written where `{o}` was expected"));
                }
                edits.push(Edit {
                    start: *seg_start,
                    end: seg_start + seg.len(),
                    text: n.to_owned(),
                });
            }
        }
        return Ok(edits);
    }
    // A path of a new depth: rewritten only where the whole path is spelled from the crate root.
    if segments.len() + 1 == old.len() {
        let (root_start, root) = segments[segments.len() - 1];
        let first = root_start + root.len();
        let after_root = text[first..]
            .find("::")
            .map(|i| first + i + 2)
            .unwrap_or(first);
        let from = after_root + text[after_root..].len() - text[after_root..].trim_start().len();
        edits.push(Edit {
            start: from,
            end,
            text: new[1..].join("::"),
        });
        return Ok(edits);
    }
    if segments.is_empty() && site.kind != UseKind::Import {
        // Only the name is written here (imported): the import carries the path.
        if new_name != old_name {
            edits.push(Edit {
                start,
                end,
                text: new_name.to_owned(),
            });
        }
        return Ok(edits);
    }
    Err("the successor's path has a different depth and the path is not written in full".into())
}

fn last(path: &str) -> &str {
    path.rsplit("::").next().unwrap_or(path)
}

/// Byte offset of a 1-based line and 1-based character column.
pub(crate) fn offset_of(text: &str, line: usize, column: usize) -> Option<usize> {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            let within = l
                .char_indices()
                .nth(column.checked_sub(1)?)
                .map(|(b, _)| b)?;
            return Some(offset + within);
        }
        offset += l.len();
    }
    None
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn ident_at(text: &str, start: usize) -> &str {
    let rest = text[start..].strip_prefix("r#").unwrap_or(&text[start..]);
    let len = rest.find(|c: char| !is_ident(c)).unwrap_or(rest.len());
    &rest[..len]
}

fn next_non_space(text: &str, from: usize) -> Option<char> {
    text[from..].chars().find(|c| !c.is_whitespace())
}

/// The path segments written before the identifier at `start`, nearest first, with their
/// offsets: `a::b::X` gives `b`, `a`; `use a::b::{Y, X}` gives the same through the group.
fn written_segments(text: &str, start: usize) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut pos = start;
    loop {
        let before = text[..pos].trim_end();
        let before = if let Some(b) = before.strip_suffix("::") {
            b.trim_end()
        } else if before.ends_with(',') || before.ends_with('{') {
            // Inside a `use` group: back to its unmatched `{`, which must follow `::`.
            let Some(open) = unmatched_open_brace(before) else {
                break;
            };
            let Some(b) = text[..open].trim_end().strip_suffix("::") else {
                break;
            };
            b.trim_end()
        } else {
            break;
        };
        let ident_start = before
            .char_indices()
            .rev()
            .take_while(|(_, c)| is_ident(*c))
            .last()
            .map(|(i, _)| i);
        let Some(ident_start) = ident_start else {
            break;
        };
        out.push((ident_start, &before[ident_start..]));
        pos = ident_start;
    }
    out
}

fn unmatched_open_brace(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in text.char_indices().rev() {
        match c {
            '}' => depth += 1,
            '{' if depth == 0 => return Some(i),
            '{' => depth -= 1,
            ';' => return None,
            _ => {}
        }
    }
    None
}

/// `text` with `edits` applied (sorted, non-overlapping; identical duplicates collapse).
pub(crate) fn apply(text: &str, edits: &[Edit]) -> Result<String, String> {
    let mut sorted = edits.to_vec();
    sorted.sort();
    sorted.dedup();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for edit in &sorted {
        if edit.start < at {
            return Err(format!("overlapping edits at byte {}", edit.start));
        }
        out.push_str(&text[at..edit.start]);
        out.push_str(&edit.text);
        at = edit.end;
    }
    out.push_str(&text[at..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usage::Confidence;

    fn site(text: &str, needle: &str, nth: usize, kind: UseKind) -> UseSite {
        let offset = text.match_indices(needle).nth(nth).unwrap().0;
        let line = text[..offset].matches('\n').count() + 1;
        let column = text[..offset].rsplit('\n').next().unwrap().chars().count() + 1;
        UseSite {
            package: "d".into(),
            dependency: "c".into(),
            file: "d/src/lib.rs".into(),
            line,
            column,
            kind,
            confidence: Confidence::Exact,
            target: String::new(),
            name: needle.into(),
            snippet: String::new(),
        }
    }

    fn fix(text: &str, needle: &str, nth: usize, kind: UseKind, old: &str, new: &str) -> String {
        let edits = for_site(text, &site(text, needle, nth, kind), old, new).unwrap();
        apply(text, &edits).unwrap()
    }

    #[test]
    fn renames_the_written_segments_only() {
        let text = "use c::old::{Foo, Bar};\nfn f() { c::old::Foo::new(); }\n";
        let once = fix(
            text,
            "Foo",
            0,
            UseKind::Import,
            "c::old::Foo",
            "c::new::Foo",
        );
        assert_eq!(
            once,
            "use c::new::{Foo, Bar};\nfn f() { c::old::Foo::new(); }\n"
        );
        let call = fix(text, "Foo", 1, UseKind::Path, "c::old::Foo", "c::new::Foo");
        assert!(call.contains("c::new::Foo::new()"));
        let aliased = fix("use fsql::E;", "E", 0, UseKind::Import, "c::E", "c::Error");
        assert_eq!(aliased, "use fsql::Error;");
    }

    #[test]
    fn shorthand_fields_keep_their_binding() {
        let text = "let E { code, message } = e;\nE { code: 1, message: m };";
        let pattern = fix(
            text,
            "message",
            0,
            UseKind::PatternField,
            "c::E::message",
            "c::E::detail",
        );
        assert!(pattern.starts_with("let E { code, detail: message } = e;"));
        let literal = fix(
            text,
            "message",
            1,
            UseKind::LiteralField,
            "c::E::message",
            "c::E::detail",
        );
        assert!(literal.ends_with("E { code: 1, detail: m };"));
    }

    #[test]
    fn new_depth_is_rewritten_when_spelled_from_the_root() {
        let text = "fn f() -> facade::inner::Thing { todo!() }";
        let out = fix(
            text,
            "Thing",
            0,
            UseKind::Path,
            "facade::inner::Thing",
            "facade::Thing",
        );
        assert_eq!(out, "fn f() -> facade::Thing { todo!() }");
    }
}
