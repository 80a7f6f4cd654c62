//! The `realtime-mock` binary: prints where it listens, serves, and stops
//! cleanly on SIGTERM.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::Client;

#[tokio::test]
async fn the_binary_prints_its_url_serves_and_stops_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_realtime-mock"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--api-key",
            "sk-binary",
            "--immediate",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut first_line = String::new();
    BufReader::new(stdout)
        .read_line(&mut first_line)
        .expect("a first line");
    let url = first_line
        .trim()
        .strip_prefix("listening on ")
        .expect("`listening on URL`")
        .to_string();
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

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let exit = child.wait().expect("the binary exits");
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
