//! Pieces of a model the passes' unit tests build their cases from.

use crate::error::schema_pointer;
use crate::ir::{
    Direction, Endpoint, EventUnion, Module, Surface, TypeDef, TypeId, TypeKind, UnionOrigin,
};

/// A shared type named `name` (its spec name, Rust name and only name part),
/// from the component schema of that name (its JSON pointer, as the model
/// records it).
pub(crate) fn def(name: &str, kind: TypeKind) -> (TypeId, TypeDef) {
    let def = TypeDef {
        name: name.into(),
        spec_name: name.into(),
        name_parts: vec![name.into()],
        merged_sources: Vec::new(),
        module: Module::Shared,
        description: None,
        source: schema_pointer(name),
        kind,
    };
    (name.into(), def)
}

/// A surface `module` (at `realtime`, no beta header) whose one union is the
/// server union `ServerEvent`.
pub(crate) fn server_surface(module: &str) -> Surface {
    Surface {
        module: module.into(),
        doc: Vec::new(),
        endpoint: Endpoint {
            path: "realtime".into(),
            beta_header: None,
        },
        unions: vec![EventUnion {
            id: "ServerEvent".into(),
            origin: UnionOrigin::Schema("RealtimeServerEvent".into()),
            direction: Direction::ServerToClient,
        }],
        server_error: None,
    }
}
