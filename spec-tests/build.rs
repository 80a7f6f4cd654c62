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
    // The cache names the file by the pinned sha256 (`spec/lock.json`).
    let lock = std::fs::read_to_string(root.join("spec/lock.json")).unwrap_or_default();
    println!(
        "cargo::rerun-if-changed={}",
        root.join("spec/lock.json").display()
    );
    let cached = pinned_sha256(&lock).is_some_and(|sha| {
        root.join(format!("spec/cache/openapi-{sha}.yaml"))
            .is_file()
    });
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

/// The `sha256` of the lock, read without a JSON parser (a build script of
/// its own dependencies would cost more than this line).
fn pinned_sha256(lock: &str) -> Option<&str> {
    let after = &lock[lock.find("\"sha256\"")? + "\"sha256\"".len()..];
    let value = after
        .trim_start()
        .strip_prefix(':')?
        .trim_start()
        .strip_prefix('"')?;
    let sha = &value[..value.find('"')?];
    (sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit())).then_some(sha)
}
