#!/usr/bin/env bash
# Fresh build times of the SDK crates, next to async-openai with only its
# `realtime-types` feature, built the same way on the same machine:
# interleaved rounds, each build in an empty target directory
# (CARGO_INCREMENTAL=0, --offline after one fetch), wall and CPU time from
# /usr/bin/time. Writes one CSV row per build to $OUT (default
# target/build-times.csv). BENCHMARKS.md has the figures and how to read them.
#
# Usage: realtime-bench/build_times.sh [BASELINE_COMMIT] [ROUNDS]
#   BASELINE_COMMIT: an earlier commit of this repository built the same way
#   (default: none); ROUNDS: default 3.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
baseline=${1:-}
rounds=${2:-3}
work=${WORK:-/tmp/realtime-build-times}
out=${OUT:-$root/target/build-times.csv}
mkdir -p "$work" "$(dirname "$out")"

# async-openai 0.43 with only `realtime-types`: a crate that depends on it.
probe=$work/async-openai-probe
mkdir -p "$probe/src"
cat > "$probe/Cargo.toml" <<'TOML'
[package]
name = "async-openai-probe"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
async-openai = { version = "=0.43.0", default-features = false, features = ["realtime-types"] }

[workspace]
TOML
: > "$probe/src/lib.rs"
(cd "$probe" && cargo fetch --quiet)
(cd "$root" && cargo fetch --quiet)
if [ -n "$baseline" ]; then
    rm -rf "$work/baseline"
    git -C "$root" worktree add --force --detach "$work/baseline" "$baseline" >/dev/null
    (cd "$work/baseline" && cargo fetch --quiet)
fi

echo "round,config,profile,wall_s,user_s,sys_s,status" > "$out"
build() { # round config profile manifest_dir cargo-args...
    local round=$1 config=$2 profile=$3 dir=$4
    shift 4
    local target=$work/target-$config flag=""
    [ "$profile" = release ] && flag="--release"
    rm -rf "$target"
    local status=0
    /usr/bin/time -f "%e %U %S" -o "$work/time.txt" \
        env CARGO_TARGET_DIR="$target" CARGO_INCREMENTAL=0 \
        cargo build --offline --quiet $flag --manifest-path "$dir/Cargo.toml" "$@" \
        > "$work/last-build.log" 2>&1 || status=$?
    read -r wall user sys < "$work/time.txt"
    echo "$round,$config,$profile,$wall,$user,$sys,$status" | tee -a "$out"
    rm -rf "$target"
}
for round in $(seq "$rounds"); do
    for profile in debug release; do
        if [ -n "$baseline" ]; then build "$round" types-baseline "$profile" "$work/baseline" -p realtime-types; fi
        build "$round" types "$profile" "$root" -p realtime-types
        build "$round" async-openai "$profile" "$probe" -p async-openai
        build "$round" types-all-features "$profile" "$root" -p realtime-types --features beta,translation,json-schema
        if [ -n "$baseline" ]; then build "$round" client-baseline "$profile" "$work/baseline" -p realtime-client; fi
        build "$round" client "$profile" "$root" -p realtime-client
        build "$round" client-rest "$profile" "$root" -p realtime-client --features rest
    done
done
if [ -n "$baseline" ]; then git -C "$root" worktree remove --force "$work/baseline"; fi
echo "wrote $out"
