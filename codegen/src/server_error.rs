//! How each surface's server `error` event reads as a
//! `realtime_types::ServerErrorRef`: the parts a transport reports (the
//! error's `type`, `code`, `message`, `param` and the `event_id` of the
//! client event at fault), found in the model rather than written per surface.
//!
//! The rule: the server union's member whose tag is `error` is a struct with
//! an `error` field whose type (through aliases) is a struct, the details.
//! Each part is the details' property of that wire name, which must be a
//! string (through aliases); how it is read follows from its presence
//! (`String`, `Option<String>` or `Option<Option<String>>`).
//!
//! - A surface without a server `error` event gets no access (its
//!   `server_error()` is always `None`).
//! - `code`, `param` and `event_id` may be missing from the schema: that
//!   part is then always `None`.
//! - `type` and `message` must be there: without them there is nothing to
//!   report, so generation stops, naming the schema. When the spec makes
//!   them optional (the first versions did), an absent one reads as `""`.
//! - Any part present but not a string stops generation too: reading it as
//!   `None` would hide what the server said.
//! - An `error` event whose `error` field is optional (or nullable) and
//!   absent (or `null`) has no parts: `server_error()` is `None` for it.

use crate::error::Error;
use crate::ir::{
    Direction, FieldAccess, ServerErrorAccess, StructType, TypeDef, TypeKind, TypeRef, TypeSpace,
};

/// The tag of the server `error` event, and the name of its details field.
pub const ERROR: &str = "error";

/// Sets [`Surface::server_error`](crate::ir::Surface::server_error) on every
/// surface (see the module documentation).
pub fn plan(space: &mut TypeSpace) -> Result<(), Error> {
    let mut found = Vec::new();
    for surface in &space.surfaces {
        let server = surface
            .unions
            .iter()
            .find(|union| union.direction == Direction::ServerToClient);
        found.push(match server {
            Some(union) => union_access(space, &union.id)?,
            None => None,
        });
    }
    for (surface, access) in space.surfaces.iter_mut().zip(found) {
        surface.server_error = access;
    }
    Ok(())
}

/// The access of the `error` member of the union `id`, if it has one.
fn union_access(space: &TypeSpace, id: &str) -> Result<Option<ServerErrorAccess>, Error> {
    let Some(union_def) = space.types.get(id) else {
        return Ok(None);
    };
    let TypeKind::TaggedUnion(union) = &union_def.kind else {
        return Ok(None);
    };
    let Some(variant) = union.variants.iter().find(|v| v.tag_value == ERROR) else {
        return Ok(None);
    };
    let event = space.types.get(&variant.ty);
    let Some((event_def, event_struct)) = event.and_then(|def| Some((def, as_struct(def)?))) else {
        let pointer = event.map_or(&union_def.source, |d| &d.source).clone();
        return Err(surface_error(
            pointer,
            "the server `error` event is not an object, so its parts cannot be read",
        ));
    };
    let Some(details_field) = event_struct.fields.iter().find(|f| f.wire_name == ERROR) else {
        return Err(surface_error(
            event_def.source.clone(),
            "the server `error` event has no `error` property, so its parts cannot be read",
        ));
    };
    let details = match space.resolve(&details_field.ty) {
        TypeRef::Named(details) => space
            .types
            .get(details)
            .and_then(|def| Some((def, as_struct(def)?))),
        _ => None,
    };
    let Some((details_def, details_struct)) = details else {
        return Err(surface_error(
            details_field.source.clone(),
            "the `error` property of the server `error` event is not an object, so its parts cannot be read",
        ));
    };
    let part = |wire_name: &str| string_field(space, details_def, details_struct, wire_name);
    let required_part = |wire_name: &str| {
        part(wire_name)?.ok_or_else(|| {
            surface_error(
                details_def.source.clone(),
                format!(
                    "the `error` object of the server `error` event has no `{wire_name}` property, which an error report needs"
                ),
            )
        })
    };
    Ok(Some(ServerErrorAccess {
        variant: variant.name.clone(),
        details: FieldAccess {
            rust_name: details_field.rust_name.clone(),
            presence: details_field.presence(),
        },
        error_type: required_part("type")?,
        message: required_part("message")?,
        code: part("code")?,
        param: part("param")?,
        event_id: part("event_id")?,
    }))
}

fn as_struct(def: &TypeDef) -> Option<&StructType> {
    match &def.kind {
        TypeKind::Struct(s) => Some(s),
        _ => None,
    }
}

/// The string field `wire_name` of the details struct; `None` when it has none.
fn string_field(
    space: &TypeSpace,
    def: &TypeDef,
    details: &StructType,
    wire_name: &str,
) -> Result<Option<FieldAccess>, Error> {
    let Some(field) = details.fields.iter().find(|f| f.wire_name == wire_name) else {
        if details.constants.iter().any(|c| c.wire_name == wire_name) {
            return Err(surface_error(
                def.source.clone(),
                format!(
                    "the `{wire_name}` of the server `error` event's `error` object has a single value, so it is not a field to read"
                ),
            ));
        }
        return Ok(None);
    };
    // Through aliases (`pub type Code = String`), whose values read alike.
    if field.boxed || *space.resolve(&field.ty) != TypeRef::String {
        return Err(surface_error(
            field.source.clone(),
            format!(
                "the `{wire_name}` of the server `error` event's `error` object is not a string, so it cannot be reported"
            ),
        ));
    }
    Ok(Some(FieldAccess {
        rust_name: field.rust_name.clone(),
        presence: field.presence(),
    }))
}

fn surface_error(pointer: String, reason: impl Into<String>) -> Error {
    Error::Surface {
        pointer,
        reason: reason.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Field, Presence, TaggedUnion, TaggedVariant, TypeId};
    use crate::test_fixtures::{def, server_surface};

    fn field(name: &str, ty: TypeRef, required: bool, nullable: bool) -> Field {
        Field {
            wire_name: name.into(),
            rust_name: if name == "type" {
                "r#type".into()
            } else {
                name.into()
            },
            ty,
            required,
            nullable,
            boxed: false,
            description: None,
            bounds: Vec::new(),
            source: format!("#/field/{name}"),
        }
    }

    fn object(fields: Vec<Field>) -> TypeKind {
        TypeKind::Struct(StructType {
            fields,
            constants: Vec::new(),
            derives_default: false,
            borrowed_view: false,
            construction: Default::default(),
        })
    }

    /// A `ga` surface whose server union has the members `(tag, type)`,
    /// with `defs` beside it.
    fn space(members: &[(&str, &str)], defs: Vec<(TypeId, TypeDef)>) -> TypeSpace {
        let union = TaggedUnion {
            tag: "type".into(),
            variants: members
                .iter()
                .map(|(tag, ty)| TaggedVariant {
                    name: (*ty).into(),
                    tag_value: (*tag).into(),
                    ty: (*ty).into(),
                    boxed: true,
                    tag_field: None,
                })
                .collect(),
            is_event_union: true,
            borrowed_view: false,
            conversions: Vec::new(),
        };
        let mut space = TypeSpace::default();
        space.types.extend(defs);
        space
            .types
            .extend([def("ServerEvent", TypeKind::TaggedUnion(union))]);
        space.surfaces.push(server_surface("ga"));
        space
    }

    /// An `error` event (`Problem`) whose details (`Details`) have `parts`.
    fn error_space(parts: Vec<Field>) -> TypeSpace {
        space(
            &[("error", "Problem"), ("session.closed", "Closed")],
            vec![
                def(
                    "Problem",
                    object(vec![
                        field("event_id", TypeRef::String, true, false),
                        field("error", TypeRef::Named("DetailsAlias".into()), true, false),
                    ]),
                ),
                def(
                    "DetailsAlias",
                    TypeKind::Alias(TypeRef::Named("Details".into())),
                ),
                def("Details", object(parts)),
                def("Closed", object(Vec::new())),
                def("Text", TypeKind::Alias(TypeRef::String)),
            ],
        )
    }

    fn access(rust_name: &str, presence: Presence) -> FieldAccess {
        FieldAccess {
            rust_name: rust_name.into(),
            presence,
        }
    }

    #[test]
    fn each_part_is_read_through_its_presence_and_aliases() {
        let mut space = error_space(vec![
            field("type", TypeRef::String, true, false),
            field("code", TypeRef::String, false, true),
            field("message", TypeRef::Named("Text".into()), false, false),
            field("param", TypeRef::String, true, true),
            field("retry_after", TypeRef::Integer, false, false),
        ]);
        plan(&mut space).expect("the parts are strings");
        assert_eq!(
            space.surfaces[0].server_error,
            Some(ServerErrorAccess {
                variant: "Problem".into(),
                details: access("error", Presence::Plain),
                error_type: access("r#type", Presence::Plain),
                message: access("message", Presence::Optional),
                code: Some(access("code", Presence::OptionalNullable)),
                param: Some(access("param", Presence::Optional)),
                event_id: None,
            })
        );
    }

    #[test]
    fn a_surface_without_an_error_event_has_no_access() {
        let mut space = space(
            &[("session.closed", "Closed")],
            vec![def("Closed", object(Vec::new()))],
        );
        plan(&mut space).expect("nothing to read");
        assert_eq!(space.surfaces[0].server_error, None);
    }

    #[test]
    fn details_without_a_message_are_an_error_naming_them() {
        let mut space = error_space(vec![field("type", TypeRef::String, true, false)]);
        let error = plan(&mut space).expect_err("no message");
        assert!(
            matches!(&error, Error::Surface { pointer, reason }
                if pointer == "/components/schemas/Details" && reason.contains("`message`")),
            "{error:?}"
        );
    }

    #[test]
    fn a_part_that_is_not_a_string_is_an_error_naming_it() {
        let mut space = error_space(vec![
            field("type", TypeRef::String, true, false),
            field("message", TypeRef::String, true, false),
            field("code", TypeRef::Integer, false, false),
        ]);
        let error = plan(&mut space).expect_err("an integer code");
        assert!(
            matches!(&error, Error::Surface { pointer, reason }
                if pointer == "#/field/code" && reason.contains("not a string")),
            "{error:?}"
        );
    }

    #[test]
    fn an_error_event_without_details_is_an_error() {
        let mut space = space(
            &[("error", "Problem")],
            vec![def(
                "Problem",
                object(vec![field("message", TypeRef::String, true, false)]),
            )],
        );
        let error = plan(&mut space).expect_err("no `error` object");
        assert!(
            matches!(&error, Error::Surface { pointer, .. } if pointer == "/components/schemas/Problem"),
            "{error:?}"
        );
    }
}
