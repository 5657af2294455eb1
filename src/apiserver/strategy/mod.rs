//! Per-kind rules the api-server applies around a write, as the registry's strategies do upstream:
//! system fields on create (uid, creationTimestamp, generation), defaults, status reset, the split of
//! spec and status between the main resource and `/status`, generation bumps, validation, and the
//! grace period of a delete.

mod batch;
mod core;
mod meta;
mod pod;
mod workloads;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time as MetaTime;

use super::field::FieldError;
use crate::api::parts::meta_eq_except_resource_version;
use crate::api::{Kind, Object};

pub use pod::default_pod_spec;

/// A metav1.Time at `unix_ms`, truncated to whole seconds as the API serializes it.
pub fn timestamp(unix_ms: i64) -> MetaTime {
    let secs = unix_ms.div_euclid(1000);
    MetaTime(k8s_openapi::jiff::Timestamp::from_second(secs).unwrap_or_default())
}

/// Kinds whose status is written only through the `/status` subresource.
pub fn has_status_subresource(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Pod
            | Kind::Node
            | Kind::Namespace
            | Kind::Service
            | Kind::PersistentVolume
            | Kind::PersistentVolumeClaim
            | Kind::ResourceQuota
            | Kind::Deployment
            | Kind::ReplicaSet
            | Kind::DaemonSet
            | Kind::StatefulSet
            | Kind::Job
            | Kind::CronJob
            | Kind::Ingress
            | Kind::HorizontalPodAutoscaler
            | Kind::PodDisruptionBudget
    )
}

/// Kinds that count spec changes in `metadata.generation`.
fn tracks_generation(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Pod
            | Kind::Deployment
            | Kind::ReplicaSet
            | Kind::DaemonSet
            | Kind::StatefulSet
            | Kind::Job
            | Kind::CronJob
            | Kind::HorizontalPodAutoscaler
            | Kind::PodDisruptionBudget
            | Kind::Ingress
            | Kind::Service
            | Kind::PersistentVolumeClaim
    )
}

/// Fills what the api-server owns on create and applies the kind's defaults.
pub fn prepare_for_create(obj: &mut Object, uid: &str, now_ms: i64) {
    let kind = obj.kind();
    {
        let meta = obj.meta_mut();
        meta.uid = Some(uid.to_string());
        meta.creation_timestamp = Some(timestamp(now_ms));
        meta.resource_version = None;
        meta.deletion_timestamp = None;
        meta.deletion_grace_period_seconds = None;
        meta.managed_fields = None;
        meta.self_link = None;
        meta.generation = tracks_generation(kind).then_some(1);
    }
    if resets_status_on_create(kind) {
        let mut v = obj.to_value();
        v["status"] = serde_json::json!({});
        if let Ok(fresh) = Object::from_value(kind, v) {
            *obj = fresh;
        }
    }
    core::default_on_create(obj);
    pod::default_on_create(obj);
    workloads::default_on_create(obj);
}

/// Kinds whose controllers own the status: a create starts it empty, whatever the client sent.
fn resets_status_on_create(kind: Kind) -> bool {
    has_status_subresource(kind) && !matches!(kind, Kind::Pod | Kind::Node | Kind::Namespace | Kind::PersistentVolume)
}

/// Keeps what a client may not change through this endpoint and bumps the generation when the spec
/// changed.
pub fn prepare_for_update(new: &mut Object, old: &Object, status_only: bool) {
    let kind = new.kind();
    {
        let (nm, om) = (new.meta_mut(), old.meta());
        nm.uid = om.uid.clone();
        nm.creation_timestamp = om.creation_timestamp.clone();
        nm.deletion_timestamp = om.deletion_timestamp.clone();
        nm.deletion_grace_period_seconds = om.deletion_grace_period_seconds;
        nm.generation = om.generation;
        nm.namespace = om.namespace.clone();
        nm.managed_fields = None;
    }
    if status_only {
        // Only status changes through /status; metadata and spec stay as they were.
        let status = std::mem::replace(new, old.clone());
        *new = status.with_metadata_and_spec_of(old);
        return;
    }
    if has_status_subresource(kind) {
        new.copy_status_from(old);
    }
    core::default_on_update(new);
    pod::default_on_create(new);
    workloads::default_on_create(new);
    if tracks_generation(kind) && !new.spec_eq(old).unwrap_or_else(|| spec_of(new) == spec_of(old)) {
        let g = old.meta().generation.unwrap_or(0) + 1;
        new.meta_mut().generation = Some(g);
    }
}

/// The spec (or, for kinds without one, everything but metadata and status), for change detection.
fn spec_of(obj: &Object) -> serde_json::Value {
    let mut v = obj.to_value();
    if let Some(map) = v.as_object_mut() {
        map.remove("metadata");
        map.remove("status");
    }
    v
}

/// Whether an update would change nothing (then no new revision is written).
pub fn same_object(a: &Object, b: &Object) -> bool {
    if let Some(same_spec) = a.spec_eq(b) {
        return same_spec && a.status_eq(b) && meta_eq_except_resource_version(a.meta(), b.meta());
    }
    let mut a = a.clone();
    a.meta_mut().resource_version = b.meta().resource_version.clone();
    a == *b
}

pub fn validate_create(obj: &Object) -> Vec<FieldError> {
    let mut errors = meta::validate_object_meta(obj);
    errors.extend(core::validate(obj));
    errors.extend(pod::validate(obj));
    errors.extend(workloads::validate(obj));
    errors
}

pub fn validate_update(new: &Object, old: &Object) -> Vec<FieldError> {
    let mut errors = validate_create(new);
    errors.extend(workloads::validate_update(new, old));
    errors.extend(pod::validate_update(new, old));
    errors
}

/// The grace period a delete gets: pods honour the request, then their
/// terminationGracePeriodSeconds; unscheduled or finished pods, and every other kind, go at once.
pub fn deletion_grace_seconds(obj: &Object, requested: Option<i64>) -> i64 {
    match obj {
        Object::Pod(p) => pod::deletion_grace_seconds(p, requested),
        _ => 0,
    }
}

/// Whether a terminating object still waits for a finalizer: one in `metadata.finalizers`, or for a
/// Namespace one in `spec.finalizers` (the namespace controller's `kubernetes`, which it removes once
/// the namespace is empty; upstream through the `/finalize` subresource, here through an update).
pub fn finalizers_pending(obj: &Object) -> bool {
    let meta = obj.meta().finalizers.as_ref().is_some_and(|f| !f.is_empty());
    let spec = matches!(obj, Object::Namespace(ns) if ns.spec.as_ref().and_then(|s| s.finalizers.as_ref()).is_some_and(|f| !f.is_empty()));
    meta || spec
}

/// An update that leaves a terminating object with no finalizers deletes it once no grace period is
/// pending (the registry's ShouldDeleteDuringUpdate).
pub fn deletion_grace_elapsed(obj: &Object, _now_ms: i64) -> bool {
    obj.meta().deletion_grace_period_seconds.is_none_or(|g| g == 0)
}
