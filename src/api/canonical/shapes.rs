//! The token-level half of canonical spelling: the shapes of a line rewritten so two spellings of
//! one item read the same (default `Self` trait arguments dropped, derive-shaped impl generics,
//! `async fn` desugared, lifetime bounds of a returned future dropped, `where Self:` bounds as
//! supertraits). Applied by [`super::line`] after the paths are canonical.

use crate::api::normalize::matching_close;
use crate::api::tokens::{lex, print, Tok};

/// Traits whose one generic parameter defaults to `Self` (`Rhs = Self`), by definition path.
const SELF_DEFAULT_TRAITS: &[&str] = &[
    "Add",
    "Sub",
    "Mul",
    "Div",
    "Rem",
    "BitAnd",
    "BitOr",
    "BitXor",
    "Shl",
    "Shr",
    "AddAssign",
    "SubAssign",
    "MulAssign",
    "DivAssign",
    "RemAssign",
    "BitAndAssign",
    "BitOrAssign",
    "BitXorAssign",
    "ShlAssign",
    "ShrAssign",
    "PartialEq",
    "PartialOrd",
];

/// The standard derives (what `#[derive(..)]` writes for them has no impl generics in a line).
const DERIVABLE: &[&str] = &[
    "Clone",
    "Copy",
    "Debug",
    "Default",
    "PartialEq",
    "Eq",
    "PartialOrd",
    "Ord",
    "Hash",
];

const FUTURE: &str = "core::future::future::Future";

pub(super) fn needs_shape_pass(text: &str) -> bool {
    let body = body_of(text);
    body.starts_with("impl") && body.contains('<')
        || body.contains("async fn ")
        || body.contains("async unsafe fn ")
        || body.contains(" trait ") && body.contains("Self:")
        || body.contains("-> impl ") && body.contains("Future<")
}

/// The line without its leading `#[..]` attributes.
fn body_of(text: &str) -> &str {
    let mut rest = text.trim_start();
    while rest.starts_with("#[") {
        let mut depth = 0;
        let mut end = rest.len();
        for (i, c) in rest.char_indices() {
            match c {
                '[' => depth += 1,
                ']' => {
                    depth -= 1;
                    if depth == 0 {
                        end = i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = rest[end..].trim_start();
    }
    rest
}

/// The token-level rewrites (impl shapes, `async fn`, supertraits); `None` when nothing changes or
/// the line does not lex.
pub(super) fn shapes(text: &str) -> Option<String> {
    let body = body_of(text);
    let prefix = &text[..text.len() - body.len()];
    let mut toks = lex(body)?;
    let before = toks.clone();
    if matches!(toks.first(), Some(Tok::Ident(s)) if s == "impl") {
        drop_default_self_argument(&mut toks);
        drop_derive_generics(&mut toks);
    }
    desugar_async(&mut toks);
    drop_future_lifetimes(&mut toks);
    supertraits_from_where(&mut toks);
    if toks == before {
        return None;
    }
    Some(format!("{prefix}{}", print(&toks)))
}

fn is_ident(tok: &Tok, name: &str) -> bool {
    matches!(tok, Tok::Ident(s) if s == name)
}

fn is_path_sep(toks: &[Tok], i: usize) -> bool {
    matches!(toks.get(i), Some(Tok::Punct(':', true)))
        && matches!(toks.get(i + 1), Some(Tok::Punct(':', _)))
}

/// Index one past the `>` matching the `<` at `open` (arrows `->` are not brackets).
pub(super) fn angle_end(toks: &[Tok], open: usize) -> Option<usize> {
    let mut depth = 0i32;
    for (i, tok) in toks.iter().enumerate().skip(open) {
        match tok {
            Tok::Punct('<', _) => depth += 1,
            Tok::Punct('>', _)
                if !(i > 0 && matches!(toks[i - 1], Tok::Punct('-' | '=', true))) =>
            {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// Index one past the path (with generic arguments) starting at `start`.
fn path_end(toks: &[Tok], start: usize) -> usize {
    let mut i = start;
    loop {
        if is_path_sep(toks, i) {
            i += 2;
        }
        if !matches!(toks.get(i), Some(Tok::Ident(_))) {
            return i;
        }
        i += 1;
        if matches!(toks.get(i), Some(Tok::Punct('<', _))) {
            match angle_end(toks, i) {
                Some(end) => i = end,
                None => return toks.len(),
            }
        }
        if !is_path_sep(toks, i) {
            return i;
        }
    }
}

/// Splits `toks[from..to]` at top-level commas.
pub(super) fn split_commas(toks: &[Tok]) -> Vec<&[Tok]> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, tok) in toks.iter().enumerate() {
        match tok {
            Tok::Open(_) | Tok::Punct('<', _) => depth += 1,
            Tok::Close(_) => depth -= 1,
            Tok::Punct('>', _)
                if !(i > 0 && matches!(toks[i - 1], Tok::Punct('-' | '=', true))) =>
            {
                depth -= 1
            }
            Tok::Punct(',', _) if depth == 0 => {
                parts.push(&toks[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if start < toks.len() {
        parts.push(&toks[start..]);
    }
    parts
}

/// `(generics range, trait path range, self type range)` of an `impl<..> Trait<..> for Type` header.
fn impl_parts(
    toks: &[Tok],
) -> Option<(
    std::ops::Range<usize>,
    std::ops::Range<usize>,
    std::ops::Range<usize>,
)> {
    let mut i = 1;
    let generics = if matches!(toks.get(1), Some(Tok::Punct('<', _))) {
        let end = angle_end(toks, 1)?;
        i = end;
        1..end
    } else {
        1..1
    };
    if matches!(toks.get(i), Some(Tok::Punct('!', _))) {
        return None;
    }
    let trait_end = path_end(toks, i);
    if !toks.get(trait_end).is_some_and(|t| is_ident(t, "for")) {
        return None;
    }
    Some((generics, i..trait_end, trait_end + 1..toks.len()))
}

/// `impl Sub<X> for X` → `impl Sub for X` for traits whose parameter defaults to `Self`.
fn drop_default_self_argument(toks: &mut Vec<Tok>) {
    let Some((_, trait_range, self_range)) = impl_parts(toks) else {
        return;
    };
    let trait_toks = &toks[trait_range.clone()];
    let Some(open) = trait_toks
        .iter()
        .position(|t| matches!(t, Tok::Punct('<', _)))
    else {
        return;
    };
    let name_ok = matches!(trait_toks.get(open.wrapping_sub(1)), Some(Tok::Ident(n)) if SELF_DEFAULT_TRAITS.contains(&n.as_str()));
    if !name_ok || open + trait_range.start + 1 > trait_range.end {
        return;
    }
    let arg = &trait_toks[open + 1..trait_toks.len() - 1];
    let self_ty = &toks[self_range];
    let where_at = self_ty
        .iter()
        .position(|t| is_ident(t, "where"))
        .unwrap_or(self_ty.len());
    if arg == &self_ty[..where_at] || arg.len() == 1 && is_ident(&arg[0], "Self") {
        let from = trait_range.start + open;
        toks.drain(from..trait_range.end);
    }
}

/// `impl<T: Debug, 'a> Debug for S<'a, T>` → `impl Debug for S<'a, T>`: what a derive expands to.
fn drop_derive_generics(toks: &mut Vec<Tok>) {
    let Some((generics, trait_range, self_range)) = impl_parts(toks) else {
        return;
    };
    let self_is_path = matches!(toks.get(self_range.start), Some(Tok::Ident(_)));
    let derivable = matches!(
        toks.get(trait_range.end.wrapping_sub(1)),
        Some(Tok::Ident(name)) if DERIVABLE.contains(&name.as_str())
    );
    if generics.is_empty()
        || !self_is_path
        || !derivable
        || toks[self_range].iter().any(|t| is_ident(t, "where"))
    {
        return;
    }
    let trait_toks = toks[trait_range].to_vec();
    let params = &toks[generics.start + 1..generics.end - 1];
    let derive_shaped = split_commas(params).iter().all(|param| match param {
        [Tok::Punct('\'', _), Tok::Ident(_)] => true,
        [Tok::Ident(_)] => false,
        [Tok::Ident(k), ..] if k == "const" => {
            !param.iter().any(|t| matches!(t, Tok::Punct('=', _)))
        }
        [Tok::Ident(_), Tok::Punct(':', false), bound @ ..] => bound == trait_toks.as_slice(),
        _ => false,
    });
    if derive_shaped {
        toks.drain(generics);
    }
}

/// `pub async fn f(..) -> T` → `pub fn f(..) -> impl core::future::future::Future<Output = T>`.
fn desugar_async(toks: &mut Vec<Tok>) {
    let Some(at) = toks.iter().position(|t| is_ident(t, "async")) else {
        return;
    };
    let Some(fn_at) = toks.iter().position(|t| is_ident(t, "fn")) else {
        return;
    };
    if fn_at < at {
        return;
    }
    let Some(open) = toks
        .iter()
        .skip(fn_at)
        .position(|t| matches!(t, Tok::Open('(')))
    else {
        return;
    };
    let open = fn_at + open;
    let Some(close) = matching_close(toks, open) else {
        return;
    };
    let after = close + 1;
    let tail_start = toks
        .iter()
        .enumerate()
        .skip(after)
        .find(|(_, t)| is_ident(t, "where") || matches!(t, Tok::Open('{')))
        .map(|(i, _)| i)
        .unwrap_or(toks.len());
    let output: Vec<Tok> = if matches!(toks.get(after), Some(Tok::Punct('-', true)))
        && matches!(toks.get(after + 1), Some(Tok::Punct('>', _)))
    {
        toks[after + 2..tail_start].to_vec()
    } else {
        vec![Tok::Open('('), Tok::Close(')')]
    };
    let mut future = vec![
        Tok::Punct('-', true),
        Tok::Punct('>', false),
        Tok::Ident("impl".into()),
    ];
    future.extend(lex(FUTURE).unwrap_or_default());
    future.push(Tok::Punct('<', false));
    future.push(Tok::Ident("Output".into()));
    future.push(Tok::Punct('=', false));
    future.extend(output);
    future.push(Tok::Punct('>', false));
    toks.splice(after..tail_start, future);
    toks.remove(at);
}

/// `-> impl Future<Output = T> + 'a` → `-> impl Future<Output = T>`.
fn drop_future_lifetimes(toks: &mut Vec<Tok>) {
    let future = lex(FUTURE).unwrap_or_default();
    let Some(arrow) = (0..toks.len().saturating_sub(1)).find(|&i| {
        matches!(toks[i], Tok::Punct('-', true)) && matches!(toks[i + 1], Tok::Punct('>', _))
    }) else {
        return;
    };
    let start = arrow + 3;
    if !toks.get(arrow + 2).is_some_and(|t| is_ident(t, "impl"))
        || toks.get(start..start + future.len()) != Some(future.as_slice())
    {
        return;
    }
    let mut i = path_end(toks, start);
    while matches!(toks.get(i), Some(Tok::Punct('+', _)))
        && matches!(toks.get(i + 1), Some(Tok::Punct('\'', _)))
        && matches!(toks.get(i + 2), Some(Tok::Ident(_)))
    {
        toks.drain(i..i + 3);
        i = path_end(toks, start).max(i);
    }
}

/// `pub trait T where Self: B, X: C` → `pub trait T: B where X: C`.
fn supertraits_from_where(toks: &mut Vec<Tok>) {
    let Some(trait_at) = toks.iter().position(|t| is_ident(t, "trait")) else {
        return;
    };
    if toks[..trait_at]
        .iter()
        .any(|t| is_ident(t, "fn") || is_ident(t, "impl"))
    {
        return;
    }
    let Some(where_at) = toks.iter().position(|t| is_ident(t, "where")) else {
        return;
    };
    let body_end = toks
        .iter()
        .position(|t| matches!(t, Tok::Open('{')))
        .unwrap_or(toks.len());
    if where_at > body_end {
        return;
    }
    let predicates = split_commas(&toks[where_at + 1..body_end]);
    let mut moved: Vec<Vec<Tok>> = Vec::new();
    let mut kept: Vec<Vec<Tok>> = Vec::new();
    for predicate in predicates {
        match predicate {
            [Tok::Ident(s), Tok::Punct(':', false), bounds @ ..] if s == "Self" => {
                moved.push(bounds.to_vec())
            }
            other => kept.push(other.to_vec()),
        }
    }
    if moved.is_empty() {
        return;
    }
    let head_end = where_at;
    let path_end_at = path_end(toks, trait_at + 1);
    let has_supertraits =
        matches!(toks.get(path_end_at), Some(Tok::Punct(':', false))) && path_end_at < head_end;
    let mut rebuilt: Vec<Tok> = toks[..head_end].to_vec();
    let mut has_colon = has_supertraits;
    for bounds in moved {
        rebuilt.push(if has_colon {
            Tok::Punct('+', false)
        } else {
            Tok::Punct(':', false)
        });
        has_colon = true;
        rebuilt.extend(bounds);
    }
    if !kept.is_empty() {
        rebuilt.push(Tok::Ident("where".into()));
        for (i, predicate) in kept.into_iter().enumerate() {
            if i > 0 {
                rebuilt.push(Tok::Punct(',', false));
            }
            rebuilt.extend(predicate);
        }
    }
    rebuilt.extend_from_slice(&toks[body_end..]);
    *toks = rebuilt;
}
