//! [`Number`]: a JSON number that keeps the exact text it arrived with, and
//! that users set from plain Rust numbers (`0.5`, `24_000`).

use std::fmt;

/// A JSON number, such as a VAD `threshold` or a `temperature`.
///
/// Decoded numbers keep the text they arrived with (`5` and `5.0` encode
/// again as they came; two numbers are equal when their text is; only an
/// exponent is written with its sign, `1e3` as `1e+3`), so decoding and
/// encoding again loses nothing. Set one from any Rust integer
/// or float: `0.5.into()`, or `0.5` where a method takes `impl Into<Number>`.
///
/// JSON has no NaN or infinity: such a float is kept until the event is
/// encoded, and encoding it then fails with an error that says so (no value
/// is replaced, and nothing panics).
#[derive(Clone, PartialEq)]
pub struct Number(Repr);

#[derive(Clone, PartialEq)]
enum Repr {
    Json(serde_json::Number),
    NotFinite(f64),
}

impl Number {
    /// The number as an `f64`: `None` for an integer or decimal an `f64`
    /// cannot hold (it may be rounded otherwise, as any float).
    pub fn as_f64(&self) -> Option<f64> {
        match &self.0 {
            Repr::Json(number) => number.as_f64(),
            Repr::NotFinite(value) => Some(*value),
        }
    }

    /// The number as an `i64`, when it is an integer that fits.
    pub fn as_i64(&self) -> Option<i64> {
        match &self.0 {
            Repr::Json(number) => number.as_i64(),
            Repr::NotFinite(_) => None,
        }
    }

    /// The number as `serde_json` holds it: `None` for NaN or an infinity.
    pub fn as_json(&self) -> Option<&serde_json::Number> {
        match &self.0 {
            Repr::Json(number) => Some(number),
            Repr::NotFinite(_) => None,
        }
    }
}

impl From<serde_json::Number> for Number {
    fn from(number: serde_json::Number) -> Self {
        Number(Repr::Json(number))
    }
}

impl From<f64> for Number {
    fn from(value: f64) -> Self {
        match serde_json::Number::from_f64(value) {
            Some(number) => Number(Repr::Json(number)),
            None => Number(Repr::NotFinite(value)),
        }
    }
}

impl From<f32> for Number {
    /// The float's shortest decimal text (`0.3f32` is `0.3`, not the
    /// `0.30000001192092896` of its `f64` widening).
    fn from(value: f32) -> Self {
        if !value.is_finite() {
            return Number(Repr::NotFinite(f64::from(value)));
        }
        match value.to_string().parse::<serde_json::Number>() {
            Ok(number) => Number(Repr::Json(number)),
            Err(_) => Number::from(f64::from(value)),
        }
    }
}

macro_rules! from_integers {
    ($($integer:ty),*) => {$(
        impl From<$integer> for Number {
            fn from(value: $integer) -> Self {
                Number(Repr::Json(serde_json::Number::from(value)))
            }
        }
    )*};
}
from_integers!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

impl PartialEq<f64> for Number {
    fn eq(&self, other: &f64) -> bool {
        self.as_f64() == Some(*other)
    }
}

impl fmt::Display for Number {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Json(number) => fmt::Display::fmt(number, formatter),
            Repr::NotFinite(value) => fmt::Display::fmt(value, formatter),
        }
    }
}

impl fmt::Debug for Number {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, formatter)
    }
}

impl serde::Serialize for Number {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            Repr::Json(number) => number.serialize(serializer),
            Repr::NotFinite(_) => Err(serde::ser::Error::custom(
                "a number is NaN or infinite, which JSON cannot hold",
            )),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Number {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        serde_json::Number::deserialize(deserializer).map(Number::from)
    }
}

#[cfg(feature = "json-schema")]
impl schemars::JsonSchema for Number {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Number".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "number" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decoded_number_encodes_again_as_it_arrived() {
        for text in ["5", "5.0", "0.50", "-0", "123456789012345678901234567890"] {
            let number: Number = serde_json::from_str(text).unwrap();
            assert_eq!(serde_json::to_string(&number).unwrap(), text);
        }
        // serde_json writes an exponent with its sign: the value and its
        // digits are kept, the text of the exponent is normalised.
        let number: Number = serde_json::from_str("1e3").unwrap();
        assert_eq!(serde_json::to_string(&number).unwrap(), "1e+3");
    }

    #[test]
    fn rust_numbers_become_their_shortest_text() {
        let json = |number: Number| serde_json::to_string(&number).unwrap();
        assert_eq!(json(0.5.into()), "0.5");
        assert_eq!(json(0.3f32.into()), "0.3");
        assert_eq!(json(24_000.into()), "24000");
        assert_eq!(json(u64::MAX.into()), "18446744073709551615");
        assert_eq!(Number::from(0.5), 0.5);
    }

    #[test]
    fn a_float_json_cannot_hold_fails_to_encode_with_a_message() {
        for value in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let error = serde_json::to_string(&Number::from(value)).unwrap_err();
            assert!(error.to_string().contains("NaN or infinite"), "{error}");
        }
        assert!(serde_json::to_string(&Number::from(f32::NAN)).is_err());
    }
}
