//! The README's "see it work" command and the examples run offline against
//! the embedded mock, from any directory, and print and save what they
//! should.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// An example binary, as `cargo test` built it (`target/<profile>/examples/`).
fn cargo_example(name: &str) -> Command {
    let test_binary = std::env::current_exe().expect("the test binary's path");
    let profile_dir = test_binary
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>/deps");
    let example = profile_dir.join("examples").join(name);
    assert!(
        example.exists(),
        "{} is missing: run the tests with `cargo test`, which builds the examples",
        example.display()
    );
    let mut command = Command::new(example);
    command.env_remove("OPENAI_API_KEY");
    command
}

/// A new, empty directory of the test's own (canonical, as the programs'
/// current directory reports it).
fn fresh_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("realtime-demo-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    dir.canonicalize().expect("a canonical path")
}

/// Stdout, after asserting that the program succeeded.
fn success(output: &std::process::Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// The mono 24 kHz PCM16 samples of a WAV file, read with hound.
fn wav_samples(path: &Path) -> Vec<i16> {
    let mut reader = hound::WavReader::open(path)
        .unwrap_or_else(|error| panic!("{} is not a WAV file: {error}", path.display()));
    let spec = reader.spec();
    assert_eq!(
        (spec.channels, spec.sample_rate, spec.bits_per_sample),
        (1, 24_000, 16)
    );
    assert_eq!(spec.sample_format, hound::SampleFormat::Int);
    reader
        .samples::<i16>()
        .collect::<Result<_, _>>()
        .expect("samples")
}

/// The mock speaks 50 ms of tone per character of its answer.
fn mock_audio_samples(answer: &str) -> usize {
    24 * 50 * answer.len()
}

#[test]
fn the_demo_prints_each_answer_and_its_time_to_first_audio_and_saves_the_audio_in_the_temp_dir() {
    let elsewhere = fresh_dir("demo-cwd");
    let temp = fresh_dir("demo-tmp");
    let output = Command::new(env!("CARGO_BIN_EXE_realtime-demo"))
        .env_remove("OPENAI_API_KEY")
        .env_remove("REALTIME_BASE_URL")
        .env("TMPDIR", &temp)
        .current_dir(&elsewhere)
        .output()
        .expect("the demo runs");
    let stdout = success(&output);
    assert!(stdout.contains("talking to the embedded mock"), "{stdout}");
    assert!(stdout.contains("session.created"), "{stdout}");
    assert_eq!(stdout.matches("status completed").count(), 2, "{stdout}");
    // The deltas are summed up, not printed one by one.
    assert!(!stdout.contains("response.output_audio.delta"), "{stdout}");

    let answers = [
        "You said: Hello! Who are you?",
        "You said: Say something about the weather.",
    ];
    let printed: Vec<&str> = stdout
        .lines()
        .filter_map(|line| line.strip_prefix("  answer: "))
        .collect();
    assert_eq!(printed, answers, "{stdout}");
    let timings: Vec<&str> = stdout
        .lines()
        .filter_map(|line| line.strip_prefix("  time to first audio: "))
        .collect();
    assert_eq!(timings.len(), 2, "{stdout}");
    for (timing, answer) in timings.iter().zip(answers) {
        let (first_audio, rest) = timing.split_once(" ms (").expect("`N ms (`");
        let first_audio: u64 = first_audio.parse().expect("milliseconds");
        assert!(first_audio < 5_000, "{timing}");
        let audio_ms = mock_audio_samples(answer) / 24;
        let (first_text, _) = rest
            .strip_prefix(&format!("{audio_ms} ms of audio), to first text: "))
            .and_then(|rest| rest.split_once(" ms"))
            .unwrap_or_else(|| panic!("the audio length and the time to first text: {timing}"));
        first_text.parse::<u64>().expect("milliseconds");
    }

    let saved = temp.join("realtime-demo-answer.wav");
    assert!(
        stdout.contains(&format!("to {}\n", saved.display())),
        "{stdout}"
    );
    let samples = wav_samples(&saved);
    assert_eq!(
        samples.len(),
        answers
            .iter()
            .map(|answer| mock_audio_samples(answer))
            .sum::<usize>()
    );
    assert!(
        samples.iter().any(|&sample| sample.unsigned_abs() > 1_000),
        "the tone is audible"
    );
    assert_eq!(
        std::fs::read_dir(&elsewhere)
            .expect("the directory")
            .count(),
        0,
        "nothing is written to the current directory"
    );
    let _ = std::fs::remove_dir_all(&elsewhere);
    let _ = std::fs::remove_dir_all(&temp);
}

#[test]
fn the_demo_saves_the_audio_to_a_path_relative_to_the_current_directory() {
    let dir = fresh_dir("demo-relative");
    let output = Command::new(env!("CARGO_BIN_EXE_realtime-demo"))
        .env_remove("OPENAI_API_KEY")
        .env_remove("REALTIME_BASE_URL")
        .arg("answer.wav")
        .current_dir(&dir)
        .output()
        .expect("the demo runs");
    let stdout = success(&output);
    let saved = dir.join("answer.wav");
    assert!(
        stdout.contains(&format!("to {}\n", saved.display())),
        "{stdout}"
    );
    assert!(!wav_samples(&saved).is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_text_chat_example_answers_each_line() {
    let mut child = cargo_example("text_chat")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"first line\nsecond line\n")
        .expect("writes");
    let output = child.wait_with_output().expect("ends at end of input");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert_eq!(
        stdout.lines().collect::<Vec<_>>(),
        ["You said: first line", "You said: second line"]
    );
}

#[test]
fn the_function_call_example_completes_the_round_trip() {
    let output = cargo_example("function_call").output().expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("get_weather({})"), "{stdout}");
    assert!(
        stdout.contains(r#"answer: The function returned: {"temperature_c": 18, "sky": "clear"}"#),
        "{stdout}"
    );
}

#[test]
fn the_wav_example_writes_the_response_audio() {
    let dir = fresh_dir("wav-roundtrip");
    let input = dir.join("in.wav");
    let output_path = dir.join("out.wav");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 24_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(&input, spec).expect("create");
    for i in 0..4_800 {
        writer
            .write_sample(((i as f32 * 0.08).sin() * 9_000.0) as i16)
            .expect("write");
    }
    writer.finalize().expect("finalize");
    let output = cargo_example("wav_roundtrip")
        .arg(&input)
        .arg(&output_path)
        .output()
        .expect("runs");
    let stdout = success(&output);
    assert!(
        stdout.contains(&format!("response audio to {}", output_path.display())),
        "{stdout}"
    );
    // The mock answers "You said: (audio)" with 50 ms of tone per character.
    assert_eq!(
        wav_samples(&output_path).len(),
        mock_audio_samples("You said: (audio)")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_wav_example_runs_from_any_directory_with_its_files_in_the_temp_dir() {
    let elsewhere = fresh_dir("wav-cwd");
    let temp = fresh_dir("wav-tmp");
    let output = cargo_example("wav_roundtrip")
        .env_remove("REALTIME_BASE_URL")
        .env("TMPDIR", &temp)
        .current_dir(&elsewhere)
        .output()
        .expect("runs");
    let stdout = success(&output);
    let input = wav_samples(&temp.join("wav_roundtrip_input.wav"));
    assert_eq!(input.len(), 24_000, "a 1 s test tone");
    let answer = temp.join("wav_roundtrip_output.wav");
    assert!(
        stdout.contains(&format!("response audio to {}", answer.display())),
        "{stdout}"
    );
    assert_eq!(
        wav_samples(&answer).len(),
        mock_audio_samples("You said: (audio)")
    );
    assert_eq!(
        std::fs::read_dir(&elsewhere)
            .expect("the directory")
            .count(),
        0
    );
    let _ = std::fs::remove_dir_all(&elsewhere);
    let _ = std::fs::remove_dir_all(&temp);
}

#[test]
fn the_wav_example_names_the_file_it_cannot_read() {
    let dir = fresh_dir("wav-missing");
    let output = cargo_example("wav_roundtrip")
        .arg("missing.wav")
        .current_dir(&dir)
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    let missing = dir.join("missing.wav");
    let prefix = format!("error: cannot read {}: ", missing.display());
    let why = stderr
        .lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("`{prefix}..` in {stderr}"));
    // What the system said, not an empty reason or a Debug dump.
    assert!(!why.is_empty() && !why.contains('{'), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_twilio_bridge_example_barges_in_on_its_own_simulated_call() {
    let output = cargo_example("twilio_bridge")
        .args(["--listen", "127.0.0.1:0", "--self-test"])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let got_clear = stdout
        .lines()
        .find_map(|line| line.strip_prefix("caller got `clear` after "))
        .expect("the caller got `clear`");
    let heard_ms = got_clear.trim_end_matches(" ms of the answer");
    // The bridge truncated the answer at exactly what the caller was sent.
    assert!(
        stdout.contains(&format!("1 barge-in(s), truncated at [{heard_ms}] ms")),
        "{stdout}"
    );
}

/// The browser example, started on a free port with `env`; stopped on drop.
struct BrowserExample {
    child: std::process::Child,
    /// `127.0.0.1:PORT` of its web server.
    address: String,
}

impl BrowserExample {
    fn start(env: &[(&str, &str)]) -> BrowserExample {
        let mut command = cargo_example("browser");
        command
            .args(["--listen", "127.0.0.1:0"])
            .env_remove("REALTIME_BASE_URL")
            .envs(env.iter().copied())
            .stdout(Stdio::piped());
        let mut child = command.spawn().expect("the browser example starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = std::io::BufRead::lines(std::io::BufReader::new(stdout));
        let address = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|line| {
                line.strip_prefix("open http://")
                    .map(|rest| rest.trim_end_matches('/').to_string())
            })
            .expect("the example prints `open http://ADDRESS/`");
        BrowserExample { child, address }
    }

    /// One HTTP/1.1 request without a body; the status and the body.
    fn request(&self, method: &str, path: &str) -> (u16, String) {
        use std::io::Read as _;
        let mut stream = std::net::TcpStream::connect(&self.address).expect("connects");
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            self.address
        )
        .expect("writes");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("reads");
        let (head, body) = answer.split_once("\r\n\r\n").expect("an HTTP answer");
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .expect("a status line");
        (status, body.to_string())
    }
}

impl Drop for BrowserExample {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_browser_example_serves_the_page_and_mints_a_secret_the_mock_takes_as_a_browser_sends_it() {
    let example = BrowserExample::start(&[]);
    let (status, page) = example.request("GET", "/");
    assert_eq!(status, 200);
    assert!(page.contains(r#"<script src="/app.js">"#), "{page}");
    let (status, script) = example.request("GET", "/app.js");
    assert_eq!(status, 200);
    assert!(script.contains("openai-insecure-api-key."), "{script}");

    let (status, body) = example.request("POST", "/session");
    assert_eq!(status, 200, "{body}");
    let minted: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    let secret = minted["client_secret"].as_str().expect("a client secret");
    assert!(secret.starts_with("ek_"), "{secret}");
    let url = minted["websocket_url"].as_str().expect("a WebSocket URL");

    // The handshake a browser makes: no Authorization header, the secret
    // as a subprotocol beside `realtime`.
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let created = runtime.block_on(async {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
        let mut request = url.into_client_request().expect("a request");
        request.headers_mut().insert(
            "sec-websocket-protocol",
            format!("realtime, openai-insecure-api-key.{secret}")
                .parse()
                .expect("a header value"),
        );
        let authority = request.uri().authority().expect("host:port").to_string();
        let tcp = tokio::net::TcpStream::connect(authority)
            .await
            .expect("connects");
        let (mut socket, response) = tokio_tungstenite::client_async(request, tcp)
            .await
            .expect("the mock upgrades the browser's handshake");
        assert_eq!(
            response.headers()["sec-websocket-protocol"],
            "realtime",
            "the server chooses `realtime`"
        );
        let frame = next_text(&mut socket).await;
        serde_json::from_str::<serde_json::Value>(&frame).expect("JSON")
    });
    assert_eq!(created["type"], "session.created", "{created}");
    assert_eq!(
        created["session"]["instructions"], "You are a browser demo. Answer in one short sentence.",
        "the session starts with what the secret was minted with"
    );
    assert_eq!(
        created["session"]["output_modalities"],
        serde_json::json!(["text"])
    );
}

#[test]
fn the_browser_example_says_why_minting_failed_without_the_key() {
    // Nothing listens on port 1: the REST call fails to connect.
    let example = BrowserExample::start(&[
        ("REALTIME_BASE_URL", "http://127.0.0.1:1/v1"),
        ("OPENAI_API_KEY", "sk-browser-example-test-key"),
    ]);
    let (status, body) = example.request("POST", "/session");
    assert_eq!(status, 502, "{body}");
    assert!(body.contains("minting a client secret failed"), "{body}");
    assert!(!body.contains("sk-browser-example-test-key"), "{body}");
}

/// The next text frame of a WebSocket.
async fn next_text<S>(socket: &mut tokio_tungstenite::WebSocketStream<S>) -> String
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    use futures_util::StreamExt as _;
    use tokio_tungstenite::tungstenite::Message;
    loop {
        match socket.next().await.expect("a frame").expect("no error") {
            Message::Text(text) => return text.to_string(),
            _ => continue,
        }
    }
}
