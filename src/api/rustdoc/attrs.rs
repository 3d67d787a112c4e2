//! The contract attributes of an item (`#[doc(hidden)]`, `#[cfg]`, `#[deprecated]`, ...) as
//! rustdoc records them, including a reader for rustc's debug form of `#[cfg]` (`CfgTrace`).

use crate::api::render::LineAttrs;
use crate::api::tokens;
use rustdoc_types::{Attribute, Item, ReprKind};

/// The contract attributes of an item as rustdoc records them.
pub(super) fn own_attrs(item: &Item) -> LineAttrs {
    let mut attrs = LineAttrs {
        deprecated: item.deprecation.is_some(),
        ..LineAttrs::default()
    };
    for attr in &item.attrs {
        match attr {
            Attribute::NonExhaustive => attrs.non_exhaustive = true,
            Attribute::MustUse { .. } => attrs.must_use = true,
            Attribute::NoMangle => attrs.no_mangle = true,
            Attribute::ExportName(name) => attrs.export_name = Some(name.clone()),
            Attribute::TargetFeature { enable } => {
                attrs.add_target_features(&format!("enable = \"{}\"", enable.join(",")))
            }
            Attribute::Repr(repr) => {
                let mut parts: Vec<String> = Vec::new();
                match repr.kind {
                    ReprKind::Rust => {}
                    ReprKind::C => parts.push("C".into()),
                    ReprKind::Transparent => parts.push("transparent".into()),
                    ReprKind::Simd => parts.push("simd".into()),
                }
                if let Some(int) = &repr.int {
                    parts.push(int.clone());
                }
                if let Some(align) = repr.align {
                    parts.push(format!("align({align})"));
                }
                match repr.packed {
                    Some(1) => parts.push("packed".into()),
                    Some(n) => parts.push(format!("packed({n})")),
                    None => {}
                }
                if !parts.is_empty() {
                    attrs.repr = Some(parts.join(", "));
                }
            }
            Attribute::Other(text) => {
                let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
                if compact == "#[doc(hidden)]" {
                    attrs.hidden = true;
                } else if let Some(cfgs) = parse_cfg_trace(text) {
                    for cfg in cfgs {
                        if !attrs.cfgs.contains(&cfg) {
                            attrs.cfgs.push(cfg);
                        }
                    }
                } else if let Some(inner) = text
                    .trim()
                    .strip_prefix("#[cfg(")
                    .and_then(|s| s.strip_suffix(")]"))
                {
                    attrs.cfgs.push(normalize_cfg(inner));
                }
            }
            _ => {}
        }
    }
    attrs
}

/// Spacing of a cfg predicate as the syn engine prints it (`feature = "json"`, `all(unix, test)`).
pub(super) fn normalize_cfg(text: &str) -> String {
    match tokens::lex(text) {
        Some(toks) => tokens::print(&toks),
        None => text.trim().to_owned(),
    }
}

/// Reads rustc's debug form of a `#[cfg]` that rustdoc 1.95 records:
/// `#[attr = CfgTrace([NameValue { name: "feature", value: Some("json"), span: .. }])]`, with
/// `All([..], span)`, `Any([..], span)`, `Not(entry, span)` and `Bool(true, span)` nested.
/// Returns one predicate per entry, written as source would (`feature = "json"`, `any(unix, windows)`).
pub fn parse_cfg_trace(text: &str) -> Option<Vec<String>> {
    let compact = text.trim();
    let inner = compact
        .strip_prefix("#[attr = CfgTrace(")?
        .strip_suffix(")]")?;
    let mut cursor = Cursor { text: inner, at: 0 };
    let entries = cursor.list('[', ']')?;
    Some(entries)
}

struct Cursor<'a> {
    text: &'a str,
    at: usize,
}

impl Cursor<'_> {
    fn rest(&self) -> &str {
        &self.text[self.at..]
    }
    fn skip_ws(&mut self) {
        let trimmed = self.rest().trim_start();
        self.at = self.text.len() - trimmed.len();
    }
    fn eat(&mut self, prefix: &str) -> bool {
        self.skip_ws();
        if self.rest().starts_with(prefix) {
            self.at += prefix.len();
            true
        } else {
            false
        }
    }
    /// `[e, e, ..]` (or with other delimiters), entries parsed with [`Cursor::entry`].
    fn list(&mut self, open: char, close: char) -> Option<Vec<String>> {
        if !self.eat(&open.to_string()) {
            return None;
        }
        let mut out = Vec::new();
        loop {
            if self.eat(&close.to_string()) {
                return Some(out);
            }
            out.push(self.entry()?);
            if !self.eat(",") {
                return self.eat(&close.to_string()).then_some(out);
            }
        }
    }
    /// Skips to the end of the enclosing group (a span after the last argument).
    fn skip_to_close(&mut self, open_at: usize) -> Option<()> {
        let close = crate::api::model::matching_bracket(self.text, open_at)?;
        self.at = close + 1;
        Some(())
    }
    fn string(&mut self) -> Option<String> {
        self.skip_ws();
        let rest = self.rest();
        let body = rest.strip_prefix('"')?;
        let mut value = String::new();
        let mut chars = body.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    if let Some((_, escaped)) = chars.next() {
                        value.push('\\');
                        value.push(escaped);
                    }
                }
                '"' => {
                    self.at += i + 2;
                    return Some(value);
                }
                _ => value.push(c),
            }
        }
        None
    }
    fn entry(&mut self) -> Option<String> {
        self.skip_ws();
        let start = self.at;
        for (word, name) in [("All(", "all"), ("Any(", "any")] {
            if self.rest().starts_with(word) {
                let open_at = start + word.len() - 1;
                self.at = open_at + 1;
                let inner = self.list('[', ']')?;
                self.skip_to_close(open_at)?;
                return Some(format!("{name}({})", inner.join(", ")));
            }
        }
        if self.rest().starts_with("Not(") {
            let open_at = start + 3;
            self.at = open_at + 1;
            let inner = self.entry()?;
            self.skip_to_close(open_at)?;
            return Some(format!("not({inner})"));
        }
        if self.rest().starts_with("Bool(") {
            let open_at = start + 4;
            self.at = open_at + 1;
            let value = if self.eat("true") { "true" } else { "false" };
            self.skip_to_close(open_at)?;
            return Some(value.to_owned());
        }
        if self.rest().starts_with("NameValue") {
            self.at += "NameValue".len();
            self.skip_ws();
            let open_at = self.at;
            if !self.eat("{") || !self.eat("name:") {
                return None;
            }
            let name = self.string()?;
            let value = if self.eat(", value:") {
                if self.eat("Some(") {
                    let v = self.string()?;
                    self.eat(")");
                    Some(v)
                } else {
                    self.eat("None");
                    None
                }
            } else {
                None
            };
            self.skip_to_close(open_at)?;
            return Some(match value {
                Some(v) => format!("{name} = \"{v}\""),
                None => name,
            });
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cfg_traces() {
        let simple = r#"#[attr = CfgTrace([NameValue { name: "feature", value: Some("json"), span: a.rs:1:2: 1:3 (#0) }])]"#;
        assert_eq!(
            parse_cfg_trace(simple),
            Some(vec!["feature = \"json\"".to_owned()])
        );
        let nested = r#"#[attr = CfgTrace([All([Not(NameValue { name: "target_os", value: Some("none"), span: src/lib.rs:190:15: 190:33 (#0) }, src/lib.rs:190:14: 190:34 (#0)), NameValue { name: "feature", value: Some("std"), span: src/lib.rs:190:36: 190:51 (#0) }], src/lib.rs:190:10: 190:52 (#0))])]"#;
        assert_eq!(
            parse_cfg_trace(nested),
            Some(vec![
                "all(not(target_os = \"none\"), feature = \"std\")".to_owned()
            ])
        );
        let any = r#"#[attr = CfgTrace([Any([NameValue { name: "unix", value: None, span: s }, NameValue { name: "windows", value: None, span: s }], s)])]"#;
        assert_eq!(
            parse_cfg_trace(any),
            Some(vec!["any(unix, windows)".to_owned()])
        );
        assert_eq!(parse_cfg_trace("#[attr = Inline(Hint)]"), None);
    }
}
