//! One rule for duplicate keys on every decode path: **an object with the
//! same key twice is an error**, wherever it is (an event, a nested object,
//! an unknown event, an unknown property's value, a free-form map).
//!
//! JSON parsers disagree on duplicates (serde_json's `Value` keeps the last,
//! a streaming decoder sees the first), so a frame with a repeated `type`
//! could be one event to a filtering proxy and another to the service.
//! Rejecting them, as careful parsers do, leaves one reading.
//!
//! The generated struct decoders check their own keys; the values they keep
//! as JSON (`serde_json::Value`, `Map`, maps of values) are decoded through
//! the *twins* here, which reject duplicates at every depth. They also read
//! the form serde_json's `arbitrary_precision` gives numbers, so that every
//! number keeps the exact text it arrived with.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use serde::de::{self, DeserializeOwned, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Number, Value};

use super::Key;

/// The error for a key an object already had. It does not name the key:
/// an unknown key is the peer's text.
pub fn duplicate_key<E: de::Error>() -> E {
    E::custom(DUPLICATE_KEY)
}

/// The message of [`duplicate_key`].
pub const DUPLICATE_KEY: &str = "duplicate key in an object";

/// The key under which serde_json (with `arbitrary_precision`) hands a
/// number's text to a visitor, as a one-entry map.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// Decodes any JSON value, rejecting duplicate keys at every depth.
pub fn strict_value<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Value, D::Error> {
    deserializer.deserialize_any(ValueVisitor)
}

/// Decodes the JSON text of a whole frame strictly (as [`strict_value`];
/// trailing characters are an error, as with `serde_json::from_str`).
pub fn strict_value_from_str(text: &str) -> Result<Value, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = strict_value(&mut deserializer)?;
    deserializer.end()?;
    Ok(value)
}

/// What a type that holds raw JSON is decoded through: a twin that rejects
/// duplicate keys, then [`Twin::into_decoded`].
pub trait Twin {
    /// The type the twin decodes into.
    type Decoded;
    /// The decoded value.
    fn into_decoded(self) -> Self::Decoded;
}

/// A `serde_json::Value`, decoded strictly.
#[derive(Debug, Clone, PartialEq)]
pub struct StrictValue(pub Value);

impl<'de> de::Deserialize<'de> for StrictValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        strict_value(deserializer).map(StrictValue)
    }
}

impl Twin for StrictValue {
    type Decoded = Value;
    fn into_decoded(self) -> Value {
        self.0
    }
}

/// A JSON object (`serde_json::Map`), decoded strictly.
#[derive(Debug, Clone, PartialEq)]
pub struct StrictObject(pub Map<String, Value>);

impl<'de> de::Deserialize<'de> for StrictObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match deserializer.deserialize_map(ValueVisitor)? {
            Value::Object(map) => Ok(StrictObject(map)),
            other => Err(de::Error::invalid_type(unexpected(&other), &"an object")),
        }
    }
}

impl Twin for StrictObject {
    type Decoded = Map<String, Value>;
    fn into_decoded(self) -> Map<String, Value> {
        self.0
    }
}

/// A map of typed values (`BTreeMap<String, V>`), decoded strictly.
#[derive(Debug, Clone, PartialEq)]
pub struct StrictMap<V>(pub BTreeMap<String, V>);

impl<'de, V: DeserializeOwned> de::Deserialize<'de> for StrictMap<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(MapVisitor(PhantomData))
    }
}

impl<V> Twin for StrictMap<V> {
    type Decoded = BTreeMap<String, V>;
    fn into_decoded(self) -> BTreeMap<String, V> {
        self.0
    }
}

/// A map whose values are decoded through their own twins
/// (`BTreeMap<String, serde_json::Value>`, ...), decoded strictly.
#[derive(Debug, Clone, PartialEq)]
pub struct StrictMapOf<T>(pub BTreeMap<String, T>);

impl<'de, T: DeserializeOwned> de::Deserialize<'de> for StrictMapOf<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_map(MapVisitor(PhantomData))
            .map(|StrictMap(map)| StrictMapOf(map))
    }
}

impl<T: Twin> Twin for StrictMapOf<T> {
    type Decoded = BTreeMap<String, T::Decoded>;
    fn into_decoded(self) -> Self::Decoded {
        self.0
            .into_iter()
            .map(|(key, value)| (key, value.into_decoded()))
            .collect()
    }
}

impl<T: Twin> Twin for Vec<T> {
    type Decoded = Vec<T::Decoded>;
    fn into_decoded(self) -> Vec<T::Decoded> {
        self.into_iter().map(Twin::into_decoded).collect()
    }
}

struct MapVisitor<V>(PhantomData<V>);

impl<'de, V: DeserializeOwned> Visitor<'de> for MapVisitor<V> {
    type Value = StrictMap<V>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut values = BTreeMap::new();
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let value = map.next_value()?;
            if values.insert(key.into_string(), value).is_some() {
                return Err(duplicate_key());
            }
        }
        Ok(StrictMap(values))
    }
}

/// A map a kind union's visitor received: a real object, or (with
/// serde_json's `arbitrary_precision`) a number that is not a plain integer.
pub enum MapOrNumber<A> {
    /// A number, with the exact text it arrived with.
    Number(Number),
    /// An object: every entry, the first one included, is still to be read.
    Map(FirstKeyReplay<A>),
}

/// Tells a number from an object in a map given to a visitor (see
/// [`MapOrNumber`]), for unions that accept both.
pub fn map_or_number<'de, A: MapAccess<'de>>(mut map: A) -> Result<MapOrNumber<A>, A::Error> {
    let first = map.next_key::<Key<'de>>()?;
    match first {
        Some(key) if key.as_str() == NUMBER_TOKEN => {
            let text: super::CowStr<'de> = map.next_value()?;
            Number::from_str(text.as_str())
                .map(MapOrNumber::Number)
                .map_err(|_| de::Error::custom("an invalid number"))
        }
        first => Ok(MapOrNumber::Map(FirstKeyReplay {
            first: first.map(Key::into_string),
            rest: map,
        })),
    }
}

/// A map whose first key was read already: it hands that key out again.
pub struct FirstKeyReplay<A> {
    first: Option<String>,
    rest: A,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for FirstKeyReplay<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        match self.first.take() {
            Some(key) => seed
                .deserialize(de::value::StringDeserializer::<A::Error>::new(key))
                .map(Some),
            None => self.rest.next_key_seed(seed),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.rest.next_value_seed(seed)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_i128<E: de::Error>(self, value: i128) -> Result<Value, E> {
        Number::from_i128(value)
            .map(Value::Number)
            .ok_or_else(|| E::custom("an integer out of range"))
    }

    fn visit_u128<E: de::Error>(self, value: u128) -> Result<Value, E> {
        Number::from_u128(value)
            .map(Value::Number)
            .ok_or_else(|| E::custom("an integer out of range"))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Value, E> {
        Ok(Number::from_f64(value).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_string()))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        strict_value(deserializer)
    }

    fn visit_seq<S: de::SeqAccess<'de>>(self, mut seq: S) -> Result<Value, S::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(StrictValue(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Value, A::Error> {
        let mut map = match map_or_number(map)? {
            MapOrNumber::Number(number) => return Ok(Value::Number(number)),
            MapOrNumber::Map(map) => map,
        };
        let mut object = Map::new();
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let StrictValue(value) = map.next_value()?;
            if object.insert(key.into_string(), value).is_some() {
                return Err(duplicate_key());
            }
        }
        Ok(Value::Object(object))
    }
}

/// How a JSON value is named in an error (its kind, never its content).
fn unexpected(value: &Value) -> de::Unexpected<'static> {
    match value {
        Value::Null => de::Unexpected::Unit,
        Value::Bool(_) => de::Unexpected::Other("a boolean"),
        Value::Number(_) => de::Unexpected::Other("a number"),
        Value::String(_) => de::Unexpected::Other("a string"),
        Value::Array(_) => de::Unexpected::Seq,
        Value::Object(_) => de::Unexpected::Map,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    fn strict(text: &str) -> Result<Value, serde_json::Error> {
        StrictValue::deserialize(&mut serde_json::Deserializer::from_str(text)).map(|v| v.0)
    }

    #[test]
    fn a_duplicate_key_is_an_error_at_any_depth() {
        for text in [
            r#"{"a":1,"a":2}"#,
            r#"{"x":{"type":"a","type":"b"}}"#,
            r#"[{"k":[{"z":1,"z":1}]}]"#,
        ] {
            let error = strict(text).unwrap_err();
            assert!(error.to_string().contains(DUPLICATE_KEY), "{text}: {error}");
        }
        assert!(
            strict(r#"{"a":1,"b":{"a":2}}"#).is_ok(),
            "the same key in two objects is fine"
        );
    }

    #[test]
    fn the_duplicate_error_does_not_name_the_key() {
        let error = strict(r#"{"secret words":1,"secret words":2}"#).unwrap_err();
        assert!(!error.to_string().contains("secret"), "{error}");
    }

    #[test]
    fn numbers_keep_their_exact_value() {
        // serde_json spells every exponent `e+` / `e-`; the digits are kept.
        for (text, encoded) in [
            ("5e90", "5e+90"),
            ("0.10", "0.10"),
            ("1.0", "1.0"),
            ("-0", "-0"),
            (
                "123456789012345678901234567890",
                "123456789012345678901234567890",
            ),
            ("1E-7", "1e-7"),
            ("0.30000000000000000001", "0.30000000000000000001"),
        ] {
            let value = strict(&format!(r#"{{"x":{text}}}"#)).unwrap();
            assert_eq!(
                serde_json::to_string(&value).unwrap(),
                format!(r#"{{"x":{encoded}}}"#)
            );
        }
    }

    #[test]
    fn strict_maps_and_objects_reject_duplicates_too() {
        let map: Result<StrictMap<String>, _> = serde_json::from_str(r#"{"a":"1","a":"2"}"#);
        assert!(map.is_err());
        let object: Result<StrictObject, _> = serde_json::from_str(r#"{"a":{"b":1,"b":2}}"#);
        assert!(object.is_err());
        let object: StrictObject = serde_json::from_str(r#"{"a":1,"b":[1,2]}"#).unwrap();
        assert_eq!(object.into_decoded().len(), 2);
        assert!(serde_json::from_str::<StrictObject>("[1]").is_err());
    }

    #[test]
    fn the_strict_value_decodes_from_a_value_too() {
        let value = serde_json::json!({"a": [1, 2.5, "x", null, {"b": true}]});
        assert_eq!(strict_value(value.clone()).unwrap(), value);
    }
}
