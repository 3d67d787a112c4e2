//! Items declared in `extern` blocks, made ordinary module items before the syn engine builds its
//! namespaces: `extern "C" { pub fn f(x: u8); pub static N: u32; }` lists `f` as
//! `pub unsafe extern "C" fn` (every foreign function is `unsafe` to call, as rustdoc shows it) and
//! `N` as a `pub static`. Foreign types and macros inside the block are dropped. Pure.

/// Replaces each `extern` block in `items` by the functions and statics it declares.
pub(crate) fn flatten_foreign_items(items: &mut Vec<syn::Item>) {
    if !items.iter().any(|i| matches!(i, syn::Item::ForeignMod(_))) {
        return;
    }
    let mut out = Vec::with_capacity(items.len());
    for item in items.drain(..) {
        let syn::Item::ForeignMod(block) = item else {
            out.push(item);
            continue;
        };
        for foreign in block.items {
            match foreign {
                syn::ForeignItem::Fn(f) => {
                    let mut sig = f.sig;
                    sig.unsafety = Some(Default::default());
                    sig.abi = Some(block.abi.clone());
                    let mut attrs = block.attrs.clone();
                    attrs.extend(f.attrs);
                    out.push(syn::Item::Fn(syn::ItemFn {
                        attrs,
                        vis: f.vis,
                        sig,
                        block: Box::new(syn::parse_quote!({})),
                    }));
                }
                syn::ForeignItem::Static(s) => {
                    let mut attrs = block.attrs.clone();
                    attrs.extend(s.attrs);
                    out.push(syn::Item::Static(syn::ItemStatic {
                        attrs,
                        vis: s.vis,
                        static_token: s.static_token,
                        mutability: s.mutability,
                        ident: s.ident,
                        colon_token: s.colon_token,
                        ty: s.ty,
                        eq_token: Default::default(),
                        expr: Box::new(syn::parse_quote!(0)),
                        semi_token: s.semi_token,
                    }));
                }
                _ => {}
            }
        }
    }
    *items = out;
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::ToTokens;

    #[test]
    fn extern_block_items_become_module_items() {
        let file: syn::File = syn::parse_str(
            "extern \"C\" { pub fn abs(x: i32) -> i32; pub static mut ERRNO: i32; type Opaque; }\npub fn keep() {}",
        )
        .unwrap();
        let mut items = file.items;
        flatten_foreign_items(&mut items);
        let text: Vec<String> = items
            .iter()
            .map(|i| i.to_token_stream().to_string())
            .collect();
        assert_eq!(items.len(), 3, "{text:?}");
        assert!(
            text[0].starts_with("pub unsafe extern \"C\" fn abs"),
            "{text:?}"
        );
        assert!(
            text[1].starts_with("pub static mut ERRNO : i32"),
            "{text:?}"
        );
    }
}
