//! Boots a cluster the way kubeadm leaves one, already settled: the four namespaces, the nodes Ready
//! with their leases, the control plane's static pods, kube-proxy (its ConfigMap and a DaemonSet)
//! and CoreDNS (a Deployment of two) Running, the `kubernetes` and `kube-dns` Services, default service accounts,
//! the built-in ClusterRoles and PriorityClasses, and the default StorageClass `standard`.
//! Everything is created through the api-server, so it carries the same defaults a user's objects do.

use serde_json::{Value, json};

use super::topology::{NodeSpec, Topology, first_pod_ip, node_ip, pod_cidr};
use crate::api::{Kind, Object};
use crate::apiserver::{ApiServer, Identity, WriteOptions};

const KUBELET_VERSION: &str = "v1.36.3";
const CONTAINER_RUNTIME: &str = "containerd://2.1.4";
const OS_IMAGE: &str = "Debian GNU/Linux 12 (bookworm)";
const KERNEL: &str = "6.8.0-88-generic";
const ETCD_IMAGE: &str = "registry.k8s.io/etcd:3.6.5-0";
const CONTROL_PLANE_IMAGE_TAG: &str = "v1.36.3";
const COREDNS_IMAGE: &str = "registry.k8s.io/coredns/coredns:v1.12.4";

fn create(api: &mut ApiServer, v: Value) -> Option<Object> {
    let kind = v.get("kind").and_then(Value::as_str).and_then(crate::api::resource::resolve)?;
    let obj = Object::from_value(kind, v).ok()?;
    api.create(&Identity::admin(), obj, &WriteOptions::default()).ok()
}

/// Replaces the status of `obj` with `status` through `/status`.
fn set_status(api: &mut ApiServer, obj: &Object, status: Value) -> Option<Object> {
    let mut v = obj.to_value();
    v["status"] = status;
    let next = Object::from_value(obj.kind(), v).ok()?;
    api.update_status(&Identity::admin(), next).ok()
}

fn now_rfc3339(api: &ApiServer) -> String {
    let ms = api.clock().unix_millis(api.now());
    crate::apiserver::strategy::timestamp(ms).0.to_string()
}

/// Registers a node as its kubelet would: the Node with its status Ready, and its Lease.
pub fn node(api: &mut ApiServer, spec: &NodeSpec, index: usize) {
    let now = now_rfc3339(api);
    let mut labels = json!({
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": spec.name,
        "kubernetes.io/os": "linux",
    });
    if spec.control_plane {
        labels["node-role.kubernetes.io/control-plane"] = json!("");
        labels["node.kubernetes.io/exclude-from-external-load-balancers"] = json!("");
    }
    if let Some(zone) = &spec.zone {
        labels["topology.kubernetes.io/zone"] = json!(zone);
    }
    for (k, v) in &spec.labels {
        labels[k] = json!(v);
    }
    let taints: Vec<Value> = spec
        .taints
        .iter()
        .map(
            |(k, v, e)| {
                if v.is_empty() { json!({"key": k, "effect": e}) } else { json!({"key": k, "value": v, "effect": e}) }
            },
        )
        .collect();
    let mut node_spec = json!({"podCIDR": pod_cidr(index), "podCIDRs": [pod_cidr(index)], "providerID": format!("kind://docker/kind/{}", spec.name)});
    if !taints.is_empty() {
        node_spec["taints"] = json!(taints);
    }
    let Some(created) = create(
        api,
        json!({
            "apiVersion": "v1", "kind": "Node",
            "metadata": {"name": spec.name, "labels": labels, "annotations": {
                "kubeadm.alpha.kubernetes.io/cri-socket": "unix:///run/containerd/containerd.sock",
                "node.alpha.kubernetes.io/ttl": "0",
                "volumes.kubernetes.io/controller-managed-attach-detach": "true"}},
            "spec": node_spec,
        }),
    ) else {
        return;
    };
    let mem_ki = spec.memory_bytes / 1024;
    let cpu = if spec.cpu_millis % 1000 == 0 {
        format!("{}", spec.cpu_millis / 1000)
    } else {
        format!("{}m", spec.cpu_millis)
    };
    // Allocatable is capacity less the kubelet's default hard eviction threshold memory.available<100Mi
    // and nodefs.available<10%.
    let storage_ki: i64 = 100 * 1024 * 1024;
    let condition = |t: &str, s: &str, reason: &str, msg: &str| json!({"type": t, "status": s, "reason": reason, "message": msg, "lastHeartbeatTime": now, "lastTransitionTime": now});
    set_status(
        api,
        &created,
        json!({
            "capacity": {"cpu": cpu, "memory": format!("{mem_ki}Ki"), "pods": spec.pods.to_string(), "ephemeral-storage": format!("{storage_ki}Ki"), "hugepages-1Gi": "0", "hugepages-2Mi": "0"},
            "allocatable": {"cpu": cpu, "memory": format!("{}Ki", mem_ki - 100 * 1024), "pods": spec.pods.to_string(), "ephemeral-storage": format!("{}Ki", storage_ki * 9 / 10), "hugepages-1Gi": "0", "hugepages-2Mi": "0"},
            "conditions": [
                condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                condition("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
            ],
            "addresses": [{"type": "InternalIP", "address": node_ip(index)}, {"type": "Hostname", "address": spec.name}],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "architecture": "amd64", "bootID": format!("00000000-0000-4000-8000-{:012x}", index + 1),
                "containerRuntimeVersion": CONTAINER_RUNTIME, "kernelVersion": KERNEL, "kubeProxyVersion": "",
                "kubeletVersion": KUBELET_VERSION, "machineID": format!("{:032x}", index + 1), "operatingSystem": "linux",
                "osImage": OS_IMAGE, "systemUUID": format!("00000000-0000-4000-8000-{:012x}", index + 101),
            },
        }),
    );
    create(
        api,
        json!({"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": {"name": spec.name, "namespace": "kube-node-lease"},
            "spec": {"holderIdentity": spec.name, "leaseDurationSeconds": 40, "renewTime": now.replace('Z', ".000000Z")}}),
    );
}

/// A pod already bound and running on `node` with one ready container.
fn running_pod(api: &mut ApiServer, mut pod: Value, node: &str, pod_ip: &str, host_ip: &str) -> Option<Object> {
    pod["apiVersion"] = json!("v1");
    pod["kind"] = json!("Pod");
    let created = create(api, pod)?;
    let (ns, name) = (created.namespace().unwrap_or("default").to_string(), created.name().to_string());
    let bound = api.bind(&Identity::admin(), &ns, &name, node).ok()?;
    let now = now_rfc3339(api);
    let containers = created.as_pod().and_then(|p| p.spec.as_ref()).map(|s| s.containers.clone()).unwrap_or_default();
    let statuses: Vec<Value> = containers
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let image = c.image.clone().unwrap_or_default();
            json!({"name": c.name, "image": image, "imageID": format!("{image}@sha256:{:064x}", i + 1),
                "containerID": format!("containerd://{:064x}", name.len() * 1000 + i), "ready": true, "started": true,
                "restartCount": 0, "state": {"running": {"startedAt": now}}})
        })
        .collect();
    let cond = |t: &str| json!({"type": t, "status": "True", "lastTransitionTime": now});
    set_status(
        api,
        &bound,
        json!({"phase": "Running", "hostIP": host_ip, "hostIPs": [{"ip": host_ip}], "podIP": pod_ip, "podIPs": [{"ip": pod_ip}],
            "startTime": now, "qosClass": bound.as_pod().and_then(|p| p.status.as_ref()).and_then(|s| s.qos_class.clone()),
            "conditions": [cond("PodReadyToStartContainers"), cond("Initialized"), cond("Ready"), cond("ContainersReady"), cond("PodScheduled")],
            "containerStatuses": statuses}),
    )
}

fn control_plane_pods(api: &mut ApiServer, node: &NodeSpec, ip: &str) {
    let static_pod = |component: &str, image: String, cpu: &str| {
        json!({"metadata": {"name": format!("{component}-{}", node.name), "namespace": "kube-system",
                "labels": {"component": component, "tier": "control-plane"},
                "annotations": {"kubernetes.io/config.hash": format!("{:032x}", component.len()), "kubernetes.io/config.mirror": format!("{:032x}", component.len()),
                    "kubernetes.io/config.seen": "2026-01-01T00:00:00.000000000Z", "kubernetes.io/config.source": "file"},
                "ownerReferences": [{"apiVersion": "v1", "kind": "Node", "name": node.name, "uid": "", "controller": true}]},
            "spec": {"hostNetwork": true, "priorityClassName": "system-node-critical", "priority": 2000001000,
                "containers": [{"name": component, "image": image, "resources": {"requests": {"cpu": cpu}}}]}})
    };
    let node_uid = api.peek(Kind::Node, None, &node.name).map(|n| n.uid().to_string()).unwrap_or_default();
    for (component, image, cpu) in [
        ("etcd", ETCD_IMAGE.to_string(), "100m"),
        ("kube-apiserver", format!("registry.k8s.io/kube-apiserver:{CONTROL_PLANE_IMAGE_TAG}"), "250m"),
        (
            "kube-controller-manager",
            format!("registry.k8s.io/kube-controller-manager:{CONTROL_PLANE_IMAGE_TAG}"),
            "200m",
        ),
        ("kube-scheduler", format!("registry.k8s.io/kube-scheduler:{CONTROL_PLANE_IMAGE_TAG}"), "100m"),
    ] {
        let mut pod = static_pod(component, image, cpu);
        pod["metadata"]["ownerReferences"][0]["uid"] = json!(node_uid);
        running_pod(api, pod, &node.name, ip, ip);
    }
}

/// The `kubernetes` and `kube-dns` Services at their kubeadm addresses. The api-server publishes its own endpoints for
/// `kubernetes` (its endpoint reconciler), since that Service has no selector.
fn services(api: &mut ApiServer, apiserver_ip: &str) {
    create(
        api,
        json!({"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "kubernetes", "namespace": "default", "labels": {"component": "apiserver", "provider": "kubernetes"}},
            "spec": {"clusterIP": "10.96.0.1", "clusterIPs": ["10.96.0.1"], "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
                "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}]}}),
    );
    create(
        api,
        json!({"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "kube-dns", "namespace": "kube-system",
                "labels": {"k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "CoreDNS"},
                "annotations": {"prometheus.io/port": "9153", "prometheus.io/scrape": "true"}},
            "spec": {"clusterIP": "10.96.0.10", "clusterIPs": ["10.96.0.10"], "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
                "selector": {"k8s-app": "kube-dns"},
                "ports": [{"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                          {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
                          {"name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": 9153}]}}),
    );
    create(
        api,
        json!({"apiVersion": "v1", "kind": "Endpoints",
            "metadata": {"name": "kubernetes", "namespace": "default", "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"}},
            "subsets": [{"addresses": [{"ip": apiserver_ip}], "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}]}]}),
    );
    create(
        api,
        json!({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": "kubernetes", "namespace": "default", "labels": {"kubernetes.io/service-name": "kubernetes"}},
            "addressType": "IPv4",
            "endpoints": [{"addresses": [apiserver_ip], "conditions": {"ready": true}}],
            "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}]}),
    );
}

/// ClusterRoles users bind to, the cluster-admin binding of system:masters, and the PriorityClasses
/// and StorageClass every kubeadm cluster (with a default provisioner) has.
fn cluster_policy(api: &mut ApiServer) {
    let rules_all =
        json!([{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}, {"nonResourceURLs": ["*"], "verbs": ["*"]}]);
    let everything = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"];
    let read = ["get", "list", "watch"];
    let workload_resources = json!([
        {"apiGroups": [""], "resources": ["pods", "pods/log", "pods/exec", "pods/attach", "services", "endpoints", "configmaps", "persistentvolumeclaims", "serviceaccounts", "events", "replicationcontrollers"], "verbs": everything},
        {"apiGroups": ["apps"], "resources": ["deployments", "deployments/scale", "replicasets", "replicasets/scale", "statefulsets", "statefulsets/scale", "daemonsets", "controllerrevisions"], "verbs": everything},
        {"apiGroups": ["batch"], "resources": ["jobs", "cronjobs"], "verbs": everything},
        {"apiGroups": ["autoscaling"], "resources": ["horizontalpodautoscalers"], "verbs": everything},
        {"apiGroups": ["networking.k8s.io"], "resources": ["ingresses", "networkpolicies"], "verbs": everything},
        {"apiGroups": ["policy"], "resources": ["poddisruptionbudgets"], "verbs": everything},
        {"apiGroups": ["discovery.k8s.io"], "resources": ["endpointslices"], "verbs": read},
        {"apiGroups": [""], "resources": ["secrets"], "verbs": everything},
    ]);
    let view_resources = json!([
        {"apiGroups": [""], "resources": ["pods", "pods/log", "services", "endpoints", "configmaps", "persistentvolumeclaims", "serviceaccounts", "events", "replicationcontrollers", "namespaces"], "verbs": read},
        {"apiGroups": ["apps"], "resources": ["deployments", "replicasets", "statefulsets", "daemonsets", "controllerrevisions"], "verbs": read},
        {"apiGroups": ["batch"], "resources": ["jobs", "cronjobs"], "verbs": read},
        {"apiGroups": ["autoscaling"], "resources": ["horizontalpodautoscalers"], "verbs": read},
        {"apiGroups": ["networking.k8s.io"], "resources": ["ingresses", "networkpolicies"], "verbs": read},
        {"apiGroups": ["policy"], "resources": ["poddisruptionbudgets"], "verbs": read},
        {"apiGroups": ["discovery.k8s.io"], "resources": ["endpointslices"], "verbs": read},
    ]);
    let mut admin_rules = workload_resources.clone();
    if let Some(list) = admin_rules.as_array_mut() {
        list.push(json!({"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles", "rolebindings"], "verbs": everything}));
        list.push(json!({"apiGroups": [""], "resources": ["resourcequotas", "limitranges"], "verbs": everything}));
    }
    for (name, rules) in
        [("cluster-admin", rules_all), ("admin", admin_rules), ("edit", workload_resources), ("view", view_resources)]
    {
        create(
            api,
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                "metadata": {"name": name, "labels": {"kubernetes.io/bootstrapping": "rbac-defaults"},
                    "annotations": {"rbac.authorization.kubernetes.io/autoupdate": "true"}},
                "rules": rules}),
        );
    }
    create(
        api,
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
            "metadata": {"name": "cluster-admin", "labels": {"kubernetes.io/bootstrapping": "rbac-defaults"},
                "annotations": {"rbac.authorization.kubernetes.io/autoupdate": "true"}},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "system:masters"}]}),
    );
    for (name, value, desc) in [
        (
            "system-cluster-critical",
            2_000_000_000,
            "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.",
        ),
        (
            "system-node-critical",
            2_000_001_000,
            "Used for system critical pods that must not be moved from their current node.",
        ),
    ] {
        create(
            api,
            json!({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": name},
                "value": value, "description": desc, "preemptionPolicy": "PreemptLowerPriority"}),
        );
    }
    create(
        api,
        json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
            "metadata": {"name": "standard", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
            "provisioner": "rancher.io/local-path", "reclaimPolicy": "Delete", "volumeBindingMode": "WaitForFirstConsumer"}),
    );
}

fn namespace_content(api: &mut ApiServer, ns: &str) {
    create(
        api,
        json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": ns}}),
    );
    create(
        api,
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "kube-root-ca.crt", "namespace": ns,
            "annotations": {"kubernetes.io/description": "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters."}},
            "data": {"ca.crt": "-----BEGIN CERTIFICATE-----\nMIIDBTCCAe2gAwIBAgIIKubariumCA0wDQYJKoZIhvcNAQELBQAwFTETMBEGA1UE\nAxMKa3ViZXJuZXRlczAeFw0yNjAxMDEwMDAwMDBaFw0zNjAxMDEwMDAwMDBaMBUx\n-----END CERTIFICATE-----\n"}}),
    );
}

/// kube-proxy's ConfigMap and its DaemonSet with one pod per node (as kubeadm's proxy addon writes
/// them: privileged, the ConfigMap mounted at /var/lib/kube-proxy), and CoreDNS's Deployment,
/// ReplicaSet and two pods.
fn addons(api: &mut ApiServer, topology: &Topology, apiserver_ip: &str) {
    let proxy_labels = json!({"k8s-app": "kube-proxy"});
    let proxy_template = json!({"metadata": {"labels": proxy_labels},
        "spec": {"hostNetwork": true, "priorityClassName": "system-node-critical", "serviceAccountName": "kube-proxy",
            "nodeSelector": {"kubernetes.io/os": "linux"}, "tolerations": [{"operator": "Exists"}],
            "containers": [{"name": "kube-proxy", "image": format!("registry.k8s.io/kube-proxy:{CONTROL_PLANE_IMAGE_TAG}"),
                "imagePullPolicy": "IfNotPresent",
                "command": ["/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf", "--hostname-override=$(NODE_NAME)"],
                "env": [{"name": "NODE_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}}}],
                "securityContext": {"privileged": true},
                "volumeMounts": [{"mountPath": "/var/lib/kube-proxy", "name": "kube-proxy"},
                    {"mountPath": "/run/xtables.lock", "name": "xtables-lock"},
                    {"mountPath": "/lib/modules", "name": "lib-modules", "readOnly": true}]}],
            "volumes": [{"name": "kube-proxy", "configMap": {"name": "kube-proxy"}},
                {"name": "xtables-lock", "hostPath": {"path": "/run/xtables.lock", "type": "FileOrCreate"}},
                {"name": "lib-modules", "hostPath": {"path": "/lib/modules"}}]}});
    create(
        api,
        json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "kube-proxy", "namespace": "kube-system"}}),
    );
    create(api, crate::network::proxy_config::kubeadm_configmap(apiserver_ip));
    create(
        api,
        json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "coredns", "namespace": "kube-system"}}),
    );
    let n = topology.nodes.len();
    if let Some(ds) = create(
        api,
        json!({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "kube-proxy", "namespace": "kube-system", "labels": proxy_labels},
            "spec": {"selector": {"matchLabels": proxy_labels}, "template": proxy_template}}),
    ) {
        set_status(
            api,
            &ds,
            json!({"currentNumberScheduled": n, "desiredNumberScheduled": n, "numberAvailable": n, "numberMisscheduled": 0,
                "numberReady": n, "observedGeneration": 1, "updatedNumberScheduled": n}),
        );
        let uid = ds.uid().to_string();
        for (i, node) in topology.nodes.iter().enumerate() {
            let mut pod = json!({"metadata": {"generateName": "kube-proxy-", "namespace": "kube-system",
                    "labels": {"k8s-app": "kube-proxy", "controller-revision-hash": "7c9d8b6f5c", "pod-template-generation": "1"},
                    "ownerReferences": [{"apiVersion": "apps/v1", "kind": "DaemonSet", "name": "kube-proxy", "uid": uid, "controller": true, "blockOwnerDeletion": true}]},
                "spec": proxy_template["spec"].clone()});
            pod["spec"]["affinity"] = json!({"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node.name]}]}]}}});
            let ip = node_ip(i);
            running_pod(api, pod, &node.name, &ip, &ip);
        }
    }
    let dns_labels = json!({"k8s-app": "kube-dns"});
    let dns_spec = json!({"priorityClassName": "system-cluster-critical", "serviceAccountName": "coredns", "dnsPolicy": "Default",
        "nodeSelector": {"kubernetes.io/os": "linux"},
        "tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists"}, {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}],
        "containers": [{"name": "coredns", "image": COREDNS_IMAGE, "args": ["-conf", "/etc/coredns/Corefile"],
            "ports": [{"containerPort": 53, "name": "dns", "protocol": "UDP"}, {"containerPort": 53, "name": "dns-tcp", "protocol": "TCP"}, {"containerPort": 9153, "name": "metrics", "protocol": "TCP"}],
            "resources": {"limits": {"memory": "170Mi"}, "requests": {"cpu": "100m", "memory": "70Mi"}}}]});
    let hash = "668d6bf9bc";
    let Some(deploy) = create(
        api,
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "coredns", "namespace": "kube-system", "labels": dns_labels,
                "annotations": {"deployment.kubernetes.io/revision": "1"}},
            "spec": {"replicas": 2, "selector": {"matchLabels": dns_labels},
                "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": "25%"}},
                "template": {"metadata": {"labels": dns_labels}, "spec": dns_spec}}}),
    ) else {
        return;
    };
    let rs_name = format!("coredns-{hash}");
    let Some(rs) = create(
        api,
        json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": rs_name, "namespace": "kube-system",
                "labels": {"k8s-app": "kube-dns", "pod-template-hash": hash},
                "annotations": {"deployment.kubernetes.io/desired-replicas": "2", "deployment.kubernetes.io/max-replicas": "3", "deployment.kubernetes.io/revision": "1"},
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "coredns", "uid": deploy.uid(), "controller": true, "blockOwnerDeletion": true}]},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"k8s-app": "kube-dns", "pod-template-hash": hash}},
                "template": {"metadata": {"labels": {"k8s-app": "kube-dns", "pod-template-hash": hash}}, "spec": dns_spec}}}),
    ) else {
        return;
    };
    let now = now_rfc3339(api);
    set_status(
        api,
        &rs,
        json!({"replicas": 2, "fullyLabeledReplicas": 2, "readyReplicas": 2, "availableReplicas": 2, "observedGeneration": 1}),
    );
    set_status(
        api,
        &deploy,
        json!({"observedGeneration": 1, "replicas": 2, "updatedReplicas": 2, "readyReplicas": 2, "availableReplicas": 2,
            "conditions": [
                {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable", "message": "Deployment has minimum availability.", "lastUpdateTime": now, "lastTransitionTime": now},
                {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable", "message": format!("ReplicaSet \"{rs_name}\" has successfully progressed."), "lastUpdateTime": now, "lastTransitionTime": now}]}),
    );
    // kubeadm clusters often start CoreDNS on the control plane before workers join; here they land on
    // the first workers, as a settled cluster usually shows them.
    let workers: Vec<(usize, &NodeSpec)> =
        topology.nodes.iter().enumerate().filter(|(_, n)| !n.control_plane).collect();
    for i in 0..2 {
        let Some(&(index, node)) =
            workers.get(i % workers.len().max(1)).or(topology.nodes.first().map(|n| (0, n)).as_ref())
        else {
            break;
        };
        let pod = json!({"metadata": {"generateName": format!("{rs_name}-"), "namespace": "kube-system",
                "labels": {"k8s-app": "kube-dns", "pod-template-hash": hash},
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": rs_name, "uid": rs.uid(), "controller": true, "blockOwnerDeletion": true}]},
            "spec": dns_spec});
        running_pod(api, pod, &node.name, &first_pod_ip(index), &node_ip(index));
    }
}

/// Creates everything; failures would be bugs in this file, so they are skipped rather than reported.
pub fn boot(api: &mut ApiServer, topology: &Topology) {
    for ns in ["default", "kube-node-lease", "kube-public", "kube-system"] {
        create(api, json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}));
        namespace_content(api, ns);
    }
    cluster_policy(api);
    for (i, spec) in topology.nodes.iter().enumerate() {
        node(api, spec, i);
    }
    let apiserver_ip = topology.nodes.iter().position(|n| n.control_plane).map(node_ip).unwrap_or_else(|| node_ip(0));
    services(api, &apiserver_ip);
    for (i, spec) in topology.nodes.iter().enumerate().filter(|(_, n)| n.control_plane) {
        control_plane_pods(api, spec, &node_ip(i));
    }
    addons(api, topology, &apiserver_ip);
}
