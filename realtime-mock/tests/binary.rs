//! The `realtime-mock` binary: prints where it listens, serves, and stops
//! cleanly on SIGTERM, also when a client does not read; it survives running
//! out of file descriptors; `--help` is not an error.

mod common;

use std::io::{BufRead, BufReader, Read as _};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

use common::{Client, connect_not_reading, ends_within, until_the_server_cannot_write};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

/// The binary, running until it is dropped (then killed if it still runs).
struct Running {
    child: Child,
    /// The URL of its first line (`ws://HOST:PORT/v1/realtime`).
    url: String,
}

impl Running {
    /// Runs `command` (the binary, perhaps through a shell) and reads the URL
    /// from its first line.
    fn start(mut command: Command) -> Running {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary starts");
        let mut first_line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut first_line)
            .expect("a first line");
        let url = first_line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("`listening on URL`, not {first_line:?}"))
            .to_string();
        Running { child, url }
    }

    /// The binary with these arguments.
    fn with_args(args: &[&str]) -> Running {
        let mut command = Command::new(env!("CARGO_BIN_EXE_realtime-mock"));
        command.args(args);
        Running::start(command)
    }

    fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
    }

    /// Its exit status, if it exits within `within`.
    async fn exits_within(&mut self, within: Duration) -> Option<ExitStatus> {
        let deadline = tokio::time::Instant::now() + within;
        while tokio::time::Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        None
    }

    /// Stops it and returns what it wrote on standard error.
    fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut stderr = String::new();
        if let Some(mut pipe) = self.child.stderr.take() {
            let _ = pipe.read_to_string(&mut stderr);
        }
        stderr
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn the_binary_prints_its_url_serves_and_stops_on_sigterm() {
    let mut mock = Running::with_args(&[
        "--listen",
        "127.0.0.1:0",
        "--api-key",
        "sk-binary",
        "--immediate",
    ]);
    let url = mock.url.clone();
    assert!(
        url.starts_with("ws://127.0.0.1:") && url.ends_with("/v1/realtime"),
        "{url}"
    );

    let mut client = Client::connect_to(
        &format!("{url}?model=gpt-realtime"),
        &[("authorization", "Bearer sk-binary")],
    )
    .await;
    client.expect_started().await;

    mock.terminate();
    let exit = mock
        .exits_within(Duration::from_secs(5))
        .await
        .expect("the binary exits");
    assert!(exit.success(), "exit status after SIGTERM: {exit}");
}

#[test]
fn a_bad_argument_is_refused_with_usage() {
    let output = Command::new(env!("CARGO_BIN_EXE_realtime-mock"))
        .arg("--bogus")
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("usage: realtime-mock"));
}

#[tokio::test]
async fn sigterm_stops_the_binary_within_seconds_although_a_client_does_not_read() {
    let mut mock = Running::with_args(&["--immediate"]);
    let mut not_reading = connect_not_reading(&mock.url).await;
    let mut reading = Client::connect_to(&format!("{}?model=gpt-realtime", mock.url), &[]).await;
    reading.expect_started().await;
    until_the_server_cannot_write(&not_reading).await;

    mock.terminate();
    match reading.next_frame().await {
        Some(Message::Close(Some(frame))) => assert_eq!(frame.code, CloseCode::Away),
        other => panic!("expected a close frame with 1001, got {other:?}"),
    }
    // The close timeout (2 s) bounds the write that cannot complete.
    let status = mock
        .exits_within(Duration::from_secs(6))
        .await
        .expect("the binary exits within 6 s of SIGTERM");
    assert!(status.success(), "exit status after SIGTERM: {status}");
    assert!(
        ends_within(&mut not_reading, Duration::from_secs(5)).await,
        "the connection of the client that did not read is gone"
    );
}

#[test]
fn help_prints_the_usage_on_stdout_and_exits_0() {
    for flag in ["--help", "-h"] {
        let output = Command::new(env!("CARGO_BIN_EXE_realtime-mock"))
            .arg(flag)
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(0), "{flag}");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            stdout.starts_with("usage: realtime-mock"),
            "{flag}: {stdout}"
        );
        assert!(stdout.contains("--listen ADDR"), "{flag}: {stdout}");
        assert!(output.stderr.is_empty(), "{flag}: nothing on stderr");
    }
}

/// The CPU time (user and system) the process `pid` used so far, in clock ticks.
#[cfg(target_os = "linux")]
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc/PID/stat");
    // After the command name in parentheses: state is field 3, utime 14, stime 15.
    let fields: Vec<&str> = stat[stat.rfind(')').expect("(comm)") + 2..]
        .split(' ')
        .collect();
    fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime")
}

/// Clock ticks per second (`getconf CLK_TCK`, 100 almost everywhere).
#[cfg(target_os = "linux")]
fn ticks_per_second() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(100)
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn out_of_file_descriptors_the_binary_backs_off_logs_once_and_recovers() {
    // The shell lowers RLIMIT_NOFILE for the binary alone (no unsafe code
    // here); 64 descriptors are used up by a few dozen connections.
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(r#"ulimit -n 64 && exec "$0" --immediate"#)
        .arg(env!("CARGO_BIN_EXE_realtime-mock"));
    let mock = Running::start(command);
    let addr = common::socket_addr(&mock.url);
    // Silent connections: the first ones take every descriptor (they are
    // in their handshake, whose timeout is 10 s), the rest wait in the
    // listen queue, which keeps the listener ready while accept fails.
    let mut flood = Vec::new();
    for _ in 0..100 {
        flood.push(
            tokio::net::TcpStream::connect(addr)
                .await
                .expect("TCP connects"),
        );
    }
    tokio::time::sleep(Duration::from_millis(300)).await;

    let pid = mock.child.id();
    let window = Duration::from_millis(1500);
    let before = cpu_ticks(pid);
    tokio::time::sleep(window).await;
    let used = cpu_ticks(pid) - before;
    let allowed = ticks_per_second() * window.as_millis() as u64 / 1000 / 10;
    assert!(
        used <= allowed,
        "while accept fails, the server used {used} clock ticks in {window:?} (at most {allowed}: 10% of a core)"
    );

    // Descriptors come back: the server accepts and serves again.
    drop(flood);
    let mut client = tokio::time::timeout(
        Duration::from_secs(5),
        Client::connect_to(&format!("{}?model=gpt-realtime", mock.url), &[]),
    )
    .await
    .expect("a new client is served again within 5 s");
    client.expect_started().await;

    let stderr = mock.stop();
    let failures: Vec<&str> = stderr
        .lines()
        .filter(|line| line.contains("cannot accept connections"))
        .collect();
    assert_eq!(failures.len(), 1, "logged once per episode:\n{stderr}");
    assert!(
        failures[0].contains("Too many open files"),
        "says why: {}",
        failures[0]
    );
    assert_eq!(
        stderr
            .lines()
            .filter(|line| line.contains("accepting connections again"))
            .count(),
        1,
        "and once when it ends:\n{stderr}"
    );
}
