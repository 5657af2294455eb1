//! `kubectl logs`: a pod's container logs read from its node's kubelet, for `POD [CONTAINER]`,
//! `TYPE/NAME` of a controller (its first pod, as kubectl picks it), or `-l` (every selected pod, ten
//! lines each unless `--tail` says otherwise); with `-c`, `--all-containers`, `--previous`, `--tail`,
//! `--since`, `--timestamps` and `--prefix`.
//!
//! `-f` cannot block a script: it prints what the container has written so far and returns, as if
//! the stream were closed at that instant.

use k8s_openapi::api::core::v1::Pod;

use super::context::Kubectl;
use super::flags::{Flag, Parsed};
use crate::api::labels::Selector;
use crate::api::{Kind, Object, resource};
use crate::apiserver::{Identity, ListOptions};
use crate::kubelet::LogsError;

const FLAGS: &[Flag] = &[
    Flag::string("container", Some('c')),
    Flag::bool("all-containers", None),
    Flag::bool("all-pods", None),
    Flag::bool("follow", Some('f')),
    Flag::bool("previous", Some('p')),
    Flag::int("tail", None),
    Flag::string("since", None),
    Flag::string("since-time", None),
    Flag::bool("timestamps", None),
    Flag::bool("prefix", None),
    Flag::string("selector", Some('l')),
    Flag::int("limit-bytes", None),
    Flag::bool("ignore-errors", None),
    Flag::int("max-log-requests", None),
    Flag::string("pod-running-timeout", None),
    Flag::bool("insecure-skip-tls-verify-backend", None),
];

const USAGE: &str = "expected POD or TYPE/NAME argument";

/// What to read from each container.
struct Options {
    previous: bool,
    timestamps: bool,
    prefix: bool,
    tail: Option<usize>,
    /// Only lines at or after this Unix millisecond.
    since_ms: Option<i64>,
}

pub fn run(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(p) = k.parse(FLAGS, args) else { return };
    let selector = p.get("selector").filter(|s| !s.is_empty()).map(str::to_string);
    let mut container = p.get("container").map(str::to_string);
    match (p.args.len(), &selector) {
        (0, None) | (3.., _) => return k.help_error(USAGE),
        (1, Some(_)) => return k.help_error("only a selector (-l) or a POD name is allowed"),
        (2, _) => container = p.args.get(1).cloned(),
        _ => {}
    }
    if p.bool("all-containers") && container.is_some() {
        let c = container.unwrap_or_default();
        return k.error(&format!("--all-containers=true should not be specified with container name {c}"));
    }
    let tail = p.int("tail").unwrap_or(-1);
    if tail < -1 {
        return k.error("--tail must be greater than or equal to -1");
    }
    let since_ms = match p.get("since").map(crate::sim::duration::parse_go_duration).transpose() {
        Ok(Some(d)) if d.as_millis() == 0 => return k.error("--since must be greater than 0"),
        Ok(d) => d.map(|d| k.now_ms() - i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 2)),
        Err(e) => {
            return k.usage_error(&format!(
                "invalid argument \"{}\" for \"--since\" flag: {e}",
                p.get("since").unwrap_or("")
            ));
        }
    };
    let tail = match (tail, &selector, p.has("tail")) {
        (-1, Some(_), false) => Some(10),
        (-1, _, _) => None,
        (n, _, _) => usize::try_from(n).ok(),
    };
    let opts = Options {
        previous: p.bool("previous"),
        timestamps: p.bool("timestamps"),
        prefix: p.bool("prefix") || p.bool("all-pods"),
        tail,
        since_ms,
    };
    let ns = Kubectl::namespace(&p);
    let who = Kubectl::identity(&p);
    let pods = match targets(k, &p, &who, &ns, selector.as_deref()) {
        Some(pods) => pods,
        None => return,
    };
    for pod in &pods {
        if !pod_logs(k, pod, container.as_deref(), p.bool("all-containers"), pods.len() > 1, &opts) {
            return;
        }
    }
}

/// The pods to read: the named pod, a controller's first pod, or those the selector matches.
fn targets(k: &mut Kubectl<'_>, p: &Parsed, who: &Identity, ns: &str, selector: Option<&str>) -> Option<Vec<Pod>> {
    if let Some(sel) = selector {
        let s = match Selector::parse(sel) {
            Ok(s) => s,
            Err(e) => {
                k.error(&e.to_string());
                return None;
            }
        };
        let pods = list_pods(k, who, ns, s);
        if pods.is_empty() {
            k.out.err(format!("No resources found in {ns} namespace.\n"));
        }
        return Some(pods);
    }
    let arg = p.args.first().cloned().unwrap_or_default();
    let (kind, name) = match arg.split_once('/') {
        Some((t, n)) => match resource::resolve(t) {
            Some(kind) => (kind, n.to_string()),
            None => {
                k.error(&format!("the server doesn't have a resource type \"{t}\""));
                return None;
            }
        },
        None => (Kind::Pod, arg.clone()),
    };
    let obj = match k.cluster.api_mut().get(who, kind, Some(ns), &name) {
        Ok(o) => o,
        Err(e) => {
            k.error(&format!("error from server (NotFound): {} in namespace \"{ns}\"", e.message));
            return None;
        }
    };
    if let Object::Pod(pod) = &obj {
        return Some(vec![(**pod).clone()]);
    }
    let selector = match selector_of(&obj) {
        Some(s) => s,
        None => {
            k.error(&format!(
                "cannot get the logs from {}: selector for {} not implemented",
                kind.as_str(),
                kind.as_str()
            ));
            return None;
        }
    };
    let mut pods = list_pods(k, who, ns, selector);
    if pods.is_empty() {
        k.error("timed out waiting for the condition");
        return None;
    }
    pods.sort_by(by_logging);
    if pods.len() > 1 {
        let first = pods.first().and_then(|p| p.metadata.name.clone()).unwrap_or_default();
        k.out.err(format!("Found {} pods, using pod/{first}\n", pods.len()));
    }
    pods.truncate(1);
    Some(pods)
}

/// The pod selector of a controller or service (`SelectorsForObject`).
pub(super) fn selector_of(obj: &Object) -> Option<Selector> {
    let ls = match obj {
        Object::Deployment(d) => d.spec.as_ref().map(|s| s.selector.clone()),
        Object::ReplicaSet(r) => r.spec.as_ref().map(|s| s.selector.clone()),
        Object::DaemonSet(d) => d.spec.as_ref().map(|s| s.selector.clone()),
        Object::StatefulSet(s) => s.spec.as_ref().map(|s| s.selector.clone()),
        Object::Job(j) => j.spec.as_ref().and_then(|s| s.selector.clone()),
        Object::Service(s) => {
            return s.spec.as_ref().and_then(|s| s.selector.as_ref()).map(Selector::from_set);
        }
        _ => None,
    }?;
    Selector::from_label_selector(&ls).ok()
}

pub(super) fn list_pods(k: &mut Kubectl<'_>, who: &Identity, ns: &str, selector: Selector) -> Vec<Pod> {
    let options = ListOptions { label_selector: Some(selector), ..Default::default() };
    let items = k.cluster.api_mut().list(who, Kind::Pod, Some(ns), &options).map(|l| l.items).unwrap_or_default();
    items.iter().filter_map(Object::as_pod).cloned().collect()
}

/// `podutils.ByLogging`: scheduled, running, ready, more restarts, older first.
pub(super) fn by_logging(a: &Pod, b: &Pod) -> std::cmp::Ordering {
    let key = |p: &Pod| {
        let st = p.status.clone().unwrap_or_default();
        let scheduled = p.spec.as_ref().and_then(|s| s.node_name.as_ref()).is_some_and(|n| !n.is_empty());
        let phase = match st.phase.as_deref() {
            Some("Running") => 0,
            Some("Unknown") => 1,
            Some("Pending") => 2,
            _ => 3,
        };
        let ready = st.conditions.iter().flatten().any(|c| c.type_ == "Ready" && c.status == "True");
        let restarts: i32 = st.container_statuses.iter().flatten().map(|c| c.restart_count).max().unwrap_or(0);
        let created = p.metadata.creation_timestamp.as_ref().map(|t| t.0.as_millisecond()).unwrap_or(i64::MAX);
        (!scheduled, phase, !ready, -restarts, created, p.metadata.name.clone())
    };
    key(a).cmp(&key(b))
}

/// The pod's containers as kubectl lists them (`podcmd.AllContainerNames`): app containers, then
/// init containers marked `(init)`.
fn all_container_names(pod: &Pod) -> String {
    let spec = pod.spec.clone().unwrap_or_default();
    let mut v: Vec<String> = spec.containers.iter().map(|c| c.name.clone()).collect();
    v.extend(spec.init_containers.iter().flatten().map(|c| format!("{} (init)", c.name)));
    v.join(", ")
}

/// The container a command acts on when `-c` is absent (`podcmd.FindOrDefaultContainerByName`): the
/// `kubectl.kubernetes.io/default-container` annotation's, else the first, saying so on stderr when
/// the pod has several (unless `quiet`).
pub(super) fn default_container(k: &mut Kubectl<'_>, pod: &Pod, quiet: bool) -> String {
    let spec = pod.spec.clone().unwrap_or_default();
    let known = |d: &String| spec.containers.iter().chain(spec.init_containers.iter().flatten()).any(|c| &c.name == d);
    if let Some(d) = pod
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get("kubectl.kubernetes.io/default-container"))
        .filter(|d| known(d))
    {
        return d.clone();
    }
    let first = spec.containers.first().map(|c| c.name.clone()).unwrap_or_default();
    if (spec.containers.len() > 1 || spec.init_containers.as_ref().is_some_and(|i| !i.is_empty())) && !quiet {
        k.out.err(format!("Defaulted container \"{first}\" out of: {}\n", all_container_names(pod)));
    }
    first
}

/// Prints one pod's logs; false when an error ends the command.
fn pod_logs(k: &mut Kubectl<'_>, pod: &Pod, container: Option<&str>, all: bool, many: bool, o: &Options) -> bool {
    let name = pod.metadata.name.clone().unwrap_or_default();
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let spec = pod.spec.clone().unwrap_or_default();
    let init: Vec<String> = spec.init_containers.iter().flatten().map(|c| c.name.clone()).collect();
    let app: Vec<String> = spec.containers.iter().map(|c| c.name.clone()).collect();
    let chosen: Vec<String> = if all {
        init.iter().chain(app.iter()).cloned().collect()
    } else {
        let c = match container {
            Some(c) => c.to_string(),
            None => default_container(k, pod, many),
        };
        if !app.contains(&c) && !init.contains(&c) {
            k.error(&format!("container {c} is not valid for pod {name} out of: {}", all_container_names(pod)));
            return false;
        }
        vec![c]
    };
    let node = spec.node_name.clone().unwrap_or_default();
    for c in chosen {
        let read = match k.cluster.kubelet(&node) {
            Some(kubelet) => kubelet.log_store().read(&ns, &name, Some(&c), o.previous, true),
            None => Err(LogsError::PodNotFound { pod: name.clone() }),
        };
        let text = match read {
            Ok(t) => t,
            // A pod the kubelet has not started yet (or not scheduled yet) is still being created.
            Err(LogsError::PodNotFound { .. }) if !o.previous => {
                let e =
                    LogsError::WaitingToStart { container: c, pod: name.clone(), reason: "ContainerCreating".into() };
                k.out.fail(format!("Error from server (BadRequest): {e}\n"));
                return false;
            }
            Err(LogsError::PodNotFound { .. }) => {
                let e = LogsError::NoPrevious { container: c, pod: name.clone() };
                k.out.fail(format!("Error from server (BadRequest): {e}\n"));
                return false;
            }
            Err(e) => {
                k.out.fail(format!("Error from server (BadRequest): {e}\n"));
                return false;
            }
        };
        let mut lines: Vec<(i64, &str, &str)> = text
            .lines()
            .filter_map(|l| {
                let (ts, rest) = l.split_once(' ').unwrap_or((l, ""));
                let ms = ts.parse::<k8s_openapi::jiff::Timestamp>().ok()?.as_millisecond();
                Some((ms, ts, rest))
            })
            .collect();
        if let Some(since) = o.since_ms {
            lines.retain(|(ms, _, _)| *ms >= since);
        }
        if let Some(t) = o.tail {
            let skip = lines.len().saturating_sub(t);
            lines.drain(..skip);
        }
        let prefix = if o.prefix { format!("[pod/{name}/{c}] ") } else { String::new() };
        let mut out = String::new();
        for (_, ts, line) in lines {
            out.push_str(&prefix);
            if o.timestamps {
                out.push_str(ts);
                out.push(' ');
            }
            out.push_str(line);
            out.push('\n');
        }
        k.out.out(out);
    }
    true
}
