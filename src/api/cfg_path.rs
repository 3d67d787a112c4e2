//! Modules whose file is chosen by `#[cfg_attr(cond, path = "..")]` (rustix, tempfile, portable-atomic
//! pick a backend this way): each `mod x;` is expanded before the module tree is loaded into one
//! module per candidate file, `#[cfg(cond)] #[path = ".."] mod x;`, plus the default file under
//! `#[cfg(not(any(cond, ..)))]`, so every candidate's items are listed under their cfg. Pure.

use syn::punctuated::Punctuated;

/// The `(predicate, path)` pairs of a module's `cfg_attr(.., path = "..")` attributes.
fn candidates(attrs: &[syn::Attribute]) -> Vec<(syn::Meta, String, usize)> {
    let mut out = Vec::new();
    for (index, attr) in attrs.iter().enumerate() {
        if !attr.path().is_ident("cfg_attr") {
            continue;
        }
        let Ok(metas) =
            attr.parse_args_with(Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated)
        else {
            continue;
        };
        let mut metas = metas.into_iter();
        let Some(predicate) = metas.next() else {
            continue;
        };
        for meta in metas {
            if let syn::Meta::NameValue(nv) = &meta {
                if nv.path.is_ident("path") {
                    if let syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(s),
                        ..
                    }) = &nv.value
                    {
                        out.push((predicate.clone(), s.value(), index));
                    }
                }
            }
        }
    }
    out
}

/// Expands every file module with `cfg_attr(.., path = ..)` into one module per candidate file.
pub(crate) fn expand_cfg_attr_paths(items: &mut Vec<syn::Item>) {
    let mut out = Vec::with_capacity(items.len());
    for item in items.drain(..) {
        let syn::Item::Mod(module) = &item else {
            out.push(item);
            continue;
        };
        let found = candidates(&module.attrs);
        if module.content.is_some() || found.is_empty() {
            out.push(item);
            continue;
        }
        let mut base = module.clone();
        let drop: Vec<usize> = found.iter().map(|(_, _, i)| *i).collect();
        base.attrs = base
            .attrs
            .iter()
            .enumerate()
            .filter(|(i, _)| !drop.contains(i))
            .map(|(_, a)| a.clone())
            .collect();
        for (predicate, path, _) in &found {
            let mut candidate = base.clone();
            candidate.attrs.retain(|a| !a.path().is_ident("path"));
            candidate.attrs.push(syn::parse_quote!(#[cfg(#predicate)]));
            candidate.attrs.push(syn::parse_quote!(#[path = #path]));
            out.push(syn::Item::Mod(candidate));
        }
        let metas: Vec<&syn::Meta> = found.iter().map(|(p, _, _)| p).collect();
        let mut default = base;
        default
            .attrs
            .push(syn::parse_quote!(#[cfg(not(any(#(#metas),*)))]));
        out.push(syn::Item::Mod(default));
    }
    *items = out;
}

#[cfg(test)]
mod tests {
    use crate::api::syn_engine::{extract, CrateInput};
    use std::collections::BTreeMap;

    #[test]
    fn every_candidate_file_is_listed_under_its_cfg() {
        let mut files: BTreeMap<&str, &str> = BTreeMap::new();
        files.insert(
            "d/src/lib.rs",
            "#[cfg_attr(unix, path = \"backend_unix.rs\")]\n#[cfg_attr(windows, path = \"backend_windows.rs\")]\npub mod backend;",
        );
        files.insert("d/src/backend_unix.rs", "pub fn on_unix() {}");
        files.insert("d/src/backend_windows.rs", "pub fn on_windows() {}");
        files.insert("d/src/backend.rs", "pub fn elsewhere() {}");
        let input = CrateInput {
            package: "d".into(),
            crate_name: "d".into(),
            root_file: "d/src/lib.rs".into(),
            manifest_file: "d/Cargo.toml".into(),
            proc_macro: false,
            extern_renames: Vec::new(),
        };
        let api = extract(&input, &|p: &str| {
            Ok(files.get(p).map(|t| t.as_bytes().to_vec()))
        });
        assert!(api.problems.is_empty(), "{:?}", api.problems);
        let lines: Vec<&str> = api.items.iter().map(|i| i.line.as_str()).collect();
        for expected in [
            "#[cfg(unix)] pub fn d::backend::on_unix()",
            "#[cfg(windows)] pub fn d::backend::on_windows()",
            "#[cfg(not(any(unix, windows)))] pub fn d::backend::elsewhere()",
        ] {
            assert!(lines.contains(&expected), "{expected} not in {lines:#?}");
        }
    }
}
