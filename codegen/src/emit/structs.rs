//! Structs: the type, its `Serialize`, its `Deserialize` (strict about
//! duplicate keys, the null-when-absent rule) and its JSON Schema.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use crate::ir::{BoundValue, Constant, Field, StructType, TypeDef};
use crate::lower::UNKNOWN_FIELDS;
use crate::naming;

use super::{
    Emitter, Flavor, convert_present, deserialize_with_visitor, doc_attrs, field_doc, ident, local,
    schema_description, view_ident,
};

impl Emitter<'_> {
    pub(super) fn structure(&self, name: &Ident, def: &TypeDef, s: &StructType) -> TokenStream {
        let derives = if s.derives_default {
            quote!(Debug, Clone, PartialEq, Default)
        } else {
            quote!(Debug, Clone, PartialEq)
        };
        let unknown = ident(UNKNOWN_FIELDS);
        let fields = s.fields.iter().map(|f| {
            let doc = doc_attrs(&field_doc(f));
            let field_name = ident(&f.rust_name);
            let ty = self.field_type(f);
            quote! { #(#[doc = #doc])* pub #field_name: #ty, }
        });
        let constants = s.constants.iter().map(|c| {
            let constant = format_ident!("{}", naming::constant_name(&c.wire_name));
            let value = &c.value;
            let doc = format!(" The `{}` of this object on the wire.", c.wire_name);
            quote! { #[doc = #doc] pub const #constant: &'static str = #value; }
        });
        let constants_impl = if s.constants.is_empty() {
            quote!()
        } else {
            quote! { impl #name { #(#constants)* } }
        };
        let serialize = self.struct_serialize(name, s, Flavor::Owned);
        let deserialize = self.struct_deserialize(name, s, Flavor::Owned);
        let schema = self.struct_schema(name, def, s);
        let view = if s.borrowed_view {
            self.struct_view(name, s)
        } else {
            quote!()
        };
        let construction = self.struct_construction(name, s);
        quote! {
            #[derive(#derives)]
            pub struct #name {
                #(#fields)*
                /// Properties the spec does not list, kept so that encoding again loses nothing.
                pub #unknown: ::serde_json::Map<String, ::serde_json::Value>,
            }
            #constants_impl
            #construction
            #serialize
            #deserialize
            #schema
            #view
        }
    }

    /// `impl Serialize` for the struct `name` or for its borrowed view.
    pub(super) fn struct_serialize(
        &self,
        name: &Ident,
        s: &StructType,
        flavor: Flavor,
    ) -> TokenStream {
        let unknown = ident(UNKNOWN_FIELDS);
        let (target, owner) = match flavor {
            Flavor::Owned => (quote!(#name), quote!(Self)),
            Flavor::Borrowed => {
                let view = view_ident(name);
                (quote!(#view<'_>), quote!(#name))
            }
        };
        let constants = s.constants.iter().map(|c| {
            let key = &c.wire_name;
            let constant = format_ident!("{}", naming::constant_name(&c.wire_name));
            quote! { map.serialize_entry(#key, #owner::#constant)?; }
        });
        let fields = s.fields.iter().map(|f| {
            let key = &f.wire_name;
            let field_name = ident(&f.rust_name);
            if f.required {
                quote! { map.serialize_entry(#key, &self.#field_name)?; }
            } else {
                quote! { if let Some(value) = &self.#field_name { map.serialize_entry(#key, value)?; } }
            }
        });
        // A kept `null` of an optional field is dropped once the field has a value.
        let shadowing: Vec<_> = s
            .fields
            .iter()
            .filter(|f| f.null_means_absent())
            .map(|f| {
                let key = &f.wire_name;
                let field_name = ident(&f.rust_name);
                quote! { #key => self.#field_name.is_some(), }
            })
            .collect();
        let write_unknown = if shadowing.is_empty() {
            quote! {
                for (key, value) in &self.#unknown {
                    map.serialize_entry(key, value)?;
                }
            }
        } else {
            quote! {
                for (key, value) in &self.#unknown {
                    let shadowed = match key.as_str() {
                        #(#shadowing)*
                        _ => false,
                    };
                    if !shadowed {
                        map.serialize_entry(key, value)?;
                    }
                }
            }
        };
        quote! {
            impl ::serde::Serialize for #target {
                fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    use ::serde::ser::SerializeMap as _;
                    let mut map = serializer.serialize_map(None)?;
                    #(#constants)*
                    #(#fields)*
                    #write_unknown
                    map.end()
                }
            }
        }
    }

    /// `impl Deserialize` for the struct `name` or for its borrowed view
    /// (whose string fields are read as `support::CowStr`s, borrowing from
    /// the input). A key that comes twice is an error: a declared property
    /// names itself (`duplicate field`), any other does not (its name is the
    /// peer's text).
    pub(super) fn struct_deserialize(
        &self,
        name: &Ident,
        s: &StructType,
        flavor: Flavor,
    ) -> TokenStream {
        let unknown = ident(UNKNOWN_FIELDS);
        let expecting = format!("an object of type `{name}`");
        let (target, constructor) = match flavor {
            Flavor::Owned => (quote!(#name), name.clone()),
            Flavor::Borrowed => {
                let view = view_ident(name);
                (quote!(#view<'de>), view)
            }
        };
        let borrows = |f: &Field| flavor == Flavor::Borrowed && self.borrows(f);
        let seen = |c: &Constant| format_ident!("seen_{}", naming::snake_case(&c.wire_name));
        let seen_decls = s.constants.iter().map(|c| {
            let seen = seen(c);
            quote! { let mut #seen = false; }
        });
        let locals = s.fields.iter().map(|f| {
            let local = local(f);
            let inner = if borrows(f) {
                quote!(::realtime_types::support::CowStr<'de>)
            } else if let Some(twin) = self.twin_tokens(&f.ty) {
                twin
            } else {
                self.type_tokens(&f.ty)
            };
            let inner = if f.boxed { quote!(Box<#inner>) } else { inner };
            let ty = if f.nullable {
                quote!(Option<Option<#inner>>)
            } else {
                quote!(Option<#inner>)
            };
            quote! { let mut #local: #ty = None; }
        });
        let duplicate =
            |key: &str| quote! { return Err(::serde::de::Error::duplicate_field(#key)); };
        let constant_arms = s.constants.iter().map(|c| {
            let key = &c.wire_name;
            let constant = format_ident!("{}", naming::constant_name(&c.wire_name));
            let seen = seen(c);
            let duplicate = duplicate(key);
            quote! {
                #key => {
                    if #seen { #duplicate }
                    ::realtime_types::support::expect_constant(&mut map, #key, #name::#constant)?;
                    #seen = true;
                }
            }
        });
        let field_arms = s.fields.iter().map(|f| {
            let key = &f.wire_name;
            let local = local(f);
            let duplicate = duplicate(key);
            if !f.null_means_absent() {
                quote! {
                    #key => {
                        if #local.is_some() { #duplicate }
                        #local = Some(map.next_value()?);
                    }
                }
            } else {
                // The spec says not nullable, yet servers send `null` for absent
                // optional fields: decode as `None`, keep the `null` for re-encoding.
                quote! {
                    #key => {
                        if #local.is_some() || #unknown.contains_key(#key) { #duplicate }
                        match map.next_value()? {
                            Some(value) => #local = Some(value),
                            None => {
                                #unknown.insert(key.into_string(), ::serde_json::Value::Null);
                            }
                        }
                    }
                }
            }
        });
        let required_checks = s.constants.iter().map(|c| {
            let key = &c.wire_name;
            let seen = seen(c);
            quote! { if !#seen { return Err(::serde::de::Error::missing_field(#key)); } }
        });
        let inits = s.fields.iter().map(|f| {
            let field_name = ident(&f.rust_name);
            let local = local(f);
            let key = &f.wire_name;
            let value = if f.required {
                quote! { #local.ok_or_else(|| ::serde::de::Error::missing_field(#key))? }
            } else {
                quote! { #local }
            };
            // A borrowed view's strings: `CowStr` → `Cow`; raw JSON: its
            // strict twin → the value; under the same `Option`s.
            let value = if borrows(f) {
                convert_present(
                    f,
                    value,
                    quote!(::realtime_types::support::CowStr),
                    "into_cow",
                )
            } else if self.twin_tokens(&f.ty).is_some() {
                convert_present(
                    f,
                    value,
                    quote!(::realtime_types::support::Twin),
                    "into_decoded",
                )
            } else {
                value
            };
            quote! { #field_name: #value, }
        });
        let visit_map = quote! {
                        fn visit_map<A: ::serde::de::MapAccess<'de>>(self, mut map: A) -> Result<#target, A::Error> {
                            #(#seen_decls)*
                            #(#locals)*
                            let mut #unknown = ::serde_json::Map::new();
                            while let Some(key) = map.next_key::<::realtime_types::support::Key<'de>>()? {
                                match key.as_str() {
                                    #(#constant_arms)*
                                    #(#field_arms)*
                                    _ => {
                                        let value = map.next_value::<::realtime_types::support::StrictValue>()?.0;
                                        if #unknown.insert(key.into_string(), value).is_some() {
                                            return Err(::realtime_types::support::duplicate_key());
                                        }
                                    }
                                }
                            }
                            #(#required_checks)*
                            Ok(#constructor {
                                #(#inits)*
                                #unknown,
                            })
                        }
        };
        deserialize_with_visitor(
            &target,
            "FieldsVisitor",
            &expecting,
            visit_map,
            quote!(deserialize_map),
        )
    }

    /// `impl JsonSchema`: what the decoder accepts (see `support::schema`),
    /// with the spec's descriptions.
    pub(super) fn struct_schema(&self, name: &Ident, def: &TypeDef, s: &StructType) -> TokenStream {
        let schema_name = def.spec_name.clone();
        let schema = quote!(::realtime_types::support::schema);
        let mut properties = Vec::new();
        let mut required: Vec<&str> = Vec::new();
        for c in &s.constants {
            let key = &c.wire_name;
            let value = &c.value;
            properties.push(quote! { (#key, #schema::constant(#value)) });
            required.push(key);
        }
        for f in &s.fields {
            let key = &f.wire_name;
            let ty = self.type_tokens(&f.ty);
            let description = schema_description(f.description.as_deref());
            // Decoded as absent when `null`: nullable, or optional at all.
            let accepts_null = f.nullable || !f.required;
            let property = quote! {
                #schema::property(generator.subschema_for::<#ty>(), #description, #accepts_null)
            };
            let property = if f.bounds.is_empty() {
                property
            } else {
                let bounds = f.bounds.iter().map(|bound| {
                    let keyword = &bound.keyword;
                    let value = match bound.value {
                        BoundValue::Integer(integer) => {
                            proc_macro2::Literal::i64_unsuffixed(integer)
                        }
                        BoundValue::Float(float) => proc_macro2::Literal::f64_unsuffixed(float),
                    };
                    quote!((#keyword, ::serde_json::Value::from(#value)))
                });
                quote!(#schema::bounded(#property, &[#(#bounds),*]))
            };
            properties.push(quote! { (#key, #property) });
            if f.required {
                required.push(key);
            }
        }
        let generator = if s.fields.is_empty() {
            format_ident!("_generator")
        } else {
            format_ident!("generator")
        };
        let description = schema_description(def.description.as_deref());
        let json_schema_cfg = super::json_schema_cfg();
        quote! {
            #json_schema_cfg
            impl ::schemars::JsonSchema for #name {
                fn schema_name() -> ::std::borrow::Cow<'static, str> {
                    #schema_name.into()
                }
                fn json_schema(#generator: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                    #schema::object(#description, vec![#(#properties),*], &[#(#required),*])
                }
            }
        }
    }
}
