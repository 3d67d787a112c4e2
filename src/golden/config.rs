//! The `golden` section of driftgate's configuration (`[workspace.metadata.driftgate.golden]` or
//! `[golden]` in `driftgate.toml`): raw serde types that reject unknown keys, validated once into
//! [`GoldenConfig`]. Errors name the file (exit 2).
//!
//! ```toml
//! [workspace.metadata.driftgate.golden.sigv4]
//! harness = ["cargo", "run", "-q", "-p", "lightningstor", "--example", "sigv4-harness"]
//! timeout-secs = 30            # per response line (default 30)
//! startup-timeout-secs = 600   # first response, e.g. while cargo builds (default 600)
//! determinism = true           # also run the determinism suite on the harness (default true)
//! allow-skipped = ["v4/post-sts-token#query", "*#query"]  # cases whose `unsupported` answers are accepted
//! clock-skew-secs = 900        # the harness verifier's clock-skew window (default 900)
//! s3-path-rule = "decoded"     # or "wire": the S3 canonical-URI rule the harness follows
//! supports = ["sigv4a", "chunked"]  # modes sent to the harness beyond SigV4 sign/verify
//! random-requests = 300        # seeded random requests signed by harness and reference (default 300)
//! random-seed = 42             # fixed seed (default: a fresh one, printed in the report)
//!
//! [[workspace.metadata.driftgate.golden.command]]
//! name = "cli-help"
//! command = ["cargo", "run", "-q", "--", "--help"]
//! expected = "golden/cli-help.txt"
//! ```

use crate::error::{Error, Result};
use crate::sigv4::pinned::S3PathRule;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawGolden {
    sigv4: Option<RawSigv4>,
    #[serde(default)]
    command: Vec<RawCommand>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawSigv4 {
    harness: Option<Vec<String>>,
    timeout_secs: Option<f64>,
    startup_timeout_secs: Option<f64>,
    determinism: Option<bool>,
    #[serde(default)]
    env: BTreeMap<String, String>,
    vectors: Option<String>,
    #[serde(default)]
    allow_skipped: Vec<String>,
    clock_skew_secs: Option<u64>,
    s3_path_rule: Option<S3PathRule>,
    #[serde(default)]
    supports: Vec<Capability>,
    random_requests: Option<usize>,
    random_seed: Option<u64>,
}

/// A protocol mode a harness declares (`supports = ["sigv4a", "chunked"]`); only declared modes
/// are sent to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Capability {
    /// SigV4a (`AWS4-ECDSA-P256-SHA256`) signing and verification.
    Sigv4a,
    /// Streaming uploads (`sign-chunks`: seed, chunk chain, trailer).
    Chunked,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawCommand {
    name: String,
    command: Vec<String>,
    expected: String,
    timeout_secs: Option<f64>,
    #[serde(default)]
    env: BTreeMap<String, String>,
}

/// The SigV4 suite's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Sigv4Config {
    /// The workspace's harness command, if any.
    pub harness: Option<Vec<String>>,
    pub timeout: Duration,
    pub startup_timeout: Duration,
    pub determinism: bool,
    pub env: Vec<(String, String)>,
    /// A vector directory to use instead of the embedded vectors (absolute).
    pub vectors: Option<PathBuf>,
    /// Harness cases whose skipped steps (`unsupported` answers) are accepted: case ids, or
    /// patterns where `*` matches any run of characters. Any other skip fails the case.
    pub allow_skipped: Vec<String>,
    /// The harness verifier's clock-skew window (seconds), sent in every verify line.
    pub clock_skew_secs: u64,
    /// The S3 path rule the harness follows (a pinned choice it may declare otherwise).
    pub s3_path_rule: S3PathRule,
    /// The modes the harness declares beyond SigV4 sign/verify.
    pub supports: Vec<Capability>,
    /// How many seeded random requests the harness signs against the reference.
    pub random_requests: usize,
    /// The seed of those requests (`None`: a fresh one, printed in the report).
    pub random_seed: Option<u64>,
}

impl Sigv4Config {
    /// Whether the harness declared `capability`.
    pub fn supports(&self, capability: Capability) -> bool {
        self.supports.contains(&capability)
    }

    /// The first `allow-skipped` pattern that accepts skips of `case`, if any.
    pub fn skip_allowed_by(&self, case: &str) -> Option<&str> {
        self.allow_skipped
            .iter()
            .map(String::as_str)
            .find(|pattern| glob_match(pattern, case))
    }
}

/// Whether `text` matches `pattern`, where `*` matches any run of characters (also none) and every
/// other character matches itself.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let mut pieces = pattern.split('*');
    let first = pieces.next().unwrap_or_default();
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let pieces: Vec<&str> = pieces.collect();
    let Some((last, middle)) = pieces.split_last() else {
        // No `*`: the whole text must be the pattern.
        return rest.is_empty();
    };
    for piece in middle {
        match rest.find(piece) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

impl Default for Sigv4Config {
    fn default() -> Self {
        Sigv4Config {
            harness: None,
            timeout: Duration::from_secs(30),
            startup_timeout: Duration::from_secs(600),
            determinism: true,
            env: Vec::new(),
            vectors: None,
            allow_skipped: Vec::new(),
            clock_skew_secs: crate::sigv4::verify::DEFAULT_CLOCK_SKEW_SECS,
            s3_path_rule: S3PathRule::Decoded,
            supports: Vec::new(),
            random_requests: 300,
            random_seed: None,
        }
    }
}

/// A generic golden check: run a command, compare its stdout with a file.
#[derive(Debug, Clone, PartialEq)]
pub struct CommandGolden {
    pub name: String,
    pub command: Vec<String>,
    /// Absolute path of the expected-output file.
    pub expected: PathBuf,
    /// `expected` as written in the configuration (for messages).
    pub expected_display: String,
    pub timeout: Duration,
    pub env: Vec<(String, String)>,
}

/// The validated `golden` section.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GoldenConfig {
    pub sigv4: Sigv4Config,
    pub commands: Vec<CommandGolden>,
    /// Where it came from (for messages).
    pub source: PathBuf,
}

fn seconds(
    value: Option<f64>,
    default: Duration,
    key: &str,
) -> std::result::Result<Duration, String> {
    match value {
        None => Ok(default),
        Some(v) if v.is_finite() && v > 0.0 && v <= 86_400.0 => Ok(Duration::from_secs_f64(v)),
        Some(v) => Err(format!(
            "`{key}` must be a number of seconds between 0 and 86400, not {v}"
        )),
    }
}

fn relative_path(root: &Path, text: &str, key: &str) -> std::result::Result<PathBuf, String> {
    let path = Path::new(text);
    if text.is_empty()
        || path.is_absolute()
        || path.components().any(|c| matches!(c, Component::ParentDir))
    {
        return Err(format!(
            "`{key}` must be a relative path inside the workspace, not `{text}`"
        ));
    }
    Ok(root.join(path))
}

impl GoldenConfig {
    /// Validates the raw `golden` value (JSON as cargo metadata gives it, or converted from TOML).
    /// `root` is the workspace root, `source` the file it came from.
    pub fn from_value(
        value: Option<&serde_json::Value>,
        root: &Path,
        source: &Path,
    ) -> Result<GoldenConfig> {
        Self::validate(value, root, source).map_err(|errors| Error::Config {
            path: source.to_owned(),
            message: errors
                .iter()
                .map(|e| format!("golden: {e}"))
                .collect::<Vec<_>>()
                .join("\n"),
        })
    }

    /// Validates the raw `golden` value, collecting every problem (for one report of them all).
    pub fn validate(
        value: Option<&serde_json::Value>,
        root: &Path,
        source: &Path,
    ) -> std::result::Result<GoldenConfig, Vec<String>> {
        let raw: RawGolden = match value {
            None | Some(serde_json::Value::Null) => RawGolden::default(),
            Some(value) => {
                serde_json::from_value(value.clone()).map_err(|e| vec![e.to_string()])?
            }
        };
        let mut errors = Vec::new();
        let mut check = |result: std::result::Result<(), String>| {
            if let Err(e) = result {
                errors.push(e);
            }
        };
        let mut sigv4 = Sigv4Config::default();
        if let Some(raw) = raw.sigv4 {
            if let Some(harness) = &raw.harness {
                if harness.is_empty() || harness[0].trim().is_empty() {
                    check(Err(
                        "`sigv4.harness` must be a non-empty argument array".into()
                    ));
                }
            }
            sigv4.harness = raw.harness;
            match seconds(raw.timeout_secs, sigv4.timeout, "sigv4.timeout-secs") {
                Ok(t) => sigv4.timeout = t,
                Err(e) => check(Err(e)),
            }
            match seconds(
                raw.startup_timeout_secs,
                sigv4.startup_timeout,
                "sigv4.startup-timeout-secs",
            ) {
                Ok(t) => sigv4.startup_timeout = t,
                Err(e) => check(Err(e)),
            }
            sigv4.determinism = raw.determinism.unwrap_or(true);
            sigv4.env = raw.env.into_iter().collect();
            sigv4.vectors = match raw.vectors {
                Some(dir) => match relative_path(root, &dir, "sigv4.vectors") {
                    Ok(path) => Some(path),
                    Err(e) => {
                        check(Err(e));
                        None
                    }
                },
                None => None,
            };
            for pattern in &raw.allow_skipped {
                if pattern.trim().is_empty() || pattern.trim() != pattern {
                    check(Err(format!(
                        "`sigv4.allow-skipped` entries must be case ids or `*` patterns without surrounding spaces, not `{pattern}`"
                    )));
                }
            }
            if let Some(twice) = raw
                .allow_skipped
                .iter()
                .enumerate()
                .find_map(|(i, p)| raw.allow_skipped[..i].contains(p).then_some(p))
            {
                check(Err(format!("`sigv4.allow-skipped` lists `{twice}` twice")));
            }
            if !raw.allow_skipped.is_empty() && sigv4.harness.is_none() {
                check(Err(
                    "`sigv4.allow-skipped` has no effect without `sigv4.harness`".into(),
                ));
            }
            sigv4.allow_skipped = raw.allow_skipped;
            let harness_only = [
                ("clock-skew-secs", raw.clock_skew_secs.is_some()),
                ("s3-path-rule", raw.s3_path_rule.is_some()),
                ("supports", !raw.supports.is_empty()),
                ("random-requests", raw.random_requests.is_some()),
                ("random-seed", raw.random_seed.is_some()),
            ];
            for (key, _) in harness_only
                .iter()
                .filter(|(_, set)| *set && sigv4.harness.is_none())
            {
                check(Err(format!(
                    "`sigv4.{key}` has no effect without `sigv4.harness`"
                )));
            }
            sigv4.clock_skew_secs = raw.clock_skew_secs.unwrap_or(sigv4.clock_skew_secs);
            sigv4.s3_path_rule = raw.s3_path_rule.unwrap_or_default();
            sigv4.supports = raw.supports;
            sigv4.random_requests = raw.random_requests.unwrap_or(sigv4.random_requests);
            sigv4.random_seed = raw.random_seed;
        }
        let mut commands = Vec::new();
        for raw in raw.command {
            if raw.name.trim().is_empty() {
                check(Err("every `command` needs a non-empty `name`".into()));
            }
            if commands.iter().any(|c: &CommandGolden| c.name == raw.name) {
                check(Err(format!("two commands are named `{}`", raw.name)));
            }
            if raw.command.is_empty() || raw.command[0].trim().is_empty() {
                check(Err(format!(
                    "command `{}`: `command` must be a non-empty argument array",
                    raw.name
                )));
            }
            let expected = relative_path(root, &raw.expected, "command.expected");
            let timeout = seconds(
                raw.timeout_secs,
                Duration::from_secs(300),
                "command.timeout-secs",
            );
            let (expected, timeout) = match (expected, timeout) {
                (Ok(expected), Ok(timeout)) => (expected, timeout),
                (expected, timeout) => {
                    check(expected.map(drop));
                    check(timeout.map(drop));
                    continue;
                }
            };
            commands.push(CommandGolden {
                expected,
                expected_display: raw.expected,
                timeout,
                env: raw.env.into_iter().collect(),
                name: raw.name,
                command: raw.command,
            });
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(GoldenConfig {
            sigv4,
            commands,
            source: source.to_owned(),
        })
    }
}

impl GoldenConfig {
    /// The effective settings as configuration values (defaults filled in, paths as written),
    /// shaped so that [`GoldenConfig::validate`] reads them back to the same settings.
    pub fn effective(&self, root: &Path) -> serde_json::Value {
        use serde_json::json;
        let env = |pairs: &[(String, String)]| -> serde_json::Map<String, serde_json::Value> {
            pairs.iter().map(|(k, v)| (k.clone(), json!(v))).collect()
        };
        let sigv4 = &self.sigv4;
        let mut table = json!({
            "timeout-secs": sigv4.timeout.as_secs_f64(),
            "startup-timeout-secs": sigv4.startup_timeout.as_secs_f64(),
            "determinism": sigv4.determinism,
            "env": env(&sigv4.env),
        });
        if let Some(dir) = &sigv4.vectors {
            let rel = dir.strip_prefix(root).unwrap_or(dir);
            table["vectors"] = json!(rel.to_string_lossy().replace('\\', "/"));
        }
        if let Some(harness) = &sigv4.harness {
            table["harness"] = json!(harness);
            table["allow-skipped"] = json!(sigv4.allow_skipped);
            table["clock-skew-secs"] = json!(sigv4.clock_skew_secs);
            table["s3-path-rule"] = json!(sigv4.s3_path_rule.name());
            let supports: Vec<&str> = sigv4
                .supports
                .iter()
                .map(|c| match c {
                    Capability::Sigv4a => "sigv4a",
                    Capability::Chunked => "chunked",
                })
                .collect();
            table["supports"] = json!(supports);
            table["random-requests"] = json!(sigv4.random_requests);
            if let Some(seed) = sigv4.random_seed {
                table["random-seed"] = json!(seed);
            }
        }
        let commands: Vec<serde_json::Value> = self
            .commands
            .iter()
            .map(|c| {
                json!({
                    "name": c.name,
                    "command": c.command,
                    "expected": c.expected_display,
                    "timeout-secs": c.timeout.as_secs_f64(),
                    "env": env(&c.env),
                })
            })
            .collect();
        json!({ "sigv4": table, "command": commands })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(value: serde_json::Value) -> Result<GoldenConfig> {
        GoldenConfig::from_value(Some(&value), Path::new("/ws"), Path::new("/ws/Cargo.toml"))
    }

    #[test]
    fn defaults_without_a_section() {
        let config =
            GoldenConfig::from_value(None, Path::new("/ws"), Path::new("/ws/Cargo.toml")).unwrap();
        assert_eq!(config.sigv4, Sigv4Config::default());
        assert!(config.commands.is_empty());
    }

    #[test]
    fn reads_harness_and_commands() {
        let config = parse(json!({
            "sigv4": {"harness": ["cargo", "run"], "timeout-secs": 0.5, "determinism": false},
            "command": [{"name": "help", "command": ["x", "--help"], "expected": "golden/help.txt"}]
        }))
        .unwrap();
        assert_eq!(
            config.sigv4.harness,
            Some(vec!["cargo".to_owned(), "run".to_owned()])
        );
        assert_eq!(config.sigv4.timeout, Duration::from_millis(500));
        assert!(!config.sigv4.determinism);
        assert_eq!(
            config.commands[0].expected,
            Path::new("/ws/golden/help.txt")
        );
    }

    #[test]
    fn rejects_unknown_keys_and_bad_values_naming_the_file() {
        for bad in [
            json!({"sigv4": {"harnes": ["x"]}}),
            json!({"sigv4": {"harness": "cargo run"}}),
            json!({"sigv4": {"harness": []}}),
            json!({"sigv4": {"timeout-secs": -1}}),
            json!({"command": [{"name": "a", "command": ["x"], "expected": "../out"}]}),
            json!({"command": [{"name": "a", "command": ["x"], "expected": "a"}, {"name": "a", "command": ["y"], "expected": "b"}]}),
            json!({"unknown": 1}),
            json!({"sigv4": {"harness": ["x"], "allow-skipped": "v4/get-vanilla#query"}}),
            json!({"sigv4": {"harness": ["x"], "allow-skipped": [""]}}),
            json!({"sigv4": {"harness": ["x"], "allow-skipped": [" a"]}}),
            json!({"sigv4": {"harness": ["x"], "allow-skipped": ["a", "a"]}}),
            json!({"sigv4": {"allow-skipped": ["a"]}}),
            json!({"sigv4": {"harness": ["x"], "allow-skiped": ["a"]}}),
        ] {
            let err = parse(bad.clone()).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{bad}");
            assert!(err.to_string().contains("/ws/Cargo.toml"), "{err}");
        }
    }

    #[test]
    fn allow_skipped_reads_ids_and_patterns() {
        let config = parse(json!({
            "sigv4": {"harness": ["x"], "allow-skipped": ["v4/get-vanilla#header", "*#query"]}
        }))
        .unwrap();
        let sigv4 = &config.sigv4;
        assert_eq!(
            sigv4.skip_allowed_by("v4/get-vanilla#header"),
            Some("v4/get-vanilla#header")
        );
        assert_eq!(sigv4.skip_allowed_by("v4/get-utf8#query"), Some("*#query"));
        assert_eq!(sigv4.skip_allowed_by("v4/get-utf8#header"), None);
        assert_eq!(Sigv4Config::default().skip_allowed_by("a"), None);
        let err = parse(json!({"sigv4": {"allow-skipped": ["a"]}})).unwrap_err();
        assert!(
            err.to_string()
                .contains("`sigv4.allow-skipped` has no effect without `sigv4.harness`"),
            "{err}"
        );
    }

    #[test]
    fn reads_the_protocol_v2_settings() {
        let config = parse(json!({
            "sigv4": {"harness": ["x"], "clock-skew-secs": 300, "s3-path-rule": "wire",
                      "supports": ["sigv4a", "chunked"], "random-requests": 20, "random-seed": 7}
        }))
        .unwrap();
        let sigv4 = &config.sigv4;
        assert_eq!(sigv4.clock_skew_secs, 300);
        assert_eq!(sigv4.s3_path_rule, S3PathRule::Wire);
        assert!(sigv4.supports(Capability::Sigv4a) && sigv4.supports(Capability::Chunked));
        assert_eq!((sigv4.random_requests, sigv4.random_seed), (20, Some(7)));
        for bad in [
            json!({"sigv4": {"harness": ["x"], "s3-path-rule": "raw"}}),
            json!({"sigv4": {"harness": ["x"], "supports": ["sigv5"]}}),
            json!({"sigv4": {"clock-skew-secs": 60}}),
        ] {
            assert!(parse(bad.clone()).is_err(), "{bad}");
        }
    }

    #[test]
    fn glob_patterns() {
        for (pattern, text, want) in [
            ("a", "a", true),
            ("a", "ab", false),
            ("*", "", true),
            ("*", "anything", true),
            ("*#query", "v4/x#query", true),
            ("*#query", "v4/x#header", false),
            ("v4/*", "v4/x#query", true),
            ("v4/*", "v4a/x#query", false),
            (
                "*chunked*",
                "aws-docs-examples/s3-chunked-upload-put-object#header",
                true,
            ),
            ("a*b*c", "a-b-c", true),
            ("a*b*c", "a-c-b", false),
            ("ab*ba", "aba", false),
        ] {
            assert_eq!(glob_match(pattern, text), want, "{pattern} ~ {text}");
        }
    }
}
