"""Client events built with the generated constructors and setters
(`cargo run -p realtime-types --example built_events`, one JSON line each on
stdin) against openai-python's own client event models:

- each event validates as the SDK's client event union of its surface
  (GA `openai.types.realtime.RealtimeClientEvent`, beta
  `openai.types.beta.realtime.RealtimeClientEvent`, translation
  `RealtimeTranslationClientEvent`), as the event type it says it is;
- no property is unknown to the SDK's model (its models allow extras, so a
  misnamed field would pass validation: it is caught here), at any depth;
- the SDK's model dumps back to the same JSON (nothing was coerced or lost).

Usage: cargo run -q -p realtime-types --example built_events | python built_events_openai_python.py
"""

import json
import sys

import pydantic
from openai.types.beta.realtime import RealtimeClientEvent as BetaClientEvent
from openai.types.realtime import RealtimeClientEvent as GaClientEvent
from openai.types.realtime import RealtimeTranslationClientEvent

ADAPTERS = {
    "ga": pydantic.TypeAdapter(GaClientEvent),
    "beta": pydantic.TypeAdapter(BetaClientEvent),
    "translation": pydantic.TypeAdapter(RealtimeTranslationClientEvent),
}


def extras(value, path):
    """The properties of `value` (a validated SDK model) that its model does not declare."""
    found = []
    if isinstance(value, pydantic.BaseModel):
        for key in (value.model_extra or {}):
            found.append(f"{path}/{key}")
        for name in type(value).model_fields:
            found.extend(extras(getattr(value, name), f"{path}/{name}"))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(extras(item, f"{path}/{index}"))
    elif isinstance(value, dict):
        for key, item in value.items():
            found.extend(extras(item, f"{path}/{key}"))
    return found


def main():
    failures = []
    counts = {}
    for number, line in enumerate(sys.stdin, start=1):
        record = json.loads(line)
        surface, event = record["surface"], record["event"]
        where = f"line {number} ({surface} {event.get('type')})"
        try:
            model = ADAPTERS[surface].validate_python(event)
        except pydantic.ValidationError as error:
            failures.append(f"{where}: the SDK refuses it: {error}")
            continue
        if getattr(model, "type", None) != event["type"]:
            failures.append(f"{where}: the SDK reads it as {getattr(model, 'type', None)}")
        unknown = extras(model, "")
        if unknown:
            failures.append(f"{where}: properties the SDK does not know: {unknown}")
        dumped = model.model_dump(mode="json", exclude_unset=True, by_alias=True)
        if dumped != event:
            failures.append(f"{where}: the SDK gives back {json.dumps(dumped)}, not {json.dumps(event)}")
        counts[surface] = counts.get(surface, 0) + 1
    if not counts:
        failures.append("no events on stdin: run `cargo run -q -p realtime-types --example built_events` into this script")
    for failure in failures:
        print(f"FAIL {failure}")
    print(f"built events checked against openai-python: {counts}")
    sys.exit(1 if failures else 0)


main()
