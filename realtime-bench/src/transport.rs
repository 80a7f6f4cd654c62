//! The pieces of the transport benchmark (`transport_bench`): loopback
//! servers, the peers of the scale test and the lateness of their audio,
//! client runtimes, process figures, the statistics the benchmark reports
//! and its options. The clients under test, ours and raw tokio-tungstenite,
//! are in the binary, so that how ours is built stays in one place.

pub mod args;
pub mod lateness;
pub mod loopback;
pub mod peer;
pub mod procfs;
pub mod runtime;
pub mod stats;
