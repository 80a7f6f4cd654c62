//! What a surface module says about itself: its `SURFACE` descriptor
//! (`realtime_types::SurfaceInfo`, from the surface plan) and its server
//! union's `server_error()` (from the access `server_error::plan` found).

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{Direction, FieldAccess, Presence, ServerErrorAccess, Surface, TypeSpace};

use super::{generator_doc, ident};

/// The `SURFACE` constant and `server_error()` of a surface.
pub(super) fn surface_descriptor(space: &TypeSpace, surface: &Surface) -> TokenStream {
    let name = &surface.module;
    let path = &surface.endpoint.path;
    let (beta_header, end) = match &surface.endpoint.beta_header {
        Some(value) => (
            quote!(Some(#value)),
            format!(", selected with the\nheader `OpenAI-Beta: {value}`."),
        ),
        None => (quote!(None), ".".to_string()),
    };
    let doc = generator_doc(&format!(
        "How to reach the `{name}` surface: the WebSocket path `{path}` under\n\
         the API base (`wss://api.openai.com/v1/{path}`){end}"
    ));
    let server_union = surface
        .unions
        .iter()
        .find(|union| union.direction == Direction::ServerToClient)
        .and_then(|union| space.types.get(&union.id));
    let server_error = server_union.map(|def| {
        let union = ident(&def.name);
        server_error_method(&union, surface.server_error.as_ref())
    });
    quote! {
        #(#[doc = #doc])*
        pub const SURFACE: ::realtime_types::SurfaceInfo = ::realtime_types::SurfaceInfo {
            name: #name,
            path: #path,
            beta_header: #beta_header,
        };
        #server_error
    }
}

/// `impl <union> { pub fn server_error(..) }`.
fn server_error_method(
    union: &proc_macro2::Ident,
    access: Option<&ServerErrorAccess>,
) -> TokenStream {
    let Some(access) = access else {
        return quote! {
            impl #union {
                /// The parts of a server `error` event, borrowed: always `None`, as
                /// this surface has no `error` event.
                pub fn server_error(&self) -> Option<::realtime_types::ServerErrorRef<'_>> {
                    None
                }
            }
        };
    };
    let variant = ident(&access.variant);
    let details_field = ident(&access.details.rust_name);
    let details = match access.details.presence {
        Presence::Plain => quote!(&event.#details_field),
        Presence::Optional => quote!(event.#details_field.as_ref()?),
        Presence::OptionalNullable => quote!(event.#details_field.as_ref()?.as_ref()?),
    };
    let error_type = required_str(&access.error_type);
    let message = required_str(&access.message);
    let [code, param, event_id] =
        [&access.code, &access.param, &access.event_id].map(|part| optional_str(part.as_ref()));
    let variant_doc =
        format!(" The parts of a server `error` event ([`{variant}`](Self::{variant})), borrowed;");
    quote! {
        impl #union {
            #[doc = #variant_doc]
            /// `None` for every other event (and for an `error` event kept as
            /// [`Malformed`](Self::Malformed)).
            pub fn server_error(&self) -> Option<::realtime_types::ServerErrorRef<'_>> {
                let Self::#variant(event) = self else {
                    return None;
                };
                let details = #details;
                Some(::realtime_types::ServerErrorRef {
                    error_type: #error_type,
                    code: #code,
                    message: #message,
                    param: #param,
                    event_id: #event_id,
                })
            }
        }
    }
}

/// A `&str` from a string field of `details` (`""` when an optional one is absent).
fn required_str(part: &FieldAccess) -> TokenStream {
    let field = ident(&part.rust_name);
    match part.presence {
        Presence::Plain => quote!(details.#field.as_str()),
        Presence::Optional => quote!(details.#field.as_deref().unwrap_or_default()),
        Presence::OptionalNullable => {
            quote!(details.#field.as_ref().and_then(Option::as_deref).unwrap_or_default())
        }
    }
}

/// An `Option<&str>` from a string field of `details` (`None` when the schema has none).
fn optional_str(part: Option<&FieldAccess>) -> TokenStream {
    let Some(part) = part else {
        return quote!(None);
    };
    let field = ident(&part.rust_name);
    match part.presence {
        Presence::Plain => quote!(Some(details.#field.as_str())),
        Presence::Optional => quote!(details.#field.as_deref()),
        Presence::OptionalNullable => quote!(details.#field.as_ref().and_then(Option::as_deref)),
    }
}
