//! `kubectl rollout history` (the revisions of a Deployment's ReplicaSets, or of a DaemonSet's or
//! StatefulSet's ControllerRevisions, with their change causes) and `kubectl rollout undo` (a
//! Deployment's template put back from the ReplicaSet of the wanted revision, as kubectl's JSON patch).

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::super::builder::{Info, report_errors, server_message};
use super::super::context::Kubectl;
use super::super::create::subcommand::DryRun;
use super::super::flags::{Flag, Parsed};
use super::super::mutate::{self, FILE_FLAGS, PRINT_FLAGS, WRITE_FLAGS};
use crate::api::Kind;
use crate::apiserver::ListOptions;
use crate::apiserver::patch::Patch;

const HISTORY_FLAGS: &[Flag] = &[Flag::int("revision", None), Flag::string("selector", Some('l'))];
const UNDO_FLAGS: &[Flag] = &[Flag::int("to-revision", None), Flag::string("selector", Some('l'))];

const REVISION: &str = "deployment.kubernetes.io/revision";
const CHANGE_CAUSE: &str = "kubernetes.io/change-cause";
const HASH_LABEL: &str = "pod-template-hash";

/// Annotations a rollback keeps from the Deployment rather than taking from the ReplicaSet.
const ANNOTATIONS_TO_SKIP: &[&str] = &[
    "kubectl.kubernetes.io/last-applied-configuration",
    REVISION,
    "deployment.kubernetes.io/revision-history",
    "deployment.kubernetes.io/desired-replicas",
    "deployment.kubernetes.io/max-replicas",
    "deprecated.deployment.rollback.to",
];

fn annotation<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.pointer("/metadata/annotations").and_then(|a| a.get(key)).and_then(Value::as_str)
}

/// The owned history of an object: revision → (object holding the template, change cause). For a
/// Deployment the ReplicaSets it controls; for the others their ControllerRevisions.
fn revisions(k: &mut Kubectl<'_>, p: &Parsed, info: &Info) -> Result<BTreeMap<i64, (Value, String)>, String> {
    let uid = info.value.pointer("/metadata/uid").and_then(Value::as_str).unwrap_or("").to_string();
    let kind = if info.kind == Kind::Deployment { Kind::ReplicaSet } else { Kind::ControllerRevision };
    let who = Kubectl::identity(p);
    let list = k
        .cluster
        .api_mut()
        .list(&who, kind, info.namespace.as_deref(), &ListOptions::default())
        .map_err(|e| server_message(&e))?;
    let mut out = BTreeMap::new();
    for obj in list.items {
        let owned = obj.meta().owner_references.iter().flatten().any(|r| r.controller == Some(true) && r.uid == uid);
        if !owned {
            continue;
        }
        let v = obj.to_value();
        let revision = if kind == Kind::ReplicaSet {
            annotation(&v, REVISION).and_then(|r| r.parse().ok())
        } else {
            v.get("revision").and_then(Value::as_i64)
        };
        let Some(revision) = revision else { continue };
        let cause = annotation(&v, CHANGE_CAUSE).unwrap_or("").to_string();
        out.insert(revision, (v, cause));
    }
    Ok(out)
}

/// kubectl's history table (a tabwriter with minwidth 0, tabwidth 8, padding 2).
fn table(history: &BTreeMap<i64, (Value, String)>) -> String {
    let rows: Vec<(String, String)> = history
        .iter()
        .map(|(r, (_, cause))| (r.to_string(), if cause.is_empty() { "<none>".into() } else { cause.clone() }))
        .collect();
    let width = rows.iter().map(|(r, _)| r.len()).chain(std::iter::once("REVISION".len())).max().unwrap_or(8) + 2;
    let mut out = format!("{:<width$}CHANGE-CAUSE\n", "REVISION");
    for (r, c) in rows {
        out.push_str(&format!("{r:<width$}{c}\n"));
    }
    out
}

/// The pod template of a revision, as `--revision=N` shows it.
fn template_of(kind: Kind, holder: &Value) -> Value {
    if kind == Kind::Deployment {
        holder.pointer("/spec/template").cloned().unwrap_or(Value::Null)
    } else {
        holder.pointer("/data/spec/template").cloned().unwrap_or(Value::Null)
    }
}

pub fn run_history(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(p) = k.parse(&mutate::flags(&[HISTORY_FLAGS, FILE_FLAGS, PRINT_FLAGS]), args) else { return };
    let Some(printer) = super::super::create::subcommand::printer(k, &p) else { return };
    let revision = p.int("revision").unwrap_or(0);
    let Some(found) = super::find(k, &p) else { return };
    for info in &found.infos {
        if !matches!(info.kind, Kind::Deployment | Kind::DaemonSet | Kind::StatefulSet) {
            return k.error(&format!("no history viewer has been implemented for {:?}", info.kind.as_str()));
        }
        let history = match revisions(k, &p, info) {
            Ok(h) => h,
            Err(e) => return k.out.fail(format!("{e}\n")),
        };
        if history.is_empty() {
            k.out.out(format!("{} \nNo rollout history found.\n", info.qualified()));
            continue;
        }
        if revision > 0 {
            let Some((holder, _)) = history.get(&revision) else {
                return k.error("unable to find the specified revision");
            };
            let template = template_of(info.kind, holder);
            if !matches!(printer, super::super::create::subcommand::Printer::Success) {
                mutate::print_op(k, &printer, DryRun::None, info.kind, holder, "");
                continue;
            }
            let yaml = crate::kubectl::printers::yaml::to_yaml(&template).unwrap_or_default();
            k.out.out(format!("{} with revision #{revision}\nPod Template:\n", info.qualified()));
            for line in yaml.lines() {
                k.out.out(format!("  {line}\n"));
            }
            k.out.out("\n");
            continue;
        }
        k.out.out(format!("{} \n{}\n", info.qualified(), table(&history)));
    }
    report_errors(k, &found.errors);
}

/// Whether two templates are equal once the ReplicaSet's hash label is set aside.
fn equal_ignore_hash(a: &Value, b: &Value) -> bool {
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Some(labels) = v.pointer_mut("/metadata/labels").and_then(Value::as_object_mut) {
            labels.remove(HASH_LABEL);
        }
        v
    };
    strip(a) == strip(b)
}

pub fn run_undo(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(p) = k.parse(&mutate::flags(&[UNDO_FLAGS, FILE_FLAGS, PRINT_FLAGS, WRITE_FLAGS]), args) else {
        return;
    };
    let Some((dry_run, printer)) = mutate::dry_run_and_printer(k, &p) else { return };
    let to_revision = p.int("to-revision").unwrap_or(0);
    let Some(found) = super::find(k, &p) else { return };
    for info in &found.infos {
        if info.kind != Kind::Deployment {
            return k.error(&format!(
                "no rollbacker has been implemented for {:?}",
                super::status::qualified_kind(info.kind)
            ));
        }
        match rollback(k, &p, info, to_revision, dry_run) {
            Ok(op) => mutate::print_op(k, &printer, dry_run, info.kind, &info.value, &op),
            Err(e) => return k.error(&e),
        }
    }
    report_errors(k, &found.errors);
}

/// kubectl's DeploymentRollbacker; returns the operation word for the success line.
fn rollback(k: &mut Kubectl<'_>, p: &Parsed, info: &Info, to_revision: i64, dry_run: DryRun) -> Result<String, String> {
    if to_revision < 0 {
        return Err(format!("unable to find specified revision {to_revision} in history"));
    }
    let history = revisions(k, p, info)?;
    let target = if to_revision > 0 {
        history
            .get(&to_revision)
            .ok_or_else(|| format!("unable to find specified revision {to_revision} in history"))?
    } else {
        let mut newest = history.iter().rev();
        newest.next();
        newest
            .next()
            .map(|(_, h)| h)
            .ok_or_else(|| format!("no rollout history found for deployment {:?}", info.name))?
    };
    let (rs, _) = target;
    let current_template = info.value.pointer("/spec/template").cloned().unwrap_or(Value::Null);
    let mut template = rs.pointer("/spec/template").cloned().unwrap_or(Value::Null);
    if info.value.pointer("/spec/paused").and_then(Value::as_bool) == Some(true) && dry_run != DryRun::Client {
        return Err(
            "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again"
                .into(),
        );
    }
    let revision = annotation(rs, REVISION).unwrap_or("0");
    if equal_ignore_hash(&template, &current_template) {
        return Ok(format!("skipped rollback (current template already matches revision {revision})"));
    }
    if let Some(labels) = template.pointer_mut("/metadata/labels").and_then(Value::as_object_mut) {
        labels.remove(HASH_LABEL);
    }
    let mut annotations = Map::new();
    for key in ANNOTATIONS_TO_SKIP {
        if let Some(v) = annotation(&info.value, key) {
            annotations.insert((*key).to_string(), Value::String(v.to_string()));
        }
    }
    if let Some(a) = rs.pointer("/metadata/annotations").and_then(Value::as_object) {
        for (key, v) in a {
            if !ANNOTATIONS_TO_SKIP.contains(&key.as_str()) {
                annotations.insert(key.clone(), v.clone());
            }
        }
    }
    if dry_run == DryRun::Client {
        return Ok("rolled back".into());
    }
    let patch = Patch::Json(json!([
        {"op": "replace", "path": "/spec/template", "value": template},
        {"op": "replace", "path": "/metadata/annotations", "value": annotations},
    ]));
    mutate::send_patch(k, p, info, patch, dry_run, false).map_err(|e| {
        format!("failed restoring revision {to_revision}: {}", e.trim_start_matches("Error from server "))
    })?;
    Ok("rolled back".into())
}
