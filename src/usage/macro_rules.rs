//! The identifiers a crate's `macro_rules!` definitions spell: what another crate's expansion of
//! them may name. Pure.

use std::collections::BTreeSet;
use syn::visit::Visit;

/// Every identifier inside the `macro_rules!` definitions of `texts` (a file that cannot be parsed
/// gives every identifier it holds, as far as the tokenizer reads it).
pub fn macro_rules_idents(texts: &[String]) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for text in texts {
        match crate::api::guard::parse_file(text) {
            Ok(file) => found.extend(macro_rules_idents_of(&file)),
            Err(_) => {
                if let Ok(tokens) = text.parse::<proc_macro2::TokenStream>() {
                    found.extend(crate::reach::idents(&tokens));
                }
            }
        }
    }
    found
}

/// The identifiers inside the `macro_rules!` definitions of one parsed file.
pub fn macro_rules_idents_of(file: &syn::File) -> BTreeSet<String> {
    struct Definitions(BTreeSet<String>);
    impl<'ast> Visit<'ast> for Definitions {
        fn visit_item_macro(&mut self, item: &'ast syn::ItemMacro) {
            if item.mac.path.is_ident("macro_rules") {
                self.0.extend(crate::reach::idents(&item.mac.tokens));
            }
            syn::visit::visit_item_macro(self, item);
        }
    }
    let mut found = Definitions(BTreeSet::new());
    found.visit_file(file);
    found.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_identifiers_of_macro_definitions_only() {
        let text =
            "#[macro_export]\nmacro_rules! call_foo { () => { ::a::foo() } }\nfn f() { b::g() }\n";
        let found = macro_rules_idents(&[text.to_owned()]);
        assert!(found.contains("a") && found.contains("foo"));
        assert!(!found.contains("b"), "{found:?}");
    }
}
