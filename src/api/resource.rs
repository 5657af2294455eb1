//! The resource table: for every kind, the names kubectl resolves (plural, singular, short names,
//! `kind.group`), its scope, verbs and categories. Name resolution, `kubectl api-resources` and the
//! api-server's URL space all read this one table, as discovery does in Kubernetes.

pub use super::object::Kind;

/// What discovery says about one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceInfo {
    pub singular: &'static str,
    pub short_names: &'static [&'static str],
    pub namespaced: bool,
    pub categories: &'static [&'static str],
}

const ALL: &[&str] = &["all"];
const NONE: &[&str] = &[];

impl Kind {
    /// Discovery information, as kube-apiserver v1.36 serves it.
    pub fn info(self) -> ResourceInfo {
        let (singular, short_names, namespaced, categories): (_, &[&str], _, &[&str]) = match self {
            Kind::Namespace => ("namespace", &["ns"], false, NONE),
            Kind::Node => ("node", &["no"], false, NONE),
            Kind::Pod => ("pod", &["po"], true, ALL),
            Kind::Service => ("service", &["svc"], true, ALL),
            Kind::Endpoints => ("endpoints", &["ep"], true, NONE),
            Kind::Event => ("event", &["ev"], true, NONE),
            Kind::ConfigMap => ("configmap", &["cm"], true, NONE),
            Kind::Secret => ("secret", &[], true, NONE),
            Kind::ServiceAccount => ("serviceaccount", &["sa"], true, NONE),
            Kind::PersistentVolume => ("persistentvolume", &["pv"], false, NONE),
            Kind::PersistentVolumeClaim => ("persistentvolumeclaim", &["pvc"], true, NONE),
            Kind::ResourceQuota => ("resourcequota", &["quota"], true, NONE),
            Kind::LimitRange => ("limitrange", &["limits"], true, NONE),
            Kind::Deployment => ("deployment", &["deploy"], true, ALL),
            Kind::ReplicaSet => ("replicaset", &["rs"], true, ALL),
            Kind::DaemonSet => ("daemonset", &["ds"], true, ALL),
            Kind::StatefulSet => ("statefulset", &["sts"], true, ALL),
            Kind::ControllerRevision => ("controllerrevision", &[], true, NONE),
            Kind::Job => ("job", &[], true, ALL),
            Kind::CronJob => ("cronjob", &["cj"], true, ALL),
            Kind::EndpointSlice => ("endpointslice", &[], true, NONE),
            Kind::Ingress => ("ingress", &["ing"], true, NONE),
            Kind::IngressClass => ("ingressclass", &[], false, NONE),
            Kind::NetworkPolicy => ("networkpolicy", &["netpol"], true, NONE),
            Kind::Lease => ("lease", &[], true, NONE),
            Kind::HorizontalPodAutoscaler => ("horizontalpodautoscaler", &["hpa"], true, ALL),
            Kind::PriorityClass => ("priorityclass", &["pc"], false, NONE),
            Kind::StorageClass => ("storageclass", &["sc"], false, NONE),
            Kind::RuntimeClass => ("runtimeclass", &[], false, NONE),
            Kind::Role => ("role", &[], true, NONE),
            Kind::ClusterRole => ("clusterrole", &[], false, NONE),
            Kind::RoleBinding => ("rolebinding", &[], true, NONE),
            Kind::ClusterRoleBinding => ("clusterrolebinding", &[], false, NONE),
            Kind::PodDisruptionBudget => ("poddisruptionbudget", &["pdb"], true, NONE),
        };
        ResourceInfo { singular, short_names, namespaced, categories }
    }

    pub fn namespaced(self) -> bool {
        self.info().namespaced
    }

    /// `plural.group` (just `plural` for core), the form kubectl prints in `kind.group/name`.
    pub fn qualified_plural(self) -> String {
        if self.group().is_empty() { self.plural().to_string() } else { format!("{}.{}", self.plural(), self.group()) }
    }

    /// `kind.group` in lower case (`deployment.apps`), the prefix of kubectl's success lines and of
    /// `-o name`.
    pub fn lower_qualified_kind(self) -> String {
        let kind = self.as_str().to_lowercase();
        if self.group().is_empty() { kind } else { format!("{kind}.{}", self.group()) }
    }

    /// The verbs discovery lists; every served resource supports the full set.
    pub fn verbs(self) -> &'static [&'static str] {
        &["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
    }
}

/// Resolves what a user typed as a resource (`po`, `pods`, `pod`, `Pod`, `deployments.apps`,
/// `deploy.v1.apps`) to a kind, the way kubectl's RESTMapper does.
pub fn resolve(name: &str) -> Option<Kind> {
    let lower = name.to_lowercase();
    let (resource, group) = match lower.split_once('.') {
        Some((r, rest)) => {
            // `deployments.v1.apps` names a version too; the group is what follows it.
            let group = match rest.split_once('.') {
                Some((version, g))
                    if version.starts_with('v') && version[1..].starts_with(|c: char| c.is_ascii_digit()) =>
                {
                    g
                }
                _ => rest,
            };
            (r.to_string(), Some(group.to_string()))
        }
        None => (lower, None),
    };
    Kind::ALL.iter().copied().find(|k| {
        let info = k.info();
        let group_ok = match &group {
            Some(g) => g == k.group() || (k.group().is_empty() && g == "core"),
            None => true,
        };
        group_ok
            && (resource == k.plural()
                || resource == info.singular
                || resource == k.as_str().to_lowercase()
                || info.short_names.contains(&resource.as_str()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_names_like_kubectl() {
        for (typed, kind) in [
            ("po", Kind::Pod),
            ("pods", Kind::Pod),
            ("Pod", Kind::Pod),
            ("deploy", Kind::Deployment),
            ("deployments.apps", Kind::Deployment),
            ("deployments.v1.apps", Kind::Deployment),
            ("hpa", Kind::HorizontalPodAutoscaler),
            ("svc", Kind::Service),
            ("ep", Kind::Endpoints),
            ("endpointslices", Kind::EndpointSlice),
            ("ns", Kind::Namespace),
            ("no", Kind::Node),
            ("pc", Kind::PriorityClass),
            ("clusterrolebindings.rbac.authorization.k8s.io", Kind::ClusterRoleBinding),
        ] {
            assert_eq!(resolve(typed), Some(kind), "{typed}");
        }
        assert_eq!(resolve("deployments.batch"), None);
        assert_eq!(resolve("pdo"), None);
    }

    #[test]
    fn names_and_scopes() {
        assert_eq!(Kind::Deployment.lower_qualified_kind(), "deployment.apps");
        assert_eq!(Kind::Pod.lower_qualified_kind(), "pod");
        assert_eq!(Kind::Ingress.qualified_plural(), "ingresses.networking.k8s.io");
        assert_eq!(Kind::HorizontalPodAutoscaler.api_version(), "autoscaling/v2");
        assert!(!Kind::Node.namespaced());
        assert!(Kind::Pod.namespaced());
        assert_eq!(Kind::Pod.info().categories, ["all"]);
    }
}
