#!/usr/bin/env python3
"""The official openai-python beta Realtime client against the mock's beta
surface: it must receive text, audio and transcripts under the beta
server's event names, and every frame the mock sends must validate against
the SDK's own beta `RealtimeServerEvent` model (pydantic).

Usage: beta_openai_python.py ws://127.0.0.1:PORT/v1
(.ci/run starts the mock and runs this with openai[realtime] installed).
"""

import sys

from openai import OpenAI
from openai.types.beta.realtime.realtime_server_event import RealtimeServerEvent
from pydantic import TypeAdapter

EVENTS = TypeAdapter(RealtimeServerEvent)


def run(url, session, item_text):
    """One response; the `type`s of the frames received, each validated."""
    client = OpenAI(
        base_url=url.replace("ws://", "http://"), websocket_base_url=url, api_key="sk-local"
    )
    received = []
    with client.beta.realtime.connect(model="gpt-4o-realtime-preview") as connection:
        connection.session.update(session=session)
        connection.conversation.item.create(
            item={
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": item_text}],
            }
        )
        connection.response.create()
        while True:
            frame = connection.recv_bytes()
            event = EVENTS.validate_json(frame)
            received.append(event.type)
            if event.type == "error":
                raise AssertionError(f"the mock answered with an error: {event.error.message}")
            if event.type == "response.done":
                return received


def expect(received, present, absent=()):
    for event_type in present:
        assert event_type in received, f"no `{event_type}` in {received}"
    for event_type in absent:
        assert event_type not in received, f"`{event_type}` (a GA name) in {received}"


def main(url):
    text = run(url, {"modalities": ["text"], "instructions": "Answer briefly."}, "Hi!")
    expect(
        text,
        ["session.created", "session.updated", "response.created", "response.text.delta",
         "response.text.done", "response.content_part.done", "response.output_item.done"],
        ["response.output_text.delta"],
    )
    audio = run(url, {"modalities": ["audio", "text"], "voice": "alloy"}, "Say something.")
    expect(
        audio,
        ["response.audio.delta", "response.audio.done", "response.audio_transcript.delta",
         "response.audio_transcript.done"],
        ["response.output_audio.delta", "response.output_audio_transcript.delta"],
    )
    print(f"openai-python beta client: {len(text)} + {len(audio)} frames, every one a valid beta event")


if __name__ == "__main__":
    main(sys.argv[1])
