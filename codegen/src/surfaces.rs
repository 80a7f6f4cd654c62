//! Which event unions the document defines, and where their members come from.
//!
//! - A document with `realtime-beta-*` groups in its top-level `x-oaiMeta`
//!   has both surfaces: GA from the union schemas `RealtimeClientEvent` /
//!   `RealtimeServerEvent`, beta from the groups (it has no union schema).
//! - An older document (no `realtime-beta-*` groups) predates GA: its
//!   `RealtimeClientEvent` / `RealtimeServerEvent` unions, or when those are
//!   missing its `realtime-client-events` / `realtime-server-events` groups,
//!   are the beta surface.
//! - Translation comes from `RealtimeTranslationClientEvent` /
//!   `RealtimeTranslationServerEvent`, or their groups.
//!
//! Whenever a union schema is missing, its group is used instead.
//!
//! Each surface also gets the facts of how it is reached, which the
//! document does not state for the WebSocket API: the path under the API
//! base (`realtime` for GA and beta, `realtime/translations` for
//! translation) and, for beta, the `OpenAI-Beta` header value. This is their
//! one home: the generated `SURFACE` descriptors carry them to the client
//! and the mock.

use serde_json::Value;

use crate::error::{Error, pointer_push, schema_pointer};
use crate::ir::{Direction, Endpoint, UnionOrigin};
use crate::load::{LoadedSpec, SchemaStore};

/// One surface to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct SurfacePlan {
    /// The module name.
    pub module: &'static str,
    /// Module documentation.
    pub doc: String,
    /// How the surface is reached.
    pub endpoint: Endpoint,
    /// Its event unions, client first.
    pub unions: Vec<UnionPlan>,
}

/// One event union to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct UnionPlan {
    /// The Rust name inside the surface module.
    pub name: &'static str,
    /// Documentation of the union.
    pub doc: &'static str,
    /// Where the member list comes from.
    pub origin: UnionOrigin,
    /// Who sends these events.
    pub direction: Direction,
    /// Where that is in the document (a JSON pointer).
    pub pointer: String,
    /// The member schema names, in document order.
    pub members: Vec<String>,
    /// Where each member is listed (a JSON pointer), for error messages.
    pub member_sites: Vec<String>,
}

struct UnionSource {
    schema: &'static str,
    group: &'static str,
}

/// The WebSocket path of the GA and beta surfaces, under the API base.
const REALTIME_PATH: &str = "realtime";
/// The WebSocket path of translation sessions, under the API base.
pub(crate) const TRANSLATION_PATH: &str = "realtime/translations";
/// The `OpenAI-Beta` header value that selects the beta surface.
const BETA_HEADER: &str = "realtime=v1";

/// The endpoint at `path`, selected by the `OpenAI-Beta` value `beta_header`.
fn endpoint(path: &str, beta_header: Option<&str>) -> Endpoint {
    Endpoint {
        path: path.into(),
        beta_header: beta_header.map(str::to_string),
    }
}

const CLIENT_DOC: &str = "An event the client sends to the server.";
const SERVER_DOC: &str = "An event the server sends to the client.";

/// Finds the surfaces of a document.
pub fn plan(spec: &mut LoadedSpec) -> Result<Vec<SurfacePlan>, Error> {
    let LoadedSpec { schemas, oai_meta } = spec;
    let groups = Groups::read(oai_meta.as_ref());
    let has_ga = groups.find("realtime-beta-client-events").is_some()
        || groups.find("realtime-beta-server-events").is_some();
    let mut plans = Vec::new();
    let mut add = |module: &'static str,
                   doc: String,
                   endpoint: Endpoint,
                   client: UnionSource,
                   server: UnionSource|
     -> Result<(), Error> {
        let mut unions = Vec::new();
        for (name, union_doc, direction, source) in [
            ("ClientEvent", CLIENT_DOC, Direction::ClientToServer, client),
            ("ServerEvent", SERVER_DOC, Direction::ServerToClient, server),
        ] {
            let named = Named {
                name,
                doc: union_doc,
                direction,
            };
            if let Some(union) = find_union(schemas, &groups, &source, named)? {
                unions.push(union);
            }
        }
        if !unions.is_empty() {
            plans.push(SurfacePlan {
                module,
                doc,
                endpoint,
                unions,
            });
        }
        Ok(())
    };
    if has_ga {
        add(
            "ga",
            format!("The generally available Realtime API (`/v1/{REALTIME_PATH}`)."),
            endpoint(REALTIME_PATH, None),
            UnionSource {
                schema: "RealtimeClientEvent",
                group: "realtime-client-events",
            },
            UnionSource {
                schema: "RealtimeServerEvent",
                group: "realtime-server-events",
            },
        )?;
        add(
            "beta",
            format!(
                "The deprecated beta Realtime API, selected with the header `OpenAI-Beta: {BETA_HEADER}`."
            ),
            endpoint(REALTIME_PATH, Some(BETA_HEADER)),
            UnionSource {
                schema: "RealtimeBetaClientEvent",
                group: "realtime-beta-client-events",
            },
            UnionSource {
                schema: "RealtimeBetaServerEvent",
                group: "realtime-beta-server-events",
            },
        )?;
    } else {
        add(
            "beta",
            format!(
                "The beta Realtime API, selected with the header `OpenAI-Beta: {BETA_HEADER}`."
            ),
            endpoint(REALTIME_PATH, Some(BETA_HEADER)),
            UnionSource {
                schema: "RealtimeClientEvent",
                group: "realtime-client-events",
            },
            UnionSource {
                schema: "RealtimeServerEvent",
                group: "realtime-server-events",
            },
        )?;
    }
    add(
        "translation",
        "Realtime translation sessions.".into(),
        endpoint(TRANSLATION_PATH, None),
        UnionSource {
            schema: "RealtimeTranslationClientEvent",
            group: "realtime-translation-client-events",
        },
        UnionSource {
            schema: "RealtimeTranslationServerEvent",
            group: "realtime-translation-server-events",
        },
    )?;
    if plans.is_empty() {
        return Err(Error::Surface {
            pointer: "/components/schemas".into(),
            reason: "the document defines no Realtime event union and no Realtime event group"
                .into(),
        });
    }
    Ok(plans)
}

/// How a union is called in the output.
struct Named {
    name: &'static str,
    doc: &'static str,
    direction: Direction,
}

fn find_union(
    schemas: &mut SchemaStore,
    groups: &Groups,
    source: &UnionSource,
    named: Named,
) -> Result<Option<UnionPlan>, Error> {
    if let Some(schema) = schemas.get(source.schema)? {
        let pointer = schema_pointer(source.schema);
        let (members, member_sites) = union_members(&schema, &pointer)?.into_iter().unzip();
        return Ok(Some(UnionPlan {
            name: named.name,
            doc: named.doc,
            direction: named.direction,
            origin: UnionOrigin::Schema(source.schema.to_string()),
            pointer,
            members,
            member_sites,
        }));
    }
    let Some((index, group)) = groups.find(source.group) else {
        return Ok(None);
    };
    let pointer = format!("/x-oaiMeta/groups/{index}");
    let mut members = Vec::new();
    let mut member_sites = Vec::new();
    let sections = group
        .get("sections")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    for (i, section) in sections.iter().enumerate() {
        if section.get("type").and_then(Value::as_str) != Some("object") {
            continue;
        }
        let Some(key) = section.get("key").and_then(Value::as_str) else {
            return Err(Error::Surface {
                pointer: format!("{pointer}/sections/{i}"),
                reason: "an object section without a string `key`".into(),
            });
        };
        if !schemas.contains(key) {
            return Err(Error::Surface {
                pointer: format!("{pointer}/sections/{i}"),
                reason: format!("the group lists `{key}`, which is not a component schema"),
            });
        }
        members.push(key.to_string());
        member_sites.push(group_section_pointer(index, i));
    }
    if members.is_empty() {
        return Err(Error::Surface {
            pointer,
            reason: format!("the group `{}` lists no event schema", source.group),
        });
    }
    Ok(Some(UnionPlan {
        name: named.name,
        doc: named.doc,
        direction: named.direction,
        origin: UnionOrigin::Group(source.group.to_string()),
        pointer,
        members,
        member_sites,
    }))
}

/// The member schema names of a union schema, each with where it is listed.
fn union_members(
    schema: &openapiv3::ReferenceOr<openapiv3::Schema>,
    pointer: &str,
) -> Result<Vec<(String, String)>, Error> {
    use openapiv3::{ReferenceOr, SchemaKind};
    let ReferenceOr::Item(schema) = schema else {
        return Err(Error::Surface {
            pointer: pointer.into(),
            reason: "an event union must be a schema, not a `$ref`".into(),
        });
    };
    let (keyword, members) = match &schema.schema_kind {
        SchemaKind::AnyOf { any_of } => ("anyOf", any_of),
        SchemaKind::OneOf { one_of } => ("oneOf", one_of),
        SchemaKind::Any(any) if !any.any_of.is_empty() => ("anyOf", &any.any_of),
        SchemaKind::Any(any) if !any.one_of.is_empty() => ("oneOf", &any.one_of),
        _ => {
            return Err(Error::Surface {
                pointer: pointer.into(),
                reason: "an event union must be an `anyOf` or `oneOf` of `$ref`s".into(),
            });
        }
    };
    members
        .iter()
        .enumerate()
        .map(|(i, member)| match member {
            ReferenceOr::Reference { reference } => {
                let site = format!("{pointer}/{keyword}/{i}");
                match reference.strip_prefix("#/components/schemas/") {
                    Some(name) => Ok((name.to_string(), site)),
                    None => Err(Error::UnresolvedRef {
                        pointer: site,
                        reference: reference.clone(),
                    }),
                }
            }
            ReferenceOr::Item(_) => Err(Error::Surface {
                pointer: format!("{pointer}/{keyword}/{i}"),
                reason: "event union members must be `$ref`s to event schemas".into(),
            }),
        })
        .collect()
}

/// The `x-oaiMeta.groups` of a document.
struct Groups<'a>(Vec<&'a Value>);

impl<'a> Groups<'a> {
    fn read(oai_meta: Option<&'a Value>) -> Self {
        let groups = oai_meta
            .and_then(|meta| meta.get("groups"))
            .and_then(Value::as_array)
            .map(|groups| groups.iter().collect())
            .unwrap_or_default();
        Groups(groups)
    }

    fn find(&self, id: &str) -> Option<(usize, &'a Value)> {
        self.0
            .iter()
            .enumerate()
            .find(|(_, group)| group.get("id").and_then(Value::as_str) == Some(id))
            .map(|(index, group)| (index, *group))
    }
}

/// JSON pointer of a group section.
fn group_section_pointer(group_index: usize, section_index: usize) -> String {
    pointer_push(
        &format!("/x-oaiMeta/groups/{group_index}/sections"),
        &section_index.to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The surfaces of a document with these component schemas and
    /// `x-oaiMeta` groups, by module, with their endpoints.
    fn endpoints(schemas: Value, groups: Value) -> Vec<(&'static str, Endpoint)> {
        let document = json!({
            "openapi": "3.1.0",
            "components": {"schemas": schemas},
            "x-oaiMeta": {"groups": groups},
        });
        let mut spec = crate::load::load(document).expect("an OpenAPI 3 document");
        plan(&mut spec)
            .expect("the document has surfaces")
            .into_iter()
            .map(|plan| (plan.module, plan.endpoint))
            .collect()
    }

    fn ping() -> Value {
        json!({"type": "object", "required": ["type"], "properties": {"type": {"const": "ping"}}})
    }

    fn union() -> Value {
        json!({"anyOf": [{"$ref": "#/components/schemas/Ping"}]})
    }

    #[test]
    fn each_surface_has_its_path_and_only_beta_has_a_header() {
        let schemas = json!({
            "RealtimeServerEvent": union(),
            "RealtimeTranslationServerEvent": union(),
            "Ping": ping(),
        });
        let groups = json!([{
            "id": "realtime-beta-server-events",
            "sections": [{"type": "object", "key": "Ping"}],
        }]);
        assert_eq!(
            endpoints(schemas, groups),
            [
                ("ga", endpoint("realtime", None)),
                ("beta", endpoint("realtime", Some("realtime=v1"))),
                ("translation", endpoint("realtime/translations", None)),
            ]
        );
    }

    #[test]
    fn a_document_before_ga_has_the_beta_endpoint() {
        let schemas = json!({"RealtimeServerEvent": union(), "Ping": ping()});
        assert_eq!(
            endpoints(schemas, json!([])),
            [("beta", endpoint("realtime", Some("realtime=v1")))]
        );
    }
}
