#!/usr/bin/env python3
"""Checks the JSON Schemas in schemas/ against what Handoff really reads and prints.

1. Every configuration YAML file under examples/ validates against schemas/handoff.schema.json
   (examples/ci holds CI workflow files, not configurations, and is skipped).
2. `handoff validate --format json` output, for a valid and an invalid configuration, validates
   against schemas/validate-output.schema.json.
3. The plan JSON, a saved plan and the state file written by apply validate against
   schemas/plan.schema.json and schemas/state.schema.json.

Usage: check_schemas.py PATH_TO_HANDOFF_BINARY
"""
import json
import os
import subprocess
import sys
import tempfile

import jsonschema
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class HandoffLoader(yaml.SafeLoader):
    """Reads YAML as Handoff does: dates, times and 09:00 stay strings (PyYAML would turn them
    into datetime objects and sexagesimal integers), merge keys and anchors work."""


HandoffLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers
            if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
# Plain decimal integers still read as numbers (version: 1).
HandoffLoader.add_implicit_resolver("tag:yaml.org,2002:int", __import__("re").compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))


def load_schema(name):
    with open(os.path.join(ROOT, "schemas", name), encoding="utf-8") as handle:
        schema = json.load(handle)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def check_examples(validator):
    failures = 0
    count = 0
    examples = os.path.join(ROOT, "examples")
    for directory, subdirectories, files in os.walk(examples):
        subdirectories[:] = sorted(d for d in subdirectories if not d.startswith("."))
        relative = os.path.relpath(directory, examples)
        if relative == "ci" or relative.startswith("ci" + os.sep):
            continue
        for name in sorted(files):
            if not name.endswith((".yaml", ".yml")):
                continue
            path = os.path.join(directory, name)
            with open(path, encoding="utf-8") as handle:
                document = yaml.load(handle, Loader=HandoffLoader) or {}
            count += 1
            for error in sorted(validator.iter_errors(document), key=lambda e: list(e.path)):
                failures += 1
                location = "/".join(str(p) for p in error.path)
                print(f"{os.path.relpath(path, ROOT)}: {location}: {error.message}")
    print(f"checked {count} example files against schemas/handoff.schema.json")
    return failures


def check_validate_output(validator, binary):
    failures = 0
    with tempfile.TemporaryDirectory() as broken:
        with open(os.path.join(broken, "broken.yaml"), "w", encoding="utf-8") as handle:
            handle.write("schedules:\n  s: { time_zone: Mars/Olympus, horizn: 1w }\npeople:\n  x: { email: nope }\n")
        for directory, expected_code in ((os.path.join(ROOT, "examples", "quickstart"), 0), (broken, 1)):
            result = subprocess.run([binary, "validate", directory, "--format", "json"], capture_output=True, text=True)
            if result.returncode != expected_code:
                print(f"handoff validate {directory}: exit {result.returncode}, expected {expected_code}")
                failures += 1
            report = json.loads(result.stdout)
            for error in validator.iter_errors(report):
                failures += 1
                print(f"validate output for {directory}: {error.message}")
    print("checked handoff validate --format json against schemas/validate-output.schema.json")
    return failures


def check_plan_and_state(plan_validator, state_validator, binary):
    """Plans and applies a copy of the quickstart against its built-in simulated PagerDuty, and
    checks the JSON plan, the saved plan and the state file against their schemas."""
    failures = 0
    now = "2026-11-23T10:00:00Z"
    with tempfile.TemporaryDirectory() as directory:
        with open(os.path.join(ROOT, "examples", "quickstart", "handoff.yaml"), encoding="utf-8") as source:
            with open(os.path.join(directory, "handoff.yaml"), "w", encoding="utf-8") as target:
                target.write(source.read())
        saved = os.path.join(directory, "saved.plan")
        plan = subprocess.run([binary, "plan", directory, "--now", now, "--format", "json", "--out", saved], capture_output=True, text=True)
        documents = [("plan --format json", plan.stdout)]
        with open(saved, encoding="utf-8") as handle:
            documents.append(("saved plan", handle.read()))
        for name, text in documents:
            for error in plan_validator.iter_errors(json.loads(text)):
                failures += 1
                print(f"{name}: {'/'.join(str(p) for p in error.path)}: {error.message}")
        apply = subprocess.run([binary, "apply", saved, "--auto-approve"], capture_output=True, text=True)
        if apply.returncode != 0:
            failures += 1
            print(f"apply of the saved plan failed: {apply.stdout}{apply.stderr}")
        with open(os.path.join(directory, ".handoff", "state.json"), encoding="utf-8") as handle:
            for error in state_validator.iter_errors(json.load(handle)):
                failures += 1
                print(f"state.json: {'/'.join(str(p) for p in error.path)}: {error.message}")
    print("checked plan JSON, a saved plan and a state file against schemas/plan.schema.json and schemas/state.schema.json")
    return failures


def main():
    binary = sys.argv[1]
    failures = check_examples(load_schema("handoff.schema.json"))
    failures += check_validate_output(load_schema("validate-output.schema.json"), binary)
    failures += check_plan_and_state(load_schema("plan.schema.json"), load_schema("state.schema.json"), binary)
    if failures:
        print(f"{failures} schema problem(s)")
        sys.exit(1)


if __name__ == "__main__":
    main()
