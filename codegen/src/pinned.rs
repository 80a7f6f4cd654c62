//! The one way to load a workspace's spec and its model: the xtask, every
//! test and the bench start from here, so that they all see the same spec,
//! corrections and renames.

use std::path::Path;

use crate::spec_source::{self, ResolveOptions, ResolvedSpec, SpecLock};
use crate::{Model, Options};

/// A resolved spec, parsed, and its model.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The lock (`spec/lock.json`).
    pub lock: SpecLock,
    /// The spec text and where it came from.
    pub spec: ResolvedSpec,
    /// The parsed document, before corrections.
    pub document: serde_json::Value,
    /// The options it was modelled with (strict when the spec is the pinned one).
    pub options: Options,
    /// The model.
    pub model: Model,
}

/// Resolves the spec of the workspace at `root` with `resolve` (a `--spec`
/// file, the environment, the cache, a mirror or a download), without
/// modelling it: for what needs only the text.
pub fn resolve(root: &Path, resolve: &ResolveOptions) -> Result<(SpecLock, ResolvedSpec), String> {
    let lock = SpecLock::load(root).map_err(|e| e.to_string())?;
    let spec = spec_source::resolve(root, &lock, resolve).map_err(|e| {
        format!(
            "{e}\nFix: run `cargo xtask codegen` once with network access (it caches the spec \
             in spec/cache/), or put the file with sha256 {} at one of the lock's mirrors {:?} \
             (relative to {}), or point ${} at it.",
            lock.sha256,
            lock.mirrors,
            root.display(),
            spec_source::SPEC_ENV_VAR,
        )
    })?;
    Ok((lock, spec))
}

/// The pinned spec of the workspace at `root`, never downloading
/// (`$REALTIME_OPENAPI_SPEC`, the cache or a mirror), without modelling it.
pub fn resolve_pinned(root: &Path) -> Result<(SpecLock, ResolvedSpec), String> {
    let mut options = ResolveOptions::from_env();
    options.offline = true;
    let (lock, spec) = resolve(root, &options)?;
    if !spec.pinned {
        return Err(format!(
            "{} is not the pinned spec (sha256 {}, the lock wants {})",
            spec.origin, spec.sha256, lock.sha256
        ));
    }
    Ok((lock, spec))
}

/// Resolves the spec of the workspace at `root` with `resolve` (see
/// [`resolve`](fn@resolve)), parses it and builds its model with the
/// workspace's corrections and renames.
pub fn load(root: &Path, resolve: &ResolveOptions) -> Result<Loaded, String> {
    let (lock, spec) = self::resolve(root, resolve)?;
    model(root, lock, spec)
}

/// The pinned spec of the workspace at `root` and its model (see
/// [`resolve_pinned`]): what the tests and the bench use.
pub fn load_pinned(root: &Path) -> Result<Loaded, String> {
    let (lock, spec) = resolve_pinned(root)?;
    model(root, lock, spec)
}

fn model(root: &Path, lock: SpecLock, spec: ResolvedSpec) -> Result<Loaded, String> {
    let document = crate::load::parse_yaml(&spec.text).map_err(|e| e.to_string())?;
    let options = Options::of_workspace(root, spec.pinned).map_err(|e| e.to_string())?;
    let model = crate::model(document.clone(), &options).map_err(|e| e.to_string())?;
    Ok(Loaded {
        lock,
        spec,
        document,
        options,
        model,
    })
}
