//! Shared by the integration tests: the pinned spec and its event examples.

#![allow(dead_code)] // each test crate uses part of it

use std::path::{Path, PathBuf};

use realtime_codegen::examples::{self, EventExample};

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("crate is inside the workspace")
        .to_path_buf()
}

/// The pinned spec text, resolved like `cargo xtask codegen` does (never downloading).
pub fn pinned_spec_text() -> String {
    match realtime_codegen::pinned::resolve_pinned(&workspace_root()) {
        Ok((_, spec)) => spec.text,
        Err(e) => panic!("these tests need the pinned OpenAPI spec: {e}"),
    }
}

/// Every example of every event of every surface of the pinned spec, and the
/// event schemas without an example.
pub fn pinned_examples() -> (Vec<EventExample>, Vec<String>) {
    examples::pinned_event_examples(&workspace_root()).unwrap_or_else(|e| panic!("{e}"))
}
