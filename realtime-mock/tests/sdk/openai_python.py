#!/usr/bin/env python3
"""The official openai-python Realtime clients as conformance peers of the
mock, on its three surfaces:

- GA: `client.realtime.connect(model=...)`, frames checked against
  `openai.types.realtime.RealtimeServerEvent`;
- beta (`OpenAI-Beta: realtime=v1`): `client.beta.realtime.connect(...)`,
  against `openai.types.beta.realtime.RealtimeServerEvent`;
- translation (`/v1/realtime/translations`):
  `client.realtime.translations.connect(model=...)`, against
  `openai.types.realtime.RealtimeTranslationServerEvent`.

Every frame the mock sends is validated strictly (`strict=True`) against the
SDK's union, and every field the SDK's models do not declare is a finding
(see `conformance.py`). Each flow below is one behaviour of the protocol;
a flow that does not behave fails with what it waited for and what came.

Usage: openai_python.py ws://127.0.0.1:PORT/v1 [--skip SURFACE/FLOW]... [SURFACE/FLOW ...]
Runs the flows named, or all of them but those skipped (each skipped one is
named in the output; .ci/run says why it skips one). Exits 1 when a frame
is invalid or a flow fails, 2 on a bad argument.
"""

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass

from openai import OpenAI
from openai.types.beta.realtime import SessionCreateResponse as BetaSessionCreateResponse
from openai.types.beta.realtime import TranscriptionSession as BetaTranscriptionSession
from openai.types.beta.realtime.realtime_server_event import (
    RealtimeServerEvent as BetaServerEvent,
)
from openai.types.realtime import (
    ClientSecretCreateResponse,
    RealtimeTranslationClientSecretCreateResponse,
    RealtimeServerEvent,
    RealtimeTranslationServerEvent,
)
from websockets.exceptions import ConnectionClosed

from conformance import (
    Findings,
    FlowFailed,
    ServerEvents,
    audio_ms,
    base64_chunks,
    check,
    deadline,
    model_problems,
    short,
    silence,
    tone,
)

# Seconds one flow may take (each takes well under one against the mock).
FLOW_SECONDS = 30
WEATHER_TOOL = {
    "type": "function",
    "name": "get_weather",
    "description": "The weather in a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
}

# Fields the mock sends that the SDK's models do not declare, where the frame
# is right and the SDK's model is behind, each with its evidence. Any other
# unknown field is a finding; an entry no frame shows any more is too.
GA_SESSION = (
    "openai-python types the session of session.created / session.updated as "
    "RealtimeSessionCreateRequest (the request body); the pinned spec's "
    "RealtimeSessionCreateResponseGA requires `id` and `object` and has `expires_at`"
)
BETA_SESSION = (
    "the SDK's beta Session predates the pinned spec, whose RealtimeSession has "
    "`object`, `expires_at`, `prompt` and `include`; the beta server sends `object` "
    "and `expires_at` (shared/wire/beta-server-2025-01.jsonl)"
)
BETA_TURN_DETECTION = (
    "the SDK's beta TurnDetection has no `idle_timeout_ms`; the pinned spec's "
    "RealtimeSession.turn_detection is RealtimeTurnDetection, which has it"
)
BETA_CALL_NAME = (
    "the SDK's beta ResponseFunctionCallArgumentsDoneEvent has no `name`; the pinned "
    "spec's RealtimeBetaServerEventResponseFunctionCallArgumentsDone has it (since 2026-05-13)"
)
KNOWN_GAPS = {
    **{
        ("ga", event, f"session.{field}"): GA_SESSION
        for event in ("session.created", "session.updated")
        for field in ("id", "object", "expires_at")
    },
    **{
        ("beta", event, f"session.{field}"): BETA_SESSION
        for event in ("session.created", "session.updated")
        for field in ("object", "expires_at", "prompt", "include")
    },
    **{
        ("beta", event, "session.turn_detection.idle_timeout_ms"): BETA_TURN_DETECTION
        for event in ("session.created", "session.updated")
    },
    ("beta", "response.function_call_arguments.done", "name"): BETA_CALL_NAME,
}


def known_gaps(surface):
    return {key[1:]: why for key, why in KNOWN_GAPS.items() if key[0] == surface}


@dataclass(frozen=True, eq=False)
class Surface:
    """What a flow needs to know of one surface: how to connect, the SDK's
    server event union, how sessions are written and what the streaming
    events are called."""

    name: str
    events: ServerEvents
    connect: Callable
    session: Callable  # (audio, vad=False, interrupt=True, tools=()) -> session.update body
    send_raw: Callable  # (connection, text): a frame the SDK would not build
    item_added: str
    text_delta: str = ""
    text_done: str = ""
    audio_delta: str = ""
    transcript_delta: str = ""
    transcript_done: str = ""


def ga_session(audio, vad=False, interrupt=True, tools=()):
    detection = (
        {"type": "server_vad", "create_response": True, "interrupt_response": interrupt}
        if vad
        else None
    )
    session = {
        "type": "realtime",
        "output_modalities": ["audio" if audio else "text"],
        "instructions": "Answer briefly.",
        "audio": {
            "input": {"format": {"type": "audio/pcm", "rate": 24000}, "turn_detection": detection},
            "output": {"format": {"type": "audio/pcm", "rate": 24000}, "voice": "marin"},
        },
    }
    if tools:
        session.update(tools=list(tools), tool_choice="auto")
    return session


def beta_session(audio, vad=False, interrupt=True, tools=()):
    session = {
        "modalities": ["audio", "text"] if audio else ["text"],
        "instructions": "Answer briefly.",
        "voice": "alloy",
        "input_audio_format": "pcm16",
        "output_audio_format": "pcm16",
        "turn_detection": (
            {"type": "server_vad", "create_response": True, "interrupt_response": interrupt}
            if vad
            else None
        ),
    }
    if tools:
        session.update(tools=list(tools), tool_choice="auto")
    return session


GA = Surface(
    name="ga",
    events=ServerEvents(
        "openai.types.realtime.RealtimeServerEvent", RealtimeServerEvent, known_gaps("ga")
    ),
    connect=lambda client: client.realtime.connect(model="gpt-realtime"),
    session=ga_session,
    send_raw=lambda connection, text: connection.send_raw(text),
    item_added="conversation.item.added",
    text_delta="response.output_text.delta",
    text_done="response.output_text.done",
    audio_delta="response.output_audio.delta",
    transcript_delta="response.output_audio_transcript.delta",
    transcript_done="response.output_audio_transcript.done",
)
BETA = Surface(
    name="beta",
    events=ServerEvents(
        "openai.types.beta.realtime.RealtimeServerEvent", BetaServerEvent, known_gaps("beta")
    ),
    connect=lambda client: client.beta.realtime.connect(model="gpt-4o-realtime-preview"),
    session=beta_session,
    # The beta connection has no `send_raw`; its websocket is what it sends with.
    send_raw=lambda connection, text: connection._connection.send(text),
    item_added="conversation.item.created",
    text_delta="response.text.delta",
    text_done="response.text.done",
    audio_delta="response.audio.delta",
    transcript_delta="response.audio_transcript.delta",
    transcript_done="response.audio_transcript.done",
)
TRANSLATION = Surface(
    name="translation",
    events=ServerEvents(
        "openai.types.realtime.RealtimeTranslationServerEvent",
        RealtimeTranslationServerEvent,
        known_gaps("translation"),
    ),
    connect=lambda client: client.realtime.translations.connect(model="gpt-realtime-translate"),
    session=None,
    send_raw=lambda connection, text: connection.send_raw(text),
    item_added="",
)


class Flow:
    """One connection of one flow: sends through the SDK's connection, and
    validates and keeps every frame it receives."""

    def __init__(self, name, surface, connection, findings):
        self.name = name
        self.surface = surface
        self.connection = connection
        self.findings = findings
        self.received = []
        self.waiting_for = "the first frame"

    def recv(self):
        raw = self.connection.recv_bytes()
        frame = json.loads(raw)
        problems, gaps = self.surface.events.problems(raw)
        for problem in problems:
            self.findings.invalid_frame(self.name, len(self.received), frame.get("type"), problem)
        for event_type, path in gaps:
            self.findings.known_gap(self.surface.name, event_type, path)
        self.received.append(frame)
        return frame

    def expect(self, event_type, **fields):
        """The next frame of `event_type` (with these field values); an
        `error` before it fails the flow."""
        return self.expect_all(event_type, **fields)[event_type]

    def expect_all(self, *event_types, **fields):
        """Reads until a frame of each of `event_types` came, in any order."""
        wanted = set(event_types)
        found = {}
        while wanted - found.keys():
            self.waiting_for = " and ".join(f"`{t}`" for t in sorted(wanted - found.keys()))
            frame = self.recv()
            event_type = frame.get("type")
            if event_type == "error" and "error" not in wanted:
                raise FlowFailed(
                    f"frame {len(self.received) - 1} is an `error` while waiting for "
                    f"{self.waiting_for}: {short(frame.get('error', {}).get('message'), 160)}"
                )
            matches = all(frame.get(key) == value for key, value in fields.items())
            if event_type in wanted and event_type not in found and matches:
                found[event_type] = frame
        return found

    def mark(self):
        return len(self.received)

    def since(self, mark):
        return self.received[mark:]

    def where(self):
        return f"waiting for {self.waiting_for}; received {runs(self.received[-12:])}"

    def send_user_text(self, text):
        self.connection.conversation.item.create(
            item={
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": text}],
            }
        )

    def update_session(self, session):
        self.connection.session.update(session=session)
        return self.expect("session.updated")


def runs(frames):
    """The types of `frames`, repeats folded: `a, b ×12, c`."""
    out = []
    for frame in frames:
        event_type = frame.get("type")
        if out and out[-1][0] == event_type:
            out[-1][1] += 1
        else:
            out.append([event_type, 1])
    return ", ".join(t if n == 1 else f"{t} ×{n}" for t, n in out) or "nothing"


def in_order(frames, event_types):
    """Each of `event_types` came, and their first arrivals are in this order."""
    seen = [frame.get("type") for frame in frames]
    missing = [t for t in event_types if t not in seen]
    check(not missing, f"no {', '.join(f'`{t}`' for t in missing)} in: {runs(frames)}")
    firsts = [seen.index(t) for t in event_types]
    check(firsts == sorted(firsts), f"not in the order {event_types}: {runs(frames)}")


def of_type(frames, event_type):
    return [frame for frame in frames if frame.get("type") == event_type]


def text_of(frames, delta_type):
    return "".join(frame.get("delta", "") for frame in of_type(frames, delta_type))


def completed(done):
    status = done.get("response", {}).get("status")
    check(status == "completed", f'`response.done` has status {short(status)}, not "completed"')


# The flows. Each gets a connection that has just received `session.created`.


def text_response(flow, s):
    """A user text message and `response.create` give a completed text
    response whose deltas add up to its text: `You said: Hi!`."""
    flow.update_session(s.session(audio=False))
    flow.send_user_text("Hi!")
    flow.expect(s.item_added)
    start = flow.mark()
    flow.connection.response.create()
    done = flow.expect("response.done")
    frames = flow.since(start)
    in_order(
        frames,
        [
            "response.created",
            "response.output_item.added",
            "response.content_part.added",
            s.text_delta,
            s.text_done,
            "response.content_part.done",
            "response.output_item.done",
            "response.done",
        ],
    )
    said = of_type(frames, s.text_done)[0].get("text")
    check(text_of(frames, s.text_delta) == said, f"the text deltas do not add up to {short(said)}")
    check(said == "You said: Hi!", f'the response says {short(said)}, not "You said: Hi!"')
    completed(done)


def audio_with_server_vad(flow, s):
    """Speech (a tone burst) then silence: server VAD starts and stops the
    turn, commits the user audio and answers with audio and a transcript."""
    flow.update_session(s.session(audio=True, vad=True))
    start = flow.mark()
    for chunk in base64_chunks(tone(600) + silence(800)):
        flow.connection.input_audio_buffer.append(audio=chunk)
    found = flow.expect_all(
        "input_audio_buffer.speech_started",
        "input_audio_buffer.speech_stopped",
        "input_audio_buffer.committed",
    )
    done = flow.expect("response.done")
    frames = flow.since(start)
    in_order(
        frames,
        [
            "input_audio_buffer.speech_started",
            "input_audio_buffer.speech_stopped",
            "input_audio_buffer.committed",
            s.item_added,
            "response.created",
            s.audio_delta,
            s.transcript_delta,
            s.transcript_done,
            "response.done",
        ],
    )
    started, stopped, committed = (
        found[f"input_audio_buffer.{t}"] for t in ("speech_started", "speech_stopped", "committed")
    )
    check(
        started.get("item_id") == stopped.get("item_id") == committed.get("item_id"),
        "speech_started, speech_stopped and committed name different items: "
        f"{started.get('item_id')}, {stopped.get('item_id')}, {committed.get('item_id')}",
    )
    check(
        started["audio_start_ms"] < stopped["audio_end_ms"],
        f"speech starts at {started['audio_start_ms']} ms, after it stops at {stopped['audio_end_ms']} ms",
    )
    transcript = of_type(frames, s.transcript_done)[0].get("transcript")
    check(
        text_of(frames, s.transcript_delta) == transcript,
        f"the transcript deltas do not add up to {short(transcript)}",
    )
    check(
        audio_ms(f["delta"] for f in of_type(frames, s.audio_delta)) >= 200,
        "under 200 ms of response audio",
    )
    completed(done)


def function_call(flow, s):
    """A tool named in the user's text is called; its output, sent back as
    a `function_call_output` item, is what the next response talks about."""
    flow.update_session(s.session(audio=False, tools=[WEATHER_TOOL]))
    flow.send_user_text("What does get_weather say for Paris?")
    flow.expect(s.item_added)
    start = flow.mark()
    flow.connection.response.create()
    done = flow.expect("response.done")
    frames = flow.since(start)
    in_order(
        frames,
        [
            "response.created",
            "response.output_item.added",
            "response.function_call_arguments.delta",
            "response.function_call_arguments.done",
            "response.output_item.done",
            "response.done",
        ],
    )
    arguments = of_type(frames, "response.function_call_arguments.done")[0]
    check(
        text_of(frames, "response.function_call_arguments.delta") == arguments.get("arguments"),
        "the argument deltas do not add up to the arguments",
    )
    output = done.get("response", {}).get("output") or [{}]
    call = output[0]
    check(
        call.get("type") == "function_call" and call.get("name") == "get_weather",
        f"the response's output is {short(call)}, not a call of get_weather",
    )
    check(
        call.get("call_id") == arguments.get("call_id"),
        "the call_id of the item and of the arguments differ",
    )
    completed(done)
    flow.connection.conversation.item.create(
        item={"type": "function_call_output", "call_id": call.get("call_id"), "output": "sunny"}
    )
    flow.expect(s.item_added)
    start = flow.mark()
    flow.connection.response.create()
    completed(flow.expect("response.done"))
    said = of_type(flow.since(start), s.text_done)
    check(
        said and said[0].get("text") == "The function returned: sunny",
        f"the answer to the function's output is {short(said[0].get('text') if said else None)}",
    )


def barge_in(flow, s):
    """The user speaks during an audio response: the client cancels the
    response (`response.cancel`) and at once truncates the assistant's audio
    to what was played (`conversation.item.truncate`); when the user stops,
    the turn is answered."""
    flow.update_session(s.session(audio=True, vad=True, interrupt=False))
    # A long answer (about 90 s of audio): while this client sends, it reads
    # nothing, so the mock's queue to it fills and the answer is still
    # streaming when the cancel arrives.
    flow.send_user_text("Tell me a long story. " + "la " * 600)
    flow.expect(s.item_added)
    start = flow.mark()
    flow.connection.response.create()
    first = flow.expect(s.audio_delta)
    for chunk in base64_chunks(tone(300)):
        flow.connection.input_audio_buffer.append(audio=chunk)
    flow.connection.response.cancel()
    played_ms = min(audio_ms([first["delta"]]), 100)
    flow.connection.conversation.item.truncate(
        item_id=first["item_id"], content_index=0, audio_end_ms=played_ms
    )
    found = flow.expect_all(
        "input_audio_buffer.speech_started", "response.done", "conversation.item.truncated"
    )
    done, truncated = found["response.done"], found["conversation.item.truncated"]
    status = done.get("response", {}).get("status")
    check(
        status == "cancelled",
        f"the interrupted response's `response.done` has status {short(status)}",
    )
    check(
        (truncated.get("item_id"), truncated.get("content_index"), truncated.get("audio_end_ms"))
        == (first["item_id"], 0, played_ms),
        f"`conversation.item.truncated` says {short(truncated)}, not what was asked",
    )
    frames = flow.since(start)
    check(
        len(of_type(frames, s.audio_delta)) < 900, "the cancelled response streamed all its audio"
    )
    # The beta server closes the interrupted item as `incomplete` before
    # `response.done` (shared/wire/beta-server-2025-01.jsonl).
    closed = [
        f
        for f in of_type(frames, "response.output_item.done")
        if f.get("item", {}).get("id") == first["item_id"]
    ]
    check(
        closed and closed[0]["item"].get("status") == "incomplete",
        f'no `response.output_item.done` with status "incomplete" for the interrupted item: {runs(frames[-8:])}',
    )
    check(
        frames.index(closed[0]) < frames.index(done),
        "the interrupted item is done after `response.done`",
    )
    start = flow.mark()
    for chunk in base64_chunks(silence(800)):
        flow.connection.input_audio_buffer.append(audio=chunk)
    flow.expect_all("input_audio_buffer.speech_stopped", "input_audio_buffer.committed")
    completed(flow.expect("response.done"))
    in_order(
        flow.since(start),
        ["input_audio_buffer.committed", "response.created", s.audio_delta, "response.done"],
    )


def errors(flow, s):
    """A frame the server cannot take gets an `error` event (with the
    client's `event_id` when it has one), and the connection stays open."""
    cases = [
        (
            "an unknown event type",
            '{"type": "no.such.event", "event_id": "evt_unknown"}',
            "evt_unknown",
        ),
        ("text that is not JSON", "this is not JSON", None),
        (
            "a known event with a field of the wrong type",
            '{"type": "conversation.item.truncate", "event_id": "evt_bad", "item_id": 7, "content_index": 0, "audio_end_ms": 0}',
            "evt_bad",
        ),
    ]
    for what, text, event_id in cases:
        s.send_raw(flow.connection, text)
        error = flow.expect("error").get("error", {})
        check(
            error.get("event_id") == event_id,
            f"the `error` for {what} has event_id {short(error.get('event_id'))}, not {short(event_id)}",
        )
    flow.connection.response.cancel(event_id="evt_cancel")
    error = flow.expect("error").get("error", {})
    check(
        error.get("event_id") == "evt_cancel",
        "the `error` for a cancel without a response lacks its event_id",
    )
    flow.update_session(s.session(audio=False))


def translation(flow, s):
    """Appended 24 kHz PCM16 audio comes back as output audio deltas, with
    translated and source transcript deltas for the speech; `session.close`
    ends with `session.closed` and a normal close (1000)."""
    flow.connection.session.update(
        session={
            "audio": {
                "input": {"transcription": {"model": "gpt-4o-mini-transcribe"}},
                "output": {"language": "fr"},
            }
        }
    )
    updated = flow.expect("session.updated")
    language = updated.get("session", {}).get("audio", {}).get("output", {}).get("language")
    check(language == "fr", f"the updated session's output language is {short(language)}")
    start = flow.mark()
    for chunk in base64_chunks(tone(1000) + silence(400)):
        flow.connection.session.input_audio_buffer.append(audio=chunk)
    flow.connection.session.close()
    flow.expect("session.closed")
    frames = flow.since(start)
    in_order(
        frames, ["session.output_transcript.delta", "session.output_audio.delta", "session.closed"]
    )
    echoed = audio_ms(f["delta"] for f in of_type(frames, "session.output_audio.delta"))
    check(echoed == 1400, f"{echoed} ms of output audio for 1400 ms of input")
    check(
        text_of(frames, "session.output_transcript.delta").split() == ["bonjour"] * 5,
        f"the output transcript is {short(text_of(frames, 'session.output_transcript.delta'))}",
    )
    check(
        text_of(frames, "session.input_transcript.delta").split() == ["hello"] * 5,
        f"the input transcript is {short(text_of(frames, 'session.input_transcript.delta'))}",
    )
    flow.waiting_for = "the close after `session.closed`"
    try:
        extra = flow.recv()
    except ConnectionClosed as closed:
        code = closed.rcvd.code if closed.rcvd else None
        check(code == 1000, f"the server closed with {code}, not 1000")
    else:
        raise FlowFailed(f"a `{extra.get('type')}` after `session.closed`")


def translation_errors(flow, s):
    """On a translation session too, a frame the server cannot take gets an
    `error`, a session.update that changes the model is refused, and the
    connection stays open."""
    s.send_raw(flow.connection, '{"type": "no.such.event", "event_id": "evt_unknown"}')
    error = flow.expect("error").get("error", {})
    check(
        error.get("event_id") == "evt_unknown",
        "the `error` for an unknown event lacks its event_id",
    )
    flow.connection.session.update(session={"model": "another-model"}, event_id="evt_model")
    error = flow.expect("error").get("error", {})
    check(
        error.get("event_id") == "evt_model", "the `error` for a changed model lacks its event_id"
    )
    flow.connection.session.close()
    flow.expect("session.closed")


PIRATE = "Speak like a pirate."


def client_secret(client, url, findings):
    """`client.realtime.client_secrets.create()`, a REST call: the answer is
    validated strictly against the SDK's `ClientSecretCreateResponse`, has
    an `x-request-id`, and a realtime connection made with the minted secret
    (as a browser or phone would) starts with the session it was minted
    with."""
    name = "rest/client_secret"
    try:
        raw = client.realtime.client_secrets.with_raw_response.create(
            session={"type": "realtime", "model": "gpt-realtime", "instructions": PIRATE},
            expires_after={"anchor": "created_at", "seconds": 600},
        )
        check(raw.headers.get("x-request-id"), "the answer has no x-request-id")
        problems, gaps = model_problems(
            ClientSecretCreateResponse, raw.http_response.text, REST_KNOWN_GAPS
        )
        for problem in problems:
            findings.invalid_frame(name, 0, "client_secrets.create", problem)
        for path in gaps:
            findings.known_gap("rest", "client_secrets.create", path)
        secret = raw.parse()
        check(secret.value.startswith("ek_"), f"the secret is {short(secret.value)}")
        minted = OpenAI(
            api_key=secret.value,
            base_url=url.replace("ws://", "http://"),
            websocket_base_url=url,
        )
        with minted.realtime.connect(model="gpt-realtime") as connection:
            flow = Flow(name, GA, connection, findings)
            with deadline(FLOW_SECONDS, flow.where):
                created = flow.expect("session.created")
                check(
                    created["session"].get("instructions") == PIRATE,
                    "the session did not start with the minted instructions",
                )
    except FlowFailed as failure:
        findings.flow_failed(name, str(failure))
    except Exception as error:  # the SDK or the socket: the flow failed, the rest still runs
        findings.flow_failed(name, f"{type(error).__name__}: {short(str(error))}")
    else:
        findings.flow_passed(name)


OFFER = "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"


def rest_flow(name, run):
    """A REST flow: `run(client, url, findings)`, failures recorded."""

    def flow(client, url, findings):
        try:
            run(client, url, findings)
        except FlowFailed as failure:
            findings.flow_failed(name, str(failure))
        except Exception as error:  # the SDK or the socket: the flow failed, the rest still runs
            findings.flow_failed(name, f"{type(error).__name__}: {short(str(error))}")
        else:
            findings.flow_passed(name)

    return flow


def calls_webrtc(client, url, findings):
    """`client.realtime.calls.create(sdp=..., session=...)` answers with an SDP
    answer and the call's `Location`; a sideband connection to it starts with
    its session; `calls.hangup()` ends it, after which nothing attaches."""
    raw = client.realtime.calls.with_raw_response.create(
        sdp=OFFER, session={"type": "realtime", "model": "gpt-realtime", "instructions": PIRATE}
    )
    check(raw.http_response.status_code == 201, f"status {raw.http_response.status_code}")
    answer = raw.http_response.text
    check(answer.startswith("v=0"), f"the answer is not SDP: {short(answer)}")
    location = raw.headers.get("location", "")
    call_id = location.rsplit("/", 1)[-1]
    check(call_id.startswith("rtc_"), f"Location is {short(location)}")
    with client.realtime.connect(call_id=call_id) as connection:
        flow = Flow("rest/calls_webrtc", GA, connection, findings)
        with deadline(FLOW_SECONDS, flow.where):
            created = flow.expect("session.created")
            check(
                created["session"].get("instructions") == PIRATE,
                "the sideband session did not start with the call's session",
            )
    client.realtime.calls.hangup(call_id)
    try:
        client.realtime.calls.hangup(call_id)
    except Exception as error:
        check("409" in str(error) or getattr(error, "status_code", 0) == 409, f"{error}")
    else:
        raise FlowFailed("a second hangup of the same call was accepted")


def calls_sip(client, url, findings):
    """An incoming SIP call (rung with the mock's own route) is accepted with
    `calls.accept()`, referred with `calls.refer()`; another is rejected with
    `calls.reject()`; accepting a rejected call is refused."""
    # The mock's own route, beside the API (`/mock/...`, not under `/v1`).
    incoming = url.replace("ws://", "http://").removesuffix("/v1") + "/mock/calls/incoming"

    def ring():
        return client.post(incoming, cast_to=object, body={})["call_id"]

    call_id = ring()
    client.realtime.calls.accept(call_id, type="realtime", instructions=PIRATE)
    client.realtime.calls.refer(call_id, target_uri="tel:+14155550123")
    other = ring()
    client.realtime.calls.reject(other, status_code=486)
    try:
        client.realtime.calls.accept(other, type="realtime")
    except Exception as error:
        check(getattr(error, "status_code", 0) == 409, f"{type(error).__name__}: {short(str(error))}")
    else:
        raise FlowFailed("a rejected call was accepted")


def beta_sessions(client, url, findings):
    """The beta REST sessions: `client.beta.realtime.sessions.create()` and
    `transcription_sessions.create()` answers validated strictly against the
    SDK's beta `SessionCreateResponse` / `TranscriptionSession`; a beta
    connection made with the session's client secret starts with it."""
    name = "rest/beta_sessions"
    raw = client.beta.realtime.sessions.with_raw_response.create(
        model="gpt-4o-realtime-preview", instructions=PIRATE, voice="ash"
    )
    problems, _ = model_problems(BetaSessionCreateResponse, raw.http_response.text)
    for problem in problems:
        findings.invalid_frame(name, 0, "beta.realtime.sessions.create", problem)
    session = raw.parse()
    check(session.instructions == PIRATE and session.voice == "ash", "the session is not as asked")
    secret = session.client_secret.value
    raw = client.beta.realtime.transcription_sessions.with_raw_response.create(
        input_audio_transcription={"model": "whisper-1"}
    )
    problems, _ = model_problems(BetaTranscriptionSession, raw.http_response.text)
    for problem in problems:
        findings.invalid_frame(name, 1, "beta.realtime.transcription_sessions.create", problem)
    check(
        raw.parse().client_secret.value.startswith("ek_"),
        "the transcription session has no client secret",
    )
    minted = OpenAI(api_key=secret, base_url=url.replace("ws://", "http://"), websocket_base_url=url)
    with minted.beta.realtime.connect(model="gpt-4o-realtime-preview") as connection:
        flow = Flow(name, BETA, connection, findings)
        with deadline(FLOW_SECONDS, flow.where):
            created = flow.expect("session.created")
            check(
                created["session"].get("instructions") == PIRATE
                and created["session"].get("voice") == "ash",
                "the beta session did not start as the REST session said",
            )


def translation_client_secret(client, url, findings):
    """`client.realtime.translations.client_secrets.create()`: the answer
    validated strictly against the SDK's
    `RealtimeTranslationClientSecretCreateResponse`; a translation connection
    made with the secret starts with the minted output language."""
    name = "rest/translation_client_secret"
    raw = client.realtime.translations.client_secrets.with_raw_response.create(
        session={"model": "gpt-realtime-translate", "audio": {"output": {"language": "fr"}}}
    )
    problems, _ = model_problems(
        RealtimeTranslationClientSecretCreateResponse, raw.http_response.text
    )
    for problem in problems:
        findings.invalid_frame(name, 0, "realtime.translations.client_secrets.create", problem)
    secret = raw.parse().value
    minted = OpenAI(api_key=secret, base_url=url.replace("ws://", "http://"), websocket_base_url=url)
    with minted.realtime.translations.connect(model="gpt-realtime-translate") as connection:
        flow = Flow(name, TRANSLATION, connection, findings)
        with deadline(FLOW_SECONDS, flow.where):
            created = flow.expect("session.created")
            language = created["session"].get("audio", {}).get("output", {}).get("language")
            check(language == "fr", f"the session's output language is {short(language)}")


# The REST flows: each gets the client and the mock's URL.
REST_FLOWS = {
    "rest/client_secret": client_secret,
    "rest/calls_webrtc": rest_flow("rest/calls_webrtc", calls_webrtc),
    "rest/calls_sip": rest_flow("rest/calls_sip", calls_sip),
    "rest/beta_sessions": rest_flow("rest/beta_sessions", beta_sessions),
    "rest/translation_client_secret": rest_flow(
        "rest/translation_client_secret", translation_client_secret
    ),
}
# Fields of REST answers the SDK's models do not declare (path -> evidence).
REST_KNOWN_GAPS = {}

FLOWS = {
    GA: [text_response, audio_with_server_vad, function_call, barge_in, errors],
    BETA: [text_response, audio_with_server_vad, function_call, barge_in, errors],
    TRANSLATION: [translation, translation_errors],
}
ALL = {
    f"{surface.name}/{run.__name__}": (surface, run)
    for surface, runs_ in FLOWS.items()
    for run in runs_
}


def run_flow(client, name, surface, run, findings):
    try:
        with surface.connect(client) as connection:
            flow = Flow(name, surface, connection, findings)
            with deadline(FLOW_SECONDS, flow.where):
                flow.expect("session.created")
                run(flow, surface)
    except FlowFailed as failure:
        findings.flow_failed(name, str(failure))
    except Exception as error:  # the SDK or the socket: the flow failed, the rest still runs
        findings.flow_failed(name, f"{type(error).__name__}: {short(str(error))}")
    else:
        findings.flow_passed(name)


def main(url, *args):
    names, skipped = [], []
    arguments = iter(args)
    for arg in arguments:
        if arg == "--skip":
            skipped.append(next(arguments, ""))
        else:
            names.append(arg)
    unknown = [name for name in names + skipped if name not in ALL and name not in REST_FLOWS]
    if unknown:
        print(f"unknown flows {unknown}; the flows are {sorted([*ALL, *REST_FLOWS])}", file=sys.stderr)
        return 2
    client = OpenAI(
        api_key="sk-local", base_url=url.replace("ws://", "http://"), websocket_base_url=url
    )
    findings = Findings()
    for name in names or [name for name in [*ALL, *REST_FLOWS] if name not in skipped]:
        if name in REST_FLOWS:
            REST_FLOWS[name](client, url, findings)
            continue
        surface, run = ALL[name]
        run_flow(client, name, surface, run, findings)
    for name in skipped:
        print(f"NOT RUN {name}: skipped by the caller")
    # Every known gap must still show, when the flows that show them ran.
    stale = [] if names else sorted(KNOWN_GAPS.keys() - findings.gaps)
    return 0 if findings.report("openai-python", KNOWN_GAPS, stale) else 1


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(*sys.argv[1:]))
