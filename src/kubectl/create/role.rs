//! `kubectl create role|clusterrole NAME --verb=VERB... --resource=TYPE[.GROUP][/SUB]...
//! [--resource-name=N]...` (and for cluster roles `--non-resource-url` and `--aggregation-rule`): one
//! rule per API group, the resource types resolved against the server's resource table as kubectl
//! resolves them through discovery.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::subcommand::{self, Options};
use crate::api::{Kind, resource};
use crate::kubectl::context::Kubectl;
use crate::kubectl::flags::Flag;

const ROLE_FLAGS: &[Flag] =
    &[Flag::slice("verb", None), Flag::slice("resource", None), Flag::array("resource-name", None)];

const CLUSTER_ROLE_FLAGS: &[Flag] = &[
    Flag::slice("verb", None),
    Flag::slice("resource", None),
    Flag::array("resource-name", None),
    Flag::slice("non-resource-url", None),
    Flag::string("aggregation-rule", None),
];

/// The verbs Kubernetes defines for resources; others draw kubectl's warning.
const STANDARD_VERBS: &[&str] = &[
    "*",
    "get",
    "delete",
    "list",
    "create",
    "update",
    "patch",
    "watch",
    "proxy",
    "deletecollection",
    "use",
    "bind",
    "escalate",
    "impersonate",
];

pub fn run_role(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(o) = subcommand::prepare(k, ROLE_FLAGS, args, &[]) else { return };
    let verbs = o.p.all("verb");
    if verbs.is_empty() {
        return k.error("at least one verb must be specified");
    }
    if o.p.all("resource").is_empty() {
        return k.error("at least one resource must be specified");
    }
    let Some(rules) = resource_rules(k, &o) else { return };
    let value = json!({
        "kind": "Role",
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "metadata": {"name": o.name},
        "rules": rules
    });
    subcommand::finish(k, &o, Kind::Role, value);
}

pub fn run_cluster_role(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(o) = subcommand::prepare(k, CLUSTER_ROLE_FLAGS, args, &[]) else { return };
    let verbs = o.p.all("verb");
    let urls = o.p.all("non-resource-url");
    let aggregation = o.p.get("aggregation-rule").unwrap_or("");
    let mut value = json!({
        "kind": "ClusterRole",
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "metadata": {"name": o.name}
    });
    if !aggregation.is_empty() {
        if !urls.is_empty() || !verbs.is_empty() || !o.p.all("resource").is_empty() || o.p.has("resource-name") {
            return k.error(
                "aggregation rule must be specified without nonResourceURLs, verbs, resources or resourceNames",
            );
        }
        let mut labels = serde_json::Map::new();
        for pair in aggregation.split(',') {
            let Some((key, v)) = pair.split_once('=') else {
                return k.error(&format!("invalid label: {pair}"));
            };
            labels.insert(key.to_string(), Value::String(v.to_string()));
        }
        value["aggregationRule"] = json!({"clusterRoleSelectors": [{"matchLabels": labels}]});
        return subcommand::finish(k, &o, Kind::ClusterRole, value);
    }
    if verbs.is_empty() {
        return k.error("at least one verb must be specified");
    }
    if o.p.all("resource").is_empty() && urls.is_empty() {
        return k.error("one of resource or nonResourceURL must be specified");
    }
    let mut rules = Vec::new();
    if !o.p.all("resource").is_empty() {
        let Some(r) = resource_rules(k, &o) else { return };
        rules = r;
    }
    if !urls.is_empty() {
        rules.push(json!({"verbs": verbs, "nonResourceURLs": urls}));
    }
    value["rules"] = Value::Array(rules);
    subcommand::finish(k, &o, Kind::ClusterRole, value);
}

/// One PolicyRule per API group (groups sorted), resources in the order given.
fn resource_rules(k: &mut Kubectl<'_>, o: &Options) -> Option<Vec<Value>> {
    let verbs = o.p.all("verb");
    for v in &verbs {
        if !STANDARD_VERBS.contains(&v.as_str()) {
            k.out.err(format!("Warning: '{v}' is not a standard resource verb\n"));
        }
    }
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in o.p.all("resource") {
        let (typ, sub) = match r.split_once('/') {
            Some((t, s)) => (t.to_string(), Some(s.to_string())),
            None => (r.clone(), None),
        };
        let (group, mut plural) = if typ == "*" {
            (String::new(), "*".to_string())
        } else {
            match resource::resolve(&typ) {
                Some(kind) => (kind.group().to_string(), kind.plural().to_string()),
                None => {
                    k.error(&format!("the server doesn't have a resource type \"{typ}\""));
                    return None;
                }
            }
        };
        if let Some(s) = sub {
            plural = format!("{plural}/{s}");
        }
        let list = groups.entry(group).or_default();
        if !list.contains(&plural) {
            list.push(plural);
        }
    }
    let names = o.p.all("resource-name");
    Some(
        groups
            .into_iter()
            .map(|(group, resources)| {
                let mut rule = json!({"verbs": verbs, "apiGroups": [group], "resources": resources});
                if !names.is_empty() {
                    rule["resourceNames"] = json!(names);
                }
                rule
            })
            .collect(),
    )
}
