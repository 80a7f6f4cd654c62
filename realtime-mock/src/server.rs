//! The listening server: accepts connections until shut down, then closes
//! every connection cleanly (close code 1001).

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::net::TcpListener;
use tokio::sync::{broadcast, watch};
use tokio::task::JoinSet;

use crate::config::MockConfig;
use crate::connection;

/// A running mock server. Dropping it (or [`MockServer::shutdown`]) stops it.
#[derive(Debug)]
pub struct MockServer {
    addr: SocketAddr,
    url: String,
    base_url: String,
    shutdown: watch::Sender<bool>,
    inject: broadcast::Sender<String>,
    open: Arc<AtomicUsize>,
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
        let accept_loop = tokio::spawn(accept_loop(
            listener,
            Arc::new(config),
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

    /// Stops accepting, closes every connection and waits until all are gone.
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

async fn accept_loop(
    listener: TcpListener,
    config: Arc<MockConfig>,
    mut shutdown: watch::Receiver<bool>,
    inject: broadcast::Sender<String>,
    open: Arc<AtomicUsize>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                if let Ok((stream, _)) = accepted {
                    let _ = stream.set_nodelay(true);
                    let counted = Counted::new(Arc::clone(&open));
                    let serve = connection::serve(stream, Arc::clone(&config), shutdown.clone(), inject.subscribe());
                    connections.spawn(async move {
                        serve.await;
                        drop(counted);
                    });
                }
            }
            // Reap finished connections so a long-running server holds no dead tasks.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            _ = shutdown.changed() => break,
        }
    }
    while connections.join_next().await.is_some() {}
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
