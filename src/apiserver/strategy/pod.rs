//! Pods: the defaults SetDefaults_Pod/PodSpec/Container apply, the QoS class the api-server computes
//! on create, pod-spec validation (shared with every workload template), what an update may change,
//! and the grace period of a delete.

use std::collections::BTreeSet;
use std::sync::Arc;

use k8s_openapi::api::core::v1::{Container, Pod, PodSpec, PodStatus, ResourceRequirements};

use crate::api::{Object, names};
use crate::apiserver::field::FieldError;

/// Defaults of a pod spec, also applied to workload templates.
pub fn default_pod_spec(spec: &mut PodSpec) {
    spec.dns_policy.get_or_insert_with(|| "ClusterFirst".into());
    spec.restart_policy.get_or_insert_with(|| "Always".into());
    spec.termination_grace_period_seconds.get_or_insert(30);
    spec.security_context.get_or_insert_with(Default::default);
    spec.scheduler_name.get_or_insert_with(|| "default-scheduler".into());
    spec.enable_service_links.get_or_insert(true);
    if spec.service_account.is_none() && spec.service_account_name.is_some() {
        spec.service_account = spec.service_account_name.clone();
    }
    for c in spec.init_containers.iter_mut().flatten() {
        default_container(c);
    }
    for c in &mut spec.containers {
        default_container(c);
    }
}

fn default_container(c: &mut Container) {
    c.termination_message_path.get_or_insert_with(|| "/dev/termination-log".into());
    c.termination_message_policy.get_or_insert_with(|| "File".into());
    if c.image_pull_policy.is_none() {
        let image = c.image.as_deref().unwrap_or("");
        c.image_pull_policy = Some(default_pull_policy(image).into());
    }
    let resources = c.resources.get_or_insert_with(ResourceRequirements::default);
    // A limit without a request makes the request equal to the limit.
    if let Some(limits) = resources.limits.clone() {
        let requests = resources.requests.get_or_insert_with(Default::default);
        for (k, v) in limits {
            requests.entry(k).or_insert(v);
        }
    }
    for p in c.ports.iter_mut().flatten() {
        p.protocol.get_or_insert_with(|| "TCP".into());
    }
}

/// `Always` for `:latest` or untagged images, else `IfNotPresent`; digests pin an image.
pub fn default_pull_policy(image: &str) -> &'static str {
    if image.contains('@') {
        return "IfNotPresent";
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.split_once(':') {
        Some((_, "latest")) | None => "Always",
        Some(_) => "IfNotPresent",
    }
}

/// The pod's QoS class from its containers' requests and limits.
pub fn qos_class(spec: &PodSpec) -> &'static str {
    let containers = spec.containers.iter().chain(spec.init_containers.iter().flatten());
    let mut any = false;
    let mut guaranteed = true;
    for c in containers {
        let r = c.resources.as_ref();
        let requests = r.and_then(|r| r.requests.as_ref());
        let limits = r.and_then(|r| r.limits.as_ref());
        for res in ["cpu", "memory"] {
            let req = requests.and_then(|m| m.get(res));
            let lim = limits.and_then(|m| m.get(res));
            if req.is_some() || lim.is_some() {
                any = true;
            }
            match (req, lim) {
                (Some(q), Some(l)) if q == l => {}
                (None, Some(_)) => {}
                _ => guaranteed = false,
            }
        }
    }
    if !any {
        "BestEffort"
    } else if guaranteed {
        "Guaranteed"
    } else {
        "Burstable"
    }
}

pub fn default_on_create(obj: &mut Object) {
    let Object::Pod(pod) = obj else { return };
    let pod: &mut Pod = Arc::make_mut(pod);
    let spec = pod.spec.get_or_insert_with(Default::default);
    default_pod_spec(spec);
    let qos = qos_class(spec);
    let status = pod.status.get_or_insert_with(PodStatus::default);
    status.phase.get_or_insert_with(|| "Pending".into());
    status.qos_class = Some(qos.into());
}

/// Validates one container; `at` names it (`spec.containers[0]`) and is only called to report an
/// error, since most specs are valid and building the path for each container showed in profiles.
fn validate_container<'a>(
    c: &'a Container,
    at: &dyn Fn() -> String,
    seen: &mut BTreeSet<&'a str>,
    errors: &mut Vec<FieldError>,
) {
    let field = |name: &str| format!("{}.{name}", at());
    let name = c.name.as_str();
    if name.is_empty() {
        errors.push(FieldError::required(&field("name"), ""));
    } else {
        for msg in names::is_dns1123_label(name) {
            errors.push(FieldError::invalid(&field("name"), name, &msg));
        }
        if !seen.insert(name) {
            errors.push(FieldError::duplicate(&field("name"), name));
        }
    }
    if c.image.as_deref().is_none_or(|i| i.trim().is_empty()) {
        errors.push(FieldError::required(&field("image"), ""));
    }
    if let Some(policy) = c.image_pull_policy.as_deref()
        && !["Always", "IfNotPresent", "Never"].contains(&policy)
    {
        errors.push(FieldError::not_supported(&field("imagePullPolicy"), policy, &["Always", "IfNotPresent", "Never"]));
    }
    for (i, p) in c.ports.iter().flatten().enumerate() {
        if !(1..=65535).contains(&p.container_port) {
            errors.push(FieldError::invalid_raw(
                &field(&format!("ports[{i}].containerPort")),
                p.container_port,
                "must be between 1 and 65535, inclusive",
            ));
        }
    }
}

/// Validates a pod spec at `path` (`spec`, or `spec.template.spec` for workloads).
pub fn validate_pod_spec(spec: &PodSpec, path: &str, errors: &mut Vec<FieldError>) {
    let mut seen = BTreeSet::new();
    if spec.containers.is_empty() {
        errors.push(FieldError::required(&format!("{path}.containers"), ""));
    }
    for (i, c) in spec.init_containers.iter().flatten().enumerate() {
        validate_container(c, &|| format!("{path}.initContainers[{i}]"), &mut seen, errors);
    }
    for (i, c) in spec.containers.iter().enumerate() {
        validate_container(c, &|| format!("{path}.containers[{i}]"), &mut seen, errors);
    }
    if let Some(policy) = spec.restart_policy.as_deref()
        && !["Always", "OnFailure", "Never"].contains(&policy)
    {
        errors.push(FieldError::not_supported(
            &format!("{path}.restartPolicy"),
            policy,
            &["Always", "OnFailure", "Never"],
        ));
    }
    if let Some(dns) = spec.dns_policy.as_deref()
        && !["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"].contains(&dns)
    {
        errors.push(FieldError::not_supported(
            &format!("{path}.dnsPolicy"),
            dns,
            &["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"],
        ));
    }
    if let Some(g) = spec.termination_grace_period_seconds
        && g < 0
    {
        errors.push(FieldError::invalid_raw(
            &format!("{path}.terminationGracePeriodSeconds"),
            g,
            "must be greater than or equal to 0",
        ));
    }
}

pub fn validate(obj: &Object) -> Vec<FieldError> {
    let Object::Pod(pod) = obj else { return Vec::new() };
    let mut errors = Vec::new();
    match &pod.spec {
        Some(spec) => validate_pod_spec(spec, "spec", &mut errors),
        None => errors.push(FieldError::required("spec.containers", "")),
    }
    errors
}

/// A pod's spec is immutable but for images, activeDeadlineSeconds, tolerations (additions) and
/// scheduling gates (removals); its binding (nodeName) is set only through `pods/binding`.
pub fn validate_update(new: &Object, old: &Object) -> Vec<FieldError> {
    let (Object::Pod(new), Object::Pod(old)) = (new, old) else { return Vec::new() };
    let (Some(ns), Some(os)) = (&new.spec, &old.spec) else { return Vec::new() };
    let mut a = ns.clone();
    let mut b = os.clone();
    for (ca, cb) in a.containers.iter_mut().zip(b.containers.iter_mut()) {
        ca.image = cb.image.clone();
    }
    for (ca, cb) in a.init_containers.iter_mut().flatten().zip(b.init_containers.iter_mut().flatten()) {
        ca.image = cb.image.clone();
    }
    a.active_deadline_seconds = b.active_deadline_seconds;
    a.tolerations = b.tolerations.clone();
    a.scheduling_gates = b.scheduling_gates.clone();
    if a.node_name.is_none() || b.node_name.is_none() {
        a.node_name = b.node_name.clone();
    }
    if a == b {
        return Vec::new();
    }
    vec![FieldError::forbidden(
        "spec",
        "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
    )]
}

pub fn deletion_grace_seconds(pod: &Pod, requested: Option<i64>) -> i64 {
    let spec = pod.spec.as_ref();
    let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref());
    if spec.and_then(|s| s.node_name.as_deref()).is_none() || matches!(phase, Some("Succeeded" | "Failed")) {
        return 0;
    }
    let grace = requested.unwrap_or_else(|| spec.and_then(|s| s.termination_grace_period_seconds).unwrap_or(30));
    grace.max(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pull_policy_defaults() {
        assert_eq!(default_pull_policy("nginx"), "Always");
        assert_eq!(default_pull_policy("nginx:latest"), "Always");
        assert_eq!(default_pull_policy("nginx:1.25"), "IfNotPresent");
        assert_eq!(default_pull_policy("localhost:5000/app"), "Always");
        assert_eq!(default_pull_policy("localhost:5000/app:v1"), "IfNotPresent");
        assert_eq!(default_pull_policy("nginx@sha256:abc"), "IfNotPresent");
    }
}
