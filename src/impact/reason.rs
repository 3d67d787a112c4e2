//! Why a crate is affected (stable reason codes) and which of its targets can break: the
//! vocabulary shared by impact analysis and precise mode. Pure data.

use serde::{Deserialize, Serialize};

/// Why a crate is affected. The kebab-case names are stable: reports and configuration use them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReasonCode {
    /// Its own public API changed.
    ApiChanged,
    /// It references an item that a breaking change removed or changed.
    UsesChangedItem,
    /// It depends (normal/build: all targets; dev: tests only) on an affected crate.
    DependsOnChangedCrate,
    /// A file of the package changed.
    FileInPackage,
    /// Its manifest changed (or the workspace manifest, outside `[workspace.dependencies]`).
    ManifestChanged,
    /// A root `[workspace.dependencies]` entry it inherits changed.
    WorkspaceDependencyChanged,
    /// Its resolved dependencies in `Cargo.lock` differ.
    LockfileChanged,
    /// Its build script changed.
    BuildScriptChanged,
    /// `rust-toolchain(.toml)` or `.cargo/config(.toml)` changed.
    ToolchainChanged,
    /// A changed file belongs to no package: every crate is affected, conservatively.
    UnownedFile,
    /// Precise mode builds it: a change in a dependency has no complete use-site matcher.
    UnmatchedChange,
    /// Precise mode builds it: it names a changed item (a superset of the prediction).
    NamesChangedItem,
    /// Precise mode builds it: it names an item whose body change is observable (a value, a
    /// `const fn`, an `async fn`, an `impl Trait` return, a type's private fields).
    ObservableBodyChange,
    /// Precise mode builds it: one of its files could not be read completely.
    DependentFileUnread,
    /// Precise mode builds it: it expands the macros of a changed proc-macro crate.
    ExpandsChangedMacros,
    /// Precise mode builds it: the changed crate has changes the engine cannot see (macros,
    /// unparseable files, uncertain items).
    EngineBlind,
    /// Precise mode builds it: the changed crate's manifest, build script or dependencies changed.
    ChangedCrateInputs,
    /// Precise mode builds it: it reaches a changed crate through another member (a facade,
    /// re-exports, types in another member's API).
    ReachesThroughMember,
    /// No changed-path list is known (snapshot-file baseline): every crate is checked.
    ChangesUnknown,
}

impl ReasonCode {
    pub const ALL: [ReasonCode; 19] = [
        ReasonCode::ApiChanged,
        ReasonCode::UsesChangedItem,
        ReasonCode::DependsOnChangedCrate,
        ReasonCode::FileInPackage,
        ReasonCode::ManifestChanged,
        ReasonCode::WorkspaceDependencyChanged,
        ReasonCode::LockfileChanged,
        ReasonCode::BuildScriptChanged,
        ReasonCode::ToolchainChanged,
        ReasonCode::UnownedFile,
        ReasonCode::UnmatchedChange,
        ReasonCode::NamesChangedItem,
        ReasonCode::ObservableBodyChange,
        ReasonCode::DependentFileUnread,
        ReasonCode::ExpandsChangedMacros,
        ReasonCode::EngineBlind,
        ReasonCode::ChangedCrateInputs,
        ReasonCode::ReachesThroughMember,
        ReasonCode::ChangesUnknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReasonCode::ApiChanged => "api-changed",
            ReasonCode::UsesChangedItem => "uses-changed-item",
            ReasonCode::DependsOnChangedCrate => "depends-on-changed-crate",
            ReasonCode::FileInPackage => "file-in-package",
            ReasonCode::ManifestChanged => "manifest-changed",
            ReasonCode::WorkspaceDependencyChanged => "workspace-dependency-changed",
            ReasonCode::LockfileChanged => "lockfile-changed",
            ReasonCode::BuildScriptChanged => "build-script-changed",
            ReasonCode::ToolchainChanged => "toolchain-changed",
            ReasonCode::UnownedFile => "unowned-file",
            ReasonCode::UnmatchedChange => "unmatched-change",
            ReasonCode::NamesChangedItem => "names-changed-item",
            ReasonCode::ObservableBodyChange => "observable-body-change",
            ReasonCode::DependentFileUnread => "dependent-file-unread",
            ReasonCode::ExpandsChangedMacros => "expands-changed-macros",
            ReasonCode::EngineBlind => "engine-blind",
            ReasonCode::ChangedCrateInputs => "changed-crate-inputs",
            ReasonCode::ReachesThroughMember => "reaches-through-member",
            ReasonCode::ChangesUnknown => "changes-unknown",
        }
    }

    /// Whether the reason means the crate must be built in precise mode too (its own inputs
    /// changed, or precise mode cannot show that it is unaffected).
    pub fn must_build(self) -> bool {
        !matches!(
            self,
            ReasonCode::ApiChanged | ReasonCode::DependsOnChangedCrate
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Reason {
    pub code: ReasonCode,
    pub detail: String,
}

/// Which targets of an affected crate can break.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// Only test targets (reached through a dev-dependency).
    Tests,
    /// Every target.
    All,
}
