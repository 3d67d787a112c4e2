//! Token-level text handling shared by rendering and normalisation: a flat token list made from a
//! `proc_macro2::TokenStream`, and a printer that spaces tokens the way rustdoc and `public-api` do
//! (`&[flaredb_sql::Row]`, `Vec<u8>`, `fn f(x: u8) -> bool`), dropping trailing commas.

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};

/// One flattened token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tok {
    Open(char),
    Close(char),
    Ident(String),
    /// A punctuation character and whether it is glued to the next one (`::`, `->`, `'a`).
    Punct(char, bool),
    Lit(String),
}

/// Flattens a token stream; invisible groups are dropped, keeping their contents.
pub(crate) fn flatten(stream: TokenStream) -> Vec<Tok> {
    let mut out = Vec::new();
    flatten_into(stream, &mut out);
    out
}

fn flatten_into(stream: TokenStream, out: &mut Vec<Tok>) {
    for tree in stream {
        match tree {
            TokenTree::Group(group) => {
                let delims = match group.delimiter() {
                    Delimiter::Parenthesis => Some(('(', ')')),
                    Delimiter::Bracket => Some(('[', ']')),
                    Delimiter::Brace => Some(('{', '}')),
                    Delimiter::None => None,
                };
                if let Some((open, _)) = delims {
                    out.push(Tok::Open(open));
                }
                flatten_into(group.stream(), out);
                if let Some((_, close)) = delims {
                    out.push(Tok::Close(close));
                }
            }
            TokenTree::Ident(ident) => out.push(Tok::Ident(ident.to_string())),
            TokenTree::Punct(punct) => out.push(Tok::Punct(
                punct.as_char(),
                punct.spacing() == Spacing::Joint,
            )),
            TokenTree::Literal(lit) => out.push(Tok::Lit(lit.to_string())),
        }
    }
}

/// Tokenises text (a rendered line); `None` if it is not valid token text (unbalanced brackets).
pub(crate) fn lex(text: &str) -> Option<Vec<Tok>> {
    text.parse::<TokenStream>().ok().map(flatten)
}

fn is_word(tok: &Tok) -> bool {
    matches!(tok, Tok::Ident(_) | Tok::Lit(_))
}

fn punct(tok: &Tok) -> Option<char> {
    match tok {
        Tok::Punct(c, _) => Some(*c),
        _ => None,
    }
}

/// Prints tokens with conventional Rust spacing.
pub(crate) fn print(toks: &[Tok]) -> String {
    let toks = drop_trailing_commas(toks);
    let mut out = String::new();
    // Only types, paths and signatures are printed, so every `<` is a generic bracket.
    for (i, tok) in toks.iter().enumerate() {
        if i > 0 && needs_space(&toks, i) {
            out.push(' ');
        }
        match tok {
            Tok::Open(c) | Tok::Close(c) => out.push(*c),
            Tok::Punct(c, _) => out.push(*c),
            Tok::Ident(s) | Tok::Lit(s) => out.push_str(s),
        }
    }
    out
}

fn drop_trailing_commas(toks: &[Tok]) -> Vec<Tok> {
    let mut out: Vec<Tok> = Vec::with_capacity(toks.len());
    for (i, tok) in toks.iter().enumerate() {
        if punct(tok) == Some(',') {
            let next = toks.get(i + 1);
            let closes = match next {
                None => true,
                Some(Tok::Close(_)) => true,
                Some(Tok::Punct('>', _)) => !is_arrow_end(toks, i + 1),
                _ => false,
            };
            if closes {
                continue;
            }
        }
        out.push(tok.clone());
    }
    out
}

/// Whether the `>` at `i` is the second half of `->` or `=>`.
fn is_arrow_end(toks: &[Tok], i: usize) -> bool {
    matches!(
        toks.get(i.wrapping_sub(1)),
        Some(Tok::Punct('-' | '=', true))
    )
}

/// Whether the `<` or `>` at `i` is part of a multi-character operator (`<=`, `->`, `>>=`) rather
/// than a generic bracket.
fn is_generic_angle(toks: &[Tok], i: usize) -> bool {
    match &toks[i] {
        Tok::Punct('>', _) => !is_arrow_end(toks, i),
        Tok::Punct('<', _) => true,
        _ => false,
    }
}

fn needs_space(toks: &[Tok], i: usize) -> bool {
    let prev = &toks[i - 1];
    let cur = &toks[i];
    // Glued punctuation (`::`, `->`, `'a`, `..`) never gets a space inside.
    if let Tok::Punct(p, true) = prev {
        if *p == '\'' || matches!(cur, Tok::Punct(..)) {
            return false;
        }
    }
    if let Tok::Punct('\'', _) = prev {
        return false;
    }
    let prev_c = punct(prev);
    let cur_c = punct(cur);
    // `::` on either side: no space (`a::b`, `<T as Tr>::X`), except `= ::x` style which never occurs here.
    if cur_c == Some(':')
        && matches!(toks.get(i + 1), Some(Tok::Punct(':', _)))
        && matches!(cur, Tok::Punct(':', true))
    {
        return matches!(prev, Tok::Punct(',' | '=' | '>', _)) && !is_generic_angle(toks, i - 1)
            || prev_c == Some('>') && is_arrow_end(toks, i - 1)
            || matches!(prev, Tok::Ident(s) if s == "dyn" || s == "impl" || s == "as" || s == "for" || s == "where" || s == "mut" || s == "const");
    }
    if prev_c == Some(':') && i >= 2 && matches!(toks[i - 2], Tok::Punct(':', true)) {
        return false;
    }
    if matches!(prev, Tok::Open('{')) || matches!(cur, Tok::Close('}')) {
        return !(matches!(prev, Tok::Open('{')) && matches!(cur, Tok::Close('}')));
    }
    match cur {
        Tok::Punct(',' | ';', _) => return false,
        Tok::Punct(':', _) => return false,
        Tok::Punct('?', _) => return !matches!(prev, Tok::Open(_) | Tok::Punct('<', _)),
        Tok::Close(_) => return false,
        Tok::Punct('>', _) if is_generic_angle(toks, i) => return false,
        Tok::Punct('<', _) => {
            return matches!(prev, Tok::Punct(',' | '=' | ':' | '+' | '(', _))
                || prev_c == Some('>') && is_arrow_end(toks, i - 1)
                || matches!(prev, Tok::Ident(s) if s == "as" || s == "dyn" || s == "impl" || s == "where" || s == "mut" || s == "const");
        }
        Tok::Open('(') | Tok::Open('[') => {
            let after_lifetime = i >= 2 && matches!(toks[i - 2], Tok::Punct('\'', _));
            return after_lifetime
                || match prev {
                    Tok::Ident(s) => matches!(
                        s.as_str(),
                        "dyn" | "impl" | "mut" | "const" | "where" | "as" | "in" | "unsafe"
                    ),
                    Tok::Punct(',' | '=' | ':' | '+', _) => true,
                    Tok::Punct('>', _) => is_arrow_end(toks, i - 1),
                    Tok::Lit(_) => true,
                    _ => false,
                };
        }
        Tok::Open('{') => return true,
        _ => {}
    }
    match prev {
        Tok::Open(_) => false,
        Tok::Punct('?', _) => false,
        Tok::Punct('&' | '*' | '!' | '#' | '$', _) => {
            // `&'a`, `&mut`, `*const`: glued; `!` (never type) followed by a word keeps a space.
            matches!(prev, Tok::Punct('!', _)) && is_word(cur)
        }
        Tok::Punct('<', _) => !is_generic_angle(toks, i - 1),
        Tok::Punct('.', _) => false,
        Tok::Punct('-', _)
            if matches!(cur, Tok::Lit(_))
                && !matches!(
                    toks.get(i.wrapping_sub(2)),
                    Some(Tok::Ident(_) | Tok::Lit(_) | Tok::Close(_))
                ) =>
        {
            false
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(text: &str) -> String {
        print(&lex(text).unwrap())
    }

    #[test]
    fn spaces_like_rustdoc() {
        let cases = [
            ("& [ flaredb_sql :: Row ]", "&[flaredb_sql::Row]"),
            ("Vec < u8 , >", "Vec<u8>"),
            (
                "fn f (x : u8 , y : & 'a str ,) -> bool",
                "fn f(x: u8, y: &'a str) -> bool",
            ),
            (
                "Result < Option < Vec < u8 > > , E >",
                "Result<Option<Vec<u8>>, E>",
            ),
            ("& mut self", "&mut self"),
            ("* const T", "*const T"),
            ("[u8 ; 4]", "[u8; 4]"),
            ("impl Fn (u8) -> u8 + Send", "impl Fn(u8) -> u8 + Send"),
            (
                "Box < dyn std :: error :: Error + Send + 'static >",
                "Box<dyn std::error::Error + Send + 'static>",
            ),
            ("T : ? Sized", "T: ?Sized"),
            ("< T as Iterator > :: Item", "<T as Iterator>::Item"),
            ("-> !", "-> !"),
            ("where T : Clone , U : Copy ,", "where T: Clone, U: Copy"),
            ("Iterator < Item = u8 >", "Iterator<Item = u8>"),
            ("for < 'a > Fn (& 'a u8)", "for<'a> Fn(&'a u8)"),
            ("extern \"C\" fn ()", "extern \"C\" fn()"),
            ("f () { .. }", "f() { .. }"),
            (
                "fn f () -> :: std :: io :: Result < () >",
                "fn f() -> ::std::io::Result<()>",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(round(input), expected, "input: {input}");
        }
    }

    #[test]
    fn printing_is_idempotent() {
        let text =
            "pub fn a::f<T: Clone>(x: &[T], y: impl Fn(u8) -> u8) -> Option<Vec<T>> where T: Send";
        let once = round(text);
        assert_eq!(round(&once), once);
    }
}
