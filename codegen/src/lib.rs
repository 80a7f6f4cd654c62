//! Generates the `realtime-types` crate from OpenAI's OpenAPI document.
//!
//! The pipeline runs in stages with a model between them:
//!
//! 1. [`load`]: YAML text → JSON value → OpenAPI 3.1 keywords lowered → `openapiv3`;
//! 2. [`surfaces`]: which event unions the document defines;
//! 3. [`lower`]: schemas → the [`ir`] type space (every representation decision);
//! 4. [`emit`]: type space → formatted Rust files.
//!
//! [`generate`] runs them all as a pure function from spec text to files;
//! only the `xtask` (and [`spec_source`], which it uses) touches the
//! filesystem or the network.

pub mod docs;
pub mod emit;
pub mod error;
pub mod examples;
pub mod ir;
pub mod load;
pub mod lower;
pub mod naming;
pub mod overrides;
pub mod spec_source;
pub mod surfaces;

pub use emit::{GeneratedFile, SpecStamp};
pub use error::Error;
pub use overrides::Overrides;

/// Builds the type space of a parsed document (stages 1b–3), after applying
/// the corrections of known upstream defects.
pub fn model(
    mut document: serde_json::Value,
    overrides: &Overrides,
) -> Result<ir::TypeSpace, Error> {
    overrides.apply(&mut document)?;
    let spec = load::load(document)?;
    let plans = surfaces::plan(&spec)?;
    lower::lower(&spec, &plans)
}

/// Generates every file from the spec text.
pub fn generate(
    spec_text: &str,
    overrides: &Overrides,
    stamp: &SpecStamp,
) -> Result<Vec<GeneratedFile>, Error> {
    let document = load::parse_yaml(spec_text)?;
    let space = model(document, overrides)?;
    emit::emit(&space, stamp)
}
