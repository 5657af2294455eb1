//! The playground's own verbs (`kubarium node|component|explain|load|reset|speed|seed`; `share` is the
//! shell's, which owns the session's scenario), kept apart from kubectl so that kubectl stays faithful.
//! They fault and grow the simulated machines; what the cluster then does about it is the components'
//! business, as it would be in a real cluster.

use crate::api::Kind;
use crate::api::quantity::Quantity;
use crate::cluster::{Cluster, NodeSpec};
use crate::kubectl::Output;
use crate::kubectl::flags::{self, Flag};

const NAMESPACE_FLAG: &[Flag] = &[Flag::string("namespace", Some('n'))];
const LOAD_FLAGS: &[Flag] = &[Flag::string("namespace", Some('n')), Flag::string("cpu", None)];
const NODE_FLAGS: &[Flag] = &[
    Flag::string("cpu", None),
    Flag::string("memory", None),
    Flag::string("pods", None),
    Flag::string("zone", None),
    Flag::array("label", None),
    Flag::array("taint", None),
];

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

/// What a verb did beyond its output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    None,
    /// A new cluster booted (`reset`, `seed N`): the session's scenario starts over.
    Rebooted,
}

/// Runs `kubarium ARGS...`.
pub fn run(args: &[String], cluster: &mut Cluster, settings: &mut Settings, out: &mut Output) -> Effect {
    let rest = args.get(1..).unwrap_or_default();
    match args.first().map(String::as_str) {
        Some("node") => node(rest, cluster, out),
        Some("component") => component(rest, cluster, out),
        Some("explain") => explain(rest, cluster, out),
        Some("load") => load(rest, cluster, out),
        Some("reset") => {
            *cluster = Cluster::boot_setup(cluster.seed(), cluster.setup().clone());
            out.out("cluster reset to its initial state\n");
            return Effect::Rebooted;
        }
        Some("seed") => return seed(rest, cluster, out),
        Some("speed") => speed(rest, settings, out),
        Some(other) => out.fail(format!(
            "error: unknown command \"{other}\" for \"kubarium\"\nRun 'help' for the commands this shell knows.\n"
        )),
        None => out.fail(USAGE),
    }
    Effect::None
}

fn seed(args: &[String], cluster: &mut Cluster, out: &mut Output) -> Effect {
    match args {
        [] => out.out(format!("{}\n", cluster.seed())),
        [n] => match n.parse::<u64>() {
            Ok(seed) => {
                *cluster = Cluster::boot_setup(seed, cluster.setup().clone());
                out.out(format!("cluster reset with seed {seed}\n"));
                return Effect::Rebooted;
            }
            Err(_) => out.fail(format!("kubarium seed: invalid seed \"{n}\": want a whole number\n")),
        },
        _ => out.fail("usage: kubarium seed [N]\n"),
    }
    Effect::None
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
fn node_spec(name: &str, args: &[String]) -> Result<NodeSpec, String> {
    let mut spec = NodeSpec::named(name).map_err(|e| e.to_string())?;
    let p = flags::parse(NODE_FLAGS, args).map_err(|e| e.to_string())?;
    if let Some(extra) = p.args.first() {
        return Err(format!("unexpected argument \"{extra}\""));
    }
    let set = |r: Result<(), _>| r.map_err(|e: crate::cluster::topology::NodeSpecError| e.to_string());
    if let Some(v) = p.get("cpu") {
        set(spec.set_cpu(v))?;
    }
    if let Some(v) = p.get("memory") {
        set(spec.set_memory(v))?;
    }
    if let Some(v) = p.get("pods") {
        set(spec.set_pods(v))?;
    }
    spec.zone = p.get("zone").map(str::to_string);
    for value in p.all("label") {
        set(spec.add_label(&value))?;
    }
    for value in p.all("taint") {
        set(spec.add_taint(&value))?;
    }
    Ok(spec)
}

/// `kubarium load KIND/NAME --cpu Q [-n NS]`: every pod of the workload uses `Q` more CPU (what a
/// burst of traffic would do), for `kubectl top` and the HPA; `--cpu 0` takes the load away.
fn load(args: &[String], cluster: &mut Cluster, out: &mut Output) {
    let usage = "usage: kubarium load KIND/NAME --cpu QUANTITY [-n NAMESPACE]\n";
    let Ok(p) = flags::parse(LOAD_FLAGS, args) else { return out.fail(usage) };
    let (Some(cpu), [target]) = (p.get("cpu"), p.args.as_slice()) else { return out.fail(usage) };
    let Some((_, name)) = target.split_once('/').filter(|(k, n)| !k.is_empty() && !n.is_empty()) else {
        return out.fail(usage);
    };
    let millis = match Quantity::parse(cpu) {
        Ok(q) if q.milli_value() >= 0 => q.milli_value().unsigned_abs(),
        _ => return out.fail(format!("kubarium load: invalid --cpu \"{cpu}\"\n")),
    };
    let namespace = p.get("namespace").unwrap_or("default");
    cluster.load().set(namespace, &format!("{name}-"), millis);
    out.out(format!("load on {target}: +{millis}m CPU per pod\n"));
}

/// `kubarium explain pod NAME [-n NS]`: the scheduler's reasoning in its last attempt for the pod.
fn explain(args: &[String], cluster: &mut Cluster, out: &mut Output) {
    let p = match flags::parse(NAMESPACE_FLAG, args) {
        Ok(p) => p,
        Err(e) => return out.fail(format!("kubarium explain: {e}\n")),
    };
    let namespace = p.get("namespace").unwrap_or("default").to_string();
    let name = match p.args.as_slice() {
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
