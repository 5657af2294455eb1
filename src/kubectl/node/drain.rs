//! `kubectl drain NODE`: cordon the node, choose its pods with kubectl's filters (mirror pods skipped,
//! DaemonSet pods refused or ignored, local storage and unmanaged pods refused unless allowed), then
//! evict them (or delete them with `--disable-eviction`), retrying every 5 seconds of virtual time
//! while a disruption budget refuses, and wait until they are gone.

use std::collections::BTreeMap;

use serde_json::Value;

use super::super::builder::{self, server_message};
use super::super::context::Kubectl;
use super::super::create::subcommand::DryRun;
use super::super::flags::Flag;
use super::super::{mutate, waiting};
use crate::api::fields::FieldSelector;
use crate::api::labels::Selector;
use crate::api::{Kind, Object};
use crate::apiserver::{DeleteOptions, ListOptions, Reason};
use crate::sim::Duration;

const FLAGS: &[Flag] = &[
    Flag::string("chunk-size", None),
    Flag::bool("delete-emptydir-data", None),
    Flag::bool("disable-eviction", None),
    Flag::optional("dry-run", None, "unchanged"),
    Flag::bool("force", None),
    Flag::int("grace-period", None),
    Flag::bool("ignore-daemonsets", None),
    Flag::string("pod-selector", None),
    Flag::string("selector", Some('l')),
    Flag::int("skip-wait-for-delete-timeout", None),
    Flag::string("timeout", None),
];

const DAEMONSET_FATAL: &str = "DaemonSet-managed Pods (use --ignore-daemonsets to ignore)";
const DAEMONSET_WARNING: &str = "ignoring DaemonSet-managed Pods";
const LOCAL_STORAGE_FATAL: &str = "Pods with local storage (use --delete-emptydir-data to override)";
const LOCAL_STORAGE_WARNING: &str = "deleting Pods with local storage";
const UNMANAGED_FATAL: &str = "Pods that declare no controller (use --force to override)";
const UNMANAGED_WARNING: &str = "deleting Pods that declare no controller";
const RETRY: Duration = Duration::from_secs(5);

/// What the filters decided for one pod.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Decision {
    Delete,
    Skip,
    Warn { delete: bool, message: String },
    Error(String),
}

/// The switches the filters read.
struct Filters {
    force: bool,
    ignore_daemonsets: bool,
    delete_emptydir: bool,
}

fn phase_done(pod: &Value) -> bool {
    matches!(pod.pointer("/status/phase").and_then(Value::as_str), Some("Succeeded" | "Failed"))
}

fn controller(pod: &Value) -> Option<&Value> {
    pod.pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .and_then(|refs| refs.iter().find(|r| r.get("controller").and_then(Value::as_bool) == Some(true)))
}

/// kubectl's filters in order; the first that keeps the pod decides, else the last one's status.
fn decide(k: &mut Kubectl<'_>, pod: &Value, f: &Filters) -> Decision {
    if pod.pointer("/metadata/deletionTimestamp").is_some() {
        return Decision::Skip;
    }
    let mut status = Decision::Delete;
    if let Some(owner) = controller(pod).filter(|o| o.get("kind").and_then(Value::as_str) == Some("DaemonSet"))
        && !phase_done(pod)
    {
        let ns = pod.pointer("/metadata/namespace").and_then(Value::as_str);
        let name = owner.get("name").and_then(Value::as_str).unwrap_or("");
        if k.cluster.api().peek(Kind::DaemonSet, ns, name).is_none() {
            let msg = format!("daemonsets.apps \"{name}\" not found");
            if !f.force {
                return Decision::Error(msg);
            }
            status = Decision::Warn { delete: true, message: msg };
        } else if !f.ignore_daemonsets {
            return Decision::Error(DAEMONSET_FATAL.into());
        } else {
            return Decision::Warn { delete: false, message: DAEMONSET_WARNING.into() };
        }
    }
    if pod.pointer("/metadata/annotations/kubernetes.io~1config.mirror").is_some() {
        return Decision::Skip;
    }
    let local_storage = pod
        .pointer("/spec/volumes")
        .and_then(Value::as_array)
        .is_some_and(|vs| vs.iter().any(|v| v.get("emptyDir").is_some()));
    if local_storage && !phase_done(pod) {
        if !f.delete_emptydir {
            return Decision::Error(LOCAL_STORAGE_FATAL.into());
        }
        status = Decision::Warn { delete: true, message: LOCAL_STORAGE_WARNING.into() };
    }
    if !phase_done(pod) && controller(pod).is_none() {
        if !f.force {
            return Decision::Error(UNMANAGED_FATAL.into());
        }
        status = Decision::Warn { delete: true, message: UNMANAGED_WARNING.into() };
    }
    status
}

fn pod_key(pod: &Value) -> (String, String) {
    let get = |p: &str| pod.pointer(p).and_then(Value::as_str).unwrap_or("").to_string();
    (get("/metadata/namespace"), get("/metadata/name"))
}

/// The pods to delete from `node`, or the errors that stop the drain; prints the warnings.
fn pods_for_deletion(
    k: &mut Kubectl<'_>,
    node: &str,
    selector: Option<&Selector>,
    f: &Filters,
) -> Result<(Vec<Value>, String), String> {
    let options = ListOptions {
        field_selector: FieldSelector::parse(&format!("spec.nodeName={node}")).ok(),
        label_selector: selector.cloned(),
    };
    let who = crate::apiserver::Identity::admin();
    let pods = k.cluster.api_mut().list(&who, Kind::Pod, None, &options).map_err(|e| server_message(&e))?.items;
    let mut delete = Vec::new();
    let mut warnings: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for pod in pods.iter().map(Object::to_value) {
        let (ns, name) = pod_key(&pod);
        match decide(k, &pod, f) {
            Decision::Delete => delete.push(pod),
            Decision::Skip => {}
            Decision::Warn { delete: d, message } => {
                warnings.entry(message).or_default().push(format!("{ns}/{name}"));
                if d {
                    delete.push(pod);
                }
            }
            Decision::Error(message) => errors.entry(message).or_default().push(format!("{ns}/{name}")),
        }
    }
    if !errors.is_empty() {
        let list: Vec<String> =
            errors.iter().map(|(m, pods)| format!("cannot delete {m}: {}", pods.join(", "))).collect();
        return Err(match list.as_slice() {
            [one] => one.clone(),
            many => format!("[{}]", many.join(", ")),
        });
    }
    let warning = warnings.iter().map(|(m, pods)| format!("{m}: {}", pods.join(", "))).collect::<Vec<_>>().join("; ");
    Ok((delete, warning))
}

/// A Go duration as `time.Duration.String()` prints whole seconds.
fn go_duration(d: Duration) -> String {
    let s = d.as_secs();
    match (s / 3600, (s % 3600) / 60, s % 60) {
        (0, 0, sec) => format!("{sec}s"),
        (0, m, sec) => format!("{m}m{sec}s"),
        (h, m, sec) => format!("{h}h{m}m{sec}s"),
    }
}

/// Where one pod's eviction stands.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Progress {
    Evicting { next: crate::sim::Time },
    Waiting { uid: String },
    Done,
    Failed(String),
}

/// Evicts (or deletes) the pods and waits for them to go; the error is the first failure.
fn evict_pods(
    k: &mut Kubectl<'_>,
    pods: &[Value],
    grace: i64,
    disable: bool,
    dry_run: DryRun,
    timeout: Duration,
) -> Result<(), String> {
    let opts = DeleteOptions {
        grace_period_seconds: (grace >= 0).then_some(grace),
        dry_run: dry_run == DryRun::Server,
        ..DeleteOptions::default()
    };
    let who = crate::apiserver::Identity::admin();
    let start = k.cluster.now();
    let mut state: Vec<Progress> = pods.iter().map(|_| Progress::Evicting { next: start }).collect();
    let verb = if disable { "deleted" } else { "evicted" };
    let end = start.after(timeout);
    let mut last_poll = start;
    loop {
        let now = k.cluster.now();
        // Every due pod's goroutine announces itself before any answer comes back, as kubectl's do.
        let due: Vec<usize> = state
            .iter()
            .enumerate()
            .filter(|(_, st)| matches!(st, Progress::Evicting { next } if *next <= now))
            .map(|(i, _)| i)
            .collect();
        for &i in &due {
            let (ns, name) = pods.get(i).map(pod_key).unwrap_or_default();
            if dry_run == DryRun::Server {
                k.out.out(format!("evicting pod {ns}/{name} (server dry run)\n"));
            } else if !disable {
                k.out.out(format!("evicting pod {ns}/{name}\n"));
            }
        }
        for &i in &due {
            let (Some(pod), Some(st)) = (pods.get(i), state.get_mut(i)) else { continue };
            let (ns, name) = pod_key(pod);
            let result = if disable {
                k.cluster.api_mut().delete(&who, Kind::Pod, Some(&ns), &name, &opts)
            } else {
                k.cluster.api_mut().evict(&who, &ns, &name, &opts)
            };
            *st = match result {
                Ok(d) if dry_run == DryRun::Server => {
                    let _ = d;
                    Progress::Done
                }
                Ok(d) => Progress::Waiting { uid: d.object().uid().to_string() },
                Err(e) if e.reason == Reason::NotFound => Progress::Done,
                Err(e) if e.reason == Reason::TooManyRequests => {
                    k.out.err(format!(
                        "error when evicting pods/\"{name}\" -n \"{ns}\" (will retry after 5s): {}\n",
                        e.message
                    ));
                    Progress::Evicting { next: now.after(RETRY) }
                }
                Err(e) => Progress::Failed(format!("error when evicting pods/\"{name}\" -n \"{ns}\": {}", e.message)),
            };
        }
        if now.since(last_poll).as_millis() >= 1000 || now == start {
            last_poll = now;
            for (pod, st) in pods.iter().zip(state.iter_mut()) {
                let Progress::Waiting { uid } = st else { continue };
                let (ns, name) = pod_key(pod);
                let gone = k.cluster.api().peek(Kind::Pod, Some(&ns), &name).is_none_or(|o| o.uid() != uid.as_str());
                if gone {
                    k.out.out(format!("pod/{name} {verb}\n"));
                    *st = Progress::Done;
                }
            }
        }
        if state.iter().all(|s| matches!(s, Progress::Done | Progress::Failed(_))) {
            break;
        }
        if now >= end {
            for (pod, st) in pods.iter().zip(state.iter_mut()) {
                let (ns, name) = pod_key(pod);
                match st {
                    Progress::Evicting { .. } => {
                        *st = Progress::Failed(format!(
                            "error when evicting pods/\"{name}\" -n \"{ns}\": global timeout reached: {}",
                            go_duration(timeout)
                        ))
                    }
                    Progress::Waiting { .. } => {
                        *st = Progress::Failed(format!(
                            "error when waiting for pod \"{name}\" in namespace \"{ns}\" to terminate: context deadline exceeded"
                        ))
                    }
                    _ => {}
                }
            }
            break;
        }
        k.cluster.run_for(waiting::POLL);
    }
    let failures: Vec<String> =
        state.into_iter().filter_map(|s| if let Progress::Failed(e) = s { Some(e) } else { None }).collect();
    match failures.as_slice() {
        [] => Ok(()),
        [one] => Err(one.clone()),
        many => Err(format!("[{}]", many.join(", "))),
    }
}

pub fn run(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(p) = k.parse(FLAGS, args) else { return };
    let Some(dry_run) = mutate::dry_run_flag(k, &p) else { return };
    let Some(timeout) = waiting::timeout_flag(k, &p, waiting::FOREVER) else { return };
    let Some(found) = super::find_nodes(k, &p, "drain NODE") else { return };
    let pod_selector = match p.get("pod-selector").filter(|s| !s.is_empty()).map(Selector::parse) {
        None => None,
        Some(Ok(s)) => Some(s),
        Some(Err(_)) => return k.error("--pod-selector=<pod_selector> must be a valid label selector"),
    };
    for info in &found.infos {
        if info.kind != Kind::Node {
            return k.error(&format!("error: expected resource of type node, got \"{}\"", info.kind.plural()));
        }
    }
    super::cordon_nodes(k, &p, &found.infos, true, dry_run);
    let filters = Filters {
        force: p.bool("force"),
        ignore_daemonsets: p.bool("ignore-daemonsets"),
        delete_emptydir: p.bool("delete-emptydir-data"),
    };
    let grace = p.int("grace-period").unwrap_or(-1);
    let mut fatal = Vec::new();
    let mut remaining = Vec::new();
    for info in &found.infos {
        let result = match pods_for_deletion(k, &info.name, pod_selector.as_ref(), &filters) {
            Err(e) => Err(e),
            Ok((pods, warning)) => {
                if !warning.is_empty() {
                    k.out.err(format!("Warning: {warning}\n"));
                }
                if dry_run == DryRun::Client {
                    for pod in &pods {
                        let (ns, name) = pod_key(pod);
                        k.out.out(format!("evicting pod {ns}/{name} (dry run)\n"));
                    }
                    Ok(())
                } else {
                    let r = evict_pods(k, &pods, grace, p.bool("disable-eviction"), dry_run, timeout);
                    if let Err(e) = &r
                        && let Ok((pending, _)) = pods_for_deletion(k, &info.name, pod_selector.as_ref(), &filters)
                        && !pending.is_empty()
                    {
                        k.out.err(format!(
                            "There are pending pods in node \"{}\" when an error occurred: {e}\n",
                            info.name
                        ));
                        for pod in &pending {
                            k.out.err(format!("pod/{}\n", pod_key(pod).1));
                        }
                    }
                    r
                }
            }
        };
        match result {
            Ok(()) => {
                let printer = super::super::create::subcommand::Printer::Success;
                super::super::mutate::print_op(k, &printer, dry_run, info.kind, &info.value, "drained");
            }
            Err(e) => {
                k.out.err(format!(
                    "error: unable to drain node \"{}\" due to error: {e}, continuing command...\n",
                    info.name
                ));
                remaining.push(info.name.clone());
                fatal.push(e);
            }
        }
    }
    if !remaining.is_empty() {
        k.out.err("There are pending nodes to be drained:\n");
        for n in &remaining {
            k.out.err(format!(" {n}\n"));
        }
    }
    fatal.extend(found.errors);
    builder::report_errors(k, &fatal);
}
