//! The listening server: accepts connections until shut down, then closes
//! every connection (close code 1001), within a bounded time.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::{broadcast, watch};
use tokio::task::JoinSet;

use crate::config::MockConfig;
use crate::connection;
use crate::registry::Registry;

/// A running mock server. Dropping it (or [`MockServer::shutdown`]) stops it.
#[derive(Debug)]
pub struct MockServer {
    addr: SocketAddr,
    url: String,
    base_url: String,
    shutdown: watch::Sender<bool>,
    inject: broadcast::Sender<String>,
    open: Arc<AtomicUsize>,
    registry: Arc<Registry>,
    accept_loop: Option<tokio::task::JoinHandle<()>>,
}

impl MockServer {
    /// Binds `config.listen` and starts accepting connections.
    pub async fn start(config: MockConfig) -> io::Result<MockServer> {
        let listener = TcpListener::bind(config.listen).await?;
        let addr = listener.local_addr()?;
        let (shutdown, shutdown_rx) = watch::channel(false);
        let (inject, _) = broadcast::channel(64);
        let open = Arc::new(AtomicUsize::new(0));
        let registry = Arc::new(Registry::default());
        let accept_loop = tokio::spawn(accept_loop(
            listener,
            Arc::new(config),
            Arc::clone(&registry),
            shutdown_rx,
            inject.clone(),
            Arc::clone(&open),
        ));
        Ok(MockServer {
            addr,
            url: format!("ws://{addr}{}", crate::handshake::REALTIME_PATH),
            base_url: format!(
                "ws://{addr}{}",
                crate::handshake::API_BASE.trim_end_matches('/')
            ),
            shutdown,
            inject,
            open,
            registry,
            accept_loop: Some(accept_loop),
        })
    }

    /// The GA endpoint, `ws://127.0.0.1:PORT/v1/realtime`: what a plain
    /// WebSocket client connects to (with `?model=...`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The API base, `ws://127.0.0.1:PORT/v1`: what `realtime-client`'s
    /// `base_url` takes as it is (the client adds each surface's path, so
    /// GA, beta and translation sessions all start from it).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The REST API base, `http://127.0.0.1:PORT/v1`, where the mock serves
    /// `POST /realtime/client_secrets`: what an HTTP client (openai-python's
    /// `base_url`) takes as it is.
    pub fn http_base_url(&self) -> String {
        self.base_url.replacen("ws://", "http://", 1)
    }

    /// Moves the clock client secrets expire by forward (whole seconds), so
    /// that a test sees a secret expire without waiting for it.
    pub fn advance_clock(&self, by: Duration) {
        self.registry.secrets.advance(by);
    }

    /// Rings an incoming SIP call, as a phone call to the project's SIP
    /// trunk would (the service announces it with the
    /// `realtime.call.incoming` webhook); its `call_id`, to accept, reject,
    /// refer or hang up over REST. `POST /mock/calls/incoming` does the
    /// same for clients outside the process.
    pub fn incoming_call(&self) -> String {
        self.registry.calls.incoming()
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// How many connections are open (accepted and not yet finished).
    pub fn open_connections(&self) -> usize {
        self.open.load(Ordering::SeqCst)
    }

    /// Sends this text frame, as it is, to every open connection (for tests
    /// that need the server to say something it would not).
    pub fn inject_frame(&self, text: impl Into<String>) {
        let _ = self.inject.send(text.into());
    }

    /// Stops accepting, closes every connection and waits until all are gone:
    /// each client gets a close frame with code 1001 after the events already
    /// queued for it, and a connection that cannot take them within
    /// [`crate::Limits::close_timeout`] (its client does not read) is dropped
    /// without them. So shutdown takes at most about that long.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(accept_loop) = self.accept_loop.take() {
            let _ = accept_loop.await;
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

/// How long a connection over [`crate::Limits::max_connections`] may take to
/// send its request before it is closed without an answer.
const REFUSAL_PATIENCE: Duration = Duration::from_secs(1);

/// How many refused connections may wait for their request at once; beyond
/// that, refused connections are closed without an answer.
const MAX_REFUSALS_IN_FLIGHT: usize = 64;

/// How long shutdown waits, beyond [`crate::Limits::close_timeout`], for a
/// connection task before aborting it (closing its socket).
const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);

async fn accept_loop(
    listener: TcpListener,
    config: Arc<MockConfig>,
    registry: Arc<Registry>,
    mut shutdown: watch::Receiver<bool>,
    inject: broadcast::Sender<String>,
    open: Arc<AtomicUsize>,
) {
    let limits = config.limits;
    let mut connections = JoinSet::new();
    let mut refusals = JoinSet::new();
    let mut backoff = AcceptBackoff::default();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    if let Some(failures) = backoff.succeeded() {
                        eprintln!("realtime-mock: accepting connections again after {failures} failed attempts");
                    }
                    let _ = stream.set_nodelay(true);
                    if open.load(Ordering::SeqCst) >= limits.max_connections {
                        // Over the limit: refused at once, and only a few wait for their request.
                        if refusals.len() < MAX_REFUSALS_IN_FLIGHT {
                            let patience = REFUSAL_PATIENCE.min(limits.handshake_timeout);
                            refusals.spawn(connection::refuse_over_limit(stream, limits.max_connections, patience));
                        }
                        continue;
                    }
                    let counted = Counted::new(Arc::clone(&open));
                    let serve = connection::serve(stream, Arc::clone(&config), Arc::clone(&registry), shutdown.clone(), inject.subscribe());
                    connections.spawn(async move {
                        serve.await;
                        drop(counted);
                    });
                }
                Err(error) => {
                    // Out of file descriptors (EMFILE, ENFILE) and the like: the
                    // listener stays ready, so retrying at once would spin.
                    let (pause, first) = backoff.failed();
                    if first {
                        eprintln!("realtime-mock: cannot accept connections ({error}); retrying with backoff");
                    }
                    tokio::select! {
                        _ = tokio::time::sleep(pause) => {}
                        _ = shutdown.changed() => break,
                    }
                }
            },
            // Reap finished connections so a long-running server holds no dead tasks.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            Some(_) = refusals.join_next(), if !refusals.is_empty() => {}
            _ = shutdown.changed() => break,
        }
    }
    drop(listener);
    refusals.abort_all();
    // Every connection closes within its close timeout; the grace is for
    // anything unforeseen, after which the sockets are closed by force.
    let deadline = limits.close_timeout + SHUTDOWN_GRACE;
    let drained = tokio::time::timeout(deadline, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        connections.abort_all();
        while connections.join_next().await.is_some() {}
    }
}

/// The pause after each failed accept: 10 ms after the first failure of an
/// episode, doubling up to 1 s, until an accept succeeds again.
#[derive(Debug, Default)]
struct AcceptBackoff {
    /// Failures since the last successful accept.
    failures: u32,
}

impl AcceptBackoff {
    const FIRST_PAUSE: Duration = Duration::from_millis(10);
    const MAX_PAUSE: Duration = Duration::from_secs(1);

    /// Records a failure: how long to pause, and whether it opens an episode
    /// (the one failure worth logging).
    fn failed(&mut self) -> (Duration, bool) {
        let first = self.failures == 0;
        let doublings = self.failures.min(16);
        self.failures = self.failures.saturating_add(1);
        let pause = Self::FIRST_PAUSE.saturating_mul(1 << doublings);
        (pause.min(Self::MAX_PAUSE), first)
    }

    /// Records a success: the number of failures of the episode it ends, if any.
    fn succeeded(&mut self) -> Option<u32> {
        let failures = std::mem::take(&mut self.failures);
        (failures > 0).then_some(failures)
    }
}

/// Counts a connection while it lives (also when its task is aborted).
struct Counted(Arc<AtomicUsize>);

impl Counted {
    fn new(open: Arc<AtomicUsize>) -> Self {
        open.fetch_add(1, Ordering::SeqCst);
        Counted(open)
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_failures_pause_from_10_ms_doubling_up_to_1_s() {
        let mut backoff = AcceptBackoff::default();
        let pauses: Vec<u64> = (0..10)
            .map(|_| backoff.failed().0.as_millis() as u64)
            .collect();
        assert_eq!(pauses, [10, 20, 40, 80, 160, 320, 640, 1000, 1000, 1000]);
        for _ in 0..1000 {
            assert_eq!(backoff.failed().0, Duration::from_secs(1));
        }
    }

    #[test]
    fn only_the_first_failure_of_an_episode_is_logged() {
        let mut backoff = AcceptBackoff::default();
        let logged: Vec<bool> = (0..5).map(|_| backoff.failed().1).collect();
        assert_eq!(logged, [true, false, false, false, false]);
    }

    #[test]
    fn a_successful_accept_ends_the_episode_and_resets_the_pause() {
        let mut backoff = AcceptBackoff::default();
        assert_eq!(backoff.succeeded(), None, "no episode to end");
        for _ in 0..3 {
            backoff.failed();
        }
        assert_eq!(backoff.succeeded(), Some(3));
        assert_eq!(backoff.succeeded(), None);
        assert_eq!(backoff.failed(), (Duration::from_millis(10), true));
    }
}
