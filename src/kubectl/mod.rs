//! kubectl, as v1.36 behaves: the commands, their flags, printers and messages, talking to the
//! simulated api-server. Each command is its own module.

pub mod api_resources;
pub mod apply;
pub mod auth;
pub mod autoscale;
pub mod builder;
pub mod cluster_info;
pub mod columns;
pub mod config;
pub mod context;
pub mod create;
pub mod delete;
pub mod describe;
pub mod edit;
pub mod events;
pub mod exec;
pub mod explain;
pub mod expose;
pub mod flags;
pub mod get;
pub mod label;
pub mod logs;
pub mod manifest;
pub mod mutate;
pub mod node;
pub mod output;
pub mod patch;
pub mod printers;
pub mod replace;
pub mod resources;
pub mod rollout;
pub mod run;
pub mod scale;
pub mod set;
pub mod sort_by;
pub mod top;
pub mod typed;
pub mod version;
pub mod wait;
pub mod watch;
pub mod waiting;

pub use output::{Output, Stream};

use crate::cluster::Cluster;
pub use config::KubeConfig;
use context::Kubectl;

/// Every kubectl command, for the "unknown command" suggestion and Tab completion.
pub const COMMANDS: &[&str] = &[
    "annotate",
    "api-resources",
    "api-versions",
    "apply",
    "attach",
    "auth",
    "autoscale",
    "certificate",
    "cluster-info",
    "completion",
    "config",
    "cordon",
    "cp",
    "create",
    "debug",
    "delete",
    "describe",
    "diff",
    "drain",
    "edit",
    "events",
    "exec",
    "explain",
    "expose",
    "get",
    "kustomize",
    "label",
    "logs",
    "options",
    "patch",
    "plugin",
    "port-forward",
    "proxy",
    "replace",
    "rollout",
    "run",
    "scale",
    "set",
    "taint",
    "top",
    "uncordon",
    "version",
    "wait",
];

/// Runs one kubectl invocation (`args` excludes the program name).
pub fn run(args: &[String], stdin: Option<&str>, cluster: &mut Cluster, out: &mut Output) {
    run_with(args, stdin, cluster, &mut KubeConfig::default(), out);
}

/// `kubectl ARGS` with the session's kubeconfig, which `kubectl config set-context` may change.
pub fn run_with(
    args: &[String],
    stdin: Option<&str>,
    cluster: &mut Cluster,
    config: &mut KubeConfig,
    out: &mut Output,
) {
    let args = context::global_flags_last(args);
    let Some(command) = args.first() else {
        out.out(usage());
        return;
    };
    let rest = &args[1..];
    let mut k = Kubectl { cluster, stdin, out, command: command.clone(), config };
    match command.as_str() {
        "version" => version::run(rest, k.cluster, k.out),
        "get" => get::run(&mut k, rest),
        "create" => create::run(&mut k, rest),
        "run" => run::run(&mut k, rest),
        "describe" => describe::run(&mut k, rest),
        "logs" => logs::run(&mut k, rest),
        "top" => top::run(&mut k, rest),
        "events" => events::run(&mut k, rest),
        "api-resources" => api_resources::api_resources(&mut k, rest),
        "api-versions" => api_resources::api_versions(&mut k, rest),
        "cluster-info" => cluster_info::run(&mut k, rest),
        "config" => config::run(&mut k, rest),
        "scale" => scale::run(&mut k, rest),
        "delete" => delete::run(&mut k, rest),
        "apply" => apply::run(&mut k, rest),
        "set" => set::run(&mut k, rest),
        "rollout" => rollout::run(&mut k, rest),
        "cordon" => node::run_cordon(&mut k, rest),
        "uncordon" => node::run_uncordon(&mut k, rest),
        "drain" => node::drain::run(&mut k, rest),
        "taint" => node::taint::run(&mut k, rest),
        "label" => label::run_label(&mut k, rest),
        "annotate" => label::run_annotate(&mut k, rest),
        "patch" => patch::run(&mut k, rest),
        "replace" => replace::run(&mut k, rest),
        "expose" => expose::run(&mut k, rest),
        "autoscale" => autoscale::run(&mut k, rest),
        "auth" => auth::run(&mut k, rest),
        "edit" => edit::run(&mut k, rest),
        "exec" => exec::run(&mut k, rest),
        "wait" => wait::run(&mut k, rest),
        "explain" => explain::run(&mut k, rest),
        other => unknown_command(other, k.out),
    }
    // What the command wrote reaches the cluster's watchers.
    k.cluster.settle();
}

fn usage() -> String {
    "kubectl controls the Kubernetes cluster manager.\n\n Find more information at: https://kubernetes.io/docs/reference/kubectl/\n".to_string()
}

/// cobra's message for an unknown subcommand, with its "Did you mean this?" suggestions (Levenshtein
/// distance at most 2, or a prefix match).
fn unknown_command(command: &str, out: &mut Output) {
    if COMMANDS.contains(&command) {
        // A real kubectl command this playground does not simulate (yet): say so rather than
        // suggesting the very command that was typed.
        out.fail(format!("error: \"kubectl {command}\" is not simulated in Kubarium; run 'help' for what is\n"));
        return;
    }
    let mut msg = format!("error: unknown command \"{command}\" for \"kubectl\"");
    let suggestions: Vec<&str> =
        COMMANDS.iter().copied().filter(|c| levenshtein(c, command) <= 2 || c.starts_with(command)).collect();
    if !suggestions.is_empty() {
        msg.push_str("\n\nDid you mean this?\n");
        for s in suggestions {
            msg.push('\t');
            msg.push_str(s);
            msg.push('\n');
        }
    } else {
        msg.push('\n');
    }
    out.fail(msg);
}

/// Edit distance, case-insensitive as cobra computes it.
fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_command_suggests_like_cobra() {
        let mut cluster = Cluster::default();
        let mut out = Output::default();
        run(&["versio".into()], None, &mut cluster, &mut out);
        assert_eq!(
            out.stderr(),
            "error: unknown command \"versio\" for \"kubectl\"\n\nDid you mean this?\n\tversion\n"
        );
        let mut out = Output::default();
        run(&["foo".into()], None, &mut cluster, &mut out);
        assert_eq!(out.stderr(), "error: unknown command \"foo\" for \"kubectl\"\n\nDid you mean this?\n\ttop\n");
        assert_eq!(out.exit_code, 1);
        let mut out = Output::default();
        run(&["port-forward".into()], None, &mut cluster, &mut out);
        assert_eq!(
            out.stderr(),
            "error: \"kubectl port-forward\" is not simulated in Kubarium; run 'help' for what is\n"
        );
    }
}
