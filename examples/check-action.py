#!/usr/bin/python3
"""check-action.py SOURCE: the composite action and the workflows parse as
YAML; every input of action.yml is in the table of docs/guide-ci.md with its
default; the sysroot cache is keyed on the content of the action's
scripts/glibc-suites.txt, not on github.action_ref; and ci.yml runs the
action (`uses: ./`) on examples/downstream, passing only inputs it has.
Exit 77 without python3-yaml."""
import os
import re
import subprocess
import sys

try:
    import yaml
except ImportError:
    print("SKIP: python3-yaml is not installed (apt-get install python3-yaml)")
    sys.exit(77)

src = sys.argv[1]
failures = []


def load(rel):
    with open(os.path.join(src, rel), encoding="utf-8") as f:
        return yaml.safe_load(f)


action = load("action.yml")
workflows = os.path.join(src, ".github", "workflows")
ci = None
for name in sorted(os.listdir(workflows)):
    doc = load(os.path.join(".github", "workflows", name))  # each must parse
    if name == "ci.yml":
        ci = doc

with open(os.path.join(src, "docs", "guide-ci.md"), encoding="utf-8") as f:
    guide = f.read()
rows = {m.group(1): m.group(2) for m in
        re.finditer(r"^\| `([a-z-]+)` \| ([^|]*) \|", guide, re.MULTILINE)}
inputs = action["inputs"]
for name, spec in inputs.items():
    if name not in rows:
        failures.append(f"input {name} of action.yml is not in docs/guide-ci.md's table")
        continue
    default = str(spec.get("default", ""))
    shown = rows[name].strip()
    if (default == "" and shown != "empty") or (default != "" and shown != f"`{default}`"):
        failures.append(f"input {name}: default {default!r} in action.yml, {shown} in docs/guide-ci.md")
for name in rows:
    if name not in inputs:
        failures.append(f"docs/guide-ci.md documents an input {name} that action.yml lacks")

steps = action["runs"]["steps"]
text = yaml.safe_dump(action)
if "action_ref" in text:
    failures.append("action.yml names github.action_ref (composite actions are not promised it)")
caches = [s for s in steps if str(s.get("uses", "")).startswith("actions/cache")]
if not caches or not any("glibc-suites.txt" in str(s.get("run", "")) for s in steps) or \
        "steps.suites.outputs.hash" not in caches[0]["with"]["key"]:
    failures.append("the sysroot cache is not keyed on the content of scripts/glibc-suites.txt")

uses_here = [(job, step) for job, spec in (ci or {}).get("jobs", {}).items()
             for step in spec.get("steps", []) if step.get("uses") == "./"]
if not any(step.get("with", {}).get("source-dir") == "examples/downstream" for _, step in uses_here):
    failures.append("no job of ci.yml runs `uses: ./` on examples/downstream")
for job, step in uses_here:
    for key in step.get("with", {}):
        if key not in inputs:
            failures.append(f"ci.yml job {job} passes {key}, which action.yml has no input for")

# bootstrap.sh --arches, which the action's arches input is passed to,
# refuses an architecture it cannot build for before it installs anything.
run = subprocess.run(["sh", os.path.join(src, "scripts", "bootstrap.sh"), "--arches", "sparc"],
                     capture_output=True, text=True)
if run.returncode != 2 or "unknown architecture sparc" not in run.stderr:
    failures.append(f"bootstrap.sh --arches sparc: exit {run.returncode}, {run.stderr.strip()!r}")

for f in failures:
    print(f"FAIL: {f}")
if failures:
    sys.exit(1)
print(f"PASS: action.yml's {len(inputs)} inputs documented; ci.yml runs it on examples/downstream")
