//! `kubectl create rolebinding|clusterrolebinding NAME --role=R|--clusterrole=R [--user=U]...
//! [--group=G]... [--serviceaccount=NS:NAME]...`: subjects users first, then groups, then service
//! accounts, as kubectl lists them.

use serde_json::{Value, json};

use super::subcommand::{self, Options};
use crate::api::Kind;
use crate::kubectl::context::Kubectl;
use crate::kubectl::flags::Flag;

const RBAC: &str = "rbac.authorization.k8s.io";

const ROLE_BINDING_FLAGS: &[Flag] = &[
    Flag::string("role", None),
    Flag::string("clusterrole", None),
    Flag::array("user", None),
    Flag::array("group", None),
    Flag::array("serviceaccount", None),
];

const CLUSTER_ROLE_BINDING_FLAGS: &[Flag] = &[
    Flag::string("clusterrole", None),
    Flag::array("user", None),
    Flag::array("group", None),
    Flag::array("serviceaccount", None),
];

pub fn run_role_binding(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(o) = subcommand::prepare(k, ROLE_BINDING_FLAGS, args, &[]) else { return };
    let role = o.p.get("role").unwrap_or("");
    let cluster_role = o.p.get("clusterrole").unwrap_or("");
    if role.is_empty() == cluster_role.is_empty() {
        return k.error("exactly one of clusterrole or role must be specified");
    }
    let role_ref = if role.is_empty() {
        json!({"apiGroup": RBAC, "kind": "ClusterRole", "name": cluster_role})
    } else {
        json!({"apiGroup": RBAC, "kind": "Role", "name": role})
    };
    finish(k, &o, Kind::RoleBinding, role_ref);
}

pub fn run_cluster_role_binding(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(o) = subcommand::prepare(k, CLUSTER_ROLE_BINDING_FLAGS, args, &["clusterrole"]) else { return };
    let role_ref = json!({"apiGroup": RBAC, "kind": "ClusterRole", "name": o.p.get("clusterrole").unwrap_or("")});
    finish(k, &o, Kind::ClusterRoleBinding, role_ref);
}

fn finish(k: &mut Kubectl<'_>, o: &Options, kind: Kind, role_ref: Value) {
    let mut subjects = Vec::new();
    for user in o.p.all("user") {
        subjects.push(json!({"kind": "User", "apiGroup": RBAC, "name": user}));
    }
    for group in o.p.all("group") {
        subjects.push(json!({"kind": "Group", "apiGroup": RBAC, "name": group}));
    }
    for sa in o.p.all("serviceaccount") {
        match sa.split_once(':') {
            Some((ns, name)) if !ns.is_empty() && !name.is_empty() && !name.contains(':') => {
                subjects.push(json!({"kind": "ServiceAccount", "name": name, "namespace": ns}));
            }
            _ => return k.error("serviceaccount must be <namespace>:<name>"),
        }
    }
    let mut value = json!({
        "kind": kind.as_str(),
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "metadata": {"name": o.name},
        "roleRef": role_ref
    });
    if !subjects.is_empty() {
        value["subjects"] = Value::Array(subjects);
    }
    subcommand::finish(k, o, kind, value);
}
