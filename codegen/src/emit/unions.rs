//! Tagged unions (event unions among them) and kind unions: the enum, its
//! `Serialize`, its `Deserialize`, its JSON Schema and, for event unions,
//! `from_frame`, `event_type` and the `Event` / `EventOf` impls.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use crate::ir::{JsonKind, KindPayload, KindUnion, Module, TaggedUnion, TypeDef, TypeRef};
use crate::naming;

use super::{Emitter, deserialize_with_visitor, first_sentence, ident, schema_description};

impl Emitter<'_> {
    pub(super) fn tagged_union(&self, name: &Ident, def: &TypeDef, u: &TaggedUnion) -> TokenStream {
        let tag = &u.tag;
        let members: Vec<UnionMember<'_>> = u
            .variants
            .iter()
            .map(|v| {
                let ty = self.type_tokens(&TypeRef::Named(v.ty.clone()));
                let (payload, wrap) = if v.boxed {
                    (quote!(Box<#ty>), quote!(Box::new(value)))
                } else {
                    (ty.clone(), quote!(value))
                };
                let summary = self
                    .space
                    .types
                    .get(&v.ty)
                    .and_then(|d| d.description.as_deref())
                    .and_then(first_sentence);
                let mut doc = vec![match summary {
                    Some(summary) => format!(" `{}`: {summary}", v.tag_value),
                    None => format!(" `{}`", v.tag_value),
                }];
                if v.boxed {
                    doc.push(String::new());
                    doc.push(format!(
                        " Boxed, as the event holds other objects; build it with `{name}::from`."
                    ));
                }
                UnionMember {
                    variant: ident(&v.name),
                    ty,
                    payload,
                    wrap,
                    doc,
                    tag_value: &v.tag_value,
                    boxed: v.boxed,
                }
            })
            .collect();
        let unknown_doc = format!(
            " A member whose `{tag}` this version of the spec does not know, kept exactly as it arrived."
        );
        let enum_variants = members.iter().map(|m| {
            let (variant, payload, doc) = (&m.variant, &m.payload, &m.doc);
            quote! { #(#[doc = #doc])* #variant(#payload), }
        });
        let serialize_arms = u.variants.iter().zip(&members).map(|(v, m)| {
            member_serialize_arm(&m.variant, &v.tag_value, v.tag_field.as_deref(), v.boxed)
        });
        let decode_arms = members.iter().map(|m| {
            let (variant, tag_value) = (&m.variant, m.tag_value);
            quote! { #tag_value => Self::#variant(::serde::Deserialize::deserialize(rest)?), }
        });
        let from_impls = self.union_conversions(name, &u.conversions);
        let (accessors, event_impl) = if u.is_event_union {
            let arms = members.iter().map(|m| {
                let (variant, tag_value) = (&m.variant, m.tag_value);
                quote! { Self::#variant(_) => #tag_value, }
            });
            let tag_values = members.iter().map(|m| m.tag_value);
            let frame_arms = members.iter().map(|m| {
                let (variant, tag_value, wrap) = (&m.variant, m.tag_value, &m.wrap);
                quote! {
                    Some(#tag_value) => match ::serde_json::from_str(frame) {
                        Ok(value) => Self::#variant(#wrap),
                        Err(error) => Self::Malformed(Box::new(::realtime_types::MalformedEvent::from_frame(frame, &error)?)),
                    },
                }
            });
            let accessors = quote! {
                /// Decodes the text of one frame (one WebSocket message) into
                /// the same event as `serde_json::from_str`, faster, and
                /// without losing any event.
                ///
                /// The first top-level `type` is found by a byte scan of the
                /// first entries (the frame is parsed an extra time only when
                /// the scan cannot tell, e.g. an escape in the `type`), then the
                /// frame is decoded straight into that event's struct, without
                /// buffering the entries before the `type`. Events this version
                /// does not know are [`Unknown`](Self::Unknown). A known `type`
                /// whose body does not match its schema, where
                /// `serde_json::from_str` fails, is
                /// [`Malformed`](Self::Malformed), with the whole frame. Frames
                /// that are not a JSON object, or repeat a key, are the same
                /// errors as with `serde_json::from_str`.
                pub fn from_frame(frame: &str) -> Result<Self, ::serde_json::Error> {
                    Ok(match ::realtime_types::support::frame_tag(frame, #tag).as_deref() {
                        #(#frame_arms)*
                        Some(_) => Self::Unknown(::realtime_types::support::strict_value_from_str(frame)?),
                        None => ::serde_json::from_str(frame)?,
                    })
                }
                /// Every event `type` this version knows, in spec order.
                pub const EVENT_TYPES: &'static [&'static str] = &[#(#tag_values),*];
                /// The event's `type` on the wire (also for events this version does not know).
                pub fn event_type(&self) -> &str {
                    match self {
                        #(#arms)*
                        Self::Unknown(raw) => ::realtime_types::support::raw_tag(raw, #tag),
                        Self::Malformed(event) => event.event_type(),
                    }
                }
                /// Whether this is an event whose `type` this version knows but
                /// whose body does not match its schema (see [`Malformed`](Self::Malformed)).
                pub fn is_malformed(&self) -> bool {
                    matches!(self, Self::Malformed(_))
                }
            };
            let member_impls = members.iter().map(|m| {
                let (variant, ty, tag_value) = (&m.variant, &m.ty, m.tag_value);
                let held = if m.boxed {
                    quote!(&**event)
                } else {
                    quote!(event)
                };
                quote! {
                    impl ::realtime_types::EventOf<#name> for #ty {
                        const EVENT_TYPE: &'static str = #tag_value;
                        fn from_event(event: &#name) -> Option<&Self> {
                            match event {
                                #name::#variant(event) => Some(#held),
                                _ => None,
                            }
                        }
                    }
                }
            });
            let event_impl = quote! {
                #(#member_impls)*
                impl ::realtime_types::Event for #name {
                    const EVENT_TYPES: &'static [&'static str] = Self::EVENT_TYPES;
                    fn from_frame(frame: &str) -> Result<Self, ::serde_json::Error> {
                        Self::from_frame(frame)
                    }
                    fn event_type(&self) -> &str {
                        self.event_type()
                    }
                    fn is_unknown(&self) -> bool {
                        self.is_unknown()
                    }
                    fn malformed(&self) -> Option<&::realtime_types::MalformedEvent> {
                        match self {
                            Self::Malformed(event) => Some(event),
                            _ => None,
                        }
                    }
                }
            };
            (accessors, event_impl)
        } else {
            (quote!(), quote!())
        };
        let expecting = format!("an object of type `{name}` with a string `{tag}`");
        let schema_name = match &def.module {
            Module::Surface(m) if u.is_event_union => {
                format!("{}{}", naming::pascal_case(m), def.name)
            }
            _ => def.spec_name.clone(),
        };
        let member_schemas = members.iter().map(|m| {
            let (ty, tag_value) = (&m.ty, m.tag_value);
            quote! { (generator.subschema_for::<#ty>(), #tag_value) }
        });
        let description = schema_description(def.description.as_deref());
        let view = if u.borrowed_view {
            self.union_view(name, u)
        } else {
            quote!()
        };
        let (malformed_variant, malformed_serialize) = if u.is_event_union {
            (
                quote! {
                    /// An event whose `type` this version knows but whose body does not
                    /// match its schema, kept whole (only [`from_frame`](Self::from_frame)
                    /// gives it, where `serde_json::from_str` fails): encoding it gives the
                    /// frame back.
                    Malformed(Box<::realtime_types::MalformedEvent>),
                },
                quote! { Self::Malformed(event) => event.serialize(serializer), },
            )
        } else {
            (quote!(), quote!())
        };
        let json_schema_cfg = super::json_schema_cfg();
        quote! {
            #[derive(Debug, Clone, PartialEq)]
            pub enum #name {
                #(#enum_variants)*
                #[doc = #unknown_doc]
                Unknown(::serde_json::Value),
                #malformed_variant
            }
            impl #name {
                #accessors
                /// Whether this is a member this version of the spec does not know.
                pub fn is_unknown(&self) -> bool {
                    matches!(self, Self::Unknown(_))
                }
            }
            #event_impl
            #from_impls
            impl ::serde::Serialize for #name {
                fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    match self {
                        #(#serialize_arms)*
                        Self::Unknown(raw) => raw.serialize(serializer),
                        #malformed_serialize
                    }
                }
            }
            impl<'de> ::serde::Deserialize<'de> for #name {
                fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    ::realtime_types::support::deserialize_tagged(deserializer)
                }
            }
            impl ::realtime_types::support::TaggedUnion for #name {
                const TAG: &'static str = #tag;
                const EXPECTING: &'static str = #expecting;
                fn decode_tagged<'de, D: ::serde::Deserializer<'de>>(tag: &str, rest: D) -> Result<Self, D::Error> {
                    Ok(match tag {
                        #(#decode_arms)*
                        _ => Self::Unknown(::realtime_types::support::strict_value(rest)?),
                    })
                }
            }
            #json_schema_cfg
            impl ::schemars::JsonSchema for #name {
                fn schema_name() -> ::std::borrow::Cow<'static, str> {
                    #schema_name.into()
                }
                fn json_schema(generator: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                    ::realtime_types::support::schema::tagged_union(#description, #tag, vec![#(#member_schemas),*])
                }
            }
            #view
        }
    }

    pub(super) fn kind_union(&self, name: &Ident, def: &TypeDef, u: &KindUnion) -> TokenStream {
        let mut enum_variants = Vec::new();
        let mut serialize_arms = Vec::new();
        let mut member_schemas = Vec::new();
        let mut tagged_schemas = Vec::new();
        let mut tagged_arms = Vec::new();
        let mut expecting_parts = Vec::new();
        let mut visit_str = None;
        let mut visit_integer = None;
        let mut visit_number = None;
        let mut visit_bool = None;
        let mut visit_seq = None;
        // How an object is decoded (from a `MapAccess` named `map`), and the
        // variant a number that reaches `visit_map` goes to (see
        // `support::map_or_number`).
        let mut object_map = None;
        let mut number_variant = None;
        for v in &u.variants {
            let variant = ident(&v.name);
            match &v.payload {
                KindPayload::Constant(value) => {
                    let doc = format!(" The string `{value}`.");
                    enum_variants.push(quote! { #[doc = #doc] #variant, });
                    serialize_arms
                        .push(quote! { Self::#variant => serializer.serialize_str(#value), });
                    member_schemas
                        .push(quote! { ::realtime_types::support::schema::constant(#value) });
                    expecting_parts.push(format!("`{value}`"));
                    visit_str = Some(quote! {
                        fn visit_str<E: ::serde::de::Error>(self, value: &str) -> Result<Self::Value, E> {
                            if value == #value {
                                Ok(#name::#variant)
                            } else {
                                Err(E::invalid_value(::serde::de::Unexpected::Str(value), &self))
                            }
                        }
                    });
                }
                KindPayload::Value(ty) => {
                    let ty_tokens = self.type_tokens(ty);
                    let doc = format!(" A value that is {}.", kind_phrase(v.kind));
                    enum_variants.push(quote! { #[doc = #doc] #variant(#ty_tokens), });
                    serialize_arms
                        .push(quote! { Self::#variant(value) => value.serialize(serializer), });
                    member_schemas.push(quote! { generator.subschema_for::<#ty_tokens>() });
                    expecting_parts.push(kind_phrase(v.kind).to_string());
                    let from_value = quote! {
                        ::serde::Deserialize::deserialize(::serde::de::IntoDeserializer::<E>::into_deserializer(value)).map(#name::#variant)
                    };
                    match v.kind {
                        JsonKind::String => {
                            visit_str = Some(quote! {
                                fn visit_str<E: ::serde::de::Error>(self, value: &str) -> Result<Self::Value, E> {
                                    #from_value
                                }
                            });
                        }
                        JsonKind::Integer => visit_integer = Some(from_value),
                        JsonKind::Number => {
                            visit_number = Some(from_value);
                            number_variant = Some(variant.clone());
                        }
                        JsonKind::Boolean => {
                            visit_bool = Some(quote! {
                                fn visit_bool<E: ::serde::de::Error>(self, value: bool) -> Result<Self::Value, E> {
                                    #from_value
                                }
                            });
                        }
                        JsonKind::Array => {
                            let decode = self.strict_decode(
                                ty,
                                quote!(::serde::de::value::SeqAccessDeserializer::new(seq)),
                            );
                            visit_seq = Some(quote! {
                                fn visit_seq<A: ::serde::de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                                    #decode.map(#name::#variant)
                                }
                            });
                        }
                        JsonKind::Object => {
                            let decode = self.strict_decode(
                                ty,
                                quote!(::serde::de::value::MapAccessDeserializer::new(map)),
                            );
                            object_map = Some(quote! { #decode.map(#name::#variant) });
                        }
                    }
                }
                KindPayload::Tagged {
                    tag_value,
                    ty,
                    tag_field,
                } => {
                    let ty_tokens = self.type_tokens(&TypeRef::Named(ty.clone()));
                    let tag = u.object_tag.as_deref().unwrap_or("type");
                    let doc = format!(" An object with `{tag}: {tag_value}`.");
                    enum_variants.push(quote! { #[doc = #doc] #variant(#ty_tokens), });
                    serialize_arms.push(member_serialize_arm(
                        &variant,
                        tag_value,
                        tag_field.as_deref(),
                        false,
                    ));
                    tagged_schemas
                        .push(quote! { (generator.subschema_for::<#ty_tokens>(), #tag_value) });
                    expecting_parts.push(format!("an object with `{tag}: {tag_value}`"));
                    tagged_arms.push(quote! { #tag_value => Self::#variant(::serde::Deserialize::deserialize(rest)?), });
                }
            }
        }
        let tagged_impl = match &u.object_tag {
            Some(tag) => {
                let unknown_doc = format!(
                    " An object whose `{tag}` this version of the spec does not know, kept exactly as it arrived."
                );
                enum_variants.push(quote! { #[doc = #unknown_doc] Unknown(::serde_json::Value), });
                serialize_arms.push(quote! { Self::Unknown(raw) => raw.serialize(serializer), });
                object_map = Some(quote! { ::realtime_types::support::visit_tagged_map(map) });
                let expecting = format!("an object with a string `{tag}`");
                quote! {
                    impl ::realtime_types::support::TaggedUnion for #name {
                        const TAG: &'static str = #tag;
                        const EXPECTING: &'static str = #expecting;
                        fn decode_tagged<'de, D: ::serde::Deserializer<'de>>(tag: &str, rest: D) -> Result<Self, D::Error> {
                            Ok(match tag {
                                #(#tagged_arms)*
                                _ => Self::Unknown(::realtime_types::support::strict_value(rest)?),
                            })
                        }
                    }
                }
            }
            None => quote!(),
        };
        let integer_visits = match (&visit_integer, &visit_number) {
            (Some(from_value), _) => quote! {
                fn visit_i64<E: ::serde::de::Error>(self, value: i64) -> Result<Self::Value, E> {
                    #from_value
                }
                fn visit_u64<E: ::serde::de::Error>(self, value: u64) -> Result<Self::Value, E> {
                    let value = i64::try_from(value).map_err(|_| E::invalid_value(::serde::de::Unexpected::Unsigned(value), &self))?;
                    #from_value
                }
            },
            (None, Some(from_value)) => quote! {
                fn visit_f64<E: ::serde::de::Error>(self, value: f64) -> Result<Self::Value, E> {
                    #from_value
                }
                fn visit_i64<E: ::serde::de::Error>(self, value: i64) -> Result<Self::Value, E> {
                    #from_value
                }
                fn visit_u64<E: ::serde::de::Error>(self, value: u64) -> Result<Self::Value, E> {
                    #from_value
                }
            },
            (None, None) => quote!(),
        };
        // With serde_json's `arbitrary_precision`, a number that is not a
        // plain integer reaches `visit_map`: every union that looks at maps
        // tells the two apart (`support::map_or_number`).
        let visit_map = if number_variant.is_none() && object_map.is_none() {
            None
        } else {
            let number_arm = match number_variant {
                Some(number) => quote! {
                    ::realtime_types::support::MapOrNumber::Number(number) => Ok(#name::#number(number.into())),
                },
                None => quote! {
                    ::realtime_types::support::MapOrNumber::Number(_) => {
                        Err(::serde::de::Error::invalid_type(::serde::de::Unexpected::Other("a number"), &self))
                    }
                },
            };
            let object_arm = match object_map {
                Some(object) => {
                    quote! { ::realtime_types::support::MapOrNumber::Map(map) => #object, }
                }
                None => quote! {
                    ::realtime_types::support::MapOrNumber::Map(_) => {
                        Err(::serde::de::Error::invalid_type(::serde::de::Unexpected::Map, &self))
                    }
                },
            };
            Some(quote! {
                fn visit_map<A: ::serde::de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                    match ::realtime_types::support::map_or_number(map)? {
                        #number_arm
                        #object_arm
                    }
                }
            })
        };
        let expecting = expecting_parts.join(" or ");
        let schema_name = def.spec_name.clone();
        let description = schema_description(def.description.as_deref());
        let tagged = match &u.object_tag {
            Some(tag) => quote! { Some((#tag, vec![#(#tagged_schemas),*])) },
            None => quote!(None),
        };
        let visits = [visit_str, visit_bool, visit_seq, visit_map]
            .into_iter()
            .flatten();
        let methods = quote! { #integer_visits #(#visits)* };
        let conversions = self.union_conversions(name, &u.conversions);
        let deserialize = deserialize_with_visitor(
            &quote!(#name),
            "KindVisitor",
            &expecting,
            methods,
            quote!(deserialize_any),
        );
        let json_schema_cfg = super::json_schema_cfg();
        quote! {
            #[derive(Debug, Clone, PartialEq)]
            pub enum #name {
                #(#enum_variants)*
            }
            impl ::serde::Serialize for #name {
                fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    match self {
                        #(#serialize_arms)*
                    }
                }
            }
            #deserialize
            #tagged_impl
            #conversions
            #json_schema_cfg
            impl ::schemars::JsonSchema for #name {
                fn schema_name() -> ::std::borrow::Cow<'static, str> {
                    #schema_name.into()
                }
                fn json_schema(generator: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                    ::realtime_types::support::schema::kind_union(#description, vec![#(#member_schemas),*], #tagged)
                }
            }
        }
    }
}

/// The `Serialize` arm of a union member. A member whose tag is an optional
/// field writes it only when it is set (so that a member decoded without it
/// encodes without it); the union needs it, so it fills it in when `None`.
pub(super) fn member_serialize_arm(
    variant: &Ident,
    tag_value: &str,
    tag_field: Option<&str>,
    boxed: bool,
) -> TokenStream {
    let Some(field) = tag_field else {
        return quote! { Self::#variant(value) => value.serialize(serializer), };
    };
    let field = ident(field);
    let member = if boxed {
        quote!((**value).clone())
    } else {
        quote!(value.clone())
    };
    quote! {
        Self::#variant(value) if value.#field.is_none() => {
            let mut value = #member;
            value.#field = Some(#tag_value.into());
            value.serialize(serializer)
        }
        Self::#variant(value) => value.serialize(serializer),
    }
}

/// What the code of a tagged union needs of one member.
pub(super) struct UnionMember<'a> {
    /// The variant name.
    variant: Ident,
    /// The member's type.
    ty: TokenStream,
    /// What the variant holds: the type, or `Box<type>` (see `boxing`).
    payload: TokenStream,
    /// Builds the payload from a `value` of the member's type.
    wrap: TokenStream,
    /// The variant's doc lines.
    doc: Vec<String>,
    /// The tag value that selects the member.
    tag_value: &'a str,
    /// Whether the variant holds the member in a `Box`.
    boxed: bool,
}

pub(super) fn kind_phrase(kind: JsonKind) -> &'static str {
    match kind {
        JsonKind::String => "a string",
        JsonKind::Integer => "an integer",
        JsonKind::Number => "a number",
        JsonKind::Boolean => "a boolean",
        JsonKind::Array => "an array",
        JsonKind::Object => "an object",
    }
}
