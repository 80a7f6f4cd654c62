//! `realtime-mock [--listen ADDR] [--api-key KEY] [--immediate]`
//!
//! Serves the mock Realtime API until Ctrl-C or SIGTERM. The first line on
//! standard output is `listening on ws://HOST:PORT/v1/realtime` (the API base
//! a client takes is that without `/realtime`). The API key may also come
//! from `REALTIME_MOCK_API_KEY`; without one, any client is accepted. On
//! Ctrl-C or SIGTERM every connection is closed with code 1001 (one whose
//! client does not read is dropped after the close timeout) and the process
//! exits with status 0. `--help` prints the usage.

use std::io::Write as _;
use std::net::SocketAddr;
use std::process::ExitCode;

use realtime_mock::{MockConfig, MockServer, Pacing};

const USAGE: &str = "usage: realtime-mock [--listen ADDR] [--api-key KEY] [--immediate]
  --listen ADDR    address to listen on (default 127.0.0.1:0: a free port)
  --api-key KEY    require `Authorization: Bearer KEY` (or set REALTIME_MOCK_API_KEY)
  --immediate      stream response audio as fast as possible instead of in real time
  -h, --help       print this help

Stops on Ctrl-C or SIGTERM: every client gets a close frame with code 1001,
and one that does not read it within 2 s is dropped.";

/// What the command line asks for.
enum Command {
    /// Serve with this configuration.
    Serve(MockConfig),
    /// Print the usage and exit.
    Help,
}

#[tokio::main]
async fn main() -> ExitCode {
    let config = match parse(std::env::args().skip(1)) {
        Ok(Command::Serve(config)) => config,
        Ok(Command::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
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

fn parse(mut args: impl Iterator<Item = String>) -> Result<Command, String> {
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
            "-h" | "--help" => return Ok(Command::Help),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(Command::Serve(config))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_usage_states_the_default_close_timeout() {
        let close_timeout = realtime_mock::Limits::default().close_timeout;
        assert!(USAGE.contains(&format!("within {} s", close_timeout.as_secs())));
    }
}
