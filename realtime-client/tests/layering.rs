//! The crate's modules form layers: no module reaches, through the items it
//! uses (`crate::module::..`), back to itself.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The items `lib.rs` re-exports (`pub use module::{A, B}`), by the module
/// they come from.
fn reexports(src: &Path) -> BTreeMap<String, String> {
    let lib = std::fs::read_to_string(src.join("lib.rs")).expect("lib.rs is readable");
    let mut items = BTreeMap::new();
    for statement in lib.split(';') {
        let Some(rest) = statement.trim().strip_prefix("pub use ") else {
            continue;
        };
        let Some((module, names)) = rest.split_once("::") else {
            continue;
        };
        for name in names.trim_matches(|c| c == '{' || c == '}').split(',') {
            let name = name.trim();
            if !name.is_empty() {
                items.insert(name.to_string(), module.to_string());
            }
        }
    }
    items
}

/// Each module of `src/` (but `lib.rs`) and the modules it names as
/// `crate::module` or through a re-export (`crate::Item`).
fn uses() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let reexports = reexports(&src);
    let mut modules = BTreeMap::new();
    for entry in std::fs::read_dir(&src).expect("src/ is readable") {
        let path = entry.expect("an entry").path();
        let Some(name) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if name == "lib" || path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("a module is readable");
        // Tests may use anything; documentation links are no imports.
        let code: String = text
            .split("#[cfg(test)]")
            .next()
            .unwrap_or_default()
            .lines()
            .filter(|line| !line.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        let mut used = BTreeSet::new();
        for (at, _) in code.match_indices("crate::") {
            let rest = &code[at + "crate::".len()..];
            let word: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let module = reexports.get(&word).cloned().unwrap_or(word);
            if !module.is_empty() && module != name {
                used.insert(module);
            }
        }
        modules.insert(name.to_string(), used);
    }
    modules
}

#[test]
fn no_module_depends_on_itself_through_others() {
    let uses = uses();
    assert!(
        uses.contains_key("connection"),
        "read the wrong directory: {uses:?}"
    );
    assert!(
        uses["session_task"].contains("connection"),
        "the scan misses uses: {uses:?}"
    );
    // Depth-first search for a path back to the start.
    for start in uses.keys() {
        let mut stack = vec![vec![start.clone()]];
        while let Some(path) = stack.pop() {
            let last = path.last().expect("paths are not empty");
            for next in uses.get(last).into_iter().flatten() {
                assert!(
                    next != start,
                    "an import cycle: {} -> {next}",
                    path.join(" -> ")
                );
                if !path.contains(next) && uses.contains_key(next) {
                    let mut longer = path.clone();
                    longer.push(next.clone());
                    stack.push(longer);
                }
            }
        }
    }
}
