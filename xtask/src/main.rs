//! `cargo xtask`: project automation.
//!
//! ```text
//! cargo xtask codegen [--check] [--spec PATH [--allow-unpinned]] [--offline] [--timings]
//! cargo xtask corrections [--check]
//! cargo xtask check-history
//! cargo xtask spec diff OLD NEW [--json] [--offline]
//! cargo xtask spec update (--commit SHA | --file PATH) [--date YYYY-MM-DD] [--offline]
//! ```
//!
//! `spec diff` prints what changed for users of the generated types between
//! two spec versions (the generator's change report, `realtime_codegen::diff`);
//! `spec update` moves the pin and records that report in
//! `realtime-types/CHANGELOG.md`. See `cargo xtask help`.

mod codegen;
mod corrections;
mod history;
mod spec;
mod workspace;

use std::process::ExitCode;

const USAGE_HEAD: &str = "\
usage:
  cargo xtask codegen [--check] [--spec PATH [--allow-unpinned]] [--offline] [--timings]
      Regenerate realtime-types/src/generated from the pinned OpenAPI spec.
      --check           write nothing; fail if the committed files are stale
      --spec PATH       read this spec file (its sha256 must match spec/lock.json)
      --allow-unpinned  accept a --spec file with another sha256 (recorded in the header)
      --offline         never try to download the spec
      --timings         print how long parsing, modelling and emitting took
  cargo xtask corrections [--check]
      Derive spec/corrections.derived.yaml from ../shared/spec/history with the
      history rule (a property a server event requires today, which an earlier
      version of the event lacked, is optional on decode).
      --check           write nothing; fail if the committed file is stale
  cargo xtask check-history
      Generate each spec in ../shared/spec/history and the pinned spec into a
      temporary crate, `cargo test` it and round-trip that version's examples;
      check the evidence of the corrections and the derived corrections.
{SPEC}";

/// The whole usage text.
fn usage() -> String {
    USAGE_HEAD.replace("{SPEC}", spec::USAGE)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("codegen") => codegen::Args::parse(&args[1..]).and_then(|a| codegen::run(&a)),
        Some("check-history") if args.len() == 1 => history::run(),
        Some("spec") => spec::run(&args[1..]).map_err(|e| {
            if e.starts_with("usage:") {
                format!("{e}\n\n{}", usage())
            } else {
                e
            }
        }),
        Some("corrections") => match &args[1..] {
            [] => corrections::run(false),
            [flag] if flag == "--check" => corrections::run(true),
            _ => Err(format!(
                "usage: cargo xtask corrections [--check]\n{}",
                usage()
            )),
        },
        Some("help" | "--help" | "-h") => {
            println!("{}", usage());
            Ok(())
        }
        _ => Err(format!("unknown command\n{}", usage())),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
