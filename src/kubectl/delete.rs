//! `kubectl delete`: by name, `TYPE/NAME`, `-f -`, `-l`, `--all` (with `-A`), with kubectl's grace
//! period rules (`--now`, `--grace-period`, `--force`), the cascading strategy, dry runs, and `--wait`
//! (the default): the command returns once every deleted object is gone, letting virtual time pass.

use super::builder::{self, Info, Options, server_message};
use super::context::Kubectl;
use super::create::subcommand::DryRun;
use super::flags::{Flag, Parsed};
use super::mutate::{self, FILE_FLAGS};
use super::waiting;
use crate::apiserver::{DeleteOptions, Propagation};

const FLAGS: &[Flag] = &[
    Flag::bool("all", None),
    Flag::bool("all-namespaces", Some('A')),
    Flag::optional("cascade", None, "background"),
    Flag::optional("dry-run", None, "unchanged"),
    Flag::string("field-selector", None),
    Flag::bool("force", None),
    Flag::int("grace-period", None),
    Flag::bool("ignore-not-found", None),
    Flag::bool("interactive", Some('i')),
    Flag::bool("now", None),
    Flag::string("output", Some('o')),
    Flag::string("raw", None),
    Flag::string("selector", Some('l')),
    Flag::string("timeout", None),
    Flag::bool("wait", None),
];

/// kubectl's `--cascade` values, with the deprecated booleans and their warnings.
pub fn cascade(k: &mut Kubectl<'_>, value: &str) -> Result<Propagation, String> {
    let deprecated = |k: &mut Kubectl<'_>, to: &str| {
        k.out.err(format!(
            "warning: --cascade={value} is deprecated (boolean value) and can be replaced with --cascade={to}.\n"
        ));
    };
    match value {
        "orphan" => Ok(Propagation::Orphan),
        "foreground" => Ok(Propagation::Foreground),
        "background" => Ok(Propagation::Background),
        "1" | "t" | "T" | "TRUE" | "true" | "True" => {
            deprecated(k, "background");
            Ok(Propagation::Background)
        }
        "0" | "f" | "F" | "FALSE" | "false" | "False" => {
            deprecated(k, "orphan");
            Ok(Propagation::Orphan)
        }
        other => Err(format!("invalid cascade value ({other}). Must be \"background\", \"foreground\", or \"orphan\"")),
    }
}

/// The grace period kubectl sends: `--now` is 1, 0 without `--force` becomes 1, `--force` alone is 0,
/// and -1 (the default) sends none.
fn grace_period(p: &Parsed) -> Result<i64, String> {
    let mut grace = p.int("grace-period").unwrap_or(-1);
    let force = p.bool("force");
    if p.bool("now") {
        if grace != -1 {
            return Err("--now and --grace-period cannot be specified together".into());
        }
        grace = 1;
    }
    if grace == 0 && !force {
        grace = 1;
    }
    if force && grace < 0 {
        grace = 0;
    }
    Ok(grace)
}

pub fn run(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(p) = k.parse(&mutate::flags(&[FLAGS, FILE_FLAGS]), args) else { return };
    let Some(timeout) = waiting::timeout_flag(k, &p, waiting::FOREVER) else { return };
    let propagation = match cascade(k, p.get("cascade").unwrap_or("background")) {
        Ok(c) => c,
        Err(e) => return k.error(&e),
    };
    let grace = match grace_period(&p) {
        Ok(g) => g,
        Err(e) => return k.error(&e),
    };
    let Some(dry_run) = mutate::dry_run_flag(k, &p) else { return };
    if p.all("filename").is_empty() && p.args.is_empty() {
        return k.error(builder::NO_RESOURCES);
    }
    if p.bool("all") && p.get("selector").is_some_and(|s| !s.is_empty()) {
        return k.error("setting 'all' parameter but found a non empty selector. ");
    }
    let output = p.get("output").unwrap_or("");
    if !output.is_empty() && output != "name" {
        return k.error(&format!("unexpected -o output mode: {output}. We only support '-o name'"));
    }
    if p.bool("all") && p.get("field-selector").is_some_and(|s| !s.is_empty()) {
        return k.error("cannot set --all and --field-selector at the same time");
    }
    if grace == 0 && p.bool("force") {
        k.out.err("Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n");
    } else if grace > 0 && p.bool("force") {
        return k.error("--force and --grace-period greater than 0 cannot be specified together");
    }
    if p.get("raw").is_some_and(|r| !r.is_empty()) {
        return k.error("--raw is not available in the simulation");
    }
    let listing = p.bool("all")
        || p.get("selector").is_some_and(|s| !s.is_empty())
        || p.get("field-selector").is_some_and(|s| !s.is_empty());
    let ignore_not_found = if p.has("ignore-not-found") { p.bool("ignore-not-found") } else { listing };
    let mut found = match builder::find(k, &p, &p.args.clone(), Options { allow_listing: true, local: false }) {
        Ok(f) => f,
        Err(e) => return k.error(&e),
    };
    // A named object that is already gone still counts as visited (kubectl deletes without reading
    // first), so `--ignore-not-found` prints nothing rather than "No resources found".
    let before = found.errors.len();
    if ignore_not_found {
        found.errors.retain(|e| !e.starts_with("Error from server (NotFound)"));
    }
    let ignored = before - found.errors.len();
    let opts = DeleteOptions {
        grace_period_seconds: (grace >= 0).then_some(grace),
        propagation: Some(propagation),
        dry_run: dry_run == DryRun::Server,
    };
    let operation = if grace == 0 { "force deleted" } else { "deleted" };
    let warn_cluster_scope = p.get("namespace").is_some_and(|n| !n.is_empty()) && !p.bool("all-namespaces");
    let mut warned = false;
    let who = Kubectl::identity(&p);
    let mut deleted: Vec<(Info, String)> = Vec::new();
    for info in &found.infos {
        if warn_cluster_scope && !warned && !info.kind.namespaced() {
            k.out.err("Warning: deleting cluster-scoped resources, not scoped to the provided namespace\n");
            warned = true;
        }
        if dry_run != DryRun::Client {
            match k.cluster.api_mut().delete(&who, info.kind, info.namespace.as_deref(), &info.name, &opts) {
                Ok(d) => deleted.push((info.clone(), d.object().uid().to_string())),
                Err(e) if ignore_not_found && e.reason == crate::apiserver::Reason::NotFound => continue,
                Err(e) => {
                    found.errors.push(server_message(&e));
                    continue;
                }
            }
        }
        print_deleted(k, info, operation, output, dry_run);
    }
    builder::report_errors(k, &found.errors);
    if found.infos.is_empty() && found.errors.is_empty() && ignored == 0 {
        k.out.out("No resources found\n");
        return;
    }
    if !found.errors.is_empty() || dry_run != DryRun::None || (p.has("wait") && !p.bool("wait")) {
        return;
    }
    let gone = waiting::until(k.cluster, timeout, |c| {
        deleted.iter().all(|(i, uid)| {
            c.api().peek(i.kind, i.namespace.as_deref(), &i.name).is_none_or(|o| o.uid() != uid.as_str())
        })
    });
    if !gone {
        for (i, _) in &deleted {
            if k.cluster.api().peek(i.kind, i.namespace.as_deref(), &i.name).is_some() {
                let what = format!("{}/{}", i.kind.qualified_plural(), i.name);
                k.error(&format!("timed out waiting for the condition on {what}"));
            }
        }
    }
}

/// kubectl's line for a deleted object: `pod "x" deleted from default namespace`.
pub fn print_deleted(k: &mut Kubectl<'_>, info: &Info, operation: &str, output: &str, dry_run: DryRun) {
    let kind = info.kind.lower_qualified_kind();
    if output == "name" {
        return k.out.out(format!("{kind}/{}\n", info.name));
    }
    let mut op = operation.to_string();
    if let Some(ns) = &info.namespace {
        op = format!("{op} from {ns} namespace");
    }
    k.out.out(format!("{kind} \"{}\" {op}{}\n", info.name, mutate::dry_run_suffix(dry_run)));
}
