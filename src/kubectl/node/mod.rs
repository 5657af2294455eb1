//! The node maintenance commands: `cordon`, `uncordon` (`spec.unschedulable`), `drain` (cordon, then
//! evict every pod kubectl's filters allow, honouring disruption budgets) and `taint`.

pub mod drain;
pub mod taint;

use serde_json::{Value, json};

use super::builder::{self, Found, Info, Options};
use super::context::Kubectl;
use super::create::subcommand::DryRun;
use super::flags::{Flag, Parsed};
use super::mutate;
use crate::api::Kind;
use crate::apiserver::patch::Patch;

const FLAGS: &[Flag] = &[Flag::optional("dry-run", None, "unchanged"), Flag::string("selector", Some('l'))];

/// The nodes a node command names: `NODE...` (or `node/NODE`), or `-l SELECTOR`. None when refused.
pub fn find_nodes(k: &mut Kubectl<'_>, p: &Parsed, usage: &str) -> Option<Found> {
    let selector = p.get("selector").filter(|s| !s.is_empty());
    if p.args.is_empty() && selector.is_none() {
        k.help_error(&format!("USAGE: {usage} [flags]"));
        return None;
    }
    if !p.args.is_empty() && selector.is_some() {
        k.help_error("cannot specify both a node name and a --selector option");
        return None;
    }
    // kubectl's ResourceNames("nodes", ...): a bare name is a node's.
    let args: Vec<String> = if p.args.is_empty() {
        vec!["nodes".to_string()]
    } else {
        p.args.iter().map(|a| if a.contains('/') { a.clone() } else { format!("node/{a}") }).collect()
    };
    let opts = Options { allow_listing: true, local: false };
    match builder::find(k, p, &args, opts) {
        Ok(f) => Some(f),
        Err(e) => {
            k.error(&e);
            None
        }
    }
}

/// Sets `spec.unschedulable` to `desired` on each node, printing kubectl's lines ("cordoned",
/// "already cordoned", "uncordoned", ...). Other kinds are "skipped".
pub fn cordon_nodes(k: &mut Kubectl<'_>, p: &Parsed, infos: &[Info], desired: bool, dry_run: DryRun) {
    let (changed, already) =
        if desired { ("cordoned", "already cordoned") } else { ("uncordoned", "already uncordoned") };
    let verb = if desired { "cordon" } else { "uncordon" };
    let printer = super::create::subcommand::Printer::Success;
    for info in infos {
        if info.kind != Kind::Node {
            mutate::print_op(k, &printer, dry_run, info.kind, &info.value, "skipped");
            continue;
        }
        let current = info.value.pointer("/spec/unschedulable").and_then(Value::as_bool).unwrap_or(false);
        if current == desired {
            mutate::print_op(k, &printer, dry_run, info.kind, &info.value, already);
            continue;
        }
        if dry_run != DryRun::Client {
            let value = if desired { json!(true) } else { Value::Null };
            let patch = Patch::Strategic(json!({"spec": {"unschedulable": value}}));
            if let Err(e) = mutate::send_patch(k, p, info, patch, dry_run, false) {
                k.out.err(format!("error: unable to {verb} node \"{}\": {e}\n", info.name));
                continue;
            }
        }
        mutate::print_op(k, &printer, dry_run, info.kind, &info.value, changed);
    }
}

fn run_cordon_or_uncordon(k: &mut Kubectl<'_>, args: &[String], desired: bool) {
    let Some(p) = k.parse(FLAGS, args) else { return };
    let Some(dry_run) = mutate::dry_run_flag(k, &p) else { return };
    let usage = if desired { "cordon NODE" } else { "uncordon NODE" };
    let Some(found) = find_nodes(k, &p, usage) else { return };
    cordon_nodes(k, &p, &found.infos, desired, dry_run);
    builder::report_errors(k, &found.errors);
}

pub fn run_cordon(k: &mut Kubectl<'_>, args: &[String]) {
    run_cordon_or_uncordon(k, args, true);
}

pub fn run_uncordon(k: &mut Kubectl<'_>, args: &[String]) {
    run_cordon_or_uncordon(k, args, false);
}
