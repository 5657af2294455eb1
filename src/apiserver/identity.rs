//! Who is asking: the authenticated user and groups of a request, and the component it comes from (for
//! the trace). kubectl acts as `kubernetes-admin` in `system:masters`, as a kubeadm admin.conf does;
//! `--as`/`--as-group` impersonate.

use crate::sim::trace::Component;

/// `user.Info` plus the component that sent the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub user: String,
    pub groups: Vec<String>,
    pub component: Component,
}

impl Identity {
    /// The kubeadm admin credentials kubectl uses by default.
    pub fn admin() -> Self {
        Identity {
            user: "kubernetes-admin".into(),
            groups: vec!["system:masters".into(), "system:authenticated".into()],
            component: Component::Kubectl,
        }
    }

    /// A control-plane or node component, with the user name its kubeconfig carries
    /// (`system:kube-scheduler`, `system:node:node-01`, a controller's service account, ...).
    pub fn component(component: Component, user: impl Into<String>, groups: &[&str]) -> Self {
        let mut groups: Vec<String> = groups.iter().map(|g| g.to_string()).collect();
        groups.push("system:authenticated".into());
        Identity { user: user.into(), groups, component }
    }

    /// kubectl impersonating `user` (and `groups`) with `--as`/`--as-group`.
    pub fn impersonated(user: &str, groups: &[String]) -> Self {
        let mut groups = groups.to_vec();
        groups.push("system:authenticated".into());
        Identity { user: user.into(), groups, component: Component::Kubectl }
    }

    pub fn in_group(&self, group: &str) -> bool {
        self.groups.iter().any(|g| g == group)
    }
}
