//! Each surface's `ClientEventMethods`: one send method per client event.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::ir::{Direction, Module, Surface, TypeDef, TypeKind, TypeRef, TypeSpace};
use crate::naming;

use super::{Emitter, first_sentence, ident};

/// A surface's client event methods.
pub(super) fn surface_methods(space: &TypeSpace, surface: &Surface) -> TokenStream {
    let module = Module::Surface(surface.module.clone());
    let methods = surface
        .unions
        .iter()
        .filter(|union| union.direction == Direction::ClientToServer)
        .filter_map(|union| space.types.get(&union.id))
        .map(|def| {
            Emitter {
                space,
                module: &module,
            }
            .client_event_methods(def)
        });
    quote! { #(#methods)* }
}

impl Emitter<'_> {
    /// `ClientEventMethods`: one provided method per client event, taking
    /// what the event's `new` takes (its required fields; a struct without
    /// them is sent as its `Default`), and sending it through the one
    /// required method, `send_event`.
    pub(super) fn client_event_methods(&self, def: &TypeDef) -> TokenStream {
        let TypeKind::TaggedUnion(union) = &def.kind else {
            return quote!();
        };
        let union_name = ident(&def.name);
        let methods = union.variants.iter().filter_map(|variant| {
            let payload = self.space.types.get(&variant.ty)?;
            let TypeKind::Struct(event) = &payload.kind else {
                return None;
            };
            let method = format_ident!("{}", naming::snake_case(&variant.name));
            let struct_path = self.type_tokens(&TypeRef::Named(variant.ty.clone()));
            let plan = &event.construction;
            let params: Vec<TokenStream> =
                plan.new_params.iter().map(|p| self.param_decl(event, p)).collect();
            let args = plan.new_params.iter().map(|p| {
                ident(&event.fields[p.field].rust_name)
            });
            let build = if plan.new_params.is_empty() {
                quote!(#struct_path::default())
            } else {
                quote!(#struct_path::new(#(#args),*))
            };
            let summary = payload.description.as_deref().and_then(first_sentence);
            let mut doc = vec![match summary {
                Some(summary) => format!(" Sends `{}`: {summary}", variant.tag_value),
                None => format!(" Sends `{}`.", variant.tag_value),
            }];
            if !plan.setters.is_empty() {
                doc.push(String::new());
                doc.push(format!(
                    " Its optional fields are left out: to set them, build the event (`{}`) and send it with [`send_event`](Self::send_event).",
                    payload.name
                ));
            }
            Some(quote! {
                #(#[doc = #doc])*
                fn #method(&self, #(#params),*) -> impl ::core::future::Future<Output = Result<(), Self::Error>> + Send {
                    self.send_event(#union_name::from(#build))
                }
            })
        });
        quote! {
            /// One method per client event, named after it: each takes the event's
            /// required fields and sends the event with
            /// [`ClientEventMethods::send_event`], which a transport implements.
            /// An event with optional fields to set is built and sent with
            /// `send_event` (`ClientEvent::from(Event::new(..).with_event_id(..))`).
            ///
            /// The futures are cancel-safe exactly when the transport's
            /// `send_event` is.
            pub trait ClientEventMethods {
                /// What sending can fail with.
                type Error;
                /// Sends one client event.
                fn send_event(&self, event: #union_name) -> impl ::core::future::Future<Output = Result<(), Self::Error>> + Send;
                #(#methods)*
            }
        }
    }
}
