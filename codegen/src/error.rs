//! The generator's error: what went wrong and where in the spec.

use std::fmt;

/// Why generation stopped. Every variant that concerns a schema names it by
/// JSON pointer into the spec document.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// The document is not valid YAML.
    Yaml {
        /// The parser's message (with line and column).
        message: String,
    },
    /// The document is YAML but not an OpenAPI document `openapiv3` accepts.
    OpenApi {
        /// The parser's message.
        message: String,
    },
    /// A `$ref` points at nothing.
    UnresolvedRef {
        /// Where the reference is.
        pointer: String,
        /// The reference text.
        reference: String,
    },
    /// A schema uses something the generator does not support.
    Unsupported {
        /// The schema.
        pointer: String,
        /// What is not supported.
        reason: String,
    },
    /// Two things would get the same Rust name.
    NameCollision {
        /// The Rust name.
        name: String,
        /// The first schema that claimed it.
        first: String,
        /// The second schema.
        second: String,
    },
    /// An event surface cannot be assembled.
    Surface {
        /// The union schema or `x-oaiMeta` group concerned.
        pointer: String,
        /// What is wrong.
        reason: String,
    },
    /// A correction (`spec/corrections.yaml`) is malformed or does not apply.
    Correction {
        /// The action: its file and index there (`spec/corrections.yaml#3`).
        action: String,
        /// What is wrong.
        reason: String,
    },
    /// The rename table (`spec/names.yaml`) is malformed or does not apply.
    Naming {
        /// What is wrong.
        reason: String,
    },
    /// The type space breaks an invariant the emitter relies on (a
    /// generator bug, found by `TypeSpace::validate` before emission).
    InvalidModel {
        /// The schema of the type concerned.
        pointer: String,
        /// What is wrong.
        reason: String,
    },
    /// A crate version is not `major.minor.patch` (the change report's bump).
    InvalidVersion {
        /// The text given.
        version: String,
    },
    /// The formatter could not parse generated tokens (a generator bug).
    Emit {
        /// The file being generated.
        file: String,
        /// The parser's message.
        message: String,
    },
}

impl Error {
    /// Shorthand for [`Error::Unsupported`].
    pub fn unsupported(pointer: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Unsupported {
            pointer: pointer.into(),
            reason: reason.into(),
        }
    }
}

impl Error {
    /// The same error with every JSON pointer passed through `map` (used to
    /// report places in the spec as written, not as lowered).
    pub fn map_pointers(self, map: impl Fn(&str) -> String) -> Self {
        match self {
            Error::UnresolvedRef { pointer, reference } => Error::UnresolvedRef {
                pointer: map(&pointer),
                reference,
            },
            Error::Unsupported { pointer, reason } => Error::Unsupported {
                pointer: map(&pointer),
                reason,
            },
            Error::NameCollision {
                name,
                first,
                second,
            } => Error::NameCollision {
                name,
                first: map(&first),
                second: map(&second),
            },
            Error::Surface { pointer, reason } => Error::Surface {
                pointer: map(&pointer),
                reason,
            },
            other => other,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Yaml { message } => write!(f, "the spec is not valid YAML: {message}"),
            Error::OpenApi { message } => {
                write!(
                    f,
                    "the spec is not an OpenAPI document openapiv3 can read: {message}"
                )
            }
            Error::UnresolvedRef { pointer, reference } => {
                write!(f, "{pointer}: `$ref: {reference}` points at no schema")
            }
            Error::Unsupported { pointer, reason } => write!(f, "{pointer}: {reason}"),
            Error::NameCollision {
                name,
                first,
                second,
            } => write!(
                f,
                "{second}: its Rust name `{name}` is already taken by {first}"
            ),
            Error::Surface { pointer, reason } => write!(f, "{pointer}: {reason}"),
            Error::Correction { action, reason } => write!(f, "correction {action}: {reason}"),
            Error::Naming { reason } => write!(f, "naming: {reason}"),
            Error::InvalidModel { pointer, reason } => {
                write!(
                    f,
                    "{pointer}: the model is invalid (generator bug): {reason}"
                )
            }
            Error::InvalidVersion { version } => write!(
                f,
                "`{version}` is not a crate version of the form major.minor.patch"
            ),
            Error::Emit { file, message } => {
                write!(
                    f,
                    "generated tokens for {file} do not parse (generator bug): {message}"
                )
            }
        }
    }
}

impl std::error::Error for Error {}

/// Builds JSON pointers (RFC 6901) segment by segment.
pub fn pointer_push(base: &str, segment: &str) -> String {
    let escaped = segment.replace('~', "~0").replace('/', "~1");
    format!("{base}/{escaped}")
}

/// The JSON pointer of a component schema.
pub fn schema_pointer(name: &str) -> String {
    pointer_push("/components/schemas", name)
}
