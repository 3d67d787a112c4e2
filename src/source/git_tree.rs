//! The git side of a [`super::SourceTree`] ([`GitTree`]): the path → blob map of a commit or the
//! index, symlinks followed inside the tree, submodules opened from their own repository, and blobs
//! read through `git cat-file --batch` (preloaded in bulk for sources and manifests).

use super::git::{parse_ls_tree, Entry, Listing, Repo};
use super::{normalize_rel, same_dir, Submodule};
use crate::error::{Error, Result};
use crate::process::Session;
use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Write};
use std::process::ChildStdout;
use std::sync::{Mutex, OnceLock};

/// A gitlink of a [`GitTree`]: the commit, and the submodule's tree at it once opened (or why it
/// cannot be).
struct Gitlink {
    commit: String,
    tree: OnceLock<std::result::Result<Box<GitTree>, String>>,
}

impl Gitlink {
    /// The submodule's tree at the recorded commit, read from the repository checked out at
    /// `path` (relative to the workspace root of `outer`).
    fn open(&self, outer: &Repo, path: &str) -> std::result::Result<&GitTree, &String> {
        self.tree
            .get_or_init(|| open_gitlink(outer, path, &self.commit).map(Box::new))
            .as_ref()
            .map(|tree| &**tree)
    }
}

fn open_gitlink(outer: &Repo, path: &str, commit: &str) -> std::result::Result<GitTree, String> {
    let short = commit.get(..7).unwrap_or(commit);
    let dir = outer.top.join(&outer.prefix).join(path);
    let not_there = || {
        format!(
            "its repository is not checked out at {} (run `git submodule update --init` there)",
            dir.display()
        )
    };
    let repo = match Repo::discover(&dir) {
        Ok(repo) if same_dir(&repo.top, &dir) => Repo {
            top: repo.top,
            prefix: String::new(),
        },
        _ => return Err(not_there()),
    };
    let present = repo
        .git()
        .args(["cat-file", "-e", &format!("{commit}^{{commit}}")])
        .run()
        .is_ok_and(|out| out.status.success());
    if !present {
        return Err(format!(
            "commit {short} is not in its repository at {} (fetch it there, e.g. `git submodule \
             update --init`)",
            dir.display()
        ));
    }
    let listing = repo
        .git()
        .args(["ls-tree", "-r", "-z", "--full-tree", commit])
        .run_ok()
        .map_err(|e| format!("cannot list commit {short}: {e}"))?
        .stdout;
    let listing = parse_ls_tree(&listing, "").map_err(|e| e.to_string())?;
    Ok(GitTree::new(repo, listing))
}

/// The git side of a [`SourceTree`]: path → blob map plus the two ways of reading blobs.
pub(super) struct GitTree {
    pub(super) repo: Repo,
    /// Keyed by path relative to the workspace root.
    entries: HashMap<String, Entry>,
    /// Submodules below the workspace root, keyed by path relative to it.
    gitlinks: BTreeMap<String, Gitlink>,
    /// Contents of the preloaded blobs (sources, manifests, lock files, symlinks) by blob id.
    preloaded: OnceLock<HashMap<String, Vec<u8>>>,
    preload_lock: Mutex<()>,
    /// When set before the first read: only blobs below these directories are preloaded (the
    /// others are read one by one on demand).
    preload_scope: OnceLock<Vec<String>>,
    /// The long-lived `git cat-file --batch` for everything else, started on first use.
    batch: Mutex<Option<Batch>>,
}

impl std::fmt::Debug for GitTree {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitTree")
            .field("top", &self.repo.top)
            .field("prefix", &self.repo.prefix)
            .field("entries", &self.entries.len())
            .field("gitlinks", &self.gitlinks.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

const MAX_SYMLINK_HOPS: usize = 16;

impl GitTree {
    pub(super) fn new(repo: Repo, listing: Listing) -> GitTree {
        GitTree {
            repo,
            entries: listing.entries,
            gitlinks: listing
                .gitlinks
                .into_iter()
                .map(|(path, commit)| {
                    let link = Gitlink {
                        commit,
                        tree: OnceLock::new(),
                    };
                    (path, link)
                })
                .collect(),
            preloaded: OnceLock::new(),
            preload_lock: Mutex::new(()),
            preload_scope: OnceLock::new(),
            batch: Mutex::new(None),
        }
    }

    /// The path and entry of the blob `path` ends at, following symlinks inside the tree.
    fn resolve(&self, path: &str) -> Option<(String, &Entry)> {
        let mut path = path.to_owned();
        for _ in 0..MAX_SYMLINK_HOPS {
            let entry = self.entries.get(&path)?;
            if !entry.symlink {
                return Some((path, entry));
            }
            let target = self.blob(&path, entry).ok()?;
            let target = std::str::from_utf8(&target).ok()?;
            let dir = path.rsplit_once('/').map_or("", |(dir, _)| dir);
            path = normalize_rel(&format!("{dir}/{target}"))?;
        }
        None
    }

    /// The gitlink `path` lies below: its path, the link, and `path` inside the submodule.
    fn gitlink_of<'p>(&self, path: &'p str) -> Option<(String, &Gitlink, &'p str)> {
        self.gitlinks.iter().find_map(|(link, gitlink)| {
            let rest = path.strip_prefix(link.as_str())?.strip_prefix('/')?;
            Some((link.clone(), gitlink, rest))
        })
    }

    pub(super) fn read(&self, path: &str) -> Result<Option<Vec<u8>>> {
        if let Some((link, gitlink, rest)) = self.gitlink_of(path) {
            return match gitlink.open(&self.repo, &link) {
                Ok(tree) => tree.read(rest),
                Err(reason) => Err(Error::Other(format!(
                    "cannot read {path}: it is in submodule `{link}`, and {reason}"
                ))),
            };
        }
        match self.resolve(path) {
            Some((path, entry)) => self.blob(&path, entry).map(Some),
            None => Ok(None),
        }
    }

    pub(super) fn exists(&self, path: &str) -> bool {
        if let Some((link, gitlink, rest)) = self.gitlink_of(path) {
            return gitlink
                .open(&self.repo, &link)
                .is_ok_and(|tree| tree.exists(rest));
        }
        self.resolve(path).is_some()
    }

    /// The innermost submodule `path` lies in (see [`SourceTree::submodule_at`]).
    pub(super) fn submodule_at(&self, path: &str) -> Option<Submodule> {
        let (link, gitlink, rest) = self.gitlink_of(path)?;
        let outer = |unreadable: Option<String>| Submodule {
            path: link.clone(),
            commit: gitlink.commit.clone(),
            unreadable,
        };
        Some(match gitlink.open(&self.repo, &link) {
            Err(reason) => outer(Some(reason.clone())),
            Ok(tree) => match tree.submodule_at(rest) {
                Some(mut nested) => {
                    nested.path = format!("{link}/{}", nested.path);
                    nested
                }
                None => outer(None),
            },
        })
    }

    /// Limits the bulk preload to blobs below `dirs` (`""` is everything); no effect once it ran.
    pub(super) fn preload_only_under(&self, dirs: Vec<String>) {
        let _ = self.preload_scope.set(dirs);
    }

    /// Every blob and gitlink of the listing (not those inside submodules): path, object id (the
    /// commit for a gitlink) and kind, sorted by path.
    pub(super) fn listed_objects(&self) -> Vec<(&str, &str, super::ObjectKind)> {
        use super::ObjectKind;
        let blobs = self.entries.iter().map(|(path, entry)| {
            let kind = if entry.symlink {
                ObjectKind::Symlink
            } else {
                ObjectKind::File
            };
            (path.as_str(), entry.oid.as_str(), kind)
        });
        let links = self
            .gitlinks
            .iter()
            .map(|(path, link)| (path.as_str(), link.commit.as_str(), ObjectKind::Gitlink));
        let mut objects: Vec<_> = blobs.chain(links).collect();
        objects.sort_unstable();
        objects
    }

    /// Every file, including those of readable submodules (unsorted).
    pub(super) fn files(&self) -> Vec<String> {
        let mut files: Vec<String> = self.entries.keys().cloned().collect();
        for (link, gitlink) in &self.gitlinks {
            if let Ok(tree) = gitlink.open(&self.repo, link) {
                files.extend(tree.files().into_iter().map(|f| format!("{link}/{f}")));
            }
        }
        files
    }

    fn blob(&self, path: &str, entry: &Entry) -> Result<Vec<u8>> {
        if entry.symlink || is_preloaded_kind(path) {
            if let Some(bytes) = self.preloaded()?.get(&entry.oid) {
                return Ok(bytes.clone());
            }
        }
        let mut guard = self
            .batch
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if guard.is_none() {
            *guard = Some(Batch::start(&self.repo)?);
        }
        let result = guard.as_mut().map(|batch| batch.read(&entry.oid));
        match result {
            Some(Ok(Some(bytes))) => Ok(bytes),
            Some(Ok(None)) => Err(missing_object(&entry.oid, path)),
            Some(Err(e)) => {
                // The protocol may be out of step: start afresh next time.
                *guard = None;
                Err(Error::io(
                    "cannot read git object through `git cat-file --batch` for",
                    path,
                    e,
                ))
            }
            None => Err(Error::Other(
                "git cat-file --batch is not running".to_owned(),
            )),
        }
    }

    fn preloaded(&self) -> Result<&HashMap<String, Vec<u8>>> {
        if let Some(map) = self.preloaded.get() {
            return Ok(map);
        }
        let _guard = self
            .preload_lock
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(map) = self.preloaded.get() {
            return Ok(map);
        }
        let map = self.load_preloadable()?;
        Ok(self.preloaded.get_or_init(|| map))
    }

    /// Every source, manifest, lock file and symlink, through `git cat-file --batch --buffer`: one
    /// process per core (at least [`PRELOAD_CHUNK`] blobs each), run in parallel: inflating objects is
    /// the bottleneck, and it is git's.
    fn load_preloadable(&self) -> Result<HashMap<String, Vec<u8>>> {
        let mut oids: Vec<&str> = self
            .entries
            .iter()
            .filter(|(path, entry)| entry.symlink || is_preloaded_kind(path))
            .filter(|(path, _)| {
                self.preload_scope.get().is_none_or(|dirs| {
                    dirs.iter().any(|dir| {
                        dir.is_empty()
                            || path
                                .strip_prefix(dir.as_str())
                                .is_some_and(|rest| rest.starts_with('/'))
                    })
                })
            })
            .map(|(_, entry)| entry.oid.as_str())
            .collect();
        oids.sort_unstable();
        oids.dedup();
        // Plain threads, not rayon: the callers are often rayon workers blocked on the preload lock,
        // so rayon jobs spawned here would not be stolen.
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let chunk = oids.len().div_ceil(cores).max(PRELOAD_CHUNK);
        let maps: Vec<Result<HashMap<String, Vec<u8>>>> = std::thread::scope(|scope| {
            let handles: Vec<_> = oids
                .chunks(chunk)
                .map(|oids| scope.spawn(move || self.cat_file_bulk(oids)))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(Error::Other("reading git objects panicked".to_owned()))
                    })
                })
                .collect()
        });
        let mut all = HashMap::with_capacity(oids.len());
        for map in maps {
            all.extend(map?);
        }
        Ok(all)
    }

    fn cat_file_bulk(&self, oids: &[&str]) -> Result<HashMap<String, Vec<u8>>> {
        let mut input = Vec::with_capacity(oids.len() * 41);
        for oid in oids {
            input.extend_from_slice(oid.as_bytes());
            input.push(b'\n');
        }
        let stdout = self
            .repo
            .git()
            .args(["cat-file", "--batch", "--buffer"])
            .stdin(input)
            .run_ok()?
            .stdout;
        let mut reader = std::io::Cursor::new(stdout);
        let mut map = HashMap::with_capacity(oids.len());
        let parse_error = |e| {
            Error::io(
                "cannot parse `git cat-file --batch` output in",
                &self.repo.top,
                e,
            )
        };
        while let Some((oid, contents)) = read_batch_record(&mut reader).map_err(parse_error)? {
            match contents {
                Some(bytes) => {
                    map.insert(oid, bytes);
                }
                None => return Err(missing_object(&oid, "a preloaded file")),
            }
        }
        Ok(map)
    }
}

/// The smallest number of blobs worth a `git cat-file` process of its own.
const PRELOAD_CHUNK: usize = 256;

fn missing_object(oid: &str, path: &str) -> Error {
    Error::Other(format!(
        "git object {oid} of {path} is missing from the repository"
    ))
}

/// Files read in bulk when a git tree is first read: what crate walks and manifest reads need.
fn is_preloaded_kind(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.ends_with(".rs") || name == "Cargo.toml" || name == "Cargo.lock"
}

/// A running `git cat-file --batch`.
struct Batch {
    session: Session,
    stdout: BufReader<ChildStdout>,
}

impl Batch {
    fn start(repo: &Repo) -> Result<Batch> {
        let mut session = repo.git().args(["cat-file", "--batch"]).spawn_session()?;
        let stdout = session
            .take_stdout()
            .ok_or_else(|| Error::Other("`git cat-file --batch` has no stdout".to_owned()))?;
        Ok(Batch {
            session,
            stdout: BufReader::new(stdout),
        })
    }

    fn read(&mut self, oid: &str) -> std::io::Result<Option<Vec<u8>>> {
        let stdin = self
            .session
            .stdin()
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "stdin closed"))?;
        stdin.write_all(format!("{oid}\n").as_bytes())?;
        stdin.flush()?;
        match read_batch_record(&mut self.stdout)? {
            Some((got, contents)) if got == oid => Ok(contents),
            Some((got, _)) => Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("asked for {oid}, got {got}"),
            )),
            None => Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "git cat-file --batch exited",
            )),
        }
    }
}

/// One record of `git cat-file --batch` output: `<oid> <type> <size>\n<contents>\n`, or
/// `<name> missing\n` (contents `None`). `Ok(None)` at the end of the stream.
fn read_batch_record(
    reader: &mut impl BufRead,
) -> std::io::Result<Option<(String, Option<Vec<u8>>)>> {
    let invalid = |what: String| std::io::Error::new(std::io::ErrorKind::InvalidData, what);
    let mut header = Vec::new();
    if reader.read_until(b'\n', &mut header)? == 0 {
        return Ok(None);
    }
    let header = String::from_utf8_lossy(&header);
    let fields: Vec<&str> = header.trim_end_matches('\n').split(' ').collect();
    match fields.as_slice() {
        [oid, "missing"] | [oid, "ambiguous"] => Ok(Some((oid.to_string(), None))),
        [oid, _kind, size] => {
            let size: usize = size
                .parse()
                .map_err(|_| invalid(format!("bad size in header `{}`", header.trim_end())))?;
            let mut contents = vec![0; size];
            reader.read_exact(&mut contents)?;
            let mut newline = [0u8; 1];
            reader.read_exact(&mut newline)?;
            if newline != *b"\n" {
                return Err(invalid(format!("no newline after the contents of {oid}")));
            }
            Ok(Some((oid.to_string(), Some(contents))))
        }
        _ => Err(invalid(format!(
            "unexpected header `{}`",
            header.trim_end()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_records() {
        let mut input =
            std::io::Cursor::new(b"abc blob 3\nxyz\ndef missing\nghi blob 0\n\n".to_vec());
        assert_eq!(
            read_batch_record(&mut input).unwrap(),
            Some(("abc".into(), Some(b"xyz".to_vec())))
        );
        assert_eq!(
            read_batch_record(&mut input).unwrap(),
            Some(("def".into(), None))
        );
        assert_eq!(
            read_batch_record(&mut input).unwrap(),
            Some(("ghi".into(), Some(vec![])))
        );
        assert_eq!(read_batch_record(&mut input).unwrap(), None);
        let mut truncated = std::io::Cursor::new(b"abc blob 10\nxyz".to_vec());
        assert!(read_batch_record(&mut truncated).is_err());
    }
}
