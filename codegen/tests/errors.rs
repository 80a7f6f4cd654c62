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

use realtime_codegen::error::Error;
use realtime_codegen::ir::{TypeKind, TypeRef};
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
        &["E"],
        &event("E", "e", "x: {$ref: '#/components/schemas/Missing'}"),
    );
    assert_unresolved(
        &error(&text),
        "/components/schemas/E/properties/x",
        "#/components/schemas/Missing",
    );
}

#[test]
fn missing_ref_in_array_items_names_the_items() {
    let text = spec(
        &["E"],
        &event(
            "E",
            "e",
            "x: {type: array, items: {$ref: '#/components/schemas/Missing'}}",
        ),
    );
    assert_unresolved(
        &error(&text),
        "/components/schemas/E/properties/x/items",
        "#/components/schemas/Missing",
    );
}

#[test]
fn missing_ref_in_a_component_names_the_component() {
    let text = spec(
        &["E"],
        &format!(
            "{}\nAlias:\n  $ref: '#/components/schemas/Missing'\n",
            event("E", "e", "x: {$ref: '#/components/schemas/Alias'}")
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
        &["E"],
        &event("E", "e", "x: {$ref: '#/definitions/Missing'}"),
    );
    assert_unresolved(
        &error(&text),
        "/components/schemas/E/properties/x",
        "#/definitions/Missing",
    );
}

#[test]
#[ignore = "generator bug: a union member `$ref` to a missing schema is reported at the union (`/components/schemas/RealtimeServerEvent`), not at the ref site `.../anyOf/1` (lower.rs `event_union` passes the union pointer to `lower_named`)"]
fn missing_event_union_member_names_the_member() {
    let text = spec(&["E", "Missing"], &event("E", "e", "x: {type: string}"));
    assert_unresolved(
        &error(&text),
        "/components/schemas/RealtimeServerEvent/anyOf/1",
        "#/components/schemas/Missing",
    );
}

#[test]
#[ignore = "generator bug: a `$ref` with a sibling `description` is reported at `<site>/allOf/0`, a pointer the lowering made up (load.rs wraps it in `allOf`), not at the ref site"]
fn missing_ref_beside_a_description_names_the_ref_site() {
    let text = spec(
        &["E"],
        &event(
            "E",
            "e",
            "x: {description: d, $ref: '#/components/schemas/Missing'}",
        ),
    );
    assert_unresolved(
        &error(&text),
        "/components/schemas/E/properties/x",
        "#/components/schemas/Missing",
    );
}

#[test]
#[ignore = "generator bug: a `$ref` member of `anyOf: [$ref, {type: null}]` is reported at `<site>/allOf/0`, a pointer the lowering made up, not at `<site>/anyOf/<i>`"]
fn missing_ref_in_a_nullable_any_of_names_the_member() {
    let text = spec(
        &["E"],
        &event(
            "E",
            "e",
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
        "/components/schemas/E/properties/x/anyOf/1",
        "#/components/schemas/Missing",
    );
}

// --- cycles that never reach a definition -----------------------------------

#[test]
fn bare_ref_cycle_is_an_error() {
    let text = spec(
        &["E"],
        &format!(
            "{}\nA:\n  $ref: '#/components/schemas/B'\nB:\n  $ref: '#/components/schemas/A'\n",
            event("E", "e", "x: {$ref: '#/components/schemas/A'}")
        ),
    );
    // Entered through `A` (from the field), so `A` is the schema reported.
    assert_unsupported(&error(&text), "/components/schemas/A", "cycle");
}

#[test]
fn all_of_alias_cycle_is_an_error() {
    let text = spec(
        &["E"],
        &format!(
            "{}\nA:\n  allOf: [{{$ref: '#/components/schemas/B'}}]\nB:\n  allOf: [{{$ref: '#/components/schemas/A'}}]\n",
            event("E", "e", "x: {$ref: '#/components/schemas/A'}")
        ),
    );
    // Either schema of the cycle is a fair report; the generator checks
    // aliases in name order, so it names `A`.
    let error = error(&text);
    assert_unsupported(&error, "/components/schemas/A", "cycle");
}

#[test]
fn all_of_of_itself_is_an_error() {
    let text = spec(
        &["E"],
        &format!(
            "{}\nA:\n  allOf: [{{$ref: '#/components/schemas/A'}}]\n",
            event("E", "e", "x: {$ref: '#/components/schemas/A'}")
        ),
    );
    assert_unsupported(&error(&text), "/components/schemas/A", "itself");
}

#[test]
fn recursive_struct_through_a_property_is_not_an_error() {
    let text = spec(
        &["E"],
        &schemas(&[
            &event("E", "e", "root: {$ref: '#/components/schemas/Node'}"),
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
#[ignore = "generator bug (missing error): `A: {type: array, items: {$ref: A}}` is accepted and emitted as `pub type A = Vec<A>;`, a recursive type alias rustc rejects (E0391); `check_alias_cycles` only follows bare `Named` targets"]
fn array_of_itself_is_an_error() {
    let text = spec(
        &["E"],
        &schemas(&[
            &event("E", "e", "x: {$ref: '#/components/schemas/A'}"),
            "A: {type: array, items: {$ref: '#/components/schemas/A'}}",
        ]),
    );
    assert_unsupported(&error(&text), "/components/schemas/A", "cycle");
}

#[test]
#[ignore = "generator bug (missing error): `A: {type: object, additionalProperties: {$ref: A}}` is accepted and emitted as `pub type A = BTreeMap<String, A>;`, a recursive type alias rustc rejects (E0391)"]
fn map_of_itself_is_an_error() {
    let text = spec(
        &["E"],
        &schemas(&[
            &event("E", "e", "x: {$ref: '#/components/schemas/A'}"),
            "A: {type: object, additionalProperties: {$ref: '#/components/schemas/A'}}",
        ]),
    );
    assert_unsupported(&error(&text), "/components/schemas/A", "cycle");
}

#[test]
#[ignore = "generator bug (missing error): `A: {anyOf: [{$ref: A}, {type: string}]}` is accepted as `enum A { Object(A), String(String) }`, a type of infinite size (E0072): `kind_of` assumes a type still being lowered is an object, and only struct fields are ever boxed"]
fn union_containing_itself_is_an_error() {
    let text = spec(
        &["E"],
        &schemas(&[
            &event("E", "e", "x: {$ref: '#/components/schemas/A'}"),
            "A: {anyOf: [{$ref: '#/components/schemas/A'}, {type: string}]}",
        ]),
    );
    assert_unsupported(&error(&text), "/components/schemas/A", "");
}

#[test]
fn recursion_through_a_union_member_struct_is_not_an_error() {
    let text = spec(
        &["E"],
        &schemas(&[
            &event("E", "e", "x: {$ref: '#/components/schemas/A'}"),
            r#"
            A:
              anyOf:
                - {$ref: '#/components/schemas/S'}
                - {type: string}
            S:
              type: object
              properties:
                a: {$ref: '#/components/schemas/A'}
            "#,
        ]),
    );
    let model =
        outcome(&text).unwrap_or_else(|e| panic!("recursion through a struct is fine: {e}"));
    let Some(TypeKind::Struct(s)) = model.space.types.get("S").map(|d| &d.kind) else {
        panic!("`S` should be a struct");
    };
    assert!(
        s.fields[0].boxed,
        "`S.a` closes the cycle and must be boxed"
    );
}

#[test]
fn mutually_recursive_structs_are_not_an_error() {
    let text = spec(
        &["E"],
        &schemas(&[
            &event("E", "e", "a: {$ref: '#/components/schemas/A'}"),
            r#"
            A:
              type: object
              properties:
                b: {$ref: '#/components/schemas/B'}
            B:
              description: Refers back to A.
              type: object
              properties:
                a:
                  description: A property with a description beside the `$ref`.
                  $ref: '#/components/schemas/A'
            "#,
        ]),
    );
    let model = outcome(&text).unwrap_or_else(|e| panic!("mutual recursion is fine: {e}"));
    for name in ["A", "B"] {
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
    let text = spec(&["E"], &event("E", "e", "x: {not: {type: string}}"));
    assert_unsupported(&error(&text), "/components/schemas/E/properties/x", "`not`");
}

#[test]
fn pattern_properties_in_a_reachable_schema_is_an_error() {
    let text = spec(
        &["E"],
        &event(
            "E",
            "e",
            "x: {type: object, patternProperties: {'^a': {type: string}}}",
        ),
    );
    assert_unsupported(
        &error(&text),
        "/components/schemas/E/properties/x",
        "`patternProperties`",
    );
}

#[test]
fn unsupported_keyword_in_a_referenced_component_names_the_component() {
    let text = spec(
        &["E"],
        &schemas(&[
            &event("E", "e", "x: {$ref: '#/components/schemas/Meta'}"),
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
        &["E"],
        &event(
            "E",
            "e",
            "x: {type: array, items: {type: string, not: {enum: [a]}}}",
        ),
    );
    assert_unsupported(
        &error(&text),
        "/components/schemas/E/properties/x/items",
        "`not`",
    );
}

#[test]
fn unsupported_keyword_in_a_union_member_names_the_member() {
    let text = spec(
        &["E"],
        &event(
            "E",
            "e",
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
        "/components/schemas/E/properties/x/anyOf/1",
        "`patternProperties`",
    );
}

#[test]
fn unsupported_keyword_in_an_unreachable_schema_is_fine() {
    let text = spec(
        &["E"],
        &schemas(&[
            &event("E", "e", "x: {type: string}"),
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
#[ignore = "generator bug: properties of a multi-member `allOf` are lowered with pointers that skip `/allOf/<i>`, so `check_keywords` finds no raw schema there and an unsupported keyword is silently dropped"]
fn unsupported_keyword_in_an_all_of_member_property_is_an_error() {
    let text = spec(
        &["E"],
        r#"
        E:
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
        "/components/schemas/E/allOf/1/properties/y",
        "`not`",
    );
}

#[test]
#[ignore = "generator bug: the keywords of a multi-member `allOf` member object itself are never checked, so an unsupported keyword there is silently dropped"]
fn unsupported_keyword_on_an_all_of_member_is_an_error() {
    let text = spec(
        &["E"],
        r#"
        E:
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
        "/components/schemas/E/allOf/1",
        "`patternProperties`",
    );
}

#[test]
#[ignore = "generator bug: `anyOf: [X, {type: null}]` is collapsed into X by load.rs, and errors inside X name `<site>/...` instead of `<site>/anyOf/<i>/...`, a pointer that does not exist in the spec"]
fn unsupported_keyword_inside_a_nullable_any_of_names_the_spec_location() {
    let text = spec(
        &["E"],
        &event(
            "E",
            "e",
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
        "/components/schemas/E/properties/x/anyOf/0/properties/y",
        "`not`",
    );
}

#[test]
#[ignore = "generator bug: a 3.1 `type: [string, integer]` fails the whole document in `openapiv3` with Error::OpenApi `invalid type: sequence, expected a string` (no pointer); the several-types check in lower.rs is never reached"]
fn type_array_with_two_non_null_types_is_an_error() {
    let text = spec(
        &["E"],
        &event("E", "e", r#"x: {type: [string, integer, "null"]}"#),
    );
    assert_unsupported(
        &error(&text),
        "/components/schemas/E/properties/x",
        "several types",
    );
}

#[test]
#[ignore = "generator bug: a 3.1 `type: [string, integer]` in a schema no event reaches still fails the whole document with Error::OpenApi (no pointer)"]
fn type_array_with_two_non_null_types_in_an_unreachable_schema_is_fine() {
    let text = spec(
        &["E"],
        &schemas(&[
            &event("E", "e", "x: {type: string}"),
            "Unused: {type: [string, integer]}",
        ]),
    );
    outcome(&text).unwrap_or_else(|e| panic!("an unused schema cannot fail: {e}"));
}

#[test]
fn non_string_constant_is_an_error() {
    let text = spec(&["E"], &event("E", "e", "x: {const: 5}"));
    assert_unsupported(
        &error(&text),
        "/components/schemas/E/properties/x",
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
        &["E"],
        &schemas(&[
            &event(
                "E",
                "e",
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
        "/components/schemas/E/properties/x",
        "no other constant property",
    );
    let text = error.to_string();
    for member in [
        "/components/schemas/E/properties/x/anyOf/0",
        "/components/schemas/E/properties/x/anyOf/1",
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
        &["E"],
        &schemas(&[
            &event(
                "E",
                "e",
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
            "",
        ]),
    );
    outcome(&text).unwrap_or_else(|e| panic!("`role` tells the members apart: {e}"));
}

#[test]
fn reserved_type_name_option_is_an_error() {
    let text = spec(
        &["E"],
        &format!(
            "{}\nOption:\n  type: string\n  enum: [a, b]\n",
            event("E", "e", "x: {$ref: '#/components/schemas/Option'}")
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
        &["E"],
        &format!(
            "{}\nString:\n  type: object\n  properties:\n    a: {{type: string}}\n",
            event("E", "e", "x: {$ref: '#/components/schemas/String'}")
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
fn schema_whose_rust_name_is_reserved_is_an_error() {
    // `option` is not reserved as written, but its Rust name `Option` is.
    let text = spec(
        &["E"],
        &format!(
            "{}\noption:\n  type: string\n  enum: [a, b]\n",
            event("E", "e", "x: {$ref: '#/components/schemas/option'}")
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
        &["E"],
        &format!(
            "{}\nmy_enum:\n  type: string\n  enum: [a, b]\nMyEnum:\n  type: string\n  enum: [c, d]\n",
            event(
                "E",
                "e",
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
        &["E", "Text"],
        &format!(
            "{}\nText:\n  type: string\n",
            event("E", "e", "x: {type: string}")
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
        &["E", "Bag"],
        &format!(
            "{}\nBag:\n  type: object\n  additionalProperties: true\n",
            event("E", "e", "x: {type: string}")
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
        - $ref: '#/components/schemas/E'
        - type: object
          required: [type]
          properties:
            type: {const: inline}
        "#,
        &event("E", "e", "x: {type: string}"),
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
        &["E"],
        "E:\n  type: object\n  properties:\n    type: {type: string}\n",
    );
    assert_unsupported(
        &error(&text),
        "/components/schemas/E",
        "no single-valued `type`",
    );
}

#[test]
fn union_of_integer_and_number_is_ambiguous() {
    let text = spec(
        &["E"],
        &event("E", "e", "x: {anyOf: [{type: integer}, {type: number}]}"),
    );
    assert_unsupported(
        &error(&text),
        "/components/schemas/E/properties/x",
        "integer and a number",
    );
}

#[test]
fn one_of_integer_number_and_string_is_ambiguous() {
    let text = spec(
        &["E"],
        &format!(
            "{}\nAmount:\n  oneOf:\n    - type: string\n    - type: number\n    - type: integer\n",
            event("E", "e", "x: {$ref: '#/components/schemas/Amount'}")
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
        &["E"],
        &schemas(&[
            &event(
                "E",
                "e",
                r#"
                x:
                  oneOf:
                    - type: string
                    - $ref: '#/components/schemas/A'
                    - $ref: '#/components/schemas/B'
                "#,
            ),
            r#"
            A: {type: object, properties: {a: {type: string}}}
            B: {type: object, properties: {b: {type: string}}}
            "#,
        ]),
    );
    let error = error(&text);
    assert_unsupported(
        &error,
        "/components/schemas/E/properties/x",
        "without a single-valued `type`",
    );
    let text = error.to_string();
    for member in [
        "/components/schemas/E/properties/x/oneOf/1",
        "/components/schemas/E/properties/x/oneOf/2",
    ] {
        assert!(
            text.contains(member),
            "the message should name {member}: {text}"
        );
    }
}

#[test]
#[ignore = "generator bug (wrong error): two untitled inline object members both get the Rust name `EXObject`, so the union stops with a NameCollision about a name the spec never wrote instead of saying the objects cannot be told apart"]
fn union_of_two_untagged_inline_objects_is_ambiguous() {
    let text = spec(
        &["E"],
        &event(
            "E",
            "e",
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
        "/components/schemas/E/properties/x",
        "without a single-valued `type`",
    );
}

#[test]
fn nullable_array_items_are_an_error() {
    let text = spec(
        &["E"],
        &event(
            "E",
            "e",
            r#"x: {type: array, items: {type: [string, "null"]}}"#,
        ),
    );
    assert_unsupported(
        &error(&text),
        "/components/schemas/E/properties/x/items",
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
    let text = "openapi: 3.1.0\ninfo: 7\n";
    let error = generate(text, &Options::default(), &stamp()).expect_err("not OpenAPI");
    assert!(
        matches!(error, Error::OpenApi { .. }),
        "expected Error::OpenApi, got {error:?}"
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
    let text = spec(&["E"], &event("E", "e", "x: {type: string}"));
    let model = outcome(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let surface = &model.space.surfaces[0];
    assert_eq!(surface.module, "beta");
    assert_eq!(surface.unions.len(), 1);
}
