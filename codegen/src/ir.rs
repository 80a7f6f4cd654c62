//! The intermediate model between the OpenAPI document and Rust code: a *type
//! space* of named type definitions, each a closed kind with every schema
//! decision already made. The emitter only prints what is here.

use std::collections::{BTreeMap, BTreeSet};

use crate::error::Error;

/// Identifies a type definition: its Rust name, unique in the whole output.
pub type TypeId = String;

/// Everything the generator will emit.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TypeSpace {
    /// Every type definition, keyed (and so emitted) by id.
    pub types: BTreeMap<TypeId, TypeDef>,
    /// The event surfaces (`ga`, `beta`, `translation`), in output order.
    pub surfaces: Vec<Surface>,
    /// Types a module re-exports from the one that defines them (an event
    /// shared by two surfaces lives in `shared` and is re-exported by each
    /// surface's `server` or `client` module), in output order.
    pub reexports: Vec<(Module, TypeId)>,
    /// The REST operations of the Realtime API (`POST /realtime/client_secrets`,
    /// ...), in path order: decided by `operations::plan`, their bodies lowered
    /// with the events' types.
    pub operations: Vec<Operation>,
}

/// One REST operation of the spec's `paths`.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// The spec's `operationId` (`create-realtime-client-secret`).
    pub id: String,
    /// The surface module whose users call it (`ga`; `beta` for the
    /// deprecated beta sessions).
    pub surface: String,
    /// The HTTP method, upper case (`POST`).
    pub method: String,
    /// The path template under the API base (`/realtime/calls/{call_id}/accept`).
    pub path: String,
    /// The path parameters, in the order the template names them.
    pub path_params: Vec<PathParam>,
    /// What it sends.
    pub request: OperationBody,
    /// The success status the spec documents (`200`, `201`).
    pub status: u16,
    /// What it answers with that status.
    pub response: OperationBody,
    /// The spec's `summary` (or `description`), raw.
    pub summary: Option<String>,
    /// Whether the spec marks it deprecated.
    pub deprecated: bool,
    /// JSON pointer of the operation (`/paths/~1realtime~1calls/post`).
    pub source: String,
}

impl Operation {
    /// The named types its bodies hold (the roots of what it reaches).
    pub fn types(&self) -> Vec<TypeId> {
        [&self.request, &self.response]
            .into_iter()
            .filter_map(|body| match body {
                OperationBody::Json(ty) | OperationBody::Form(ty) => ty.named().cloned(),
                OperationBody::Empty | OperationBody::Text(_) => None,
            })
            .collect()
    }
}

/// A path parameter of an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathParam {
    /// Its name in the template (`call_id`).
    pub name: String,
    /// Its description, raw.
    pub description: Option<String>,
}

/// The body an operation sends or answers with.
#[derive(Debug, Clone, PartialEq)]
pub enum OperationBody {
    /// None.
    Empty,
    /// JSON of this type.
    Json(TypeRef),
    /// A `multipart/form-data` form of this object type: each property a part.
    Form(TypeRef),
    /// Text of this content type (`application/sdp`).
    Text(String),
}

/// One event surface: a Rust module with a client and a server event union.
#[derive(Debug, Clone, PartialEq)]
pub struct Surface {
    /// Module name (`ga`, `beta`, `translation`).
    pub module: String,
    /// Module documentation lines.
    pub doc: Vec<String>,
    /// How the surface is reached (from the surface plan).
    pub endpoint: Endpoint,
    /// The event unions of this surface (client, then server).
    pub unions: Vec<EventUnion>,
    /// How the server union's `error` event is read as a
    /// `realtime_types::ServerErrorRef`: decided by `server_error::plan`;
    /// `None` when the surface has no server `error` event (or before the pass).
    pub server_error: Option<ServerErrorAccess>,
}

/// How a surface is reached: facts of the protocol, not of the schemas,
/// kept in one place (`surfaces::plan`) and printed into the surface's
/// `SURFACE` descriptor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The WebSocket path under the API base (`realtime`,
    /// `realtime/translations`), without a leading `/`.
    pub path: String,
    /// The value of the `OpenAI-Beta` header that selects the surface
    /// (`realtime=v1`), when it takes one.
    pub beta_header: Option<String>,
}

/// Where the parts of a surface's server `error` event are (see
/// `server_error::plan`): each read from a string field of the event's
/// `error` object, through the `Option`s its presence adds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerErrorAccess {
    /// The server union's variant whose tag is `error`.
    pub variant: String,
    /// The event's field that holds the details (`error`).
    pub details: FieldAccess,
    /// The details' `type`.
    pub error_type: FieldAccess,
    /// The details' `message`.
    pub message: FieldAccess,
    /// The details' `code`; `None` when the schema has no such property.
    pub code: Option<FieldAccess>,
    /// The details' `param`; `None` when the schema has no such property.
    pub param: Option<FieldAccess>,
    /// The details' `event_id` (of the client event at fault); `None` when
    /// the schema has no such property.
    pub event_id: Option<FieldAccess>,
}

/// A struct field, by its Rust name, and how its value is held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldAccess {
    /// The Rust field name as written in source (may be `r#type`).
    pub rust_name: String,
    /// The `Option`s around the value.
    pub presence: Presence,
}

/// The `Option`s a field's presence puts around its value (see
/// [`Field::presence`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// `T`: required, not nullable.
    Plain,
    /// `Option<T>`: optional, or required and nullable.
    Optional,
    /// `Option<Option<T>>`: optional and nullable (absent is not `null`).
    OptionalNullable,
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
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
    /// The `shared` module: types more than one surface reaches.
    Shared,
    /// A surface module (`ga`, `beta`, ...): its event unions and the types
    /// only it reaches.
    Surface(String),
    /// A surface's `server` or `client` module: the payloads of its events.
    Events(String, Direction),
}

impl Module {
    /// The module's path below the generated root (`["ga", "server"]`).
    pub fn path(&self) -> Vec<String> {
        match self {
            Module::Shared => vec!["shared".into()],
            Module::Surface(m) => vec![m.clone()],
            Module::Events(m, direction) => vec![m.clone(), direction.module().into()],
        }
    }
}

impl Direction {
    /// The name of the module that holds a surface's events of this direction.
    pub fn module(self) -> &'static str {
        match self {
            Direction::ClientToServer => "client",
            Direction::ServerToClient => "server",
        }
    }
}

/// One named type.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeDef {
    /// The Rust name (set by the naming stage, `names`; unique in its module).
    pub name: String,
    /// The name the lowering made from the spec (unique in the whole space):
    /// the component schema's name, or for an inline schema its parent's
    /// spec name and the path to it (`RealtimeResponseUsage`). The name of the
    /// type's JSON Schema, and what the rename table (`spec/names.yaml`) names.
    pub spec_name: String,
    /// The parts of the spec name, outermost first: the component schema,
    /// then one part per step inwards (a property, `Item` for array items,
    /// `Value` for map values, a union member's label).
    pub name_parts: Vec<String>,
    /// The JSON pointers of the schemas merged into this one because they
    /// have the same structure and name (a beta twin of a GA type), set by
    /// the naming stage: the type stands for them too.
    pub merged_sources: Vec<String>,
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
    /// How users build it: decided by `construction::plan`.
    pub construction: Construction,
}

/// How users build a struct (decided by `construction::plan`): the emitter
/// prints these as inherent methods, and the per-event send methods call
/// `new` with the same parameters.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Construction {
    /// The parameters of `new`: the required fields, in spec order. Empty
    /// when the struct has no required field (it has `Default` then, and no `new`).
    pub new_params: Vec<Param>,
    /// One constructor per known value of the struct's string-enum `type`
    /// field (`UserMessageContentItem::input_text()`), taking `new`'s other
    /// parameters; `None` when the struct has no such field.
    pub by_type: Option<TypeConstructors>,
    /// One `with_<field>` setter per optional field, in spec order.
    pub setters: Vec<Setter>,
}

/// A parameter of a constructor or setter: a field, and how its value is passed.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// The field's index in [`StructType::fields`].
    pub field: usize,
    /// How the argument is passed.
    pub pass: Pass,
}

/// How a field's value is passed to a constructor or setter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// `impl Into<T>` (strings, named types, numbers, arrays: `"marin"`,
    /// `0.5`, `[item]` all work).
    Into,
    /// `T` itself (integers and booleans, whose literals need no conversion).
    Plain,
}

/// Constructors named by the values of a struct's string-enum `type` field.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeConstructors {
    /// The index of the `type` field.
    pub field: usize,
    /// The enum's type id.
    pub enum_id: TypeId,
    /// One per known value: the method name, the enum variant it sets and
    /// that value on the wire.
    pub constructors: Vec<(String, String, String)>,
}

/// A `with_<field>` setter of an optional field.
#[derive(Debug, Clone, PartialEq)]
pub struct Setter {
    /// The field and how its value is passed.
    pub param: Param,
    /// Whether an `edit_<field>` method is emitted too, which changes the
    /// field's value (or its `Default`) with a closure: for fields whose
    /// type is a struct with `Default`, so that nested settings need no import.
    pub edit: bool,
}

/// A `From` impl of a union (decided by `construction::plan`): the value is
/// wrapped in one variant of each union on the path, outermost first.
#[derive(Debug, Clone, PartialEq)]
pub struct Conversion {
    /// The source type of the impl.
    pub from: ConversionSource,
    /// The variants that wrap the value, outermost first.
    pub path: Vec<Wrap>,
}

/// The source type of a union's `From` impl.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum ConversionSource {
    /// The innermost variant's payload type itself.
    Exact(TypeRef),
    /// `&str`, converted into the innermost payload (a `String` or a string enum).
    Str,
    /// `String`, converted into the innermost payload (a string enum).
    String,
    /// `f64`, converted into the innermost payload (a [`TypeRef::Number`]).
    Float,
}

/// One variant on a conversion's path.
#[derive(Debug, Clone, PartialEq)]
pub struct Wrap {
    /// The union's type id.
    pub union: TypeId,
    /// The variant's Rust name.
    pub variant: String,
    /// Whether the variant holds its payload in a `Box`.
    pub boxed: bool,
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
    /// The numeric bounds the spec sets on a number or integer property
    /// (`minimum: 0.25`), in keyword order: the decoders accept any number
    /// (the types stay lenient), and the JSON Schema carries them as an
    /// annotation for checkers that refuse what the service refuses.
    pub bounds: Vec<NumericBound>,
    /// JSON pointer of the property schema.
    pub source: String,
}

/// One numeric bound of a property, as the spec writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct NumericBound {
    /// `minimum`, `maximum`, `exclusiveMinimum` or `exclusiveMaximum`.
    pub keyword: String,
    /// The bound (`0.25`, `7200`).
    pub value: BoundValue,
}

/// A numeric bound's value: an integer when the spec writes one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BoundValue {
    /// `7200`.
    Integer(i64),
    /// `0.25` (always finite).
    Float(f64),
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
    /// Whether a borrowed view of the union (`<Name>Ref<'a>`) is emitted:
    /// decided by `views::mark_borrowed_views` for the event unions with a
    /// member that has a view.
    pub borrowed_view: bool,
    /// Its `From` impls (decided by `construction::plan`).
    pub conversions: Vec<Conversion>,
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
    /// Its `From` impls (decided by `construction::plan`).
    pub conversions: Vec<Conversion>,
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

impl Field {
    /// The null-when-absent rule: an optional property the spec does not
    /// allow to be `null` decodes a `null` as absent (`None`), and keeps the
    /// `null` in the struct's unknown fields so that encoding gives it back
    /// (live servers send `null` for absent optional properties).
    pub fn null_means_absent(&self) -> bool {
        !self.required && !self.nullable
    }

    /// The `Option`s around the field's value.
    pub fn presence(&self) -> Presence {
        match (self.required, self.nullable) {
            (true, false) => Presence::Plain,
            (true, true) | (false, false) => Presence::Optional,
            (false, true) => Presence::OptionalNullable,
        }
    }
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
    /// Checks what the emitter relies on: every reference, event union,
    /// re-export and conversion names a type of the space, and no module
    /// holds two types of one name.
    pub fn validate(&self) -> Result<(), Error> {
        let invalid = |pointer: &str, reason: String| Error::InvalidModel {
            pointer: pointer.into(),
            reason,
        };
        let mut names: BTreeMap<(&Module, &str), &str> = BTreeMap::new();
        for (id, def) in &self.types {
            for target in def.kind.references() {
                if !self.types.contains_key(target) {
                    return Err(invalid(
                        &def.source,
                        format!("`{id}` refers to `{target}`, which is not a type"),
                    ));
                }
            }
            let conversions = match &def.kind {
                TypeKind::TaggedUnion(u) => u.conversions.as_slice(),
                TypeKind::KindUnion(u) => u.conversions.as_slice(),
                _ => &[],
            };
            for conversion in conversions {
                let wraps = conversion.path.iter().map(|w| &w.union);
                let source = match &conversion.from {
                    ConversionSource::Exact(ty) => ty.named(),
                    _ => None,
                };
                for target in wraps.chain(source) {
                    if !self.types.contains_key(target) {
                        return Err(invalid(
                            &def.source,
                            format!(
                                "a conversion of `{id}` goes through `{target}`, which is not a type"
                            ),
                        ));
                    }
                }
            }
            if let Some(other) = names.insert((&def.module, def.name.as_str()), &def.source) {
                return Err(invalid(
                    &def.source,
                    format!(
                        "its name `{}` is also the name of {other} in its module",
                        def.name
                    ),
                ));
            }
        }
        let unions = self.surfaces.iter().flat_map(|s| &s.unions).map(|u| &u.id);
        let reexported = self.reexports.iter().map(|(_, id)| id);
        for id in unions.chain(reexported) {
            if !self.types.contains_key(id) {
                return Err(invalid(
                    "#/",
                    format!("`{id}` is listed by a surface or a re-export, but is not a type"),
                ));
            }
        }
        Ok(())
    }

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
