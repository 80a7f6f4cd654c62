//! Where things are in the workspace.

use std::path::{Path, PathBuf};

/// The workspace root (the parent of the `xtask` crate).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Where the generated files of the workspace at `root` live.
pub fn generated_dir(root: &Path) -> PathBuf {
    root.join("realtime-types/src/generated")
}

/// Where the benchmark's generated baseline of the workspace at `root` lives.
pub fn mirror_dir(root: &Path) -> PathBuf {
    root.join("realtime-bench/src/derived")
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

/// The version of `realtime-types` (its manifest's `version`), where the
/// change report's version bump starts.
pub fn types_crate_version(root: &Path) -> Result<String, String> {
    let path = root.join("realtime-types/Cargo.toml");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    package_version(&text).ok_or_else(|| {
        format!(
            "{} has no `version = \"..\"` in its [package] section",
            path.display()
        )
    })
}

/// The `version` of a manifest's `[package]` section.
fn package_version(manifest: &str) -> Option<String> {
    let mut in_package = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package && let Some(rest) = line.strip_prefix("version") {
            let value = rest.trim_start().strip_prefix('=')?.trim();
            return Some(value.strip_prefix('"')?.strip_suffix('"')?.to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_package_version_is_read_from_its_section_only() {
        let manifest =
            "[dependencies]\nversion = \"9.9.9\"\n\n[package]\nname = \"x\"\nversion = \"0.1.0\"\n";
        assert_eq!(package_version(manifest).as_deref(), Some("0.1.0"));
        assert_eq!(package_version("[package]\nname = \"x\"\n"), None);
        assert_eq!(
            package_version("[package]\nversion.workspace = true\n"),
            None
        );
    }
}
