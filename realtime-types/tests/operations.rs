//! The generated REST operations: what each sends (path, parameters
//! encoded, body by content type), what it decodes, and the one-method-per-
//! operation `RestMethods` trait an HTTP client implements.

use std::sync::Mutex;

use realtime_types::operation::{FormPart, ResponseError};
use realtime_types::{Operation, Reply, RequestBody, beta, ga, translation};
use serde_json::json;

#[test]
fn every_surface_lists_its_operations() {
    let ids = |operations: &[realtime_types::OperationInfo]| -> Vec<&str> {
        operations.iter().map(|op| op.id).collect()
    };
    assert_eq!(
        ids(ga::OPERATIONS),
        [
            "create-realtime-call",
            "accept-realtime-call",
            "hangup-realtime-call",
            "refer-realtime-call",
            "reject-realtime-call",
            "create-realtime-client-secret"
        ]
    );
    assert_eq!(
        ids(beta::OPERATIONS),
        [
            "create-realtime-session",
            "create-realtime-transcription-session"
        ]
    );
    assert_eq!(
        ids(translation::OPERATIONS),
        ["create-realtime-translation-client-secret"]
    );
    let accept = ga::AcceptRealtimeCall::INFO;
    assert_eq!(
        (accept.method, accept.path, accept.status),
        ("POST", "/realtime/calls/{call_id}/accept", 200)
    );
    assert_eq!(ga::CreateRealtimeCall::INFO.status, 201);
}

#[test]
fn path_parameters_are_filled_in_percent_encoded() {
    let hangup = ga::HangupRealtimeCall {
        call_id: "rtc_1/../x y".into(),
    };
    assert_eq!(hangup.path(), "/realtime/calls/rtc_1%2F..%2Fx%20y/hangup");
    assert_eq!(hangup.body().unwrap(), RequestBody::Empty);
}

#[test]
fn a_json_body_is_the_bodys_json() {
    let refer = ga::ReferRealtimeCall {
        call_id: "rtc_1".into(),
        body: ga::CallReferRequest::new("tel:+14155550123"),
    };
    let RequestBody::Json(bytes) = refer.body().unwrap() else {
        panic!("JSON")
    };
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&bytes).unwrap(),
        json!({"target_uri": "tel:+14155550123"})
    );
}

#[test]
fn a_call_is_created_with_a_form_of_its_offer_and_session() {
    let create = ga::CreateRealtimeCall {
        body: ga::CallCreateRequest::new("v=0\r\n")
            .with_session(ga::Session::default().with_instructions("Hi.")),
    };
    let RequestBody::Form(parts) = create.body().unwrap() else {
        panic!("a form")
    };
    assert_eq!(
        parts[0],
        FormPart {
            name: "sdp".into(),
            content_type: None,
            value: b"v=0\r\n".to_vec()
        }
    );
    assert_eq!(parts[1].name, "session");
    assert_eq!(parts[1].content_type, Some("application/json"));
    let session: serde_json::Value = serde_json::from_slice(&parts[1].value).unwrap();
    assert_eq!(session["instructions"], "Hi.");
    assert_eq!(
        ga::CreateRealtimeCall::decode(b"v=0\r\no=- 1\r\n").unwrap(),
        "v=0\r\no=- 1\r\n"
    );
}

#[test]
fn an_answer_decodes_as_the_operations_response_or_says_where_it_does_not() {
    let answer = json!({"value": "ek_1", "expires_at": 1_800_000_000,
        "session": {"type": "realtime", "id": "sess_1", "object": "realtime.session", "instructions": "x"}});
    let secret = ga::CreateRealtimeClientSecret::decode(answer.to_string().as_bytes()).unwrap();
    assert_eq!(secret.value, "ek_1");
    assert!(matches!(secret.session, ga::ResponseSession::Realtime(_)));
    let wrong = ga::CreateRealtimeClientSecret::decode(br#"{"value": 5}"#).unwrap_err();
    assert!(matches!(wrong, ResponseError::Json { .. }), "{wrong}");
    ga::AcceptRealtimeCall::decode(b"").unwrap();
}

/// An HTTP client that records what it was asked to send.
#[derive(Default)]
struct Recorder(Mutex<Vec<(&'static str, String, RequestBody)>>);

impl ga::RestMethods for Recorder {
    type Error = ResponseError;

    fn execute<O>(
        &self,
        operation: O,
    ) -> impl Future<Output = Result<Reply<O::Response>, Self::Error>> + Send
    where
        O: Operation + Send + 'static,
    {
        let body = operation.body().expect("encodes");
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push((O::INFO.method, operation.path(), body));
        let answer: &[u8] = if O::INFO.id == "create-realtime-client-secret" {
            br#"{"value": "ek_1", "expires_at": 1, "session": {"type": "realtime", "id": "sess_1", "object": "realtime.session"}}"#
        } else {
            b""
        };
        let decoded = O::decode(answer);
        async move {
            decoded.map(|value| Reply {
                value,
                request_id: Some("req_1".into()),
            })
        }
    }
}

/// The output of a future that is ready at once (the recorder's are).
fn ready<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    match future.as_mut().poll(&mut context) {
        std::task::Poll::Ready(output) => output,
        std::task::Poll::Pending => panic!("the recorder's futures are ready at once"),
    }
}

#[test]
fn rest_methods_send_each_operation_through_execute() {
    use ga::RestMethods as _;
    let client = Recorder::default();
    let reply =
        ready(client.create_realtime_client_secret(ga::CreateClientSecretRequest::default()))
            .unwrap();
    assert_eq!(reply.value.value, "ek_1");
    assert_eq!(reply.request_id.as_deref(), Some("req_1"));
    ready(client.hangup_realtime_call("rtc_7")).unwrap();
    let sent = client
        .0
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    assert_eq!(sent[0].1, "/realtime/client_secrets");
    assert_eq!(
        (sent[1].0, sent[1].1.as_str()),
        ("POST", "/realtime/calls/rtc_7/hangup")
    );
}
