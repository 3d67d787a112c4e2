//! Macros in a dependent's file: the tokens passed to them (scanned for dependency paths and
//! member names) and the macros themselves (`dep::m!()`, `#[derive(dep::M)]`, `#[dep::attr]`,
//! `#[macro_use] extern crate dep`), recorded as [`UseKind::MacroCall`]: what a macro of a changed
//! crate expands to is not in the dependent's text. Pure.

use super::Scanner;
use crate::attributes::BUILTIN_ATTRIBUTES;
use crate::usage::{Confidence, UseKind};
use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};
use syn::visit::Visit;

impl Scanner<'_> {
    /// Macro bodies: parse them as expressions when they are (`assert_eq!(a, b)`, `vec![..]`,
    /// `format!(..)`), otherwise look for `dep::path` token runs and `.name` member accesses.
    /// A bare name passed as an argument is a name match (the macro may make it a member).
    pub(super) fn scan_macro_tokens(&mut self, tokens: &TokenStream) {
        let was = self.in_macro;
        self.in_macro = true;
        let parser = syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated;
        if let Ok(exprs) = syn::parse::Parser::parse2(parser, tokens.clone()) {
            for expr in &exprs {
                // A bare name passed to a macro may become a method or field name (`$x.$m()`).
                if let syn::Expr::Path(p) = expr {
                    if let Some(ident) = p.path.get_ident().filter(|_| p.qself.is_none()) {
                        self.name_match(ident.span(), UseKind::Path, ident.to_string());
                    }
                }
                self.visit_expr(expr);
            }
        } else if let Ok(block) = syn::parse2::<BlockBody>(tokens.clone()) {
            for stmt in &block.0 {
                self.visit_stmt(stmt);
            }
        } else {
            self.scan_raw_tokens(tokens);
        }
        self.in_macro = was;
    }

    /// Token runs: `a :: b :: c` that resolve to a dependency (a bare dependency name too: a
    /// macro may continue it, `$d::f()`), `a::m!` as a macro call, `.name` as a member access.
    fn scan_raw_tokens(&mut self, tokens: &TokenStream) {
        let trees: Vec<TokenTree> = tokens.clone().into_iter().collect();
        let mut i = 0;
        while i < trees.len() {
            match &trees[i] {
                TokenTree::Group(g) => self.scan_raw_tokens(&g.stream()),
                TokenTree::Ident(ident) => {
                    let mut segments = vec![ident.to_string()];
                    let mut j = i + 1;
                    while let (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b))) =
                        (trees.get(j), trees.get(j + 1))
                    {
                        let Some(TokenTree::Ident(next)) = trees.get(j + 2) else {
                            break;
                        };
                        if a.as_char() != ':' || a.spacing() != Spacing::Joint || b.as_char() != ':'
                        {
                            break;
                        }
                        segments.push(next.to_string());
                        j += 3;
                    }
                    let after_dot =
                        i > 0 && matches!(&trees[i - 1], TokenTree::Punct(p) if p.as_char() == '.');
                    let named = segments.len() > 1
                        || self.aliases.contains_key(&segments[0])
                        || self.deps.contains_key(&segments[0]);
                    if named && !after_dot {
                        let bang =
                            matches!(trees.get(j), Some(TokenTree::Punct(p)) if p.as_char() == '!');
                        let kind = if bang {
                            UseKind::MacroCall
                        } else {
                            UseKind::Path
                        };
                        if let Some((target, dep)) = self.resolve(&segments) {
                            let name = target.rsplit("::").next().unwrap_or(&target).to_owned();
                            let span = trees[j - 1].span();
                            let site = self.site(
                                span,
                                kind,
                                Confidence::Macro,
                                target,
                                name,
                                &dep.package,
                            );
                            self.sites.push(site);
                        }
                    }
                    i = j;
                    continue;
                }
                TokenTree::Punct(p) if p.as_char() == '.' => {
                    if let Some(TokenTree::Ident(name)) = trees.get(i + 1) {
                        let is_call = matches!(trees.get(i + 2), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis);
                        let kind = if is_call {
                            UseKind::MethodCall
                        } else {
                            UseKind::FieldAccess
                        };
                        self.name_match(name.span(), kind, name.to_string());
                    }
                }
                _ => {}
            }
            i += 1;
        }
    }

    /// `#[derive(dep::M, M)]`, `#[dep::attr]`, `#[attr(..)]`: the macros an attribute applies
    /// (when they resolve to a dependency) and the tokens it passes them. Built-in attributes
    /// cannot be macros, but their arguments can hold macro calls (`#[doc = dep::m!()]`).
    pub(super) fn scan_attribute(&mut self, attr: &syn::Attribute) {
        if attr.path().is_ident("derive") {
            let parser = syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated;
            if let Ok(paths) = attr.parse_args_with(parser) {
                for path in &paths {
                    self.record_path(path, UseKind::MacroCall);
                }
            }
            return;
        }
        let builtin = attr
            .path()
            .get_ident()
            .is_some_and(|i| BUILTIN_ATTRIBUTES.contains(&i.to_string().as_str()));
        if !builtin {
            self.record_path(attr.path(), UseKind::MacroCall);
        }
        match &attr.meta {
            syn::Meta::List(list) => {
                let was = self.in_macro;
                self.in_macro = true;
                self.scan_raw_tokens(&list.tokens);
                self.in_macro = was;
            }
            syn::Meta::NameValue(pair) => self.visit_expr(&pair.value),
            syn::Meta::Path(_) => {}
        }
    }

    /// `#[macro_use] extern crate dep;` brings every macro of `dep` into scope by bare name.
    pub(super) fn record_macro_use(&mut self, item: &syn::ItemExternCrate) {
        if !item.attrs.iter().any(|a| a.path().is_ident("macro_use")) {
            return;
        }
        let segments = vec![item.ident.to_string()];
        if let Some((target, dep)) = self.resolve(&segments) {
            let name = target.clone();
            let site = self.site(
                item.ident.span(),
                UseKind::MacroCall,
                self.confidence(),
                target,
                name,
                &dep.package,
            );
            self.sites.push(site);
        }
    }
}

/// A brace-less sequence of statements (`quote! { .. }` bodies that are items or statements).
struct BlockBody(Vec<syn::Stmt>);

impl syn::parse::Parse for BlockBody {
    fn parse(input: syn::parse::ParseStream) -> syn::Result<Self> {
        syn::Block::parse_within(input).map(BlockBody)
    }
}
