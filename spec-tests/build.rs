//! The tests of this crate, and of every crate that dev-depends on it (the
//! generator, xtask), read `../shared/` beside the checkout: the pinned spec,
//! the spec history and the captured wire shapes. Without them the build
//! stops here with one line that says what is missing and where to get it,
//! instead of each test panicking.

use std::path::Path;

fn main() {
    let crate_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let root = Path::new(&crate_dir)
        .parent()
        .expect("the crate is inside the workspace");
    let shared = root.join("../shared");
    for watched in ["spec", "spec/history", "wire"] {
        println!("cargo::rerun-if-changed={}", shared.join(watched).display());
    }
    println!(
        "cargo::rerun-if-changed={}",
        root.join("spec/cache").display()
    );
    println!("cargo::rerun-if-env-changed=REALTIME_OPENAPI_SPEC");

    let mut missing = Vec::new();
    // The pinned spec: `$REALTIME_OPENAPI_SPEC`, the cache `cargo xtask
    // codegen` fills, or the mirror (its hash is checked by the tests).
    let cached = std::fs::read_dir(root.join("spec/cache"))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .any(|entry| entry.file_name().to_string_lossy().starts_with("openapi-"))
        })
        .unwrap_or(false);
    if std::env::var_os("REALTIME_OPENAPI_SPEC").is_none()
        && !cached
        && !shared.join("spec/openapi.yaml").is_file()
    {
        missing.push("the pinned spec (../shared/spec/openapi.yaml, or spec/cache/ after `cargo xtask codegen` with network)");
    }
    if !shared.join("spec/history").is_dir() {
        missing.push("the spec history (../shared/spec/history/)");
    }
    if !shared.join("wire").is_dir() {
        missing.push("the captured wire shapes (../shared/wire/)");
    }
    if !missing.is_empty() {
        println!(
            "cargo::error=these tests need ../shared/ beside the checkout, which is missing {}; \
             the SDK crates build and test without it: `cargo test -p realtime-types -p realtime-client \
             -p realtime-mock -p realtime-media -p realtime-codec`",
            missing.join(", ")
        );
    }
}
