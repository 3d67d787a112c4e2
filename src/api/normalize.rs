//! Comparison keys: what of a rendered line matters for semver. Parameter names, generic parameter
//! names (compared by position), whitespace, trailing commas and attribute order do not.

use super::tokens::{lex, print, Tok};
use std::collections::HashMap;

/// Key of a `pub fn` line: parameter patterns become `_`, generic parameters are renamed by position.
pub(crate) fn function_key(body: &str) -> String {
    let Some(mut toks) = lex(body) else {
        return collapse_whitespace(body);
    };
    drop_parameter_names(&mut toks);
    rename_generics(&mut toks);
    print(&toks)
}

/// Key of any other line: generic parameters renamed by position, spacing normalised.
pub(crate) fn generic_key(body: &str) -> String {
    let Some(mut toks) = lex(body) else {
        return collapse_whitespace(body);
    };
    rename_generics(&mut toks);
    print(&toks)
}

fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Index of the `(` that opens the parameter list: the first `(` after the `fn` keyword at angle depth 0.
fn params_open(toks: &[Tok]) -> Option<usize> {
    let fn_at = toks
        .iter()
        .position(|t| matches!(t, Tok::Ident(s) if s == "fn"))?;
    let mut angle = 0i32;
    for (i, tok) in toks.iter().enumerate().skip(fn_at + 1) {
        match tok {
            Tok::Punct('<', _) => angle += 1,
            Tok::Punct('>', _) if !is_arrow(toks, i) => angle -= 1,
            Tok::Open('(') if angle == 0 => return Some(i),
            _ => {}
        }
    }
    None
}

fn is_arrow(toks: &[Tok], i: usize) -> bool {
    i > 0 && matches!(toks[i - 1], Tok::Punct('-' | '=', true))
}

/// The index of the token closing the group opened at `open`.
pub(crate) fn matching_close(toks: &[Tok], open: usize) -> Option<usize> {
    let mut depth = 0i32;
    for (i, tok) in toks.iter().enumerate().skip(open) {
        match tok {
            Tok::Open(_) => depth += 1,
            Tok::Close(_) => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Replaces `pattern: Type` parameters with `_: Type`; receivers (`self`, `&mut self`, `self: Box<Self>`)
/// are kept as they are.
fn drop_parameter_names(toks: &mut Vec<Tok>) {
    let Some(open) = params_open(toks) else {
        return;
    };
    let Some(close) = matching_close(toks, open) else {
        return;
    };
    let inner = &toks[open + 1..close];
    let mut params: Vec<Vec<Tok>> = vec![Vec::new()];
    let mut depth = 0i32;
    for (i, tok) in inner.iter().enumerate() {
        match tok {
            Tok::Open(_) | Tok::Punct('<', _) => depth += 1,
            Tok::Close(_) => depth -= 1,
            Tok::Punct('>', _) if !is_arrow(inner, i) => depth -= 1,
            _ => {}
        }
        if depth == 0 && matches!(tok, Tok::Punct(',', _)) {
            params.push(Vec::new());
            continue;
        }
        if let Some(last) = params.last_mut() {
            last.push(tok.clone());
        }
    }
    let mut rebuilt = Vec::new();
    for (index, param) in params.into_iter().filter(|p| !p.is_empty()).enumerate() {
        if index > 0 {
            rebuilt.push(Tok::Punct(',', false));
        }
        rebuilt.extend(strip_pattern(param));
    }
    toks.splice(open + 1..close, rebuilt);
}

fn strip_pattern(param: Vec<Tok>) -> Vec<Tok> {
    let is_receiver = param
        .iter()
        .any(|t| matches!(t, Tok::Ident(s) if s == "self"))
        && !param
            .iter()
            .skip(1)
            .any(|t| matches!(t, Tok::Ident(s) if s == "Self" ))
        || matches!(param.first(), Some(Tok::Ident(s)) if s == "self");
    if is_receiver {
        return param;
    }
    // The pattern ends at the first single `:` at depth 0.
    let mut depth = 0i32;
    for (i, tok) in param.iter().enumerate() {
        match tok {
            Tok::Open(_) => depth += 1,
            Tok::Close(_) => depth -= 1,
            Tok::Punct(':', joint) if depth == 0 => {
                let part_of_path =
                    *joint || (i > 0 && matches!(param[i - 1], Tok::Punct(':', true)));
                if !part_of_path {
                    let mut out = vec![Tok::Ident("_".into()), Tok::Punct(':', false)];
                    out.extend_from_slice(&param[i + 1..]);
                    return out;
                }
            }
            _ => {}
        }
    }
    param
}

/// Renames the generic parameters declared in the first `<...>` after the item path (or after
/// `impl`) to `T0, T1, …` / `'l0, 'l1, …` everywhere in the line.
fn rename_generics(toks: &mut [Tok]) {
    let Some(open) = generics_open(toks) else {
        return;
    };
    let mut names: HashMap<String, String> = HashMap::new();
    let mut lifetimes: HashMap<String, String> = HashMap::new();
    let mut depth = 0i32;
    let mut expect_name = true;
    let mut i = open;
    while i < toks.len() {
        match &toks[i] {
            Tok::Punct('<', _) => {
                depth += 1;
                if depth == 1 {
                    expect_name = true;
                }
            }
            Tok::Punct('>', _) if !is_arrow(toks, i) => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            Tok::Open(_) => depth += 1,
            Tok::Close(_) => depth -= 1,
            Tok::Punct(',', _) if depth == 1 => expect_name = true,
            Tok::Punct('\'', _) if depth == 1 && expect_name => {
                if let Some(Tok::Ident(name)) = toks.get(i + 1) {
                    let fresh = format!("l{}", lifetimes.len());
                    lifetimes.insert(name.clone(), fresh);
                }
                expect_name = false;
            }
            Tok::Ident(name) if depth == 1 && expect_name && name != "const" => {
                let fresh = format!("T{}", names.len());
                names.insert(name.clone(), fresh);
                expect_name = false;
            }
            _ => {}
        }
        i += 1;
    }
    if names.is_empty() && lifetimes.is_empty() {
        return;
    }
    for index in 0..toks.len() {
        let after_tick = index > 0 && matches!(toks[index - 1], Tok::Punct('\'', _));
        if let Tok::Ident(name) = &toks[index] {
            let table = if after_tick { &lifetimes } else { &names };
            let after_path_sep = !after_tick
                && index > 0
                && matches!(toks[index - 1], Tok::Punct(':', false))
                && index > 1
                && matches!(toks[index - 2], Tok::Punct(':', true));
            if after_path_sep {
                continue;
            }
            if let Some(fresh) = table.get(name) {
                toks[index] = Tok::Ident(fresh.clone());
            }
        }
    }
}

/// The `<` that opens the item's own generic parameters: right after `impl`, or right after the
/// item path that follows the item keyword.
fn generics_open(toks: &[Tok]) -> Option<usize> {
    let keywords = ["fn", "struct", "enum", "union", "trait", "type", "impl"];
    let kw = toks
        .iter()
        .position(|t| matches!(t, Tok::Ident(s) if keywords.contains(&s.as_str())))?;
    let mut i = kw + 1;
    if matches!(toks[kw], Tok::Ident(ref s) if s == "impl") {
        return matches!(toks.get(i), Some(Tok::Punct('<', _))).then_some(i);
    }
    // Skip the path `a::b::C`.
    while i < toks.len() {
        match &toks[i] {
            Tok::Ident(_) => i += 1,
            Tok::Punct(':', true) if matches!(toks.get(i + 1), Some(Tok::Punct(':', _))) => i += 2,
            Tok::Punct('<', _) => return Some(i),
            _ => return None,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameter_names_do_not_matter() {
        assert_eq!(
            function_key("pub fn a::f(x: u8, mut y: &str) -> bool"),
            function_key("pub fn a::f(z: u8, w: &str) -> bool")
        );
        assert_eq!(
            function_key("pub fn a::f((a, b): (u8, u8))"),
            function_key("pub fn a::f(pair: (u8, u8))")
        );
        assert_ne!(
            function_key("pub fn a::f(x: u8)"),
            function_key("pub fn a::f(x: u16)")
        );
    }

    #[test]
    fn receivers_are_kept() {
        assert_eq!(
            function_key("pub fn a::S::f(&mut self, x: u8)"),
            "pub fn a::S::f(&mut self, _: u8)"
        );
        assert_eq!(
            function_key("pub fn a::S::f(self: Box<Self>)"),
            "pub fn a::S::f(self: Box<Self>)"
        );
        assert_ne!(
            function_key("pub fn a::S::f(&self)"),
            function_key("pub fn a::S::f(&mut self)")
        );
    }

    #[test]
    fn generic_names_are_compared_by_position() {
        assert_eq!(
            function_key("pub fn a::f<T: Clone, 'a>(x: &'a T) -> T where T: Send"),
            function_key("pub fn a::f<U: Clone, 'b>(y: &'b U) -> U where U: Send")
        );
        assert_ne!(
            function_key("pub fn a::f<T, U>(x: T, y: U)"),
            function_key("pub fn a::f<T, U>(x: U, y: T)")
        );
        assert_eq!(
            generic_key("pub struct a::S<T>"),
            generic_key("pub struct a::S<X>")
        );
        assert_eq!(
            generic_key("impl<T: Clone> core::clone::Clone for a::S<T>"),
            generic_key("impl<U: Clone> core::clone::Clone for a::S<U>")
        );
    }

    #[test]
    fn path_segments_named_like_generics_are_not_renamed() {
        assert_ne!(
            function_key("pub fn a::f<T>(x: T) -> m::T"),
            function_key("pub fn a::f<T>(x: T) -> T")
        );
    }

    #[test]
    fn spacing_and_trailing_commas_do_not_matter() {
        assert_eq!(
            function_key("pub fn a::f(x: u8,)"),
            function_key("pub fn a::f( x : u8 )")
        );
    }
}
