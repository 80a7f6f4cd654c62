//! The intermediate model between the OpenAPI document and Rust code: a *type
//! space* of named type definitions, each a closed kind with every schema
//! decision already made. The emitter only prints what is here.

use std::collections::{BTreeMap, BTreeSet};

/// Identifies a type definition: its Rust name, unique in the whole output.
pub type TypeId = String;

/// Everything the generator will emit.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TypeSpace {
    /// Every type definition, keyed (and so emitted) by id.
    pub types: BTreeMap<TypeId, TypeDef>,
    /// The event surfaces (`ga`, `beta`, `translation`), in output order.
    pub surfaces: Vec<Surface>,
}

/// One event surface: a Rust module with a client and a server event union.
#[derive(Debug, Clone, PartialEq)]
pub struct Surface {
    /// Module name (`ga`, `beta`, `translation`).
    pub module: String,
    /// Module documentation lines.
    pub doc: Vec<String>,
    /// The event unions of this surface (client, then server).
    pub unions: Vec<EventUnion>,
}

/// One event union of a surface and where its member list came from.
#[derive(Debug, Clone, PartialEq)]
pub struct EventUnion {
    /// The union's type id (its definition lives in `TypeSpace::types`).
    pub id: TypeId,
    /// Where the member list came from.
    pub origin: UnionOrigin,
    /// Who sends these events.
    pub direction: Direction,
}

/// Who sends the events of a union.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Client events (they get one send method each).
    ClientToServer,
    /// Server events.
    ServerToClient,
}

/// Where an event union's member list came from.
#[derive(Debug, Clone, PartialEq)]
pub enum UnionOrigin {
    /// A union schema (`components.schemas.<name>`).
    Schema(String),
    /// An `x-oaiMeta.groups` entry of the document (`<id>`).
    Group(String),
}

/// Where a type is emitted.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Module {
    /// The shared `schemas` module: every type reachable from events.
    Schemas,
    /// A surface module (`ga`, `beta`, ...): holds that surface's event unions.
    Surface(String),
}

/// One named type.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeDef {
    /// The Rust name.
    pub name: String,
    /// The module the type is emitted in.
    pub module: Module,
    /// The spec description, raw (the emitter cleans it into rustdoc).
    pub description: Option<String>,
    /// JSON pointer of the schema this type was made from.
    pub source: String,
    /// What the type is.
    pub kind: TypeKind,
}

/// The closed set of shapes the generator emits.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeKind {
    /// An object with known properties.
    Struct(StructType),
    /// A union of objects told apart by a constant property (`type`).
    TaggedUnion(TaggedUnion),
    /// A union whose members have different JSON kinds (string / number / object ...).
    KindUnion(KindUnion),
    /// A string enumeration.
    StringEnum(StringEnum),
    /// Another name for a type (`pub type X = ...`).
    Alias(TypeRef),
}

/// A reference to a type, as used by fields, items and payloads.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum TypeRef {
    /// A JSON string.
    String,
    /// A JSON integer (`i64`).
    Integer,
    /// A JSON number (`serde_json::Number`, so `5` and `5.0` both survive a round trip).
    Number,
    /// A JSON boolean.
    Boolean,
    /// Any JSON value.
    Any,
    /// A JSON array of the item type.
    Array(Box<TypeRef>),
    /// A JSON object with arbitrary keys and values of the given type.
    Map(Box<TypeRef>),
    /// A named type of the type space.
    Named(TypeId),
}

/// An object type with declared properties.
#[derive(Debug, Clone, PartialEq)]
pub struct StructType {
    /// Declared properties, in spec order.
    pub fields: Vec<Field>,
    /// Constant properties (discriminators such as `type`) that the type owns:
    /// written on encode, checked on decode, never a field users fill in.
    pub constants: Vec<Constant>,
    /// Whether every required field's type has a `Default`, so the struct derives it.
    pub derives_default: bool,
    /// Whether a borrowed twin ([`borrowed_view_name`]) is emitted beside the
    /// struct: decided by `views::mark_borrowed_views` for events made only
    /// of scalar properties.
    pub borrowed_view: bool,
}

/// The name of the borrowed twin of a struct or event union (`<Name>Ref`),
/// whose strings borrow from the text they were decoded from.
pub fn borrowed_view_name(name: &str) -> String {
    format!("{name}Ref")
}

/// A constant property owned by a struct.
#[derive(Debug, Clone, PartialEq)]
pub struct Constant {
    /// The property name on the wire.
    pub wire_name: String,
    /// The only value it may have (always present: an optional single-valued
    /// property is a field, see [`TaggedVariant::tag_field`]).
    pub value: String,
    /// JSON pointer of the property schema.
    pub source: String,
}

/// One struct field.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The property name on the wire.
    pub wire_name: String,
    /// The Rust field name as written in source (may be `r#type`).
    pub rust_name: String,
    /// The value type (without the `Option` wrappers presence adds).
    pub ty: TypeRef,
    /// Whether the property must be present.
    pub required: bool,
    /// Whether the property may be `null`.
    pub nullable: bool,
    /// Whether the value is boxed (breaks a recursive type).
    pub boxed: bool,
    /// The property description, raw.
    pub description: Option<String>,
    /// JSON pointer of the property schema.
    pub source: String,
}

/// A union of objects discriminated by a constant property.
#[derive(Debug, Clone, PartialEq)]
pub struct TaggedUnion {
    /// The discriminating property (`type`).
    pub tag: String,
    /// One variant per member, in spec order.
    pub variants: Vec<TaggedVariant>,
    /// Whether this is a surface's event union (it then gets `event_type()`).
    pub is_event_union: bool,
}

/// One member of a tagged union.
#[derive(Debug, Clone, PartialEq)]
pub struct TaggedVariant {
    /// The Rust variant name, made from the tag value.
    pub name: String,
    /// The tag value that selects this variant.
    pub tag_value: String,
    /// The payload type (a struct that owns the tag constant, or a nested tagged union).
    pub ty: TypeId,
    /// Whether the variant holds its payload in a `Box`: decided by
    /// `boxing::box_large_event_variants` for the large members of event unions.
    pub boxed: bool,
    /// When the member's tag is optional in its schema: the Rust name of the
    /// field that holds it (a single-valued string enum). The struct writes
    /// it only when present, so that encoding gives what was decoded; the
    /// union writes the tag when the field is `None`, as it needs it.
    pub tag_field: Option<String>,
}

/// A union whose members are told apart by their JSON kind.
#[derive(Debug, Clone, PartialEq)]
pub struct KindUnion {
    /// One variant per member, in spec order.
    pub variants: Vec<KindVariant>,
    /// The property that discriminates the object members, when there are several.
    pub object_tag: Option<String>,
}

/// The JSON kinds a kind-union tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum JsonKind {
    /// A string.
    String,
    /// An integer.
    Integer,
    /// Any number.
    Number,
    /// `true` / `false`.
    Boolean,
    /// An array.
    Array,
    /// An object.
    Object,
}

/// One member of a kind union.
#[derive(Debug, Clone, PartialEq)]
pub struct KindVariant {
    /// The Rust variant name.
    pub name: String,
    /// The JSON kind that selects this variant.
    pub kind: JsonKind,
    /// What the variant holds.
    pub payload: KindPayload,
}

/// What a kind-union variant holds.
#[derive(Debug, Clone, PartialEq)]
pub enum KindPayload {
    /// A value of this type.
    Value(TypeRef),
    /// Nothing: the variant stands for this one string value.
    Constant(String),
    /// An object selected by the union's `object_tag` having this value.
    Tagged {
        /// The tag value.
        tag_value: String,
        /// The payload type.
        ty: TypeId,
        /// As [`TaggedVariant::tag_field`].
        tag_field: Option<String>,
    },
}

/// A string enumeration.
#[derive(Debug, Clone, PartialEq)]
pub struct StringEnum {
    /// The known values, in spec order.
    pub values: Vec<EnumValue>,
}

/// One known value of a string enum.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumValue {
    /// The Rust variant name.
    pub name: String,
    /// The value on the wire.
    pub wire: String,
}

impl TypeRef {
    /// The id of the named type this refers to, looking through arrays and maps.
    pub fn named(&self) -> Option<&TypeId> {
        match self {
            TypeRef::Named(id) => Some(id),
            TypeRef::Array(item) | TypeRef::Map(item) => item.named(),
            _ => None,
        }
    }
}

impl TypeKind {
    /// The named types this definition refers to (fields, payloads, targets).
    pub fn references(&self) -> Vec<&TypeId> {
        match self {
            TypeKind::Struct(s) => s.fields.iter().filter_map(|f| f.ty.named()).collect(),
            TypeKind::TaggedUnion(u) => u.variants.iter().map(|v| &v.ty).collect(),
            TypeKind::KindUnion(u) => u
                .variants
                .iter()
                .filter_map(|v| match &v.payload {
                    KindPayload::Value(ty) => ty.named(),
                    KindPayload::Tagged { ty, .. } => Some(ty),
                    KindPayload::Constant(_) => None,
                })
                .collect(),
            TypeKind::StringEnum(_) => Vec::new(),
            TypeKind::Alias(target) => target.named().into_iter().collect(),
        }
    }
}

impl TypeSpace {
    /// Every type reachable from `roots` (the roots included).
    pub fn reachable_from<'a>(
        &self,
        roots: impl IntoIterator<Item = &'a TypeId>,
    ) -> BTreeSet<TypeId> {
        let mut reachable = BTreeSet::new();
        let mut stack: Vec<TypeId> = roots.into_iter().cloned().collect();
        while let Some(id) = stack.pop() {
            if let Some(def) = self.types.get(&id)
                && !reachable.contains(&id)
            {
                stack.extend(def.kind.references().into_iter().cloned());
            }
            reachable.insert(id);
        }
        reachable
    }

    /// Follows aliases to the definition that gives a type its shape.
    pub fn resolve<'a>(&'a self, ty: &'a TypeRef) -> &'a TypeRef {
        let mut current = ty;
        for _ in 0..self.types.len() + 1 {
            match current {
                TypeRef::Named(id) => match self.types.get(id).map(|def| &def.kind) {
                    Some(TypeKind::Alias(target)) => current = target,
                    _ => return current,
                },
                _ => return current,
            }
        }
        current
    }
}
