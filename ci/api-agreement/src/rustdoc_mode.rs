//! `--engine rustdoc`: driftgate's rustdoc engine (`driftgate::api::rustdoc::map_json`) against
//! `public-api` on the same rustdoc JSON, trait impl lines included.
//!
//! Every line of both sides is mapped to a key: items to (kind, path) as in the syn comparison
//! ([`classify`]); trait impl lines to (`impl`, [`impl_key`]): the trait with its arguments and the self type, foreign paths shortened to their last segment
//! (the two tools qualify foreign paths differently) and the crate's own paths kept whole.
//! Collapsed impls (several impls rendered as one driftgate line) are counted per trait.

use crate::{
    cell, classify, close_bracket, crate_heading, inherent_self_type, listed_lines, parent_path,
    side_counts, struct_variant_fields, top_groups, Built, Class, Counts, Side,
    COMPILER_MARKER_TRAITS,
};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

pub(crate) struct RdReport {
    name: String,
    version: String,
    public_api: Side,
    driftgate: Side,
    /// Per trait (with arguments): public-api impls that several-to-one fell onto fewer driftgate
    /// lines, with an example driftgate line.
    collapsed: BTreeMap<String, (usize, String)>,
    deterministic: bool,
    /// Matched fn/field/const/static/type keys, and those whose signature text differs (both lines).
    signatures_compared: usize,
    signature_differences: Vec<(String, String)>,
    public_api_lines: usize,
    driftgate_lines: usize,
}

/// Compares one crate.
pub(crate) fn analyse(name: &str, version: &str, built: &Built) -> Result<RdReport, String> {
    let krate: rustdoc_types::Crate = crate::deserialize_unbounded(&built.json)?;
    let crate_name = built.lib_name.as_str();

    // public-api side.
    let api = public_api::Builder::from_rustdoc_json(&built.json_path)
        .omit_blanket_impls(true)
        .omit_auto_trait_impls(true)
        .build()
        .map_err(|e| format!("public-api on {}: {e}", built.json_path.display()))?;
    let mut trait_impls = BTreeSet::new();
    let mut trait_impl_members = BTreeSet::new();
    for (id, item) in &krate.index {
        if let rustdoc_types::ItemEnum::Impl(imp) = &item.inner {
            if imp.trait_.is_some() {
                trait_impls.insert(*id);
                trait_impl_members.extend(imp.items.iter().copied());
            }
        }
    }
    // Every path at which public-api lists each item: inherent members are expanded to all paths
    // of their type, as driftgate lists them.
    let (lines, paths_by_id) = listed_lines(&api);
    let inherent_self_type = |impl_id: &rustdoc_types::Id| inherent_self_type(&krate, impl_id);
    // Every public path and the definition path of a local item name it alike: keys use the
    // shortest (public-api and driftgate pick different paths of one type).
    let mut aliases: BTreeMap<String, String> = BTreeMap::new();
    for (id, paths) in &paths_by_id {
        let definition = krate
            .paths
            .get(id)
            .filter(|summary| summary.crate_id == 0)
            .map(|summary| summary.path.join("::"));
        let all: BTreeSet<&String> = paths.iter().chain(definition.as_ref()).collect();
        let Some(canonical) = all.iter().min_by_key(|p| (p.len(), p.as_str())) else {
            continue;
        };
        for path in &all {
            aliases.insert((*path).clone(), (*canonical).clone());
        }
    }
    let mut public_api = Side::default();
    let public_api_lines = lines.len();
    for (line, class, parent_id, id) in lines {
        let class = match proc_macro_path(&line) {
            Some(path) => Class::Item {
                kind: "macro",
                path,
            },
            None => class,
        };
        if let Class::Item { path, .. } = &class {
            if path.split("::").any(|segment| segment == "_") {
                // `pub use Trait as _`: public-api lists the trait (and its items) under `m::_`;
                // driftgate gives such a re-export no line (documented).
                public_api.exclude("`use .. as _` re-exports and their items");
                continue;
            }
        }
        let in_trait_impl =
            parent_id.is_some_and(|p| trait_impls.contains(&p)) || trait_impl_members.contains(&id);
        match class {
            Class::Impl if trait_impls.contains(&id) => match impl_key(&line, crate_name, &aliases)
            {
                Some(key) if is_marker(&key) => public_api.exclude("compiler marker impls"),
                Some(key) => public_api.add("impl", key, &line),
                None => public_api.exclude("unparsed lines"),
            },
            Class::Impl => public_api.exclude("inherent impl header lines"),
            _ if in_trait_impl => public_api.exclude("items of trait impls"),
            Class::Item { kind, path } => {
                // `pub extern crate a::alloc` is driftgate's `pub use a::alloc = alloc`.
                let kind = if kind == "extern crate" { "use" } else { kind };
                // A variant re-exported outside its enum (`pub use E::{A, B}`): public-api writes
                // the variant line at the new path, driftgate `pub use a::A = a::E::A`.
                let variant = matches!(
                    krate.index.get(&id).map(|i| &i.inner),
                    Some(rustdoc_types::ItemEnum::Variant(_))
                );
                let in_enum = matches!(
                    parent_id
                        .and_then(|p| krate.index.get(&p))
                        .map(|i| &i.inner),
                    Some(rustdoc_types::ItemEnum::Enum(_))
                );
                let kind = if variant && !in_enum { "use" } else { kind };
                let type_paths = parent_id
                    .and_then(|p| inherent_self_type(&p))
                    .and_then(|type_id| paths_by_id.get(&type_id))
                    .filter(|paths| !paths.is_empty());
                match (type_paths, path.rsplit_once("::")) {
                    (Some(type_paths), Some((_, member))) => {
                        for type_path in type_paths {
                            public_api.add(kind, format!("{type_path}::{member}"), &line);
                        }
                    }
                    _ => public_api.add(kind, path, &line),
                }
            }
            Class::Feature | Class::Unparsed => public_api.exclude("unparsed lines"),
        }
    }
    drop(krate);

    // driftgate side, twice.
    eprintln!("   driftgate rustdoc engine");
    let first = driftgate::api::rustdoc::map_json(&built.json)
        .map_err(|e| format!("driftgate rustdoc engine on {name}: {e}"))?;
    let second = driftgate::api::rustdoc::map_json(&built.json)
        .map_err(|e| format!("driftgate rustdoc engine on {name}: {e}"))?;
    let deterministic = first == second;
    if let Some(dir) = std::env::var_os("API_AGREEMENT_DUMP") {
        // Debugging aid: both tools' lines, one file each.
        let dir = std::path::PathBuf::from(dir);
        let _ = std::fs::create_dir_all(&dir);
        let public: Vec<String> = api.items().map(|i| i.to_string()).collect();
        let _ = std::fs::write(
            dir.join(format!("{name}.public-api.txt")),
            public.join("\n"),
        );
        let _ = std::fs::write(
            dir.join(format!("{name}.driftgate.txt")),
            first.lines.join("\n"),
        );
    }
    let mut driftgate = Side::default();
    for line in &first.lines {
        match classify(line) {
            Class::Impl => match impl_key(line, crate_name, &aliases) {
                Some(key) => driftgate.add("impl", key, line),
                None => driftgate.exclude("unparsed lines"),
            },
            Class::Item { kind, path } => {
                if is_tuple_field(&path) {
                    // public-api shows tuple fields only inside the struct line.
                    driftgate.exclude("tuple-struct field lines");
                    continue;
                }
                if kind == "field" {
                    for field in struct_variant_fields(line, &path) {
                        driftgate.add("field", format!("{path}::{field}"), line);
                    }
                }
                driftgate.add(kind, path, line);
            }
            Class::Feature | Class::Unparsed => driftgate.exclude("unparsed lines"),
        }
    }
    let collapsed = collapsed_impls(&public_api, &driftgate);
    let mut signatures_compared = 0;
    let mut signature_differences = Vec::new();
    for ((kind, path), entry) in &public_api.items {
        if !SIGNATURE_KINDS.contains(kind) {
            continue;
        }
        let Some(theirs) = driftgate.items.get(&(*kind, path.clone())) else {
            continue;
        };
        signatures_compared += 1;
        let name = path.rsplit("::").next().unwrap_or(path);
        let spell = |line: &str| {
            signature(line, name).map(|t| {
                let t = if *kind == "fn" {
                    without_param_names(&t).replace("-> never", "-> !")
                } else {
                    t
                };
                unparenthesize_dyn(&unqualify(&shorten(&t, crate_name, &aliases)))
            })
        };
        if *kind == "field" && theirs.line.contains(" { ") {
            continue; // a struct-like variant: one driftgate line, per-field public-api lines
        }
        if spell(&entry.line) != spell(&theirs.line) {
            signature_differences.push((entry.line.clone(), theirs.line.clone()));
        }
    }
    Ok(RdReport {
        name: name.to_owned(),
        version: version.to_owned(),
        public_api,
        driftgate,
        collapsed,
        deterministic,
        signatures_compared,
        signature_differences,
        public_api_lines,
        driftgate_lines: first.lines.len(),
    })
}

/// public-api writes proc macros as `pub proc macro krate::#[derive(Name)]`, `krate::#[name]` and
/// `krate::name!()`: the path `krate::Name`.
fn proc_macro_path(line: &str) -> Option<String> {
    let rest = line.split("pub proc macro ").nth(1)?;
    let (krate, shape) = rest.split_once("::")?;
    let name = if let Some(derive) = shape.strip_prefix("#[derive(") {
        derive.split(')').next()?
    } else if let Some(attr) = shape.strip_prefix("#[") {
        attr.split(']').next()?
    } else {
        shape.split('!').next()?
    };
    Some(format!("{krate}::{name}"))
}

/// Kinds whose signature (the text after the item's name) is compared too.
const SIGNATURE_KINDS: &[&str] = &["fn", "field", "const", "static", "type"];

/// The text of `line` after the item's `name` (`<T>(x: u8) -> R where ..`, `: T`), a trailing
/// default-body marker (` { .. }`, ` = ..`: driftgate's, for provided trait items) dropped.
fn signature(line: &str, name: &str) -> Option<String> {
    let bytes = line.as_bytes();
    let needle = format!("::{name}");
    let mut from = 0;
    while let Some(at) = line[from..].find(&needle).map(|i| i + from) {
        let end = at + needle.len();
        let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        if bytes.get(end).is_none_or(|b| !word(*b)) {
            let tail = line[end..].trim();
            let tail = tail.strip_suffix("{ .. }").unwrap_or(tail).trim_end();
            let tail = tail.strip_suffix("= ..").unwrap_or(tail).trim_end();
            return Some(tail.to_owned());
        }
        from = end;
    }
    None
}

/// A function signature without parameter names (`(&self, x: u8)` → `(&self, u8)`, `self:
/// Box<Self>` → `Box<Self>`): public-api writes types only.
fn without_param_names(signature: &str) -> String {
    let mut start = 0;
    if signature.starts_with('<') {
        match close_bracket(signature, 0) {
            Some(end) => start = end + 1,
            None => return signature.to_owned(),
        }
    }
    let Some(open) = signature[start..].find('(').map(|i| i + start) else {
        return signature.to_owned();
    };
    let Some(close) = close_bracket(signature, open) else {
        return signature.to_owned();
    };
    let params: Vec<String> = top_level_split(&signature[open + 1..close])
        .into_iter()
        .map(|param| {
            let param = param.trim();
            match param.split_once(": ") {
                Some((name, ty))
                    if name
                        .trim_start_matches("mut ")
                        .chars()
                        .all(|c| c.is_alphanumeric() || c == '_') =>
                {
                    ty.to_owned()
                }
                _ => param.to_owned(),
            }
        })
        .collect();
    format!(
        "{}({}){}",
        &signature[..open],
        params.join(", "),
        &signature[close + 1..]
    )
}

/// Pieces of `text` split at commas outside brackets.
fn top_level_split(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'(' | b'[' | b'<' => depth += 1,
            b'>' if i > 0 && bytes[i - 1] == b'-' => {}
            b')' | b']' | b'>' => depth -= 1,
            b',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if !text[start..].trim().is_empty() {
        parts.push(&text[start..]);
    }
    parts
}

fn is_tuple_field(path: &str) -> bool {
    path.rsplit("::")
        .next()
        .is_some_and(|last| !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()))
}

fn is_marker(key: &str) -> bool {
    let trait_part = key.split(" for ").next().unwrap_or(key);
    COMPILER_MARKER_TRAITS
        .iter()
        .any(|m| trait_part.ends_with(&format!(" {m}")) || trait_part.ends_with(&format!(">{m}")))
}

/// The trait part (`impl<..> Trait<..>`) of an impl key.
fn trait_of_key(key: &str) -> &str {
    key.split(" for ").next().unwrap_or(key)
}

/// Per trait (with arguments): when driftgate has lines public-api lacks and public-api has more
/// lines that driftgate lacks, the surplus counts as collapsed (several impls shown as one line).
fn collapsed_impls(public_api: &Side, driftgate: &Side) -> BTreeMap<String, (usize, String)> {
    let mut only_public: BTreeMap<&str, usize> = BTreeMap::new();
    let mut only_driftgate: BTreeMap<&str, (usize, &str)> = BTreeMap::new();
    for (kind, key) in public_api.items.keys() {
        if *kind == "impl" && !driftgate.items.contains_key(&(*kind, key.clone())) {
            *only_public.entry(trait_of_key(key)).or_default() += 1;
        }
    }
    for ((kind, key), entry) in &driftgate.items {
        if *kind == "impl" && !public_api.items.contains_key(&(*kind, key.clone())) {
            let slot = only_driftgate
                .entry(trait_of_key(key))
                .or_insert((0, entry.line.as_str()));
            slot.0 += 1;
        }
    }
    only_driftgate
        .into_iter()
        .filter_map(|(trait_, (n, line))| {
            let p = *only_public.get(trait_)?;
            (p > n).then(|| (trait_.to_owned(), (p - n, line.to_owned())))
        })
        .collect()
}

/// The comparable key of a trait impl line: `impl [!]Trait<args> for SelfType`, the impl's
/// parameter list and where clause dropped, spacing removed, foreign paths shortened to their last
/// segment. `None` when the line is no `impl .. for ..`.
pub(crate) fn impl_key(
    line: &str,
    crate_name: &str,
    aliases: &BTreeMap<String, String>,
) -> Option<String> {
    let mut rest = line.trim();
    while rest.starts_with("#[") {
        rest = rest[close_bracket(rest, 1)? + 1..].trim_start();
    }
    rest = rest.strip_prefix("unsafe ").unwrap_or(rest);
    rest = rest.strip_prefix("impl")?;
    if rest.starts_with('<') {
        rest = &rest[close_bracket(rest, 0)? + 1..];
    }
    let rest = rest.trim_start();
    let (bang, rest) = match rest.strip_prefix('!') {
        Some(r) => ("!", r),
        None => ("", rest),
    };
    let for_at = top_level_find(rest, " for ")?;
    let trait_text = &rest[..for_at];
    let self_text = &rest[for_at + 5..];
    let self_text = match top_level_find(self_text, " where ") {
        Some(at) => &self_text[..at],
        None => self_text,
    };
    // The parameter list is not keyed: driftgate writes derived impls without it (as the syn
    // engine writes derives), and its names show in the trait and the self type anyway.
    let spell = |text: &str| unparenthesize_dyn(&unqualify(&shorten(text, crate_name, aliases)));
    Some(format!(
        "impl {bang}{} for {}",
        spell(trait_text),
        spell(self_text)
    ))
}

/// `<A as Trait>::Name` written `A::Name` (for a generic `A`), as the source usually writes it and
/// driftgate prints it; public-api always qualifies.
fn unqualify(text: &str) -> String {
    let mut out = text.to_owned();
    let mut from = 0;
    while let Some(at) = out[from..].find('<').map(|i| i + from) {
        let word_end = out[at + 1..]
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .map_or(out.len(), |i| i + at + 1);
        let qualified = word_end > at + 1 && out[word_end..].starts_with(" as ");
        match close_bracket(&out, at) {
            Some(end) if qualified && out[end + 1..].starts_with("::") => {
                // `*const<A as Tr>::X` is `*const A::X`: keep two words apart.
                let gap = if out[..at].ends_with(|c: char| c.is_alphanumeric()) {
                    " "
                } else {
                    ""
                };
                out = format!(
                    "{}{gap}{}{}",
                    &out[..at],
                    &out[at + 1..word_end],
                    &out[end + 1..]
                );
            }
            _ => from = at + 1,
        }
    }
    out
}

/// `(dyn A + B)` written without the parentheses public-api puts around a trait object.
fn unparenthesize_dyn(text: &str) -> String {
    let mut out = text.to_owned();
    while let Some(at) = out.find("(dyn ") {
        let Some(end) = close_bracket(&out, at) else {
            break;
        };
        out = format!("{}{}{}", &out[..at], &out[at + 1..end], &out[end + 1..]);
    }
    out
}

/// Byte offset of `needle` in `text` outside brackets.
fn top_level_find(text: &str, needle: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0i32;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'(' | b'[' | b'<' => depth += 1,
            b'>' if i > 0 && bytes[i - 1] == b'-' => {}
            b')' | b']' | b'>' => depth -= 1,
            _ if depth == 0 && text[i..].starts_with(needle) => return Some(i),
            _ => {}
        }
    }
    None
}

/// `text` without spaces (one kept between two words), every path of another crate cut to its last
/// segment, the crate's own paths replaced by their alias (the item's shortest path); paths
/// through `$crate`, `crate`, `self`, `super` or `_` stay whole, so a wrong one shows.
fn shorten(text: &str, crate_name: &str, aliases: &BTreeMap<String, String>) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let is_word = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            // A lifetime, kept as it is.
            out.push(c);
            i += 1;
            while i < chars.len() && is_word(chars[i]) {
                out.push(chars[i]);
                i += 1;
            }
        } else if is_word(c) {
            // A path: words joined by `::` (generic arguments of inner segments are rare in these
            // positions and left as they are).
            let mut segments = Vec::new();
            let mut j = i;
            loop {
                let start = j;
                while j < chars.len() && is_word(chars[j]) {
                    j += 1;
                }
                segments.push(chars[start..j].iter().collect::<String>());
                if j + 2 < chars.len()
                    && chars[j] == ':'
                    && chars[j + 1] == ':'
                    && is_word(chars[j + 2])
                {
                    j += 2;
                } else {
                    break;
                }
            }
            let keep_whole = segments.len() > 1
                && (segments[0] == crate_name
                    || segments.iter().any(|s| {
                        matches!(s.as_str(), "$crate" | "crate" | "self" | "super" | "_")
                    }));
            // `A::Item`, `Self::Output`: relative to a type (crates and modules are lower case).
            let type_relative = segments[0].starts_with(|c: char| c.is_uppercase());
            let shown = if type_relative {
                segments.join("::")
            } else if keep_whole {
                let whole = segments.join("::");
                aliases.get(&whole).cloned().unwrap_or(whole)
            } else {
                segments.last().cloned().unwrap_or_default()
            };
            if out.chars().last().is_some_and(is_word) {
                out.push(' ');
            }
            out.push_str(&shown);
            i = j;
        } else {
            if !c.is_whitespace() {
                out.push(c);
            } else if out.chars().last().is_some_and(|l| l == '\'' || is_word(l)) {
                // keep `'a T`, `dyn Trait`, `mut T` apart
                out.push(' ');
            }
            i += 1;
        }
    }
    // Spaces kept only between words.
    let mut cleaned = String::new();
    let cs: Vec<char> = out.chars().collect();
    for (k, &c) in cs.iter().enumerate() {
        if c == ' ' {
            let prev_word = k > 0 && is_word(cs[k - 1]);
            let next_word = cs.get(k + 1).is_some_and(|n| is_word(*n));
            if !(prev_word && next_word) || cleaned.ends_with(' ') {
                continue;
            }
        }
        cleaned.push(c);
    }
    cleaned
}

pub(crate) fn render_report(reports: &[RdReport], top: usize, all_features: bool) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# driftgate rustdoc engine vs `public-api` 0.52.1\n");
    let _ = writeln!(
        md,
        "Generated by `ci/api-agreement.sh --engine rustdoc` (tool: `ci/api-agreement/`). Each crate's source was \
         copied out of the cargo registry; rustdoc JSON (format_version {}) was built once with `RUSTC_BOOTSTRAP=1 \
         cargo rustdoc --lib -- -Z unstable-options --output-format json --document-hidden-items` and {}; both \
         tools read that same file: `public_api::Builder` (`omit_blanket_impls(true)`, `omit_auto_trait_impls(true)`) \
         and `driftgate::api::rustdoc::map_json` (the engine behind `--engine rustdoc`, which also keeps blanket and \
         auto-trait impls apart).\n",
        crate::EXPECTED_FORMAT_VERSION,
        if all_features { "`--all-features`" } else { "default features" }
    );
    let _ = writeln!(
        md,
        "**Keys.** Items are mapped to (kind, path) as in `ci/api-agreement-report.md` (the syn comparison). \
         Trait impl lines (`impl Trait for Type`) are compared **included**, keyed by `impl [!]Trait<args> \
         for SelfType`: the trait with its generic arguments and the full self type (the impl's parameter list is \
         not keyed: driftgate writes derived impls without it, as the syn engine writes derives, and its names show \
         in the trait and self type anyway); paths of other crates are cut to their last segment (public-api writes definition \
         paths, `alloc::string::String`; the key keeps the type structure: `&'a`, `Box<..>`, arguments), each of the crate's \
         own paths is replaced by the shortest public path of its item (public-api and driftgate pick different \
         paths of one type, and driftgate lists a type's impls under every path of the type, public-api once), \
         paths through `$crate`, `crate`, `self`, `super` or `_` are kept whole, so a wrong one shows; \
         `<A as Trait>::X` is read as `A::X` and `(dyn A + B)` as `dyn A + B` inside generic arguments \
         (public-api always qualifies and parenthesises). Where clauses are dropped (driftgate writes them for blanket impls only). Agreement = |both| / |union| of the key sets.\n"
    );
    let _ = writeln!(
        md,
        "**Collapsed impls**: per trait (with arguments), when driftgate has impl lines public-api lacks and \
         public-api has more impl lines driftgate lacks, the surplus is counted as collapsed (several distinct impls \
         rendered as one line). 0 expected.\n\n\
         **Signatures** (informational, not in the agreement): for keys of kind fn, field, const, static and type \
         found on both sides, the text after the item's name is compared too, spelled like impl keys, without \
         parameter names (public-api writes types only, and `Pin<&mut Self>` for `self: Pin<&mut Self>`), `never` \
         read as `!`, a default-body marker dropped; struct-like variants are skipped (one driftgate line). Known \
         differences left in: driftgate shows type-alias parameter defaults (`E = Error`), public-api does not; \
         driftgate writes a field-less struct variant `V {{}}`.\n"
    );
    let _ = writeln!(md, "**Documented differences, excluded or normalised:**\n");
    let _ = writeln!(
        md,
        "- blanket impls and auto-trait impls (omitted by the builder options; driftgate returns them apart);\n\
         - the items inside a trait impl (methods, associated types and consts): public-api lists them, driftgate \
           renders a trait impl as its one `impl` line (the engine's design: trait-impl lines carry no members);\n\
         - public-api's inherent impl header lines (`impl Type`): driftgate renders the members only;\n\
         - `pub use Trait as _` re-exports: public-api lists the trait and its items under `m::_` (not a path \
           one can name); driftgate (both engines) gives such a re-export no line, so removing one is not seen \
           (a known gap, counted per crate below);\n\
         - a variant re-exported outside its enum (`pub use E::{{A, B}}`): public-api writes the variant line at \
           the new path (`pub a::A(T)`), driftgate a re-export line (`pub use a::A = a::E::A`); keyed alike as \
           `use`;\n\
         - the compiler's derive markers `StructuralPartialEq` and `TrivialClone` (no API of the crate);\n\
         - driftgate's tuple-struct field lines (`pub a::S::0: T`): public-api shows them only inside the struct \
           line;\n\
         - public-api lists inherent members under one path of the type, driftgate under every public path: \
           public-api's inherent members are expanded to every path at which public-api lists the type; \
           driftgate's struct-like variant lines are expanded to one `field` key per named field.\n"
    );

    let _ = writeln!(md, "## Summary\n");
    let _ = writeln!(
        md,
        "| crate | public-api keys | driftgate keys | both | only public-api | only driftgate | collapsed impls | agreement | impl agreement | same signature text | deterministic |"
    );
    let _ = writeln!(
        md,
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
    );
    let mut total = Counts::default();
    let mut impl_total = Counts::default();
    let mut collapsed_total = 0;
    for r in reports {
        let c = side_counts(&r.public_api, &r.driftgate, None);
        let ic = side_counts(&r.public_api, &r.driftgate, Some(&["impl"]));
        let collapsed: usize = r.collapsed.values().map(|(n, _)| n).sum();
        total.add(c);
        impl_total.add(ic);
        collapsed_total += collapsed;
        let _ = writeln!(
            md,
            "| {} {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.name,
            r.version,
            r.public_api.items.len(),
            r.driftgate.items.len(),
            c.both,
            c.only_public_api,
            c.only_driftgate,
            collapsed,
            precise(&c),
            precise(&ic),
            signature_cell(r.signatures_compared, r.signature_differences.len()),
            if r.deterministic { "yes" } else { "**NO**" }
        );
    }
    let _ = writeln!(
        md,
        "| **total** | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
        reports
            .iter()
            .map(|r| r.public_api.items.len())
            .sum::<usize>(),
        reports
            .iter()
            .map(|r| r.driftgate.items.len())
            .sum::<usize>(),
        total.both,
        total.only_public_api,
        total.only_driftgate,
        collapsed_total,
        precise(&total),
        precise(&impl_total),
        signature_cell(
            reports.iter().map(|r| r.signatures_compared).sum(),
            reports.iter().map(|r| r.signature_differences.len()).sum()
        ),
        if reports.iter().all(|r| r.deterministic) {
            "yes"
        } else {
            "**NO**"
        }
    );
    let _ = writeln!(
        md,
        "*public-api lines*: agreement is measured on keys; per crate below, how many lines each tool wrote and what \
         was excluded. *deterministic*: two driftgate runs on the same JSON gave identical lines.\n"
    );

    for r in reports {
        crate_heading(
            &mut md,
            (&r.name, &r.version),
            (r.public_api_lines, r.driftgate_lines),
            (&r.public_api, &r.driftgate),
        );
        let _ = writeln!(
            md,
            "- signatures (informational): {} of {} matched fn/field/const/static/type keys have the same \
             signature text\n",
            r.signatures_compared - r.signature_differences.len(),
            r.signatures_compared
        );
        if !r.signature_differences.is_empty() {
            let _ = writeln!(
                md,
                "### Signature differences (informational): first {}\n",
                top.min(r.signature_differences.len())
            );
            let _ = writeln!(md, "| public-api | driftgate |");
            let _ = writeln!(md, "| --- | --- |");
            for (theirs, ours) in r.signature_differences.iter().take(top) {
                let _ = writeln!(md, "| {} | {} |", cell(theirs), cell(ours));
            }
            let _ = writeln!(md);
        }
        if !r.collapsed.is_empty() {
            let _ = writeln!(md, "### Collapsed impls\n");
            let _ = writeln!(md, "| impls | trait | example driftgate line |");
            let _ = writeln!(md, "| ---: | --- | --- |");
            for (trait_, (n, line)) in &r.collapsed {
                let _ = writeln!(md, "| {n} | {} | {} |", cell(trait_), cell(line));
            }
            let _ = writeln!(md);
        }
        for (title, side, other) in [
            ("Only in public-api", &r.public_api, &r.driftgate),
            ("Only in driftgate", &r.driftgate, &r.public_api),
        ] {
            let groups = top_groups(side, other, top, |key| {
                if key.starts_with("impl") {
                    trait_of_key(key).to_owned()
                } else {
                    parent_path(key)
                }
            });
            let _ = writeln!(md, "### {title}: top {} groups\n", groups.len());
            if groups.is_empty() {
                let _ = writeln!(md, "none\n");
                continue;
            }
            let _ = writeln!(
                md,
                "| keys | under (parent, or impl trait) | example line |"
            );
            let _ = writeln!(md, "| ---: | --- | --- |");
            for (group, n, line) in groups {
                let _ = writeln!(md, "| {n} | {} | {} |", cell(&group), cell(&line));
            }
            let _ = writeln!(md);
        }
    }
    md
}

/// `same/compared (percent)` of the signature comparison.
fn signature_cell(compared: usize, different: usize) -> String {
    if compared == 0 {
        return "–".to_owned();
    }
    let same = compared - different;
    format!(
        "{same}/{compared} ({:.2}%)",
        100.0 * same as f64 / compared as f64
    )
}

/// Agreement with two decimals (the goal is a threshold of 99.5%).
fn precise(c: &Counts) -> String {
    match c.union() {
        0 => "–".to_owned(),
        u => format!("{:.2}%", 100.0 * c.both as f64 / u as f64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impl_keys_keep_the_self_type_and_shorten_foreign_paths() {
        let aliases = BTreeMap::from([(
            "camino::inner::Utf8PathBuf".to_owned(),
            "camino::Utf8PathBuf".to_owned(),
        )]);
        let key = |l: &str| impl_key(l, "camino", &aliases).unwrap();
        assert_eq!(
            key("impl Clone for camino::inner::Utf8PathBuf"),
            "impl Clone for camino::Utf8PathBuf"
        );
        assert_eq!(
            key("impl core::convert::From<camino::Utf8PathBuf> for alloc::boxed::Box<std::path::Path>"),
            "impl From<camino::Utf8PathBuf> for Box<Path>"
        );
        assert_eq!(
            key("impl From<camino::Utf8PathBuf> for Box<std::path::Path>"),
            "impl From<camino::Utf8PathBuf> for Box<Path>"
        );
        assert_eq!(
            key("impl<'a> core::iter::traits::collect::IntoIterator for &'a camino::Utf8Path"),
            "impl IntoIterator for &'a camino::Utf8Path"
        );
        assert_eq!(
            key("impl From<&'static str> for camino::E"),
            "impl From<&'static str> for camino::E"
        );
        assert_eq!(
            key("impl<'a, T: core::clone::Clone> core::cmp::PartialEq<&'a camino::Utf8Path> for alloc::string::String where T: Copy"),
            "impl PartialEq<&'a camino::Utf8Path> for String"
        );
        assert_eq!(
            key("#[cfg(x)] unsafe impl !Send for camino::S<*mut u8>"),
            "impl !Send for camino::S<*mut u8>"
        );
        assert_eq!(
            key("impl Tr for $crate::x::Y<T>"),
            "impl Tr for $crate::x::Y<T>"
        );
        assert_eq!(
            key("impl<const N: usize> Tr for [u8; N]"),
            "impl Tr for [u8;N]"
        );
        assert_eq!(
            key("impl Tr for dyn core::any::Any + Send"),
            "impl Tr for dyn Any+Send"
        );
        assert!(impl_key("impl camino::S", "camino", &aliases).is_none());
        assert_eq!(
            key("impl<A: camino::Array> camino::ToVec<A> for [<A as camino::Array>::Item]"),
            key("impl<A: camino::Array> camino::ToVec<A> for [A::Item]")
        );
        assert_eq!(
            key("impl From<camino::E> for Box<(dyn core::error::Error + Send + 'static)>"),
            "impl From<camino::E> for Box<dyn Error+Send+'static>"
        );
    }

    #[test]
    fn proc_macro_lines_of_public_api_name_the_macro() {
        for (line, path) in [
            ("pub proc macro m::#[derive(Error)]", "m::Error"),
            ("pub proc macro m::#[traced]", "m::traced"),
            ("pub proc macro m::make!()", "m::make"),
        ] {
            assert_eq!(proc_macro_path(line).as_deref(), Some(path));
        }
        assert_eq!(proc_macro_path("pub fn m::f()"), None);
    }

    #[test]
    fn signatures_are_compared_without_parameter_names() {
        assert_eq!(
            without_param_names("<'h>(&self, haystack: &'h str, mut start: usize) -> u8"),
            "<'h>(&self, &'h str, usize) -> u8"
        );
        assert_eq!(
            without_param_names("(self: Box<Self>, f: fn(u8, u8) -> u8)"),
            "(Box<Self>, fn(u8, u8) -> u8)"
        );
        let none = BTreeMap::new();
        assert_eq!(
            unqualify(&shorten(
                "(&self) -> *const <A as smallvec::Array>::Item",
                "smallvec",
                &none
            )),
            "(&self)->*const A::Item"
        );
        assert_eq!(
            signature("pub fn a::S::get(&self) -> u8 { .. }", "get").as_deref(),
            Some("(&self) -> u8")
        );
    }

    #[test]
    fn a_surplus_of_public_api_impls_against_a_wrong_line_is_a_collapse() {
        let none = BTreeMap::new();
        let mut public_api = Side::default();
        let mut driftgate = Side::default();
        for s in ["String", "str", "Path", "OsStr"] {
            let line = format!("impl PartialEq<&camino::Utf8Path> for {s}");
            public_api.add("impl", impl_key(&line, "camino", &none).unwrap(), &line);
        }
        let wrong = "impl PartialEq<&camino::Utf8Path> for camino::Utf8Path";
        driftgate.add("impl", impl_key(wrong, "camino", &none).unwrap(), wrong);
        let collapsed = collapsed_impls(&public_api, &driftgate);
        assert_eq!(
            collapsed
                .get("impl PartialEq<&camino::Utf8Path>")
                .map(|c| c.0),
            Some(3)
        );
        driftgate = Side::default();
        for s in ["String", "str", "Path", "OsStr"] {
            let line = format!("impl PartialEq<&camino::Utf8Path> for {s}");
            driftgate.add("impl", impl_key(&line, "camino", &none).unwrap(), &line);
        }
        assert!(collapsed_impls(&public_api, &driftgate).is_empty());
    }
}
