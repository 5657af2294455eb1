//! `kubectl patch RESOURCE -p PATCH [--type strategic|merge|json] [--subresource status|scale]`, also
//! on `-f -` manifests with `--local`: "patched", or "patched (no change)" when the object came back
//! the same.

use serde_json::{Value, json};

use super::builder::{self, Options, server_message};
use super::context::Kubectl;
use super::create::subcommand::DryRun;
use super::flags::Flag;
use super::mutate::{self, FILE_FLAGS, PRINT_FLAGS, WRITE_FLAGS};
use crate::api::Kind;
use crate::apiserver::patch::{Patch, apply_patch};

const FLAGS: &[Flag] = &[
    Flag::bool("local", None),
    Flag::string("patch", Some('p')),
    Flag::string("patch-file", None),
    Flag::string("subresource", None),
    Flag::string("type", None),
];

/// Parses the patch text (JSON, or YAML that converts to JSON) as `--type` says.
pub fn parse_patch(text: &str, kind: &str) -> Result<Patch, String> {
    let value: Value = serde_json::from_str(text)
        .or_else(|_| serde_norway::from_str::<Value>(text))
        .map_err(|_| "invalid JSON document".to_string())?;
    Ok(match kind {
        "merge" => Patch::Merge(value),
        "json" => Patch::Json(value),
        _ => Patch::Strategic(value),
    })
}

pub fn run(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(p) = k.parse(&mutate::flags(&[FLAGS, FILE_FLAGS, PRINT_FLAGS, WRITE_FLAGS]), args) else { return };
    let Some((dry_run, printer)) = mutate::dry_run_and_printer(k, &p) else { return };
    let text = p.get("patch").unwrap_or("");
    let local = p.bool("local");
    if !text.is_empty() && p.get("patch-file").is_some_and(|f| !f.is_empty()) {
        return k.error("cannot specify --patch and --patch-file together");
    }
    if let Some(f) = p.get("patch-file").filter(|f| !f.is_empty()) {
        return k.error(&format!("unable to read patch file: open {f}: no such file or directory"));
    }
    if text.is_empty() {
        return k.error("must specify --patch or --patch-file containing the contents of the patch");
    }
    if local && !p.args.is_empty() {
        return k.error("cannot specify --local and server resources");
    }
    if local && dry_run == DryRun::Server {
        return k.error("cannot specify --local and --dry-run=server - did you mean --dry-run=client?");
    }
    let patch_type = p.get("type").unwrap_or("strategic");
    if !matches!(patch_type, "json" | "merge" | "strategic") {
        return k.error(&format!("--type must be one of [json merge strategic], not \"{patch_type}\""));
    }
    let subresource = p.get("subresource").unwrap_or("");
    if !matches!(subresource, "" | "status" | "scale") {
        return k.error(&format!("invalid subresource value: \"{subresource}\". Must be one of [status scale]"));
    }
    let patch = match parse_patch(text, patch_type) {
        Ok(patch) => patch,
        Err(e) => return k.error(&e),
    };
    let found = match builder::find(k, &p, &p.args.clone(), Options { allow_listing: false, local }) {
        Ok(f) => f,
        Err(e) => return k.error(&e),
    };
    let mut errors = found.errors.clone();
    for info in &found.infos {
        let result = if local || dry_run == DryRun::Client {
            apply_patch(info.kind, &info.value, &patch).map_err(|e| e.message)
        } else if subresource == "scale" {
            patch_scale(k, &p, info, &patch, dry_run)
        } else {
            mutate::send_patch(k, &p, info, patch.clone(), dry_run, subresource == "status")
        };
        match result {
            Ok(v) => {
                let op = if v == info.value { "patched (no change)" } else { "patched" };
                if subresource == "scale" && matches!(printer, super::create::subcommand::Printer::Success) {
                    k.out.out(format!("scale.autoscaling/{} {op}{}\n", info.name, mutate::dry_run_suffix(dry_run)));
                } else {
                    let dry = if local { DryRun::None } else { dry_run };
                    mutate::print_op(k, &printer, dry, info.kind, &v, op);
                }
            }
            Err(e) => errors.push(e),
        }
    }
    if found.infos.is_empty() && errors.is_empty() {
        return k.error("no objects passed to patch");
    }
    builder::report_errors(k, &errors);
}

/// `--subresource=scale`: the patch is of a `Scale` (`{"spec":{"replicas":N}}`), carried over to the
/// object's `spec.replicas`; the answer is the Scale (compared by replicas for "no change").
fn patch_scale(
    k: &mut Kubectl<'_>,
    p: &crate::kubectl::flags::Parsed,
    info: &builder::Info,
    patch: &Patch,
    dry_run: DryRun,
) -> Result<Value, String> {
    if !super::scale::scalable(info.kind) {
        return Err("Error from server (NotFound): the server could not find the requested resource".into());
    }
    let replicas = info.value.pointer("/spec/replicas").cloned().unwrap_or(json!(1));
    let scale = json!({"spec": {"replicas": replicas}});
    let patched = apply_patch(Kind::Deployment, &scale, patch).map_err(|e| server_message(&e))?;
    let want = patched.pointer("/spec/replicas").cloned().unwrap_or(replicas.clone());
    let updated = mutate::send_patch(k, p, info, Patch::Merge(json!({"spec": {"replicas": want}})), dry_run, false)?;
    if updated.pointer("/spec/replicas") == Some(&replicas) {
        return Ok(info.value.clone());
    }
    Ok(updated)
}
