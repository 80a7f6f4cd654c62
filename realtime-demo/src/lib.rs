//! What the demo and the examples share: connecting to OpenAI when
//! `OPENAI_API_KEY` is set, otherwise to an embedded mock server, a
//! one-line description of each server event, and files and errors that
//! name themselves (default output files in the system's temporary
//! directory, so that the demo and the examples run from any directory).

use std::error::Error;
use std::fmt;
use std::path::{Path, PathBuf};

use realtime_client::ClientBuilder;
use realtime_client::prelude::*;
use realtime_client::{Result, types::ga::ServerEvent};
use realtime_media::{WavAudio, WavSource};
use realtime_mock::{MockConfig, MockServer, Pacing};
use realtime_types::ga::{Session, UserContent, UserMessage};

/// A connected session, and the embedded mock it talks to (if any).
pub struct Connected {
    /// The client.
    pub client: RealtimeClient,
    /// The embedded mock; `None` when talking to another server.
    pub mock: Option<MockServer>,
}

/// The server the demo and the examples talk to, chosen from the
/// environment: `REALTIME_BASE_URL` (any Realtime server, with
/// `OPENAI_API_KEY` if it is set), else OpenAI when `OPENAI_API_KEY` is set,
/// else an embedded mock started here with an API key of its own.
pub struct Upstream {
    /// The API base (`None`: OpenAI's).
    pub base_url: Option<String>,
    /// The permanent API key the server takes, if any.
    pub api_key: Option<String>,
    /// The embedded mock, when there is no other server; dropping it stops it.
    pub mock: Option<MockServer>,
}

impl Upstream {
    /// Reads the environment and, when it names no server, starts the
    /// embedded mock with `pacing`.
    ///
    /// # Errors
    ///
    /// [`realtime_client::Error::Connect`] when the embedded mock cannot
    /// listen on loopback.
    pub async fn from_env(pacing: Pacing) -> Result<Upstream> {
        let api_key = non_empty_env("OPENAI_API_KEY");
        if let Some(base_url) = non_empty_env("REALTIME_BASE_URL") {
            return Ok(Upstream {
                base_url: Some(base_url),
                api_key,
                mock: None,
            });
        }
        if api_key.is_some() {
            return Ok(Upstream {
                base_url: None,
                api_key,
                mock: None,
            });
        }
        let key = mock_api_key();
        let config = MockConfig::default()
            .with_pacing(pacing)
            .with_api_key(key.clone());
        let mock =
            MockServer::start(config)
                .await
                .map_err(|e| realtime_client::Error::Connect {
                    host: "the embedded mock".into(),
                    tls: false,
                    source: Box::new(e),
                })?;
        Ok(Upstream {
            base_url: Some(mock.base_url().to_string()),
            api_key: Some(key),
            mock: Some(mock),
        })
    }

    /// A client builder for this server: its base URL and key, no target yet.
    pub fn builder(&self) -> ClientBuilder {
        let mut builder = RealtimeClient::builder();
        if let Some(base_url) = &self.base_url {
            builder = builder.base_url(base_url.as_str());
        }
        if let Some(key) = &self.api_key {
            builder = builder.api_key(key.as_str());
        }
        builder
    }

    /// Where this is, in words: "the embedded mock at ws://…", "OpenAI", or
    /// the base URL.
    pub fn describe(&self) -> String {
        match (&self.mock, &self.base_url) {
            (Some(mock), _) => format!("the embedded mock at {}", mock.url()),
            (None, Some(base_url)) => base_url.clone(),
            (None, None) => "OpenAI".to_string(),
        }
    }
}

/// The model from `REALTIME_MODEL`, default `gpt-realtime`.
pub fn model() -> String {
    non_empty_env("REALTIME_MODEL").unwrap_or_else(|| "gpt-realtime".into())
}

/// Connects to the [`Upstream`] the environment names (model from
/// `REALTIME_MODEL`, default `gpt-realtime`), the embedded mock when it
/// names none.
pub async fn connect(pacing: Pacing) -> Result<Connected> {
    let upstream = Upstream::from_env(pacing).await?;
    let client = upstream.builder().model(model()).connect().await?;
    Ok(Connected {
        client,
        mock: upstream.mock,
    })
}

fn non_empty_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}

/// A key for the embedded mock that nothing else knows, so that the mock
/// refuses whatever does not come from this process (a browser page gets a
/// client secret, never this).
fn mock_api_key() -> String {
    use std::hash::{BuildHasher as _, Hasher as _};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_nanos()),
    );
    format!("sk-mock-{:016x}", hasher.finish())
}

/// Sends `session.update` with a realtime session configuration.
pub async fn update_session(client: &RealtimeClient, session: Session) -> Result<()> {
    client.session_update(session).await
}

/// Adds a user text message to the conversation.
pub async fn say(client: &RealtimeClient, text: &str) -> Result<()> {
    let message = UserMessage::new([UserContent::input_text().with_text(text)]);
    client.conversation_item_create(message).await
}

/// One line about an event: its type and what matters in it (text deltas
/// in full, audio as a byte count).
pub fn describe(event: &ServerEvent) -> String {
    let detail = match event {
        ServerEvent::SessionCreated(_) => "session ready".to_string(),
        ServerEvent::ResponseOutputTextDelta(delta) => format!("{:?}", delta.delta),
        ServerEvent::ResponseOutputAudioTranscriptDelta(delta) => format!("{:?}", delta.delta),
        ServerEvent::ResponseOutputAudioDelta(delta) => {
            format!("{} bytes of base64 audio", delta.delta.len())
        }
        ServerEvent::ResponseFunctionCallArgumentsDone(call) => {
            format!("{}({})", call.name, call.arguments)
        }
        ServerEvent::ResponseDone(done) => {
            let status = done
                .response
                .status
                .as_ref()
                .map_or("?".to_string(), |s| s.to_string());
            let tokens = done
                .response
                .usage
                .as_ref()
                .and_then(|u| u.total_tokens)
                .unwrap_or(0);
            format!("status {status}, {tokens} tokens")
        }
        ServerEvent::Error(error) => format!("{} ({})", error.error.message, error.error.r#type),
        _ => String::new(),
    };
    if detail.is_empty() {
        event.event_type().to_string()
    } else {
        format!("{:<40} {detail}", event.event_type())
    }
}

/// Where the demo and the examples write a file they are not given a path
/// for: `name` in the system's temporary directory ([`std::env::temp_dir`],
/// `$TMPDIR` or `/tmp` on Unix), which exists wherever they are run from.
pub fn default_output_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(name)
}

/// `path` made absolute against the current directory, to say where a file
/// went (`path` itself when the current directory is unknown).
pub fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// A file that could not be read or written, with its path.
#[derive(Debug)]
pub struct FileError {
    path: PathBuf,
    writing: bool,
    source: Box<dyn Error + Send + Sync>,
}

impl FileError {
    /// Reading `path` (or understanding what it holds) failed.
    pub fn read(path: &Path, source: impl Into<Box<dyn Error + Send + Sync>>) -> FileError {
        FileError {
            path: absolute(path),
            writing: false,
            source: source.into(),
        }
    }

    /// Writing `path` failed.
    pub fn write(path: &Path, source: impl Into<Box<dyn Error + Send + Sync>>) -> FileError {
        FileError {
            path: absolute(path),
            writing: true,
            source: source.into(),
        }
    }

    /// The file, absolute.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = if self.writing { "write" } else { "read" };
        write!(formatter, "cannot {verb} {}", self.path.display())
    }
}

impl Error for FileError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(self.source.as_ref())
    }
}

/// Writes `contents` to `path`; the error names the file.
///
/// # Errors
///
/// [`FileError`] when the file cannot be written (its directory is missing,
/// no permission, ...).
pub fn write_file(path: &Path, contents: &[u8]) -> std::result::Result<(), FileError> {
    std::fs::write(path, contents).map_err(|source| FileError::write(path, source))
}

/// Reads the WAV file at `path` as a source of input audio; the error names
/// the file.
///
/// # Errors
///
/// [`FileError`] when the file cannot be read or is not a WAV file the
/// media layer reads (its source says what and at which byte).
pub fn read_wav(path: &Path) -> std::result::Result<WavSource, FileError> {
    let bytes = std::fs::read(path).map_err(|source| FileError::read(path, source))?;
    let audio = WavAudio::parse(&bytes).map_err(|source| FileError::read(path, source))?;
    Ok(WavSource::from_audio(audio))
}

/// The exit status of a program whose work returned `result`: success, or
/// `error: ` and the error with its sources on one line ([`error_chain`]) on
/// standard error, and status 1.
pub fn exit_code(result: std::result::Result<(), Box<dyn Error>>) -> std::process::ExitCode {
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", error_chain(error.as_ref()));
            std::process::ExitCode::FAILURE
        }
    }
}

/// An error and its sources on one line (`cannot write /x.wav: No such file
/// or directory`), leaving out a source whose text the line already holds.
pub fn error_chain(error: &(dyn Error + 'static)) -> String {
    let mut line = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !line.contains(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
        source = cause.source();
    }
    line
}

/// The README's examples (they use every crate of the workspace), compiled
/// and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
