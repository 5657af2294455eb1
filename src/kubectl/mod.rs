//! kubectl, as v1.36 behaves: the commands, their flags, printers and messages, talking to the
//! simulated api-server. Each command is its own module.

pub mod columns;
pub mod context;
pub mod create;
pub mod flags;
pub mod get;
pub mod manifest;
pub mod output;
pub mod printers;
pub mod resources;
pub mod run;
pub mod version;

pub use output::{Output, Stream};

use crate::cluster::Cluster;
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
    let Some(command) = args.first() else {
        out.out(usage());
        return;
    };
    let rest = &args[1..];
    let mut k = Kubectl { cluster, stdin, out, command: command.clone() };
    match command.as_str() {
        "version" => version::run(rest, k.cluster, k.out),
        "get" => get::run(&mut k, rest),
        "create" => create::run(&mut k, rest),
        "run" => run::run(&mut k, rest),
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
    }
}
