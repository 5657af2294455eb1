#!/usr/bin/env python3
"""Generates assets/explain.json, the API schema `kubectl explain` prints, from the pinned k8s-openapi crate.

The crate's `JsonSchema` impls (behind its `schemars` feature, never compiled here) carry the OpenAPI
descriptions, types and required lists verbatim, so this script reads them as text: each
`json_schema!({...})` block becomes JSON once the `__gen.subschema_for::<T>()` calls are turned into
references. Only the kinds the simulator serves (the `objects!` table in src/api/object.rs) and the
types they reach are kept; each nested type is written once and fields refer to it by index.

Rerun after bumping k8s-openapi:  python3 scripts/gen_explain.py  (from the repository root)

Output (one line of JSON):
  {"kinds": {"Pod": 12, ...},                       kind -> index of its root type
   "types": [[shortName, description, schemaType, [[field, description, type, required], ...]], ...]}
A field type is "string" | "integer" | "number" | "boolean" | "object" | "#N" (type N) |
"[]T" (array of T) | "{}T" (map of string to T). schemaType is the named type's own OpenAPI `type`
("" when it has none, as Quantity and IntOrString), which decides how explain names it.
"""

import glob
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CRATE = sorted(glob.glob(os.path.expanduser("~/.cargo/registry/src/*/k8s-openapi-0.29.0/src/v1_36")))
if not CRATE:
    sys.exit("k8s-openapi 0.29.0 is not in ~/.cargo/registry: run `cargo fetch` first")
CRATE = CRATE[0]

STRING = r'"(?:[^"\\]|\\.)*"'
PATH = r"crate::([A-Za-z0-9_:]+)"
WITH_DESCRIPTION = re.compile(
    r"\(\{\s*let mut schema_obj = __gen\.subschema_for::<" + PATH + r">\(\);\s*"
    r'schema_obj\.ensure_object\(\)\.insert\("description"\.into\(\), (' + STRING + r")\.into\(\)\);\s*"
    r"schema_obj\s*\}\)"
)
BARE = re.compile(r"\(?__gen\.subschema_for::<" + PATH + r">\(\)\)?")
TRAILING_COMMA = re.compile("(" + STRING + r")|,(\s*[}\]])")


def schema_of(path):
    """The JSON schema in the file defining `path` (a crate path such as `api::core::v1::Pod`)."""
    *modules, name = path.split("::")
    directory = os.path.join(CRATE, *modules)
    for file in sorted(glob.glob(os.path.join(directory, "*.rs"))):
        text = open(file, encoding="utf-8").read()
        if re.search(r"pub (?:struct|enum) " + name + r"\b", text) and "json_schema!(" in text:
            start = text.index("json_schema!(") + len("json_schema!(")
            end = text.index("\n        })\n", start) + len("\n        }")
            body = text[start:end]
            body = WITH_DESCRIPTION.sub(lambda m: '{"$ref": "%s", "description": %s}' % (m[1], m[2]), body)
            body = BARE.sub(lambda m: '{"$ref": "%s"}' % m[1], body)
            body = TRAILING_COMMA.sub(lambda m: m[1] or m[2], body)
            return json.loads(body)
    sys.exit(f"no schema for {path}")


def root_kinds():
    """(kind, crate path) for every kind the api-server serves, from the `objects!` table."""
    text = open(os.path.join(ROOT, "src/api/object.rs"), encoding="utf-8").read()
    table = text[text.index("objects! {") :]
    table = table[: table.index("\n}")]
    return [(kind, "api::" + path) for kind, path in re.findall(r"(\w+)\(([\w:]+)\),", table)]


class Generator:
    def __init__(self):
        self.index = {}
        self.types = []

    def type_index(self, path):
        if path in self.index:
            return self.index[path]
        n = len(self.types)
        self.index[path] = n
        self.types.append(None)
        schema = schema_of(path)
        properties = schema.get("properties", {})
        required = set(schema.get("required", []))
        if "apiVersion" in properties and "kind" in properties:
            # k8s-openapi marks `metadata` required because its Rust field is not optional; the
            # api-server's OpenAPI does not.
            required.discard("metadata")
        fields = []
        for name in sorted(properties, key=lambda s: s.encode()):
            prop = properties[name]
            fields.append([name, prop.get("description", ""), self.field_type(prop), int(name in required)])
        self.types[n] = [path.rsplit("::", 1)[-1], schema.get("description", ""), schema.get("type", ""), fields]
        return n

    def field_type(self, prop):
        if "$ref" in prop:
            return "#%d" % self.type_index(prop["$ref"])
        if "items" in prop:
            return "[]" + self.field_type(prop["items"])
        if "additionalProperties" in prop:
            return "{}" + self.field_type(prop["additionalProperties"])
        kind = prop.get("type", "object")
        if kind not in ("string", "integer", "number", "boolean", "object"):
            sys.exit(f"unexpected schema {prop}")
        return kind


def main():
    gen = Generator()
    kinds = {kind: gen.type_index(path) for kind, path in root_kinds()}
    out = os.path.join(ROOT, "assets/explain.json")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"kinds": kinds, "types": gen.types}, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    print(f"{out}: {len(kinds)} kinds, {len(gen.types)} types, {os.path.getsize(out)} bytes")


main()
