//! The usage index: what a dependent crate references from its workspace dependencies, with
//! file, line and column. Pure: a file's text and the dependency names in, [`UseSite`]s out.
//!
//! Paths are recorded as the dependency itself names them (`flaredb_sql::QueryResult::rows`), whatever
//! the dependent calls the crate (`package = ".."` renames, `extern crate x as y`, `use .. as ..`).
//! Method calls and field accesses cannot be typed without a compiler: they are recorded by name
//! ([`Confidence::NameMatch`]); paths inside macro token streams at [`Confidence::Macro`].

mod aliases;
pub(crate) mod cache;
mod imports;
pub(crate) mod index;
mod macro_rules;
mod scan;
mod unread;

pub use aliases::file_aliases;
pub use macro_rules::{macro_rules_idents, macro_rules_idents_of};
pub use scan::scan_file;
pub use unread::{continues_path_with_macro_variable, names_dependency_in_string, unreadable};

use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// How a site refers to the dependency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UseKind {
    /// A `use` of a dependency item.
    Import,
    /// A path anywhere (types, calls, patterns, macro paths, bounds).
    Path,
    /// `x.name(..)` in a file that uses the dependency.
    MethodCall,
    /// `x.name` in a file that uses the dependency.
    FieldAccess,
    /// `Type { field: .. }` — the field of a struct literal.
    LiteralField,
    /// `Type { .. }` without a `..base`: breaks when a field is added.
    StructLiteral,
    /// `Type { field, .. }` in a pattern.
    PatternField,
    /// A `match` on a dependency enum without a catch-all arm: breaks when a variant is added.
    ExhaustiveMatch,
    /// `impl dep::Trait for X`: breaks when a required method is added.
    TraitImpl,
    /// A method defined in `impl dep::Trait for X`: breaks when the trait method is removed.
    TraitImplMethod,
    /// A dependency feature enabled in the dependent's manifest.
    Feature,
    /// A macro of the dependency invoked or applied (`dep::m!()`, `#[derive(dep::M)]`,
    /// `#[dep::attr]`), or all of them brought into scope (`#[macro_use] extern crate dep`): its
    /// expansion is not in the dependent's text.
    MacroCall,
}

/// How sure the index is that the site refers to the named item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Confidence {
    /// Resolved through a path.
    Exact,
    /// Matched by member name only (method calls, field accesses).
    NameMatch,
    /// Found inside a macro's token stream.
    Macro,
    /// Matched by member name in a file that does not name the dependency at all.
    Indirect,
}

/// One reference from a dependent to a dependency.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct UseSite {
    /// The dependent package.
    pub package: String,
    /// The dependency package referred to.
    pub dependency: String,
    /// Relative to the workspace root.
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub kind: UseKind,
    pub confidence: Confidence,
    /// The full path in the dependency's own terms (`flaredb_sql::QueryResult::rows`); empty for
    /// name matches, whose type is unknown.
    pub target: String,
    /// The referenced name (last segment, method or field name).
    pub name: String,
    /// The source line, trimmed (for reports).
    pub snippet: String,
}

/// A file of a dependent that the index could not read completely: precise mode builds its crate.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct UnreadFile {
    pub package: String,
    /// Relative to the workspace root.
    pub file: String,
    pub reason: String,
}
/// A dependency as the dependent's code names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepName {
    pub package: String,
    /// The dependency's own crate name (`flaredb_sql`), which change paths start with.
    pub crate_name: String,
}

/// Everything the scanner needs to know about one dependent crate.
#[derive(Debug, Clone, Default)]
pub struct ScanContext {
    pub package: String,
    /// Extern names the dependent writes (`fsql`, `flaredb_sql`) → dependency.
    pub deps: HashMap<String, DepName>,
    /// Crate-wide aliases: names bound by `use dep::..` anywhere in the crate → full dependency path,
    /// so `crate::QR` or `super::QR` in another file still resolves.
    pub crate_aliases: HashMap<String, (String, DepName)>,
}
