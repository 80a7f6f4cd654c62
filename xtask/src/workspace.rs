//! Where things are in the workspace.

use std::path::{Path, PathBuf};

/// The workspace root (the parent of the `xtask` crate).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Where the generated files live.
pub fn generated_dir() -> PathBuf {
    root().join("realtime-types/src/generated")
}

/// Where the benchmark's generated baseline lives.
pub fn mirror_dir() -> PathBuf {
    root().join("realtime-bench/src/derived")
}

/// The `#[path]` attribute with which `realtime-types/src/lib.rs` declares
/// the generated module in `file` (`ga/mod.rs`), relative to the generated
/// folder.
pub fn generated_module_attribute(file: &str) -> String {
    format!("#[path = \"generated/{file}\"]")
}

/// The generated file a line of `lib.rs` declares, when it is such an attribute.
pub fn declared_generated_file(line: &str) -> Option<&str> {
    line.trim()
        .strip_prefix("#[path = \"generated/")?
        .strip_suffix("\"]")
}

/// Every `.rs` file below `dir`, as paths relative to it (`ga/server.rs`),
/// sorted; none when `dir` does not exist.
pub fn rust_files(dir: &Path) -> Result<Vec<String>, String> {
    let mut names = Vec::new();
    let mut folders = vec![PathBuf::new()];
    while let Some(folder) = folders.pop() {
        let entries = match std::fs::read_dir(dir.join(&folder)) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(format!("cannot list {}: {e}", dir.join(&folder).display())),
        };
        for entry in entries.filter_map(Result::ok) {
            let relative = folder.join(entry.file_name());
            if entry.path().is_dir() {
                folders.push(relative);
            } else if relative.extension().is_some_and(|ext| ext == "rs") {
                names.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    names.sort();
    Ok(names)
}
