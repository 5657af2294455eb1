//! `kubectl rollout status|history|undo|restart|pause|resume` for deployments, daemon sets and stateful
//! sets. `status` waits in virtual time; `history` and `undo` read a Deployment's ReplicaSets (and the
//! ControllerRevisions of the other kinds); `restart`, `pause` and `resume` patch the object.

pub mod history;
pub mod pause;
pub mod status;

use super::builder::{self, Found, Options};
use super::context::Kubectl;
use super::flags::Parsed;

/// What `kubectl rollout` alone prints (to stdout, with a failing status, as cobra's default
/// subcommand runner does).
const HELP: &str = "Manage the rollout of one or many resources.\n        \n Valid resource types include:\n\n  *  deployments\n  *  daemonsets\n  *  statefulsets\n\nExamples:\n  # Rollback to the previous deployment\n  kubectl rollout undo deployment/abc\n  \n  # Check the rollout status of a daemonset\n  kubectl rollout status daemonset/foo\n  \n  # Restart a deployment\n  kubectl rollout restart deployment/abc\n  \n  # Restart deployments with the 'app=nginx' label\n  kubectl rollout restart deployment --selector=app=nginx\n\nAvailable Commands:\n  history       View rollout history\n  pause         Mark the provided resource as paused\n  restart       Restart a resource\n  resume        Resume a paused resource\n  status        Show the status of the rollout\n  undo          Undo a previous rollout\n\nUsage:\n  kubectl rollout SUBCOMMAND [options]\n\nUse \"kubectl rollout <command> --help\" for more information about a given command.\nUse \"kubectl options\" for a list of global command-line options (applies to all commands).\n";

/// Runs `kubectl rollout SUBCOMMAND ...`.
pub fn run(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(first) = args.first() else {
        k.out.out(HELP);
        k.out.exit_code = 1;
        return;
    };
    let sub: fn(&mut Kubectl<'_>, &[String]) = match first.as_str() {
        "status" => status::run,
        "history" => history::run_history,
        "undo" => history::run_undo,
        "restart" => pause::run_restart,
        "pause" => pause::run_pause,
        "resume" => pause::run_resume,
        _ if first.starts_with('-') => {
            k.out.out(HELP);
            k.out.exit_code = 1;
            return;
        }
        other => {
            k.command = "rollout".into();
            return k.help_error(&format!("unknown command \"{other}\""));
        }
    };
    k.command = format!("rollout {first}");
    sub(k, &args[1..]);
}

/// The objects a rollout subcommand acts on; None when refused (printed).
pub fn find(k: &mut Kubectl<'_>, p: &Parsed) -> Option<Found> {
    if p.args.is_empty() && p.all("filename").is_empty() && p.get("kustomize").is_none() {
        k.error("required resource not specified");
        return None;
    }
    match builder::find(k, p, &p.args.clone(), Options { allow_listing: true, local: false }) {
        Ok(f) => Some(f),
        Err(e) => {
            k.error(&e);
            None
        }
    }
}

/// `deployments.apps "web"`, as rollout's errors name an object.
pub fn resource_string(info: &builder::Info) -> String {
    format!("{} \"{}\"", info.kind.qualified_plural(), info.name)
}
