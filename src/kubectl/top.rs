//! `kubectl top node|pod`: resource use as the Metrics API reports it, read here from each node's
//! kubelet (the simulator's stand-in for metrics-server). Without any kubelet there is no Metrics API.

use super::context::Kubectl;
use super::flags::Flag;
use super::printers::tabwriter::format_rows;
use crate::api::labels::Selector;
use crate::api::quantity::Quantity;
use crate::api::{Kind, Object};
use crate::apiserver::ListOptions;
use crate::kubelet::metrics::Usage;

/// A node's row: name, use, and its allocatable CPU and memory in thousandths.
type NodeRow = (String, Usage, Option<(i64, i64)>);
/// A pod's row: name, total use, and (namespace, each container's use).
type PodRow = (String, Usage, (String, Vec<(String, Usage)>));

const FLAGS: &[Flag] = &[
    Flag::string("selector", Some('l')),
    Flag::string("sort-by", None),
    Flag::bool("no-headers", None),
    Flag::bool("all-namespaces", Some('A')),
    Flag::bool("containers", None),
    Flag::bool("sum", None),
    Flag::bool("show-capacity", None),
    Flag::bool("use-protocol-buffers", None),
    Flag::string("field-selector", None),
    Flag::bool("show-swap", None),
];

pub fn run(k: &mut Kubectl<'_>, args: &[String]) {
    let Some((sub, rest)) = args.split_first() else {
        k.out.out("Display resource (CPU/memory) usage.\n\nAvailable Commands:\n  node          Display resource (CPU/memory) usage of nodes\n  pod           Display resource (CPU/memory) usage of pods\n");
        return;
    };
    match sub.as_str() {
        "node" | "nodes" | "no" => {
            k.command = "top node".into();
            nodes(k, rest);
        }
        "pod" | "pods" | "po" => {
            k.command = "top pod".into();
            pods(k, rest);
        }
        other => k.error(&format!("unknown command \"{other}\" for \"kubectl top\"")),
    }
}

fn cpu(milli: u64) -> String {
    format!("{milli}m")
}

fn mem(bytes: u64) -> String {
    format!("{}Mi", bytes / (1024 * 1024))
}

/// Parses the flags, checks them, and gives the list options of `-l`; None after an error.
fn setup(k: &mut Kubectl<'_>, args: &[String]) -> Option<(super::flags::Parsed, ListOptions)> {
    let p = k.parse(FLAGS, args)?;
    if !preflight(k, p.get("sort-by")) {
        return None;
    }
    let mut options = ListOptions::default();
    if let Some(l) = p.get("selector") {
        match Selector::parse(l) {
            Ok(s) => options.label_selector = Some(s),
            Err(e) => {
                k.error(&e.to_string());
                return None;
            }
        }
    }
    Some((p, options))
}

/// Common checks: the Metrics API exists, `--sort-by` is cpu or memory.
fn preflight(k: &mut Kubectl<'_>, sort: Option<&str>) -> bool {
    if let Some(s) = sort.filter(|s| !s.is_empty())
        && s != "cpu"
        && s != "memory"
    {
        k.error("--sort-by accepts only cpu or memory");
        return false;
    }
    if k.cluster.kubelet_nodes().next().is_none() {
        k.error("Metrics API not available");
        return false;
    }
    true
}

fn sort_rows<T>(rows: &mut [(String, Usage, T)], sort: Option<&str>) {
    match sort {
        Some("cpu") => rows.sort_by_key(|r| std::cmp::Reverse(r.1.cpu_millis)),
        Some("memory") => rows.sort_by_key(|r| std::cmp::Reverse(r.1.memory_bytes)),
        _ => {}
    }
}

fn nodes(k: &mut Kubectl<'_>, args: &[String]) {
    let Some((p, options)) = setup(k, args) else { return };
    let who = Kubectl::identity(&p);
    let list = match p.args.first() {
        Some(name) => match k.cluster.api_mut().get(&who, Kind::Node, None, name) {
            Ok(o) => vec![o],
            Err(e) => return k.server_error(&e),
        },
        None => match k.cluster.api_mut().list(&who, Kind::Node, None, &options) {
            Ok(l) => l.items,
            Err(e) => return k.server_error(&e),
        },
    };
    let field = if p.bool("show-capacity") { "capacity" } else { "allocatable" };
    let mut rows: Vec<NodeRow> = Vec::new();
    let mut missing: Vec<String> = Vec::new();
    for obj in &list {
        let Some(node) = obj.as_node() else { continue };
        let Some(usage) = k.cluster.node_metrics(obj.name()) else {
            missing.push(obj.name().to_string());
            continue;
        };
        let st = node.status.clone().unwrap_or_default();
        let avail = if field == "capacity" { st.capacity } else { st.allocatable }.unwrap_or_default();
        let q = |r: &str| avail.get(r).and_then(|q| Quantity::from_api(q).ok()).unwrap_or_default();
        rows.push((obj.name().to_string(), usage, Some((q("cpu").milli_value(), q("memory").milli_value()))));
    }
    if rows.is_empty() && missing.is_empty() {
        return;
    }
    sort_rows(&mut rows, p.get("sort-by"));
    let mut table: Vec<Vec<String>> = Vec::new();
    if !p.bool("no-headers") {
        table.push(["NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"].map(String::from).to_vec());
    }
    let pct = |used: i64, avail: i64| {
        if avail == 0 { "0%".to_string() } else { format!("{}%", (used as f64 / avail as f64 * 100.0) as i64) }
    };
    for (name, u, avail) in rows {
        let (c, m) = avail.unwrap_or((0, 0));
        let cpu_m = i64::try_from(u.cpu_millis).unwrap_or(i64::MAX);
        let mem_m = i64::try_from(u.memory_bytes).unwrap_or(i64::MAX / 1000).saturating_mul(1000);
        table.push(vec![name, cpu(u.cpu_millis), pct(cpu_m, c), mem(u.memory_bytes), pct(mem_m, m)]);
    }
    for name in missing {
        table.push(vec![name, "<unknown>".into(), "<unknown>".into(), "<unknown>".into(), "<unknown>".into()]);
    }
    k.out.out(format_rows(&table));
}

fn pods(k: &mut Kubectl<'_>, args: &[String]) {
    let Some((p, options)) = setup(k, args) else { return };
    let who = Kubectl::identity(&p);
    let all = p.bool("all-namespaces");
    let ns = Kubectl::namespace(&p);
    let list_ns = if all { None } else { Some(ns.as_str()) };
    let pods: Vec<Object> = match p.args.first() {
        Some(name) => match k.cluster.api_mut().get(&who, Kind::Pod, Some(&ns), name) {
            Ok(o) => vec![o],
            Err(_) => {
                return k.out.fail(format!(
                    "Error from server (NotFound): podmetrics.metrics.k8s.io \"{ns}/{name}\" not found\n"
                ));
            }
        },
        None => match k.cluster.api_mut().list(&who, Kind::Pod, list_ns, &options) {
            Ok(l) => l.items,
            Err(e) => return k.server_error(&e),
        },
    };
    // (namespace/name, per-container use)
    let mut rows: Vec<PodRow> = Vec::new();
    for obj in &pods {
        let Some(pod) = obj.as_pod() else { continue };
        let node = pod.spec.as_ref().and_then(|s| s.node_name.clone()).unwrap_or_default();
        let pod_ns = obj.namespace().unwrap_or("").to_string();
        let Some(containers) = k.cluster.pod_metrics(&node, &pod_ns, obj.name()) else {
            continue;
        };
        let total = containers.iter().fold(Usage::default(), |a, (_, u)| Usage {
            cpu_millis: a.cpu_millis + u.cpu_millis,
            memory_bytes: a.memory_bytes + u.memory_bytes,
        });
        rows.push((obj.name().to_string(), total, (pod_ns, containers)));
    }
    if rows.is_empty() {
        if !pods.is_empty() {
            return k.error("metrics not available yet");
        }
        if all {
            k.out.err("No resources found\n");
        } else {
            k.out.err(format!("No resources found in {ns} namespace.\n"));
        }
        return;
    }
    if all {
        rows.sort_by(|a, b| (&a.2.0, &a.0).cmp(&(&b.2.0, &b.0)));
    }
    sort_rows(&mut rows, p.get("sort-by"));
    let containers = p.bool("containers");
    let mut table: Vec<Vec<String>> = Vec::new();
    if !p.bool("no-headers") {
        let mut h: Vec<String> = Vec::new();
        if all {
            h.push("NAMESPACE".into());
        }
        if containers {
            h.push("POD".into());
        }
        h.extend(["NAME", "CPU(cores)", "MEMORY(bytes)"].map(String::from));
        table.push(h);
    }
    let mut sum = Usage::default();
    for (name, u, (pod_ns, cs)) in &rows {
        sum.cpu_millis += u.cpu_millis;
        sum.memory_bytes += u.memory_bytes;
        let lead = |row: &mut Vec<String>| {
            if all {
                row.push(pod_ns.clone());
            }
        };
        if containers {
            for (c, cu) in cs {
                let mut row = Vec::new();
                lead(&mut row);
                row.extend([name.clone(), c.clone(), cpu(cu.cpu_millis), mem(cu.memory_bytes)]);
                table.push(row);
            }
        } else {
            let mut row = Vec::new();
            lead(&mut row);
            row.extend([name.clone(), cpu(u.cpu_millis), mem(u.memory_bytes)]);
            table.push(row);
        }
    }
    if p.bool("sum") {
        let width = table.first().map_or(3, Vec::len);
        let pad = width.saturating_sub(2);
        let mut line: Vec<String> = vec![String::new(); pad];
        line.extend(["________".to_string(), "________".to_string()]);
        table.push(line);
        let mut total: Vec<String> = vec![String::new(); pad];
        total.extend([cpu(sum.cpu_millis), mem(sum.memory_bytes)]);
        table.push(total);
    }
    k.out.out(format_rows(&table));
}
