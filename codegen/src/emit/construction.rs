//! Constructors, setters and `From` impls, as `crate::construction` decided them.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::{Emitter, ident};
use crate::ir::{Conversion, ConversionSource, Field, Param, Pass, StructType, TypeRef};

impl Emitter<'_> {
    /// The inherent constructors and setters of the struct `name`.
    pub(super) fn struct_construction(&self, name: &Ident, s: &StructType) -> TokenStream {
        let plan = &s.construction;
        let unknown = format_ident!("{}", crate::lower::UNKNOWN_FIELDS);
        let new_params: Vec<TokenStream> = plan
            .new_params
            .iter()
            .map(|p| self.param_decl(s, p))
            .collect();
        // Every field's initial value: the parameter for a required field,
        // `None` for an optional one.
        let inits = |set: Option<(usize, TokenStream)>| {
            let fields = s.fields.iter().enumerate().map(|(i, f)| {
                let field = ident(&f.rust_name);
                let value = match (&set, plan.new_params.iter().find(|p| p.field == i)) {
                    (Some((index, value)), _) if *index == i => value.clone(),
                    (_, Some(param)) => self.param_value(f, param),
                    _ => quote!(None),
                };
                if field == value.to_string() {
                    return quote! { #field, };
                }
                quote! { #field: #value, }
            });
            quote! { #(#fields)* #unknown: ::serde_json::Map::new(), }
        };
        let new = if plan.new_params.is_empty() {
            quote!()
        } else {
            let doc = format!(
                " A `{name}` with its required fields{}.",
                if plan.setters.is_empty() {
                    ""
                } else {
                    " (the optional ones are left out: set them with the `with_` methods)"
                }
            );
            let fields = inits(None);
            quote! {
                #[doc = #doc]
                pub fn new(#(#new_params),*) -> Self {
                    Self { #fields }
                }
            }
        };
        let by_type = plan.by_type.iter().flat_map(|by_type| {
            let field = &s.fields[by_type.field];
            let enum_ty = self.type_tokens(&TypeRef::Named(by_type.enum_id.clone()));
            let params: Vec<TokenStream> = plan
                .new_params
                .iter()
                .filter(|p| p.field != by_type.field)
                .map(|p| self.param_decl(s, p))
                .collect();
            by_type
                .constructors
                .iter()
                .map(move |(method, variant, wire)| {
                    let method = format_ident!("{method}");
                    let variant = format_ident!("{variant}");
                    let value = if field.required {
                        quote!(#enum_ty::#variant)
                    } else {
                        quote!(Some(#enum_ty::#variant))
                    };
                    let doc = format!(" A `{name}` whose `type` is `{wire}`.");
                    let fields = inits(Some((by_type.field, value)));
                    quote! {
                        #[doc = #doc]
                        pub fn #method(#(#params),*) -> Self {
                            Self { #fields }
                        }
                    }
                })
        });
        let setters = plan.setters.iter().map(|setter| {
            let f = &s.fields[setter.param.field];
            let field = ident(&f.rust_name);
            let bare = f.rust_name.trim_start_matches("r#");
            let with = format_ident!("with_{bare}");
            let decl = self.param_decl(s, &setter.param);
            let value = self.param_value(f, &setter.param);
            let stored = if f.nullable {
                quote!(Some(Some(#value)))
            } else {
                quote!(Some(#value))
            };
            let doc = format!(" Sets `{}`.", f.wire_name);
            let edit = if setter.edit {
                let edit = format_ident!("edit_{bare}");
                let ty = self.type_tokens(&f.ty);
                let doc = format!(
                    " Changes `{}` with `change`, starting from its value or, when it is not set, the default.",
                    f.wire_name
                );
                let current = if f.nullable {
                    quote!(self.#field.take().flatten().unwrap_or_default())
                } else {
                    quote!(self.#field.take().unwrap_or_default())
                };
                let stored = if f.nullable {
                    quote!(Some(Some(change(current))))
                } else {
                    quote!(Some(change(current)))
                };
                quote! {
                    #[doc = #doc]
                    pub fn #edit(mut self, change: impl FnOnce(#ty) -> #ty) -> Self {
                        let current = #current;
                        self.#field = #stored;
                        self
                    }
                }
            } else {
                quote!()
            };
            let null = if f.nullable {
                let with_null = format_ident!("with_{bare}_null");
                let doc = format!(" Sets `{}` to `null` (not the same as leaving it out).", f.wire_name);
                quote! {
                    #[doc = #doc]
                    pub fn #with_null(mut self) -> Self {
                        self.#field = Some(None);
                        self
                    }
                }
            } else {
                quote!()
            };
            quote! {
                #[doc = #doc]
                pub fn #with(mut self, #decl) -> Self {
                    self.#field = #stored;
                    self
                }
                #null
                #edit
            }
        });
        quote! {
            impl #name {
                #new
                #(#by_type)*
                #(#setters)*
            }
        }
    }

    /// A parameter's declaration: `item_id: impl Into<String>`.
    pub(super) fn param_decl(&self, s: &StructType, param: &Param) -> TokenStream {
        let f = &s.fields[param.field];
        let name = ident(&f.rust_name);
        let ty = self.type_tokens(&f.ty);
        match param.pass {
            Pass::Into => quote!(#name: impl Into<#ty>),
            Pass::Plain => quote!(#name: #ty),
        }
    }

    /// The field's value made from its parameter (converted, boxed, and for
    /// a required nullable field wrapped in `Some`).
    fn param_value(&self, f: &Field, param: &Param) -> TokenStream {
        let name = ident(&f.rust_name);
        let value = match param.pass {
            Pass::Into => quote!(#name.into()),
            Pass::Plain => quote!(#name),
        };
        let value = if f.boxed {
            quote!(Box::new(#value))
        } else {
            value
        };
        if f.required && f.nullable {
            quote!(Some(#value))
        } else {
            value
        }
    }

    /// The `From` impls of the union `name`.
    pub(super) fn union_conversions(
        &self,
        name: &Ident,
        conversions: &[Conversion],
    ) -> TokenStream {
        let impls = conversions.iter().map(|conversion| {
            let (source, innermost) = match &conversion.from {
                ConversionSource::Exact(ty) => (self.type_tokens(ty), quote!(value)),
                ConversionSource::Str => (quote!(&str), quote!(value.into())),
                ConversionSource::String => (quote!(String), quote!(value.into())),
                ConversionSource::Float => (quote!(f64), quote!(value.into())),
            };
            let mut value = innermost;
            for (depth, wrap) in conversion.path.iter().enumerate().rev() {
                let variant = format_ident!("{}", wrap.variant);
                let held = if wrap.boxed {
                    quote!(Box::new(#value))
                } else {
                    value
                };
                value = if depth == 0 {
                    quote!(Self::#variant(#held))
                } else {
                    let union = self.type_tokens(&TypeRef::Named(wrap.union.clone()));
                    quote!(#union::#variant(#held))
                };
            }
            quote! {
                impl From<#source> for #name {
                    fn from(value: #source) -> Self {
                        #value
                    }
                }
            }
        });
        quote! { #(#impls)* }
    }
}
