//! A StatefulSet pod's identity, as upstream's `stateful_set_utils.go` gives it: the name
//! `<set>-<ordinal>`, the `statefulset.kubernetes.io/pod-name` and `apps.kubernetes.io/pod-index`
//! labels, hostname and subdomain (the governing Service), and its claims
//! `<template>-<set>-<ordinal>` from the volumeClaimTemplates, mounted in place of same-named volumes.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, PersistentVolumeClaimVolumeSource, Pod, Volume};

use crate::api::Object;
use crate::controllers::controller_utils::pod_from_template;

pub const POD_NAME_LABEL: &str = "statefulset.kubernetes.io/pod-name";
pub const POD_INDEX_LABEL: &str = "apps.kubernetes.io/pod-index";
pub const REVISION_LABEL: &str = "controller-revision-hash";

/// The first ordinal (`spec.ordinals.start`, 0 by default).
pub fn start_ordinal(set: &StatefulSet) -> i32 {
    set.spec.as_ref().and_then(|s| s.ordinals.as_ref()).and_then(|o| o.start).unwrap_or(0).max(0)
}

pub fn replicas(set: &StatefulSet) -> i32 {
    set.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1).max(0)
}

/// The ordinal of a pod named `<set>-<ordinal>` (None for any other name).
pub fn ordinal_of(set_name: &str, pod_name: &str) -> Option<i32> {
    let digits = pod_name.strip_prefix(set_name)?.strip_prefix('-')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || (digits.len() > 1 && digits.starts_with('0'))
    {
        return None;
    }
    digits.parse().ok()
}

pub fn pod_name(set: &StatefulSet, ordinal: i32) -> String {
    format!("{}-{ordinal}", set.metadata.name.as_deref().unwrap_or(""))
}

/// `getPersistentVolumeClaimName`.
pub fn claim_name(set: &StatefulSet, template: &PersistentVolumeClaim, ordinal: i32) -> String {
    format!(
        "{}-{}-{ordinal}",
        template.metadata.name.as_deref().unwrap_or(""),
        set.metadata.name.as_deref().unwrap_or("")
    )
}

/// `getPersistentVolumeClaims`: the claims of `ordinal`, labelled with the set's selector labels.
pub fn claims(set: &StatefulSet, ordinal: i32) -> Vec<PersistentVolumeClaim> {
    let Some(spec) = set.spec.as_ref() else { return Vec::new() };
    let selector_labels = spec.selector.match_labels.clone().unwrap_or_default();
    spec.volume_claim_templates
        .iter()
        .flatten()
        .map(|t| {
            let mut c = t.clone();
            c.metadata.name = Some(claim_name(set, t, ordinal));
            c.metadata.namespace = set.metadata.namespace.clone();
            c.metadata.labels.get_or_insert_with(BTreeMap::new).extend(selector_labels.clone());
            c.status = None;
            c
        })
        .collect()
}

/// `newStatefulSetPod` from `set` (whose template may be an older revision's) with revision `hash`.
pub fn new_pod(owner: &Object, set: &StatefulSet, ordinal: i32, hash: &str) -> Pod {
    let Some(spec) = set.spec.as_ref() else { return Pod::default() };
    let mut pod = pod_from_template(&spec.template, owner);
    let name = pod_name(set, ordinal);
    pod.metadata.generate_name = None;
    pod.metadata.name = Some(name.clone());
    let labels = pod.metadata.labels.get_or_insert_with(BTreeMap::new);
    labels.insert(POD_NAME_LABEL.into(), name.clone());
    labels.insert(POD_INDEX_LABEL.into(), ordinal.to_string());
    labels.insert(REVISION_LABEL.into(), hash.to_string());
    let pod_spec = pod.spec.get_or_insert_with(Default::default);
    pod_spec.hostname = Some(name);
    pod_spec.subdomain = spec.service_name.clone().filter(|s| !s.is_empty());
    // `updateStorage`: each claim template replaces a pod volume of the same name.
    let mut volumes: Vec<Volume> = pod_spec.volumes.take().unwrap_or_default();
    for t in spec.volume_claim_templates.iter().flatten() {
        let vol_name = t.metadata.name.clone().unwrap_or_default();
        volumes.retain(|v| v.name != vol_name);
        volumes.push(Volume {
            name: vol_name,
            persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                claim_name: claim_name(set, t, ordinal),
                read_only: None,
            }),
            ..Default::default()
        });
    }
    pod_spec.volumes = (!volumes.is_empty()).then_some(volumes);
    pod
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals_come_only_from_well_formed_names() {
        assert_eq!(ordinal_of("db", "db-0"), Some(0));
        assert_eq!(ordinal_of("db", "db-12"), Some(12));
        for bad in ["db", "db-", "db-01", "db-x", "dbx-1", "db--1", "db-99999999999"] {
            assert_eq!(ordinal_of("db", bad), None, "{bad}");
        }
    }
}
