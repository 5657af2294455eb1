//! Pods as `kubectl describe pod` prints them, and the parts other describers reuse: containers with
//! their state, probes, environment and mounts; volumes; and the Pod Template block of controllers.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Container, ContainerState, ContainerStatus, Pod, PodTemplateSpec, Probe, Volume};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::Env;
use super::writer::{Writer, rfc1123z};
use crate::api::Object;

/// `printController`: `Kind/name` of the controller owner.
pub fn controlled_by(meta: &ObjectMeta) -> Option<String> {
    meta.owner_references
        .iter()
        .flatten()
        .find(|r| r.controller == Some(true))
        .map(|r| format!("{}/{}", r.kind, r.name))
}

pub fn describe(env: &mut Env<'_>, obj: &Object, pod: &Pod) -> String {
    let mut w = Writer::new(env.now_ms);
    let meta = &pod.metadata;
    let spec = pod.spec.clone().unwrap_or_default();
    let status = pod.status.clone().unwrap_or_default();
    w.write(0, &format!("Name:\t{}\n", obj.name()));
    w.write(0, &format!("Namespace:\t{}\n", obj.namespace().unwrap_or("")));
    if let Some(p) = spec.priority {
        w.write(0, &format!("Priority:\t{p}\n"));
    }
    if let Some(pc) = spec.priority_class_name.as_deref().filter(|s| !s.is_empty()) {
        w.write(0, &format!("Priority Class Name:\t{pc}\n"));
    }
    if let Some(rc) = spec.runtime_class_name.as_deref().filter(|s| !s.is_empty()) {
        w.write(0, &format!("Runtime Class Name:\t{rc}\n"));
    }
    if let Some(sa) = spec.service_account_name.as_deref().filter(|s| !s.is_empty()) {
        w.write(0, &format!("Service Account:\t{sa}\n"));
    }
    match spec.node_name.as_deref().filter(|s| !s.is_empty()) {
        None => w.write(0, "Node:\t<none>\n"),
        Some(n) => w.write(0, &format!("Node:\t{n}/{}\n", status.host_ip.as_deref().unwrap_or(""))),
    }
    if status.start_time.is_some() {
        w.write(0, &format!("Start Time:\t{}\n", rfc1123z(status.start_time.as_ref())));
    }
    w.labels("Labels", meta.labels.as_ref());
    w.annotations("Annotations", meta.annotations.as_ref());
    let phase = status.phase.as_deref().unwrap_or("");
    if meta.deletion_timestamp.is_some() && phase != "Failed" && phase != "Succeeded" {
        let lasts = w.since(meta.deletion_timestamp.as_ref());
        w.write(0, &format!("Status:\tTerminating (lasts {lasts})\n"));
        w.write(0, &format!("Termination Grace Period:\t{}s\n", meta.deletion_grace_period_seconds.unwrap_or(0)));
    } else {
        w.write(0, &format!("Status:\t{phase}\n"));
    }
    if let Some(r) = status.reason.as_deref().filter(|s| !s.is_empty()) {
        w.write(0, &format!("Reason:\t{r}\n"));
    }
    if let Some(m) = status.message.as_deref().filter(|s| !s.is_empty()) {
        w.write(0, &format!("Message:\t{m}\n"));
    }
    w.write(0, &format!("IP:\t{}\n", status.pod_ip.as_deref().unwrap_or("")));
    match status.pod_ips.as_ref().filter(|ips| !ips.is_empty()) {
        None => w.write(0, "IPs:\t<none>\n"),
        Some(ips) => {
            w.write(0, "IPs:\n");
            for ip in ips {
                w.write(1, &format!("IP:\t{}\n", ip.ip));
            }
        }
    }
    if let Some(c) = controlled_by(meta) {
        w.write(0, &format!("Controlled By:\t{c}\n"));
    }
    if let Some(n) = status.nominated_node_name.as_deref().filter(|s| !s.is_empty()) {
        w.write(0, &format!("NominatedNodeName:\t{n}\n"));
    }
    if let Some(init) = spec.init_containers.as_ref().filter(|c| !c.is_empty()) {
        containers(&mut w, "Init Containers", init, status.init_container_statuses.as_deref(), Some(pod), "");
    }
    containers(&mut w, "Containers", &spec.containers, status.container_statuses.as_deref(), Some(pod), "");
    if let Some(gates) = spec.readiness_gates.as_ref().filter(|g| !g.is_empty()) {
        w.write(0, "Readiness Gates:\n  Type\tStatus\n");
        for g in gates {
            let s = status
                .conditions
                .iter()
                .flatten()
                .find(|c| c.type_ == g.condition_type)
                .map_or("<none>".to_string(), |c| c.status.clone());
            w.write(1, &format!("{} \t{s} \n", g.condition_type));
        }
    }
    if let Some(conds) = status.conditions.as_ref().filter(|c| !c.is_empty()) {
        w.write(0, "Conditions:\n  Type\tStatus\n");
        for c in conds {
            w.write(1, &format!("{} \t{} \n", c.type_, c.status));
        }
    }
    volumes(&mut w, spec.volumes.as_deref().unwrap_or_default(), "");
    w.write(0, &format!("QoS Class:\t{}\n", status.qos_class.as_deref().unwrap_or("BestEffort")));
    w.labels("Node-Selectors", spec.node_selector.as_ref());
    w.tolerations("", "Tolerations", spec.tolerations.as_ref());
    if let Some(events) = pod_events(env, obj) {
        w.events(&events);
    }
    w.finish()
}

/// A pod's events match on name, namespace and uid (not kind); a mirror pod's on its static pod's uid.
fn pod_events(env: &mut Env<'_>, obj: &Object) -> Option<Vec<k8s_openapi::api::core::v1::Event>> {
    let mirror = obj.meta().annotations.as_ref().and_then(|a| a.get("kubernetes.io/config.mirror")).cloned();
    let uid = mirror.unwrap_or_else(|| obj.uid().to_string());
    env.events_for(obj, None, &uid)
}

/// `DescribePodTemplate`.
pub fn template(w: &mut Writer, t: Option<&PodTemplateSpec>) {
    w.write(0, "Pod Template:\n");
    let Some(t) = t else {
        w.write(1, "<unset>");
        return;
    };
    let meta = t.metadata.clone().unwrap_or_default();
    let spec = t.spec.clone().unwrap_or_default();
    w.labels("  Labels", meta.labels.as_ref());
    if meta.annotations.as_ref().is_some_and(|a| !a.is_empty()) {
        w.annotations("  Annotations", meta.annotations.as_ref());
    }
    if let Some(sa) = spec.service_account_name.as_deref().filter(|s| !s.is_empty()) {
        w.write(1, &format!("Service Account:\t{sa}\n"));
    }
    if let Some(init) = spec.init_containers.as_ref().filter(|c| !c.is_empty()) {
        containers(w, "Init Containers", init, None, None, "  ");
    }
    containers(w, "Containers", &spec.containers, None, None, "  ");
    volumes(w, spec.volumes.as_deref().unwrap_or_default(), "  ");
    if let Some(pc) = spec.priority_class_name.as_deref().filter(|s| !s.is_empty()) {
        w.write(1, &format!("Priority Class Name:\t{pc}\n"));
    }
    w.labels("  Node-Selectors", spec.node_selector.as_ref());
    w.tolerations("  ", "Tolerations", spec.tolerations.as_ref());
}

/// `describeContainers`.
fn containers(
    w: &mut Writer,
    label: &str,
    containers: &[Container],
    statuses: Option<&[ContainerStatus]>,
    pod: Option<&Pod>,
    space: &str,
) {
    let none = if containers.is_empty() { " <none>" } else { "" };
    w.write(0, &format!("{space}{label}:{none}\n"));
    let by_name: BTreeMap<&str, &ContainerStatus> =
        statuses.into_iter().flatten().map(|s| (s.name.as_str(), s)).collect();
    let indent = if space.is_empty() { "" } else { " " };
    for c in containers {
        let status = by_name.get(c.name.as_str()).copied();
        w.write(1, &format!("{indent}{}:\n", c.name));
        if let Some(s) = status {
            w.write(2, &format!("Container ID:\t{}\n", s.container_id.as_deref().unwrap_or("")));
        }
        w.write(2, &format!("Image:\t{}\n", c.image.as_deref().unwrap_or("")));
        if let Some(s) = status {
            w.write(2, &format!("Image ID:\t{}\n", s.image_id));
        }
        let ports = c.ports.as_deref().unwrap_or_default();
        let fmt_ports = |host: bool| {
            ports
                .iter()
                .map(|p| {
                    let n = if host { p.host_port.unwrap_or(0) } else { p.container_port };
                    let mut s = format!("{n}/{}", p.protocol.as_deref().unwrap_or("TCP"));
                    if let Some(name) = p.name.as_deref().filter(|s| !s.is_empty()) {
                        s.push_str(&format!(" ({name})"));
                    }
                    s
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        for (single, plural, text) in
            [("Port", "Ports", fmt_ports(false)), ("Host Port", "Host Ports", fmt_ports(true))]
        {
            if text.contains(',') {
                w.write(2, &format!("{plural}:\t{text}\n"));
            } else {
                w.write(2, &format!("{single}:\t{}\n", super::writer::or_none(&text)));
            }
        }
        for (title, items) in [("Command", &c.command), ("Args", &c.args)] {
            if let Some(items) = items.as_ref().filter(|i| !i.is_empty()) {
                w.write(2, &format!("{title}:\n"));
                for line in items.iter().flat_map(|i| i.split('\n')) {
                    w.write(3, &format!("{line}\n"));
                }
            }
        }
        if let Some(s) = status {
            state(w, "State", s.state.as_ref());
            if s.last_state.as_ref().is_some_and(|l| l.terminated.is_some()) {
                state(w, "Last State", s.last_state.as_ref());
            }
            w.write(2, &format!("Ready:\t{}\n", if s.ready { "True" } else { "False" }));
            w.write(2, &format!("Restart Count:\t{}\n", s.restart_count));
        }
        w.resources(c.resources.as_ref(), 2);
        for (title, probe) in
            [("Liveness", &c.liveness_probe), ("Readiness", &c.readiness_probe), ("Startup", &c.startup_probe)]
        {
            if let Some(p) = probe {
                w.write(2, &format!("{title}:\t{}\n", describe_probe(p)));
            }
        }
        env_from(w, c);
        env(w, c, pod);
        mounts(w, c);
    }
}

fn env_from(w: &mut Writer, c: &Container) {
    let Some(list) = c.env_from.as_ref().filter(|l| !l.is_empty()) else { return };
    w.write(2, "Environment Variables from:\n");
    for e in list {
        let (from, name, optional) = match (&e.config_map_ref, &e.secret_ref) {
            (Some(cm), _) => ("ConfigMap", cm.name.clone(), cm.optional.unwrap_or(false)),
            (None, Some(s)) => ("Secret", s.name.clone(), s.optional.unwrap_or(false)),
            (None, None) => ("", String::new(), false),
        };
        match e.prefix.as_deref().filter(|p| !p.is_empty()) {
            None => w.write(3, &format!("{name}\t{from}\tOptional: {optional}\n")),
            Some(p) => w.write(3, &format!("{name}\t{from} with prefix '{p}'\tOptional: {optional}\n")),
        }
    }
}

fn env(w: &mut Writer, c: &Container, pod: Option<&Pod>) {
    let vars = c.env.as_deref().unwrap_or_default();
    w.write(2, &format!("Environment:{}\n", if vars.is_empty() { "\t<none>" } else { "" }));
    for e in vars {
        let Some(from) = &e.value_from else {
            for (i, line) in e.value.as_deref().unwrap_or("").split('\n').enumerate() {
                if i == 0 {
                    w.write(3, &format!("{}:\t{line}\n", e.name));
                } else {
                    w.write(3, &format!("\t{line}\n"));
                }
            }
            continue;
        };
        if let Some(f) = &from.field_ref {
            let value = pod.map(|p| field_value(p, &f.field_path)).unwrap_or_default();
            let api = f.api_version.as_deref().unwrap_or("v1");
            w.write(3, &format!("{}:\t{value} ({api}:{})\n", e.name, f.field_path));
        } else if let Some(r) = &from.resource_field_ref {
            w.write(3, &format!("{}:\t{} ({})\n", e.name, "node allocatable", r.resource));
        } else if let Some(s) = &from.secret_key_ref {
            w.write(
                3,
                &format!(
                    "{}:\t<set to the key '{}' in secret '{}'>\tOptional: {}\n",
                    e.name,
                    s.key,
                    s.name,
                    s.optional.unwrap_or(false)
                ),
            );
        } else if let Some(cm) = &from.config_map_key_ref {
            w.write(
                3,
                &format!(
                    "{}:\t<set to the key '{}' of config map '{}'>\tOptional: {}\n",
                    e.name,
                    cm.key,
                    cm.name,
                    cm.optional.unwrap_or(false)
                ),
            );
        }
    }
}

/// The downward-API fields describe resolves for `fieldRef` variables.
fn field_value(pod: &Pod, path: &str) -> String {
    let meta = &pod.metadata;
    let status = pod.status.as_ref();
    let spec = pod.spec.as_ref();
    match path {
        "metadata.name" => meta.name.clone(),
        "metadata.namespace" => meta.namespace.clone(),
        "metadata.uid" => meta.uid.clone(),
        "spec.nodeName" => spec.and_then(|s| s.node_name.clone()),
        "spec.serviceAccountName" => spec.and_then(|s| s.service_account_name.clone()),
        "status.podIP" => status.and_then(|s| s.pod_ip.clone()),
        "status.hostIP" => status.and_then(|s| s.host_ip.clone()),
        _ => None,
    }
    .unwrap_or_default()
}

fn mounts(w: &mut Writer, c: &Container) {
    let mut list: Vec<_> = c.volume_mounts.iter().flatten().collect();
    w.write(2, &format!("Mounts:{}\n", if list.is_empty() { "\t<none>" } else { "" }));
    list.sort_by(|a, b| a.mount_path.cmp(&b.mount_path));
    for m in list {
        let mut flags = vec![if m.read_only == Some(true) { "ro".to_string() } else { "rw".to_string() }];
        if let Some(sub) = m.sub_path.as_deref().filter(|s| !s.is_empty()) {
            flags.push(format!("path={sub:?}"));
        }
        w.write(3, &format!("{} from {} ({})\n", m.mount_path, m.name, flags.join(",")));
    }
}

/// `describeStatus`.
fn state(w: &mut Writer, name: &str, state: Option<&ContainerState>) {
    let state = state.cloned().unwrap_or_default();
    if let Some(r) = &state.running {
        w.write(2, &format!("{name}:\tRunning\n"));
        w.write(3, &format!("Started:\t{}\n", rfc1123z(r.started_at.as_ref())));
    } else if let Some(wt) = &state.waiting {
        w.write(2, &format!("{name}:\tWaiting\n"));
        if let Some(r) = wt.reason.as_deref().filter(|s| !s.is_empty()) {
            w.write(3, &format!("Reason:\t{r}\n"));
        }
    } else if let Some(t) = &state.terminated {
        w.write(2, &format!("{name}:\tTerminated\n"));
        if let Some(r) = t.reason.as_deref().filter(|s| !s.is_empty()) {
            w.write(3, &format!("Reason:\t{r}\n"));
        }
        if let Some(m) = t.message.as_deref().filter(|s| !s.is_empty()) {
            w.write(3, &format!("Message:\t{m}\n"));
        }
        w.write(3, &format!("Exit Code:\t{}\n", t.exit_code));
        if let Some(sig) = t.signal.filter(|s| *s > 0) {
            w.write(3, &format!("Signal:\t{sig}\n"));
        }
        w.write(3, &format!("Started:\t{}\n", rfc1123z(t.started_at.as_ref())));
        w.write(3, &format!("Finished:\t{}\n", rfc1123z(t.finished_at.as_ref())));
    } else {
        w.write(2, &format!("{name}:\tWaiting\n"));
    }
}

fn int_or_string(v: &IntOrString) -> String {
    match v {
        IntOrString::Int(i) => i.to_string(),
        IntOrString::String(s) => s.clone(),
    }
}

/// `DescribeProbe`.
pub fn describe_probe(p: &Probe) -> String {
    let attrs = format!(
        "delay={}s timeout={}s period={}s successThreshold={} failureThreshold={}",
        p.initial_delay_seconds.unwrap_or(0),
        p.timeout_seconds.unwrap_or(0),
        p.period_seconds.unwrap_or(0),
        p.success_threshold.unwrap_or(0),
        p.failure_threshold.unwrap_or(0)
    );
    if let Some(e) = &p.exec {
        return format!("exec [{}] {attrs}", e.command.as_deref().unwrap_or_default().join(" "));
    }
    if let Some(h) = &p.http_get {
        let scheme = h.scheme.as_deref().unwrap_or("HTTP").to_lowercase();
        let host = h.host.as_deref().unwrap_or("");
        let port = int_or_string(&h.port);
        let hostport = if host.contains(':') { format!("[{host}]:{port}") } else { format!("{host}:{port}") };
        return format!("http-get {scheme}://{hostport}{} {attrs}", h.path.as_deref().unwrap_or(""));
    }
    if let Some(t) = &p.tcp_socket {
        return format!("tcp-socket {}:{} {attrs}", t.host.as_deref().unwrap_or(""), int_or_string(&t.port));
    }
    if let Some(g) = &p.grpc {
        return format!("grpc <pod>:{} {} {attrs}", g.port, g.service.as_deref().unwrap_or(""));
    }
    format!("unknown {attrs}")
}

/// `describeVolumes` for the volume sources the simulator serves; others print `<unknown>`.
fn volumes(w: &mut Writer, volumes: &[Volume], space: &str) {
    if volumes.is_empty() {
        w.write(0, &format!("{space}Volumes:\t<none>\n"));
        return;
    }
    w.write(0, &format!("{space}Volumes:\n"));
    let indent = if space.is_empty() { "" } else { " " };
    for v in volumes {
        w.write(1, &format!("{indent}{}:\n", v.name));
        if let Some(h) = &v.host_path {
            w.write(
                2,
                &format!(
                    "Type:\tHostPath (bare host directory volume)\n    Path:\t{}\n    HostPathType:\t{}\n",
                    h.path,
                    h.type_.as_deref().unwrap_or("<none>")
                ),
            );
        } else if let Some(e) = &v.empty_dir {
            let limit = e.size_limit.as_ref().map(super::writer::quantity).unwrap_or_else(|| "<unset>".into());
            w.write(2, &format!("Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    Medium:\t{}\n    SizeLimit:\t{limit}\n", e.medium.as_deref().unwrap_or("")));
        } else if let Some(s) = &v.secret {
            w.write(
                2,
                &format!(
                    "Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t{}\n    Optional:\t{}\n",
                    s.secret_name.as_deref().unwrap_or(""),
                    s.optional.unwrap_or(false)
                ),
            );
        } else if let Some(c) = &v.config_map {
            w.write(
                2,
                &format!(
                    "Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t{}\n    Optional:\t{}\n",
                    c.name,
                    c.optional.unwrap_or(false)
                ),
            );
        } else if let Some(c) = &v.persistent_volume_claim {
            w.write(2, &format!("Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n    ClaimName:\t{}\n    ReadOnly:\t{}\n", c.claim_name, c.read_only.unwrap_or(false)));
        } else if let Some(p) = &v.projected {
            projected(w, p);
        } else {
            w.write(1, "<unknown>\n");
        }
    }
}

/// `printProjectedVolumeSource`.
fn projected(w: &mut Writer, p: &k8s_openapi::api::core::v1::ProjectedVolumeSource) {
    w.write(2, "Type:\tProjected (a volume that contains injected data from multiple sources)\n");
    for s in p.sources.iter().flatten() {
        if let Some(sec) = &s.secret {
            w.write(2, &format!("SecretName:\t{}\n    Optional:\t{}\n", sec.name, sec.optional.unwrap_or(false)));
        } else if s.downward_api.is_some() {
            w.write(2, "DownwardAPI:\ttrue\n");
        } else if let Some(cm) = &s.config_map {
            w.write(2, &format!("ConfigMapName:\t{}\n    Optional:\t{}\n", cm.name, cm.optional.unwrap_or(false)));
        } else if let Some(t) = &s.service_account_token {
            w.write(2, &format!("TokenExpirationSeconds:\t{}\n", t.expiration_seconds.unwrap_or(0)));
        }
    }
}
