//! Which tag was each crate's last release: tags named by patterns (`{name}-v{version}`,
//! `{name}-{version}`, `v{version}` by default; `release --tag-pattern` replaces them), the highest
//! version of the first pattern that names any tag reachable from HEAD. Pure: the tag list comes
//! from the command.

use std::collections::BTreeMap;

/// The default patterns, most specific first.
pub(crate) const DEFAULT_PATTERNS: [&str; 3] =
    ["{name}-v{version}", "{name}-{version}", "v{version}"];

/// A crate's last release tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReleaseTag {
    pub tag: String,
    pub version: semver::Version,
    pub pattern: String,
}

/// Checks a pattern: exactly one `{version}`, nothing else in braces but `{name}`.
pub(crate) fn validate(pattern: &str) -> Result<(), String> {
    let rest = pattern.replace("{name}", "").replace("{version}", "");
    if pattern.matches("{version}").count() != 1 || rest.contains('{') || rest.contains('}') {
        return Err(format!(
            "--tag-pattern `{pattern}`: needs exactly one {{version}} and may use {{name}} (e.g. {{name}}-v{{version}})"
        ));
    }
    Ok(())
}

/// The version `tag` names for crate `name` under `pattern`, if it matches.
pub(crate) fn match_tag(pattern: &str, name: &str, tag: &str) -> Option<semver::Version> {
    let filled = pattern.replace("{name}", name);
    let (prefix, suffix) = filled.split_once("{version}")?;
    let middle = tag.strip_prefix(prefix)?.strip_suffix(suffix)?;
    semver::Version::parse(middle).ok()
}

/// Each crate's last release tag among `tags`; crates no pattern finds are left out.
pub(crate) fn last_releases(
    names: &[&str],
    tags: &[String],
    patterns: &[String],
) -> BTreeMap<String, ReleaseTag> {
    let mut found = BTreeMap::new();
    for name in names {
        for pattern in patterns {
            let best = tags
                .iter()
                .filter_map(|tag| match_tag(pattern, name, tag).map(|v| (v, tag)))
                .max_by(|a, b| a.0.cmp(&b.0));
            if let Some((version, tag)) = best {
                found.insert(
                    (*name).to_owned(),
                    ReleaseTag {
                        tag: tag.clone(),
                        version,
                        pattern: pattern.clone(),
                    },
                );
                break;
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> Vec<String> {
        DEFAULT_PATTERNS.iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn patterns_match_names_and_versions() {
        assert_eq!(
            match_tag("{name}-v{version}", "ignore", "ignore-v0.4.29"),
            Some(semver::Version::new(0, 4, 29))
        );
        assert_eq!(
            match_tag("{name}-{version}", "ignore", "ignore-0.4.29"),
            Some(semver::Version::new(0, 4, 29))
        );
        assert_eq!(
            match_tag("{name}-{version}", "grep", "grep-cli-0.1.0"),
            None
        );
        assert_eq!(
            match_tag("{name}-{version}", "ignore", "ignore-latest"),
            None
        );
        assert_eq!(
            match_tag("v{version}", "any", "v1.2.3-rc.1"),
            Some(semver::Version::parse("1.2.3-rc.1").unwrap())
        );
    }

    #[test]
    fn the_highest_version_of_the_first_matching_pattern_wins() {
        let tags: Vec<String> = ["ignore-0.4.9", "ignore-0.4.29", "v14.0.0", "grep-v0.3.1"]
            .iter()
            .map(|t| t.to_string())
            .collect();
        let found = last_releases(&["ignore", "grep", "rg"], &tags, &defaults());
        assert_eq!(
            found["ignore"].tag, "ignore-0.4.29",
            "by version, not by name"
        );
        assert_eq!(found["grep"].tag, "grep-v0.3.1");
        assert_eq!(
            found["rg"].tag, "v14.0.0",
            "the workspace-wide pattern last"
        );
        assert!(last_releases(&["x"], &[], &defaults()).is_empty());
    }

    #[test]
    fn bad_patterns_are_refused() {
        assert!(validate("{name}-v{version}").is_ok());
        assert!(validate("release").is_err());
        assert!(validate("{version}-{version}").is_err());
        assert!(validate("{crate}-{version}").is_err());
    }
}
