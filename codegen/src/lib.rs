//! Generates the `realtime-types` crate from OpenAI's OpenAPI document.
//!
//! The pipeline runs in stages with a model between them:
//!
//! 1. [`load`]: YAML text → JSON value → OpenAPI 3.1 keywords lowered
//!    ([`openapi31`]) → `openapiv3`;
//! 2. [`surfaces`]: which event unions the document defines;
//! 3. [`lower`]: schemas → the [`ir`] type space, then the passes that
//!    decide over it, each in its own module: [`recursion`] (which fields
//!    are boxed to break a cycle), [`defaults`] (which structs derive
//!    `Default`), [`views`] (which events get borrowed views), [`boxing`]
//!    (which event variants are boxed), [`names`] (where each type lives and
//!    what it is called), [`server_error`] (where the parts of each
//!    surface's `error` event are) and [`construction`] (constructors,
//!    setters and `From` impls);
//! 4. [`emit`]: [`ir::TypeSpace::validate`], then type space → formatted
//!    Rust files (the emitter only prints what the passes decided);
//!    [`bench_mirror`] prints the benchmark's serde-derived baseline from
//!    the same model.
//!
//! [`diff`] compares two models: the change report between two spec
//! versions (`cargo xtask spec diff`, `cargo xtask spec update`).
//!
//! [`generate`] runs them all as a pure function from spec text to files;
//! only the `xtask` (and [`spec_source`], which it uses) touches the
//! filesystem or the network. [`pinned`] is the one way to get a
//! workspace's spec (`resolve`, `resolve_pinned`) and model (`load`,
//! `load_pinned`), for the xtask, the tests and the bench.

pub mod bench_mirror;
pub mod boxing;
pub mod construction;
pub mod corrections;
pub mod defaults;
pub mod diff;
pub mod docs;
pub mod emit;
pub mod error;
pub mod examples;
pub mod history_rule;
pub mod ir;
pub mod load;
pub mod lower;
pub mod names;
pub mod naming;
pub mod openapi31;
pub mod operations;
pub mod pinned;
pub mod recursion;
pub mod server_error;
pub mod spec_source;
pub mod surfaces;
#[cfg(test)]
mod test_fixtures;
pub mod views;

pub use corrections::Corrections;
pub use emit::{GeneratedFile, SpecStamp};
pub use error::Error;

/// What a spec is generated with.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Corrections of upstream defects (`spec/corrections*.yaml`).
    pub corrections: Corrections,
    /// Names the naming rules do not give well (`spec/names.yaml`).
    pub renames: names::Renames,
    /// Whether every correction and rename must apply (true for the pinned spec).
    pub strict_corrections: bool,
}

impl Options {
    /// The options of a workspace: its corrections and renames, strict for
    /// the pinned spec.
    pub fn of_workspace(workspace_root: &std::path::Path, strict: bool) -> Result<Self, Error> {
        Ok(Options {
            corrections: Corrections::read(workspace_root)?,
            renames: names::Renames::read(workspace_root)?,
            strict_corrections: strict,
        })
    }

    /// The options for the pinned spec of a workspace: its corrections and
    /// renames, strict.
    pub fn pinned(workspace_root: &std::path::Path) -> Result<Self, Error> {
        Self::of_workspace(workspace_root, true)
    }
}

/// The model of a spec and what the corrections did to it.
#[derive(Debug, Clone)]
pub struct Model {
    /// The type space.
    pub space: ir::TypeSpace,
    /// The corrections applied, and those skipped because they do not fit
    /// this spec (never for the pinned spec).
    pub corrections: corrections::Report,
    /// The spec name of every type the lowering made (see
    /// [`ir::TypeDef::spec_name`]), merged copies included, with the id of
    /// the type that holds it: where to find a schema of the spec.
    pub spec_names: std::collections::BTreeMap<String, ir::TypeId>,
}

/// Builds the model of a parsed document (stages 1b–3), after applying the
/// corrections of known upstream defects.
pub fn model(mut document: serde_json::Value, options: &Options) -> Result<Model, Error> {
    let corrections = options
        .corrections
        .apply(&mut document, options.strict_corrections)?;
    let operations = operations::plan(&document, options.strict_corrections)?;
    let mut spec = load::load(document)?;
    let plans = surfaces::plan(&mut spec)?;
    let mut space = lower::lower(&mut spec, &plans, &operations)?;
    let spec_names =
        names::name_and_place(&mut space, &options.renames, options.strict_corrections)?;
    server_error::plan(&mut space)?;
    construction::plan(&mut space);
    Ok(Model {
        space,
        corrections,
        spec_names,
    })
}

/// Generates every file from the spec text.
pub fn generate(
    spec_text: &str,
    options: &Options,
    stamp: &SpecStamp,
) -> Result<Vec<GeneratedFile>, Error> {
    let document = load::parse_yaml(spec_text)?;
    let model = model(document, options)?;
    emit::emit(&model.space, stamp)
}
