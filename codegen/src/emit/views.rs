//! Borrowed views (`<Name>Ref<'a>`): the twin of an event struct whose
//! strings borrow from the frame text, and each event union's view, which
//! dispatches a frame on its `type` to them (see `crate::views` for which
//! events get one).

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::{
    Emitter, Flavor, convert_present, doc_attrs, field_doc, generator_doc, ident, view_ident,
    with_presence,
};
use crate::ir::{Field, StructType, TaggedUnion, TypeRef};
use crate::lower::UNKNOWN_FIELDS;
use crate::views::has_view;

impl Emitter<'_> {
    /// The view of the struct `name`: same fields, strings as `Cow<'a, str>`.
    pub(super) fn struct_view(&self, name: &Ident, s: &StructType) -> TokenStream {
        let view = view_ident(name);
        let unknown = ident(UNKNOWN_FIELDS);
        let doc = generator_doc(&format!(
            "[`{name}`] decoded without copying its strings: each one borrows
from the text it was decoded from (a string the text spells with a JSON
escape, which base64 and ids never need, is unescaped into an owned `Cow`).

The event unions' views (`ServerEventRef`, `ClientEventRef`) decode into it;
[`into_owned`](Self::into_owned) gives the owned type. Properties the spec
does not list are kept, as in the owned type, and encoding it gives the
same JSON."
        ));
        let fields = s.fields.iter().map(|f| {
            let doc = doc_attrs(&field_doc(f));
            let field_name = ident(&f.rust_name);
            let ty = self.view_field_type(f);
            quote! { #(#[doc = #doc])* pub #field_name: #ty, }
        });
        let into_owned = s.fields.iter().map(|f| {
            let field_name = ident(&f.rust_name);
            let value = quote!(self.#field_name);
            let value = if self.borrows(f) {
                convert_present(f, value, quote!(::std::borrow::Cow), "into_owned")
            } else {
                value
            };
            quote! { #field_name: #value, }
        });
        let serialize = self.struct_serialize(name, s, Flavor::Borrowed);
        let deserialize = self.struct_deserialize(name, s, Flavor::Borrowed);
        quote! {
            #(#[doc = #doc])*
            #[derive(Debug, Clone, PartialEq)]
            pub struct #view<'a> {
                #(#fields)*
                /// Properties the spec does not list, kept so that encoding again loses nothing.
                pub #unknown: ::serde_json::Map<String, ::serde_json::Value>,
            }
            impl #view<'_> {
                /// The owned event (copies the strings that were borrowed).
                pub fn into_owned(self) -> #name {
                    #name {
                        #(#into_owned)*
                        #unknown: self.#unknown,
                    }
                }
            }
            impl From<#view<'_>> for #name {
                fn from(view: #view<'_>) -> Self {
                    view.into_owned()
                }
            }
            #serialize
            #deserialize
        }
    }

    /// The view of the event union `name`: a variant per member that has a
    /// borrowed view, and `Owned` for every other event.
    pub(super) fn union_view(&self, name: &Ident, u: &TaggedUnion) -> TokenStream {
        let view = view_ident(name);
        let tag = &u.tag;
        let borrowed: Vec<_> = u
            .variants
            .iter()
            .filter_map(|v| {
                let def = self.space.types.get(&v.ty)?;
                has_view(self.space, &v.ty).then(|| {
                    let path = self.path_to(&def.module, &view_ident(&ident(&def.name)));
                    (ident(&v.name), path, v.tag_value.as_str())
                })
            })
            .collect();
        let doc = generator_doc(&format!(
            "A [`{name}`] decoded from the text of its frame, borrowing from it.

Events made only of scalar properties (audio, transcript and text deltas,
buffer and lifecycle markers: the bulk of a session) decode into views
whose strings are not copied, above all the base64 of audio. Every other
event, unknown ones included, decodes into [`{name}`] behind
[`Owned`]({view}::Owned).

Decode with [`from_frame`]({view}::from_frame);
[`into_owned`]({view}::into_owned) gives the same [`{name}`] as decoding
the frame with `serde_json::from_str`, and encoding either gives the same
JSON."
        ));
        let variants = borrowed.iter().map(|(variant, path, tag_value)| {
            let doc = format!(" `{tag_value}`, borrowed.");
            quote! { #[doc = #doc] #variant(#path<'a>), }
        });
        // A frame its view cannot decode goes through the owned union, which
        // keeps it whole (`Malformed`) or says why it is no event.
        let decode_arms = borrowed.iter().map(|(variant, _, tag_value)| {
            quote! {
                Some(#tag_value) => match ::serde_json::from_str(frame) {
                    Ok(view) => Self::#variant(view),
                    Err(_) => Self::Owned(#name::from_frame(frame)?),
                },
            }
        });
        // Only unions with borrowed members get a view (`TaggedUnion::borrowed_view`).
        let decode = quote! {
            Ok(match ::realtime_types::support::frame_tag(frame, #tag).as_deref() {
                #(#decode_arms)*
                _ => Self::Owned(#name::from_frame(frame)?),
            })
        };
        let type_arms = borrowed
            .iter()
            .map(|(variant, _, tag_value)| quote! { Self::#variant(_) => #tag_value, });
        let owned_arms = borrowed.iter().map(
            |(variant, _, _)| quote! { Self::#variant(event) => #name::from(event.into_owned()), },
        );
        let serialize_arms = borrowed.iter().map(
            |(variant, _, _)| quote! { Self::#variant(event) => event.serialize(serializer), },
        );
        let borrowed_types = borrowed.iter().map(|(_, _, tag_value)| tag_value);
        let owned_doc =
            format!(" Any other event, unknown ones included, decoded into [`{name}`].");
        quote! {
            #(#[doc = #doc])*
            #[derive(Debug, Clone, PartialEq)]
            pub enum #view<'a> {
                #(#variants)*
                #[doc = #owned_doc]
                Owned(#name),
            }
            impl<'a> #view<'a> {
                /// The event `type`s decoded into borrowed views, in spec order;
                /// every other event is [`Owned`](Self::Owned).
                pub const BORROWED_TYPES: &'static [&'static str] = &[#(#borrowed_types),*];
                /// Decodes the text of one frame (one WebSocket message).
                ///
                /// The first top-level `type` picks the variant. It is found by
                /// a byte scan of the first entries; only when the scan cannot
                /// tell (an escape in a key or in the `type`, a nested value
                /// before it) is the frame parsed an extra time to find it.
                /// An event that does not match its schema is
                /// `Owned(Malformed(..))` and frames that are no event are
                /// errors, as with the owned union's `from_frame`.
                pub fn from_frame(frame: &'a str) -> Result<Self, ::serde_json::Error> {
                    #decode
                }
                /// The event's `type` on the wire (also for events this version does not know).
                pub fn event_type(&self) -> &str {
                    match self {
                        #(#type_arms)*
                        Self::Owned(event) => event.event_type(),
                    }
                }
                /// Whether the event was decoded into a borrowed view (not [`Owned`](Self::Owned)).
                pub fn is_borrowed(&self) -> bool {
                    !matches!(self, Self::Owned(_))
                }
                /// The owned event (copies the strings that were borrowed).
                pub fn into_owned(self) -> #name {
                    match self {
                        #(#owned_arms)*
                        Self::Owned(event) => event,
                    }
                }
            }
            impl<'a> ::realtime_types::EventRef<'a> for #view<'a> {
                type Owned = #name;
                const BORROWED_TYPES: &'static [&'static str] = Self::BORROWED_TYPES;
                fn from_frame(frame: &'a str) -> Result<Self, ::serde_json::Error> {
                    Self::from_frame(frame)
                }
                fn event_type(&self) -> &str {
                    self.event_type()
                }
                fn is_borrowed(&self) -> bool {
                    self.is_borrowed()
                }
                fn into_owned(self) -> #name {
                    self.into_owned()
                }
            }
            impl From<#view<'_>> for #name {
                fn from(view: #view<'_>) -> Self {
                    view.into_owned()
                }
            }
            impl ::serde::Serialize for #view<'_> {
                fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    match self {
                        #(#serialize_arms)*
                        Self::Owned(event) => event.serialize(serializer),
                    }
                }
            }
        }
    }

    /// Whether the field is a string, so a `Cow<'a, str>` in a view.
    pub(super) fn borrows(&self, field: &Field) -> bool {
        *self.space.resolve(&field.ty) == TypeRef::String
    }

    /// A view's field type: the owned field's, with strings as `Cow<'a, str>`.
    fn view_field_type(&self, field: &Field) -> TokenStream {
        if !self.borrows(field) {
            return self.field_type(field);
        }
        with_presence(field, quote!(::std::borrow::Cow<'a, str>))
    }
}
