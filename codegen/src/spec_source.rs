//! Locating the pinned OpenAPI document.
//!
//! The spec (`openapi.yaml`, about 3 MB) is never committed. `spec/lock.json`
//! pins one exact upstream file by commit and SHA-256, and [`resolve`] finds a
//! copy whose hash matches, in this order:
//!
//! 1. an explicit path (`--spec PATH`), optionally accepted with a different
//!    hash (`--allow-unpinned`);
//! 2. the file named by [`SPEC_ENV_VAR`];
//! 3. the cache `spec/cache/openapi-<sha256>.yaml` (a corrupt copy is removed);
//! 4. the mirrors listed in the lock;
//! 5. a download of the lock's `url` with the system `curl` (unless offline).
//!
//! A spec found in steps 4 or 5 is copied into the cache.

use std::ffi::OsString;
use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

/// Name of the environment variable that points at a spec file.
pub const SPEC_ENV_VAR: &str = "REALTIME_OPENAPI_SPEC";
/// Where the lock lives, relative to the workspace root.
pub const LOCK_PATH: &str = "spec/lock.json";
/// Cache folder relative to the workspace root (git-ignored).
pub const CACHE_DIR: &str = "spec/cache";

/// Longest part of `curl`'s error output kept in [`SpecSourceError::DownloadFailed`].
const MAX_CURL_STDERR_CHARS: usize = 500;

/// The pin of the OpenAPI document, as stored in `spec/lock.json`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct SpecLock {
    /// Upstream GitHub repository, e.g. `openai/openai-openapi`.
    pub repository: String,
    /// Upstream commit the file is taken from.
    pub commit: String,
    /// Path of the file inside the upstream repository.
    pub path: String,
    /// Date of the upstream commit (`YYYY-MM-DD`).
    pub date: String,
    /// Download address of the file at that commit.
    pub url: String,
    /// SHA-256 of the file, 64 lowercase hexadecimal digits.
    pub sha256: String,
    /// Local copies to try, relative to the workspace root, in order.
    pub mirrors: Vec<String>,
}

impl SpecLock {
    /// Reads and validates `<workspace_root>/spec/lock.json`.
    ///
    /// # Errors
    ///
    /// [`SpecSourceError::Io`] if the file cannot be read,
    /// [`SpecSourceError::BadLock`] if it is not a valid lock.
    pub fn load(workspace_root: &Path) -> Result<Self, SpecSourceError> {
        let path = workspace_root.join(LOCK_PATH);
        let text = fs::read_to_string(&path).map_err(|source| SpecSourceError::Io {
            path: path.clone(),
            source,
        })?;
        Self::parse(&text).map_err(|error| match error {
            SpecSourceError::BadLock { path: None, reason } => SpecSourceError::BadLock {
                path: Some(path),
                reason,
            },
            other => other,
        })
    }

    /// Parses the JSON text of a lock and checks that `sha256` is 64
    /// lowercase hexadecimal digits.
    ///
    /// # Errors
    ///
    /// [`SpecSourceError::BadLock`] for invalid JSON, missing or unknown
    /// fields, or a malformed `sha256`.
    pub fn parse(text: &str) -> Result<Self, SpecSourceError> {
        let lock: Self = serde_json::from_str(text).map_err(|error| SpecSourceError::BadLock {
            path: None,
            reason: error.to_string(),
        })?;
        lock.validate()?;
        Ok(lock)
    }

    /// Checks the invariants that [`resolve`] relies on.
    fn validate(&self) -> Result<(), SpecSourceError> {
        let is_sha256 = self.sha256.len() == 64
            && self
                .sha256
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if is_sha256 {
            Ok(())
        } else {
            Err(SpecSourceError::BadLock {
                path: None,
                reason: format!(
                    "`sha256` must be 64 lowercase hexadecimal digits, got {:?}",
                    self.sha256
                ),
            })
        }
    }

    /// Path of the cache file for this pin, relative to the workspace root.
    fn cache_relative_path(&self) -> PathBuf {
        cache_relative_path(&self.sha256)
    }

    /// The download address of the file at another upstream `commit`: the
    /// lock's `url` with its commit replaced.
    ///
    /// # Errors
    ///
    /// [`SpecSourceError::BadLock`] when the `url` does not contain the
    /// lock's `commit` (no address pattern to follow), or `commit` is not a
    /// hexadecimal commit id.
    pub fn url_for(&self, commit: &str) -> Result<String, SpecSourceError> {
        if commit.is_empty() || !commit.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(SpecSourceError::BadLock {
                path: None,
                reason: format!("`{commit}` is not a hexadecimal commit id"),
            });
        }
        if self.commit.is_empty() || !self.url.contains(&self.commit) {
            return Err(SpecSourceError::BadLock {
                path: None,
                reason: format!(
                    "the `url` {} does not contain the `commit` {}, so the address of another commit cannot be derived from it",
                    self.url, self.commit
                ),
            });
        }
        Ok(self.url.replace(&self.commit, commit))
    }

    /// The lock as the text of `spec/lock.json` (one field a line, in the
    /// file's order, the mirrors on one line).
    pub fn to_json_text(&self) -> String {
        let string = |value: &str| serde_json::Value::from(value).to_string();
        let mirrors: Vec<String> = self.mirrors.iter().map(|m| string(m)).collect();
        format!(
            "{{\n  \"repository\": {},\n  \"commit\": {},\n  \"path\": {},\n  \"date\": {},\n  \"url\": {},\n  \"sha256\": {},\n  \"mirrors\": [{}]\n}}\n",
            string(&self.repository),
            string(&self.commit),
            string(&self.path),
            string(&self.date),
            string(&self.url),
            string(&self.sha256),
            mirrors.join(", "),
        )
    }
}

/// The cache file of the spec with this sha256, relative to the workspace root.
fn cache_relative_path(sha256: &str) -> PathBuf {
    Path::new(CACHE_DIR).join(format!("openapi-{sha256}.yaml"))
}

/// Stores `text` in the cache of the workspace at `workspace_root`, where
/// [`resolve`] finds it for a lock with its sha256; returns the file.
///
/// # Errors
///
/// [`SpecSourceError::Io`] when the file cannot be written.
pub fn store_in_cache(workspace_root: &Path, text: &str) -> Result<PathBuf, SpecSourceError> {
    let path = workspace_root.join(cache_relative_path(&sha256_hex(text.as_bytes())));
    let io = |source| SpecSourceError::Io {
        path: path.clone(),
        source,
    };
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(io)?;
    }
    let temporary = with_suffix(&path, &format!("tmp-{}", unique_suffix()));
    fs::write(&temporary, text)
        .and_then(|()| fs::rename(&temporary, &path))
        .map_err(|source| {
            let _ = fs::remove_file(&temporary);
            io(source)
        })?;
    Ok(path)
}

/// Where a spec came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpecOrigin {
    /// The path given with `--spec`, as given.
    Explicit(PathBuf),
    /// The path named by [`SPEC_ENV_VAR`], as given.
    Environment(PathBuf),
    /// The cache file, relative to the workspace root.
    Cache(PathBuf),
    /// A mirror, as written in the lock (relative to the workspace root).
    Mirror(PathBuf),
    /// A download from this address.
    Download(String),
}

impl fmt::Display for SpecOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Explicit(path) => write!(f, "--spec {}", path.display()),
            Self::Environment(path) => write!(f, "${SPEC_ENV_VAR} ({})", path.display()),
            Self::Cache(path) => write!(f, "cache {}", path.display()),
            Self::Mirror(path) => write!(f, "mirror {}", path.display()),
            Self::Download(url) => write!(f, "download {url}"),
        }
    }
}

/// What [`resolve`] may use besides the lock.
#[derive(Debug, Clone, Default)]
pub struct ResolveOptions {
    /// `--spec PATH`: use this file and nothing else.
    pub explicit: Option<PathBuf>,
    /// `--allow-unpinned`: accept an `explicit` file whose hash differs from
    /// the lock. Has no effect on any other source.
    pub allow_unpinned: bool,
    /// Value of [`SPEC_ENV_VAR`], if set: use this file and nothing else.
    pub environment: Option<PathBuf>,
    /// Never try to download the spec.
    pub offline: bool,
}

impl ResolveOptions {
    /// Options with `environment` taken from [`SPEC_ENV_VAR`] (an empty value
    /// counts as unset) and everything else at its default.
    pub fn from_env() -> Self {
        Self {
            environment: std::env::var_os(SPEC_ENV_VAR)
                .filter(|value| !value.is_empty())
                .map(PathBuf::from),
            ..Self::default()
        }
    }
}

/// A spec that [`resolve`] found.
#[derive(Debug, Clone)]
pub struct ResolvedSpec {
    /// The document text.
    pub text: String,
    /// SHA-256 of the document, lowercase hexadecimal.
    pub sha256: String,
    /// Where the document came from.
    pub origin: SpecOrigin,
    /// Whether `sha256` equals the lock's hash.
    pub pinned: bool,
}

/// Why the spec or its lock could not be obtained.
#[derive(Debug)]
#[non_exhaustive]
pub enum SpecSourceError {
    /// A file could not be read.
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// The lock is malformed.
    BadLock {
        /// The lock file, when the lock was read from a file.
        path: Option<PathBuf>,
        /// What is wrong with it.
        reason: String,
    },
    /// A spec's hash differs from the lock.
    HashMismatch {
        /// Where the spec came from.
        origin: SpecOrigin,
        /// The hash in the lock.
        expected: String,
        /// The hash of the spec found.
        actual: String,
    },
    /// A spec is not valid UTF-8.
    NotUtf8 {
        /// Where the spec came from.
        origin: SpecOrigin,
    },
    /// No local copy was found and the download failed.
    DownloadFailed {
        /// The address that was tried.
        url: String,
        /// Why it failed (`curl`'s error output, shortened).
        reason: String,
        /// Local files that were looked for and not found.
        tried: Vec<PathBuf>,
        /// Where a manually fetched copy can be put.
        cache: PathBuf,
    },
    /// Offline, and no local copy was found.
    NotFound {
        /// Local files that were looked for and not found.
        tried: Vec<PathBuf>,
        /// Where a manually fetched copy can be put.
        cache: PathBuf,
    },
}

/// Writes `a, b, c` for a list of paths.
fn write_paths(f: &mut fmt::Formatter<'_>, paths: &[PathBuf]) -> fmt::Result {
    if paths.is_empty() {
        return f.write_str("(nothing)");
    }
    for (index, path) in paths.iter().enumerate() {
        if index > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{}", path.display())?;
    }
    Ok(())
}

impl fmt::Display for SpecSourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io { path, source } => write!(f, "cannot read {}: {source}", path.display()),
            Self::BadLock { path, reason } => match path {
                Some(path) => write!(f, "invalid spec lock {}: {reason}", path.display()),
                None => write!(f, "invalid spec lock: {reason}"),
            },
            Self::HashMismatch {
                origin,
                expected,
                actual,
            } => {
                write!(
                    f,
                    "spec from {origin} does not match the pin in {LOCK_PATH}: \
                     expected sha256 {expected}, found {actual}; "
                )?;
                match origin {
                    SpecOrigin::Explicit(_) => f.write_str(
                        "pass --allow-unpinned to generate from a different spec deliberately",
                    ),
                    SpecOrigin::Environment(_) => write!(
                        f,
                        "point {SPEC_ENV_VAR} at the pinned spec or unset it \
                         (use --spec PATH --allow-unpinned to generate from a different spec deliberately)"
                    ),
                    SpecOrigin::Cache(_) => f.write_str("delete the cached copy"),
                    SpecOrigin::Mirror(_) => write!(
                        f,
                        "replace the mirror with the pinned spec, or update the pin in {LOCK_PATH}"
                    ),
                    SpecOrigin::Download(_) => write!(
                        f,
                        "upstream content differs from the pin; check `commit`, `url` and `sha256` in {LOCK_PATH}"
                    ),
                }
            }
            Self::NotUtf8 { origin } => write!(f, "spec from {origin} is not valid UTF-8"),
            Self::DownloadFailed {
                url,
                reason,
                tried,
                cache,
            } => {
                write!(
                    f,
                    "downloading the spec from {url} failed: {reason}; looked for "
                )?;
                write_paths(f, tried)?;
                write!(
                    f,
                    "; no network? put the pinned spec at {} or point {SPEC_ENV_VAR} at a copy",
                    cache.display()
                )
            }
            Self::NotFound { tried, cache } => {
                f.write_str("no copy of the pinned spec found (offline); looked for ")?;
                write_paths(f, tried)?;
                write!(
                    f,
                    "; no network? put the pinned spec at {} or point {SPEC_ENV_VAR} at a copy",
                    cache.display()
                )
            }
        }
    }
}

impl std::error::Error for SpecSourceError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Lowercase hexadecimal SHA-256 of `bytes`.
#[must_use]
pub fn sha256_hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(digest.len() * 2);
    for byte in digest {
        // Writing to a `String` cannot fail.
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// Finds the spec pinned by `lock`; see the [module documentation](self) for
/// the order in which sources are tried.
///
/// Relative paths in `options` are taken relative to the current directory;
/// the cache and the mirrors relative to `workspace_root`.
///
/// # Errors
///
/// [`SpecSourceError::HashMismatch`] when a chosen file (explicit,
/// environment, mirror or download) does not match the lock,
/// [`SpecSourceError::Io`] when it cannot be read,
/// [`SpecSourceError::NotUtf8`] when it is not text,
/// [`SpecSourceError::NotFound`] when offline and no local copy exists,
/// [`SpecSourceError::DownloadFailed`] when the download step fails, and
/// [`SpecSourceError::BadLock`] when `lock.sha256` is malformed.
pub fn resolve(
    workspace_root: &Path,
    lock: &SpecLock,
    options: &ResolveOptions,
) -> Result<ResolvedSpec, SpecSourceError> {
    lock.validate()?;

    // 1. --spec PATH
    if let Some(path) = &options.explicit {
        let origin = SpecOrigin::Explicit(path.clone());
        let bytes = read_bytes(path)?;
        return accept(bytes, origin, lock, options.allow_unpinned);
    }

    // 2. $REALTIME_OPENAPI_SPEC
    if let Some(path) = &options.environment {
        let origin = SpecOrigin::Environment(path.clone());
        let bytes = read_bytes(path)?;
        return accept(bytes, origin, lock, false);
    }

    let mut tried = Vec::new();

    // 3. The cache.
    let cache_relative = lock.cache_relative_path();
    let cache_path = workspace_root.join(&cache_relative);
    match fs::read(&cache_path) {
        Ok(bytes) => {
            if sha256_hex(&bytes) == lock.sha256 {
                return accept(bytes, SpecOrigin::Cache(cache_relative), lock, false);
            }
            // Corrupt or truncated: drop it and fall through.
            let _ = fs::remove_file(&cache_path);
            tried.push(cache_path.clone());
        }
        // Missing or unreadable: a cache never blocks.
        Err(_) => tried.push(cache_path.clone()),
    }

    // 4. Mirrors.
    for mirror in &lock.mirrors {
        let path = workspace_root.join(mirror);
        let bytes = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                tried.push(path);
                continue;
            }
            Err(source) => return Err(SpecSourceError::Io { path, source }),
        };
        let spec = accept(
            bytes,
            SpecOrigin::Mirror(PathBuf::from(mirror)),
            lock,
            false,
        )?;
        write_cache(&cache_path, &spec.text);
        return Ok(spec);
    }

    // 5. Download.
    if options.offline {
        return Err(SpecSourceError::NotFound {
            tried,
            cache: cache_path,
        });
    }
    let bytes = download(&lock.url).map_err(|reason| SpecSourceError::DownloadFailed {
        url: lock.url.clone(),
        reason,
        tried,
        cache: cache_path.clone(),
    })?;
    let spec = accept(bytes, SpecOrigin::Download(lock.url.clone()), lock, false)?;
    write_cache(&cache_path, &spec.text);
    Ok(spec)
}

/// Reads a file that must exist.
fn read_bytes(path: &Path) -> Result<Vec<u8>, SpecSourceError> {
    fs::read(path).map_err(|source| SpecSourceError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Checks the hash of `bytes` against the lock and decodes them as UTF-8.
fn accept(
    bytes: Vec<u8>,
    origin: SpecOrigin,
    lock: &SpecLock,
    allow_unpinned: bool,
) -> Result<ResolvedSpec, SpecSourceError> {
    let sha256 = sha256_hex(&bytes);
    let pinned = sha256 == lock.sha256;
    if !pinned && !allow_unpinned {
        return Err(SpecSourceError::HashMismatch {
            origin,
            expected: lock.sha256.clone(),
            actual: sha256,
        });
    }
    let Ok(text) = String::from_utf8(bytes) else {
        return Err(SpecSourceError::NotUtf8 { origin });
    };
    Ok(ResolvedSpec {
        text,
        sha256,
        origin,
        pinned,
    })
}

/// A name part that no other process or call uses at the same time.
fn unique_suffix() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_nanos());
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{}-{nanos}-{count}", std::process::id())
}

/// `path` with `.<suffix>` appended to its file name.
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path
        .file_name()
        .map_or_else(|| OsString::from("spec"), OsString::from);
    name.push(format!(".{suffix}"));
    path.with_file_name(name)
}

/// Stores `text` at `cache_path` atomically. Failure is ignored: the cache is
/// only an optimisation.
fn write_cache(cache_path: &Path, text: &str) {
    let Some(dir) = cache_path.parent() else {
        return;
    };
    if fs::create_dir_all(dir).is_err() {
        return;
    }
    let temporary = with_suffix(cache_path, &format!("tmp-{}", unique_suffix()));
    let stored = fs::write(&temporary, text).and_then(|()| fs::rename(&temporary, cache_path));
    if stored.is_err() {
        let _ = fs::remove_file(&temporary);
    }
}

/// Downloads `url` with the system `curl` (https only, two minutes at
/// most); the error is a short reason (`curl`'s own message).
pub fn download(url: &str) -> Result<Vec<u8>, String> {
    if !url.starts_with("https://") {
        return Err(format!(
            "refusing to download from a non-https address {url:?}"
        ));
    }
    let temporary = std::env::temp_dir().join(format!("realtime-openapi-{}.yaml", unique_suffix()));
    let output = Command::new("curl")
        .args(["-fsSL", "--max-time", "120", "-o"])
        .arg(&temporary)
        .arg(url)
        .stdin(Stdio::null())
        .output();
    let result = match output {
        Err(error) => Err(format!("cannot run curl: {error}")),
        Ok(output) if !output.status.success() => {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let stderr = stderr.trim();
            let reason = if stderr.is_empty() {
                format!("curl exited with {}", output.status)
            } else {
                stderr.chars().take(MAX_CURL_STDERR_CHARS).collect()
            };
            Err(reason)
        }
        Ok(_) => fs::read(&temporary).map_err(|error| {
            format!(
                "cannot read the downloaded file {}: {error}",
                temporary.display()
            )
        }),
    };
    let _ = fs::remove_file(&temporary);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONTENT: &str = "openapi: 3.1.0\ninfo:\n  title: test\n";
    const OTHER_CONTENT: &str = "openapi: 3.1.0\ninfo:\n  title: other\n";

    /// A fresh directory under the system temp dir, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(label: &str) -> Self {
            let path = std::env::temp_dir().join(format!(
                "realtime-codegen-spec-source-{label}-{}",
                unique_suffix()
            ));
            fs::create_dir_all(&path).expect("create temp dir");
            Self(path)
        }

        fn path(&self) -> &Path {
            &self.0
        }

        /// Writes `content` at `relative` (creating parents) and returns the full path.
        fn write(&self, relative: &str, content: &str) -> PathBuf {
            let path = self.0.join(relative);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).expect("create parent dir");
            }
            fs::write(&path, content).expect("write test file");
            path
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn test_lock() -> SpecLock {
        SpecLock {
            repository: "example/spec".to_owned(),
            commit: "0123456789abcdef0123456789abcdef01234567".to_owned(),
            path: "openapi.yaml".to_owned(),
            date: "2026-01-01".to_owned(),
            url: "https://example.invalid/openapi.yaml".to_owned(),
            sha256: sha256_hex(CONTENT.as_bytes()),
            mirrors: vec!["mirror/openapi.yaml".to_owned()],
        }
    }

    fn offline() -> ResolveOptions {
        ResolveOptions {
            offline: true,
            ..ResolveOptions::default()
        }
    }

    fn cache_file(root: &Path, lock: &SpecLock) -> PathBuf {
        root.join(CACHE_DIR)
            .join(format!("openapi-{}.yaml", lock.sha256))
    }

    fn lock_json(sha256: &str, extra: &str) -> String {
        format!(
            r#"{{"repository":"openai/openai-openapi","commit":"abc","path":"openapi.yaml",
                "date":"2026-08-21","url":"https://example.invalid/openapi.yaml",
                "sha256":"{sha256}","mirrors":["../shared/spec/openapi.yaml"]{extra}}}"#
        )
    }

    #[test]
    fn lock_with_all_fields_parses() {
        let sha = "a".repeat(64);
        let lock = SpecLock::parse(&lock_json(&sha, "")).expect("valid lock");
        assert_eq!(lock.repository, "openai/openai-openapi");
        assert_eq!(lock.sha256, sha);
        assert_eq!(lock.mirrors, vec!["../shared/spec/openapi.yaml".to_owned()]);
    }

    #[test]
    fn lock_with_uppercase_or_short_hash_is_rejected() {
        for sha in ["A".repeat(64), "a".repeat(63), "g".repeat(64)] {
            let error = SpecLock::parse(&lock_json(&sha, "")).expect_err("bad hash");
            assert!(
                matches!(&error, SpecSourceError::BadLock { reason, .. } if reason.contains("sha256")),
                "{error}"
            );
        }
    }

    #[test]
    fn lock_with_unknown_field_is_rejected() {
        let error = SpecLock::parse(&lock_json(&"a".repeat(64), r#","branch":"main""#))
            .expect_err("unknown field");
        assert!(
            matches!(&error, SpecSourceError::BadLock { reason, .. } if reason.contains("branch")),
            "{error}"
        );
    }

    #[test]
    fn the_address_of_another_commit_follows_the_lock_pattern() {
        let lock = test_lock();
        let lock = SpecLock {
            url: format!("https://example.invalid/{}/openapi.yaml", lock.commit),
            ..lock
        };
        assert_eq!(
            lock.url_for("abc1234").expect("a pattern"),
            "https://example.invalid/abc1234/openapi.yaml"
        );
        assert!(lock.url_for("not a commit").is_err());
        let without_commit = SpecLock {
            url: "https://example.invalid/openapi.yaml".into(),
            ..lock
        };
        let error = without_commit.url_for("abc1234").expect_err("no pattern");
        assert!(error.to_string().contains("does not contain"), "{error}");
    }

    #[test]
    fn a_lock_written_as_text_reads_back_the_same() {
        let lock = test_lock();
        let text = lock.to_json_text();
        assert_eq!(SpecLock::parse(&text).expect("valid lock"), lock);
        assert!(text.ends_with("\n}\n"), "{text}");
    }

    #[test]
    fn the_workspace_lock_is_written_in_its_own_format() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let text = fs::read_to_string(root.join(LOCK_PATH)).expect("spec/lock.json");
        let lock = SpecLock::parse(&text).expect("valid lock");
        assert_eq!(lock.to_json_text(), text.replace("\r\n", "\n"));
    }

    #[test]
    fn a_stored_spec_is_found_in_the_cache_by_its_lock() {
        let dir = TempDir::new("store");
        let path = store_in_cache(dir.path(), CONTENT).expect("stored");
        assert_eq!(path, cache_file(dir.path(), &test_lock()));
        let spec = resolve(dir.path(), &test_lock(), &offline()).expect("resolves");
        assert!(
            matches!(spec.origin, SpecOrigin::Cache(_)),
            "{:?}",
            spec.origin
        );
    }

    #[test]
    fn sha256_hex_of_abc_is_the_standard_test_vector() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn explicit_path_with_matching_hash_is_used() {
        let dir = TempDir::new("explicit-ok");
        let path = dir.write("given.yaml", CONTENT);
        let options = ResolveOptions {
            explicit: Some(path.clone()),
            ..offline()
        };
        let spec = resolve(dir.path(), &test_lock(), &options).expect("resolves");
        assert_eq!(spec.text, CONTENT);
        assert_eq!(spec.origin, SpecOrigin::Explicit(path));
        assert!(spec.pinned);
    }

    #[test]
    fn explicit_path_with_other_hash_is_an_error_naming_both_hashes() {
        let dir = TempDir::new("explicit-mismatch");
        let path = dir.write("given.yaml", OTHER_CONTENT);
        let lock = test_lock();
        let options = ResolveOptions {
            explicit: Some(path),
            ..offline()
        };
        let error = resolve(dir.path(), &lock, &options).expect_err("mismatch");
        assert!(
            matches!(error, SpecSourceError::HashMismatch { .. }),
            "{error:?}"
        );
        let message = error.to_string();
        assert!(message.contains(&lock.sha256), "{message}");
        assert!(
            message.contains(&sha256_hex(OTHER_CONTENT.as_bytes())),
            "{message}"
        );
        assert!(message.contains("--allow-unpinned"), "{message}");
    }

    #[test]
    fn explicit_path_with_other_hash_is_accepted_as_unpinned_when_allowed() {
        let dir = TempDir::new("explicit-unpinned");
        let path = dir.write("given.yaml", OTHER_CONTENT);
        let options = ResolveOptions {
            explicit: Some(path),
            allow_unpinned: true,
            ..offline()
        };
        let spec = resolve(dir.path(), &test_lock(), &options).expect("accepted");
        assert_eq!(spec.text, OTHER_CONTENT);
        assert_eq!(spec.sha256, sha256_hex(OTHER_CONTENT.as_bytes()));
        assert!(!spec.pinned);
    }

    #[test]
    fn environment_path_with_other_hash_is_an_error_even_with_allow_unpinned() {
        let dir = TempDir::new("env-mismatch");
        let path = dir.write("env.yaml", OTHER_CONTENT);
        // A valid mirror exists, but a set variable must not fall through to it.
        dir.write("mirror/openapi.yaml", CONTENT);
        let options = ResolveOptions {
            environment: Some(path.clone()),
            allow_unpinned: true,
            ..offline()
        };
        let error = resolve(dir.path(), &test_lock(), &options).expect_err("mismatch");
        assert!(
            matches!(
                &error,
                SpecSourceError::HashMismatch { origin: SpecOrigin::Environment(p), .. } if *p == path
            ),
            "{error:?}"
        );
    }

    #[test]
    fn cached_copy_with_matching_hash_is_used() {
        let dir = TempDir::new("cache-hit");
        let lock = test_lock();
        let cache = cache_file(dir.path(), &lock);
        dir.write(
            &format!("{CACHE_DIR}/openapi-{}.yaml", lock.sha256),
            CONTENT,
        );
        let spec = resolve(dir.path(), &lock, &offline()).expect("resolves");
        assert_eq!(spec.text, CONTENT);
        assert!(
            matches!(spec.origin, SpecOrigin::Cache(_)),
            "{:?}",
            spec.origin
        );
        assert!(spec.pinned);
        assert!(cache.exists());
    }

    #[test]
    fn corrupt_cached_copy_is_removed_and_the_mirror_is_used() {
        let dir = TempDir::new("cache-corrupt");
        let lock = test_lock();
        let cache = cache_file(dir.path(), &lock);
        dir.write(
            &format!("{CACHE_DIR}/openapi-{}.yaml", lock.sha256),
            "truncated",
        );
        dir.write("mirror/openapi.yaml", CONTENT);
        let spec = resolve(dir.path(), &lock, &offline()).expect("resolves");
        assert_eq!(
            spec.origin,
            SpecOrigin::Mirror(PathBuf::from("mirror/openapi.yaml"))
        );
        // The corrupt copy was replaced by the good one.
        assert_eq!(
            fs::read_to_string(&cache).expect("cache rewritten"),
            CONTENT
        );
    }

    #[test]
    fn spec_found_in_a_mirror_is_written_to_the_cache() {
        let dir = TempDir::new("mirror-hit");
        let lock = SpecLock {
            mirrors: vec![
                "missing/openapi.yaml".to_owned(),
                "mirror/openapi.yaml".to_owned(),
            ],
            ..test_lock()
        };
        dir.write("mirror/openapi.yaml", CONTENT);
        let spec = resolve(dir.path(), &lock, &offline()).expect("resolves");
        assert_eq!(spec.text, CONTENT);
        assert!(spec.pinned);
        let cache = cache_file(dir.path(), &lock);
        assert_eq!(fs::read_to_string(&cache).expect("cache written"), CONTENT);
        // Only the cache file is left in the cache folder (no temporary files).
        let entries = fs::read_dir(dir.path().join(CACHE_DIR))
            .expect("cache dir")
            .count();
        assert_eq!(entries, 1);
    }

    #[test]
    fn mirror_with_other_hash_is_an_error() {
        let dir = TempDir::new("mirror-mismatch");
        let lock = test_lock();
        dir.write("mirror/openapi.yaml", OTHER_CONTENT);
        let error = resolve(dir.path(), &lock, &offline()).expect_err("mismatch");
        assert!(
            matches!(
                &error,
                SpecSourceError::HashMismatch { origin: SpecOrigin::Mirror(_), expected, actual }
                    if *expected == lock.sha256 && *actual == sha256_hex(OTHER_CONTENT.as_bytes())
            ),
            "{error:?}"
        );
        assert!(!cache_file(dir.path(), &lock).exists());
    }

    #[test]
    fn nothing_found_offline_is_not_found_listing_the_tried_paths() {
        let dir = TempDir::new("not-found");
        let lock = test_lock();
        let error = resolve(dir.path(), &lock, &offline()).expect_err("nothing there");
        let cache = cache_file(dir.path(), &lock);
        let mirror = dir.path().join("mirror/openapi.yaml");
        match &error {
            SpecSourceError::NotFound { tried, .. } => {
                assert_eq!(tried, &vec![cache.clone(), mirror.clone()]);
            }
            other => panic!("expected NotFound, got {other:?}"),
        }
        let message = error.to_string();
        assert!(message.contains(&mirror.display().to_string()), "{message}");
        assert!(message.contains(SPEC_ENV_VAR), "{message}");
    }

    #[test]
    fn pinned_spec_resolves_from_shared_mirror() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let lock = SpecLock::load(&root).expect("spec/lock.json loads");
        let spec = resolve(&root, &lock, &offline()).expect("pinned spec is available offline");
        assert!(spec.pinned);
        assert_eq!(spec.sha256, lock.sha256);
        assert!(
            matches!(spec.origin, SpecOrigin::Cache(_) | SpecOrigin::Mirror(_)),
            "{}",
            spec.origin
        );
        assert!(
            spec.text.starts_with("openapi: 3.1"),
            "unexpected start of spec"
        );
    }
}
