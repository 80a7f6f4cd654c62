//! Hand-written helpers the generated code calls. Nothing here knows about a
//! particular event; everything that repeats per type is generated.
//!
//! Decoding a tagged union (`{"type": "...", ...}`) streams: entries before
//! the tag are buffered (usually just `event_id`), the tag picks the variant,
//! and the variant's own decoder then reads the buffered entries followed by
//! the rest of the object straight from the input. Nothing is decoded twice
//! and no intermediate tree is built for known variants.
//!
//! The event unions' `from_frame` and their borrowed views find the tag
//! first with [`frame_tag`] (a byte scan) and decode the frame straight into
//! the variant's struct or view, without this buffering.
//!
//! An object with the same key twice is an error on every path (see
//! [`strict_value`]); numbers keep their exact text (serde_json's
//! `arbitrary_precision`).

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

mod frame_tag;
mod locate;
#[cfg(feature = "json-schema")]
pub mod schema;
mod strict;

pub use frame_tag::frame_tag;
pub use locate::{offset_of, pointer_at};
pub use strict::{
    DUPLICATE_KEY, FirstKeyReplay, MapOrNumber, StrictMap, StrictMapOf, StrictObject, StrictValue,
    Twin, duplicate_key, map_or_number, strict_value, strict_value_from_str,
};

use serde::de::value::{
    BorrowedStrDeserializer, MapAccessDeserializer, SeqAccessDeserializer, StringDeserializer,
};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde_json::Value;

/// A union of JSON objects told apart by one string property (its *tag*).
///
/// Implemented by every generated tagged union; [`deserialize_tagged`] does
/// the decoding around [`TaggedUnion::decode_tagged`].
pub trait TaggedUnion: Sized {
    /// The discriminating property, e.g. `type`.
    const TAG: &'static str;
    /// What a value of this union looks like, for error messages.
    const EXPECTING: &'static str;

    /// Decodes the variant selected by `tag` from `rest`, a map deserializer
    /// that yields every entry of the object, the tag entry included.
    /// An unknown tag must produce the union's catch-all variant.
    fn decode_tagged<'de, D: Deserializer<'de>>(tag: &str, rest: D) -> Result<Self, D::Error>;
}

/// Decodes a tagged union (see the module documentation).
pub fn deserialize_tagged<'de, T: TaggedUnion, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    deserializer.deserialize_map(TaggedVisitor(PhantomData))
}

/// Decodes a tagged union from a map that is already open (used by unions
/// that first look at the JSON kind of a value).
pub fn visit_tagged_map<'de, T: TaggedUnion, A: MapAccess<'de>>(mut map: A) -> Result<T, A::Error> {
    // Entries before the tag (usually just `event_id`), borrowed from the
    // input when it allows it: no copy of a key or of a string value here.
    let mut prefix: Vec<(Cow<'de, str>, Buffered<'de>)> = Vec::new();
    while let Some(key) = map.next_key::<Key<'de>>()? {
        if key.as_str() == T::TAG {
            let tag = map.next_value::<CowStr<'de>>()?.into_cow();
            prefix.push((Cow::Borrowed(T::TAG), Buffered::Str(tag.clone())));
            let rest = MapAccessDeserializer::new(Replay {
                prefix: prefix.into_iter(),
                pending: None,
                rest: map,
            });
            return T::decode_tagged(&tag, rest);
        }
        let value: Buffered<'de> = map.next_value()?;
        prefix.push((key.into_cow(), value));
    }
    Err(de::Error::missing_field(T::TAG))
}

/// A value read before a union's tag: a string (borrowed when possible) or
/// any other JSON value.
enum Buffered<'de> {
    Str(Cow<'de, str>),
    Json(Value),
}

impl<'de> de::Deserialize<'de> for Buffered<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(BufferedVisitor)
    }
}

struct BufferedVisitor;

impl<'de> Visitor<'de> for BufferedVisitor {
    type Value = Buffered<'de>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<Self::Value, E> {
        Ok(Buffered::Str(Cow::Borrowed(value)))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        Ok(Buffered::Str(Cow::Owned(value.to_string())))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Self::Value, E> {
        Ok(Buffered::Str(Cow::Owned(value)))
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Self::Value, E> {
        Ok(Buffered::Json(Value::Bool(value)))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Self::Value, E> {
        Ok(Buffered::Json(Value::from(value)))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Self::Value, E> {
        Ok(Buffered::Json(Value::from(value)))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Self::Value, E> {
        Ok(Buffered::Json(Value::from(value)))
    }

    fn visit_i128<E: de::Error>(self, value: i128) -> Result<Self::Value, E> {
        strict_value(de::value::I128Deserializer::<E>::new(value)).map(Buffered::Json)
    }

    fn visit_u128<E: de::Error>(self, value: u128) -> Result<Self::Value, E> {
        strict_value(de::value::U128Deserializer::<E>::new(value)).map(Buffered::Json)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Buffered::Json(Value::Null))
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Buffered::Json(Value::Null))
    }

    fn visit_seq<S: de::SeqAccess<'de>>(self, seq: S) -> Result<Self::Value, S::Error> {
        strict_value(SeqAccessDeserializer::new(seq)).map(Buffered::Json)
    }

    fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<Self::Value, M::Error> {
        strict_value(MapAccessDeserializer::new(map)).map(Buffered::Json)
    }
}

struct TaggedVisitor<T>(PhantomData<T>);

impl<'de, T: TaggedUnion> Visitor<'de> for TaggedVisitor<T> {
    type Value = T;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(T::EXPECTING)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        visit_tagged_map(map)
    }
}

/// A map that yields buffered entries first, then the rest of the input.
struct Replay<'de, I, A> {
    prefix: I,
    pending: Option<Buffered<'de>>,
    rest: A,
}

impl<'de, I, A> MapAccess<'de> for Replay<'de, I, A>
where
    I: Iterator<Item = (Cow<'de, str>, Buffered<'de>)>,
    A: MapAccess<'de>,
{
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        if let Some((key, value)) = self.prefix.next() {
            self.pending = Some(value);
            return deserialize_cow(seed, key).map(Some);
        }
        self.rest.next_key_seed(seed)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        match self.pending.take() {
            Some(Buffered::Str(text)) => deserialize_cow(seed, text),
            Some(Buffered::Json(value)) => seed.deserialize(value).map_err(de::Error::custom),
            None => self.rest.next_value_seed(seed),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        self.rest
            .size_hint()
            .map(|rest| rest + self.prefix.size_hint().0)
    }
}

/// Deserializes from a string, handing out the borrow when there is one.
fn deserialize_cow<'de, S: DeserializeSeed<'de>, E: de::Error>(
    seed: S,
    text: Cow<'de, str>,
) -> Result<S::Value, E> {
    seed.deserialize(ReplayedStr {
        text,
        error: PhantomData,
    })
}

/// A replayed string value. Unlike serde's string deserializers it hands out
/// the borrow (`visit_borrowed_str`) and, like serde_json, it is a present
/// `Option` (`visit_some`) and a unit enum variant.
struct ReplayedStr<'de, E> {
    text: Cow<'de, str>,
    error: PhantomData<E>,
}

impl<'de, E: de::Error> Deserializer<'de> for ReplayedStr<'de, E> {
    type Error = E;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        match self.text {
            Cow::Borrowed(text) => visitor.visit_borrowed_str(text),
            Cow::Owned(text) => visitor.visit_string(text),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, E> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, E> {
        match self.text {
            Cow::Borrowed(text) => visitor.visit_enum(BorrowedStrDeserializer::new(text)),
            Cow::Owned(text) => visitor.visit_enum(StringDeserializer::new(text)),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

/// A string borrowed from the input when the input allows it (serde's own
/// `Cow<str>` always copies).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CowStr<'de>(Cow<'de, str>);

/// An object key (generated decoders read keys as borrowed strings).
pub type Key<'de> = CowStr<'de>;

impl<'de> CowStr<'de> {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text as an owned string (to keep it as an unknown field).
    pub fn into_string(self) -> String {
        self.0.into_owned()
    }

    /// The text, still borrowed when it was.
    pub fn into_cow(self) -> Cow<'de, str> {
        self.0
    }
}

impl<'de> de::Deserialize<'de> for CowStr<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(CowStrVisitor).map(CowStr)
    }
}

struct CowStrVisitor;

impl<'de> Visitor<'de> for CowStrVisitor {
    type Value = Cow<'de, str>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(value))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(value.to_string()))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(value))
    }
}

/// Reads the value of a constant property (such as `"type": "message"`) and
/// checks that it is `expected`.
pub fn expect_constant<'de, A: MapAccess<'de>>(
    map: &mut A,
    key: &'static str,
    expected: &'static str,
) -> Result<(), A::Error> {
    let value: Cow<'de, str> = map.next_value_seed(StrSeed)?;
    if value == expected {
        Ok(())
    } else {
        Err(de::Error::invalid_value(
            de::Unexpected::Str(&value),
            &ConstantExpected { key, expected },
        ))
    }
}

struct StrSeed;

impl<'de> DeserializeSeed<'de> for StrSeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(CowStrVisitor)
    }
}

struct ConstantExpected {
    key: &'static str,
    expected: &'static str,
}

impl de::Expected for ConstantExpected {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "`{}` to be `{}`", self.key, self.expected)
    }
}

/// Decodes a string enum that keeps unknown values: the generated type
/// converts from the text (borrowed or owned).
pub fn deserialize_string_enum<'de, T, D>(deserializer: D) -> Result<T, D::Error>
where
    T: for<'a> From<&'a str> + From<String>,
    D: Deserializer<'de>,
{
    deserializer.deserialize_str(StringEnumVisitor(PhantomData))
}

struct StringEnumVisitor<T>(PhantomData<T>);

impl<'de, T> Visitor<'de> for StringEnumVisitor<T>
where
    T: for<'a> From<&'a str> + From<String>,
{
    type Value = T;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<T, E> {
        Ok(T::from(value))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<T, E> {
        Ok(T::from(value))
    }
}

/// The tag of a raw object kept by a catch-all variant (`""` when it has none).
pub fn raw_tag<'a>(raw: &'a Value, tag: &str) -> &'a str {
    raw.get(tag).and_then(Value::as_str).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    /// A minimal hand-written union in the shape the generator emits.
    #[derive(Debug, PartialEq)]
    enum Shape {
        Circle(Circle),
        Unknown(Value),
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct Circle {
        r#type: String,
        radius: f64,
        #[serde(default)]
        id: Option<String>,
    }

    impl TaggedUnion for Shape {
        const TAG: &'static str = "type";
        const EXPECTING: &'static str = "a shape";

        fn decode_tagged<'de, D: Deserializer<'de>>(tag: &str, rest: D) -> Result<Self, D::Error> {
            Ok(match tag {
                "circle" => Shape::Circle(Circle::deserialize(rest)?),
                _ => Shape::Unknown(Value::deserialize(rest)?),
            })
        }
    }

    impl<'de> Deserialize<'de> for Shape {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserialize_tagged(deserializer)
        }
    }

    #[test]
    fn entries_before_the_tag_reach_the_variant() {
        let shape: Shape =
            serde_json::from_str(r#"{"id":"c1","type":"circle","radius":2.5}"#).unwrap();
        assert_eq!(
            shape,
            Shape::Circle(Circle {
                r#type: "circle".into(),
                radius: 2.5,
                id: Some("c1".into())
            })
        );
    }

    #[test]
    fn unknown_tag_keeps_the_whole_object() {
        let text = r#"{"id":"s1","type":"square","side":3,"nested":{"a":[1,2]}}"#;
        let shape: Shape = serde_json::from_str(text).unwrap();
        assert_eq!(shape, Shape::Unknown(serde_json::from_str(text).unwrap()));
    }

    #[test]
    fn missing_tag_is_an_error_naming_it() {
        let error = serde_json::from_str::<Shape>(r#"{"radius":1}"#).unwrap_err();
        assert!(
            error.to_string().contains("missing field `type`"),
            "{error}"
        );
    }

    #[test]
    fn non_string_tag_is_an_error() {
        let error = serde_json::from_str::<Shape>(r#"{"type":7}"#).unwrap_err();
        assert!(error.to_string().contains("expected a string"), "{error}");
    }

    #[test]
    fn tagged_unions_decode_from_a_value_too() {
        let value = serde_json::json!({"radius": 1.0, "type": "circle"});
        let shape = Shape::deserialize(value).unwrap();
        assert!(matches!(shape, Shape::Circle(Circle { radius, .. }) if radius == 1.0));
    }

    #[test]
    fn keys_borrow_from_the_input() {
        let mut deserializer = serde_json::Deserializer::from_str(r#""event_id""#);
        let key = Key::deserialize(&mut deserializer).unwrap();
        assert!(matches!(key.0, Cow::Borrowed("event_id")));
    }

    #[test]
    fn raw_tag_reads_the_tag_or_nothing() {
        assert_eq!(raw_tag(&serde_json::json!({"type": "x.y"}), "type"), "x.y");
        assert_eq!(raw_tag(&serde_json::json!({"kind": 1}), "type"), "");
    }
}
