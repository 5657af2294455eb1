//! The columns `kubectl get` prints for each kind (the server's table convertors upstream): headers,
//! which of them only `-o wide` shows, and each object's cells. Kinds without a printer of their own get
//! the default table: NAME and CREATED AT.

mod core;
mod hpa;
mod ingress;
mod pod;
mod storage;
mod workloads;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::api::duration::translate_timestamp_since_millis;
use crate::api::{Kind, Object};

pub use core::node_status;
pub use pod::pod_status;

/// One row's cells, in header order (wide columns included).
pub type Cells = Vec<String>;

/// What a row needs besides the object.
#[derive(Debug, Clone, Copy)]
pub struct RowCtx {
    pub now_ms: i64,
    /// `-o wide`: some cells (load-balancer addresses) are clipped without it.
    pub wide: bool,
}

/// A column: its header and whether only `-o wide` shows it.
pub type Column = (&'static str, bool);

const W: bool = true;
const N: bool = false;

/// The columns of `kind`, in order.
pub fn columns(kind: Kind) -> &'static [Column] {
    match kind {
        Kind::Pod => &[
            ("NAME", N),
            ("READY", N),
            ("STATUS", N),
            ("RESTARTS", N),
            ("AGE", N),
            ("IP", W),
            ("NODE", W),
            ("NOMINATED NODE", W),
            ("READINESS GATES", W),
        ],
        Kind::Node => &[
            ("NAME", N),
            ("STATUS", N),
            ("ROLES", N),
            ("AGE", N),
            ("VERSION", N),
            ("INTERNAL-IP", W),
            ("EXTERNAL-IP", W),
            ("OS-IMAGE", W),
            ("KERNEL-VERSION", W),
            ("CONTAINER-RUNTIME", W),
        ],
        Kind::Namespace => &[("NAME", N), ("STATUS", N), ("AGE", N)],
        Kind::Deployment => &[
            ("NAME", N),
            ("READY", N),
            ("UP-TO-DATE", N),
            ("AVAILABLE", N),
            ("AGE", N),
            ("CONTAINERS", W),
            ("IMAGES", W),
            ("SELECTOR", W),
        ],
        Kind::ReplicaSet => &[
            ("NAME", N),
            ("DESIRED", N),
            ("CURRENT", N),
            ("READY", N),
            ("AGE", N),
            ("CONTAINERS", W),
            ("IMAGES", W),
            ("SELECTOR", W),
        ],
        Kind::DaemonSet => &[
            ("NAME", N),
            ("DESIRED", N),
            ("CURRENT", N),
            ("READY", N),
            ("UP-TO-DATE", N),
            ("AVAILABLE", N),
            ("NODE SELECTOR", N),
            ("AGE", N),
            ("CONTAINERS", W),
            ("IMAGES", W),
            ("SELECTOR", W),
        ],
        Kind::StatefulSet => &[("NAME", N), ("READY", N), ("AGE", N), ("CONTAINERS", W), ("IMAGES", W)],
        Kind::Job => &[
            ("NAME", N),
            ("STATUS", N),
            ("COMPLETIONS", N),
            ("DURATION", N),
            ("AGE", N),
            ("CONTAINERS", W),
            ("IMAGES", W),
            ("SELECTOR", W),
        ],
        Kind::CronJob => &[
            ("NAME", N),
            ("SCHEDULE", N),
            ("TIMEZONE", N),
            ("SUSPEND", N),
            ("ACTIVE", N),
            ("LAST SCHEDULE", N),
            ("AGE", N),
            ("CONTAINERS", W),
            ("IMAGES", W),
            ("SELECTOR", W),
        ],
        Kind::Service => &[
            ("NAME", N),
            ("TYPE", N),
            ("CLUSTER-IP", N),
            ("EXTERNAL-IP", N),
            ("PORT(S)", N),
            ("AGE", N),
            ("SELECTOR", W),
        ],
        Kind::Endpoints => &[("NAME", N), ("ENDPOINTS", N), ("AGE", N)],
        Kind::EndpointSlice => &[("NAME", N), ("ADDRESSTYPE", N), ("PORTS", N), ("ENDPOINTS", N), ("AGE", N)],
        Kind::ConfigMap => &[("NAME", N), ("DATA", N), ("AGE", N)],
        Kind::Secret => &[("NAME", N), ("TYPE", N), ("DATA", N), ("AGE", N)],
        Kind::ServiceAccount => &[("NAME", N), ("SECRETS", N), ("AGE", N)],
        Kind::Event => &[
            ("LAST SEEN", N),
            ("TYPE", N),
            ("REASON", N),
            ("OBJECT", N),
            ("SUBOBJECT", W),
            ("SOURCE", W),
            ("MESSAGE", N),
            ("FIRST SEEN", W),
            ("COUNT", W),
            ("NAME", W),
        ],
        Kind::Lease => &[("NAME", N), ("HOLDER", N), ("AGE", N)],
        Kind::PriorityClass => &[("NAME", N), ("VALUE", N), ("GLOBAL-DEFAULT", N), ("AGE", N), ("PREEMPTIONPOLICY", N)],
        Kind::StorageClass => &[
            ("NAME", N),
            ("PROVISIONER", N),
            ("RECLAIMPOLICY", N),
            ("VOLUMEBINDINGMODE", N),
            ("ALLOWVOLUMEEXPANSION", N),
            ("AGE", N),
        ],
        Kind::RoleBinding | Kind::ClusterRoleBinding => {
            &[("NAME", N), ("ROLE", N), ("AGE", N), ("USERS", W), ("GROUPS", W), ("SERVICEACCOUNTS", W)]
        }
        Kind::ControllerRevision => &[("NAME", N), ("CONTROLLER", N), ("REVISION", N), ("AGE", N)],
        Kind::PodDisruptionBudget => {
            &[("NAME", N), ("MIN AVAILABLE", N), ("MAX UNAVAILABLE", N), ("ALLOWED DISRUPTIONS", N), ("AGE", N)]
        }
        Kind::RuntimeClass => &[("NAME", N), ("HANDLER", N), ("AGE", N)],
        Kind::HorizontalPodAutoscaler => &[
            ("NAME", N),
            ("REFERENCE", N),
            ("TARGETS", N),
            ("MINPODS", N),
            ("MAXPODS", N),
            ("REPLICAS", N),
            ("AGE", N),
        ],
        Kind::PersistentVolume => &[
            ("NAME", N),
            ("CAPACITY", N),
            ("ACCESS MODES", N),
            ("RECLAIM POLICY", N),
            ("STATUS", N),
            ("CLAIM", N),
            ("STORAGECLASS", N),
            ("VOLUMEATTRIBUTESCLASS", N),
            ("REASON", N),
            ("AGE", N),
            ("VOLUMEMODE", W),
        ],
        Kind::PersistentVolumeClaim => &[
            ("NAME", N),
            ("STATUS", N),
            ("VOLUME", N),
            ("CAPACITY", N),
            ("ACCESS MODES", N),
            ("STORAGECLASS", N),
            ("VOLUMEATTRIBUTESCLASS", N),
            ("AGE", N),
            ("VOLUMEMODE", W),
        ],
        Kind::Ingress => &[("NAME", N), ("CLASS", N), ("HOSTS", N), ("ADDRESS", N), ("PORTS", N), ("AGE", N)],
        Kind::IngressClass => &[("NAME", N), ("CONTROLLER", N), ("PARAMETERS", N), ("AGE", N)],
        _ => &[("NAME", N), ("CREATED AT", N)],
    }
}

/// `<none>` for a missing or empty value.
pub fn none_if_empty(v: Option<&str>) -> String {
    match v {
        Some(s) if !s.is_empty() => s.to_string(),
        _ => "<none>".to_string(),
    }
}

/// AGE: HumanDuration since creation, `<unknown>` without a timestamp.
pub fn age(meta: &ObjectMeta, ctx: &RowCtx) -> String {
    translate_timestamp_since_millis(meta.creation_timestamp.as_ref().map(|t| t.0.as_millisecond()), ctx.now_ms)
}

/// The cells of `obj`, one per column of its kind.
pub fn cells(obj: &Object, ctx: &RowCtx) -> Cells {
    match obj {
        Object::Pod(p) => pod::cells(p, ctx),
        Object::HorizontalPodAutoscaler(h) => hpa::cells(h, ctx),
        Object::PersistentVolume(pv) => storage::pv_cells(pv, ctx),
        Object::PersistentVolumeClaim(pvc) => storage::pvc_cells(pvc, ctx),
        Object::Ingress(ing) => ingress::ingress_cells(ing, ctx),
        Object::IngressClass(class) => ingress::class_cells(class, ctx),
        Object::Deployment(_)
        | Object::ReplicaSet(_)
        | Object::DaemonSet(_)
        | Object::StatefulSet(_)
        | Object::Job(_)
        | Object::CronJob(_) => workloads::cells(obj, ctx),
        _ => core::cells(obj, ctx).unwrap_or_else(|| {
            let created =
                obj.meta().creation_timestamp.as_ref().map(|t| t.0.to_string()).unwrap_or_else(|| "<unknown>".into());
            vec![obj.name().to_string(), created]
        }),
    }
}
