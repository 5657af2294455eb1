//! Rows of the other kinds with their own printers: nodes, namespaces, services and endpoints, config,
//! accounts, events, leases, scheduling and storage classes, RBAC bindings, revisions, budgets.

use k8s_openapi::api::core::v1::Node;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{Cells, RowCtx, age, none_if_empty};
use crate::api::Object;
use crate::api::duration::human_duration;

fn int_or_string(v: Option<&IntOrString>) -> String {
    match v {
        Some(IntOrString::Int(i)) => i.to_string(),
        Some(IntOrString::String(s)) => s.clone(),
        None => "N/A".into(),
    }
}

/// kubectl's formatEndpoints-style list: the first three, then ` + N more...`.
fn first_three(items: &[String]) -> String {
    if items.is_empty() {
        return "<none>".into();
    }
    let mut s = items.iter().take(3).cloned().collect::<Vec<_>>().join(",");
    if items.len() > 3 {
        s.push_str(&format!(" + {} more...", items.len() - 3));
    }
    s
}

/// The node STATUS column: the Ready condition, then `,SchedulingDisabled` when cordoned.
pub fn node_status(n: &Node) -> String {
    let conditions = n.status.as_ref().and_then(|s| s.conditions.as_deref()).unwrap_or_default();
    let mut state = match conditions.iter().find(|c| c.type_ == "Ready") {
        Some(c) if c.status == "True" => "Ready".to_string(),
        Some(_) => "NotReady".to_string(),
        None => "Unknown".to_string(),
    };
    if n.spec.as_ref().and_then(|s| s.unschedulable).unwrap_or(false) {
        state.push_str(",SchedulingDisabled");
    }
    state
}

pub fn cells(obj: &Object, ctx: &RowCtx) -> Option<Cells> {
    let name = obj.name().to_string();
    let age = age(obj.meta(), ctx);
    Some(match obj {
        Object::Node(n) => {
            let status = n.status.as_ref();
            let state = node_status(n);
            let mut roles: Vec<String> = Vec::new();
            for (k, v) in n.metadata.labels.iter().flatten() {
                if let Some(role) = k.strip_prefix("node-role.kubernetes.io/") {
                    if !role.is_empty() {
                        roles.push(role.to_string());
                    }
                } else if k == "kubernetes.io/role" && !v.is_empty() {
                    roles.push(v.clone());
                }
            }
            roles.sort();
            roles.dedup();
            let addr = |t: &str| {
                status
                    .and_then(|s| s.addresses.as_ref())
                    .and_then(|a| a.iter().find(|a| a.type_ == t))
                    .map(|a| a.address.clone())
                    .unwrap_or_else(|| "<none>".into())
            };
            let info = status.and_then(|s| s.node_info.as_ref());
            let unknown =
                |v: Option<&String>| v.filter(|s| !s.is_empty()).cloned().unwrap_or_else(|| "<unknown>".into());
            vec![
                name,
                state,
                if roles.is_empty() { "<none>".into() } else { roles.join(",") },
                age,
                info.map(|i| i.kubelet_version.clone()).unwrap_or_default(),
                addr("InternalIP"),
                addr("ExternalIP"),
                unknown(info.map(|i| &i.os_image)),
                unknown(info.map(|i| &i.kernel_version)),
                unknown(info.map(|i| &i.container_runtime_version)),
            ]
        }
        Object::Namespace(ns) => vec![name, ns.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default(), age],
        Object::Service(svc) => {
            let spec = svc.spec.as_ref();
            let kind = spec.and_then(|s| s.type_.as_deref()).unwrap_or("ClusterIP");
            let cluster_ip = match spec
                .and_then(|s| s.cluster_ips.as_ref())
                .and_then(|ips| ips.first())
                .or(spec.and_then(|s| s.cluster_ip.as_ref()))
            {
                Some(ip) if ip == "None" => "None".to_string(),
                Some(ip) if !ip.is_empty() => ip.clone(),
                _ => "<none>".to_string(),
            };
            let external_ips = spec.and_then(|s| s.external_ips.clone()).unwrap_or_default();
            let external = match kind {
                "ExternalName" => spec.and_then(|s| s.external_name.clone()).unwrap_or_default(),
                "LoadBalancer" => {
                    let mut ips: Vec<String> = svc
                        .status
                        .as_ref()
                        .and_then(|s| s.load_balancer.as_ref())
                        .and_then(|lb| lb.ingress.as_ref())
                        .map(|ing| ing.iter().filter_map(|i| i.ip.clone().or_else(|| i.hostname.clone())).collect())
                        .unwrap_or_default();
                    ips.extend(external_ips);
                    if ips.is_empty() { "<pending>".into() } else { ips.join(",") }
                }
                _ if !external_ips.is_empty() => external_ips.join(","),
                _ => "<none>".into(),
            };
            let ports: Vec<String> = spec
                .and_then(|s| s.ports.as_ref())
                .into_iter()
                .flatten()
                .map(|p| {
                    let proto = p.protocol.as_deref().unwrap_or("TCP");
                    match p.node_port {
                        Some(np) if np != 0 => format!("{}:{np}/{proto}", p.port),
                        _ => format!("{}/{proto}", p.port),
                    }
                })
                .collect();
            let selector = spec
                .and_then(|s| s.selector.as_ref())
                .filter(|m| !m.is_empty())
                .map(|m| m.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(","))
                .unwrap_or_else(|| "<none>".into());
            vec![
                name,
                kind.into(),
                cluster_ip,
                external,
                if ports.is_empty() { "<none>".into() } else { ports.join(",") },
                age,
                selector,
            ]
        }
        Object::Endpoints(ep) => {
            let mut items = Vec::new();
            for subset in ep.subsets.iter().flatten() {
                let ports = subset.ports.as_deref().unwrap_or_default();
                for a in subset.addresses.iter().flatten() {
                    if ports.is_empty() {
                        items.push(a.ip.clone());
                    }
                    for p in ports {
                        items.push(format!("{}:{}", a.ip, p.port));
                    }
                }
            }
            vec![name, first_three(&items), age]
        }
        Object::EndpointSlice(es) => {
            let ports: Vec<String> = es.ports.iter().flatten().filter_map(|p| p.port.map(|n| n.to_string())).collect();
            let addrs: Vec<String> = es.endpoints.iter().flatten().flat_map(|e| e.addresses.iter().cloned()).collect();
            vec![
                name,
                es.address_type.clone(),
                if ports.is_empty() { "<unset>".into() } else { ports.join(",") },
                if addrs.is_empty() { "<unset>".into() } else { first_three(&addrs) },
                age,
            ]
        }
        Object::ConfigMap(cm) => {
            let n = cm.data.as_ref().map_or(0, |d| d.len()) + cm.binary_data.as_ref().map_or(0, |d| d.len());
            vec![name, n.to_string(), age]
        }
        Object::Secret(s) => {
            let n = s.data.as_ref().map_or(0, |d| d.len()) + s.string_data.as_ref().map_or(0, |d| d.len());
            vec![name, s.type_.clone().unwrap_or_else(|| "Opaque".into()), n.to_string(), age]
        }
        Object::ServiceAccount(sa) => vec![name, sa.secrets.as_ref().map_or(0, Vec::len).to_string(), age],
        Object::Event(e) => {
            let ms = |t: Option<i64>| t.map(|t| human_duration(ctx.now_ms - t)).unwrap_or_else(|| "<unknown>".into());
            let last = e
                .last_timestamp
                .as_ref()
                .map(|t| t.0.as_millisecond())
                .or_else(|| e.event_time.as_ref().map(|t| t.0.as_millisecond()))
                .or_else(|| e.first_timestamp.as_ref().map(|t| t.0.as_millisecond()));
            let first = e.first_timestamp.as_ref().map(|t| t.0.as_millisecond()).or(last);
            let io = &e.involved_object;
            let source = e
                .source
                .as_ref()
                .and_then(|s| s.component.clone())
                .or_else(|| e.reporting_component.clone())
                .unwrap_or_default();
            vec![
                ms(last),
                e.type_.clone().unwrap_or_default(),
                e.reason.clone().unwrap_or_default(),
                format!("{}/{}", io.kind.as_deref().unwrap_or("").to_lowercase(), io.name.as_deref().unwrap_or("")),
                io.field_path.clone().unwrap_or_default(),
                source,
                e.message.clone().unwrap_or_default().trim().to_string(),
                ms(first),
                e.count.unwrap_or(1).to_string(),
                name,
            ]
        }
        Object::Lease(l) => vec![name, none_if_empty(l.spec.as_ref().and_then(|s| s.holder_identity.as_deref())), age],
        Object::PriorityClass(pc) => vec![
            name,
            pc.value.unwrap_or(0).to_string(),
            if pc.global_default.unwrap_or(false) { "true".into() } else { "false".into() },
            age,
            pc.preemption_policy.clone().unwrap_or_else(|| "PreemptLowerPriority".into()),
        ],
        Object::StorageClass(sc) => {
            let default = sc
                .metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get("storageclass.kubernetes.io/is-default-class"))
                .map(String::as_str)
                == Some("true");
            vec![
                if default { format!("{name} (default)") } else { name },
                sc.provisioner.clone(),
                sc.reclaim_policy.clone().unwrap_or_else(|| "Delete".into()),
                sc.volume_binding_mode.clone().unwrap_or_else(|| "Immediate".into()),
                if sc.allow_volume_expansion.unwrap_or(false) { "true".into() } else { "false".into() },
                age,
            ]
        }
        Object::RoleBinding(_) | Object::ClusterRoleBinding(_) => {
            let (role_ref, subjects) = match obj {
                Object::RoleBinding(b) => (&b.role_ref, b.subjects.as_deref().unwrap_or_default()),
                Object::ClusterRoleBinding(b) => (&b.role_ref, b.subjects.as_deref().unwrap_or_default()),
                _ => return None,
            };
            let of = |kind: &str| {
                subjects
                    .iter()
                    .filter(|s| s.kind == kind)
                    .map(|s| match (&s.namespace, kind) {
                        (Some(ns), "ServiceAccount") => format!("{ns}/{}", s.name),
                        _ => s.name.clone(),
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            vec![
                name,
                format!("{}/{}", role_ref.kind, role_ref.name),
                age,
                of("User"),
                of("Group"),
                of("ServiceAccount"),
            ]
        }
        Object::ControllerRevision(cr) => {
            let owner = cr
                .metadata
                .owner_references
                .iter()
                .flatten()
                .find(|o| o.controller == Some(true))
                .map(|o| {
                    let group = o.api_version.split_once('/').map(|(g, _)| g).unwrap_or("");
                    let kind = o.kind.to_lowercase();
                    if group.is_empty() { format!("{kind}/{}", o.name) } else { format!("{kind}.{group}/{}", o.name) }
                })
                .unwrap_or_else(|| "<none>".into());
            vec![name, owner, cr.revision.to_string(), age]
        }
        Object::PodDisruptionBudget(pdb) => {
            let spec = pdb.spec.as_ref();
            vec![
                name,
                int_or_string(spec.and_then(|s| s.min_available.as_ref())),
                int_or_string(spec.and_then(|s| s.max_unavailable.as_ref())),
                pdb.status.as_ref().and_then(|s| s.disruptions_allowed).unwrap_or(0).to_string(),
                age,
            ]
        }
        Object::RuntimeClass(rc) => vec![name, rc.handler.clone(), age],
        _ => return None,
    })
}
