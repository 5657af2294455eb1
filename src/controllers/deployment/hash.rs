//! The pod-template-hash (upstream's `controller.ComputeHash`): FNV-1a 32-bit over a stable
//! rendering of the pod template, then the collision count (when set) as four little-endian bytes,
//! printed in decimal and mapped through `safe_encode_string` so it contains no vowels and is a valid
//! label value. Upstream hashes Go's deep-print of the struct, which a simulator cannot reproduce;
//! the compact JSON rendering here is just as stable (fields in a fixed order, maps sorted), so
//! equal templates always get equal hashes and a changed template a new one.

use k8s_openapi::api::core::v1::PodTemplateSpec;

use crate::api::names::safe_encode_string;

const FNV_OFFSET: u32 = 0x811c_9dc5;
const FNV_PRIME: u32 = 0x0100_0193;

fn fnv1a(hash: u32, bytes: &[u8]) -> u32 {
    bytes.iter().fold(hash, |h, &b| (h ^ u32::from(b)).wrapping_mul(FNV_PRIME))
}

/// The pod-template-hash of `template` with `collision_count`.
pub fn compute_hash(template: &PodTemplateSpec, collision_count: Option<i32>) -> String {
    let rendered = serde_json::to_string(template).unwrap_or_default();
    let mut h = fnv1a(FNV_OFFSET, rendered.as_bytes());
    if let Some(c) = collision_count {
        h = fnv1a(h, &(c as u32).to_le_bytes());
    }
    safe_encode_string(&h.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_matches_the_reference_vectors() {
        assert_eq!(fnv1a(FNV_OFFSET, b""), 0x811c9dc5);
        assert_eq!(fnv1a(FNV_OFFSET, b"a"), 0xe40c292c);
        assert_eq!(fnv1a(FNV_OFFSET, b"foobar"), 0xbf9cf968);
    }

    #[test]
    fn hashes_look_like_upstream_and_change_with_template_and_collisions() {
        let t = PodTemplateSpec::default();
        let h = compute_hash(&t, None);
        assert!(!h.is_empty() && h.len() <= 10);
        assert!(h.chars().all(|c| "456789bcdf".contains(c)), "{h}");
        assert_eq!(h, compute_hash(&t, None));
        assert_ne!(h, compute_hash(&t, Some(1)));
        let mut t2 = t.clone();
        t2.metadata = Some(Default::default());
        t2.metadata.as_mut().unwrap().labels = Some([("app".to_string(), "web".to_string())].into());
        assert_ne!(h, compute_hash(&t2, None));
    }
}
