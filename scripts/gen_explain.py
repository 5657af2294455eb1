#!/usr/bin/env python3
"""Generates assets/explain.json, the API schema `kubectl explain` prints, from the pinned k8s-openapi crate.

The crate's `JsonSchema` impls (behind its `schemars` feature, never compiled here) carry the OpenAPI
descriptions, types and required lists verbatim, so this script reads them as text: each
`json_schema!({...})` block becomes JSON once the `__gen.subschema_for::<T>()` calls are turned into
references. Only the kinds the simulator serves (the `objects!` table in src/api/object.rs) and the
types they reach are kept; each nested type is written once and fields refer to it by index.

k8s-openapi drops the enum values of string fields and the "Possible enum values:" list upstream
appends to their descriptions; both come back from the npm package kubernetes-models (pinned below),
whose .d.ts files carry each field's full upstream description as JSDoc and its enum as a union of
string literals in the spec's order (upstream sorts them, as in the list). Its types are those
of Kubernetes v1.36 (every GA type k8s-openapi's v1_36 has, and none of v1.37's; it also keeps
types removed long ago, which are never reached here). They are taken only where the package's description, without
that list, equals k8s-openapi's, so the two sources cannot disagree silently (mismatches are counted).
The package is fetched with `npm pack` into target/ on first use (or KUBERNETES_MODELS names an
extracted copy's `package` directory).

Rerun after bumping k8s-openapi:  python3 scripts/gen_explain.py  (from the repository root)

Output (one line of JSON):
  {"kinds": {"Pod": 12, ...},                       kind -> index of its root type
   "types": [[shortName, description, schemaType, [[field, description, type, required, enum?], ...]], ...]}
enum, present only when the field has one, is the list of its values in the spec's order.
A field type is "string" | "integer" | "number" | "boolean" | "object" | "#N" (type N) |
"[]T" (array of T) | "{}T" (map of string to T). schemaType is the named type's own OpenAPI `type`
("" when it has none, as Quantity and IntOrString), which decides how explain names it.
"""

import glob
import json
import os
import re
import subprocess
import sys
import tarfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CRATE = sorted(glob.glob(os.path.expanduser("~/.cargo/registry/src/*/k8s-openapi-0.29.0/src/v1_36")))
if not CRATE:
    sys.exit("k8s-openapi 0.29.0 is not in ~/.cargo/registry: run `cargo fetch` first")
CRATE = CRATE[0]

MODELS_VERSION = "5.1.0"

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


def models_dir():
    """The extracted kubernetes-models package, fetched with npm into target/ when not there yet."""
    if os.environ.get("KUBERNETES_MODELS"):
        return os.environ["KUBERNETES_MODELS"]
    target = os.path.join(ROOT, "target", "kubernetes-models-" + MODELS_VERSION)
    package = os.path.join(target, "package")
    if not os.path.isdir(package):
        os.makedirs(target, exist_ok=True)
        spec = "kubernetes-models@" + MODELS_VERSION
        subprocess.run(["npm", "pack", "--loglevel=error", spec, "--pack-destination", target], check=True, stdout=subprocess.DEVNULL)
        with tarfile.open(os.path.join(target, "kubernetes-models-%s.tgz" % MODELS_VERSION)) as tgz:
            tgz.extractall(target, filter="data")
    return package


INTERFACE = re.compile(r"^export interface I\w+ \{\n(.*?)^\}", re.S | re.M)
MEMBER = re.compile(r"    /\*\*\n((?:     \*.*\n)*?)     \*/\n    \"(\w+)\"\??: ([^\n]*)\n")
ALIAS = re.compile(r"^export type \{ I\w+ as I(IoK8s\w+),", re.M)
UNION = re.compile(r'^"(?:[^"\\]|\\.)*"(?: \| "(?:[^"\\]|\\.)*")*;$')


def read_models():
    """{"IoK8sApiCoreV1PodSpec": {field: (description, enum values or None)}} from the package's
    .d.ts files: each interface's JSDoc'd members, named by the `IIoK8s...` alias it is exported as."""
    models = {}
    for file in sorted(glob.glob(os.path.join(models_dir(), "**", "*.d.ts"), recursive=True)):
        text = open(file, encoding="utf-8").read()
        interface, alias = INTERFACE.search(text), ALIAS.search(text)
        if not interface or not alias:
            continue
        fields = {}
        for doc, name, ty in MEMBER.findall(interface[1] + "\n"):
            lines = [line[len("     *") :].removeprefix(" ") for line in doc.splitlines()]
            description = "\n".join(lines).replace("\\*", "*").replace("\\/", "/")
            enum = [json.loads(v) for v in re.findall(r'"(?:[^"\\]|\\.)*"', ty)] if UNION.match(ty) else None
            fields[name] = (description, enum)
        models[alias[1]] = fields
    return models


ENUM_LIST = "\n\nPossible enum values:"


def with_enum(models, path, name, description, stats):
    """The field's description with upstream's "Possible enum values" list, and its enum values (None
    when it has none), from the package where its description agrees with k8s-openapi's."""
    key = "IoK8s" + "".join(s[:1].upper() + s[1:] for s in path.split("::"))
    description_full, enum = models.get(key, {}).get(name, (None, None))
    if description_full is None or ENUM_LIST not in description_full:
        return description, None
    prefix, listed = description_full.split(ENUM_LIST, 1)
    if prefix != description:
        stats["mismatch"] += 1
        print(f"description differs, enum left out: {key}.{name}", file=sys.stderr)
        return description, None
    values = re.findall(r'^ - `("(?:[^"\\]|\\.)*")`', listed, re.M)
    if enum is not None and [json.loads(v) for v in values] != enum:
        sys.exit(f"{key}.{name}: the union's order differs from the Possible enum values list")
    stats["enum"] += 1
    return description + ENUM_LIST + listed, enum


def root_kinds():
    """(kind, crate path) for every kind the api-server serves, from the `objects!` table."""
    text = open(os.path.join(ROOT, "src/api/object.rs"), encoding="utf-8").read()
    table = text[text.index("objects! {") :]
    table = table[: table.index("\n}")]
    return [(kind, "api::" + path) for kind, path in re.findall(r"(\w+)\(([\w:]+)\),", table)]


class Generator:
    def __init__(self, models):
        self.models = models
        self.stats = {"enum": 0, "mismatch": 0}
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
            description, enum = with_enum(self.models, path, name, prop.get("description", ""), self.stats)
            field = [name, description, self.field_type(prop), int(name in required)]
            fields.append(field + [enum] if enum else field)
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
    gen = Generator(read_models())
    kinds = {kind: gen.type_index(path) for kind, path in root_kinds()}
    out = os.path.join(ROOT, "assets/explain.json")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"kinds": kinds, "types": gen.types}, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    print(f"{out}: {len(kinds)} kinds, {len(gen.types)} types, {os.path.getsize(out)} bytes")
    stats = gen.stats
    print(f"enums: {stats['enum']} fields, {stats['mismatch']} left out because the descriptions differ")


main()
