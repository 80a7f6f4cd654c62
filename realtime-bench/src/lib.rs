//! Benchmarks of `realtime-types` (decoding server events, the audio fast
//! paths, encoding appends) on a generated, deterministic voice session.
//!
//! Run them with `cargo run --release -p realtime-bench --bin decode_bench`;
//! the figures and how to read them are in `BENCHMARKS.md`.

pub mod corpus;
