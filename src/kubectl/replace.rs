//! `kubectl replace -f -`: each manifest object PUT over the live one (at the live resourceVersion
//! unless the manifest names one): "replaced". `--force` deletes and re-creates it instead.

use serde_json::Value;

use super::builder::{self, server_message};
use super::context::Kubectl;
use super::create::subcommand::{DryRun, save_config};
use super::flags::Flag;
use super::mutate::{self, FILE_FLAGS, PRINT_FLAGS, WRITE_FLAGS};
use super::waiting;
use crate::api::Object;
use crate::apiserver::{DeleteOptions, WriteOptions};

const FLAGS: &[Flag] = &[
    Flag::optional("cascade", None, "background"),
    Flag::bool("force", None),
    Flag::int("grace-period", None),
    Flag::string("raw", None),
    Flag::bool("save-config", None),
    Flag::string("subresource", None),
    Flag::string("timeout", None),
    Flag::optional("validate", None, "strict"),
    Flag::bool("wait", None),
];

pub fn run(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(p) = k.parse(&mutate::flags(&[FLAGS, FILE_FLAGS, PRINT_FLAGS, WRITE_FLAGS]), args) else { return };
    if p.all("filename").is_empty() && p.get("kustomize").is_none() {
        return k.error("must specify one of -f and -k");
    }
    let Some((dry_run, printer)) = mutate::dry_run_and_printer(k, &p) else { return };
    let force = p.bool("force");
    if p.has("grace-period") && !force {
        return k.error("--grace-period must have --force specified");
    }
    if p.has("timeout") && !force {
        return k.error("--timeout must have --force specified");
    }
    if force && dry_run != DryRun::None {
        return k.error("--dry-run can not be used when --force is set");
    }
    let docs = match builder::read_files(k, &p.all("filename")) {
        Ok(d) => d,
        Err(e) => return k.error(&e),
    };
    if docs.is_empty() {
        return k.error("no objects passed to replace");
    }
    let namespace = Kubectl::namespace(&p);
    let who = Kubectl::identity(&p);
    let mut errors = Vec::new();
    for doc in docs {
        let kind = doc.kind;
        let ns = kind.namespaced().then(|| doc.namespace().unwrap_or(&namespace).to_string());
        let name = doc.name().to_string();
        let mut value = doc.value;
        if let (Some(ns), Some(meta)) = (&ns, value.get_mut("metadata").and_then(Value::as_object_mut)) {
            meta.insert("namespace".into(), Value::String(ns.clone()));
        }
        if p.bool("save-config") {
            save_config(&mut value, kind, false);
        }
        let current = match k.cluster.api_mut().get(&who, kind, ns.as_deref(), &name) {
            Ok(o) => o,
            Err(e) => {
                errors.push(format!(
                    "Error from server ({}): error when replacing \"STDIN\": {}",
                    e.reason.as_str(),
                    e.message
                ));
                continue;
            }
        };
        if force {
            let grace = p.int("grace-period").unwrap_or(-1);
            let opts =
                DeleteOptions { grace_period_seconds: (grace >= 0).then_some(grace), ..DeleteOptions::default() };
            if let Err(e) = k.cluster.api_mut().delete(&who, kind, ns.as_deref(), &name, &opts) {
                errors.push(server_message(&e));
                continue;
            }
            let info = builder::Info {
                kind,
                namespace: ns.clone(),
                name: name.clone(),
                value: current.to_value(),
                source: Some("STDIN"),
            };
            super::delete::print_deleted(k, &info, "deleted", "", DryRun::None);
            let uid = current.uid().to_string();
            waiting::until(k.cluster, waiting::FOREVER, |c| {
                c.api().peek(kind, ns.as_deref(), &name).is_none_or(|o| o.uid() != uid.as_str())
            });
            if let Some(meta) = value.get_mut("metadata").and_then(Value::as_object_mut) {
                meta.remove("resourceVersion");
            }
            let created = Object::from_value(kind, value).map_err(|e| e.to_string()).and_then(|o| {
                k.cluster.api_mut().create(&who, o, &WriteOptions::default()).map_err(|e| server_message(&e))
            });
            match created {
                Ok(o) => mutate::print_op(k, &printer, dry_run, kind, &o.to_value(), "replaced"),
                Err(e) => errors.push(e),
            }
            continue;
        }
        if value.pointer("/metadata/resourceVersion").and_then(Value::as_str).is_none_or(str::is_empty)
            && let Some(meta) = value.get_mut("metadata").and_then(Value::as_object_mut)
        {
            meta.insert("resourceVersion".into(), Value::String(current.resource_version().to_string()));
        }
        match mutate::send_update(k, &p, kind, value, dry_run) {
            Ok(v) => mutate::print_op(k, &printer, dry_run, kind, &v, "replaced"),
            Err(e) => errors.push(e.replacen("): ", "): error when replacing \"STDIN\": ", 1)),
        }
    }
    builder::report_errors(k, &errors);
}
