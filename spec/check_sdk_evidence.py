#!/usr/bin/env python3
"""Checks the `sdk: openai-python` evidence of the corrections against the
official SDK itself: every `file` exists in the installed `openai` package,
every `symbol` (`Class` or `Class.field`) is defined there, and a `value`
is among the values the field's type allows (its `Literal`s).

Usage: python3 spec/check_sdk_evidence.py spec/corrections.yaml [...]
(needs `openai` and `pyyaml` installed; .ci/run installs them).
"""

import importlib
import sys
import typing

import openai
import yaml


def literal_values(annotation):
    """Every value a `Literal` inside the annotation allows."""
    found = []
    if typing.get_origin(annotation) is typing.Literal:
        return list(typing.get_args(annotation))
    for argument in typing.get_args(annotation):
        found.extend(literal_values(argument))
    return found


def check(evidence):
    """None when the evidence holds, else why not."""
    path = evidence.get("file", "")
    if not path.startswith("src/openai/") or not path.endswith(".py"):
        return f"{path}: not a file of the package (src/openai/...py)"
    module_name = path[len("src/"):-len(".py")].replace("/", ".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        return f"{path}: no such module in openai {openai.__version__} ({error})"
    symbol = evidence.get("symbol")
    if symbol is None:
        return None
    class_name, _, field = symbol.partition(".")
    model = getattr(module, class_name, None)
    if model is None:
        return f"{path}: no `{class_name}`"
    if not field:
        return None
    fields = getattr(model, "model_fields", {})
    if field not in fields:
        return f"{path}: `{class_name}` has no field `{field}`"
    expected = evidence.get("value")
    if expected is None:
        return None
    allowed = literal_values(fields[field].annotation)
    wanted = expected if isinstance(expected, list) else [expected]
    missing = [value for value in wanted if value not in allowed]
    if missing:
        return f"{path}: `{symbol}` does not allow {missing} (allows {allowed})"
    return None


def main(paths):
    failures = []
    checked = 0
    for path in paths:
        with open(path, encoding="utf-8") as file:
            overlay = yaml.safe_load(file)
        for index, action in enumerate(overlay.get("actions", [])):
            for evidence in action.get("x-evidence", []):
                if evidence.get("sdk") != "openai-python":
                    continue
                checked += 1
                reason = check(evidence)
                if reason:
                    failures.append(f"{path}#{index}: {reason}")
    for failure in failures:
        print(failure, file=sys.stderr)
    print(f"{checked} pieces of openai-python evidence checked against openai {openai.__version__}: "
          f"{checked - len(failures)} hold, {len(failures)} do not")
    return 1 if failures or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
