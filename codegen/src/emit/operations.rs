//! Each surface's REST operations: one struct per operation (its path
//! parameters and body) implementing `realtime_types::Operation`, the list
//! `OPERATIONS`, and `RestMethods`: one method per operation, sending it
//! through the one method an HTTP client implements.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::ir::{Module, Operation, OperationBody, Surface, TypeSpace};
use crate::naming;

use super::{Emitter, doc_attrs, first_sentence, ident};

/// A surface's operations (nothing when it has none).
pub(super) fn surface_operations(space: &TypeSpace, surface: &Surface) -> TokenStream {
    let operations: Vec<&Operation> = space
        .operations
        .iter()
        .filter(|operation| operation.surface == surface.module)
        .collect();
    if operations.is_empty() {
        return quote!();
    }
    let module = Module::Surface(surface.module.clone());
    let emitter = Emitter {
        space,
        module: &module,
    };
    let structs = operations.iter().map(|op| emitter.operation_struct(op));
    let infos = operations.iter().map(|op| {
        let name = ident(&naming::type_name(&op.id));
        quote!(<#name as ::realtime_types::Operation>::INFO)
    });
    let methods = operations.iter().map(|op| emitter.operation_method(op));
    quote! {
        #(#structs)*
        /// What the spec says of each REST operation of this surface, in path order.
        pub const OPERATIONS: &[::realtime_types::OperationInfo] = &[#(#infos),*];
        /// One method per REST operation of this surface, named after its
        /// `operationId`: each takes the operation's path parameters and body,
        /// and sends it with [`RestMethods::execute`], which an HTTP client
        /// implements (`realtime-client`'s `RestClient` does).
        ///
        /// The futures are cancel-safe exactly when the client's `execute` is.
        pub trait RestMethods {
            /// What sending can fail with.
            type Error;
            /// Sends one operation and decodes its answer.
            fn execute<O>(&self, operation: O) -> impl ::core::future::Future<Output = Result<::realtime_types::Reply<O::Response>, Self::Error>> + Send
            where
                O: ::realtime_types::Operation + Send + 'static;
            #(#methods)*
        }
    }
}

impl Emitter<'_> {
    /// The body's Rust type, and the name of its field.
    fn body_field(&self, body: &OperationBody) -> Option<TokenStream> {
        match body {
            OperationBody::Json(ty) | OperationBody::Form(ty) => Some(self.type_tokens(ty)),
            OperationBody::Text(_) => Some(quote!(String)),
            OperationBody::Empty => None,
        }
    }

    /// The operation's struct and its `Operation` impl.
    fn operation_struct(&self, op: &Operation) -> TokenStream {
        let name = ident(&naming::type_name(&op.id));
        let mut doc = vec![format!(" `{} {}` (`{}`)", op.method, op.path, op.id)];
        if let Some(summary) = op.summary.as_deref() {
            doc.push(String::new());
            doc.extend(doc_attrs(summary));
        }
        let deprecated = op.deprecated;
        if deprecated {
            doc.push(String::new());
            doc.push(" Deprecated in the spec.".into());
        }
        let params = op.path_params.iter().map(|param| {
            let field = ident(&naming::field_name(&param.name));
            let doc = match param.description.as_deref() {
                Some(description) => doc_attrs(description),
                None => vec![format!(" The `{}` of the path.", param.name)],
            };
            quote! { #(#[doc = #doc])* pub #field: String, }
        });
        let body_field = self.body_field(&op.request).map(|ty| {
            quote! {
                /// The request body.
                pub body: #ty,
            }
        });
        // `/realtime/calls/{call_id}/accept` → format!("/realtime/calls/{}/accept", ..).
        let mut template = op.path.clone();
        let mut args = Vec::new();
        for param in &op.path_params {
            template = template.replace(&format!("{{{}}}", param.name), "{}");
            let field = ident(&naming::field_name(&param.name));
            args.push(quote!(::realtime_types::operation::decode::path_segment(&self.#field)));
        }
        let path = if args.is_empty() {
            quote!(#template.to_string())
        } else {
            quote!(format!(#template, #(#args),*))
        };
        let body = match &op.request {
            OperationBody::Empty => quote!(Ok(::realtime_types::RequestBody::Empty)),
            OperationBody::Json(_) => quote!(::realtime_types::RequestBody::json(&self.body)),
            OperationBody::Form(_) => quote!(::realtime_types::RequestBody::form(&self.body)),
            OperationBody::Text(content_type) => quote! {
                Ok(::realtime_types::RequestBody::Text { content_type: #content_type, text: self.body.clone() })
            },
        };
        let (response, decode) = match &op.response {
            OperationBody::Empty => (quote!(()), quote!(empty)),
            OperationBody::Text(_) => (quote!(String), quote!(text)),
            OperationBody::Json(ty) | OperationBody::Form(ty) => {
                (self.type_tokens(ty), quote!(json))
            }
        };
        let (id, method, template_path) = (&op.id, &op.method, &op.path);
        let status = proc_macro2::Literal::u16_unsuffixed(op.status);
        quote! {
            #(#[doc = #doc])*
            #[derive(Debug, Clone, PartialEq)]
            pub struct #name {
                #(#params)*
                #body_field
            }
            impl ::realtime_types::Operation for #name {
                type Response = #response;
                const INFO: ::realtime_types::OperationInfo = ::realtime_types::OperationInfo {
                    id: #id,
                    method: #method,
                    path: #template_path,
                    status: #status,
                    deprecated: #deprecated,
                };
                fn path(&self) -> String {
                    #path
                }
                fn body(&self) -> Result<::realtime_types::RequestBody, ::serde_json::Error> {
                    #body
                }
                fn decode(body: &[u8]) -> Result<Self::Response, ::realtime_types::operation::ResponseError> {
                    ::realtime_types::operation::decode::#decode(body)
                }
            }
        }
    }

    /// The operation's method of `RestMethods`.
    fn operation_method(&self, op: &Operation) -> TokenStream {
        let name = ident(&naming::type_name(&op.id));
        let method = format_ident!("{}", naming::snake_case(&naming::type_name(&op.id)));
        let params = op.path_params.iter().map(|param| {
            let field = ident(&naming::field_name(&param.name));
            quote!(#field: impl Into<String>)
        });
        let fields = op.path_params.iter().map(|param| {
            let field = ident(&naming::field_name(&param.name));
            quote!(#field: #field.into(),)
        });
        let body_param = self.body_field(&op.request).map(|ty| quote!(body: #ty));
        let body_field = body_param.as_ref().map(|_| quote!(body,));
        let response = match &op.response {
            OperationBody::Empty => quote!(()),
            OperationBody::Text(_) => quote!(String),
            OperationBody::Json(ty) | OperationBody::Form(ty) => self.type_tokens(ty),
        };
        let mut doc = vec![format!(
            " `{} {}` ([`{}`])",
            op.method,
            op.path,
            naming::type_name(&op.id)
        )];
        if let Some(summary) = op.summary.as_deref().and_then(first_sentence) {
            doc.push(String::new());
            doc.extend(doc_attrs(&summary));
        }
        let all_params: Vec<TokenStream> = params.chain(body_param).collect();
        let deprecated = op
            .deprecated
            .then(|| quote!(#[deprecated = "deprecated in the spec"]));
        quote! {
            #(#[doc = #doc])*
            #deprecated
            fn #method(&self, #(#all_params),*) -> impl ::core::future::Future<Output = Result<::realtime_types::Reply<#response>, Self::Error>> + Send {
                self.execute(#name { #(#fields)* #body_field })
            }
        }
    }
}
