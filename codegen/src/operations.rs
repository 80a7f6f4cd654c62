//! Which REST operations the document defines for the Realtime API, and
//! what each sends and answers: read from its `paths`, before the schemas
//! are lowered (the bodies' schemas are lowered with the events' types).
//!
//! - An operation belongs to the Realtime API when its path is under
//!   `/realtime` (the WebSocket's own path is not in `paths`).
//! - It is called by the users of the surface whose WebSocket path its own
//!   path is under (`/realtime/translations/client_secrets`: translation;
//!   the rest: `ga`), except those in [`BETA_OPERATIONS`]: the deprecated
//!   beta namespace (`client.beta.realtime.sessions` in the official SDKs),
//!   whose bodies are beta sessions.
//! - Its request body is the first of its content types in this order:
//!   `application/json` (a component schema), `multipart/form-data` (a
//!   component schema, each property a part), then a text type (a `string`
//!   schema, such as `application/sdp`). Its answer is that of its first
//!   `2xx` status, read the same way, or empty when it has no content.
//! - Path parameters are all it may have: a query, header or cookie
//!   parameter, an inline object body or a `$ref` to anything but a
//!   component schema stops generation, naming where, rather than being
//!   dropped.

use serde_json::Value;

use crate::error::{Error, pointer_push};

/// The path prefix of the Realtime API's operations.
pub const REALTIME_PATHS: &str = "/realtime";

/// The operations of the deprecated beta namespace, by `operationId`: their
/// users are those of the `beta` surface. For the pinned spec, an id no
/// path has stops generation (strict, like the corrections; older versions
/// of the spec may not have them all).
pub const BETA_OPERATIONS: &[&str] = &[
    "create-realtime-session",
    "create-realtime-transcription-session",
];

/// The HTTP methods an operation may have, in the order they are read.
const METHODS: &[&str] = &["get", "put", "post", "delete", "patch"];

/// One operation to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct OperationPlan {
    /// The `operationId`.
    pub id: String,
    /// `ga` or `beta`.
    pub surface: &'static str,
    /// Upper case.
    pub method: String,
    /// The path template.
    pub path: String,
    /// Path parameters: name and description.
    pub path_params: Vec<(String, Option<String>)>,
    /// What it sends.
    pub request: BodyPlan,
    /// Its success status.
    pub status: u16,
    /// What it answers.
    pub response: BodyPlan,
    /// `summary`, else `description`.
    pub summary: Option<String>,
    /// `deprecated: true`.
    pub deprecated: bool,
    /// JSON pointer of the operation.
    pub pointer: String,
}

/// A body, before its schema is lowered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyPlan {
    /// None.
    Empty,
    /// JSON of this component schema.
    Json(String),
    /// A form of this component schema.
    Form(String),
    /// Text of this content type.
    Text(String),
}

impl BodyPlan {
    /// The component schema it names, if any.
    pub fn schema(&self) -> Option<&str> {
        match self {
            BodyPlan::Json(name) | BodyPlan::Form(name) => Some(name),
            BodyPlan::Empty | BodyPlan::Text(_) => None,
        }
    }
}

/// The Realtime operations of `document`, in path order (then method
/// order); `strict` for the pinned spec (see [`BETA_OPERATIONS`]).
pub fn plan(document: &Value, strict: bool) -> Result<Vec<OperationPlan>, Error> {
    let mut plans = Vec::new();
    let Some(Value::Object(paths)) = document.get("paths") else {
        return Ok(plans);
    };
    let mut realtime: Vec<(&String, &Value)> = paths
        .iter()
        .filter(|(path, _)| {
            path.as_str() == REALTIME_PATHS || path.starts_with(&format!("{REALTIME_PATHS}/"))
        })
        .collect();
    realtime.sort_by(|a, b| a.0.cmp(b.0));
    for (path, item) in realtime {
        let item_pointer = pointer_push("/paths", path);
        for method in METHODS {
            let Some(operation) = item.get(*method) else {
                continue;
            };
            let pointer = pointer_push(&item_pointer, method);
            plans.push(operation_plan(path, method, operation, item, &pointer)?);
        }
    }
    for id in BETA_OPERATIONS.iter().filter(|_| strict) {
        if !plans.iter().any(|plan| plan.id == *id) {
            return Err(Error::unsupported(
                "/paths",
                format!(
                    "`{id}` is listed as a beta operation (operations::BETA_OPERATIONS) but no path has it: remove it from the list"
                ),
            ));
        }
    }
    Ok(plans)
}

fn operation_plan(
    path: &str,
    method: &str,
    operation: &Value,
    item: &Value,
    pointer: &str,
) -> Result<OperationPlan, Error> {
    let id = operation
        .get("operationId")
        .and_then(Value::as_str)
        .ok_or_else(|| Error::unsupported(pointer, "the operation has no `operationId`"))?
        .to_string();
    let mut path_params = Vec::new();
    // Parameters of the path item, then of the operation.
    for (owner, at) in [
        (item, pointer_parent(pointer)),
        (operation, pointer.to_string()),
    ] {
        let Some(Value::Array(parameters)) = owner.get("parameters") else {
            continue;
        };
        for (index, parameter) in parameters.iter().enumerate() {
            let at = pointer_push(&pointer_push(&at, "parameters"), &index.to_string());
            let location = parameter.get("in").and_then(Value::as_str);
            let name = parameter.get("name").and_then(Value::as_str);
            match (location, name) {
                (Some("path"), Some(name)) => path_params.push((
                    name.to_string(),
                    parameter
                        .get("description")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                )),
                (Some(other), _) => {
                    return Err(Error::unsupported(
                        at,
                        format!(
                            "a `{other}` parameter is not supported (only path parameters are)"
                        ),
                    ));
                }
                _ => {
                    return Err(Error::unsupported(
                        at,
                        "a parameter without `in` and `name` (a `$ref` to a parameter is not supported)",
                    ));
                }
            }
        }
    }
    for name in template_params(path) {
        if !path_params.iter().any(|(param, _)| *param == name) {
            return Err(Error::unsupported(
                pointer,
                format!("the path names `{{{name}}}`, which no path parameter declares"),
            ));
        }
    }
    let request = match operation.get("requestBody") {
        None => BodyPlan::Empty,
        Some(body) => body_plan(
            body.get("content"),
            &pointer_push(&pointer_push(pointer, "requestBody"), "content"),
        )?,
    };
    let responses = operation.get("responses").and_then(Value::as_object);
    let success = responses.and_then(|responses| {
        let mut codes: Vec<(&String, &Value)> = responses
            .iter()
            .filter(|(code, _)| code.starts_with('2'))
            .collect();
        codes.sort_by(|a, b| a.0.cmp(b.0));
        codes.into_iter().next()
    });
    let Some((code, answer)) = success else {
        return Err(Error::unsupported(
            pointer,
            "the operation documents no 2xx answer",
        ));
    };
    let status = code.parse::<u16>().map_err(|_| {
        Error::unsupported(
            pointer_push(&pointer_push(pointer, "responses"), code),
            format!("`{code}` is not a status code"),
        )
    })?;
    let answer_pointer = pointer_push(
        &pointer_push(&pointer_push(pointer, "responses"), code),
        "content",
    );
    let response = body_plan(answer.get("content"), &answer_pointer)?;
    let text = |key: &str| {
        operation
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    Ok(OperationPlan {
        surface: surface_of(&id, path),
        id,
        method: method.to_ascii_uppercase(),
        path: path.to_string(),
        path_params,
        request,
        status,
        response,
        summary: text("summary").or_else(|| text("description")),
        deprecated: operation.get("deprecated") == Some(&Value::Bool(true)),
        pointer: pointer.to_string(),
    })
}

/// The body of a `content` map (at `pointer`), by the content type rule.
fn body_plan(content: Option<&Value>, pointer: &str) -> Result<BodyPlan, Error> {
    let Some(Value::Object(content)) = content else {
        return Ok(BodyPlan::Empty);
    };
    let schema_of = |content_type: &str| {
        let at = pointer_push(&pointer_push(pointer, content_type), "schema");
        let schema = content
            .get(content_type)
            .and_then(|media| media.get("schema"));
        (schema, at)
    };
    for (content_type, form) in [("application/json", false), ("multipart/form-data", true)] {
        if !content.contains_key(content_type) {
            continue;
        }
        let (schema, at) = schema_of(content_type);
        let name = schema
            .and_then(|schema| schema.get("$ref"))
            .and_then(Value::as_str)
            .and_then(|reference| reference.strip_prefix("#/components/schemas/"))
            .ok_or_else(|| {
                Error::unsupported(
                    at.clone(),
                    "a body's schema must be a `$ref` to a component schema",
                )
            })?
            .to_string();
        return Ok(if form {
            BodyPlan::Form(name)
        } else {
            BodyPlan::Json(name)
        });
    }
    let mut types: Vec<&String> = content.keys().collect();
    types.sort();
    let Some(content_type) = types.first() else {
        return Ok(BodyPlan::Empty);
    };
    let (schema, at) = schema_of(content_type);
    match schema
        .and_then(|schema| schema.get("type"))
        .and_then(Value::as_str)
    {
        Some("string") => Ok(BodyPlan::Text((*content_type).clone())),
        _ => Err(Error::unsupported(
            at,
            format!("a `{content_type}` body must be a `string` schema"),
        )),
    }
}

/// The surface whose users call operation `id` at `path`.
fn surface_of(id: &str, path: &str) -> &'static str {
    let translation = format!("/{}", crate::surfaces::TRANSLATION_PATH);
    if BETA_OPERATIONS.contains(&id) {
        "beta"
    } else if path == translation || path.starts_with(&format!("{translation}/")) {
        "translation"
    } else {
        "ga"
    }
}

/// The `{name}`s of a path template, in order.
pub fn template_params(path: &str) -> Vec<String> {
    path.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_string()))
        .collect()
}

fn pointer_parent(pointer: &str) -> String {
    pointer
        .rsplit_once('/')
        .map_or_else(String::new, |(parent, _)| parent.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn document(paths: Value) -> Value {
        let mut beta = json!({});
        for (i, id) in BETA_OPERATIONS.iter().enumerate() {
            beta[format!("/realtime/beta{i}")] =
                json!({"post": {"operationId": id, "responses": {"200": {"description": "ok"}}}});
        }
        let mut all = beta;
        if let (Value::Object(all), Value::Object(paths)) = (&mut all, paths) {
            all.extend(paths);
        }
        json!({"paths": all})
    }

    #[test]
    fn realtime_operations_are_read_with_their_bodies() {
        let doc = document(json!({
            "/realtime/calls/{call_id}/accept": {"post": {
                "operationId": "accept-realtime-call", "summary": "Accept a call.",
                "parameters": [{"in": "path", "name": "call_id", "required": true, "schema": {"type": "string"}}],
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Session"}}}},
                "responses": {"200": {"description": "ok"}}
            }},
            "/realtime/calls": {"post": {
                "operationId": "create-realtime-call",
                "requestBody": {"content": {
                    "application/sdp": {"schema": {"type": "string"}},
                    "multipart/form-data": {"schema": {"$ref": "#/components/schemas/CallCreate"}}
                }},
                "responses": {"201": {"description": "created", "content": {"application/sdp": {"schema": {"type": "string"}}}}}
            }},
            "/chat/completions": {"post": {"operationId": "chat"}}
        }));
        let plans = plan(&doc, true).unwrap();
        let accept = plans
            .iter()
            .find(|p| p.id == "accept-realtime-call")
            .unwrap();
        assert_eq!(accept.surface, "ga");
        assert_eq!(accept.method, "POST");
        assert_eq!(accept.path_params, [("call_id".to_string(), None)]);
        assert_eq!(accept.request, BodyPlan::Json("Session".into()));
        assert_eq!((accept.status, &accept.response), (200, &BodyPlan::Empty));
        assert_eq!(accept.summary.as_deref(), Some("Accept a call."));
        assert_eq!(
            accept.pointer,
            "/paths/~1realtime~1calls~1{call_id}~1accept/post"
        );
        let create = plans
            .iter()
            .find(|p| p.id == "create-realtime-call")
            .unwrap();
        assert_eq!(
            create.request,
            BodyPlan::Form("CallCreate".into()),
            "the form before text"
        );
        assert_eq!(
            (create.status, &create.response),
            (201, &BodyPlan::Text("application/sdp".into()))
        );
        assert!(
            plans.iter().all(|p| p.id != "chat"),
            "only the Realtime API's paths"
        );
        assert!(plans.iter().filter(|p| p.surface == "beta").count() == BETA_OPERATIONS.len());
        assert_eq!(
            surface_of("x", "/realtime/translations/client_secrets"),
            "translation"
        );
        assert_eq!(surface_of("x", "/realtime/translationsx"), "ga");
    }

    #[test]
    fn a_query_parameter_or_an_undeclared_path_parameter_stops_generation() {
        let query = document(json!({"/realtime/x": {"get": {
            "operationId": "x", "parameters": [{"in": "query", "name": "limit"}],
            "responses": {"200": {"description": "ok"}}
        }}}));
        let message = plan(&query, true).unwrap_err().to_string();
        assert!(
            message.contains("`query` parameter")
                && message.contains("/paths/~1realtime~1x/get/parameters/0"),
            "{message}"
        );
        let undeclared = document(json!({"/realtime/{id}": {"post": {
            "operationId": "y", "responses": {"200": {"description": "ok"}}
        }}}));
        assert!(
            plan(&undeclared, true)
                .unwrap_err()
                .to_string()
                .contains("`{id}`")
        );
    }

    #[test]
    fn a_beta_operation_no_path_has_stops_generation() {
        let message = plan(&json!({"paths": {}}), true).unwrap_err().to_string();
        assert!(message.contains("BETA_OPERATIONS"), "{message}");
        assert_eq!(
            plan(&json!({"paths": {}}), false).unwrap(),
            [],
            "older versions may lack them"
        );
    }

    #[test]
    fn an_inline_body_schema_stops_generation() {
        let doc = document(json!({"/realtime/z": {"post": {
            "operationId": "z",
            "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
            "responses": {"200": {"description": "ok"}}
        }}}));
        assert!(
            plan(&doc, true)
                .unwrap_err()
                .to_string()
                .contains("component schema")
        );
    }
}
