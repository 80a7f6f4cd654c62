//! A minimal test client: raw tokio-tungstenite plus the generated types.
//! The client is generic over the surface: every server event is decoded as
//! that surface's `ServerEvent` (`ga::ServerEvent` by default), must be a
//! known variant and must encode back to the same JSON, so each test also
//! checks that the mock speaks the spec.

#![allow(dead_code)] // each test file uses part of it

use std::marker::PhantomData;
use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use realtime_mock::{MockConfig, MockServer, Pacing};
use realtime_types::{Event, beta, ga, translation};
use serde_json::Value;
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long a test waits for one event before failing.
pub const EVENT_TIMEOUT: Duration = Duration::from_secs(5);

/// A server with immediate pacing (tests stay fast).
pub async fn server() -> MockServer {
    MockServer::start(MockConfig::default().with_pacing(Pacing::Immediate))
        .await
        .expect("mock server starts")
}

/// A connected client whose server events are checked as `E`.
pub struct Client<E: Event = ga::ServerEvent> {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    surface: PhantomData<E>,
}

/// A client of the beta surface.
pub type BetaClient = Client<beta::ServerEvent>;

/// A client of the translation surface.
pub type TranslationClient = Client<translation::ServerEvent>;

impl Client<ga::ServerEvent> {
    /// Connects to `server` with `model=gpt-realtime` and no key (GA).
    pub async fn connect(server: &MockServer) -> Self {
        Client::connect_to(&format!("{}?model=gpt-realtime", server.url()), &[]).await
    }

    /// Connects to `url` with extra headers (GA).
    pub async fn connect_to(url: &str, headers: &[(&str, &str)]) -> Self {
        Self::open(url, headers).await
    }
}

impl Client<beta::ServerEvent> {
    /// Connects to `server` with `model=gpt-realtime` and `OpenAI-Beta: realtime=v1`.
    pub async fn connect_beta(server: &MockServer) -> Self {
        Self::connect_beta_to(&format!("{}?model=gpt-realtime", server.url())).await
    }

    /// Connects to `url` with `OpenAI-Beta: realtime=v1`.
    pub async fn connect_beta_to(url: &str) -> Self {
        Self::open(url, &[("openai-beta", "realtime=v1")]).await
    }
}

impl Client<translation::ServerEvent> {
    /// Connects to the translation endpoint of `server`.
    pub async fn connect_translation(server: &MockServer) -> Self {
        Self::open(&format!("{}/realtime/translations", server.base_url()), &[]).await
    }
}

impl<E: Event> Client<E> {
    /// Connects to `url` with extra headers; events are checked as `E`.
    pub async fn open(url: &str, headers: &[(&str, &str)]) -> Self {
        let mut request = url.into_client_request().expect("valid url");
        for (name, value) in headers {
            request.headers_mut().insert(
                tokio_tungstenite::tungstenite::http::HeaderName::from_bytes(name.as_bytes())
                    .expect("header name"),
                value.parse().expect("header value"),
            );
        }
        let (socket, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("handshake succeeds");
        Client {
            socket,
            surface: PhantomData,
        }
    }

    /// Sends a JSON event.
    pub async fn send(&mut self, event: Value) {
        self.send_text(&event.to_string()).await;
    }

    /// Sends a raw text frame.
    pub async fn send_text(&mut self, text: &str) {
        self.socket
            .send(Message::Text(text.into()))
            .await
            .expect("send");
    }

    /// Sends a raw text frame, returning the error instead of failing.
    pub async fn try_send_text(
        &mut self,
        text: &str,
    ) -> Result<(), tokio_tungstenite::tungstenite::Error> {
        self.socket.send(Message::Text(text.into())).await
    }

    /// Sends a raw frame.
    pub async fn send_message(&mut self, message: Message) {
        self.socket.send(message).await.expect("send");
    }

    /// The next server event, as JSON, checked to decode as a known `E`
    /// that encodes back to the same JSON.
    pub async fn next(&mut self) -> Value {
        loop {
            let frame = tokio::time::timeout(EVENT_TIMEOUT, self.socket.next())
                .await
                .expect("an event arrives in time")
                .expect("the connection is open")
                .expect("a valid frame");
            if let Message::Text(text) = frame {
                return check::<E>(text.as_str());
            }
        }
    }

    /// The next event, which must have this `type`.
    pub async fn expect(&mut self, event_type: &str) -> Value {
        let event = self.next().await;
        assert_eq!(event["type"], event_type, "unexpected event: {event}");
        event
    }

    /// The greeting of a new connection: `session.created` (returned), then
    /// `conversation.created` for a realtime session (not a transcription or
    /// translation one).
    pub async fn expect_started(&mut self) -> Value {
        let created = self.next().await;
        let event_type = created["type"].as_str().unwrap_or_default().to_string();
        assert!(
            event_type.ends_with("session.created"),
            "unexpected first event: {created}"
        );
        let realtime = event_type == "session.created"
            && created["session"]["type"]
                .as_str()
                .is_none_or(|t| t == "realtime");
        if realtime {
            self.expect("conversation.created").await;
        }
        created
    }

    /// Events until (and including) the first of type `last`.
    pub async fn until(&mut self, last: &str) -> Vec<Value> {
        let mut events = Vec::new();
        loop {
            let event = self.next().await;
            let done = event["type"] == last;
            events.push(event);
            if done {
                return events;
            }
        }
    }

    /// The next frame of any kind (for close frames); `None` when the
    /// connection ended or failed.
    pub async fn next_frame(&mut self) -> Option<Message> {
        tokio::time::timeout(EVENT_TIMEOUT, self.socket.next())
            .await
            .expect("in time")
            .and_then(Result::ok)
    }

    /// Closes the connection.
    pub async fn close(mut self) {
        let _ = self.socket.close(None).await;
    }
}

/// `text` as JSON, after checking that it decodes as a known `E` and
/// encodes back to the same JSON.
pub fn check<E: Event>(text: &str) -> Value {
    let event: E = serde_json::from_str(text)
        .unwrap_or_else(|e| panic!("server event does not decode: {e}\n{text}"));
    assert!(
        !event.is_unknown(),
        "server sent an event the spec does not define on this surface: {text}"
    );
    let value: Value = serde_json::from_str(text).expect("json");
    assert_eq!(
        serde_json::to_value(&event).expect("encodes"),
        value,
        "server event round-trips"
    );
    value
}

/// The `type`s of a list of events.
pub fn types(events: &[Value]) -> Vec<&str> {
    events.iter().filter_map(|e| e["type"].as_str()).collect()
}

/// Turns off server VAD, so that appended audio is committed only on request.
pub async fn without_vad(client: &mut Client) {
    client
        .send(serde_json::json!({"type": "session.update", "session": {"type": "realtime", "audio": {"input": {"turn_detection": null}}}}))
        .await;
    client.expect("session.updated").await;
}

/// The `HOST:PORT` of a `ws://HOST:PORT/...` URL.
pub fn socket_addr(url: &str) -> SocketAddr {
    url.strip_prefix("ws://")
        .and_then(|rest| rest.split('/').next())
        .expect("a ws://HOST:PORT/... URL")
        .parse()
        .expect("an IP address and port")
}

/// A GA connection to the endpoint `url` (`ws://HOST:PORT/v1/realtime`)
/// that never reads, with a small receive buffer, which has asked for an
/// answer of megabytes of audio: soon the server's writes to it cannot
/// complete.
pub async fn connect_not_reading(url: &str) -> WebSocketStream<TcpStream> {
    let socket = TcpSocket::new_v4().expect("a socket");
    socket
        .set_recv_buffer_size(4096)
        .expect("a small receive buffer");
    let stream = socket.connect(socket_addr(url)).await.expect("connects");
    let (mut socket, _) =
        tokio_tungstenite::client_async(format!("{url}?model=gpt-realtime"), stream)
            .await
            .expect("handshake succeeds");
    // 4,000 characters: 200 s of audio, about 13 MB of base64, more than
    // the socket buffers of both sides hold.
    let text = "la ".repeat(1_333);
    let ask = [
        serde_json::json!({"type": "conversation.item.create", "item": {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}}),
        serde_json::json!({"type": "response.create"}),
    ];
    for event in ask {
        socket
            .send(Message::Text(event.to_string().into()))
            .await
            .expect("send");
    }
    socket
}

/// Reads `socket` until it ends (a close frame, an error or the end of the
/// stream); whether that happened within `within`.
pub async fn ends_within(socket: &mut WebSocketStream<TcpStream>, within: Duration) -> bool {
    tokio::time::timeout(within, async {
        while let Some(Ok(frame)) = socket.next().await {
            if matches!(frame, Message::Close(_)) {
                break;
            }
        }
    })
    .await
    .is_ok()
}

/// Waits until the server's socket towards the client of `socket` is full:
/// its send queue (in `/proc/net/tcp`) holds more than 64 KiB and takes no
/// more for 300 ms, so the server's writes to it cannot complete. On other
/// systems, waits two seconds.
pub async fn until_the_server_cannot_write(socket: &WebSocketStream<TcpStream>) {
    let client = socket.get_ref().local_addr().expect("local address");
    let server = socket.get_ref().peer_addr().expect("peer address");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let mut last = 0;
    while tokio::time::Instant::now() < deadline {
        match unsent_bytes(server.port(), client.port()) {
            Some(unsent) if unsent > 64 << 10 && unsent == last => return,
            Some(unsent) => last = unsent,
            None => {
                tokio::time::sleep(Duration::from_secs(2)).await;
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    panic!("the server's writes to the client that does not read never got stuck");
}

/// The send queue of the IPv4 TCP socket from `local_port` to `remote_port`,
/// or `None` when `/proc/net/tcp` cannot be read.
fn unsent_bytes(local_port: u16, remote_port: u16) -> Option<u64> {
    let table = std::fs::read_to_string("/proc/net/tcp").ok()?;
    let port = |address: &str| {
        address
            .rsplit(':')
            .next()
            .and_then(|hex| u16::from_str_radix(hex, 16).ok())
    };
    let unsent = table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (local, remote, queues) = (fields.get(1)?, fields.get(2)?, fields.get(4)?);
            (port(local)? == local_port && port(remote)? == remote_port)
                .then(|| u64::from_str_radix(queues.split(':').next()?, 16).ok())
                .flatten()
        })
        .next();
    Some(unsent.unwrap_or(0))
}

/// An HTTP answer: status, headers (names in lower case) and body (JSON, or
/// `Value::String` of the text when it is not JSON, `Null` when empty).
pub struct HttpAnswer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Value,
}

impl HttpAnswer {
    /// The first value of header `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// `method path` with `headers` and `body`, over a plain TCP connection
/// (the mock answers and closes it).
pub async fn http(
    server: &MockServer,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> HttpAnswer {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(server.local_addr())
        .await
        .expect("connects");
    let mut head = format!("{method} {path} HTTP/1.1\r\nhost: localhost\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
    stream.write_all(head.as_bytes()).await.expect("writes");
    stream.write_all(body).await.expect("writes");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.expect("reads");
    let answer = String::from_utf8(answer).expect("UTF-8");
    let (head, body) = answer.split_once("\r\n\r\n").expect("a head and a body");
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_string()))
        .collect();
    let body = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(body).unwrap_or_else(|_| Value::String(body.to_string()))
    };
    HttpAnswer {
        status,
        headers,
        body,
    }
}

/// The outcome of a WebSocket handshake to `url` with `Authorization:
/// Bearer key`: `Ok` when upgraded, else the HTTP status.
pub async fn handshake_status(url: &str, key: &str) -> Result<(), u16> {
    let mut request = url.into_client_request().expect("a request");
    request.headers_mut().insert(
        "authorization",
        format!("Bearer {key}").parse().expect("a header value"),
    );
    match tokio_tungstenite::connect_async(request).await {
        Ok(_) => Ok(()),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            Err(response.status().as_u16())
        }
        Err(other) => panic!("the handshake failed otherwise: {other}"),
    }
}
