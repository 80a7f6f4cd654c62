//! The naming and placement stage: where each type is emitted and what it
//! is called, decided over the whole type space after lowering.
//!
//! Placement:
//! - the payload of an event lives in its surface's `server` or `client`
//!   module (`ga::server::ResponseOutputAudioDelta`);
//! - a type only one surface reaches lives in that surface's module
//!   (`ga::Response`), one several surfaces reach in `shared`, and every
//!   surface that reaches it re-exports it (`ga::TurnDetection`), so that a
//!   name is unique across a surface module and `shared`; an event payload
//!   two surfaces share lives in `shared` and is re-exported by each
//!   surface's event module.
//!
//! Names:
//! - an event payload is named by its wire `type`, as its variant is
//!   (`response.output_audio.delta` → `ResponseOutputAudioDelta`);
//! - a component schema by its spec name without the `Realtime` prefix, the
//!   `Beta` marker and the `Ga` suffix (the module says which surface):
//!   `RealtimeSessionCreateRequestGA` → `SessionCreateRequest`;
//! - an inline schema by the shortest tail of its path from its component
//!   that is unique in its module (`RealtimeResponse` → `usage` →
//!   `input_token_details` is `InputTokenDetails`, or
//!   `UsageInputTokenDetails` if another `InputTokenDetails` needs the
//!   name), array items by the singular of their property (`tools` → `Tool`);
//! - what the rules cannot name well is in a reviewed rename table
//!   (`spec/names.yaml`), strict like the corrections: an entry that names
//!   no type, or gives the name the rules give anyway, fails generation.
//!
//! Types with the same structure and the same name (the beta and GA copies
//! of one event, the noise reduction object every session repeats) are
//! merged into one (the GA one survives, see [`TypeDef::merged_sources`]),
//! so a name is never spent on a copy. Names are unique in
//! their module and deterministic; two types that want the same name when
//! every candidate is spent are a generation error naming both.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use crate::error::Error;
use crate::ir::{
    Direction, KindPayload, Module, TypeDef, TypeId, TypeKind, TypeRef, TypeSpace,
    borrowed_view_name,
};
use crate::naming;

/// Where the rename table lives, relative to the workspace root.
pub const RENAMES_PATH: &str = "spec/names.yaml";

/// The reviewed rename table: names the rules do not give well.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Renames {
    /// The entries, in any order.
    pub renames: Vec<Rename>,
}

/// One entry of the rename table.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rename {
    /// The spec name of the type (see [`TypeDef::spec_name`]).
    pub spec: String,
    /// Its Rust name.
    pub name: String,
    /// Why the rules' name is not good enough.
    pub why: String,
}

impl Renames {
    /// Reads the rename table of a workspace (none when the file is missing).
    pub fn read(workspace_root: &std::path::Path) -> Result<Self, Error> {
        let path = workspace_root.join(RENAMES_PATH);
        match std::fs::read_to_string(&path) {
            Ok(text) => Self::parse(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Renames::default()),
            Err(e) => Err(rename_error(format!("cannot read {}: {e}", path.display()))),
        }
    }

    /// Parses the table's text.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let table: Renames = serde_yaml_ng::from_str(text)
            .map_err(|e| rename_error(format!("{RENAMES_PATH}: {e}")))?;
        let mut seen = BTreeSet::new();
        for entry in &table.renames {
            if !seen.insert(&entry.spec) {
                return Err(rename_error(format!("`{}` is renamed twice", entry.spec)));
            }
            if naming::type_name(&entry.name) != entry.name || entry.name.is_empty() {
                return Err(rename_error(format!(
                    "`{}` is not a Rust type name in the generator's spelling (`{}`)",
                    entry.name,
                    naming::type_name(&entry.name)
                )));
            }
            if entry.why.trim().is_empty() {
                return Err(rename_error(format!(
                    "the rename of `{}` says why",
                    entry.spec
                )));
            }
        }
        Ok(table)
    }

    /// The entries that name no type of a model whose spec names are
    /// `spec_names` (see [`crate::Model::spec_names`]), in words: each would
    /// stop generation of a pinned spec.
    pub fn unused(&self, spec_names: &BTreeMap<String, TypeId>) -> Vec<String> {
        self.renames
            .iter()
            .filter(|entry| !spec_names.contains_key(&entry.spec))
            .map(|entry| {
                format!(
                    "{RENAMES_PATH}: `{}` (named `{}`) names no type of this spec",
                    entry.spec, entry.name
                )
            })
            .collect()
    }

    fn get(&self, spec: &str) -> Option<&Rename> {
        self.renames.iter().find(|r| r.spec == spec)
    }
}

fn rename_error(reason: String) -> Error {
    Error::Naming { reason }
}

/// Names and places every type of `space` (see the module documentation),
/// and returns the spec name of every type the lowering made, merged copies
/// included, with the id of the type that holds it now.
///
/// `strict` (the pinned spec): every rename must name a type and change its
/// name. Otherwise renames that do not fit are skipped.
pub fn name_and_place(
    space: &mut TypeSpace,
    renames: &Renames,
    strict: bool,
) -> Result<BTreeMap<String, TypeId>, Error> {
    let payloads = event_payloads(space);
    let mut candidates = candidates(space, &payloads, renames);
    // The spec name of every type, merged ones included, → the type it is now.
    let mut survivors: BTreeMap<String, TypeId> = space
        .types
        .iter()
        .map(|(id, def)| (def.spec_name.clone(), id.clone()))
        .collect();
    let merged = merge_identical(space, &candidates);
    candidates.retain(|id, _| !merged.contains_key(id));
    // A merged type became a survivor, never another merged type.
    for holder in survivors.values_mut() {
        if let Some(into) = merged.get(holder) {
            *holder = into.clone();
        }
    }
    apply_renames(&survivors, &mut candidates, renames, strict)?;
    let payloads = event_payloads(space);
    let (modules, reexports) = placement(space, &payloads);
    let names = resolve(space, &modules, &candidates)?;
    for (id, def) in space.types.iter_mut() {
        if let (Some(module), Some(name)) = (modules.get(id), names.get(id)) {
            def.module = module.clone();
            def.name = name.clone();
        }
    }
    space.reexports = reexports;
    Ok(survivors)
}

/// Every event payload: the struct, and where it is a member (surface,
/// direction, variant name), in surface order.
type Payloads = BTreeMap<TypeId, Vec<(String, Direction, String)>>;

fn event_payloads(space: &TypeSpace) -> Payloads {
    let mut payloads = Payloads::new();
    for surface in &space.surfaces {
        for union in &surface.unions {
            let Some(TypeKind::TaggedUnion(tagged)) = space.types.get(&union.id).map(|d| &d.kind)
            else {
                continue;
            };
            for variant in &tagged.variants {
                payloads.entry(variant.ty.clone()).or_default().push((
                    surface.module.clone(),
                    union.direction,
                    variant.name.clone(),
                ));
            }
        }
    }
    payloads
}

/// The names the rules give each type, best first (inline types are named
/// from their outermost type's name, renamed or not).
fn candidates(
    space: &TypeSpace,
    payloads: &Payloads,
    renames: &Renames,
) -> BTreeMap<TypeId, Vec<String>> {
    let by_spec: BTreeMap<&str, &TypeId> = space
        .types
        .iter()
        .map(|(id, d)| (d.spec_name.as_str(), id))
        .collect();
    // The name an outermost type (a component, an event, a union) takes:
    // inline types are named from it.
    let base = |id: &TypeId| -> String {
        let def = &space.types[id];
        match (renames.get(&def.spec_name), payloads.get(id)) {
            (Some(entry), _) => entry.name.clone(),
            (None, Some(members)) => members[0].2.clone(),
            (None, None) => outer_candidates(def).remove(0),
        }
    };
    // What the rules give, before the table.
    space
        .types
        .iter()
        .map(|(id, def)| {
            let candidates = match payloads.get(id) {
                Some(members) => vec![members[0].2.clone()],
                None if def.name_parts.len() <= 1 => outer_candidates(def),
                None => {
                    let root = by_spec
                        .get(def.name_parts[0].as_str())
                        .map(|root| base(root))
                        .unwrap_or_else(|| component_candidates(&def.name_parts[0]).remove(0));
                    inline_candidates(&root, &def.name_parts[1..], &def.spec_name)
                }
            };
            (id.clone(), candidates)
        })
        .collect()
}

/// Gives the types the rename table names their names: a rename of any of
/// the copies merged into one type names that type.
fn apply_renames(
    survivors: &BTreeMap<String, TypeId>,
    candidates: &mut BTreeMap<TypeId, Vec<String>>,
    renames: &Renames,
    strict: bool,
) -> Result<(), Error> {
    for entry in &renames.renames {
        let Some(id) = survivors.get(&entry.spec) else {
            if strict {
                return Err(rename_error(format!(
                    "{RENAMES_PATH}: `{}` names no type of this spec: remove the entry",
                    entry.spec
                )));
            }
            continue;
        };
        let Some(ruled) = candidates.get_mut(id) else {
            continue;
        };
        if strict && ruled.first() == Some(&entry.name) {
            return Err(rename_error(format!(
                "{RENAMES_PATH}: `{}` is named `{}` by the rules already: remove the entry",
                entry.spec, entry.name
            )));
        }
        *ruled = vec![entry.name.clone()];
    }
    Ok(())
}

/// The names of an outermost type: an event union keeps its name, a
/// component schema takes [`component_candidates`].
fn outer_candidates(def: &TypeDef) -> Vec<String> {
    match &def.kind {
        TypeKind::TaggedUnion(u) if u.is_event_union => vec![def.name.clone()],
        _ => component_candidates(&def.spec_name),
    }
}

/// The names of an inline type inside `root` (the name its outermost type
/// takes) at the path `parts`: the shortest tails of the path first, then
/// the path behind the tail words of the root, then the spec name. A name
/// has two words at least: one word (`Model`, `Item`, `Input`) says too
/// little on its own.
fn inline_candidates(root: &str, parts: &[String], spec_name: &str) -> Vec<String> {
    let parts = path_parts(parts);
    let mut candidates: Vec<String> = (1..=parts.len())
        .map(|k| parts[parts.len() - k..].concat())
        .collect();
    let path = parts.concat();
    let root_words = naming::words(root);
    for j in 1..=root_words.len() {
        candidates.push(format!(
            "{}{path}",
            root_words[root_words.len() - j..].concat()
        ));
    }
    candidates.push(spec_name.to_string());
    candidates.retain(|candidate| naming::words(candidate).len() >= 2);
    candidates.dedup();
    if candidates.is_empty() {
        candidates.push(spec_name.to_string());
    }
    candidates
}

/// A component schema's names: without `Realtime`, `Beta` and `Ga`; then
/// without `Realtime` only; then its spec name.
fn component_candidates(spec_name: &str) -> Vec<String> {
    let without_realtime = strip_word_prefix(spec_name, "Realtime");
    let without_beta = strip_word_prefix(&without_realtime, "Beta");
    let stripped = without_beta
        .strip_suffix("Ga")
        .filter(|rest| rest.chars().last().is_some_and(|c| c.is_ascii_lowercase()))
        .map(str::to_string)
        .unwrap_or(without_beta);
    let mut candidates = vec![stripped, without_realtime, spec_name.to_string()];
    candidates.dedup();
    candidates
}

/// `name` without the leading word `prefix`, when a word follows it.
fn strip_word_prefix(name: &str, prefix: &str) -> String {
    match name.strip_prefix(prefix) {
        Some(rest) if rest.chars().next().is_some_and(|c| c.is_ascii_uppercase()) => {
            rest.to_string()
        }
        _ => name.to_string(),
    }
}

/// The parts of an inline schema's path as name parts: array items take
/// the singular of their property (`Tools`, `Item` → `Tool`) or, when it is
/// not a plural, stay with it (`Content`, `Item` → `ContentItem`).
fn path_parts(parts: &[String]) -> Vec<String> {
    let mut joined: Vec<String> = Vec::new();
    for part in parts {
        if part == "Item"
            && let Some(last) = joined.last_mut()
        {
            *last = singular(last).unwrap_or_else(|| format!("{last}Item"));
            continue;
        }
        joined.push(part.clone());
    }
    joined
}

/// The singular of a plural name (`Tools` → `Tool`, `OutputModalities` →
/// `OutputModality`), if it is one.
fn singular(name: &str) -> Option<String> {
    if let Some(stem) = name.strip_suffix("ies") {
        return (!stem.is_empty()).then(|| format!("{stem}y"));
    }
    if name.ends_with("ss") || name.ends_with("us") || name.ends_with("is") {
        return None;
    }
    name.strip_suffix('s')
        .filter(|stem| stem.len() > 1)
        .map(str::to_string)
}

/// Merges types that have the same structure and want the same name into
/// one (the GA one where one is beta, else the one with the first id), and
/// points every reference at it.
/// Returns each merged type and the type it became.
fn merge_identical(
    space: &mut TypeSpace,
    candidates: &BTreeMap<TypeId, Vec<String>>,
) -> BTreeMap<TypeId, TypeId> {
    let ids: Vec<TypeId> = space.types.keys().cloned().collect();
    let mergeable =
        |def: &TypeDef| !matches!(&def.kind, TypeKind::TaggedUnion(u) if u.is_event_union);
    // Moore's refinement: start from (name, kind of shape), split by the
    // classes of what each type refers to, until nothing splits.
    let mut class: BTreeMap<TypeId, usize> = BTreeMap::new();
    let mut start: BTreeMap<String, usize> = BTreeMap::new();
    for id in &ids {
        let def = &space.types[id];
        let key = if mergeable(def) {
            format!(
                "{:?}|{}",
                candidates.get(id).and_then(|c| c.first()),
                shallow(&def.kind)
            )
        } else {
            format!("unique|{id}")
        };
        let next = start.len();
        class.insert(id.clone(), *start.entry(key).or_insert(next));
    }
    loop {
        let mut signatures: BTreeMap<String, usize> = BTreeMap::new();
        let mut next = BTreeMap::new();
        for id in &ids {
            let signature = format!("{}|{}", class[id], deep(&space.types[id].kind, &class));
            let fresh = signatures.len();
            next.insert(id.clone(), *signatures.entry(signature).or_insert(fresh));
        }
        let before: BTreeSet<&usize> = class.values().collect();
        let after: BTreeSet<&usize> = next.values().collect();
        let stable = before.len() == after.len();
        class = next;
        if stable {
            break;
        }
    }
    let mut first_of_class: BTreeMap<usize, TypeId> = BTreeMap::new();
    let mut merged = BTreeMap::new();
    // The GA schema survives its beta twin (its name and description are
    // the type's), else the first id.
    let mut survivors_first: Vec<&TypeId> = ids.iter().collect();
    survivors_first.sort_by_key(|id| (is_beta(&space.types[*id].spec_name), *id));
    for id in survivors_first {
        match first_of_class.get(&class[id]) {
            Some(first) => {
                merged.insert(id.clone(), first.clone());
            }
            None => {
                first_of_class.insert(class[id], id.clone());
            }
        }
    }
    if merged.is_empty() {
        return merged;
    }
    for (id, into) in &merged {
        if let Some(copy) = space.types.remove(id) {
            let mut sources = vec![copy.source];
            sources.extend(copy.merged_sources);
            if let Some(survivor) = space.types.get_mut(into) {
                survivor.merged_sources.extend(sources);
                survivor.merged_sources.sort();
            }
        }
    }
    for def in space.types.values_mut() {
        redirect(&mut def.kind, &merged);
    }
    merged
}

/// Whether a spec name is a beta schema's (`RealtimeBeta...`).
fn is_beta(spec_name: &str) -> bool {
    naming::words(spec_name)
        .iter()
        .take(2)
        .any(|word| word == "Beta")
}

/// The shape of a type without what it refers to.
fn shallow(kind: &TypeKind) -> &'static str {
    match kind {
        TypeKind::Struct(_) => "struct",
        TypeKind::TaggedUnion(_) => "tagged",
        TypeKind::KindUnion(_) => "kind",
        TypeKind::StringEnum(_) => "enum",
        TypeKind::Alias(_) => "alias",
    }
}

/// The whole shape of a type, what it refers to by class.
fn deep(kind: &TypeKind, class: &BTreeMap<TypeId, usize>) -> String {
    let of = |ty: &TypeRef| type_ref_shape(ty, class);
    match kind {
        TypeKind::Struct(s) => {
            let constants: Vec<String> = s
                .constants
                .iter()
                .map(|c| format!("{}={}", c.wire_name, c.value))
                .collect();
            let fields: Vec<String> = s
                .fields
                .iter()
                .map(|f| {
                    // The bounds are part of the shape: the schema says them.
                    format!(
                        "{}:{}:{}:{}:{}:{:?}",
                        f.wire_name,
                        of(&f.ty),
                        f.required,
                        f.nullable,
                        f.boxed,
                        f.bounds
                    )
                })
                .collect();
            format!(
                "S[{}][{}]{}{}",
                constants.join(","),
                fields.join(","),
                s.derives_default,
                s.borrowed_view
            )
        }
        TypeKind::TaggedUnion(u) => {
            let variants: Vec<String> = u
                .variants
                .iter()
                .map(|v| {
                    format!(
                        "{}={}:{}:{:?}",
                        v.tag_value, class[&v.ty], v.boxed, v.tag_field
                    )
                })
                .collect();
            format!("T{}[{}]", u.tag, variants.join(","))
        }
        TypeKind::KindUnion(u) => {
            let variants: Vec<String> = u
                .variants
                .iter()
                .map(|v| {
                    let payload = match &v.payload {
                        KindPayload::Value(ty) => of(ty),
                        KindPayload::Constant(value) => format!("={value}"),
                        KindPayload::Tagged {
                            tag_value,
                            ty,
                            tag_field,
                        } => {
                            format!("{tag_value}->{}:{tag_field:?}", class[ty])
                        }
                    };
                    format!("{}:{:?}:{payload}", v.name, v.kind)
                })
                .collect();
            format!("K{:?}[{}]", u.object_tag, variants.join(","))
        }
        TypeKind::StringEnum(e) => {
            let values: Vec<&str> = e.values.iter().map(|v| v.wire.as_str()).collect();
            format!("E[{}]", values.join(","))
        }
        TypeKind::Alias(ty) => format!("A{}", of(ty)),
    }
}

fn type_ref_shape(ty: &TypeRef, class: &BTreeMap<TypeId, usize>) -> String {
    match ty {
        TypeRef::Named(id) => format!("#{}", class.get(id).copied().unwrap_or(usize::MAX)),
        TypeRef::Array(item) => format!("[{}]", type_ref_shape(item, class)),
        TypeRef::Map(value) => format!("{{{}}}", type_ref_shape(value, class)),
        other => format!("{other:?}"),
    }
}

/// Points every reference to a merged type at the type it became.
fn redirect(kind: &mut TypeKind, merged: &BTreeMap<TypeId, TypeId>) {
    fn in_ref(ty: &mut TypeRef, merged: &BTreeMap<TypeId, TypeId>) {
        match ty {
            TypeRef::Named(id) => {
                if let Some(target) = merged.get(id) {
                    *id = target.clone();
                }
            }
            TypeRef::Array(item) | TypeRef::Map(item) => in_ref(item, merged),
            _ => {}
        }
    }
    match kind {
        TypeKind::Struct(s) => s.fields.iter_mut().for_each(|f| in_ref(&mut f.ty, merged)),
        TypeKind::TaggedUnion(u) => {
            for v in &mut u.variants {
                if let Some(target) = merged.get(&v.ty) {
                    v.ty = target.clone();
                }
            }
        }
        TypeKind::KindUnion(u) => {
            for v in &mut u.variants {
                match &mut v.payload {
                    KindPayload::Value(ty) => in_ref(ty, merged),
                    KindPayload::Tagged { ty, .. } => {
                        if let Some(target) = merged.get(ty) {
                            *ty = target.clone();
                        }
                    }
                    KindPayload::Constant(_) => {}
                }
            }
        }
        TypeKind::StringEnum(_) => {}
        TypeKind::Alias(ty) => in_ref(ty, merged),
    }
}

/// Every type's module, and what each event module re-exports.
fn placement(
    space: &TypeSpace,
    payloads: &Payloads,
) -> (BTreeMap<TypeId, Module>, Vec<(Module, TypeId)>) {
    let mut reach: BTreeMap<TypeId, BTreeSet<String>> = BTreeMap::new();
    for surface in &space.surfaces {
        let roots: Vec<&TypeId> = surface.unions.iter().map(|u| &u.id).collect();
        for id in space.reachable_from(roots) {
            reach.entry(id).or_default().insert(surface.module.clone());
        }
    }
    // A REST operation's bodies belong to the surface whose users call it.
    for operation in &space.operations {
        let roots = operation.types();
        for id in space.reachable_from(&roots) {
            reach
                .entry(id)
                .or_default()
                .insert(operation.surface.clone());
        }
    }
    let mut modules = BTreeMap::new();
    let mut reexports = Vec::new();
    for (id, def) in &space.types {
        let surfaces = reach.get(id).cloned().unwrap_or_default();
        let module = match (&def.module, payloads.get(id)) {
            (Module::Surface(m), _) => Module::Surface(m.clone()),
            (_, Some(members)) if surfaces.len() == 1 => {
                let (surface, direction, _) = &members[0];
                Module::Events(surface.clone(), *direction)
            }
            (_, Some(members)) => {
                for (surface, direction, _) in members {
                    reexports.push((Module::Events(surface.clone(), *direction), id.clone()));
                }
                Module::Shared
            }
            _ if surfaces.len() == 1 => {
                Module::Surface(surfaces.into_iter().next().unwrap_or_default())
            }
            _ => {
                // Each surface that reaches a shared type re-exports it, so
                // that a surface module is the one namespace its users import from.
                for surface in &surfaces {
                    reexports.push((Module::Surface(surface.clone()), id.clone()));
                }
                Module::Shared
            }
        };
        modules.insert(id.clone(), module);
    }
    reexports.sort();
    reexports.dedup();
    (modules, reexports)
}

/// Gives every type the first of its candidates that no other type of its
/// module wants: types that want the same name all move on to their next
/// candidate, until no two want one name. (A re-exported event payload is
/// named by its `type`, which no other event of the union has.)
fn resolve(
    space: &TypeSpace,
    modules: &BTreeMap<TypeId, Module>,
    candidates: &BTreeMap<TypeId, Vec<String>>,
) -> Result<BTreeMap<TypeId, String>, Error> {
    let mut choice: BTreeMap<&TypeId, usize> = candidates.keys().map(|id| (id, 0)).collect();
    let surface_modules: Vec<Module> = space
        .surfaces
        .iter()
        .map(|s| Module::Surface(s.module.clone()))
        .collect();
    // Names a surface module holds besides its types: its traits, and the
    // structs of its REST operations (named after their `operationId`).
    let operation_names: Vec<String> = space
        .operations
        .iter()
        .map(|operation| naming::type_name(&operation.id))
        .collect();
    let generated_items: Vec<&str> = ["ClientEventMethods", "RestMethods"]
        .into_iter()
        .chain(operation_names.iter().map(String::as_str))
        .collect();
    loop {
        let mut wanted: BTreeMap<(&Module, String), Vec<&TypeId>> = BTreeMap::new();
        for (id, index) in &choice {
            let name = &candidates[*id][*index];
            let view = matches!(
                space.types.get(*id).map(|d| &d.kind),
                Some(TypeKind::Struct(s)) if s.borrowed_view
            );
            for namespace in namespaces(&modules[*id], &surface_modules) {
                wanted
                    .entry((namespace, name.clone()))
                    .or_default()
                    .push(id);
                if view {
                    wanted
                        .entry((namespace, borrowed_view_name(name)))
                        .or_default()
                        .push(id);
                }
            }
        }
        let mut moved = false;
        for ((module, name), ids) in &wanted {
            let reserved = naming::is_reserved_type_name(name)
                || (matches!(module, Module::Surface(_))
                    && generated_items.contains(&name.as_str()));
            if ids.len() == 1 && !reserved {
                continue;
            }
            // One type keeps the name when it is the only outermost one (a
            // component, an event: inline types have longer names to go
            // to), or else the one with the fewest names left; the others
            // move on. On a tie, all move.
            let rank = |id: &TypeId| {
                let inline = space.types[id].name_parts.len() > 1;
                (inline, candidates[id].len() - choice[id])
            };
            let best = ids.iter().map(|id| rank(id)).min();
            let keepers: Vec<&&TypeId> = ids.iter().filter(|id| Some(rank(id)) == best).collect();
            let keeper = (keepers.len() == 1 && !reserved).then(|| *keepers[0]);
            let contenders: Vec<&&TypeId> = ids.iter().filter(|id| Some(**id) != keeper).collect();
            // Those with another candidate move on; one without may keep
            // the name, two without (or one and a reserved name) cannot.
            let (movable, mut stuck): (Vec<&&TypeId>, Vec<&&TypeId>) = contenders
                .into_iter()
                .partition(|id| choice[**id] + 1 < candidates[**id].len());
            if let Some(keeper) = keeper
                && !stuck.is_empty()
            {
                stuck.push(
                    ids.iter()
                        .find(|id| **id == keeper)
                        .expect("the keeper is in the group"),
                );
            }
            if stuck.len() > 1 || (reserved && !stuck.is_empty()) {
                let first = if stuck.len() > 1 {
                    space.types[*stuck[1]].source.clone()
                } else {
                    "the generated code (a reserved name)".into()
                };
                return Err(Error::NameCollision {
                    name: name.clone(),
                    first,
                    second: space.types[*stuck[0]].source.clone(),
                });
            }
            for id in movable {
                *choice.get_mut(*id).expect("every type has a choice") += 1;
                moved = true;
            }
        }
        if !moved {
            break;
        }
    }
    Ok(choice
        .into_iter()
        .map(|(id, index)| (id.clone(), candidates[id][index].clone()))
        .collect())
}

/// The namespaces a type's name must be unique in: its module's, and for a
/// shared type also every surface module's, as those re-export it.
fn namespaces<'a>(module: &'a Module, surface_modules: &'a [Module]) -> Vec<&'a Module> {
    match module {
        Module::Shared => std::iter::once(module).chain(surface_modules).collect(),
        _ => vec![module],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_that_names_no_type_is_listed_as_unused() {
        let table = Renames::parse("renames:\n  - {spec: Gone, name: Kept, why: w}\n  - {spec: Here, name: There, why: w}\n").unwrap();
        let spec_names = BTreeMap::from([("Here".to_string(), "Here".to_string())]);
        let unused = table.unused(&spec_names);
        assert_eq!(unused.len(), 1, "{unused:?}");
        assert!(unused[0].contains("`Gone` (named `Kept`)"), "{unused:?}");
    }

    #[test]
    fn component_names_lose_the_prefix_the_beta_marker_and_the_ga_suffix() {
        assert_eq!(
            component_candidates("RealtimeSessionCreateRequestGa")[0],
            "SessionCreateRequest"
        );
        assert_eq!(component_candidates("RealtimeBetaResponse")[0], "Response");
        assert_eq!(component_candidates("RealtimeResponse")[0], "Response");
        assert_eq!(
            component_candidates("Realtime")[0],
            "Realtime",
            "nothing follows the prefix"
        );
        assert_eq!(
            component_candidates("RealtimeMcpToolCall")[0],
            "McpToolCall"
        );
        assert_eq!(component_candidates("VoiceIdsShared")[0], "VoiceIdsShared");
        assert_eq!(
            component_candidates("RealtimeSessionCreateRequestGa"),
            [
                "SessionCreateRequest",
                "SessionCreateRequestGa",
                "RealtimeSessionCreateRequestGa"
            ]
        );
    }

    fn strings(parts: &[&str]) -> Vec<String> {
        parts.iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn array_items_take_the_singular_of_their_property() {
        let parts = |parts: &[&str]| path_parts(&strings(parts));
        assert_eq!(parts(&["Tools", "Item"]), ["Tool"]);
        assert_eq!(parts(&["OutputModalities", "Item"]), ["OutputModality"]);
        assert_eq!(parts(&["RateLimits", "Item"]), ["RateLimit"]);
        assert_eq!(parts(&["Content", "Item"]), ["ContentItem"]);
        assert_eq!(parts(&["Status", "Item"]), ["StatusItem"]);
        assert_eq!(
            parts(&["Audio", "Input", "NoiseReduction"]),
            ["Audio", "Input", "NoiseReduction"]
        );
    }

    #[test]
    fn inline_names_are_the_shortest_tails_of_their_path_of_two_words_or_more() {
        assert_eq!(
            inline_candidates(
                "Session",
                &strings(&["Audio", "Input", "NoiseReduction"]),
                "Spec"
            ),
            [
                "NoiseReduction",
                "InputNoiseReduction",
                "AudioInputNoiseReduction",
                "SessionAudioInputNoiseReduction"
            ]
        );
        assert_eq!(
            inline_candidates(
                "ResponseUsage",
                &strings(&["Model"]),
                "RealtimeResponseUsageModel"
            ),
            [
                "UsageModel",
                "ResponseUsageModel",
                "RealtimeResponseUsageModel"
            ]
        );
        assert_eq!(
            inline_candidates("Response", &strings(&["Include", "Item"]), "Spec"),
            ["IncludeItem", "ResponseIncludeItem"]
        );
    }

    #[test]
    fn renames_are_checked_for_shape() {
        assert!(Renames::parse("renames: [{spec: A, name: B, why: w}]").is_ok());
        for (text, expected) in [
            (
                "renames: [{spec: A, name: b_c, why: w}]",
                "not a Rust type name",
            ),
            ("renames: [{spec: A, name: B, why: ' '}]", "says why"),
            (
                "renames: [{spec: A, name: B, why: w}, {spec: A, name: C, why: w}]",
                "renamed twice",
            ),
            ("renames: [{spec: A, name: B, reason: w}]", "unknown field"),
        ] {
            let error = Renames::parse(text).unwrap_err().to_string();
            assert!(error.contains(expected), "{text}: {error}");
        }
    }
}
