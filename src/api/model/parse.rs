//! The line parser of the model: every fact the diff needs (kind, path, parameter count,
//! qualifiers, attributes, struct shape, comparison key) read back from one rendered line by
//! [`ApiItem::parse`].

use super::{ApiItem, Attrs, FnFacts, ItemKind, StructShape};

impl ApiItem {
    /// Parses one rendered line. Never fails: a line it cannot make sense of becomes an item whose
    /// key is the line itself, so it still diffs correctly as text.
    pub fn parse(line: &str) -> ApiItem {
        let (attrs, rest) = split_attrs(line);
        let body = rest.trim();
        let (kind, path, function, shape) = classify(body);
        let has_private_fields = kind == ItemKind::Struct
            && (body.ends_with("{ .. }") || body.contains(", _") || body.contains("(_"));
        let is_unsafe_trait = kind == ItemKind::Trait && body.starts_with("pub unsafe trait ");
        let sealed = kind == ItemKind::Trait && body.contains("Sealed");
        let key = normalize_key(kind, body);
        ApiItem {
            line: line.to_owned(),
            kind,
            path,
            key,
            attrs,
            function,
            shape,
            has_private_fields,
            is_unsafe_trait,
            sealed,
        }
    }
}

/// Splits leading `#[...]` attributes from the line; returns parsed attributes and the remainder.
fn split_attrs(line: &str) -> (Attrs, &str) {
    let mut attrs = Attrs::default();
    let mut rest = line.trim_start();
    while rest.starts_with("#[") {
        let Some(end) = matching_bracket(rest, 1) else {
            break;
        };
        let inner = rest[2..end].trim();
        apply_attr(&mut attrs, inner);
        rest = rest[end + 1..].trim_start();
    }
    (attrs, rest)
}

fn apply_attr(attrs: &mut Attrs, inner: &str) {
    let name = inner.split(['(', ' ', '=']).next().unwrap_or("");
    match name {
        "doc" if inner.replace(' ', "") == "doc(hidden)" => attrs.hidden = true,
        "deprecated" => attrs.deprecated = true,
        "must_use" => attrs.must_use = true,
        "non_exhaustive" => attrs.non_exhaustive = true,
        "repr" => attrs.repr = Some(inner_parens(inner).to_owned()),
        "cfg" => attrs.cfgs.push(inner_parens(inner).to_owned()),
        "no_mangle" => attrs.no_mangle = true,
        "export_name" => {
            attrs.export_name = inner
                .split_once('=')
                .map(|(_, v)| v.trim().trim_matches('"').to_owned())
        }
        "target_feature" => attrs.add_target_features(inner_parens(inner)),
        "order" => attrs.order = Some(super::order::MemberOrder::parse(inner_parens(inner))),
        _ => {}
    }
}

fn inner_parens(attr: &str) -> &str {
    match (attr.find('('), attr.rfind(')')) {
        (Some(open), Some(close)) if close > open => attr[open + 1..close].trim(),
        _ => "",
    }
}

/// Index of the bracket closing the one at `open` (`[`, `(`, `<` or `{`), skipping string literals.
pub(crate) fn matching_bracket(text: &str, open: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let (opening, closing) = match bytes.get(open)? {
        b'[' => (b'[', b']'),
        b'(' => (b'(', b')'),
        b'{' => (b'{', b'}'),
        b'<' => (b'<', b'>'),
        _ => return None,
    };
    let mut depth = 0usize;
    let mut in_string = false;
    let mut i = open;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            if b == b'\\' {
                i += 1;
            } else if b == b'"' {
                in_string = false;
            }
        } else if b == b'"' {
            in_string = true;
        } else if b == opening {
            depth += 1;
        } else if b == closing && !(closing == b'>' && i > 0 && bytes[i - 1] == b'-') {
            depth -= 1;
            if depth == 0 {
                return Some(i);
            }
        }
        i += 1;
    }
    None
}

const FN_QUALIFIERS: [&str; 4] = ["const ", "async ", "unsafe ", "extern "];

/// Works out kind, path and function facts from a line without attributes.
fn classify(body: &str) -> (ItemKind, String, Option<FnFacts>, Option<StructShape>) {
    if let Some(rest) = body.strip_prefix("impl") {
        if rest.starts_with(' ') || rest.starts_with('<') {
            return (ItemKind::TraitImpl, body.to_owned(), None, None);
        }
    }
    if let Some(name) = body.strip_prefix("feature ") {
        let name = name.split(" = ").next().unwrap_or(name);
        return (
            ItemKind::Feature,
            format!("feature:{}", name.trim()),
            None,
            None,
        );
    }
    let Some(rest) = body.strip_prefix("pub ") else {
        return (ItemKind::ReExport, body.to_owned(), None, None);
    };
    let mut qualifiers = rest;
    let mut facts = FnFacts::default();
    while let Some(q) = FN_QUALIFIERS.iter().find(|q| qualifiers.starts_with(**q)) {
        match *q {
            "const " => facts.is_const = true,
            "async " => facts.is_async = true,
            "unsafe " => facts.is_unsafe = true,
            _ => {}
        }
        qualifiers = &qualifiers[q.len()..];
        if *q == "extern " && qualifiers.starts_with('"') {
            qualifiers = qualifiers[1..]
                .find('"')
                .map_or(qualifiers, |end| qualifiers[end + 2..].trim_start());
        }
    }
    if let Some(sig) = qualifiers.strip_prefix("fn ") {
        let path = path_prefix(sig);
        fill_fn_facts(&mut facts, &sig[path.len()..]);
        return (ItemKind::Function, path.to_owned(), Some(facts), None);
    }
    let keyword_kinds = [
        ("mod ", ItemKind::Module),
        ("struct ", ItemKind::Struct),
        ("enum ", ItemKind::Enum),
        ("union ", ItemKind::Union),
        ("trait ", ItemKind::Trait),
        ("unsafe trait ", ItemKind::Trait),
        ("auto trait ", ItemKind::Trait),
        ("type ", ItemKind::TypeAlias),
        ("const ", ItemKind::Const),
        ("static mut ", ItemKind::Static),
        ("static ", ItemKind::Static),
        ("macro ", ItemKind::Macro),
        ("proc_macro ", ItemKind::ProcMacro),
        ("proc_macro_derive ", ItemKind::ProcMacro),
        ("proc_macro_attribute ", ItemKind::ProcMacro),
        ("use ", ItemKind::ReExport),
    ];
    for (keyword, kind) in keyword_kinds {
        if let Some(after) = rest.strip_prefix(keyword) {
            let path = path_prefix(after).trim_end_matches('!').to_owned();
            let shape = (kind == ItemKind::Struct)
                .then(|| struct_shape(&after[path_prefix(after).len()..]));
            return (kind, path, None, shape);
        }
    }
    // `pub path::to::field: Type` or `pub path::to::Variant(..)`.
    (
        ItemKind::StructField,
        path_prefix(rest).to_owned(),
        None,
        None,
    )
}

/// The leading `a::b::c` of `text` (stops at `(`, `<`, `:` not followed by `:`, space, `!`, `;`, `{`, `=`).
fn path_prefix(text: &str) -> &str {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b':' if bytes.get(i + 1) == Some(&b':') => i += 2,
            b':' | b'(' | b'<' | b' ' | b';' | b'{' | b'=' | b',' => break,
            _ => i += 1,
        }
    }
    &text[..i]
}

fn struct_shape(after_path: &str) -> StructShape {
    let after = skip_generics(after_path).trim_start();
    if after.starts_with('(') {
        StructShape::Tuple
    } else if after.starts_with(';') {
        StructShape::Unit
    } else {
        StructShape::Named
    }
}

fn skip_generics(text: &str) -> &str {
    if text.starts_with('<') {
        if let Some(end) = matching_bracket(text, 0) {
            return &text[end + 1..];
        }
    }
    text
}

fn fill_fn_facts(facts: &mut FnFacts, after_path: &str) {
    let after = skip_generics(after_path);
    let Some(open) = after.find('(') else { return };
    let Some(close) = matching_bracket(after, open) else {
        return;
    };
    let params = split_top_level(&after[open + 1..close], ',');
    facts.params = params.iter().filter(|p| !p.trim().is_empty()).count();
    facts.has_receiver = params.first().is_some_and(|p| {
        let p = p.trim();
        p == "self"
            || p.ends_with(" self")
            || p.ends_with("&self")
            || p.starts_with("self:")
            || p.starts_with("mut self")
    });
    facts.has_default = after[close..].trim_end().ends_with("{ .. }");
}

/// Splits at `sep` outside any brackets.
pub(crate) fn split_top_level(text: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    let bytes = text.as_bytes();
    for (i, c) in text.char_indices() {
        match c {
            '(' | '[' | '{' | '<' => depth += 1,
            '>' if i > 0 && bytes[i - 1] == b'-' => {}
            ')' | ']' | '}' | '>' => depth -= 1,
            c if c == sep && depth == 0 => {
                parts.push(&text[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// The comparison key: for functions the signature with parameter names dropped and generic
/// parameters renamed by position; for everything else the line without attributes, with generic
/// parameters renamed by position.
fn normalize_key(kind: ItemKind, body: &str) -> String {
    match kind {
        ItemKind::Function => crate::api::normalize::function_key(body),
        _ => crate::api::normalize::generic_key(body),
    }
}
