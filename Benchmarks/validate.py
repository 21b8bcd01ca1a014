#!/usr/bin/env python3
"""Benchmark: `handoff validate` on a large generated configuration against PyYAML merely
parsing the same files with its libyaml-backed CSafeLoader, in the same run.

The configuration: 2,000 schedules, 5,000 people and 2,000 destinations in 200 files.
Goal (issue 2): validate (parse + decode + all checks) within 1.5x the PyYAML parse time and
under 0.5 s.

    swift build -c release --product handoff
    python3 Benchmarks/validate.py [--runs 7] [--binary .build/release/handoff]
"""
import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

import yaml

ZONES = ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "UTC", "America/Los_Angeles",
         "Europe/London", "Asia/Tokyo"]


def generate(directory, schedules=2000, people=5000, files=200, seed=7):
    rng = random.Random(seed)
    per_file_people = people // files
    per_file_schedules = schedules // files
    with open(os.path.join(directory, "handoff.yaml"), "w") as handle:
        handle.write("version: 1\nconnections:\n  acme: { type: pagerduty, token_env: PAGERDUTY_TOKEN }\n")
    person = 0
    schedule = 0
    for index in range(files):
        folder = os.path.join(directory, f"team-{index // 20:02d}")
        os.makedirs(folder, exist_ok=True)
        lines = ["people:"]
        team = []
        for _ in range(per_file_people):
            key = f"person-{person:05d}"
            lines.append(f"  {key}: {{ name: Person {person}, email: {key}@example.com }}")
            team.append(key)
            person += 1
        lines.append("schedules:")
        for _ in range(per_file_schedules):
            name = f"schedule-{schedule:05d}"
            members = rng.sample(team, 5)
            lines += [
                f"  {name}:",
                f"    time_zone: {rng.choice(ZONES)}",
                "    rotation:",
                f"      members: [{', '.join(members)}]",
                "      start: 2026-11-02T09:00",
                f"      turn: {rng.choice(['1w', '1d', '12h', '2w'])}",
                "    coverage:",
                "      - days: [mon, tue, wed, thu, fri]",
                '        from: "09:00"',
                '        to: "17:00"',
                "    horizon: 8w",
                "    time_off:",
                f"      - {{ person: {members[1]}, from: 2026-12-21, until: 2027-01-04 }}",
                "    assignments:",
                f"      - {{ person: {members[2]}, from: 2026-12-24T09:00, until: 2026-12-25T09:00 }}",
            ]
            schedule += 1
        lines.append("destinations:")
        for offset in range(per_file_schedules):
            number = schedule - per_file_schedules + offset
            lines.append(f"  destination-{number:05d}: {{ schedule: schedule-{number:05d}, connection: acme, pagerduty_schedule: P{number:06d} }}")
        with open(os.path.join(folder, f"file-{index:03d}.yaml"), "w") as handle:
            handle.write("\n".join(lines) + "\n")


def yaml_files(directory):
    found = []
    for root, _, names in os.walk(directory):
        found += [os.path.join(root, n) for n in names if n.endswith((".yaml", ".yml"))]
    return sorted(found)


def time_pyyaml(paths):
    start = time.perf_counter()
    for path in paths:
        with open(path, "rb") as handle:
            yaml.load(handle, Loader=yaml.CSafeLoader)
    return time.perf_counter() - start


def time_handoff(binary, directory):
    start = time.perf_counter()
    result = subprocess.run([binary, "validate", directory], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"handoff validate failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return elapsed, result.stdout.strip().splitlines()[-1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--binary", default=".build/release/handoff")
    arguments = parser.parse_args()
    if not hasattr(yaml, "CSafeLoader"):
        sys.exit("PyYAML was built without libyaml (no CSafeLoader)")
    with tempfile.TemporaryDirectory() as directory:
        generate(directory)
        paths = yaml_files(directory)
        size = sum(os.path.getsize(p) for p in paths)
        pyyaml, handoff = [], []
        summary = ""
        for _ in range(arguments.runs):
            pyyaml.append(time_pyyaml(paths))
            elapsed, summary = time_handoff(arguments.binary, directory)
            handoff.append(elapsed)
        print(f"{len(paths)} files, {size / 1e6:.1f} MB; handoff says: {summary}")
        print(f"PyYAML CSafeLoader parse only: median {statistics.median(pyyaml) * 1000:.0f} ms (min {min(pyyaml) * 1000:.0f})")
        print(f"handoff validate (process):    median {statistics.median(handoff) * 1000:.0f} ms (min {min(handoff) * 1000:.0f})")
        print(f"ratio handoff / PyYAML (medians): {statistics.median(handoff) / statistics.median(pyyaml):.2f}")


if __name__ == "__main__":
    main()
