//! `cargo xtask spec update`: move the pin to another spec version.
//!
//! Everything is checked before anything is written: the new spec parses
//! and models; every correction (with the derived ones the history rule
//! gives for it) and every rename still applies, else they are listed and
//! nothing is written. Then the spec goes into the cache (where the lock
//! finds it), `spec/corrections.derived.yaml` and `spec/lock.json` are
//! written, the crate is regenerated as `cargo xtask codegen` does, and the
//! change report from the old pin is printed and added to the CHANGELOG.
//! Known example defects that no version shows any more are listed (they
//! make `cargo xtask check-history` fail until removed).

use std::path::{Path, PathBuf};

use realtime_codegen::corrections::{CORRECTION_FILES, Overlay};
use realtime_codegen::diff::{self, Report, render};
use realtime_codegen::examples::KnownDefects;
use realtime_codegen::spec_source::{self, SpecLock};
use realtime_codegen::{Options, load};

use super::catalog::{self, Catalog, SpecVersion, short};
use super::changelog;
use crate::history::{self, Version};
use crate::{codegen, workspace};

/// Command-line options of `cargo xtask spec update`.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Args {
    commit: Option<String>,
    file: Option<PathBuf>,
    date: Option<String>,
    offline: bool,
}

impl Args {
    /// Parses the arguments after `spec update`.
    pub fn parse(args: &[String]) -> Result<Self, String> {
        let mut parsed = Args::default();
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--commit" => parsed.commit = Some(super::value("--commit", &mut args)?),
                "--file" => parsed.file = Some(super::path_value("--file", &mut args)?),
                "--date" => parsed.date = Some(super::value("--date", &mut args)?),
                "--offline" => parsed.offline = true,
                other => {
                    return Err(format!(
                        "unknown argument `{other}` (see `cargo xtask help`)"
                    ));
                }
            }
        }
        if parsed.commit.is_none() && parsed.file.is_none() {
            return Err("spec update needs --commit SHA, --file PATH, or both".into());
        }
        if let Some(commit) = &parsed.commit
            && (!(7..=40).contains(&commit.len()) || !commit.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            return Err(format!(
                "--commit takes a commit id (7 to 40 hexadecimal digits), not {commit:?}"
            ));
        }
        Ok(parsed)
    }
}

/// Runs the command in the workspace at `root`.
pub fn run(root: &Path, args: &Args) -> Result<(), String> {
    let Some(plan) = prepare(root, args)? else {
        return Ok(());
    };
    apply(root, &plan)
}

/// Everything the update writes, checked.
struct Plan {
    lock: SpecLock,
    new: SpecVersion,
    derived: String,
    report: Report,
    /// Known example defects no version shows any more.
    stale_defects: Vec<String>,
    /// Known example defects the old pin shows and the new one does not.
    fixed_defects: Vec<String>,
}

/// Checks the new version; `None` when it is the pinned one already.
fn prepare(root: &Path, args: &Args) -> Result<Option<Plan>, String> {
    let lock = SpecLock::load(root).map_err(|e| e.to_string())?;
    let catalog = Catalog::read(root)?;
    let new = new_version(&lock, &catalog, args)?;
    if new.is_pinned(&lock) {
        println!(
            "{} is the pinned spec already (sha256 {}): nothing to do",
            new.label, new.sha256
        );
        return Ok(None);
    }
    let old = catalog::locate(root, "pin", args.offline)
        .map_err(|e| format!("the pinned spec is needed for the change report: {e}"))?;
    if let (Some(then), Some(now)) = (&old.date, &new.date)
        && now < then
    {
        eprintln!(
            "note: the new spec ({now}) is older than the current pin ({then}): the report shows what reverting loses"
        );
    }
    let nothing = "nothing was written";
    let document = load::parse_yaml(&new.text)
        .map_err(|e| format!("the new spec {}: {e}; {nothing}", new.label))?;
    let history = history::history_versions(root)?;
    let mut options = Options::of_workspace(root, false).map_err(|e| e.to_string())?;
    options
        .corrections
        .overlays
        .retain(|o| o.file == CORRECTION_FILES[0]);
    // The hand-written corrections first: the history rule is derived from
    // the spec they correct.
    check_fit(&options, &document, &new)?;
    let derived = derived_corrections(root, &history, &new)?;
    options
        .corrections
        .overlays
        .push(Overlay::parse(&derived, CORRECTION_FILES[1]).map_err(|e| e.to_string())?);
    check_fit(&options, &document, &new)?;
    options.strict_corrections = true;
    let model = realtime_codegen::model(document.clone(), &options).map_err(|e| {
        format!(
            "the new spec {} does not generate: {e}; {nothing}",
            new.label
        )
    })?;
    let old_model = super::model(root, &old, false)?;
    let version = workspace::types_crate_version(root)?;
    let report = diff::compare(
        (&old.label, &old_model.space),
        (&new.label, &model.space),
        &version,
    )
    .map_err(|e| e.to_string())?;
    let (stale_defects, fixed_defects) = defects(root, &history, &old, &document)?;
    Ok(Some(Plan {
        lock,
        new,
        derived,
        report,
        stale_defects,
        fixed_defects,
    }))
}

/// The new spec: the file, or the commit's file downloaded; named by the
/// commit given, or the one the catalog lists for its sha256.
fn new_version(lock: &SpecLock, catalog: &Catalog, args: &Args) -> Result<SpecVersion, String> {
    let text = match (&args.file, &args.commit) {
        (Some(file), _) => std::fs::read_to_string(file)
            .map_err(|e| format!("cannot read {}: {e}", file.display()))?,
        (None, Some(commit)) => download(lock, commit, args.offline)?,
        (None, None) => return Err("spec update needs --commit SHA or --file PATH".into()),
    };
    let fallback = args
        .file
        .as_ref()
        .map_or_else(|| "the new spec".to_string(), |f| f.display().to_string());
    let mut new = SpecVersion::of_text(text, &fallback, lock, catalog);
    if let (Some(given), Some(listed)) = (&args.commit, &new.commit)
        && !catalog::same_commit(given, listed)
    {
        eprintln!(
            "note: ../shared/spec/README.md lists this file (sha256 {}) as commit {listed}, not {given}; the lock records {given}",
            new.sha256
        );
    }
    if let Some(commit) = &args.commit {
        new.commit = Some(commit.clone());
    }
    if let Some(date) = &args.date {
        new.date = Some(date.clone());
    }
    if new.commit.is_none() {
        eprintln!(
            "note: no --commit given and ../shared/spec/README.md does not list this file's sha256: the lock records the commit `unknown` (pass --commit SHA to say where it comes from)"
        );
    }
    let commit = new.commit.as_deref().unwrap_or("unknown");
    new.label = format!(
        "{} ({})",
        short(commit),
        new.date.as_deref().unwrap_or("date unknown")
    );
    Ok(new)
}

fn download(lock: &SpecLock, commit: &str, offline: bool) -> Result<String, String> {
    let url = lock.url_for(commit).map_err(|e| e.to_string())?;
    if offline {
        return Err(format!(
            "--offline: cannot download {url}; fetch it elsewhere and pass it with --file PATH (with --commit {commit})"
        ));
    }
    let bytes = spec_source::download(&url).map_err(|reason| {
        format!(
            "downloading the spec of commit {commit} from {url} failed: {reason}\n\
             No network? Fetch the file elsewhere and run \
             `cargo xtask spec update --commit {commit} --file PATH`; nothing was written"
        )
    })?;
    String::from_utf8(bytes).map_err(|_| format!("{url} is not UTF-8 text"))
}

/// `spec/corrections.derived.yaml` as the history rule gives it for `new`.
fn derived_corrections(
    root: &Path,
    history: &[Version],
    new: &SpecVersion,
) -> Result<String, String> {
    let mut versions: Vec<Version> = history
        .iter()
        .map(|v| Version {
            name: v.name.clone(),
            text: v.text.clone(),
            pinned: false,
        })
        .collect();
    versions.push(Version {
        name: "pinned".into(),
        text: new.text.clone(),
        pinned: true,
    });
    crate::corrections::derived_text(root, &versions)
}

/// Fails, listing them all, when corrections or renames of `options`
/// would stop the strict generation of `document` (corrections that do not
/// apply, renames that name no type), or when it does not model at all.
fn check_fit(
    options: &Options,
    document: &serde_json::Value,
    new: &SpecVersion,
) -> Result<(), String> {
    let nothing = "nothing was written";
    let lenient = realtime_codegen::model(document.clone(), options)
        .map_err(|e| format!("the new spec {} does not model: {e}; {nothing}", new.label))?;
    let mut misfits = options
        .corrections
        .misfits(document)
        .map_err(|e| e.to_string())?;
    misfits.extend(options.renames.unused(&lenient.spec_names));
    if misfits.is_empty() {
        return Ok(());
    }
    Err(format!(
        "{} correction(s) or rename(s) do not apply to {} (each would stop generation); {nothing}:\n  - {}\n\
         Review each (remove it, or change its target or evidence), then run the update again.",
        misfits.len(),
        new.label,
        misfits.join("\n  - ")
    ))
}

/// The known example defects no version (the history and the new pin)
/// shows any more, and those the old pin shows and the new one does not.
fn defects(
    root: &Path,
    history: &[Version],
    old: &SpecVersion,
    new: &serde_json::Value,
) -> Result<(Vec<String>, Vec<String>), String> {
    let known = KnownDefects::read(root)?;
    let mut shown_somewhere = known.shown_in(new);
    for version in history {
        let document =
            load::parse_yaml(&version.text).map_err(|e| format!("{}: {e}", version.name))?;
        for (seen, shown) in shown_somewhere.iter_mut().zip(known.shown_in(&document)) {
            *seen |= shown;
        }
    }
    let old_document = load::parse_yaml(&old.text).map_err(|e| format!("{}: {e}", old.label))?;
    let by_old = known.shown_in(&old_document);
    let by_new = known.shown_in(new);
    let describe = |i: usize| {
        let defect = &known.defects[i];
        format!("{}: {}", defect.schema, defect.defect)
    };
    let stale = (0..known.defects.len())
        .filter(|&i| !shown_somewhere[i])
        .map(describe)
        .collect();
    let fixed = (0..known.defects.len())
        .filter(|&i| by_old[i] && !by_new[i])
        .map(describe)
        .collect();
    Ok((stale, fixed))
}

/// Writes what `prepare` checked and regenerates.
fn apply(root: &Path, plan: &Plan) -> Result<(), String> {
    let cache = spec_source::store_in_cache(root, &plan.new.text).map_err(|e| e.to_string())?;
    let derived_path = root.join(CORRECTION_FILES[1]);
    let committed = std::fs::read_to_string(&derived_path).unwrap_or_default();
    if committed.replace("\r\n", "\n") != plan.derived {
        write(&derived_path, &plan.derived)?;
        println!(
            "wrote {} (the history rule for the new pin)",
            CORRECTION_FILES[1]
        );
    }
    let commit = plan.new.commit.clone().unwrap_or_else(|| "unknown".into());
    let lock = SpecLock {
        url: plan
            .lock
            .url_for(&commit)
            .unwrap_or_else(|_| "unknown".into()),
        commit,
        date: plan.new.date.clone().unwrap_or_else(|| "unknown".into()),
        sha256: plan.new.sha256.clone(),
        ..plan.lock.clone()
    };
    write(&root.join(spec_source::LOCK_PATH), &lock.to_json_text())?;
    println!(
        "pinned {} (sha256 {}); the spec is cached at {}",
        plan.new.label,
        plan.new.sha256,
        cache.display()
    );
    codegen::run_in(root, &codegen::Args::default()).map_err(|e| {
        format!(
            "{} was updated, but regenerating failed: {e}",
            spec_source::LOCK_PATH
        )
    })?;
    let changelog_path = root.join(changelog::PATH);
    let text = std::fs::read_to_string(&changelog_path)
        .map_err(|e| format!("cannot read {}: {e}", changelog_path.display()))?;
    let section = render::to_markdown(&plan.report, 3);
    write(
        &changelog_path,
        &changelog::add_to_unreleased(&text, &section)?,
    )?;
    println!("\n{}", render::to_markdown(&plan.report, 2));
    println!("added the report to {}", changelog::PATH);
    if !plan.fixed_defects.is_empty() {
        println!(
            "known example defects fixed upstream in the new pin:\n  - {}",
            plan.fixed_defects.join("\n  - ")
        );
    }
    if !plan.stale_defects.is_empty() {
        println!(
            "known example defects no spec version shows any more (remove them from {}, or `cargo xtask check-history` fails):\n  - {}",
            KnownDefects::PATH,
            plan.stale_defects.join("\n  - ")
        );
    }
    println!(
        "next: put the old pin into ../shared/spec/history (the history rule and check-history cover it then), \
         replace the mirrors {:?} for other checkouts, run `cargo xtask check-history`, and commit",
        plan.lock.mirrors
    );
    Ok(())
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A copy of the parts of this workspace that `spec update` reads and
    /// writes, in a temporary folder beside a link to `../shared` (so that
    /// `../shared` works there too), pinned at `pin` (a file of
    /// `../shared/spec`). Removed on drop.
    struct Workspace {
        base: PathBuf,
        root: PathBuf,
    }

    impl Workspace {
        fn pinned_at(pin: &str, commit: &str, date: &str) -> Self {
            let real = workspace::root();
            let shared = real.join("../shared");
            assert!(
                shared.join("spec/history").is_dir(),
                "this test needs ../shared/spec (with its history) beside the repository: {} is missing",
                shared.join("spec/history").display()
            );
            static COUNT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
            let base = std::env::temp_dir().join(format!(
                "xtask-spec-update-{}-{}",
                std::process::id(),
                COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            ));
            let _ = std::fs::remove_dir_all(&base);
            let root = base.join("ws");
            std::fs::create_dir_all(&root).expect("temporary workspace");
            std::os::unix::fs::symlink(
                shared.canonicalize().expect("../shared resolves"),
                base.join("shared"),
            )
            .expect("link to ../shared");
            for file in [
                "spec/corrections.yaml",
                "spec/corrections.derived.yaml",
                "spec/names.yaml",
                "realtime-types/Cargo.toml",
                "realtime-types/CHANGELOG.md",
                "realtime-types/src/lib.rs",
                KnownDefects::PATH,
            ] {
                let to = root.join(file);
                std::fs::create_dir_all(to.parent().expect("a folder")).expect("folder");
                std::fs::copy(real.join(file), &to).unwrap_or_else(|e| panic!("{file}: {e}"));
            }
            let text = std::fs::read(root.join("../shared/spec").join(pin)).expect("the old pin");
            let real_lock = SpecLock::load(&real).expect("the lock");
            let lock = SpecLock {
                commit: commit.into(),
                date: date.into(),
                url: real_lock.url.replace(&real_lock.commit, commit),
                sha256: spec_source::sha256_hex(&text),
                mirrors: vec![format!("../shared/spec/{pin}")],
                ..real_lock
            };
            std::fs::write(root.join(spec_source::LOCK_PATH), lock.to_json_text()).expect("lock");
            Workspace { base, root }
        }

        fn read(&self, file: &str) -> String {
            std::fs::read_to_string(self.root.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
        }
    }

    impl Drop for Workspace {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.base);
        }
    }

    fn file_args(file: &Path) -> Args {
        Args {
            file: Some(file.to_path_buf()),
            offline: true,
            ..Args::default()
        }
    }

    #[test]
    fn updating_from_2026_05_13_to_the_pin_offline_reproduces_the_committed_state() {
        let workspace = Workspace::pinned_at(
            "history/openapi-2026-05-13.yaml",
            "5162af98d3147432c14680df789e8e12d4891e6b",
            "2026-05-13",
        );
        let new = workspace.root.join("../shared/spec/openapi.yaml");
        run(&workspace.root, &file_args(&new)).unwrap_or_else(|e| panic!("{e}"));

        // The lock is the committed one: commit and date from
        // ../shared/spec/README.md (by the file's sha256), the address by
        // the lock's pattern; the mirrors are the workspace's own.
        let real = workspace::root();
        let committed = SpecLock::load(&real).expect("the lock");
        let written = SpecLock::load(&workspace.root).expect("the written lock");
        assert_eq!(
            written,
            SpecLock {
                mirrors: vec!["../shared/spec/history/openapi-2026-05-13.yaml".into()],
                ..committed
            }
        );
        // Regenerated as `cargo xtask codegen` does: the committed files.
        let generated = workspace::rust_files(&workspace::generated_dir(&real)).expect("files");
        assert!(!generated.is_empty());
        for file in generated {
            let path = format!("realtime-types/src/generated/{file}");
            let expected = std::fs::read_to_string(real.join(&path)).expect("committed file");
            assert!(workspace.read(&path) == expected, "{path} differs");
        }
        assert_eq!(
            workspace.read(CORRECTION_FILES[1]),
            std::fs::read_to_string(real.join(CORRECTION_FILES[1])).expect("derived")
        );
        // The report is in the CHANGELOG, first under Unreleased.
        let changelog = workspace.read(changelog::PATH);
        let section = "## Unreleased\n\n### Spec 5162af9 (2026-05-13) → f85dbe2 (2026-08-21)\n";
        assert!(changelog.contains(section), "{changelog}");
        assert!(
            changelog.contains("- `ga::McpTool`: field `tunnel_id` added (optional)"),
            "{changelog}"
        );
        assert!(changelog.contains("Version bump: **patch**"), "{changelog}");
    }

    #[test]
    fn a_spec_the_corrections_do_not_fit_is_refused_with_the_list_and_nothing_written() {
        let workspace = Workspace::pinned_at(
            "openapi.yaml",
            "f85dbe223d40e1a31cba812ab2d755c7e98a92a3",
            "2026-08-21",
        );
        let lock_before = workspace.read(spec_source::LOCK_PATH);
        let old = workspace
            .root
            .join("../shared/spec/history/openapi-2025-04-29.yaml");
        let error = run(&workspace.root, &file_args(&old)).expect_err("does not fit");
        assert!(error.contains("nothing was written"), "{error}");
        assert!(
            error.contains("\n  - spec/corrections.yaml#"),
            "one correction a line: {error}"
        );
        assert!(error.contains("names no type"), "the renames too: {error}");
        assert_eq!(workspace.read(spec_source::LOCK_PATH), lock_before);
        let sha256 = spec_source::sha256_hex(&std::fs::read(&old).expect("the spec"));
        let cached = workspace
            .root
            .join(spec_source::CACHE_DIR)
            .join(format!("openapi-{sha256}.yaml"));
        assert!(!cached.exists(), "{} was written", cached.display());
    }

    #[test]
    fn the_pinned_spec_again_is_nothing_to_do() {
        let workspace = Workspace::pinned_at(
            "openapi.yaml",
            "f85dbe223d40e1a31cba812ab2d755c7e98a92a3",
            "2026-08-21",
        );
        let same = workspace.root.join("../shared/spec/openapi.yaml");
        run(&workspace.root, &file_args(&same)).unwrap_or_else(|e| panic!("{e}"));
        assert!(!workspace.root.join(spec_source::CACHE_DIR).exists());
    }

    #[test]
    fn a_commit_without_a_file_offline_says_how_to_proceed() {
        let lock = SpecLock::load(&workspace::root()).expect("the lock");
        let error = download(&lock, "1234567", true).expect_err("offline");
        assert!(error.contains("--file PATH"), "{error}");
        assert!(error.contains("1234567/openapi.yaml"), "{error}");
    }

    #[test]
    fn arguments_parse() {
        let parse =
            |list: &[&str]| Args::parse(&list.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        let args = parse(&[
            "--commit",
            "abc1234",
            "--file",
            "x.yaml",
            "--date",
            "2026-09-01",
        ])
        .unwrap();
        assert_eq!(args.commit.as_deref(), Some("abc1234"));
        assert_eq!(args.file, Some(PathBuf::from("x.yaml")));
        assert_eq!(args.date.as_deref(), Some("2026-09-01"));
        assert!(parse(&[]).unwrap_err().contains("--commit"));
        assert!(
            parse(&["--commit", "main"])
                .unwrap_err()
                .contains("hexadecimal")
        );
        assert!(parse(&["--file"]).unwrap_err().contains("needs a value"));
        assert!(parse(&["--bogus"]).is_err());
    }
}
