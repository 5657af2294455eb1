//! The simulated dynamic provisioner behind StorageClass `standard` (rancher.io/local-path, as in
//! kind): the PV it creates for a claim, named `pvc-<claim uid>`, a hostPath directory under
//! `/var/local-path-provisioner` pinned to the selected node by node affinity, already pointing at
//! its claim (`claimRef`), with the claim's size and access modes and the class's reclaim policy.
//! Its events carry the provisioner's identity, as the external provisioner's do.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    HostPathVolumeSource, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, ObjectReference, PersistentVolume,
    PersistentVolumeClaim, PersistentVolumeSpec, VolumeNodeAffinity,
};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

/// `pv.kubernetes.io/provisioned-by`.
pub const ANN_PROVISIONED_BY: &str = "pv.kubernetes.io/provisioned-by";
/// The node local-path remembers on its volumes.
const ANN_LOCAL_PATH_NODE: &str = "local.path.provisioner/selected-node";
/// Where local-path keeps its volumes on a node.
const BASE_PATH: &str = "/var/local-path-provisioner";
/// The provisioner's pod, which its events name as their source.
pub const PROVISIONER_IDENTITY: &str = "local-path-provisioner-7dc846544d-9cvfx";
/// How long provisioning takes (local-path runs a helper pod that creates the directory).
pub const PROVISIONING_DELAY_MS: u64 = 2_000;

/// The PV provisioned for `claim` of `class`, on `node` when one was selected.
pub fn provision(claim: &PersistentVolumeClaim, class: &StorageClass, node: Option<&str>) -> PersistentVolume {
    let ns = claim.metadata.namespace.clone().unwrap_or_default();
    let name = claim.metadata.name.clone().unwrap_or_default();
    let uid = claim.metadata.uid.clone().unwrap_or_default();
    let pv_name = format!("pvc-{uid}");
    let spec = claim.spec.clone().unwrap_or_default();
    let mut annotations = BTreeMap::from([(ANN_PROVISIONED_BY.to_string(), class.provisioner.clone())]);
    if let Some(n) = node {
        annotations.insert(ANN_LOCAL_PATH_NODE.to_string(), n.to_string());
    }
    let node_affinity = node.map(|n| VolumeNodeAffinity {
        required: Some(NodeSelector {
            node_selector_terms: vec![NodeSelectorTerm {
                match_expressions: Some(vec![NodeSelectorRequirement {
                    key: "kubernetes.io/hostname".into(),
                    operator: "In".into(),
                    values: Some(vec![n.to_string()]),
                }]),
                match_fields: None,
            }],
        }),
    });
    PersistentVolume {
        metadata: ObjectMeta { name: Some(pv_name.clone()), annotations: Some(annotations), ..Default::default() },
        spec: Some(PersistentVolumeSpec {
            access_modes: spec.access_modes.clone(),
            capacity: spec
                .resources
                .as_ref()
                .and_then(|r| r.requests.as_ref())
                .and_then(|r| r.get("storage").map(|q| BTreeMap::from([("storage".to_string(), q.clone())]))),
            claim_ref: Some(ObjectReference {
                api_version: Some("v1".into()),
                kind: Some("PersistentVolumeClaim".into()),
                name: Some(name.clone()),
                namespace: Some(ns.clone()),
                uid: Some(uid),
                resource_version: claim.metadata.resource_version.clone(),
                field_path: None,
            }),
            host_path: Some(HostPathVolumeSource {
                path: format!("{BASE_PATH}/{pv_name}_{ns}_{name}"),
                type_: Some("DirectoryOrCreate".into()),
            }),
            node_affinity,
            persistent_volume_reclaim_policy: Some(class.reclaim_policy.clone().unwrap_or_else(|| "Delete".into())),
            storage_class_name: class.metadata.name.clone(),
            volume_mode: Some(spec.volume_mode.clone().unwrap_or_else(|| "Filesystem".into())),
            ..Default::default()
        }),
        status: None,
    }
}
