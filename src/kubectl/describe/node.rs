//! Nodes (conditions, addresses, capacity, the node's non-terminated pods and what they request, its
//! Lease) and Namespaces (with their quotas and limit ranges) as `kubectl describe` prints them.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Node, Pod};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity as ApiQuantity;

use super::Env;
use super::writer::{Writer, quantity, rfc1123z};
use crate::api::fields::FieldSelector;
use crate::api::quantity::{Format, Quantity};
use crate::api::{Kind, Object};

pub fn describe(env: &mut Env<'_>, obj: &Object) -> String {
    match obj {
        Object::Node(n) => node(env, obj, n),
        Object::Namespace(ns) => {
            let mut w = Writer::new(env.now_ms);
            w.write(0, &format!("Name:\t{}\n", obj.name()));
            w.labels("Labels", obj.meta().labels.as_ref());
            w.annotations("Annotations", obj.meta().annotations.as_ref());
            let phase = ns.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default();
            w.write(0, &format!("Status:\t{phase}\n"));
            if let Some(conds) = ns.status.as_ref().and_then(|s| s.conditions.as_ref()).filter(|c| !c.is_empty()) {
                w.write(0, "Conditions:\n");
                w.write(1, "Type\tStatus\tLastTransitionTime\tReason\tMessage\n");
                w.write(1, "----\t------\t------------------\t------\t-------\n");
                for c in conds {
                    w.write(
                        1,
                        &format!(
                            "{}\t{}\t{}\t{}\t{}\n",
                            c.type_,
                            c.status,
                            rfc1123z(c.last_transition_time.as_ref()),
                            c.reason.as_deref().unwrap_or(""),
                            c.message.as_deref().unwrap_or("")
                        ),
                    );
                }
            }
            let name = obj.name().to_string();
            let quotas = env.list(Kind::ResourceQuota, Some(&name), None);
            w.write(0, "\n");
            if quotas.is_empty() {
                w.write(0, "No resource quota.\n");
            } else {
                quota_section(&mut w, &quotas);
            }
            w.write(0, "\n");
            if env.list(Kind::LimitRange, Some(&name), None).is_empty() {
                w.write(0, "No LimitRange resource.\n");
            } else {
                // The per-type rows of each LimitRange are not simulated; the table heading is.
                w.write(0, "Resource Limits\n Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n");
                w.write(0, " ----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n");
            }
            w.finish()
        }
        _ => String::new(),
    }
}

/// `DescribeResourceQuotas`.
fn quota_section(w: &mut Writer, quotas: &[Object]) {
    w.write(0, "Resource Quotas\n");
    for q in quotas {
        let Object::ResourceQuota(rq) = q else { continue };
        w.write(1, &format!("Name:\t{}\n", q.name()));
        w.write(1, "Resource\tUsed\tHard\n");
        w.write(1, "--------\t---\t---\n");
        let st = rq.status.clone().unwrap_or_default();
        let used = st.used.unwrap_or_default();
        for (name, hard) in st.hard.iter().flatten() {
            let u = used.get(name).map(quantity).unwrap_or_else(|| "0".into());
            w.write(1, &format!("{name}\t{u}\t{}\n", quantity(hard)));
        }
    }
}

/// A pod's effective requests or limits: the sum over app containers, at least the largest init
/// container's (as `resourcehelper.PodRequests`).
fn pod_totals(pod: &Pod, limits: bool) -> BTreeMap<String, Quantity> {
    let spec = pod.spec.clone().unwrap_or_default();
    let pick = |c: &k8s_openapi::api::core::v1::Container| -> BTreeMap<String, ApiQuantity> {
        let r = c.resources.clone().unwrap_or_default();
        (if limits { r.limits } else { r.requests }).unwrap_or_default()
    };
    let mut sum: BTreeMap<String, (i64, Format)> = BTreeMap::new();
    for c in &spec.containers {
        for (k, v) in pick(c) {
            let Ok(q) = Quantity::from_api(&v) else { continue };
            let e = sum.entry(k).or_insert((0, q.format()));
            e.0 = e.0.saturating_add(q.milli_value());
        }
    }
    for c in spec.init_containers.iter().flatten() {
        for (k, v) in pick(c) {
            let Ok(q) = Quantity::from_api(&v) else { continue };
            let e = sum.entry(k).or_insert((0, q.format()));
            e.0 = e.0.max(q.milli_value());
        }
    }
    sum.into_iter().map(|(k, (m, f))| (k, from_milli(m, f))).collect()
}

/// A quantity of `milli` thousandths printed in `format` (whole units when it has no fraction).
fn from_milli(milli: i64, format: Format) -> Quantity {
    if milli % 1000 == 0 { Quantity::from_int(milli / 1000, format) } else { Quantity::from_milli(milli) }
}

fn get(map: &BTreeMap<String, Quantity>, k: &str) -> Quantity {
    map.get(k).cloned().unwrap_or_default()
}

fn percent(part: i64, whole: i64) -> i64 {
    if whole == 0 { 0 } else { (part as f64 / whole as f64 * 100.0) as i64 }
}

fn node(env: &mut Env<'_>, obj: &Object, n: &Node) -> String {
    let mut w = Writer::new(env.now_ms);
    let meta = &n.metadata;
    let spec = n.spec.clone().unwrap_or_default();
    let status = n.status.clone().unwrap_or_default();
    w.write(0, &format!("Name:\t{}\n", obj.name()));
    let mut roles: Vec<String> = Vec::new();
    for (k, v) in meta.labels.iter().flatten() {
        if let Some(r) = k.strip_prefix("node-role.kubernetes.io/") {
            if !r.is_empty() {
                roles.push(r.to_string());
            }
        } else if k == "kubernetes.io/role" && !v.is_empty() {
            roles.push(v.clone());
        }
    }
    roles.sort();
    roles.dedup();
    w.write(0, &format!("Roles:\t{}\n", if roles.is_empty() { "<none>".into() } else { roles.join(",") }));
    w.labels("Labels", meta.labels.as_ref());
    w.annotations("Annotations", meta.annotations.as_ref());
    w.write(0, &format!("CreationTimestamp:\t{}\n", rfc1123z(meta.creation_timestamp.as_ref())));
    w.taints("Taints", spec.taints.as_deref().unwrap_or_default());
    w.write(0, &format!("Unschedulable:\t{}\n", spec.unschedulable.unwrap_or(false)));
    let who = env.who.clone();
    match env.api.get(&who, Kind::Lease, Some("kube-node-lease"), obj.name()) {
        Ok(Object::Lease(l)) => {
            let ls = l.spec.clone().unwrap_or_default();
            w.write(0, "Lease:\n");
            w.write(1, &format!("HolderIdentity:\t{}\n", ls.holder_identity.as_deref().unwrap_or("<unset>")));
            let t = |t: Option<&k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime>| {
                t.map(|t| rfc1123z(Some(&k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(t.0))))
                    .unwrap_or_else(|| "<unset>".into())
            };
            w.write(1, &format!("AcquireTime:\t{}\n", t(ls.acquire_time.as_ref())));
            w.write(1, &format!("RenewTime:\t{}\n", t(ls.renew_time.as_ref())));
        }
        Ok(_) => {}
        Err(e) => w.write(0, &format!("Lease:\tFailed to get lease: {}\n", e.message)),
    }
    if let Some(conds) = status.conditions.as_ref().filter(|c| !c.is_empty()) {
        w.write(0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n");
        w.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n");
        for c in conds {
            w.write(
                1,
                &format!(
                    "{} \t{} \t{} \t{} \t{} \t{}\n",
                    c.type_,
                    c.status,
                    rfc1123z(c.last_heartbeat_time.as_ref()),
                    rfc1123z(c.last_transition_time.as_ref()),
                    c.reason.as_deref().unwrap_or(""),
                    c.message.as_deref().unwrap_or("")
                ),
            );
        }
    }
    w.write(0, "Addresses:\n");
    for a in status.addresses.iter().flatten() {
        w.write(1, &format!("{}:\t{}\n", a.type_, a.address));
    }
    for (title, list) in [("Capacity", &status.capacity), ("Allocatable", &status.allocatable)] {
        if let Some(list) = list.as_ref().filter(|l| !l.is_empty()) {
            w.write(0, &format!("{title}:\n"));
            for (k, v) in list {
                w.write(0, &format!("  {k}:\t{}\n", quantity(v)));
            }
        }
    }
    let info = status.node_info.clone().unwrap_or_default();
    w.write(0, "System Info:\n");
    for (k, v) in [
        ("Machine ID", &info.machine_id),
        ("System UUID", &info.system_uuid),
        ("Boot ID", &info.boot_id),
        ("Kernel Version", &info.kernel_version),
        ("OS Image", &info.os_image),
        ("Operating System", &info.operating_system),
        ("Architecture", &info.architecture),
        ("Container Runtime Version", &info.container_runtime_version),
        ("Kubelet Version", &info.kubelet_version),
    ] {
        w.write(0, &format!("  {k}:\t{v}\n"));
    }
    if let Some(c) = spec.pod_cidr.as_deref().filter(|s| !s.is_empty()) {
        w.write(0, &format!("PodCIDR:\t{c}\n"));
    }
    if let Some(c) = spec.pod_cidrs.as_ref().filter(|c| !c.is_empty()) {
        w.write(0, &format!("PodCIDRs:\t{}\n", c.join(",")));
    }
    if let Some(p) = spec.provider_id.as_deref().filter(|s| !s.is_empty()) {
        w.write(0, &format!("ProviderID:\t{p}\n"));
    }
    let fields =
        FieldSelector::parse(&format!("spec.nodeName={},status.phase!=Succeeded,status.phase!=Failed", obj.name()))
            .ok();
    let pods = env.pods(None, None, fields);
    let alloc = status.allocatable.clone().filter(|a| !a.is_empty()).or(status.capacity.clone()).unwrap_or_default();
    node_resources(&mut w, &pods, &alloc);
    if let Some(mut events) = env.events_for(obj, Some("Node"), obj.uid()) {
        // The kubelet records node events with the node's name as uid.
        events.extend(env.events_for(obj, Some("Node"), obj.name()).unwrap_or_default());
        w.events(&events);
    }
    w.finish()
}

/// `describeNodeResource`: each pod's requests and limits against the allocatable, then the totals.
fn node_resources(w: &mut Writer, pods: &[Pod], alloc: &BTreeMap<String, ApiQuantity>) {
    let alloc_of = |k: &str| alloc.get(k).and_then(|q| Quantity::from_api(q).ok()).unwrap_or_default();
    let (cpu, mem, eph) = (alloc_of("cpu"), alloc_of("memory"), alloc_of("ephemeral-storage"));
    w.write(0, &format!("Non-terminated Pods:\t({} in total)\n", pods.len()));
    w.write(1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n");
    w.write(1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n");
    let mut total_req: BTreeMap<String, (i64, Format)> = BTreeMap::new();
    let mut total_lim: BTreeMap<String, (i64, Format)> = BTreeMap::new();
    for p in pods {
        let (req, lim) = (pod_totals(p, false), pod_totals(p, true));
        for (totals, each) in [(&mut total_req, &req), (&mut total_lim, &lim)] {
            for (k, q) in each {
                let e = totals.entry(k.clone()).or_insert((0, q.format()));
                e.0 = e.0.saturating_add(q.milli_value());
            }
        }
        let (cr, cl, mr, ml) = (get(&req, "cpu"), get(&lim, "cpu"), get(&req, "memory"), get(&lim, "memory"));
        let age = w.since(p.metadata.creation_timestamp.as_ref());
        w.write(
            1,
            &format!(
                "{}\t{}\t\t{cr} ({}%)\t{cl} ({}%)\t{mr} ({}%)\t{ml} ({}%)\t{age}\n",
                p.metadata.namespace.as_deref().unwrap_or(""),
                p.metadata.name.as_deref().unwrap_or(""),
                percent(cr.milli_value(), cpu.milli_value()),
                percent(cl.milli_value(), cpu.milli_value()),
                percent(mr.value(), mem.value()),
                percent(ml.value(), mem.value()),
            ),
        );
    }
    let total =
        |m: &BTreeMap<String, (i64, Format)>, k: &str| m.get(k).map(|(v, f)| from_milli(*v, *f)).unwrap_or_default();
    w.write(0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n");
    w.write(1, "Resource\tRequests\tLimits\n");
    w.write(1, "--------\t--------\t------\n");
    for (name, whole, milli) in [("cpu", &cpu, true), ("memory", &mem, false), ("ephemeral-storage", &eph, false)] {
        let (r, l) = (total(&total_req, name), total(&total_lim, name));
        let (rp, lp) = if milli {
            (percent(r.milli_value(), whole.milli_value()), percent(l.milli_value(), whole.milli_value()))
        } else {
            (percent(r.value(), whole.value()), percent(l.value(), whole.value()))
        };
        w.write(1, &format!("{name}\t{r} ({rp}%)\t{l} ({lp}%)\n"));
    }
    for k in alloc.keys().filter(|k| k.starts_with("hugepages-")) {
        let (r, l) = (total(&total_req, k), total(&total_lim, k));
        let a = alloc_of(k);
        w.write(
            1,
            &format!("{k}\t{r} ({}%)\t{l} ({}%)\n", percent(r.value(), a.value()), percent(l.value(), a.value())),
        );
    }
}
