//! ControllerRevisions of a StatefulSet (upstream's `controller_history.go` and the revision helpers
//! of `stateful_set_utils.go`): a revision stores the pod template as the patch
//! `{"spec":{"template":{...,"$patch":"replace"}}}`, is named `<set>-<hash>` where the hash is FNV-1
//! (32 bit) over that data plus the collision count, mapped to the safe alphabet, and carries the
//! `controller-revision-hash` label. Equal templates share a revision; an older one that becomes
//! current again gets the next revision number.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::runtime::RawExtension;
use serde_json::{Value, json};

use super::identity::REVISION_LABEL;
use crate::api::Object;
use crate::api::names::safe_encode_string;
use crate::controllers::controller_utils::new_controller_ref;

/// `getPatch`: the template as a replacing patch.
pub fn revision_data(set: &StatefulSet) -> Value {
    let template = set.spec.as_ref().map(|s| serde_json::to_value(&s.template).unwrap_or(Value::Null));
    let mut t = template.unwrap_or(Value::Null);
    if let Some(m) = t.as_object_mut() {
        m.insert("$patch".into(), json!("replace"));
    }
    json!({"spec": {"template": t}})
}

/// FNV-1 32-bit (multiply, then xor), as Go's `hash/fnv.New32`.
fn fnv1(bytes: &[u8], mut h: u32) -> u32 {
    for &b in bytes {
        h = h.wrapping_mul(0x0100_0193) ^ u32::from(b);
    }
    h
}

/// `HashControllerRevision`.
pub fn hash(data: &Value, collision_count: Option<i32>) -> String {
    let raw = serde_json::to_string(data).unwrap_or_default();
    let mut h = fnv1(raw.as_bytes(), 0x811c_9dc5);
    if let Some(c) = collision_count {
        h = fnv1(&(c as u32).to_le_bytes(), h);
    }
    safe_encode_string(&h.to_string())
}

/// `newRevision`: the revision of the set's current template.
pub fn new_revision(
    owner: &Object,
    set: &StatefulSet,
    revision: i64,
    collision_count: Option<i32>,
) -> ControllerRevision {
    let data = revision_data(set);
    let h = hash(&data, collision_count);
    let mut labels: BTreeMap<String, String> =
        set.spec.as_ref().and_then(|s| s.template.metadata.as_ref()).and_then(|m| m.labels.clone()).unwrap_or_default();
    labels.insert(REVISION_LABEL.into(), h.clone());
    let mut cr = ControllerRevision { revision, data: Some(RawExtension(data)), ..Default::default() };
    cr.metadata.name = Some(format!("{}-{h}", set.metadata.name.as_deref().unwrap_or("")));
    cr.metadata.namespace = set.metadata.namespace.clone();
    cr.metadata.labels = Some(labels);
    cr.metadata.owner_references = Some(vec![new_controller_ref(owner)]);
    cr
}

/// `ApplyRevision`: the set with the template a revision recorded.
pub fn apply_revision(set: &StatefulSet, rev: &ControllerRevision) -> StatefulSet {
    let mut out = set.clone();
    let template = rev.data.as_ref().and_then(|d| d.0.get("spec")).and_then(|s| s.get("template")).cloned();
    if let Some(mut t) = template {
        if let Some(m) = t.as_object_mut() {
            m.remove("$patch");
        }
        if let (Ok(t), Some(spec)) = (serde_json::from_value::<PodTemplateSpec>(t), out.spec.as_mut()) {
            spec.template = t;
        }
    }
    out
}

/// The hash label of a revision (its name's suffix when the label is missing).
pub fn revision_hash(rev: &ControllerRevision) -> String {
    rev.metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(REVISION_LABEL).cloned())
        .unwrap_or_else(|| rev.metadata.name.clone().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1_matches_the_reference_vectors() {
        assert_eq!(fnv1(b"", 0x811c_9dc5), 0x811c_9dc5);
        assert_eq!(fnv1(b"a", 0x811c_9dc5), 0x050c_5d7e);
        assert_eq!(fnv1(b"foobar", 0x811c_9dc5), 0x31f0_b262);
    }

    #[test]
    fn equal_templates_hash_alike_and_collisions_move_the_hash() {
        let set = StatefulSet::default();
        let d = revision_data(&set);
        assert_eq!(hash(&d, None), hash(&d, None));
        assert_ne!(hash(&d, Some(0)), hash(&d, Some(1)));
    }
}
