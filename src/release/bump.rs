//! Version arithmetic of the release checklist, as cargo applies semver: which bump a set of
//! changes requires, which bump a version change made, and the smallest version that satisfies a
//! requirement. Pure.
//!
//! Cargo's compatibility rule (the Cargo Book, "SemVer compatibility" and the resolver's caret
//! requirements): the *leftmost non-zero* component is the major version. So `1.2.3 → 1.3.0` is
//! compatible and `1.x → 2.0.0` is not; for `0.x.y` (x > 0) a change of `x` is breaking and a change
//! of `y` is the compatible ("minor") bump; `0.0.z` versions are all incompatible with each other,
//! so any change needs a new `z`. Pre-releases promise nothing: any step away from a pre-release
//! counts as a breaking bump. Build metadata is ignored.

use crate::api::rules::Severity;
use semver::Version;
use serde::{Deserialize, Serialize};

/// The bump a version change made, as cargo reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Made {
    /// The new version is lower than the old one.
    Downgrade,
    /// Same version (build metadata aside).
    None,
    Patch,
    Minor,
    Major,
}

impl Made {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Made::Downgrade => "downgrade",
            Made::None => "none",
            Made::Patch => "patch",
            Made::Minor => "minor",
            Made::Major => "major",
        }
    }

    /// Whether this bump allows changes of `severity`.
    pub(crate) fn satisfies(self, severity: Severity) -> bool {
        let needed = match severity {
            Severity::Patch => Made::Patch,
            Severity::Minor => Made::Minor,
            Severity::Major => Made::Major,
        };
        self >= needed
    }
}

/// Parses a manifest version (`1.2.3`, `0.1.0-rc.1`); the error says what was wrong.
pub(crate) fn parse(text: &str) -> Result<Version, String> {
    Version::parse(text.trim()).map_err(|e| format!("`{text}` is not a semver version: {e}"))
}

/// Cargo's compatibility class: versions in the same class may replace each other.
fn class(v: &Version) -> (u64, u64, u64) {
    match (v.major, v.minor) {
        (0, 0) => (0, 0, v.patch),
        (0, minor) => (0, minor, 0),
        (major, _) => (major, 0, 0),
    }
}

fn triple(v: &Version) -> (u64, u64, u64) {
    (v.major, v.minor, v.patch)
}

/// Versions compared without build metadata (which cargo ignores for precedence).
fn precedence(v: &Version) -> Version {
    let mut v = v.clone();
    v.build = semver::BuildMetadata::EMPTY;
    v
}

/// The bump from `base` to `head`, as cargo's compatibility rule reads it.
pub(crate) fn made(base: &Version, head: &Version) -> Made {
    let (b, h) = (precedence(base), precedence(head));
    if h == b {
        return Made::None;
    }
    if h < b {
        return Made::Downgrade;
    }
    if class(&b) != class(&h) || !b.pre.is_empty() {
        return Made::Major;
    }
    // Same compatibility class, base a release: which position moved?
    match triple(&b) {
        (0, _, _) if b.patch != h.patch => Made::Minor, // 0.x.y: y is the compatible bump
        (major, minor, _) if major > 0 && minor != h.minor => Made::Minor,
        _ => Made::Patch, // the patch moved (a pre-release of it, `1.0.1-rc.1`, counts the same)
    }
}

/// The smallest version after `base` whose bump allows changes of `severity`.
pub(crate) fn minimum(base: &Version, severity: Severity) -> Version {
    if !base.pre.is_empty() {
        // Releasing the pre-release itself moves away from it: any change is allowed.
        return Version::new(base.major, base.minor, base.patch);
    }
    let (major, minor, patch) = triple(base);
    match (major, minor, severity) {
        (0, 0, _) => Version::new(0, 0, patch + 1),
        (0, _, Severity::Major) => Version::new(0, minor + 1, 0),
        (0, _, _) => Version::new(0, minor, patch + 1),
        (_, _, Severity::Major) => Version::new(major + 1, 0, 0),
        (_, _, Severity::Minor) => Version::new(major, minor + 1, 0),
        (_, _, Severity::Patch) => Version::new(major, minor, patch + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn v(text: &str) -> Version {
        parse(text).unwrap()
    }

    #[test]
    fn stable_versions_follow_major_minor_patch() {
        assert_eq!(made(&v("1.2.3"), &v("2.0.0")), Made::Major);
        assert_eq!(made(&v("1.2.3"), &v("1.3.0")), Made::Minor);
        assert_eq!(made(&v("1.2.3"), &v("1.2.4")), Made::Patch);
        assert_eq!(made(&v("1.2.3"), &v("1.2.3")), Made::None);
        assert_eq!(made(&v("1.2.3"), &v("1.2.3+build.5")), Made::None);
        assert_eq!(made(&v("1.2.3"), &v("1.2.2")), Made::Downgrade);
        assert_eq!(made(&v("1.2.3"), &v("1.2.4-rc.1")), Made::Patch);
    }

    #[test]
    fn zero_x_versions_shift_one_position() {
        // 0.x.y: x is the major, y the compatible bump.
        assert_eq!(made(&v("0.1.0"), &v("0.2.0")), Made::Major);
        assert_eq!(made(&v("0.1.0"), &v("0.1.1")), Made::Minor);
        assert_eq!(made(&v("0.1.0"), &v("1.0.0")), Made::Major);
        assert!(!made(&v("0.1.0"), &v("0.1.1")).satisfies(Severity::Major));
        assert!(made(&v("0.1.0"), &v("0.1.1")).satisfies(Severity::Minor));
        assert_eq!(minimum(&v("0.1.3"), Severity::Major), v("0.2.0"));
        assert_eq!(minimum(&v("0.1.3"), Severity::Minor), v("0.1.4"));
        assert_eq!(minimum(&v("0.1.3"), Severity::Patch), v("0.1.4"));
    }

    #[test]
    fn zero_zero_versions_are_all_incompatible() {
        assert_eq!(made(&v("0.0.3"), &v("0.0.4")), Made::Major);
        assert_eq!(minimum(&v("0.0.3"), Severity::Patch), v("0.0.4"));
        assert_eq!(minimum(&v("0.0.3"), Severity::Major), v("0.0.4"));
    }

    #[test]
    fn pre_releases_promise_nothing() {
        assert_eq!(made(&v("1.0.0-rc.1"), &v("1.0.0-rc.2")), Made::Major);
        assert_eq!(made(&v("1.0.0-rc.1"), &v("1.0.0")), Made::Major);
        assert_eq!(minimum(&v("2.0.0-alpha"), Severity::Major), v("2.0.0"));
    }

    #[test]
    fn minimum_of_stable_versions() {
        assert_eq!(minimum(&v("1.2.3"), Severity::Major), v("2.0.0"));
        assert_eq!(minimum(&v("1.2.3"), Severity::Minor), v("1.3.0"));
        assert_eq!(minimum(&v("1.2.3"), Severity::Patch), v("1.2.4"));
    }

    #[test]
    fn parse_errors_name_the_text() {
        assert!(parse("1.2").unwrap_err().contains("`1.2`"));
    }

    fn version() -> impl Strategy<Value = Version> {
        (0u64..4, 0u64..4, 0u64..4, prop::option::of("[a-z]{1,3}")).prop_map(
            |(major, minor, patch, pre)| {
                let mut v = Version::new(major, minor, patch);
                if let Some(pre) = pre {
                    v.pre = semver::Prerelease::new(&pre).unwrap();
                }
                v
            },
        )
    }

    fn severity() -> impl Strategy<Value = Severity> {
        prop_oneof![
            Just(Severity::Patch),
            Just(Severity::Minor),
            Just(Severity::Major)
        ]
    }

    proptest! {
        #[test]
        fn minimum_is_greater_and_satisfies(base in version(), sev in severity()) {
            let next = minimum(&base, sev);
            prop_assert!(next > base);
            prop_assert!(made(&base, &next).satisfies(sev), "{base} → {next} for {sev:?}");
        }

        #[test]
        fn nothing_smaller_than_minimum_satisfies(base in version(), sev in severity(), head in version()) {
            let next = minimum(&base, sev);
            if head > base && head < next && head.pre.is_empty() {
                prop_assert!(!made(&base, &head).satisfies(sev), "{base} → {head} for {sev:?}");
            }
        }

        #[test]
        fn made_is_antisymmetric_about_downgrades(a in version(), b in version()) {
            let (ab, ba) = (made(&a, &b), made(&b, &a));
            prop_assert_eq!(ab == Made::None, ba == Made::None);
            if ab != Made::None {
                prop_assert!((ab == Made::Downgrade) != (ba == Made::Downgrade));
            }
        }
    }
}
