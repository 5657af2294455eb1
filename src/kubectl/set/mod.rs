//! `kubectl set image|env|resources|selector|serviceaccount`: each computes a change to the objects'
//! pod templates (or a Service's selector), prints nothing for an object it does not change, and
//! either prints the result (`--local`, `--dry-run=client`) or sends it as a strategic merge patch.

pub mod env;
pub mod image;
pub mod resources;
pub mod selector;
pub mod serviceaccount;

use serde_json::Value;

use super::apply::merge::three_way;
use super::builder::{self, Info, Options};
use super::context::Kubectl;
use super::create::subcommand::{DryRun, Printer};
use super::flags::{Flag, Parsed};
use super::mutate::{self, FILE_FLAGS, PRINT_FLAGS, WRITE_FLAGS};
use super::typed;
use crate::apiserver::patch::Patch;

/// The flags every `set` subcommand has.
const COMMON: &[Flag] = &[Flag::bool("all", None), Flag::bool("local", None), Flag::string("selector", Some('l'))];

/// Runs `kubectl set SUBCOMMAND ...`.
pub fn run(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(first) = args.first() else { return help(k) };
    let sub: fn(&mut Kubectl<'_>, &[String]) = match first.as_str() {
        "image" => image::run,
        "env" => env::run,
        "resources" => resources::run,
        "selector" => selector::run,
        "serviceaccount" | "sa" => serviceaccount::run,
        _ if first.starts_with('-') => return help(k),
        other => {
            k.command = "set".into();
            return k.help_error(&format!("unknown command \"{other}\""));
        }
    };
    k.command = format!("set {}", if first == "sa" { "serviceaccount" } else { first.as_str() });
    sub(k, &args[1..]);
}

/// What `kubectl set` alone prints (to stderr, with a failing status, as cobra's default subcommand
/// runner writing to ErrOut does).
fn help(k: &mut Kubectl<'_>) {
    k.out.fail("Configure application resources.\n\n These commands help you make changes to existing application resources.\n\nAvailable Commands:\n  env              Update environment variables on a pod template\n  image            Update the image of a pod template\n  resources        Update resource requests/limits on objects with pod templates\n  selector         Set the selector on a resource\n  serviceaccount   Update the service account of a resource\n  subject          Update the user, group, or service account in a role binding or cluster role binding\n\nUsage:\n  kubectl set SUBCOMMAND [options]\n\nUse \"kubectl set <command> --help\" for more information about a given command.\nUse \"kubectl options\" for a list of global command-line options (applies to all commands).\n");
}

/// A parsed `set` command line with its common options settled.
pub struct SetOptions {
    pub p: Parsed,
    pub dry_run: DryRun,
    pub printer: Printer,
    pub local: bool,
}

/// Parses the subcommand's flags plus the common ones; None when refused (printed).
pub fn parse(k: &mut Kubectl<'_>, flags: &[Flag], args: &[String]) -> Option<SetOptions> {
    let p = k.parse(&mutate::flags(&[flags, COMMON, FILE_FLAGS, PRINT_FLAGS, WRITE_FLAGS]), args)?;
    let (dry_run, printer) = mutate::dry_run_and_printer(k, &p)?;
    let local = p.bool("local");
    Some(SetOptions { p, dry_run, printer, local })
}

/// Checks kubectl's validations shared by the subcommands, given the resource arguments.
pub fn validate_common(o: &SetOptions, resources: &[String]) -> Vec<String> {
    let mut errors = Vec::new();
    if o.p.bool("all") && o.p.get("selector").is_some_and(|s| !s.is_empty()) {
        errors.push("cannot set --all and --selector at the same time".to_string());
    }
    if resources.is_empty() && o.p.all("filename").is_empty() && o.p.get("kustomize").is_none() {
        errors.push("one or more resources must be specified as <resource> <name> or <resource>/<name>".to_string());
    }
    errors
}

/// kubectl's aggregate of validation errors: one alone, or `[a, b]`.
pub fn aggregate(errors: &[String]) -> String {
    match errors {
        [one] => one.clone(),
        many => format!("[{}]", many.join(", ")),
    }
}

/// The local/server-dry-run conflict every subcommand checks.
pub const LOCAL_SERVER_DRY_RUN: &str = "cannot specify --local and --dry-run=server - did you mean --dry-run=client?";

/// Finds the objects: the `-f` manifests as given with `--local`, else from the server.
pub fn find(k: &mut Kubectl<'_>, o: &SetOptions, resources: &[String]) -> Option<builder::Found> {
    if o.local && !resources.is_empty() {
        k.error("you must specify resources by --filename when --local is set.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'");
        return None;
    }
    let opts = Options { local: o.local, allow_listing: true };
    match builder::find(k, &o.p, resources, opts) {
        Ok(mut f) => {
            for info in &mut f.infos {
                typed::normalize(info.kind, &mut info.value);
            }
            Some(f)
        }
        Err(e) => {
            k.error(&e);
            None
        }
    }
}

/// Applies `change` to every object, printing each changed one (`op` is the success word) and then
/// the errors. `change` edits the object in place and may report problems (printed after the rest).
pub fn apply(
    k: &mut Kubectl<'_>,
    o: &SetOptions,
    found: builder::Found,
    op: &str,
    mut change: impl FnMut(&Info, &mut Value, &mut Vec<String>) -> Result<(), String>,
) {
    let mut errors: Vec<String> = Vec::new();
    for info in &found.infos {
        let mut modified = info.value.clone();
        if let Err(e) = change(info, &mut modified, &mut errors) {
            errors.push(format!("error: {}/{} {e}\n", info.kind.qualified_plural(), info.name));
            continue;
        }
        if modified == info.value {
            continue;
        }
        if o.local || o.dry_run == DryRun::Client {
            mutate::print_op_typed(k, &o.printer, o.dry_run, info.kind, &modified, op, true);
            continue;
        }
        let patch = Patch::Strategic(three_way(&info.value, &modified, &info.value));
        match mutate::send_patch(k, &o.p, info, patch, o.dry_run, false) {
            Ok(v) => mutate::print_op_typed(k, &o.printer, o.dry_run, info.kind, &v, op, true),
            Err(e) => errors.push(e),
        }
    }
    errors.extend(found.errors);
    builder::report_errors(k, &errors);
}

/// The containers (and init containers) of the object's pod spec, for editing.
pub fn containers_mut<'v>(
    info: &Info,
    value: &'v mut Value,
) -> Result<Vec<&'v mut serde_json::Map<String, Value>>, String> {
    let path = typed::pod_spec_path(info.kind)
        .ok_or_else(|| format!("the object is not a pod or does not have a pod template: {}", info.kind.as_str()))?;
    let Some(spec) = value.pointer_mut(path).and_then(Value::as_object_mut) else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    for (key, list) in spec.iter_mut() {
        if (key == "initContainers" || key == "containers")
            && let Value::Array(items) = list
        {
            out.extend(items.iter_mut().filter_map(Value::as_object_mut));
        }
    }
    Ok(out)
}

/// kubectl's container selector: `*` matches every name, `a*` a prefix.
pub fn select(name: &str, spec: &str) -> bool {
    match spec.split_once('*') {
        None => name == spec,
        Some((prefix, suffix)) => name.starts_with(prefix) && name[prefix.len()..].ends_with(suffix),
    }
}
