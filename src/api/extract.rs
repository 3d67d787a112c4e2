//! Workspace-level extraction: the public API of every selected member, read from one
//! [`SourceTree`] (working tree, git revision or index), crates in parallel, through the cache
//! ([`super::cache`], a plain key/value store): for the syn engine the key is computed here (the
//! crate's `.rs` files and manifest); the rustdoc engine computes its own
//! ([`super::rustdoc::rustdoc_key`]).

use super::cache::{
    dir_for, mark_ignored, rust_files_under, unwritable_cache, Cache, Entry, KeyBuilder, Lookup,
};
use super::model::{ApiSnapshot, CrateApi};
use super::syn_engine::{self, CrateInput};
use crate::source::SourceTree;
use crate::workspace::Member;
use rayon::prelude::*;

/// The engine input for a member; `None` for members without a library (nothing public to snapshot).
pub(crate) fn crate_input(member: &Member) -> Option<CrateInput> {
    let lib = member.lib.as_ref()?;
    let manifest_file = member.manifest_rel_path();
    Some(CrateInput {
        package: member.name.clone(),
        crate_name: lib.crate_name.clone(),
        root_file: lib.src_path.clone(),
        manifest_file,
        proc_macro: lib.proc_macro,
        extern_renames: extern_renames(member),
    })
}

/// The member's renamed workspace dependencies: (the name its code writes, the crate's name).
pub(crate) fn extern_renames(member: &Member) -> Vec<(String, String)> {
    member
        .deps
        .iter()
        .map(|d| (d.extern_name.clone(), d.package.replace('-', "_")))
        .filter(|(written, krate)| written != krate)
        .collect()
}

/// Which engine reads the API, with its options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineChoice {
    Syn,
    Rustdoc(super::rustdoc::RustdocOptions),
    /// Per crate, syn where it sees everything, rustdoc on both sides where it does not: a choice
    /// that needs both sides ([`super::auto::extract_sides`]); one tree alone is read with syn.
    Auto(super::rustdoc::RustdocOptions),
}

/// How [`extract_members_with`] runs.
#[derive(Debug, Clone)]
pub struct ExtractOptions {
    pub engine: EngineChoice,
    /// Use the content-addressed cache under `<target>/driftgate/cache` (`--no-cache` turns it off).
    pub use_cache: bool,
    pub progress: super::rustdoc::ProgressMode,
}

/// A snapshot plus what the user must hear about how it was made.
#[derive(Debug, Default)]
pub struct Extracted {
    pub snapshot: ApiSnapshot,
    /// E.g. a rustdoc format mismatch that made a crate fall back to the syn engine.
    pub warnings: Vec<String>,
    /// Members the rustdoc engine could not document, read by the syn engine instead.
    pub fallback: Vec<String>,
    pub cache_hits: usize,
    pub cache_misses: usize,
}

/// The one entry point for both engines: extracts every selected member's API from `source`,
/// through the cache. The rustdoc engine falls back to the syn engine (with a warning) for crates
/// it cannot document, unless its options forbid it.
pub(crate) fn extract_members_with(
    options: &ExtractOptions,
    workspace: &crate::workspace::Workspace,
    members: &[&Member],
    source: &SourceTree,
    err: &mut dyn std::io::Write,
) -> crate::Result<Extracted> {
    let cache = Cache::new(dir_for(&workspace.target_dir), options.use_cache);
    if options.use_cache || options.engine != EngineChoice::Syn {
        mark_ignored(&workspace.target_dir.join("driftgate")).map_err(unwritable_cache)?;
    }
    let mut extracted = Extracted::default();
    let syn_members: Vec<&Member> = match &options.engine {
        EngineChoice::Syn | EngineChoice::Auto(_) => members.to_vec(),
        EngineChoice::Rustdoc(rustdoc) => {
            let outcome = super::rustdoc::extract_workspace(
                workspace,
                members,
                source,
                &cache,
                rustdoc,
                options.progress,
                err,
            )?;
            extracted.warnings = outcome.warnings;
            extracted.fallback = outcome.fallback.clone();
            extracted.cache_hits = outcome.cache_hits;
            extracted.cache_misses = outcome.cache_misses;
            for api in outcome.crates {
                extracted.snapshot.crates.insert(api.package.clone(), api);
            }
            let fallback: Vec<&Member> = members
                .iter()
                .filter(|m| outcome.fallback.contains(&m.name))
                .copied()
                .collect();
            extracted.fallback = outcome.fallback;
            fallback
        }
    };
    if !syn_members.is_empty() {
        let (snapshot, hits, misses) = extract_syn_cached(&syn_members, source, &cache)?;
        extracted.cache_hits += hits;
        extracted.cache_misses += misses;
        extracted.snapshot.crates.extend(snapshot.crates);
    }
    Ok(extracted)
}

/// The parts of a syn cache key that come from the crate's input, its renamed dependencies
/// included (a path written `x::..` is printed with the crate `x` stands for). Pure.
fn syn_key_start(input: &CrateInput) -> KeyBuilder {
    let mut key = KeyBuilder::new("syn");
    key.part("package", input.package.as_bytes());
    key.part("crate", input.crate_name.as_bytes());
    key.part("root", input.root_file.as_bytes());
    key.part("proc-macro", if input.proc_macro { b"1" } else { b"0" });
    for (written, krate) in &input.extern_renames {
        key.part("rename", format!("{written}={krate}").as_bytes());
    }
    key
}

/// The syn engine through the cache: keys from each crate's `.rs` files and manifest, hits
/// returned as stored, misses extracted in parallel and stored. Returns the snapshot, hits, misses.
fn extract_syn_cached(
    members: &[&Member],
    source: &SourceTree,
    cache: &Cache,
) -> crate::Result<(ApiSnapshot, usize, usize)> {
    let inputs: Vec<(&Member, CrateInput)> = members
        .iter()
        .filter_map(|m| Some((*m, crate_input(m)?)))
        .filter(|(_, input)| source.present(&input.root_file))
        .collect();
    let files = if cache.enabled() {
        source.files()?
    } else {
        Vec::new()
    };
    let read = |path: &str| {
        source
            .read(path)
            .map_err(|e| std::io::Error::other(e.to_string()))
    };
    let results: Vec<crate::Result<(CrateApi, bool)>> = inputs
        .par_iter()
        .map(|(member, input)| {
            if !cache.enabled() {
                return Ok((syn_engine::extract(input, &read), false));
            }
            let mut key = syn_key_start(input);
            key.file(
                &input.manifest_file,
                source.read(&input.manifest_file)?.as_deref(),
            );
            // A `#[path]` module may be any file, and a crate root may sit outside the crate's
            // directory: the key cannot cover what such a crate reads, so it is never cached.
            let mut keyable = super::unchanged::within(&input.root_file, &member.rel_dir);
            let keyed = rust_files_under(&files, &member.rel_dir);
            for path in &keyed {
                let text = source.read(path)?;
                keyable &= text
                    .as_deref()
                    .is_some_and(|t| !super::unchanged::has_path_attribute(t));
                key.file(path, text.as_deref());
            }
            if !keyable {
                return Ok((syn_engine::extract(input, &read), false));
            }
            let key = key.finish();
            if let Lookup::Hit(entry) = cache.get("syn", &key) {
                return Ok((entry.into_api(&[]), true));
            }
            // Stored only when every file the engine found is one the key covers: a module file
            // git ignores is read (`files()` does not list it), and its edits would not change
            // the key.
            let found = std::sync::Mutex::new(Vec::new());
            let recording = |path: &str| {
                let bytes = read(path)?;
                if bytes.is_some() {
                    found
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(path.to_owned());
                }
                Ok(bytes)
            };
            let api = syn_engine::extract(input, &recording);
            let found = found.into_inner().unwrap_or_else(|e| e.into_inner());
            let covered = |f: &String| *f == input.manifest_file || keyed.contains(&f.as_str());
            if !found.iter().all(covered) {
                return Ok((api, false));
            }
            let entry = Entry::new(&key, "syn", &api);
            if problems_follow_from_content(&api) {
                cache.put_settled(&entry)?;
            } else {
                cache.put(&entry)?;
            }
            Ok((api, false))
        })
        .collect();
    let mut snapshot = ApiSnapshot::default();
    let (mut hits, mut misses) = (0, 0);
    for result in results {
        let (api, hit) = result?;
        if hit {
            hits += 1;
        } else {
            misses += 1;
        }
        snapshot.crates.insert(api.package.clone(), api);
    }
    Ok((snapshot, hits, misses))
}

/// The syn engine's problems that the keyed content alone decides (a file that does not parse, a
/// manifest that is not TOML, a module cycle or limit): a re-run on the same key finds them again,
/// so the crate may be cached with them. An unreadable or missing file is never settled (a module
/// file may sit outside the crate directory the key covers).
fn problems_follow_from_content(api: &CrateApi) -> bool {
    const SETTLED: &[&str] = &[
        "syntax-error",
        "invalid-manifest",
        "module-cycle",
        "module-limit",
    ];
    api.problems
        .iter()
        .all(|p| SETTLED.contains(&p.code.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::model::ExtractProblem;

    fn with_problem(code: &str) -> CrateApi {
        let mut api = CrateApi::from_lines("a", "a", ["pub fn a::f()"]);
        api.problems.push(ExtractProblem {
            code: code.to_owned(),
            file: "a/src/lib.rs".to_owned(),
            line: None,
            message: String::new(),
        });
        api
    }

    #[test]
    fn only_problems_the_content_decides_are_settled() {
        assert!(problems_follow_from_content(&CrateApi::from_lines(
            "a",
            "a",
            ["pub fn a::f()"]
        )));
        assert!(problems_follow_from_content(&with_problem("syntax-error")));
        assert!(problems_follow_from_content(&with_problem(
            "invalid-manifest"
        )));
        for passing in ["unreadable-source", "missing-module-file", "rustdoc-failed"] {
            assert!(
                !problems_follow_from_content(&with_problem(passing)),
                "{passing}"
            );
        }
    }

    #[test]
    fn the_syn_key_follows_the_renamed_dependencies() {
        let input = |renames: &[(&str, &str)]| CrateInput {
            package: "a".to_owned(),
            crate_name: "a".to_owned(),
            root_file: "a/src/lib.rs".to_owned(),
            manifest_file: "a/Cargo.toml".to_owned(),
            proc_macro: false,
            extern_renames: renames
                .iter()
                .map(|(w, k)| ((*w).to_owned(), (*k).to_owned()))
                .collect(),
        };
        let key = |renames: &[(&str, &str)]| syn_key_start(&input(renames)).finish();
        assert_eq!(key(&[("x", "b")]), key(&[("x", "b")]));
        assert_ne!(key(&[("x", "b")]), key(&[("x", "c")]));
        assert_ne!(key(&[]), key(&[("x", "b")]));
    }
}
