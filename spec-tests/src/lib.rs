//! The tests in `tests/` judge the generated `realtime-types` by what lies
//! outside this repository, in `../shared/`: every example of the pinned
//! spec (`spec_examples.rs`, `client_event_methods.rs`), the captured wire
//! shapes (`wire.rs`), the JSON Schema against both (`json_schema.rs`) and
//! property tests on mutated real frames (`properties.rs`).
//!
//! The library is empty; its build script is the point: without `../shared/`
//! it fails with one line saying what is missing. The generator's and
//! xtask's tests dev-depend on this crate for that line.
