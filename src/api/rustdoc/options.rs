//! The rustdoc engine's options, validated from the command line, and the features each crate is
//! documented with.

use super::job::FeatureSelection;
use std::collections::BTreeSet;

/// The rustdoc engine's options (validated from the command line).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RustdocOptions {
    /// `--features` (comma- or space-separated, `pkg/feat` allowed).
    pub features: Vec<String>,
    pub all_features: bool,
    pub no_default_features: bool,
    /// Show the auto-trait impls rustdoc synthesises (`impl Send for ..`).
    pub include_auto_traits: bool,
    /// Show blanket impls (`impl<T> Any for T`) for the crate's types.
    pub include_blanket_impls: bool,
    /// A format mismatch or failed build is an error (exit 101) instead of a fallback to syn.
    pub no_fallback: bool,
    /// The user's cargo options, passed to every `cargo rustdoc` and `cargo metadata` run.
    pub cargo: crate::cargo_args::CargoArgs,
}

impl RustdocOptions {
    /// Whether the user chose features; otherwise the workspace's unified features are used.
    pub(super) fn explicit_features(&self) -> bool {
        self.all_features || self.no_default_features || !self.features.is_empty()
    }

    /// The user's feature flags as they enter the cache key.
    pub(super) fn key_text(&self) -> String {
        let mut features: Vec<&str> = self
            .features
            .iter()
            .flat_map(|f| f.split([',', ' ']))
            .filter(|f| !f.is_empty())
            .collect();
        features.sort_unstable();
        features.dedup();
        format!(
            "all={} no-default={} features={}",
            self.all_features,
            self.no_default_features,
            features.join(",")
        )
    }

    /// The features to document `package` with, given the features it declares.
    pub(super) fn selection_for(
        &self,
        package: &str,
        declared: &BTreeSet<String>,
        unified: Option<&BTreeSet<String>>,
    ) -> FeatureSelection {
        if !self.explicit_features() {
            // What the workspace build enables for this crate.
            return FeatureSelection {
                all_features: false,
                no_default_features: true,
                features: unified.into_iter().flatten().cloned().collect(),
            };
        }
        let mut features = Vec::new();
        for feature in self.features.iter().flat_map(|f| f.split([',', ' '])) {
            match feature.split_once('/') {
                Some((pkg, name)) if pkg == package => features.push(name.to_owned()),
                Some(_) => {}
                None if declared.contains(feature) => features.push(feature.to_owned()),
                None => {}
            }
        }
        FeatureSelection {
            all_features: self.all_features,
            no_default_features: self.no_default_features,
            features,
        }
    }
}
