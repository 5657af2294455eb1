//! The playground's own verbs (`kubarium node|component|explain|share|reset|speed|seed`), kept apart
//! from kubectl so that kubectl stays faithful. They fault and grow the simulated machines; what the
//! cluster then does about it is the components' business, as it would be in a real cluster.

use crate::api::Kind;
use crate::api::quantity::Quantity;
use crate::cluster::{Cluster, NodeSpec};
use crate::kubectl::Output;

const USAGE: &str = "error: a kubarium verb is required (node, component, explain, load, share, reset, speed, seed)\n";

/// Playground settings the shell keeps beside its cluster.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// How many virtual seconds pass per real second in the web UI.
    pub speed: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { speed: 1.0 }
    }
}

/// Runs `kubarium ARGS...`.
pub fn run(args: &[String], cluster: &mut Cluster, settings: &mut Settings, out: &mut Output) {
    let rest = args.get(1..).unwrap_or_default();
    match args.first().map(String::as_str) {
        Some("node") => node(rest, cluster, out),
        Some("component") => component(rest, cluster, out),
        Some("explain") => explain(rest, cluster, out),
        Some("load") => load(rest, cluster, out),
        Some("reset") => {
            *cluster = Cluster::boot(cluster.seed(), &cluster.topology().clone());
            out.out("cluster reset to its initial state\n");
        }
        Some("seed") => seed(rest, cluster, out),
        Some("speed") => speed(rest, settings, out),
        Some("share") => out.fail("kubarium share: share links are not available in this build yet\n"),
        Some(other) => out.fail(format!(
            "error: unknown command \"{other}\" for \"kubarium\"\nRun 'help' for the commands this shell knows.\n"
        )),
        None => out.fail(USAGE),
    }
}

fn seed(args: &[String], cluster: &mut Cluster, out: &mut Output) {
    match args {
        [] => out.out(format!("{}\n", cluster.seed())),
        [n] => match n.parse::<u64>() {
            Ok(seed) => {
                *cluster = Cluster::boot(seed, &cluster.topology().clone());
                out.out(format!("cluster reset with seed {seed}\n"));
            }
            Err(_) => out.fail(format!("kubarium seed: invalid seed \"{n}\": want a whole number\n")),
        },
        _ => out.fail("usage: kubarium seed [N]\n"),
    }
}

fn speed(args: &[String], settings: &mut Settings, out: &mut Output) {
    match args {
        [] => out.out(format!("{}x\n", settings.speed)),
        [x] => match x.trim_end_matches('x').parse::<f64>() {
            Ok(v) if (0.1..=100.0).contains(&v) => {
                settings.speed = v;
                out.out(format!("speed set to {v}x\n"));
            }
            _ => out.fail(format!("kubarium speed: invalid speed \"{x}\": want a number from 0.1 to 100\n")),
        },
        _ => out.fail("usage: kubarium speed [X]\n"),
    }
}

fn component(args: &[String], cluster: &mut Cluster, out: &mut Output) {
    let (verb, name) = match args {
        [verb, name] if verb == "stop" || verb == "start" => (verb.as_str(), name.as_str()),
        _ => return out.fail("usage: kubarium component stop|start kube-scheduler|kube-controller-manager\n"),
    };
    match cluster.set_component_running(name, verb == "start") {
        Ok(which) => out.out(format!("{} {}\n", which.name(), if verb == "start" { "started" } else { "stopped" })),
        Err(e) => out.fail(format!("kubarium component: {e}\n")),
    }
}

fn node(args: &[String], cluster: &mut Cluster, out: &mut Output) {
    let usage = "usage: kubarium node add|stop|start|remove NAME\n";
    let (verb, name, flags) = match args {
        [verb, name, flags @ ..] => (verb.as_str(), name.as_str(), flags),
        _ => return out.fail(usage),
    };
    if verb != "add" && !flags.is_empty() {
        return out.fail(format!("kubarium node {verb}: unexpected arguments: {}\n", flags.join(" ")));
    }
    let result = match verb {
        "add" => match node_spec(name, flags) {
            Ok(spec) => cluster.add_node(&spec).map(|()| "added"),
            Err(e) => return out.fail(format!("kubarium node add: {e}\n")),
        },
        "stop" => cluster.set_node_running(name, false).map(|()| "stopped (its kubelet no longer reports)"),
        "start" => cluster.set_node_running(name, true).map(|()| "started"),
        "remove" => cluster.remove_node(name).map(|()| "removed"),
        _ => return out.fail(usage),
    };
    match result {
        Ok(what) => out.out(format!("node/{name} {what}\n")),
        Err(e) => out.fail(format!("kubarium node {verb}: {e}\n")),
    }
}

/// `NAME [--cpu N] [--memory Q] [--pods N] [--zone Z] [--label k=v]... [--taint k=v:Effect]...`
fn node_spec(name: &str, flags: &[String]) -> Result<NodeSpec, String> {
    let errors = crate::api::names::is_dns1123_subdomain(name);
    if !errors.is_empty() {
        return Err(format!("invalid node name \"{name}\": {}", errors.join(", ")));
    }
    let mut spec = NodeSpec::worker(name);
    let mut i = 0;
    while i < flags.len() {
        let (flag, inline) = match flags[i].split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (flags[i].clone(), None),
        };
        let value = match inline {
            Some(v) => v,
            None => {
                i += 1;
                flags.get(i).cloned().ok_or_else(|| format!("flag needs an argument: {flag}"))?
            }
        };
        i += 1;
        match flag.as_str() {
            "--cpu" => spec.cpu_millis = quantity(&value, "cpu", 1000)?,
            "--memory" => spec.memory_bytes = quantity(&value, "memory", 1)?,
            "--pods" => {
                spec.pods = value.parse().ok().filter(|p| *p > 0).ok_or(format!("invalid --pods \"{value}\""))?
            }
            "--zone" => spec.zone = Some(value),
            "--label" => {
                let (k, v) = value.split_once('=').ok_or(format!("invalid --label \"{value}\": want key=value"))?;
                spec.labels.insert(k.to_string(), v.to_string());
            }
            "--taint" => spec.taints.push(taint(&value)?),
            other => return Err(format!("unknown flag: {other}")),
        }
    }
    Ok(spec)
}

/// A positive quantity in units of `1/scale` (millicores for cpu, bytes for memory).
fn quantity(value: &str, what: &str, scale: i64) -> Result<i64, String> {
    let q = Quantity::parse(value).map_err(|e| format!("invalid --{what} \"{value}\": {e}"))?;
    let v = if scale == 1000 { q.milli_value() } else { q.value() };
    if v <= 0 {
        return Err(format!("invalid --{what} \"{value}\": must be greater than zero"));
    }
    Ok(v)
}

/// `key[=value]:Effect`, as `kubectl taint` reads it.
fn taint(value: &str) -> Result<(String, String, String), String> {
    let (kv, effect) = value.rsplit_once(':').ok_or(format!("invalid taint spec: {value}"))?;
    if !["NoSchedule", "PreferNoSchedule", "NoExecute"].contains(&effect) {
        return Err(format!(
            "invalid taint effect: {effect}, unsupported taint effect; must be one of NoSchedule, PreferNoSchedule, NoExecute"
        ));
    }
    let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
    if k.is_empty() {
        return Err(format!("invalid taint spec: {value}"));
    }
    Ok((k.to_string(), v.to_string(), effect.to_string()))
}

/// `kubarium load KIND/NAME --cpu Q [-n NS]`: every pod of the workload uses `Q` more CPU (what a
/// burst of traffic would do), for `kubectl top` and the HPA; `--cpu 0` takes the load away.
fn load(args: &[String], cluster: &mut Cluster, out: &mut Output) {
    let usage = "usage: kubarium load KIND/NAME --cpu QUANTITY [-n NAMESPACE]\n";
    let (mut target, mut cpu, mut namespace) = (None, None, "default".to_string());
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        let mut value = |inline: Option<&str>| {
            inline.map(str::to_string).or_else(|| {
                i += 1;
                args.get(i).cloned()
            })
        };
        match a.split_once('=').map_or((a, None), |(f, v)| (f, Some(v))) {
            ("--cpu", inline) => cpu = value(inline),
            ("-n" | "--namespace", inline) => match value(inline) {
                Some(ns) => namespace = ns,
                None => return out.fail(usage),
            },
            _ if target.is_none() && !a.starts_with('-') => target = Some(a.to_string()),
            _ => return out.fail(usage),
        }
        i += 1;
    }
    let (Some(target), Some(cpu)) = (target, cpu) else { return out.fail(usage) };
    let Some((_, name)) = target.split_once('/').filter(|(k, n)| !k.is_empty() && !n.is_empty()) else {
        return out.fail(usage);
    };
    let millis = match Quantity::parse(&cpu) {
        Ok(q) if q.milli_value() >= 0 => q.milli_value().unsigned_abs(),
        _ => return out.fail(format!("kubarium load: invalid --cpu \"{cpu}\"\n")),
    };
    cluster.load().set(&namespace, &format!("{name}-"), millis);
    out.out(format!("load on {target}: +{millis}m CPU per pod\n"));
}

/// `kubarium explain pod NAME [-n NS]`: the scheduler's reasoning in its last attempt for the pod.
fn explain(args: &[String], cluster: &mut Cluster, out: &mut Output) {
    let mut namespace = "default".to_string();
    let mut words = Vec::new();
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "-n" | "--namespace" => {
                i += 1;
                match args.get(i) {
                    Some(ns) => namespace = ns.clone(),
                    None => return out.fail("kubarium explain: flag needs an argument: -n\n"),
                }
            }
            a => match a.strip_prefix("--namespace=").or_else(|| a.strip_prefix("-n=")) {
                Some(ns) => namespace = ns.to_string(),
                None => words.push(a.to_string()),
            },
        }
        i += 1;
    }
    let name = match words.as_slice() {
        [kind, name] if matches!(kind.as_str(), "pod" | "pods" | "po") => name.clone(),
        [kind] => match kind.strip_prefix("pod/").or_else(|| kind.strip_prefix("pods/")) {
            Some(name) => name.to_string(),
            None => return out.fail("usage: kubarium explain pod NAME [-n NAMESPACE]\n"),
        },
        _ => return out.fail("usage: kubarium explain pod NAME [-n NAMESPACE]\n"),
    };
    if cluster.api().peek(Kind::Pod, Some(&namespace), &name).is_none() {
        return out.fail(format!("Error from server (NotFound): pods \"{name}\" not found\n"));
    }
    match cluster.scheduler().and_then(|s| s.last_attempt(&namespace, &name)) {
        Some(attempt) => out.out(attempt.render()),
        None => out.out(format!(
            "pod {namespace}/{name} has no scheduling attempt on record (it was bound by its spec.nodeName, or \
             before the scheduler last started)\n"
        )),
    }
}
