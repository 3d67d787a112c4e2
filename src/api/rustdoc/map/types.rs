//! Types, paths, generics, bounds and where clauses rendered as source would write them (types of
//! other crates as written at the use site, types of this crate by their shortest public path),
//! spaced by the syn engine's printer.

use super::Mapper;
use crate::api::tokens;
use rustdoc_types::{
    Abi, FunctionHeader, FunctionSignature, GenericArg, GenericArgs, GenericBound, GenericParamDef,
    GenericParamDefKind, Generics, Id, Path as RPath, Term, TraitBoundModifier, Type,
    WherePredicate,
};

impl<'c> Mapper<'c> {
    /// The definition path of an item (`core::clone::Clone`), from the crate's path table.
    pub(super) fn definition_path(&self, id: &Id) -> Option<String> {
        self.krate.paths.get(id).map(|s| s.path.join("::"))
    }

    /// A path without its generic arguments: local items by their shortest public path, others by
    /// their definition path (`core::fmt::Display`, whatever import the source used), which
    /// [`canonical`](crate::api::canonical) spells as the syn engine's resolved paths are spelled.
    pub(super) fn path_text(&self, p: &RPath) -> String {
        if let Some((id, path)) = self.self_path.borrow().as_ref() {
            if *id == p.id {
                return path.clone();
            }
        }
        if let Some(public) = self.paths_of.get(&p.id).and_then(|paths| paths.first()) {
            return public.clone();
        }
        if let Some(definition) = self.definition_path(&p.id).filter(|d| !d.is_empty()) {
            return definition;
        }
        let written = p.path.trim_start_matches("::");
        // `$crate::x`, `crate::x`, `self::x`, `super::x` mean something only where they were
        // written (a macro expansion, a module): never printed as they are.
        let relative = written
            .split("::")
            .next()
            .is_some_and(|first| matches!(first, "$crate" | "crate" | "self" | "super"));
        if relative {
            let rest = written.split_once("::").map_or(written, |(_, rest)| rest);
            return format!("{}::{rest}", self.out.crate_name);
        }
        written.to_owned()
    }

    pub(super) fn resolved_path(&self, p: &RPath) -> String {
        format!(
            "{}{}",
            self.path_text(p),
            self.generic_args(p.args.as_deref())
        )
    }

    pub(super) fn generic_args(&self, args: Option<&GenericArgs>) -> String {
        match args {
            None => String::new(),
            Some(GenericArgs::AngleBracketed { args, constraints }) => {
                let mut parts: Vec<String> = args
                    .iter()
                    .map(|a| match a {
                        GenericArg::Lifetime(l) => l.clone(),
                        GenericArg::Type(t) => self.ty(t),
                        GenericArg::Const(c) => c.expr.clone(),
                        GenericArg::Infer => "_".to_owned(),
                    })
                    .collect();
                for c in constraints {
                    let args = self.generic_args(c.args.as_deref());
                    parts.push(match &c.binding {
                        rustdoc_types::AssocItemConstraintKind::Equality(term) => {
                            format!("{}{args} = {}", c.name, self.term(term))
                        }
                        rustdoc_types::AssocItemConstraintKind::Constraint(bounds) => {
                            format!("{}{args}: {}", c.name, self.bounds(bounds))
                        }
                    });
                }
                if parts.is_empty() {
                    String::new()
                } else {
                    format!("<{}>", parts.join(", "))
                }
            }
            Some(GenericArgs::Parenthesized { inputs, output }) => {
                let inputs: Vec<String> = inputs.iter().map(|t| self.ty(t)).collect();
                let output = output
                    .as_ref()
                    .map(|t| format!(" -> {}", self.ty(t)))
                    .unwrap_or_default();
                format!("({}){output}", inputs.join(", "))
            }
            Some(GenericArgs::ReturnTypeNotation) => "(..)".to_owned(),
        }
    }

    pub(super) fn term(&self, term: &Term) -> String {
        match term {
            Term::Type(t) => self.ty(t),
            Term::Constant(c) => c.expr.clone(),
        }
    }

    pub(super) fn ty(&self, ty: &Type) -> String {
        match ty {
            Type::ResolvedPath(p) => self.resolved_path(p),
            Type::DynTrait(d) => {
                let mut parts: Vec<String> = d
                    .traits
                    .iter()
                    .map(|p| {
                        format!(
                            "{}{}",
                            self.hrtb(&p.generic_params),
                            self.resolved_path(&p.trait_)
                        )
                    })
                    .collect();
                if let Some(l) = &d.lifetime {
                    parts.push(l.clone());
                }
                format!("dyn {}", parts.join(" + "))
            }
            Type::Primitive(name) if name == "never" => "!".to_owned(),
            Type::Generic(name) | Type::Primitive(name) => name.clone(),
            Type::FunctionPointer(fp) => {
                // rustdoc never marks a function pointer `const` or `async`.
                let qualifiers = fn_qualifiers(&fp.header);
                let params: Vec<String> = fp
                    .sig
                    .inputs
                    .iter()
                    .map(|(name, t)| {
                        if name.is_empty() || name == "_" {
                            self.ty(t)
                        } else {
                            format!("{name}: {}", self.ty(t))
                        }
                    })
                    .collect();
                let output = self.fn_output(&fp.sig);
                format!(
                    "{}{qualifiers}fn({}){output}",
                    self.hrtb(&fp.generic_params),
                    params.join(", ")
                )
            }
            Type::Tuple(types) => {
                let inner: Vec<String> = types.iter().map(|t| self.ty(t)).collect();
                if inner.len() == 1 {
                    format!("({},)", inner[0])
                } else {
                    format!("({})", inner.join(", "))
                }
            }
            Type::Slice(t) => format!("[{}]", self.ty(t)),
            Type::Array { type_, len } => format!("[{}; {len}]", self.ty(type_)),
            Type::Pat { type_, .. } => self.ty(type_),
            Type::ImplTrait(bounds) => format!("impl {}", self.bounds(bounds)),
            Type::Infer => "_".to_owned(),
            Type::RawPointer { is_mutable, type_ } => format!(
                "*{} {}",
                if *is_mutable { "mut" } else { "const" },
                self.pointee(type_)
            ),
            Type::BorrowedRef {
                lifetime,
                is_mutable,
                type_,
            } => {
                let lifetime = lifetime
                    .as_ref()
                    .map(|l| format!("{l} "))
                    .unwrap_or_default();
                let mutability = if *is_mutable { "mut " } else { "" };
                format!("&{lifetime}{mutability}{}", self.pointee(type_))
            }
            Type::QualifiedPath {
                name,
                args,
                self_type,
                trait_,
            } => {
                let args = self.generic_args(args.as_deref());
                match trait_ {
                    Some(t) if !t.path.is_empty() => format!(
                        "<{} as {}>::{name}{args}",
                        self.ty(self_type),
                        self.resolved_path(t)
                    ),
                    _ => format!("{}::{name}{args}", self.ty(self_type)),
                }
            }
        }
    }

    /// The return type of a function or function pointer: ` -> T`, or nothing for `()`.
    pub(super) fn fn_output(&self, sig: &FunctionSignature) -> String {
        sig.output
            .as_ref()
            .map(|t| format!(" -> {}", self.ty(t)))
            .unwrap_or_default()
    }

    /// The type behind `&` or `*const`: a trait object with more than one bound in parentheses
    /// (`&'a (dyn Error + 'static)`), as Rust requires and the source writes it.
    fn pointee(&self, ty: &Type) -> String {
        match ty {
            Type::DynTrait(d) if d.traits.len() + usize::from(d.lifetime.is_some()) > 1 => {
                format!("({})", self.ty(ty))
            }
            _ => self.ty(ty),
        }
    }

    pub(super) fn hrtb(&self, params: &[GenericParamDef]) -> String {
        if params.is_empty() {
            String::new()
        } else {
            let names: Vec<String> = params.iter().map(|p| self.generic_param(p)).collect();
            format!("for<{}> ", names.join(", "))
        }
    }

    pub(super) fn bounds(&self, bounds: &[GenericBound]) -> String {
        let parts: Vec<String> = bounds
            .iter()
            .map(|b| match b {
                GenericBound::TraitBound {
                    trait_,
                    generic_params,
                    modifier,
                } => {
                    let modifier = match modifier {
                        TraitBoundModifier::None => "",
                        TraitBoundModifier::Maybe => "?",
                        TraitBoundModifier::MaybeConst => "~const ",
                    };
                    format!(
                        "{}{modifier}{}",
                        self.hrtb(generic_params),
                        self.resolved_path(trait_)
                    )
                }
                GenericBound::Outlives(l) => l.clone(),
                GenericBound::Use(args) => {
                    let names: Vec<&str> = args
                        .iter()
                        .map(|a| match a {
                            rustdoc_types::PreciseCapturingArg::Lifetime(l)
                            | rustdoc_types::PreciseCapturingArg::Param(l) => l.as_str(),
                        })
                        .collect();
                    format!("use<{}>", names.join(", "))
                }
            })
            .collect();
        parts.join(" + ")
    }

    pub(super) fn generic_param(&self, p: &GenericParamDef) -> String {
        match &p.kind {
            GenericParamDefKind::Lifetime { outlives } => {
                if outlives.is_empty() {
                    p.name.clone()
                } else {
                    format!("{}: {}", p.name, outlives.join(" + "))
                }
            }
            GenericParamDefKind::Type {
                bounds, default, ..
            } => {
                let mut text = p.name.clone();
                if !bounds.is_empty() {
                    text.push_str(&format!(": {}", self.bounds(bounds)));
                }
                if let Some(default) = default {
                    text.push_str(&format!(" = {}", self.ty(default)));
                }
                text
            }
            GenericParamDefKind::Const { type_, default } => {
                let mut text = format!("const {}: {}", p.name, self.ty(type_));
                if let Some(default) = default {
                    text.push_str(&format!(" = {default}"));
                }
                text
            }
        }
    }

    /// Generics of an impl header (paths qualified, as the syn engine qualifies them).
    pub(super) fn impl_generics(&self, generics: &Generics) -> String {
        self.generics(generics)
    }

    /// `<'a, T: Clone, const N: usize>`; the synthetic parameters of `impl Trait` arguments are not
    /// written by the source and left out.
    pub(super) fn generics(&self, generics: &Generics) -> String {
        let params: Vec<String> = generics
            .params
            .iter()
            .filter(|p| {
                !matches!(
                    p.kind,
                    GenericParamDefKind::Type {
                        is_synthetic: true,
                        ..
                    }
                )
            })
            .map(|p| self.generic_param(p))
            .collect();
        if params.is_empty() {
            String::new()
        } else {
            format!("<{}>", params.join(", "))
        }
    }

    pub(super) fn where_clause(&self, predicates: &[WherePredicate]) -> String {
        let parts: Vec<String> = predicates
            .iter()
            .filter_map(|p| match p {
                WherePredicate::BoundPredicate {
                    type_,
                    bounds,
                    generic_params,
                } => {
                    // `impl Trait` arguments appear as bounds on their synthetic parameter.
                    if let Type::Generic(name) = type_ {
                        if name.starts_with("impl ") {
                            return None;
                        }
                    }
                    Some(format!(
                        "{}{}: {}",
                        self.hrtb(generic_params),
                        self.ty(type_),
                        self.bounds(bounds)
                    ))
                }
                WherePredicate::LifetimePredicate { lifetime, outlives } => {
                    Some(format!("{lifetime}: {}", outlives.join(" + ")))
                }
                WherePredicate::EqPredicate { lhs, rhs } => {
                    Some(format!("{} = {}", self.ty(lhs), self.term(rhs)))
                }
            })
            .collect();
        if parts.is_empty() {
            String::new()
        } else {
            format!(" where {}", parts.join(", "))
        }
    }
}

/// The qualifiers before `fn` as the source writes them: `const`, `async`, `unsafe`, the ABI.
pub(super) fn fn_qualifiers(header: &FunctionHeader) -> String {
    let mut qualifiers = String::new();
    if header.is_const {
        qualifiers.push_str("const ");
    }
    if header.is_async {
        qualifiers.push_str("async ");
    }
    if header.is_unsafe {
        qualifiers.push_str("unsafe ");
    }
    qualifiers.push_str(&abi(&header.abi));
    qualifiers
}

fn abi(abi: &Abi) -> String {
    let name = match abi {
        Abi::Rust => return String::new(),
        Abi::C { unwind } => with_unwind("C", *unwind),
        Abi::Cdecl { unwind } => with_unwind("cdecl", *unwind),
        Abi::Stdcall { unwind } => with_unwind("stdcall", *unwind),
        Abi::Fastcall { unwind } => with_unwind("fastcall", *unwind),
        Abi::Aapcs { unwind } => with_unwind("aapcs", *unwind),
        Abi::Win64 { unwind } => with_unwind("win64", *unwind),
        Abi::SysV64 { unwind } => with_unwind("sysv64", *unwind),
        Abi::System { unwind } => with_unwind("system", *unwind),
        Abi::Other(other) => other.trim_matches('"').to_owned(),
    };
    format!("extern \"{name}\" ")
}

pub(super) fn with_unwind(name: &str, unwind: bool) -> String {
    if unwind {
        format!("{name}-unwind")
    } else {
        name.to_owned()
    }
}

/// Respaces the part of a line after its attribute prefixes with the syn engine's printer, so both
/// engines space alike (`&'a [T]`, `Vec<u8>`, `fn(u8) -> bool`).
pub(super) fn normalize_line(line: &str) -> String {
    let mut rest = line;
    let mut prefix_end = 0;
    while rest.starts_with("#[") {
        let Some(end) = crate::api::model::matching_bracket(rest, 1) else {
            break;
        };
        let after = rest[end + 1..].trim_start();
        prefix_end += rest.len() - after.len();
        rest = after;
    }
    match tokens::lex(rest) {
        Some(toks) => format!("{}{}", &line[..prefix_end], tokens::print(&toks)),
        None => line.to_owned(),
    }
}

/// One piece of a line (generics, a path, a where clause) spaced by the syn engine's printer; a
/// leading space (` where ..`) is kept.
pub(super) fn norm(piece: &str) -> String {
    let lead = if piece.starts_with(' ') { " " } else { "" };
    match tokens::lex(piece) {
        Some(toks) if !toks.is_empty() => format!("{lead}{}", tokens::print(&toks)),
        _ => piece.to_owned(),
    }
}
