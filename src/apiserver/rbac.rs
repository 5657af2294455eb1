//! Authorization: RBAC over the Roles, ClusterRoles and their bindings in the store, plus the two
//! authorizers that run before it upstream: `system:masters` is allowed everything, and the control-
//! plane and node identities are allowed what their built-in roles and the Node authorizer grant them
//! (modelled here as allowed, see the README's table of simplifications).

use k8s_openapi::api::rbac::v1::{PolicyRule, RoleRef, Subject};

use super::{Identity, keys};
use crate::api::{Kind, Object};
use crate::store::Store;

/// Whether `who` is one of the cluster's own components.
fn is_system_component(who: &Identity) -> bool {
    let u = who.user.as_str();
    u == "system:kube-scheduler"
        || u == "system:kube-controller-manager"
        || u == "system:kube-proxy"
        || u.starts_with("system:node:")
        || u.starts_with("system:serviceaccount:kube-system:")
}

fn subject_matches(s: &Subject, who: &Identity, binding_namespace: Option<&str>) -> bool {
    match s.kind.as_str() {
        "User" => s.name == who.user,
        "Group" => who.in_group(&s.name),
        "ServiceAccount" => {
            let ns = s.namespace.as_deref().or(binding_namespace).unwrap_or("");
            who.user == format!("system:serviceaccount:{ns}:{}", s.name)
        }
        _ => false,
    }
}

fn rule_allows(rule: &PolicyRule, verb: &str, kind: Kind, subresource: Option<&str>, name: &str) -> bool {
    let any =
        |list: &Option<Vec<String>>, want: &str| list.as_ref().is_some_and(|l| l.iter().any(|x| x == "*" || x == want));
    let resource = match subresource {
        Some(sub) => format!("{}/{sub}", kind.plural()),
        None => kind.plural().to_string(),
    };
    let names_ok = rule.resource_names.as_ref().is_none_or(|n| n.is_empty() || n.iter().any(|x| x == name));
    rule.verbs.iter().any(|v| v == "*" || v == verb)
        && any(&rule.api_groups, kind.group())
        && any(&rule.resources, &resource)
        && names_ok
}

fn role_rules(store: &Store<Object>, role_ref: &RoleRef, namespace: Option<&str>) -> Vec<PolicyRule> {
    let obj = match role_ref.kind.as_str() {
        "ClusterRole" => store.get(&keys::object_key(Kind::ClusterRole, None, &role_ref.name)),
        "Role" => store.get(&keys::object_key(Kind::Role, namespace, &role_ref.name)),
        _ => None,
    };
    match obj.map(|kv| &kv.value) {
        Some(Object::ClusterRole(r)) => r.rules.clone().unwrap_or_default(),
        Some(Object::Role(r)) => r.rules.clone().unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// Whether any binding grants `who` the request.
fn rbac_allows(
    store: &Store<Object>,
    who: &Identity,
    verb: &str,
    kind: Kind,
    subresource: Option<&str>,
    namespace: Option<&str>,
    name: &str,
) -> bool {
    rules_for(store, who, namespace).iter().any(|r| rule_allows(r, verb, kind, subresource, name))
}

/// Every rule the bindings grant `who` cluster-wide and, with `namespace`, in that namespace: what
/// RBAC's `RulesFor` answers a SelfSubjectRulesReview with.
pub fn rules_for(store: &Store<Object>, who: &Identity, namespace: Option<&str>) -> Vec<PolicyRule> {
    let mut rules = Vec::new();
    for kv in store.range(&keys::list_prefix(Kind::ClusterRoleBinding, None)) {
        if let Object::ClusterRoleBinding(b) = &kv.value
            && b.subjects.iter().flatten().any(|s| subject_matches(s, who, None))
        {
            rules.extend(role_rules(store, &b.role_ref, None));
        }
    }
    if let Some(ns) = namespace {
        for kv in store.range(&keys::list_prefix(Kind::RoleBinding, Some(ns))) {
            if let Object::RoleBinding(b) = &kv.value
                && b.subjects.iter().flatten().any(|s| subject_matches(s, who, Some(ns)))
            {
                rules.extend(role_rules(store, &b.role_ref, Some(ns)));
            }
        }
    }
    rules
}

/// Authorizes a request; the error is the reason text of upstream's Forbidden message.
pub fn authorize(
    store: &Store<Object>,
    who: &Identity,
    verb: &str,
    kind: Kind,
    namespace: Option<&str>,
    name: &str,
) -> Result<(), String> {
    authorize_sub(store, who, verb, kind, None, namespace, name)
}

/// Authorizes a request on a subresource (`pods/exec`, `deployments/scale`, ...).
pub fn authorize_sub(
    store: &Store<Object>,
    who: &Identity,
    verb: &str,
    kind: Kind,
    subresource: Option<&str>,
    namespace: Option<&str>,
    name: &str,
) -> Result<(), String> {
    if who.in_group("system:masters") || is_system_component(who) {
        return Ok(());
    }
    let verb = verb.split('/').next().unwrap_or(verb);
    if rbac_allows(store, who, verb, kind, subresource, namespace, name) {
        return Ok(());
    }
    let resource = match subresource {
        Some(sub) => format!("{}/{sub}", kind.plural()),
        None => kind.plural().to_string(),
    };
    let scope = match namespace {
        Some(ns) => format!("in the namespace \"{ns}\""),
        None => "at the cluster scope".to_string(),
    };
    Err(format!(
        "User \"{}\" cannot {verb} resource \"{resource}\" in API group \"{}\" {scope}",
        who.user,
        kind.group()
    ))
}
