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
