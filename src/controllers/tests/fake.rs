//! Stand-ins for the scheduler and the kubelets in controller tests.

use std::sync::Arc;

use k8s_openapi::api::core::v1::{PodCondition, PodStatus};
use serde_json::Value;

use crate::api::{Kind, Object};
use crate::apiserver::strategy::timestamp;
use crate::apiserver::{DeleteOptions, Identity, ListOptions};
use crate::cluster::Cluster;

pub const WORKERS: [&str; 3] = ["node-01", "node-02", "node-03"];

pub fn admin() -> Identity {
    Identity::admin()
}

/// Creates an object from JSON as kubectl would.
pub fn create(c: &mut Cluster, kind: Kind, v: Value) -> Object {
    let obj = Object::from_value(kind, v).unwrap();
    let out = c.api_mut().create(&admin(), obj, &Default::default()).unwrap();
    c.settle();
    out
}

/// Pods of `namespace` whose name starts with `prefix`, in name order.
pub fn pods(c: &mut Cluster, namespace: &str, prefix: &str) -> Vec<Arc<k8s_openapi::api::core::v1::Pod>> {
    let list = c.api_mut().list(&admin(), Kind::Pod, Some(namespace), &ListOptions::default()).unwrap();
    list.items
        .into_iter()
        .filter_map(|o| match o {
            Object::Pod(p) if p.metadata.name.as_deref().unwrap_or("").starts_with(prefix) => Some(p),
            _ => None,
        })
        .collect()
}

/// The scheduler: binds every unbound pod of `namespace`, round-robin over the workers (or all to
/// `only` when given), daemon pods to their pinned node.
pub fn bind_all(c: &mut Cluster, namespace: &str, only: Option<&str>) {
    let mut i = 0;
    for p in pods(c, namespace, "") {
        if p.spec.as_ref().and_then(|s| s.node_name.as_ref()).is_some() || p.metadata.deletion_timestamp.is_some() {
            continue;
        }
        // A daemon pod goes where its node affinity pins it, like the scheduler would place it.
        let pinned = crate::controllers::daemon_util::target_node(p.spec.as_ref()).map(str::to_string);
        let node = pinned.unwrap_or_else(|| only.unwrap_or(WORKERS[i % WORKERS.len()]).to_string());
        i += 1;
        c.api_mut().bind(&admin(), namespace, p.metadata.name.as_deref().unwrap(), &node).unwrap();
    }
    c.settle();
}

/// The kubelets: every bound pod that is not Running yet becomes Running and Ready now.
pub fn run_all(c: &mut Cluster, namespace: &str) {
    let now = c.clock().unix_millis(c.now());
    for p in pods(c, namespace, "") {
        let bound = p.spec.as_ref().and_then(|s| s.node_name.as_ref()).is_some();
        let running = p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running");
        if !bound || running || p.metadata.deletion_timestamp.is_some() {
            continue;
        }
        let mut next = (*p).clone();
        let status = next.status.get_or_insert_with(PodStatus::default);
        status.phase = Some("Running".into());
        let conditions = status.conditions.get_or_insert_with(Vec::new);
        conditions.retain(|c| c.type_ != "Ready");
        conditions.push(PodCondition {
            type_: "Ready".into(),
            status: "True".into(),
            last_transition_time: Some(timestamp(now)),
            ..Default::default()
        });
        c.api_mut().update_status(&admin(), Object::Pod(Arc::new(next))).unwrap();
    }
    c.settle();
}

/// The kubelets finish graceful deletions at once.
pub fn reap(c: &mut Cluster, namespace: &str) {
    for p in pods(c, namespace, "") {
        if p.metadata.deletion_timestamp.is_some() {
            let opts = DeleteOptions { grace_period_seconds: Some(0), ..Default::default() };
            let _ =
                c.api_mut().delete(&admin(), Kind::Pod, Some(namespace), p.metadata.name.as_deref().unwrap(), &opts);
        }
    }
    c.settle();
}

/// One second of a scheduler and kubelets that start pods at once and reap deletions.
pub fn kubelet_second(c: &mut Cluster, namespace: &str) {
    bind_all(c, namespace, None);
    run_all(c, namespace);
    reap(c, namespace);
    c.run_for(crate::sim::Duration::from_secs(1));
}

/// Events of `namespace` about `name`, as (reason, message), in creation order.
pub fn events(c: &mut Cluster, namespace: &str, name: &str) -> Vec<(String, String)> {
    let list = c.api_mut().list(&admin(), Kind::Event, Some(namespace), &ListOptions::default()).unwrap();
    let mut out: Vec<(i64, String, String)> = list
        .items
        .iter()
        .filter_map(|o| match o {
            Object::Event(e) if e.involved_object.name.as_deref() == Some(name) => Some((
                o.resource_version(),
                e.reason.clone().unwrap_or_default(),
                e.message.clone().unwrap_or_default(),
            )),
            _ => None,
        })
        .collect();
    out.sort();
    out.into_iter().map(|(_, r, m)| (r, m)).collect()
}
