//! Tab completion for the shell, shared by the web terminal and the native prompt: programs, kubectl
//! commands and `create` generators, `kubarium` verbs, resource kinds, object names (from the cluster,
//! read without requests so completing leaves no trace), `kubectl explain` field paths (from the
//! installed API schema), flags and their common values.

use crate::api::Kind;
use crate::api::resource::resolve;
use crate::cluster::{Cluster, ControlPlane};
use crate::kubectl;
use crate::kubectl::explain::schema::Field;

/// The programs the shell runs (see `Shell::run_stage`).
const PROGRAMS: &[&str] = &["cat", "clear", "echo", "help", "history", "k", "kubarium", "kubectl", "sleep"];

/// The playground's own verbs.
const KUBARIUM_VERBS: &[&str] = &["component", "explain", "node", "reset", "seed", "share", "speed"];

/// kubectl commands whose next word is a resource kind.
const TAKES_KIND: &[&str] =
    &["annotate", "delete", "describe", "edit", "explain", "get", "label", "patch", "rollout", "scale", "wait"];

const FLAGS: &[&str] = &["--all-namespaces", "--namespace", "--output", "--selector", "-A", "-l", "-n", "-o"];
const OUTPUTS: &[&str] = &["custom-columns=", "json", "jsonpath=", "name", "wide", "yaml"];
const SPEEDS: &[&str] = &["0.1", "0.5", "1", "2", "5", "10", "100"];

/// What Tab can put in place of the word under the cursor.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Completion {
    /// Byte offset in the line where the word being completed starts.
    pub start: usize,
    /// Every candidate for that word, sorted, without duplicates.
    pub candidates: Vec<String>,
    /// A lone candidate can go on (an explain path with fields below it), so no space follows it.
    pub goes_on: bool,
}

impl Completion {
    /// The line after pressing Tab: the word becomes the candidates' longest common prefix, and a space
    /// follows when exactly one candidate is left (unless it ends in `=` or `/`, or goes on, which
    /// expect more).
    /// None when Tab changes nothing.
    pub fn apply(&self, line: &str) -> Option<String> {
        let first = self.candidates.first()?;
        let common = self.candidates.iter().fold(first.as_str(), |acc, c| common_prefix(acc, c));
        let head = line.get(..self.start)?;
        let mut next = format!("{head}{common}");
        if self.candidates.len() == 1 && !self.goes_on && !common.ends_with(['=', '/']) {
            next.push(' ');
        }
        (next != line).then_some(next)
    }
}

fn common_prefix<'a>(a: &'a str, b: &str) -> &'a str {
    let end = a
        .char_indices()
        .zip(b.chars())
        .take_while(|((_, x), y)| x == y)
        .last()
        .map_or(0, |((i, x), _)| i + x.len_utf8());
    &a[..end]
}

/// Completes the last word of `line` (the text before the cursor) against the shell and `cluster`.
pub fn complete(line: &str, cluster: &Cluster) -> Completion {
    // Only the current pipeline stage matters.
    let stage_start = line.rfind('|').map_or(0, |i| i + 1);
    let start = line.rfind(char::is_whitespace).map_or(0, |i| i + 1).max(stage_start);
    let word = line.get(start..).unwrap_or("");
    let before: Vec<&str> = line.get(stage_start..start).unwrap_or("").split_whitespace().collect();
    let mut candidates = candidates(&before, word, cluster);
    candidates.retain(|c| c.starts_with(word));
    candidates.sort();
    candidates.dedup();
    let goes_on = match candidates.as_slice() {
        [only] => before.contains(&"explain") && explain_fields(only).is_some_and(|f| !f.is_empty()),
        _ => false,
    };
    Completion { start, candidates, goes_on }
}

fn owned(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| (*w).to_string()).collect()
}

fn candidates(before: &[&str], word: &str, cluster: &Cluster) -> Vec<String> {
    let Some((program, args)) = before.split_first() else { return owned(PROGRAMS) };
    match *program {
        "kubectl" | "k" => kubectl_words(args, word, cluster),
        "kubarium" => kubarium_words(args, cluster),
        _ => Vec::new(),
    }
}

/// The value of `-n`/`--namespace` among `args`, if given.
fn namespace_flag<'a>(args: &[&'a str]) -> Option<&'a str> {
    args.iter().enumerate().find_map(|(i, a)| match *a {
        "-n" | "--namespace" => args.get(i + 1).copied(),
        _ => a.strip_prefix("--namespace=").or_else(|| a.strip_prefix("-n=")),
    })
}

/// Names of objects of `kind`, in `namespace` for namespaced kinds.
fn names(cluster: &Cluster, kind: Kind, namespace: Option<&str>) -> Vec<String> {
    let ns = if kind.namespaced() { namespace } else { None };
    cluster.api().peek_list(kind, ns).into_iter().map(|o| o.name().to_string()).collect()
}

fn kind_names() -> Vec<String> {
    Kind::ALL.iter().map(|k| k.plural().to_string()).collect()
}

/// The fields below an explain path (`pod.spec`), from the installed schema: none before the web
/// app has fetched it, or when the path names no object.
fn explain_fields(path: &str) -> Option<&'static [Field]> {
    let target = kubectl::explain::resolve(path, "").ok()?;
    kubectl::explain::schema::get()?.fields_below(target.kind.as_str(), &target.fields)
}

/// `kubectl explain pod.sp`: the paths one field longer than the word's part before its last dot.
fn explain_paths(word: &str) -> Vec<String> {
    let Some((path, _)) = word.rsplit_once('.') else { return Vec::new() };
    let fields = explain_fields(path).unwrap_or_default();
    fields.iter().map(|f| format!("{path}.{}", f.name)).collect()
}

fn kubectl_words(args: &[&str], word: &str, cluster: &Cluster) -> Vec<String> {
    let all = args.iter().any(|a| matches!(*a, "-A" | "--all-namespaces"));
    let namespace = if all { None } else { Some(namespace_flag(args).unwrap_or("default")) };
    match args.last().copied() {
        Some("-n" | "--namespace") => return names(cluster, Kind::Namespace, None),
        Some("-o" | "--output") => return owned(OUTPUTS),
        _ => {}
    }
    if word.starts_with('-') {
        let mut flags = owned(FLAGS);
        if args.first() == Some(&"explain") {
            flags.extend(owned(kubectl::explain::FLAG_NAMES));
        }
        return flags;
    }
    // Positional words so far, flags and their values left out.
    let mut positional = Vec::new();
    let mut skip = false;
    for a in args {
        if skip {
            skip = false;
        } else if matches!(*a, "-n" | "--namespace" | "-o" | "--output" | "-l" | "--selector") {
            skip = true;
        } else if !a.starts_with('-') {
            positional.push(*a);
        }
    }
    match positional.as_slice() {
        [] => owned(kubectl::COMMANDS),
        ["create"] => owned(kubectl::create::GENERATORS),
        ["cordon" | "uncordon" | "drain" | "taint"] => names(cluster, Kind::Node, None),
        ["logs" | "exec" | "attach" | "port-forward"] => names(cluster, Kind::Pod, namespace),
        ["explain"] if word.contains('.') => explain_paths(word),
        [command] if TAKES_KIND.contains(command) => match word.split_once('/') {
            Some((kind, _)) => match resolve(kind) {
                Some(k) => names(cluster, k, namespace).into_iter().map(|n| format!("{kind}/{n}")).collect(),
                None => Vec::new(),
            },
            None => kind_names(),
        },
        [command, kind, ..] if TAKES_KIND.contains(command) => match resolve(kind) {
            Some(k) => names(cluster, k, namespace),
            None => Vec::new(),
        },
        _ => Vec::new(),
    }
}

fn kubarium_words(args: &[&str], cluster: &Cluster) -> Vec<String> {
    let nodes = || cluster.kubelet_nodes().map(str::to_string).collect::<Vec<_>>();
    match args {
        [] => owned(KUBARIUM_VERBS),
        ["node"] => owned(&["add", "remove", "start", "stop"]),
        ["node", "stop" | "start" | "remove"] => nodes(),
        ["component"] => owned(&["start", "stop"]),
        ["component", _] => ControlPlane::ALL.iter().map(|(c, _)| c.name().to_string()).collect(),
        ["explain"] => owned(&["pod"]),
        ["explain", "pod" | "pods" | "po"] => names(cluster, Kind::Pod, Some("default")),
        ["speed"] => owned(SPEEDS),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tab(line: &str) -> (Option<String>, Vec<String>) {
        let cluster = Cluster::new(1);
        let c = complete(line, &cluster);
        (c.apply(line), c.candidates)
    }

    #[test]
    fn programs_commands_and_generators() {
        assert_eq!(tab("kubec").0.as_deref(), Some("kubectl "));
        assert_eq!(tab("kubectl ver").0.as_deref(), Some("kubectl version "));
        assert_eq!(tab("kubectl create dep").0.as_deref(), Some("kubectl create deployment "));
        let (line, all) = tab("kubectl c");
        assert_eq!(line, None, "several commands share no longer prefix than `c`");
        assert!(all.contains(&"create".to_string()) && all.contains(&"cordon".to_string()));
        assert_eq!(tab("echo hi | kub").1, ["kubarium", "kubectl"]);
    }

    #[test]
    fn kinds_names_and_flags() {
        assert_eq!(tab("kubectl get deploym").0.as_deref(), Some("kubectl get deployments "));
        assert_eq!(tab("kubectl get nodes node-0").1, ["node-01", "node-02", "node-03"]);
        assert_eq!(
            tab("kubectl get pods -n kube-system etcd").0.as_deref(),
            Some("kubectl get pods -n kube-system etcd-control-plane ")
        );
        assert_eq!(tab("kubectl get pods etcd").1, Vec::<String>::new(), "etcd runs in kube-system, not default");
        assert_eq!(tab("kubectl get -n kube-").1, ["kube-node-lease", "kube-public", "kube-system"]);
        assert_eq!(tab("kubectl get svc -n kube-system svc/kube").1, Vec::<String>::new());
        assert_eq!(
            tab("kubectl get -n kube-system svc/kube").0.as_deref(),
            Some("kubectl get -n kube-system svc/kube-dns ")
        );
        assert_eq!(tab("kubectl get pods -o ya").0.as_deref(), Some("kubectl get pods -o yaml "));
        assert!(tab("kubectl get pods --").1.contains(&"--namespace".to_string()));
        assert_eq!(tab("kubectl explain pods --rec").0.as_deref(), Some("kubectl explain pods --recursive "));
        assert!(!tab("kubectl get pods --").1.contains(&"--recursive".to_string()));
        assert_eq!(tab("kubectl cordon node-03").0.as_deref(), Some("kubectl cordon node-03 "));
    }

    #[test]
    fn explain_field_paths() {
        assert!(tab("kubectl explain po").1.contains(&"pods".to_string()));
        assert_eq!(tab("kubectl explain pod.sp").0.as_deref(), Some("kubectl explain pod.spec"));
        assert_eq!(tab("kubectl explain deploy.spec.te").0.as_deref(), Some("kubectl explain deploy.spec.template"));
        assert_eq!(
            tab("kubectl explain deployments.apps.spec.te").1,
            ["deployments.apps.spec.template"],
            "a group-qualified resource keeps its group"
        );
        // A field with nothing below it is a whole word.
        assert_eq!(
            tab("kubectl explain pod.spec.restartPol").0.as_deref(),
            Some("kubectl explain pod.spec.restartPolicy ")
        );
        let (line, fields) = tab("kubectl explain --recursive pod.spec.");
        assert_eq!(line, None);
        assert!(fields.len() > 30, "{fields:?}");
        assert!(fields.contains(&"pod.spec.containers".to_string()));
        // Through arrays: the fields of a container.
        assert!(tab("kubectl explain pod.spec.containers.").1.contains(&"pod.spec.containers.image".to_string()));
        for nothing in
            ["kubectl explain pod.nope.", "kubectl explain foo.sp", "kubectl explain pod.spec.restartPolicy."]
        {
            assert_eq!(tab(nothing).1, Vec::<String>::new(), "{nothing}");
        }
        assert_eq!(tab("kubectl get pod.sp").1, Vec::<String>::new(), "only explain takes paths");
    }

    #[test]
    fn kubarium_verbs() {
        let cluster = Cluster::boot_default(1);
        let c = complete("kubarium node stop node-0", &cluster);
        assert_eq!(c.candidates, ["node-01", "node-02", "node-03"]);
        assert_eq!(
            complete("kubarium component stop kube-s", &cluster).apply("kubarium component stop kube-s").as_deref(),
            Some("kubarium component stop kube-scheduler ")
        );
        assert_eq!(tab("kubarium sp").0.as_deref(), Some("kubarium speed "));
        assert_eq!(tab("unknown thing").1, Vec::<String>::new());
        assert_eq!(tab("").1.len(), PROGRAMS.len());
    }
}
