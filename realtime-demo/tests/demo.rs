//! The README's "see it work" command and the examples run offline against
//! the embedded mock and print what they should.

use std::io::Write as _;
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

#[test]
fn the_demo_runs_a_conversation_against_the_embedded_mock() {
    let output = Command::new(env!("CARGO_BIN_EXE_realtime-demo"))
        .env_remove("OPENAI_API_KEY")
        .output()
        .expect("the demo runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("talking to the embedded mock"), "{stdout}");
    assert!(stdout.contains("session.created"), "{stdout}");
    assert!(
        stdout.contains("\"You said: Hello! Who are you?\"") || stdout.contains("\"Hello! \""),
        "{stdout}"
    );
    assert_eq!(stdout.matches("response.done").count(), 2, "{stdout}");
    assert!(stdout.contains("status completed"), "{stdout}");
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
    let dir = std::env::temp_dir().join(format!("wav-roundtrip-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
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
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let reader = hound::WavReader::open(&output_path).expect("the output is a WAV file");
    assert_eq!(reader.spec().sample_rate, 24_000);
    // The mock answers "You said: (audio)" with 50 ms of tone per character.
    assert_eq!(
        reader.duration() as usize,
        24 * 50 * "You said: (audio)".len()
    );
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
