"""What the SDK conformance drivers share: strict validation of server frames
against an SDK's own pydantic event union, the record of every frame a flow
receives, the findings (invalid frames and wrong behaviours), and the audio
the flows send.

Nothing here knows a surface or a flow; `openai_python.py` does.
"""

import base64
import json
import math
import signal
import struct
from collections import defaultdict
from contextlib import contextmanager
from typing import Annotated, get_args, get_origin

import pydantic
from pydantic import TypeAdapter, ValidationError

# Characters of a value shown in a message: audio deltas are long base64
# strings, and a finding names them, never prints them.
SHOWN = 48
# Pydantic errors shown per invalid frame (a union member that does not match
# can fail on many fields at once).
ERRORS_SHOWN = 4

SAMPLE_RATE = 24_000


def short(value, limit=SHOWN):
    """`value` as JSON, cut to `limit` characters."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} chars)"


class FlowFailed(Exception):
    """A flow did not behave as the protocol says."""


def check(condition, message):
    if not condition:
        raise FlowFailed(message)


class ServerEvents:
    """The server event union of one SDK surface, as a strict validator.

    A frame is valid when `TypeAdapter(union).validate_json(frame,
    strict=True)` accepts it and every field of the frame is a field of the
    SDK's models (the SDK's models allow extras and would drop nothing
    visibly, so unknown fields are found by walking the validated models).
    """

    def __init__(self, name, union, known_gaps=None):
        self.name = name
        self.adapter = TypeAdapter(union)
        # (event type, field path) -> why the frame is right and the SDK's
        # model is behind: fields the SDK does not declare that the mock
        # sends on the evidence of the pinned spec or captured traffic.
        self.known_gaps = known_gaps or {}
        members = get_args(get_args(union)[0] if get_origin(union) is Annotated else union)
        # The member for each `type`, to explain a failure with that member's
        # errors rather than every member's.
        self.by_type = {}
        for member in members:
            for event_type in get_args(member.model_fields["type"].annotation):
                self.by_type[event_type] = member

    def problems(self, raw):
        """What is wrong with one frame (raw JSON text) for this union, and
        the known gaps of the SDK's models it shows: `(problems, gaps)`."""
        try:
            frame = json.loads(raw)
        except ValueError as error:
            return [f"not JSON: {error}"], []
        try:
            event = self.adapter.validate_json(raw, strict=True)
        except ValidationError:
            return self._explain(raw, frame), []
        event_type = frame.get("type")
        found, gaps = [], []
        for path, text in unknown_fields(frame, event, ""):
            if (event_type, path) in self.known_gaps:
                gaps.append((event_type, path))
            else:
                found.append(f"{path}: {text}")
        dumped = event.model_dump(mode="json", by_alias=True, exclude_unset=True)
        found += [
            f"{path}: the SDK's model gives back {short(ours)}, the frame has {short(theirs)}"
            for path, theirs, ours in differences(frame, dumped, "")
        ]
        return found, gaps

    def _explain(self, raw, frame):
        event_type = frame.get("type") if isinstance(frame, dict) else None
        member = self.by_type.get(event_type)
        if member is None:
            return [f"`type` {short(event_type)} is not an event of {self.name}"]
        try:
            TypeAdapter(member).validate_json(raw, strict=True)
        except ValidationError as error:
            return [describe(e) for e in error.errors()[:ERRORS_SHOWN]] + (
                [f"… and {error.error_count() - ERRORS_SHOWN} more errors"]
                if error.error_count() > ERRORS_SHOWN
                else []
            )
        return [f"{member.__name__} accepts it alone but {self.name} does not"]


def model_problems(model, raw, known_gaps=(), what=""):
    """What is wrong with `raw` (JSON text) as the SDK's `model`, validated
    strictly, and the known gaps it shows: `(problems, gaps)`, each gap a
    field path of `known_gaps` (the rest as in `ServerEvents.problems`)."""
    try:
        frame = json.loads(raw)
    except ValueError as error:
        return [f"not JSON: {error}"], []
    try:
        value = TypeAdapter(model).validate_json(raw, strict=True)
    except ValidationError as error:
        return [describe(e) for e in error.errors()[:ERRORS_SHOWN]], []
    found, gaps = [], []
    for path, text in unknown_fields(frame, value, ""):
        if path in known_gaps:
            gaps.append(path)
        else:
            found.append(f"{path}: {text}")
    dumped = value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    found += [
        f"{path}: the SDK's model gives back {short(ours)}, {what or 'the body'} has {short(theirs)}"
        for path, theirs, ours in differences(frame, dumped, "")
    ]
    return found, gaps


def describe(error):
    """One pydantic error: the field, what the SDK expects, what came."""
    path = ".".join(str(part) for part in error["loc"]) or "(the event)"
    if error["type"] == "missing":
        return f"{path}: missing (the SDK requires it)"
    return f"{path}: {error['msg']} (got {short(error['input'])})"


def unknown_fields(raw, value, path):
    """`(path, description)` of each field of the frame that no SDK model
    declares (the models allow extras, so validation keeps them silently)."""
    if isinstance(value, pydantic.BaseModel):
        found = [
            (
                f"{path}{key}",
                f"a field the SDK's {type(value).__name__} does not have "
                f"(got {short(raw.get(key) if isinstance(raw, dict) else None)})",
            )
            for key in value.__pydantic_extra__ or {}
        ]
        for name, field in type(value).model_fields.items():
            key = field.alias or name
            if isinstance(raw, dict) and key in raw:
                found += unknown_fields(raw[key], getattr(value, name), f"{path}{key}.")
        return found
    if isinstance(value, (list, tuple)) and isinstance(raw, list):
        return [
            problem
            for index, (raw_item, item) in enumerate(zip(raw, value))
            for problem in unknown_fields(raw_item, item, f"{path}{index}.")
        ]
    if isinstance(value, dict) and isinstance(raw, dict):
        return [
            problem
            for key, item in value.items()
            for problem in unknown_fields(raw.get(key), item, f"{path}{key}.")
        ]
    return []


def differences(theirs, ours, path):
    """(path, frame value, model value) wherever the model's dump of a frame
    is not the frame (a value the model coerced or lost)."""
    if isinstance(theirs, dict) and isinstance(ours, dict):
        return [
            difference
            for key in theirs.keys() | ours.keys()
            for difference in differences(theirs.get(key), ours.get(key), f"{path}{key}.")
        ]
    if isinstance(theirs, list) and isinstance(ours, list) and len(theirs) == len(ours):
        return [
            difference
            for index, (a, b) in enumerate(zip(theirs, ours))
            for difference in differences(a, b, f"{path}{index}.")
        ]
    same = (
        theirs == ours
        and type(theirs) is type(ours)
        or (isinstance(theirs, (int, float)) and isinstance(ours, (int, float)) and theirs == ours)
    )
    return [] if same else [(path.rstrip("."), theirs, ours)]


class Findings:
    """Invalid frames and failed flows, grouped so that a problem every
    audio delta has is listed once with its frame indexes."""

    def __init__(self):
        self.frames = defaultdict(list)  # (flow, event type, problem) -> frame indexes
        self.failed = {}  # flow -> why
        self.passed = []
        self.gaps = set()  # (surface, event type, path) of known SDK gaps seen

    def invalid_frame(self, flow, index, event_type, problem):
        self.frames[(flow, event_type, problem)].append(index)

    def known_gap(self, surface, event_type, path):
        self.gaps.add((surface, event_type, path))

    def flow_failed(self, flow, why):
        self.failed[flow] = why

    def flow_passed(self, flow):
        self.passed.append(flow)

    def flows_with_invalid_frames(self):
        return {flow for flow, _, _ in self.frames}

    def report(self, sdk, known_gaps, stale):
        """Prints the findings and the count line; True when there are none.
        `known_gaps`: (surface, event type, path) -> evidence; `stale`: the
        known gaps no frame showed, when every flow ran (an entry that no
        longer applies must go)."""
        by_evidence = defaultdict(lambda: (set(), set()))
        for surface, event_type, path in self.gaps:
            fields, events = by_evidence[known_gaps[(surface, event_type, path)]]
            fields.add(f"{surface}: {path}")
            events.add(event_type)
        for evidence, (fields, events) in sorted(by_evidence.items()):
            print(
                f"SDK GAP {', '.join(sorted(fields))} (in {', '.join(sorted(events))}): {evidence}"
            )
        for key in stale:
            print(
                f"STALE   known gap {'/'.join(key[:2])} {key[2]}: no frame shows it any more; remove it"
            )
        for (flow, event_type, problem), indexes in sorted(self.frames.items()):
            shown = ", ".join(str(i) for i in indexes[:6]) + (" …" if len(indexes) > 6 else "")
            noun = "frame" if len(indexes) == 1 else f"{len(indexes)} frames"
            print(f"INVALID {flow} {noun} {shown} ({event_type}): {problem}")
        for flow, why in self.failed.items():
            print(f"FAILED  {flow}: {why}")
        bad = self.flows_with_invalid_frames() | set(self.failed)
        good = [flow for flow in self.passed if flow not in bad]
        print(f"{sdk}: {len(good)} passed, {len(bad)} failed")
        return not bad and not stale


@contextmanager
def deadline(seconds, what):
    """Fails the flow when `what` takes longer than `seconds` (a frame that
    never comes would otherwise block the SDK's `recv` for ever)."""

    def expired(_signal, _frame):
        raise FlowFailed(f"timed out after {seconds} s: {what()}")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def tone(ms, hz=440.0, amplitude=0.3):
    """PCM16 at 24 kHz: a sine, loud enough for the mock's energy VAD."""
    count = SAMPLE_RATE * ms // 1000
    peak = amplitude * 32767
    return struct.pack(
        f"<{count}h",
        *(int(peak * math.sin(2 * math.pi * hz * i / SAMPLE_RATE)) for i in range(count)),
    )


def silence(ms):
    return bytes(2 * SAMPLE_RATE * ms // 1000)


def base64_chunks(pcm, ms=100):
    """`pcm` as base64 appends of `ms` milliseconds each."""
    size = 2 * SAMPLE_RATE * ms // 1000
    return [base64.b64encode(pcm[i : i + size]).decode() for i in range(0, len(pcm), size)]


def audio_ms(deltas):
    """Milliseconds of 24 kHz PCM16 in base64 audio deltas."""
    return sum(len(base64.b64decode(delta)) for delta in deltas) * 1000 // (2 * SAMPLE_RATE)
