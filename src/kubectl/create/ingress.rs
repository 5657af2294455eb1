//! `kubectl create ingress NAME --rule=HOST/PATH=SERVICE:PORT[,tls[=SECRET]]... [--class=CLASS]
//! [--default-backend=SERVICE:PORT] [--annotation=K=V]...`. A path ending in `*` is a Prefix path,
//! any other an Exact one; rules of the same host share one entry.

use serde_json::{Map, Value, json};

use super::subcommand;
use crate::api::Kind;
use crate::kubectl::context::Kubectl;
use crate::kubectl::flags::Flag;

const FLAGS: &[Flag] = &[
    Flag::array("rule", None),
    Flag::string("class", None),
    Flag::string("default-backend", None),
    Flag::array("annotation", None),
];

pub fn run(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(o) = subcommand::prepare(k, FLAGS, args, &[]) else { return };
    let rules = o.p.all("rule");
    let default_backend = o.p.get("default-backend").unwrap_or("");
    if rules.is_empty() && default_backend.is_empty() {
        return k.error("not enough information provided: every ingress has to either specify a default-backend (which catches all traffic) or a list of rules (which catch specific paths)");
    }
    let mut annotations = Map::new();
    for a in o.p.all("annotation") {
        let Some((key, v)) = a.split_once('=') else {
            return k.error(&format!("annotation {a} is invalid and should be in format key=[value]"));
        };
        annotations.insert(key.to_string(), Value::String(v.to_string()));
    }
    let mut spec = json!({});
    if let Some(class) = o.p.get("class").filter(|c| !c.is_empty()) {
        spec["ingressClassName"] = json!(class);
    }
    if !default_backend.is_empty() {
        let Some(b) = backend(default_backend) else {
            return k.error("default-backend should be in format servicename:serviceport");
        };
        spec["defaultBackend"] = b;
    }
    let mut tls: Vec<Value> = Vec::new();
    let mut http_rules: Vec<Value> = Vec::new();
    for rule in &rules {
        let Some(parsed) = parse_rule(rule) else {
            return k.error(&format!(
                "rule {rule} is invalid and should be in format host/path=svcname:svcport[,tls[=secret]]"
            ));
        };
        if let Some(secret) = &parsed.tls {
            // Hosts sharing a secret share one TLS entry.
            let same = tls.iter_mut().find(|t| t.get("secretName").and_then(Value::as_str).unwrap_or("") == secret);
            match same {
                Some(entry) if !parsed.host.is_empty() => match entry.get_mut("hosts").and_then(Value::as_array_mut) {
                    Some(hosts) => hosts.push(json!(parsed.host)),
                    None => entry["hosts"] = json!([parsed.host]),
                },
                Some(_) => {}
                None => {
                    let mut entry = json!({});
                    if !parsed.host.is_empty() {
                        entry["hosts"] = json!([parsed.host]);
                    }
                    if !secret.is_empty() {
                        entry["secretName"] = json!(secret);
                    }
                    tls.push(entry);
                }
            }
        }
        let path = json!({"path": parsed.path, "pathType": parsed.path_type, "backend": parsed.backend});
        match http_rules.iter_mut().find(|r| r.get("host").and_then(Value::as_str).unwrap_or("") == parsed.host) {
            Some(existing) => {
                if let Some(paths) = existing.pointer_mut("/http/paths").and_then(Value::as_array_mut) {
                    paths.push(path);
                }
            }
            None => {
                let mut r = json!({"http": {"paths": [path]}});
                if !parsed.host.is_empty() {
                    r["host"] = json!(parsed.host);
                }
                http_rules.push(r);
            }
        }
    }
    if !tls.is_empty() {
        spec["tls"] = Value::Array(tls);
    }
    if !http_rules.is_empty() {
        spec["rules"] = Value::Array(http_rules);
    }
    let mut metadata = json!({"name": o.name});
    if !annotations.is_empty() {
        metadata["annotations"] = Value::Object(annotations);
    }
    let value = json!({
        "kind": "Ingress",
        "apiVersion": "networking.k8s.io/v1",
        "metadata": metadata,
        "spec": spec,
        "status": {"loadBalancer": {}}
    });
    subcommand::finish(k, &o, Kind::Ingress, value);
}

struct Rule {
    host: String,
    path: String,
    path_type: &'static str,
    backend: Value,
    tls: Option<String>,
}

/// `host/path=svc:port[,tls[=secret]]`; the host may be empty or a wildcard, the path starts at `/`.
fn parse_rule(rule: &str) -> Option<Rule> {
    let (main, tls) = match rule.split_once(",tls") {
        Some((m, "")) => (m, Some(String::new())),
        Some((m, rest)) => (m, Some(rest.strip_prefix('=').filter(|s| s.is_empty() || is_word(s))?.to_string())),
        None => (rule, None),
    };
    let (host_path, svc) = main.rsplit_once('=')?;
    let slash = host_path.find('/')?;
    let (host, path) = host_path.split_at(slash);
    if !host.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '*' | '-' | '.')) {
        return None;
    }
    let backend = backend(svc)?;
    let (path, path_type) = match path.strip_suffix('*') {
        Some(p) => (p.to_string(), "Prefix"),
        None => (path.to_string(), "Exact"),
    };
    Some(Rule { host: host.to_string(), path, path_type, backend, tls })
}

fn is_word(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

/// `service:port` as an IngressBackend: a numeric port is a number, any other a port name.
fn backend(s: &str) -> Option<Value> {
    let (name, port) = s.split_once(':')?;
    if !is_word(name) || !is_word(port) {
        return None;
    }
    let port = match port.parse::<i32>() {
        Ok(n) => json!({"number": n}),
        Err(_) => json!({"name": port}),
    };
    Some(json!({"service": {"name": name, "port": port}}))
}
