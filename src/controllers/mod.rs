//! kube-controller-manager's controllers. Each controller is its own `Process`, shaped like upstream:
//! informers feed a cache, event handlers turn changes into keys on a work queue, and `sync(key)`
//! reconciles one object from the cache, acting only through the api-server. One process per
//! controller (rather than one hosting all) lets a scenario stop a single controller, and gives each
//! its own trace identity (`controller-manager/deployment`, ...).

pub mod cloud;
pub mod controller_utils;
pub mod cronjob;
pub mod daemon_util;
pub mod daemonset;
pub mod deployment;
pub mod disruption;
pub mod endpoint_util;
pub mod endpoints;
pub mod endpointslice;
pub mod expectations;
pub mod garbage_collector;
pub mod hpa;
pub mod job;
pub mod namespace;
pub mod node_lifecycle;
pub mod periodic;
pub mod pod_calls;
pub mod podgc;
pub mod queue;
pub mod ranking;
pub mod replicaset;
pub mod serviceaccount;
pub mod statefulset;
pub mod taint_eviction;
pub mod ttl_after_finished;
pub mod volume;

pub use cloud::CloudControllerManager;
pub use cronjob::CronJobController;
pub use daemonset::DaemonSetController;
pub use deployment::DeploymentController;
pub use disruption::DisruptionController;
pub use endpoints::EndpointsController;
pub use endpointslice::EndpointSliceController;
pub use garbage_collector::GarbageCollector;
pub use hpa::HorizontalPodAutoscalerController;
pub use job::JobController;
pub use namespace::NamespaceController;
pub use node_lifecycle::NodeLifecycleController;
pub use podgc::PodGcController;
pub use replicaset::ReplicaSetController;
pub use serviceaccount::ServiceAccountController;
pub use statefulset::StatefulSetController;
pub use taint_eviction::TaintEvictionController;
pub use ttl_after_finished::TtlAfterFinishedController;
pub use volume::PersistentVolumeController;

#[cfg(test)]
mod tests;

use std::fmt;

use crate::api::Object;
use crate::apiserver::{ApiError, ApiServer, Identity};
use crate::sim::trace::{Component, Entry, EntryKind, ObjectRef};

/// Why a sync failed; the key is retried with back-off.
#[derive(Debug, Clone, PartialEq)]
pub enum SyncError {
    /// An api-server call failed (a conflict with a newer version, a forbidden write, ...).
    Api(ApiError),
    /// The object's selector cannot be parsed.
    InvalidSelector { object: String, reason: String },
}

impl fmt::Display for SyncError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SyncError::Api(e) => write!(f, "api request failed: {}", e.message),
            SyncError::InvalidSelector { object, reason } => write!(f, "invalid selector of {object}: {reason}"),
        }
    }
}

impl std::error::Error for SyncError {}

impl From<ApiError> for SyncError {
    fn from(e: ApiError) -> Self {
        SyncError::Api(e)
    }
}

/// The identity every controller of kube-controller-manager writes with (its kubeconfig user).
pub fn controller_identity(name: &'static str) -> Identity {
    Identity::component(Component::ControllerManager(name), "system:kube-controller-manager", &[])
}

/// Records a controller's decision about `obj` in the trace (what the UI captions as "the deployment
/// controller scaled up ...").
pub fn record_decision(api: &mut ApiServer, controller: &'static str, verb: &'static str, obj: &Object, note: String) {
    record_decision_as(api, Component::ControllerManager(controller), verb, obj, note);
}

/// Records a decision of component `me` (the cloud-controller-manager's controllers are not
/// kube-controller-manager's).
pub fn record_decision_as(api: &mut ApiServer, me: Component, verb: &'static str, obj: &Object, note: String) {
    let object = ObjectRef::new(obj.kind().as_str(), obj.namespace().unwrap_or(""), obj.name());
    api.record(Entry::new(me.clone(), me, EntryKind::Decision, verb, object).note(note));
}
