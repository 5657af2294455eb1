//! Where objects live in the store: `/registry/<resource>/<namespace>/<name>` for namespaced kinds and
//! `/registry/<resource>/<name>` for cluster-scoped ones, as kube-apiserver lays out etcd.

use crate::api::Kind;

/// The key of one object.
pub fn object_key(kind: Kind, namespace: Option<&str>, name: &str) -> String {
    match namespace.filter(|_| kind.namespaced()) {
        Some(ns) => format!("/registry/{}/{ns}/{name}", kind.plural()),
        None => format!("/registry/{}/{name}", kind.plural()),
    }
}

/// The prefix of a list: one namespace, or the whole resource. It ends in `/` so that namespace
/// `default` never matches `default2`.
pub fn list_prefix(kind: Kind, namespace: Option<&str>) -> String {
    match namespace.filter(|_| kind.namespaced()) {
        Some(ns) => format!("/registry/{}/{ns}/", kind.plural()),
        None => format!("/registry/{}/", kind.plural()),
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
