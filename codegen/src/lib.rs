//! Generates the `realtime-types` crate from OpenAI's OpenAPI document.
//!
//! The pipeline runs in stages with a model between them:
//!
//! 1. [`load`]: YAML text → JSON value → OpenAPI 3.1 keywords lowered
//!    ([`openapi31`]) → `openapiv3`;
//! 2. [`surfaces`]: which event unions the document defines;
//! 3. [`lower`]: schemas → the [`ir`] type space (every representation
//!    decision; [`views`] picks the events that get borrowed views);
//! 4. [`emit`]: type space → formatted Rust files.
//!
//! [`generate`] runs them all as a pure function from spec text to files;
//! only the `xtask` (and [`spec_source`], which it uses) touches the
//! filesystem or the network.

pub mod boxing;
pub mod docs;
pub mod emit;
pub mod error;
pub mod examples;
pub mod ir;
pub mod load;
pub mod lower;
pub mod naming;
pub mod openapi31;
pub mod overrides;
pub mod spec_source;
pub mod surfaces;
pub mod views;

pub use emit::{GeneratedFile, SpecStamp};
pub use error::Error;
pub use overrides::Overrides;

/// What a spec is generated with.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Corrections of upstream defects (`spec/overrides.json`).
    pub overrides: Overrides,
    /// Whether every override must apply (true for the pinned spec).
    pub strict_overrides: bool,
}

/// The model of a spec and the overrides that did not fit it.
#[derive(Debug, Clone)]
pub struct Model {
    /// The type space.
    pub space: ir::TypeSpace,
    /// Overrides skipped because they do not fit this spec (never for the pinned spec).
    pub overrides_not_applied: Vec<overrides::NotApplied>,
}

/// Builds the model of a parsed document (stages 1b–3), after applying the
/// corrections of known upstream defects.
pub fn model(mut document: serde_json::Value, options: &Options) -> Result<Model, Error> {
    let overrides_not_applied = options
        .overrides
        .apply(&mut document, options.strict_overrides)?;
    let mut spec = load::load(document)?;
    let plans = surfaces::plan(&mut spec)?;
    let space = lower::lower(&mut spec, &plans)?;
    Ok(Model {
        space,
        overrides_not_applied,
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
