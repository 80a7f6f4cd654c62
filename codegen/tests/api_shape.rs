//! The shape of the API a user meets, on the pinned spec: the generated
//! send methods take no `Option`, every client event has one, and the
//! public names stay short.

use std::path::Path;

use quote::ToTokens;
use realtime_codegen::ir::TypeKind;
use realtime_codegen::pinned::{Loaded, load_pinned};
use realtime_codegen::{SpecStamp, emit};

fn pinned() -> Loaded {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the codegen crate lives in the workspace");
    load_pinned(root).unwrap_or_else(|e| panic!("this test needs the pinned spec: {e}"))
}

/// The methods of each surface's `ClientEventMethods`: (surface, method, parameter types).
fn send_methods(loaded: &Loaded) -> Vec<(String, String, Vec<String>)> {
    let stamp = SpecStamp {
        sha256: loaded.spec.sha256.clone(),
        pinned: true,
        origin: None,
    };
    let files = emit::emit(&loaded.model.space, &stamp).unwrap_or_else(|e| panic!("{e}"));
    let mut methods = Vec::new();
    for file in files.iter().filter(|f| f.path.ends_with("/mod.rs")) {
        let surface = file.path.trim_end_matches("/mod.rs").to_string();
        let syntax =
            syn::parse_file(&file.contents).unwrap_or_else(|e| panic!("{}: {e}", file.path));
        for item in syntax.items {
            let syn::Item::Trait(methods_trait) = item else {
                continue;
            };
            if methods_trait.ident != "ClientEventMethods" {
                continue;
            }
            for item in methods_trait.items {
                let syn::TraitItem::Fn(method) = item else {
                    continue;
                };
                let parameters = method
                    .sig
                    .inputs
                    .iter()
                    .filter_map(|input| match input {
                        syn::FnArg::Typed(typed) => Some(typed.ty.to_token_stream().to_string()),
                        syn::FnArg::Receiver(_) => None,
                    })
                    .collect();
                methods.push((surface.clone(), method.sig.ident.to_string(), parameters));
            }
        }
    }
    methods
}

#[test]
fn no_send_method_has_an_option_parameter() {
    let loaded = pinned();
    let methods = send_methods(&loaded);
    let events: usize = loaded
        .model
        .space
        .surfaces
        .iter()
        .flat_map(|s| &s.unions)
        .filter(|u| u.direction == realtime_codegen::ir::Direction::ClientToServer)
        .filter_map(|u| match &loaded.model.space.types[&u.id].kind {
            TypeKind::TaggedUnion(union) => Some(union.variants.len()),
            _ => None,
        })
        .sum();
    // `send_event` and one method per client event.
    let surfaces = loaded.model.space.surfaces.len();
    assert_eq!(methods.len(), events + surfaces, "{methods:#?}");
    for (surface, method, parameters) in &methods {
        for parameter in parameters {
            assert!(
                !parameter.contains("Option"),
                "{surface}::ClientEventMethods::{method} takes `{parameter}`"
            );
        }
    }
}

#[test]
fn public_names_are_short() {
    let loaded = pinned();
    let mut lengths: Vec<(usize, &str)> = loaded
        .model
        .space
        .types
        .values()
        .map(|def| (def.name.len(), def.name.as_str()))
        .collect();
    lengths.sort();
    let median = lengths[lengths.len() / 2].0;
    assert!(median <= 24, "the median name has {median} characters");
    for (length, name) in &lengths {
        assert!(*length <= 48, "`{name}` has {length} characters");
    }
}
