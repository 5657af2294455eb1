//! `kubectl rollout pause|resume|restart`: patch `spec.paused`, or stamp the pod template with
//! `kubectl.kubernetes.io/restartedAt` (at virtual time), with kubectl's per-object errors.

use serde_json::{Value, json};

use super::super::builder::{Info, report_errors};
use super::super::context::Kubectl;
use super::super::create::subcommand::DryRun;
use super::super::flags::Flag;
use super::super::mutate::{self, FILE_FLAGS, PRINT_FLAGS};
use crate::api::Kind;
use crate::apiserver::patch::Patch;

const FLAGS: &[Flag] = &[Flag::string("selector", Some('l')), Flag::string("field-manager", None)];

/// What one subcommand does to one object: the patch, or why not.
type Change = fn(&Info, &str) -> Result<Value, &'static str>;

fn paused(info: &Info) -> bool {
    info.value.pointer("/spec/paused").and_then(Value::as_bool) == Some(true)
}

fn pause(info: &Info, _: &str) -> Result<Value, &'static str> {
    match info.kind {
        Kind::Deployment if paused(info) => Err("is already paused"),
        Kind::Deployment => Ok(json!({"spec": {"paused": true}})),
        _ => Err("pausing is not supported"),
    }
}

fn resume(info: &Info, _: &str) -> Result<Value, &'static str> {
    match info.kind {
        Kind::Deployment if !paused(info) => Err("is not paused"),
        Kind::Deployment => Ok(json!({"spec": {"paused": null}})),
        _ => Err("resuming is not supported"),
    }
}

fn restart(info: &Info, now: &str) -> Result<Value, &'static str> {
    match info.kind {
        Kind::Deployment if paused(info) => Err("can't restart paused deployment (run rollout resume first)"),
        Kind::Deployment | Kind::DaemonSet | Kind::StatefulSet => {
            Ok(json!({"spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": now}}}}}))
        }
        _ => Err("restarting is not supported"),
    }
}

fn run(k: &mut Kubectl<'_>, args: &[String], change: Change, op: &str) {
    let Some(p) = k.parse(&mutate::flags(&[FLAGS, FILE_FLAGS, PRINT_FLAGS]), args) else { return };
    let Some(printer) = super::super::create::subcommand::printer(k, &p) else { return };
    let Some(found) = super::find(k, &p) else { return };
    if found.infos.is_empty() && found.errors.is_empty() {
        k.out.err(format!("No resources found in {} namespace.\n", Kubectl::namespace(&p)));
        return;
    }
    let now = {
        use k8s_openapi::jiff::{Timestamp, tz::TimeZone};
        let at = Timestamp::from_millisecond(k.now_ms()).unwrap_or(Timestamp::UNIX_EPOCH).to_zoned(TimeZone::UTC);
        at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
    };
    let mut errors = Vec::new();
    for info in &found.infos {
        let patch = match change(info, &now) {
            Ok(p) => p,
            Err(why) => {
                errors.push(format!("error: {} {why}", super::resource_string(info)));
                continue;
            }
        };
        match mutate::send_patch(k, &p, info, Patch::Strategic(patch), DryRun::None, false) {
            Ok(v) => mutate::print_op(k, &printer, DryRun::None, info.kind, &v, op),
            Err(e) => errors.push(format!("failed to patch: {e}")),
        }
    }
    errors.extend(found.errors);
    report_errors(k, &errors);
}

pub fn run_pause(k: &mut Kubectl<'_>, args: &[String]) {
    run(k, args, pause, "paused");
}

pub fn run_resume(k: &mut Kubectl<'_>, args: &[String]) {
    run(k, args, resume, "resumed");
}

pub fn run_restart(k: &mut Kubectl<'_>, args: &[String]) {
    run(k, args, restart, "restarted");
}
