//! Files whose use sites cannot all be known from their text: syntax errors, `include!`,
//! `#[path]`, dependency paths spelled inside strings (macro arguments). Pure.

/// Why a file's use sites cannot all be known from its text, if they cannot: a syntax error, code
/// included from elsewhere (`include!`), a module loaded from another path (`#[path]`). Pure.
pub fn unreadable(text: &str) -> Option<String> {
    if let Err(e) = crate::api::guard::parse_file(text) {
        let at = e.span().start();
        return Some(format!(
            "cannot be parsed ({e} at {}:{})",
            at.line,
            at.column + 1
        ));
    }
    // Whitespace may stand anywhere between tokens (`include ! (..)`, `#[ path = ..]`).
    let compact: String = text.split_whitespace().collect();
    if compact.contains("include!") {
        return Some("includes code from another file (`include!`)".into());
    }
    let path_in_cfg_attr = compact.contains("cfg_attr(") && compact.contains("path=\"");
    if compact.contains("#[path") || path_in_cfg_attr {
        return Some("loads a module from another path (`#[path]`)".into());
    }
    None
}

/// Why a file's use sites cannot all be known from its syntax: a string literal that spells a path
/// of a dependency (`#[serde(with = "dep::module")]`, `#[serde(default = "dep::f")]`), or a name
/// the crate imports from one (`#[serde(with = "imported")]`), is code to a derive macro, not a
/// path to the index. `deps`: extern names; `aliases`: names bound by `use dep::..`. Pure.
pub fn names_dependency_in_string<'a>(
    text: &str,
    mut deps: impl Iterator<Item = &'a String>,
    mut aliases: impl Iterator<Item = &'a String>,
) -> Option<String> {
    let spelled = |name: &str, exact: bool| {
        text.contains(&format!("\"{name}::"))
            || text.contains(&format!("\"::{name}::"))
            || (exact && text.contains(&format!("\"{name}\"")))
    };
    // A crate-local path (`"crate::x::foo"`) may reach a dependency through an alias.
    let local = ["\"crate::", "\"self::", "\"super::"]
        .into_iter()
        .find(|prefix| text.contains(prefix));
    deps.find(|name| spelled(name, false))
        .or_else(|| aliases.find(|name| spelled(name, true)))
        .map(|name| format!("spells `{name}` inside a string (a macro argument)"))
        .or_else(|| {
            local.map(|p| {
                format!(
                    "spells a path inside a string (`{}..`, a macro argument)",
                    &p[1..]
                )
            })
        })
}

/// Why a file's use sites cannot all be known from its tokens: a macro whose expansion continues a
/// path or a member access with a macro variable (`a::$f()`, `$t::new()`, `<$t>::new()`,
/// `$x.$m()`, `$($p)::+`) names an item only when it is expanded, from tokens written anywhere
/// in the crate (`m!(Self)`, `m!(x, len)`). A literal name after a variable (`$x.len()`) is read
/// as a member access like any other. Pure.
pub fn continues_path_with_macro_variable(text: &str) -> Option<String> {
    let compact: String = text.split_whitespace().collect();
    let bytes = compact.as_bytes();
    let ident = |at: usize| {
        bytes[at..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
            .count()
    };
    let continued = compact.match_indices('$').any(|(at, _)| {
        let len = ident(at + 1);
        let name = &compact[at + 1..at + 1 + len];
        let after = &compact[at + 1 + len..];
        let before = &compact[..at];
        len > 0
            && name != "crate"
            && (before.ends_with("::")
                || before.ends_with('.')
                || after.starts_with("::")
                || after.starts_with(">::"))
    });
    let repeated = ["$(", ")::+", ")::*"];
    let repeated = compact.contains(repeated[0])
        && (compact.contains(repeated[1]) || compact.contains(repeated[2]));
    (continued || repeated).then(|| {
        "has a macro that continues a path or member access with a macro variable (`$t::f`, `$x.$m`)"
            .to_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_continued_by_a_macro_variable_makes_a_file_unread() {
        for text in [
            "macro_rules! m { ($f:ident) => { a :: $f() } }",
            "macro_rules! m { ($t:ident) => { $t::new() } }",
            "macro_rules! m { ($t:ty) => { <$t>::new() } }",
            "macro_rules! m { ($x:expr, $m:ident) => { $x . $m() } }",
            "macro_rules! m { ($($p:ident)::+) => { $($p)::+() } }",
        ] {
            assert!(continues_path_with_macro_variable(text).is_some(), "{text}");
        }
        for text in [
            "macro_rules! m { () => { $crate::f() } }",
            "macro_rules! m { ($e:expr) => { f($e) } }",
            "macro_rules! m { ($e:expr) => { $e.len() } }",
            "pub fn bar() -> u32 { a::foo() }",
        ] {
            assert!(continues_path_with_macro_variable(text).is_none(), "{text}");
        }
    }

    #[test]
    fn dependency_paths_in_strings_make_a_file_unread() {
        let names = ["fsql".to_owned()];
        let text = "#[derive(Deserialize)]\nstruct S {\n    #[serde(with = \"fsql::serde_row\")]\n    row: Row,\n}\n";
        let none: [String; 0] = [];
        assert!(names_dependency_in_string(text, names.iter(), none.iter()).is_some());
        let plain = "fn f() -> &'static str { \"fsql is a crate\" }\n";
        assert!(names_dependency_in_string(plain, names.iter(), none.iter()).is_none());
        let imported = "#[serde(with = \"serde_row\")]\n";
        let aliases = ["serde_row".to_owned()];
        assert!(names_dependency_in_string(imported, none.iter(), aliases.iter()).is_some());
    }
}
