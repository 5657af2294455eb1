//! `kubectl apply -f -`: client-side apply (the `kubectl.kubernetes.io/last-applied-configuration`
//! annotation and the three-way strategic merge of `merge`: created / configured / unchanged), and a
//! basic `--server-side` apply (the manifest merged over the live object, without managed fields).

pub mod merge;

use serde_json::{Map, Value};

use super::builder::{self, server_message};
use super::context::Kubectl;
use super::create::subcommand::{self, DryRun, LAST_APPLIED, Printer};
use super::flags::{Flag, Parsed};
use super::manifest::Document;
use super::mutate::{self, FILE_FLAGS, PRINT_FLAGS, WRITE_FLAGS};
use crate::api::{Kind, Object};
use crate::apiserver::patch::{Patch, apply_patch};
use crate::apiserver::{PatchOptions, Reason, WriteOptions};

const FLAGS: &[Flag] = &[
    Flag::bool("all", None),
    Flag::optional("cascade", None, "background"),
    Flag::bool("force", None),
    Flag::bool("force-conflicts", None),
    Flag::int("grace-period", None),
    Flag::bool("openapi-patch", None),
    Flag::bool("overwrite", None),
    Flag::bool("prune", None),
    Flag::array("prune-allowlist", None),
    Flag::string("selector", Some('l')),
    Flag::bool("server-side", None),
    Flag::string("subresource", None),
    Flag::string("timeout", None),
    Flag::optional("validate", None, "strict"),
    Flag::bool("wait", None),
];

/// The manifest as apply sends it: the namespace filled in, and (for client-side apply) its own JSON in
/// the last-applied annotation, computed with an empty annotation map in place as kubectl does.
pub fn with_last_applied(mut value: Value, kind: Kind) -> Value {
    if let Some(meta) = value.get_mut("metadata").and_then(Value::as_object_mut) {
        let annotations = meta.entry("annotations").or_insert_with(|| Value::Object(Map::new()));
        if let Some(a) = annotations.as_object_mut() {
            a.remove(LAST_APPLIED);
        } else {
            *annotations = Value::Object(Map::new());
        }
    }
    subcommand::save_config(&mut value, kind, false);
    value
}

fn set_namespace(value: &mut Value, kind: Kind, namespace: &str) {
    if !kind.namespaced() {
        return;
    }
    if let Some(meta) = value.get_mut("metadata").and_then(Value::as_object_mut)
        && meta.get("namespace").and_then(Value::as_str).is_none_or(str::is_empty)
    {
        meta.insert("namespace".into(), Value::String(namespace.to_string()));
    }
}

/// Drops `null`s, as kubectl does before creating.
fn prune_nulls(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|_, x| !x.is_null());
            m.values_mut().for_each(prune_nulls);
        }
        Value::Array(a) => a.iter_mut().for_each(prune_nulls),
        _ => {}
    }
}

pub fn run(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(p) = k.parse(&mutate::flags(&[FLAGS, FILE_FLAGS, PRINT_FLAGS, WRITE_FLAGS]), args) else { return };
    if !p.args.is_empty() {
        return k.help_error(&format!("Unexpected args: [{}]", p.args.join(" ")));
    }
    if p.all("filename").is_empty() && p.get("kustomize").is_none() {
        return k.error("must specify one of -f and -k");
    }
    let Some((dry_run, printer)) = mutate::dry_run_and_printer(k, &p) else { return };
    let server_side = p.bool("server-side");
    if p.bool("force-conflicts") && !server_side {
        return k.error("--force-conflicts only works with --server-side");
    }
    if server_side && dry_run == DryRun::Client {
        return k.error("--dry-run=client doesn't work with --server-side (did you mean --dry-run=server instead?)");
    }
    if server_side && p.bool("force") {
        return k.error("--force cannot be used with --server-side");
    }
    if p.bool("all") && p.get("selector").is_some_and(|s| !s.is_empty()) {
        return k.error("cannot set --all and --selector at the same time");
    }
    if p.has("subresource") && !server_side {
        return k.error("--subresource can only be specified for --server-side");
    }
    if let Some(dir) = p.get("kustomize") {
        return k.error(&format!("must build at directory: not a valid directory: evalsymlink failure on '{dir}' : lstat {dir}: no such file or directory"));
    }
    let docs = match builder::read_files(k, &p.all("filename")) {
        Ok(d) => d,
        Err(e) => return k.error(&e),
    };
    if docs.is_empty() {
        return k.error("no objects passed to apply");
    }
    let mut shown = Vec::new();
    let mut failed = false;
    for doc in docs {
        match apply_one(k, &p, dry_run, &printer, doc, server_side) {
            Ok(v) => shown.push(v),
            Err(e) => {
                k.out.fail(format!("{e}\n"));
                failed = true;
            }
        }
    }
    if matches!(printer, Printer::Yaml | Printer::Json | Printer::JsonPath(_) | Printer::GoTemplate(_))
        && !shown.is_empty()
    {
        let (kind, value) = if shown.len() == 1 {
            shown.remove(0)
        } else {
            let items: Vec<Value> = shown.into_iter().map(|(_, v)| v).collect();
            (Kind::Pod, serde_json::json!({"apiVersion": "v1", "items": items, "kind": "List", "metadata": {}}))
        };
        subcommand::print(k, &printer, dry_run, kind, &value, false);
    }
    if failed {
        k.out.exit_code = 1;
    }
}

/// Applies one document; returns what to print with `-o`, or the error line.
fn apply_one(
    k: &mut Kubectl<'_>,
    p: &Parsed,
    dry_run: DryRun,
    printer: &Printer,
    doc: Document,
    server_side: bool,
) -> Result<(Kind, Value), String> {
    let kind = doc.kind;
    let namespace = Kubectl::namespace(p);
    if let (Some(want), Some(obj_ns)) = (p.get("namespace").filter(|n| !n.is_empty()), doc.namespace())
        && kind.namespaced()
        && want != obj_ns
    {
        return Err(format!(
            "error: the namespace from the provided object \"{obj_ns}\" does not match the namespace \"{want}\". You must pass '--namespace={obj_ns}' to perform this operation."
        ));
    }
    let name = doc.name().to_string();
    if name.is_empty() {
        return Err(match doc.value.pointer("/metadata/generateName").and_then(Value::as_str) {
            Some(g) => format!("error: from {g}: cannot use generate name with apply"),
            None => "error: error when retrieving current configuration of:\nResource: \"\", Name: \"\", Namespace: \"\"\nfrom server for: \"STDIN\": resource name may not be empty".into(),
        });
    }
    let mut value = doc.value;
    set_namespace(&mut value, kind, &namespace);
    let ns = kind
        .namespaced()
        .then(|| value.pointer("/metadata/namespace").and_then(Value::as_str).unwrap_or(&namespace).to_string());
    let who = Kubectl::identity(p);
    let current = match k.cluster.api_mut().get(&who, kind, ns.as_deref(), &name) {
        Ok(o) => Some(o.to_value()),
        Err(e) if e.reason == Reason::NotFound => None,
        Err(e) => return Err(server_message(&e)),
    };
    let modified = if server_side { value } else { with_last_applied(value, kind) };
    let Some(current) = current else {
        let mut obj = modified;
        prune_nulls(&mut obj);
        let created = if dry_run == DryRun::Client {
            obj
        } else {
            let typed = Object::from_value(kind, obj).map_err(|e| format!("error: unable to decode \"STDIN\": {e}"))?;
            let opts = WriteOptions { dry_run: dry_run == DryRun::Server };
            match k.cluster.api_mut().create(&who, typed, &opts) {
                Ok(o) => o.to_value(),
                Err(e) => {
                    return Err(format!(
                        "Error from server ({}): error when creating \"STDIN\": {}",
                        e.reason.as_str(),
                        e.message
                    ));
                }
            }
        };
        report(k, printer, dry_run, kind, &created, if server_side { "serverside-applied" } else { "created" });
        return Ok((kind, created));
    };
    let patch = if server_side {
        modified
    } else {
        if current.pointer("/metadata/annotations").and_then(|a| a.get(LAST_APPLIED)).is_none() {
            k.out.err(format!("Warning: resource {}/{name} is missing the {LAST_APPLIED} annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.\n", kind.qualified_plural()));
        }
        let original = current
            .pointer("/metadata/annotations")
            .and_then(|a| a.get(LAST_APPLIED))
            .and_then(Value::as_str)
            .and_then(|s| serde_json::from_str::<Value>(s).ok())
            .unwrap_or(Value::Object(Map::new()));
        merge::three_way(&original, &modified, &current)
    };
    let unchanged = patch.as_object().is_some_and(Map::is_empty);
    let result = if unchanged && !server_side {
        current
    } else if dry_run == DryRun::Client {
        apply_patch(kind, &current, &Patch::Strategic(patch.clone())).map_err(|e| server_message(&e))?
    } else {
        let opts = PatchOptions { status: false, dry_run: dry_run == DryRun::Server };
        match k.cluster.api_mut().patch(&who, kind, ns.as_deref(), &name, &Patch::Strategic(patch.clone()), &opts) {
            Ok(o) => o.to_value(),
            Err(e) => {
                let patch_json = crate::kubectl::printers::json::to_json_compact_sorted(&patch);
                return Err(format!(
                    "Error from server ({}): error when applying patch:\n{patch_json}\nto:\nResource: \"{}/{}, Resource={}\", GroupVersionKind: \"{}, Kind={}\"\nName: \"{name}\", Namespace: \"{}\"\nfor: \"STDIN\": error when patching \"STDIN\": {}",
                    e.reason.as_str(),
                    kind.group(),
                    kind.api_version().rsplit('/').next().unwrap_or("v1"),
                    kind.plural(),
                    kind.api_version(),
                    kind.as_str(),
                    ns.as_deref().unwrap_or(""),
                    e.message
                ));
            }
        }
    };
    let op = if server_side {
        "serverside-applied"
    } else if unchanged {
        "unchanged"
    } else {
        "configured"
    };
    report(k, printer, dry_run, kind, &result, op);
    Ok((kind, result))
}

/// The per-object line; objects asked for with `-o yaml|json|jsonpath` print together at the end.
fn report(k: &mut Kubectl<'_>, printer: &Printer, dry_run: DryRun, kind: Kind, value: &Value, op: &str) {
    if matches!(printer, Printer::Success | Printer::Name) {
        mutate::print_op(k, printer, dry_run, kind, value, op);
    }
}
