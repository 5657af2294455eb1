//! `kubectl expose (TYPE NAME | TYPE/NAME | -f -)`: a Service for a pod, service, deployment or
//! replica set, selecting what the object selects (a pod: its labels), on `--port` or, without it,
//! on every port its containers declare, as kubectl's service generator builds it.

use serde_json::{Map, Value, json};

use super::builder::{self, Info, Options};
use super::context::Kubectl;
use super::create::subcommand::DryRun;
use super::flags::{Flag, Parsed};
use super::mutate::{self, FILE_FLAGS, PRINT_FLAGS, WRITE_FLAGS};
use crate::api::Kind;

const FLAGS: &[Flag] = &[
    Flag::string("port", None),
    Flag::string("target-port", None),
    Flag::string("protocol", None),
    Flag::string("name", None),
    Flag::string("type", None),
    Flag::string("external-ip", None),
    Flag::string("selector", None),
    Flag::string("labels", Some('l')),
    Flag::string("session-affinity", None),
    Flag::string("cluster-ip", None),
    Flag::string("load-balancer-ip", None),
];

const SERVICE_TYPES: &[&str] = &["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"];

pub fn run(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(p) = k.parse(&mutate::flags(&[FLAGS, FILE_FLAGS, PRINT_FLAGS, WRITE_FLAGS]), args) else { return };
    let Some((dry_run, printer)) = mutate::dry_run_and_printer(k, &p) else { return };
    if let Some(ty) = p.get("type").filter(|t| !t.is_empty() && !SERVICE_TYPES.contains(t)) {
        return k.error(&format!("invalid service type: {ty}"));
    }
    let found = match builder::find(k, &p, &p.args.clone(), Options::default()) {
        Ok(f) => f,
        Err(e) => return k.error(&e),
    };
    for info in &found.infos {
        let service = match service_for(info, &p) {
            Ok(s) => s,
            Err(e) => return k.error(&e),
        };
        let mut value = match mutate::send_create(k, &p, Kind::Service, service, dry_run) {
            Ok(v) => v,
            Err(e) => return k.out.fail(format!("{e}\n")),
        };
        if dry_run == DryRun::Client {
            // What a typed, never-sent Service prints: an empty load balancer status.
            value["status"] = json!({"loadBalancer": {}});
        }
        mutate::print_op_typed(k, &printer, dry_run, Kind::Service, &value, "exposed", true);
    }
    builder::report_errors(k, &found.errors);
}

/// The Service kubectl's generator makes for `info`.
fn service_for(info: &Info, p: &Parsed) -> Result<Value, String> {
    let v = &info.value;
    let selector = match p.get("selector").filter(|s| !s.is_empty()) {
        Some(s) => parse_pairs(s).map_err(|_| format!("unexpected selector: {s}"))?,
        None => selector_of(info)?,
    };
    let mut ports = match p.get("port").filter(|s| !s.is_empty()) {
        Some(port) => vec![port_entry(port, p.get("protocol").unwrap_or("TCP"))?],
        None => container_ports(info),
    };
    if ports.is_empty() {
        return Err("couldn't find port via --port flag or introspection".into());
    }
    if let Some(target) = p.get("target-port").filter(|s| !s.is_empty()) {
        let target = target.parse::<i64>().map_or_else(|_| json!(target), |n| json!(n));
        ports.iter_mut().for_each(|port| port["targetPort"] = target.clone());
    }
    if ports.len() > 1 {
        for (i, port) in ports.iter_mut().enumerate() {
            if port.get("name").is_none() {
                port["name"] = json!(format!("port-{}", i + 1));
            }
        }
    }
    let name = p.get("name").filter(|n| !n.is_empty()).map(str::to_string).unwrap_or_else(|| info.name.clone());
    let mut metadata = json!({"name": name});
    let labels = match p.get("labels").filter(|l| !l.is_empty()) {
        Some(l) => Some(Value::Object(parse_pairs(l).map_err(|_| format!("unexpected labels: {l}"))?)),
        None => v.pointer("/metadata/labels").cloned(),
    };
    if let Some(labels) = labels {
        metadata["labels"] = labels;
    }
    if let Some(ns) = &info.namespace {
        metadata["namespace"] = json!(ns);
    }
    let mut spec = json!({"ports": ports, "selector": selector});
    for (flag, field) in [("type", "type"), ("session-affinity", "sessionAffinity"), ("cluster-ip", "clusterIP")] {
        if let Some(x) = p.get(flag).filter(|x| !x.is_empty()) {
            spec[field] = json!(x);
        }
    }
    if let Some(ip) = p.get("external-ip").filter(|x| !x.is_empty()) {
        spec["externalIPs"] = json!([ip]);
    }
    if let Some(ip) = p.get("load-balancer-ip").filter(|x| !x.is_empty()) {
        spec["loadBalancerIP"] = json!(ip);
    }
    Ok(json!({"apiVersion": "v1", "kind": "Service", "metadata": metadata, "spec": spec}))
}

/// What the new Service selects: a workload's `matchLabels`, a service's selector, a pod's labels.
fn selector_of(info: &Info) -> Result<Map<String, Value>, String> {
    let v = &info.value;
    let found = match info.kind {
        Kind::Pod => v.pointer("/metadata/labels"),
        Kind::Service => v.pointer("/spec/selector"),
        Kind::Deployment | Kind::ReplicaSet => {
            if v.pointer("/spec/selector/matchExpressions").is_some_and(|e| e.as_array().is_some_and(|a| !a.is_empty()))
            {
                return Err(format!(
                    "couldn't retrieve selectors via --selector flag or introspection: {} has matchExpressions, which a service selector cannot express",
                    info.qualified()
                ));
            }
            v.pointer("/spec/selector/matchLabels")
        }
        // A GroupKind, as Go prints it: `DaemonSet.apps`, `ConfigMap`.
        other if other.group().is_empty() => return Err(format!("cannot expose a {}", other.as_str())),
        other => return Err(format!("cannot expose a {}.{}", other.as_str(), other.group())),
    };
    match found.and_then(Value::as_object) {
        Some(m) if !m.is_empty() => Ok(m.clone()),
        _ => Err(format!(
            "couldn't retrieve selectors via --selector flag or introspection: the {} has no labels to select",
            info.kind.as_str()
        )),
    }
}

/// Every port the object's containers declare (a service: its own ports).
fn container_ports(info: &Info) -> Vec<Value> {
    let v = &info.value;
    if info.kind == Kind::Service {
        let ports = v.pointer("/spec/ports").and_then(Value::as_array).cloned().unwrap_or_default();
        return ports
            .iter()
            .map(|sp| {
                let mut port =
                    json!({"port": sp["port"], "protocol": sp.get("protocol").cloned().unwrap_or(json!("TCP"))});
                port["targetPort"] = sp.get("targetPort").cloned().unwrap_or_else(|| sp["port"].clone());
                if let Some(n) = sp.get("name") {
                    port["name"] = n.clone();
                }
                port
            })
            .collect();
    }
    let spec = if info.kind == Kind::Pod { v.pointer("/spec") } else { v.pointer("/spec/template/spec") };
    let containers = spec.and_then(|s| s.get("containers")).and_then(Value::as_array).cloned().unwrap_or_default();
    containers
        .iter()
        .flat_map(|c| c.get("ports").and_then(Value::as_array).cloned().unwrap_or_default())
        .filter_map(|cp| {
            let n = cp.get("containerPort")?.as_i64()?;
            let protocol = cp.get("protocol").cloned().unwrap_or(json!("TCP"));
            Some(json!({"port": n, "protocol": protocol, "targetPort": n}))
        })
        .collect()
}

/// `--port`: a number from 1 to 65535.
fn port_entry(port: &str, protocol: &str) -> Result<Value, String> {
    match port.parse::<i64>() {
        Ok(n) if (1..=65535).contains(&n) => Ok(json!({"port": n, "protocol": protocol, "targetPort": n})),
        _ => Err(format!(
            "invalid argument \"{port}\" for \"--port\" flag: strconv.ParseInt: parsing \"{port}\": invalid syntax"
        )),
    }
}

/// `k=v,k2=v2`.
fn parse_pairs(s: &str) -> Result<Map<String, Value>, ()> {
    s.split(',').map(|kv| kv.split_once('=').map(|(k, v)| (k.to_string(), json!(v))).ok_or(())).collect()
}
