//! Finding a spec version: a file, the pin, or an upstream commit (the
//! pin's, one listed in `../shared/spec/README.md`, or downloaded by the
//! lock's address pattern).

use std::path::{Path, PathBuf};

use realtime_codegen::spec_source::{self, ResolveOptions, SpecLock};

/// Where the shared copies of the spec live, relative to the workspace root.
pub const SHARED_SPEC_DIR: &str = "../shared/spec";

/// One row of the table of `../shared/spec/README.md`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The file, relative to `../shared/spec` (`history/openapi-2026-05-13.yaml`).
    pub file: String,
    /// The upstream commit (full, or abbreviated where the table has no more).
    pub commit: String,
    /// The commit's date (`2026-05-13`).
    pub date: String,
    /// The file's sha256.
    pub sha256: String,
}

/// The versions `../shared/spec/README.md` lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalog {
    /// Its rows, in the table's order.
    pub entries: Vec<Entry>,
}

impl Catalog {
    /// The catalog of the workspace at `root` (empty when the README is missing).
    pub fn read(root: &Path) -> Result<Self, String> {
        let path = root.join(SHARED_SPEC_DIR).join("README.md");
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(Self::parse(&text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Catalog::default()),
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }

    /// The rows of the table `| file | upstream commit | date | OpenAPI | sha256 |`
    /// (a commit cell may say more after the commit: `498c71d (beta-only ...)`).
    pub fn parse(text: &str) -> Self {
        let entries = text
            .lines()
            .filter_map(|line| {
                let cells: Vec<&str> = line
                    .trim()
                    .strip_prefix('|')?
                    .strip_suffix('|')?
                    .split('|')
                    .map(str::trim)
                    .collect();
                let [file, commit, date, _openapi, sha256] = cells.as_slice() else {
                    return None;
                };
                let commit = commit.split_whitespace().next()?;
                let is_hex = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit());
                (is_hex(commit) && commit.len() >= 7 && sha256.len() == 64 && is_hex(sha256)).then(
                    || Entry {
                        file: file.to_string(),
                        commit: commit.to_string(),
                        date: date.to_string(),
                        sha256: sha256.to_string(),
                    },
                )
            })
            .collect();
        Catalog { entries }
    }

    /// The row of `commit` (either may be an abbreviation of the other).
    pub fn by_commit(&self, commit: &str) -> Option<&Entry> {
        self.entries
            .iter()
            .find(|entry| same_commit(&entry.commit, commit))
    }

    /// The row of the file with this sha256.
    pub fn by_sha256(&self, sha256: &str) -> Option<&Entry> {
        self.entries.iter().find(|entry| entry.sha256 == sha256)
    }
}

/// Whether two commit ids (full or abbreviated to 7 characters or more)
/// name the same commit.
pub fn same_commit(a: &str, b: &str) -> bool {
    let (a, b) = (a.to_ascii_lowercase(), b.to_ascii_lowercase());
    a.len().min(b.len()) >= 7 && (a.starts_with(&b) || b.starts_with(&a))
}

/// Whether an argument reads as a commit id.
fn looks_like_commit(text: &str) -> bool {
    (7..=40).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// One spec version, read.
#[derive(Debug, Clone)]
pub struct SpecVersion {
    /// How the report names it (`5162af9 (2026-05-13)`, a file name).
    pub label: String,
    /// The YAML text.
    pub text: String,
    /// Its sha256.
    pub sha256: String,
    /// The upstream commit, when known.
    pub commit: Option<String>,
    /// The commit's date, when known.
    pub date: Option<String>,
}

impl SpecVersion {
    /// A version of this text; its commit and date from the catalog or the
    /// lock when the sha256 is one of theirs, else `fallback` names it.
    pub fn of_text(text: String, fallback: &str, lock: &SpecLock, catalog: &Catalog) -> Self {
        let sha256 = spec_source::sha256_hex(text.as_bytes());
        let (commit, date) = if sha256 == lock.sha256 {
            (Some(lock.commit.clone()), Some(lock.date.clone()))
        } else if let Some(entry) = catalog.by_sha256(&sha256) {
            (Some(entry.commit.clone()), Some(entry.date.clone()))
        } else {
            (None, None)
        };
        let label = match (&commit, &date) {
            (Some(commit), Some(date)) => format!("{} ({date})", short(commit)),
            _ => fallback.to_string(),
        };
        SpecVersion {
            label,
            text,
            sha256,
            commit,
            date,
        }
    }

    /// Whether this is the spec the lock pins.
    pub fn is_pinned(&self, lock: &SpecLock) -> bool {
        self.sha256 == lock.sha256
    }
}

/// A commit id shortened to 7 characters.
pub fn short(commit: &str) -> &str {
    commit.get(..7).unwrap_or(commit)
}

/// Finds the spec `argument` names: `pin` (or `pinned`), a file (as given,
/// or relative to `../shared/spec`), or a commit (the pin's, one of the
/// catalog, or else downloaded by the lock's address pattern unless
/// `offline`).
pub fn locate(root: &Path, argument: &str, offline: bool) -> Result<SpecVersion, String> {
    let lock = SpecLock::load(root).map_err(|e| e.to_string())?;
    let catalog = Catalog::read(root)?;
    let read = |path: &Path| -> Result<SpecVersion, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let name = path.file_name().map_or_else(
            || argument.to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        Ok(SpecVersion::of_text(text, &name, &lock, &catalog))
    };
    if matches!(argument, "pin" | "pinned")
        || (looks_like_commit(argument) && same_commit(&lock.commit, argument))
    {
        return pinned(root, &lock, &catalog, offline);
    }
    let given = PathBuf::from(argument);
    if given.is_file() {
        return read(&given);
    }
    let shared = root.join(SHARED_SPEC_DIR).join(argument);
    if shared.is_file() {
        return read(&shared);
    }
    if !looks_like_commit(argument) {
        return Err(format!(
            "`{argument}` is no file (looked at {} and {}), not `pin` and not a commit id",
            given.display(),
            shared.display()
        ));
    }
    if let Some(entry) = catalog.by_commit(argument) {
        return read(&root.join(SHARED_SPEC_DIR).join(&entry.file));
    }
    let mut known: Vec<String> = Vec::new();
    for commit in std::iter::once(&lock.commit).chain(catalog.entries.iter().map(|e| &e.commit)) {
        if !known.iter().any(|k| same_commit(k, commit)) {
            known.push(short(commit).to_string());
        }
    }
    let unavailable = format!(
        "commit {argument} is not available offline: the pin and {}/README.md have {}",
        SHARED_SPEC_DIR,
        known.join(", ")
    );
    if offline {
        return Err(format!(
            "{unavailable}; without --offline it is downloaded from the lock's address pattern"
        ));
    }
    let url = lock.url_for(argument).map_err(|e| e.to_string())?;
    let bytes = spec_source::download(&url).map_err(|reason| {
        format!(
            "{unavailable}, and downloading {url} failed: {reason}\n\
             (no network? fetch the file elsewhere and pass its path)"
        )
    })?;
    let text = String::from_utf8(bytes).map_err(|_| format!("{url} is not UTF-8 text"))?;
    let mut version = SpecVersion::of_text(text, short(argument), &lock, &catalog);
    version.commit.get_or_insert_with(|| argument.to_string());
    Ok(version)
}

/// The pinned spec (cache, mirrors, or a download unless `offline`).
fn pinned(
    root: &Path,
    lock: &SpecLock,
    catalog: &Catalog,
    offline: bool,
) -> Result<SpecVersion, String> {
    let mut options = ResolveOptions::from_env();
    options.offline = offline;
    let (_, spec) = realtime_codegen::pinned::resolve(root, &options)?;
    Ok(SpecVersion::of_text(spec.text, "pin", lock, catalog))
}

#[cfg(test)]
mod tests {
    use super::*;

    const README: &str = "\
| file | upstream commit | date | OpenAPI | sha256 |
|---|---|---|---|---|
| openapi.yaml | f85dbe223d40e1a31cba812ab2d755c7e98a92a3 | 2026-08-21 | 3.1.0 | db5d7478feae10b4d331834c60d9765a8aa042e38419f9b1694288c11aa8ebc8 |
| history/openapi-2025-04-29.yaml | 498c71d (beta-only Realtime surface) | 2025-04-29 | 3.0.0 | 6a6c681b182002de4ad335fa80214158f2d8f383a418f865c87876c3ed67cad9 |
";

    #[test]
    fn the_readme_table_gives_file_commit_date_and_sha256() {
        let catalog = Catalog::parse(README);
        assert_eq!(catalog.entries.len(), 2, "{catalog:?}");
        assert_eq!(
            catalog.entries[1],
            Entry {
                file: "history/openapi-2025-04-29.yaml".into(),
                commit: "498c71d".into(),
                date: "2025-04-29".into(),
                sha256: "6a6c681b182002de4ad335fa80214158f2d8f383a418f865c87876c3ed67cad9".into(),
            }
        );
    }

    #[test]
    fn a_commit_is_found_by_an_abbreviation_either_way() {
        let catalog = Catalog::parse(README);
        let find = |commit| catalog.by_commit(commit).map(|e| e.date.as_str());
        assert_eq!(find("f85dbe2"), Some("2026-08-21"));
        assert_eq!(find("498c71d0123456789"), Some("2025-04-29"));
        assert_eq!(find("498c71"), None, "six characters are too few");
        assert_eq!(find("1234567"), None);
    }

    #[test]
    fn only_hexadecimal_ids_of_7_to_40_characters_read_as_commits() {
        assert!(looks_like_commit("5162af9"));
        assert!(looks_like_commit(&"a".repeat(40)));
        assert!(!looks_like_commit("pin"));
        assert!(!looks_like_commit("history/openapi-2026-05-13.yaml"));
        assert!(!looks_like_commit(&"a".repeat(41)));
    }
}
