#!/usr/bin/python3
"""validate-json.py SCHEMA KIND FILE...: each FILE (a statictls JSON document)
against $defs/KIND of SCHEMA (docs/statictls.schema.json).  Exit 0 all
valid, 1 one is not (the first error is printed), 77 without
python3-jsonschema (scripts/bootstrap.sh installs it)."""
import json
import sys

try:
    import jsonschema
except ImportError:
    print("python3-jsonschema is not installed: apt-get install python3-jsonschema")
    sys.exit(77)

schema_path, kind, files = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(schema_path, encoding="utf-8") as f:
    schema = json.load(f)
if kind not in schema["$defs"]:
    print(f"{schema_path}: no $defs/{kind}")
    sys.exit(2)
# The newest draft this jsonschema knows (Ubuntu 22.04 and EL9 ship 3.2,
# without 2020-12); the schema's keywords mean the same in draft 7.
validator_class = next(getattr(jsonschema, name) for name in
                       ("Draft202012Validator", "Draft7Validator", "Draft4Validator")
                       if hasattr(jsonschema, name))
validator = validator_class({"$ref": f"#/$defs/{kind}", "$defs": schema["$defs"]})
status = 0
for path in files:
    with open(path, "rb") as f:
        raw = f.read()
    try:
        document = json.loads(raw.decode("utf-8"))  # strict: invalid UTF-8 fails here
    except (UnicodeDecodeError, ValueError) as e:
        print(f"{path}: not valid UTF-8 JSON: {e}")
        status = 1
        continue
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    # The header names the command that wrote it: KIND's own (sweep_file: sweep).
    command = kind.split("_")[0]
    if not errors and document.get("command") != command:
        print(f"{path}: {kind}: written by \"{document.get('command')}\", not by {command}")
        status = 1
    elif errors:
        e = errors[0]
        print(f"{path}: {kind}: at /{'/'.join(map(str, e.path))}: {e.message}")
        status = 1
    else:
        print(f"{path}: valid {kind} (schema_version {document['schema_version']})")
sys.exit(status)
