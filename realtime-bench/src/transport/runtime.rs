//! The tokio runtimes the clients under test run on.

use std::fmt;
use std::future::Future;
use std::io;

/// A client runtime: the benchmark runs every client on each kind, since
/// how tasks hand frames to each other costs differently on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientRuntime {
    /// `new_current_thread`: every task on the thread that blocks on it.
    CurrentThread,
    /// `new_multi_thread` with this many worker threads.
    MultiThread(usize),
}

impl ClientRuntime {
    /// The runtimes every benchmark compares on: current-thread and 2 workers.
    pub const BOTH: [ClientRuntime; 2] =
        [ClientRuntime::CurrentThread, ClientRuntime::MultiThread(2)];

    /// A new runtime of this kind, with I/O and timers.
    pub fn build(self) -> io::Result<tokio::runtime::Runtime> {
        match self {
            ClientRuntime::CurrentThread => tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build(),
            ClientRuntime::MultiThread(workers) => tokio::runtime::Builder::new_multi_thread()
                .worker_threads(workers)
                .enable_all()
                .build(),
        }
    }
}

/// Runs `future` to completion as a spawned task of `runtime` (on a worker
/// of a multi-thread runtime, as an application's session tasks run, not
/// on the thread that blocks), and returns its output.
pub fn run_task<F>(runtime: &tokio::runtime::Runtime, future: F) -> io::Result<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    runtime
        .block_on(runtime.spawn(future))
        .map_err(io::Error::other)
}

impl fmt::Display for ClientRuntime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientRuntime::CurrentThread => f.write_str("current-thread runtime"),
            ClientRuntime::MultiThread(workers) => {
                write!(f, "multi-thread runtime, {workers} workers")
            }
        }
    }
}
