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
    if text.contains("include!") {
        return Some("includes code from another file (`include!`)".into());
    }
    if text.contains("#[path") {
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
    deps.find(|name| spelled(name, false))
        .or_else(|| aliases.find(|name| spelled(name, true)))
        .map(|name| format!("spells `{name}` inside a string (a macro argument)"))
}

/// Why a file's use sites cannot all be known from its tokens: a path continued by a macro
/// variable (`a::$f()` in a `macro_rules!`) names an item only when the macro is expanded, so a
/// file that has one and names a dependency (`deps`: extern names; `aliases`: names bound by
/// `use dep::..`) is not fully read. Pure.
pub fn continues_path_with_macro_variable<'a>(
    text: &str,
    deps: impl Iterator<Item = &'a String>,
    aliases: impl Iterator<Item = &'a String>,
) -> Option<String> {
    let compact: String = text.split_whitespace().collect();
    if !compact.contains("::$") {
        return None;
    }
    let mut names = deps.chain(aliases);
    names
        .find(|name| compact.contains(&format!("{name}::")))
        .map(|name| format!("continues a path with a macro variable (`::$`) and names `{name}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_continued_by_a_macro_variable_makes_a_file_unread() {
        let names = ["a".to_owned()];
        let none: [String; 0] = [];
        let text = "macro_rules! m { ($f:ident) => { a :: $f() } }
pub fn bar() -> u32 { m!(foo) }
";
        assert!(continues_path_with_macro_variable(text, names.iter(), none.iter()).is_some());
        let other = "macro_rules! m { ($f:ident) => { std::$f() } }
";
        assert!(continues_path_with_macro_variable(other, names.iter(), none.iter()).is_none());
        let plain = "pub fn bar() -> u32 { a::foo() }
";
        assert!(continues_path_with_macro_variable(plain, names.iter(), none.iter()).is_none());
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
