//! Calls over REST: a WebRTC call from an SDP offer, incoming SIP calls
//! accepted, referred, rejected and hung up, each operation refused in a
//! state it does not apply to, and the sideband WebSocket (`?call_id=`)
//! attaching to an active call with the session it was given.

mod common;

use common::{Client, HttpAnswer, http};
use realtime_mock::{MockConfig, MockServer, Pacing};
use serde_json::{Value, json};

const KEY: &str = "sk-test";
const OFFER: &str =
    "v=0\r\no=- 46117 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n";

async fn server() -> MockServer {
    MockServer::start(
        MockConfig::default()
            .with_pacing(Pacing::Immediate)
            .with_api_key(KEY),
    )
    .await
    .expect("the mock starts")
}

/// `POST path` with a JSON body and the permanent key.
async fn post(server: &MockServer, path: &str, body: Value) -> HttpAnswer {
    let auth = format!("Bearer {KEY}");
    let headers = [
        ("authorization", auth.as_str()),
        ("content-type", "application/json"),
    ];
    http(server, "POST", path, &headers, body.to_string().as_bytes()).await
}

async fn operation(server: &MockServer, call_id: &str, operation: &str, body: Value) -> HttpAnswer {
    post(
        server,
        &format!("/v1/realtime/calls/{call_id}/{operation}"),
        body,
    )
    .await
}

#[tokio::test]
async fn a_webrtc_call_answers_the_offer_and_its_sideband_starts_with_its_session() {
    let server = server().await;
    let boundary = "mockboundary";
    let session =
        json!({"type": "realtime", "model": "gpt-realtime", "instructions": "Answer calls."});
    let form = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"sdp\"\r\n\r\n{OFFER}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"session\"\r\nContent-Type: application/json\r\n\r\n{session}\r\n--{boundary}--\r\n"
    );
    let auth = format!("Bearer {KEY}");
    let content_type = format!("multipart/form-data; boundary={boundary}");
    let created = http(
        &server,
        "POST",
        "/v1/realtime/calls",
        &[("authorization", &auth), ("content-type", &content_type)],
        form.as_bytes(),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.header("content-type"), Some("application/sdp"));
    let answer = created.body.as_str().expect("an SDP answer");
    assert!(answer.starts_with("v=0\r\n") && answer.contains("o=- 46117 2 IN IP4 127.0.0.1"));
    let location = created.header("location").expect("a Location");
    let call_id = location
        .strip_prefix("/v1/realtime/calls/")
        .expect("under /v1/realtime/calls");

    let bearer = format!("Bearer {KEY}");
    let mut sideband = Client::connect_to(
        &format!("{}?call_id={call_id}", server.url()),
        &[("authorization", &bearer)],
    )
    .await;
    let started = sideband.expect_started().await;
    assert_eq!(started["session"]["instructions"], "Answer calls.");

    assert_eq!(
        operation(&server, call_id, "hangup", json!({}))
            .await
            .status,
        200
    );
    let again = operation(&server, call_id, "hangup", json!({})).await;
    assert_eq!(again.status, 409);
    assert_eq!(
        again.body["error"]["message"],
        format!("Cannot hangup call '{call_id}': it is hung up.")
    );
    assert_eq!(
        operation(&server, call_id, "refer", json!({"target_uri": "tel:+1"}))
            .await
            .status,
        400,
        "a WebRTC call is not referred"
    );
}

#[tokio::test]
async fn an_sdp_offer_alone_creates_a_call_and_a_bad_one_is_refused() {
    let server = server().await;
    let auth = format!("Bearer {KEY}");
    let created = http(
        &server,
        "POST",
        "/v1/realtime/calls",
        &[
            ("authorization", &auth),
            ("content-type", "application/sdp"),
        ],
        OFFER.as_bytes(),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let refused = http(
        &server,
        "POST",
        "/v1/realtime/calls",
        &[
            ("authorization", &auth),
            ("content-type", "application/sdp"),
        ],
        b"hello",
    )
    .await;
    assert_eq!(refused.status, 400);
    assert_eq!(refused.body["error"]["param"], "sdp");
}

#[tokio::test]
async fn an_incoming_sip_call_is_accepted_attached_to_and_referred() {
    let server = server().await;
    let call_id = server.incoming_call();
    // Not accepted yet: no session attaches.
    let early = common::handshake_status(&format!("{}?call_id={call_id}", server.url()), KEY).await;
    assert_eq!(early, Err(409));
    let accepted = operation(
        &server,
        &call_id,
        "accept",
        json!({"type": "realtime", "model": "gpt-realtime", "instructions": "You answer the phone."}),
    )
    .await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    assert_eq!(accepted.body, Value::Null, "no body");
    let bearer = format!("Bearer {KEY}");
    let mut sideband = Client::connect_to(
        &format!("{}?call_id={call_id}", server.url()),
        &[("authorization", &bearer)],
    )
    .await;
    let started = sideband.expect_started().await;
    assert_eq!(started["session"]["instructions"], "You answer the phone.");
    let again = operation(&server, &call_id, "accept", json!({"type": "realtime"})).await;
    assert_eq!(again.status, 409);
    assert_eq!(again.body["error"]["code"], "invalid_call_state");
    let missing = operation(&server, &call_id, "refer", json!({})).await;
    assert_eq!(missing.status, 400);
    assert_eq!(missing.body["error"]["param"], "target_uri");
    assert_eq!(
        operation(
            &server,
            &call_id,
            "refer",
            json!({"target_uri": "sip:agent@example.com"})
        )
        .await
        .status,
        200
    );
    let ended = common::handshake_status(&format!("{}?call_id={call_id}", server.url()), KEY).await;
    assert_eq!(ended, Err(409), "a referred call takes no session");
}

#[tokio::test]
async fn an_incoming_call_is_rejected_and_operations_name_what_is_wrong() {
    let server = server().await;
    let call_id = server.incoming_call();
    let bad_code = operation(&server, &call_id, "reject", json!({"status_code": 200})).await;
    assert_eq!(bad_code.status, 400);
    assert_eq!(bad_code.body["error"]["param"], "status_code");
    assert_eq!(
        operation(&server, &call_id, "reject", json!({"status_code": 486}))
            .await
            .status,
        200
    );
    let late = operation(&server, &call_id, "accept", json!({"type": "realtime"})).await;
    assert_eq!(late.status, 409);
    assert_eq!(
        late.body["error"]["message"],
        format!("Cannot accept call '{call_id}': it is rejected.")
    );
    let unknown = operation(&server, "rtc_nope", "hangup", json!({})).await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.body["error"]["code"], "call_not_found");
    let other = server.incoming_call();
    let invalid = operation(
        &server,
        &other,
        "accept",
        json!({"type": "realtime", "output_modalities": ["smell"]}),
    )
    .await;
    assert_eq!(invalid.status, 400);
    assert_eq!(invalid.body["error"]["param"], "output_modalities[0]");
    let rung = post(&server, "/mock/calls/incoming", json!({})).await;
    assert!(
        rung.body["call_id"]
            .as_str()
            .is_some_and(|id| id.starts_with("rtc_"))
    );
}
