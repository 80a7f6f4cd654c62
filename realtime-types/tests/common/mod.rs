//! Shared by the integration tests: the pinned spec and its event examples.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use realtime_codegen::spec_source::{self, ResolveOptions, SpecLock};
use realtime_codegen::{examples, load, surfaces};
use serde_json::Value;

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("crate is inside the workspace")
        .to_path_buf()
}

/// The pinned spec text, resolved like `cargo xtask codegen` does (never downloading).
pub fn pinned_spec_text() -> String {
    let root = workspace_root();
    let lock = SpecLock::load(&root).unwrap_or_else(|e| panic!("{e}"));
    let mut options = ResolveOptions::from_env();
    options.offline = true;
    match spec_source::resolve(&root, &lock, &options) {
        Ok(spec) => spec.text,
        Err(e) => panic!(
            "these tests need the pinned OpenAPI spec: {e}\n\
             run `cargo xtask codegen` once with network access, or place ../shared/spec/openapi.yaml beside the repository"
        ),
    }
}

/// One example payload of one event.
#[derive(Debug, Clone)]
pub struct EventExample {
    /// Surface module (`ga`, `beta`, `translation`).
    pub surface: &'static str,
    /// `ClientEvent` or `ServerEvent`.
    pub union: &'static str,
    /// The event's schema name.
    pub schema: String,
    /// The `type` the schema declares.
    pub declared_type: String,
    /// The example value (one of possibly several in the example text).
    pub value: Value,
}

/// Every example of every event of every surface of a spec, plus the event
/// schemas that have no example at all.
pub fn event_examples(spec_text: &str) -> (Vec<EventExample>, Vec<String>) {
    let document = load::parse_yaml(spec_text).unwrap_or_else(|e| panic!("{e}"));
    let schemas = document
        .pointer("/components/schemas")
        .cloned()
        .unwrap_or_default();
    let loaded = load::load(document).unwrap_or_else(|e| panic!("{e}"));
    let plans = surfaces::plan(&loaded).unwrap_or_else(|e| panic!("{e}"));
    let mut found = Vec::new();
    let mut without_example = Vec::new();
    for plan in &plans {
        for union in &plan.unions {
            for schema in &union.members {
                let event = &schemas[schema.as_str()];
                let declared_type = event
                    .pointer("/properties/type/enum/0")
                    .or_else(|| event.pointer("/properties/type/const"))
                    .and_then(Value::as_str)
                    .unwrap_or_else(|| panic!("{schema} declares no single `type`"))
                    .to_string();
                let Some(text) = event.pointer("/x-oaiMeta/example").and_then(Value::as_str) else {
                    without_example.push(schema.clone());
                    continue;
                };
                let values = examples::parse_example(text)
                    .unwrap_or_else(|e| panic!("example of {schema}: {e}"));
                for value in values {
                    found.push(EventExample {
                        surface: plan.module,
                        union: union.name,
                        schema: schema.clone(),
                        declared_type: declared_type.clone(),
                        value,
                    });
                }
            }
        }
    }
    (found, without_example)
}
