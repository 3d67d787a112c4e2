//! Pass 2 over a dependent's file: every reference to a workspace dependency ([`UseSite`]) by
//! walking the syntax tree (paths, imports, method calls and fields by name, literals, exhaustive
//! matches, trait impls, macro bodies). Pure.

use super::aliases::type_alias_target;
use super::imports::{flatten_use, resolve_with, Imports};
use super::{Confidence, DepName, ScanContext, UseKind, UseSite};
use std::collections::HashMap;
use syn::spanned::Spanned;
use syn::visit::Visit;

mod macros;

/// Scans one file. A file that does not parse yields no sites (the compiler will say more).
pub fn scan_file(ctx: &ScanContext, file: &str, text: &str) -> Vec<UseSite> {
    let Ok(parsed) = crate::api::guard::parse_file(text) else {
        return Vec::new();
    };
    let mut deps = ctx.deps.clone();
    let aliases: HashMap<String, (String, DepName)> = HashMap::new();
    // Pass 1: `extern crate x as y` and `use` aliases of this file.
    for item in all_items(&parsed.items) {
        if let syn::Item::ExternCrate(ec) = item {
            if let Some(dep) = deps.get(&ec.ident.to_string()).cloned() {
                let alias = ec
                    .rename
                    .as_ref()
                    .map(|(_, i)| i.to_string())
                    .unwrap_or_else(|| ec.ident.to_string());
                deps.insert(alias, dep);
            }
        }
    }
    let uses = all_items(&parsed.items)
        .into_iter()
        .filter_map(|item| match item {
            syn::Item::Use(u) => Some(u),
            _ => None,
        });
    let imports = Imports::of(uses, &deps, &ctx.crate_aliases, &aliases);
    let mut scanner = Scanner {
        package: &ctx.package,
        file,
        lines: text.lines().collect(),
        deps: &deps,
        aliases: imports.aliases,
        globs: imports.globs,
        crate_aliases: &ctx.crate_aliases,
        sites: Vec::new(),
        name_matches: Vec::new(),
        in_macro: false,
        self_type: None,
    };
    scanner.visit_file(&parsed);
    let mut sites = scanner.sites;
    // Name matches are attributed to every dependency (a value of one can arrive through a local
    // function or another dependency's item); in a file that names none, at the lowest
    // confidence: a miss here would let precise mode skip a crate the compiler rejects.
    let indirect = sites.is_empty();
    let mut targets: Vec<String> = ctx.deps.values().map(|d| d.package.clone()).collect();
    targets.sort();
    targets.dedup();
    for site in scanner.name_matches {
        for dependency in &targets {
            let mut site = site.clone();
            site.dependency = dependency.clone();
            if indirect {
                site.confidence = Confidence::Indirect;
            }
            sites.push(site);
        }
    }
    sites.sort();
    sites.dedup();
    sites
}

/// Items of a file including those nested in inline modules and function bodies are not needed
/// for aliases: top level and inline modules suffice.
fn all_items(items: &[syn::Item]) -> Vec<&syn::Item> {
    let mut out = Vec::new();
    for item in items {
        out.push(item);
        if let syn::Item::Mod(m) = item {
            if let Some((_, inner)) = &m.content {
                out.extend(all_items(inner));
            }
        }
    }
    out
}

struct Scanner<'a> {
    package: &'a str,
    file: &'a str,
    lines: Vec<&'a str>,
    deps: &'a HashMap<String, DepName>,
    aliases: HashMap<String, (String, DepName)>,
    /// Glob-imported dependency paths in scope: a path that resolves no other way may name an item
    /// under one of them.
    globs: Vec<(String, DepName)>,
    crate_aliases: &'a HashMap<String, (String, DepName)>,
    sites: Vec<UseSite>,
    name_matches: Vec<UseSite>,
    in_macro: bool,
    /// The written path of the enclosing impl's self type: `Self::f` inside `impl T for dep::S`
    /// is `dep::S::f`.
    self_type: Option<Vec<String>>,
}

impl Scanner<'_> {
    fn resolve(&self, segments: &[String]) -> Option<(String, DepName)> {
        if let (Some(("Self", rest)), Some(self_type)) = (
            segments.split_first().map(|(f, r)| (f.as_str(), r)),
            &self.self_type,
        ) {
            let written: Vec<String> = self_type.iter().chain(rest).cloned().collect();
            return self.resolve(&written);
        }
        resolve_with(self.deps, &self.aliases, segments).or_else(|| {
            // Names bound in other files or modules of the crate, reached through `crate::`,
            // `super::` or module paths (`crate::api::QR`, `types::Alias`).
            let names: Vec<String> = segments
                .iter()
                .skip_while(|s| matches!(s.as_str(), "crate" | "self" | "super"))
                .cloned()
                .collect();
            (0..names.len())
                .find_map(|i| resolve_with(&HashMap::new(), self.crate_aliases, &names[i..]))
        })
    }

    /// Every dependency path `segments` may name, with the confidence of each: the resolved path
    /// when there is one, otherwise one candidate per glob import in scope (matched by name: a
    /// local item or the prelude may shadow it).
    fn candidates(&self, segments: &[String]) -> Vec<(String, DepName, Confidence)> {
        if let Some((target, dep)) = self.resolve(segments) {
            return vec![(target, dep, self.confidence())];
        }
        let Some(first) = segments.first() else {
            return Vec::new();
        };
        if matches!(first.as_str(), "crate" | "self" | "super" | "Self" | "::") {
            return Vec::new();
        }
        let confidence = if self.in_macro {
            Confidence::Macro
        } else {
            Confidence::NameMatch
        };
        self.globs
            .iter()
            .map(|(prefix, dep)| {
                let target = std::iter::once(prefix.as_str())
                    .chain(segments.iter().map(String::as_str))
                    .collect::<Vec<_>>()
                    .join("::");
                (target, dep.clone(), confidence)
            })
            .collect()
    }

    fn confidence(&self) -> Confidence {
        if self.in_macro {
            Confidence::Macro
        } else {
            Confidence::Exact
        }
    }

    fn site(
        &self,
        span: proc_macro2::Span,
        kind: UseKind,
        confidence: Confidence,
        target: String,
        name: String,
        dependency: &str,
    ) -> UseSite {
        let start = span.start();
        let snippet = self
            .lines
            .get(start.line.saturating_sub(1))
            .map(|l| l.trim().chars().take(160).collect())
            .unwrap_or_default();
        UseSite {
            package: self.package.to_owned(),
            dependency: dependency.to_owned(),
            file: self.file.to_owned(),
            line: start.line,
            column: start.column + 1,
            kind,
            confidence,
            target,
            name,
            snippet,
        }
    }

    fn record_path(&mut self, path: &syn::Path, kind: UseKind) {
        let span = path
            .segments
            .last()
            .map(|s| s.ident.span())
            .unwrap_or_else(|| path.span());
        let segments = path_segments(path);
        let candidates = self.candidates(&segments);
        // `X::go(&x)` where `X` is local: `go` may be a dependency trait's method.
        if candidates.is_empty() && segments.len() > 1 && kind == UseKind::Path {
            let name = segments[segments.len() - 1].clone();
            self.name_match(span, UseKind::MethodCall, name);
        }
        for (target, dep, confidence) in candidates {
            let name = last_segment(&target).to_owned();
            let site = self.site(span, kind, confidence, target, name, &dep.package);
            self.sites.push(site);
        }
    }

    /// `<dep::S>::f` (a qualified path without a trait): the type's path continued.
    fn record_qualified_path(&mut self, qself: Option<&syn::QSelf>, path: &syn::Path) {
        let Some(q) = qself.filter(|q| q.position == 0) else {
            return;
        };
        let syn::Type::Path(ty) = &*q.ty else {
            return;
        };
        if ty.qself.is_some() {
            return;
        }
        let mut joined = ty.path.clone();
        joined.segments.extend(path.segments.iter().cloned());
        self.record_path(&joined, UseKind::Path);
    }

    fn name_match(&mut self, span: proc_macro2::Span, kind: UseKind, name: String) {
        let confidence = if self.in_macro {
            Confidence::Macro
        } else {
            Confidence::NameMatch
        };
        let site = self.site(span, kind, confidence, String::new(), name, "");
        self.name_matches.push(site);
    }
}

impl<'ast> Visit<'ast> for Scanner<'_> {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        for leaf in flatten_use(&item.tree) {
            if let Some((target, dep)) = self.resolve(&leaf.segments) {
                let name = leaf.segments.last().cloned().unwrap_or_default();
                let name = if leaf.glob { "*".to_owned() } else { name };
                let site = self.site(
                    leaf.span,
                    UseKind::Import,
                    self.confidence(),
                    target,
                    name,
                    &dep.package,
                );
                self.sites.push(site);
            }
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        self.record_path(path, UseKind::Path);
        syn::visit::visit_path(self, path);
    }

    fn visit_expr_path(&mut self, expr: &'ast syn::ExprPath) {
        self.record_qualified_path(expr.qself.as_ref(), &expr.path);
        syn::visit::visit_expr_path(self, expr);
    }

    fn visit_type_path(&mut self, ty: &'ast syn::TypePath) {
        self.record_qualified_path(ty.qself.as_ref(), &ty.path);
        syn::visit::visit_type_path(self, ty);
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        self.name_match(call.method.span(), UseKind::MethodCall, unraw(&call.method));
        syn::visit::visit_expr_method_call(self, call);
    }

    fn visit_expr_field(&mut self, field: &'ast syn::ExprField) {
        match &field.member {
            syn::Member::Named(name) => {
                self.name_match(name.span(), UseKind::FieldAccess, unraw(name));
            }
            // `.0`: a tuple field, by its index.
            syn::Member::Unnamed(index) => {
                self.name_match(index.span, UseKind::FieldAccess, index.index.to_string());
            }
        }
        syn::visit::visit_expr_field(self, field);
    }

    fn visit_block(&mut self, block: &'ast syn::Block) {
        let items = || {
            block.stmts.iter().filter_map(|stmt| match stmt {
                syn::Stmt::Item(item) => Some(item),
                _ => None,
            })
        };
        let uses: Vec<&syn::ItemUse> = items()
            .filter_map(|item| match item {
                syn::Item::Use(u) => Some(u),
                _ => None,
            })
            .collect();
        let types: Vec<&syn::ItemType> = items()
            .filter_map(|item| match item {
                syn::Item::Type(t) => Some(t),
                _ => None,
            })
            .collect();
        if uses.is_empty() && types.is_empty() {
            return syn::visit::visit_block(self, block);
        }
        // `use` items and type aliases in a block bind names for that block only.
        let mut scoped = Imports::of(
            uses.into_iter(),
            self.deps,
            self.crate_aliases,
            &self.aliases,
        );
        for ty in types {
            if let Some(target) = type_alias_target(ty, self.deps, &scoped.aliases) {
                scoped.aliases.insert(ty.ident.to_string(), target);
            }
        }
        let outer_aliases = std::mem::replace(&mut self.aliases, scoped.aliases);
        let outer_globs = self.globs.len();
        self.globs.extend(scoped.globs);
        syn::visit::visit_block(self, block);
        self.aliases = outer_aliases;
        self.globs.truncate(outer_globs);
    }

    fn visit_expr_struct(&mut self, expr: &'ast syn::ExprStruct) {
        for (target, dep, confidence) in self.candidates(&path_segments(&expr.path)) {
            for field in &expr.fields {
                if let syn::Member::Named(name) = &field.member {
                    let site = self.site(
                        name.span(),
                        UseKind::LiteralField,
                        confidence,
                        format!("{target}::{name}"),
                        name.to_string(),
                        &dep.package,
                    );
                    self.sites.push(site);
                }
            }
            if expr.rest.is_none() {
                let name = last_segment(&target).to_owned();
                let site = self.site(
                    expr.path.span(),
                    UseKind::StructLiteral,
                    confidence,
                    target,
                    name,
                    &dep.package,
                );
                self.sites.push(site);
            }
        }
        syn::visit::visit_expr_struct(self, expr);
    }

    fn visit_pat_struct(&mut self, pat: &'ast syn::PatStruct) {
        for (target, dep, confidence) in self.candidates(&path_segments(&pat.path)) {
            for field in &pat.fields {
                if let syn::Member::Named(name) = &field.member {
                    let site = self.site(
                        name.span(),
                        UseKind::PatternField,
                        confidence,
                        format!("{target}::{name}"),
                        name.to_string(),
                        &dep.package,
                    );
                    self.sites.push(site);
                }
            }
        }
        syn::visit::visit_pat_struct(self, pat);
    }

    fn visit_expr_match(&mut self, expr: &'ast syn::ExprMatch) {
        let catch_all = expr
            .arms
            .iter()
            .any(|arm| arm.guard.is_none() && is_catch_all(&arm.pat));
        if !catch_all {
            let mut enums: Vec<(String, String, Confidence)> = Vec::new();
            for arm in &expr.arms {
                for path in pattern_paths(&arm.pat) {
                    let segments = path_segments(path);
                    if segments.len() < 2 {
                        continue;
                    }
                    for (target, dep, confidence) in self.candidates(&segments) {
                        if let Some((enum_path, _)) = target.rsplit_once("::") {
                            if !enums.iter().any(|(e, _, _)| e == enum_path) {
                                enums.push((enum_path.to_owned(), dep.package, confidence));
                            }
                        }
                    }
                }
            }
            for (enum_path, dep, confidence) in enums {
                let name = last_segment(&enum_path).to_owned();
                let site = self.site(
                    expr.match_token.span,
                    UseKind::ExhaustiveMatch,
                    confidence,
                    enum_path,
                    name,
                    &dep,
                );
                self.sites.push(site);
            }
        }
        syn::visit::visit_expr_match(self, expr);
    }

    fn visit_item_impl(&mut self, item: &'ast syn::ItemImpl) {
        if let Some((_, trait_path, _)) = &item.trait_ {
            for (target, dep, confidence) in self.candidates(&path_segments(trait_path)) {
                let name = last_segment(&target).to_owned();
                let site = self.site(
                    trait_path.span(),
                    UseKind::TraitImpl,
                    confidence,
                    target.clone(),
                    name,
                    &dep.package,
                );
                self.sites.push(site);
                for impl_item in &item.items {
                    if let syn::ImplItem::Fn(f) = impl_item {
                        let name = f.sig.ident.to_string();
                        let site = self.site(
                            f.sig.ident.span(),
                            UseKind::TraitImplMethod,
                            confidence,
                            format!("{target}::{name}"),
                            name,
                            &dep.package,
                        );
                        self.sites.push(site);
                    }
                }
            }
        }
        let self_type = match &*item.self_ty {
            syn::Type::Path(p) if p.qself.is_none() => Some(path_segments(&p.path)),
            _ => None,
        };
        let outer = std::mem::replace(&mut self.self_type, self_type);
        syn::visit::visit_item_impl(self, item);
        self.self_type = outer;
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.record_path(&mac.path, UseKind::MacroCall);
        self.scan_macro_tokens(&mac.tokens);
    }

    fn visit_attribute(&mut self, attr: &'ast syn::Attribute) {
        self.scan_attribute(attr);
    }

    fn visit_item_extern_crate(&mut self, item: &'ast syn::ItemExternCrate) {
        self.record_macro_use(item);
        syn::visit::visit_item_extern_crate(self, item);
    }
}

/// `QueryResult` for `flaredb_sql::QueryResult`.
fn last_segment(path: &str) -> &str {
    path.rsplit("::").next().unwrap_or(path)
}

/// An identifier as items are named (`r#match` is `match`).
fn unraw(ident: &syn::Ident) -> String {
    syn::ext::IdentExt::unraw(ident).to_string()
}

fn path_segments(path: &syn::Path) -> Vec<String> {
    let mut segments: Vec<String> = path.segments.iter().map(|s| unraw(&s.ident)).collect();
    if path.leading_colon.is_some() {
        segments.insert(0, "::".into());
    }
    segments
}

/// `_`, a plain binding (`other`), or an or-pattern containing one.
fn is_catch_all(pat: &syn::Pat) -> bool {
    match pat {
        syn::Pat::Wild(_) => true,
        syn::Pat::Ident(id) => {
            id.subpat.is_none()
                && id
                    .ident
                    .to_string()
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_lowercase() || c == '_')
        }
        syn::Pat::Or(or) => or.cases.iter().any(is_catch_all),
        syn::Pat::Reference(r) => is_catch_all(&r.pat),
        syn::Pat::Paren(p) => is_catch_all(&p.pat),
        _ => false,
    }
}

/// The paths naming variants in a pattern.
fn pattern_paths(pat: &syn::Pat) -> Vec<&syn::Path> {
    match pat {
        syn::Pat::Path(p) => vec![&p.path],
        syn::Pat::TupleStruct(p) => vec![&p.path],
        syn::Pat::Struct(p) => vec![&p.path],
        syn::Pat::Or(or) => or.cases.iter().flat_map(pattern_paths).collect(),
        syn::Pat::Reference(r) => pattern_paths(&r.pat),
        syn::Pat::Paren(p) => pattern_paths(&p.pat),
        syn::Pat::Ident(id) => id
            .subpat
            .as_ref()
            .map(|(_, p)| pattern_paths(p))
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> ScanContext {
        let dep = DepName {
            package: "flaredb-sql".into(),
            crate_name: "flaredb_sql".into(),
        };
        let mut deps = HashMap::new();
        deps.insert("flaredb_sql".to_owned(), dep.clone());
        deps.insert("fsql".to_owned(), dep);
        ScanContext {
            package: "flaredb-server".into(),
            deps,
            crate_aliases: HashMap::new(),
        }
    }

    fn find<'a>(sites: &'a [UseSite], kind: UseKind, target_or_name: &str) -> Option<&'a UseSite> {
        sites
            .iter()
            .find(|s| s.kind == kind && (s.target == target_or_name || s.name == target_or_name))
    }

    const HANDLER: &str = r#"use flaredb_sql::{Database, ErrorResult, QueryResult as QR, Value};
use fsql::parser;

pub fn handle(db: &Database) -> Result<usize, ErrorResult> {
    let result: QR = db.query("select")?;
    let n = result.rows().len();
    let err = ErrorResult { code: 1, message: "x".into() };
    let _ = err.message.len();
    match Value::Null {
        Value::Null => {}
        Value::Int(_) => {}
    }
    let _ = flaredb_sql::QueryResult::new(vec![], vec![]);
    assert_eq!(result.row_count(), n);
    Ok(n)
}

impl flaredb_sql::Executor for Thing {
    fn execute(&self, sql: &str) -> Result<QR, ErrorResult> { todo!() }
}
"#;

    #[test]
    fn finds_every_kind_of_reference() {
        let sites = scan_file(&ctx(), "flaredb-server/src/handler.rs", HANDLER);
        let rows = find(&sites, UseKind::MethodCall, "rows").expect("rows() call");
        assert_eq!((rows.line, rows.column), (6, 20));
        assert_eq!(rows.confidence, Confidence::NameMatch);
        assert_eq!(rows.dependency, "flaredb-sql");
        assert!(rows.snippet.contains("result.rows()"));
        let literal = find(
            &sites,
            UseKind::LiteralField,
            "flaredb_sql::ErrorResult::message",
        )
        .expect("literal field");
        assert_eq!(literal.line, 7);
        assert!(find(&sites, UseKind::StructLiteral, "flaredb_sql::ErrorResult").is_some());
        assert!(find(&sites, UseKind::FieldAccess, "message").is_some());
        assert!(
            find(&sites, UseKind::Path, "flaredb_sql::QueryResult").is_some(),
            "alias QR resolves"
        );
        assert!(find(&sites, UseKind::Path, "flaredb_sql::QueryResult::new").is_some());
        assert!(
            find(&sites, UseKind::Import, "flaredb_sql::parser").is_some(),
            "renamed extern fsql"
        );
        assert!(find(&sites, UseKind::ExhaustiveMatch, "flaredb_sql::Value").is_some());
        assert!(find(&sites, UseKind::TraitImpl, "flaredb_sql::Executor").is_some());
        assert!(find(
            &sites,
            UseKind::TraitImplMethod,
            "flaredb_sql::Executor::execute"
        )
        .is_some());
        let in_macro =
            find(&sites, UseKind::MethodCall, "row_count").expect("method call inside assert_eq!");
        assert_eq!(in_macro.confidence, Confidence::Macro);
    }

    #[test]
    fn matches_with_catch_all_are_not_exhaustive() {
        let src =
            "use flaredb_sql::Value; fn f(v: Value) { match v { Value::Null => {}, _ => {} } }";
        let sites = scan_file(&ctx(), "a.rs", src);
        assert!(find(&sites, UseKind::ExhaustiveMatch, "flaredb_sql::Value").is_none());
    }

    #[test]
    fn files_without_dependency_references_give_indirect_name_matches() {
        let sites = scan_file(
            &ctx(),
            "a.rs",
            "fn f(r: &Local) -> usize { r.rows().len() }",
        );
        let rows = find(&sites, UseKind::MethodCall, "rows").expect("indirect match");
        assert_eq!(rows.confidence, Confidence::Indirect);
        assert_eq!(rows.dependency, "flaredb-sql");
    }

    #[test]
    fn quote_bodies_are_scanned_at_macro_confidence() {
        let src =
            "fn gen() -> TokenStream { quote! { let r = ::flaredb_sql::QueryResult::rows(&x); } }";
        let sites = scan_file(&ctx(), "a.rs", src);
        let site =
            find(&sites, UseKind::Path, "flaredb_sql::QueryResult::rows").expect("path in quote!");
        assert_eq!(site.confidence, Confidence::Macro);
    }

    #[test]
    fn crate_aliases_resolve_paths_through_local_reexports() {
        let mut c = ctx();
        let dep = c.deps["flaredb_sql"].clone();
        c.crate_aliases.insert(
            "QueryResult".into(),
            ("flaredb_sql::QueryResult".into(), dep),
        );
        let sites = scan_file(&c, "b.rs", "fn f(r: &crate::api::QueryResult) {}");
        assert!(
            find(&sites, UseKind::Path, "flaredb_sql::QueryResult").is_some(),
            "{sites:?}"
        );
    }

    #[test]
    fn glob_imports_resolve_paths_at_name_match_confidence() {
        let src = "use flaredb_sql::*;\nfn f(v: Value) -> ErrorResult {\n    let _ = QueryResult::new(vec![], vec![]);\n    ErrorResult { code: 1, message: String::new() }\n}\n";
        let sites = scan_file(&ctx(), "a.rs", src);
        let new = find(&sites, UseKind::Path, "flaredb_sql::QueryResult::new").expect("glob path");
        assert_eq!((new.line, new.confidence), (3, Confidence::NameMatch));
        let field = find(
            &sites,
            UseKind::LiteralField,
            "flaredb_sql::ErrorResult::message",
        )
        .expect("literal field through a glob import");
        assert_eq!(field.line, 4);
        let glob = find(&sites, UseKind::Import, "flaredb_sql").expect("glob import site");
        assert_eq!(glob.name, "*");
        assert!(find(&sites, UseKind::Path, "flaredb_sql::crate::X").is_none());
    }

    #[test]
    fn uses_inside_function_bodies_bind_names_for_that_block_only() {
        let src = "fn f(v: &V) {\n    use flaredb_sql::{Value, parser::*};\n    match *v {\n        Value::Null => tokenize(),\n        Value::Int(_) => {}\n    }\n}\nfn g() {\n    Value::Null;\n    tokenize();\n}\n";
        let sites = scan_file(&ctx(), "a.rs", src);
        let null: Vec<usize> = sites
            .iter()
            .filter(|s| s.target == "flaredb_sql::Value::Null")
            .map(|s| s.line)
            .collect();
        assert_eq!(null, vec![4], "{sites:?}");
        assert!(find(&sites, UseKind::ExhaustiveMatch, "flaredb_sql::Value").is_some());
        let tokenize: Vec<usize> = sites
            .iter()
            .filter(|s| s.target == "flaredb_sql::parser::tokenize")
            .map(|s| s.line)
            .collect();
        assert_eq!(tokenize, vec![4], "glob scoped to f: {sites:?}");
    }

    #[test]
    fn extern_crate_renames_are_followed() {
        let src = "extern crate flaredb_sql as sql; fn f() { sql::run(); }";
        let sites = scan_file(&ctx(), "a.rs", src);
        assert!(
            find(&sites, UseKind::Path, "flaredb_sql::run").is_some(),
            "{sites:?}"
        );
    }
}
