//! Admission, in kube-apiserver's order: NamespaceLifecycle, ServiceAccount, DefaultTolerationSeconds,
//! Priority, DefaultStorageClass and StorageObjectInUseProtection mutate or refuse a create before validation; the validating half
//! runs after it.

use std::sync::Arc;

use k8s_openapi::api::core::v1::{Pod, Toleration};

use super::{ApiError, Identity, keys};
use crate::api::{Kind, Object};
use crate::store::Store;

/// Namespaces that may never be deleted.
pub const IMMORTAL_NAMESPACES: &[&str] = &["default", "kube-system", "kube-public"];

/// The tolerations DefaultTolerationSeconds adds, with its default 300 s.
pub const DEFAULT_TOLERATION_SECONDS: i64 = 300;

fn lookup(store: &Store<Object>, kind: Kind, namespace: Option<&str>, name: &str) -> Option<Object> {
    store.get(&keys::object_key(kind, namespace, name)).map(|kv| kv.value.clone())
}

/// NamespaceLifecycle: the namespace must exist and not be terminating.
fn namespace_lifecycle(store: &Store<Object>, obj: &Object) -> Result<(), ApiError> {
    let kind = obj.kind();
    if !kind.namespaced() {
        return Ok(());
    }
    let ns = obj.namespace().unwrap_or("default");
    match lookup(store, Kind::Namespace, None, ns) {
        None => Err(ApiError::namespace_not_found(ns)),
        Some(Object::Namespace(n)) if n.metadata.deletion_timestamp.is_some() => {
            let name = obj.name();
            Err(ApiError::forbidden(
                kind,
                name,
                &format!("unable to create new content in namespace {ns} because it is being terminated"),
            ))
        }
        Some(_) => Ok(()),
    }
}

fn default_tolerations(pod: &mut Pod) {
    let spec = pod.spec.get_or_insert_with(Default::default);
    let tolerations = spec.tolerations.get_or_insert_with(Vec::new);
    for key in ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"] {
        let present = tolerations.iter().any(|t| {
            (t.key.as_deref() == Some(key) || (t.key.is_none() && t.operator.as_deref() == Some("Exists")))
                && matches!(t.effect.as_deref(), None | Some("") | Some("NoExecute"))
        });
        if !present {
            tolerations.push(Toleration {
                key: Some(key.into()),
                operator: Some("Exists".into()),
                effect: Some("NoExecute".into()),
                toleration_seconds: Some(DEFAULT_TOLERATION_SECONDS),
                value: None,
            });
        }
    }
}

/// Priority: the class named by the pod (or the global default) sets priority and preemption policy.
fn priority(store: &Store<Object>, pod: &mut Pod) -> Result<(), ApiError> {
    let name = pod.metadata.name.clone().unwrap_or_default();
    let spec = pod.spec.get_or_insert_with(Default::default);
    let class = match spec.priority_class_name.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => match lookup(store, Kind::PriorityClass, None, c) {
            Some(Object::PriorityClass(pc)) => Some(pc),
            _ => {
                return Err(ApiError::forbidden(
                    Kind::Pod,
                    &name,
                    &format!("no PriorityClass with name {c} was found"),
                ));
            }
        },
        None => store
            .range(&keys::list_prefix(Kind::PriorityClass, None))
            .filter_map(|kv| match &kv.value {
                Object::PriorityClass(pc) if pc.global_default == Some(true) => Some(pc.clone()),
                _ => None,
            })
            .next(),
    };
    match class {
        Some(pc) => {
            spec.priority = Some(pc.value.unwrap_or(0));
            if spec.priority_class_name.is_none() {
                spec.priority_class_name = pc.metadata.name.clone();
            }
            spec.preemption_policy
                .get_or_insert_with(|| pc.preemption_policy.clone().unwrap_or_else(|| "PreemptLowerPriority".into()));
        }
        None => {
            spec.priority = Some(0);
            spec.preemption_policy.get_or_insert_with(|| "PreemptLowerPriority".into());
        }
    }
    Ok(())
}

/// StorageObjectInUseProtection: claims and volumes carry the finalizer that keeps them while in use.
fn storage_object_in_use_protection(
    meta: &mut k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    finalizer: &str,
) {
    let list = meta.finalizers.get_or_insert_with(Vec::new);
    if !list.iter().any(|f| f == finalizer) {
        list.push(finalizer.to_string());
    }
}

/// The mutating admission chain of a create.
pub fn admit_create(store: &Store<Object>, _who: &Identity, obj: &mut Object) -> Result<(), ApiError> {
    namespace_lifecycle(store, obj)?;
    match obj {
        Object::Pod(pod) => {
            let pod = Arc::make_mut(pod);
            let spec = pod.spec.get_or_insert_with(Default::default);
            // ServiceAccount: every pod runs as an account, `default` unless it names one.
            if spec.service_account_name.as_deref().is_none_or(str::is_empty) {
                spec.service_account_name = Some(spec.service_account.clone().unwrap_or_else(|| "default".into()));
            }
            default_tolerations(pod);
            priority(store, pod)?;
        }
        Object::PersistentVolume(pv) => {
            storage_object_in_use_protection(&mut Arc::make_mut(pv).metadata, "kubernetes.io/pv-protection");
        }
        Object::PersistentVolumeClaim(pvc) => {
            let pvc = Arc::make_mut(pvc);
            storage_object_in_use_protection(&mut pvc.metadata, "kubernetes.io/pvc-protection");
            let spec = pvc.spec.get_or_insert_with(Default::default);
            if spec.storage_class_name.is_none() {
                spec.storage_class_name =
                    default_class(store, Kind::StorageClass, "storageclass.kubernetes.io/is-default-class");
            }
        }
        // DefaultIngressClass: an Ingress that names no class (nor the deprecated annotation) gets the
        // default one.
        Object::Ingress(ing) => {
            let ing = Arc::make_mut(ing);
            let annotated =
                ing.metadata.annotations.as_ref().is_some_and(|a| a.contains_key("kubernetes.io/ingress.class"));
            let spec = ing.spec.get_or_insert_with(Default::default);
            if spec.ingress_class_name.is_none() && !annotated {
                spec.ingress_class_name =
                    default_class(store, Kind::IngressClass, "ingressclass.kubernetes.io/is-default-class");
            }
        }
        _ => {}
    }
    Ok(())
}

/// The class of `kind` annotated `annotation: "true"`; with several, the newest (then the first by
/// name), as the DefaultStorageClass and DefaultIngressClass plugins choose.
fn default_class(store: &Store<Object>, kind: Kind, annotation: &str) -> Option<String> {
    store
        .range(&keys::list_prefix(kind, None))
        .map(|kv| kv.value.meta())
        .filter(|m| m.annotations.as_ref().and_then(|a| a.get(annotation)).map(String::as_str) == Some("true"))
        .max_by(|a, b| a.creation_timestamp.cmp(&b.creation_timestamp).then_with(|| b.name.cmp(&a.name)))
        .and_then(|m| m.name.clone())
}

/// NamespaceLifecycle refuses to delete the system namespaces.
pub fn validate_delete(kind: Kind, name: &str) -> Result<(), ApiError> {
    if kind == Kind::Namespace && IMMORTAL_NAMESPACES.contains(&name) {
        return Err(ApiError::forbidden(kind, name, "this namespace may not be deleted"));
    }
    Ok(())
}
