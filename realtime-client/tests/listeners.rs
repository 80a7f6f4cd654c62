//! Listeners: `on` / `once` / `off`, predicates for typed variants, a
//! catch-all, and error listeners that hear server `error` events as typed
//! values without the session ending.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use realtime_client::{ErrorSignal, Listeners, RealtimeClient, ServerError};
use realtime_mock::{MockConfig, MockServer, Pacing};
use realtime_types::ga::{ClientEventMethods as _, ServerEvent, client, server};

async fn connect() -> (MockServer, RealtimeClient) {
    let server = MockServer::start(MockConfig::default().with_pacing(Pacing::Immediate))
        .await
        .expect("mock starts");
    let base = server.base_url().to_string();
    let client = RealtimeClient::builder()
        .base_url(base)
        .model("gpt-realtime")
        .connect()
        .await
        .expect("connects");
    (server, client)
}

fn log() -> Arc<Mutex<Vec<String>>> {
    Arc::new(Mutex::new(Vec::new()))
}

#[tokio::test]
async fn listeners_hear_their_events_and_removed_ones_do_not() {
    let (server, client) = connect().await;
    let heard = log();
    let mut listeners: Listeners<realtime_client::Ga> = Listeners::new();
    let (a, b, c, d) = (heard.clone(), heard.clone(), heard.clone(), heard.clone());
    listeners.on::<server::ResponseDone>(move |done| {
        a.lock().unwrap().push(format!(
            "on response.done {}",
            done.event_id.starts_with("event_")
        ))
    });
    listeners.once::<server::ResponseOutputAudioDelta>(move |delta| {
        b.lock()
            .unwrap()
            .push(format!("once audio delta {}", !delta.delta.is_empty()))
    });
    let removed =
        listeners.on::<server::ResponseCreated>(move |_| c.lock().unwrap().push("removed".into()));
    listeners.on_where(
        |event| matches!(event, ServerEvent::RateLimitsUpdated(_)),
        move |_| d.lock().unwrap().push("typed rate limits".into()),
    );
    let count = Arc::new(Mutex::new(0usize));
    let counter = count.clone();
    listeners.on_any(move |_| *counter.lock().unwrap() += 1);
    assert!(listeners.off(removed));
    assert!(!listeners.off(removed), "a listener is removed once");

    client.response_create().await.unwrap();
    let (sender, mut receiver) = client.split();
    let stop = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        sender.close(1000, "test over").await.unwrap();
    });
    let ended = tokio::time::timeout(Duration::from_secs(5), receiver.run(&mut listeners))
        .await
        .unwrap();
    stop.await.unwrap();
    assert!(ended.is_none(), "a normal close: {ended:?}");
    let heard = heard.lock().unwrap().clone();
    assert_eq!(
        heard,
        [
            // The service reports rate limits as a response starts.
            "typed rate limits",
            "once audio delta true",
            "on response.done true"
        ]
    );
    assert!(
        *count.lock().unwrap() > 5,
        "the catch-all heard every event"
    );
    drop(server);
}

#[tokio::test]
async fn a_server_error_event_reaches_error_listeners_as_a_typed_value_and_the_session_goes_on() {
    let (server, client) = connect().await;
    let errors: Arc<Mutex<Vec<ServerError>>> = Arc::new(Mutex::new(Vec::new()));
    let events = log();
    let mut listeners: Listeners<realtime_client::Ga> = Listeners::new();
    let sink = errors.clone();
    listeners.on_error(move |signal| {
        if let ErrorSignal::Server(error) = signal {
            sink.lock().unwrap().push(error.clone());
        }
    });
    let seen = events.clone();
    listeners.on_any(move |event: &ServerEvent| {
        seen.lock().unwrap().push(event.event_type().to_string())
    });

    client
        .send(client::InputAudioBufferCommit::default().with_event_id("evt_empty"))
        .await
        .unwrap();
    client.input_audio_buffer_clear().await.unwrap();
    let (sender, mut receiver) = client.split();
    let stop = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        sender.close(1000, "test over").await.unwrap();
    });
    tokio::time::timeout(Duration::from_secs(5), receiver.run(&mut listeners))
        .await
        .unwrap();
    stop.await.unwrap();
    let errors = errors.lock().unwrap().clone();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].error_type, "invalid_request_error");
    assert_eq!(
        errors[0].code.as_deref(),
        Some("input_audio_buffer_commit_empty")
    );
    assert_eq!(errors[0].event_id.as_deref(), Some("evt_empty"));
    let events = events.lock().unwrap().clone();
    assert!(
        events.contains(&"error".to_string()),
        "delivered as an event too"
    );
    assert!(
        events.contains(&"input_audio_buffer.cleared".to_string()),
        "the session went on: {events:?}"
    );
    drop(server);
}

#[tokio::test]
async fn frames_that_are_not_events_reach_error_listeners_and_do_not_end_run() {
    let (server, client) = connect().await;
    let transport = log();
    let mut listeners: Listeners<realtime_client::Ga> = Listeners::new();
    let sink = transport.clone();
    listeners.on_error(move |signal| {
        if let ErrorSignal::Transport(error) = signal {
            sink.lock().unwrap().push(error.to_string());
        }
    });
    let done = log();
    let seen = done.clone();
    listeners.on::<server::InputAudioBufferCleared>(move |_| {
        seen.lock().unwrap().push("cleared".into())
    });
    let (sender, mut receiver) = client.split();
    let server_url = server.url().to_string();
    let driver = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        server.inject_frame("not json");
        realtime_types::ga::ClientEventMethods::input_audio_buffer_clear(&sender)
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        sender.close(1000, "test over").await.unwrap();
        drop(server);
    });
    tokio::time::timeout(Duration::from_secs(5), receiver.run(&mut listeners))
        .await
        .unwrap();
    driver.await.unwrap();
    assert_eq!(transport.lock().unwrap().len(), 1, "{server_url}");
    assert_eq!(done.lock().unwrap().as_slice(), ["cleared"]);
}

#[tokio::test]
#[should_panic(expected = "handler panicked on purpose")]
async fn a_panic_in_a_handler_is_not_swallowed() {
    let (server, client) = connect().await;
    let mut listeners: Listeners<realtime_client::Ga> = Listeners::new();
    listeners.on::<server::SessionCreated>(|_| panic!("handler panicked on purpose"));
    let (_sender, mut receiver) = client.split();
    let _ = receiver.run(&mut listeners).await;
    drop(server);
}
