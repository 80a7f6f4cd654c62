//! `realtime-mock [--listen ADDR] [--api-key KEY] [--immediate]`
//!
//! Serves the mock Realtime API until Ctrl-C or SIGTERM. The first line on
//! standard output is `listening on ws://HOST:PORT/v1/realtime`. The API key
//! may also come from `REALTIME_MOCK_API_KEY`; without one, any client is
//! accepted.

use std::io::Write as _;
use std::net::SocketAddr;
use std::process::ExitCode;

use realtime_mock::{MockConfig, MockServer, Pacing};

const USAGE: &str = "usage: realtime-mock [--listen ADDR] [--api-key KEY] [--immediate]
  --listen ADDR    address to listen on (default 127.0.0.1:0: a free port)
  --api-key KEY    require `Authorization: Bearer KEY` (or set REALTIME_MOCK_API_KEY)
  --immediate      stream response audio as fast as possible instead of in real time";

#[tokio::main]
async fn main() -> ExitCode {
    let config = match parse(std::env::args().skip(1)) {
        Ok(config) => config,
        Err(message) => {
            eprintln!("error: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let server = match MockServer::start(config).await {
        Ok(server) => server,
        Err(error) => {
            eprintln!("error: cannot listen: {error}");
            return ExitCode::FAILURE;
        }
    };
    println!("listening on {}", server.url());
    let _ = std::io::stdout().flush();
    wait_for_stop().await;
    server.shutdown().await;
    ExitCode::SUCCESS
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<MockConfig, String> {
    let mut config = MockConfig::default();
    if let Ok(key) = std::env::var("REALTIME_MOCK_API_KEY")
        && !key.is_empty()
    {
        config = config.with_api_key(key);
    }
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--listen" => {
                let value = args.next().ok_or("--listen needs an address")?;
                let addr: SocketAddr = value
                    .parse()
                    .map_err(|_| format!("`{value}` is not an address like 127.0.0.1:8080"))?;
                config = config.with_listen(addr);
            }
            "--api-key" => {
                config = config.with_api_key(args.next().ok_or("--api-key needs a key")?)
            }
            "--immediate" => config = config.with_pacing(Pacing::Immediate),
            "-h" | "--help" => return Err("help".into()),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(config)
}

async fn wait_for_stop() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
