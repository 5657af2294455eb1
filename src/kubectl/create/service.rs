//! `kubectl create service clusterip|nodeport|loadbalancer|externalname NAME`: a Service selecting
//! `app=NAME`, its ports from `--tcp=PORT[:TARGET]`.

use serde_json::{Value, json};

use super::subcommand::{self, Options};
use crate::api::Kind;
use crate::kubectl::context::Kubectl;
use crate::kubectl::flags::Flag;

/// What `kubectl create service` alone prints (to stderr, failing), as cobra shows a command group.
const HELP: &str = "Create a service using a specified subcommand.\n\nAliases:\nservice, svc\n\nAvailable Commands:\n  clusterip      Create a ClusterIP service\n  externalname   Create an ExternalName service\n  loadbalancer   Create a LoadBalancer service\n  nodeport       Create a NodePort service\n\nUsage:\n  kubectl create service [flags] [options]\n\nUse \"kubectl create service <command> --help\" for more information about a given command.\nUse \"kubectl options\" for a list of global command-line options (applies to all commands).\n";

pub fn run(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(sub) = args.first() else {
        k.out.fail(HELP);
        return;
    };
    let (ty, flags): (&str, &[Flag]) = match sub.as_str() {
        "clusterip" => ("ClusterIP", &[Flag::slice("tcp", None), Flag::string("clusterip", None)]),
        "nodeport" => ("NodePort", &[Flag::slice("tcp", None), Flag::int("node-port", None)]),
        "loadbalancer" => ("LoadBalancer", &[Flag::slice("tcp", None)]),
        "externalname" => ("ExternalName", &[Flag::slice("tcp", None), Flag::string("external-name", None)]),
        _ => {
            let words: Vec<&str> = args.iter().take_while(|a| !a.starts_with('-')).map(String::as_str).collect();
            k.help_error(&format!("unknown command \"{}\"", words.join(" ")));
            return;
        }
    };
    k.command = format!("create service {sub}");
    let required: &[&str] = if ty == "ExternalName" { &["external-name"] } else { &[] };
    let Some(o) = subcommand::prepare(k, flags, &args[1..], required) else { return };
    match generate(&o, ty) {
        Ok(value) => subcommand::finish(k, &o, Kind::Service, value),
        Err(e) => k.error(&e),
    }
}

fn generate(o: &Options, ty: &str) -> Result<Value, String> {
    let cluster_ip = o.p.get("clusterip").unwrap_or("");
    let tcp = o.p.all("tcp");
    if cluster_ip == "None" && ty != "ClusterIP" {
        return Err("ClusterIP=None can only be used with ClusterIP service type".into());
    }
    if cluster_ip != "None" && tcp.is_empty() && ty != "ExternalName" {
        return Err("at least one tcp port specifier must be provided".into());
    }
    let external_name = o.p.get("external-name").unwrap_or("");
    if ty == "ExternalName" && !is_dns1123_subdomain(external_name) {
        return Err(format!("invalid service external name {external_name}"));
    }
    let node_port = o.p.int("node-port").unwrap_or(0);
    let mut ports = Vec::new();
    for spec in &tcp {
        let mut parts = spec.split(':');
        let port = parts.next().unwrap_or("");
        let target = parts.next().unwrap_or("");
        let port = parse_port(port)?;
        let mut sp = json!({"name": spec.replace(':', "-"), "protocol": "TCP", "port": port});
        sp["targetPort"] = if spec.contains(':') { target_port(target)? } else { json!(port) };
        if node_port > 0 {
            sp["nodePort"] = json!(node_port);
        }
        ports.push(sp);
    }
    let mut spec = json!({"selector": {"app": o.name}, "type": ty});
    if !ports.is_empty() {
        spec["ports"] = Value::Array(ports);
    }
    if !cluster_ip.is_empty() {
        spec["clusterIP"] = json!(cluster_ip);
    }
    if ty == "ExternalName" {
        spec["externalName"] = json!(external_name);
    }
    Ok(json!({
        "kind": "Service",
        "apiVersion": "v1",
        "metadata": {"name": o.name, "labels": {"app": o.name}},
        "spec": spec,
        "status": {"loadBalancer": {}}
    }))
}

/// The target of `--tcp=PORT:TARGET`: a port number (1-65535) or a port name, checked as kubectl
/// checks them (validation.IsValidPortNum, IsValidPortName), the problems joined by commas.
fn target_port(target: &str) -> Result<Value, String> {
    if let Ok(n) = target.parse::<i64>() {
        if !(1..=65535).contains(&n) {
            return Err("must be between 1 and 65535, inclusive".into());
        }
        return Ok(json!(n));
    }
    let mut errs = Vec::new();
    if target.len() > 15 {
        errs.push("must be no more than 15 characters");
    }
    if target.is_empty() || !target.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
        errs.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
    }
    if target.contains("--") {
        errs.push("must not contain consecutive hyphens");
    }
    if target.starts_with('-') || target.ends_with('-') {
        errs.push("must not begin or end with a hyphen");
    }
    if !target.bytes().any(|b| b.is_ascii_lowercase()) {
        errs.push("must contain at least one letter (a-z)");
    }
    if errs.is_empty() { Ok(Value::String(target.to_string())) } else { Err(errs.join(",")) }
}

/// `strconv.ParseUint(s, 10, 16)`, with Go's error text.
fn parse_port(s: &str) -> Result<u16, String> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("strconv.ParseUint: parsing \"{s}\": invalid syntax"));
    }
    s.parse::<u16>().map_err(|_| format!("strconv.ParseUint: parsing \"{s}\": value out of range"))
}

/// A DNS-1123 subdomain: lower-case alphanumeric labels joined by `.`, `-` inside, at most 253.
pub fn is_dns1123_subdomain(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|l| {
            !l.is_empty()
                && l.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
}
