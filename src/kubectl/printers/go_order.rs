//! Go struct field order for typed objects. kubectl prints a typed object's JSON (`create ... -o json`,
//! the `last-applied-configuration` annotation) with `encoding/json`, which writes struct fields in
//! declaration order (`kind`, `apiVersion`, `metadata{name, namespace, labels, ...}`, `spec`, `status`)
//! and map keys sorted. Our objects are `serde_json::Value`s whose maps are sorted, so the order is
//! kept here, as a table from Go type to its fields (each with the Go type of its value), and applied
//! while printing.
//!
//! Why a table rather than serde_json's `preserve_order`: k8s-openapi serialises its structs in its own
//! order (`apiVersion` before `kind`, metadata fields alphabetical), not Go's, so insertion order would
//! be wrong for every object that comes back from the api-server; and flipping a crate-wide feature
//! would change the iteration order of every `Value` map in the project. The table is explicit, local
//! and covers the types kubectl's generators emit plus the common status types; a field it does not
//! know is printed after the known ones, sorted.

/// One field of a Go struct: its JSON name and the Go type of its value (`""`: a scalar or a Go map,
/// whose keys encoding/json sorts). For a list, the type is that of its items.
pub type Field = (&'static str, &'static str);

const META: &[Field] = &[
    ("name", ""),
    ("generateName", ""),
    ("namespace", ""),
    ("selfLink", ""),
    ("uid", ""),
    ("resourceVersion", ""),
    ("generation", ""),
    ("creationTimestamp", ""),
    ("deletionTimestamp", ""),
    ("deletionGracePeriodSeconds", ""),
    ("labels", ""),
    ("annotations", ""),
    ("ownerReferences", "OwnerReference"),
    ("finalizers", ""),
    ("managedFields", "ManagedFieldsEntry"),
];

/// The common shape of a kind with spec and status (their Go types given).
macro_rules! top {
    ($spec:literal, $status:literal) => {
        &[("kind", ""), ("apiVersion", ""), ("metadata", "ObjectMeta"), ("spec", $spec), ("status", $status)]
    };
}

/// The fields of Go type `ty`, in declaration order; None for a type the table does not know (its keys
/// print sorted).
pub fn fields(ty: &str) -> Option<&'static [Field]> {
    Some(match ty {
        "ObjectMeta" => META,
        "OwnerReference" => &[
            ("apiVersion", ""),
            ("kind", ""),
            ("name", ""),
            ("uid", ""),
            ("controller", ""),
            ("blockOwnerDeletion", ""),
        ],
        "ManagedFieldsEntry" => &[
            ("manager", ""),
            ("operation", ""),
            ("apiVersion", ""),
            ("time", ""),
            ("fieldsType", ""),
            ("fieldsV1", ""),
            ("subresource", ""),
        ],
        "LabelSelector" => &[("matchLabels", ""), ("matchExpressions", "LabelSelectorRequirement")],
        "LabelSelectorRequirement" => &[("key", ""), ("operator", ""), ("values", "")],
        "Condition" => &[
            ("type", ""),
            ("status", ""),
            ("observedGeneration", ""),
            ("lastProbeTime", ""),
            ("lastHeartbeatTime", ""),
            ("lastUpdateTime", ""),
            ("lastTransitionTime", ""),
            ("reason", ""),
            ("message", ""),
        ],
        "Deployment" => top!("DeploymentSpec", "DeploymentStatus"),
        "DeploymentSpec" => &[
            ("replicas", ""),
            ("selector", "LabelSelector"),
            ("template", "PodTemplateSpec"),
            ("strategy", "DeploymentStrategy"),
            ("minReadySeconds", ""),
            ("revisionHistoryLimit", ""),
            ("paused", ""),
            ("progressDeadlineSeconds", ""),
        ],
        "DeploymentStrategy" => &[("type", ""), ("rollingUpdate", "RollingUpdate")],
        "RollingUpdate" => &[("maxUnavailable", ""), ("maxSurge", "")],
        "DeploymentStatus" => &[
            ("observedGeneration", ""),
            ("replicas", ""),
            ("updatedReplicas", ""),
            ("readyReplicas", ""),
            ("availableReplicas", ""),
            ("unavailableReplicas", ""),
            ("terminatingReplicas", ""),
            ("conditions", "Condition"),
            ("collisionCount", ""),
        ],
        "PodTemplateSpec" => &[("metadata", "ObjectMeta"), ("spec", "PodSpec")],
        "Pod" => top!("PodSpec", "PodStatus"),
        "PodSpec" => &[
            ("volumes", ""),
            ("initContainers", "Container"),
            ("containers", "Container"),
            ("ephemeralContainers", "Container"),
            ("restartPolicy", ""),
            ("terminationGracePeriodSeconds", ""),
            ("activeDeadlineSeconds", ""),
            ("dnsPolicy", ""),
            ("nodeSelector", ""),
            ("serviceAccountName", ""),
            ("serviceAccount", ""),
            ("automountServiceAccountToken", ""),
            ("nodeName", ""),
            ("hostNetwork", ""),
            ("hostPID", ""),
            ("hostIPC", ""),
            ("shareProcessNamespace", ""),
            ("securityContext", ""),
            ("imagePullSecrets", ""),
            ("hostname", ""),
            ("subdomain", ""),
            ("affinity", ""),
            ("schedulerName", ""),
            ("tolerations", "Toleration"),
            ("hostAliases", ""),
            ("priorityClassName", ""),
            ("priority", ""),
            ("dnsConfig", ""),
            ("readinessGates", ""),
            ("runtimeClassName", ""),
            ("enableServiceLinks", ""),
            ("preemptionPolicy", ""),
            ("overhead", ""),
            ("topologySpreadConstraints", ""),
            ("setHostnameAsFQDN", ""),
            ("os", ""),
            ("hostUsers", ""),
            ("schedulingGates", ""),
            ("resourceClaims", ""),
            ("resources", "ResourceRequirements"),
        ],
        "Toleration" => &[("key", ""), ("operator", ""), ("value", ""), ("effect", ""), ("tolerationSeconds", "")],
        "Container" => &[
            ("name", ""),
            ("image", ""),
            ("command", ""),
            ("args", ""),
            ("workingDir", ""),
            ("ports", "ContainerPort"),
            ("envFrom", ""),
            ("env", "EnvVar"),
            ("resources", "ResourceRequirements"),
            ("resizePolicy", ""),
            ("restartPolicy", ""),
            ("restartPolicyRules", ""),
            ("volumeMounts", ""),
            ("volumeDevices", ""),
            ("livenessProbe", ""),
            ("readinessProbe", ""),
            ("startupProbe", ""),
            ("lifecycle", ""),
            ("terminationMessagePath", ""),
            ("terminationMessagePolicy", ""),
            ("imagePullPolicy", ""),
            ("securityContext", ""),
            ("stdin", ""),
            ("stdinOnce", ""),
            ("tty", ""),
        ],
        "ContainerPort" => &[("name", ""), ("hostPort", ""), ("containerPort", ""), ("protocol", ""), ("hostIP", "")],
        "EnvVar" => &[("name", ""), ("value", ""), ("valueFrom", "")],
        "ResourceRequirements" => &[("limits", ""), ("requests", ""), ("claims", "")],
        "PodStatus" => &[
            ("observedGeneration", ""),
            ("phase", ""),
            ("conditions", "Condition"),
            ("message", ""),
            ("reason", ""),
            ("nominatedNodeName", ""),
            ("hostIP", ""),
            ("hostIPs", ""),
            ("podIP", ""),
            ("podIPs", ""),
            ("startTime", ""),
            ("initContainerStatuses", ""),
            ("containerStatuses", ""),
            ("qosClass", ""),
            ("ephemeralContainerStatuses", ""),
            ("resize", ""),
            ("resourceClaimStatuses", ""),
        ],
        "Service" => top!("ServiceSpec", "ServiceStatus"),
        "ServiceSpec" => &[
            ("ports", "ServicePort"),
            ("selector", ""),
            ("clusterIP", ""),
            ("clusterIPs", ""),
            ("type", ""),
            ("externalIPs", ""),
            ("sessionAffinity", ""),
            ("loadBalancerIP", ""),
            ("loadBalancerSourceRanges", ""),
            ("externalName", ""),
            ("externalTrafficPolicy", ""),
            ("healthCheckNodePort", ""),
            ("publishNotReadyAddresses", ""),
            ("sessionAffinityConfig", ""),
            ("ipFamilies", ""),
            ("ipFamilyPolicy", ""),
            ("allocateLoadBalancerNodePorts", ""),
            ("loadBalancerClass", ""),
            ("internalTrafficPolicy", ""),
            ("trafficDistribution", ""),
        ],
        "ServicePort" => {
            &[("name", ""), ("protocol", ""), ("appProtocol", ""), ("port", ""), ("targetPort", ""), ("nodePort", "")]
        }
        "ServiceStatus" => &[("loadBalancer", ""), ("conditions", "Condition")],
        "Job" => top!("JobSpec", "JobStatus"),
        "JobSpec" => &[
            ("parallelism", ""),
            ("completions", ""),
            ("activeDeadlineSeconds", ""),
            ("podFailurePolicy", ""),
            ("successPolicy", ""),
            ("backoffLimit", ""),
            ("backoffLimitPerIndex", ""),
            ("maxFailedIndexes", ""),
            ("selector", "LabelSelector"),
            ("manualSelector", ""),
            ("template", "PodTemplateSpec"),
            ("ttlSecondsAfterFinished", ""),
            ("completionMode", ""),
            ("suspend", ""),
            ("podReplacementPolicy", ""),
            ("managedBy", ""),
        ],
        "JobStatus" => &[
            ("conditions", "Condition"),
            ("startTime", ""),
            ("completionTime", ""),
            ("active", ""),
            ("succeeded", ""),
            ("failed", ""),
            ("terminating", ""),
            ("completedIndexes", ""),
            ("failedIndexes", ""),
            ("uncountedTerminatedPods", ""),
            ("ready", ""),
        ],
        "CronJob" => top!("CronJobSpec", "CronJobStatus"),
        "CronJobSpec" => &[
            ("schedule", ""),
            ("timeZone", ""),
            ("startingDeadlineSeconds", ""),
            ("concurrencyPolicy", ""),
            ("suspend", ""),
            ("jobTemplate", "JobTemplateSpec"),
            ("successfulJobsHistoryLimit", ""),
            ("failedJobsHistoryLimit", ""),
        ],
        "JobTemplateSpec" => &[("metadata", "ObjectMeta"), ("spec", "JobSpec")],
        "CronJobStatus" => &[("active", ""), ("lastScheduleTime", ""), ("lastSuccessfulTime", "")],
        "Namespace" => top!("", ""),
        "ConfigMap" => &[
            ("kind", ""),
            ("apiVersion", ""),
            ("metadata", "ObjectMeta"),
            ("immutable", ""),
            ("data", ""),
            ("binaryData", ""),
        ],
        "Secret" => &[
            ("kind", ""),
            ("apiVersion", ""),
            ("metadata", "ObjectMeta"),
            ("immutable", ""),
            ("data", ""),
            ("stringData", ""),
            ("type", ""),
        ],
        "ServiceAccount" => &[
            ("kind", ""),
            ("apiVersion", ""),
            ("metadata", "ObjectMeta"),
            ("secrets", ""),
            ("imagePullSecrets", ""),
            ("automountServiceAccountToken", ""),
        ],
        "Role" => &[("kind", ""), ("apiVersion", ""), ("metadata", "ObjectMeta"), ("rules", "PolicyRule")],
        "ClusterRole" => &[
            ("kind", ""),
            ("apiVersion", ""),
            ("metadata", "ObjectMeta"),
            ("rules", "PolicyRule"),
            ("aggregationRule", "AggregationRule"),
        ],
        "AggregationRule" => &[("clusterRoleSelectors", "LabelSelector")],
        "PolicyRule" => {
            &[("verbs", ""), ("apiGroups", ""), ("resources", ""), ("resourceNames", ""), ("nonResourceURLs", "")]
        }
        "RoleBinding" | "ClusterRoleBinding" => &[
            ("kind", ""),
            ("apiVersion", ""),
            ("metadata", "ObjectMeta"),
            ("subjects", "Subject"),
            ("roleRef", "RoleRef"),
        ],
        "Subject" => &[("kind", ""), ("apiGroup", ""), ("name", ""), ("namespace", "")],
        "RoleRef" => &[("apiGroup", ""), ("kind", ""), ("name", "")],
        "PriorityClass" => &[
            ("kind", ""),
            ("apiVersion", ""),
            ("metadata", "ObjectMeta"),
            ("value", ""),
            ("globalDefault", ""),
            ("description", ""),
            ("preemptionPolicy", ""),
        ],
        "PodDisruptionBudget" => top!("PodDisruptionBudgetSpec", "PodDisruptionBudgetStatus"),
        "PodDisruptionBudgetSpec" => &[
            ("minAvailable", ""),
            ("selector", "LabelSelector"),
            ("maxUnavailable", ""),
            ("unhealthyPodEvictionPolicy", ""),
        ],
        "PodDisruptionBudgetStatus" => &[
            ("observedGeneration", ""),
            ("disruptedPods", ""),
            ("disruptionsAllowed", ""),
            ("currentHealthy", ""),
            ("desiredHealthy", ""),
            ("expectedPods", ""),
            ("conditions", "Condition"),
        ],
        "ResourceQuota" => top!("ResourceQuotaSpec", ""),
        "ResourceQuotaSpec" => &[("hard", ""), ("scopes", ""), ("scopeSelector", "")],
        "Ingress" => top!("IngressSpec", ""),
        "IngressSpec" => &[
            ("ingressClassName", ""),
            ("defaultBackend", "IngressBackend"),
            ("tls", "IngressTLS"),
            ("rules", "IngressRule"),
        ],
        "IngressBackend" => &[("service", "IngressServiceBackend"), ("resource", "")],
        "IngressServiceBackend" => &[("name", ""), ("port", "ServiceBackendPort")],
        "ServiceBackendPort" => &[("name", ""), ("number", "")],
        "IngressTLS" => &[("hosts", ""), ("secretName", "")],
        "IngressRule" => &[("host", ""), ("http", "HTTPIngressRuleValue")],
        "HTTPIngressRuleValue" => &[("paths", "HTTPIngressPath")],
        "HTTPIngressPath" => &[("path", ""), ("pathType", ""), ("backend", "IngressBackend")],
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::kubectl::printers::json::{print_json_typed, to_json_typed_compact};

    /// Known fields in declaration order, unknown ones after them sorted, Go maps sorted.
    #[test]
    fn typed_order() {
        let v = json!({"status": {}, "spec": {"zeta": 1, "type": "ClusterIP", "ports": []}, "metadata": {"labels": {"b": "1", "a": "2"}, "name": "s"}, "apiVersion": "v1", "kind": "Service"});
        assert_eq!(
            to_json_typed_compact(&v, "Service"),
            r#"{"kind":"Service","apiVersion":"v1","metadata":{"name":"s","labels":{"a":"2","b":"1"}},"spec":{"ports":[],"type":"ClusterIP","zeta":1},"status":{}}"#
        );
        assert!(print_json_typed(&json!({"b": 1, "a": 2}), "Unknown").starts_with("{\n    \"a\": 2,"));
    }
}
