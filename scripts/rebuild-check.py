#!/usr/bin/env python3
"""Fails when `cargo test` compiles again a dependency that `cargo build` already built.

Usage: rebuild-check.py BUILD.json TEST.json, the `--message-format=json` output of
`cargo build` then of `cargo test --no-run` (in that order, same target directory). A
dependency compiled again means the tests' dependencies turned on other features of it;
turn them on in `workspace-hack/Cargo.toml` too.
"""
import json
import sys


def artifacts(path):
    with open(path) as f:
        for line in f:
            try:
                m = json.loads(line)
            except ValueError:
                continue
            if m.get("reason") == "compiler-artifact" and not m["package_id"].startswith("path+"):
                yield m


built = {m["package_id"] for m in artifacts(sys.argv[1])}
again = sorted(
    {
        m["package_id"].split("#")[-1] + " [" + ",".join(m["features"]) + "]"
        for m in artifacts(sys.argv[2])
        if not m.get("fresh", True) and m["package_id"] in built
    }
)
for a in again:
    print("compiled again for the tests:", a)
print(f"{len(built)} dependencies built by `cargo build`; {len(again)} compiled again by `cargo test`")
sys.exit(1 if again else 0)
