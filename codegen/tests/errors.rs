//! A spec the generator cannot handle stops with a typed [`Error`] that names
//! the JSON pointer of the schema at fault and the reason — never a panic.
//!
//! Every test builds a tiny OpenAPI 3.1 document inline: [`spec`] wraps the
//! given component schemas with a `RealtimeServerEvent` `anyOf` union of the
//! named event schemas (a document without `realtime-beta-*` groups, so the
//! union is the `beta` surface), and [`event`] writes one event schema with a
//! constant `type`. Each case is run through both [`model`] and [`generate`],
//! which must agree, and the pointer in the error must be exactly the spec
//! location of the fault (and appear in the `Display` text).
//!
//! Schema names avoid the reserved type names (`A`, `D`, `E`, `S` are
//! generic parameters of generated impls), hence `Ev`, `Alpha`, `Bravo`.

use realtime_codegen::error::Error;
use realtime_codegen::ir::{JsonKind, KindPayload, TypeKind, TypeRef};
use realtime_codegen::{Model, Options, SpecStamp, generate, load, model};

/// Removes the indentation common to every non-blank line.
fn dedent(text: &str) -> String {
    let indent = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.len() - line.trim_start().len())
        .min()
        .unwrap_or(0);
    text.lines()
        .map(|line| line.get(indent..).unwrap_or("").trim_end())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Indents every line of (dedented) `text` by `spaces`.
fn indent(text: &str, spaces: usize) -> String {
    let pad = " ".repeat(spaces);
    dedent(text)
        .lines()
        .map(|line| {
            if line.is_empty() {
                String::new()
            } else {
                format!("{pad}{line}\n")
            }
        })
        .collect()
}

/// Component schemas from separately indented YAML blocks.
fn schemas(blocks: &[&str]) -> String {
    blocks.iter().map(|block| indent(block, 0)).collect()
}

/// A whole document: `schemas` (YAML mapping of component schemas, at any
/// indentation) plus a `RealtimeServerEvent: {anyOf: [$ref: <event>...]}` union.
fn spec(events: &[&str], schemas: &str) -> String {
    let members: String = events
        .iter()
        .map(|event| format!("- $ref: '#/components/schemas/{event}'\n"))
        .collect();
    document(&members, schemas)
}

/// A whole document whose `RealtimeServerEvent` union has the `anyOf`
/// members `members` (YAML sequence entries, any indentation).
fn document(members: &str, schemas: &str) -> String {
    format!(
        "openapi: 3.1.0\ninfo:\n  title: errors\n  version: '1'\npaths: {{}}\ncomponents:\n  schemas:\n    RealtimeServerEvent:\n      anyOf:\n{}{}",
        indent(members, 8),
        indent(schemas, 4)
    )
}

/// One event schema `name` whose required `type` is the constant
/// `type_value`, plus `properties` (YAML mapping entries, any indentation).
fn event(name: &str, type_value: &str, properties: &str) -> String {
    format!(
        "{name}:\n  type: object\n  required: [type]\n  properties:\n    type:\n      const: {type_value}\n{}",
        indent(properties, 4)
    )
}

fn stamp() -> SpecStamp {
    SpecStamp {
        sha256: "0".repeat(64),
        pinned: false,
        origin: None,
    }
}

/// Runs a document through [`model`] and [`generate`]; they must agree.
fn outcome(text: &str) -> Result<Model, Error> {
    let document = load::parse_yaml(text).unwrap_or_else(|e| panic!("test spec: {e}\n{text}"));
    let modelled = model(document, &Options::default());
    let generated = generate(text, &Options::default(), &stamp());
    match (&modelled, generated) {
        (Ok(_), Ok(files)) => assert!(!files.is_empty()),
        (Err(error), Err(generated)) => {
            assert_eq!(error, &generated, "model and generate disagree")
        }
        (Ok(_), Err(generated)) => panic!("the model is built but generate fails: {generated}"),
        (Err(error), Ok(_)) => panic!("generate succeeds but the model fails: {error}"),
    }
    modelled
}

/// The error a document must stop with.
fn error(text: &str) -> Error {
    match outcome(text) {
        Err(error) => error,
        Ok(model) => panic!(
            "expected an error, the generator accepted the spec (types: {:?})\n{text}",
            model.space.types.keys().collect::<Vec<_>>()
        ),
    }
}

/// The pointer an error names (for a name collision: the schema that lost).
fn pointer_of(error: &Error) -> &str {
    match error {
        Error::UnresolvedRef { pointer, .. }
        | Error::Unsupported { pointer, .. }
        | Error::Surface { pointer, .. } => pointer,
        Error::NameCollision { second, .. } => second,
        other => panic!("{other:?} names no pointer"),
    }
}

/// The error's pointer is exactly `expected`, and its text shows it.
#[track_caller]
fn assert_pointer(error: &Error, expected: &str) {
    assert_eq!(pointer_of(error), expected, "wrong pointer in {error:?}");
    let text = error.to_string();
    assert!(
        text.contains(expected),
        "the message does not show the pointer `{expected}`: {text}"
    );
}

#[track_caller]
fn assert_unsupported(error: &Error, expected_pointer: &str, reason_part: &str) {
    assert!(
        matches!(error, Error::Unsupported { .. }),
        "expected Error::Unsupported, got {error:?}"
    );
    assert_pointer(error, expected_pointer);
    if let Error::Unsupported { reason, .. } = error {
        assert!(
            reason.contains(reason_part),
            "the reason should mention `{reason_part}`: {reason}"
        );
    }
}

#[track_caller]
fn assert_unresolved(error: &Error, expected_pointer: &str, expected_reference: &str) {
    match error {
        Error::UnresolvedRef { reference, .. } => assert_eq!(reference, expected_reference),
        other => panic!("expected Error::UnresolvedRef, got {other:?}"),
    }
    assert_pointer(error, expected_pointer);
    assert!(error.to_string().contains(expected_reference), "{error}");
}

// --- `$ref` to a missing schema -------------------------------------------

#[test]
fn missing_ref_in_a_property_names_the_property() {
    let text = spec(
        &["Ev"],
        &event("Ev", "ev", "x: {$ref: '#/components/schemas/Missing'}"),
    );
    assert_unresolved(
        &error(&text),
        "/components/schemas/Ev/properties/x",
        "#/components/schemas/Missing",
    );
}

#[test]
fn missing_ref_in_array_items_names_the_items() {
    let text = spec(
        &["Ev"],
        &event(
            "Ev",
            "ev",
            "x: {type: array, items: {$ref: '#/components/schemas/Missing'}}",
        ),
    );
    assert_unresolved(
        &error(&text),
        "/components/schemas/Ev/properties/x/items",
        "#/components/schemas/Missing",
    );
}

#[test]
fn missing_ref_in_a_component_names_the_component() {
    let text = spec(
        &["Ev"],
        &format!(
            "{}\nAlias:\n  $ref: '#/components/schemas/Missing'\n",
            event("Ev", "ev", "x: {$ref: '#/components/schemas/Alias'}")
        ),
    );
    assert_unresolved(
        &error(&text),
        "/components/schemas/Alias",
        "#/components/schemas/Missing",
    );
}

#[test]
fn missing_ref_outside_components_names_the_ref_site() {
    let text = spec(
        &["Ev"],
        &event("Ev", "ev", "x: {$ref: '#/definitions/Missing'}"),
    );
    assert_unresolved(
        &error(&text),
        "/components/schemas/Ev/properties/x",
        "#/definitions/Missing",
    );
}

#[test]
fn missing_event_union_member_names_the_member() {
    let text = spec(&["Ev", "Missing"], &event("Ev", "ev", "x: {type: string}"));
    assert_unresolved(
        &error(&text),
        "/components/schemas/RealtimeServerEvent/anyOf/1",
        "#/components/schemas/Missing",
    );
}

#[test]
fn missing_event_group_member_names_the_section() {
    // No union schema: the surface comes from the `x-oaiMeta` group, and a
    // member the group lists but the document lacks is reported where the
    // group lists it.
    let groups = r#"
        x-oaiMeta:
          groups:
            - id: realtime
              sections: []
            - id: realtime-server-events
              sections:
                - {type: object, key: Ev, path: ev}
                - {type: object, key: Missing, path: missing}
        "#;
    let text = format!(
        "openapi: 3.1.0\ninfo:\n  title: errors\n  version: '1'\npaths: {{}}\n{}components:\n  schemas:\n{}",
        indent(groups, 0),
        indent(&event("Ev", "ev", "x: {type: string}"), 4)
    );
    let error = error(&text);
    assert!(
        matches!(error, Error::Surface { .. }),
        "expected Error::Surface, got {error:?}"
    );
    assert_pointer(&error, "/x-oaiMeta/groups/1/sections/1");
    assert!(error.to_string().contains("`Missing`"), "{error}");
}

#[test]
fn missing_ref_beside_a_description_names_the_ref_site() {
    let text = spec(
        &["Ev"],
        &event(
            "Ev",
            "ev",
            "x: {description: d, $ref: '#/components/schemas/Missing'}",
        ),
    );
    assert_unresolved(
        &error(&text),
        "/components/schemas/Ev/properties/x",
        "#/components/schemas/Missing",
    );
}

#[test]
fn missing_ref_in_a_nullable_any_of_names_the_member() {
    let text = spec(
        &["Ev"],
        &event(
            "Ev",
            "ev",
            r#"
            x:
              anyOf:
                - type: "null"
                - $ref: '#/components/schemas/Missing'
            "#,
        ),
    );
    assert_unresolved(
        &error(&text),
        "/components/schemas/Ev/properties/x/anyOf/1",
        "#/components/schemas/Missing",
    );
}

// --- cycles that never reach a definition -----------------------------------

#[test]
fn bare_ref_cycle_is_an_error() {
    let text = spec(
        &["Ev"],
        &format!(
            "{}\nAlpha:\n  $ref: '#/components/schemas/Bravo'\nBravo:\n  $ref: '#/components/schemas/Alpha'\n",
            event("Ev", "ev", "x: {$ref: '#/components/schemas/Alpha'}")
        ),
    );
    // Entered through `Alpha` (from the field), so `Alpha` is the schema reported.
    assert_unsupported(&error(&text), "/components/schemas/Alpha", "cycle");
}

#[test]
fn all_of_alias_cycle_is_an_error() {
    let text = spec(
        &["Ev"],
        &format!(
            "{}\nAlpha:\n  allOf: [{{$ref: '#/components/schemas/Bravo'}}]\nBravo:\n  allOf: [{{$ref: '#/components/schemas/Alpha'}}]\n",
            event("Ev", "ev", "x: {$ref: '#/components/schemas/Alpha'}")
        ),
    );
    // Either schema of the cycle is a fair report; the generator checks
    // aliases in name order, so it names `Alpha`.
    let error = error(&text);
    assert_unsupported(&error, "/components/schemas/Alpha", "cycle");
}

#[test]
fn all_of_of_itself_is_an_error() {
    let text = spec(
        &["Ev"],
        &format!(
            "{}\nAlpha:\n  allOf: [{{$ref: '#/components/schemas/Alpha'}}]\n",
            event("Ev", "ev", "x: {$ref: '#/components/schemas/Alpha'}")
        ),
    );
    assert_unsupported(&error(&text), "/components/schemas/Alpha", "itself");
}

#[test]
fn recursive_struct_through_a_property_is_not_an_error() {
    let text = spec(
        &["Ev"],
        &schemas(&[
            &event("Ev", "ev", "root: {$ref: '#/components/schemas/Node'}"),
            r#"
            Node:
              type: object
              properties:
                children:
                  type: array
                  items: {$ref: '#/components/schemas/Node'}
                next: {$ref: '#/components/schemas/Node'}
                label: {type: string}
            "#,
        ]),
    );
    let model = outcome(&text).unwrap_or_else(|e| panic!("a recursive struct is fine: {e}"));
    let Some(TypeKind::Struct(node)) = model.space.types.get("Node").map(|d| &d.kind) else {
        panic!(
            "`Node` should be a struct: {:?}",
            model.space.types.get("Node")
        );
    };
    let field = |name: &str| {
        node.fields
            .iter()
            .find(|f| f.wire_name == name)
            .unwrap_or_else(|| panic!("no field `{name}`"))
    };
    assert_eq!(field("next").ty, TypeRef::Named("Node".into()));
    assert!(field("next").boxed, "the by-value recursion must be boxed");
    assert_eq!(
        field("children").ty,
        TypeRef::Array(Box::new(TypeRef::Named("Node".into())))
    );
    assert!(!field("children").boxed, "a Vec needs no box");
}

#[test]
fn array_of_itself_is_an_error() {
    let text = spec(
        &["Ev"],
        &schemas(&[
            &event("Ev", "ev", "x: {$ref: '#/components/schemas/Alpha'}"),
            "Alpha: {type: array, items: {$ref: '#/components/schemas/Alpha'}}",
        ]),
    );
    assert_unsupported(&error(&text), "/components/schemas/Alpha", "cycle");
}

#[test]
fn map_of_itself_is_an_error() {
    let text = spec(
        &["Ev"],
        &schemas(&[
            &event("Ev", "ev", "x: {$ref: '#/components/schemas/Alpha'}"),
            "Alpha: {type: object, additionalProperties: {$ref: '#/components/schemas/Alpha'}}",
        ]),
    );
    assert_unsupported(&error(&text), "/components/schemas/Alpha", "cycle");
}

#[test]
fn union_containing_itself_is_an_error() {
    let text = spec(
        &["Ev"],
        &schemas(&[
            &event("Ev", "ev", "x: {$ref: '#/components/schemas/Alpha'}"),
            "Alpha: {anyOf: [{$ref: '#/components/schemas/Alpha'}, {type: string}]}",
        ]),
    );
    // The member that closes the cycle is named (more precise than the union).
    assert_unsupported(
        &error(&text),
        "/components/schemas/Alpha/anyOf/0",
        "infinite size",
    );
}

#[test]
fn union_containing_itself_through_an_alias_is_an_error() {
    let text = spec(
        &["Ev"],
        &schemas(&[
            &event("Ev", "ev", "x: {$ref: '#/components/schemas/Alpha'}"),
            "Alpha: {anyOf: [{$ref: '#/components/schemas/Bravo'}, {type: string}]}",
            "Bravo: {$ref: '#/components/schemas/Alpha'}",
        ]),
    );
    // `Bravo` is only another name for `Alpha`: the member is still the union.
    assert_unsupported(
        &error(&text),
        "/components/schemas/Alpha/anyOf/0",
        "infinite size",
    );
}

#[test]
fn recursion_through_a_union_member_struct_is_not_an_error() {
    let text = spec(
        &["Ev"],
        &schemas(&[
            &event("Ev", "ev", "x: {$ref: '#/components/schemas/Alpha'}"),
            r#"
            Alpha:
              anyOf:
                - {$ref: '#/components/schemas/Holder'}
                - {type: string}
            Holder:
              type: object
              properties:
                a: {$ref: '#/components/schemas/Alpha'}
            "#,
        ]),
    );
    let model =
        outcome(&text).unwrap_or_else(|e| panic!("recursion through a struct is fine: {e}"));
    let Some(TypeKind::Struct(s)) = model.space.types.get("Holder").map(|d| &d.kind) else {
        panic!("`Holder` should be a struct");
    };
    assert!(
        s.fields[0].boxed,
        "`Holder.a` closes the cycle and must be boxed"
    );
}

#[test]
fn mutually_recursive_structs_are_not_an_error() {
    let text = spec(
        &["Ev"],
        &schemas(&[
            &event("Ev", "ev", "a: {$ref: '#/components/schemas/Alpha'}"),
            r#"
            Alpha:
              type: object
              properties:
                b: {$ref: '#/components/schemas/Bravo'}
            Bravo:
              description: Refers back to Alpha.
              type: object
              properties:
                a:
                  description: A property with a description beside the `$ref`.
                  $ref: '#/components/schemas/Alpha'
            "#,
        ]),
    );
    let model = outcome(&text).unwrap_or_else(|e| panic!("mutual recursion is fine: {e}"));
    for name in ["Alpha", "Bravo"] {
        assert!(
            matches!(
                model.space.types.get(name).map(|d| &d.kind),
                Some(TypeKind::Struct(_))
            ),
            "`{name}` should be a struct"
        );
    }
}

// --- unsupported keywords -----------------------------------------------------

#[test]
fn not_in_a_reachable_schema_is_an_error() {
    let text = spec(&["Ev"], &event("Ev", "ev", "x: {not: {type: string}}"));
    assert_unsupported(
        &error(&text),
        "/components/schemas/Ev/properties/x",
        "`not`",
    );
}

#[test]
fn pattern_properties_in_a_reachable_schema_is_an_error() {
    let text = spec(
        &["Ev"],
        &event(
            "Ev",
            "ev",
            "x: {type: object, patternProperties: {'^a': {type: string}}}",
        ),
    );
    assert_unsupported(
        &error(&text),
        "/components/schemas/Ev/properties/x",
        "`patternProperties`",
    );
}

#[test]
fn unsupported_keyword_in_a_referenced_component_names_the_component() {
    let text = spec(
        &["Ev"],
        &schemas(&[
            &event("Ev", "ev", "x: {$ref: '#/components/schemas/Meta'}"),
            r#"
            Meta:
              type: object
              properties:
                a: {type: string}
              patternProperties:
                '^b': {type: string}
            "#,
        ]),
    );
    assert_unsupported(
        &error(&text),
        "/components/schemas/Meta",
        "`patternProperties`",
    );
}

#[test]
fn unsupported_keyword_in_array_items_names_the_items() {
    let text = spec(
        &["Ev"],
        &event(
            "Ev",
            "ev",
            "x: {type: array, items: {type: string, not: {enum: [a]}}}",
        ),
    );
    assert_unsupported(
        &error(&text),
        "/components/schemas/Ev/properties/x/items",
        "`not`",
    );
}

#[test]
fn unsupported_keyword_in_a_union_member_names_the_member() {
    let text = spec(
        &["Ev"],
        &event(
            "Ev",
            "ev",
            r#"
            x:
              anyOf:
                - type: string
                - type: object
                  patternProperties: {'^a': {type: string}}
            "#,
        ),
    );
    assert_unsupported(
        &error(&text),
        "/components/schemas/Ev/properties/x/anyOf/1",
        "`patternProperties`",
    );
}

#[test]
fn unsupported_keyword_in_an_unreachable_schema_is_fine() {
    let text = spec(
        &["Ev"],
        &schemas(&[
            &event("Ev", "ev", "x: {type: string}"),
            r#"
            Unused:
              not: {type: string}
            AlsoUnused:
              type: object
              patternProperties: {'^a': {type: string}}
            "#,
        ]),
    );
    let model = outcome(&text).unwrap_or_else(|e| panic!("an unused schema cannot fail: {e}"));
    assert!(
        model
            .space
            .types
            .values()
            .all(|def| !def.source.contains("Unused")),
        "unreachable schemas are not generated"
    );
}

#[test]
fn unsupported_keyword_in_an_all_of_member_property_is_an_error() {
    let text = spec(
        &["Ev"],
        r#"
        Ev:
          allOf:
            - type: object
              required: [type]
              properties:
                type: {const: e}
            - type: object
              properties:
                y: {type: string, not: {enum: [a]}}
        "#,
    );
    assert_unsupported(
        &error(&text),
        "/components/schemas/Ev/allOf/1/properties/y",
        "`not`",
    );
}

#[test]
fn unsupported_keyword_on_an_all_of_member_is_an_error() {
    let text = spec(
        &["Ev"],
        r#"
        Ev:
          allOf:
            - type: object
              required: [type]
              properties:
                type: {const: e}
            - type: object
              properties:
                y: {type: string}
              patternProperties: {'^a': {type: string}}
        "#,
    );
    assert_unsupported(
        &error(&text),
        "/components/schemas/Ev/allOf/1",
        "`patternProperties`",
    );
}

#[test]
fn unsupported_keyword_inside_a_nullable_any_of_names_the_spec_location() {
    let text = spec(
        &["Ev"],
        &event(
            "Ev",
            "ev",
            r#"
            x:
              anyOf:
                - type: object
                  properties:
                    y: {not: {type: string}}
                - type: "null"
            "#,
        ),
    );
    assert_unsupported(
        &error(&text),
        "/components/schemas/Ev/properties/x/anyOf/0/properties/y",
        "`not`",
    );
}

#[test]
fn type_array_with_two_non_null_types_is_a_kind_union() {
    // `type: [string, integer, "null"]` is lowered to an `anyOf` of the two
    // types, which a kind union tells apart; the `null` makes the field
    // nullable. The union and its members are defined from the property as
    // written (the lowering made the `anyOf` up).
    let text = spec(
        &["Ev"],
        &event("Ev", "ev", r#"x: {type: [string, integer, "null"]}"#),
    );
    let model = outcome(&text).unwrap_or_else(|e| panic!("a string or an integer is fine: {e}"));
    let Some(TypeKind::Struct(ev)) = model.space.types.get("Ev").map(|d| &d.kind) else {
        panic!("`Ev` should be a struct");
    };
    let x = ev
        .fields
        .iter()
        .find(|f| f.wire_name == "x")
        .expect("a field `x`");
    assert!(x.nullable, "`null` is one of the types: {x:?}");
    assert_eq!(x.source, "/components/schemas/Ev/properties/x");
    let TypeRef::Named(id) = &x.ty else {
        panic!("`x` should be a named kind union: {:?}", x.ty);
    };
    let def = &model.space.types[id];
    assert_eq!(def.source, "/components/schemas/Ev/properties/x");
    let TypeKind::KindUnion(union) = &def.kind else {
        panic!("`{id}` should be a kind union: {def:?}");
    };
    let kinds: Vec<(JsonKind, &KindPayload)> = union
        .variants
        .iter()
        .map(|v| (v.kind, &v.payload))
        .collect();
    assert_eq!(
        kinds,
        [
            (JsonKind::String, &KindPayload::Value(TypeRef::String)),
            (JsonKind::Integer, &KindPayload::Value(TypeRef::Integer)),
        ]
    );
}

#[test]
fn type_array_of_integer_and_number_is_ambiguous_at_the_schema() {
    // The members the lowering makes up have no place in the spec: the
    // error names the schema with the `type` array.
    let text = spec(&["Ev"], &event("Ev", "ev", "x: {type: [integer, number]}"));
    assert_unsupported(
        &error(&text),
        "/components/schemas/Ev/properties/x",
        "integer and a number",
    );
}

#[test]
fn type_array_with_two_non_null_types_in_an_unreachable_schema_is_fine() {
    let text = spec(
        &["Ev"],
        &schemas(&[
            &event("Ev", "ev", "x: {type: string}"),
            "Unused: {type: [string, integer]}",
        ]),
    );
    outcome(&text).unwrap_or_else(|e| panic!("an unused schema cannot fail: {e}"));
}

#[test]
fn non_string_constant_is_an_error() {
    let text = spec(&["Ev"], &event("Ev", "ev", "x: {const: 5}"));
    assert_unsupported(
        &error(&text),
        "/components/schemas/Ev/properties/x",
        "not a string",
    );
}

// --- names ------------------------------------------------------------------

#[test]
fn event_types_that_become_the_same_variant_name_collide() {
    let text = spec(
        &["Dotted", "Underscored"],
        &schemas(&[
            &event("Dotted", "a.b", "x: {type: string}"),
            &event("Underscored", "a_b", "y: {type: string}"),
        ]),
    );
    let error = error(&text);
    // The clash is between two members of the union, so the union is named.
    assert_unsupported(
        &error,
        "/components/schemas/RealtimeServerEvent",
        "variant name `AB`",
    );
    let text = error.to_string();
    assert!(text.contains("`a.b`") && text.contains("`a_b`"), "{text}");
}

#[test]
fn events_sharing_a_type_value_name_both_members() {
    let text = spec(
        &["First", "Second"],
        &schemas(&[
            &event("First", "same", "x: {type: string}"),
            &event("Second", "same", "y: {type: string}"),
        ]),
    );
    let error = error(&text);
    assert!(
        matches!(error, Error::Surface { .. }),
        "expected Error::Surface, got {error:?}"
    );
    assert_pointer(&error, "/components/schemas/RealtimeServerEvent");
    let text = error.to_string();
    for member in ["/components/schemas/First", "/components/schemas/Second"] {
        assert!(
            text.contains(member),
            "the message should name {member}: {text}"
        );
    }
}

#[test]
fn union_members_sharing_a_tag_without_another_constant_name_both() {
    let text = spec(
        &["Ev"],
        &schemas(&[
            &event(
                "Ev",
                "ev",
                r#"
                x:
                  anyOf:
                    - $ref: '#/components/schemas/M1'
                    - $ref: '#/components/schemas/M2'
                "#,
            ),
            &event("M1", "m", "a: {type: string}"),
            &event("M2", "m", "b: {type: string}"),
        ]),
    );
    let error = error(&text);
    assert_unsupported(
        &error,
        "/components/schemas/Ev/properties/x",
        "no other constant property",
    );
    let text = error.to_string();
    for member in [
        "/components/schemas/Ev/properties/x/anyOf/0",
        "/components/schemas/Ev/properties/x/anyOf/1",
    ] {
        assert!(
            text.contains(member),
            "the message should name {member}: {text}"
        );
    }
}

#[test]
fn union_members_sharing_a_tag_told_apart_by_another_constant_are_fine() {
    let text = spec(
        &["Ev"],
        &schemas(&[
            &event(
                "Ev",
                "ev",
                r#"
                x:
                  anyOf:
                    - $ref: '#/components/schemas/M1'
                    - $ref: '#/components/schemas/M2'
                "#,
            ),
            r#"
            M1:
              type: object
              required: [type, role]
              properties:
                type: {const: message}
                role: {const: user}
            M2:
              type: object
              required: [type, role]
              properties:
                type: {const: message}
                role: {const: assistant}
            "#,
        ]),
    );
    outcome(&text).unwrap_or_else(|e| panic!("`role` tells the members apart: {e}"));
}

#[test]
fn reserved_type_name_option_is_an_error() {
    let text = spec(
        &["Ev"],
        &format!(
            "{}\nOption:\n  type: string\n  enum: [a, b]\n",
            event("Ev", "ev", "x: {$ref: '#/components/schemas/Option'}")
        ),
    );
    let error = error(&text);
    assert!(
        matches!(&error, Error::NameCollision { name, .. } if name == "Option"),
        "expected a name collision on `Option`, got {error:?}"
    );
    assert_pointer(&error, "/components/schemas/Option");
}

#[test]
fn reserved_type_name_string_is_an_error() {
    let text = spec(
        &["Ev"],
        &format!(
            "{}\nString:\n  type: object\n  properties:\n    a: {{type: string}}\n",
            event("Ev", "ev", "x: {$ref: '#/components/schemas/String'}")
        ),
    );
    let error = error(&text);
    assert!(
        matches!(&error, Error::NameCollision { name, .. } if name == "String"),
        "expected a name collision on `String`, got {error:?}"
    );
    assert_pointer(&error, "/components/schemas/String");
}

#[test]
fn names_used_by_generated_impls_are_reserved() {
    // Generated impls use these unqualified (visitor types, generic
    // parameters): a schema of that name would shadow them.
    for name in ["FieldsVisitor", "KindVisitor", "A", "D", "E", "S"] {
        let text = spec(
            &["Ev"],
            &format!(
                "{}\n{name}:\n  type: object\n  properties:\n    a: {{type: string}}\n",
                event(
                    "Ev",
                    "ev",
                    &format!("x: {{$ref: '#/components/schemas/{name}'}}")
                )
            ),
        );
        let error = error(&text);
        assert!(
            matches!(&error, Error::NameCollision { name: taken, .. } if taken == name),
            "expected a name collision on `{name}`, got {error:?}"
        );
        assert_pointer(&error, &format!("/components/schemas/{name}"));
    }
}

#[test]
fn schema_whose_rust_name_is_reserved_is_an_error() {
    // `option` is not reserved as written, but its Rust name `Option` is.
    let text = spec(
        &["Ev"],
        &format!(
            "{}\noption:\n  type: string\n  enum: [a, b]\n",
            event("Ev", "ev", "x: {$ref: '#/components/schemas/option'}")
        ),
    );
    let error = error(&text);
    assert!(
        matches!(&error, Error::NameCollision { name, .. } if name == "Option"),
        "expected a name collision on `Option`, got {error:?}"
    );
    assert_pointer(&error, "/components/schemas/option");
}

#[test]
fn two_schemas_with_the_same_rust_name_collide() {
    let text = spec(
        &["Ev"],
        &format!(
            "{}\nmy_enum:\n  type: string\n  enum: [a, b]\nMyEnum:\n  type: string\n  enum: [c, d]\n",
            event(
                "Ev",
                "ev",
                "x: {$ref: '#/components/schemas/my_enum'}\ny: {$ref: '#/components/schemas/MyEnum'}"
            )
        ),
    );
    let error = error(&text);
    match &error {
        Error::NameCollision { name, first, .. } => {
            assert_eq!(name, "MyEnum");
            assert_eq!(first, "/components/schemas/my_enum");
        }
        other => panic!("expected a name collision, got {other:?}"),
    }
    assert_pointer(&error, "/components/schemas/MyEnum");
}

// --- shapes -------------------------------------------------------------------

#[test]
fn event_union_member_that_is_not_an_object_is_an_error() {
    let text = spec(
        &["Ev", "Text"],
        &format!(
            "{}\nText:\n  type: string\n",
            event("Ev", "ev", "x: {type: string}")
        ),
    );
    let error = error(&text);
    assert!(
        matches!(error, Error::Surface { .. }),
        "expected Error::Surface, got {error:?}"
    );
    assert_pointer(&error, "/components/schemas/Text");
}

#[test]
fn event_union_member_that_is_a_map_is_an_error() {
    let text = spec(
        &["Ev", "Bag"],
        &format!(
            "{}\nBag:\n  type: object\n  additionalProperties: true\n",
            event("Ev", "ev", "x: {type: string}")
        ),
    );
    let error = error(&text);
    assert!(
        matches!(error, Error::Surface { .. }),
        "expected Error::Surface, got {error:?}"
    );
    assert_pointer(&error, "/components/schemas/Bag");
}

#[test]
fn inline_event_union_member_is_an_error() {
    let text = document(
        r#"
        - $ref: '#/components/schemas/Ev'
        - type: object
          required: [type]
          properties:
            type: {const: inline}
        "#,
        &event("Ev", "ev", "x: {type: string}"),
    );
    let error = error(&text);
    assert!(
        matches!(error, Error::Surface { .. }),
        "expected Error::Surface, got {error:?}"
    );
    assert_pointer(&error, "/components/schemas/RealtimeServerEvent/anyOf/1");
}

#[test]
fn event_without_a_constant_type_is_an_error() {
    let text = spec(
        &["Ev"],
        "Ev:\n  type: object\n  properties:\n    type: {type: string}\n",
    );
    assert_unsupported(
        &error(&text),
        "/components/schemas/Ev",
        "no single-valued `type`",
    );
}

#[test]
fn union_of_integer_and_number_is_ambiguous() {
    let text = spec(
        &["Ev"],
        &event("Ev", "ev", "x: {anyOf: [{type: integer}, {type: number}]}"),
    );
    assert_unsupported(
        &error(&text),
        "/components/schemas/Ev/properties/x",
        "integer and a number",
    );
}

#[test]
fn one_of_integer_number_and_string_is_ambiguous() {
    let text = spec(
        &["Ev"],
        &format!(
            "{}\nAmount:\n  oneOf:\n    - type: string\n    - type: number\n    - type: integer\n",
            event("Ev", "ev", "x: {$ref: '#/components/schemas/Amount'}")
        ),
    );
    assert_unsupported(
        &error(&text),
        "/components/schemas/Amount",
        "integer and a number",
    );
}

#[test]
fn union_of_two_untagged_objects_is_ambiguous() {
    let text = spec(
        &["Ev"],
        &schemas(&[
            &event(
                "Ev",
                "ev",
                r#"
                x:
                  oneOf:
                    - type: string
                    - $ref: '#/components/schemas/Alpha'
                    - $ref: '#/components/schemas/Bravo'
                "#,
            ),
            r#"
            Alpha: {type: object, properties: {a: {type: string}}}
            Bravo: {type: object, properties: {b: {type: string}}}
            "#,
        ]),
    );
    let error = error(&text);
    assert_unsupported(
        &error,
        "/components/schemas/Ev/properties/x",
        "without a single-valued `type`",
    );
    let text = error.to_string();
    for member in [
        "/components/schemas/Ev/properties/x/oneOf/1",
        "/components/schemas/Ev/properties/x/oneOf/2",
    ] {
        assert!(
            text.contains(member),
            "the message should name {member}: {text}"
        );
    }
}

#[test]
fn union_of_two_untagged_inline_objects_is_ambiguous() {
    let text = spec(
        &["Ev"],
        &event(
            "Ev",
            "ev",
            r#"
            x:
              oneOf:
                - type: string
                - {type: object, properties: {a: {type: string}}}
                - {type: object, properties: {b: {type: string}}}
            "#,
        ),
    );
    assert_unsupported(
        &error(&text),
        "/components/schemas/Ev/properties/x",
        "without a single-valued `type`",
    );
}

#[test]
fn nullable_array_items_are_an_error() {
    let text = spec(
        &["Ev"],
        &event(
            "Ev",
            "ev",
            r#"x: {type: array, items: {type: [string, "null"]}}"#,
        ),
    );
    assert_unsupported(
        &error(&text),
        "/components/schemas/Ev/properties/x/items",
        "nullable array items",
    );
}

// --- not a document -----------------------------------------------------------

#[test]
fn invalid_yaml_reports_the_line() {
    let text = "openapi: 3.1.0\ninfo:\n  title: broken\n  version: [1, 2\n";
    let error = load::parse_yaml(text).expect_err("unterminated flow sequence");
    let Error::Yaml { message } = &error else {
        panic!("expected Error::Yaml, got {error:?}");
    };
    assert!(message.contains("line "), "no line in {message}");
    assert!(error.to_string().contains(message.as_str()), "{error}");
    assert_eq!(
        generate(text, &Options::default(), &stamp()).expect_err("invalid YAML"),
        error
    );
}

#[test]
fn yaml_that_is_not_openapi_is_an_error() {
    for text in [
        // Swagger 2, not OpenAPI 3.
        "swagger: '2.0'\ninfo:\n  title: t\n  version: '1'\npaths: {}\n",
        // `components.schemas` is not a mapping.
        "openapi: 3.1.0\ninfo:\n  title: t\n  version: '1'\npaths: {}\ncomponents:\n  schemas: 7\n",
    ] {
        let error = generate(text, &Options::default(), &stamp()).expect_err("not OpenAPI");
        assert!(
            matches!(error, Error::OpenApi { .. }),
            "expected Error::OpenApi, got {error:?}\n{text}"
        );
    }
}

#[test]
fn schema_that_is_not_openapi_is_an_error_naming_it() {
    let text = spec(
        &["Ev"],
        &schemas(&[
            &event("Ev", "ev", "x: {$ref: '#/components/schemas/Broken'}"),
            "Broken: {type: object, properties: 7}",
        ]),
    );
    let error = error(&text);
    assert!(
        matches!(error, Error::OpenApi { .. }),
        "expected Error::OpenApi, got {error:?}"
    );
    // The schema at fault is named, not just the document.
    assert!(
        error.to_string().contains("/components/schemas/Broken"),
        "{error}"
    );
}

#[test]
fn document_without_event_unions_is_an_error() {
    let text = "openapi: 3.1.0\ninfo:\n  title: t\n  version: '1'\npaths: {}\ncomponents:\n  schemas:\n    X: {type: string}\n";
    let error = generate(text, &Options::default(), &stamp()).expect_err("no union");
    assert!(
        matches!(error, Error::Surface { .. }),
        "expected Error::Surface, got {error:?}"
    );
    assert_pointer(&error, "/components/schemas");
}

/// The helpers build what they claim: a valid spec with the union first.
#[test]
fn helper_spec_is_accepted() {
    let text = spec(&["Ev"], &event("Ev", "ev", "x: {type: string}"));
    let model = outcome(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let surface = &model.space.surfaces[0];
    assert_eq!(surface.module, "beta");
    assert_eq!(surface.unions.len(), 1);
}

/// Two events whose inline objects want the same name: neither keeps it
/// (both are inline, the tie moves both on), and each ends up with a longer
/// tail of its path.
#[test]
fn inline_types_that_want_one_name_both_move_on() {
    let text = spec(
        &["Alpha", "Bravo"],
        &schemas(&[
            &event(
                "Alpha",
                "alpha.started",
                "audio_settings: {type: object, properties: {x: {type: string}}}",
            ),
            &event(
                "Bravo",
                "bravo.started",
                "audio_settings: {type: object, properties: {y: {type: integer}}}",
            ),
        ]),
    );
    let model = outcome(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let mut names: Vec<&str> = model
        .space
        .types
        .values()
        .filter(|def| def.name_parts.len() > 1)
        .map(|def| def.name.as_str())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["AlphaStartedAudioSettings", "BravoStartedAudioSettings"]
    );
}

/// A rename (`spec/names.yaml`) to a name a component has already, with no
/// other name for either to go to, stops generation naming both schemas.
#[test]
fn a_name_two_types_want_is_an_error_naming_both() {
    let text = spec(
        &["Ev"],
        &schemas(&[
            &event(
                "Ev",
                "ev",
                "a: {$ref: '#/components/schemas/RealtimeSpeaker'}\nb: {$ref: '#/components/schemas/Voice'}",
            ),
            "RealtimeSpeaker: {type: object, properties: {x: {type: string}}}",
            "Voice: {type: object, properties: {y: {type: integer}}}",
        ]),
    );
    let renames = realtime_codegen::names::Renames::parse(
        "renames:\n  - spec: RealtimeSpeaker\n    name: Voice\n    why: a test\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let options = Options {
        renames,
        ..Options::default()
    };
    let document = load::parse_yaml(&text).unwrap_or_else(|e| panic!("{e}"));
    let error = model(document, &options).expect_err("a collision");
    let Error::NameCollision {
        name,
        first,
        second,
    } = &error
    else {
        panic!("expected Error::NameCollision, got {error:?}");
    };
    assert_eq!(name, "Voice");
    let mut both = [first.as_str(), second.as_str()];
    both.sort();
    assert_eq!(
        both,
        [
            "/components/schemas/RealtimeSpeaker",
            "/components/schemas/Voice"
        ]
    );
    assert!(error.to_string().contains("`Voice`"), "{error}");
}

/// Two types that want one name but have longer names to go to: the
/// component with fewer names left keeps it, no error.
#[test]
fn a_component_that_can_move_on_gives_way() {
    let text = spec(
        &["Ev"],
        &schemas(&[
            &event(
                "Ev",
                "ev",
                "a: {$ref: '#/components/schemas/RealtimeVoice'}\nb: {$ref: '#/components/schemas/Voice'}",
            ),
            "RealtimeVoice: {type: object, properties: {x: {type: string}}}",
            "Voice: {type: object, properties: {y: {type: integer}}}",
        ]),
    );
    let model = outcome(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(model.space.types["Voice"].name, "Voice");
    assert_eq!(model.space.types["RealtimeVoice"].name, "RealtimeVoice");
}

/// A beta twin with the structure and name of another type is merged into
/// it: one type, which stands for both schemas.
#[test]
fn identical_twins_are_merged() {
    let text = spec(
        &["Ev"],
        &schemas(&[
            &event(
                "Ev",
                "ev",
                "a: {$ref: '#/components/schemas/RealtimeTool'}\nb: {$ref: '#/components/schemas/RealtimeBetaTool'}",
            ),
            "RealtimeTool: {type: object, properties: {name: {type: string}}}",
            "RealtimeBetaTool: {type: object, properties: {name: {type: string}}}",
        ]),
    );
    let model = outcome(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let tools: Vec<_> = model
        .space
        .types
        .values()
        .filter(|def| def.name == "Tool")
        .collect();
    assert_eq!(tools.len(), 1, "{:#?}", model.space.types.keys());
    assert_eq!(
        tools[0].source, "/components/schemas/RealtimeTool",
        "the GA schema survives"
    );
    assert_eq!(
        tools[0].merged_sources,
        ["/components/schemas/RealtimeBetaTool"]
    );
    assert_eq!(
        model.spec_names["RealtimeBetaTool"],
        model.spec_names["RealtimeTool"]
    );
}

// --- the server `error` event ----------------------------------------------

#[test]
fn an_error_event_whose_details_lack_a_message_names_the_details() {
    let text = spec(
        &["Ev"],
        &event(
            "Ev",
            "error",
            "error: {type: object, required: [type], properties: {type: {type: string}}}",
        ),
    );
    let error = error(&text);
    assert!(matches!(error, Error::Surface { .. }), "{error:?}");
    assert_pointer(&error, "/components/schemas/Ev/properties/error");
    assert!(error.to_string().contains("`message`"), "{error}");
}

#[test]
fn an_error_event_whose_code_is_not_a_string_names_the_code() {
    let text = spec(
        &["Ev"],
        &event(
            "Ev",
            "error",
            "error:
               type: object
               required: [type, message]
               properties:
                 type: {type: string}
                 message: {type: string}
                 code: {type: integer}",
        ),
    );
    let error = error(&text);
    assert!(matches!(error, Error::Surface { .. }), "{error:?}");
    assert_pointer(
        &error,
        "/components/schemas/Ev/properties/error/properties/code",
    );
}
