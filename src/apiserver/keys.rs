//! Where objects live in the store: `/registry/<resource>/<namespace>/<name>` for namespaced kinds and
//! `/registry/<resource>/<name>` for cluster-scoped ones, as kube-apiserver lays out etcd.

use crate::api::Kind;

/// `/registry/<plural>` then `/part` for each of `parts` (and a closing `/` if asked), built with one
/// allocation: keys are made on every request, and `format!` showed in the create profile.
fn registry_path(kind: Kind, parts: &[&str], trailing_slash: bool) -> String {
    let plural = kind.plural();
    let len = "/registry/".len() + plural.len() + 1 + parts.iter().map(|p| p.len() + 1).sum::<usize>();
    let mut key = String::with_capacity(len);
    key.push_str("/registry/");
    key.push_str(plural);
    for part in parts {
        key.push('/');
        key.push_str(part);
    }
    if trailing_slash {
        key.push('/');
    }
    key
}

/// The key of one object.
pub fn object_key(kind: Kind, namespace: Option<&str>, name: &str) -> String {
    match namespace.filter(|_| kind.namespaced()) {
        Some(ns) => registry_path(kind, &[ns, name], false),
        None => registry_path(kind, &[name], false),
    }
}

/// The prefix of a list: one namespace, or the whole resource. It ends in `/` so that namespace
/// `default` never matches `default2`.
pub fn list_prefix(kind: Kind, namespace: Option<&str>) -> String {
    match namespace.filter(|_| kind.namespaced()) {
        Some(ns) => registry_path(kind, &[ns], true),
        None => registry_path(kind, &[], true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_the_registry_layout() {
        assert_eq!(object_key(Kind::Pod, Some("default"), "web"), "/registry/pods/default/web");
        assert_eq!(object_key(Kind::Node, Some("ignored"), "node-01"), "/registry/nodes/node-01");
        assert_eq!(list_prefix(Kind::Deployment, Some("default")), "/registry/deployments/default/");
        assert_eq!(list_prefix(Kind::Pod, None), "/registry/pods/");
    }
}
