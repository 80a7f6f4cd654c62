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
pub mod corrections;
pub mod docs;
pub mod emit;
pub mod error;
pub mod examples;
pub mod history_rule;
pub mod ir;
pub mod load;
pub mod lower;
pub mod naming;
pub mod openapi31;
pub mod spec_source;
pub mod surfaces;
pub mod views;

pub use corrections::Corrections;
pub use emit::{GeneratedFile, SpecStamp};
pub use error::Error;

/// What a spec is generated with.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Corrections of upstream defects (`spec/corrections*.yaml`).
    pub corrections: Corrections,
    /// Whether every correction must apply (true for the pinned spec).
    pub strict_corrections: bool,
}

impl Options {
    /// The options for the pinned spec of a workspace: its corrections, strict.
    pub fn pinned(workspace_root: &std::path::Path) -> Result<Self, Error> {
        Ok(Options {
            corrections: Corrections::read(workspace_root)?,
            strict_corrections: true,
        })
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
}

/// Builds the model of a parsed document (stages 1b–3), after applying the
/// corrections of known upstream defects.
pub fn model(mut document: serde_json::Value, options: &Options) -> Result<Model, Error> {
    let corrections = options
        .corrections
        .apply(&mut document, options.strict_corrections)?;
    let mut spec = load::load(document)?;
    let plans = surfaces::plan(&mut spec)?;
    let space = lower::lower(&mut spec, &plans)?;
    Ok(Model { space, corrections })
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
