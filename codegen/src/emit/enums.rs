//! String enums: the known values and `Other(String)`.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use crate::ir::{StringEnum, TypeDef};

use super::{ident, schema_description};

pub(super) fn string_enum(name: &Ident, def: &TypeDef, e: &StringEnum) -> TokenStream {
    let schema_name = def.spec_name.clone();
    let variants = e.values.iter().map(|v| {
        let variant = ident(&v.name);
        let doc = format!(" `{}`", v.wire);
        quote! { #[doc = #doc] #variant, }
    });
    let as_str_arms = e.values.iter().map(|v| {
        let variant = ident(&v.name);
        let wire = &v.wire;
        quote! { Self::#variant => #wire, }
    });
    let from_arms: Vec<_> = e
        .values
        .iter()
        .map(|v| {
            let variant = ident(&v.name);
            let wire = &v.wire;
            quote! { #wire => Self::#variant, }
        })
        .collect();
    let wires = e.values.iter().map(|v| &v.wire);
    let description = schema_description(def.description.as_deref());
    let json_schema_cfg = super::json_schema_cfg();
    quote! {
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum #name {
            #(#variants)*
            /// A value this version of the spec does not list, kept as it arrived.
            Other(String),
        }
        impl #name {
            /// The value on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#as_str_arms)*
                    Self::Other(value) => value,
                }
            }
        }
        impl From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#from_arms)*
                    _ => Self::Other(value.to_string()),
                }
            }
        }
        impl From<String> for #name {
            fn from(value: String) -> Self {
                match value.as_str() {
                    #(#from_arms)*
                    _ => Self::Other(value),
                }
            }
        }
        impl ::std::fmt::Display for #name {
            fn fmt(&self, formatter: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                formatter.write_str(self.as_str())
            }
        }
        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                ::realtime_types::support::deserialize_string_enum(deserializer)
            }
        }
        #json_schema_cfg
        impl ::schemars::JsonSchema for #name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                #schema_name.into()
            }
            fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                // Any string is accepted (unknown values are kept); the known ones are listed.
                ::realtime_types::support::schema::string_enum(#description, &[#(#wires),*])
            }
        }
    }
}
