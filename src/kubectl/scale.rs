//! `kubectl scale`: sets `spec.replicas` of deployments, replica sets and stateful sets (through the
//! scale subresource, which the simulation serves as a patch of `spec.replicas`), with the
//! `--current-replicas` and `--resource-version` preconditions.

use serde_json::json;

use super::builder::{self, Options};
use super::context::Kubectl;
use super::create::subcommand::DryRun;
use super::flags::Flag;
use super::mutate::{self, FILE_FLAGS, PRINT_FLAGS, WRITE_FLAGS};
use crate::api::Kind;
use crate::apiserver::patch::Patch;

const FLAGS: &[Flag] = &[
    Flag::bool("all", None),
    Flag::int("current-replicas", None),
    Flag::int("replicas", None),
    Flag::string("resource-version", None),
    Flag::string("selector", Some('l')),
    Flag::string("timeout", None),
];

/// Whether the kind serves the scale subresource.
pub fn scalable(kind: Kind) -> bool {
    matches!(kind, Kind::Deployment | Kind::ReplicaSet | Kind::StatefulSet)
}

pub fn run(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(p) = k.parse(&mutate::flags(&[FLAGS, FILE_FLAGS, PRINT_FLAGS, WRITE_FLAGS]), args) else { return };
    if !p.has("replicas") {
        return k.error("required flag(s) \"replicas\" not set");
    }
    let Some((dry_run, printer)) = mutate::dry_run_and_printer(k, &p) else { return };
    let replicas = p.int("replicas").unwrap_or(0);
    if replicas < 0 {
        return k.error("The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0");
    }
    let current = p.int("current-replicas").unwrap_or(-1);
    if current < -1 {
        return k.error("The --current-replicas must specify an integer of -1 or greater");
    }
    let opts = Options { allow_listing: true, local: false };
    let found = match builder::find(k, &p, &p.args.clone(), opts) {
        Ok(f) => f,
        Err(e) => return k.error(&e),
    };
    let resource_version = p.get("resource-version").unwrap_or("").to_string();
    if !resource_version.is_empty() && found.infos.len() > 1 {
        return k.error("cannot use --resource-version with multiple resources");
    }
    if found.infos.is_empty() {
        builder::report_errors(k, &found.errors);
        if found.errors.is_empty() {
            k.error("no objects passed to scale");
        }
        return;
    }
    for info in &found.infos {
        let mut value = info.value.clone();
        if dry_run != DryRun::Client {
            if !scalable(info.kind) {
                return k.out.fail("Error from server (NotFound): the server could not find the requested resource\n");
            }
            let actual = value.pointer("/spec/replicas").and_then(|v| v.as_i64()).unwrap_or(1);
            if current >= 0 && actual != current {
                return k.error(&format!("Expected replicas to be {current}, was {actual}"));
            }
            let rv = value.pointer("/metadata/resourceVersion").and_then(|v| v.as_str()).unwrap_or("");
            if !resource_version.is_empty() && rv != resource_version {
                return k.error(&format!("Expected resource version to be {resource_version}, was {rv}"));
            }
            let patch = Patch::Merge(json!({"spec": {"replicas": replicas}}));
            match mutate::send_patch(k, &p, info, patch, dry_run, false) {
                Ok(v) => value = v,
                Err(e) => return k.out.fail(format!("{e}\n")),
            }
        } else if let Some(spec) = value.get_mut("spec").and_then(|s| s.as_object_mut()) {
            spec.insert("replicas".into(), json!(replicas));
        }
        mutate::print_op(k, &printer, dry_run, info.kind, &value, "scaled");
    }
    builder::report_errors(k, &found.errors);
}
