//! What a change does to the generated Rust API, and the version bump that
//! follows: the rules of the table in the [`diff`](super) documentation.

use std::fmt;

use serde::Serialize;

use super::ChangeKind;
use crate::error::Error;

/// What a change does to code written against the previous version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Impact {
    /// Documentation or JSON Schema names only: the Rust API is the same.
    Cosmetic,
    /// Code that compiled still compiles and decodes what it decoded.
    Additive,
    /// Code that compiled may not compile, or frames that decoded may not.
    Breaking,
}

impl Impact {
    /// The word for it (`breaking`).
    pub fn label(self) -> &'static str {
        match self {
            Impact::Cosmetic => "cosmetic",
            Impact::Additive => "additive",
            Impact::Breaking => "breaking",
        }
    }
}

/// The impact of one change (see the table in the [`diff`](super)
/// documentation).
pub fn impact(kind: &ChangeKind) -> Impact {
    match kind {
        ChangeKind::SurfaceAdded
        | ChangeKind::EventAdded { .. }
        | ChangeKind::TypeAdded { .. }
        | ChangeKind::DefaultAdded
        | ChangeKind::VariantAdded { .. }
        | ChangeKind::EnumValueAdded { .. } => Impact::Additive,
        ChangeKind::FieldAdded { required, .. } => {
            if *required {
                Impact::Breaking
            } else {
                Impact::Additive
            }
        }
        ChangeKind::SurfaceRemoved
        | ChangeKind::EventRemoved { .. }
        | ChangeKind::EventRenamed { .. }
        | ChangeKind::EventBoxing { .. }
        | ChangeKind::TypeRemoved { .. }
        | ChangeKind::ShapeChanged { .. }
        | ChangeKind::FieldRemoved { .. }
        | ChangeKind::RequiredChanged { .. }
        | ChangeKind::NullableChanged { .. }
        | ChangeKind::FieldTypeChanged { .. }
        | ChangeKind::FieldRenamed { .. }
        | ChangeKind::ConstantAdded { .. }
        | ChangeKind::ConstantRemoved { .. }
        | ChangeKind::ConstantChanged { .. }
        | ChangeKind::DefaultRemoved
        | ChangeKind::VariantRemoved { .. }
        | ChangeKind::VariantTypeChanged { .. }
        | ChangeKind::EnumValueRemoved { .. } => Impact::Breaking,
        ChangeKind::EventMoved { .. }
        | ChangeKind::DescriptionChanged { .. }
        | ChangeKind::BoundsChanged { .. }
        | ChangeKind::SchemaNameChanged { .. } => Impact::Cosmetic,
    }
}

/// Which part of the version a release changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bump {
    /// Nothing changed: no release needed.
    None,
    /// `x.y.z+1`.
    Patch,
    /// `x.y+1.0`.
    Minor,
    /// `x+1.0.0`.
    Major,
}

impl Bump {
    /// The bump for the most severe change (`None`: no change) of a crate
    /// at `version`: before 1.0 a breaking change bumps the minor version
    /// and anything else the patch version; from 1.0 on, breaking → major,
    /// additive → minor, cosmetic → patch.
    pub fn for_impact(impact: Option<Impact>, version: &CrateVersion) -> Bump {
        let stable = version.major > 0;
        match impact {
            None => Bump::None,
            Some(Impact::Breaking) if stable => Bump::Major,
            Some(Impact::Breaking) => Bump::Minor,
            Some(Impact::Additive) if stable => Bump::Minor,
            Some(Impact::Additive | Impact::Cosmetic) => Bump::Patch,
        }
    }

    /// The word for it (`minor`).
    pub fn label(self) -> &'static str {
        match self {
            Bump::None => "none",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        }
    }
}

/// A crate version, `major.minor.patch` (pre-release and build parts are
/// not used by this workspace and are refused).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct CrateVersion {
    /// The major version.
    pub major: u64,
    /// The minor version.
    pub minor: u64,
    /// The patch version.
    pub patch: u64,
}

impl CrateVersion {
    /// Parses `0.1.0`.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let invalid = || Error::InvalidVersion {
            version: text.to_string(),
        };
        let parts: Vec<u64> = text
            .split('.')
            .map(|part| part.parse::<u64>().map_err(|_| invalid()))
            .collect::<Result<_, _>>()?;
        match parts.as_slice() {
            [major, minor, patch] => Ok(CrateVersion {
                major: *major,
                minor: *minor,
                patch: *patch,
            }),
            _ => Err(invalid()),
        }
    }

    /// The version after `bump`.
    pub fn bumped(self, bump: Bump) -> CrateVersion {
        let CrateVersion {
            major,
            minor,
            patch,
        } = self;
        match bump {
            Bump::None => self,
            Bump::Patch => CrateVersion {
                patch: patch + 1,
                ..self
            },
            Bump::Minor => CrateVersion {
                major,
                minor: minor + 1,
                patch: 0,
            },
            Bump::Major => CrateVersion {
                major: major + 1,
                minor: 0,
                patch: 0,
            },
        }
    }
}

impl fmt::Display for CrateVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::{Shape, Side};

    fn field_added(required: bool, nullable: bool) -> ChangeKind {
        ChangeKind::FieldAdded {
            field: "x".into(),
            required,
            nullable,
        }
    }

    #[test]
    fn a_new_server_event_is_additive_because_unions_have_unknown() {
        let kind = ChangeKind::EventAdded {
            side: Side::Server,
            event_type: "response.new".into(),
        };
        assert_eq!(impact(&kind), Impact::Additive);
    }

    #[test]
    fn a_new_client_event_is_additive() {
        let kind = ChangeKind::EventAdded {
            side: Side::Client,
            event_type: "session.close".into(),
        };
        assert_eq!(impact(&kind), Impact::Additive);
    }

    #[test]
    fn a_new_required_field_is_breaking_and_a_new_optional_one_additive() {
        assert_eq!(impact(&field_added(true, false)), Impact::Breaking);
        assert_eq!(impact(&field_added(true, true)), Impact::Breaking);
        assert_eq!(impact(&field_added(false, false)), Impact::Additive);
        assert_eq!(impact(&field_added(false, true)), Impact::Additive);
    }

    #[test]
    fn removing_anything_is_breaking() {
        let removals = [
            ChangeKind::SurfaceRemoved,
            ChangeKind::EventRemoved {
                side: Side::Server,
                event_type: "a".into(),
            },
            ChangeKind::TypeRemoved {
                shape: Shape::Struct,
            },
            ChangeKind::FieldRemoved { field: "x".into() },
            ChangeKind::ConstantRemoved {
                name: "type".into(),
                value: "a".into(),
            },
            ChangeKind::VariantRemoved {
                variant: "a".into(),
            },
            ChangeKind::EnumValueRemoved { value: "a".into() },
            ChangeKind::DefaultRemoved,
        ];
        for kind in removals {
            assert_eq!(impact(&kind), Impact::Breaking, "{kind:?}");
        }
    }

    #[test]
    fn presence_changes_are_breaking_in_both_directions() {
        for required in [true, false] {
            let kind = ChangeKind::RequiredChanged {
                field: "x".into(),
                required,
            };
            assert_eq!(impact(&kind), Impact::Breaking);
        }
        for nullable in [true, false] {
            let kind = ChangeKind::NullableChanged {
                field: "x".into(),
                nullable,
            };
            assert_eq!(impact(&kind), Impact::Breaking);
        }
    }

    #[test]
    fn new_enum_values_and_union_members_are_additive() {
        assert_eq!(
            impact(&ChangeKind::EnumValueAdded { value: "a".into() }),
            Impact::Additive
        );
        assert_eq!(
            impact(&ChangeKind::VariantAdded {
                variant: "a".into()
            }),
            Impact::Additive
        );
    }

    #[test]
    fn documentation_bounds_and_schema_names_are_cosmetic() {
        let kinds = [
            ChangeKind::DescriptionChanged { field: None },
            ChangeKind::DescriptionChanged {
                field: Some("x".into()),
            },
            ChangeKind::SchemaNameChanged {
                from: "A".into(),
                to: "B".into(),
            },
            ChangeKind::BoundsChanged {
                field: "speed".into(),
                from: String::new(),
                to: "maximum 1.5".into(),
            },
            ChangeKind::EventMoved {
                side: Side::Server,
                event_type: "a".into(),
                from_schema: "A".into(),
                to_schema: "B".into(),
            },
        ];
        for kind in kinds {
            assert_eq!(impact(&kind), Impact::Cosmetic, "{kind:?}");
        }
    }

    #[test]
    fn renaming_an_event_or_changing_a_type_is_breaking() {
        let kinds = [
            ChangeKind::EventRenamed {
                side: Side::Server,
                from: "a".into(),
                to: "b".into(),
            },
            ChangeKind::FieldTypeChanged {
                field: "x".into(),
                from: "String".into(),
                to: "i64".into(),
            },
            ChangeKind::ShapeChanged {
                from: Shape::Struct,
                to: Shape::StringEnum,
            },
        ];
        for kind in kinds {
            assert_eq!(impact(&kind), Impact::Breaking, "{kind:?}");
        }
    }

    #[test]
    fn below_1_0_breaking_bumps_the_minor_version_and_the_rest_the_patch() {
        let version = CrateVersion::parse("0.1.3").unwrap();
        let bump = |impact| Bump::for_impact(impact, &version);
        assert_eq!(bump(Some(Impact::Breaking)), Bump::Minor);
        assert_eq!(bump(Some(Impact::Additive)), Bump::Patch);
        assert_eq!(bump(Some(Impact::Cosmetic)), Bump::Patch);
        assert_eq!(bump(None), Bump::None);
        assert_eq!(version.bumped(Bump::Minor).to_string(), "0.2.0");
        assert_eq!(version.bumped(Bump::Patch).to_string(), "0.1.4");
        assert_eq!(version.bumped(Bump::None).to_string(), "0.1.3");
    }

    #[test]
    fn from_1_0_breaking_bumps_the_major_version_and_additive_the_minor() {
        let version = CrateVersion::parse("1.4.2").unwrap();
        let bump = |impact| Bump::for_impact(impact, &version);
        assert_eq!(bump(Some(Impact::Breaking)), Bump::Major);
        assert_eq!(bump(Some(Impact::Additive)), Bump::Minor);
        assert_eq!(bump(Some(Impact::Cosmetic)), Bump::Patch);
        assert_eq!(version.bumped(Bump::Major).to_string(), "2.0.0");
    }

    #[test]
    fn a_version_that_is_not_major_minor_patch_is_an_error() {
        for text in ["0.1", "0.1.0-alpha", "a.b.c", ""] {
            assert!(CrateVersion::parse(text).is_err(), "{text}");
        }
    }
}
