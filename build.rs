//! Build script: embeds the SigV4 golden vectors (`fixtures/sigv4/`) into the binary as a table of
//! `(relative path, bytes)`, so an installed `cargo-driftgate` runs the suite without a source tree.
//! The suite checks `MANIFEST.sha256` against these bytes at run time, so an edited vector is caught.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            collect(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

#[allow(clippy::disallowed_macros)] // `println!` is how a build script talks to cargo.
fn main() -> std::io::Result<()> {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let root = manifest_dir.join("fixtures").join("sigv4");
    println!("cargo:rerun-if-changed=fixtures/sigv4");
    let mut files = Vec::new();
    if root.is_dir() {
        collect(&root, &mut files)?;
    }
    let mut table = String::from(
        "/// The embedded SigV4 vector files: (path relative to the suite root, bytes).\n",
    );
    table.push_str("pub(super) static FILES: &[(&str, &[u8])] = &[\n");
    for path in &files {
        let Ok(relative) = path.strip_prefix(&root) else {
            continue;
        };
        let relative: Vec<String> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        // Relative to the manifest directory at compile time: the generated file stays right when
        // the same target directory serves another checkout (cargo does not rerun this script
        // for a path package that moved).
        let _ = writeln!(
            table,
            "    ({:?}, include_bytes!(concat!(env!(\"CARGO_MANIFEST_DIR\"), {:?}))),",
            relative.join("/"),
            format!("/fixtures/sigv4/{}", relative.join("/"))
        );
    }
    table.push_str("];\n");
    let out =
        PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()).join("sigv4_vectors.rs");
    std::fs::write(out, table)
}
