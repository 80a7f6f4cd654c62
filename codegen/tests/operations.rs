//! The REST operations of the pinned spec are all in the model, as the raw
//! document has them: every path under `/realtime`, each method, its
//! `operationId`, its path parameters, and the content types of its request
//! and success answer (walked from the YAML, independently of the
//! generator's `operations` pass).

use std::path::Path;

use realtime_codegen::ir::OperationBody;
use realtime_codegen::pinned::{Loaded, load_pinned};
use serde_json::Value;

fn pinned() -> Loaded {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the codegen crate lives in the workspace");
    load_pinned(root).unwrap_or_else(|e| panic!("this test needs the pinned spec: {e}"))
}

fn raw() -> Value {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the codegen crate lives in the workspace");
    let spec = realtime_codegen::pinned::resolve_pinned(root)
        .unwrap_or_else(|e| panic!("this test needs the pinned spec: {e}"))
        .1;
    realtime_codegen::load::parse_yaml(&spec.text).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_realtime_path_of_the_spec_is_an_operation_of_the_model() {
    let raw = raw();
    let loaded = pinned();
    let operations = &loaded.model.space.operations;
    let mut expected = Vec::new();
    for (path, item) in raw["paths"].as_object().expect("paths") {
        if !(path == "/realtime" || path.starts_with("/realtime/")) {
            continue;
        }
        for (method, operation) in item.as_object().expect("a path item") {
            if !["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                continue;
            }
            expected.push((
                operation["operationId"]
                    .as_str()
                    .expect("an id")
                    .to_string(),
                method.to_uppercase(),
                path.clone(),
                operation,
            ));
        }
    }
    // The pin has nine (client secrets, translation client secrets, five
    // call operations, the two beta sessions): fewer means the walk broke.
    assert_eq!(
        expected.len(),
        9,
        "{:?}",
        expected.iter().map(|e| &e.0).collect::<Vec<_>>()
    );
    assert_eq!(operations.len(), expected.len());
    for (id, method, path, raw_op) in expected {
        let op = operations
            .iter()
            .find(|op| op.id == id)
            .unwrap_or_else(|| panic!("`{id}` is not in the model"));
        assert_eq!(
            (op.method.as_str(), op.path.as_str()),
            (method.as_str(), path.as_str()),
            "{id}"
        );
        let params: Vec<&str> = raw_op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["name"].as_str())
            .collect();
        let model_params: Vec<&str> = op.path_params.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(model_params, params, "{id}");
        let content = &raw_op["requestBody"]["content"];
        match &op.request {
            OperationBody::Empty => assert!(content.is_null(), "{id} sends a body"),
            OperationBody::Json(_) => assert!(content.get("application/json").is_some(), "{id}"),
            OperationBody::Form(_) => {
                assert!(content.get("multipart/form-data").is_some(), "{id}");
                assert!(
                    content.get("application/json").is_none(),
                    "{id}: JSON comes first"
                );
            }
            OperationBody::Text(content_type) => {
                assert_eq!(
                    content[content_type.as_str()]["schema"]["type"],
                    "string",
                    "{id}"
                )
            }
        }
        let status = op.status.to_string();
        let answer = &raw_op["responses"][status.as_str()];
        assert!(answer.is_object(), "{id}: no `{status}` answer");
        match &op.response {
            OperationBody::Empty => assert!(answer.get("content").is_none(), "{id}"),
            OperationBody::Json(_) => {
                assert!(answer["content"].get("application/json").is_some(), "{id}")
            }
            OperationBody::Text(content_type) => {
                assert!(
                    answer["content"].get(content_type.as_str()).is_some(),
                    "{id}"
                )
            }
            OperationBody::Form(_) => panic!("{id}: an answer is never a form"),
        }
    }
    let surfaces: Vec<(&str, &str)> = operations
        .iter()
        .map(|op| (op.id.as_str(), op.surface.as_str()))
        .collect();
    assert!(surfaces.contains(&("create-realtime-session", "beta")));
    assert!(surfaces.contains(&("create-realtime-translation-client-secret", "translation")));
    assert!(surfaces.contains(&("accept-realtime-call", "ga")));
}
