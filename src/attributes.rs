//! Which attributes the compiler defines and which derives the standard library provides: any
//! other attribute or derive is a macro whose output no reader of the source can know. Pure.

/// Attributes the compiler defines, which no macro can shadow (the common ones; any other name is
/// taken for a possible macro).
pub(crate) const BUILTIN_ATTRIBUTES: &[&str] = &[
    "allow",
    "automatically_derived",
    "cfg",
    "cfg_attr",
    "cold",
    "deny",
    "deprecated",
    "doc",
    "expect",
    "export_name",
    "forbid",
    "ignore",
    "inline",
    "link",
    "link_name",
    "link_section",
    "macro_export",
    "macro_use",
    "must_use",
    "no_mangle",
    "non_exhaustive",
    "path",
    "repr",
    "should_panic",
    "target_feature",
    "test",
    "track_caller",
    "warn",
];

/// The derives of the standard library.
const STD_DERIVES: &[&str] = &[
    "Debug",
    "Clone",
    "Copy",
    "PartialEq",
    "Eq",
    "PartialOrd",
    "Ord",
    "Hash",
    "Default",
];

/// Whether `attr` may run a macro over its item: an attribute that is not built in, a derive
/// outside the standard library's, or a `cfg_attr` that applies anything but a lint level or
/// documentation.
pub(crate) fn runs_a_macro(attr: &syn::Attribute) -> bool {
    let path = attr.path();
    if path.is_ident("derive") {
        let parser = syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated;
        return match attr.parse_args_with(parser) {
            Ok(paths) => paths.iter().any(|p| {
                !p.get_ident()
                    .is_some_and(|i| STD_DERIVES.contains(&i.to_string().as_str()))
            }),
            Err(_) => true,
        };
    }
    if path.is_ident("cfg_attr") {
        let Ok(list) = attr.meta.require_list() else {
            return true;
        };
        let text = list.tokens.to_string();
        let applied = text
            .split_once(',')
            .map_or("", |(_, rest)| rest.trim_start());
        let harmless = [
            "allow", "warn", "deny", "forbid", "expect", "doc", "inline", "must_use",
        ];
        return !harmless.iter().any(|h| applied.starts_with(h));
    }
    !path
        .get_ident()
        .is_some_and(|i| BUILTIN_ATTRIBUTES.contains(&i.to_string().as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attr(text: &str) -> syn::Attribute {
        let item: syn::ItemStruct = syn::parse_str(&format!("{text} struct S;")).unwrap();
        item.attrs.into_iter().next().unwrap()
    }

    #[test]
    fn macros_are_what_the_compiler_and_std_do_not_define() {
        for text in [
            "#[derive(Debug, Clone)]",
            "#[doc = \"x\"]",
            "#[cfg(test)]",
            "#[cfg_attr(test, allow(dead_code))]",
        ] {
            assert!(!runs_a_macro(&attr(text)), "{text}");
        }
        for text in [
            "#[derive(Debug, c::CountFields)]",
            "#[serde(default)]",
            "#[c::body_len]",
            "#[cfg_attr(feature = \"s\", derive(Serialize))]",
        ] {
            assert!(runs_a_macro(&attr(text)), "{text}");
        }
    }
}
