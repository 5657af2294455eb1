//! `POST pods/NAME/eviction`: a delete that honours PodDisruptionBudgets. A pod covered by a budget
//! whose disruptions are spent is refused with 429 TooManyRequests ("Cannot evict pod as it would
//! violate the pod's disruption budget."), which `kubectl drain` retries.
//!
//! Simplification: upstream reads `status.disruptionsAllowed`, which the disruption controller keeps;
//! the simulation has no such controller, so the eviction computes the same numbers from the pods the
//! budget selects at the moment of the request (expected = selected pods, healthy = Ready and not
//! terminating).

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{ApiError, ApiServer, DeleteOptions, Deleted, Identity, rbac};
use crate::api::labels::Selector;
use crate::api::{Kind, Object};
use crate::sim::trace::{Component, Entry, EntryKind};

/// The message of a refused eviction.
pub const VIOLATES_BUDGET: &str = "Cannot evict pod as it would violate the pod's disruption budget.";

fn ready(pod: &Pod) -> bool {
    pod.metadata.deletion_timestamp.is_none()
        && pod
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

/// `intstr.GetScaledValueFromIntOrPercent(v, total, roundUp=true)`.
fn scaled(v: &IntOrString, total: i64) -> i64 {
    match v {
        IntOrString::Int(i) => i64::from(*i),
        IntOrString::String(s) => {
            let pct: i64 = s.trim_end_matches('%').parse().unwrap_or(0);
            (pct * total + 99) / 100
        }
    }
}

/// Pods that a budget does not protect: finished, pending, or already terminating.
fn can_ignore_budget(pod: &Pod) -> bool {
    pod.metadata.deletion_timestamp.is_some()
        || matches!(pod.status.as_ref().and_then(|s| s.phase.as_deref()), Some("Succeeded" | "Failed" | "Pending"))
}

impl ApiServer {
    /// Evicts a pod: deletes it with `opts` unless a disruption budget forbids it now.
    pub fn evict(
        &mut self,
        who: &Identity,
        namespace: &str,
        name: &str,
        opts: &DeleteOptions,
    ) -> Result<Deleted, ApiError> {
        let oref = Self::object_ref(Kind::Pod, Some(namespace), name);
        self.record(Entry::new(who.component.clone(), Component::ApiServer, EntryKind::Request, "evict", oref.clone()));
        let checked =
            rbac::authorize_sub(&self.store, who, "create", Kind::Pod, Some("eviction"), Some(namespace), name)
                .map_err(|why| ApiError::forbidden(Kind::Pod, name, &why))
                .and_then(|()| self.check_budget(namespace, name));
        if let Err(e) = checked {
            self.finish_err(who, "evict", &oref, &e);
            return Err(e);
        }
        self.stage("evict", &oref, "disruption budget allows it");
        let result = self.delete_inner(Kind::Pod, Some(namespace), name, opts);
        match &result {
            Ok(d) => self.finish_ok(who, "evict", &oref, d.object().resource_version(), 201),
            Err(e) => self.finish_err(who, "evict", &oref, e),
        }
        result
    }

    fn check_budget(&mut self, namespace: &str, name: &str) -> Result<(), ApiError> {
        let pod = match self.peek(Kind::Pod, Some(namespace), name) {
            Some(Object::Pod(p)) => p,
            _ => return Err(ApiError::not_found(Kind::Pod, name)),
        };
        if can_ignore_budget(&pod) {
            return Ok(());
        }
        let labels = pod.metadata.labels.clone().unwrap_or_default();
        let budgets: Vec<PodDisruptionBudget> = self
            .store
            .range(&super::keys::list_prefix(Kind::PodDisruptionBudget, Some(namespace)))
            .filter_map(|kv| match &kv.value {
                Object::PodDisruptionBudget(b) => Some((**b).clone()),
                _ => None,
            })
            .filter(|b| {
                b.spec
                    .as_ref()
                    .and_then(|s| s.selector.as_ref())
                    .and_then(|s| Selector::from_label_selector(s).ok())
                    .is_some_and(|s| !s.is_empty() && s.matches(&labels))
            })
            .collect();
        let budget = match budgets.as_slice() {
            [] => return Ok(()),
            [one] => one,
            _ => {
                return Err(ApiError::internal(
                    "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
                ));
            }
        };
        let spec = budget.spec.clone().unwrap_or_default();
        let Some(selector) = spec.selector.as_ref().and_then(|s| Selector::from_label_selector(s).ok()) else {
            return Ok(());
        };
        let pods: Vec<Pod> = self
            .store
            .range(&super::keys::list_prefix(Kind::Pod, Some(namespace)))
            .filter_map(|kv| match &kv.value {
                Object::Pod(p) => Some((**p).clone()),
                _ => None,
            })
            .filter(|p| selector.matches(&p.metadata.labels.clone().unwrap_or_default()))
            .collect();
        let expected = pods.len() as i64;
        let healthy = pods.iter().filter(|p| ready(p)).count() as i64;
        let desired = match (&spec.min_available, &spec.max_unavailable) {
            (Some(min), _) => scaled(min, expected),
            (None, Some(max)) => (expected - scaled(max, expected)).max(0),
            (None, None) => 0,
        };
        let allowed = if ready(&pod) {
            healthy - desired
        } else if healthy >= desired {
            1
        } else {
            0
        };
        if allowed <= 0 {
            return Err(ApiError::too_many_requests(VIOLATES_BUDGET));
        }
        Ok(())
    }
}
