//! Core kinds other than pods: Namespaces (finalizer, phase, the metadata.name label), Services
//! (type, ports, traffic policies; addresses come from the allocators), Secrets (type), volumes and
//! claims (phase, mode, reclaim policy), Nodes, and what they validate.

use std::sync::Arc;

use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::api::Object;
use crate::apiserver::field::FieldError;

pub fn default_on_create(obj: &mut Object) {
    match obj {
        Object::Namespace(ns) => {
            let ns = Arc::make_mut(ns);
            let name = ns.metadata.name.clone().unwrap_or_default();
            ns.metadata.labels.get_or_insert_with(Default::default).insert("kubernetes.io/metadata.name".into(), name);
            ns.spec.get_or_insert_with(Default::default).finalizers.get_or_insert_with(|| vec!["kubernetes".into()]);
            ns.status.get_or_insert_with(Default::default).phase = Some("Active".into());
        }
        Object::Secret(s) => {
            Arc::make_mut(s).type_.get_or_insert_with(|| "Opaque".into());
        }
        // SetDefaults_PersistentVolume(Claim): a new volume or claim is Pending, of Filesystem mode;
        // a volume nobody said otherwise about is Retained.
        Object::PersistentVolume(pv) => {
            let pv = Arc::make_mut(pv);
            let spec = pv.spec.get_or_insert_with(Default::default);
            spec.persistent_volume_reclaim_policy.get_or_insert_with(|| "Retain".into());
            spec.volume_mode.get_or_insert_with(|| "Filesystem".into());
            pv.status.get_or_insert_with(Default::default).phase.get_or_insert_with(|| "Pending".into());
        }
        Object::PersistentVolumeClaim(pvc) => {
            let pvc = Arc::make_mut(pvc);
            pvc.spec.get_or_insert_with(Default::default).volume_mode.get_or_insert_with(|| "Filesystem".into());
            pvc.status.get_or_insert_with(Default::default).phase.get_or_insert_with(|| "Pending".into());
        }
        _ => default_on_update(obj),
    }
}

/// Defaults that also apply when an update leaves a field out.
pub fn default_on_update(obj: &mut Object) {
    if let Object::Service(svc) = obj {
        let svc = Arc::make_mut(svc);
        let spec = svc.spec.get_or_insert_with(Default::default);
        let kind = spec.type_.get_or_insert_with(|| "ClusterIP".into()).clone();
        if kind != "ExternalName" {
            spec.session_affinity.get_or_insert_with(|| "None".into());
            spec.internal_traffic_policy.get_or_insert_with(|| "Cluster".into());
        }
        if kind == "NodePort" || kind == "LoadBalancer" {
            spec.external_traffic_policy.get_or_insert_with(|| "Cluster".into());
        }
        if kind == "LoadBalancer" {
            spec.allocate_load_balancer_node_ports.get_or_insert(true);
        }
        for p in spec.ports.iter_mut().flatten() {
            p.protocol.get_or_insert_with(|| "TCP".into());
            if p.target_port.is_none() {
                p.target_port = Some(IntOrString::Int(p.port));
            }
        }
        svc.status.get_or_insert_with(Default::default).load_balancer.get_or_insert_with(Default::default);
    }
}

pub fn validate(obj: &Object) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if let Object::Service(svc) = obj
        && let Some(spec) = &svc.spec
    {
        let kind = spec.type_.as_deref().unwrap_or("ClusterIP");
        let types = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
        if !types.contains(&kind) {
            errors.push(FieldError::not_supported("spec.type", kind, &types));
        }
        let ports = spec.ports.as_deref().unwrap_or_default();
        if ports.is_empty() && kind != "ExternalName" && spec.cluster_ip.as_deref() != Some("None") {
            errors.push(FieldError::required("spec.ports", ""));
        }
        for (i, p) in ports.iter().enumerate() {
            if !(1..=65535).contains(&p.port) {
                errors.push(FieldError::invalid_raw(
                    &format!("spec.ports[{i}].port"),
                    p.port,
                    "must be between 1 and 65535, inclusive",
                ));
            }
            if ports.len() > 1 && p.name.as_deref().is_none_or(str::is_empty) {
                errors.push(FieldError::required(&format!("spec.ports[{i}].name"), ""));
            }
        }
        if kind == "ExternalName" && spec.external_name.as_deref().is_none_or(str::is_empty) {
            errors.push(FieldError::required("spec.externalName", ""));
        }
    }
    errors
}
